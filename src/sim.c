/* The solver driver: the event loop.
 *
 * Design
 * ------
 * One timeline.  Every time the driver stops at is on one sorted list
 * (src/sim_timeline.c): t0; the expanded schedule (doses, infusion starts
 * and ends, with lag, f and ii/addl applied, each time computed as
 * time + k*ii + lag, never accumulated); the model's breakpoints, recomputed
 * from the live parameters whenever an action changes one; the pending queue
 * of triggered actions (delays, ends of triggered infusions); the output
 * times; the extra samples; the end.  The list is a merge of sorted sources
 * read through cursors (an output grid is never copied).
 *
 * Instants.  ims_time_tol(t, scale) = 8 DBL_EPSILON max(|t|, scale), with
 * scale = max(|t0|, |tend|).  Starting from the earliest item t1, every item
 * within tol(t1) belongs to one instant.  The instant's time is its first
 * discontinuity (schedule event, breakpoint, pending action) if it has one,
 * else t1; everything within tol of that time joins too.  CVODE is only
 * asked to integrate between instants, which are therefore more than tol
 * apart: well above the 2 DBL_EPSILON |t| CVODE needs for a first step.
 * Rows are still reported at the requested output times (a row merged into
 * an instant shows the state there).
 *
 * Order at an instant: (0) switches of the model's conditions found at this
 * root, (1) model breakpoints, then schedule events (infusion ends,
 * boluses, infusion starts, each in record order), (2) triggered actions
 * due, in the order they were queued, repeated while actions make new
 * crossings (at most IMS__MAX_ROUNDS rounds), (3) rows, then extra samples.
 * A root (below) is an instant too: its triggers fire first, then (0)-(3)
 * for whatever the timeline holds within tol.
 *
 * The loop.  From an instant, CVODE integrates towards the next one with its
 * stop time at the next discontinuity (outputs in between come from CVODE's
 * interpolation).  After an instant with a discontinuity CVODE restarts
 * there; after a root without one it carries on, unless a newly queued
 * action lies behind CVODE's internal time.  Every loop is bounded: the
 * timeline is finite, triggered events are capped (opts->max_events), root
 * returns are capped (20 per allowed event) and root returns that do not
 * advance time are capped (IMS__MAX_STUCK).
 *
 * Triggers (src/sim_trig.c).  A trigger fires on a change of its condition.
 * Its condition is made of watches: a watch is one scalar g(t, y) (a column
 * minus a threshold, or a column's derivative for extrema) with a band
 * |g| <= tol (the column's solver tolerance; for derivatives, the rate at
 * which it would change by its tolerance over the whole run, plus the
 * rounding error of the derivative).  A watch keeps its last side (sign of
 * g; exactly 0 is no side) and whether it is armed.  CVODE gets two root
 * functions per watch: the crossing (g while armed, else a constant of the
 * last side) and the re-arming (|g| - tol while disarmed, else a constant);
 * values are kept in [1e-150, 1e150] in magnitude so CVODE's sign test
 * cannot underflow, and never exactly 0, so CVODE never sees a zero "at and
 * very near" a root.  At every root return (also one with no root flagged)
 * and on both sides of every discontinuity, every watch is re-evaluated; a
 * real change of side fires (in the trigger's direction, subject to start,
 * refractory time and max_count) and disarms the watch until |g| > tol, so
 * one crossing can neither be lost nor fire twice.  Derivative watches
 * never fire at a discontinuity.  New kinds of trigger (an SBML trigger, a
 * boolean over several relations) add their watches in ims__trig_setup and
 * their rule in trig_changed(); actions go through the same pending queue.
 *
 * Switches (src/sim_switch.c).  A model's conditions flip where one of its
 * switching functions g_k(t, y) changes sign.  Each g_k is one more CVODE
 * root function (its sign itself, no band); between stops the model holds
 * each condition on the side ctx->swside gives, so the RHS is smooth within
 * every step.  At a root the switch flips side and CVODE restarts (an
 * instant with a discontinuity, step (0)); a new side whose flow drives the
 * solution straight back (a sliding mode) fails the run.  Restarts refresh
 * the sides (a jump across a switch changes it, rounding at the switch does
 * not).
 *
 * Model events (src/sim_events.c; SBML, issue 12).  A model may bring
 * events (model.h: nevents, event_eval): a trigger that is a boolean of
 * relations, a delay, a priority and assignments, with SBML's semantics.
 * They use this machinery, not a loop of their own, through four hooks:
 * the relations' differences are CVODE root functions after the watches'
 * and the switches' (no band: SBML relations are exact); ims__trig_root,
 * _before and _after evaluate every trigger and fire those that turned
 * true; a firing goes on the pending queue as an IMS__ACT_EVENT action at
 * t + delay (a wake-up at t when there is no delay), so it is a
 * discontinuity of its instant; at the end of apply_due the executions due
 * run one at a time, highest priority first (equal ones in a seeded random
 * order), each followed by a new look at every trigger.  A relation t OP c
 * puts c on the queue at the start, so t >= c holds at c itself, before the
 * rows at c, like a dose.  Sensitivities across model events are refused.
 *
 * Sensitivities (src/sim_sens.c).  At a discontinuity whose time tau moves
 * with p (a breakpoint, a switch, an action triggered by a crossing), the state
 * sensitivities jump: S+ = Dh S- + (Dh f- - f+) dtau/dp (Dh: the Jacobian of
 * the state map, the identity or a state set to 0).  A parameter set by a
 * rule no longer depends on the caller's value (chain factor 0; a scale
 * multiplies it). */
#include "nvec.h"
#include "sim_impl.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ims_time_tol(double t, double scale)
{
  return IMS__TIME_ULPS * DBL_EPSILON * fmax(fabs(t), fabs(scale));
}

void ims_opts_default(ims_opts_t *o)
{
  memset(o, 0, sizeof *o);
  o->method = IMS_BDF;
  o->rtol = 1e-6;
  o->atol = 1e-9;
  o->use_jac = 1;
}

/* ---- allocation ------------------------------------------------------ */

int ims_sim_alloc(ims_sim_t **out, const ims_model_t *m, ims_err_t *err)
{
  *out = NULL;
  ims_sim_t *s = calloc(1, sizeof *s);
  if (!s)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->m = m;
  s->n = m->nstates;
  s->np = ims_model_nvalues(m);
  s->method = -1;
  size_t n = (size_t)s->n, no = (size_t)m->noutputs;
  s->p = calloc((size_t)s->np, sizeof *s->p);
  s->rate = calloc(n, sizeof *s->rate);
  s->ninf = calloc(n, sizeof *s->ninf);
  s->ndose = calloc(n, sizeof *s->ndose);
  s->out = calloc(no + 1, sizeof *s->out);
  s->qout = calloc(no + 1, sizeof *s->qout);
  s->jbuf = calloc(n * n, sizeof *s->jbuf);
  s->ypre = calloc(n + 1, sizeof *s->ypre);
  s->outpre = calloc(no + 1, sizeof *s->outpre);
  s->fbuf = calloc(3 * n + 2 * (no + 1), sizeof *s->fbuf);
  s->obsf = calloc(n + no + 1, sizeof *s->obsf);
  s->ymax = calloc(n + 1, sizeof *s->ymax);
  s->work = calloc(m->nwork + 1, sizeof *s->work);
  s->nsw = m->switches && m->nswitch > 0 ? m->nswitch : 0;
  s->gsw = calloc(4 * (size_t)s->nsw + 1, sizeof *s->gsw);
  s->swside = calloc((size_t)s->nsw + 1, sizeof *s->swside);
  s->sw_side = calloc((size_t)s->nsw + 1, sizeof *s->sw_side);
  s->sw_flip = calloc((size_t)s->nsw + 1, sizeof *s->sw_flip);
  if (!s->p || !s->rate || !s->ninf || !s->ndose || !s->out || !s->jbuf || !s->ypre || !s->outpre ||
      !s->fbuf || !s->obsf || !s->ymax || !s->work || !s->gsw || !s->swside || !s->sw_side ||
      !s->sw_flip || SUNContext_Create(NULL, &s->sun) != 0) {
    ims_sim_free(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  s->y = N_VNew_Serial(s->n, s->sun);
  if (s->y) { /* fused vector operations: fewer calls per step, ~3 % on small models */
    N_VEnableFusedOps_Serial(s->y, SUNTRUE);
    ims__nvec_tune(s->y); /* CVODES clones its vectors from y */
  }
  s->abstol = N_VNew_Serial(s->n, s->sun);
  s->A = SUNDenseMatrix(s->n, s->n, s->sun);
  if (!s->y || !s->abstol || !s->A) {
    ims_sim_free(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  s->LS = SUNLinSol_Dense(s->y, s->A, s->sun);
  s->ctx.p = s->p;
  s->ctx.ndose = s->ndose;
  s->ctx.model = m;
  s->ctx.work = s->work;
  s->ctx.swside = s->nsw ? s->swside : NULL;
  *out = s;
  return IMS_OK;
}

void ims_sim_free(ims_sim_t *s)
{
  if (!s)
    return;
  if (s->cv)
    CVodeFree(&s->cv);
  ims__aug_free(s);
  if (s->LS)
    SUNLinSolFree(s->LS);
  if (s->A)
    SUNMatDestroy(s->A);
  if (s->y)
    N_VDestroy(s->y);
  if (s->abstol)
    N_VDestroy(s->abstol);
  if (s->q)
    N_VDestroy(s->q);
  if (s->sun)
    SUNContext_Free(&s->sun);
  free(s->p);
  free(s->rate);
  free(s->ninf);
  free(s->ndose);
  free(s->out);
  free(s->qout);
  free(s->jbuf);
  free(s->ypre);
  free(s->outpre);
  free(s->fbuf);
  free(s->obsf);
  free(s->ymax);
  free(s->work);
  free(s->gsw);
  free(s->sw_side);
  free(s->sw_flip);
  free(s->swside);
  ims__trig_free(s);
  ims__tl_free(&s->tl);
  ims__sens_free(s);
  free(s);
}

void ims_stats_add(ims_stats_t *a, const ims_stats_t *b)
{
  a->steps += b->steps;
  a->rhs_evals += b->rhs_evals;
  a->jac_evals += b->jac_evals;
  a->restarts += b->restarts;
  a->roots += b->roots;
  a->ss_intervals += b->ss_intervals;
  a->err_test_fails += b->err_test_fails;
  a->nonlin_conv_fails += b->nonlin_conv_fails;
}

const ims_stats_t *ims_sim_stats(const ims_sim_t *s)
{
  return &s->st;
}
double *ims_sim_params(ims_sim_t *s)
{
  return s->p;
}

/* ---- observers ------------------------------------------------------- */

static int emit_event(ims_sim_t *s, const ims_logged_t *lg)
{
  return s->obs && s->obs->event ? s->obs->event(s->obs->ud, lg) : 0;
}

static int sample(ims_sim_t *s, double t, int kind, const double *y, const double *out)
{
  const ims_observer_t *obs = s->obs;
  if (!obs || !obs->sample)
    return 0;
  ims__quad_sync(s);
  return obs->sample(obs->ud, t, kind, y, out, s->nq ? NV_DATA_S(s->q) : NULL);
}

static int emit_row(ims_sim_t *s, double t)
{
  const double *y = NV_DATA_S(s->y);
  const ims_observer_t *obs = s->obs;
  if (s->m->noutputs)
    s->m->output(t, y, s->out, &s->ctx);
  if (!obs || !obs->row)
    return 0;
  const double *q = NULL;
  if (s->nq && (!s->opts->quad_last_row || s->tl.iout + 1 == s->tl.ntout)) {
    ims__quad_sync(s);
    q = NV_DATA_S(s->q);
  }
  int rc = obs->row(obs->ud, t, y, s->out, q);
  if (!rc && s->sens_on && obs->sens)
    rc = ims__sens_emit(s, t, obs);
  if (!rc && s->sens_on && obs->sens_shift && s->itheta) {
    int nc = s->n + s->m->noutputs, fdone = 0;
    double noise, *rate = s->jr; /* free between jumps; 2n + no + 1 long */
    for (int c = 0; c < nc; c++)
      rate[c] = ims__col_deriv(s, t, y, c, &fdone, &noise);
    rc = obs->sens_shift(obs->ud, t, s->itheta, rate);
  }
  return rc;
}

/* ---- applying discontinuities ---------------------------------------- */

static void infusion_edge(ims_sim_t *s, int cmt, double rate, int on)
{
  s->ninf[cmt] += on ? 1 : -1;
  /* Sum exactly back to zero when the last infusion into a state ends. */
  s->rate[cmt] = s->ninf[cmt] > 0 ? s->rate[cmt] + (on ? rate : -rate) : 0.0;
  if (on)
    s->ndose[cmt]++;
  if (s->ninf[cmt] <= 0)
    ims__sens_rate_clear(s, cmt);
}

/* The breakpoints of the live parameters: those at or before lim are
 * passed (ctx->phase counts them), the rest are on the timeline. */
static void set_breaks(ims_sim_t *s, double lim)
{
  ims__timeline_t *tl = &s->tl;
  tl->ntb = s->m->breaks ? s->m->breaks(s->p, tl->tb, IMS__MAX_BREAKS) : 0;
  if (tl->ntb < 0)
    tl->ntb = 0;
  int ib = 0;
  while (ib < tl->ntb && tl->tb[ib] <= lim)
    ib++;
  tl->ib = ib;
  s->ctx.phase = ib;
}

/* Apply one action now.  Returns IMS_ESTOP for a stop. */
static int apply_action(ims_sim_t *s, const ims__pending_t *a, double t, double lim, ims_err_t *err)
{
  double *y = NV_DATA_S(s->y);
  switch (a->act) {
  case IMS_ACT_ZERO:
    y[a->target] = 0.0;
    return IMS_OK;
  case IMS_ACT_BOLUS:
    y[a->target] += a->value;
    s->ndose[a->target]++;
    return IMS_OK;
  case IMS_ACT_INFUSE: {
    if (!(a->rate > 0) || !(a->value > 0))
      return IMS_OK;
    infusion_edge(s, a->target, a->rate, 1);
    ims__pending_t off = {
        t + a->value / a->rate, 0, IMS__ACT_INF_END, a->target, a->trigger, 0, a->rate, a->dtau};
    return ims__tl_push(&s->tl, &off, err);
  }
  case IMS__ACT_INF_END:
    infusion_edge(s, a->target, a->rate, 0);
    return IMS_OK;
  case IMS_ACT_SETPAR:
  case IMS_ACT_SCALEPAR: {
    double old = s->p[a->target];
    s->p[a->target] = a->act == IMS_ACT_SETPAR ? a->value : old * a->value;
    ims__sens_param_changed(s, a->target, a->act == IMS_ACT_SETPAR ? 0.0 : a->value);
    if (s->m->breaks) /* a breakpoint that depends on it moves */
      set_breaks(s, lim);
    return IMS_OK;
  }
  case IMS_ACT_STOP:
    return IMS_ESTOP;
  default:
    return IMS_OK;
  }
}

typedef struct run {
  const ims_schedule_t *sched;
  ims_event_t *ev;
  const double *itheta; /* d(time of this instant)/dp, or NULL */
  /* Per expanded event, for infusion starts: the rate it added (a dose
   * scaled by a covariate is computed when given, so its end takes away
   * exactly that), whether it still runs (a reset ends it), and the
   * d(rate)/dp it added to a sensitivity (index dj, or -1). */
  double *applied, *dapplied;
  int *dj;
  unsigned char *running;
} run_t;

/* A schedule event now: a reset, a bolus, an infusion start or end, with the
 * value of a dose scaled by a covariate computed from the live parameters
 * (and its derivative added to that covariate's sensitivity). */
static int apply_event(ims_sim_t *s, run_t *r, long i, double t, ims_err_t *err)
{
  const ims_event_t *e = &r->ev[i];
  double *y = NV_DATA_S(s->y);
  int k = e->cov - 1, cmt = e->cmt;
  if (e->kind == IMS_EV_RESET) {
    for (long j = 0; j < s->tl.nev; j++) /* the schedule's running infusions end */
      if (r->running[j]) {
        r->running[j] = 0;
        ims__sens_rate_add(s, r->dj[j], r->ev[j].cmt, -r->dapplied[j]);
        infusion_edge(s, r->ev[j].cmt, r->applied[j], 0); /* last: may clear the sums */
      }
    ims__initial_state(s, s->p, y);
    ims__sens_reset(s);
    for (int c = 0; c < s->n; c++)
      if (!isfinite(y[c]))
        return ims_err_set(err, IMS_EINPUT,
                           "model %s: initial %s is not finite at the reset at t=%g", s->m->name,
                           s->m->states[c].name, t);
    return IMS_OK;
  }
  if (e->kind == IMS_EV_BOLUS) {
    y[cmt] += ims_event_value(e, s->p);
    s->ndose[cmt]++;
    if (k >= 0)
      ims__sens_dose(s, k, cmt, e->base / e->div);
    return IMS_OK;
  }
  if (e->kind == IMS_EV_INF_ON) {
    double v = ims_event_value(e, s->p);
    r->applied[i] = v;
    r->running[i] = 1;
    r->dj[i] = k >= 0 ? ims__sens_index(s, k) : -1;
    r->dapplied[i] = r->dj[i] >= 0 ? ims__sens_chain(s, r->dj[i]) * (e->base / e->div) : 0.0;
    infusion_edge(s, cmt, v, 1);
    ims__sens_rate_add(s, r->dj[i], cmt, r->dapplied[i]);
    return IMS_OK;
  }
  long on = e->on - 1;
  if (on < 0) { /* an end without its start (a caller's own event list) */
    infusion_edge(s, cmt, e->value, 0);
    return IMS_OK;
  }
  if (!r->running[on]) /* a reset ended it already */
    return IMS_OK;
  r->running[on] = 0;
  ims__sens_rate_add(s, r->dj[on], cmt, -r->dapplied[on]);
  infusion_edge(s, cmt, r->applied[on], 0); /* last: may clear the sums */
  (void)t;
  return IMS_OK;
}

/* The first moving discontinuity of an instant gives the instant's
 * d(time)/dp (a copy: the scratch and the pool it comes from move). */
static void keep_theta(ims_sim_t *s, run_t *r, const double *th)
{
  if (!th || r->itheta)
    return;
  memcpy(s->ith, th, (size_t)s->ns * sizeof *th);
  r->itheta = s->ith;
}

/* Everything on the timeline due by lim, in the documented order.  *any
 * says whether something was applied. */
static int apply_due(ims_sim_t *s, run_t *r, double t, double lim, int *any, ims_err_t *err)
{
  ims__timeline_t *tl = &s->tl;
  int rc = IMS_OK;
  if (s->sw_due) { /* the flow crossed a switch of the model's conditions */
    const double *th = NULL;
    s->sw_due = 0;
    if (s->sens_on) {
      if ((rc = ims__sens_switch(s, t, s->theta, err)) != 0)
        return rc;
      ims__sens_jump_before(s, t);
      th = s->theta;
    }
    if ((rc = ims__switch_flip(s, t, err)) != 0)
      return rc;
    ims__sens_jump_after(s, t, th, -1);
    keep_theta(s, r, th);
    *any = 1;
  }
  while (tl->ib < tl->ntb && tl->tb[tl->ib] <= lim) {
    const double *th = NULL;
    if (s->sens_on) {
      ims__sens_breakpoint(s, tl->ib, s->theta);
      ims__sens_jump_before(s, t);
      th = s->theta;
    }
    s->ctx.phase = ++tl->ib;
    ims__sens_jump_after(s, t, th, -1);
    keep_theta(s, r, th);
    *any = 1;
  }
  while (!rc && tl->iev < tl->nev && tl->ev[tl->iev].time <= lim) {
    long i = tl->iev++;
    const ims_event_t *e = &tl->ev[i];
    if (e->ss)
      rc = ims__steady_state(s, &r->sched->rec[e->rec],
                             r->sched->path ? r->sched->path : "schedule", t, err);
    rc = rc ? rc : apply_event(s, r, i, t, err);
    if (rc)
      break;
    *any = 1;
  }
  ims__pending_t a;
  while (!rc && ims__tl_pop(tl, lim, &a)) {
    if (a.act == IMS__ACT_EVENT) { /* a model event falls due: run below */
      ims__ev_due(s, a.target);
      *any = 1;
      continue;
    }
    const ims_trigger_t *tr = &s->opts->triggers[a.trigger];
    if (a.act != IMS__ACT_INF_END && tr->delay > 0) { /* log a delayed action as it runs */
      ims_logged_t lg = {t, a.trigger, tr->var, ims__var_value(s, t, NV_DATA_S(s->y), tr->var),
                         1, 0};
      rc = emit_event(s, &lg);
      if (rc)
        break;
    }
    const double *th = ims__sens_pool_get(s, a.dtau);
    ims__sens_jump_before(s, t);
    rc = apply_action(s, &a, t, lim, err);
    ims__sens_jump_after(s, t, th, a.act == IMS_ACT_ZERO ? a.target : -1);
    keep_theta(s, r, th);
    *any = 1;
  }
  /* model events due now, highest priority first (src/sim_events.c) */
  return rc ? rc : ims__ev_run_due(s, t, any, err);
}

/* The discontinuities of the instant at t (all due by lim): crossings the
 * flow made up to here, then (1) and (2) of the order.  Observers get both
 * sides. */
static int discontinuities(ims_sim_t *s, run_t *r, double t, double lim, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  double *y = NV_DATA_S(s->y);
  int rc = ims__trig_before(s, t, err);
  if (rc)
    return rc;
  memcpy(s->ypre, y, (size_t)s->n * sizeof *y);
  if (m->noutputs)
    m->output(t, y, s->outpre, &s->ctx);
  int any = 0;
  r->itheta = NULL;
  rc = apply_due(s, r, t, lim, &any, err);
  if (rc && rc != IMS_ESTOP)
    return rc;
  int orc = sample(s, t, IMS_SAMPLE_BEFORE, s->ypre, s->outpre);
  if (orc || rc)
    return orc ? orc : rc;
  for (int round = 0;; round++) {
    if (m->noutputs)
      m->output(t, y, s->out, &s->ctx);
    if ((rc = sample(s, t, IMS_SAMPLE_AFTER, y, s->out)) != 0)
      return rc;
    if ((rc = ims__trig_after(s, t, r->itheta, err)) != 0)
      return rc;
    int again = 0;
    lim = ims__tl_chain_end(&s->tl, lim); /* actions just queued may join */
    if ((rc = apply_due(s, r, t, lim, &again, err)) != 0 || !again)
      return rc;
    if (round >= IMS__MAX_ROUNDS)
      return ims_err_set(err, IMS_EINPUT,
                         "model %s: triggered actions keep firing at t = %g; give the rules a "
                         "refractory time or a max_count",
                         m->name, t);
  }
}

/* Rows at output times and extra samples due by lim. */
static int emit_due(ims_sim_t *s, double t, double lim)
{
  ims__timeline_t *tl = &s->tl;
  int rc = 0;
  for (; !rc && tl->iout < tl->ntout && tl->tout[tl->iout] <= lim; tl->iout++)
    rc = emit_row(s, tl->tout[tl->iout]);
  while (!rc && tl->ismp < tl->nsmp && tl->smp[tl->ismp] <= lim) {
    double ts = tl->smp[tl->ismp];
    if (s->m->noutputs)
      s->m->output(t, NV_DATA_S(s->y), s->out, &s->ctx);
    rc = sample(s, ts, IMS_SAMPLE_AT, NV_DATA_S(s->y), s->out);
    while (tl->ismp < tl->nsmp && tl->smp[tl->ismp] == ts)
      tl->ismp++;
  }
  return rc;
}

/* The instant at t (CVODE is there), taking every item up to lim.
 * *restart says whether CVODE must restart at t. */
static int instant(ims_sim_t *s, run_t *r, double t, double lim, int *restart, ims_err_t *err)
{
  ims__timeline_t *tl = &s->tl;
  int rc = IMS_OK;
  *restart = 0;
  r->itheta = NULL;
  if (ims__tl_hard_due(tl, lim) || s->sw_due) {
    rc = discontinuities(s, r, t, lim, err);
    if (rc)
      return rc;
    *restart = 1;
  }
  s->itheta = r->itheta;
  rc = emit_due(s, t, lim);
  s->itheta = NULL;
  return rc;
}

/* The time of the next instant and its last item *lim (see the design
 * comment). */
static double next_instant(const ims__timeline_t *tl, double *lim)
{
  double t1 = ims__tl_next(tl), hard = ims__tl_next_hard(tl);
  *lim = ims__tl_chain_end(tl, t1);
  return hard <= *lim ? hard : t1;
}

static int run_loop(ims_sim_t *s, run_t *r, ims_err_t *err)
{
  ims__timeline_t *tl = &s->tl;
  const ims_model_t *m = s->m;
  double t = s->opts->t0, tret, last_root = -INFINITY;
  int restart, stuck = 0;
  ims__trig_begin(s, t);
  int rc = ims__ev_begin(s, t, err); /* model events true at t0 may fire there */
  rc = rc ? rc : instant(s, r, t, ims__tl_chain_end(tl, t), &restart, err);
  if (!rc && restart)
    rc = ims__cv_reinit(s, t, err);
  while (!rc && tl->iout < tl->ntout) {
    double lim, tn = next_instant(tl, &lim), hard = ims__tl_next_hard(tl);
    int flag = ims__cv_advance(s, tn, hard, &tret, err);
    if (flag < 0)
      return flag;
    if (flag == CV_ROOT_RETURN) {
      stuck = tret - last_root <= ims__tl_tol(tl, tret) ? stuck + 1 : 0;
      last_root = tret;
      /* the root's own report first: a model condition flipping back and
       * forth has its own message */
      if ((rc = ims__trig_root(s, tret, err)) != 0)
        return rc;
      if (stuck > IMS__MAX_STUCK)
        return ims_err_set(err, IMS_ESOLVER,
                           "model %s: root finding makes no progress at t = %.17g %s: a trigger's "
                           "quantity stays on its threshold; this is a driver bug, please report "
                           "it with the command line",
                           m->name, tret, m->time_unit ? m->time_unit : "");
      if (s->st.roots > 20 * s->max_events + 1000)
        return ims_err_set(err, IMS_ESOLVER,
                           "model %s: more than %ld root returns by t = %g %s: a watched quantity "
                           "keeps returning to its threshold; give the rules a refractory time",
                           m->name, s->st.roots, tret, m->time_unit ? m->time_unit : "");
      /* items left before the root belong to a chain that reaches past it */
      t = tret;
      lim = ims__tl_chain_end(tl, tret);
    } else {
      t = tn;
    }
    if ((rc = instant(s, r, t, lim, &restart, err)) != 0)
      return rc;
    double tcur = t;
    CVodeGetCurrentTime(s->cv, &tcur);
    /* an action queued behind CVODE's internal time needs a restart:
     * CVODE cannot stop behind itself */
    if (restart || (flag == CV_ROOT_RETURN && ims__tl_next_hard(tl) < tcur))
      rc = ims__cv_reinit(s, t, err);
  }
  return rc;
}

/* ---- entry points ---------------------------------------------------- */

int ims_opts_validate(const ims_opts_t *o, const ims_model_t *m, ims_err_t *err)
{
  int nc = m->nstates + m->noutputs;
  if (!isfinite(o->t0))
    return ims_err_set(err, IMS_EINPUT, "start time %g is not finite", o->t0);
  if (o->method != IMS_BDF && o->method != IMS_ADAMS)
    return ims_err_set(err, IMS_EINPUT, "method %d: use BDF or Adams", o->method);
  /* Messages are "SETTING VALUE: why", so a front end can name its own option. */
  if (!(o->rtol > 0 && o->rtol < 1))
    return ims_err_set(err, IMS_EINPUT,
                       "rtol %g: must be above 0 and below 1 (1e-6 is the default; 1e-10 is "
                       "tight)",
                       o->rtol);
  /* no state of any unit is measured to within 1e100; at 0 a state at 0 has no error weight */
  if (!(o->atol > 0 && o->atol <= IMS_ATOL_MAX))
    return ims_err_set(err, IMS_EINPUT,
                       "atol %g: must be above 0 and at most 1e100, in the states' units (1e-9 "
                       "is the default)",
                       o->atol);
  for (int i = 0; o->atol_vec && i < m->nstates; i++)
    if (!(o->atol_vec[i] > 0 && o->atol_vec[i] <= IMS_ATOL_MAX))
      return ims_err_set(err, IMS_EINPUT, "atol %g for %s: must be above 0 and at most 1e100 (%s)",
                         o->atol_vec[i], m->states[i].name, m->states[i].unit);
  if (!(o->init_step >= 0 && isfinite(o->init_step)))
    return ims_err_set(err, IMS_EINPUT,
                       "initial step %g: must be a finite time >= 0 (0: the solver's estimate)",
                       o->init_step);
  if (!(o->max_step >= 0 && isfinite(o->max_step)))
    return ims_err_set(err, IMS_EINPUT, "maximum step %g: must be a finite time >= 0 (0: no limit)",
                       o->max_step);
  if (o->max_steps < 0)
    return ims_err_set(err, IMS_EINPUT, "max_steps %ld: must not be negative (0: 50000)",
                       o->max_steps);
  if (o->max_events < 0 || o->ss_max < 0)
    return ims_err_set(err, IMS_EINPUT, "max_events and ss_max must not be negative");
  if (!(o->ss_tol >= 0 && o->ss_tol < 1))
    return ims_err_set(err, IMS_EINPUT, "ss_tol %g must be >= 0 and below 1", o->ss_tol);
  if (o->quad_cols && (o->nquad_cols < 1 || o->nsens))
    return ims_err_set(err, IMS_EINPUT,
                       "quadrature columns: give at least one, and no sensitivities");
  for (int k = 0; o->quad_cols && k < o->nquad_cols; k++)
    if (o->quad_cols[k] < 0 || o->quad_cols[k] >= nc)
      return ims_err_set(err, IMS_EINPUT, "quadrature column %d: no such column", o->quad_cols[k]);
  if (o->ntriggers < 0 || (o->ntriggers && !o->triggers))
    return ims_err_set(err, IMS_EINPUT, "%d triggers without a table", o->ntriggers);
  for (int k = 0; k < o->ntriggers; k++) {
    const ims_trigger_t *tr = &o->triggers[k];
    const char *nm = tr->name ? tr->name : "?";
    if (tr->var < 0 || tr->var >= 2 * nc)
      return ims_err_set(err, IMS_EINPUT, "trigger %d (%s): no such variable", k, nm);
    if (!isfinite(tr->threshold) || (tr->var >= nc && tr->threshold != 0))
      return ims_err_set(err, IMS_EINPUT, "trigger %d (%s): threshold %g is not usable", k, nm,
                         tr->threshold);
    if (!(tr->delay >= 0 && isfinite(tr->delay)) || !(tr->refractory >= 0) || tr->max_count < 0 ||
        isnan(tr->start))
      return ims_err_set(err, IMS_EINPUT,
                         "trigger %d (%s): delay, refractory and max_count must not be negative", k,
                         nm);
    int bad = 0;
    switch (tr->act) {
    case IMS_ACT_ZERO:
    case IMS_ACT_BOLUS:
    case IMS_ACT_INFUSE:
      bad = tr->target < 0 || tr->target >= m->nstates || !isfinite(tr->value) ||
            (tr->act == IMS_ACT_INFUSE && !(tr->rate > 0 && isfinite(tr->rate)));
      break;
    case IMS_ACT_SETPAR:
    case IMS_ACT_SCALEPAR:
      bad = tr->target < 0 || tr->target >= m->nparams || !isfinite(tr->value);
      break;
    case IMS_ACT_NONE:
    case IMS_ACT_STOP:
      break;
    default:
      bad = 1;
    }
    if (bad)
      return ims_err_set(err, IMS_EINPUT, "trigger %d (%s): action %d has a bad target or value", k,
                         nm, tr->act);
    if (o->nsens > 0 && tr->var >= nc && tr->act != IMS_ACT_NONE && tr->act != IMS_ACT_STOP)
      return ims_err_set(err, IMS_EINPUT,
                         "trigger %d (%s): sensitivities through an action at an extremum are not "
                         "supported; use a threshold",
                         k, nm);
  }
  if (o->nsens > 0 && m->nevents > 0) /* (sbml) the jumps of model events are not differentiated */
    return ims_err_set(err, IMS_EINPUT,
                       "model %s has events (SBML): sensitivities across them are not supported",
                       m->name);
  if (o->nsens < 0 || (o->nsens && !o->sens))
    return ims_err_set(err, IMS_EINPUT, "%d sensitivities without a parameter list", o->nsens);
  for (int j = 0; j < o->nsens; j++)
    if (o->sens[j] < 0 || o->sens[j] >= ims_model_nvalues(m))
      return ims_err_set(err, IMS_EINPUT, "sensitivity %d: no such parameter", j);
  return IMS_OK;
}

static int check_times(const ims_opts_t *o, const double *tout, size_t n, ims_err_t *err)
{
  if (n == 0)
    return ims_err_set(err, IMS_EINPUT, "no output times");
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(tout[i]))
      return ims_err_set(err, IMS_EINPUT, "output time %zu is not finite", i + 1);
    if (tout[i] < o->t0)
      return ims_err_set(err, IMS_EINPUT, "output time %g is before the start time %g", tout[i],
                         o->t0);
    if (i && tout[i] <= tout[i - 1])
      return ims_err_set(err, IMS_EINPUT, "output times must increase (%g after %g)", tout[i],
                         tout[i - 1]);
  }
  for (size_t i = 0; i < o->nsamples; i++)
    if (!isfinite(o->samples[i]) || (i && o->samples[i] < o->samples[i - 1]))
      return ims_err_set(err, IMS_EINPUT, "sample times must be finite and non-decreasing");
  return IMS_OK;
}

static int prepare(ims_sim_t *s, const double *p, const ims_opts_t *o, run_t *r, const double *tout,
                   size_t ntout, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  memcpy(s->p, p, (size_t)s->np * sizeof *s->p);
  memset(s->rate, 0, (size_t)s->n * sizeof *s->rate);
  memset(s->ninf, 0, (size_t)s->n * sizeof *s->ninf);
  memset(s->ndose, 0, (size_t)s->n * sizeof *s->ndose);
  memset(&s->st, 0, sizeof s->st);
  memset(s->ymax, 0, (size_t)s->n * sizeof *s->ymax);
  s->opts = o;
  s->in_ss = 0;
  s->cvmsg[0] = '\0';
  ims__timeline_t *tl = &s->tl;
  double tend = tout[ntout - 1];
  tl->scale = fmax(fabs(o->t0), fabs(tend));
  tl->tend = tend;
  tl->ev = r->ev;
  tl->iev = 0;
  tl->tout = tout;
  tl->ntout = ntout;
  tl->iout = 0;
  /* samples outside [t0, tend] are never reached */
  size_t a = 0, b = o->nsamples;
  while (a < b && o->samples[a] < o->t0)
    a++;
  while (b > a && o->samples[b - 1] > tend)
    b--;
  tl->smp = o->samples;
  tl->ismp = a;
  tl->nsmp = b;
  tl->npend = 0;
  tl->seq = 0;
  double *y = NV_DATA_S(s->y);
  ims__initial_state(s, s->p, y);
  set_breaks(s, o->t0); /* breakpoints at or before t0 are already passed */
  for (int i = 0; i < s->n; i++)
    if (!isfinite(y[i]))
      return ims_err_set(err, IMS_EINPUT, "model %s: initial %s is not finite", m->name,
                         m->states[i].name);
  return ims__cv_setup(s, o, err);
}

int ims_sim_run(ims_sim_t *s, const double *p, const ims_schedule_t *sched, const ims_opts_t *opts,
                const double *tout, size_t ntout, const ims_observer_t *obs, ims_err_t *err)
{
  int rc = ims_opts_validate(opts, s->m, err);
  rc = rc ? rc : check_times(opts, tout, ntout, err);
  run_t r = {.sched = sched};
  long nev = 0;
  if (!rc && sched && sched->nid > 1)
    rc = ims_err_set(err, IMS_EINPUT,
                     "%s: the schedule has the records of %d subjects (column ID); one run "
                     "simulates one subject: run a population (subject i gets the i-th ID) or "
                     "keep the records of one ID",
                     sched->path ? sched->path : "schedule", sched->nid);
  if (!rc && sched && sched->nrec)
    rc = ims_schedule_expand(sched, &r.ev, &nev, err);
  if (!rc && nev) {
    r.applied = malloc((size_t)nev * sizeof *r.applied);
    r.dapplied = malloc((size_t)nev * sizeof *r.dapplied);
    r.dj = malloc((size_t)nev * sizeof *r.dj);
    r.running = calloc((size_t)nev, 1);
    if (!r.applied || !r.dapplied || !r.dj || !r.running)
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  for (long i = 0; !rc && i < nev; i++)
    if (r.ev[i].time < opts->t0)
      rc = ims_err_set(err, IMS_EINPUT, "%s:%ld: dose at %g is before the start time %g",
                       sched->path ? sched->path : "schedule", sched->rec[r.ev[i].rec].line,
                       r.ev[i].time, opts->t0);
  s->obs = obs;
  s->tl.nev = nev;
  rc = rc ? rc : prepare(s, p, opts, &r, tout, ntout, err);
  rc = rc ? rc : run_loop(s, &r, err);
  if (s->cv)
    ims__cv_bank_stats(s);
  free(r.ev);
  free(r.applied);
  free(r.dapplied);
  free(r.dj);
  free(r.running);
  s->tl.ev = NULL;
  s->tl.nev = 0;
  s->obs = NULL;
  return rc;
}

int ims_grid_uniform(double t0, double tend, double dt, double **out, size_t *n, ims_err_t *err)
{
  *out = NULL;
  *n = 0;
  if (!isfinite(t0) || !isfinite(tend) || !isfinite(dt) || dt <= 0 || tend < t0)
    return ims_err_set(err, IMS_EINPUT, "bad output grid: start %g, end %g, step %g", t0, tend, dt);
  double steps = (tend - t0) / dt;
  if (!(steps <= 1e8))
    return ims_err_set(err, IMS_EINPUT, "output grid of %.0f rows is too large; use a larger --dt",
                       steps);
  /* A grid point within a rounding error of tend is tend itself. */
  size_t k = (size_t)floor(steps + 1e-9);
  size_t cnt = k + 1;
  int add_end = fabs(t0 + (double)k * dt - tend) > 1e-9 * dt;
  double *g = malloc((cnt + (size_t)add_end) * sizeof *g);
  if (!g)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (size_t i = 0; i < cnt; i++)
    g[i] = t0 + (double)i * dt;
  if (add_end)
    g[cnt++] = tend;
  else
    g[cnt - 1] = tend;
  *out = g;
  *n = cnt;
  return IMS_OK;
}
