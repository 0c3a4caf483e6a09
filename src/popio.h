/* Internal: the band tables population writes and merge writes again, so
 * that merged shards are the bytes of the unsharded run. */
#ifndef IMS_POPIO_H
#define IMS_POPIO_H

#include "immunosim/bands.h"
#include "immunosim/output.h"
#include "immunosim/sim.h"

#include <stdint.h>

/* The columns of a band table: times, and per column its display name,
 * unit, and display = scale * canonical + offset. */
typedef struct ims__bandcols {
  size_t ntimes;
  const double *times;
  const char *time_unit;
  int ncols;
  const char *const *names;
  const char *const *units;
  const double *scale, *offset;
} ims__bandcols_t;

/* "# bands: ..." (mode, subjects, accuracy), then the header and one row of
 * percentiles per time. */
int ims__bands_percentiles(ims_output_t *o, ims_bands_t *b, const ims__bandcols_t *c, uint64_t nok,
                           ims_err_t *err);
/* A shard's bands: "# shard-column:" lines (unit, scale, offset), then the
 * table time,column,<ims_bands_field_name...>, one row per cell. */
int ims__bands_state(ims_output_t *o, ims_bands_t *b, const ims__bandcols_t *c, ims_err_t *err);

/* The "# shard:" line: what a shard is, for merge. */
typedef struct ims__shard {
  int kind; /* IMS__SHARD_BANDS, IMS__SHARD_SUBJECTS */
  uint64_t first, last, n;
  uint64_t ok, failed;
  ims_stats_t stats;
  int exact;    /* bands: exact values (else a histogram) */
  int tsv;      /* the merged table is tab-separated */
  int metadata; /* the merged table has '#' lines */
} ims__shard_t;
#define IMS__SHARD_BANDS 1
#define IMS__SHARD_SUBJECTS 2

void ims__shard_write(ims_output_t *o, const ims__shard_t *s);
/* Parse the text after "shard: "; 0 or -1. */
int ims__shard_parse(const char *text, ims__shard_t *s);

#endif
