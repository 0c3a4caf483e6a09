/* Shared pieces of the command-line front end. */
#ifndef IMS_CLI_H
#define IMS_CLI_H

#include "immunosim/immunosim.h"

#include <stddef.h>
#include <stdio.h>

/* A subcommand: name, one-line summary, entry point, help text. */
typedef struct cli_cmd {
  const char *name;
  const char *summary;
  int (*main)(int argc, char **argv);
  const char *help;
} cli_cmd_t;

extern const cli_cmd_t cli_cmds[];
extern const int cli_ncmds;

/* Print "immunosim: msg" to stderr and return the exit code for status. */
int cli_fail(int status, const ims_err_t *err);
int cli_failf(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Where params/ and plots/ live: $IMMUNOSIM_DATA, beside the installed
 * binary (../share/immunosim), the source tree (../), or the configured
 * IMS_DATADIR. */
const char *cli_datadir(void);
/* Resolve a parameter or schedule argument: an existing path as is, else a
 * bare name looked up in the data directory. */
void cli_resolve(char *out, size_t n, const char *arg, const char *subdir);

/* The candidate closest to name (same letters ignoring case, else at most 2
 * edits), for "did you mean" hints; NULL if none is close. */
const char *cli_suggest(const char *name, const char *const *cands, int n);
/* A "did you mean" hint for an unknown model name ("" if none is close). */
void cli_model_hint(char *out, size_t n, const char *name);
/* The one place a model argument (a built-in name or a model file) is opened;
 * warnings go to stderr.  Close with ims_model_close. */
int cli_model_open(const ims_model_t **m, const char *arg, int no_unit_check, ims_err_t *err);

/* Options shared by run, compare, sweep, population and sensitivity. */
#define CLI_MAX_REPEAT 64
typedef struct cli_run_args {
  const char *model;
  const char *pfiles[CLI_MAX_REPEAT];
  int npfiles;
  const char *sets[CLI_MAX_REPEAT];
  int nsets;
  const char *schedules[CLI_MAX_REPEAT];
  int nschedules;
  const char *units[CLI_MAX_REPEAT];
  int nunits;
  const char *atols[CLI_MAX_REPEAT];
  int natols;
  const char *extinct[CLI_MAX_REPEAT];
  int nextinct;
  const char *rules;
  const char *times_file;
  const char *out;
  const char *format;
  const char *plot;
  double t0, tend, dt;
  double rtol, atol, init_step;
  long max_steps;
  int method, no_jac, stats, no_extinct;
  int no_unit_check; /* model files: unit errors become warnings */
  int have_dt;
  /* metrics, rules (explore.c) */
  int metrics;
  const char *metrics_out;
  const char *events_out;
  const char *cols; /* comma-separated metric columns; NULL = all */
  const char *thresholds[CLI_MAX_REPEAT];
  int nthresholds;
  const char *windows[CLI_MAX_REPEAT];
  int nwindows;
} cli_run_args_t;

void cli_run_args_init(cli_run_args_t *a);
/* Consume one shared option at argv[*i]; 1 if consumed, 0 if not ours, <0 on error. */
int cli_run_arg(cli_run_args_t *a, int argc, char **argv, int *i);

/* Everything a simulation needs, loaded and validated from the arguments. */
typedef struct cli_setup {
  const ims_model_t *m;
  ims_units_t *units;
  ims_params_t *params;
  ims_schedule_t *sched;
  double *tout;
  size_t ntout;
  ims_opts_t opts;
  double *atol_vec;
  ims_trigger_t *triggers;
  int ntriggers;
  ims_rules_t *rules; /* -r, or NULL */
  int nbase;          /* extinction and rule triggers; metrics triggers follow */
  /* output columns: time, states, outputs, with display units */
  int ncols;
  const char **colnames;
  const char **colunits;
  double *colscale, *coloffset;
} cli_setup_t;

int cli_setup(cli_setup_t *s, const cli_run_args_t *a, int which_schedule, ims_err_t *err);
void cli_setup_free(cli_setup_t *s);

/* Write the standard '#' metadata for a run. */
void cli_write_meta(ims_output_t *o, const cli_setup_t *s, const cli_run_args_t *a);

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

/* ---- metrics, event logs and shared simulation (explore.c) ---------- */
typedef struct cli_metrics {
  ims_metrics_t *mt;
  ims_window_t *w;
  int nw;
  ims_threshold_t th[CLI_MAX_REPEAT];
  int nth;
  int sel[256]; /* metric columns (state, then output indices) */
  int nsel;
} cli_metrics_t;

/* Windows, thresholds and columns from the arguments; the metrics triggers
 * are appended to s->triggers and the run set up for quadratures and
 * window samples.  allow_doses = 0 refuses per-dose windows (compare). */
int cli_metrics_init(cli_metrics_t *cm, cli_setup_t *s, const cli_run_args_t *a, int allow_doses,
                     ims_err_t *err);
/* Restart the metrics for new parameter values p (rewrites its triggers). */
void cli_metrics_begin(cli_metrics_t *cm, cli_setup_t *s, const double *p);
void cli_metrics_free(cli_metrics_t *cm);
/* A metric in the column's display unit, and that unit. */
double cli_metric(const cli_metrics_t *cm, const cli_setup_t *s, int w, int col, int k);
double cli_tmetric(const cli_metrics_t *cm, int w, int th, int k);
void cli_metric_unit(const cli_setup_t *s, int col, int kind, char *buf, size_t n);
/* "C1>1000 pg/mL" */
void cli_threshold_label(const cli_metrics_t *cm, const cli_setup_t *s, int th, char *buf,
                         size_t n);
/* The aligned table (--metrics) and the tidy CSV (--metrics-out). */
void cli_metrics_print(FILE *fp, const cli_metrics_t *cm, const cli_setup_t *s);
int cli_metrics_write(const char *path, const cli_metrics_t *cm, const cli_setup_t *s,
                      const cli_run_args_t *a, ims_err_t *err);
/* "%.10g", or "NaN" (which R and pandas read as a number). */
const char *cli_num(char *buf, double v);
/* Print an aligned table of text cells (row-major, nrow x ncol). */
void cli_table_print(FILE *fp, char (*cells)[48], int nrow, int ncol);

/* One simulation feeding the table writer (out), the event log and the
 * metrics, each optional.  Returns 0 (also when a rule stopped the run:
 * *stopped is set) or an error. */
/* A progress bar on stderr for runs longer than about a second, only when
 * stderr is a terminal (never in output files), redrawn at most 10 times a
 * second.  IMMUNOSIM_PROGRESS_DELAY sets the delay in seconds (tests use 0). */
typedef struct cli_progress {
  int on, shown;
  double start, last, delay, t0, tend;
  const char *unit;
} cli_progress_t;
void cli_progress_init(cli_progress_t *p, double t0, double tend, const char *unit);
void cli_progress_tick(cli_progress_t *p, double t);
void cli_progress_done(cli_progress_t *p);

typedef struct cli_sinks {
  ims_output_t *out;        /* rows and '# event:' comments */
  cli_progress_t *progress; /* or NULL */
  ims_output_t *events;     /* --events-out */
  cli_metrics_t *cm;
  int stopped;
  double tstop;
} cli_sinks_t;
int cli_simulate(cli_setup_t *s, ims_sim_t *sim, const double *p, cli_sinks_t *k, ims_err_t *err);
/* Open the --events-out table and write its header. */
int cli_events_open(ims_output_t **o, const char *path, ims_err_t *err);

int cmd_plot(int argc, char **argv);

int cmd_population(int argc, char **argv);
int cmd_translate(int argc, char **argv);

int cmd_export(int argc, char **argv); /* export.c */

#endif
