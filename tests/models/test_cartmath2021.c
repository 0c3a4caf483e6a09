/* cartmath2021 (Barros 2021): closed forms of the tumour-only and the
 * CAR-T-only subsystems, the authors' extinction rule located by root
 * finding, and the memory response to a tumour rechallenge. */
#include "../tests.h"

#include <math.h>
#include <stdlib.h>

static const ims_model_t *cm(void)
{
  return ims_model_find("cartmath2021");
}

#define HDLM2 "params/cartmath2021/hdlm2.csv"
/* The HDLM-2 protocol of params/schedules/cartmath_hdlm2_car42.csv. */
#define PROTOCOL "@params/schedules/cartmath_hdlm2_car42.csv" /* 2e6 CT day 42, 1e6 T day 250 */

/* Tight options with the model's own extinction rule switched on (as the CLI does). */
static ims_trigger_t ext[3];
static void with_extinction(ims_opts_t *o)
{
  o->ntriggers = ims_model_extinction(cm(), ext, 3);
  ck_assert_int_eq(o->ntriggers, 3);
  o->triggers = ext;
}

/* The first logged extinction of state k, or -1. */
static double extinction_time(const trace_t *tr, int k)
{
  for (int i = 0; i < tr->nev; i++)
    if (tr->ev[i].trigger >= 0 && tr->ev[i].var == k)
      return tr->ev[i].t;
  return -1;
}

/* (a) Before the infusion on day 42, T(t) = T0 e^{rt} / (1 + b T0 (e^{rt} - 1)),
 * the closed form of dT/dt = r T (1 - b T). */
START_TEST(logistic_before_infusion)
{
  ims_params_t *p = t_params(cm(), HDLM2, NULL);
  ims_schedule_t *s = t_sched(cm(), PROTOCOL);
  ims_opts_t o;
  t_tight(&o);
  with_extinction(&o);
  size_t n;
  double *t = t_grid(0, 42, 0.25, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  double r = 5.650026e-2, b = 1.404029e-12, T0 = 2e6; /* hdlm2.csv (Barros 2021) */
  int c = t_col(cm(), "T");
  for (size_t i = 0; i < n; i++) {
    double e = exp(r * t[i]), want = T0 * e / (1 + b * T0 * (e - 1));
    ck_assert_msg(t_relerr(TR(&tr, i, c), want) <= 1e-6, "t=%g T=%.12g want %.12g", t[i],
                  TR(&tr, i, c), want);
  }
  /* the logistic brake matters here: pure exponential growth differs by b*T ~ 3e-5 */
  ck_assert(t_relerr(TR(&tr, n - 1, c), T0 * exp(r * 42)) > 1e-5);
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* CT, CM with T = 0: the linear system [phi-rho 0; eps -mu] (closed form by
 * its eigenvalues l1 = phi - rho, l2 = -mu). */
static void linear_cart(double t, double ct0, double cm0, double *ct, double *cmv)
{
  double l1 = 0.265 - 0.35, l2 = -5.0e-3, eps = 0.15; /* hdlm2.csv (Barros 2021) */
  *ct = ct0 * exp(l1 * t);
  *cmv = cm0 * exp(l2 * t) + eps * ct0 * (exp(l1 * t) - exp(l2 * t)) / (l1 - l2);
}

/* (b) No tumour: CT + CM follow the 2x2 linear closed form (rule off). */
START_TEST(cart_without_tumour_linear)
{
  ims_params_t *p = t_params(cm(), HDLM2, "T_0=0", "CT_0=2e6", "CM_0=5e5", NULL);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 200, 0.5, &n);
  trace_t tr;
  t_run_ok(p, NULL, &o, t, n, &tr);
  for (size_t i = 0; i < n; i++) {
    double ct, cmv;
    linear_cart(t[i], 2e6, 5e5, &ct, &cmv);
    ck_assert_msg(t_relerr(TR(&tr, i, 1), ct) <= 1e-6, "t=%g CT=%.12g want %.12g", t[i],
                  TR(&tr, i, 1), ct);
    ck_assert_msg(t_relerr(TR(&tr, i, 2), cmv) <= 1e-6, "t=%g CM=%.12g want %.12g", t[i],
                  TR(&tr, i, 2), cmv);
    ck_assert(TR(&tr, i, 3) == 0.0); /* no tumour appears */
  }
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

/* (c1) The extinction time of CT without tumour is exact: CT0 e^{(phi-rho)t*}
 * = 1e-6 gives t* = ln(CT0/1e-6)/(rho - phi) = 333.2 d; afterwards CT is
 * exactly 0 and CM decays as CM(t*) e^{-mu (t - t*)} (closed form). */
START_TEST(extinction_time_exact)
{
  ims_params_t *p = t_params(cm(), HDLM2, "T_0=0", "CT_0=2e6", NULL);
  ims_opts_t o;
  t_tight(&o);
  with_extinction(&o);
  size_t n;
  double *t = t_grid(0, 500, 1, &n);
  trace_t tr;
  t_run_ok(p, NULL, &o, t, n, &tr);
  double ts = log(2e6 / 1e-6) / (0.35 - 0.265);
  double got = extinction_time(&tr, 0);
  ck_assert_msg(fabs(got - ts) <= 1e-6 * ts, "CT extinct at %.12g, want %.12g", got, ts);
  double ct, cms;
  linear_cart(ts, 2e6, 0, &ct, &cms);
  for (size_t i = 0; i < n; i++) {
    if (t[i] <= ts)
      continue;
    ck_assert_msg(TR(&tr, i, 1) == 0.0, "t=%g CT=%g after extinction", t[i], TR(&tr, i, 1));
    double want = cms * exp(-5.0e-3 * (t[i] - ts));
    ck_assert_msg(t_relerr(TR(&tr, i, 2), want) <= 1e-6, "t=%g CM=%.12g want %.12g", t[i],
                  TR(&tr, i, 2), want);
  }
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

/* (c2) HDLM-2 protocol: CAR-T clears the tumour (T crosses 1e-6 about 5.6
 * days after the infusion), T is exactly 0 from then until the rechallenge,
 * and the crossing time does not depend on the output grid. */
START_TEST(extinction_grid_independent)
{
  ims_params_t *p = t_params(cm(), HDLM2, NULL);
  ims_schedule_t *s = t_sched(cm(), PROTOCOL);
  ims_opts_t o;
  t_tight(&o);
  with_extinction(&o);
  double dts[] = {1, 0.01, 7.3};
  double tx[3];
  int c = t_col(cm(), "T");
  for (int k = 0; k < 3; k++) {
    size_t n;
    double *t = t_grid(0, 249, dts[k], &n);
    trace_t tr;
    t_run_ok(p, s, &o, t, n, &tr);
    tx[k] = extinction_time(&tr, 2);
    ck_assert_msg(tx[k] > 42 && tx[k] < 60, "T extinct at %g", tx[k]);
    for (size_t i = 0; i < n; i++)
      if (t[i] > tx[k])
        ck_assert_msg(TR(&tr, i, c) == 0.0, "dt=%g t=%g T=%g", dts[k], t[i], TR(&tr, i, c));
    t_trace_free(&tr);
    free(t);
  }
  /* root location is independent of the output times up to the solver's
   * own first-step choice after each restart at rtol 1e-10 (measured
   * spread 4e-9 d) */
  ck_assert_msg(fabs(tx[1] - tx[0]) <= 1e-7 && fabs(tx[2] - tx[0]) <= 1e-7,
                "crossing times %.12g %.12g %.12g", tx[0], tx[1], tx[2]);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* (c3) With the rule off, T never reaches 0: it stays positive and tiny
 * (far below one cell) after the CAR-T response, and even regrows slowly
 * once the effector cells have waned -- the artefact the authors' floor
 * removes. */
START_TEST(no_extinction_stays_positive)
{
  ims_params_t *p = t_params(cm(), HDLM2, NULL);
  ims_schedule_t *s = t_sched(cm(), PROTOCOL);
  ims_opts_t o;
  t_tight(&o);
  double atol[3] = {1e-14, 1e-14, 1e-60}; /* resolve T down to 1e-50 cells */
  o.atol_vec = atol;
  size_t n;
  double *t = t_grid(0, 249, 0.5, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  int c = t_col(cm(), "T");
  double tmin = 1, tlast = TR(&tr, n - 1, c);
  for (size_t i = 0; i < n; i++) {
    ck_assert_msg(TR(&tr, i, c) > 0, "t=%g T=%g", t[i], TR(&tr, i, c));
    if (t[i] >= 50) {
      ck_assert_msg(TR(&tr, i, c) < 1e-6, "t=%g T=%g", t[i], TR(&tr, i, c));
      tmin = fmin(tmin, TR(&tr, i, c));
    }
  }
  ck_assert_msg(tmin < 1e-15 && tlast > 10 * tmin, "min %g, day 249 %g", tmin, tlast);
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* (d) Rechallenge with 1e6 HDLM-2 cells on day 250: memory CAR-T cells
 * convert to effectors at once (theta*T*CM), the tumour never grows beyond
 * 0.1 % above the injected number and is extinct again within 15 days.  This
 * is the model counterpart of the long-term memory seen in rechallenged
 * CART123 mice (Ruella 2017 Cancer Discov 7:1154, the data CARTmath fitted).
 * Without memory conversion (theta = 0) the same rechallenge escapes. */
START_TEST(rechallenge_memory_response)
{
  ims_params_t *p = t_params(cm(), HDLM2, NULL);
  ims_schedule_t *s = t_sched(cm(), PROTOCOL);
  ims_opts_t o;
  t_tight(&o);
  with_extinction(&o);
  size_t n;
  double *t = t_grid(0, 500, 0.001, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  double tx2 = -1;
  for (int i = 0; i < tr.nev; i++)
    if (tr.ev[i].trigger >= 0 && tr.ev[i].var == 2 && tr.ev[i].t > 250)
      tx2 = tr.ev[i].t;
  ck_assert_msg(tx2 > 250 && tx2 < 265, "second extinction at %g", tx2);
  double tmax = 0, ct250 = -1, ctmax = 0;
  for (size_t i = 0; i < n; i++) {
    if (t[i] < 250)
      ct250 = TR(&tr, i, 1); /* the last row before the rechallenge */
    if (t[i] >= 250) {
      tmax = fmax(tmax, TR(&tr, i, 3));
      ctmax = fmax(ctmax, TR(&tr, i, 1));
    }
    if (t[i] > tx2)
      ck_assert(TR(&tr, i, 3) == 0.0);
  }
  ck_assert_msg(tmax >= 1e6 && tmax < 1.001e6, "T peak after rechallenge %.10g", tmax);
  ck_assert_msg(ct250 > 0 && ctmax > 1e6 * ct250, "CT %g before, %g after", ct250, ctmax);
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);

  /* negative control: no memory-to-effector conversion */
  p = t_params(cm(), HDLM2, "theta=0", NULL);
  double t2[] = {0, 249, 500};
  t_run_ok(p, s, &o, t2, 3, &tr);
  ck_assert_msg(TR(&tr, 1, 3) == 0.0 && TR(&tr, 2, 3) > 1e11, "theta=0: T(249)=%g T(500)=%g",
                TR(&tr, 1, 3), TR(&tr, 2, 3));
  t_trace_free(&tr);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* The RAJI set loads with its published eps > rho and integrates the stiff
 * protocol (theta*T up to ~1e4 /d) to day 15 with the analytic Jacobian;
 * the result does not depend on --no-jac beyond the tolerance. */
START_TEST(raji_stiff_protocol)
{
  ims_params_t *p = t_params(cm(), "params/cartmath2021/raji.csv", NULL);
  ck_assert(p->value[2] > p->value[1]); /* eps > rho, as published */
  ims_schedule_t *s = t_sched(cm(), "time,cmt,amt\n7,CT,1e7\n");
  ims_opts_t o;
  t_tight(&o);
  with_extinction(&o);
  double t[] = {0, 7, 9, 15};
  trace_t a, b;
  t_run_ok(p, s, &o, t, 4, &a);
  o.use_jac = 0;
  t_run_ok(p, s, &o, t, 4, &b);
  for (int i = 0; i < 4; i++)
    for (int k = 1; k <= 3; k++)
      ck_assert_msg(t_relerr(TR(&a, i, k), TR(&b, i, k)) <= 1e-6, "t=%g col %d: %.12g vs %.12g",
                    t[i], k, TR(&a, i, k), TR(&b, i, k));
  /* before the infusion: exponential growth (b = 0), closed form */
  ck_assert(t_relerr(TR(&a, 1, 3), 3e6 * exp(5.071721e-1 * 7)) <= 1e-6);
  t_trace_free(&a);
  t_trace_free(&b);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

Suite *suite_cartmath2021(void)
{
  Suite *s = suite_create("cartmath2021");
  TCase *tc = tcase_create("cartmath2021");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, logistic_before_infusion);
  tcase_add_test(tc, cart_without_tumour_linear);
  tcase_add_test(tc, extinction_time_exact);
  tcase_add_test(tc, extinction_grid_independent);
  tcase_add_test(tc, no_extinction_stays_positive);
  tcase_add_test(tc, rechallenge_memory_response);
  tcase_add_test(tc, raji_stiff_protocol);
  suite_add_tcase(s, tc);
  return s;
}
