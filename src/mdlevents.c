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
 * Relations inside a relation's operands (a piecewise) are roots as well. */
#include "mdlevents.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ims__evprog {
  ims_event_def_t *defs;
  int *targets;
  int nev, nval;
  int *roots, nroots, rcap;
  int *scales;
  ims__prog_t p_roots, p_scales;
};

void ims__events_free(ims__evprog_t *E)
{
  if (!E)
    return;
  ims__prog_free(&E->p_roots);
  ims__prog_free(&E->p_scales);
  free(E->defs);
  free(E->targets);
  free(E->roots);
  free(E->scales);
  free(E);
}

static int add_root(ims__evprog_t *E, int r)
{
  for (int i = 0; i < E->nroots; i++)
    if (E->roots[i] == r)
      return 0;
  if (E->nroots == E->rcap) {
    int cap = E->rcap ? 2 * E->rcap : 16;
    int *n = realloc(E->roots, (size_t)cap * sizeof *n);
    if (!n)
      return -1;
    E->roots = n;
    E->rcap = cap;
  }
  E->roots[E->nroots++] = r;
  return 0;
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
    int r = ims__dag_mk(g, IMS__D_SUB, d.a, d.b, -1);
    if (r < 0 || add_root(E, r))
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
         ims__prog_build(&E->p_scales, g, L, E->scales, NULL, E->nval, E->nval, 0);
}

size_t ims__events_nreg(const ims__evprog_t *E)
{
  if (!E)
    return 0;
  size_t a = ims__prog_nreg(&E->p_roots), b = ims__prog_nreg(&E->p_scales);
  return a > b ? a : b;
}

void ims__events_eval(int what, double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  const ims__mprog_t *M = ctx->model->impl;
  const ims__evprog_t *E = M->evd;
  if (what == IMS_EVAL_ROOTS || what == IMS_EVAL_SCALES) {
    ims__prog_run(what == IMS_EVAL_ROOTS ? &E->p_roots : &E->p_scales, &M->L, t, y, ctx->p,
                  ctx->work, out);
    return;
  }
  /* the compiler's per-event programs: trigger, delay, priority (NaN when
   * absent), then the assignment values */
  double b[3 + IMS__EV_MAXASSIGN];
  for (int k = 0; k < E->nev; k++) {
    const ims_event_def_t *d = &E->defs[k];
    ims__prog_run(&M->ev[k], &M->L, t, y, ctx->p, ctx->work, b);
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
}
