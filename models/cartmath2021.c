/* CARTmath: effector CAR-T, memory CAR-T and tumour cells in immunodeficient
 * mice (Barros et al. 2021 Cancers 13:2941; models/cartmath2021.md). */
#include "immunosim/model.h"

enum { CT, CM, T };
enum { PHI, RHO, EPS, MU, THETA, ALPHA, R, B, GAMMA };

static const ims_var_t states[] = {
    {"CT", "cell", "effector CAR-T cells"},
    {"CM", "cell", "memory CAR-T cells"},
    {"T", "cell", "tumour cells"},
};

static const ims_par_t params[] = {
    {"phi", "1/d", "effector CAR-T proliferation rate", 0, 0},
    {"rho", "1/d", "effector CAR-T reduction rate (death + conversion to memory)", 0, 0},
    {"eps", "1/d", "conversion rate of effector into memory CAR-T", 0, 0},
    {"mu", "1/d", "memory CAR-T death rate", 0, 0},
    {"theta", "1/(cell*d)", "memory-to-effector conversion on meeting tumour cells", 0, 0},
    {"alpha", "1/(cell*d)", "effector CAR-T inhibition by tumour cells", 0, 0},
    {"r", "1/d", "tumour growth rate", 0, 0},
    {"b", "1/cell", "inverse tumour carrying capacity (0: exponential growth)", 0, 0},
    {"gamma", "1/(cell*d)", "tumour killing by effector CAR-T", 0, 0},
};

static const ims_var_t outputs[] = {
    {"CAR", "cell", "total CAR-T cells CT + CM"},
};

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  dy[CT] = p[PHI] * y[CT] - p[RHO] * y[CT] + p[THETA] * y[T] * y[CM] - p[ALPHA] * y[T] * y[CT];
  dy[CM] = p[EPS] * y[CT] - p[THETA] * y[T] * y[CM] - p[MU] * y[CM];
  dy[T] = p[R] * y[T] * (1 - p[B] * y[T]) - p[GAMMA] * y[CT] * y[T];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  J[CT * 3 + CT] = p[PHI] - p[RHO] - p[ALPHA] * y[T];
  J[CT * 3 + CM] = p[THETA] * y[T];
  J[CT * 3 + T] = p[THETA] * y[CM] - p[ALPHA] * y[CT];
  J[CM * 3 + CT] = p[EPS];
  J[CM * 3 + CM] = -p[THETA] * y[T] - p[MU];
  J[CM * 3 + T] = -p[THETA] * y[CM];
  J[T * 3 + CT] = -p[GAMMA] * y[T];
  J[T * 3 + CM] = 0;
  J[T * 3 + T] = p[R] * (1 - 2 * p[B] * y[T]) - p[GAMMA] * y[CT];
  return 0;
}

static void output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  (void)t, (void)ctx;
  out[0] = y[CT] + y[CM];
}

static const ims_label_t labels[] = {
    {"CT", "effector CAR-T cells"},
    {"CM", "memory CAR-T cells"},
    {"T", "tumour cells"},
    {"CAR", "CAR-T cells"},
};

static const ims_plotcol_t plot[] = {
    {"T", IMS_SCALE_LOG},
    {"CT", IMS_SCALE_LOG},
    {"CM", IMS_SCALE_LOG},
};

const ims_model_t ims_model_cartmath2021 = {
    .name = "cartmath2021",
    .title = "CARTmath: effector/memory CAR-T cells and tumour in preclinical models",
    .family = "CAR-T",
    .citation = "Barros LRC, Paixao EA, Valli AMP, Naozuka GT, Fassoni AC, Almeida RC. "
                "CARTmath - a mathematical model of CAR-T immunotherapy in preclinical studies "
                "of hematological cancers. Cancers 2021;13:2941. BioModels BIOMD0000001019 "
                "(HDLM-2), BIOMD0000001020 (RAJI); authors' code github.com/tmglncc/CARTmath",
    .notes = "dCT/dt = (phi - rho)CT + theta*T*CM - alpha*T*CT; dCM/dt = eps*CT - theta*T*CM - "
             "mu*CM; dT/dt = r*T*(1 - b*T) - gamma*CT*T.  CAR-T infusions and tumour "
             "(re)challenges are boluses into CT and T.  Extinction rule (the authors' code, "
             "rk4.R): every state falling below 1e-6 cells is set to 0; here the crossing is "
             "located by root finding, and --no-extinct switches it off: a cleared tumour then "
             "decays to ~1e-27 cells and slowly regrows, and it needs a tiny absolute tolerance "
             "(--atol T=1e-40), else below atol CVODE leaves its sign free and T can turn "
             "negative and grow.  Errata: none applied.  Caveat: the RAJI set's "
             "eps = 1.59795 /d as published exceeds rho = 0.8300536 /d, although rho is defined "
             "as effector death plus conversion (rho = eta + eps), i.e. an implied negative "
             "death rate; we keep the published values.  The RAJI set makes the model stiff "
             "(theta*T reaches about 1e4-1e5 /d); use BDF (the default).",
    .time_unit = "d",
    .default_set = "hdlm2",
    .states = states,
    .nstates = 3,
    .params = params,
    .nparams = 9,
    .outputs = outputs,
    .noutputs = 1,
    .rhs = rhs,
    .jac = jac,
    .output = output,
    .extinct_floor = 1e-6,
    .plot = plot,
    .nplot = 3,
    .labels = labels,
    .nlabels = 4,
};
