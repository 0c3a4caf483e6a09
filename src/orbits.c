/* Orbit diagram by simulation (see orbits.h). */
#include "immunosim/orbits.h"

#include "immunosim/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"max", "min", "eq", "monotone", "damped"};

const char *ims_orbit_kind_name(int kind)
{
  return kind >= 0 && kind <= IMS_ORB_DAMPED ? kind_names[kind] : "?";
}

void ims_orbit_opts_default(ims_orbit_opts_t *o)
{
  memset(o, 0, sizeof *o);
  o->npar = 51;
  o->transient = 2000;
  o->window = 2000;
  o->same_tol = 1e-5;
}

void ims_orbit_free(ims_orbit_t *o)
{
  if (!o)
    return;
  free(o->rows);
  free(o);
}

typedef struct ext {
  double t, v;
  int dir; /* -1: the derivative fell through 0, a maximum */
} ext_t;

typedef struct run {
  ims_metrics_t *mt;
  int mine; /* index of our derivative trigger */
  ext_t *e;
  size_t ne, cap;
  int oom;
} run_t;

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  return ims_metrics_row(((run_t *)ud)->mt, t, y, out, q);
}

static int on_sample(void *ud, double t, int kind, const double *y, const double *out,
                     const double *q)
{
  return ims_metrics_sample(((run_t *)ud)->mt, t, kind, y, out, q);
}

static int on_event(void *ud, const ims_logged_t *ev)
{
  run_t *r = ud;
  if (ev->trigger == r->mine && ev->dir != 0) {
    if (r->ne == r->cap) {
      size_t cap = r->cap ? 2 * r->cap : 64;
      ext_t *e = realloc(r->e, cap * sizeof *e);
      if (!e) {
        r->oom = 1;
        return IMS_ENOMEM;
      }
      r->e = e;
      r->cap = cap;
    }
    r->e[r->ne++] = (ext_t){ev->t, ev->value, ev->dir};
  }
  return ims_metrics_event(r->mt, ev);
}

typedef struct rows {
  ims_orbit_row_t *r;
  size_t n, cap;
} rows_t;

static int add_row(rows_t *rs, ims_orbit_row_t row)
{
  if (rs->n == rs->cap) {
    size_t cap = rs->cap ? 2 * rs->cap : 128;
    ims_orbit_row_t *r = realloc(rs->r, cap * sizeof *r);
    if (!r)
      return IMS_ENOMEM;
    rs->r = r;
    rs->cap = cap;
  }
  rs->r[rs->n++] = row;
  return IMS_OK;
}

static int cmp_value(const void *a, const void *b)
{
  const ext_t *x = a, *y = b;
  return (x->v > y->v) - (x->v < y->v);
}

/* One row per group of extrema of one kind whose values agree within
 * tol * |value| + abs (abs: the solver's absolute tolerance, below which
 * values of a tiny trough are noise). */
static int group(rows_t *rs, double par, ext_t *e, size_t n, int kind, double tol, double abs)
{
  qsort(e, n, sizeof *e, cmp_value);
  for (size_t i = 0; i < n;) {
    ims_orbit_row_t row = {par, kind, e[i].v, e[i].t, 0, NAN};
    size_t j = i;
    while (j < n && fabs(e[j].v - e[i].v) <= tol * fmax(fabs(e[i].v), fabs(e[j].v)) + abs) {
      row.t = fmax(row.t, e[j].t);
      row.count++;
      j++;
    }
    if (add_row(rs, row))
      return IMS_ENOMEM;
    i = j;
  }
  return IMS_OK;
}

/* Whether the extrema (in time order) are those of an oscillation dying
 * out towards an equilibrium: the peak-to-trough amplitudes shrink
 * steadily and Aitken's extrapolation from the first, middle and last of
 * them (a geometric decay a_k = A + B r^k) puts their limit A at 0 (below
 * 2 % of the first).  An approach to a cycle also shrinks or grows, but
 * towards an amplitude A > 0.  *period: the mean spacing of the maxima. */
static int decaying(const ext_t *e, size_t n, double *period)
{
  double a[4096];
  size_t na = 0;
  double t0 = NAN, t1 = NAN;
  size_t nm = 0;
  for (size_t i = 0; i + 1 < n && na < 4096; i++)
    if (e[i].dir < 0 && e[i + 1].dir > 0) { /* a maximum and the minimum after it */
      a[na++] = e[i].v - e[i + 1].v;
    }
  for (size_t i = 0; i < n; i++)
    if (e[i].dir < 0) {
      if (!nm++)
        t0 = e[i].t;
      t1 = e[i].t;
    }
  *period = nm > 1 ? (t1 - t0) / (double)(nm - 1) : NAN;
  if (na < 5)
    return 0;
  for (size_t i = 1; i < na; i++)
    if (!(a[i] < a[i - 1]))
      return 0;
  size_t h = (na - 1) / 2;
  double x0 = a[0], x1 = a[h], x2 = a[2 * h], d1 = x1 - x0, d2 = x2 - x1;
  if (!(d2 - d1 > 0)) /* not convex: no geometric decay to extrapolate */
    return 0;
  double lim = x2 - d2 * d2 / (d2 - d1);
  return lim < 0.02 * a[0];
}

static int check(const ims_model_t *m, int par, double a, double b, const ims_orbit_opts_t *o,
                 ims_err_t *err)
{
  if (par < 0 || par >= m->nparams)
    return ims_err_set(err, IMS_EINPUT, "orbits: parameter %d is not a model parameter", par);
  if (o->col < 0 || o->col >= m->nstates + m->noutputs)
    return ims_err_set(err, IMS_EINPUT, "orbits: model %s has no column %d", m->name, o->col);
  if (!isfinite(a) || !isfinite(b) || (o->npar > 1 && a == b))
    return ims_err_set(err, IMS_EINPUT, "orbits: the range %g:%g is empty or not finite", a, b);
  if (o->logpar && !(a > 0 && b > 0))
    return ims_err_set(err, IMS_EINPUT, "orbits: log-spaced values need a, b > 0 (%g:%g)", a, b);
  if (!(o->transient >= 0) || !(o->window > 0) || !isfinite(o->transient + o->window))
    return ims_err_set(err, IMS_EINPUT, "orbits: the transient must be >= 0, the window > 0");
  if (o->carry && (m->init || m->init_ctx))
    return ims_err_set(err, IMS_EINPUT,
                       "orbits: model %s derives its initial state from parameters; it cannot "
                       "start from the previous end state (no carry)",
                       m->name);
  return IMS_OK;
}

/* One parameter value: run, then the rows.  y_end gets the final state. */
static int one_value(ims_sim_t *sim, ims_metrics_t *mt, const ims_model_t *m, double *pv,
                     double par, const ims_orbit_opts_t *o, ims_opts_t *so, int nbase,
                     ims_trigger_t *tr, rows_t *rs, double *y_end, ims_err_t *err)
{
  run_t r = {.mt = mt, .mine = nbase};
  tr[nbase] = (ims_trigger_t){.name = "orbit extremum",
                              .var = IMS_DERIV(m, o->col),
                              .act = IMS_ACT_NONE,
                              .start = o->transient};
  int ntr = ims_metrics_begin(mt, pv, 0, tr + nbase + 1, nbase + 1);
  so->triggers = tr;
  so->ntriggers = nbase + 1 + ntr;
  so->samples = ims_metrics_times(mt, &so->nsamples);
  double tout[2] = {o->transient, o->transient + o->window};
  int nt = o->transient > 0 ? 2 : 1;
  ims_observer_t obs = {.row = on_row, .event = on_event, .sample = on_sample, .ud = &r};
  int rc = ims_sim_run(sim, pv, NULL, so, tout + (2 - nt), (size_t)nt, &obs, err);
  ims_metrics_end(mt);
  if (rc == IMS_ESTOP)
    rc = IMS_OK;
  if (r.oom)
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!rc) {
    double dper = NAN;
    int damped = decaying(r.e, r.ne, &dper);
    size_t nmax = 0;
    for (size_t i = 0; i < r.ne; i++) /* maxima first */
      if (r.e[i].dir < 0) {
        ext_t t = r.e[nmax];
        r.e[nmax++] = r.e[i];
        r.e[i] = t;
      }
    double abs = o->col < m->nstates ? 10 * (so->atol_vec ? so->atol_vec[o->col] : so->atol) : 0;
    /* settled: the whole window within the grouping tolerance (a focus
     * still ringing far below it is an equilibrium, not a cycle) */
    double mx = ims_metrics_value(mt, 0, o->col, IMS_M_MAX);
    double mn = ims_metrics_value(mt, 0, o->col, IMS_M_MIN);
    double last = ims_metrics_value(mt, 0, o->col, IMS_M_TROUGH);
    int settled = fabs(mx - mn) <= o->same_tol * fmax(fabs(mx), fabs(mn)) + abs;
    if (settled || r.ne == 0) {
      ims_orbit_row_t row = {par, settled ? IMS_ORB_EQ : IMS_ORB_MONO, last, tout[1], 0, NAN};
      rc = add_row(rs, row);
    } else if (damped) {
      ims_orbit_row_t row = {par, IMS_ORB_DAMPED, last, tout[1], (int)nmax, dper};
      rc = add_row(rs, row);
    } else {
      /* the period of a period-1 cycle: the mean spacing of its maxima */
      double t0 = INFINITY, t1 = -INFINITY;
      for (size_t i = 0; i < nmax; i++) {
        t0 = fmin(t0, r.e[i].t);
        t1 = fmax(t1, r.e[i].t);
      }
      size_t first = rs->n;
      rc = group(rs, par, r.e, nmax, IMS_ORB_MAX, o->same_tol, abs);
      rc = rc ? rc : group(rs, par, r.e + nmax, r.ne - nmax, IMS_ORB_MIN, o->same_tol, abs);
      if (!rc && rs->n - first == 2 && nmax > 1)
        rs->r[first].period = rs->r[first + 1].period = (t1 - t0) / (double)(nmax - 1);
    }
    if (rc == IMS_ENOMEM)
      ims_err_set(err, rc, "out of memory");
  }
  /* the final state, for carry: the metrics window ends at the run's end */
  if (!rc && y_end)
    for (int i = 0; i < m->nstates; i++)
      y_end[i] = ims_metrics_value(mt, 0, i, IMS_M_TROUGH);
  free(r.e);
  return rc;
}

int ims_orbit_diagram(const ims_model_t *m, const double *p, int par, double a, double b,
                      const ims_orbit_opts_t *oin, ims_orbit_t **out, ims_err_t *err)
{
  *out = NULL;
  ims_orbit_opts_t o;
  if (oin)
    o = *oin;
  else
    ims_orbit_opts_default(&o);
  if (o.npar <= 0)
    o.npar = 51;
  if (!(o.same_tol > 0))
    o.same_tol = 1e-5;
  int rc = check(m, par, a, b, &o, err);
  if (rc)
    return rc;
  ims_opts_t so;
  if (o.sim)
    so = *o.sim;
  else {
    ims_opts_default(&so);
    so.rtol = 1e-8;
    so.atol = 1e-10;
  }
  so.t0 = 0;
  so.quad = 0;
  so.nsens = 0;
  int nbase = o.sim ? o.sim->ntriggers : 0, nv = ims_model_nvalues(m);
  ims_window_t win = {.a = o.transient, .b = o.transient + o.window, .label = "orbit"};
  ims_metrics_t *mt = NULL;
  ims_sim_t *sim = NULL;
  ims_trigger_t *tr = NULL;
  double *pv = malloc((size_t)nv * sizeof *pv), *yend = malloc((size_t)m->nstates * sizeof *yend);
  rows_t rs = {0};
  rc = pv && yend ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = rc ? rc : ims_metrics_alloc(&mt, m, &win, 1, NULL, 0, IMS_METRICS_NO_REGROW, err);
  if (!rc) {
    tr = calloc((size_t)(nbase + 1 + ims_metrics_max_triggers(mt)), sizeof *tr);
    rc = tr ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  rc = rc ? rc : ims_sim_alloc(&sim, m, err);
  if (!rc) {
    if (nbase)
      memcpy(tr, o.sim->triggers, (size_t)nbase * sizeof *tr);
    memcpy(pv, p, (size_t)nv * sizeof *pv);
  }
  for (int k = 0; !rc && k < o.npar; k++) {
    double q = o.npar > 1 ? (double)k / (o.npar - 1) : 0;
    double v = o.logpar ? a * pow(b / a, q) : a + q * (b - a);
    if (k == o.npar - 1)
      v = b;
    pv[par] = v;
    rc = one_value(sim, mt, m, pv, v, &o, &so, nbase, tr, &rs, yend, err);
    if (rc && rc != IMS_ENOMEM) {
      ims_err_t e2 = *err;
      rc = ims_err_set(err, rc, "orbits: at %s = %g: %s", m->params[par].name, v, e2.msg);
    }
    if (!rc && o.carry)
      memcpy(pv + m->nparams, yend, (size_t)m->nstates * sizeof *yend);
  }
  ims_sim_free(sim);
  ims_metrics_free(mt);
  free(tr);
  free(pv);
  free(yend);
  if (!rc) {
    *out = malloc(sizeof **out);
    if (!*out)
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
    else
      **out = (ims_orbit_t){rs.n, rs.r};
  }
  if (rc)
    free(rs.r);
  return rc;
}
