/* The solver driver: integrates a model with CVODES between the instants of
 * one timeline (doses, infusion edges, model breakpoints, triggered actions,
 * output times), and reports rows at exact output times.  The design is
 * described at the top of src/sim.c. */
#ifndef IMMUNOSIM_SIM_H
#define IMMUNOSIM_SIM_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/schedule.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_BDF 0
#define IMS_ADAMS 1

/* What a trigger does when its crossing is located. */
#define IMS_ACT_NONE 0     /* only log the crossing (metrics use these) */
#define IMS_ACT_ZERO 1     /* set the state `target` to 0 (extinction floor) */
#define IMS_ACT_BOLUS 2    /* add `value` to state `target` */
#define IMS_ACT_INFUSE 3   /* infuse `value` into `target` at `rate` */
#define IMS_ACT_SETPAR 4   /* p[target] = value */
#define IMS_ACT_SCALEPAR 5 /* p[target] *= value */
#define IMS_ACT_STOP 6     /* end the run here */

/* "When variable `var` crosses `threshold` in direction `dir`, do `act`."
 * var indexes the states, then the outputs (nstates + k).  A var of
 * IMS_DERIV(m, c) watches the time derivative of column c (state or output)
 * instead: its zero crossings are the column's local extrema (threshold must
 * be 0; the logged value is the column's value there).
 *
 * Crossings are located by CVODE root finding while the solution is smooth,
 * and by comparing the values just before and just after every
 * discontinuity (a dose, an infusion edge, a breakpoint, an action), so a
 * bolus that lifts a variable across a threshold fires the trigger at the
 * dose time.  Derivative triggers do not fire at discontinuities. */
typedef struct ims_trigger {
  const char *name;
  int var;
  double threshold;
  int dir;           /* +1 upward, -1 downward, 0 either */
  int act;           /* IMS_ACT_* */
  int target;        /* state or parameter index */
  double value;      /* amount, new value or factor */
  double rate;       /* for IMS_ACT_INFUSE */
  double delay;      /* act this long after the crossing */
  double refractory; /* ignore crossings this soon after the last firing */
  int max_count;     /* 0 = unlimited */
  double start;      /* ignore crossings before this time */
} ims_trigger_t;

/* The trigger variable for the time derivative of column c (0 <= c < nstates + noutputs). */
#define IMS_DERIV(m, c) ((m)->nstates + (m)->noutputs + (c))

typedef struct ims_opts {
  double t0;  /* integration starts here (default 0); output times are >= t0 */
  int method; /* IMS_BDF or IMS_ADAMS */
  double rtol;
  double atol;            /* scalar */
  const double *atol_vec; /* per state, or NULL */
  long max_steps;         /* per output interval; 0 = 50000 */
  double init_step;       /* first step after every restart; 0 = CVODE's estimate */
  double max_step;        /* 0 = unlimited */
  int use_jac;            /* use the model's analytic Jacobian when it has one (default 1) */
  const ims_trigger_t *triggers;
  int ntriggers;
  double ss_tol; /* relative change for ss=1 convergence; 0 = 1e-8 */
  int ss_max;    /* max intervals for ss=1; 0 = 10000 */
  int quad;      /* integrate every column (states, outputs) as CVODES quadratures */
  /* With quad: integrate only these columns (state index, or nstates +
   * output index), in this order; the observers' quad[k] is then column
   * quad_cols[k].  NULL: every column.  Not with sensitivities.  (Population
   * per-subject metrics of a few columns: CVODES's quadrature work grows
   * with their number.) */
  const int *quad_cols;
  int nquad_cols;
  /* With quad: carry the integrals in the solver's state vector, after the
   * states, instead of as CVODES quadratures: the same error control (a
   * step's error is the larger of the states' and the integrals' norms), at
   * a fraction of the cost (src/sim_aug.c).  The steps are those of the run
   * without integrals except where an integral needs a shorter one, so the
   * other outputs agree with that run to the tolerance.  Needs the model's
   * analytic Jacobian (use_jac) and no sensitivities; otherwise CVODES
   * quadratures under error control. */
  int quad_carry;
  /* With quad: the observers' rows get the quadratures only at the last
   * output time (quad is NULL in the rows before).  Reading them costs a
   * CVodeGetQuad per row, 15 % of what per-subject AUCs add to a population
   * run, which needs only the integral over the whole run.  Samples, and
   * restarts at discontinuities, read them as before. */
  int quad_last_row;
  /* Forward sensitivities (CVODES, staggered corrector, difference-quotient
   * sensitivity right-hand sides) with respect to these entries of p:
   * parameters or <STATE>_0 values.  0 = none. */
  int nsens;
  const int *sens;
  /* Extra sample times (non-decreasing; may coincide with output times),
   * reported to observer->sample with IMS_SAMPLE_AT instead of as rows:
   * metrics use them for exact window boundaries. */
  const double *samples;
  size_t nsamples;
  /* Triggered events (firings of any trigger) per run before the run fails
   * as runaway: a rule without refractory time or max_count can chatter.
   * 0 = 100000. */
  long max_events;
} ims_opts_t;

void ims_opts_default(ims_opts_t *o);
/* Largest absolute tolerance: no state of any unit is measured to within 1e100. */
#define IMS_ATOL_MAX 1e100

/* Refuse options no run can use, with a message saying what to do: rtol
 * outside (0, 1), atol outside (0, IMS_ATOL_MAX], a negative or non-finite
 * step, negative counts, triggers or sensitivities naming nothing.
 * ims_sim_run calls it; a front end calls it before any work (the command
 * line does, for --rtol, --atol, --init-step and --max-steps).  A refused
 * solver setting reads "SETTING VALUE: why", so a front end can put its own
 * option name in front of the why. */
int ims_opts_validate(const ims_opts_t *o, const ims_model_t *m, ims_err_t *err);

/* Two times closer than ims_time_tol(t, scale) are one instant of the
 * driver's timeline: 8 DBL_EPSILON max(|t|, |scale|), with scale the run's
 * time scale max(|t0|, |tend|). */
double ims_time_tol(double t, double scale);

/* A fired trigger or dose, as reported to observers. */
typedef struct ims_logged {
  double t;
  int trigger; /* index into opts->triggers, or -1 for a dose */
  int var;
  double value; /* the variable's value at the crossing */
  int applied;  /* 1 when the action ran now, 0 when it was scheduled (delay) */
  int dir;      /* +1 upward or -1 downward crossing; 0: a delayed action being applied */
} ims_logged_t;

/* Kinds of samples (observer->sample). */
#define IMS_SAMPLE_AT 0     /* an extra sample time (opts->samples) */
#define IMS_SAMPLE_BEFORE 1 /* the left limit at a discontinuity, before anything at t */
#define IMS_SAMPLE_AFTER 2  /* right after the discontinuities at t were applied */

/* Observers see every output row (after the doses at that time) and every
 * logged event.  A non-zero return aborts the run with that status. */
typedef struct ims_observer {
  int (*row)(void *ud, double t, const double *y, const double *out, const double *quad);
  int (*event)(void *ud, const ims_logged_t *ev);
  void *ud;
  /* With opts->nsens > 0, called after row() at every output time:
   * dy[j*nstates + i] = d y_i / d p[sens[j]], dout[j*noutputs + k] likewise
   * for the outputs, dq[j*(nstates+noutputs) + c] for the quadratures (NULL
   * without opts->quad). */
  int (*sens)(void *ud, double t, const double *dy, const double *dout, const double *dq);
  /* Optional: extra sample times and both sides of every discontinuity.  At
   * one time t the order is: BEFORE, AFTER, the events of triggers whose
   * variable jumped across their threshold, AFTER again if their actions
   * ran at t, then rows and AT samples.  When a rule stops the run at t,
   * BEFORE (the state when it stopped) is the last call. */
  int (*sample)(void *ud, double t, int kind, const double *y, const double *out,
                const double *quad);
  /* Optional, with opts->nsens > 0: after sens() for a row at an instant
   * whose time moves with the parameters (a model breakpoint such as
   * Stein's Tmax, an action of a state-triggered rule): dtau[j] = d(time of
   * the instant)/d p[sens[j]] and rate[c] = d(column c)/dt just after it
   * (states, then outputs).  dy/dp of the row is at the fixed time t; a
   * quantity that moves with the instant (a peak at a breakpoint) has the
   * total derivative dy/dp + rate * dtau. */
  int (*sens_shift)(void *ud, double t, const double *dtau, const double *rate);
} ims_observer_t;

typedef struct ims_stats {
  long steps, rhs_evals, jac_evals, restarts, roots, ss_intervals;
  long err_test_fails, nonlin_conv_fails;
} ims_stats_t;

/* a += b, field by field (sums over subjects, ranks and shards). */
void ims_stats_add(ims_stats_t *a, const ims_stats_t *b);

/* The workspace: CVODE memory, vectors and event buffers for one model.
 * Reused across runs (CVodeReInit); one per thread. */
typedef struct ims_sim ims_sim_t;

int ims_sim_alloc(ims_sim_t **out, const ims_model_t *m, ims_err_t *err);
void ims_sim_free(ims_sim_t *s);

/* Run from opts->t0 to tout[ntout-1].  p holds the model's
 * parameter values (ims_model_nvalues of them); it is copied, so rules that
 * change parameters never touch the caller's array.  Rows are reported at
 * every tout (strictly increasing).  Returns 0, IMS_ESTOP when a rule
 * stopped the run early, or a negative error. */
int ims_sim_run(ims_sim_t *s, const double *p, const ims_schedule_t *sched, const ims_opts_t *opts,
                const double *tout, size_t ntout, const ims_observer_t *obs, ims_err_t *err);

const ims_stats_t *ims_sim_stats(const ims_sim_t *s);
/* The live parameter vector of the current run (for sensitivities). */
double *ims_sim_params(ims_sim_t *s);

/* Output grids: t0 + i*dt, i = 0..n, with `tend` itself always the last
 * time.  *out is allocated. */
int ims_grid_uniform(double t0, double tend, double dt, double **out, size_t *n, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
