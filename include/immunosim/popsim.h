/* A virtual population run as the command line describes it: subjects
 * drawn from a run's parameter set (population.h), percentile bands over
 * time and one row of metrics per subject; across the ranks of an MPI job
 * (par.h) and in shards that `immunosim merge` combines (merge.h). */
#ifndef IMMUNOSIM_POPSIM_H
#define IMMUNOSIM_POPSIM_H

#include "immunosim/par.h"
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
  int shard;                /* write mergeable outputs (see below) */
  int threads;              /* 0 or 1: one */
  const char *omega;        /* covariance block file or shipped name, or NULL */
  const char *covariates;   /* covariate table (covariates.h), or NULL */
  int covariates_mode;      /* IMS_COV_ROWS (default) or IMS_COV_SAMPLE */
  double bands_mb;          /* exact percentiles within this memory (MB), else a histogram */
  const char *cols;         /* "A,B": per-subject metrics of these columns only; NULL: all */
  int tsv, no_metadata;     /* the format of the tables (IMS_FMT_TSV, IMS_OUT_NO_META) */
  ims_par_t *par;           /* the ranks sharing [first, last) (NULL: this process) */
  int write_bands;          /* under MPI: rank 0 writes bands (the others pass NULL outputs) */
  int write_per_subject;    /* ... and per-subject rows */
  ims_progress_fn progress; /* (subjects done, subjects) */
  void *progress_ud;
  /* Told about each failed subject (its draw or its solve), in subject order
   * (under MPI on rank 0, for the subjects of every rank). */
  void (*failed)(void *ud, uint64_t id, const char *msg);
  void *failed_ud;
} ims_popsim_spec_t;

typedef struct ims_popsim_summary {
  uint64_t ok, failed;
  double wall;     /* seconds */
  int exact;       /* exact percentiles (else the histogram) */
  double mb;       /* memory of the bands (this process) */
  double bound_mb; /* the most they could take */
  int level;       /* histogram: the coarsest level (accuracy 2^(level-8)) */
  int ranks;
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
 * failed, returns IMS_ESOLVER without writing the bands.
 *
 * A shard (spec.shard) writes, instead of percentiles, the state of its
 * bands (histogram counts, or the values when the whole run's bands would be
 * exact), and marks both files with a "# shard:" line (its subjects, counts,
 * solver statistics); `immunosim merge` turns the shards of one run into
 * the bytes the unsharded run writes.
 *
 * Under MPI (spec.par of several ranks) every rank calls this with the same
 * spec; each simulates a contiguous share, rank 0 receives the per-subject
 * results in order and the bands (summed counts), and writes the outputs;
 * the summary's counts are the whole run's on rank 0.  The caller agrees
 * (ims_par_agree) before committing. */
int ims_popsim_run(ims_popsim_t *ps, ims_output_t *bands, ims_output_t *per_subject,
                   ims_popsim_summary_t *sum, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
