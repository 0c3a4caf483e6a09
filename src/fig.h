/* Internal to the figure module: what the gnuplot writer needs from the axis code. */
#ifndef IMS_FIG_INTERNAL_H
#define IMS_FIG_INTERNAL_H

#include "immunosim/figure.h"

#define IMS__FIG_MAXTICK 64

typedef struct ims__tick {
  double at;
  char label[48]; /* gnuplot enhanced text ("2×10^{5}"); "" for a minor tick */
  int minor;
} ims__tick_t;

/* Ticks of an axis over its range: its explicit ticks, or 4-8 nice linear
 * ticks (1, 2, 2.5, 5 x 10^k), or decades on log axes (1, 2, 5 x 10^k under
 * two decades), with labels that share one notation.  Returns the count. */
int ims__fig_ticks(const ims_fig_axis_t *a, ims__tick_t *t, int max);
/* Width of a tick label in characters of the figure's font (superscripts narrow). */
double ims__fig_text_width(const char *label);

/* Where things go.  The writer places every panel itself (screen fractions)
 * from the style's figure size and font size, so it can keep plot areas
 * equal across rows whatever sits under them (tick labels, the dose strip),
 * fit y labels to their axis and keep labels apart. */
#define IMS__DOSE_ROW_H 0.62 /* a row of the dose strip, in line heights */
#define IMS__DOSE_GAP 0.5    /* between the axis and the strip */

typedef struct ims__geom {
  double l, r, t, b; /* the graph area, screen fractions */
  double ylx, yly;   /* the y label's anchor */
  double xoff;       /* x tick labels (and the x label) moved down by this many lines */
  int strip;         /* rows of the dose strip under it */
  int xshared;       /* the panel under it has the same x axis: no x tick labels */
  char *ylabel;      /* the y label as drawn (a newline between two lines), or NULL */
  int ylines;
  double yfs;   /* its font scale (shrunk to fit, at least 0.6) */
  double avail; /* the y axis length in pixels */
} ims__geom_t;

typedef struct ims__layout {
  double fig_w, fig_h, font; /* from the style file */
  int nrows, ncols;
  int legend_rows;
  ims__geom_t *g; /* per panel */
} ims__layout_t;

int ims__fig_layout(const ims_fig_t *f, const char *style, ims__layout_t *L, ims_err_t *err);
void ims__fig_layout_free(ims__layout_t *L, int npanel);
/* Which side of its line each reference-line label goes, so labels of close
 * lines do not overlap: side[i] = 1 above, -1 below (for the panel's marks). */
void ims__fig_hline_sides(const ims_fig_panel_t *p, const ims__layout_t *L, int panel, int *side);
/* The widest tick label of an axis, in character widths. */
double ims__fig_tick_width(const ims_fig_axis_t *a);

/* The distinct data files of a figure's series, in order of first use (the
 * script's data1, data2, ...); *files is allocated, its strings are borrowed. */
int ims__fig_data(const ims_fig_t *f, const char ***files, int *n);
/* FIG.gp beside FIG. */
void ims__fig_script_path(char *out, size_t n, const char *figure);

#endif
