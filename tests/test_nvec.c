/* The tuned serial vector kernels (src/nvec.c) against SUNDIALS's own: the
 * same bits for 20,000 random cases of every replaced operation, with the
 * coefficients and aliasings that take the library's special cases. */
#include "nvec.h"
#include "tests.h"

#include <math.h>
#include <string.h>

enum { MAXN = 24, MAXV = 7, CASES = 20000 };

static uint64_t nv_rng = 0x5eed5eed12345678u; /* the cases' stream (t_unif) */

/* values of every sign and scale, zeros of both signs */
static double nv_value(void)
{
  double u = t_unif(&nv_rng);
  if (u < 0.05)
    return 0.0;
  if (u < 0.08)
    return -0.0;
  double sign = t_unif(&nv_rng) * 2 - 1, m = sign * pow(10.0, 40 * t_unif(&nv_rng) - 20);
  return u < 0.12 ? 1.0 : m;
}

/* coefficients: the library's special cases (+-1, a == b, a == -b) often */
static double nv_coef(double other)
{
  double u = t_unif(&nv_rng);
  if (u < 0.2)
    return 1.0;
  if (u < 0.35)
    return -1.0;
  if (u < 0.45)
    return other;
  if (u < 0.55)
    return -other;
  if (u < 0.6)
    return 0.0;
  return nv_value();
}

typedef struct {
  SUNContext sun;
  N_Vector lib[2 * MAXV + 2], fast[2 * MAXV + 2]; /* the same values, two kinds */
} pair_t;

static void fill(pair_t *p, int nvec, long n)
{
  for (int i = 0; i < nvec; i++)
    for (long j = 0; j < n; j++) {
      double v = nv_value();
      NV_DATA_S(p->lib[i])[j] = v;
      NV_DATA_S(p->fast[i])[j] = v;
    }
}

static void same(const pair_t *p, int nvec, long n, const char *op, int cs)
{
  for (int i = 0; i < nvec; i++)
    ck_assert_msg(memcmp(NV_DATA_S(p->lib[i]), NV_DATA_S(p->fast[i]), (size_t)n * sizeof(double)) ==
                      0,
                  "%s, case %d: vector %d differs", op, cs, i);
}

static void same_real(double a, double b, const char *op, int cs)
{
  ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s, case %d: %.17g vs %.17g", op, cs, a, b);
}

/* pick k distinct or repeated vectors from the first m (aliasing) */
static int pick(int m)
{
  return (int)(t_unif(&nv_rng) * m);
}

static void one_case(pair_t *p, int cs)
{
  long n = 1 + (long)(t_unif(&nv_rng) * MAXN);
  for (int i = 0; i < 2 * MAXV + 2; i++) {
    N_VDestroy(p->lib[i]);
    N_VDestroy(p->fast[i]);
    p->lib[i] = N_VNew_Serial(n, p->sun);
    N_VEnableFusedOps_Serial(p->lib[i], SUNTRUE);
    p->fast[i] = N_VClone(p->lib[i]);
  }
  /* the tuned kind: tune one, clone the others from it (as CVODES does) */
  N_VDestroy(p->fast[0]);
  p->fast[0] = N_VNew_Serial(n, p->sun);
  N_VEnableFusedOps_Serial(p->fast[0], SUNTRUE);
  ims__nvec_tune(p->fast[0]);
  ck_assert(p->fast[0]->ops->nvlinearsum != N_VLinearSum_Serial); /* else nothing is tested */
  for (int i = 1; i < 2 * MAXV + 2; i++) {
    N_VDestroy(p->fast[i]);
    p->fast[i] = N_VClone(p->fast[0]);
  }
  int nv = 2 * MAXV + 2;
  fill(p, nv, n);
  double a = nv_coef(nv_value()), b = nv_coef(a), c = nv_coef(a);
  int x = pick(3), y = pick(3), z = pick(3);
  N_VLinearSum_Serial(a, p->lib[x], b, p->lib[y], p->lib[z]);
  N_VLinearSum(a, p->fast[x], b, p->fast[y], p->fast[z]);
  same(p, 3, n, "N_VLinearSum", cs);
  N_VScale_Serial(c, p->lib[x], p->lib[z]);
  N_VScale(c, p->fast[x], p->fast[z]);
  same(p, 3, n, "N_VScale", cs);
  N_VAbs_Serial(p->lib[x], p->lib[z]);
  N_VAbs(p->fast[x], p->fast[z]);
  N_VProd_Serial(p->lib[x], p->lib[y], p->lib[3]);
  N_VProd(p->fast[x], p->fast[y], p->fast[3]);
  N_VDiv_Serial(p->lib[x], p->lib[y], p->lib[4]);
  N_VDiv(p->fast[x], p->fast[y], p->fast[4]);
  N_VInv_Serial(p->lib[y], p->lib[5]);
  N_VInv(p->fast[y], p->fast[5]);
  N_VAddConst_Serial(p->lib[x], c, p->lib[6]);
  N_VAddConst(p->fast[x], c, p->fast[6]);
  same(p, 7, n, "N_VAbs/Prod/Div/Inv/AddConst", cs);
  same_real(N_VWrmsNorm_Serial(p->lib[x], p->lib[y]), N_VWrmsNorm(p->fast[x], p->fast[y]),
            "N_VWrmsNorm", cs);
  same_real(N_VWSqrSumLocal_Serial(p->lib[x], p->lib[y]), N_VWSqrSumLocal(p->fast[x], p->fast[y]),
            "N_VWSqrSumLocal", cs);
  same_real(N_VMaxNorm_Serial(p->lib[x]), N_VMaxNorm(p->fast[x]), "N_VMaxNorm", cs);
  N_VConst_Serial(c, p->lib[z]);
  N_VConst(c, p->fast[z]);
  same(p, 3, n, "N_VConst", cs);

  /* fused: X[0] may be z (CVodeGetDky, the corrector), c[0] may be 1 */
  int k = 1 + pick(MAXV - 1);
  double cf[MAXV];
  N_Vector XL[MAXV], XF[MAXV], YL[MAXV], YF[MAXV], ZL[MAXV], ZF[MAXV];
  fill(p, nv, n);
  for (int i = 0; i < k; i++) {
    cf[i] = nv_coef(a);
    XL[i] = p->lib[1 + i], XF[i] = p->fast[1 + i];
    YL[i] = p->lib[1 + MAXV + i], YF[i] = p->fast[1 + MAXV + i];
  }
  int zi = t_unif(&nv_rng) < 0.5 ? 1 : 0; /* z is X[0], or its own vector */
  N_VLinearCombination_Serial(k, cf, XL, p->lib[zi]);
  N_VLinearCombination(k, cf, XF, p->fast[zi]);
  same(p, nv, n, "N_VLinearCombination", cs);
  int inplace = t_unif(&nv_rng) < 0.5;
  for (int i = 0; i < k; i++)
    ZL[i] = inplace ? YL[i] : p->lib[1 + i], ZF[i] = inplace ? YF[i] : p->fast[1 + i];
  N_VScaleAddMulti_Serial(k, cf, p->lib[0], YL, inplace ? YL : ZL);
  N_VScaleAddMulti(k, cf, p->fast[0], YF, inplace ? YF : ZF);
  same(p, nv, n, "N_VScaleAddMulti", cs);
  N_VScaleVectorArray_Serial(k, cf, XL, inplace ? XL : YL);
  N_VScaleVectorArray(k, cf, XF, inplace ? XF : YF);
  same(p, nv, n, "N_VScaleVectorArray", cs);
}

START_TEST(nvec_same_bits)
{
  pair_t p;
  memset(&p, 0, sizeof p);
  ck_assert_int_eq(SUNContext_Create(NULL, &p.sun), 0);
  for (int cs = 0; cs < CASES; cs++)
    one_case(&p, cs);
  for (int i = 0; i < 2 * MAXV + 2; i++) {
    N_VDestroy(p.lib[i]);
    N_VDestroy(p.fast[i]);
  }
  SUNContext_Free(&p.sun);
  printf("nvec: %d random cases of every tuned kernel, the same bits as nvector_serial\n", CASES);
}
END_TEST

/* A vector of another kind, or one already tuned, is left as it is. */
START_TEST(nvec_other_kinds_untouched)
{
  SUNContext sun;
  ck_assert_int_eq(SUNContext_Create(NULL, &sun), 0);
  N_Vector v = N_VNew_Serial(3, sun);
  ims__nvec_tune(v);
  void (*tuned)(sunrealtype, N_Vector, sunrealtype, N_Vector, N_Vector) = v->ops->nvlinearsum;
  ck_assert(tuned != N_VLinearSum_Serial);
  ck_assert(v->ops->nvlinearcombination == NULL); /* fused stay off when they were */
  ims__nvec_tune(v);
  ck_assert(v->ops->nvlinearsum == tuned);
  ims__nvec_tune(NULL);
  N_VDestroy(v);
  SUNContext_Free(&sun);
}
END_TEST

Suite *suite_nvec(void)
{
  Suite *s = suite_create("nvec");
  TCase *tc = tcase_create("nvec");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, nvec_same_bits);
  tcase_add_test(tc, nvec_other_kinds_untouched);
  suite_add_tcase(s, tc);
  return s;
}
