/* Percentile bands: the histogram against exact type-7 percentiles over
 * thousands of generated samples, independence of order, exact merging
 * (shards, the reduction over ranks, the text form), bounded memory. */
#include "tests.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A generated sample of kind k (0..7): lognormal of random spread, signed
 * normals with zeros, identical values, spans up to the whole double range,
 * subnormals. */
static size_t sample(gsl_rng *r, int kind, double *x, size_t nmax)
{
  size_t n = 1 + gsl_rng_uniform_int(r, nmax);
  double s = exp(gsl_ran_flat(r, log(0.01), log(5))), mu = gsl_ran_flat(r, -50, 50);
  double c = gsl_ran_flat(r, -1e6, 1e6);
  for (size_t i = 0; i < n; i++) {
    switch (kind) {
    case 0:
      x[i] = exp(mu + s * gsl_ran_gaussian(r, 1));
      break;
    case 1:
      x[i] = gsl_rng_uniform(r) < 0.2 ? 0.0 : gsl_ran_gaussian(r, s);
      break;
    case 2:
      x[i] = c;
      break;
    case 3:
      x[i] = exp(gsl_ran_flat(r, -700, 700)) * (gsl_rng_uniform(r) < 0.3 ? -1 : 1);
      break;
    case 4:
      x[i] = gsl_ran_flat(r, 0, 1e-310);
      break;
    case 5: /* a few distinct values, repeated */
      x[i] = floor(gsl_ran_flat(r, 0, 4)) * s;
      break;
    case 6: /* tumour-like: most near 1e9, some cured at tiny values or exactly 0 */
      x[i] = gsl_rng_uniform(r) < 0.3 ? (gsl_rng_uniform(r) < 0.5 ? 0.0 : exp(-30 * s))
                                      : 1e9 * exp(s * gsl_ran_gaussian(r, 1));
      break;
    default:
      x[i] = -exp(mu + s * gsl_ran_gaussian(r, 1));
    }
  }
  return n;
}

static ims_bands_t *bands(size_t ncells, size_t nmax, int exact)
{
  ims_bands_t *b;
  ims_err_t err = {0};
  ck_assert_msg(ims_bands_alloc_mode(&b, ncells, 1, nmax, exact, &err) == 0, "%s", err.msg);
  return b;
}

static void add_all(ims_bands_t *b, size_t cell, const double *x, size_t n)
{
  ims_err_t err = {0};
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(ims_bands_add(b, cell, x[i], &err) == 0, "%s", err.msg);
}

/* The text of every cell, joined: the whole state. */
static char *state(ims_bands_t *b)
{
  char *all = NULL, *buf = NULL;
  size_t cap = 0, len = 0;
  ims_err_t err = {0};
  for (size_t c = 0; c < ims_bands_ncells(b); c++) {
    ck_assert_int_eq(ims_bands_cell_text(b, c, &buf, &cap, &err), 0);
    size_t l = strlen(buf);
    all = realloc(all, len + l + 2);
    memcpy(all + len, buf, l);
    all[len + l] = '\n';
    len += l + 1;
    all[len] = '\0';
  }
  free(buf);
  return all;
}

/* Hyndman-Fan type 7 on a sorted sample. */
static double type7(const double *s, size_t n, double p)
{
  double h = (double)(n - 1) * p;
  size_t lo = (size_t)floor(h);
  if (lo + 1 >= n || h == (double)lo)
    return s[lo];
  return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

static int cmpd(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* 4,000 generated samples (8 kinds): exact mode is type 7 to the bit; every
 * histogram percentile is within 2^(L-8) of the larger of its two order
 * statistics (L the cell's level), the extremes (p = 0, 1) are exact, and a
 * sample of one repeated value gives it exactly. */
START_TEST(histogram_vs_exact)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20260101);
  enum { NMAX = 3000 };
  double *x = malloc(NMAX * sizeof *x), *s = malloc(NMAX * sizeof *s);
  const double ps[] = {0, 0.05, 0.25, 0.5, 0.75, 0.95, 1, 0.123, 0.999};
  int levels[9] = {0};
  for (int trial = 0; trial < 4000; trial++) {
    int kind = trial % 8;
    size_t n = sample(r, kind, x, trial % 10 ? 300 : NMAX);
    ims_bands_t *ex = bands(1, n, 1), *h = bands(1, n, 0);
    add_all(ex, 0, x, n);
    add_all(h, 0, x, n);
    for (size_t i = 0; i < n; i++)
      s[i] = x[i] + 0.0;
    qsort(s, n, sizeof *s, cmpd);
    int L = ims_bands_level(h);
    ck_assert_int_le(L, 8);
    levels[L]++;
    double rel = ldexp(1, L - IMS_BANDS_MANTISSA_BITS);
    for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
      double want = type7(s, n, ps[k]);
      double e = ims_bands_quantile(ex, 0, ps[k]), q = ims_bands_quantile(h, 0, ps[k]);
      ck_assert_msg(memcmp(&e, &want, sizeof e) == 0, "kind %d: exact p%g %.17g vs %.17g", kind,
                    ps[k], e, want);
      size_t lo = (size_t)floor((double)(n - 1) * ps[k]);
      double big = fmax(fabs(s[lo]), fabs(s[lo + 1 < n ? lo + 1 : lo]));
      ck_assert_msg(fabs(q - want) <= rel * big + 1e-300, "kind %d n %zu L %d p%g: %.17g vs %.17g",
                    kind, n, L, ps[k], q, want);
      if (ps[k] == 0 || ps[k] == 1 || s[0] == s[n - 1])
        ck_assert_msg(q == want, "kind %d p%g: %.17g vs %.17g", kind, ps[k], q, want);
    }
    ck_assert(isnan(ims_bands_quantile(h, 0, 1.5)) && isnan(ims_bands_quantile(h, 0, -0.1)));
    ims_bands_free(ex);
    ims_bands_free(h);
  }
  /* the generated spans exercised the fine and the coarse levels */
  ck_assert(levels[0] > 1000 && levels[3] + levels[4] + levels[5] + levels[6] + levels[7] > 50);
  free(x);
  free(s);
  gsl_rng_free(r);
}
END_TEST

/* Shuffled orders, random partitions merged (shards), the reduction over
 * ranks (extents, align, summed counts) and the text form all give the
 * state of one object fed in order, bit for bit; in both modes. */
START_TEST(merge_is_exact)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  enum { NC = 3, NMAX = 2000, K = 5 };
  double *x = malloc(NC * NMAX * sizeof *x);
  size_t n[NC];
  ims_err_t err = {0};
  for (int trial = 0; trial < 400; trial++) {
    int exact = trial % 4 == 0;
    for (int c = 0; c < NC; c++)
      n[c] = sample(r, (int)gsl_rng_uniform_int(r, 8), x + c * NMAX, NMAX);
    ims_bands_t *one = bands(NC, NMAX, exact), *shuf = bands(NC, NMAX, exact),
                *merged = bands(NC, NMAX, exact), *parts[K];
    int k = 1 + (int)gsl_rng_uniform_int(r, K);
    for (int j = 0; j < k; j++)
      parts[j] = bands(NC, NMAX, exact);
    for (int c = 0; c < NC; c++) {
      double *v = x + c * NMAX;
      add_all(one, (size_t)c, v, n[c]);
      double *perm = malloc(n[c] * sizeof *perm);
      memcpy(perm, v, n[c] * sizeof *perm);
      gsl_ran_shuffle(r, perm, n[c], sizeof *perm);
      add_all(shuf, (size_t)c, perm, n[c]);
      for (size_t i = 0; i < n[c]; i++) /* each value to a random part */
        add_all(parts[gsl_rng_uniform_int(r, (unsigned long)k)], (size_t)c, perm + i, 1);
      free(perm);
    }
    char *want = state(one), *got = state(shuf);
    ck_assert_str_eq(want, got);
    free(got);
    for (int j = 0; j < k; j++)
      ck_assert_int_eq(ims_bands_merge(merged, parts[j], &err), 0);
    got = state(merged);
    ck_assert_str_eq(want, got);
    free(got);
    /* the text form read back */
    ims_bands_t *back = bands(NC, NMAX, exact);
    char *txt = state(one), *line = txt;
    for (int c = 0; c < NC; c++) {
      char *end = strchr(line, '\n'), *f[16];
      *end = '\0';
      int nf = 0;
      for (char *p = line;; p++) { /* split on ',' (empty fields kept) */
        if (nf == 0 || p[-1] == '\0')
          f[nf++] = p;
        if (!*p)
          break;
        if (*p == ',')
          *p = '\0';
      }
      int bad;
      ck_assert_msg(ims_bands_cell_parse(back, (size_t)c, (const char *const *)f, nf, &bad, &err) ==
                        0,
                    "field %d: %s", bad, err.msg);
      line = end + 1;
    }
    free(txt);
    got = state(back);
    ck_assert_str_eq(want, got);
    free(got);
    ims_bands_free(back);
    if (!exact) { /* the reduction over k ranks, root = part 0 */
      double ext[4 * NC], e2[4 * NC];
      ims_bands_extents(parts[0], 0, NC, ext);
      for (int j = 1; j < k; j++) {
        ims_bands_extents(parts[j], 0, NC, e2);
        for (int i = 0; i < 4 * NC; i++)
          ext[i] = fmin(ext[i], e2[i]);
      }
      for (int j = 0; j < k; j++)
        ck_assert_int_eq(ims_bands_align(parts[j], 0, NC, ext, &err), 0);
      size_t ns = ims_bands_nslots(parts[0], 0, NC);
      uint32_t *sum = calloc(ns, sizeof *sum), *one_c = calloc(ns, sizeof *one_c);
      for (int j = 0; j < k; j++) {
        ck_assert_uint_eq(ims_bands_nslots(parts[j], 0, NC), ns);
        ims_bands_get_counts(parts[j], 0, NC, one_c);
        for (size_t i = 0; i < ns; i++)
          sum[i] += one_c[i];
      }
      ck_assert_int_eq(ims_bands_set_counts(parts[0], 0, NC, sum, &err), 0);
      got = state(parts[0]);
      ck_assert_str_eq(want, got);
      free(got);
      free(sum);
      free(one_c);
    }
    free(want);
    for (int j = 0; j < k; j++)
      ims_bands_free(parts[j]);
    ims_bands_free(one);
    ims_bands_free(shuf);
    ims_bands_free(merged);
  }
  free(x);
  gsl_rng_free(r);
}
END_TEST

/* The histogram's memory does not grow with the number of values: 400,000
 * values over the whole double range in 4 cells stay within the bound
 * (2 x IMS_BANDS_BINS counts per cell), and 1,000 values of a 30 % CV take
 * a few hundred bins. */
START_TEST(bounded_memory)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 3);
  ims_bands_t *b = bands(4, 400000, 0);
  ims_err_t err = {0};
  size_t bound = ims_bands_bound(b);
  ck_assert_uint_eq(bound, ims_bands_bound(b));
  for (int i = 0; i < 400000; i++) {
    double v = exp(gsl_ran_flat(r, -700, 700)) * (i % 3 ? 1 : -1);
    ck_assert_int_eq(ims_bands_add(b, (size_t)(i % 4), v, &err), 0);
  }
  ck_assert_uint_le(ims_bands_bytes(b), bound);
  ck_assert_uint_ge(ims_bands_bytes(b), 4 * 2 * IMS_BANDS_BINS * 4 / 2);
  ims_bands_t *s = bands(1, 1000, 0);
  for (int i = 0; i < 1000; i++)
    ck_assert_int_eq(ims_bands_add(s, 0, 100 * exp(0.3 * gsl_ran_gaussian(r, 1)), &err), 0);
  ck_assert_int_eq(ims_bands_level(s), 0);
  ck_assert_uint_lt(ims_bands_bytes(s), 4 * IMS_BANDS_BINS + 1024);
  ims_bands_free(b);
  ims_bands_free(s);
  gsl_rng_free(r);
}
END_TEST

/* Malformed cells are refused with the field at fault. */
START_TEST(text_errors)
{
  ims_bands_t *h = bands(1, 100, 0);
  ims_err_t err = {0};
  int bad;
  struct {
    int exact;
    const char *f[10];
    int nf, bad;
  } cases[] = {
      {0, {"2", "0", "0", "", "", "", "2", "1", "2", "261888:1 262144:1"}, 10, -1},
      {0, {"3", "0", "0", "", "", "", "2", "1", "2", "261888:1 262144:1"}, 10, 0},
      {0, {"2", "x", "0", "", "", "", "2", "1", "2", "261888:1 262144:1"}, 10, 1},
      {0, {"2", "0", "0", "", "", "", "2", "1", "2", "261888:1 262145:1"}, 10, 9},
      {0, {"2", "0", "0", "", "", "", "2", "1", "2", "261888:2"}, 10, 9},
      {0, {"2", "0", "0", "", "", "", "2", "2", "1", "261888:1 262144:1"}, 10, 8},
      {0, {"2", "0", "0", "1", "", "", "2", "1", "2", "261888:1 262144:1"}, 10, 3},
      {0, {"2", "0", "0", "", "", "", "2", "-1", "2", "261888:1 262144:1"}, 10, 7},
      {0, {"2", "0", "0", "", "", "", "2", "1", "2", "262144:1 261888:1"}, 10, 9},
      {0, {"2", "0", "0", "", "", ""}, 6, 0},
      {1, {"2", "1 2"}, 2, -1},
      {1, {"2", "2 1"}, 2, 1},
      {1, {"2", "1 nan"}, 2, 1},
      {1, {"3", "1 2"}, 2, 1},
      {1, {"9", "1 2"}, 2, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ims_bands_t *e = bands(1, 3, 1), *b = cases[i].exact ? e : h;
    int rc = ims_bands_cell_parse(b, 0, cases[i].f, cases[i].nf, &bad, &err);
    ims_bands_free(e);
    if (cases[i].bad < 0)
      ck_assert_msg(rc == 0, "case %zu: %s", i, err.msg);
    else
      ck_assert_msg(rc == IMS_EINPUT && bad == cases[i].bad, "case %zu: rc %d bad %d (%s)", i, rc,
                    bad, err.msg);
  }
  ck_assert_uint_eq(ims_bands_count(h, 0), 2);
  ck_assert(ims_bands_quantile(h, 0, 0) == 1 && ims_bands_quantile(h, 0, 1) == 2);
  ims_bands_free(h);
}
END_TEST

Suite *suite_bands(void)
{
  Suite *s = suite_create("bands");
  TCase *tc = tcase_create("bands");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, histogram_vs_exact);
  tcase_add_test(tc, merge_is_exact);
  tcase_add_test(tc, bounded_memory);
  tcase_add_test(tc, text_errors);
  suite_add_tcase(s, tc);
  return s;
}
