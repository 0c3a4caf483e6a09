/* Generic checks over every registered model: the declared tables are
 * consistent, the default parameter set loads, and the analytic Jacobian
 * agrees with central differences of the RHS at random positive states, in
 * every phase and dose index. */
#include "tests.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ims_params_t *default_params(const ims_model_t *m)
{
  char rel[512];
  snprintf(rel, sizeof rel, "params/%s/%s.csv", m->name, m->default_set);
  return t_params(m, rel, NULL);
}

START_TEST(tables_consistent)
{
  int n;
  const ims_model_t *const *ms = ims_model_list(&n);
  ck_assert_int_ge(n, 1);
  for (int i = 0; i < n; i++) {
    const ims_model_t *m = ms[i];
    ck_assert_msg(m->rhs && m->name && m->citation && m->time_unit && m->default_set, "%s",
                  m->name);
    ck_assert_msg(m->noutputs == 0 || m->output, "%s: outputs without an output function", m->name);
    ck_assert_ptr_eq(ims_model_find(m->name), m);
    for (int k = 0; k < m->nparams; k++)
      ck_assert_int_eq(ims_model_param_index(m, m->params[k].name), k);
    for (int k = 0; k < m->nstates; k++)
      ck_assert_int_eq(ims_model_state_index(m, m->states[k].name), k);
    /* every unit parses */
    ims_err_t err;
    double v = 1;
    for (int k = 0; k < m->nparams; k++)
      ck_assert_msg(
          ims_units_convert(t_units(), m->params[k].unit, m->params[k].unit, &v, &err) == 0 &&
              ims_units_factor(t_units(), m->params[k].unit, m->params[k].unit, &v, &v, &err) == 0,
          "%s.%s: %s", m->name, m->params[k].name, err.msg);
    ims_params_t *p = default_params(m);
    for (int k = 0; k < m->nparams; k++)
      ck_assert_msg(p->given[k] && p->source[k] && *p->source[k],
                    "%s: default set lacks a sourced row for %s", m->name, m->params[k].name);
    ims_params_free(p);
  }
}
END_TEST

static void check_jac_at(const ims_model_t *m, const ims_ctx_t *ctx, const double *y, double t)
{
  int n = m->nstates;
  double *J = calloc((size_t)(n * n), sizeof *J), *yp = malloc((size_t)n * sizeof *yp);
  double *fp = malloc((size_t)n * sizeof *fp), *fm = malloc((size_t)n * sizeof *fm);
  double *f0 = malloc((size_t)n * sizeof *f0);
  ck_assert_int_eq(m->jac(t, y, J, ctx), 0);
  ck_assert_int_eq(m->rhs(t, y, f0, ctx), 0);
  for (int j = 0; j < n; j++) {
    double h = 1e-6 * fmax(fabs(y[j]), 1e-3);
    memcpy(yp, y, (size_t)n * sizeof *yp);
    yp[j] = y[j] + h;
    m->rhs(t, yp, fp, ctx);
    yp[j] = y[j] - h;
    m->rhs(t, yp, fm, ctx);
    for (int i = 0; i < n; i++) {
      double fd = (fp[i] - fm[i]) / (2 * h);
      /* central differences carry O(h^2) truncation and eps*|f|/h rounding */
      double tol =
          1e-5 * (fabs(fd) + fabs(J[i * n + j])) + 1e-8 * (fabs(f0[i]) / fabs(y[j]) + 1e-12);
      ck_assert_msg(fabs(J[i * n + j] - fd) <= tol,
                    "%s phase %d: dF[%s]/d%s analytic %.10g, differences %.10g", m->name,
                    ctx->phase, m->states[i].name, m->states[j].name, J[i * n + j], fd);
    }
  }
  free(J);
  free(yp);
  free(fp);
  free(fm);
  free(f0);
}

START_TEST(jacobian_matches_differences)
{
  int nm;
  const ims_model_t *const *ms = ims_model_list(&nm);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20261123);
  for (int k = 0; k < nm; k++) {
    const ims_model_t *m = ms[k];
    if (!m->jac)
      continue;
    ims_params_t *p = default_params(m);
    int n = m->nstates;
    int *nd = calloc((size_t)n, sizeof *nd);
    double *y = malloc((size_t)n * sizeof *y), tb[64];
    int nphase = 1 + (m->breaks ? m->breaks(p->value, tb, 64) : 0);
    for (int phase = 0; phase < nphase; phase++)
      for (int dose = 1; dose <= 2; dose++)
        for (int rep = 0; rep < 6; rep++) {
          for (int i = 0; i < n; i++) {
            y[i] = pow(10, -2 + 6 * gsl_rng_uniform(r));
            nd[i] = dose;
          }
          ims_ctx_t ctx = {.p = p->value, .ndose = nd, .phase = phase};
          check_jac_at(m, &ctx, y, 1.0 + 10 * gsl_rng_uniform(r));
        }
    free(nd);
    free(y);
    ims_params_free(p);
  }
  gsl_rng_free(r);
}
END_TEST

Suite *suite_models(void)
{
  Suite *s = suite_create("all models");
  TCase *tc = tcase_create("generic");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, tables_consistent);
  tcase_add_test(tc, jacobian_matches_differences);
  suite_add_tcase(s, tc);
  return s;
}
