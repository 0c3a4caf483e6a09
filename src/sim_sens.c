/* Forward sensitivities (CVODES, staggered corrector) and their jumps at
 * discontinuities whose time depends on the parameters. */
#include "sim_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ims__sens_free(ims_sim_t *s)
{
  if (s->yS)
    N_VDestroyVectorArray(s->yS, s->ns);
  if (s->qS)
    N_VDestroyVectorArray(s->qS, s->ns);
  free(s->pbar);
  free(s->plist);
  free(s->chain);
  free(s->sbuf);
  free(s->dbuf);
  free(s->jl);
  free(s->jr);
  free(s->theta);
  free(s->ith);
  free(s->pool);
  free(s->drate);
  s->yS = s->qS = NULL;
  s->pbar = s->chain = s->sbuf = s->dbuf = s->jl = s->jr = s->theta = s->ith = s->pool = NULL;
  s->drate = NULL;
  s->plist = NULL;
  s->ns = 0;
  s->npool = s->poolcap = 0;
}

/* d out / d p_k along the state sensitivity S: the output function is a
 * closed-form expression, so a central difference in the direction
 * (S, chain_j e_k) is accurate to ~1e-10 relative. */
void ims__dir_output(ims_sim_t *s, double t, const double *y, const double *S, int j, double *dout)
{
  int n = s->n, no = s->m->noutputs, k = s->plist[j];
  double *yy = s->dbuf + 2 * n, *op = yy + n, *om = op + no + 1;
  double pk = s->p[k], h = 1e-6 * s->pbar[j];
  for (int sg = 0; sg < 2; sg++) {
    double e = sg ? -h : h;
    for (int i = 0; i < n; i++)
      yy[i] = y[i] + e * S[i];
    s->p[k] = pk + s->chain[j] * e;
    s->m->output(t, yy, sg ? om : op, &s->ctx);
  }
  s->p[k] = pk;
  for (int c = 0; c < no; c++)
    dout[c] = (op[c] - om[c]) / (2 * h);
}

/* J*S by a central difference along S, for models without a Jacobian. */
static int jac_times(ims_sim_t *s, double t, const double *y, const double *S, double *out,
                     double *fp, double *fm)
{
  int n = s->n;
  double *yy = s->dbuf + 3 * n + 2 * (s->m->noutputs + 1), big = 0;
  const double *atol = s->opts->atol_vec;
  for (int i = 0; i < n; i++) {
    double r = fabs(S[i]) / (fabs(y[i]) + (atol ? atol[i] : s->opts->atol) + 1e-300);
    big = r > big ? r : big;
  }
  if (big == 0) {
    memset(out, 0, (size_t)n * sizeof *out);
    return 0;
  }
  double h = 6e-6 / big;
  for (int i = 0; i < n; i++)
    yy[i] = y[i] + h * S[i];
  int rc = s->m->rhs(t, yy, fp, &s->ctx);
  for (int i = 0; i < n; i++)
    yy[i] = y[i] - h * S[i];
  rc = rc ? rc : s->m->rhs(t, yy, fm, &s->ctx);
  for (int i = 0; !rc && i < n; i++)
    out[i] = (fp[i] - fm[i]) / (2 * h);
  return rc;
}

/* Sensitivity right-hand sides J*S + chain_j df/dp_k: J from the model's
 * exact Jacobian (or a difference along S), df/dp_k by a central difference
 * in p_k alone with the step that balances truncation and rounding
 * (eps^(1/3)), so the sensitivities can follow tolerances far tighter than
 * CVODES's internal quotients allow.  chain_j is 0 once a rule set p_k: the
 * model no longer depends on the caller's value. */
static int cv_sens(int ns, sunrealtype t, N_Vector y, N_Vector ydot, N_Vector *yS, N_Vector *ySdot,
                   void *ud, N_Vector tmp1, N_Vector tmp2)
{
  (void)ydot;
  ims_sim_t *s = ud;
  int n = s->n;
  const double *yy = NV_DATA_S(y);
  double *fp = NV_DATA_S(tmp1), *fm = NV_DATA_S(tmp2);
  int rc = 0;
  if (s->m->jac) {
    memset(s->jbuf, 0, (size_t)n * (size_t)n * sizeof *s->jbuf);
    rc = s->m->jac(t, yy, s->jbuf, &s->ctx);
  }
  for (int j = 0; !rc && j < ns; j++) {
    const double *S = NV_DATA_S(yS[j]);
    double *d = NV_DATA_S(ySdot[j]);
    if (s->m->jac) {
      for (int i = 0; i < n; i++) {
        double acc = 0;
        for (int l = 0; l < n; l++)
          acc += s->jbuf[i * n + l] * S[l];
        d[i] = acc;
      }
    } else if ((rc = jac_times(s, t, yy, S, d, fp, fm)) != 0) {
      break;
    }
    if (s->chain[j] == 0)
      continue;
    int k = s->plist[j];
    double pk = s->p[k], h = 6e-6 * s->pbar[j];
    s->p[k] = pk + h;
    rc = s->m->rhs(t, yy, fp, &s->ctx);
    s->p[k] = pk - h;
    rc = rc ? rc : s->m->rhs(t, yy, fm, &s->ctx);
    s->p[k] = pk;
    for (int i = 0; i < n; i++)
      d[i] += s->chain[j] * (fp[i] - fm[i]) / (2 * h);
  }
  /* the input of infusions scaled by a covariate (fixed when each started) */
  for (int j = 0; !rc && j < ns; j++) {
    const double *dr = s->drate + (size_t)j * (size_t)n;
    double *d = NV_DATA_S(ySdot[j]);
    for (int i = 0; i < n; i++)
      d[i] += dr[i];
  }
  return rc;
}

/* The quadratures integrate (y, out(y)), so their sensitivities integrate
 * (S_j, d out/d p_k). */
static int cv_quad_sens(int ns, sunrealtype t, N_Vector y, N_Vector *yS, N_Vector yQdot,
                        N_Vector *yQSdot, void *ud, N_Vector tmp, N_Vector tmpQ)
{
  (void)yQdot, (void)tmp, (void)tmpQ;
  ims_sim_t *s = ud;
  for (int j = 0; j < ns; j++) {
    double *d = NV_DATA_S(yQSdot[j]);
    memcpy(d, NV_DATA_S(yS[j]), (size_t)s->n * sizeof *d);
    if (s->m->noutputs)
      ims__dir_output(s, t, NV_DATA_S(y), NV_DATA_S(yS[j]), j, d + s->n);
  }
  return 0;
}

static int alloc_sens(ims_sim_t *s, int ns, ims_err_t *err)
{
  if (ns == s->ns)
    return IMS_OK;
  ims__sens_free(s);
  size_t n = (size_t)s->n, no = (size_t)s->m->noutputs, sn = (size_t)ns;
  s->yS = N_VCloneVectorArray(ns, s->y);
  s->pbar = malloc(sn * sizeof *s->pbar);
  s->plist = malloc(sn * sizeof *s->plist);
  s->chain = malloc(sn * sizeof *s->chain);
  s->sbuf = malloc(sn * (2 * n + 2 * no) * sizeof *s->sbuf + 1);
  s->dbuf = malloc((4 * n + 3 * (no + 1)) * sizeof *s->dbuf);
  s->jl = malloc((2 * n + no + 1) * sizeof *s->jl);
  s->jr = malloc((2 * n + no + 1) * sizeof *s->jr);
  s->theta = malloc(sn * sizeof *s->theta);
  s->ith = malloc(sn * sizeof *s->ith);
  s->drate = calloc(sn * n, sizeof *s->drate);
  s->ns = ns;
  if (!s->yS || !s->pbar || !s->plist || !s->chain || !s->sbuf || !s->dbuf || !s->jl || !s->jr ||
      !s->theta || !s->ith || !s->drate) {
    ims__sens_free(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  return IMS_OK;
}

/* S_j(t0) = d y(t0) / d p_k: a unit vector for a <STATE>_0 value of a
 * model without initial-value hooks, central differences through the hooks
 * (init, init_ctx) otherwise (they are closed-form expressions, so this is
 * accurate to ~1e-10). */
static void initial_sens(ims_sim_t *s)
{
  int n = s->n;
  double *yp = s->dbuf, *ym = s->dbuf + n;
  for (int j = 0; j < s->ns; j++) {
    int k = s->plist[j];
    double *S = NV_DATA_S(s->yS[j]), pk = s->p[k];
    double h = 1e-5 * (pk != 0 ? fabs(pk) : 1.0);
    s->p[k] = pk + h;
    ims__initial_state(s, s->p, yp);
    s->p[k] = pk - h;
    ims__initial_state(s, s->p, ym);
    s->p[k] = pk;
    for (int i = 0; i < n; i++)
      S[i] = (yp[i] - ym[i]) / (2 * h);
    if (!s->m->init && !s->m->init_ctx && k >= s->m->nparams) /* exact without a hook */
      for (int i = 0; i < n; i++)
        S[i] = i == k - s->m->nparams ? 1.0 : 0.0;
  }
}

static int setup_sens_quad(ims_sim_t *s, ims_err_t *err)
{
  int rc = IMS_OK;
  if (!s->qS) {
    s->qS = N_VCloneVectorArray(s->ns, s->q);
    if (!s->qS)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  for (int j = 0; j < s->ns; j++)
    N_VConst(0.0, s->qS[j]);
  if (!s->qs_cv)
    rc = ims__cv_check(s, CVodeQuadSensInit(s->cv, cv_quad_sens, s->qS), "CVodeQuadSensInit", err);
  else
    rc = ims__cv_check(s, CVodeQuadSensReInit(s->cv, s->qS), "CVodeQuadSensReInit", err);
  s->qs_cv = 1;
  rc = rc ? rc : ims__cv_check(s, CVodeQuadSensEEtolerances(s->cv), "quad sens tolerances", err);
  rc = rc ? rc
          : ims__cv_check(s, CVodeSetQuadSensErrCon(s->cv, SUNTRUE), "CVodeSetQuadSensErrCon", err);
  return rc;
}

int ims__sens_setup(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  s->sens_on = o->nsens > 0;
  s->npool = 0;
  if (!s->sens_on)
    return s->ns_cv ? ims__cv_check(s, CVodeSensToggleOff(s->cv), "CVodeSensToggleOff", err)
                    : IMS_OK;
  if (s->ns_cv && s->ns_cv != o->nsens) { /* CVODES cannot resize: start afresh */
    CVodeSensFree(s->cv);
    s->ns_cv = s->qs_cv = 0;
  }
  int rc = alloc_sens(s, o->nsens, err);
  if (rc)
    return rc;
  for (int j = 0; j < s->ns; j++) {
    s->plist[j] = o->sens[j];
    s->pbar[j] = s->p[o->sens[j]] != 0 ? fabs(s->p[o->sens[j]]) : 1.0;
    s->chain[j] = 1.0;
  }
  memset(s->drate, 0, (size_t)s->ns * (size_t)s->n * sizeof *s->drate);
  initial_sens(s);
  if (!s->ns_cv)
    rc = ims__cv_check(s, CVodeSensInit(s->cv, s->ns, CV_STAGGERED, cv_sens, s->yS),
                       "CVodeSensInit", err);
  else
    rc = ims__cv_check(s, CVodeSensReInit(s->cv, CV_STAGGERED, s->yS), "CVodeSensReInit", err);
  s->ns_cv = s->ns;
  rc = rc ? rc
          : ims__cv_check(s, CVodeSetSensParams(s->cv, s->p, s->pbar, s->plist),
                          "CVodeSetSensParams", err);
  rc = rc ? rc : ims__cv_check(s, CVodeSensEEtolerances(s->cv), "CVodeSensEEtolerances", err);
  rc = rc ? rc : ims__cv_check(s, CVodeSetSensErrCon(s->cv, SUNTRUE), "CVodeSetSensErrCon", err);
  if (!rc && s->nq && o->quad)
    rc = setup_sens_quad(s, err);
  return rc;
}

int ims__sens_emit(ims_sim_t *s, double t, const ims_observer_t *obs)
{
  int n = s->n, no = s->m->noutputs, ns = s->ns;
  double *dy = s->sbuf, *dout = dy + (size_t)ns * (size_t)n;
  double *dq = dout + (size_t)ns * (size_t)no;
  for (int j = 0; j < ns; j++) {
    memcpy(dy + (size_t)j * (size_t)n, NV_DATA_S(s->yS[j]), (size_t)n * sizeof *dy);
    if (s->nq)
      memcpy(dq + (size_t)j * (size_t)s->nq, NV_DATA_S(s->qS[j]), (size_t)s->nq * sizeof *dq);
  }
  for (int j = 0; no && j < ns; j++)
    ims__dir_output(s, t, NV_DATA_S(s->y), NV_DATA_S(s->yS[j]), j, dout + (size_t)j * (size_t)no);
  return obs->sens(obs->ud, t, dy, dout, s->nq ? dq : NULL);
}

/* The rates of the states and of the quadratures (the columns) at (t, y). */
static void rates(ims_sim_t *s, double t, double *f)
{
  const double *y = NV_DATA_S(s->y);
  ims__rhs(s, t, y, f);
  if (!s->nq)
    return;
  memcpy(f + s->n, y, (size_t)s->n * sizeof *f);
  if (s->m->noutputs)
    s->m->output(t, y, f + 2 * s->n, &s->ctx);
}

void ims__sens_jump_before(ims_sim_t *s, double t)
{
  if (s->sens_on)
    rates(s, t, s->jl);
}

/* S+ = Dh S- + (Dh f- - f+) dtau/dp: h maps the state across the
 * discontinuity (the identity, or a state set to 0), tau is its time.  The
 * quadratures do not jump, so only their rates enter. */
void ims__sens_jump_after(ims_sim_t *s, double t, const double *theta, int zero)
{
  if (!s->sens_on)
    return;
  int n = s->n;
  if (theta)
    rates(s, t, s->jr);
  for (int j = 0; j < s->ns; j++) {
    double *S = NV_DATA_S(s->yS[j]);
    if (zero >= 0)
      S[zero] = 0.0;
    if (!theta || theta[j] == 0)
      continue;
    for (int i = 0; i < n; i++)
      S[i] += ((i == zero ? 0.0 : s->jl[i]) - s->jr[i]) * theta[j];
    if (s->nq) {
      double *Q = NV_DATA_S(s->qS[j]);
      for (int c = 0; c < s->nq; c++)
        Q[c] += (s->jl[n + c] - s->jr[n + c]) * theta[j];
    }
  }
}

/* g(t, y(t; p), p) = 0 defines the crossing time: dtau/dp_j = -(dg/dy S_j +
 * dg/dp_j) / (dg/dt). */
int ims__sens_crossing(ims_sim_t *s, double t, int w, double *theta, ims_err_t *err)
{
  const ims__watch_t *wt = &s->w[w];
  const double *y = NV_DATA_S(s->y);
  int fdone = 0, c = wt->col;
  double noise, gdot = ims__col_deriv(s, t, y, c, &fdone, &noise);
  if (!(fabs(gdot) > noise) || !isfinite(gdot))
    return ims_err_set(err, IMS_EINPUT,
                       "model %s: a trigger on %s touches its threshold without crossing it at t = "
                       "%g: the time of the event has no derivative; leave the parameters out of "
                       "the sensitivities or change the threshold",
                       s->m->name, c < s->n ? s->m->states[c].name : s->m->outputs[c - s->n].name,
                       t);
  double *dout = s->dbuf + 4 * s->n + 2 * (s->m->noutputs + 1);
  for (int j = 0; j < s->ns; j++) {
    const double *S = NV_DATA_S(s->yS[j]);
    double dg;
    if (c < s->n) {
      dg = S[c];
    } else {
      ims__dir_output(s, t, y, S, j, dout);
      dg = dout[c - s->n];
    }
    theta[j] = -dg / gdot;
  }
  return IMS_OK;
}

/* ---- switches of the model's conditions ---- */

/* d g_k / d p_j along the sensitivity: central difference in (S_j, chain_j e_k). */
static double switch_dp(ims_sim_t *s, double t, const double *y, int k, int j, double *yy,
                        double *g)
{
  int n = s->n, kp = s->plist[j];
  const double *S = NV_DATA_S(s->yS[j]);
  double pk = s->p[kp], h = 1e-6 * s->pbar[j], gp = 0;
  for (int sg = 0; sg < 2; sg++) {
    double e = sg ? -h : h;
    for (int i = 0; i < n; i++)
      yy[i] = y[i] + e * S[i];
    s->p[kp] = pk + s->chain[j] * e;
    ims__switch_eval(s, t, yy, g);
    if (!sg)
      gp = g[k];
  }
  s->p[kp] = pk;
  return (gp - g[k]) / (2 * h);
}

/* g_k(t, y(t; p), p) = 0 defines the switch time: dtau/dp_j = -(dg/dy S_j +
 * dg/dp_j) / (dg/dt along the flow before it), the conditions still held on
 * their old side. */
int ims__sens_switch(ims_sim_t *s, double t, double *theta, ims_err_t *err)
{
  int n = s->n, first = 1, ok = 1;
  const double *y = NV_DATA_S(s->y);
  double *f = s->dbuf, *yy = f + n, *g = s->gsw, hd = 6e-6 * fmax(1.0, fabs(t));
  const char *what = "touches its switch without crossing it";
  ims__rhs(s, t, y, f);
  for (int k = 0; ok && k < s->nsw; k++) {
    if (!s->sw_flip[k])
      continue;
    double gp, gm;
    for (int i = 0; i < n; i++)
      yy[i] = y[i] + hd * f[i];
    ims__switch_eval(s, t + hd, yy, g);
    gp = g[k];
    for (int i = 0; i < n; i++)
      yy[i] = y[i] - hd * f[i];
    ims__switch_eval(s, t - hd, yy, g);
    gm = g[k];
    double gdot = (gp - gm) / (2 * hd);
    ok = isfinite(gdot) && gdot != 0 && (gdot > 0) == (s->sw_flip[k] > 0);
    for (int j = 0; ok && j < s->ns; j++) {
      double tj = -switch_dp(s, t, y, k, j, yy, g) / gdot;
      if (first)
        theta[j] = tj;
      else if (!(fabs(tj - theta[j]) <=
                 1e-6 * (fabs(tj) + fabs(theta[j])) + 1e-12 * fmax(1, fabs(t)))) {
        ok = 0;
        what = "flips at the same time as another one that moves differently with the "
               "parameters";
      }
    }
    first = 0;
  }
  if (!ok)
    return ims_err_set(err, IMS_EINPUT,
                       "model %s: a condition of the model %s at t = %.10g %s: the time of the "
                       "switch has no derivative; leave the parameters out of the sensitivities",
                       s->m->name, what, t, s->m->time_unit ? s->m->time_unit : "");
  return IMS_OK;
}

void ims__sens_breakpoint(ims_sim_t *s, int i, double *theta)
{
  double tp[IMS__MAX_BREAKS], tm[IMS__MAX_BREAKS];
  for (int j = 0; j < s->ns; j++) {
    int k = s->plist[j];
    theta[j] = 0;
    if (s->chain[j] == 0 || k >= s->m->nparams)
      continue;
    double pk = s->p[k], h = 1e-6 * s->pbar[j];
    s->p[k] = pk + h;
    int np = s->m->breaks(s->p, tp, IMS__MAX_BREAKS);
    s->p[k] = pk - h;
    int nm = s->m->breaks(s->p, tm, IMS__MAX_BREAKS);
    s->p[k] = pk;
    if (np > i && nm > i)
      theta[j] = s->chain[j] * (tp[i] - tm[i]) / (2 * h);
  }
}

void ims__sens_param_changed(ims_sim_t *s, int k, double factor)
{
  for (int j = 0; s->sens_on && j < s->ns; j++)
    if (s->plist[j] == k)
      s->chain[j] *= factor;
}

void ims__sens_dose(ims_sim_t *s, int k, int cmt, double d)
{
  int j = ims__sens_index(s, k);
  if (j >= 0)
    NV_DATA_S(s->yS[j])[cmt] += s->chain[j] * d;
}

int ims__sens_index(const ims_sim_t *s, int k)
{
  for (int j = 0; s->sens_on && j < s->ns; j++)
    if (s->plist[j] == k)
      return j;
  return -1;
}

double ims__sens_chain(const ims_sim_t *s, int j)
{
  return s->chain[j];
}

void ims__sens_rate_add(ims_sim_t *s, int j, int cmt, double d)
{
  if (j >= 0 && s->sens_on)
    s->drate[(size_t)j * (size_t)s->n + (size_t)cmt] += d;
}

void ims__sens_rate_clear(ims_sim_t *s, int cmt)
{
  for (int j = 0; s->sens_on && j < s->ns; j++)
    s->drate[(size_t)j * (size_t)s->n + (size_t)cmt] = 0.0;
}

void ims__sens_reset(ims_sim_t *s)
{
  if (!s->sens_on)
    return;
  initial_sens(s);
  for (int j = 0; j < s->ns; j++)
    for (int i = 0; i < s->n; i++)
      NV_DATA_S(s->yS[j])[i] *= s->chain[j];
}

long ims__sens_pool_put(ims_sim_t *s, const double *theta, ims_err_t *err)
{
  if ((s->npool + 1) * s->ns > s->poolcap) {
    long cap = s->poolcap ? 2 * s->poolcap : 16 * s->ns;
    double *np = realloc(s->pool, (size_t)cap * sizeof *np);
    if (!np) {
      ims_err_set(err, IMS_ENOMEM, "out of memory");
      return -1;
    }
    s->pool = np;
    s->poolcap = cap;
  }
  memcpy(s->pool + s->npool * s->ns, theta, (size_t)s->ns * sizeof *theta);
  return s->npool++;
}

const double *ims__sens_pool_get(const ims_sim_t *s, long row)
{
  return row >= 0 ? s->pool + row * s->ns : NULL;
}
