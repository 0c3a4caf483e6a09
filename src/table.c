/* The row reader: libcsv splits, this file tracks lines, columns and comments. */
#include "immunosim/table.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libcsv reports fields and rows through callbacks; whole lines are fed at
 * once and the field columns are recovered afterwards from the raw bytes of
 * the row (see field_columns), so the cost stays linear in the input. */
typedef struct reader {
  const ims_table_opts_t *o;
  ims_table_row_t row;
  int cap;
  int max_fields;
  char delim;
  ims_err_t *err;
  int rc;
  const char *buf;
  size_t len;       /* of buf, which need not end in a NUL */
  long line;        /* line being fed */
  long row_line;    /* line where the current row started */
  size_t row_start; /* offset where the current row started */
  size_t line_start;
  long rows_done; /* rows libcsv has completed */
  int pending;    /* a row began on an earlier line and is not complete (a quoted newline) */
} reader_t;

static char *trim_dup(const char *s, size_t n)
{
  while (n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

static void row_clear(ims_table_row_t *r)
{
  for (int i = 0; i < r->nf; i++)
    free(r->f[i]);
  r->nf = 0;
}

static int row_grow(reader_t *r)
{
  int cap = r->cap ? 2 * r->cap : 16;
  char **f = realloc(r->row.f, (size_t)cap * sizeof *f);
  if (f)
    r->row.f = f;
  int *col = f ? realloc(r->row.col, (size_t)cap * sizeof *col) : NULL;
  if (col)
    r->row.col = col;
  if (!f || !col)
    return -1;
  r->cap = cap;
  return 0;
}

static void on_field(void *s, size_t n, void *ud)
{
  reader_t *r = ud;
  if (r->rc)
    return;
  if (r->row.nf >= r->max_fields) {
    r->rc = ims_err_set(r->err, IMS_EINPUT, "%s:%ld:1: too many columns (at most %d)", r->row.name,
                        r->line, r->max_fields);
    return;
  }
  if (r->row.nf == r->cap && row_grow(r)) {
    r->rc = ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    return;
  }
  char *f = trim_dup(s ? s : "", s ? n : 0);
  if (!f) {
    r->rc = ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    return;
  }
  r->row.col[r->row.nf] = 1;
  r->row.f[r->row.nf++] = f;
}

static int row_is_blank(const ims_table_row_t *row)
{
  for (int i = 0; i < row->nf; i++)
    if (row->f[i][0])
      return 0;
  return 1;
}

/* The 1-based column of each field's first non-blank byte: walk the row's
 * raw bytes with the quoting rules libcsv applied (a quote opens a field only
 * at its start, after blanks; "" is a quote inside a quoted field). */
static void field_columns(reader_t *r, size_t end)
{
  const char *b = r->buf;
  size_t p = r->row_start;
  size_t line_start = p;
  int k = 0, quoted = 0, at_start = 1;
  while (p < end && k < r->row.nf) {
    char c = b[p];
    int blank = c == ' ' || (c == '\t' && r->delim != '\t');
    if (at_start && !blank) {
      r->row.col[k] = (int)(p - line_start) + 1;
      at_start = 0;
      if (c == '"') {
        quoted = 1;
        p++;
        continue;
      }
    }
    if (c == '\n')
      line_start = p + 1;
    if (quoted) {
      if (c == '"' && p + 1 < end && b[p + 1] == '"')
        p++;
      else if (c == '"')
        quoted = 0;
    } else if (c == r->delim) {
      if (++k < r->row.nf)
        r->row.col[k] = (int)(p + 1 - line_start) + 1; /* an all-blank field: just after */
      at_start = 1;
    }
    p++;
  }
}

static void on_row(int c, void *ud)
{
  (void)c;
  reader_t *r = ud;
  if (!r->rc && r->row.nf > 0 && !row_is_blank(&r->row)) {
    r->row.line = r->row_line;
    const char *nl = r->line_start < r->len
                         ? memchr(r->buf + r->line_start, '\n', r->len - r->line_start)
                         : NULL;
    field_columns(r, nl ? (size_t)(nl - r->buf) : r->len);
    r->rc = r->o->row(&r->row, r->o->ud, r->err);
  }
  row_clear(&r->row);
  r->rows_done++;
}

static const char *comment_text(const char *p, const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p < end && *p == '#' ? p + 1 : NULL;
}

static int on_comment(reader_t *r, const char *text, const char *end)
{
  if (!r->o->comment)
    return 0;
  while (text < end && isspace((unsigned char)*text))
    text++;
  while (end > text && isspace((unsigned char)end[-1]))
    end--;
  char *s = malloc((size_t)(end - text) + 1);
  if (!s)
    return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  memcpy(s, text, (size_t)(end - text));
  s[end - text] = '\0';
  int rc = r->o->comment(s, r->line, r->o->ud, r->err);
  free(s);
  return rc;
}

static int blank_only(unsigned char c)
{
  return c == ' ';
}

char ims_table_detect_delim(const char *buf, size_t len)
{
  size_t a = 0;
  while (a < len) {
    size_t b = a;
    while (b < len && buf[b] != '\n')
      b++;
    const char *p = buf + a;
    while (p < buf + b && isspace((unsigned char)*p))
      p++;
    if (p < buf + b && *p != '#')
      return memchr(buf + a, '\t', b - a) && !memchr(buf + a, ',', b - a) ? '\t' : ',';
    a = b + 1;
  }
  return ',';
}

int ims_table_scan_mem(const char *name, const char *buf, size_t len, const ims_table_opts_t *o,
                       ims_err_t *err)
{
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
    return ims_err_set(err, IMS_ENOMEM, "cannot initialise the CSV parser");
  reader_t r = {.o = o, .err = err, .buf = buf, .len = len};
  r.row.name = name;
  r.max_fields = o->max_fields > 0 ? o->max_fields : IMS_TABLE_MAX_FIELDS;
  r.delim = o->delim                           ? o->delim
            : (o->flags & IMS_TABLE_AUTODELIM) ? ims_table_detect_delim(buf, len)
                                               : ',';
  csv_set_delim(&p, (unsigned char)r.delim);
  if (r.delim == '\t') /* a tab separates; it is not blank space around a field */
    csv_set_space_func(&p, blank_only);
  size_t a = 0;
  while (a < len && !r.rc) {
    size_t b = a;
    while (b < len && buf[b] != '\n')
      b++;
    if (b < len)
      b++;
    r.line++;
    r.line_start = a;
    const char *text = r.pending ? NULL : comment_text(buf + a, buf + b);
    if (text) {
      r.rc = on_comment(&r, text, buf + b);
      a = b;
      continue;
    }
    if (memchr(buf + a, '\0', b - a)) {
      r.rc = ims_err_set(err, IMS_EINPUT, "%s:%ld:1: NUL byte in a text file", name, r.line);
      break;
    }
    if (!r.pending) {
      r.row_start = a;
      r.row_line = r.line;
    }
    long before = r.rows_done;
    size_t done = csv_parse(&p, buf + a, b - a, on_field, on_row, &r);
    if (r.rows_done == before) /* nothing completed: a row goes on if this line had any text */
      for (size_t i = a; i < b && !r.pending; i++)
        r.pending = !isspace((unsigned char)buf[i]);
    else
      r.pending = 0;
    if (!r.rc && done != b - a)
      r.rc = ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%zu: malformed CSV (%s); check quotes and delimiters", name,
                         r.line, done + 1, csv_strerror(csv_error(&p)));
    a = b;
  }
  if (!r.rc) {
    r.line_start = len;
    if (csv_fini(&p, on_field, on_row, &r) != 0)
      r.rc = ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:1: malformed CSV (%s); check for an unterminated quote", name,
                         r.line, csv_strerror(csv_error(&p)));
  }
  row_clear(&r.row);
  free(r.row.f);
  free(r.row.col);
  csv_free(&p);
  return r.rc;
}

int ims_table_read_mem(const char *name, const char *buf, size_t len, ims_table_row_fn fn, void *ud,
                       ims_err_t *err)
{
  ims_table_opts_t o = {.row = fn, .ud = ud};
  return ims_table_scan_mem(name, buf, len, &o, err);
}

int ims_table_scan_file(const char *path, const ims_table_opts_t *o, ims_err_t *err)
{
  char *buf;
  size_t len;
  int rc = ims_table_slurp(path, &buf, &len, err);
  if (rc)
    return rc;
  rc = ims_table_scan_mem(path, buf, len, o, err);
  free(buf);
  return rc;
}

int ims_table_read_file(const char *path, ims_table_row_fn fn, void *ud, ims_err_t *err)
{
  ims_table_opts_t o = {.row = fn, .ud = ud};
  return ims_table_scan_file(path, &o, err);
}

int ims_table_slurp(const char *path, char **buf, size_t *len, ims_err_t *err)
{
  *buf = NULL;
  *len = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return ims_err_set(err, IMS_EIO, "%s: cannot open (%s)", path, strerror(errno));
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  while (b) {
    size_t got = fread(b + n, 1, cap - n - 1, fp);
    n += got;
    if (got == 0)
      break;
    if (n + 1 == cap) {
      char *nb = cap > (64u << 20) ? NULL : realloc(b, cap * 2);
      if (!nb) {
        free(b);
        b = NULL;
        break;
      }
      b = nb;
      cap *= 2;
    }
  }
  int bad = ferror(fp);
  fclose(fp);
  if (!b)
    return ims_err_set(err, IMS_ENOMEM, "%s: too large or out of memory", path);
  if (bad) {
    free(b);
    return ims_err_set(err, IMS_EIO, "%s: read error", path);
  }
  b[n] = '\0';
  *buf = b;
  *len = n;
  return IMS_OK;
}

void ims_table_fnv1a64_hex(const char *buf, size_t len, char out[17])
{
  unsigned long long h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)buf[i];
    h *= 1099511628211ULL;
  }
  snprintf(out, 17, "%016llx", h);
}

int ims_table_double(const char *s, double *out)
{
  if (!s || !*s)
    return -1;
  /* strtod accepts "nan", "inf" and hex floats; only decimals are data. */
  for (const char *c = s; *c; c++)
    if (!strchr("0123456789+-.eE", *c))
      return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

int ims_table_long(const char *s, long *out)
{
  if (!s || !*s)
    return -1;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end != '\0' || errno == ERANGE)
    return -1;
  *out = v;
  return 0;
}

static int same_name(const char *a, const char *b, unsigned flags)
{
  return flags & IMS_TABLE_NOCASE ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

int ims_table_header(ims_table_cols_t *c, const ims_table_row_t *row, int nrequired, ims_err_t *err)
{
  for (int k = 0; k < c->n; k++)
    c->idx[k] = -1;
  for (int i = 0; i < row->nf; i++) {
    int k = 0;
    while (k < c->n && !same_name(row->f[i], c->names[k], c->flags))
      k++;
    if (k == c->n) {
      char known[512] = "";
      for (int j = 0; j < c->n; j++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", j ? "," : "",
                 c->names[j]);
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: unknown column '%s' in the header; the columns are %s",
                         row->name, row->line, row->col[i], row->f[i], known);
    }
    if (c->idx[k] >= 0)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: duplicate column '%s' in the header",
                         row->name, row->line, row->col[i], row->f[i]);
    c->idx[k] = i;
  }
  for (int k = 0; k < nrequired; k++)
    if (c->idx[k] < 0)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: missing required column '%s' in the header",
                         row->name, row->line, c->names[k]);
  return IMS_OK;
}

const char *ims_table_field(const ims_table_cols_t *c, const ims_table_row_t *row, int k, int *col)
{
  int i = c->idx[k];
  if (i < 0 || i >= row->nf) {
    if (col)
      *col = row->nf ? row->col[row->nf - 1] : 1;
    return NULL;
  }
  if (col)
    *col = row->col[i];
  return row->f[i];
}
