/* The expression IR: construction, printing, and conversion from libsbml's
 * ASTNode (the L3 infix parser for model files, MathML for SBML). */
#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <sbml/SBMLTypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names as written in the model-file syntax; arity -1 = one or more. */
/* clang-format off */
static const struct opinfo { const char *name; int arity; } ops[IMS_X_NOPS] = {
    [IMS_X_NUM] = {"", 0}, [IMS_X_BOOL] = {"", 0}, [IMS_X_NAME] = {"", 0},
    [IMS_X_TIME] = {"t", 0}, [IMS_X_AVOGADRO] = {"avogadro", 0},
    [IMS_X_ADD] = {"+", -1}, [IMS_X_SUB] = {"-", 2}, [IMS_X_MUL] = {"*", -1},
    [IMS_X_DIV] = {"/", 2}, [IMS_X_NEG] = {"-", 1}, [IMS_X_POW] = {"^", 2},
    [IMS_X_EXP] = {"exp", 1}, [IMS_X_LN] = {"log", 1}, [IMS_X_LOG10] = {"log10", 1},
    [IMS_X_SQRT] = {"sqrt", 1}, [IMS_X_ABS] = {"abs", 1}, [IMS_X_FLOOR] = {"floor", 1},
    [IMS_X_CEIL] = {"ceil", 1}, [IMS_X_FACTORIAL] = {"factorial", 1},
    [IMS_X_SIN] = {"sin", 1}, [IMS_X_COS] = {"cos", 1}, [IMS_X_TAN] = {"tan", 1},
    [IMS_X_SEC] = {"sec", 1}, [IMS_X_CSC] = {"csc", 1}, [IMS_X_COT] = {"cot", 1},
    [IMS_X_ASIN] = {"asin", 1}, [IMS_X_ACOS] = {"acos", 1}, [IMS_X_ATAN] = {"atan", 1},
    [IMS_X_ASEC] = {"asec", 1}, [IMS_X_ACSC] = {"acsc", 1}, [IMS_X_ACOT] = {"acot", 1},
    [IMS_X_SINH] = {"sinh", 1}, [IMS_X_COSH] = {"cosh", 1}, [IMS_X_TANH] = {"tanh", 1},
    [IMS_X_SECH] = {"sech", 1}, [IMS_X_CSCH] = {"csch", 1}, [IMS_X_COTH] = {"coth", 1},
    [IMS_X_ASINH] = {"asinh", 1}, [IMS_X_ACOSH] = {"acosh", 1}, [IMS_X_ATANH] = {"atanh", 1},
    [IMS_X_ASECH] = {"asech", 1}, [IMS_X_ACSCH] = {"acsch", 1}, [IMS_X_ACOTH] = {"acoth", 1},
    [IMS_X_LOG] = {"log", 2}, [IMS_X_ROOT] = {"root", 2}, [IMS_X_REM] = {"rem", 2},
    [IMS_X_QUOT] = {"quotient", 2}, [IMS_X_MIN] = {"min", -1}, [IMS_X_MAX] = {"max", -1},
    [IMS_X_LT] = {"<", 2}, [IMS_X_LE] = {"<=", 2}, [IMS_X_GT] = {">", 2}, [IMS_X_GE] = {">=", 2},
    [IMS_X_EQ] = {"==", 2}, [IMS_X_NE] = {"!=", 2}, [IMS_X_AND] = {"&&", -1},
    [IMS_X_OR] = {"||", -1}, [IMS_X_XOR] = {"xor", -1}, [IMS_X_NOT] = {"!", 1},
    [IMS_X_IMPLIES] = {"implies", 2}, [IMS_X_PIECEWISE] = {"piecewise", -1},
    [IMS_X_CALL] = {"", -1}, [IMS_X_RATEOF] = {"rateOf", 1}, [IMS_X_DELAY] = {"delay", 2},
    [IMS_X_DOSES] = {"doses", 1},
};
/* clang-format on */

const char *ims__xop_name(ims_xop_t op)
{
  return op < IMS_X_NOPS ? ops[op].name : "?";
}

static ims_expr_t *node(ims_xop_t op)
{
  ims_expr_t *e = calloc(1, sizeof *e);
  if (e)
    e->op = op;
  return e;
}

ims_expr_t *ims_expr_num(double v, const char *unit)
{
  ims_expr_t *e = node(IMS_X_NUM);
  if (!e)
    return NULL;
  e->num = v;
  if (unit && *unit && !(e->unit = strdup(unit))) {
    free(e);
    return NULL;
  }
  return e;
}

ims_expr_t *ims_expr_name(const char *name)
{
  ims_expr_t *e = node(IMS_X_NAME);
  if (e && !(e->name = strdup(name))) {
    free(e);
    return NULL;
  }
  return e;
}

ims_expr_t *ims_expr_op(ims_xop_t op, int n, ims_expr_t **args)
{
  ims_expr_t *e = node(op);
  if (e && n > 0 && !(e->a = malloc((size_t)n * sizeof *e->a))) {
    free(e);
    e = NULL;
  }
  for (int i = 0; i < n; i++)
    if (!args[i]) { /* a failed sub-allocation propagates */
      for (int j = 0; j < n; j++)
        ims_expr_free(args[j]);
      if (e)
        free(e->a);
      free(e);
      return NULL;
    }
  if (!e) {
    for (int j = 0; j < n; j++)
      ims_expr_free(args[j]);
    return NULL;
  }
  e->n = n;
  if (n > 0)
    memcpy(e->a, args, (size_t)n * sizeof *args);
  return e;
}

ims_expr_t *ims_expr_op1(ims_xop_t op, ims_expr_t *a)
{
  return ims_expr_op(op, 1, &a);
}

ims_expr_t *ims_expr_op2(ims_xop_t op, ims_expr_t *a, ims_expr_t *b)
{
  ims_expr_t *args[2] = {a, b};
  return ims_expr_op(op, 2, args);
}

ims_expr_t *ims_expr_call(const char *name, int n, ims_expr_t **args)
{
  ims_expr_t *e = ims_expr_op(IMS_X_CALL, n, args);
  if (e && !(e->name = strdup(name))) {
    ims_expr_free(e);
    return NULL;
  }
  return e;
}

void ims_expr_free(ims_expr_t *e)
{
  if (!e)
    return;
  for (int i = 0; i < e->n; i++)
    ims_expr_free(e->a[i]);
  free(e->a);
  free(e->name);
  free(e->unit);
  free(e);
}

ims_expr_t *ims_expr_copy(const ims_expr_t *e)
{
  if (!e)
    return NULL;
  ims_expr_t *c = node(e->op);
  if (!c)
    return NULL;
  c->num = e->num;
  c->col = e->col;
  c->n = e->n;
  int bad = (e->name && !(c->name = strdup(e->name))) || (e->unit && !(c->unit = strdup(e->unit)));
  if (!bad && e->n > 0 && !(c->a = calloc((size_t)e->n, sizeof *c->a)))
    bad = 1;
  for (int i = 0; !bad && i < e->n; i++)
    bad = !(c->a[i] = ims_expr_copy(e->a[i]));
  if (bad) {
    if (!c->a)
      c->n = 0;
    ims_expr_free(c);
    return NULL;
  }
  return c;
}

/* ---- printing ---------------------------------------------------------- */

typedef struct pbuf {
  char *s;
  size_t n, len;
} pbuf_t;

static void put(pbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(pbuf_t *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  size_t room = b->len < b->n ? b->n - b->len : 0;
  int k = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap);
  va_end(ap);
  if (k > 0)
    b->len += (size_t)k;
}

/* Binding strength: larger binds tighter. */
static int prec(const ims_expr_t *e)
{
  switch (e->op) {
  case IMS_X_OR:
    return 1;
  case IMS_X_AND:
    return 2;
  case IMS_X_LT:
  case IMS_X_LE:
  case IMS_X_GT:
  case IMS_X_GE:
  case IMS_X_EQ:
  case IMS_X_NE:
    return 3;
  case IMS_X_ADD:
  case IMS_X_SUB:
    return 4;
  case IMS_X_MUL:
  case IMS_X_DIV:
    return 5;
  case IMS_X_NEG:
  case IMS_X_NOT:
    return 6;
  case IMS_X_POW:
    return 7;
  case IMS_X_NUM:
    return e->num < 0 || e->unit ? 5 : 9;
  default:
    return 9;
  }
}

static void pr(pbuf_t *b, const ims_expr_t *e);

static void pr_arg(pbuf_t *b, const ims_expr_t *e, int min)
{
  if (prec(e) < min) {
    put(b, "(");
    pr(b, e);
    put(b, ")");
  } else
    pr(b, e);
}

static void pr(pbuf_t *b, const ims_expr_t *e)
{
  int p = prec(e);
  switch (e->op) {
  case IMS_X_NUM:
    put(b, "%.17g", e->num);
    if (e->unit)
      put(b, " %s", e->unit);
    return;
  case IMS_X_BOOL:
    put(b, "%s", e->num != 0 ? "true" : "false");
    return;
  case IMS_X_NAME:
    put(b, "%s", e->name);
    return;
  case IMS_X_TIME:
  case IMS_X_AVOGADRO:
    put(b, "%s", ops[e->op].name);
    return;
  case IMS_X_NEG:
  case IMS_X_NOT:
    put(b, "%s", ops[e->op].name);
    pr_arg(b, e->a[0], p + (e->op == IMS_X_NEG));
    return;
  case IMS_X_ADD:
  case IMS_X_MUL:
  case IMS_X_SUB:
  case IMS_X_DIV:
  case IMS_X_POW:
  case IMS_X_AND:
  case IMS_X_OR:
  case IMS_X_LT:
  case IMS_X_LE:
  case IMS_X_GT:
  case IMS_X_GE:
  case IMS_X_EQ:
  case IMS_X_NE:
    for (int i = 0; i < e->n; i++) {
      if (i)
        put(b, e->op == IMS_X_MUL || e->op == IMS_X_DIV || e->op == IMS_X_POW ? "%s" : " %s ",
            ops[e->op].name);
      /* Left-associative, and printed so that parsing gives the same tree (in
       * floating point a*(b/c) is not a*b/c): every right operand of the same
       * strength is parenthesised; ^ is right-associative, so its left one is. */
      int min = p;
      if ((i > 0 && e->op != IMS_X_POW) || (i == 0 && e->op == IMS_X_POW) || p == 3)
        min = p + 1;
      pr_arg(b, e->a[i], min);
    }
    return;
  default:
    put(b, "%s(", e->op == IMS_X_CALL ? e->name : ops[e->op].name);
    for (int i = 0; i < e->n; i++) {
      if (i)
        put(b, ", ");
      pr(b, e->a[i]);
    }
    put(b, ")");
  }
}

int ims_expr_print(const ims_expr_t *e, char *buf, size_t n)
{
  pbuf_t b = {buf, n, 0};
  if (n)
    buf[0] = '\0';
  if (e)
    pr(&b, e);
  if (n && b.len >= n && n > 4) /* mark truncation */
    memcpy(buf + n - 4, "...", 4);
  return (int)b.len;
}

/* ---- from libsbml's AST ------------------------------------------------- */

typedef struct conv {
  const char *(*unit_of)(void *, const char *);
  void *ud;
  ims_err_t *err;
  /* The model-file syntax: built-in names are lower case only (libsbml's
   * parser reads pi, Pi and PI alike), so a parameter can be called pI. */
  int case_sensitive;
} conv_t;

static ims_expr_t *conv(conv_t *c, const ASTNode_t *a);

static ims_expr_t *conv_args(conv_t *c, ims_xop_t op, const ASTNode_t *a, unsigned from)
{
  unsigned n = ASTNode_getNumChildren(a);
  ims_expr_t *stack[8], **args = n - from <= 8 ? stack : malloc((n - from) * sizeof *args);
  if (!args)
    return NULL;
  for (unsigned i = from; i < n; i++)
    args[i - from] = conv(c, ASTNode_getChild(a, i));
  ims_expr_t *e = ims_expr_op(op, (int)(n - from), args);
  if (args != stack)
    free(args);
  return e;
}

static ims_expr_t *fail(conv_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ims_expr_t *fail(conv_t *c, const char *fmt, ...)
{
  if (c->err && c->err->code == IMS_OK) {
    va_list ap;
    va_start(ap, fmt);
    ims_err_vset(c->err, IMS_EINPUT, fmt, ap);
    va_end(ap);
  }
  return NULL;
}

static double number(const ASTNode_t *a)
{
  switch (ASTNode_getType(a)) {
  case AST_INTEGER:
    return (double)ASTNode_getInteger(a);
  case AST_RATIONAL:
    return (double)ASTNode_getNumerator(a) / (double)ASTNode_getDenominator(a);
  default:
    return ASTNode_getReal(a);
  }
}

/* a < b < c is (a < b) && (b < c); one argument is true (MathML). */
static ims_expr_t *relation(conv_t *c, ims_xop_t op, const ASTNode_t *a)
{
  unsigned n = ASTNode_getNumChildren(a);
  if (n == 0)
    return fail(c, "a relation needs two arguments");
  if (n == 1) {
    ims_expr_t *t = ims_expr_num(1, NULL);
    if (t)
      t->op = IMS_X_BOOL;
    return t;
  }
  if (n == 2)
    return conv_args(c, op, a, 0);
  ims_expr_t *pairs[64];
  if (n - 1 > 64)
    return fail(c, "a chain of more than 64 relations");
  for (unsigned i = 0; i + 1 < n; i++)
    pairs[i] =
        ims_expr_op2(op, conv(c, ASTNode_getChild(a, i)), conv(c, ASTNode_getChild(a, i + 1)));
  return ims_expr_op(IMS_X_AND, (int)n - 1, pairs);
}

static ims_xop_t simple_op(ASTNodeType_t t)
{
  switch (t) {
  case AST_FUNCTION_ABS:
    return IMS_X_ABS;
  case AST_FUNCTION_ARCCOS:
    return IMS_X_ACOS;
  case AST_FUNCTION_ARCCOSH:
    return IMS_X_ACOSH;
  case AST_FUNCTION_ARCCOT:
    return IMS_X_ACOT;
  case AST_FUNCTION_ARCCOTH:
    return IMS_X_ACOTH;
  case AST_FUNCTION_ARCCSC:
    return IMS_X_ACSC;
  case AST_FUNCTION_ARCCSCH:
    return IMS_X_ACSCH;
  case AST_FUNCTION_ARCSEC:
    return IMS_X_ASEC;
  case AST_FUNCTION_ARCSECH:
    return IMS_X_ASECH;
  case AST_FUNCTION_ARCSIN:
    return IMS_X_ASIN;
  case AST_FUNCTION_ARCSINH:
    return IMS_X_ASINH;
  case AST_FUNCTION_ARCTAN:
    return IMS_X_ATAN;
  case AST_FUNCTION_ARCTANH:
    return IMS_X_ATANH;
  case AST_FUNCTION_CEILING:
    return IMS_X_CEIL;
  case AST_FUNCTION_COS:
    return IMS_X_COS;
  case AST_FUNCTION_COSH:
    return IMS_X_COSH;
  case AST_FUNCTION_COT:
    return IMS_X_COT;
  case AST_FUNCTION_COTH:
    return IMS_X_COTH;
  case AST_FUNCTION_CSC:
    return IMS_X_CSC;
  case AST_FUNCTION_CSCH:
    return IMS_X_CSCH;
  case AST_FUNCTION_EXP:
    return IMS_X_EXP;
  case AST_FUNCTION_FACTORIAL:
    return IMS_X_FACTORIAL;
  case AST_FUNCTION_FLOOR:
    return IMS_X_FLOOR;
  case AST_FUNCTION_LN:
    return IMS_X_LN;
  case AST_FUNCTION_SEC:
    return IMS_X_SEC;
  case AST_FUNCTION_SECH:
    return IMS_X_SECH;
  case AST_FUNCTION_SIN:
    return IMS_X_SIN;
  case AST_FUNCTION_SINH:
    return IMS_X_SINH;
  case AST_FUNCTION_TAN:
    return IMS_X_TAN;
  case AST_FUNCTION_TANH:
    return IMS_X_TANH;
  case AST_LOGICAL_NOT:
    return IMS_X_NOT;
  case AST_DIVIDE:
    return IMS_X_DIV;
  case AST_POWER:
  case AST_FUNCTION_POWER:
    return IMS_X_POW;
  case AST_FUNCTION_QUOTIENT:
    return IMS_X_QUOT;
  case AST_FUNCTION_REM:
    return IMS_X_REM;
  case AST_LOGICAL_IMPLIES:
    return IMS_X_IMPLIES;
  case AST_FUNCTION_DELAY:
    return IMS_X_DELAY;
  case AST_FUNCTION_RATE_OF:
    return IMS_X_RATEOF;
  default:
    return IMS_X_NOPS;
  }
}

static ims_expr_t *variadic(conv_t *c, ims_xop_t op, const ASTNode_t *a, double empty, int boolean)
{
  unsigned n = ASTNode_getNumChildren(a);
  if (n == 0) {
    ims_expr_t *e = ims_expr_num(empty, NULL);
    if (e && boolean)
      e->op = IMS_X_BOOL;
    return e;
  }
  if (n == 1 && !boolean && op != IMS_X_MIN && op != IMS_X_MAX)
    return conv(c, ASTNode_getChild(a, 0));
  return conv_args(c, op, a, 0);
}

/* A name with an upper-case letter the parser took for a constant or a
 * built-in function: a name or a call of the model's own (case_sensitive). */
static ims_expr_t *as_written(conv_t *c, const ASTNode_t *a, const char *name)
{
  ASTNodeType_t t = ASTNode_getType(a);
  if (t == AST_NAME || t == AST_FUNCTION || !name || !strcmp(name, "rateOf"))
    return NULL; /* rateOf is the one built-in spelled with a capital */
  int upper = 0;
  for (const char *s = name; *s; s++)
    upper |= isupper((unsigned char)*s);
  if (!upper)
    return NULL;
  if (ASTNode_getNumChildren(a) == 0 && !ASTNode_isFunction(a))
    return ims_expr_name(name);
  ims_expr_t *e = conv_args(c, IMS_X_CALL, a, 0);
  if (e && !(e->name = strdup(name))) {
    ims_expr_free(e);
    return NULL;
  }
  return e;
}

static ims_expr_t *conv(conv_t *c, const ASTNode_t *a)
{
  if (!a)
    return fail(c, "empty expression");
  ASTNodeType_t t = ASTNode_getType(a);
  unsigned n = ASTNode_getNumChildren(a);
  const char *name = ASTNode_getName(a);
  ims_expr_t *w = c->case_sensitive ? as_written(c, a, name) : NULL;
  if (w)
    return w;
  switch (t) {
  case AST_INTEGER:
  case AST_REAL:
  case AST_REAL_E:
  case AST_RATIONAL: {
    char *own = ASTNode_isSetUnits(a) ? ASTNode_getUnits(a) : NULL; /* the caller frees it */
    const char *u = own;
    if (u && c->unit_of)
      u = c->unit_of(c->ud, u);
    ims_expr_t *e = ims_expr_num(number(a), u);
    free(own);
    return e;
  }
  case AST_NAME:
    return ims_expr_name(name ? name : "");
  case AST_NAME_TIME:
    return node(IMS_X_TIME);
  case AST_NAME_AVOGADRO:
    return node(IMS_X_AVOGADRO);
  case AST_CONSTANT_E:
    return ims_expr_num(M_E, NULL);
  case AST_CONSTANT_PI:
    return ims_expr_num(M_PI, NULL);
  case AST_CONSTANT_TRUE:
  case AST_CONSTANT_FALSE: {
    ims_expr_t *e = ims_expr_num(t == AST_CONSTANT_TRUE, NULL);
    if (e)
      e->op = IMS_X_BOOL;
    return e;
  }
  case AST_PLUS:
    return variadic(c, IMS_X_ADD, a, 0, 0);
  case AST_TIMES:
    return variadic(c, IMS_X_MUL, a, 1, 0);
  case AST_LOGICAL_AND:
    return variadic(c, IMS_X_AND, a, 1, 1);
  case AST_LOGICAL_OR:
    return variadic(c, IMS_X_OR, a, 0, 1);
  case AST_LOGICAL_XOR:
    return variadic(c, IMS_X_XOR, a, 0, 1);
  case AST_FUNCTION_MIN:
    return n ? variadic(c, IMS_X_MIN, a, 0, 0) : fail(c, "min() needs an argument");
  case AST_FUNCTION_MAX:
    return n ? variadic(c, IMS_X_MAX, a, 0, 0) : fail(c, "max() needs an argument");
  case AST_MINUS:
    if (n == 1)
      return conv_args(c, IMS_X_NEG, a, 0);
    if (n == 2)
      return conv_args(c, IMS_X_SUB, a, 0);
    return fail(c, "minus takes one or two arguments, not %u", n);
  case AST_FUNCTION_LOG:
    if (n == 1)
      return conv_args(c, IMS_X_LOG10, a, 0);
    if (n == 2) {
      const ASTNode_t *b = ASTNode_getChild(a, 0);
      if (ASTNode_isNumber(b) && number(b) == 10)
        return conv_args(c, IMS_X_LOG10, a, 1);
      return conv_args(c, IMS_X_LOG, a, 0);
    }
    return fail(c, "log takes one or two arguments, not %u", n);
  case AST_FUNCTION_ROOT:
    if (n == 1)
      return conv_args(c, IMS_X_SQRT, a, 0);
    if (n == 2) {
      const ASTNode_t *b = ASTNode_getChild(a, 0);
      if (ASTNode_isNumber(b) && number(b) == 2)
        return conv_args(c, IMS_X_SQRT, a, 1);
      return conv_args(c, IMS_X_ROOT, a, 0);
    }
    return fail(c, "root takes one or two arguments, not %u", n);
  case AST_FUNCTION_PIECEWISE:
    if (n == 0)
      return fail(c, "piecewise() needs at least one argument");
    return conv_args(c, IMS_X_PIECEWISE, a, 0);
  case AST_RELATIONAL_EQ:
    return relation(c, IMS_X_EQ, a);
  case AST_RELATIONAL_NEQ:
    return relation(c, IMS_X_NE, a);
  case AST_RELATIONAL_LT:
    return relation(c, IMS_X_LT, a);
  case AST_RELATIONAL_LEQ:
    return relation(c, IMS_X_LE, a);
  case AST_RELATIONAL_GT:
    return relation(c, IMS_X_GT, a);
  case AST_RELATIONAL_GEQ:
    return relation(c, IMS_X_GE, a);
  case AST_FUNCTION: {
    ims_expr_t *e = conv_args(c, IMS_X_CALL, a, 0);
    if (e && !(e->name = strdup(name ? name : ""))) {
      ims_expr_free(e);
      return NULL;
    }
    return e;
  }
  default:
    break;
  }
  ims_xop_t op = simple_op(t);
  if (op == IMS_X_NOPS) {
    return fail(c, "unsupported: %s", name && *name ? name : "MathML element");
  }
  int want = ops[op].arity;
  if ((int)n != want)
    return fail(c, "%s() takes %d argument%s, not %u", ops[op].name, want, want == 1 ? "" : "s", n);
  return conv_args(c, op, a, 0);
}

static int from_ast(const ASTNode_t *ast, const char *(*unit_of)(void *, const char *), void *ud,
                    int case_sensitive, ims_expr_t **out, ims_err_t *err)
{
  ims_err_t local = {0};
  conv_t c = {unit_of, ud, &local, case_sensitive};
  *out = conv(&c, (const ASTNode_t *)ast);
  if (*out)
    return IMS_OK;
  if (local.code == IMS_OK)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  return ims_err_set(err, local.code, "%s", local.msg);
}

int ims_expr_from_ast(const struct ASTNode *ast, const char *(*unit_of)(void *, const char *),
                      void *ud, ims_expr_t **out, ims_err_t *err)
{
  return from_ast((const ASTNode_t *)ast, unit_of, ud, 0, out, err);
}

/* ---- the model-file syntax ---------------------------------------------- */

static int ident_start(int ch)
{
  return isalpha(ch) || ch == '_';
}

static int ident_char(int ch)
{
  return isalnum(ch) || ch == '_';
}

/* The words and/or/not become &&, ||, ! in place, padded with blanks so
 * columns in libsbml's messages stay those of the text as written. */
static void words_to_ops(char *s)
{
  size_t i = 0, n = strlen(s);
  while (i < n) {
    unsigned char ch = (unsigned char)s[i];
    if (isdigit(ch) || (ch == '.' && isdigit((unsigned char)s[i + 1]))) {
      while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '.' ||
                       ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E'))))
        i++;
      continue;
    }
    if (!ident_start(ch)) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < n && ident_char((unsigned char)s[j]))
      j++;
    size_t k = j;
    while (k < n && isspace((unsigned char)s[k]))
      k++;
    int call = k < n && s[k] == '(';
    if (!call && j - i == 3 && !strncmp(s + i, "and", 3))
      memcpy(s + i, "&& ", 3);
    else if (!call && j - i == 2 && !strncmp(s + i, "or", 2))
      memcpy(s + i, "||", 2);
    else if (!call && j - i == 3 && !strncmp(s + i, "not", 3))
      memcpy(s + i, "!  ", 3);
    i = j;
  }
}

/* t is time; ifelse(c, a, b) is piecewise(a, c, b); doses(X) counts doses. */
static int post(ims_expr_t *e, ims_err_t *err)
{
  for (int i = 0; i < e->n; i++)
    if (post(e->a[i], err))
      return IMS_EINPUT;
  if (e->op == IMS_X_NAME && strcmp(e->name, "t") == 0) {
    free(e->name);
    e->name = NULL;
    e->op = IMS_X_TIME;
  } else if (e->op == IMS_X_CALL && strcmp(e->name, "ifelse") == 0) {
    if (e->n != 3)
      return ims_err_set(err, IMS_EINPUT,
                         "1: ifelse(condition, yes, no) takes 3 arguments, not %d;", e->n);
    ims_expr_t *c = e->a[0];
    e->a[0] = e->a[1];
    e->a[1] = c;
    free(e->name);
    e->name = NULL;
    e->op = IMS_X_PIECEWISE;
  } else if (e->op == IMS_X_CALL && strcmp(e->name, "doses") == 0) {
    if (e->n != 1 || e->a[0]->op != IMS_X_NAME)
      return ims_err_set(err, IMS_EINPUT, "1: doses(STATE) takes the name of a state;");
    free(e->name);
    e->name = NULL;
    e->op = IMS_X_DOSES;
  }
  return IMS_OK;
}

int ims_expr_parse(const char *text, ims_expr_t **out, ims_err_t *err)
{
  *out = NULL;
  char *s = strdup(text);
  L3ParserSettings_t *set = L3ParserSettings_create();
  if (!s || !set) {
    free(s);
    L3ParserSettings_free(set);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  words_to_ops(s);
  L3ParserSettings_setParseLog(set, L3P_PARSE_LOG_AS_LN);
  L3ParserSettings_setParseUnits(set, 1);
  ASTNode_t *a = SBML_parseL3FormulaWithSettings(s, set);
  L3ParserSettings_free(set);
  free(s);
  if (!a) {
    char *m = SBML_getLastParseL3Error();
    const char *msg = m ? m : "syntax error";
    long col = 1;
    const char *at = strstr(msg, " at position ");
    if (at) {
      col = strtol(at + 13, NULL, 10);
      const char *c = strchr(at, ':');
      msg = c ? c + 1 : msg;
    }
    while (*msg == ' ')
      msg++;
    char clean[256];
    snprintf(clean, sizeof clean, "%s", msg);
    size_t l = strlen(clean);
    while (l && (clean[l - 1] == '\n' || clean[l - 1] == ' ' || clean[l - 1] == '.'))
      clean[--l] = '\0';
    int rc = ims_err_set(err, IMS_EINPUT, "%ld: %s", col < 1 ? 1 : col, clean);
    free(m);
    return rc;
  }
  ims_err_t e2 = {0};
  int rc = from_ast(a, NULL, NULL, 1, out, &e2);
  ASTNode_free(a);
  if (rc)
    return ims_err_set(err, rc, "1: %s", e2.msg);
  if (post(*out, err)) {
    ims_expr_free(*out);
    *out = NULL;
    return IMS_EINPUT;
  }
  return IMS_OK;
}
