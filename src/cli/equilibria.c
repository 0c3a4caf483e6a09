/* immunosim equilibria: every equilibrium in a box, its eigenvalues and
 * type; optionally phase-plane data (nullclines, direction field). */
#include "immunosim/equilibria.h"

#include "dyncli.h"
#include "dynfig.h"
#include "immunosim/phase.h"
#include "immunosim/portrait.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Field arrows: this many grid cells long on the drawn axes. */
#define ARROW 0.7

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
  for (int k = 0; k < 2; k++) { /* a name that is not a state: say which, and suggest one */
    const char *bad = k ? comma + 1 : xn;
    if ((k ? pl->iy : pl->ix) >= 0)
      continue;
    const char *names[64];
    int nn = 0;
    for (int i = 0; i < m->nstates && nn < 64; i++)
      names[nn++] = m->states[i].name;
    const char *sg = ims_suggest(bad, names, nn);
    return ims_err_set(err, IMS_EINPUT, "--plane %s: '%s' is not a state of %s%s%s%s", pv, bad,
                       m->name, sg ? "; did you mean '" : "", sg ? sg : "", sg ? "'?" : "");
  }
  if (pl->ix == pl->iy)
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
  /* the plane's ranges and spacing, for the figure (ims_plot_portrait) */
  ims_output_comment(o, "plane: %s %.10g:%.10g %s; %s %.10g:%.10g %s", m->states[pl->ix].name,
                     pl->x0, pl->x1, pl->logx ? "log" : "lin", m->states[pl->iy].name, pl->y0,
                     pl->y1, pl->logy ? "log" : "lin");
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
  double *ax = malloc(nn * sizeof *ax), *ay = malloc(nn * sizeof *ay);
  int rc = x && y && fx && fy && ax && ay ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = rc ? rc : ims_plane_field(m, r->params->value, pl, x, y, fx, fy, err);
  if (!rc) {
    ims_plane_arrows(pl, x, y, fx, fy, ARROW, ax, ay);
    plane_meta(o, r, pl, "direction field");
    ims_output_comment(o,
                       "arrow_x, arrow_y: the arrow drawn at the point, %g grid cells long on "
                       "the drawn axes (log axes in decades), along the flow",
                       ARROW);
    char dx[80], dy[80], rx[64], ry[64];
    snprintf(dx, sizeof dx, "d%s", X);
    snprintf(dy, sizeof dy, "d%s", Y);
    snprintf(rx, sizeof rx, "%s/%s", m->states[pl->ix].unit, m->time_unit);
    snprintf(ry, sizeof ry, "%s/%s", m->states[pl->iy].unit, m->time_unit);
    const char *names[] = {X, Y, dx, dy, "arrow_x", "arrow_y"};
    const char *units[] = {m->states[pl->ix].unit, m->states[pl->iy].unit, rx, ry,
                           m->states[pl->ix].unit, m->states[pl->iy].unit};
    ims_output_header(o, 6, names, units);
    for (int j = 0; j < pl->ny; j++)
      for (int i = 0; i < pl->nx; i++) {
        size_t k = (size_t)j * (size_t)pl->nx + (size_t)i;
        char b1[IMS_NUMBUF], b2[IMS_NUMBUF], b3[IMS_NUMBUF], b4[IMS_NUMBUF];
        ims_output_line(o, "%.10g,%.10g,%s,%s,%s,%s", x[i], y[j], ims_fmt_num(b1, fx[k]),
                        ims_fmt_num(b2, fy[k]), ims_fmt_num(b3, ax[k]), ims_fmt_num(b4, ay[k]));
      }
  }
  free(x);
  free(y);
  free(fx);
  free(fy);
  free(ax);
  free(ay);
  return rc;
}

/* "X0,Y0" in the plane's states' units. */
static int parse_traj(const char *s, double *x, double *y, ims_err_t *err)
{
  const char *c = strchr(s, ',');
  char a[64];
  if (c && (size_t)(c - s) < sizeof a) {
    memcpy(a, s, (size_t)(c - s));
    a[c - s] = '\0';
    if (!ims_table_double(a, x) && !ims_table_double(c + 1, y))
      return IMS_OK;
  }
  return ims_err_set(err, IMS_EINPUT,
                     "--traj %s: expected X0,Y0, two numbers in the plane's states' units, e.g. "
                     "--traj 3.2e5,6e7",
                     s);
}

/* 10 over the slowest rate |Re l| > 0 of the equilibria found: long enough
 * for trajectories to settle on the slowest of them. */
static double traj_time(const ims_model_t *m, ims_eq_t *eq)
{
  double slow = INFINITY;
  for (int k = 0; k < ims_eq_count(eq); k++) {
    const ims_equilibrium_t *e = ims_eq_get(eq, k);
    double rho = 0;
    for (int i = 0; i < m->nstates; i++)
      rho = fmax(rho, hypot(e->re[i], e->im[i]));
    for (int i = 0; i < m->nstates; i++)
      if (fabs(e->re[i]) > 1e-9 * rho && isfinite(e->re[i]))
        slow = fmin(slow, fabs(e->re[i]));
  }
  return slow < INFINITY ? fmin(10 / slow, 1e9) : 1000;
}

static const char *const end_text[] = {"ran its time", "left the plane", "the solver failed"};

/* --traj and --separatrix: the curves, then their table. */
static int write_curves(ims_output_t *o, const cli_args_t *a, const ims_run_t *r,
                        const ims_plane_t *pl, ims_eq_t *eq, ims_err_t *err)
{
  const ims_model_t *m = r->m;
  const double *p = r->params->value;
  double tend = cli_num(a, OPT_TRAJ_TIME, traj_time(m, eq));
  const char *tr[CLI_MAX_REPEAT];
  int ntr = cli_list(a, OPT_TRAJ, tr, CLI_MAX_REPEAT), rc = IMS_OK;
  int from[2 * CLI_MAX_REPEAT + 130]; /* per curve: the --traj (>= 0) or -1 - equilibrium */
  ims_curves_t c;
  ims_curves_init(&c);
  for (int i = 0; !rc && i < ntr; i++) {
    double x0, y0;
    rc = parse_traj(tr[i], &x0, &y0, err);
    rc = rc ? rc : ims_plane_trajectory(m, p, pl, x0, y0, tend, &c, err);
    if (!rc)
      from[c.ncurves - 1] = i;
  }
  int nsep = 0;
  char why[160];
  for (int k = 0; !rc && cli_flag(a, OPT_SEPARATRIX) && k < ims_eq_count(eq) && k < 64; k++) {
    const ims_equilibrium_t *e = ims_eq_get(eq, k);
    if (e->type != IMS_EQ_SADDLE && e->type != IMS_EQ_SADDLE_FOCUS)
      continue;
    int added = 0;
    rc = ims_plane_separatrix(m, p, pl, e->x, tend, &c, &added, why, err);
    for (int i = 0; !rc && i < added; i++)
      from[c.ncurves - added + i] = -1 - k;
    if (!rc && !added && why[0])
      cli_notef("--separatrix: the saddle %d: %s", k + 1, why);
    nsep += added;
  }
  if (!rc && cli_flag(a, OPT_SEPARATRIX) && !nsep)
    cli_notef("--separatrix: no saddle in the plane's ranges has a stable manifold that is a "
              "curve there");
  if (!rc) {
    plane_meta(o, r, pl, "trajectories and separatrices");
    ims_output_comment(o,
                       "vector field frozen at t = %g %s, no doses; curves run at most %g %s "
                       "(separatrices backwards: time <= 0)",
                       pl->t, m->time_unit, tend, m->time_unit);
    char b1[IMS_NUMBUF], b2[IMS_NUMBUF];
    for (int i = 0; i < c.ncurves; i++) {
      if (from[i] >= 0)
        ims_output_comment(o, "curve %d: trajectory from --traj %s; %s", i + 1, tr[from[i]],
                           end_text[c.end[i]]);
      else {
        const ims_equilibrium_t *e = ims_eq_get(eq, -1 - from[i]);
        ims_output_comment(o, "curve %d: separatrix of the saddle %d (%s = %s, %s = %s); %s", i + 1,
                           -from[i], m->states[pl->ix].name, ims_fmt_num(b1, e->x[pl->ix]),
                           m->states[pl->iy].name, ims_fmt_num(b2, e->x[pl->iy]),
                           end_text[c.end[i]]);
      }
    }
    if (c.note[0])
      ims_output_comment(o, "solver: %s", c.note);
    const char *names[] = {"curve", "kind", "time", m->states[pl->ix].name, m->states[pl->iy].name};
    const char *units[] = {"1", "1", m->time_unit, m->states[pl->ix].unit, m->states[pl->iy].unit};
    ims_output_header(o, 5, names, units);
    for (size_t k = 0; k < c.n; k++)
      ims_output_line(o, "%d,%s,%.10g,%.12g,%.12g", c.pt[k].curve + 1,
                      ims_curve_kind_name(c.pt[k].kind), c.pt[k].t, c.pt[k].x, c.pt[k].y);
  }
  ims_curves_free(&c);
  return rc;
}

/* With --plot: the tables beside the figure (FIG_eq.csv, ...) unless named. */
typedef struct files {
  const char *eq, *nc, *field, *curves;
  char buf[4][4096];
} files_t;

static int plot_files(const cli_args_t *a, const char *plot, files_t *f, ims_err_t *err)
{
  const char *o = cli_str(a, OPT_OUT, NULL);
  if (plot && o && !strcmp(o, "-"))
    return ims_err_set(err, IMS_EINPUT,
                       "-o -: --plot draws from files; give -o FILE, or leave -o out "
                       "(FIG_eq.csv)");
  const int ids[4] = {OPT_OUT, OPT_NULLCLINES, OPT_FIELD, OPT_TRAJ_OUT};
  const char *sfx[4] = {"_eq.csv", "_nullclines.csv", "_field.csv", "_curves.csv"};
  const char **dst[4] = {&f->eq, &f->nc, &f->field, &f->curves};
  int curves = cli_count(a, OPT_TRAJ) || cli_flag(a, OPT_SEPARATRIX);
  for (int i = 0; i < 4; i++) {
    *dst[i] = cli_str(a, ids[i], NULL);
    if (!*dst[i] && plot && (i < 3 || curves)) {
      cli_sibling(f->buf[i], sizeof f->buf[i], plot, sfx[i]);
      *dst[i] = f->buf[i];
    }
  }
  if (curves && !f->curves)
    return ims_err_set(err, IMS_EINPUT,
                       "--%s: write the curves with --traj-out FILE, or draw them with --plot "
                       "FIG.png",
                       cli_count(a, OPT_TRAJ) ? "traj" : "separatrix");
  if (!curves && cli_str(a, OPT_TRAJ_OUT, NULL))
    return ims_err_set(err, IMS_EINPUT,
                       "--traj-out: which curves? add --traj X0,Y0 or "
                       "--separatrix");
  return IMS_OK;
}

int cmd_equilibria(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (dyn_begin(&x, "equilibria", argc, argv, NULL, &code))
    return code;
  const cli_args_t *a = &x.a;
  const ims_model_t *m = x.r->m;
  const int outs[] = {OPT_OUT, OPT_NULLCLINES, OPT_FIELD, OPT_TRAJ_OUT};
  const char *plot = cli_str(a, OPT_PLOT, NULL);
  files_t fl;
  dyn_figopts_t fo;
  double t = cli_num(a, OPT_TIME, 0);
  ims_eq_t *eq = NULL;
  ims_output_t *out = NULL, *onc = NULL, *ofd = NULL, *ocv = NULL;
  ims_plane_t pl = {0}, pnc = {0};
  double *lo = malloc((size_t)m->nstates * sizeof *lo),
         *hi = malloc((size_t)m->nstates * sizeof *hi),
         *base = malloc((size_t)m->nstates * sizeof *base);
  int rc = lo && hi && base ? IMS_OK : ims_err_set(&x.err, IMS_ENOMEM, "out of memory");
  /* every value first, then every output (an unwritable path fails before the search) */
  rc = rc ? rc : dyn_needs(a, "phase plane", OPT_PLANE, "--plane X,Y", &x.err);
  rc = rc ? rc : dyn_needs(a, "figure", OPT_PLOT, "--plot FIG.png", &x.err);
  rc = rc ? rc : dyn_one_stdout(a, outs, 4, &x.err);
  rc = rc ? rc : plot_files(a, plot, &fl, &x.err);
  rc = rc ? rc : dyn_figopts(a, 0, &fo, &x.err); /* --xrange, --yrange are the plane's */
  if (!rc) {
    ims_eq_box_default(m, x.r->params->value, lo, hi);
    rc = dyn_box(m, a, lo, hi, &x.err);
  }
  if (!rc && cli_count(a, OPT_PLANE) && !fl.nc && !fl.field && !fl.curves)
    rc = ims_err_set(&x.err, IMS_EINPUT,
                     "--plane %s: write it with --nullclines FILE or --field FILE, or draw it "
                     "with --plot FIG.png",
                     cli_str(a, OPT_PLANE, ""));
  if (!rc && cli_count(a, OPT_PLANE))
    rc = plane_setup(a, m, lo, hi, &pl, &x.err);
  if (!rc && plot) {
    rc = cli_figure_open(x.g, "--plot", plot, &x.err);
    if (!cli_count(a, OPT_GRID)) /* arrows a figure can hold */
      pl.nx = pl.ny = 20;
  }
  if (!rc && cli_count(a, OPT_PLANE)) { /* the nullclines on their own, finer grid */
    pnc = pl;
    pnc.nx = pnc.ny = (int)cli_num(a, OPT_NC_GRID, 200);
  }
  rc = rc || !fl.eq ? rc : ims_outset_open(x.g, &out, fl.eq, IMS_FMT_CSV, &x.err);
  rc = rc || !fl.nc ? rc : ims_outset_open(x.g, &onc, fl.nc, IMS_FMT_CSV, &x.err);
  rc = rc || !fl.field ? rc : ims_outset_open(x.g, &ofd, fl.field, IMS_FMT_CSV, &x.err);
  rc = rc || !fl.curves ? rc : ims_outset_open(x.g, &ocv, fl.curves, IMS_FMT_CSV, &x.err);
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
  if (!rc && cli_count(a, OPT_PLANE)) {
    rc = plane_at(a, m, eq, &pl, base, &x.err);
    pnc.base = pl.base;
  }
  rc = rc || !onc ? rc : write_nullclines(onc, x.r, &pnc, &x.err);
  rc = rc || !ofd ? rc : write_field(ofd, x.r, &pl, &x.err);
  rc = rc || !ocv ? rc : write_curves(ocv, a, x.r, &pl, eq, &x.err);
  if (!rc && plot) /* drawn from the tables before they are committed, and with them */
    rc = dyn_plot_portrait(x.g, fl.nc, fl.field, fl.eq, fl.curves, plot, &fo, m, &x.err);
  rc = cli_commit(&x, rc);
  int piped = 0; /* an output on standard output owns it: no table */
  for (int i = 0; i < 4; i++)
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
