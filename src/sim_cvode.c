/* CVODE memory, callbacks, restarts and failure messages. */
#include "nvec.h"
#include "sim_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ims__rhs(ims_sim_t *s, double t, const double *y, double *f)
{
  if (s->m->rhs(t, y, f, &s->ctx) != 0) {
    for (int i = 0; i < s->n; i++)
      f[i] = NAN;
    return;
  }
  for (int i = 0; i < s->n; i++)
    f[i] += s->rate[i];
}

/* The integrated columns at (t, y), into d[0..nq). */
static void quad_values(ims_sim_t *s, double t, const double *yv, double *d)
{
  if (s->qcols) {
    int outs = 0;
    for (int k = 0; k < s->nq; k++) {
      int c = s->qcols[k];
      if (c >= s->n && !outs) {
        s->m->output(t, yv, s->qout, &s->ctx);
        outs = 1;
      }
      d[k] = c < s->n ? yv[c] : s->qout[c - s->n];
    }
    return;
  }
  memcpy(d, yv, (size_t)s->n * sizeof *d);
  if (s->m->noutputs)
    s->m->output(t, yv, d + s->n, &s->ctx);
}

static int cv_rhs(sunrealtype t, N_Vector y, N_Vector yd, void *ud)
{
  ims_sim_t *s = ud;
  double *d = NV_DATA_S(yd);
  int rc = s->m->rhs(t, NV_DATA_S(y), d, &s->ctx);
  if (rc)
    return rc;
  for (int i = 0; i < s->n; i++)
    d[i] += s->rate[i];
  if (s->aug) { /* the separator, and the carried integrals (see setup_quad) */
    d[s->n] = 0.0;
    quad_values(s, t, NV_DATA_S(y), d + s->n + 1);
  }
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
  if (s->aug)
    ims__aug_jac(s, t, yv);
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

static int cv_quad(sunrealtype t, N_Vector y, N_Vector qd, void *ud)
{
  quad_values(ud, t, NV_DATA_S(y), NV_DATA_S(qd));
  return 0;
}

static void cv_errh(int code, const char *module, const char *fn, char *msg, void *ud)
{
  (void)module;
  ims_sim_t *s = ud;
  if (code < 0) /* warnings are not failures; keep the last real message */
    snprintf(s->cvmsg, sizeof s->cvmsg, "%s: %s", fn, msg);
}

int ims__cv_check(ims_sim_t *s, int flag, const char *what, ims_err_t *err)
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
  int rc = ims__cv_check(s, CVodeInit(s->cv, cv_rhs, t0, s->y), "CVodeInit", err);
  rc = rc ? rc : ims__cv_check(s, CVodeSetUserData(s->cv, s), "CVodeSetUserData", err);
  rc = rc ? rc
          : ims__cv_check(s, CVodeSetErrHandlerFn(s->cv, cv_errh, s), "CVodeSetErrHandlerFn", err);
  rc = rc ? rc
          : ims__cv_check(s, CVodeSetLinearSolver(s->cv, s->aug ? s->LSa : s->LS, s->A),
                          "CVodeSetLinearSolver", err);
  s->nroots = 0;
  s->ns_cv = s->qs_cv = 0;
  if (s->q) {
    N_VDestroy(s->q);
    s->q = NULL;
  }
  s->nq = 0;
  s->q_cv = 0;
  return rc;
}

/* The columns' integrals (AUCs), always under error control: an integral
 * left out of it is wrong wherever a state is a polynomial in time (an
 * infusion into a compartment nothing leaves: the state's own error
 * estimate is 0, so the steps grow, and the BDF formula integrates its
 * integral with an error of order h^2).  As CVODES quadratures they cost,
 * every step, as many vector operations as the states' own (prediction,
 * correction, rescaling): a quarter of a small model's run, whatever the
 * number of columns.  With quad_carry they ride in the state vector instead
 * (s->aug, src/sim_aug.c), for the cost of longer vectors. */
static int quad_count(const ims_sim_t *s, const ims_opts_t *o)
{
  return !o->quad ? 0 : o->quad_cols ? o->nquad_cols : s->n + s->m->noutputs;
}

static int setup_quad(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  int nq = quad_count(s, o);
  if (s->q_cv && (s->aug || !nq || NV_LENGTH_S(s->q) != nq)) {
    CVodeQuadFree(s->cv); /* else CVODES goes on integrating them */
    s->q_cv = 0;
  }
  if (s->q && NV_LENGTH_S(s->q) != nq) {
    N_VDestroy(s->q);
    s->q = NULL;
  }
  s->nq = nq;
  s->qcols = o->quad_cols;
  s->q_stale = 0;
  if (!nq)
    return IMS_OK;
  if (!s->q) {
    s->q = N_VNew_Serial(nq, s->sun);
    if (!s->q)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    N_VEnableFusedOps_Serial(s->q, SUNTRUE);
    ims__nvec_tune(s->q); /* the quadratures' Nordsieck arrays are its clones */
  }
  N_VConst(0.0, s->q);
  if (s->aug)
    return IMS_OK;
  int rc = s->q_cv ? ims__cv_check(s, CVodeQuadReInit(s->cv, s->q), "CVodeQuadReInit", err)
                   : ims__cv_check(s, CVodeQuadInit(s->cv, cv_quad, s->q), "CVodeQuadInit", err);
  s->q_cv = !rc;
  rc =
      rc ? rc
         : ims__cv_check(s, CVodeQuadSStolerances(s->cv, o->rtol, o->atol), "quad tolerances", err);
  rc = rc ? rc : ims__cv_check(s, CVodeSetQuadErrCon(s->cv, SUNTRUE), "CVodeSetQuadErrCon", err);
  return rc;
}

int ims__cv_tolerances(ims_sim_t *s, double rtol, double f, ims_err_t *err)
{
  const ims_opts_t *o = s->opts;
  s->tol_rtol = rtol;
  s->tol_f = f;
  if (o->atol_vec)
    for (int i = 0; i < s->n; i++)
      NV_Ith_S(s->abstol, i) = f * o->atol_vec[i];
  if (s->aug)
    return ims__cv_check(s, CVodeWFtolerances(s->cv, ims__aug_ewt), "CVodeWFtolerances", err);
  if (o->atol_vec)
    return ims__cv_check(s, CVodeSVtolerances(s->cv, rtol, s->abstol), "CVodeSVtolerances", err);
  return ims__cv_check(s, CVodeSStolerances(s->cv, rtol, f * o->atol), "CVodeSStolerances", err);
}

/* CVODE's vector: the n states, and with s->aug the nq integrals after them.
 * A new length needs new CVODE memory (its vectors are clones of y). */
static int size_y(ims_sim_t *s, long len, ims_err_t *err)
{
  if ((long)NV_LENGTH_S(s->y) == len)
    return IMS_OK;
  N_Vector y = N_VNew_Serial(len, s->sun);
  if (!y)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  N_VEnableFusedOps_Serial(y, SUNTRUE);
  ims__nvec_tune(y);
  if (len > s->n)
    ims__nvec_split_norm(y);
  memcpy(NV_DATA_S(y), NV_DATA_S(s->y), (size_t)s->n * sizeof(double));
  N_VDestroy(s->y);
  s->y = y;
  if (s->cv)
    CVodeFree(&s->cv);
  return IMS_OK;
}

int ims__cv_setup(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err)
{
  int nq = quad_count(s, o);
  /* with quad_carry the integrals ride in the state vector (setup_quad says
   * why); the n x n matrix leaves their Newton rows to src/sim_aug.c, which
   * CVODE's difference-quotient Jacobian (it fills a column per entry of y)
   * would overrun: only with the model's own Jacobian */
  s->aug = nq > 0 && o->quad_carry && !o->nsens && o->use_jac && s->m->jac;
  int rc = size_y(s, s->n + (s->aug ? 1 + nq : 0), err);
  if (rc)
    return rc;
  if (s->aug && ims__aug_alloc(s))
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (s->aug)
    memset(NV_DATA_S(s->y) + s->n, 0, (size_t)(1 + nq) * sizeof(double));
  if (!s->cv || s->method != o->method)
    rc = create_cvode(s, o->method, o->t0, err);
  else
    rc = ims__cv_check(s, CVodeReInit(s->cv, o->t0, s->y), "CVodeReInit", err);
  if (rc)
    return rc;
  rc = ims__cv_tolerances(s, o->rtol, 1.0, err);
  int use_jac = o->use_jac && s->m->jac;
  rc = rc ? rc
          : ims__cv_check(s, CVodeSetJacFn(s->cv, use_jac ? cv_jac : NULL), "CVodeSetJacFn", err);
  rc = rc ? rc
          : ims__cv_check(s, CVodeSetMaxNumSteps(s->cv, o->max_steps > 0 ? o->max_steps : 50000),
                          "CVodeSetMaxNumSteps", err);
  rc = rc ? rc : ims__cv_check(s, CVodeSetInitStep(s->cv, o->init_step), "CVodeSetInitStep", err);
  rc = rc ? rc : ims__cv_check(s, CVodeSetMaxStep(s->cv, o->max_step), "CVodeSetMaxStep", err);
  rc = rc ? rc : setup_quad(s, o, err);
  rc = rc ? rc : ims__sens_setup(s, o, err);
  rc = rc ? rc : ims__trig_setup(s, o, err);
  return rc;
}

/* CVODE's counters restart at every CVodeReInit: bank them first. */
void ims__cv_bank_stats(ims_sim_t *s)
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

void ims__quad_sync(ims_sim_t *s)
{
  double tq;
  if (!s->q_stale)
    return;
  s->q_stale = 0;
  if (s->aug) {
    memcpy(NV_DATA_S(s->q), NV_DATA_S(s->y) + s->n + 1, (size_t)s->nq * sizeof(double));
    return;
  }
  /* a failed read must not leave an earlier time's integral in place */
  if (CVodeGetQuad(s->cv, &tq, s->q) != CV_SUCCESS)
    N_VConst(NAN, s->q);
}

int ims__cv_reinit(ims_sim_t *s, double t, ims_err_t *err)
{
  ims__quad_sync(s); /* the integrals restart from their value at t */
  if (s->aug)        /* s->q may have been restored (steady-state search) */
    memcpy(NV_DATA_S(s->y) + s->n + 1, NV_DATA_S(s->q), (size_t)s->nq * sizeof(double));
  ims__cv_bank_stats(s);
  s->st.restarts++;
  int rc = ims__cv_check(s, CVodeReInit(s->cv, t, s->y), "CVodeReInit", err);
  if (!rc && s->q_cv)
    rc = ims__cv_check(s, CVodeQuadReInit(s->cv, s->q), "CVodeQuadReInit", err);
  if (!rc && s->sens_on)
    rc = ims__cv_check(s, CVodeSensReInit(s->cv, CV_STAGGERED, s->yS), "CVodeSensReInit", err);
  if (!rc && s->sens_on && s->nq)
    rc = ims__cv_check(s, CVodeQuadSensReInit(s->cv, s->qS), "CVodeQuadSensReInit", err);
  if (!rc) {
    ims__trig_refresh(s, t);
    ims__switch_sides(s, t); /* a jump may have moved the state across a switch */
  }
  return rc;
}

/* What to try, by CVODE's failure. */
static const char *advice(int flag)
{
  switch (flag) {
  case CV_TOO_MUCH_WORK:
    return "the solution needs more steps than --max-steps allows between two output times: raise "
           "--max-steps, or check for a blow-up (parameters, units)";
  case CV_TOO_MUCH_ACC:
    return "the tolerances ask for more than double precision: loosen --rtol, or raise --atol for "
           "the worst state";
  case CV_ERR_FAILURE:
  case CV_CONV_FAILURE:
    return "the solution changes faster than the solver can follow (a blow-up, a singular term, or "
           "a discontinuity inside the model): check the parameters and units, or give the worst "
           "state a smaller --atol";
  case CV_RHSFUNC_FAIL:
  case CV_FIRST_RHSFUNC_ERR:
  case CV_REPTD_RHSFUNC_ERR:
  case CV_UNREC_RHSFUNC_ERR:
    return "the model's equations could not be evaluated (NaN or a refused state): check the "
           "parameters";
  default:
    return "this is a driver bug: please report it with the command line";
  }
}

/* The state to name when CVODE fails: a non-finite one; else the largest
 * weighted local error estimate; else (after a failed step the estimates
 * may be NaN) the state changing fastest relative to its tolerance; else the
 * largest relative to its tolerance.  Always one of the states. */
static int worst_state(ims_sim_t *s, double t, const char **why)
{
  const ims_opts_t *o = s->opts;
  const double *y = NV_DATA_S(s->y);
  int n = s->n, worst = -1;
  for (int i = 0; i < n; i++)
    if (!isfinite(y[i])) {
      *why = "not finite";
      return i;
    }
  double big = -1;
  N_Vector e = N_VClone(s->y);
  if (e && CVodeGetEstLocalErrors(s->cv, e) == CV_SUCCESS)
    for (int i = 0; i < n; i++) {
      double w = (o->atol_vec ? o->atol_vec[i] : o->atol) + o->rtol * fabs(y[i]);
      double r = fabs(NV_Ith_S(e, i)) / w;
      if (!isnan(r) && r > big) {
        big = r;
        worst = i;
      }
    }
  if (e)
    N_VDestroy(e);
  if (worst >= 0 && big > 0) {
    *why = "largest local error";
    return worst;
  }
  double *f = s->fbuf;
  ims__rhs(s, t, y, f);
  big = -1;
  worst = 0;
  for (int pass = 0; pass < 2 && big <= 0; pass++)
    for (int i = 0; i < n; i++) {
      double w = (o->atol_vec ? o->atol_vec[i] : o->atol) + o->rtol * fabs(y[i]);
      double r = (pass ? fabs(y[i]) : fabs(f[i])) / w;
      if (!isnan(r) && r > big) {
        big = r;
        worst = i;
        *why = pass ? "largest for its tolerance" : "changing fastest for its tolerance";
      }
    }
  if (big < 0)
    *why = "rates not finite";
  return worst;
}

static int solver_failure(ims_sim_t *s, int flag, double t, ims_err_t *err)
{
  double *y = NV_DATA_S(s->y);
  double tc = t;
  CVodeGetCurrentTime(s->cv, &tc);
  const char *why = "";
  int worst = s->n > 0 ? worst_state(s, tc, &why) : -1;
  char *name = CVodeGetReturnFlagName(flag);
  char ws[300] = "no state";
  if (worst >= 0)
    snprintf(ws, sizeof ws, "worst state %s = %g%s%s (%s)", s->m->states[worst].name, y[worst],
             strcmp(s->m->states[worst].unit, "1") ? " " : "",
             strcmp(s->m->states[worst].unit, "1") ? s->m->states[worst].unit : "", why);
  ims_err_set(err, IMS_ESOLVER, "model %s: solver failed at t = %.9g %s (%s: %s); %s; %s",
              s->m->name, tc, s->m->time_unit ? s->m->time_unit : "", name ? name : "?",
              s->cvmsg[0] ? s->cvmsg : "no detail", ws, advice(flag));
  free(name);
  return IMS_ESOLVER;
}

/* A state the model declares non-negative that CVODE returns clearly below
 * 0 (beyond 100 atol plus rtol times its largest size so far) means the
 * solver lost the solution, typically on a term much sharper than the
 * tolerances resolve: fail loudly rather than report it. */
static int check_nonneg(ims_sim_t *s, double t, ims_err_t *err)
{
  const unsigned *fl = s->m->state_flags;
  const ims_opts_t *o = s->opts;
  const double *y = NV_DATA_S(s->y);
  for (int i = 0; fl && i < s->n; i++) {
    if (!(fl[i] & IMS_VAR_NONNEG))
      continue;
    double a = o->atol_vec ? o->atol_vec[i] : o->atol;
    s->ymax[i] = fmax(s->ymax[i], fabs(y[i]));
    if (y[i] < -(100 * a + o->rtol * s->ymax[i])) {
      const char *u = s->m->states[i].unit, *nm = s->m->states[i].name;
      int unitless = !strcmp(u, "1");
      return ims_err_set(
          err, IMS_ESOLVER,
          "model %s: solver failed at t = %.9g %s: %s = %g%s%s is below 0, which the "
          "model cannot reach; the tolerances do not resolve it (its values near 0 "
          "are below its atol %g, or a term is sharper than --rtol follows): give "
          "it a smaller --atol (--atol %s=A), %stighten --rtol, or check the "
          "parameters",
          s->m->name, t, s->m->time_unit ? s->m->time_unit : "", nm, y[i], unitless ? "" : " ",
          unitless ? "" : u, a, nm, s->method == IMS_ADAMS ? "use --method bdf, " : "");
    }
  }
  return IMS_OK;
}

static int cv_step(ims_sim_t *s, double tout, double tstop, double *tret, ims_err_t *err)
{
  int rc = ims__cv_check(s, CVodeSetStopTime(s->cv, tstop), "CVodeSetStopTime", err);
  if (rc)
    return rc;
  s->cvmsg[0] = '\0';
  int flag = CVode(s->cv, tout, s->y, tret, CV_NORMAL);
  if (flag < 0)
    return solver_failure(s, flag, *tret, err);
  if (flag == CV_ROOT_RETURN)
    CVodeGetRootInfo(s->cv, s->rootsfound);
  return flag;
}

/* Integrate towards tout without passing tstop.  Returns CV_SUCCESS,
 * CV_TSTOP_RETURN, CV_ROOT_RETURN, or an ims error. */
int ims__cv_advance(ims_sim_t *s, double tout, double tstop, double *tret, ims_err_t *err)
{
  int flag = cv_step(s, tout, tstop, tret, err), rc;
  if (flag < 0)
    return flag;
  if ((rc = check_nonneg(s, *tret, err)) != 0)
    return rc;
  double tq;
  s->q_stale = s->q_cv || s->aug;
  if (s->sens_on)
    CVodeGetSens(s->cv, &tq, s->yS);
  if (s->sens_on && s->nq)
    CVodeGetQuadSens(s->cv, &tq, s->qS);
  return flag;
}

/* y(t0) as a function of the parameters: the <STATE>_0 values, then the
 * model's own initial-condition hooks (s->work is the model's scratch, so
 * this never allocates). */
void ims__initial_state(const ims_sim_t *s, const double *p, double *y)
{
  ims_model_initial_state(s->m, p, y, s->work);
}
