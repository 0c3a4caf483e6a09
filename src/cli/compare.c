/* immunosim compare: several schedules, one metrics table (ims_compare_*). */
#include "cli.h"
#include "plot.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* One overlaid figure of the runs, labelled by schedule. */
static int plot_runs(const ims_compare_t *c, const char *fig, ims_outset_t *g, ims_err_t *err)
{
  const char *files[CLI_MAX_REPEAT];
  char labels[4096] = "", title[512];
  int n = ims_compare_n(c);
  for (int i = 0; i < n; i++) {
    files[i] = ims_compare_table(c, i);
    snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s%s", i ? "," : "",
             ims_compare_name(c, i));
  }
  snprintf(title, sizeof title, "%s: %d schedules compared", ims_compare_run_of(c, 0)->m->name, n);
  cli_plot_opts_t po;
  cli_plot_opts_init(&po);
  po.labels = labels;
  po.title = title;
  return cli_plot(&po, files, n, fig, g, err);
}

int cmd_compare(int argc, char **argv)
{
  cli_ctx_t x;
  int code, b = cli_begin(&x, "compare", argc, argv, &code);
  if (b > 0)
    return code;
  if (b < 0) /* the ranks learn it together */
    return cli_par_failed(&x, code);
  int root = cli_rank() == 0;
  ims_compare_t *c = NULL;
  const char *scheds[CLI_MAX_REPEAT], *plot = cli_str(&x.a, OPT_PLOT, NULL);
  char stem[PATH_MAX];
  int n = cli_list(&x.a, OPT_SCHEDULE, scheds, CLI_MAX_REPEAT), rc = IMS_OK;
  if (n < 2)
    rc =
        ims_err_set(&x.err, IMS_EINPUT, "compare: give at least two schedules (-s A.csv -s B.csv)");
  if (!rc && plot && root)
    rc = cli_figure_open(x.g, "--plot", plot, &x.err);
  if (!rc) {
    cli_sibling(stem, sizeof stem, plot ? plot : "", "");
    ims_compare_spec_t spec = {.run = x.ra.spec,
                               .schedules = scheds,
                               .nschedules = n,
                               .metrics = x.ra.metrics,
                               .metrics_out = cli_str(&x.a, OPT_METRICS_OUT, NULL),
                               .runs_stem = plot ? stem : NULL,
                               .format = x.ra.format,
                               .progress = cli_progress,
                               .par = cli_par()};
    rc = ims_compare_alloc(&c, &spec, &x.err);
  }
  if ((rc = cli_agree(&x, rc)) != IMS_OK) {
    cli_commit(&x, rc);
    ims_compare_free(c);
    return cli_end(&x, rc);
  }
  const ims_run_t *r0 = ims_compare_run_of(c, 0);
  cli_print_notes(r0);
  cli_progress_start(NULL, r0->m->time_unit, 0, 0);
  double t0 = cli_now();
  rc = ims_compare_run(c, x.g, &x.err);
  cli_progress_done();
  if (!rc && plot && root)
    rc = plot_runs(c, plot, x.g, &x.err);
  rc = cli_agree(&x, cli_commit(&x, rc));
  if (!rc && root)
    ims_compare_print(stdout, c);
  if (!rc && root && ims_par_size(cli_par()) > 1)
    fprintf(stderr, "compare: %d schedules, %d ranks, wall %.3f s\n", ims_compare_n(c),
            ims_par_size(cli_par()), cli_now() - t0);
  ims_compare_free(c);
  return cli_end(&x, rc);
}
