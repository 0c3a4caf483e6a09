/* SBML import: an SBML model onto the model description (mdl.h).
 *
 * The mapping follows the SBML specifications (L2V4 sec. 4, L3V2 sec. 4):
 *
 *   species S in compartment C   held as its amount, named S:
 *                                  state (reactions, rate rule, events, or
 *                                  nothing: rate 0), intermediate (assignment
 *                                  rule: amount = value * C), parameter when
 *                                  constant (then it keeps its SBML value).
 *                                The SBML symbol S means a concentration when
 *                                hasOnlySubstanceUnits is false and C has
 *                                dimensions: every math reference to S is
 *                                rewritten as S / C, and every value given
 *                                for S (initial value, rule, event) is
 *                                multiplied by C.  Holding amounts makes
 *                                doses, reactions and changing compartments
 *                                exact: dn/dt = cf * sum(stoich * rate).
 *   compartment, parameter,      constant or changed only by events: a
 *   species reference (L3 id)      parameter (events write it); rate rule: a
 *                                  state; assignment rule: an intermediate.
 *   reaction R                   intermediate R = kinetic law; its local
 *                                  parameters become R_NAME parameters.
 *   rate rule on a concentration d n/dt = C * f + (n / C) * rateOf(C).
 *   rateOf(S), concentration     (rateOf(n) - (n / C) * rateOf(C)) / C.
 *
 * Events are copied onto the description (trigger, delay, priority, flags,
 * assignments rewritten as above); sbml_events.c maps them onto the driver's
 * triggers. */
#include "sbml_import.h"

#include "immunosim/table.h"
#include "sbml_export.h"
#include "sbml_read.h"
#include "sbml_units.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Units on numbers (<cn sbml:units>): udunits2 spelling, NULL when none. */
static const char *sbml_unit_cb(void *ud, const char *sid)
{
  ims_sbml_t *s = ud;
  return ims__sbml_unit(s->model, sid, s->ubuf, sizeof s->ubuf) ? NULL : s->ubuf;
}

/* ---- expressions ----------------------------------------------------------- */

static ims_expr_t *name(const char *id)
{
  return ims_expr_name(id);
}

/* The amount of species y divided by its compartment. */
static ims_expr_t *conc_of(const ims_sbml_t *s, const ims__sbml_sym_t *y)
{
  return ims_expr_op2(IMS_X_DIV, name(y->id), name(s->sym[y->comp].id));
}

/* 1 when compartment (or any symbol) k can change continuously in time. */
static int varies_smoothly(const ims_sbml_t *s, int k)
{
  return k >= 0 && (s->sym[k].role == IMS__ROLE_STATE || s->sym[k].role == IMS__ROLE_OUT);
}

/* d(n/C)/dt for species y held as amount n in compartment C. */
static ims_expr_t *rate_of_conc(const ims_sbml_t *s, const ims__sbml_sym_t *y)
{
  const char *c = s->sym[y->comp].id;
  ims_expr_t *rn = ims_expr_op1(IMS_X_RATEOF, name(y->id));
  if (!varies_smoothly(s, y->comp))
    return ims_expr_op2(IMS_X_DIV, rn, name(c));
  ims_expr_t *rc = ims_expr_op1(IMS_X_RATEOF, name(c));
  ims_expr_t *num = ims_expr_op2(IMS_X_SUB, rn, ims_expr_op2(IMS_X_MUL, conc_of(s, y), rc));
  return ims_expr_op2(IMS_X_DIV, num, name(c));
}

/* The description's name of local parameter id of a reaction, or NULL. */
static const char *local(const ims_sbml_t *s, const char *id, int reaction)
{
  for (int i = 0; reaction >= 0 && i < s->nlocal; i++)
    if (s->local[i].reaction == reaction && !strcmp(s->local[i].id, id))
      return s->local[i].name;
  return NULL;
}

static int rename_node(ims_expr_t *e, const char *nm)
{
  char *n = strdup(nm);
  if (!n)
    return -1;
  free(e->name);
  e->name = n;
  return 0;
}

/* Rewrite SBML names in e (see the top of the file); reaction >= 0 puts that
 * reaction's local parameters in scope.  Returns the (possibly new) tree, or
 * NULL when out of memory (e is then freed). */
static ims_expr_t *rewrite(ims_sbml_t *s, ims_expr_t *e, int reaction)
{
  if (!e)
    return NULL;
  if (e->op == IMS_X_AVOGADRO) {
    /* the value the SBML Level 3 specifications give (CODATA 2006), not
     * the 2019 SI value: SBML models mean this one */
    ims_expr_free(e);
    return ims_expr_num(6.02214179e23, "1/mol");
  }
  if (e->op == IMS_X_NAME) {
    const char *ln = local(s, e->name, reaction);
    if (ln) {
      if (rename_node(e, ln)) {
        ims_expr_free(e);
        return NULL;
      }
      return e;
    }
    for (int i = 0; i < s->ndose; i++)
      if (!strcmp(e->name, s->dose_id[i])) { /* an exported doses(STATE) */
        ims_expr_free(e);
        return ims_expr_op1(IMS_X_DOSES, name(s->dose_state[i]));
      }
    int k = ims__sbml_sym(s, e->name);
    if (k >= 0 && s->sym[k].subst) {
      ims_expr_t *r = conc_of(s, &s->sym[k]);
      ims_expr_free(e);
      return r;
    }
    return e;
  }
  if (e->op == IMS_X_RATEOF && e->n == 1 && e->a[0]->op == IMS_X_NAME) {
    int k = ims__sbml_sym(s, e->a[0]->name);
    if (k >= 0 && s->sym[k].subst && !local(s, e->a[0]->name, reaction)) {
      ims_expr_t *r = rate_of_conc(s, &s->sym[k]);
      ims_expr_free(e);
      return r;
    }
    const char *ln = local(s, e->a[0]->name, reaction);
    if (ln && rename_node(e->a[0], ln)) {
      ims_expr_free(e);
      return NULL;
    }
    return e;
  }
  for (int i = 0; i < e->n; i++) {
    e->a[i] = rewrite(s, e->a[i], reaction);
    if (!e->a[i]) {
      ims_expr_free(e);
      return NULL;
    }
  }
  return e;
}

/* Convert math held by element el, rewritten in the scope of a reaction. */
int ims__sbml_math(ims_sbml_t *s, const ASTNode_t *ast, const void *el, int reaction,
                   ims_mdl_eq_t *eq)
{
  memset(eq, 0, sizeof *eq);
  eq->line = el ? (int)SBase_getLine((const SBase_t *)el) : 0;
  eq->col = el ? (int)SBase_getColumn((const SBase_t *)el) : 0;
  if (!ast)
    return IMS_OK;
  ims_err_t e2 = {0};
  ims_expr_t *x = NULL;
  if (ims_expr_from_ast((const struct ASTNode *)ast, sbml_unit_cb, s, &x, &e2))
    return ims__sbml_fail(s, el, e2.code ? e2.code : IMS_EINPUT, "%s", e2.msg);
  eq->e = rewrite(s, x, reaction);
  if (!eq->e)
    return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  return IMS_OK;
}

/* value * C for a value given for species y in concentration terms. */
ims_expr_t *ims__sbml_to_amount(const ims_sbml_t *s, int sym, ims_expr_t *v)
{
  const ims__sbml_sym_t *y = &s->sym[sym];
  if (!v || !y->subst)
    return v;
  return ims_expr_op2(IMS_X_MUL, v, name(s->sym[y->comp].id));
}

/* Rate rules: d(var)/dt, for a concentration species C*f + (n/C)*rateOf(C). */
static int rate_rules(ims_sbml_t *s)
{
  for (int k = 0; k < s->nsym; k++) {
    ims__sbml_sym_t *y = &s->sym[k];
    if (!y->rate_rule)
      continue;
    ims_mdl_eq_t eq;
    int rc = ims__sbml_math(s, Rule_getMath(y->rate_rule), y->rate_rule, -1, &eq);
    if (rc)
      return rc;
    if (y->subst) {
      eq.e = ims__sbml_to_amount(s, k, eq.e);
      if (eq.e && varies_smoothly(s, y->comp))
        eq.e = ims_expr_op2(IMS_X_ADD, eq.e,
                            ims_expr_op2(IMS_X_MUL, conc_of(s, y),
                                         ims_expr_op1(IMS_X_RATEOF, name(s->sym[y->comp].id))));
      if (!eq.e)
        return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
    }
    rc = ims_mdl_set_rate(s->d, y->index, eq, s->err);
    if (rc < 0)
      return rc;
  }
  return IMS_OK;
}

/* Local parameters (renamed REACTION_ID), then each reaction's rate as an
 * intermediate and its terms in the species' rates. */
static int locals(ims_sbml_t *s)
{
  for (unsigned i = 0; i < Model_getNumReactions(s->model); i++) {
    Reaction_t *r = Model_getReaction(s->model, i);
    KineticLaw_t *kl = Reaction_getKineticLaw(r);
    if (!kl)
      continue;
    unsigned n = KineticLaw_getNumParameters(kl);
    unsigned nl = s->level >= 3 ? KineticLaw_getNumLocalParameters(kl) : 0;
    for (unsigned j = 0; j < n + nl; j++) {
      const SBase_t *p = j < n ? (const SBase_t *)KineticLaw_getParameter(kl, j)
                               : (const SBase_t *)KineticLaw_getLocalParameter(kl, j - n);
      const char *id = j < n ? Parameter_getId((const Parameter_t *)p)
                             : LocalParameter_getId((const LocalParameter_t *)p);
      double v = j < n ? Parameter_getValue((const Parameter_t *)p)
                       : LocalParameter_getValue((const LocalParameter_t *)p);
      const char *uref = j < n ? Parameter_getUnits((const Parameter_t *)p)
                               : LocalParameter_getUnits((const LocalParameter_t *)p);
      if (j >= n && KineticLaw_getParameterById(kl, id))
        continue; /* libsbml lists L3 local parameters under both */
      if (s->nlocal == s->caplocal) {
        int cap = s->caplocal ? 2 * s->caplocal : 32;
        ims__sbml_local_t *x = realloc(s->local, (size_t)cap * sizeof *x);
        if (!x)
          return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
        s->local = x;
        s->caplocal = cap;
      }
      ims__sbml_local_t *l = &s->local[s->nlocal];
      char base[300], unit[256];
      snprintf(base, sizeof base, "%s_%s", Reaction_getId(r), id);
      ims__sbml_unique_name(s, base, l->name, sizeof l->name);
      l->id = id;
      l->reaction = (int)i;
      ims__sbml_unit_or(s, uref, unit, sizeof unit, "1");
      int pi =
          ims_mdl_add_param(s->d, l->name, v, unit, ims__sbml_desc(p), v < 0 ? IMS_MDL_SIGNED : 0,
                            (int)SBase_getLine(p), (int)SBase_getColumn(p), s->err);
      if (pi < 0)
        return pi;
      s->nlocal++;
    }
  }
  return IMS_OK;
}

/* The stoichiometry of a species reference as an expression. */
static int stoich(ims_sbml_t *s, Reaction_t *r, SpeciesReference_t *sr, ims_expr_t **out)
{
  *out = NULL;
  if (s->level >= 3 && SpeciesReference_isSetId(sr)) {
    *out = name(SpeciesReference_getId(sr));
    return *out ? IMS_OK : ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  }
  StoichiometryMath_t *sm = s->level < 3 ? SpeciesReference_getStoichiometryMath(sr) : NULL;
  if (sm && StoichiometryMath_getMath(sm)) {
    ims_mdl_eq_t eq;
    int rc = ims__sbml_math(s, StoichiometryMath_getMath(sm), sm, -1, &eq);
    if (rc)
      return rc;
    char base[300], nm[300];
    snprintf(base, sizeof base, "%s_%s_stoich", Reaction_getId(r), SpeciesReference_getSpecies(sr));
    ims__sbml_unique_name(s, base, nm, sizeof nm);
    int vi = ims_mdl_add_var(s->d, nm, "1", NULL, eq, eq.line, eq.col, s->err);
    if (vi < 0)
      return vi;
    *out = name(nm);
    return *out ? IMS_OK : ims_err_set(s->err, IMS_ENOMEM, "out of memory");
  }
  double v = SpeciesReference_isSetStoichiometry(sr) || s->level < 3
                 ? SpeciesReference_getStoichiometry(sr)
                 : NAN;
  if (isnan(v))
    return ims__sbml_fail(s, sr, IMS_EINPUT, "species reference to '%s' has no stoichiometry",
                          SpeciesReference_getSpecies(sr));
  *out = ims_expr_num(v, NULL);
  return *out ? IMS_OK : ims_err_set(s->err, IMS_ENOMEM, "out of memory");
}

/* What one unit of reaction r's extent does to the amount of the species of
 * reference sr (j < nr: a reactant): -/+ stoichiometry * conversion factor. */
int ims__sbml_effect(ims_sbml_t *s, Reaction_t *r, unsigned j, ims_expr_t **out)
{
  unsigned nr = Reaction_getNumReactants(r);
  SpeciesReference_t *sr = j < nr ? Reaction_getReactant(r, j) : Reaction_getProduct(r, j - nr);
  int q = ims__sbml_sym(s, SpeciesReference_getSpecies(sr));
  ims_expr_t *st;
  int rc = stoich(s, r, sr, &st);
  if (rc)
    return rc;
  const Species_t *sp = (const Species_t *)s->sym[q].el;
  const char *cf =
      s->level >= 3 && Species_isSetConversionFactor(sp)       ? Species_getConversionFactor(sp)
      : s->level >= 3 && Model_isSetConversionFactor(s->model) ? Model_getConversionFactor(s->model)
                                                               : NULL;
  if (cf)
    st = ims_expr_op2(IMS_X_MUL, st, name(cf));
  if (j < nr)
    st = ims_expr_op1(IMS_X_NEG, st);
  *out = st;
  return st ? IMS_OK : ims_err_set(s->err, IMS_ENOMEM, "out of memory");
}

static int reactions(ims_sbml_t *s)
{
  for (unsigned i = 0; i < Model_getNumReactions(s->model); i++) {
    Reaction_t *r = Model_getReaction(s->model, i);
    int fast = Reaction_isSetFast(r) && Reaction_getFast(r);
    KineticLaw_t *kl = Reaction_getKineticLaw(r);
    ims_mdl_eq_t eq;
    int rc = ims__sbml_math(s, kl ? KineticLaw_getMath(kl) : NULL, kl ? (const void *)kl : r,
                            (int)i, &eq);
    if (rc)
      return rc;
    if (!eq.e && !(eq.e = ims_expr_num(0.0, NULL)))
      return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
    int k = ims__sbml_sym(s, Reaction_getId(r));
    s->sym[k].index =
        ims_mdl_add_var(s->d, Reaction_getId(r), NULL, ims__sbml_desc((const SBase_t *)r), eq,
                        eq.line, eq.col, s->err);
    if (s->sym[k].index < 0)
      return s->sym[k].index;
    unsigned nr = Reaction_getNumReactants(r), np = Reaction_getNumProducts(r);
    for (unsigned j = 0; j < nr + np; j++) {
      SpeciesReference_t *sr = j < nr ? Reaction_getReactant(r, j) : Reaction_getProduct(r, j - nr);
      int q = ims__sbml_sym(s, SpeciesReference_getSpecies(sr));
      if (q < 0)
        return ims__sbml_fail(s, sr, IMS_EINPUT, "reaction '%s' names unknown species '%s'",
                              Reaction_getId(r), SpeciesReference_getSpecies(sr));
      ims__sbml_sym_t *y = &s->sym[q];
      if (fast)
        continue; /* in equilibrium: sbml_fast.c */
      if (!y->fast && (y->boundary || y->constant || y->role != IMS__ROLE_STATE || y->rate_rule))
        continue; /* reactions do not change it */
      ims_expr_t *term;
      rc = ims__sbml_effect(s, r, j, &term);
      if (rc)
        return rc;
      term = ims_expr_op2(IMS_X_MUL, term, name(Reaction_getId(r)));
      if (!term)
        return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
      if (y->fast) { /* a species of a fast reaction: its slow rate */
        y->slow = y->slow ? ims_expr_op2(IMS_X_ADD, y->slow, term) : term;
        if (!y->slow)
          return ims_err_set(s->err, IMS_ENOMEM, "out of memory");
        continue;
      }
      rc = ims_mdl_add_rate_term(s->d, y->index, term, s->err);
      if (rc < 0)
        return rc;
    }
  }
  int rc = ims__sbml_fast_build(s);
  if (rc)
    return rc;
  /* a species nothing changes still needs d/dt = 0 */
  for (int k = 0; k < s->nsym; k++) {
    ims__sbml_sym_t *y = &s->sym[k];
    if (y->role == IMS__ROLE_STATE && !s->d->states[y->index].rate.e) {
      ims_expr_t *z = ims_expr_num(0.0, NULL);
      rc = z ? ims_mdl_add_rate_term(s->d, y->index, z, s->err)
             : ims_err_set(s->err, IMS_ENOMEM, "out of memory");
      if (rc < 0)
        return rc;
    }
  }
  /* A model of assignment rules only has no differential equation, and the
   * driver integrates at least one: a placeholder state, constant 0. */
  if (s->d->nstates == 0) {
    char nm[64];
    ims__sbml_unique_name(s, "no_ode", nm, sizeof nm);
    int k = ims_mdl_add_state(s->d, nm, "1", "placeholder: the model has no differential equation",
                              0.0, 0, 0, s->err);
    ims_expr_t *z = ims_expr_num(0.0, NULL);
    rc = k < 0 ? k : ims_mdl_add_rate_term(s->d, k, z, s->err);
    if (rc < 0)
      return rc;
  }
  return IMS_OK;
}

int ims__sbml_functions(ims_sbml_t *s)
{
  for (unsigned i = 0; i < Model_getNumFunctionDefinitions(s->model); i++) {
    const FunctionDefinition_t *f = Model_getFunctionDefinition(s->model, i);
    const ASTNode_t *lambda = FunctionDefinition_getMath(f);
    unsigned na = FunctionDefinition_getNumArguments(f);
    const char *args[64];
    if (!lambda || !FunctionDefinition_getBody(f))
      continue; /* L3V2: no math; a call to it is then an unknown function */
    if (na > 64)
      return ims__sbml_fail(s, f, IMS_EINPUT, "function '%s' has more than 64 arguments",
                            FunctionDefinition_getId(f));
    for (unsigned j = 0; j < na; j++)
      args[j] = ASTNode_getName(FunctionDefinition_getArgument(f, j));
    ims_mdl_eq_t body = {.line = (int)SBase_getLine((const SBase_t *)f),
                         .col = (int)SBase_getColumn((const SBase_t *)f)};
    ims_err_t e2 = {0};
    /* bodies see only their arguments: no rewriting */
    if (ims_expr_from_ast((const struct ASTNode *)FunctionDefinition_getBody(f), sbml_unit_cb, s,
                          &body.e, &e2))
      return ims__sbml_fail(s, f, e2.code ? e2.code : IMS_EINPUT, "%s", e2.msg);
    int rc = ims_mdl_add_func(s->d, FunctionDefinition_getId(f), (int)na, args, body, body.line,
                              body.col, s->err);
    if (rc < 0)
      return rc;
  }
  return IMS_OK;
}

static int refuse_delay(const ASTNode_t *math, const SBase_t *owner, void *ud)
{
  ims_sbml_t *s = ud;
  if (ims__ast_has(math, AST_FUNCTION_DELAY))
    return ims__sbml_fail(s, owner, IMS_EINPUT,
                          "unsupported: CSymbolDelay (the delay csymbol needs a history of the "
                          "solution)");
  return IMS_OK;
}

/* "is described by" and "is" references of the model's annotation (MIRIAM:
 * pubmed, doi, biomodels.db), as "pubmed/8124498; biomodels.db/BIOMD..." */
static void references(Model_t *m, char *buf, size_t n)
{
  size_t len = 0;
  buf[0] = '\0';
  for (unsigned i = 0; i < SBase_getNumCVTerms((SBase_t *)m); i++) {
    CVTerm_t *t = SBase_getCVTerm((SBase_t *)m, i);
    int described = CVTerm_getQualifierType(t) == MODEL_QUALIFIER
                        ? CVTerm_getModelQualifierType(t) == BQM_IS_DESCRIBED_BY ||
                              CVTerm_getModelQualifierType(t) == BQM_IS
                        : CVTerm_getBiologicalQualifierType(t) == BQB_IS_DESCRIBED_BY;
    XMLAttributes_t *res = described ? CVTerm_getResources(t) : NULL;
    for (int k = 0; res && k < XMLAttributes_getLength(res); k++) {
      char *uri = XMLAttributes_getValue(res, k);
      const char *tail = uri ? strstr(uri, "identifiers.org/") : NULL;
      const char *show = tail ? tail + strlen("identifiers.org/") : uri;
      if (show && len + strlen(show) + 3 < n)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "; " : "", show);
      free(uri);
    }
  }
}

static void model_info(ims_sbml_t *s, const char *path)
{
  Model_t *m = s->model;
  const char *id = Model_isSetId(m) ? Model_getId(m) : "sbml";
  const char *title = Model_isSetName(m) ? Model_getName(m) : id;
  ims_mdl_set(s->d, &s->d->title, title, NULL);
  ims_mdl_set(s->d, &s->d->family, "SBML", NULL);
  char refs[600], cite[1024];
  references(m, refs, sizeof refs);
  snprintf(cite, sizeof cite, "SBML Level %d Version %u model %s%s%s%s", s->level,
           SBMLDocument_getVersion(s->doc), id, refs[0] ? " (" : "", refs, refs[0] ? ")" : "");
  ims_mdl_set(s->d, &s->d->citation, cite, NULL);
  char *buf;
  size_t len;
  if (path && ims_table_slurp(path, &buf, &len, NULL) == IMS_OK) {
    ims_table_fnv1a64_hex(buf, len, s->d->hash);
    free(buf);
  }
  char unit[128];
  const char *tref =
      s->level >= 3 ? (Model_isSetTimeUnits(m) ? Model_getTimeUnits(m) : NULL) : "time";
  ims__sbml_unit_or(s, tref, unit, sizeof unit, s->level >= 3 ? "1" : "s");
  ims_mdl_set(s->d, &s->d->time_unit, unit, NULL);
}

static int import(ims_sbml_t **out, const char *path, const char *buf, size_t len, ims_err_t *err)
{
  *out = NULL;
  ims_sbml_t *s = calloc(1, sizeof *s);
  if (!s)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->err = err;
  s->path = strdup(path);
  int rc = !s->path ? ims_err_set(err, IMS_ENOMEM, "out of memory")
           : buf    ? ims__sbml_load_mem(path, buf, len, &s->doc, err)
                    : ims__sbml_load(path, &s->doc, err);
  if (!rc) {
    s->model = SBMLDocument_getModel(s->doc);
    s->level = (int)SBMLDocument_getLevel(s->doc);
    /* named after its file, as a model file is, so that its parameter sets are
     * params/<file stem>/ and hints name something the user can type; the
     * SBML id stays in the citation.  From memory (no file): the id. */
    char stem[256];
    const char *id = Model_isSetId(s->model) ? Model_getId(s->model) : "sbml";
    const char *b = strrchr(path, '/');
    snprintf(stem, sizeof stem, "%s", b ? b + 1 : path);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
      *dot = '\0';
    rc = ims_mdl_alloc(&s->d, !buf && stem[0] ? stem : id, err);
  }
  if (!rc) {
    ims_mdl_set(s->d, &s->d->path, path, NULL);
    model_info(s, buf ? NULL : path);
    rc = ims__sbml_each_math(s->model, refuse_delay, s);
  }
  rc = rc ? rc : ims__sbml_functions(s);
  rc = rc ? rc : ims__sbml_classify(s);
  rc = rc ? rc : locals(s);
  rc = rc ? rc : ims__sbml_declare(s);
  rc = rc ? rc : rate_rules(s);
  rc = rc ? rc : reactions(s);
  rc = rc ? rc : ims__sbml_events(s);
  rc = rc ? rc : ims__sbml_outputs(s);
  rc = rc ? rc : ims__sbml_labels(s);
  rc = rc ? rc : ims__sbml_plot(s);
  if (rc) {
    ims_sbml_free(s);
    return rc;
  }
  *out = s;
  return IMS_OK;
}

int ims_sbml_import(ims_sbml_t **out, const char *path, ims_err_t *err)
{
  return import(out, path, NULL, 0, err);
}

int ims_sbml_import_mem(ims_sbml_t **out, const char *name, const char *buf, size_t len,
                        ims_err_t *err)
{
  return import(out, name, buf ? buf : "", buf ? len : 0, err);
}

void ims_sbml_free(ims_sbml_t *s)
{
  if (!s)
    return;
  ims_mdl_free(s->d);
  if (s->doc)
    SBMLDocument_free(s->doc);
  for (int k = 0; s->sym && k < s->nsym; k++) {
    ims_expr_free(s->sym[k].alg);
    ims_expr_free(s->sym[k].slow);
  }
  free(s->sym);
  for (int i = 0; i < s->ndose; i++) {
    free(s->dose_id[i]);
    free(s->dose_state[i]);
  }
  free(s->dose_id);
  free(s->dose_state);
  free(s->local);
  free(s->path);
  free(s);
}

ims_mdl_t *ims_sbml_mdl(ims_sbml_t *s)
{
  return s->d;
}

int ims_sbml_compile(ims_sbml_t *s, const ims_mdl_opts_t *o, ims_model_t **out, ims_err_t *err)
{
  ims_mdl_opts_t def = {.no_unit_check = 1};
  ims_mdl_t *d = s->d;
  s->d = NULL;
  ims_sbml_free(s);
  return ims_mdl_compile(d, o ? o : &def, out, err);
}

int ims_sbml_read(const char *path, const ims_mdl_opts_t *o, ims_model_t **out, ims_err_t *err)
{
  ims_sbml_t *s;
  int rc = ims_sbml_import(&s, path, err);
  return rc ? rc : ims_sbml_compile(s, o, out, err);
}

int ims_sbml_is_sbml(const char *path)
{
  size_t n = strlen(path);
  if ((n > 4 && !strcmp(path + n - 4, ".xml")) || (n > 5 && !strcmp(path + n - 5, ".sbml")))
    return 1;
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return 0;
  char buf[1024];
  size_t got = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[got] = '\0';
  return strstr(buf, "<sbml") != NULL;
}
