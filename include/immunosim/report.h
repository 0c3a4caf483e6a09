/* Metrics of a run (metrics.h) chosen from text ("last", "C1=50mg/L",
 * "C1,IL6") and reported in the run's display units: an aligned table for
 * people, a tidy CSV for programs, and values for sweeps and comparisons. */
#ifndef IMMUNOSIM_REPORT_H
#define IMMUNOSIM_REPORT_H

#include "immunosim/metrics.h"
#include "immunosim/output.h"
#include "immunosim/run.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_REPORT_MAX 64

/* The metrics asked for. */
struct ims_metrics_spec {
  /* all | doses | last | START:END (model time unit); none: all and last */
  const char *const *windows;
  int nwindows;
  /* COLUMN=VALUE[UNIT]: time above/below and crossings; a bare value is in
   * the column's display unit */
  const char *const *thresholds;
  int nthresholds;
  const char *cols; /* "A,B": metrics of these columns only; NULL: every column */
  int no_doses;     /* refuse "doses" windows (they differ between schedules) */
};

typedef struct ims_report {
  ims_metrics_t *mt;
  ims_window_t *w;
  int nw;
  ims_threshold_t th[IMS_REPORT_MAX];
  int nth;
  int sel[256]; /* metric columns (state, then output indices) */
  int nsel;
} ims_report_t;

/* Parse the spec against r, add the metrics triggers to r's options and set
 * the run up for quadratures and window samples. */
int ims_report_init(ims_report_t *rp, ims_run_t *r, const ims_metrics_spec_t *ms, ims_err_t *err);
/* Restart for parameter values p (rewrites the metrics triggers in r->opts). */
void ims_report_begin(ims_report_t *rp, ims_run_t *r, const double *p);
void ims_report_free(ims_report_t *rp);

/* A column metric in the column's display unit, and a threshold metric. */
double ims_report_value(const ims_report_t *rp, const ims_run_t *r, int w, int col, int k);
double ims_report_tvalue(const ims_report_t *rp, int w, int th, int k);
/* The unit of a metric of column col (kind: IMS_MU_*): "d*mg/L" for an AUC. */
void ims_report_unit(const ims_run_t *r, int col, int kind, char *buf, size_t n);
/* "C1>1000 pg/mL" */
void ims_report_threshold_label(const ims_report_t *rp, const ims_run_t *r, int th, char *buf,
                                size_t n);
/* The window with this label, or -1. */
int ims_report_window(const ims_report_t *rp, const char *label);

/* The aligned table (people) and the tidy CSV
 * window,start,end,complete,column,threshold,metric,value,unit (programs). */
void ims_report_print(FILE *fp, const ims_report_t *rp, const ims_run_t *r);
int ims_report_write(ims_output_t *o, const ims_report_t *rp, const ims_run_t *r);

/* Print an aligned table of text cells (row-major, nrow x ncol). */
void ims_table_print(FILE *fp, char (*cells)[48], int nrow, int ncol);

/* A derived column name: base and qualifier joined by '_', every character
 * outside [A-Za-z0-9_.] replaced by '_', and an 'X' in front when it would
 * start with a digit, '_' or '.', so R's read.csv and pandas keep it as is
 * ("C1" + "max" -> "C1_max", "amt[1]" -> "amt_1_"). */
void ims_column_name(char *buf, size_t n, const char *base, const char *qual);

#ifdef __cplusplus
}
#endif
#endif
