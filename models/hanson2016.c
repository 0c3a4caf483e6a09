/* Toxicity management for CAR-T in B-ALL: a teaching model of memory and
 * effector cytotoxic/helper CAR-T cells, other lymphocytes, inflammation and
 * B cells, with an inflammation-suppressing drug as a zero-order sink
 * (Hanson et al. 2016 bioRxiv 049908; BIOMD0000000837; models/hanson2016.md). */
#include "immunosim/model.h"

#include <math.h>

enum { CM, CE, HM, HE, L, I, B, NS };
enum {
  N,
  R1,
  R2,
  R3,
  R4,
  D1,
  D2,
  D3,
  D4,
  D5,
  P0,
  P1,
  P2,
  A1,
  A2,
  A3,
  BH,
  LCAP,
  KB,
  DRUG,
  DON,
  DOFF
};

static const ims_var_t states[] = {
    {"Cm", "1", "memory cytotoxic CAR-T cells (uncalibrated units)"},
    {"Ce", "1", "effector cytotoxic CAR-T cells (uncalibrated units)"},
    {"Hm", "1", "memory helper CAR-T cells (uncalibrated units)"},
    {"He", "1", "effector helper CAR-T cells (uncalibrated units)"},
    {"L", "1", "other lymphocytes (uncalibrated units)"},
    {"I", "1", "inflammation (uncalibrated units)"},
    {"B", "1", "CD19+ B cells, normal and leukaemic (uncalibrated units)"},
};

static const ims_par_t params[] = {
    {"n", "1", "divisions of an activated memory cell (2^n effector cells)", 0, 0},
    {"r1", "1/d", "B-cell growth rate", 0, 0},
    {"r2", "1/d", "memory cytotoxic CAR-T proliferation rate", 0, 0},
    {"r3", "1/d", "memory helper CAR-T proliferation rate", 0, 0},
    {"r4", "1/d", "lymphocyte proliferation rate", 0, 0},
    {"d1", "1/d", "B-cell killing per effector cytotoxic cell", 0, 0},
    {"d2", "1/d", "inflammation decay rate", 0, 0},
    {"d3", "1/d", "effector cytotoxic CAR-T death rate", 0, 0},
    {"d4", "1/d", "effector helper CAR-T death rate", 0, 0},
    {"d5", "1/d", "lymphocyte death rate", 0, 0},
    {"p0", "1/d", "basal inflammation input", 0, 0},
    {"p1", "1/d", "inflammation produced per B cell per effector cell", 0, 0},
    {"p2", "1/d", "constant lymphocyte production", 0, 0},
    {"a1", "1/d", "cytotoxic memory activation per B cell", 0, 0},
    {"a2", "1", "helper enhancement of cytotoxic activation per He", 0, 0},
    {"a3", "1/d", "helper memory activation per B cell", 0, 0},
    {"b", "1", "inflammation giving half-maximal activation g(I) = I^2/(I^2 + b^2)", 0,
     IMS_PAR_POSITIVE},
    {"l", "1", "lymphocyte space: LT = max(0, 1 - (B + Ce + Cm + He + Hm + L)/l)", 0,
     IMS_PAR_POSITIVE},
    {"k", "1", "B-cell carrying capacity", 0, IMS_PAR_POSITIVE},
    {"D", "1/d", "inflammation-suppressing drug: zero-order removal of I while on", 0, 0},
    {"D_on", "d", "time the drug starts", 0, 0},
    {"D_off", "d", "time the drug stops", 0, 0},
};

static const ims_var_t outputs[] = {
    {"LT", "1", "lymphocyte term max(0, 1 - total/l)"},
    {"gI", "1", "activation by inflammation I^2/(I^2 + b^2)"},
};

/* LT and its derivative with respect to each counted population.  At the
 * kink (total = l) LT = 0 and we take the one-sided derivative of that
 * branch, 0. */
static double lt(const double *y, const double *p, double *dlt)
{
  double x = 1 - (y[B] + y[CE] + y[CM] + y[HE] + y[HM] + y[L]) / p[LCAP];
  *dlt = x > 0 ? -1 / p[LCAP] : 0.0;
  return x > 0 ? x : 0.0;
}

static double drug(const ims_ctx_t *ctx)
{
  const double *p = ctx->p;
  return ctx->phase == 1 && p[DON] < p[DOFF] ? p[DRUG] : 0.0;
}

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double dlt, LT = lt(y, p, &dlt), i2 = y[I] * y[I], g = i2 / (i2 + p[BH] * p[BH]);
  double amp = pow(2, p[N]), help = 1 + p[A2] * y[HE];
  double actc = p[A1] * y[B] * y[CM] * help * g, acth = p[A3] * y[B] * y[HM] * g;
  dy[CM] = p[R2] * y[CM] * LT - actc;
  dy[CE] = amp * actc - p[D3] * y[CE];
  dy[HM] = p[R3] * y[HM] * LT - acth;
  dy[HE] = amp * acth - p[D4] * y[HE];
  dy[L] = p[P2] + p[R4] * y[L] * LT - p[D5] * y[L];
  dy[I] = p[P0] + p[P1] * y[B] * (y[CE] + y[HE]) - p[D2] * y[I] - drug(ctx);
  dy[B] = p[R1] * y[B] * (1 - y[B] / p[KB]) - p[D1] * y[B] * y[CE];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double dlt, LT = lt(y, p, &dlt), i2 = y[I] * y[I], b2 = p[BH] * p[BH];
  double g = i2 / (i2 + b2), dg = 2 * y[I] * b2 / ((i2 + b2) * (i2 + b2));
  double amp = pow(2, p[N]), help = 1 + p[A2] * y[HE];
  static const int counted[] = {CM, CE, HM, HE, L, B};
  for (int k = 0; k < NS * NS; k++)
    J[k] = 0;
  /* the LT terms: d(r*X*LT)/dY = r*X*dlt for every counted Y */
  for (int k = 0; k < 6; k++) {
    int j = counted[k];
    J[CM * NS + j] += p[R2] * y[CM] * dlt;
    J[HM * NS + j] += p[R3] * y[HM] * dlt;
    J[L * NS + j] += p[R4] * y[L] * dlt;
  }
  J[CM * NS + CM] += p[R2] * LT - p[A1] * y[B] * help * g;
  J[CM * NS + HE] += -p[A1] * y[B] * y[CM] * p[A2] * g;
  J[CM * NS + I] += -p[A1] * y[B] * y[CM] * help * dg;
  J[CM * NS + B] += -p[A1] * y[CM] * help * g;

  J[CE * NS + CM] = amp * p[A1] * y[B] * help * g;
  J[CE * NS + CE] = -p[D3];
  J[CE * NS + HE] = amp * p[A1] * y[B] * y[CM] * p[A2] * g;
  J[CE * NS + I] = amp * p[A1] * y[B] * y[CM] * help * dg;
  J[CE * NS + B] = amp * p[A1] * y[CM] * help * g;

  J[HM * NS + HM] += p[R3] * LT - p[A3] * y[B] * g;
  J[HM * NS + I] += -p[A3] * y[B] * y[HM] * dg;
  J[HM * NS + B] += -p[A3] * y[HM] * g;

  J[HE * NS + HM] = amp * p[A3] * y[B] * g;
  J[HE * NS + HE] = -p[D4];
  J[HE * NS + I] = amp * p[A3] * y[B] * y[HM] * dg;
  J[HE * NS + B] = amp * p[A3] * y[HM] * g;

  J[L * NS + L] += p[R4] * LT - p[D5];

  J[I * NS + CE] = p[P1] * y[B];
  J[I * NS + HE] = p[P1] * y[B];
  J[I * NS + I] = -p[D2];
  J[I * NS + B] = p[P1] * (y[CE] + y[HE]);

  J[B * NS + CE] = -p[D1] * y[B];
  J[B * NS + B] = p[R1] * (1 - 2 * y[B] / p[KB]) - p[D1] * y[CE];
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t;
  double dlt, i2 = y[I] * y[I];
  out[0] = lt(y, ctx->p, &dlt);
  out[1] = i2 / (i2 + ctx->p[BH] * ctx->p[BH]);
}

/* The drug is on for D_on <= t < D_off: phase 1 between the two breakpoints. */
static int breaks(const double *p, double *tb, int max)
{
  if (max < 2)
    return 0;
  tb[0] = fmin(p[DON], p[DOFF]);
  tb[1] = fmax(p[DON], p[DOFF]);
  return 2;
}

static const ims_label_t labels[] = {
    {"Cm", "memory cytotoxic CAR-T"},
    {"Ce", "effector cytotoxic CAR-T"},
    {"Hm", "memory helper CAR-T"},
    {"He", "effector helper CAR-T"},
    {"L", "other lymphocytes"},
    {"I", "inflammation"},
    {"B", "CD19+ B cells"},
    {"LT", "lymphocyte term"},
    {"gI", "activation by inflammation"},
};

static const ims_plotcol_t plot[] = {
    {"B", IMS_SCALE_LOG},
    {"Ce", IMS_SCALE_LOG},
    {"He", IMS_SCALE_LOG},
    {"I", IMS_SCALE_LOG},
};

const ims_model_t ims_model_hanson2016 = {
    .name = "hanson2016",
    .title = "Toxicity management for CAR-T in B-ALL (teaching model, uncalibrated units)",
    .family = "cytokine release, CAR-T",
    .citation = "Hanson S et al. Toxicity management in CAR T cell therapy for B-ALL: "
                "mathematical modelling as a new avenue for improvement. bioRxiv 2016, "
                "doi:10.1101/049908. BioModels BIOMD0000000837",
    .notes = "Teaching model in uncalibrated units: every state and count-like parameter has "
             "unit 1 because the paper gives none.  The paper gives no time unit either; the "
             "parameter file follows BioModels BIOMD0000000837, which declares hours, and "
             "converts the rates to the model's days.  LT = max(0, 1 - (B + Ce + Cm + He + Hm + "
             "L)/l) is kept as published: a kink, not smoothed; the analytic Jacobian takes the "
             "one-sided derivative of the LT = 0 branch at the kink.  With the published "
             "initial state the total is 1940 > l = 1600, so LT = 0 and memory cells do not "
             "proliferate; with no B cells the lymphocytes settle at p2/d5 = 2000 > l, above "
             "the space l, because p2 is a constant source.  The drug D removes inflammation "
             "at a constant rate while D_on <= t < D_off (D = 0: no drug); nothing stops I "
             "from going negative when D exceeds p0 + p1*B*(Ce + He), so keep D <= p0.  "
             "Clinical caveat for teaching: tocilizumab blocks the IL-6 receptor, so measured "
             "serum IL-6 typically RISES after it (receptor-mediated clearance is lost); a "
             "model that treats it as an inflammation/IL-6 sink gets the sign of that "
             "observation wrong.  Errata: none applied.",
    .time_unit = "d",
    .default_set = "default",
    .states = states,
    .nstates = NS,
    .params = params,
    .nparams = 22,
    .outputs = outputs,
    .noutputs = 2,
    .rhs = rhs,
    .jac = jac,
    .output = output,
    .breaks = breaks,
    .plot = plot,
    .nplot = 4,
    .labels = labels,
    .nlabels = 9,
};
