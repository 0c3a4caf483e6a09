/* Hardiansyah & Ng 2019: CAR-T cells, CLL B cells and IL-6/IL-10/IFN-gamma
 * (Clin Transl Sci 12:343, supplement Eqs 1-9, Tables S1-S2; models/hardiansyah2019.md).
 *
 *   f(B)  = B/(B + h)
 *   Fd    = aG + (1 - aG)*bG/(IL10 + bG)
 *   B'    = rB*B - dB*B - KBC*E_PB*B
 *   E_PB' = rE*E_PB*B - dCARTE*E_PB - kin*E_PB + kout*E_T - aE*E_PB*(1 - f) + aM*M_PB*f
 *   E_T'  = kin*E_PB - kout*E_T
 *   M_PB' = rM*M_PB - dCARTM*M_PB - kin*M_PB + kout*M_T + aE*E_PB*(1 - f) - aM*M_PB*f
 *   M_T'  = kin*M_PB - kout*M_T
 *   IL6'  = dIL6*IL6_0 + PIL6*1e6*B*E_PB - dIL6*IL6
 *   IL10' = dIL10*IL10_0 + PIL10*1e6*B*E_PB - dIL10*IL10
 *   IFNg' = dIFNg*IFNg_0 + PIFNg*1e6*B*E_PB*Fd - dIFNg*IFNg
 *
 * Cells are in 1e9 cell, cytokines in pg/mL, time in days.  The baselines
 * IL6_0, IL10_0, IFNg_0 are the initial-condition parameters themselves, so
 * the baseline production dIL6*IL6_0 always matches the initial state. */
#include "immunosim/model.h"

enum { B, E_PB, E_T, M_PB, M_T, IL6, IL10, IFNG, NSTATE };
enum {
  P_DIL6,
  P_DIL10,
  P_DIFNG,
  P_AG,
  P_BG,
  P_RM,
  P_DCARTM,
  P_AM,
  P_KIN,
  P_KOUT,
  P_H,
  P_RB,
  P_DB,
  P_PIL6,
  P_PIL10,
  P_PIFNG,
  P_RE,
  P_DCARTE,
  P_AE,
  P_KBC,
  NPAR
};

/* The published 1e6: with PIL6 in pg/uL/d per 1e15 cell^2 and B, E_PB in
 * 1e9 cell, PIL6*B*E_PB is in (pg/uL/d)*(1e18/1e15) = 1e3 pg/uL/d
 * = 1e6 pg/mL/d.  It is a unit conversion, written out as in the paper. */
#define PROD_SCALE 1e6

static const ims_var_t states[] = {
    {"B", "1e9 cell", "CLL B cells in peripheral blood"},
    {"E_PB", "1e9 cell", "effector CAR-T cells in peripheral blood"},
    {"E_T", "1e9 cell", "effector CAR-T cells in tissue"},
    {"M_PB", "1e9 cell", "memory CAR-T cells in peripheral blood"},
    {"M_T", "1e9 cell", "memory CAR-T cells in tissue"},
    {"IL6", "pg/mL", "serum IL-6"},
    {"IL10", "pg/mL", "serum IL-10"},
    {"IFNg", "pg/mL", "serum IFN-gamma"},
};

#define PROD_UNIT "pg/uL/d/(1e15 cell^2)"

static const ims_par_t params[] = {
    {"dIL6", "1/d", "IL-6 elimination rate", 0, 0},
    {"dIL10", "1/d", "IL-10 elimination rate", 0, 0},
    {"dIFNg", "1/d", "IFN-gamma elimination rate", 0, 0},
    {"aG", "1", "IFN-gamma production left at saturating IL-10 (fraction)", 0, 0},
    {"bG", "pg/mL", "IL-10 concentration halving the inhibitable IFN-gamma production", 0, 0},
    {"rM", "1/d", "memory CAR-T proliferation rate", 0, 0},
    {"dCARTM", "1/d", "memory CAR-T death rate", 0, 0},
    {"aM", "1/d", "memory-to-effector conversion rate (times f(B))", 0, 0},
    {"kin", "1/d", "blood-to-tissue transfer rate of CAR-T cells", 0, 0},
    {"kout", "1/d", "tissue-to-blood transfer rate of CAR-T cells", 0, 0},
    {"h", "1e9 cell", "B-cell count of half-maximal antigen signal f(B)", 0, 0},
    {"rB", "1/d", "CLL B-cell proliferation rate", 0, 0},
    {"dB", "1/d", "CLL B-cell death rate", 0, 0},
    {"PIL6", PROD_UNIT, "IL-6 production per B-cell/effector encounter", 0, 0},
    {"PIL10", PROD_UNIT, "IL-10 production per B-cell/effector encounter", 0, 0},
    {"PIFNg", PROD_UNIT, "IFN-gamma production per B-cell/effector encounter", 0, 0},
    {"rE", "1/(1e9 cell)/d", "antigen-driven effector CAR-T expansion rate constant", 0, 0},
    {"dCARTE", "1/d", "effector CAR-T death rate", 0, 0},
    {"aE", "1/d", "effector-to-memory conversion rate (times 1 - f(B))", 0, 0},
    {"KBC", "1/(1e9 cell)/d", "killing rate constant of B cells by blood effectors", 0, 0},
};

static const ims_var_t outputs[] = {
    {"CART_PB", "1e9 cell", "CAR-T cells in peripheral blood, E_PB + M_PB"},
};

/* Baselines: the initial-condition parameters <STATE>_0 follow the NPAR
 * model parameters in ctx->p. */
#define BASE(p, k) ((p)[NPAR + (k)])

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double f = y[B] / (y[B] + p[P_H]);
  double fd = p[P_AG] + (1 - p[P_AG]) * p[P_BG] / (y[IL10] + p[P_BG]);
  double enc = PROD_SCALE * y[B] * y[E_PB]; /* encounters, scaled to pg/mL/d per unit P */
  double e2m = p[P_AE] * y[E_PB] * (1 - f), m2e = p[P_AM] * y[M_PB] * f;
  dy[B] = p[P_RB] * y[B] - p[P_DB] * y[B] - p[P_KBC] * y[E_PB] * y[B];
  dy[E_PB] = p[P_RE] * y[E_PB] * y[B] - p[P_DCARTE] * y[E_PB] - p[P_KIN] * y[E_PB] +
             p[P_KOUT] * y[E_T] - e2m + m2e;
  dy[E_T] = p[P_KIN] * y[E_PB] - p[P_KOUT] * y[E_T];
  dy[M_PB] = p[P_RM] * y[M_PB] - p[P_DCARTM] * y[M_PB] - p[P_KIN] * y[M_PB] + p[P_KOUT] * y[M_T] +
             e2m - m2e;
  dy[M_T] = p[P_KIN] * y[M_PB] - p[P_KOUT] * y[M_T];
  dy[IL6] = p[P_DIL6] * BASE(p, IL6) + p[P_PIL6] * enc - p[P_DIL6] * y[IL6];
  dy[IL10] = p[P_DIL10] * BASE(p, IL10) + p[P_PIL10] * enc - p[P_DIL10] * y[IL10];
  dy[IFNG] = p[P_DIFNG] * BASE(p, IFNG) + p[P_PIFNG] * enc * fd - p[P_DIFNG] * y[IFNG];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  const int n = NSTATE;
  for (int i = 0; i < n * n; i++)
    J[i] = 0;
  double bh = y[B] + p[P_H];
  double f = y[B] / bh, df = p[P_H] / (bh * bh); /* df/dB */
  double gb = y[IL10] + p[P_BG];
  double fd = p[P_AG] + (1 - p[P_AG]) * p[P_BG] / gb;
  double dfd = -(1 - p[P_AG]) * p[P_BG] / (gb * gb); /* dFd/dIL10 */
  /* d(e2m - m2e)/dB */
  double dswap = -p[P_AE] * y[E_PB] * df - p[P_AM] * y[M_PB] * df;
#define JJ(i, j) J[(i)*n + (j)]
  JJ(B, B) = p[P_RB] - p[P_DB] - p[P_KBC] * y[E_PB];
  JJ(B, E_PB) = -p[P_KBC] * y[B];

  JJ(E_PB, B) = p[P_RE] * y[E_PB] - dswap;
  JJ(E_PB, E_PB) = p[P_RE] * y[B] - p[P_DCARTE] - p[P_KIN] - p[P_AE] * (1 - f);
  JJ(E_PB, E_T) = p[P_KOUT];
  JJ(E_PB, M_PB) = p[P_AM] * f;

  JJ(E_T, E_PB) = p[P_KIN];
  JJ(E_T, E_T) = -p[P_KOUT];

  JJ(M_PB, B) = dswap;
  JJ(M_PB, E_PB) = p[P_AE] * (1 - f);
  JJ(M_PB, M_PB) = p[P_RM] - p[P_DCARTM] - p[P_KIN] - p[P_AM] * f;
  JJ(M_PB, M_T) = p[P_KOUT];

  JJ(M_T, M_PB) = p[P_KIN];
  JJ(M_T, M_T) = -p[P_KOUT];

  JJ(IL6, B) = p[P_PIL6] * PROD_SCALE * y[E_PB];
  JJ(IL6, E_PB) = p[P_PIL6] * PROD_SCALE * y[B];
  JJ(IL6, IL6) = -p[P_DIL6];

  JJ(IL10, B) = p[P_PIL10] * PROD_SCALE * y[E_PB];
  JJ(IL10, E_PB) = p[P_PIL10] * PROD_SCALE * y[B];
  JJ(IL10, IL10) = -p[P_DIL10];

  JJ(IFNG, B) = p[P_PIFNG] * PROD_SCALE * y[E_PB] * fd;
  JJ(IFNG, E_PB) = p[P_PIFNG] * PROD_SCALE * y[B] * fd;
  JJ(IFNG, IL10) = p[P_PIFNG] * PROD_SCALE * y[B] * y[E_PB] * dfd;
  JJ(IFNG, IFNG) = -p[P_DIFNG];
#undef JJ
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t;
  (void)ctx;
  out[0] = y[E_PB] + y[M_PB];
}

static const ims_label_t labels[] = {
    {"B", "CLL B cells"},
    {"E_PB", "effector CAR-T in blood"},
    {"E_T", "effector CAR-T in tissue"},
    {"M_PB", "memory CAR-T in blood"},
    {"M_T", "memory CAR-T in tissue"},
    {"IL6", "IL-6"},
    {"IL10", "IL-10"},
    {"IFNg", "IFN-γ"},
    {"CART_PB", "CAR-T cells in blood"},
};

static const ims_plotcol_t plot[] = {
    {"CART_PB", IMS_SCALE_LOG},
    {"B", IMS_SCALE_LOG},
    {"IL6", IMS_SCALE_LOG},
    {"IFNg", IMS_SCALE_LOG},
};

const ims_model_t ims_model_hardiansyah2019 = {
    .name = "hardiansyah2019",
    .title = "CAR-T cells, CLL B cells and IL-6/IL-10/IFN-gamma release",
    .family = "CAR-T",
    .citation = "Hardiansyah D, Ng CM. Quantitative systems pharmacology model of chimeric "
                "antigen receptor T-cell therapy. Clin Transl Sci 2019;12:343-349 "
                "(supplement Eqs 1-9, Tables S1-S2)",
    .notes =
        "Errata applied (as resolved in the nlmixr2lib transcription against the paper's "
        "figures): (1) the supplement's M_PB equation prints +aE*M_PB*(1-f(B)), which keeps the "
        "memory cells at zero forever; the effector-to-memory flux is +aE*E_PB*(1-f(B)), the "
        "same term that leaves E_PB; (2) h = 1e5 is in units of 1e9 cells, so f(B) = "
        "B/(B+h) is about 1e-5*B; (3) bG = 650 pg/mL (printed as ng/mL); (4) aE is in 1/d. "
        "The published 1e6 in the cytokine equations is kept: PIL6, PIL10, PIFNg are in "
        "pg/uL/d per 1e15 cell^2, and with B, E_PB in 1e9 cell, P*B*E_PB*1e6 is in pg/mL/d. "
        "IL6_0, IL10_0, IFNg_0 are both the initial conditions and the baselines of the "
        "production terms dIL6*IL6_0 etc.; set them, not a separate baseline. "
        "Doses go into E_PB (the paper: 10/30/60 % of the total on days 0, 1, 2). "
        "Reproduced (tests/models/test_hardiansyah2019.c): UPN1 peaks CART_PB 2.55e9 cells, "
        "IL-6 2750, IL-10 915, IFN-g 830 pg/mL (published about 2.3e9, 2800, 550, 700); UPN3 "
        "IL-6 49, IL-10 116, IFN-g 120 pg/mL at day 19-20 (published 50, 150, 110, 15-23 d). "
        "Headline: B_0/4 lowers the cytokine peaks 17-148-fold (published 17-155; the 148, UPN1 "
        "IL-6, moves to 155 with IL6_0 = 0.94 pg/mL, inside the x1.8 digitisation band of the "
        "1.7 pg/mL baseline) while dose/4 moves them by 0.6-1.2 %; a 4-fold increase instead "
        "gives 14-52-fold for B_0 and up to 5 % for the dose (UPN1). "
        "Stiff (kin = 77/d next to rB - dB = 0.0017/d): use BDF with per-state atol, "
        "e.g. --rtol 1e-8 --atol 1e-12 --atol IL6=1e-6 --atol IL10=1e-6 --atol IFNg=1e-6.",
    .time_unit = "d",
    .default_set = "upn1",
    .states = states,
    .nstates = NSTATE,
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
    .nlabels = 9,
};
