/* Shared helpers for the Check suites. */
#ifndef IMS_TESTS_H
#define IMS_TESTS_H

#include "immunosim/immunosim.h"

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* Rows collected from a run: each row is time, states, outputs (ncol values). */
typedef struct trace {
  int ncol, nq;
  size_t nrow, cap;
  double *v; /* nrow * ncol */
  double *q; /* nrow * nq quadratures, when requested */
  ims_logged_t ev[256];
  int nev;
} trace_t;

#define TR(tr, i, c) ((tr)->v[(size_t)(i) * (size_t)(tr)->ncol + (size_t)(c)])

const char *t_srcdir(void);
/* Path under the source tree (static buffer rotated over 8 slots). */
const char *t_path(const char *rel);
ims_units_t *t_units(void);
/* Parameters of a model from a file under the source tree (NULL: none) plus
 * NAME=VALUE[UNIT] overrides, terminated by NULL.  Aborts the test on error. */
ims_params_t *t_params(const ims_model_t *m, const char *file, ...);
/* A schedule from CSV text, or "@REL" for a file under the source tree. */
ims_schedule_t *t_sched(const ims_model_t *m, const char *csv);
int t_run(const ims_model_t *m, const double *p, const ims_schedule_t *s, const ims_opts_t *o,
          const double *tout, size_t n, trace_t *tr, ims_err_t *err);
void t_trace_free(trace_t *tr);
/* Column index of a state or output name in a trace. */
int t_col(const ims_model_t *m, const char *name);
void t_tight(ims_opts_t *o);
/* Output times t0 + i*dt up to t1 (ims_grid_uniform); the caller frees them. */
double *t_grid(double t0, double t1, double dt, size_t *n);
/* t_run on p's model that must succeed and report every one of the n rows. */
void t_run_ok(const ims_params_t *p, const ims_schedule_t *s, const ims_opts_t *o, const double *t,
              size_t n, trace_t *tr);
/* A parameter's value (canonical unit) by name; aborts the test if unknown. */
double t_par(const ims_params_t *p, const char *name);
/* Eigenvalues of m's analytic Jacobian at y (t = 0, phase 0, no doses). */
void t_jac_eig(const ims_model_t *m, const double *p, const double *y, double *re, double *im);
double t_relerr(double got, double want);
/* splitmix64: the next 64-bit value of the stream *state (a fixed seed gives
 * the same cases every run), and a uniform double in [0, 1) from it. */
uint64_t t_mix(uint64_t *state);
double t_unif(uint64_t *state);

Suite *suite_core(void);
Suite *suite_pk(void);
Suite *suite_badinput(void);
Suite *suite_models(void);
Suite *suite_metrics(void);
Suite *suite_rules(void);
Suite *suite_sens(void);
Suite *suite_timeline(void);
Suite *suite_crossings(void);
Suite *suite_sens_jump(void);
/* switches of model-file conditions and init_ctx through the driver (test_switches.c) */
Suite *suite_switches(void);
/* solver failures name the model, time and state (test_failure.c) */
Suite *suite_failure(void);
Suite *suite_units(void);
Suite *suite_table(void);
Suite *suite_figure(void);

Suite *suite_population(void);
Suite *suite_nvec(void);
Suite *suite_aug(void);
Suite *suite_bands(void);
/* covariates, doses per kg/m2, NONMEM habits of the schedule reader (test_covariates.c) */
Suite *suite_covariates(void);
/* dynamics: equilibria (test_dynamics.c), continuation, orbits, phase plane
 * (test_continuation.c) */
Suite *suite_dynamics(void);
Suite *suite_continuation(void);
/* period, amplitude, lists of extrema and crossings (test_oscill.c) */
Suite *suite_oscill(void);
/* separatrices, trajectories, field arrows, damped orbit rows (test_portrait.c) */
Suite *suite_portrait(void);
Suite *suite_output(void);
Suite *suite_modelfiles(void);
Suite *suite_expr(void);
Suite *suite_sbml(void);
/* SBML export, model-file twins of the built-ins, labels (test_export.c) */
Suite *suite_export(void);
Suite *suite_biomodels(void);
/* model suites (tests/models/test_<model>.c) */
Suite *suite_hardiansyah2019(void);
/* population PK model files: ipilimumab, bevacizumab (tests/models/test_mab_popk.c) */
Suite *suite_ipilimumab_feng2014(void);
Suite *suite_bevacizumab_han2016(void);

Suite *suite_cartmath2021(void);
Suite *suite_chen2019(void);
Suite *suite_hanson2016(void);

Suite *suite_stein2019(void);
Suite *suite_kimmel2021(void);

Suite *suite_depillis2006(void);
Suite *suite_wodarz2001(void);

Suite *suite_kirschner_panetta1998(void);
Suite *suite_kuznetsov1994(void);

Suite *suite_gevertz2018(void);
Suite *suite_hosseini2020(void);
Suite *suite_dwivedi2014(void);

#endif
