/* Internal numerics shared by the dynamics modules (equilibria, continuation,
 * phase plane): the frozen vector field of a model, a rank-revealing linear
 * solve and eigenvalues. */
#ifndef IMS_DYN_H
#define IMS_DYN_H

#include "immunosim/err.h"
#include "immunosim/model.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* The vector field x -> f(t, x) of a model at a fixed time t, phase 0 and no
 * doses, with its own copy of the parameter values (p may be changed between
 * calls: continuation does) and its own ctx->work scratch, so interpreted
 * models run through the same contract as in the driver. */
typedef struct ims__vf {
  const ims_model_t *m;
  int n;
  double t;
  double *p; /* ims_model_nvalues(m) values */
  int *ndose;
  double *work;
  ims_ctx_t ctx;
  double *xh, *fa, *fb; /* difference-quotient scratch */
  const double *typ;    /* typical size of each state for difference steps, or NULL */
  long nf, nj;          /* evaluations (for work bounds and reports) */
} ims__vf_t;

int ims__vf_alloc(ims__vf_t *v, const ims_model_t *m, const double *p, double t, ims_err_t *err);
void ims__vf_free(ims__vf_t *v);
/* f(x): 0, or non-zero when the model reports a failure or a non-finite value. */
int ims__vf_f(ims__vf_t *v, const double *x, double *f);
/* J = df/dx row-major: the model's analytic Jacobian, else central differences. */
int ims__vf_jac(ims__vf_t *v, const double *x, double *J);
/* df/dp[k] at x by central differences (models have no parameter
 * derivatives); typ is the parameter's typical size (the step when p[k] = 0). */
int ims__vf_dpar(ims__vf_t *v, const double *x, int k, double typ, double *fp);

/* Rank-revealing solves of small square systems by SVD. */
typedef struct ims__svd {
  int n;
  gsl_matrix *A, *V;
  gsl_vector *S, *w, *b, *x;
} ims__svd_t;

int ims__svd_alloc(ims__svd_t *s, int n);
void ims__svd_free(ims__svd_t *s);
/* Minimum-norm solution of A x = b (A row-major n x n, not modified) with the
 * singular values below rcond * smax dropped.  Returns the numerical rank
 * (-1 on non-finite input); *srel (may be NULL) gets smin / smax. */
int ims__svd_solve(ims__svd_t *s, const double *A, const double *b, double *x, double rcond,
                   double *srel);
/* The right singular vector of the smallest singular value of A (unit norm);
 * returns smin / smax, or -1 on non-finite input. */
double ims__svd_null(ims__svd_t *s, const double *A, double *v);

/* Eigenvalues of a row-major n x n matrix (balanced Francis QR, GSL), sorted
 * by decreasing real part, then decreasing imaginary part.  Returns 0, or
 * non-zero (and NaNs) for non-finite input or no convergence. */
typedef struct ims__eig {
  int n;
  gsl_matrix *A;
  gsl_vector_complex *ev;
  gsl_eigen_nonsymm_workspace *w;
} ims__eig_t;

int ims__eig_alloc(ims__eig_t *e, int n);
void ims__eig_free(ims__eig_t *e);
int ims__eig_run(ims__eig_t *e, const double *J, double *re, double *im);

/* Sign (+1, -1, 0) of det J and of the Hopf test function prod_{i<j}
 * (l_i + l_j) from the eigenvalues (see continuation.c); 0 when a factor is
 * within tol of zero. */
int ims__sign_det(int n, const double *re, const double *im, double tol);
int ims__sign_hopf(int n, const double *re, const double *im, double tol);
/* The spectral radius max |l_i| (0 for an empty or zero spectrum). */
double ims__spectral_radius(int n, const double *re, const double *im);

#endif
