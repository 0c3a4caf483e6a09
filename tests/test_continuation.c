/* Continuation, orbit diagram and phase plane (continuation.h, orbits.h,
 * phase.h): branches against brute force (20 points per branch solve f = 0
 * to 1e-10 of the largest term, stability from independently computed
 * eigenvalues), every fold and Hopf point bracketed by a sign change found
 * independently (roots of a cubic, a scalar reduction and the
 * characteristic polynomial), the transcritical point of Kirschner-Panetta
 * at s1 = r2 g2 mu2 / a = 540, the limit-cycle period at c = 0.02, and
 * nullclines that solve their equation. */
#include "dynref.h"
#include "immunosim/continuation.h"
#include "immunosim/orbits.h"
#include "immunosim/phase.h"
#include "tests.h"

#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *kz(void)
{
  return ims_model_find("kuznetsov1994");
}

static const ims_model_t *kp(void)
{
  return ims_model_find("kirschner_panetta1998");
}

/* Eigenvalues of the analytic Jacobian by closed form (2-D) or the
 * characteristic polynomial (3-D); the largest real part and the spectral
 * radius. */
static void ref_eig(const ims_model_t *m, const double *p, const double *x, double *maxre,
                    double *rho)
{
  double J[9], re[3], im[3];
  int nd[3] = {0};
  ims_ctx_t ctx = {.p = p, .ndose = nd, .model = m};
  ck_assert_int_eq(m->jac(0, x, J, &ctx), 0);
  if (m->nstates == 2) {
    double tr = J[0] + J[3], det = J[0] * J[3] - J[1] * J[2], disc = tr * tr - 4 * det;
    re[0] = disc >= 0 ? (tr + sqrt(disc)) / 2 : tr / 2;
    re[1] = disc >= 0 ? (tr - sqrt(disc)) / 2 : tr / 2;
    im[0] = disc >= 0 ? 0 : sqrt(-disc) / 2, im[1] = -im[0];
  } else
    charpoly3(J, re, im);
  *maxre = -INFINITY, *rho = 0;
  for (int i = 0; i < m->nstates; i++)
    *maxre = fmax(*maxre, re[i]), *rho = fmax(*rho, hypot(re[i], im[i]));
}

/* 20 points spread along each branch: f = 0 to 1e-10 of the largest term,
 * and the reported stability is that of the reference eigenvalues (points
 * within 1e-7 of neutral are not judged). */
static void brute_force(const ims_cont_t *c, const ims_model_t *m, double *p, int par)
{
  int np = ims_cont_npoints(c), nb = ims_cont_nbranches(c);
  for (int b = 0; b < nb; b++) {
    int first = -1, count = 0;
    for (int k = 0; k < np; k++) {
      ims_cont_point_t pt;
      ims_cont_get(c, k, &pt);
      if (pt.branch == b) {
        first = first < 0 ? k : first;
        count++;
      }
    }
    ck_assert_int_ge(count, 20);
    for (int q = 0; q < 20; q++) {
      ims_cont_point_t pt;
      ims_cont_get(c, first + q * (count - 1) / 19, &pt);
      ck_assert_int_eq(pt.branch, b);
      p[par] = pt.par;
      double r[3];
      (m->nstates == 2 ? kz_resid : kp_resid)(p, pt.x, r);
      for (int i = 0; i < m->nstates; i++)
        ck_assert_msg(r[i] <= 1e-10, "branch %d at %g: residual %d = %g", b, pt.par, i, r[i]);
      double mre, rho;
      ref_eig(m, p, pt.x, &mre, &rho);
      if (fabs(mre) > 1e-7 * rho)
        ck_assert_msg(pt.stability == (mre < 0 ? IMS_STABLE : IMS_UNSTABLE),
                      "branch %d at %g: %s, max Re %g", b, pt.par, ims_stability_name(pt.stability),
                      mre);
    }
  }
}

/* Kuznetsov in the effector death rate d (0.01 to 0.1): the tumour-free
 * branch and one S-shaped branch with two folds, where the count of
 * tumour-bearing equilibria (roots of the cubic) changes between 1 and 3:
 * bistability (dormant focus and escape node) between the folds, around
 * the BCL1 value d = 0.0412. */
START_TEST(kuznetsov_folds)
{
  ims_params_t *prm = t_params(kz(), "params/kuznetsov1994/bcl1.csv", NULL);
  double *p = prm->value;
  ims_cont_t *c;
  ims_err_t err;
  ck_assert_int_eq(ims_cont_alloc(&c, kz(), &err), 0);
  ck_assert_msg(ims_cont_run(c, p, KD, 0.01, 0.1, NULL, NULL, NULL, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(ims_cont_nbranches(c), 2);
  double folds[4];
  int nf = 0, nh = 0;
  for (int k = 0; k < ims_cont_npoints(c); k++) {
    ims_cont_point_t pt;
    ims_cont_get(c, k, &pt);
    if (pt.label == IMS_LAB_FOLD && nf < 4)
      folds[nf++] = pt.par;
    nh += pt.label == IMS_LAB_HOPF;
  }
  ck_assert_int_eq(nf, 2);
  ck_assert_int_eq(nh, 0);
  for (int i = 0; i < 2; i++) {
    double T[3], d = folds[i];
    p[KD] = d * (1 - 1e-6);
    int below = kz_cubic(p, T);
    p[KD] = d * (1 + 1e-6);
    int above = kz_cubic(p, T);
    ck_assert_msg(abs(below - above) == 2, "fold at d = %.10g: %d vs %d roots", d, below, above);
  }
  double lo = fmin(folds[0], folds[1]), hi = fmax(folds[0], folds[1]);
  ck_assert(lo < 0.0412 && hi > 0.0412);
  brute_force(c, kz(), p, KD);
  ims_cont_free(c);
  ims_params_free(prm);
}
END_TEST

/* Kirschner-Panetta in c (0.005 to 0.05, s1 = s2 = 0): one Hopf point on the
 * interior branch, where the complex pair of the independently computed
 * equilibrium crosses the imaginary axis: unstable below (the limit cycle
 * of tumour regrowth), stable above. */
START_TEST(kp_hopf)
{
  ims_params_t *prm = t_params(kp(), "params/kirschner_panetta1998/default.csv", NULL);
  double *p = prm->value;
  ims_cont_t *c;
  ims_err_t err;
  ck_assert_int_eq(ims_cont_alloc(&c, kp(), &err), 0);
  ck_assert_msg(ims_cont_run(c, p, C, 0.005, 0.05, NULL, NULL, NULL, &err) == 0, "%s", err.msg);
  int nh = 0;
  double ch = 0;
  for (int k = 0; k < ims_cont_npoints(c); k++) {
    ims_cont_point_t pt;
    ims_cont_get(c, k, &pt);
    if (pt.label == IMS_LAB_HOPF)
      nh++, ch = pt.par;
    ck_assert(pt.label != IMS_LAB_FOLD);
  }
  ck_assert_int_eq(nh, 1);
  ck_assert(ch > 0.02 && ch < 0.05);
  double sgn[2];
  for (int side = 0; side < 2; side++) {
    double y[3], J[9], re[3], im[3];
    p[C] = ch * (side ? 1 + 1e-6 : 1 - 1e-6);
    ck_assert_int_eq(kp_interior(p, y), 1);
    int nd[3] = {0};
    ims_ctx_t ctx = {.p = p, .ndose = nd, .model = kp()};
    kp()->jac(0, y, J, &ctx);
    charpoly3(J, re, im);
    sgn[side] = 0;
    for (int i = 0; i < 3; i++)
      if (im[i] > 0)
        sgn[side] = re[i];
  }
  ck_assert_msg(sgn[0] > 0 && sgn[1] < 0, "Re at c_H -+: %g %g", sgn[0], sgn[1]);
  brute_force(c, kp(), p, C);
  ims_cont_free(c);
  ims_params_free(prm);
}
END_TEST

/* Brent on a scalar function of one parameter in [a, b] (a sign change). */
static double brent(double (*f)(double, void *), void *ud, double a, double b)
{
  gsl_function F = {f, ud};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  ck_assert_msg(f(a, ud) * f(b, ud) < 0, "no sign change on [%g, %g]", a, b);
  gsl_root_fsolver_set(s, &F, a, b);
  for (int it = 0; it < 200; it++) {
    gsl_root_fsolver_iterate(s);
    if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0,
                               1e-15) == 0)
      break;
  }
  double r = gsl_root_fsolver_root(s);
  gsl_root_fsolver_free(s);
  return r;
}

/* Kuznetsov: the discriminant of the cubic in T as a function of d (a fold
 * is a double root). */
static double kz_disc(double d, void *ud)
{
  double *p = ud, c[4];
  p[KD] = d;
  kz_cubic_coef(p, c);
  double a = c[3], b = c[2], cc = c[1], e = c[0];
  return 18 * a * b * cc * e - 4 * b * b * b * e + b * b * cc * cc - 4 * a * cc * cc * cc -
         27 * a * a * e * e;
}

/* Kirschner-Panetta: the Routh-Hurwitz quantity a1 a2 - a3 of the
 * characteristic polynomial l^3 + a1 l^2 + a2 l + a3 at the interior
 * equilibrium (scalar reduction); it vanishes where a complex pair crosses
 * the imaginary axis. */
static double kp_rh(double c, void *ud)
{
  double *p = ud, y[3], J[9];
  p[C] = c;
  ck_assert_int_eq(kp_interior(p, y), 1);
  int nd[3] = {0};
  ims_ctx_t ctx = {.p = p, .ndose = nd, .model = kp()};
  kp()->jac(0, y, J, &ctx);
  double tr = J[0] + J[4] + J[8];
  double M = J[0] * J[4] - J[1] * J[3] + J[0] * J[8] - J[2] * J[6] + J[4] * J[8] - J[5] * J[7];
  double det = J[0] * (J[4] * J[8] - J[5] * J[7]) - J[1] * (J[3] * J[8] - J[5] * J[6]) +
               J[2] * (J[3] * J[7] - J[4] * J[6]);
  return -tr * M + det; /* a1 = -tr, a2 = M, a3 = -det */
}

/* The values the figures label, against closed-form conditions solved
 * independently (Brent to 1e-15): the Kuznetsov BCL1 folds in d are the
 * zeros of the cubic's discriminant, d = 0.0210578 and 0.0819314 (the
 * bistable range), and the Kirschner-Panetta Hopf point is the zero of
 * a1 a2 - a3, c = 0.0324644.  Continuation locates events by bisection in
 * arclength to 1e-13 of a step after a corrector to 1e-11 (scaled), so 1e-8
 * relative in the parameter is what it promises with margin. */
START_TEST(fold_hopf_values)
{
  ims_params_t *kzp = t_params(kz(), "params/kuznetsov1994/bcl1.csv", NULL);
  ims_params_t *kpp = t_params(kp(), "params/kirschner_panetta1998/default.csv", NULL);
  ims_cont_t *c;
  ims_err_t err;
  double got[3];
  int n = 0;
  ck_assert_int_eq(ims_cont_alloc(&c, kz(), &err), 0);
  ck_assert_int_eq(ims_cont_run(c, kzp->value, KD, 0.01, 0.1, NULL, NULL, NULL, &err), 0);
  for (int k = 0; k < ims_cont_npoints(c); k++) {
    ims_cont_point_t pt;
    ims_cont_get(c, k, &pt);
    if (pt.label == IMS_LAB_FOLD && n < 2)
      got[n++] = pt.par;
  }
  ims_cont_free(c);
  ck_assert_int_eq(n, 2);
  double lo = fmin(got[0], got[1]), hi = fmax(got[0], got[1]);
  double d1 = brent(kz_disc, kzp->value, 0.015, 0.03), d2 = brent(kz_disc, kzp->value, 0.06, 0.09);
  ck_assert_msg(fabs(lo / d1 - 1) < 1e-8 && fabs(hi / d2 - 1) < 1e-8,
                "folds %.12g %.12g vs %.12g %.12g", lo, hi, d1, d2);
  ck_assert(fabs(d1 - 0.0210578) < 5e-8 && fabs(d2 - 0.0819314) < 5e-8);
  ck_assert_int_eq(ims_cont_alloc(&c, kp(), &err), 0);
  ck_assert_int_eq(ims_cont_run(c, kpp->value, C, 0.02, 0.05, NULL, NULL, NULL, &err), 0);
  n = 0;
  for (int k = 0; k < ims_cont_npoints(c); k++) {
    ims_cont_point_t pt;
    ims_cont_get(c, k, &pt);
    if (pt.label == IMS_LAB_HOPF && n < 1)
      got[n++] = pt.par;
  }
  ims_cont_free(c);
  ck_assert_int_eq(n, 1);
  double ch = brent(kp_rh, kpp->value, 0.025, 0.04);
  ck_assert_msg(fabs(got[0] / ch - 1) < 1e-8, "Hopf %.12g vs %.12g", got[0], ch);
  ck_assert(fabs(ch - 0.0324644) < 5e-8);
  ims_params_free(kzp);
  ims_params_free(kpp);
}
END_TEST

/* Adoptive therapy s1 from 400 to 700 (c = 0.02): the tumour-free branch
 * (s1/mu2, 0, 0) has its eigenvalue r2 - a s1/(mu2 g2) through 0 at s1 =
 * 540 without turning (a branch point, closed form), where the interior
 * branch reaches T = 0 and leaves the box. */
START_TEST(kp_transcritical)
{
  ims_params_t *prm = t_params(kp(), "params/kirschner_panetta1998/default.csv", NULL);
  double *p = prm->value;
  double s1c = p[R2] * p[G2] * p[MU2] / p[A];
  ck_assert_double_eq_tol(s1c, 540, 1e-9);
  ims_cont_t *c;
  ims_err_t err;
  ck_assert_int_eq(ims_cont_alloc(&c, kp(), &err), 0);
  ck_assert_msg(ims_cont_run(c, p, S1, 400, 700, NULL, NULL, NULL, &err) == 0, "%s", err.msg);
  int nbp = 0, nbox = 0;
  for (int k = 0; k < ims_cont_npoints(c); k++) {
    ims_cont_point_t pt;
    ims_cont_get(c, k, &pt);
    if (pt.label == IMS_LAB_BP) {
      nbp++;
      ck_assert_msg(fabs(pt.par - s1c) <= 1e-9 * s1c, "bp at %.12g", pt.par);
      ck_assert(pt.x[1] == 0 && pt.x[2] == 0);
      ck_assert_double_le(fabs(pt.x[0] - s1c / p[MU2]), 1e-9 * s1c / p[MU2]);
    }
    if (pt.label == IMS_LAB_BOX) {
      nbox++;
      ck_assert_msg(fabs(pt.par - s1c) <= 1e-8 * s1c, "box exit at %.12g", pt.par);
    }
  }
  ck_assert_int_eq(nbp, 1);
  ck_assert_int_eq(nbox, 1);
  brute_force(c, kp(), p, S1);
  ims_cont_free(c);
  ims_params_free(prm);
}
END_TEST

/* The affine system f = A (x - x*) continued in xs from 0.2 to 0.8: one
 * branch, x = xs and y = ys at every point (to 1e-12), stable focus
 * throughout, both ends labelled; its nullclines are the straight lines
 * a(x - xs) + b(y - ys) = 0 and c(x - xs) + d(y - ys) = 0. */
START_TEST(affine_closed_form)
{
  double p[8] = {-0.1, 1, -1, -0.1, 0.2, 0.6, 0.5, 0.5}, lo[2] = {0, 0}, hi[2] = {1, 1};
  ims_cont_t *c;
  ims_err_t err;
  ck_assert_int_eq(ims_cont_alloc(&c, &dyn_lin2, &err), 0);
  ck_assert_msg(ims_cont_run(c, p, LXS, 0.2, 0.8, lo, hi, NULL, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(ims_cont_nbranches(c), 1);
  int np = ims_cont_npoints(c);
  ck_assert_int_ge(np, 10);
  for (int k = 0; k < np; k++) {
    ims_cont_point_t pt;
    ims_cont_get(c, k, &pt);
    ck_assert_double_le(fabs(pt.x[0] - pt.par), 1e-12);
    ck_assert_double_le(fabs(pt.x[1] - 0.6), 1e-12);
    ck_assert_int_eq(pt.type, IMS_EQ_STABLE_FOCUS);
    ck_assert_int_eq(pt.label, k == 0 ? IMS_LAB_START : k == np - 1 ? IMS_LAB_END : 0);
  }
  ims_cont_free(c);
  ims_plane_t pl = {.ix = 0, .iy = 1, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1, .nx = 11, .ny = 11};
  ims_nullclines_t *nc;
  ck_assert_int_eq(ims_plane_nullclines(&dyn_lin2, p, &pl, &nc, &err), 0);
  int seen[2] = {0, 0};
  for (size_t k = 0; k < nc->n; k++) {
    int w = nc->pt[k].which;
    double u = nc->pt[k].x - 0.2, v = nc->pt[k].y - 0.6;
    ck_assert_double_le(fabs(w ? p[LC] * u + p[LD] * v : p[LA] * u + p[LB] * v), 1e-12);
    seen[w]++;
  }
  ck_assert(seen[0] >= 2 && seen[1] >= 2);
  ims_nullclines_free(nc);
}
END_TEST

/* Closed forms: continuing mu from 1 down to -1 runs down one half of
 * x = +-sqrt(mu), turns at the fold mu = 0 and back up the other, with the Hopf point
 * mu = h on each half: labels hopf, fold, hopf in that order, at mu = h,
 * 0, h (1e-10) and |x| = sqrt(h), 0, sqrt(h) (1e-9, the signs alternating),
 * at every point x^2 = mu.  Large steps put several events into one step,
 * which must still come out in order. */
START_TEST(fold_hopf_closed_form)
{
  /* the second case: a Hopf point at mu = 1e-6 (x = 1e-3) inside the
   * scaling floor of x (1e-6 of a 4000-wide box) and steps up to 1 */
  const double steps[] = {0.05, 1}, hh[] = {0.01, 1e-6}, box[] = {2, 2000};
  for (int k = 0; k < 2; k++) {
    double p[5] = {1, hh[k], 0, 0, 0}, lo[3] = {-box[k], -1, -1}, hi[3] = {box[k], 1, 1};
    ims_cont_t *c;
    ims_err_t err;
    ims_cont_opts_t o;
    ims_cont_opts_default(&o);
    o.h0 = o.hmax = steps[k];
    ck_assert_int_eq(ims_cont_alloc(&c, &dyn_foldhopf, &err), 0);
    ck_assert_msg(ims_cont_run(c, p, 0, 1, -1, lo, hi, &o, &err) == 0, "%s", err.msg);
    int want[] = {IMS_LAB_HOPF, IMS_LAB_FOLD, IMS_LAB_HOPF}, nl = 0;
    double wpar[] = {hh[k], 0, hh[k]}, wx[] = {sqrt(hh[k]), 0, sqrt(hh[k])}, x0 = 0;
    for (int i = 0; i < ims_cont_npoints(c); i++) {
      ims_cont_point_t pt;
      ims_cont_get(c, i, &pt);
      ck_assert_double_le(fabs(pt.x[0] * pt.x[0] - pt.par), 1e-12);
      if (pt.label == IMS_LAB_HOPF || pt.label == IMS_LAB_FOLD) {
        ck_assert_int_lt(nl, 3);
        ck_assert_msg(pt.label == want[nl], "step %g: label %d is %s", steps[k], nl,
                      ims_cont_label_name(pt.label));
        if (nl == 0)
          x0 = pt.x[0];
        if (nl == 2)
          ck_assert(x0 * pt.x[0] < 0);
        ck_assert_msg(fabs(pt.par - wpar[nl]) <= 1e-10 && fabs(fabs(pt.x[0]) - wx[nl]) <= 1e-9,
                      "step %g: %s at mu = %.12g, x = %.12g", steps[k],
                      ims_cont_label_name(pt.label), pt.par, pt.x[0]);
        nl++;
      }
    }
    ck_assert_int_eq(nl, 3);
    ims_cont_free(c);
  }
}
END_TEST

/* Bad requests are refused with a message, not crashed on. */
START_TEST(cont_bad_input)
{
  ims_params_t *prm = t_params(kz(), "params/kuznetsov1994/bcl1.csv", NULL);
  ims_cont_t *c;
  ims_err_t err;
  ck_assert_int_eq(ims_cont_alloc(&c, kz(), &err), 0);
  ck_assert_int_eq(ims_cont_run(c, prm->value, KD, 0.1, 0.1, NULL, NULL, NULL, &err), IMS_EINPUT);
  ck_assert_int_eq(ims_cont_run(c, prm->value, 8, 0, 1, NULL, NULL, NULL, &err), IMS_EINPUT);
  ck_assert_int_eq(ims_cont_run(c, prm->value, KD, 0.01, NAN, NULL, NULL, NULL, &err), IMS_EINPUT);
  ims_cont_free(c);
  ims_params_free(prm);
}
END_TEST

/* Orbit diagram at c = 0.02 and 0.05.  c = 0.02: one max and one min row (a
 * period-1 cycle) with the period of about 242 d quoted for Kirschner and
 * Panetta 1998 (three digits, so 241.5 to 242.5), and equal, to 1e-3 d, to the
 * spacing of upward crossings of T = 1e5 located by root finding (an
 * independent measurement, as in the kirschner_panetta1998 suite).  c =
 * 0.05: settled on the stable focus T* (the scalar reduction), one row. */
START_TEST(kp_orbits)
{
  ims_params_t *prm = t_params(kp(), "params/kirschner_panetta1998/default.csv", NULL);
  ims_orbit_opts_t o;
  ims_orbit_opts_default(&o);
  o.col = 1;
  o.npar = 2;
  o.transient = 6000;
  o.window = 1500;
  ims_orbit_t *ob;
  ims_err_t err;
  ck_assert_msg(ims_orbit_diagram(kp(), prm->value, C, 0.02, 0.05, &o, &ob, &err) == 0, "%s",
                err.msg);
  int nmax = 0, nmin = 0, neq = 0;
  double period = NAN, peak = NAN, teq = NAN;
  for (size_t i = 0; i < ob->n; i++) {
    const ims_orbit_row_t *r = &ob->rows[i];
    if (r->par == 0.02) {
      nmax += r->kind == IMS_ORB_MAX;
      nmin += r->kind == IMS_ORB_MIN;
      if (r->kind == IMS_ORB_MAX)
        period = r->period, peak = r->value;
    } else {
      ck_assert_double_eq(r->par, 0.05);
      neq += r->kind == IMS_ORB_EQ;
      teq = r->value;
    }
  }
  ck_assert_int_eq(nmax, 1);
  ck_assert_int_eq(nmin, 1);
  ck_assert_int_eq(neq, 1);
  ck_assert_msg(fabs(period - 242) <= 0.5, "period %.6f", period);
  ck_assert(peak > 3.7e5 && peak < 3.8e5);
  /* independent: upward crossings of T = 1e5 */
  ims_trigger_t up = {.name = "up", .var = 1, .threshold = 1e5, .dir = 1, .act = IMS_ACT_NONE};
  ims_opts_t so;
  ims_opts_default(&so);
  so.rtol = 1e-8, so.atol = 1e-10, so.max_steps = 1000000;
  so.triggers = &up, so.ntriggers = 1;
  double tout[2] = {6000, 7500};
  trace_t tr;
  ck_assert_int_eq(t_run(kp(), prm->value, NULL, &so, tout, 2, &tr, &err), 0);
  double t0 = NAN, t1 = NAN;
  int n = 0;
  for (int i = 0; i < tr.nev; i++)
    if (tr.ev[i].t >= 6000) {
      t0 = n ? t0 : tr.ev[i].t;
      t1 = tr.ev[i].t;
      n++;
    }
  ck_assert_int_ge(n, 5);
  ck_assert_msg(fabs((t1 - t0) / (n - 1) - period) <= 1e-3, "crossings %.6f orbit %.6f",
                (t1 - t0) / (n - 1), period);
  t_trace_free(&tr);
  double y[3];
  prm->value[C] = 0.05;
  ck_assert_int_eq(kp_interior(prm->value, y), 1);
  ck_assert_msg(fabs(teq - y[1]) <= 1e-6 * y[1], "settled %.10g vs T* %.10g", teq, y[1]);
  ims_orbit_free(ob);
  ims_params_free(prm);
}
END_TEST

/* Kuznetsov phase plane on log axes: every nullcline point solves its own
 * equation to 1e-9 of the largest term, each tumour-bearing equilibrium in
 * the window lies on both nullclines (within a grid cell), and the field is
 * the right-hand side. */
START_TEST(kz_phase_plane)
{
  ims_params_t *prm = t_params(kz(), "params/kuznetsov1994/bcl1.csv", NULL);
  const double *p = prm->value;
  ims_plane_t pl = {.ix = 0,
                    .iy = 1,
                    .x0 = 1e4,
                    .x1 = 1e7,
                    .y0 = 1e5,
                    .y1 = 1e9,
                    .nx = 60,
                    .ny = 60,
                    .logx = 1,
                    .logy = 1};
  ims_nullclines_t *nc;
  ims_err_t err;
  ck_assert_int_eq(ims_plane_nullclines(kz(), p, &pl, &nc, &err), 0);
  ck_assert_int_gt((int)nc->n, 50);
  for (size_t k = 0; k < nc->n; k++) {
    double y[2] = {nc->pt[k].x, nc->pt[k].y}, r[2];
    kz_resid(p, y, r);
    ck_assert_msg(r[nc->pt[k].which] <= 1e-9, "point %zu (%g, %g): %g", k, y[0], y[1],
                  r[nc->pt[k].which]);
  }
  double T[3], cell = log(1e3) / 59; /* a grid cell in log(E) */
  ck_assert_int_eq(kz_cubic(p, T), 3);
  for (int i = 0; i < 3; i++) {
    double E = p[KA] * (1 - p[KB] * T[i]) / p[KN], best[2] = {INFINITY, INFINITY};
    for (size_t k = 0; k < nc->n; k++) {
      int w = nc->pt[k].which;
      double d = hypot(log(nc->pt[k].x / E), log(nc->pt[k].y / T[i]));
      best[w] = fmin(best[w], d);
    }
    ck_assert_msg(best[0] <= 2 * cell && best[1] <= 2 * cell, "equilibrium %d: %g %g", i, best[0],
                  best[1]);
  }
  ims_nullclines_free(nc);
  double x[60], yy[60], fx[3600], fy[3600];
  ck_assert_int_eq(ims_plane_field(kz(), p, &pl, x, yy, fx, fy, &err), 0);
  int nd[2] = {0};
  ims_ctx_t ctx = {.p = p, .ndose = nd, .model = kz()};
  for (int j = 0; j < 60; j += 7)
    for (int i = 0; i < 60; i += 5) {
      double y[2] = {x[i], yy[j]}, f[2];
      kz()->rhs(0, y, f, &ctx);
      ck_assert(f[0] == fx[j * 60 + i] && f[1] == fy[j * 60 + i]);
    }
  ims_params_free(prm);
}
END_TEST

/* Kirschner-Panetta E-T plane with IL-2 slaved: IL = p2 E T/((g3 + T) mu3)
 * in closed form, so every nullcline point solves the two-state equation
 * with that IL; the interior equilibrium at c = 0.04 lies on both. */
START_TEST(kp_slaved_plane)
{
  ims_params_t *prm = t_params(kp(), "params/kirschner_panetta1998/default.csv", "c=0.04", NULL);
  const double *p = prm->value;
  ims_plane_t pl = {.ix = 0,
                    .iy = 1,
                    .x0 = 1e3,
                    .x1 = 1e6,
                    .y0 = 1e2,
                    .y1 = 1e8,
                    .nx = 40,
                    .ny = 40,
                    .logx = 1,
                    .logy = 1,
                    .slaved = 1};
  ims_nullclines_t *nc;
  ims_err_t err;
  ck_assert_int_eq(ims_plane_nullclines(kp(), p, &pl, &nc, &err), 0);
  ck_assert_int_gt((int)nc->n, 20);
  double eq[3], cell = log(1e3) / 39;
  ck_assert_int_eq(kp_interior(p, eq), 1);
  double best[2] = {INFINITY, INFINITY};
  for (size_t k = 0; k < nc->n; k++) {
    double E = nc->pt[k].x, T = nc->pt[k].y;
    double y[3] = {E, T, p[P2] * E * T / ((p[G3] + T) * p[MU3])}, r[3];
    kp_resid(p, y, r);
    int w = nc->pt[k].which;
    ck_assert_msg(r[w] <= 1e-9, "point (%g, %g): %g", E, T, r[w]);
    best[w] = fmin(best[w], hypot(log(E / eq[0]), log(T / eq[1])));
  }
  ck_assert(best[0] <= 2 * cell && best[1] <= 2 * cell);
  ims_nullclines_free(nc);
  ims_params_free(prm);
}
END_TEST

Suite *suite_continuation(void)
{
  Suite *s = suite_create("continuation");
  TCase *tc = tcase_create("branches");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, kuznetsov_folds);
  tcase_add_test(tc, kp_hopf);
  tcase_add_test(tc, fold_hopf_values);
  tcase_add_test(tc, kp_transcritical);
  tcase_add_test(tc, cont_bad_input);
  tcase_add_test(tc, affine_closed_form);
  tcase_add_test(tc, fold_hopf_closed_form);
  tcase_add_test(tc, kp_orbits);
  tcase_add_test(tc, kz_phase_plane);
  tcase_add_test(tc, kp_slaved_plane);
  suite_add_tcase(s, tc);
  return s;
}
