/* Equilibrium branches over one parameter by pseudo-arclength continuation.
 *
 * Every equilibrium found in the box at the first end A of the range starts
 * a branch towards B, and every equilibrium at B that no branch reached
 * starts one towards A (a pair born at a fold inside the range is found
 * that way).  Branches follow folds around, stop where they leave the box
 * (the point on the box face is computed) or the parameter range (the point
 * at the end is computed), close (loop), or fail to converge.
 *
 * Along a branch every point carries the eigenvalues of the Jacobian, its
 * type and stability.  Between two points, sign changes of three test
 * functions are located by bisection in arclength (each trial point solved
 * to the corrector tolerance):
 *   fold  the parameter component of the tangent (the branch turns; a real
 *         eigenvalue passes through 0, det J changes sign);
 *   bp    det J changes sign but the branch does not turn: a branch point,
 *         e.g. the transcritical crossing of an interior and a boundary
 *         branch;
 *   hopf  prod_{i<j} (l_i + l_j) changes sign and a complex pair sits on
 *         the imaginary axis there (a sign change from two real eigenvalues
 *         summing to 0, a "neutral saddle", gets no label).
 *
 * Coordinates are scaled at every step: state j by |x_j| + 1e-6 (hi_j - lo_j),
 * the parameter by |B - A|, so the arclength step measures relative change.
 * The corrector (Newton on the bordered system, SVD solves) stops when the
 * scaled correction is below 1e-11. */
#ifndef IMMUNOSIM_CONTINUATION_H
#define IMMUNOSIM_CONTINUATION_H

#include "immunosim/equilibria.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_LAB_NONE 0
#define IMS_LAB_START 1 /* first point of a branch */
#define IMS_LAB_END 2   /* the branch reached an end of the parameter range */
#define IMS_LAB_FOLD 3  /* saddle-node: the branch turns, a real eigenvalue crosses 0 */
#define IMS_LAB_HOPF 4  /* a complex pair crosses the imaginary axis */
#define IMS_LAB_BP 5    /* det J changes sign without a turn: branch point */
#define IMS_LAB_BOX 6   /* the branch leaves the box here */
#define IMS_LAB_LOOP 7  /* the branch closed on itself */
#define IMS_LAB_STOP 8  /* no convergence with the smallest step, or max_points */

const char *ims_cont_label_name(int label); /* "", "start", "end", "fold", "hopf", ... */

typedef struct ims_cont_opts {
  double h0, hmin, hmax; /* scaled arclength steps (0: 0.01, 1e-9, 0.05) */
  int max_points;        /* per branch (0: 5000) */
  ims_eq_opts_t eq;      /* the search for the start equilibria (its t is used throughout) */
} ims_cont_opts_t;

void ims_cont_opts_default(ims_cont_opts_t *o);

typedef struct ims_cont_point {
  int branch;
  double par;                     /* the parameter value */
  const double *x;                /* nstates */
  const double *re, *im;          /* eigenvalues (ims_eigenvalues order) */
  int type, stability, nunstable; /* as in ims_equilibrium_t */
  int label;                      /* IMS_LAB_* */
} ims_cont_point_t;

typedef struct ims_cont ims_cont_t;

int ims_cont_alloc(ims_cont_t **out, const ims_model_t *m, ims_err_t *err);
void ims_cont_free(ims_cont_t *c);

/* Continue the equilibria of the model with parameter values p in p[par]
 * from a to b (a != b; par must be a model parameter, not an initial value)
 * inside the box lo..hi (NULL: ims_eq_box_default at a). */
int ims_cont_run(ims_cont_t *c, const double *p, int par, double a, double b, const double *lo,
                 const double *hi, const ims_cont_opts_t *o, ims_err_t *err);

int ims_cont_npoints(const ims_cont_t *c);
int ims_cont_nbranches(const ims_cont_t *c);
/* Point k (branches one after the other, each in arclength order). */
int ims_cont_get(const ims_cont_t *c, int k, ims_cont_point_t *pt);
/* Equilibria at the ends not continued: on a continuum (singular Jacobian). */
int ims_cont_skipped(const ims_cont_t *c);

#ifdef __cplusplus
}
#endif
#endif
