/* Forward sensitivities across discontinuities whose time moves with the
 * parameters: model breakpoints (Stein's Tmax, Hanson's D_on/D_off) and
 * actions of state-triggered rules (bolus, set, scale, zero), against central
 * differences of whole trajectories. */
#include "tests.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct srec {
  int n, no, ns;
  size_t nrow, cap;
  double *t, *y, *dy, *out, *dout; /* per row: n, ns*n, no, ns*no */
} srec_t;

static int r_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)q;
  srec_t *r = ud;
  if (r->nrow == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 128;
    r->t = realloc(r->t, r->cap * sizeof *r->t);
    r->y = realloc(r->y, r->cap * (size_t)r->n * sizeof *r->y);
    r->out = realloc(r->out, r->cap * (size_t)(r->no + 1) * sizeof *r->out);
    r->dy = realloc(r->dy, r->cap * (size_t)(r->ns * r->n + 1) * sizeof *r->dy);
    r->dout = realloc(r->dout, r->cap * (size_t)(r->ns * r->no + 1) * sizeof *r->dout);
    ck_assert(r->t && r->y && r->out && r->dy && r->dout);
  }
  r->t[r->nrow] = t;
  memcpy(r->y + r->nrow * (size_t)r->n, y, (size_t)r->n * sizeof *y);
  memcpy(r->out + r->nrow * (size_t)r->no, out, (size_t)r->no * sizeof *out);
  r->nrow++;
  return 0;
}

static int r_sens(void *ud, double t, const double *dy, const double *dout, const double *dq)
{
  (void)t, (void)dq;
  srec_t *r = ud;
  size_t i = r->nrow - 1;
  memcpy(r->dy + i * (size_t)(r->ns * r->n), dy, (size_t)(r->ns * r->n) * sizeof *dy);
  memcpy(r->dout + i * (size_t)(r->ns * r->no), dout, (size_t)(r->ns * r->no) * sizeof *dout);
  return 0;
}

static void srec_free(srec_t *r)
{
  free(r->t);
  free(r->y);
  free(r->out);
  free(r->dy);
  free(r->dout);
  memset(r, 0, sizeof *r);
}

static void run(const ims_model_t *m, const double *p, const ims_schedule_t *s, ims_opts_t *o,
                const double *t, size_t nt, srec_t *r)
{
  memset(r, 0, sizeof *r);
  r->n = m->nstates;
  r->no = m->noutputs;
  r->ns = o->nsens;
  ims_observer_t obs = {.row = r_row, .sens = r_sens, .ud = r};
  ims_sim_t *sim;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  int rc = ims_sim_run(sim, p, s, o, t, nt, &obs, &err);
  ck_assert_msg(rc == 0 || rc == IMS_ESTOP, "%s", err.msg);
  ck_assert_uint_eq(r->nrow, nt);
  ims_sim_free(sim);
}

/* dy/dp for every parameter in names (rtol 1e-10) against central
 * differences (step 1e-4 relative, rtol 1e-12) at every output farther than `gap` from the kinks,
 * relative tolerance rel plus an absolute floor of 1e-6 of the column's
 * largest value.  Returns the largest relative error seen. */
static double check_fd(const ims_model_t *m, const ims_params_t *p, const ims_schedule_t *s,
                       const ims_trigger_t *tr, int ntr, const char *const *names, int ns,
                       const double *t, size_t nt, const double *kinks, int nk, double gap,
                       double rel)
{
  int idx[8];
  for (int j = 0; j < ns; j++)
    idx[j] = ims_model_param_index(m, names[j]);
  ims_opts_t o;
  t_tight(&o);
  o.triggers = tr;
  o.ntriggers = ntr;
  o.nsens = ns;
  o.sens = idx;
  srec_t sr, up, dn;
  run(m, p->value, s, &o, t, nt, &sr);
  /* the differences need a tighter solution than the sensitivities: their
   * error is the solution's divided by the step */
  o.nsens = 0;
  o.rtol = 1e-12;
  int nv = ims_model_nvalues(m), n = m->nstates, no = m->noutputs;
  double *pv = malloc((size_t)nv * sizeof *pv), worst = 0;
  for (int j = 0; j < ns; j++) {
    memcpy(pv, p->value, (size_t)nv * sizeof *pv);
    double h = 1e-4 * fabs(pv[idx[j]]);
    pv[idx[j]] += h;
    run(m, pv, s, &o, t, nt, &up);
    pv[idx[j]] -= 2 * h;
    run(m, pv, s, &o, t, nt, &dn);
    for (int c = 0; c < n + no; c++) {
      double big = 0;
      for (size_t i = 0; i < nt; i++)
        big = fmax(big, fabs(c < n ? sr.y[i * n + c] : sr.out[i * no + c - n]));
      for (size_t i = 0; i < nt; i++) {
        int near_kink = 0;
        for (int k = 0; k < nk; k++)
          near_kink |= fabs(t[i] - kinks[k]) <= gap;
        if (near_kink)
          continue;
        double yu = c < n ? up.y[i * n + c] : up.out[i * no + c - n];
        double yd = c < n ? dn.y[i * n + c] : dn.out[i * no + c - n];
        double fd = (yu - yd) / (2 * h);
        double got = c < n ? sr.dy[i * (size_t)(ns * n) + (size_t)(j * n + c)]
                           : sr.dout[i * (size_t)(ns * no) + (size_t)(j * no + c - n)];
        double err = fabs(got - fd), tol = rel * fabs(fd) + 1e-6 * big / fabs(pv[idx[j]] + h);
        const char *cn = c < n ? m->states[c].name : m->outputs[c - n].name;
        ck_assert_msg(err <= tol, "%s: d%s/d%s at t=%g: got %.10g, differences %.10g", m->name, cn,
                      names[j], t[i], got, fd);
        if (fabs(fd) > 1e-3 * big / fabs(pv[idx[j]]))
          worst = fmax(worst, err / fabs(fd));
      }
    }
    srec_free(&up);
    srec_free(&dn);
  }
  srec_free(&sr);
  free(pv);
  return worst;
}

/* Stein 2019: the contraction starts at Tmax, so every state's sensitivity
 * to Tmax jumps there by (f- - f+) dTmax/dTmax.  Without the jump dCAR/dTmax
 * after Tmax had the wrong sign (-929 against +139 at day 30). */
START_TEST(stein_tmax)
{
  const ims_model_t *m = ims_model_find("stein2019");
  ims_params_t *p = t_params(m, "params/stein2019/tisagenlecleucel.csv", NULL);
  const char *names[] = {"Tmax", "foldx", "alpha", "Cmax", "FB", "beta"};
  size_t nt;
  double *t = t_grid(0, 60, 0.7, &nt), tmax = t_par(p, "Tmax");
  check_fd(m, p, NULL, NULL, 0, names, 6, t, nt, &tmax, 1, 0.01, 1e-3);
  /* the value the issue quoted: dCAR/dTmax at day 30 is positive */
  double t30[] = {0, 30};
  int k = ims_model_param_index(m, "Tmax");
  ims_opts_t o;
  t_tight(&o);
  o.nsens = 1;
  o.sens = &k;
  srec_t r;
  run(m, p->value, NULL, &o, t30, 2, &r);
  ck_assert_msg(r.dout[1] > 100 && r.dout[1] < 200, "dCAR/dTmax(30) = %g", r.dout[1]);
  srec_free(&r);
  free(t);
  ims_params_free(p);
}
END_TEST

/* Hanson 2016: the drug runs from D_on to D_off, two breakpoints. */
START_TEST(hanson_drug_window)
{
  const ims_model_t *m = ims_model_find("hanson2016");
  ims_params_t *p =
      t_params(m, "params/hanson2016/default.csv", "D=2000", "D_on=3.3", "D_off=11.7", NULL);
  const char *names[] = {"D_on", "D_off", "D"};
  size_t nt;
  double *t = t_grid(0, 30, 0.5, &nt);
  double kinks[2] = {3.3, 11.7};
  check_fd(m, p, NULL, NULL, 0, names, 3, t, nt, kinks, 2, 0.01, 1e-3);
  free(t);
  ims_params_free(p);
}
END_TEST

/* pk2cmt with rules: a bolus given when C1 falls below 2 mg/L (its time
 * moves with CL and V1), a clearance set and one scaled by later
 * crossings, and the combination with a delay. */
START_TEST(rule_actions)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=1.5", "V1=4", "Q=0.8", "V2=6", NULL);
  ims_schedule_t *s = t_sched(m, "time,cmt,amt\n0,A1,40\n");
  ims_trigger_t tr[3] = {
      {.name = "redose",
       .var = 2,
       .threshold = 2,
       .dir = -1,
       .act = IMS_ACT_BOLUS,
       .target = 0,
       .value = 30,
       .delay = 0.25,
       .max_count = 2,
       .start = -INFINITY},
      {.name = "slow",
       .var = 2,
       .threshold = 1.2,
       .dir = -1,
       .act = IMS_ACT_SCALEPAR,
       .target = 0,
       .value = 0.5,
       .max_count = 1,
       .start = -INFINITY},
      {.name = "set",
       .var = 1,
       .threshold = 15,
       .dir = 1,
       .act = IMS_ACT_SETPAR,
       .target = 2,
       .value = 0.3,
       .max_count = 1,
       .start = -INFINITY},
  };
  const char *names[] = {"CL", "V1", "Q", "V2"};
  size_t nt;
  double *t = t_grid(0, 20, 0.25, &nt);
  /* the kinks move with the parameters: skip outputs within 0.02 d of an
   * event of the nominal run */
  trace_t tx;
  ims_opts_t o;
  t_tight(&o);
  o.triggers = tr;
  o.ntriggers = 3;
  ims_err_t err = {0};
  ck_assert_msg(t_run(m, p->value, s, &o, t, nt, &tx, &err) == 0, "%s", err.msg);
  double kinks[16];
  int nk = 0;
  for (int i = 0; i < tx.nev && nk < 16; i++)
    kinks[nk++] = tx.ev[i].t;
  ck_assert_int_ge(nk, 4);
  check_fd(m, p, s, tr, 3, names, 4, t, nt, kinks, nk, 0.02, 1e-3);
  t_trace_free(&tx);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* An extinction floor (zero action) moved by CL: the other states jump. */
START_TEST(zero_action)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=2", "V1=3", "Q=1", "V2=5", "A1_0=20", NULL);
  ims_trigger_t tr = {.name = "floor",
                      .var = 0,
                      .threshold = 0.5,
                      .dir = -1,
                      .act = IMS_ACT_ZERO,
                      .target = 0,
                      .start = -INFINITY};
  const char *names[] = {"CL", "Q"};
  size_t nt;
  double *t = t_grid(0, 12, 0.25, &nt);
  trace_t tx;
  ims_opts_t o;
  t_tight(&o);
  o.triggers = &tr;
  o.ntriggers = 1;
  ims_err_t err = {0};
  ck_assert_msg(t_run(m, p->value, NULL, &o, t, nt, &tx, &err) == 0, "%s", err.msg);
  ck_assert_int_ge(tx.nev, 1);
  double kink = tx.ev[0].t;
  check_fd(m, p, NULL, &tr, 1, names, 2, t, nt, &kink, 1, 0.02, 1e-3);
  t_trace_free(&tx);
  free(t);
  ims_params_free(p);
}
END_TEST

Suite *suite_sens_jump(void)
{
  Suite *s = suite_create("sens_jump");
  TCase *tc = tcase_create("jumps");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, stein_tmax);
  tcase_add_test(tc, hanson_drug_window);
  tcase_add_test(tc, rule_actions);
  tcase_add_test(tc, zero_action);
  suite_add_tcase(s, tc);
  return s;
}
