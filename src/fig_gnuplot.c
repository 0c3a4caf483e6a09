/* The gnuplot writer: any figure to a script from plots/figure.gp.in, then
 * gnuplot.  This file decides layout numbers (paddings from the widest tick
 * labels, rows of the dose strip) and fills template sections; every gnuplot
 * command is in the template. */
#include "fig.h"
#include "immunosim/immunosim.h"
#include "tmpl.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEMPLATE "figure.gp.in"

typedef struct writer {
  const ims_fig_t *f;
  ims__tmpl_t t;
  ims_err_t *err;
  ims__layout_t L;
  double tscale;
  const char **data; /* the distinct data files: variables data1, data2, ... */
  int ndata;
} writer_t;

static const char *sec(writer_t *w, const char *name)
{
  const char *s = ims__tmpl_section(&w->t, name);
  if (!s) {
    if (!w->err->code)
      ims_err_set(w->err, IMS_EIO, "%s: no section '#@@ %s'", w->t.path, name);
    return "";
  }
  return s;
}

/* Fill a section into b; kv = {name, value, ..., NULL}. */
static void emit(writer_t *w, ims__buf_t *b, const char *section, const char *const *kv)
{
  const char *missing = NULL;
  if (ims__tmpl_fill(b, sec(w, section), kv, &missing) && !w->err->code)
    ims_err_set(w->err, IMS_EIO, "%s: section '%s' uses @%.*s@, which the writer does not fill",
                w->t.path, section, (int)strcspn(missing, "@"), missing);
}

static const char *const none[] = {NULL};

static void num(char *s, size_t n, double v)
{
  snprintf(s, n, "%.10g", v);
}

/* Text for enhanced mode (t) or verbatim (s), in a fresh buffer the caller frees. */
static char *gp_text(const char *s)
{
  ims__buf_t b = {0};
  ims__buf_gp_text(&b, s ? s : "");
  return b.s ? b.s : strdup("");
}

static char *gp_str(const char *s)
{
  ims__buf_t b = {0};
  ims__buf_gp_str(&b, s ? s : "");
  return b.s ? b.s : strdup("");
}

static void color(writer_t *w, char *out, size_t n, int c)
{
  ims__buf_t b = {0};
  char k[16];
  if (c >= IMS_FIG_DOSE(0)) {
    snprintf(k, sizeof k, "%d", c - IMS_FIG_DOSE(0));
    emit(w, &b, "color_dose", (const char *const[]){"N", k, NULL});
  } else if (c > 0) {
    snprintf(k, sizeof k, "%d", c);
    emit(w, &b, "color_series", (const char *const[]){"N", k, NULL});
  } else {
    emit(w, &b,
         c == IMS_FIG_BLACK   ? "color_black"
         : c == IMS_FIG_LIGHT ? "color_light"
                              : "color_neutral",
         none);
  }
  snprintf(out, n, "%s", ims__buf_str(&b));
  ims__buf_free(&b);
}

/* ---- axes ------------------------------------------------------------------------ */

/* The tick list of an axis; blank = 1 keeps the marks without their labels. */
static void tick_list(writer_t *w, ims__buf_t *b, const ims_fig_axis_t *a, int blank)
{
  ims__tick_t t[IMS__FIG_MAXTICK];
  int n = ims__fig_ticks(a, t, IMS__FIG_MAXTICK);
  for (int i = 0; i < n; i++) {
    char at[32];
    num(at, sizeof at, t[i].at);
    char *lab = gp_str(blank ? "" : t[i].label); /* labels carry enhanced markup on purpose */
    if (i)
      ims__buf_puts(b, ", ");
    emit(w, b, t[i].minor ? "tick_minor" : "tick",
         (const char *const[]){"AT", at, "LABEL", lab, NULL});
    free(lab);
  }
}

/* "x", "y" or "z" axis sections of one panel; geo = the panel's geometry fields. */
static void axis(writer_t *w, ims__buf_t *b, const ims_fig_panel_t *p, int idx, char which,
                 int showlabel, const char *offset, const char *const *geo)
{
  const ims_fig_axis_t *a = which == 'x' ? &p->x : which == 'y' ? &p->y : &p->z;
  char lo[32], hi[32], logsec[8], labsec[16], tickw[32];
  num(lo, sizeof lo, a->lo);
  num(hi, sizeof hi, a->hi);
  if (isnan(a->lo))
    snprintf(lo, sizeof lo, "*");
  if (isnan(a->hi))
    snprintf(hi, sizeof hi, "*");
  snprintf(logsec, sizeof logsec, "%s_%c", a->scale == IMS_SCALE_LOG ? "log" : "lin", which);
  snprintf(tickw, sizeof tickw, "%.3g", ims__fig_tick_width(a));
  ims__buf_t lb = {0}, tb = {0}, ls = {0};
  emit(w, &lb, logsec, none);
  tick_list(w, &tb, a, which == 'x' && w->L.g[idx].xshared);
  const ims__geom_t *g = &w->L.g[idx];
  char *label = gp_text(which == 'y' ? g->ylabel : a->label);
  char lines[16], fs[32];
  snprintf(lines, sizeof lines, "%d", which == 'y' ? g->ylines : 1);
  snprintf(fs, sizeof fs, "%.3g", which == 'y' ? g->yfs : 1.0);
  const char *kv[44] = {"MIN",    lo,
                        "MAX",    hi,
                        "LOG",    ims__buf_str(&lb),
                        "TICS",   ims__buf_str(&tb),
                        "OFFSET", offset,
                        "TICKW",  tickw,
                        "LINES",  lines,
                        "FS",     fs,
                        "LABEL",  label};
  int n = 18;
  for (int i = 0; geo[i] && n < 42; i++)
    kv[n++] = geo[i];
  kv[n] = NULL;
  if (which != 'z') {
    const char *text = which == 'y' ? g->ylabel : a->label;
    snprintf(labsec, sizeof labsec, "%clabel%s", which, showlabel && text ? "" : "_none");
    emit(w, &ls, labsec, kv);
    kv[17] = ims__buf_str(&ls);
  }
  char name[8];
  snprintf(name, sizeof name, "%caxis", which);
  emit(w, b, name, kv);
  free(label);
  ims__buf_free(&lb);
  ims__buf_free(&tb);
  ims__buf_free(&ls);
}

/* ---- series ------------------------------------------------------------------------- */

/* A column as a using expression: by name, "$N" by number; time axes divide by tscale. */
static void col_expr(writer_t *w, char *out, size_t n, const char *name, int div)
{
  ims__buf_t b = {0};
  if (name && name[0] == '$') {
    emit(w, &b, div ? "colnum_div" : "colnum", (const char *const[]){"NUM", name + 1, NULL});
  } else {
    char *s = gp_str(name ? name : "");
    emit(w, &b, div ? "col_div" : "col", (const char *const[]){"NAME", s, NULL});
    free(s);
  }
  snprintf(out, n, "%s", ims__buf_str(&b));
  ims__buf_free(&b);
}

static void sep(ims__buf_t *b)
{
  if (b->n)
    ims__buf_puts(b, ", \\\n  ");
}

/* A heat-map cell's edge: half a step from its point (geometric on log axes),
 * plus 1 % so neighbouring cells overlap and no antialiasing seam shows. */
static void cell_edge(char *out, size_t n, const char *expr, int logax, double step, int hi)
{
  if (logax)
    snprintf(out, n, "(%s%s%.17g)", expr, hi ? "*" : "/", pow(step, 0.505));
  else
    snprintf(out, n, "(%s%s%.17g)", expr, hi ? "+" : "-", 0.505 * step);
}

static void series(writer_t *w, ims__buf_t *b, const ims_fig_panel_t *p, const ims_fig_series_t *s)
{
  static const char *const kind[] = {"line",  "band",  "points", "errorbars",
                                     "hbars", "cells", "vectors"};
  int div = p->x.div >= 1;
  char x[512], y[512], ylo[512], yhi[512], z[512], xlo[600], xhi[600], clo[600], chi[600];
  char col[64], dt[16], lw[32], pt[16], alpha[32], off[32], thick[32];
  col_expr(w, x, sizeof x, s->x, div);
  col_expr(w, y, sizeof y, s->y, 0);
  col_expr(w, ylo, sizeof ylo, s->kind == IMS_FIG_BAND ? s->y : s->y2lo, 0);
  col_expr(w, yhi, sizeof yhi, s->y2, 0);
  col_expr(w, z, sizeof z, s->z, 0);
  if (s->kind == IMS_FIG_CELLS) {
    cell_edge(xlo, sizeof xlo, x, p->x.scale == IMS_SCALE_LOG, s->dx, 0);
    cell_edge(xhi, sizeof xhi, x, p->x.scale == IMS_SCALE_LOG, s->dx, 1);
    cell_edge(clo, sizeof clo, y, p->y.scale == IMS_SCALE_LOG, s->dy, 0);
    cell_edge(chi, sizeof chi, y, p->y.scale == IMS_SCALE_LOG, s->dy, 1);
  } else {
    snprintf(xlo, sizeof xlo, "%s", x);
    snprintf(xhi, sizeof xhi, "%s", x);
    snprintf(clo, sizeof clo, "%s", ylo);
    snprintf(chi, sizeof chi, "%s", yhi);
  }
  color(w, col, sizeof col, s->color);
  snprintf(dt, sizeof dt, "%d", s->dash > 0 ? s->dash : 1);
  snprintf(lw, sizeof lw, "%.3g", 1.5 * (s->width > 0 ? s->width : 1));
  snprintf(pt, sizeof pt, "%d", s->point);
  snprintf(alpha, sizeof alpha, "%.3g", s->alpha);
  snprintf(off, sizeof off, "%.6g", s->offset);
  snprintf(thick, sizeof thick, "%.6g", s->thick);
  char file[32] = "NaN"; /* the script's variable holding the file's name */
  for (int i = 0; i < w->ndata; i++)
    if (s->data && !strcmp(w->data[i], s->data))
      snprintf(file, sizeof file, "data%d", i + 1);
  int nrun = s->nseg ? s->nseg : 1;
  for (int r = 0; r < nrun; r++) {
    ims__buf_t eb = {0};
    if (s->nseg) {
      if (s->seg[2 * r + 1] < s->seg[2 * r])
        continue; /* an empty run */
      char a[32], z2[32];
      snprintf(a, sizeof a, "%ld", s->seg[2 * r]);
      snprintf(z2, sizeof z2, "%ld", s->seg[2 * r + 1]);
      emit(w, &eb, "every", (const char *const[]){"FROM", a, "TO", z2, NULL});
    }
    const char *kv[] = {"FILE",   file,
                        "EVERY",  ims__buf_str(&eb),
                        "X",      x,
                        "Y",      s->kind == IMS_FIG_CELLS ? clo : y,
                        "YLO",    s->kind == IMS_FIG_CELLS ? clo : ylo,
                        "YHI",    s->kind == IMS_FIG_CELLS ? chi : yhi,
                        "XLO",    xlo,
                        "XHI",    xhi,
                        "Z",      z,
                        "COLOR",  col,
                        "DT",     dt,
                        "LW",     lw,
                        "PT",     pt,
                        "ALPHA",  alpha,
                        "OFFSET", off,
                        "THICK",  thick,
                        NULL};
    if (s->kind == IMS_FIG_CELLS) /* boxxy: x y xlow xhigh ylow yhigh */
      kv[7] = y;
    sep(b);
    emit(w, b, kind[s->kind], kv);
    ims__buf_free(&eb);
  }
}

static void marks(writer_t *w, ims__buf_t *b, const ims_fig_panel_t *p, int idx)
{
  int *side = calloc((size_t)p->nmark + 1, sizeof *side);
  if (!side) {
    ims_err_set(w->err, IMS_ENOMEM, "out of memory");
    return;
  }
  ims__fig_hline_sides(p, &w->L, idx, side);
  for (int i = 0; i < p->nmark; i++) {
    const ims_fig_mark_t *m = p->mark[i];
    char v[32], x[32], y[32], x2[32], xm[32], pt[16], col[64], off[16];
    snprintf(off, sizeof off, "%s", side[i] < 0 ? "-0.6" : "0.6");
    const char *where = abs(side[i]) == 2 ? "hline_left" : "hline";
    double div = p->x.div >= 1 ? p->x.div : 1, xd = m->x / div, x2d = m->x2 / div;
    num(v, sizeof v, m->kind == IMS_FIG_VLINE ? xd : m->y);
    num(x, sizeof x, xd);
    num(y, sizeof y, m->y);
    num(x2, sizeof x2, x2d);
    /* a span's label in its middle as drawn */
    num(xm, sizeof xm, p->x.scale == IMS_SCALE_LOG ? sqrt(xd * x2d) : 0.5 * (xd + x2d));
    snprintf(pt, sizeof pt, "%d", m->point);
    color(w, col, sizeof col, m->color);
    char *label = gp_text(m->label);
    static const char *const kind[] = {"hline", "vline", "point_label", "vspan"};
    /* a line without a label draws no (empty) label box */
    emit(w, b,
         m->kind == IMS_FIG_HLINE                               ? where
         : m->kind == IMS_FIG_VLINE && !(m->label && *m->label) ? "vline_bare"
                                                                : kind[m->kind],
         (const char *const[]){"V", v, "X", x, "Y", y, "X2", x2, "XM", xm, "LABEL", label, "PT", pt,
                               "COLOR", col, "OFFSET", off, NULL});
    ims__buf_puts(b, "\n");
    free(label);
  }
  free(side);
}

/* ---- the dose strip -------------------------------------------------------------------- */

static void doses(writer_t *w, ims__buf_t *b, const ims_fig_panel_t *p, const ims__geom_t *g)
{
  const ims_fig_t *f = w->f;
  double div = p->x.div >= 1 ? p->x.div : 1, lo = p->x.lo, hi = p->x.hi, span = hi - lo;
  if (!(span > 0))
    return;
  char sb[32], sw[32], sk[16];
  num(sb, sizeof sb, g->b);
  num(sw, sizeof sw, g->r - g->l);
  for (int k = 0; k < f->nrow; k++) {
    const ims_fig_dose_row_t *r = f->row[k];
    char c[64], pt[16];
    color(w, c, sizeof c, r->color);
    snprintf(pt, sizeof pt, "%d", r->point);
    snprintf(sk, sizeof sk, "%d", k);
    ims__buf_printf(b, "# dose strip row %d: %s\n", k + 1, r->name ? r->name : "");
    for (int i = 0; i < r->ndose; i++) {
      const ims_fig_dose_t *d = &r->dose[i];
      double a = d->t0 / div, z = (isinf(d->t1) ? hi * div : d->t1) / div;
      char t0[32], t1[32], lev[32], ssep[32];
      if (d->infusion) {
        z = fmax(z, a + 0.004 * span); /* short infusions stay visible */
        a = fmax(a, lo);
        z = fmin(z, hi);
        if (!(z > a))
          continue;
        num(t0, sizeof t0, a);
        num(t1, sizeof t1, z);
        snprintf(lev, sizeof lev, "%.3g", d->level > 0 ? fmin(d->level, 1) : 1);
        emit(w, b, "infusion",
             (const char *const[]){"T0", t0, "T1", t1, "B", sb, "K", sk, "LEVEL", lev, "COLOR", c,
                                   NULL});
      } else {
        if (a < lo - 1e-9 * span || a > hi + 1e-9 * span)
          continue;
        /* the gap to the nearest other bolus of the row, as a fraction of the axis */
        double gap = 1;
        for (int j = 0; j < r->ndose; j++)
          if (j != i && !r->dose[j].infusion && r->dose[j].t0 != d->t0)
            gap = fmin(gap, fabs(r->dose[j].t0 - d->t0) / div / span);
        num(t0, sizeof t0, a);
        snprintf(ssep, sizeof ssep, "%.4g", gap);
        emit(w, b, "bolus",
             (const char *const[]){"AT", t0, "B", sb, "K", sk, "W", sw, "SEP", ssep, "PT", pt,
                                   "COLOR", c, NULL});
      }
      ims__buf_puts(b, "\n");
    }
  }
}

/* ---- panels ------------------------------------------------------------------------- */

static void panel(writer_t *w, ims__buf_t *out, int i)
{
  const ims_fig_t *f = w->f;
  const ims_fig_panel_t *p = f->panel[i];
  const ims__geom_t *g = &w->L.g[i];
  int row = i / w->L.ncols;
  int bottom = row == w->L.nrows - 1 || i + w->L.ncols >= f->npanel;
  char sn[16], sl[32], sr[32], st[32], sb_[32], xoff[32], ylx[32], yly[32];
  snprintf(sn, sizeof sn, "%d", i + 1);
  num(sl, sizeof sl, g->l);
  num(sr, sizeof sr, g->r);
  num(st, sizeof st, g->t);
  num(sb_, sizeof sb_, g->b);
  snprintf(xoff, sizeof xoff, "%.3g", g->xoff);
  num(ylx, sizeof ylx, g->ylx);
  num(yly, sizeof yly, g->yly);
  ims__buf_t tb = {0}, xb = {0}, yb = {0}, zb = {0}, mb = {0}, sb = {0};
  if (p->title) {
    char *t = gp_text(p->title);
    emit(w, &tb, "panel_title", (const char *const[]){"TITLE", t, NULL});
    free(t);
  }
  const char *geo[] = {"L", sl, "R", sr, "T", st, "B", sb_, "YLX", ylx, "YLY", yly, NULL};
  axis(w, &xb, p, i, 'x', bottom && !p->x.hidden && !g->xshared, xoff, geo);
  axis(w, &yb, p, i, 'y', !p->y.hidden, "0", geo);
  if (p->z.label || !isnan(p->z.lo))
    axis(w, &zb, p, i, 'z', 1, "0", geo);
  else
    emit(w, &zb, "zaxis_none", none);
  if (g->strip)
    doses(w, &mb, p, g);
  marks(w, &mb, p, i);
  if (mb.n && mb.s[mb.n - 1] == '\n')
    mb.s[--mb.n] = '\0';
  /* fills under lines: a later run's band drawn over an earlier run's median
   * would tint the line, so every band and cell goes first */
  for (int pass = 0; pass < 2; pass++)
    for (int k = 0; k < p->nseries; k++) {
      int fill = p->series[k]->kind == IMS_FIG_BAND || p->series[k]->kind == IMS_FIG_CELLS;
      if (fill == !pass)
        series(w, &sb, p, p->series[k]);
    }
  if (!sb.n) /* a panel with nothing to draw still shows its axes */
    ims__buf_puts(&sb, "NaN notitle");
  char *comment = gp_text(p->comment ? p->comment : p->y.label ? p->y.label : "");
  const char *kv[] = {"N",       sn,
                      "COMMENT", comment,
                      "L",       sl,
                      "R",       sr,
                      "T",       st,
                      "B",       sb_,
                      "PTITLE",  ims__buf_str(&tb),
                      "XAXIS",   ims__buf_str(&xb),
                      "YAXIS",   ims__buf_str(&yb),
                      "ZAXIS",   ims__buf_str(&zb),
                      "MARKS",   ims__buf_str(&mb),
                      "SERIES",  ims__buf_str(&sb),
                      NULL};
  emit(w, out, "panel", kv);
  ims__buf_puts(out, "\n");
  if (tb.oom || xb.oom || yb.oom || zb.oom || mb.oom || sb.oom)
    ims_err_set(w->err, IMS_ENOMEM, "out of memory");
  free(comment);
  ims__buf_free(&tb);
  ims__buf_free(&xb);
  ims__buf_free(&yb);
  ims__buf_free(&zb);
  ims__buf_free(&mb);
  ims__buf_free(&sb);
}

/* ---- legend ------------------------------------------------------------------------- */

static void legend(writer_t *w, ims__buf_t *out, int rows)
{
  static const char *const kind[] = {"key_line", "key_band", "key_points", "key_box"};
  ims__buf_t eb = {0};
  for (int i = 0; i < w->f->nkey; i++) {
    const ims_fig_key_t *k = w->f->key[i];
    char col[64], dt[16], lw[32], pt[16], alpha[32], ps[32];
    color(w, col, sizeof col, k->color);
    snprintf(dt, sizeof dt, "%d", k->dash > 0 ? k->dash : 1);
    snprintf(lw, sizeof lw, "%.3g", 1.5 * (k->width > 0 ? k->width : 1));
    snprintf(pt, sizeof pt, "%d", k->point);
    snprintf(alpha, sizeof alpha, "%.3g", k->alpha);
    if (k->size > 0)
      snprintf(ps, sizeof ps, "%.3g", k->size);
    else
      snprintf(ps, sizeof ps, "%s", k->size < 0 ? "dose_point_size" : "point_size");
    char *label = gp_text(k->label);
    sep(&eb);
    emit(w, &eb, kind[k->kind],
         (const char *const[]){"COLOR", col, "DT", dt, "LW", lw, "PT", pt, "ALPHA", alpha, "PS", ps,
                               "LABEL", label, NULL});
    free(label);
  }
  char srows[16];
  snprintf(srows, sizeof srows, "%d", rows);
  emit(w, out, "legend",
       (const char *const[]){"LEGEND_ROWS", srows, "ENTRIES", ims__buf_str(&eb), NULL});
  ims__buf_puts(out, "\n");
  ims__buf_free(&eb);
}

/* ---- the script ----------------------------------------------------------------------- */

const char *ims_fig_terminal(const char *fig)
{
  const char *ext = fig ? strrchr(fig, '.') : NULL;
  return !ext                   ? NULL
         : !strcmp(ext, ".png") ? "png"
         : !strcmp(ext, ".svg") ? "svg"
         : !strcmp(ext, ".pdf") ? "pdf"
                                : NULL;
}

static int slurp_text(const char *path, char **out, ims_err_t *err)
{
  size_t len;
  int rc = ims_table_slurp(path, out, &len, err);
  if (rc)
    return ims_err_set(err, rc == IMS_ENOMEM ? IMS_ENOMEM : IMS_EIO,
                       "cannot read the plot file %s; set IMMUNOSIM_DATA to the directory holding "
                       "params/ and plots/",
                       path);
  while (len && (*out)[len - 1] == '\n')
    (*out)[--len] = '\0';
  return 0;
}

/* The time divisor of the x axes (weeks): the first panel's that has one. */
static double time_scale(const ims_fig_t *f)
{
  for (int i = 0; i < f->npanel; i++)
    if (f->panel[i]->x.div >= 1)
      return f->panel[i]->x.div;
  return 1;
}

int ims__fig_data(const ims_fig_t *f, const char ***files, int *n)
{
  int cap = 0;
  for (int i = 0; i < f->npanel; i++)
    cap += f->panel[i]->nseries;
  *n = 0;
  *files = calloc((size_t)cap + 1, sizeof **files);
  if (!*files)
    return IMS_ENOMEM;
  for (int i = 0; i < f->npanel; i++)
    for (int k = 0; k < f->panel[i]->nseries; k++) {
      const char *d = f->panel[i]->series[k]->data;
      int seen = !d;
      for (int j = 0; j < *n && !seen; j++)
        seen = !strcmp((*files)[j], d);
      if (!seen)
        (*files)[(*n)++] = d;
    }
  return IMS_OK;
}

/* The files section: each name a variable the command line may set first
 * (gnuplot -e "data1='other.csv'" FIG.gp), and the list to undefine at the end
 * so a later script in the same session does not inherit them. */
static void files(writer_t *w, ims__buf_t *b, ims__buf_t *vars, const char *figure)
{
  char var[32];
  for (int i = -1; i < w->ndata; i++) {
    snprintf(var, sizeof var, i < 0 ? "out_file" : "data%d", i + 1);
    char *path = gp_str(i < 0 ? figure : w->data[i]);
    emit(w, b, "file", (const char *const[]){"VAR", var, "PATH", path, NULL});
    ims__buf_puts(b, "\n");
    ims__buf_printf(vars, " %s", var);
    free(path);
  }
  if (b->n && b->s[b->n - 1] == '\n')
    b->s[--b->n] = '\0';
}

int ims_fig_script(const ims_fig_t *f, const ims_fig_out_t *o, char **script, ims_err_t *err)
{
  *script = NULL;
  const char *term = ims_fig_terminal(o->figure);
  if (!term)
    return ims_err_set(err, IMS_EINPUT,
                       "figure '%s': the extension chooses the format; use .png, .svg or .pdf",
                       o->figure ? o->figure : "");
  writer_t w = {.f = f, .err = err};
  char path[PATH_MAX], style_path[PATH_MAX], pal_path[PATH_MAX];
  const char *style_name = o->style ? o->style : "lecture";
  snprintf(path, sizeof path, "%s/%s", o->plots, TEMPLATE);
  snprintf(style_path, sizeof style_path, "%s/style_%s.gp", o->plots, style_name);
  snprintf(pal_path, sizeof pal_path, "%s/palette.gp", o->plots);
  if (ims__tmpl_load(&w.t, path))
    return ims_err_set(err, IMS_EIO,
                       "cannot read the plot template %s: %s; set IMMUNOSIM_DATA to the "
                       "directory holding params/ and plots/",
                       path, strerror(errno));
  char *style = NULL, *palette = NULL;
  int rc = slurp_text(style_path, &style, err);
  rc = rc ? rc : slurp_text(pal_path, &palette, err);
  if (!rc && ims__fig_data(f, &w.data, &w.ndata))
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = rc ? rc : ims__fig_layout(f, style, &w.L, err);
  w.tscale = time_scale(f);
  ims__buf_t legend_b = {0}, panels = {0}, tb = {0}, terminal = {0}, out = {0};
  int lrows = w.L.legend_rows;
  if (!rc && lrows)
    legend(&w, &legend_b, lrows);
  for (int i = 0; !rc && i < f->npanel; i++)
    panel(&w, &panels, i);
  char *title = gp_text(f->title);
  if (f->title && f->title[0])
    emit(&w, &tb, "title", (const char *const[]){"TITLE", title, NULL});
  char tsec[32];
  snprintf(tsec, sizeof tsec, "terminal_%s", term);
  emit(&w, &terminal, tsec, none);

  ims__buf_t fb = {0}, vars = {0};
  files(&w, &fb, &vars, o->figure);
  char cwd[PATH_MAX] = ".";
  if (!getcwd(cwd, sizeof cwd))
    snprintf(cwd, sizeof cwd, ".");
  char script_path[PATH_MAX];
  ims__fig_script_path(script_path, sizeof script_path, o->figure);
  char srows[16], scols[16], slegend[16], stscale[32], shas[4], sep_s[4];
  snprintf(srows, sizeof srows, "%d", w.L.nrows);
  snprintf(scols, sizeof scols, "%d", w.L.ncols);
  char srowh[16], sgap[16];
  snprintf(srowh, sizeof srowh, "%g", IMS__DOSE_ROW_H);
  snprintf(sgap, sizeof sgap, "%g", IMS__DOSE_GAP);
  snprintf(slegend, sizeof slegend, "%d", lrows);
  snprintf(stscale, sizeof stscale, "%g", w.tscale);
  snprintf(shas, sizeof shas, "%d", f->title && f->title[0]);
  snprintf(sep_s, sizeof sep_s, "%s", f->delim == '\t' ? "\\t" : ",");
  const char *kv[] = {"TITLE_COMMENT",
                      f->title && f->title[0] ? f->title : "immunosim figure",
                      "VERSION",
                      IMS_VERSION,
                      "TEMPLATE",
                      path,
                      "CWD",
                      cwd,
                      "SCRIPT",
                      script_path,
                      "FILES",
                      ims__buf_str(&fb),
                      "VARS",
                      ims__buf_str(&vars),
                      "STYLE_FILE",
                      style_path,
                      "STYLE",
                      style ? style : "",
                      "PALETTE_FILE",
                      pal_path,
                      "PALETTE",
                      palette ? palette : "",
                      "TERM",
                      term,
                      "TERMINAL",
                      ims__buf_str(&terminal),
                      "SEP",
                      sep_s,
                      "ROWS",
                      srows,
                      "COLS",
                      scols,
                      "HAS_TITLE",
                      shas,
                      "LEGEND_ROWS",
                      slegend,
                      "TSCALE",
                      stscale,
                      "DOSE_ROW_H",
                      srowh,
                      "DOSE_GAP",
                      sgap,
                      "MULTIPLOT_TITLE",
                      ims__buf_str(&tb),
                      "LEGEND",
                      ims__buf_str(&legend_b),
                      "PANELS",
                      ims__buf_str(&panels),
                      NULL};
  if (!rc && !err->code)
    emit(&w, &out, "script", kv);
  ims__buf_puts(&out, "\n");
  rc = rc ? rc : err->code;
  if (!rc && (out.oom || legend_b.oom || panels.oom || fb.oom || vars.oom))
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!rc) {
    *script = out.s;
    out.s = NULL;
  }
  free(title);
  free(w.data);
  free(style);
  free(palette);
  ims__buf_free(&out);
  ims__buf_free(&legend_b);
  ims__buf_free(&panels);
  ims__buf_free(&tb);
  ims__buf_free(&terminal);
  ims__buf_free(&fb);
  ims__buf_free(&vars);
  ims__tmpl_free(&w.t);
  ims__fig_layout_free(&w.L, f->npanel);
  return rc;
}
