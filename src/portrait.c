/* Trajectories and separatrices of a phase portrait (see portrait.h). */
#include "immunosim/portrait.h"

#include "dyn.h"
#include "immunosim/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSAMPLE 20000
#define THIN 1e-3

static const char *const kind_names[] = {"trajectory", "separatrix"};

const char *ims_curve_kind_name(int kind)
{
  return kind >= 0 && kind <= IMS_CURVE_SEPARATRIX ? kind_names[kind] : "?";
}

void ims_curves_init(ims_curves_t *c)
{
  memset(c, 0, sizeof *c);
}

void ims_curves_free(ims_curves_t *c)
{
  free(c->pt);
  free(c->end);
  memset(c, 0, sizeof *c);
}

/* ---- the flow: the model's field frozen at a time, forwards or backwards ---- */

/* A model whose right-hand side is sign * f(t_frozen, y) of another; the
 * driver runs it like any model.  The calls reach the original with its own
 * context (its compiled program, its switches), found through ctx->model,
 * which points at this struct's first member. */
typedef struct flow {
  ims_model_t m; /* first: ctx->model points here */
  const ims_model_t *orig;
  double t, sign;
} flow_t;

static int flow_rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const flow_t *f = (const flow_t *)ctx->model;
  ims_ctx_t c = *ctx;
  c.model = f->orig;
  c.phase = 0;
  int rc = f->orig->rhs(f->t, y, dy, &c);
  for (int i = 0; f->sign < 0 && i < f->m.nstates; i++)
    dy[i] = -dy[i];
  return rc;
}

static int flow_jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const flow_t *f = (const flow_t *)ctx->model;
  ims_ctx_t c = *ctx;
  c.model = f->orig;
  c.phase = 0;
  int rc = f->orig->jac(f->t, y, J, &c);
  int n = f->m.nstates;
  for (int i = 0; f->sign < 0 && i < n * n; i++)
    J[i] = -J[i];
  return rc;
}

static int flow_switches(double t, const double *y, double *g, const ims_ctx_t *ctx)
{
  (void)t;
  const flow_t *f = (const flow_t *)ctx->model;
  ims_ctx_t c = *ctx;
  c.model = f->orig;
  c.phase = 0;
  return f->orig->switches(f->t, y, g, &c);
}

static void flow_init(flow_t *f, const ims_model_t *m, double t, double sign)
{
  memset(f, 0, sizeof *f);
  f->m = *m;
  f->orig = m;
  f->t = t;
  f->sign = sign;
  f->m.rhs = flow_rhs;
  f->m.jac = m->jac ? flow_jac : NULL;
  f->m.switches = m->switches ? flow_switches : NULL;
  f->m.nswitch = m->switches ? m->nswitch : 0;
  f->m.outputs = NULL;
  f->m.noutputs = 0;
  f->m.output = NULL;
  f->m.init = NULL; /* the start is given as the <STATE>_0 values */
  f->m.init_ctx = NULL;
  f->m.breaks = NULL; /* frozen: no breakpoints */
  f->m.extinct_floor = 0;
  f->m.state_flags = NULL; /* backwards, amounts may go below 0 before a stop */
  f->m.plot = NULL;
  f->m.nplot = 0;
}

/* ---- sampling a curve ---------------------------------------------------------- */

typedef struct walk {
  ims_curves_t *c;
  const ims_plane_t *pl;
  int curve, kind, ix, iy;
  double sign;
  double lx, ly, ll[2]; /* the last point kept, drawn coordinates */
  double pend[3];       /* the last point seen (t, x, y) */
  int kept, seen, oom;
} walk_t;

static double drawn(double v, int lg)
{
  return lg ? (v > 0 ? log10(v) : -INFINITY) : v;
}

static int push(ims_curves_t *c, int curve, int kind, double t, double x, double y)
{
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 1024;
    ims_curve_pt_t *p = realloc(c->pt, cap * sizeof *p);
    if (!p)
      return IMS_ENOMEM;
    c->pt = p;
    c->cap = cap;
  }
  c->pt[c->n++] = (ims_curve_pt_t){curve, kind, t, x, y};
  return IMS_OK;
}

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)out, (void)q;
  walk_t *w = ud;
  const ims_plane_t *pl = w->pl;
  double x = y[w->ix], yy = y[w->iy], ts = w->sign * t + 0.0; /* no -0 */
  double u = drawn(x, pl->logx), v = drawn(yy, pl->logy);
  double wx = drawn(pl->x1, pl->logx) - drawn(pl->x0, pl->logx);
  double wy = drawn(pl->y1, pl->logy) - drawn(pl->y0, pl->logy);
  w->pend[0] = ts, w->pend[1] = x, w->pend[2] = yy;
  w->seen = 1;
  if (w->kept && !(hypot((u - w->lx) / wx, (v - w->ly) / wy) >= THIN))
    return 0; /* too close to the last point kept (or not drawable) */
  if (push(w->c, w->curve, w->kind, ts, x, yy)) {
    w->oom = 1;
    return IMS_ENOMEM;
  }
  w->lx = u, w->ly = v;
  w->kept = 1;
  return 0;
}

/* The state where a stop ended the run (the left limit there) is the
 * curve's last point: rows stop one sample before it. */
static int on_sample(void *ud, double t, int kind, const double *y, const double *out,
                     const double *q)
{
  (void)out, (void)q;
  walk_t *w = ud;
  if (kind == IMS_SAMPLE_BEFORE) { /* observers are called in time order */
    w->pend[0] = w->sign * t + 0.0, w->pend[1] = y[w->ix], w->pend[2] = y[w->iy];
    w->seen = 1;
  }
  return 0;
}

/* A stop trigger on state i crossing v in direction dir. */
static ims_trigger_t stop_at(int i, double v, int dir)
{
  return (ims_trigger_t){.name = "portrait: left the plane",
                         .var = i,
                         .threshold = v,
                         .dir = dir,
                         .act = IMS_ACT_STOP,
                         .start = -INFINITY};
}

/* The range [lo, hi] widened by frac of its drawn width on each side. */
static void widen(double lo, double hi, int lg, double frac, double *a, double *b)
{
  if (lg) {
    double d = log10(hi / lo) * frac;
    *a = lo / pow(10, d);
    *b = hi * pow(10, d);
  } else {
    double d = (hi - lo) * frac;
    *a = lo - d;
    *b = hi + d;
  }
}

/* Integrate one curve from y0 (nstates) with the flow of sign over tend. */
static int curve(const ims_model_t *m, const double *p, const ims_plane_t *pl, const double *y0,
                 double sign, double tend, double frac, int kind, ims_curves_t *c, ims_err_t *err)
{
  int n = m->nstates, np = ims_model_nvalues(m);
  flow_t f;
  flow_init(&f, m, pl->t, sign);
  double *pv = malloc((size_t)np * sizeof *pv), *tout = malloc(NSAMPLE * sizeof *tout);
  int *end = realloc(c->end, (size_t)(c->ncurves + 1) * sizeof *end);
  if (end)
    c->end = end;
  if (!pv || !tout || !end) {
    free(pv);
    free(tout);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  memcpy(pv, p, (size_t)np * sizeof *pv);
  memcpy(pv + m->nparams, y0, (size_t)n * sizeof *y0);
  for (int k = 0; k < NSAMPLE; k++)
    tout[k] = tend * k / (NSAMPLE - 1);
  ims_trigger_t tr[4];
  double a, b;
  widen(pl->x0, pl->x1, pl->logx, frac, &a, &b);
  tr[0] = stop_at(pl->ix, a, -1);
  tr[1] = stop_at(pl->ix, b, 1);
  widen(pl->y0, pl->y1, pl->logy, frac, &a, &b);
  tr[2] = stop_at(pl->iy, a, -1);
  tr[3] = stop_at(pl->iy, b, 1);
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-8;
  o.atol = 1e-12;
  o.max_steps = 200000;
  o.triggers = tr;
  o.ntriggers = 4;
  walk_t w = {.c = c,
              .pl = pl,
              .curve = c->ncurves,
              .kind = kind,
              .ix = pl->ix,
              .iy = pl->iy,
              .sign = sign};
  ims_observer_t obs = {.row = on_row, .sample = on_sample, .ud = &w};
  ims_sim_t *sim = NULL;
  ims_err_t e2 = {0};
  int rc = ims_sim_alloc(&sim, &f.m, err);
  int how = IMS_CURVE_END_TIME;
  if (!rc) {
    int r = ims_sim_run(sim, pv, NULL, &o, tout, NSAMPLE, &obs, &e2);
    if (w.oom) {
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
    } else if (r == IMS_ESTOP) {
      how = IMS_CURVE_END_LEFT;
    } else if (r) {
      how = IMS_CURVE_END_FAILED;
      snprintf(c->note, sizeof c->note, "%s", e2.msg);
    }
  }
  /* the last point seen closes the curve (where it left, or tend) */
  if (!rc && w.seen && c->n && c->pt[c->n - 1].t != w.pend[0] &&
      push(c, w.curve, kind, w.pend[0], w.pend[1], w.pend[2]))
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!rc) {
    c->end[c->ncurves] = how;
    c->ncurves++;
  }
  ims_sim_free(sim);
  free(pv);
  free(tout);
  return rc;
}

static int inside(const ims_plane_t *pl, double x, double y)
{
  return x >= pl->x0 && x <= pl->x1 && y >= pl->y0 && y <= pl->y1;
}

int ims_plane_trajectory(const ims_model_t *m, const double *p, const ims_plane_t *pl, double x0,
                         double y0, double tend, ims_curves_t *c, ims_err_t *err)
{
  if (!(tend > 0) || !isfinite(tend))
    return ims_err_set(err, IMS_EINPUT, "trajectory: the duration must be > 0 and finite");
  if (!isfinite(x0) || !isfinite(y0) || (pl->logx && !(x0 > 0)) || (pl->logy && !(y0 > 0)))
    return ims_err_set(err, IMS_EINPUT,
                       "trajectory: the start (%g, %g) is not a point of the plane (log axes "
                       "need values above 0)",
                       x0, y0);
  double *y = malloc((size_t)m->nstates * sizeof *y);
  if (!y)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  int rc = ims_plane_lift(m, p, pl, x0, y0, y, err);
  rc = rc ? rc : curve(m, p, pl, y, 1, tend, 1.0, IMS_CURVE_TRAJ, c, err);
  free(y);
  return rc;
}

int ims_plane_separatrix(const ims_model_t *m, const double *p, const ims_plane_t *pl,
                         const double *xs, double tend, ims_curves_t *c, int *added, char *why,
                         ims_err_t *err)
{
  int n = m->nstates;
  *added = 0;
  if (why)
    why[0] = '\0';
  if (!(tend > 0) || !isfinite(tend))
    return ims_err_set(err, IMS_EINPUT, "separatrix: the duration must be > 0 and finite");
  ims__vf_t vf;
  ims__eig_t eg;
  ims__svd_t svd;
  int rc = ims__vf_alloc(&vf, m, p, pl->t, err);
  if (rc)
    return rc;
  size_t un = (size_t)n;
  double *J = malloc(un * un * sizeof *J), *A = malloc(un * un * sizeof *A);
  double *re = malloc(un * sizeof *re), *im = malloc(un * sizeof *im);
  double *v = malloc(un * sizeof *v), *sc = malloc(un * sizeof *sc), *y0 = malloc(un * sizeof *y0);
  int ok = J && A && re && im && v && sc && y0;
  int eok = ok && ims__eig_alloc(&eg, n) == 0, sok = eok && ims__svd_alloc(&svd, n) == 0;
  if (!sok) {
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
    goto done;
  }
  if (ims__vf_jac(&vf, xs, J) || ims__eig_run(&eg, J, re, im)) {
    rc = ims_err_set(err, IMS_ESOLVER, "separatrix: no Jacobian or eigenvalues at the saddle");
    goto done;
  }
  /* the stable manifold is a curve when exactly one eigenvalue has Re < 0 */
  double rho = ims__spectral_radius(n, re, im), tol = 1e-10 * rho;
  int neg = 0, ks = -1;
  for (int i = 0; i < n; i++)
    if (re[i] < -tol) {
      neg++;
      ks = i;
    }
  if (neg != 1 || fabs(im[ks]) > tol) {
    if (why)
      snprintf(why, 160, "its stable manifold has dimension %d: not a curve", neg);
    goto done;
  }
  /* the eigenvector in scaled coordinates (states of very different size):
   * null vector of D^-1 J D - l I with D = diag(|xs_i| + floor_i) */
  for (int i = 0; i < n; i++)
    sc[i] = fabs(xs[i]) + 1e-9 * (fabs(xs[i]) + 1);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      A[i * n + j] = J[i * n + j] * sc[j] / sc[i] - (i == j ? re[ks] : 0);
  if (ims__svd_null(&svd, A, v) < 0) {
    rc = ims_err_set(err, IMS_ESOLVER, "separatrix: no eigenvector at the saddle");
    goto done;
  }
  double vmax = 0;
  for (int i = 0; i < n; i++)
    vmax = fmax(vmax, fabs(v[i]));
  for (int side = -1; !rc && side <= 1; side += 2) {
    /* a relative 1e-6 along the eigenvector: the linearisation holds there */
    for (int i = 0; i < n; i++)
      y0[i] = xs[i] + side * 1e-6 * v[i] / vmax * sc[i];
    if (!inside(pl, y0[pl->ix], y0[pl->iy]))
      continue;
    rc = curve(m, p, pl, y0, -1, tend, 0.01, IMS_CURVE_SEPARATRIX, c, err);
    if (!rc)
      (*added)++;
  }
done:
  if (sok)
    ims__svd_free(&svd);
  if (eok)
    ims__eig_free(&eg);
  ims__vf_free(&vf);
  free(J);
  free(A);
  free(re);
  free(im);
  free(v);
  free(sc);
  free(y0);
  return rc;
}
