/* SBML units as udunits2 strings (see sbml_units.h).
 *
 * A unit definition is a product of (multiplier * 10^scale * kind)^exponent.
 * Each factor becomes a prefixed symbol where one exists ("mmol", "ug"), a
 * named time ("min", "h", "d", "week") for multiples of the second, and a
 * parenthesised factor otherwise ("(1.5 mol)"); positive exponents go above
 * the line and negative ones below: "mol/(L*d)".  The prefixes d, da and h
 * are never written (immunosim refuses them on times and volumes as typos);
 * their factors are spelled out instead.  Non-integer exponents have no
 * udunits2 spelling: the unit is then unknown (""). */
#include "sbml_units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *kind, *sym;
} kinds[] = {
    {"ampere", "A"},
    {"becquerel", "Bq"},
    {"candela", "cd"},
    {"coulomb", "C"},
    {"dimensionless", ""},
    {"farad", "F"},
    {"gram", "g"},
    {"gray", "Gy"},
    {"henry", "H"},
    {"hertz", "Hz"},
    {"item", ""},
    {"joule", "J"},
    {"katal", "kat"},
    {"kelvin", "K"},
    {"kilogram", "g"},
    {"litre", "L"},
    {"liter", "L"},
    {"lumen", "lm"},
    {"lux", "lx"},
    {"metre", "m"},
    {"meter", "m"},
    {"mole", "mol"},
    {"newton", "N"},
    {"ohm", "ohm"},
    {"pascal", "Pa"},
    {"radian", "rad"},
    {"second", "s"},
    {"siemens", "S"},
    {"sievert", "Sv"},
    {"steradian", "sr"},
    {"tesla", "T"},
    {"volt", "V"},
    {"watt", "W"},
    {"weber", "Wb"},
    {"avogadro", "6.02214076e23"},
};

static const char *kind_symbol(const char *kind)
{
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (!strcmp(kinds[i].kind, kind))
      return kinds[i].sym;
  return NULL;
}

/* One factor without its exponent: "mmol", "d", "(1.5 mol)".  Returns 0 on
 * success, -1 when it has no spelling. */
static int factor(char *buf, size_t n, const char *kind, double mult, int scale)
{
  const char *sym = kind_symbol(kind);
  if (!sym)
    return -1;
  if (!strcmp(kind, "kilogram"))
    scale += 3; /* spell kilograms as grams so that prefixes compose */
  double f = mult * pow(10.0, scale);
  if (!*sym || !strcmp(kind, "avogadro")) {
    double v = *sym ? f * 6.02214076e23 : f;
    if (v == 1.0)
      buf[0] = '\0';
    else
      snprintf(buf, n, "%.15g", v);
    return 0;
  }
  if (!strcmp(sym, "s")) {
    static const struct {
      double secs;
      const char *name;
    } times[] = {{1, "s"},         {60, "min"},  {3600, "h"},  {86400, "d"},
                 {604800, "week"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}};
    for (size_t i = 0; i < sizeof times / sizeof *times; i++)
      if (fabs(f - times[i].secs) <= 1e-12 * times[i].secs) {
        snprintf(buf, n, "%s", times[i].name);
        return 0;
      }
  }
  static const struct {
    int e;
    const char *p;
  } prefixes[] = {{-18, "a"}, {-15, "f"}, {-12, "p"}, {-9, "n"}, {-6, "u"}, {-3, "m"},
                  {-2, "c"},  {0, ""},    {3, "k"},   {6, "M"},  {9, "G"},  {12, "T"}};
  for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
    double p = pow(10.0, prefixes[i].e);
    if (fabs(f - p) <= 1e-12 * p) {
      snprintf(buf, n, "%s%s", prefixes[i].p, sym);
      return 0;
    }
  }
  snprintf(buf, n, "(%.15g %s)", f, sym);
  return 0;
}

static int append(char *buf, size_t n, size_t *len, const char *sep, const char *what, int e)
{
  char ex[16] = "";
  if (e != 1)
    snprintf(ex, sizeof ex, "^%d", e);
  int w = snprintf(buf + *len, n - *len, "%s%s%s", *len ? sep : "", what, ex);
  if (w < 0 || (size_t)w >= n - *len)
    return -1;
  *len += (size_t)w;
  return 0;
}

int ims__sbml_unitdef_string(const UnitDefinition_t *ud, char *buf, size_t n)
{
  char num[256] = "", den[256] = "";
  size_t ln = 0, ld = 0, nden = 0;
  double scalar = 1.0; /* dimensionless factors (item, multipliers of 1) */
  for (unsigned i = 0; i < UnitDefinition_getNumUnits(ud); i++) {
    const Unit_t *u = UnitDefinition_getUnit((UnitDefinition_t *)ud, i);
    double ex = Unit_getExponentAsDouble(u);
    if (ex != floor(ex) || fabs(ex) > 32)
      return -1;
    int e = (int)ex;
    const char *kind = UnitKind_toString(Unit_getKind(u));
    double mult = Unit_isSetMultiplier(u) ? Unit_getMultiplier(u) : 1.0;
    char f[96];
    if (!kind || factor(f, sizeof f, kind, mult, Unit_getScale(u)))
      return -1;
    if (e == 0)
      continue;
    if (!f[0])
      continue;
    if (f[0] >= '0' && f[0] <= '9' && strchr(f, ' ') == NULL) {
      scalar *= pow(strtod(f, NULL), e); /* a pure number: dimensionless scale */
      continue;
    }
    if (e > 0 ? append(num, sizeof num, &ln, "*", f, e) : append(den, sizeof den, &ld, "*", f, -e))
      return -1;
    nden += e < 0;
  }
  char sc[32] = "";
  if (scalar != 1.0)
    snprintf(sc, sizeof sc, "%.15g%s", scalar, ln ? " " : "");
  int w;
  if (!ld)
    w = snprintf(buf, n, "%s%s", sc, ln || sc[0] ? num : "1");
  else
    w = snprintf(buf, n, "%s%s/%s%s%s", sc, ln || sc[0] ? num : "1", nden > 1 ? "(" : "", den,
                 nden > 1 ? ")" : "");
  return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* Level 2's predefined unit ids and their defaults. */
static const char *l2_default(const char *ref)
{
  if (!strcmp(ref, "substance"))
    return "mol";
  if (!strcmp(ref, "volume"))
    return "L";
  if (!strcmp(ref, "area"))
    return "m^2";
  if (!strcmp(ref, "length"))
    return "m";
  if (!strcmp(ref, "time"))
    return "s";
  return NULL;
}

int ims__sbml_unit(const Model_t *m, const char *ref, char *buf, size_t n)
{
  buf[0] = '\0';
  if (!ref || !*ref)
    return -1;
  UnitDefinition_t *ud = Model_getUnitDefinitionById((Model_t *)m, ref);
  if (ud)
    return ims__sbml_unitdef_string(ud, buf, n);
  const char *sym = kind_symbol(ref);
  if (sym && strcmp(ref, "avogadro")) {
    if (!strcmp(ref, "kilogram"))
      sym = "kg";
    snprintf(buf, n, "%s", *sym ? sym : "1");
    return 0;
  }
  if (SBase_getLevel((const SBase_t *)m) < 3) {
    const char *d = l2_default(ref);
    if (d) {
      snprintf(buf, n, "%s", d);
      return 0;
    }
  }
  return -1;
}
