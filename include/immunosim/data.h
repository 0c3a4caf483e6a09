/* The files shipped with immunosim (parameter sets, schedules, rules) and
 * "did you mean" suggestions for names.
 *
 * The data directory holds params/<model>/<set>.csv, params/schedules/ and
 * params/rules/.  A bare name (no '/') that is not an existing file is looked
 * up there, with or without ".csv". */
#ifndef IMMUNOSIM_DATA_H
#define IMMUNOSIM_DATA_H

#include "immunosim/err.h"
#include "immunosim/model.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_DATA_SETS 0      /* params/<model>/ (needs the model) */
#define IMS_DATA_SCHEDULES 1 /* params/schedules/ */
#define IMS_DATA_RULES 2     /* params/rules/ */

/* The path for arg: an existing file as is, else the shipped file of that
 * name.  Anything else is IMS_EINPUT: "OPT ARG: no such file or ... ; did you
 * mean ...?" (opt names the argument in the message, e.g. "-p").  datadir may
 * be NULL (paths only). */
int ims_data_resolve(const char *datadir, int kind, const ims_model_t *m, const char *opt,
                     const char *arg, char *out, size_t n, ims_err_t *err);

/* The shipped names of a kind (file names without ".csv"), sorted.  *names
 * is allocated; free it with ims_data_list_free.  A missing directory gives
 * an empty list. */
int ims_data_list(const char *datadir, int kind, const ims_model_t *m, char ***names, int *n,
                  ims_err_t *err);
void ims_data_list_free(char **names, int n);

/* The candidate closest to name: the same ignoring case, else within 2
 * edits (ignoring case), else the only candidate that name begins; NULL
 * when none is close. */
const char *ims_suggest(const char *name, const char *const *cands, int n);

#ifdef __cplusplus
}
#endif
#endif
