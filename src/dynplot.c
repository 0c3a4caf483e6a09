/* Bifurcation diagrams and phase portraits on the figure model (see
 * include/immunosim/dynplot.h). */
#include "immunosim/dynplot.h"

#include "immunosim/data.h"
#include "immunosim/plots.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ims_dynplot_opts_init(ims_dynplot_opts_t *o)
{
  memset(o, 0, sizeof *o);
  o->xlo = o->xhi = o->ylo = o->yhi = NAN;
}

static const char *cell(const ims_table_t *t, long r, int c)
{
  return t->text && c >= 0 ? t->text[(size_t)r * (size_t)t->ncols + (size_t)c] : "";
}

static int col(const ims_table_t *t, const char *name)
{
  return t ? ims_table_column(t, name) : -1;
}

int ims_dyntab_kind(const ims_table_t *t)
{
  if (col(t, "kind") == 0 && col(t, "branch") == 1 && col(t, "stability") > 2 &&
      col(t, "label") > 2)
    return IMS_DYNTAB_CONTINUATION;
  if (col(t, "nullcline") == 0 && col(t, "segment") == 1 && t->ncols == 4)
    return IMS_DYNTAB_NULLCLINES;
  if (col(t, "curve") == 0 && col(t, "kind") == 1 && col(t, "time") == 2 && t->ncols == 5)
    return IMS_DYNTAB_CURVES;
  if (col(t, "index") == 0 && col(t, "type") > 1 && col(t, "stability") > 1)
    return IMS_DYNTAB_EQUILIBRIA;
  if (t->ncols >= 4 && t->name[2][0] == 'd' && !strcmp(t->name[2] + 1, t->name[0]) &&
      t->name[3][0] == 'd' && !strcmp(t->name[3] + 1, t->name[1]))
    return IMS_DYNTAB_FIELD;
  return IMS_DYNTAB_NONE;
}

/* ---- runs of rows ------------------------------------------------------------------ */

/* Draw s on the runs of rows where keep[row] is set, cut where grp[row]
 * changes; join: each run goes on to the next row of its group, so pieces
 * of one branch meet where the stability changes.  No run: nothing drawn. */
static int set_runs(ims_fig_t *f, ims_fig_series_t *s, long n, const char *keep, const long *grp,
                    int join)
{
  long *seg = malloc(2 * ((size_t)n + 1) * sizeof *seg);
  if (!seg) {
    f->oom = 1;
    return IMS_ENOMEM;
  }
  int ns = 0;
  for (long i = 0; i < n;) {
    if (!keep[i]) {
      i++;
      continue;
    }
    long j = i;
    while (j + 1 < n && keep[j + 1] && grp[j + 1] == grp[i])
      j++;
    long end = join && j + 1 < n && grp[j + 1] == grp[i] ? j + 1 : j;
    seg[2 * ns] = i;
    seg[2 * ns + 1] = end;
    ns++;
    i = j + 1;
  }
  if (!ns) { /* an empty run: the writer draws nothing */
    seg[0] = 1;
    seg[1] = 0;
    ns = 1;
  }
  free(s->seg);
  s->seg = seg;
  s->nseg = ns;
  return IMS_OK;
}

/* ---- labels and scales --------------------------------------------------------------- */

/* "effector death rate d (1/d)": a parameter as an axis label. */
static void par_label(char *out, size_t n, const ims_model_t *m, const char *name, const char *unit)
{
  char u[64];
  ims_fig_unit(u, sizeof u, unit ? unit : "");
  int k = m ? ims_model_param_index(m, name) : -1;
  const char *desc = k >= 0 && k < m->nparams ? m->params[k].desc : NULL;
  /* the description up to its first parenthesis, comma or semicolon, if short */
  size_t dl = desc ? strcspn(desc, "(,;") : 0;
  while (dl && desc[dl - 1] == ' ')
    dl--;
  if (desc && dl && dl <= 40)
    snprintf(out, n, "%.*s %s%s%s%s", (int)dl, desc, name, u[0] ? " (" : "", u, u[0] ? ")" : "");
  else
    snprintf(out, n, "%s%s%s%s", name, u[0] ? " (" : "", u, u[0] ? ")" : "");
}

/* The scale of column name: the option, else the model's declared one, else the data's. */
static int scale_of(const ims_model_t *m, const char *name, int opt, const ims_fig_range_t *r)
{
  if (opt == IMS_SCALE_LIN || opt == IMS_SCALE_LOG)
    return opt;
  for (int i = 0; m && i < m->nplot; i++)
    if (!strcmp(m->plot[i].name, name) && m->plot[i].scale != IMS_SCALE_AUTO)
      return m->plot[i].scale == IMS_SCALE_LOG && !(r->minpos < INFINITY) ? IMS_SCALE_LIN
                                                                          : m->plot[i].scale;
  return ims_fig_scale_wanted(r, IMS_SCALE_AUTO);
}

/* Fit an axis to r with the given scale, showing every positive value on a
 * log axis (orbit minima far below the branches are data too); lo, hi
 * override the ends. */
static void fit(ims_fig_axis_t *a, const ims_fig_range_t *r, int scale, double lo, double hi,
                double pad)
{
  ims_fig_axis_fit(a, r, scale, scale == IMS_SCALE_LOG ? r->minpos : 0, pad, pad);
  if (!isnan(lo))
    a->lo = lo;
  if (!isnan(hi))
    a->hi = hi;
}

static int drawable(const ims_fig_axis_t *a, double v)
{
  return isfinite(v) && (a->scale != IMS_SCALE_LOG || v > 0) && (isnan(a->lo) || v >= a->lo) &&
         (isnan(a->hi) || v <= a->hi);
}

/* A set name from a '# params:' line ("params/x/bcl1.csv fnv1a64=..." -> "bcl1"). */
static void set_name(const ims_table_t *t, char *out, size_t n)
{
  const char *ps = ims_table_meta_get(t, "params");
  out[0] = '\0';
  if (!ps)
    return;
  char first[1024];
  if (sscanf(ps, "%1023s", first) != 1)
    return;
  const char *b = strrchr(first, '/');
  snprintf(out, n, "%s", b ? b + 1 : first);
  char *dot = strrchr(out, '.');
  if (dot && dot != out)
    *dot = '\0';
}

/* ---- bifurcation diagram -------------------------------------------------------------- */

typedef struct bif {
  ims_fig_t *f;
  const ims_table_t *t;
  const ims_dynplot_opts_t *o;
  const ims_model_t *m;
  int cpar, cstab, clabel, ckind, cbranch;
  char *keep;
  long *grp;
  char *cls;   /* per row: 0 stable, 1 unstable, 2 neutral (a run of them), -1 no branch */
  int have[8]; /* legend entries in use */
  int zero[2]; /* stable, unstable pieces at 0 on a log axis, of the columns znames */
  int zcol;    /* >= 0: some drawn column has such pieces */
  char znames[160];
  int setkey; /* the parameter set's value is marked (legend text below) */
  char setkey_text[192];
  char span[4][128]; /* the bistable ranges' legend texts */
  int nspan;
  long below, above; /* orbit points outside a given y range */
  double lowest, highest;
  char ycol_name[128];
} bif_t;

enum { K_STABLE, K_UNSTABLE, K_NEUTRAL, K_MAX, K_MIN, K_FOLD, K_HOPF, K_BP };

static int is_eq(const bif_t *b, long r)
{
  return !strcmp(cell(b->t, r, b->ckind), "eq");
}

/* A labelled point where stability changes: fold, Hopf or branch point. */
static int bif_point(const bif_t *b, long r)
{
  const char *lab = cell(b->t, r, b->clabel);
  return is_eq(b, r) && (!strcmp(lab, "fold") || !strcmp(lab, "hopf") || !strcmp(lab, "bp"));
}

/* Ranges of the parameter with two or more stable equilibria: the stable
 * pieces of the branches as intervals, covered at least twice. */
static void bistable(bif_t *b, ims_fig_panel_t *p)
{
  const ims_table_t *t = b->t;
  long n = t->nrows, ni = 0;
  double *iv = malloc(2 * ((size_t)n + 1) * sizeof *iv);
  if (!iv)
    return;
  for (long i = 0; i < n;) {
    if (b->cls[i] != 0) {
      i++;
      continue;
    }
    double lo = INFINITY, hi = -INFINITY;
    long j = i;
    for (; j < n && b->cls[j] == 0 && b->grp[j] == b->grp[i]; j++) {
      double v = ims_table_value(t, j, b->cpar);
      lo = fmin(lo, v);
      hi = fmax(hi, v);
    }
    /* a stable piece ends exactly at the fold or Hopf point beside it (that
     * row was given the class of the piece after it) */
    for (int side = 0; side < 2; side++) {
      long k = side ? j : i - 1;
      if (k >= 0 && k < n && b->grp[k] == b->grp[i] && bif_point(b, k)) {
        double v = ims_table_value(t, k, b->cpar);
        lo = fmin(lo, v);
        hi = fmax(hi, v);
      }
    }
    if (hi > lo) {
      iv[2 * ni] = lo;
      iv[2 * ni + 1] = hi;
      ni++;
    }
    i = j;
  }
  /* sweep the interval ends: where two or more are open */
  for (long a = 0; a < 2 * ni; a++) {
    double x = iv[a], x2 = INFINITY;
    int cover = 0;
    for (long k = 0; k < ni; k++)
      cover += iv[2 * k] <= x && x < iv[2 * k + 1];
    if (cover < 2)
      continue;
    for (long k = 0; k < 2 * ni; k++) /* the next end after x */
      if (iv[k] > x && iv[k] < x2)
        x2 = iv[k];
    int dup = 0; /* one mark per range */
    for (int k = 0; k < p->nmark; k++)
      dup |= p->mark[k]->kind == IMS_FIG_VSPAN && p->mark[k]->x2 >= x && p->mark[k]->x <= x;
    if (dup || !isfinite(x2))
      continue;
    /* merge with a span ending at x */
    for (int k = 0; k < p->nmark; k++)
      if (p->mark[k]->kind == IMS_FIG_VSPAN && p->mark[k]->x2 == x) {
        p->mark[k]->x2 = x2;
        dup = 1;
      }
    if (!dup) {
      ims_fig_mark_t *mk = ims_fig_mark_add(p, IMS_FIG_VSPAN, x, 0, "bistable");
      if (mk)
        mk->x2 = x2;
    }
  }
  free(iv);
  /* each range named in the legend (the shading's colour): no text over the data */
  for (int k = 0; k < p->nmark; k++)
    if (p->mark[k]->kind == IMS_FIG_VSPAN) {
      char text[128];
      snprintf(text, sizeof text, "bistable: %.3g < %s < %.3g", p->mark[k]->x, t->name[b->cpar],
               p->mark[k]->x2);
      ims_fig_text(b->f, &p->mark[k]->label, "");
      p->mark[k]->color = 0;
      if (b->nspan < 4)
        snprintf(b->span[b->nspan++], sizeof b->span[0], "%s", text);
    }
}

/* Branch pieces at exactly 0 on a log axis (a tumour-free branch) cannot be
 * drawn: the legend says they exist and what they are (bif_legend). */
static void zero_branches(bif_t *b, ims_fig_panel_t *p, int ycol)
{
  if (p->y.scale != IMS_SCALE_LOG)
    return;
  int any = 0;
  for (long i = 0; i < b->t->nrows; i++)
    if (b->cls[i] >= 0 && b->cls[i] < 2 && ims_table_value(b->t, i, ycol) == 0) {
      b->zero[(int)b->cls[i]] = 1;
      any = 1;
    }
  if (any) { /* every panel's column named: "T = 0, E = 0" */
    size_t k = strlen(b->znames);
    snprintf(b->znames + k, sizeof b->znames - k, "%s%s = 0", k ? ", " : "", b->t->name[ycol]);
    b->zcol = ycol;
  }
}

static void bif_marks(bif_t *b, ims_fig_panel_t *p, int ycol)
{
  const ims_table_t *t = b->t;
  for (long i = 0; i < t->nrows; i++) {
    const char *lab = cell(t, i, b->clabel);
    int k = !strcmp(lab, "fold")   ? K_FOLD
            : !strcmp(lab, "hopf") ? K_HOPF
            : !strcmp(lab, "bp")   ? K_BP
                                   : -1;
    double x = ims_table_value(t, i, b->cpar), y = ims_table_value(t, i, ycol);
    if (k < 0 || !is_eq(b, i) || !drawable(&p->x, x) || !drawable(&p->y, y))
      continue;
    static const char *const word[] = {[K_FOLD] = "fold", [K_HOPF] = "Hopf", [K_BP] = "BP"};
    static const int pt[] = {[K_FOLD] = 5, [K_HOPF] = 13, [K_BP] = 4};
    char text[96];
    snprintf(text, sizeof text, "%s %s = %.3g", word[k], t->name[b->cpar], x);
    ims_fig_mark_t *mk = ims_fig_mark_add(p, IMS_FIG_POINT_LABEL, x, y, text);
    if (mk)
      mk->point = pt[k];
    b->have[k] = 1;
  }
}

static int bif_panel(bif_t *b, int ycol)
{
  const ims_table_t *t = b->t;
  const ims_dynplot_opts_t *o = b->o;
  ims_fig_t *f = b->f;
  ims_fig_panel_t *p = ims_fig_panel_add(f);
  if (!p)
    return IMS_ENOMEM;
  const char *yname = t->name[ycol], *pname = t->name[b->cpar];
  char lab[256];
  ims_fig_column_label(lab, sizeof lab, b->m, yname, t->unit[ycol]);
  ims_fig_text(f, &p->y.label, lab);
  par_label(lab, sizeof lab, b->m, pname, t->unit[b->cpar]);
  ims_fig_text(f, &p->x.label, lab);
  /* ranges: the branches and the orbit rows that have a value */
  ims_fig_range_t rx = IMS_FIG_RANGE_INIT, ry = IMS_FIG_RANGE_INIT;
  for (long i = 0; i < t->nrows; i++) {
    double x = ims_table_value(t, i, b->cpar), y = ims_table_value(t, i, ycol);
    if (isfinite(y) && isfinite(x)) {
      ims_fig_range_value(&rx, x);
      ims_fig_range_value(&ry, y);
    }
  }
  int xs = o->xscale == IMS_SCALE_LIN || o->xscale == IMS_SCALE_LOG
               ? o->xscale
               : ims_fig_scale_wanted(&rx, IMS_SCALE_AUTO);
  fit(&p->x, &rx, xs, o->xlo, o->xhi, 0);
  if (isnan(o->xlo)) /* the parameter range, not a round number below it */
    p->x.lo = xs == IMS_SCALE_LOG ? rx.minpos : rx.min;
  if (isnan(o->xhi))
    p->x.hi = rx.max;
  fit(&p->y, &ry, scale_of(b->m, yname, o->yscale, &ry), o->ylo, o->yhi, 0.04);
  /* branches: stable solid, unstable dashed, neutral dotted */
  for (int k = 0; k < 3; k++) {
    int any = 0;
    for (long i = 0; i < t->nrows; i++) {
      b->keep[i] = (char)(is_eq(b, i) && b->cls[i] == k && isfinite(ims_table_value(t, i, ycol)));
      any |= b->keep[i];
    }
    if (!any)
      continue;
    ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_LINE, t->path, pname, yname);
    if (!s || set_runs(f, s, t->nrows, b->keep, b->grp, 1))
      return IMS_ENOMEM;
    s->color = 1;
    s->dash = k + 1;
    s->width = k ? 1.1 : 1.4;
    b->have[K_STABLE + k] = 1;
  }
  /* the orbit diagram: maxima and minima of the simulated cycles */
  static const char *const okind[] = {"orbit_max", "orbit_min"};
  for (int k = 0; k < 2; k++) {
    int any = 0;
    for (long i = 0; i < t->nrows; i++) {
      b->keep[i] =
          (char)(!strcmp(cell(t, i, b->ckind), okind[k]) && isfinite(ims_table_value(t, i, ycol)));
      any |= b->keep[i];
    }
    if (!any)
      continue;
    for (long i = 0; i < t->nrows; i++) {
      double y = ims_table_value(t, i, ycol);
      if (!b->keep[i])
        continue;
      if (!isnan(p->y.lo) && (y < p->y.lo || (p->y.scale == IMS_SCALE_LOG && y <= 0))) {
        b->lowest = b->below++ ? fmin(b->lowest, y) : y;
      } else if (!isnan(p->y.hi) && y > p->y.hi) {
        b->highest = b->above++ ? fmax(b->highest, y) : y;
      }
    }
    ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_POINTS, t->path, pname, yname);
    if (!s || set_runs(f, s, t->nrows, b->keep, b->grp, 0))
      return IMS_ENOMEM;
    s->color = 2;
    s->point = k ? 11 : 9; /* triangles up and down */
    b->have[K_MAX + k] = 1;
  }
  bif_marks(b, p, ycol);
  bistable(b, p);
  /* the parameter set's own value, where the table says it */
  const char *sv = ims_table_meta_get(t, "set-value");
  double v;
  char set[128], text[192];
  if (sv && ims_table_double(sv, &v) == 0 && drawable(&p->x, v) && !b->setkey) {
    set_name(t, set, sizeof set);
    snprintf(text, sizeof text, "%s%s%s = %.4g", set, set[0] ? " set: " : "", pname, v);
    ims_fig_mark_add(p, IMS_FIG_VLINE, v, 0, "");
    snprintf(b->setkey_text, sizeof b->setkey_text, "%s", text);
    b->setkey = 1;
  } else if (sv && ims_table_double(sv, &v) == 0 && drawable(&p->x, v)) {
    ims_fig_mark_add(p, IMS_FIG_VLINE, v, 0, "");
  }
  zero_branches(b, p, ycol);
  return ims_fig_ok(f, NULL);
}

static void bif_legend(bif_t *b)
{
  ims_fig_t *f = b->f;
  static const char *const text[] = {[K_STABLE] = "stable equilibria",
                                     [K_UNSTABLE] = "unstable equilibria",
                                     [K_NEUTRAL] = "non-hyperbolic",
                                     [K_MAX] = "cycle maxima (simulated)",
                                     [K_MIN] = "cycle minima (simulated)",
                                     [K_FOLD] = "fold (saddle-node)",
                                     [K_HOPF] = "Hopf point",
                                     [K_BP] = "branch point"};
  for (int k = 0; k < 8; k++) {
    if (!b->have[k])
      continue;
    ims_fig_key_t *key =
        ims_fig_key_add(f, k <= K_NEUTRAL ? IMS_FIG_KEY_LINE : IMS_FIG_KEY_POINTS, text[k]);
    if (!key)
      continue;
    key->color = k <= K_NEUTRAL ? 1 : k <= K_MIN ? 2 : IMS_FIG_BLACK;
    key->dash = k <= K_NEUTRAL ? k + 1 : 1;
    key->width = k == K_STABLE ? 1.4 : 1.1;
    key->point = k == K_MAX ? 9 : k == K_MIN ? 11 : k == K_FOLD ? 5 : k == K_HOPF ? 13 : 4;
  }
  for (int i = 0; i < b->nspan; i++) {
    ims_fig_key_t *key = ims_fig_key_add(f, IMS_FIG_KEY_BAND, b->span[i]);
    if (key) {
      key->color = 0;
      key->alpha = 0.12;
    }
  }
  if (b->below || b->above) { /* points a given range leaves out are said to exist */
    char text[192], lo[32] = "", hi[32] = "";
    if (b->below)
      snprintf(lo, sizeof lo, "%ld below (to %.2g)", b->below, b->lowest);
    if (b->above)
      snprintf(hi, sizeof hi, "%ld above (to %.2g)", b->above, b->highest);
    snprintf(text, sizeof text, "cycle extrema off the axis: %s%s%s", lo,
             lo[0] && hi[0] ? ", " : "", hi);
    ims_fig_key_add(f, IMS_FIG_KEY_POINTS, text);
    if (f->nkey)
      f->key[f->nkey - 1]->size = 0.001; /* text only */
  }
  if (b->setkey) {
    ims_fig_key_t *key = ims_fig_key_add(f, IMS_FIG_KEY_LINE, b->setkey_text);
    if (key) {
      key->color = 0;
      key->dash = 2;
      key->width = 0.8;
    }
  }
  if (b->zcol >= 0) {
    char text[256];
    snprintf(text, sizeof text, "%s: %s%s%s, off the log axis", b->znames,
             b->zero[0] ? "stable" : "", b->zero[0] && b->zero[1] ? "/" : "",
             b->zero[1] ? "unstable" : "");
    ims_fig_key_t *key = ims_fig_key_add(f, IMS_FIG_KEY_LINE, text);
    if (key) { /* drawn like the branches it stands for */
      key->color = 1;
      key->dash = b->zero[0] ? 1 : 2;
      key->width = b->zero[0] ? 1.4 : 1.1;
    }
  }
}

/* The states the diagram draws: the options', else the model's first
 * default-figure state in the table, else the orbit state, else the first. */
static int bif_columns(bif_t *b, int first, int last, int *cols, int max, ims_err_t *err)
{
  const ims_table_t *t = b->t;
  int n = 0;
  for (int i = 0; i < b->o->ny; i++) {
    char list[1024];
    snprintf(list, sizeof list, "%s", b->o->y[i]);
    char *save = NULL;
    for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
      int k = ims_table_column(t, c);
      if (k < first || k >= last) {
        const char *names[256];
        int nn = 0;
        for (int j = first; j < last && nn < 256; j++)
          names[nn++] = t->name[j];
        const char *s = ims_suggest(c, names, nn);
        return ims_err_set(err, IMS_EINPUT, "--y %s: no state '%s' in %s%s%s%s", b->o->y[i], c,
                           t->path, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
      }
      if (n < max)
        cols[n++] = k;
    }
  }
  if (n)
    return n;
  for (int i = 0; b->m && i < b->m->nplot; i++) {
    int k = ims_table_column(t, b->m->plot[i].name);
    if (k >= first && k < last) {
      cols[0] = k;
      return 1;
    }
  }
  for (long r = 0; r < t->nrows; r++)
    if (!strncmp(cell(t, r, b->ckind), "orbit_", 6))
      for (int k = first; k < last; k++)
        if (isfinite(ims_table_value(t, r, k))) {
          cols[0] = k;
          return 1;
        }
  cols[0] = first;
  return 1;
}

int ims_plot_bifurcation(ims_fig_t *f, const ims_table_t *t, const ims_dynplot_opts_t *o,
                         ims_err_t *err)
{
  if (ims_dyntab_kind(t) != IMS_DYNTAB_CONTINUATION || !t->text)
    return ims_err_set(err, IMS_EINPUT,
                       "%s: not a continuation table (kind,branch,NAME,states...,stability,type,"
                       "label: 'immunosim continue ... -o FILE' writes one)",
                       t->path);
  if (t->nrows == 0)
    return ims_err_set(err, IMS_EINPUT, "%s: no points to draw", t->path);
  bif_t b = {.f = f, .t = t, .o = o, .cpar = 2, .ckind = 0, .cbranch = 1, .zcol = -1};
  b.m = o->model ? o->model : ims_plot_model(t);
  b.cstab = ims_table_column(t, "stability");
  b.clabel = ims_table_column(t, "label");
  b.keep = malloc((size_t)t->nrows + 1);
  b.grp = malloc(((size_t)t->nrows + 1) * sizeof *b.grp);
  int rc = b.keep && b.grp ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  /* rows group by branch; orbit rows by parameter value (one run each) */
  for (long i = 0; !rc && i < t->nrows; i++)
    b.grp[i] = is_eq(&b, i) ? (long)ims_table_value(t, i, b.cbranch) : -1 - i;
  b.cls = rc ? NULL : malloc((size_t)t->nrows + 1);
  if (!rc && !b.cls)
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (long i = 0; !rc && i < t->nrows; i++) {
    const char *st = cell(t, i, b.cstab);
    b.cls[i] = (char)(!is_eq(&b, i)             ? -1
                      : !strcmp(st, "stable")   ? 0
                      : !strcmp(st, "unstable") ? 1
                      : !strcmp(st, "neutral")  ? 2
                                                : -1);
  }
  /* a lone neutral point (a fold or Hopf point itself) joins the piece after it */
  for (long i = 0; !rc && i < t->nrows; i++)
    if (b.cls[i] == 2 && !(i > 0 && b.cls[i - 1] == 2 && b.grp[i - 1] == b.grp[i]) &&
        !(i + 1 < t->nrows && b.cls[i + 1] == 2 && b.grp[i + 1] == b.grp[i]))
      b.cls[i] =
          i + 1 < t->nrows && b.grp[i + 1] == b.grp[i] && b.cls[i + 1] >= 0 ? b.cls[i + 1] : 1;
  f->delim = t->delim;
  int cols[9], nc = rc ? 0 : bif_columns(&b, 3, b.cstab, cols, 9, err);
  if (nc < 0)
    rc = err->code;
  for (int i = 0; !rc && i < nc; i++)
    rc = bif_panel(&b, cols[i]) ? ims_err_set(err, IMS_ENOMEM, "out of memory") : IMS_OK;
  if (!rc) {
    bif_legend(&b);
    char title[512], set[128];
    if (o->title)
      snprintf(title, sizeof title, "%s", o->title);
    else {
      set_name(t, set, sizeof set);
      int orb = b.have[K_MAX] || b.have[K_MIN];
      snprintf(title, sizeof title, "%s%s%s: equilibria%s over %s",
               b.m ? b.m->name : "continuation", set[0] ? " " : "", set, orb ? " and cycles" : "",
               t->name[b.cpar]);
    }
    ims_fig_title(f, title[0] ? title : NULL);
    rc = ims_fig_ok(f, err);
  }
  free(b.keep);
  free(b.grp);
  free(b.cls);
  return rc;
}

/* ---- phase portrait ----------------------------------------------------------------- */

typedef struct pp {
  ims_fig_t *f;
  ims_fig_panel_t *p;
  const ims_model_t *m;
  char x[128], y[128];
  int logx, logy;
  double x0, x1, y0, y1; /* the plane's ranges from '# plane:' (NaN: none) */
  char zero[4][96];      /* equilibria at 0 on a log axis, for the legend */
  int nzero;
} pp_t;

/* "# plane: E 10000:1e+07 log; T 100000:1e+09 log" */
static void plane_meta(pp_t *c, const ims_table_t *t)
{
  const char *v = t ? ims_table_meta_get(t, "plane") : NULL;
  char xs[128], ys[128], lx[8], ly[8];
  double a, b, d, e;
  if (v &&
      sscanf(v, "%127s %lf:%lf %7[^;]; %127s %lf:%lf %7s", xs, &a, &b, lx, ys, &d, &e, ly) == 8 &&
      !strcmp(xs, c->x) && !strcmp(ys, c->y)) {
    c->x0 = a, c->x1 = b, c->y0 = d, c->y1 = e;
    c->logx = !strcmp(lx, "log");
    c->logy = !strcmp(ly, "log");
  }
}

/* Keep rows of t where column c's text equals v (and, with grp, cut at grp changes). */
static int pp_lines(pp_t *c, const ims_table_t *t, int tc, const char *v, int gc, int color,
                    int dash, double width, ims_fig_series_t **out)
{
  char *keep = malloc((size_t)t->nrows + 1);
  long *grp = malloc(((size_t)t->nrows + 1) * sizeof *grp);
  int rc = keep && grp ? IMS_OK : IMS_ENOMEM, any = 0;
  for (long i = 0; !rc && i < t->nrows; i++) {
    keep[i] = (char)!strcmp(cell(t, i, tc), v);
    any |= keep[i];
    grp[i] = (long)ims_table_value(t, i, gc);
  }
  *out = NULL;
  if (!rc && any) {
    ims_fig_series_t *s = ims_fig_series_add(c->p, IMS_FIG_LINE, t->path, c->x, c->y);
    rc = s ? set_runs(c->f, s, t->nrows, keep, grp, 0) : IMS_ENOMEM;
    if (s) {
      s->color = color;
      s->dash = dash;
      s->width = width;
    }
    *out = s;
  }
  free(keep);
  free(grp);
  return rc;
}

static int pp_starts(pp_t *c, const ims_table_t *t)
{
  char *keep = calloc((size_t)t->nrows + 1, 1);
  long *grp = malloc(((size_t)t->nrows + 1) * sizeof *grp);
  int rc = keep && grp ? IMS_OK : IMS_ENOMEM, any = 0;
  for (long i = 0; !rc && i < t->nrows; i++) {
    grp[i] = i; /* each start its own run */
    keep[i] = (char)(!strcmp(cell(t, i, 1), "trajectory") &&
                     (i == 0 || ims_table_value(t, i, 0) != ims_table_value(t, i - 1, 0)));
    any |= keep[i];
  }
  if (!rc && any) {
    ims_fig_series_t *s = ims_fig_series_add(c->p, IMS_FIG_POINTS, t->path, c->x, c->y);
    rc = s ? set_runs(c->f, s, t->nrows, keep, grp, 0) : IMS_ENOMEM;
    if (s) {
      s->color = IMS_FIG_BLACK;
      s->point = 6;
    }
  }
  free(keep);
  free(grp);
  return rc;
}

/* have[0..2]: stable (filled circle), unstable (open circle), neutral, i.e.
 * non-hyperbolic or a centre (open diamond), drawn. */
static int pp_equilibria(pp_t *c, const ims_table_t *t, int *have)
{
  int cx = ims_table_column(t, c->x), cy = ims_table_column(t, c->y);
  int ct = ims_table_column(t, "type"), cs = ims_table_column(t, "stability");
  if (cx < 0 || cy < 0)
    return IMS_OK;
  for (long i = 0; i < t->nrows; i++) {
    double x = ims_table_value(t, i, cx), y = ims_table_value(t, i, cy);
    if (!drawable(&c->p->x, x) || !drawable(&c->p->y, y)) {
      /* one on a log axis's 0 (tumour-free) is named in the legend */
      int zx = c->p->x.scale == IMS_SCALE_LOG && x == 0,
          zy = c->p->y.scale == IMS_SCALE_LOG && y == 0;
      if ((zx || zy) && c->nzero < 4)
        snprintf(c->zero[c->nzero++], sizeof c->zero[0], "%s at %s = 0, off the log axis",
                 cell(t, i, ct), zx ? c->x : c->y);
      continue;
    }
    const char *sv = cell(t, i, cs);
    int k = !strcmp(sv, "stable") ? 0 : !strcmp(sv, "unstable") ? 1 : 2;
    ims_fig_mark_t *mk = ims_fig_mark_add(c->p, IMS_FIG_POINT_LABEL, x, y, cell(t, i, ct));
    if (!mk)
      return IMS_ENOMEM;
    static const int pt[] = {7, 6, 12};
    mk->point = pt[k];
    have[k] = 1;
  }
  return IMS_OK;
}

static void pp_key(ims_fig_t *f, int kind, const char *label, int color, int dash, int point,
                   double width)
{
  ims_fig_key_t *k = ims_fig_key_add(f, kind, label);
  if (!k)
    return;
  k->color = color;
  k->dash = dash;
  k->point = point;
  k->width = width;
}

int ims_plot_portrait(ims_fig_t *f, const ims_table_t *nc, const ims_table_t *field,
                      const ims_table_t *eq, const ims_table_t *curves, const ims_dynplot_opts_t *o,
                      ims_err_t *err)
{
  const ims_table_t *first = nc ? nc : field ? field : curves ? curves : eq;
  if (!first || (!nc && !field && !curves))
    return ims_err_set(err, IMS_EINPUT,
                       "phase portrait: give the nullclines, the field or the curves of a plane "
                       "(the equilibria alone do not name the plane)");
  pp_t c = {.f = f, .x0 = NAN, .x1 = NAN, .y0 = NAN, .y1 = NAN};
  const ims_table_t *named = nc ? nc : field ? field : curves;
  int ix = nc ? 2 : field ? 0 : 3;
  snprintf(c.x, sizeof c.x, "%s", named->name[ix]);
  snprintf(c.y, sizeof c.y, "%s", named->name[ix + 1]);
  /* every table must be of the same plane */
  const ims_table_t *tabs[3] = {nc, field, curves};
  const int at[3] = {2, 0, 3};
  for (int i = 0; i < 3; i++)
    if (tabs[i] && (strcmp(tabs[i]->name[at[i]], c.x) || strcmp(tabs[i]->name[at[i] + 1], c.y)))
      return ims_err_set(err, IMS_EINPUT, "%s: the plane %s,%s, not %s,%s of %s", tabs[i]->path,
                         tabs[i]->name[at[i]], tabs[i]->name[at[i] + 1], c.x, c.y, named->path);
  c.m = o->model ? o->model : ims_plot_model(first);
  plane_meta(&c, named);
  f->delim = named->delim;
  ims_fig_panel_t *p = c.p = ims_fig_panel_add(f);
  if (!p)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  char lab[256];
  int xcol = ims_table_column(named, c.x), ycol = ims_table_column(named, c.y);
  ims_fig_column_label(lab, sizeof lab, c.m, c.x, named->unit[xcol]);
  ims_fig_text(f, &p->x.label, lab);
  ims_fig_column_label(lab, sizeof lab, c.m, c.y, named->unit[ycol]);
  ims_fig_text(f, &p->y.label, lab);
  /* axes: the plane's ranges and scales, else the data's */
  ims_fig_range_t rx = IMS_FIG_RANGE_INIT, ry = IMS_FIG_RANGE_INIT;
  if (!isnan(c.x0)) {
    ims_fig_range_value(&rx, c.x0), ims_fig_range_value(&rx, c.x1);
    ims_fig_range_value(&ry, c.y0), ims_fig_range_value(&ry, c.y1);
  } else {
    ims_fig_range_column(&rx, named, c.x);
    ims_fig_range_column(&ry, named, c.y);
  }
  int xs = o->xscale ? o->xscale : !isnan(c.x0) ? (c.logx ? IMS_SCALE_LOG : IMS_SCALE_LIN) : 0;
  int ys = o->yscale ? o->yscale : !isnan(c.y0) ? (c.logy ? IMS_SCALE_LOG : IMS_SCALE_LIN) : 0;
  xs = xs ? xs : ims_fig_scale_wanted(&rx, IMS_SCALE_AUTO);
  ys = ys ? ys : ims_fig_scale_wanted(&ry, IMS_SCALE_AUTO);
  p->x.scale = xs;
  p->y.scale = ys;
  p->x.lo = !isnan(o->xlo) ? o->xlo : rx.min;
  p->x.hi = !isnan(o->xhi) ? o->xhi : rx.max;
  p->y.lo = !isnan(o->ylo) ? o->ylo : ry.min;
  p->y.hi = !isnan(o->yhi) ? o->yhi : ry.max;
  if (xs == IMS_SCALE_LOG && !(p->x.lo > 0))
    p->x.lo = rx.minpos < INFINITY ? rx.minpos : 1e-6 * p->x.hi;
  if (ys == IMS_SCALE_LOG && !(p->y.lo > 0))
    p->y.lo = ry.minpos < INFINITY ? ry.minpos : 1e-6 * p->y.hi;
  int rc = IMS_OK;
  /* the field first (underneath), then nullclines, curves, equilibria */
  if (field && ims_table_column(field, "arrow_x") >= 0) {
    ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_VECTORS, field->path, c.x, c.y);
    if (s) {
      ims_fig_series_y2(f, s, "arrow_x", "arrow_y");
      s->color = IMS_FIG_LIGHT;
      s->width = 0.6;
      pp_key(f, IMS_FIG_KEY_LINE, "flow direction", IMS_FIG_LIGHT, 1, 7, 0.6);
    }
  }
  ims_fig_series_t *s1 = NULL, *s2 = NULL;
  if (nc) {
    rc = pp_lines(&c, nc, 0, c.x, 1, 3, 1, 1.4, &s1);
    rc = rc ? rc : pp_lines(&c, nc, 0, c.y, 1, 5, 1, 1.4, &s2);
    char t1[256];
    snprintf(t1, sizeof t1, "%s nullcline (d%s/dt = 0)", c.x, c.x);
    if (s1)
      pp_key(f, IMS_FIG_KEY_LINE, t1, 3, 1, 7, 1.4);
    snprintf(t1, sizeof t1, "%s nullcline (d%s/dt = 0)", c.y, c.y);
    if (s2)
      pp_key(f, IMS_FIG_KEY_LINE, t1, 5, 1, 7, 1.4);
  }
  if (!rc && curves) {
    ims_fig_series_t *tr = NULL, *sp = NULL;
    rc = pp_lines(&c, curves, 1, "trajectory", 0, IMS_FIG_BLACK, 1, 0.8, &tr);
    rc = rc ? rc : pp_starts(&c, curves);
    rc = rc ? rc : pp_lines(&c, curves, 1, "separatrix", 0, 2, 2, 1.5, &sp);
    if (tr)
      pp_key(f, IMS_FIG_KEY_LINE, "trajectories (o: start)", IMS_FIG_BLACK, 1, 6, 0.8);
    if (sp)
      pp_key(f, IMS_FIG_KEY_LINE, "separatrix", 2, 2, 7, 1.5);
  }
  int have[3] = {0, 0, 0};
  if (!rc && eq)
    rc = pp_equilibria(&c, eq, have);
  if (have[0])
    pp_key(f, IMS_FIG_KEY_POINTS, "stable equilibrium", IMS_FIG_BLACK, 1, 7, 1);
  if (have[1])
    pp_key(f, IMS_FIG_KEY_POINTS, "unstable equilibrium", IMS_FIG_BLACK, 1, 6, 1);
  if (have[2])
    pp_key(f, IMS_FIG_KEY_POINTS, "non-hyperbolic equilibrium", IMS_FIG_BLACK, 1, 12, 1);
  for (int i = 0; i < c.nzero; i++) {
    pp_key(f, IMS_FIG_KEY_POINTS, c.zero[i], IMS_FIG_BLACK, 1, 6, 1);
    if (f->nkey)
      f->key[f->nkey - 1]->size = 0.001; /* text only */
  }
  if (rc)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  char title[512], set[128];
  if (o->title)
    snprintf(title, sizeof title, "%s", o->title);
  else {
    set_name(named, set, sizeof set);
    snprintf(title, sizeof title, "%s%s%s: phase portrait in the %s-%s plane",
             c.m ? c.m->name : "model", set[0] ? " " : "", set, c.x, c.y);
  }
  ims_fig_title(f, title[0] ? title : NULL);
  return ims_fig_ok(f, err);
}
