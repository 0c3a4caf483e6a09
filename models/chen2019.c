/* Cytokine priming and tolerance for CD3 bispecifics (Chen et al. 2019,
 * Clin Transl Sci 12:600; models/chen2019.md): one-compartment drug PK, cytokine release driven by
 * synapse formation and inhibited by the cytokine exposure so far, more
 * strongly at every further dose. */
#include "immunosim/model.h"

#include <math.h>

enum { A, CYT, AUC };
enum { CL, V, TUTOT, EMAX, EC50, IMAX, IC50, K, KDEG, BL };

static const ims_var_t states[] = {
    {"A", "ug", "drug amount in the central compartment"},
    {"Cyt", "pg/mL", "plasma cytokine (IL-6) concentration"},
    {"AUC", "pg*d/mL", "cytokine exposure so far, the integral of Cyt"},
};

static const ims_par_t params[] = {
    {"CL", "mL/d", "drug clearance", 0, 0},
    {"V", "mL", "drug volume of distribution", 0, 0},
    {"Tutot", "cell/uL", "total tumour (target) cells", 0, 0},
    {"Emax", "pg/mL/d", "maximal cytokine release rate", 0, 0},
    {"EC50", "(ug/mL)*(cell/uL)", "synapse (Cp*Tutot) giving half the maximal release", 0, 0},
    {"Imax", "1", "maximal inhibition of release by prior exposure", 0, 0},
    {"IC50", "pg*d/mL", "cytokine exposure (AUC) giving half the inhibition at dose 1", 0, 0},
    {"K", "1", "priming factor: IC50 is divided by K^(n-1) at dose n", 0, 0},
    {"kdeg", "1/d", "cytokine degradation rate", 0, 0},
    {"BL", "pg/mL", "baseline cytokine concentration", 0, 0},
};

static const ims_var_t outputs[] = {
    {"Cp", "ug/mL", "drug plasma concentration A/V"},
    {"IH", "1", "release inhibition factor 1 - Imax*AUC/(IC50/K^(n-1) + AUC)"},
    {"dCyt", "pg/mL/d", "net rate of change of Cyt (its downward zero marks a peak)"},
};

/* n = index of the latest dose into A (1, 2, ...); before any dose, 1. */
static double ic50_eff(const ims_ctx_t *ctx)
{
  int n = ctx->ndose[A] > 1 ? ctx->ndose[A] : 1;
  return ctx->p[IC50] / pow(ctx->p[K], n - 1);
}

static double synapse(const double *y, const double *p)
{
  return y[A] / p[V] * p[TUTOT];
}

static double inhibition(const double *y, const ims_ctx_t *ctx)
{
  return 1 - ctx->p[IMAX] * y[AUC] / (ic50_eff(ctx) + y[AUC]);
}

static double dcyt(const double *y, const ims_ctx_t *ctx)
{
  const double *p = ctx->p;
  double s = synapse(y, p);
  return p[EMAX] * s / (p[EC50] + s) * inhibition(y, ctx) - p[KDEG] * (y[CYT] - p[BL]);
}

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  dy[A] = -p[CL] / p[V] * y[A];
  dy[CYT] = dcyt(y, ctx);
  dy[AUC] = y[CYT];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double s = synapse(y, p), ih = inhibition(y, ctx), ie = ic50_eff(ctx);
  double e = p[EMAX] * s / (p[EC50] + s);
  double de_da = p[EMAX] * p[EC50] / ((p[EC50] + s) * (p[EC50] + s)) * p[TUTOT] / p[V];
  J[A * 3 + A] = -p[CL] / p[V];
  J[A * 3 + CYT] = 0;
  J[A * 3 + AUC] = 0;
  J[CYT * 3 + A] = de_da * ih;
  J[CYT * 3 + CYT] = -p[KDEG];
  J[CYT * 3 + AUC] = -e * p[IMAX] * ie / ((ie + y[AUC]) * (ie + y[AUC]));
  J[AUC * 3 + A] = 0;
  J[AUC * 3 + CYT] = 1;
  J[AUC * 3 + AUC] = 0;
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t;
  out[0] = y[A] / ctx->p[V];
  out[1] = inhibition(y, ctx);
  out[2] = dcyt(y, ctx);
}

static const ims_label_t labels[] = {
    {"A", "drug amount"},         {"Cyt", "cytokine"},          {"AUC", "cytokine exposure"},
    {"Cp", "drug concentration"}, {"IH", "release inhibition"}, {"dCyt", "cytokine rate of change"},
};

static const ims_plotcol_t plot[] = {
    {"Cyt", IMS_SCALE_LIN},
    {"Cp", IMS_SCALE_LIN},
};

const ims_model_t ims_model_chen2019 = {
    .name = "chen2019",
    .title = "Cytokine priming and tolerance for CD3 bispecifics",
    .family = "cytokine release, bispecific T-cell engagers",
    .citation = "Chen X, Kamperschroer C, Wong G, Xuan D. A modeling framework to characterize "
                "cytokine release upon T-cell-engaging bispecific antibody treatment: "
                "methodology and opportunities. Clin Transl Sci 2019;12:600-608. Parameters as "
                "transcribed by Van De Vyver et al. Clin Cancer Res 2021 (github.com/PKPD-coder/"
                "Modeling_Cytokine_Release)",
    .notes = "dA/dt = -CL/V*A; Syn = A/V*Tutot; dCyt/dt = Emax*Syn/(EC50 + Syn)*IH - kdeg*(Cyt - "
             "BL); dAUC/dt = Cyt; IH = 1 - Imax*AUC/(IC50/K^(n-1) + AUC), n = the number of "
             "doses given into A so far (an infusion start counts as a dose; before any dose n "
             "= 1).  AUC is never reset, so a second dose meets both the exposure of the first "
             "and a K-fold lower IC50.  Units: the model time is days; kdeg (0.18 /h), Emax "
             "(pg/mL/h), CL (mL/h) and IC50 (pg*h/mL) are converted from hours by the parameter "
             "file's unit column, so AUC is in pg*d/mL (1 pg*d/mL = 24 pg*h/mL).  Caveat: the "
             "parameter values were read in the Van De Vyver 2021 transcription of Chen's "
             "model, not checked against Chen 2019 Table 1; the PK (CL 12.5 mL/h, V 3.1 L) is "
             "Van De Vyver's choice.  Errata: none applied.",
    .time_unit = "d",
    .default_set = "default",
    .states = states,
    .nstates = 3,
    .params = params,
    .nparams = 10,
    .outputs = outputs,
    .noutputs = 3,
    .rhs = rhs,
    .jac = jac,
    .output = output,
    .plot = plot,
    .nplot = 2,
    .labels = labels,
    .nlabels = 6,
};
