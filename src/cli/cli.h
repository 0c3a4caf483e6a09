/* Shared pieces of the command-line front end. */
#ifndef IMS_CLI_H
#define IMS_CLI_H

#include "immunosim/immunosim.h"

#include <stddef.h>

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
  int have_dt;
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

int cmd_plot(int argc, char **argv);

int cmd_population(int argc, char **argv);

#endif
