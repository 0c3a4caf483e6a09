/* immunosim continue: equilibrium branches over one parameter by
 * pseudo-arclength continuation, with folds, branch points and Hopf points;
 * optionally the orbit diagram by simulation (--orbits). */
#include "dyncli.h"
#include "immunosim/continuation.h"
#include "immunosim/orbits.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  O_PARAMS,
  O_SET,
  O_BOX,
  O_PAR,
  O_OUT,
  O_T,
  O_STARTS,
  O_MAXPTS,
  O_STEP,
  O_ORBITS,
  O_NPAR,
  O_LOGPAR,
  O_TRANSIENT,
  O_WINDOW,
  O_CARRY,
  O_RTOL,
  O_ATOL,
  O_EXTINCT,
  O_NOEXT,
  O_N
};

static const dyn_opt_t opts[O_N] = {
    [O_PARAMS] = {"--params", "-p", 1, 1},
    [O_SET] = {"--set", NULL, 1, 1},
    [O_BOX] = {"--box", NULL, 1, 1},
    [O_PAR] = {"--par", NULL, 1, 0},
    [O_OUT] = {"--out", "-o", 1, 0},
    [O_T] = {"--time", NULL, 1, 0},
    [O_STARTS] = {"--starts", NULL, 1, 0},
    [O_MAXPTS] = {"--max-points", NULL, 1, 0},
    [O_STEP] = {"--max-step", NULL, 1, 0},
    [O_ORBITS] = {"--orbits", NULL, 1, 0},
    [O_NPAR] = {"--npar", NULL, 1, 0},
    [O_LOGPAR] = {"--logpar", NULL, 0, 0},
    [O_TRANSIENT] = {"--transient", NULL, 1, 0},
    [O_WINDOW] = {"--window", NULL, 1, 0},
    [O_CARRY] = {"--carry", NULL, 0, 0},
    [O_RTOL] = {"--rtol", NULL, 1, 0},
    [O_ATOL] = {"--atol", NULL, 1, 0},
    [O_EXTINCT] = {"--extinct", NULL, 1, 1},
    [O_NOEXT] = {"--no-extinct", NULL, 0, 0},
};

static const char help[] =
    "usage: immunosim continue MODEL --par NAME=A:B [options]\n"
    "\n"
    "Equilibrium branches of MODEL over the parameter NAME from A to B by pseudo-arclength\n"
    "continuation: every equilibrium in the box at A (and any at B not reached) starts a\n"
    "branch; branches follow folds and stop at the box.  Each point carries its stability\n"
    "and type; folds (saddle-node), branch points and Hopf points are located and labelled.\n"
    "A summary goes to stdout; -o writes one CSV row per point.  README 'Dynamics'.\n"
    "\n"
    "inputs\n"
    "  --par NAME=A:B        the parameter and its range, in its canonical unit\n"
    "  -p, --params FILE     parameter CSV (default: the model's published set); repeatable\n"
    "  --set NAME=VALUE[UNIT] override one value\n"
    "  --box STATE=LO:HI     the box (default as for 'immunosim equilibria', at A)\n"
    "  --time T              freeze a time-dependent model at T (default 0)\n"
    "  --starts N            Newton starts for the equilibria at A and B\n"
    "  --max-points N        points per branch (default 5000)\n"
    "  --max-step H          largest step in scaled arclength (default 0.05)\n"
    "output\n"
    "  -o, --out FILE        CSV: kind,branch,NAME,<states>,stability,type,label,n_unstable,\n"
    "                        max_re,count,period; kind 'eq' for branch points, 'orbit_max',\n"
    "                        'orbit_min', 'orbit_eq', 'orbit_monotone' for --orbits rows\n"
    "orbit diagram (simulation from the initial state at each of --npar values)\n"
    "  --orbits STATE        record the local maxima and minima of STATE after a transient\n"
    "  --npar N              parameter values from A to B (default 51)\n"
    "  --logpar              log-spaced values\n"
    "  --transient T         discarded time (default 2000, model time unit)\n"
    "  --window T            recorded time (default 2000)\n"
    "  --carry               start each value from the end state of the previous one\n"
    "  --rtol R, --atol A    solver tolerances (default 1e-8, 1e-10)\n"
    "  --extinct STATE=FLOOR set STATE to 0 below FLOOR; --no-extinct: drop the model's rule\n"
    "\n"
    "examples:\n"
    "  immunosim continue kirschner_panetta1998 --par c=0.005:0.05 -o kp_c.csv\n"
    "  immunosim continue kuznetsov1994 --par d=0.01:0.1 -o kz_d.csv\n"
    "  immunosim continue kirschner_panetta1998 --par c=0.02:0.05 --orbits T --npar 31 \\\n"
    "    -o kp_orbits.csv\n";

static int write_point(ims_output_t *o, const ims_model_t *m, const ims_cont_point_t *pt)
{
  char line[8192], nb[32];
  int n = m->nstates;
  double mre = -INFINITY;
  for (int i = 0; i < n; i++)
    mre = fmax(mre, pt->re[i]);
  int l = snprintf(line, sizeof line, "eq,%d,%.12g", pt->branch + 1, pt->par);
  for (int i = 0; i < n && l < (int)sizeof line - 64; i++)
    l += snprintf(line + l, sizeof line - (size_t)l, ",%.12g", pt->x[i]);
  snprintf(line + l, sizeof line - (size_t)l, ",%s,%s,%s,%d,%s,,",
           ims_stability_name(pt->stability), ims_eq_type_name(pt->type),
           ims_cont_label_name(pt->label), pt->nunstable, cli_num(nb, mre));
  return ims_output_line(o, "%s", line);
}

static int write_orbit(ims_output_t *o, const ims_model_t *m, const ims_orbit_row_t *r, int col)
{
  char line[8192];
  int l = snprintf(line, sizeof line, "orbit_%s,,%.12g", ims_orbit_kind_name(r->kind), r->par);
  for (int i = 0; i < m->nstates && l < (int)sizeof line - 64; i++)
    l += i == col ? snprintf(line + l, sizeof line - (size_t)l, ",%.12g", r->value)
                  : snprintf(line + l, sizeof line - (size_t)l, ",NaN");
  char nb[32];
  snprintf(line + l, sizeof line - (size_t)l, ",,,,,,%d,%s", r->count, cli_num(nb, r->period));
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

static int orbits(const dyn_args_t *a, cli_setup_t *s, int par, double pa, double pb,
                  ims_orbit_t **ob, int *col, double *tw, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  const char *st = dyn_str(a, O_ORBITS, NULL);
  *col = ims_model_state_index(m, st);
  if (*col < 0)
    return ims_err_set(err, IMS_EINPUT, "--orbits %s: model %s has no state '%s'", st, m->name, st);
  ims_orbit_opts_t o;
  ims_orbit_opts_default(&o);
  double np;
  if (dyn_num(a, O_NPAR, opts, 51, &np) < 0 ||
      dyn_num(a, O_TRANSIENT, opts, 2000, &o.transient) < 0 ||
      dyn_num(a, O_WINDOW, opts, 2000, &o.window) < 0)
    return ims_err_set(err, IMS_EINPUT, "%s", "");
  if (np < 1 || np > 100000 || np != floor(np))
    return ims_err_set(err, IMS_EINPUT, "--npar %g: give a whole number from 1 to 100000", np);
  o.npar = (int)np;
  o.col = *col;
  o.logpar = a->n[O_LOGPAR] > 0;
  o.carry = a->n[O_CARRY] > 0;
  o.sim = &s->opts;
  tw[0] = o.transient;
  tw[1] = o.window;
  return ims_orbit_diagram(m, s->params->value, par, pa, pb, &o, ob, err);
}

static int run(const dyn_args_t *a, ims_err_t *err)
{
  cli_setup_t s;
  cli_run_args_t r;
  cli_run_args_init(&r);
  r.rtol = 1e-8;
  r.atol = 1e-10;
  r.max_steps = 1000000;
  r.no_extinct = a->n[O_NOEXT] > 0;
  for (int i = 0; i < a->n[O_EXTINCT]; i++)
    r.extinct[r.nextinct++] = a->v[O_EXTINCT][i];
  if (dyn_num(a, O_RTOL, opts, 1e-8, &r.rtol) < 0 || dyn_num(a, O_ATOL, opts, 1e-10, &r.atol) < 0)
    return ims_err_set(err, IMS_EINPUT, "%s", "");
  ims_cont_t *c = NULL;
  ims_orbit_t *ob = NULL;
  ims_output_t *out = NULL;
  double *lo = NULL, *hi = NULL, pa = 0, pb = 0, t, starts, maxpts, step, tw[2] = {0, 0};
  int par = -1, col = -1;
  int rc = dyn_setup(&s, &r, a, O_PARAMS, O_SET, err);
  const ims_model_t *m = s.m;
  rc = rc ? rc : parse_par(m, dyn_str(a, O_PAR, NULL), &par, &pa, &pb, err);
  if (!rc && (dyn_num(a, O_T, opts, 0, &t) < 0 || dyn_num(a, O_STARTS, opts, 0, &starts) < 0 ||
              dyn_num(a, O_MAXPTS, opts, 0, &maxpts) < 0 || dyn_num(a, O_STEP, opts, 0, &step) < 0))
    rc = ims_err_set(err, IMS_EINPUT, "%s", "");
  if (!rc && (starts < 0 || starts > 100000 || maxpts < 0 || maxpts > 1e7 || step < 0 || step > 1))
    rc = ims_err_set(err, IMS_EINPUT,
                     "--starts (0 to 100000), --max-points (up to 1e7), --max-step (0 to 1)");
  if (!rc) {
    lo = malloc((size_t)m->nstates * sizeof *lo);
    hi = malloc((size_t)m->nstates * sizeof *hi);
    rc = lo && hi ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  if (!rc) {
    double keep = s.params->value[par];
    s.params->value[par] = pa;
    ims_eq_box_default(m, s.params->value, lo, hi);
    s.params->value[par] = keep;
    rc = dyn_box(m, a, O_BOX, lo, hi, err);
  }
  rc = rc ? rc : ims_cont_alloc(&c, m, err);
  if (!rc) {
    ims_cont_opts_t co;
    ims_cont_opts_default(&co);
    co.eq.t = t;
    co.eq.nstarts = (int)starts;
    co.max_points = (int)maxpts;
    co.hmax = step;
    rc = ims_cont_run(c, s.params->value, par, pa, pb, lo, hi, &co, err);
  }
  if (!rc && a->n[O_ORBITS])
    rc = orbits(a, &s, par, pa, pb, &ob, &col, tw, err);
  const char *path = dyn_str(a, O_OUT, NULL);
  if (!rc && path) {
    rc = ims_output_open(&out, path, IMS_FMT_CSV, err);
    if (!rc) {
      const char *pname = m->params[par].name;
      dyn_meta(out, &s, &r, lo, hi);
      ims_output_comment(out, "continuation in %s from %.10g to %.10g %s; t = %g %s; %s Jacobian",
                         pname, pa, pb, m->params[par].unit, t, m->time_unit,
                         m->jac ? "analytic" : "difference-quotient");
      if (ob)
        ims_output_comment(out, "orbits: %s, transient %g, window %g %s, rtol %g, atol %g%s",
                           m->states[col].name, tw[0], tw[1], m->time_unit, r.rtol, r.atol,
                           a->n[O_CARRY] ? ", carried" : "");
      int n = m->nstates, nc = n + 10;
      const char **names = calloc((size_t)nc, sizeof *names);
      const char **units = calloc((size_t)nc, sizeof *units);
      char rate[64];
      snprintf(rate, sizeof rate, "1/%s", m->time_unit);
      if (!names || !units)
        rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
      else {
        int k = 0;
        names[k] = "kind", units[k++] = "1";
        names[k] = "branch", units[k++] = "1";
        names[k] = pname, units[k++] = m->params[par].unit;
        for (int i = 0; i < n; i++)
          names[k] = m->states[i].name, units[k++] = m->states[i].unit;
        const char *tail[] = {"stability", "type",  "label", "n_unstable",
                              "max_re",    "count", "period"};
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
    }
    rc = rc ? (ims_output_abort(out), rc) : ims_output_commit(out, err);
  }
  if (!rc)
    summary(m, c, m->params[par].name, ob);
  ims_cont_free(c);
  ims_orbit_free(ob);
  free(lo);
  free(hi);
  cli_setup_free(&s);
  return rc;
}

int cmd_continue(int argc, char **argv)
{
  gsl_set_error_handler_off(); /* report GSL failures, never abort (see equilibria.c) */
  dyn_args_t a;
  int p = dyn_parse("continue", help, opts, O_N, argc, argv, &a);
  if (p)
    return p < 0 ? 0 : p;
  ims_err_t err = {0};
  int rc = run(&a, &err);
  if (rc && !err.msg[0])
    return ims_err_exit_code(rc); /* already reported */
  return rc ? cli_fail(rc, &err) : 0;
}
