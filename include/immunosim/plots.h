/* Figures from tables: the builders behind `immunosim plot` (time courses,
 * bands, phase portraits), `sweep --plot` (a metric over a 1-D or 2-D grid)
 * and `sensitivity --plot` (ranked bars).  Each fills an ims_fig_t from
 * tables read with ims_table_load_*; ims_fig_render draws it.  Messages name
 * the options of `immunosim plot` (--y, --hline, ...) that the fields mirror.
 */
#ifndef IMMUNOSIM_PLOTS_H
#define IMMUNOSIM_PLOTS_H

#include "immunosim/err.h"
#include "immunosim/figure.h"
#include "immunosim/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A labelled reference line in a column's panel, in the column's unit. */
typedef struct ims_plot_hline {
  const char *col;
  double value;
  const char *label;
} ims_plot_hline_t;

typedef struct ims_plot_opts {
  const char *const *y; /* column lists "A,B" (--y); none: the model's default figure */
  int ny;
  int overlay; /* every column in one panel */
  int scale;   /* y scale of every panel: IMS_SCALE_AUTO (the model's, else the data's), LIN, LOG */
  int xscale;  /* the x scale with x */
  int weeks;   /* time in weeks (the data in days) */
  const char *x;             /* plot against this column instead of time (a phase portrait) */
  double xlo, xhi, ylo, yhi; /* NaN: from the data */
  const ims_plot_hline_t *hline;
  int nhline;
  /* reference data drawn as black points: time (days) first, columns named like the
   * runs', COL_lo and COL_hi error bars; a '# label:' line names it (else its file) */
  const ims_table_t *const *points;
  int npoints;
  const char *title;         /* NULL: model, parameter set, schedule; "": none */
  const char *ylabel;        /* every panel's y label (NULL: names and units) */
  const char *const *labels; /* per table (NULL: the '# label:' line, else the file name) */
  int no_doses;
  const char *schedule; /* the doses were replaced by this schedule's (named in the title) */
  /* The tables' model, for names and the default figure.  NULL: the built-in
   * the first table's '# model:' line names (ims_plot_model). */
  const ims_model_t *model;
} ims_plot_opts_t;

/* Defaults: no columns chosen, automatic scales, NaN ranges. */
void ims_plot_opts_init(ims_plot_opts_t *o);

/* A time course of run outputs (or population bands: COL_p05..COL_p95
 * columns): one panel per column (or one for all with overlay), every table
 * overlaid with a legend, doses from the tables' '# dose:' lines in a strip
 * under the time axis, one scale type across the panels. */
int ims_plot_timecourse(ims_fig_t *f, const ims_table_t *const *t, int nt, const ims_plot_opts_t *o,
                        ims_err_t *err);

/* A sweep table (varied columns, status, metric columns): metric against the
 * varied value (one varied column) or a heat map over two.  metric NULL: the
 * first peak ("COL_max") column. */
int ims_plot_sweep(ims_fig_t *f, const ims_table_t *t, const char *metric, const ims_model_t *m,
                   ims_err_t *err);

/* A ranked sensitivity table (rank, parameter, S_peak, S_auc[, S_final]) of
 * column `of`: horizontal bars, the strongest parameter on top. */
int ims_plot_sensitivity(ims_fig_t *f, const ims_table_t *t, const char *of, const ims_model_t *m,
                         ims_err_t *err);

/* The built-in model a table names in its '# model:' line; NULL when unknown,
 * or when a '# model-file:' line says the table comes from a model file (open
 * that file with ims_model_open and pass the model).  The builders take m
 * (NULL: this). */
const ims_model_t *ims_plot_model(const ims_table_t *t);

#ifdef __cplusplus
}
#endif
#endif
