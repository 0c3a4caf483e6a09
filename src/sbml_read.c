/* Reading an SBML file with libsbml (see sbml_read.h).
 *
 * Order: parse (XML and schema errors are fatal), then packages (comp is
 * flattened by libsbml's converter; any other package that changes the math
 * is refused as "unsupported: NAME"), then libsbml's consistency checks.
 * Unit consistency and modelling-practice checks stay off: a model whose
 * units do not balance still has well-defined equations, and curated models
 * often carry such warnings.  Only messages of error severity refuse the
 * model; up to three are quoted, each with its line and column.  One rule is
 * not fatal: 10313, a unit attribute naming no unit definition (the SBML
 * Test Suite's L3 files use L2's predefined "area"): it carries no math, and
 * the symbols it describes get no unit. */
#include "sbml_read.h"

#include <limits.h>
#include <sbml/conversion/ConversionProperties.h>
#include <sbml/xml/XMLNamespaces.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ims__sbml_where(char *buf, size_t n, const char *path, const SBase_t *sb)
{
  unsigned line = sb ? SBase_getLine(sb) : 0, col = sb ? SBase_getColumn(sb) : 0;
  snprintf(buf, n, "%s:%u:%u", path, line, col);
}

/* Quote the first errors of the document's log (severity >= min). */
static int log_errors(const char *path, SBMLDocument_t *doc, unsigned min_sev, const char *what,
                      ims_err_t *err)
{
  char msg[IMS_ERRMSG_MAX];
  size_t len = 0;
  int shown = 0, total = 0;
  msg[0] = '\0';
  for (unsigned i = 0; i < SBMLDocument_getNumErrors(doc); i++) {
    const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(doc, i);
    if (XMLError_getSeverity(e) < min_sev || XMLError_getErrorId(e) == 10313)
      continue;
    total++;
    if (shown == 3 || len + 64 >= sizeof msg)
      continue;
    /* libsbml's messages run over several lines: keep the first sentence
     * of the specific text, on one line */
    char text[1000];
    snprintf(text, sizeof text, "%s", XMLError_getMessage(e));
    for (char *c = text; *c; c++)
      if (*c == '\n' || *c == '\r')
        *c = ' ';
    char *ref = strstr(text, " Reference: ");
    char *detail = ref ? strstr(ref + 12, "  ") : NULL;
    const char *say = detail ? detail : text;
    while (*say == ' ')
      say++;
    int w = snprintf(msg + len, sizeof msg - len, "%s%s:%u:%u: %s", shown ? "; " : "", path,
                     XMLError_getLine(e), XMLError_getColumn(e), say);
    len = w > 0 && (size_t)w < sizeof msg - len ? len + (size_t)w : sizeof msg - 1;
    shown++;
  }
  if (!total)
    return IMS_OK;
  return ims_err_set(err, IMS_EINPUT, "%s%s (%d %s; fix the file, or check it with libsbml)", msg,
                     total > shown ? " ..." : "", total, what);
}

/* The package a namespace URI belongs to ("fbc" for
 * http://www.sbml.org/sbml/level3/version1/fbc/version2), or NULL for core
 * and non-SBML namespaces. */
static const char *package_of(const char *uri, char *buf, size_t n)
{
  static const char pre[] = "http://www.sbml.org/sbml/level3/version";
  if (!uri || strncmp(uri, pre, sizeof pre - 1))
    return NULL;
  const char *p = strchr(uri + sizeof pre - 1, '/');
  if (!p || !strcmp(p, "/core"))
    return NULL;
  p++;
  size_t k = strcspn(p, "/");
  snprintf(buf, n, "%.*s", (int)k, p);
  return buf;
}

/* Packages whose content never changes the equations (diagrams, grouping). */
static int inert_package(const char *name)
{
  return !strcmp(name, "layout") || !strcmp(name, "render") || !strcmp(name, "groups");
}

static int check_packages(const char *path, SBMLDocument_t *doc, int *has_comp, ims_err_t *err)
{
  const XMLNamespaces_t *ns = SBMLDocument_getNamespaces(doc);
  *has_comp = 0;
  for (int i = 0; ns && i < XMLNamespaces_getLength(ns); i++) {
    char *uri = XMLNamespaces_getURI(ns, i);
    char name[64];
    const char *pkg = package_of(uri, name, sizeof name);
    free(uri);
    if (!pkg || inert_package(pkg))
      continue;
    if (!strcmp(pkg, "comp")) {
      *has_comp = 1;
      continue;
    }
    return ims_err_set(err, IMS_EINPUT,
                       "%s: unsupported: %s (immunosim simulates SBML core and flattens comp; "
                       "the %s package is not supported)",
                       path, pkg, pkg);
  }
  return IMS_OK;
}

static int flatten_comp(const char *path, SBMLDocument_t *doc, ims_err_t *err)
{
  ConversionProperties_t *props = ConversionProperties_create();
  ConversionOption_t *opt = ConversionOption_create("flatten comp");
  ConversionOption_setBoolValue(opt, 1);
  ConversionProperties_addOption(props, opt);
  ConversionOption_free(opt);
  int rc = SBMLDocument_convert(doc, props);
  ConversionProperties_free(props);
  if (rc != LIBSBML_OPERATION_SUCCESS) {
    int e = log_errors(path, doc, LIBSBML_SEV_ERROR, "comp flattening errors", err);
    return e ? e
             : ims_err_set(err, IMS_EINPUT,
                           "%s: unsupported: comp (libsbml could not flatten this hierarchical "
                           "model, status %d)",
                           path, rc);
  }
  return IMS_OK;
}

int ims__ast_has(const ASTNode_t *a, ASTNodeType_t type)
{
  if (!a)
    return 0;
  if (ASTNode_getType(a) == type)
    return 1;
  for (unsigned i = 0; i < ASTNode_getNumChildren(a); i++)
    if (ims__ast_has(ASTNode_getChild(a, i), type))
      return 1;
  return 0;
}

static int each(const ASTNode_t *math, const void *owner, ims__sbml_math_fn fn, void *ud)
{
  return math ? fn(math, (const SBase_t *)owner, ud) : 0;
}

int ims__sbml_each_math(const Model_t *m, ims__sbml_math_fn fn, void *ud)
{
  int r = 0;
  for (unsigned i = 0; !r && i < Model_getNumFunctionDefinitions(m); i++) {
    const FunctionDefinition_t *f = Model_getFunctionDefinition((Model_t *)m, i);
    r = each(FunctionDefinition_getMath(f), f, fn, ud);
  }
  for (unsigned i = 0; !r && i < Model_getNumRules(m); i++) {
    const Rule_t *x = Model_getRule((Model_t *)m, i);
    r = each(Rule_getMath(x), x, fn, ud);
  }
  for (unsigned i = 0; !r && i < Model_getNumInitialAssignments(m); i++) {
    const InitialAssignment_t *x = Model_getInitialAssignment((Model_t *)m, i);
    r = each(InitialAssignment_getMath(x), x, fn, ud);
  }
  for (unsigned i = 0; !r && i < Model_getNumReactions(m); i++) {
    Reaction_t *x = Model_getReaction((Model_t *)m, i);
    const KineticLaw_t *k = Reaction_getKineticLaw(x);
    if (k)
      r = each(KineticLaw_getMath(k), k, fn, ud);
    for (unsigned j = 0; !r && j < Reaction_getNumReactants(x) + Reaction_getNumProducts(x); j++) {
      unsigned nr = Reaction_getNumReactants(x);
      SpeciesReference_t *s = j < nr ? Reaction_getReactant(x, j) : Reaction_getProduct(x, j - nr);
      const StoichiometryMath_t *sm = SpeciesReference_getStoichiometryMath(s);
      if (sm)
        r = each(StoichiometryMath_getMath(sm), sm, fn, ud);
    }
  }
  for (unsigned i = 0; !r && i < Model_getNumEvents(m); i++) {
    Event_t *e = Model_getEvent((Model_t *)m, i);
    const Trigger_t *t = Event_getTrigger(e);
    const Delay_t *d = Event_getDelay(e);
    const Priority_t *p = Event_getPriority(e);
    r = t ? each(Trigger_getMath(t), t, fn, ud) : 0;
    r = !r && d ? each(Delay_getMath(d), d, fn, ud) : r;
    r = !r && p ? each(Priority_getMath(p), p, fn, ud) : r;
    for (unsigned j = 0; !r && j < Event_getNumEventAssignments(e); j++) {
      const EventAssignment_t *a = Event_getEventAssignment(e, j);
      r = each(EventAssignment_getMath(a), a, fn, ud);
    }
  }
  return r;
}

/* The checks and conversions after reading (see the top of the file). */
static int check(const char *path, SBMLDocument_t *doc, SBMLDocument_t **out, ims_err_t *err)
{
  if (!doc)
    return ims_err_set(err, IMS_ENOMEM, "%s: out of memory reading SBML", path);
  int rc = log_errors(path, doc, LIBSBML_SEV_ERROR, "SBML read errors", err);
  int has_comp = 0;
  rc = rc ? rc : check_packages(path, doc, &has_comp, err);
  if (!rc && !SBMLDocument_getModel(doc))
    rc = ims_err_set(err, IMS_EINPUT, "%s: the SBML document has no <model>", path);
  if (!rc && has_comp)
    rc = flatten_comp(path, doc, err);
  if (!rc) {
    SBMLDocument_setConsistencyChecks(doc, LIBSBML_CAT_UNITS_CONSISTENCY, 0);
    SBMLDocument_setConsistencyChecks(doc, LIBSBML_CAT_MODELING_PRACTICE, 0);
    SBMLDocument_checkConsistency(doc);
    rc = log_errors(path, doc, LIBSBML_SEV_ERROR, "SBML consistency errors", err);
  }
  if (rc) {
    SBMLDocument_free(doc);
    return rc;
  }
  *out = doc;
  return IMS_OK;
}

int ims__sbml_load(const char *path, SBMLDocument_t **out, ims_err_t *err)
{
  *out = NULL;
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return ims_err_set(err, IMS_EIO, "%s: cannot read the SBML file", path);
  fclose(fp);
  /* libsbml resolves comp external model files against the document's
   * location, which must be absolute for that to work */
  char *abs = realpath(path, NULL);
  SBMLDocument_t *doc = readSBMLFromFile(abs ? abs : path);
  free(abs);
  return check(path, doc, out, err);
}

int ims__sbml_load_mem(const char *name, const char *buf, size_t len, SBMLDocument_t **out,
                       ims_err_t *err)
{
  *out = NULL;
  char *z = malloc(len + 1); /* libsbml reads a C string */
  if (!z)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  memcpy(z, buf, len);
  z[len] = '\0';
  SBMLDocument_t *doc = readSBMLFromString(z);
  free(z);
  return check(name, doc, out, err);
}
