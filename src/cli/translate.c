/* immunosim translate FILE.model -o model.c: the model as C source in the
 * model.h contract (a model file can become a built-in). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* All or nothing: the source goes to a temporary file renamed over OUT. */
static int write_atomic(const char *path, const char *buf, size_t len, ims_err_t *err)
{
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (!tmp)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int rc = ims_err_set(err, IMS_EIO, "%s: cannot create (%s)", path, strerror(errno));
    free(tmp);
    return rc;
  }
  fchmod(fd, 0644);
  FILE *fp = fdopen(fd, "w");
  int bad = !fp || fwrite(buf, 1, len, fp) != len;
  bad |= fp ? fclose(fp) != 0 : close(fd) != 0;
  if (bad || rename(tmp, path) != 0) {
    int rc = ims_err_set(err, IMS_EIO, "%s: cannot write (%s)", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return rc;
  }
  free(tmp);
  return IMS_OK;
}

int cmd_translate(int argc, char **argv)
{
  cli_args_t a;
  int rc = cli_parse("translate", argc, argv, &a);
  if (rc)
    return rc > 0 ? 0 : 1;
  const char *out = cli_str(&a, OPT_OUT, "-");
  const ims_model_t *m;
  ims_err_t err = {0};
  rc = cli_model_open(a.pos[0], cli_flag(&a, OPT_NO_UNIT_CHECK), &m, &err);
  if (rc)
    return cli_fail(rc, &err);
  if (!ims_mdl_of(m)) {
    cli_model_close(m);
    return cli_failf(IMS_EINPUT, "translate: '%s' is a built-in model already; give a .model file",
                     a.pos[0]);
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  rc = mem ? ims_mdl_write_c(m, mem, &err) : ims_err_set(&err, IMS_ENOMEM, "out of memory");
  if (mem && fclose(mem) != 0 && !rc)
    rc = ims_err_set(&err, IMS_ENOMEM, "out of memory");
  if (!rc && !strcmp(out, "-"))
    rc = fwrite(buf, 1, len, stdout) == len ? IMS_OK
                                            : ims_err_set(&err, IMS_EIO, "cannot write stdout");
  else if (!rc)
    rc = write_atomic(out, buf, len, &err);
  free(buf);
  cli_model_close(m);
  return rc ? cli_fail(rc, &err) : 0;
}
