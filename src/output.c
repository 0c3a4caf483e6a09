#include "immunosim/output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ims_output {
  FILE *fp;
  char *path; /* final name, NULL for stdout */
  char *tmp;
  char sep;
  int direct; /* a device or FIFO (e.g. /dev/null): written in place, never renamed over */
  int failed;
};

int ims_output_open(ims_output_t **out, const char *path, int format, ims_err_t *err)
{
  *out = NULL;
  ims_output_t *o = calloc(1, sizeof *o);
  if (!o)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  o->sep = format == IMS_FMT_TSV ? '\t' : ',';
  if (strcmp(path, "-") == 0) {
    o->fp = stdout;
    *out = o;
    return IMS_OK;
  }
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    o->fp = fopen(path, "w");
    if (!o->fp) {
      int e = errno;
      free(o);
      return ims_err_set(err, IMS_EIO, "%s: cannot open the output (%s)", path, strerror(e));
    }
    o->direct = 1;
    *out = o;
    return IMS_OK;
  }
  size_t n = strlen(path);
  o->path = strdup(path);
  o->tmp = malloc(n + 16);
  if (!o->path || !o->tmp) {
    ims_output_abort(o);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    int e = errno;
    free(o->tmp);
    o->tmp = NULL;
    ims_output_abort(o);
    return ims_err_set(err, IMS_EIO, "%s: cannot create the output file (%s)", path, strerror(e));
  }
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

int ims_output_comment(ims_output_t *o, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("# ", o->fp);
  vfprintf(o->fp, fmt, ap);
  fputc('\n', o->fp);
  va_end(ap);
  return 0;
}

int ims_output_line(ims_output_t *o, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (vfprintf(o->fp, fmt, ap) < 0 || fputc('\n', o->fp) == EOF)
    o->failed = 1;
  va_end(ap);
  return o->failed ? -1 : 0;
}

int ims_output_header(ims_output_t *o, int n, const char *const *names, const char *const *units)
{
  fputs("# units: ", o->fp);
  for (int i = 0; i < n; i++)
    fprintf(o->fp, "%s%s=%s", i ? "," : "", names[i], units[i]);
  fputc('\n', o->fp);
  for (int i = 0; i < n; i++) {
    if (i)
      fputc(o->sep, o->fp);
    fputs(names[i], o->fp);
  }
  fputc('\n', o->fp);
  return 0;
}

int ims_output_row(ims_output_t *o, const double *v, int n)
{
  for (int i = 0; i < n; i++) {
    if (i)
      fputc(o->sep, o->fp);
    fprintf(o->fp, "%.10g", v[i]);
  }
  if (fputc('\n', o->fp) == EOF)
    o->failed = 1;
  return o->failed ? -1 : 0;
}

static void release(ims_output_t *o)
{
  free(o->path);
  free(o->tmp);
  free(o);
}

int ims_output_commit(ims_output_t *o, ims_err_t *err)
{
  int rc = IMS_OK;
  if (!o->path) {
    if (fflush(o->fp) != 0 || o->failed)
      rc = ims_err_set(err, IMS_EIO, "cannot write to standard output");
    if (o->direct && fclose(o->fp) != 0 && !rc)
      rc = ims_err_set(err, IMS_EIO, "cannot close the output");
    release(o);
    return rc;
  }
  int bad = o->failed | (fflush(o->fp) != 0) | (ferror(o->fp) != 0);
  bad |= fclose(o->fp) != 0;
  o->fp = NULL;
  if (bad || rename(o->tmp, o->path) != 0) {
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write the output (%s)", o->path, strerror(errno));
    unlink(o->tmp);
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
  if (o->tmp)
    unlink(o->tmp);
  release(o);
}
