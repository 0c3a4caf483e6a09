/* Events of a compiled description, as the driver runs them (sbml, issue 12;
 * model.h: nevents, events, event_eval).  The model compiler builds one
 * program per event for its trigger, delay, priority and assignment values
 * (mdlemit.c, ims_mdl_event_eval); this adds what the driver also needs, over
 * the same DAG and registers: the root functions of the triggers, the
 * assignments' scales, and the table of events with their targets.
 *
 * A trigger is a boolean of relations a OP b; it can change value only where
 * some a - b changes sign, so those differences are its root functions (the
 * driver locates their sign changes and evaluates the triggers there).
 * Relations inside a relation's operands (a piecewise) are roots as well.
 * A relation between t and a value c that only events change (t >= c) also
 * gives its time c, where the driver stops exactly: root finding would find
 * the crossing just after c, after the row at c. */
#include "mdlevents.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ims__evprog {
  ims_event_def_t *defs;
  int *targets;
  int nev, nval;
  int *roots, nroots, rcap;
  int *times, ntimes, tcap; /* c of the relations t OP c */
  int *scales;
  ims__prog_t p_roots, p_scales, p_times;
};

void ims__events_free(ims__evprog_t *E)
{
  if (!E)
    return;
  ims__prog_free(&E->p_roots);
  ims__prog_free(&E->p_scales);
  ims__prog_free(&E->p_times);
  free(E->times);
  free(E->defs);
  free(E->targets);
  free(E->roots);
  free(E->scales);
  free(E);
}

/* Append node r to a set (no duplicates). */
static int add_node(int **arr, int *n, int *cap, int r)
{
  for (int i = 0; i < *n; i++)
    if ((*arr)[i] == r)
      return 0;
  if (*n == *cap) {
    int c = *cap ? 2 * *cap : 16;
    int *a = realloc(*arr, (size_t)c * sizeof *a);
    if (!a)
      return -1;
    *arr = a;
    *cap = c;
  }
  (*arr)[(*n)++] = r;
  return 0;
}

/* The c of a relation between t and c, c constant between events; -1. */
static int time_of(const ims__dag_t *g, const ims__dnode_t *d)
{
  const unsigned dep = IMS__D_DEPY | IMS__D_DEPT;
  if (g->n[d->a].op == IMS__D_TIME && !(g->n[d->b].flags & dep))
    return d->b;
  if (g->n[d->b].op == IMS__D_TIME && !(g->n[d->a].flags & dep))
    return d->a;
  return -1;
}

/* Every relation under node k that can change in time (visited: nodes seen;
 * only nodes below nn, those that existed before the roots were made). */
static int collect(ims__dag_t *g, int k, int nn, ims__evprog_t *E, char *visited)
{
  if (k < 0 || k >= nn || visited[k])
    return 0;
  visited[k] = 1;
  ims__dnode_t d = g->n[k];
  if (ims__dop_is_rel(d.op) && (g->n[d.a].flags | g->n[d.b].flags) & (IMS__D_DEPY | IMS__D_DEPT)) {
    int r = ims__dag_mk(g, IMS__D_SUB, d.a, d.b, -1), c = time_of(g, &d);
    if (r < 0 || add_node(&E->roots, &E->nroots, &E->rcap, r) ||
        (c >= 0 && add_node(&E->times, &E->ntimes, &E->tcap, c)))
      return -1;
  }
  int ops[3] = {d.a, d.b, d.c};
  for (int q = 0; q < ims__dop_arity(d.op); q++)
    if (collect(g, ops[q], nn, E, visited))
      return -1;
  return 0;
}

static const ims__evx_t *trigger_of(const ims__comp_t *c, int k)
{
  for (int i = 0; i < c->nevx; i++)
    if (c->evx[i].event == k && c->evx[i].kind == 0)
      return &c->evx[i];
  return NULL;
}

int ims__events_nodes(ims__comp_t *c, struct ectx *x, ims__dag_t *g, ims__evprog_t **out)
{
  ims_mdl_t *d = c->d;
  *out = NULL;
  if (!d->nevents)
    return IMS_OK;
  ims__evprog_t *E = calloc(1, sizeof *E);
  if (!E)
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  *out = E;
  E->nev = d->nevents;
  for (int i = 0; i < d->nevents; i++) {
    E->nval += d->events[i].nassign;
    if (d->events[i].nassign > IMS__EV_MAXASSIGN)
      return ims__comp_fail(c, d->events[i].line, d->events[i].col,
                            "event %s has %d assignments; at most %d are supported",
                            d->events[i].id ? d->events[i].id : "", d->events[i].nassign,
                            IMS__EV_MAXASSIGN);
  }
  E->defs = calloc((size_t)E->nev, sizeof *E->defs);
  E->targets = calloc((size_t)E->nval + 1, sizeof *E->targets);
  E->scales = calloc((size_t)E->nval + 1, sizeof *E->scales);
  int *trig = calloc((size_t)E->nev, sizeof *trig);
  if (!E->defs || !E->targets || !E->scales || !trig) {
    free(trig);
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  }
  int v = 0, rc = IMS_OK;
  for (int i = 0; !rc && i < d->nevents; i++) {
    const ims_mdl_event_t *ev = &d->events[i];
    const ims__evx_t *t = trigger_of(c, i);
    trig[i] = t ? ims__emit_node(x, t->x) : -1;
    if (trig[i] < 0) {
      rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
      break;
    }
    E->defs[i] = (ims_event_def_t){ev->id ? ev->id : "",
                                   ev->persistent,
                                   ev->initial_value,
                                   ev->use_trigger_values,
                                   ev->delay.e != NULL,
                                   ev->nassign,
                                   v,
                                   E->targets + v};
    for (int k = 0; !rc && k < ev->nassign; k++, v++) {
      const ims__sym_t *s = ims__comp_lookup(c, ev->assign[k].target);
      E->targets[v] = s->kind == IMS__K_STATE ? s->idx : -1 - c->par_idx[s->idx];
      /* a scale is a plain expression (no calls): built as written */
      const ims_expr_t *sc = ev->assign[k].scale.e;
      E->scales[v] = sc ? ims__emit_node(x, sc) : ims__dag_const(g, 1);
      if (E->scales[v] < 0)
        rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
    }
  }
  int nn = g->nn;
  char *visited = rc ? NULL : calloc((size_t)nn + 1, 1);
  if (!rc && !visited)
    rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  for (int i = 0; !rc && i < E->nev; i++)
    if (collect(g, trig[i], nn, E, visited))
      rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  free(visited);
  free(trig);
  return rc;
}

int ims__events_build(ims__evprog_t *E, const ims__dag_t *g, const ims__layout_t *L)
{
  if (!E)
    return 0;
  return ims__prog_build(&E->p_roots, g, L, E->roots, NULL, E->nroots, E->nroots, 0) ||
         ims__prog_build(&E->p_scales, g, L, E->scales, NULL, E->nval, E->nval, 0) ||
         ims__prog_build(&E->p_times, g, L, E->times, NULL, E->ntimes, E->ntimes, 0);
}

size_t ims__events_nreg(const ims__evprog_t *E)
{
  if (!E)
    return 0;
  size_t a = ims__prog_nreg(&E->p_roots), b = ims__prog_nreg(&E->p_scales),
         c = ims__prog_nreg(&E->p_times);
  return a > b ? (a > c ? a : c) : (b > c ? b : c);
}

void ims__events_eval(int what, double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  const ims__mprog_t *M = ctx->model->impl;
  const ims__evprog_t *E = M->evd;
  if (what == IMS_EVAL_ROOTS || what == IMS_EVAL_SCALES || what == IMS_EVAL_TIMES) {
    const ims__prog_t *P = what == IMS_EVAL_ROOTS    ? &E->p_roots
                           : what == IMS_EVAL_SCALES ? &E->p_scales
                                                     : &E->p_times;
    ims__prog_run(P, &M->L, t, y, ctx->p, NULL, ctx->work, out);
    return;
  }
  /* the compiler's per-event programs: trigger, delay, priority (NaN when
   * absent), then the assignment values */
  double b[3 + IMS__EV_MAXASSIGN];
  for (int k = 0; k < E->nev; k++) {
    const ims_event_def_t *d = &E->defs[k];
    ims__prog_run(&M->ev[k], &M->L, t, y, ctx->p, NULL, ctx->work, b);
    switch (what) {
    case IMS_EVAL_TRIGGERS:
      out[k] = b[0];
      break;
    case IMS_EVAL_DELAYS:
      out[k] = isnan(b[1]) && !d->has_delay ? 0 : b[1];
      break;
    case IMS_EVAL_PRIORITIES:
      out[k] = isnan(b[2]) ? -INFINITY : b[2];
      break;
    default:
      memcpy(out + d->v0, b + 3, (size_t)d->nassign * sizeof *out);
    }
  }
}

void ims__events_model(const ims__evprog_t *E, ims_model_t *m)
{
  if (!E)
    return;
  m->nevents = E->nev;
  m->events = E->defs;
  m->nevroots = E->nroots;
  m->nevvalues = E->nval;
  m->nevtimes = E->ntimes;
}
