/* depillis2006 (de Pillis 2006; models/depillis2006.md): closed forms for the decoupled C, M and I
 * equations, the untreated escape equilibrium against a GSL root, the
 * clearance/escape threshold of both patients, combined therapy, and the
 * Jacobian at the edges T = 0, L = 0 where D = d*(L/T)^l/(s + (L/T)^l) is 0/0. */
#include "../tests.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multiroots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *dp(void)
{
  return ims_model_find("depillis2006");
}

#define P9 "params/depillis2006/patient9.csv"
#define P10 "params/depillis2006/patient10.csv"

enum { sT, sN, sL, sC, sM, sI };

static ims_schedule_t *sched_file(const char *rel)
{
  ims_schedule_t *s;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_schedule_alloc(&s, &err), 0);
  ck_assert_msg(ims_schedule_read(s, dp(), t_units(), t_path(rel), &err) == 0, "%s", err.msg);
  return s;
}

/* Cells are counts: an absolute tolerance of 1e-6 cell is far below anything
 * meaningful, rtol 1e-10 for the closed-form comparisons. */
static void opts(ims_opts_t *o)
{
  ims_opts_default(o);
  o->rtol = 1e-10;
  o->atol = 1e-6;
}

/* T at tend from T_0 with the immune system at its tumour-free equilibrium:
 * C = alpha/beta, N = e*C/f, L = 0 (closed form of RHS = 0 at T = 0, M = I = 0). */
static double final_T(const char *file, double T0, double tend)
{
  ims_params_t *p = t_params(dp(), file, NULL);
  double C = t_par(p, "alpha") / t_par(p, "beta"), Nn = t_par(p, "e") * C / t_par(p, "f");
  p->value[ims_model_param_index(dp(), "T_0")] = T0;
  p->value[ims_model_param_index(dp(), "N_0")] = Nn;
  p->value[ims_model_param_index(dp(), "L_0")] = 0;
  p->value[ims_model_param_index(dp(), "C_0")] = C;
  ims_opts_t o;
  ims_opts_default(&o);
  o.atol = 1e-6;
  double t[2] = {0, tend};
  trace_t tr;
  t_run_ok(p, NULL, &o, t, 2, &tr);
  double T = TR(&tr, 1, 1 + sT);
  t_trace_free(&tr);
  ims_params_free(p);
  return T;
}

/* Bisection in log T_0 for the boundary between clearance (T < 1 cell at
 * 400 d) and escape (T > 1e8 at 400 d).  Returns the geometric midpoint. */
static double threshold(const char *file)
{
  double lo = 1e3, hi = 1e9;
  ck_assert_msg(final_T(file, lo, 400) < 1, "%s: 1e3 cells not cleared", file);
  ck_assert_msg(final_T(file, hi, 400) > 1e8, "%s: 1e9 cells did not escape", file);
  for (int i = 0; i < 40 && hi / lo > 1 + 1e-6; i++) {
    double mid = sqrt(lo * hi), T = final_T(file, mid, 400);
    ck_assert_msg(T < 1 || T > 1e8, "%s: T_0 = %g ends undecided at %g", file, mid, T);
    if (T > 1e8)
      hi = mid;
    else
      lo = mid;
  }
  return sqrt(lo * hi);
}

/* (a) de Pillis 2006: untreated, small tumours are cleared and large ones
 * escape to about 9.8e8 cells; the escape threshold differs between the two
 * patients.  Measured (immune system at its tumour-free equilibrium):
 * patient 9 1.85e7 cells, patient 10 1.06e6 cells. */
START_TEST(threshold_differs_between_patients)
{
  double th9 = threshold(P9), th10 = threshold(P10);
  /* "about 9.8e8": the run from 1e9 cells, 1% band for "about" */
  ck_assert_msg(fabs(final_T(P9, 1e9, 400) - 9.8e8) < 0.01 * 9.8e8, "patient 9 escape");
  ck_assert_msg(fabs(final_T(P10, 1e9, 400) - 9.8e8) < 0.01 * 9.8e8, "patient 10 escape");
  /* just either side of each threshold: cleared below, escapes above */
  ck_assert(final_T(P9, th9 * 0.99, 400) < 1);
  ck_assert(final_T(P9, th9 * 1.01, 400) > 9e8);
  ck_assert(final_T(P10, th10 * 0.99, 400) < 1);
  ck_assert(final_T(P10, th10 * 1.01, 400) > 9e8);
  /* the patients differ: more than a factor 2 apart */
  ck_assert_msg(th9 / th10 > 2 || th10 / th9 > 2, "thresholds %g and %g do not differ", th9, th10);
}
END_TEST

/* --- (b) the escape equilibrium: RHS = 0 in (T, N, L) with C = alpha/beta,
 * M = I = 0, solved by GSL hybridsj with the model's own RHS and Jacobian. */
typedef struct eqctx {
  const ims_params_t *p;
  double C;
} eqctx_t;

static void full_state(const gsl_vector *x, const eqctx_t *c, double *y)
{
  y[sT] = gsl_vector_get(x, 0);
  y[sN] = gsl_vector_get(x, 1);
  y[sL] = gsl_vector_get(x, 2);
  y[sC] = c->C;
  y[sM] = y[sI] = 0;
}

/* Scaled so that the solver sees O(1) unknowns: u = (T/1e9, N, L/1e6). */
static const double scale[3] = {1e9, 1, 1e6};

static int eq_f(const gsl_vector *u, void *ud, gsl_vector *f)
{
  eqctx_t *c = ud;
  double y[6], dy[6];
  gsl_vector *x = gsl_vector_alloc(3);
  for (int i = 0; i < 3; i++)
    gsl_vector_set(x, (size_t)i, gsl_vector_get(u, (size_t)i) * scale[i]);
  full_state(x, c, y);
  gsl_vector_free(x);
  int nd[6] = {0};
  ims_ctx_t ctx = {.p = c->p->value, .ndose = nd, .phase = 0};
  dp()->rhs(0, y, dy, &ctx);
  for (int i = 0; i < 3; i++)
    gsl_vector_set(f, (size_t)i, dy[i] / scale[i]);
  return GSL_SUCCESS;
}

static int eq_df(const gsl_vector *u, void *ud, gsl_matrix *J)
{
  eqctx_t *c = ud;
  double y[6], Jf[36];
  gsl_vector *x = gsl_vector_alloc(3);
  for (int i = 0; i < 3; i++)
    gsl_vector_set(x, (size_t)i, gsl_vector_get(u, (size_t)i) * scale[i]);
  full_state(x, c, y);
  gsl_vector_free(x);
  int nd[6] = {0};
  ims_ctx_t ctx = {.p = c->p->value, .ndose = nd, .phase = 0};
  ck_assert_int_eq(dp()->jac(0, y, Jf, &ctx), 0);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      gsl_matrix_set(J, (size_t)i, (size_t)j, Jf[i * 6 + j] * scale[j] / scale[i]);
  return GSL_SUCCESS;
}

static int eq_fdf(const gsl_vector *u, void *ud, gsl_vector *f, gsl_matrix *J)
{
  eq_f(u, ud, f);
  return eq_df(u, ud, J);
}

static void check_escape_equilibrium(const char *file)
{
  ims_params_t *p = t_params(dp(), file, "T_0=1e9", NULL);
  eqctx_t c = {p, t_par(p, "alpha") / t_par(p, "beta")};
  /* start near the published 9.8e8; N from its own (linear) equation at that
   * T, L at an order-of-magnitude guess */
  double T0 = 9.8e8, t2 = T0 * T0;
  double N0 = t_par(p, "e") * c.C /
              (t_par(p, "f") - t_par(p, "g") * t2 / (t_par(p, "h") + t2) + t_par(p, "p") * T0);
  gsl_multiroot_function_fdf F = {eq_f, eq_df, eq_fdf, 3, &c};
  gsl_vector *u = gsl_vector_alloc(3);
  gsl_vector_set(u, 0, T0 / scale[0]);
  gsl_vector_set(u, 1, N0 / scale[1]);
  gsl_vector_set(u, 2, 1e6 / scale[2]);
  gsl_multiroot_fdfsolver *s = gsl_multiroot_fdfsolver_alloc(gsl_multiroot_fdfsolver_hybridsj, 3);
  gsl_multiroot_fdfsolver_set(s, &F, u);
  int status = GSL_CONTINUE;
  for (int it = 0; it < 200 && status == GSL_CONTINUE; it++) {
    if (gsl_multiroot_fdfsolver_iterate(s))
      break;
    status = gsl_multiroot_test_delta(s->dx, s->x, 0, 1e-14);
  }
  ck_assert_msg(status == GSL_SUCCESS, "%s: no equilibrium found", file);
  double eq[6];
  gsl_vector *x = gsl_vector_alloc(3);
  for (int i = 0; i < 3; i++)
    gsl_vector_set(x, (size_t)i, gsl_vector_get(s->x, (size_t)i) * scale[i]);
  full_state(x, &c, eq);

  /* the untreated run from 1e9 cells settles there: C relaxes at rate beta
   * (1/125 d for patient 10), so 4000 d leave exp(-32) of the transient */
  ims_opts_t o;
  opts(&o);
  double t[2] = {0, 4000};
  trace_t tr;
  t_run_ok(p, NULL, &o, t, 2, &tr);
  for (int i = 0; i < 4; i++)
    ck_assert_msg(t_relerr(TR(&tr, 1, 1 + i), eq[i]) < 1e-6, "%s: %s run %.10g root %.10g", file,
                  dp()->states[i].name, TR(&tr, 1, 1 + i), eq[i]);
  /* "about 9.8e8" (de Pillis 2006): within 0.5% */
  ck_assert_msg(fabs(eq[sT] - 9.8e8) < 0.005 * 9.8e8, "T* = %g", eq[sT]);

  /* and it is a stable node: every eigenvalue of the full 6x6 Jacobian has a
   * negative real part */
  double Jf[36];
  int nd[6] = {0};
  ims_ctx_t ctx = {.p = p->value, .ndose = nd, .phase = 0};
  ck_assert_int_eq(dp()->jac(0, eq, Jf, &ctx), 0);
  gsl_matrix_view Jm = gsl_matrix_view_array(Jf, 6, 6);
  gsl_vector_complex *ev = gsl_vector_complex_alloc(6);
  gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(6);
  ck_assert_int_eq(gsl_eigen_nonsymm(&Jm.matrix, ev, w), 0);
  for (size_t i = 0; i < 6; i++)
    ck_assert_msg(GSL_REAL(gsl_vector_complex_get(ev, i)) < 0, "%s: eigenvalue %zu = %g", file, i,
                  GSL_REAL(gsl_vector_complex_get(ev, i)));
  gsl_eigen_nonsymm_free(w);
  gsl_vector_complex_free(ev);
  gsl_vector_free(x);
  gsl_vector_free(u);
  gsl_multiroot_fdfsolver_free(s);
  t_trace_free(&tr);
  ims_params_free(p);
}

START_TEST(escape_is_the_analytic_equilibrium)
{
  check_escape_equilibrium(P9);
  check_escape_equilibrium(P10);
}
END_TEST

/* (c) Without chemotherapy the C equation decouples: C' = alpha - beta*C, so
 * C(t) = alpha/beta + (C0 - alpha/beta) exp(-beta t) (closed form), from
 * below and from above, whatever the tumour does. */
START_TEST(lymphocytes_closed_form)
{
  const char *files[] = {P9, P10};
  const char *c0[] = {"C_0=6e8", "C_0=2e11"};
  for (int f = 0; f < 2; f++)
    for (int k = 0; k < 2; k++) {
      ims_params_t *p = t_params(dp(), files[f], c0[k], NULL);
      double a = t_par(p, "alpha"), b = t_par(p, "beta"), C0 = t_par(p, "C_0");
      ims_opts_t o;
      opts(&o);
      size_t n;
      double *t = t_grid(0, 600, 5, &n);
      trace_t tr;
      t_run_ok(p, NULL, &o, t, n, &tr);
      for (size_t i = 0; i < n; i++) {
        double want = a / b + (C0 - a / b) * exp(-b * t[i]);
        ck_assert_msg(t_relerr(TR(&tr, i, 1 + sC), want) <= 1e-6, "%s t=%g C %.12g want %.12g",
                      files[f], t[i], TR(&tr, i, 1 + sC), want);
      }
      /* not vacuous: C has covered most of the way to alpha/beta */
      ck_assert(fabs(TR(&tr, n - 1, 1 + sC) - C0) > 0.9 * fabs(a / b - C0));
      t_trace_free(&tr);
      free(t);
      ims_params_free(p);
    }
}
END_TEST

/* (d) M and I are linear one-compartment drugs: after a bolus M = M0
 * exp(-gamma t), I = I0 exp(-muI t); the chemotherapy schedule (1-day
 * infusions of rate R) gives the superposed closed form
 * R/gamma (1 - exp(-gamma (t - t0))) during and
 * R/gamma (1 - exp(-gamma)) exp(-gamma (t - t0 - 1)) after each pulse. */
START_TEST(drugs_closed_form)
{
  ims_params_t *p = t_params(dp(), P9, NULL);
  double g = t_par(p, "gamma"), mu = t_par(p, "muI");
  ims_schedule_t *s = t_sched(dp(), "time,cmt,amt\n0,M,5\n2,I,1e6\n");
  ims_opts_t o;
  opts(&o);
  o.atol = 1e-12;
  size_t n;
  double *t = t_grid(0, 6, 0.125, &n);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  for (size_t i = 0; i < n; i++) {
    double wm = 5 * exp(-g * t[i]), wi = t[i] >= 2 ? 1e6 * exp(-mu * (t[i] - 2)) : 0;
    ck_assert_msg(fabs(TR(&tr, i, 1 + sM) - wm) <= 1e-6 * wm + 1e-11, "t=%g M %.12g want %.12g",
                  t[i], TR(&tr, i, 1 + sM), wm);
    ck_assert_msg(fabs(TR(&tr, i, 1 + sI) - wi) <= 1e-6 * wi + 1e-9, "t=%g I %.12g want %.12g",
                  t[i], TR(&tr, i, 1 + sI), wi);
  }
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);

  s = sched_file("params/schedules/depillis_chemo.csv");
  t = t_grid(0, 100, 0.25, &n);
  t_run_ok(p, s, &o, t, n, &tr);
  const double R = 5; /* mg/L/d: 5 mg/L over 1 d */
  for (size_t i = 0; i < n; i++) {
    double want = 0;
    for (int k = 0; k < 9; k++) {
      double t0 = 10.0 * k, u = t[i] - t0;
      if (u <= 0)
        continue;
      want += u <= 1 ? R / g * (1 - exp(-g * u)) : R / g * (1 - exp(-g)) * exp(-g * (u - 1));
    }
    ck_assert_msg(fabs(TR(&tr, i, 1 + sM) - want) <= 1e-6 * want + 1e-11, "t=%g M %.12g want %.12g",
                  t[i], TR(&tr, i, 1 + sM), want);
  }
  t_trace_free(&tr);
  free(t);
  ims_schedule_free(s);
  ims_params_free(p);
}
END_TEST

static double T_end(const char *file, const char *sched, double tend)
{
  ims_params_t *p = t_params(dp(), file, "T_0=2e7", NULL);
  ims_schedule_t *s = sched ? sched_file(sched) : NULL;
  ims_opts_t o;
  ims_opts_default(&o);
  o.atol = 1e-6;
  double t[2] = {0, tend};
  trace_t tr;
  t_run_ok(p, s, &o, t, 2, &tr);
  double T = TR(&tr, 1, 1 + sT);
  t_trace_free(&tr);
  ims_schedule_free(s);
  ims_params_free(p);
  return T;
}

/* (e) Patient 9, default immune state (N 1e3, L 10, C 6e8) and 2e7 tumour
 * cells: untreated and under pulsed chemotherapy alone the tumour escapes to
 * its 9.8e8 equilibrium; chemotherapy with TIL and IL-2 (depillis_combined)
 * clears it (below one cell by day 200). */
START_TEST(combined_therapy_clears)
{
  ck_assert(T_end(P9, NULL, 200) > 9e8);
  ck_assert(T_end(P9, "params/schedules/depillis_chemo.csv", 200) > 9e8);
  ck_assert(T_end(P9, "params/schedules/depillis_combined.csv", 200) < 1);
}
END_TEST

/* The Jacobian at the edges: finite everywhere, and equal to the limits of
 * the central differences.  At T = 0, L > 0: d(DT)/dT = d (DT ~ d*T);
 * at L = 0: d(DT)/dL = 0 (l > 1); at T = L = 0 both 0. */
START_TEST(jacobian_edges)
{
  const char *files[] = {P9, P10};
  for (int f = 0; f < 2; f++) {
    ims_params_t *p = t_params(dp(), files[f], NULL);
    int nd[6] = {0};
    ims_ctx_t ctx = {.p = p->value, .ndose = nd, .phase = 0};
    const double edges[][6] = {
        {0, 1e3, 1e4, 6e8, 0, 0},        {1e6, 1e3, 0, 6e8, 0, 0}, {0, 1e3, 0, 6e8, 0, 0},
        {-1e-20, 1e3, 1e2, 6e8, 1, 1e6}, {1e9, 0, 0, 0, 0, 0},     {1, 1, 1e9, 1, 3, 1},
    };
    for (size_t e = 0; e < sizeof edges / sizeof *edges; e++) {
      double J[36], dy[6];
      ck_assert_int_eq(dp()->rhs(0, edges[e], dy, &ctx), 0);
      ck_assert_int_eq(dp()->jac(0, edges[e], J, &ctx), 0);
      for (int i = 0; i < 6; i++)
        ck_assert_msg(isfinite(dy[i]), "edge %zu: f[%d] not finite", e, i);
      for (int i = 0; i < 36; i++)
        ck_assert_msg(isfinite(J[i]), "edge %zu: J[%d] not finite", e, i);
    }
    /* T = 0, L > 0 */
    double J[36];
    ck_assert_int_eq(dp()->jac(0, edges[0], J, &ctx), 0);
    double d = t_par(p, "d");
    ck_assert_msg(t_relerr(-J[sT * 6 + sT] - t_par(p, "c") * 1e3 + t_par(p, "a"), d) < 1e-12,
                  "dfT/dT at T=0");
    /* one-sided differences at T = 0 and L = 0 agree with the analytic values */
    for (int e = 0; e < 3; e++) {
      double y[6], fp[6], f0[6];
      memcpy(y, edges[e], sizeof y);
      ck_assert_int_eq(dp()->jac(0, y, J, &ctx), 0);
      dp()->rhs(0, y, f0, &ctx);
      for (int j = sT; j <= sL; j += 2) { /* T and L columns */
        double h = 1e-4;
        y[j] += h;
        dp()->rhs(0, y, fp, &ctx);
        y[j] -= h;
        for (int i = 0; i < 3; i++) {
          double fd = (fp[i] - f0[i]) / h;
          ck_assert_msg(fabs(fd - J[i * 6 + j]) <= 1e-4 * (fabs(fd) + 1e-3),
                        "%s edge %d: dF[%d]/d%d analytic %.10g differences %.10g", files[f], e, i,
                        j, J[i * 6 + j], fd);
        }
      }
    }
    ims_params_free(p);
  }
}
END_TEST

Suite *suite_depillis2006(void)
{
  Suite *s = suite_create("depillis2006");
  TCase *tc = tcase_create("model");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, lymphocytes_closed_form);
  tcase_add_test(tc, drugs_closed_form);
  tcase_add_test(tc, jacobian_edges);
  tcase_add_test(tc, escape_is_the_analytic_equilibrium);
  tcase_add_test(tc, combined_therapy_clears);
  tcase_add_test(tc, threshold_differs_between_patients);
  suite_add_tcase(s, tc);
  return s;
}
