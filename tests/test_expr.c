/* The expression IR, evaluator and symbolic differentiator against an
 * independent reference: thousands of random expressions (fixed seed) are
 * compiled into a two-state model and evaluated both by the bytecode and by
 * a recursive dual-number evaluator of the IR written here, which gives each
 * value, its exact derivative and a bound of the rounding (the same sums with
 * absolute values).  Plus parsing, printing, units and switching functions. */
#include "tests.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x2545f4914f6cdd1dull;

static double uni(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

static int pick(int n)
{
  return (int)(uni() * n) % n;
}

/* ---- random expressions over X, Y (states), a, b (parameters) and t ---- */

static ims_expr_t *num(double v)
{
  return ims_expr_num(v, NULL);
}

static ims_expr_t *one_plus_sq(ims_expr_t *x) /* 1 + x*x > 0 */
{
  ims_expr_t *y = ims_expr_copy(x);
  return ims_expr_op2(IMS_X_ADD, num(1), ims_expr_op2(IMS_X_MUL, x, y));
}

static ims_expr_t *gen(int depth)
{
  static const char *const leaves[] = {"X", "Y", "a", "b"};
  if (depth <= 0 || uni() < 0.2) {
    int k = pick(6);
    if (k < 4)
      return ims_expr_name(leaves[k]);
    if (k == 4) {
      ims_expr_t *t = ims_expr_op(IMS_X_TIME, 0, NULL);
      return t;
    }
    return num(round(uni() * 40 - 20) / 8);
  }
  ims_expr_t *a = gen(depth - 1);
  switch (pick(24)) {
  case 0:
  case 1:
    return ims_expr_op2(IMS_X_ADD, a, gen(depth - 1));
  case 2:
    return ims_expr_op2(IMS_X_SUB, a, gen(depth - 1));
  case 3:
  case 4: {
    ims_expr_t *args[3] = {a, gen(depth - 1), gen(depth - 1)};
    return ims_expr_op(IMS_X_MUL, 3, args);
  }
  case 5:
    return ims_expr_op2(IMS_X_DIV, a, one_plus_sq(gen(depth - 1)));
  case 6:
    return ims_expr_op1(IMS_X_NEG, a);
  case 7: /* (1 + a^2)^c, c a constant */
    return ims_expr_op2(IMS_X_POW, one_plus_sq(a), num(round(uni() * 24 - 12) / 4));
  case 8: /* a^k, k a small integer */
    return ims_expr_op2(IMS_X_POW, a, num(pick(5) - 1));
  case 9:
    return ims_expr_op1(IMS_X_EXP, ims_expr_op1(IMS_X_SIN, a));
  case 10:
    return ims_expr_op1(IMS_X_LN, one_plus_sq(a));
  case 11:
    return ims_expr_op1(IMS_X_SQRT, one_plus_sq(a));
  case 12:
    return ims_expr_op1(pick(2) ? IMS_X_COS : IMS_X_TANH, a);
  case 13:
    return ims_expr_op1(pick(2) ? IMS_X_ATAN : IMS_X_ASINH, a);
  case 14:
    return ims_expr_op1(IMS_X_ABS, a);
  case 15: {
    ims_expr_t *args[3] = {a, gen(depth - 1), gen(depth - 1)};
    return ims_expr_op(pick(2) ? IMS_X_MIN : IMS_X_MAX, 3, args);
  }
  case 16: { /* piecewise(v1, c1, v2, c2, otherwise) */
    ims_expr_t *c1 = ims_expr_op2(IMS_X_LT + pick(4), gen(depth - 1), gen(depth - 1));
    ims_expr_t *c2 = ims_expr_op2(IMS_X_AND, ims_expr_op2(IMS_X_GT, gen(1), num(0)),
                                  ims_expr_op1(IMS_X_NOT, ims_expr_op2(IMS_X_LE, gen(1), num(1))));
    ims_expr_t *args[5] = {a, c1, gen(depth - 1), c2, gen(depth - 1)};
    return ims_expr_op(IMS_X_PIECEWISE, 5, args);
  }
  case 17:
    return ims_expr_op1(IMS_X_LOG10, one_plus_sq(a));
  case 18: /* log(base, x), root(3, x) */
    return pick(2) ? ims_expr_op2(IMS_X_LOG, num(2 + pick(3)), one_plus_sq(a))
                   : ims_expr_op2(IMS_X_ROOT, num(3), one_plus_sq(a));
  case 19:
    return ims_expr_op1(IMS_X_SECH, a);
  case 20:
    return ims_expr_op1(IMS_X_ACOT, one_plus_sq(a));
  case 21:
    return ims_expr_op1(IMS_X_COSH, ims_expr_op1(IMS_X_SIN, a));
  case 22:
    return ims_expr_op1(IMS_X_ASIN, ims_expr_op1(IMS_X_TANH, a));
  default: {
    ims_expr_t *args[3] = {a, ims_expr_op2(IMS_X_GT, gen(depth - 1), num(0)), gen(depth - 1)};
    return ims_expr_op(IMS_X_PIECEWISE, 3, args);
  }
  }
}

/* ---- the reference: dual numbers with a rounding bound ----------------------- */

typedef struct dual {
  double v, d;   /* value, derivative along the chosen variable */
  double bv, bd; /* |.|-propagated magnitudes: the scale of rounding errors */
} dual_t;

typedef struct env {
  double X, Y, a, b, t;
  int wrt; /* 0: X, 1: Y */
} env_t;

static dual_t D(double v, double d, double bv, double bd)
{
  return (dual_t){v, d, bv, bd};
}

/* Set when an intermediate of the reference overflows (cosh of 1e4 is inf
 * even where sech is 0): such points are outside double range for any
 * evaluation order, so they are skipped. */
static int overflowed;

/* f(x) with f' = fp: the bounds scale with |f'| and the argument's bounds. */
static dual_t chain(dual_t x, double f, double fp)
{
  if (!(fabs(x.v) < 700) || !(fabs(fp) < 1e150) || !(fabs(f) < 1e150))
    overflowed = 1;
  return D(f, fp * x.d, fabs(f) + fabs(fp) * x.bv, fabs(fp) * x.bd + fabs(f) * 1e-300);
}

static dual_t ev(const ims_expr_t *e, const env_t *en);

static int truth(const ims_expr_t *e, const env_t *en)
{
  return ev(e, en).v != 0;
}

static dual_t ev(const ims_expr_t *e, const env_t *en)
{
  dual_t x, y;
  switch (e->op) {
  case IMS_X_NUM:
  case IMS_X_BOOL:
    return D(e->num, 0, fabs(e->num), 0);
  case IMS_X_TIME:
    return D(en->t, 0, fabs(en->t), 0);
  case IMS_X_NAME: {
    const char *n = e->name;
    if (!strcmp(n, "X"))
      return D(en->X, en->wrt == 0, fabs(en->X), en->wrt == 0);
    if (!strcmp(n, "Y"))
      return D(en->Y, en->wrt == 1, fabs(en->Y), en->wrt == 1);
    return D(!strcmp(n, "a") ? en->a : en->b, 0, fabs(!strcmp(n, "a") ? en->a : en->b), 0);
  }
  case IMS_X_ADD:
  case IMS_X_MUL:
    x = ev(e->a[0], en);
    for (int i = 1; i < e->n; i++) {
      y = ev(e->a[i], en);
      if (e->op == IMS_X_ADD)
        x = D(x.v + y.v, x.d + y.d, x.bv + y.bv, x.bd + y.bd);
      else
        x = D(x.v * y.v, x.d * y.v + x.v * y.d, x.bv * y.bv, x.bd * y.bv + x.bv * y.bd);
    }
    return x;
  case IMS_X_SUB:
    x = ev(e->a[0], en);
    y = ev(e->a[1], en);
    return D(x.v - y.v, x.d - y.d, x.bv + y.bv, x.bd + y.bd);
  case IMS_X_DIV: {
    x = ev(e->a[0], en);
    y = ev(e->a[1], en);
    double q = x.v / y.v;
    return D(q, (x.d - q * y.d) / y.v, x.bv / fabs(y.v),
             (x.bd + fabs(q) * y.bd) / fabs(y.v) + x.bv * y.bv / (y.v * y.v));
  }
  case IMS_X_NEG:
    x = ev(e->a[0], en);
    return D(-x.v, -x.d, x.bv, x.bd);
  case IMS_X_POW: {
    x = ev(e->a[0], en);
    double c = e->a[1]->num; /* generated exponents are constants */
    double f = pow(x.v, c);
    return chain(x, f, c == 0 ? 0 : c * pow(x.v, c - 1));
  }
  case IMS_X_EXP:
    x = ev(e->a[0], en);
    return chain(x, exp(x.v), exp(x.v));
  case IMS_X_LN:
    x = ev(e->a[0], en);
    return chain(x, log(x.v), 1 / x.v);
  case IMS_X_LOG10:
    x = ev(e->a[0], en);
    return chain(x, log10(x.v), 1 / (x.v * M_LN10));
  case IMS_X_LOG:
    x = ev(e->a[1], en);
    return chain(x, log(x.v) / log(e->a[0]->num), 1 / (x.v * log(e->a[0]->num)));
  case IMS_X_ROOT:
    x = ev(e->a[1], en);
    return chain(x, pow(x.v, 1 / e->a[0]->num), pow(x.v, 1 / e->a[0]->num - 1) / e->a[0]->num);
  case IMS_X_SQRT:
    x = ev(e->a[0], en);
    return chain(x, sqrt(x.v), 0.5 / sqrt(x.v));
  case IMS_X_SIN:
    x = ev(e->a[0], en);
    return chain(x, sin(x.v), cos(x.v));
  case IMS_X_COS:
    x = ev(e->a[0], en);
    return chain(x, cos(x.v), -sin(x.v));
  case IMS_X_TANH:
    x = ev(e->a[0], en);
    return chain(x, tanh(x.v), 1 - tanh(x.v) * tanh(x.v));
  case IMS_X_ATAN:
    x = ev(e->a[0], en);
    return chain(x, atan(x.v), 1 / (1 + x.v * x.v));
  case IMS_X_ASINH:
    x = ev(e->a[0], en);
    return chain(x, asinh(x.v), 1 / sqrt(x.v * x.v + 1));
  case IMS_X_ASIN:
    x = ev(e->a[0], en);
    return chain(x, asin(x.v), 1 / sqrt(1 - x.v * x.v));
  case IMS_X_COSH:
    x = ev(e->a[0], en);
    return chain(x, cosh(x.v), sinh(x.v));
  case IMS_X_SECH:
    x = ev(e->a[0], en);
    return chain(x, 1 / cosh(x.v), -tanh(x.v) / cosh(x.v));
  case IMS_X_ACOT:
    x = ev(e->a[0], en);
    return chain(x, atan(1 / x.v), -1 / (1 + x.v * x.v));
  case IMS_X_ABS:
    x = ev(e->a[0], en);
    return D(fabs(x.v), x.v > 0 ? x.d : x.v < 0 ? -x.d : 0, x.bv, x.bd);
  case IMS_X_MIN:
  case IMS_X_MAX:
    x = ev(e->a[0], en);
    for (int i = 1; i < e->n; i++) {
      y = ev(e->a[i], en);
      int keep = e->op == IMS_X_MIN ? x.v <= y.v : x.v >= y.v;
      x = keep ? x : y;
    }
    return x;
  case IMS_X_PIECEWISE:
    for (int i = 0; i + 1 < e->n; i += 2)
      if (truth(e->a[i + 1], en))
        return ev(e->a[i], en);
    return ev(e->a[e->n - 1], en);
  case IMS_X_LT:
  case IMS_X_LE:
  case IMS_X_GT:
  case IMS_X_GE: {
    double u = ev(e->a[0], en).v, w = ev(e->a[1], en).v;
    int r = e->op == IMS_X_LT   ? u < w
            : e->op == IMS_X_LE ? u <= w
            : e->op == IMS_X_GT ? u > w
                                : u >= w;
    return D(r, 0, 1, 0);
  }
  case IMS_X_AND:
    return D(truth(e->a[0], en) && truth(e->a[1], en), 0, 1, 0);
  case IMS_X_NOT:
    return D(!truth(e->a[0], en), 0, 1, 0);
  default:
    ck_abort_msg("reference: no rule for op %d", e->op);
    return D(NAN, NAN, 0, 0);
  }
}

/* The minimum distance of any relation's two sides from each other: a point
 * too close to a switch is skipped (the two sides round differently). */
static double margin(const ims_expr_t *e, const env_t *en)
{
  double m = INFINITY;
  if (e->op >= IMS_X_LT && e->op <= IMS_X_NE) {
    dual_t u = ev(e->a[0], en), w = ev(e->a[1], en);
    m = fabs(u.v - w.v) / (u.bv + w.bv + 1e-300);
  }
  if (e->op == IMS_X_MIN || e->op == IMS_X_MAX)
    for (int i = 0; i < e->n; i++)
      for (int j = i + 1; j < e->n; j++) {
        dual_t u = ev(e->a[i], en), w = ev(e->a[j], en);
        double r = fabs(u.v - w.v) / (u.bv + w.bv + 1e-300);
        m = r < m ? r : m;
      }
  for (int i = 0; i < e->n; i++) {
    double r = margin(e->a[i], en);
    m = r < m ? r : m;
  }
  return m;
}

static const ims_model_t *compile2(ims_expr_t *fx, ims_expr_t *fy)
{
  ims_mdl_t *d;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_mdl_alloc(&d, "random", &err), 0);
  ck_assert_int_ge(ims_mdl_add_state(d, "X", "1", NULL, 0, 1, 1, &err), 0);
  ck_assert_int_ge(ims_mdl_add_state(d, "Y", "1", NULL, 0, 2, 1, &err), 0);
  ck_assert_int_ge(ims_mdl_add_param(d, "a", 1, "1", NULL, IMS_MDL_SIGNED, 3, 1, &err), 0);
  ck_assert_int_ge(ims_mdl_add_param(d, "b", 1, "1", NULL, IMS_MDL_SIGNED, 4, 1, &err), 0);
  ims_mdl_eq_t qx = {fx, NULL, 5, 1}, qy = {fy, NULL, 6, 1};
  ck_assert_int_ge(ims_mdl_set_rate(d, 0, qx, &err), 0);
  ck_assert_int_ge(ims_mdl_set_rate(d, 1, qy, &err), 0);
  ims_mdl_opts_t o = {.no_unit_check = 1}; /* t is in days: units are not the point here */
  ims_model_t *m;
  ck_assert_msg(ims_mdl_compile(d, &o, &m, &err) == 0, "%s", err.msg);
  return m;
}

START_TEST(random_expressions_value_and_jacobian)
{
  int ncheck = 0, nskip = 0;
  double worst_v = 0, worst_d = 0;
  for (int trial = 0; trial < 3000; trial++) {
    ims_expr_t *fx = gen(4), *fy = gen(4);
    ck_assert(fx && fy);
    ims_expr_t *rx = ims_expr_copy(fx), *ry = ims_expr_copy(fy);
    const ims_model_t *m = compile2(fx, fy);
    double *work = calloc(m->nwork + 1, sizeof *work);
    for (int pt = 0; pt < 3; pt++) {
      env_t en = {4 * uni() - 2, 4 * uni() - 2, 4 * uni() - 2, 4 * uni() - 2, 10 * uni(), 0};
      double p[4] = {en.a, en.b, 0, 0}, y[2] = {en.X, en.Y}, f[2], J[4];
      int nd[2] = {0};
      ims_ctx_t ctx = {.p = p, .ndose = nd, .model = m, .work = work};
      if (margin(rx, &en) < 1e-6 || margin(ry, &en) < 1e-6) {
        nskip++;
        continue;
      }
      int rc = m->rhs(en.t, y, f, &ctx);
      ck_assert_int_eq(m->jac(en.t, y, J, &ctx), 0);
      const ims_expr_t *fs[2] = {rx, ry};
      dual_t ref[2][2];
      int finite = 1;
      overflowed = 0;
      for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
          en.wrt = j;
          dual_t r = ref[i][j] = ev(fs[i], &en);
          finite &= isfinite(r.v) && isfinite(r.d) && isfinite(r.bd) && r.bv < 1e12 && r.bd < 1e12;
        }
      finite &= !overflowed;
      if (!finite) { /* overflow or a domain error in the reference */
        nskip++;
        continue;
      }
      ck_assert_int_eq(rc, 0);
      for (int i = 0; i < 2; i++) {
        dual_t r0 = ref[i][0], r1 = ref[i][1];
        char s[600];
        ims_expr_print(fs[i], s, sizeof s);
        double ev_ = fabs(f[i] - r0.v) / (r0.bv + 1e-300);
        worst_v = ev_ > worst_v ? ev_ : worst_v;
        ck_assert_msg(fabs(f[i] - r0.v) <= 1e-12 * r0.bv + 1e-300,
                      "value of %s at X=%g Y=%g a=%g b=%g t=%g: %.17g, reference %.17g", s, en.X,
                      en.Y, en.a, en.b, en.t, f[i], r0.v);
        const dual_t *rr[2] = {&r0, &r1};
        for (int j = 0; j < 2; j++) {
          double e = fabs(J[i * 2 + j] - rr[j]->d);
          double tol = 1e-11 * rr[j]->bd + 1e-300;
          worst_d = e / tol > worst_d ? e / tol : worst_d;
          ck_assert_msg(e <= tol, "d/d%s of %s at X=%g Y=%g a=%g b=%g t=%g: %.17g, reference %.17g",
                        j ? "Y" : "X", s, en.X, en.Y, en.a, en.b, en.t, J[i * 2 + j], rr[j]->d);
        }
        ncheck++;
      }
    }
    free(work);
    ims_model_close(m);
    ims_expr_free(rx);
    ims_expr_free(ry);
  }
  printf("expr: %d random values and Jacobian rows checked (%d points skipped near a switch or "
         "overflow); worst %.2g and %.2g of the tolerance\n",
         ncheck, nskip, worst_v, worst_d);
  ck_assert_int_gt(ncheck, 10000);
}
END_TEST

Suite *suite_expr(void)
{
  Suite *s = suite_create("expr");
  TCase *tc = tcase_create("random");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, random_expressions_value_and_jacobian);
  suite_add_tcase(s, tc);
  return s;
}
