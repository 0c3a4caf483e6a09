/* immunosim compare: several schedules, one metrics table (ims_compare_*). */
#include "cli.h"
#include "plot.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* One overlaid figure of the runs, labelled by schedule. */
static int plot_runs(const ims_compare_t *c, const char *fig, ims_err_t *err)
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
  return cli_plot(&po, files, n, fig, err);
}

int cmd_compare(int argc, char **argv)
{
  cli_args_t a;
  int p = cli_parse("compare", argc, argv, &a);
  if (p)
    return p > 0 ? 0 : 1;
  cli_runargs_t ra;
  ims_err_t err = {0};
  ims_compare_t *c = NULL;
  ims_outset_t *g = NULL;
  const char *scheds[CLI_MAX_REPEAT], *plot = cli_str(&a, OPT_PLOT, NULL);
  char stem[PATH_MAX];
  int rc = cli_runargs(&ra, &a, &err);
  int n = cli_list(&a, OPT_SCHEDULE, scheds, CLI_MAX_REPEAT);
  if (!rc && n < 2)
    rc = ims_err_set(&err, IMS_EINPUT, "compare: give at least two schedules (-s A.csv -s B.csv)");
  if (!rc && plot)
    rc = cli_check_figure("--plot", plot, &err);
  if (!rc) {
    cli_sibling(stem, sizeof stem, plot ? plot : "", "");
    ims_compare_spec_t spec = {.run = ra.spec,
                               .schedules = scheds,
                               .nschedules = n,
                               .metrics = ra.metrics,
                               .metrics_out = cli_str(&a, OPT_METRICS_OUT, NULL),
                               .runs_stem = plot ? stem : NULL,
                               .format = ra.format,
                               .progress = cli_progress};
    rc = ims_compare_alloc(&c, &spec, &err);
  }
  for (int i = 0; !rc && i < ims_compare_n(c) && i < 1; i++)
    cli_print_notes(ims_compare_run_of(c, i));
  rc = rc ? rc : cli_outset(&g, &err);
  if (!rc) {
    cli_progress_start(NULL, "d simulated", 0, 0);
    rc = ims_compare_run(c, g, &err);
    cli_progress_done();
    rc = rc ? (ims_outset_abort(g), rc) : ims_outset_commit(g, &err);
  }
  if (!rc)
    ims_compare_print(stdout, c);
  if (!rc && plot)
    rc = plot_runs(c, plot, &err);
  ims_outset_free(g);
  ims_compare_free(c);
  cli_runargs_free(&ra);
  return rc ? cli_fail(rc, &err) : 0;
}
