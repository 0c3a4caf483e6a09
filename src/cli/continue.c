/* immunosim continue: equilibrium branches over one parameter by
 * pseudo-arclength continuation, with folds, branch points and Hopf points;
 * optionally the orbit diagram by simulation (--orbits). */
#include "dyncli.h"
#include "dynfig.h"
#include "immunosim/continuation.h"
#include "immunosim/orbits.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_point(ims_output_t *o, const ims_model_t *m, const ims_cont_point_t *pt)
{
  char line[8192], nb[IMS_NUMBUF];
  int n = m->nstates;
  double mre = -INFINITY;
  for (int i = 0; i < n; i++)
    mre = fmax(mre, pt->re[i]);
  int l = snprintf(line, sizeof line, "eq,%d,%.12g", pt->branch + 1, pt->par);
  for (int i = 0; i < n && l < (int)sizeof line - 64; i++)
    l += snprintf(line + l, sizeof line - (size_t)l, ",%.12g", pt->x[i]);
  snprintf(line + l, sizeof line - (size_t)l, ",%s,%s,%s,%d,%s,,",
           ims_stability_name(pt->stability), ims_eq_type_name(pt->type),
           ims_cont_label_name(pt->label), pt->nunstable, ims_fmt_num(nb, mre));
  return ims_output_line(o, "%s", line);
}

static int write_orbit(ims_output_t *o, const ims_model_t *m, const ims_orbit_row_t *r, int col)
{
  char line[8192];
  int l = snprintf(line, sizeof line, "orbit_%s,,%.12g", ims_orbit_kind_name(r->kind), r->par);
  for (int i = 0; i < m->nstates && l < (int)sizeof line - 64; i++)
    l += i == col ? snprintf(line + l, sizeof line - (size_t)l, ",%.12g", r->value)
                  : snprintf(line + l, sizeof line - (size_t)l, ",NaN");
  char nb[IMS_NUMBUF];
  snprintf(line + l, sizeof line - (size_t)l, ",,,,,,%d,%s", r->count, ims_fmt_num(nb, r->period));
  return ims_output_line(o, "%s", line);
}

static void summary(const ims_model_t *m, const ims_cont_t *c, const char *pname,
                    const ims_orbit_t *ob)
{
  int n = m->nstates;
  printf("%s: %d branch%s, %d points", m->name, ims_cont_nbranches(c),
         ims_cont_nbranches(c) == 1 ? "" : "es", ims_cont_npoints(c));
  if (ims_cont_skipped(c))
    printf(" (%d equilibri%s on a continuum not continued)", ims_cont_skipped(c),
           ims_cont_skipped(c) == 1 ? "um" : "a");
  printf("\nbranch  label  %s", pname);
  for (int i = 0; i < n; i++)
    printf("  %s", m->states[i].name);
  printf("  stability  type\n");
  for (int k = 0; k < ims_cont_npoints(c); k++) {
    ims_cont_point_t pt;
    ims_cont_get(c, k, &pt);
    if (!pt.label)
      continue;
    printf("%-6d  %-5s  %.8g", pt.branch + 1, ims_cont_label_name(pt.label), pt.par);
    for (int i = 0; i < n; i++)
      printf("  %.6g", pt.x[i]);
    printf("  %s  %s\n", ims_stability_name(pt.stability), ims_eq_type_name(pt.type));
  }
  if (ob)
    printf("orbit diagram: %zu rows\n", ob->n);
}

static int parse_par(const ims_model_t *m, const char *s, int *k, double *a, double *b,
                     ims_err_t *err)
{
  const char *eq = s ? strchr(s, '=') : NULL;
  char name[128];
  if (!s)
    return ims_err_set(err, IMS_EINPUT, "continue: which parameter? give --par NAME=A:B");
  if (!eq || eq == s || (size_t)(eq - s) >= sizeof name)
    return ims_err_set(err, IMS_EINPUT, "--par %s: expected NAME=A:B, e.g. --par c=0.005:0.05", s);
  memcpy(name, s, (size_t)(eq - s));
  name[eq - s] = '\0';
  *k = ims_model_param_index(m, name);
  if (*k < 0) {
    const char *hint = ims_model_suggest_param(m, name);
    return ims_err_set(err, IMS_EINPUT, "--par %s: model %s has no parameter '%s'%s%s%s", s,
                       m->name, name, hint ? "; did you mean '" : "", hint ? hint : "",
                       hint ? "'?" : "");
  }
  if (*k >= m->nparams)
    return ims_err_set(err, IMS_EINPUT,
                       "--par %s: %s is an initial value; it does not move equilibria", s, name);
  if (dyn_range(eq + 1, a, b) != 0 || *a == *b)
    return ims_err_set(err, IMS_EINPUT, "--par %s: expected A:B with two different numbers in %s",
                       s, m->params[*k].unit);
  if (!(m->params[*k].flags & IMS_PAR_SIGNED) && (*a < 0 || *b < 0))
    return ims_err_set(err, IMS_EINPUT, "--par %s: %s cannot be negative", s, name);
  return IMS_OK;
}

/* The orbit runs' own solver defaults (tighter than a run's: extrema of a
 * slow cycle must agree to 1e-5 between periods), unless given. */
static void orbit_defaults(cli_ctx_t *x)
{
  const cli_args_t *a = &x->a;
  ims_run_spec_t *sp = &x->ra.spec;
  if (!cli_count(a, OPT_RTOL))
    sp->rtol = 1e-8;
  int scalar = 0; /* --atol A (not STATE=A) */
  for (int i = 0; i < a->nv; i++)
    scalar |= a->v[i].id == OPT_ATOL && !strchr(a->v[i].s, '=');
  if (!scalar)
    sp->atol = 1e-10;
  sp->max_steps = 1000000; /* a window of thousands of days between two rows */
}

/* --orbits STATE: a state of the model (the CSV has a column per state). */
static int orbit_col(const ims_model_t *m, const char *st, int *col, ims_err_t *err)
{
  *col = ims_model_state_index(m, st);
  if (*col >= 0)
    return IMS_OK;
  const char *names[256];
  int n = m->nstates < 256 ? m->nstates : 256;
  for (int i = 0; i < n; i++)
    names[i] = m->states[i].name;
  const char *hint = ims_suggest(st, names, n);
  return ims_err_set(err, IMS_EINPUT, "--orbits %s: model %s has no state '%s'%s%s%s", st, m->name,
                     st, hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
}

static int orbits(const cli_args_t *a, const ims_run_t *r, int par, double pa, double pb, int col,
                  ims_orbit_t **ob, ims_err_t *err)
{
  ims_orbit_opts_t o;
  ims_orbit_opts_default(&o);
  o.npar = (int)cli_num(a, OPT_NPAR, 51); /* the table checked 1 to 100000 */
  o.transient = cli_num(a, OPT_TRANSIENT, 2000);
  o.window = cli_num(a, OPT_WINDOW, 2000);
  o.col = col;
  o.logpar = cli_flag(a, OPT_LOGPAR);
  o.carry = cli_flag(a, OPT_CARRY);
  o.sim = &r->opts;
  return ims_orbit_diagram(r->m, r->params->value, par, pa, pb, &o, ob, err);
}

static int write_csv(ims_output_t *out, const cli_args_t *a, const ims_run_t *r,
                     const ims_cont_t *c, const ims_orbit_t *ob, int par, double pa, double pb,
                     const double *lo, const double *hi, int col, ims_err_t *err)
{
  const ims_model_t *m = r->m;
  const char *pname = m->params[par].name;
  double t = cli_num(a, OPT_TIME, 0);
  dyn_meta(out, r, lo, hi);
  ims_output_comment(out, "continuation in %s from %.10g to %.10g %s; t = %g %s; %s Jacobian",
                     pname, pa, pb, m->params[par].unit, t, m->time_unit,
                     m->jac ? "analytic" : "difference-quotient");
  /* where the parameter set itself sits (the figure marks it) */
  ims_output_comment(out, "set-value: %.10g", r->params->value[par]);
  if (ob)
    ims_output_comment(out, "orbits: %s, transient %g, window %g %s, rtol %g, atol %g%s%s",
                       m->states[col].name, cli_num(a, OPT_TRANSIENT, 2000),
                       cli_num(a, OPT_WINDOW, 2000), m->time_unit, r->spec.rtol, r->spec.atol,
                       r->spec.natols ? " (per-state overrides)" : "",
                       cli_flag(a, OPT_CARRY) ? ", carried" : "");
  int n = m->nstates, nc = n + 10;
  const char **names = calloc((size_t)nc, sizeof *names);
  const char **units = calloc((size_t)nc, sizeof *units);
  char rate[64];
  snprintf(rate, sizeof rate, "1/%s", m->time_unit);
  int rc = names && units ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!rc) {
    int k = 0;
    names[k] = "kind", units[k++] = "1";
    names[k] = "branch", units[k++] = "1";
    names[k] = pname, units[k++] = m->params[par].unit;
    for (int i = 0; i < n; i++)
      names[k] = m->states[i].name, units[k++] = m->states[i].unit;
    const char *tail[] = {"stability", "type", "label", "n_unstable", "max_re", "count", "period"};
    for (int i = 0; i < 7; i++)
      names[k] = tail[i], units[k++] = i == 4 ? rate : i == 6 ? m->time_unit : "1";
    ims_output_header(out, nc, names, units);
    for (int j = 0; j < ims_cont_npoints(c); j++) {
      ims_cont_point_t pt;
      ims_cont_get(c, j, &pt);
      write_point(out, m, &pt);
    }
    for (size_t j = 0; ob && j < ob->n; j++)
      write_orbit(out, m, &ob->rows[j], col);
  }
  free(names);
  free(units);
  return rc;
}

int cmd_continue(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (dyn_begin(&x, "continue", argc, argv, orbit_defaults, &code))
    return code;
  const cli_args_t *a = &x.a;
  const ims_model_t *m = x.r->m;
  double *p = x.r->params->value;
  const char *path = cli_str(a, OPT_OUT, NULL), *ost = cli_str(a, OPT_ORBITS, NULL);
  const char *plot = cli_str(a, OPT_PLOT, NULL);
  char data[4096];
  dyn_figopts_t fo;
  ims_cont_t *c = NULL;
  ims_orbit_t *ob = NULL;
  ims_output_t *out = NULL;
  double pa = 0, pb = 0;
  int par = -1, col = -1;
  double *lo = malloc((size_t)m->nstates * sizeof *lo),
         *hi = malloc((size_t)m->nstates * sizeof *hi);
  int rc = lo && hi ? IMS_OK : ims_err_set(&x.err, IMS_ENOMEM, "out of memory");
  /* every value first, then the output (an unwritable path fails before the work) */
  rc = rc ? rc : parse_par(m, cli_str(a, OPT_PAR, NULL), &par, &pa, &pb, &x.err);
  rc = rc ? rc : dyn_needs(a, "orbit diagram", OPT_ORBITS, "--orbits STATE", &x.err);
  rc = rc ? rc : dyn_needs(a, "figure", OPT_PLOT, "--plot FIG.png", &x.err);
  rc = rc ? rc : dyn_figopts(a, 1, &fo, &x.err);
  if (!rc && plot) { /* the figure first (gnuplot, its format); the table beside it */
    rc = cli_figure_open(x.g, "--plot", plot, &x.err);
    if (!rc && path && !strcmp(path, "-"))
      rc = ims_err_set(&x.err, IMS_EINPUT,
                       "-o -: --plot draws from a file; give -o FILE, or leave -o out (FIG.csv)");
    if (!path) {
      cli_sibling(data, sizeof data, plot, ".csv");
      path = data;
    }
    if (cli_flag(a, OPT_LOGPAR) && !fo.o.xscale)
      fo.o.xscale = IMS_SCALE_LOG;
  }
  rc = rc || !ost ? rc : orbit_col(m, ost, &col, &x.err);
  if (!rc && cli_flag(a, OPT_LOGPAR) && !(pa > 0 && pb > 0))
    rc = ims_err_set(&x.err, IMS_EINPUT, "--logpar: the range of %s must be positive (--par %s)",
                     m->params[par].name, cli_str(a, OPT_PAR, ""));
  if (!rc) { /* the default box is that of the equilibria at A */
    double keep = p[par];
    p[par] = pa;
    ims_eq_box_default(m, p, lo, hi);
    p[par] = keep;
    rc = dyn_box(m, a, lo, hi, &x.err);
  }
  rc = rc || !path ? rc : ims_outset_open(x.g, &out, path, IMS_FMT_CSV, &x.err);
  rc = rc ? rc : ims_cont_alloc(&c, m, &x.err);
  if (!rc) {
    ims_cont_opts_t co;
    ims_cont_opts_default(&co);
    co.eq.t = cli_num(a, OPT_TIME, 0);
    co.eq.nstarts = (int)cli_num(a, OPT_STARTS, 0); /* 0: the default count */
    co.max_points = (int)cli_num(a, OPT_MAX_POINTS, co.max_points);
    co.hmax = cli_num(a, OPT_MAX_STEP, co.hmax);
    rc = ims_cont_run(c, p, par, pa, pb, lo, hi, &co, &x.err);
  }
  if (!rc && ost)
    rc = orbits(a, x.r, par, pa, pb, col, &ob, &x.err);
  if (!rc && out)
    rc = write_csv(out, a, x.r, c, ob, par, pa, pb, lo, hi, col, &x.err);
  if (!rc && plot) /* drawn from the table before it is committed, and with it */
    rc = dyn_plot_bifurcation(x.g, path, plot, &fo, m, &x.err);
  rc = cli_commit(&x, rc);
  if (!rc && !(path && !strcmp(path, "-"))) /* '-o -': the CSV owns standard output */
    summary(m, c, m->params[par].name, ob);
  ims_cont_free(c);
  ims_orbit_free(ob);
  free(lo);
  free(hi);
  return cli_end(&x, rc);
}
