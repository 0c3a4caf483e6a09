/* The expression IR, evaluator and symbolic differentiator against an
 * independent reference: thousands of random expressions (fixed seed) are
 * compiled into a two-state model and evaluated both by the bytecode and by
 * a recursive dual-number evaluator of the IR written here, which gives each
 * value, its exact derivative and a bound of the rounding (the same sums with
 * absolute values).  Plus parsing, printing, units and switching functions. */
#include "tests.h"

#include <math.h>
#include <sbml/SBMLTypes.h>
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

/* One unit system for the thousands of compiles here (loading one takes ms). */
static ims_unitcheck_t *checker(void)
{
  static ims_unitcheck_t *u;
  ims_err_t err;
  if (!u)
    ck_assert_msg(ims_unitcheck_alloc(&u, &err) == 0, "%s", err.msg);
  return u;
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
  /* t is in days: units are not the point here */
  ims_mdl_opts_t o = {.no_unit_check = 1, .units = checker()};
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

/* ---- printing and parsing ------------------------------------------------------ */

/* Print a random expression in the model-file syntax, parse it back, and
 * compile both: the same doubles everywhere (precedence, signs, n-ary sums,
 * numbers to 17 digits all survive the round trip). */
START_TEST(print_parse_round_trip)
{
  int nsame = 0;
  for (int trial = 0; trial < 1500; trial++) {
    ims_expr_t *e = gen(4);
    char text[8192];
    ck_assert_int_lt(ims_expr_print(e, text, sizeof text), (int)sizeof text);
    ims_expr_t *back;
    ims_err_t err = {0};
    ck_assert_msg(ims_expr_parse(text, &back, &err) == 0, "'%s': %s", text, err.msg);
    const ims_model_t *m1 = compile2(e, num(0)), *m2 = compile2(back, num(0));
    double *w1 = calloc(m1->nwork + 1, sizeof *w1), *w2 = calloc(m2->nwork + 1, sizeof *w2);
    for (int pt = 0; pt < 4; pt++) {
      double p[4] = {4 * uni() - 2, 4 * uni() - 2, 0, 0}, y[2] = {4 * uni() - 2, 4 * uni() - 2};
      double f1[2], f2[2], t = 10 * uni();
      int nd[2] = {0};
      ims_ctx_t c1 = {.p = p, .ndose = nd, .model = m1, .work = w1};
      ims_ctx_t c2 = {.p = p, .ndose = nd, .model = m2, .work = w2};
      m1->rhs(t, y, f1, &c1);
      m2->rhs(t, y, f2, &c2);
      ck_assert_msg(memcmp(&f1[0], &f2[0], sizeof f1[0]) == 0 || (isnan(f1[0]) && isnan(f2[0])),
                    "'%s': %.17g after printing and parsing, %.17g before", text, f2[0], f1[0]);
      nsame++;
    }
    free(w1);
    free(w2);
    ims_model_close(m1);
    ims_model_close(m2);
  }
  ck_assert_int_eq(nsame, 6000);
}
END_TEST

START_TEST(parse_syntax)
{
  static const struct {
    const char *text, *printed;
  } ok[] = {
      {"a and b or not c", "a && b || !c"},
      {"ifelse(x > 1, a, b)", "piecewise(a, x > 1, b)"},
      {"log(x) + log10(x) + log(2, x)", "log(x) + log10(x) + log(2, x)"},
      {"t + time", "t + t"},
      {"2 d + 3", "2 d + 3"},
      {"x < y < z", "x < y && y < z"},
      {"-x^2", "-x^2"},
      {"(a - b) - (c - d)", "a - b - (c - d)"},
      {"a / (b * c)", "a/(b*c)"},
      {"pow(x, 3) + sqrt(x) + root(3, x)", "x^3 + sqrt(x) + root(3, x)"},
      {"pi*exponentiale", "3.1415926535897931*2.7182818284590451"},
      {"and(a, b, c) || xor(a, b)", "a && b && c || xor(a, b)"},
      /* built-in names are lower case: PI, Pi, Exp(x) are the model's own */
      {"PI + Pi*Exp(x) + rateOf(x)", "PI + Pi*Exp(x) + rateOf(x)"},
      {"max(doses(A), 1)", "max(doses(A), 1)"},
  };
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    ims_expr_t *e;
    ims_err_t err = {0};
    ck_assert_msg(ims_expr_parse(ok[i].text, &e, &err) == 0, "%s: %s", ok[i].text, err.msg);
    char buf[256];
    ims_expr_print(e, buf, sizeof buf);
    ck_assert_msg(!strcmp(buf, ok[i].printed), "'%s' printed as '%s', want '%s'", ok[i].text, buf,
                  ok[i].printed);
    ims_expr_free(e);
  }
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {"a +* b", "4: syntax error, unexpected '*'"},
      {"(a", "2: syntax error, unexpected end of string"},
      {"a b", "3: syntax error, unexpected element name"},
      {"ifelse(a, b)", "1: ifelse(condition, yes, no) takes 3 arguments, not 2;"},
      {"doses(2*A)", "1: doses(STATE) takes the name of a state;"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    ims_expr_t *e;
    ims_err_t err = {0};
    ck_assert_int_eq(ims_expr_parse(bad[i].text, &e, &err), IMS_EINPUT);
    ck_assert_msg(!strcmp(err.msg, bad[i].msg), "'%s': '%s', want '%s'", bad[i].text, err.msg,
                  bad[i].msg);
  }
}
END_TEST

/* MathML as SBML gives it: csymbols, logbase, degree, piecewise with
 * otherwise, n-ary relations, numbers with units through unit_of. */
static const char *unit_map(void *ud, const char *sid)
{
  (void)ud;
  return !strcmp(sid, "per_day") ? "1/d" : NULL;
}

START_TEST(from_mathml)
{
  const char *ns = "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" "
                   "xmlns:sbml=\"http://www.sbml.org/sbml/level3/version2/core\">";
  static const struct {
    const char *xml, *printed;
  } cases[] = {
      {"<apply><times/><ci>k</ci><ci>S</ci></apply>", "k*S"},
      {"<apply><plus/><csymbol encoding=\"text\" "
       "definitionURL=\"http://www.sbml.org/sbml/symbols/time\">t</csymbol><csymbol "
       "encoding=\"text\" definitionURL=\"http://www.sbml.org/sbml/symbols/avogadro\">N"
       "</csymbol></apply>",
       "t + avogadro"},
      {"<apply><log/><logbase><cn>2</cn></logbase><ci>x</ci></apply>", "log(2, x)"},
      {"<apply><log/><ci>x</ci></apply>", "log10(x)"},
      {"<apply><root/><degree><cn>3</cn></degree><ci>x</ci></apply>", "root(3, x)"},
      {"<apply><root/><ci>x</ci></apply>", "sqrt(x)"},
      {"<piecewise><piece><cn>1</cn><apply><lt/><ci>x</ci><cn>0</cn></apply></piece>"
       "<otherwise><cn>2</cn></otherwise></piecewise>",
       "piecewise(1, x < 0, 2)"},
      {"<apply><leq/><ci>a</ci><ci>b</ci><ci>c</ci></apply>", "a <= b && b <= c"},
      {"<apply><minus/><cn sbml:units=\"per_day\">0.5</cn></apply>", "-(0.5 1/d)"},
      {"<apply><ci>f</ci><ci>x</ci><cn type=\"rational\">1<sep/>4</cn></apply>", "f(x, 0.25)"},
      {"<apply><csymbol encoding=\"text\" "
       "definitionURL=\"http://www.sbml.org/sbml/symbols/rateOf\">rateOf</csymbol><ci>S</ci>"
       "</apply>",
       "rateOf(S)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char xml[1024];
    snprintf(xml, sizeof xml, "%s%s</math>", ns, cases[i].xml);
    ASTNode_t *ast = readMathMLFromString(xml);
    ck_assert_msg(ast != NULL, "libsbml cannot read %s", xml);
    ims_expr_t *e;
    ims_err_t err = {0};
    ck_assert_msg(ims_expr_from_ast(ast, unit_map, NULL, &e, &err) == 0, "%s: %s", xml, err.msg);
    char buf[256];
    ims_expr_print(e, buf, sizeof buf);
    ck_assert_msg(!strcmp(buf, cases[i].printed), "%s: '%s', want '%s'", cases[i].xml, buf,
                  cases[i].printed);
    ims_expr_free(e);
    ASTNode_free(ast);
  }
  char xml[512];
  snprintf(xml, sizeof xml,
           "%s<apply><csymbol encoding=\"text\" "
           "definitionURL=\"http://www.sbml.org/sbml/symbols/delay\">delay</csymbol>"
           "<ci>x</ci><cn>1</cn></apply></math>",
           ns);
  ASTNode_t *ast = readMathMLFromString(xml);
  ims_expr_t *e;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_expr_from_ast(ast, NULL, NULL, &e, &err), 0);
  ck_assert_int_eq(e->op, IMS_X_DELAY); /* represented; the compiler refuses it */
  ims_expr_free(e);
  ASTNode_free(ast);
}
END_TEST

/* ---- units, switches, rateOf, functions, the builder ----------------------------- */

static const ims_model_t *read_model(const char *text, int no_check, ims_err_t *err)
{
  const ims_model_t *m = NULL;
  ims_open_opts_t o = {.no_unit_check = no_check, .units = checker()};
  if (ims_model_read_mem(&m, "t.model", text, strlen(text), &o, err) != 0)
    return NULL;
  return m;
}

/* Unit-correct models the checker must accept (each line becomes one model). */
START_TEST(units_accepted)
{
  static const char *const eqs[] = {
      "d/dt(X) = k*X - 0",                           /* 0 fits any unit */
      "d/dt(X) = piecewise(k*X, X > 0, 0)",          /* 0 in a piecewise and a comparison */
      "d/dt(X) = k*X*exp(-t/tau)",                   /* dimensionless exponent */
      "d/dt(X) = k*X*(t/tau)^h/(1 + (t/tau)^h)",     /* a power of a dimensionless base */
      "d/dt(X) = k*sqrt(X*X0)",                      /* sqrt of cell^2 */
      "d/dt(X) = k*X^2/X0",                          /* a constant integer power */
      "d/dt(X) = k*root(3, X*X*X)",                  /* root of cell^3 */
      "d/dt(X) = k*X*piecewise(1, t < 2 d, 0.5)",    /* a number with a unit */
      "d/dt(X) = k*X*min(1, X/X0, 2)",               /* min of dimensionless values */
      "d/dt(X) = k*X*log(X/X0 + 1)*sin(2*pi*t/tau)", /* functions of dimensionless values */
      "d/dt(X) = k*X + k*X0*0",                      /* anything times 0 */
      "d/dt(X) = -k*X*ifelse(X > X0 and t > tau, 1, 0)",
  };
  for (size_t i = 0; i < sizeof eqs / sizeof *eqs; i++) {
    char text[1024];
    snprintf(text, sizeof text,
             "time d\nstate X cell\nparam k 0.1 1/d\nparam tau 2 d\nparam h 1.5 1\n"
             "param X0 1e6 cell\n%s\n",
             eqs[i]);
    ims_err_t err = {0};
    const ims_model_t *m = read_model(text, 0, &err);
    ck_assert_msg(m != NULL, "%s: %s", eqs[i], err.msg);
    ims_model_close(m);
  }
}
END_TEST

/* Conditions on t and on states become switching functions whose sign
 * changes exactly where the condition flips; conditions on parameters only
 * do not. */
START_TEST(switching_functions)
{
  ims_err_t err = {0};
  const ims_model_t *m =
      read_model("time d\nstate X cell\nparam k 0.1 1/d\nparam K 5 cell\nparam on 1 1\n"
                 "d/dt(X) = piecewise(k*X, t < 3 d, -k*X) + piecewise(k*K, X > K and on > 0, 0)"
                 " + piecewise(k*X, on == 1, 0)\n",
                 0, &err);
  ck_assert_msg(m != NULL, "%s", err.msg);
  ck_assert_int_eq(m->nswitch, 2); /* t < 3 and X > K; on > 0, on == 1 are constants */
  double *w = calloc(m->nwork + 1, sizeof *w), p[4] = {0.1, 5, 1, 0}, g[2], g2[2];
  int nd[1] = {0};
  ims_ctx_t c = {.p = p, .ndose = nd, .model = m, .work = w};
  double y = 4, y2 = 6;
  ck_assert_int_eq(m->switches(2.5, &y, g, &c), 0);
  ck_assert_int_eq(m->switches(3.5, &y2, g2, &c), 0);
  for (int k = 0; k < 2; k++) /* both conditions flipped between the two points */
    ck_assert_msg(g[k] * g2[k] < 0, "switch %d: %g then %g", k, g[k], g2[k]);
  double f1, f2, yy = 4;
  m->rhs(2.999, &yy, &f1, &c);
  m->rhs(3.001, &yy, &f2, &c);
  ck_assert_double_eq_tol(f1, 0.4 + 0.4, 1e-15);
  ck_assert_double_eq_tol(f2, -0.4 + 0.4, 1e-15);
  free(w);
  ims_model_close(m);
}
END_TEST

/* rateOf, intermediates in any order, functions, output units, X_0 in other units. */
START_TEST(semantics)
{
  ims_err_t err = {0};
  const ims_model_t *m =
      read_model("time d\nstate X mg\nstate Y mg\nparam k 0.5 1/d\nparam X_0 2000 ug\n"
                 "function hill(x, n) = x^n/(1 + x^n)\n"
                 "v = u*2\nu = X*X/(1 mg)\n"
                 "output H 1 = hill(X/(1 mg), 2)\n"
                 "d/dt(X) = -k*X\nd/dt(Y) = rateOf(v) + rateOf(k)*Y*(1 d)\n",
                 0, &err);
  ck_assert_msg(m != NULL, "%s", err.msg);
  ck_assert_double_eq_tol(m->y0_def[0], 2, 1e-15); /* 2000 ug in mg */
  double *w = calloc(m->nwork + 1, sizeof *w), p[4] = {0.5, 2, 0, 0}, y[2] = {3, 0}, f[2], o[1];
  double J[4];
  int nd[2] = {0};
  ims_ctx_t c = {.p = p, .ndose = nd, .model = m, .work = w};
  m->rhs(0, y, f, &c);
  ck_assert_double_eq_tol(f[0], -1.5, 1e-15);
  ck_assert_double_eq_tol(f[1], 4 * 3 * -1.5, 1e-13); /* d(2X^2)/dt = 4 X X' */
  m->output(0, y, o, &c);
  ck_assert_double_eq_tol(o[0], 9.0 / 10, 1e-15);
  m->jac(0, y, J, &c);
  ck_assert_double_eq_tol(J[2], 4 * -1.5 + 4 * 3 * -0.5, 1e-13); /* d/dX (4 X (-k X)) */
  free(w);
  ims_model_close(m);
}
END_TEST

/* The builder as an importer uses it: reaction terms added one by one, a
 * computed parameter, an initial expression, an event (represented and
 * checked, not run). */
START_TEST(builder)
{
  ims_mdl_t *d;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_mdl_alloc(&d, "ab", &err), 0);
  ck_assert_int_eq(ims_mdl_set(d, &d->time_unit, "s", &err), 0);
  int A = ims_mdl_add_state(d, "A", "mol", NULL, 1, 3, 1, &err);
  int Bs = ims_mdl_add_state(d, "B", "mol", NULL, 0, 4, 1, &err);
  ck_assert_int_ge(ims_mdl_add_param(d, "k1", 0.2, "1/s", NULL, 0, 5, 1, &err), 0);
  int k2 = ims_mdl_add_param(d, "k2", 0, "1/s", NULL, 0, 6, 1, &err);
  d->params[k2].init =
      (ims_mdl_eq_t){ims_expr_op2(IMS_X_MUL, num(2), ims_expr_name("k1")), NULL, 6, 1};
  ims_expr_t *r1 = ims_expr_op2(IMS_X_MUL, ims_expr_name("k1"), ims_expr_name("A"));
  ims_expr_t *r2 = ims_expr_op2(IMS_X_MUL, ims_expr_name("k2"), ims_expr_name("B"));
  ck_assert_int_eq(ims_mdl_add_rate_term(d, A, ims_expr_op1(IMS_X_NEG, ims_expr_copy(r1)), &err),
                   A);
  ck_assert_int_eq(ims_mdl_add_rate_term(d, A, ims_expr_copy(r2), &err), A);
  ck_assert_int_eq(ims_mdl_add_rate_term(d, Bs, r1, &err), Bs);
  ck_assert_int_eq(ims_mdl_add_rate_term(d, Bs, ims_expr_op1(IMS_X_NEG, r2), &err), Bs);
  d->states[Bs].init =
      (ims_mdl_eq_t){ims_expr_op2(IMS_X_MUL, num(0.5), ims_expr_name("A")), NULL, 4, 1};
  int ev = ims_mdl_add_event(
      d, "e1",
      (ims_mdl_eq_t){ims_expr_op2(IMS_X_GT, ims_expr_op(IMS_X_TIME, 0, NULL), ims_expr_num(5, "s")),
                     NULL, 7, 1},
      7, 1, &err);
  ck_assert_int_eq(
      ims_mdl_add_assign(d, ev, "A", (ims_mdl_eq_t){ims_expr_num(1, "mol"), NULL, 7, 1}, &err), 0);
  ims_model_t *m;
  ck_assert_msg(ims_mdl_compile(d, NULL, &m, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(m->nparams, 1); /* k2 is computed from k1 */
  ck_assert_ptr_nonnull(m->init_ctx);
  double *w = calloc(m->nwork + 1, sizeof *w), p[3] = {0.2, 1, 0}, y[2] = {1, 0}, f[2];
  int nd[2] = {0};
  ims_ctx_t c = {.p = p, .ndose = nd, .model = m, .work = w};
  m->init_ctx(y, &c);
  ck_assert_double_eq_tol(y[1], 0.5, 1e-15);
  m->rhs(0, y, f, &c);
  ck_assert_double_eq_tol(f[0], -0.2 + 0.4 * 0.5, 1e-15);
  ck_assert_double_eq_tol(f[0] + f[1], 0, 1e-15); /* mass conservation */
  ck_assert_int_eq(ims_mdl_of(m)->nevents, 1);
  double ev4[4], ev6[4];
  ck_assert_int_eq(ims_mdl_event_eval(m, 0, 4, y, &c, ev4), 0);
  ck_assert_int_eq(ims_mdl_event_eval(m, 0, 6, y, &c, ev6), 0);
  ck_assert(ev4[0] == 0 && ev6[0] == 1 && isnan(ev4[1]) && isnan(ev4[2]) && ev6[3] == 1);
  ck_assert_int_eq(ims_mdl_event_eval(m, 1, 6, y, &c, ev6), -1);
  free(w);
  ims_mdl_model_free(m);

  /* importers' ids are just names: species S and S_0 side by side (no
   * <STATE>_0 convention without init_names) */
  ck_assert_int_eq(ims_mdl_alloc(&d, "ids", &err), 0);
  ck_assert_int_eq(ims_mdl_add_state(d, "S", "mol", NULL, 1, 1, 1, &err), 0);
  ck_assert_int_eq(ims_mdl_add_state(d, "S_0", "mol", NULL, 2, 2, 1, &err), 1);
  ck_assert_int_ge(ims_mdl_set_rate(d, 0,
                                    (ims_mdl_eq_t){ims_expr_op2(IMS_X_DIV, ims_expr_name("S_0"),
                                                                ims_expr_num(1, "s")),
                                                   NULL, 3, 1},
                                    &err),
                   0);
  ck_assert_int_ge(ims_mdl_set_rate(d, 1, (ims_mdl_eq_t){num(0), NULL, 4, 1}, &err), 0);
  ck_assert_int_eq(ims_mdl_set(d, &d->time_unit, "s", &err), 0);
  ck_assert_msg(ims_mdl_compile(d, NULL, &m, &err) == 0, "%s", err.msg);
  ims_mdl_model_free(m);

  /* an event assigning to an unknown target, and one with a wrong unit */
  const char *const bad[][2] = {{"C", "1 mol"}, {"A", "1 s"}};
  const char *const want[] = {"ab:7:1: event e1 assigns to 'C', which is not a state or a "
                              "parameter",
                              "ab:7:1: the assigned value must be in mol but '1 s' is s"};
  for (int k = 0; k < 2; k++) {
    ck_assert_int_eq(ims_mdl_alloc(&d, "ab", &err), 0);
    ck_assert_int_ge(ims_mdl_add_state(d, "A", "mol", NULL, 1, 3, 1, &err), 0);
    ck_assert_int_ge(ims_mdl_set_rate(d, 0, (ims_mdl_eq_t){num(0), NULL, 4, 1}, &err), 0);
    ev = ims_mdl_add_event(d, "e1", (ims_mdl_eq_t){ims_expr_num(1, NULL), NULL, 7, 1}, 7, 1, &err);
    ims_expr_t *v;
    ck_assert_int_eq(ims_expr_parse(bad[k][1], &v, &err), 0);
    ck_assert_int_eq(ims_mdl_add_assign(d, ev, bad[k][0], (ims_mdl_eq_t){v, NULL, 7, 1}, &err), 0);
    ck_assert_int_eq(ims_mdl_compile(d, NULL, &m, &err), IMS_EINPUT);
    ck_assert_msg(!strcmp(err.msg, want[k]), "'%s', want '%s'", err.msg, want[k]);
  }
}
END_TEST

/* A large sparse network as an importer builds it: a chain of 400 states
 * A_i -> A_(i+1) at rate k_i A_i, one reaction term at a time.  The Jacobian
 * has exactly 799 non-zeros and the model compiles quickly (dependency sets
 * skip the 160,000 - 799 zero derivatives without visiting them). */
START_TEST(large_sparse_network)
{
  enum { N = 400 };
  ims_mdl_t *d;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_mdl_alloc(&d, "chain", &err), 0);
  char nm[32], kn[32];
  for (int i = 0; i < N; i++) {
    snprintf(nm, sizeof nm, "A%d", i);
    snprintf(kn, sizeof kn, "k%d", i);
    ck_assert_int_eq(ims_mdl_add_state(d, nm, "mol", NULL, i == 0, i + 1, 1, &err), i);
    ck_assert_int_eq(ims_mdl_add_param(d, kn, 0.01 * (i + 1), "1/d", NULL, 0, i + 1, 1, &err), i);
  }
  for (int i = 0; i < N; i++) {
    snprintf(nm, sizeof nm, "A%d", i);
    snprintf(kn, sizeof kn, "k%d", i);
    ims_expr_t *flux = ims_expr_op2(IMS_X_MUL, ims_expr_name(kn), ims_expr_name(nm));
    if (i + 1 < N)
      ck_assert_int_eq(ims_mdl_add_rate_term(d, i + 1, ims_expr_copy(flux), &err), i + 1);
    ck_assert_int_eq(ims_mdl_add_rate_term(d, i, ims_expr_op1(IMS_X_NEG, flux), &err), i);
  }
  ims_model_t *m;
  ims_mdl_opts_t o = {.units = checker()};
  ck_assert_msg(ims_mdl_compile(d, &o, &m, &err) == 0, "%s", err.msg);
  double *w = calloc(m->nwork + 1, sizeof *w), *p = calloc(2 * N, sizeof *p);
  double *y = calloc(N, sizeof *y), *f = calloc(N, sizeof *f), *J = calloc(N * N, sizeof *J);
  int *nd = calloc(N, sizeof *nd);
  for (int i = 0; i < N; i++) {
    p[i] = 0.01 * (i + 1);
    y[i] = 1.0 / (i + 1);
  }
  ims_ctx_t c = {.p = p, .ndose = nd, .model = m, .work = w};
  ck_assert_int_eq(m->rhs(0, y, f, &c), 0);
  ck_assert_int_eq(m->jac(0, y, J, &c), 0);
  int nz = 0;
  double sum = 0;
  for (int i = 0; i < N; i++) {
    sum += f[i];
    for (int j = 0; j < N; j++)
      nz += J[i * N + j] != 0;
    ck_assert_double_eq(J[i * N + i], -p[i]);
    if (i)
      ck_assert_double_eq(J[i * N + i - 1], p[i - 1]);
  }
  ck_assert_int_eq(nz, 2 * N - 1);
  ck_assert_double_eq_tol(sum, -p[N - 1] * y[N - 1], 1e-15); /* only the last flux leaves */
  free(w);
  free(p);
  free(y);
  free(f);
  free(J);
  free(nd);
  ims_mdl_model_free(m);
}
END_TEST

/* Equations continue over lines while a parenthesis is open or a line ends
 * with an operator; text lines never do; positions stay those of the file. */
START_TEST(continuation_lines)
{
  ims_err_t err = {0};
  const ims_model_t *m = read_model("title A model (draft\ncite Somebody et al., pp. 295-\ntime d\n"
                                    "state X cell # a comment (with a parenthesis\n"
                                    "param k 0.1 1/d \"rate # not a comment\"\n"
                                    "d/dt(X) = k*X*(1 +\n   X/(1e9 cell)) -\n  k*X\n",
                                    0, &err);
  ck_assert_msg(m != NULL, "%s", err.msg);
  ck_assert_str_eq(m->title, "A model (draft");
  ck_assert_str_eq(m->params[0].desc, "rate # not a comment");
  ims_model_close(m);
  m = read_model("time d\nstate X cell\nparam k 0.1 1/d\nd/dt(X) = k*(X +\n  2 * * X)\n", 0, &err);
  ck_assert_ptr_null(m);
  ck_assert_str_eq(err.msg, "t.model:5:7: syntax error, unexpected '*' in d/dt(X)");
}
END_TEST

Suite *suite_expr(void)
{
  Suite *s = suite_create("expr");
  TCase *tc = tcase_create("random");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, random_expressions_value_and_jacobian);
  tcase_add_test(tc, print_parse_round_trip);
  tcase_add_test(tc, parse_syntax);
  tcase_add_test(tc, from_mathml);
  tcase_add_test(tc, units_accepted);
  tcase_add_test(tc, switching_functions);
  tcase_add_test(tc, semantics);
  tcase_add_test(tc, builder);
  tcase_add_test(tc, large_sparse_network);
  tcase_add_test(tc, continuation_lines);
  suite_add_tcase(s, tc);
  return s;
}
