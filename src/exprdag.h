/* Internal: compiled expressions as one hash-consed DAG of scalar operations
 * (common subexpressions are shared across every equation of a model), with
 * constant folding, exact-arithmetic simplifications and symbolic
 * differentiation. */
#ifndef IMS_EXPRDAG_H
#define IMS_EXPRDAG_H

#include <math.h>
#include <stdint.h>

typedef enum ims__dop {
  IMS__D_CONST, /* v */
  IMS__D_TIME,
  IMS__D_STATE, /* k: state index */
  IMS__D_PARAM, /* k: index into ctx->p */
  IMS__D_ADD,
  IMS__D_SUB,
  IMS__D_MUL,
  IMS__D_DIV,
  IMS__D_NEG,
  IMS__D_POW,
  IMS__D_EXP,
  IMS__D_LN,
  IMS__D_LOG10,
  IMS__D_SQRT,
  IMS__D_ABS,
  IMS__D_SIGN,
  IMS__D_FLOOR,
  IMS__D_CEIL,
  IMS__D_FACT,
  IMS__D_SIN,
  IMS__D_COS,
  IMS__D_TAN,
  IMS__D_ASIN,
  IMS__D_ACOS,
  IMS__D_ATAN,
  IMS__D_SINH,
  IMS__D_COSH,
  IMS__D_TANH,
  IMS__D_ASINH,
  IMS__D_ACOSH,
  IMS__D_ATANH,
  IMS__D_MIN,
  IMS__D_MAX,
  IMS__D_REM,
  IMS__D_QUOT,
  IMS__D_LT,
  IMS__D_LE,
  IMS__D_GT,
  IMS__D_GE,
  IMS__D_EQ,
  IMS__D_NE,
  IMS__D_AND,
  IMS__D_OR,
  IMS__D_XOR,
  IMS__D_NOT,
  IMS__D_SEL, /* a != 0 ? b : c */
  /* k: how many doses state k has had (ctx->ndose[k]); a leaf the evaluator
   * reads, constant between the driver's stops (no IMS__D_DEPY/DEPT) */
  IMS__D_NDOSE,
  IMS__D_NOPS
} ims__dop_t;

#define IMS__D_DEPY 1u /* depends on a state */
#define IMS__D_DEPT 2u /* depends on time */

typedef struct ims__dnode {
  int op;
  int a, b, c; /* operands (node indices), -1 when unused */
  int k;       /* IMS__D_STATE, IMS__D_PARAM */
  double v;    /* IMS__D_CONST */
  unsigned flags;
} ims__dnode_t;

typedef struct ims__dag {
  ims__dnode_t *n;
  int nn, cap;
  int *ht; /* hash-consing table of node indices, -1 empty */
  int htcap;
  int *memo; /* derivative memo: triples (node, var, result), open addressing */
  int memocap, nmemo;
  int nondiff; /* a derivative met an operation without one (factorial of a state) */
  /* Which states each node depends on: nwords 64-bit words per node, so a
   * derivative by a state the node does not contain is 0 without a visit
   * (the Jacobian of a large sparse model stays linear in its size). */
  int nvars, nwords;
  uint64_t *dep;
} ims__dag_t;

/* nvars: the number of states (STATE leaves have k < nvars). */
int ims__dag_init(ims__dag_t *g, int nvars);
void ims__dag_free(ims__dag_t *g);
/* Each returns a node index, or -1 when out of memory (or an operand is -1). */
int ims__dag_const(ims__dag_t *g, double v);
int ims__dag_leaf(ims__dag_t *g, int op, int k);
int ims__dag_mk(ims__dag_t *g, int op, int a, int b, int c);
/* The node with like terms of its sum-of-products expansion combined (exact
 * cancellation), or the node itself when nothing combines or it is large. */
int ims__dag_simplify(ims__dag_t *g, int x);
/* d node / d var, var a state index or -1 for time. */
int ims__dag_diff(ims__dag_t *g, int node, int var);
/* Number of operands of an operation (0..3). */
int ims__dop_arity(int op);
/* Is the operation a relation (LT..NE)? */
int ims__dop_is_rel(int op);
const char *ims__dop_name(int op);

/* The one definition of every operation, used by constant folding, the
 * evaluator and (textually mirrored) the C generator. */
static inline double ims__dop_eval(int op, double x, double y, double z)
{
  switch (op) {
  case IMS__D_ADD:
    return x + y;
  case IMS__D_SUB:
    return x - y;
  case IMS__D_MUL:
    return x * y;
  case IMS__D_DIV:
    return x / y;
  case IMS__D_NEG:
    return -x;
  case IMS__D_POW:
    return pow(x, y);
  case IMS__D_EXP:
    return exp(x);
  case IMS__D_LN:
    return log(x);
  case IMS__D_LOG10:
    return log10(x);
  case IMS__D_SQRT:
    return sqrt(x);
  case IMS__D_ABS:
    return fabs(x);
  case IMS__D_SIGN:
    return (double)((x > 0) - (x < 0));
  case IMS__D_FLOOR:
    return floor(x);
  case IMS__D_CEIL:
    return ceil(x);
  case IMS__D_FACT:
    return tgamma(x + 1);
  case IMS__D_SIN:
    return sin(x);
  case IMS__D_COS:
    return cos(x);
  case IMS__D_TAN:
    return tan(x);
  case IMS__D_ASIN:
    return asin(x);
  case IMS__D_ACOS:
    return acos(x);
  case IMS__D_ATAN:
    return atan(x);
  case IMS__D_SINH:
    return sinh(x);
  case IMS__D_COSH:
    return cosh(x);
  case IMS__D_TANH:
    return tanh(x);
  case IMS__D_ASINH:
    return asinh(x);
  case IMS__D_ACOSH:
    return acosh(x);
  case IMS__D_ATANH:
    return atanh(x);
  case IMS__D_MIN:
    return x <= y ? x : y;
  case IMS__D_MAX:
    return x >= y ? x : y;
  case IMS__D_REM:
    return fmod(x, y);
  case IMS__D_QUOT:
    return trunc(x / y);
  case IMS__D_LT:
    return x < y;
  case IMS__D_LE:
    return x <= y;
  case IMS__D_GT:
    return x > y;
  case IMS__D_GE:
    return x >= y;
  case IMS__D_EQ:
    return x == y;
  case IMS__D_NE:
    return x != y;
  case IMS__D_AND:
    return x != 0 && y != 0;
  case IMS__D_OR:
    return x != 0 || y != 0;
  case IMS__D_XOR:
    return (x != 0) != (y != 0);
  case IMS__D_NOT:
    return x == 0;
  case IMS__D_SEL:
    return x != 0 ? y : z;
  default:
    return NAN;
  }
}

#endif
