/* immunosim sweep: metrics over a 1-D or 2-D grid of parameter values,
 * initial conditions or dosing-record fields. */
#include "cli.h"
#include "csvread.h"
#include "plot.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char sweep_help[] =
    "usage: immunosim sweep MODEL --vary NAME=LO:HI:N[:log] [--vary ...] [options]\n"
    "\n"
    "Run MODEL at every point of a 1-D or 2-D grid and write one row of metrics per point.\n"
    "NAME is a parameter (CL), an initial condition (T_0), or a field of dosing record K of\n"
    "the schedule (1-based): amt[K], dur[K], ii[K], time[K] (amt[1] is the first dose).  LO\n"
    "and HI may carry a unit (amt[1]=10mg:400mg:8); a bare number is in the canonical unit\n"
    "('immunosim info MODEL'); N points, evenly spaced, or geometrically with :log.\n"
    "\n"
    "Every run option works (-p, -s, --set, -t, --dt, --units, -r, ...), and\n"
    "  --window W            one or more of all, last, START:END (default: all)\n"
    "  --threshold COL=V[U]  adds thN.above, thN.below, thN.crossings columns\n"
    "  --cols A,B            metrics of these columns only (default: every column)\n"
    "  -o FILE               the table (default stdout): NAME columns, status (ok, stopped,\n"
    "                        failed), then COL.metric columns ([window.]COL.metric when more\n"
    "                        than one window), with a '# units:' line\n"
    "  --plot FIG.png        a line (1-D) or a heat map (2-D) of one metric column\n"
    "  --plot-metric COL.metric  which column to plot (default: the first max)\n"
    "\n"
    "A grid point whose solve fails is reported on stderr and written with status failed.\n"
    "\n"
    "example:\n"
    "  immunosim sweep pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w -t 126 \\\n"
    "    --vary amt[1]=100mg:400mg:4 --vary CL=0.1:0.4:4:log --cols C1 --window last\n";

#define V_PARAM 0
#define V_AMT 1
#define V_DUR 2
#define V_II 3
#define V_TIME 4

typedef struct vary {
  const char *arg;
  char name[64];
  int kind, index; /* parameter index or record index */
  double lo, hi;
  int n, log;
} vary_t;

typedef struct sweep_args {
  cli_run_args_t run;
  const char *vary[2];
  int nvary;
  const char *plot_metric;
} sweep_args_t;

static int parse(sweep_args_t *a, int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      fputs(sweep_help, stdout);
      return 1;
    }
    if (!strcmp(o, "--vary") || !strcmp(o, "--plot-metric")) {
      if (i + 1 >= argc) {
        cli_failf(IMS_EINPUT, "sweep: %s needs a value", o);
        return -1;
      }
      if (!strcmp(o, "--plot-metric")) {
        a->plot_metric = argv[++i];
        continue;
      }
      if (a->nvary == 2) {
        cli_failf(IMS_EINPUT, "sweep: at most two --vary (a 1-D or 2-D grid)");
        return -1;
      }
      a->vary[a->nvary++] = argv[++i];
      continue;
    }
    int r = cli_run_arg(&a->run, argc, argv, &i);
    if (r < 0)
      return -1;
    if (r == 1)
      continue;
    if (o[0] == '-' && o[1]) {
      cli_failf(IMS_EINPUT, "sweep: unknown option '%s'; see 'immunosim sweep --help'", o);
      return -1;
    }
    if (a->run.model) {
      cli_failf(IMS_EINPUT, "sweep: unexpected argument '%s'", o);
      return -1;
    }
    a->run.model = o;
  }
  if (!a->run.model) {
    cli_failf(IMS_EINPUT, "sweep: which model? e.g. 'immunosim sweep pk2cmt --vary CL=0.1:1:5'");
    return -1;
  }
  if (!a->nvary) {
    cli_failf(IMS_EINPUT, "sweep: give --vary NAME=LO:HI:N[:log]");
    return -1;
  }
  return 0;
}

/* One end of a range, with an optional unit, in the canonical unit `to`. */
static int end_value(const cli_setup_t *s, const char *arg, const char *tok, const char *to,
                     double *v, ims_err_t *err)
{
  char unit[128];
  if (ims_parse_value_unit(tok, v, unit, sizeof unit) != 0)
    return ims_err_set(err, IMS_EINPUT, "--vary %s: '%s' is not a number with an optional unit",
                       arg, tok);
  ims_err_t e2;
  if (unit[0] && ims_units_convert(s->units, unit, to, v, &e2) != IMS_OK)
    return ims_err_set(err, IMS_EINPUT, "--vary %s: %s", arg, e2.msg);
  return IMS_OK;
}

static int parse_vary(vary_t *v, const cli_setup_t *s, const char *arg, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  memset(v, 0, sizeof *v);
  v->arg = arg;
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof v->name)
    return ims_err_set(err, IMS_EINPUT, "--vary %s: expected NAME=LO:HI:N[:log]", arg);
  memcpy(v->name, arg, (size_t)(eq - arg));
  v->name[eq - arg] = '\0';
  const char *unit;
  static const char *const fields[] = {"amt[", "dur[", "ii[", "time["};
  int f = 0;
  while (f < 4 && strncmp(v->name, fields[f], strlen(fields[f])) != 0)
    f++;
  if (f < 4) {
    long k;
    char idx[32];
    const char *open = strchr(v->name, '['), *close = strchr(v->name, ']');
    if (!close || close[1] || (size_t)(close - open - 1) >= sizeof idx)
      return ims_err_set(err, IMS_EINPUT, "--vary %s: expected %sK] with K a record number", arg,
                         fields[f]);
    memcpy(idx, open + 1, (size_t)(close - open - 1));
    idx[close - open - 1] = '\0';
    if (ims__parse_long(idx, &k) || k < 1 || !s->sched || k > s->sched->nrec)
      return ims_err_set(err, IMS_EINPUT,
                         "--vary %s: the schedule has no record %s (it has %d; records count "
                         "from 1 in file order)",
                         arg, idx, s->sched ? s->sched->nrec : 0);
    v->kind = V_AMT + f;
    v->index = (int)k - 1;
    unit = f == 0 ? m->states[s->sched->rec[v->index].cmt].unit : m->time_unit;
  } else {
    v->kind = V_PARAM;
    v->index = ims_model_param_index(m, v->name);
    if (v->index < 0) {
      const char *sug = ims_model_suggest_param(m, v->name);
      return ims_err_set(err, IMS_EINPUT, "--vary %s: unknown parameter '%s' in model %s%s%s%s",
                         arg, v->name, m->name, sug ? "; did you mean '" : "", sug ? sug : "",
                         sug ? "'?" : "");
    }
    unit = v->index < m->nparams ? m->params[v->index].unit : m->states[v->index - m->nparams].unit;
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
      ims__parse_long(tok[2], &n) || n < 1 || n > 100000)
    return ims_err_set(err, IMS_EINPUT, "--vary %s: expected NAME=LO:HI:N[:log] with N >= 1", arg);
  v->n = (int)n;
  v->log = nt == 4 && !strcmp(tok[3], "log");
  int rc = end_value(s, arg, tok[0], unit, &v->lo, err);
  rc = rc ? rc : end_value(s, arg, tok[1], unit, &v->hi, err);
  if (!rc && v->log && !(v->lo > 0 && v->hi > 0))
    rc = ims_err_set(err, IMS_EINPUT, "--vary %s: a log grid needs LO and HI > 0", arg);
  int sgn =
      v->kind == V_PARAM && v->index < m->nparams && (m->params[v->index].flags & IMS_PAR_SIGNED);
  if (!rc && !sgn && (v->lo < 0 || v->hi < 0))
    rc = ims_err_set(err, IMS_EINPUT, "--vary %s: %s cannot be negative", arg, v->name);
  return rc;
}

static double grid_value(const vary_t *v, int i)
{
  if (v->n == 1)
    return v->lo;
  double f = (double)i / (v->n - 1);
  return v->log ? v->lo * pow(v->hi / v->lo, f) : v->lo + (v->hi - v->lo) * f;
}

static double *field_of(cli_setup_t *s, const vary_t *v, double *p)
{
  if (v->kind == V_PARAM)
    return &p[v->index];
  ims_record_t *r = &s->sched->rec[v->index];
  switch (v->kind) {
  case V_AMT:
    return &r->amt;
  case V_DUR:
    return &r->dur;
  case V_II:
    return &r->ii;
  default:
    return &r->time;
  }
}

typedef struct colspec {
  char name[160];
  char unit[160];
} colspec_t;

/* Header names and units of the metric columns (from the first point's windows). */
static int metric_columns(const cli_metrics_t *cm, const cli_setup_t *s, colspec_t **out, int *nout)
{
  int per = cm->nsel * IMS_M_COUNT + cm->nth * IMS_T_COUNT, n = 0;
  colspec_t *c = calloc((size_t)(cm->nw * per) + 1, sizeof *c);
  if (!c)
    return IMS_ENOMEM;
  for (int w = 0; w < cm->nw; w++) {
    char pre[40] = "";
    if (cm->nw > 1)
      snprintf(pre, sizeof pre, "%s.", cm->w[w].label);
    for (int j = 0; j < cm->nsel; j++)
      for (int k = 0; k < IMS_M_COUNT; k++, n++) {
        snprintf(c[n].name, sizeof c[n].name, "%s%s.%s", pre, s->colnames[1 + cm->sel[j]],
                 ims_metric_name(k));
        cli_metric_unit(s, cm->sel[j], ims_metric_unit(k), c[n].unit, sizeof c[n].unit);
      }
    for (int j = 0; j < cm->nth; j++)
      for (int k = 0; k < IMS_T_COUNT; k++, n++) {
        snprintf(c[n].name, sizeof c[n].name, "%sth%d.%s", pre, j + 1, ims_tmetric_name(k));
        cli_metric_unit(s, cm->th[j].col, ims_tmetric_unit(k), c[n].unit, sizeof c[n].unit);
      }
  }
  *out = c;
  *nout = n;
  return IMS_OK;
}

static void write_values(ims_output_t *o, const cli_metrics_t *cm, const cli_setup_t *s,
                         const cli_metrics_t *ref, int failed, char *line, size_t cap, int *l)
{
  char nb[32];
  for (int w = 0; w < ref->nw; w++) {
    int wi = -1; /* this point's window with the reference label */
    for (int x = 0; !failed && x < cm->nw; x++)
      if (!strcmp(cm->w[x].label, ref->w[w].label))
        wi = x;
    for (int j = 0; j < ref->nsel; j++)
      for (int k = 0; k < IMS_M_COUNT; k++)
        *l += snprintf(line + *l, cap - (size_t)*l, ",%s",
                       cli_num(nb, wi < 0 ? NAN : cli_metric(cm, s, wi, ref->sel[j], k)));
    for (int j = 0; j < ref->nth; j++)
      for (int k = 0; k < IMS_T_COUNT; k++)
        *l += snprintf(line + *l, cap - (size_t)*l, ",%s",
                       cli_num(nb, wi < 0 ? NAN : cli_tmetric(cm, wi, j, k)));
  }
  ims_output_line(o, "%s", line);
}

/* The figure of the table just written (src/cli/plot.c, the library's sweep figure). */
static int draw(const sweep_args_t *a, const char *data, ims_err_t *err)
{
  return cli_plot_sweep(data, a->plot_metric, a->run.plot, err);
}

static int sweep(sweep_args_t *a, cli_setup_t *s, ims_err_t *err)
{
  vary_t v[2];
  int rc = IMS_OK;
  for (int i = 0; !rc && i < a->nvary; i++)
    rc = parse_vary(&v[i], s, a->vary[i], err);
  if (rc)
    return rc;
  if (a->run.nwindows == 0) {
    static const char *all = "all";
    a->run.windows[0] = all;
    a->run.nwindows = 1;
  }
  int np = ims_model_nvalues(s->m);
  double *p = malloc((size_t)np * sizeof *p);
  ims_sim_t *sim = NULL;
  ims_output_t *o = NULL;
  colspec_t *cols = NULL;
  int ncols = 0;
  cli_metrics_t ref, cm;
  memset(&ref, 0, sizeof ref);
  memset(&cm, 0, sizeof cm);
  char data[PATH_MAX + 16];
  const char *out = a->run.out;
  if (a->run.plot && !strcmp(out, "-")) { /* the figure needs the table in a file */
    snprintf(data, sizeof data, "%s", a->run.plot);
    char *dot = strrchr(data, '.');
    if (dot && !strchr(dot, '/'))
      *dot = '\0';
    strcat(data, ".csv");
    out = data;
  }
  if (!p)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = ims_sim_alloc(&sim, s->m, err);
  rc = rc ? rc : cli_metrics_init(&ref, s, &a->run, 0, err);
  rc = rc ? rc : (metric_columns(&ref, s, &cols, &ncols) ? IMS_ENOMEM : IMS_OK);
  rc = rc ? rc : ims_output_open(&o, out, IMS_FMT_CSV, err);
  if (!rc) {
    cli_write_meta(o, s, &a->run);
    for (int i = 0; i < a->nvary; i++)
      ims_output_comment(o, "vary: %s", a->vary[i]);
    for (int j = 0; j < ref.nth; j++) {
      char lab[96];
      cli_threshold_label(&ref, s, j, lab, sizeof lab);
      ims_output_comment(o, "th%d: %s", j + 1, lab);
    }
    char line[65536];
    int l = snprintf(line, sizeof line, "# units: ");
    for (int i = 0; i < a->nvary; i++) {
      const char *u = v[i].kind == V_PARAM ? (v[i].index < s->m->nparams
                                                  ? s->m->params[v[i].index].unit
                                                  : s->m->states[v[i].index - s->m->nparams].unit)
                      : v[i].kind == V_AMT ? s->m->states[s->sched->rec[v[i].index].cmt].unit
                                           : s->m->time_unit;
      l += snprintf(line + l, sizeof line - (size_t)l, "%s=%s,", v[i].name, u);
    }
    l += snprintf(line + l, sizeof line - (size_t)l, "status=");
    for (int i = 0; i < ncols; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s=%s", cols[i].name, cols[i].unit);
    ims_output_line(o, "%s", line);
    l = 0;
    for (int i = 0; i < a->nvary; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, "%s,", v[i].name);
    l += snprintf(line + l, sizeof line - (size_t)l, "status");
    for (int i = 0; i < ncols; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", cols[i].name);
    ims_output_line(o, "%s", line);
  }
  int n0 = v[0].n, n1 = a->nvary > 1 ? v[1].n : 1;
  double save[2] = {0, 0};
  for (int i = 0; i < a->nvary; i++)
    if (v[i].kind != V_PARAM)
      save[i] = *field_of(s, &v[i], NULL);
  for (int i0 = 0; !rc && i0 < n0; i0++)
    for (int i1 = 0; !rc && i1 < n1; i1++) {
      memcpy(p, s->params->value, (size_t)np * sizeof *p);
      double x[2] = {grid_value(&v[0], i0), a->nvary > 1 ? grid_value(&v[1], i1) : 0};
      for (int i = 0; i < a->nvary; i++)
        *field_of(s, &v[i], p) = x[i];
      ims_err_t e2 = {0};
      int prc = cli_metrics_init(&cm, s, &a->run, 0, &e2);
      cli_sinks_t k = {.cm = &cm};
      prc = prc ? prc : cli_simulate(s, sim, p, &k, &e2);
      char line[65536];
      int l = 0;
      for (int i = 0; i < a->nvary; i++)
        l += snprintf(line + l, sizeof line - (size_t)l, "%.10g,", x[i]);
      if (prc)
        fprintf(stderr, "immunosim: sweep point %s: %s\n", line, e2.msg);
      l += snprintf(line + l, sizeof line - (size_t)l, "%s",
                    prc         ? "failed"
                    : k.stopped ? "stopped"
                                : "ok");
      if (!rc)
        write_values(o, &cm, s, &ref, prc != 0, line, sizeof line, &l);
      cli_metrics_free(&cm);
    }
  for (int i = 0; i < a->nvary; i++)
    if (v[i].kind != V_PARAM)
      *field_of(s, &v[i], NULL) = save[i];
  if (rc)
    ims_output_abort(o);
  else
    rc = ims_output_commit(o, err);
  if (!rc && a->run.plot)
    rc = draw(a, out, err);
  free(cols);
  free(p);
  cli_metrics_free(&ref);
  ims_sim_free(sim);
  return rc;
}

int cmd_sweep(int argc, char **argv)
{
  sweep_args_t a;
  memset(&a, 0, sizeof a);
  cli_run_args_init(&a.run);
  int pr = parse(&a, argc, argv);
  if (pr)
    return pr > 0 ? 0 : 1;
  cli_setup_t s;
  ims_err_t err = {0};
  int rc = cli_setup(&s, &a.run, 0, &err);
  rc = rc ? rc : sweep(&a, &s, &err);
  cli_setup_free(&s);
  return rc ? cli_fail(rc, &err) : 0;
}
