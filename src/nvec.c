/* Serial N_Vector kernels built with this library's optimisation (nvec.h
 * says why).  Each keeps the arithmetic of nvector_serial: where the library
 * takes a special case that rounds differently (c*(x+y) for a == b), so do
 * these; where a special case is only a shortcut (x + y for a == b == 1),
 * the general formula gives the same bits and is used. */
#include "nvec.h"

#include <math.h>

#define LEN(v) ((long)NV_LENGTH_S(v))
#define DAT(v) NV_DATA_S(v)

static void lin_sum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y, N_Vector z)
{
  long n = LEN(x);
  double *xd = DAT(x), *yd = DAT(y), *zd = DAT(z);
  if (z == y && b == 1.0) { /* y += a x; a == +-1 rounds as the product form */
    for (long i = 0; i < n; i++)
      yd[i] += a * xd[i];
    return;
  }
  if (z == x && a == 1.0) {
    for (long i = 0; i < n; i++)
      xd[i] += b * yd[i];
    return;
  }
  /* a == b and a == -b take the factored forms unless a coefficient is +-1,
   * where the product form is the same bits */
  if (a == b && a != 1.0 && a != -1.0) {
    for (long i = 0; i < n; i++)
      zd[i] = a * (xd[i] + yd[i]);
    return;
  }
  if (a == -b && a != 1.0 && a != -1.0) {
    for (long i = 0; i < n; i++)
      zd[i] = a * (xd[i] - yd[i]);
    return;
  }
  for (long i = 0; i < n; i++)
    zd[i] = a * xd[i] + b * yd[i];
}

static void cnst(sunrealtype c, N_Vector z)
{
  long n = LEN(z);
  double *zd = DAT(z);
  for (long i = 0; i < n; i++)
    zd[i] = c;
}

static void prod(N_Vector x, N_Vector y, N_Vector z)
{
  long n = LEN(x);
  double *xd = DAT(x), *yd = DAT(y), *zd = DAT(z);
  for (long i = 0; i < n; i++)
    zd[i] = xd[i] * yd[i];
}

static void divide(N_Vector x, N_Vector y, N_Vector z)
{
  long n = LEN(x);
  double *xd = DAT(x), *yd = DAT(y), *zd = DAT(z);
  for (long i = 0; i < n; i++)
    zd[i] = xd[i] / yd[i];
}

static void scale(sunrealtype c, N_Vector x, N_Vector z)
{
  long n = LEN(x);
  double *xd = DAT(x), *zd = DAT(z);
  if (c == -1.0 && z != x) { /* the library negates; -1*NaN may keep its sign */
    for (long i = 0; i < n; i++)
      zd[i] = -xd[i];
    return;
  }
  for (long i = 0; i < n; i++)
    zd[i] = c * xd[i];
}

static void vabs(N_Vector x, N_Vector z)
{
  long n = LEN(x);
  double *xd = DAT(x), *zd = DAT(z);
  for (long i = 0; i < n; i++)
    zd[i] = fabs(xd[i]);
}

static void inv(N_Vector x, N_Vector z)
{
  long n = LEN(x);
  double *xd = DAT(x), *zd = DAT(z);
  for (long i = 0; i < n; i++)
    zd[i] = 1.0 / xd[i];
}

static void add_const(N_Vector x, sunrealtype b, N_Vector z)
{
  long n = LEN(x);
  double *xd = DAT(x), *zd = DAT(z);
  for (long i = 0; i < n; i++)
    zd[i] = xd[i] + b;
}

static sunrealtype wsqr_sum(N_Vector x, N_Vector w)
{
  long n = LEN(x);
  double *xd = DAT(x), *wd = DAT(w), s = 0.0;
  for (long i = 0; i < n; i++) {
    double p = xd[i] * wd[i];
    s += p * p;
  }
  return s;
}

static sunrealtype wrms_norm(N_Vector x, N_Vector w)
{
  double s = wsqr_sum(x, w) / (double)LEN(x);
  return s <= 0.0 ? 0.0 : sqrt(s);
}

/* Two WRMS norms, and the larger: of the entries before the first weight 0
 * (a vector's states), and of the entries after it (quadratures carried in
 * the state vector, src/sim_aug.c); CVODES takes the larger of the states'
 * and the quadratures' norms the same way.  CVODE's weights are never 0
 * (1/(rtol |y| + atol) of a finite sum), so only the separator is.  The
 * states' part is the same bits as nvector_serial's norm of them alone, and
 * so is the result whenever it is the larger. */
static sunrealtype wrms_norm_split(N_Vector x, N_Vector w)
{
  long n = LEN(x), m = 0, k = 0;
  double *xd = DAT(x), *wd = DAT(w), s = 0.0, r = 0.0;
  for (; m < n && wd[m] != 0.0; m++) {
    double p = xd[m] * wd[m];
    s += p * p;
  }
  /* the integrals' part owes no bits to anything: four sums in turn, so
   * the adds need not wait for one another */
  double r4[4] = {0, 0, 0, 0};
  for (long i = m + 1; i < n; i++) {
    double p = xd[i] * wd[i];
    r4[(i - m - 1) & 3] += p * p;
  }
  k = n > m + 1 ? n - m - 1 : 0;
  r = (r4[0] + r4[1]) + (r4[2] + r4[3]);
  s = m ? s / (double)m : 0.0;
  s = s <= 0.0 ? 0.0 : sqrt(s);
  r = k ? r / (double)k : 0.0;
  r = r <= 0.0 ? 0.0 : sqrt(r);
  /* a NaN among the states fails the step, as it always did; one among the
   * integrals (the AUC of an output that is -Inf at 0, say) does not stop
   * the run: the AUC is written as it is */
  return r > s ? r : s;
}

static sunrealtype max_norm(N_Vector x)
{
  long n = LEN(x);
  double *xd = DAT(x), m = 0.0;
  for (long i = 0; i < n; i++)
    if (fabs(xd[i]) > m)
      m = fabs(xd[i]);
  return m;
}

/* z = sum c[i] X[i], accumulated vector by vector as the library does */
static int lin_comb(int nv, sunrealtype *c, N_Vector *X, N_Vector z)
{
  if (nv < 1)
    return -1;
  if (nv == 1) {
    scale(c[0], X[0], z);
    return 0;
  }
  if (nv == 2) {
    lin_sum(c[0], X[0], c[1], X[1], z);
    return 0;
  }
  long n = LEN(z);
  double *zd = DAT(z);
  if (X[0] != z || c[0] != 1.0) {
    double *x0 = DAT(X[0]);
    for (long j = 0; j < n; j++)
      zd[j] = c[0] * x0[j];
  }
  for (int i = 1; i < nv; i++) {
    double *xd = DAT(X[i]);
    for (long j = 0; j < n; j++)
      zd[j] += c[i] * xd[j];
  }
  return 0;
}

/* Z[i] = a[i] x + Y[i] */
static int scale_add_multi(int nv, sunrealtype *a, N_Vector x, N_Vector *Y, N_Vector *Z)
{
  if (nv < 1)
    return -1;
  if (nv == 1) {
    lin_sum(a[0], x, 1.0, Y[0], Z[0]);
    return 0;
  }
  long n = LEN(x);
  double *xd = DAT(x);
  for (int i = 0; i < nv; i++) {
    double *yd = DAT(Y[i]), *zd = DAT(Z[i]);
    for (long j = 0; j < n; j++)
      zd[j] = a[i] * xd[j] + yd[j];
  }
  return 0;
}

static int scale_array(int nv, sunrealtype *c, N_Vector *X, N_Vector *Z)
{
  if (nv < 1)
    return -1;
  if (nv == 1) {
    scale(c[0], X[0], Z[0]);
    return 0;
  }
  long n = LEN(X[0]);
  for (int i = 0; i < nv; i++) {
    double *xd = DAT(X[i]), *zd = DAT(Z[i]);
    for (long j = 0; j < n; j++)
      zd[j] = c[i] * xd[j];
  }
  return 0;
}

void ims__nvec_tune(N_Vector v)
{
  if (!v || N_VGetVectorID(v) != SUNDIALS_NVEC_SERIAL || v->ops->nvlinearsum != N_VLinearSum_Serial)
    return;
  N_Vector_Ops o = v->ops;
  o->nvlinearsum = lin_sum;
  o->nvconst = cnst;
  o->nvprod = prod;
  o->nvdiv = divide;
  o->nvscale = scale;
  o->nvabs = vabs;
  o->nvinv = inv;
  o->nvaddconst = add_const;
  o->nvwrmsnorm = wrms_norm;
  o->nvwsqrsumlocal = wsqr_sum;
  o->nvmaxnorm = max_norm;
  o->nvmaxnormlocal = max_norm;
  /* the fused kernels only where they are switched on, so CVODES takes the
   * same path (and the same bits) as without this tuning */
  if (o->nvlinearcombination)
    o->nvlinearcombination = lin_comb;
  if (o->nvscaleaddmulti)
    o->nvscaleaddmulti = scale_add_multi;
  if (o->nvscalevectorarray)
    o->nvscalevectorarray = scale_array;
}

void ims__nvec_split_norm(N_Vector v)
{
  if (v && v->ops->nvwrmsnorm == wrms_norm)
    v->ops->nvwrmsnorm = wrms_norm_split;
}
