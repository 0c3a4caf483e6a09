/* Switches of a model file's conditions (model.h nswitch/switches) and
 * initial values computed by init_ctx, through the driver: the run stops
 * exactly where a condition flips (closed forms), sensitivities cross the
 * switch (central differences of whole runs and closed forms), a condition
 * that flips back and forth fails with a message, and init_ctx reaches the
 * driver, the metrics baselines and the sensitivities of initial values. */
#include "tests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* x grows at r until it reaches K (a switch on a state), then exponentially
 * at g; y grows at c until T1 (a switch on t), then decays at m:
 *   tau = (K - x0)/r; x = x0 + r t before, K e^{g (t - tau)} after;
 *   y = y0 + c t before T1, (y0 + c T1) e^{-m (t - T1)} after. */
static const char SW_MODEL[] = "name sw\n"
                               "time d\n"
                               "state x mg\n"
                               "state y mg\n"
                               "param r 2 mg/d\n"
                               "param K 10 mg\n"
                               "param g 0.3 1/d\n"
                               "param c 1 mg/d\n"
                               "param T1 3.3 d\n"
                               "param m 0.5 1/d\n"
                               "param x_0 1 mg\n"
                               "param y_0 0 mg\n"
                               "d/dt(x) = piecewise(r, x < K, g*x)\n"
                               "d/dt(y) = piecewise(c, t < T1, -m*y)\n";

enum { PR, PK, PG, PC, PT1, PM, PX0, PY0, NP };

static ims_unitcheck_t *uc;

static const ims_model_t *read_model(const char *text)
{
  const ims_model_t *m = NULL;
  ims_err_t err = {0};
  if (!uc)
    ck_assert_int_eq(ims_unitcheck_alloc(&uc, &err), 0);
  ims_open_opts_t o = {.units = uc};
  ck_assert_msg(ims_model_read_mem(&m, "sw.model", text, strlen(text), &o, &err) == 0, "%s",
                err.msg);
  return m;
}

/* the model's parameter vector in the order of the enum */
static void sw_params(const ims_model_t *m, const double *v, double *p)
{
  static const char *const names[NP] = {"r", "K", "g", "c", "T1", "m", "x_0", "y_0"};
  ck_assert_int_eq(ims_model_nvalues(m), NP);
  for (int i = 0; i < NP; i++) {
    int k = ims_model_param_index(m, names[i]);
    ck_assert_int_ge(k, 0);
    p[k] = v[i];
  }
}

static double x_exact(const double *v, double t)
{
  double tau = (v[PK] - v[PX0]) / v[PR];
  return t < tau ? v[PX0] + v[PR] * t : v[PK] * exp(v[PG] * (t - tau));
}

static double y_exact(const double *v, double t)
{
  double y1 = v[PY0] + v[PC] * v[PT1];
  return t < v[PT1] ? v[PY0] + v[PC] * t : y1 * exp(-v[PM] * (t - v[PT1]));
}

/* d x / d v[j] and d y / d v[j] after both switches (closed forms). */
static void d_exact(const double *v, double t, int j, double *dx, double *dy)
{
  double tau = (v[PK] - v[PX0]) / v[PR], ex = exp(v[PG] * (t - tau)), K = v[PK], g = v[PG];
  double ey = exp(-v[PM] * (t - v[PT1])), y1 = v[PY0] + v[PC] * v[PT1];
  *dx = *dy = 0;
  switch (j) {
  case PR:
    *dx = K * g * ex * tau / v[PR];
    break;
  case PK:
    *dx = ex * (1 - K * g / v[PR]);
    break;
  case PG:
    *dx = K * ex * (t - tau);
    break;
  case PX0:
    *dx = K * g * ex / v[PR];
    break;
  case PC:
    *dy = v[PT1] * ey;
    break;
  case PT1:
    *dy = ey * (v[PC] + v[PM] * y1);
    break;
  case PM:
    *dy = -y1 * (t - v[PT1]) * ey;
    break;
  case PY0:
    *dy = ey;
    break;
  default:
    break;
  }
}

/* A fixed-seed generator (the tests are deterministic). */
static double unif(unsigned long long *st, double a, double b)
{
  *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
  return a + (b - a) * (double)(*st >> 11) * 0x1.0p-53;
}

static void draw(unsigned long long *st, double *v)
{
  v[PR] = unif(st, 0.5, 5);
  v[PX0] = unif(st, 0.1, 5);
  double tau = unif(st, 0.3, 8);
  v[PK] = v[PX0] + v[PR] * tau;
  v[PG] = unif(st, 0.05, 0.6);
  v[PC] = unif(st, 0.2, 3);
  do /* the two switches at least 0.05 d apart */
    v[PT1] = unif(st, 0.3, 8);
  while (fabs(v[PT1] - tau) < 0.05);
  v[PM] = unif(st, 0.1, 2);
  v[PY0] = unif(st, 0, 2);
}

/* ---- the run stops where the condition flips ---- */

typedef struct swlog {
  double t[8], x[8];
  int n;
} swlog_t;

static int on_sample(void *ud, double t, int kind, const double *y, const double *out,
                     const double *q)
{
  (void)out, (void)q;
  swlog_t *l = ud;
  if (kind == IMS_SAMPLE_BEFORE && l->n < 8) {
    l->x[l->n] = y[0];
    l->t[l->n++] = t;
  }
  return 0;
}

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)ud, (void)t, (void)y, (void)out, (void)q;
  return 0;
}

/* 1000 random models: exactly two discontinuity instants.  At the state
 * switch the computed x is K to root-finding precision (1e-11 relative: the
 * run stops where the computed condition flips), so its time is tau up to
 * the solution's own error over the rate (x is linear before the switch and
 * the condition is held on its side, so the root comes from a smooth
 * polynomial: 10 rtol K / r allowed); the switch on t alone is at T1 to
 * root-finding precision (1e-12 relative); x and y at every output within
 * 1e-7 of the closed form (relative to y + 1 ug). */
START_TEST(located)
{
  const ims_model_t *m = read_model(SW_MODEL);
  ck_assert_int_ge(m->nswitch, 2);
  ims_sim_t *sim;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ims_opts_t o;
  t_tight(&o);
  size_t nt;
  double *tg = t_grid(0, 10, 0.25, &nt);
  unsigned long long st = 42;
  double wtau = 0, wt1 = 0, wsol = 0, wx = 0;
  for (int it = 0; it < 1000; it++) {
    double v[NP], p[NP];
    draw(&st, v);
    sw_params(m, v, p);
    swlog_t l = {{0}, {0}, 0};
    trace_t tr;
    ck_assert_msg(t_run(m, p, NULL, &o, tg, nt, &tr, &err) == 0, "case %d: %s", it, err.msg);
    ims_observer_t obs = {.row = on_row, .sample = on_sample, .ud = &l};
    ck_assert_msg(ims_sim_run(sim, p, NULL, &o, tg, nt, &obs, &err) == 0, "%s", err.msg);
    double tau = (v[PK] - v[PX0]) / v[PR];
    ck_assert_msg(
        l.n == 2,
        "case %d: %d discontinuity instants (tau %.17g, T1 %.17g): %.17g %.17g %.17g %.17g", it,
        l.n, tau, v[PT1], l.t[0], l.t[1], l.t[2], l.t[3]);
    double a = fmin(tau, v[PT1]), b = fmax(tau, v[PT1]);
    double ea = fabs(l.t[0] - a), eb = fabs(l.t[1] - b);
    double etau = tau < v[PT1] ? ea : eb, et1 = tau < v[PT1] ? eb : ea;
    wtau = fmax(wtau, etau);
    wt1 = fmax(wt1, et1 / v[PT1]);
    double xsw = tau < v[PT1] ? l.x[0] : l.x[1];
    wx = fmax(wx, fabs(xsw - v[PK]) / v[PK]);
    ck_assert_msg(
        fabs(xsw - v[PK]) <= 1e-11 * v[PK],
        "case %d: x = %.17g at the switch, K = %.17g; r %.17g x0 %.17g g %.17g c %.17g T1 "
        "%.17g m %.17g y0 %.17g",
        it, xsw, v[PK], v[PR], v[PX0], v[PG], v[PC], v[PT1], v[PM], v[PY0]);
    ck_assert_msg(etau <= 1e-9 * v[PK] / v[PR], "case %d: switch at %.15g, tau = %.15g", it,
                  tau < v[PT1] ? l.t[0] : l.t[1], tau);
    ck_assert_msg(et1 <= 1e-12 * v[PT1], "case %d: switch at %.17g, T1 = %.17g", it,
                  tau < v[PT1] ? l.t[1] : l.t[0], v[PT1]);
    for (size_t i = 0; i < tr.nrow; i++) {
      double t = TR(&tr, i, 0);
      double ex = fabs(TR(&tr, i, 1) - x_exact(v, t)) / x_exact(v, t);
      double ey = fabs(TR(&tr, i, 2) - y_exact(v, t)) / (y_exact(v, t) + 1e-3);
      wsol = fmax(wsol, fmax(ex, ey));
      ck_assert_msg(ex <= 1e-7 && ey <= 1e-7,
                    "case %d, t = %g: x %.12g (%.12g), y %.12g (%.12g); r %.17g K %.17g g %.17g c "
                    "%.17g T1 %.17g m %.17g x0 %.17g y0 %.17g",
                    it, t, TR(&tr, i, 1), x_exact(v, t), TR(&tr, i, 2), y_exact(v, t), v[PR], v[PK],
                    v[PG], v[PC], v[PT1], v[PM], v[PX0], v[PY0]);
    }
    t_trace_free(&tr);
  }
  printf("switches: 1000 random models, x at the state switch within %.2g of K, the switch "
         "within %.2g d of tau, time switch within %.2g relative of T1, solution within %.2g "
         "relative\n",
         wx, wtau, wt1, wsol);
  free(tg);
  ims_sim_free(sim);
  ims_model_close(m);
}
END_TEST

/* ---- sensitivities across the switches ---- */

typedef struct srow {
  double t[64], y[64][2], s[64][NP][2];
  int n, ns, nst; /* rows, sensitivities, states (1 or 2) */
} srow_t;

static int s_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)out, (void)q;
  srow_t *r = ud;
  ck_assert_int_lt(r->n, 64);
  r->t[r->n] = t;
  for (int c = 0; c < r->nst; c++)
    r->y[r->n][c] = y[c];
  r->n++;
  return 0;
}

static int s_sens(void *ud, double t, const double *dy, const double *dout, const double *dq)
{
  (void)t, (void)dout, (void)dq;
  srow_t *r = ud;
  for (int j = 0; j < r->ns; j++)
    for (int c = 0; c < r->nst; c++)
      r->s[r->n - 1][j][c] = dy[r->nst * j + c];
  return 0;
}

static void srun(ims_sim_t *sim, int nst, const double *p, ims_opts_t *o, const double *tg,
                 size_t nt, srow_t *r)
{
  ims_err_t err = {0};
  memset(r, 0, sizeof *r);
  r->ns = o->nsens;
  r->nst = nst;
  ims_observer_t obs = {.row = s_row, .sens = o->nsens ? s_sens : NULL, .ud = r};
  ck_assert_msg(ims_sim_run(sim, p, NULL, o, tg, nt, &obs, &err) == 0, "%s (%d sensitivities)",
                err.msg, o->nsens);
}

/* 40 random models, every parameter: dx/dp and dy/dp at outputs past both
 * switches against central differences of whole runs (step h = 1e-4 p:
 * to 1e-3, plus the runs' own error over h) and against the closed forms
 * (to 1e-6, plus the runs' error over p).
 * Without the jump at the switch (S+ = S- + (f- - f+) dtau/dp), dx/dK would
 * miss -K g e^{g(t - tau)}/r and dy/dT1 the whole c + m y(T1) term. */
START_TEST(sens_across)
{
  const ims_model_t *m = read_model(SW_MODEL);
  ims_sim_t *sim;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  static const char *const names[NP] = {"r", "K", "g", "c", "T1", "m", "x_0", "y_0"};
  int idx[NP];
  for (int j = 0; j < NP; j++)
    idx[j] = ims_model_param_index(m, names[j]);
  size_t nt;
  double *tg = t_grid(8.5, 12, 0.5, &nt); /* past both switches (tau, T1 < 8.05) */
  double tg0[64];
  tg0[0] = 0;
  memcpy(tg0 + 1, tg, nt * sizeof *tg);
  unsigned long long st = 7;
  double wcd = 0, wcf = 0;
  static srow_t r, rp, rm;
  for (int it = 0; it < 40; it++) {
    double v[NP], p[NP];
    draw(&st, v);
    sw_params(m, v, p);
    ims_opts_t o;
    t_tight(&o);
    o.nsens = NP;
    o.sens = idx;
    srun(sim, 2, p, &o, tg0, nt + 1, &r);
    o.nsens = 0;
    o.sens = NULL;
    for (int j = 0; j < NP; j++) {
      double q[NP], w[NP];
      memcpy(w, v, sizeof w);
      double h = 1e-4 * (v[j] != 0 ? fabs(v[j]) : 1);
      w[j] = v[j] + h;
      sw_params(m, w, q);
      srun(sim, 2, q, &o, tg0, nt + 1, &rp);
      w[j] = v[j] - h;
      sw_params(m, w, q);
      srun(sim, 2, q, &o, tg0, nt + 1, &rm);
      for (int i = 1; i < r.n; i++)
        for (int c = 0; c < 2; c++) {
          double cd = (rp.y[i][c] - rm.y[i][c]) / (2 * h), got = r.s[i][j][c];
          double dx, dy;
          d_exact(v, r.t[i], j, &dx, &dy);
          /* err: the runs' own error bound (checked in `located`: 1e-7 of
           * y + 1 ug); a difference quotient carries it over its step */
          double cf = c ? dy : dx, err = 1e-7 * (fabs(r.y[i][c]) + 1e-3);
          double ecd = fabs(got - cd) / (1e-3 * fabs(cd) + err / h);
          double ecf = fabs(got - cf) / (1e-6 * fabs(cf) + err / fabs(v[j] + 1e-300));
          wcd = fmax(wcd, ecd);
          wcf = fmax(wcf, ecf);
          ck_assert_msg(ecd <= 1 && ecf <= 1,
                        "case %d, d%s/d%s at t = %g: %.10g, central differences %.10g, closed "
                        "form %.10g",
                        it, c ? "y" : "x", names[j], r.t[i], got, cd, cf);
        }
    }
  }
  printf("switches: sensitivities across both switches, worst error over the allowed: %.2g against "
         "central differences, %.2g against the closed forms (40 models x 8 parameters)\n",
         wcd, wcf);
  free(tg);
  ims_sim_free(sim);
  ims_model_close(m);
}
END_TEST

/* A condition whose two sides both drive the state back to the switch
 * (dx/dt = -1 above 1, +1 below) has no solution past it: the run fails
 * there with a message, instead of chattering for ever. */
START_TEST(sliding)
{
  const ims_model_t *m = read_model("name slide\ntime d\nstate x mg\nparam v 1 mg/d\n"
                                    "param L 1 mg\nd/dt(x) = piecewise(-v, x > L, v)\n");
  ims_sim_t *sim;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ims_opts_t o;
  t_tight(&o);
  double tg[2] = {0, 5}, p[3] = {1, 1, 0};
  ck_assert_int_eq(ims_model_nvalues(m), 3);
  trace_t tr;
  int rc = t_run(m, p, NULL, &o, tg, 2, &tr, &err);
  t_trace_free(&tr);
  ck_assert_int_eq(rc, IMS_ESOLVER);
  const char *at = strstr(err.msg, "at t = ");
  double ts = at ? atof(at + 7) : NAN;
  ck_assert_msg(strstr(err.msg, "sliding mode") && fabs(ts - 1) <= 1e-8, "%s", err.msg);
  ck_assert_ptr_null(strchr(err.msg, '\n'));
  ims_sim_free(sim);
  ims_model_close(m);
}
END_TEST

/* ---- init_ctx ---- */

/* A compiled model whose state A starts at 3 k (an initial expression, as an
 * SBML initial assignment gives): dA/dt = (0.1 - sin(t)) * u with u = 1
 * mg/d, so A = 3k + 0.1 t + cos(t) - 1. */
static ims_model_t *init_model(void)
{
  ims_mdl_t *d;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_mdl_alloc(&d, "initx", &err), 0);
  ck_assert_int_eq(ims_mdl_set(d, &d->time_unit, "d", &err), 0);
  int A = ims_mdl_add_state(d, "A", "mg", NULL, 1, 1, 1, &err);
  ck_assert_int_ge(ims_mdl_add_param(d, "k", 2, "mg", NULL, 0, 2, 1, &err), 0);
  ck_assert_int_ge(ims_mdl_add_param(d, "u", 1, "mg/d", NULL, 0, 3, 1, &err), 0);
  ims_expr_t *rate, *init;
  ck_assert_int_eq(ims_expr_parse("(0.1 - sin(t/1 d))*u", &rate, &err), 0);
  ck_assert_int_eq(ims_expr_parse("3*k", &init, &err), 0);
  ck_assert_int_ge(ims_mdl_set_rate(d, A, (ims_mdl_eq_t){rate, NULL, 4, 1}, &err), 0);
  d->states[A].init = (ims_mdl_eq_t){init, NULL, 5, 1};
  ims_model_t *m;
  ck_assert_msg(ims_mdl_compile(d, NULL, &m, &err) == 0, "%s", err.msg);
  ck_assert_ptr_nonnull(m->init_ctx);
  return m;
}

/* The first time after the nadir (t = pi - asin 0.1) at which A is back at
 * A(0): 0.1 t + cos(t) - 1 = 0, by bisection. */
static double regrow_exact(void)
{
  double a = M_PI, b = 2 * M_PI;
  for (int i = 0; i < 200; i++) {
    double c = 0.5 * (a + b);
    if (0.1 * c + cos(c) - 1 < 0)
      a = c;
    else
      b = c;
  }
  return 0.5 * (a + b);
}

/* init_ctx reaches the driver (A(t) = 3k + ...), the metrics baseline (the
 * regrowth time is where A returns to 3k, not to the A_0 parameter) and the
 * sensitivities (dA/dk = 3 by a difference quotient through init_ctx;
 * dA/dA_0 = 0: the expression replaces A_0). */
START_TEST(init_ctx)
{
  ims_model_t *m = init_model();
  int ik = ims_model_param_index(m, "k"), ia0 = m->nparams;
  ck_assert_int_ge(ik, 0);
  double p[3];
  ck_assert_int_eq(ims_model_nvalues(m), 3);
  p[ik] = 2;
  p[ims_model_param_index(m, "u")] = 1;
  p[ia0] = 1; /* the A_0 parameter, which the initial expression overrides */
  double y0;
  ck_assert_int_eq(ims_model_initial_state(m, p, &y0, NULL), 0);
  ck_assert_double_eq_tol(y0, 6, 1e-15);
  ims_sim_t *sim;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ims_opts_t o;
  t_tight(&o);
  size_t nt;
  double *tg = t_grid(0, 8, 0.5, &nt);
  /* the driver and the sensitivities */
  int sidx[2] = {ik, ia0};
  o.nsens = 2;
  o.sens = sidx;
  srow_t r;
  srun(sim, 1, p, &o, tg, nt, &r);
  for (int i = 0; i < r.n; i++) {
    double t = r.t[i], want = 6 + 0.1 * t + cos(t) - 1;
    ck_assert_msg(fabs(r.y[i][0] - want) <= 1e-8 * want, "t = %g: A = %.12g, want %.12g", t,
                  r.y[i][0], want);
    ck_assert_msg(fabs(r.s[i][0][0] - 3) <= 1e-7, "t = %g: dA/dk = %.12g, want 3", t, r.s[i][0][0]);
    ck_assert_msg(fabs(r.s[i][1][0]) <= 1e-7, "t = %g: dA/dA_0 = %.12g, want 0", t, r.s[i][1][0]);
  }
  /* the metrics baseline */
  o.nsens = 0;
  o.sens = NULL;
  ims_window_t w = {.a = 0, .b = 8, .label = "all"};
  ims_metrics_t *mt;
  ck_assert_int_eq(ims_metrics_alloc(&mt, m, &w, 1, NULL, 0, 0, &err), 0);
  ims_trigger_t trg[8];
  ck_assert_int_le(ims_metrics_max_triggers(mt), 8);
  int ntr = ims_metrics_begin(mt, p, 0, trg, 0);
  o.triggers = trg;
  o.ntriggers = ntr;
  o.quad = 1;
  o.samples = ims_metrics_times(mt, &o.nsamples);
  ims_observer_t obs;
  ims_metrics_observer(mt, &obs);
  ck_assert_msg(ims_sim_run(sim, p, NULL, &o, tg, nt, &obs, &err) == 0, "%s", err.msg);
  ims_metrics_end(mt);
  double rg = ims_metrics_value(mt, 0, 0, IMS_M_REGROW), want = regrow_exact();
  ck_assert_msg(fabs(rg - want) <= 1e-6, "regrowth at %.12g, want %.12g", rg, want);
  ims_metrics_free(mt);
  free(tg);
  ims_sim_free(sim);
  ims_mdl_model_free(m);
}
END_TEST

Suite *suite_switches(void)
{
  Suite *s = suite_create("switches");
  TCase *tc = tcase_create("switches");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, located);
  tcase_add_test(tc, sens_across);
  tcase_add_test(tc, sliding);
  tcase_add_test(tc, init_ctx);
  suite_add_tcase(s, tc);
  return s;
}
