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

/* One record as written, amounts already in the state's canonical unit. */
typedef struct ims_record {
  double time; /* model time unit */
  int cmt;     /* state index */
  double amt;  /* state unit */
  double rate; /* state unit per time; 0 = bolus unless dur > 0 */
  double dur;  /* infusion duration; 0 = not given */
  double ii;   /* interdose interval */
  long addl;   /* additional doses */
  double lag;
  double f;  /* bioavailability, default 1 */
  int ss;    /* 1: the dose is at steady state */
  long line; /* source line, for messages */
} ims_record_t;

typedef struct ims_schedule {
  ims_record_t *rec;
  int nrec;
  int cap;
  char *path;
} ims_schedule_t;

/* Kinds of expanded events, ordered as applied at one time. */
#define IMS_EV_INF_OFF 0 /* infusion ends */
#define IMS_EV_BOLUS 1
#define IMS_EV_INF_ON 2

typedef struct ims_event {
  double time;
  int kind;
  int cmt;
  double value; /* bolus amount, or infusion rate */
  int rec;      /* record index */
  int ss;       /* 1 on the first dose of an ss=1 record */
} ims_event_t;

int ims_schedule_alloc(ims_schedule_t **out, ims_err_t *err);
void ims_schedule_free(ims_schedule_t *s);
int ims_schedule_read(ims_schedule_t *s, const ims_model_t *m, const ims_units_t *u,
                      const char *path, ims_err_t *err);
int ims_schedule_read_mem(ims_schedule_t *s, const ims_model_t *m, const ims_units_t *u,
                          const char *name, const char *buf, size_t len, ims_err_t *err);
/* Append a record (validated as a file row would be). */
int ims_schedule_add(ims_schedule_t *s, const ims_record_t *r, ims_err_t *err);

/* Expand records (addl, lag, f, rate/dur) into time-ordered events; the first
 * dose of an ss=1 record is marked.  At equal times: infusion ends, then
 * boluses, then infusion starts, each in record order.  *ev is allocated; the
 * caller frees it. */
int ims_schedule_expand(const ims_schedule_t *s, ims_event_t **ev, long *nev, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
