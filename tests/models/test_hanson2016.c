/* hanson2016 (Hanson 2016; BIOMD0000000837): closed forms of the lymphocyte equation
 * through the max(0, .) kink and of inflammation without B cells (with and
 * without a drug window), and the effect of the drug sink on the
 * inflammation peak. */
#include "../tests.h"

#include <math.h>
#include <stdlib.h>

static const ims_model_t *hs(void)
{
  return ims_model_find("hanson2016");
}

#define SET "params/hanson2016/default.csv"

/* With B = 0 and no CAR-T cells, dL/dt = p2 + r4 L (1 - L/l) - d5 L while
 * L < l: a Riccati equation with roots L1 > l > 0 > L2, so L reaches l at a
 * finite time tc (closed form), where the max(0, .) switches LT off; from
 * then on dL/dt = p2 - d5 L and L relaxes to p2/d5 = 2000 > l (closed form). */
START_TEST(lymphocytes_through_the_kink)
{
  ims_params_t *p =
      t_params(hs(), SET, "Cm_0=0", "Ce_0=0", "Hm_0=0", "He_0=0", "B_0=0", "L_0=400", NULL);
  double r4 = t_par(p, "r4"), d5 = t_par(p, "d5"), p2 = t_par(p, "p2"), l = t_par(p, "l"), L0 = 400;
  double a = r4 / l, c1 = r4 - d5, disc = sqrt(c1 * c1 + 4 * a * p2);
  double L1 = (c1 + disc) / (2 * a), L2 = (c1 - disc) / (2 * a);
  ck_assert(L1 > l && L2 < 0 && p2 / d5 > l);
  double q0 = (L0 - L1) / (L0 - L2), lam = a * (L1 - L2);
  double tc = log(q0 / ((l - L1) / (l - L2))) / lam;
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 400, 0.25, &n);
  trace_t tr;
  t_run_ok(p, NULL, &o, t, n, &tr);
  int c = t_col(hs(), "L"), lt = t_col(hs(), "LT");
  for (size_t i = 0; i < n; i++) {
    double want;
    if (t[i] <= tc) {
      double q = q0 * exp(-lam * t[i]);
      want = (L1 - L2 * q) / (1 - q);
      ck_assert(t[i] == tc || TR(&tr, i, lt) > 0);
    } else {
      want = p2 / d5 + (l - p2 / d5) * exp(-d5 * (t[i] - tc));
      ck_assert_msg(TR(&tr, i, lt) == 0.0, "t=%g LT=%g after the kink", t[i], TR(&tr, i, lt));
    }
    ck_assert_msg(t_relerr(TR(&tr, i, c), want) <= 1e-6, "t=%g (tc=%g) L=%.12g want %.12g", t[i],
                  tc, TR(&tr, i, c), want);
  }
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

/* Without B cells nothing stimulates inflammation: I relaxes to p0/d2
 * exactly, and to (p0 - D)/d2 while a drug window [1 d, 2 d) is on
 * (piecewise closed form).  CAR-T cells are present but irrelevant. */
START_TEST(inflammation_relaxes_without_b_cells)
{
  ims_params_t *p = t_params(hs(), SET, "B_0=0", "D=50 1/h", "D_on=24 h", "D_off=2 d", NULL);
  double p0 = t_par(p, "p0"), d2 = t_par(p, "d2"), D = t_par(p, "D"), I0 = 140;
  ck_assert(t_relerr(D, 1200) <= 1e-12 && t_relerr(t_par(p, "D_on"), 1) <= 1e-12);
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 3, 0.005, &n);
  trace_t tr;
  t_run_ok(p, NULL, &o, t, n, &tr);
  double e0 = p0 / d2, e1 = (p0 - D) / d2;
  double I1 = e0 + (I0 - e0) * exp(-d2 * 1); /* at the drug start */
  double I2 = e1 + (I1 - e1) * exp(-d2 * 1); /* at the drug stop */
  int c = t_col(hs(), "I");
  for (size_t i = 0; i < n; i++) {
    double x = t[i], want;
    if (x <= 1)
      want = e0 + (I0 - e0) * exp(-d2 * x);
    else if (x <= 2)
      want = e1 + (I1 - e1) * exp(-d2 * (x - 1));
    else
      want = e0 + (I2 - e0) * exp(-d2 * (x - 2));
    ck_assert_msg(t_relerr(TR(&tr, i, c), want) <= 1e-6, "t=%g I=%.12g want %.12g", x,
                  TR(&tr, i, c), want);
  }
  t_trace_free(&tr);
  free(t);
  ims_params_free(p);
}
END_TEST

/* The inflammation peak of the published scenario (about day 6-7 when the
 * BioModels hours are read as hours) and the same with the drug D = 50 /h
 * on days 2-12: the drug lowers the peak, and -- the paper's trade-off --
 * less inflammation means less CAR-T activation, so more B cells survive. */
static void scenario(const ims_params_t *p, double *ipk, double *b20)
{
  ims_opts_t o;
  t_tight(&o);
  size_t n;
  double *t = t_grid(0, 20, 0.001, &n);
  trace_t tr;
  t_run_ok(p, NULL, &o, t, n, &tr);
  int c = t_col(hs(), "I");
  *ipk = 0;
  for (size_t i = 0; i < n; i++)
    *ipk = fmax(*ipk, TR(&tr, i, c));
  *b20 = TR(&tr, n - 1, t_col(hs(), "B"));
  t_trace_free(&tr);
  free(t);
}

START_TEST(drug_lowers_inflammation_peak)
{
  ims_params_t *p = t_params(hs(), SET, NULL);
  ims_params_t *pd = t_params(hs(), SET, "D=50 1/h", "D_on=2", "D_off=12", NULL);
  double i0, b0, i1, b1;
  scenario(p, &i0, &b0);
  scenario(pd, &i1, &b1);
  ck_assert_msg(i0 > 140, "no inflammation rise: peak %g", i0);
  ck_assert_msg(i1 < i0, "drug peak %.8g, no drug %.8g", i1, i0);
  ck_assert_msg(b1 > b0, "B(20 d): drug %.8g, no drug %.8g", b1, b0);
  ims_params_free(p);
  ims_params_free(pd);
}
END_TEST

/* At the kink (total = l exactly) the Jacobian takes the LT = 0 branch. */
START_TEST(jacobian_one_sided_at_kink)
{
  ims_params_t *p = t_params(hs(), SET, NULL);
  double y[7] = {10, 10, 10, 10, 1600 - 340, 140, 300}; /* total = 1600 = l */
  double J[49], f[7];
  int nd[7] = {0};
  ims_ctx_t ctx = {.p = p->value, .ndose = nd, .phase = 0};
  ck_assert_int_eq(hs()->jac(0, y, J, &ctx), 0);
  ck_assert_int_eq(hs()->rhs(0, y, f, &ctx), 0);
  int L = ims_model_state_index(hs(), "L"), B = ims_model_state_index(hs(), "B");
  ck_assert(J[L * 7 + L] == -t_par(p, "d5")); /* r4*LT + r4*L*0 - d5 */
  ck_assert(J[L * 7 + B] == 0.0);
  ck_assert(f[L] == t_par(p, "p2") - t_par(p, "d5") * y[L]);
  ims_params_free(p);
}
END_TEST

Suite *suite_hanson2016(void)
{
  Suite *s = suite_create("hanson2016");
  TCase *tc = tcase_create("hanson2016");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, lymphocytes_through_the_kink);
  tcase_add_test(tc, inflammation_relaxes_without_b_cells);
  tcase_add_test(tc, drug_lowers_inflammation_peak);
  tcase_add_test(tc, jacobian_one_sided_at_kink);
  suite_add_tcase(s, tc);
  return s;
}
