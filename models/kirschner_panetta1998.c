/* Kirschner & Panetta 1998: effector cells, tumour cells and IL-2 with
 * adoptive cell therapy (s1) and IL-2 infusion (s2) (J Math Biol 37:235, Eq. 1, Table 1;
 * models/kirschner_panetta1998.md).
 *
 *   dE/dt  = c*T - mu2*E + p1*E*IL/(g1 + IL) + s1
 *   dT/dt  = r2*T*(1 - b*T) - a*E*T/(g2 + T)
 *   dIL/dt = p2*E*T/(g3 + T) - mu3*IL + s2
 */
#include "immunosim/model.h"

enum { E, T, IL };
enum { C, MU2, P1, G1, G2, R2, B, A, P2, G3, MU3, S1, S2 };

static const ims_var_t states[] = {
    {"E", "cell", "activated immune effector cells"},
    {"T", "cell", "tumour cells"},
    {"IL", "1", "IL-2 concentration at the tumour site (the paper's arbitrary concentration unit)"},
};

static const ims_par_t params[] = {
    {"c", "1/d", "antigenicity of the tumour (effector recruitment per tumour cell)", 0, 0},
    {"mu2", "1/d", "effector death rate", 0, 0},
    {"p1", "1/d", "maximal IL-2 driven effector proliferation rate", 0, 0},
    {"g1", "1", "IL-2 concentration of half-maximal effector proliferation", 0, 0},
    {"g2", "cell", "tumour size of half-maximal killing", 0, 0},
    {"r2", "1/d", "tumour growth rate", 0, 0},
    {"b", "1/cell", "inverse tumour carrying capacity", 0, 0},
    {"a", "1/d", "maximal tumour kill rate per effector", 0, 0},
    {"p2", "1/d", "maximal IL-2 production per effector", 0, 0},
    {"g3", "cell", "tumour size of half-maximal IL-2 production", 0, 0},
    {"mu3", "1/d", "IL-2 loss rate", 0, 0},
    {"s1", "cell/d", "adoptive cell therapy: constant effector influx", 0, IMS_PAR_OPTIONAL},
    {"s2", "1/d", "IL-2 therapy: constant IL-2 influx", 0, IMS_PAR_OPTIONAL},
};

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  dy[E] = p[C] * y[T] - p[MU2] * y[E] + p[P1] * y[E] * y[IL] / (p[G1] + y[IL]) + p[S1];
  dy[T] = p[R2] * y[T] * (1 - p[B] * y[T]) - p[A] * y[E] * y[T] / (p[G2] + y[T]);
  dy[IL] = p[P2] * y[E] * y[T] / (p[G3] + y[T]) - p[MU3] * y[IL] + p[S2];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double dil = p[G1] + y[IL], dt2 = p[G2] + y[T], dt3 = p[G3] + y[T];
  J[E * 3 + E] = -p[MU2] + p[P1] * y[IL] / dil;
  J[E * 3 + T] = p[C];
  J[E * 3 + IL] = p[P1] * y[E] * p[G1] / (dil * dil);
  J[T * 3 + E] = -p[A] * y[T] / dt2;
  J[T * 3 + T] = p[R2] * (1 - 2 * p[B] * y[T]) - p[A] * y[E] * p[G2] / (dt2 * dt2);
  J[T * 3 + IL] = 0;
  J[IL * 3 + E] = p[P2] * y[T] / dt3;
  J[IL * 3 + T] = p[P2] * y[E] * p[G3] / (dt3 * dt3);
  J[IL * 3 + IL] = -p[MU3];
  return 0;
}

static const ims_label_t labels[] = {
    {"E", "effector cells"},
    {"T", "tumour cells"},
    {"IL", "IL-2"},
};

static const ims_plotcol_t plot[] = {
    {"T", IMS_SCALE_LOG},
    {"E", IMS_SCALE_LOG},
    {"IL", IMS_SCALE_LOG},
};

const ims_model_t ims_model_kirschner_panetta1998 = {
    .name = "kirschner_panetta1998",
    .title = "Kirschner-Panetta effector/tumour/IL-2 with adoptive cell therapy and IL-2",
    .family = "tumour-immune",
    .citation = "Kirschner D, Panetta JC. Modeling immunotherapy of the tumor-immune interaction. "
                "J Math Biol 1998;37:235-252",
    .notes = "Errata applied: g1 = 2e7 (the CellML port has 2e-7); the IL-2 driven proliferation "
             "is p1*E*IL/(g1 + IL) (BioModels BIOMD0000000732 drops '+ IL' from the "
             "denominator). IL-2 is in the paper's own concentration unit (canonical '1'), "
             "the unit in which g1 is given. Tumour-free equilibrium E* = s1/mu2 is stable iff "
             "s1 > r2*g2*mu2/a (540 cells/d with the default set). No extinction rule: the paper "
             "has none. At low antigenicity (c about 0.01) the T troughs fall far below one "
             "cell and a plain run 'relapses' at times set by the solver tolerances and "
             "floating point; use --extinct T=1 to make T = 0 below one cell "
             "(models/kirschner_panetta1998.md).",
    .time_unit = "d",
    .default_set = "default",
    .states = states,
    .nstates = 3,
    .params = params,
    .nparams = 13,
    .rhs = rhs,
    .jac = jac,
    .plot = plot,
    .nplot = 3,
    .labels = labels,
    .nlabels = 3,
};
