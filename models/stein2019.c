/* Stein 2019: multiphasic cellular kinetics of tisagenlecleucel
 * (CPT:PSP 8:285, Table 1; models/stein2019.md).  Exponential expansion of the effector-like
 * transgene E up to Tmax, then E contracts at alpha and feeds a memory-like
 * pool M that declines at beta.  Tmax is a model breakpoint: the RHS switches
 * on ctx->phase, never on t. */
#include "immunosim/model.h"

#include <math.h>

enum { E, M };
enum { FOLDX, TMAX, CMAX, ALPHA, FB, BETA };

static const ims_var_t states[] = {
    {"E", "copies/ug", "effector-like CAR transgene, copies per ug genomic DNA"},
    {"M", "copies/ug", "memory-like CAR transgene, copies per ug genomic DNA"},
};

static const ims_par_t params[] = {
    {"foldx", "1", "fold expansion from E(0) to Cmax", 0, IMS_PAR_POSITIVE},
    {"Tmax", "d", "time of the peak (end of expansion)", 0, IMS_PAR_POSITIVE},
    {"Cmax", "copies/ug", "peak transgene level", 0, 0},
    {"alpha", "1/d", "contraction rate of E after Tmax", 0, 0},
    {"FB", "1", "fraction of the peak that persists (memory-like)", 0, 0},
    {"beta", "1/d", "terminal decline rate of M", 0, 0},
};

static const ims_var_t outputs[] = {
    {"CAR", "copies/ug", "observed transgene level E + M"},
};

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  if (ctx->phase == 0) {
    dy[E] = log(p[FOLDX]) / p[TMAX] * y[E]; /* rho = ln(foldx)/Tmax */
    dy[M] = 0;
  } else {
    double k = p[FB] * (p[ALPHA] - p[BETA]);
    dy[E] = -p[ALPHA] * y[E];
    dy[M] = k * y[E] - p[BETA] * y[M];
  }
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  (void)y;
  const double *p = ctx->p;
  if (ctx->phase == 0) {
    J[0] = log(p[FOLDX]) / p[TMAX];
    J[1] = J[2] = J[3] = 0;
  } else {
    J[0] = -p[ALPHA];
    J[1] = 0;
    J[2] = p[FB] * (p[ALPHA] - p[BETA]);
    J[3] = -p[BETA];
  }
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t;
  (void)ctx;
  out[0] = y[E] + y[M];
}

/* E(0) = Cmax/foldx.  Runs after y0 was filled from the <STATE>_0 values, so
 * it overrides E_0; M(0) stays M_0 (default 0). */
static void init(const double *p, double *y0)
{
  y0[E] = p[CMAX] / p[FOLDX];
}

static int breaks(const double *p, double *tb, int max)
{
  if (max < 1)
    return 0;
  tb[0] = p[TMAX];
  return 1;
}

static const ims_label_t labels[] = {
    {"E", "effector-like CAR"},
    {"M", "memory-like CAR"},
    {"CAR", "CAR transgene"},
};

static const ims_plotcol_t plot[] = {
    {"CAR", IMS_SCALE_LOG},
    {"E", IMS_SCALE_LOG},
    {"M", IMS_SCALE_LOG},
};

const ims_model_t ims_model_stein2019 = {
    .name = "stein2019",
    .title = "Tisagenlecleucel multiphasic cellular kinetics (expansion, contraction, persistence)",
    .family = "CAR-T",
    .citation = "Stein AM, Grupp SA, Levine JE, et al. Tisagenlecleucel model-based cellular "
                "kinetic analysis of chimeric antigen receptor-T cells. CPT Pharmacometrics Syst "
                "Pharmacol 2019;8:285-295 (Table 1; n = 90, B-ALL)",
    .notes = "Before Tmax: dE/dt = rho*E, rho = ln(foldx)/Tmax, dM/dt = 0.  From Tmax on: "
             "dE/dt = -alpha*E, dM/dt = FB*(alpha - beta)*E - beta*M.  Tmax is a breakpoint: "
             "the solver stops and restarts there.  E(0) = Cmax/foldx is set by the model "
             "(any E_0 is ignored); M_0 (default 0) is used as given.  The set's iiv column "
             "holds the published omega^2 (log scale).  No errata applied.",
    .time_unit = "d",
    .default_set = "tisagenlecleucel",
    .states = states,
    .nstates = 2,
    .params = params,
    .nparams = 6,
    .outputs = outputs,
    .noutputs = 1,
    .rhs = rhs,
    .jac = jac,
    .output = output,
    .init = init,
    .breaks = breaks,
    .plot = plot,
    .nplot = 3,
    .labels = labels,
    .nlabels = 3,
};
