/* The model compiler: checks a description (names, declarations, cycles,
 * units), inlines functions, builds one DAG for every equation, derives the
 * Jacobian symbolically and emits the evaluator's programs. */
#include "mdlcomp.h"

#include "expr.h"
#include "immunosim/data.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ims__comp_path(const ims__comp_t *c)
{
  return c->d->path ? c->d->path : c->d->name;
}

int ims__comp_fail(ims__comp_t *c, int line, int col, const char *fmt, ...)
{
  if (c->failed)
    return IMS_EINPUT;
  char msg[800];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->failed = 1;
  if (line > 0)
    return ims_err_set(c->err, IMS_EINPUT, "%s:%d:%d: %s", ims__comp_path(c), line,
                       col > 0 ? col : 1, msg);
  return ims_err_set(c->err, IMS_EINPUT, "%s: %s", ims__comp_path(c), msg);
}

/* The column of the first whole-word occurrence of name in the equation's
 * text, else the equation's own column. */
static int name_col(const ims_mdl_eq_t *q, const char *name)
{
  if (!q->text)
    return q->col;
  size_t n = strlen(name);
  for (const char *s = q->text; (s = strstr(s, name)) != NULL; s++) {
    int before = s > q->text && (s[-1] == '_' || isalnum((unsigned char)s[-1]));
    int after = s[n] == '_' || isalnum((unsigned char)s[n]);
    if (!before && !after)
      return q->col + (int)(s - q->text);
  }
  return q->col;
}

/* ---- the symbol table -------------------------------------------------------- */

static size_t hstr(const char *s)
{
  size_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

const ims__sym_t *ims__comp_lookup(const ims__comp_t *c, const char *name)
{
  size_t m = (size_t)c->hcap - 1;
  for (size_t h = hstr(name) & m; c->hash[h] >= 0; h = (h + 1) & m)
    if (strcmp(c->syms[c->hash[h]].name, name) == 0)
      return &c->syms[c->hash[h]];
  return NULL;
}

static int add_sym(ims__comp_t *c, const char *name, int kind, int idx, int line, int col)
{
  const ims__sym_t *old = ims__comp_lookup(c, name);
  if (old && old->kind == IMS__K_INIT && old->owned)
    return ims__comp_fail(c, line, col,
                          "'%s' is the initial value of state '%s' (line %d); choose another name",
                          name, c->d->states[old->idx].name, c->d->states[old->idx].line);
  if (old)
    return ims__comp_fail(c, line, col, "duplicate declaration of '%s' (first declared at line %d)",
                          name, old->line);
  c->syms[c->nsyms] = (ims__sym_t){name, kind, idx, line, 0};
  size_t m = (size_t)c->hcap - 1, h = hstr(name) & m;
  while (c->hash[h] >= 0)
    h = (h + 1) & m;
  c->hash[h] = c->nsyms++;
  return IMS_OK;
}

static const char *suggest(const ims__comp_t *c, const char *name, int kinds)
{
  const char **cands = malloc(((size_t)c->nsyms + 1) * sizeof *cands);
  if (!cands)
    return NULL;
  int n = 0;
  for (int i = 0; i < c->nsyms; i++)
    if (kinds & (1 << c->syms[i].kind))
      cands[n++] = c->syms[i].name;
  const char *s = ims_suggest(name, cands, n);
  free(cands);
  return s;
}

/* States' X_0 parameters are the initial values; every name once. */
static int build_symbols(ims__comp_t *c)
{
  ims_mdl_t *d = c->d;
  int nsym = 2 * d->nstates + d->nparams + d->nvars + d->noutputs + d->nfuncs;
  c->syms = calloc((size_t)nsym + 1, sizeof *c->syms);
  for (c->hcap = 64; c->hcap < 2 * nsym + 2; c->hcap *= 2)
    ;
  c->hash = malloc((size_t)c->hcap * sizeof *c->hash);
  c->par_idx = malloc(((size_t)d->nparams + 1) * sizeof *c->par_idx);
  c->defs = calloc((size_t)(d->nvars + d->noutputs + d->nparams) + 1, sizeof *c->defs);
  if (!c->syms || !c->hash || !c->par_idx || !c->defs)
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  memset(c->hash, -1, (size_t)c->hcap * sizeof *c->hash);
  int rc = IMS_OK;
  for (int i = 0; !rc && i < d->nstates; i++)
    rc = add_sym(c, d->states[i].name, IMS__K_STATE, i, d->states[i].line, d->states[i].col);
  for (int i = 0; !rc && i < d->nparams; i++) {
    ims_mdl_param_t *p = &d->params[i];
    size_t n = strlen(p->name);
    c->par_idx[i] = -1;
    if (d->init_names && n > 2 && strcmp(p->name + n - 2, "_0") == 0) {
      char st[256];
      snprintf(st, sizeof st, "%.*s", (int)(n - 2), p->name);
      const ims__sym_t *s = ims__comp_lookup(c, st);
      if (s && s->kind == IMS__K_STATE) {
        rc = add_sym(c, p->name, IMS__K_INIT, s->idx, p->line, p->col);
        continue; /* folded into the state (fold_inits) */
      }
    }
    if (p->init.e) {
      ims__def_t *df = &c->defs[c->ndefs];
      *df = (ims__def_t){p->name, p->unit, &p->init, "parameter", NULL, 0, 0, {0}, -1};
      rc = add_sym(c, p->name, IMS__K_DEF, c->ndefs++, p->line, p->col);
      continue;
    }
    c->par_idx[i] = c->nmpar++;
    rc = add_sym(c, p->name, IMS__K_PARAM, i, p->line, p->col);
  }
  for (int i = 0; !rc && d->init_names && i < d->nstates; i++) { /* implicit X_0 */
    char nm[300];
    snprintf(nm, sizeof nm, "%s_0", d->states[i].name);
    const ims__sym_t *old = ims__comp_lookup(c, nm);
    if (old && old->kind != IMS__K_INIT) /* a state A_0 beside a state A */
      return ims__comp_fail(c, old->line, 1,
                            "'%s' is the initial value of state '%s' (line %d); choose another "
                            "name",
                            nm, d->states[i].name, d->states[i].line);
    if (!old) {
      char *dup = strdup(nm); /* the table's own; the model's comes from ims_model_param_index */
      if (!dup)
        return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
      rc = add_sym(c, dup, IMS__K_INIT, i, 0, 0);
      if (rc)
        free(dup);
      else
        c->syms[c->nsyms - 1].owned = 1;
    }
  }
  for (int i = 0; !rc && i < d->nvars; i++) {
    ims_mdl_var_t *v = &d->vars[i];
    c->defs[c->ndefs] =
        (ims__def_t){v->name, v->unit, &v->def, "intermediate", NULL, 0, 0, {0}, -1};
    rc = add_sym(c, v->name, IMS__K_DEF, c->ndefs++, v->line, v->col);
  }
  for (int i = 0; !rc && i < d->noutputs; i++) {
    ims_mdl_var_t *v = &d->outputs[i];
    c->defs[c->ndefs] = (ims__def_t){v->name, v->unit, &v->def, "output", NULL, 0, 0, {0}, -1};
    rc = add_sym(c, v->name, IMS__K_DEF, c->ndefs++, v->line, v->col);
  }
  for (int i = 0; !rc && i < d->nfuncs; i++)
    rc = add_sym(c, d->funcs[i].name, IMS__K_FUNC, i, d->funcs[i].line, d->funcs[i].col);
  return rc;
}

static void free_symbols(ims__comp_t *c)
{
  for (int i = 0; c->syms && i < c->nsyms; i++)
    if (c->syms[i].owned)
      free((char *)c->syms[i].name);
  free(c->syms);
  free(c->hash);
}

/* ---- expansion: names checked, functions inlined ------------------------------ */

typedef struct scope {
  const struct scope *up;
  const ims_mdl_func_t *f;
  ims_expr_t **args;
} scope_t;

static ims_expr_t *expand(ims__comp_t *c, const ims_expr_t *e, const ims_mdl_eq_t *q,
                          const char *in, const scope_t *sc, int depth);

static ims_expr_t *unknown(ims__comp_t *c, const ims_mdl_eq_t *q, const char *in, const char *name,
                           int kinds, const char *what)
{
  const char *s = suggest(c, name, kinds);
  if (s)
    ims__comp_fail(c, q->line, name_col(q, name), "unknown %s '%s' in %s; did you mean '%s'?", what,
                   name, in, s);
  else
    ims__comp_fail(c, q->line, name_col(q, name), "unknown %s '%s' in %s", what, name, in);
  return NULL;
}

static ims_expr_t *expand_call(ims__comp_t *c, const ims_expr_t *e, const ims_mdl_eq_t *q,
                               const char *in, const scope_t *sc, int depth)
{
  const ims__sym_t *s = ims__comp_lookup(c, e->name);
  if (!s || s->kind != IMS__K_FUNC)
    return unknown(c, q, in, e->name, 1 << IMS__K_FUNC, "function");
  const ims_mdl_func_t *f = &c->d->funcs[s->idx];
  if (depth > 32) {
    ims__comp_fail(c, q->line, name_col(q, e->name), "function '%s' calls itself (in %s)", f->name,
                   in);
    return NULL;
  }
  if (e->n != f->nargs) {
    ims__comp_fail(c, q->line, name_col(q, e->name),
                   "function '%s' takes %d argument%s, not %d (in %s)", f->name, f->nargs,
                   f->nargs == 1 ? "" : "s", e->n, in);
    return NULL;
  }
  ims_expr_t *stack[16], **args = e->n <= 16 ? stack : calloc((size_t)e->n, sizeof *args);
  if (!args)
    return NULL;
  int ok = 1;
  for (int i = 0; i < e->n; i++)
    args[i] = ok ? expand(c, e->a[i], q, in, sc, depth) : NULL;
  for (int i = 0; i < e->n; i++)
    ok &= args[i] != NULL;
  ims_expr_t *r = NULL;
  if (ok) {
    scope_t inner = {NULL, f, args}; /* a body sees its arguments and the model */
    char where[300];                 /* messages from inside the body name the function */
    snprintf(where, sizeof where, "function %s", f->name);
    (void)in;
    r = expand(c, f->body.e, &f->body, where, &inner, depth + 1);
  }
  for (int i = 0; i < e->n; i++)
    ims_expr_free(args[i]);
  if (args != stack)
    free(args);
  return r;
}

static ims_expr_t *expand(ims__comp_t *c, const ims_expr_t *e, const ims_mdl_eq_t *q,
                          const char *in, const scope_t *sc, int depth)
{
  if (c->failed || !e)
    return NULL;
  if (e->op == IMS_X_NAME) {
    for (const scope_t *s = sc; s; s = s->up)
      for (int i = 0; i < s->f->nargs; i++)
        if (strcmp(s->f->args[i], e->name) == 0)
          return ims_expr_copy(s->args[i]);
    const ims__sym_t *s = ims__comp_lookup(c, e->name);
    if (!s)
      return unknown(c, q, in, e->name, ~(1 << IMS__K_FUNC), "name");
    if (s->kind == IMS__K_FUNC) {
      ims__comp_fail(c, q->line, name_col(q, e->name),
                     "'%s' is a function; call it as %s(...) in %s", e->name, e->name, in);
      return NULL;
    }
    return ims_expr_copy(e);
  }
  if (e->op == IMS_X_CALL)
    return expand_call(c, e, q, in, sc, depth);
  if (e->op == IMS_X_DELAY) {
    ims__comp_fail(c, q->line, q->col, "unsupported: delay (in %s)", in);
    return NULL;
  }
  if (e->op == IMS_X_DOSES) {
    const ims__sym_t *s =
        e->n == 1 && e->a[0]->op == IMS_X_NAME ? ims__comp_lookup(c, e->a[0]->name) : NULL;
    if (!s || s->kind != IMS__K_STATE) {
      ims__comp_fail(c, q->line, q->col, "doses() takes the name of a state (in %s)", in);
      return NULL;
    }
    return ims_expr_copy(e);
  }
  if (e->op == IMS_X_RATEOF && (e->n != 1 || e->a[0]->op != IMS_X_NAME)) {
    ims__comp_fail(c, q->line, q->col, "rateOf() takes the name of a variable (in %s)", in);
    return NULL;
  }
  ims_expr_t *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  *r = *e;
  r->a = NULL;
  r->n = 0;
  r->name = e->name ? strdup(e->name) : NULL;
  r->unit = e->unit ? strdup(e->unit) : NULL;
  if (e->n && !(r->a = calloc((size_t)e->n, sizeof *r->a))) {
    ims_expr_free(r);
    return NULL;
  }
  for (int i = 0; i < e->n; i++, r->n++)
    if (!(r->a[i] = expand(c, e->a[i], q, in, sc, depth))) {
      ims_expr_free(r);
      return NULL;
    }
  return r;
}

static int expand_eq(ims__comp_t *c, const ims_mdl_eq_t *q, const char *in, ims_expr_t **out)
{
  *out = expand(c, q->e, q, in, NULL, 0);
  if (*out)
    return IMS_OK;
  return c->failed ? IMS_EINPUT : ims_err_set(c->err, IMS_ENOMEM, "out of memory");
}

static int expand_all(ims__comp_t *c)
{
  ims_mdl_t *d = c->d;
  char in[300];
  int rc = IMS_OK;
  for (int i = 0; !rc && i < d->nstates; i++) {
    ims_mdl_state_t *s = &d->states[i];
    if (!s->rate.e)
      return ims__comp_fail(c, s->line, s->col, "state '%s' has no equation; add d/dt(%s) = ...",
                            s->name, s->name);
    snprintf(in, sizeof in, "d/dt(%s)", s->name);
    rc = expand_eq(c, &s->rate, in, &c->xrate[i]);
    if (!rc && s->init.e) {
      snprintf(in, sizeof in, "the initial value of %s", s->name);
      rc = expand_eq(c, &s->init, in, &c->xinit[i]);
    }
  }
  for (int i = 0; !rc && i < c->ndefs; i++) {
    snprintf(in, sizeof in, "%s %s", c->defs[i].what, c->defs[i].name);
    rc = expand_eq(c, c->defs[i].eq, in, &c->defs[i].x);
  }
  for (int i = 0; !rc && i < d->nevents; i++) {
    ims_mdl_event_t *ev = &d->events[i];
    const char *id = ev->id ? ev->id : "";
    const ims_mdl_eq_t *qs[3] = {&ev->trigger, &ev->delay, &ev->priority};
    static const char *const what[3] = {"trigger", "delay", "priority"};
    for (int k = 0; !rc && k < 3; k++) {
      if (!qs[k]->e)
        continue;
      snprintf(in, sizeof in, "the %s of event %s", what[k], id);
      c->evx[c->nevx] = (ims__evx_t){.q = qs[k], .kind = k, .event = i, .slot = k};
      rc = expand_eq(c, qs[k], in, &c->evx[c->nevx++].x);
    }
    for (int k = 0; !rc && k < ev->nassign; k++) {
      ims_mdl_assign_t *a = &ev->assign[k];
      const ims__sym_t *s = ims__comp_lookup(c, a->target);
      if (!s || (s->kind != IMS__K_STATE && s->kind != IMS__K_PARAM))
        return ims__comp_fail(c, a->value.line, a->value.col,
                              "event %s assigns to '%s', which is not a state or a parameter", id,
                              a->target);
      snprintf(in, sizeof in, "the assignment to %s in event %s", a->target, id);
      c->evx[c->nevx] =
          (ims__evx_t){.q = &a->value, .kind = 3, .event = i, .slot = 3 + k, .target = a->target};
      rc = expand_eq(c, &a->value, in, &c->evx[c->nevx++].x);
    }
  }
  return rc;
}

/* ---- cycles among definitions ----------------------------------------------- */

static int cycle_walk(ims__comp_t *c, int k, int *path, int depth);

static int cycle_refs(ims__comp_t *c, const ims_expr_t *e, int *path, int depth)
{
  if (e->op == IMS_X_NAME || e->op == IMS_X_RATEOF) {
    const char *nm = e->op == IMS_X_NAME ? e->name : e->a[0]->name;
    const ims__sym_t *s = ims__comp_lookup(c, nm);
    if (s && s->kind == IMS__K_DEF)
      return cycle_walk(c, s->idx, path, depth);
    return IMS_OK;
  }
  for (int i = 0; i < e->n; i++)
    if (cycle_refs(c, e->a[i], path, depth))
      return IMS_EINPUT;
  return IMS_OK;
}

static int cycle_walk(ims__comp_t *c, int k, int *path, int depth)
{
  ims__def_t *df = &c->defs[k];
  if (df->mark == 2)
    return IMS_OK;
  path[depth] = k;
  if (df->mark == 1) {
    int from = depth - 1;
    while (from > 0 && path[from] != k)
      from--;
    char chain[600] = "";
    size_t len = 0;
    for (int i = from; i <= depth && len < sizeof chain; i++)
      len += (size_t)snprintf(chain + len, sizeof chain - len, "%s%s", i > from ? " -> " : "",
                              c->defs[path[i]].name);
    return ims__comp_fail(c, df->eq->line, df->eq->col > 0 ? df->eq->col : 1,
                          "cyclic definitions: %s; one of them must not depend on the others",
                          chain);
  }
  df->mark = 1;
  if (cycle_refs(c, df->x, path, depth + 1))
    return IMS_EINPUT;
  df->mark = 2;
  df->order = c->ntopo;
  c->topo[c->ntopo++] = k;
  return IMS_OK;
}

static int check_cycles(ims__comp_t *c)
{
  int *path = malloc(((size_t)c->ndefs + 2) * sizeof *path);
  if (!path)
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  int rc = IMS_OK;
  for (int i = 0; !rc && i < c->ndefs; i++)
    rc = cycle_walk(c, i, path, 0);
  free(path);
  return rc;
}

int ims_mdl_compile(ims_mdl_t *d, const ims_mdl_opts_t *o, ims_model_t **out, ims_err_t *err)
{
  *out = NULL;
  static const ims_mdl_opts_t defaults = {0};
  ims__comp_t c = {.d = d, .o = o ? o : &defaults, .err = err};
  int nev = 0;
  for (int i = 0; i < d->nevents; i++)
    nev += 3 + d->events[i].nassign;
  c.xrate = calloc((size_t)d->nstates + 1, sizeof *c.xrate);
  c.xinit = calloc((size_t)d->nstates + 1, sizeof *c.xinit);
  c.evx = calloc((size_t)nev + 1, sizeof *c.evx);
  int rc = !c.xrate || !c.xinit || !c.evx ? ims_err_set(err, IMS_ENOMEM, "out of memory") : 0;
  rc = rc ? rc : build_symbols(&c);
  if (!rc && !(c.topo = malloc(((size_t)c.ndefs + 1) * sizeof *c.topo)))
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = rc ? rc : expand_all(&c);
  rc = rc ? rc : check_cycles(&c);
  rc = rc ? rc : ims__comp_units(&c);
  rc = rc ? rc : ims__comp_emit(&c, out); /* owns d from here on success */
  for (int i = 0; i < d->nstates; i++) {
    ims_expr_free(c.xrate[i]);
    ims_expr_free(c.xinit[i]);
  }
  for (int i = 0; i < c.nevx; i++)
    ims_expr_free(c.evx[i].x);
  for (int i = 0; i < c.ndefs; i++) {
    ims_expr_free(c.defs[i].x);
    ims__unit_free(&c.defs[i].uv);
  }
  free(c.xrate);
  free(c.xinit);
  free(c.evx);
  free(c.topo);
  free(c.defs);
  free(c.par_idx);
  free_symbols(&c);
  if (rc)
    ims_mdl_free(d);
  return rc;
}
