/* chen2019 (Chen 2019; models/chen2019.md): unit conversion of the hourly parameters, the
 * one-compartment closed form of A, AUC = integral of Cyt, and the priming
 * effect measured at the exact peaks (roots of dCyt/dt). */
#include "../tests.h"

#include <math.h>
#include <stdlib.h>

static const ims_model_t *ch(void)
{
  return ims_model_find("chen2019");
}

#define SET "params/chen2019/default.csv"
#define PRIMING "@params/schedules/chen_priming.csv" /* 60 ug, then 300 ug on day 7 */
#define FLAT "@params/schedules/chen_flat.csv"       /* 300 ug */

/* Cytokine peaks: every downward zero of dCyt/dt, located by CVODE root
 * finding on the dCyt output, then Cyt read at exactly those times.  At a
 * peak, Cyt = BL + Emax*S/(EC50 + S)*IH/kdeg, checked as a by-product. */
static int peaks(const ims_params_t *p, const char *sched, double tend, double *tp, double *cp,
                 int max)
{
  ims_schedule_t *s = t_sched(ch(), sched);
  ims_trigger_t tr0 = {.name = "peak",
                       .var = ch()->nstates + ims_model_output_index(ch(), "dCyt"),
                       .threshold = 0,
                       .dir = -1,
                       .act = IMS_ACT_NONE};
  ims_opts_t o;
  t_tight(&o);
  o.triggers = &tr0;
  o.ntriggers = 1;
  double tend_[] = {0, tend};
  trace_t tr;
  t_run_ok(p, s, &o, tend_, 2, &tr);
  int np = 0;
  for (int i = 0; i < tr.nev && np < max; i++)
    tp[np++] = tr.ev[i].t;
  t_trace_free(&tr);
  if (np) {
    o.triggers = NULL;
    o.ntriggers = 0;
    t_run_ok(p, s, &o, tp, (size_t)np, &tr);
    int c = t_col(ch(), "Cyt"), ih = t_col(ch(), "IH"), cp_ = t_col(ch(), "Cp");
    const double *v = p->value; /* CL V Tutot Emax EC50 Imax IC50 K kdeg BL */
    for (int i = 0; i < np; i++) {
      cp[i] = TR(&tr, i, c);
      double syn = TR(&tr, i, cp_) * v[2];
      double want = v[9] + v[3] * syn / (v[4] + syn) * TR(&tr, i, ih) / v[8];
      ck_assert_msg(t_relerr(cp[i], want) <= 1e-6, "peak %d: Cyt %.12g, steady value %.12g", i,
                    cp[i], want);
    }
    t_trace_free(&tr);
  }
  ims_schedule_free(s);
  return np;
}

/* The hourly parameters are converted to days by the unit column. */
START_TEST(units_from_hours)
{
  ims_params_t *p = t_params(ch(), SET, NULL);
  const double *v = p->value;
  ck_assert(t_relerr(v[ims_model_param_index(ch(), "kdeg")], 0.18 * 24) <= 1e-12);
  ck_assert(t_relerr(v[ims_model_param_index(ch(), "Emax")], 3590.0 * 24) <= 1e-12);
  ck_assert(t_relerr(v[ims_model_param_index(ch(), "IC50")], 182.0 / 24) <= 1e-12);
  ck_assert(t_relerr(v[ims_model_param_index(ch(), "CL")], 12.5 * 24) <= 1e-12); /* mL/d */
  ck_assert(t_relerr(v[ims_model_param_index(ch(), "V")], 3100) <= 1e-12);       /* mL */
  ims_params_free(p);
}
END_TEST

/* (a) Priming (Chen 2019, qualitative): the second, 5-fold higher dose one
 * week later gives a LOWER cytokine peak than the first.  Controls: without
 * tolerance (Imax = 0) the 5-fold dose gives the higher peak, so the test
 * can fail; the priming factor K lowers the second peak (K = 1 gives a
 * higher one, although AUC carried over from dose 1 alone still keeps it
 * below the first); and priming lowers the worst peak compared with the
 * higher dose alone (chen_flat). */
START_TEST(priming_lowers_second_peak)
{
  double tp[4], cp[4], tk[4], ck[4], tn[4], cn[4], tf[4], cf[4];
  ims_params_t *p = t_params(ch(), SET, NULL);
  ck_assert_int_eq(peaks(p, PRIMING, 14, tp, cp, 4), 2);
  ck_assert(tp[0] > 0 && tp[0] < 7 && tp[1] > 7 && tp[1] < 14);
  ck_assert_msg(cp[1] < cp[0], "peaks %.6g then %.6g pg/mL", cp[0], cp[1]);

  ims_params_t *pk = t_params(ch(), SET, "K=1", NULL);
  ck_assert_int_eq(peaks(pk, PRIMING, 14, tk, ck, 4), 2);
  ck_assert(t_relerr(ck[0], cp[0]) <= 1e-9); /* K acts from dose 2 on */
  ck_assert_msg(cp[1] < ck[1], "second peak K=2.83 %.6g, K=1 %.6g", cp[1], ck[1]);

  ims_params_t *pn = t_params(ch(), SET, "Imax=0", NULL);
  ck_assert_int_eq(peaks(pn, PRIMING, 14, tn, cn, 4), 2);
  ck_assert_msg(cn[1] > cn[0], "Imax=0: peaks %.6g then %.6g", cn[0], cn[1]);

  ck_assert_int_eq(peaks(p, FLAT, 7, tf, cf, 4), 1);
  ck_assert_msg(fmax(cp[0], cp[1]) < cf[0], "priming max %.6g, flat %.6g", fmax(cp[0], cp[1]),
                cf[0]);
  ims_params_free(p);
  ims_params_free(pk);
  ims_params_free(pn);
}
END_TEST

/* (b) A(t) = 60 e^{-k t} + 300 e^{-k (t-7)} [t >= 7], k = CL/V (closed form). */
START_TEST(drug_one_compartment_closed_form)
{
  ims_params_t *p = t_params(ch(), SET, NULL);
  ims_schedule_t *s = t_sched(ch(), PRIMING);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 60, 0.125, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  double k = 12.5 * 24 / 3100.0; /* 12.5 mL/h over 3.1 L, per day */
  int c = t_col(ch(), "A"), cc = t_col(ch(), "Cp");
  for (size_t i = 0; i < n; i++) {
    double want = 60 * exp(-k * t[i]) + (t[i] >= 7 ? 300 * exp(-k * (t[i] - 7)) : 0);
    ck_assert_msg(t_relerr(TR(&tr, i, c), want) <= 1e-6, "t=%g A=%.12g want %.12g", t[i],
                  TR(&tr, i, c), want);
    ck_assert(t_relerr(TR(&tr, i, cc), want / 3100) <= 1e-6); /* ug/mL */
  }
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* (c) The AUC state equals the CVODES quadrature of the Cyt column. */
START_TEST(auc_is_integral_of_cyt)
{
  ims_params_t *p = t_params(ch(), SET, NULL);
  ims_schedule_t *s = t_sched(ch(), PRIMING);
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  size_t n;
  double *t = t_grid(0, 28, 0.25, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  int a = t_col(ch(), "AUC"), qc = t_col(ch(), "Cyt") - 1;
  for (size_t i = 1; i < n; i++) {
    double q = tr.q[i * (size_t)tr.nq + (size_t)qc];
    ck_assert_msg(t_relerr(TR(&tr, i, a), q) <= 1e-6, "t=%g AUC=%.12g quadrature %.12g", t[i],
                  TR(&tr, i, a), q);
  }
  ck_assert(TR(&tr, n - 1, a) > 0);
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* (d) Without tolerance (Imax = 0) two identical doses 300 days apart (drug
 * left: e^{-k 300} ~ 3e-13) give identical peaks; with tolerance they do not. */
START_TEST(no_tolerance_identical_peaks)
{
  const char *two = "time,cmt,amt,unit\n0,A,60,ug\n300,A,60,ug\n";
  double tp[4], cp[4];
  ims_params_t *p = t_params(ch(), SET, "Imax=0", NULL);
  ck_assert_int_eq(peaks(p, two, 310, tp, cp, 4), 2);
  ck_assert_msg(t_relerr(cp[1], cp[0]) <= 1e-6, "peaks %.12g, %.12g", cp[0], cp[1]);
  ck_assert(fabs((tp[1] - 300) - tp[0]) <= 1e-6);
  ims_params_free(p);
  p = t_params(ch(), SET, NULL);
  ck_assert_int_eq(peaks(p, two, 310, tp, cp, 4), 2);
  ck_assert_msg(cp[1] < 0.5 * cp[0], "with tolerance: %.6g then %.6g", cp[0], cp[1]);
  ims_params_free(p);
}
END_TEST

Suite *suite_chen2019(void)
{
  Suite *s = suite_create("chen2019");
  TCase *tc = tcase_create("chen2019");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, units_from_hours);
  tcase_add_test(tc, priming_lowers_second_peak);
  tcase_add_test(tc, drug_one_compartment_closed_form);
  tcase_add_test(tc, auc_is_integral_of_cyt);
  tcase_add_test(tc, no_tolerance_identical_peaks);
  suite_add_tcase(s, tc);
  return s;
}
