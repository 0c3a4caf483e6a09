/* SBML symbols: what each compartment, species, parameter, species
 * reference and reaction of the model becomes in the description, with its
 * unit and initial value (see the mapping at the top of sbml_import.c). */
#include "sbml_export.h"
#include "sbml_import.h"
#include "sbml_read.h"
#include "sbml_units.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ims__sbml_fail(ims_sbml_t *s, const void *el, int code, const char *fmt, ...)
{
  char where[512], what[700];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  ims__sbml_where(where, sizeof where, s->path, (const SBase_t *)el);
  return ims_err_set(s->err, code, "%s: %s", where, what);
}

static ims_expr_t *name(const char *id)
{
  return ims_expr_name(id);
}

int ims__sbml_sym(const ims_sbml_t *s, const char *id)
{
  if (!id)
    return -1;
  for (int i = 0; i < s->nsym; i++)
    if (!strcmp(s->sym[i].id, id))
      return i;
  return -1;
}

static int add_sym(ims_sbml_t *s, const char *id, int kind, const void *el)
{
  if (s->nsym == s->capsym) {
    int cap = s->capsym ? 2 * s->capsym : 64;
    ims__sbml_sym_t *n = realloc(s->sym, (size_t)cap * sizeof *n);
    if (!n)
      return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
    s->sym = n;
    s->capsym = cap;
  }
  ims__sbml_sym_t *y = &s->sym[s->nsym];
  memset(y, 0, sizeof *y);
  y->id = id;
  y->kind = kind;
  y->el = (const SBase_t *)el;
  y->comp = -1;
  y->index = -1;
  return s->nsym++;
}

/* ---- units ---------------------------------------------------------------- */

const char *ims__sbml_unit_or(const ims_sbml_t *s, const char *ref, char *buf, size_t n,
                              const char *fallback)
{
  if (ref && *ref && ims__sbml_unit(s->model, ref, buf, n) == 0)
    return buf;
  snprintf(buf, n, "%s", fallback);
  return buf;
}

void ims__sbml_substance_unit(const ims_sbml_t *s, const Species_t *sp, char *buf, size_t n)
{
  const char *ref = Species_isSetSubstanceUnits(sp) ? Species_getSubstanceUnits(sp) : NULL;
  if (!ref && s->level >= 3 && Model_isSetSubstanceUnits(s->model))
    ref = Model_getSubstanceUnits(s->model);
  if (!ref && s->level < 3)
    ref = "substance";
  ims__sbml_unit_or(s, ref, buf, n, "1");
}

void ims__sbml_compartment_unit(const ims_sbml_t *s, const Compartment_t *c, char *buf, size_t n)
{
  const char *ref = Compartment_isSetUnits(c) ? Compartment_getUnits(c) : NULL;
  double dims = Compartment_getSpatialDimensionsAsDouble(c);
  if (!ref && s->level >= 3) {
    if (dims == 3 && Model_isSetVolumeUnits(s->model))
      ref = Model_getVolumeUnits(s->model);
    else if (dims == 2 && Model_isSetAreaUnits(s->model))
      ref = Model_getAreaUnits(s->model);
    else if (dims == 1 && Model_isSetLengthUnits(s->model))
      ref = Model_getLengthUnits(s->model);
  }
  if (!ref && s->level < 3)
    ref = dims == 3 ? "volume" : dims == 2 ? "area" : dims == 1 ? "length" : NULL;
  ims__sbml_unit_or(s, ref, buf, n, "1");
}

/* ---- symbols ------------------------------------------------------------------ */

/* The state of an immunosim dose-count parameter (IMS__DOSES_NS; the
 * caller frees), or NULL for any other parameter. */
static char *doses_state(const Parameter_t *p)
{
  const XMLNode_t *a = SBase_getAnnotation((SBase_t *)p);
  for (unsigned i = 0; a && i < XMLNode_getNumChildren(a); i++) {
    const XMLNode_t *c = XMLNode_getChild(a, i);
    const char *uri = XMLNode_getURI(c), *nm = XMLNode_getName(c);
    if (uri && nm && !strcmp(uri, IMS__DOSES_NS) && !strcmp(nm, "doses"))
      return XMLNode_getAttrValueByName(c, "state");
  }
  return NULL;
}

static int add_doses(ims_sbml_t *s, const char *id, char *state)
{
  char **ni = realloc(s->dose_id, (size_t)(s->ndose + 1) * sizeof *ni);
  if (ni)
    s->dose_id = ni;
  char **ns = realloc(s->dose_state, (size_t)(s->ndose + 1) * sizeof *ns);
  if (ns)
    s->dose_state = ns;
  if (!ni || !ns || !(s->dose_id[s->ndose] = strdup(id))) {
    free(state);
    return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  }
  s->dose_state[s->ndose++] = state;
  return IMS_OK;
}

static int collect_symbols(ims_sbml_t *s)
{
  Model_t *m = s->model;
  for (unsigned i = 0; i < Model_getNumCompartments(m); i++) {
    const Compartment_t *c = Model_getCompartment(m, i);
    int k = add_sym(s, Compartment_getId(c), IMS__SYM_COMP, c);
    if (k < 0)
      return k;
    s->sym[k].constant = Compartment_getConstant(c);
  }
  for (unsigned i = 0; i < Model_getNumParameters(m); i++) {
    const Parameter_t *p = Model_getParameter(m, i);
    char *ds = doses_state(p);
    if (ds) {
      int rc = add_doses(s, Parameter_getId(p), ds);
      if (rc)
        return rc;
      continue;
    }
    int k = add_sym(s, Parameter_getId(p), IMS__SYM_PARAM, p);
    if (k < 0)
      return k;
    s->sym[k].constant = Parameter_getConstant(p);
  }
  for (unsigned i = 0; i < Model_getNumSpecies(m); i++) {
    const Species_t *sp = Model_getSpecies(m, i);
    int k = add_sym(s, Species_getId(sp), IMS__SYM_SPECIES, sp);
    if (k < 0)
      return k;
    ims__sbml_sym_t *y = &s->sym[k];
    y->constant = Species_getConstant(sp);
    y->boundary = Species_getBoundaryCondition(sp);
    y->comp = ims__sbml_sym(s, Species_getCompartment(sp));
    if (y->comp < 0)
      return ims__sbml_fail(s, sp, IMS_EINPUT, "species '%s' names no compartment", y->id);
    const Compartment_t *c = (const Compartment_t *)s->sym[y->comp].el;
    y->conc =
        !Species_getHasOnlySubstanceUnits(sp) && Compartment_getSpatialDimensionsAsDouble(c) != 0;
    /* every species in concentration terms is held as an amount, a constant
     * one too: its amount stays when its compartment changes (SBML Test
     * Suite case 01117) */
    y->subst = y->conc;
  }
  for (unsigned i = 0; i < Model_getNumReactions(m); i++) {
    Reaction_t *r = Model_getReaction(m, i);
    int k = add_sym(s, Reaction_getId(r), IMS__SYM_REACTION, r);
    if (k < 0)
      return k;
    s->sym[k].constant = 1;
    unsigned nr = Reaction_getNumReactants(r), np = Reaction_getNumProducts(r);
    for (unsigned j = 0; j < nr + np; j++) {
      SpeciesReference_t *sr = j < nr ? Reaction_getReactant(r, j) : Reaction_getProduct(r, j - nr);
      int q = ims__sbml_sym(s, SpeciesReference_getSpecies(sr));
      if (q >= 0)
        s->sym[q].in_reaction = 1;
      if (s->level < 3 || !SpeciesReference_isSetId(sr))
        continue;
      q = add_sym(s, SpeciesReference_getId(sr), IMS__SYM_SREF, sr);
      if (q < 0)
        return q;
      s->sym[q].constant = SpeciesReference_getConstant(sr);
    }
  }
  return IMS_OK;
}

static double plain_size(const ims_sbml_t *s, int k);

/* 1 when math reads only constants: numbers, constant parameters, and
 * functions of them (no time, no rateOf, no delay, no changing symbol). */
static int constant_math(const ims_sbml_t *s, const ASTNode_t *a)
{
  if (!a)
    return 1;
  switch (ASTNode_getType(a)) {
  case AST_NAME_TIME:
  case AST_FUNCTION_RATE_OF:
  case AST_FUNCTION_DELAY:
    return 0;
  case AST_NAME: {
    int k = ims__sbml_sym(s, ASTNode_getName(a));
    if (k >= 0 && s->sym[k].role != IMS__ROLE_CONST && s->sym[k].role != IMS__ROLE_DEF)
      return 0;
    break;
  }
  default:
    break;
  }
  for (unsigned i = 0; i < ASTNode_getNumChildren(a); i++)
    if (!constant_math(s, ASTNode_getChild(a, i)))
      return 0;
  return 1;
}

/* Which rules and events touch each symbol, then its role. */
int ims__sbml_classify(ims_sbml_t *s)
{
  int rc = collect_symbols(s);
  if (rc)
    return rc;
  Model_t *m = s->model;
  for (unsigned i = 0; i < Model_getNumRules(m); i++) {
    const Rule_t *r = Model_getRule(m, i);
    if (!Rule_getMath(r) || Rule_isAlgebraic(r))
      continue; /* L3V2: a rule without math is ignored; algebraic rules below */
    int k = ims__sbml_sym(s, Rule_getVariable(r));
    if (k < 0)
      return ims__sbml_fail(s, r, IMS_EINPUT, "rule for unknown variable '%s'",
                            Rule_getVariable(r));
    if (Rule_isRate(r))
      s->sym[k].rate_rule = r;
    else
      s->sym[k].assign_rule = r;
  }
  for (unsigned i = 0; i < Model_getNumInitialAssignments(m); i++) {
    const InitialAssignment_t *a = Model_getInitialAssignment(m, i);
    if (!InitialAssignment_getMath(a))
      continue;
    int k = ims__sbml_sym(s, InitialAssignment_getSymbol(a));
    if (k < 0)
      return ims__sbml_fail(s, a, IMS_EINPUT, "initial assignment to unknown symbol '%s'",
                            InitialAssignment_getSymbol(a));
    s->sym[k].init = a;
  }
  for (unsigned i = 0; i < Model_getNumEvents(m); i++) {
    Event_t *e = Model_getEvent(m, i);
    for (unsigned j = 0; j < Event_getNumEventAssignments(e); j++) {
      int k = ims__sbml_sym(s, EventAssignment_getVariable(Event_getEventAssignment(e, j)));
      if (k >= 0)
        s->sym[k].event_target = 1;
    }
  }
  rc = ims__sbml_algebraic(s);
  if (rc)
    return rc;
  for (int k = 0; k < s->nsym; k++) {
    ims__sbml_sym_t *y = &s->sym[k];
    if (y->kind == IMS__SYM_REACTION)
      y->role = IMS__ROLE_VAR;
    else if (y->assign_rule || y->alg)
      y->role = IMS__ROLE_OUT;
    else if (y->rate_rule || y->event_target || (y->kind == IMS__SYM_SPECIES && !y->constant))
      y->role = IMS__ROLE_STATE;
    else
      y->role = y->init ? IMS__ROLE_DEF : IMS__ROLE_CONST;
  }
  rc = ims__sbml_fast_plan(s);
  if (rc)
    return rc;
  /* A constant species in a compartment whose size is not a plain number
   * keeps the amount it starts with: a state of rate 0 (a definition would
   * follow the compartment). */
  for (int k = 0; k < s->nsym; k++) {
    ims__sbml_sym_t *y = &s->sym[k];
    if (y->kind == IMS__SYM_SPECIES && y->role == IMS__ROLE_CONST && isnan(plain_size(s, y->comp)))
      y->role = IMS__ROLE_STATE;
  }
  /* An initial assignment from constants only is a definition the compiler
   * evaluates from the parameters; one that reads anything that changes in
   * time makes its symbol a state whose rate is 0, set once at the start. */
  for (int changed = 1; changed;) {
    changed = 0;
    for (int k = 0; k < s->nsym; k++) {
      ims__sbml_sym_t *y = &s->sym[k];
      if (y->role == IMS__ROLE_DEF && !constant_math(s, InitialAssignment_getMath(y->init))) {
        y->role = IMS__ROLE_STATE;
        changed = 1;
      }
    }
  }
  return IMS_OK;
}

/* ---- building the description ---------------------------------------------- */

const char *ims__sbml_desc(const SBase_t *el)
{
  return SBase_isSetName(el) ? SBase_getName(el) : NULL;
}

/* A name not used by any symbol or earlier generated name: base, base_2, ... */
static int used(const ims_sbml_t *s, const char *nm)
{
  const ims_mdl_t *d = s->d;
  if (ims__sbml_sym(s, nm) >= 0 || ims_mdl_param_index(d, nm) >= 0 ||
      ims_mdl_state_index(d, nm) >= 0)
    return 1;
  for (int i = 0; i < d->nvars; i++)
    if (!strcmp(d->vars[i].name, nm))
      return 1;
  for (int i = 0; i < d->noutputs; i++)
    if (!strcmp(d->outputs[i].name, nm))
      return 1;
  for (int i = 0; i < d->nfuncs; i++)
    if (!strcmp(d->funcs[i].name, nm))
      return 1;
  return 0;
}

int ims__sbml_unique_name(ims_sbml_t *s, const char *base, char *buf, size_t n)
{
  snprintf(buf, n, "%s", base);
  for (int i = 2; used(s, buf); i++)
    snprintf(buf, n, "%s_%d", base, i);
  return 0;
}

/* Numeric size of compartment k when it is a plain constant (no initial
 * assignment, no rule); NaN otherwise. */
static double plain_size(const ims_sbml_t *s, int k)
{
  const ims__sbml_sym_t *c = &s->sym[k];
  if (c->init || c->assign_rule || c->rate_rule)
    return NAN;
  const Compartment_t *el = (const Compartment_t *)c->el;
  return Compartment_isSetSize(el) ? Compartment_getSize(el) : NAN;
}

/* The initial value of symbol k as its model variable holds it: a number in
 * *v, or an expression in *eq (initial assignment, or a concentration times
 * a compartment whose size is not a plain number). */
int ims__sbml_initial(ims_sbml_t *s, int k, double *v, ims_mdl_eq_t *eq)
{
  ims__sbml_sym_t *y = &s->sym[k];
  memset(eq, 0, sizeof *eq);
  *v = NAN;
  if (y->init) {
    int rc = ims__sbml_math(s, InitialAssignment_getMath(y->init), y->init, -1, eq);
    if (!rc && y->subst && !(eq->e = ims__sbml_to_amount(s, k, eq->e)))
      rc = ims_err_set(s->err, IMS_ENOMEM, "out of memory");
    return rc;
  }
  switch (y->kind) {
  case IMS__SYM_COMP: {
    const Compartment_t *c = (const Compartment_t *)y->el;
    *v = Compartment_isSetSize(c) ? Compartment_getSize(c) : NAN;
    return IMS_OK;
  }
  case IMS__SYM_PARAM: {
    const Parameter_t *p = (const Parameter_t *)y->el;
    *v = Parameter_isSetValue(p) ? Parameter_getValue(p) : NAN;
    return IMS_OK;
  }
  case IMS__SYM_SREF: {
    const SpeciesReference_t *r = (const SpeciesReference_t *)y->el;
    *v = SpeciesReference_isSetStoichiometry(r) ? SpeciesReference_getStoichiometry(r) : NAN;
    return IMS_OK;
  }
  case IMS__SYM_SPECIES: {
    const Species_t *sp = (const Species_t *)y->el;
    int amount = Species_isSetInitialAmount(sp);
    double x = amount                                  ? Species_getInitialAmount(sp)
               : Species_isSetInitialConcentration(sp) ? Species_getInitialConcentration(sp)
                                                       : NAN;
    /* what the variable holds: an amount (subst) or the SBML value */
    int want_amount = y->subst || !y->conc;
    if (amount == want_amount || isnan(x)) {
      *v = x;
      return IMS_OK;
    }
    double size = plain_size(s, y->comp);
    if (!isnan(size)) {
      *v = want_amount ? x * size : x / size;
      return IMS_OK;
    }
    eq->e = ims_expr_op2(want_amount ? IMS_X_MUL : IMS_X_DIV, ims_expr_num(x, NULL),
                         name(s->sym[y->comp].id));
    return eq->e ? IMS_OK : ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  }
  default:
    return IMS_OK;
  }
}

/* substance/volume, with parentheses only where the volume needs them */
static void conc_unit(char *buf, size_t n, const char *sub, const char *vol)
{
  int simple = strcspn(vol, "*/ ^") == strlen(vol);
  snprintf(buf, n, simple ? "%s/%s" : "%s/(%s)", sub, vol);
}

static void unit_of_sym(const ims_sbml_t *s, int k, char *buf, size_t n)
{
  const ims__sbml_sym_t *y = &s->sym[k];
  switch (y->kind) {
  case IMS__SYM_COMP:
    ims__sbml_compartment_unit(s, (const Compartment_t *)y->el, buf, n);
    return;
  case IMS__SYM_PARAM: {
    const Parameter_t *p = (const Parameter_t *)y->el;
    ims__sbml_unit_or(s, Parameter_isSetUnits(p) ? Parameter_getUnits(p) : NULL, buf, n, "1");
    return;
  }
  case IMS__SYM_SPECIES: {
    char sub[128], vol[128];
    ims__sbml_substance_unit(s, (const Species_t *)y->el, sub, sizeof sub);
    if (y->subst || !y->conc) {
      snprintf(buf, n, "%s", sub);
      return;
    }
    ims__sbml_compartment_unit(s, (const Compartment_t *)s->sym[y->comp].el, vol, sizeof vol);
    conc_unit(buf, n, sub, vol);
    return;
  }
  default:
    snprintf(buf, n, "1");
  }
}

/* States, parameters and outputs for every symbol except reactions. */
int ims__sbml_declare(ims_sbml_t *s)
{
  for (int k = 0; k < s->nsym; k++) {
    ims__sbml_sym_t *y = &s->sym[k];
    if (y->kind == IMS__SYM_REACTION || y->fast)
      continue; /* reactions' rates and fast species come later */
    char unit[256];
    unit_of_sym(s, k, unit, sizeof unit);
    const char *desc = ims__sbml_desc(y->el);
    int line = (int)SBase_getLine(y->el), col = (int)SBase_getColumn(y->el);
    int rc;
    if (y->role == IMS__ROLE_OUT && y->alg) { /* solved for the variable as held */
      ims_mdl_eq_t eq = {.e = y->alg,
                         .line = (int)SBase_getLine((const SBase_t *)y->alg_rule),
                         .col = (int)SBase_getColumn((const SBase_t *)y->alg_rule)};
      y->alg = NULL;
      y->index = ims_mdl_add_output(s->d, y->id, unit, desc, eq, line, col, s->err);
      if (y->index < 0)
        return y->index;
      continue;
    }
    if (y->role == IMS__ROLE_OUT) {
      ims_mdl_eq_t eq;
      rc = ims__sbml_math(s, Rule_getMath(y->assign_rule), y->assign_rule, -1, &eq);
      if (rc)
        return rc;
      if (y->subst && !(eq.e = ims__sbml_to_amount(s, k, eq.e)))
        return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
      y->index = ims_mdl_add_output(s->d, y->id, unit, desc, eq, line, col, s->err);
      if (y->index < 0)
        return y->index;
      continue;
    }
    double v;
    ims_mdl_eq_t init;
    rc = ims__sbml_initial(s, k, &v, &init);
    if (rc)
      return rc;
    if (y->role == IMS__ROLE_STATE) {
      y->index = ims_mdl_add_state(s->d, y->id, unit, desc, isnan(v) ? 0.0 : v, line, col, s->err);
      if (y->index < 0) {
        ims_expr_free(init.e);
        return y->index;
      }
      s->d->states[y->index].init = init;
      if (!init.e && isnan(v))
        return ims__sbml_fail(s, y->el, IMS_EINPUT,
                              "'%s' has no initial value (no value, no initial assignment)", y->id);
    } else {
      /* no value and no initial assignment: SBML leaves it undefined (NaN),
       * which matters only where the math reads it */
      unsigned flags = v < 0 ? IMS_MDL_SIGNED : 0;
      y->index = ims_mdl_add_param(s->d, y->id, v, unit, desc, flags, line, col, s->err);
      if (y->index < 0) {
        ims_expr_free(init.e);
        return y->index;
      }
      s->d->params[y->index].init = init;
    }
  }
  return IMS_OK;
}

/* Outputs "[S]": the concentration of every species in a compartment with
 * dimensions. */
int ims__sbml_outputs(ims_sbml_t *s)
{
  for (int k = 0; k < s->nsym; k++) {
    ims__sbml_sym_t *y = &s->sym[k];
    if (y->kind != IMS__SYM_SPECIES)
      continue;
    const Compartment_t *c = (const Compartment_t *)s->sym[y->comp].el;
    if (Compartment_getSpatialDimensionsAsDouble(c) == 0)
      continue;
    char nm[300];
    snprintf(nm, sizeof nm, "[%s]", y->id);
    int rc = ims_sbml_report(s, y->id, IMS_SBML_CONC, nm, s->err);
    if (rc)
      return rc;
  }
  return IMS_OK;
}

int ims_sbml_report(ims_sbml_t *s, const char *id, int what, const char *oname, ims_err_t *err)
{
  int k = ims__sbml_sym(s, id);
  if (k < 0)
    return ims_err_set(err, IMS_EINPUT, "%s: no SBML symbol '%s'", s->path, id);
  ims__sbml_sym_t *y = &s->sym[k];
  ims_expr_t *e = name(id);
  char unit[256];
  unit_of_sym(s, k, unit, sizeof unit);
  if (y->kind == IMS__SYM_SPECIES) {
    char sub[128], vol[128];
    ims__sbml_substance_unit(s, (const Species_t *)y->el, sub, sizeof sub);
    ims__sbml_compartment_unit(s, (const Compartment_t *)s->sym[y->comp].el, vol, sizeof vol);
    /* what the variable holds: an amount, or (constant species) the SBML value */
    int holds_amount = y->subst || !y->conc;
    int want_amount = what == IMS_SBML_AMOUNT || (what == IMS_SBML_VALUE && !y->conc);
    if (holds_amount && !want_amount)
      e = ims_expr_op2(IMS_X_DIV, e, name(s->sym[y->comp].id));
    else if (!holds_amount && want_amount)
      e = ims_expr_op2(IMS_X_MUL, e, name(s->sym[y->comp].id));
    if (want_amount)
      snprintf(unit, sizeof unit, "%s", sub);
    else
      conc_unit(unit, sizeof unit, sub, vol);
  }
  if (!e)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  ims_mdl_eq_t eq = {.e = e};
  int rc = ims_mdl_add_output(s->d, oname, unit, NULL, eq, 0, 0, err);
  return rc < 0 ? rc : IMS_OK;
}

/* The SBML name of symbol k as a label: NULL when it has none or it repeats
 * the id; a species whose name another species shares gets "in COMPARTMENT"
 * (BIOMD0000000537 has an "IL6" in each of four compartments). */
static const char *label_of(const ims_sbml_t *s, int k, char *buf, size_t n)
{
  const ims__sbml_sym_t *y = &s->sym[k];
  const char *nm = ims__sbml_desc(y->el);
  if (!nm || !*nm || !strcmp(nm, y->id))
    return NULL;
  snprintf(buf, n, "%s", nm);
  if (y->kind != IMS__SYM_SPECIES)
    return buf;
  for (int j = 0; j < s->nsym; j++) {
    const char *o =
        s->sym[j].kind == IMS__SYM_SPECIES && j != k ? ims__sbml_desc(s->sym[j].el) : NULL;
    if (o && !strcmp(o, nm)) {
      const ims__sbml_sym_t *c = &s->sym[y->comp];
      const char *cn = ims__sbml_desc(c->el);
      snprintf(buf, n, "%s in %s", nm, cn && *cn ? cn : c->id);
      break;
    }
  }
  return buf;
}

int ims__sbml_labels(ims_sbml_t *s)
{
  for (int k = 0; k < s->nsym; k++) {
    char lab[512], conc[520], oname[300];
    if (!label_of(s, k, lab, sizeof lab))
      continue;
    /* the variable itself and its "[S]" output; a symbol the import dropped
     * (a fast species' own id) or never reported has no entry */
    ims_err_t e2 = {0};
    int rc = ims_mdl_set_label(s->d, s->sym[k].id, lab, lab, &e2);
    if (rc == IMS_ENOMEM)
      return ims_err_set(s->err, rc, "out of memory");
    if (s->sym[k].kind != IMS__SYM_SPECIES)
      continue;
    snprintf(oname, sizeof oname, "[%s]", s->sym[k].id);
    snprintf(conc, sizeof conc, "[%s]", lab);
    rc = ims_mdl_set_label(s->d, oname, conc, NULL, &e2);
    if (rc == IMS_ENOMEM)
      return ims_err_set(s->err, rc, "out of memory");
  }
  return IMS_OK;
}

int ims__sbml_plot(ims_sbml_t *s)
{
  static const char *const scales[] = {"auto", "lin", "log"}; /* IMS_SCALE_* */
  const XMLNode_t *a = SBase_getAnnotation((SBase_t *)s->model);
  for (unsigned i = 0; a && i < XMLNode_getNumChildren(a); i++) {
    const XMLNode_t *p = XMLNode_getChild(a, i);
    const char *uri = XMLNode_getURI(p), *nm = XMLNode_getName(p);
    if (!uri || !nm || strcmp(uri, IMS__PLOT_NS) || strcmp(nm, "plot"))
      continue;
    for (unsigned j = 0; j < XMLNode_getNumChildren(p); j++) {
      const XMLNode_t *c = XMLNode_getChild(p, j);
      if (!XMLNode_isElement(c))
        continue;
      char *id = XMLNode_getAttrValueByName(c, "id");
      char *sc = XMLNode_getAttrValueByName(c, "scale");
      int scale = -1;
      for (int k = 0; sc && k < 3; k++)
        if (!strcmp(sc, scales[k]))
          scale = k;
      ims_err_t e2 = {0};
      int rc = id && scale >= 0 ? ims_mdl_add_plot(s->d, id, scale, 0, 0, &e2) : IMS_EINPUT;
      if (rc < 0 && rc != IMS_ENOMEM && !e2.msg[0])
        snprintf(e2.msg, sizeof e2.msg, "a column needs an id and a scale lin, log or auto");
      free(id);
      free(sc);
      if (rc == IMS_ENOMEM)
        return ims_err_set(s->err, rc, "out of memory");
      if (rc < 0)
        return ims__sbml_fail(s, s->model, IMS_EINPUT,
                              "the immunosim figure annotation (<ims:plot>, column %u): %s; "
                              "correct or remove it",
                              j + 1, e2.msg);
    }
  }
  return IMS_OK;
}
