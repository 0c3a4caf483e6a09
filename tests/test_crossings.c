/* Crossings against closed forms: no lost or repeated crossing, located to
 * 1e-8 d, through raw triggers, `log` rules and metrics; runaway rules and
 * metrics on flat solutions end. */
#include "tests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTH 200

static const ims_model_t *pk(void)
{
  return ims_model_find("pk2cmt");
}

/* 1-compartment infusion of R = 20 mg/d with CL = 10 L/d, V1 = 1 L: C = 2 (1 -
 * e^{-10 t}) mg/L, so C = x Css at t = -ln(1 - x)/10.  A crossing time
 * inherits the solution's error dC/C' (about 5e-10 relative at rtol 1e-10,
 * measured); k = 10/d keeps that below 1e-8 d up to 99 % of Css. */
static const double CSS = 2.0, K = 10.0, TEND = 1.0;

static double frac(int i)
{
  return 0.01 + 0.98 * i / (NTH - 1);
}

typedef struct evlog {
  int n[NTH];
  double t[NTH];
  int dir[NTH];
  int other;
} evlog_t;

static int on_ev(void *ud, const ims_logged_t *ev)
{
  evlog_t *l = ud;
  if (ev->trigger < 0 || ev->trigger >= NTH) {
    l->other++;
    return 0;
  }
  l->n[ev->trigger]++;
  l->t[ev->trigger] = ev->t;
  l->dir[ev->trigger] = ev->dir;
  return 0;
}

/* sc scales every amount: at 1e-170 the root functions' products would
 * underflow to 0 in CVODE's sign test without the driver's clamp. */
static void run_infusion(const ims_trigger_t *tr, int ntr, double dt, double sc, evlog_t *l,
                         ims_stats_t *st)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=10", "V1=1", NULL);
  char csv[128];
  snprintf(csv, sizeof csv, "time,cmt,amt,rate\n0,A1,%.17g,%.17g\n", 200 * sc, 20 * sc);
  ims_schedule_t *s = t_sched(pk(), csv);
  ims_opts_t o;
  t_tight(&o);
  o.atol *= sc;
  o.triggers = tr;
  o.ntriggers = ntr;
  size_t n;
  double *g = t_grid(0, TEND, dt, &n);
  memset(l, 0, sizeof *l);
  ims_observer_t obs = {.event = on_ev, .ud = l};
  ims_sim_t *sim;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sim_alloc(&sim, pk(), &err), 0);
  int rc = ims_sim_run(sim, p->value, s, &o, g, n, &obs, &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
  if (st)
    *st = *ims_sim_stats(sim);
  ims_sim_free(sim);
  free(g);
  ims_schedule_free(s);
  ims_params_free(p);
}

static void check_once(const evlog_t *l, const char *how)
{
  for (int i = 0; i < NTH; i++) {
    double want = -log1p(-frac(i)) / K;
    ck_assert_msg(l->n[i] == 1, "%s: threshold %d (%.4g Css): %d crossings", how, i, frac(i),
                  l->n[i]);
    ck_assert_msg(fabs(l->t[i] - want) <= 1e-8, "%s: threshold %d: t %.12g, closed form %.12g", how,
                  i, l->t[i], want);
    ck_assert_int_eq(l->dir[i], 1);
  }
}

/* 200 thresholds from 1 % to 99 % of Css: one crossing each, at the
 * closed-form time to 1e-8 d, on grids that do and do not fall on them, and
 * with every amount scaled by 1e-170 and 1e80. */
START_TEST(thresholds_one_crossing_each)
{
  ims_trigger_t tr[NTH];
  evlog_t l;
  const double dts[] = {0.01, 0.001, 1.0 / 30, 1}, scales[] = {1, 1e-170, 1e80};
  for (int j = 0; j < 3; j++) {
    for (int i = 0; i < NTH; i++)
      tr[i] = (ims_trigger_t){
          .name = "th", .var = 2, .threshold = frac(i) * CSS * scales[j], .start = -INFINITY};
    for (int k = 0; k < 4; k++) {
      run_infusion(tr, NTH, dts[k], scales[j], &l, NULL);
      check_once(&l, j == 0 ? "trigger" : j == 1 ? "trigger at 1e-170" : "trigger at 1e80");
    }
  }
}
END_TEST

/* The same through the rules reader: 200 `log` rules. */
START_TEST(thresholds_through_log_rules)
{
  char *csv = malloc(NTH * 80 + 64);
  size_t len = (size_t)sprintf(csv, "name,when,threshold,dir,action\n");
  for (int i = 0; i < NTH; i++)
    len += (size_t)sprintf(csv + len, "r%d,C1,%.17g mg/L,up,log\n", i, frac(i) * CSS);
  ims_rules_t *r;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_rules_alloc(&r, &err), 0);
  ck_assert_msg(ims_rules_read_mem(r, pk(), t_units(), "log.csv", csv, len, &err) == 0, "%s",
                err.msg);
  ck_assert_int_eq(r->n, NTH);
  evlog_t l;
  run_infusion(r->tr, r->n, 0.01, 1, &l, NULL);
  check_once(&l, "log rule");
  ims_rules_free(r);
  free(csv);
}
END_TEST

/* Metrics count each crossing once and put the time above at tend - t*. */
START_TEST(thresholds_through_metrics)
{
  ims_threshold_t th[NTH];
  for (int i = 0; i < NTH; i++)
    th[i] = (ims_threshold_t){2, frac(i) * CSS};
  ims_window_t w = {0, TEND, "all"};
  ims_metrics_t *mt;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_metrics_alloc(&mt, pk(), &w, 1, th, NTH, 0, &err), 0);
  ims_params_t *p = t_params(pk(), NULL, "CL=10", "V1=1", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,rate\n0,A1,200,20\n");
  ims_trigger_t *tr = calloc((size_t)ims_metrics_max_triggers(mt), sizeof *tr);
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  o.ntriggers = ims_metrics_begin(mt, p->value, 0, tr, 0);
  o.triggers = tr;
  o.samples = ims_metrics_times(mt, &o.nsamples);
  size_t n;
  double *g = t_grid(0, TEND, 0.01, &n);
  ims_observer_t obs;
  ims_metrics_observer(mt, &obs);
  ims_sim_t *sim;
  ck_assert_int_eq(ims_sim_alloc(&sim, pk(), &err), 0);
  ck_assert_msg(ims_sim_run(sim, p->value, s, &o, g, n, &obs, &err) == 0, "%s", err.msg);
  ims_metrics_end(mt);
  for (int i = 0; i < NTH; i++) {
    double ts = -log1p(-frac(i)) / K;
    ck_assert_msg(ims_metrics_tvalue(mt, 0, i, IMS_T_CROSSINGS) == 1, "threshold %d: %g", i,
                  ims_metrics_tvalue(mt, 0, i, IMS_T_CROSSINGS));
    ck_assert_msg(fabs(ims_metrics_tvalue(mt, 0, i, IMS_T_ABOVE) - (TEND - ts)) <= 1e-8,
                  "threshold %d: above %.12g want %.12g", i,
                  ims_metrics_tvalue(mt, 0, i, IMS_T_ABOVE), TEND - ts);
  }
  ims_sim_free(sim);
  free(g);
  free(tr);
  ims_schedule_free(s);
  ims_params_free(p);
  ims_metrics_free(mt);
}
END_TEST

/* A quantity resting exactly on its threshold (A2 = 0 without a peripheral
 * compartment; the derivative of a state that never moves) is no crossing
 * and no solver failure; a threshold equal to the starting value fires only
 * when the column later crosses it. */
START_TEST(exact_zeros)
{
  const ims_model_t *m = pk();
  ims_trigger_t tr[4] = {
      {.name = "A2 at 0", .var = 1, .threshold = 0, .start = -INFINITY},
      {.name = "A2 extremum", .var = IMS_DERIV(m, 1), .start = -INFINITY},
      {.name = "A1 starts here", .var = 0, .threshold = 100, .start = -INFINITY},
      {.name = "C1 extremum", .var = IMS_DERIV(m, 2), .start = -INFINITY},
  };
  /* A1 starts at 100, decays, and a bolus at 5 lifts it back above 100 */
  ims_params_t *p = t_params(m, NULL, "CL=1", "V1=1", "A1_0=100", NULL);
  ims_schedule_t *s = t_sched(m, "time,cmt,amt\n5,A1,150\n");
  ims_opts_t o;
  t_tight(&o);
  o.triggers = tr;
  o.ntriggers = 4;
  size_t n;
  double *g = t_grid(0, 10, 0.5, &n);
  trace_t r;
  ims_err_t err = {0};
  ck_assert_msg(t_run(m, p->value, s, &o, g, n, &r, &err) == 0, "%s", err.msg);
  int count[4] = {0};
  for (int i = 0; i < r.nev; i++)
    count[r.ev[i].trigger]++;
  ck_assert_int_eq(count[0], 0);
  ck_assert_int_eq(count[1], 0);
  ck_assert_int_eq(count[3], 0); /* no extremum of the smooth solution: only jumps */
  /* from exactly 100 (no side yet) down: nothing; up across 100 by the
   * dose at 5; down again at 5 + ln(A1(5)/100) */
  ck_assert_int_eq(count[2], 2);
  double a5 = 100 * exp(-5.0) + 150, td = 5 + log(a5 / 100);
  int k = 0;
  for (int i = 0; i < r.nev; i++)
    if (r.ev[i].trigger == 2) {
      if (k++ == 0)
        ck_assert(r.ev[i].t == 5 && r.ev[i].dir == 1);
      else
        ck_assert_msg(fabs(r.ev[i].t - td) < 1e-8 && r.ev[i].dir == -1, "t %.12g want %.12g",
                      r.ev[i].t, td);
    }
  t_trace_free(&r);
  free(g);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Two rules pushing one quantity back and forth across one threshold (no
 * refractory time, no max_count) are stopped by the event cap with a
 * message, not left to write events for ever. */
START_TEST(chattering_rules_capped)
{
  const ims_model_t *m = pk();
  ims_trigger_t tr[2] = {
      {.name = "on",
       .var = 2,
       .threshold = 1,
       .dir = 1,
       .act = IMS_ACT_SETPAR,
       .target = 0,
       .value = 10,
       .start = -INFINITY},
      {.name = "off",
       .var = 2,
       .threshold = 1,
       .dir = -1,
       .act = IMS_ACT_SETPAR,
       .target = 0,
       .value = 0,
       .start = -INFINITY},
  };
  ims_params_t *p = t_params(m, NULL, "CL=0", "V1=1", NULL);
  ims_schedule_t *s = t_sched(m, "time,cmt,amt,rate\n0,A1,1000,5\n");
  ims_opts_t o;
  ims_opts_default(&o);
  o.triggers = tr;
  o.ntriggers = 2;
  o.max_events = 1000;
  double t[] = {0, 100};
  trace_t r;
  ims_err_t err = {0};
  ck_assert_int_eq(t_run(m, p->value, s, &o, t, 2, &r, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "more than 1000 triggered events") &&
                    strstr(err.msg, "refractory time or max_count"),
                "%s", err.msg);
  t_trace_free(&r);
  /* with a refractory time the same rules run to the end */
  tr[0].refractory = tr[1].refractory = 0.5;
  ck_assert_msg(t_run(m, p->value, s, &o, t, 2, &r, &err) == 0, "%s", err.msg);
  t_trace_free(&r);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* The demo's schedule with metrics on every column (extremum watches on a
 * solution that sits at steady state for weeks) ends, with few roots. */
START_TEST(blinatumomab_metrics_end)
{
  const ims_model_t *m = pk();
  ims_params_t *p = t_params(m, "params/pk2cmt/blinatumomab_clements2020.csv", NULL);
  ims_schedule_t *s = t_sched(m, "@params/schedules/blinatumomab_cycle1.csv");
  ims_window_t w = {0, 42, "all"};
  ims_metrics_t *mt;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_metrics_alloc(&mt, m, &w, 1, NULL, 0, 0, &err), 0);
  ims_trigger_t *tr = calloc((size_t)ims_metrics_max_triggers(mt), sizeof *tr);
  for (int pass = 0; pass < 2; pass++) {
    ims_opts_t o;
    ims_opts_default(&o);
    if (pass)
      t_tight(&o);
    o.quad = 1;
    o.ntriggers = ims_metrics_begin(mt, p->value, 0, tr, 0);
    o.triggers = tr;
    o.samples = ims_metrics_times(mt, &o.nsamples);
    size_t n;
    double *g = t_grid(0, 42, 0.1, &n);
    ims_observer_t obs;
    ims_metrics_observer(mt, &obs);
    ims_sim_t *sim;
    ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
    ck_assert_msg(ims_sim_run(sim, p->value, s, &o, g, n, &obs, &err) == 0, "%s", err.msg);
    ck_assert_msg(ims_sim_stats(sim)->roots < 100, "%ld root returns", ims_sim_stats(sim)->roots);
    ims_sim_free(sim);
    free(g);
  }
  free(tr);
  ims_metrics_free(mt);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

Suite *suite_crossings(void)
{
  Suite *s = suite_create("crossings");
  TCase *tc = tcase_create("crossings");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, thresholds_one_crossing_each);
  tcase_add_test(tc, thresholds_through_log_rules);
  tcase_add_test(tc, thresholds_through_metrics);
  tcase_add_test(tc, exact_zeros);
  tcase_add_test(tc, chattering_rules_capped);
  tcase_add_test(tc, blinatumomab_metrics_end);
  suite_add_tcase(s, tc);
  return s;
}
