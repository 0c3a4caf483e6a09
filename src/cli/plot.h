/* `immunosim plot` and `immunosim run --plot`: gnuplot scripts from the
 * templates in plots/, then gnuplot. */
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
  const char *schedule; /* -s: doses from this schedule instead of the '# dose:' lines */
  const char *xcol;     /* --x COL: plot against a column instead of time */
  const char *xrange;   /* --xrange LO:HI, in the shown unit */
  const char *yrange;   /* --yrange LO:HI, every panel */
  int overlay;          /* all columns in one panel */
  int logy, logx;       /* -1 from the data's dynamic range, 0 linear, 1 log */
  int weeks;            /* time in weeks */
  int no_doses;
} cli_plot_opts_t;

void cli_plot_opts_init(cli_plot_opts_t *o);
/* Consume one plot option at argv[*i] (not -o, -s: the commands own those);
 * 1 if consumed, 0 if not a plot option, -1 after printing an error. */
int cli_plot_arg(cli_plot_opts_t *o, int argc, char **argv, int *i);
/* The plot options' help text, shared by `plot --help` and `run --help`. */
extern const char cli_plot_options_help[];

/* Write FIG's script (FIG with the extension replaced by .gp) from the data
 * files and run gnuplot on it.  Exit-code statuses: IMS_EINPUT for bad
 * options or data, IMS_EIO when the script cannot be written, the template is
 * missing, or gnuplot is missing or fails (the script is kept). */
int cli_plot(const cli_plot_opts_t *o, const char *const *files, int nfiles, const char *fig,
             ims_err_t *err);

int cmd_plot(int argc, char **argv);

/* "png", "svg" or "pdf" from the figure's extension; NULL for anything else. */
const char *cli_plot_term(const char *fig);
/* FIG from a sweep table (sweep --plot): the metric column over one or two
 * varied values; metric NULL for the first peak column. */
int cli_plot_sweep(const char *table, const char *metric, const char *fig, ims_err_t *err);
/* FIG from a ranked sensitivity table (sensitivity --plot) of column `of`. */
int cli_plot_sensitivity(const char *table, const char *of, const char *fig, ims_err_t *err);

#endif
