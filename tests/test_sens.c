/* Forward sensitivities (CVODES) against exact derivatives of closed forms
 * and against central differences of whole trajectories. */
#include "tests.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXS 8
#define NT 41

typedef struct strace {
  int n, no, nq, ns;
  size_t nrow;
  double t[NT], y[NT][4], dy[NT][MAXS * 4], dout[NT][MAXS * 2], dq[NT][MAXS * 6];
  int have_dq;
} strace_t;

static int s_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)out, (void)q;
  strace_t *s = ud;
  ck_assert_uint_lt(s->nrow, NT);
  s->t[s->nrow] = t;
  memcpy(s->y[s->nrow], y, (size_t)s->n * sizeof *y);
  s->nrow++;
  return 0;
}

static int s_sens(void *ud, double t, const double *dy, const double *dout, const double *dq)
{
  strace_t *s = ud;
  size_t r = s->nrow - 1; /* row() came first */
  ck_assert_double_eq(t, s->t[r]);
  memcpy(s->dy[r], dy, (size_t)(s->ns * s->n) * sizeof *dy);
  memcpy(s->dout[r], dout, (size_t)(s->ns * s->no) * sizeof *dout);
  s->have_dq = dq != NULL;
  if (dq)
    memcpy(s->dq[r], dq, (size_t)(s->ns * s->nq) * sizeof *dq);
  return 0;
}

static void srun(const ims_model_t *m, const double *p, const ims_schedule_t *sch,
                 const ims_opts_t *o, strace_t *st)
{
  double tout[NT];
  for (int i = 0; i < NT; i++)
    tout[i] = 0.5 * i;
  memset(st, 0, sizeof *st);
  st->n = m->nstates;
  st->no = m->noutputs;
  st->nq = o->quad ? m->nstates + m->noutputs : 0;
  st->ns = o->nsens;
  ims_observer_t obs = {.row = s_row, .sens = s_sens, .ud = st};
  ims_sim_t *sim;
  ims_err_t err;
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  int rc = ims_sim_run(sim, p, sch, o, tout, NT, &obs, &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
  ck_assert_uint_eq(st->nrow, NT);
  ims_sim_free(sim);
}

static void near(double got, double want, double rel, double abs_, const char *what, double t)
{
  ck_assert_msg(fabs(got - want) <= rel * fabs(want) + abs_, "%s at t=%g: got %.12g want %.12g",
                what, t, got, want);
}

/* One compartment, bolus D: A1 = D e^{-kt}, k = CL/V, so dA1/dCL = -t/V A1,
 * dC1/dV1 = C1 (CL t/V^2 - 1/V), and AUC_C1(t) = D/CL (1 - e^{-kt}). */
START_TEST(onecmt_exact)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=0.2", "V1=3", NULL);
  ims_schedule_t *sch = t_sched(m, "time,cmt,amt\n0,A1,100\n");
  int idx[2] = {ims_model_param_index(m, "CL"), ims_model_param_index(m, "V1")};
  ims_opts_t o;
  t_tight(&o);
  o.quad = getenv("NOQ") ? 0 : 1;
  o.nsens = 2;
  o.sens = idx;
  strace_t st;
  srun(m, p->value, sch, &o, &st);
  const double D = 100, CL = 0.2, V = 3, k = CL / V;
  ck_assert(st.have_dq);
  for (int i = 1; i < NT; i++) {
    double t = st.t[i], A = D * exp(-k * t), C = A / V;
    near(st.dy[i][0 * 2 + 0], -t / V * A, 1e-6, 1e-12, "dA1/dCL", t);
    near(st.dy[i][1 * 2 + 0], A * CL * t / (V * V), 1e-6, 1e-12, "dA1/dV1", t);
    near(st.dout[i][0], -t / V * C, 1e-6, 1e-12, "dC1/dCL", t);
    /* a difference of two terms of size C/V: it crosses 0 at t = V/CL */
    near(st.dout[i][1], C * (CL * t / (V * V) - 1 / V), 1e-6, 1e-8 * C / V, "dC1/dV1", t);
    /* quadrature column 2 is C1 (after A1, A2) */
    double dauc = -D / (CL * CL) * (1 - exp(-k * t)) + D / CL * (t / V) * exp(-k * t);
    near(st.dq[i][0 * 3 + 2], dauc, 1e-5, 1e-10, "dAUC/dCL", t);
  }
  ims_schedule_free(sch);
  ims_params_free(p);
}
END_TEST

/* An initial-condition value: dA1/dA1_0 = e^{-kt} exactly. */
START_TEST(initial_condition)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=0.2", "V1=3", "A1_0=50", NULL);
  int idx[1] = {m->nparams + ims_model_state_index(m, "A1")};
  ims_opts_t o;
  t_tight(&o);
  o.nsens = 1;
  o.sens = idx;
  strace_t st;
  srun(m, p->value, NULL, &o, &st);
  for (int i = 0; i < NT; i++)
    near(st.dy[i][0], exp(-0.2 / 3 * st.t[i]), 1e-7, 1e-14, "dA1/dA1_0", st.t[i]);
  ims_params_free(p);
}
END_TEST

/* Nonlinear (Michaelis-Menten, two compartments, repeated infusions):
 * sensitivities against central differences of whole trajectories. */
START_TEST(nonlinear_vs_differences)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  const char *names[4] = {"Vmax", "Km", "Q", "V2"};
  ims_params_t *p = t_params(m, NULL, "CL=0.1", "V1=3", "Q=0.5", "V2=2.5", "Vmax=20", "Km=5", NULL);
  ims_schedule_t *sch =
      t_sched(m, "time,cmt,amt,dur,ii,addl\n0,A1,200,0.25,7,2\n3.3,A1,50,0,0,0\n");
  int idx[4];
  for (int j = 0; j < 4; j++)
    idx[j] = ims_model_param_index(m, names[j]);
  ims_opts_t o;
  t_tight(&o);
  o.nsens = 4;
  o.sens = idx;
  strace_t st, up, dn;
  srun(m, p->value, sch, &o, &st);
  o.nsens = 0;
  double *pv = malloc((size_t)ims_model_nvalues(m) * sizeof *pv);
  for (int j = 0; j < 4; j++) {
    memcpy(pv, p->value, (size_t)ims_model_nvalues(m) * sizeof *pv);
    double h = 1e-4 * pv[idx[j]];
    pv[idx[j]] += h;
    srun(m, pv, sch, &o, &up);
    pv[idx[j]] -= 2 * h;
    srun(m, pv, sch, &o, &dn);
    for (int i = 1; i < NT; i++)
      for (int c = 0; c < 2; c++) {
        double fd = (up.y[i][c] - dn.y[i][c]) / (2 * h);
        /* differences carry O(h^2) ~ 1e-8 relative and rtol/h ~ 1e-6 */
        near(st.dy[i][j * 2 + c], fd, 1e-4, 1e-6 * fabs(st.y[i][c]) / h, names[j], st.t[i]);
      }
  }
  free(pv);
  ims_schedule_free(sch);
  ims_params_free(p);
}
END_TEST

/* A state set to zero by an extinction rule has zero sensitivity after. */
START_TEST(extinction_zeroes_sensitivity)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=3", "V1=3", "A1_0=10", NULL);
  int idx[1] = {ims_model_param_index(m, "CL")};
  ims_trigger_t tr = {
      .name = "floor", .var = 0, .threshold = 1e-3, .dir = -1, .act = IMS_ACT_ZERO, .target = 0};
  ims_opts_t o;
  t_tight(&o);
  o.nsens = 1;
  o.sens = idx;
  o.triggers = &tr;
  o.ntriggers = 1;
  strace_t st;
  srun(m, p->value, NULL, &o, &st);
  /* A1 = 10 e^{-t} reaches 1e-3 at t = ln(1e4) = 9.21 */
  for (int i = 0; i < NT; i++) {
    if (st.t[i] > 0 && st.t[i] < 9.0)
      ck_assert(st.dy[i][0] < 0);
    if (st.t[i] > 9.5) {
      ck_assert_double_eq(st.y[i][0], 0.0);
      ck_assert_double_eq(st.dy[i][0], 0.0);
    }
  }
  ims_params_free(p);
}
END_TEST

/* The workspace is reused: sensitivities on, off, and on with another
 * count give bit-identical numbers to fresh workspaces. */
static void run3(ims_sim_t *sim, const double *p, const ims_opts_t *o, strace_t *st)
{
  double tout[3] = {0, 1, 10};
  ims_err_t err;
  memset(st, 0, sizeof *st);
  st->n = 2;
  st->no = 1;
  st->ns = o->nsens;
  ims_observer_t obs = {.row = s_row, .sens = s_sens, .ud = st};
  int rc = ims_sim_run(sim, p, NULL, o, tout, 3, &obs, &err);
  ck_assert_msg(rc == 0, "nsens %d: %s", o->nsens, err.msg);
  ck_assert_uint_eq(st->nrow, 3);
}

START_TEST(workspace_reuse)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=0.2", "V1=3", "Q=0.4", "V2=2", "A1_0=50", NULL);
  int idx[3] = {ims_model_param_index(m, "CL"), ims_model_param_index(m, "Q"),
                ims_model_param_index(m, "V2")};
  ims_sim_t *sim, *fresh;
  ims_err_t err;
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ims_opts_t o;
  t_tight(&o);
  o.sens = idx;
  for (int pass = 0; pass < 5; pass++) {
    o.nsens = (int[]){3, 0, 1, 3, 2}[pass];
    o.use_jac = pass != 4;
    strace_t a, b;
    run3(sim, p->value, &o, &a);
    ck_assert_int_eq(ims_sim_alloc(&fresh, m, &err), 0);
    run3(fresh, p->value, &o, &b);
    ims_sim_free(fresh);
    ck_assert_mem_eq(a.y, b.y, sizeof a.y);
    ck_assert_mem_eq(a.dy, b.dy, sizeof a.dy);
  }
  ims_sim_free(sim);
  ims_params_free(p);
}
END_TEST

Suite *suite_sens(void)
{
  Suite *s = suite_create("sensitivities");
  TCase *tc = tcase_create("sens");
  tcase_add_test(tc, onecmt_exact);
  tcase_add_test(tc, initial_condition);
  tcase_add_test(tc, nonlinear_vs_differences);
  tcase_add_test(tc, extinction_zeroes_sensitivity);
  tcase_add_test(tc, workspace_reuse);
  suite_add_tcase(s, tc);
  return s;
}
