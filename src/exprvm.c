#include "exprvm.h"

#include <stdlib.h>
#include <string.h>

int ims__layout_init(ims__layout_t *L, const ims__dag_t *g, int n, int np, int nside)
{
  memset(L, 0, sizeof *L);
  L->n = n;
  L->np = np;
  L->nside = nside;
  L->creg = malloc(((size_t)g->nn + 1) * sizeof *L->creg);
  L->sidereg = malloc(((size_t)g->nn + 1) * sizeof *L->sidereg);
  L->consts = malloc(((size_t)g->nn + 1) * sizeof *L->consts);
  if (!L->creg || !L->sidereg || !L->consts) {
    ims__layout_free(L);
    return -1;
  }
  for (int i = 0; i < g->nn; i++) {
    L->creg[i] = L->sidereg[i] = -1;
    if (g->n[i].op == IMS__D_CONST) {
      L->creg[i] = 1 + n + np + nside + L->nconst;
      L->consts[L->nconst++] = g->n[i].v;
    }
  }
  return 0;
}

void ims__layout_hold(ims__layout_t *L, int x, int k)
{
  L->sidereg[x] = 1 + L->n + L->np + k;
}

void ims__layout_free(ims__layout_t *L)
{
  free(L->consts);
  free(L->creg);
  free(L->sidereg);
  memset(L, 0, sizeof *L);
}

static void mark(const ims__dag_t *g, char *need, int x)
{
  if (x < 0 || need[x])
    return;
  need[x] = 1;
  const ims__dnode_t *d = &g->n[x];
  mark(g, need, d->a);
  mark(g, need, d->b);
  mark(g, need, d->c);
}

static int leaf_reg(const ims__dnode_t *d, const ims__layout_t *L, int x)
{
  switch (d->op) {
  case IMS__D_TIME:
    return 0;
  case IMS__D_STATE:
    return 1 + d->k;
  case IMS__D_PARAM:
    return 1 + L->n + d->k;
  case IMS__D_CONST:
    return L->creg[x];
  default:
    return -1;
  }
}

int ims__prog_build(ims__prog_t *P, const ims__dag_t *g, const ims__layout_t *L, const int *roots,
                    const int *idx, int nroots, int ndst, int zero_fill)
{
  memset(P, 0, sizeof *P);
  char *need = calloc((size_t)g->nn + 1, 1);
  P->node_reg = malloc(((size_t)g->nn + 1) * sizeof *P->node_reg);
  P->ins = malloc(((size_t)g->nn + 1) * sizeof *P->ins);
  P->out_reg = malloc(((size_t)nroots + 1) * sizeof *P->out_reg);
  P->out_idx = malloc(((size_t)nroots + 1) * sizeof *P->out_idx);
  if (!need || !P->node_reg || !P->ins || !P->out_reg || !P->out_idx) {
    free(need);
    ims__prog_free(P);
    return -1;
  }
  for (int i = 0; i < nroots; i++)
    mark(g, need, roots[i]);
  P->base = 1 + L->n + L->np + L->nside + L->nconst;
  /* Node indices are a topological order: operands are created first. */
  for (int x = 0; x < g->nn; x++) {
    const ims__dnode_t *d = &g->n[x];
    P->node_reg[x] = leaf_reg(d, L, x);
    if (!need[x] || P->node_reg[x] >= 0)
      continue;
    ims__ins_t *in = &P->ins[P->nins];
    in->op = d->op;
    in->a = d->a >= 0 ? P->node_reg[d->a] : 0;
    in->b = d->b >= 0 ? P->node_reg[d->b] : 0;
    in->c = d->c >= 0 ? P->node_reg[d->c] : 0;
    if (d->op == IMS__D_NDOSE) /* a: the state whose doses it counts */
      in->a = d->k;
    if (L->sidereg[x] >= 0) { /* a relation: c is free for its side */
      in->op |= IMS__D_HELD;
      in->c = L->sidereg[x];
    }
    P->node_reg[x] = P->base + P->nins++;
  }
  free(need);
  for (int i = 0; i < nroots; i++) {
    P->out_reg[i] = P->node_reg[roots[i]];
    P->out_idx[i] = idx ? idx[i] : i;
  }
  P->nout = nroots;
  P->ndst = ndst;
  P->zero_fill = zero_fill;
  return 0;
}

void ims__prog_free(ims__prog_t *P)
{
  free(P->ins);
  free(P->out_reg);
  free(P->out_idx);
  free(P->node_reg);
  memset(P, 0, sizeof *P);
}

void ims__prog_run(const ims__prog_t *P, const ims__layout_t *L, double t, const double *y,
                   const double *p, const double *side, const int *ndose, double *r, double *dst)
{
  r[0] = t;
  memcpy(r + 1, y, (size_t)L->n * sizeof *r);
  memcpy(r + 1 + L->n, p, (size_t)L->np * sizeof *r);
  double *sr = r + 1 + L->n + L->np;
  if (side)
    memcpy(sr, side, (size_t)L->nside * sizeof *r);
  else
    memset(sr, 0, (size_t)L->nside * sizeof *r);
  memcpy(sr + L->nside, L->consts, (size_t)L->nconst * sizeof *r);
  double *d = r + P->base;
  const ims__ins_t *in = P->ins, *end = P->ins + P->nins;
  /* The common operations inline; the rest through the one definition. */
  for (; in < end; in++, d++) {
    switch (in->op) {
    case IMS__D_ADD:
      *d = r[in->a] + r[in->b];
      break;
    case IMS__D_SUB:
      *d = r[in->a] - r[in->b];
      break;
    case IMS__D_MUL:
      *d = r[in->a] * r[in->b];
      break;
    case IMS__D_DIV:
      *d = r[in->a] / r[in->b];
      break;
    case IMS__D_NEG:
      *d = -r[in->a];
      break;
    case IMS__D_SEL:
      *d = r[in->a] != 0 ? r[in->b] : r[in->c];
      break;
    case IMS__D_NDOSE:
      *d = ndose ? (double)ndose[in->a] : 0.0;
      break;
    default:
      if (in->op & IMS__D_HELD) {
        int op = in->op & ~IMS__D_HELD;
        double sd = r[in->c];
        *d = sd != 0 ? ims__held(op, sd) : ims__dop_eval(op, r[in->a], r[in->b], 0);
      } else {
        *d = ims__dop_eval(in->op, r[in->a], r[in->b], r[in->c]);
      }
    }
  }
  if (P->zero_fill)
    memset(dst, 0, (size_t)P->ndst * sizeof *dst);
  for (int i = 0; i < P->nout; i++)
    dst[P->out_idx[i]] = r[P->out_reg[i]];
}
