/* SBML import and export (issue 12).  Closed forms over random inputs from a
 * fixed seed: concentration and amount species, compartments that change,
 * doses into concentration species, conversion factors, algebraic rules and
 * fast reactions; units both ways; messages for bad files; and the export
 * of every model file read back to the same model. */
#include "sbml_units.h"
#include "tests.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------ */

static uint64_t rng = 0x5eed5b31ull;
static double urand(double lo, double hi)
{
  rng = rng * 6364136223846793005ull + 1442695040888963407ull;
  return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

/* An L3V2 model around body (compartments, species, ...): written to a
 * temporary .xml file whose path is returned (static buffer). */
static const char *doc(const char *body)
{
  static char path[64];
  snprintf(path, sizeof path, "/tmp/ims_sbml_XXXXXX.xml");
  int fd = mkstemps(path, 4);
  ck_assert_int_ge(fd, 0);
  FILE *fp = fdopen(fd, "w");
  ck_assert_ptr_nonnull(fp);
  fprintf(fp,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<sbml xmlns=\"http://www.sbml.org/sbml/level3/version2/core\" level=\"3\" "
          "version=\"2\">\n<model id=\"m\" timeUnits=\"second\">\n%s\n</model>\n</sbml>\n",
          body);
  fclose(fp);
  return path;
}

static const ims_model_t *import_ok(const char *path)
{
  const ims_model_t *m;
  ims_err_t err = {0};
  ck_assert_msg(ims_model_open(&m, path, NULL, &err) == 0, "%s", err.msg);
  return m;
}

static int import_fails(const char *path, ims_err_t *err)
{
  const ims_model_t *m = NULL;
  int rc = ims_model_open(&m, path, NULL, err);
  if (!rc)
    ims_model_close(m);
  return rc;
}

static int col(const ims_model_t *m, const char *name)
{
  int c = t_col(m, name);
  ck_assert_msg(c > 0, "no column %s", name);
  return c;
}

/* ---- units ---------------------------------------------------------------------- */

START_TEST(unit_definitions)
{
  static const struct {
    const char *units, *want;
  } cases[] = {
      {"<unit kind=\"mole\" exponent=\"1\" scale=\"-3\" multiplier=\"1\"/>", "mmol"},
      {"<unit kind=\"mole\" exponent=\"1\" scale=\"0\" multiplier=\"1\"/>"
       "<unit kind=\"litre\" exponent=\"-1\" scale=\"0\" multiplier=\"1\"/>",
       "mol/L"},
      {"<unit kind=\"second\" exponent=\"-1\" scale=\"0\" multiplier=\"86400\"/>", "1/d"},
      {"<unit kind=\"second\" exponent=\"1\" scale=\"0\" multiplier=\"3600\"/>", "h"},
      {"<unit kind=\"gram\" exponent=\"1\" scale=\"-6\" multiplier=\"1\"/>"
       "<unit kind=\"litre\" exponent=\"-1\" scale=\"-3\" multiplier=\"1\"/>",
       "ug/mL"},
      {"<unit kind=\"kilogram\" exponent=\"1\" scale=\"-3\" multiplier=\"1\"/>", "g"},
      {"<unit kind=\"item\" exponent=\"1\" scale=\"0\" multiplier=\"1\"/>", "1"},
      {"<unit kind=\"mole\" exponent=\"1\" scale=\"0\" multiplier=\"1.5\"/>", "(1.5 mol)"},
      {"<unit kind=\"litre\" exponent=\"-1\" scale=\"0\" multiplier=\"1\"/>"
       "<unit kind=\"mole\" exponent=\"-1\" scale=\"0\" multiplier=\"1\"/>"
       "<unit kind=\"second\" exponent=\"-1\" scale=\"0\" multiplier=\"1\"/>",
       "1/(L*mol*s)"},
      /* deci and hecto are never written (immunosim reads them as typos) */
      {"<unit kind=\"litre\" exponent=\"1\" scale=\"-1\" multiplier=\"1\"/>", "(0.1 L)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char body[2048], buf[256];
    snprintf(body, sizeof body,
             "<listOfUnitDefinitions><unitDefinition id=\"u\"><listOfUnits>%s</listOfUnits>"
             "</unitDefinition></listOfUnitDefinitions>",
             cases[i].units);
    const char *path = doc(body);
    SBMLDocument_t *d = readSBMLFromFile(path);
    unlink(path);
    Model_t *m = SBMLDocument_getModel(d);
    ck_assert_int_eq(ims__sbml_unit(m, "u", buf, sizeof buf), 0);
    ck_assert_msg(!strcmp(buf, cases[i].want), "case %zu: %s, want %s", i, buf, cases[i].want);
    /* and udunits2 reads it as the same quantity */
    double scale, off;
    ims_err_t err;
    ck_assert_msg(ims_units_factor(t_units(), buf, cases[i].want, &scale, &off, &err) == 0, "%s",
                  err.msg);
    SBMLDocument_free(d);
  }
  /* a non-integer exponent has no udunits2 spelling */
  const char *path = doc("<listOfUnitDefinitions><unitDefinition id=\"u\"><listOfUnits>"
                         "<unit kind=\"mole\" exponent=\"0.5\" scale=\"0\" multiplier=\"1\"/>"
                         "</listOfUnits></unitDefinition></listOfUnitDefinitions>");
  SBMLDocument_t *d = readSBMLFromFile(path);
  unlink(path);
  char buf[64];
  ck_assert_int_eq(ims__sbml_unit(SBMLDocument_getModel(d), "u", buf, sizeof buf), -1);
  SBMLDocument_free(d);
}
END_TEST

/* ---- species, compartments, reactions -------------------------------------------- */

/* A document's model run on a grid at rtol 1e-12 (the closed-form tests
 * check 1e-8, so the solver's global error must stay well below). */
typedef struct run {
  const ims_model_t *m;
  ims_params_t *p;
  trace_t tr;
  double *t;
  size_t n;
} run_t;

static void run_doc(run_t *r, const char *path, const char *sched, const char *set1,
                    const char *set2, double tend, double dt)
{
  r->m = import_ok(path);
  unlink(path);
  r->p = t_params(r->m, NULL, set1, set2, NULL);
  ims_schedule_t *s = sched ? t_sched(r->m, sched) : NULL;
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-12;
  o.atol = 1e-16;
  r->t = t_grid(0, tend, dt, &r->n);
  t_run_ok(r->p, s, &o, r->t, r->n, &r->tr);
  ims_schedule_free(s);
}

static void run_free(run_t *r)
{
  t_trace_free(&r->tr);
  free(r->t);
  ims_params_free(r->p);
  ims_model_close(r->m);
}

/* A -> B in compartment C, mass action k*[A] per volume: d[A]/dt = -k [A]
 * (closed form), the state A holds the amount [A]*C, and "[A]" reports the
 * concentration; hasOnlySubstanceUnits makes A an amount in the math. */
START_TEST(mass_action_closed_form)
{
  for (int trial = 0; trial < 100; trial++) {
    double k = urand(0.05, 2), C = urand(0.1, 10), a0 = urand(0.5, 20);
    int hosu = trial % 2;
    char body[2048];
    snprintf(body, sizeof body,
             "<listOfCompartments><compartment id=\"C\" spatialDimensions=\"3\" size=\"%.17g\" "
             "constant=\"true\"/></listOfCompartments>"
             "<listOfSpecies><species id=\"A\" compartment=\"C\" initialConcentration=\"%.17g\" "
             "hasOnlySubstanceUnits=\"%s\" boundaryCondition=\"false\" constant=\"false\"/>"
             "<species id=\"B\" compartment=\"C\" initialConcentration=\"0\" "
             "hasOnlySubstanceUnits=\"false\" boundaryCondition=\"false\" constant=\"false\"/>"
             "</listOfSpecies><listOfParameters><parameter id=\"k\" value=\"%.17g\" "
             "constant=\"true\"/></listOfParameters>"
             "<listOfReactions><reaction id=\"r\" reversible=\"false\"><listOfReactants>"
             "<speciesReference species=\"A\" stoichiometry=\"1\" constant=\"true\"/>"
             "</listOfReactants><listOfProducts><speciesReference species=\"B\" "
             "stoichiometry=\"1\" constant=\"true\"/></listOfProducts><kineticLaw><math "
             "xmlns=\"http://www.w3.org/1998/Math/MathML\"><apply><times/><ci>k</ci><ci>A</ci>"
             "%s</apply></math></kineticLaw></reaction></listOfReactions>",
             C, a0, hosu ? "true" : "false", k, hosu ? "" : "<ci>C</ci>");
    const char *path = doc(body);
    run_t r;
    run_doc(&r, path, NULL, NULL, NULL, 5, 0.5);
    const ims_model_t *m = r.m;
    const double *t = r.t;
    size_t n = r.n;
    trace_t tr = r.tr;
    int cA = col(m, "A"), cAc = col(m, "[A]"), cB = col(m, "B");
    for (size_t i = 0; i < n; i++) {
      /* hasOnlySubstanceUnits: dA/dt = -k A on amounts; else on concentrations */
      double amount = a0 * C * exp(-k * t[i]);
      ck_assert_msg(t_relerr(TR(&tr, i, cA), amount) < 1e-8, "trial %d t=%g A=%.17g want %.17g",
                    trial, t[i], TR(&tr, i, cA), amount);
      ck_assert(t_relerr(TR(&tr, i, cAc), amount / C) < 1e-8);
      ck_assert(fabs(TR(&tr, i, cB) + TR(&tr, i, cA) - a0 * C) < 1e-8 * a0 * C);
    }
    run_free(&r);
  }
}
END_TEST

/* A dose into a concentration species adds substance: [S] rises by
 * amount/volume; a species nothing else changes keeps its amount while its
 * compartment grows (rate rule dC/dt = g), so [S] = n/(C0 + g t). */
START_TEST(doses_and_growing_compartments)
{
  for (int trial = 0; trial < 50; trial++) {
    double C0 = urand(0.5, 5), g = urand(0.1, 1), s0 = urand(1, 10), amt = urand(1, 50);
    double td = urand(0.5, 3.5);
    char body[2048];
    snprintf(body, sizeof body,
             "<listOfCompartments><compartment id=\"C\" spatialDimensions=\"3\" size=\"%.17g\" "
             "constant=\"false\"/></listOfCompartments>"
             "<listOfSpecies><species id=\"S\" compartment=\"C\" initialConcentration=\"%.17g\" "
             "hasOnlySubstanceUnits=\"false\" boundaryCondition=\"false\" constant=\"false\"/>"
             "</listOfSpecies><listOfRules><rateRule variable=\"C\"><math "
             "xmlns=\"http://www.w3.org/1998/Math/MathML\"><cn>%.17g</cn></math></rateRule>"
             "</listOfRules>",
             C0, s0, g);
    const char *path = doc(body);
    char sched[256];
    snprintf(sched, sizeof sched, "time,cmt,amt\n%.17g,S,%.17g\n", td, amt);
    run_t r;
    run_doc(&r, path, sched, NULL, NULL, 4, 0.25);
    const ims_model_t *m = r.m;
    const double *t = r.t;
    size_t n = r.n;
    trace_t tr = r.tr;
    int cS = col(m, "S"), cSc = col(m, "[S]"), cC = col(m, "C");
    for (size_t i = 0; i < n; i++) {
      double amount = s0 * C0 + (t[i] >= td ? amt : 0), vol = C0 + g * t[i];
      ck_assert(t_relerr(TR(&tr, i, cC), vol) < 1e-9);
      ck_assert_msg(t_relerr(TR(&tr, i, cS), amount) < 1e-9, "trial %d t=%g S=%.10g want %.10g",
                    trial, t[i], TR(&tr, i, cS), amount);
      ck_assert(t_relerr(TR(&tr, i, cSc), amount / vol) < 1e-9);
    }
    run_free(&r);
  }
}
END_TEST

/* Parameter files and --set override SBML values and initial values. */
START_TEST(overrides)
{
  const char *path = doc(
      "<listOfCompartments><compartment id=\"C\" spatialDimensions=\"3\" size=\"2\" "
      "constant=\"true\"/></listOfCompartments><listOfSpecies><species id=\"S\" compartment=\"C\" "
      "initialConcentration=\"3\" hasOnlySubstanceUnits=\"false\" boundaryCondition=\"false\" "
      "constant=\"false\"/></listOfSpecies><listOfParameters><parameter id=\"k\" value=\"1\" "
      "constant=\"true\"/></listOfParameters><listOfRules><rateRule variable=\"S\"><math "
      "xmlns=\"http://www.w3.org/1998/Math/MathML\"><apply><times/><cn>-1</cn><ci>k</ci><ci>S</ci>"
      "</apply></math></rateRule></listOfRules>");
  run_t r;
  run_doc(&r, path, NULL, "k=0.5", "S_0=10", 2, 1);
  ck_assert_double_eq(t_par(r.p, "k"), 0.5);
  const ims_model_t *m = r.m;
  const double *t = r.t;
  size_t n = r.n;
  trace_t tr = r.tr;
  /* d[S]/dt = -k [S] with [S](0) = 10/2: the amount 10 decays at 0.5 */
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(t_relerr(TR(&tr, i, col(m, "S")), 10 * exp(-0.5 * t[i])) < 1e-9,
                  "t=%g S=%.17g want %.17g", t[i], TR(&tr, i, col(m, "S")), 10 * exp(-0.5 * t[i]));
  run_free(&r);
}
END_TEST

/* ---- algebraic rules and fast reactions ----------------------------------------- */

/* 0 = a*x + b*y - c(t): x follows y (a rate rule) exactly. */
START_TEST(algebraic_linear)
{
  for (int trial = 0; trial < 50; trial++) {
    double a = urand(0.5, 4) * (trial % 2 ? 1 : -1), b = urand(-3, 3), c = urand(0, 5);
    double rate = urand(0.1, 1);
    char body[2048];
    snprintf(body, sizeof body,
             "<listOfParameters><parameter id=\"x\" value=\"0\" constant=\"false\"/>"
             "<parameter id=\"y\" value=\"1\" constant=\"false\"/></listOfParameters>"
             "<listOfRules><rateRule variable=\"y\"><math "
             "xmlns=\"http://www.w3.org/1998/Math/MathML\"><apply><times/><cn>%.17g</cn><ci>y</ci>"
             "</apply></math></rateRule><algebraicRule><math "
             "xmlns=\"http://www.w3.org/1998/Math/MathML\"><apply><minus/><apply><plus/><apply>"
             "<times/><cn>%.17g</cn><ci>x</ci></apply><apply><times/><cn>%.17g</cn><ci>y</ci>"
             "</apply></apply><apply><times/><cn>%.17g</cn><csymbol encoding=\"text\" "
             "definitionURL=\"http://www.sbml.org/sbml/symbols/time\">t</csymbol></apply></apply>"
             "</math></algebraicRule></listOfRules>",
             -rate, a, b, c);
    const char *path = doc(body);
    run_t r;
    run_doc(&r, path, NULL, NULL, NULL, 3, 0.5);
    const ims_model_t *m = r.m;
    const double *t = r.t;
    size_t n = r.n;
    trace_t tr = r.tr;
    for (size_t i = 0; i < n; i++) {
      double y = exp(-rate * t[i]), x = (c * t[i] - b * y) / a;
      ck_assert_msg(fabs(TR(&tr, i, col(m, "x")) - x) < 1e-8 * (1 + fabs(x)),
                    "trial %d t=%g x=%.10g want %.10g", trial, t[i], TR(&tr, i, col(m, "x")), x);
    }
    run_free(&r);
  }
}
END_TEST

/* A <-> B fast (kf A - kr B), B -> 0 slow (kd B): A = kr/(kf+kr) T, the total
 * T = A + B decays at kd kf/(kf+kr) (rapid equilibrium, closed form). */
START_TEST(fast_equilibrium)
{
  for (int trial = 0; trial < 50; trial++) {
    double kf = urand(0.1, 5), kr = urand(0.1, 5), kd = urand(0.1, 1), a0 = urand(1, 10);
    char body[4096];
    snprintf(body, sizeof body,
             "<listOfCompartments><compartment id=\"C\" spatialDimensions=\"3\" size=\"1\" "
             "constant=\"true\"/></listOfCompartments><listOfSpecies>"
             "<species id=\"A\" compartment=\"C\" initialAmount=\"%.17g\" "
             "hasOnlySubstanceUnits=\"true\" boundaryCondition=\"false\" constant=\"false\"/>"
             "<species id=\"B\" compartment=\"C\" initialAmount=\"0\" "
             "hasOnlySubstanceUnits=\"true\" boundaryCondition=\"false\" constant=\"false\"/>"
             "</listOfSpecies><listOfReactions>"
             "<reaction id=\"eq\" reversible=\"true\" fast=\"true\"><listOfReactants>"
             "<speciesReference species=\"A\" stoichiometry=\"1\" constant=\"true\"/>"
             "</listOfReactants><listOfProducts><speciesReference species=\"B\" "
             "stoichiometry=\"1\" constant=\"true\"/></listOfProducts><kineticLaw><math "
             "xmlns=\"http://www.w3.org/1998/Math/MathML\"><apply><minus/><apply><times/>"
             "<cn>%.17g</cn><ci>A</ci></apply><apply><times/><cn>%.17g</cn><ci>B</ci></apply>"
             "</apply></math></kineticLaw></reaction>"
             "<reaction id=\"deg\" reversible=\"false\" fast=\"false\"><listOfReactants>"
             "<speciesReference species=\"B\" stoichiometry=\"1\" constant=\"true\"/>"
             "</listOfReactants><kineticLaw><math xmlns=\"http://www.w3.org/1998/Math/MathML\">"
             "<apply><times/><cn>%.17g</cn><ci>B</ci></apply></math></kineticLaw></reaction>"
             "</listOfReactions>",
             a0, kf, kr, kd);
    /* fast is an L3V1 attribute */
    const char *path = doc(body);
    FILE *fp = fopen(path, "r+");
    char *buf = calloc(1, 16384);
    size_t len = fread(buf, 1, 16383, fp);
    char *v = strstr(buf, "level3/version2");
    memcpy(v, "level3/version1", 15);
    v = strstr(buf, "version=\"2\"");
    v[9] = '1';
    rewind(fp);
    fwrite(buf, 1, len, fp);
    fclose(fp);
    free(buf);
    run_t r;
    run_doc(&r, path, NULL, NULL, NULL, 3, 0.5);
    const ims_model_t *m = r.m;
    const double *t = r.t;
    size_t n = r.n;
    trace_t tr = r.tr;
    for (size_t i = 0; i < n; i++) {
      double T = a0 * exp(-kd * kf / (kf + kr) * t[i]), A = kr / (kf + kr) * T;
      ck_assert_msg(t_relerr(TR(&tr, i, col(m, "A")), A) < 1e-8, "trial %d t=%g A=%.10g want %.10g",
                    trial, t[i], TR(&tr, i, col(m, "A")), A);
      ck_assert(t_relerr(TR(&tr, i, col(m, "B")), T - A) < 1e-8);
    }
    run_free(&r);
  }
}
END_TEST

/* ---- what the import refuses, and how --------------------------------------------- */

START_TEST(bad_files)
{
  ims_err_t err = {0};
  /* a reaction naming a species that does not exist: libsbml's consistency
   * check, quoted with its line and column */
  const char *path = doc("<listOfCompartments><compartment id=\"C\" spatialDimensions=\"3\" "
                         "size=\"1\" constant=\"true\"/></listOfCompartments><listOfReactions>\n"
                         "<reaction id=\"r\" reversible=\"false\"><listOfReactants>\n"
                         "<speciesReference species=\"nope\" stoichiometry=\"1\" "
                         "constant=\"true\"/></listOfReactants></reaction></listOfReactions>");
  ck_assert_int_eq(import_fails(path, &err), IMS_EINPUT);
  char where[128];
  snprintf(where, sizeof where, "%s:6:", path); /* the speciesReference's line */
  ck_assert_msg(strstr(err.msg, where) && strstr(err.msg, "nope"), "%s", err.msg);
  unlink(path);
  /* not XML at all */
  path = doc("<listOfCompartments><compartment id=");
  ck_assert_int_eq(import_fails(path, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, path) != NULL, "%s", err.msg);
  unlink(path);
  /* the delay csymbol */
  path = doc("<listOfParameters><parameter id=\"x\" value=\"1\" constant=\"false\"/>"
             "</listOfParameters><listOfRules><assignmentRule variable=\"x\"><math "
             "xmlns=\"http://www.w3.org/1998/Math/MathML\"><apply><csymbol encoding=\"text\" "
             "definitionURL=\"http://www.sbml.org/sbml/symbols/delay\">delay</csymbol><csymbol "
             "encoding=\"text\" definitionURL=\"http://www.sbml.org/sbml/symbols/time\">t"
             "</csymbol><cn>1</cn></apply></math></assignmentRule></listOfRules>");
  ck_assert_int_eq(import_fails(path, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "unsupported: CSymbolDelay") != NULL, "%s", err.msg);
  unlink(path);
  /* a missing file */
  ck_assert_int_eq(import_fails("/nonexistent/model.xml", &err), IMS_EIO);
}
END_TEST

/* ---- export ------------------------------------------------------------------------ */

/* Run a and b on one protocol (set: a parameter file or NULL; sched: CSV text
 * or NULL) at rtol 1e-12 and hold every state and output of a at every output
 * time to the column of the same name in b: 1e-9 relative plus 10*atol. */
static void same_rows(const ims_model_t *a, const ims_model_t *b, const char *set,
                      const char *sched, double tend, double dt, double atol, const char *label)
{
  ims_params_t *pa = t_params(a, set, NULL), *pb = t_params(b, set, NULL);
  ims_schedule_t *sa = sched ? t_sched(a, sched) : NULL, *sb = sched ? t_sched(b, sched) : NULL;
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-12;
  o.atol = atol;
  size_t n;
  double *t = t_grid(0, tend, dt, &n);
  trace_t ta, tb;
  t_run_ok(pa, sa, &o, t, n, &ta);
  t_run_ok(pb, sb, &o, t, n, &tb);
  for (int k = 1; k < ta.ncol; k++) {
    const char *name =
        k <= a->nstates ? a->states[k - 1].name : a->outputs[k - 1 - a->nstates].name;
    int kb = col(b, name);
    for (size_t i = 0; i < n; i++) {
      double va = TR(&ta, i, k), vb = TR(&tb, i, kb);
      ck_assert_msg(fabs(va - vb) <= 1e-9 * fabs(va) + 10 * atol, "%s: %s at t=%g: %.17g vs %.17g",
                    label, name, t[i], va, vb);
    }
  }
  t_trace_free(&ta);
  t_trace_free(&tb);
  free(t);
  ims_schedule_free(sa);
  ims_schedule_free(sb);
  ims_params_free(pa);
  ims_params_free(pb);
}

/* Every model file, exported and read back: the same states and outputs at
 * every output time (1e-9 relative at rtol 1e-12), the same parameter values
 * and units (factor 1 between the unit written and the unit read). */
START_TEST(export_roundtrip)
{
  static const struct {
    const char *file, *sched;
    double tend, dt;
  } cases[] = {
      {"models/kuznetsov1994.model", NULL, 200, 2},
      {"models/kirschner_panetta1998.model", NULL, 300, 3},
      {"models/hardiansyah2019.model", NULL, 30, 0.5},
      {"models/pk2cmt.model", "time,cmt,amt,rate\n0,A1,63,9\n7,A1,196,28\n", 14, 0.25},
      {"models/wodarz2001.model", "time,cmt,amt\n20,z,0.001\n", 100, 1},
      {"models/kimmel2021.model", NULL, 120, 1},
      {"models/cartmath2021.model", "time,cmt,amt\n42,CT,2e6\n", 100, 1},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    const ims_model_t *f;
    ims_err_t err = {0};
    ck_assert_msg(ims_model_open(&f, t_path(cases[c].file), NULL, &err) == 0, "%s", err.msg);
    char out[64];
    snprintf(out, sizeof out, "/tmp/ims_export_XXXXXX.xml");
    int fd = mkstemps(out, 4);
    close(fd);
    ck_assert_msg(ims_sbml_export(f, NULL, out, &err) == 0, "%s", err.msg);
    const ims_model_t *g = import_ok(out);
    unlink(out);
    ims_params_t *pf = t_params(f, NULL, NULL), *pg = t_params(g, NULL, NULL);
    for (int k = 0; k < f->nparams; k++) {
      int j = ims_model_param_index(g, f->params[k].name);
      ck_assert_msg(j >= 0, "%s: parameter %s lost", cases[c].file, f->params[k].name);
      double scale, off;
      ck_assert_msg(ims_units_factor(t_units(), g->params[j].unit, f->params[k].unit, &scale, &off,
                                     &err) == 0,
                    "%s", err.msg);
      ck_assert_msg(fabs(scale - 1) < 1e-12, "%s: %s unit %s read back as %s", cases[c].file,
                    f->params[k].name, f->params[k].unit, g->params[j].unit);
      ck_assert(t_relerr(pg->value[j], pf->value[k]) < 1e-15);
    }
    ims_params_free(pf);
    ims_params_free(pg);
    same_rows(f, g, NULL, cases[c].sched, cases[c].tend, cases[c].dt, 1e-12, cases[c].file);
    ims_model_close(f);
    ims_model_close(g);
  }
}
END_TEST

/* The model files written for export (models/wodarz2001.model,
 * kimmel2021.model, cartmath2021.model) reproduce their built-ins: every
 * state and output at every output time within 1e-9 relative at rtol 1e-12
 * (plus 10*atol), on the papers' protocols. */
START_TEST(model_files_for_export)
{
  static const struct {
    const char *model, *set, *sched;
    double tend, dt, atol;
  } cases[] = {
      {"wodarz2001", "params/wodarz2001/default.csv", "time,cmt,amt\n20,z,0.001\n", 300, 1, 1e-18},
      {"kimmel2021", "params/kimmel2021/axicel.csv", NULL, 365, 1, 1e-12},
      {"kimmel2021", "params/kimmel2021/axicel_supplement.csv", NULL, 365, 1, 1e-12},
      {"cartmath2021", "params/cartmath2021/hdlm2.csv", "time,cmt,amt\n42,CT,2e6\n250,T,1e6\n", 400,
       1, 1e-12},
      {"cartmath2021", "params/cartmath2021/raji.csv", "time,cmt,amt\n7,CT,1e7\n", 60, 0.5, 1e-12},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    const ims_model_t *b = ims_model_find(cases[c].model), *f;
    char path[128];
    snprintf(path, sizeof path, "models/%s.model", cases[c].model);
    ims_err_t err = {0};
    ck_assert_msg(ims_model_open(&f, t_path(path), NULL, &err) == 0, "%s", err.msg);
    same_rows(b, f, cases[c].set, cases[c].sched, cases[c].tend, cases[c].dt, cases[c].atol, path);
    ims_model_close(f);
  }
}
END_TEST

/* cartmath2021 exported from its model file with the built-in's extinction
 * rule (a state falling below 1e-6 cells is set to 0) as SBML events: read
 * back, it gives the built-in's run with its extinction triggers, the
 * extinctions included (T exactly 0 after each clearance). */
START_TEST(export_extinction_events)
{
  const ims_model_t *b = ims_model_find("cartmath2021"), *f;
  ims_err_t err = {0};
  ck_assert_msg(ims_model_open(&f, t_path("models/cartmath2021.model"), NULL, &err) == 0, "%s",
                err.msg);
  char out[64];
  snprintf(out, sizeof out, "/tmp/ims_export_XXXXXX.xml");
  close(mkstemps(out, 4));
  ims_sbml_export_opts_t eo = {.extinct_floor = b->extinct_floor};
  ck_assert_msg(ims_sbml_export(f, &eo, out, &err) == 0, "%s", err.msg);
  const ims_model_t *g = import_ok(out);
  unlink(out);
  ck_assert_int_eq(g->nevents, b->nstates);
  const char *sched = "time,cmt,amt\n42,CT,2e6\n250,T,1e6\n";
  ims_params_t *pb = t_params(b, "params/cartmath2021/hdlm2.csv", NULL),
               *pg = t_params(g, NULL, NULL);
  ims_schedule_t *sb = t_sched(b, sched), *sg = t_sched(g, sched);
  ims_trigger_t ext[8];
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-10;
  o.atol = 1e-9;
  size_t n;
  double *t = t_grid(0, 400, 1, &n);
  trace_t tg, tb;
  t_run_ok(pg, sg, &o, t, n, &tg);
  o.triggers = ext;
  o.ntriggers = ims_model_extinction(b, ext, 8);
  t_run_ok(pb, sb, &o, t, n, &tb);
  int zeros = 0;
  for (int k = 1; k <= b->nstates; k++) {
    int kg = col(g, b->states[k - 1].name);
    for (size_t i = 0; i < n; i++) {
      double vb = TR(&tb, i, k), vg = TR(&tg, i, kg);
      zeros += vb == 0 && vg == 0;
      ck_assert_msg(fabs(vb - vg) <= 1e-8 * fabs(vb) + 1e-8,
                    "%s at t=%g: SBML %.15g, built-in %.15g", b->states[k - 1].name, t[i], vg, vb);
    }
  }
  ck_assert_int_gt(zeros, 100); /* the tumour is extinct, exactly, for most of the run */
  t_trace_free(&tg);
  t_trace_free(&tb);
  free(t);
  ims_schedule_free(sb);
  ims_schedule_free(sg);
  ims_params_free(pb);
  ims_params_free(pg);
  ims_model_close(f);
  ims_model_close(g);
}
END_TEST

START_TEST(export_refuses_builtin)
{
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sbml_export(ims_model_find("stein2019"), NULL, "/tmp/never.xml", &err),
                   IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "built-in C model") != NULL, "%s", err.msg);
  ck_assert_int_ne(access("/tmp/never.xml", F_OK), 0);
}
END_TEST

Suite *suite_sbml(void)
{
  Suite *s = suite_create("sbml");
  TCase *tc = tcase_create("sbml");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, unit_definitions);
  tcase_add_test(tc, mass_action_closed_form);
  tcase_add_test(tc, doses_and_growing_compartments);
  tcase_add_test(tc, overrides);
  tcase_add_test(tc, algebraic_linear);
  tcase_add_test(tc, fast_equilibrium);
  tcase_add_test(tc, bad_files);
  tcase_add_test(tc, export_roundtrip);
  tcase_add_test(tc, model_files_for_export);
  tcase_add_test(tc, export_extinction_events);
  tcase_add_test(tc, export_refuses_builtin);
  suite_add_tcase(s, tc);
  return s;
}
