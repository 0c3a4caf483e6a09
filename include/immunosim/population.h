/* Virtual populations: per-subject parameters drawn from (seed, subject)
 * only, and an OpenMP loop over subjects with results in subject order.
 *
 * Sampling scheme (reproducible by anyone with GSL):
 *   mix(z)  = splitmix64 finaliser: z ^= z >> 30; z *= 0xBF58476D1CE4E5B9;
 *             z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31
 *   gamma   = 0x9E3779B97F4A7C15
 *   key_i   = mix(seed ^ mix(i + gamma))        (i: 0-based subject number)
 *   k2_i    = mix(key_i + gamma)
 *   gsl_rng_taus2 state (s1, s2, s3) = (low32(key_i), high32(key_i), low32(k2_i)),
 *   with GSL's own lower bounds (s1 < 2: += 2, s2 < 8: += 8, s3 < 16: += 16),
 *   then 6 warm-up draws, exactly as gsl_rng_set does after its LCG seeding.
 *   (gsl_rng_set itself keeps only 32 bits of a seed, which would make two
 *   subjects of 100,000 share a stream with probability about 0.7; writing the
 *   state directly gives 64 bits, and key_i is a bijection of i for a seed, so
 *   distinct subjects get distinct streams.)
 *   z_k     = gsl_ran_gaussian_ziggurat(r, 1.0), k = 0 .. nvar-1, in the
 *             declaration order of the varying parameters (parameters, then
 *             <STATE>_0);
 *   eta     = L z, L the lower Cholesky factor of Omega (diagonal omega^2
 *             from the parameter file's iiv column, or the --omega block);
 *   lognormal: P = theta * exp(eta);  normal: P = theta + eta;  fixed: P = theta.
 * A normal draw that makes a non-negative parameter negative fails that
 * subject (it is reported and excluded, never resampled, so the draws of the
 * others do not change).
 *
 * Truncation (the parameter file's lower and upper columns): when a drawn
 * value lies outside its bounds, the subject's whole vector z is drawn again
 * from the same stream (the next normals), until every bounded value is
 * within its bounds: the joint distribution conditioned on the bounds, still
 * a function of (seed, subject) only.  Bounds that keep less than
 * IMS_POP_MIN_MASS of a value's distribution are refused; a subject that
 * needs more than IMS_POP_MAX_TRIES draws fails. */
#ifndef IMMUNOSIM_POPULATION_H
#define IMMUNOSIM_POPULATION_H

#include "immunosim/bands.h"
#include "immunosim/err.h"
#include "immunosim/params.h"
#include "immunosim/schedule.h"
#include "immunosim/sim.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_POP_MIN_MASS 0.01
#define IMS_POP_MAX_TRIES 10000

/* The variability of a parameter set: typical values, which ones vary, and
 * the Cholesky factor of their covariance.  Read-only once built. */
typedef struct ims_pop ims_pop_t;

int ims_pop_alloc(ims_pop_t **out, const ims_params_t *p, ims_err_t *err);
void ims_pop_free(ims_pop_t *pop);
/* A full covariance block (CSV, first row "name,<P1>,<P2>,...", then one row
 * per parameter "<Pi>,v1,...": the lower triangle (row i has i values) or
 * the full symmetric matrix).  Values are omega^2 on the log scale for
 * lognormal parameters and in the canonical unit for normal ones.  It replaces
 * the iiv column of the parameters it names; a named parameter whose dist is
 * not normal becomes lognormal. */
int ims_pop_read_omega(ims_pop_t *pop, const char *path, ims_err_t *err);
int ims_pop_read_omega_mem(ims_pop_t *pop, const char *name, const char *buf, size_t len,
                           ims_err_t *err);

int ims_pop_nvalues(const ims_pop_t *pop);
/* How many parameters vary, and the parameter index of the k-th. */
int ims_pop_nvar(const ims_pop_t *pop);
int ims_pop_var_index(const ims_pop_t *pop, int k);
int ims_pop_var_dist(const ims_pop_t *pop, int k);
/* Omega[j][k] of the varying parameters. */
double ims_pop_omega(const ims_pop_t *pop, int j, int k);

uint64_t ims_pop_subject_key(uint64_t seed, uint64_t subject);

/* A per-thread sampling workspace. */
typedef struct ims_pop_rng ims_pop_rng_t;
int ims_pop_rng_alloc(ims_pop_rng_t **out, const ims_pop_t *pop, ims_err_t *err);
void ims_pop_rng_free(ims_pop_rng_t *r);
/* Subject i's parameter values (ims_pop_nvalues of them) and, when eta is not
 * NULL, its etas (nvar).  IMS_EINPUT when a normal draw is out of range. */
int ims_pop_draw(const ims_pop_t *pop, ims_pop_rng_t *r, uint64_t seed, uint64_t subject, double *p,
                 double *eta, ims_err_t *err);

/* Per-subject metrics kept by the population loop, per watched column
 * (ims_pop_run_t.cols; default every state, then every output): the maximum
 * over the output grid and its time, the AUC over [t0, tend] from the
 * CVODES quadrature, and the last value. */
#define IMS_PM_CMAX 0
#define IMS_PM_TMAX 1
#define IMS_PM_AUC 2
#define IMS_PM_LAST 3
#define IMS_PM_N 4
extern const char *const ims_pm_names[IMS_PM_N]; /* "cmax","tmax","auc","last" */

/* One subject's outcome, handed to the callback in subject order. */
typedef struct ims_pop_subject {
  uint64_t id;           /* global 0-based subject number */
  int status;            /* IMS_OK, or the error of its draw or solve */
  const char *msg;       /* the error message when status != IMS_OK */
  const double *p;       /* its parameter values (nvalues) */
  const double *eta;     /* its etas (nvar) */
  const double *metrics; /* ncols * IMS_PM_N (the watched columns, in their order), column by
                            column; NULL with no_metrics */
} ims_pop_subject_t;

typedef struct ims_pop_run {
  uint64_t seed;
  uint64_t first, last; /* subjects [first, last), 0-based */
  int threads;          /* 0 or 1: one thread */
  int no_metrics;       /* skip the quadratures and metrics (summary mode) */
  const int *cols;      /* the columns whose metrics are kept (state index, or nstates +
                           output index); NULL: every column */
  int ncols;
  ims_bands_t *bands; /* ntout * (nstates + noutputs) cells, or NULL */
  /* Called in subject order, one call at a time (from any one thread). */
  int (*subject)(void *ud, const ims_pop_subject_t *s);
  void *ud;
  size_t chunk_mem; /* bytes for the per-chunk trajectory buffer; 0 = 32 MiB */
  /* Optional, after each draw: the subject's own inputs (covariate values
   * into p, its schedule in *sched, which starts as the run's), from any
   * thread and depending on the subject only: ims_subjects_setup
   * (covariates.h).  A non-zero status fails the subject. */
  int (*setup)(void *ud, uint64_t subject, double *p, const ims_schedule_t **sched, ims_err_t *err);
  void *setup_ud;
} ims_pop_run_t;

typedef struct ims_pop_summary {
  uint64_t ok, failed;
  ims_stats_t stats; /* solver statistics summed over the subjects */
} ims_pop_summary_t;

/* Simulate subjects [first, last).  A subject whose draw or solve fails is
 * reported to the callback with its status and excluded from the bands; it
 * never stops the run.  Returns an error only for set-up problems, a callback
 * that returns non-zero, or running out of memory. */
int ims_pop_simulate(const ims_pop_t *pop, const ims_schedule_t *sched, const ims_opts_t *opts,
                     const double *tout, size_t ntout, const ims_pop_run_t *run,
                     ims_pop_summary_t *sum, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
