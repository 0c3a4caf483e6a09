/* SBML events onto the description (see sbml_import.h).
 *
 * Each event keeps its trigger, delay and priority math and its flags with
 * the defaults of its level: before Level 3 an event is persistent, its
 * trigger counts as true before the start (no firing at t0) and it uses the
 * values of its trigger time.  An assignment to a species held as an amount
 * assigns value * compartment, with the compartment's size when it runs,
 * before the event's own assignments (SBML evaluates every assignment of an
 * event before it makes any: test 01779 of the SBML Test Suite). */
#include "sbml_import.h"

#include <stdio.h>
#include <string.h>

static int one_event(ims_sbml_t *s, Event_t *ev, unsigned i)
{
  char id[64];
  const char *eid = Event_isSetId(ev) ? Event_getId(ev) : NULL;
  if (!eid) {
    snprintf(id, sizeof id, "event_%u", i + 1);
    eid = id;
  }
  const Trigger_t *tr = Event_getTrigger(ev);
  ims_mdl_eq_t trig;
  int rc =
      ims__sbml_math(s, tr ? Trigger_getMath(tr) : NULL, tr ? (const void *)tr : ev, -1, &trig);
  if (rc)
    return rc;
  /* no trigger math (L3V2 allows it): the event never fires */
  if (!trig.e && !(trig.e = ims_expr_num(0.0, NULL)))
    return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  int k = ims_mdl_add_event(s->d, eid, trig, (int)SBase_getLine((const SBase_t *)ev),
                            (int)SBase_getColumn((const SBase_t *)ev), s->err);
  if (k < 0)
    return k;
  ims_mdl_event_t *e = &s->d->events[k];
  if (s->level >= 3) {
    e->persistent = tr && Trigger_isSetPersistent(tr) ? Trigger_getPersistent(tr) : 1;
    e->initial_value = tr && Trigger_isSetInitialValue(tr) ? Trigger_getInitialValue(tr) : 1;
  } else {
    e->persistent = 1;
    e->initial_value = 1;
  }
  e->use_trigger_values = Event_getUseValuesFromTriggerTime(ev);
  const Delay_t *d = Event_getDelay(ev);
  if (d && Delay_getMath(d) && (rc = ims__sbml_math(s, Delay_getMath(d), d, -1, &e->delay)))
    return rc;
  const Priority_t *p = Event_getPriority(ev);
  if (p && Priority_getMath(p) &&
      (rc = ims__sbml_math(s, Priority_getMath(p), p, -1, &e->priority)))
    return rc;
  for (unsigned j = 0; j < Event_getNumEventAssignments(ev); j++) {
    const EventAssignment_t *a = Event_getEventAssignment(ev, j);
    const char *var = EventAssignment_getVariable(a);
    int q = ims__sbml_sym(s, var);
    if (q < 0)
      return ims_err_set(s->err, IMS_EINPUT, "%s:%u:%u: event '%s' assigns unknown '%s'", s->path,
                         SBase_getLine((const SBase_t *)a), SBase_getColumn((const SBase_t *)a),
                         eid, var);
    if (!EventAssignment_getMath(a))
      continue; /* L3V2: an assignment without math does nothing */
    ims_mdl_eq_t v;
    rc = ims__sbml_math(s, EventAssignment_getMath(a), a, -1, &v);
    if (rc)
      return rc;
    k = (int)(e - s->d->events);
    rc = ims_mdl_add_assign(s->d, k, var, v, s->err);
    if (rc < 0)
      return rc;
    e = &s->d->events[k]; /* the builders may move the array */
    /* a concentration becomes an amount with the compartment's size when
     * the assignment runs, also when the value is from the trigger time
     * (SBML Test Suite case 01507) */
    if (s->sym[q].subst && !(e->assign[rc].scale.e = ims_expr_name(s->sym[s->sym[q].comp].id)))
      return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  }
  return IMS_OK;
}

int ims__sbml_events(ims_sbml_t *s)
{
  for (unsigned i = 0; i < Model_getNumEvents(s->model); i++) {
    int rc = one_event(s, Model_getEvent(s->model, i), i);
    if (rc)
      return rc;
  }
  return IMS_OK;
}
