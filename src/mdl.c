/* The model description: allocation and builders (ims_mdl_add_*). */
#include "immunosim/mdl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ims_mdl_alloc(ims_mdl_t **out, const char *name, ims_err_t *err)
{
  *out = calloc(1, sizeof **out);
  if (!*out || !((*out)->name = strdup(name ? name : "model")) ||
      !((*out)->time_unit = strdup("d"))) {
    ims_mdl_free(*out);
    *out = NULL;
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  return IMS_OK;
}

static void eq_free(ims_mdl_eq_t *q)
{
  ims_expr_free(q->e);
  free(q->text);
}

static void var_free(ims_mdl_var_t *v)
{
  free(v->name);
  free(v->unit);
  free(v->desc);
  free(v->label);
  eq_free(&v->def);
}

void ims_mdl_free(ims_mdl_t *d)
{
  if (!d)
    return;
  for (int i = 0; i < d->nstates; i++) {
    ims_mdl_state_t *s = &d->states[i];
    free(s->name);
    free(s->unit);
    free(s->desc);
    free(s->label);
    eq_free(&s->rate);
    eq_free(&s->init);
  }
  for (int i = 0; i < d->nparams; i++) {
    ims_mdl_param_t *p = &d->params[i];
    free(p->name);
    free(p->unit);
    free(p->desc);
    free(p->label);
    eq_free(&p->init);
  }
  for (int i = 0; i < d->nvars; i++)
    var_free(&d->vars[i]);
  for (int i = 0; i < d->noutputs; i++)
    var_free(&d->outputs[i]);
  for (int i = 0; i < d->nfuncs; i++) {
    ims_mdl_func_t *f = &d->funcs[i];
    free(f->name);
    for (int k = 0; k < f->nargs; k++)
      free(f->args[k]);
    free(f->args);
    eq_free(&f->body);
  }
  for (int i = 0; i < d->nevents; i++) {
    ims_mdl_event_t *e = &d->events[i];
    free(e->id);
    eq_free(&e->trigger);
    eq_free(&e->delay);
    eq_free(&e->priority);
    for (int k = 0; k < e->nassign; k++) {
      free(e->assign[k].target);
      eq_free(&e->assign[k].value);
      eq_free(&e->assign[k].scale);
    }
    free(e->assign);
  }
  free(d->states);
  free(d->params);
  free(d->vars);
  free(d->outputs);
  free(d->funcs);
  free(d->events);
  for (int i = 0; i < d->nplot; i++)
    free(d->plot[i].name);
  free(d->plot);
  free(d->name);
  free(d->title);
  free(d->family);
  free(d->citation);
  free(d->notes);
  free(d->time_unit);
  free(d->path);
  free(d);
}

int ims_mdl_set(ims_mdl_t *d, char **field, const char *s, ims_err_t *err)
{
  (void)d;
  char *c = s ? strdup(s) : NULL;
  if (s && !c)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  free(*field);
  *field = c;
  return IMS_OK;
}

/* Room for one more element in *arr (count *n, capacity *cap). */
static int grow(void **arr, int n, int *cap, size_t size, ims_err_t *err)
{
  if (n < *cap)
    return IMS_OK;
  int nc = *cap ? 2 * *cap : 8;
  void *p = realloc(*arr, (size_t)nc * size);
  if (!p)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  memset((char *)p + (size_t)n * size, 0, (size_t)(nc - n) * size);
  *arr = p;
  *cap = nc;
  return IMS_OK;
}

static int dup3(char **a, const char *sa, char **b, const char *sb, char **c, const char *sc)
{
  *a = sa ? strdup(sa) : NULL;
  *b = sb ? strdup(sb) : NULL;
  *c = sc ? strdup(sc) : NULL;
  return (sa && !*a) || (sb && !*b) || (sc && !*c);
}

static int nomem(ims_err_t *err)
{
  return ims_err_set(err, IMS_ENOMEM, "out of memory");
}

int ims_mdl_add_state(ims_mdl_t *d, const char *name, const char *unit, const char *desc,
                      double init_value, int line, int col, ims_err_t *err)
{
  if (grow((void **)&d->states, d->nstates, &d->cap[0], sizeof *d->states, err))
    return IMS_ENOMEM;
  ims_mdl_state_t *s = &d->states[d->nstates];
  memset(s, 0, sizeof *s);
  if (dup3(&s->name, name, &s->unit, unit ? unit : "1", &s->desc, desc)) {
    free(s->name);
    free(s->unit);
    free(s->desc);
    memset(s, 0, sizeof *s);
    return nomem(err);
  }
  s->init_value = init_value;
  s->line = line;
  s->col = col;
  return d->nstates++;
}

int ims_mdl_add_param(ims_mdl_t *d, const char *name, double value, const char *unit,
                      const char *desc, unsigned flags, int line, int col, ims_err_t *err)
{
  if (grow((void **)&d->params, d->nparams, &d->cap[1], sizeof *d->params, err))
    return IMS_ENOMEM;
  ims_mdl_param_t *p = &d->params[d->nparams];
  memset(p, 0, sizeof *p);
  if (dup3(&p->name, name, &p->unit, unit ? unit : "1", &p->desc, desc)) {
    free(p->name);
    free(p->unit);
    free(p->desc);
    memset(p, 0, sizeof *p);
    return nomem(err);
  }
  p->value = value;
  p->flags = flags | (value < 0 ? IMS_MDL_SIGNED : 0u);
  p->line = line;
  p->col = col;
  return d->nparams++;
}

static int add_var(ims_mdl_var_t **arr, int *n, int *cap, const char *name, const char *unit,
                   const char *desc, ims_mdl_eq_t def, int line, int col, ims_err_t *err)
{
  if (grow((void **)arr, *n, cap, sizeof **arr, err)) {
    eq_free(&def);
    return IMS_ENOMEM;
  }
  ims_mdl_var_t *v = &(*arr)[*n];
  memset(v, 0, sizeof *v);
  if (dup3(&v->name, name, &v->unit, unit, &v->desc, desc)) {
    var_free(v);
    memset(v, 0, sizeof *v);
    eq_free(&def);
    return nomem(err);
  }
  v->def = def;
  v->line = line;
  v->col = col;
  return (*n)++;
}

int ims_mdl_add_var(ims_mdl_t *d, const char *name, const char *unit, const char *desc,
                    ims_mdl_eq_t def, int line, int col, ims_err_t *err)
{
  return add_var(&d->vars, &d->nvars, &d->cap[2], name, unit, desc, def, line, col, err);
}

int ims_mdl_add_output(ims_mdl_t *d, const char *name, const char *unit, const char *desc,
                       ims_mdl_eq_t def, int line, int col, ims_err_t *err)
{
  return add_var(&d->outputs, &d->noutputs, &d->cap[3], name, unit ? unit : "1", desc, def, line,
                 col, err);
}

int ims_mdl_add_func(ims_mdl_t *d, const char *name, int nargs, const char *const *args,
                     ims_mdl_eq_t body, int line, int col, ims_err_t *err)
{
  if (grow((void **)&d->funcs, d->nfuncs, &d->cap[4], sizeof *d->funcs, err)) {
    eq_free(&body);
    return IMS_ENOMEM;
  }
  ims_mdl_func_t *f = &d->funcs[d->nfuncs];
  memset(f, 0, sizeof *f);
  f->name = strdup(name);
  f->args = calloc((size_t)nargs + 1, sizeof *f->args);
  int bad = !f->name || !f->args;
  for (int i = 0; !bad && i < nargs; i++)
    bad = !(f->args[i] = strdup(args[i]));
  f->nargs = f->args ? nargs : 0;
  f->body = body;
  f->line = line;
  f->col = col;
  d->nfuncs++;
  return bad ? nomem(err) : d->nfuncs - 1;
}

int ims_mdl_add_event(ims_mdl_t *d, const char *id, ims_mdl_eq_t trigger, int line, int col,
                      ims_err_t *err)
{
  if (grow((void **)&d->events, d->nevents, &d->cap[5], sizeof *d->events, err)) {
    eq_free(&trigger);
    return IMS_ENOMEM;
  }
  ims_mdl_event_t *e = &d->events[d->nevents];
  memset(e, 0, sizeof *e);
  e->trigger = trigger;
  e->line = line;
  e->col = col;
  e->persistent = 1;
  e->initial_value = 1;
  e->use_trigger_values = 1;
  d->nevents++;
  if (id && !(e->id = strdup(id)))
    return nomem(err);
  return d->nevents - 1;
}

int ims_mdl_add_assign(ims_mdl_t *d, int event, const char *target, ims_mdl_eq_t value,
                       ims_err_t *err)
{
  if (event < 0 || event >= d->nevents) {
    eq_free(&value);
    return ims_err_set(err, IMS_EINTERNAL, "no event %d", event);
  }
  ims_mdl_event_t *e = &d->events[event];
  ims_mdl_assign_t *a = realloc(e->assign, (size_t)(e->nassign + 1) * sizeof *a);
  if (!a) {
    eq_free(&value);
    return nomem(err);
  }
  e->assign = a;
  memset(&a[e->nassign], 0, sizeof *a); /* no scale unless the importer sets one */
  a[e->nassign].target = strdup(target);
  a[e->nassign].value = value;
  e->nassign++;
  return a[e->nassign - 1].target ? e->nassign - 1 : nomem(err);
}

int ims_mdl_set_rate(ims_mdl_t *d, int state, ims_mdl_eq_t eq, ims_err_t *err)
{
  if (state < 0 || state >= d->nstates) {
    eq_free(&eq);
    return ims_err_set(err, IMS_EINTERNAL, "no state %d", state);
  }
  ims_mdl_state_t *s = &d->states[state];
  if (s->rate.e) { /* the caller adds where the second one is */
    eq_free(&eq);
    return ims_err_set(err, IMS_EINPUT, "second d/dt(%s) (the first is at line %d)", s->name,
                       s->rate.line);
  }
  s->rate = eq;
  return state;
}

int ims_mdl_add_rate_term(ims_mdl_t *d, int state, ims_expr_t *term, ims_err_t *err)
{
  if (state < 0 || state >= d->nstates || !term) {
    ims_expr_free(term);
    return term ? ims_err_set(err, IMS_EINTERNAL, "no state %d", state) : nomem(err);
  }
  ims_mdl_state_t *s = &d->states[state];
  if (!s->rate.e) {
    s->rate.e = term;
    return state;
  }
  ims_expr_t *sum = s->rate.e;
  if (sum->op == IMS_X_ADD) { /* flat: one sum however many reactions */
    ims_expr_t **a = realloc(sum->a, (size_t)(sum->n + 1) * sizeof *a);
    if (!a) {
      ims_expr_free(term);
      return nomem(err);
    }
    sum->a = a;
    a[sum->n++] = term;
    return state;
  }
  sum = ims_expr_op2(IMS_X_ADD, s->rate.e, term);
  s->rate.e = sum;
  return sum ? state : nomem(err);
}

int ims_mdl_state_index(const ims_mdl_t *d, const char *name)
{
  for (int i = 0; i < d->nstates; i++)
    if (strcmp(d->states[i].name, name) == 0)
      return i;
  return -1;
}

int ims_mdl_param_index(const ims_mdl_t *d, const char *name)
{
  for (int i = 0; i < d->nparams; i++)
    if (strcmp(d->params[i].name, name) == 0)
      return i;
  return -1;
}

int ims_mdl_set_label(ims_mdl_t *d, const char *name, const char *label, const char *desc,
                      ims_err_t *err)
{
  char **l = NULL, **ds = NULL;
  for (int i = 0; !l && i < d->nstates; i++)
    if (!strcmp(d->states[i].name, name))
      l = &d->states[i].label, ds = &d->states[i].desc;
  for (int i = 0; !l && i < d->nparams; i++)
    if (!strcmp(d->params[i].name, name))
      l = &d->params[i].label, ds = &d->params[i].desc;
  for (int i = 0; !l && i < d->noutputs; i++)
    if (!strcmp(d->outputs[i].name, name))
      l = &d->outputs[i].label, ds = &d->outputs[i].desc;
  for (int i = 0; !l && i < d->nvars; i++)
    if (!strcmp(d->vars[i].name, name))
      l = &d->vars[i].label, ds = &d->vars[i].desc;
  if (!l)
    return ims_err_set(err, IMS_EINPUT, "no state, parameter, intermediate or output '%s'", name);
  int rc = ims_mdl_set(d, l, label, err);
  return rc || !desc ? rc : ims_mdl_set(d, ds, desc, err);
}

int ims_mdl_add_plot(ims_mdl_t *d, const char *name, int scale, int line, int col, ims_err_t *err)
{
  int known = ims_mdl_state_index(d, name) >= 0;
  for (int i = 0; !known && i < d->noutputs; i++)
    known = !strcmp(d->outputs[i].name, name);
  if (!known)
    return ims_err_set(err, IMS_EINPUT, "plot: no state or output '%s'", name);
  if (scale != IMS_SCALE_AUTO && scale != IMS_SCALE_LIN && scale != IMS_SCALE_LOG)
    return ims_err_set(err, IMS_EINPUT, "plot: scale %d of '%s' is not lin, log or auto", scale,
                       name);
  for (int i = 0; i < d->nplot; i++)
    if (!strcmp(d->plot[i].name, name))
      return ims_err_set(err, IMS_EINPUT, "plot: '%s' twice", name);
  ims_mdl_plotcol_t *p = realloc(d->plot, (size_t)(d->nplot + 1) * sizeof *p);
  if (!p)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  d->plot = p;
  p = &d->plot[d->nplot];
  *p = (ims_mdl_plotcol_t){strdup(name), scale, line, col};
  if (!p->name)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  return d->nplot++;
}
