/* Orbit diagram by simulation: for each value of one parameter, the local
 * maxima and minima of one column after a transient (limit cycles show as a
 * max and a min row, period doubling as more, an equilibrium as one row).
 *
 * Each run goes through the driver (ims_sim_run) from t = 0 to transient +
 * window.  Every local extremum in the window is located by CVODE root
 * finding on the column's time derivative (an IMS_DERIV trigger starting at
 * the transient); the metrics module gives the window's exact maximum,
 * minimum and final value.  Extrema whose values agree within same_tol
 * (relative) plus 10 x the solver's absolute tolerance are one row with a
 * count.  Near a Hopf point the approach to a focus is slow: a window whose
 * oscillation is still dying out is one IMS_ORB_DAMPED row, not cycle rows. */
#ifndef IMMUNOSIM_ORBITS_H
#define IMMUNOSIM_ORBITS_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/sim.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_ORB_MAX 0  /* a local maximum */
#define IMS_ORB_MIN 1  /* a local minimum */
#define IMS_ORB_EQ 2   /* the window's max and min agree within the tolerance: settled */
#define IMS_ORB_MONO 3 /* no extremum but still moving: the final value of a monotone approach */
/* an oscillation dying out towards an equilibrium (near a Hopf point the approach is slow):
 * the peak-to-trough amplitudes shrink steadily towards 0 (Aitken's extrapolation of
 * them); one row with the final value, the count of maxima and their mean spacing */
#define IMS_ORB_DAMPED 4

const char *ims_orbit_kind_name(int kind); /* "max", "min", "eq", "monotone", "damped" */

typedef struct ims_orbit_opts {
  int col;          /* column: a state index, or nstates + output index */
  int npar;         /* parameter values a .. b (default 51) */
  int logpar;       /* 1: log-spaced (a, b > 0) */
  double transient; /* discarded time, in the model's time unit (default 2000; 0: none) */
  double window;    /* recorded time after it (default 2000) */
  int carry;        /* 1: value k+1 starts from the state at the end of value k */
  double same_tol;  /* default 1e-5, plus 10 x the column's atol */
  /* Solver options (tolerances, extra triggers such as an extinction
   * floor); NULL: ims_opts_default with rtol 1e-8, atol 1e-10. */
  const ims_opts_t *sim;
} ims_orbit_opts_t;

/* The defaults above (col 0, no carry, default solver options). */
void ims_orbit_opts_default(ims_orbit_opts_t *o);

typedef struct ims_orbit_row {
  double par;    /* the parameter value */
  int kind;      /* IMS_ORB_* */
  double value;  /* the column's value */
  double t;      /* time of its last occurrence */
  int count;     /* extrema with this value in the window */
  double period; /* a period-1 cycle (one max and one min row): the mean time between
                    its maxima; NaN otherwise */
} ims_orbit_row_t;

typedef struct ims_orbit {
  size_t n;
  ims_orbit_row_t *rows; /* by parameter value, then max, min, eq */
} ims_orbit_t;

/* p: parameter values (nvalues); par: a model parameter.  *out is allocated. */
int ims_orbit_diagram(const ims_model_t *m, const double *p, int par, double a, double b,
                      const ims_orbit_opts_t *o, ims_orbit_t **out, ims_err_t *err);
void ims_orbit_free(ims_orbit_t *o);

#ifdef __cplusplus
}
#endif
#endif
