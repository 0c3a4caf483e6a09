/* dwivedi2014 (Dwivedi et al. 2014, CPT:PSP 3:e89; models/dwivedi2014.md):
 * IL-6, sIL-6R, gp130 and CRP with an anti-IL-6R antibody (tocilizumab-like),
 * the curated SBML file BIOMD0000000537 run through the SBML import with the
 * antibody given by dosing records.  Oracles: the file's own dosing events,
 * and the paper's results: blocking the receptor raises free serum IL-6
 * while IL-6 signalling (liver pSTAT3) and CRP fall; with the paper's Kd of
 * 1 nM, 8 mg/kg every 4 weeks lowers CRP transiently and it is back at
 * baseline by the end of each cycle, every 2 weeks keeps it down; with the
 * curated binding constants (Kd 2.5 pM) the dose response is switch-like,
 * 200 mg cleared in about two weeks, 500 mg suppressing CRP for weeks.  The
 * steady state without a dose is held by tests/test_biomodels.c. */
#include "../tests.h"

#include <math.h>
#include <stdlib.h>

#define XML "models/dwivedi2014.xml"
#define NOEV "params/dwivedi2014/no_events.csv"
#define KD1 "params/dwivedi2014/kd_1nM.csv"
#define SCHED(x) "@params/schedules/dwivedi_toci_" x ".csv"
#define IL6S "mwf626e95e_543f_41e4_aad4_c6bf60ab345b"  /* free IL-6, serum */
#define CRPS "mw114aa90f_5f5b_4fe8_9406_361c8489b6a1"  /* CRP, serum */
#define PSTAT "mw39c2e431_fdc3_4964_be29_6ca856620b1b" /* pSTAT3, liver */
#define ABS "mwf345ed7a_0622_403c_b816_c8749a2c9ded"   /* antibody, serum */

static const ims_model_t *dm(void)
{
  static const ims_model_t *m;
  if (!m) {
    ims_err_t err = {0};
    ck_assert_msg(ims_model_open(&m, t_path(XML), NULL, &err) == 0, "%s", err.msg);
  }
  return m;
}

/* A run over 12 weeks (hours), every 2 h, with the file's events silenced
 * (no_events.csv), optionally the Kd of 1 nM, and a schedule. */
static void run12(int kd1, const char *sched, trace_t *tr)
{
  const ims_model_t *m = dm();
  ims_params_t *p;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_params_alloc(&p, m, &err), 0);
  ck_assert_msg(ims_params_read(p, t_units(), t_path(NOEV), &err) == 0, "%s", err.msg);
  if (kd1)
    ck_assert_msg(ims_params_read(p, t_units(), t_path(KD1), &err) == 0, "%s", err.msg);
  ck_assert_msg(ims_params_finish(p, &err) == 0, "%s", err.msg);
  ims_schedule_t *s = sched ? t_sched(m, sched) : NULL;
  ims_opts_t o;
  t_tight(&o);
  o.atol = 1e-14;
  size_t n;
  double *t = t_grid(0, 2016, 2, &n);
  t_run_ok(p, s, &o, t, n, tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}

/* Row of time t on the 2-h grid. */
static size_t row(double t)
{
  return (size_t)lround(t / 2);
}

static double at(const trace_t *tr, double t, const char *col)
{
  return TR(tr, row(t), t_col(dm(), col));
}

/* Smallest value of a column over [a, b]. */
static double lowest(const trace_t *tr, double a, double b, const char *col)
{
  double v = INFINITY;
  for (size_t i = row(a); i <= row(b); i++)
    v = fmin(v, TR(tr, i, t_col(dm(), col)));
  return v;
}

/* Largest value of a column over [a, b]. */
static double highest(const trace_t *tr, double a, double b, const char *col)
{
  double v = -INFINITY;
  for (size_t i = row(a); i <= row(b); i++)
    v = fmax(v, TR(tr, i, t_col(dm(), col)));
  return v;
}

/* The schedules equal the curated file's own dosing events: Dose = 560 mg
 * (8 mg/kg for 70 kg) gives its weeks 0, 4, 8 doses, DoseQ2W = 560 mg its
 * doses every 2 weeks; the same runs with the events silenced and the
 * dwivedi_toci_8mgkg_q4w/_q2w schedules agree in every state. */
START_TEST(schedules_equal_the_files_events)
{
  const ims_model_t *m = dm();
  const char *set[2] = {"Dose=560", "parameter_1=560"};
  const char *sched[2] = {SCHED("8mgkg_q4w"), SCHED("8mgkg_q2w")};
  size_t n;
  double *t = t_grid(0, 2016, 8, &n);
  for (int k = 0; k < 2; k++) {
    ims_params_t *pe = t_params(m, NOEV, set[k], NULL), *ps = t_params(m, NOEV, NULL);
    ims_schedule_t *s = t_sched(m, sched[k]);
    ims_opts_t o;
    t_tight(&o);
    o.atol = 1e-14;
    trace_t a, b;
    t_run_ok(pe, NULL, &o, t, n, &a);
    t_run_ok(ps, s, &o, t, n, &b);
    double worst = 0;
    for (size_t i = 0; i < n; i++)
      for (int c = 1; c <= m->nstates; c++) {
        double va = TR(&a, i, c), vb = TR(&b, i, c), e = fabs(va - vb);
        worst = fmax(worst, e / fmax(fabs(va), 1e-9));
        ck_assert_msg(e <= 1e-8 * fabs(va) + 1e-12, "%s at %g h: events %.15g, schedule %.15g",
                      m->states[c - 1].name, t[i], va, vb);
      }
    printf("dwivedi2014: %s as the file's events and as a schedule: worst difference %.2g\n",
           k ? "8 mg/kg Q2W" : "8 mg/kg Q4W", worst);
    t_trace_free(&a);
    t_trace_free(&b);
    ims_schedule_free(s);
    ims_params_free(pe);
    ims_params_free(ps);
  }
  free(t);
}
END_TEST

/* Dwivedi 2014: blocking IL-6R raises free serum IL-6 (receptor-mediated
 * clearance is lost) while signalling falls: in the first week after
 * 8 mg/kg, with either Kd, free serum IL-6 is at least 20 % above its
 * baseline (measured +44 % and +48 % on day 7), liver pSTAT3 and serum CRP
 * below theirs. */
START_TEST(blockade_raises_il6_and_lowers_signalling)
{
  for (int kd1 = 0; kd1 < 2; kd1++) {
    trace_t tr;
    run12(kd1, SCHED("8mgkg_q4w"), &tr);
    double il6 = at(&tr, 0, IL6S), ps = at(&tr, 0, PSTAT), crp = at(&tr, 0, CRPS);
    for (double t = 24; t <= 168; t += 24) {
      ck_assert_msg(at(&tr, t, IL6S) > 1.2 * il6, "Kd %s, %g h: free IL-6 %g, baseline %g",
                    kd1 ? "1 nM" : "2.5 pM", t, at(&tr, t, IL6S), il6);
      ck_assert(at(&tr, t, PSTAT) < ps && at(&tr, t, CRPS) < crp);
    }
    printf("dwivedi2014: Kd %s, day 7: free serum IL-6 %+.0f %%, liver pSTAT3 %+.0f %%, CRP %+.0f "
           "%%\n",
           kd1 ? "1 nM  " : "2.5 pM", 100 * (at(&tr, 168, IL6S) / il6 - 1),
           100 * (at(&tr, 168, PSTAT) / ps - 1), 100 * (at(&tr, 168, CRPS) / crp - 1));
    t_trace_free(&tr);
  }
}
END_TEST

/* Dwivedi 2014 Fig 3 (Kd 1 nM): 8 mg/kg every 4 weeks lowers CRP
 * transiently (nadir in every cycle at least 10 % below baseline; measured
 * 16-23 %) and CRP is back within 5 % of baseline at the end of each cycle
 * (measured 3 %); every 2 weeks the reduction is sustained: from week 3 on
 * (a week after the second dose) CRP stays at least 25 % below baseline
 * (measured at least 30 %), where the 4-weekly schedule is back to 97 %. */
START_TEST(fig3_q4w_transient_q2w_sustained)
{
  trace_t q4, q2;
  run12(1, SCHED("8mgkg_q4w"), &q4);
  run12(1, SCHED("8mgkg_q2w"), &q2);
  double base = at(&q4, 0, CRPS);
  for (int c = 0; c < 3; c++) {
    double a = 672.0 * c, b = a + 672;
    double nadir = lowest(&q4, a, b, CRPS), end = at(&q4, b, CRPS);
    printf("dwivedi2014: Kd 1 nM, 8 mg/kg Q4W cycle %d: CRP nadir %.1f %%, end %.1f %% of "
           "baseline\n",
           c + 1, 100 * nadir / base, 100 * end / base);
    ck_assert(nadir < 0.9 * base);
    ck_assert_msg(fabs(end / base - 1) < 0.05, "cycle %d ends at %.3g of baseline", c + 1,
                  end / base);
  }
  double worst = 0;
  for (double t = 504; t <= 2016; t += 2)
    worst = fmax(worst, at(&q2, t, CRPS) / base);
  printf("dwivedi2014: Kd 1 nM, 8 mg/kg Q2W: CRP at most %.1f %% of baseline from week 3 on\n",
         100 * worst);
  ck_assert(worst < 0.75);
  t_trace_free(&q4);
  t_trace_free(&q2);
}
END_TEST

/* Dwivedi 2014 (curated Kd 2.5 pM): a switch-like dose response.  200 mg is
 * cleared through its target in about two weeks (serum antibody below 1 nM
 * by day 14; measured 0.1 nM) and CRP is back within 5 % of baseline by
 * week 4; 500 mg keeps CRP below 10 % of baseline through weeks 4 to 6
 * (measured at most 3.3 %).  With the curated constants 8 mg/kg every 4 weeks keeps
 * CRP below 10 % of baseline at the end of cycles 2 and 3 (measured 0.7 %),
 * unlike the paper's Fig 3 (Kd 1 nM): the Kd discrepancy, see the doc. */
START_TEST(curated_kd_switch_like)
{
  trace_t d2, d5, q4;
  run12(0, SCHED("200mg"), &d2);
  run12(0, SCHED("500mg"), &d5);
  run12(0, SCHED("8mgkg_q4w"), &q4);
  double base = at(&d2, 0, CRPS);
  printf("dwivedi2014: Kd 2.5 pM: 200 mg: antibody %.3g nM on day 14, CRP %.1f %% on day 28; "
         "500 mg: CRP at most %.1f %% in weeks 4-6; 8 mg/kg Q4W: CRP %.1f, %.1f %% at the end of "
         "cycles 2, 3\n",
         at(&d2, 336, ABS), 100 * at(&d2, 672, CRPS) / base,
         100 * highest(&d5, 672, 1008, CRPS) / base, 100 * at(&q4, 1344, CRPS) / base,
         100 * at(&q4, 2016, CRPS) / base);
  ck_assert(at(&d2, 336, ABS) < 1);
  ck_assert(fabs(at(&d2, 672, CRPS) / base - 1) < 0.05);
  ck_assert(highest(&d5, 672, 1008, CRPS) < 0.1 * base);
  ck_assert(at(&q4, 1344, CRPS) < 0.1 * base && at(&q4, 2016, CRPS) < 0.1 * base);
  t_trace_free(&d2);
  t_trace_free(&d5);
  t_trace_free(&q4);
}
END_TEST

Suite *suite_dwivedi2014(void)
{
  Suite *s = suite_create("dwivedi2014");
  TCase *tc = tcase_create("dwivedi2014");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, schedules_equal_the_files_events);
  tcase_add_test(tc, blockade_raises_il6_and_lowers_signalling);
  tcase_add_test(tc, fig3_q4w_transient_q2w_sustained);
  tcase_add_test(tc, curated_kd_switch_like);
  suite_add_tcase(s, tc);
  return s;
}
