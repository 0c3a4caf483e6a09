/* Local forward sensitivities of a run (CVODES): the time courses of
 * dy/dp, and the sensitivities of each column's peak, AUC and final value,
 * normalised S = (p / y) dy/dp or raw.  The peak is the exact maximum over
 * the run (found by root finding, as the metrics find it), and its
 * sensitivity is dy/dp at the peak time (envelope theorem). */
#ifndef IMMUNOSIM_LOCALSENS_H
#define IMMUNOSIM_LOCALSENS_H

#include "immunosim/run.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_LS_MAX 64

#define IMS_LS_PEAK 0
#define IMS_LS_AUC 1
#define IMS_LS_FINAL 2

typedef struct ims_localsens_spec {
  /* "CL,V1,B_0": parameters or initial values; NULL: every non-zero value
   * the parameter files or --set gave, initial values included */
  const char *pars;
  int raw; /* time courses as dy/dp in column units per parameter unit */
  ims_progress_fn progress;
  void *progress_ud;
} ims_localsens_spec_t;

typedef struct ims_localsens ims_localsens_t;

int ims_localsens_alloc(ims_localsens_t **out, ims_run_t *r, const ims_localsens_spec_t *spec,
                        ims_err_t *err);
void ims_localsens_free(ims_localsens_t *ls);
/* Run: a first pass finds each column's exact peak time, the second
 * integrates the sensitivities through those times.  The time courses
 * (time, then COL_PAR for each column and parameter) go to tc when not NULL,
 * at the run's output times only. */
int ims_localsens_run(ims_localsens_t *ls, ims_output_t *tc, ims_err_t *err);
/* The tidy CSV column,parameter,metric,value,time,d_value_d_p,normalised
 * (canonical units). */
int ims_localsens_write(const ims_localsens_t *ls, ims_output_t *o);
/* The table of column col (0-based over states, then outputs), parameters
 * ranked by |S(peak)|. */
void ims_localsens_print(FILE *fp, const ims_localsens_t *ls, int col);

int ims_localsens_npar(const ims_localsens_t *ls);
/* Parameter j's index into the parameter vector. */
int ims_localsens_par(const ims_localsens_t *ls, int j);
/* Normalised sensitivity of metric what (IMS_LS_*) of column col to parameter j. */
double ims_localsens_norm(const ims_localsens_t *ls, int what, int col, int j);
/* The parameters ordered by |S(peak)| of column col, largest first. */
void ims_localsens_rank(const ims_localsens_t *ls, int col, int *order);

#ifdef __cplusplus
}
#endif
#endif
