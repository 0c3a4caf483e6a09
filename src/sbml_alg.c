/* SBML algebraic rules, solved symbolically (see sbml_import.h).
 *
 * An algebraic rule 0 = f determines one variable that nothing else
 * determines: not constant, under no assignment or rate rule, and (a
 * species) not changed by reactions (SBML L3V2 sec. 4.9.5).  Rules are
 * matched to such variables (a bipartite matching over the pairs where the
 * rule is linear in the variable), and each rule is solved for its variable:
 * f = a*x + b with a and b free of x gives x = -b/a, an assignment rule from
 * then on (also at the start).  A rule that is nonlinear in every variable
 * it could determine, or rules whose solutions need each other, are refused
 * as "unsupported: AlgebraicRule". */
#include "sbml_import.h"

#include <stdlib.h>
#include <string.h>

/* ---- expressions linear in one name ------------------------------------------ */

static int mentions(const ims_expr_t *e, const char *x)
{
  if (!e)
    return 0;
  if (e->op == IMS_X_NAME && !strcmp(e->name, x))
    return 1;
  for (int i = 0; i < e->n; i++)
    if (mentions(e->a[i], x))
      return 1;
  return 0;
}

/* A copy of e with the description's functions inlined (bodies see only
 * their arguments). */
static ims_expr_t *inline_calls(const ims_mdl_t *d, const ims_expr_t *e, const char *const *an,
                                ims_expr_t *const *av, int na, int depth);

ims_expr_t *ims__sbml_inline(const ims_mdl_t *d, const ims_expr_t *e)
{
  return inline_calls(d, e, NULL, NULL, 0, 0);
}

static ims_expr_t *inline_calls(const ims_mdl_t *d, const ims_expr_t *e, const char *const *an,
                                ims_expr_t *const *av, int na, int depth)
{
  if (!e || depth > 32) /* depth: nested calls */
    return NULL;
  if (e->op == IMS_X_NAME)
    for (int i = 0; i < na; i++)
      if (!strcmp(an[i], e->name))
        return ims_expr_copy(av[i]);
  if (e->op == IMS_X_CALL) {
    const ims_mdl_func_t *f = NULL;
    for (int i = 0; i < d->nfuncs && !f; i++)
      if (!strcmp(d->funcs[i].name, e->name))
        f = &d->funcs[i];
    if (!f || f->nargs != e->n || f->nargs > 64)
      return NULL;
    ims_expr_t *args[64];
    int ok = 1;
    for (int i = 0; i < e->n; i++)
      ok &= (args[i] = inline_calls(d, e->a[i], an, av, na, depth)) != NULL;
    ims_expr_t *r =
        ok ? inline_calls(d, f->body.e, (const char *const *)f->args, args, f->nargs, depth + 1)
           : NULL;
    for (int i = 0; i < e->n; i++)
      ims_expr_free(args[i]);
    return r;
  }
  ims_expr_t *r = ims_expr_copy(e);
  if (!r)
    return NULL;
  for (int i = 0; i < r->n; i++) {
    ims_expr_free(r->a[i]);
    r->a[i] = inline_calls(d, e->a[i], an, av, na, depth);
    if (!r->a[i]) {
      ims_expr_free(r);
      return NULL;
    }
  }
  return r;
}

/* Sums and products where NULL stands for 0. */
static ims_expr_t *add(ims_expr_t *a, ims_expr_t *b, int minus)
{
  if (!b)
    return a;
  if (minus)
    b = ims_expr_op1(IMS_X_NEG, b);
  return a ? ims_expr_op2(IMS_X_ADD, a, b) : b;
}

static ims_expr_t *mul(ims_expr_t *a, const ims_expr_t *factor, int divide)
{
  if (!a)
    return NULL;
  return ims_expr_op2(divide ? IMS_X_DIV : IMS_X_MUL, a, ims_expr_copy(factor));
}

/* e = *a * x + *b with *a, *b free of x (NULL for 0).  Returns 0, or -1 when
 * e is not linear in x (or out of memory). */
static int linear(const ims_expr_t *e, const char *x, ims_expr_t **a, ims_expr_t **b)
{
  *a = *b = NULL;
  if (!mentions(e, x)) {
    *b = ims_expr_copy(e);
    return *b ? 0 : -1;
  }
  ims_expr_t *ai, *bi;
  switch (e->op) {
  case IMS_X_NAME:
    *a = ims_expr_num(1, NULL);
    return *a ? 0 : -1;
  case IMS_X_ADD:
  case IMS_X_SUB:
    for (int i = 0; i < e->n; i++) {
      if (linear(e->a[i], x, &ai, &bi))
        goto fail;
      int minus = e->op == IMS_X_SUB && i > 0;
      *a = add(*a, ai, minus);
      *b = add(*b, bi, minus);
    }
    return 0;
  case IMS_X_NEG:
    if (linear(e->a[0], x, &ai, &bi))
      return -1;
    *a = add(NULL, ai, 1);
    *b = add(NULL, bi, 1);
    return 0;
  case IMS_X_MUL: {
    int k = -1;
    for (int i = 0; i < e->n; i++)
      if (mentions(e->a[i], x)) {
        if (k >= 0)
          return -1; /* x times x */
        k = i;
      }
    if (linear(e->a[k], x, a, b))
      goto fail;
    for (int i = 0; i < e->n; i++)
      if (i != k) {
        *a = mul(*a, e->a[i], 0);
        *b = mul(*b, e->a[i], 0);
      }
    return 0;
  }
  case IMS_X_DIV:
    if (mentions(e->a[1], x) || linear(e->a[0], x, a, b))
      goto fail;
    *a = mul(*a, e->a[1], 1);
    *b = mul(*b, e->a[1], 1);
    return 0;
  case IMS_X_PIECEWISE: {
    /* linear when no condition reads x: a and b are piecewise alike */
    ims_expr_t *pa[128], *pb[128];
    if (e->n > 128)
      return -1;
    for (int i = 1; i < e->n; i += 2)
      if (mentions(e->a[i], x))
        return -1;
    int ok = 1;
    for (int i = 0; i < e->n; i++) {
      pa[i] = pb[i] = NULL;
      if (i % 2 == 1 && i < e->n) {
        pa[i] = ims_expr_copy(e->a[i]);
        pb[i] = ims_expr_copy(e->a[i]);
        continue;
      }
      if (ok && linear(e->a[i], x, &pa[i], &pb[i]))
        ok = 0;
      if (!pa[i])
        pa[i] = ims_expr_num(0, NULL);
      if (!pb[i])
        pb[i] = ims_expr_num(0, NULL);
    }
    *a = ims_expr_op(IMS_X_PIECEWISE, e->n, pa);
    *b = ims_expr_op(IMS_X_PIECEWISE, e->n, pb);
    if (!ok)
      goto fail;
    return 0;
  }
  default:
    return -1; /* x inside a function, a power, a relation, rateOf */
  }
fail:
  ims_expr_free(*a);
  ims_expr_free(*b);
  *a = *b = NULL;
  return -1;
}

/* x = -b/a for the rule f, or NULL when f is not linear in x. */
ims_expr_t *ims__sbml_solve(const ims_expr_t *f, const char *x)
{
  ims_expr_t *a, *b;
  if (linear(f, x, &a, &b))
    return NULL;
  if (!a) {
    ims_expr_free(b);
    return NULL;
  }
  if (!b) {
    ims_expr_free(a);
    return ims_expr_num(0, NULL);
  }
  return ims_expr_op1(IMS_X_NEG, ims_expr_op2(IMS_X_DIV, b, a));
}

ims_expr_t *ims__sbml_subst(const ims_expr_t *e, const char *x, const ims_expr_t *v)
{
  if (!e)
    return NULL;
  if (e->op == IMS_X_NAME && !strcmp(e->name, x))
    return ims_expr_copy(v);
  ims_expr_t *r = ims_expr_copy(e);
  for (int i = 0; r && i < r->n; i++) {
    ims_expr_free(r->a[i]);
    if (!(r->a[i] = ims__sbml_subst(e->a[i], x, v))) {
      ims_expr_free(r);
      return NULL;
    }
  }
  return r;
}

/* 1 when e reads no symbol that changes in time (only numbers, constant
 * parameters and parameters computed from them). */
static int reads_constants(const ims_sbml_t *s, const ims_expr_t *e, int depth)
{
  if (!e)
    return 1;
  if (e->op == IMS_X_TIME || e->op == IMS_X_RATEOF || depth > 64)
    return 0;
  if (e->op == IMS_X_NAME) {
    int k = ims__sbml_sym(s, e->name);
    if (k < 0 || s->sym[k].role == IMS__ROLE_CONST || s->sym[k].role == IMS__ROLE_DEF)
      return 1;
    /* an assignment (or solved algebraic) rule of constants is one */
    for (int i = 0; s->sym[k].role == IMS__ROLE_OUT && i < s->d->noutputs; i++)
      if (!strcmp(s->d->outputs[i].name, e->name))
        return reads_constants(s, s->d->outputs[i].def.e, depth + 1);
    return 0;
  }
  for (int i = 0; i < e->n; i++)
    if (!reads_constants(s, e->a[i], depth))
      return 0;
  return 1;
}

int ims__sbml_coef_constant(const ims_sbml_t *s, const ims_expr_t *f, const char *x)
{
  ims_expr_t *a, *b;
  if (linear(f, x, &a, &b))
    return 0;
  int ok = a && reads_constants(s, a, 0);
  ims_expr_free(a);
  ims_expr_free(b);
  return ok;
}

/* ---- matching rules to variables --------------------------------------------- */

typedef struct alg {
  const Rule_t *rule;
  ims_expr_t *f;    /* the rule's math, rewritten and with functions inlined */
  int *cand, ncand; /* symbols it could determine (linear in them) */
  int var;          /* the matched symbol */
} alg_t;

static int augment(ims_sbml_t *s, alg_t *r, int nr, int i, int *owner, char *seen)
{
  for (int c = 0; c < r[i].ncand; c++) {
    int v = r[i].cand[c];
    if (seen[v])
      continue;
    seen[v] = 1;
    if (owner[v] < 0 || augment(s, r, nr, owner[v], owner, seen)) {
      owner[v] = i;
      r[i].var = v;
      return 1;
    }
  }
  return 0;
}

static int free_var(const ims__sbml_sym_t *y)
{
  /* events set what they assign: not a rule's unknown (case 01589) */
  if (y->kind == IMS__SYM_REACTION || y->constant || y->assign_rule || y->rate_rule ||
      y->event_target)
    return 0;
  return !(y->kind == IMS__SYM_SPECIES && !y->boundary && y->in_reaction);
}

int ims__sbml_algebraic(ims_sbml_t *s)
{
  int nr = 0, rc = IMS_OK;
  for (unsigned i = 0; i < Model_getNumRules(s->model); i++) {
    const Rule_t *r = Model_getRule(s->model, i);
    nr += Rule_isAlgebraic(r) && Rule_getMath(r);
  }
  if (!nr)
    return IMS_OK;
  alg_t *r = calloc((size_t)nr, sizeof *r);
  int *owner = malloc((size_t)s->nsym * sizeof *owner);
  char *seen = malloc((size_t)s->nsym + 1);
  if (!r || !owner || !seen) {
    free(r);
    free(owner);
    free(seen);
    return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  }
  int k = 0;
  for (unsigned i = 0; !rc && i < Model_getNumRules(s->model); i++) {
    const Rule_t *rl = Model_getRule(s->model, i);
    if (!Rule_isAlgebraic(rl) || !Rule_getMath(rl))
      continue;
    alg_t *a = &r[k++];
    a->rule = rl;
    a->var = -1;
    ims_mdl_eq_t eq;
    rc = ims__sbml_math(s, Rule_getMath(rl), rl, -1, &eq);
    if (rc)
      break;
    a->f = inline_calls(s->d, eq.e, NULL, NULL, 0, 0);
    ims_expr_free(eq.e);
    a->cand = malloc((size_t)s->nsym * sizeof *a->cand);
    if (!a->f || !a->cand) {
      rc = ims__sbml_fail(s, rl, IMS_EINPUT,
                          "unsupported: AlgebraicRule (a function in the rule cannot be inlined)");
      break;
    }
    for (int v = 0; v < s->nsym; v++) {
      if (!free_var(&s->sym[v]) || !mentions(a->f, s->sym[v].id))
        continue;
      ims_expr_t *x = ims__sbml_solve(a->f, s->sym[v].id);
      if (x)
        a->cand[a->ncand++] = v;
      ims_expr_free(x);
    }
  }
  for (int v = 0; v < s->nsym; v++)
    owner[v] = -1;
  for (int i = 0; !rc && i < nr; i++) {
    memset(seen, 0, (size_t)s->nsym);
    if (!augment(s, r, nr, i, owner, seen))
      rc = ims__sbml_fail(s, r[i].rule, IMS_EINPUT,
                          "unsupported: AlgebraicRule (no variable that only this rule determines "
                          "appears linearly in it)");
  }
  for (int i = 0; !rc && i < nr; i++) {
    ims__sbml_sym_t *y = &s->sym[r[i].var];
    y->alg = ims__sbml_solve(r[i].f, y->id);
    y->alg_rule = r[i].rule;
    if (!y->alg)
      rc = ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  }
  /* solutions that need each other are a system, not a chain */
  for (int i = 0; !rc && i < nr; i++)
    for (int j = 0; !rc && j < nr; j++)
      if (i != j && mentions(s->sym[r[i].var].alg, s->sym[r[j].var].id) &&
          mentions(s->sym[r[j].var].alg, s->sym[r[i].var].id))
        rc = ims__sbml_fail(s, r[i].rule, IMS_EINPUT,
                            "unsupported: AlgebraicRule (coupled algebraic rules for '%s' and "
                            "'%s')",
                            s->sym[r[i].var].id, s->sym[r[j].var].id);
  for (int i = 0; i < nr; i++) {
    ims_expr_free(r[i].f);
    free(r[i].cand);
  }
  free(r);
  free(owner);
  free(seen);
  return rc;
}
