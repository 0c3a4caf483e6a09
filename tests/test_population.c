/* Virtual populations: deterministic draws, thread- and shard-independent
 * results, sampling statistics, covariance blocks, failures, bands. */
#include "tests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *pk(void)
{
  return ims_model_find("pk2cmt");
}

static ims_params_t *params_mem(const char *csv)
{
  ims_params_t *p;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_params_alloc(&p, pk(), &err), 0);
  ck_assert_msg(ims_params_read_mem(p, t_units(), "mem.csv", csv, strlen(csv), &err) == 0, "%s",
                err.msg);
  ck_assert_msg(ims_params_finish(p, &err) == 0, "%s", err.msg);
  return p;
}

static ims_pop_t *pop_of(const ims_params_t *p)
{
  ims_pop_t *pop;
  ims_err_t err = {0};
  ck_assert_msg(ims_pop_alloc(&pop, p, &err) == 0, "%s", err.msg);
  return pop;
}

/* Everything a population run reports, kept for exact comparison. */
typedef struct capture {
  int nv, nval, nm;
  int ncopy; /* metric values a subject has, when fewer than nm (--cols) */
  uint64_t first, n;
  int *status;
  double *p, *metrics;
  char msg[IMS_ERRMSG_MAX];
  uint64_t order_errors, next;
} capture_t;

static void cap_init(capture_t *c, const ims_pop_t *pop, uint64_t first, uint64_t n)
{
  memset(c, 0, sizeof *c);
  c->nval = ims_pop_nvalues(pop);
  c->nm = (pk()->nstates + pk()->noutputs) * IMS_PM_N;
  c->first = c->next = first;
  c->n = n;
  c->status = calloc(n, sizeof *c->status);
  c->p = calloc(n * (size_t)c->nval, sizeof *c->p);
  c->metrics = calloc(n * (size_t)c->nm, sizeof *c->metrics);
  ck_assert(c->status && c->p && c->metrics);
}

static void cap_free(capture_t *c)
{
  free(c->status);
  free(c->p);
  free(c->metrics);
}

static int on_subject(void *ud, const ims_pop_subject_t *s)
{
  capture_t *c = ud;
  if (s->id != c->next++)
    c->order_errors++;
  size_t j = (size_t)(s->id - c->first);
  c->status[j] = s->status;
  memcpy(c->p + j * (size_t)c->nval, s->p, (size_t)c->nval * sizeof *s->p);
  if (s->metrics)
    memcpy(c->metrics + j * (size_t)c->nm, s->metrics,
           (size_t)(c->ncopy ? c->ncopy : c->nm) * sizeof *s->metrics);
  if (s->status && !c->msg[0])
    snprintf(c->msg, sizeof c->msg, "%s", s->msg);
  return 0;
}

static int simulate(const ims_pop_t *pop, const ims_schedule_t *sched, const ims_opts_t *o,
                    const double *tout, size_t nt, uint64_t seed, uint64_t first, uint64_t last,
                    int threads, ims_bands_t *bands, capture_t *cap, ims_pop_summary_t *sum)
{
  ims_pop_run_t run = {.seed = seed,
                       .first = first,
                       .last = last,
                       .threads = threads,
                       .bands = bands,
                       .subject = on_subject,
                       .ud = cap,
                       .chunk_mem = 64 * 1024}; /* small chunks: many ordered batches */
  ims_err_t err = {0};
  int rc = ims_pop_simulate(pop, sched, o, tout, nt, &run, sum, &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
  ck_assert_int_eq(cap->order_errors, 0);
  return rc;
}

static const char *pembro_sched =
    "time,cmt,amt,dur,ii,addl,unit\n0,A1,200,0.0208333333333,21,4,mg\n";

/* Subject i's draw depends on (seed, i) only: alone, or inside a population
 * run with 2 threads, it is the same bits. */
START_TEST(draw_alone_equals_population)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  ims_pop_t *pop = pop_of(p);
  ck_assert_int_eq(ims_pop_nvar(pop), 4);
  ims_schedule_t *s = t_sched(pk(), pembro_sched);
  ims_opts_t o;
  ims_opts_default(&o);
  double tout[] = {0, 21, 42, 84};
  capture_t cap;
  cap_init(&cap, pop, 0, 60);
  ims_pop_summary_t sum;
  simulate(pop, s, &o, tout, 4, 99, 0, 60, 2, NULL, &cap, &sum);
  ck_assert_int_eq(sum.ok, 60);
  ims_pop_rng_t *r;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_pop_rng_alloc(&r, pop, &err), 0);
  double alone[32], again[32];
  for (uint64_t i = 0; i < 60; i += 7) {
    ck_assert_int_eq(ims_pop_draw(pop, r, 99, i, alone, NULL, &err), 0);
    ck_assert(memcmp(alone, cap.p + i * (size_t)cap.nval, (size_t)cap.nval * sizeof *alone) == 0);
  }
  /* a fresh workspace after other draws gives the same values */
  ck_assert_int_eq(ims_pop_draw(pop, r, 99, 3, again, NULL, &err), 0);
  ck_assert(memcmp(again, cap.p + 3 * (size_t)cap.nval, (size_t)cap.nval * sizeof *again) == 0);
  /* another subject or seed differs; fixed parameters are the typical value */
  ck_assert_int_eq(ims_pop_draw(pop, r, 100, 3, again, NULL, &err), 0);
  ck_assert(again[0] != cap.p[3 * (size_t)cap.nval]);
  ck_assert(again[4] == p->value[4] && again[6] == p->value[6]);
  /* the documented key: mix(seed ^ mix(i + gamma)), splitmix64's finaliser */
  uint64_t z = 5 + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  z ^= 42;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  ck_assert(ims_pop_subject_key(42, 5) == z);
  ims_pop_rng_free(r);
  cap_free(&cap);
  ims_schedule_free(s);
  ims_pop_free(pop);
  ims_params_free(p);
}
END_TEST

static void bands_equal(ims_bands_t *a, ims_bands_t *b)
{
  ck_assert_uint_eq(ims_bands_ncells(a), ims_bands_ncells(b));
  for (size_t c = 0; c < ims_bands_ncells(a); c++) {
    ck_assert_uint_eq(ims_bands_count(a, c), ims_bands_count(b, c));
    for (int k = 0; k < IMS_BANDS_NP; k++) {
      double x = ims_bands_quantile(a, c, ims_bands_p[k]);
      double y = ims_bands_quantile(b, c, ims_bands_p[k]);
      ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "cell %zu p%g: %.17g vs %.17g", c,
                    ims_bands_p[k], x, y);
    }
  }
}

/* --threads 1 and 2 give bit-identical per-subject results and bands (exact
 * and histogram modes); shards 0:50 + 50:100 are the 0:100 run. */
START_TEST(threads_and_shards_bit_identical)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  ims_pop_t *pop = pop_of(p);
  ims_schedule_t *s = t_sched(pk(), pembro_sched);
  ims_opts_t o;
  ims_opts_default(&o);
  double *tout;
  size_t nt;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_grid_uniform(0, 105, 1, &tout, &nt, &err), 0);
  int nc = pk()->nstates + pk()->noutputs;
  for (int hist = 0; hist <= 1; hist++) {
    capture_t c1, c2, h1, h2;
    ims_bands_t *b1, *b2;
    size_t cap = hist ? 0 : (size_t)1 << 30;
    ck_assert_int_eq(ims_bands_alloc(&b1, nt, nc, 100, cap, &err), 0);
    ck_assert_int_eq(ims_bands_alloc(&b2, nt, nc, 100, cap, &err), 0);
    ck_assert_int_eq(ims_bands_exact(b1), !hist);
    cap_init(&c1, pop, 0, 100);
    cap_init(&c2, pop, 0, 100);
    ims_pop_summary_t s1, s2;
    simulate(pop, s, &o, tout, nt, 2024, 0, 100, 1, b1, &c1, &s1);
    simulate(pop, s, &o, tout, nt, 2024, 0, 100, 2, b2, &c2, &s2);
    ck_assert_int_eq(s1.ok, 100);
    ck_assert_int_eq(s2.ok, 100);
    ck_assert(memcmp(c1.p, c2.p, 100 * (size_t)c1.nval * sizeof *c1.p) == 0);
    ck_assert(memcmp(c1.metrics, c2.metrics, 100 * (size_t)c1.nm * sizeof *c1.metrics) == 0);
    ck_assert_int_eq(s1.stats.steps, s2.stats.steps);
    bands_equal(b1, b2);
    /* shards, the second on 2 threads */
    cap_init(&h1, pop, 0, 50);
    cap_init(&h2, pop, 50, 50);
    simulate(pop, s, &o, tout, nt, 2024, 0, 50, 1, NULL, &h1, &s1);
    simulate(pop, s, &o, tout, nt, 2024, 50, 100, 2, NULL, &h2, &s2);
    ck_assert(memcmp(h1.p, c1.p, 50 * (size_t)c1.nval * sizeof *c1.p) == 0);
    ck_assert(memcmp(h2.p, c1.p + 50 * (size_t)c1.nval, 50 * (size_t)c1.nval * sizeof *c1.p) == 0);
    ck_assert(memcmp(h1.metrics, c1.metrics, 50 * (size_t)c1.nm * sizeof *c1.metrics) == 0);
    ck_assert(memcmp(h2.metrics, c1.metrics + 50 * (size_t)c1.nm,
                     50 * (size_t)c1.nm * sizeof *c1.metrics) == 0);
    cap_free(&c1);
    cap_free(&c2);
    cap_free(&h1);
    cap_free(&h2);
    ims_bands_free(b1);
    ims_bands_free(b2);
  }
  free(tout);
  ims_schedule_free(s);
  ims_pop_free(pop);
  ims_params_free(p);
}
END_TEST

/* Sample mean and variance of eta = ln(P/theta) over 20,000 draws match
 * N(0, omega^2) within 5 standard errors: SE(mean) = omega/sqrt(n),
 * SE(var) = omega^2 sqrt(2/(n-1)) (normal sampling theory). */
static void check_moments(const double *x, int n, double mu, double var, const char *what)
{
  double m = 0, v = 0;
  for (int i = 0; i < n; i++)
    m += x[i];
  m /= n;
  for (int i = 0; i < n; i++)
    v += (x[i] - m) * (x[i] - m);
  v /= n - 1;
  double se_m = sqrt(var / n), se_v = var * sqrt(2.0 / (n - 1));
  ck_assert_msg(fabs(m - mu) < 5 * se_m, "%s: mean %g, want %g +- %g", what, m, mu, 5 * se_m);
  ck_assert_msg(fabs(v - var) < 5 * se_v, "%s: var %g, want %g +- %g", what, v, var, 5 * se_v);
}

START_TEST(lognormal_moments)
{
  /* pembrolizumab: omega^2 0.134 (CL, Q), 0.0417 (V1, V2); one CV% row: 30 % */
  ims_params_t *p = params_mem("name,value,unit,iiv,dist\nCL,0.22,L/d,0.134,\nV1,3.48,L,30%,\n"
                               "Q,0.795,L/d,0.134,lognormal\nV2,4.06,L,0.0417,\n"
                               "Emax,0,1,0.25,normal\n");
  ck_assert(fabs(p->omega2[1] - log(1.09)) < 1e-15); /* CV 30 % -> ln(1 + 0.3^2) */
  ims_pop_t *pop = pop_of(p);
  ck_assert_int_eq(ims_pop_nvar(pop), 5);
  ims_pop_rng_t *r;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_pop_rng_alloc(&r, pop, &err), 0);
  enum { N = 20000 };
  double *x = malloc(5 * N * sizeof *x), v[32];
  ck_assert(x != NULL);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(ims_pop_draw(pop, r, 7, (uint64_t)i, v, NULL, &err), 0);
    x[0 * N + i] = log(v[0] / 0.22);
    x[1 * N + i] = log(v[1] / 3.48);
    x[2 * N + i] = log(v[2] / 0.795);
    x[3 * N + i] = log(v[3] / 4.06);
    x[4 * N + i] = v[4]; /* normal: theta + eta, theta = 0 */
  }
  check_moments(x, N, 0, 0.134, "CL");
  check_moments(x + N, N, 0, log(1.09), "V1 (30% CV)");
  check_moments(x + 2 * N, N, 0, 0.134, "Q");
  check_moments(x + 3 * N, N, 0, 0.0417, "V2");
  check_moments(x + 4 * N, N, 0, 0.25, "Emax (normal)");
  /* the CV of P itself is 30 %: sd/mean of exp(eta) = sqrt(e^w - 1) */
  double m = 0, s2 = 0;
  for (int i = 0; i < N; i++)
    m += exp(x[N + i]);
  m /= N;
  for (int i = 0; i < N; i++)
    s2 += (exp(x[N + i]) - m) * (exp(x[N + i]) - m);
  double cv = sqrt(s2 / (N - 1)) / m;
  /* SE of a CV estimate ~ cv/sqrt(2n) * sqrt(1 + 2cv^2): 5 SE = 0.0034 here */
  ck_assert_msg(fabs(cv - 0.30) < 5 * 0.30 / sqrt(2.0 * N) * sqrt(1 + 2 * 0.09), "CV %g", cv);
  free(x);
  ims_pop_rng_free(r);
  ims_pop_free(pop);
  ims_params_free(p);
}
END_TEST

/* A normal iiv is a variance in the row's unit (converted with the square of
 * the slope); a normal CV% is sd = CV * value. */
START_TEST(normal_iiv_units)
{
  ims_params_t *p = params_mem("name,value,unit,iiv,dist\nCL,10,mL/h,4,normal\n"
                               "V1,3,L,10%,normal\n");
  /* 4 (mL/h)^2 -> (2 mL/h = 0.048 L/d)^2 */
  ck_assert_msg(fabs(p->omega2[0] - 0.048 * 0.048) < 1e-15, "%g", p->omega2[0]);
  ck_assert(fabs(p->omega2[1] - 0.09) < 1e-15);
  ck_assert_int_eq(p->dist[0], IMS_DIST_NORMAL);
  ims_params_free(p);
}
END_TEST

/* A covariance block: the sample correlation of the etas reproduces
 * rho = 0.045 / sqrt(0.09 * 0.09) = 0.5 within 5 SE, SE(r) = (1 - rho^2)/sqrt(n). */
START_TEST(covariance_block)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  ims_pop_t *pop = pop_of(p);
  ims_err_t err = {0};
  const char *lower = "name,CL,V1\nCL,0.09\nV1,0.045,0.09\n";
  ck_assert_msg(ims_pop_read_omega_mem(pop, "om.csv", lower, strlen(lower), &err) == 0, "%s",
                err.msg);
  ck_assert_int_eq(ims_pop_nvar(pop), 4); /* CL, V1 (block), Q, V2 (iiv column) */
  ck_assert(ims_pop_omega(pop, 0, 1) == 0.045 && ims_pop_omega(pop, 0, 0) == 0.09);
  ck_assert(ims_pop_omega(pop, 0, 2) == 0 && ims_pop_omega(pop, 2, 2) == 0.134);
  ims_pop_rng_t *r;
  ck_assert_int_eq(ims_pop_rng_alloc(&r, pop, &err), 0);
  enum { N = 20000 };
  double sxy = 0, sxx = 0, syy = 0, sx = 0, sy = 0, v[32], eta[8];
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(ims_pop_draw(pop, r, 11, (uint64_t)i, v, eta, &err), 0);
    ck_assert(fabs(log(v[0] / 0.22) - eta[0]) < 1e-12);
    sx += eta[0], sy += eta[1], sxx += eta[0] * eta[0], syy += eta[1] * eta[1];
    sxy += eta[0] * eta[1];
  }
  double cxy = sxy / N - sx / N * sy / N, vx = sxx / N - sx / N * sx / N;
  double vy = syy / N - sy / N * sy / N, rho = cxy / sqrt(vx * vy);
  ck_assert_msg(fabs(rho - 0.5) < 5 * 0.75 / sqrt(N), "rho %g", rho);
  ck_assert_msg(fabs(vx - 0.09) < 5 * 0.09 * sqrt(2.0 / N), "var %g", vx);
  /* the same as a full matrix */
  const char *full = "name,CL,V1\nCL,0.09,0.045\nV1,0.045,0.09\n";
  ims_pop_t *pop2 = pop_of(p);
  ck_assert_msg(ims_pop_read_omega_mem(pop2, "f.csv", full, strlen(full), &err) == 0, "%s",
                err.msg);
  double v2[32];
  ck_assert_int_eq(ims_pop_draw(pop, r, 3, 17, v, NULL, &err), 0);
  ck_assert_int_eq(ims_pop_draw(pop2, r, 3, 17, v2, NULL, &err), 0);
  ck_assert(memcmp(v, v2, (size_t)ims_pop_nvalues(pop) * sizeof *v) == 0);
  ims_pop_free(pop2);
  /* errors name file:line:col */
  static const struct {
    const char *csv, *msg;
  } bad[] = {
      {"name,CL,V1\nCL,0.09\nV1,0.1,0.09\n",
       "b.csv:3:8: the covariance block is not positive definite at 'V1'"},
      {"name,CL,Vx\nCL,0.09\nVx,0.01,0.09\n", "b.csv:1:9: unknown parameter 'Vx'"},
      {"name,CL,V1\nV1,0.09\n", "b.csv:2:1: row 'V1' where 'CL' is expected"},
      {"name,CL,V1\nCL,0.09,0.01\nV1,0.02,0.09\n", "b.csv:2:9: the matrix is not symmetric"},
      {"name,CL,V1\nCL,0.09\nV1,0.01,abc\n", "b.csv:3:9: 'abc' is not a finite number"},
      {"name,CL,V1\nCL,0\nV1,0.01,0.09\n", "b.csv:2:4: the variance of 'CL' must be positive"},
      {"name,CL,V1\nCL,0.09\n", "b.csv:3:1: 1 rows for 2 names"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    ims_pop_t *q = pop_of(p);
    ck_assert_int_eq(ims_pop_read_omega_mem(q, "b.csv", bad[i].csv, strlen(bad[i].csv), &err),
                     IMS_EINPUT);
    ck_assert_msg(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "got '%s' want '%s'",
                  err.msg, bad[i].msg);
    ims_pop_free(q);
  }
  ims_pop_rng_free(r);
  ims_pop_free(pop);
  ims_params_free(p);
}
END_TEST

/* Failed subjects are reported, excluded from the bands and counted; the
 * run never aborts. */
START_TEST(failed_subjects_excluded)
{
  /* V1 normal with sd 2 L around 3 L: P(V1 < 0) = Phi(-1.5) = 6.7 % of draws fail */
  ims_params_t *p = params_mem("name,value,unit,iiv,dist\nCL,0.22,L/d,,\nV1,3,L,4,normal\n");
  ims_pop_t *pop = pop_of(p);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt\n0,A1,100\n");
  ims_opts_t o;
  ims_opts_default(&o);
  double tout[] = {0, 1, 10};
  ims_bands_t *b;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_bands_alloc(&b, 3, 3, 200, 1 << 20, &err), 0);
  capture_t c;
  cap_init(&c, pop, 0, 200);
  ims_pop_summary_t sum;
  simulate(pop, s, &o, tout, 3, 5, 0, 200, 2, b, &c, &sum);
  /* the expected failures, counted independently from the draws */
  ims_pop_rng_t *r;
  ck_assert_int_eq(ims_pop_rng_alloc(&r, pop, &err), 0);
  uint64_t neg = 0;
  double v[32];
  for (uint64_t i = 0; i < 200; i++)
    neg += ims_pop_draw(pop, r, 5, i, v, NULL, &err) != 0;
  ck_assert_msg(neg > 0 && neg < 40, "%llu", (unsigned long long)neg);
  ck_assert_uint_eq(sum.failed, neg);
  ck_assert_uint_eq(sum.ok, 200 - neg);
  ck_assert_msg(strstr(c.msg, "drawn V1 = -") != NULL, "%s", c.msg);
  for (size_t cell = 0; cell < 9; cell++)
    ck_assert_uint_eq(ims_bands_count(b, cell), 200 - neg);
  ims_pop_rng_free(r);
  cap_free(&c);
  ims_bands_free(b);
  /* a solver failure in every subject: still no abort, all counted */
  ims_pop_free(pop);
  ims_params_free(p);
  p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  pop = pop_of(p);
  o.max_steps = 2;
  o.rtol = 1e-12;
  cap_init(&c, pop, 0, 20);
  simulate(pop, s, &o, tout, 3, 5, 0, 20, 2, NULL, &c, &sum);
  ck_assert_uint_eq(sum.failed, 20);
  ck_assert_uint_eq(sum.ok, 0);
  ck_assert_msg(strstr(c.msg, "solver failed at t = ") && strstr(c.msg, "worst state A"), "%s",
                c.msg);
  cap_free(&c);
  ims_schedule_free(s);
  ims_pop_free(pop);
  ims_params_free(p);
}
END_TEST

/* Bands: exact type-7 percentiles, the histogram within its documented
 * relative accuracy, and independence of the order of adding. */
START_TEST(bands_accuracy)
{
  ims_bands_t *ex, *h1, *h2;
  ims_err_t err = {0};
  enum { N = 1001 };
  ck_assert_int_eq(ims_bands_alloc(&ex, 1, 2, N, 1 << 20, &err), 0);
  ck_assert_int_eq(ims_bands_alloc(&h1, 1, 2, N, 0, &err), 0);
  ck_assert_int_eq(ims_bands_alloc(&h2, 1, 2, N, 0, &err), 0);
  ck_assert(ims_bands_exact(ex) && !ims_bands_exact(h1));
  for (int i = 0; i < N; i++) {
    double a = exp(0.01 * i), z = i % 3 == 0 ? 0.0 : -(double)i;
    ck_assert_int_eq(ims_bands_add(ex, 0, a, &err), 0);
    ck_assert_int_eq(ims_bands_add(ex, 1, z, &err), 0);
    ck_assert_int_eq(ims_bands_add(h1, 0, a, &err), 0);
    ck_assert_int_eq(ims_bands_add(h1, 1, z, &err), 0);
    double ra = exp(0.01 * (N - 1 - i)), rz = (N - 1 - i) % 3 == 0 ? -0.0 : -(double)(N - 1 - i);
    ck_assert_int_eq(ims_bands_add(h2, 0, ra, &err), 0);
    ck_assert_int_eq(ims_bands_add(h2, 1, rz, &err), 0);
  }
  ck_assert_int_eq(ims_bands_add(ex, 0, NAN, &err), 0); /* skipped */
  ck_assert_uint_eq(ims_bands_count(ex, 0), N);
  for (int k = 0; k < IMS_BANDS_NP; k++) {
    double pk_ = ims_bands_p[k];
    /* type 7 on exp(0.01 i), i = 0..1000: h = 1000 p is an integer here */
    double want = exp(0.01 * 1000 * pk_);
    double e = ims_bands_quantile(ex, 0, pk_), h = ims_bands_quantile(h1, 0, pk_);
    ck_assert_msg(t_relerr(e, want) < 1e-12, "exact p%g: %g vs %g", pk_, e, want);
    ck_assert_msg(t_relerr(h, want) <= 1.0 / 256, "hist p%g: %g vs %g", pk_, h, want);
    double hz = ims_bands_quantile(h1, 1, pk_), ez = ims_bands_quantile(ex, 1, pk_);
    ck_assert_msg(fabs(hz - ez) <= fabs(ez) / 256, "hist z p%g: %g vs %g", pk_, hz, ez);
    /* the reversed order gives the same bits (and -0.0 counts as 0) */
    double a1 = ims_bands_quantile(h1, 0, pk_), a2 = ims_bands_quantile(h2, 0, pk_);
    double z1 = ims_bands_quantile(h1, 1, pk_), z2 = ims_bands_quantile(h2, 1, pk_);
    ck_assert(memcmp(&a1, &a2, sizeof a1) == 0 && memcmp(&z1, &z2, sizeof z1) == 0);
  }
  /* p95 of the signed cell: the largest third are zeros -> exactly 0 */
  ck_assert(ims_bands_quantile(h1, 1, 0.95) == 0.0);
  ims_bands_free(ex);
  ims_bands_free(h1);
  ims_bands_free(h2);
}
END_TEST

/* Blinatumomab, CL IIV 47.6 % CV (Clements 2020): continuous infusion, so
 * Css = R/CL per subject and the population mean is
 * E[R/CL] = R/CL_typ * exp(omega^2/2) (lognormal, closed form).  The sample
 * mean of 2,000 simulated subjects must match within 5 SE (SE from the
 * sample sd).  Published NCA means (229 / 615 pg/mL) are not reproduced by
 * this model: see README, Virtual populations. */
START_TEST(blinatumomab_population_css)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/blinatumomab_clements2020.csv", NULL);
  ims_pop_t *pop = pop_of(p);
  ims_schedule_t *s = t_sched(pk(), "time,cmt,amt,dur,unit\n0,A1,63,7,ug\n7,A1,588,21,ug\n");
  ims_opts_t o;
  ims_opts_default(&o);
  double w = p->omega2[0], cl = p->value[0], v1 = p->value[1];
  static const double tend[] = {7, 28}, rate[] = {0.009, 0.028}; /* mg/d */
  for (int k = 0; k < 2; k++) {
    double tout[] = {0, tend[k]};
    capture_t c;
    enum { N = 2000 };
    cap_init(&c, pop, 0, N);
    ims_pop_summary_t sum;
    simulate(pop, s, &o, tout, 2, 2020, 0, N, 2, NULL, &c, &sum);
    ck_assert_uint_eq(sum.ok, N);
    double m = 0, m2 = 0;
    int col = 2; /* C1 */
    for (int i = 0; i < N; i++) {
      double css = c.metrics[(size_t)i * (size_t)c.nm + (size_t)col * IMS_PM_N + IMS_PM_LAST];
      double cli = c.p[(size_t)i * (size_t)c.nval + 0];
      /* every subject is at its own steady state R/CL_i (k = CL/V >= 1.3/d) */
      ck_assert_msg(t_relerr(css, rate[k] / cli) < 1e-4, "subject %d", i);
      if (k == 0) { /* AUC(0,T) of an infusion from 0: R/CL (T - (1 - e^{-kT})/k), k = CL/V */
        double ke = cli / v1, T = tend[k];
        double auc = c.metrics[(size_t)i * (size_t)c.nm + (size_t)col * IMS_PM_N + IMS_PM_AUC];
        double want_auc = rate[k] / cli * (T - (1 - exp(-ke * T)) / ke);
        ck_assert_msg(t_relerr(auc, want_auc) < 1e-5, "AUC %g vs %g", auc, want_auc);
      }
      m += css;
      m2 += css * css;
    }
    m /= N;
    double sd = sqrt((m2 - N * m * m) / (N - 1)), want = rate[k] / cl * exp(w / 2);
    ck_assert_msg(fabs(m - want) < 5 * sd / sqrt(N), "mean Css %g pg/mL, want %g +- %g", m * 1e6,
                  want * 1e6, 5e6 * sd / sqrt(N));
    cap_free(&c);
  }
  ims_schedule_free(s);
  ims_pop_free(pop);
  ims_params_free(p);
}
END_TEST

/* Per-subject metrics put the AUCs under error control (src/sim_aug.c): the
 * steps may be shorter where an integral needs it, so the bands with no
 * metrics, with every column's and with two chosen columns' (--cols) agree
 * to the tolerance, as do the chosen columns' metrics with the every-column
 * run's: within 1000 rtol of the value (plus 1e-3 of a unit for values near
 * 0: the columns here are amounts in mg and concentrations in mg/L). */
static int close_to(double a, double b, double rtol)
{
  return fabs(a - b) <= 1000 * rtol * (fabs(a) + 1e-3);
}

static void bands_close(ims_bands_t *a, ims_bands_t *b, double rtol)
{
  ck_assert_uint_eq(ims_bands_ncells(a), ims_bands_ncells(b));
  for (size_t c = 0; c < ims_bands_ncells(a); c++) {
    ck_assert_uint_eq(ims_bands_count(a, c), ims_bands_count(b, c));
    for (int k = 0; k < IMS_BANDS_NP; k++) {
      double x = ims_bands_quantile(a, c, ims_bands_p[k]);
      double y = ims_bands_quantile(b, c, ims_bands_p[k]);
      ck_assert_msg(close_to(x, y, rtol), "cell %zu p%g: %.17g vs %.17g", c, ims_bands_p[k], x, y);
    }
  }
}

START_TEST(metrics_agree_with_bands)
{
  ims_params_t *p = t_params(pk(), "params/pk2cmt/pembrolizumab_ahamadi2017.csv", NULL);
  ims_pop_t *pop = pop_of(p);
  ims_schedule_t *s = t_sched(pk(), pembro_sched);
  ims_opts_t o;
  ims_opts_default(&o);
  double *tout;
  size_t nt;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_grid_uniform(0, 105, 1, &tout, &nt, &err), 0);
  int nc = pk()->nstates + pk()->noutputs, cols[2] = {2, 0};
  ims_bands_t *b[3];
  capture_t c[3];
  for (int v = 0; v < 3; v++) {
    ck_assert_int_eq(ims_bands_alloc(&b[v], nt, nc, 50, 0, &err), 0);
    cap_init(&c[v], pop, 0, 50);
    c[v].ncopy = v == 2 ? 2 * IMS_PM_N : 0;
    ims_pop_run_t run = {.seed = 9,
                         .first = 0,
                         .last = 50,
                         .threads = 2,
                         .no_metrics = v == 0,
                         .cols = v == 2 ? cols : NULL,
                         .ncols = v == 2 ? 2 : 0,
                         .bands = b[v],
                         .subject = on_subject,
                         .ud = &c[v]};
    ims_pop_summary_t sum;
    ck_assert_msg(ims_pop_simulate(pop, s, &o, tout, nt, &run, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.ok, 50);
  }
  bands_close(b[0], b[1], o.rtol);
  bands_close(b[0], b[2], o.rtol);
  for (int i = 0; i < 50; i++)
    for (int j = 0; j < 2; j++) {
      /* capture_t keeps nc * IMS_PM_N values per subject: the --cols run fills the first 2 */
      const double *all = c[1].metrics + (size_t)i * (size_t)c[1].nm + (size_t)cols[j] * IMS_PM_N;
      const double *sel = c[2].metrics + (size_t)i * (size_t)c[2].nm + (size_t)j * IMS_PM_N;
      for (int k = 0; k < IMS_PM_N; k++)
        ck_assert_msg(close_to(all[k], sel[k], o.rtol),
                      "subject %d column %d metric %d: %.17g vs %.17g", i, cols[j], k, all[k],
                      sel[k]);
    }
  for (int v = 0; v < 3; v++) {
    ims_bands_free(b[v]);
    cap_free(&c[v]);
  }
  free(tout);
  ims_schedule_free(s);
  ims_pop_free(pop);
  ims_params_free(p);
}
END_TEST

/* ---- the quadratures at the last row only (opts.quad_last_row) ---- */

typedef struct lastq {
  int ns, nq;
  size_t nrow, nt;
  int early_q; /* a row before the last one got quadratures */
  double y[64 * 4], q[4];
  int has_q;
} lastq_t;

static int lastq_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)t, (void)out;
  lastq_t *c = ud;
  if (c->nrow < 64)
    memcpy(c->y + c->nrow * 4, y, (size_t)c->ns * sizeof *y);
  if (q && c->nrow + 1 < c->nt)
    c->early_q = 1;
  if (q && c->nrow + 1 == c->nt) {
    memcpy(c->q, q, (size_t)c->nq * sizeof *q);
    c->has_q = 1;
  }
  c->nrow++;
  return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static uint64_t lq_rng = 0x9e3779b97f4a7c15u; /* the cases' stream (t_unif) */

/* AUC(0, T) of C1 = A1/V1 in a one-compartment model (k = CL/V1): a bolus D
 * at s adds D/V (1 - e^{-k(T-s)})/k; an infusion of D over [s, s + d] adds
 * R/(kV) (u - (1 - e^{-ku})/k), u = min(T, s + d) - s, R = D/d, then its
 * amount at the end, A_e = R/k (1 - e^{-kd}), decays: A_e/(kV) (1 - e^{-k(T-s-d)}). */
static double auc_1cmt(double k, double v, double T, double s, double D, double d)
{
  if (s >= T)
    return 0;
  if (d <= 0)
    return D / v * (1 - exp(-k * (T - s))) / k;
  double R = D / d, u = fmin(T, s + d) - s;
  double a = R / (k * v) * (u - (1 - exp(-k * u)) / k);
  if (T > s + d)
    a += R / k * (1 - exp(-k * d)) / (k * v) * (1 - exp(-k * (T - s - d)));
  return a;
}

/* The population's per-subject AUC reads the quadratures only at the last
 * output time: 1,000 random one-compartment runs (boluses, infusions, a
 * steady-state dose, random output grids, the integrals as CVODES
 * quadratures or carried in the state vector) give the same bits in every state and in the last
 * row's integrals as reading them at every row, no quadratures before the last row, and the
 * closed-form AUC.  A restart or a steady-state search that read a stale integral would fail here.
 */
START_TEST(quad_last_row_same_bits)
{
  enum { CASES = 1000 };
  const ims_model_t *m = pk();
  int qc = t_col(m, "C1") - 1, ns = m->nstates, nq = ns + m->noutputs;
  ck_assert(ns <= 4 && nq <= 4);
  double worst = 0, tol = 1e-6; /* the closed-form tolerance of the states at t_tight (test_pk.c) */
  for (int cs = 0; cs < CASES; cs++) {
    double cl = 0.1 + 5 * t_unif(&lq_rng), v = 1 + 9 * t_unif(&lq_rng), k = cl / v,
           T = 5 + 55 * t_unif(&lq_rng);
    char ov[2][64], csv[1024];
    snprintf(ov[0], sizeof ov[0], "CL=%.17g", cl);
    snprintf(ov[1], sizeof ov[1], "V1=%.17g", v);
    ims_params_t *p = t_params(m, NULL, ov[0], ov[1], NULL);
    int len = snprintf(csv, sizeof csv, "time,cmt,amt,dur,ii,ss\n");
    double want = 0;
    if (cs % 4 == 0) { /* at steady state of D every ii at t0: A(0+) = D/(1 - e^{-k ii}) */
      double D = 1 + 499 * t_unif(&lq_rng), ii = 1 + 20 * t_unif(&lq_rng);
      len += snprintf(csv + len, sizeof csv - (size_t)len, "0,A1,%.17g,0,%.17g,1\n", D, ii);
      want += auc_1cmt(k, v, T, 0, D / (1 - exp(-k * ii)), 0);
    }
    int nd = 1 + (int)(4 * t_unif(&lq_rng));
    double st[4];
    for (int i = 0; i < nd; i++) /* dose times, sorted (a schedule's records are) */
      st[i] = T * t_unif(&lq_rng);
    qsort(st, (size_t)nd, sizeof *st, cmp_dbl);
    for (int i = 0; i < nd; i++) {
      double s = st[i], D = 1 + 499 * t_unif(&lq_rng),
             d = t_unif(&lq_rng) < 0.5 ? 0 : 5 * t_unif(&lq_rng);
      len += snprintf(csv + len, sizeof csv - (size_t)len, "%.17g,A1,%.17g,%.17g,0,0\n", s, D, d);
      want += auc_1cmt(k, v, T, s, D, d);
    }
    ims_schedule_t *sc = t_sched(m, csv);
    size_t nt = 2 + (size_t)(62 * t_unif(&lq_rng));
    double tout[64];
    tout[0] = 0; /* increasing random gaps from 0 to T */
    for (size_t i = 1; i < nt; i++)
      tout[i] = tout[i - 1] + 0.1 + t_unif(&lq_rng);
    for (size_t i = 1; i < nt; i++)
      tout[i] = i + 1 == nt ? T : tout[i] * (T / tout[nt - 1]);
    lastq_t r[2];
    for (int lazy = 0; lazy < 2; lazy++) {
      ims_opts_t o;
      t_tight(&o);
      o.quad = 1;
      o.quad_carry = cs % 2;
      o.quad_last_row = lazy;
      memset(&r[lazy], 0, sizeof r[lazy]);
      r[lazy].ns = ns, r[lazy].nq = nq, r[lazy].nt = nt;
      ims_observer_t obs = {.row = lastq_row, .ud = &r[lazy]};
      ims_sim_t *sim;
      ims_err_t err = {0};
      ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
      int rc = ims_sim_run(sim, p->value, sc, &o, tout, nt, &obs, &err);
      ims_sim_free(sim);
      ck_assert_msg(rc == 0, "case %d: %s", cs, err.msg);
      ck_assert_msg(r[lazy].nrow == nt && r[lazy].has_q, "case %d: rows %zu of %zu", cs,
                    r[lazy].nrow, nt);
    }
    ck_assert_msg(!r[1].early_q, "case %d: quadratures before the last row", cs);
    ck_assert_msg(memcmp(r[0].q, r[1].q, (size_t)nq * sizeof *r[0].q) == 0 &&
                      memcmp(r[0].y, r[1].y, nt * 4 * sizeof *r[0].y) == 0,
                  "case %d: the last row's integrals or the states differ", cs);
    double e = t_relerr(r[1].q[qc], want) / tol;
    worst = fmax(worst, e);
    ck_assert_msg(e <= 1, "case %d: AUC %.12g want %.12g (%s)", cs, r[1].q[qc], want, csv);
    ims_schedule_free(sc);
    ims_params_free(p);
  }
  printf("population: quadratures at the last row only: %d random runs, the same bits; AUC "
         "within %.2g of the closed-form tolerance\n",
         CASES, worst);
}
END_TEST

Suite *suite_population(void)
{
  Suite *s = suite_create("population");
  TCase *tc = tcase_create("population");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, draw_alone_equals_population);
  tcase_add_test(tc, threads_and_shards_bit_identical);
  tcase_add_test(tc, lognormal_moments);
  tcase_add_test(tc, normal_iiv_units);
  tcase_add_test(tc, covariance_block);
  tcase_add_test(tc, failed_subjects_excluded);
  tcase_add_test(tc, bands_accuracy);
  tcase_add_test(tc, blinatumomab_population_css);
  tcase_add_test(tc, metrics_agree_with_bands);
  tcase_add_test(tc, quad_last_row_same_bits);
  suite_add_tcase(s, tc);
  return s;
}
