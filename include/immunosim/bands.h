/* Percentile bands over time for populations: per (time, column) cell, the
 * 5/25/50/75/95 % percentiles of the values of every subject, in memory
 * bounded independently of the number of subjects.
 *
 * Two modes, chosen at allocation:
 *  - exact: every value is kept (ntimes * ncols * nmax doubles) and the
 *    percentiles are Hyndman & Fan type 7 (linear interpolation between order
 *    statistics; R's default, numpy's "linear").  Used when that fits the cap.
 *  - histogram: per cell, integer counts in fixed log-spaced bins.  A
 *    positive magnitude m has the level-0 key (bits of m) >> (52 - 8): sign,
 *    exponent and the top 8 mantissa bits, i.e. 256 bins per octave,
 *    relative width 2^-8 = 0.39 %.  Negative values are counted by magnitude
 *    in a second store, zeros in a third count.  A store holds the contiguous
 *    keys from its smallest to its largest value at the coarsest level L it
 *    needs to fit in IMS_BANDS_BINS bins: a level-L key is the level-0 key
 *    >> L (2^(8-L) bins per octave).  So a cell holds at most
 *    2 * IMS_BANDS_BINS counts whatever the number of subjects, values
 *    spanning up to 2^(IMS_BANDS_BINS/256) = 256 (factor) keep the full
 *    0.39 %, and every doubling of the span halves the bins per octave.
 *    Each store also keeps its exact smallest and largest magnitude.  The
 *    order statistic of rank j is placed inside its bin by linear
 *    interpolation (the bin clipped to the store's extremes; the extremes
 *    themselves are exact), then type 7 as above.  Its error is at most the
 *    width of its bin: 2^(L-8) of the value (exact where a store holds one
 *    distinct value, e.g. identical initial conditions).
 * Both modes depend only on the multiset of values added, never on the order
 * of adding, so results do not depend on threads; and two histograms of the
 * same shape merge exactly (ims_bands_merge; the MPI reduction sums the
 * counts after ims_bands_align), so shards and ranks give the bits of one
 * run.  NaNs are skipped and -0.0 is stored as +0.0. */
#ifndef IMMUNOSIM_BANDS_H
#define IMMUNOSIM_BANDS_H

#include "immunosim/err.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_BANDS_MANTISSA_BITS 8
/* Most bins of one sign in one cell (histogram mode). */
#define IMS_BANDS_BINS 2048
#define IMS_BANDS_NP 5
/* The percentiles of every band file, in this order. */
extern const double ims_bands_p[IMS_BANDS_NP];           /* 0.05 0.25 0.50 0.75 0.95 */
extern const char *const ims_bands_suffix[IMS_BANDS_NP]; /* "_p05" ... "_p95" */

typedef struct ims_bands ims_bands_t;

/* ntimes * ncols cells; nmax: how many values a cell may receive; exact mode
 * is used when ntimes*ncols*nmax doubles fit in mem_cap bytes
 * (ims_bands_fits). */
int ims_bands_alloc(ims_bands_t **out, size_t ntimes, int ncols, size_t nmax, size_t mem_cap,
                    ims_err_t *err);
/* The same with the mode given (exact 1, histogram 0). */
int ims_bands_alloc_mode(ims_bands_t **out, size_t ntimes, int ncols, size_t nmax, int exact,
                         ims_err_t *err);
/* 1 when nmax values per cell are kept exactly within mem_cap bytes. */
int ims_bands_fits(size_t ntimes, int ncols, size_t nmax, size_t mem_cap);
void ims_bands_free(ims_bands_t *b);
int ims_bands_exact(const ims_bands_t *b);
size_t ims_bands_ncells(const ims_bands_t *b);
/* Add one value to cell (it * ncols + col).  Different cells may be filled
 * from different threads at once; one cell from one thread at a time. */
int ims_bands_add(ims_bands_t *b, size_t cell, double v, ims_err_t *err);
/* Values added to a cell so far (NaNs not counted). */
size_t ims_bands_count(const ims_bands_t *b, size_t cell);
/* Percentile p in [0,1] of a cell (NaN when it is empty or p is outside
 * [0,1]).  Not thread-safe for a cell (exact mode sorts it on first use). */
double ims_bands_quantile(ims_bands_t *b, size_t cell, double p);
/* Bytes held now, and the most this object can ever hold: exact
 * ncells * nmax * 8 + cell records, histogram ncells * (2 * IMS_BANDS_BINS
 * * 4 + a cell record), whatever the number of values. */
size_t ims_bands_bytes(const ims_bands_t *b);
size_t ims_bands_bound(const ims_bands_t *b);
/* The coarsest histogram level over the cells (0 in exact mode): every
 * percentile is within 2^(level - IMS_BANDS_MANTISSA_BITS) of its value. */
int ims_bands_level(const ims_bands_t *b);

/* ---- merging: shards and ranks --------------------------------------------
 * Two objects of the same shape and mode merge into the state one object
 * fed with both sets of values would have, bit for bit.  Exact mode appends
 * the values (into must have room: nmax). */
int ims_bands_merge(ims_bands_t *into, const ims_bands_t *from, ims_err_t *err);

/* For a reduction over processes (histogram mode), cells [c0, c0 + nc):
 *  1. ims_bands_extents writes 4 doubles per cell whose element-wise minimum
 *     over the processes is the union's extent;
 *  2. ims_bands_align brings every store to that extent (same level and
 *     keys on every process);
 *  3. ims_bands_nslots counts per cell (then the same everywhere),
 *     ims_bands_get_counts exports them, their element-wise sum is the
 *     union's, and ims_bands_set_counts installs it. */
void ims_bands_extents(const ims_bands_t *b, size_t c0, size_t nc, double *ext);
int ims_bands_align(ims_bands_t *b, size_t c0, size_t nc, const double *ext, ims_err_t *err);
size_t ims_bands_nslots(const ims_bands_t *b, size_t c0, size_t nc);
void ims_bands_get_counts(const ims_bands_t *b, size_t c0, size_t nc, uint32_t *counts);
int ims_bands_set_counts(ims_bands_t *b, size_t c0, size_t nc, const uint32_t *counts,
                         ims_err_t *err);
/* Exact mode: the values of cells [c0, c0 + nc), cell by cell, n[i] per cell
 * (ims_bands_count); vals must hold their sum. */
void ims_bands_get_values(const ims_bands_t *b, size_t c0, size_t nc, double *vals);

/* ---- text form of a cell (shard files) ------------------------------------
 * Histogram: n,zero,neg_n,neg_min,neg_max,neg_bins,pos_n,pos_min,pos_max,pos_bins
 *   where *_bins is "KEY:COUNT KEY:COUNT ..." (level-L keys of the non-empty
 *   bins, ascending; L follows from the store's min and max);
 * exact: n,values ("V V V ...", ascending).
 * Numbers are written to read back to the same double. */
int ims_bands_nfields(const ims_bands_t *b);
const char *ims_bands_field_name(const ims_bands_t *b, int k);
/* The cell's fields joined by ',' into *buf (grown as needed; *cap its size). */
int ims_bands_cell_text(ims_bands_t *b, size_t cell, char **buf, size_t *cap, ims_err_t *err);
/* Add the state of fields f[0..nf) to cell (merging as ims_bands_merge).  On
 * a malformed field returns IMS_EINPUT with *bad its index and err a message
 * without position. */
int ims_bands_cell_parse(ims_bands_t *b, size_t cell, const char *const *f, int nf, int *bad,
                         ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
