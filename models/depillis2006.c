/* de Pillis, Gu & Radunskaya 2006: tumour, NK cells, CD8+ T cells,
 * circulating lymphocytes, chemotherapy and IL-2 (J Theor Biol 238:841; models/depillis2006.md).
 *
 * The lysis term D*T with D = d*(L/T)^l/(s + (L/T)^l) is written as
 * DT = d*T*L^l/(L^l + s*T^l), which is finite (and continuous, 0 <= DT <= d*T)
 * as T -> 0 and L -> 0.  It is evaluated through the bounded fractions
 * rho = L^l/(L^l + s*T^l) and sigma = 1 - rho, computed from whichever of
 * T/L and L/T is at most 1, so no power overflows and nothing is 0/0.
 * Therapies are doses into M, L and I (the paper's vM, vL, vI). */
#include "immunosim/model.h"

#include <math.h>

enum { T, N, L, C, M, I };
enum {
  Pa,
  Pb,
  Pc,
  Pd,
  Pl,
  Ps,
  Pe,
  Pf,
  Pg,
  Ph,
  Pj,
  Pk,
  Pm,
  Pq,
  Pp,
  Pr1,
  Pr2,
  Pu,
  PKT,
  PKN,
  PKL,
  PKC,
  Palpha,
  Pbeta,
  Pgamma,
  PmuI,
  PpI,
  PgI,
  NPAR
};

static const ims_var_t states[] = {
    {"T", "cell", "tumour cells"},
    {"N", "cell", "natural killer (NK) cells"},
    {"L", "cell", "tumour-specific CD8+ T cells"},
    {"C", "cell", "circulating lymphocytes"},
    {"M", "mg/L", "chemotherapy drug concentration (enters as exp(-M), M in mg/L)"},
    {"I", "IU/L", "IL-2 concentration"},
};

static const ims_par_t params[] = {
    {"a", "1/d", "tumour growth rate", 0, 0},
    {"b", "1/cell", "inverse tumour carrying capacity", 0, 0},
    {"c", "1/(cell d)", "NK-cell kill rate of tumour cells", 0, 0},
    {"d", "1/d", "saturation level of CD8+ T-cell kill", 0, 0},
    {"l", "1", "exponent of the CD8+ T-cell kill term (>= 1 for a finite Jacobian at L = 0)", 0, 0},
    {"s", "1", "steepness of the CD8+ T-cell kill term", 0, 0},
    {"e", "1/d", "NK production as a fraction of circulating lymphocytes", 0, 0},
    {"f", "1/d", "NK-cell death rate", 0, 0},
    {"g", "1/d", "maximal NK recruitment by tumour cells", 0, 0},
    {"h", "cell^2", "steepness of NK recruitment (squared half-saturation)", 0, 0},
    {"j", "1/d", "maximal CD8+ T-cell recruitment by lysed tumour cells", 0, 0},
    /* k sits beside (D*T)^2, a squared kill rate: cell^2/d^2 (transcriptions write cells^2) */
    {"k", "cell^2/d^2", "steepness of CD8+ recruitment (squared half-saturation)", 0, 0},
    {"m", "1/d", "CD8+ T-cell death rate", 0, 0},
    {"q", "1/(cell d)", "CD8+ T-cell inactivation by tumour cells", 0, 0},
    {"p", "1/(cell d)", "NK-cell inactivation by tumour cells", 0, 0},
    {"r1", "1/(cell d)", "CD8+ T-cell priming by NK-lysed tumour debris", 0, 0},
    {"r2", "1/(cell d)", "CD8+ T-cell activation by circulating lymphocytes and tumour", 0, 0},
    {"u", "1/(cell^2 d)", "NK regulation of CD8+ T cells", 0, 0},
    {"KT", "1/d", "maximal chemotherapy kill rate of tumour cells", 0, 0},
    {"KN", "1/d", "maximal chemotherapy kill rate of NK cells", 0, 0},
    {"KL", "1/d", "maximal chemotherapy kill rate of CD8+ T cells", 0, 0},
    {"KC", "1/d", "maximal chemotherapy kill rate of circulating lymphocytes", 0, 0},
    {"alpha", "cell/d", "constant source of circulating lymphocytes", 0, 0},
    {"beta", "1/d", "natural death rate of circulating lymphocytes", 0, 0},
    {"gamma", "1/d", "chemotherapy decay rate", 0, 0},
    {"muI", "1/d", "IL-2 decay rate", 0, 0},
    {"pI", "1/d", "maximal IL-2-induced CD8+ T-cell proliferation", 0, 0},
    {"gI", "IU/L", "IL-2 half-saturation concentration", 0, 0},
};

static const ims_var_t outputs[] = {
    {"DT", "cell/d", "CD8+ T-cell lysis rate of tumour cells D*T"},
};

/* rho = L^l/(L^l + s T^l), sigma = s T^l/(L^l + s T^l); both 0 when T = L = 0.
 * Taken of |T| and |L|: a state a solver step pushes slightly below zero then
 * sees DT = d*T*rho, the odd (and C^1) continuation, which returns it to 0,
 * instead of a NaN from a negative base to a non-integer power. */
static void fractions(double t_, double l_, const double *p, double *rho, double *sigma)
{
  double s = p[Ps], ex = p[Pl];
  t_ = fabs(t_);
  l_ = fabs(l_);
  if (t_ <= 0 && l_ <= 0) {
    *rho = *sigma = 0;
  } else if (l_ >= t_) {
    double x = s * pow(t_ / l_, ex); /* <= s */
    *rho = 1 / (1 + x);
    *sigma = x / (1 + x);
  } else {
    double y = pow(l_ / t_, ex); /* < 1 */
    if (y + s > 0) {
      *rho = y / (y + s);
      *sigma = s / (y + s);
    } else { /* s = 0 and L = 0: no CD8+ cells, no lysis */
      *rho = 0;
      *sigma = 1;
    }
  }
}

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double rho, sigma;
  fractions(y[T], y[L], p, &rho, &sigma);
  double dt = p[Pd] * y[T] * rho, dt2 = dt * dt;
  double E = -expm1(-y[M]); /* 1 - exp(-M) */
  double t2 = y[T] * y[T];
  dy[T] = p[Pa] * y[T] * (1 - p[Pb] * y[T]) - p[Pc] * y[N] * y[T] - dt - p[PKT] * E * y[T];
  dy[N] = p[Pe] * y[C] - p[Pf] * y[N] + p[Pg] * t2 / (p[Ph] + t2) * y[N] - p[Pp] * y[N] * y[T] -
          p[PKN] * E * y[N];
  dy[L] = -p[Pm] * y[L] + p[Pj] * dt2 / (p[Pk] + dt2) * y[L] - p[Pq] * y[L] * y[T] +
          (p[Pr1] * y[N] + p[Pr2] * y[C]) * y[T] - p[Pu] * y[N] * y[L] * y[L] - p[PKL] * E * y[L] +
          p[PpI] * y[L] * y[I] / (p[PgI] + y[I]);
  dy[C] = p[Palpha] - p[Pbeta] * y[C] - p[PKC] * E * y[C];
  dy[M] = -p[Pgamma] * y[M];
  dy[I] = -p[PmuI] * y[I];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  const int n = 6;
  for (int i = 0; i < n * n; i++)
    J[i] = 0;
  double rho, sigma, ex = p[Pl];
  fractions(y[T], y[L], p, &rho, &sigma);
  double dt = p[Pd] * y[T] * rho, dt2 = dt * dt;
  /* d(DT)/dT = d*rho*(1 - l*sigma); d(DT)/dL = d*l*T*sigma*rho/L (also for
   * negative T or L, through the |T|, |L| in the fractions) */
  double dDT_T = p[Pd] * rho * (1 - ex * sigma);
  double dDT_L;
  if (y[L] != 0)
    dDT_L = p[Pd] * ex * y[T] * sigma * rho / y[L];
  else if (y[T] == 0 || ex > 1)
    dDT_L = 0; /* L^(l-1) -> 0 */
  else if (ex == 1)
    dDT_L = p[Pd] / p[Ps];
  else
    return 1; /* l < 1: unbounded at L = 0 */
  double E = -expm1(-y[M]), eM = exp(-y[M]);
  double t2 = y[T] * y[T], ht = p[Ph] + t2;
  double H = dt2 / (p[Pk] + dt2), dH = 2 * dt * p[Pk] / ((p[Pk] + dt2) * (p[Pk] + dt2));
  double gI = p[PgI] + y[I];
#define JJ(i, j) J[(i)*n + (j)]
  JJ(T, T) = p[Pa] * (1 - 2 * p[Pb] * y[T]) - p[Pc] * y[N] - dDT_T - p[PKT] * E;
  JJ(T, N) = -p[Pc] * y[T];
  JJ(T, L) = -dDT_L;
  JJ(T, M) = -p[PKT] * eM * y[T];
  JJ(N, T) = p[Pg] * y[N] * 2 * p[Ph] * y[T] / (ht * ht) - p[Pp] * y[N];
  JJ(N, N) = -p[Pf] + p[Pg] * t2 / ht - p[Pp] * y[T] - p[PKN] * E;
  JJ(N, C) = p[Pe];
  JJ(N, M) = -p[PKN] * eM * y[N];
  JJ(L, T) = p[Pj] * y[L] * dH * dDT_T - p[Pq] * y[L] + p[Pr1] * y[N] + p[Pr2] * y[C];
  JJ(L, N) = p[Pr1] * y[T] - p[Pu] * y[L] * y[L];
  JJ(L, L) = -p[Pm] + p[Pj] * H + p[Pj] * y[L] * dH * dDT_L - p[Pq] * y[T] -
             2 * p[Pu] * y[N] * y[L] - p[PKL] * E + p[PpI] * y[I] / gI;
  JJ(L, C) = p[Pr2] * y[T];
  JJ(L, M) = -p[PKL] * eM * y[L];
  JJ(L, I) = p[PpI] * y[L] * p[PgI] / (gI * gI);
  JJ(C, C) = -p[Pbeta] - p[PKC] * E;
  JJ(C, M) = -p[PKC] * eM * y[C];
  JJ(M, M) = -p[Pgamma];
  JJ(I, I) = -p[PmuI];
#undef JJ
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t;
  double rho, sigma;
  fractions(y[T], y[L], ctx->p, &rho, &sigma);
  out[0] = ctx->p[Pd] * y[T] * rho;
}

static const ims_label_t labels[] = {
    {"T", "tumour cells"},           {"N", "NK cells"},
    {"L", "CD8+ T cells"},           {"C", "circulating lymphocytes"},
    {"M", "chemotherapy"},           {"I", "IL-2"},
    {"DT", "CD8+ T-cell kill rate"},
};

static const ims_plotcol_t plot[] = {
    {"T", IMS_SCALE_LOG},
    {"L", IMS_SCALE_LOG},
    {"N", IMS_SCALE_LOG},
    {"C", IMS_SCALE_LOG},
};

const ims_model_t ims_model_depillis2006 = {
    .name = "depillis2006",
    .title = "Tumour, NK, CD8+ T cells, lymphocytes under chemotherapy, TIL and IL-2",
    .family = "tumour-immune, cytokine and cell therapy",
    .citation = "de Pillis LG, Gu W, Radunskaya AE. Mixed immunotherapy and chemotherapy of "
                "tumors: modeling, applications and biological interpretations. J Theor Biol "
                "2006;238:841-862",
    .notes = "Equations and values as read in public implementations that agree term by term "
             "(the primary PDF was not read; models/depillis2006.md); m = 9.12/d for patient 10 is "
             "unverified against the paper. D*T is written d*T*L^l/(L^l + s*T^l), finite and "
             "continuous at T = 0 and L = 0 (no NaN); the Jacobian needs l >= 1 at L = 0. "
             "M (mg/L) enters only through 1 - exp(-M). Therapies vM, vL, vI are doses "
             "(infusions) into M, L and I, not parameters. No extinction rule: the paper has "
             "none; use --extinct T=1 to declare a tumour below one cell cured.",
    .time_unit = "d",
    .default_set = "patient9",
    .states = states,
    .nstates = 6,
    .params = params,
    .nparams = NPAR,
    .outputs = outputs,
    .noutputs = 1,
    .rhs = rhs,
    .jac = jac,
    .output = output,
    .plot = plot,
    .nplot = 4,
    .labels = labels,
    .nlabels = 7,
};
