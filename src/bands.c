#include "immunosim/bands.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const double ims_bands_p[IMS_BANDS_NP] = {0.05, 0.25, 0.50, 0.75, 0.95};
const char *const ims_bands_suffix[IMS_BANDS_NP] = {"_p05", "_p25", "_p50", "_p75", "_p95"};

typedef struct bin {
  int32_t key;
  uint32_t count;
  double vmin, vmax;
} bin_t;

typedef struct cell {
  size_t n;       /* values added */
  size_t nb, cap; /* histogram bins used / allocated */
  bin_t *bins;    /* histogram mode, sorted by key */
  int sorted;     /* exact mode */
} cell_t;

struct ims_bands {
  size_t ncells, nmax;
  int exact;
  cell_t *cells;
  double *vals; /* exact mode: ncells * nmax */
};

int ims_bands_alloc(ims_bands_t **out, size_t ntimes, int ncols, size_t nmax, size_t mem_cap,
                    ims_err_t *err)
{
  *out = NULL;
  if (ncols <= 0 || ntimes == 0)
    return ims_err_set(err, IMS_EINPUT, "bands: no cells");
  ims_bands_t *b = calloc(1, sizeof *b);
  if (!b)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  b->ncells = ntimes * (size_t)ncols;
  b->nmax = nmax;
  b->cells = calloc(b->ncells, sizeof *b->cells);
  double need = (double)b->ncells * (double)nmax * (double)sizeof(double);
  b->exact = nmax > 0 && need <= (double)mem_cap;
  if (b->cells && b->exact)
    b->vals = malloc(b->ncells * nmax * sizeof *b->vals);
  if (!b->cells || (b->exact && !b->vals)) {
    ims_bands_free(b);
    return ims_err_set(err, IMS_ENOMEM, "out of memory for percentile bands");
  }
  *out = b;
  return IMS_OK;
}

void ims_bands_free(ims_bands_t *b)
{
  if (!b)
    return;
  if (b->cells)
    for (size_t i = 0; i < b->ncells; i++)
      free(b->cells[i].bins);
  free(b->cells);
  free(b->vals);
  free(b);
}

int ims_bands_exact(const ims_bands_t *b)
{
  return b->exact;
}
size_t ims_bands_ncells(const ims_bands_t *b)
{
  return b->ncells;
}
size_t ims_bands_count(const ims_bands_t *b, size_t cell)
{
  return b->cells[cell].n;
}

/* A key monotone in v: sign, exponent and the top mantissa bits. */
static int32_t hkey(double v)
{
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  int32_t k = (int32_t)((u & 0x7fffffffffffffffULL) >> (52 - IMS_BANDS_MANTISSA_BITS));
  return (u >> 63) ? -k - 1 : k;
}

static int hist_add(cell_t *c, double v, ims_err_t *err)
{
  int32_t k = hkey(v);
  size_t lo = 0, hi = c->nb;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->bins[mid].key < k)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < c->nb && c->bins[lo].key == k) {
    bin_t *x = &c->bins[lo];
    x->count++;
    x->vmin = v < x->vmin ? v : x->vmin;
    x->vmax = v > x->vmax ? v : x->vmax;
    return IMS_OK;
  }
  if (c->nb == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 8;
    bin_t *nb = realloc(c->bins, cap * sizeof *nb);
    if (!nb)
      return ims_err_set(err, IMS_ENOMEM, "out of memory for percentile bands");
    c->bins = nb;
    c->cap = cap;
  }
  memmove(c->bins + lo + 1, c->bins + lo, (c->nb - lo) * sizeof *c->bins);
  c->bins[lo] = (bin_t){k, 1, v, v};
  c->nb++;
  return IMS_OK;
}

int ims_bands_add(ims_bands_t *b, size_t cell, double v, ims_err_t *err)
{
  if (isnan(v))
    return IMS_OK;
  v += 0.0; /* -0.0 -> +0.0 */
  cell_t *c = &b->cells[cell];
  if (b->exact) {
    if (c->n >= b->nmax)
      return ims_err_set(err, IMS_EINTERNAL, "bands: more values than announced");
    b->vals[cell * b->nmax + c->n++] = v;
    c->sorted = 0;
    return IMS_OK;
  }
  int rc = hist_add(c, v, err);
  if (!rc)
    c->n++;
  return rc;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The order statistic of rank r (0-based). */
static double rank_value(ims_bands_t *b, size_t cell, size_t r)
{
  cell_t *c = &b->cells[cell];
  if (b->exact)
    return b->vals[cell * b->nmax + r];
  size_t before = 0;
  for (size_t i = 0; i < c->nb; i++) {
    const bin_t *x = &c->bins[i];
    if (r < before + x->count) {
      if (x->count == 1 || x->vmin == x->vmax)
        return x->vmin;
      return x->vmin + (x->vmax - x->vmin) * (double)(r - before) / (double)(x->count - 1);
    }
    before += x->count;
  }
  return NAN;
}

double ims_bands_quantile(ims_bands_t *b, size_t cell, double p)
{
  cell_t *c = &b->cells[cell];
  if (c->n == 0)
    return NAN;
  if (b->exact && !c->sorted) {
    qsort(b->vals + cell * b->nmax, c->n, sizeof *b->vals, cmp_double);
    c->sorted = 1;
  }
  if (!(p >= 0 && p <= 1)) /* also keeps the index conversion below in range */
    return NAN;
  double h = (double)(c->n - 1) * p;
  size_t lo = (size_t)floor(h);
  double x = rank_value(b, cell, lo);
  if (lo + 1 >= c->n || h == (double)lo)
    return x;
  double y = rank_value(b, cell, lo + 1);
  return x + (h - (double)lo) * (y - x);
}

size_t ims_bands_bytes(const ims_bands_t *b)
{
  size_t s = sizeof *b + b->ncells * sizeof *b->cells;
  if (b->exact)
    return s + b->ncells * b->nmax * sizeof(double);
  for (size_t i = 0; i < b->ncells; i++)
    s += b->cells[i].cap * sizeof(bin_t);
  return s;
}
