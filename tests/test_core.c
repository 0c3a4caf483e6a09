/* Driver, grid, parameters and triggers, independent of any published model. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const ims_model_t *pk(void) { return ims_model_find("pk2cmt"); }

START_TEST(grid_exact)
{
  double *g;
  size_t n;
  ims_err_t err;
  ck_assert_int_eq(ims_grid_uniform(0, 1, 0.1, &g, &n, &err), 0);
  ck_assert_uint_eq(n, 11);
  for (size_t i = 0; i < n - 1; i++)
    ck_assert(g[i] == (double)i * 0.1); /* t0 + i*dt, never accumulated */
  ck_assert(g[10] == 1.0);
  free(g);
  ck_assert_int_eq(ims_grid_uniform(0, 1, 0.3, &g, &n, &err), 0);
  ck_assert_uint_eq(n, 5);
  ck_assert(g[4] == 1.0 && g[3] == 3 * 0.3);
  free(g);
  ck_assert_int_eq(ims_grid_uniform(0, 1, -1, &g, &n, &err), IMS_EINPUT);
  ck_assert_int_eq(ims_grid_uniform(2, 1, 0.1, &g, &n, &err), IMS_EINPUT);
}
END_TEST

START_TEST(expand_order)
{
  /* at one time: infusion ends, then boluses, then infusion starts */
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,dur,lag\n0,A1,10,2,0\n0,A1,3,0,2\n2,A1,5,1,0\n");
  ims_event_t *ev;
  long n;
  ims_err_t err;
  ck_assert_int_eq(ims_schedule_expand(s, &ev, &n, &err), 0);
  ck_assert_int_eq(n, 5);
  ck_assert(ev[0].time == 0 && ev[0].kind == IMS_EV_INF_ON);
  ck_assert(ev[1].time == 2 && ev[1].kind == IMS_EV_INF_OFF);
  ck_assert(ev[2].time == 2 && ev[2].kind == IMS_EV_BOLUS && ev[2].value == 3);
  ck_assert(ev[3].time == 2 && ev[3].kind == IMS_EV_INF_ON);
  ck_assert(ev[4].time == 3 && ev[4].kind == IMS_EV_INF_OFF);
  free(ev);
  ims_schedule_free(s);
}
END_TEST

START_TEST(params_layering)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  ims_err_t err = {0};
  const char *over = "name,value,unit\nCL,0.3,L/d\nA1_0,5,g\n";
  ck_assert_int_eq(ims_params_read_mem(p, t_units(), "over.csv", over, strlen(over), &err), 0);
  ck_assert(p->value[0] == 0.3);
  ck_assert(p->value[1] == 3.48);
  ck_assert(p->value[pk()->nparams + 0] == 5000.0); /* A1_0 in mg */
  ck_assert_int_eq(ims_params_set(p, t_units(), "CL=10 mL/h", &err), 0);
  ck_assert(fabs(p->value[0] - 0.24) < 1e-15);
  ck_assert_int_eq(ims_params_set(p, t_units(), "cl=1", &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "did you mean 'CL'?") != NULL, "%s", err.msg);
  ck_assert_int_eq(ims_params_set(p, t_units(), "CL=1 mg", &err), IMS_EINPUT);
  ims_params_free(p);
  /* a required value missing is refused */
  ck_assert_int_eq(ims_params_alloc(&p, pk(), &err), 0);
  ck_assert_int_eq(ims_params_finish(p, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "'CL'") != NULL, "%s", err.msg);
  ims_params_free(p);
}
END_TEST

START_TEST(iiv_columns)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/blinatumomab_clements2020.csv", NULL);
  /* 47.6 % CV -> omega^2 = ln(1 + 0.476^2) */
  ck_assert(fabs(p->omega2[0] - log1p(0.476 * 0.476)) < 1e-15);
  ck_assert_int_eq(p->dist[0], IMS_DIST_LOGNORMAL);
  ck_assert_int_eq(p->dist[1], IMS_DIST_FIXED);
  ims_params_free(p);
  p = t_params(pk(), "params/pk2cmt/nivolumab_bajaj2017.csv", NULL);
  ck_assert_int_eq(p->dist[4], IMS_DIST_NORMAL);
  ck_assert(p->value[4] == -0.295);
  ims_params_free(p);
}
END_TEST

/* An extinction floor is located by root finding: C falls through 1 at
 * t* = ln(C0/1)/k exactly (closed form), and the state is 0 afterwards. */
START_TEST(extinction_root)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=1", "V1=1", "A1_0=1000", NULL);
  ims_trigger_t tr = {.name = "extinction", .var = 0, .threshold = 1.0, .dir = -1,
                      .act = IMS_ACT_ZERO, .target = 0};
  ims_opts_t o;
  t_tight(&o);
  o.triggers = &tr;
  o.ntriggers = 1;
  double t[] = {0, 5, 6.9, 7, 10};
  trace_t r;
  ims_err_t err = {0};
  ck_assert_msg(t_run(pk(), p->value, NULL, &o, t, 5, &r, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(r.nev, 1);
  /* The crossing is located to ~1e-13 in t on the numerical solution; the
   * solution itself carries a global error of about 100*rtol (1e-8) after 7
   * time constants, and dt = dy/(k*y) = 1e-8 here. */
  ck_assert_msg(fabs(r.ev[0].t - log(1000.0)) < 1e-7, "root at %.12g", r.ev[0].t);
  ck_assert(TR(&r, 2, 1) > 1.0);
  ck_assert(TR(&r, 3, 1) == 0.0 && TR(&r, 4, 1) == 0.0);
  t_trace_free(&r);
  ims_params_free(p);
}
END_TEST

/* Triggered actions: scale a parameter once C1 rises above 5, after a delay. */
START_TEST(trigger_scale_delay)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=1", "V1=1", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,dur\n0,A1,100,10\n");
  /* infusion 10 mg/d, C = 10(1 - e^-t): crosses 5 at ln 2; CL halves 0.5 d later */
  ims_trigger_t tr = {.name = "half CL", .var = 2, .threshold = 5, .dir = 1,
                      .act = IMS_ACT_SCALEPAR, .target = 0, .value = 0.5, .delay = 0.5,
                      .max_count = 1};
  ims_opts_t o;
  t_tight(&o);
  o.triggers = &tr;
  o.ntriggers = 1;
  double t[] = {0, 2, 5};
  trace_t r;
  ims_err_t err = {0};
  ck_assert_msg(t_run(pk(), p->value, s, &o, t, 3, &r, &err) == 0, "%s", err.msg);
  /* the crossing (scheduled, upward), then the action as it runs 0.5 d later */
  ck_assert_int_eq(r.nev, 2);
  ck_assert(fabs(r.ev[0].t - log(2.0)) < 1e-8);
  ck_assert(r.ev[0].applied == 0 && r.ev[0].dir == 1);
  ck_assert(r.ev[1].applied == 1 && r.ev[1].dir == 0);
  ck_assert(fabs(r.ev[1].t - (r.ev[0].t + 0.5)) < 1e-14);
  /* closed form after ta = ln2 + 0.5: C = 20 + (C(ta) - 20) e^{-0.5 (t - ta)} */
  double ta = log(2.0) + 0.5, ca = 10 * (1 - exp(-ta));
  double want = 20 + (ca - 20) * exp(-0.5 * (5 - ta));
  ck_assert_msg(t_relerr(TR(&r, 2, 3), want) < 1e-7, "got %.10g want %.10g", TR(&r, 2, 3), want);
  /* the caller's parameters are untouched */
  ck_assert(p->value[0] == 1.0);
  t_trace_free(&r);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* A solver failure names the model, the time and the worst state. */
START_TEST(failure_message)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=1", "V1=1", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n");
  ims_opts_t o;
  t_tight(&o);
  o.max_steps = 2;
  double t[] = {0, 100};
  trace_t r;
  ims_err_t err = {0};
  ck_assert_int_eq(t_run(pk(), p->value, s, &o, t, 2, &r, &err), IMS_ESOLVER);
  ck_assert_msg(strstr(err.msg, "model pk2cmt: solver failed at t = ") == err.msg, "%s", err.msg);
  ck_assert_msg(strstr(err.msg, "CV_TOO_MUCH_WORK") && strstr(err.msg, "worst state A"), "%s",
                err.msg);
  t_trace_free(&r);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* One workspace reused for many runs gives bit-identical results. */
START_TEST(workspace_reuse)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/nivolumab_bajaj2017.csv", NULL);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,dur,ii,addl\n0,A1,240,0.04,14,5\n");
  ims_opts_t o;
  ims_opts_default(&o);
  double t[] = {0, 10, 50, 90};
  ims_sim_t *sim;
  ims_err_t err;
  ck_assert_int_eq(ims_sim_alloc(&sim, pk(), &err), 0);
  double first[4 * 4], y[4 * 4];
  for (int rep = 0; rep < 3; rep++) {
    trace_t r;
    ck_assert_int_eq(t_run(pk(), p->value, s, &o, t, 4, &r, &err), 0);
    memcpy(rep ? y : first, r.v, sizeof first);
    if (rep)
      ck_assert(memcmp(first, y, sizeof y) == 0);
    t_trace_free(&r);
  }
  ims_sim_free(sim);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

START_TEST(bad_output_times)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=1", "V1=1", NULL);
  ims_opts_t o;
  ims_opts_default(&o);
  double t[] = {0, 2, 1};
  trace_t r;
  ims_err_t err;
  ck_assert_int_eq(t_run(pk(), p->value, NULL, &o, t, 3, &r, &err), IMS_EINPUT);
  t_trace_free(&r);
  double tn[] = {0, NAN};
  ck_assert_int_eq(t_run(pk(), p->value, NULL, &o, tn, 2, &r, &err), IMS_EINPUT);
  t_trace_free(&r);
  ims_params_free(p);
}
END_TEST

Suite *suite_core(void)
{
  Suite *s = suite_create("core");
  TCase *tc = tcase_create("driver");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, grid_exact);
  tcase_add_test(tc, expand_order);
  tcase_add_test(tc, params_layering);
  tcase_add_test(tc, iiv_columns);
  tcase_add_test(tc, extinction_root);
  tcase_add_test(tc, trigger_scale_delay);
  tcase_add_test(tc, failure_message);
  tcase_add_test(tc, workspace_reuse);
  tcase_add_test(tc, bad_output_times);
  suite_add_tcase(s, tc);
  return s;
}
