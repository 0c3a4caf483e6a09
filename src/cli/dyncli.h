/* Shared pieces of the dynamics commands (equilibria, continue): their
 * options are rows of the one option table (options.c); these read the
 * values the table cannot check alone (STATE=LO:HI, A:B) and write the
 * provenance lines of their outputs. */
#ifndef IMS_DYNCLI_H
#define IMS_DYNCLI_H

#include "cli.h"

/* Parse the options (cli_begin) and load the model and parameters the run
 * options describe into x->r.  defaults, when not NULL, adjusts x->ra.spec
 * before the load (the orbit runs' own tolerances).  0 to go on, else the
 * exit code is in *code. */
int dyn_begin(cli_ctx_t *x, const char *cmd, int argc, char **argv, void (*defaults)(cli_ctx_t *x),
              int *code);

/* An option of the help group `group` given without option `key` would be
 * ignored: refused, naming both ("--grid: the phase plane options need
 * --plane X,Y"). */
int dyn_needs(const cli_args_t *a, const char *group, int key, const char *keyhelp, ims_err_t *err);

/* The output options of the command, in order (ids); at most one may be
 * standard output ('-'). */
int dyn_one_stdout(const cli_args_t *a, const int *ids, int n, ims_err_t *err);

/* --box STATE=LO:HI entries over the defaults already in lo, hi. */
int dyn_box(const ims_model_t *m, const cli_args_t *a, double *lo, double *hi, ims_err_t *err);
/* "LO:HI" into two finite numbers. */
int dyn_range(const char *s, double *lo, double *hi);

/* '#' lines: version, model, citation, parameter files, --set, the box (lo,
 * hi may be NULL). */
void dyn_meta(ims_output_t *o, const ims_run_t *r, const double *lo, const double *hi);

#endif
