/* Time courses from run outputs: which columns, which panels, one scale type
 * for the figure, ranges, series, legend (the dose strip: fig_doses.c). */
#include "figplot.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PANELS 9
#define MAX_COLS 64

static const char *const band_sfx[] = {"_p05", "_p25", "_p50", "_p75", "_p95"};

void ims_plot_opts_init(ims_plot_opts_t *o)
{
  memset(o, 0, sizeof *o);
  o->xlo = o->xhi = o->ylo = o->yhi = NAN;
}

/* The first word of a '# model:' line ("" when none). */
static void model_name(const ims_table_t *t, char *name, size_t n)
{
  const char *v = ims_table_meta_get(t, "model");
  size_t l = v ? strcspn(v, " \t") : 0;
  snprintf(name, n, "%.*s", (int)(l < n ? l : n - 1), v ? v : "");
}

const ims_model_t *ims_plot_model(const ims_table_t *t)
{
  char name[128];
  model_name(t, name, sizeof name);
  /* a model file may share a built-in's name without being that model */
  if (!name[0] || ims_table_meta_get(t, "model-file"))
    return NULL;
  return ims_model_find(name);
}

/* ---- columns ------------------------------------------------------------------------- */

static int col_of(const ims_table_t *t, const char *c, const char *sfx)
{
  char a[512];
  snprintf(a, sizeof a, "%s%s", c, sfx);
  return ims_table_column(t, a);
}

static int has_band(const ims_table_t *t, const char *c)
{
  return col_of(t, c, "_p05") >= 0 && col_of(t, c, "_p95") >= 0;
}

/* The column drawn as a line for c: c itself, else its median. */
static int line_col(const ims_table_t *t, const char *c)
{
  int k = ims_table_column(t, c);
  return k >= 0 ? k : col_of(t, c, "_p50");
}

static int file_has(const ims_table_t *t, const char *c)
{
  return line_col(t, c) >= 0 || has_band(t, c);
}

/* "IL6_p05" -> 1 with base "IL6". */
static int is_derived(const char *name, char *base, size_t n)
{
  size_t l = strlen(name);
  for (int k = 0; k < 5; k++)
    if (l > 4 && strcmp(name + l - 4, band_sfx[k]) == 0) {
      snprintf(base, n, "%.*s", (int)(l - 4), name);
      return 1;
    }
  return 0;
}

const char *ims__plot_unit(const tc_t *c, const char *col)
{
  for (int i = 0; i < c->nt; i++) {
    const ims_table_t *t = c->t[i];
    int k = line_col(t, col);
    if (k < 0)
      k = col_of(t, col, "_p05");
    if (k >= 0 && t->unit[k])
      return t->unit[k];
  }
  return NULL;
}

/* Every finite value drawn for column c in table t (itself and its percentiles). */
static void range_of(ims_fig_range_t *r, const ims_table_t *t, const char *c)
{
  ims_fig_range_column(r, t, c);
  for (int s = 0; s < 5; s++) {
    char a[512];
    snprintf(a, sizeof a, "%s%s", c, band_sfx[s]);
    ims_fig_range_column(r, t, a);
  }
}

static int any_nonzero(const tc_t *c, const char *col)
{
  ims_fig_range_t r = IMS_FIG_RANGE_INIT;
  for (int i = 0; i < c->nt; i++)
    range_of(&r, c->t[i], col);
  return r.n > 0 && (r.min != 0 || r.max != 0);
}

int ims__plot_no_column(const tc_t *c, const char *name, const char *opt)
{
  const char *names[512];
  int n = 0;
  for (int i = 0; i < c->nt; i++)
    for (int k = 0; k < c->t[i]->ncols && n < 512; k++)
      names[n++] = c->t[i]->name[k];
  const char *s = ims_suggest(name, names, n);
  if (s)
    return ims_err_set(c->err, IMS_EINPUT, "%s: no column '%s' in %s; did you mean '%s'?", opt,
                       name, c->t[0]->path, s);
  char list[1024] = "";
  for (int k = 0; k < c->t[0]->ncols; k++)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? "," : "",
             c->t[0]->name[k]);
  return ims_err_set(c->err, IMS_EINPUT, "%s: no column '%s' in %s; its columns are %s", opt, name,
                     c->t[0]->path, list);
}

static int add_col(tc_t *c, const char *name)
{
  for (int i = 0; i < c->ncol; i++)
    if (strcmp(c->col[i], name) == 0)
      return 0;
  if (c->ncol == MAX_COLS)
    return 0;
  if (!(c->col[c->ncol] = strdup(name)))
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  c->ncol++;
  return 0;
}

static void trim(char *s)
{
  size_t n = strlen(s), a = 0;
  while (a < n && isspace((unsigned char)s[a]))
    a++;
  while (n > a && isspace((unsigned char)s[n - 1]))
    n--;
  memmove(s, s + a, n - a);
  s[n - a] = '\0';
}

static int choose_columns(tc_t *c)
{
  const ims_plot_opts_t *o = c->o;
  int rc = 0;
  for (int i = 0; !rc && i < o->ny; i++) {
    char *copy = strdup(o->y[i]), *save = NULL;
    if (!copy)
      return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
    for (char *tok = strtok_r(copy, ",", &save); !rc && tok; tok = strtok_r(NULL, ",", &save)) {
      trim(tok);
      int found = 0;
      for (int k = 0; k < c->nt; k++)
        found |= file_has(c->t[k], tok);
      rc = found ? add_col(c, tok) : ims__plot_no_column(c, tok, "--y");
    }
    free(copy);
  }
  if (rc || o->ny)
    return rc;
  /* the model's default figure, else its outputs, else every column; all-zero columns last */
  const ims_table_t *t = c->t[0];
  const ims_model_t *m = c->m;
  for (int pass = 0; pass < 2 && !rc && !c->ncol; pass++) {
    for (int i = 0; m && !rc && i < m->nplot; i++)
      if (file_has(t, m->plot[i].name) && (pass || any_nonzero(c, m->plot[i].name)))
        rc = add_col(c, m->plot[i].name);
    for (int i = 0, any = c->ncol; m && !rc && !any && i < m->noutputs; i++)
      if (file_has(t, m->outputs[i].name) && (pass || any_nonzero(c, m->outputs[i].name)))
        rc = add_col(c, m->outputs[i].name);
    for (int k = 0, any = c->ncol; !rc && !any && k < t->ncols; k++) {
      char base[256];
      const char *name = t->name[k];
      if (k == c->tcol[0] || (o->x && !strcmp(name, o->x)))
        continue;
      if (is_derived(name, base, sizeof base))
        name = base;
      if (pass || any_nonzero(c, name))
        rc = add_col(c, name);
    }
  }
  if (!rc && !c->ncol)
    return ims_err_set(c->err, IMS_EINPUT,
                       "%s: no columns of numbers besides time; plot draws time courses such as "
                       "'immunosim run' writes (time,A1,C1)",
                       t->path);
  if (!rc && c->ncol > MAX_PANELS && !o->overlay) {
    fprintf(stderr, "immunosim: plot: showing the first %d of %d columns; choose with --y\n",
            MAX_PANELS, c->ncol);
    while (c->ncol > MAX_PANELS)
      free(c->col[--c->ncol]);
  }
  return rc;
}

static int check_hlines(tc_t *c)
{
  for (int i = 0; i < c->o->nhline; i++) {
    const ims_plot_hline_t *h = &c->o->hline[i];
    int k = 0;
    while (k < c->ncol && strcmp(c->col[k], h->col))
      k++;
    if (k < c->ncol)
      continue;
    int found = 0;
    for (int j = 0; j < c->nt; j++)
      found |= file_has(c->t[j], h->col);
    if (!found)
      return ims__plot_no_column(c, h->col, "--hline");
    return ims_err_set(c->err, IMS_EINPUT,
                       "--hline %s=%g: column '%s' has no panel; add it with --y", h->col, h->value,
                       h->col);
  }
  return 0;
}

/* ---- scales and ranges ----------------------------------------------------------------- */

static void panel_range(const tc_t *c, char *const *cols, int ncols, ims_fig_range_t *r)
{
  for (int k = 0; k < ncols; k++) {
    for (int i = 0; i < c->nt; i++)
      range_of(r, c->t[i], cols[k]);
    for (int i = 0; !c->o->x && i < c->o->npoints; i++) {
      char a[512];
      ims_fig_range_column(r, c->o->points[i], cols[k]);
      snprintf(a, sizeof a, "%s_lo", cols[k]);
      ims_fig_range_column(r, c->o->points[i], a);
      snprintf(a, sizeof a, "%s_hi", cols[k]);
      ims_fig_range_column(r, c->o->points[i], a);
    }
    for (int h = 0; h < c->o->nhline; h++)
      if (strcmp(c->o->hline[h].col, cols[k]) == 0)
        ims_fig_range_value(r, c->o->hline[h].value);
  }
}

/* The scale the model declares for a column in its default figure, else AUTO. */
static int declared_scale(const ims_model_t *m, const char *col)
{
  for (int i = 0; m && i < m->nplot; i++)
    if (strcmp(m->plot[i].name, col) == 0)
      return m->plot[i].scale;
  return IMS_SCALE_AUTO;
}

/* One scale type for every panel: the one asked for, else log when any panel
 * asks for log (by its model or its data) and every panel can show it. */
static int figure_scale(tc_t *c, char *const *groups[], const int *ngroup, int npanel)
{
  const ims_plot_opts_t *o = c->o;
  int want_log = 0, can_log = 1;
  for (int p = 0; p < npanel; p++) {
    ims_fig_range_t r = IMS_FIG_RANGE_INIT;
    panel_range(c, groups[p], ngroup[p], &r);
    if (!r.n)
      return ims_err_set(c->err, IMS_EINPUT, "column '%s' has no finite values in %s", groups[p][0],
                         c->t[0]->path);
    can_log &= r.max > 0;
    for (int k = 0; k < ngroup[p]; k++) {
      int d = declared_scale(c->m, groups[p][k]);
      ims_fig_range_t rk = IMS_FIG_RANGE_INIT;
      panel_range(c, &groups[p][k], 1, &rk);
      want_log |=
          d == IMS_SCALE_LOG ||
          (d == IMS_SCALE_AUTO && ims_fig_scale_wanted(&rk, IMS_SCALE_AUTO) == IMS_SCALE_LOG);
    }
    if (o->scale == IMS_SCALE_LOG && !(r.max > 0))
      return ims_err_set(c->err, IMS_EINPUT,
                         "--logy: column '%s' has no positive values; use --liny", groups[p][0]);
  }
  c->scale = o->scale == IMS_SCALE_LIN || o->scale == IMS_SCALE_LOG ? o->scale
             : want_log && can_log                                  ? IMS_SCALE_LOG
                                                                    : IMS_SCALE_LIN;
  for (int h = 0; c->scale == IMS_SCALE_LOG && h < o->nhline; h++)
    if (!(o->hline[h].value > 0))
      return ims_err_set(c->err, IMS_EINPUT,
                         "--hline %s=%g on a log axis must be positive; add --liny",
                         o->hline[h].col, o->hline[h].value);
  return 0;
}

/* ---- labels --------------------------------------------------------------------------- */

static void col_label(const tc_t *c, char *out, size_t n, const char *col)
{
  ims_fig_column_label(out, n, c->m, col, ims__plot_unit(c, col));
}

static void ylabel(const tc_t *c, char *out, size_t n, char *const *cols, int ncols)
{
  if (c->o->ylabel) {
    snprintf(out, n, "%s", c->o->ylabel);
    return;
  }
  if (ncols == 1) {
    col_label(c, out, n, cols[0]);
    return;
  }
  /* overlaid columns share a label when their units agree */
  const char *u = ims__plot_unit(c, cols[0]);
  for (int k = 1; k < ncols; k++) {
    const char *v = ims__plot_unit(c, cols[k]);
    if (!((u && v && !strcmp(u, v)) || (!u && !v))) {
      snprintf(out, n, "value (units in the legend)");
      return;
    }
  }
  char names[1024] = "", codes[512] = "", unit[128];
  for (int k = 0; k < ncols; k++) {
    char one[256];
    ims_fig_column_label(one, sizeof one, c->m, cols[k], NULL);
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? ", " : "", one);
    snprintf(codes + strlen(codes), sizeof codes - strlen(codes), "%s%s", k ? ", " : "", cols[k]);
  }
  ims_fig_unit(unit, sizeof unit, u);
  const char *what = strlen(names) <= 44 ? names : strlen(codes) <= 44 ? codes : "value";
  snprintf(out, n, "%s%s%s%s", what, unit[0] ? " (" : "", unit, unit[0] ? ")" : "");
}

static void default_title(const tc_t *c, char *out, size_t n)
{
  out[0] = '\0';
  if (!c->m)
    return;
  char first[128], other[128];
  model_name(c->t[0], first, sizeof first);
  for (int i = 1; i < c->nt; i++) {
    model_name(c->t[i], other, sizeof other);
    if (strcmp(first, other))
      return;
  }
  snprintf(out, n, "%s", c->m->name);
  char base[256];
  const char *ps = ims_table_meta_get(c->t[0], "params");
  if (c->nt == 1 && ps && ims__plot_base(base, sizeof base, ps))
    snprintf(out + strlen(out), n - strlen(out), ": %s", base);
  const char *sc = c->o->schedule ? c->o->schedule : ims_table_meta_get(c->t[0], "schedule");
  if (c->nt == 1 && sc && ims__plot_base(base, sizeof base, sc))
    snprintf(out + strlen(out), n - strlen(out), ", %s", base);
}

int ims__plot_base(char *out, size_t n, const char *path)
{
  char first[4096];
  if (sscanf(path, "%4095s", first) != 1)
    return 0;
  const char *b = strrchr(first, '/');
  snprintf(out, n, "%s", b ? b + 1 : first);
  char *dot = strrchr(out, '.');
  if (dot && dot != out)
    *dot = '\0';
  return out[0] != 0;
}

/* ---- series --------------------------------------------------------------------------- */

static int all_band_colors_one(const tc_t *c, int overlay, int *color)
{
  int col = -1;
  for (int k = 0; k < c->ncol; k++)
    for (int i = 0; i < c->nt; i++)
      if (has_band(c->t[i], c->col[k])) {
        int this = overlay ? k + 1 : c->nt > 1 ? i + 1 : 1;
        if (col >= 0 && col != this)
          return 0;
        col = this;
      }
  *color = col;
  return col >= 0;
}

static void add_series(tc_t *c, ims_fig_panel_t *p, int i, const char *col, int color, int dash)
{
  const ims_table_t *t = c->t[i];
  const char *x = c->o->x ? c->o->x : t->name[c->tcol[i]];
  if (has_band(t, col)) {
    char lo[512], hi[512];
    snprintf(lo, sizeof lo, "%s_p05", col);
    snprintf(hi, sizeof hi, "%s_p95", col);
    ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_BAND, t->path, x, lo);
    if (s) {
      ims_fig_series_y2(c->f, s, NULL, hi);
      s->color = color;
      s->alpha = 0.18;
    }
    c->have_band |= 1;
    if (col_of(t, col, "_p25") >= 0 && col_of(t, col, "_p75") >= 0) {
      snprintf(lo, sizeof lo, "%s_p25", col);
      snprintf(hi, sizeof hi, "%s_p75", col);
      s = ims_fig_series_add(p, IMS_FIG_BAND, t->path, x, lo);
      if (s) {
        ims_fig_series_y2(c->f, s, NULL, hi);
        s->color = color;
        s->alpha = 0.38;
      }
      c->have_band |= 2;
    }
  }
  int k = line_col(t, col);
  if (k >= 0) {
    ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_LINE, t->path, x, t->name[k]);
    if (s) {
      s->color = color;
      s->dash = dash;
    }
  }
}

static void add_points(tc_t *c, ims_fig_panel_t *p, const char *col)
{
  for (int i = 0; !c->o->x && i < c->o->npoints; i++) {
    const ims_table_t *t = c->o->points[i];
    if (ims_table_column(t, col) < 0)
      continue;
    char lo[512], hi[512];
    snprintf(lo, sizeof lo, "%s_lo", col);
    snprintf(hi, sizeof hi, "%s_hi", col);
    int err = ims_table_column(t, lo) >= 0 && ims_table_column(t, hi) >= 0;
    ims_fig_series_t *s =
        ims_fig_series_add(p, err ? IMS_FIG_ERRORBARS : IMS_FIG_POINTS, t->path, "$1", col);
    if (!s)
      return;
    s->color = IMS_FIG_BLACK;
    s->point = 7 + 2 * (i % 4);
    if (err)
      ims_fig_series_y2(c->f, s, lo, hi);
  }
}

static int build_panel(tc_t *c, char *const *cols, int ncols)
{
  const ims_plot_opts_t *o = c->o;
  ims_fig_panel_t *p = ims_fig_panel_add(c->f);
  if (!p)
    return ims_fig_ok(c->f, c->err);
  /* y: the figure's scale; log axes show each column down to 6 decades below its peak */
  ims_fig_range_t r = IMS_FIG_RANGE_INIT;
  panel_range(c, cols, ncols, &r);
  double loglo = INFINITY;
  for (int k = 0; k < ncols; k++) {
    ims_fig_range_t rk = IMS_FIG_RANGE_INIT;
    panel_range(c, &cols[k], 1, &rk);
    if (rk.n && isfinite(rk.minpos))
      loglo = fmin(loglo, fmax(rk.minpos, rk.max * 1e-6));
  }
  ims_fig_axis_fit(&p->y, &r, c->scale, isfinite(loglo) ? loglo : 0, 0.03, 0.06);
  if (!isnan(o->ylo))
    p->y.lo = o->ylo;
  if (!isnan(o->yhi))
    p->y.hi = o->yhi;
  char buf[1024];
  ylabel(c, buf, sizeof buf, cols, ncols);
  ims_fig_text(c->f, &p->y.label, buf);
  if (ncols == 1 && !o->ylabel) {
    ims_fig_column_name(buf, sizeof buf, c->m, cols[0], ims__plot_unit(c, cols[0]));
    if (strcmp(buf, p->y.label))
      ims_fig_text(c->f, &p->y.label_short, buf);
  }
  buf[0] = '\0';
  for (int k = 0; k < ncols; k++)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", k ? ", " : "", cols[k]);
  ims_fig_text(c->f, &p->comment, buf);
  p->x = c->xaxis;
  p->x.label = NULL;
  p->x.tick = NULL;
  p->x.ntick = 0;
  ims_fig_text(c->f, &p->x.label, c->xaxis.label);
  p->doses = !o->x && c->f->nrow > 0;
  /* series: one colour per run (per column when overlaid, dash type per run) */
  if (ncols == 1)
    for (int i = 0; i < c->nt; i++)
      add_series(c, p, i, cols[0], c->nt > 1 ? i + 1 : 1, 1);
  else
    for (int k = 0; k < ncols; k++)
      for (int i = 0; i < c->nt; i++)
        add_series(c, p, i, cols[k], k + 1, i + 1);
  for (int k = 0; k < ncols; k++)
    add_points(c, p, cols[k]);
  for (int h = 0; h < o->nhline; h++)
    for (int k = 0; k < ncols; k++)
      if (!strcmp(o->hline[h].col, cols[k]))
        ims_fig_mark_add(p, IMS_FIG_HLINE, 0, o->hline[h].value, o->hline[h].label);
  return ims_fig_ok(c->f, c->err);
}

static void legend(tc_t *c)
{
  ims_fig_t *f = c->f;
  const ims_plot_opts_t *o = c->o;
  int overlay = o->overlay && c->ncol > 1;
  if (overlay)
    for (int k = 0; k < c->ncol; k++) {
      char l[512];
      col_label(c, l, sizeof l, c->col[k]);
      ims_fig_key_t *e = ims_fig_key_add(f, IMS_FIG_KEY_LINE, l);
      if (e)
        e->color = k + 1;
    }
  if (c->nt > 1)
    for (int i = 0; i < c->nt; i++) {
      ims_fig_key_t *e = ims_fig_key_add(f, IMS_FIG_KEY_LINE, c->label[i]);
      if (e) {
        e->color = overlay ? IMS_FIG_BLACK : i + 1;
        e->dash = overlay ? i + 1 : 1;
      }
    }
  if (c->have_band) {
    int bc = 0; /* grey when the bands have several colours */
    all_band_colors_one(c, overlay, &bc);
    if (c->nt == 1 && !overlay) {
      ims_fig_key_t *e = ims_fig_key_add(f, IMS_FIG_KEY_LINE, "median");
      if (e)
        e->color = 1;
    }
    if (c->have_band & 2) {
      ims_fig_key_t *e = ims_fig_key_add(f, IMS_FIG_KEY_BAND, "25-75 %");
      if (e)
        e->color = bc, e->alpha = 0.38;
    }
    ims_fig_key_t *e = ims_fig_key_add(f, IMS_FIG_KEY_BAND, "5-95 %");
    if (e)
      e->color = bc, e->alpha = 0.18;
  }
  for (int i = 0; i < o->npoints && !o->x; i++) {
    const char *l = ims_table_meta_get(o->points[i], "label");
    char base[256];
    if (!l)
      l = ims__plot_base(base, sizeof base, o->points[i]->path) ? base : o->points[i]->path;
    ims_fig_key_t *e = ims_fig_key_add(f, IMS_FIG_KEY_POINTS, l);
    if (e)
      e->color = IMS_FIG_BLACK, e->point = 7 + 2 * (i % 4);
  }
  ims__plot_dose_keys(c);
}

/* ---- the x axis ------------------------------------------------------------------------ */

static int x_axis(tc_t *c)
{
  const ims_plot_opts_t *o = c->o;
  ims_fig_axis_t *a = &c->xaxis;
  ims_fig_range_t r = IMS_FIG_RANGE_INIT;
  for (int i = 0; i < c->nt; i++) {
    if (o->x && ims_table_column(c->t[i], o->x) < 0)
      return ims__plot_no_column(c, o->x, "--x");
    ims_fig_range_column(&r, c->t[i], o->x ? o->x : c->t[i]->name[c->tcol[i]]);
  }
  char label[512];
  if (o->x) {
    if (o->xscale == IMS_SCALE_LOG && !(r.max > 0))
      return ims_err_set(c->err, IMS_EINPUT, "--logx: column '%s' has no positive values", o->x);
    int s = o->xscale == IMS_SCALE_LOG ||
                    (o->xscale == IMS_SCALE_AUTO && r.min > 0 && r.max / r.min > 1e3)
                ? IMS_SCALE_LOG
                : IMS_SCALE_LIN;
    ims_fig_axis_fit(a, &r, s, fmax(r.minpos, r.max * 1e-6), 0.02, 0.02);
    col_label(c, label, sizeof label, o->x);
  } else {
    a->div = o->weeks ? 7 : 1;
    a->lo = r.min / a->div;
    a->hi = r.max / a->div;
    /* a bolus at the start would sit on the y axis: move the axis left a little */
    if (c->first_bolus <= r.min + 0.01 * (r.max - r.min))
      a->lo -= 0.015 * (a->hi - a->lo);
    const char *tu = c->t[0]->unit[c->tcol[0]];
    char u[64];
    ims_fig_unit(u, sizeof u, tu);
    if (o->weeks)
      snprintf(label, sizeof label, "time (weeks)");
    else if (u[0])
      snprintf(label, sizeof label, "time (%s)", u);
    else
      snprintf(label, sizeof label, "time");
  }
  if (!isnan(o->xlo))
    a->lo = o->xlo;
  if (!isnan(o->xhi))
    a->hi = o->xhi;
  if (!(a->hi > a->lo))
    a->hi = a->lo + 1;
  ims_fig_text(c->f, &a->label, label);
  return ims_fig_ok(c->f, c->err);
}

/* The time column: "time", else a first column of numbers.  Tables of
 * other commands are named, with the command that draws them. */
static int time_column(const ims_table_t *t, int *k, ims_err_t *err)
{
  *k = ims_table_column(t, "time");
  if (*k >= 0)
    return IMS_OK;
  if (ims_table_column(t, "status") >= 0 && ims_table_meta_get(t, "vary"))
    return ims_err_set(err, IMS_EINPUT,
                       "%s: a sweep table, not a time course; 'immunosim sweep ... --plot FIG.png' "
                       "draws it (a line or a heat map)",
                       t->path);
  if (ims_table_column(t, "rank") >= 0 && ims_table_column(t, "S_peak") >= 0)
    return ims_err_set(err, IMS_EINPUT,
                       "%s: a ranked sensitivity table, not a time course; 'immunosim sensitivity "
                       "... --plot FIG.png' draws it",
                       t->path);
  *k = 0;
  if (t->ncols > 1 && t->numeric[0])
    return IMS_OK;
  return ims_err_set(err, IMS_EINPUT,
                     "%s: no time column (its first column is '%s'); plot draws time courses: a "
                     "'time' column (or a first column of numbers), then columns of numbers, as "
                     "'immunosim run' writes them",
                     t->path, t->ncols ? t->name[0] : "");
}

/* ---- the builder ---------------------------------------------------------------------- */

int ims_plot_timecourse(ims_fig_t *f, const ims_table_t *const *t, int nt, const ims_plot_opts_t *o,
                        ims_err_t *err)
{
  if (nt < 1)
    return ims_err_set(err, IMS_EINPUT, "plot: which output? give at least one table");
  tc_t c = {.f = f, .t = t, .nt = nt, .o = o, .err = err};
  c.m = o->model ? o->model : ims_plot_model(t[0]);
  c.tcol = calloc((size_t)nt, sizeof *c.tcol);
  c.label = calloc((size_t)nt, sizeof *c.label);
  int rc = c.tcol && c.label ? 0 : ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (int i = 0; !rc && i < nt; i++) {
    rc = time_column(t[i], &c.tcol[i], err);
    if (!rc && t[i]->nrows == 0)
      rc = ims_err_set(err, IMS_EINPUT, "%s: no data rows", t[i]->path);
    const char *l = o->labels ? o->labels[i] : ims_table_meta_get(t[i], "label");
    char base[512];
    if (!l)
      l = ims__plot_base(base, sizeof base, t[i]->path) ? base : t[i]->path;
    if (!rc && !(c.label[i] = strdup(l)))
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  if (!rc && o->weeks) {
    const char *tu = t[0]->unit[c.tcol[0]];
    if (tu && strcmp(tu, "d") && strcmp(tu, "day") && strcmp(tu, "days"))
      rc = ims_err_set(err, IMS_EINPUT, "--weeks: time in %s is in '%s', not days", t[0]->path, tu);
  }
  f->delim = t[0]->delim;
  c.first_bolus = INFINITY;
  rc = rc ? rc : choose_columns(&c);
  rc = rc ? rc : check_hlines(&c);
  if (!rc && !o->no_doses && !o->x)
    rc = ims__plot_doses(&c);
  rc = rc ? rc : x_axis(&c);
  /* panels: one per column, or one for all */
  int npanel = o->overlay ? 1 : c.ncol;
  char *const *groups[MAX_COLS];
  int ngroup[MAX_COLS];
  for (int p = 0; p < npanel; p++) {
    groups[p] = o->overlay ? c.col : &c.col[p];
    ngroup[p] = o->overlay ? c.ncol : 1;
  }
  rc = rc ? rc : figure_scale(&c, groups, ngroup, npanel);
  for (int p = 0; !rc && p < npanel; p++)
    rc = build_panel(&c, groups[p], ngroup[p]);
  if (!rc) {
    legend(&c);
    char title[1024];
    if (o->title)
      snprintf(title, sizeof title, "%s", o->title);
    else
      default_title(&c, title, sizeof title);
    ims_fig_title(f, title[0] ? title : NULL);
    rc = ims_fig_ok(f, err);
  }
  for (int i = 0; i < c.ncol; i++)
    free(c.col[i]);
  for (int i = 0; c.label && i < nt; i++)
    free(c.label[i]);
  free(c.label);
  free(c.tcol);
  free(c.xaxis.label);
  return rc;
}
