/* Integrals carried in the state vector (s->aug; sim_cvode.c, setup_quad,
 * says when and why): CVODE's vector is [states (n), a separator, the nq
 * integrals].  Here: their error weights, and the Newton solve of their
 * rows.
 *
 * Error control is CVODES's for quadratures: a step's error is the larger
 * of the states' WRMS norm and the integrals' (the split norm of
 * src/nvec.c, which finds the states as the entries before the separator's
 * weight 0).  Where the states' norm is the larger in every norm CVODE takes
 * (error tests, Newton iterations, the first step's estimate), the steps are
 * the same bits as without the integrals; where an integral needs a shorter
 * step (a state that is a polynomial in time, whose own error estimate is 0,
 * e.g. an infusion into a compartment without elimination), it gets it, and
 * the other outputs then agree with the run without integrals to the
 * tolerance.
 *
 * CVODE solves (I - gamma J) x = b over the whole vector.  The carried
 * integral Q_k of column c_k has the row [-gamma dc_k/dy, 1], so
 * x_Q = b_Q + gamma (dc_k/dy) x_y once the states' part x_y is solved by
 * the n x n dense LU, which never sees the other rows (and leaves the
 * separator's 0).  With that row the integrals converge with the states
 * (quadratically: for a state column the row is exact; an output's is a
 * difference quotient taken with each Jacobian). */
#include "sim_impl.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The states' weights are CVODE's own, 1/(rtol |y| + atol), rounded as
 * cvEwtSet rounds them; the separator's is 0; the integrals' are
 * 1/(rtol |Q| + atol), as CVODES gives quadratures under error control. */
int ims__aug_ewt(N_Vector y, N_Vector w, void *ud)
{
  ims_sim_t *s = ud;
  const ims_opts_t *o = s->opts;
  const double *yv = NV_DATA_S(y);
  double *wv = NV_DATA_S(w), aq = s->tol_f * o->atol;
  int n = s->n;
  for (int i = 0; i < n; i++) {
    double a = o->atol_vec ? NV_Ith_S(s->abstol, i) : aq;
    double d = s->tol_rtol * fabs(yv[i]) + a;
    if (!(d > 0.0))
      return -1;
    wv[i] = 1.0 / d;
  }
  wv[n] = 0.0;
  for (long i = n + 1; i < (long)NV_LENGTH_S(y); i++) {
    double d = s->tol_rtol * fabs(yv[i]) + aq;
    if (!(d > 0.0))
      return -1;
    wv[i] = 1.0 / d;
  }
  return 0;
}

/* d(output column)/dy at (t, y) by forward differences, for the carried
 * output columns; called with every Jacobian evaluation. */
void ims__aug_jac(ims_sim_t *s, double t, const double *y)
{
  int n = s->n, no = s->m->noutputs, any = 0;
  for (int k = 0; k < s->nq && !any; k++)
    any = (s->qcols ? s->qcols[k] : k) >= n;
  if (!any || !s->aug_C)
    return;
  double *yp = s->aug_y, *o0 = s->aug_o, *o1 = s->aug_o + no;
  memcpy(yp, y, (size_t)n * sizeof *yp);
  s->m->output(t, y, o0, &s->ctx);
  for (int j = 0; j < n; j++) {
    double a = s->opts->atol_vec ? s->opts->atol_vec[j] : s->opts->atol;
    double h = sqrt(DBL_EPSILON) * fmax(fabs(y[j]), a);
    yp[j] = y[j] + h;
    h = yp[j] - y[j]; /* the increment as represented */
    s->m->output(t, yp, o1, &s->ctx);
    yp[j] = y[j];
    for (int c = 0; c < no; c++)
      s->aug_C[(size_t)c * (size_t)n + (size_t)j] = (o1[c] - o0[c]) / h;
  }
}

static double dot(const double *a, const double *x, int n)
{
  double d = 0;
  for (int j = 0; j < n; j++)
    d += a[j] * x[j];
  return d;
}

static SUNLinearSolver_Type ls_type(SUNLinearSolver S)
{
  (void)S;
  return SUNLINEARSOLVER_DIRECT;
}

static SUNLinearSolver_ID ls_id(SUNLinearSolver S)
{
  (void)S;
  return SUNLINEARSOLVER_CUSTOM;
}

static int ls_init(SUNLinearSolver S)
{
  ims_sim_t *s = S->content;
  return SUNLinSolInitialize(s->LS);
}

static int ls_setup(SUNLinearSolver S, SUNMatrix A)
{
  ims_sim_t *s = S->content;
  /* the matrix is I - gamma J with CVODE's gamma now */
  if (CVodeGetCurrentGamma(s->cv, &s->aug_gamma) != CV_SUCCESS)
    return SUNLS_MEM_FAIL;
  return SUNLinSolSetup(s->LS, A);
}

static int ls_solve(SUNLinearSolver S, SUNMatrix A, N_Vector x, N_Vector b, sunrealtype tol)
{
  ims_sim_t *s = S->content;
  int rc = SUNLinSolSolve_Dense(s->LS, A, x, b, tol); /* x = [M^-1 b_y; b_Q] */
  if (rc)
    return rc;
  int n = s->n;
  double *xv = NV_DATA_S(x), *xq = xv + n + 1, g = s->aug_gamma;
  for (int k = 0; k < s->nq; k++) {
    int c = s->qcols ? s->qcols[k] : k; /* every column: the states, then the outputs */
    xq[k] += g * (c < n ? xv[c] : dot(s->aug_C + (size_t)(c - n) * (size_t)n, xv, n));
  }
  return SUNLS_SUCCESS;
}

static sunindextype ls_lastflag(SUNLinearSolver S)
{
  ims_sim_t *s = S->content;
  return SUNLinSolLastFlag(s->LS);
}

static int ls_free(SUNLinearSolver S)
{
  SUNLinSolFreeEmpty(S); /* the dense solver inside is the workspace's */
  return SUNLS_SUCCESS;
}

int ims__aug_alloc(ims_sim_t *s)
{
  int n = s->n, no = s->m->noutputs;
  if (no > 0 && (!s->aug_C || !s->aug_y || !s->aug_o)) {
    free(s->aug_C), free(s->aug_y), free(s->aug_o);
    s->aug_C = calloc((size_t)no * (size_t)n, sizeof *s->aug_C);
    s->aug_y = malloc((size_t)n * sizeof *s->aug_y);
    s->aug_o = malloc(2 * (size_t)no * sizeof *s->aug_o);
    if (!s->aug_C || !s->aug_y || !s->aug_o) { /* all or none, so aug_jac can trust aug_C */
      free(s->aug_C), free(s->aug_y), free(s->aug_o);
      s->aug_C = s->aug_y = s->aug_o = NULL;
      return IMS_ENOMEM;
    }
  }
  if (s->LSa)
    return IMS_OK;
  SUNLinearSolver S = SUNLinSolNewEmpty(s->sun);
  if (!S)
    return IMS_ENOMEM;
  S->content = s;
  S->ops->gettype = ls_type;
  S->ops->getid = ls_id;
  S->ops->initialize = ls_init;
  S->ops->setup = ls_setup;
  S->ops->solve = ls_solve;
  S->ops->lastflag = ls_lastflag;
  S->ops->free = ls_free;
  s->LSa = S;
  return IMS_OK;
}

void ims__aug_free(ims_sim_t *s)
{
  if (s->LSa)
    SUNLinSolFree(s->LSa);
  s->LSa = NULL;
  free(s->aug_C);
  free(s->aug_y);
  free(s->aug_o);
  s->aug_C = s->aug_y = s->aug_o = NULL;
}
