/* Covariates per subject from a table, and the per-subject inputs of a
 * population: a covariate row and a schedule per ID.
 *
 * A covariate is a parameter with a unit (WT kg, BSA m2, AGE yr, SEX 0/1, ALB
 * g/L ...): a model uses it in its equations like any other parameter, and a
 * dose per kg or m2 is multiplied by WT or BSA (schedule.h).  In a population
 * a covariate varies either by a distribution in the parameter file (iiv,
 * dist, lower, upper: population.h) or by a table read here.
 *
 * A covariate table is CSV: a header with an optional ID column (any case)
 * and one column per covariate, each naming a parameter of the model; one
 * row per subject; a '# units: WT=kg,BSA=m2' line gives every covariate
 * column's unit (converted to the parameter's unit).
 *
 * Which row subject i (0-based) takes depends only on (seed, i):
 *   rows:   row i (the table needs at least as many rows as subjects);
 *   sample: row floor(u * R) of the R rows, u = (h >> 11) * 2^-53 with
 *           h = ims_pop_subject_key(ims_pop_subject_key(seed, i), 1), a
 *           stream separate from the subject's parameter draws (population.h),
 *           so rows are sampled with replacement and nothing depends on
 *           threads, shards or ranks. */
#ifndef IMMUNOSIM_COVARIATES_H
#define IMMUNOSIM_COVARIATES_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/schedule.h"
#include "immunosim/units.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_COV_ROWS 0   /* subject i takes row i */
#define IMS_COV_SAMPLE 1 /* rows sampled with replacement */

typedef struct ims_covtab ims_covtab_t;

int ims_covtab_read(ims_covtab_t **out, const ims_model_t *m, const ims_units_t *u,
                    const char *path, ims_err_t *err);
int ims_covtab_read_mem(ims_covtab_t **out, const ims_model_t *m, const ims_units_t *u,
                        const char *name, const char *buf, size_t len, ims_err_t *err);
void ims_covtab_free(ims_covtab_t *t);

const char *ims_covtab_path(const ims_covtab_t *t);
long ims_covtab_nrows(const ims_covtab_t *t);
int ims_covtab_ncols(const ims_covtab_t *t);
/* The parameter index of covariate column j (0 .. ncols - 1). */
int ims_covtab_param(const ims_covtab_t *t, int j);
/* Row r's value of column j, in the parameter's canonical unit. */
double ims_covtab_value(const ims_covtab_t *t, long r, int j);
int ims_covtab_has_id(const ims_covtab_t *t);
long ims_covtab_id(const ims_covtab_t *t, long r);
/* The row subject i takes (IMS_COV_ROWS or IMS_COV_SAMPLE); -1 when rows
 * mode runs out of rows. */
long ims_covtab_pick(const ims_covtab_t *t, int mode, uint64_t seed, uint64_t subject);

/* ---- the per-subject inputs of a population ------------------------------ */

/* Which covariate row and which schedule each subject gets:
 *   - with a covariate table, subject i takes the row ims_covtab_pick gives
 *     and its values replace the drawn ones;
 *   - a schedule with one ID (or none) doses every subject;
 *   - a schedule of several IDs (NONMEM's ID) is matched by ID: with a
 *     covariate table that has an ID column, subject i gets the schedule of
 *     its row's ID (every ID of the table must have records); without a
 *     table, subject i gets the i-th ID in order of first appearance. */
typedef struct ims_subjects ims_subjects_t;

/* cov may be NULL.  first and last are the subjects that will be asked for
 * (0-based, last excluded), checked here so that no subject fails for want
 * of a row or an ID. */
int ims_subjects_alloc(ims_subjects_t **out, const ims_covtab_t *cov, int mode,
                       const ims_schedule_t *sched, uint64_t seed, uint64_t first, uint64_t last,
                       ims_err_t *err);
void ims_subjects_free(ims_subjects_t *s);
/* Subject i: its covariate values into p (its drawn values) and its schedule
 * (*sched is left as it is when every subject shares it).  Thread-safe; the
 * signature of ims_pop_run_t.setup. */
int ims_subjects_setup(void *subjects, uint64_t subject, double *p, const ims_schedule_t **sched,
                       ims_err_t *err);
/* Subject i's ID (its row's, or its schedule's), and whether it has one. */
int ims_subjects_id(const ims_subjects_t *s, uint64_t subject, long *id);

#ifdef __cplusplus
}
#endif
#endif
