/* Shared pieces of the command-line front end.  The commands are thin: each
 * parses its options (opt.h) and calls the library (include/immunosim/). */
#ifndef IMS_CLI_H
#define IMS_CLI_H

#include "immunosim/immunosim.h"
#include "opt.h"

#include <stddef.h>
#include <stdio.h>

#define CLI_MAX_REPEAT 64

/* Print "immunosim: msg" to stderr and return the exit code for status. */
int cli_fail(int status, const ims_err_t *err);
int cli_failf(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "immunosim: note: msg" on stderr (after clearing a progress bar). */
void cli_notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Where params/ and plots/ live: $IMMUNOSIM_DATA, beside the installed
 * binary (../share/immunosim), the source tree (../), or the configured
 * IMS_DATADIR. */
const char *cli_datadir(void);
/* Resolve a parameter or schedule argument: an existing path as is, else a
 * bare name looked up in the data directory (no error; see ims_data_resolve
 * for the checked form). */
void cli_resolve(char *out, size_t n, const char *arg, const char *subdir);
/* The candidate closest to name, for "did you mean" (ims_suggest). */
const char *cli_suggest(const char *name, const char *const *cands, int n);

/* The one place a MODEL argument (a built-in name or a model file) becomes a
 * model; release with cli_model_close. */
int cli_model_open(const char *arg, int no_unit_check, const ims_model_t **m, ims_err_t *err);
void cli_model_close(const ims_model_t *m);

/* The run options of run, compare, sweep, population and sensitivity. */
typedef struct cli_runargs {
  ims_run_spec_t spec;
  ims_metrics_spec_t metrics;
  const char *params[CLI_MAX_REPEAT], *sets[CLI_MAX_REPEAT], *units[CLI_MAX_REPEAT];
  const char *atols[CLI_MAX_REPEAT], *extinct[CLI_MAX_REPEAT];
  const char *windows[CLI_MAX_REPEAT], *thresholds[CLI_MAX_REPEAT];
  int format; /* IMS_FMT_* | IMS_OUT_NO_META */
} cli_runargs_t;
/* Fill ra from the parsed options (opens the model: a.pos[0]). */
int cli_runargs(cli_runargs_t *ra, const cli_args_t *a, ims_err_t *err);
void cli_runargs_free(cli_runargs_t *ra);
/* Print a run's notes ("nothing is dosed") on stderr. */
void cli_print_notes(const ims_run_t *r);

/* What a simulating command holds: its options, its run, its outputs. */
typedef struct cli_ctx {
  cli_args_t a;
  cli_runargs_t ra;
  ims_err_t err;
  ims_outset_t *g; /* the command's outputs, committed together */
  ims_run_t *r;    /* after cli_load_run */
} cli_ctx_t;
/* Parse the options of cmd and open an output group (and, for a command
 * whose argument is a MODEL, read the run options): 0 to go on, else the
 * exit code (0 after --help) is in *code. */
int cli_begin(cli_ctx_t *x, const char *cmd, int argc, char **argv, int *code);
/* Load the run the options describe (and print its notes); a status. */
int cli_load_run(cli_ctx_t *x);
/* Commit the outputs when rc is 0, else remove them; a status. */
int cli_commit(cli_ctx_t *x, int rc);
/* Free everything; the exit code for rc (printing x->err when rc != 0). */
int cli_end(cli_ctx_t *x, int rc);

/* A group of outputs whose temporary files a signal (SIGINT, SIGTERM,
 * SIGHUP) removes before the process dies. */
int cli_outset(ims_outset_t **g, ims_err_t *err);
void cli_signals_install(void);

/* FIG with its extension replaced by ext (FIG.csv beside FIG.png).  The
 * figure itself: plot.h. */
void cli_sibling(char *buf, size_t n, const char *fig, const char *ext);

/* A progress bar on stderr for work longer than about a second, only when
 * stderr is a terminal and nothing streams to the same terminal on stdout
 * (stdout_busy); "[###---]  42%  t = 17.6 / 42 d" (label "t", offset t0) or
 * "[###---]  42%  420 / 1000 subjects" (label NULL);
 * redrawn at most 10 times a second, cleared before anything else is printed,
 * ending at 100 %.  IMMUNOSIM_PROGRESS_DELAY sets the delay in seconds
 * (tests use 0).  One bar per process (the CLI's only global state besides
 * the signal-safe list of temporary files). */
void cli_progress_start(const char *label, const char *unit, double offset, int stdout_busy);
void cli_progress(void *ud, double done, double total); /* an ims_progress_fn */
void cli_progress_clear(void);
void cli_progress_done(void);

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_population(int argc, char **argv);
int cmd_doc(int argc, char **argv);
int cmd_equilibria(int argc, char **argv);
int cmd_continue(int argc, char **argv);
int cmd_translate(int argc, char **argv);

int cmd_export(int argc, char **argv); /* export.c */

#endif
