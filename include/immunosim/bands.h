/* Percentile bands over time for populations: per (time, column) cell, the
 * 5/25/50/75/95 % percentiles of the values of every subject, in memory
 * that does not grow with the number of subjects beyond a cap.
 *
 * Two modes, chosen at allocation:
 *  - exact: every value is kept (ntimes * ncols * nmax doubles) and the
 *    percentiles are Hyndman & Fan type 7 (linear interpolation between order
 *    statistics; R's default, numpy's "linear").  Used when that fits the cap.
 *  - histogram: per cell a sparse histogram whose bins are the doubles that
 *    share sign, exponent and the top IMS_BANDS_MANTISSA_BITS mantissa bits,
 *    i.e. relative width 2^-8 = 0.39 %.  Each bin keeps its count and the
 *    smallest and largest value in it; the order statistic of rank j inside a
 *    bin is taken by linear interpolation between those two, and then type 7
 *    as above.  The error of a percentile is at most the width of the bins
 *    holding its order statistics: <= 0.39 % of the value (exact where a bin
 *    holds one distinct value, e.g. identical initial conditions).
 * Both modes depend only on the multiset of values added, never on the order
 * of adding, so results do not depend on threads.  NaNs are skipped and
 * -0.0 is stored as +0.0. */
#ifndef IMMUNOSIM_BANDS_H
#define IMMUNOSIM_BANDS_H

#include "immunosim/err.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_BANDS_MANTISSA_BITS 8
#define IMS_BANDS_NP 5
/* The percentiles of every band file, in this order. */
extern const double ims_bands_p[IMS_BANDS_NP];           /* 0.05 0.25 0.50 0.75 0.95 */
extern const char *const ims_bands_suffix[IMS_BANDS_NP]; /* "_p05" ... "_p95" */

typedef struct ims_bands ims_bands_t;

/* ntimes * ncols cells; nmax: how many values a cell may receive; exact mode
 * is used when ntimes*ncols*nmax doubles fit in mem_cap bytes. */
int ims_bands_alloc(ims_bands_t **out, size_t ntimes, int ncols, size_t nmax, size_t mem_cap,
                    ims_err_t *err);
void ims_bands_free(ims_bands_t *b);
int ims_bands_exact(const ims_bands_t *b);
size_t ims_bands_ncells(const ims_bands_t *b);
/* Add one value to cell (it * ncols + col).  Different cells may be filled
 * from different threads at once; one cell from one thread at a time. */
int ims_bands_add(ims_bands_t *b, size_t cell, double v, ims_err_t *err);
/* Values added to a cell so far (NaNs not counted). */
size_t ims_bands_count(const ims_bands_t *b, size_t cell);
/* Percentile p in [0,1] of a cell (NaN when it is empty or p is outside [0,1]).  Not thread-safe
 * for a cell (exact mode sorts it on first use). */
double ims_bands_quantile(ims_bands_t *b, size_t cell, double p);
/* Bytes held now (for reports). */
size_t ims_bands_bytes(const ims_bands_t *b);

#ifdef __cplusplus
}
#endif
#endif
