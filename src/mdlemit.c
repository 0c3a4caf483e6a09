/* From checked, expanded expressions to one DAG, its symbolic Jacobian, the
 * evaluator's programs and the ims_model_t whose functions run them. */
#include "mdlcomp.h"
#include "mdlevents.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ectx {
  ims__comp_t *c;
  ims__dag_t *g;
  int *rate_node; /* per state: -1 not built, -2 being built */
  int bad;        /* rateOf cycle reported */
} ectx_t;

static int node_of(ectx_t *x, const ims_expr_t *e);

static int def_node(ectx_t *x, int k)
{
  ims__def_t *df = &x->c->defs[k];
  if (df->node < 0)
    df->node = node_of(x, df->x);
  return df->node;
}

static int rate_node(ectx_t *x, int i)
{
  if (x->rate_node[i] == -2) {
    ims_mdl_state_t *s = &x->c->d->states[i];
    ims__comp_fail(x->c, s->rate.line, s->rate.col,
                   "rateOf(%s) is used inside its own equation (directly or through others)",
                   s->name);
    x->bad = 1;
    return -1;
  }
  if (x->rate_node[i] == -1) {
    x->rate_node[i] = -2;
    x->rate_node[i] = node_of(x, x->c->xrate[i]);
  }
  return x->rate_node[i];
}

/* d v/dt for a definition: sum_j dv/dy_j * f_j + dv/dt. */
static int def_rate(ectx_t *x, int k)
{
  int v = def_node(x, k), acc = ims__dag_diff(x->g, v, -1);
  for (int j = 0; acc >= 0 && j < x->c->d->nstates; j++) {
    int dj = ims__dag_diff(x->g, v, j);
    if (dj >= 0 && x->g->n[dj].op == IMS__D_CONST && x->g->n[dj].v == 0)
      continue;
    acc = ims__dag_mk(x->g, IMS__D_ADD, acc, ims__dag_mk(x->g, IMS__D_MUL, dj, rate_node(x, j), -1),
                      -1);
  }
  return acc;
}

static int name_node(ectx_t *x, const char *name, int rate)
{
  const ims__sym_t *s = ims__comp_lookup(x->c, name);
  if (!s)
    return -1;
  switch (s->kind) {
  case IMS__K_STATE:
    return rate ? rate_node(x, s->idx) : ims__dag_leaf(x->g, IMS__D_STATE, s->idx);
  case IMS__K_PARAM:
    return rate ? ims__dag_const(x->g, 0)
                : ims__dag_leaf(x->g, IMS__D_PARAM, x->c->par_idx[s->idx]);
  case IMS__K_INIT:
    return rate ? ims__dag_const(x->g, 0) : ims__dag_leaf(x->g, IMS__D_PARAM, x->c->nmpar + s->idx);
  case IMS__K_DEF:
    return rate ? def_rate(x, s->idx) : def_node(x, s->idx);
  default:
    return -1;
  }
}

static int unary(int op)
{
  switch (op) {
  case IMS_X_NEG:
    return IMS__D_NEG;
  case IMS_X_EXP:
    return IMS__D_EXP;
  case IMS_X_LN:
    return IMS__D_LN;
  case IMS_X_LOG10:
    return IMS__D_LOG10;
  case IMS_X_SQRT:
    return IMS__D_SQRT;
  case IMS_X_ABS:
    return IMS__D_ABS;
  case IMS_X_FLOOR:
    return IMS__D_FLOOR;
  case IMS_X_CEIL:
    return IMS__D_CEIL;
  case IMS_X_FACTORIAL:
    return IMS__D_FACT;
  case IMS_X_SIN:
    return IMS__D_SIN;
  case IMS_X_COS:
    return IMS__D_COS;
  case IMS_X_TAN:
    return IMS__D_TAN;
  case IMS_X_ASIN:
    return IMS__D_ASIN;
  case IMS_X_ACOS:
    return IMS__D_ACOS;
  case IMS_X_ATAN:
    return IMS__D_ATAN;
  case IMS_X_SINH:
    return IMS__D_SINH;
  case IMS_X_COSH:
    return IMS__D_COSH;
  case IMS_X_TANH:
    return IMS__D_TANH;
  case IMS_X_ASINH:
    return IMS__D_ASINH;
  case IMS_X_ACOSH:
    return IMS__D_ACOSH;
  case IMS_X_ATANH:
    return IMS__D_ATANH;
  case IMS_X_NOT:
    return IMS__D_NOT;
  default:
    return -1;
  }
}

/* The reciprocal functions: f(x) = 1/g(x), and the inverse ones a(x) = b(1/x). */
static int reciprocal(ectx_t *x, int op, int a)
{
  ims__dag_t *g = x->g;
  int one = ims__dag_const(g, 1);
  switch (op) {
  case IMS_X_SEC:
    return ims__dag_mk(g, IMS__D_DIV, one, ims__dag_mk(g, IMS__D_COS, a, -1, -1), -1);
  case IMS_X_CSC:
    return ims__dag_mk(g, IMS__D_DIV, one, ims__dag_mk(g, IMS__D_SIN, a, -1, -1), -1);
  case IMS_X_COT:
    return ims__dag_mk(g, IMS__D_DIV, one, ims__dag_mk(g, IMS__D_TAN, a, -1, -1), -1);
  case IMS_X_SECH:
    return ims__dag_mk(g, IMS__D_DIV, one, ims__dag_mk(g, IMS__D_COSH, a, -1, -1), -1);
  case IMS_X_CSCH:
    return ims__dag_mk(g, IMS__D_DIV, one, ims__dag_mk(g, IMS__D_SINH, a, -1, -1), -1);
  case IMS_X_COTH:
    return ims__dag_mk(g, IMS__D_DIV, one, ims__dag_mk(g, IMS__D_TANH, a, -1, -1), -1);
  default:
    break;
  }
  int inv = ims__dag_mk(g, IMS__D_DIV, one, a, -1);
  switch (op) {
  case IMS_X_ASEC:
    return ims__dag_mk(g, IMS__D_ACOS, inv, -1, -1);
  case IMS_X_ACSC:
    return ims__dag_mk(g, IMS__D_ASIN, inv, -1, -1);
  case IMS_X_ACOT:
    return ims__dag_mk(g, IMS__D_ATAN, inv, -1, -1);
  case IMS_X_ASECH:
    return ims__dag_mk(g, IMS__D_ACOSH, inv, -1, -1);
  case IMS_X_ACSCH:
    return ims__dag_mk(g, IMS__D_ASINH, inv, -1, -1);
  case IMS_X_ACOTH:
    return ims__dag_mk(g, IMS__D_ATANH, inv, -1, -1);
  default:
    return -1;
  }
}

static int fold(ectx_t *x, int op, const ims_expr_t *e)
{
  int acc = node_of(x, e->a[0]);
  for (int i = 1; i < e->n && acc >= 0; i++)
    acc = ims__dag_mk(x->g, op, acc, node_of(x, e->a[i]), -1);
  if (e->n == 1 && (op == IMS__D_AND || op == IMS__D_OR || op == IMS__D_XOR))
    acc = ims__dag_mk(x->g, IMS__D_NE, acc, ims__dag_const(x->g, 0), -1);
  return acc;
}

int ims__emit_node(struct ectx *x, const ims_expr_t *e)
{
  return node_of(x, e);
}

static int node_of(ectx_t *x, const ims_expr_t *e)
{
  ims__dag_t *g = x->g;
  if (!e || x->bad)
    return -1;
  switch (e->op) {
  case IMS_X_NUM:
  case IMS_X_BOOL:
    return ims__dag_const(g, e->num);
  case IMS_X_TIME:
    return ims__dag_leaf(g, IMS__D_TIME, 0);
  case IMS_X_AVOGADRO:
    return ims__dag_const(g, 6.02214076e23);
  case IMS_X_NAME:
    return name_node(x, e->name, 0);
  case IMS_X_RATEOF:
    return name_node(x, e->a[0]->name, 1);
  case IMS_X_DOSES:
    return ims__dag_leaf(g, IMS__D_NDOSE, ims__comp_lookup(x->c, e->a[0]->name)->idx);
  case IMS_X_ADD:
    return fold(x, IMS__D_ADD, e);
  case IMS_X_MUL:
    return fold(x, IMS__D_MUL, e);
  case IMS_X_MIN:
    return fold(x, IMS__D_MIN, e);
  case IMS_X_MAX:
    return fold(x, IMS__D_MAX, e);
  case IMS_X_AND:
    return fold(x, IMS__D_AND, e);
  case IMS_X_OR:
    return fold(x, IMS__D_OR, e);
  case IMS_X_XOR:
    return fold(x, IMS__D_XOR, e);
  case IMS_X_SUB:
    return ims__dag_mk(g, IMS__D_SUB, node_of(x, e->a[0]), node_of(x, e->a[1]), -1);
  case IMS_X_DIV:
    return ims__dag_mk(g, IMS__D_DIV, node_of(x, e->a[0]), node_of(x, e->a[1]), -1);
  case IMS_X_POW:
    return ims__dag_mk(g, IMS__D_POW, node_of(x, e->a[0]), node_of(x, e->a[1]), -1);
  case IMS_X_REM:
    return ims__dag_mk(g, IMS__D_REM, node_of(x, e->a[0]), node_of(x, e->a[1]), -1);
  case IMS_X_QUOT:
    return ims__dag_mk(g, IMS__D_QUOT, node_of(x, e->a[0]), node_of(x, e->a[1]), -1);
  case IMS_X_LOG: /* log(b, x) = ln x / ln b */
    return ims__dag_mk(g, IMS__D_DIV, ims__dag_mk(g, IMS__D_LN, node_of(x, e->a[1]), -1, -1),
                       ims__dag_mk(g, IMS__D_LN, node_of(x, e->a[0]), -1, -1), -1);
  case IMS_X_ROOT: /* root(n, x) = x^(1/n) */
    return ims__dag_mk(g, IMS__D_POW, node_of(x, e->a[1]),
                       ims__dag_mk(g, IMS__D_DIV, ims__dag_const(g, 1), node_of(x, e->a[0]), -1),
                       -1);
  case IMS_X_LT:
  case IMS_X_LE:
  case IMS_X_GT:
  case IMS_X_GE:
  case IMS_X_EQ:
  case IMS_X_NE:
    return ims__dag_mk(g, IMS__D_LT + (e->op - IMS_X_LT), node_of(x, e->a[0]), node_of(x, e->a[1]),
                       -1);
  case IMS_X_IMPLIES:
    return ims__dag_mk(g, IMS__D_OR, ims__dag_mk(g, IMS__D_NOT, node_of(x, e->a[0]), -1, -1),
                       node_of(x, e->a[1]), -1);
  case IMS_X_PIECEWISE: {
    int n = e->n, acc = n % 2 ? node_of(x, e->a[n - 1]) : ims__dag_const(g, NAN);
    for (int i = (n - (n % 2)) - 2; i >= 0 && acc >= 0; i -= 2)
      acc = ims__dag_mk(g, IMS__D_SEL, node_of(x, e->a[i + 1]), node_of(x, e->a[i]), acc);
    return acc;
  }
  default:
    break;
  }
  int u = unary(e->op);
  if (u >= 0)
    return ims__dag_mk(g, u, node_of(x, e->a[0]), -1, -1);
  return reciprocal(x, e->op, node_of(x, e->a[0]));
}

/* ---- switching functions --------------------------------------------------- */

static void need_mark(const ims__dag_t *g, char *need, int x)
{
  if (x < 0 || need[x])
    return;
  need[x] = 1;
  need_mark(g, need, g->n[x].a);
  need_mark(g, need, g->n[x].b);
  need_mark(g, need, g->n[x].c);
}

static int is_logic(int op)
{
  return op >= IMS__D_AND && op <= IMS__D_NOT;
}

/* Every condition of the rhs that depends on t or a state flips where one
 * function changes sign: a - b for a relation a < b, the value itself for a
 * number used as a condition.  Discontinuous functions of t or states without
 * such a function (floor, ceil, rem, quotient) are reported as warnings. */
static int switches(ectx_t *x, const int *roots, int nroots, int **out, int *nout, int **hold,
                    int *nhold)
{
  ims__dag_t *g = x->g;
  char *need = calloc((size_t)g->nn + 1, 1);
  int *sw = malloc(((size_t)g->nn + 1) * sizeof *sw), n = 0;
  /* hold: pairs (relation node, its switch), for the driver to hold its side */
  int *hd = malloc(2 * ((size_t)g->nn + 1) * sizeof *hd), nh = 0;
  if (!need || !sw || !hd) {
    free(need);
    free(sw);
    free(hd);
    return -1;
  }
  for (int i = 0; i < nroots; i++)
    need_mark(g, need, roots[i]);
  const unsigned dep = IMS__D_DEPY | IMS__D_DEPT;
  int warned[IMS__D_NOPS] = {0};
  int nn = g->nn;
  for (int k = 0; k < nn; k++) {
    ims__dnode_t d = g->n[k];
    if (!need[k] || !(d.flags & dep))
      continue;
    int cand[3] = {-1, -1, -1};
    if (ims__dop_is_rel(d.op))
      cand[0] = ims__dag_mk(g, IMS__D_SUB, d.a, d.b, -1);
    else if (d.op == IMS__D_SEL && !ims__dop_is_rel(g->n[d.a].op) && !is_logic(g->n[d.a].op))
      cand[0] = d.a;
    else if (is_logic(d.op)) {
      int args[2] = {d.a, d.b};
      for (int q = 0; q < ims__dop_arity(d.op); q++)
        if (!ims__dop_is_rel(g->n[args[q]].op) && !is_logic(g->n[args[q]].op) &&
            (g->n[args[q]].flags & dep))
          cand[q] = args[q];
    } else if ((d.op == IMS__D_FLOOR || d.op == IMS__D_CEIL || d.op == IMS__D_REM ||
                d.op == IMS__D_QUOT) &&
               !warned[d.op] && x->c->o->warn) {
      char msg[400];
      warned[d.op] = 1;
      snprintf(msg, sizeof msg,
               "%s: %s() of a state or of t jumps where the solver does not stop; results near "
               "its jumps follow the step size",
               ims__comp_path(x->c), ims__dop_name(d.op));
      x->c->o->warn(x->c->o->ud, msg);
    }
    for (int q = 0; q < 3; q++) {
      if (cand[q] < 0)
        continue;
      int j = 0;
      while (j < n && sw[j] != cand[q])
        j++;
      if (j == n)
        sw[n++] = cand[q];
      if (q == 0 && ims__dop_is_rel(d.op)) {
        hd[2 * nh] = k;
        hd[2 * nh++ + 1] = j;
      }
    }
  }
  free(need);
  *out = sw;
  *nout = n;
  *hold = hd;
  *nhold = nh;
  return 0;
}

/* ---- the model's functions ------------------------------------------------- */

static int g_rhs(double t, const double *y, double *dy, const ims_ctx_t *ctx)
{
  const ims__mprog_t *P = ctx->model->impl;
  ims__prog_run(&P->rhs, &P->L, t, y, ctx->p, ctx->swside, ctx->ndose, ctx->work, dy);
  for (int i = 0; i < P->L.n; i++)
    if (!isfinite(dy[i])) /* a domain error: CVODE retries with a smaller step */
      return 1;
  return 0;
}

static int g_jac(double t, const double *y, double *J, const ims_ctx_t *ctx)
{
  const ims__mprog_t *P = ctx->model->impl;
  ims__prog_run(&P->jac, &P->L, t, y, ctx->p, ctx->swside, ctx->ndose, ctx->work, J);
  return 0;
}

static void g_output(double t, const double *y, double *out, const ims_ctx_t *ctx)
{
  const ims__mprog_t *P = ctx->model->impl;
  ims__prog_run(&P->out, &P->L, t, y, ctx->p, ctx->swside, ctx->ndose, ctx->work, out);
}

static int g_switches(double t, const double *y, double *g, const ims_ctx_t *ctx)
{
  const ims__mprog_t *P = ctx->model->impl;
  ims__prog_run(&P->sw, &P->L, t, y, ctx->p, ctx->swside, ctx->ndose, ctx->work, g);
  return 0;
}

static void g_init(double *y0, const ims_ctx_t *ctx)
{
  const ims__mprog_t *P = ctx->model->impl;
  /* (sbml, issue 12) An initial expression may read another state's initial
   * value, also through intermediates (SBML initial assignments and
   * assignment rules, SBML Test Suite case 01217).  One pass reads the
   * values from before it, so a chain of k such states needs k passes; the
   * program sets P->init.nout states, hence that many passes. */
  for (int pass = 0; pass < (P->init.nout > 1 ? P->init.nout : 1); pass++)
    ims__prog_run(&P->init, &P->L, 0, y0, ctx->p, NULL, ctx->ndose, ctx->work, y0);
}

const ims_mdl_t *ims_mdl_of(const ims_model_t *m)
{
  return m && m->rhs == g_rhs ? ((const ims__mprog_t *)m->impl)->desc : NULL;
}

const ims_mdl_param_t *ims_mdl_param_of(const ims_model_t *m, int k)
{
  const ims_mdl_t *d = ims_mdl_of(m);
  if (!d || k < 0 || k >= m->nparams)
    return NULL;
  return &d->params[((const ims__mprog_t *)m->impl)->par_of[k]];
}

int ims_mdl_event_eval(const ims_model_t *m, int k, double t, const double *y, const ims_ctx_t *ctx,
                       double *out)
{
  if (!ims_mdl_of(m))
    return -1;
  const ims__mprog_t *P = m->impl;
  if (k < 0 || k >= P->nev)
    return -1;
  ims__prog_run(&P->ev[k], &P->L, t, y, ctx->p, NULL, ctx->ndose, ctx->work, out);
  return 0;
}

static void mprog_free(ims__mprog_t *P)
{
  if (!P)
    return;
  for (int k = 0; P->ev && k < P->nev; k++)
    ims__prog_free(&P->ev[k]);
  free(P->ev);
  ims__events_free(P->evd);
  ims__prog_free(&P->rhs);
  ims__prog_free(&P->jac);
  ims__prog_free(&P->out);
  ims__prog_free(&P->sw);
  ims__prog_free(&P->init);
  ims__layout_free(&P->L);
  ims__dag_free(&P->dag);
  free(P->states);
  free(P->outputs);
  free(P->params);
  free(P->labels);
  free(P->plot);
  free(P->y0_def);
  free(P->par_of);
  ims_mdl_free(P->desc);
  free(P);
}

void ims_mdl_model_free(ims_model_t *m)
{
  if (!m)
    return;
  if (m->rhs == g_rhs)
    mprog_free((ims__mprog_t *)m->impl);
  free(m);
}

/* ---- emitting ---------------------------------------------------------------- */

static size_t max_sz(size_t a, size_t b)
{
  return a > b ? a : b;
}

static int tables(ims__comp_t *c, ims__mprog_t *P, ims_model_t *m)
{
  ims_mdl_t *d = c->d;
  P->states = calloc((size_t)d->nstates + 1, sizeof *P->states);
  P->outputs = calloc((size_t)d->noutputs + 1, sizeof *P->outputs);
  P->params = calloc((size_t)c->nmpar + 1, sizeof *P->params);
  P->par_of = calloc((size_t)c->nmpar + 1, sizeof *P->par_of);
  P->y0_def = calloc((size_t)d->nstates + 1, sizeof *P->y0_def);
  P->labels = calloc((size_t)(d->nstates + d->noutputs + c->nmpar) + 1, sizeof *P->labels);
  if (!P->states || !P->outputs || !P->params || !P->par_of || !P->y0_def || !P->labels)
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  int nl = 0; /* labels of the columns (states, outputs) and parameters, for figures */
  for (int i = 0; i < d->nstates; i++)
    if (d->states[i].label)
      P->labels[nl++] = (ims_label_t){d->states[i].name, d->states[i].label};
  for (int i = 0; i < d->noutputs; i++)
    if (d->outputs[i].label)
      P->labels[nl++] = (ims_label_t){d->outputs[i].name, d->outputs[i].label};
  for (int i = 0; i < d->nparams; i++)
    if (c->par_idx[i] >= 0 && d->params[i].label)
      P->labels[nl++] = (ims_label_t){d->params[i].name, d->params[i].label};
  m->labels = nl ? P->labels : NULL;
  m->nlabels = nl;
  if (d->nplot) { /* names owned by the description, like the labels' */
    if (!(P->plot = calloc((size_t)d->nplot, sizeof *P->plot)))
      return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
    for (int i = 0; i < d->nplot; i++)
      P->plot[i] = (ims_plotcol_t){d->plot[i].name, d->plot[i].scale};
    m->plot = P->plot;
    m->nplot = d->nplot;
  }
  for (int i = 0; i < d->nstates; i++) {
    ims_mdl_state_t *s = &d->states[i];
    P->states[i] = (ims_var_t){s->name, s->unit, s->desc ? s->desc : ""};
    P->y0_def[i] = s->init_value;
  }
  for (int i = 0; i < d->noutputs; i++) {
    ims_mdl_var_t *v = &d->outputs[i];
    P->outputs[i] = (ims_var_t){v->name, v->unit, v->desc ? v->desc : ""};
  }
  for (int i = 0; i < d->nparams; i++) {
    int k = c->par_idx[i];
    if (k < 0)
      continue;
    ims_mdl_param_t *p = &d->params[i];
    unsigned fl = (p->flags & IMS_MDL_NOVALUE) ? 0u : IMS_PAR_OPTIONAL;
    if (p->flags & IMS_MDL_SIGNED)
      fl |= IMS_PAR_SIGNED;
    P->params[k] = (ims_par_t){p->name, p->unit, p->desc ? p->desc : "", p->value, fl};
    P->par_of[k] = i;
  }
  m->name = d->name;
  m->title = d->title ? d->title : d->name;
  m->family = d->family ? d->family : "model file";
  m->citation = d->citation ? d->citation : (d->path ? d->path : d->name);
  m->notes = d->notes;
  m->time_unit = d->time_unit;
  m->default_set = NULL;
  m->states = P->states;
  m->nstates = d->nstates;
  m->params = P->params;
  m->nparams = c->nmpar;
  m->outputs = P->outputs;
  m->noutputs = d->noutputs;
  m->y0_def = P->y0_def;
  m->source = d->path;
  m->source_hash = d->hash[0] ? d->hash : NULL;
  return IMS_OK;
}

static int programs(ims__comp_t *c, ectx_t *x, ims__mprog_t *P)
{
  ims_mdl_t *d = c->d;
  int n = d->nstates, rc = IMS_OK;
  int *roots =
      malloc(((size_t)n * (size_t)n + (size_t)d->noutputs + (size_t)n + 1) * sizeof *roots);
  int *idx = malloc(((size_t)n * (size_t)n + 1) * sizeof *idx);
  int *rate = malloc(((size_t)n + 1) * sizeof *rate);
  int *sw = NULL, nsw = 0, nj = 0, oom = !roots || !idx || !rate;
  for (int i = 0; !oom && i < n; i++)
    oom = (rate[i] = rate_node(x, i)) < 0;
  for (int i = 0; !oom && i < n; i++)
    for (int j = 0; !oom && j < n; j++) {
      int r = ims__dag_simplify(x->g, ims__dag_diff(x->g, rate[i], j));
      oom = r < 0;
      if (!oom && !(x->g->n[r].op == IMS__D_CONST && x->g->n[r].v == 0)) {
        roots[nj] = r;
        idx[nj++] = i * n + j;
      }
    }
  int *outs = roots + nj, nout = 0;
  for (int k = 0; !oom && k < d->noutputs; k++) {
    const ims__sym_t *s = ims__comp_lookup(c, d->outputs[k].name);
    oom = (outs[nout++] = def_node(x, s->idx)) < 0;
  }
  int *inits = outs + nout, *iidx = malloc(((size_t)n + 1) * sizeof *iidx), ninit = 0;
  oom |= !iidx;
  for (int i = 0; !oom && i < n; i++)
    if (c->xinit[i]) {
      oom = (inits[ninit] = node_of(x, c->xinit[i])) < 0;
      iidx[ninit++] = i;
    }
  /* events: every expression of event k in one program (constants NaN for absent ones) */
  int *evn = NULL, nevn = 0, nan = ims__dag_const(x->g, NAN); /* before the layout is made */
  oom |= nan < 0;
  if (!oom && c->nevx) {
    evn = malloc((size_t)c->nevx * sizeof *evn);
    oom = !evn;
    for (int i = 0; !oom && i < c->nevx; i++)
      oom = (evn[nevn++] = node_of(x, c->evx[i].x)) < 0;
  }
  int *hold = NULL, nhold = 0;
  if (!oom)
    oom = switches(x, rate, n, &sw, &nsw, &hold, &nhold) != 0;
  if (oom || x->bad)
    rc = x->bad ? IMS_EINPUT : ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  if (!rc) /* (sbml, issue 12) the triggers' roots join the DAG before its layout */
    rc = ims__events_nodes(c, x, x->g, &P->evd);
  if (!rc && ims__layout_init(&P->L, x->g, n, c->nmpar + n, nsw))
    rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  for (int i = 0; !rc && i < nhold; i++)
    ims__layout_hold(&P->L, hold[2 * i], hold[2 * i + 1]);
  free(hold);
  if (!rc && (ims__prog_build(&P->rhs, x->g, &P->L, rate, NULL, n, n, 0) ||
              ims__prog_build(&P->jac, x->g, &P->L, roots, idx, nj, n * n, 1) ||
              ims__prog_build(&P->out, x->g, &P->L, outs, NULL, nout, nout, 0) ||
              ims__prog_build(&P->sw, x->g, &P->L, sw, NULL, nsw, nsw, 0) ||
              ims__prog_build(&P->init, x->g, &P->L, inits, iidx, ninit, n, 0) ||
              ims__events_build(P->evd, x->g, &P->L)))
    rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  if (!rc && d->nevents && !(P->ev = calloc((size_t)d->nevents, sizeof *P->ev)))
    rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  for (int k = 0; !rc && k < d->nevents; k++, P->nev++) {
    int ns = 3 + d->events[k].nassign, nr = 0;
    int *er = malloc((size_t)ns * sizeof *er), *es = malloc((size_t)ns * sizeof *es);
    /* no delay or priority: NaN (sbml, issue 12: only for the absent ones;
     * an event with a delay overran er and es) */
    const ims_mdl_event_t *ek = &d->events[k];
    for (int s2 = 1; er && es && s2 < 3; s2++)
      if (!(s2 == 1 ? ek->delay.e : ek->priority.e))
        er[nr] = nan, es[nr++] = s2;
    for (int i = 0; er && es && i < c->nevx; i++)
      if (c->evx[i].event == k)
        er[nr] = evn[i], es[nr++] = c->evx[i].slot;
    if (!er || !es || ims__prog_build(&P->ev[k], x->g, &P->L, er, es, nr, ns, 0))
      rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
    free(er);
    free(es);
  }
  free(evn);
  P->has_jac = !x->g->nondiff;
  P->has_init = ninit > 0;
  free(roots);
  free(idx);
  free(rate);
  free(iidx);
  free(sw);
  return rc;
}

int ims__comp_emit(ims__comp_t *c, ims_model_t **out)
{
  ims_mdl_t *d = c->d;
  ims__mprog_t *P = calloc(1, sizeof *P);
  ims_model_t *m = calloc(1, sizeof *m);
  if (!P || !m) {
    free(P);
    free(m);
    return ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  }
  ectx_t x = {c, &P->dag, NULL, 0};
  int rc = IMS_OK;
  if (ims__dag_init(&P->dag, d->nstates) != 0)
    rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  if (!rc && !(x.rate_node = malloc(((size_t)d->nstates + 1) * sizeof *x.rate_node)))
    rc = ims_err_set(c->err, IMS_ENOMEM, "out of memory");
  for (int i = 0; !rc && i < d->nstates; i++)
    x.rate_node[i] = -1;
  rc = rc ? rc : tables(c, P, m);
  rc = rc ? rc : programs(c, &x, P);
  free(x.rate_node);
  if (rc) {
    P->desc = NULL; /* the caller frees the description */
    mprog_free(P);
    free(m);
    return rc;
  }
  if (!P->has_jac && c->o->warn) {
    char msg[300];
    snprintf(msg, sizeof msg,
             "%s: factorial() of a state has no symbolic derivative; the solver uses a "
             "difference-quotient Jacobian",
             ims__comp_path(c));
    c->o->warn(c->o->ud, msg);
  }
  P->desc = d;
  m->rhs = g_rhs;
  m->jac = P->has_jac ? g_jac : NULL;
  m->output = d->noutputs ? g_output : NULL;
  m->nswitch = P->sw.nout;
  m->switches = P->sw.nout ? g_switches : NULL;
  m->init_ctx = P->has_init ? g_init : NULL;
  m->impl = P;
  m->nwork = max_sz(
      max_sz(ims__prog_nreg(&P->rhs), ims__prog_nreg(&P->jac)),
      max_sz(max_sz(ims__prog_nreg(&P->out), ims__prog_nreg(&P->sw)), ims__prog_nreg(&P->init)));
  for (int k = 0; k < P->nev; k++)
    m->nwork = max_sz(m->nwork, ims__prog_nreg(&P->ev[k]));
  /* (sbml, issue 12) events for the driver (src/sim_events.c) */
  m->nwork = max_sz(m->nwork, ims__events_nreg(P->evd));
  m->event_eval = P->evd ? ims__events_eval : NULL;
  ims__events_model(P->evd, m);
  *out = m;
  return IMS_OK;
}
