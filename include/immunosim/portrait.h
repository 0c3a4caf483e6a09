/* Curves of a phase portrait in a plane (phase.h): trajectories of the full
 * model from points of the plane, and separatrices, the stable manifolds of
 * saddles, integrated backwards in time from the saddle along its stable
 * eigenvector.
 *
 * Both run through the driver (ims_sim_run, CVODES BDF) on the model's
 * vector field frozen at the plane's time t with no doses, as the field and
 * the nullclines are: forwards for a trajectory, backwards (the field's
 * negative) for a separatrix.  A separatrix exists where the saddle's
 * stable manifold is a curve, i.e. exactly one eigenvalue of the Jacobian
 * has a negative real part (every saddle of a two-state model); it starts a
 * relative 1e-6 from the saddle on either side of the eigenvector and ends
 * where it leaves the plane's ranges (1 % beyond, so it reaches the frame),
 * or at tend.  A trajectory ends at tend, or where it leaves the ranges
 * widened by their own width on each side (log axes: decades).
 *
 * Each curve is sampled at 20000 times, then thinned to the points that
 * move at least 1/1000 of an axis (as drawn: log axes in decades) from the
 * last point kept, so curves are smooth where they turn and small where
 * they crawl. */
#ifndef IMMUNOSIM_PORTRAIT_H
#define IMMUNOSIM_PORTRAIT_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/phase.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_CURVE_TRAJ 0       /* a trajectory (time forwards from 0) */
#define IMS_CURVE_SEPARATRIX 1 /* half of a saddle's stable manifold (time backwards, t <= 0) */

const char *ims_curve_kind_name(int kind); /* "trajectory", "separatrix" */

typedef struct ims_curve_pt {
  int curve; /* from 0, in the order added */
  int kind;  /* IMS_CURVE_* */
  double t;  /* time from the start, in the model's time unit */
  double x, y;
} ims_curve_pt_t;

/* How a curve ended. */
#define IMS_CURVE_END_TIME 0   /* reached tend */
#define IMS_CURVE_END_LEFT 1   /* left the plane's ranges */
#define IMS_CURVE_END_FAILED 2 /* the solver failed (the message is in note) */

typedef struct ims_curves {
  size_t n, cap;
  ims_curve_pt_t *pt; /* the curves one after the other */
  int ncurves;
  int *end;       /* per curve: IMS_CURVE_END_* */
  char note[512]; /* the last solver failure, if any */
} ims_curves_t;

void ims_curves_init(ims_curves_t *c);
void ims_curves_free(ims_curves_t *c);

/* Add the trajectory from the point (x0, y0) of the plane (the other
 * states: ims_plane_lift) over tend > 0.  A solver failure ends the curve
 * (IMS_CURVE_END_FAILED; the points so far are kept); errors: bad input,
 * no memory, a slaved state without an equilibrium at (x0, y0). */
int ims_plane_trajectory(const ims_model_t *m, const double *p, const ims_plane_t *pl, double x0,
                         double y0, double tend, ims_curves_t *c, ims_err_t *err);

/* Add the two halves of the stable manifold of the saddle xs (nstates
 * values, an equilibrium of the model with parameter values p), each
 * integrated backwards over at most tend; halves that start outside the
 * plane's ranges (a saddle on the boundary of a log axis) are left out.
 * *added gets how many curves were added; 0 with a message in why (may be
 * NULL, 160 characters) when the stable manifold is not a curve. */
int ims_plane_separatrix(const ims_model_t *m, const double *p, const ims_plane_t *pl,
                         const double *xs, double tend, ims_curves_t *c, int *added, char *why,
                         ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
