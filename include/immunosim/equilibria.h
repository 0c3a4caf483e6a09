/* Equilibria of a model in a box of states, their eigenvalues and type.
 *
 * Works on any ims_model_t through its right-hand side and Jacobian (central
 * differences when the model has none), with the vector field frozen at a
 * time t (default 0), phase 0 and no doses: a model whose right-hand side
 * depends on time (pk2cmt's time-varying clearance, breakpoints) is analysed
 * as it is at t.
 *
 * Method (equilibria.c): damped Newton from a fixed quasi-random set of
 * starts (a Halton sequence, log-spaced over each state's range, a share of
 * the starts with states at exactly 0 so that boundary equilibria are found
 * on their invariant faces), with deflation (Farrell, Birkisson & Funke 2015,
 * SIAM J Sci Comput 37:A2026) so that each start looks for further roots
 * once it has found one.  Newton steps are minimum-norm SVD solves, which
 * survive singular Jacobians (a decoupled state, a line of equilibria).  The
 * same inputs give the same equilibria in the same order.
 *
 * GSL reports some failures (no convergence of an eigenvalue or SVD
 * iteration) through its process-wide error handler, which aborts by
 * default.  The library only hands GSL finite, scaled matrices, for which
 * this does not happen in practice; applications that cannot accept the
 * risk call gsl_set_error_handler_off() once at start-up (the CLI does). */
#ifndef IMMUNOSIM_EQUILIBRIA_H
#define IMMUNOSIM_EQUILIBRIA_H

#include "immunosim/err.h"
#include "immunosim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Types of an equilibrium (from the eigenvalues of the Jacobian). */
#define IMS_EQ_STABLE_NODE 0    /* every Re < 0, all real */
#define IMS_EQ_STABLE_FOCUS 1   /* every Re < 0, a complex pair */
#define IMS_EQ_UNSTABLE_NODE 2  /* every Re > 0, all real */
#define IMS_EQ_UNSTABLE_FOCUS 3 /* every Re > 0, a complex pair */
#define IMS_EQ_SADDLE 4         /* Re of both signs, all real */
#define IMS_EQ_SADDLE_FOCUS 5   /* Re of both signs, a complex pair (a saddle in 3-D and up) */
#define IMS_EQ_CENTRE 6         /* every eigenvalue on the imaginary axis, none zero */
#define IMS_EQ_NONHYPERBOLIC 7  /* some Re within the tolerance of 0 (not a centre) */
#define IMS_EQ_UNKNOWN 8        /* the eigenvalues could not be computed */

/* Linear stability. */
#define IMS_STABLE 0   /* every Re < -tol */
#define IMS_UNSTABLE 1 /* some Re > tol */
#define IMS_NEUTRAL 2  /* none > tol, some within tol: linearisation undecided */

const char *ims_eq_type_name(int type);        /* "stable node", "saddle-focus", ... */
const char *ims_stability_name(int stability); /* "stable", "unstable", "neutral" */

/* Eigenvalues of a row-major n x n matrix (GSL's balanced Francis QR), sorted
 * by decreasing real part, then decreasing imaginary part. */
int ims_eigenvalues(int n, const double *J, double *re, double *im, ims_err_t *err);

/* Classify eigenvalues: an eigenvalue counts as zero (or real) when its real
 * (imaginary) part is within tol * max_i |l_i|.  Sets *stability and
 * *nunstable (how many have Re > tol * max |l|); returns an IMS_EQ_ type. */
int ims_eq_classify(int n, const double *re, const double *im, double tol, int *stability,
                    int *nunstable);

/* The default box: lo = 0 for every state (states are amounts and
 * concentrations), hi = 10 times the largest of: the state's initial value
 * plus |f_i / J_ii| there (how far the state alone moves to its nullcline:
 * alpha/beta for a state made at rate alpha and lost at rate beta), the
 * model's parameters in the state's unit, the inverses of those in its
 * inverse unit (1/b of a logistic term), and 1.  p are the parameter values
 * (ims_model_nvalues of them). */
void ims_eq_box_default(const ims_model_t *m, const double *p, double *lo, double *hi);

typedef struct ims_eq_opts {
  double t;        /* time at which the vector field is frozen (default 0) */
  int nstarts;     /* quasi-random starts (0: 40 + 20 per state, at most 400) */
  int max_iter;    /* Newton iterations per solve (0: 80) */
  int per_start;   /* deflated solves from one start (0: 4) */
  int max_eq;      /* at most this many equilibria are reported (0: 64) */
  double xtol;     /* converged when every Newton correction |dx_i| <= xtol*(|x_i| + floor_i)
                      with floor_i = 1e-12 (hi_i - lo_i) (0: 1e-11) */
  double same_tol; /* two roots are one equilibrium when every |x_i - y_i| <=
                      same_tol*(max(|x_i|, |y_i|) + floor_i) (0: 1e-6) */
  double eig_tol;  /* ims_eq_classify tolerance (0: 1e-10 with an analytic Jacobian,
                      1e-6 with difference quotients) */
} ims_eq_opts_t;

void ims_eq_opts_default(ims_eq_opts_t *o);

typedef struct ims_equilibrium {
  double *x;  /* nstates values */
  double *re; /* eigenvalues, sorted as by ims_eigenvalues */
  double *im;
  int type;      /* IMS_EQ_* */
  int stability; /* IMS_STABLE, IMS_UNSTABLE or IMS_NEUTRAL */
  int nunstable; /* eigenvalues with positive real part */
  int nboundary; /* states exactly at 0 */
  int isolated;  /* 0: a continuum of equilibria passes through x (a zero singular value
                    of the Jacobian with f = 0 along its null direction) */
  double rcorr;  /* the last relative Newton correction max_i |dx_i| / (|x_i| + floor_i) */
} ims_equilibrium_t;

/* A reusable solver for one model (one per thread). */
typedef struct ims_eq ims_eq_t;

int ims_eq_alloc(ims_eq_t **out, const ims_model_t *m, ims_err_t *err);
void ims_eq_free(ims_eq_t *s);

/* Find the equilibria of the model with parameter values p (nvalues) in the
 * box lo <= x <= hi (NULL: ims_eq_box_default), o NULL for defaults.
 * Returns 0 also when there are none (ims_eq_count is then 0). */
int ims_eq_find(ims_eq_t *s, const double *p, const double *lo, const double *hi,
                const ims_eq_opts_t *o, ims_err_t *err);
int ims_eq_count(const ims_eq_t *s);
/* The k-th equilibrium, sorted by the first state, then the second, ... */
const ims_equilibrium_t *ims_eq_get(const ims_eq_t *s, int k);
/* The box of the last search. */
const double *ims_eq_lo(const ims_eq_t *s);
const double *ims_eq_hi(const ims_eq_t *s);
/* Model evaluations of the last search (right-hand sides, Jacobians). */
void ims_eq_work(const ims_eq_t *s, long *nrhs, long *njac);
/* 1 when the last search stopped at opts.max_eq: there may be more. */
int ims_eq_truncated(const ims_eq_t *s);

/* Analyse one point x (eigenvalues, type) with parameter values p into e,
 * whose arrays the caller provides (x, re, im with nstates entries). */
int ims_eq_analyse(ims_eq_t *s, const double *p, const double *x, ims_equilibrium_t *e,
                   ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
