/* Internal to the figure builders (fig_timecourse.c, fig_doses.c, fig_charts.c). */
#ifndef IMS_FIGPLOT_H
#define IMS_FIGPLOT_H

#include "immunosim/data.h"
#include "immunosim/plots.h"

#include <stddef.h>

/* A time course being built. */
typedef struct tc {
  ims_fig_t *f;
  const ims_table_t *const *t;
  int nt;
  const ims_plot_opts_t *o;
  ims_err_t *err;
  const ims_model_t *m; /* of the first table, NULL when unknown */
  int *tcol;            /* per table: its time column */
  char **label;         /* per table: its legend label */
  char *col[64];        /* the columns drawn (base names of bands) */
  int ncol;
  int scale; /* the figure's y scale */
  int have_band;
  double first_bolus; /* earliest bolus time drawn (INFINITY: none) */
  ims_fig_axis_t xaxis;
  /* the dose strip's drugs, for the legend */
  char drug[16][64];
  int drug_bolus[16], drug_inf[16];
  int ndrug;
} tc_t;

/* The unit of a column (or of its percentiles) in the first table that has it. */
const char *ims__plot_unit(const tc_t *c, const char *col);
/* "no column 'x' in FILE; did you mean 'X'?" for option opt. */
int ims__plot_no_column(const tc_t *c, const char *name, const char *opt);
/* "dir/name.csv extra" -> "name"; 0 when empty. */
int ims__plot_base(char *out, size_t n, const char *path);
/* The dose strip from the tables' doses, and its legend entries. */
int ims__plot_doses(tc_t *c);
void ims__plot_dose_keys(tc_t *c);

#endif
