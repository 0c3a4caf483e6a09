/* A run as the command line describes one: a model, parameter files and
 * overrides, a schedule, rules, output times, solver options and display
 * units, loaded and checked into an ims_run_t; then one simulation feeding
 * a table, an event log and metrics.  Every command (run, compare, sweep,
 * population, sensitivity) starts from an ims_run_t.
 *
 *   ims_run_spec_t spec;
 *   ims_run_spec_init(&spec);
 *   spec.model = ims_model_find("pk2cmt");
 *   spec.datadir = "/usr/local/share/immunosim";   // for bare set/schedule names
 *   spec.schedule = "blinatumomab_cycle1";
 *   spec.tend = 42;
 *   ims_run_t *run;
 *   ims_run_alloc(&run, &spec, &err);
 *   ims_run_out_t out = {.table = "blina.csv"};
 *   ims_outset_t *files;
 *   ims_outset_alloc(&files, NULL, NULL, &err);
 *   ims_run_write(run, files, &out, &err) || ims_outset_commit(files, &err);
 *   ims_outset_free(files); ims_run_out_free(&out); ims_run_free(run);
 */
#ifndef IMMUNOSIM_RUN_H
#define IMMUNOSIM_RUN_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/output.h"
#include "immunosim/params.h"
#include "immunosim/rules.h"
#include "immunosim/schedule.h"
#include "immunosim/sim.h"
#include "immunosim/units.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_report; /* report.h */

/* What to load.  Strings are the caller's and must outlive the run. */
typedef struct ims_run_spec {
  const ims_model_t *model;
  const char *datadir;       /* resolves bare names (data.h); NULL: paths only */
  const char *const *params; /* parameter files or set names, layered; none: the default set */
  int nparams;
  const char *const *sets; /* NAME=VALUE[UNIT] overrides */
  int nsets;
  const char *schedule;     /* file or shipped name; NULL: nothing is dosed */
  const char *rules;        /* file or shipped name, or NULL */
  const char *times;        /* a file of output times, or NULL for a grid */
  const char *const *units; /* COLUMN=UNIT display units */
  int nunits;
  const char *const *atols; /* STATE=A absolute tolerances */
  int natols;
  const char *const *extinct; /* STATE=FLOOR extinction rules */
  int nextinct;
  double t0;   /* start (default 0) */
  double tend; /* end; NaN (default): the last dose (with its repeats and lag) + 28 */
  /* Output step; 0 (default): a 1-2-5 step giving at most about 1000 rows, plus
   * every dose time and infusion end, so infusion peaks and troughs are rows. */
  double dt;
  double rtol, atol, init_step; /* defaults 1e-6, 1e-9, 0 (CVODE's estimate) */
  long max_steps;               /* 0: the driver's default */
  int method;                   /* IMS_BDF or IMS_ADAMS */
  int no_jac;                   /* difference-quotient Jacobian */
  int no_extinct;               /* switch off the model's own extinction rule */
} ims_run_spec_t;

void ims_run_spec_init(ims_run_spec_t *s);

#define IMS_RUN_MAX_NOTES 4

/* A loaded run.  Read-only for callers, except opts (which metrics and
 * sensitivities extend). */
typedef struct ims_run {
  ims_run_spec_t spec;
  const ims_model_t *m;
  ims_units_t *units;
  ims_params_t *params;
  ims_schedule_t *sched; /* empty (nrec 0) without a schedule */
  double *tout;
  size_t ntout;
  ims_opts_t opts;
  double *atol_vec;
  ims_trigger_t *triggers; /* extinction and rule triggers, then room for metrics */
  int ntriggers;
  int nbase; /* extinction and rule triggers */
  ims_rules_t *rules;
  /* Output columns: time, states, outputs, in display units
   * (display = scale * canonical + offset). */
  int ncols;
  const char **colnames;
  const char **colunits;
  double *colscale, *coloffset;
  /* What a user should know that is not an error ("nothing is dosed"). */
  char notes[IMS_RUN_MAX_NOTES][320];
  int nnotes;
} ims_run_t;

int ims_run_alloc(ims_run_t **out, const ims_run_spec_t *spec, ims_err_t *err);
void ims_run_free(ims_run_t *r);

/* Index (0-based over states, then outputs) of a column by name; -1 if none. */
int ims_run_column(const ims_run_t *r, const char *name);
/* Name and canonical unit of entry k of the parameter vector (<STATE>_0 for
 * initial values); buf holds the <STATE>_0 names. */
const char *ims_run_value_name(const ims_run_t *r, int k, char *buf, size_t n);
const char *ims_run_value_unit(const ims_run_t *r, int k);
/* The model's columns plus the run's metadata as '#' lines: version, model,
 * citation, parameter files with checksums, overrides, schedule, rules,
 * solver, extinction, and the expanded doses ("# dose: ..."). */
void ims_run_write_meta(ims_output_t *o, const ims_run_t *r);

/* Progress of a long computation: done out of total (any unit). */
typedef void (*ims_progress_fn)(void *ud, double done, double total);

/* Where one simulation goes; each sink optional. */
typedef struct ims_run_sinks {
  ims_output_t *out;         /* rows and '# event:' lines */
  ims_output_t *events;      /* the event log (after ims_run_events_header) */
  struct ims_report *report; /* metrics */
  ims_progress_fn progress;  /* called with (t - t0, tend - t0) at each row */
  void *progress_ud;
  int stopped; /* out: a rule stopped the run */
  double tstop;
} ims_run_sinks_t;

/* One simulation with parameter values p (ims_model_nvalues).  Returns 0
 * (also when a rule stopped the run: k->stopped) or an error; a write that
 * fails is IMS_EIO naming the file. */
int ims_run_simulate(ims_run_t *r, ims_sim_t *sim, const double *p, ims_run_sinks_t *k,
                     ims_err_t *err);
/* The header of an event log: time,rule,variable,value,action,status. */
int ims_run_events_header(ims_output_t *o);

/* ---- the `run` command ---- */
typedef struct ims_metrics_spec ims_metrics_spec_t; /* report.h */

typedef struct ims_run_out {
  const char *table;   /* path, "-" for stdout, NULL for none */
  int format;          /* IMS_FMT_CSV or IMS_FMT_TSV, | IMS_OUT_NO_META */
  const char *events;  /* event log CSV, or NULL */
  const char *metrics; /* tidy metrics CSV, or NULL */
  /* Every local extremum of the metrics columns (column,kind,time,value,unit)
   * and every crossing of each threshold (column,threshold,unit,time,
   * direction), over the whole run, in time order; NULL for none.  Both need
   * mspec (the columns, the thresholds). */
  const char *extrema;
  const char *crossings;
  /* Metrics: windows, thresholds, columns; NULL: none, unless metrics is set. */
  const ims_metrics_spec_t *mspec;
  ims_progress_fn progress;
  void *progress_ud;
  /* Results. */
  struct ims_report *report; /* the metrics (free with ims_run_out_free) */
  int stopped;
  ims_stats_t stats;
} ims_run_out_t;

/* Open every output of o in the group (so an unwritable path fails first),
 * simulate, and write them; the caller commits or aborts the group. */
int ims_run_write(ims_run_t *r, ims_outset_t *g, ims_run_out_t *o, ims_err_t *err);
void ims_run_out_free(ims_run_out_t *o);

#ifdef __cplusplus
}
#endif
#endif
