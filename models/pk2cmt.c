/* Linear 1-/2-compartment antibody PK with optional time-varying clearance,
 * Michaelis-Menten elimination and power covariate effects of body weight and
 * body surface area (parameter sets and sources: models/pk2cmt.md). */
#include "immunosim/model.h"

#include <math.h>

enum { A1, A2 };
enum {
  CL,
  V1,
  Q,
  V2,
  EMAX,
  T50,
  HILL,
  VMAX,
  KM,
  WT,
  WT_REF,
  CL_WT,
  V1_WT,
  Q_WT,
  V2_WT,
  BSA,
  BSA_REF,
  CL_BSA,
  NPAR
};

static const ims_var_t states[] = {
    {"A1", "mg", "amount in the central compartment"},
    {"A2", "mg", "amount in the peripheral compartment"},
};
static const unsigned state_flags[] = {IMS_VAR_NONNEG, IMS_VAR_NONNEG};

static const ims_par_t params[] = {
    {"CL", "L/d", "linear clearance (at t = 0)", 0, 0},
    {"V1", "L", "central volume", 0, 0},
    {"Q", "L/d", "intercompartmental clearance (0: one compartment)", 0, IMS_PAR_OPTIONAL},
    {"V2", "L", "peripheral volume", 1, IMS_PAR_OPTIONAL},
    {"Emax", "1", "maximal log-change of CL over time (0: constant CL)", 0,
     IMS_PAR_OPTIONAL | IMS_PAR_SIGNED},
    {"T50", "d", "time of half the CL change", 1, IMS_PAR_OPTIONAL},
    {"HILL", "1", "Hill coefficient of the CL change", 1, IMS_PAR_OPTIONAL},
    {"Vmax", "mg/d", "maximal Michaelis-Menten elimination rate (0: none)", 0, IMS_PAR_OPTIONAL},
    {"Km", "mg/L", "Michaelis-Menten constant", 1, IMS_PAR_OPTIONAL},
    /* covariates: the set's typical values hold at WT = WT_REF, BSA = BSA_REF */
    {"WT", "kg", "body weight (covariate; doses in mg/kg are multiplied by it)", 70,
     IMS_PAR_OPTIONAL | IMS_PAR_POSITIVE},
    {"WT_REF", "kg", "reference body weight of CL, V1, Q, V2", 70,
     IMS_PAR_OPTIONAL | IMS_PAR_POSITIVE},
    {"CL_WT", "1", "exponent of WT/WT_REF on CL (0: none)", 0, IMS_PAR_OPTIONAL | IMS_PAR_SIGNED},
    {"V1_WT", "1", "exponent of WT/WT_REF on V1 (0: none)", 0, IMS_PAR_OPTIONAL | IMS_PAR_SIGNED},
    {"Q_WT", "1", "exponent of WT/WT_REF on Q (0: none)", 0, IMS_PAR_OPTIONAL | IMS_PAR_SIGNED},
    {"V2_WT", "1", "exponent of WT/WT_REF on V2 (0: none)", 0, IMS_PAR_OPTIONAL | IMS_PAR_SIGNED},
    {"BSA", "m2", "body surface area (covariate; doses in mg/m2 are multiplied by it)", 1.8,
     IMS_PAR_OPTIONAL | IMS_PAR_POSITIVE},
    {"BSA_REF", "m2", "reference body surface area of CL", 1.8,
     IMS_PAR_OPTIONAL | IMS_PAR_POSITIVE},
    {"CL_BSA", "1", "exponent of BSA/BSA_REF on CL (0: none)", 0,
     IMS_PAR_OPTIONAL | IMS_PAR_SIGNED},
};

/* The subject's CL, V1, Q, V2: typical value * (covariate/reference)^exponent.
 * A factor is exactly 1 when the exponent is 0 or the covariate is at its
 * reference (pow(1, e) = 1), so the typical subject gives the same doubles
 * as the typical values themselves. */
typedef struct pkpar {
  double cl, v1, q, v2;
} pkpar_t;

static double cov_factor(double ratio, double e)
{
  return e == 0.0 ? 1.0 : pow(ratio, e);
}

static void subject(const double *p, pkpar_t *k)
{
  double w = p[WT] / p[WT_REF], b = p[BSA] / p[BSA_REF];
  k->cl = p[CL] * cov_factor(w, p[CL_WT]) * cov_factor(b, p[CL_BSA]);
  k->v1 = p[V1] * cov_factor(w, p[V1_WT]);
  k->q = p[Q] * cov_factor(w, p[Q_WT]);
  k->v2 = p[V2] * cov_factor(w, p[V2_WT]);
}

static const ims_var_t outputs[] = {
    {"C1", "mg/L", "central concentration A1/V1"},
};

/* CL(t) = CL * exp(Emax * t^g / (T50^g + t^g)) */
static double clearance(double t, const double *p, double cl)
{
  if (p[EMAX] == 0.0 || t <= 0.0)
    return cl;
  double tg = pow(t, p[HILL]);
  return cl * exp(p[EMAX] * tg / (pow(p[T50], p[HILL]) + tg));
}

/* Michaelis-Menten elimination Vmax*c/(Km + c) and its derivative in c,
 * continued below 0 as the odd function Vmax*c/(Km + |c|).  For c >= 0 it is
 * the published term: never negative.  A solver step can leave c just below
 * 0, where the raw form has a pole at c = -Km that for a tiny Km lies within
 * rounding of 0 (it drove A1 to -630 mg at Km = 1e-6).  The odd continuation
 * has no pole, pulls c back to 0, and keeps the slope continuous at 0; a
 * clamp to 0 leaves a kink whose stale Jacobian let Newton accept a drifting
 * negative branch (-0.48 mg at Km = 1e-12), and continuing along the tangent
 * failed more often in the depleted regime (tried, measured).  The slope is
 * capped at 1e150 so it stays finite for any Km > 0. */
static double mm_rate(const double *p, double c, double *dc)
{
  double den = p[KM] + fabs(c);
  if (!(p[VMAX] > 0) || !(den > 0)) {
    *dc = 0.0;
    return 0.0;
  }
  double d = p[VMAX] * (p[KM] / den) / den;
  *dc = d < 1e150 ? d : 1e150;
  return p[VMAX] * (c / den);
}

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  const double *p = ctx->p;
  pkpar_t k;
  subject(p, &k);
  double c1 = y[A1] / k.v1;
  double k12 = k.q / k.v1, k21 = k.q > 0 ? k.q / k.v2 : 0.0;
  double dmm, mm = mm_rate(p, c1, &dmm);
  dy[A1] = -clearance(t, p, k.cl) * c1 - k12 * y[A1] + k21 * y[A2] - mm;
  dy[A2] = k12 * y[A1] - k21 * y[A2];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  const double *p = ctx->p;
  pkpar_t k;
  subject(p, &k);
  double c1 = y[A1] / k.v1;
  double k12 = k.q / k.v1, k21 = k.q > 0 ? k.q / k.v2 : 0.0;
  double dmm;
  (void)mm_rate(p, c1, &dmm);
  J[0] = -clearance(t, p, k.cl) / k.v1 - k12 - dmm / k.v1;
  J[1] = k21;
  J[2] = k12;
  J[3] = -k21;
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t;
  pkpar_t k;
  subject(ctx->p, &k);
  out[0] = y[A1] / k.v1;
}

static const ims_label_t labels[] = {
    {"A1", "central amount"},
    {"A2", "peripheral amount"},
    {"C1", "concentration"},
};

static const ims_plotcol_t plot[] = {
    {"C1", IMS_SCALE_LIN},
};

const ims_model_t ims_model_pk2cmt = {
    .name = "pk2cmt",
    .title = "1-/2-compartment antibody PK, time-varying CL, Michaelis-Menten",
    .family = "monoclonal antibodies, bispecifics",
    .citation = "Generic mAb PK; parameter sets: Ahamadi 2017 CPT:PSP 6:49 (pembrolizumab), "
                "Bajaj 2017 CPT:PSP 6:58 (nivolumab), Clements 2020 Clin Pharmacokinet 59:463 "
                "(blinatumomab), Bruno 2005 Cancer Chemother Pharmacol 56:361 (trastuzumab), "
                "Frey 2010 J Clin Pharmacol 50:754 (tocilizumab)",
    .notes = "CL(t) = CL*exp(Emax*t^HILL/(T50^HILL + t^HILL)); Q = 0 gives one compartment. "
             "Covariates: CL, V1, Q, V2 are the typical values times (WT/WT_REF)^X_WT (and CL "
             "times (BSA/BSA_REF)^CL_BSA); doses in mg/kg or mg/m2 are multiplied by WT or BSA. "
             "Michaelis-Menten elimination Vmax*C1/(Km + C1) acts on the central amount; below 0 "
             "(a solver step just under zero) it continues as Vmax*C1/(Km + |C1|), so it has no "
             "pole however small Km and pulls C1 back to 0; a run that would report A1 clearly "
             "below 0 fails instead.  With Km*V1 far below --atol the elimination switches off "
             "more sharply than the solver resolves: give A1 an --atol below Km*V1.",
    .time_unit = "d",
    .default_set = "blinatumomab_clements2020",
    .states = states,
    .nstates = 2,
    .params = params,
    .nparams = NPAR,
    .outputs = outputs,
    .noutputs = 1,
    .rhs = rhs,
    .jac = jac,
    .output = output,
    .state_flags = state_flags,
    .plot = plot,
    .nplot = 1,
    .labels = labels,
    .nlabels = 3,
};
