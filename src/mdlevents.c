/* Events of a model description compiled into the evaluator (sbml, issue 12):
 * the root functions of their triggers, the triggers, delays, priorities and
 * assignment values as straight-line programs over the same DAG and
 * registers as the rest of the model (see mdlcomp.h and model.h).
 *
 * A trigger is a boolean of relations a OP b; it can change value only where
 * some a - b changes sign, so those differences are its root functions (the
 * driver locates their sign changes and re-evaluates the triggers there).
 * Relations inside a relation's operands (a piecewise) are roots as well. */
#include "mdlevents.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ims__evprog {
  ims_event_def_t *defs;
  int *targets;
  int nev, nval;
  /* DAG nodes, then programs */
  int *roots, nroots, rcap;
  int *trig, *delay, *prio, *vals, *scales;
  ims__prog_t p_roots, p_trig, p_delay, p_prio, p_vals, p_scales;
};

void ims__events_free(ims__evprog_t *E)
{
  if (!E)
    return;
  ims__prog_free(&E->p_roots);
  ims__prog_free(&E->p_trig);
  ims__prog_free(&E->p_delay);
  ims__prog_free(&E->p_prio);
  ims__prog_free(&E->p_vals);
  ims__prog_free(&E->p_scales);
  free(E->defs);
  free(E->targets);
  free(E->roots);
  free(E->trig);
  free(E->delay);
  free(E->prio);
  free(E->vals);
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

/* Every relation under node k (visited marks nodes seen). */
static int collect(ims__dag_t *g, int k, ims__evprog_t *E, char *visited)
{
  if (k < 0 || visited[k])
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
    if (collect(g, ops[q], E, visited))
      return -1;
  return 0;
}

static const ims__evx_t *find(const ims__comp_t *c, const ims_mdl_eq_t *q)
{
  for (int i = 0; i < c->nevx; i++)
    if (c->evx[i].q == q)
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
  int nval = 0;
  for (int i = 0; i < d->nevents; i++)
    nval += d->events[i].nassign;
  if (!E)
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  *out = E;
  E->nev = d->nevents;
  E->nval = nval;
  E->defs = calloc((size_t)E->nev, sizeof *E->defs);
  E->targets = calloc((size_t)nval + 1, sizeof *E->targets);
  E->trig = calloc((size_t)E->nev, sizeof *E->trig);
  E->delay = calloc((size_t)E->nev, sizeof *E->delay);
  E->prio = calloc((size_t)E->nev, sizeof *E->prio);
  E->vals = calloc((size_t)nval + 1, sizeof *E->vals);
  E->scales = calloc((size_t)nval + 1, sizeof *E->scales);
  if (!E->defs || !E->targets || !E->trig || !E->delay || !E->prio || !E->vals || !E->scales)
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  int v = 0;
  for (int i = 0; i < d->nevents; i++) {
    const ims_mdl_event_t *ev = &d->events[i];
    const ims__evx_t *t = find(c, &ev->trigger), *dl = ev->delay.e ? find(c, &ev->delay) : NULL,
                     *pr = ev->priority.e ? find(c, &ev->priority) : NULL;
    if (!t)
      return ims_err_set(c->err, IMS_EINTERNAL, "event %s: trigger not expanded", ev->id);
    E->trig[i] = ims__emit_node(x, t->x);
    E->delay[i] = dl ? ims__emit_node(x, dl->x) : ims__dag_const(g, 0);
    E->prio[i] = pr ? ims__emit_node(x, pr->x) : ims__dag_const(g, -INFINITY);
    if (E->trig[i] < 0 || E->delay[i] < 0 || E->prio[i] < 0)
      return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
    E->defs[i] = (ims_event_def_t){ev->id ? ev->id : "",
                                   ev->persistent,
                                   ev->initial_value,
                                   ev->use_trigger_values,
                                   ev->delay.e != NULL,
                                   ev->nassign,
                                   v,
                                   E->targets + v};
    for (int k = 0; k < ev->nassign; k++, v++) {
      const ims__evx_t *a = find(c, &ev->assign[k].value);
      const ims__sym_t *s = ims__comp_lookup(c, ev->assign[k].target);
      if (!a || !s)
        return ims_err_set(c->err, IMS_EINTERNAL, "event %s: assignment not expanded", ev->id);
      E->vals[v] = ims__emit_node(x, a->x);
      /* a scale is a plain expression (no calls): built as written */
      const ims_expr_t *sc = ev->assign[k].scale.e;
      E->scales[v] = sc ? ims__emit_node(x, sc) : ims__dag_const(g, 1);
      if (E->vals[v] < 0 || E->scales[v] < 0)
        return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
      E->targets[v] = s->kind == IMS__K_STATE ? s->idx : -1 - c->par_idx[s->idx];
    }
  }
  char *visited = calloc((size_t)g->nn + 1, 1);
  if (!visited)
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  int bad = 0;
  /* nodes made while collecting are differences, never relations: the
   * visited array needs no growing for them */
  int nn = g->nn;
  for (int i = 0; !bad && i < E->nev; i++)
    bad = E->trig[i] < nn && collect(g, E->trig[i], E, visited);
  free(visited);
  return bad ? ims_err_set(c->err, IMS_ENOMEM, "out of memory") : IMS_OK;
}

int ims__events_build(ims__evprog_t *E, const ims__dag_t *g, const ims__layout_t *L)
{
  if (!E)
    return 0;
  return ims__prog_build(&E->p_roots, g, L, E->roots, NULL, E->nroots, E->nroots, 0) ||
         ims__prog_build(&E->p_trig, g, L, E->trig, NULL, E->nev, E->nev, 0) ||
         ims__prog_build(&E->p_delay, g, L, E->delay, NULL, E->nev, E->nev, 0) ||
         ims__prog_build(&E->p_prio, g, L, E->prio, NULL, E->nev, E->nev, 0) ||
         ims__prog_build(&E->p_vals, g, L, E->vals, NULL, E->nval, E->nval, 0) ||
         ims__prog_build(&E->p_scales, g, L, E->scales, NULL, E->nval, E->nval, 0);
}

size_t ims__events_nreg(const ims__evprog_t *E)
{
  if (!E)
    return 0;
  size_t m = ims__prog_nreg(&E->p_roots);
  const ims__prog_t *ps[5] = {&E->p_trig, &E->p_delay, &E->p_prio, &E->p_vals, &E->p_scales};
  for (int i = 0; i < 5; i++)
    if (ims__prog_nreg(ps[i]) > m)
      m = ims__prog_nreg(ps[i]);
  return m;
}

void ims__events_eval(int what, double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  const ims__mprog_t *M = ctx->model->impl;
  const ims__evprog_t *E = M->ev;
  const ims__prog_t *P = what == IMS_EVAL_ROOTS        ? &E->p_roots
                         : what == IMS_EVAL_TRIGGERS   ? &E->p_trig
                         : what == IMS_EVAL_DELAYS     ? &E->p_delay
                         : what == IMS_EVAL_PRIORITIES ? &E->p_prio
                         : what == IMS_EVAL_VALUES     ? &E->p_vals
                                                       : &E->p_scales;
  ims__prog_run(P, &M->L, t, y, ctx->p, ctx->work, out);
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
