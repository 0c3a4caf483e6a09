/* Reading an SBML file with libsbml: parse, flatten `comp`, refuse what
 * immunosim does not simulate, and run libsbml's consistency checks, each
 * problem reported as "file:line:col: ...". */
#ifndef IMS_SBML_READ_H
#define IMS_SBML_READ_H

#include "immunosim/err.h"

#include <sbml/SBMLTypes.h>

/* Read and check `path`.  On success *doc is a core-only document (comp
 * flattened) that passed libsbml's consistency checks; the caller frees it
 * with SBMLDocument_free.  A feature immunosim cannot simulate gives
 * IMS_EINPUT with a message containing "unsupported: TAG" (the SBML Test
 * Suite's tag name, or the package name). */
int ims__sbml_load(const char *path, SBMLDocument_t **doc, ims_err_t *err);
/* The same from memory (name in messages; comp external files do not resolve). */
int ims__sbml_load_mem(const char *name, const char *buf, size_t len, SBMLDocument_t **doc,
                       ims_err_t *err);

/* "file:line:col" of an SBML element, for messages. */
void ims__sbml_where(char *buf, size_t n, const char *path, const SBase_t *sb);

/* Call fn on every math tree in the model (rules, kinetic laws, initial
 * assignments, events, stoichiometry math, function definitions) with the
 * element that holds it; stops at and returns the first non-zero result. */
typedef int (*ims__sbml_math_fn)(const ASTNode_t *math, const SBase_t *owner, void *ud);
int ims__sbml_each_math(const Model_t *m, ims__sbml_math_fn fn, void *ud);

/* 1 when the tree contains a node of this type. */
int ims__ast_has(const ASTNode_t *a, ASTNodeType_t type);

#endif
