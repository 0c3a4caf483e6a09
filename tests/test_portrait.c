/* Phase portraits and orbit-diagram classes: separatrices of affine saddles
 * against the closed form (the stable eigenvector's line, |x - x*| growing
 * as e^{l_s t} backwards), the Kuznetsov BCL1 separatrix dividing dormancy
 * from escape (points just either side run to different attractors), the
 * direction-field arrows (length and direction on linear and log axes over
 * random fields), and damped oscillations in the orbit diagram (period
 * 2 pi / w_d of a damped linear oscillator). */
#include "dynref.h"
#include "immunosim/orbits.h"
#include "immunosim/phase.h"
#include "immunosim/portrait.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the growth law is checked from: CVODE resolves a state of size
 * |x*| <= 7 to rtol 1e-8, i.e. 7e-8, so a displacement from x* is known to
 * a relative 1e-6 only from 0.05 on (closer in, its size is off by up to a
 * few % while its direction is still right: backwards, the deviation from
 * the eigenvector decays). */
#define RREF 0.05

static double urand(unsigned *s, double a, double b)
{
  *s = *s * 1103515245u + 12345u;
  return a + (b - a) * ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

/* 300 random affine saddles f = A (x - x*) (det A < 0, x* anywhere in
 * [-5, 5]^2, the plane 0.5 to 3 wide around x*): two separatrix halves,
 * each on the line through x* along the stable eigenvector (backwards in
 * time the other component decays, so any deviation shrinks: 1e-6 of the
 * distance from x*), each |x(t) - x*| = |x(0) - x*| e^{l_s t} for t <= 0
 * (1e-5 relative: CVODE at rtol 1e-8 over growth by up to 1e9, thousands
 * of steps), on opposite sides, and each ending where it leaves the plane
 * (1 % beyond its ranges).  Nodes, foci and a source have no separatrix:
 * 0 curves with a reason. */
START_TEST(separatrix_affine)
{
  unsigned seed = 20261130u;
  ims_err_t err = {0};
  int nsad = 0;
  double worst = 0;
  for (int k = 0; k < 300; k++) {
    double p[8];
    double a, b, c, d, det;
    do {
      a = urand(&seed, -2, 2), b = urand(&seed, -2, 2);
      c = urand(&seed, -2, 2), d = urand(&seed, -2, 2);
      det = a * d - b * c;
    } while (fabs(det) < 0.05 || fabs(a + d) > 3);
    double xs = urand(&seed, -5, 5), ys = urand(&seed, -5, 5);
    double p0[8] = {a, b, c, d, xs, ys, xs, ys};
    memcpy(p, p0, sizeof p);
    double wx = urand(&seed, 0.5, 3), wy = urand(&seed, 0.5, 3);
    ims_plane_t pl = {.ix = 0,
                      .iy = 1,
                      .x0 = xs - wx,
                      .x1 = xs + wx * 0.7,
                      .y0 = ys - wy * 0.8,
                      .y1 = ys + wy,
                      .nx = 2,
                      .ny = 2};
    double xe[2] = {xs, ys};
    ims_curves_t cv;
    ims_curves_init(&cv);
    int added = -1;
    char why[160];
    ck_assert_msg(ims_plane_separatrix(&dyn_lin2, p, &pl, xe, 1e4, &cv, &added, why, &err) == 0,
                  "%s", err.msg);
    double tr = a + d, disc = tr * tr - 4 * det;
    if (det > 0) { /* node, focus or source: no curve */
      ck_assert_int_eq(added, 0);
      ck_assert_int_eq(cv.ncurves, 0);
      ck_assert(strstr(why, "not a curve") != NULL);
      ims_curves_free(&cv);
      continue;
    }
    nsad++;
    double ls = (tr - sqrt(disc)) / 2; /* the stable eigenvalue */
    /* its eigenvector: (b, ls - a) or (ls - d, c), the better conditioned */
    double vx = b, vy = ls - a;
    if (hypot(vx, vy) < hypot(ls - d, c))
      vx = ls - d, vy = c;
    double vn = hypot(vx, vy);
    vx /= vn, vy /= vn;
    ck_assert_int_eq(added, 2);
    ck_assert_int_eq(cv.ncurves, 2);
    double side[2] = {0, 0};
    for (int h = 0; h < 2; h++) {
      const ims_curve_pt_t *first = NULL, *last = NULL, *ref = NULL;
      for (size_t i = 0; i < cv.n; i++)
        if (cv.pt[i].curve == h) {
          if (!first)
            first = &cv.pt[i];
          last = &cv.pt[i];
          ck_assert_int_eq(cv.pt[i].kind, IMS_CURVE_SEPARATRIX);
          double u = cv.pt[i].x - xs, v = cv.pt[i].y - ys, r = hypot(u, v);
          ck_assert(cv.pt[i].t <= 0);
          ck_assert_msg(fabs(u * vy - v * vx) <= 1e-6 * r, "case %d: off the eigenvector by %g", k,
                        fabs(u * vy - v * vx) / r);
          if (!ref && r >= RREF) /* the growth law from here on */
            ref = &cv.pt[i];
          if (ref) {
            double r0 = hypot(ref->x - xs, ref->y - ys),
                   want = r0 * exp(ls * (cv.pt[i].t - ref->t));
            worst = fmax(worst, fabs(r / want - 1));
            ck_assert_msg(fabs(r / want - 1) <= 1e-5,
                          "case %d: |x - x*| %g, closed form %g at t = %g", k, r, want, cv.pt[i].t);
          }
        }
      ck_assert(first && last && first != last && ref && ref != last);
      side[h] = (first->x - xs) * vx + (first->y - ys) * vy;
      ck_assert_int_eq(cv.end[h], IMS_CURVE_END_LEFT);
      /* it stopped on the plane's ranges widened by 1 % */
      double ex = 0.01 * (pl.x1 - pl.x0), ey = 0.01 * (pl.y1 - pl.y0);
      double dist = fmin(fmin(fabs(last->x - (pl.x0 - ex)), fabs(last->x - (pl.x1 + ex))),
                         fmin(fabs(last->y - (pl.y0 - ey)), fabs(last->y - (pl.y1 + ey))));
      ck_assert_msg(dist <= 1e-6 * (wx + wy), "case %d: ends %g from the frame", k, dist);
    }
    ck_assert_msg(side[0] * side[1] < 0, "case %d: both halves on one side", k);
    ims_curves_free(&cv);
  }
  fprintf(stderr, "separatrix_affine: worst %g\n", worst);
  ck_assert_int_gt(nsad, 60); /* both kinds of case were drawn */
  ck_assert_int_lt(nsad, 240);
}
END_TEST

/* Kuznetsov BCL1: the interior saddle (middle root of the closed-form
 * cubic) has a separatrix; points on it moved 0.1 % in T run, forwards,
 * above to the escape node (T = 4.47e8) and below to the dormant focus
 * (T = 8.19e6): the curve divides the two basins.  The ends are those of
 * the cubic's other roots to 1e-3 (the focus decays at 0.0055 /d: after
 * 4000 d, e^-22). */
START_TEST(separatrix_kuznetsov)
{
  const ims_model_t *m = ims_model_find("kuznetsov1994");
  ims_params_t *prm = t_params(m, "params/kuznetsov1994/bcl1.csv", NULL);
  const double *p = prm->value;
  double T[3];
  ck_assert_int_eq(kz_cubic(p, T), 3);
  double xs[2] = {p[KA] * (1 - p[KB] * T[1]) / p[KN], T[1]}; /* E, T of the saddle */
  ims_plane_t pl = {.ix = 0,
                    .iy = 1,
                    .x0 = 1e4,
                    .x1 = 1e7,
                    .y0 = 1e5,
                    .y1 = 1e9,
                    .nx = 2,
                    .ny = 2,
                    .logx = 1,
                    .logy = 1};
  ims_err_t err = {0};
  ims_curves_t sep, tr;
  ims_curves_init(&sep);
  int added = 0;
  ck_assert_msg(ims_plane_separatrix(m, p, &pl, xs, 5000, &sep, &added, NULL, &err) == 0, "%s",
                err.msg);
  ck_assert_int_eq(added, 2);
  int tested = 0;
  for (int h = 0; h < 2; h++) {
    size_t i0 = 0, n = 0;
    for (size_t i = 0; i < sep.n; i++)
      if (sep.pt[i].curve == h && !n++)
        i0 = i;
    ck_assert_int_gt(n, 10);
    for (int q = 1; q <= 3; q++) { /* a quarter, half and three quarters along */
      const ims_curve_pt_t *pt = &sep.pt[i0 + n * (size_t)q / 4];
      if (pt->x < pl.x0 || pt->x > pl.x1 || pt->y < pl.y0 || pt->y > pl.y1)
        continue;
      for (int s = -1; s <= 1; s += 2) {
        ims_curves_init(&tr);
        ck_assert_msg(
            ims_plane_trajectory(m, p, &pl, pt->x, pt->y * (1 + s * 1e-3), 4000, &tr, &err) == 0,
            "%s", err.msg);
        ck_assert_int_eq(tr.end[0], IMS_CURVE_END_TIME);
        double Tend = tr.pt[tr.n - 1].y, want = s > 0 ? T[2] : T[0];
        ck_assert_msg(fabs(Tend / want - 1) < 1e-3, "from (%g, %g): T = %g, not %g", pt->x,
                      pt->y * (1 + s * 1e-3), Tend, want);
        ims_curves_free(&tr);
        tested++;
      }
    }
  }
  ck_assert_int_ge(tested, 8);
  ims_curves_free(&sep);
  ims_params_free(prm);
}
END_TEST

/* Arrows over 2000 random fields on random linear and log planes: each is
 * `len` grid cells long in drawn coordinates (decades on log axes) and
 * points along the flow as drawn (d log10 x = f / (x ln 10)), to 1e-9;
 * NaN for a zero or NaN field. */
START_TEST(field_arrows)
{
  unsigned seed = 7u;
  for (int k = 0; k < 2000; k++) {
    ims_plane_t pl = {.nx = 5, .ny = 4, .logx = k & 1, .logy = (k >> 1) & 1};
    pl.x0 = pl.logx ? pow(10, urand(&seed, -3, 3)) : urand(&seed, -10, 10);
    pl.x1 = pl.logx ? pl.x0 * pow(10, urand(&seed, 0.5, 6)) : pl.x0 + urand(&seed, 0.1, 20);
    pl.y0 = pl.logy ? pow(10, urand(&seed, -3, 3)) : urand(&seed, -10, 10);
    pl.y1 = pl.logy ? pl.y0 * pow(10, urand(&seed, 0.5, 6)) : pl.y0 + urand(&seed, 0.1, 20);
    double x[5], y[4], fx[20], fy[20], ax[20], ay[20];
    for (int i = 0; i < 5; i++)
      x[i] = pl.logx ? pl.x0 * pow(pl.x1 / pl.x0, i / 4.0) : pl.x0 + (pl.x1 - pl.x0) * i / 4;
    for (int j = 0; j < 4; j++)
      y[j] = pl.logy ? pl.y0 * pow(pl.y1 / pl.y0, j / 3.0) : pl.y0 + (pl.y1 - pl.y0) * j / 3;
    for (int q = 0; q < 20; q++) {
      fx[q] = urand(&seed, -1, 1) * pow(10, urand(&seed, -6, 6));
      fy[q] = urand(&seed, -1, 1) * pow(10, urand(&seed, -6, 6));
    }
    fx[3] = fy[3] = 0;
    fx[7] = NAN;
    double len = urand(&seed, 0.2, 1.5);
    ims_plane_arrows(&pl, x, y, fx, fy, len, ax, ay);
    double cx = (pl.logx ? log10(pl.x1 / pl.x0) : pl.x1 - pl.x0) / 4;
    double cy = (pl.logy ? log10(pl.y1 / pl.y0) : pl.y1 - pl.y0) / 3;
    for (int j = 0; j < 4; j++)
      for (int i = 0; i < 5; i++) {
        int q = j * 5 + i;
        if (q == 3 || q == 7) {
          ck_assert(isnan(ax[q]) && isnan(ay[q]));
          continue;
        }
        /* the arrow and the flow in cells on the drawn axes */
        double du = (pl.logx ? log10((x[i] + ax[q]) / x[i]) : ax[q]) / cx;
        double dv = (pl.logy ? log10((y[j] + ay[q]) / y[j]) : ay[q]) / cy;
        double u = (pl.logx ? fx[q] / (x[i] * M_LN10) : fx[q]) / cx;
        double v = (pl.logy ? fy[q] / (y[j] * M_LN10) : fy[q]) / cy;
        double r = hypot(u, v);
        ck_assert_msg(fabs(hypot(du, dv) - len) <= 1e-9 * len, "case %d: length %g, not %g", k,
                      hypot(du, dv), len);
        ck_assert_msg(fabs(du * v / r - dv * u / r) <= 1e-9 * len && du * u + dv * v > 0,
                      "case %d: not along the flow", k);
      }
  }
}
END_TEST

/* The damped oscillator x' = y, y' = -w^2 x - 2 g y (dyn_lin2) over g in
 * [0.01, 0.03] with w = 0.5: every window is one IMS_ORB_DAMPED row (not
 * cycle rows), whose period is the spacing of the maxima, 2 pi / w_d with
 * w_d = sqrt(w^2 - g^2), exactly for a linear system (1e-6 relative: the
 * maxima are located by root finding at rtol 1e-8). */
START_TEST(orbit_damped)
{
  const ims_model_t *m = &dyn_lin2;
  double w = 0.5, p[8] = {0, 1, -w * w, -0.02, 0, 0, 1, 0};
  ims_orbit_opts_t o;
  ims_orbit_opts_default(&o);
  o.col = 0;
  o.npar = 5;
  o.transient = 20;
  o.window = 200;
  ims_orbit_t *ob = NULL;
  ims_err_t err = {0};
  /* d = -2 g from -0.02 to -0.06 */
  ck_assert_msg(ims_orbit_diagram(m, p, LD, -0.02, -0.06, &o, &ob, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(ob->n, 5);
  for (size_t i = 0; i < ob->n; i++) {
    const ims_orbit_row_t *r = &ob->rows[i];
    double g = -r->par / 2, wd = sqrt(w * w - g * g);
    ck_assert_msg(r->kind == IMS_ORB_DAMPED, "g = %g: kind %s", g, ims_orbit_kind_name(r->kind));
    ck_assert_msg(fabs(r->period * wd / (2 * M_PI) - 1) < 1e-6, "g = %g: period %.9g, not %.9g", g,
                  r->period, 2 * M_PI / wd);
    ck_assert_int_ge(r->count, 5);
  }
  ims_orbit_free(ob);
}
END_TEST

Suite *suite_portrait(void)
{
  Suite *s = suite_create("portrait");
  TCase *tc = tcase_create("portrait");
  tcase_add_test(tc, separatrix_affine);
  tcase_add_test(tc, separatrix_kuznetsov);
  tcase_add_test(tc, field_arrows);
  tcase_add_test(tc, orbit_damped);
  suite_add_tcase(s, tc);
  return s;
}
