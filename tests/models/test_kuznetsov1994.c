/* kuznetsov1994 (Kuznetsov et al. 1994), BCL1 set: the equilibria as roots of one
 * scalar equation, their eigenvalues (stable dormant focus, saddle, stable
 * escape node), and a small and a large inoculum reaching the two
 * different attractors. */
#include "../tests.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>

#define SET "params/kuznetsov1994/bcl1.csv"

enum { E, T };
enum { S, P, G, M, D, A, B, N };

static const ims_model_t *kz(void)
{
  return ims_model_find("kuznetsov1994");
}

/* dT/dt = 0 with T > 0 gives E = a*(1 - b*T)/n; substituted into dE/dt = 0
 * this is h(T) = 0. */
static double h_of_T(double t, void *vp)
{
  const double *p = vp;
  double e = p[A] * (1 - p[B] * t) / p[N];
  return p[S] + p[P] * e * t / (p[G] + t) - p[M] * e * t - p[D] * e;
}

static int equilibria(const double *p, double roots[][2], int max)
{
  int n = 0, K = 4000;
  double lo = 1, hi = (1 - 1e-12) / p[B];
  gsl_function F = {h_of_T, (void *)p};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  double t0 = lo, h0 = h_of_T(lo, (void *)p);
  for (int i = 1; i <= K && n < max; i++) {
    double t1 = lo * pow(hi / lo, (double)i / K), h1 = h_of_T(t1, (void *)p);
    if (h0 * h1 < 0) {
      gsl_root_fsolver_set(s, &F, t0, t1);
      double x = t0;
      for (int it = 0; it < 200; it++) {
        gsl_root_fsolver_iterate(s);
        x = gsl_root_fsolver_root(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0,
                                   1e-15) == GSL_SUCCESS)
          break;
      }
      roots[n][T] = x;
      roots[n][E] = p[A] * (1 - p[B] * x) / p[N];
      n++;
    }
    t0 = t1;
    h0 = h1;
  }
  gsl_root_fsolver_free(s);
  return n;
}

/* Three tumour-bearing equilibria: a stable focus at T = 8.19e6 (dormancy:
 * complex eigenvalues, negative real part), a saddle at T = 2.68e8 and a
 * stable node at T = 4.47e8 (escape).  The RHS vanishes at each.  The
 * tumour-free state (s/d, 0) is a saddle (eigenvalues -d and a - n*s/d > 0),
 * so any inoculum grows at first. */
START_TEST(equilibria_and_stability)
{
  ims_params_t *prm = t_params(kz(), SET, NULL);
  const double *p = prm->value;
  double r[4][2], re[2], im[2];
  ck_assert_int_eq(equilibria(p, r, 4), 3);
  int nd[2] = {0};
  ims_ctx_t ctx = {.p = p, .ndose = nd, .phase = 0};
  for (int k = 0; k < 3; k++) {
    double f[2];
    ck_assert_int_eq(kz()->rhs(0, r[k], f, &ctx), 0);
    ck_assert_msg(fabs(f[E]) <= 1e-9 * p[S] && fabs(f[T]) <= 1e-9 * p[A] * r[k][T],
                  "root %d: residuals %g %g", k, f[E], f[T]);
  }
  /* ordering and sizes (Kuznetsov 1994: dormant at a few million cells) */
  ck_assert(r[0][T] > 1e6 && r[0][T] < 1e7);
  ck_assert(r[1][T] > r[0][T] && r[2][T] > r[1][T] && r[2][T] < 1 / p[B]);
  /* dormant focus */
  t_jac_eig(kz(), p, r[0], re, im);
  ck_assert(im[0] != 0 && im[1] != 0 && re[0] < 0 && re[1] < 0);
  /* saddle */
  t_jac_eig(kz(), p, r[1], re, im);
  ck_assert(im[0] == 0 && im[1] == 0 && re[0] * re[1] < 0);
  /* escape node */
  t_jac_eig(kz(), p, r[2], re, im);
  ck_assert(im[0] == 0 && im[1] == 0 && re[0] < 0 && re[1] < 0);
  /* tumour-free saddle: closed-form eigenvalues */
  double y0[2] = {p[S] / p[D], 0};
  t_jac_eig(kz(), p, y0, re, im);
  double want[2] = {-p[D], p[A] - p[N] * p[S] / p[D]};
  ck_assert_double_gt(want[1], 0);
  for (int j = 0; j < 2; j++)
    ck_assert(fabs(re[0] - want[j]) <= 1e-12 || fabs(re[1] - want[j]) <= 1e-12);
  ims_params_free(prm);
}
END_TEST

/* Small inoculum (T_0 = 5e6, the BioModels initial state) ends at the
 * dormant focus; large inoculum (T_0 = 1e8) at the escape node.  E_0 = 3.2e5
 * in both.  The focus decays at Re = -0.0055 /d: by 4000 d the transient is
 * e^-22 of its size; the node's slow rate is -0.050 /d. */
START_TEST(inoculum_decides)
{
  ims_params_t *pd = t_params(kz(), SET, NULL);
  ims_params_t *pe = t_params(kz(), SET, "T_0=1e8", NULL);
  double r[4][2];
  ck_assert_int_eq(equilibria(pd->value, r, 4), 3);
  double tout[] = {0, 1000, 4000};
  ims_opts_t o;
  t_tight(&o);
  o.max_steps = 200000;
  trace_t a, b;
  ims_err_t err = {0};
  ck_assert_msg(t_run(kz(), pd->value, NULL, &o, tout, 3, &a, &err) == 0, "%s", err.msg);
  ck_assert_msg(t_run(kz(), pe->value, NULL, &o, tout, 3, &b, &err) == 0, "%s", err.msg);
  for (int j = 0; j < 2; j++) {
    ck_assert_msg(t_relerr(TR(&a, 2, 1 + j), r[0][j]) <= 1e-6, "dormant %d: %.10g vs %.10g", j,
                  TR(&a, 2, 1 + j), r[0][j]);
    ck_assert_msg(t_relerr(TR(&b, 2, 1 + j), r[2][j]) <= 1e-6, "escape %d: %.10g vs %.10g", j,
                  TR(&b, 2, 1 + j), r[2][j]);
  }
  t_trace_free(&a);
  t_trace_free(&b);
  ims_params_free(pd);
  ims_params_free(pe);
}
END_TEST

Suite *suite_kuznetsov1994(void)
{
  Suite *s = suite_create("kuznetsov1994");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, equilibria_and_stability);
  tcase_add_test(tc, inoculum_decides);
  suite_add_tcase(s, tc);
  return s;
}
