/* Shards of one population run (population --subjects A:B, popsim.h)
 * combined into exactly the files the unsharded run writes: the bands
 * shards' histogram counts (or values) merged and turned into percentiles,
 * the per-subject shards' rows put in subject order.  Shards of different
 * runs (any difference in the metadata: model, parameter files and their
 * checksums, overrides, schedule and doses, solver options, times, seed,
 * N, iiv, columns and units) are refused, and so are missing or
 * overlapping subject ranges.  Every file is read by the table reader. */
#ifndef IMMUNOSIM_MERGE_H
#define IMMUNOSIM_MERGE_H

#include "immunosim/err.h"
#include "immunosim/output.h"
#include "immunosim/sim.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ims_merge ims_merge_t;

typedef struct ims_merge_summary {
  int nshards;
  int bands;  /* 1: bands shards, 0: per-subject shards */
  uint64_t n; /* subjects: 0 .. n-1 */
  uint64_t ok, failed;
  ims_stats_t stats; /* bands shards: summed solver statistics */
  int exact;         /* bands: exact percentiles (else the histogram) */
  int level;         /* histogram: the coarsest level */
  double mb, bound_mb;
} ims_merge_summary_t;

/* Read the shards' metadata and check they form one run (no rows yet). */
int ims_merge_alloc(ims_merge_t **out, const char *const *paths, int n, ims_err_t *err);
void ims_merge_free(ims_merge_t *m);
/* The format to open the output with: IMS_FMT_CSV or IMS_FMT_TSV, with
 * IMS_OUT_NO_META when the run was asked for no metadata. */
int ims_merge_format(const ims_merge_t *m);
/* Read every shard and write the merged table. */
int ims_merge_write(ims_merge_t *m, ims_output_t *o, ims_err_t *err);
void ims_merge_summary(const ims_merge_t *m, ims_merge_summary_t *s);

#ifdef __cplusplus
}
#endif
#endif
