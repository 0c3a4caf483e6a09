/* The dynamics commands (equilibria, continue): their small option table
 * and shared set-up.  The table is local until the CLI's one option table
 * lands; each entry maps one-to-one onto it. */
#ifndef IMS_DYNCLI_H
#define IMS_DYNCLI_H

#include "cli.h"

#define DYN_MAX_OPTS 32

typedef struct dyn_opt {
  const char *lng;  /* "--box" */
  const char *shrt; /* "-o" or NULL */
  int arg;          /* takes a value */
  int repeat;       /* may be given more than once */
} dyn_opt_t;

typedef struct dyn_args {
  const char *model;
  const char *v[DYN_MAX_OPTS][CLI_MAX_REPEAT];
  int n[DYN_MAX_OPTS];
} dyn_args_t;

/* Parse argv against tab (nopt entries; index = option id).  Returns 0, -1
 * after printing help (--help), or an exit code after printing the error. */
int dyn_parse(const char *cmd, const char *help, const dyn_opt_t *tab, int nopt, int argc,
              char **argv, dyn_args_t *a);
/* The last value of option id, or def. */
const char *dyn_str(const dyn_args_t *a, int id, const char *def);
/* A number option (finite), or def; <0 return on a bad value (message printed). */
int dyn_num(const dyn_args_t *a, int id, const dyn_opt_t *tab, double def, double *v);

/* Model and parameters (-p, --set) as every command loads them; run-time
 * options for simulations (orbits) come from r (may hold rtol, atol,
 * extinct).  s is set up by cli_setup. */
int dyn_setup(cli_setup_t *s, cli_run_args_t *r, const dyn_args_t *a, int id_params, int id_set,
              ims_err_t *err);

/* --box STATE=LO:HI entries over the defaults already in lo, hi. */
int dyn_box(const ims_model_t *m, const dyn_args_t *a, int id, double *lo, double *hi,
            ims_err_t *err);
/* "LO:HI" into two finite numbers. */
int dyn_range(const char *s, double *lo, double *hi);

/* '#' lines: model, citation, parameter files, --set, the box. */
void dyn_meta(ims_output_t *o, const cli_setup_t *s, const cli_run_args_t *r, const double *lo,
              const double *hi);

int cmd_equilibria(int argc, char **argv);
int cmd_continue(int argc, char **argv);

#endif
