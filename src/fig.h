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

#endif
