/* SBML import internals shared by sbml_import.c (symbols, rules, reactions)
 * and sbml_events.c (events). */
#ifndef IMS_SBML_IMPORT_H
#define IMS_SBML_IMPORT_H

#include "immunosim/sbml.h"

#include <sbml/SBMLTypes.h>

#define IMS__SYM_COMP 0
#define IMS__SYM_SPECIES 1
#define IMS__SYM_PARAM 2
#define IMS__SYM_SREF 3 /* an L3 species reference with an id (its stoichiometry) */
#define IMS__SYM_REACTION 4

#define IMS__ROLE_CONST 0 /* a parameter nothing changes */
#define IMS__ROLE_DEF 1   /* a parameter set by an initial assignment from constants */
#define IMS__ROLE_STATE 2 /* reactions, a rate rule or events change it (or nothing) */
#define IMS__ROLE_OUT 3   /* an output: an assignment rule */
#define IMS__ROLE_VAR 4   /* an intermediate: a reaction's rate */

typedef struct ims__sbml_sym {
  const char *id; /* owned by the libsbml document */
  int kind, role;
  const SBase_t *el;
  int constant, boundary;
  int comp;  /* species: its compartment's symbol */
  int conc;  /* species: the SBML value is a concentration */
  int subst; /* species held as an amount while SBML means a concentration */
  const Rule_t *rate_rule, *assign_rule;
  const InitialAssignment_t *init;
  int event_target;
  int in_reaction; /* species: a reactant or product of some reaction */
  ims_expr_t *alg; /* solved from an algebraic rule (owned until declared) */
  const Rule_t *alg_rule;
  int fast;         /* species: 1 + the fast reaction whose equilibrium holds it */
  ims_expr_t *slow; /* its rate from the slow reactions (owned) */
  int index;        /* in the description's states, params or vars */
} ims__sbml_sym_t;

typedef struct ims__sbml_local {
  const char *id; /* as written in the kinetic law */
  int reaction;
  char name[300]; /* REACTION_ID, made unique */
} ims__sbml_local_t;

struct ims_sbml {
  char *path;
  SBMLDocument_t *doc;
  Model_t *model;
  int level;
  ims_mdl_t *d;
  ims__sbml_sym_t *sym;
  int nsym, capsym;
  ims__sbml_local_t *local;
  int nlocal, caplocal;
  ims_err_t *err;
  char ubuf[256];
  /* parameters an immunosim export wrote for doses(STATE) (IMS__DOSES_NS):
   * no symbol, every reference reads doses(dose_state[i]) */
  char **dose_id, **dose_state;
  int ndose;
};

/* "file:line:col: message" for element el; returns code. */
int ims__sbml_fail(ims_sbml_t *s, const void *el, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Symbols and their roles (sbml_symbols.c), then their states, parameters
 * and outputs, then the "[S]" concentration outputs. */
int ims__sbml_classify(ims_sbml_t *s);
int ims__sbml_declare(ims_sbml_t *s);
int ims__sbml_outputs(ims_sbml_t *s);
/* Labels (and descriptions) from the SBML names, after every entry exists. */
int ims__sbml_labels(ims_sbml_t *s);
/* The default figure from an immunosim export's annotation (IMS__PLOT_NS). */
int ims__sbml_plot(ims_sbml_t *s);
/* Units (udunits2 strings): of a unit reference (fallback when it has
 * none), a species' substance, a compartment's size. */
const char *ims__sbml_unit_or(const ims_sbml_t *s, const char *ref, char *buf, size_t n,
                              const char *fallback);
void ims__sbml_substance_unit(const ims_sbml_t *s, const Species_t *sp, char *buf, size_t n);
void ims__sbml_compartment_unit(const ims_sbml_t *s, const Compartment_t *c, char *buf, size_t n);
/* The element's name attribute, or NULL. */
const char *ims__sbml_desc(const SBase_t *el);
/* A name no symbol or description entry uses: base, base_2, ... */
int ims__sbml_unique_name(ims_sbml_t *s, const char *base, char *buf, size_t n);
/* The symbol named id, or -1. */
int ims__sbml_sym(const ims_sbml_t *s, const char *id);
/* Convert math held by element el (rewritten as the top of sbml_import.c
 * says; reaction >= 0 puts that reaction's local parameters in scope). */
int ims__sbml_math(ims_sbml_t *s, const ASTNode_t *ast, const void *el, int reaction,
                   ims_mdl_eq_t *eq);
/* value * compartment for a value given for a species in concentration terms. */
ims_expr_t *ims__sbml_to_amount(const ims_sbml_t *s, int sym, ims_expr_t *v);
/* Solve the algebraic rules for the variables they determine (sbml_alg.c):
 * sets sym->alg, or refuses with "unsupported: AlgebraicRule". */
int ims__sbml_algebraic(ims_sbml_t *s);
/* Function definitions onto the description (before the symbols: algebraic
 * rules inline them). */
int ims__sbml_functions(ims_sbml_t *s);
/* Fast reactions (sbml_fast.c): _plan marks their species (after the roles),
 * _build makes the conserved states and solves the equilibria (after the
 * slow reactions' terms are in sym->slow). */
int ims__sbml_fast_plan(ims_sbml_t *s);
int ims__sbml_fast_build(ims_sbml_t *s);
/* -/+ stoichiometry * conversion factor of reference j of reaction r. */
int ims__sbml_effect(ims_sbml_t *s, Reaction_t *r, unsigned j, ims_expr_t **out);
/* The initial value of symbol k as its variable holds it: a number in *v, or
 * an expression in eq->e. */
int ims__sbml_initial(ims_sbml_t *s, int k, double *v, ims_mdl_eq_t *eq);
/* x = -b/a when f = a*x + b with a, b free of x (sbml_alg.c); NULL when f is
 * not linear in x.  And a copy of e with every name x replaced by v. */
ims_expr_t *ims__sbml_solve(const ims_expr_t *f, const char *x);
/* 1 when f is linear in x with a coefficient that reads only constants (it
 * cannot become 0 during a run, leaving x undetermined). */
int ims__sbml_coef_constant(const ims_sbml_t *s, const ims_expr_t *f, const char *x);
ims_expr_t *ims__sbml_subst(const ims_expr_t *e, const char *x, const ims_expr_t *v);
/* A copy of e with the description's functions inlined; NULL when a call
 * cannot be (unknown function, wrong arity, too deep). */
ims_expr_t *ims__sbml_inline(const ims_mdl_t *d, const ims_expr_t *e);
/* Copy the model's events onto the description (sbml_events.c). */
int ims__sbml_events(ims_sbml_t *s);

#endif
