/* Rules: parsing with units, and the driver's triggered actions against
 * 1-cmt closed forms (C = C0 e^{-kt}, k = CL/V): delay, refractory time,
 * max_count, crossings carried by a dose, and independence from --dt. */
#include "tests.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *pk(void)
{
  return ims_model_find("pk2cmt");
}

static ims_rules_t *rules(const char *csv)
{
  ims_rules_t *r;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_rules_alloc(&r, &err), 0);
  ck_assert_msg(ims_rules_read_mem(r, pk(), t_units(), "rules", csv, strlen(csv), &err) == 0, "%s",
                err.msg);
  return r;
}

static void run_rules(const ims_rules_t *r, const char *sched, double tend, double dt, trace_t *tr)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=2", "V1=10", NULL); /* k = 0.2 /d */
  ims_schedule_t *s = t_sched(pk(), sched);
  ims_opts_t o;
  t_tight(&o);
  o.triggers = r->tr;
  o.ntriggers = r->n;
  double *g;
  size_t n;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_grid_uniform(0, tend, dt, &g, &n, &err), 0);
  int rc = t_run(pk(), p->value, s, &o, g, n, tr, &err);
  ck_assert_msg(rc == 0 || rc == IMS_ESTOP, "%s", err.msg);
  free(g);
  ims_schedule_free(s);
  ims_params_free(p);
}

/* Units in every numeric field are converted to the canonical ones. */
START_TEST(parse_units)
{
  ims_rules_t *r = rules("name,when,threshold,dir,action,target,value,unit,rate,delay,refractory,"
                         "max_count,start\n"
                         "a,C1,5000 ug/L,down,infuse,A1,0.2,g,10 mg/h,2 h,1 d,3,12 h\n"
                         "b,A2,1,up,scale,CL,0.5,,,,,,\n"
                         "c,C1,1,either,stop,,,,,,,,\n");
  ck_assert_int_eq(r->n, 3);
  const ims_trigger_t *a = &r->tr[0];
  ck_assert_str_eq(a->name, "a");
  ck_assert(a->var == 2 && a->dir == -1 && a->act == IMS_ACT_INFUSE && a->target == 0);
  ck_assert(fabs(a->threshold - 5.0) < 1e-12); /* mg/L */
  ck_assert(fabs(a->value - 200.0) < 1e-9);    /* mg */
  ck_assert(fabs(a->rate - 240.0) < 1e-9);     /* mg/d */
  ck_assert(fabs(a->delay - 2.0 / 24) < 1e-12 && fabs(a->refractory - 1) < 1e-12);
  ck_assert(a->max_count == 3 && fabs(a->start - 0.5) < 1e-12);
  ck_assert(r->tr[1].act == IMS_ACT_SCALEPAR && r->tr[1].target == 0 && r->tr[1].value == 0.5);
  ck_assert(r->tr[2].act == IMS_ACT_STOP && r->tr[2].dir == 0 && isinf(r->tr[2].start));
  ims_rules_free(r);
}
END_TEST

/* The action runs exactly `delay` after the crossing: C falls through 5 at
 * t1 = ln 2 / k; a bolus of 100 mg (C += 10) follows 0.5 d later, so after
 * it C = 10 e^{-kt} + 10 e^{-k(t - t1 - 0.5)} (closed form). */
START_TEST(delay_exact)
{
  ims_rules_t *r = rules("name,when,threshold,dir,action,target,value,delay,max_count\n"
                         "redose,C1,5,down,bolus,A1,100,12 h,1\n");
  trace_t tr;
  run_rules(r, "time,cmt,amt\n0,A1,100\n", 10, 1, &tr);
  double k = 0.2, t1 = log(2.0) / k;
  ck_assert_int_eq(tr.nev, 2);
  ck_assert(fabs(tr.ev[0].t - t1) < 1e-8 && tr.ev[0].applied == 0 && tr.ev[0].dir == -1);
  ck_assert(fabs(tr.ev[1].t - (tr.ev[0].t + 0.5)) < 1e-12 && tr.ev[1].applied == 1);
  double want = 10 * exp(-k * 10) + 10 * exp(-k * (10 - t1 - 0.5));
  ck_assert_msg(t_relerr(TR(&tr, 10, 3), want) < 1e-7, "C(10) %.10g want %.10g", TR(&tr, 10, 3),
                want);
  /* before the delayed dose: the undisturbed decay */
  ck_assert(t_relerr(TR(&tr, 3, 3), 10 * exp(-k * 3)) < 1e-7);
  t_trace_free(&tr);
  ims_rules_free(r);
}
END_TEST

/* Each firing lifts C from 5 to 10, so without limits it would fire every
 * ln2/k = 3.466 d.  refractory 4 d ignores the second crossing (after
 * which C never crosses 5 downwards again); refractory 3 d lets all pass;
 * max_count 2 stops after two. */
START_TEST(refractory_and_max_count)
{
  double k = 0.2, t1 = log(2.0) / k;
  const char *sched = "time,cmt,amt\n0,A1,100\n";
  struct {
    const char *csv;
    int want;
  } cases[] = {
      {"when,threshold,dir,action,target,value,refractory\nC1,5,down,bolus,A1,50,4\n", 1},
      {"when,threshold,dir,action,target,value,refractory\nC1,5,down,bolus,A1,50,3\n", 3},
      {"when,threshold,dir,action,target,value,max_count\nC1,5,down,bolus,A1,50,2\n", 2},
  };
  for (int c = 0; c < 3; c++) {
    ims_rules_t *r = rules(cases[c].csv);
    trace_t tr;
    run_rules(r, sched, 12, 1, &tr);
    ck_assert_msg(tr.nev == cases[c].want, "case %d: %d firings, want %d", c, tr.nev,
                  cases[c].want);
    for (int i = 0; i < tr.nev; i++) /* at t1, 2 t1, 3 t1 (closed form) */
      ck_assert_msg(fabs(tr.ev[i].t - (i + 1) * t1) < 1e-7, "case %d firing %d at %.10g", c, i,
                    tr.ev[i].t);
    t_trace_free(&tr);
    ims_rules_free(r);
  }
}
END_TEST

/* A dose that lifts C across a threshold fires an upward rule at the dose
 * time: CVODE never sees that crossing, the driver compares both sides of
 * the jump.  A downward rule does not fire there. */
START_TEST(crossing_by_a_dose)
{
  ims_rules_t *r = rules("name,when,threshold,dir,action\nup,C1,5,up,log\ndown,C1,5,down,log\n");
  trace_t tr;
  run_rules(r, "time,cmt,amt\n2,A1,100\n", 5, 1, &tr);
  ck_assert_int_eq(tr.nev, 1);
  ck_assert(tr.ev[0].t == 2.0 && tr.ev[0].trigger == 0 && tr.ev[0].dir == 1);
  ck_assert(fabs(tr.ev[0].value - 10.0) < 1e-12); /* the value after the jump */
  t_trace_free(&tr);
  ims_rules_free(r);
}
END_TEST

/* The result of a triggered run does not depend on the output grid: the
 * crossings are root-found, so rows at common times agree to ~1e-10. */
START_TEST(independent_of_dt)
{
  ims_rules_t *r = rules("name,when,threshold,dir,action,target,value,delay,refractory\n"
                         "redose,C1,5,down,bolus,A1,60,3 h,1\n"
                         "halfcl,C1,8,up,scale,CL,0.9,,2\n");
  trace_t a, b;
  const char *sched = "time,cmt,amt,ii,addl\n0,A1,100,7,3\n";
  run_rules(r, sched, 40, 1, &a);
  run_rules(r, sched, 40, 0.01, &b);
  ck_assert_int_eq(a.nev, b.nev);
  ck_assert_int_gt(a.nev, 4);
  for (int i = 0; i < a.nev; i++)
    ck_assert(fabs(a.ev[i].t - b.ev[i].t) < 1e-10);
  for (int i = 0; i <= 40; i++)
    for (int c = 1; c < 4; c++)
      ck_assert_msg(t_relerr(TR(&a, i, c), TR(&b, 100 * i, c)) < 1e-10, "t=%d col %d", i, c);
  t_trace_free(&a);
  t_trace_free(&b);
  ims_rules_free(r);
}
END_TEST

Suite *suite_rules(void)
{
  Suite *s = suite_create("rules");
  TCase *tc = tcase_create("rules");
  tcase_add_test(tc, parse_units);
  tcase_add_test(tc, delay_exact);
  tcase_add_test(tc, refractory_and_max_count);
  tcase_add_test(tc, crossing_by_a_dose);
  tcase_add_test(tc, independent_of_dt);
  suite_add_tcase(s, tc);
  return s;
}
