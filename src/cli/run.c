#include "cli.h"
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A progress bar on stderr for runs longer than about a second, only when
 * stderr is a terminal (never in output files), redrawn at most 10 times a
 * second.  IMMUNOSIM_PROGRESS_DELAY sets the delay in seconds (tests use 0). */
typedef struct progress {
  int on, shown;
  double start, last, delay, t0, tend;
  const char *unit;
} progress_t;

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress_init(progress_t *p, double t0, double tend, const char *unit)
{
  memset(p, 0, sizeof *p);
  p->on = isatty(STDERR_FILENO) && tend > t0;
  p->start = now_s();
  p->t0 = t0;
  p->tend = tend;
  p->unit = unit;
  const char *d = getenv("IMMUNOSIM_PROGRESS_DELAY");
  p->delay = d && *d ? atof(d) : 1.0;
}

static void progress_tick(progress_t *p, double t)
{
  if (!p->on)
    return;
  double now = now_s();
  if (now - p->start < p->delay || (p->shown && now - p->last < 0.1))
    return;
  double f = (t - p->t0) / (p->tend - p->t0);
  f = f < 0 ? 0 : f > 1 ? 1 : f;
  char bar[31];
  int k = (int)(f * 30 + 0.5);
  for (int i = 0; i < 30; i++)
    bar[i] = i < k ? '#' : '-';
  bar[30] = '\0';
  double el = now - p->start;
  char eta[32] = "";
  if (f > 0.01)
    snprintf(eta, sizeof eta, ", %.0f s left", el * (1 - f) / f);
  fprintf(stderr, "\r[%s] %3.0f%%  t = %.4g / %.4g %s  %.0f s elapsed%-14s", bar, 100 * f, t,
          p->tend, p->unit, el, eta);
  fflush(stderr);
  p->shown = 1;
  p->last = now;
}

static void progress_done(progress_t *p)
{
  if (p->shown)
    fprintf(stderr, "\r%*s\r", 100, "");
  p->shown = 0;
}

typedef struct run_obs {
  ims_output_t *out;
  const cli_setup_t *s;
  double *row;
  progress_t *progress;
} run_obs_t;

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)q;
  run_obs_t *r = ud;
  const cli_setup_t *s = r->s;
  int ns = s->m->nstates;
  r->row[0] = t;
  memcpy(r->row + 1, y, (size_t)ns * sizeof *y);
  memcpy(r->row + 1 + ns, out, (size_t)s->m->noutputs * sizeof *out);
  for (int i = 1; i < s->ncols; i++)
    r->row[i] = s->colscale[i] * r->row[i] + s->coloffset[i];
  progress_tick(r->progress, t);
  return ims_output_row(r->out, r->row, s->ncols) ? IMS_EIO : 0;
}

static int on_event(void *ud, const ims_logged_t *ev)
{
  run_obs_t *r = ud;
  const ims_trigger_t *tr = &r->s->opts.triggers[ev->trigger];
  ims_output_comment(r->out, "event: t=%.10g %s %s=%.6g%s", ev->t, tr->name,
                     r->s->colnames[1 + ev->var], ev->value, ev->applied ? "" : " (delayed)");
  return 0;
}

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
    "\n"
    "Doses at a time are applied before the output row at that time, so a row at a dose time\n"
    "shows the post-dose state.\n"
    "\n"
    "Runs longer than a second show a progress bar on stderr when it is a terminal.\n"
    "\n"
    "examples:\n"
    "  immunosim run pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w -t 365 \\\n"
    "    --dt 1 -o pembro.csv\n"
    "  immunosim run pk2cmt -s blinatumomab_cycle1 -t 42 --units C1=pg/mL --plot blina.png\n";

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
  ims_output_t *out = NULL;
  ims_sim_t *sim = NULL;
  int fmt = strcmp(a->format, "tsv") == 0 ? IMS_FMT_TSV : IMS_FMT_CSV;
  if (strcmp(a->format, "csv") && strcmp(a->format, "tsv"))
    return ims_err_set(err, IMS_EINPUT, "--format takes csv or tsv, not '%s'", a->format);
  int rc = ims_sim_alloc(&sim, s->m, err);
  rc = rc ? rc : ims_output_open(&out, a->out, fmt, err);
  double *row = rc ? NULL : malloc((size_t)s->ncols * sizeof *row);
  if (!rc && !row)
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!rc) {
    cli_write_meta(out, s, a);
    ims_output_header(out, s->ncols, s->colnames, s->colunits);
    progress_t pr;
    progress_init(&pr, s->opts.t0, s->tout[s->ntout - 1], s->m->time_unit);
    run_obs_t ro = {out, s, row, &pr};
    ims_observer_t obs = {.row = on_row, .event = on_event, .ud = &ro};
    rc = ims_sim_run(sim, s->params->value, s->sched, &s->opts, s->tout, s->ntout, &obs, err);
    progress_done(&pr);
    if (rc == IMS_ESTOP) {
      ims_output_comment(out, "stopped by a rule");
      rc = IMS_OK;
    }
    if (a->stats)
      print_stats(sim);
  }
  if (rc)
    ims_output_abort(out);
  else
    rc = ims_output_commit(out, err);
  free(row);
  ims_sim_free(sim);
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
