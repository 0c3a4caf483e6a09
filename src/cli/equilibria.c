/* immunosim equilibria: every equilibrium in a box, its eigenvalues and
 * type; optionally phase-plane data (nullclines, direction field). */
#include "immunosim/equilibria.h"

#include "dyncli.h"
#include "immunosim/phase.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void print_table(const ims_model_t *m, ims_eq_t *eq, const char *setname)
{
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

static int write_csv(ims_output_t *o, const ims_model_t *m, ims_eq_t *eq, ims_err_t *err)
{
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
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
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
    char line[8192], nb[IMS_NUMBUF];
    int l = snprintf(line, sizeof line, "%d", k + 1);
    for (int i = 0; i < n; i++)
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", ims_fmt_num(nb, e->x[i]));
    l += snprintf(line + l, sizeof line - (size_t)l, ",%s,%s,%d,%d,%d", ims_eq_type_name(e->type),
                  ims_stability_name(e->stability), e->nunstable, e->nboundary, !e->isolated);
    for (int i = 0; i < n && l < (int)sizeof line - 64; i++) {
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", ims_fmt_num(nb, e->re[i]));
      l += snprintf(line + l, sizeof line - (size_t)l, ",%s", ims_fmt_num(nb, e->im[i]));
    }
    ims_output_line(o, "%s", line);
  }
  free(names);
  free(units);
  free(buf);
  return IMS_OK;
}

/* The phase plane the options describe, over the box lo, hi (checked
 * before any work; --at needs the equilibria, see plane_at). */
static int plane_setup(const cli_args_t *a, const ims_model_t *m, const double *lo,
                       const double *hi, ims_plane_t *pl, ims_err_t *err)
{
  const char *pv = cli_str(a, OPT_PLANE, NULL), *comma = strchr(pv, ',');
  char xn[128];
  memset(pl, 0, sizeof *pl);
  if (!comma || comma == pv || (size_t)(comma - pv) >= sizeof xn)
    return ims_err_set(err, IMS_EINPUT, "--plane %s: expected two states X,Y, e.g. --plane E,T",
                       pv);
  memcpy(xn, pv, (size_t)(comma - pv));
  xn[comma - pv] = '\0';
  pl->ix = ims_model_state_index(m, xn);
  pl->iy = ims_model_state_index(m, comma + 1);
  if (pl->ix < 0 || pl->iy < 0 || pl->ix == pl->iy)
    return ims_err_set(err, IMS_EINPUT, "--plane %s: give two different states of %s", pv, m->name);
  pl->logx = cli_flag(a, OPT_LOGX);
  pl->logy = cli_flag(a, OPT_LOGY);
  pl->slaved = cli_flag(a, OPT_SLAVED);
  pl->x0 = lo[pl->ix], pl->x1 = hi[pl->ix], pl->y0 = lo[pl->iy], pl->y1 = hi[pl->iy];
  if (pl->logx && pl->x0 <= 0)
    pl->x0 = 1e-6 * pl->x1;
  if (pl->logy && pl->y0 <= 0)
    pl->y0 = 1e-6 * pl->y1;
  const char *xr = cli_str(a, OPT_XRANGE, NULL), *yr = cli_str(a, OPT_YRANGE, NULL);
  if (xr && dyn_range(xr, &pl->x0, &pl->x1))
    return ims_err_set(err, IMS_EINPUT, "--xrange %s: expected A:B with finite numbers", xr);
  if (yr && dyn_range(yr, &pl->y0, &pl->y1))
    return ims_err_set(err, IMS_EINPUT, "--yrange %s: expected A:B with finite numbers", yr);
  pl->nx = pl->ny = (int)cli_num(a, OPT_GRID, 30); /* the table checked 2 to 2000 */
  return IMS_OK;
}

/* --at K: the other states at equilibrium K (1-based, as printed). */
static int plane_at(const cli_args_t *a, const ims_model_t *m, ims_eq_t *eq, ims_plane_t *pl,
                    double *base, ims_err_t *err)
{
  if (!cli_count(a, OPT_AT))
    return IMS_OK;
  double at = cli_num(a, OPT_AT, 1); /* an integer >= 1 (the table) */
  int ne = ims_eq_count(eq);
  if (at > ne)
    return ims_err_set(err, IMS_EINPUT, "--at %g: there %s %d equilibri%s in the box%s", at,
                       ne == 1 ? "is" : "are", ne, ne == 1 ? "um" : "a",
                       ne ? "" : "; widen it with --box STATE=LO:HI");
  memcpy(base, ims_eq_get(eq, (int)at - 1)->x, (size_t)m->nstates * sizeof *base);
  pl->base = base;
  return IMS_OK;
}

static void plane_meta(ims_output_t *o, const ims_run_t *r, const ims_plane_t *pl, const char *what)
{
  const ims_model_t *m = r->m;
  const char *proj = m->nstates <= 2 ? "a two-state model"
                     : pl->slaved    ? "the other states at their equilibrium for each point "
                                       "(--slaved)"
                     : pl->base      ? "the other states fixed at equilibrium --at"
                                     : "the other states fixed at the initial state";
  dyn_meta(o, r, NULL, NULL);
  ims_output_comment(o, "%s of the %s,%s plane; %s", what, m->states[pl->ix].name,
                     m->states[pl->iy].name, proj);
}

static int write_nullclines(ims_output_t *o, const ims_run_t *r, const ims_plane_t *pl,
                            ims_err_t *err)
{
  const ims_model_t *m = r->m;
  const char *X = m->states[pl->ix].name, *Y = m->states[pl->iy].name;
  ims_nullclines_t *nc = NULL;
  int rc = ims_plane_nullclines(m, r->params->value, pl, &nc, err);
  if (!rc) {
    plane_meta(o, r, pl, "nullclines");
    const char *names[] = {"nullcline", "segment", X, Y};
    const char *units[] = {"1", "1", m->states[pl->ix].unit, m->states[pl->iy].unit};
    ims_output_header(o, 4, names, units);
    for (size_t k = 0; k < nc->n; k++)
      ims_output_line(o, "%s,%d,%.12g,%.12g", nc->pt[k].which ? Y : X, nc->pt[k].seg, nc->pt[k].x,
                      nc->pt[k].y);
  }
  ims_nullclines_free(nc);
  return rc;
}

static int write_field(ims_output_t *o, const ims_run_t *r, const ims_plane_t *pl, ims_err_t *err)
{
  const ims_model_t *m = r->m;
  const char *X = m->states[pl->ix].name, *Y = m->states[pl->iy].name;
  size_t nn = (size_t)pl->nx * (size_t)pl->ny;
  double *x = malloc((size_t)pl->nx * sizeof *x), *y = malloc((size_t)pl->ny * sizeof *y);
  double *fx = malloc(nn * sizeof *fx), *fy = malloc(nn * sizeof *fy);
  int rc = x && y && fx && fy ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = rc ? rc : ims_plane_field(m, r->params->value, pl, x, y, fx, fy, err);
  if (!rc) {
    plane_meta(o, r, pl, "direction field");
    char dx[80], dy[80], rx[64], ry[64];
    snprintf(dx, sizeof dx, "d%s", X);
    snprintf(dy, sizeof dy, "d%s", Y);
    snprintf(rx, sizeof rx, "%s/%s", m->states[pl->ix].unit, m->time_unit);
    snprintf(ry, sizeof ry, "%s/%s", m->states[pl->iy].unit, m->time_unit);
    const char *names[] = {X, Y, dx, dy};
    const char *units[] = {m->states[pl->ix].unit, m->states[pl->iy].unit, rx, ry};
    ims_output_header(o, 4, names, units);
    for (int j = 0; j < pl->ny; j++)
      for (int i = 0; i < pl->nx; i++) {
        size_t k = (size_t)j * (size_t)pl->nx + (size_t)i;
        char b1[IMS_NUMBUF], b2[IMS_NUMBUF];
        ims_output_line(o, "%.10g,%.10g,%s,%s", x[i], y[j], ims_fmt_num(b1, fx[k]),
                        ims_fmt_num(b2, fy[k]));
      }
  }
  free(x);
  free(y);
  free(fx);
  free(fy);
  return rc;
}

int cmd_equilibria(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (dyn_begin(&x, "equilibria", argc, argv, NULL, &code))
    return code;
  const cli_args_t *a = &x.a;
  const ims_model_t *m = x.r->m;
  const int outs[] = {OPT_OUT, OPT_NULLCLINES, OPT_FIELD};
  const char *path = cli_str(a, OPT_OUT, NULL), *pnc = cli_str(a, OPT_NULLCLINES, NULL),
             *pfd = cli_str(a, OPT_FIELD, NULL);
  double t = cli_num(a, OPT_TIME, 0);
  ims_eq_t *eq = NULL;
  ims_output_t *out = NULL, *onc = NULL, *ofd = NULL;
  ims_plane_t pl;
  double *lo = malloc((size_t)m->nstates * sizeof *lo),
         *hi = malloc((size_t)m->nstates * sizeof *hi),
         *base = malloc((size_t)m->nstates * sizeof *base);
  int rc = lo && hi && base ? IMS_OK : ims_err_set(&x.err, IMS_ENOMEM, "out of memory");
  /* every value first, then every output (an unwritable path fails before the search) */
  rc = rc ? rc : dyn_needs(a, "phase plane", OPT_PLANE, "--plane X,Y", &x.err);
  rc = rc ? rc : dyn_one_stdout(a, outs, 3, &x.err);
  if (!rc) {
    ims_eq_box_default(m, x.r->params->value, lo, hi);
    rc = dyn_box(m, a, lo, hi, &x.err);
  }
  if (!rc && cli_count(a, OPT_PLANE) && !pnc && !pfd)
    rc = ims_err_set(&x.err, IMS_EINPUT,
                     "--plane %s: write it with --nullclines FILE or --field FILE",
                     cli_str(a, OPT_PLANE, ""));
  if (!rc && cli_count(a, OPT_PLANE))
    rc = plane_setup(a, m, lo, hi, &pl, &x.err);
  rc = rc || !path ? rc : ims_outset_open(x.g, &out, path, IMS_FMT_CSV, &x.err);
  rc = rc || !pnc ? rc : ims_outset_open(x.g, &onc, pnc, IMS_FMT_CSV, &x.err);
  rc = rc || !pfd ? rc : ims_outset_open(x.g, &ofd, pfd, IMS_FMT_CSV, &x.err);
  rc = rc ? rc : ims_eq_alloc(&eq, m, &x.err);
  if (!rc) {
    ims_eq_opts_t eo;
    ims_eq_opts_default(&eo);
    eo.t = t;
    eo.nstarts = (int)cli_num(a, OPT_STARTS, 0); /* 0: the default count */
    rc = ims_eq_find(eq, x.r->params->value, lo, hi, &eo, &x.err);
  }
  if (!rc && out) {
    dyn_meta(out, x.r, ims_eq_lo(eq), ims_eq_hi(eq));
    ims_output_comment(out, "vector field frozen at t = %g %s; %s Jacobian", t, m->time_unit,
                       m->jac ? "analytic" : "difference-quotient");
    ims_output_comment(out, "equilibria: %d in the box%s", ims_eq_count(eq),
                       ims_eq_truncated(eq) ? " (stopped at the limit: there may be more)" : "");
    rc = write_csv(out, m, eq, &x.err);
  }
  if (!rc && cli_count(a, OPT_PLANE))
    rc = plane_at(a, m, eq, &pl, base, &x.err);
  rc = rc || !onc ? rc : write_nullclines(onc, x.r, &pl, &x.err);
  rc = rc || !ofd ? rc : write_field(ofd, x.r, &pl, &x.err);
  rc = cli_commit(&x, rc);
  int piped = 0; /* an output on standard output owns it: no table */
  for (int i = 0; i < 3; i++)
    piped |= !strcmp(cli_str(a, outs[i], ""), "-");
  if (!rc && !piped) {
    const ims_params_t *p = x.r->params;
    const char *setname = p->nfiles ? p->files[p->nfiles - 1] : "defaults";
    const char *sl = strrchr(setname, '/');
    print_table(m, eq, sl ? sl + 1 : setname);
  }
  ims_eq_free(eq);
  free(lo);
  free(hi);
  free(base);
  return cli_end(&x, rc);
}
