/* Parameter sets: name,value,unit,source CSV files, layered, in canonical units. */
#ifndef IMMUNOSIM_PARAMS_H
#define IMMUNOSIM_PARAMS_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/units.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Inter-individual variability of one parameter (used by populations). */
#define IMS_DIST_FIXED 0
#define IMS_DIST_LOGNORMAL 1
#define IMS_DIST_NORMAL 2

#define IMS_PARAMS_MAX_FILES 16

typedef struct ims_params {
  const ims_model_t *model;
  int n;                /* nparams + nstates (the <STATE>_0 values come last) */
  double *value;        /* canonical units */
  unsigned char *given; /* 1 when a file or --set supplied the value */
  char **source;        /* the row's source column (owned), or NULL */
  char **origin;        /* "file:line" or "--set" (owned), or NULL */
  double *omega2;       /* IIV variance on the log (lognormal) or the natural (normal) scale */
  int *dist;            /* IMS_DIST_* */
  /* Truncation of a population's draws (the parameter file's lower and upper
   * columns, canonical units): a subject's draw outside is drawn again from
   * the subject's own stream.  -INFINITY and INFINITY: none. */
  double *lower, *upper;
  int nfiles;
  char *files[IMS_PARAMS_MAX_FILES];        /* paths read, in order */
  char checksums[IMS_PARAMS_MAX_FILES][17]; /* FNV-1a 64-bit of each file, hex */
} ims_params_t;

int ims_params_alloc(ims_params_t **out, const ims_model_t *m, ims_err_t *err);
void ims_params_free(ims_params_t *p);
/* Deep copy (for threads or sweeps). */
int ims_params_copy(ims_params_t **out, const ims_params_t *src, ims_err_t *err);

/* Layer a parameter file on top of what is there (later files win). */
int ims_params_read(ims_params_t *p, const ims_units_t *u, const char *path, ims_err_t *err);
/* The same from memory; `name` is used in messages. */
int ims_params_read_mem(ims_params_t *p, const ims_units_t *u, const char *name, const char *buf,
                        size_t len, ims_err_t *err);
/* NAME=VALUE[UNIT], e.g. "CL=9.4 mL/h" or "B_0=2". */
int ims_params_set(ims_params_t *p, const ims_units_t *u, const char *assign, ims_err_t *err);
/* "NAME=VALUE[UNIT] -> value canonical-unit" for an assignment already
 * applied with ims_params_set, e.g. "CL=3 mL/h -> 0.072 L/d": what was
 * read, for the output's metadata. */
int ims_params_echo(const ims_params_t *p, const char *assign, char *buf, size_t n);
/* Fill defaults and refuse a run with a required value missing. */
int ims_params_finish(ims_params_t *p, ims_err_t *err);

/* Parse "VALUE[UNIT]" into a number and a unit string (empty when absent). */
int ims_parse_value_unit(const char *s, double *value, char *unit, size_t unitsz);

#ifdef __cplusplus
}
#endif
#endif
