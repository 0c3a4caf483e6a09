/* The figures of the dynamics commands on the command line: the
 * bifurcation diagram of `continue --plot` and the phase portrait of
 * `equilibria --plot`, and `immunosim plot` given their tables.  The
 * figures are built by the library (include/immunosim/dynplot.h) from the
 * tables, read from the group's temporary files while they are outputs
 * being written, and drawn into the same group. */
#ifndef IMS_DYNFIG_H
#define IMS_DYNFIG_H

#include "cli.h"
#include "immunosim/dynplot.h"

/* The figure options of a command line (--y, --logy/--liny, --logx/--linx,
 * --title; with ranges, --xrange/--yrange LO:HI, either end empty). */
typedef struct dyn_figopts {
  ims_dynplot_opts_t o;
  const char *y[CLI_MAX_REPEAT];
  const char *style;
} dyn_figopts_t;

int dyn_figopts(const cli_args_t *a, int ranges, dyn_figopts_t *fo, ims_err_t *err);

/* FIG from the continuation table in group g. */
int dyn_plot_bifurcation(ims_outset_t *g, const char *table, const char *fig,
                         const dyn_figopts_t *fo, const ims_model_t *m, ims_err_t *err);
/* FIG from the phase-plane tables in group g (any may be NULL, not all). */
int dyn_plot_portrait(ims_outset_t *g, const char *nc, const char *field, const char *eq,
                      const char *curves, const char *fig, const dyn_figopts_t *fo,
                      const ims_model_t *m, ims_err_t *err);

/* `immunosim plot FILES -o FIG` when the first file is a table of the
 * dynamics commands: draws it and returns 1 (the status in *rc); 0 when it
 * is not one (plot goes on with time courses). */
int dyn_plot_files(cli_ctx_t *x, const char *fig, int *rc);

#endif
