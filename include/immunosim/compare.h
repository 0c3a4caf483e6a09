/* The same model and parameters under several schedules: one run per
 * schedule to a common end time, and one metrics table with a column per
 * schedule and each schedule against the first (ratios for amounts and
 * AUCs, differences for times). */
#ifndef IMMUNOSIM_COMPARE_H
#define IMMUNOSIM_COMPARE_H

#include "immunosim/par.h"
#include "immunosim/report.h"
#include "immunosim/run.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ims_compare_spec {
  ims_run_spec_t run; /* its schedule is ignored */
  const char *const *schedules;
  int nschedules; /* at least 2 */
  ims_metrics_spec_t metrics;
  const char *metrics_out; /* the table as CSV, or NULL */
  const char *runs_stem;   /* write each run's table to STEM_<schedule>.csv, or NULL */
  int format;              /* IMS_OUT_NO_META for the files, or 0 */
  ims_progress_fn progress;
  void *progress_ud;
  /* The ranks sharing the schedules (NULL: this process): each runs a
   * contiguous range of them and rank 0 receives their metrics and run
   * tables, and writes every output. */
  ims_par_t *par;
} ims_compare_spec_t;

typedef struct ims_compare ims_compare_t;

/* Load every schedule's run (one end time for all: spec->run.tend, or the
 * latest default end) and check the metrics; no simulation yet. */
int ims_compare_alloc(ims_compare_t **out, const ims_compare_spec_t *spec, ims_err_t *err);
void ims_compare_free(ims_compare_t *c);
/* Open the outputs in g, run every schedule and write the files; the
 * caller commits g.  Under MPI every rank calls it; only rank 0 opens
 * outputs (the others' g stays empty). */
int ims_compare_run(ims_compare_t *c, ims_outset_t *g, ims_err_t *err);
/* The aligned table. */
void ims_compare_print(FILE *fp, const ims_compare_t *c);

int ims_compare_n(const ims_compare_t *c);
/* Schedule i's short name (file name without .csv; "#i" added to repeats). */
const char *ims_compare_name(const ims_compare_t *c, int i);
/* Schedule i's run table (with runs_stem), or NULL. */
const char *ims_compare_table(const ims_compare_t *c, int i);
const ims_run_t *ims_compare_run_of(const ims_compare_t *c, int i);

#ifdef __cplusplus
}
#endif
#endif
