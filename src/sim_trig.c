/* Watches and triggers: which side of its threshold each watched quantity
 * is on, and the firing of triggers on a change of side (see the design
 * comment in src/sim.c, "Triggers"). */
#include "sim_impl.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* CVODE tests a sign change as glo*ghi < 0: keeping every root function
 * value in [1e-150, 1e150] in magnitude means the product never underflows
 * to 0 (a crossing lost) nor overflows. */
#define G_TINY 1e-150
#define G_HUGE 1e150

static double clamp_g(double g, int hold)
{
  if (g == 0.0 || isnan(g))
    return hold < 0 ? -G_TINY : G_TINY;
  double a = fabs(g);
  a = a < G_TINY ? G_TINY : a > G_HUGE ? G_HUGE : a;
  return g < 0 ? -a : a;
}

double ims__var_value(ims_sim_t *s, double t, const double *y, int var)
{
  int nc = s->n + s->m->noutputs;
  if (var >= nc) /* a derivative trigger reports the column's own value */
    var -= nc;
  if (var < s->n)
    return y[var];
  s->m->output(t, y, s->out, &s->ctx);
  return s->out[var - s->n];
}

/* d/dt of column c along the solution: the RHS (with infusions) for a
 * state; for an output a central difference along (1, f), exact up to
 * rounding for outputs linear in y.  *fdone caches f between calls; *noise
 * receives the rounding error of the difference (0 for a state). */
double ims__col_deriv(ims_sim_t *s, double t, const double *y, int c, int *fdone, double *noise)
{
  int n = s->n, no = s->m->noutputs;
  double *f = s->fbuf;
  *noise = 0;
  if (!*fdone) {
    ims__rhs(s, t, y, f);
    *fdone = 1;
  }
  if (c < n)
    return f[c];
  double *yy = f + n, *op = yy + n, *om = op + no + 1;
  double h = 6e-6 * fmax(1.0, fabs(t));
  for (int sg = 0; sg < 2; sg++) {
    double e = sg ? -h : h;
    for (int i = 0; i < n; i++)
      yy[i] = y[i] + e * f[i];
    s->m->output(t + e, yy, sg ? om : op, &s->ctx);
  }
  double a = op[c - n], b = om[c - n];
  *noise = 8 * DBL_EPSILON * (fabs(a) + fabs(b)) / (2 * h);
  return (a - b) / (2 * h);
}

/* Absolute tolerance of every output, from the states' through its
 * gradient: an output threshold of 0 still gets a band. */
void ims__trig_refresh(ims_sim_t *s, double t)
{
  const ims_opts_t *o = s->opts;
  int n = s->n, no = s->m->noutputs;
  for (int i = 0; i < n; i++)
    s->obsf[i] = o->atol_vec ? o->atol_vec[i] : o->atol;
  if (!no || !s->nw)
    return;
  double *y = NV_DATA_S(s->y), *base = s->fbuf + n, *pert = base + no + 1;
  s->m->output(t, y, base, &s->ctx);
  for (int k = 0; k < no; k++)
    s->obsf[n + k] = 0;
  for (int i = 0; i < n; i++) {
    double yi = y[i], h = fmax(s->obsf[i], 1.5e-8 * fabs(yi));
    y[i] = yi + h;
    s->m->output(t, y, pert, &s->ctx);
    y[i] = yi;
    for (int k = 0; k < no; k++) {
      double d = fabs(pert[k] - base[k]) / h * s->obsf[i];
      if (isfinite(d))
        s->obsf[n + k] += d;
    }
  }
}

/* The watched quantity g at (t, y), its band tol (|g| <= tol: too close to
 * call), and whether it is rounding noise (no side at all). */
typedef struct gval {
  double g, tol;
  int noise;
} gval_t;

static gval_t watch_eval(ims_sim_t *s, const ims__watch_t *w, double t, const double *y, int *fdone)
{
  const ims_opts_t *o = s->opts;
  gval_t v = {0, 0, 0};
  double x = ims__var_value(s, t, y, w->col);
  double abs_ = s->obsf[w->col];
  if (!w->deriv) {
    v.g = x - w->thr;
    v.tol = o->rtol * fabs(w->thr) + abs_;
    return v;
  }
  double fdn;
  v.g = ims__col_deriv(s, t, y, w->col, fdone, &fdn);
  /* A column changing by less than its tolerance over the whole run is flat
   * to the solver: the sign of its derivative is rounding noise. */
  double span = s->tl.tend - o->t0;
  v.tol = (o->rtol * fabs(x) + abs_) / (span > 0 ? span : 1.0) + fdn;
  /* A state within its absolute tolerance of zero is noise to CVODE: the
   * sign of its derivative flips from one evaluation to the next (a decayed
   * IL-2 after an extinction rule found a root at every step). */
  v.noise = (w->col < s->n && fabs(x) <= abs_) || !isfinite(v.g);
  return v;
}

int ims__cv_root(sunrealtype t, N_Vector y, sunrealtype *g, void *ud)
{
  ims_sim_t *s = ud;
  const double *yy = NV_DATA_S(y);
  int fdone = 0;
  if (s->evs) /* model events' root functions follow the watches' and the switches' */
    ims__ev_roots(s, t, yy, g + 2 * s->nw + s->nsw);
  if (s->nsw) { /* a switch is a sign change of g itself, with no band: the model's
                 * condition flips exactly there (held on its side until then) */
    double *gs = g + 2 * s->nw;
    ims__switch_eval(s, t, yy, s->gsw);
    for (int k = 0; k < s->nsw; k++)
      gs[k] = clamp_g(s->gsw[k], s->sw_side[k]);
  }
  for (int i = 0; i < s->nw; i++) {
    ims__watch_t *w = &s->w[i];
    double *gc = &g[2 * i], *ge = &g[2 * i + 1];
    if (s->in_ss) {
      *gc = *ge = 1.0;
      continue;
    }
    gval_t v = watch_eval(s, w, t, yy, &fdone);
    int hold = w->side < 0 ? -1 : 1;
    if (w->armed) {
      *gc = v.noise || (w->deriv && fabs(v.g) <= v.tol) ? hold : clamp_g(v.g, hold);
      *ge = 1.0;
    } else {
      *gc = hold;
      /* exactly on the band edge counts as inside: at a re-arming root
       * |g| > tol holds strictly */
      *ge = v.noise ? -1.0 : clamp_g(fabs(v.g) - v.tol, -1);
    }
  }
  return 0;
}

/* A new observation of watch w: returns the new side when it changed (a
 * crossing), 0 otherwise.  flagdir: CVODE located the crossing (its
 * direction); at the crossing itself |g| is within the band. */
static int watch_update(ims__watch_t *w, gval_t v, int flagdir)
{
  int beyond = !v.noise && fabs(v.g) > v.tol;
  int sg = flagdir;
  if (!sg && !v.noise && (beyond || !w->deriv))
    sg = (v.g > 0) - (v.g < 0);
  if (!sg)
    return 0; /* exactly 0, or noise: no side */
  if (!w->side) {
    w->side = sg;
    w->armed = beyond;
    return 0;
  }
  if (sg == w->side) {
    if (beyond)
      w->armed = 1;
    return 0;
  }
  if (!w->armed && !beyond)
    return 0; /* back and forth within the band since the last change */
  w->side = sg;
  w->armed = beyond;
  return sg;
}

static int emit_event(ims_sim_t *s, const ims_logged_t *lg)
{
  const ims_observer_t *obs = s->obs;
  return obs && obs->event ? obs->event(obs->ud, lg) : 0;
}

/* Trigger k fires at t in direction dir: log it and queue its action (at
 * once or after its delay).  theta: d(t)/dp when the firing time is set by
 * a discontinuity; NULL to derive it from the crossing of watch w. */
static int fire(ims_sim_t *s, int k, int w, double t, int dir, const double *theta, ims_err_t *err)
{
  const ims_trigger_t *tr = &s->opts->triggers[k];
  ims__trig_t *tg = &s->tg[k];
  if (tr->max_count > 0 && tg->fired >= tr->max_count)
    return IMS_OK;
  if (t < tr->start || (tg->fired && t - tg->last_fire < tr->refractory))
    return IMS_OK;
  if (++s->nevents > s->max_events)
    return ims_err_set(err, IMS_EINPUT,
                       "model %s: more than %ld triggered events by t = %g (trigger '%s' fired %d "
                       "times); a rule without a refractory time or max_count keeps firing: give "
                       "it one",
                       s->m->name, s->max_events, t, tr->name ? tr->name : "?", tg->fired);
  tg->fired++;
  tg->last_fire = t;
  ims_logged_t lg = {t,  k, tr->var, ims__var_value(s, t, NV_DATA_S(s->y), tr->var), tr->delay <= 0,
                     dir};
  int rc = emit_event(s, &lg);
  if (rc || tr->act == IMS_ACT_NONE)
    return rc;
  ims__pending_t a = {
      t + (tr->delay > 0 ? tr->delay : 0), 0, tr->act, tr->target, k, tr->value, tr->rate, -1};
  if (s->sens_on && tr->act != IMS_ACT_STOP) {
    if (!theta) {
      rc = ims__sens_crossing(s, t, w, s->theta, err);
      theta = s->theta;
    }
    if (!rc) {
      a.dtau = ims__sens_pool_put(s, theta, err);
      rc = a.dtau < 0 ? IMS_ENOMEM : IMS_OK;
    }
    if (rc)
      return rc;
  }
  return ims__tl_push(&s->tl, &a, err);
}

/* Watch i of trigger k changed side to dir at t. */
static int trig_changed(ims_sim_t *s, int k, int i, double t, int dir, int jump,
                        const double *theta, ims_err_t *err)
{
  const ims_trigger_t *tr = &s->opts->triggers[k];
  switch (s->tg[k].kind) {
  case IMS__TK_CROSS:
    if (tr->dir && tr->dir != dir)
      return IMS_OK;
    if (jump && s->w[i].deriv) /* a jump makes no extremum of the smooth solution */
      return IMS_OK;
    return fire(s, k, i, t, dir, theta, err);
  default:
    return IMS_OK;
  }
}

/* Observe every watch at (t, y) and fire on changes.  flags: CVODE's root
 * information (NULL: none), jump: right after a discontinuity. */
static int observe(ims_sim_t *s, double t, const int *flags, int jump, const double *theta,
                   ims_err_t *err)
{
  const double *y = NV_DATA_S(s->y);
  int fdone = 0, rc = IMS_OK;
  for (int k = 0; !rc && k < s->ntg; k++) {
    const ims__trig_t *tg = &s->tg[k];
    for (int i = tg->w0; !rc && i < tg->w0 + tg->nw; i++) {
      ims__watch_t *w = &s->w[i];
      gval_t v = watch_eval(s, w, t, y, &fdone);
      int flag = flags ? flags[2 * i] : 0;
      if (jump && w->deriv) { /* the smooth derivative restarts here */
        int beyond = !v.noise && fabs(v.g) > v.tol;
        if (beyond)
          w->side = (v.g > 0) - (v.g < 0);
        w->armed = beyond;
        continue;
      }
      int d = watch_update(w, v, flag);
      if (d)
        rc = trig_changed(s, k, i, t, d, jump, theta, err);
    }
  }
  return rc;
}

int ims__trig_root(ims_sim_t *s, double t, ims_err_t *err)
{
  s->st.roots++;
  if (!s->nroots)
    return IMS_OK;
  int rc = s->in_ss ? IMS_OK : observe(s, t, s->rootsfound, 0, NULL, err);
  rc = rc ? rc : ims__switch_root(s, t, err);
  return rc || s->in_ss ? rc : ims__ev_check(s, t, err);
}

int ims__trig_before(ims_sim_t *s, double t, ims_err_t *err)
{
  int rc = s->nw ? observe(s, t, NULL, 0, NULL, err) : IMS_OK;
  return rc ? rc : ims__ev_check(s, t, err);
}

int ims__trig_after(ims_sim_t *s, double t, const double *theta, ims_err_t *err)
{
  int rc = s->nw ? observe(s, t, NULL, 1, theta, err) : IMS_OK;
  return rc ? rc : ims__ev_check(s, t, err);
}

void ims__trig_begin(ims_sim_t *s, double t)
{
  const double *y = NV_DATA_S(s->y);
  int fdone = 0;
  s->sw_due = 0;
  s->sw_burst = 0;
  s->sw_t0 = -INFINITY;
  for (int k = 0; k < s->nsw; k++) { /* the conditions compare until their sides are known */
    s->sw_side[k] = 0;
    s->swside[k] = 0;
  }
  ims__trig_refresh(s, t);
  ims__switch_sides(s, t);
  for (int i = 0; i < s->nw; i++) {
    ims__watch_t *w = &s->w[i];
    gval_t v = watch_eval(s, w, t, y, &fdone);
    int beyond = !v.noise && fabs(v.g) > v.tol;
    w->side = v.noise || (w->deriv && !beyond) ? 0 : (v.g > 0) - (v.g < 0);
    w->armed = beyond;
  }
}

void ims__trig_free(ims_sim_t *s)
{
  free(s->w);
  free(s->tg);
  free(s->rootsfound);
  ims__ev_free(s);
  s->w = NULL;
  s->tg = NULL;
  s->rootsfound = NULL;
  s->nw = s->ntg = 0;
}

int ims__trig_setup(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  int nc = s->n + s->m->noutputs, nt = o->ntriggers;
  ims__trig_free(s);
  s->w = calloc((size_t)nt + 1, sizeof *s->w);
  s->tg = calloc((size_t)nt + 1, sizeof *s->tg);
  int rc = ims__ev_setup(s, err);
  if (rc)
    return rc;
  s->rootsfound = calloc(2 * (size_t)nt + (size_t)s->nsw + (size_t)ims__ev_nroots(s) + 1,
                         sizeof *s->rootsfound);
  if (!s->w || !s->tg || !s->rootsfound)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (int k = 0; k < nt; k++) {
    const ims_trigger_t *tr = &o->triggers[k];
    s->tg[k] = (ims__trig_t){IMS__TK_CROSS, k, 1, 0, -INFINITY};
    s->w[k].deriv = tr->var >= nc;
    s->w[k].col = tr->var >= nc ? tr->var - nc : tr->var;
    s->w[k].thr = s->w[k].deriv ? 0.0 : tr->threshold;
  }
  s->ntg = s->nw = nt;
  s->nroots = 2 * s->nw + s->nsw + ims__ev_nroots(s);
  s->nevents = 0;
  s->max_events = o->max_events > 0 ? o->max_events : IMS__MAX_EVENTS;
  return ims__cv_check(s, CVodeRootInit(s->cv, s->nroots, s->nroots ? ims__cv_root : NULL),
                       "CVodeRootInit", err);
}
