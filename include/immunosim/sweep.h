/* Metrics over a 1-D or 2-D grid of parameter values, initial values or
 * dosing-record fields: one run per grid point, one row of metrics each. */
#ifndef IMMUNOSIM_SWEEP_H
#define IMMUNOSIM_SWEEP_H

#include "immunosim/par.h"
#include "immunosim/report.h"
#include "immunosim/run.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ims_sweep_spec {
  /* NAME=LO:HI:N[:log]: a parameter (CL), an initial value (T_0) or a field
   * of dosing record K (amt[K], dur[K], ii[K], time[K]; K from 1); LO and HI
   * may carry a unit.  One or two. */
  const char *const *vary;
  int nvary;
  ims_metrics_spec_t metrics; /* windows default to "all" */
  ims_progress_fn progress;   /* (points done, points) */
  void *progress_ud;
  /* Told about every point whose solve failed (point: "CL=0.2,V1=3"), in
   * grid order (under MPI on rank 0, for the points of every rank). */
  void (*failed)(void *ud, const char *point, const ims_err_t *e);
  void *failed_ud;
  /* The ranks sharing the points (NULL: this process): each takes a
   * contiguous range of the grid (row-major: the second axis fastest), rank
   * 0 receives the rows in order and writes the table. */
  ims_par_t *par;
} ims_sweep_spec_t;

/* One varied quantity. */
typedef struct ims_sweep_axis {
  char name[64];    /* as given: "amt[1]" */
  char column[80];  /* its column: "amt_1" */
  const char *unit; /* canonical */
  double lo, hi;
  int n, log;
  int param; /* 1: a parameter or initial value (name (unit) on plots) */
} ims_sweep_axis_t;

typedef struct ims_sweep ims_sweep_t;

/* Parse the axes and name the metric columns (no simulation yet). */
int ims_sweep_alloc(ims_sweep_t **out, ims_run_t *r, const ims_sweep_spec_t *spec, ims_err_t *err);
void ims_sweep_free(ims_sweep_t *s);
int ims_sweep_naxes(const ims_sweep_t *s);
const ims_sweep_axis_t *ims_sweep_axis(const ims_sweep_t *s, int i);
/* The metric columns ("C1_max", "last_C1_auc", "th1_above") and units. */
int ims_sweep_ncolumns(const ims_sweep_t *s);
const char *ims_sweep_column(const ims_sweep_t *s, int i, const char **unit);
/* The metric column of that name, or -1. */
int ims_sweep_find_column(const ims_sweep_t *s, const char *name);
/* Run every point and write the table to o: the axes' columns, status (ok,
 * stopped, failed), the metric columns.  A failed point is written with
 * status failed and counted in *nfailed; it does not stop the sweep.  Under
 * MPI every rank calls it; rank 0 passes o (the others NULL) and gets the
 * whole count. */
int ims_sweep_run(ims_sweep_t *s, ims_output_t *o, int *nfailed, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
