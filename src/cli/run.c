#include "cli.h"
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void print_stats(const ims_sim_t *sim)
{
  const ims_stats_t *st = ims_sim_stats(sim);
  fprintf(stderr,
          "steps %ld, rhs evals %ld, jac evals %ld, restarts %ld, roots %ld, err test fails %ld, "
          "nonlinear conv fails %ld\n",
          st->steps, st->rhs_evals, st->jac_evals, st->restarts, st->roots, st->err_test_fails,
          st->nonlin_conv_fails);
}

static const char run_help[] =
    "usage: immunosim run MODEL [options]\n"
    "\n"
    "Simulate MODEL and write a table: '#' metadata lines, then time,<states>,<outputs>.\n"
    "\n"
    "inputs\n"
    "  -p, --params FILE     parameter CSV (name,value,unit,source); repeat to layer, later\n"
    "                        files win; default: the model's published set.  A bare name is\n"
    "                        looked up in params/MODEL/.\n"
    "  --set NAME=VALUE[UNIT] override one value, e.g. --set CL=9.4mL/h or --set B_0=2\n"
    "  -s, --schedule FILE   dosing records (time,cmt,amt,rate,dur,ii,addl,lag,f,ss,unit); a\n"
    "                        bare name is looked up in params/schedules/\n"
    "times\n"
    "  -t, --end T           end time in the model's time unit (default: last dose + 28 d)\n"
    "  --t0 T                start time (default 0)\n"
    "  --dt STEP             output every STEP: rows at t0 + i*STEP, and always at the end\n"
    "  --times FILE          output exactly at these times (one column, increasing)\n"
    "output\n"
    "  -o, --out FILE        output file ('-' for stdout, the default); written to a temporary\n"
    "                        file and renamed, so a failed run leaves nothing behind\n"
    "  --format csv|tsv      table format (default csv)\n"
    "  --units COL=UNIT      show a column in another unit, e.g. --units C1=pg/mL\n"
    "  --plot FIG            also draw the run (FIG.png, .svg or .pdf; script in FIG.gp); without\n"
    "                        -o the table goes to FIG.csv.  Plot options (see 'immunosim plot\n"
    "                        --help'): --y --overlay --logy --liny --weeks --xrange --yrange --x\n"
    "                        --hline --points --style --title --ylabel --no-doses\n"
    "solver\n"
    "  --method bdf|adams    CVODES method (default bdf)\n"
    "  --rtol R              relative tolerance (default 1e-6)\n"
    "  --atol A | STATE=A    absolute tolerance, scalar or per state (default 1e-9)\n"
    "  --extinct STATE=FLOOR set STATE to 0 when it falls below FLOOR (located by root finding)\n"
    "  --no-extinct          switch off the model's own extinction rule (e.g. cartmath2021)\n"
    "  --no-jac              use difference quotients instead of the analytic Jacobian\n"
    "  --init-step H         first step after each restart (default: CVODE's estimate)\n"
    "  --max-steps N         steps allowed between outputs (default 50000)\n"
    "  --stats               print solver statistics to stderr\n"
    "metrics (see README 'Metrics')\n"
    "  --metrics             print a metrics table: to stdout when -o names a file, else to\n"
    "                        stderr (the rows own stdout)\n"
    "  --metrics-out FILE    write the metrics as CSV (window,start,end,complete,column,\n"
    "                        threshold,metric,value,unit)\n"
    "  --window W            all | doses (each dosing interval) | last (the last complete\n"
    "                        dosing interval: steady state) | START:END; repeatable;\n"
    "                        default: all and last\n"
    "  --threshold COL=V[U]  time above/below V and crossings, e.g. --threshold C1=50mg/L;\n"
    "                        a bare V is in the column's display unit\n"
    "  --cols A,B            metrics only for these columns (default: every column)\n"
    "rules\n"
    "  -r, --rules FILE      state-triggered actions (README 'Rules'); a bare name is looked\n"
    "                        up in params/rules/\n"
    "  --events-out FILE     write every fired rule as CSV (time,rule,variable,value,action,\n"
    "                        status); they are also '# event:' lines in the output\n"
    "\n"
    "Doses at a time are applied before the output row at that time, so a row at a dose time\n"
    "shows the post-dose state.\n"
    "\n"
    "Runs longer than a second show a progress bar on stderr when it is a terminal.\n"
    "\n"
    "examples:\n"
    "  immunosim run pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w -t 365 \\\n"
    "    --dt 1 -o pembro.csv\n"
    "  immunosim run pk2cmt -s blinatumomab_cycle1 -t 42 --units C1=pg/mL --plot blina.png\n"
    "  immunosim run pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_400mg_q6w -t 378 \\\n"
    "    --metrics --threshold C1=20 -o pembro.csv\n";

static int parse(cli_run_args_t *a, cli_plot_opts_t *po, int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(run_help, stdout);
      return 1;
    }
    int r = cli_plot_arg(po, argc, argv, &i);
    if (r < 0)
      return -1;
    if (r == 1)
      continue;
    r = cli_run_arg(a, argc, argv, &i);
    if (r < 0)
      return -1;
    if (r == 1)
      continue;
    if (argv[i][0] == '-' && argv[i][1]) {
      cli_failf(IMS_EINPUT, "run: unknown option '%s'; see 'immunosim run --help'", argv[i]);
      return -1;
    }
    if (a->model) {
      cli_failf(IMS_EINPUT, "run: unexpected argument '%s' (the model is '%s')", argv[i], a->model);
      return -1;
    }
    a->model = argv[i];
  }
  if (!a->model) {
    cli_failf(IMS_EINPUT, "run: which model? e.g. 'immunosim run pk2cmt' ('immunosim list')");
    return -1;
  }
  return 0;
}

static int simulate(cli_setup_t *s, const cli_run_args_t *a, ims_err_t *err)
{
  ims_output_t *out = NULL, *events = NULL;
  ims_sim_t *sim = NULL;
  cli_metrics_t cm;
  int want_metrics = a->metrics || a->metrics_out || a->nthresholds || a->nwindows;
  int fmt = strcmp(a->format, "tsv") == 0 ? IMS_FMT_TSV : IMS_FMT_CSV;
  if (strcmp(a->format, "csv") && strcmp(a->format, "tsv"))
    return ims_err_set(err, IMS_EINPUT, "--format takes csv or tsv, not '%s'", a->format);
  memset(&cm, 0, sizeof cm);
  int rc = want_metrics ? cli_metrics_init(&cm, s, a, 1, err) : IMS_OK;
  rc = rc ? rc : ims_sim_alloc(&sim, s->m, err);
  rc = rc ? rc : ims_output_open(&out, a->out, fmt, err);
  if (!rc && a->events_out)
    rc = cli_events_open(&events, a->events_out, err);
  cli_sinks_t k = {.out = out, .events = events, .cm = want_metrics ? &cm : NULL};
  if (!rc) {
    cli_write_meta(out, s, a);
    ims_output_header(out, s->ncols, s->colnames, s->colunits);
    cli_progress_t pr;
    cli_progress_init(&pr, s->opts.t0, s->tout[s->ntout - 1], s->m->time_unit);
    k.progress = &pr;
    rc = cli_simulate(s, sim, s->params->value, &k, err);
    cli_progress_done(&pr);
    if (!rc && k.stopped)
      ims_output_comment(out, "stopped by a rule");
    if (a->stats)
      print_stats(sim);
  }
  if (!rc && a->metrics_out)
    rc = cli_metrics_write(a->metrics_out, &cm, s, a, err);
  if (rc) {
    ims_output_abort(out);
    ims_output_abort(events);
  } else {
    rc = ims_output_commit(out, err);
    rc = rc ? (ims_output_abort(events), rc) : events ? ims_output_commit(events, err) : IMS_OK;
  }
  /* the table goes to stdout unless the rows do */
  if (!rc && a->metrics)
    cli_metrics_print(strcmp(a->out, "-") ? stdout : stderr, &cm, s);
  ims_sim_free(sim);
  cli_metrics_free(&cm);
  return rc;
}

int cmd_run(int argc, char **argv)
{
  cli_run_args_t a;
  cli_plot_opts_t po;
  cli_run_args_init(&a);
  cli_plot_opts_init(&po);
  int p = parse(&a, &po, argc, argv);
  if (p)
    return p > 0 ? 0 : 1;
  /* --plot without -o: the table goes beside the figure, FIG.csv */
  char data[4096];
  if (a.plot && !strcmp(a.out, "-")) {
    const char *dot = strrchr(a.plot, '.');
    const char *slash = strrchr(a.plot, '/');
    int n = dot && (!slash || dot > slash) ? (int)(dot - a.plot) : (int)strlen(a.plot);
    snprintf(data, sizeof data, "%.*s.csv", n, a.plot);
    a.out = data;
  }
  cli_setup_t s;
  ims_err_t err = {0};
  int rc = cli_setup(&s, &a, 0, &err);
  rc = rc ? rc : simulate(&s, &a, &err);
  cli_setup_free(&s);
  if (!rc && a.plot) {
    const char *files[1] = {a.out};
    rc = cli_plot(&po, files, 1, a.plot, &err);
  }
  return rc ? cli_fail(rc, &err) : 0;
}
