/* Integrals carried in the state vector (src/sim_aug.c): with quad_carry the
 * AUCs ride after the states under CVODES's error control for quadratures.
 * Over 2,000 random pk2cmt runs (one and two compartments,
 * Michaelis-Menten, time-varying CL, boluses, infusions, steady-state
 * doses, rules that dose on a crossing, BDF and Adams, scalar and per-state
 * atol, every column or a random subset) and every built-in model's
 * published set: every row agrees with the run without integrals to the
 * tolerance (and is the same bits wherever the states' error governed every
 * step), the integrals agree with CVODES quadratures, and with the closed
 * form of the peripheral amount of a one-compartment run (a state that is a
 * polynomial in time: its own error estimate is 0, and only the integrals'
 * error control keeps its AUC right). */
#include "nvec.h"
#include "sim_impl.h"
#include "tests.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { AUG_CASES = 2000, MAXROW = 80, MAXCOL = 64 };

typedef struct run {
  const ims_model_t *m;
  int nq;
  size_t n;
  double v[MAXROW * MAXCOL]; /* states then outputs, MAXCOL apart */
  double q[MAXCOL];          /* the last row's integrals */
  int has_q;
  int aug; /* the workspace carried the integrals */
} run_t;

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  run_t *r = ud;
  (void)t;
  int ns = r->m->nstates, no = r->m->noutputs;
  ck_assert(r->n < MAXROW);
  memcpy(r->v + r->n * MAXCOL, y, (size_t)ns * sizeof *y);
  memcpy(r->v + r->n * MAXCOL + ns, out, (size_t)no * sizeof *out);
  if (q) {
    memcpy(r->q, q, (size_t)r->nq * sizeof *q);
    r->has_q = 1;
  }
  r->n++;
  return 0;
}

static int do_run(run_t *r, const ims_model_t *m, const double *p, const ims_schedule_t *s,
                  const ims_opts_t *o, const double *tout, size_t nt, ims_err_t *err)
{
  memset(r, 0, sizeof *r);
  r->m = m;
  r->nq = !o->quad ? 0 : o->quad_cols ? o->nquad_cols : m->nstates + m->noutputs;
  ims_observer_t obs = {.row = on_row, .ud = r};
  ims_sim_t *sim;
  int rc = ims_sim_alloc(&sim, m, err);
  if (rc)
    return rc;
  rc = ims_sim_run(sim, p, s, o, tout, nt, &obs, err);
  r->aug = sim->aug;
  ims_sim_free(sim);
  return rc;
}

static uint64_t au_rng = 0x0a0b0c0d01020304u; /* the cases' stream (t_unif) */

/* Rows within 1000 times the tolerance of the run without integrals: both
 * solve the same problem on different steps (the integrals' error control
 * may shorten some), so they differ by at most their two global errors, and
 * a global error carries rtol times the column's largest value into later
 * small ones (an amount that fell from 500 mg to 0.06 mg keeps the absolute
 * error it had at 500 mg).  Returns whether they are the same bits. */
static int rows_agree(const run_t *plain, const run_t *aug, const ims_opts_t *o, const char *what)
{
  int ns = plain->m->nstates;
  size_t nc = (size_t)(ns + plain->m->noutputs);
  ck_assert_msg(plain->n == aug->n, "%s: %zu vs %zu rows", what, plain->n, aug->n);
  int same = 1;
  for (size_t c = 0; c < nc; c++) {
    double big = 0, at = o->atol_vec && (int)c < ns ? o->atol_vec[c] : o->atol;
    for (size_t i = 0; i < plain->n; i++)
      big = fmax(big, fabs(plain->v[i * MAXCOL + c]));
    for (size_t i = 0; i < plain->n; i++) {
      double a = plain->v[i * MAXCOL + c], b = aug->v[i * MAXCOL + c];
      same = same && memcmp(&a, &b, sizeof a) == 0;
      double tol = 1000 * (o->rtol * big + at);
      ck_assert_msg(fabs(a - b) <= tol, "%s: row %zu column %zu: %.17g vs %.17g", what, i, c, a, b);
    }
  }
  return same;
}

/* Integrals within 1e-7 of the reference's: both integrate the same
 * trajectory under error control at rtol 1e-10. */
static double integrals_agree(const run_t *aug, const run_t *ref, int nq, const char *what)
{
  ck_assert_msg(aug->has_q && ref->has_q, "%s: no integrals", what);
  double worst = 0;
  for (int k = 0; k < nq; k++) {
    double a = aug->q[k], b = ref->q[k];
    double e = fabs(a - b) / (fabs(b) + 1e-9) / 1e-7;
    worst = fmax(worst, e);
    ck_assert_msg(e <= 1, "%s: integral %d %.15g, quadrature %.15g", what, k, a, b);
  }
  return worst;
}

/* AUC(0, T) of A2 when nothing leaves it (Q = 0): boluses stay, an
 * infusion of D over [s, s + d] ramps at R = D/d. */
static double auc_a2(double T, double s, double D, double d)
{
  if (s >= T)
    return 0;
  if (d <= 0)
    return D * (T - s);
  double R = D / d, u = fmin(T, s + d) - s;
  return R * u * u / 2 + (T > s + d ? D * (T - s - d) : 0);
}

typedef struct tally {
  double worst_q, worst_a2;
  int cases, same, a2;
} tally_t;

static void pk_case(int cs, tally_t *ty)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  char ov[6][64];
  double cl = 0.1 + 5 * t_unif(&au_rng), v = 1 + 9 * t_unif(&au_rng);
  snprintf(ov[0], sizeof ov[0], "CL=%.17g", cl);
  snprintf(ov[1], sizeof ov[1], "V1=%.17g", v);
  double q2 = t_unif(&au_rng) < 0.5 ? 0 : 3 * t_unif(&au_rng);
  snprintf(ov[2], sizeof ov[2], "Q=%.17g", q2);
  snprintf(ov[3], sizeof ov[3], "V2=%.17g", 1 + 20 * t_unif(&au_rng));
  snprintf(ov[4], sizeof ov[4], "Vmax=%.17g", t_unif(&au_rng) < 0.7 ? 0 : 50 * t_unif(&au_rng));
  snprintf(ov[5], sizeof ov[5], "Emax=%.17g", t_unif(&au_rng) < 0.7 ? 0 : t_unif(&au_rng) - 0.5);
  double T = 5 + 55 * t_unif(&au_rng);
  char csv[1024];
  int len = snprintf(csv, sizeof csv, "time,cmt,amt,dur,ii,ss\n");
  if (cs % 5 == 0) { /* linear elimination: a steady state the search reaches */
    double D = 1 + 499 * t_unif(&au_rng), ii = 1 + 20 * t_unif(&au_rng);
    len += snprintf(csv + len, sizeof csv - (size_t)len, "0,A1,%.17g,0,%.17g,1\n", D, ii);
    snprintf(ov[4], sizeof ov[4], "Vmax=0");
    snprintf(ov[5], sizeof ov[5], "Emax=0");
  }
  ims_params_t *p = t_params(m, NULL, ov[0], ov[1], ov[2], ov[3], ov[4], ov[5], NULL);

  int nd = 1 + (int)(4 * t_unif(&au_rng));
  double st[4];
  for (int i = 0; i < nd; i++)
    st[i] = T * t_unif(&au_rng);
  for (int i = 1; i < nd; i++) /* sorted */
    for (int j = i; j > 0 && st[j] < st[j - 1]; j--) {
      double x = st[j];
      st[j] = st[j - 1];
      st[j - 1] = x;
    }
  double want_a2 = 0;
  for (int i = 0; i < nd; i++) {
    int a2 = t_unif(&au_rng) < 0.3;
    double D = 1 + 499 * t_unif(&au_rng), d = t_unif(&au_rng) < 0.5 ? 0 : 5 * t_unif(&au_rng);
    len += snprintf(csv + len, sizeof csv - (size_t)len, "%.17g,%s,%.17g,%.17g,0,0\n", st[i],
                    a2 ? "A2" : "A1", D, d);
    want_a2 += a2 ? auc_a2(T, st[i], D, d) : 0;
  }
  ims_schedule_t *sc = t_sched(m, csv);
  ims_rules_t *ru = NULL;
  ims_err_t err = {0};
  if (cs % 3 == 0) { /* a rule doses when C1 falls through a threshold */
    char rt[256];
    double thr = 0.5 + 5 * t_unif(&au_rng), amt = 10 + 90 * t_unif(&au_rng);
    snprintf(rt, sizeof rt,
             "name,when,threshold,dir,action,target,value,unit,rate,delay,refractory,max_count,"
             "start\nr,C1,%.17g,down,bolus,A1,%.17g,mg,,,,3,\n",
             thr, amt);
    ck_assert_int_eq(ims_rules_alloc(&ru, &err), 0);
    ck_assert_msg(ims_rules_read_mem(ru, m, t_units(), "rules", rt, strlen(rt), &err) == 0, "%s",
                  err.msg);
  }
  size_t nt = 2 + (size_t)(60 * t_unif(&au_rng));
  double tout[MAXROW];
  for (size_t i = 0; i < nt; i++)
    tout[i] = T * (double)i / (double)(nt - 1);
  int nc = m->nstates + m->noutputs, cols[MAXCOL], ncols = 0;
  if (cs % 2) /* a random subset of columns, in a random order */
    for (int c = nc - 1; c >= 0; c--)
      if (t_unif(&au_rng) < 0.6)
        cols[ncols++] = c;
  double a1 = 1e-12 * (1 + t_unif(&au_rng)), a2 = 1e-13 * (1 + t_unif(&au_rng));
  double atolv[2] = {a1, a2};
  ims_opts_t o;
  t_tight(&o);
  o.method = cs % 4 == 1 ? IMS_ADAMS : IMS_BDF;
  o.atol_vec = cs % 7 == 2 ? atolv : NULL;
  if (ru) {
    o.triggers = ru->tr;
    o.ntriggers = ru->n;
  }
  run_t *r = malloc(3 * sizeof *r);
  ck_assert(r);
  int rc = do_run(&r[0], m, p->value, sc, &o, tout, nt, &err);
  ck_assert_msg(rc == 0, "case %d plain: %s", cs, err.msg);
  o.quad = 1;
  o.quad_last_row = 1;
  o.quad_cols = ncols ? cols : NULL;
  o.nquad_cols = ncols;
  ims_opts_t oa = o, oq = o;
  oa.quad_carry = 1;
  oq.quad_carry = 0; /* CVODES quadratures under their own error control */
  rc = do_run(&r[1], m, p->value, sc, &oa, tout, nt, &err);
  ck_assert_msg(rc == 0, "case %d carried: %s", cs, err.msg);
  rc = do_run(&r[2], m, p->value, sc, &oq, tout, nt, &err);
  ck_assert_msg(rc == 0, "case %d quadratures: %s", cs, err.msg);
  ck_assert_msg(r[1].aug && !r[2].aug, "case %d: the integrals were not carried", cs);
  char what[128];
  snprintf(what, sizeof what, "pk2cmt case %d (%s%s%s, %d cols)", cs, ru ? "rule " : "",
           o.method == IMS_ADAMS ? "Adams " : "BDF ", o.atol_vec ? "atol_vec" : "", ncols);
  ty->cases++;
  ty->same += rows_agree(&r[0], &r[1], &o, what);
  ty->worst_q = fmax(ty->worst_q, integrals_agree(&r[1], &r[2], ncols ? ncols : nc, what));
  int ka2 = -1; /* A2's integral, when carried */
  for (int k = 0; k < (ncols ? ncols : nc); k++)
    if ((ncols ? cols[k] : k) == 1)
      ka2 = k;
  if (q2 == 0 && ka2 >= 0) { /* 1e-8 of the largest dose's scale: the rtol 1e-10 run's */
    double e = fabs(r[1].q[ka2] - want_a2) / (want_a2 + 1) / 1e-8;
    ck_assert_msg(e <= 1, "%s: AUC(A2) %.15g, closed form %.15g", what, r[1].q[ka2], want_a2);
    ty->worst_a2 = fmax(ty->worst_a2, e);
    ty->a2++;
  }
  free(r);
  if (ru)
    ims_rules_free(ru);
  ims_schedule_free(sc);
  ims_params_free(p);
}

START_TEST(carried_integrals_pk_random)
{
  tally_t ty = {0};
  for (int cs = 0; cs < AUG_CASES; cs++)
    pk_case(cs, &ty);
  printf("aug: %d random pk2cmt runs with the AUCs carried: rows within 1000 tolerances of "
         "the runs without "
         "(%d the same bits); AUCs within %.2g of 1e-7 of CVODES quadratures; %d AUCs of a "
         "polynomial A2 within %.2g of 1e-8 of the closed form\n",
         ty.cases, ty.same, ty.worst_q, ty.a2, ty.worst_a2);
}
END_TEST

/* Every built-in model with its published set and a shipped schedule when
 * it has one (the model's own Jacobian: the integrals are carried). */
START_TEST(carried_integrals_models)
{
  int nmod = 0, same = 0;
  double worst = 0;
  int count = 0;
  const ims_model_t *const *list = ims_model_list(&count);
  for (int i = 0; i < count; i++) {
    const ims_model_t *m = list[i];
    if (!m->jac || m->nstates + m->noutputs > MAXCOL)
      continue;
    char set[256];
    snprintf(set, sizeof set, "params/%s/%s.csv", m->name, m->default_set ? m->default_set : "");
    ims_params_t *p = t_params(m, m->default_set ? set : NULL, NULL);
    ims_opts_t o;
    ims_opts_default(&o);
    o.rtol = 1e-10;
    double tout[MAXROW];
    size_t nt = 41;
    for (size_t k = 0; k < nt; k++)
      tout[k] = 60.0 * (double)k / (double)(nt - 1);
    run_t *r = malloc(3 * sizeof *r);
    ck_assert(r);
    ims_err_t err = {0};
    int rc = do_run(&r[0], m, p->value, NULL, &o, tout, nt, &err);
    if (rc) { /* a model whose default run needs its protocol: not this test's business */
      free(r);
      ims_params_free(p);
      continue;
    }
    o.quad = 1;
    o.quad_last_row = 1;
    ims_opts_t oa = o, oq = o;
    oa.quad_carry = 1;
    ck_assert_msg(do_run(&r[1], m, p->value, NULL, &oa, tout, nt, &err) == 0, "%s: %s", m->name,
                  err.msg);
    ck_assert_msg(do_run(&r[2], m, p->value, NULL, &oq, tout, nt, &err) == 0, "%s: %s", m->name,
                  err.msg);
    ck_assert_msg(r[1].aug, "%s: the integrals were not carried", m->name);
    same += rows_agree(&r[0], &r[1], &o, m->name);
    worst = fmax(worst, integrals_agree(&r[1], &r[2], m->nstates + m->noutputs, m->name));
    nmod++;
    free(r);
    ims_params_free(p);
  }
  ck_assert_int_ge(nmod, 8);
  printf("aug: %d built-in models with the AUCs carried: rows within 1000 tolerances of the "
         "runs without (%d "
         "the same bits); AUCs within %.2g of 1e-7 of CVODES quadratures\n",
         nmod, same, worst);
}
END_TEST

/* Without the model's Jacobian (CVODE's difference quotients, sized by the
 * state vector) or with sensitivities, CVODES quadratures are used. */
START_TEST(carried_integrals_fallback)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=1", "V1=5", NULL);
  ims_schedule_t *sc = t_sched(m, "time,cmt,amt\n0,A1,100\n");
  double tout[] = {0, 1, 2, 5, 10};
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  o.quad_carry = 1;
  o.use_jac = 0;
  run_t *r = malloc(sizeof *r);
  ck_assert(r);
  ims_err_t err = {0};
  ck_assert_int_eq(do_run(r, m, p->value, sc, &o, tout, 5, &err), 0);
  ck_assert(!r->aug);
  /* AUC(0, 10) of C1 = 100/5 e^{-t/5}: 20 * 5 (1 - e^-2) */
  double want = 100.0 * (1 - exp(-2.0)), got = r->q[t_col(m, "C1") - 1];
  ck_assert_msg(t_relerr(got, want) < 1e-7, "AUC %.15g want %.15g", got, want);
  free(r);
  ims_schedule_free(sc);
  ims_params_free(p);
}
END_TEST

/* The split norm: states before a separator of weight 0, integrals after
 * it; the larger of their WRMS norms, the states' the same bits as
 * nvector_serial's norm of them alone (the integrals' to rounding). */
START_TEST(split_norm_same_bits)
{
  SUNContext sun;
  ck_assert_int_eq(SUNContext_Create(NULL, &sun), 0);
  int states_won = 0;
  for (int cs = 0; cs < 5000; cs++) {
    long n = 1 + (long)(20 * t_unif(&au_rng)), nq = (long)(10 * t_unif(&au_rng)), L = n + 1 + nq;
    N_Vector x = N_VNew_Serial(L, sun), w = N_VClone(x);
    N_Vector xs = N_VNew_Serial(n, sun), ws = N_VClone(xs);
    N_Vector xq = N_VNew_Serial(nq > 0 ? nq : 1, sun), wq = N_VClone(xq);
    ims__nvec_tune(x);
    ims__nvec_split_norm(x);
    for (long i = 0; i < L; i++) {
      double sign = t_unif(&au_rng) * 2 - 1, a = sign * pow(10, 20 * t_unif(&au_rng) - 10);
      double b = i == n ? 0.0 : pow(10, 20 * t_unif(&au_rng) - 10);
      NV_Ith_S(x, i) = a;
      NV_Ith_S(w, i) = b;
      if (i < n) {
        NV_Ith_S(xs, i) = a;
        NV_Ith_S(ws, i) = b;
      } else if (i > n) {
        NV_Ith_S(xq, i - n - 1) = a;
        NV_Ith_S(wq, i - n - 1) = b;
      }
    }
    double got = N_VWrmsNorm(x, w), ns = N_VWrmsNorm_Serial(xs, ws);
    double nqn = nq ? N_VWrmsNorm_Serial(xq, wq) : 0.0;
    /* the states' norm, the same bits, when it is the larger; else the
     * integrals' (summed in another order: to rounding) */
    if (nqn <= ns)
      ck_assert_msg(memcmp(&got, &ns, sizeof got) == 0, "case %d: %.17g vs %.17g", cs, got, ns);
    else
      ck_assert_msg(fabs(got - nqn) <= 1e-14 * nqn, "case %d: %.17g vs %.17g", cs, got, nqn);
    states_won += nqn <= ns;
    N_VDestroy(x);
    N_VDestroy(w);
    N_VDestroy(xs);
    N_VDestroy(ws);
    N_VDestroy(xq);
    N_VDestroy(wq);
  }
  ck_assert(states_won > 100 && states_won < 4900); /* both parts decided cases */
  SUNContext_Free(&sun);
}
END_TEST

Suite *suite_aug(void)
{
  Suite *s = suite_create("aug");
  TCase *tc = tcase_create("aug");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, carried_integrals_pk_random);
  tcase_add_test(tc, carried_integrals_models);
  tcase_add_test(tc, carried_integrals_fallback);
  tcase_add_test(tc, split_norm_same_bits);
  suite_add_tcase(s, tc);
  return s;
}
