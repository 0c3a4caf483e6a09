#include "immunosim/popsim.h"

#include "immunosim/covariates.h"
#include "immunosim/data.h"
#include "immunosim/immunosim.h"
#include "immunosim/table.h"
#include "popio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ims_popsim {
  ims_run_t *r;
  ims_popsim_spec_t spec;
  ims_pop_t *pop;
  char omega_path[4096];
  char omega_hash[17];
  ims_covtab_t *cov; /* --covariates, or NULL */
  char cov_hash[17];
  ims_subjects_t *subj; /* per-subject covariate rows and schedules */
  int has_id;           /* the per-subject file has an ID column */
  /* per-subject writer: one preallocated line */
  ims_output_t *out;
  char *line;
  size_t cap;
  double span; /* tend - t0, for AUC offsets */
  uint64_t done, next;
  int cbrc; /* the first error of the subject callback */
  ims_err_t cberr;
  /* MPI: records of this rank's subjects */
  ims_par_stream_t *stream;
  char *rec;
  size_t reclen;
  int nm; /* metric values per subject */
  /* the columns of the per-subject metrics */
  int *cols, ncols;
};

int ims_popsim_nvar(const ims_popsim_t *ps)
{
  return ims_pop_nvar(ps->pop);
}

void ims_popsim_free(ims_popsim_t *ps)
{
  if (!ps)
    return;
  ims_pop_free(ps->pop);
  ims_subjects_free(ps->subj);
  ims_covtab_free(ps->cov);
  free(ps->line);
  free(ps->rec);
  free(ps->cols);
  free(ps);
}

static int hash_file(const char *path, char out[17], ims_err_t *err)
{
  char *buf;
  size_t len;
  int rc = ims_table_slurp(path, &buf, &len, err);
  if (!rc)
    ims_table_fnv1a64_hex(buf, len, out);
  free(buf);
  return rc;
}

/* --cols A,B: the per-subject metric columns, in the order given. */
static int parse_cols(ims_popsim_t *ps, const char *list, ims_err_t *err)
{
  const ims_run_t *r = ps->r;
  int nc = r->m->nstates + r->m->noutputs;
  ps->cols = malloc((size_t)nc * sizeof *ps->cols);
  if (!ps->cols)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  ps->ncols = 0;
  if (!list) {
    for (int c = 0; c < nc; c++)
      ps->cols[ps->ncols++] = c;
    return IMS_OK;
  }
  const char *p = list;
  while (*p) {
    size_t l = strcspn(p, ",");
    char name[256];
    if (l == 0 || l >= sizeof name)
      return ims_err_set(err, IMS_EINPUT, "--cols %s: expected column names separated by ','",
                         list);
    memcpy(name, p, l);
    name[l] = '\0';
    int c = ims_run_column(r, name);
    if (c < 0)
      return ims_err_set(err, IMS_EINPUT,
                         "--cols %s: no column '%s' in model %s ('immunosim info %s --columns')",
                         list, name, r->m->name, r->m->name);
    for (int j = 0; j < ps->ncols; j++)
      if (ps->cols[j] == c)
        return ims_err_set(err, IMS_EINPUT, "--cols %s: '%s' given twice", list, name);
    ps->cols[ps->ncols++] = c;
    p += l;
    if (*p == ',' && !*++p)
      return ims_err_set(err, IMS_EINPUT, "--cols %s: expected column names separated by ','",
                         list);
  }
  return IMS_OK;
}

/* The covariate table and the subjects' own schedules (covariates.h); a
 * covariate both drawn (iiv) and tabled is refused. */
static int covariates(ims_popsim_t *ps, ims_err_t *err)
{
  const ims_popsim_spec_t *sp = &ps->spec;
  ims_run_t *r = ps->r;
  int rc = IMS_OK;
  if (sp->covariates) {
    rc = ims_covtab_read(&ps->cov, r->m, r->units, sp->covariates, err);
    rc = rc ? rc : hash_file(ims_covtab_path(ps->cov), ps->cov_hash, err);
    for (int j = 0; !rc && j < ims_covtab_ncols(ps->cov); j++)
      for (int k = 0; !rc && k < ims_pop_nvar(ps->pop); k++)
        if (ims_pop_var_index(ps->pop, k) == ims_covtab_param(ps->cov, j)) {
          char nb[160];
          int i = ims_covtab_param(ps->cov, j);
          rc = ims_err_set(err, IMS_EINPUT,
                           "--covariates %s: %s is also drawn (its iiv in %s); drop one of the "
                           "two",
                           sp->covariates, ims_run_value_name(r, i, nb, sizeof nb),
                           r->params->origin[i] ? r->params->origin[i] : "the parameter file");
        }
  }
  if (!rc && (ps->cov || r->sched->nid > 0))
    rc = ims_subjects_alloc(&ps->subj, ps->cov, sp->covariates_mode, r->sched, sp->seed, sp->first,
                            sp->last, err);
  ps->has_id = !rc && ps->subj && ((ps->cov && ims_covtab_has_id(ps->cov)) || r->sched->nid > 0);
  return rc;
}

int ims_popsim_alloc(ims_popsim_t **out, ims_run_t *r, const ims_popsim_spec_t *spec,
                     ims_err_t *err)
{
  *out = NULL;
  ims_popsim_spec_t sp = *spec;
  if (sp.n == 0)
    return ims_err_set(err, IMS_EINPUT, "population: -n N (the population size, > 0) is required");
  if (sp.last == 0 && sp.first == 0)
    sp.last = sp.n;
  if (sp.first >= sp.last || sp.last > sp.n)
    return ims_err_set(err, IMS_EINPUT, "--subjects %llu:%llu: need 0 <= A < B <= N (N = %llu)",
                       (unsigned long long)sp.first, (unsigned long long)sp.last,
                       (unsigned long long)sp.n);
  if (!(sp.bands_mb >= 0) || sp.bands_mb > 1e6)
    return ims_err_set(err, IMS_EINPUT, "--bands-mem %g: expected megabytes in [0, 1e6]",
                       sp.bands_mb);
  if (r->rules)
    return ims_err_set(err, IMS_EINPUT, "population: rules (-r) are not supported yet");
  ims_popsim_t *ps = calloc(1, sizeof *ps);
  if (!ps)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  ps->r = r;
  ps->spec = sp;
  int rc = parse_cols(ps, sp.cols, err);
  rc = rc ? rc : ims_pop_alloc(&ps->pop, r->params, err);
  if (!rc && sp.omega) {
    rc = ims_data_resolve(r->spec.datadir, IMS_DATA_SETS, r->m, "--omega", sp.omega, ps->omega_path,
                          sizeof ps->omega_path, err);
    rc = rc ? rc : ims_pop_read_omega(ps->pop, ps->omega_path, err);
    rc = rc ? rc : hash_file(ps->omega_path, ps->omega_hash, err);
  }
  if (!rc)
    rc = covariates(ps, err);
  if (rc) {
    ims_popsim_free(ps);
    return rc;
  }
  *out = ps;
  return IMS_OK;
}

/* fnv1a64 of numbers as written (the same on every machine). */
static void hash_numbers(const double *v, size_t n, char out[17])
{
  char *s = malloc(n * IMS_NUMBUF + 1), nb[IMS_NUMBUF];
  size_t l = 0;
  for (size_t i = 0; s && i < n; i++)
    l += (size_t)sprintf(s + l, "%s,", ims_fmt_num(nb, v[i]));
  ims_table_fnv1a64_hex(s ? s : "", l, out);
  free(s);
}

/* The run's description: identical in every shard of one run, and checked
 * by merge. */
static void write_meta(ims_output_t *o, const ims_popsim_t *ps)
{
  const ims_run_t *r = ps->r;
  const ims_popsim_spec_t *sp = &ps->spec;
  ims_run_write_meta(o, r);
  ims_output_comment(o,
                     "population: N=%llu seed=%llu; sampling: splitmix64 key -> gsl taus2 -> "
                     "ziggurat normals (README, Virtual populations)",
                     (unsigned long long)sp->n, (unsigned long long)sp->seed);
  if (sp->omega)
    ims_output_comment(o, "omega: %s fnv1a64=%s", ps->omega_path, ps->omega_hash);
  if (ps->cov)
    ims_output_comment(o, "covariates: %s fnv1a64=%s (%ld rows, %s; columns %d)",
                       ims_covtab_path(ps->cov), ps->cov_hash, ims_covtab_nrows(ps->cov),
                       sp->covariates_mode == IMS_COV_SAMPLE ? "sampled with replacement"
                                                             : "row i for subject i",
                       ims_covtab_ncols(ps->cov));
  int nv = ims_pop_nvar(ps->pop);
  if (nv == 0)
    ims_output_comment(o, "iiv: none (every subject has the typical parameters)");
  for (int k = 0; k < nv; k++) {
    int i = ims_pop_var_index(ps->pop, k);
    char nb[160], v[IMS_NUMBUF];
    ims_output_comment(o, "iiv: %s %s typical=%s omega2=%.17g",
                       ims_run_value_name(r, i, nb, sizeof nb),
                       ims_pop_var_dist(ps->pop, k) == IMS_DIST_NORMAL ? "normal" : "lognormal",
                       ims_fmt_num(v, r->params->value[i]), ims_pop_omega(ps->pop, k, k));
  }
  char th[17], ah[32], a[IMS_NUMBUF], b[IMS_NUMBUF], c[IMS_NUMBUF], d[IMS_NUMBUF];
  hash_numbers(r->tout, r->ntout, th);
  if (r->atol_vec) {
    char h[17];
    hash_numbers(r->atol_vec, (size_t)r->m->nstates, h);
    snprintf(ah, sizeof ah, "fnv1a64=%s", h);
  } else {
    snprintf(ah, sizeof ah, "none");
  }
  ims_output_comment(o,
                     "run: t0=%s, %zu output times from %s to %s (fnv1a64=%s), per-state atol "
                     "%s, init-step=%s, max-steps=%ld",
                     ims_fmt_num(a, r->opts.t0), r->ntout, ims_fmt_num(b, r->tout[0]),
                     ims_fmt_num(c, r->tout[r->ntout - 1]), th, ah,
                     ims_fmt_num(d, r->spec.init_step), r->spec.max_steps);
}

/* ---- per-subject rows ---- */

static void put(ims_popsim_t *ps, size_t *len, double v)
{
  char nb[IMS_NUMBUF];
  int k = snprintf(ps->line + *len, ps->cap - *len, ",%s", ims_fmt_num(nb, v));
  if (k > 0)
    *len += (size_t)k < ps->cap - *len ? (size_t)k : ps->cap - *len - 1;
}

/* A subject's row of the per-subject table, into ps->line; its length. */
static size_t format_row(ims_popsim_t *ps, const ims_pop_subject_t *su)
{
  const ims_run_t *r = ps->r;
  size_t len = (size_t)snprintf(ps->line, ps->cap, "%llu,%s", (unsigned long long)su->id,
                                su->status ? "failed" : "ok");
  long sid;
  if (ps->has_id)
    len += (size_t)snprintf(ps->line + len, ps->cap - len, ",%ld",
                            ims_subjects_id(ps->subj, su->id, &sid) ? sid : -1L);
  int nv = ims_pop_nvar(ps->pop);
  for (int k = 0; k < nv; k++)
    put(ps, &len, su->p[ims_pop_var_index(ps->pop, k)]);
  for (int j = 0; ps->cov && j < ims_covtab_ncols(ps->cov); j++)
    put(ps, &len, su->p[ims_covtab_param(ps->cov, j)]);
  for (int j = 0; j < ps->ncols; j++) {
    int c = ps->cols[j];
    double sc = r->colscale[1 + c], off = r->coloffset[1 + c];
    for (int k = 0; k < IMS_PM_N; k++) {
      if (su->status || !su->metrics) {
        len += (size_t)snprintf(ps->line + len, ps->cap - len, ",");
        continue;
      }
      double v = su->metrics[(size_t)j * IMS_PM_N + (size_t)k];
      if (k == IMS_PM_CMAX || k == IMS_PM_LAST)
        v = sc * v + off;
      else if (k == IMS_PM_AUC)
        v = sc * v + off * ps->span;
      put(ps, &len, v);
    }
  }
  return len;
}

/* A subject on the rank that writes, in subject order: its failure, the
 * progress, its row (formatted by the rank that ran it; NULL without a
 * per-subject table). */
static int emit(ims_popsim_t *ps, uint64_t id, int status, const char *msg, const char *row,
                ims_err_t *err)
{
  if (id != ps->next)
    return ims_err_set(err, IMS_EINTERNAL, "population: subject %llu where %llu was due",
                       (unsigned long long)id, (unsigned long long)ps->next);
  ps->next++;
  ps->done++;
  if (status && ps->spec.failed)
    ps->spec.failed(ps->spec.failed_ud, id, msg);
  if (ps->spec.progress)
    ps->spec.progress(ps->spec.progress_ud, (double)ps->done,
                      (double)(ps->spec.last - ps->spec.first));
  if (ps->out && row && ims_output_line(ps->out, "%s", row))
    return ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(ps->out));
  return IMS_OK;
}

/* A subject as a record for rank 0, its row formatted here (the ranks
 * format in parallel; rank 0 only copies bytes): id, status, message
 * length, row length, message, row. */
static size_t pack(ims_popsim_t *ps, const ims_pop_subject_t *su)
{
  uint64_t id = su->id;
  int32_t st = su->status;
  uint32_t ml = su->status ? (uint32_t)strlen(su->msg) : 0;
  uint32_t rl = ps->spec.write_per_subject ? (uint32_t)format_row(ps, su) : 0;
  char *p = ps->rec;
  memcpy(p, &id, sizeof id), p += sizeof id;
  memcpy(p, &st, sizeof st), p += sizeof st;
  memcpy(p, &ml, sizeof ml), p += sizeof ml;
  memcpy(p, &rl, sizeof rl), p += sizeof rl;
  memcpy(p, su->msg, ml), p += ml;
  memcpy(p, ps->line, rl), p += rl;
  return (size_t)(p - ps->rec);
}

static int on_record(void *ud, int rank, const void *rec, size_t len, ims_err_t *err)
{
  ims_popsim_t *ps = ud;
  const char *p = rec;
  uint64_t id;
  int32_t st;
  uint32_t ml, rl;
  size_t head = sizeof id + sizeof st + sizeof ml + sizeof rl;
  if (len < head)
    return ims_err_set(err, IMS_EINTERNAL, "rank %d: a short record", rank);
  memcpy(&id, p, sizeof id), p += sizeof id;
  memcpy(&st, p, sizeof st), p += sizeof st;
  memcpy(&ml, p, sizeof ml), p += sizeof ml;
  memcpy(&rl, p, sizeof rl), p += sizeof rl;
  if (ml >= IMS_ERRMSG_MAX || rl >= ps->cap || len != head + ml + rl)
    return ims_err_set(err, IMS_EINTERNAL, "rank %d: a malformed record", rank);
  char msg[IMS_ERRMSG_MAX];
  memcpy(msg, p, ml);
  msg[ml] = '\0';
  memcpy(ps->line, p + ml, rl);
  ps->line[rl] = '\0';
  return emit(ps, id, st, msg, rl ? ps->line : NULL, err);
}

/* The population loop's callback: rank 0 writes, the others send. */
static int on_subject(void *ud, const ims_pop_subject_t *su)
{
  ims_popsim_t *ps = ud;
  int rc;
  if (!ps->stream || ims_par_rank(ps->spec.par) == 0)
    rc = emit(ps, su->id, su->status, su->msg, ps->out ? (format_row(ps, su), ps->line) : NULL,
              &ps->cberr);
  else
    rc = ims_par_stream_put(ps->stream, ps->rec, pack(ps, su), &ps->cberr);
  if (rc && !ps->cbrc)
    ps->cbrc = rc;
  return rc;
}

static int per_subject_header(ims_popsim_t *ps, const ims__shard_t *sh, ims_err_t *err)
{
  const ims_run_t *r = ps->r;
  int nv = ims_pop_nvar(ps->pop), nc = ps->ncols;
  int ncov = ps->cov ? ims_covtab_ncols(ps->cov) : 0;
  int nf = 2 + ps->has_id + nv + ncov + nc * IMS_PM_N;
  const char **names = calloc((size_t)nf, sizeof *names);
  const char **units = calloc((size_t)nf, sizeof *units);
  char *store = calloc((size_t)nf, 512);
  int rc = IMS_OK;
  if (!names || !units || !store || !ps->line)
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!rc) {
    write_meta(ps->out, ps);
    if (sh)
      ims__shard_write(ps->out, sh);
    int f = 0;
    names[f] = "subject", units[f++] = "1";
    names[f] = "status", units[f++] = "-";
    if (ps->has_id)
      names[f] = "ID", units[f++] = "1";
    for (int k = 0; k < nv + ncov; k++, f++) {
      int i = k < nv ? ims_pop_var_index(ps->pop, k) : ims_covtab_param(ps->cov, k - nv);
      char *nm = store + (size_t)f * 512;
      names[f] = ims_run_value_name(r, i, nm, 256);
      units[f] = ims_run_value_unit(r, i);
    }
    for (int j = 0; j < nc; j++)
      for (int k = 0; k < IMS_PM_N; k++, f++) {
        int c = ps->cols[j];
        char *nm = store + (size_t)f * 512, *un = nm + 256;
        ims_column_name(nm, 256, r->colnames[1 + c], ims_pm_names[k]);
        /* units as the metrics write them: an AUC is time*unit */
        ims_report_unit(r, c,
                        k == IMS_PM_TMAX  ? IMS_MU_TIME
                        : k == IMS_PM_AUC ? IMS_MU_AUC
                                          : IMS_MU_COLUMN,
                        un, 256);
        names[f] = nm;
        units[f] = un;
      }
    if (ims_output_header(ps->out, nf, names, units))
      rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(ps->out));
  }
  free(names);
  free(units);
  free(store);
  return rc;
}

/* ---- bands ---- */

static void bandcols(const ims_popsim_t *ps, ims__bandcols_t *c)
{
  const ims_run_t *r = ps->r;
  *c = (ims__bandcols_t){
      r->ntout,        r->tout,         r->m->time_unit, r->m->nstates + r->m->noutputs,
      r->colnames + 1, r->colunits + 1, r->colscale + 1, r->coloffset + 1};
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void stats_pack(const ims_pop_summary_t *s, int64_t *v)
{
  const ims_stats_t *t = &s->stats;
  int64_t x[10] = {(int64_t)s->ok,    (int64_t)s->failed,  t->steps, t->rhs_evals,
                   t->jac_evals,      t->restarts,         t->roots, t->ss_intervals,
                   t->err_test_fails, t->nonlin_conv_fails};
  memcpy(v, x, sizeof x);
}

static void stats_unpack(const int64_t *v, ims_popsim_summary_t *s)
{
  ims_stats_t *t = &s->stats;
  s->ok = (uint64_t)v[0];
  s->failed = (uint64_t)v[1];
  t->steps = (long)v[2];
  t->rhs_evals = (long)v[3];
  t->jac_evals = (long)v[4];
  t->restarts = (long)v[5];
  t->roots = (long)v[6];
  t->ss_intervals = (long)v[7];
  t->err_test_fails = (long)v[8];
  t->nonlin_conv_fails = (long)v[9];
}

/* This rank's subjects: simulate, and hand them to rank 0. */
static int simulate_share(ims_popsim_t *ps, ims_bands_t *b, uint64_t a, uint64_t e,
                          ims_pop_summary_t *s, ims_err_t *err)
{
  ims_run_t *r = ps->r;
  const ims_popsim_spec_t *sp = &ps->spec;
  if (a >= e)
    return IMS_OK;
  int metrics = sp->write_per_subject || ps->out;
  ims_pop_run_t run = {.seed = sp->seed,
                       .first = a,
                       .last = e,
                       .threads = sp->threads,
                       .no_metrics = !metrics,
                       .cols = ps->cols,
                       .ncols = ps->ncols,
                       .bands = b,
                       .subject = on_subject,
                       .ud = ps,
                       .setup = ps->subj ? ims_subjects_setup : NULL,
                       .setup_ud = ps->subj};
  ps->cbrc = 0;
  int rc = ims_pop_simulate(ps->pop, r->sched, &r->opts, r->tout, r->ntout, &run, s, err);
  if (ps->cbrc) {
    *err = ps->cberr;
    rc = ps->cbrc;
  }
  return rc;
}

int ims_popsim_run(ims_popsim_t *ps, ims_output_t *bands, ims_output_t *per_subject,
                   ims_popsim_summary_t *sum, ims_err_t *err)
{
  ims_run_t *r = ps->r;
  const ims_popsim_spec_t *sp = &ps->spec;
  ims_par_t *par = sp->par;
  int rank = ims_par_rank(par), size = ims_par_size(par);
  int want_bands = bands || sp->write_bands;
  ims_bands_t *b = NULL;
  uint64_t nsub = sp->last - sp->first, a, e;
  ims_par_share(par, sp->first, sp->last, &a, &e);
  int nc = r->m->nstates + r->m->noutputs;
  memset(sum, 0, sizeof *sum);
  sum->ranks = size;
  ps->out = rank == 0 ? per_subject : NULL;
  ps->span = r->tout[r->ntout - 1] - r->opts.t0;
  ps->done = 0;
  ps->next = sp->first;
  ps->nm = ps->ncols * IMS_PM_N;
  free(ps->line);
  ps->cap = (size_t)(2 + ps->has_id + ims_pop_nvar(ps->pop) +
                     (ps->cov ? ims_covtab_ncols(ps->cov) : 0) + ps->nm) *
                40 +
            64;
  ps->line = malloc(ps->cap);
  /* the mode is the whole run's, so shards and ranks agree with it */
  int exact = ims_bands_fits(r->ntout, nc, (size_t)sp->n, (size_t)(sp->bands_mb * 1048576.0));
  int rc = ps->line ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = rc || !want_bands
           ? rc
           : ims_bands_alloc_mode(&b, r->ntout, nc, (size_t)(rank == 0 ? nsub : e - a), exact, err);
  ims__shard_t sh = {.kind = IMS__SHARD_SUBJECTS,
                     .first = sp->first,
                     .last = sp->last,
                     .n = sp->n,
                     .exact = exact,
                     .tsv = sp->tsv,
                     .metadata = !sp->no_metadata};
  if (!rc && ps->out)
    rc = per_subject_header(ps, sp->shard ? &sh : NULL, err);
  if (size > 1) { /* every rank takes part in the stream, also after a failure */
    size_t rl =
        20 + IMS_ERRMSG_MAX +
        ((size_t)ims_pop_nvalues(ps->pop) + (size_t)ims_pop_nvar(ps->pop) + (size_t)ps->nm) *
            sizeof(double);
    ims_err_t e2 = {0};
    ps->rec = malloc(rl);
    if (!ps->rec || ims_par_stream_alloc(&ps->stream, par, on_record, ps, &e2)) {
      ims_err_set(&e2, IMS_ENOMEM, "out of memory");
      ims_par_abort(par, &e2);
    }
  }
  ims_pop_summary_t s = {0};
  double t0 = now();
  if (!rc)
    rc = simulate_share(ps, b, a, e, &s, err);
  if (ps->stream)
    rc = ims_par_stream_finish(ps->stream, rc, err);
  ims_par_stream_free(ps->stream);
  ps->stream = NULL;
  if (!rc && rank == 0 && ps->next != sp->last)
    rc = ims_err_set(err, IMS_EINTERNAL, "population: %llu of %llu subjects arrived",
                     (unsigned long long)(ps->next - sp->first), (unsigned long long)nsub);
  /* every rank knows whether to go on before the collective steps */
  rc = ims_par_agree(par, rc, err);
  int64_t tot[10];
  stats_pack(&s, tot);
  if (!rc)
    rc = ims_par_sum_i64(par, tot, 10, err);
  if (!rc && b)
    rc = ims_par_bands(par, b, err);
  stats_unpack(tot, sum);
  sum->wall = now() - t0;
  sum->exact = b ? ims_bands_exact(b) : 1;
  sum->mb = b ? (double)ims_bands_bytes(b) / 1048576.0 : 0;
  sum->bound_mb = b ? (double)ims_bands_bound(b) / 1048576.0 : 0;
  sum->level = b ? ims_bands_level(b) : 0;
  if (!rc && rank == 0 && sum->ok == 0)
    rc = ims_err_set(err, IMS_ESOLVER,
                     "every subject failed (%llu of %llu; see the messages above); nothing "
                     "written",
                     (unsigned long long)sum->failed, (unsigned long long)nsub);
  if (!rc && bands) {
    ims__bandcols_t c;
    bandcols(ps, &c);
    write_meta(bands, ps);
    if (sp->shard) {
      sh.kind = IMS__SHARD_BANDS;
      sh.ok = sum->ok;
      sh.failed = sum->failed;
      sh.stats = sum->stats;
      ims__shard_write(bands, &sh);
      rc = ims__bands_state(bands, b, &c, err);
    } else {
      rc = ims__bands_percentiles(bands, b, &c, sum->ok, err);
    }
  }
  ims_bands_free(b);
  return rc;
}
