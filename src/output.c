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

const char *ims_fmt_num(char *buf, double v)
{
  if (isnan(v))
    return strcpy(buf, "NaN");
  if (isinf(v))
    return strcpy(buf, v > 0 ? "Inf" : "-Inf");
  for (int prec = 15; prec < 17; prec++) {
    snprintf(buf, IMS_NUMBUF, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      return buf;
  }
  snprintf(buf, IMS_NUMBUF, "%.17g", v);
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
