/* Layout decisions in pixels: the left padding of each column of panels, y
 * labels that fit their axis (shorter form, two lines, or a smaller font),
 * reference-line labels that do not overlap.  Sizes mirror the layout block
 * of plots/figure.gp.in. */
#include "fig.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "name = value" from the style file (the first such line), else def. */
static double style_value(const char *style, const char *name, double def)
{
  size_t l = strlen(name);
  for (const char *p = style; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    while (*p == ' ')
      p++;
    double v;
    if (strncmp(p, name, l) == 0 && sscanf(p + l, " = %lf", &v) == 1)
      return v;
  }
  return def;
}

double ims__fig_tick_width(const ims_fig_axis_t *a)
{
  ims__tick_t t[IMS__FIG_MAXTICK];
  int n = ims__fig_ticks(a, t, IMS__FIG_MAXTICK);
  double wmax = 0;
  for (int i = 0; i < n; i++)
    wmax = fmax(wmax, ims__fig_text_width(t[i].label));
  return wmax;
}

static size_t text_chars(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* The shared legend's rows: entries side by side as the longest label allows. */
static int legend_rows(const ims_fig_t *f)
{
  if (!f->nkey)
    return 0;
  size_t wmax = 0;
  for (int i = 0; i < f->nkey; i++)
    wmax = fmax(wmax, text_chars(f->key[i]->label));
  /* a key column is its sample, gaps and text; gnuplot's own estimate of text widths is
   * wider than the text, so leave room (about 96 characters span the figure) */
  int per = (int)(86 / (wmax + 10));
  per = per < 1 ? 1 : per;
  return (f->nkey + per - 1) / per;
}

/* s split in two lines at the space nearest its middle (the copy is allocated). */
static char *two_lines(const char *s)
{
  size_t n = strlen(s), best = 0;
  double mid = 0.5 * ims__fig_text_width(s), bd = INFINITY;
  for (size_t i = 1; i + 1 < n; i++)
    if (s[i] == ' ') {
      char *head = strndup(s, i);
      double d = head ? fabs(ims__fig_text_width(head) - mid) : INFINITY;
      free(head);
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
  if (!best)
    return NULL;
  char *c = strdup(s);
  if (c)
    c[best] = '\n';
  return c;
}

/* The widest line of a label, in character widths. */
static double label_width(const char *s)
{
  const char *nl = strchr(s, '\n');
  if (!nl)
    return ims__fig_text_width(s);
  char *head = strndup(s, (size_t)(nl - s));
  double w = head ? ims__fig_text_width(head) : 0;
  free(head);
  return fmax(w, ims__fig_text_width(nl + 1));
}

/* Pick the y label that fits the axis: the whole label on one line, the short
 * form, either in two lines, and as a last resort a smaller font. */
static int fit_ylabel(const ims__layout_t *L, ims__geom_t *g, const ims_fig_axis_t *a)
{
  char *cand[4] = {NULL, NULL, NULL, NULL};
  int nc = 0;
  if (a->label)
    cand[nc++] = strdup(a->label);
  if (a->label_short)
    cand[nc++] = strdup(a->label_short);
  if (a->label)
    cand[nc++] = two_lines(a->label);
  if (a->label_short)
    cand[nc++] = two_lines(a->label_short);
  double char_px = 0.8 * L->font, best_fs = -1;
  int best = -1;
  for (int k = 0; k < nc; k++) {
    if (!cand[k])
      continue;
    double fs = fmin(1, g->avail / (label_width(cand[k]) * char_px));
    if (fs > best_fs + 1e-9) {
      best = k;
      best_fs = fs;
    }
    if (fs >= 0.92) /* the first that fits (nearly) at full size */
      break;
  }
  int rc = 0;
  if (best >= 0) {
    g->ylabel = cand[best];
    cand[best] = NULL;
    g->ylines = strchr(g->ylabel, '\n') ? 2 : 1;
    g->yfs = fmax(0.6, fmin(1, best_fs));
  } else if (a->label) {
    rc = -1;
  }
  for (int k = 0; k < nc; k++)
    free(cand[k]);
  return rc;
}

/* Whether panel i shows x tick labels, its title rows, and its strip rows. */
static int shows_xticks(const ims__geom_t *g)
{
  return !g->xshared;
}

int ims__fig_layout(const ims_fig_t *f, const char *style, ims__layout_t *L, ims_err_t *err)
{
  memset(L, 0, sizeof *L);
  L->fig_w = style_value(style, "fig_w", 1600);
  L->fig_h = style_value(style, "fig_h", 1000);
  L->font = style_value(style, "font_size", 22);
  int n = f->npanel;
  L->ncols = f->ncols > 0 ? f->ncols : n <= 3 ? 1 : n <= 4 ? 2 : 3;
  L->nrows = f->nrows > 0 ? f->nrows : (n + L->ncols - 1) / L->ncols;
  L->legend_rows = legend_rows(f);
  L->g = calloc((size_t)n + 1, sizeof *L->g);
  if (!L->g)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  /* sizes as fractions: a character's width, a line's height (and width) */
  double cw = 0.8 * L->font / L->fig_w, ch = 1.7 * L->font / L->fig_h,
         lw = 1.7 * L->font / L->fig_w;
  double title_h = f->title && f->title[0] ? 1.8 * ch : 0;
  double legend_h = L->legend_rows ? L->legend_rows * 1.1 * ch + 0.4 * ch : 0;
  double grid_top = 1.0 - title_h - legend_h, xlabel_h = 2.0 * ch;
  for (int i = 0; i < n; i++) {
    ims__geom_t *g = &L->g[i];
    int row = i / L->ncols, below = i + L->ncols;
    const ims_fig_axis_t *a = &f->panel[i]->x;
    if (below < n) {
      const ims_fig_axis_t *b = &f->panel[below]->x;
      g->xshared = a->scale == b->scale && a->lo == b->lo && a->hi == b->hi && a->div == b->div &&
                   !a->ntick && !b->ntick && !f->panel[below]->title;
    }
    /* the doses are the same for every time panel: under the bottom one of each column */
    g->strip = f->panel[i]->doses && (row == L->nrows - 1 || below >= n) ? f->nrow : 0;
    g->xoff = g->strip ? -(IMS__DOSE_GAP + g->strip * IMS__DOSE_ROW_H - 0.4) : 0;
  }
  /* rows: equal plot heights; each row's title, tick labels and strip come on top */
  double over_total = 0, *over_top = calloc((size_t)L->nrows + 1, sizeof *over_top),
         *over_bot = calloc((size_t)L->nrows + 1, sizeof *over_bot);
  if (!over_top || !over_bot) {
    free(over_top);
    free(over_bot);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  for (int r = 0; r < L->nrows; r++) {
    over_top[r] = 0.8 * ch;
    over_bot[r] = 0.35 * ch;
    for (int i = r * L->ncols; i < n && i < (r + 1) * L->ncols; i++) {
      const ims__geom_t *g = &L->g[i];
      if (f->panel[i]->title)
        over_top[r] = fmax(over_top[r], 2.2 * ch);
      double bot = (shows_xticks(g) ? 1.5 : 0.35) * ch +
                   (g->strip ? (IMS__DOSE_GAP + g->strip * IMS__DOSE_ROW_H) * ch : 0);
      over_bot[r] = fmax(over_bot[r], bot);
    }
    over_total += over_top[r] + over_bot[r];
  }
  double plot_h = fmax((grid_top - xlabel_h - over_total) / L->nrows, 2 * ch);
  double y = grid_top;
  for (int r = 0; r < L->nrows; r++) {
    double t = y - over_top[r], b = t - plot_h;
    for (int i = r * L->ncols; i < n && i < (r + 1) * L->ncols; i++) {
      L->g[i].t = t;
      L->g[i].b = b;
      L->g[i].avail = plot_h * L->fig_h;
    }
    y = b - over_bot[r];
  }
  free(over_top);
  free(over_bot);
  /* columns: room on the left for the widest tick label and the y label */
  double padl[64];
  for (int c = 0; c < L->ncols && c < 64; c++)
    padl[c] = 3;
  for (int i = 0; i < n; i++) {
    const ims_fig_panel_t *p = f->panel[i];
    ims__geom_t *g = &L->g[i];
    if (!p->y.hidden && fit_ylabel(L, g, &p->y))
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    /* tick labels, a gap, the label's lines (1.7/0.8 character widths each), a margin */
    double need =
        ims__fig_tick_width(&p->y) + 1.8 + (g->ylabel ? 2.15 * g->ylines * g->yfs : 0) + 0.5;
    int c = i % L->ncols;
    if (c < 64)
      padl[c] = fmax(padl[c], need);
  }
  double cell_w = 1.0 / L->ncols;
  for (int i = 0; i < n; i++) {
    const ims_fig_panel_t *p = f->panel[i];
    ims__geom_t *g = &L->g[i];
    int c = i % L->ncols;
    double padr = 2.5;
    if (p->z.label || !isnan(p->z.lo)) /* heat map: the colour box, its ticks and label */
      padr = 6.5 + ims__fig_tick_width(&p->z) + 2.5;
    g->l = c * cell_w + padl[c < 64 ? c : 63] * cw;
    g->r = (c + 1) * cell_w - padr * cw;
    g->ylx = g->l - (ims__fig_tick_width(&p->y) + 1.8) * cw - (g->ylines - 0.45) * g->yfs * lw;
    g->yly = 0.5 * (g->t + g->b);
  }
  return IMS_OK;
}

void ims__fig_layout_free(ims__layout_t *L, int npanel)
{
  for (int i = 0; L->g && i < npanel; i++)
    free(L->g[i].ylabel);
  free(L->g);
}

/* Where each reference-line label goes: 1 above its line at the right end, -1
 * below it, 2 and -2 the same at the left end.  From the top line down, the
 * first place that stays inside the panel, crosses no other line and meets
 * no label placed before. */
void ims__fig_hline_sides(const ims_fig_panel_t *p, const ims__layout_t *L, int panel, int *side)
{
  const ims_fig_axis_t *a = &p->y;
  /* gnuplot's character height at cairo's 96 dpi; a label sits 0.6 of it off its line */
  double h = L->g[panel].avail, ch = 1.6 * L->font;
  int logax = a->scale == IMS_SCALE_LOG && a->lo > 0 && a->hi > 0;
  double lo = logax ? log10(a->lo) : a->lo, hi = logax ? log10(a->hi) : a->hi;
  int n = p->nmark;
  double *y = calloc((size_t)n + 1, sizeof *y), *b0 = calloc((size_t)n + 1, sizeof *b0),
         *b1 = calloc((size_t)n + 1, sizeof *b1);
  for (int i = 0; i < n; i++)
    side[i] = 0;
  if (!y || !b0 || !b1 || !(hi > lo)) {
    for (int i = 0; i < n; i++)
      side[i] = 1;
    free(y);
    free(b0);
    free(b1);
    return;
  }
  for (int i = 0; i < n; i++) {
    double v = logax ? log10(fmax(p->mark[i]->y, 1e-300)) : p->mark[i]->y;
    y[i] = (v - lo) / (hi - lo) * h;
  }
  static const int order[] = {1, -1, 2, -2};
  for (int done = 0; done < n; done++) {
    int k = -1;
    for (int i = 0; i < n; i++)
      if (p->mark[i]->kind == IMS_FIG_HLINE && side[i] == 0 && (k < 0 || y[i] > y[k]))
        k = i;
    if (k < 0)
      break;
    for (int o = 0; o < 4 && !side[k]; o++) {
      double lo_px = order[o] > 0 ? y[k] + 0.05 * ch : y[k] - 1.15 * ch;
      double hi_px = lo_px + 1.1 * ch;
      int ok = lo_px >= 0 && hi_px <= h + 0.5 * ch; /* the top padding has room for half */
      for (int i = 0; ok && i < n; i++) {
        if (i == k || p->mark[i]->kind != IMS_FIG_HLINE)
          continue;
        ok &= !(y[i] > lo_px && y[i] < hi_px); /* no line through the text */
        ok &= !(side[i] && abs(side[i]) == abs(order[o]) && b0[i] < hi_px && b1[i] > lo_px);
      }
      if (ok) {
        side[k] = order[o];
        b0[k] = lo_px;
        b1[k] = hi_px;
      }
    }
    if (!side[k]) { /* nowhere clear: above at the right, as before */
      side[k] = 1;
      b0[k] = y[k];
      b1[k] = y[k] + ch;
    }
  }
  for (int i = 0; i < n; i++)
    if (side[i] == 0)
      side[i] = 1;
  free(y);
  free(b0);
  free(b1);
}
