/* Model events (SBML; sbml, issue 12) on the driver's timeline: see the
 * design comment in src/sim.c, "Model events".
 *
 * A model event's trigger is a boolean of relations (model.h); CVODE tracks
 * the signs of the relations' differences as extra root functions after the
 * watches'.  At every root return, on both sides of every discontinuity and
 * at t0, every trigger is evaluated: a change from false to true fires the
 * event (SBML L3V2 sec. 4.12.2), a change back to false drops the pending
 * executions of a non-persistent event.  A firing with a delay goes on the
 * pending queue (IMS__ACT_EVENT) at t + delay, the delay and (with
 * useValuesFromTriggerTime) the assignment values computed at the firing;
 * one without a delay is due at once.  Due executions run one at a time,
 * the highest priority first (priorities evaluated then), each followed by a
 * new evaluation of every trigger, so an execution can fire, or cancel,
 * others at the same time (sec. 4.12.3-4.12.5).  Among equal priorities
 * SBML asks for a random choice: it is drawn from a generator seeded the
 * same way at the start of every run, so a run is reproducible.  The
 * assignments of one execution are computed before any is made, their
 * scales (model.h) when it runs. */
#include "sim_impl.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
  int ev;
  int live;   /* 0: executed or cancelled */
  int due;    /* in the ready set */
  int stored; /* vals holds the values from the firing */
  long order; /* firing order, for equal priorities */
  double *vals;
} slot_t;

struct ims__evstate {
  int nev, nroots, nval, maxa;
  double *g, *trig, *prio, *delay, *vals, *tmp;
  signed char *side, *prev;
  slot_t *slot;
  int nslot, cap;
  long order, executed;
  unsigned long long rng; /* ties among equal priorities */
  double *scales;
};

/* SplitMix64: a small, well-mixed generator for the random choice among
 * events of equal priority. */
static double uniform(ims__evstate_t *E)
{
  unsigned long long z = (E->rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return (double)(z >> 11) / 9007199254740992.0;
}

static void slots_reset(ims__evstate_t *E)
{
  for (int i = 0; i < E->nslot; i++)
    free(E->slot[i].vals);
  E->nslot = 0;
  E->order = 0;
  E->executed = 0;
}

void ims__ev_free(ims_sim_t *s)
{
  ims__evstate_t *E = s->evs;
  if (!E)
    return;
  slots_reset(E);
  free(E->slot);
  free(E->g);
  free(E->trig);
  free(E->prio);
  free(E->delay);
  free(E->vals);
  free(E->tmp);
  free(E->scales);
  free(E->side);
  free(E->prev);
  free(E);
  s->evs = NULL;
}

int ims__ev_setup(ims_sim_t *s, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  ims__ev_free(s);
  if (!m->nevents || !m->event_eval)
    return IMS_OK;
  ims__evstate_t *E = calloc(1, sizeof *E);
  if (!E)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->evs = E;
  E->nev = m->nevents;
  E->nroots = m->nevroots;
  E->nval = m->nevvalues;
  for (int i = 0; i < E->nev; i++)
    if (m->events[i].nassign > E->maxa)
      E->maxa = m->events[i].nassign;
  size_t nv = (size_t)E->nev + 1;
  E->g = calloc((size_t)E->nroots + 1, sizeof *E->g);
  E->side = calloc((size_t)E->nroots + 1, 1);
  E->trig = calloc(nv, sizeof *E->trig);
  E->prio = calloc(nv, sizeof *E->prio);
  E->delay = calloc(nv, sizeof *E->delay);
  E->prev = calloc(nv, 1);
  E->vals = calloc((size_t)E->nval + 1, sizeof *E->vals);
  E->tmp = calloc((size_t)E->maxa + 1, sizeof *E->tmp);
  E->scales = calloc((size_t)E->nval + 1, sizeof *E->scales);
  if (!E->g || !E->side || !E->trig || !E->prio || !E->delay || !E->prev || !E->vals || !E->tmp ||
      !E->scales)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  return IMS_OK;
}

int ims__ev_nroots(const ims_sim_t *s)
{
  return s->evs ? s->evs->nroots : 0;
}

/* Root functions: the relations' differences, never exactly 0 (CVODE's sign
 * test; the last side is held) and kept in [1e-150, 1e150] in magnitude. */
void ims__ev_roots(ims_sim_t *s, double t, const double *y, double *g)
{
  ims__evstate_t *E = s->evs;
  s->m->event_eval(IMS_EVAL_ROOTS, t, y, E->g, &s->ctx);
  for (int i = 0; i < E->nroots; i++) {
    double v = E->g[i], a = fabs(v);
    if (s->in_ss || v == 0 || isnan(v)) {
      g[i] = E->side[i] < 0 ? -1e-150 : 1e-150;
      continue;
    }
    a = a < 1e-150 ? 1e-150 : a > 1e150 ? 1e150 : a;
    g[i] = v < 0 ? -a : a;
  }
}

static slot_t *new_slot(ims_sim_t *s, int ev, ims_err_t *err)
{
  ims__evstate_t *E = s->evs;
  for (int i = 0; i < E->nslot; i++) /* reuse a spent slot */
    if (!E->slot[i].live) {
      E->slot[i].ev = ev;
      E->slot[i].live = 1;
      E->slot[i].due = E->slot[i].stored = 0;
      E->slot[i].order = E->order++;
      return &E->slot[i];
    }
  if (E->nslot == E->cap) {
    int cap = E->cap ? 2 * E->cap : 16;
    slot_t *n = realloc(E->slot, (size_t)cap * sizeof *n);
    if (!n)
      return NULL;
    E->slot = n;
    E->cap = cap;
  }
  slot_t *x = &E->slot[E->nslot];
  x->vals = calloc((size_t)E->maxa + 1, sizeof *x->vals);
  if (!x->vals) {
    ims_err_set(err, IMS_ENOMEM, "out of memory");
    return NULL;
  }
  E->nslot++;
  x->ev = ev;
  x->live = 1;
  x->due = x->stored = 0;
  x->order = E->order++;
  return x;
}

/* Event ev fires at t. */
static int fire(ims_sim_t *s, int ev, double t, ims_err_t *err)
{
  ims__evstate_t *E = s->evs;
  const ims_event_def_t *d = &s->m->events[ev];
  const double *y = NV_DATA_S(s->y);
  slot_t *x = new_slot(s, ev, err);
  if (!x)
    return err && err->code ? err->code : ims_err_set(err, IMS_ENOMEM, "out of memory");
  double delay = 0;
  if (d->has_delay) {
    s->m->event_eval(IMS_EVAL_DELAYS, t, y, E->delay, &s->ctx);
    delay = E->delay[ev];
    if (!(delay >= 0) || !isfinite(delay))
      return ims_err_set(err, IMS_EINPUT,
                         "model %s: event %s fired at t = %g with a delay of %g; a delay must be "
                         "finite and not negative",
                         s->m->name, d->id, t, delay);
  }
  if (d->use_trigger_values) {
    s->m->event_eval(IMS_EVAL_VALUES, t, y, E->vals, &s->ctx);
    memcpy(x->vals, E->vals + d->v0, (size_t)d->nassign * sizeof *x->vals);
    x->stored = 1;
  }
  /* due now, or on the timeline; a firing due now still needs the instant to
   * be a discontinuity, hence the queued wake-up (slot -1) */
  if (delay <= 0)
    x->due = 1;
  ims__pending_t a = {t + delay, 0, IMS__ACT_EVENT, delay <= 0 ? -1 : (int)(x - E->slot), -1, 0,
                      0,         -1};
  return ims__tl_push(&s->tl, &a, err);
}

int ims__ev_check(ims_sim_t *s, double t, ims_err_t *err)
{
  ims__evstate_t *E = s->evs;
  if (!E)
    return IMS_OK;
  const double *y = NV_DATA_S(s->y);
  s->m->event_eval(IMS_EVAL_ROOTS, t, y, E->g, &s->ctx);
  for (int i = 0; i < E->nroots; i++)
    if (E->g[i] != 0 && !isnan(E->g[i]))
      E->side[i] = E->g[i] < 0 ? -1 : 1;
  s->m->event_eval(IMS_EVAL_TRIGGERS, t, y, E->trig, &s->ctx);
  int rc = IMS_OK;
  for (int e = 0; !rc && e < E->nev; e++) {
    int cur = E->trig[e] != 0 && !isnan(E->trig[e]);
    if (cur && !E->prev[e]) {
      E->prev[e] = 1;
      rc = fire(s, e, t, err);
    } else if (!cur && E->prev[e]) {
      E->prev[e] = 0;
      if (!s->m->events[e].persistent)
        for (int i = 0; i < E->nslot; i++)
          if (E->slot[i].live && E->slot[i].ev == e)
            E->slot[i].live = E->slot[i].due = 0;
    }
  }
  return rc;
}

void ims__ev_due(ims_sim_t *s, int slot)
{
  ims__evstate_t *E = s->evs;
  if (E && slot >= 0 && slot < E->nslot && E->slot[slot].live)
    E->slot[slot].due = 1;
}

/* Run one execution: its values (stored, or computed now), then every
 * assignment at once. */
static void execute(ims_sim_t *s, slot_t *x, double t)
{
  ims__evstate_t *E = s->evs;
  const ims_event_def_t *d = &s->m->events[x->ev];
  double *y = NV_DATA_S(s->y);
  const double *v = x->vals;
  if (!x->stored) {
    s->m->event_eval(IMS_EVAL_VALUES, t, y, E->vals, &s->ctx);
    v = E->vals + d->v0;
  }
  memcpy(E->tmp, v, (size_t)d->nassign * sizeof *E->tmp);
  s->m->event_eval(IMS_EVAL_SCALES, t, y, E->scales, &s->ctx);
  for (int k = 0; k < d->nassign; k++)
    E->tmp[k] *= E->scales[d->v0 + k];
  for (int k = 0; k < d->nassign; k++) {
    int tg = d->target[k];
    if (tg >= 0)
      y[tg] = E->tmp[k];
    else
      s->p[-1 - tg] = E->tmp[k];
  }
  x->live = x->due = 0;
}

int ims__ev_run_due(ims_sim_t *s, double t, int *any, ims_err_t *err)
{
  ims__evstate_t *E = s->evs;
  if (!E)
    return IMS_OK;
  for (;;) {
    slot_t *best = NULL;
    int prio_done = 0, ties = 0;
    double pb = 0;
    for (int i = 0; i < E->nslot; i++) {
      slot_t *x = &E->slot[i];
      if (!x->live || !x->due)
        continue;
      if (!prio_done) {
        s->m->event_eval(IMS_EVAL_PRIORITIES, t, NV_DATA_S(s->y), E->prio, &s->ctx);
        prio_done = 1;
      }
      double px = isnan(E->prio[x->ev]) ? -INFINITY : E->prio[x->ev];
      if (!best || px > pb) {
        best = x;
        pb = px;
        ties = 1;
      } else if (px == pb && uniform(E) * ++ties < 1) { /* each of the tied equally likely */
        best = x;
      }
    }
    if (!best)
      return IMS_OK;
    if (++E->executed > s->max_events)
      return ims_err_set(err, IMS_EINPUT,
                         "model %s: more than %ld event executions by t = %g (event %s keeps "
                         "firing)",
                         s->m->name, s->max_events, t, s->m->events[best->ev].id);
    execute(s, best, t);
    *any = 1;
    /* the assignments may fire or cancel other events at this time */
    int rc = ims__ev_check(s, t, err);
    if (rc)
      return rc;
  }
}

int ims__ev_begin(ims_sim_t *s, double t, ims_err_t *err)
{
  ims__evstate_t *E = s->evs;
  if (!E)
    return IMS_OK;
  slots_reset(E);
  E->rng = 0x5b31ull; /* the same draws for every run */
  /* a trigger true before the start (initialValue) does not fire at t0 */
  for (int e = 0; e < E->nev; e++)
    E->prev[e] = s->m->events[e].initial_value != 0;
  memset(E->side, 0, (size_t)E->nroots);
  /* relations t OP c: the driver stops at each c, so t >= c holds at c
   * itself (root finding would find the crossing just after it) */
  int nt = s->m->nevtimes;
  if (nt > 0) {
    double *c = malloc((size_t)nt * sizeof *c);
    if (!c)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    s->m->event_eval(IMS_EVAL_TIMES, t, NV_DATA_S(s->y), c, &s->ctx);
    int rc = IMS_OK;
    for (int i = 0; !rc && i < nt; i++)
      if (isfinite(c[i]) && c[i] > t && c[i] <= s->tl.tend) {
        ims__pending_t a = {c[i], 0, IMS__ACT_EVENT, -1, -1, 0, 0, -1};
        rc = ims__tl_push(&s->tl, &a, err);
      }
    free(c);
    if (rc)
      return rc;
  }
  return ims__ev_check(s, t, err);
}
