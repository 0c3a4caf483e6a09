/* immunosim run: one simulation (ims_run_write) and, optionally, its figure. */
#include "cli.h"
#include "plot.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static void print_stats(const ims_stats_t *st)
{
  fprintf(stderr,
          "steps %ld, rhs evals %ld, jac evals %ld, restarts %ld, roots %ld, err test fails %ld, "
          "nonlinear conv fails %ld\n",
          st->steps, st->rhs_evals, st->jac_evals, st->restarts, st->roots, st->err_test_fails,
          st->nonlin_conv_fails);
}

/* A figure option (--y, --logy, ...) without --plot would be silently ignored. */
static int figure_option_without_plot(const cli_args_t *a, ims_err_t *err)
{
  for (int i = 0; i < a->nv; i++) {
    const cli_opt_t *o = cli_opt_for("run", a->v[i].id);
    if (o && o->group && !strcmp(o->group, "figure"))
      return ims_err_set(err, IMS_EINPUT, "--%s shapes the figure: add --plot FIG.png", o->name);
  }
  return IMS_OK;
}

int cmd_run(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (cli_begin(&x, "run", argc, argv, &code))
    return code;
  const cli_args_t *a = &x.a;
  const char *out = cli_str(a, OPT_OUT, "-"), *plot = cli_str(a, OPT_PLOT, NULL);
  char data[PATH_MAX];
  ims_run_out_t o = {0};
  int rc = IMS_OK;
  if (plot) {
    rc = cli_figure_open(x.g, "--plot", plot, &x.err);
    if (!strcmp(out, "-")) { /* the table goes beside the figure, FIG.csv */
      cli_sibling(data, sizeof data, plot, ".csv");
      out = data;
    }
  } else
    rc = figure_option_without_plot(a, &x.err);
  rc = rc ? rc : cli_load_run(&x);
  cli_plot_opts_t po;
  cli_plot_opts_from_args(&po, a);
  if (!rc && plot) /* what the figure needs, before the run */
    rc = cli_plot_check(&po, 1, x.r->colnames, x.r->ncols, &x.err);
  if (!rc) {
    int want = cli_flag(a, OPT_METRICS) || cli_flag(a, OPT_METRICS_OUT) ||
               cli_count(a, OPT_THRESHOLD) || cli_count(a, OPT_WINDOW) || cli_flag(a, OPT_COLS) ||
               cli_count(a, OPT_EXTREMA) || cli_count(a, OPT_CROSSINGS);
    o = (ims_run_out_t){.table = out,
                        .format = x.ra.format,
                        .events = cli_str(a, OPT_EVENTS_OUT, NULL),
                        .metrics = cli_str(a, OPT_METRICS_OUT, NULL),
                        .extrema = cli_str(a, OPT_EXTREMA, NULL),
                        .crossings = cli_str(a, OPT_CROSSINGS, NULL),
                        .mspec = want ? &x.ra.metrics : NULL,
                        .progress = cli_progress};
    cli_progress_start("t", x.r->m->time_unit, x.r->opts.t0, !strcmp(out, "-"));
    rc = ims_run_write(x.r, x.g, &o, &x.err);
    cli_progress_done();
    if (cli_flag(a, OPT_STATS))
      print_stats(&o.stats);
  }
  if (!rc && plot) { /* drawn from the table before it is committed, and with it */
    const char *files[1] = {out};
    rc = cli_plot(&po, files, 1, plot, x.g, &x.err);
  }
  rc = cli_commit(&x, rc);
  /* the metrics table goes to stdout unless the rows do */
  if (!rc && cli_flag(a, OPT_METRICS))
    ims_report_print(strcmp(out, "-") ? stdout : stderr, o.report, x.r);
  ims_run_out_free(&o);
  return cli_end(&x, rc);
}
