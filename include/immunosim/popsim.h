/* A virtual population run as the command line describes it: subjects
 * drawn from a run's parameter set (population.h), percentile bands over
 * time and one row of metrics per subject. */
#ifndef IMMUNOSIM_POPSIM_H
#define IMMUNOSIM_POPSIM_H

#include "immunosim/population.h"
#include "immunosim/run.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ims_popsim_spec {
  uint64_t n;               /* population size (subjects 0 .. n-1) */
  uint64_t seed;            /* default 1 */
  uint64_t first, last;     /* simulate [first, last); last 0: n */
  int threads;              /* 0 or 1: one */
  const char *omega;        /* covariance block file or shipped name, or NULL */
  const char *covariates;   /* covariate table (covariates.h), or NULL */
  int covariates_mode;      /* IMS_COV_ROWS (default) or IMS_COV_SAMPLE */
  double bands_mb;          /* exact percentiles within this memory (MB), else a histogram */
  ims_progress_fn progress; /* (subjects done, subjects) */
  void *progress_ud;
  /* Told about each failed subject (its draw or its solve), in subject order. */
  void (*failed)(void *ud, uint64_t id, const char *msg);
  void *failed_ud;
} ims_popsim_spec_t;

typedef struct ims_popsim_summary {
  uint64_t ok, failed;
  double wall; /* seconds */
  int exact;   /* exact percentiles (else the histogram) */
  double mb;   /* memory of the bands */
  ims_stats_t stats;
} ims_popsim_summary_t;

typedef struct ims_popsim ims_popsim_t;

/* Check the spec and build the population (no simulation yet). */
int ims_popsim_alloc(ims_popsim_t **out, ims_run_t *r, const ims_popsim_spec_t *spec,
                     ims_err_t *err);
void ims_popsim_free(ims_popsim_t *ps);
/* How many parameters vary (0: every subject is the typical one). */
int ims_popsim_nvar(const ims_popsim_t *ps);
/* Simulate and write the bands (time,COL_p05,...,COL_p95) to bands and one
 * row per subject to per_subject (either may be NULL).  When every subject
 * failed, returns IMS_ESOLVER without writing the bands. */
int ims_popsim_run(ims_popsim_t *ps, ims_output_t *bands, ims_output_t *per_subject,
                   ims_popsim_summary_t *sum, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
