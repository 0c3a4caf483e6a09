/* State-triggered rules: "when VARIABLE crosses THRESHOLD (up, down or
 * either) then ACTION", read from CSV into driver triggers (sim.h). */
#ifndef IMMUNOSIM_RULES_H
#define IMMUNOSIM_RULES_H

#include "immunosim/err.h"
#include "immunosim/model.h"
#include "immunosim/sim.h"
#include "immunosim/units.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Columns: when,threshold,action (required), then name,dir,target,value,
 * unit,rate,delay,refractory,max_count,start.  Numbers may carry a unit
 * ("1000 pg/mL", "2 h"); `unit` is the unit of `value` when it has none.
 *   when       a state or output name
 *   threshold  in the variable's unit unless given
 *   dir        up | down | either (default either)
 *   action     bolus | infuse | set | scale | stop | log
 *   target     the dosed state (bolus, infuse) or the parameter (set, scale)
 *   value      amount (bolus, infuse: the state's unit), new value (set: the
 *              parameter's unit) or factor (scale, dimensionless)
 *   rate       infusion rate (state unit per model time unit); the
 *              infusion lasts value/rate
 *   delay      act this long after the crossing (model time unit)
 *   refractory ignore crossings this soon after the last firing
 *   max_count  fire at most this often (0 or empty: no limit)
 *   start      ignore crossings before this time */
typedef struct ims_rules {
  ims_trigger_t *tr; /* tr[i].name points into names[i] */
  char **names;
  long *line; /* source line of each rule */
  int n, cap;
  char *path;
} ims_rules_t;

int ims_rules_alloc(ims_rules_t **out, ims_err_t *err);
void ims_rules_free(ims_rules_t *r);
int ims_rules_read(ims_rules_t *r, const ims_model_t *m, const ims_units_t *u, const char *path,
                   ims_err_t *err);
int ims_rules_read_mem(ims_rules_t *r, const ims_model_t *m, const ims_units_t *u, const char *name,
                       const char *buf, size_t len, ims_err_t *err);

/* "bolus", "infuse", "set", "scale", "stop", "log", "zero". */
const char *ims_action_name(int act);
/* A one-line description of what a trigger does, e.g. "scale PIL6 x0.5". */
void ims_trigger_describe(const ims_model_t *m, const ims_trigger_t *tr, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
