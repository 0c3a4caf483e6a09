/* Benchmark engines on the C side: immunosim itself (the library driver)
 * and the floor, a bare CVODE loop over the same model right-hand side and
 * Jacobian with nothing else.  The peers (deSolve, SciPy) read the same
 * population and dose events written by `bench prep`.
 *
 *   bench prep MODEL PARAMS SCHEDULE N SEED CV PAR1,PAR2,... DIR
 *   bench run ENGINE DIR RTOL ATOL NSUBJ K REPEATS TEND
 *
 * ENGINE is ims-bdf, ims-adams, ims-2t (two threads), bare, or bare-tuned (the
 * bare loop with immunosim's vector kernels, src/nvec.c).  `run` prints one CSV line
 * engine,rtol,seconds_per_subject,rhs_per_subject,steps_per_subject and
 * writes DIR/traj_ENGINE_RTOL.csv (subject,time,states) for the first K
 * subjects. */
#include "immunosim/immunosim.h"
#include "nvec.h"

#include <cvodes/cvodes.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <time.h>

#define MAXV 256

static void die(const char *what, const ims_err_t *err)
{
  fprintf(stderr, "bench: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
  exit(1);
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *value_name(const ims_model_t *m, int k, char *buf, size_t n)
{
  if (k < m->nparams)
    return m->params[k].name;
  snprintf(buf, n, "%s_0", m->states[k - m->nparams].name);
  return buf;
}

/* ---- prep: population and events ------------------------------------ */

static int cmd_prep(char **av)
{
  const ims_model_t *m; /* a built-in name or a model file */
  ims_err_t oerr;
  if (ims_model_open(&m, av[0], NULL, &oerr))
    die("unknown model", &oerr);
  long n = atol(av[3]);
  unsigned long seed = strtoul(av[4], NULL, 10);
  double cv = atof(av[5]), om = sqrt(log(1 + cv * cv));
  ims_units_t *u;
  ims_params_t *p;
  ims_schedule_t *s;
  ims_err_t err;
  if (ims_units_alloc(&u, &err) || ims_params_alloc(&p, m, &err) ||
      ims_params_read(p, u, av[1], &err) || ims_params_finish(p, &err) ||
      ims_schedule_alloc(&s, &err) || ims_schedule_read(s, m, u, av[2], &err))
    die("loading inputs", &err);
  int vary[MAXV], nv = 0;
  char list[1024], nb[160];
  snprintf(list, sizeof list, "%s", av[6]);
  for (char *sv = NULL, *t = strtok_r(list, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
    if ((vary[nv++] = ims_model_param_index(m, t)) < 0)
      die("unknown parameter to vary", NULL);
  char path[4096];
  snprintf(path, sizeof path, "%s/pop.csv", av[7]);
  FILE *fp = fopen(path, "w");
  if (!fp)
    die("cannot write pop.csv", NULL);
  int nval = ims_model_nvalues(m);
  fprintf(fp, "id");
  for (int k = 0; k < nval; k++)
    fprintf(fp, ",%s", value_name(m, k, nb, sizeof nb));
  fputc('\n', fp);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  for (long i = 0; i < n; i++) {
    double v[MAXV];
    memcpy(v, p->value, (size_t)nval * sizeof *v);
    for (int j = 0; j < nv; j++)
      v[vary[j]] *= exp(gsl_ran_gaussian(r, om));
    fprintf(fp, "%ld", i);
    for (int k = 0; k < nval; k++)
      fprintf(fp, ",%.17g", v[k]);
    fputc('\n', fp);
  }
  fclose(fp);
  gsl_rng_free(r);
  ims_event_t *ev;
  long nev;
  if (ims_schedule_expand(s, &ev, &nev, &err))
    die("expanding the schedule", &err);
  snprintf(path, sizeof path, "%s/events.csv", av[7]);
  fp = fopen(path, "w");
  if (!fp)
    die("cannot write events.csv", NULL);
  fprintf(fp, "time,cmt,kind,value\n"); /* cmt is 0-based; kind 0 off, 1 bolus, 2 on */
  for (long i = 0; i < nev; i++)
    fprintf(fp, "%.17g,%d,%d,%.17g\n", ev[i].time, ev[i].cmt, ev[i].kind, ev[i].value);
  fclose(fp);
  snprintf(path, sizeof path, "%s/states.csv", av[7]);
  fp = fopen(path, "w");
  for (int i = 0; fp && i < m->nstates; i++)
    fprintf(fp, "%s\n", m->states[i].name);
  if (fp)
    fclose(fp);
  free(ev);
  ims_schedule_free(s);
  ims_params_free(p);
  ims_units_free(u);
  return 0;
}

/* ---- shared run state ----------------------------------------------- */

typedef struct bench {
  const ims_model_t *m;
  int nval, nsubj;
  double *pop; /* nsubj * nval */
  ims_event_t *ev;
  long nev;
  double *tout;
  size_t nt;
  FILE *traj;
  int k, hash;
  int tuned; /* bare-tuned: immunosim's vector kernels (src/nvec.c) in the bare loop */
  long rhs, steps;
  uint64_t h;
} bench_t;

static void load_pop(bench_t *b, const char *dir, int nsubj)
{
  char path[4096], line[1 << 16];
  snprintf(path, sizeof path, "%s/pop.csv", dir);
  FILE *fp = fopen(path, "r");
  if (!fp || !fgets(line, sizeof line, fp))
    die("cannot read pop.csv", NULL);
  char *name = strtok(line, ",\n"); /* id */
  name = strtok(NULL, ",\n");
  b->m = NULL;
  b->pop = malloc((size_t)nsubj * (size_t)b->nval * sizeof *b->pop);
  int i = 0;
  while (i < nsubj && fgets(line, sizeof line, fp)) {
    char *t = strtok(line, ",");
    for (int k = 0; k < b->nval; k++) {
      t = strtok(NULL, ",\n");
      if (!t)
        die("short row in pop.csv", NULL);
      b->pop[(size_t)i * (size_t)b->nval + (size_t)k] = strtod(t, NULL);
    }
    i++;
  }
  (void)name;
  b->nsubj = i;
  fclose(fp);
  snprintf(path, sizeof path, "%s/events.csv", dir);
  fp = fopen(path, "r");
  if (!fp || !fgets(line, sizeof line, fp))
    die("cannot read events.csv", NULL);
  b->ev = NULL;
  b->nev = 0;
  long cap = 0;
  ims_event_t e = {0};
  while (fscanf(fp, "%lf,%d,%d,%lf", &e.time, &e.cmt, &e.kind, &e.value) == 4) {
    if (b->nev == cap) {
      cap = cap ? 2 * cap : 64;
      b->ev = realloc(b->ev, (size_t)cap * sizeof *b->ev);
    }
    b->ev[b->nev++] = e;
  }
  fclose(fp);
}

static void traj_row(bench_t *b, int subj, double t, const double *y)
{
  if (!b->traj || subj >= b->k)
    return;
  fprintf(b->traj, "%d,%.10g", subj, t);
  for (int i = 0; i < b->m->nstates; i++)
    fprintf(b->traj, ",%.17g", y[i]);
  fputc('\n', b->traj);
}

/* ---- engine 1: immunosim ---------------------------------------------- */

typedef struct ims_ud {
  bench_t *b;
  int subj;
  uint64_t h;
} ims_ud_t;

/* FNV-1a over every output value: proves thread counts change nothing. */
static uint64_t fnv(uint64_t h, const double *v, int n)
{
  const unsigned char *c = (const unsigned char *)v;
  for (size_t i = 0; i < (size_t)n * sizeof *v; i++)
    h = (h ^ c[i]) * 1099511628211ull;
  return h;
}

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)out, (void)q;
  ims_ud_t *u = ud;
  if (u->b->hash)
    u->h = fnv(u->h, y, u->b->m->nstates);
  traj_row(u->b, u->subj, t, y);
  return 0;
}

/* Subjects over `threads` OpenMP threads, one workspace each, as the
 * population engine does; per-subject hashes combine in subject order. */
__attribute__((noinline)) static void run_ims(bench_t *b, const ims_schedule_t *s,
                                              const ims_opts_t *o, int threads)
{
  uint64_t *hs = calloc((size_t)b->nsubj, sizeof *hs);
  long rhs = 0, steps = 0;
  int failed = 0;
#pragma omp parallel num_threads(threads) reduction(+ : rhs, steps, failed)
  {
    ims_err_t err;
    ims_sim_t *sim;
    if (ims_sim_alloc(&sim, b->m, &err))
      failed++;
    ims_ud_t u = {b, 0, 0};
    ims_observer_t obs = {.row = on_row, .ud = &u};
#pragma omp for schedule(dynamic, 8)
    for (int i = 0; i < b->nsubj; i++) {
      u.subj = i;
      u.h = 1469598103934665603ull;
      if (ims_sim_run(sim, b->pop + (size_t)i * (size_t)b->nval, s, o, b->tout, b->nt, &obs,
                      &err)) {
#pragma omp critical
        fprintf(stderr, "bench: subject %d: %s\n", i, err.msg);
        failed++;
      }
      hs[i] = u.h;
      rhs += ims_sim_stats(sim)->rhs_evals;
      steps += ims_sim_stats(sim)->steps;
    }
    ims_sim_free(sim);
  }
  if (failed)
    die("immunosim run failed", NULL);
  b->rhs += rhs;
  b->steps += steps;
  b->h = fnv(1469598103934665603ull, (const double *)hs, b->nsubj);
  free(hs);
}

/* ---- engine 2: the floor, a bare CVODE loop ---------------------------- */

typedef struct bare {
  const ims_model_t *m;
  ims_ctx_t ctx;
  double *rate, *jb;
  int ndose[MAXV];
} bare_t;

static int bare_rhs(sunrealtype t, N_Vector y, N_Vector yd, void *ud)
{
  bare_t *b = ud;
  double *d = NV_DATA_S(yd);
  int rc = b->m->rhs(t, NV_DATA_S(y), d, &b->ctx);
  for (int i = 0; i < b->m->nstates; i++)
    d[i] += b->rate[i];
  return rc;
}

static int bare_jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                    N_Vector t2, N_Vector t3)
{
  (void)fy, (void)t1, (void)t2, (void)t3;
  bare_t *b = ud;
  int n = b->m->nstates;
  memset(b->jb, 0, (size_t)(n * n) * sizeof *b->jb);
  int rc = b->m->jac(t, NV_DATA_S(y), b->jb, &b->ctx);
  for (int j = 0; j < n; j++)
    for (int i = 0; i < n; i++)
      SM_ELEMENT_D(J, i, j) = b->jb[i * n + j];
  return rc;
}

static void bare_count(bench_t *b, void *cv)
{
  long v;
  CVodeGetNumRhsEvals(cv, &v);
  b->rhs += v;
  CVodeGetNumLinRhsEvals(cv, &v);
  b->rhs += v;
  CVodeGetNumSteps(cv, &v);
  b->steps += v;
}

static void bare_subject(bench_t *b, bare_t *w, void *cv, N_Vector y, int subj, double t0)
{
  const ims_model_t *m = b->m;
  double *yy = NV_DATA_S(y), t = t0, tret;
  w->ctx.p = b->pop + (size_t)subj * (size_t)b->nval;
  memcpy(yy, w->ctx.p + m->nparams, (size_t)m->nstates * sizeof *yy);
  if (m->init)
    m->init(w->ctx.p, yy);
  memset(w->rate, 0, (size_t)m->nstates * sizeof *w->rate);
  CVodeReInit(cv, t0, y);
  long ie = 0;
  size_t io = 0;
  while (io < b->nt) {
    int changed = 0;
    for (; ie < b->nev && b->ev[ie].time <= t; ie++, changed = 1) {
      const ims_event_t *e = &b->ev[ie];
      if (e->kind == IMS_EV_BOLUS)
        yy[e->cmt] += e->value;
      else
        w->rate[e->cmt] += e->kind == IMS_EV_INF_ON ? e->value : -e->value;
    }
    if (changed) {
      bare_count(b, cv); /* CVODE's counters restart at CVodeReInit */
      CVodeReInit(cv, t, y);
    }
    for (; io < b->nt && b->tout[io] <= t; io++)
      traj_row(b, subj, b->tout[io], yy);
    if (io >= b->nt)
      break;
    double td =
        ie < b->nev && b->ev[ie].time < b->tout[b->nt - 1] ? b->ev[ie].time : b->tout[b->nt - 1];
    CVodeSetStopTime(cv, td);
    for (; io < b->nt && b->tout[io] < td; io++) {
      if (CVode(cv, b->tout[io], y, &tret, CV_NORMAL) < 0)
        die("bare CVODE failed", NULL);
      traj_row(b, subj, b->tout[io], yy);
    }
    if (CVode(cv, td, y, &tret, CV_NORMAL) < 0)
      die("bare CVODE failed", NULL);
    t = td;
  }
  bare_count(b, cv);
}

__attribute__((noinline)) static void run_bare(bench_t *b, double rtol, double atol)
{
  SUNContext sun;
  SUNContext_Create(NULL, &sun);
  int n = b->m->nstates;
  bare_t w = {.m = b->m};
  w.rate = calloc((size_t)n, sizeof *w.rate);
  w.jb = calloc((size_t)(n * n), sizeof *w.jb);
  w.ctx.ndose = w.ndose;
  N_Vector y = N_VNew_Serial(n, sun);
  N_VEnableFusedOps_Serial(y, SUNTRUE); /* as the driver does */
  if (b->tuned)
    ims__nvec_tune(y);
  N_VConst(0.0, y);
  SUNMatrix A = SUNDenseMatrix(n, n, sun);
  SUNLinearSolver LS = SUNLinSol_Dense(y, A, sun);
  void *cv = CVodeCreate(CV_BDF, sun);
  CVodeInit(cv, bare_rhs, 0.0, y);
  CVodeSetUserData(cv, &w);
  CVodeSStolerances(cv, rtol, atol);
  CVodeSetLinearSolver(cv, LS, A);
  CVodeSetJacFn(cv, bare_jac);
  CVodeSetMaxNumSteps(cv, 50000);
  for (int i = 0; i < b->nsubj; i++)
    bare_subject(b, &w, cv, y, i, 0.0);
  CVodeFree(&cv);
  SUNLinSolFree(LS);
  SUNMatDestroy(A);
  N_VDestroy(y);
  free(w.rate);
  free(w.jb);
  SUNContext_Free(&sun);
}

/* ---- run ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static ims_schedule_t *schedule_from_events(const bench_t *b)
{
  /* immunosim reads the same expanded events, as boluses and rate records */
  ims_schedule_t *s;
  ims_err_t err;
  if (ims_schedule_alloc(&s, &err))
    die("schedule", &err);
  for (long i = 0; i < b->nev; i++) {
    const ims_event_t *e = &b->ev[i];
    if (e->kind == IMS_EV_INF_OFF)
      continue;
    ims_record_t r = {.time = e->time, .cmt = e->cmt, .amt = e->value, .f = 1};
    if (e->kind == IMS_EV_INF_ON) { /* find its end */
      long j = i + 1;
      while (j < b->nev && !(b->ev[j].kind == IMS_EV_INF_OFF && b->ev[j].cmt == e->cmt))
        j++;
      if (j == b->nev)
        die("infusion without an end", NULL);
      r.rate = e->value;
      r.amt = e->value * (b->ev[j].time - e->time);
    }
    if (ims_schedule_add(s, &r, &err))
      die("schedule", &err);
  }
  return s;
}

static int cmd_run(char **av)
{
  const char *engine = av[0], *dir = av[1];
  double rtol = atof(av[2]), atol = atof(av[3]), tend = atof(av[7]);
  int nsubj = atoi(av[4]), reps = atoi(av[6]);
  bench_t b = {0};
  char path[4096], line[256];
  snprintf(path, sizeof path, "%s/model", dir);
  FILE *fp = fopen(path, "r");
  if (!fp || !fgets(line, sizeof line, fp))
    die("cannot read DIR/model", NULL);
  fclose(fp);
  line[strcspn(line, "\n")] = '\0';
  ims_err_t oerr;
  if (ims_model_open(&b.m, line, NULL, &oerr))
    die("unknown model in DIR/model", &oerr);
  const ims_model_t *m = b.m;
  b.nval = ims_model_nvalues(m);
  load_pop(&b, dir, nsubj);
  b.m = m;
  ims_err_t err;
  if (ims_grid_uniform(0, tend, 1.0, &b.tout, &b.nt, &err))
    die("grid", &err);
  ims_schedule_t *s = schedule_from_events(&b);
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = rtol;
  o.atol = atol;
  o.method = strcmp(engine, "ims-adams") == 0 ? IMS_ADAMS : IMS_BDF;
  if (rtol < 1e-10) /* the tight reference may need many steps between outputs */
    o.max_steps = 2000000;
  if (getenv("BENCH_H0")) /* first step after each restart (restart-cost study) */
    o.init_step = atof(getenv("BENCH_H0"));
  double *times = malloc((size_t)reps * sizeof *times);
  uint64_t h0 = 0;
  for (int r = 0; r < reps; r++) {
    b.k = r == 0 && strcmp(engine, "ims-2t") ? atoi(av[5]) : 0;
    b.hash = r == 0 && strncmp(engine, "ims", 3) == 0 && getenv("BENCH_HASH");
    b.traj = NULL;
    if (b.k) {
      snprintf(path, sizeof path, "%s/traj_%s_%s.csv", dir, engine, av[2]);
      b.traj = fopen(path, "w");
    }
    b.rhs = b.steps = 0;
    double t0 = now();
    b.tuned = !strcmp(engine, "bare-tuned");
    if (!strncmp(engine, "bare", 4))
      run_bare(&b, rtol, atol);
    else
      run_ims(&b, s, &o, strcmp(engine, "ims-2t") ? 1 : 2);
    times[r] = (now() - t0) / b.nsubj;
    if (r == 0)
      h0 = b.h;
    if (b.traj)
      fclose(b.traj);
  }
  qsort(times, (size_t)reps, sizeof *times, cmp_double);
  printf("%s,%s,%.6g,%.1f,%.1f\n", engine, av[2], times[reps / 2], (double)b.rhs / b.nsubj,
         (double)b.steps / b.nsubj);
  if (strncmp(engine, "ims", 3) == 0 && getenv("BENCH_HASH"))
    fprintf(stderr, "%s output hash %016llx\n", engine, (unsigned long long)h0);
  free(times);
  ims_schedule_free(s);
  free(b.pop);
  free(b.ev);
  free(b.tout);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc == 10 && !strcmp(argv[1], "prep"))
    return cmd_prep(argv + 2);
  if (argc == 10 && !strcmp(argv[1], "run"))
    return cmd_run(argv + 2);
  fprintf(stderr, "usage: bench prep MODEL PARAMS SCHEDULE N SEED CV PARS DIR\n"
                  "       bench run ENGINE DIR RTOL ATOL NSUBJ K REPEATS TEND\n");
  return 1;
}
