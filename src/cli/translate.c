/* immunosim translate FILE.model -o model.c: the model as C source in the
 * model.h contract (a model file can become a built-in). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char translate_help[] =
    "usage: immunosim translate FILE.model [-o OUT.c] [--no-unit-check]\n\n"
    "Writes the model as C source in the model.h contract: tables of states,\n"
    "parameters and outputs, and rhs/jac/output functions with the same operations,\n"
    "in the same order, as the compiled model file, so it gives the same results.\n"
    "It builds under -Wall -Wextra -Werror; list it in models/registry.c to make\n"
    "the model a built-in (its const is ims_model_NAME).  Without -o: stdout.\n\n"
    "example:\n  immunosim translate models/kuznetsov1994.model -o kz.c\n";

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
  const char *file = NULL, *out = NULL;
  int no_check = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(translate_help, stdout);
      return 0;
    }
    if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) {
      if (i + 1 >= argc)
        return cli_failf(IMS_EINPUT, "option %s needs a value", argv[i]);
      out = argv[++i];
    } else if (!strcmp(argv[i], "--no-unit-check"))
      no_check = 1;
    else if (argv[i][0] == '-')
      return cli_failf(IMS_EINPUT,
                       "translate: unknown option '%s'; see 'immunosim translate --help'", argv[i]);
    else if (file)
      return cli_failf(IMS_EINPUT, "translate: one model file at a time ('%s' and '%s')", file,
                       argv[i]);
    else
      file = argv[i];
  }
  if (!file) {
    fputs(translate_help, stderr);
    return 1;
  }
  const ims_model_t *m;
  ims_err_t err = {0};
  int rc = cli_model_open(&m, file, no_check, &err);
  if (rc)
    return cli_fail(rc, &err);
  if (!ims_mdl_of(m)) {
    ims_model_close(m);
    return cli_failf(IMS_EINPUT, "translate: '%s' is a built-in model already; give a .model file",
                     file);
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  rc = mem ? ims_mdl_write_c(m, mem, &err) : ims_err_set(&err, IMS_ENOMEM, "out of memory");
  if (mem && fclose(mem) != 0 && !rc)
    rc = ims_err_set(&err, IMS_ENOMEM, "out of memory");
  if (!rc && (!out || !strcmp(out, "-")))
    rc = fwrite(buf, 1, len, stdout) == len ? IMS_OK
                                            : ims_err_set(&err, IMS_EIO, "cannot write stdout");
  else if (!rc)
    rc = write_atomic(out, buf, len, &err);
  free(buf);
  ims_model_close(m);
  return rc ? cli_fail(rc, &err) : 0;
}
