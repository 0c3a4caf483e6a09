/* A solver failure names the model, the time and the state: 60 random
 * blow-ups (one state of three reaches infinity at t* = 1/y(0), the others
 * are quiet) fail at t*, naming that state; and wodarz2001 at the default
 * tolerances, whose uninfected cells x the tolerances let go negative and
 * then blow up (it said "worst state ? = nan"), names x. */
#include "tests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NS = 3 };

static const ims_var_t states[NS] = {
    {"a", "mg", "state a"}, {"b", "mg", "state b"}, {"c", "mg", "state c"}};
static const ims_par_t params[] = {{"k", "1", "which state blows up (0, 1, 2)", 0, 0}};

/* state k: y' = y^2 (per mg per day); the others: y' = -0.1 y */
static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  int k = (int)ctx->p[0];
  for (int i = 0; i < NS; i++)
    dy[i] = i == k ? y[i] * y[i] : -0.1 * y[i];
  return 0;
}

static const ims_model_t blowup = {
    .name = "blowup",
    .title = "one of three states blows up",
    .time_unit = "d",
    .states = states,
    .nstates = NS,
    .params = params,
    .nparams = 1,
    .rhs = rhs,
};

static double unif(unsigned long long *st, double a, double b)
{
  *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
  return a + (b - a) * (double)(*st >> 11) * 0x1.0p-53;
}

/* The time in "solver failed at t = T" of a message. */
static double failed_at(const char *msg)
{
  const char *at = strstr(msg, "failed at t = ");
  return at ? atof(at + 14) : NAN;
}

START_TEST(blowups)
{
  ims_sim_t *sim;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sim_alloc(&sim, &blowup, &err), 0);
  unsigned long long st = 11;
  for (int it = 0; it < 60; it++) {
    int k = it % NS;
    double p[1 + NS], tstar;
    p[0] = k;
    for (int i = 0; i < NS; i++)
      p[1 + i] = unif(&st, 0.5, 5);
    tstar = 1 / p[1 + k];
    ims_opts_t o;
    ims_opts_default(&o);
    if (it % 2)
      t_tight(&o);
    double tg[2] = {0, 2 * tstar};
    ims_observer_t obs = {0};
    int rc = ims_sim_run(sim, p, NULL, &o, tg, 2, &obs, &err);
    char want[64];
    snprintf(want, sizeof want, "worst state %s = ", states[k].name);
    double tf = failed_at(err.msg);
    ck_assert_msg(rc == IMS_ESOLVER && strstr(err.msg, "model blowup: solver failed at t = ") &&
                      strstr(err.msg, want) && !strchr(err.msg, '\n'),
                  "case %d (state %s, t* = %g): rc %d, %s", it, states[k].name, tstar, rc, err.msg);
    /* CVODE gives up within a few steps of t*, where y is huge */
    ck_assert_msg(tf > 0.9 * tstar && tf <= tstar * (1 + 1e-9), "case %d: failed at %g, t* = %g",
                  it, tf, tstar);
  }
  ims_sim_free(sim);
}
END_TEST

START_TEST(wodarz_default)
{
  const ims_model_t *m = ims_model_find("wodarz2001");
  ck_assert_ptr_nonnull(m);
  ims_params_t *p = t_params(m, "params/wodarz2001/default.csv", NULL);
  ims_opts_t o;
  ims_opts_default(&o);
  size_t nt;
  double *tg = t_grid(0, 200, 1, &nt);
  trace_t tr;
  ims_err_t err = {0};
  int rc = t_run(m, p->value, NULL, &o, tg, nt, &tr, &err);
  t_trace_free(&tr);
  ck_assert_msg(rc == IMS_ESOLVER && strstr(err.msg, "model wodarz2001: solver failed at t = ") &&
                    strstr(err.msg, ": x = ") && !strstr(err.msg, "?") && !strstr(err.msg, "nan"),
                "%s", err.msg);
  free(tg);
  ims_params_free(p);
}
END_TEST

Suite *suite_failure(void)
{
  Suite *s = suite_create("failure");
  TCase *tc = tcase_create("failure");
  tcase_set_timeout(tc, 120); /* a blow-up takes CVODE up to 30,000 steps */
  tcase_add_test(tc, blowups);
  tcase_add_test(tc, wodarz_default);
  suite_add_tcase(s, tc);
  return s;
}
