/* SBML export: a model with an expression form (a model file, an SBML
 * import) as SBML Level 3 Version 2 core.
 *
 *   state        a species (hasOnlySubstanceUnits, in the compartment
 *                "default" of dimension 0) with a rate rule, when its unit is an
 *                amount (a substance, a mass, or a count such as cells);
 *                otherwise a non-constant parameter with a rate rule.  Its
 *                initial value is the parameter <STATE>_0, or the state's
 *                initial assignment.
 *   parameter    a parameter with its value and unit (a unit definition);
 *                one that events change is not constant.
 *   intermediate a non-constant parameter with an assignment rule;
 *   output       the same (outputs become assignment rules);
 *   function     a function definition; event: an event.
 *   citation     the model's notes, with its title and notes.
 *   plot         (issue 15) an <ims:plot> annotation of the model (IMS__PLOT_NS).
 *
 * Units become unit definitions through udunits2: the unit's definition in
 * base units (e.g. "pg/mL" = 1e-9 kg m-3) is written with SBML's kinds
 * (gram, litre, second, mole, ...) and the factor as the scale or the
 * multiplier of the first unit, so the definition is the same quantity.
 * Counts (cell, copies, IU) are dimensionless there, as in SBML. */
#include "sbml_export.h"

#include "sbml_units.h"
#include "units_sys.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <udunits2.h>
#include <unistd.h>

/* ---- units ------------------------------------------------------------------ */

typedef struct exporter {
  const ims_model_t *m;
  const ims_mdl_t *d;
  SBMLDocument_t *doc;
  Model_t *sm;
  ims_units_t *units;
  ut_system *ut; /* its udunits2 system */
  ims_err_t *err;
  double floor;      /* the extinction rule to write as events (0: none) */
  const char **uids; /* unit strings already defined, and their ids */
  char **uid;
  int nu;
  char *doses; /* per state: doses(STATE) is read somewhere */
} exporter_t;

static const struct {
  const char *sym, *kind;
} bases[] = {{"m", "metre"},  {"kg", "kilogram"}, {"s", "second"},   {"A", "ampere"},
             {"K", "kelvin"}, {"mol", "mole"},    {"cd", "candela"}, {"rad", "radian"}};

/* The SBML unit definition of a udunits2 unit string; fails when udunits2
 * cannot read it. */
static int unitdef_fill(exporter_t *x, UnitDefinition_t *ud, const char *ustr)
{
  ut_unit *u = ut_parse(x->ut, ustr, UT_ASCII);
  if (!u)
    return -1;
  char def[512];
  int w = ut_format(u, def, sizeof def, UT_ASCII | UT_DEFINITION);
  /* def is "[factor ]sym[exp].sym[exp]..."; the factor is recomputed below
   * exactly with a converter */
  int ok = w > 0 && (size_t)w < sizeof def;
  char *p = def;
  if (ok && (isdigit((unsigned char)*p) || *p == '.')) {
    while (*p && *p != ' ')
      p++;
    while (*p == ' ')
      p++;
  }
  int e[8] = {0};
  for (char *tok = strtok(p, "."); ok && tok; tok = strtok(NULL, ".")) {
    if (!strcmp(tok, "1"))
      continue; /* "1000000000 1": a scaled dimensionless unit */
    size_t k = strcspn(tok, "-0123456789");
    int found = 0;
    for (size_t b = 0; b < sizeof bases / sizeof *bases; b++)
      if (strlen(bases[b].sym) == k && !strncmp(tok, bases[b].sym, k)) {
        e[b] += tok[k] ? atoi(tok + k) : 1;
        found = 1;
      }
    ok = found;
  }
  /* the product in SBML kinds: m^3k as litre^k, kg as gram */
  char canon[256] = "";
  size_t len = 0;
  int litre = e[0] % 3 == 0 && e[0] ? e[0] / 3 : 0;
  for (size_t b = 0; ok && b < sizeof bases / sizeof *bases; b++) {
    int ex = b == 0 && litre ? litre : e[b];
    const char *sym = b == 0 && litre ? "L" : b == 1 ? "g" : bases[b].sym;
    if (ex)
      len += (size_t)snprintf(canon + len, sizeof canon - len, "%s%s^%d", len ? "*" : "", sym, ex);
  }
  double factor = 1;
  if (ok) {
    ut_unit *c = canon[0] ? ut_parse(x->ut, canon, UT_ASCII) : ut_get_dimensionless_unit_one(x->ut);
    cv_converter *cv = c ? ut_get_converter(u, c) : NULL;
    ok = cv != NULL;
    if (cv)
      factor = cv_convert_double(cv, 1.0);
    cv_free(cv);
    ut_free(c);
  }
  ut_free(u);
  if (!ok)
    return -1;
  int first = 1;
  for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
    int ex = b == 0 && litre ? litre : e[b];
    if (!ex)
      continue;
    Unit_t *su = UnitDefinition_createUnit(ud);
    Unit_setKind(su, UnitKind_forName(b == 0 && litre ? "litre" : b == 1 ? "gram" : bases[b].kind));
    Unit_setExponent(su, ex);
    Unit_setScale(su, 0);
    double mult = 1;
    if (first) { /* (mult * kind)^ex = factor * kind^ex */
      mult = pow(factor, 1.0 / ex);
      double l = log10(mult), r = round(l);
      if (fabs(l - r) < 1e-12 && fabs(r) < 300) {
        Unit_setScale(su, (int)r);
        mult = 1;
      }
      first = 0;
    }
    Unit_setMultiplier(su, mult);
  }
  if (first) { /* dimensionless, perhaps scaled (e.g. "1e9 cell") */
    Unit_t *su = UnitDefinition_createUnit(ud);
    Unit_setKind(su, UNIT_KIND_DIMENSIONLESS);
    Unit_setExponent(su, 1);
    Unit_setScale(su, 0);
    Unit_setMultiplier(su, factor);
  }
  return 0;
}

/* The id of the unit definition for ustr (made on first use); NULL when it
 * has none. */
static const char *unit_id(exporter_t *x, const char *ustr)
{
  if (!ustr || !*ustr)
    return NULL;
  if (!strcmp(ustr, "1"))
    return "dimensionless";
  for (int i = 0; i < x->nu; i++)
    if (!strcmp(x->uids[i], ustr))
      return x->uid[i];
  char id[128] = "u_";
  size_t k = 2;
  for (const char *c = ustr; *c && k < sizeof id - 8; c++)
    id[k++] = isalnum((unsigned char)*c) ? *c : *c == '/' ? 'p' : *c == '^' ? 'e' : '_';
  id[k] = '\0';
  snprintf(id + k, sizeof id - k, "_%d", x->nu + 1);
  UnitDefinition_t *ud = Model_createUnitDefinition(x->sm);
  UnitDefinition_setId(ud, id);
  UnitDefinition_setName(ud, ustr);
  if (unitdef_fill(x, ud, ustr)) {
    UnitDefinition_t *rm = Model_removeUnitDefinitionById(x->sm, id);
    UnitDefinition_free(rm);
    return NULL;
  }
  const char **nu = realloc(x->uids, (size_t)(x->nu + 1) * sizeof *nu);
  if (nu)
    x->uids = nu;
  char **ni = realloc(x->uid, (size_t)(x->nu + 1) * sizeof *ni);
  if (ni)
    x->uid = ni;
  if (!nu || !ni || !(x->uid[x->nu] = strdup(id)))
    return NULL;
  x->uids[x->nu] = ustr;
  return x->uid[x->nu++];
}

/* ---- the document ----------------------------------------------------------- */

static int nomem(exporter_t *x)
{
  return ims_err_set(x->err, IMS_ENOMEM, "out of memory writing SBML");
}

/* Mark the states whose dose count e reads (they get a doses_STATE). */
static void mark_doses(exporter_t *x, const ims_expr_t *e)
{
  if (!e)
    return;
  if (e->op == IMS_X_DOSES && e->n == 1 && e->a[0]->op == IMS_X_NAME) {
    int i = ims_mdl_state_index(x->d, e->a[0]->name);
    if (i >= 0)
      x->doses[i] = 1;
  }
  for (int i = 0; i < e->n; i++)
    mark_doses(x, e->a[i]);
}

static int set_math(exporter_t *x, int (*setter)(void *, const ASTNode_t *), void *el,
                    const ims_expr_t *e, const char *what)
{
  mark_doses(x, e);
  ASTNode_t *a = ims__expr_to_ast(e);
  if (!a) {
    char buf[200];
    ims_expr_print(e, buf, sizeof buf);
    return ims_err_set(x->err, IMS_EINPUT, "model %s: %s '%s' has no SBML form", x->d->name, what,
                       buf);
  }
  int rc = setter(el, a);
  ASTNode_free(a);
  return rc == LIBSBML_OPERATION_SUCCESS ? IMS_OK : nomem(x);
}

/* libsbml's setters take different element types; these adapt them. */
static int rule_math(void *el, const ASTNode_t *a)
{
  return Rule_setMath(el, a);
}
static int ia_math(void *el, const ASTNode_t *a)
{
  return InitialAssignment_setMath(el, a);
}
static int trig_math(void *el, const ASTNode_t *a)
{
  return Trigger_setMath(el, a);
}
static int delay_math(void *el, const ASTNode_t *a)
{
  return Delay_setMath(el, a);
}
static int prio_math(void *el, const ASTNode_t *a)
{
  return Priority_setMath(el, a);
}
static int ea_math(void *el, const ASTNode_t *a)
{
  return EventAssignment_setMath(el, a);
}

/* A state is a species when its unit is an amount: a substance, a mass or a
 * count (dimensionless, e.g. cells). */
static int amount_unit(exporter_t *x, const char *ustr)
{
  ut_unit *u = ut_parse(x->ut, ustr && *ustr ? ustr : "1", UT_ASCII);
  if (!u)
    return 0;
  int ok = 0;
  const char *amounts[] = {"mol", "kg", "1"};
  for (size_t i = 0; i < 3 && !ok; i++) {
    ut_unit *b = ut_parse(x->ut, amounts[i], UT_ASCII);
    ok = b && ut_are_convertible(u, b);
    ut_free(b);
  }
  ut_free(u);
  return ok;
}

static int add_initial(exporter_t *x, const char *id, const ims_mdl_eq_t *init)
{
  if (!init->e)
    return IMS_OK;
  InitialAssignment_t *ia = Model_createInitialAssignment(x->sm);
  if (!ia)
    return nomem(x);
  InitialAssignment_setSymbol(ia, id);
  return set_math(x, ia_math, ia, init->e, "initial value of");
}

static int event_target(const ims_mdl_t *d, const char *name)
{
  for (int i = 0; i < d->nevents; i++)
    for (int k = 0; k < d->events[i].nassign; k++)
      if (!strcmp(d->events[i].assign[k].target, name))
        return 1;
  return 0;
}

static void set_units(exporter_t *x, SBase_t *el, const char *ustr,
                      int (*setter)(void *, const char *))
{
  const char *u = unit_id(x, ustr);
  if (u)
    setter(el, u);
}
static int par_units(void *el, const char *u)
{
  return Parameter_setUnits(el, u);
}
static int sp_units(void *el, const char *u)
{
  return Species_setSubstanceUnits(el, u);
}

static void xml_escape(char *out, size_t n, const char *s)
{
  size_t k = 0;
  for (; s && *s && k + 7 < n; s++) {
    const char *r = *s == '<'   ? "&lt;"
                    : *s == '>' ? "&gt;"
                    : *s == '&' ? "&amp;"
                    : *s == '"' ? "&quot;" /* also inside attributes */
                                : NULL;
    if (r)
      k += (size_t)snprintf(out + k, n - k, "%s", r);
    else
      out[k++] = *s;
  }
  out[k] = '\0';
}

/* The SBML name of an element: its label (a short name) or else its
 * description; a description beside a label goes into the element's notes. */
static void describe(SBase_t *el, const char *label, const char *desc)
{
  if (label || desc)
    SBase_setName(el, label ? label : desc);
  if (label && desc && strcmp(label, desc)) {
    char e[2048], body[2200];
    xml_escape(e, sizeof e, desc);
    snprintf(body, sizeof body, "<body xmlns=\"http://www.w3.org/1999/xhtml\"><p>%s</p></body>", e);
    SBase_setNotesString(el, body);
  }
}

static int params(exporter_t *x, const double *p)
{
  const ims_mdl_t *d = x->d;
  for (int i = 0; i < d->nparams; i++) {
    const ims_mdl_param_t *q = &d->params[i];
    /* the model's value: a parameter, or (X_0) a state's initial value,
     * which the state then takes by an initial assignment (state()) */
    int k = q->init.e ? -1 : ims_model_param_index(x->m, q->name);
    Parameter_t *sp = Model_createParameter(x->sm);
    if (!sp)
      return nomem(x);
    Parameter_setId(sp, q->name);
    describe((SBase_t *)sp, q->label, q->desc);
    Parameter_setValue(sp, p && k >= 0 ? p[k] : q->value);
    Parameter_setConstant(sp, !(q->flags & IMS_MDL_VARIABLE) && !event_target(d, q->name));
    set_units(x, (SBase_t *)sp, q->unit, par_units);
    int rc = add_initial(x, q->name, &q->init);
    if (rc)
      return rc;
  }
  return IMS_OK;
}

/* State i as a species in comp (NULL: a parameter) with its rate rule. */
static int state(exporter_t *x, int i, double y0, const char *comp)
{
  const ims_mdl_state_t *st = &x->d->states[i];
  if (comp) {
    Species_t *sp = Model_createSpecies(x->sm);
    if (!sp)
      return nomem(x);
    Species_setId(sp, st->name);
    describe((SBase_t *)sp, st->label, st->desc);
    Species_setCompartment(sp, comp);
    Species_setInitialAmount(sp, y0);
    Species_setHasOnlySubstanceUnits(sp, 1);
    Species_setBoundaryCondition(sp, 0);
    Species_setConstant(sp, 0);
    set_units(x, (SBase_t *)sp, st->unit, sp_units);
  } else {
    Parameter_t *sp = Model_createParameter(x->sm);
    if (!sp)
      return nomem(x);
    Parameter_setId(sp, st->name);
    describe((SBase_t *)sp, st->label, st->desc);
    Parameter_setValue(sp, y0);
    Parameter_setConstant(sp, 0);
    set_units(x, (SBase_t *)sp, st->unit, par_units);
  }
  int rc = add_initial(x, st->name, &st->init);
  char x0[300];
  snprintf(x0, sizeof x0, "%s_0", st->name);
  if (!rc && !st->init.e && ims_mdl_param_index(x->d, x0) >= 0) { /* X = X_0 at the start */
    ims_mdl_eq_t q = {.e = ims_expr_name(x0)};
    rc = q.e ? add_initial(x, st->name, &q) : nomem(x);
    ims_expr_free(q.e);
  }
  if (rc)
    return rc;
  Rule_t *r = Model_createRateRule(x->sm);
  if (!r)
    return nomem(x);
  Rule_setVariable(r, st->name);
  if (!st->rate.e)
    return ims_err_set(x->err, IMS_EINPUT, "model %s: state %s has no d/dt", x->d->name, st->name);
  return set_math(x, rule_math, r, st->rate.e, "d/dt of");
}

/* An SBML SId: a letter or '_', then letters, digits and '_'. */
static int is_sid(const char *s)
{
  if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
    return 0;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == '_'))
      return 0;
  return 1;
}

static int assigned(exporter_t *x, const ims_mdl_var_t *v, int n)
{
  for (int i = 0; i < n; i++) {
    if (!is_sid(v[i].name))
      continue; /* "[S]": a concentration the SBML import derives itself */
    Parameter_t *sp = Model_createParameter(x->sm);
    if (!sp)
      return nomem(x);
    Parameter_setId(sp, v[i].name);
    describe((SBase_t *)sp, v[i].label, v[i].desc);
    Parameter_setConstant(sp, 0);
    set_units(x, (SBase_t *)sp, v[i].unit, par_units);
    Rule_t *r = Model_createAssignmentRule(x->sm);
    if (!r)
      return nomem(x);
    Rule_setVariable(r, v[i].name);
    int rc = set_math(x, rule_math, r, v[i].def.e, "the definition of");
    if (rc)
      return rc;
  }
  return IMS_OK;
}

static int functions(exporter_t *x)
{
  for (int i = 0; i < x->d->nfuncs; i++) {
    const ims_mdl_func_t *f = &x->d->funcs[i];
    mark_doses(x, f->body.e);
    FunctionDefinition_t *fd = Model_createFunctionDefinition(x->sm);
    ASTNode_t *l = ASTNode_createWithType(AST_LAMBDA), *body = ims__expr_to_ast(f->body.e);
    if (!fd || !l || !body) {
      ASTNode_free(l);
      ASTNode_free(body);
      return body ? nomem(x)
                  : ims_err_set(x->err, IMS_EINPUT, "model %s: function %s has no SBML form",
                                x->d->name, f->name);
    }
    FunctionDefinition_setId(fd, f->name);
    for (int k = 0; k < f->nargs; k++) {
      ASTNode_t *a = ASTNode_createWithType(AST_NAME);
      ASTNode_setName(a, f->args[k]);
      ASTNode_addChild(l, a);
    }
    ASTNode_addChild(l, body);
    int rc = FunctionDefinition_setMath(fd, l);
    ASTNode_free(l);
    if (rc != LIBSBML_OPERATION_SUCCESS)
      return nomem(x);
  }
  return IMS_OK;
}

static int events(exporter_t *x)
{
  for (int i = 0; i < x->d->nevents; i++) {
    const ims_mdl_event_t *e = &x->d->events[i];
    Event_t *ev = Model_createEvent(x->sm);
    Trigger_t *t = ev ? Event_createTrigger(ev) : NULL;
    if (!t)
      return nomem(x);
    if (e->id)
      Event_setId(ev, e->id);
    Event_setUseValuesFromTriggerTime(ev, e->use_trigger_values);
    Trigger_setPersistent(t, e->persistent);
    Trigger_setInitialValue(t, e->initial_value);
    int rc = set_math(x, trig_math, t, e->trigger.e, "the trigger");
    if (!rc && e->delay.e)
      rc = set_math(x, delay_math, Event_createDelay(ev), e->delay.e, "the delay");
    if (!rc && e->priority.e)
      rc = set_math(x, prio_math, Event_createPriority(ev), e->priority.e, "the priority");
    for (int k = 0; !rc && k < e->nassign; k++) {
      EventAssignment_t *a = Event_createEventAssignment(ev);
      if (!a)
        return nomem(x);
      EventAssignment_setVariable(a, e->assign[k].target);
      const ims_mdl_assign_t *as = &e->assign[k];
      ims_expr_t *v = as->scale.e ? ims_expr_op2(IMS_X_MUL, ims_expr_copy(as->value.e),
                                                 ims_expr_copy(as->scale.e))
                                  : NULL;
      if (as->scale.e && !v)
        return nomem(x);
      /* value * scale: the amount the target is set to (with values from
       * the trigger time, SBML takes the scale then too) */
      rc = set_math(x, ea_math, a, v ? v : as->value.e, "an event assignment");
      ims_expr_free(v);
    }
    if (rc)
      return rc;
  }
  /* the model's extinction rule: a state falling below the floor is set to 0 */
  for (int i = 0; x->floor > 0 && i < x->d->nstates; i++) {
    const char *s = x->d->states[i].name;
    char f[600];
    snprintf(f, sizeof f, "%s < %.17g", s, x->floor);
    Event_t *ev = Model_createEvent(x->sm);
    Trigger_t *t = ev ? Event_createTrigger(ev) : NULL;
    EventAssignment_t *a = ev ? Event_createEventAssignment(ev) : NULL;
    ASTNode_t *tm = SBML_parseL3Formula(f), *zero = SBML_parseL3Formula("0");
    if (!t || !a || !tm || !zero) {
      ASTNode_free(tm);
      ASTNode_free(zero);
      return nomem(x);
    }
    char id[300];
    snprintf(id, sizeof id, "extinction_%s", s);
    Event_setId(ev, id);
    Event_setUseValuesFromTriggerTime(ev, 1);
    Trigger_setPersistent(t, 1);
    Trigger_setInitialValue(t, 1);
    Trigger_setMath(t, tm);
    EventAssignment_setVariable(a, s);
    EventAssignment_setMath(a, zero);
    ASTNode_free(tm);
    ASTNode_free(zero);
  }
  return IMS_OK;
}

static void free_id(const ims_mdl_t *d, const char *base, char *out, size_t n);

/* doses_STATE for every dose count read (see IMS__DOSES_NS). */
static int dose_params(exporter_t *x)
{
  for (int i = 0; i < x->d->nstates; i++) {
    if (!x->doses[i])
      continue;
    const char *st = x->d->states[i].name;
    char id[300], fr[300], ann[1024];
    ims__doses_id(st, id, sizeof id);
    free_id(x->d, id, fr, sizeof fr);
    if (strcmp(id, fr))
      return ims_err_set(x->err, IMS_EINPUT,
                         "model %s: doses(%s) is written as the SBML parameter %s, a name the "
                         "model uses; rename it",
                         x->d->name, st, id);
    Parameter_t *sp = Model_createParameter(x->sm);
    if (!sp)
      return nomem(x);
    Parameter_setId(sp, id);
    Parameter_setValue(sp, 0);
    Parameter_setConstant(sp, 0);
    Parameter_setUnits(sp, "dimensionless");
    char nm[400];
    snprintf(nm, sizeof nm, "doses given into %s so far (immunosim dosing records)", st);
    SBase_setName((SBase_t *)sp, nm);
    snprintf(ann, sizeof ann, "<annotation><ims:doses xmlns:ims=\"%s\" state=\"%s\"/></annotation>",
             IMS__DOSES_NS, st);
    if (SBase_setAnnotationString((SBase_t *)sp, ann) != LIBSBML_OPERATION_SUCCESS)
      return nomem(x);
  }
  return IMS_OK;
}

/* The default figure as the model's annotation (see IMS__PLOT_NS). */
static int plot_annotation(exporter_t *x)
{
  static const char *const scale[] = {"auto", "lin", "log"}; /* IMS_SCALE_* */
  const ims_mdl_t *d = x->d;
  if (!d->nplot)
    return IMS_OK;
  size_t cap = 200 + (size_t)d->nplot * 1600, k = 0;
  char *a = malloc(cap), id[1500];
  if (!a)
    return nomem(x);
  k += (size_t)snprintf(a, cap, "<annotation><ims:plot xmlns:ims=\"%s\">", IMS__PLOT_NS);
  for (int i = 0; i < d->nplot; i++) {
    int sc = d->plot[i].scale;
    xml_escape(id, sizeof id, d->plot[i].name);
    k += (size_t)snprintf(a + k, cap - k, "<ims:column id=\"%s\" scale=\"%s\"/>", id,
                          scale[sc >= 0 && sc <= 2 ? sc : 0]);
  }
  snprintf(a + k, cap - k, "</ims:plot></annotation>");
  int ok = SBase_setAnnotationString((SBase_t *)x->sm, a) == LIBSBML_OPERATION_SUCCESS;
  free(a);
  return ok ? IMS_OK : nomem(x);
}

static void notes(exporter_t *x)
{
  const ims_mdl_t *d = x->d;
  char t[1024], c[1024], o[4096], body[8192];
  xml_escape(t, sizeof t, d->title ? d->title : d->name);
  xml_escape(c, sizeof c, d->citation ? d->citation : x->m->citation);
  xml_escape(o, sizeof o, d->notes ? d->notes : x->m->notes);
  snprintf(body, sizeof body,
           "<body xmlns=\"http://www.w3.org/1999/xhtml\"><p>%s</p>%s%s%s%s"
           "<p>Exported by immunosim from the model %s.</p></body>",
           t, c[0] ? "<p>Citation: " : "", c, c[0] ? "</p>" : "", o[0] ? "" : "", d->name);
  if (o[0]) {
    size_t k = strlen(body) - strlen("</body>");
    snprintf(body + k, sizeof body - k, "<p>%s</p></body>", o);
  }
  SBase_setNotesString((SBase_t *)x->sm, body);
}

/* An SId not used by the model: base, base_2, ... */
static void free_id(const ims_mdl_t *d, const char *base, char *out, size_t n)
{
  snprintf(out, n, "%s", base);
  for (int k = 2;; k++) {
    int used = ims_mdl_state_index(d, out) >= 0 || ims_mdl_param_index(d, out) >= 0;
    for (int i = 0; !used && i < d->nvars; i++)
      used = !strcmp(d->vars[i].name, out);
    for (int i = 0; !used && i < d->noutputs; i++)
      used = !strcmp(d->outputs[i].name, out);
    if (!used)
      return;
    snprintf(out, n, "%s_%d", base, k);
  }
}

static int build(exporter_t *x, const double *p)
{
  const ims_mdl_t *d = x->d;
  char mid[256];
  size_t k = 0;
  for (const char *c = d->name; *c && k < sizeof mid - 1; c++)
    mid[k++] = isalnum((unsigned char)*c) || *c == '_' ? *c : '_';
  mid[k] = '\0';
  if (!k || isdigit((unsigned char)mid[0]))
    snprintf(mid, sizeof mid, "model_%s", d->name);
  Model_setId(x->sm, mid);
  Model_setName(x->sm, d->title ? d->title : d->name);
  const char *tu = unit_id(x, d->time_unit);
  if (tu)
    Model_setTimeUnits(x->sm, tu);
  notes(x);
  int nspecies = 0;
  for (int i = 0; i < d->nstates; i++)
    nspecies += amount_unit(x, d->states[i].unit);
  char comp[64] = "";
  if (nspecies) {
    free_id(d, "default", comp, sizeof comp);
    Compartment_t *c = Model_createCompartment(x->sm);
    if (!c)
      return nomem(x);
    /* species here are amounts with no volume: a compartment of dimension 0 */
    Compartment_setId(c, comp);
    Compartment_setName(c, "amounts (no volume)");
    Compartment_setSize(c, 1.0);
    Compartment_setSpatialDimensions(c, 0);
    Compartment_setConstant(c, 1);
  }
  int rc = functions(x);
  rc = rc ? rc : params(x, p);
  for (int i = 0; !rc && i < d->nstates; i++)
    rc = state(x, i, p ? p[x->m->nparams + i] : d->states[i].init_value,
               amount_unit(x, d->states[i].unit) ? comp : NULL);
  rc = rc ? rc : assigned(x, d->vars, d->nvars);
  rc = rc ? rc : assigned(x, d->outputs, d->noutputs);
  rc = rc ? rc : events(x);
  rc = rc ? rc : dose_params(x);
  rc = rc ? rc : plot_annotation(x);
  return rc;
}

int ims_sbml_export(const ims_model_t *m, const ims_sbml_export_opts_t *o, const char *path,
                    ims_err_t *err)
{
  const double *p = o ? o->p : NULL;
  const ims_mdl_t *d = ims_mdl_of(m);
  if (!d)
    return ims_err_set(err, IMS_EINPUT,
                       "model %s is a built-in C model: it has no expression form to export "
                       "(export its model file, models/%s.model, when there is one)",
                       m->name, m->name);
  exporter_t x = {.m = m, .d = d, .err = err};
  if (!(x.doses = calloc((size_t)d->nstates + 1, 1)))
    return ims_err_set(err, IMS_ENOMEM, "out of memory writing SBML");
  x.floor = o && o->extinct_floor > 0 ? o->extinct_floor : m->extinct_floor;
  int rc0 = ims_units_alloc(&x.units, err);
  if (rc0) {
    free(x.doses);
    return rc0;
  }
  x.ut = ims__units_system(x.units);
  x.doc = SBMLDocument_createWithLevelAndVersion(3, 2);
  x.sm = x.doc ? SBMLDocument_createModel(x.doc) : NULL;
  int rc = x.sm ? build(&x, p) : nomem(&x);
  char *xml = rc ? NULL : writeSBMLToString(x.doc);
  if (!rc && !xml)
    rc = nomem(&x);
  if (!rc) {
    /* libsbml's own validation of what was written */
    SBMLDocument_setConsistencyChecks(x.doc, LIBSBML_CAT_UNITS_CONSISTENCY, 0);
    SBMLDocument_setConsistencyChecks(x.doc, LIBSBML_CAT_MODELING_PRACTICE, 0);
    SBMLDocument_checkConsistency(x.doc);
    for (unsigned i = 0; !rc && i < SBMLDocument_getNumErrors(x.doc); i++) {
      const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(x.doc, i);
      if (XMLError_getSeverity(e) >= LIBSBML_SEV_ERROR)
        rc = ims_err_set(err, IMS_EINTERNAL, "model %s: the SBML written fails validation: %s",
                         d->name, XMLError_getMessage(e));
    }
  }
  if (!rc)
    rc = ims__write_all(path, xml, strlen(xml), err);
  free(xml);
  for (int i = 0; i < x.nu; i++)
    free(x.uid[i]);
  free(x.uid);
  free(x.uids);
  free(x.doses);
  if (x.doc)
    SBMLDocument_free(x.doc);
  ims_units_free(x.units);
  return rc;
}

int ims__write_all(const char *path, const char *buf, size_t len, ims_err_t *err)
{
  if (!strcmp(path, "-")) {
    if (fwrite(buf, 1, len, stdout) != len || fflush(stdout))
      return ims_err_set(err, IMS_EIO, "cannot write to standard output");
    return IMS_OK;
  }
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  FILE *fp = fopen(tmp, "wb");
  if (!fp)
    return ims_err_set(err, IMS_EIO, "%s: cannot write: %s", path, strerror(errno));
  int bad = fwrite(buf, 1, len, fp) != len;
  bad |= fclose(fp) != 0;
  if (bad || rename(tmp, path)) {
    remove(tmp);
    return ims_err_set(err, IMS_EIO, "%s: cannot write: %s", path, strerror(errno));
  }
  return IMS_OK;
}
