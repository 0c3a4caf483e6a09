#include "immunosim/sim.h"

#include <cvodes/cvodes.h>
#include <float.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#define MAX_BREAKS 64

/* An action waiting for its time: a delayed trigger, or the end of an
 * infusion a trigger started. */
typedef struct pending {
  double time;
  int act;
  int target;
  double value, rate;
  int trigger;
} pending_t;

struct ims_sim {
  const ims_model_t *m;
  int n, nq, np, method;
  SUNContext sun;
  void *cv;
  N_Vector y, abstol, q;
  SUNMatrix A;
  SUNLinearSolver LS;
  int nroots; /* roots registered with CVODE */
  double *p;  /* live parameters */
  double *rate;
  int *ninf;
  int *ndose;
  double *out;
  double *jbuf;
  double *work; /* the model's scratch (ctx.work) */
  /* crossings at discontinuities and derivative triggers */
  double *ypre;         /* n: the left limit at a discontinuity */
  double *outpre;       /* noutputs + 1 */
  double *fbuf;         /* n: dy/dt, 3n + 2(noutputs + 1) for output derivatives */
  double *gpre, *gpost; /* per trigger */
  int *rootsfound;
  int *fired;
  double *last_fire;
  ims_ctx_t ctx;
  ims_stats_t st;
  const ims_opts_t *opts;
  int in_ss;
  double tb[MAX_BREAKS];
  int ntb;
  pending_t *pend;
  int npend, pendcap;
  char cvmsg[512];
  /* forward sensitivities */
  int ns;      /* vectors allocated */
  int ns_cv;   /* vectors registered with the current CVODE memory (0: none) */
  int qs_cv;   /* quadrature sensitivities registered */
  int sens_on; /* this run computes them */
  N_Vector *yS, *qS;
  double *pbar;
  int *plist;
  double *sbuf; /* ns*(n + nout + nq) flattened for the observer */
  double *dbuf; /* scratch for directional derivatives: 3n + 2(nout+1) */
};

/* ---- CVODE callbacks ------------------------------------------------- */

static int cv_rhs(sunrealtype t, N_Vector y, N_Vector yd, void *ud)
{
  ims_sim_t *s = ud;
  double *d = NV_DATA_S(yd);
  int rc = s->m->rhs(t, NV_DATA_S(y), d, &s->ctx);
  if (rc)
    return rc;
  for (int i = 0; i < s->n; i++)
    d[i] += s->rate[i];
  return 0;
}

static int cv_jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                  N_Vector t2, N_Vector t3)
{
  (void)t1, (void)t2, (void)t3;
  ims_sim_t *s = ud;
  int n = s->n;
  const double *yv = NV_DATA_S(y), *fv = NV_DATA_S(fy);
  memset(s->jbuf, 0, (size_t)n * (size_t)n * sizeof *s->jbuf);
  int rc = s->m->jac(t, yv, s->jbuf, &s->ctx);
  if (rc)
    return rc;
  for (int j = 0; j < n; j++) {
    double *col = SM_COLUMN_D(J, j);
    /* A state sitting at exactly 0 with exactly zero derivative (e.g. a
     * tumour after an extinction rule, dT/dt = T*g(y)) must stay exactly 0.
     * Its off-diagonal column entries would let partial pivoting mix other
     * rows into its Newton correction, which then carries rounding noise
     * (about eps*|other states|) that later regrows as a spurious relapse.
     * Dropping them only changes the Newton iteration matrix, not the
     * solution; the true column returns at the next Jacobian update. */
    int absorbing = yv[j] == 0.0 && fv[j] == 0.0;
    for (int i = 0; i < n; i++)
      col[i] = absorbing && i != j ? 0.0 : s->jbuf[i * n + j];
  }
  return 0;
}

static double var_value(ims_sim_t *s, double t, const double *y, int var)
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
 * state; for an output a central difference along (1, f), which is exact up
 * to rounding for outputs linear in y.  *fdone caches f between calls. */
static double col_deriv(ims_sim_t *s, double t, const double *y, int c, int *fdone)
{
  int n = s->n, no = s->m->noutputs;
  double *f = s->fbuf;
  if (!*fdone) {
    if (s->m->rhs(t, y, f, &s->ctx) != 0)
      for (int i = 0; i < n; i++)
        f[i] = NAN;
    for (int i = 0; i < n; i++)
      f[i] += s->rate[i];
    *fdone = 1;
  }
  if (c < n)
    return f[c];
  double *yy = f + n, *op = yy + n, *om = op + no + 1;
  double h = 1e-7 * fmax(1.0, fabs(t));
  for (int sg = 0; sg < 2; sg++) {
    double e = sg ? -h : h;
    for (int i = 0; i < n; i++)
      yy[i] = y[i] + e * f[i];
    s->m->output(t + e, yy, sg ? om : op, &s->ctx);
  }
  return (op[c - n] - om[c - n]) / (2 * h);
}

/* A state within its absolute tolerance of zero is rounding noise to CVODE:
 * the sign of its derivative there flips from one evaluation to the next,
 * and watching it for extrema finds a root at every step (a decayed IL-2
 * after an extinction rule did exactly that, forever). */
static int below_atol(const ims_sim_t *s, const double *y, int c)
{
  if (c >= s->n)
    return 0;
  const ims_opts_t *o = s->opts;
  return fabs(y[c]) <= (o->atol_vec ? o->atol_vec[c] : o->atol);
}

static int cv_root(sunrealtype t, N_Vector y, sunrealtype *g, void *ud)
{
  ims_sim_t *s = ud;
  const ims_opts_t *o = s->opts;
  int nc = s->n + s->m->noutputs, fdone = 0;
  for (int k = 0; k < s->nroots; k++) {
    const ims_trigger_t *tr = &o->triggers[k];
    if (s->in_ss)
      g[k] = 1.0;
    else if (tr->var >= nc && below_atol(s, NV_DATA_S(y), tr->var - nc))
      g[k] = DBL_MIN;
    else if (tr->var >= nc)
      g[k] = col_deriv(s, t, NV_DATA_S(y), tr->var - nc, &fdone) - tr->threshold;
    else
      g[k] = var_value(s, t, NV_DATA_S(y), tr->var) - tr->threshold;
    /* An exact zero counts as positive: a function identically zero (the
     * derivative of an unused state, a state resting on its threshold)
     * would otherwise make CVODE fail with "root found at and very near t"
     * after any other root. */
    if (g[k] == 0.0)
      g[k] = DBL_MIN;
  }
  return 0;
}

static int cv_quad(sunrealtype t, N_Vector y, N_Vector qd, void *ud)
{
  ims_sim_t *s = ud;
  double *d = NV_DATA_S(qd);
  memcpy(d, NV_DATA_S(y), (size_t)s->n * sizeof *d);
  if (s->m->noutputs)
    s->m->output(t, NV_DATA_S(y), d + s->n, &s->ctx);
  return 0;
}

static void dir_output(ims_sim_t *s, double t, const double *y, const double *S, int j,
                       double *dout);

/* Sensitivity right-hand sides J*S_j + df/dp_k: J from the model's exact
 * Jacobian, df/dp_k by a central difference in p_k alone with the step
 * that balances truncation and rounding (eps^(1/3)), so the sensitivities
 * can follow tolerances far tighter than CVODES's internal quotients allow. */
static int cv_sens(int ns, sunrealtype t, N_Vector y, N_Vector ydot, N_Vector *yS, N_Vector *ySdot,
                   void *ud, N_Vector tmp1, N_Vector tmp2)
{
  (void)ydot;
  ims_sim_t *s = ud;
  int n = s->n;
  const double *yy = NV_DATA_S(y);
  double *fp = NV_DATA_S(tmp1), *fm = NV_DATA_S(tmp2);
  memset(s->jbuf, 0, (size_t)n * (size_t)n * sizeof *s->jbuf);
  int rc = s->m->jac(t, yy, s->jbuf, &s->ctx);
  for (int j = 0; !rc && j < ns; j++) {
    int k = s->plist[j];
    double pk = s->p[k], h = 6e-6 * s->pbar[j];
    const double *S = NV_DATA_S(yS[j]);
    double *d = NV_DATA_S(ySdot[j]);
    s->p[k] = pk + h;
    rc = s->m->rhs(t, yy, fp, &s->ctx);
    s->p[k] = pk - h;
    rc = rc ? rc : s->m->rhs(t, yy, fm, &s->ctx);
    s->p[k] = pk;
    for (int i = 0; i < n; i++) {
      double acc = (fp[i] - fm[i]) / (2 * h);
      for (int l = 0; l < n; l++)
        acc += s->jbuf[i * n + l] * S[l];
      d[i] = acc;
    }
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
      dir_output(s, t, NV_DATA_S(y), NV_DATA_S(yS[j]), j, d + s->n);
  }
  return 0;
}

static void free_sens(ims_sim_t *s)
{
  if (s->yS)
    N_VDestroyVectorArray(s->yS, s->ns);
  if (s->qS)
    N_VDestroyVectorArray(s->qS, s->ns);
  free(s->pbar);
  free(s->plist);
  free(s->sbuf);
  free(s->dbuf);
  s->dbuf = NULL;
  s->yS = s->qS = NULL;
  s->pbar = NULL;
  s->plist = NULL;
  s->sbuf = NULL;
  s->ns = 0;
}

static void cv_errh(int code, const char *module, const char *fn, char *msg, void *ud)
{
  (void)module;
  ims_sim_t *s = ud;
  if (code < 0) /* warnings are not failures; keep the last real message */
    snprintf(s->cvmsg, sizeof s->cvmsg, "%s: %s", fn, msg);
}

/* ---- allocation ------------------------------------------------------ */

void ims_opts_default(ims_opts_t *o)
{
  memset(o, 0, sizeof *o);
  o->method = IMS_BDF;
  o->rtol = 1e-6;
  o->atol = 1e-9;
  o->use_jac = 1;
}

int ims_sim_alloc(ims_sim_t **out, const ims_model_t *m, ims_err_t *err)
{
  *out = NULL;
  ims_sim_t *s = calloc(1, sizeof *s);
  if (!s)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->m = m;
  s->n = m->nstates;
  s->np = ims_model_nvalues(m);
  s->method = -1;
  size_t n = (size_t)s->n;
  s->p = calloc((size_t)s->np, sizeof *s->p);
  s->rate = calloc(n, sizeof *s->rate);
  s->ninf = calloc(n, sizeof *s->ninf);
  s->ndose = calloc(n, sizeof *s->ndose);
  s->out = calloc((size_t)m->noutputs + 1, sizeof *s->out);
  s->jbuf = calloc(n * n, sizeof *s->jbuf);
  s->ypre = calloc(n + 1, sizeof *s->ypre);
  s->outpre = calloc((size_t)m->noutputs + 1, sizeof *s->outpre);
  s->fbuf = calloc(3 * n + 2 * ((size_t)m->noutputs + 1), sizeof *s->fbuf);
  s->work = calloc(m->nwork + 1, sizeof *s->work);
  if (!s->p || !s->rate || !s->ninf || !s->ndose || !s->out || !s->jbuf || !s->ypre || !s->outpre ||
      !s->fbuf || !s->work || SUNContext_Create(NULL, &s->sun) != 0) {
    ims_sim_free(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  s->y = N_VNew_Serial(s->n, s->sun);
  if (s->y) /* fused vector operations: fewer calls per step, ~3 % on small models */
    N_VEnableFusedOps_Serial(s->y, SUNTRUE);
  s->abstol = N_VNew_Serial(s->n, s->sun);
  s->A = SUNDenseMatrix(s->n, s->n, s->sun);
  if (!s->y || !s->abstol || !s->A) {
    ims_sim_free(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  s->LS = SUNLinSol_Dense(s->y, s->A, s->sun);
  s->ctx.p = s->p;
  s->ctx.ndose = s->ndose;
  s->ctx.model = m;
  s->ctx.work = s->work;
  *out = s;
  return IMS_OK;
}

void ims_sim_free(ims_sim_t *s)
{
  if (!s)
    return;
  if (s->cv)
    CVodeFree(&s->cv);
  if (s->LS)
    SUNLinSolFree(s->LS);
  if (s->A)
    SUNMatDestroy(s->A);
  if (s->y)
    N_VDestroy(s->y);
  if (s->abstol)
    N_VDestroy(s->abstol);
  if (s->q)
    N_VDestroy(s->q);
  if (s->sun)
    SUNContext_Free(&s->sun);
  free(s->p);
  free(s->rate);
  free(s->ninf);
  free(s->ndose);
  free(s->out);
  free(s->jbuf);
  free(s->ypre);
  free(s->outpre);
  free(s->fbuf);
  free(s->work);
  free(s->gpre);
  free(s->gpost);
  free(s->rootsfound);
  free(s->fired);
  free(s->last_fire);
  free(s->pend);
  free_sens(s);
  free(s);
}

const ims_stats_t *ims_sim_stats(const ims_sim_t *s)
{
  return &s->st;
}
double *ims_sim_params(ims_sim_t *s)
{
  return s->p;
}

/* ---- solver set-up --------------------------------------------------- */

static int cvcheck(ims_sim_t *s, int flag, const char *what, ims_err_t *err)
{
  if (flag >= 0)
    return IMS_OK;
  return ims_err_set(err, IMS_EINTERNAL, "model %s: %s failed (%d): %s", s->m->name, what, flag,
                     s->cvmsg);
}

/* CVODE memory is created once per method and re-initialised for every run
 * and segment. */
static int create_cvode(ims_sim_t *s, int method, double t0, ims_err_t *err)
{
  if (s->cv)
    CVodeFree(&s->cv);
  s->cv = CVodeCreate(method == IMS_ADAMS ? CV_ADAMS : CV_BDF, s->sun);
  if (!s->cv)
    return ims_err_set(err, IMS_ENOMEM, "cannot create CVODE memory");
  s->method = method;
  int rc = cvcheck(s, CVodeInit(s->cv, cv_rhs, t0, s->y), "CVodeInit", err);
  rc = rc ? rc : cvcheck(s, CVodeSetUserData(s->cv, s), "CVodeSetUserData", err);
  rc = rc ? rc : cvcheck(s, CVodeSetErrHandlerFn(s->cv, cv_errh, s), "CVodeSetErrHandlerFn", err);
  rc = rc ? rc : cvcheck(s, CVodeSetLinearSolver(s->cv, s->LS, s->A), "CVodeSetLinearSolver", err);
  s->nroots = 0;
  s->ns_cv = s->qs_cv = 0;
  if (s->q) {
    N_VDestroy(s->q);
    s->q = NULL;
  }
  s->nq = 0;
  return rc;
}

static int setup_quad(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  if (!o->quad) {
    if (s->nq)
      CVodeSetQuadErrCon(s->cv, SUNFALSE);
    return IMS_OK;
  }
  int nq = s->n + s->m->noutputs;
  int rc = IMS_OK;
  if (!s->q) {
    s->q = N_VNew_Serial(nq, s->sun);
    if (!s->q)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    N_VConst(0.0, s->q);
    rc = cvcheck(s, CVodeQuadInit(s->cv, cv_quad, s->q), "CVodeQuadInit", err);
  } else {
    N_VConst(0.0, s->q);
    rc = cvcheck(s, CVodeQuadReInit(s->cv, s->q), "CVodeQuadReInit", err);
  }
  s->nq = nq;
  rc = rc ? rc : cvcheck(s, CVodeQuadSStolerances(s->cv, o->rtol, o->atol), "quad tolerances", err);
  rc = rc ? rc : cvcheck(s, CVodeSetQuadErrCon(s->cv, SUNTRUE), "CVodeSetQuadErrCon", err);
  return rc;
}

/* y(t0) as a function of the parameters: the <STATE>_0 values, then the
 * model's own initial-condition hook. */
static void initial_state(const ims_sim_t *s, const double *p, double *y)
{
  memcpy(y, p + s->m->nparams, (size_t)s->n * sizeof *y);
  if (s->m->init)
    s->m->init(p, y);
  if (s->m->init_ctx) { /* initial values given as expressions (SBML initial assignments) */
    ims_ctx_t c = s->ctx;
    c.p = p;
    s->m->init_ctx(y, &c);
  }
}

static int alloc_sens(ims_sim_t *s, int ns, ims_err_t *err)
{
  if (ns == s->ns)
    return IMS_OK;
  free_sens(s);
  size_t n = (size_t)s->n, no = (size_t)s->m->noutputs;
  s->yS = N_VCloneVectorArray(ns, s->y);
  s->pbar = malloc((size_t)ns * sizeof *s->pbar);
  s->plist = malloc((size_t)ns * sizeof *s->plist);
  s->sbuf = malloc((size_t)ns * (2 * n + 2 * no) * sizeof *s->sbuf + 1);
  s->dbuf = malloc((3 * n + 2 * (no + 1)) * sizeof *s->dbuf);
  s->ns = ns;
  if (!s->yS || !s->pbar || !s->plist || !s->sbuf || !s->dbuf) {
    free_sens(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  return IMS_OK;
}

/* S_j(t0) = d y(t0) / d p_k: a unit vector for a <STATE>_0 value, central
 * differences through the model's init hook otherwise (the hook is a
 * closed-form expression, so this is accurate to ~1e-10). */
static void initial_sens(ims_sim_t *s)
{
  int n = s->n;
  double *yp = s->dbuf, *ym = s->dbuf + n;
  for (int j = 0; j < s->ns; j++) {
    int k = s->plist[j];
    double *S = NV_DATA_S(s->yS[j]), pk = s->p[k];
    double h = 1e-5 * (pk != 0 ? fabs(pk) : 1.0);
    s->p[k] = pk + h;
    initial_state(s, s->p, yp);
    s->p[k] = pk - h;
    initial_state(s, s->p, ym);
    s->p[k] = pk;
    for (int i = 0; i < n; i++)
      S[i] = (yp[i] - ym[i]) / (2 * h);
    if (!s->m->init && k >= s->m->nparams) /* exact without a hook */
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
    rc = cvcheck(s, CVodeQuadSensInit(s->cv, cv_quad_sens, s->qS), "CVodeQuadSensInit", err);
  else
    rc = cvcheck(s, CVodeQuadSensReInit(s->cv, s->qS), "CVodeQuadSensReInit", err);
  s->qs_cv = 1;
  rc = rc ? rc : cvcheck(s, CVodeQuadSensEEtolerances(s->cv), "quad sens tolerances", err);
  rc = rc ? rc : cvcheck(s, CVodeSetQuadSensErrCon(s->cv, SUNTRUE), "CVodeSetQuadSensErrCon", err);
  return rc;
}

static int setup_sens(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  s->sens_on = o->nsens > 0;
  if (!s->sens_on)
    return s->ns_cv ? cvcheck(s, CVodeSensToggleOff(s->cv), "CVodeSensToggleOff", err) : IMS_OK;
  for (int j = 0; j < o->nsens; j++)
    if (o->sens[j] < 0 || o->sens[j] >= s->np)
      return ims_err_set(err, IMS_EINPUT, "sensitivity %d: no such parameter", j);
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
  }
  initial_sens(s);
  /* The sensitivity RHS is fixed at CVodeSensInit.  It uses the model's
   * Jacobian whenever there is one (also under --no-jac, which concerns the
   * Newton iteration only): CVODES's own quotients cannot follow tight
   * tolerances (TOO_MUCH_WORK at rtol 1e-10 in tests/test_sens.c). */
  int exact = s->m->jac != NULL;
  if (!s->ns_cv)
    rc = cvcheck(s, CVodeSensInit(s->cv, s->ns, CV_STAGGERED, exact ? cv_sens : NULL, s->yS),
                 "CVodeSensInit", err);
  else
    rc = cvcheck(s, CVodeSensReInit(s->cv, CV_STAGGERED, s->yS), "CVodeSensReInit", err);
  s->ns_cv = s->ns;
  rc = rc ? rc
          : cvcheck(s, CVodeSetSensParams(s->cv, s->p, s->pbar, s->plist), "CVodeSetSensParams",
                    err);
  rc = rc ? rc : cvcheck(s, CVodeSensEEtolerances(s->cv), "CVodeSensEEtolerances", err);
  rc = rc ? rc : cvcheck(s, CVodeSetSensErrCon(s->cv, SUNTRUE), "CVodeSetSensErrCon", err);
  if (!rc && s->nq && o->quad)
    rc = setup_sens_quad(s, err);
  return rc;
}

static int setup_roots(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  for (int k = 0; k < o->ntriggers; k++) {
    int v = o->triggers[k].var;
    if (v < 0 || v >= 2 * (s->n + s->m->noutputs))
      return ims_err_set(err, IMS_EINPUT, "trigger %d: no such variable", k);
  }
  if (o->ntriggers != s->nroots || o->ntriggers > 0) {
    free(s->rootsfound);
    free(s->fired);
    free(s->last_fire);
    free(s->gpre);
    free(s->gpost);
    size_t nt = (size_t)o->ntriggers + 1;
    s->rootsfound = calloc(nt, sizeof *s->rootsfound);
    s->fired = calloc(nt, sizeof *s->fired);
    s->last_fire = calloc(nt, sizeof *s->last_fire);
    s->gpre = calloc(nt, sizeof *s->gpre);
    s->gpost = calloc(nt, sizeof *s->gpost);
    if (!s->rootsfound || !s->fired || !s->last_fire || !s->gpre || !s->gpost)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    s->nroots = o->ntriggers;
    int rc = cvcheck(s, CVodeRootInit(s->cv, s->nroots, s->nroots ? cv_root : NULL),
                     "CVodeRootInit", err);
    if (rc || !s->nroots)
      return rc;
    int *dir = s->rootsfound; /* borrowed for the call */
    for (int k = 0; k < s->nroots; k++)
      dir[k] = o->triggers[k].dir;
    rc = cvcheck(s, CVodeSetRootDirection(s->cv, dir), "CVodeSetRootDirection", err);
    memset(dir, 0, (size_t)s->nroots * sizeof *dir);
    return rc;
  }
  return IMS_OK;
}

static int setup_solver(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  int rc = IMS_OK;
  if (!s->cv || s->method != o->method)
    rc = create_cvode(s, o->method, o->t0, err);
  else
    rc = cvcheck(s, CVodeReInit(s->cv, o->t0, s->y), "CVodeReInit", err);
  if (rc)
    return rc;
  if (o->atol_vec) {
    for (int i = 0; i < s->n; i++)
      NV_Ith_S(s->abstol, i) = o->atol_vec[i];
    rc = cvcheck(s, CVodeSVtolerances(s->cv, o->rtol, s->abstol), "CVodeSVtolerances", err);
  } else {
    rc = cvcheck(s, CVodeSStolerances(s->cv, o->rtol, o->atol), "CVodeSStolerances", err);
  }
  int use_jac = o->use_jac && s->m->jac;
  rc = rc ? rc : cvcheck(s, CVodeSetJacFn(s->cv, use_jac ? cv_jac : NULL), "CVodeSetJacFn", err);
  rc = rc ? rc
          : cvcheck(s, CVodeSetMaxNumSteps(s->cv, o->max_steps > 0 ? o->max_steps : 50000),
                    "CVodeSetMaxNumSteps", err);
  rc = rc ? rc : cvcheck(s, CVodeSetInitStep(s->cv, o->init_step), "CVodeSetInitStep", err);
  rc = rc ? rc : cvcheck(s, CVodeSetMaxStep(s->cv, o->max_step), "CVodeSetMaxStep", err);
  rc = rc ? rc : setup_quad(s, o, err);
  rc = rc ? rc : setup_sens(s, o, err);
  rc = rc ? rc : setup_roots(s, o, err);
  return rc;
}

/* ---- running --------------------------------------------------------- */

/* CVODE's counters restart at every CVodeReInit: bank them first. */
static void bank_stats(ims_sim_t *s)
{
  long v;
  if (CVodeGetNumSteps(s->cv, &v) == CV_SUCCESS)
    s->st.steps += v;
  if (CVodeGetNumRhsEvals(s->cv, &v) == CV_SUCCESS)
    s->st.rhs_evals += v;
  if (CVodeGetNumJacEvals(s->cv, &v) == CV_SUCCESS)
    s->st.jac_evals += v;
  if (CVodeGetNumLinRhsEvals(s->cv, &v) == CV_SUCCESS)
    s->st.rhs_evals += v;
  if (CVodeGetNumErrTestFails(s->cv, &v) == CV_SUCCESS)
    s->st.err_test_fails += v;
  if (CVodeGetNumNonlinSolvConvFails(s->cv, &v) == CV_SUCCESS)
    s->st.nonlin_conv_fails += v;
}

static int reinit(ims_sim_t *s, double t, ims_err_t *err)
{
  bank_stats(s);
  s->st.restarts++;
  int rc = cvcheck(s, CVodeReInit(s->cv, t, s->y), "CVodeReInit", err);
  if (!rc && s->nq)
    rc = cvcheck(s, CVodeQuadReInit(s->cv, s->q), "CVodeQuadReInit", err);
  if (!rc && s->sens_on)
    rc = cvcheck(s, CVodeSensReInit(s->cv, CV_STAGGERED, s->yS), "CVodeSensReInit", err);
  if (!rc && s->sens_on && s->nq)
    rc = cvcheck(s, CVodeQuadSensReInit(s->cv, s->qS), "CVodeQuadSensReInit", err);
  return rc;
}

static const char *state_name(const ims_sim_t *s, int i)
{
  return s->m->states[i].name;
}

static int solver_failure(ims_sim_t *s, int flag, double t, ims_err_t *err)
{
  double *y = NV_DATA_S(s->y);
  int worst = -1;
  for (int i = 0; i < s->n && worst < 0; i++)
    if (!isfinite(y[i]))
      worst = i;
  if (worst < 0) {
    N_Vector w = N_VClone(s->y), e = N_VClone(s->y);
    double big = -1;
    if (w && e && CVodeGetErrWeights(s->cv, w) == CV_SUCCESS &&
        CVodeGetEstLocalErrors(s->cv, e) == CV_SUCCESS)
      for (int i = 0; i < s->n; i++) {
        double r = fabs(NV_Ith_S(e, i) * NV_Ith_S(w, i));
        if (r > big) {
          big = r;
          worst = i;
        }
      }
    if (w)
      N_VDestroy(w);
    if (e)
      N_VDestroy(e);
  }
  double tc = t;
  CVodeGetCurrentTime(s->cv, &tc);
  char *name = CVodeGetReturnFlagName(flag);
  ims_err_set(err, IMS_ESOLVER,
              "model %s: solver failed at t = %.9g %s (%s: %s); worst state %s = %g; try a "
              "smaller --atol for it, a tighter --rtol, or check the parameters",
              s->m->name, tc, s->m->time_unit ? s->m->time_unit : "", name ? name : "?",
              s->cvmsg[0] ? s->cvmsg : "no detail", worst >= 0 ? state_name(s, worst) : "?",
              worst >= 0 ? y[worst] : NAN);
  free(name);
  return IMS_ESOLVER;
}

/* Integrate towards tout without passing tstop.  Returns CV_SUCCESS,
 * CV_TSTOP_RETURN, CV_ROOT_RETURN, or an ims error. */
static int advance(ims_sim_t *s, double tout, double tstop, double *tret, ims_err_t *err)
{
  int rc = cvcheck(s, CVodeSetStopTime(s->cv, tstop), "CVodeSetStopTime", err);
  if (rc)
    return rc;
  s->cvmsg[0] = '\0';
  int flag = CVode(s->cv, tout, s->y, tret, CV_NORMAL);
  if (flag < 0)
    return solver_failure(s, flag, *tret, err);
  double tq;
  if (s->nq)
    CVodeGetQuad(s->cv, &tq, s->q);
  if (s->sens_on)
    CVodeGetSens(s->cv, &tq, s->yS);
  if (s->sens_on && s->nq)
    CVodeGetQuadSens(s->cv, &tq, s->qS);
  return flag;
}

/* d out / d p_k along the state sensitivity S: the output function is a
 * closed-form expression, so a central difference in the direction
 * (S, e_k) is accurate to ~1e-10 relative. */
static void dir_output(ims_sim_t *s, double t, const double *y, const double *S, int j,
                       double *dout)
{
  int n = s->n, no = s->m->noutputs, k = s->plist[j];
  double *yy = s->dbuf + 2 * n, *op = yy + n, *om = op + no + 1;
  double pk = s->p[k], h = 1e-6 * s->pbar[j];
  for (int sg = 0; sg < 2; sg++) {
    double e = sg ? -h : h;
    for (int i = 0; i < n; i++)
      yy[i] = y[i] + e * S[i];
    s->p[k] = pk + e;
    s->m->output(t, yy, sg ? om : op, &s->ctx);
  }
  s->p[k] = pk;
  for (int c = 0; c < no; c++)
    dout[c] = (op[c] - om[c]) / (2 * h);
}

static int emit_sens(ims_sim_t *s, double t, const ims_observer_t *obs)
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
    dir_output(s, t, NV_DATA_S(s->y), NV_DATA_S(s->yS[j]), j, dout + (size_t)j * (size_t)no);
  return obs->sens(obs->ud, t, dy, dout, s->nq ? dq : NULL);
}

static int emit(ims_sim_t *s, double t, const ims_observer_t *obs)
{
  const double *y = NV_DATA_S(s->y);
  if (s->m->noutputs)
    s->m->output(t, y, s->out, &s->ctx);
  if (!obs || !obs->row)
    return 0;
  int rc = obs->row(obs->ud, t, y, s->out, s->nq ? NV_DATA_S(s->q) : NULL);
  if (!rc && s->sens_on && obs->sens)
    rc = emit_sens(s, t, obs);
  return rc;
}

static int push_pending(ims_sim_t *s, const pending_t *p, ims_err_t *err)
{
  if (s->npend == s->pendcap) {
    int cap = s->pendcap ? 2 * s->pendcap : 16;
    pending_t *np = realloc(s->pend, (size_t)cap * sizeof *np);
    if (!np)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    s->pend = np;
    s->pendcap = cap;
  }
  s->pend[s->npend++] = *p;
  return IMS_OK;
}

static void infusion_edge(ims_sim_t *s, int cmt, double rate, int on)
{
  s->ninf[cmt] += on ? 1 : -1;
  /* Sum exactly back to zero when the last infusion into a state ends. */
  s->rate[cmt] = s->ninf[cmt] > 0 ? s->rate[cmt] + (on ? rate : -rate) : 0.0;
  if (on)
    s->ndose[cmt]++;
}

/* Apply one action now.  Returns IMS_ESTOP for a stop. */
static int apply_action(ims_sim_t *s, const pending_t *a, double t, ims_err_t *err)
{
  double *y = NV_DATA_S(s->y);
  switch (a->act) {
  case IMS_ACT_ZERO: /* zero is then held, so its sensitivity is zero too */
    y[a->target] = 0.0;
    for (int j = 0; s->sens_on && j < s->ns; j++)
      NV_Ith_S(s->yS[j], a->target) = 0.0;
    return IMS_OK;
  case IMS_ACT_BOLUS:
    y[a->target] += a->value;
    s->ndose[a->target]++;
    return IMS_OK;
  case IMS_ACT_INFUSE: {
    if (!(a->rate > 0) || !(a->value > 0))
      return IMS_OK;
    infusion_edge(s, a->target, a->rate, 1);
    pending_t off = {t + a->value / a->rate, -1, a->target, 0, a->rate, a->trigger};
    return push_pending(s, &off, err);
  }
  case -1: /* end of a triggered infusion */
    infusion_edge(s, a->target, a->rate, 0);
    return IMS_OK;
  case IMS_ACT_SETPAR:
    s->p[a->target] = a->value;
    return IMS_OK;
  case IMS_ACT_SCALEPAR:
    s->p[a->target] *= a->value;
    return IMS_OK;
  case IMS_ACT_STOP:
    return IMS_ESTOP;
  default:
    return IMS_OK;
  }
}

static int apply_static(ims_sim_t *s, const ims_event_t *e)
{
  double *y = NV_DATA_S(s->y);
  if (e->kind == IMS_EV_BOLUS) {
    y[e->cmt] += e->value;
    s->ndose[e->cmt]++;
  } else {
    infusion_edge(s, e->cmt, e->value, e->kind == IMS_EV_INF_ON);
  }
  return IMS_OK;
}

/* ---- steady state (ss=1) --------------------------------------------- */

static double ss_change(const ims_sim_t *s, const double *prev, const ims_opts_t *o)
{
  const double *y = NV_DATA_S(s->y);
  double tol = o->ss_tol > 0 ? o->ss_tol : 1e-8, worst = 0;
  for (int i = 0; i < s->n; i++) {
    double a = o->atol_vec ? o->atol_vec[i] : o->atol;
    double sc = tol * fmax(fabs(y[i]), fabs(prev[i])) + a;
    double r = fabs(y[i] - prev[i]) / sc;
    worst = r > worst ? r : worst;
  }
  return worst;
}

/* One dosing interval [t, t+ii] with only this record's dose. */
static int ss_interval(ims_sim_t *s, const ims_record_t *r, double t, ims_err_t *err)
{
  double amt = r->f * r->amt, tret;
  double dur = r->rate > 0 ? amt / r->rate : r->dur;
  int rc;
  if (dur > 0 && amt > 0) {
    s->rate[r->cmt] = amt / dur;
    rc = reinit(s, t, err);
    rc = rc ? rc : advance(s, t + dur, t + dur, &tret, err);
    if (rc < 0)
      return rc;
    s->rate[r->cmt] = 0.0;
    rc = reinit(s, t + dur, err);
  } else {
    NV_DATA_S(s->y)[r->cmt] += amt;
    rc = reinit(s, t, err);
  }
  if (!rc && dur < r->ii)
    rc = advance(s, t + r->ii, t + r->ii, &tret, err);
  return rc < 0 ? rc : IMS_OK;
}

/* Replace the state at t by the pre-dose trough of this record given every
 * ii for ever: dose repeatedly until the trough stops changing.  Other
 * infusions, triggers and quadratures are paused meanwhile. */
static int steady_state(ims_sim_t *s, const ims_record_t *r, double t, ims_err_t *err)
{
  const ims_opts_t *o = s->opts;
  size_t n = (size_t)s->n, nq = (size_t)s->nq;
  double *save = malloc((2 * n + nq + 1) * sizeof *save);
  if (!save)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  double *rate = save, *prev = save + n, *q = save + 2 * n;
  memcpy(rate, s->rate, n * sizeof *rate);
  if (nq)
    memcpy(q, NV_DATA_S(s->q), nq * sizeof *q);
  memset(s->rate, 0, n * sizeof *s->rate);
  s->in_ss = 1;
  int max = o->ss_max > 0 ? o->ss_max : 10000, rc = IMS_OK, it, done = 0;
  for (it = 0; it < max && !rc && !done; it++) {
    memcpy(prev, NV_DATA_S(s->y), n * sizeof *prev);
    rc = ss_interval(s, r, t, err);
    done = !rc && it > 0 && ss_change(s, prev, o) <= 1.0;
  }
  s->st.ss_intervals += it;
  s->in_ss = 0;
  memcpy(s->rate, rate, n * sizeof *rate);
  if (nq)
    memcpy(NV_DATA_S(s->q), q, nq * sizeof *q);
  free(save);
  if (!rc && !done)
    rc = ims_err_set(err, IMS_ESOLVER,
                     "%s:%ld: ss=1 dose did not reach steady state in %d intervals (tolerance "
                     "%g); the model may have no periodic steady state for this dose",
                     s->opts ? "schedule" : "", r->line, max, o->ss_tol > 0 ? o->ss_tol : 1e-8);
  return rc ? rc : reinit(s, t, err);
}

/* ---- the segment loop ------------------------------------------------ */

typedef struct runstate {
  const ims_schedule_t *sched;
  ims_event_t *ev;
  long nev, ie;
  int ib;
  const ims_observer_t *obs;
} runstate_t;

static double next_time(const ims_sim_t *s, const runstate_t *r, double tend)
{
  double t = tend;
  if (r->ie < r->nev && r->ev[r->ie].time < t)
    t = r->ev[r->ie].time;
  if (r->ib < s->ntb && s->tb[r->ib] < t)
    t = s->tb[r->ib];
  for (int k = 0; k < s->npend; k++)
    if (s->pend[k].time < t)
      t = s->pend[k].time;
  return t;
}

/* Everything due at t, in the documented order: model breakpoints, then
 * schedule events (infusion ends, boluses, infusion starts), then triggered
 * actions.  *changed says whether the solver must restart. */
static int emit_event(runstate_t *r, const ims_logged_t *lg)
{
  return r->obs && r->obs->event ? r->obs->event(r->obs->ud, lg) : 0;
}

static int apply_due(ims_sim_t *s, runstate_t *r, double t, int *changed, ims_err_t *err)
{
  int rc = IMS_OK;
  while (r->ib < s->ntb && s->tb[r->ib] <= t) {
    s->ctx.phase++;
    r->ib++;
    *changed = 1;
  }
  while (!rc && r->ie < r->nev && r->ev[r->ie].time <= t) {
    const ims_event_t *e = &r->ev[r->ie++];
    if (e->ss)
      rc = steady_state(s, &r->sched->rec[e->rec], t, err);
    rc = rc ? rc : apply_static(s, e);
    *changed = 1;
  }
  for (int k = 0; !rc && k < s->npend;) {
    if (s->pend[k].time > t) {
      k++;
      continue;
    }
    pending_t a = s->pend[k];
    /* keep queue order: same-time actions run in the order they were queued */
    memmove(s->pend + k, s->pend + k + 1, (size_t)(--s->npend - k) * sizeof *s->pend);
    const ims_trigger_t *tr = a.trigger >= 0 ? &s->opts->triggers[a.trigger] : NULL;
    if (tr && a.act != -1 && tr->delay > 0) { /* log a delayed action as it runs */
      ims_logged_t lg = {t, a.trigger, tr->var, var_value(s, t, NV_DATA_S(s->y), tr->var), 1, 0};
      rc = emit_event(r, &lg);
    }
    rc = rc ? rc : apply_action(s, &a, t, err);
    *changed = 1;
  }
  return rc;
}

static int trigger_active(const ims_sim_t *s, int k, double t)
{
  const ims_trigger_t *tr = &s->opts->triggers[k];
  if (tr->max_count > 0 && s->fired[k] >= tr->max_count)
    return 0;
  if (t < tr->start)
    return 0;
  return s->fired[k] == 0 || t - s->last_fire[k] >= tr->refractory;
}

/* Trigger k crossed at t in direction dir: log it and queue its action (at
 * once or after its delay). */
static int fire(ims_sim_t *s, runstate_t *r, int k, double t, int dir, ims_err_t *err)
{
  if (!trigger_active(s, k, t))
    return IMS_OK;
  const ims_trigger_t *tr = &s->opts->triggers[k];
  s->fired[k]++;
  s->last_fire[k] = t;
  ims_logged_t lg = {t, k, tr->var, var_value(s, t, NV_DATA_S(s->y), tr->var), tr->delay <= 0, dir};
  int rc = emit_event(r, &lg);
  if (rc || tr->act == IMS_ACT_NONE)
    return rc;
  pending_t a = {t + (tr->delay > 0 ? tr->delay : 0), tr->act, tr->target, tr->value, tr->rate, k};
  return push_pending(s, &a, err);
}

/* A crossing located by CVODE. */
static int on_roots(ims_sim_t *s, runstate_t *r, double t, ims_err_t *err)
{
  s->st.roots++;
  CVodeGetRootInfo(s->cv, s->rootsfound);
  int rc = IMS_OK;
  for (int k = 0; !rc && k < s->nroots; k++)
    if (s->rootsfound[k])
      rc = fire(s, r, k, t, s->rootsfound[k] > 0 ? 1 : -1, err);
  return rc;
}

/* g = value - threshold of every value trigger (derivative triggers: 0). */
static void trigger_values(ims_sim_t *s, double t, const double *y, double *g)
{
  int nc = s->n + s->m->noutputs;
  for (int k = 0; k < s->nroots; k++) {
    const ims_trigger_t *tr = &s->opts->triggers[k];
    g[k] = tr->var < nc ? var_value(s, t, y, tr->var) - tr->threshold : 0.0;
  }
}

static int sample(ims_sim_t *s, const ims_observer_t *obs, double t, int kind, const double *y,
                  const double *out)
{
  if (!obs || !obs->sample)
    return 0;
  return obs->sample(obs->ud, t, kind, y, out, s->nq ? NV_DATA_S(s->q) : NULL);
}

/* Apply everything due at t.  A jump that carries a trigger's variable
 * across its threshold (in the trigger's direction) fires the trigger at t:
 * CVODE cannot see such a crossing, since it only watches the smooth
 * solution between restarts.  Observers get both sides of the jump. */
static int settle(ims_sim_t *s, runstate_t *r, double t, int *changed, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  double *y = NV_DATA_S(s->y);
  memcpy(s->ypre, y, (size_t)s->n * sizeof *y);
  if (m->noutputs)
    m->output(t, y, s->outpre, &s->ctx);
  trigger_values(s, t, y, s->gpre);
  int rc = apply_due(s, r, t, changed, err);
  if (rc && rc != IMS_ESTOP)
    return rc;
  if (!*changed && !rc)
    return IMS_OK;
  int orc = sample(s, r->obs, t, IMS_SAMPLE_BEFORE, s->ypre, s->outpre);
  if (orc || rc)
    return orc ? orc : rc;
  int nc = s->n + m->noutputs;
  for (int round = 0;; round++) {
    if (m->noutputs)
      m->output(t, y, s->out, &s->ctx);
    if ((rc = sample(s, r->obs, t, IMS_SAMPLE_AFTER, y, s->out)) != 0)
      return rc;
    trigger_values(s, t, y, s->gpost);
    for (int k = 0; !rc && k < s->nroots; k++) {
      const ims_trigger_t *tr = &s->opts->triggers[k];
      double a = s->gpre[k], b = s->gpost[k];
      int up = a < 0 && b >= 0, down = a > 0 && b <= 0;
      if (tr->var < nc && ((up && tr->dir >= 0) || (down && tr->dir <= 0)))
        rc = fire(s, r, k, t, up ? 1 : -1, err);
    }
    if (rc)
      return rc;
    if (s->nroots)
      memcpy(s->gpre, s->gpost, (size_t)s->nroots * sizeof *s->gpre);
    int again = 0;
    if ((rc = apply_due(s, r, t, &again, err)) != 0 || !again)
      return rc;
    if (round >= 1000)
      return ims_err_set(err, IMS_EINPUT,
                         "model %s: triggered actions keep firing at t = %g; give the rules a "
                         "refractory time or a max_count",
                         m->name, t);
  }
}

/* Rows at output times equal to t, then extra samples at t. */
static int emit_at(ims_sim_t *s, runstate_t *r, double t, const double *tout, size_t ntout,
                   size_t *io, size_t *ix)
{
  const ims_opts_t *o = s->opts;
  int rc = 0;
  for (; !rc && *io < ntout && tout[*io] == t; ++*io)
    rc = emit(s, t, r->obs);
  while (*ix < o->nsamples && o->samples[*ix] < t)
    ++*ix;
  if (!rc && *ix < o->nsamples && o->samples[*ix] == t) {
    if (s->m->noutputs)
      s->m->output(t, NV_DATA_S(s->y), s->out, &s->ctx);
    rc = sample(s, r->obs, t, IMS_SAMPLE_AT, NV_DATA_S(s->y), s->out);
    while (*ix < o->nsamples && o->samples[*ix] == t)
      ++*ix;
  }
  return rc;
}

static int check_times(const ims_sim_t *s, const ims_opts_t *o, const double *tout, size_t n,
                       ims_err_t *err)
{
  if (n == 0)
    return ims_err_set(err, IMS_EINPUT, "no output times");
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(tout[i]))
      return ims_err_set(err, IMS_EINPUT, "output time %zu is not finite", i + 1);
    if (tout[i] < o->t0)
      return ims_err_set(err, IMS_EINPUT, "output time %g is before the start time %g", tout[i],
                         o->t0);
    if (i && tout[i] <= tout[i - 1])
      return ims_err_set(err, IMS_EINPUT, "output times must increase (%g after %g)", tout[i],
                         tout[i - 1]);
  }
  for (size_t i = 0; i < o->nsamples; i++)
    if (!isfinite(o->samples[i]) || (i && o->samples[i] < o->samples[i - 1]))
      return ims_err_set(err, IMS_EINPUT, "sample times must be finite and non-decreasing");
  (void)s;
  return IMS_OK;
}

static int prepare(ims_sim_t *s, const double *p, const ims_opts_t *o, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  memcpy(s->p, p, (size_t)s->np * sizeof *s->p);
  memset(s->rate, 0, (size_t)s->n * sizeof *s->rate);
  memset(s->ninf, 0, (size_t)s->n * sizeof *s->ninf);
  memset(s->ndose, 0, (size_t)s->n * sizeof *s->ndose);
  memset(&s->st, 0, sizeof s->st);
  s->ctx.phase = 0;
  s->npend = 0;
  s->opts = o;
  s->cvmsg[0] = '\0';
  double *y = NV_DATA_S(s->y);
  initial_state(s, s->p, y);
  s->ntb = m->breaks ? m->breaks(s->p, s->tb, MAX_BREAKS) : 0;
  int skip = 0; /* breakpoints at or before t0 are already passed */
  while (skip < s->ntb && s->tb[skip] <= o->t0)
    skip++;
  s->ctx.phase = skip;
  memmove(s->tb, s->tb + skip, (size_t)(s->ntb - skip) * sizeof *s->tb);
  s->ntb -= skip;
  for (int i = 0; i < s->n; i++)
    if (!isfinite(y[i]))
      return ims_err_set(err, IMS_EINPUT, "model %s: initial %s is not finite", m->name,
                         m->states[i].name);
  return setup_solver(s, o, err);
}

static int run_loop(ims_sim_t *s, runstate_t *r, const double *tout, size_t ntout, ims_err_t *err)
{
  const ims_opts_t *o = s->opts;
  double t = o->t0, tend = tout[ntout - 1], tret;
  size_t io = 0, ix = 0;
  for (;;) {
    int changed = 0, rc = settle(s, r, t, &changed, err);
    if (rc)
      return rc;
    if (changed && (rc = reinit(s, t, err)) != 0)
      return rc;
    if ((rc = emit_at(s, r, t, tout, ntout, &io, &ix)) != 0)
      return rc;
    if (io >= ntout)
      return IMS_OK;
    double td = next_time(s, r, tend);
    int flag = CV_SUCCESS;
    for (;;) {
      double tn = tout[io];
      if (ix < o->nsamples && o->samples[ix] < tn)
        tn = o->samples[ix];
      if (!(tn < td))
        break;
      flag = advance(s, tn, td, &tret, err);
      if (flag < 0)
        return flag;
      if (flag == CV_ROOT_RETURN)
        break;
      if ((rc = emit_at(s, r, tn, tout, ntout, &io, &ix)) != 0)
        return rc;
    }
    if (flag != CV_ROOT_RETURN)
      flag = advance(s, td, td, &tret, err);
    if (flag < 0)
      return flag;
    if (flag == CV_ROOT_RETURN) {
      int npend = s->npend;
      if ((rc = on_roots(s, r, tret, err)) != 0)
        return rc;
      /* CVODE's internal time is past the root; a delayed action may fall
       * before it, and CVODE cannot stop behind itself: restart here. */
      if (s->npend > npend && (rc = reinit(s, tret, err)) != 0)
        return rc;
      t = tret;
    } else {
      t = td;
    }
  }
}

int ims_sim_run(ims_sim_t *s, const double *p, const ims_schedule_t *sched, const ims_opts_t *opts,
                const double *tout, size_t ntout, const ims_observer_t *obs, ims_err_t *err)
{
  int rc = check_times(s, opts, tout, ntout, err);
  runstate_t r = {.sched = sched, .obs = obs};
  if (!rc && sched && sched->nrec)
    rc = ims_schedule_expand(sched, &r.ev, &r.nev, err);
  for (long i = 0; !rc && i < r.nev; i++)
    if (r.ev[i].time < opts->t0)
      rc = ims_err_set(err, IMS_EINPUT, "%s:%ld: dose at %g is before the start time %g",
                       sched->path ? sched->path : "schedule", sched->rec[r.ev[i].rec].line,
                       r.ev[i].time, opts->t0);
  rc = rc ? rc : prepare(s, p, opts, err);
  rc = rc ? rc : run_loop(s, &r, tout, ntout, err);
  if (s->cv)
    bank_stats(s);
  free(r.ev);
  return rc;
}

int ims_grid_uniform(double t0, double tend, double dt, double **out, size_t *n, ims_err_t *err)
{
  *out = NULL;
  *n = 0;
  if (!isfinite(t0) || !isfinite(tend) || !isfinite(dt) || dt <= 0 || tend < t0)
    return ims_err_set(err, IMS_EINPUT, "bad output grid: start %g, end %g, step %g", t0, tend, dt);
  double steps = (tend - t0) / dt;
  if (steps > 1e8)
    return ims_err_set(err, IMS_EINPUT, "output grid of %.0f rows is too large; use a larger --dt",
                       steps);
  /* A grid point within a rounding error of tend is tend itself. */
  size_t k = (size_t)floor(steps + 1e-9);
  size_t cnt = k + 1;
  int add_end = fabs(t0 + (double)k * dt - tend) > 1e-9 * dt;
  double *g = malloc((cnt + (size_t)add_end) * sizeof *g);
  if (!g)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (size_t i = 0; i < cnt; i++)
    g[i] = t0 + (double)i * dt;
  if (add_end)
    g[cnt++] = tend;
  else
    g[cnt - 1] = tend;
  *out = g;
  *n = cnt;
  return IMS_OK;
}
