/* Sweep lines and heat maps, ranked sensitivity bars: figures from the
 * tables `sweep` and `sensitivity` write. */
#include "figplot.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* A '# vary:' line "amt[1]=10mg:400mg:8:log (column amt_1)" (or, from older
 * tables, "CL=0.1:0.4:4:log") of this column, spaced geometrically. */
static int vary_is_log(const char *val, const char *column)
{
  const char *eq = strchr(val, '='), *paren = strstr(val, " (column ");
  size_t spec = paren ? (size_t)(paren - val) : strlen(val);
  int named =
      paren
          ? !strncmp(paren + 9, column, strlen(column)) && !strcmp(paren + 9 + strlen(column), ")")
          : eq && (size_t)(eq - val) == strlen(column) && !strncmp(val, column, strlen(column));
  return named && spec > 4 && !strncmp(val + spec - 4, ":log", 4);
}

/* The grid of a varied column: its distinct values, whether it was spaced
 * geometrically (':log' in its '# vary:' line), and the step (a ratio then). */
static int grid_of(ims_fig_t *f, ims_fig_axis_t *a, const ims_table_t *t, int col, int *logsp,
                   double *step, double *lo, double *hi)
{
  double *v = malloc((size_t)(t->nrows + 1) * sizeof *v);
  if (!v)
    return -1;
  long n = 0;
  for (long i = 0; i < t->nrows; i++) {
    double x = ims_table_value(t, i, col);
    if (isfinite(x))
      v[n++] = x;
  }
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  long d = 0;
  for (long i = 0; i < n; i++)
    if (!d || v[i] != v[d - 1])
      v[d++] = v[i];
  *logsp = 0;
  for (int i = 0; i < t->nmeta; i++)
    if (!strcmp(t->meta[i].key, "vary") && vary_is_log(t->meta[i].value, t->name[col]))
      *logsp = 1;
  *lo = d ? v[0] : 0;
  *hi = d ? v[d - 1] : 1;
  if (*logsp && !(*lo > 0))
    *logsp = 0;
  if (d > 1)
    *step = *logsp ? pow(*hi / *lo, 1.0 / (double)(d - 1)) : (*hi - *lo) / (double)(d - 1);
  else
    *step = *logsp ? 2.0 : fabs(*lo) + 1.0;
  /* a tick at every grid value when there are few: each cell or point is named */
  for (long i = 0; a && d <= 12 && i < d; i++) {
    char lab[32];
    snprintf(lab, sizeof lab, "%.4g", v[i]);
    ims_fig_tick_add(f, a, v[i], lab);
  }
  free(v);
  return 0;
}

/* The axis showing every cell of a grid whole. */
static void grid_axis(ims_fig_axis_t *a, int logsp, double step, double lo, double hi)
{
  a->scale = logsp ? IMS_SCALE_LOG : IMS_SCALE_LIN;
  a->lo = logsp ? lo / sqrt(step) : lo - step / 2;
  a->hi = logsp ? hi * sqrt(step) : hi + step / 2;
}

static void label_of(char *out, size_t n, const ims_model_t *m, const ims_table_t *t, int col)
{
  ims_fig_column_label(out, n, m, t->name[col], t->unit[col]);
}

/* "peak of tumour cells T" without the unit, for titles. */
static void words_of(char *out, size_t n, const ims_model_t *m, const ims_table_t *t, int col)
{
  ims_fig_column_label(out, n, m, t->name[col], NULL);
}

static int metric_column(const ims_table_t *t, int first, const char *metric, ims_err_t *err)
{
  for (int k = first; k < t->ncols; k++) {
    const char *name = t->name[k];
    size_t l = strlen(name);
    if (metric ? !strcmp(name, metric)
               : l > 4 && (!strcmp(name + l - 4, "_max") || !strcmp(name + l - 4, ".max")))
      return k;
  }
  if (!metric)
    return ims_err_set(err, IMS_EINPUT,
                       "%s: no peak (COL_max) column to plot; choose one with "
                       "--plot-metric",
                       t->path);
  const char *names[512];
  int n = 0;
  for (int k = first; k < t->ncols && n < 512; k++)
    names[n++] = t->name[k];
  const char *s = ims_suggest(metric, names, n);
  return s ? ims_err_set(err, IMS_EINPUT,
                         "--plot-metric %s: no such column in %s; did you mean "
                         "'%s'?",
                         metric, t->path, s)
           : ims_err_set(err, IMS_EINPUT, "--plot-metric %s: no such column in %s", metric,
                         t->path);
}

int ims_plot_sweep(ims_fig_t *f, const ims_table_t *t, const char *metric, const ims_model_t *m,
                   ims_err_t *err)
{
  m = m ? m : ims_plot_model(t);
  int nv = ims_table_column(t, "status");
  if (nv < 1 || nv > 2)
    return ims_err_set(err, IMS_EINPUT,
                       "%s: not a sweep table (one or two varied columns, then 'status')", t->path);
  int zc = metric_column(t, nv + 1, metric, err);
  if (zc < 0)
    return err->code;
  f->delim = t->delim;
  ims_fig_panel_t *p = ims_fig_panel_add(f);
  if (!p)
    return ims_fig_ok(f, err);
  char xl[512], yl[512], zl[512], xw[256], yw[256], zw[512], title[1200];
  label_of(xl, sizeof xl, m, t, 0);
  label_of(zl, sizeof zl, m, t, zc);
  words_of(zw, sizeof zw, m, t, zc);
  words_of(xw, sizeof xw, m, t, 0);
  int logx, logy;
  double sx, sy, xlo, xhi, ylo, yhi;
  if (grid_of(f, &p->x, t, 0, &logx, &sx, &xlo, &xhi))
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  ims_fig_range_t zr = IMS_FIG_RANGE_INIT;
  ims_fig_range_column(&zr, t, t->name[zc]);
  if (!zr.n)
    return ims_err_set(err, IMS_EINPUT,
                       "%s: column '%s' has no finite values (every point failed?)", t->path,
                       t->name[zc]);
  ims_fig_text(f, &p->x.label, xl);
  ims_fig_text(f, &p->comment, t->name[zc]);
  if (nv == 1) { /* the metric against the varied value */
    /* the grid's own range, a little wider: never stretched to zero */
    p->x.scale = logx ? IMS_SCALE_LOG : IMS_SCALE_LIN;
    p->x.lo = logx ? xlo / pow(xhi / xlo, 0.04) : xlo - 0.04 * (xhi - xlo + (xhi == xlo));
    p->x.hi = logx ? xhi * pow(xhi / xlo, 0.04) : xhi + 0.04 * (xhi - xlo + (xhi == xlo));
    if (logx && !(xhi > xlo)) {
      p->x.lo = xlo / 2;
      p->x.hi = xhi * 2;
    }
    ims_fig_axis_fit(&p->y, &zr, ims_fig_scale_wanted(&zr, IMS_SCALE_AUTO), 0, 0.04, 0.06);
    ims_fig_text(f, &p->y.label, zl);
    ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_LINE, t->path, t->name[0], t->name[zc]);
    if (s)
      s->width = 1.3;
    ims_fig_series_add(p, IMS_FIG_POINTS, t->path, t->name[0], t->name[zc]);
    snprintf(title, sizeof title, "%s over %s", zw, xw);
  } else { /* a heat map over the two */
    if (grid_of(f, &p->y, t, 1, &logy, &sy, &ylo, &yhi))
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    label_of(yl, sizeof yl, m, t, 1);
    words_of(yw, sizeof yw, m, t, 1);
    grid_axis(&p->x, logx, sx, xlo, xhi);
    grid_axis(&p->y, logy, sy, ylo, yhi);
    ims_fig_text(f, &p->y.label, yl);
    ims_fig_axis_fit(&p->z, &zr, ims_fig_scale_wanted(&zr, IMS_SCALE_AUTO), 0, 0, 0);
    ims_fig_text(f, &p->z.label, zl);
    ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_CELLS, t->path, t->name[0], t->name[1]);
    if (s) {
      ims_fig_text(f, &s->z, t->name[zc]);
      s->dx = sx;
      s->dy = sy;
    }
    snprintf(title, sizeof title, "%s over %s and %s", zw, xw, yw);
  }
  if (m)
    snprintf(title + strlen(title), sizeof title - strlen(title), " (model %s)", m->name);
  title[0] = (char)toupper((unsigned char)title[0]);
  ims_fig_title(f, title);
  return ims_fig_ok(f, err);
}

int ims_plot_sensitivity(ims_fig_t *f, const ims_table_t *t, const char *of, const ims_model_t *m,
                         ims_err_t *err)
{
  m = m ? m : ims_plot_model(t);
  int cr = ims_table_column(t, "rank"), cp = ims_table_column(t, "parameter");
  int cs = ims_table_column(t, "S_peak"), ca = ims_table_column(t, "S_auc");
  if (cr < 0 || cp < 0 || cs < 0 || ca < 0)
    return ims_err_set(err, IMS_EINPUT,
                       "%s: not a ranked sensitivity table (rank,parameter,S_peak,S_auc)", t->path);
  if (!t->nrows)
    return ims_err_set(err, IMS_EINPUT, "%s: no parameters to draw", t->path);
  f->delim = t->delim;
  ims_fig_panel_t *p = ims_fig_panel_add(f);
  if (!p)
    return ims_fig_ok(f, err);
  char of_words[512], label[600], title[800];
  ims_fig_column_label(of_words, sizeof of_words, m, of, NULL);
  /* bars side by side per parameter: the peak above, the AUC below */
  static const char *const what[] = {"peak", "AUC"};
  ims_fig_range_t xr = IMS_FIG_RANGE_INIT;
  ims_fig_range_value(&xr, 0);
  for (int b = 0; b < 2; b++) {
    const char *col = t->name[b ? ca : cs];
    ims_fig_range_column(&xr, t, col);
    ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_HBARS, t->path, col, t->name[cr]);
    if (s) {
      s->color = b + 1;
      s->offset = b ? 0.19 : -0.19;
      s->thick = 0.17;
    }
    snprintf(label, sizeof label, "%s of %s", what[b], of_words);
    if (s)
      ims_fig_key_series(f, s, label);
  }
  double span = xr.max - xr.min > 0 ? xr.max - xr.min : 1;
  p->x.lo = xr.min - 0.05 * span;
  p->x.hi = xr.max + 0.05 * span;
  ims_fig_text(f, &p->x.label, "normalised sensitivity (p/y)\xc2\xb7\xe2\x88\x82y/\xe2\x88\x82p");
  /* parameters top down by rank, named in words */
  p->y.lo = (double)t->nrows + 0.6;
  p->y.hi = 0.4;
  for (long i = 0; i < t->nrows; i++) {
    const char *name = t->text ? t->text[(size_t)i * (size_t)t->ncols + (size_t)cp] : NULL;
    char pl[256];
    if (name)
      ims_fig_column_label(pl, sizeof pl, m, name, NULL);
    else
      snprintf(pl, sizeof pl, "rank %ld", i + 1);
    ims_fig_tick_add(f, &p->y, ims_table_value(t, i, cr), pl);
  }
  ims_fig_mark_add(p, IMS_FIG_VLINE, 0, 0, "");
  ims_fig_text(f, &p->comment, of);
  snprintf(title, sizeof title, "What drives the peak and AUC of %s?", of_words);
  if (m)
    snprintf(title + strlen(title), sizeof title - strlen(title), " (model %s)", m->name);
  ims_fig_title(f, title);
  return ims_fig_ok(f, err);
}
