/* immunosim equilibria: every equilibrium in a box, its eigenvalues and
 * type; optionally phase-plane data (nullclines, direction field). */
#include "immunosim/equilibria.h"

#include "dyncli.h"
#include "immunosim/phase.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  O_PARAMS,
  O_SET,
  O_BOX,
  O_OUT,
  O_T,
  O_STARTS,
  O_PLANE,
  O_XRANGE,
  O_YRANGE,
  O_GRID,
  O_LOGX,
  O_LOGY,
  O_SLAVED,
  O_AT,
  O_NULLCLINES,
  O_FIELD,
  O_N
};

static const dyn_opt_t opts[O_N] = {
    [O_PARAMS] = {"--params", "-p", 1, 1},
    [O_SET] = {"--set", NULL, 1, 1},
    [O_BOX] = {"--box", NULL, 1, 1},
    [O_OUT] = {"--out", "-o", 1, 0},
    [O_T] = {"--time", NULL, 1, 0},
    [O_STARTS] = {"--starts", NULL, 1, 0},
    [O_PLANE] = {"--plane", NULL, 1, 0},
    [O_XRANGE] = {"--xrange", NULL, 1, 0},
    [O_YRANGE] = {"--yrange", NULL, 1, 0},
    [O_GRID] = {"--grid", NULL, 1, 0},
    [O_LOGX] = {"--logx", NULL, 0, 0},
    [O_LOGY] = {"--logy", NULL, 0, 0},
    [O_SLAVED] = {"--slaved", NULL, 0, 0},
    [O_AT] = {"--at", NULL, 1, 0},
    [O_NULLCLINES] = {"--nullclines", NULL, 1, 0},
    [O_FIELD] = {"--field", NULL, 1, 0},
};

static const char help[] =
    "usage: immunosim equilibria MODEL [options]\n"
    "\n"
    "Every equilibrium of MODEL in a box of states: the state, the eigenvalues of the\n"
    "Jacobian and the type (stable/unstable node or focus, saddle, saddle-focus, centre,\n"
    "non-hyperbolic).  Boundary equilibria (a state at exactly 0) are included.  A table goes\n"
    "to stdout; -o writes CSV.  Method and tolerances: README 'Dynamics'.\n"
    "\n"
    "inputs\n"
    "  -p, --params FILE     parameter CSV (default: the model's published set); repeatable\n"
    "  --set NAME=VALUE[UNIT] override one value\n"
    "  --box STATE=LO:HI     search box of one state, in its unit (repeatable); default 0 to\n"
    "                        10 x the state's scale (initial value, parameters in its unit)\n"
    "  --time T              freeze a time-dependent model at T (default 0)\n"
    "  --starts N            quasi-random Newton starts (default 40 + 20 per state, max 400)\n"
    "output\n"
    "  -o, --out FILE        CSV: index, states, type, stability, n_unstable, n_boundary,\n"
    "                        continuum, then re_k,im_k per eigenvalue\n"
    "phase plane (two states; the others fixed, or quasi-steady with --slaved)\n"
    "  --plane X,Y           the two states\n"
    "  --xrange A:B --yrange A:B   ranges (default: the box)\n"
    "  --grid N              grid points per axis (default 30)\n"
    "  --logx, --logy        log-spaced axes (a range starting at 0 starts at 1e-6 of its end)\n"
    "  --at K                the other states at equilibrium K (as numbered in the table);\n"
    "                        default: the initial state\n"
    "  --slaved              the other states at their own equilibrium for each (X, Y)\n"
    "  --nullclines FILE     CSV nullcline,segment,X,Y (points solved on the curve)\n"
    "  --field FILE          CSV X,Y,dX,dY: the direction field on the grid\n"
    "\n"
    "A model without an equilibrium in the box says so (exit 0).\n"
    "\n"
    "examples:\n"
    "  immunosim equilibria kuznetsov1994\n"
    "  immunosim equilibria kirschner_panetta1998 --set c=0.04 -o kp_eq.csv\n"
    "  immunosim equilibria kuznetsov1994 --plane E,T --logx --logy --xrange 1e4:1e7 \\\n"
    "    --yrange 1e5:1e9 --nullclines kz_nc.csv --field kz_field.csv\n";

static void eig_text(char *buf, size_t n, const ims_equilibrium_t *e, int ns)
{
  size_t k = 0;
  buf[0] = '\0';
  for (int i = 0; i < ns && k < n; i++) {
    if (e->im[i] < 0)
      continue; /* printed with its conjugate */
    if (e->im[i] > 0)
      k += (size_t)snprintf(buf + k, n - k, "%s%.5g ± %.5gi", k ? ", " : "", e->re[i] + 0.0,
                            e->im[i]);
    else
      k += (size_t)snprintf(buf + k, n - k, "%s%.5g", k ? ", " : "", e->re[i] + 0.0);
  }
}

static const char *type_text(const ims_equilibrium_t *e, char *buf, size_t n)
{
  snprintf(buf, n, "%s%s", ims_eq_type_name(e->type), e->isolated ? "" : " (continuum)");
  return buf;
}

static void print_table(const cli_setup_t *s, ims_eq_t *eq, const char *setname)
{
  const ims_model_t *m = s->m;
  int n = m->nstates, ne = ims_eq_count(eq);
  const double *lo = ims_eq_lo(eq), *hi = ims_eq_hi(eq);
  printf("%s (%s): ", m->name, setname);
  if (ne == 0)
    printf("no equilibrium in the box");
  else
    printf("%d equilibri%s in the box", ne, ne == 1 ? "um" : "a");
  for (int i = 0; i < n; i++)
    printf("%s %s %g:%g %s", i ? "," : "", m->states[i].name, lo[i], hi[i], m->states[i].unit);
  printf("\n");
  if (ne == 0) {
    printf("widen it with --box STATE=LO:HI\n");
    return;
  }
  int w[66] = {0};
  char cell[48], tb[48];
  w[0] = 1;
  for (int i = 0; i < n; i++) {
    snprintf(cell, sizeof cell, "%s (%s)", m->states[i].name, m->states[i].unit);
    w[1 + i] = (int)strlen(cell);
  }
  w[n + 1] = 4;
  for (int k = 0; k < ne; k++) {
    const ims_equilibrium_t *e = ims_eq_get(eq, k);
    for (int i = 0; i < n; i++) {
      int l = snprintf(cell, sizeof cell, "%.7g", e->x[i]);
      w[1 + i] = l > w[1 + i] ? l : w[1 + i];
    }
    int l = (int)strlen(type_text(e, tb, sizeof tb));
    w[n + 1] = l > w[n + 1] ? l : w[n + 1];
  }
  printf("%-*s", w[0], "#");
  for (int i = 0; i < n; i++) {
    snprintf(cell, sizeof cell, "%s (%s)", m->states[i].name, m->states[i].unit);
    printf("  %*s", w[1 + i], cell);
  }
  printf("  %-*s  eigenvalues (1/%s)\n", w[n + 1], "type", m->time_unit);
  for (int k = 0; k < ne; k++) {
    const ims_equilibrium_t *e = ims_eq_get(eq, k);
    char ev[1024];
    printf("%-*d", w[0], k + 1);
    for (int i = 0; i < n; i++)
      printf("  %*.7g", w[1 + i], e->x[i]);
    eig_text(ev, sizeof ev, e, n);
    printf("  %-*s  %s\n", w[n + 1], type_text(e, tb, sizeof tb), ev);
  }
  if (ims_eq_truncated(eq))
    printf("stopped after %d equilibria: there may be more (a continuum?)\n", ne);
}

static int write_csv(ims_output_t *o, const cli_setup_t *s, ims_eq_t *eq)
{
  const ims_model_t *m = s->m;
  int n = m->nstates, nc = 1 + n + 5 + 2 * n;
  const char **names = calloc((size_t)nc, sizeof *names),
             **units = calloc((size_t)nc, sizeof *units);
  char(*buf)[32] = calloc(2 * (size_t)n + 1, sizeof *buf);
  char rate[64];
  snprintf(rate, sizeof rate, "1/%s", m->time_unit);
  if (!names || !units || !buf) {
    free(names);
    free(units);
    free(buf);
    return IMS_ENOMEM;
  }
  int c = 0;
  names[c] = "index", units[c++] = "1";
  for (int i = 0; i < n; i++)
    names[c] = m->states[i].name, units[c++] = m->states[i].unit;
  const char *txt[] = {"type", "stability", "n_unstable", "n_boundary", "continuum"};
  for (int i = 0; i < 5; i++)
    names[c] = txt[i], units[c++] = "1";
  for (int i = 0; i < n; i++) {
    snprintf(buf[2 * i], 32, "re_%d", i + 1);
    snprintf(buf[2 * i + 1], 32, "im_%d", i + 1);
    names[c] = buf[2 * i], units[c++] = rate;
    names[c] = buf[2 * i + 1], units[c++] = rate;
  }
  ims_output_header(o, nc, names, units);
  for (int k = 0; k < ims_eq_count(eq); k++) {
    const ims_equilibrium_t *e = ims_eq_get(eq, k);
    char line[8192], nb[32];
    int l = snprintf(line, sizeof line, "%d", k + 1);
    for (int i = 0; i < n; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", cli_num(nb, e->x[i]));
    l += snprintf(line + l, sizeof line - (size_t)l, ",%s,%s,%d,%d,%d", ims_eq_type_name(e->type),
                  ims_stability_name(e->stability), e->nunstable, e->nboundary, !e->isolated);
    for (int i = 0; i < n && l < (int)sizeof line - 64; i++) {
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", cli_num(nb, e->re[i]));
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", cli_num(nb, e->im[i]));
    }
    ims_output_line(o, "%s", line);
  }
  free(names);
  free(units);
  free(buf);
  return IMS_OK;
}

/* The phase-plane settings from the options. */
static int plane_setup(const dyn_args_t *a, const cli_setup_t *s, ims_eq_t *eq, ims_plane_t *pl,
                       double *base, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  const char *pv = dyn_str(a, O_PLANE, NULL), *comma = strchr(pv, ',');
  char xn[128];
  if (!comma || comma == pv || (size_t)(comma - pv) >= sizeof xn)
    return ims_err_set(err, IMS_EINPUT, "--plane %s: expected two states X,Y, e.g. --plane E,T",
                       pv);
  memcpy(xn, pv, (size_t)(comma - pv));
  xn[comma - pv] = '\0';
  memset(pl, 0, sizeof *pl);
  pl->ix = ims_model_state_index(m, xn);
  pl->iy = ims_model_state_index(m, comma + 1);
  if (pl->ix < 0 || pl->iy < 0 || pl->ix == pl->iy)
    return ims_err_set(err, IMS_EINPUT, "--plane %s: give two different states of %s", pv, m->name);
  pl->logx = a->n[O_LOGX] > 0;
  pl->logy = a->n[O_LOGY] > 0;
  pl->slaved = a->n[O_SLAVED] > 0;
  const double *lo = ims_eq_lo(eq), *hi = ims_eq_hi(eq);
  pl->x0 = lo[pl->ix], pl->x1 = hi[pl->ix], pl->y0 = lo[pl->iy], pl->y1 = hi[pl->iy];
  if (pl->logx && pl->x0 <= 0)
    pl->x0 = 1e-6 * pl->x1;
  if (pl->logy && pl->y0 <= 0)
    pl->y0 = 1e-6 * pl->y1;
  const char *xr = dyn_str(a, O_XRANGE, NULL), *yr = dyn_str(a, O_YRANGE, NULL);
  if ((xr && dyn_range(xr, &pl->x0, &pl->x1)) || (yr && dyn_range(yr, &pl->y0, &pl->y1)))
    return ims_err_set(err, IMS_EINPUT, "--xrange/--yrange: expected A:B with finite numbers");
  double g;
  if (dyn_num(a, O_GRID, opts, 30, &g) < 0)
    return IMS_EINPUT;
  if (!(g >= 2 && g <= 2000) || g != floor(g))
    return ims_err_set(err, IMS_EINPUT, "--grid %g: give a whole number from 2 to 2000", g);
  pl->nx = pl->ny = (int)g;
  double at;
  if (dyn_num(a, O_AT, opts, 0, &at) < 0)
    return IMS_EINPUT;
  if (a->n[O_AT]) {
    if (at != floor(at) || at < 1 || at > ims_eq_count(eq))
      return ims_err_set(err, IMS_EINPUT, "--at %g: there %s %d equilibri%s (1 to %d)", at,
                         ims_eq_count(eq) == 1 ? "is" : "are", ims_eq_count(eq),
                         ims_eq_count(eq) == 1 ? "um" : "a", ims_eq_count(eq));
    memcpy(base, ims_eq_get(eq, (int)at - 1)->x, (size_t)m->nstates * sizeof *base);
    pl->base = base;
  }
  return IMS_OK;
}

static int write_plane(const dyn_args_t *a, const cli_setup_t *s, const cli_run_args_t *r,
                       ims_eq_t *eq, ims_output_t **onc, ims_output_t **ofd, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  ims_plane_t pl;
  double *base = malloc((size_t)m->nstates * sizeof *base);
  if (!base)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  int rc = plane_setup(a, s, eq, &pl, base, err);
  const char *X = rc ? "" : m->states[pl.ix].name, *Y = rc ? "" : m->states[pl.iy].name;
  char rate[2][64];
  if (!rc) {
    snprintf(rate[0], 64, "%s/%s", m->states[pl.ix].unit, m->time_unit);
    snprintf(rate[1], 64, "%s/%s", m->states[pl.iy].unit, m->time_unit);
  }
  const char *proj = pl.slaved ? "the other states at their equilibrium for each point (--slaved)"
                     : pl.base ? "the other states fixed at equilibrium --at"
                               : "the other states fixed at the initial state";
  if (!rc && a->n[O_NULLCLINES]) {
    ims_nullclines_t *nc = NULL;
    rc = ims_plane_nullclines(m, s->params->value, &pl, &nc, err);
    rc = rc ? rc : ims_output_open(onc, dyn_str(a, O_NULLCLINES, NULL), IMS_FMT_CSV, err);
    if (!rc) {
      dyn_meta(*onc, s, r, NULL, NULL);
      ims_output_comment(*onc, "nullclines of the %s,%s plane; %s", X, Y,
                         m->nstates > 2 ? proj : "a two-state model");
      const char *names[] = {"nullcline", "segment", X, Y};
      const char *units[] = {"1", "1", m->states[pl.ix].unit, m->states[pl.iy].unit};
      ims_output_header(*onc, 4, names, units);
      for (size_t k = 0; k < nc->n; k++)
        ims_output_line(*onc, "%s,%d,%.12g,%.12g", nc->pt[k].which ? Y : X, nc->pt[k].seg,
                        nc->pt[k].x, nc->pt[k].y);
    }
    ims_nullclines_free(nc);
  }
  if (!rc && a->n[O_FIELD]) {
    size_t nn = (size_t)pl.nx * (size_t)pl.ny;
    double *x = malloc((size_t)pl.nx * sizeof *x), *y = malloc((size_t)pl.ny * sizeof *y);
    double *fx = malloc(nn * sizeof *fx), *fy = malloc(nn * sizeof *fy);
    rc = x && y && fx && fy ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
    rc = rc ? rc : ims_plane_field(m, s->params->value, &pl, x, y, fx, fy, err);
    rc = rc ? rc : ims_output_open(ofd, dyn_str(a, O_FIELD, NULL), IMS_FMT_CSV, err);
    if (!rc) {
      dyn_meta(*ofd, s, r, NULL, NULL);
      ims_output_comment(*ofd, "direction field of the %s,%s plane; %s", X, Y,
                         m->nstates > 2 ? proj : "a two-state model");
      char dx[80], dy[80];
      snprintf(dx, sizeof dx, "d%s", X);
      snprintf(dy, sizeof dy, "d%s", Y);
      const char *names[] = {X, Y, dx, dy};
      const char *units[] = {m->states[pl.ix].unit, m->states[pl.iy].unit, rate[0], rate[1]};
      ims_output_header(*ofd, 4, names, units);
      for (int j = 0; j < pl.ny; j++)
        for (int i = 0; i < pl.nx; i++) {
          size_t k = (size_t)j * (size_t)pl.nx + (size_t)i;
          char b1[32], b2[32];
          ims_output_line(*ofd, "%.10g,%.10g,%s,%s", x[i], y[j], cli_num(b1, fx[k]),
                          cli_num(b2, fy[k]));
        }
    }
    free(x);
    free(y);
    free(fx);
    free(fy);
  }
  free(base);
  return rc;
}

static int run(const dyn_args_t *a, ims_err_t *err)
{
  cli_setup_t s;
  cli_run_args_t r;
  cli_run_args_init(&r);
  ims_eq_t *eq = NULL;
  ims_output_t *out = NULL, *onc = NULL, *ofd = NULL;
  double *lo = NULL, *hi = NULL, t, starts;
  int rc = dyn_setup(&s, &r, a, O_PARAMS, O_SET, err);
  const ims_model_t *m = s.m;
  if (!rc && (dyn_num(a, O_T, opts, 0, &t) < 0 || dyn_num(a, O_STARTS, opts, 0, &starts) < 0))
    rc = IMS_EINPUT, err->msg[0] = '\0';
  if (!rc && (starts < 0 || starts > 100000 || starts != floor(starts)))
    rc = ims_err_set(err, IMS_EINPUT, "--starts %g: give a whole number up to 100000", starts);
  if (!rc && (a->n[O_NULLCLINES] || a->n[O_FIELD]) && !a->n[O_PLANE])
    rc = ims_err_set(err, IMS_EINPUT, "--nullclines and --field need --plane X,Y");
  if (!rc) {
    lo = malloc((size_t)m->nstates * sizeof *lo);
    hi = malloc((size_t)m->nstates * sizeof *hi);
    rc = lo && hi ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  if (!rc) {
    ims_eq_box_default(m, s.params->value, lo, hi);
    rc = dyn_box(m, a, O_BOX, lo, hi, err);
  }
  rc = rc ? rc : ims_eq_alloc(&eq, m, err);
  if (!rc) {
    ims_eq_opts_t eo;
    ims_eq_opts_default(&eo);
    eo.t = t;
    eo.nstarts = (int)starts;
    rc = ims_eq_find(eq, s.params->value, lo, hi, &eo, err);
  }
  const char *path = dyn_str(a, O_OUT, NULL);
  if (!rc && path) {
    rc = ims_output_open(&out, path, IMS_FMT_CSV, err);
    if (!rc) {
      dyn_meta(out, &s, &r, ims_eq_lo(eq), ims_eq_hi(eq));
      ims_output_comment(out, "vector field frozen at t = %g %s; %s Jacobian", t, m->time_unit,
                         m->jac ? "analytic" : "difference-quotient");
      ims_output_comment(out, "equilibria: %d in the box%s", ims_eq_count(eq),
                         ims_eq_truncated(eq) ? " (stopped at the limit: there may be more)" : "");
      rc = write_csv(out, &s, eq);
    }
  }
  if (!rc && a->n[O_PLANE])
    rc = write_plane(a, &s, &r, eq, &onc, &ofd, err);
  if (rc) {
    ims_output_abort(out);
    ims_output_abort(onc);
    ims_output_abort(ofd);
  } else {
    ims_output_t *all[3] = {out, onc, ofd};
    for (int i = 0; i < 3; i++)
      if (all[i]) {
        int c = rc ? (ims_output_abort(all[i]), rc) : ims_output_commit(all[i], err);
        rc = rc ? rc : c;
      }
  }
  if (!rc) {
    const char *setname = s.params->nfiles ? s.params->files[s.params->nfiles - 1] : "defaults";
    const char *sl = strrchr(setname, '/');
    print_table(&s, eq, sl ? sl + 1 : setname);
  }
  ims_eq_free(eq);
  free(lo);
  free(hi);
  cli_setup_free(&s);
  return rc;
}

int cmd_equilibria(int argc, char **argv)
{
  /* GSL's default handler aborts; the library checks its inputs, and the
   * application decides: report, never abort */
  gsl_set_error_handler_off();
  dyn_args_t a;
  int p = dyn_parse("equilibria", help, opts, O_N, argc, argv, &a);
  if (p)
    return p < 0 ? 0 : p;
  ims_err_t err = {0};
  int rc = run(&a, &err);
  if (rc && !err.msg[0])
    return ims_err_exit_code(rc); /* already reported */
  return rc ? cli_fail(rc, &err) : 0;
}
