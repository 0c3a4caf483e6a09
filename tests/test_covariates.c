/* Covariates and scaled doses: doses per kg or m2 against the same absolute
 * doses (bit for bit where the arithmetic is exact, over generated cases
 * otherwise), pk2cmt's power covariate model against its closed forms, the
 * typical subject unchanged, sensitivities with respect to the weight, the
 * NONMEM habits of the schedule reader (EVID, ID, numeric CMT, resets),
 * covariate tables and truncated draws independent of threads and shards. */
#include "tests.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *pk(void)
{
  return ims_model_find("pk2cmt");
}

static const char *pembro = "params/pk2cmt/pembrolizumab_ahamadi2017.csv";

/* A whole trajectory, bit for bit. */
static void traces_identical(const trace_t *a, const trace_t *b, const char *what)
{
  ck_assert_msg(a->nrow == b->nrow && a->ncol == b->ncol, "%s: shapes differ", what);
  for (size_t i = 0; i < a->nrow * (size_t)a->ncol; i++)
    ck_assert_msg(memcmp(&a->v[i], &b->v[i], sizeof a->v[i]) == 0,
                  "%s: row %zu col %zu: %.17g vs %.17g", what, i / (size_t)a->ncol,
                  i % (size_t)a->ncol, a->v[i], b->v[i]);
}

static void run_sched(const ims_params_t *p, const char *csv, const double *tout, size_t n,
                      trace_t *tr)
{
  ims_schedule_t *s = t_sched(p->model, csv);
  ims_opts_t o;
  t_tight(&o);
  t_run_ok(p, s, &o, tout, n, tr);
  ims_schedule_free(s);
}

/* 2 mg/kg for 50 kg is a 100 mg dose to the last bit: boluses, infusions
 * given by duration or by rate, steady-state records, ug/m2 for BSA 2 and a
 * rate unit per m2. */
START_TEST(scaled_equals_absolute_bits)
{
  ims_params_t *p = t_params(pk(), pembro, "WT=50 kg", "BSA=2 m2", NULL);
  size_t n;
  double *tout = t_grid(0, 84, 0.25, &n);
  static const char *pairs[][2] = {
      {"time,cmt,amt,dur,ii,addl,unit\n0,A1,2,0.0208333333333,21,3,mg/kg\n",
       "time,cmt,amt,dur,ii,addl,unit\n0,A1,100,0.0208333333333,21,3,mg\n"},
      {"time,cmt,amt,unit\n0,A1,2,mg/kg\n7,A1,3,mg/kg\n", "time,cmt,amt\n0,A1,100\n7,A1,150\n"},
      {"time,cmt,amt,rate,unit\n0,A1,2,96,mg/kg\n", "time,cmt,amt,rate,unit\n0,A1,100,4800,mg\n"},
      {"time,cmt,amt,dur,ii,ss,unit\n0,A1,2,0.0208333333333,21,1,mg/kg\n",
       "time,cmt,amt,dur,ii,ss,unit\n0,A1,100,0.0208333333333,21,1,mg\n"},
      {"time,cmt,amt,unit\n0,A1,60,ug/m2\n", "time,cmt,amt,unit\n0,A1,120,ug\n"},
      {"time,cmt,rate,dur,unit\n0,A1,15,7,ug/m2/d\n7,A1,45,21,ug/m2/d\n",
       "time,cmt,rate,dur,unit\n0,A1,30,7,ug/d\n7,A1,90,21,ug/d\n"},
  };
  for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
    trace_t a, b;
    run_sched(p, pairs[k][0], tout, n, &a);
    run_sched(p, pairs[k][1], tout, n, &b);
    char what[64];
    snprintf(what, sizeof what, "pair %zu", k);
    traces_identical(&a, &b, what);
    ck_assert(TR(&a, n - 1, t_col(pk(), "C1")) > 0);
    t_trace_free(&a);
    t_trace_free(&b);
  }
  free(tout);
  ims_params_free(p);
}
END_TEST

/* Generated cases: a random dose per kg or m2 (bolus, infusion by duration
 * or rate, steady state, rate units, ug or mg) for a random weight and BSA
 * equals the absolute dose computed here, over the whole trajectory. */
START_TEST(scaled_random_cases)
{
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 20250101);
  size_t n;
  double *tout = t_grid(0, 42, 1, &n);
  int c1 = t_col(pk(), "C1");
  double worst = 0;
  for (int k = 0; k < 300; k++) {
    double wt = 30 + 120 * gsl_rng_uniform(g), bsa = 0.5 + 2 * gsl_rng_uniform(g);
    double a = 0.5 + 10 * gsl_rng_uniform(g), dur = 0.01 + 3 * gsl_rng_uniform(g);
    int kind = (int)gsl_rng_uniform_int(g, 5), per_m2 = (int)gsl_rng_uniform_int(g, 2);
    int ug = (int)gsl_rng_uniform_int(g, 2);
    double cov = per_m2 ? bsa : wt, tomg = ug ? 1e-3 : 1.0;
    const char *au = ug ? "ug" : "mg", *pu = per_m2 ? "m2" : "kg";
    char wts[64], bsas[64], s1[512], s2[512];
    snprintf(wts, sizeof wts, "WT=%.17g kg", wt);
    snprintf(bsas, sizeof bsas, "BSA=%.17g m2", bsa);
    ims_params_t *p = t_params(pk(), pembro, wts, bsas, NULL);
    switch (kind) {
    case 0: /* bolus, every 7 days */
      snprintf(s1, sizeof s1, "time,cmt,amt,ii,addl,unit\n0,A1,%.17g,7,5,%s/%s\n", a, au, pu);
      snprintf(s2, sizeof s2, "time,cmt,amt,ii,addl\n0,A1,%.17g,7,5\n", a * tomg * cov);
      break;
    case 1: /* infusion by duration */
      snprintf(s1, sizeof s1, "time,cmt,amt,dur,ii,addl,unit\n0,A1,%.17g,%.17g,14,2,%s/%s\n", a,
               dur, au, pu);
      snprintf(s2, sizeof s2, "time,cmt,amt,dur,ii,addl\n0,A1,%.17g,%.17g,14,2\n", a * tomg * cov,
               dur);
      break;
    case 2: /* infusion by rate */
      snprintf(s1, sizeof s1, "time,cmt,amt,rate,unit\n0,A1,%.17g,%.17g,%s/%s\n", a, a / dur, au,
               pu);
      snprintf(s2, sizeof s2, "time,cmt,amt,rate\n0,A1,%.17g,%.17g\n", a * tomg * cov,
               a / dur * tomg * cov);
      break;
    case 3: /* steady state */
      snprintf(s1, sizeof s1, "time,cmt,amt,dur,ii,ss,unit\n0,A1,%.17g,%.17g,21,1,%s/%s\n", a, dur,
               au, pu);
      snprintf(s2, sizeof s2, "time,cmt,amt,dur,ii,ss\n0,A1,%.17g,%.17g,21,1\n", a * tomg * cov,
               dur);
      break;
    default: /* a rate unit */
      snprintf(s1, sizeof s1, "time,cmt,rate,dur,unit\n0,A1,%.17g,%.17g,%s/%s/d\n", a, 5 * dur, au,
               pu);
      snprintf(s2, sizeof s2, "time,cmt,amt,dur\n0,A1,%.17g,%.17g\n", a * tomg * cov * 5 * dur,
               5 * dur);
      break;
    }
    trace_t x, y;
    run_sched(p, s1, tout, n, &x);
    run_sched(p, s2, tout, n, &y);
    for (size_t i = 0; i < n; i++) {
      double u = TR(&x, i, c1), v = TR(&y, i, c1);
      double e = fabs(u - v) / (fabs(v) + 1e-12);
      worst = e > worst ? e : worst;
      /* the doses differ by rounding, so the solver's steps may differ: within rtol 1e-10 */
      ck_assert_msg(e <= 1e-8, "case %d (kind %d, %s/%s): t=%g %.17g vs %.17g", k, kind, au, pu,
                    TR(&x, i, 0), u, v);
    }
    t_trace_free(&x);
    t_trace_free(&y);
    ims_params_free(p);
  }
  printf("covariates: 300 generated doses per kg/m2 equal their absolute doses, worst %.2g "
         "relative\n",
         worst);
  free(tout);
  gsl_rng_free(g);
}
END_TEST

/* The typical subject of the pembrolizumab and nivolumab sets (WT at its
 * reference) runs exactly as without the weight effects. */
START_TEST(typical_unchanged)
{
  static const char *sets[][2] = {
      {"params/pk2cmt/pembrolizumab_ahamadi2017.csv",
       "@params/schedules/pembrolizumab_200mg_q3w.csv"},
      {"params/pk2cmt/nivolumab_bajaj2017.csv", "@params/schedules/nivolumab_240mg_q2w.csv"},
      {"params/pk2cmt/blinatumomab_clements2020.csv", "@params/schedules/blinatumomab_cycle1.csv"},
  };
  size_t n;
  double *tout = t_grid(0, 365, 0.5, &n);
  for (int k = 0; k < 3; k++) {
    ims_params_t *p = t_params(pk(), sets[k][0], NULL);
    ims_params_t *q =
        t_params(pk(), sets[k][0], "CL_WT=0", "V1_WT=0", "Q_WT=0", "V2_WT=0", "CL_BSA=0", NULL);
    ck_assert(t_par(p, "WT") == t_par(p, "WT_REF") && t_par(p, "BSA") == t_par(p, "BSA_REF"));
    trace_t a, b;
    run_sched(p, sets[k][1], tout, n, &a);
    run_sched(q, sets[k][1], tout, n, &b);
    traces_identical(&a, &b, sets[k][0]);
    t_trace_free(&a);
    t_trace_free(&b);
    ims_params_free(p);
    ims_params_free(q);
  }
  free(tout);
}
END_TEST

/* The power model against closed forms over generated subjects:
 *   - pembrolizumab, ss=1 every 21 d: Cavg over an interval (the AUC
 *     quadrature / tau) = D / (CL_i tau), CL_i = 0.22 (WT/76.8)^0.595;
 *   - one compartment, bolus, random exponents: C(t) = D/V_i e^(-CL_i/V_i t);
 *   - BSA on CL, a constant infusion: Css = R / CL_i. */
START_TEST(power_model_closed_form)
{
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 7);
  int c1 = t_col(pk(), "C1"), nc = pk()->nstates + pk()->noutputs;
  double worst[3] = {0, 0, 0};
  for (int k = 0; k < 200; k++) {
    double wt = 40 + 100 * gsl_rng_uniform(g);
    char wts[64];
    snprintf(wts, sizeof wts, "WT=%.17g", wt);
    /* 1: steady-state Cavg */
    ims_params_t *p = t_params(pk(), pembro, wts, NULL);
    ims_schedule_t *s =
        t_sched(pk(), "time,cmt,amt,dur,ii,ss,unit\n0,A1,200,0.0208333333333,21,1,mg\n");
    ims_opts_t o;
    t_tight(&o);
    o.quad = 1;
    double tout[2] = {0, 21};
    trace_t tr;
    t_run_ok(p, s, &o, tout, 2, &tr);
    double cl = 0.22 * pow(wt / 76.8, 0.595), want = 200 / (cl * 21);
    double got = tr.q[1 * (size_t)nc + (size_t)(c1 - 1)] / 21;
    double e = t_relerr(got, want);
    worst[0] = fmax(worst[0], e);
    ck_assert_msg(e <= 1e-6, "WT %g: Cavg %.10g want %.10g", wt, got, want);
    t_trace_free(&tr);
    ims_schedule_free(s);
    ims_params_free(p);
    /* 2: one compartment, random exponents */
    double ecl = 2 * gsl_rng_uniform(g) - 0.5, ev = 2 * gsl_rng_uniform(g) - 0.5;
    char a[64], b[64];
    snprintf(a, sizeof a, "CL_WT=%.17g", ecl);
    snprintf(b, sizeof b, "V1_WT=%.17g", ev);
    p = t_params(pk(), NULL, "CL=0.3", "V1=4", "WT_REF=70", wts, a, b, NULL);
    s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n");
    double tt[5] = {0, 1, 5, 20, 60};
    t_tight(&o);
    t_run_ok(p, s, &o, tt, 5, &tr);
    double cli = 0.3 * pow(wt / 70, ecl), vi = 4 * pow(wt / 70, ev);
    for (int i = 0; i < 5; i++) {
      double w = 100 / vi * exp(-cli / vi * tt[i]);
      e = t_relerr(TR(&tr, i, c1), w);
      worst[1] = fmax(worst[1], e);
      ck_assert_msg(e <= 1e-6, "WT %g exps %g %g: t=%g C1 %.10g want %.10g", wt, ecl, ev, tt[i],
                    TR(&tr, i, c1), w);
    }
    t_trace_free(&tr);
    ims_schedule_free(s);
    ims_params_free(p);
    /* 3: BSA on CL */
    double bsa = 0.6 + 1.8 * gsl_rng_uniform(g);
    char bs[64];
    snprintf(bs, sizeof bs, "BSA=%.17g", bsa);
    p = t_params(pk(), "params/pk2cmt/blinatumomab_clements2020.csv", bs, NULL);
    s = t_sched(pk(), "time,cmt,amt,dur,unit\n0,A1,560,20,ug\n");
    double t3[1] = {19};
    t_run_ok(p, s, &o, t3, 1, &tr);
    double css = 0.028 / (2.22 * 24 * pow(bsa / 1.876, 0.620));
    e = t_relerr(TR(&tr, 0, c1), css);
    worst[2] = fmax(worst[2], e);
    ck_assert_msg(e <= 1e-6, "BSA %g: Css %.10g want %.10g", bsa, TR(&tr, 0, c1), css);
    t_trace_free(&tr);
    ims_schedule_free(s);
    ims_params_free(p);
  }
  printf("covariates: power model, 200 subjects: Cavg,ss %.2g, 1-cmt C(t) %.2g, Css(BSA) %.2g "
         "worst relative error\n",
         worst[0], worst[1], worst[2]);
  gsl_rng_free(g);
}
END_TEST

/* Sensitivities of output c, one per row. */
typedef struct sens_col {
  double *d;
  size_t i, n;
  int c;
} sens_col_t;

static int sc_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)ud, (void)t, (void)y, (void)out, (void)q;
  return 0;
}

static int sc_sens(void *ud, double t, const double *dy, const double *dout, const double *dq)
{
  (void)t, (void)dy, (void)dq;
  sens_col_t *c = ud;
  ck_assert_uint_lt(c->i, c->n);
  c->d[c->i++] = dout[c->c];
  return 0;
}

/* d C1 / d WT of doses per kg (a bolus jumps the sensitivity by the dose
 * per kg; an infusion adds its rate per kg to the sensitivity's input),
 * against central differences of whole trajectories. */
START_TEST(sensitivity_to_weight)
{
  static const char *scheds[] = {
      "time,cmt,amt,unit\n0,A1,2,mg/kg\n5,A1,1,mg/kg\n",
      "time,cmt,amt,dur,ii,addl,unit\n0,A1,2,1.5,7,2,mg/kg\n",
      "time,cmt,rate,dur,unit\n0,A1,1,10,mg/kg/d\n",
      "time,cmt,amt,dur,ii,addl,unit\n0,A1,2,1.5,7,2,mg\n", /* WT only through CL and V */
  };
  const ims_model_t *m = pk();
  int iwt = ims_model_param_index(m, "WT"), col = t_col(m, "C1");
  size_t n;
  double *tout = t_grid(0, 20, 0.5, &n);
  double worst = 0;
  for (int k = 0; k < 4; k++) {
    ims_params_t *p = t_params(m, pembro, "WT=60", NULL);
    ims_params_t *pp = t_params(m, pembro, "WT=60.006", NULL);
    ims_params_t *pm = t_params(m, pembro, "WT=59.994", NULL);
    ims_schedule_t *s = t_sched(m, scheds[k]);
    ims_opts_t o;
    t_tight(&o);
    o.nsens = 1;
    o.sens = &iwt;
    sens_col_t sc = {calloc(n, sizeof(double)), 0, n, 0};
    ims_observer_t obs = {.row = sc_row, .sens = sc_sens, .ud = &sc};
    ims_sim_t *sim;
    ims_err_t err;
    ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
    int rc = ims_sim_run(sim, p->value, s, &o, tout, n, &obs, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_uint_eq(sc.i, n);
    ims_sim_free(sim);
    trace_t tp, tm;
    ims_opts_t o2;
    t_tight(&o2);
    t_run_ok(pp, s, &o2, tout, n, &tp);
    t_run_ok(pm, s, &o2, tout, n, &tm);
    double dh = t_par(pp, "WT") - t_par(pm, "WT");
    for (size_t i = 1; i < n; i++) {
      double fd = (TR(&tp, i, col) - TR(&tm, i, col)) / dh;
      double e = fabs(sc.d[i] - fd) / (fabs(fd) + 1e-9);
      worst = e > worst ? e : worst;
      ck_assert_msg(fabs(sc.d[i] - fd) <= 1e-5 * fabs(fd) + 1e-9,
                    "schedule %d t=%g: dC1/dWT %.10g, differences %.10g", k, tout[i], sc.d[i], fd);
    }
    t_trace_free(&tp);
    t_trace_free(&tm);
    free(sc.d);
    ims_schedule_free(s);
    ims_params_free(p);
    ims_params_free(pp);
    ims_params_free(pm);
  }
  printf("covariates: dC1/dWT of doses per kg against central differences, worst %.2g relative\n",
         worst);
  free(tout);
}
END_TEST

/* NONMEM habits: upper-case headers, a numeric CMT, "." for missing
 * values and EVID 0 rows give the records of the canonical file. */
START_TEST(nonmem_records)
{
  ims_schedule_t *a = t_sched(pk(), "TIME,CMT,AMT,RATE,II,ADDL,SS,EVID\n"
                                    "0,1,200,9600,21,3,0,1\n"
                                    "0.5,1,.,.,.,.,.,0\n"
                                    "63,A1,100,.,.,.,.,1\n"
                                    "70,2,.,.,.,.,.,2\n");
  ims_schedule_t *b =
      t_sched(pk(), "time,cmt,amt,rate,ii,addl\n0,A1,200,9600,21,3\n63,A1,100,0,0,0\n");
  ck_assert_int_eq(a->nrec, 2);
  ck_assert_int_eq(b->nrec, 2);
  for (int i = 0; i < 2; i++) {
    const ims_record_t *x = &a->rec[i], *y = &b->rec[i];
    ck_assert(x->time == y->time && x->cmt == y->cmt && x->amt == y->amt && x->rate == y->rate &&
              x->dur == y->dur && x->ii == y->ii && x->addl == y->addl && x->ss == y->ss &&
              x->f == y->f && !x->reset && !x->cov);
  }
  ims_params_t *p = t_params(pk(), pembro, NULL);
  size_t n;
  double *tout = t_grid(0, 100, 0.5, &n);
  ims_opts_t o;
  t_tight(&o);
  trace_t ta, tb;
  t_run_ok(p, a, &o, tout, n, &ta);
  t_run_ok(p, b, &o, tout, n, &tb);
  traces_identical(&ta, &tb, "NONMEM layout");
  t_trace_free(&ta);
  t_trace_free(&tb);
  free(tout);
  ims_params_free(p);
  ims_schedule_free(a);
  ims_schedule_free(b);
}
END_TEST

/* EVID 4 resets every state to its initial value, then doses; EVID 3 only
 * resets (a running infusion ends there, and later infusions add up as
 * before); one compartment, CL 0.5 L/d, V1 4 L, against closed forms. */
START_TEST(reset_closed_form)
{
  ims_params_t *p = t_params(pk(), NULL, "CL=0.5", "V1=4", "A1_0=7", NULL);
  const double k = 0.5 / 4;
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,rate,evid\n"
                                    "0,A1,100,0,1\n"
                                    "10,A1,50,0,4\n"
                                    "20,A1,400,10,1\n"
                                    "30,A1,0,0,3\n"
                                    "50,A1,50,10,1\n");
  size_t n;
  double *tout = t_grid(0, 70, 0.25, &n);
  ims_opts_t o;
  t_tight(&o);
  trace_t tr;
  t_run_ok(p, s, &o, tout, n, &tr);
  int a1 = t_col(pk(), "A1");
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    double t = tout[i], want;
    if (t < 10)
      want = 107 * exp(-k * t);
    else if (t < 20)
      want = 57 * exp(-k * (t - 10)); /* reset to A1_0 = 7, dose 50 */
    else if (t < 30) {
      double a20 = 57 * exp(-k * 10);
      want = a20 * exp(-k * (t - 20)) + 10 / k * (1 - exp(-k * (t - 20)));
    } else if (t < 50) /* the infusion (20 to 60) ends at the reset */
      want = 7 * exp(-k * (t - 30));
    else {
      double a50 = 7 * exp(-k * 20);
      want = a50 * exp(-k * (t - 50)) + (t < 55 ? 10 / k * (1 - exp(-k * (t - 50)))
                                                : 10 / k * (1 - exp(-k * 5)) * exp(-k * (t - 55)));
    }
    double e = fabs(TR(&tr, i, a1) - want) / want;
    worst = e > worst ? e : worst;
    ck_assert_msg(e <= 1e-7, "t=%g: A1 %.12g want %.12g", t, TR(&tr, i, a1), want);
  }
  printf("covariates: EVID 3/4 resets against closed forms, worst %.2g relative\n", worst);
  t_trace_free(&tr);
  free(tout);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* Everything a population reports per subject. */
typedef struct popcap {
  int nval;
  uint64_t n;
  int *status;
  double *p, *auc; /* C1's AUC */
} popcap_t;

static int on_subj(void *ud, const ims_pop_subject_t *su)
{
  popcap_t *c = ud;
  int c1 = pk()->nstates; /* C1 is the first output */
  c->status[su->id] = su->status;
  memcpy(c->p + su->id * (size_t)c->nval, su->p, (size_t)c->nval * sizeof *su->p);
  c->auc[su->id] = su->metrics ? su->metrics[(size_t)c1 * IMS_PM_N + IMS_PM_AUC] : NAN;
  return 0;
}

static void pop_run(const ims_pop_t *pop, const ims_schedule_t *s, ims_subjects_t *subj,
                    uint64_t seed, uint64_t first, uint64_t last, int threads, popcap_t *c)
{
  ims_opts_t o;
  t_tight(&o);
  double tout[] = {0, 10, 42};
  ims_pop_run_t run = {.seed = seed,
                       .first = first,
                       .last = last,
                       .threads = threads,
                       .subject = on_subj,
                       .ud = c,
                       .chunk_mem = 16 * 1024,
                       .setup = subj ? ims_subjects_setup : NULL,
                       .setup_ud = subj};
  ims_pop_summary_t sum;
  ims_err_t err = {0};
  ck_assert_msg(ims_pop_simulate(pop, s, &o, tout, 3, &run, &sum, &err) == 0, "%s", err.msg);
}

static void popcap_init(popcap_t *c, const ims_pop_t *pop, uint64_t n)
{
  c->nval = ims_pop_nvalues(pop);
  c->n = n;
  c->status = calloc(n, sizeof *c->status);
  c->p = calloc(n * (size_t)c->nval, sizeof *c->p);
  c->auc = calloc(n, sizeof *c->auc);
  ck_assert(c->status && c->p && c->auc);
}

static void popcap_free(popcap_t *c)
{
  free(c->status);
  free(c->p);
  free(c->auc);
}

static ims_covtab_t *covtab(const char *csv)
{
  ims_covtab_t *t;
  ims_err_t err = {0};
  ck_assert_msg(ims_covtab_read_mem(&t, pk(), t_units(), "cov.csv", csv, strlen(csv), &err) == 0,
                "%s", err.msg);
  return t;
}

/* A covariate table: its rows (weights in lb, converted) replace the
 * drawn values; subject i's row is row i, or in sample mode the documented
 * function of (seed, i); threads and shards give the same bits. */
START_TEST(covariate_table_reproducible)
{
  char csv[8192] = "# weights in pounds\n# units: WT=lb\nID,WT\n";
  for (int r = 0; r < 37; r++)
    snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%d,%d\n", 1000 + r, 90 + 7 * r);
  ims_covtab_t *t = covtab(csv);
  ck_assert_int_eq(ims_covtab_nrows(t), 37);
  ck_assert(fabs(ims_covtab_value(t, 2, 0) - 104 * 0.45359237) < 1e-12);
  ims_params_t *p = t_params(pk(), pembro, NULL);
  ims_pop_t *pop;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_pop_alloc(&pop, p, &err), 0);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,dur,ii,addl,unit\n0,A1,2,0.02,21,1,mg/kg\n");
  int iwt = ims_model_param_index(pk(), "WT");
  for (int mode = 0; mode < 2; mode++) {
    uint64_t n = mode == IMS_COV_ROWS ? 37 : 120;
    ims_subjects_t *sj;
    ck_assert_msg(ims_subjects_alloc(&sj, t, mode, s, 77, 0, n, &err) == 0, "%s", err.msg);
    popcap_t c1, c2, h;
    popcap_init(&c1, pop, n);
    popcap_init(&c2, pop, n);
    popcap_init(&h, pop, n);
    pop_run(pop, s, sj, 77, 0, n, 1, &c1);
    pop_run(pop, s, sj, 77, 0, n, 2, &c2);
    pop_run(pop, s, sj, 77, 0, n / 2, 2, &h);
    pop_run(pop, s, sj, 77, n / 2, n, 1, &h);
    ck_assert(memcmp(c1.p, c2.p, n * (size_t)c1.nval * sizeof *c1.p) == 0);
    ck_assert(memcmp(c1.auc, c2.auc, n * sizeof *c1.auc) == 0);
    ck_assert(memcmp(c1.p, h.p, n * (size_t)c1.nval * sizeof *c1.p) == 0);
    ck_assert(memcmp(c1.auc, h.auc, n * sizeof *c1.auc) == 0);
    int seen[37] = {0};
    for (uint64_t i = 0; i < n; i++) {
      long r = mode == IMS_COV_ROWS ? (long)i : -1;
      if (mode == IMS_COV_SAMPLE) { /* the documented formula */
        uint64_t hk = ims_pop_subject_key(ims_pop_subject_key(77, i), 1);
        r = (long)((double)(hk >> 11) * 0x1p-53 * 37);
      }
      ck_assert_int_eq(r, ims_covtab_pick(t, mode, 77, i));
      seen[r]++;
      ck_assert(c1.p[i * (size_t)c1.nval + (size_t)iwt] == ims_covtab_value(t, r, 0));
      long id;
      ck_assert(ims_subjects_id(sj, i, &id) && id == 1000 + r);
      ck_assert_int_eq(c1.status[i], 0);
    }
    if (mode == IMS_COV_SAMPLE) { /* with replacement: some row twice, some never */
      int twice = 0, never = 0;
      for (int r = 0; r < 37; r++)
        twice |= seen[r] > 1, never |= seen[r] == 0;
      ck_assert(twice);
      (void)never;
    }
    popcap_free(&c1);
    popcap_free(&c2);
    popcap_free(&h);
    ims_subjects_free(sj);
  }
  /* rows mode needs a row per subject */
  ims_subjects_t *sj;
  ck_assert_int_eq(ims_subjects_alloc(&sj, t, IMS_COV_ROWS, s, 77, 0, 38, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "38 subjects but 37 rows") != NULL, "%s", err.msg);
  ims_schedule_free(s);
  ims_pop_free(pop);
  ims_params_free(p);
  ims_covtab_free(t);
}
END_TEST

/* A schedule with IDs: subject i gets the i-th ID, or with a covariate
 * table the schedule of its row's ID; each subject's exposure equals a
 * single run of that ID's records with its weight. */
START_TEST(id_schedules)
{
  const char *sched = "ID,TIME,CMT,AMT,RATE,UNIT\n"
                      "101,0,1,100,0,mg\n"
                      "205,0,1,200,4800,mg\n"
                      "205,21,1,200,4800,mg\n"
                      "150,0,1,3,0,mg/kg\n";
  ims_schedule_t *s = t_sched(pk(), sched);
  ck_assert_int_eq(s->nid, 3);
  ck_assert(s->ids[0] == 101 && s->ids[1] == 205 && s->ids[2] == 150);
  ims_params_t *p = t_params(pk(), pembro, "WT=60", NULL);
  ims_pop_t *pop;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_pop_alloc(&pop, p, &err), 0);
  /* a single run refuses several subjects */
  ims_opts_t o;
  t_tight(&o);
  double tout[] = {0, 10, 42};
  trace_t tr;
  ck_assert_int_eq(t_run(pk(), p->value, s, &o, tout, 3, &tr, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "records of 3 subjects (column ID)") != NULL, "%s", err.msg);
  t_trace_free(&tr);
  /* no table: subject i, the i-th ID; at most 3 subjects */
  ims_subjects_t *sj;
  ck_assert_int_eq(ims_subjects_alloc(&sj, NULL, IMS_COV_ROWS, s, 5, 0, 4, &err), IMS_EINPUT);
  ck_assert_int_eq(ims_subjects_alloc(&sj, NULL, IMS_COV_ROWS, s, 5, 0, 3, &err), 0);
  popcap_t c;
  popcap_init(&c, pop, 3);
  pop_run(pop, s, sj, 5, 0, 3, 2, &c);
  o.quad = 1;
  o.quad_carry = 1; /* as populations integrate their AUCs: carried in the state vector */
  for (int i = 0; i < 3; i++) {
    ims_schedule_t *one;
    ck_assert_int_eq(ims_schedule_subset(s, i, &one, &err), 0);
    ck_assert_int_eq(t_run(pk(), c.p + (size_t)i * (size_t)c.nval, one, &o, tout, 3, &tr, &err), 0);
    ck_assert_msg(c.auc[i] == tr.q[2 * (size_t)tr.nq + (size_t)pk()->nstates],
                  "subject %d: AUC %.17g vs %.17g", i, c.auc[i],
                  tr.q[2 * (size_t)tr.nq + (size_t)pk()->nstates]);
    t_trace_free(&tr);
    ims_schedule_free(one);
  }
  popcap_free(&c);
  ims_subjects_free(sj);
  /* a table with IDs: matched by ID, whatever the order; its weights apply */
  ims_covtab_t *t = covtab("# units: WT=kg\nid,WT\n150,50\n101,80\n205,100\n");
  ck_assert_int_eq(ims_subjects_alloc(&sj, t, IMS_COV_ROWS, s, 5, 0, 3, &err), 0);
  popcap_init(&c, pop, 3);
  pop_run(pop, s, sj, 5, 0, 3, 1, &c);
  static const int sid_of_row[3] = {2, 0, 1};
  for (int i = 0; i < 3; i++) {
    ims_schedule_t *one;
    ck_assert_int_eq(ims_schedule_subset(s, sid_of_row[i], &one, &err), 0);
    ck_assert_int_eq(t_run(pk(), c.p + (size_t)i * (size_t)c.nval, one, &o, tout, 3, &tr, &err), 0);
    ck_assert(c.auc[i] == tr.q[2 * (size_t)tr.nq + (size_t)pk()->nstates]);
    t_trace_free(&tr);
    ims_schedule_free(one);
  }
  /* subject 0 (ID 150, 3 mg/kg, 50 kg): AUC(0..42) of a 150 mg bolus */
  ck_assert(c.p[ims_model_param_index(pk(), "WT")] == 50);
  popcap_free(&c);
  ims_subjects_free(sj);
  ims_covtab_free(t);
  /* an ID of the table without records is refused */
  t = covtab("# units: WT=kg\nID,WT\n150,50\n999,80\n");
  ck_assert_int_eq(ims_subjects_alloc(&sj, t, IMS_COV_SAMPLE, s, 5, 0, 10, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "ID 999 (row 2 of the covariate table) has no records") != NULL,
                "%s", err.msg);
  ims_covtab_free(t);
  ims_pop_free(pop);
  ims_params_free(p);
  ims_schedule_free(s);
}
END_TEST

/* Truncated draws: every subject within its bounds, the sample mean equal
 * to the truncated lognormal's (closed form) within 5 standard errors, and
 * a subject whose first draw was already within the bounds unchanged. */
START_TEST(truncated_draws)
{
  ims_params_t *p0 = t_params(pk(), pembro, NULL);
  ims_params_t *p = t_params(pk(), pembro, NULL);
  ims_err_t err = {0};
  const char *f0 = "name,value,unit,iiv\nWT,76.8,kg,0.09\n";
  const char *f = "name,value,unit,iiv,lower,upper\nWT,76.8,kg,0.09,60,90\n";
  ck_assert_int_eq(ims_params_read_mem(p0, t_units(), "a.csv", f0, strlen(f0), &err), 0);
  ck_assert_int_eq(ims_params_read_mem(p, t_units(), "b.csv", f, strlen(f), &err), 0);
  ims_pop_t *pop0, *pop;
  ck_assert_int_eq(ims_pop_alloc(&pop0, p0, &err), 0);
  ck_assert_int_eq(ims_pop_alloc(&pop, p, &err), 0);
  ims_pop_rng_t *r;
  ck_assert_int_eq(ims_pop_rng_alloc(&r, pop, &err), 0);
  int nval = ims_pop_nvalues(pop), iwt = ims_model_param_index(pk(), "WT");
  double *a = malloc((size_t)nval * sizeof *a), *b = malloc((size_t)nval * sizeof *b);
  const int N = 4000;
  double sum = 0, sum2 = 0;
  int same = 0;
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(ims_pop_draw(pop0, r, 11, (uint64_t)i, a, NULL, &err), 0);
    ck_assert_int_eq(ims_pop_draw(pop, r, 11, (uint64_t)i, b, NULL, &err), 0);
    double w = b[iwt];
    ck_assert(w >= 60 && w <= 90);
    if (a[iwt] >= 60 && a[iwt] <= 90) {
      ck_assert(memcmp(a, b, (size_t)nval * sizeof *a) == 0);
      same++;
    }
    sum += w;
    sum2 += w * w;
  }
  double mean = sum / N, sd = sqrt((sum2 - N * mean * mean) / (N - 1));
  double mu = log(76.8), w = 0.3, la = log(60), lb = log(90);
  double z = gsl_cdf_ugaussian_P((lb - mu) / w) - gsl_cdf_ugaussian_P((la - mu) / w);
  double want =
      76.8 * exp(w * w / 2) *
      (gsl_cdf_ugaussian_P((lb - mu - w * w) / w) - gsl_cdf_ugaussian_P((la - mu - w * w) / w)) / z;
  ck_assert_msg(fabs(mean - want) <= 5 * sd / sqrt(N), "mean %g want %g (SE %g)", mean, want,
                sd / sqrt(N));
  /* about z of the first draws were within the bounds */
  ck_assert_msg(fabs((double)same / N - z) <= 5 * sqrt(z * (1 - z) / N), "%d of %d, want %g", same,
                N, z);
  printf("covariates: truncated WT: mean %.3f kg (closed form %.3f), %d of %d first draws kept\n",
         mean, want, same, N);
  /* bounds that keep almost nothing are refused */
  const char *f2 = "name,value,unit,iiv,lower,upper\nWT,76.8,kg,4,76,77\n";
  ck_assert_int_eq(ims_params_read_mem(p, t_units(), "c.csv", f2, strlen(f2), &err), 0);
  ims_pop_t *bad;
  ck_assert_int_eq(ims_pop_alloc(&bad, p, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "c.csv:2: the bounds [76, 77] of WT keep") != NULL, "%s", err.msg);
  free(a);
  free(b);
  ims_pop_rng_free(r);
  ims_pop_free(pop0);
  ims_pop_free(pop);
  ims_params_free(p0);
  ims_params_free(p);
}
END_TEST

Suite *suite_covariates(void)
{
  Suite *s = suite_create("covariates");
  TCase *tc = tcase_create("covariates");
  tcase_add_test(tc, scaled_equals_absolute_bits);
  tcase_add_test(tc, scaled_random_cases);
  tcase_add_test(tc, typical_unchanged);
  tcase_add_test(tc, power_model_closed_form);
  tcase_add_test(tc, sensitivity_to_weight);
  tcase_add_test(tc, nonmem_records);
  tcase_add_test(tc, reset_closed_form);
  tcase_add_test(tc, covariate_table_reproducible);
  tcase_add_test(tc, id_schedules);
  tcase_add_test(tc, truncated_draws);
  suite_add_tcase(s, tc);
  return s;
}
