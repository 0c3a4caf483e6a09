/* wodarz2001 (Wodarz 2001; models/wodarz2001.md): the s = 0 coexistence equilibrium and its
 * eigenvalues, the CTL arm z after its introduction at t = 20, and the
 * uninfected tumour's logistic growth, each against closed forms. */
#include "../tests.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>

static const ims_model_t *wz(void)
{
  return ims_model_find("wodarz2001");
}

#define DEF "params/wodarz2001/default.csv"

static ims_schedule_t *ctl_t20(void)
{
  ims_schedule_t *s;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_schedule_alloc(&s, &err), 0);
  ck_assert_msg(ims_schedule_read(s, wz(), t_units(), t_path("params/schedules/wodarz_ctl_t20.csv"),
                                  &err) == 0,
                "%s", err.msg);
  return s;
}

/* (a) s = 0, z = 0: the y equation gives x* = a/beta, the x equation
 * r(1 - (x+y)/k) - d - beta*y = 0 gives y* = (r - d - r xs/k)/(r/k + beta), xs = x*
 * (closed form).  The (x, y) block of the Jacobian there is
 * [[-r xs/k, -(r/k + beta) xs], [beta ys, 0]] (xs = x*, ys = y*), so its eigenvalues are
 * tr/2 +- sqrt(tr^2/4 - det) with tr = -r xs/k < 0 and det > 0: a stable
 * focus.  The z eigenvalue is cv*y* - b, 0 for the curated pv = cv = b = 0
 * (neutral: z is inert).  With the defaults: x* = 0.2, y* = 0.74444,
 * eigenvalues -0.002941 +- 0.1985i and 0. */
START_TEST(coexistence_equilibrium)
{
  ims_params_t *p = t_params(wz(), DEF, NULL);
  double r = t_par(p, "r"), k = t_par(p, "k"), d = t_par(p, "d"), be = t_par(p, "beta"),
         a = t_par(p, "a");
  ck_assert(t_par(p, "s") == 0);
  double xs = a / be, ys = (r - d - r * xs / k) / (r / k + be);
  /* the focus contracts at rate r xs/(2k) = 0.00294/d: 12000 d leave exp(-35) */
  ims_opts_t o;
  t_tight(&o);
  double t[2] = {0, 12000};
  trace_t tr;
  t_run_ok(p, NULL, &o, t, 2, &tr);
  ck_assert_msg(t_relerr(TR(&tr, 1, 1), xs) < 1e-6, "x %.12g want %.12g", TR(&tr, 1, 1), xs);
  ck_assert_msg(t_relerr(TR(&tr, 1, 2), ys) < 1e-6, "y %.12g want %.12g", TR(&tr, 1, 2), ys);
  t_trace_free(&tr);

  double y[3] = {xs, ys, 0}, J[9];
  int nd[3] = {0};
  ims_ctx_t ctx = {.p = p->value, .ndose = nd, .phase = 0};
  ck_assert_int_eq(wz()->jac(0, y, J, &ctx), 0);
  gsl_matrix_view Jm = gsl_matrix_view_array(J, 3, 3);
  gsl_vector_complex *ev = gsl_vector_complex_alloc(3);
  gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(3);
  ck_assert_int_eq(gsl_eigen_nonsymm(&Jm.matrix, ev, w), 0);
  double tr_ = -r * xs / k, det = (r / k + be) * xs * be * ys;
  ck_assert(tr_ * tr_ / 4 < det); /* complex pair */
  double re = tr_ / 2, im = sqrt(det - tr_ * tr_ / 4), zev = t_par(p, "cv") * ys - t_par(p, "b");
  int got_pair = 0, got_z = 0;
  for (size_t i = 0; i < 3; i++) {
    gsl_complex l = gsl_vector_complex_get(ev, i);
    if (fabs(GSL_IMAG(l)) > 1e-12) {
      ck_assert_msg(fabs(GSL_REAL(l) - re) < 1e-12 && fabs(fabs(GSL_IMAG(l)) - im) < 1e-12,
                    "eigenvalue %g%+gi, want %g+-%gi", GSL_REAL(l), GSL_IMAG(l), re, im);
      ck_assert(GSL_REAL(l) < 0);
      got_pair++;
    } else {
      ck_assert_msg(fabs(GSL_REAL(l) - zev) < 1e-12, "z eigenvalue %g want %g", GSL_REAL(l), zev);
      got_z++;
    }
  }
  ck_assert_int_eq(got_pair, 2);
  ck_assert_int_eq(got_z, 1);
  gsl_eigen_nonsymm_free(w);
  gsl_vector_complex_free(ev);
  ims_params_free(p);
}
END_TEST

/* (b) z' = (cv*y - b) z, so after the bolus at t = 20
 * z(t) = z(20) exp(cv * int_20^t y - b (t - 20)) (closed form).  Curated
 * pv = cv = b = 0: z is 0 before and exactly 0.001 after (z' = 0 exactly),
 * and x, y are those of the run without z (to the solver's accuracy: the
 * restart at t = 20 changes the step sequence, not the solution).  x falls
 * to 5e-11 in its trough near t = 40, so atol must sit far below that. */
START_TEST(ctl_inert_with_curated_values)
{
  ims_params_t *p = t_params(wz(), DEF, NULL);
  ims_schedule_t *s = ctl_t20();
  ims_opts_t o;
  t_tight(&o);
  o.atol = 1e-20;
  size_t n;
  double *t = t_grid(0, 100, 0.5, &n);
  trace_t tr, tr0;
  t_run_ok(p, s, &o, t, n, &tr);
  t_run_ok(p, NULL, &o, t, n, &tr0);
  for (size_t i = 0; i < n; i++) {
    ck_assert(TR(&tr, i, 3) == (t[i] >= 20 ? 0.001 : 0));
    ck_assert(t_relerr(TR(&tr, i, 1), TR(&tr0, i, 1)) < 1e-7);
    ck_assert(t_relerr(TR(&tr, i, 2), TR(&tr0, i, 2)) < 1e-7);
  }
  t_trace_free(&tr);
  t_trace_free(&tr0);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* b > 0, cv = 0: z = 0.001 exp(-b (t - 20)) (closed form). */
START_TEST(ctl_decay_closed_form)
{
  ims_params_t *p = t_params(wz(), DEF, "b=0.05", "pv=2", NULL);
  ims_schedule_t *s = ctl_t20();
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 200, 0.5, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  for (size_t i = 0; i < n; i++) {
    double want = t[i] >= 20 ? 0.001 * exp(-0.05 * (t[i] - 20)) : 0;
    ck_assert_msg(t_relerr(TR(&tr, i, 3), want) <= 1e-6, "t=%g z %.12g want %.12g", t[i],
                  TR(&tr, i, 3), want);
  }
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* cv, pv, b > 0: the CTL act on y, and z still equals
 * z(20) exp(cv (Y(t) - Y(20)) - b (t - 20)) with Y = int y, from the CVODES
 * quadrature of y. */
START_TEST(ctl_expansion_closed_form)
{
  ims_params_t *p = t_params(wz(), DEF, "cv=1", "pv=1", "b=0.1", NULL);
  ims_schedule_t *s = ctl_t20();
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  size_t n;
  double *t = t_grid(0, 150, 0.5, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  size_t i20 = 40;
  ck_assert(t[i20] == 20);
  double Y20 = tr.q[i20 * (size_t)tr.nq + 1], zmax = 0;
  for (size_t i = i20; i < n; i++) {
    double Y = tr.q[i * (size_t)tr.nq + 1];
    double want = 0.001 * exp(1.0 * (Y - Y20) - 0.1 * (t[i] - 20));
    ck_assert_msg(t_relerr(TR(&tr, i, 3), want) <= 1e-6, "t=%g z %.12g want %.12g", t[i],
                  TR(&tr, i, 3), want);
    zmax = fmax(zmax, TR(&tr, i, 3));
  }
  ck_assert(zmax > 0.01); /* the CTL did expand: the check is not vacuous */
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

/* (c) y0 = 0: x' = (r - d) x (1 - x/K), K = k (1 - d/r), so
 * x(t) = K / (1 + (K/x0 - 1) exp(-(r - d) t)) (closed form). */
START_TEST(uninfected_logistic)
{
  ims_params_t *p = t_params(wz(), DEF, "y_0=0", NULL);
  double r = t_par(p, "r"), k = t_par(p, "k"), d = t_par(p, "d"), x0 = t_par(p, "x_0");
  double K = k * (1 - d / r), g = r - d;
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 80, 0.25, &n);
  trace_t tr;
  t_run_ok(p, NULL, &o, t, n, &tr);
  for (size_t i = 0; i < n; i++) {
    double want = K / (1 + (K / x0 - 1) * exp(-g * t[i]));
    ck_assert_msg(t_relerr(TR(&tr, i, 1), want) <= 1e-6, "t=%g x %.12g want %.12g", t[i],
                  TR(&tr, i, 1), want);
    ck_assert(TR(&tr, i, 2) == 0);
  }
  ck_assert(t_relerr(TR(&tr, n - 1, 1), 13.6) < 1e-6); /* 17 * (1 - 0.1/0.5) */
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

Suite *suite_wodarz2001(void)
{
  Suite *s = suite_create("wodarz2001");
  TCase *tc = tcase_create("model");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, coexistence_equilibrium);
  tcase_add_test(tc, ctl_inert_with_curated_values);
  tcase_add_test(tc, ctl_decay_closed_form);
  tcase_add_test(tc, ctl_expansion_closed_form);
  tcase_add_test(tc, uninfected_logistic);
  suite_add_tcase(s, tc);
  return s;
}
