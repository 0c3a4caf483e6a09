/* Wodarz 2001: uninfected tumour cells x, virus-infected tumour cells y and
 * virus-specific CTL z (Cancer Res 61:3501; BioModels BIOMD0000001043; models/wodarz2001.md). */
#include "immunosim/model.h"

enum { X, Y, Z };
enum { Pr, Pk, Pd, Pbeta, Ps, Pa, Ppv, Pcv, Pb, NPAR };

static const ims_var_t states[] = {
    {"x", "1", "uninfected tumour cells (the paper's arbitrary size units)"},
    {"y", "1", "virus-infected tumour cells (same units as x)"},
    {"z", "1", "virus-specific CTL (arbitrary units)"},
};

/* Cell populations: below 0 the logistic term turns into a finite-time blow-up, so a solution
 * the tolerances let go negative (x's trough is about 5e-11, below the default atol) must fail
 * there, naming x, instead of being reported. */
static const unsigned state_flags[] = {IMS_VAR_NONNEG, IMS_VAR_NONNEG, IMS_VAR_NONNEG};

static const ims_par_t params[] = {
    {"r", "1/d", "replication rate of uninfected tumour cells", 0, 0},
    {"k", "1", "carrying capacity of the tumour (units of x)", 0, 0},
    {"d", "1/d", "death rate of uninfected tumour cells", 0, 0},
    {"beta", "1/d", "infection rate (per unit of x and y)", 0, 0},
    {"s", "1/d", "replication rate of infected tumour cells", 0, 0},
    {"a", "1/d", "death rate of infected cells (viral cytotoxicity)", 0, 0},
    {"pv", "1/d", "CTL kill rate of infected cells (per unit of z)", 0, 0},
    {"cv", "1/d", "CTL expansion rate on infected cells (per unit of y)", 0, 0},
    {"b", "1/d", "CTL death rate", 0, 0},
};

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double free_ = 1 - (y[X] + y[Y]) / p[Pk];
  dy[X] = p[Pr] * y[X] * free_ - p[Pd] * y[X] - p[Pbeta] * y[X] * y[Y];
  dy[Y] = p[Pbeta] * y[X] * y[Y] + p[Ps] * y[Y] * free_ - p[Pa] * y[Y] - p[Ppv] * y[Y] * y[Z];
  dy[Z] = p[Pcv] * y[Y] * y[Z] - p[Pb] * y[Z];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double free_ = 1 - (y[X] + y[Y]) / p[Pk];
  J[0] = p[Pr] * free_ - p[Pr] * y[X] / p[Pk] - p[Pd] - p[Pbeta] * y[Y];
  J[1] = -p[Pr] * y[X] / p[Pk] - p[Pbeta] * y[X];
  J[2] = 0;
  J[3] = p[Pbeta] * y[Y] - p[Ps] * y[Y] / p[Pk];
  J[4] = p[Pbeta] * y[X] + p[Ps] * free_ - p[Ps] * y[Y] / p[Pk] - p[Pa] - p[Ppv] * y[Z];
  J[5] = -p[Ppv] * y[Y];
  J[6] = 0;
  J[7] = p[Pcv] * y[Z];
  J[8] = p[Pcv] * y[Y] - p[Pb];
  return 0;
}

static const ims_label_t labels[] = {
    {"x", "uninfected tumour cells"},
    {"y", "infected tumour cells"},
    {"z", "virus-specific CTL"},
};

static const ims_plotcol_t plot[] = {
    {"x", IMS_SCALE_LOG},
    {"y", IMS_SCALE_LOG},
    {"z", IMS_SCALE_LOG},
};

const ims_model_t ims_model_wodarz2001 = {
    .name = "wodarz2001",
    .title = "Oncolytic virus: uninfected and infected tumour cells, virus-specific CTL",
    .family = "oncolytic viruses",
    .citation = "Wodarz D. Viruses as antitumor weapons: defining conditions for tumor "
                "remission. Cancer Res 2001;61:3501-3507 (BioModels BIOMD0000001043)",
    .notes = "Default values are the BioModels curated encoding (BIOMD0000001043), which has "
             "pv = cv = b = 0: the CTL arm z is then inert (dz/dt = 0, z affects nothing), so "
             "the z bolus at t = 20 of schedule wodarz_ctl_t20 only shows a constant line. "
             "CTL parameters from the paper were not found in the sources read; set pv, cv, b "
             "with --set to explore the CTL arm. Time is in the paper's arbitrary units, read "
             "here as days. With s = 0 the coexistence equilibrium has x* = a/beta. x falls to "
             "about 5e-11 in its first trough: run with --atol 1e-18 (the default 1e-9 is "
             "above it).",
    .time_unit = "d",
    .default_set = "default",
    .states = states,
    .nstates = 3,
    .params = params,
    .nparams = NPAR,
    .rhs = rhs,
    .jac = jac,
    .state_flags = state_flags,
    .plot = plot,
    .nplot = 3,
    .labels = labels,
    .nlabels = 3,
};
