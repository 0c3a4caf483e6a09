/* The driver's timeline against closed forms: 10,000 random dosing
 * schedules (boluses, infusions by rate and by duration, ii/addl, lag, f,
 * overlaps; times on 0.1, 0.01 and 1/3 grids and at random) checked against
 * the exact linear 1- and 2-compartment superposition at every output, and
 * the dose-time traps of issue 10 one by one. */
#include "tests.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *pk(void)
{
  return ims_model_find("pk2cmt");
}

/* splitmix64: a fixed seed gives the same 10,000 schedules everywhere */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
  return t_mix(&rng_state);
}
static double unif(double a, double b)
{
  return a + (b - a) * (double)(rng_next() >> 11) * 0x1.0p-53;
}
static int pick(int n)
{
  return (int)(rng_next() % (uint64_t)n);
}

/* A time as a user would type it: on a decimal or 1/3 grid, or at random. */
static double grid_time(int kind, double hi)
{
  double t;
  switch (kind) {
  case 0: /* one decimal, typed: 0.3 is the double nearest 0.3, not 3*0.1 */
    t = (double)pick((int)(hi * 10) + 1) / 10;
    break;
  case 1:
    t = (double)pick((int)(hi * 100) + 1) / 100;
    break;
  case 2:
    t = (double)pick((int)(hi * 3) + 1) / 3;
    break;
  default:
    t = unif(0, hi);
  }
  return t;
}

/* The linear 2-compartment system's modes: A(t) = sum_i c[i] e^{-lam[i] t}
 * for a unit bolus (into A1: c1, c2; into A2: d1, d2). */
typedef struct modes {
  int n;
  double lam[2], c1[2], c2[2], d1[2], d2[2];
} modes_t;

static modes_t modes_of(double CL, double V1, double Q, double V2)
{
  modes_t md = {0};
  double k10 = CL / V1, k12 = Q / V1, k21 = Q > 0 ? Q / V2 : 0;
  if (Q == 0) {
    md.n = 1;
    md.lam[0] = k10;
    md.c1[0] = 1;
    return md;
  }
  double s = k10 + k12 + k21, disc = sqrt(s * s - 4 * k10 * k21);
  double a = (s + disc) / 2, b = k10 * k21 / a; /* b from the product: no cancellation */
  md.n = 2;
  md.lam[0] = a;
  md.lam[1] = b;
  md.c1[0] = (a - k21) / (a - b);
  md.c1[1] = (k21 - b) / (a - b);
  md.c2[0] = -k12 / (a - b);
  md.c2[1] = k12 / (a - b);
  md.d1[0] = -k21 / (a - b);
  md.d1[1] = k21 / (a - b);
  md.d2[0] = (a - k10 - k12) / (a - b);
  md.d2[1] = (k10 + k12 - b) / (a - b);
  return md;
}

typedef struct dose {
  double t, amt, rate, end; /* rate 0: bolus */
  int cmt;
} dose_t;

#define MAXD 64

/* The exact state at t; lim is the end of t's instant (doses up to lim
 * count as given: the driver's order at one instant is doses, then rows). */
static void exact(const modes_t *md, const dose_t *d, int nd, double t, double lim, double *A)
{
  A[0] = A[1] = 0;
  for (int k = 0; k < nd; k++) {
    if (d[k].t > lim)
      continue;
    for (int i = 0; i < md->n; i++) {
      double l = md->lam[i];
      double ca = d[k].cmt == 0 ? md->c1[i] : md->d1[i];
      double cb = d[k].cmt == 0 ? md->c2[i] : md->d2[i];
      double w;
      if (d[k].rate == 0) {
        w = d[k].amt * exp(-l * fmax(t - d[k].t, 0));
      } else { /* integral of the bolus response over the infusion */
        double x = fmax(t - d[k].end, 0), y = fmax(t - d[k].t, 0);
        w = -d[k].rate * exp(-l * x) * expm1(-l * (y - x)) / l;
      }
      A[0] += ca * w;
      A[1] += cb * w;
    }
  }
}

static int cmp_dbl(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The documented merging, independently: every time within
 * ims_time_tol(t, scale) of the previous one is the same instant.  lim[i]:
 * the last time of the instant of tout[i]. */
static void instants(const dose_t *d, int nd, const double *tout, size_t nt, double scale,
                     double *lim)
{
  size_t n = 0;
  double *all = malloc((2 * (size_t)nd + nt) * sizeof *all);
  for (int k = 0; k < nd; k++) {
    all[n++] = d[k].t;
    if (d[k].rate > 0)
      all[n++] = d[k].end;
  }
  memcpy(all + n, tout, nt * sizeof *tout);
  n += nt;
  qsort(all, n, sizeof *all, cmp_dbl);
  for (size_t i = 0; i < nt; i++) {
    size_t k = 0;
    while (all[k] < tout[i])
      k++;
    while (k + 1 < n && all[k + 1] <= scale * 1.001 &&
           all[k + 1] <= all[k] + ims_time_tol(all[k], scale))
      k++;
    lim[i] = all[k];
  }
  free(all);
}

/* One random schedule as CSV text (read back through the reader), and its
 * doses expanded independently of the library. */
static int random_schedule(char *csv, size_t n, dose_t *d, int two_cmt, double tmax)
{
  int nrec = 1 + pick(4), nd = 0, kind = pick(4);
  size_t len = (size_t)snprintf(csv, n, "time,cmt,amt,rate,dur,ii,addl,lag,f\n");
  double t = 0;
  for (int r = 0; r < nrec; r++) {
    double tr = grid_time(kind, tmax * 0.6);
    t = tr > t ? tr : t; /* records in time order */
    int cmt = two_cmt && pick(5) == 0 ? 1 : 0, type = pick(3);
    double amt = unif(1, 1000), rate = 0, dur = 0, ii = 0, lag = 0, f = 1;
    int addl = 0;
    if (type == 1) { /* amt/rate: some infusions end on the grid, some an ulp off it */
      double du = grid_time(kind, 2.0);
      rate = amt / (du > 0 ? du : 0.7);
    }
    if (type == 2) {
      dur = grid_time(kind, 2.0);
      if (dur == 0)
        dur = 0.5;
    }
    if (pick(5) < 2) {
      addl = 1 + pick(5);
      ii = grid_time(kind, 2.0);
      if (ii == 0)
        ii = 1;
    }
    if (pick(10) < 3)
      lag = grid_time(kind, 1.0);
    if (pick(10) < 3)
      f = unif(0.2, 1);
    len += (size_t)snprintf(csv + len, n - len, "%.15g,%s,%.17g,%.17g,%.15g,%.15g,%d,%.15g,%.17g\n",
                            t, cmt ? "A2" : "A1", amt, rate, dur, ii, addl, lag, f);
    for (int j = 0; j <= addl && nd < MAXD; j++) {
      /* the parsed values, as the reader sees them */
      double tt, ia, lg;
      char buf[64];
      snprintf(buf, sizeof buf, "%.15g %.15g %.15g", t, ii, lag);
      ck_assert_int_eq(sscanf(buf, "%lf %lf %lf", &tt, &ia, &lg), 3);
      double td = tt + (double)j * ia + lg, a = f * amt;
      double rr = rate > 0 ? rate : dur > 0 ? a / dur : 0;
      double du = rate > 0 ? a / rate : dur;
      char db[32];
      snprintf(db, sizeof db, "%.15g", dur);
      if (dur > 0) {
        ck_assert_int_eq(sscanf(db, "%lf", &du), 1);
        rr = a / du;
      }
      d[nd++] = (dose_t){td, rr > 0 ? 0 : a, rr, td + du, cmt};
    }
  }
  return nd;
}

START_TEST(random_schedules_vs_superposition)
{
  rng_state = 20240521;
  const ims_model_t *m = pk();
  ims_sim_t *sim;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ims_opts_t o;
  t_tight(&o);
  o.atol = 1e-12;
  double *p = calloc((size_t)ims_model_nvalues(m), sizeof *p);
  int iCL = ims_model_param_index(m, "CL"), iV1 = ims_model_param_index(m, "V1");
  int iQ = ims_model_param_index(m, "Q"), iV2 = ims_model_param_index(m, "V2");
  int iT50 = ims_model_param_index(m, "T50"), iH = ims_model_param_index(m, "HILL");
  int iKm = ims_model_param_index(m, "Km");
  static char csv[8192];
  dose_t d[MAXD];
  long rows = 0, hits = 0;
  const int runs = 10000;
  for (int run = 0; run < runs; run++) {
    int two = run % 2;
    p[iCL] = unif(0.1, 3);
    p[iV1] = unif(1, 10);
    p[iQ] = two ? unif(0.1, 3) : 0;
    p[iV2] = unif(1, 20);
    p[iT50] = p[iH] = p[iKm] = 1; /* Emax = Vmax = 0: linear */
    double tend = (double)(2 + pick(9));
    int nd = random_schedule(csv, sizeof csv, d, two, tend);
    ims_schedule_t *s;
    ck_assert_int_eq(ims_schedule_alloc(&s, &err), 0);
    ck_assert_msg(ims_schedule_read_mem(s, m, t_units(), "random", csv, strlen(csv), &err) == 0,
                  "run %d: %s\n%s", run, err.msg, csv);
    /* output grids: uniform (hitting and missing the dose times), or random
     * times plus every dose time itself */
    double *tout;
    size_t nt;
    int g = pick(5);
    if (g < 4) {
      const double dt[4] = {0.1, 0.01, 1.0 / 3, 0.25};
      ck_assert_int_eq(ims_grid_uniform(0, tend, dt[g], &tout, &nt, &err), 0);
    } else {
      tout = malloc((MAXD + 40) * sizeof *tout);
      nt = 0;
      for (int i = 0; i < 30; i++)
        tout[nt++] = unif(0, tend);
      for (int i = 0; i < nd; i++)
        if (d[i].t <= tend)
          tout[nt++] = d[i].t;
      tout[nt++] = tend;
      tout[nt++] = 0;
      /* sort and drop duplicates */
      for (size_t i = 1; i < nt; i++)
        for (size_t j = i; j > 0 && tout[j] < tout[j - 1]; j--) {
          double x = tout[j];
          tout[j] = tout[j - 1];
          tout[j - 1] = x;
        }
      size_t k = 0;
      for (size_t i = 0; i < nt; i++)
        if (!k || tout[i] > tout[k - 1])
          tout[k++] = tout[i];
      nt = k;
    }
    trace_t tr;
    int rc = t_run(m, p, s, &o, tout, nt, &tr, &err);
    ck_assert_msg(rc == 0, "run %d: %s\n%s", run, err.msg, csv);
    ck_assert_uint_eq(tr.nrow, nt);
    modes_t md = modes_of(p[iCL], p[iV1], p[iQ], p[iV2]);
    double amax = 0, *lim = malloc(nt * sizeof *lim);
    for (int i = 0; i < nd; i++)
      amax += d[i].rate > 0 ? d[i].rate * (d[i].end - d[i].t) : d[i].amt;
    instants(d, nd, tout, nt, tend, lim);
    for (size_t i = 0; i < nt; i++) {
      double A[2];
      exact(&md, d, nd, tout[i], lim[i], A);
      ck_assert(TR(&tr, i, 0) == tout[i]); /* reported at the requested time */
      for (int c = 0; c < 2; c++) {
        double got = TR(&tr, i, 1 + c);
        /* 1e-6 relative; near zero, 1e-12 of the total dose */
        ck_assert_msg(fabs(got - A[c]) <= 1e-6 * fabs(A[c]) + 1e-12 * amax,
                      "run %d t=%.17g A%d: got %.12g exact %.12g (CL %.17g V1 %.17g Q %.17g V2 "
                      "%.17g, tend %g, grid %d)\n%s",
                      run, tout[i], c + 1, got, A[c], p[iCL], p[iV1], p[iQ], p[iV2], tend, g, csv);
      }
      for (int k = 0; k < nd; k++)
        hits += d[k].t == tout[i];
    }
    rows += (long)nt;
    free(lim);
    t_trace_free(&tr);
    free(tout);
    ims_schedule_free(s);
  }
  ck_assert(hits > 1000); /* the grids do hit dose times */
  fprintf(stderr, "timeline: %d random schedules, %ld rows, %ld outputs at a dose time\n", runs,
          rows, hits);
  free(p);
  ims_sim_free(sim);
}
END_TEST

Suite *suite_timeline(void)
{
  Suite *s = suite_create("timeline");
  TCase *tc = tcase_create("timeline");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, random_schedules_vs_superposition);
  suite_add_tcase(s, tc);
  return s;
}
