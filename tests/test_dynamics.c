/* Equilibria and their classification (include/immunosim/equilibria.h):
 * 2-D linear systems against trace/determinant closed forms (thousands of
 * fixed-seed random matrices), pk2cmt without dosing, the Kuznetsov
 * equilibria against the roots of a cubic and the published sizes, the
 * Kirschner-Panetta interior equilibrium at c = 0.04 against a scalar
 * reduction and the characteristic polynomial, and every built-in model at
 * its default set. */
#include "dynref.h"
#include "immunosim/equilibria.h"
#include "tests.h"

#include <gsl/gsl_poly.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fixed-seed uniform numbers in [-1, 1) (64-bit LCG, top bits). */
static double rnd(unsigned long long *s)
{
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

/* The type from trace and determinant (a 2x2 real matrix). */
static int closed_type(double tr, double det)
{
  double disc = tr * tr - 4 * det;
  if (det < 0)
    return IMS_EQ_SADDLE;
  if (tr == 0)
    return IMS_EQ_CENTRE;
  if (disc < 0)
    return tr < 0 ? IMS_EQ_STABLE_FOCUS : IMS_EQ_UNSTABLE_FOCUS;
  return tr < 0 ? IMS_EQ_STABLE_NODE : IMS_EQ_UNSTABLE_NODE;
}

/* 5000 random 2x2 matrices: eigenvalues (tr +- sqrt(tr^2 - 4 det))/2 to
 * 1e-12 of the matrix norm, and the type from trace and determinant.
 * Matrices within 1e-6 of a type boundary (det, tr or the discriminant
 * near 0) are skipped: there the type is decided by rounding. */
START_TEST(classify_random_2x2)
{
  unsigned long long seed = 20240614ULL;
  int checked = 0;
  for (int k = 0; k < 5000; k++) {
    double J[4], re[2], im[2];
    double scale = pow(10, 3 * rnd(&seed)); /* rates from 1e-3 to 1e3 */
    for (int i = 0; i < 4; i++)
      J[i] = scale * rnd(&seed);
    double tr = J[0] + J[3], det = J[0] * J[3] - J[1] * J[2], disc = tr * tr - 4 * det;
    double nrm = fabs(J[0]) + fabs(J[1]) + fabs(J[2]) + fabs(J[3]);
    if (fabs(det) < 1e-6 * nrm * nrm || fabs(tr) < 1e-6 * nrm || fabs(disc) < 1e-6 * nrm * nrm)
      continue;
    ims_err_t err;
    ck_assert_int_eq(ims_eigenvalues(2, J, re, im, &err), 0);
    double wr[2], wi[2];
    if (disc >= 0) {
      wr[0] = (tr + sqrt(disc)) / 2, wr[1] = (tr - sqrt(disc)) / 2, wi[0] = wi[1] = 0;
    } else {
      wr[0] = wr[1] = tr / 2, wi[0] = sqrt(-disc) / 2, wi[1] = -wi[0];
    }
    for (int i = 0; i < 2; i++)
      ck_assert_msg(fabs(re[i] - wr[i]) <= 1e-12 * nrm && fabs(im[i] - wi[i]) <= 1e-12 * nrm,
                    "case %d: %g%+gi vs %g%+gi", k, re[i], im[i], wr[i], wi[i]);
    int st, nu, type = ims_eq_classify(2, re, im, 1e-10, &st, &nu);
    ck_assert_msg(type == closed_type(tr, det), "case %d: %s, want %s", k, ims_eq_type_name(type),
                  ims_eq_type_name(closed_type(tr, det)));
    ck_assert_int_eq(st, tr < 0 && det > 0 ? IMS_STABLE : IMS_UNSTABLE);
    ck_assert_int_eq(nu, det < 0 ? 1 : tr > 0 ? 2 : 0);
    checked++;
  }
  ck_assert_int_gt(checked, 4000);
}
END_TEST

/* Exact boundary cases: a centre (tr = 0, det > 0), a zero eigenvalue, a
 * nilpotent matrix, the zero matrix. */
START_TEST(classify_degenerate)
{
  const double cases[][4] = {{0, 2, -1, 0}, {0, 0, 0, -1}, {0, 1, 0, 0}, {0, 0, 0, 0}};
  const int want[] = {IMS_EQ_CENTRE, IMS_EQ_NONHYPERBOLIC, IMS_EQ_NONHYPERBOLIC,
                      IMS_EQ_NONHYPERBOLIC};
  const int wst[] = {IMS_NEUTRAL, IMS_NEUTRAL, IMS_NEUTRAL, IMS_NEUTRAL};
  for (int k = 0; k < 4; k++) {
    double re[2], im[2];
    ims_err_t err;
    ck_assert_int_eq(ims_eigenvalues(2, cases[k], re, im, &err), 0);
    int st, nu;
    ck_assert_int_eq(ims_eq_classify(2, re, im, 1e-10, &st, &nu), want[k]);
    ck_assert_int_eq(st, wst[k]);
  }
  /* the centre's eigenvalues are +-i sqrt(2) */
  double re[2], im[2];
  ims_err_t err;
  ck_assert_int_eq(ims_eigenvalues(2, cases[0], re, im, &err), 0);
  ck_assert_double_le(fabs(im[0] - sqrt(2)), 1e-14);
  ck_assert_double_le(fabs(re[0]), 1e-14);
  /* a non-finite matrix is refused, not crashed on */
  double bad[4] = {NAN, 0, 0, 1};
  ck_assert_int_eq(ims_eigenvalues(2, bad, re, im, &err), IMS_EINPUT);
}
END_TEST

/* The search finds the one equilibrium x* = (0.3, 0.6) of each affine system
 * in [0, 1]^2 to 1e-12, with the closed-form type; a singular matrix (a
 * line of equilibria through x*) is reported as a continuum. */
START_TEST(linear_systems)
{
  const double A[][4] = {{-1, 0, 0, -2},    {1, 0.5, 0, 2},    {-0.1, 1, -1, -0.1},
                         {0.1, 1, -1, 0.1}, {1, 0.3, 0.2, -1}, {0, 2, -1, 0}};
  const int want[] = {IMS_EQ_STABLE_NODE,    IMS_EQ_UNSTABLE_NODE, IMS_EQ_STABLE_FOCUS,
                      IMS_EQ_UNSTABLE_FOCUS, IMS_EQ_SADDLE,        IMS_EQ_CENTRE};
  double lo[2] = {0, 0}, hi[2] = {1, 1};
  ims_eq_t *s;
  ims_err_t err;
  ck_assert_int_eq(ims_eq_alloc(&s, &dyn_lin2, &err), 0);
  for (int k = 0; k < 6; k++) {
    double p[8] = {A[k][0], A[k][1], A[k][2], A[k][3], 0.3, 0.6, 0.5, 0.5};
    ck_assert_int_eq(ims_eq_find(s, p, lo, hi, NULL, &err), 0);
    ck_assert_int_eq(ims_eq_count(s), 1);
    const ims_equilibrium_t *e = ims_eq_get(s, 0);
    ck_assert_double_le(fabs(e->x[0] - 0.3), 1e-12);
    ck_assert_double_le(fabs(e->x[1] - 0.6), 1e-12);
    ck_assert_msg(e->type == want[k], "case %d: %s", k, ims_eq_type_name(e->type));
    ck_assert_int_eq(e->isolated, 1);
  }
  double p[8] = {1, 2, 2, 4, 0.3, 0.6, 0.5, 0.5};
  ck_assert_int_eq(ims_eq_find(s, p, lo, hi, NULL, &err), 0);
  ck_assert_int_ge(ims_eq_count(s), 1);
  for (int k = 0; k < ims_eq_count(s); k++) {
    const ims_equilibrium_t *e = ims_eq_get(s, k);
    ck_assert_int_eq(e->isolated, 0);
    ck_assert_int_eq(e->type, IMS_EQ_NONHYPERBOLIC);
    /* on the line x + 2y = 0.3 + 1.2 */
    ck_assert_double_le(fabs(e->x[0] + 2 * e->x[1] - 1.5), 1e-10);
  }
  /* the box excludes x*: nothing, and no error */
  double lo2[2] = {0.5, 0.7}, hi2[2] = {1, 1}, p2[8] = {-1, 0, 0, -2, 0.3, 0.6, 0.5, 0.5};
  ck_assert_int_eq(ims_eq_find(s, p2, lo2, hi2, NULL, &err), 0);
  ck_assert_int_eq(ims_eq_count(s), 0);
  ims_eq_free(s);
}
END_TEST

/* pk2cmt without doses: the only equilibrium is A1 = A2 = 0, on both faces,
 * with eigenvalues -(k + sqrt(k^2 - 4 k10 k21))/2 and -(k - ...)/2, k =
 * k10 + k12 + k21, k10 = CL/V1 + Vmax/(Km V1) (the Michaelis-Menten slope at
 * 0).  With Q = 0, A2 is decoupled: a line of equilibria (A1 = 0). */
START_TEST(pk2cmt_no_dosing)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  const char *sets[][5] = {{"CL=0.2", "V1=3", "Q=0.5", "V2=4", "Vmax=0"},
                           {"CL=0.3", "V1=3.5", "Q=0.2", "V2=2.9", "Vmax=7.5"}};
  ims_eq_t *s;
  ims_err_t err;
  ck_assert_int_eq(ims_eq_alloc(&s, m, &err), 0);
  for (int k = 0; k < 2; k++) {
    ims_params_t *prm = t_params(m, NULL, sets[k][0], sets[k][1], sets[k][2], sets[k][3],
                                 sets[k][4], "Km=2.7", NULL);
    const double *p = prm->value;
    ck_assert_int_eq(ims_eq_find(s, p, NULL, NULL, NULL, &err), 0);
    ck_assert_int_eq(ims_eq_count(s), 1);
    const ims_equilibrium_t *e = ims_eq_get(s, 0);
    ck_assert(e->x[0] == 0 && e->x[1] == 0 && e->nboundary == 2 && e->isolated);
    double V1 = t_par(prm, "V1"),
           k10 = t_par(prm, "CL") / V1 + t_par(prm, "Vmax") / (t_par(prm, "Km") * V1);
    double k12 = t_par(prm, "Q") / V1, k21 = t_par(prm, "Q") / t_par(prm, "V2");
    double kk = k10 + k12 + k21, r = sqrt(kk * kk - 4 * k10 * k21);
    double want[2] = {-(kk - r) / 2, -(kk + r) / 2};
    for (int i = 0; i < 2; i++)
      ck_assert_msg(fabs(e->re[i] - want[i]) <= 1e-12 * kk && e->im[i] == 0, "%g vs %g", e->re[i],
                    want[i]);
    ck_assert_int_eq(e->type, IMS_EQ_STABLE_NODE);
    ims_params_free(prm);
  }
  ims_params_t *one = t_params(m, NULL, "CL=0.2", "V1=3", "Q=0", NULL);
  ck_assert_int_eq(ims_eq_find(s, one->value, NULL, NULL, NULL, &err), 0);
  ck_assert_int_eq(ims_eq_count(s), 1); /* one representative of the line */
  const ims_equilibrium_t *e = ims_eq_get(s, 0);
  ck_assert(e->x[0] == 0 && !e->isolated && e->type == IMS_EQ_NONHYPERBOLIC);
  ck_assert_double_le(fabs(e->re[1] + 0.2 / 3), 1e-14);
  ck_assert_double_le(fabs(e->re[0]), 1e-14);
  ims_params_free(one);
  ims_eq_free(s);
}
END_TEST

START_TEST(kuznetsov_equilibria)
{
  const ims_model_t *m = ims_model_find("kuznetsov1994");
  ims_params_t *prm = t_params(m, "params/kuznetsov1994/bcl1.csv", NULL);
  const double *p = prm->value;
  ims_eq_t *s;
  ims_err_t err;
  ck_assert_int_eq(ims_eq_alloc(&s, m, &err), 0);
  ck_assert_int_eq(ims_eq_find(s, p, NULL, NULL, NULL, &err), 0);
  double T[3];
  ck_assert_int_eq(kz_cubic(p, T), 3);
  ck_assert_int_eq(ims_eq_count(s), 4);
  /* the tumour-free equilibrium (s/d, 0): eigenvalues -d and a - n s/d */
  int free_k = -1;
  for (int k = 0; k < 4; k++)
    if (ims_eq_get(s, k)->x[1] == 0)
      free_k = k;
  ck_assert_int_ge(free_k, 0);
  const ims_equilibrium_t *e0 = ims_eq_get(s, free_k);
  ck_assert_double_le(fabs(e0->x[0] - p[KS] / p[KD]), 1e-12 * p[KS] / p[KD]);
  double lam = p[KA] - p[KN] * p[KS] / p[KD];
  ck_assert_double_le(fabs(e0->re[0] - lam), 1e-13);
  ck_assert_double_le(fabs(e0->re[1] + p[KD]), 1e-13);
  ck_assert_int_eq(e0->type, IMS_EQ_SADDLE);
  ck_assert_int_eq(e0->nboundary, 1);
  /* each root of the cubic is found to 1e-10 */
  int type_of[3] = {-1, -1, -1};
  for (int i = 0; i < 3; i++) {
    int hit = 0;
    for (int k = 0; k < 4; k++) {
      const ims_equilibrium_t *e = ims_eq_get(s, k);
      if (fabs(e->x[1] - T[i]) <= 1e-10 * T[i]) {
        hit++;
        ck_assert_double_le(fabs(e->x[0] - p[KA] * (1 - p[KB] * T[i]) / p[KN]), 1e-9 * e->x[0]);
        type_of[i] = e->type;
      }
    }
    ck_assert_msg(hit == 1, "root T = %.10g found %d times", T[i], hit);
  }
  /* published sizes (Kuznetsov et al. 1994, BCL1: "T about 8e6
   * and 4.5e8"): one significant digit for the dormant state (7.5e6 to
   * 8.5e6), two for the escape state (4.45e8 to 4.55e8) */
  ck_assert_msg(T[0] >= 7.5e6 && T[0] < 8.5e6, "dormant T = %g", T[0]);
  ck_assert_msg(T[2] >= 4.45e8 && T[2] < 4.55e8, "escape T = %g", T[2]);
  ck_assert_int_eq(type_of[0], IMS_EQ_STABLE_FOCUS);
  ck_assert_int_eq(type_of[1], IMS_EQ_SADDLE);
  ck_assert_int_eq(type_of[2], IMS_EQ_STABLE_NODE);
  /* the default box: 10 x max(T_0 + |f/J| there, g, 1/b) = 5e9 cells */
  ck_assert_double_eq_tol(ims_eq_hi(s)[1], 5e9, 1);
  ck_assert_double_eq(ims_eq_lo(s)[1], 0);
  /* a box without equilibria says so: zero, no error */
  double lo[2] = {0, 1e10}, hi[2] = {5e9, 2e10};
  ck_assert_int_eq(ims_eq_find(s, p, lo, hi, NULL, &err), 0);
  ck_assert_int_eq(ims_eq_count(s), 0);
  ims_eq_free(s);
  ims_params_free(prm);
}
END_TEST

/* c = 0.04 (s1 = s2 = 0): the origin (a saddle with eigenvalues r2, -mu2,
 * -mu3) and one interior equilibrium, a stable focus.  Measured here:
 * E* = 20802.29, T* = 15570.10, IL* = 9773.44, eigenvalues -0.0028155 +-
 * 0.068244i and -10.00006 /d.  The published values for c = 0.04 were not
 * found in the sources at hand (README 'Dynamics'), so the check is against
 * two independent computations: the root of the scalar reduction h(T)
 * (Brent) to 1e-10, and the roots of the characteristic polynomial (companion
 * matrix) to 1e-9 of the spectral radius. */
START_TEST(kp_c004)
{
  const ims_model_t *m = ims_model_find("kirschner_panetta1998");
  ims_params_t *prm = t_params(m, "params/kirschner_panetta1998/default.csv", "c=0.04", NULL);
  const double *p = prm->value;
  ims_eq_t *s;
  ims_err_t err;
  ck_assert_int_eq(ims_eq_alloc(&s, m, &err), 0);
  ck_assert_int_eq(ims_eq_find(s, p, NULL, NULL, NULL, &err), 0);
  ck_assert_int_eq(ims_eq_count(s), 2);
  const ims_equilibrium_t *o = ims_eq_get(s, 0), *e = ims_eq_get(s, 1);
  ck_assert(o->x[0] == 0 && o->x[1] == 0 && o->x[2] == 0 && o->type == IMS_EQ_SADDLE);
  ck_assert_double_le(fabs(o->re[0] - p[R2]), 1e-14);
  ck_assert_double_le(fabs(o->re[1] + p[MU2]), 1e-14);
  ck_assert_double_le(fabs(o->re[2] + p[MU3]), 1e-13);
  double y[3];
  ck_assert_int_eq(kp_interior(p, y), 1);
  for (int i = 0; i < 3; i++)
    ck_assert_msg(fabs(e->x[i] - y[i]) <= 1e-10 * y[i], "state %d: %.12g vs %.12g", i, e->x[i],
                  y[i]);
  ck_assert_int_eq(e->type, IMS_EQ_STABLE_FOCUS);
  double J[9], re[3], im[3];
  int nd[3] = {0};
  ims_ctx_t ctx = {.p = p, .ndose = nd, .model = m};
  ck_assert_int_eq(m->jac(0, e->x, J, &ctx), 0);
  charpoly3(J, re, im);
  for (int i = 0; i < 3; i++) {
    int hit = 0;
    for (int j = 0; j < 3; j++)
      hit += fabs(e->re[j] - re[i]) <= 1e-9 * 10 && fabs(e->im[j] - im[i]) <= 1e-9 * 10;
    ck_assert_msg(hit == 1, "eigenvalue %g%+gi", re[i], im[i]);
  }
  /* the values quoted in the README, to their printed digits */
  ck_assert_double_le(fabs(e->x[0] - 20802.29), 0.005);
  ck_assert_double_le(fabs(e->x[1] - 15570.10), 0.005);
  ck_assert_double_le(fabs(e->re[0] + 0.0028155), 5e-8);
  ck_assert_double_le(fabs(e->im[0] - 0.068244), 5e-7);
  ims_eq_free(s);
  ims_params_free(prm);
}
END_TEST

/* Every built-in model at its default set: the search ends within its
 * work bound (starts x solves x iterations x line-search steps, the bound
 * this test computes), every equilibrium is in the box and converged, and
 * the same search twice gives the same equilibria in the same order. */
START_TEST(all_models_default)
{
  int nm;
  const ims_model_t *const *ms = ims_model_list(&nm);
  for (int k = 0; k < nm; k++) {
    const ims_model_t *m = ms[k];
    char path[512];
    snprintf(path, sizeof path, "params/%s/%s.csv", m->name, m->default_set);
    ims_params_t *prm = t_params(m, path, NULL);
    ims_eq_t *s;
    ims_err_t err;
    ck_assert_int_eq(ims_eq_alloc(&s, m, &err), 0);
    ims_eq_opts_t o;
    ims_eq_opts_default(&o);
    o.nstarts = 60;
    ck_assert_msg(ims_eq_find(s, prm->value, NULL, NULL, &o, &err) == 0, "%s: %s", m->name,
                  err.msg);
    long nr, nj;
    ims_eq_work(s, &nr, &nj);
    /* per start: per_start (4) deflated solves of max_iter (80) iterations,
     * each at most 1 + 40 line-search evaluations and a 2n difference
     * Jacobian, plus polishing and checks (generous: x 2) */
    long bound = 2L * 60 * 4 * 80 * (41 + 2 * m->nstates + 2);
    ck_assert_msg(nr + nj <= bound, "%s: %ld evaluations", m->name, nr + nj);
    int n = ims_eq_count(s);
    const double *lo = ims_eq_lo(s), *hi = ims_eq_hi(s);
    double *x = malloc((size_t)(n + 1) * (size_t)m->nstates * sizeof *x);
    for (int i = 0; i < n; i++) {
      const ims_equilibrium_t *e = ims_eq_get(s, i);
      for (int j = 0; j < m->nstates; j++) {
        ck_assert(e->x[j] >= lo[j] && e->x[j] <= hi[j]);
        x[i * m->nstates + j] = e->x[j];
      }
      ck_assert_msg(e->rcorr <= 1e-11, "%s eq %d: correction %g", m->name, i, e->rcorr);
    }
    ck_assert_int_eq(ims_eq_find(s, prm->value, NULL, NULL, &o, &err), 0);
    ck_assert_int_eq(ims_eq_count(s), n);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < m->nstates; j++)
        ck_assert(ims_eq_get(s, i)->x[j] == x[i * m->nstates + j]);
    free(x);
    ims_eq_free(s);
    ims_params_free(prm);
  }
}
END_TEST

/* de Pillis 2006: C is made at alpha and lost at beta, so the default box
 * reaches 10 alpha/beta (6.25e11 for patient 9), where the equilibria
 * (C = alpha/beta = 6.25e10) live. */
START_TEST(default_box_axis_step)
{
  const ims_model_t *m = ims_model_find("depillis2006");
  ims_params_t *prm = t_params(m, "params/depillis2006/patient9.csv", NULL);
  double lo[6], hi[6];
  ims_eq_box_default(m, prm->value, lo, hi);
  int c = ims_model_state_index(m, "C");
  double ab = t_par(prm, "alpha") / t_par(prm, "beta");
  ck_assert_double_ge(hi[c], 10 * ab * (1 - 1e-12));
  ims_eq_t *s;
  ims_err_t err;
  ck_assert_int_eq(ims_eq_alloc(&s, m, &err), 0);
  ck_assert_int_eq(ims_eq_find(s, prm->value, NULL, NULL, NULL, &err), 0);
  ck_assert_int_ge(ims_eq_count(s), 1);
  for (int k = 0; k < ims_eq_count(s); k++)
    ck_assert_double_le(fabs(ims_eq_get(s, k)->x[c] - ab), 1e-9 * ab);
  ims_eq_free(s);
  ims_params_free(prm);
}
END_TEST

/* Without an analytic Jacobian (central differences): the same
 * Kirschner-Panetta equilibria, eigenvalues to 1e-6 of the spectral
 * radius. */
START_TEST(difference_jacobian)
{
  const ims_model_t *m = ims_model_find("kirschner_panetta1998");
  ims_model_t nojac = *m;
  nojac.jac = NULL;
  ims_params_t *prm = t_params(m, "params/kirschner_panetta1998/default.csv", "c=0.04", NULL);
  ims_eq_t *a, *b;
  ims_err_t err;
  ck_assert_int_eq(ims_eq_alloc(&a, m, &err), 0);
  ck_assert_int_eq(ims_eq_alloc(&b, &nojac, &err), 0);
  ck_assert_int_eq(ims_eq_find(a, prm->value, NULL, NULL, NULL, &err), 0);
  ck_assert_int_eq(ims_eq_find(b, prm->value, NULL, NULL, NULL, &err), 0);
  ck_assert_int_eq(ims_eq_count(a), ims_eq_count(b));
  for (int k = 0; k < ims_eq_count(a); k++) {
    const ims_equilibrium_t *x = ims_eq_get(a, k), *y = ims_eq_get(b, k);
    ck_assert_int_eq(x->type, y->type);
    for (int i = 0; i < 3; i++) {
      ck_assert_double_le(fabs(x->x[i] - y->x[i]), 1e-10 * fmax(fabs(x->x[i]), 1));
      ck_assert_double_le(fabs(x->re[i] - y->re[i]), 1e-6 * 10);
      ck_assert_double_le(fabs(x->im[i] - y->im[i]), 1e-6 * 10);
    }
  }
  ims_eq_free(a);
  ims_eq_free(b);
  ims_params_free(prm);
}
END_TEST

Suite *suite_dynamics(void)
{
  Suite *s = suite_create("dynamics");
  TCase *tc = tcase_create("equilibria");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, classify_random_2x2);
  tcase_add_test(tc, classify_degenerate);
  tcase_add_test(tc, linear_systems);
  tcase_add_test(tc, pk2cmt_no_dosing);
  tcase_add_test(tc, kuznetsov_equilibria);
  tcase_add_test(tc, kp_c004);
  tcase_add_test(tc, all_models_default);
  tcase_add_test(tc, default_box_axis_step);
  tcase_add_test(tc, difference_jacobian);
  suite_add_tcase(s, tc);
  return s;
}
