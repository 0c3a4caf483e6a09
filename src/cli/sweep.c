/* immunosim sweep: metrics over a grid (ims_sweep_*), and its figure. */
#include "cli.h"
#include "plot.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* The column --plot draws: --plot-metric, else the first *_max. */
static int plot_column(const ims_sweep_t *s, const char *metric, ims_err_t *err)
{
  int n = ims_sweep_ncolumns(s);
  for (int i = 0; i < n; i++) {
    const char *c = ims_sweep_column(s, i, NULL);
    size_t l = strlen(c);
    if (metric ? !strcmp(c, metric) : l > 4 && !strcmp(c + l - 4, "_max"))
      return IMS_OK;
  }
  const char *names[1024];
  for (int i = 0; i < n && i < 1024; i++)
    names[i] = ims_sweep_column(s, i, NULL);
  const char *g = metric ? cli_suggest(metric, names, n < 1024 ? n : 1024) : NULL;
  return ims_err_set(err, IMS_EINPUT, "--plot-metric %s: no such column%s%s%s (columns: %s, ...)",
                     metric ? metric : "(max)", g ? "; did you mean '" : "", g ? g : "",
                     g ? "'?" : "", n ? names[0] : "none");
}

static void on_failed(void *ud, const char *point, const ims_err_t *e)
{
  (void)ud;
  cli_failf(IMS_ESOLVER, "sweep point %s failed: %s", point, e->msg);
}

int cmd_sweep(int argc, char **argv)
{
  cli_ctx_t x;
  int code, b = cli_begin(&x, "sweep", argc, argv, &code);
  if (b > 0)
    return code;
  if (b < 0) /* the ranks learn it together */
    return cli_par_failed(&x, code);
  int root = cli_rank() == 0;
  const cli_args_t *a = &x.a;
  ims_sweep_t *s = NULL;
  ims_output_t *o = NULL;
  const char *vary[CLI_MAX_REPEAT], *out = cli_str(a, OPT_OUT, "-");
  const char *plot = cli_str(a, OPT_PLOT, NULL);
  char data[PATH_MAX];
  int nvary = cli_list(a, OPT_VARY, vary, CLI_MAX_REPEAT), nfailed = 0, rc = IMS_OK;
  if (nvary == 0)
    rc = ims_err_set(&x.err, IMS_EINPUT, "sweep: give --vary NAME=LO:HI:N[:log]");
  if (!rc && nvary > 2)
    rc = ims_err_set(&x.err, IMS_EINPUT, "sweep: at most two --vary (a 1-D or 2-D grid)");
  if (!rc && plot) {
    rc = root ? cli_figure_open(x.g, "--plot", plot, &x.err) : IMS_OK;
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
                             .failed = on_failed,
                             .par = cli_par()};
    rc = ims_sweep_alloc(&s, x.r, &spec, &x.err);
  }
  /* the figure's column is checked before the work */
  if (!rc && plot)
    rc = plot_column(s, cli_str(a, OPT_PLOT_METRIC, NULL), &x.err);
  if (!rc && root)
    rc = ims_outset_open(x.g, &o, out, IMS_FMT_CSV | (x.ra.format & IMS_OUT_NO_META), &x.err);
  if ((rc = cli_agree(&x, rc)) != IMS_OK) {
    cli_commit(&x, rc);
    ims_sweep_free(s);
    return cli_end(&x, rc);
  }
  cli_progress_start(NULL, "points", 0, !strcmp(out, "-"));
  double t0 = cli_now();
  rc = ims_sweep_run(s, o, &nfailed, &x.err);
  cli_progress_done();
  int np = s ? ims_sweep_axis(s, 0)->n * (nvary > 1 ? ims_sweep_axis(s, 1)->n : 1) : 0;
  /* the figure is drawn from the table before both are committed; with no
   * point to draw, neither is written */
  if (!rc && plot && root && nfailed == np)
    rc = ims_err_set(&x.err, IMS_ESOLVER,
                     "every sweep point failed (%d, listed above); nothing to draw, nothing "
                     "written",
                     np);
  else if (!rc && plot && root)
    rc = cli_plot_sweep(x.g, out, cli_str(a, OPT_PLOT_METRIC, NULL), x.r->m, plot, &x.err);
  rc = cli_agree(&x, cli_commit(&x, rc));
  if (!rc && root && ims_par_size(cli_par()) > 1)
    fprintf(stderr, "sweep: %d points, %d ranks, wall %.3f s\n", np, ims_par_size(cli_par()),
            cli_now() - t0);
  if (!rc && nfailed)
    rc = ims_err_set(&x.err, IMS_ESOLVER,
                     "%d of %d sweep points failed (listed above; status 'failed' in %s)", nfailed,
                     np, strcmp(out, "-") ? out : "the table");
  ims_sweep_free(s);
  return cli_end(&x, rc);
}
