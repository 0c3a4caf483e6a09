/* pk2cmt against exact closed forms (models/pk2cmt.md): 1- and 2-compartment
 * linear PK, bolus and zero-order infusion, superposition for repeats. */
#include "tests.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *pk(void)
{
  return ims_model_find("pk2cmt");
}

/* Closed form: unit-input response of a linear 2-compartment model,
 * C(t) = sum_i c_i exp(-l_i t) per unit bolus into A1 (closed form). */
typedef struct lin2 {
  double l[2], c[2];
  int n;
} lin2_t;

static lin2_t lin2(double CL, double V1, double Q, double V2)
{
  lin2_t s;
  double k10 = CL / V1;
  if (Q == 0) {
    s.n = 1;
    s.l[0] = k10;
    s.c[0] = 1 / V1;
    return s;
  }
  double k12 = Q / V1, k21 = Q / V2, sum = k10 + k12 + k21, prod = k10 * k21;
  double disc = sqrt(sum * sum - 4 * prod);
  double a = (sum + disc) / 2, b = (sum - disc) / 2;
  s.n = 2;
  s.l[0] = a;
  s.l[1] = b;
  s.c[0] = (a - k21) / (V1 * (a - b));
  s.c[1] = (k21 - b) / (V1 * (a - b));
  return s;
}

/* Concentration at t from a bolus D at t0, or an infusion of rate R over [t0, t0+T]. */
static double bolus_c(const lin2_t *s, double D, double t0, double t)
{
  double c = 0;
  if (t < t0)
    return 0;
  for (int i = 0; i < s->n; i++)
    c += D * s->c[i] * exp(-s->l[i] * (t - t0));
  return c;
}

static double inf_c(const lin2_t *s, double R, double t0, double T, double t)
{
  double c = 0;
  if (t <= t0)
    return 0;
  for (int i = 0; i < s->n; i++) {
    double l = s->l[i], k = R * s->c[i] / l;
    c +=
        t <= t0 + T ? k * (1 - exp(-l * (t - t0))) : k * (1 - exp(-l * T)) * exp(-l * (t - t0 - T));
  }
  return c;
}

/* 1-cmt bolus: C = D/V exp(-CL/V t) (closed form). */
START_TEST(bolus_1cmt)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=0.5", "V1=4", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n");
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 30, 0.5, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  int c = t_col(pk(), "C1");
  for (size_t i = 0; i < n; i++) {
    double want = 100.0 / 4 * exp(-0.5 / 4 * t[i]);
    ck_assert_msg(t_relerr(TR(&tr, i, c), want) <= 1e-6, "t=%g got %.12g want %.12g", t[i],
                  TR(&tr, i, c), want);
  }
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* 2-cmt bolus and infusion, pembrolizumab typical values (closed form). */
START_TEST(twocmt_bolus_and_infusion)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  double *v = p->value;
  lin2_t L = lin2(v[0], v[1], v[2], v[3]);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,dur\n0,A1,200,0\n10,A1,300,2.5\n");
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 60, 0.25, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  int c = t_col(pk(), "C1");
  for (size_t i = 0; i < n; i++) {
    double want = bolus_c(&L, 200, 0, t[i]) + inf_c(&L, 300 / 2.5, 10, 2.5, t[i]);
    ck_assert_msg(t_relerr(TR(&tr, i, c), want) <= 1e-6, "t=%g got %.12g want %.12g", t[i],
                  TR(&tr, i, c), want);
  }
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Repeated 30-min infusions (addl/ii) equal the superposed closed form. */
START_TEST(repeated_superposition)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  double *v = p->value;
  lin2_t L = lin2(v[0], v[1], v[2], v[3]);
  ims_schedule_t *s;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_schedule_alloc(&s, &err), 0);
  ck_assert_msg(ims_schedule_read(s, pk(), t_units(),
                                  t_path("params/schedules/pembrolizumab_200mg_q3w.csv"),
                                  &err) == 0,
                "%s", err.msg);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 365, 1, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  int c = t_col(pk(), "C1");
  double T = 0.0208333333333;
  for (size_t i = 0; i < n; i++) {
    double want = 0;
    for (int k = 0; k <= 17; k++)
      want += inf_c(&L, 200 / T, 21.0 * k, T, t[i]);
    if (want == 0) {
      ck_assert(TR(&tr, i, c) == 0);
      continue;
    }
    ck_assert_msg(t_relerr(TR(&tr, i, c), want) <= 1e-6, "t=%g got %.12g want %.12g", t[i],
                  TR(&tr, i, c), want);
  }
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Constant infusion: Css = R/CL (typical value), blinatumomab 28 ug/day. */
START_TEST(css_constant_infusion)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/blinatumomab_clements2020.csv", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,dur,unit\n0,A1,588,21,ug\n");
  ims_opts_t o;
  t_tight(&o);
  double t[] = {0, 5, 20};
  trace_t tr;
  t_run_ok(p, s, &o, t, 3, &tr);
  /* R/CL = 28 ug/d / (2.22 L/h * 24 h/d) in mg/L (closed form) */
  double css = 28e-3 / (2.22 * 24);
  ck_assert_msg(t_relerr(TR(&tr, 2, t_col(pk(), "C1")), css) <= 1e-6, "got %.12g want %.12g",
                TR(&tr, 2, t_col(pk(), "C1")), css);
  t_trace_free(&tr);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Cavg over a steady-state interval = dose/(CL*tau), via the AUC quadrature. */
START_TEST(cavg_steady_state)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  ims_schedule_t *s =
      t_sched(pk(), "time,cmt,amt,dur,ii,addl,ss\n0,A1,200,0.0208333333333,21,3,1\n");
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  double t[] = {0, 21, 42};
  trace_t tr;
  t_run_ok(p, s, &o, t, 3, &tr);
  int qc = t_col(pk(), "C1") - 1; /* quadrature columns skip time */
  double auc = tr.q[2 * tr.nq + qc] - tr.q[1 * tr.nq + qc];
  double want = 200.0 / (0.22 * 21); /* dose/(CL*tau), closed form */
  ck_assert_msg(t_relerr(auc / 21, want) <= 1e-6, "Cavg %.12g want %.12g", auc / 21, want);
  t_trace_free(&tr);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* ss=1 equals dosing explicitly for a long time (100 doses). */
START_TEST(ss_matches_explicit)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/nivolumab_bajaj2017.csv", "Emax=0", NULL);
  ims_schedule_t *a = t_sched(pk(), "time,cmt,amt,dur,ii,ss\n0,A1,240,0.0416666666667,14,1\n");
  ims_schedule_t *b = t_sched(pk(), "time,cmt,amt,dur,ii,addl\n0,A1,240,0.0416666666667,14,100\n");
  ims_opts_t o;
  t_tight(&o);
  double ta[] = {0, 0.5, 7, 13.999}, tb[] = {1400, 1400.5, 1407, 1413.999};
  trace_t ra, rb;
  t_run_ok(p, a, &o, ta, 4, &ra);
  t_run_ok(p, b, &o, tb, 4, &rb);
  int c = t_col(pk(), "C1");
  for (int i = 0; i < 4; i++)
    ck_assert_msg(t_relerr(TR(&ra, i, c), TR(&rb, i, c)) <= 1e-6, "row %d ss %.12g explicit %.12g",
                  i, TR(&ra, i, c), TR(&rb, i, c));
  t_trace_free(&ra);
  t_trace_free(&rb);
  ims_schedule_free(a);
  ims_schedule_free(b);
  ims_params_free(p);
}
END_TEST

/* ss=1 at the default tolerances (rtol 1e-6) over generated subjects and
 * doses: the periodic steady state of an infusion of rate R over T every tau
 * is, per exponential of the closed form, k (1 - e^{-lT}) e^{-l(t-T)} /
 * (1 - e^{-l tau}) after the infusion (k = R c/l).  Every case must converge
 * (the search once stalled at its 1e-8 test under rtol 1e-6 for about 1 % of
 * pembrolizumab 2 mg/kg subjects) and the trough and a mid-interval value
 * must be within 20 rtol of the closed form (a few rtol of global error). */
static double ss_inf_c(const lin2_t *L, double R, double T, double tau, double t)
{
  double c = 0;
  for (int i = 0; i < L->n; i++) {
    double l = L->l[i], k = R * L->c[i] / l, g = 1 / (1 - exp(-l * tau));
    c += t <= T ? k * (1 - exp(-l * t) + (1 - exp(-l * T)) * exp(-l * (tau - T)) * exp(-l * t) * g)
                : k * (1 - exp(-l * T)) * exp(-l * (t - T)) * g;
  }
  return c;
}

START_TEST(ss_default_tolerances_generated)
{
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 2017);
  double worst = 0;
  for (int k = 0; k < 200; k++) {
    double cl = 0.22 * exp(0.4 * gsl_ran_gaussian(g, 1)),
           v1 = 3.5 * exp(0.3 * gsl_ran_gaussian(g, 1));
    double q = 0.8 * exp(0.4 * gsl_ran_gaussian(g, 1)), v2 = 4 * exp(0.3 * gsl_ran_gaussian(g, 1));
    double amt = 50 + 400 * gsl_rng_uniform(g), tau = 7 * (1 + (int)gsl_rng_uniform_int(g, 6));
    double dur = 0.02 + 0.1 * gsl_rng_uniform(g);
    char a[4][64], csv[256];
    snprintf(a[0], 64, "CL=%.17g", cl);
    snprintf(a[1], 64, "V1=%.17g", v1);
    snprintf(a[2], 64, "Q=%.17g", q);
    snprintf(a[3], 64, "V2=%.17g", v2);
    snprintf(csv, sizeof csv, "time,cmt,amt,dur,ii,ss\n0,A1,%.17g,%.17g,%.17g,1\n", amt, dur, tau);
    ims_params_t *p = t_params(pk(), NULL, a[0], a[1], a[2], a[3], NULL);
    ims_schedule_t *s = t_sched(pk(), csv);
    ims_opts_t o;
    ims_opts_default(&o);
    double t[3] = {0, tau / 2, tau};
    trace_t tr;
    t_run_ok(p, s, &o, t, 3, &tr);
    lin2_t L = lin2(cl, v1, q, v2);
    int c = t_col(pk(), "C1");
    /* row 0 is after the dose at 0 starts (nothing given yet): the trough */
    double want[3] = {ss_inf_c(&L, amt / dur, dur, tau, tau),
                      ss_inf_c(&L, amt / dur, dur, tau, tau / 2),
                      ss_inf_c(&L, amt / dur, dur, tau, tau)};
    for (int i = 0; i < 3; i++) {
      double e = t_relerr(TR(&tr, i, c), want[i]);
      worst = fmax(worst, e);
      ck_assert_msg(
          e <= 20 * o.rtol,
          "case %d (CL %g V1 %g Q %g V2 %g, %g mg over %g d every %g d): t=%g C1 %.10g want %.10g",
          k, cl, v1, q, v2, amt, dur, tau, t[i], TR(&tr, i, c), want[i]);
    }
    t_trace_free(&tr);
    ims_schedule_free(s);
    ims_params_free(p);
  }
  printf("pk2cmt: ss=1 at rtol 1e-6, 200 generated cases: worst rel err %.2e against the closed "
         "form\n",
         worst);
  gsl_rng_free(g);
}
END_TEST

/* ---- dosing edge cases, each against the superposed closed form ---- */

typedef struct dose {
  double t, amt, dur; /* dur 0: bolus */
} dose_t;

static double superposed(const lin2_t *L, const dose_t *d, int n, double t)
{
  double c = 0;
  for (int i = 0; i < n; i++)
    c += d[i].dur > 0 ? inf_c(L, d[i].amt / d[i].dur, d[i].t, d[i].dur, t)
                      : bolus_c(L, d[i].amt, d[i].t, t);
  return c;
}

/* Runs the schedule on a 2-cmt model and compares every output row with the
 * closed form of the equivalent dose list. */
static void check_schedule(const char *csv, const dose_t *d, int nd, const double *t, size_t n)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=0.4", "V1=3", "Q=0.8", "V2=4", NULL);
  lin2_t L = lin2(0.4, 3, 0.8, 4);
  ims_schedule_t *s = t_sched(pk(), csv);
  ims_opts_t o;
  t_tight(&o);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  int c = t_col(pk(), "C1");
  for (size_t i = 0; i < n; i++) {
    ck_assert(TR(&tr, i, 0) == t[i]); /* exact requested times, no epsilon shifts */
    double want = superposed(&L, d, nd, t[i]);
    double got = TR(&tr, i, c);
    ck_assert_msg(want == 0 ? fabs(got) < 1e-12 : t_relerr(got, want) <= 1e-6,
                  "t=%g got %.12g want %.12g", t[i], got, want);
  }
  t_trace_free(&tr);
  ims_schedule_free(s);
  ims_params_free(p);
}

/* An output at a dose time reports the post-dose state, exactly once. */
START_TEST(dose_at_zero_and_output_time)
{
  dose_t d[] = {{0, 100, 0}, {5, 50, 0}};
  double t[] = {0, 2.5, 5, 7};
  check_schedule("time,cmt,amt\n0,A1,100\n5,A1,50\n", d, 2, t, 4);
}
END_TEST

START_TEST(infusion_spanning_outputs)
{
  dose_t d[] = {{1, 100, 3}};
  size_t n;
  double *t = t_grid(0, 6, 0.01, &n);
  check_schedule("time,cmt,amt,dur\n1,A1,100,3\n", d, 1, t, n);
  free(t);
}
END_TEST

START_TEST(infusion_end_meets_next_dose)
{
  dose_t d[] = {{0, 100, 2}, {2, 80, 0}, {2, 60, 1}};
  double t[] = {0, 1, 2, 2.5, 3, 4};
  check_schedule("time,cmt,amt,dur\n0,A1,100,2\n2,A1,80,0\n2,A1,60,1\n", d, 3, t, 6);
}
END_TEST

START_TEST(overlapping_infusions_add)
{
  dose_t d[] = {{0, 40, 4}, {2, 20, 4}};
  double t[] = {0, 1, 2, 3, 4, 5, 6, 8};
  /* the second is given by rate: 20 mg at 5 mg/d = 4 d */
  check_schedule("time,cmt,amt,rate,dur\n0,A1,40,,4\n2,A1,20,5,\n", d, 2, t, 8);
}
END_TEST

START_TEST(lag_with_infusion)
{
  dose_t d[] = {{1.5, 30, 2}};
  double t[] = {0, 1, 1.5, 2, 3.5, 5};
  check_schedule("time,cmt,amt,dur,lag\n0,A1,30,2,1.5\n", d, 1, t, 6);
}
END_TEST

START_TEST(bioavailability)
{
  /* f scales the amount; for a dur infusion the rate (f*amt/dur), for a
   * rate infusion the duration (f*amt/rate). */
  dose_t d[] = {{0, 60, 0}, {1, 30, 2}, {4, 15, 1.5}};
  double t[] = {0, 0.5, 1, 2, 3, 4, 5, 6};
  check_schedule("time,cmt,amt,rate,dur,f\n0,A1,100,,,0.6\n1,A1,60,,2,0.5\n4,A1,30,10,,0.5\n", d, 3,
                 t, 8);
}
END_TEST

START_TEST(addl_with_ii)
{
  dose_t d[] = {{0, 10, 0}, {2, 10, 0}, {4, 10, 0}, {6, 10, 0}};
  size_t n;
  double *t = t_grid(0, 9, 0.5, &n);
  check_schedule("time,cmt,amt,ii,addl\n0,A1,10,2,3\n", d, 4, t, n);
  free(t);
}
END_TEST

START_TEST(output_at_end_time)
{
  size_t n;
  double *t = t_grid(0, 10, 3, &n);
  ck_assert_uint_eq(n, 5);
  ck_assert(t[3] == 9.0 && t[4] == 10.0);
  dose_t d[] = {{0, 10, 0}};
  check_schedule("time,cmt,amt\n0,A1,10\n", d, 1, t, n);
  free(t);
}
END_TEST

/* The same parameters written in mL/h and in L/d give the same trajectory. */
START_TEST(units_equivalent)
{
  ims_params_t *a =
      t_params(pk(), NULL, "CL=9.4mL/h", "V1=3.63L", "Q=32.1 mL/h", "V2=2780mL", NULL);
  ims_params_t *b = t_params(pk(), NULL, "CL=0.2256L/d", "V1=3.63", "Q=0.7704", "V2=2.78", NULL);
  for (int i = 0; i < 4; i++)
    ck_assert_msg(t_relerr(a->value[i], b->value[i]) < 1e-12, "%d: %.15g vs %.15g", i, a->value[i],
                  b->value[i]);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,unit\n0,A1,240000,ug\n");
  ims_schedule_t *s2 = t_sched(pk(), "time,cmt,amt,unit\n0,A1,0.24,g\n");
  ck_assert(s->rec[0].amt == 240.0 && s2->rec[0].amt == 240.0);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 50, 1, &n);
  trace_t ra, rb;
  t_run_ok(a, s, &o, t, n, &ra);
  t_run_ok(b, s2, &o, t, n, &rb);
  for (size_t i = 0; i < n * (size_t)ra.ncol; i++)
    ck_assert(t_relerr(ra.v[i], rb.v[i]) < 1e-9);
  t_trace_free(&ra);
  t_trace_free(&rb);
  free(t);
  ims_schedule_free(s);
  ims_schedule_free(s2);
  ims_params_free(a);
  ims_params_free(b);
}
END_TEST

/* Michaelis-Menten: with CL = Q = 0 and C << Km the decay is first order
 * with k = Vmax/(Km*V1) (closed-form limit); far above Km it is zero order. */
START_TEST(michaelis_menten_limits)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=0", "V1=2", "Vmax=1", "Km=1000", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,0.002\n");
  ims_opts_t o;
  t_tight(&o);
  double t[] = {0, 100, 1000};
  trace_t tr;
  t_run_ok(p, s, &o, t, 3, &tr);
  double k = 1.0 / (1000 * 2);
  /* C/Km <= 1e-6, so the relative deviation from first order is <= 1e-6 */
  ck_assert(t_relerr(TR(&tr, 2, 1), 0.002 * exp(-k * 1000)) < 2e-6);
  t_trace_free(&tr);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Michaelis-Menten with a tiny Km: zero-order elimination until A1 reaches
 * 0, where it must stay.  The term has no pole and A1 does not go negative
 * beyond the solver's tolerance of the dose (100 atol + rtol x 200 mg);
 * before, A1 reached -630 mg at Km = 1e-6 with exit 0.  The case
 * (pembrolizumab every 3 weeks, BDF, default tolerances) must run for Km = 1e-6
 * and 1e-9; for smaller Km, other methods and a harder depleted regime (CL
 * 0.2 L/d, A2 refilling A1) a run either stays non-negative or fails with a
 * message, never silently below 0. */
static int mm_run(const char *base, const char *km, const char *extra1, const char *extra2,
                  const char *sched, int method, double tend, int must)
{
  ims_params_t *p = base
                        ? t_params(pk(), base, "Vmax=50", km, extra1, extra2, NULL)
                        : t_params(pk(), NULL, "Vmax=50", km, extra1, extra2, "V1=3", "V2=4", NULL);
  ims_schedule_t *s = t_sched(pk(), sched);
  ims_opts_t o;
  ims_opts_default(&o);
  o.method = method;
  size_t n;
  double *t = t_grid(0, tend, 0.1, &n);
  trace_t tr;
  ims_err_t err = {0};
  int rc = t_run(pk(), p->value, s, &o, t, n, &tr, &err);
  if (must)
    ck_assert_msg(rc == 0, "%s: %s", km, err.msg);
  if (rc)
    ck_assert_msg(rc == IMS_ESOLVER && strstr(err.msg, "solver failed at t = "), "%s", err.msg);
  for (size_t i = 0; !rc && i < n; i++) {
    double a1 = TR(&tr, i, 1);
    ck_assert_msg(a1 >= -(100 * o.atol + o.rtol * 200) && isfinite(a1), "%s method %d t %g: A1 %g",
                  km, method, t[i], a1);
  }
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
  return rc;
}

START_TEST(michaelis_menten_tiny_km)
{
  const char *kms[] = {"Km=1e-6", "Km=1e-9", "Km=1e-12", "Km=1e-300"};
  const char *pembro = "params/pk2cmt/pembrolizumab_ahamadi2017.csv";
  for (int k = 0; k < 4; k++) {
    mm_run(pembro, kms[k], "Q=0.795", "V2=4.06", "@params/schedules/pembrolizumab_200mg_q3w.csv",
           IMS_BDF, 100, k < 2);
    mm_run(pembro, kms[k], "Q=0.795", "V2=4.06", "@params/schedules/pembrolizumab_200mg_q3w.csv",
           IMS_ADAMS, 100, 0);
    for (int q = 0; q < 2; q++)
      for (int method = 0; method < 2; method++)
        mm_run(NULL, kms[k], q ? "Q=0.8" : "Q=0", "CL=0.2", "time,cmt,amt,ii,addl\n0,A1,200,21,2\n",
               method ? IMS_ADAMS : IMS_BDF, 63, 0);
  }
  /* zero order while C1 >> Km (one compartment, CL 0.2, V1 1): A1 = (200 +
   * 50/k) e^{-kt} - 50/k = 450 e^{-0.2 t} - 250, until it is spent (2.94 d) */
  ims_params_t *p = t_params(pk(), NULL, "CL=0.2", "V1=1", "Vmax=50", "Km=1e-9", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,200\n");
  ims_opts_t o;
  t_tight(&o);
  double t[] = {0, 1, 2, 2.9, 10};
  trace_t tr;
  t_run_ok(p, s, &o, t, 5, &tr);
  for (int i = 1; i < 4; i++) {
    double want = 450 * exp(-0.2 * t[i]) - 250;
    ck_assert_msg(fabs(TR(&tr, i, 1) - want) < 1e-8 * 200, "t %g: A1 %.12g want %.12g", t[i],
                  TR(&tr, i, 1), want);
  }
  ck_assert_msg(fabs(TR(&tr, 4, 1)) < 1e-9, "A1(10) = %g", TR(&tr, 4, 1));
  t_trace_free(&tr);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

Suite *suite_pk(void)
{
  Suite *s = suite_create("pk2cmt");
  TCase *tc = tcase_create("closed forms");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, bolus_1cmt);
  tcase_add_test(tc, twocmt_bolus_and_infusion);
  tcase_add_test(tc, repeated_superposition);
  tcase_add_test(tc, css_constant_infusion);
  tcase_add_test(tc, cavg_steady_state);
  tcase_add_test(tc, ss_matches_explicit);
  tcase_add_test(tc, ss_default_tolerances_generated);
  suite_add_tcase(s, tc);
  TCase *te = tcase_create("dosing edge cases");
  tcase_set_timeout(te, 60);
  tcase_add_test(te, dose_at_zero_and_output_time);
  tcase_add_test(te, infusion_spanning_outputs);
  tcase_add_test(te, infusion_end_meets_next_dose);
  tcase_add_test(te, overlapping_infusions_add);
  tcase_add_test(te, lag_with_infusion);
  tcase_add_test(te, bioavailability);
  tcase_add_test(te, addl_with_ii);
  tcase_add_test(te, output_at_end_time);
  tcase_add_test(te, units_equivalent);
  tcase_add_test(te, michaelis_menten_limits);
  tcase_add_test(te, michaelis_menten_tiny_km);
  suite_add_tcase(s, te);
  return s;
}
