/* Unit parsing and conversion (a thin, reentrant-by-object wrapper on udunits2). */
#ifndef IMMUNOSIM_UNITS_H
#define IMMUNOSIM_UNITS_H

#include "immunosim/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A loaded unit system.  Loading parses udunits2's XML database, so allocate
 * one and share it read-only.  It adds "cell" and "copies" as dimensionless. */
typedef struct ims_units ims_units_t;

int ims_units_alloc(ims_units_t **out, ims_err_t *err);
void ims_units_free(ims_units_t *u);

/* value_in_to = scale * value_in_from + offset.  Fails with IMS_EINPUT when a
 * unit does not parse or the two are not convertible. */
int ims_units_factor(const ims_units_t *u, const char *from, const char *to, double *scale,
                     double *offset, ims_err_t *err);
/* Convert *value in place. */
int ims_units_convert(const ims_units_t *u, const char *from, const char *to, double *value,
                      ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
