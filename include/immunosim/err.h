/* Status codes and the error buffer every library call fills. */
#ifndef IMMUNOSIM_ERR_H
#define IMMUNOSIM_ERR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0 is success; errors are negative.  The CLI maps them to exit codes:
 * IMS_EINPUT -> 1, IMS_ESOLVER -> 2, IMS_EIO -> 3, everything else -> 4. */
#define IMS_OK 0
#define IMS_EINPUT (-1)  /* bad file, value, unit or option */
#define IMS_ESOLVER (-2) /* CVODES failed */
#define IMS_EIO (-3)     /* cannot read or write a file */
#define IMS_ENOMEM (-4)
#define IMS_EINTERNAL (-5)
#define IMS_ESTOP (-6) /* a rule stopped the run (not a failure) */

#define IMS_ERRMSG_MAX 1024

typedef struct ims_err {
  int code;
  char msg[IMS_ERRMSG_MAX]; /* "file:line:col: what is wrong; what to do" */
} ims_err_t;

/* Record an error and return its code, so callers can write
 * `return ims_err_set(err, IMS_EINPUT, "...")`.  err may be NULL. */
int ims_err_set(ims_err_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ims_err_vset(ims_err_t *err, int code, const char *fmt, va_list ap);
void ims_err_clear(ims_err_t *err);
/* Exit code the CLI uses for a status (0 for IMS_OK). */
int ims_err_exit_code(int status);

#ifdef __cplusplus
}
#endif
#endif
