/* Internal: the evaluator.  A program is the straight-line list of the DAG
 * nodes some roots need, in dependency order; it runs over a register file in
 * caller-owned scratch (ctx->work):
 *   r[0] = t, r[1..n] = y, r[1+n..n+np] = p, then the held sides of the
 *   switches (ctx->swside, 0 when not given), then the constants, then one
 *   register per instruction.
 * There are no jumps, calls or memory accesses outside that file, so a model
 * can compute nothing but arithmetic on its own values. */
#ifndef IMS_EXPRVM_H
#define IMS_EXPRVM_H

#include "exprdag.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ims__layout {
  int n, np;      /* states, parameter values */
  int nside;      /* switches: one register each for the side the driver holds */
  int nconst;     /* constants, one per IMS__D_CONST node */
  double *consts; /* owned */
  int *creg;      /* per DAG node: its constant register, or -1 (owned) */
  int *sidereg;   /* per DAG node: a held relation's side register, or -1 (owned) */
} ims__layout_t;

/* An instruction flag: a relation that flips where a switching function does
 * (its operand c is the switch's side register).  With a side given (+1 or
 * -1) its value is the one on that side, so between the driver's stops at
 * the switch the RHS keeps its branch and stays smooth; with 0 it compares. */
#define IMS__D_HELD 0x10000

/* The value of relation op on side s (the sign of a - b) of its switch. */
static inline double ims__held(int op, double s)
{
  switch (op) {
  case IMS__D_LT:
  case IMS__D_LE:
    return s < 0;
  case IMS__D_GT:
  case IMS__D_GE:
    return s > 0;
  case IMS__D_EQ:
    return 0;
  default: /* IMS__D_NE */
    return 1;
  }
}

typedef struct ims__ins {
  int32_t op, a, b, c; /* operand registers; the result goes to the next temporary */
} ims__ins_t;

typedef struct ims__prog {
  ims__ins_t *ins;
  int nins;
  int base; /* first temporary register */
  int nout;
  int *out_reg, *out_idx; /* dst[out_idx[i]] = r[out_reg[i]] */
  int ndst;               /* dst is cleared to 0 first when zero_fill */
  int zero_fill;
  int *node_reg; /* per DAG node: its register in this program, or -1 (owned) */
} ims__prog_t;

int ims__layout_init(ims__layout_t *L, const ims__dag_t *g, int n, int np, int nside);
/* Relation node x (a < b, ...) flips where switch k (a - b) changes sign. */
void ims__layout_hold(ims__layout_t *L, int x, int k);
void ims__layout_free(ims__layout_t *L);
/* A program for roots[i] -> dst[idx[i]] (idx NULL: i). */
int ims__prog_build(ims__prog_t *P, const ims__dag_t *g, const ims__layout_t *L, const int *roots,
                    const int *idx, int nroots, int ndst, int zero_fill);
void ims__prog_free(ims__prog_t *P);
/* Registers the program needs (the scratch size). */
static inline size_t ims__prog_nreg(const ims__prog_t *P)
{
  return (size_t)P->base + (size_t)P->nins;
}
/* side: L->nside held sides (ctx->swside), or NULL: every relation compares.
 * ndose: doses per state (ctx->ndose), or NULL: none yet. */
void ims__prog_run(const ims__prog_t *P, const ims__layout_t *L, double t, const double *y,
                   const double *p, const double *side, const int *ndose, double *r, double *dst);

#endif
