/* immunosim sensitivity: local forward sensitivities from CVODES. */
#include "cli.h"
#include "plot.h"
#include "tmpl.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SENS_MAX 64

typedef struct sens_args {
  cli_run_args_t run;
  const char *pars;
  const char *of;
  const char *metrics_out;
  int raw;
} sens_args_t;

/* Per column and parameter: the peak (on the output grid), AUC and final value. */
typedef struct sens_run {
  const cli_setup_t *s;
  int ns, nc; /* parameters, columns (states + outputs) */
  const int *idx;
  int raw;
  ims_output_t *out;
  double *row, *y; /* current row: time, columns */
  double *peak, *tpeak, *dpeak, *auc, *dauc, *fin, *dfin;
  double t;
} sens_run_t;

static const char sens_help[] =
    "usage: immunosim sensitivity MODEL [run options] [--par A,B,...] [--of COL] [--raw]\n"
    "                             [-o OUT.csv] [--metrics-out M.csv]\n"
    "\n"
    "Forward sensitivities of every state and output with respect to parameters or initial\n"
    "values (<STATE>_0), integrated by CVODES with the model's Jacobian (not by re-running\n"
    "with perturbed parameters).  Normalised: S = (p / y) dy/dp, the % change of y per %\n"
    "change of p; --raw gives dy/dp in the columns' units per parameter unit.\n"
    "\n"
    "  --par A,B,...       parameters (default: every non-zero parameter the files set)\n"
    "  --of COL            the column ranked in the printed table (default: the first\n"
    "                      output, else the first state)\n"
    "  -o OUT.csv          time courses, one column COL:PAR per column and parameter\n"
    "                      (without -o only the table is printed)\n"
    "  --metrics-out M.csv sensitivities of each column's peak, AUC and final value\n"
    "  --raw               unnormalised dy/dp\n"
    "  --plot FIG.png      ranked bar chart of S(peak) and S(AUC) for --of COL (.png, .svg,\n"
    "                      .pdf); the script FIG.gp and its data FIG.csv are kept\n"
    "Run options (-p, -s, --set, -t, --dt, --rtol, --atol, ...) are those of 'run'.\n"
    "\n"
    "The peak is the largest value on the output grid; at a smooth interior maximum its\n"
    "sensitivity is dy/dp at the peak time (envelope theorem), so --dt moves only the peak\n"
    "time.  AUC sensitivities come from CVODES quadrature sensitivities, not the grid.\n"
    "Sensitivities do not include the shift of state-triggered events (rules) with p.\n"
    "\n"
    "example: which parameter drives the pembrolizumab trough and exposure?\n"
    "  immunosim sensitivity pk2cmt -p pembrolizumab_ahamadi2017 \\\n"
    "      -s pembrolizumab_200mg_q3w -t 126 --par CL,V1,Q,V2 --of C1\n";

static int parse(sens_args_t *a, int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      fputs(sens_help, stdout);
      return 1;
    }
    int r = cli_run_arg(&a->run, argc, argv, &i);
    if (r < 0)
      return -1;
    if (r == 1)
      continue;
    const char **dst = !strcmp(o, "--par")           ? &a->pars
                       : !strcmp(o, "--of")          ? &a->of
                       : !strcmp(o, "--metrics-out") ? &a->metrics_out
                                                     : NULL;
    if (dst && i + 1 < argc) {
      *dst = argv[++i];
    } else if (dst) {
      cli_failf(IMS_EINPUT, "sensitivity: %s needs a value", o);
      return -1;
    } else if (!strcmp(o, "--raw")) {
      a->raw = 1;
    } else if (o[0] == '-' && o[1]) {
      cli_failf(IMS_EINPUT, "sensitivity: unknown option '%s'; see 'immunosim sensitivity --help'",
                o);
      return -1;
    } else if (!a->run.model) {
      a->run.model = o;
    } else {
      cli_failf(IMS_EINPUT, "sensitivity: unexpected argument '%s'", o);
      return -1;
    }
  }
  if (!a->metrics_out) /* --metrics-out is also a shared option (explore.c) */
    a->metrics_out = a->run.metrics_out;
  if (!a->run.model) {
    cli_failf(IMS_EINPUT, "sensitivity: which model? e.g. 'immunosim sensitivity pk2cmt'");
    return -1;
  }
  return 0;
}

static const char *par_name(const ims_model_t *m, int k, char *buf, size_t n)
{
  if (k < m->nparams)
    return m->params[k].name;
  snprintf(buf, n, "%s_0", m->states[k - m->nparams].name);
  return buf;
}

static const char *par_unit(const ims_model_t *m, int k)
{
  return k < m->nparams ? m->params[k].unit : m->states[k - m->nparams].unit;
}

static int pick_params(const cli_setup_t *s, const char *list, int *idx, int *ns, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  *ns = 0;
  if (!list) {
    for (int k = 0; k < m->nparams && *ns < SENS_MAX; k++)
      if (s->params->value[k] != 0 && s->params->given[k])
        idx[(*ns)++] = k;
    return *ns ? IMS_OK
               : ims_err_set(err, IMS_EINPUT, "model %s has no non-zero parameter", m->name);
  }
  char buf[2048];
  snprintf(buf, sizeof buf, "%s", list);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    int k = ims_model_param_index(m, tok);
    if (k < 0) {
      const char *g = ims_model_suggest_param(m, tok);
      return ims_err_set(err, IMS_EINPUT, "--par: unknown parameter '%s' in model %s%s%s%s", tok,
                         m->name, g ? "; did you mean '" : "; 'immunosim info ", g ? g : m->name,
                         g ? "'?" : "' lists them");
    }
    if (*ns == SENS_MAX)
      return ims_err_set(err, IMS_EINPUT, "--par: at most %d parameters", SENS_MAX);
    idx[(*ns)++] = k;
  }
  return IMS_OK;
}

/* Normalised sensitivity (p/y) dy/dp; 0/0 is reported as 0 and y = 0 with
 * a non-zero derivative as NaN. */
static double norm_sens(double d, double y, double p)
{
  if (y == 0)
    return d == 0 ? 0.0 : NAN;
  return d * p / y;
}

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  sens_run_t *r = ud;
  int n = r->s->m->nstates;
  r->t = t;
  memcpy(r->y, y, (size_t)n * sizeof *y);
  memcpy(r->y + n, out, (size_t)r->s->m->noutputs * sizeof *out);
  for (int c = 0; c < r->nc; c++) {
    if (q)
      r->auc[c] = q[c];
    r->fin[c] = r->y[c];
  }
  return 0;
}

static void track_metrics(sens_run_t *r, const double *dy, const double *dout, const double *dq)
{
  int n = r->s->m->nstates, no = r->s->m->noutputs, nc = r->nc;
  for (int c = 0; c < nc; c++) {
    int newpeak = r->tpeak[c] < 0 || r->y[c] > r->peak[c];
    if (newpeak) {
      r->peak[c] = r->y[c];
      r->tpeak[c] = r->t;
    }
    for (int j = 0; j < r->ns; j++) {
      double d = c < n ? dy[j * n + c] : dout[j * no + c - n];
      r->dfin[c * r->ns + j] = d;
      if (newpeak)
        r->dpeak[c * r->ns + j] = d;
      if (dq)
        r->dauc[c * r->ns + j] = dq[j * nc + c];
    }
  }
}

/* A row at a discontinuity that moves with p (Stein's Tmax): a peak there
 * is the value at the moving kink, whose derivative is dy/dp + rate*dtau
 * (the fixed-time dy/dp would be the one-sided slope of the kink). */
static int on_shift(void *ud, double t, const double *dtau, const double *rate)
{
  sens_run_t *r = ud;
  for (int c = 0; c < r->nc; c++)
    if (r->tpeak[c] == t)
      for (int j = 0; j < r->ns; j++)
        r->dpeak[c * r->ns + j] += rate[c] * dtau[j];
  return 0;
}

static int on_sens(void *ud, double t, const double *dy, const double *dout, const double *dq)
{
  sens_run_t *r = ud;
  const cli_setup_t *s = r->s;
  int n = s->m->nstates, no = s->m->noutputs;
  track_metrics(r, dy, dout, dq);
  if (!r->out)
    return 0;
  int k = 0;
  r->row[k++] = t;
  for (int c = 0; c < r->nc; c++)
    for (int j = 0; j < r->ns; j++) {
      double d = c < n ? dy[j * n + c] : dout[j * no + c - n];
      r->row[k++] =
          r->raw ? s->colscale[1 + c] * d : norm_sens(d, r->y[c], s->params->value[r->idx[j]]);
    }
  return ims_output_row(r->out, r->row, k) ? IMS_EIO : 0;
}

/* Column names COL:PAR and units for the time-course file. */
static int write_header(sens_run_t *r, char ***names, char ***units)
{
  const cli_setup_t *s = r->s;
  int nk = 1 + r->nc * r->ns;
  *names = calloc((size_t)nk, sizeof **names);
  *units = calloc((size_t)nk, sizeof **units);
  if (!*names || !*units)
    return IMS_ENOMEM;
  (*names)[0] = strdup("time");
  (*units)[0] = strdup(s->colunits[0]);
  for (int c = 0, k = 1; c < r->nc; c++)
    for (int j = 0; j < r->ns; j++, k++) {
      char pb[160], nb[320], ub[320];
      snprintf(nb, sizeof nb, "%s:%s", s->colnames[1 + c],
               par_name(s->m, r->idx[j], pb, sizeof pb));
      snprintf(ub, sizeof ub, r->raw ? "(%s)/(%s)" : "1", s->colunits[1 + c],
               par_unit(s->m, r->idx[j]));
      (*names)[k] = strdup(nb);
      (*units)[k] = strdup(ub);
    }
  for (int k = 0; k < nk; k++)
    if (!(*names)[k] || !(*units)[k])
      return IMS_ENOMEM;
  return ims_output_header(r->out, nk, (const char *const *)*names, (const char *const *)*units)
             ? IMS_EIO
             : IMS_OK;
}

static void free_names(char **v, int n)
{
  for (int i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}

static int write_metrics(const sens_run_t *r, const char *path, const cli_run_args_t *ra,
                         ims_err_t *err)
{
  const cli_setup_t *s = r->s;
  ims_output_t *o;
  int rc = ims_output_open(&o, path, IMS_FMT_CSV, err);
  if (rc)
    return rc;
  cli_write_meta(o, s, ra);
  ims_output_comment(o, "sensitivity: normalised = (p/value) d value/d p; raw in value unit "
                        "per parameter unit (canonical units)");
  ims_output_line(o, "column,parameter,metric,value,time,d_value_d_p,normalised");
  static const char *const metric[3] = {"peak", "auc", "final"};
  for (int c = 0; c < r->nc; c++)
    for (int j = 0; j < r->ns; j++)
      for (int mk = 0; mk < 3; mk++) {
        const double *v = mk == 0 ? r->peak : mk == 1 ? r->auc : r->fin;
        const double *d = mk == 0 ? r->dpeak : mk == 1 ? r->dauc : r->dfin;
        char pb[160];
        double p = s->params->value[r->idx[j]];
        ims_output_line(o, "%s,%s,%s,%.10g,%.10g,%.10g,%.10g", s->colnames[1 + c],
                        par_name(s->m, r->idx[j], pb, sizeof pb), metric[mk], v[c],
                        mk == 0 ? r->tpeak[c] : r->t, d[c * r->ns + j],
                        norm_sens(d[c * r->ns + j], v[c], p));
      }
  return ims_output_commit(o, err);
}

/* Parameters ranked by |S(peak)| of column c, largest first. */
static void rank(const sens_run_t *r, int c, int *order)
{
  const cli_setup_t *s = r->s;
  for (int j = 0; j < r->ns; j++)
    order[j] = j;
  for (int a = 1; a < r->ns; a++) /* insertion sort by |S(peak)|, descending */
    for (int b = a; b > 0; b--) {
      double x = fabs(norm_sens(r->dpeak[c * r->ns + order[b]], r->peak[c],
                                s->params->value[r->idx[order[b]]]));
      double y = fabs(norm_sens(r->dpeak[c * r->ns + order[b - 1]], r->peak[c],
                                s->params->value[r->idx[order[b - 1]]]));
      if (!(x > y))
        break;
      int t = order[b];
      order[b] = order[b - 1];
      order[b - 1] = t;
    }
}

/* The ranked table for one column. */
static void print_table(const sens_run_t *r, int c, FILE *fp)
{
  const cli_setup_t *s = r->s;
  int order[SENS_MAX] = {0};
  rank(r, c, order);
  fprintf(fp, "normalised sensitivities of %s (%s): peak %.6g at t=%g %s, AUC %.6g, final %.6g\n",
          s->colnames[1 + c], s->colunits[1 + c], s->colscale[1 + c] * r->peak[c], r->tpeak[c],
          s->m->time_unit, r->auc[c], s->colscale[1 + c] * r->fin[c]);
  fprintf(fp, "  %-14s %14s  %-22s %10s %10s %10s\n", "parameter", "value", "unit", "S(peak)",
          "S(AUC)", "S(final)");
  for (int a = 0; a < r->ns; a++) {
    int j = order[a], k = r->idx[j];
    double p = s->params->value[k];
    char pb[160];
    fprintf(fp, "  %-14s %14.6g  %-22s %10.4f %10.4f %10.4f\n", par_name(s->m, k, pb, sizeof pb), p,
            par_unit(s->m, k), norm_sens(r->dpeak[c * r->ns + j], r->peak[c], p),
            norm_sens(r->dauc[c * r->ns + j], r->auc[c], p),
            norm_sens(r->dfin[c * r->ns + j], r->fin[c], p));
  }
}

/* FIG.csv (ranked data), FIG.gp from plots/sensitivity.gp.in, then gnuplot. */
static int write_plot(const sens_run_t *r, int c, const char *fig, ims_err_t *err)
{
  const cli_setup_t *s = r->s;
  const char *ext = strrchr(fig, '.');
  if (!cli_plot_term(fig))
    return ims_err_set(err, IMS_EINPUT, "--plot %s: use .png, .svg or .pdf", fig);
  char data[PATH_MAX];
  snprintf(data, sizeof data, "%.*s.csv", (int)(ext - fig), fig);
  FILE *fp = fopen(data, "w");
  if (!fp)
    return ims_err_set(err, IMS_EIO, "cannot write %s", data);
  int order[SENS_MAX] = {0};
  rank(r, c, order);
  for (int a = 0; a < r->ns; a++) {
    int j = order[a], k = r->idx[j];
    double p = s->params->value[k];
    char pb[160];
    fprintf(fp, "%d,%s,%.6g,%.6g,%.6g\n", a + 1, par_name(s->m, k, pb, sizeof pb),
            norm_sens(r->dpeak[c * r->ns + j], r->peak[c], p),
            norm_sens(r->dauc[c * r->ns + j], r->auc[c], p),
            norm_sens(r->dfin[c * r->ns + j], r->fin[c], p));
  }
  fclose(fp);
  char title[400];
  snprintf(title, sizeof title, "%s: what drives %s", s->m->name, s->colnames[1 + c]);
  const char *kv[] = {"DATA", data, "COLUMN", s->colnames[1 + c], NULL};
  return cli_plot_template("sensitivity.gp.in", fig, title, kv, err);
}

static int of_column(const cli_setup_t *s, const char *of, int *c, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  if (!of) {
    *c = m->noutputs ? m->nstates : 0;
    return IMS_OK;
  }
  for (int k = 1; k < s->ncols; k++)
    if (!strcmp(s->colnames[k], of)) {
      *c = k - 1;
      return IMS_OK;
    }
  return ims_err_set(err, IMS_EINPUT,
                     "--of: no column '%s' in model %s; columns are its states "
                     "and outputs ('immunosim info %s')",
                     of, m->name, m->name);
}

static int alloc_run(sens_run_t *r)
{
  size_t nc = (size_t)r->nc, ns = (size_t)r->ns;
  double *b = calloc(nc * (4 + 3 * ns) + 1 + nc * ns + nc, sizeof *b);
  if (!b)
    return IMS_ENOMEM;
  r->peak = b;
  r->tpeak = b + nc;
  r->auc = b + 2 * nc;
  r->fin = b + 3 * nc;
  r->dpeak = b + 4 * nc;
  r->dauc = r->dpeak + nc * ns;
  r->dfin = r->dauc + nc * ns;
  r->row = r->dfin + nc * ns;
  r->y = r->row + 1 + nc * ns;
  for (size_t c = 0; c < nc; c++)
    r->tpeak[c] = -1;
  return IMS_OK;
}

static int sensitivity(cli_setup_t *s, sens_args_t *a, ims_err_t *err)
{
  int idx[SENS_MAX], ns = 0, col = 0;
  int rc = pick_params(s, a->pars, idx, &ns, err);
  rc = rc ? rc : of_column(s, a->of, &col, err);
  if (rc)
    return rc;
  sens_run_t r = {
      .s = s, .ns = ns, .nc = s->m->nstates + s->m->noutputs, .idx = idx, .raw = a->raw};
  ims_sim_t *sim = NULL;
  char **names = NULL, **units = NULL;
  if (alloc_run(&r))
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = ims_sim_alloc(&sim, s->m, err);
  if (!rc && strcmp(a->run.out, "-") != 0) {
    rc = ims_output_open(&r.out, a->run.out, IMS_FMT_CSV, err);
    if (!rc) {
      cli_write_meta(r.out, s, &a->run);
      ims_output_comment(r.out, "sensitivity: %s", a->raw ? "raw dy/dp" : "normalised (p/y) dy/dp");
      if (write_header(&r, &names, &units))
        rc = ims_err_set(err, IMS_EIO, "cannot write %s", a->run.out);
    }
  }
  s->opts.nsens = ns;
  s->opts.sens = idx;
  s->opts.quad = 1;
  ims_observer_t obs = {.row = on_row, .sens = on_sens, .ud = &r, .sens_shift = on_shift};
  if (!rc)
    rc = ims_sim_run(sim, s->params->value, s->sched, &s->opts, s->tout, s->ntout, &obs, err);
  if (rc == IMS_ESTOP)
    rc = IMS_OK;
  if (r.out)
    rc = rc ? (ims_output_abort(r.out), rc) : ims_output_commit(r.out, err);
  if (!rc && a->metrics_out)
    rc = write_metrics(&r, a->metrics_out, &a->run, err);
  if (!rc)
    print_table(&r, col, stdout);
  if (!rc && a->run.plot) /* --plot is a shared run option */
    rc = write_plot(&r, col, a->run.plot, err);
  free_names(names, 1 + r.nc * ns);
  free_names(units, 1 + r.nc * ns);
  free(r.peak);
  ims_sim_free(sim);
  return rc;
}

int cmd_sensitivity(int argc, char **argv)
{
  sens_args_t a = {0};
  cli_run_args_init(&a.run);
  int p = parse(&a, argc, argv);
  if (p)
    return p > 0 ? 0 : 1;
  cli_setup_t s;
  ims_err_t err = {0};
  int rc = cli_setup(&s, &a.run, 0, &err);
  rc = rc ? rc : sensitivity(&s, &a, &err);
  cli_setup_free(&s);
  return rc ? cli_fail(rc, &err) : 0;
}
