/* stein2019 (Stein 2019, Table 1): the exact piecewise solution, the published
 * doubling time / contraction and terminal half-lives, and the Tmax
 * breakpoint (the solver stops there; --set Tmax moves it). */
#include "../tests.h"

#include <math.h>
#include <stdlib.h>

#define SET "params/stein2019/tisagenlecleucel.csv"

static const ims_model_t *stein(void)
{
  return ims_model_find("stein2019");
}

enum { FOLDX, TMAX, CMAX, ALPHA, FB, BETA };

/* Closed form (Stein 2019 supplement; models/stein2019.md), with an optional
 * M(0) = m0 that stays constant until Tmax and then decays at beta. */
static void exact(const double *p, double m0, double t, double *E, double *M)
{
  double tmax = p[TMAX], cmax = p[CMAX];
  if (t < tmax) {
    *E = cmax / p[FOLDX] * exp(log(p[FOLDX]) / tmax * t);
    *M = m0;
    return;
  }
  double s = t - tmax, ea = exp(-p[ALPHA] * s), eb = exp(-p[BETA] * s);
  *E = cmax * ea;
  *M = p[FB] * cmax * (eb - ea) + m0 * eb;
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* 0..730 every 0.5 d plus Tmax itself and points just around it. */
static double *times(double tmax, size_t *n)
{
  size_t k = 1461;
  double *t = malloc((k + 5) * sizeof *t);
  for (size_t i = 0; i < k; i++)
    t[i] = 0.5 * (double)i;
  double extra[] = {tmax, tmax - 1e-6, tmax + 1e-6, tmax + 1e-3, tmax + 0.1};
  for (int i = 0; i < 5; i++)
    t[k++] = extra[i];
  qsort(t, k, sizeof *t, cmp);
  size_t m = 0; /* drop duplicates */
  for (size_t i = 0; i < k; i++)
    if (m == 0 || t[i] != t[m - 1])
      t[m++] = t[i];
  *n = m;
  return t;
}

/* Run for the rows (t_run), then once more on our own workspace for the
 * solver statistics (t_run frees its workspace). */
static void run_stats(const ims_params_t *p, const ims_opts_t *o, const double *t, size_t n,
                      trace_t *tr, ims_stats_t *st)
{
  ims_err_t err = {0};
  ims_sim_t *sim;
  ck_assert_int_eq(ims_sim_alloc(&sim, stein(), &err), 0);
  ck_assert_msg(t_run(stein(), p->value, NULL, o, t, n, tr, &err) == 0, "%s", err.msg);
  ck_assert_uint_eq(tr->nrow, n);
  ck_assert_msg(ims_sim_run(sim, p->value, NULL, o, t, n, NULL, &err) == 0, "%s", err.msg);
  *st = *ims_sim_stats(sim);
  ims_sim_free(sim);
}

static void check_exact(const ims_params_t *p, double m0, const trace_t *tr)
{
  int ce = t_col(stein(), "E"), cm = t_col(stein(), "M"), cc = t_col(stein(), "CAR");
  for (size_t i = 0; i < tr->nrow; i++) {
    double t = TR(tr, i, 0), E, M;
    exact(p->value, m0, t, &E, &M);
    double car = E + M;
    ck_assert_msg(t_relerr(TR(tr, i, cc), car) <= 1e-6, "CAR t=%.9g got %.12g want %.12g", t,
                  TR(tr, i, cc), car);
    /* each state to 1e-6 of the observed level (E falls to 1e-45 by day 730) */
    ck_assert_msg(fabs(TR(tr, i, ce) - E) <= 1e-6 * car, "E t=%.9g got %.12g want %.12g", t,
                  TR(tr, i, ce), E);
    ck_assert_msg(fabs(TR(tr, i, cm) - M) <= 1e-6 * car, "M t=%.9g got %.12g want %.12g", t,
                  TR(tr, i, cm), M);
  }
}

/* Exact solution over 0..730 d, at Tmax and just before/after it. */
START_TEST(closed_form)
{
  ims_params_t *p = t_params(stein(), SET, NULL);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = times(p->value[TMAX], &n);
  trace_t tr;
  ims_stats_t st;
  run_stats(p, &o, t, n, &tr, &st);
  check_exact(p, 0, &tr);
  /* M is exactly 0 before Tmax (dM/dt = 0 in phase 0) */
  for (size_t i = 0; i < n && t[i] < p->value[TMAX]; i++)
    ck_assert(TR(&tr, i, t_col(stein(), "M")) == 0);
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

/* E(0) = Cmax/foldx comes from the init hook, which overrides E_0; M_0 is
 * used as given and superposes (closed form with m0). */
START_TEST(init_and_state0)
{
  ims_params_t *p = t_params(stein(), SET, "E_0=5", "M_0=100", NULL);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = times(p->value[TMAX], &n);
  trace_t tr;
  ims_stats_t st;
  run_stats(p, &o, t, n, &tr, &st);
  ck_assert(fabs(TR(&tr, 0, t_col(stein(), "E")) - 24000.0 / 3900) < 1e-12);
  ck_assert(TR(&tr, 0, t_col(stein(), "M")) == 100);
  check_exact(p, 100, &tr);
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

/* Published checks (Stein 2019, Results), measured on the
 * simulated trajectory, each to half a unit of the published last digit:
 * doubling time 0.78 d (2 decimals: +-0.005), contraction half-life 4.3 d
 * (1 decimal: +-0.05), terminal half-life "about 220 d" (2 significant
 * figures: +-5; ln2/beta = 216.6). */
START_TEST(published_half_lives)
{
  ims_params_t *p = t_params(stein(), SET, NULL);
  ims_opts_t o;
  t_tight(&o);
  double tm = p->value[TMAX];
  double t[] = {1, 8, tm + 1, tm + 10, 365, 730};
  trace_t tr;
  ck_assert_int_eq(t_run(stein(), p->value, NULL, &o, t, 6, &tr, &(ims_err_t){0}), 0);
  int cc = t_col(stein(), "CAR"), ce = t_col(stein(), "E");
  double td = log(2) * (t[1] - t[0]) / log(TR(&tr, 1, cc) / TR(&tr, 0, cc));
  double th = log(2) * (t[3] - t[2]) / log(TR(&tr, 2, ce) / TR(&tr, 3, ce));
  double tt = log(2) * (t[5] - t[4]) / log(TR(&tr, 4, cc) / TR(&tr, 5, cc));
  ck_assert_msg(fabs(td - 0.78) <= 0.005, "doubling time %.5f d, published 0.78", td);
  ck_assert_msg(fabs(th - 4.3) <= 0.05, "contraction half-life %.5f d, published 4.3", th);
  ck_assert_msg(fabs(tt - 220) <= 5, "terminal half-life %.3f d, published about 220", tt);
  /* and the terminal phase is ln2/beta itself (closed form) */
  ck_assert_msg(t_relerr(tt, log(2) / p->value[BETA]) <= 1e-6, "terminal %.9g", tt);
  t_trace_free(&tr);
  ims_params_free(p);
}
END_TEST

/* The peak Cmax is reached at Tmax; the solver restarts exactly once, at
 * Tmax, and the value just after it follows the contraction law even when no
 * output time falls on Tmax (dt = 0.7 misses 9.3). */
START_TEST(peak_and_breakpoint)
{
  ims_params_t *p = t_params(stein(), SET, NULL);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = times(p->value[TMAX], &n);
  trace_t tr;
  ims_stats_t st;
  run_stats(p, &o, t, n, &tr, &st);
  int cc = t_col(stein(), "CAR");
  size_t imax = 0;
  for (size_t i = 1; i < n; i++)
    if (TR(&tr, i, cc) > TR(&tr, imax, cc))
      imax = i;
  ck_assert_msg(t[imax] == p->value[TMAX], "peak at %g, Tmax %g", t[imax], p->value[TMAX]);
  ck_assert_msg(t_relerr(TR(&tr, imax, cc), p->value[CMAX]) <= 1e-6, "CAR(Tmax) %.12g",
                TR(&tr, imax, cc));
  ck_assert_int_eq(st.restarts, 1);
  t_trace_free(&tr);

  double *g;
  size_t ng;
  ck_assert_int_eq(ims_grid_uniform(0, 30, 0.7, &g, &ng, &(ims_err_t){0}), 0);
  run_stats(p, &o, g, ng, &tr, &st);
  ck_assert_int_eq(st.restarts, 1);
  check_exact(p, 0, &tr);
  t_trace_free(&tr);
  free(g);

  /* ending before Tmax: no breakpoint is reached, no restart */
  double early[] = {0, 5};
  run_stats(p, &o, early, 2, &tr, &st);
  ck_assert_int_eq(st.restarts, 0);
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

/* --set Tmax=12 (the same code path, ims_params_set) moves the breakpoint:
 * the peak is at 12 d, the solution is the closed form with Tmax = 12. */
START_TEST(set_tmax_moves_break)
{
  ims_params_t *p = t_params(stein(), SET, "Tmax=288 h", NULL);
  ck_assert(fabs(p->value[TMAX] - 12) < 1e-12);
  double tb[4];
  ck_assert_int_eq(stein()->breaks(p->value, tb, 4), 1);
  ck_assert(tb[0] == 12);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = times(12, &n);
  trace_t tr;
  ims_stats_t st;
  run_stats(p, &o, t, n, &tr, &st);
  ck_assert_int_eq(st.restarts, 1);
  check_exact(p, 0, &tr);
  int cc = t_col(stein(), "CAR");
  for (size_t i = 0; i < n; i++) {
    if (t[i] == 9.5) /* still expanding at the default Tmax */
      ck_assert(TR(&tr, i, cc) < 0.2 * p->value[CMAX]);
    if (t[i] == 12)
      ck_assert(t_relerr(TR(&tr, i, cc), p->value[CMAX]) <= 1e-6);
  }
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

/* copies/ug parses and converts (udunits); the set's iiv column is read as
 * omega^2 on the log scale, lognormal (Stein 2019 Table 1). */
START_TEST(units_and_iiv)
{
  ims_err_t err;
  double v = 1;
  ck_assert_int_eq(ims_units_convert(t_units(), "copies/ug", "copies/mg", &v, &err), 0);
  ck_assert(fabs(v - 1000) < 1e-9);
  ims_params_t *p = t_params(stein(), SET, "Cmax=2.4e7 copies/mg", NULL);
  ck_assert(fabs(p->value[CMAX] - 24000) < 1e-9);
  double om[] = {2.4, 0.38, 0.65, 0.91, 0.8, 0.86};
  for (int k = 0; k < 6; k++) {
    ck_assert(fabs(p->omega2[k] - om[k]) < 1e-15);
    ck_assert_int_eq(p->dist[k], IMS_DIST_LOGNORMAL);
  }
  ims_params_free(p);
}
END_TEST

/* A rule that sets Tmax moves the breakpoint (the driver recomputes the
 * breakpoints when a parameter changes).  CAR reaches 1e4 at t_c =
 * Tmax ln(1e4/E0)/ln(foldx) (8.31 d):
 *  - set Tmax = 3 there: the breakpoint is already passed, so the
 *    contraction starts at t_c: E = 1e4 e^{-alpha s}, M = FB 1e4 (e^{-beta s}
 *    - e^{-alpha s}), s = t - t_c (before, E grew to 1e24);
 *  - set Tmax = 12 there: the expansion goes on at ln(foldx)/12 up to 12. */
START_TEST(rule_sets_tmax)
{
  ims_params_t *p = t_params(stein(), SET, NULL);
  const double *v = p->value;
  double e0 = v[CMAX] / v[FOLDX], tc = v[TMAX] * log(1e4 / e0) / log(v[FOLDX]);
  for (int pass = 0; pass < 2; pass++) {
    double newt = pass ? 12 : 3;
    ims_trigger_t tr = {.name = "set Tmax",
                        .var = 2,
                        .threshold = 1e4,
                        .dir = 1,
                        .act = IMS_ACT_SETPAR,
                        .target = TMAX,
                        .value = newt,
                        .max_count = 1,
                        .start = -INFINITY};
    ims_opts_t o;
    t_tight(&o);
    o.triggers = &tr;
    o.ntriggers = 1;
    double t[] = {0, 8, 10, 12, 20, 60};
    trace_t r;
    ims_err_t err = {0};
    ck_assert_msg(t_run(stein(), v, NULL, &o, t, 6, &r, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(r.nev, 1);
    /* exponential growth carries the solver's relative error (~1e-8 here) */
    ck_assert_msg(fabs(r.ev[0].t - tc) < 1e-6, "crossing at %.12g want %.12g", r.ev[0].t, tc);
    int cc = t_col(stein(), "CAR");
    for (int i = 1; i < 6; i++) {
      double want, tt = t[i];
      if (!pass) {
        double s = tt - tc, ea = exp(-v[ALPHA] * s), eb = exp(-v[BETA] * s);
        want =
            tt < tc ? e0 * exp(log(v[FOLDX]) / v[TMAX] * tt) : 1e4 * ea + v[FB] * 1e4 * (eb - ea);
      } else {
        double rho2 = log(v[FOLDX]) / 12, e12 = 1e4 * exp(rho2 * (12 - tc));
        double s = tt - 12, ea = exp(-v[ALPHA] * s), eb = exp(-v[BETA] * s);
        want = tt < tc   ? e0 * exp(log(v[FOLDX]) / v[TMAX] * tt)
               : tt < 12 ? 1e4 * exp(rho2 * (tt - tc))
                         : e12 * ea + v[FB] * e12 * (eb - ea);
      }
      ck_assert_msg(t_relerr(TR(&r, i, cc), want) <= 1e-6, "Tmax->%g t=%g: CAR %.10g want %.10g",
                    newt, tt, TR(&r, i, cc), want);
    }
    t_trace_free(&r);
  }
  ims_params_free(p);
}
END_TEST

Suite *suite_stein2019(void)
{
  Suite *s = suite_create("stein2019");
  TCase *tc = tcase_create("kinetics");
  tcase_add_test(tc, closed_form);
  tcase_add_test(tc, init_and_state0);
  tcase_add_test(tc, published_half_lives);
  tcase_add_test(tc, peak_and_breakpoint);
  tcase_add_test(tc, set_tmax_moves_break);
  tcase_add_test(tc, rule_sets_tmax);
  tcase_add_test(tc, units_and_iiv);
  suite_add_tcase(s, tc);
  return s;
}
