/* immunosim compare: the same model and parameters under several
 * schedules, one metrics table with a column per schedule and ratios to
 * the first. */
#include "cli.h"
#include "plot.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char compare_help[] =
    "usage: immunosim compare MODEL -s A.csv -s B.csv [...] [options]\n"
    "\n"
    "Run MODEL under each schedule (same parameters, same end time: -t, or the latest default\n"
    "end) and print one metrics table: a column per schedule and the ratio of each to the\n"
    "first.  Windows: all, last (the last complete dosing interval, i.e. steady state) and\n"
    "START:END; per-dose windows are refused because they differ between schedules.\n"
    "\n"
    "Every run option works (-p, --set, -t, --dt, --units, --rtol, -r, ...), and\n"
    "  --window W, --threshold COL=V[U], --cols A,B   as for 'immunosim run --metrics'\n"
    "  --metrics-out FILE    the table as CSV (window,column,threshold,metric,unit,<schedule\n"
    "                        values>,<ratios>)\n"
    "  --plot FIG.png        write each schedule's run next to FIG (FIG_<schedule>.csv) and\n"
    "                        overlay them in one figure (FIG.gp is kept)\n"
    "\n"
    "example:\n"
    "  immunosim compare pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w \\\n"
    "    -s pembrolizumab_400mg_q6w -t 378 --cols C1\n";

static int parse(cli_run_args_t *a, int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(compare_help, stdout);
      return 1;
    }
    int r = cli_run_arg(a, argc, argv, &i);
    if (r < 0)
      return -1;
    if (r == 1)
      continue;
    if (argv[i][0] == '-' && argv[i][1]) {
      cli_failf(IMS_EINPUT, "compare: unknown option '%s'; see 'immunosim compare --help'",
                argv[i]);
      return -1;
    }
    if (a->model) {
      cli_failf(IMS_EINPUT, "compare: unexpected argument '%s'", argv[i]);
      return -1;
    }
    a->model = argv[i];
  }
  if (!a->model) {
    cli_failf(IMS_EINPUT, "compare: which model? e.g. 'immunosim compare pk2cmt -s A -s B'");
    return -1;
  }
  if (a->nschedules < 2) {
    cli_failf(IMS_EINPUT, "compare: give at least two schedules (-s A.csv -s B.csv)");
    return -1;
  }
  return 0;
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

static int find_window(const cli_metrics_t *cm, const char *label)
{
  for (int w = 0; w < cm->nw; w++)
    if (!strcmp(cm->w[w].label, label))
      return w;
  return -1;
}

typedef struct cmp {
  int n;
  cli_setup_t *s;
  cli_metrics_t *cm;
  char (*name)[64];
} cmp_t;

/* Value of row (window label, col or threshold, metric) for schedule i. */
static double value_of(const cmp_t *c, int i, const char *label, int col, int th, int k)
{
  int w = find_window(&c->cm[i], label);
  if (w < 0)
    return NAN;
  return th < 0 ? cli_metric(&c->cm[i], &c->s[i], w, col, k) : cli_tmetric(&c->cm[i], w, th, k);
}

static void ratio(char *buf, double x, double x0)
{
  if (isnan(x) || isnan(x0) || x0 == 0)
    snprintf(buf, 48, "-");
  else
    snprintf(buf, 48, "%.4f", x / x0);
}

static void num(char *buf, double v)
{
  if (isnan(v))
    snprintf(buf, 48, "-");
  else
    snprintf(buf, 48, "%.6g", v);
}

static int report(const cmp_t *c, const cli_run_args_t *a, ims_err_t *err)
{
  const cli_metrics_t *cm0 = &c->cm[0];
  const cli_setup_t *s0 = &c->s[0];
  int n = c->n, ncol = 4 + n + (n - 1);
  int nrow = 1 + cm0->nw * (cm0->nsel * IMS_M_COUNT + cm0->nth * IMS_T_COUNT);
  char(*cells)[48] = calloc((size_t)ncol * (size_t)(nrow + 1), sizeof *cells);
  ims_output_t *o = NULL;
  if (!cells)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  int rc = a->metrics_out ? ims_output_open(&o, a->metrics_out, IMS_FMT_CSV, err) : IMS_OK;
  if (rc) {
    free(cells);
    return rc;
  }
  const char *head[4] = {"window", "column", "metric", "unit"};
  for (int j = 0; j < 4; j++)
    snprintf(cells[j], 48, "%s", head[j]);
  for (int i = 0; i < n; i++)
    snprintf(cells[4 + i], 48, "%s", c->name[i]);
  for (int i = 1; i < n; i++)
    snprintf(cells[4 + n + i - 1], 48, "ratio_%.40s", c->name[i]);
  if (o) {
    ims_output_comment(o, "immunosim %s compare: model %s", IMS_VERSION, s0->m->name);
    if (s0->m->source)
      ims_output_comment(o, "model-file: %s fnv1a64=%s", s0->m->source,
                         s0->m->source_hash ? s0->m->source_hash : "");
    for (int i = 0; i < n; i++)
      ims_output_comment(o, "schedule %d: %s", i + 1, c->s[i].sched->path);
    char line[4096];
    int l = snprintf(line, sizeof line, "window,column,threshold,metric,unit");
    for (int i = 0; i < n; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", c->name[i]);
    for (int i = 1; i < n; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, ",ratio_%s", c->name[i]);
    ims_output_line(o, "%s", line);
  }
  int r = 1;
  char unit[160], lab[96];
  for (int w = 0; w < cm0->nw; w++) {
    const char *wl = cm0->w[w].label;
    for (int j = 0; j < cm0->nsel + cm0->nth; j++) {
      int th = j < cm0->nsel ? -1 : j - cm0->nsel;
      int col = th < 0 ? cm0->sel[j] : cm0->th[th].col;
      int nk = th < 0 ? IMS_M_COUNT : IMS_T_COUNT;
      if (th >= 0)
        cli_threshold_label(cm0, s0, th, lab, sizeof lab);
      for (int k = 0; k < nk; k++, r++) {
        char(*row)[48] = cells + r * ncol;
        int ukind = th < 0 ? ims_metric_unit(k) : ims_tmetric_unit(k);
        cli_metric_unit(s0, col, ukind, unit, sizeof unit);
        snprintf(row[0], 48, "%s", wl);
        snprintf(row[1], 48, "%s", th < 0 ? s0->colnames[1 + col] : lab);
        snprintf(row[2], 48, "%s", th < 0 ? ims_metric_name(k) : ims_tmetric_name(k));
        snprintf(row[3], 48, "%s", unit);
        double v0 = value_of(c, 0, wl, col, th, k);
        char line[4096];
        int l = snprintf(line, sizeof line, "%s,%s,%s,%s,%s", wl, s0->colnames[1 + col],
                         th < 0 ? "" : strchr(lab, '>') + 1, row[2], unit);
        for (int i = 0; i < n; i++) {
          double v = value_of(c, i, wl, col, th, k);
          num(row[4 + i], v);
          char nb[32];
          l += snprintf(line + l, sizeof line - (size_t)l, ",%s", cli_num(nb, v));
        }
        for (int i = 1; i < n; i++) {
          double v = value_of(c, i, wl, col, th, k);
          ratio(row[4 + n + i - 1], v, v0);
          char nb[32];
          l += snprintf(line + l, sizeof line - (size_t)l, ",%s",
                        cli_num(nb, v0 != 0 && !isnan(v0) ? v / v0 : NAN));
        }
        if (o)
          ims_output_line(o, "%s", line);
      }
    }
  }
  printf("model %s; times in %s; ratios are each schedule over the first\n", s0->m->name,
         s0->m->time_unit);
  for (int i = 0; i < n; i++) {
    int w = find_window(&c->cm[i], "last");
    if (w >= 0)
      printf("  %s: last complete dosing interval [%g, %g]\n", c->name[i], c->cm[i].w[w].a,
             c->cm[i].w[w].b);
    for (int x = 0; x < c->cm[i].nw; x++)
      if (!ims_metrics_complete(c->cm[i].mt, x))
        printf("  %s: window %s not complete (the run stopped early)\n", c->name[i],
               c->cm[i].w[x].label);
  }
  cli_table_print(stdout, cells, r, ncol);
  free(cells);
  return o ? ims_output_commit(o, err) : IMS_OK;
}

/* FIG.png -> FIG_<name>.csv */
static void run_path(const char *fig, const char *name, char *buf, size_t n)
{
  char stem[4096];
  snprintf(stem, sizeof stem, "%s", fig);
  char *dot = strrchr(stem, '.'), *slash = strrchr(stem, '/');
  if (dot && (!slash || dot > slash))
    *dot = '\0';
  snprintf(buf, n, "%s_%s.csv", stem, name);
}

static int run_all(cmp_t *c, cli_run_args_t *a, ims_err_t *err)
{
  int rc = IMS_OK;
  for (int i = 0; !rc && i < c->n; i++) {
    rc = cli_setup(&c->s[i], a, i, err);
    rc = rc ? rc : cli_metrics_init(&c->cm[i], &c->s[i], a, 0, err);
    if (rc)
      break;
    short_name(c->s[i].sched->path, c->name[i], sizeof c->name[i]);
    for (int j = 0; j < i; j++)
      if (!strcmp(c->name[j], c->name[i]))
        snprintf(c->name[i] + strlen(c->name[i]), 8, "#%d", i + 1);
    ims_sim_t *sim = NULL;
    ims_output_t *out = NULL;
    char path[4200];
    rc = ims_sim_alloc(&sim, c->s[i].m, err);
    if (!rc && a->plot) {
      run_path(a->plot, c->name[i], path, sizeof path);
      rc = ims_output_open(&out, path, IMS_FMT_CSV, err);
      if (!rc) {
        cli_write_meta(out, &c->s[i], a);
        ims_output_header(out, c->s[i].ncols, c->s[i].colnames, c->s[i].colunits);
      }
    }
    cli_sinks_t k = {.out = out, .cm = &c->cm[i]};
    rc = rc ? rc : cli_simulate(&c->s[i], sim, c->s[i].params->value, &k, err);
    if (out)
      rc = rc ? (ims_output_abort(out), rc) : ims_output_commit(out, err);
    ims_sim_free(sim);
  }
  return rc;
}

/* One overlaid figure of the runs, labelled by schedule. */
static int plot_runs(const cmp_t *c, const cli_run_args_t *a, ims_err_t *err)
{
  static char paths[CLI_MAX_REPEAT][4200];
  const char *files[CLI_MAX_REPEAT];
  char labels[4096] = "", title[512];
  for (int i = 0; i < c->n; i++) {
    run_path(a->plot, c->name[i], paths[i], sizeof paths[i]);
    files[i] = paths[i];
    snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s%s", i ? "," : "",
             c->name[i]);
  }
  snprintf(title, sizeof title, "%s: %d schedules compared", c->s[0].m->name, c->n);
  cli_plot_opts_t po;
  cli_plot_opts_init(&po);
  po.labels = labels;
  po.title = title;
  return cli_plot(&po, files, c->n, a->plot, err);
}

int cmd_compare(int argc, char **argv)
{
  cli_run_args_t a;
  cli_run_args_init(&a);
  int p = parse(&a, argc, argv);
  if (p)
    return p > 0 ? 0 : 1;
  ims_err_t err = {0};
  int n = a.nschedules, rc = IMS_OK;
  cmp_t c = {n, calloc((size_t)n, sizeof(cli_setup_t)), calloc((size_t)n, sizeof(cli_metrics_t)),
             calloc((size_t)n, sizeof *c.name)};
  if (!c.s || !c.cm || !c.name)
    rc = ims_err_set(&err, IMS_ENOMEM, "out of memory");
  /* one end time for all: -t, or the latest default end */
  if (!rc && isnan(a.tend) && !a.times_file) {
    double tend = -INFINITY;
    for (int i = 0; !rc && i < n; i++) {
      cli_setup_t s;
      rc = cli_setup(&s, &a, i, &err);
      if (!rc && s.tout[s.ntout - 1] > tend)
        tend = s.tout[s.ntout - 1];
      cli_setup_free(&s);
    }
    a.tend = tend;
  }
  rc = rc ? rc : run_all(&c, &a, &err);
  rc = rc ? rc : report(&c, &a, &err);
  if (!rc && a.plot)
    rc = plot_runs(&c, &a, &err);
  for (int i = 0; c.s && c.cm && i < n; i++) {
    cli_metrics_free(&c.cm[i]);
    cli_setup_free(&c.s[i]);
  }
  free(c.s);
  free(c.cm);
  free(c.name);
  if (rc == IMS_EIO && !err.msg[0])
    return 3;
  return rc ? cli_fail(rc, &err) : 0;
}
