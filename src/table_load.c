/* Whole tables in memory: run outputs with their '#' metadata, for plot and merge. */
#include "immunosim/table.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
  ims_table_t *t;
  unsigned flags;
  char *units; /* the '# units:' line waits for the header */
  long units_line;
  long cap;
  int mcap, dcap;
} loader_t;

static int oom(ims_err_t *err)
{
  return ims_err_set(err, IMS_ENOMEM, "out of memory");
}

static int add_dose(ims_table_t *t, int *cap, const ims_table_dose_t *d)
{
  if (t->ndose == *cap) {
    int nc = *cap ? 2 * *cap : 16;
    ims_table_dose_t *nd = realloc(t->dose, (size_t)nc * sizeof *nd);
    if (!nd)
      return -1;
    t->dose = nd;
    *cap = nc;
  }
  t->dose[t->ndose++] = *d;
  return 0;
}

/* "t=T cmt=S bolus=A UNIT" | "t=T cmt=S infusion rate=R UNIT" | "t=T cmt=S infusion end" */
static int parse_dose(loader_t *L, const char *s, long line, ims_err_t *err)
{
  ims_table_t *t = L->t;
  ims_table_dose_t d = {.amount = NAN};
  char tbuf[64];
  int off = 0;
  if (sscanf(s, "t=%63s cmt=%63s %n", tbuf, d.cmt, &off) < 2 || off == 0 ||
      ims_table_double(tbuf, &d.t0))
    return ims_err_set(
        err, IMS_EINPUT,
        "%s:%ld:1: malformed '# dose:' line; expected 't=TIME cmt=STATE bolus=AMOUNT "
        "UNIT' or 't=TIME cmt=STATE infusion rate=RATE UNIT|end'",
        t->path, line);
  const char *rest = s + off, *amt = NULL;
  if (strncmp(rest, "bolus=", 6) == 0) {
    d.t1 = d.t0;
    amt = rest + 6;
  } else if (strcmp(rest, "infusion end") == 0) {
    for (int i = 0; i < t->ndose; i++)
      if (t->dose[i].infusion && isinf(t->dose[i].t1) && strcmp(t->dose[i].cmt, d.cmt) == 0) {
        t->dose[i].t1 = d.t0;
        return 0;
      }
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: infusion end into %s without a running infusion",
                       t->path, line, d.cmt);
  } else if (strncmp(rest, "infusion", 8) == 0) {
    d.infusion = 1;
    d.t1 = INFINITY;
    rest += 8;
    while (*rest == ' ')
      rest++;
    amt = strncmp(rest, "rate=", 5) == 0 ? rest + 5 : NULL;
    if (*rest && !amt)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: malformed '# dose:' infusion '%s'", t->path,
                         line, rest);
  } else {
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:1: malformed '# dose:' line: '%s' is neither bolus= nor infusion",
                       t->path, line, rest);
  }
  if (amt) {
    char num[64] = "";
    int n = 0;
    sscanf(amt, "%63s %n", num, &n);
    if (ims_table_double(num, &d.amount))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: '# dose:' amount '%s' is not a number",
                         t->path, line, num);
    snprintf(d.unit, sizeof d.unit, "%s", n ? amt + n : "");
  }
  return add_dose(t, &L->dcap, &d) ? oom(err) : 0;
}

static int on_comment(const char *text, long line, void *ud, ims_err_t *err)
{
  loader_t *L = ud;
  ims_table_t *t = L->t;
  /* "key: value" with a key of letters, digits, '_' and '-' */
  size_t k = 0;
  while (isalnum((unsigned char)text[k]) || text[k] == '_' || text[k] == '-')
    k++;
  if (k == 0 || text[k] != ':')
    return 0;
  const char *val = text + k + 1;
  while (*val == ' ' || *val == '\t')
    val++;
  if (k == 5 && strncmp(text, "units", 5) == 0) {
    free(L->units);
    L->units = strdup(val);
    L->units_line = line;
    return L->units ? 0 : oom(err);
  }
  if (k == 4 && strncmp(text, "dose", 4) == 0)
    return parse_dose(L, val, line, err);
  if (t->nmeta == L->mcap) {
    int nc = L->mcap ? 2 * L->mcap : 16;
    ims_table_meta_t *nm = realloc(t->meta, (size_t)nc * sizeof *nm);
    if (!nm)
      return oom(err);
    t->meta = nm;
    L->mcap = nc;
  }
  ims_table_meta_t *m = &t->meta[t->nmeta];
  m->key = strndup(text, k);
  m->value = strdup(val);
  m->line = line;
  if (!m->key || !m->value) {
    free(m->key);
    free(m->value);
    return oom(err);
  }
  t->nmeta++;
  return 0;
}

static int header(loader_t *L, const ims_table_row_t *row, ims_err_t *err)
{
  ims_table_t *t = L->t;
  t->ncols = row->nf;
  t->name = calloc((size_t)row->nf, sizeof *t->name);
  t->unit = calloc((size_t)row->nf, sizeof *t->unit);
  t->numeric = calloc((size_t)row->nf, sizeof *t->numeric);
  if (!t->name || !t->unit || !t->numeric)
    return oom(err);
  for (int i = 0; i < row->nf; i++) {
    if (!row->f[i][0])
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: empty column name in the header", row->name,
                         row->line, row->col[i]);
    for (int j = 0; j < i; j++)
      if (strcmp(t->name[j], row->f[i]) == 0)
        return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: duplicate column '%s' in the header",
                           row->name, row->line, row->col[i], row->f[i]);
    if (!(t->name[i] = strdup(row->f[i])))
      return oom(err);
    t->numeric[i] = 1;
  }
  return 0;
}

static int grow_rows(loader_t *L)
{
  ims_table_t *t = L->t;
  long cap = L->cap ? 2 * L->cap : 256;
  size_t cells = (size_t)cap * (size_t)t->ncols;
  double *v = realloc(t->v, cells * sizeof *v);
  if (v)
    t->v = v;
  long *ln = v ? realloc(t->line, (size_t)cap * sizeof *ln) : NULL;
  if (ln)
    t->line = ln;
  char **tx = ln && (L->flags & IMS_TABLE_TEXT) ? realloc(t->text, cells * sizeof *tx) : NULL;
  if (tx)
    t->text = tx;
  if (!v || !ln || ((L->flags & IMS_TABLE_TEXT) && !tx))
    return -1;
  L->cap = cap;
  return 0;
}

static int on_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  loader_t *L = ud;
  ims_table_t *t = L->t;
  if (!t->name)
    return header(L, row, err);
  if (row->nf != t->ncols)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: %d fields where the header has %d", row->name,
                       row->line, row->nf > t->ncols ? row->col[t->ncols] : row->col[row->nf - 1],
                       row->nf, t->ncols);
  if (t->nrows == L->cap && grow_rows(L))
    return oom(err);
  size_t base = (size_t)t->nrows * (size_t)t->ncols;
  for (int i = 0; i < row->nf; i++) {
    const char *f = row->f[i];
    double v = NAN;
    if (*f && strcmp(f, "NaN") && strcmp(f, "nan") && ims_table_double(f, &v))
      t->numeric[i] = 0;
    t->v[base + (size_t)i] = v;
    if (t->text && !(t->text[base + (size_t)i] = strdup(f))) {
      for (int j = 0; j < i; j++)
        free(t->text[base + (size_t)j]);
      return oom(err);
    }
  }
  t->line[t->nrows++] = row->line;
  return 0;
}

/* "time=d,A1=mg": the unit of each named column (names not in the header are
 * ignored).  The line is split by the same reader, so a quoted entry may hold
 * the delimiter: "A,B=mg". */
static int on_units(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  loader_t *L = ud;
  ims_table_t *t = L->t;
  for (int i = 0; i < row->nf; i++) {
    char *entry = row->f[i], *name, *unit;
    if (!*entry)
      continue;
    if (ims_table_unit_entry(entry, &name, &unit))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: '# units:' entry '%s' is not COLUMN=UNIT",
                         t->path, L->units_line, entry);
    int k = ims_table_column(t, name);
    if (k >= 0 && !t->unit[k] && !(t->unit[k] = strdup(unit)))
      return oom(err);
  }
  return 0;
}

int ims_table_unit_entry(char *entry, char **name, char **unit)
{
  char *eq = strrchr(entry, '=');
  if (!eq)
    return -1;
  *eq = '\0';
  *name = entry;
  *unit = eq + 1;
  for (size_t n = strlen(entry); n && isspace((unsigned char)entry[n - 1]);)
    entry[--n] = '\0';
  while (isspace((unsigned char)**unit))
    (*unit)++;
  return 0;
}

static int apply_units(loader_t *L, ims_err_t *err)
{
  ims_table_opts_t o = {.row = on_units, .ud = L, .max_fields = IMS_TABLE_MAX_COLUMNS};
  return ims_table_scan_mem(L->t->path, L->units, strlen(L->units), &o, err);
}

int ims_table_load_mem(ims_table_t **out, const char *name, const char *buf, size_t len,
                       unsigned flags, ims_err_t *err)
{
  *out = NULL;
  ims_table_t *t = calloc(1, sizeof *t);
  if (!t || !(t->path = strdup(name))) {
    free(t);
    return oom(err);
  }
  loader_t L = {.t = t, .flags = flags};
  ims_table_opts_t o = {
      .row = on_row, .comment = on_comment, .ud = &L, .max_fields = IMS_TABLE_MAX_COLUMNS};
  t->delim = flags & IMS_TABLE_AUTODELIM ? ims_table_detect_delim(buf, len) : ',';
  o.delim = t->delim;
  int rc = ims_table_scan_mem(name, buf, len, &o, err);
  if (!rc && !t->name)
    rc =
        ims_err_set(err, IMS_EINPUT,
                    "%s:1:1: no header row; expected a table such as 'immunosim run' writes", name);
  if (!rc && L.units)
    rc = apply_units(&L, err);
  free(L.units);
  if (rc) {
    ims_table_free(t);
    return rc;
  }
  *out = t;
  return IMS_OK;
}

int ims_table_load_file(ims_table_t **out, const char *path, unsigned flags, ims_err_t *err)
{
  char *buf;
  size_t len;
  *out = NULL;
  int rc = ims_table_slurp(path, &buf, &len, err);
  if (rc)
    return rc;
  rc = ims_table_load_mem(out, path, buf, len, flags, err);
  free(buf);
  return rc;
}

void ims_table_free(ims_table_t *t)
{
  if (!t)
    return;
  for (int i = 0; i < t->ncols; i++) {
    free(t->name ? t->name[i] : NULL);
    free(t->unit ? t->unit[i] : NULL);
  }
  if (t->text)
    for (size_t i = 0; i < (size_t)t->nrows * (size_t)t->ncols; i++)
      free(t->text[i]);
  for (int i = 0; i < t->nmeta; i++) {
    free(t->meta[i].key);
    free(t->meta[i].value);
  }
  free(t->name);
  free(t->unit);
  free(t->numeric);
  free(t->v);
  free(t->text);
  free(t->line);
  free(t->meta);
  free(t->dose);
  free(t->path);
  free(t);
}

int ims_table_column(const ims_table_t *t, const char *name)
{
  for (int i = 0; i < t->ncols; i++)
    if (strcmp(t->name[i], name) == 0)
      return i;
  return -1;
}

const char *ims_table_meta_get(const ims_table_t *t, const char *key)
{
  for (int i = t->nmeta - 1; i >= 0; i--)
    if (strcmp(t->meta[i].key, key) == 0)
      return t->meta[i].value;
  return NULL;
}

double ims_table_value(const ims_table_t *t, long row, int col)
{
  if (row < 0 || row >= t->nrows || col < 0 || col >= t->ncols)
    return NAN;
  return t->v[(size_t)row * (size_t)t->ncols + (size_t)col];
}

void ims_table_range(const ims_table_t *t, int col, ims_table_range_t *r)
{
  *r = (ims_table_range_t){0, INFINITY, -INFINITY, INFINITY};
  if (col < 0 || col >= t->ncols)
    return;
  for (long i = 0; i < t->nrows; i++) {
    double v = t->v[(size_t)i * (size_t)t->ncols + (size_t)col];
    if (!isfinite(v))
      continue;
    r->n++;
    r->min = v < r->min ? v : r->min;
    r->max = v > r->max ? v : r->max;
    if (v > 0 && v < r->minpos)
      r->minpos = v;
  }
}
