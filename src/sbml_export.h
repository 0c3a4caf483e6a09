/* SBML export internals (the public entry point is ims_sbml_export). */
#ifndef IMS_SBML_EXPORT_H
#define IMS_SBML_EXPORT_H

#include "immunosim/sbml.h"

#include <sbml/SBMLTypes.h>
#include <stddef.h>

/* The MathML tree of an expression (caller frees); NULL when out of memory
 * or when it has no SBML form. */
ASTNode_t *ims__expr_to_ast(const ims_expr_t *e);
/* doses(STATE), the number of doses a state has had, has no SBML form: the
 * export writes it as the parameter doses_STATE (value 0, not constant)
 * annotated <ims:doses state="STATE"/> in this namespace, and the import
 * reads such a parameter back as doses(STATE).  Another SBML tool sees 0. */
#define IMS__DOSES_NS "urn:immunosim:doses"
void ims__doses_id(const char *state, char *buf, size_t n);
/* (issue 15) The default figure (ims_mdl_t.plot) has no SBML form either: the
 * export annotates the model with <ims:plot> holding one <ims:column id="ID"
 * scale="lin|log|auto"/> per column, in order, in this namespace, ID being
 * the state's or output's SBML id; the import reads it back into the
 * description.  Another SBML tool ignores it. */
#define IMS__PLOT_NS "urn:immunosim:plot"
/* Write buf to path through a temporary file renamed into place ("-":
 * standard output), so a failed write leaves nothing. */
int ims__write_all(const char *path, const char *buf, size_t len, ims_err_t *err);

#endif
