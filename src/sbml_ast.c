/* Expressions of the model description as libsbml MathML trees, for the
 * SBML export (sbml_export.h): the inverse of ims_expr_from_ast.  log10 and
 * sqrt become log and root with their base and degree; time and avogadro
 * the csymbols; rateOf and delay their csymbols too. */
#include "sbml_export.h"

static ASTNode_t *mk(ASTNodeType_t t)
{
  return ASTNode_createWithType(t);
}

static ASTNodeType_t ast_type(ims_xop_t op)
{
  switch (op) {
  case IMS_X_ADD:
    return AST_PLUS;
  case IMS_X_SUB:
  case IMS_X_NEG:
    return AST_MINUS;
  case IMS_X_MUL:
    return AST_TIMES;
  case IMS_X_DIV:
    return AST_DIVIDE;
  case IMS_X_POW:
    return AST_POWER;
  case IMS_X_EXP:
    return AST_FUNCTION_EXP;
  case IMS_X_LN:
    return AST_FUNCTION_LN;
  case IMS_X_LOG10:
  case IMS_X_LOG:
    return AST_FUNCTION_LOG;
  case IMS_X_SQRT:
  case IMS_X_ROOT:
    return AST_FUNCTION_ROOT;
  case IMS_X_ABS:
    return AST_FUNCTION_ABS;
  case IMS_X_FLOOR:
    return AST_FUNCTION_FLOOR;
  case IMS_X_CEIL:
    return AST_FUNCTION_CEILING;
  case IMS_X_FACTORIAL:
    return AST_FUNCTION_FACTORIAL;
  case IMS_X_SIN:
    return AST_FUNCTION_SIN;
  case IMS_X_COS:
    return AST_FUNCTION_COS;
  case IMS_X_TAN:
    return AST_FUNCTION_TAN;
  case IMS_X_SEC:
    return AST_FUNCTION_SEC;
  case IMS_X_CSC:
    return AST_FUNCTION_CSC;
  case IMS_X_COT:
    return AST_FUNCTION_COT;
  case IMS_X_ASIN:
    return AST_FUNCTION_ARCSIN;
  case IMS_X_ACOS:
    return AST_FUNCTION_ARCCOS;
  case IMS_X_ATAN:
    return AST_FUNCTION_ARCTAN;
  case IMS_X_ASEC:
    return AST_FUNCTION_ARCSEC;
  case IMS_X_ACSC:
    return AST_FUNCTION_ARCCSC;
  case IMS_X_ACOT:
    return AST_FUNCTION_ARCCOT;
  case IMS_X_SINH:
    return AST_FUNCTION_SINH;
  case IMS_X_COSH:
    return AST_FUNCTION_COSH;
  case IMS_X_TANH:
    return AST_FUNCTION_TANH;
  case IMS_X_SECH:
    return AST_FUNCTION_SECH;
  case IMS_X_CSCH:
    return AST_FUNCTION_CSCH;
  case IMS_X_COTH:
    return AST_FUNCTION_COTH;
  case IMS_X_ASINH:
    return AST_FUNCTION_ARCSINH;
  case IMS_X_ACOSH:
    return AST_FUNCTION_ARCCOSH;
  case IMS_X_ATANH:
    return AST_FUNCTION_ARCTANH;
  case IMS_X_ASECH:
    return AST_FUNCTION_ARCSECH;
  case IMS_X_ACSCH:
    return AST_FUNCTION_ARCCSCH;
  case IMS_X_ACOTH:
    return AST_FUNCTION_ARCCOTH;
  case IMS_X_REM:
    return AST_FUNCTION_REM;
  case IMS_X_QUOT:
    return AST_FUNCTION_QUOTIENT;
  case IMS_X_MIN:
    return AST_FUNCTION_MIN;
  case IMS_X_MAX:
    return AST_FUNCTION_MAX;
  case IMS_X_LT:
    return AST_RELATIONAL_LT;
  case IMS_X_LE:
    return AST_RELATIONAL_LEQ;
  case IMS_X_GT:
    return AST_RELATIONAL_GT;
  case IMS_X_GE:
    return AST_RELATIONAL_GEQ;
  case IMS_X_EQ:
    return AST_RELATIONAL_EQ;
  case IMS_X_NE:
    return AST_RELATIONAL_NEQ;
  case IMS_X_AND:
    return AST_LOGICAL_AND;
  case IMS_X_OR:
    return AST_LOGICAL_OR;
  case IMS_X_XOR:
    return AST_LOGICAL_XOR;
  case IMS_X_NOT:
    return AST_LOGICAL_NOT;
  case IMS_X_IMPLIES:
    return AST_LOGICAL_IMPLIES;
  case IMS_X_PIECEWISE:
    return AST_FUNCTION_PIECEWISE;
  case IMS_X_CALL:
    return AST_FUNCTION;
  case IMS_X_RATEOF:
    return AST_FUNCTION_RATE_OF;
  case IMS_X_DELAY:
    return AST_FUNCTION_DELAY;
  default:
    return AST_UNKNOWN;
  }
}

static ASTNode_t *number(double v)
{
  ASTNode_t *a = mk(AST_REAL);
  if (a)
    ASTNode_setReal(a, v);
  return a;
}

/* The MathML tree of e; NULL when out of memory or e has no SBML form. */
ASTNode_t *ims__expr_to_ast(const ims_expr_t *e)
{
  if (!e)
    return NULL;
  ASTNode_t *a = NULL;
  switch (e->op) {
  case IMS_X_NUM:
    return number(e->num);
  case IMS_X_BOOL:
    return mk(e->num != 0 ? AST_CONSTANT_TRUE : AST_CONSTANT_FALSE);
  case IMS_X_NAME:
    a = mk(AST_NAME);
    if (a)
      ASTNode_setName(a, e->name);
    return a;
  case IMS_X_TIME:
    a = mk(AST_NAME_TIME);
    if (a)
      ASTNode_setName(a, "time");
    return a;
  case IMS_X_AVOGADRO:
    a = mk(AST_NAME_AVOGADRO);
    if (a)
      ASTNode_setName(a, "avogadro");
    return a;
  default:
    break;
  }
  ASTNodeType_t t = ast_type(e->op);
  if (t == AST_UNKNOWN || !(a = mk(t)))
    return NULL;
  if (e->op == IMS_X_CALL)
    ASTNode_setName(a, e->name);
  if (e->op == IMS_X_RATEOF)
    ASTNode_setName(a, "rateOf");
  if (e->op == IMS_X_DELAY)
    ASTNode_setName(a, "delay");
  /* log10(x) is log with base 10, sqrt(x) root with degree 2: libsbml
   * writes a first child of log and root as the logbase and degree */
  if (e->op == IMS_X_LOG10 || e->op == IMS_X_SQRT) {
    ASTNode_t *v = number(e->op == IMS_X_LOG10 ? 10 : 2);
    if (!v || ASTNode_addChild(a, v) != LIBSBML_OPERATION_SUCCESS) {
      ASTNode_free(v);
      ASTNode_free(a);
      return NULL;
    }
  }
  for (int i = 0; i < e->n; i++) {
    ASTNode_t *c = ims__expr_to_ast(e->a[i]);
    if (!c || ASTNode_addChild(a, c) != LIBSBML_OPERATION_SUCCESS) {
      ASTNode_free(c);
      ASTNode_free(a);
      return NULL;
    }
  }
  return a;
}
