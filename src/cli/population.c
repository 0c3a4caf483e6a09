/* immunosim population: a virtual population (ims_popsim_*). */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static void on_failed(void *ud, uint64_t id, const char *msg)
{
  (void)ud;
  cli_progress_clear();
  fprintf(stderr, "immunosim: subject %llu failed and is excluded: %s\n", (unsigned long long)id,
          msg);
}

/* --subjects A:B */
static int subjects(const char *v, uint64_t *first, uint64_t *last, ims_err_t *err)
{
  unsigned long long a, b;
  char tail;
  if (!v)
    return IMS_OK;
  if (v[0] < '0' || v[0] > '9' || sscanf(v, "%llu:%llu%c", &a, &b, &tail) != 2 || !strchr(v, ':') ||
      strchr(v, '-') || strchr(v, '+') || strchr(v, ' '))
    return ims_err_set(err, IMS_EINPUT, "--subjects %s: expected A:B (0-based, B excluded)", v);
  *first = a;
  *last = b;
  if (a >= b)
    return ims_err_set(err, IMS_EINPUT, "--subjects %s: need A < B", v);
  return IMS_OK;
}

static void summary(const ims_popsim_spec_t *sp, const ims_popsim_summary_t *sum, int stats)
{
  uint64_t n = sp->last - sp->first;
  char ranks[32] = "", acc[96] = "";
  if (sum->ranks > 1)
    snprintf(ranks, sizeof ranks, ", %d ranks", sum->ranks);
  if (!sum->exact)
    snprintf(acc, sizeof acc, " (at most %.1f MB whatever N), accuracy %.2f %%", sum->bound_mb,
             100.0 / (1 << (IMS_BANDS_MANTISSA_BITS - sum->level)));
  fprintf(stderr,
          "population: %llu subjects (%llu:%llu of %llu), %llu ok, %llu failed (excluded), "
          "%d thread%s%s, wall %.3f s, %.1f subjects/s; bands %s, %.1f MB%s\n",
          (unsigned long long)n, (unsigned long long)sp->first, (unsigned long long)sp->last,
          (unsigned long long)sp->n, (unsigned long long)sum->ok, (unsigned long long)sum->failed,
          sp->threads, sp->threads == 1 ? "" : "s", ranks, sum->wall,
          sum->wall > 0 ? (double)n / sum->wall : 0.0, sum->exact ? "exact" : "histogram", sum->mb,
          acc);
  if (stats)
    fprintf(stderr,
            "steps %ld, rhs evals %ld, jac evals %ld, restarts %ld (summed over subjects)\n",
            sum->stats.steps, sum->stats.rhs_evals, sum->stats.jac_evals, sum->stats.restarts);
}

int cmd_population(int argc, char **argv)
{
  cli_ctx_t x;
  int code, b = cli_begin(&x, "population", argc, argv, &code);
  if (b > 0)
    return code;
  if (b < 0) /* the ranks learn it together (a model file may be missing on one node only) */
    return cli_par_failed(&x, code);
  const cli_args_t *a = &x.a;
  ims_popsim_t *ps = NULL;
  ims_output_t *bands = NULL, *subj = NULL;
  const char *out = cli_str(a, OPT_OUT, "-"), *per = cli_str(a, OPT_PER_SUBJECT, NULL);
  int shard = cli_flag(a, OPT_SUBJECTS), root = cli_rank() == 0;
  ims_popsim_spec_t spec = {
      .n = cli_u64(a, OPT_N, 0),
      .seed = cli_u64(a, OPT_SEED, 1),
      .shard = shard,
      .threads = (int)cli_num(a, OPT_THREADS, 1),
      .omega = cli_str(a, OPT_OMEGA, NULL),
      .covariates = cli_str(a, OPT_COVARIATES, NULL),
      .covariates_mode = !strcmp(cli_str(a, OPT_COVARIATES_MODE, "rows"), "sample") ? IMS_COV_SAMPLE
                                                                                    : IMS_COV_ROWS,
      .bands_mb = cli_num(a, OPT_BANDS_MEM, 64),
      .cols = cli_str(a, OPT_COLS, NULL),
      .tsv = (x.ra.format & 0xff) == IMS_FMT_TSV,
      .no_metadata = (x.ra.format & IMS_OUT_NO_META) != 0,
      .par = cli_par(),
      .write_bands = 1,
      .write_per_subject = per != NULL,
      .progress = cli_progress,
      .failed = on_failed};
#ifdef _OPENMP
  if (spec.threads == 0)
    spec.threads = omp_get_num_procs();
#else
  spec.threads = 1;
#endif
  int rc = IMS_OK;
  if (!cli_flag(a, OPT_N))
    rc = ims_err_set(&x.err, IMS_EINPUT, "population: -n N (the population size, > 0) is required");
  rc = rc ? rc : subjects(cli_str(a, OPT_SUBJECTS, NULL), &spec.first, &spec.last, &x.err);
  if (!rc && !shard)
    spec.last = spec.n;
  rc = rc ? rc : cli_load_run(&x);
  rc = rc ? rc : ims_popsim_alloc(&ps, x.r, &spec, &x.err);
  /* covariate tables and per-ID schedules make subjects differ without any iiv */
  if (!rc && root && ims_popsim_nvar(ps) == 0 && !spec.covariates && x.r->sched->nid == 0 &&
      isatty(STDERR_FILENO))
    cli_notef("no parameter has an iiv (the -p files' iiv column, or --omega): all %llu subjects "
              "are identical",
              (unsigned long long)spec.n);
  /* rank 0 writes; a shard's files keep their metadata (merge reads it) and
   * record the format the merged table takes */
  int fmt = shard ? IMS_FMT_CSV : x.ra.format;
  if (!rc && root)
    rc = ims_outset_open(x.g, &bands, out, fmt, &x.err);
  if (!rc && root && per)
    rc = ims_outset_open(x.g, &subj, per, IMS_FMT_CSV | (shard ? 0 : x.ra.format & IMS_OUT_NO_META),
                         &x.err);
  ims_popsim_summary_t sum = {0};
  if (!(rc = cli_agree(&x, rc))) {
    cli_progress_start(NULL, "subjects", 0, !strcmp(per ? per : "", "-"));
    rc = ims_popsim_run(ps, bands, subj, &sum, &x.err);
    cli_progress_done();
    rc = cli_agree(&x, cli_commit(&x, rc));
  } else {
    rc = cli_commit(&x, rc);
  }
  if (!rc && root)
    summary(&spec, &sum, cli_flag(a, OPT_STATS));
  ims_popsim_free(ps);
  return cli_end(&x, rc);
}
