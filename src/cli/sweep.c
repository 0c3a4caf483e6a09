/* immunosim sweep: metrics over a grid (ims_sweep_*), and its figure. */
#include "cli.h"
#include "plot.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* "name (unit)" of a varied value. */
static void axis_label(const ims_sweep_axis_t *v, char *out, size_t n)
{
  if (v->param)
    snprintf(out, n, "%s (%s)", v->name, v->unit);
  else
    snprintf(out, n, "%s", v->name);
}

/* Half-step bounds of a grid cell, as gnuplot expressions of column c, and
 * the axis range that shows every cell whole. */
static void cell_bounds(const ims_sweep_axis_t *v, int c, char *lo, char *hi, char *range, size_t n)
{
  double step = v->n > 1
                    ? (v->log ? pow(v->hi / v->lo, 1.0 / (v->n - 1)) : (v->hi - v->lo) / (v->n - 1))
                    : (v->log ? 2.0 : fabs(v->lo) + 1.0);
  if (v->log) {
    snprintf(lo, n, "$%d/%.17g", c, sqrt(step));
    snprintf(hi, n, "$%d*%.17g", c, sqrt(step));
    snprintf(range, n, "%.10g:%.10g", v->lo / sqrt(step), v->hi * sqrt(step));
  } else {
    snprintf(lo, n, "$%d-%.17g", c, step / 2);
    snprintf(hi, n, "$%d+%.17g", c, step / 2);
    snprintf(range, n, "%.10g:%.10g", v->lo - step / 2, v->hi + step / 2);
  }
}

/* The column --plot draws: --plot-metric, else the first *_max. */
static int plot_column(const ims_sweep_t *s, const char *metric, int *zc, ims_err_t *err)
{
  int n = ims_sweep_ncolumns(s);
  *zc = -1;
  for (int i = 0; i < n && *zc < 0; i++) {
    const char *c = ims_sweep_column(s, i, NULL);
    size_t l = strlen(c);
    if (metric ? !strcmp(c, metric) : l > 4 && !strcmp(c + l - 4, "_max"))
      *zc = i;
  }
  if (*zc >= 0)
    return IMS_OK;
  const char *names[1024];
  for (int i = 0; i < n && i < 1024; i++)
    names[i] = ims_sweep_column(s, i, NULL);
  const char *g = metric ? cli_suggest(metric, names, n < 1024 ? n : 1024) : NULL;
  return ims_err_set(err, IMS_EINPUT, "--plot-metric %s: no such column%s%s%s (columns: %s, ...)",
                     metric ? metric : "(max)", g ? "; did you mean '" : "", g ? g : "",
                     g ? "'?" : "", n ? names[0] : "none");
}

/* Fill plots/sweep1d.gp.in or heatmap.gp.in, keep the script beside the
 * figure, and run gnuplot on it. */
static int draw(const ims_sweep_t *s, const ims_run_t *r, const char *fig, const char *data, int zc,
                ims_err_t *err)
{
  int nv = ims_sweep_naxes(s);
  const ims_sweep_axis_t *v0 = ims_sweep_axis(s, 0), *v1 = nv > 1 ? ims_sweep_axis(s, 1) : NULL;
  const char *zunit, *zname = ims_sweep_column(s, zc, &zunit);
  char sz[16], xl[256], yl[256], zl[400], title[512];
  char xlo[80], xhi[80], ylo[80] = "0", yhi[80] = "0", xr[80], yr[80] = "*:*";
  snprintf(sz, sizeof sz, "%d", nv + 2 + zc); /* vary columns, status, then metrics */
  axis_label(v0, xl, sizeof xl);
  snprintf(zl, sizeof zl, "%s (%s)", zname, zunit);
  snprintf(yl, sizeof yl, "%s", zl);
  cell_bounds(v0, 1, xlo, xhi, xr, sizeof xlo);
  if (v1) {
    axis_label(v1, yl, sizeof yl);
    cell_bounds(v1, 2, ylo, yhi, yr, sizeof ylo);
  }
  snprintf(title, sizeof title, "%s: %s over the sweep", r->m->name, zname);
  const char *kv[] = {"DATA",   data,
                      "X",      "1",
                      "Y",      "2",
                      "Z",      sz,
                      "XLABEL", xl,
                      "YLABEL", yl,
                      "ZLABEL", zl,
                      "XRANGE", xr,
                      "YRANGE", yr,
                      "XLO",    xlo,
                      "XHI",    xhi,
                      "YLO",    ylo,
                      "YHI",    yhi,
                      "LOGX",   v0->log ? "set logscale x" : "",
                      "LOGY",   v1 && v1->log ? "set logscale y" : "",
                      NULL};
  return cli_plot_template(nv == 1 ? "sweep1d.gp.in" : "heatmap.gp.in", fig, title, kv, err);
}

static void on_failed(void *ud, const char *point, const ims_err_t *e)
{
  (void)ud;
  cli_failf(IMS_ESOLVER, "sweep point %s failed: %s", point, e->msg);
}

int cmd_sweep(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (cli_begin(&x, "sweep", argc, argv, &code))
    return code;
  const cli_args_t *a = &x.a;
  ims_sweep_t *s = NULL;
  ims_output_t *o = NULL;
  const char *vary[CLI_MAX_REPEAT], *out = cli_str(a, OPT_OUT, "-");
  const char *plot = cli_str(a, OPT_PLOT, NULL);
  char data[PATH_MAX];
  int nvary = cli_list(a, OPT_VARY, vary, CLI_MAX_REPEAT), zc = -1, nfailed = 0, rc = IMS_OK;
  if (nvary == 0)
    rc = ims_err_set(&x.err, IMS_EINPUT, "sweep: give --vary NAME=LO:HI:N[:log]");
  if (!rc && nvary > 2)
    rc = ims_err_set(&x.err, IMS_EINPUT, "sweep: at most two --vary (a 1-D or 2-D grid)");
  if (!rc && plot) {
    rc = cli_check_figure("--plot", plot, &x.err);
    if (!strcmp(out, "-")) { /* the figure needs the table in a file */
      cli_sibling(data, sizeof data, plot, ".csv");
      out = data;
    }
  } else if (!rc && cli_flag(a, OPT_PLOT_METRIC))
    rc = ims_err_set(&x.err, IMS_EINPUT, "--plot-metric chooses what --plot draws: add --plot FIG");
  rc = rc ? rc : cli_load_run(&x);
  if (!rc) {
    ims_sweep_spec_t spec = {.vary = vary,
                             .nvary = nvary,
                             .metrics = x.ra.metrics,
                             .progress = cli_progress,
                             .failed = on_failed};
    rc = ims_sweep_alloc(&s, x.r, &spec, &x.err);
  }
  /* the figure's column is checked before the work */
  if (!rc && plot)
    rc = plot_column(s, cli_str(a, OPT_PLOT_METRIC, NULL), &zc, &x.err);
  if (!rc)
    rc = ims_outset_open(x.g, &o, out, IMS_FMT_CSV | (x.ra.format & IMS_OUT_NO_META), &x.err);
  if (!rc) {
    cli_progress_start(NULL, "points", 0, !strcmp(out, "-"));
    rc = ims_sweep_run(s, o, &nfailed, &x.err);
    cli_progress_done();
  }
  rc = cli_commit(&x, rc);
  if (!rc && plot)
    rc = draw(s, x.r, plot, out, zc, &x.err);
  if (!rc && nfailed) {
    int np = ims_sweep_axis(s, 0)->n * (nvary > 1 ? ims_sweep_axis(s, 1)->n : 1);
    rc = ims_err_set(&x.err, IMS_ESOLVER,
                     "%d of %d sweep points failed (listed above; status 'failed' in %s)", nfailed,
                     np, strcmp(out, "-") ? out : "the table");
  }
  ims_sweep_free(s);
  return cli_end(&x, rc);
}
