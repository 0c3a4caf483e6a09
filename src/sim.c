#include "immunosim/sim.h"

#include <cvodes/cvodes.h>
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
  if (var < s->n)
    return y[var];
  s->m->output(t, y, s->out, &s->ctx);
  return s->out[var - s->n];
}

static int cv_root(sunrealtype t, N_Vector y, sunrealtype *g, void *ud)
{
  ims_sim_t *s = ud;
  const ims_opts_t *o = s->opts;
  for (int k = 0; k < s->nroots; k++)
    g[k] = s->in_ss ? 1.0 : var_value(s, t, NV_DATA_S(y), o->triggers[k].var) - o->triggers[k].threshold;
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
  if (!s->p || !s->rate || !s->ninf || !s->ndose || !s->out || !s->jbuf ||
      SUNContext_Create(NULL, &s->sun) != 0) {
    ims_sim_free(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  s->y = N_VNew_Serial(s->n, s->sun);
  s->abstol = N_VNew_Serial(s->n, s->sun);
  s->A = SUNDenseMatrix(s->n, s->n, s->sun);
  if (!s->y || !s->abstol || !s->A) {
    ims_sim_free(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  s->LS = SUNLinSol_Dense(s->y, s->A, s->sun);
  s->ctx.p = s->p;
  s->ctx.ndose = s->ndose;
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
  free(s->rootsfound);
  free(s->fired);
  free(s->last_fire);
  free(s->pend);
  free(s);
}

const ims_stats_t *ims_sim_stats(const ims_sim_t *s) { return &s->st; }
double *ims_sim_params(ims_sim_t *s) { return s->p; }

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

static int setup_roots(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  for (int k = 0; k < o->ntriggers; k++) {
    int v = o->triggers[k].var;
    if (v < 0 || v >= s->n + s->m->noutputs)
      return ims_err_set(err, IMS_EINPUT, "trigger %d: no such variable", k);
  }
  if (o->ntriggers != s->nroots || o->ntriggers > 0) {
    free(s->rootsfound);
    free(s->fired);
    free(s->last_fire);
    size_t nt = (size_t)o->ntriggers + 1;
    s->rootsfound = calloc(nt, sizeof *s->rootsfound);
    s->fired = calloc(nt, sizeof *s->fired);
    s->last_fire = calloc(nt, sizeof *s->last_fire);
    if (!s->rootsfound || !s->fired || !s->last_fire)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    s->nroots = o->ntriggers;
    int rc = cvcheck(s, CVodeRootInit(s->cv, s->nroots, s->nroots ? cv_root : NULL), "CVodeRootInit", err);
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
  rc = rc ? rc : cvcheck(s, CVodeSetMaxNumSteps(s->cv, o->max_steps > 0 ? o->max_steps : 50000), "CVodeSetMaxNumSteps", err);
  rc = rc ? rc : cvcheck(s, CVodeSetInitStep(s->cv, o->init_step), "CVodeSetInitStep", err);
  rc = rc ? rc : cvcheck(s, CVodeSetMaxStep(s->cv, o->max_step), "CVodeSetMaxStep", err);
  rc = rc ? rc : setup_quad(s, o, err);
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
  return rc;
}

static const char *state_name(const ims_sim_t *s, int i) { return s->m->states[i].name; }

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
  if (s->nq) {
    double tq;
    CVodeGetQuad(s->cv, &tq, s->q);
  }
  return flag;
}

static int emit(ims_sim_t *s, double t, const ims_observer_t *obs)
{
  const double *y = NV_DATA_S(s->y);
  if (s->m->noutputs)
    s->m->output(t, y, s->out, &s->ctx);
  if (!obs || !obs->row)
    return 0;
  return obs->row(obs->ud, t, y, s->out, s->nq ? NV_DATA_S(s->q) : NULL);
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
  case IMS_ACT_ZERO:
    y[a->target] = 0.0;
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
    rc = apply_action(s, &a, t, err);
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

/* A located crossing: log it and queue its action (at once or after its delay). */
static int on_roots(ims_sim_t *s, runstate_t *r, double t, ims_err_t *err)
{
  s->st.roots++;
  CVodeGetRootInfo(s->cv, s->rootsfound);
  for (int k = 0; k < s->nroots; k++) {
    if (!s->rootsfound[k] || !trigger_active(s, k, t))
      continue;
    const ims_trigger_t *tr = &s->opts->triggers[k];
    s->fired[k]++;
    s->last_fire[k] = t;
    ims_logged_t lg = {t, k, tr->var, var_value(s, t, NV_DATA_S(s->y), tr->var), tr->delay <= 0};
    if (r->obs && r->obs->event) {
      int rc = r->obs->event(r->obs->ud, &lg);
      if (rc)
        return rc;
    }
    if (tr->act == IMS_ACT_NONE)
      continue;
    pending_t a = {t + (tr->delay > 0 ? tr->delay : 0), tr->act, tr->target, tr->value, tr->rate, k};
    int rc = push_pending(s, &a, err);
    if (rc)
      return rc;
  }
  return IMS_OK;
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
  memcpy(y, p + m->nparams, (size_t)s->n * sizeof *y);
  if (m->init)
    m->init(s->p, y);
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

static int run_loop(ims_sim_t *s, runstate_t *r, const double *tout, size_t ntout,
                    ims_err_t *err)
{
  double t = s->opts->t0, tend = tout[ntout - 1], tret;
  size_t io = 0;
  for (;;) {
    int changed = 0, rc = apply_due(s, r, t, &changed, err);
    if (rc)
      return rc;
    if (changed && (rc = reinit(s, t, err)) != 0)
      return rc;
    for (; io < ntout && tout[io] == t; io++)
      if ((rc = emit(s, t, r->obs)) != 0)
        return rc;
    if (io >= ntout)
      return IMS_OK;
    double td = next_time(s, r, tend);
    int flag = CV_SUCCESS;
    while (io < ntout && tout[io] < td && flag != CV_ROOT_RETURN) {
      flag = advance(s, tout[io], td, &tret, err);
      if (flag < 0)
        return flag;
      if (flag != CV_ROOT_RETURN && (rc = emit(s, tout[io++], r->obs)) != 0)
        return rc;
    }
    if (flag != CV_ROOT_RETURN)
      flag = advance(s, td, td, &tret, err);
    if (flag < 0)
      return flag;
    if (flag == CV_ROOT_RETURN) {
      if ((rc = on_roots(s, r, tret, err)) != 0)
        return rc;
      t = tret;
    } else {
      t = td;
    }
  }
}

int ims_sim_run(ims_sim_t *s, const double *p, const ims_schedule_t *sched,
                const ims_opts_t *opts, const double *tout, size_t ntout,
                const ims_observer_t *obs, ims_err_t *err)
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
    return ims_err_set(err, IMS_EINPUT, "bad output grid: start %g, end %g, step %g", t0, tend,
                       dt);
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
