/* The figure object: panels, series, marks, legend entries, dose rows.  Every
 * element is its own allocation, so pointers handed out stay valid while more
 * are added; an allocation failure is recorded in f->oom (ims_fig_ok). */
#include "immunosim/figure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ims_fig_alloc(ims_fig_t **out, ims_err_t *err)
{
  *out = calloc(1, sizeof **out);
  if (!*out)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  (*out)->delim = ',';
  return IMS_OK;
}

static void axis_free(ims_fig_axis_t *a)
{
  free(a->label);
  free(a->label_short);
  for (int i = 0; i < a->ntick; i++)
    free(a->tick[i].label);
  free(a->tick);
}

static void series_free(ims_fig_series_t *s)
{
  free(s->data);
  free(s->x);
  free(s->y);
  free(s->y2);
  free(s->y2lo);
  free(s->z);
  free(s->seg);
  free(s);
}

void ims_fig_free(ims_fig_t *f)
{
  if (!f)
    return;
  for (int i = 0; i < f->npanel; i++) {
    ims_fig_panel_t *p = f->panel[i];
    free(p->title);
    free(p->comment);
    axis_free(&p->x);
    axis_free(&p->y);
    axis_free(&p->z);
    for (int k = 0; k < p->nseries; k++)
      series_free(p->series[k]);
    free(p->series);
    for (int k = 0; k < p->nmark; k++) {
      free(p->mark[k]->label);
      free(p->mark[k]);
    }
    free(p->mark);
    free(p);
  }
  free(f->panel);
  for (int i = 0; i < f->nkey; i++) {
    free(f->key[i]->label);
    free(f->key[i]);
  }
  free(f->key);
  for (int i = 0; i < f->nrow; i++) {
    free(f->row[i]->name);
    free(f->row[i]->dose);
    free(f->row[i]);
  }
  free(f->row);
  free(f->title);
  free(f);
}

int ims_fig_ok(const ims_fig_t *f, ims_err_t *err)
{
  return f->oom ? ims_err_set(err, IMS_ENOMEM, "out of memory while building the figure") : IMS_OK;
}

/* A zeroed element of size sz appended to the pointer array *arr of *n. */
static void *append(ims_fig_t *f, void ***arr, int *n, size_t sz)
{
  if (f->oom)
    return NULL;
  void **na = realloc(*arr, (size_t)(*n + 1) * sizeof *na);
  void *e = na ? calloc(1, sz) : NULL;
  if (na)
    *arr = na;
  if (!e) {
    f->oom = 1;
    return NULL;
  }
  (*arr)[(*n)++] = e;
  return e;
}

static char *dup(ims_fig_t *f, const char *s)
{
  if (!s)
    return NULL;
  char *c = strdup(s);
  if (!c)
    f->oom = 1;
  return c;
}

void ims_fig_text(ims_fig_t *f, char **dst, const char *s)
{
  char *c = dup(f, s);
  if (s && !c)
    return;
  free(*dst);
  *dst = c;
}

void ims_fig_title(ims_fig_t *f, const char *title)
{
  ims_fig_text(f, &f->title, title);
}

static void axis_init(ims_fig_axis_t *a)
{
  a->scale = IMS_SCALE_LIN;
  a->lo = a->hi = NAN;
}

ims_fig_panel_t *ims_fig_panel_add(ims_fig_t *f)
{
  ims_fig_panel_t *p = append(f, (void ***)&f->panel, &f->npanel, sizeof *p);
  if (p) {
    p->fig = f;
    axis_init(&p->x);
    axis_init(&p->y);
    axis_init(&p->z);
  }
  return p;
}

ims_fig_series_t *ims_fig_series_add(ims_fig_panel_t *p, int kind, const char *data, const char *x,
                                     const char *y)
{
  ims_fig_t *f = p->fig;
  ims_fig_series_t *s = append(f, (void ***)&p->series, &p->nseries, sizeof *s);
  if (!s)
    return NULL;
  s->kind = kind;
  s->data = dup(f, data);
  s->x = dup(f, x);
  s->y = dup(f, y);
  s->color = 1;
  s->dash = 1;
  s->point = 7;
  s->alpha = 0.25;
  return f->oom ? NULL : s;
}

ims_fig_mark_t *ims_fig_mark_add(ims_fig_panel_t *p, int kind, double x, double y,
                                 const char *label)
{
  ims_fig_t *f = p->fig;
  ims_fig_mark_t *m = append(f, (void ***)&p->mark, &p->nmark, sizeof *m);
  if (!m)
    return NULL;
  m->kind = kind;
  m->x = x;
  m->y = y;
  m->label = dup(f, label ? label : "");
  m->point = 7;
  m->color = IMS_FIG_BLACK;
  return f->oom ? NULL : m;
}

ims_fig_key_t *ims_fig_key_add(ims_fig_t *f, int kind, const char *label)
{
  ims_fig_key_t *k = append(f, (void ***)&f->key, &f->nkey, sizeof *k);
  if (!k)
    return NULL;
  k->kind = kind;
  k->label = dup(f, label ? label : "");
  k->color = 1;
  k->dash = 1;
  k->point = 7;
  k->alpha = 0.25;
  return f->oom ? NULL : k;
}

ims_fig_key_t *ims_fig_key_series(ims_fig_t *f, const ims_fig_series_t *s, const char *label)
{
  static const int kind_of[] = {
      [IMS_FIG_LINE] = IMS_FIG_KEY_LINE,     [IMS_FIG_BAND] = IMS_FIG_KEY_BAND,
      [IMS_FIG_POINTS] = IMS_FIG_KEY_POINTS, [IMS_FIG_ERRORBARS] = IMS_FIG_KEY_POINTS,
      [IMS_FIG_HBARS] = IMS_FIG_KEY_BOX,     [IMS_FIG_CELLS] = IMS_FIG_KEY_BOX,
      [IMS_FIG_VECTORS] = IMS_FIG_KEY_LINE};
  ims_fig_key_t *k = ims_fig_key_add(f, kind_of[s->kind], label);
  if (k) {
    k->color = s->color;
    k->dash = s->dash;
    k->point = s->point;
    k->alpha = s->alpha;
    k->width = s->width;
  }
  return k;
}

ims_fig_dose_row_t *ims_fig_dose_row_add(ims_fig_t *f, const char *name, int color, int point)
{
  ims_fig_dose_row_t *r = append(f, (void ***)&f->row, &f->nrow, sizeof *r);
  if (!r)
    return NULL;
  r->name = dup(f, name);
  r->color = color;
  r->point = point;
  return f->oom ? NULL : r;
}

int ims_fig_dose_add(ims_fig_t *f, ims_fig_dose_row_t *r, const ims_fig_dose_t *d)
{
  if (f->oom)
    return -1;
  ims_fig_dose_t *nd = realloc(r->dose, (size_t)(r->ndose + 1) * sizeof *nd);
  if (!nd) {
    f->oom = 1;
    return -1;
  }
  r->dose = nd;
  r->dose[r->ndose++] = *d;
  return 0;
}

void ims_fig_series_y2(ims_fig_t *f, ims_fig_series_t *s, const char *y2lo, const char *y2)
{
  ims_fig_text(f, &s->y2lo, y2lo);
  ims_fig_text(f, &s->y2, y2);
}

int ims_fig_series_rows(ims_fig_t *f, ims_fig_series_t *s, const ims_table_t *t,
                        ims_fig_row_fn keep, void *ud, int join)
{
  free(s->seg);
  s->seg = NULL;
  s->nseg = 0;
  long *seg = malloc((size_t)(t->nrows + 1) * 2 * sizeof *seg);
  if (!seg) {
    f->oom = 1;
    return -1;
  }
  int n = 0;
  for (long i = 0; i < t->nrows;) {
    if (!keep(t, i, ud)) {
      i++;
      continue;
    }
    long a = i;
    while (i < t->nrows && keep(t, i, ud))
      i++;
    seg[2 * n] = a;
    seg[2 * n + 1] = i - 1 + (join && i < t->nrows);
    n++;
  }
  if (!n) { /* no row qualifies: an empty run, not every row */
    seg[0] = 1;
    seg[1] = 0;
    n = 1;
  }
  s->seg = seg;
  s->nseg = n;
  return 0;
}

typedef struct where {
  int col;
  double value;
  const char *text;
} where_t;

static int keep_value(const ims_table_t *t, long row, void *ud)
{
  const where_t *w = ud;
  return w->col >= 0 && ims_table_value(t, row, w->col) == w->value;
}

static int keep_text(const ims_table_t *t, long row, void *ud)
{
  const where_t *w = ud;
  return w->col >= 0 && t->text &&
         strcmp(t->text[(size_t)row * (size_t)t->ncols + (size_t)w->col], w->text) == 0;
}

int ims_fig_series_where(ims_fig_t *f, ims_fig_series_t *s, const ims_table_t *t, const char *col,
                         double value, int join)
{
  where_t w = {.col = ims_table_column(t, col), .value = value};
  return ims_fig_series_rows(f, s, t, keep_value, &w, join);
}

int ims_fig_series_where_text(ims_fig_t *f, ims_fig_series_t *s, const ims_table_t *t,
                              const char *col, const char *text, int join)
{
  where_t w = {.col = ims_table_column(t, col), .text = text};
  return ims_fig_series_rows(f, s, t, keep_text, &w, join);
}

int ims_fig_tick_add(ims_fig_t *f, ims_fig_axis_t *a, double at, const char *label)
{
  ims_fig_tick_t *t = realloc(a->tick, (size_t)(a->ntick + 1) * sizeof *t);
  if (!t) {
    f->oom = 1;
    return -1;
  }
  a->tick = t;
  t[a->ntick].at = at;
  t[a->ntick].label = dup(f, label ? label : "");
  if (!t[a->ntick].label)
    return -1;
  a->ntick++;
  return 0;
}
