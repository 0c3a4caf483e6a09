/* Metrics against pk2cmt closed forms (models/pk2cmt.md): AUC to infinity =
 * D/CL, Cavg,ss = D/(CL tau), bolus Cmax/Cmin at steady state, time above a
 * threshold, peaks between output times, windows between output times,
 * regrowth above baseline, and independence from the output grid. */
#include "tests.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *pk(void)
{
  return ims_model_find("pk2cmt");
}

enum { COL_A1 = 0, COL_A2 = 1, COL_C1 = 2 };

/* Run with metrics over windows w and thresholds th on a uniform grid. */
static ims_metrics_t *mrun(const ims_params_t *p, const ims_schedule_t *s, const ims_window_t *w,
                           int nw, const ims_threshold_t *th, int nth, double tend, double dt,
                           unsigned flags)
{
  const ims_model_t *m = pk();
  ims_err_t err = {0};
  ims_metrics_t *mt;
  ck_assert_msg(ims_metrics_alloc(&mt, m, w, nw, th, nth, flags, &err) == 0, "%s", err.msg);
  ims_trigger_t *tr = calloc((size_t)ims_metrics_max_triggers(mt) + 1, sizeof *tr);
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  o.ntriggers = ims_metrics_begin(mt, p->value, 0.0, tr, 0);
  o.triggers = tr;
  o.samples = ims_metrics_times(mt, &o.nsamples);
  double *g;
  size_t n;
  ck_assert_int_eq(ims_grid_uniform(0, tend, dt, &g, &n, &err), 0);
  ims_observer_t obs;
  ims_metrics_observer(mt, &obs);
  ims_sim_t *sim;
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  int rc = ims_sim_run(sim, p->value, s, &o, g, n, &obs, &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
  ims_metrics_end(mt);
  ims_sim_free(sim);
  free(g);
  free(tr);
  return mt;
}

static ims_window_t win(double a, double b, const char *label)
{
  ims_window_t w = {a, b, ""};
  strncpy(w.label, label, sizeof w.label - 1);
  return w;
}

#define CHECK_REL(got, want, tol)                                                                  \
  ck_assert_msg(t_relerr((got), (want)) < (tol), "%s: got %.12g want %.12g", #got, (double)(got),  \
                (double)(want))

/* AUC(0..inf) = D/CL (closed form) for 1- and 2-compartment bolus PK.  The
 * horizon leaves e^{-lambda_z T} of the AUC out: e^{-40} for the 1-cmt
 * case, and for pembrolizumab (lambda_z ~ 0.0255/d) e^{-51} at T = 2000 d,
 * so the truncation is far below the 1e-8 asked for. */
START_TEST(auc_infinity)
{
  ims_params_t *p1 = t_params(pk(), NULL, "CL=2", "V1=10", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n");
  ims_window_t w = win(0, 200, "all");
  ims_metrics_t *mt = mrun(p1, s, &w, 1, NULL, 0, 200, 10, 0);
  CHECK_REL(ims_metrics_value(mt, 0, COL_C1, IMS_M_AUC), 100.0 / 2, 1e-8);
  /* the amount's AUC is D/k = D V / CL */
  CHECK_REL(ims_metrics_value(mt, 0, COL_A1, IMS_M_AUC), 100.0 * 10 / 2, 1e-8);
  ck_assert(ims_metrics_complete(mt, 0));
  ims_metrics_free(mt);
  ims_params_free(p1);

  ims_params_t *p2 = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  ims_schedule_t *s2 = t_sched(pk(), "time,cmt,amt\n0,A1,200\n");
  w = win(0, 2000, "all");
  mt = mrun(p2, s2, &w, 1, NULL, 0, 2000, 100, 0);
  CHECK_REL(ims_metrics_value(mt, 0, COL_C1, IMS_M_AUC), 200.0 / 0.22, 1e-8);
  ims_metrics_free(mt);
  ims_params_free(p2);
  ims_schedule_free(s);
  ims_schedule_free(s2);
}
END_TEST

/* Repeated boluses every tau, 1 cmt (closed form at steady state):
 * Cmax = D/V/(1 - e^{-k tau}) right after a dose, Cmin = Cmax e^{-k tau}
 * before the next, Cavg = D/(CL tau).  After 60 intervals of k tau = 1 the
 * distance from steady state is e^{-60}. */
START_TEST(steady_state_bolus)
{
  double CL = 2, V = 10, D = 100, tau = 5, k = CL / V;
  ims_params_t *p = t_params(pk(), NULL, "CL=2", "V1=10", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,ii,addl\n0,A1,100,5,59\n");
  ims_window_t *w = NULL;
  int nw = 0;
  ims_err_t err;
  ck_assert_int_eq(ims_windows_from_schedule(s, 0, 300, IMS_WIN_ALL | IMS_WIN_DOSES | IMS_WIN_LAST,
                                             &w, &nw, &err),
                   0);
  ck_assert_int_eq(nw, 1 + 60 + 1);
  ck_assert_str_eq(w[nw - 1].label, "last");
  ck_assert(w[nw - 1].a == 295 && w[nw - 1].b == 300);
  ims_metrics_t *mt = mrun(p, s, w, nw, NULL, 0, 300, 1, 0);
  int last = nw - 1;
  double cmax = D / V / (1 - exp(-k * tau)), cmin = cmax * exp(-k * tau);
  CHECK_REL(ims_metrics_value(mt, last, COL_C1, IMS_M_MAX), cmax, 1e-8);
  ck_assert(ims_metrics_value(mt, last, COL_C1, IMS_M_TMAX) == 295);
  CHECK_REL(ims_metrics_value(mt, last, COL_C1, IMS_M_MIN), cmin, 1e-8);
  CHECK_REL(ims_metrics_value(mt, last, COL_C1, IMS_M_TROUGH), cmin, 1e-8);
  CHECK_REL(ims_metrics_value(mt, last, COL_C1, IMS_M_AVG), D / (CL * tau), 1e-8);
  /* first interval: trough before dose 2 is D/V e^{-k tau}; the dose at 5
   * itself belongs to the next interval */
  CHECK_REL(ims_metrics_value(mt, 1, COL_C1, IMS_M_TROUGH), D / V * exp(-k * tau), 1e-8);
  CHECK_REL(ims_metrics_value(mt, 1, COL_C1, IMS_M_MAX), D / V, 1e-8);
  /* the whole run: AUC = 60 D/CL minus the tail after 300 */
  double tail = cmax * exp(-k * tau) / k; /* C(300^-) / k */
  CHECK_REL(ims_metrics_value(mt, 0, COL_C1, IMS_M_AUC), 60 * D / CL - tail, 1e-8);
  ims_metrics_free(mt);
  free(w);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Time above a threshold of a 1-cmt bolus: C0 e^{-k t} > thr for
 * t < ln(C0/thr)/k (closed form); the dose lifts C across thr at t = 0 (one
 * crossing, found at the jump) and it falls back once (the second). */
START_TEST(time_above_threshold)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=2", "V1=10", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n");
  ims_window_t w[2] = {win(0, 30, "all"), win(5, 30, "late")};
  ims_threshold_t th = {COL_C1, 2.0};
  double want = log(10.0 / 2.0) / 0.2;
  ims_metrics_t *mt = mrun(p, s, w, 2, &th, 1, 30, 1, 0);
  CHECK_REL(ims_metrics_tvalue(mt, 0, 0, IMS_T_ABOVE), want, 1e-8);
  CHECK_REL(ims_metrics_tvalue(mt, 0, 0, IMS_T_BELOW), 30 - want, 1e-8);
  ck_assert(ims_metrics_tvalue(mt, 0, 0, IMS_T_CROSSINGS) == 2);
  CHECK_REL(ims_metrics_tvalue(mt, 1, 0, IMS_T_ABOVE), want - 5, 1e-8);
  ck_assert(ims_metrics_tvalue(mt, 1, 0, IMS_T_CROSSINGS) == 1);
  ims_metrics_free(mt);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Every metric is the same on a coarse and on a fine output grid (AUC from
 * the quadrature, crossings and peaks by root finding), to ~1e-8. */
START_TEST(grid_independent)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,dur,ii,addl\n0,A1,200,0.0208333333,21,5\n");
  ims_window_t *w = NULL;
  int nw = 0;
  ims_err_t err;
  ck_assert_int_eq(ims_windows_from_schedule(s, 0, 130, IMS_WIN_ALL | IMS_WIN_DOSES | IMS_WIN_LAST,
                                             &w, &nw, &err),
                   0);
  ims_window_t *w2 = realloc(w, (size_t)(nw + 1) * sizeof *w);
  ck_assert(w2);
  w = w2;
  w[nw++] = win(3.3, 47.7, "3.3:47.7");
  ims_threshold_t th[2] = {{COL_C1, 30.0}, {COL_A2, 100.0}};
  ims_metrics_t *a = mrun(p, s, w, nw, th, 2, 130, 1, 0);
  ims_metrics_t *b = mrun(p, s, w, nw, th, 2, 130, 0.01, 0);
  int checked = 0;
  for (int i = 0; i < nw; i++) {
    for (int c = 0; c < 3; c++)
      for (int k = 0; k < IMS_M_COUNT; k++) {
        double x = ims_metrics_value(a, i, c, k), y = ims_metrics_value(b, i, c, k);
        if (isnan(x) && isnan(y))
          continue;
        ck_assert_msg(fabs(x - y) <= 1e-8 * fmax(fabs(y), 1e-6),
                      "window %s col %d %s: %.12g vs %.12g", w[i].label, c, ims_metric_name(k), x,
                      y);
        checked++;
      }
    for (int j = 0; j < 2; j++)
      for (int k = 0; k < IMS_T_COUNT; k++) {
        double x = ims_metrics_tvalue(a, i, j, k), y = ims_metrics_tvalue(b, i, j, k);
        ck_assert_msg(fabs(x - y) <= 1e-8 * fmax(fabs(y), 1e-6),
                      "window %s th %d %s: %.12g vs %.12g", w[i].label, j, ims_tmetric_name(k), x,
                      y);
      }
  }
  ck_assert_int_gt(checked, 100);
  ims_metrics_free(a);
  ims_metrics_free(b);
  free(w);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* A peak between output times is located by root finding on dA2/dt: after
 * a bolus into A1, A2 peaks at t* = ln(alpha/beta)/(alpha - beta) (closed
 * form, 2 cmt) — on a grid of step 1 d, not at a grid time. */
START_TEST(peak_refined)
{
  double CL = 1, V1 = 2, Q = 3, V2 = 4;
  ims_params_t *p = t_params(pk(), NULL, "CL=1", "V1=2", "Q=3", "V2=4", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n");
  double k10 = CL / V1, k12 = Q / V1, k21 = Q / V2, sum = k10 + k12 + k21;
  double disc = sqrt(sum * sum - 4 * k10 * k21), al = (sum + disc) / 2, be = (sum - disc) / 2;
  double ts = log(al / be) / (al - be);
  double a2 = 100 * k12 / (al - be) * (exp(-be * ts) - exp(-al * ts));
  ims_window_t w = win(0, 20, "all");
  ims_metrics_t *mt = mrun(p, s, &w, 1, NULL, 0, 20, 1, 0);
  CHECK_REL(ims_metrics_value(mt, 0, COL_A2, IMS_M_TMAX), ts, 1e-6);
  CHECK_REL(ims_metrics_value(mt, 0, COL_A2, IMS_M_MAX), a2, 1e-8);
  ims_metrics_free(mt);
  /* without refinement the grid time nearest the peak is all there is */
  mt = mrun(p, s, &w, 1, NULL, 0, 20, 1, IMS_METRICS_NO_EXTREMA);
  double tg = ims_metrics_value(mt, 0, COL_A2, IMS_M_TMAX);
  ck_assert(tg == floor(tg) && fabs(tg - ts) > 1e-3);
  ims_metrics_free(mt);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* A window whose ends fall between output times: AUC over [2.5, 7.3] of a
 * 1-cmt bolus is D/CL (e^{-2.5k} - e^{-7.3k}) (closed form). */
START_TEST(window_between_outputs)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=2", "V1=10", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n");
  ims_window_t w = win(2.5, 7.3, "2.5:7.3");
  ims_metrics_t *mt = mrun(p, s, &w, 1, NULL, 0, 10, 1, 0);
  double k = 0.2;
  CHECK_REL(ims_metrics_value(mt, 0, COL_C1, IMS_M_AUC), 50 * (exp(-2.5 * k) - exp(-7.3 * k)),
            1e-8);
  CHECK_REL(ims_metrics_value(mt, 0, COL_C1, IMS_M_MAX), 10 * exp(-2.5 * k), 1e-8);
  CHECK_REL(ims_metrics_value(mt, 0, COL_C1, IMS_M_TROUGH), 10 * exp(-7.3 * k), 1e-8);
  ck_assert(ims_metrics_value(mt, 0, COL_C1, IMS_M_TMAX) == 2.5);
  ck_assert(ims_metrics_value(mt, 0, COL_C1, IMS_M_TMIN) == 7.3);
  ims_metrics_free(mt);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Nadir and regrowth above baseline (closed form): A1(0) = 10 decays with
 * k = 1 until an infusion of 20/d starts at t = 2, so the nadir is
 * 10 e^{-2} at t = 2 and A1 = 20 + (10e^{-2} - 20) e^{-(t-2)} regains 10 at
 * t = 2 + ln((20 - 10e^{-2})/10). */
START_TEST(nadir_regrowth)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=1", "V1=1", "A1_0=10", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,rate\n2,A1,200,20\n");
  ims_window_t w = win(0, 6, "all");
  ims_metrics_t *mt = mrun(p, s, &w, 1, NULL, 0, 6, 0.7, 0);
  double nadir = 10 * exp(-2.0);
  CHECK_REL(ims_metrics_value(mt, 0, COL_A1, IMS_M_MIN), nadir, 1e-8);
  ck_assert(ims_metrics_value(mt, 0, COL_A1, IMS_M_TMIN) == 2.0);
  CHECK_REL(ims_metrics_value(mt, 0, COL_A1, IMS_M_REGROW), 2 + log((20 - nadir) / 10), 1e-8);
  ck_assert(isnan(ims_metrics_value(mt, 0, COL_A2, IMS_M_REGROW)));
  ims_metrics_free(mt);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* A run stopped early by a rule leaves later windows incomplete. */
START_TEST(stopped_run_incomplete)
{
  const ims_model_t *m = pk();
  ims_params_t *p = t_params(m, NULL, "CL=2", "V1=10", NULL);
  ims_schedule_t *s = t_sched(m, "time,cmt,amt\n0,A1,100\n");
  ims_window_t w[2] = {win(0, 5, "early"), win(0, 30, "all")};
  ims_err_t err = {0};
  ims_metrics_t *mt;
  ck_assert_int_eq(ims_metrics_alloc(&mt, m, w, 2, NULL, 0, 0, &err), 0);
  ims_trigger_t tr[16] = {
      {.name = "stop", .var = COL_C1, .threshold = 1, .dir = -1, .act = IMS_ACT_STOP}};
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  o.ntriggers = 1 + ims_metrics_begin(mt, p->value, 0, tr + 1, 1);
  o.triggers = tr;
  o.samples = ims_metrics_times(mt, &o.nsamples);
  double g[] = {0, 10, 20, 30};
  ims_observer_t obs;
  ims_metrics_observer(mt, &obs);
  ims_sim_t *sim;
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ck_assert_int_eq(ims_sim_run(sim, p->value, s, &o, g, 4, &obs, &err), IMS_ESTOP);
  ck_assert(ims_metrics_complete(mt, 0) && !ims_metrics_complete(mt, 1));
  /* C = 10 e^{-0.2 t} falls through 1 at ln(10)/0.2, where the run stops */
  double ts = log(10.0) / 0.2;
  CHECK_REL(ims_metrics_value(mt, 1, COL_C1, IMS_M_TROUGH), 1.0, 1e-7);
  CHECK_REL(ims_metrics_value(mt, 1, COL_C1, IMS_M_AUC), 50 * (1 - exp(-0.2 * ts)), 1e-8);
  ims_sim_free(sim);
  ims_metrics_free(mt);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* A window boundary a rounding error away from a dose is at the dose: the
 * window [0, 5 + 1 ulp] ends before the bolus at 5 (its trough is the
 * pre-dose value), [5 + 1 ulp, 10] starts after it (its max is the post-dose
 * value). */
START_TEST(boundary_within_tolerance)
{
  double k = 0.2, b = nextafter(5.0, 10.0);
  ims_params_t *p = t_params(pk(), NULL, "CL=2", "V1=10", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n5,A1,100\n");
  ims_window_t w[2] = {win(0, b, "first"), win(b, 10, "second")};
  ims_metrics_t *mt = mrun(p, s, w, 2, NULL, 0, 10, 0.5, 0);
  double pre = 10 * exp(-k * 5), post = pre + 10;
  CHECK_REL(ims_metrics_value(mt, 0, COL_C1, IMS_M_TROUGH), pre, 1e-8);
  CHECK_REL(ims_metrics_value(mt, 1, COL_C1, IMS_M_MAX), post, 1e-8);
  ck_assert(ims_metrics_complete(mt, 0) && ims_metrics_complete(mt, 1));
  ims_metrics_free(mt);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Column selection (--cols): only C1 gets an extremum watch; A1 and A2 have
 * no metrics; C1's are unchanged. */
START_TEST(column_selection)
{
  const ims_model_t *m = pk();
  ims_params_t *p = t_params(m, NULL, "CL=2", "V1=10", NULL);
  ims_window_t w = win(0, 10, "all");
  ims_metrics_t *mt;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_metrics_alloc(&mt, m, &w, 1, NULL, 0, 0, &err), 0);
  ims_trigger_t tr[16];
  int all = ims_metrics_begin(mt, p->value, 0, tr, 0);
  int c1 = COL_C1;
  ck_assert_int_eq(ims_metrics_columns(mt, &c1, 1, &err), 0);
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  o.ntriggers = ims_metrics_begin(mt, p->value, 0, tr, 0);
  ck_assert_int_lt(o.ntriggers, all);
  o.triggers = tr;
  o.samples = ims_metrics_times(mt, &o.nsamples);
  ims_schedule_t *s = t_sched(m, "time,cmt,amt,dur\n0,A1,100,2\n");
  double t[] = {0, 10};
  ims_observer_t obs;
  ims_metrics_observer(mt, &obs);
  ims_sim_t *sim;
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ck_assert_msg(ims_sim_run(sim, p->value, s, &o, t, 2, &obs, &err) == 0, "%s", err.msg);
  ims_sim_free(sim);
  ims_schedule_free(s);
  ck_assert(isnan(ims_metrics_value(mt, 0, COL_A1, IMS_M_MAX)));
  /* the peak at the end of the infusion (R/CL (1 - e^{-2k})), between the rows */
  CHECK_REL(ims_metrics_value(mt, 0, COL_C1, IMS_M_MAX), 25 * (1 - exp(-0.4)), 1e-8);
  int bad = 7;
  ck_assert_int_eq(ims_metrics_columns(mt, &bad, 1, &err), IMS_EINPUT);
  ims_metrics_free(mt);
  ims_params_free(p);
}
END_TEST

Suite *suite_metrics(void)
{
  Suite *s = suite_create("metrics");
  TCase *tc = tcase_create("closed forms");
  tcase_add_test(tc, auc_infinity);
  tcase_add_test(tc, steady_state_bolus);
  tcase_add_test(tc, time_above_threshold);
  tcase_add_test(tc, grid_independent);
  tcase_add_test(tc, peak_refined);
  tcase_add_test(tc, window_between_outputs);
  tcase_add_test(tc, nadir_regrowth);
  tcase_add_test(tc, stopped_run_incomplete);
  tcase_add_test(tc, boundary_within_tolerance);
  tcase_add_test(tc, column_selection);
  suite_add_tcase(s, tc);
  return s;
}
