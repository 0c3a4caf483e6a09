/* Exposure and response metrics, computed in streaming form while a run
 * goes: no stored trajectory, no allocation after ims_metrics_alloc, all
 * state in the object (one per thread; reuse it across subjects).
 *
 * Per column (every state, then every output) and per window [a, b]:
 *   max, tmax      largest value and its time: output rows, both sides of
 *                  every discontinuity, and the local maxima located by
 *                  CVODE root finding on the column's time derivative, so
 *                  peaks between output times are exact, not grid-bound
 *   min, tmin      the same for the smallest value (nadir, time of nadir)
 *   trough         the value at b, before anything applied at b (for a
 *                  dosing interval: the trough before the next dose)
 *   auc, avg       integral over [a, b] from the CVODES quadrature (the run
 *                  needs opts.quad = 1), and auc / (b - a)
 *   regrow         first time after the window's nadir at which the column
 *                  rises above its baseline (its value at t0 before any
 *                  dose), located by root finding; NaN when it does not
 *   npeaks         how many local maxima the window holds: roots of the
 *                  column's time derivative where it falls through 0, so
 *                  the smooth solution's maxima, not the jump of a dose,
 *                  and only those more than the noise band away from the
 *                  neighbouring minima (ims_metrics_tolerances)
 *   period         mean spacing of those maxima, (t_last - t_first) /
 *                  (npeaks - 1): peak to peak; NaN with fewer than two
 *   amplitude      half the difference between the mean of the window's
 *                  local maxima and the mean of its local minima (half
 *                  the peak-to-peak range of a cycle); NaN without at
 *                  least one of each
 * (npeaks, period and amplitude need the extremum watches: NaN with
 * IMS_METRICS_NO_EXTREMA.)
 * Per threshold (column, value) and window:
 *   above, below   time spent above / below the value (from crossing times
 *                  located by root finding, and jumps at discontinuities)
 *   crossings      number of crossings (either direction) in [a, b)
 *
 * A window contains the right limit at a and the left limit at b: a dose at
 * a counts, a dose at b does not.  For exact boundaries the run must pass
 * through a and b: give ims_metrics_times() to the driver as opts.samples.
 * A boundary within the driver's merge tolerance (ims_time_tol) of a
 * discontinuity is at it.
 *
 * Usage (per subject):
 *   ims_metrics_alloc(&mt, model, windows, nw, thresholds, nth, flags, &err);
 *   ntr = ims_metrics_begin(mt, p, t0, trig + nbase, nbase);  // after your triggers
 *   opts.triggers = trig; opts.ntriggers = nbase + ntr; opts.quad = 1;
 *   opts.samples = ims_metrics_times(mt, &opts.nsamples);
 *   observer callbacks forward to ims_metrics_row/_sample/_event
 *   ims_sim_run(...); ims_metrics_end(mt);
 *   ims_metrics_value(mt, w, col, IMS_M_AUC) ...
 */
#ifndef IMMUNOSIM_METRICS_H
#define IMMUNOSIM_METRICS_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/schedule.h"
#include "immunosim/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Column metrics. */
#define IMS_M_MAX 0
#define IMS_M_TMAX 1
#define IMS_M_MIN 2
#define IMS_M_TMIN 3
#define IMS_M_TROUGH 4
#define IMS_M_AUC 5
#define IMS_M_AVG 6
#define IMS_M_REGROW 7
#define IMS_M_NPEAKS 8
#define IMS_M_PERIOD 9
#define IMS_M_AMPLITUDE 10
#define IMS_M_COUNT 11
/* Threshold metrics. */
#define IMS_T_ABOVE 0
#define IMS_T_BELOW 1
#define IMS_T_CROSSINGS 2
#define IMS_T_COUNT 3

/* What unit a metric is in. */
#define IMS_MU_COLUMN 0 /* the column's unit */
#define IMS_MU_TIME 1   /* the model's time unit */
#define IMS_MU_AUC 2    /* time unit times the column's unit */
#define IMS_MU_ONE 3    /* a count */
#define IMS_MU_SPAN 4   /* a difference of the column's values: its unit without an offset */

const char *ims_metric_name(int k);  /* "max", "tmax", ... */
int ims_metric_unit(int k);          /* IMS_MU_* */
const char *ims_tmetric_name(int k); /* "above", "below", "crossings" */
int ims_tmetric_unit(int k);

typedef struct ims_window {
  double a, b;
  char label[32]; /* "all", "dose3", "last", "10:20" */
} ims_window_t;

typedef struct ims_threshold {
  int col; /* state index, or nstates + output index */
  double value;
} ims_threshold_t;

/* Flags. */
#define IMS_METRICS_NO_EXTREMA 1u /* do not refine peaks/nadirs by root finding */
#define IMS_METRICS_NO_REGROW 2u  /* no baseline triggers (regrow is NaN) */

typedef struct ims_metrics ims_metrics_t;

int ims_metrics_alloc(ims_metrics_t **out, const ims_model_t *m, const ims_window_t *w, int nw,
                      const ims_threshold_t *th, int nth, unsigned flags, ims_err_t *err);
void ims_metrics_free(ims_metrics_t *mt);

/* The most triggers ims_metrics_begin can write. */
int ims_metrics_max_triggers(const ims_metrics_t *mt);
/* Track only these columns (state index, or nstates + output index), plus
 * the columns of the thresholds: only they get peaks refined by root finding
 * and regrowth watched; the others' metrics are NaN.  Default: every
 * column.  Call before ims_metrics_begin. */
int ims_metrics_columns(ims_metrics_t *mt, const int *cols, int n, ims_err_t *err);
/* The solver's tolerances of the runs (default: ims_opts_default's), for
 * the noise band of local extrema: a maximum and the next minimum closer
 * than 10 (rtol |v| + atol) (outputs: the relative part) are solver noise
 * on a flat stretch, not an oscillation, and are not counted (npeaks,
 * period, amplitude, the listener).  atol_vec: per state, or NULL. */
int ims_metrics_tolerances(ims_metrics_t *mt, double rtol, double atol, const double *atol_vec,
                           ims_err_t *err);
/* Start a run (or a subject): clear the accumulators and write the triggers
 * the metrics need to tr[0..], which the caller places at index `first` of
 * opts.triggers.  p are the run's parameter values (for the baselines), t0
 * its start.  Returns how many triggers were written. */
int ims_metrics_begin(ims_metrics_t *mt, const double *p, double t0, ims_trigger_t *tr, int first);
/* Window boundaries, sorted: pass as opts.samples. */
const double *ims_metrics_times(const ims_metrics_t *mt, size_t *n);

/* Optional: told of every local extremum of a tracked column (kind +1 a
 * maximum, -1 a minimum; located by root finding on the column's time
 * derivative, so jumps at doses are not extrema; noise pairs dropped as for
 * npeaks; each told once the next one, or the run's end, confirms it) and
 * of every crossing of
 * a threshold (dir +1 upward, -1 downward; by root finding, or at a
 * discontinuity that jumps across it), over the whole run, in time order.
 * A non-zero return (a failed write) is returned by ims_metrics_event. */
typedef struct ims_metrics_listener {
  int (*extremum)(void *ud, int col, double t, double value, int kind);
  int (*crossing)(void *ud, int th, double t, int dir);
  void *ud;
} ims_metrics_listener_t;
/* Set (or with NULL clear) the listener; it stays until changed. */
void ims_metrics_listen(ims_metrics_t *mt, const ims_metrics_listener_t *l);

/* Observer entry points (return 0, or the listener's failure). */
int ims_metrics_row(ims_metrics_t *mt, double t, const double *y, const double *out,
                    const double *quad);
int ims_metrics_sample(ims_metrics_t *mt, double t, int kind, const double *y, const double *out,
                       const double *quad);
/* Events of other triggers (outside this object's range) are ignored. */
int ims_metrics_event(ims_metrics_t *mt, const ims_logged_t *ev);
/* An observer that feeds only this object. */
void ims_metrics_observer(ims_metrics_t *mt, ims_observer_t *obs);
/* After the run (also after an early stop: windows then end at the last
 * time seen and are marked incomplete).  Returns 0, or the listener's
 * failure (the last extremum is confirmed here). */
int ims_metrics_end(ims_metrics_t *mt);

int ims_metrics_nwindows(const ims_metrics_t *mt);
const ims_window_t *ims_metrics_window(const ims_metrics_t *mt, int w);
int ims_metrics_nthresholds(const ims_metrics_t *mt);
const ims_threshold_t *ims_metrics_threshold(const ims_metrics_t *mt, int k);
/* 1 when the run covered the whole window. */
int ims_metrics_complete(const ims_metrics_t *mt, int w);
/* A metric (NaN when undefined). */
double ims_metrics_value(const ims_metrics_t *mt, int w, int col, int k);
double ims_metrics_tvalue(const ims_metrics_t *mt, int w, int th, int k);

/* Windows from a schedule: bit 1 the whole run [t0, tend] ("all"), bit 2
 * each dosing interval ("dose1", ...: from each distinct dose or infusion
 * start to the next, the last one to its ii or to tend), bit 4 the last
 * complete dosing interval ("last": the steady state of a long regimen).
 * *w is allocated (the caller frees it); windows are appended to it. */
#define IMS_WIN_ALL 1
#define IMS_WIN_DOSES 2
#define IMS_WIN_LAST 4
int ims_windows_from_schedule(const ims_schedule_t *s, double t0, double tend, int which,
                              ims_window_t **w, int *nw, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
