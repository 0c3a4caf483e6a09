#include "immunosim/bands.h"

#include "immunosim/output.h"
#include "immunosim/table.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double ims_bands_p[IMS_BANDS_NP] = {0.05, 0.25, 0.50, 0.75, 0.95};
const char *const ims_bands_suffix[IMS_BANDS_NP] = {"_p05", "_p25", "_p50", "_p75", "_p95"};

#define SHIFT (52 - IMS_BANDS_MANTISSA_BITS)
#define NB IMS_BANDS_BINS

/* Counts of one sign's magnitudes: the window of level-L keys lo .. lo+nb-1
 * lives at c[off .. off+nb) of a buffer of cap counts (cap <= NB).  The
 * window is always exactly [key(vmin) >> L, key(vmax) >> L], L the smallest
 * level at which it fits: a function of (vmin, vmax) only. */
typedef struct store {
  uint32_t *c;
  uint32_t cap, off, nb;
  int32_t lo;
  int L;
  uint32_t n;        /* values counted (0: empty; the window may still be set by align) */
  double vmin, vmax; /* magnitudes */
} store_t;

typedef struct cell {
  store_t neg, pos;
  uint32_t zero;
  size_t n;   /* values added */
  int sorted; /* exact mode */
} cell_t;

struct ims_bands {
  size_t ncells, nmax;
  int exact;
  cell_t *cells;
  double *vals; /* exact mode: ncells * nmax */
};

static const char *const hist_fields[] = {"n",        "zero",  "neg_n",   "neg_min", "neg_max",
                                          "neg_bins", "pos_n", "pos_min", "pos_max", "pos_bins"};
static const char *const exact_fields[] = {"n", "values"};

/* ---- keys and levels ---- */

static int32_t key0(double m)
{
  uint64_t u;
  memcpy(&u, &m, sizeof u);
  return (int32_t)(u >> SHIFT);
}

/* The smallest double of level-L key k (the lower edge of its bin). */
static double edge(int64_t k, int L)
{
  uint64_t u = (uint64_t)k << L << SHIFT;
  if (u >= 0x7ff0000000000000ULL)
    return INFINITY;
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

static int level_of(int32_t kmin, int32_t kmax)
{
  int L = 0;
  while ((kmax >> L) - (kmin >> L) >= NB)
    L++;
  return L;
}

/* ---- stores ---- */

static void store_free(store_t *s)
{
  free(s->c);
  memset(s, 0, sizeof *s);
}

/* Bring s to the window of (vmin, vmax), which contains its current one,
 * moving its counts to the new level and keys. */
static int store_reshape(store_t *s, double vmin, double vmax)
{
  int32_t kmin = key0(vmin), kmax = key0(vmax);
  int L = level_of(kmin, kmax);
  int32_t lo = kmin >> L;
  uint32_t nb = (uint32_t)((kmax >> L) - lo + 1);
  if (s->c && L == s->L && (int64_t)s->off - (s->lo - lo) >= 0 &&
      (int64_t)s->off - (s->lo - lo) + nb <= s->cap) {
    /* room around the window: zero the new bins */
    uint32_t off = s->off - (uint32_t)(s->lo - lo);
    memset(s->c + off, 0, (size_t)(s->off - off) * sizeof *s->c);
    uint32_t end = s->off + s->nb, nend = off + nb;
    memset(s->c + end, 0, (size_t)(nend - end) * sizeof *s->c);
    s->off = off;
  } else {
    uint32_t cap = nb + nb / 2 + 8;
    cap = cap > NB ? NB : cap;
    uint32_t off = (cap - nb) / 2;
    uint32_t *c = calloc(cap, sizeof *c);
    if (!c)
      return IMS_ENOMEM;
    for (uint32_t i = 0; s->c && i < s->nb; i++) {
      int32_t k = (s->lo + (int32_t)i) >> (L - s->L);
      c[off + (uint32_t)(k - lo)] += s->c[s->off + i];
    }
    free(s->c);
    s->c = c;
    s->cap = cap;
    s->off = off;
  }
  s->L = L;
  s->lo = lo;
  s->nb = nb;
  s->vmin = vmin;
  s->vmax = vmax;
  return IMS_OK;
}

static int store_add(store_t *s, double m)
{
  if (s->n == 0) {
    free(s->c);
    memset(s, 0, sizeof *s);
    if (store_reshape(s, m, m))
      return IMS_ENOMEM;
  } else if (m < s->vmin || m > s->vmax) {
    if (store_reshape(s, m < s->vmin ? m : s->vmin, m > s->vmax ? m : s->vmax))
      return IMS_ENOMEM;
  }
  if (s->n == UINT32_MAX)
    return IMS_EINPUT;
  s->c[s->off + (uint32_t)((key0(m) >> s->L) - s->lo)]++;
  s->n++;
  return IMS_OK;
}

/* Add src's counts into dst (same sign). */
static int store_merge(store_t *d, const store_t *s)
{
  if (s->n == 0)
    return IMS_OK;
  if ((uint64_t)d->n + s->n > UINT32_MAX)
    return IMS_EINPUT;
  double vmin = d->n && d->vmin < s->vmin ? d->vmin : s->vmin;
  double vmax = d->n && d->vmax > s->vmax ? d->vmax : s->vmax;
  if (d->n == 0) {
    free(d->c);
    memset(d, 0, sizeof *d);
  }
  if (store_reshape(d, vmin, vmax))
    return IMS_ENOMEM;
  for (uint32_t i = 0; i < s->nb; i++) {
    int32_t k = (s->lo + (int32_t)i) >> (d->L - s->L);
    d->c[d->off + (uint32_t)(k - d->lo)] += s->c[s->off + i];
  }
  d->n += s->n;
  return IMS_OK;
}

/* The value of rank r (0-based) among the magnitudes of s. */
static double store_rank(const store_t *s, uint64_t r)
{
  if (r == 0)
    return s->vmin;
  if (r + 1 >= s->n)
    return s->vmax;
  uint64_t before = 0;
  for (uint32_t i = 0; i < s->nb; i++) {
    uint32_t c = s->c[s->off + i];
    if (r >= before + c) {
      before += c;
      continue;
    }
    double a = edge(s->lo + (int64_t)i, s->L), b = edge(s->lo + (int64_t)i + 1, s->L);
    a = a < s->vmin ? s->vmin : a;
    b = b > s->vmax ? s->vmax : b;
    double j = (double)(r - before), f;
    if (s->nb == 1)
      f = j / (c - 1);
    else if (i == 0)
      f = j / c;
    else if (i + 1 == s->nb)
      f = (j + 1) / c;
    else
      f = (j + 0.5) / c;
    return a + (b - a) * f;
  }
  return s->vmax;
}

/* ---- the object ---- */

int ims_bands_fits(size_t ntimes, int ncols, size_t nmax, size_t mem_cap)
{
  double need = (double)ntimes * (double)ncols * (double)nmax * (double)sizeof(double);
  return nmax > 0 && need <= (double)mem_cap;
}

int ims_bands_alloc_mode(ims_bands_t **out, size_t ntimes, int ncols, size_t nmax, int exact,
                         ims_err_t *err)
{
  *out = NULL;
  if (ncols <= 0 || ntimes == 0)
    return ims_err_set(err, IMS_EINPUT, "bands: no cells");
  if (!exact && nmax > UINT32_MAX)
    return ims_err_set(err, IMS_EINPUT,
                       "bands: %zu values per cell; the histogram counts at most %u (split the run "
                       "with --subjects and merge the shards in groups)",
                       nmax, (unsigned)UINT32_MAX);
  ims_bands_t *b = calloc(1, sizeof *b);
  if (!b)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  b->ncells = ntimes * (size_t)ncols;
  b->nmax = nmax;
  b->exact = exact;
  b->cells = calloc(b->ncells, sizeof *b->cells);
  if (b->cells && exact && nmax > 0)
    b->vals = malloc(b->ncells * nmax * sizeof *b->vals);
  if (!b->cells || (exact && nmax > 0 && !b->vals)) {
    ims_bands_free(b);
    return ims_err_set(err, IMS_ENOMEM, "out of memory for percentile bands");
  }
  *out = b;
  return IMS_OK;
}

int ims_bands_alloc(ims_bands_t **out, size_t ntimes, int ncols, size_t nmax, size_t mem_cap,
                    ims_err_t *err)
{
  return ims_bands_alloc_mode(out, ntimes, ncols, nmax,
                              ims_bands_fits(ntimes, ncols, nmax, mem_cap), err);
}

void ims_bands_free(ims_bands_t *b)
{
  if (!b)
    return;
  if (b->cells)
    for (size_t i = 0; i < b->ncells; i++) {
      free(b->cells[i].neg.c);
      free(b->cells[i].pos.c);
    }
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
  int rc = IMS_OK;
  if (v == 0) {
    if (c->zero == UINT32_MAX)
      rc = IMS_EINPUT;
    else
      c->zero++;
  } else {
    rc = store_add(v < 0 ? &c->neg : &c->pos, fabs(v));
  }
  if (rc)
    return ims_err_set(err, rc,
                       rc == IMS_ENOMEM ? "out of memory for percentile bands"
                                        : "bands: more than 2^32-1 values in a cell");
  c->n++;
  return IMS_OK;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void sort_cell(ims_bands_t *b, size_t cell)
{
  cell_t *c = &b->cells[cell];
  if (b->exact && !c->sorted) {
    qsort(b->vals + cell * b->nmax, c->n, sizeof *b->vals, cmp_double);
    c->sorted = 1;
  }
}

/* The order statistic of rank r (0-based). */
static double rank_value(const ims_bands_t *b, size_t cell, uint64_t r)
{
  const cell_t *c = &b->cells[cell];
  if (b->exact)
    return b->vals[cell * b->nmax + r];
  if (r < c->neg.n)
    return -store_rank(&c->neg, c->neg.n - 1 - r);
  r -= c->neg.n;
  if (r < c->zero)
    return 0.0;
  return store_rank(&c->pos, r - c->zero);
}

double ims_bands_quantile(ims_bands_t *b, size_t cell, double p)
{
  cell_t *c = &b->cells[cell];
  if (c->n == 0 || !(p >= 0 && p <= 1)) /* also keeps the index conversion below in range */
    return NAN;
  sort_cell(b, cell);
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
    s += ((size_t)b->cells[i].neg.cap + b->cells[i].pos.cap) * sizeof(uint32_t);
  return s;
}

size_t ims_bands_bound(const ims_bands_t *b)
{
  size_t s = sizeof *b + b->ncells * sizeof *b->cells;
  if (b->exact)
    return s + b->ncells * b->nmax * sizeof(double);
  return s + b->ncells * 2 * (size_t)NB * sizeof(uint32_t);
}

int ims_bands_level(const ims_bands_t *b)
{
  int L = 0;
  for (size_t i = 0; !b->exact && i < b->ncells; i++) {
    const cell_t *c = &b->cells[i];
    if (c->neg.n && c->neg.L > L)
      L = c->neg.L;
    if (c->pos.n && c->pos.L > L)
      L = c->pos.L;
  }
  return L;
}

/* ---- merging ---- */

static int merge_cell(ims_bands_t *into, size_t cell, const cell_t *s, const double *svals,
                      ims_err_t *err)
{
  cell_t *d = &into->cells[cell];
  if (into->exact) {
    if (d->n + s->n > into->nmax)
      return ims_err_set(err, IMS_EINTERNAL, "bands: more values than announced");
    memcpy(into->vals + cell * into->nmax + d->n, svals, s->n * sizeof *svals);
    d->n += s->n;
    d->sorted = 0;
    return IMS_OK;
  }
  int rc = (uint64_t)d->zero + s->zero > UINT32_MAX ? IMS_EINPUT : IMS_OK;
  rc = rc ? rc : store_merge(&d->neg, &s->neg);
  rc = rc ? rc : store_merge(&d->pos, &s->pos);
  if (rc)
    return ims_err_set(err, rc,
                       rc == IMS_ENOMEM ? "out of memory for percentile bands"
                                        : "bands: more than 2^32-1 values in a cell");
  d->zero += s->zero;
  d->n += s->n;
  return IMS_OK;
}

int ims_bands_merge(ims_bands_t *into, const ims_bands_t *from, ims_err_t *err)
{
  if (into->ncells != from->ncells || into->exact != from->exact)
    return ims_err_set(err, IMS_EINTERNAL, "bands: merging different shapes or modes");
  for (size_t i = 0; i < from->ncells; i++) {
    int rc =
        merge_cell(into, i, &from->cells[i], from->vals ? from->vals + i * from->nmax : NULL, err);
    if (rc)
      return rc;
  }
  return IMS_OK;
}

void ims_bands_extents(const ims_bands_t *b, size_t c0, size_t nc, double *ext)
{
  for (size_t i = 0; i < nc; i++) {
    const cell_t *c = &b->cells[c0 + i];
    double *e = ext + 4 * i;
    e[0] = c->pos.n ? c->pos.vmin : INFINITY;
    e[1] = c->pos.n ? -c->pos.vmax : INFINITY;
    e[2] = c->neg.n ? c->neg.vmin : INFINITY;
    e[3] = c->neg.n ? -c->neg.vmax : INFINITY;
  }
}

int ims_bands_align(ims_bands_t *b, size_t c0, size_t nc, const double *ext, ims_err_t *err)
{
  for (size_t i = 0; i < nc && !b->exact; i++) {
    cell_t *c = &b->cells[c0 + i];
    const double *e = ext + 4 * i;
    store_t *st[2] = {&c->pos, &c->neg};
    for (int k = 0; k < 2; k++) {
      double lo = e[2 * k], hi = -e[2 * k + 1];
      store_t *s = st[k];
      if (isinf(lo) || isinf(hi)) {
        if (s->n)
          return ims_err_set(err, IMS_EINTERNAL, "bands: an extent excludes local values");
        continue;
      }
      if (s->n && (lo > s->vmin || hi < s->vmax))
        return ims_err_set(err, IMS_EINTERNAL, "bands: an extent excludes local values");
      if (!s->n) {
        free(s->c);
        memset(s, 0, sizeof *s);
      }
      if (store_reshape(s, lo, hi))
        return ims_err_set(err, IMS_ENOMEM, "out of memory for percentile bands");
    }
  }
  return IMS_OK;
}

size_t ims_bands_nslots(const ims_bands_t *b, size_t c0, size_t nc)
{
  size_t n = 0;
  for (size_t i = 0; i < nc; i++)
    n += 1 + (size_t)b->cells[c0 + i].neg.nb + b->cells[c0 + i].pos.nb;
  return n;
}

void ims_bands_get_counts(const ims_bands_t *b, size_t c0, size_t nc, uint32_t *counts)
{
  size_t k = 0;
  for (size_t i = 0; i < nc; i++) {
    const cell_t *c = &b->cells[c0 + i];
    counts[k++] = c->zero;
    for (uint32_t j = 0; j < c->neg.nb; j++)
      counts[k++] = c->neg.c[c->neg.off + j];
    for (uint32_t j = 0; j < c->pos.nb; j++)
      counts[k++] = c->pos.c[c->pos.off + j];
  }
}

/* Counts installed in a store whose window was set by align: its extreme
 * bins must hold its extremes. */
static int store_set(store_t *s, const uint32_t *in)
{
  uint64_t n = 0;
  for (uint32_t j = 0; j < s->nb; j++)
    n += s->c[s->off + j] = in[j];
  if (n > UINT32_MAX || (s->nb && (!in[0] || !in[s->nb - 1])))
    return -1;
  s->n = (uint32_t)n;
  return 0;
}

int ims_bands_set_counts(ims_bands_t *b, size_t c0, size_t nc, const uint32_t *counts,
                         ims_err_t *err)
{
  size_t k = 0;
  for (size_t i = 0; i < nc && !b->exact; i++) {
    cell_t *c = &b->cells[c0 + i];
    c->zero = counts[k++];
    if (store_set(&c->neg, counts + k) || store_set(&c->pos, counts + k + c->neg.nb))
      return ims_err_set(err, IMS_EINTERNAL, "bands: inconsistent counts in cell %zu", c0 + i);
    k += (size_t)c->neg.nb + c->pos.nb;
    c->n = (size_t)c->zero + c->neg.n + c->pos.n;
  }
  return IMS_OK;
}

void ims_bands_get_values(const ims_bands_t *b, size_t c0, size_t nc, double *vals)
{
  for (size_t i = 0; i < nc && b->exact; i++) {
    size_t n = b->cells[c0 + i].n;
    memcpy(vals, b->vals + (c0 + i) * b->nmax, n * sizeof *vals);
    vals += n;
  }
}

/* ---- text form ---- */

int ims_bands_nfields(const ims_bands_t *b)
{
  return b->exact ? 2 : 10;
}

const char *ims_bands_field_name(const ims_bands_t *b, int k)
{
  return b->exact ? exact_fields[k] : hist_fields[k];
}

typedef struct sbuf {
  char **buf;
  size_t *cap, len;
  int bad;
} sbuf_t;

static void put(sbuf_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf_t *s, const char *fmt, ...)
{
  while (!s->bad) {
    if (*s->cap - s->len >= 64) {
      va_list ap;
      va_start(ap, fmt);
      int k = vsnprintf(*s->buf + s->len, *s->cap - s->len, fmt, ap);
      va_end(ap);
      if (k < 0)
        s->bad = 1;
      else if ((size_t)k < *s->cap - s->len) {
        s->len += (size_t)k;
        return;
      }
    }
    size_t cap = *s->cap * 2 + 4096;
    char *nb = realloc(*s->buf, cap);
    if (!nb)
      s->bad = 1;
    else {
      *s->buf = nb;
      *s->cap = cap;
    }
  }
}

static void put_store(sbuf_t *s, const store_t *st)
{
  char a[IMS_NUMBUF], b[IMS_NUMBUF];
  if (!st->n) {
    put(s, ",0,,,");
    return;
  }
  put(s, ",%u,%s,%s,", (unsigned)st->n, ims_fmt_num(a, st->vmin), ims_fmt_num(b, st->vmax));
  int first = 1;
  for (uint32_t j = 0; j < st->nb && !s->bad; j++)
    if (st->c[st->off + j]) {
      put(s, "%s%ld:%u", first ? "" : " ", (long)st->lo + (long)j, (unsigned)st->c[st->off + j]);
      first = 0;
    }
}

int ims_bands_cell_text(ims_bands_t *b, size_t cell, char **buf, size_t *cap, ims_err_t *err)
{
  sbuf_t s = {buf, cap, 0, 0};
  const cell_t *c = &b->cells[cell];
  put(&s, "%zu", c->n);
  if (b->exact) {
    sort_cell(b, cell);
    char nb[IMS_NUMBUF];
    put(&s, ",");
    for (size_t i = 0; i < c->n && !s.bad; i++)
      put(&s, "%s%s", i ? " " : "", ims_fmt_num(nb, b->vals[cell * b->nmax + i]));
  } else {
    put(&s, ",%u", (unsigned)c->zero);
    put_store(&s, &c->neg);
    put_store(&s, &c->pos);
  }
  return s.bad ? ims_err_set(err, IMS_ENOMEM, "out of memory") : IMS_OK;
}

/* A strict number (ims_table_double), and also a subnormal, which strtod
 * flags as an underflow but reads exactly as ims_fmt_num wrote it. */
static int num(const char *f, double *out)
{
  if (ims_table_double(f, out) == 0)
    return 0;
  if (!*f || strspn(f, "0123456789+-.eE") != strlen(f))
    return -1;
  char *end;
  double v = strtod(f, &end);
  if (*end || !(v != 0 && fabs(v) < DBL_MIN))
    return -1;
  *out = v;
  return 0;
}

static int parse_u32(const char *f, uint32_t *out)
{
  long v;
  if (ims_table_long(f, &v) || v < 0 || (unsigned long)v > UINT32_MAX)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

/* A store from its four fields (n, min, max, bins); *bad the field at fault. */
static int parse_store(store_t *s, const char *const *f, int *bad, ims_err_t *err)
{
  memset(s, 0, sizeof *s);
  uint32_t n;
  if (parse_u32(f[0], &n)) {
    *bad = 0;
    return ims_err_set(err, IMS_EINPUT, "'%s' is not a count", f[0]);
  }
  if (n == 0) {
    for (int k = 1; k < 4; k++)
      if (f[k][0]) {
        *bad = k;
        return ims_err_set(err, IMS_EINPUT, "an empty store has no '%s'", f[k]);
      }
    return IMS_OK;
  }
  double lo, hi;
  if (num(f[1], &lo) || !(lo > 0)) {
    *bad = 1;
    return ims_err_set(err, IMS_EINPUT, "'%s' is not a positive magnitude", f[1]);
  }
  if (num(f[2], &hi) || !(hi >= lo)) {
    *bad = 2;
    return ims_err_set(err, IMS_EINPUT, "'%s' is not a magnitude >= the minimum", f[2]);
  }
  if (store_reshape(s, lo, hi))
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  *bad = 3;
  const char *p = f[3];
  uint64_t sum = 0;
  long last = (long)s->lo - 1;
  while (*p) {
    char *e;
    long k = strtol(p, &e, 10);
    if (e == p || *e != ':' || k <= last || k > (long)s->lo + (long)s->nb - 1)
      return ims_err_set(err, IMS_EINPUT,
                         "bin '%.40s': expected ascending KEY:COUNT with keys in %ld..%ld", p,
                         (long)s->lo, (long)s->lo + (long)s->nb - 1);
    p = e + 1;
    unsigned long c = strtoul(p, &e, 10);
    if (e == p || (*e && *e != ' ') || c == 0 || c > UINT32_MAX || *p == '-')
      return ims_err_set(err, IMS_EINPUT, "bin %ld: '%.20s' is not a positive count", k, p);
    s->c[s->off + (uint32_t)(k - s->lo)] = (uint32_t)c;
    sum += c;
    last = k;
    p = *e ? e + 1 : e;
  }
  if (sum != n || !s->c[s->off] || !s->c[s->off + s->nb - 1])
    return ims_err_set(err, IMS_EINPUT,
                       "the bins hold %llu values (n = %u), or the extremes' bins are empty",
                       (unsigned long long)sum, (unsigned)n);
  s->n = n;
  return IMS_OK;
}

static int parse_hist(ims_bands_t *b, size_t cell, const char *const *f, int *bad, ims_err_t *err)
{
  cell_t c = {0};
  long n;
  int rc = IMS_OK;
  if (ims_table_long(f[0], &n) || n < 0) {
    *bad = 0;
    return ims_err_set(err, IMS_EINPUT, "'%s' is not a count", f[0]);
  }
  if (parse_u32(f[1], &c.zero)) {
    *bad = 1;
    return ims_err_set(err, IMS_EINPUT, "'%s' is not a count", f[1]);
  }
  rc = parse_store(&c.neg, f + 2, bad, err);
  if (rc)
    *bad += 2;
  if (!rc && (rc = parse_store(&c.pos, f + 6, bad, err)) != IMS_OK)
    *bad += 6;
  c.n = (size_t)c.zero + c.neg.n + c.pos.n;
  if (!rc && c.n != (size_t)n) {
    *bad = 0;
    rc = ims_err_set(err, IMS_EINPUT, "n = %ld but the stores hold %zu values", n, c.n);
  }
  rc = rc ? rc : merge_cell(b, cell, &c, NULL, err);
  store_free(&c.neg);
  store_free(&c.pos);
  return rc;
}

static int parse_exact(ims_bands_t *b, size_t cell, const char *const *f, int *bad, ims_err_t *err)
{
  long n;
  if (ims_table_long(f[0], &n) || n < 0) {
    *bad = 0;
    return ims_err_set(err, IMS_EINPUT, "'%s' is not a count", f[0]);
  }
  cell_t *c = &b->cells[cell];
  if (c->n + (size_t)n > b->nmax) {
    *bad = 0;
    return ims_err_set(err, IMS_EINPUT, "more values than subjects (%zu)", b->nmax);
  }
  *bad = 1;
  const char *p = f[1];
  char tok[64];
  long k = 0;
  double last = -INFINITY;
  double *dst = b->vals + cell * b->nmax + c->n;
  while (*p) {
    size_t l = strcspn(p, " ");
    double v;
    if (l >= sizeof tok)
      return ims_err_set(err, IMS_EINPUT, "value %ld is too long", k + 1);
    memcpy(tok, p, l);
    tok[l] = '\0';
    if (k == n || num(tok, &v) || v < last)
      return ims_err_set(err, IMS_EINPUT, "value %ld '%s': expected %ld ascending finite numbers",
                         k + 1, tok, n);
    dst[k++] = last = v + 0.0;
    p += l;
    p += *p == ' ';
  }
  if (k != n)
    return ims_err_set(err, IMS_EINPUT, "%ld values where n = %ld", k, n);
  c->n += (size_t)n;
  c->sorted = 0;
  return IMS_OK;
}

int ims_bands_cell_parse(ims_bands_t *b, size_t cell, const char *const *f, int nf, int *bad,
                         ims_err_t *err)
{
  *bad = 0;
  if (nf != ims_bands_nfields(b))
    return ims_err_set(err, IMS_EINPUT, "%d fields where a cell has %d", nf, ims_bands_nfields(b));
  return b->exact ? parse_exact(b, cell, f, bad, err) : parse_hist(b, cell, f, bad, err);
}
