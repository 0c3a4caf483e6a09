#include "immunosim/output.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ims_output {
  FILE *fp;
  char *path; /* as given; NULL for stdout */
  char *tmp;  /* temporary file renamed to path on commit; NULL when written in place */
  char sep;
  int meta;   /* write '#' lines */
  int failed; /* a write failed */
  int err_no; /* errno of the first failed write */
  ims_outset_t *group;
  ims_output_t *next; /* in the group */
  char *mem;          /* a memory output's buffer (open_memstream) */
  size_t memlen;
  int is_mem;
};

static void note_failure(ims_output_t *o);

struct ims_outset {
  ims_output_t *first, *last;
  ims_tmpfile_fn fn;
  void *ud;
};

const char *ims_output_name(const ims_output_t *o)
{
  return o->path ? o->path : "standard output";
}

int ims_output_failed(const ims_output_t *o)
{
  return o->failed;
}

static void tell(const ims_output_t *o, int created)
{
  if (o->group && o->group->fn && o->tmp)
    o->group->fn(o->group->ud, o->tmp, created);
}

static void release(ims_output_t *o)
{
  free(o->mem);
  free(o->path);
  free(o->tmp);
  free(o);
}

static int open_output(ims_output_t **out, ims_outset_t *g, const char *path, int format,
                       ims_err_t *err)
{
  *out = NULL;
  if (!path || !*path)
    return ims_err_set(err, IMS_EINPUT,
                       "an output path is empty; give a file name, or '-' for standard output");
  ims_output_t *o = calloc(1, sizeof *o);
  if (!o)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  o->sep = (format & 0xff) == IMS_FMT_TSV ? '\t' : ',';
  o->meta = !(format & IMS_OUT_NO_META);
  o->group = g;
  if (strcmp(path, "-") == 0) {
    o->fp = stdout;
    *out = o;
    return IMS_OK;
  }
  o->path = strdup(path);
  if (!o->path) {
    release(o);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    release(o);
    return ims_err_set(err, IMS_EINPUT, "%s: is a directory; give a file name", path);
  }
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    o->fp = fopen(path, "w");
    if (!o->fp) {
      int e = errno;
      release(o);
      return ims_err_set(err, IMS_EIO, "%s: cannot open the output (%s)", path, strerror(e));
    }
    *out = o;
    return IMS_OK;
  }
  size_t n = strlen(path);
  o->tmp = malloc(n + 16);
  if (!o->tmp) {
    release(o);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    int e = errno;
    free(o->tmp);
    o->tmp = NULL;
    release(o);
    return ims_err_set(err, IMS_EIO,
                       "%s: cannot create the output file (%s); check the directory exists and "
                       "is writable",
                       path, strerror(e));
  }
  tell(o, 1);
  fchmod(fd, 0644); /* mkstemp makes 0600; outputs are ordinary files */
  o->fp = fdopen(fd, "w");
  if (!o->fp) {
    close(fd);
    ims_output_abort(o);
    return ims_err_set(err, IMS_EIO, "%s: cannot open the output file", path);
  }
  *out = o;
  return IMS_OK;
}

int ims_output_open(ims_output_t **out, const char *path, int format, ims_err_t *err)
{
  return open_output(out, NULL, path, format, err);
}

int ims_output_open_mem(ims_output_t **out, int format, ims_err_t *err)
{
  ims_output_t *o = calloc(1, sizeof *o);
  if (o) {
    o->sep = (format & 0xff) == IMS_FMT_TSV ? '\t' : ',';
    o->meta = !(format & IMS_OUT_NO_META);
    o->fp = open_memstream(&o->mem, &o->memlen);
    o->is_mem = 1;
  }
  if (!o || !o->fp) {
    free(o);
    *out = NULL;
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  *out = o;
  return IMS_OK;
}

const char *ims_output_mem(ims_output_t *o, size_t *len)
{
  if (!o->is_mem)
    return NULL;
  if (o->fp && fflush(o->fp) != 0)
    note_failure(o);
  *len = o->memlen;
  return o->mem;
}

int ims_output_raw(ims_output_t *o, const char *buf, size_t len)
{
  if (len && fwrite(buf, 1, len, o->fp) != len)
    note_failure(o);
  return o->failed ? -1 : 0;
}

static void note_failure(ims_output_t *o)
{
  if (!o->failed)
    o->err_no = errno;
  o->failed = 1;
}

int ims_output_comment(ims_output_t *o, const char *fmt, ...)
{
  if (!o->meta)
    return 0;
  va_list ap;
  va_start(ap, fmt);
  if (fputs("# ", o->fp) == EOF || vfprintf(o->fp, fmt, ap) < 0 || fputc('\n', o->fp) == EOF)
    note_failure(o);
  va_end(ap);
  return o->failed ? -1 : 0;
}

int ims_output_line(ims_output_t *o, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (!o->meta && fmt[0] == '#' && fmt[1] == ' ') {
    va_end(ap);
    return 0;
  }
  if (vfprintf(o->fp, fmt, ap) < 0 || fputc('\n', o->fp) == EOF)
    note_failure(o);
  va_end(ap);
  return o->failed ? -1 : 0;
}

int ims_output_header(ims_output_t *o, int n, const char *const *names, const char *const *units)
{
  if (o->meta) {
    fputs("# units: ", o->fp);
    for (int i = 0; i < n; i++)
      fprintf(o->fp, "%s%s=%s", i ? "," : "", names[i], units[i]);
    fputc('\n', o->fp);
  }
  for (int i = 0; i < n; i++) {
    if (i)
      fputc(o->sep, o->fp);
    fputs(names[i], o->fp);
  }
  if (fputc('\n', o->fp) == EOF)
    note_failure(o);
  return o->failed ? -1 : 0;
}

/* d[0..17) rounded to p digits in place (the exponent *x grows when a
 * carry runs out of digits).  0 when the dropped digits are exactly half a
 * unit: the 17-digit string hides which way the exact value lies, and
 * printf must decide. */
static int round_digits(char *d, int p, int *x)
{
  int half = d[p] == '5', above = d[p] > '5';
  for (int i = p + 1; i < 17 && half; i++)
    if (d[i] != '0')
      half = 0, above = 1;
  if (half)
    return 0;
  if (above) {
    int i = p - 1;
    while (i >= 0 && d[i] == '9')
      d[i--] = '0';
    if (i >= 0) {
      d[i]++;
    } else { /* 9.99 -> 10.0 */
      memmove(d + 1, d, (size_t)p - 1);
      d[0] = '1';
      (*x)++;
    }
  }
  return 1;
}

/* p significant digits d with exponent x, as %.pg writes them. */
static void g_style(char *buf, int neg, const char *d, int p, int x)
{
  int n = p;
  while (n > 1 && d[n - 1] == '0') /* %g drops trailing zeros */
    n--;
  char *b = buf;
  if (neg)
    *b++ = '-';
  if (x < -4 || x >= p) { /* d.ddde+XX */
    *b++ = d[0];
    if (n > 1) {
      *b++ = '.';
      memcpy(b, d + 1, (size_t)n - 1);
      b += n - 1;
    }
    sprintf(b, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
    return;
  }
  if (x < 0) { /* 0.000ddd */
    *b++ = '0';
    *b++ = '.';
    for (int i = -1; i > x; i--)
      *b++ = '0';
    memcpy(b, d, (size_t)n);
    b[n] = '\0';
    return;
  }
  for (int i = 0; i <= x; i++) /* ddd.ddd: the integer part keeps its zeros */
    *b++ = i < n ? d[i] : '0';
  if (n > x + 1) {
    *b++ = '.';
    memcpy(b, d + x + 1, (size_t)(n - x - 1));
    b += n - x - 1;
  }
  *b = '\0';
}

/* One %.16e gives the 17 digits; the 15- and 16-digit candidates are those
 * digits rounded (the same digits %.15g and %.16g give, but for a tie in
 * the 17-digit string, left to printf), tried in turn with strtod: the
 * same strings as three printf calls, at a third of the cost
 * (tests/test_output.c compares them over a million doubles). */
const char *ims_fmt_num(char *buf, double v)
{
  if (isnan(v))
    return strcpy(buf, "NaN");
  if (isinf(v))
    return strcpy(buf, v > 0 ? "Inf" : "-Inf");
  char e[40], d[18];
  snprintf(e, sizeof e, "%.16e", v);
  int neg = e[0] == '-';
  const char *m = e + neg; /* d.dddddddddddddddde[+-]XX */
  d[0] = m[0];
  memcpy(d + 1, m + 2, 16);
  d[17] = '\0';
  int x17 = atoi(m + 19);
  for (int p = 15; p < 17; p++) {
    char r[18];
    int x = x17;
    memcpy(r, d, sizeof r);
    if (round_digits(r, p, &x))
      g_style(buf, neg, r, p, x);
    else
      snprintf(buf, IMS_NUMBUF, "%.*g", p, v);
    if (strtod(buf, NULL) == v)
      return buf;
  }
  g_style(buf, neg, d, 17, x17);
  return buf;
}

int ims_output_row(ims_output_t *o, const double *v, int n)
{
  char nb[IMS_NUMBUF];
  for (int i = 0; i < n; i++) {
    if (i)
      fputc(o->sep, o->fp);
    fputs(ims_fmt_num(nb, v[i]), o->fp);
  }
  if (fputc('\n', o->fp) == EOF)
    note_failure(o);
  return o->failed ? -1 : 0;
}

/* Flush and close (stdout: flush only); 0 or the errno of the failure. */
static int finish(ims_output_t *o)
{
  int e = o->failed ? (o->err_no ? o->err_no : EIO) : 0;
  if (!o->fp)
    return e;
  if (fflush(o->fp) != 0 && !e)
    e = errno ? errno : EIO;
  if (ferror(o->fp) && !e)
    e = EIO;
  if (o->fp != stdout && fclose(o->fp) != 0 && !e)
    e = errno ? errno : EIO;
  o->fp = NULL;
  return e;
}

static int write_error(const ims_output_t *o, int e, ims_err_t *err)
{
  return ims_err_set(err, IMS_EIO, "%s: cannot write the output (%s)", ims_output_name(o),
                     strerror(e));
}

static void drop_tmp(ims_output_t *o)
{
  if (o->tmp) {
    unlink(o->tmp);
    tell(o, 0);
  }
}

int ims_output_commit(ims_output_t *o, ims_err_t *err)
{
  int e = finish(o), rc = IMS_OK;
  if (e) {
    rc = write_error(o, e, err);
    drop_tmp(o);
  } else if (o->tmp) {
    if (rename(o->tmp, o->path) != 0) {
      rc = write_error(o, errno, err);
      unlink(o->tmp);
    }
    tell(o, 0);
  }
  release(o);
  return rc;
}

void ims_output_abort(ims_output_t *o)
{
  if (!o)
    return;
  if (o->fp && o->fp != stdout)
    fclose(o->fp);
  o->fp = NULL;
  drop_tmp(o);
  release(o);
}

/* ---- groups ---- */

int ims_outset_alloc(ims_outset_t **out, ims_tmpfile_fn fn, void *ud, ims_err_t *err)
{
  *out = calloc(1, sizeof **out);
  if (!*out)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  (*out)->fn = fn;
  (*out)->ud = ud;
  return IMS_OK;
}

int ims_outset_open(ims_outset_t *g, ims_output_t **o, const char *path, int format, ims_err_t *err)
{
  for (ims_output_t *x = g->first; path && x; x = x->next)
    if (x->path && strcmp(x->path, path) == 0 && strcmp(path, "/dev/null") != 0)
      return ims_err_set(err, IMS_EINPUT, "%s: named for two outputs; give each its own file",
                         path);
  int rc = open_output(o, g, path, format, err);
  if (rc)
    return rc;
  if (g->last)
    g->last->next = *o;
  else
    g->first = *o;
  g->last = *o;
  return IMS_OK;
}

int ims_outset_reserve(ims_outset_t *g, ims_output_t **o, const char *path, ims_err_t *err)
{
  if (path && strcmp(path, "-") == 0)
    return ims_err_set(err, IMS_EINPUT, "%s: give a file name, not standard output", path);
  int rc = ims_outset_open(g, o, path, IMS_FMT_CSV, err);
  if (rc)
    return rc;
  /* the other program opens the file by name; our stream would only hold it open */
  if (fclose((*o)->fp) != 0)
    note_failure(*o);
  (*o)->fp = NULL;
  return IMS_OK;
}

ims_output_t *ims_outset_find(const ims_outset_t *g, const char *path)
{
  for (ims_output_t *x = g ? g->first : NULL; path && x; x = x->next)
    if (x->path && strcmp(x->path, path) == 0)
      return x;
  return NULL;
}

const char *ims_output_current(ims_output_t *o)
{
  if (!o || !o->path)
    return NULL;
  if (o->fp && fflush(o->fp) != 0) {
    note_failure(o);
    return NULL;
  }
  return o->tmp ? o->tmp : o->path;
}

int ims_outset_commit(ims_outset_t *g, ims_err_t *err)
{
  int rc = IMS_OK;
  for (ims_output_t *o = g->first; o; o = o->next) {
    int e = finish(o);
    if (e && !rc)
      rc = write_error(o, e, err);
  }
  for (ims_output_t *o = g->first; o; o = o->next) {
    if (!o->tmp)
      continue;
    if (rc) {
      unlink(o->tmp);
    } else if (rename(o->tmp, o->path) != 0) {
      rc = write_error(o, errno, err);
      unlink(o->tmp);
    }
    tell(o, 0);
  }
  while (g->first) {
    ims_output_t *n = g->first->next;
    release(g->first);
    g->first = n;
  }
  g->last = NULL;
  return rc;
}

void ims_outset_abort(ims_outset_t *g)
{
  while (g && g->first) {
    ims_output_t *n = g->first->next;
    ims_output_abort(g->first);
    g->first = n;
  }
  if (g)
    g->last = NULL;
}

void ims_outset_free(ims_outset_t *g)
{
  ims_outset_abort(g);
  free(g);
}
