/* Unit checks of a description: declared units parse, every d/dt is in its
 * state's unit per time unit, outputs and declared intermediates are in their
 * declared units, and every sub-expression is consistent (exprunit.c).  With
 * no_unit_check the errors become warnings. */
#include "mdlcomp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct uctx {
  ims__comp_t *c;
  ims_unitcheck_t *us;
  ims__unit_t *sunit, *punit, *dunit; /* states, description parameters, declared def units */
  const ims_mdl_eq_t *cur;            /* the equation being checked */
  int line, col;                      /* where, when not an equation */
  int rc;
} uctx_t;

static void problem(uctx_t *u, int line, int col, const char *msg)
{
  ims__comp_t *c = u->c;
  char full[1100];
  snprintf(full, sizeof full, "%s:%d:%d: %s", ims__comp_path(c), line > 0 ? line : 1,
           col > 0 ? col : 1, msg);
  if (c->o->no_unit_check) {
    if (c->o->warn)
      c->o->warn(c->o->ud, full);
    return;
  }
  if (!u->rc) {
    u->rc = ims_err_set(c->err, IMS_EINPUT, "%s", full);
    c->failed = 1;
  }
}

static void problemf(uctx_t *u, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problemf(uctx_t *u, int line, int col, const char *fmt, ...)
{
  char msg[1000];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  problem(u, line, col, msg);
}

static void on_report(void *ud, const ims_expr_t *e, const char *msg)
{
  uctx_t *u = ud;
  (void)e; /* the IR has no columns of its own: point at the equation */
  if (u->cur)
    problem(u, u->cur->line, u->cur->col, msg);
  else
    problem(u, u->line, u->col, msg);
}

static int on_name(void *ud, const char *name, ims__unit_t *out)
{
  uctx_t *u = ud;
  const ims__sym_t *s = ims__comp_lookup(u->c, name);
  if (!s)
    return -1;
  switch (s->kind) {
  case IMS__K_STATE:
  case IMS__K_INIT:
    return ims__unit_copy(&u->sunit[s->idx], out);
  case IMS__K_PARAM:
    return ims__unit_copy(&u->punit[s->idx], out);
  case IMS__K_DEF:
    if (u->dunit[s->idx].u)
      return ims__unit_copy(&u->dunit[s->idx], out);
    return ims__unit_copy(&u->c->defs[s->idx].uv, out);
  default:
    return -1;
  }
}

/* A declared unit, or "any" with a problem reported. */
static void declared(uctx_t *u, const char *str, const char *what, const char *name, int line,
                     int col, ims__unit_t *out)
{
  if (ims__unit_parse(u->us, str, out) == 0)
    return;
  problemf(u, line, col, "unknown unit '%s' of %s '%s' (units are udunits2 strings, e.g. mg/L)",
           str, what, name);
  ims__unit_free(out);
  memset(out, 0, sizeof *out);
}

static void str2(const ims__unit_t *a, char *buf, size_t n)
{
  ims__unit_str(a, buf, n);
}

/* Infer q's expanded expression x and require the unit want. */
static int expect(uctx_t *u, ims__uenv_t *env, const ims_mdl_eq_t *q, const ims_expr_t *x,
                  const ims__unit_t *want, const char *what, ims__unit_t *got_out)
{
  ims__unit_t got;
  u->cur = q;
  int nerr = env->nerr;
  if (ims__unit_infer(env, x, &got) != 0)
    return ims_err_set(u->c->err, IMS_ENOMEM, "out of memory");
  double f;
  if (want && env->nerr == nerr && !ims__unit_same(&got, want, &f)) {
    char sx[200], ug[120], uw[120], fac[80] = "";
    ims_expr_print(x, sx, sizeof sx);
    str2(&got, ug, sizeof ug);
    str2(want, uw, sizeof uw);
    if (f != 0)
      snprintf(fac, sizeof fac, " (a factor %g apart)", f);
    problemf(u, q->line, q->col, "%s must be in %s but '%s' is %s%s", what, uw, sx, ug, fac);
  }
  if (got_out)
    *got_out = got;
  else
    ims__unit_free(&got);
  u->cur = NULL;
  return IMS_OK;
}

static int fold_inits(uctx_t *u)
{
  ims__comp_t *c = u->c;
  ims_mdl_t *d = c->d;
  for (int i = 0; i < d->nparams; i++) {
    ims_mdl_param_t *p = &d->params[i];
    const ims__sym_t *s = ims__comp_lookup(c, p->name);
    if (!s || s->kind != IMS__K_INIT || strcmp(s->name, p->name) != 0 || s->line != p->line)
      continue;
    ims_mdl_state_t *st = &d->states[s->idx];
    if (p->flags & IMS_MDL_NOVALUE) {
      ims__comp_fail(c, p->line, p->col, "the initial value %s needs a number (a missing one is 0)",
                     p->name);
      return IMS_EINPUT;
    }
    double v = p->value;
    if (u->punit[i].u && u->sunit[s->idx].u) {
      if (ims__unit_convert(&u->punit[i], &u->sunit[s->idx], &v) != 0) {
        char a[120], b[120];
        str2(&u->punit[i], a, sizeof a);
        str2(&u->sunit[s->idx], b, sizeof b);
        problemf(u, p->line, p->col, "the initial value %s is in %s but the state %s is in %s",
                 p->name, a, st->name, b);
        v = p->value;
      }
    }
    st->init_value = v;
  }
  return u->rc;
}

int ims__comp_units(ims__comp_t *c)
{
  ims_mdl_t *d = c->d;
  uctx_t u = {.c = c};
  ims_err_t e2;
  if (c->o->units)
    u.us = c->o->units;
  else if (ims_unitcheck_alloc(&u.us, &e2) != 0)
    return ims_err_set(c->err, e2.code, "%s", e2.msg);
  u.sunit = calloc((size_t)d->nstates + 1, sizeof *u.sunit);
  u.punit = calloc((size_t)d->nparams + 1, sizeof *u.punit);
  u.dunit = calloc((size_t)c->ndefs + 1, sizeof *u.dunit);
  ims__uenv_t env = {.sys = u.us, .name_unit = on_name, .report = on_report, .ud = &u};
  if (!u.sunit || !u.punit || !u.dunit) {
    u.rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
    goto done;
  }
  declared(&u, d->time_unit, "time", "time", d->time_line, 1, &env.time);
  ims__unit_t sec = {0};
  if (env.time.u && ims__unit_parse(u.us, "s", &sec) == 0) {
    double f;
    ims__unit_same(&env.time, &sec, &f);
    if (f == 0)
      problemf(&u, d->time_line, 1, "the time unit '%s' is not a unit of time (e.g. d, h, min)",
               d->time_unit);
  }
  ims__unit_free(&sec);
  for (int i = 0; i < d->nstates; i++)
    declared(&u, d->states[i].unit, "state", d->states[i].name, d->states[i].line, d->states[i].col,
             &u.sunit[i]);
  for (int i = 0; i < d->nparams; i++)
    declared(&u, d->params[i].unit, "parameter", d->params[i].name, d->params[i].line,
             d->params[i].col, &u.punit[i]);
  for (int i = 0; i < c->ndefs; i++)
    if (c->defs[i].unit)
      declared(&u, c->defs[i].unit, c->defs[i].what, c->defs[i].name, c->defs[i].eq->line,
               c->defs[i].eq->col, &u.dunit[i]);
  if (u.rc || fold_inits(&u))
    goto done;
  char what[400];
  for (int k = 0; !u.rc && k < c->ntopo; k++) {
    ims__def_t *df = &c->defs[c->topo[k]];
    snprintf(what, sizeof what, "%s '%s'", df->what, df->name);
    int rc = expect(&u, &env, df->eq, df->x, u.dunit[c->topo[k]].u ? &u.dunit[c->topo[k]] : NULL,
                    what, &df->uv);
    if (rc)
      u.rc = rc;
  }
  for (int i = 0; !u.rc && i < d->nstates; i++) {
    ims_mdl_state_t *s = &d->states[i];
    ims__unit_t per = {0};
    int have = u.sunit[i].u && env.time.u && ims__unit_div(&u.sunit[i], &env.time, &per) == 0;
    snprintf(what, sizeof what, "d/dt(%s)", s->name);
    int rc = expect(&u, &env, &s->rate, c->xrate[i], have ? &per : NULL, what, NULL);
    ims__unit_free(&per);
    if (rc)
      u.rc = rc;
    if (!u.rc && c->xinit[i]) {
      snprintf(what, sizeof what, "the initial value of %s", s->name);
      rc = expect(&u, &env, &s->init, c->xinit[i], u.sunit[i].u ? &u.sunit[i] : NULL, what, NULL);
      if (rc)
        u.rc = rc;
    }
  }
  for (int i = 0; !u.rc && i < c->nevx; i++) {
    ims__evx_t *x = &c->evx[i];
    const ims__unit_t *want = NULL;
    ims__unit_t one = {0};
    if (x->kind == 1)
      want = &env.time;
    else if (x->kind == 2 && ims__unit_parse(u.us, "1", &one) == 0)
      want = &one;
    else if (x->kind == 3) {
      ims__unit_t tu;
      if (on_name(&u, x->target, &tu) == 0) {
        one = tu;
        want = &one;
      }
    }
    snprintf(what, sizeof what, "%s",
             x->kind == 1   ? "an event delay"
             : x->kind == 2 ? "an event priority"
                            : "the assigned value");
    int rc = expect(&u, &env, x->q, x->x, want, what, NULL);
    ims__unit_free(&one);
    if (rc)
      u.rc = rc;
  }
done: /* every unit belongs to the checker's system: free them with it */
  for (int i = 0; i < c->ndefs; i++)
    ims__unit_free(&c->defs[i].uv);
  for (int i = 0; u.sunit && i < d->nstates; i++)
    ims__unit_free(&u.sunit[i]);
  for (int i = 0; u.punit && i < d->nparams; i++)
    ims__unit_free(&u.punit[i]);
  for (int i = 0; u.dunit && i < c->ndefs; i++)
    ims__unit_free(&u.dunit[i]);
  free(u.sunit);
  free(u.punit);
  free(u.dunit);
  ims__unit_free(&env.time);
  if (u.us != c->o->units)
    ims_unitcheck_free(u.us);
  return u.rc;
}
