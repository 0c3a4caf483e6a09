/* `immunosim plot` and the figures of run, compare, sweep and sensitivity:
 * tables read with the library's reader, figures built by the library
 * (include/immunosim/plots.h) and drawn by its gnuplot writer.  The script
 * FIG.gp and the figure are outputs of the command's group: committed with
 * its tables, or not at all. */
#ifndef IMS_CLI_PLOT_H
#define IMS_CLI_PLOT_H

#include "cli.h"

typedef struct cli_plot_opts {
  const char *y[CLI_MAX_REPEAT]; /* --y COL[,COL...], repeatable */
  int ny;
  const char *hline[CLI_MAX_REPEAT]; /* --hline COL=VALUE[:LABEL] */
  int nhline;
  const char *points[CLI_MAX_REPEAT]; /* --points FILE: reference data */
  int npoints;
  const char *style;    /* lecture (default) | paper */
  const char *title;    /* NULL: from the metadata; "": none */
  const char *ylabel;   /* --ylabel: every panel's y label (NULL: column and unit) */
  const char *labels;   /* "A,B": one per input file */
  const char *schedule; /* plot -s: doses from this schedule instead of the '# dose:' lines */
  const char *xcol;     /* --x COL: plot against a column instead of time */
  const char *xrange;   /* --xrange LO:HI, in the shown unit */
  const char *yrange;   /* --yrange LO:HI, every panel */
  int overlay;          /* all columns in one panel */
  int logy, logx;       /* -1 from the data's dynamic range, 0 linear, 1 log */
  int weeks;            /* time in weeks */
  int no_doses;
} cli_plot_opts_t;

void cli_plot_opts_init(cli_plot_opts_t *o);
/* The figure options of a parsed command line (--y, --logy, ...; not -s). */
void cli_plot_opts_from_args(cli_plot_opts_t *o, const cli_args_t *a);

/* Before a run: the figure options that would only fail after it (ranges,
 * --hline, --labels for nfiles tables, the columns of --y, --x and --hline
 * among cols). */
int cli_plot_check(const cli_plot_opts_t *o, int nfiles, const char *const *cols, int ncols,
                   ims_err_t *err);
/* Before the work: FIG's format (.png, .svg, .pdf), a writable directory,
 * gnuplot, and FIG.gp and FIG opened in the group g.  opt names the option
 * in messages ("--plot", "-o"). */
int cli_figure_open(ims_outset_t *g, const char *opt, const char *fig, ims_err_t *err);

/* A time course of run outputs (or population bands) into FIG, in group g.
 * Tables that are outputs of g (a run being written) are read from their
 * temporary files; a table's model is the built-in its '# model:' line names,
 * or the model file of its '# model-file:' line.  IMS_EINPUT for bad options or data, IMS_EIO when
 * gnuplot fails. */
int cli_plot(const cli_plot_opts_t *o, const char *const *files, int nfiles, const char *fig,
             ims_outset_t *g, ims_err_t *err);
/* A table by its name, from the group's temporary file while it is an output
 * being written; messages and the figure name the table as given.  (Shared
 * with the dynamics figures, src/cli/dynfig.c.) */
int cli_plot_load(ims_table_t **t, ims_outset_t *g, const char *path, unsigned flags,
                  ims_err_t *err);
/* The model a table comes from: the model file its '# model-file:' line
 * names (opened; release with cli_model_close), else the built-in of its
 * '# model:' line, else NULL. */
int cli_plot_table_model(const ims_table_t *t, const ims_model_t **m, ims_err_t *err);
/* Draw f into FIG in group g with a style (NULL: lecture). */
int cli_plot_render(const ims_fig_t *f, const char *fig, const char *style, ims_outset_t *g,
                    ims_err_t *err);

/* FIG from a sweep table (sweep --plot): the metric column over one or two
 * varied values; metric NULL for the first peak column.  m: the run's model
 * (names in words). */
int cli_plot_sweep(ims_outset_t *g, const char *table, const char *metric, const ims_model_t *m,
                   const char *fig, ims_err_t *err);
/* FIG from a ranked sensitivity table (sensitivity --plot) of column `of`. */
int cli_plot_sensitivity(ims_outset_t *g, const char *table, const char *of, const ims_model_t *m,
                         const char *fig, ims_err_t *err);

#endif
