/* Dosing records in the NONMEM / mrgsolve / rxode2 convention. */
#ifndef IMMUNOSIM_SCHEDULE_H
#define IMMUNOSIM_SCHEDULE_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/units.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Expansion beyond this many dose events is refused as absurd. */
#define IMS_MAX_DOSE_EVENTS 1000000L

/* One record as written, amounts already in the state's canonical unit.  A
 * zero-initialised field is neutral (no covariate, no reset, ID 0), except f,
 * whose neutral value is 1. */
typedef struct ims_record {
  double time; /* model time unit */
  int cmt;     /* state index */
  double amt;  /* state unit (per unit of the covariate when cov > 0) */
  double rate; /* state unit per time; 0 = bolus unless dur > 0 */
  double dur;  /* infusion duration; 0 = not given */
  double ii;   /* interdose interval */
  long addl;   /* additional doses */
  double lag;
  double f;  /* bioavailability, default 1 */
  int ss;    /* 1: the dose is at steady state */
  long line; /* source line, for messages */
  /* 1 + the index of the parameter (a covariate: WT, BSA) by which amt and
   * rate are multiplied when the dose is given (a dose in mg/kg, ug/m2, ...):
   * the subject's value at dose time.  0: the amounts are absolute. */
  int cov;
  /* 1: every state is reset to its initial value (and the schedule's running
   * infusions end) at `time`, before this record's first dose (NONMEM EVID 3
   * and 4); the additional doses (addl) are plain doses, as in NONMEM. */
  int reset;
  int nodose; /* 1: a reset without a dose (EVID 3) */
  int sid;    /* index of the record's ID in ims_schedule_t.ids (0 without IDs) */
} ims_record_t;

typedef struct ims_schedule {
  ims_record_t *rec;
  int nrec;
  int cap;
  char *path;
  /* The distinct values of the ID column in order of first appearance (a
   * per-subject schedule, NONMEM's ID); nid 0: no ID column. */
  long *ids;
  int nid;
} ims_schedule_t;

/* Kinds of expanded events, ordered as applied at one time. */
#define IMS_EV_RESET (-1) /* every state to its initial value; the schedule's infusions end */
#define IMS_EV_INF_OFF 0  /* infusion ends */
#define IMS_EV_BOLUS 1
#define IMS_EV_INF_ON 2

typedef struct ims_event {
  double time;
  int kind;
  int cmt;
  double value; /* bolus amount, or infusion rate (per unit of the covariate when cov > 0) */
  int rec;      /* record index */
  int ss;       /* 1 on the first dose of an ss=1 record */
  /* The dose of a record scaled by a covariate is computed when it is given,
   * as (base * p[cov - 1]) / div: the amount (f*amt) over 1 for a bolus, over
   * dur for an infusion given by its duration, the rate over 1 for one given
   * by its rate.  Without a covariate value = base / div.  So a 2 mg/kg dose
   * for 50 kg and a 100 mg dose are the same double. */
  int cov;
  double base, div;
  long on; /* an infusion end: 1 + the index of its start in the expanded list (0: none) */
} ims_event_t;

/* The amount (bolus) or rate (infusion start or end) of an event for the
 * parameter values p (the covariate's value when the event has one; p may be
 * NULL for events without). */
double ims_event_value(const ims_event_t *e, const double *p);

/* The unit of a record's amt as it is stored: the state's unit, or the
 * state's unit per the covariate's unit ("mg/kg"). */
void ims_record_amt_unit(const ims_model_t *m, const ims_record_t *r, char *buf, size_t n);

int ims_schedule_alloc(ims_schedule_t **out, ims_err_t *err);
void ims_schedule_free(ims_schedule_t *s);
int ims_schedule_read(ims_schedule_t *s, const ims_model_t *m, const ims_units_t *u,
                      const char *path, ims_err_t *err);
int ims_schedule_read_mem(ims_schedule_t *s, const ims_model_t *m, const ims_units_t *u,
                          const char *name, const char *buf, size_t len, ims_err_t *err);
/* Append a record (validated as a file row would be). */
int ims_schedule_add(ims_schedule_t *s, const ims_record_t *r, ims_err_t *err);
/* The records of the schedule's ID number sid (0 .. nid - 1) as a schedule
 * of their own, without IDs (its path names the ID: "FILE ID 17"). */
int ims_schedule_subset(const ims_schedule_t *s, int sid, ims_schedule_t **out, ims_err_t *err);

/* Expand records (addl, lag, f, rate/dur) into time-ordered events; the first
 * dose of an ss=1 record is marked.  At equal times: resets, infusion ends,
 * then boluses, then infusion starts, each in record order.  The records of
 * every ID are expanded (ims_schedule_subset gives one subject's).  *ev is
 * allocated; the caller frees it. */
int ims_schedule_expand(const ims_schedule_t *s, ims_event_t **ev, long *nev, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
