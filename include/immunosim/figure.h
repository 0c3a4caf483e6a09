/* Figures as data.  A figure is a grid of panels; a panel has axes, series
 * (lines, bands, points, bars, heat-map cells, arrows) drawn from columns of
 * data files, and marks (reference lines, labelled points); the figure has a
 * title, one shared legend and the dose strip drawn under every time panel.
 * Builders turn tables into figures (time courses, sweeps, heat maps,
 * sensitivity bars); one writer turns any figure into a gnuplot script
 * (plots/figure.gp.in) and runs gnuplot.  Nothing here knows gnuplot except
 * the writer, and the writer knows nothing of models or runs.
 *
 * Adding a figure type (e.g. a bifurcation diagram from a continuation table
 * `t` loaded with ims_table_load_file; the series name its file and columns):
 *   ims_fig_t *f; ims_fig_alloc(&f, &err);
 *   ims_fig_title(f, "Kuznetsov 1994: equilibria over the death rate d");
 *   ims_fig_panel_t *p = ims_fig_panel_add(f);      // a grid: add more panels
 *   char lab[256]; ims_fig_column_label(lab, sizeof lab, m, "T", "cell");
 *   ims_fig_text(f, &p->y.label, lab);               // "tumour cells T (cells)"
 *   ims_fig_text(f, &p->x.label, "death rate d (1/d)");
 *   // stable branches solid, unstable dashed: a series each, cut into runs of
 *   // rows where the stability column has that value (lines never bridge gaps)
 *   // (a text column needs IMS_TABLE_TEXT; several conditions: ims_fig_series_rows)
 *   ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_LINE, t->path, "d", "T");
 *   ims_fig_series_where_text(f, s, t, "stability", "stable", 1);
 *   ims_fig_key_series(f, s, "stable");
 *   s = ims_fig_series_add(p, IMS_FIG_LINE, t->path, "d", "T");
 *   s->dash = 2;
 *   ims_fig_series_where_text(f, s, t, "stability", "unstable", 1);
 *   ims_fig_key_series(f, s, "unstable");
 *   // orbit extrema as points; folds and Hopf points as labelled points
 *   s = ims_fig_series_add(p, IMS_FIG_POINTS, "orbits.csv", "d", "T_max");
 *   ims_fig_mark_add(p, IMS_FIG_POINT_LABEL, d_hopf, T_hopf, "HB");
 *   // ranges and scales from the data (log when the model asks for it)
 *   ims_fig_range_t r = IMS_FIG_RANGE_INIT;
 *   ims_fig_range_column(&r, t, "T");
 *   ims_fig_axis_fit(&p->y, &r, ims_fig_scale_wanted(&r, IMS_SCALE_AUTO), 0, 0.03, 0.06);
 *   ... the same for p->x (or set p->x.lo, hi, scale), then
 *   ims_fig_ok(f, &err);                             // any allocation failure
 *   ims_fig_render(f, &(ims_fig_out_t){.figure = "bif.png", .plots = dir}, &err);
 * A phase portrait is the same with IMS_FIG_LINE for nullclines and
 * trajectories, IMS_FIG_VECTORS for a direction field (x, y and the dx, dy
 * columns in y2lo, y2) and IMS_FIG_POINT_LABEL marks for the equilibria
 * ("saddle", "stable focus").  Ticks (log decades, 1-2-5, one notation per
 * axis), the legend, units on axes (µg, 10⁹ cells), y labels that fit, label
 * placement, the layout and the dose strip (set p->doses on time panels and
 * add rows with ims_fig_dose_row_add) come with the writer; nothing needs
 * gnuplot syntax.
 */
#ifndef IMMUNOSIM_FIGURE_H
#define IMMUNOSIM_FIGURE_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/output.h"
#include "immunosim/table.h"

#include <math.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Colours: 1-8 the series palette (Okabe-Ito, plots/palette.gp), 0 neutral
 * grey, IMS_FIG_BLACK for reference data, IMS_FIG_DOSE(k) (k >= 1) the
 * dose-strip palette that tells drugs apart. */
#define IMS_FIG_BLACK (-1)
/* A light grey for marks that stay in the background (a direction field's
 * arrows); added for the phase portraits. */
#define IMS_FIG_LIGHT (-2)
#define IMS_FIG_DOSE(k) (100 + (k))

/* ---- axes ------------------------------------------------------------------ */

typedef struct ims_fig_tick {
  double at;
  char *label;
} ims_fig_tick_t;

typedef struct ims_fig_axis {
  char *label;          /* plain UTF-8; NULL: none */
  char *label_short;    /* a shorter form for a short axis (no code), NULL: none; the writer
                         * also breaks a long label in two lines or shrinks it to fit */
  int scale;            /* IMS_SCALE_LIN or IMS_SCALE_LOG */
  double lo, hi;        /* the range shown (NaN: gnuplot's choice) */
  double div;           /* data values are shown divided by div (time in weeks: 7); 0 or 1: as is */
  int hidden;           /* no tick labels nor label (a panel above another) */
  ims_fig_tick_t *tick; /* explicit ticks (category axes); none: nice ticks from the range */
  int ntick;
} ims_fig_axis_t;

/* ---- series ----------------------------------------------------------------- */

enum {
  IMS_FIG_LINE,      /* x, y */
  IMS_FIG_BAND,      /* x, y (low), y2 (high): a shaded band */
  IMS_FIG_POINTS,    /* x, y */
  IMS_FIG_ERRORBARS, /* x, y, y (low) in y2lo, y (high) in y2 */
  IMS_FIG_HBARS,     /* horizontal bars from x = 0 to column x, at y = column y + offset */
  IMS_FIG_CELLS,     /* heat map: x, y, colour z; cells dx, dy wide (geometric on log axes) */
  IMS_FIG_VECTORS    /* arrows from (x, y) by (dx column in y2lo, dy column in y2) */
};

typedef struct ims_fig_series {
  int kind;
  char *data;      /* the data file the columns come from */
  char *x, *y;     /* column names */
  char *y2, *y2lo; /* second columns: band high/low... (see the kinds) */
  char *z;         /* colour column of cells */
  int color;       /* see the colour macros */
  int dash;        /* 1 solid, 2 dashed, 3 dotted, ... */
  int point;       /* gnuplot point type (points, error bars) */
  double alpha;    /* band opacity */
  double width;    /* line width factor (0: 1) */
  double offset;   /* hbars: y offset; */
  double thick;    /* hbars: half height in y units */
  double dx, dy;   /* cells: grid steps (ratios on log axes) */
  long *seg;       /* row ranges [seg[2i], seg[2i+1]] drawn as separate runs; NULL: all rows */
  int nseg;
} ims_fig_series_t;

/* ---- marks -------------------------------------------------------------------- */

enum {
  IMS_FIG_HLINE,       /* dashed line at y = v, label at the right end */
  IMS_FIG_VLINE,       /* dashed line at x = v, label at the top */
  IMS_FIG_POINT_LABEL, /* a point at (x, y) with a label beside it (fold, Hopf, equilibrium) */
  IMS_FIG_VSPAN        /* the x range x .. x2 shaded behind the data, label at the top (a
                        * bistable range); added for the bifurcation diagrams */
};

typedef struct ims_fig_mark {
  int kind;
  double x, y;
  double x2; /* IMS_FIG_VSPAN: the range's other end */
  char *label;
  int point; /* IMS_FIG_POINT_LABEL: gnuplot point type */
  int color;
} ims_fig_mark_t;

/* ---- panels --------------------------------------------------------------- */

struct ims_fig;

typedef struct ims_fig_panel {
  struct ims_fig *fig; /* the owner */
  char *title;         /* small title above the panel (NULL: none) */
  char *comment;       /* what the panel shows, for the script's comments */
  ims_fig_axis_t x, y;
  ims_fig_axis_t z; /* colour axis of heat maps */
  int doses;        /* draw the figure's dose strip under this panel (x is time) */
  ims_fig_series_t **series;
  int nseries;
  ims_fig_mark_t **mark;
  int nmark;
} ims_fig_panel_t;

/* ---- legend ----------------------------------------------------------------- */

enum { IMS_FIG_KEY_LINE, IMS_FIG_KEY_BAND, IMS_FIG_KEY_POINTS, IMS_FIG_KEY_BOX };

typedef struct ims_fig_key {
  int kind;
  char *label;
  int color, dash, point;
  double alpha;
  double width; /* lines: width factor (0: 1) */
  double size;  /* points: 0 the style's point size, < 0 the dose symbols' size, > 0 this */
} ims_fig_key_t;

/* ---- the dose strip -------------------------------------------------------- */

typedef struct ims_fig_dose {
  double t0, t1; /* t1 = t0 for a bolus (in the time unit of the data; axis div applies) */
  int infusion;
  double level; /* infusions: bar height as a fraction of the row (rate / the row's largest) */
} ims_fig_dose_t;

/* One row of the strip: one drug (state dosed), or one drug of one run when
 * runs differ.  Boluses are drawn as the row's point symbol, infusions as bars. */
typedef struct ims_fig_dose_row {
  char *name; /* for the script's comments */
  int color;
  int point;
  ims_fig_dose_t *dose;
  int ndose;
} ims_fig_dose_row_t;

/* ---- the figure ------------------------------------------------------------------ */

typedef struct ims_fig {
  char *title;
  int nrows, ncols; /* the panel grid (0: chosen from the number of panels) */
  ims_fig_panel_t **panel;
  int npanel;
  ims_fig_key_t **key;
  int nkey;
  ims_fig_dose_row_t **row;
  int nrow;
  char delim; /* the data files' separator */
  int oom;    /* an allocation failed: ims_fig_ok reports it */
} ims_fig_t;

int ims_fig_alloc(ims_fig_t **out, ims_err_t *err);
void ims_fig_free(ims_fig_t *f);
/* IMS_OK, or IMS_ENOMEM when any allocation of the figure's builders failed. */
int ims_fig_ok(const ims_fig_t *f, ims_err_t *err);

/* Builders: each returns the new element (zeroed but for the arguments and
 * defaults: colour 1, dash 1, point 7, alpha 0.25, linear axes, NaN ranges),
 * or NULL after an allocation failure (recorded in f->oom).  Elements are
 * allocated one by one: a pointer stays valid until ims_fig_free. */
void ims_fig_title(ims_fig_t *f, const char *title);
ims_fig_panel_t *ims_fig_panel_add(ims_fig_t *f);
ims_fig_series_t *ims_fig_series_add(ims_fig_panel_t *p, int kind, const char *data, const char *x,
                                     const char *y);
ims_fig_mark_t *ims_fig_mark_add(ims_fig_panel_t *p, int kind, double x, double y,
                                 const char *label);
ims_fig_key_t *ims_fig_key_add(ims_fig_t *f, int kind, const char *label);
/* A legend entry drawn like series s. */
ims_fig_key_t *ims_fig_key_series(ims_fig_t *f, const ims_fig_series_t *s, const char *label);
ims_fig_dose_row_t *ims_fig_dose_row_add(ims_fig_t *f, const char *name, int color, int point);
int ims_fig_dose_add(ims_fig_t *f, ims_fig_dose_row_t *r, const ims_fig_dose_t *d);
/* Replace *dst by a copy of s (NULL clears); sets f->oom on failure. */
void ims_fig_text(ims_fig_t *f, char **dst, const char *s);
/* Second columns of a series (band high, error low/high, vector components). */
void ims_fig_series_y2(ims_fig_t *f, ims_fig_series_t *s, const char *y2lo, const char *y2);
/* Draw s only on the runs of rows of t where column col equals value: one
 * stroke per run, so lines do not bridge the gaps (branches by stability).
 * join = 1 extends each run by the next row so consecutive runs meet. */
int ims_fig_series_where(ims_fig_t *f, ims_fig_series_t *s, const ims_table_t *t, const char *col,
                         double value, int join);
/* The same on a text column (t loaded with IMS_TABLE_TEXT): "stable", "eq". */
int ims_fig_series_where_text(ims_fig_t *f, ims_fig_series_t *s, const ims_table_t *t,
                              const char *col, const char *text, int join);
/* The same for any test of a row (branch k and stable, ...): keep(t, row, ud) != 0. */
typedef int (*ims_fig_row_fn)(const ims_table_t *t, long row, void *ud);
int ims_fig_series_rows(ims_fig_t *f, ims_fig_series_t *s, const ims_table_t *t,
                        ims_fig_row_fn keep, void *ud, int join);

/* ---- ranges and scales ------------------------------------------------------------- */

typedef struct ims_fig_range {
  long n;
  double min, max, minpos; /* minpos: the smallest positive value (INFINITY: none) */
} ims_fig_range_t;
#define IMS_FIG_RANGE_INIT                                                                         \
  {                                                                                                \
    0, INFINITY, -INFINITY, INFINITY                                                               \
  }

void ims_fig_range_value(ims_fig_range_t *r, double v);
void ims_fig_range_merge(ims_fig_range_t *r, const ims_fig_range_t *add);
/* Every finite value of a column (nothing when absent). */
void ims_fig_range_column(ims_fig_range_t *r, const ims_table_t *t, const char *col);
/* The scale a range asks for: opt when LIN or LOG, else log when the values
 * are positive and span more than 3 decades. */
int ims_fig_scale_wanted(const ims_fig_range_t *r, int opt);
/* Set a->scale and the range so the data fill the axis between the fractions
 * pad_lo and 1 - pad_hi.  Linear axes start at 0 for non-negative data that
 * come within a quarter of it; log axes show at most 6 decades below the
 * largest value (loglo: the smallest value worth showing, 0 for that rule). */
void ims_fig_axis_fit(ims_fig_axis_t *a, const ims_fig_range_t *r, int scale, double loglo,
                      double pad_lo, double pad_hi);
/* Add an explicit tick (category axes). */
int ims_fig_tick_add(ims_fig_t *f, ims_fig_axis_t *a, double at, const char *label);

/* ---- labels ------------------------------------------------------------------- */

/* A unit for reading: µ for the micro prefix (ug -> µg, uL -> µL), · for
 * products, superscripts for powers (m^2 -> m², 1e9 cell -> 10⁹ cells),
 * "cell" as "cells".  "" and "1" give "". */
void ims_fig_unit(char *out, size_t n, const char *unit);
/* "label CODE (unit)" for a model column: the label from the model's
 * description of the state or output (the code is left out when the label
 * already says it, e.g. "IL-6" for IL6); metric columns of sweeps ("T_max",
 * "last_C1_auc", "th1_above"; "T.max" from older tables) and sensitivity
 * columns ("C1_CL") read as "peak of tumour cells T", "AUC of C1, window
 * last", "∂C1/∂CL"; sweep fields ("amt_1", "amt[1]") as "dose 1 amount".
 * m may be NULL (codes only; sensitivity columns need the model); unit may
 * be NULL. */
void ims_fig_column_label(char *out, size_t n, const ims_model_t *m, const char *col,
                          const char *unit);
/* (sbml, issue 12) A code longer than this is a generated id (SBML's
 * "mwf345ed7a_0622_403c_b816_c8749a2c9ded"): where the model has a label for
 * it, figures show the label alone. */
#define IMS_FIG_CODE_MAX 16
/* The model's short name of a state, output or parameter (ims_model_t.labels),
 * or NULL. */
const char *ims_fig_label_of(const ims_model_t *m, const char *name);
/* The same without the code when there is a name ("tumour cells (cells)"), for
 * axes too short for the whole label. */
void ims_fig_column_name(char *out, size_t n, const ims_model_t *m, const char *col,
                         const char *unit);

/* ---- the writer ------------------------------------------------------------------- */

typedef struct ims_fig_out {
  const char *figure;  /* FIG.png, FIG.svg or FIG.pdf: the extension picks the terminal */
  const char *plots;   /* the directory holding figure.gp.in, style_*.gp, palette.gp */
  const char *style;   /* "lecture" (NULL) or "paper" */
  const char *gnuplot; /* the binary (NULL: "gnuplot" on PATH) */
  /* NULL: FIG.gp and FIG are written at once.  Else they are outputs of this
   * group (output.h), committed with the command's tables or not at all; data
   * files that are outputs of the group are read from their temporary files. */
  ims_outset_t *group;
} ims_fig_out_t;

/* "png", "svg" or "pdf" from a figure's extension; NULL for anything else. */
const char *ims_fig_terminal(const char *figure);
/* Before the work: the figure's extension, gnuplot on PATH, and with a group
 * its outputs FIG.gp and FIG opened in the group (so an unwritable path, a
 * name the group already has or a missing gnuplot fails before anything is
 * computed; ims_fig_render opens them itself when this was not called).
 * IMS_EINPUT, IMS_EIO. */
int ims_fig_prepare(const ims_fig_out_t *o, ims_err_t *err);
/* The gnuplot script of a figure (allocated; the caller frees it).  Its file
 * names are variables set at the top (out_file, data1, data2, ...), so
 * `gnuplot -e "data1='other.csv'" FIG.gp` draws another table. */
int ims_fig_script(const ims_fig_t *f, const ims_fig_out_t *o, char **script, ims_err_t *err);
/* Write FIG.gp beside the figure (FIG with its extension replaced) and run
 * gnuplot on it.  IMS_EIO when the script cannot be written or gnuplot is
 * missing or fails.  Without a group the script is kept even then, so
 * `gnuplot FIG.gp` can be re-run; with a group, committing or aborting the
 * group decides for the script, the figure and the tables together. */
int ims_fig_render(const ims_fig_t *f, const ims_fig_out_t *o, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
