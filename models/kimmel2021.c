/* Kimmel, Locke & Altrock 2021: competition between normal and CAR T cells
 * after lymphodepletion, and CAR T killing of the tumour (Proc R Soc B
 * 288:20210229, Eqs 2.1-2.3, Table 1; BioModels BIOMD0000001041;
 * models/kimmel2021.md).  Gompertz growth of both T cell pools towards their
 * carrying capacities, driven by the total count T = N + C. */
#include "immunosim/model.h"

#include <math.h>

enum { N, C, B };
enum { KN, KC, RN, RHOC, A, BB, RB, GAMMAB, KB };

static const ims_var_t states[] = {
    {"N", "cell/uL", "normal T cells in peripheral blood"},
    {"C", "cell/uL", "CAR T cells in peripheral blood"},
    {"B", "mL", "antigen-presenting (CD19+) tumour volume"},
};

static const ims_par_t params[] = {
    {"KN", "cell/uL", "normal T cell carrying capacity", 0, 0},
    {"KC", "cell/uL", "CAR T cell carrying capacity", 0, 0},
    {"rN", "1/d", "normal T cell net growth rate", 0, 0},
    {"rhoC", "1/d", "baseline CAR T net growth rate", 0, 0},
    {"a", "1", "signalling inefficiency factor in rC(T)", 0, 0},
    {"b", "1/d", "immune reconstitution impact in rC(T)", 0, 0},
    {"rB", "1/d", "tumour net growth rate", 0, 0},
    {"gammaB", "1/d", "maximal tumour-killing rate by CAR T cells", 0, 0},
    {"kB", "cell/uL", "CAR T count of half-maximal killing", 0, 0},
};

static const ims_var_t outputs[] = {
    {"T", "cell/uL", "total T cell count N + C"},
    {"rC", "1/d", "CAR T growth rate rC(T)"},
};

/* rC(T) = rhoC + b*u^2/D with u = T - KN, D = a*T^2 + u^2;
 * drC/dT = 2*a*b*KN*u*T/D^2. */
static double rate_c(const double *p, double T, double *drdT)
{
  double u = T - p[KN], D = p[A] * T * T + u * u;
  if (D <= 0) { /* T = 0 and a*T^2 = 0 only when T = KN = 0; guard anyway */
    *drdT = 0;
    return p[RHOC];
  }
  *drdT = 2 * p[A] * p[BB] * p[KN] * u * T / (D * D);
  return p[RHOC] + p[BB] * u * u / D;
}

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double T = y[N] + y[C], d;
  if (T < 0)
    return 1; /* ln of a negative total: let CVODE retry a smaller step */
  if (T == 0) {
    dy[N] = dy[C] = 0; /* x*ln(x) -> 0 */
  } else {
    dy[N] = -p[RN] * y[N] * log(T / p[KN]);
    dy[C] = -rate_c(p, T, &d) * y[C] * log(T / p[KC]);
  }
  dy[B] = p[RB] * y[B] - p[GAMMAB] * y[B] * y[C] / (p[KB] + y[C]);
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double T = y[N] + y[C];
  for (int i = 0; i < 9; i++)
    J[i] = 0;
  if (T > 0) {
    double lN = log(T / p[KN]), lC = log(T / p[KC]), drdT, rc = rate_c(p, T, &drdT);
    /* f_N = -rN*N*ln(T/KN), dT/dN = dT/dC = 1 */
    J[0 * 3 + N] = -p[RN] * (lN + y[N] / T);
    J[0 * 3 + C] = -p[RN] * y[N] / T;
    /* f_C = -rC(T)*C*ln(T/KC): rC depends on T = N + C as well */
    double common = -(drdT * y[C] * lC + rc * y[C] / T);
    J[1 * 3 + N] = common;
    J[1 * 3 + C] = common - rc * lC;
  }
  double s = p[KB] + y[C];
  J[2 * 3 + C] = -p[GAMMAB] * y[B] * p[KB] / (s * s);
  J[2 * 3 + B] = p[RB] - p[GAMMAB] * y[C] / s;
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t;
  double d;
  out[0] = y[N] + y[C];
  out[1] = rate_c(ctx->p, out[0], &d);
}

static const ims_label_t labels[] = {
    {"N", "normal T cells"}, {"C", "CAR T cells"},        {"B", "tumour volume"},
    {"T", "total T cells"},  {"rC", "CAR T growth rate"},
};

static const ims_plotcol_t plot[] = {
    {"C", IMS_SCALE_LOG},
    {"N", IMS_SCALE_LOG},
    {"B", IMS_SCALE_LOG},
};

const ims_model_t ims_model_kimmel2021 = {
    .name = "kimmel2021",
    .title = "Axi-cel CAR T / normal T cell competition after lymphodepletion, tumour killing",
    .family = "CAR-T",
    .citation = "Kimmel GJ, Locke FL, Altrock PM. The roles of T cell competition and stochastic "
                "extinction events in chimeric antigen receptor T cell therapy. Proc R Soc B "
                "2021;288:20210229 (Eqs 2.1-2.3, Table 1); BioModels BIOMD0000001041",
    .notes = "Deterministic mean-field model (Eqs 2.1-2.3); the paper's stochastic tumour "
             "extinction is not included.  rC(T) = rhoC + b*(T-KN)^2/(a*T^2 + (T-KN)^2) as in "
             "Fig 2b and BioModels (the printed inline formula is garbled).  N, C in cells/uL "
             "of blood and B in mL as in BioModels; the paper's Table 1 gives cells, converted "
             "with 5e8 uL per (cell/uL) (e.g. KN 500/uL = 2.5e11 cells) and 1e9 tumour cells "
             "per mL.  b is a rate (1/d, paper Table 1; BioModels labels it d).  The default "
             "set uses the main-text Table 1 rN = 0.17/d, rhoC = 0.0251/d (as BioModels does "
             "to reproduce Fig 2); the supplementary fitted set (rN 0.16, rhoC 0.037) is "
             "axicel_supplement.  Moffitt ZUMA-1 medians (Results 3d; not the fitted data) "
             "27.5, 9.1, 2.1, 0.1 cells/uL at days 7, 14, 28, 90: the default set gives 30.1, "
             "8.97, 2.49, 0.338, inside every published IQR; day 90 is 3.4x the median (the "
             "supplementary set gives 0.115).",
    .time_unit = "d",
    .default_set = "axicel",
    .states = states,
    .nstates = 3,
    .params = params,
    .nparams = 9,
    .outputs = outputs,
    .noutputs = 2,
    .rhs = rhs,
    .jac = jac,
    .output = output,
    .plot = plot,
    .nplot = 3,
    .labels = labels,
    .nlabels = 5,
};
