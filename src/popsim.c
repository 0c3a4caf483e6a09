#include "immunosim/popsim.h"

#include "immunosim/covariates.h"
#include "immunosim/data.h"
#include "immunosim/immunosim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ims_popsim {
  ims_run_t *r;
  ims_popsim_spec_t spec;
  ims_pop_t *pop;
  char omega_path[4096];
  ims_covtab_t *cov;    /* --covariates, or NULL */
  ims_subjects_t *subj; /* per-subject covariate rows and schedules */
  int has_id;           /* the per-subject file has an ID column */
  /* per-subject writer: one preallocated line */
  ims_output_t *out;
  char *line;
  size_t cap;
  double span; /* tend - t0, for AUC offsets */
  uint64_t done;
  int bad; /* a write failed */
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
  free(ps);
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
  int rc = ims_pop_alloc(&ps->pop, r->params, err);
  if (!rc && sp.omega) {
    rc = ims_data_resolve(r->spec.datadir, IMS_DATA_SETS, r->m, "--omega", sp.omega, ps->omega_path,
                          sizeof ps->omega_path, err);
    rc = rc ? rc : ims_pop_read_omega(ps->pop, ps->omega_path, err);
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

static void write_meta(ims_output_t *o, const ims_popsim_t *ps)
{
  const ims_run_t *r = ps->r;
  const ims_popsim_spec_t *sp = &ps->spec;
  ims_run_write_meta(o, r);
  ims_output_comment(o,
                     "population: N=%llu seed=%llu subjects %llu:%llu (0-based, end "
                     "excluded); sampling: splitmix64 key -> gsl taus2 -> ziggurat normals "
                     "(README, Virtual populations)",
                     (unsigned long long)sp->n, (unsigned long long)sp->seed,
                     (unsigned long long)sp->first, (unsigned long long)sp->last);
  if (sp->omega)
    ims_output_comment(o, "omega: %s", ps->omega_path);
  if (ps->cov)
    ims_output_comment(o, "covariates: %s (%ld rows, %s; columns %d)", ims_covtab_path(ps->cov),
                       ims_covtab_nrows(ps->cov),
                       sp->covariates_mode == IMS_COV_SAMPLE ? "sampled with replacement"
                                                             : "row i for subject i",
                       ims_covtab_ncols(ps->cov));
  int nv = ims_pop_nvar(ps->pop);
  if (nv == 0)
    ims_output_comment(o, "iiv: none (every subject has the typical parameters)");
  for (int k = 0; k < nv; k++) {
    int i = ims_pop_var_index(ps->pop, k);
    char nb[160], v[IMS_NUMBUF];
    ims_output_comment(o, "iiv: %s %s typical=%s omega2=%.6g",
                       ims_run_value_name(r, i, nb, sizeof nb),
                       ims_pop_var_dist(ps->pop, k) == IMS_DIST_NORMAL ? "normal" : "lognormal",
                       ims_fmt_num(v, r->params->value[i]), ims_pop_omega(ps->pop, k, k));
  }
}

/* ---- per-subject rows ---- */

static void put(ims_popsim_t *ps, size_t *len, double v)
{
  char nb[IMS_NUMBUF];
  int k = snprintf(ps->line + *len, ps->cap - *len, ",%s", ims_fmt_num(nb, v));
  if (k > 0)
    *len += (size_t)k < ps->cap - *len ? (size_t)k : ps->cap - *len - 1;
}

static int on_subject(void *ud, const ims_pop_subject_t *su)
{
  ims_popsim_t *ps = ud;
  const ims_run_t *r = ps->r;
  ps->done++;
  if (su->status && ps->spec.failed)
    ps->spec.failed(ps->spec.failed_ud, su->id, su->msg);
  if (ps->spec.progress)
    ps->spec.progress(ps->spec.progress_ud, (double)ps->done,
                      (double)(ps->spec.last - ps->spec.first));
  if (!ps->out)
    return 0;
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
  int nc = r->m->nstates + r->m->noutputs;
  for (int c = 0; c < nc; c++) {
    double sc = r->colscale[1 + c], off = r->coloffset[1 + c];
    for (int k = 0; k < IMS_PM_N; k++) {
      if (su->status || !su->metrics) {
        len += (size_t)snprintf(ps->line + len, ps->cap - len, ",");
        continue;
      }
      double v = su->metrics[(size_t)c * IMS_PM_N + (size_t)k];
      if (k == IMS_PM_CMAX || k == IMS_PM_LAST)
        v = sc * v + off;
      else if (k == IMS_PM_AUC)
        v = sc * v + off * ps->span;
      put(ps, &len, v);
    }
  }
  if (ims_output_line(ps->out, "%s", ps->line)) {
    ps->bad = 1;
    return IMS_EIO;
  }
  return 0;
}

static int per_subject_header(ims_popsim_t *ps, ims_err_t *err)
{
  const ims_run_t *r = ps->r;
  const ims_model_t *m = r->m;
  int nv = ims_pop_nvar(ps->pop), nc = m->nstates + m->noutputs;
  int ncov = ps->cov ? ims_covtab_ncols(ps->cov) : 0;
  int nf = 2 + ps->has_id + nv + ncov + nc * IMS_PM_N;
  ps->cap = (size_t)nf * 40 + 64;
  ps->line = malloc(ps->cap);
  const char **names = calloc((size_t)nf, sizeof *names);
  const char **units = calloc((size_t)nf, sizeof *units);
  char *store = calloc((size_t)nf, 512);
  int rc = IMS_OK;
  if (!ps->line || !names || !units || !store)
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!rc) {
    write_meta(ps->out, ps);
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
    for (int c = 0; c < nc; c++)
      for (int k = 0; k < IMS_PM_N; k++, f++) {
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

static int write_bands(ims_popsim_t *ps, ims_output_t *o, ims_bands_t *b, uint64_t nok,
                       ims_err_t *err)
{
  const ims_run_t *r = ps->r;
  const ims_model_t *m = r->m;
  int nc = m->nstates + m->noutputs, nf = 1 + nc * IMS_BANDS_NP;
  const char **names = calloc((size_t)nf, sizeof *names);
  const char **units = calloc((size_t)nf, sizeof *units);
  char *store = calloc((size_t)nf, 128);
  double *row = calloc((size_t)nf, sizeof *row);
  int rc =
      (!names || !units || !store || !row) ? ims_err_set(err, IMS_ENOMEM, "out of memory") : IMS_OK;
  if (!rc) {
    write_meta(o, ps);
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
        /* ims_bands_suffix is "_p05": the base name and "p05" joined by '_' */
        ims_column_name(nm, 128, r->colnames[1 + c], ims_bands_suffix[k] + 1);
        names[f] = nm;
        units[f] = r->colunits[1 + c];
      }
    ims_output_header(o, nf, names, units);
    for (size_t it = 0; it < r->ntout && !rc; it++) {
      row[0] = r->tout[it];
      for (int c = 0; c < nc; c++)
        for (int k = 0; k < IMS_BANDS_NP; k++) {
          double q = ims_bands_quantile(b, it * (size_t)nc + (size_t)c, ims_bands_p[k]);
          row[1 + c * IMS_BANDS_NP + k] = r->colscale[1 + c] * q + r->coloffset[1 + c];
        }
      if (ims_output_row(o, row, nf))
        rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(o));
    }
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

int ims_popsim_run(ims_popsim_t *ps, ims_output_t *bands, ims_output_t *per_subject,
                   ims_popsim_summary_t *sum, ims_err_t *err)
{
  ims_run_t *r = ps->r;
  const ims_popsim_spec_t *sp = &ps->spec;
  ims_bands_t *b = NULL;
  uint64_t nsub = sp->last - sp->first;
  int nc = r->m->nstates + r->m->noutputs;
  memset(sum, 0, sizeof *sum);
  ps->out = per_subject;
  ps->span = r->tout[r->ntout - 1] - r->opts.t0;
  ps->done = 0;
  int rc = bands ? ims_bands_alloc(&b, r->ntout, nc, (size_t)nsub,
                                   (size_t)(sp->bands_mb * 1048576.0), err)
                 : IMS_OK;
  if (!rc && per_subject)
    rc = per_subject_header(ps, err);
  ims_pop_summary_t s = {0};
  double t0 = now();
  if (!rc) {
    ims_pop_run_t run = {.seed = sp->seed,
                         .first = sp->first,
                         .last = sp->last,
                         .threads = sp->threads,
                         .no_metrics = per_subject == NULL,
                         .bands = b,
                         .subject = on_subject,
                         .ud = ps,
                         .setup = ps->subj ? ims_subjects_setup : NULL,
                         .setup_ud = ps->subj};
    rc = ims_pop_simulate(ps->pop, r->sched, &r->opts, r->tout, r->ntout, &run, &s, err);
    if (ps->bad)
      rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(per_subject));
  }
  sum->ok = s.ok;
  sum->failed = s.failed;
  sum->stats = s.stats;
  sum->wall = now() - t0;
  sum->exact = b ? ims_bands_exact(b) : 1;
  sum->mb = b ? (double)ims_bands_bytes(b) / 1048576.0 : 0;
  if (!rc && s.ok == 0)
    rc = ims_err_set(err, IMS_ESOLVER,
                     "every subject failed (%llu of %llu; see the messages above); nothing "
                     "written",
                     (unsigned long long)s.failed, (unsigned long long)nsub);
  if (!rc && bands)
    rc = write_bands(ps, bands, b, s.ok, err);
  ims_bands_free(b);
  return rc;
}
