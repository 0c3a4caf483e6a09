#include "immunosim/err.h"

#include <stdio.h>
#include <string.h>

int ims_err_vset(ims_err_t *err, int code, const char *fmt, va_list ap)
{
  if (err) {
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  }
  return code;
}

int ims_err_set(ims_err_t *err, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  ims_err_vset(err, code, fmt, ap);
  va_end(ap);
  return code;
}

void ims_err_clear(ims_err_t *err)
{
  if (err) {
    err->code = IMS_OK;
    err->msg[0] = '\0';
  }
}

int ims_err_exit_code(int status)
{
  switch (status) {
  case IMS_OK:
  case IMS_ESTOP:
    return 0;
  case IMS_EINPUT:
    return 1;
  case IMS_ESOLVER:
    return 2;
  case IMS_EIO:
    return 3;
  default:
    return 4;
  }
}
