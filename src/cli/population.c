#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli.h"

typedef struct pop_args {
  cli_run_args_t r;
  unsigned long long n, seed, first, last;
  int have_n, have_range, threads;
  const char *per_subject, *omega;
  double bands_mb;
} pop_args_t;

static const char pop_help[] =
    "usage: immunosim population MODEL -p PARAMS -s SCHEDULE -n N --seed K [options]\n"
    "\n"
    "Simulate N virtual subjects whose parameters vary as the parameter file's iiv and dist\n"
    "columns say (iiv: omega^2, or a CV like 30%; dist: lognormal (default), normal, fixed),\n"
    "and write percentile bands over time and, optionally, one row per subject.\n"
    "\n"
    "population\n"
    "  -n N                  population size; subjects are numbered 0 .. N-1\n"
    "  --seed K              64-bit seed (default 1); subject i's parameters depend only on\n"
    "                        (K, i), so threads and shards never change them\n"
    "  --subjects A:B        simulate only subjects A .. B-1 (0-based, half-open), e.g. shards\n"
    "                        0:500 and 500:1000; per-subject files of shards concatenate\n"
    "  --threads T           OpenMP threads (default 1; 0 = all cores); results are\n"
    "                        bit-identical for every T\n"
    "  --omega FILE          full covariance block: header name,P1,P2,..., one row per name\n"
    "                        (lower triangle or full matrix; omega^2 on the log scale)\n"
    "output\n"
    "  -o, --out FILE        percentile bands: time,<col>_p05,_p25,_p50,_p75,_p95 for every\n"
    "                        state and output (default stdout)\n"
    "  --per-subject FILE    one row per subject: subject,status,<varying parameters>, and per\n"
    "                        column cmax,tmax,auc (CVODES quadrature),last\n"
    "  --bands-mem MB        exact percentiles while all values fit in MB (default 64);\n"
    "                        beyond, a log-spaced histogram with relative accuracy 0.39 %\n"
    "  --units COL=UNIT      show a column (bands and metrics) in another unit\n"
    "times and solver: as 'immunosim run' (-t, --dt, --times, --rtol, --atol, --method, ...)\n"
    "\n"
    "A subject whose draw or solve fails is reported on stderr (subject, time, state),\n"
    "excluded from the bands, marked 'failed' in the per-subject file and counted; the run goes\n"
    "on.  A summary (subjects ok/failed, wall time, subjects/s) ends on stderr.\n"
    "\n"
    "example (blinatumomab, CL IIV 47.6 % CV, 1000 subjects on 2 threads):\n"
    "  immunosim population pk2cmt -p blinatumomab_clements2020 -s blinatumomab_cycle1 \\\n"
    "    -n 1000 --seed 2024 --threads 2 -t 28 --dt 0.25 --units C1=pg/mL \\\n"
    "    --per-subject blina_subjects.csv -o blina_bands.csv\n";

static int parse_u64(const char *opt, const char *s, unsigned long long *v)
{
  char *end;
  errno = 0;
  if (!*s || *s == '-') {
    cli_failf(IMS_EINPUT, "option %s: '%s' is not a non-negative integer", opt, s);
    return -1;
  }
  *v = strtoull(s, &end, 10);
  if (errno || *end) {
    cli_failf(IMS_EINPUT, "option %s: '%s' is not a non-negative integer", opt, s);
    return -1;
  }
  return 0;
}

static int parse(pop_args_t *a, int argc, char **argv)
{
  a->seed = 1;
  a->threads = 1;
  a->bands_mb = 64;
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      fputs(pop_help, stdout);
      return 1;
    }
    int r = cli_run_arg(&a->r, argc, argv, &i);
    if (r < 0)
      return -1;
    if (r == 1)
      continue;
    int has = i + 1 < argc;
    if (!strcmp(o, "-n") || !strcmp(o, "--seed") || !strcmp(o, "--threads") ||
        !strcmp(o, "--subjects") || !strcmp(o, "--per-subject") || !strcmp(o, "--omega") ||
        !strcmp(o, "--bands-mem")) {
      if (!has) {
        cli_failf(IMS_EINPUT, "option %s needs a value", o);
        return -1;
      }
      const char *v = argv[++i];
      unsigned long long u;
      if (!strcmp(o, "-n")) {
        if (parse_u64(o, v, &a->n))
          return -1;
        a->have_n = 1;
      } else if (!strcmp(o, "--seed")) {
        if (parse_u64(o, v, &a->seed))
          return -1;
      } else if (!strcmp(o, "--threads")) {
        if (parse_u64(o, v, &u))
          return -1;
        if (u > 1024) {
          cli_failf(IMS_EINPUT, "--threads %s: at most 1024", v);
          return -1;
        }
        a->threads = (int)u;
      } else if (!strcmp(o, "--subjects")) {
        const char *colon = strchr(v, ':');
        char lo[32];
        if (!colon || (size_t)(colon - v) >= sizeof lo) {
          cli_failf(IMS_EINPUT, "--subjects %s: expected A:B (0-based, B excluded)", v);
          return -1;
        }
        memcpy(lo, v, (size_t)(colon - v));
        lo[colon - v] = '\0';
        if (parse_u64(o, lo, &a->first) || parse_u64(o, colon + 1, &a->last))
          return -1;
        a->have_range = 1;
      } else if (!strcmp(o, "--per-subject")) {
        a->per_subject = v;
      } else if (!strcmp(o, "--omega")) {
        a->omega = v;
      } else {
        char *end;
        a->bands_mb = strtod(v, &end);
        if (*end || !(a->bands_mb >= 0) || a->bands_mb > 1e6) {
          cli_failf(IMS_EINPUT, "--bands-mem %s: expected megabytes >= 0", v);
          return -1;
        }
      }
      continue;
    }
    if (o[0] == '-' && o[1]) {
      cli_failf(IMS_EINPUT, "population: unknown option '%s'; see 'immunosim population --help'",
                o);
      return -1;
    }
    if (a->r.model) {
      cli_failf(IMS_EINPUT, "population: unexpected argument '%s'", o);
      return -1;
    }
    a->r.model = o;
  }
  if (!a->r.model) {
    cli_failf(IMS_EINPUT, "population: which model? e.g. 'immunosim population pk2cmt -n 100'");
    return -1;
  }
  if (!a->have_n || a->n == 0) {
    cli_failf(IMS_EINPUT, "population: -n N (the population size, > 0) is required");
    return -1;
  }
  if (!a->have_range) {
    a->first = 0;
    a->last = a->n;
  }
  if (a->first >= a->last || a->last > a->n) {
    cli_failf(IMS_EINPUT, "--subjects %llu:%llu: need 0 <= A < B <= N (N = %llu)", a->first,
              a->last, a->n);
    return -1;
  }
  if (a->r.rules) {
    cli_failf(IMS_EINPUT, "population: rules (-r) are not supported yet");
    return -1;
  }
#ifdef _OPENMP
  if (a->threads == 0)
    a->threads = omp_get_num_procs();
#else
  a->threads = 1;
#endif
  return 0;
}

/* Per-subject file writer: one preallocated line buffer. */
typedef struct writer {
  ims_output_t *out;
  const cli_setup_t *s;
  const ims_pop_t *pop;
  char *line;
  size_t cap;
  double span; /* tend - t0, for AUC offsets */
} writer_t;

static void put(writer_t *w, size_t *len, const char *fmt, double v)
{
  int k = snprintf(w->line + *len, w->cap - *len, fmt, v);
  if (k > 0)
    *len += (size_t)k < w->cap - *len ? (size_t)k : w->cap - *len - 1;
}

static int on_subject(void *ud, const ims_pop_subject_t *su)
{
  writer_t *w = ud;
  const cli_setup_t *s = w->s;
  if (su->status)
    fprintf(stderr, "immunosim: subject %llu failed and is excluded: %s\n",
            (unsigned long long)su->id, su->msg);
  if (!w->out)
    return 0;
  size_t len = (size_t)snprintf(w->line, w->cap, "%llu,%s", (unsigned long long)su->id,
                                su->status ? "failed" : "ok");
  int nv = ims_pop_nvar(w->pop);
  for (int k = 0; k < nv; k++)
    put(w, &len, ",%.10g", su->p[ims_pop_var_index(w->pop, k)]);
  int nc = s->m->nstates + s->m->noutputs;
  for (int c = 0; c < nc; c++) {
    double sc = s->colscale[1 + c], off = s->coloffset[1 + c];
    for (int k = 0; k < IMS_PM_N; k++) {
      if (su->status || !su->metrics) {
        len += (size_t)snprintf(w->line + len, w->cap - len, ",");
        continue;
      }
      double v = su->metrics[(size_t)c * IMS_PM_N + (size_t)k];
      if (k == IMS_PM_CMAX || k == IMS_PM_LAST)
        v = sc * v + off;
      else if (k == IMS_PM_AUC)
        v = sc * v + off * w->span;
      put(w, &len, ",%.10g", v);
    }
  }
  return ims_output_line(w->out, "%s", w->line) ? IMS_EIO : 0;
}

static void write_pop_meta(ims_output_t *o, const cli_setup_t *s, const pop_args_t *a,
                           const ims_pop_t *pop)
{
  cli_write_meta(o, s, &a->r);
  ims_output_comment(o,
                     "population: N=%llu seed=%llu subjects %llu:%llu (0-based, end "
                     "excluded); sampling: splitmix64 key -> gsl taus2 -> ziggurat normals "
                     "(README, Virtual populations)",
                     a->n, a->seed, a->first, a->last);
  if (a->omega)
    ims_output_comment(o, "omega: %s", a->omega);
  int nv = ims_pop_nvar(pop);
  const ims_model_t *m = s->m;
  for (int k = 0; k < nv; k++) {
    int i = ims_pop_var_index(pop, k);
    char nb[160];
    if (i < m->nparams)
      snprintf(nb, sizeof nb, "%s", m->params[i].name);
    else
      snprintf(nb, sizeof nb, "%s_0", m->states[i - m->nparams].name);
    ims_output_comment(o, "iiv: %s %s typical=%.10g omega2=%.6g", nb,
                       ims_pop_var_dist(pop, k) == IMS_DIST_NORMAL ? "normal" : "lognormal",
                       s->params->value[i], ims_pop_omega(pop, k, k));
  }
}

static int open_per_subject(writer_t *w, const cli_setup_t *s, const pop_args_t *a,
                            const ims_pop_t *pop, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  int nv = ims_pop_nvar(pop), nc = m->nstates + m->noutputs;
  int nf = 2 + nv + nc * IMS_PM_N;
  w->cap = (size_t)nf * 40 + 64;
  w->line = malloc(w->cap);
  const char **names = calloc((size_t)nf, sizeof *names);
  const char **units = calloc((size_t)nf, sizeof *units);
  char *store = calloc((size_t)nf, 256);
  if (!w->line || !names || !units || !store) {
    free(names);
    free(units);
    free(store);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  int rc = ims_output_open(&w->out, a->per_subject, IMS_FMT_CSV, err);
  if (!rc) {
    write_pop_meta(w->out, s, a, pop);
    int f = 0;
    names[f] = "subject", units[f++] = "1";
    names[f] = "status", units[f++] = "-";
    for (int k = 0; k < nv; k++) {
      int i = ims_pop_var_index(pop, k);
      char *nm = store + (size_t)f * 256;
      if (i < m->nparams) {
        snprintf(nm, 256, "%s", m->params[i].name);
        units[f] = m->params[i].unit;
      } else {
        snprintf(nm, 256, "%s_0", m->states[i - m->nparams].name);
        units[f] = m->states[i - m->nparams].unit;
      }
      names[f++] = nm;
    }
    for (int c = 0; c < nc; c++) {
      const char *cn = s->colnames[1 + c], *cu = s->colunits[1 + c];
      for (int k = 0; k < IMS_PM_N; k++) {
        char *nm = store + (size_t)f * 256;
        snprintf(nm, 128, "%s_%s", cn, ims_pm_names[k]);
        char *un = nm + 128;
        if (k == IMS_PM_TMAX)
          snprintf(un, 128, "%s", m->time_unit);
        else if (k == IMS_PM_AUC)
          snprintf(un, 128, "(%s)*%s", cu, m->time_unit);
        else
          snprintf(un, 128, "%s", cu);
        names[f] = nm;
        units[f++] = un;
      }
    }
    ims_output_header(w->out, nf, names, units);
  }
  free(names);
  free(units);
  free(store);
  return rc;
}

static int write_bands(ims_bands_t *b, const cli_setup_t *s, const pop_args_t *a,
                       const ims_pop_t *pop, uint64_t nok, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  int nc = m->nstates + m->noutputs, nf = 1 + nc * IMS_BANDS_NP;
  const char **names = calloc((size_t)nf, sizeof *names);
  const char **units = calloc((size_t)nf, sizeof *units);
  char *store = calloc((size_t)nf, 128);
  double *row = calloc((size_t)nf, sizeof *row);
  ims_output_t *o = NULL;
  int rc = (!names || !units || !store || !row)
               ? ims_err_set(err, IMS_ENOMEM, "out of memory")
               : ims_output_open(&o, a->r.out,
                                 strcmp(a->r.format, "tsv") ? IMS_FMT_CSV : IMS_FMT_TSV, err);
  if (!rc) {
    write_pop_meta(o, s, a, pop);
    if (ims_bands_exact(b))
      ims_output_comment(o,
                         "bands: exact percentiles (type 7, linear between order statistics) "
                         "over %llu subjects",
                         (unsigned long long)nok);
    else
      ims_output_comment(o,
                         "bands: percentiles (type 7) over %llu subjects from a log-spaced "
                         "histogram; relative accuracy 2^-%d = %.2f %%",
                         (unsigned long long)nok, IMS_BANDS_MANTISSA_BITS,
                         100.0 / (1 << IMS_BANDS_MANTISSA_BITS));
    names[0] = "time";
    units[0] = m->time_unit;
    for (int c = 0; c < nc; c++)
      for (int k = 0; k < IMS_BANDS_NP; k++) {
        int f = 1 + c * IMS_BANDS_NP + k;
        char *nm = store + (size_t)f * 128;
        snprintf(nm, 128, "%s%s", s->colnames[1 + c], ims_bands_suffix[k]);
        names[f] = nm;
        units[f] = s->colunits[1 + c];
      }
    ims_output_header(o, nf, names, units);
    for (size_t it = 0; it < s->ntout && !rc; it++) {
      row[0] = s->tout[it];
      for (int c = 0; c < nc; c++)
        for (int k = 0; k < IMS_BANDS_NP; k++) {
          double q = ims_bands_quantile(b, it * (size_t)nc + (size_t)c, ims_bands_p[k]);
          row[1 + c * IMS_BANDS_NP + k] = s->colscale[1 + c] * q + s->coloffset[1 + c];
        }
      if (ims_output_row(o, row, nf))
        rc = ims_err_set(err, IMS_EIO, "%s: cannot write", a->r.out);
    }
    if (rc)
      ims_output_abort(o);
    else
      rc = ims_output_commit(o, err);
  }
  free(names);
  free(units);
  free(store);
  free(row);
  return rc;
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int simulate(cli_setup_t *s, const pop_args_t *a, ims_err_t *err)
{
  ims_pop_t *pop = NULL;
  ims_bands_t *bands = NULL;
  writer_t w = {0};
  int rc = ims_pop_alloc(&pop, s->params, err);
  if (!rc && a->omega) {
    char path[4096];
    cli_resolve(path, sizeof path, a->omega, s->m->name);
    rc = ims_pop_read_omega(pop, path, err);
  }
  if (!rc && strcmp(a->r.format, "csv") && strcmp(a->r.format, "tsv"))
    rc = ims_err_set(err, IMS_EINPUT, "--format takes csv or tsv, not '%s'", a->r.format);
  uint64_t nsub = a->last - a->first;
  int nc = s->m->nstates + s->m->noutputs;
  if (!rc)
    rc =
        ims_bands_alloc(&bands, s->ntout, nc, (size_t)nsub, (size_t)(a->bands_mb * 1048576.0), err);
  w.s = s;
  w.pop = pop;
  w.span = s->tout[s->ntout - 1] - a->r.t0;
  if (!rc && a->per_subject)
    rc = open_per_subject(&w, s, a, pop, err);
  ims_pop_summary_t sum = {0};
  double t0 = now();
  if (!rc) {
    ims_pop_run_t run = {.seed = a->seed,
                         .first = a->first,
                         .last = a->last,
                         .threads = a->threads,
                         .no_metrics = a->per_subject == NULL,
                         .bands = bands,
                         .subject = on_subject,
                         .ud = &w};
    rc = ims_pop_simulate(pop, s->sched, &s->opts, s->tout, s->ntout, &run, &sum, err);
  }
  double wall = now() - t0;
  if (w.out) {
    if (rc)
      ims_output_abort(w.out);
    else
      rc = ims_output_commit(w.out, err);
  }
  if (!rc)
    rc = write_bands(bands, s, a, pop, sum.ok, err);
  if (!rc) {
    fprintf(stderr,
            "population: %llu subjects (%llu:%llu of %llu), %llu ok, %llu failed (excluded), "
            "%d thread%s, wall %.3f s, %.1f subjects/s; bands %s, %.1f MB\n",
            (unsigned long long)nsub, a->first, a->last, a->n, (unsigned long long)sum.ok,
            (unsigned long long)sum.failed, a->threads, a->threads == 1 ? "" : "s", wall,
            wall > 0 ? (double)nsub / wall : 0.0, ims_bands_exact(bands) ? "exact" : "histogram",
            (double)ims_bands_bytes(bands) / 1048576.0);
    if (a->r.stats)
      fprintf(stderr,
              "steps %ld, rhs evals %ld, jac evals %ld, restarts %ld (summed over "
              "subjects)\n",
              sum.stats.steps, sum.stats.rhs_evals, sum.stats.jac_evals, sum.stats.restarts);
    if (sum.ok == 0)
      rc = ims_err_set(err, IMS_ESOLVER, "every subject failed");
  }
  free(w.line);
  ims_bands_free(bands);
  ims_pop_free(pop);
  return rc;
}

int cmd_population(int argc, char **argv)
{
  pop_args_t a;
  memset(&a, 0, sizeof a);
  cli_run_args_init(&a.r);
  int p = parse(&a, argc, argv);
  if (p)
    return p > 0 ? 0 : 1;
  cli_setup_t s;
  ims_err_t err = {0};
  int rc = cli_setup(&s, &a.r, 0, &err);
  rc = rc ? rc : simulate(&s, &a, &err);
  cli_setup_free(&s);
  return rc ? cli_fail(rc, &err) : 0;
}
