/* Figures of the dynamics commands, built on the figure model (figure.h)
 * from the tables the commands write, so `immunosim plot` redraws them from
 * the files:
 *
 *   bifurcation diagram   from a `continue` table (kind, branch, NAME, the
 *                         states, stability, type, label, ...): equilibrium
 *                         branches against the parameter, stable solid and
 *                         unstable dashed (cut where the stability changes,
 *                         the pieces meeting there), folds, Hopf and branch
 *                         points marked and labelled with their parameter
 *                         value, the orbit diagram's maxima and minima as
 *                         points, and the ranges of the parameter with two
 *                         or more stable equilibria shaded ("bistable");
 *   phase portrait        from the phase-plane tables of `equilibria`
 *                         (nullclines, field, equilibria, curves): the
 *                         direction field as grey arrows of one length, the
 *                         two nullclines, trajectories (their starts as
 *                         open circles) and separatrices, and the
 *                         equilibria in the plane labelled with their type
 *                         (filled: stable, open: unstable).
 *
 * Axes are labelled from the model (names, units); scales are the model's
 * (ims_model_t.plot) where it declares one for the column, else log when the
 * data are positive and span more than 3 decades, unless the options say. */
#ifndef IMMUNOSIM_DYNPLOT_H
#define IMMUNOSIM_DYNPLOT_H

#include "immunosim/err.h"
#include "immunosim/figure.h"
#include "immunosim/model.h"
#include "immunosim/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a table from the dynamics commands is. */
#define IMS_DYNTAB_NONE 0
#define IMS_DYNTAB_CONTINUATION 1 /* continue -o */
#define IMS_DYNTAB_NULLCLINES 2   /* equilibria --nullclines */
#define IMS_DYNTAB_FIELD 3        /* equilibria --field */
#define IMS_DYNTAB_EQUILIBRIA 4   /* equilibria -o */
#define IMS_DYNTAB_CURVES 5       /* equilibria --traj-out */

/* The kind of a loaded table, from its header. */
int ims_dyntab_kind(const ims_table_t *t);

typedef struct ims_dynplot_opts {
  const char *const *y; /* bifurcation: the states drawn, one panel each (none: the model's
                         * first default-figure state, else the orbit state, else the first) */
  int ny;
  int xscale, yscale;        /* IMS_SCALE_AUTO (the model's, else the data's), LIN or LOG */
  double xlo, xhi, ylo, yhi; /* shown ranges (NaN: from the data; the portrait: the grid) */
  const char *title;         /* NULL: from the tables; "": none */
  const ims_model_t *model;  /* names and scales; NULL: the built-in the '# model:' line names */
} ims_dynplot_opts_t;

void ims_dynplot_opts_init(ims_dynplot_opts_t *o);

/* A bifurcation diagram from a continuation table (loaded with
 * IMS_TABLE_TEXT). */
int ims_plot_bifurcation(ims_fig_t *f, const ims_table_t *t, const ims_dynplot_opts_t *o,
                         ims_err_t *err);

/* A phase portrait from the tables of one plane (each may be NULL, not all;
 * tables loaded with IMS_TABLE_TEXT).  The plane's states are the
 * nullclines' (or the field's, or the curves') two state columns. */
int ims_plot_portrait(ims_fig_t *f, const ims_table_t *nullclines, const ims_table_t *field,
                      const ims_table_t *equilibria, const ims_table_t *curves,
                      const ims_dynplot_opts_t *o, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
