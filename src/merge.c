#include "immunosim/merge.h"

#include "immunosim/bands.h"
#include "immunosim/report.h"
#include "immunosim/table.h"
#include "popio.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what population writes ---- */

int ims__bands_percentiles(ims_output_t *o, ims_bands_t *b, const ims__bandcols_t *c, uint64_t nok,
                           ims_err_t *err)
{
  int nc = c->ncols, nf = 1 + nc * IMS_BANDS_NP;
  const char **names = calloc((size_t)nf, sizeof *names);
  const char **units = calloc((size_t)nf, sizeof *units);
  char *store = calloc((size_t)nf, 128);
  double *row = calloc((size_t)nf, sizeof *row);
  int rc =
      (!names || !units || !store || !row) ? ims_err_set(err, IMS_ENOMEM, "out of memory") : IMS_OK;
  if (!rc) {
    if (ims_bands_exact(b))
      ims_output_comment(o,
                         "bands: exact percentiles (type 7, linear between order statistics) "
                         "over %" PRIu64 " subjects",
                         nok);
    else {
      int L = ims_bands_level(b), k = IMS_BANDS_MANTISSA_BITS - L;
      ims_output_comment(o,
                         "bands: percentiles (type 7) over %" PRIu64
                         " subjects from log-spaced histograms (integer counts, at most 2 x %d "
                         "bins per time and column); relative accuracy 2^-%d = %.2f %%%s",
                         nok, IMS_BANDS_BINS, k, 100.0 / (1 << k),
                         L ? " (the widest cells; 0.39 % where values span a factor <= 256)" : "");
    }
    names[0] = "time";
    units[0] = c->time_unit;
    for (int j = 0; j < nc; j++)
      for (int k = 0; k < IMS_BANDS_NP; k++) {
        int f = 1 + j * IMS_BANDS_NP + k;
        char *nm = store + (size_t)f * 128;
        /* ims_bands_suffix is "_p05": the base name and "p05" joined by '_' */
        ims_column_name(nm, 128, c->names[j], ims_bands_suffix[k] + 1);
        names[f] = nm;
        units[f] = c->units[j];
      }
    ims_output_header(o, nf, names, units);
    for (size_t it = 0; it < c->ntimes && !rc; it++) {
      row[0] = c->times[it];
      for (int j = 0; j < nc; j++)
        for (int k = 0; k < IMS_BANDS_NP; k++) {
          double q = ims_bands_quantile(b, it * (size_t)nc + (size_t)j, ims_bands_p[k]);
          row[1 + j * IMS_BANDS_NP + k] = c->scale[j] * q + c->offset[j];
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

int ims__bands_state(ims_output_t *o, ims_bands_t *b, const ims__bandcols_t *c, ims_err_t *err)
{
  char s1[IMS_NUMBUF], s2[IMS_NUMBUF], *buf = NULL;
  size_t cap = 0;
  ims_output_comment(o, "shard-cells: times=%zu columns=%d", c->ntimes, c->ncols);
  ims_output_comment(o, "shard-column: time,%s,,", c->time_unit);
  for (int j = 0; j < c->ncols; j++)
    ims_output_comment(o, "shard-column: %s,%s,%s,%s", c->names[j], c->units[j],
                       ims_fmt_num(s1, c->scale[j]), ims_fmt_num(s2, c->offset[j]));
  int l = 0;
  char head[512];
  l += snprintf(head, sizeof head, "time,column");
  for (int k = 0; k < ims_bands_nfields(b); k++)
    l += snprintf(head + l, sizeof head - (size_t)l, ",%s", ims_bands_field_name(b, k));
  int bad = ims_output_line(o, "%s", head), rc = IMS_OK;
  for (size_t it = 0; it < c->ntimes && !rc && !bad; it++)
    for (int j = 0; j < c->ncols && !rc && !bad; j++) {
      rc = ims_bands_cell_text(b, it * (size_t)c->ncols + (size_t)j, &buf, &cap, err);
      if (!rc)
        bad = ims_output_line(o, "%s,%s,%s", ims_fmt_num(s1, c->times[it]), c->names[j], buf);
    }
  free(buf);
  if (!rc && bad)
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(o));
  return rc;
}

void ims__shard_write(ims_output_t *o, const ims__shard_t *s)
{
  const ims_stats_t *t = &s->stats;
  char counts[400] = "";
  if (s->kind == IMS__SHARD_BANDS)
    snprintf(counts, sizeof counts,
             " ok=%" PRIu64 " failed=%" PRIu64
             " steps=%ld rhs=%ld jac=%ld restarts=%ld roots=%ld ss=%ld etf=%ld ncf=%ld bands=%s",
             s->ok, s->failed, t->steps, t->rhs_evals, t->jac_evals, t->restarts, t->roots,
             t->ss_intervals, t->err_test_fails, t->nonlin_conv_fails,
             s->exact ? "exact" : "histogram");
  ims_output_comment(o,
                     "shard: %s subjects=%" PRIu64 ":%" PRIu64 " of %" PRIu64
                     "%s format=%s metadata=%s (combine the shards with 'immunosim merge')",
                     s->kind == IMS__SHARD_BANDS ? "bands" : "per-subject", s->first, s->last, s->n,
                     counts, s->tsv ? "tsv" : "csv", s->metadata ? "yes" : "no");
}

int ims__shard_parse(const char *text, ims__shard_t *s)
{
  memset(s, 0, sizeof *s);
  char kind[32], fmt[8], meta[8], mode[16] = "";
  ims_stats_t *t = &s->stats;
  int k = 0;
  if (sscanf(text, "%31s subjects=%" SCNu64 ":%" SCNu64 " of %" SCNu64 "%n", kind, &s->first,
             &s->last, &s->n, &k) != 4)
    return -1;
  const char *p = text + k;
  if (!strcmp(kind, "bands")) {
    s->kind = IMS__SHARD_BANDS;
    int k2 = 0;
    if (sscanf(p,
               " ok=%" SCNu64 " failed=%" SCNu64
               " steps=%ld rhs=%ld jac=%ld restarts=%ld roots=%ld ss=%ld etf=%ld ncf=%ld "
               "bands=%15s%n",
               &s->ok, &s->failed, &t->steps, &t->rhs_evals, &t->jac_evals, &t->restarts, &t->roots,
               &t->ss_intervals, &t->err_test_fails, &t->nonlin_conv_fails, mode, &k2) != 11)
      return -1;
    p += k2;
    if (strcmp(mode, "exact") && strcmp(mode, "histogram"))
      return -1;
    s->exact = !strcmp(mode, "exact");
  } else if (!strcmp(kind, "per-subject")) {
    s->kind = IMS__SHARD_SUBJECTS;
  } else {
    return -1;
  }
  if (sscanf(p, " format=%7s metadata=%7s", fmt, meta) != 2 ||
      (strcmp(fmt, "csv") && strcmp(fmt, "tsv")) || (strcmp(meta, "yes") && strcmp(meta, "no")) ||
      s->first >= s->last || s->last > s->n)
    return -1;
  s->tsv = !strcmp(fmt, "tsv");
  s->metadata = !strcmp(meta, "yes");
  return 0;
}

/* ---- merge ---- */

typedef struct line {
  char *text;
  long no;
} line_t;

typedef struct shard {
  const char *path;
  ims__shard_t sh;
  line_t *desc; /* every comment but the shard line, in order */
  int ndesc;
  long shard_line;
} shard_t;

struct ims_merge {
  shard_t *s;
  int n;
  ims_merge_summary_t sum;
  /* bands */
  ims_bands_t *b;
  size_t ntimes;
  int ncols;
  char **names, **units;
  double *scale, *offset, *times;
  char *time_unit;
  /* reading */
  int cur;
  uint64_t next;
  size_t cell;
  ims_output_t *o;
  int header_done;
};

static void shard_free(shard_t *s)
{
  for (int i = 0; i < s->ndesc; i++)
    free(s->desc[i].text);
  free(s->desc);
}

void ims_merge_free(ims_merge_t *m)
{
  if (!m)
    return;
  for (int i = 0; i < m->n; i++)
    shard_free(&m->s[i]);
  free(m->s);
  for (int j = 0; m->names && j < m->ncols; j++) {
    free(m->names[j]);
    free(m->units[j]);
  }
  free(m->names);
  free(m->units);
  free(m->scale);
  free(m->offset);
  free(m->times);
  free(m->time_unit);
  ims_bands_free(m->b);
  free(m);
}

#define STOP 1 /* a row callback's "enough": not an error */

static int on_desc(const char *text, long line, void *ud, ims_err_t *err)
{
  shard_t *s = ud;
  if (!strncmp(text, "shard:", 6)) {
    if (s->shard_line)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: a second '# shard:' line", s->path, line);
    s->shard_line = line;
    const char *p = text + 6;
    while (*p == ' ')
      p++;
    if (ims__shard_parse(p, &s->sh))
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:3: a malformed '# shard:' line; was it edited? (population "
                         "--subjects writes it)",
                         s->path, line);
    return IMS_OK;
  }
  line_t *d = realloc(s->desc, (size_t)(s->ndesc + 1) * sizeof *d);
  if (!d)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->desc = d;
  d[s->ndesc].text = strdup(text);
  d[s->ndesc].no = line;
  if (!d[s->ndesc].text)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->ndesc++;
  return IMS_OK;
}

static int stop_at_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  (void)row;
  (void)ud;
  (void)err;
  return STOP;
}

static int read_desc(shard_t *s, ims_err_t *err)
{
  ims_table_opts_t o = {.row = stop_at_row, .comment = on_desc, .ud = s, .flags = 0};
  int rc = ims_table_scan_file(s->path, &o, err);
  if (rc == STOP)
    rc = IMS_OK;
  if (!rc && !s->shard_line)
    rc = ims_err_set(err, IMS_EINPUT,
                     "%s: not a shard: no '# shard:' line (population --subjects A:B writes "
                     "mergeable shards)",
                     s->path);
  return rc;
}

static int cmp_first(const void *a, const void *b)
{
  const shard_t *x = a, *y = b;
  return (x->sh.first > y->sh.first) - (x->sh.first < y->sh.first);
}

/* Every shard's description equals the first's. */
static int same_run(const ims_merge_t *m, ims_err_t *err)
{
  const shard_t *a = &m->s[0];
  for (int i = 1; i < m->n; i++) {
    const shard_t *b = &m->s[i];
    if (b->sh.kind != a->sh.kind)
      return ims_err_set(err, IMS_EINPUT,
                         "%s holds %s, %s %s: merge the bands shards and the per-subject shards "
                         "separately",
                         a->path, a->sh.kind == IMS__SHARD_BANDS ? "bands" : "per-subject rows",
                         b->path, b->sh.kind == IMS__SHARD_BANDS ? "bands" : "per-subject rows");
    if (b->sh.n != a->sh.n || b->sh.exact != a->sh.exact || b->sh.tsv != a->sh.tsv ||
        b->sh.metadata != a->sh.metadata)
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld: another run than %s: N, band mode, format or metadata differ",
                         b->path, b->shard_line, a->path);
    for (int k = 0; k < a->ndesc || k < b->ndesc; k++) {
      const char *x = k < a->ndesc ? a->desc[k].text : NULL;
      const char *y = k < b->ndesc ? b->desc[k].text : NULL;
      if (x && y && !strcmp(x, y))
        continue;
      if (!y)
        return ims_err_set(err, IMS_EINPUT,
                           "%s: another run than %s: it lacks '# %.200s' (%s:%ld); shards must "
                           "come from one command",
                           b->path, a->path, x, a->path, a->desc[k].no);
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld: another run than %s: '# %.200s' where %s:%ld has '# %.200s'; "
                         "shards must come from one command (same model, parameters, seed, "
                         "times and options)",
                         b->path, b->desc[k].no, a->path, y, a->path, x ? a->desc[k].no : 0L,
                         x ? x : "(nothing)");
    }
  }
  return IMS_OK;
}

/* The shards, in subject order, cover 0..N-1 exactly once. */
static int coverage(ims_merge_t *m, ims_err_t *err)
{
  qsort(m->s, (size_t)m->n, sizeof *m->s, cmp_first);
  uint64_t at = 0, n = m->s[0].sh.n;
  for (int i = 0; i < m->n; i++) {
    const ims__shard_t *s = &m->s[i].sh;
    if (s->first > at)
      return ims_err_set(
          err, IMS_EINPUT,
          "subjects %" PRIu64 ":%" PRIu64 " (0-based, end excluded) are missing%s%s; "
          "run that shard and merge again",
          at, s->first, i ? ": between " : ": before ", i ? m->s[i - 1].path : m->s[i].path);
    if (s->first < at)
      return ims_err_set(err, IMS_EINPUT,
                         "%s (subjects %" PRIu64 ":%" PRIu64 ") and %s (%" PRIu64 ":%" PRIu64
                         ") overlap in %" PRIu64 ":%" PRIu64 "; give each subject once",
                         m->s[i - 1].path, m->s[i - 1].sh.first, m->s[i - 1].sh.last, m->s[i].path,
                         s->first, s->last, s->first, s->last < at ? s->last : at);
    at = s->last;
  }
  if (at < n)
    return ims_err_set(err, IMS_EINPUT,
                       "subjects %" PRIu64 ":%" PRIu64 " (0-based, end excluded) are missing: "
                       "after %s; run that shard and merge again",
                       at, n, m->s[m->n - 1].path);
  return IMS_OK;
}

/* The columns of the bands shards ("# shard-column: NAME,UNIT,SCALE,OFFSET"). */
static int band_columns(ims_merge_t *m, ims_err_t *err)
{
  const shard_t *s = &m->s[0];
  long nt = -1, ncol = -1;
  for (int k = 0; k < s->ndesc; k++)
    if (sscanf(s->desc[k].text, "shard-cells: times=%ld columns=%ld", &nt, &ncol) == 2)
      break;
  if (nt <= 0 || ncol <= 0 || ncol > 100000)
    return ims_err_set(err, IMS_EINPUT, "%s: no valid '# shard-cells:' line", s->path);
  m->ntimes = (size_t)nt;
  m->ncols = (int)ncol;
  m->names = calloc((size_t)ncol, sizeof *m->names);
  m->units = calloc((size_t)ncol, sizeof *m->units);
  m->scale = calloc((size_t)ncol, sizeof *m->scale);
  m->offset = calloc((size_t)ncol, sizeof *m->offset);
  m->times = calloc((size_t)nt, sizeof *m->times);
  if (!m->names || !m->units || !m->scale || !m->offset || !m->times)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  int j = -1;
  for (int k = 0; k < s->ndesc; k++) {
    const char *t = s->desc[k].text;
    if (strncmp(t, "shard-column: ", 14))
      continue;
    char f[4][256];
    const char *p = t + 14;
    int nf = 0;
    for (; nf < 4; nf++) {
      size_t l = strcspn(p, ",");
      if (l >= sizeof f[nf])
        break;
      memcpy(f[nf], p, l);
      f[nf][l] = '\0';
      p += l;
      if (*p != ',') {
        nf++;
        break;
      }
      p++;
    }
    int ok = nf == 4 && !*p && j < m->ncols;
    if (ok && j == -1) {
      ok = !strcmp(f[0], "time") && (m->time_unit = strdup(f[1])) != NULL;
    } else if (ok) {
      ok = j < m->ncols && !ims_table_double(f[2], &m->scale[j]) &&
           !ims_table_double(f[3], &m->offset[j]) && (m->names[j] = strdup(f[0])) &&
           (m->units[j] = strdup(f[1]));
    }
    if (!ok)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld: a malformed '# shard-column:' line", s->path,
                         s->desc[k].no);
    j++;
  }
  if (j != m->ncols)
    return ims_err_set(err, IMS_EINPUT, "%s: %d '# shard-column:' lines for %d columns", s->path, j,
                       m->ncols);
  return IMS_OK;
}

int ims_merge_alloc(ims_merge_t **out, const char *const *paths, int n, ims_err_t *err)
{
  *out = NULL;
  if (n < 1)
    return ims_err_set(err, IMS_EINPUT, "merge: give the shard files (population --subjects A:B)");
  ims_merge_t *m = calloc(1, sizeof *m);
  if (!m || !(m->s = calloc((size_t)n, sizeof *m->s))) {
    free(m);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  m->n = n;
  int rc = IMS_OK;
  for (int i = 0; !rc && i < n; i++) {
    for (int j = 0; j < i; j++)
      if (!strcmp(paths[i], paths[j]))
        rc = ims_err_set(err, IMS_EINPUT, "%s: given twice", paths[i]);
    m->s[i].path = paths[i];
    rc = rc ? rc : read_desc(&m->s[i], err);
  }
  rc = rc ? rc : same_run(m, err);
  rc = rc ? rc : coverage(m, err);
  int bands = !rc && m->s[0].sh.kind == IMS__SHARD_BANDS;
  rc = rc || !bands ? rc : band_columns(m, err);
  if (!rc && bands)
    rc = ims_bands_alloc_mode(&m->b, m->ntimes, m->ncols, (size_t)m->s[0].sh.n, m->s[0].sh.exact,
                              err);
  if (rc) {
    ims_merge_free(m);
    return rc;
  }
  m->sum.nshards = n;
  m->sum.bands = bands;
  m->sum.n = m->s[0].sh.n;
  m->sum.exact = m->s[0].sh.exact;
  *out = m;
  return IMS_OK;
}

int ims_merge_format(const ims_merge_t *m)
{
  const ims__shard_t *s = &m->s[0].sh;
  return (s->tsv ? IMS_FMT_TSV : IMS_FMT_CSV) | (s->metadata ? 0 : IMS_OUT_NO_META);
}

void ims_merge_summary(const ims_merge_t *m, ims_merge_summary_t *s)
{
  *s = m->sum;
}

/* A bands shard's row: time, column, the cell's fields. */
static int on_band_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  ims_merge_t *m = ud;
  const shard_t *s = &m->s[m->cur];
  int nf = 2 + ims_bands_nfields(m->b);
  if (m->cell == (size_t)-1) { /* the header */
    int ok = row->nf == nf && !strcmp(row->f[0], "time") && !strcmp(row->f[1], "column");
    for (int k = 2; ok && k < nf; k++)
      ok = !strcmp(row->f[k], ims_bands_field_name(m->b, k - 2));
    m->cell = 0;
    return ok ? IMS_OK
              : ims_err_set(err, IMS_EINPUT, "%s:%ld:1: not the header of a bands shard", s->path,
                            row->line);
  }
  size_t ncells = m->ntimes * (size_t)m->ncols, it = m->cell / (size_t)m->ncols;
  int j = (int)(m->cell % (size_t)m->ncols);
  if (m->cell >= ncells)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: more rows than the %zu cells", s->path,
                       row->line, ncells);
  if (row->nf != nf)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: %d fields where a cell has %d", s->path,
                       row->line, row->nf, nf);
  double t;
  if (ims_table_double(row->f[0], &t))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: '%s' is not a time", s->path, row->line,
                       row->col[0], row->f[0]);
  if (m->cur == 0 && j == 0)
    m->times[it] = t;
  else if (t != m->times[it])
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: time %s where the first shard has %.17g",
                       s->path, row->line, row->col[0], row->f[0], m->times[it]);
  if (strcmp(row->f[1], m->names[j]))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: column '%s' where '%s' is due", s->path,
                       row->line, row->col[1], row->f[1], m->names[j]);
  int bad = 0;
  ims_err_t e = {0};
  if (ims_bands_cell_parse(m->b, m->cell, (const char *const *)row->f + 2, nf - 2, &bad, &e))
    return ims_err_set(err, e.code, "%s:%ld:%d: %s", s->path, row->line, row->col[2 + bad], e.msg);
  m->cell++;
  return IMS_OK;
}

/* A per-subject shard's row: the header (once), then subjects in order. */
static int on_subject_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  ims_merge_t *m = ud;
  const shard_t *s = &m->s[m->cur];
  int header = !m->header_done;
  m->header_done = 1;
  if (header && (row->nf < 2 || strcmp(row->f[0], "subject") || strcmp(row->f[1], "status")))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: not the header of a per-subject table", s->path,
                       row->line);
  if (header && m->cur > 0) /* the same in every shard (the units line was compared) */
    return IMS_OK;
  size_t len = 0;
  for (int k = 0; k < row->nf; k++)
    len += strlen(row->f[k]) + 1;
  char *line = malloc(len + 1);
  if (!line)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  size_t l = 0;
  for (int k = 0; k < row->nf; k++)
    l += (size_t)sprintf(line + l, "%s%s", k ? "," : "", row->f[k]);
  int rc = IMS_OK;
  if (!header) { /* a subject's row */
    long id;
    if (ims_table_long(row->f[0], &id) || (uint64_t)id != m->next || m->next >= s->sh.last)
      rc = ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: subject '%s' where %" PRIu64 " is due", s->path,
                       row->line, row->col[0], row->f[0], m->next);
    else if (!strcmp(row->f[1], "failed"))
      m->sum.failed++;
    else
      m->sum.ok++;
    m->next++;
  }
  if (!rc && ims_output_line(m->o, "%s", line))
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(m->o));
  free(line);
  return rc;
}

int ims_merge_write(ims_merge_t *m, ims_output_t *o, ims_err_t *err)
{
  int bands = m->sum.bands, rc = IMS_OK;
  m->o = o;
  m->next = 0;
  /* the run's description: the first shard's comments but its own */
  const shard_t *s0 = &m->s[0];
  for (int k = 0; k < s0->ndesc; k++) {
    const char *t = s0->desc[k].text;
    if (bands && (!strncmp(t, "shard-cells:", 12) || !strncmp(t, "shard-column:", 13)))
      continue;
    ims_output_comment(o, "%s", t);
  }
  for (int i = 0; !rc && i < m->n; i++) {
    const shard_t *s = &m->s[i];
    m->cur = i;
    m->cell = (size_t)-1;
    m->header_done = 0;
    ims_table_opts_t to = {
        .row = bands ? on_band_row : on_subject_row, .ud = m, .max_fields = IMS_TABLE_MAX_COLUMNS};
    rc = ims_table_scan_file(s->path, &to, err);
    if (!rc && bands && m->cell != m->ntimes * (size_t)m->ncols)
      rc = ims_err_set(err, IMS_EINPUT, "%s: %zu of %zu cells", s->path,
                       m->cell == (size_t)-1 ? 0 : m->cell, m->ntimes * (size_t)m->ncols);
    if (!rc && !bands && m->next != s->sh.last)
      rc = ims_err_set(err, IMS_EINPUT, "%s: subjects up to %" PRIu64 " of %" PRIu64 ":%" PRIu64,
                       s->path, m->next, s->sh.first, s->sh.last);
    if (bands) {
      m->sum.ok += s->sh.ok;
      m->sum.failed += s->sh.failed;
      ims_stats_add(&m->sum.stats, &s->sh.stats);
    }
  }
  if (!rc && bands) {
    ims__bandcols_t c = {m->ntimes,
                         m->times,
                         m->time_unit,
                         m->ncols,
                         (const char *const *)m->names,
                         (const char *const *)m->units,
                         m->scale,
                         m->offset};
    for (size_t i = 0; !rc && i < ims_bands_ncells(m->b); i++)
      if (ims_bands_count(m->b, i) > m->sum.ok)
        rc = ims_err_set(err, IMS_EINPUT,
                         "the shards' cells hold more values than their %" PRIu64 " subjects",
                         m->sum.ok);
    rc = rc ? rc : ims__bands_percentiles(o, m->b, &c, m->sum.ok, err);
    m->sum.level = ims_bands_level(m->b);
    m->sum.mb = (double)ims_bands_bytes(m->b) / 1048576.0;
    m->sum.bound_mb = (double)ims_bands_bound(m->b) / 1048576.0;
  }
  return rc;
}
