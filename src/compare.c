#include "immunosim/compare.h"

#include "immunosim/immunosim.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ims_compare {
  ims_compare_spec_t spec;
  int n;
  ims_run_t **run;
  ims_report_t *rp;
  char (*name)[64];
  char (*table)[4200];
  int ran;
  /* every schedule's values of the table's rows, and window completeness
   * (filled by the rank that ran it, sent to rank 0) */
  int nrows;
  double *vals;
  int **complete;
  /* progress over all runs */
  int cur;
  double span;
};

int ims_compare_n(const ims_compare_t *c)
{
  return c->n;
}

const char *ims_compare_name(const ims_compare_t *c, int i)
{
  return c->name[i];
}

const char *ims_compare_table(const ims_compare_t *c, int i)
{
  return c->spec.runs_stem ? c->table[i] : NULL;
}

const ims_run_t *ims_compare_run_of(const ims_compare_t *c, int i)
{
  return c->run[i];
}

/* "params/schedules/pembrolizumab_200mg_q3w.csv" -> "pembrolizumab_200mg_q3w" */
static void short_name(const char *path, char *buf, size_t n)
{
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  snprintf(buf, n, "%s", basename(tmp));
  size_t l = strlen(buf);
  if (l > 4 && !strcmp(buf + l - 4, ".csv"))
    buf[l - 4] = '\0';
}

void ims_compare_free(ims_compare_t *c)
{
  if (!c)
    return;
  for (int i = 0; i < c->n; i++) {
    if (c->rp)
      ims_report_free(&c->rp[i]);
    if (c->run)
      ims_run_free(c->run[i]);
  }
  for (int i = 0; c->complete && i < c->n; i++)
    free(c->complete[i]);
  free(c->complete);
  free(c->vals);
  free(c->run);
  free(c->rp);
  free(c->name);
  free(c->table);
  free(c);
}

/* Every run to one end time: the given one, or the latest default end. */
static int common_end(const ims_compare_spec_t *sp, ims_run_spec_t *rs, ims_err_t *err)
{
  if (!isnan(rs->tend) || rs->times)
    return IMS_OK;
  double tend = -INFINITY;
  for (int i = 0; i < sp->nschedules; i++) {
    ims_run_t *r;
    rs->schedule = sp->schedules[i];
    int rc = ims_run_alloc(&r, rs, err);
    if (rc)
      return rc;
    if (r->tout[r->ntout - 1] > tend)
      tend = r->tout[r->ntout - 1];
    ims_run_free(r);
  }
  rs->tend = tend;
  return IMS_OK;
}

int ims_compare_alloc(ims_compare_t **out, const ims_compare_spec_t *spec, ims_err_t *err)
{
  *out = NULL;
  int n = spec->nschedules;
  if (n < 2)
    return ims_err_set(err, IMS_EINPUT, "compare: give at least two schedules (-s A.csv -s B.csv)");
  ims_compare_t *c = calloc(1, sizeof *c);
  if (!c)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  c->spec = *spec;
  c->run = calloc((size_t)n, sizeof *c->run);
  c->rp = calloc((size_t)n, sizeof *c->rp);
  c->name = calloc((size_t)n, sizeof *c->name);
  c->table = calloc((size_t)n, sizeof *c->table);
  if (!c->run || !c->rp || !c->name || !c->table) {
    ims_compare_free(c);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  c->n = n;
  ims_run_spec_t rs = spec->run;
  ims_metrics_spec_t ms = spec->metrics;
  ms.no_doses = 1;
  int rc = common_end(spec, &rs, err);
  for (int i = 0; !rc && i < n; i++) {
    rs.schedule = spec->schedules[i];
    rc = ims_run_alloc(&c->run[i], &rs, err);
    rc = rc ? rc : ims_report_init(&c->rp[i], c->run[i], &ms, err);
    if (rc)
      break;
    short_name(c->run[i]->sched->path, c->name[i], sizeof c->name[i]);
    for (int j = 0; j < i; j++)
      if (!strcmp(c->name[j], c->name[i]))
        snprintf(c->name[i] + strlen(c->name[i]), 8, "#%d", i + 1);
    if (spec->runs_stem)
      snprintf(c->table[i], sizeof c->table[i], "%s_%s.csv", spec->runs_stem, c->name[i]);
  }
  if (rc) {
    ims_compare_free(c);
    return rc;
  }
  *out = c;
  return IMS_OK;
}

static void progress(void *ud, double done, double total)
{
  ims_compare_t *c = ud;
  (void)total;
  c->spec.progress(c->spec.progress_ud, c->cur * c->span + done, c->n * c->span);
}

/* Value of row (window label, col or threshold, metric) for schedule i. */
static double value_of(const ims_compare_t *c, int i, const char *label, int col, int th, int k)
{
  int w = ims_report_window(&c->rp[i], label);
  if (w < 0)
    return NAN;
  return th < 0 ? ims_report_value(&c->rp[i], c->run[i], w, col, k)
                : ims_report_tvalue(&c->rp[i], w, th, k);
}

/* Times are compared by difference (a later peak), everything else by ratio. */
static int is_time(int th, int k)
{
  return (th < 0 ? ims_metric_unit(k) : ims_tmetric_unit(k)) == IMS_MU_TIME;
}

/* Row r of the table (windows, then columns and thresholds, then metrics);
 * 0 past the last row. */
typedef struct cmp_row {
  const char *window, *column, *threshold, *metric;
  int col, th, k;
  char unit[160], lab[96];
} cmp_row_t;

static int row_at(const ims_compare_t *c, int r, cmp_row_t *x)
{
  const ims_report_t *rp = &c->rp[0];
  const ims_run_t *r0 = c->run[0];
  int per = rp->nsel * IMS_M_COUNT + rp->nth * IMS_T_COUNT;
  if (per == 0 || r >= rp->nw * per)
    return 0;
  int rem = r % per;
  x->window = rp->w[r / per].label;
  x->th = rem < rp->nsel * IMS_M_COUNT ? -1 : (rem - rp->nsel * IMS_M_COUNT) / IMS_T_COUNT;
  x->k = x->th < 0 ? rem % IMS_M_COUNT : (rem - rp->nsel * IMS_M_COUNT) % IMS_T_COUNT;
  x->col = x->th < 0 ? rp->sel[rem / IMS_M_COUNT] : rp->th[x->th].col;
  x->column = r0->colnames[1 + x->col];
  x->metric = x->th < 0 ? ims_metric_name(x->k) : ims_tmetric_name(x->k);
  x->lab[0] = '\0';
  x->threshold = "";
  if (x->th >= 0) {
    ims_report_threshold_label(rp, r0, x->th, x->lab, sizeof x->lab);
    x->threshold = strchr(x->lab, '>') + 1;
  }
  ims_report_unit(r0, x->col, x->th < 0 ? ims_metric_unit(x->k) : ims_tmetric_unit(x->k), x->unit,
                  sizeof x->unit);
  return 1;
}

/* Schedule i's value of table row r. */
static double val(const ims_compare_t *c, int i, int r)
{
  return c->vals[(size_t)i * (size_t)c->nrows + (size_t)r];
}

/* After schedule i ran here: its values and window completeness. */
static void collect(ims_compare_t *c, int i)
{
  cmp_row_t x;
  for (int r = 0; row_at(c, r, &x); r++)
    c->vals[(size_t)i * (size_t)c->nrows + (size_t)r] = value_of(c, i, x.window, x.col, x.th, x.k);
  for (int w = 0; w < c->rp[i].nw; w++)
    c->complete[i][w] = ims_metrics_complete(c->rp[i].mt, w);
}

static int write_csv(const ims_compare_t *c, ims_output_t *o)
{
  const ims_run_t *r0 = c->run[0];
  int n = c->n, bad = 0;
  char line[8192], nb[IMS_NUMBUF], col[160];
  ims_output_comment(o, "immunosim %s compare: model %s", IMS_VERSION, r0->m->name);
  if (r0->m->source)
    ims_output_comment(o, "model-file: %s fnv1a64=%s", r0->m->source,
                       r0->m->source_hash ? r0->m->source_hash : "");
  for (int i = 0; i < n; i++)
    ims_output_comment(o, "schedule %d: %s", i + 1, c->run[i]->sched->path);
  ims_output_comment(o, "ratio_X: X over the first schedule (NaN for times); diff_X: X minus "
                        "the first");
  int l = snprintf(line, sizeof line, "window,column,threshold,metric,unit");
  static const char *const pre[3] = {NULL, "ratio", "diff"};
  for (int p = 0; p < 3; p++)
    for (int i = p ? 1 : 0; i < n && l < (int)sizeof line - 200; i++) {
      ims_column_name(col, sizeof col, p ? pre[p] : c->name[i], p ? c->name[i] : NULL);
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", col);
    }
  bad |= ims_output_line(o, "%s", line);
  cmp_row_t x;
  for (int r = 0; row_at(c, r, &x); r++) {
    l = snprintf(line, sizeof line, "%s,%s,%s,%s,%s", x.window, x.column, x.threshold, x.metric,
                 x.unit);
    double v0 = val(c, 0, r);
    for (int i = 0; i < n; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", ims_fmt_num(nb, val(c, i, r)));
    for (int i = 1; i < n; i++) {
      double v = val(c, i, r);
      double q = is_time(x.th, x.k) || v0 == 0 || isnan(v0) ? NAN : v / v0;
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", ims_fmt_num(nb, q));
    }
    for (int i = 1; i < n; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", ims_fmt_num(nb, val(c, i, r) - v0));
    bad |= ims_output_line(o, "%s", line);
  }
  return bad;
}

/* A schedule run on another rank: [i][values of the rows][completeness
 * per window][its run table, when written]. */
typedef struct cmp_sink {
  ims_compare_t *c;
  ims_output_t **outs;
} cmp_sink_t;

static int on_record(void *ud, int rank, const void *rec, size_t len, ims_err_t *err)
{
  cmp_sink_t *k = ud;
  ims_compare_t *c = k->c;
  const char *p = rec;
  int i;
  if (len < sizeof i)
    return ims_err_set(err, IMS_EINTERNAL, "rank %d: a malformed compare record", rank);
  memcpy(&i, p, sizeof i);
  size_t nv = (size_t)c->nrows * sizeof(double), nw = (size_t)c->rp[i].nw * sizeof(int);
  if (i < 0 || i >= c->n || len < sizeof i + nv + nw)
    return ims_err_set(err, IMS_EINTERNAL, "rank %d: a malformed compare record", rank);
  memcpy(c->vals + (size_t)i * (size_t)c->nrows, p + sizeof i, nv);
  memcpy(c->complete[i], p + sizeof i + nv, nw);
  size_t off = sizeof i + nv + nw;
  if (k->outs[i] && ims_output_raw(k->outs[i], p + off, len - off))
    return ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(k->outs[i]));
  return IMS_OK;
}

static int send_schedule(ims_compare_t *c, int i, ims_output_t *mem, ims_par_stream_t *st,
                         ims_err_t *err)
{
  size_t tl = 0;
  const char *t = mem ? ims_output_mem(mem, &tl) : NULL;
  size_t nv = (size_t)c->nrows * sizeof(double), nw = (size_t)c->rp[i].nw * sizeof(int);
  char *rec = malloc(sizeof i + nv + nw + tl + 1);
  if (!rec || (mem && ims_output_failed(mem))) {
    free(rec);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  memcpy(rec, &i, sizeof i);
  memcpy(rec + sizeof i, c->vals + (size_t)i * (size_t)c->nrows, nv);
  memcpy(rec + sizeof i + nv, c->complete[i], nw);
  if (tl)
    memcpy(rec + sizeof i + nv + nw, t, tl);
  int rc = ims_par_stream_put(st, rec, sizeof i + nv + nw + tl, err);
  free(rec);
  return rc;
}

int ims_compare_run(ims_compare_t *c, ims_outset_t *g, ims_err_t *err)
{
  ims_par_t *par = c->spec.par;
  int root = ims_par_rank(par) == 0;
  ims_output_t *mout = NULL, **outs = calloc((size_t)c->n, sizeof *outs);
  int meta = c->spec.format & IMS_OUT_NO_META;
  const ims_report_t *rp0 = &c->rp[0];
  c->nrows = rp0->nw * (rp0->nsel * IMS_M_COUNT + rp0->nth * IMS_T_COUNT);
  free(c->vals);
  c->vals = calloc((size_t)c->n * (size_t)c->nrows + 1, sizeof *c->vals);
  if (!c->complete && (c->complete = calloc((size_t)c->n, sizeof *c->complete)) != NULL)
    for (int i = 0; i < c->n; i++)
      c->complete[i] = calloc((size_t)c->rp[i].nw + 1, sizeof **c->complete);
  int rc = outs && c->vals && c->complete ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (int i = 0; !rc && i < c->n; i++)
    if (!c->complete[i])
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!rc && root && c->spec.metrics_out)
    rc = ims_outset_open(g, &mout, c->spec.metrics_out, IMS_FMT_CSV | meta, err);
  for (int i = 0; !rc && root && c->spec.runs_stem && i < c->n; i++)
    rc = ims_outset_open(g, &outs[i], c->table[i], IMS_FMT_CSV | meta, err);
  cmp_sink_t k = {c, outs};
  ims_par_stream_t *st = NULL;
  if (ims_par_stream_alloc(&st, par, on_record, &k, err)) {
    ims_par_abort(par, err);
    free(outs);
    return IMS_ENOMEM;
  }
  c->span = c->run[0]->tout[c->run[0]->ntout - 1] - c->run[0]->opts.t0;
  uint64_t a, b;
  ims_par_share(par, 0, (uint64_t)c->n, &a, &b);
  for (int i = (int)a; !rc && i < (int)b; i++) {
    ims_run_t *r = c->run[i];
    ims_sim_t *sim = NULL;
    ims_output_t *to = outs[i];
    c->cur = i;
    if (!root && c->spec.runs_stem)
      rc = ims_output_open_mem(&to, IMS_FMT_CSV | meta, err);
    if (!rc && to) {
      ims_run_write_meta(to, r);
      ims_output_header(to, r->ncols, r->colnames, r->colunits);
    }
    ims_run_sinks_t sk = {.out = to,
                          .report = &c->rp[i],
                          .progress = c->spec.progress && root ? progress : NULL,
                          .progress_ud = c};
    rc = rc ? rc : ims_sim_alloc(&sim, r->m, err);
    rc = rc ? rc : ims_run_simulate(r, sim, r->params->value, &sk, err);
    ims_sim_free(sim);
    if (!rc)
      collect(c, i);
    if (!rc && !root)
      rc = send_schedule(c, i, to, st, err);
    if (!root)
      ims_output_abort(to);
  }
  rc = ims_par_stream_finish(st, rc, err);
  ims_par_stream_free(st);
  if (!rc && mout && write_csv(c, mout))
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(mout));
  c->ran = !rc;
  free(outs);
  return rc;
}

static void cell_num(char *buf, double v, int sign)
{
  if (isnan(v))
    snprintf(buf, 48, "-");
  else
    snprintf(buf, 48, sign ? "%+.6g" : "%.6g", v);
}

void ims_compare_print(FILE *fp, const ims_compare_t *c)
{
  const ims_run_t *r0 = c->run[0];
  const ims_report_t *rp0 = &c->rp[0];
  int n = c->n, ncol = 4 + n + (n - 1);
  int nrow = 1 + rp0->nw * (rp0->nsel * IMS_M_COUNT + rp0->nth * IMS_T_COUNT);
  char(*cells)[48] = calloc((size_t)ncol * (size_t)(nrow + 1), sizeof *cells);
  if (!cells)
    return;
  const char *head[4] = {"window", "column", "metric", "unit"};
  for (int j = 0; j < 4; j++)
    snprintf(cells[j], 48, "%s", head[j]);
  for (int i = 0; i < n; i++)
    snprintf(cells[4 + i], 48, "%s", c->name[i]);
  for (int i = 1; i < n; i++)
    snprintf(cells[4 + n + i - 1], 48, "ratio_%.40s", c->name[i]);
  int row = 1;
  cmp_row_t y;
  for (int r = 0; row_at(c, r, &y); r++, row++) {
    char(*x)[48] = cells + row * ncol;
    snprintf(x[0], 48, "%s", y.window);
    snprintf(x[1], 48, "%s", y.th < 0 ? y.column : y.lab);
    snprintf(x[2], 48, "%s", y.metric);
    snprintf(x[3], 48, "%s", y.unit);
    double v0 = val(c, 0, r);
    for (int i = 0; i < n; i++)
      cell_num(x[4 + i], val(c, i, r), 0);
    for (int i = 1; i < n; i++) {
      double v = val(c, i, r);
      if (is_time(y.th, y.k))
        cell_num(x[4 + n + i - 1], v - v0, 1);
      else if (isnan(v) || isnan(v0) || v0 == 0)
        snprintf(x[4 + n + i - 1], 48, "-");
      else
        snprintf(x[4 + n + i - 1], 48, "%.4f", v / v0);
    }
  }
  fprintf(fp,
          "model %s; times in %s; ratio_X: each schedule over the first, except times (tmax, "
          "tmin, regrow, above, below): the difference (+ later or longer)\n",
          r0->m->name, r0->m->time_unit);
  for (int i = 0; i < n; i++) {
    int w = ims_report_window(&c->rp[i], "last");
    if (w >= 0)
      fprintf(fp, "  %s: last complete dosing interval [%g, %g]\n", c->name[i], c->rp[i].w[w].a,
              c->rp[i].w[w].b);
    for (int x = 0; c->ran && x < c->rp[i].nw; x++)
      if (!c->complete[i][x])
        fprintf(fp, "  %s: window %s not complete (the run stopped early)\n", c->name[i],
                c->rp[i].w[x].label);
  }
  ims_table_print(fp, cells, row, ncol);
  free(cells);
}
