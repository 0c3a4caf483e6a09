/* Independent reference computations for the dynamics tests: closed forms
 * and scalar reductions that do not go through the library's Newton,
 * continuation or eigenvalue code. */
#include "dynref.h"

#include <gsl/gsl_poly.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <string.h>

/* ---- Kuznetsov 1994 ---------------------------------------------------------- */

/* Tumour-bearing equilibria: E = a(1 - bT)/n from dT/dt = 0 turns dE/dt = 0
 * (times g + T) into a cubic in T, solved in closed form (gsl_poly). */
/* ---- a 2-D affine test model: f = A (x - x*) ------------------------------ */

/* The model contract for interpreted models: every call gets the model
 * and nwork doubles of scratch; a caller that forgets either fails here. */
static int lin_rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  if (!ctx->model || ctx->model->nwork != 3 || !ctx->work)
    return -1;
  ctx->work[2] = y[0]; /* scratch is writable */
  const double *p = ctx->p;
  double u = y[0] - p[LXS], v = y[1] - p[LYS];
  dy[0] = p[LA] * u + p[LB] * v;
  dy[1] = p[LC] * u + p[LD] * v;
  return 0;
}

static int lin_jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t, (void)y;
  memcpy(J, ctx->p, 4 * sizeof *J);
  return 0;
}

static const ims_var_t lin_states[] = {{"x", "1", "x"}, {"y", "1", "y"}};
static const ims_par_t lin_params[] = {
    {"a", "1/d", "", 0, IMS_PAR_SIGNED}, {"b", "1/d", "", 0, IMS_PAR_SIGNED},
    {"c", "1/d", "", 0, IMS_PAR_SIGNED}, {"d", "1/d", "", 0, IMS_PAR_SIGNED},
    {"xs", "1", "", 0, IMS_PAR_SIGNED},  {"ys", "1", "", 0, IMS_PAR_SIGNED}};
const ims_model_t dyn_lin2 = {.name = "lin2",
                              .title = "affine test system",
                              .time_unit = "d",
                              .states = lin_states,
                              .nstates = 2,
                              .params = lin_params,
                              .nparams = 6,
                              .rhs = lin_rhs,
                              .jac = lin_jac,
                              .nwork = 3};

/* x' = mu - x^2 (a fold at mu = 0), and an oscillator (y, z) whose
 * damping mu - h changes sign at mu = h (a Hopf point on both halves). */
static int fh_rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  double mu = ctx->p[0], r = mu - ctx->p[1];
  dy[0] = mu - y[0] * y[0];
  dy[1] = r * y[1] - y[2];
  dy[2] = y[1] + r * y[2];
  return 0;
}

static int fh_jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  double r = ctx->p[0] - ctx->p[1];
  double v[9] = {-2 * y[0], 0, 0, 0, r, -1, 0, 1, r};
  memcpy(J, v, sizeof v);
  return 0;
}

static const ims_var_t fh_states[] = {{"x", "1", "x"}, {"y", "1", "y"}, {"z", "1", "z"}};
static const ims_par_t fh_params[] = {{"mu", "1/d", "", 0, IMS_PAR_SIGNED},
                                      {"h", "1/d", "", 0, IMS_PAR_SIGNED}};
const ims_model_t dyn_foldhopf = {.name = "foldhopf",
                                  .title = "fold and Hopf test system",
                                  .time_unit = "d",
                                  .states = fh_states,
                                  .nstates = 3,
                                  .params = fh_params,
                                  .nparams = 2,
                                  .rhs = fh_rhs,
                                  .jac = fh_jac};

void kz_cubic_coef(const double *p, double *c)
{
  double k = p[KA] / p[KN];
  c[3] = k * p[KB] * p[KM];
  c[2] = -k * (p[KM] + p[KB] * (p[KP] - p[KM] * p[KG] - p[KD]));
  c[1] = k * (p[KP] - p[KM] * p[KG] - p[KD] + p[KB] * p[KD] * p[KG]) + p[KS];
  c[0] = (p[KS] - k * p[KD]) * p[KG];
}

int kz_cubic(const double *p, double *T)
{
  double cf[4];
  kz_cubic_coef(p, cf);
  double c3 = cf[3], c2 = cf[2], c1 = cf[1], c0 = cf[0];
  double r[3];
  int n = gsl_poly_solve_cubic(c2 / c3, c1 / c3, c0 / c3, &r[0], &r[1], &r[2]), m = 0;
  for (int i = 0; i < n; i++)
    if (r[i] > 0 && r[i] < 1 / p[KB])
      T[m++] = r[i];
  return m;
}

/* ---- Kirschner-Panetta 1998 at c = 0.04 ----------------------------------------- */

static void kp_nullcline(const double *p, double t, double *y)
{
  y[1] = t;
  y[0] = p[R2] * (1 - p[B] * t) * (p[G2] + t) / p[A];
  y[2] = (p[P2] * y[0] * t / (p[G3] + t) + p[S2]) / p[MU3];
}

static double kp_h(double t, void *vp)
{
  const double *p = vp;
  double y[3];
  kp_nullcline(p, t, y);
  return p[C] * t - p[MU2] * y[0] + p[P1] * y[0] * y[2] / (p[G1] + y[2]) + p[S1];
}

/* The interior equilibrium by Brent on the scalar reduction h(T) (one sign
 * change on (1e-6, 1/b) for c = 0.04). */
int kp_interior(const double *p, double *y)
{
  int K = 4000, found = 0;
  double lo = 1e-6, hi = (1 - 1e-12) / p[B], t0 = lo, h0 = kp_h(lo, (void *)p);
  gsl_function F = {kp_h, (void *)p};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  for (int i = 1; i <= K; i++) {
    double t1 = lo * pow(hi / lo, (double)i / K), h1 = kp_h(t1, (void *)p);
    if (h0 * h1 < 0) {
      gsl_root_fsolver_set(s, &F, t0, t1);
      for (int it = 0; it < 200; it++) {
        gsl_root_fsolver_iterate(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0,
                                   1e-15) == 0)
          break;
      }
      kp_nullcline(p, gsl_root_fsolver_root(s), y);
      found++;
    }
    t0 = t1, h0 = h1;
  }
  gsl_root_fsolver_free(s);
  return found;
}

/* Roots of det(l I - J) = l^3 - tr l^2 + M l - det for a 3x3 J. */
void charpoly3(const double *J, double *re, double *im)
{
  double tr = J[0] + J[4] + J[8];
  double M = J[0] * J[4] - J[1] * J[3] + J[0] * J[8] - J[2] * J[6] + J[4] * J[8] - J[5] * J[7];
  double det = J[0] * (J[4] * J[8] - J[5] * J[7]) - J[1] * (J[3] * J[8] - J[5] * J[6]) +
               J[2] * (J[3] * J[7] - J[4] * J[6]);
  double a[4] = {-det, M, -tr, 1}, z[6];
  gsl_poly_complex_workspace *w = gsl_poly_complex_workspace_alloc(4);
  ck_assert_int_eq(gsl_poly_complex_solve(a, 4, w, z), 0);
  gsl_poly_complex_workspace_free(w);
  for (int i = 0; i < 3; i++)
    re[i] = z[2 * i], im[i] = z[2 * i + 1];
}

/* Each component of f at y against the largest term that enters it: a
 * root shows as a ratio of rounding size. */
void kz_resid(const double *p, const double *y, double *r)
{
  double E = y[0], T = y[1];
  double f0 = p[KS] + p[KP] * E * T / (p[KG] + T) - p[KM] * E * T - p[KD] * E;
  double s0 = fmax(fmax(p[KS], p[KP] * E * T / (p[KG] + T)), fmax(p[KM] * E * T, p[KD] * E));
  double f1 = p[KA] * T * (1 - p[KB] * T) - p[KN] * E * T;
  double s1 = fmax(p[KA] * T, fmax(p[KA] * p[KB] * T * T, p[KN] * E * T));
  r[0] = fabs(f0) / s0;
  r[1] = s1 > 0 ? fabs(f1) / s1 : fabs(f1);
}

void kp_resid(const double *p, const double *y, double *r)
{
  double E = y[0], T = y[1], I = y[2];
  double t0[4] = {p[C] * T, p[MU2] * E, p[P1] * E * I / (p[G1] + I), p[S1]};
  double t1[3] = {p[R2] * T, p[R2] * p[B] * T * T, p[A] * E * T / (p[G2] + T)};
  double t2[3] = {p[P2] * E * T / (p[G3] + T), p[MU3] * I, p[S2]};
  double f[3] = {t0[0] - t0[1] + t0[2] + t0[3], t1[0] - t1[1] - t1[2], t2[0] - t2[1] + t2[2]};
  double s[3] = {fmax(fmax(t0[0], t0[1]), fmax(t0[2], t0[3])), fmax(t1[0], fmax(t1[1], t1[2])),
                 fmax(t2[0], fmax(t2[1], t2[2]))};
  for (int i = 0; i < 3; i++)
    r[i] = s[i] > 0 ? fabs(f[i]) / s[i] : fabs(f[i]);
}
