/* Kuznetsov, Makalkin, Taylor & Perelson 1994: effector cells and an
 * immunogenic tumour (BCL1 lymphoma in mice) (Bull Math Biol 56:295; models/kuznetsov1994.md).
 *
 *   dE/dt = s + p*E*T/(g + T) - m*E*T - d*E
 *   dT/dt = a*T*(1 - b*T) - n*E*T
 */
#include "immunosim/model.h"

enum { E, T };
enum { S, P, G, M, D, A, B, N };

static const ims_var_t states[] = {
    {"E", "cell", "effector cells (CTL)"},
    {"T", "cell", "tumour cells"},
};

static const ims_par_t params[] = {
    {"s", "cell/d", "normal (tumour-independent) effector influx", 0, 0},
    {"p", "1/d", "maximal tumour-stimulated effector proliferation rate", 0, 0},
    {"g", "cell", "tumour size of half-maximal effector stimulation", 0, 0},
    {"m", "1/cell/d", "effector inactivation by tumour cells", 0, 0},
    {"d", "1/d", "effector death rate", 0, 0},
    {"a", "1/d", "maximal tumour growth rate", 0, 0},
    {"b", "1/cell", "inverse tumour carrying capacity", 0, 0},
    {"n", "1/cell/d", "tumour kill rate per effector", 0, 0},
};

static int rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  dy[E] = p[S] + p[P] * y[E] * y[T] / (p[G] + y[T]) - p[M] * y[E] * y[T] - p[D] * y[E];
  dy[T] = p[A] * y[T] * (1 - p[B] * y[T]) - p[N] * y[E] * y[T];
  return 0;
}

static int jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  (void)t;
  const double *p = ctx->p;
  double gt = p[G] + y[T];
  J[E * 2 + E] = p[P] * y[T] / gt - p[M] * y[T] - p[D];
  J[E * 2 + T] = p[P] * y[E] * p[G] / (gt * gt) - p[M] * y[E];
  J[T * 2 + E] = -p[N] * y[T];
  J[T * 2 + T] = p[A] * (1 - 2 * p[B] * y[T]) - p[N] * y[E];
  return 0;
}

static const ims_label_t labels[] = {
    {"E", "effector cells"},
    {"T", "tumour cells"},
};

static const ims_plotcol_t plot[] = {
    {"T", IMS_SCALE_LOG},
    {"E", IMS_SCALE_LOG},
};

const ims_model_t ims_model_kuznetsov1994 = {
    .name = "kuznetsov1994",
    .title = "Kuznetsov-Makalkin-Taylor-Perelson effector/tumour model (BCL1 lymphoma)",
    .family = "tumour-immune",
    .citation = "Kuznetsov VA, Makalkin IA, Taylor MA, Perelson AS. Nonlinear dynamics of "
                "immunogenic tumors: parameter estimation and global bifurcation analysis. "
                "Bull Math Biol 1994;56:295-321 (BioModels BIOMD0000000762)",
    .notes = "Dimensional form of the paper's model with the BCL1 estimates as curated in "
             "BioModels BIOMD0000000762. No errata were needed. With the bcl1 set a stable "
             "dormant focus (T about 8e6 cells) and a stable escape node (T about 4.5e8) are "
             "separated by a saddle; the inoculum T_0 decides which is reached "
             "(models/kuznetsov1994.md).",
    .time_unit = "d",
    .default_set = "bcl1",
    .states = states,
    .nstates = 2,
    .params = params,
    .nparams = 8,
    .rhs = rhs,
    .jac = jac,
    .plot = plot,
    .nplot = 2,
    .labels = labels,
    .nlabels = 2,
};
