#include "csvread.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row is assembled field by field from libcsv's callbacks; the byte
 * offset of each field's start is tracked by feeding one line at a time. */
typedef struct reader {
  ims__csv_row_t row;
  ims__csv_row_fn fn;
  void *ud;
  ims_err_t *err;
  int rc;
  long line;          /* line being fed */
  long row_line;      /* line where the current row started */
  size_t line_start;  /* offset of the current line in the buffer */
  size_t field_start; /* offset where the next field starts */
  const char *buf;
  size_t pos; /* offset just past the byte being parsed */
  int in_row;
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

static void row_clear(ims__csv_row_t *r)
{
  for (int i = 0; i < r->nf; i++)
    free(r->f[i]);
  r->nf = 0;
}

static void on_field(void *s, size_t n, void *ud)
{
  reader_t *r = ud;
  if (r->rc)
    return;
  if (!r->in_row) {
    r->in_row = 1;
    r->row_line = r->line;
  }
  if (r->row.nf >= IMS__CSV_MAX_FIELDS) {
    r->rc = ims_err_set(r->err, IMS_EINPUT, "%s:%ld:%zu: too many columns (at most %d)",
                        r->row.name, r->line, r->pos - r->line_start, IMS__CSV_MAX_FIELDS);
    return;
  }
  char *f = trim_dup(s ? s : "", s ? n : 0);
  if (!f) {
    r->rc = ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    return;
  }
  size_t start = r->field_start >= r->line_start ? r->field_start - r->line_start : 0;
  r->row.col[r->row.nf] = (int)start + 1;
  r->row.f[r->row.nf++] = f;
  r->field_start = r->pos;
}

static int row_is_blank(const ims__csv_row_t *row)
{
  for (int i = 0; i < row->nf; i++)
    if (row->f[i][0])
      return 0;
  return 1;
}

static void on_row(int c, void *ud)
{
  (void)c;
  reader_t *r = ud;
  if (!r->rc && r->row.nf > 0 && !row_is_blank(&r->row)) {
    r->row.line = r->row_line;
    r->rc = r->fn(&r->row, r->ud, r->err);
  }
  row_clear(&r->row);
  r->in_row = 0;
  r->field_start = r->pos;
}

static int is_comment_line(const char *p, const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p < end && *p == '#';
}

/* Feed byte by byte so field start columns are exact; inputs are small. */
static int feed_line(struct csv_parser *p, reader_t *r, size_t a, size_t b)
{
  for (size_t i = a; i < b && !r->rc; i++) {
    r->pos = i + 1;
    if (csv_parse(p, r->buf + i, 1, on_field, on_row, r) != 1)
      return ims_err_set(r->err, IMS_EINPUT,
                         "%s:%ld:%zu: malformed CSV (%s); check quotes and delimiters", r->row.name,
                         r->line, i - r->line_start + 1, csv_strerror(csv_error(p)));
  }
  return r->rc;
}

int ims__csv_read_mem(const char *name, const char *buf, size_t len, ims__csv_row_fn fn, void *ud,
                      ims_err_t *err)
{
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
    return ims_err_set(err, IMS_ENOMEM, "cannot initialise the CSV parser");
  reader_t r = {.fn = fn, .ud = ud, .err = err, .buf = buf, .line = 0};
  r.row.name = name;
  size_t a = 0;
  int quoted = 0; /* inside a quoted field spanning lines: no comment check */
  while (a < len && !r.rc) {
    size_t b = a;
    while (b < len && buf[b] != '\n')
      b++;
    if (b < len)
      b++;
    r.line++;
    r.line_start = a;
    if (!r.in_row)
      r.field_start = a;
    if (!quoted && !r.in_row && is_comment_line(buf + a, buf + b)) {
      a = b;
      continue;
    }
    if (memchr(buf + a, '\0', b - a)) {
      r.rc = ims_err_set(err, IMS_EINPUT, "%s:%ld:1: NUL byte in a text file", name, r.line);
      break;
    }
    feed_line(&p, &r, a, b);
    for (size_t i = a; i < b; i++)
      if (buf[i] == '"')
        quoted = !quoted;
    a = b;
  }
  if (!r.rc) {
    r.pos = len;
    if (csv_fini(&p, on_field, on_row, &r) != 0)
      r.rc = ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:1: malformed CSV (%s); check for an unterminated quote", name,
                         r.line, csv_strerror(csv_error(&p)));
  }
  row_clear(&r.row);
  csv_free(&p);
  return r.rc;
}

int ims__slurp(const char *path, char **buf, size_t *len, ims_err_t *err)
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

void ims__fnv1a64_hex(const char *buf, size_t len, char out[17])
{
  unsigned long long h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)buf[i];
    h *= 1099511628211ULL;
  }
  snprintf(out, 17, "%016llx", h);
}

int ims__csv_read_file(const char *path, ims__csv_row_fn fn, void *ud, ims_err_t *err)
{
  char *buf;
  size_t len;
  int rc = ims__slurp(path, &buf, &len, err);
  if (rc)
    return rc;
  rc = ims__csv_read_mem(path, buf, len, fn, ud, err);
  free(buf);
  return rc;
}

int ims__parse_double(const char *s, double *out)
{
  if (!s || !*s)
    return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
    return -1;
  /* strtod accepts "nan", "inf" and hex floats; only decimals are data. */
  for (const char *c = s; *c; c++)
    if (!strchr("0123456789+-.eE", *c))
      return -1;
  *out = v;
  return 0;
}

int ims__parse_long(const char *s, long *out)
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

int ims__csv_header(ims__csv_cols_t *c, const ims__csv_row_t *row, int nrequired, ims_err_t *err)
{
  for (int k = 0; k < c->n; k++)
    c->idx[k] = -1;
  for (int i = 0; i < row->nf; i++) {
    int k = 0;
    while (k < c->n && strcmp(row->f[i], c->names[k]) != 0)
      k++;
    if (k == c->n)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: unknown column '%s' in the header", row->name,
                         row->line, row->col[i], row->f[i]);
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

const char *ims__csv_field(const ims__csv_cols_t *c, const ims__csv_row_t *row, int k, int *col)
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
