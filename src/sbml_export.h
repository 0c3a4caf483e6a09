/* SBML export internals (the public entry point is ims_sbml_export). */
#ifndef IMS_SBML_EXPORT_H
#define IMS_SBML_EXPORT_H

#include "immunosim/sbml.h"

#include <sbml/SBMLTypes.h>
#include <stddef.h>

/* The MathML tree of an expression (caller frees); NULL when out of memory
 * or when it has no SBML form. */
ASTNode_t *ims__expr_to_ast(const ims_expr_t *e);
/* Write buf to path through a temporary file renamed into place ("-":
 * standard output), so a failed write leaves nothing. */
int ims__write_all(const char *path, const char *buf, size_t len, ims_err_t *err);

#endif
