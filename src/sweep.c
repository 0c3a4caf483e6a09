#include "immunosim/sweep.h"

#include "immunosim/immunosim.h"
#include "immunosim/table.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V_PARAM 0
#define V_AMT 1
#define V_DUR 2
#define V_II 3
#define V_TIME 4

typedef struct vary {
  ims_sweep_axis_t ax;
  const char *arg;
  int kind, index;   /* parameter index or record index */
  char amt_unit[96]; /* amt of a dose per kg: "mg/kg" */
} vary_t;

typedef struct colspec {
  char name[160];
  char unit[160];
} colspec_t;

struct ims_sweep {
  ims_sweep_spec_t spec;
  ims_metrics_spec_t ms;
  ims_run_t *r;
  vary_t v[2];
  int nv;
  ims_report_t ref; /* the metrics of the first point, for column names */
  colspec_t *cols;
  int ncols;
};

int ims_sweep_naxes(const ims_sweep_t *s)
{
  return s->nv;
}

const ims_sweep_axis_t *ims_sweep_axis(const ims_sweep_t *s, int i)
{
  return &s->v[i].ax;
}

int ims_sweep_ncolumns(const ims_sweep_t *s)
{
  return s->ncols;
}

const char *ims_sweep_column(const ims_sweep_t *s, int i, const char **unit)
{
  if (unit)
    *unit = s->cols[i].unit;
  return s->cols[i].name;
}

int ims_sweep_find_column(const ims_sweep_t *s, const char *name)
{
  for (int i = 0; i < s->ncols; i++)
    if (!strcmp(s->cols[i].name, name))
      return i;
  return -1;
}

/* One end of a range, with an optional unit, in the canonical unit `to`. */
static int end_value(const ims_run_t *r, const char *arg, const char *tok, const char *to,
                     double *v, ims_err_t *err)
{
  char unit[128];
  if (ims_parse_value_unit(tok, v, unit, sizeof unit) != 0)
    return ims_err_set(err, IMS_EINPUT, "--vary %s: '%s' is not a number with an optional unit",
                       arg, tok);
  ims_err_t e2;
  if (unit[0] && ims_units_convert(r->units, unit, to, v, &e2) != IMS_OK)
    return ims_err_set(err, IMS_EINPUT, "--vary %s: %s", arg, e2.msg);
  return IMS_OK;
}

static int parse_field(vary_t *v, const ims_run_t *r, int f, ims_err_t *err)
{
  static const char *const fields[] = {"amt[", "dur[", "ii[", "time["};
  long k;
  char idx[32];
  const char *open = strchr(v->ax.name, '['), *close = strchr(v->ax.name, ']');
  if (!close || close[1] || (size_t)(close - open - 1) >= sizeof idx)
    return ims_err_set(err, IMS_EINPUT, "--vary %s: expected %sK] with K a record number", v->arg,
                       fields[f]);
  memcpy(idx, open + 1, (size_t)(close - open - 1));
  idx[close - open - 1] = '\0';
  if (ims_table_long(idx, &k) || k < 1 || k > r->sched->nrec)
    return ims_err_set(err, IMS_EINPUT,
                       "--vary %s: the schedule has no record %s (it has %d; records count from "
                       "1 in file order)",
                       v->arg, idx, r->sched->nrec);
  v->kind = V_AMT + f;
  v->index = (int)k - 1;
  ims_record_amt_unit(r->m, &r->sched->rec[v->index], v->amt_unit, sizeof v->amt_unit);
  v->ax.unit = f == 0 ? v->amt_unit : r->m->time_unit;
  return IMS_OK;
}

static int parse_vary(vary_t *v, const ims_run_t *r, const char *arg, ims_err_t *err)
{
  const ims_model_t *m = r->m;
  memset(v, 0, sizeof *v);
  v->arg = arg;
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof v->ax.name)
    return ims_err_set(err, IMS_EINPUT, "--vary %s: expected NAME=LO:HI:N[:log]", arg);
  memcpy(v->ax.name, arg, (size_t)(eq - arg));
  v->ax.name[eq - arg] = '\0';
  ims_column_name(v->ax.column, sizeof v->ax.column, v->ax.name, NULL);
  static const char *const fields[] = {"amt[", "dur[", "ii[", "time["};
  int f = 0, rc;
  while (f < 4 && strncmp(v->ax.name, fields[f], strlen(fields[f])) != 0)
    f++;
  if (f < 4 && (rc = parse_field(v, r, f, err)) != IMS_OK)
    return rc;
  if (f == 4) {
    v->kind = V_PARAM;
    v->ax.param = 1;
    v->index = ims_model_param_index(m, v->ax.name);
    if (v->index < 0) {
      const char *sug = ims_model_suggest_param(m, v->ax.name);
      return ims_err_set(err, IMS_EINPUT, "--vary %s: unknown parameter '%s' in model %s%s%s%s",
                         arg, v->ax.name, m->name, sug ? "; did you mean '" : "", sug ? sug : "",
                         sug ? "'?" : "");
    }
    v->ax.unit = ims_run_value_unit(r, v->index);
  }
  /* LO:HI:N[:log] */
  char buf[256], *tok[5];
  int nt = 0;
  snprintf(buf, sizeof buf, "%s", eq + 1);
  for (char *save = NULL, *t = strtok_r(buf, ":", &save); t && nt < 5;
       t = strtok_r(NULL, ":", &save))
    tok[nt++] = t;
  long n;
  if (nt < 3 || nt > 4 || (nt == 4 && strcmp(tok[3], "log") && strcmp(tok[3], "lin")) ||
      ims_table_long(tok[2], &n) || n < 1 || n > 100000)
    return ims_err_set(err, IMS_EINPUT,
                       "--vary %s: expected NAME=LO:HI:N[:log] with 1 <= N <= 100000", arg);
  v->ax.n = (int)n;
  v->ax.log = nt == 4 && !strcmp(tok[3], "log");
  rc = end_value(r, arg, tok[0], v->ax.unit, &v->ax.lo, err);
  rc = rc ? rc : end_value(r, arg, tok[1], v->ax.unit, &v->ax.hi, err);
  if (!rc && v->ax.log && !(v->ax.lo > 0 && v->ax.hi > 0))
    rc = ims_err_set(err, IMS_EINPUT, "--vary %s: a log grid needs LO and HI > 0", arg);
  int sgn =
      v->kind == V_PARAM && v->index < m->nparams && (m->params[v->index].flags & IMS_PAR_SIGNED);
  if (!rc && !sgn && (v->ax.lo < 0 || v->ax.hi < 0))
    rc = ims_err_set(err, IMS_EINPUT, "--vary %s: %s cannot be negative", arg, v->ax.name);
  return rc;
}

static double grid_value(const vary_t *v, int i)
{
  if (v->ax.n == 1)
    return v->ax.lo;
  double f = (double)i / (v->ax.n - 1);
  return v->ax.log ? v->ax.lo * pow(v->ax.hi / v->ax.lo, f) : v->ax.lo + (v->ax.hi - v->ax.lo) * f;
}

static double *field_of(ims_run_t *r, const vary_t *v, double *p)
{
  if (v->kind == V_PARAM)
    return &p[v->index];
  ims_record_t *x = &r->sched->rec[v->index];
  switch (v->kind) {
  case V_AMT:
    return &x->amt;
  case V_DUR:
    return &x->dur;
  case V_II:
    return &x->ii;
  default:
    return &x->time;
  }
}

/* Header names and units of the metric columns (from the first point's windows). */
static int metric_columns(ims_sweep_t *s, ims_err_t *err)
{
  const ims_report_t *rp = &s->ref;
  int per = rp->nsel * IMS_M_COUNT + rp->nth * IMS_T_COUNT, n = 0;
  colspec_t *c = calloc((size_t)(rp->nw * per) + 1, sizeof *c);
  if (!c)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  char q[200];
  for (int w = 0; w < rp->nw; w++) {
    const char *pre = rp->nw > 1 ? rp->w[w].label : NULL;
    for (int j = 0; j < rp->nsel; j++)
      for (int k = 0; k < IMS_M_COUNT; k++, n++) {
        snprintf(q, sizeof q, "%s_%s", s->r->colnames[1 + rp->sel[j]], ims_metric_name(k));
        ims_column_name(c[n].name, sizeof c[n].name, pre ? pre : q, pre ? q : NULL);
        ims_report_unit(s->r, rp->sel[j], ims_metric_unit(k), c[n].unit, sizeof c[n].unit);
      }
    for (int j = 0; j < rp->nth; j++)
      for (int k = 0; k < IMS_T_COUNT; k++, n++) {
        snprintf(q, sizeof q, "th%d_%s", j + 1, ims_tmetric_name(k));
        ims_column_name(c[n].name, sizeof c[n].name, pre ? pre : q, pre ? q : NULL);
        ims_report_unit(s->r, rp->th[j].col, ims_tmetric_unit(k), c[n].unit, sizeof c[n].unit);
      }
  }
  s->cols = c;
  s->ncols = n;
  return IMS_OK;
}

void ims_sweep_free(ims_sweep_t *s)
{
  if (!s)
    return;
  ims_report_free(&s->ref);
  free(s->cols);
  free(s);
}

int ims_sweep_alloc(ims_sweep_t **out, ims_run_t *r, const ims_sweep_spec_t *spec, ims_err_t *err)
{
  *out = NULL;
  if (spec->nvary < 1 || spec->nvary > 2)
    return ims_err_set(err, IMS_EINPUT,
                       "sweep: give --vary NAME=LO:HI:N[:log] once or twice (a 1-D or 2-D grid)");
  ims_sweep_t *s = calloc(1, sizeof *s);
  if (!s)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->spec = *spec;
  s->r = r;
  s->nv = spec->nvary;
  s->ms = spec->metrics;
  static const char *const all[] = {"all"};
  if (s->ms.nwindows == 0) {
    s->ms.windows = all;
    s->ms.nwindows = 1;
  }
  s->ms.no_doses = 1;
  int rc = IMS_OK;
  for (int i = 0; !rc && i < s->nv; i++)
    rc = parse_vary(&s->v[i], r, spec->vary[i], err);
  rc = rc ? rc : ims_report_init(&s->ref, r, &s->ms, err);
  rc = rc ? rc : metric_columns(s, err);
  if (rc) {
    ims_sweep_free(s);
    return rc;
  }
  *out = s;
  return IMS_OK;
}

/* Append to a growing line; -1 when out of memory. */
static int cat(char **buf, size_t *cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int cat(char **buf, size_t *cap, size_t *len, const char *fmt, ...)
{
  for (;;) {
    if (*cap - *len >= 64 || !*buf) {
      va_list ap;
      va_start(ap, fmt);
      int k = *buf ? vsnprintf(*buf + *len, *cap - *len, fmt, ap) : -1;
      va_end(ap);
      if (*buf && k >= 0 && (size_t)k < *cap - *len) {
        *len += (size_t)k;
        return 0;
      }
    }
    size_t nc = *cap * 2 + 1024;
    char *nb = realloc(*buf, nc);
    if (!nb)
      return -1;
    *buf = nb;
    *cap = nc;
  }
}

static int write_header(ims_sweep_t *s, ims_output_t *o)
{
  const ims_run_t *r = s->r;
  ims_run_write_meta(o, r);
  for (int i = 0; i < s->nv; i++)
    ims_output_comment(o, "vary: %s (column %s)", s->v[i].arg, s->v[i].ax.column);
  for (int j = 0; j < s->ref.nth; j++) {
    char lab[96];
    ims_report_threshold_label(&s->ref, r, j, lab, sizeof lab);
    ims_output_comment(o, "th%d: %s", j + 1, lab);
  }
  size_t cap = (size_t)(s->ncols + 4) * 340;
  char *line = malloc(cap);
  if (!line)
    return IMS_ENOMEM;
  int l = snprintf(line, cap, "# units: ");
  for (int i = 0; i < s->nv; i++)
    l += snprintf(line + l, cap - (size_t)l, "%s=%s,", s->v[i].ax.column, s->v[i].ax.unit);
  l += snprintf(line + l, cap - (size_t)l, "status=");
  for (int i = 0; i < s->ncols; i++)
    l += snprintf(line + l, cap - (size_t)l, ",%s=%s", s->cols[i].name, s->cols[i].unit);
  int bad = ims_output_line(o, "%s", line);
  l = 0;
  for (int i = 0; i < s->nv; i++)
    l += snprintf(line + l, cap - (size_t)l, "%s,", s->v[i].ax.column);
  l += snprintf(line + l, cap - (size_t)l, "status");
  for (int i = 0; i < s->ncols; i++)
    l += snprintf(line + l, cap - (size_t)l, ",%s", s->cols[i].name);
  bad |= ims_output_line(o, "%s", line);
  free(line);
  return bad ? IMS_EIO : IMS_OK;
}

static int write_values(ims_sweep_t *s, const ims_report_t *rp, int failed, char **line,
                        size_t *cap, size_t l)
{
  const ims_report_t *ref = &s->ref;
  char nb[IMS_NUMBUF];
  for (int w = 0; w < ref->nw; w++) {
    int wi = failed ? -1 : ims_report_window(rp, ref->w[w].label);
    for (int j = 0; j < ref->nsel; j++)
      for (int k = 0; k < IMS_M_COUNT; k++)
        if (cat(line, cap, &l, ",%s",
                ims_fmt_num(nb, wi < 0 ? NAN : ims_report_value(rp, s->r, wi, ref->sel[j], k))))
          return -1;
    for (int j = 0; j < ref->nth; j++)
      for (int k = 0; k < IMS_T_COUNT; k++)
        if (cat(line, cap, &l, ",%s",
                ims_fmt_num(nb, wi < 0 ? NAN : ims_report_tvalue(rp, wi, j, k))))
          return -1;
  }
  return 0;
}

/* One grid point's outcome: its row of the table and, when its solve
 * failed, its label and error.  As a record for rank 0: failed (1 byte),
 * code (int), then the label, the message and the row, each NUL-ended. */
typedef struct pointres {
  int failed;
  ims_err_t e;
  char label[512];
  char *line;
  size_t cap;
} pointres_t;

/* One grid point: parameters (and schedule fields) set, simulated. */
static int point(ims_sweep_t *s, ims_sim_t *sim, double *p, const double *x, pointres_t *pr,
                 ims_err_t *err)
{
  ims_run_t *r = s->r;
  int np = ims_model_nvalues(r->m);
  memcpy(p, r->params->value, (size_t)np * sizeof *p);
  for (int i = 0; i < s->nv; i++)
    *field_of(r, &s->v[i], p) = x[i];
  memset(&pr->e, 0, sizeof pr->e);
  ims_report_t rp;
  int prc = ims_report_init(&rp, r, &s->ms, &pr->e);
  ims_run_sinks_t k = {.report = &rp};
  prc = prc ? prc : ims_run_simulate(r, sim, p, &k, &pr->e);
  char nb[IMS_NUMBUF];
  size_t l = 0, ll = 0;
  for (int i = 0; i < s->nv; i++)
    ll += (size_t)snprintf(pr->label + ll, sizeof pr->label - ll, "%s%s=%s", i ? "," : "",
                           s->v[i].ax.name, ims_fmt_num(nb, x[i]));
  pr->failed = prc != 0;
  int bad = 0;
  for (int i = 0; i < s->nv; i++)
    bad |= cat(&pr->line, &pr->cap, &l, "%s,", ims_fmt_num(nb, x[i]));
  bad |= cat(&pr->line, &pr->cap, &l, "%s", prc ? "failed" : k.stopped ? "stopped" : "ok");
  bad |= write_values(s, &rp, prc != 0, &pr->line, &pr->cap, l);
  ims_report_free(&rp);
  return bad ? ims_err_set(err, IMS_ENOMEM, "out of memory") : IMS_OK;
}

/* Where the points go: rank 0 writes them, in grid order. */
typedef struct sink {
  ims_sweep_t *s;
  ims_output_t *o;
  int *nfailed;
  long done, total;
} sink_t;

static int emit(sink_t *k, int failed, const ims_err_t *e, const char *label, const char *line,
                ims_err_t *err)
{
  ims_sweep_t *s = k->s;
  if (failed) {
    ++*k->nfailed;
    if (s->spec.failed)
      s->spec.failed(s->spec.failed_ud, label, e);
  }
  k->done++;
  if (s->spec.progress)
    s->spec.progress(s->spec.progress_ud, (double)k->done, (double)k->total);
  if (ims_output_line(k->o, "%s", line))
    return ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(k->o));
  return IMS_OK;
}

static int on_record(void *ud, int rank, const void *rec, size_t len, ims_err_t *err)
{
  const char *p = rec, *end = p + len;
  ims_err_t e = {0};
  if (len < 1 + sizeof e.code || end[-1] != '\0')
    return ims_err_set(err, IMS_EINTERNAL, "rank %d: a malformed sweep record", rank);
  int failed = p[0];
  memcpy(&e.code, p + 1, sizeof e.code);
  const char *label = p + 1 + sizeof e.code, *msg = label + strlen(label) + 1;
  const char *line = msg < end ? msg + strlen(msg) + 1 : end;
  if (line >= end)
    return ims_err_set(err, IMS_EINTERNAL, "rank %d: a malformed sweep record", rank);
  snprintf(e.msg, sizeof e.msg, "%s", msg);
  return emit(ud, failed, &e, label, line, err);
}

static int send_point(ims_par_stream_t *st, const pointres_t *pr, ims_err_t *err)
{
  size_t ll = strlen(pr->label), ml = strlen(pr->e.msg), rl = strlen(pr->line);
  size_t n = 1 + sizeof pr->e.code + ll + 1 + ml + 1 + rl + 1;
  char *rec = malloc(n);
  if (!rec)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  rec[0] = (char)pr->failed;
  memcpy(rec + 1, &pr->e.code, sizeof pr->e.code);
  char *q = rec + 1 + sizeof pr->e.code;
  memcpy(q, pr->label, ll + 1);
  memcpy(q + ll + 1, pr->e.msg, ml + 1);
  memcpy(q + ll + 1 + ml + 1, pr->line, rl + 1);
  int rc = ims_par_stream_put(st, rec, n, err);
  free(rec);
  return rc;
}

int ims_sweep_run(ims_sweep_t *s, ims_output_t *o, int *nfailed, ims_err_t *err)
{
  ims_run_t *r = s->r;
  ims_par_t *par = s->spec.par;
  int root = ims_par_rank(par) == 0;
  *nfailed = 0;
  double *p = malloc((size_t)ims_model_nvalues(r->m) * sizeof *p);
  ims_sim_t *sim = NULL;
  ims_par_stream_t *st = NULL;
  int n0 = s->v[0].ax.n, n1 = s->nv > 1 ? s->v[1].ax.n : 1;
  sink_t k = {s, o, nfailed, 0, (long)n0 * n1};
  pointres_t pr = {0};
  int rc = p ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (ims_par_stream_alloc(&st, par, on_record, &k, err)) {
    ims_par_abort(par, err);
    free(p);
    return IMS_ENOMEM;
  }
  rc = rc ? rc : ims_sim_alloc(&sim, r->m, err);
  if (!rc && root && write_header(s, o))
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(o));
  double save[2] = {0, 0};
  for (int i = 0; i < s->nv; i++)
    if (s->v[i].kind != V_PARAM)
      save[i] = *field_of(r, &s->v[i], NULL);
  uint64_t a, b;
  ims_par_share(par, 0, (uint64_t)n0 * (uint64_t)n1, &a, &b);
  for (uint64_t idx = a; !rc && idx < b; idx++) {
    int i0 = (int)(idx / (uint64_t)n1), i1 = (int)(idx % (uint64_t)n1);
    double x[2] = {grid_value(&s->v[0], i0), s->nv > 1 ? grid_value(&s->v[1], i1) : 0};
    rc = point(s, sim, p, x, &pr, err);
    if (!rc)
      rc = root ? emit(&k, pr.failed, &pr.e, pr.label, pr.line, err) : send_point(st, &pr, err);
  }
  rc = ims_par_stream_finish(st, rc, err);
  ims_par_stream_free(st);
  for (int i = 0; i < s->nv; i++)
    if (s->v[i].kind != V_PARAM)
      *field_of(r, &s->v[i], NULL) = save[i];
  free(pr.line);
  free(p);
  ims_sim_free(sim);
  return rc;
}
