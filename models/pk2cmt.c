/* Linear 1-/2-compartment antibody PK with optional time-varying clearance
 * and Michaelis-Menten elimination (parameter sets and sources: models/pk2cmt.md). */
#include "immunosim/model.h"

#include <math.h>

enum { A1, A2 };
enum { CL, V1, Q, V2, EMAX, T50, HILL, VMAX, KM };

static const ims_var_t states[] = {
    {"A1", "mg", "amount in the central compartment"},
    {"A2", "mg", "amount in the peripheral compartment"},
};

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
};

static const ims_var_t outputs[] = {
    {"C1", "mg/L", "central concentration A1/V1"},
};

/* CL(t) = CL * exp(Emax * t^g / (T50^g + t^g)) */
static double clearance(double t, const double *p)
{
  if (p[EMAX] == 0.0 || t <= 0.0)
    return p[CL];
  double tg = pow(t, p[HILL]);
  return p[CL] * exp(p[EMAX] * tg / (pow(p[T50], p[HILL]) + tg));
}

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  const double *p = ctx->p;
  double c1 = y[A1] / p[V1];
  double k12 = p[Q] / p[V1], k21 = p[Q] > 0 ? p[Q] / p[V2] : 0.0;
  double mm = p[VMAX] > 0 ? p[VMAX] * c1 / (p[KM] + c1) : 0.0;
  dy[A1] = -clearance(t, p) * c1 - k12 * y[A1] + k21 * y[A2] - mm;
  dy[A2] = k12 * y[A1] - k21 * y[A2];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  const double *p = ctx->p;
  double c1 = y[A1] / p[V1];
  double k12 = p[Q] / p[V1], k21 = p[Q] > 0 ? p[Q] / p[V2] : 0.0;
  double dmm = p[VMAX] > 0 ? p[VMAX] * p[KM] / ((p[KM] + c1) * (p[KM] + c1)) / p[V1] : 0.0;
  J[0] = -clearance(t, p) / p[V1] - k12 - dmm;
  J[1] = k21;
  J[2] = k12;
  J[3] = -k21;
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t;
  out[0] = y[A1] / ctx->p[V1];
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
             "Michaelis-Menten elimination Vmax*C1/(Km + C1) acts on the central amount.",
    .time_unit = "d",
    .default_set = "blinatumomab_clements2020",
    .states = states,
    .nstates = 2,
    .params = params,
    .nparams = 9,
    .outputs = outputs,
    .noutputs = 1,
    .rhs = rhs,
    .jac = jac,
    .output = output,
    .plot = plot,
    .nplot = 1,
    .labels = labels,
    .nlabels = 3,
};
