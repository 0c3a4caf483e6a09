/* Covariate tables and the per-subject inputs of a population (covariates.h). */
#include "immunosim/covariates.h"

#include "immunosim/population.h"
#include "immunosim/table.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ims_covtab {
  char *path;
  const ims_model_t *m;
  int ncols;
  int par[IMS_TABLE_MAX_FIELDS]; /* per covariate column: the parameter */
  long nrows, cap;
  double *v; /* nrows * ncols, canonical units */
  long *id;  /* nrows, or NULL without an ID column */
};

typedef struct cov_ctx {
  ims_covtab_t *t;
  const ims_units_t *u;
  int have_header;
  int idcol;                          /* field of the ID column, or -1 */
  int field[IMS_TABLE_MAX_FIELDS];    /* per covariate column: its field */
  int hcol[IMS_TABLE_MAX_FIELDS];     /* its header's character column */
  double scale[IMS_TABLE_MAX_FIELDS]; /* its unit to the parameter's (1: dimensionless) */
  double offset[IMS_TABLE_MAX_FIELDS];
  char *units; /* the '# units:' line, until the header is known */
  long units_line;
  long header_line;
} cov_ctx_t;

void ims_covtab_free(ims_covtab_t *t)
{
  if (!t)
    return;
  free(t->path);
  free(t->v);
  free(t->id);
  free(t);
}

static int on_comment(const char *text, long line, void *ud, ims_err_t *err)
{
  cov_ctx_t *c = ud;
  if (strncmp(text, "units:", 6) != 0)
    return IMS_OK;
  free(c->units);
  c->units = strdup(text + 6);
  c->units_line = line;
  return c->units ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
}

static int header(cov_ctx_t *c, const ims_table_row_t *row, ims_err_t *err)
{
  ims_covtab_t *t = c->t;
  const ims_model_t *m = t->m;
  c->idcol = -1;
  c->header_line = row->line;
  for (int i = 0; i < row->nf; i++) {
    const char *name = row->f[i];
    if (strcasecmp(name, "id") == 0) {
      if (c->idcol >= 0)
        return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: a second ID column", row->name, row->line,
                           row->col[i]);
      c->idcol = i;
      continue;
    }
    int k = ims_model_param_index(m, name);
    if (k < 0) {
      const char *s = ims_model_suggest_param(m, name);
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: column '%s' is not a parameter of model %s%s%s%s (a "
                         "covariate table has an ID column and one column per covariate "
                         "parameter)",
                         row->name, row->line, row->col[i], name, m->name,
                         s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
    }
    for (int j = 0; j < t->ncols; j++)
      if (t->par[j] == k)
        return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: duplicate column '%s'", row->name,
                           row->line, row->col[i], name);
    t->par[t->ncols] = k;
    c->field[t->ncols] = i;
    c->hcol[t->ncols] = row->col[i];
    t->ncols++;
  }
  if (t->ncols == 0)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:1: no covariate column (the header names an ID column and "
                       "parameters of model %s, e.g. ID,WT)",
                       row->name, row->line, m->name);
  return IMS_OK;
}

/* A parameter's name, or <STATE>_0 for an initial value (nb: 160 bytes). */
static const char *value_name(const ims_model_t *m, int k, char *nb)
{
  if (k < m->nparams)
    return m->params[k].name;
  snprintf(nb, 160, "%s_0", m->states[k - m->nparams].name);
  return nb;
}

static const char *canonical(const ims_model_t *m, int k)
{
  return k < m->nparams ? m->params[k].unit : m->states[k - m->nparams].unit;
}

static int dimensionless(const char *u)
{
  return u[0] == '\0' || strcmp(u, "1") == 0 || strcmp(u, "-") == 0;
}

/* "WT=kg,SEX=1": each covariate column's unit; every one must be given. */
static int on_units_entry(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  cov_ctx_t *c = ud;
  ims_covtab_t *t = c->t;
  int seen[IMS_TABLE_MAX_FIELDS] = {0};
  for (int i = 0; i < row->nf; i++) {
    char *entry = row->f[i], *name, *unit;
    if (!*entry)
      continue;
    if (ims_table_unit_entry(entry, &name, &unit))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: '# units:' entry '%s' is not COLUMN=UNIT",
                         t->path, c->units_line, entry);
    if (strcasecmp(name, "id") == 0)
      continue;
    int k = ims_model_param_index(t->m, name), j = 0;
    while (j < t->ncols && t->par[j] != k)
      j++;
    if (j == t->ncols)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: '# units:' names '%s', not a column", t->path,
                         c->units_line, name);
    const char *cu = canonical(t->m, t->par[j]);
    ims_err_t e2;
    if (dimensionless(unit) && !dimensionless(cu))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: '# units:' gives '%s' no unit; it needs %s",
                         t->path, c->units_line, name, cu);
    if (ims_units_factor(c->u, dimensionless(unit) ? "1" : unit, dimensionless(cu) ? "1" : cu,
                         &c->scale[j], &c->offset[j], &e2) != IMS_OK)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: '# units:' %s=%s: %s (parameter %s is in %s)",
                         t->path, c->units_line, name, unit, e2.msg, name, cu);
    seen[j] = 1;
  }
  for (int j = 0; j < t->ncols; j++)
    if (!seen[j] && !dimensionless(canonical(t->m, t->par[j]))) { /* SEX needs no unit */
      const char *cu = canonical(t->m, t->par[j]);
      char nb[160];
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: no unit for column '%s' on the '# units:' line (line %ld); "
                         "add %s=%s",
                         t->path, c->header_line, c->hcol[j], value_name(t->m, t->par[j], nb),
                         c->units_line, value_name(t->m, t->par[j], nb), cu[0] ? cu : "1");
    }
  return IMS_OK;
}

static int grow(ims_covtab_t *t, ims_err_t *err)
{
  if (t->nrows < t->cap)
    return IMS_OK;
  long cap = t->cap ? 2 * t->cap : 64;
  double *nv = realloc(t->v, (size_t)cap * (size_t)t->ncols * sizeof *nv);
  if (nv)
    t->v = nv;
  long *ni = realloc(t->id, (size_t)cap * sizeof *ni);
  if (ni)
    t->id = ni;
  if (!nv || !ni)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  t->cap = cap;
  return IMS_OK;
}

static int check_value(const ims_covtab_t *t, const ims_table_row_t *row, int col, int k, double v,
                       const char *text, ims_err_t *err)
{
  const ims_model_t *m = t->m;
  char nb[160];
  const char *name = value_name(m, k, nb);
  unsigned fl = k < m->nparams ? m->params[k].flags : 0;
  if (!isfinite(v))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: %s '%s' is not finite after conversion",
                       row->name, row->line, col, name, text);
  if (v < 0 && !(fl & IMS_PAR_SIGNED))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: %s must not be negative (got %s)", row->name,
                       row->line, col, name, text);
  if (!(v > 0) && (fl & IMS_PAR_POSITIVE))
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: %s must be above 0 (got %s): the model divides by it", row->name,
                       row->line, col, name, text);
  return IMS_OK;
}

static int on_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  cov_ctx_t *c = ud;
  ims_covtab_t *t = c->t;
  if (!c->have_header) {
    c->have_header = 1;
    int rc = header(c, row, err);
    if (rc)
      return rc;
    char nb[160];
    int need = 0;
    for (int j = 0; j < t->ncols; j++)
      need |= !dimensionless(canonical(t->m, t->par[j]));
    if (!c->units && !need)
      return IMS_OK;
    if (!c->units)
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:1: no '# units:' line; give every covariate's unit before the "
                         "header, e.g. '# units: %s=%s'",
                         row->name, row->line, value_name(t->m, t->par[0], nb),
                         canonical(t->m, t->par[0])[0] ? canonical(t->m, t->par[0]) : "1");
    ims_table_opts_t o = {.row = on_units_entry, .ud = c};
    return ims_table_scan_mem(t->path, c->units, strlen(c->units), &o, err);
  }
  int rc = grow(t, err);
  if (rc)
    return rc;
  long r = t->nrows;
  if (c->idcol >= 0) {
    const char *f = c->idcol < row->nf ? row->f[c->idcol] : "";
    int col = c->idcol < row->nf ? row->col[c->idcol] : row->col[row->nf - 1];
    if (ims_table_long(f, &t->id[r]) != 0)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: ID '%s' is not a whole number", row->name,
                         row->line, col, f);
    for (long q = 0; q < r; q++)
      if (t->id[q] == t->id[r])
        return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: duplicate ID %ld (one row per subject)",
                           row->name, row->line, col, t->id[r]);
  }
  for (int j = 0; j < t->ncols; j++) {
    int fi = c->field[j];
    char nb[160];
    if (fi >= row->nf || !*row->f[fi])
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: missing %s (every row gives every column)",
                         row->name, row->line, fi < row->nf ? row->col[fi] : row->col[row->nf - 1],
                         value_name(t->m, t->par[j], nb));
    double v;
    if (ims_table_double(row->f[fi], &v) != 0)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: %s '%s' is not a finite number", row->name,
                         row->line, row->col[fi], value_name(t->m, t->par[j], nb), row->f[fi]);
    v = c->scale[j] * v + c->offset[j];
    if ((rc = check_value(t, row, row->col[fi], t->par[j], v, row->f[fi], err)) != 0)
      return rc;
    t->v[(size_t)r * (size_t)t->ncols + (size_t)j] = v;
  }
  if (row->nf > (c->idcol >= 0 ? 1 : 0) + t->ncols)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: more fields than the header has columns",
                       row->name, row->line, row->col[row->nf - 1]);
  t->nrows++;
  return IMS_OK;
}

int ims_covtab_read_mem(ims_covtab_t **out, const ims_model_t *m, const ims_units_t *u,
                        const char *name, const char *buf, size_t len, ims_err_t *err)
{
  *out = NULL;
  ims_covtab_t *t = calloc(1, sizeof *t);
  if (!t || !(t->path = strdup(name))) {
    free(t);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  t->m = m;
  cov_ctx_t c = {.t = t, .u = u, .idcol = -1};
  for (int j = 0; j < IMS_TABLE_MAX_FIELDS; j++)
    c.scale[j] = 1.0;
  ims_table_opts_t o = {.row = on_row, .comment = on_comment, .ud = &c};
  int rc = ims_table_scan_mem(name, buf, len, &o, err);
  free(c.units);
  if (!rc && !c.have_header)
    rc = ims_err_set(err, IMS_EINPUT,
                     "%s:1:1: empty covariate table; expected '# units: WT=kg', then a header "
                     "such as ID,WT and one row per subject",
                     name);
  if (!rc && t->nrows == 0)
    rc = ims_err_set(err, IMS_EINPUT, "%s:%ld:1: no rows; give one row per subject", name,
                     c.header_line + 1);
  if (!rc && c.idcol < 0) {
    free(t->id);
    t->id = NULL;
  }
  if (rc) {
    ims_covtab_free(t);
    return rc;
  }
  *out = t;
  return IMS_OK;
}

int ims_covtab_read(ims_covtab_t **out, const ims_model_t *m, const ims_units_t *u,
                    const char *path, ims_err_t *err)
{
  char *buf;
  size_t len;
  *out = NULL;
  int rc = ims_table_slurp(path, &buf, &len, err);
  if (rc)
    return rc;
  rc = ims_covtab_read_mem(out, m, u, path, buf, len, err);
  free(buf);
  return rc;
}

const char *ims_covtab_path(const ims_covtab_t *t)
{
  return t->path;
}
long ims_covtab_nrows(const ims_covtab_t *t)
{
  return t->nrows;
}
int ims_covtab_ncols(const ims_covtab_t *t)
{
  return t->ncols;
}
int ims_covtab_param(const ims_covtab_t *t, int j)
{
  return t->par[j];
}
double ims_covtab_value(const ims_covtab_t *t, long r, int j)
{
  return t->v[(size_t)r * (size_t)t->ncols + (size_t)j];
}
int ims_covtab_has_id(const ims_covtab_t *t)
{
  return t->id != NULL;
}
long ims_covtab_id(const ims_covtab_t *t, long r)
{
  return t->id ? t->id[r] : -1;
}

long ims_covtab_pick(const ims_covtab_t *t, int mode, uint64_t seed, uint64_t subject)
{
  if (mode == IMS_COV_ROWS)
    return subject < (uint64_t)t->nrows ? (long)subject : -1;
  uint64_t h = ims_pop_subject_key(ims_pop_subject_key(seed, subject), 1);
  double u = (double)(h >> 11) * 0x1p-53;
  long r = (long)(u * (double)t->nrows);
  return r < t->nrows ? r : t->nrows - 1;
}

/* ---- per-subject inputs ---------------------------------------------------- */

struct ims_subjects {
  const ims_covtab_t *cov;
  int mode;
  uint64_t seed;
  const ims_schedule_t *sched;
  ims_schedule_t **per_id; /* one schedule per ID (nid > 1), else NULL */
  int nid;
  int *row_sid; /* per covariate row: the index of its ID in the schedule */
};

void ims_subjects_free(ims_subjects_t *s)
{
  if (!s)
    return;
  for (int i = 0; s->per_id && i < s->nid; i++)
    ims_schedule_free(s->per_id[i]);
  free(s->per_id);
  free(s->row_sid);
  free(s);
}

static int match_ids(ims_subjects_t *s, ims_err_t *err)
{
  const ims_covtab_t *t = s->cov;
  const ims_schedule_t *sc = s->sched;
  const char *sp = sc->path ? sc->path : "schedule";
  if (!ims_covtab_has_id(t))
    return ims_err_set(err, IMS_EINPUT,
                       "%s: the schedule doses %d subjects by ID, but the covariate table %s has "
                       "no ID column to match them; add one",
                       sp, sc->nid, t->path);
  s->row_sid = malloc((size_t)t->nrows * sizeof *s->row_sid);
  if (!s->row_sid)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (long r = 0; r < t->nrows; r++) {
    int k = 0;
    while (k < sc->nid && sc->ids[k] != t->id[r])
      k++;
    if (k == sc->nid)
      return ims_err_set(err, IMS_EINPUT,
                         "%s: ID %ld (row %ld of the covariate table) has no records in %s; "
                         "every subject of the table needs its doses",
                         t->path, t->id[r], r + 1, sp);
    s->row_sid[r] = k;
  }
  return IMS_OK;
}

int ims_subjects_alloc(ims_subjects_t **out, const ims_covtab_t *cov, int mode,
                       const ims_schedule_t *sched, uint64_t seed, uint64_t first, uint64_t last,
                       ims_err_t *err)
{
  *out = NULL;
  (void)first;
  if (mode != IMS_COV_ROWS && mode != IMS_COV_SAMPLE)
    return ims_err_set(err, IMS_EINPUT, "covariates: mode %d is not rows or sample", mode);
  ims_subjects_t *s = calloc(1, sizeof *s);
  if (!s)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->cov = cov;
  s->mode = mode;
  s->seed = seed;
  s->sched = sched;
  int rc = IMS_OK;
  if (cov && mode == IMS_COV_ROWS && last > (uint64_t)cov->nrows)
    rc = ims_err_set(err, IMS_EINPUT,
                     "--covariates %s: %llu subjects but %ld rows; with --covariates-mode rows "
                     "subject i takes row i: give fewer subjects or --covariates-mode sample",
                     cov->path, (unsigned long long)last, cov->nrows);
  if (!rc && sched && sched->nid > 1) {
    s->nid = sched->nid;
    s->per_id = calloc((size_t)s->nid, sizeof *s->per_id);
    if (!s->per_id)
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < s->nid; i++)
      rc = ims_schedule_subset(sched, i, &s->per_id[i], err);
    if (!rc && cov)
      rc = match_ids(s, err);
    else if (!rc && last > (uint64_t)s->nid)
      rc = ims_err_set(err, IMS_EINPUT,
                       "%s: %llu subjects but the schedule doses %d IDs; subject i gets the i-th "
                       "ID: give at most %d subjects (or a covariate table with IDs)",
                       sched->path ? sched->path : "schedule", (unsigned long long)last, s->nid,
                       s->nid);
  }
  if (rc) {
    ims_subjects_free(s);
    return rc;
  }
  *out = s;
  return IMS_OK;
}

int ims_subjects_setup(void *ud, uint64_t subject, double *p, const ims_schedule_t **sched,
                       ims_err_t *err)
{
  const ims_subjects_t *s = ud;
  long r = -1;
  if (s->cov) {
    r = ims_covtab_pick(s->cov, s->mode, s->seed, subject);
    if (r < 0)
      return ims_err_set(err, IMS_EINPUT, "subject %llu: no covariate row",
                         (unsigned long long)subject);
    for (int j = 0; j < s->cov->ncols; j++)
      p[s->cov->par[j]] = ims_covtab_value(s->cov, r, j);
  }
  if (s->per_id) {
    long k = s->row_sid ? s->row_sid[r] : (long)subject;
    if (k < 0 || k >= s->nid)
      return ims_err_set(err, IMS_EINPUT, "subject %llu: no ID of the schedule",
                         (unsigned long long)subject);
    *sched = s->per_id[k];
  }
  return IMS_OK;
}

int ims_subjects_id(const ims_subjects_t *s, uint64_t subject, long *id)
{
  if (s->cov && ims_covtab_has_id(s->cov)) {
    long r = ims_covtab_pick(s->cov, s->mode, s->seed, subject);
    *id = r >= 0 ? s->cov->id[r] : -1;
    return r >= 0;
  }
  if (s->per_id && subject < (uint64_t)s->nid) {
    *id = s->sched->ids[subject];
    return 1;
  }
  if (s->sched && s->sched->nid == 1) {
    *id = s->sched->ids[0];
    return 1;
  }
  return 0;
}
