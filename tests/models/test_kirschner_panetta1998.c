/* kirschner_panetta1998 (Kirschner & Panetta 1998): analytic equilibria and their
 * eigenvalues, the adoptive-therapy threshold s1 = r2*g2*mu2/a = 540, the
 * limit cycle at c = 0.02, the dormant equilibrium at c = 0.05, IL-2 alone,
 * the s1 schedule, and the extinction trigger at low antigenicity. */
#include "../tests.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SET "params/kirschner_panetta1998/default.csv"

enum { E, T, IL };
enum { C, MU2, P1, G1, G2, R2, B, A, P2, G3, MU3, S1, S2 };

static const ims_model_t *kp(void)
{
  return ims_model_find("kirschner_panetta1998");
}

/* RHS at y, each component scaled by the largest term that enters it, so a
 * root shows as a residual of rounding size. */
static void scaled_rhs(const double *p, const double *y, double *r)
{
  int nd[3] = {0};
  ims_ctx_t ctx = {.p = p, .ndose = nd, .phase = 0};
  double f[3];
  ck_assert_int_eq(kp()->rhs(0, y, f, &ctx), 0);
  double sE = fmax(fmax(p[C] * y[T], p[MU2] * y[E]), fmax(p[S1], 1e-300));
  double sT = fmax(p[R2] * y[T], 1e-300);
  double sI = fmax(p[MU3] * y[IL], 1e-300);
  r[E] = fabs(f[E]) / sE;
  r[T] = y[T] > 0 ? fabs(f[T]) / sT : fabs(f[T]);
  r[IL] = fabs(f[IL]) / sI;
}

/* Interior equilibria (T > 0).  From dT/dt = 0: E = r2*(1 - b*T)*(g2 + T)/a;
 * from dIL/dt = 0: IL = (p2*E*T/(g3 + T) + s2)/mu3; then dE/dt = 0 is one
 * scalar equation h(T) = 0, bracketed on a log grid and solved with Brent. */
static void nullcline(const double *p, double t, double *y)
{
  y[T] = t;
  y[E] = p[R2] * (1 - p[B] * t) * (p[G2] + t) / p[A];
  y[IL] = (p[P2] * y[E] * t / (p[G3] + t) + p[S2]) / p[MU3];
}

static double h_of_T(double t, void *vp)
{
  const double *p = vp;
  double y[3];
  nullcline(p, t, y);
  return p[C] * t - p[MU2] * y[E] + p[P1] * y[E] * y[IL] / (p[G1] + y[IL]) + p[S1];
}

static int interior(const double *p, double roots[][3], int max)
{
  int n = 0;
  double lo = 1e-6, hi = (1 - 1e-12) / p[B];
  int N = 4000;
  gsl_function F = {h_of_T, (void *)p};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  double t0 = lo, h0 = h_of_T(lo, (void *)p);
  for (int i = 1; i <= N && n < max; i++) {
    double t1 = lo * pow(hi / lo, (double)i / N), h1 = h_of_T(t1, (void *)p);
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
      nullcline(p, x, roots[n++]);
    }
    t0 = t1;
    h0 = h1;
  }
  gsl_root_fsolver_free(s);
  return n;
}

/* Tight solver settings; T gets its own tiny absolute tolerance so that its
 * logarithm stays accurate while it decays far below one cell. */
static void kp_opts(ims_opts_t *o, double *atol)
{
  t_tight(o);
  atol[E] = 1e-9;
  atol[T] = 1e-30;
  atol[IL] = 1e-9;
  o->atol_vec = atol;
  o->max_steps = 200000;
}

/* (b) Tumour-free equilibrium (E*, T*, IL*) = (s1/mu2, 0, 0) (closed form):
 * the RHS vanishes and the Jacobian is block-triangular with eigenvalues
 * -mu2, -mu3 and r2 - a*s1/(mu2*g2), so it is stable iff s1 > r2*g2*mu2/a
 * (the paper's 540 cells/d).  Checked against GSL's eigenvalues. */
START_TEST(tumour_free_equilibrium)
{
  const double s1v[] = {500, 530, 550, 600};
  for (int k = 0; k < 4; k++) {
    char set[32];
    snprintf(set, sizeof set, "s1=%g", s1v[k]);
    ims_params_t *prm = t_params(kp(), SET, set, NULL);
    const double *p = prm->value;
    ck_assert_double_eq_tol(p[R2] * p[G2] * p[MU2] / p[A], 540, 1e-9);
    double y[3] = {p[S1] / p[MU2], 0, 0}, r[3], re[3], im[3];
    scaled_rhs(p, y, r);
    for (int i = 0; i < 3; i++)
      ck_assert_msg(r[i] <= 1e-14, "residual %d = %g", i, r[i]);
    t_jac_eig(kp(), p, y, re, im);
    double want[3] = {-p[MU2], -p[MU3], p[R2] - p[A] * p[S1] / (p[MU2] * p[G2])};
    for (int j = 0; j < 3; j++) {
      int found = 0;
      for (int i = 0; i < 3; i++)
        found |= fabs(re[i] - want[j]) <= 1e-12 * fmax(1, fabs(want[j])) && im[i] == 0;
      ck_assert_msg(found, "s1=%g: eigenvalue %g missing", p[S1], want[j]);
    }
    /* stable iff s1 > 540 */
    ck_assert_int_eq(want[2]<0, p[S1]> 540);
    ims_params_free(prm);
  }
}
END_TEST

/* (b) Interior equilibrium: c = 0.02 has exactly one, an unstable focus
 * (complex pair with positive real part, third eigenvalue about -mu3), which
 * is why the solution settles on a limit cycle; c = 0.05 has one stable
 * focus (the dormant state).  The RHS vanishes at both roots. */
START_TEST(interior_equilibria)
{
  const char *cs[] = {"c=0.02", "c=0.05"};
  for (int k = 0; k < 2; k++) {
    ims_params_t *prm = t_params(kp(), SET, cs[k], NULL);
    double roots[4][3], r[3], re[3], im[3];
    int n = interior(prm->value, roots, 4);
    ck_assert_int_eq(n, 1);
    scaled_rhs(prm->value, roots[0], r);
    for (int i = 0; i < 3; i++)
      ck_assert_msg(r[i] <= 1e-9, "%s residual %d = %g", cs[k], i, r[i]);
    t_jac_eig(kp(), prm->value, roots[0], re, im);
    int ncomplex = 0, nfast = 0;
    for (int i = 0; i < 3; i++) {
      if (im[i] != 0) {
        ncomplex++;
        ck_assert_msg(k == 0 ? re[i] > 0 : re[i] < 0, "%s: Re = %g", cs[k], re[i]);
      } else {
        nfast += fabs(re[i] + 10) < 0.01; /* about -mu3 */
      }
    }
    ck_assert_int_eq(ncomplex, 2);
    ck_assert_int_eq(nfast, 1);
    ims_params_free(prm);
  }
}
END_TEST

/* (a) Adoptive therapy at c = 0.02 from a one-cell tumour (the default
 * initial state).  Above 540 cells/d the tumour decays, and once E has
 * settled at s1/mu2 ln T falls with the slope r2 - a*s1/(mu2*g2) exactly
 * (-0.00333 /d for 550, -0.02 /d for 600).  Below 540 it settles on the
 * interior equilibrium (T* = 657.16 for 530, 2686.57 for 500: roots of h). */
START_TEST(adoptive_threshold)
{
  const double s1v[] = {500, 530, 550, 600};
  size_t n;
  double *t = t_grid(0, 5000, 10, &n), atol[3];
  ims_opts_t o;
  kp_opts(&o, atol);
  for (int k = 0; k < 4; k++) {
    char set[32];
    snprintf(set, sizeof set, "s1=%g", s1v[k]);
    ims_params_t *prm = t_params(kp(), SET, set, NULL);
    const double *p = prm->value;
    trace_t tr;
    t_run_ok(prm, NULL, &o, t, n, &tr);
    int cT = t_col(kp(), "T"), cE = t_col(kp(), "E");
    size_t i3 = 150, i5 = n - 1; /* t = 1500 and 5000 */
    if (p[S1] > 540) {
      double lam = p[R2] - p[A] * p[S1] / (p[MU2] * p[G2]);
      /* E carries an excess (c*T + p1*E*IL/g1)/(mu2 + lam) proportional to
       * T, which shifts the slope by O(a*c*T/((mu2 + lam)*g2)); measure over
       * 1000 d from the first time after 1500 d (other modes, -mu2 and
       * -mu3, gone by e^-45) at which T < 1e-3 cells, where the shift is
       * below 1e-9 relative; T stays far above its atol (1e-30) there. */
      size_t ia = i3;
      while (ia + 100 < n && TR(&tr, ia, cT) >= 1e-3)
        ia++;
      ck_assert_uint_lt(ia + 100, n);
      double slope = (log(TR(&tr, ia + 100, cT)) - log(TR(&tr, ia, cT))) / 1000;
      ck_assert_double_gt(TR(&tr, ia + 100, cT), 1e-20);
      ck_assert_msg(fabs(slope - lam) <= 1e-6 * fabs(lam), "s1=%g slope %.10g want %.10g", p[S1],
                    slope, lam);
      ck_assert_double_le(TR(&tr, i5, cT), 1e-4);
      ck_assert_double_le(fabs(TR(&tr, i5, cE) - p[S1] / p[MU2]), 1e-6 * p[S1] / p[MU2]);
    } else {
      double roots[4][3];
      ck_assert_int_eq(interior(p, roots, 4), 1);
      /* slowest mode at s1 = 530 is -0.0039 /d: e^-19 left at t = 5000 */
      for (int j = 0; j < 3; j++)
        ck_assert_msg(t_relerr(TR(&tr, i5, 1 + j), roots[0][j]) <= 1e-6,
                      "s1=%g state %d: %.10g vs root %.10g", p[S1], j, TR(&tr, i5, 1 + j),
                      roots[0][j]);
      ck_assert_double_gt(roots[0][T], p[S1] < 520 ? 2000 : 500);
    }
    t_trace_free(&tr);
    ims_params_free(prm);
  }
  free(t);
}
END_TEST

/* The schedule kp_adoptive_s1 (600 cells/d infused into E for 10000 d)
 * is the same ODE as s1 = 600: trajectories agree to solver accuracy. */
START_TEST(adoptive_schedule_equals_s1)
{
  ims_params_t *ps = t_params(kp(), SET, "s1=600", NULL);
  ims_params_t *p0 = t_params(kp(), SET, NULL);
  ims_schedule_t *s;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_schedule_alloc(&s, &err), 0);
  ck_assert_msg(ims_schedule_read(s, kp(), t_units(), t_path("params/schedules/kp_adoptive_s1.csv"),
                                  &err) == 0,
                "%s", err.msg);
  size_t n;
  double *t = t_grid(0, 1000, 5, &n), atol[3];
  ims_opts_t o;
  kp_opts(&o, atol);
  trace_t a, b;
  t_run_ok(ps, NULL, &o, t, n, &a);
  t_run_ok(p0, s, &o, t, n, &b);
  for (size_t i = 0; i < n; i++)
    for (int j = 1; j <= 3; j++)
      ck_assert_msg(fabs(TR(&a, i, j) - TR(&b, i, j)) <= 1e-7 * fabs(TR(&a, i, j)) + 1e-12,
                    "t=%g col %d: s1 %.12g schedule %.12g", t[i], j, TR(&a, i, j), TR(&b, i, j));
  /* and the infusion does clear: T at 1000 d is far below one cell */
  ck_assert_double_le(TR(&b, n - 1, t_col(kp(), "T")), 1e-5);
  t_trace_free(&a);
  t_trace_free(&b);
  ims_schedule_free(s);
  ims_params_free(ps);
  ims_params_free(p0);
  free(t);
}
END_TEST

/* (c) Intermediate antigenicity c = 0.02 (the default set): T oscillates on a
 * stable limit cycle.  Upward crossings of T = 1e5 are located by root
 * finding.  The cycle attracts with a multiplier of about 0.1 per turn
 * (periods 246.3, 242.67, 242.32, 242.286 d, ...), so after 1300 d successive
 * periods (242.28 d) agree to 1e-3 d, and the peaks stay at 3.7e5-3.8e5. */
START_TEST(limit_cycle)
{
  ims_params_t *prm = t_params(kp(), SET, NULL);
  ck_assert_double_eq(prm->value[C], 0.02);
  ims_trigger_t tr_up = {
      .name = "T up", .var = T, .threshold = 1e5, .dir = +1, .act = IMS_ACT_NONE};
  size_t n;
  double *t = t_grid(0, 3000, 0.25, &n), atol[3];
  ims_opts_t o;
  kp_opts(&o, atol);
  o.triggers = &tr_up;
  o.ntriggers = 1;
  trace_t tr;
  t_run_ok(prm, NULL, &o, t, n, &tr);
  double up[64];
  int nup = 0;
  for (int i = 0; i < tr.nev && nup < 64; i++)
    if (tr.ev[i].trigger == 0 && tr.ev[i].t > 1300)
      up[nup++] = tr.ev[i].t;
  ck_assert_int_ge(nup, 6);
  double P0 = up[1] - up[0];
  ck_assert_msg(P0 > 200 && P0 < 300, "period %g", P0);
  for (int k = 2; k < nup; k++)
    ck_assert_msg(fabs(up[k] - up[k - 1] - P0) <= 1e-3, "period %d: %.6f vs %.6f", k,
                  up[k] - up[k - 1], P0);
  /* amplitude per cycle */
  int cT = t_col(kp(), "T");
  double first = 0, last = 0;
  for (int k = 0; k + 1 < nup; k++) {
    double mx = 0;
    for (size_t i = 0; i < n; i++)
      if (t[i] >= up[k] && t[i] < up[k + 1])
        mx = fmax(mx, TR(&tr, i, cT));
    ck_assert_msg(mx > 3.7e5 && mx < 3.8e5, "peak %d: %g", k, mx);
    if (k == 0)
      first = mx;
    last = mx;
  }
  ck_assert_double_le(fabs(last - first), 1e-3 * first);
  t_trace_free(&tr);
  ims_params_free(prm);
  free(t);
}
END_TEST

/* (d) High antigenicity c = 0.05: the tumour settles on the small dormant
 * equilibrium (T* = 1.208e4 cells), the root of h(T).  The focus decays at
 * Re(lambda) = -0.0052 /d, so by 6000 d the transient is e^-31 of its size. */
START_TEST(dormant_high_c)
{
  ims_params_t *prm = t_params(kp(), SET, "c=0.05", NULL);
  double roots[4][3];
  ck_assert_int_eq(interior(prm->value, roots, 4), 1);
  ck_assert_double_gt(roots[0][T], 1.0e4);
  ck_assert_double_lt(roots[0][T], 1.3e4);
  size_t n;
  double *t = t_grid(0, 6000, 100, &n), atol[3];
  ims_opts_t o;
  kp_opts(&o, atol);
  trace_t tr;
  t_run_ok(prm, NULL, &o, t, n, &tr);
  for (int j = 0; j < 3; j++)
    ck_assert_msg(t_relerr(TR(&tr, n - 1, 1 + j), roots[0][j]) <= 1e-6, "state %d: %.10g vs %.10g",
                  j, TR(&tr, n - 1, 1 + j), roots[0][j]);
  t_trace_free(&tr);
  ims_params_free(prm);
  free(t);
}
END_TEST

/* (e) IL-2 alone (s1 = 0).  Effectors grow without bound iff the IL-2 level
 * s2/mu3 of a tumour-free state drives p1*IL/(g1 + IL) above mu2, i.e.
 * s2 > mu3*g1*mu2/(p1 - mu2) = 6.35e7.  Below it the tumour-free state
 * (0, 0, s2/mu3) has the eigenvalue +r2 in T, so IL-2 cannot clear the
 * tumour: at s2 = 1e7, c = 0.02 it keeps oscillating with peaks > 3e5.  Above
 * it (s2 = 1e8) ln E grows with the slope p1*IL/(g1 + IL) - mu2 = 0.0115 /d
 * at IL = s2/mu3. */
START_TEST(il2_alone)
{
  ims_params_t *lo = t_params(kp(), SET, "s2=1e7", NULL);
  const double *p = lo->value;
  double thr = p[MU3] * p[G1] * p[MU2] / (p[P1] - p[MU2]);
  ck_assert_double_eq_tol(thr, 6.349206e7, 1e2);
  double y[3] = {0, 0, p[S2] / p[MU3]}, r[3], re[3], im[3];
  scaled_rhs(p, y, r);
  ck_assert_double_le(fabs(r[IL]), 1e-15);
  t_jac_eig(kp(), p, y, re, im);
  int unstable_T = 0;
  for (int i = 0; i < 3; i++)
    unstable_T |= fabs(re[i] - p[R2]) <= 1e-12;
  ck_assert(unstable_T);

  size_t n;
  double *t = t_grid(0, 3000, 1, &n), atol[3];
  ims_opts_t o;
  kp_opts(&o, atol);
  trace_t tr;
  t_run_ok(lo, NULL, &o, t, n, &tr);
  int cT = t_col(kp(), "T"), cE = t_col(kp(), "E");
  double mx = 0, emax = 0;
  for (size_t i = 2000; i < n; i++) {
    mx = fmax(mx, TR(&tr, i, cT));
    emax = fmax(emax, TR(&tr, i, cE));
  }
  ck_assert_double_gt(mx, 3e5);
  ck_assert_double_lt(emax, 1e6); /* effectors stay bounded below the threshold */
  t_trace_free(&tr);

  ims_params_t *hi = t_params(kp(), SET, "s2=1e8", NULL);
  p = hi->value;
  double il = p[S2] / p[MU3], lam = p[P1] * il / (p[G1] + il) - p[MU2];
  /* T is driven to noise level here while E grows to 1e19: a scalar atol
   * (T need not be resolved below 1e-14 cells) keeps the run cheap */
  ims_opts_t o2;
  t_tight(&o2);
  o2.max_steps = 200000;
  t_run_ok(hi, NULL, &o2, t, n, &tr);
  double slope = (log(TR(&tr, 3000, cE)) - log(TR(&tr, 2000, cE))) / 1000;
  ck_assert_msg(fabs(slope - lam) <= 1e-6 * lam, "slope %.10g want %.10g", slope, lam);
  ck_assert_double_gt(TR(&tr, 3000, cE), 1e15);
  t_trace_free(&tr);
  ims_params_free(lo);
  ims_params_free(hi);
  free(t);
}
END_TEST

/* Low antigenicity c = 0.01 (the numerical trap of models/kirschner_panetta1998.md).  The exact
 * trough is about 1e-5565 cells at t = 401 d (ln T integrated separately,
 * README); a plain double run carries T at noise level after ~150 d.  With
 * the extinction trigger T < 1 -> 0 (what --extinct T=1 installs) the
 * crossing is found once, near t = 145.3 d, T is exactly 0 from then on,
 * and E then decays as E(te)*exp(-mu2*(t - te)) (IL -> 0 with it). */
START_TEST(extinction_low_c)
{
  ims_params_t *prm = t_params(kp(), SET, "c=0.01", NULL);
  ims_trigger_t ext = {
      .name = "extinction", .var = T, .threshold = 1, .dir = -1, .act = IMS_ACT_ZERO, .target = T};
  size_t n;
  double *t = t_grid(0, 2000, 1, &n);
  ims_opts_t o;
  ims_opts_default(&o);
  o.triggers = &ext;
  o.ntriggers = 1;
  trace_t tr;
  t_run_ok(prm, NULL, &o, t, n, &tr);
  ck_assert_int_eq(tr.nev, 1);
  double te = tr.ev[0].t;
  ck_assert_msg(te > 140 && te < 150, "extinction at %g", te);
  ck_assert_double_eq_tol(tr.ev[0].value, 1, 1e-6);
  int cT = t_col(kp(), "T"), cE = t_col(kp(), "E");
  size_t i0 = (size_t)ceil(te);
  for (size_t i = i0; i < n; i++)
    ck_assert_msg(TR(&tr, i, cT) == 0.0, "t=%g T=%g", t[i], TR(&tr, i, cT));
  /* with T = 0 and IL decaying at 10 /d, E decays at exactly mu2 */
  double slope = (log(TR(&tr, 700, cE)) - log(TR(&tr, 300, cE))) / 400;
  ck_assert_double_eq_tol(slope, -prm->value[MU2], 1e-6);
  t_trace_free(&tr);

  /* Without the rule the same run carries T far below one cell: its
   * minimum over [150, 400] d is below 1e-12 cells (solver noise, not
   * biology; the true value is not representable in double). */
  o.triggers = NULL;
  o.ntriggers = 0;
  size_t m;
  double *t2 = t_grid(0, 400, 1, &m);
  t_run_ok(prm, NULL, &o, t2, m, &tr);
  double mn = INFINITY;
  for (size_t i = 150; i < m; i++)
    mn = fmin(mn, fabs(TR(&tr, i, cT)));
  ck_assert_double_lt(mn, 1e-12);
  t_trace_free(&tr);
  free(t2);
  ims_params_free(prm);
  free(t);
}
END_TEST

Suite *suite_kirschner_panetta1998(void)
{
  Suite *s = suite_create("kirschner_panetta1998");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, tumour_free_equilibrium);
  tcase_add_test(tc, interior_equilibria);
  tcase_add_test(tc, adoptive_threshold);
  tcase_add_test(tc, adoptive_schedule_equals_s1);
  tcase_add_test(tc, limit_cycle);
  tcase_add_test(tc, dormant_high_c);
  tcase_add_test(tc, il2_alone);
  tcase_add_test(tc, extinction_low_c);
  suite_add_tcase(s, tc);
  return s;
}
