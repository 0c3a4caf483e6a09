#include "immunosim/units.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <udunits2.h>

struct ims_units {
  ut_system *sys;
};

/* Counts of things (cells, transgene copies) are dimensionless in udunits2;
 * naming them keeps parameter files readable ("1e9 cell", "copies/ug").
 * "IU" (international units of a biologic, e.g. IL-2) is treated the same
 * way: "IU/L" converts to "IU/mL" but never to a mass concentration (like
 * every count, udunits2 cannot tell it from "cell"). */
static const char *const count_names[] = {"cell", "cells", "copies", "copy", "count", "IU"};

static int add_counts(ut_system *sys)
{
  ut_unit *one = ut_get_dimensionless_unit_one(sys);
  for (size_t i = 0; i < sizeof count_names / sizeof *count_names; i++) {
    ut_unit *old = ut_get_unit_by_name(sys, count_names[i]);
    if (old) {
      ut_free(old);
      continue;
    }
    if (ut_map_name_to_unit(count_names[i], UT_ASCII, one) != UT_SUCCESS) {
      ut_free(one);
      return -1;
    }
  }
  ut_free(one);
  return 0;
}

int ims_units_alloc(ims_units_t **out, ims_err_t *err)
{
  *out = NULL;
  /* udunits2 prints warnings about its own database to stderr by default;
   * a library must stay quiet. */
  ut_set_error_message_handler(ut_ignore);
  ims_units_t *u = calloc(1, sizeof *u);
  if (!u)
    return ims_err_set(err, IMS_ENOMEM, "out of memory loading units");
  u->sys = ut_read_xml(NULL);
  if (!u->sys) {
    free(u);
    return ims_err_set(err, IMS_EIO,
                       "cannot load the udunits2 database; install udunits-bin/libudunits2-data "
                       "or set UDUNITS2_XML_PATH");
  }
  if (add_counts(u->sys) != 0) {
    ims_units_free(u);
    return ims_err_set(err, IMS_EINTERNAL, "cannot register count units");
  }
  *out = u;
  return IMS_OK;
}

void ims_units_free(ims_units_t *u)
{
  if (!u)
    return;
  ut_free_system(u->sys);
  free(u);
}

/* An empty or "-" unit means dimensionless. */
static ut_unit *parse(const ims_units_t *u, const char *s)
{
  while (*s == ' ')
    s++;
  if (*s == '\0' || strcmp(s, "-") == 0 || strcmp(s, "1") == 0)
    return ut_get_dimensionless_unit_one(u->sys);
  return ut_parse(u->sys, s, UT_ASCII);
}

/* udunits2 reads "hh" as hecto-hours and "dd" as deci-days.  No
 * pharmacology unit puts hecto, deca or deci on a time unit, while "mL/hh"
 * or "L/dd" are easy typos of a 100x or 10x error, so such a word is
 * refused.  dL (deci-litre) and the other prefixed units stay valid. */
static const char *const time_prefix[][3] = {{"hecto", "hecto", "100"}, {"deca", "deca", "10"},
                                             {"deka", "deka", "10"},    {"deci", "deci", "0.1"},
                                             {"da", "deca", "10"},      {"h", "hecto", "100"},
                                             {"d", "deci", "0.1"}};

static ut_unit *lookup(const ims_units_t *u, const char *w)
{
  ut_unit *x = ut_get_unit_by_name(u->sys, w);
  return x ? x : ut_get_unit_by_symbol(u->sys, w);
}

static int is_time(const ims_units_t *u, const ut_unit *x)
{
  ut_unit *sec = ut_get_unit_by_name(u->sys, "second");
  int t = sec && ut_are_convertible(x, sec);
  ut_free(sec);
  return t;
}

static int check_typos(const ims_units_t *u, const char *s, ims_err_t *err)
{
  for (const char *c = s; *c;) {
    if (!isalpha((unsigned char)*c)) {
      c++;
      continue;
    }
    size_t n = 0;
    while (isalpha((unsigned char)c[n]) || c[n] == '_')
      n++;
    char w[64];
    if (n < sizeof w) {
      memcpy(w, c, n);
      w[n] = '\0';
      ut_unit *exact = lookup(u, w);
      for (size_t i = 0; !exact && i < sizeof time_prefix / sizeof *time_prefix; i++) {
        size_t lp = strlen(time_prefix[i][0]);
        if (n <= lp || strncmp(w, time_prefix[i][0], lp) != 0)
          continue;
        ut_unit *base = lookup(u, w + lp);
        int bad = base && is_time(u, base);
        ut_free(base);
        if (bad)
          return ims_err_set(err, IMS_EINPUT,
                             "unit '%s': '%s' would be read as %s-%s (%s %s); prefixes hecto, "
                             "deca and deci on time units are refused as typos: write h, d, min "
                             "or s",
                             s, w, time_prefix[i][1], w + lp, time_prefix[i][2], w + lp);
      }
      ut_free(exact);
    }
    c += n;
  }
  return IMS_OK;
}

int ims_units_factor(const ims_units_t *u, const char *from, const char *to, double *scale,
                     double *offset, ims_err_t *err)
{
  int trc = check_typos(u, from, err);
  if (trc)
    return trc;
  if (strcmp(from, to) == 0) {
    *scale = 1.0;
    *offset = 0.0;
    return IMS_OK;
  }
  ut_unit *a = parse(u, from), *b = parse(u, to);
  int rc = IMS_OK;
  if (!a)
    rc = ims_err_set(err, IMS_EINPUT, "unknown unit '%s'", from);
  else if (!b)
    rc = ims_err_set(err, IMS_EINPUT, "unknown unit '%s'", to);
  else if (!ut_are_convertible(a, b))
    rc = ims_err_set(err, IMS_EINPUT, "unit '%s' cannot be converted to '%s'", from, to);
  else {
    cv_converter *cv = ut_get_converter(a, b);
    if (!cv) {
      rc = ims_err_set(err, IMS_EINPUT, "unit '%s' cannot be converted to '%s'", from, to);
    } else {
      *offset = cv_convert_double(cv, 0.0);
      *scale = cv_convert_double(cv, 1.0) - *offset;
      cv_free(cv);
    }
  }
  ut_free(a);
  ut_free(b);
  return rc;
}

int ims_units_convert(const ims_units_t *u, const char *from, const char *to, double *value,
                      ims_err_t *err)
{
  double scale, offset;
  int rc = ims_units_factor(u, from, to, &scale, &offset, err);
  if (rc == IMS_OK)
    *value = scale * *value + offset;
  return rc;
}

/* (sbml, issue 12) The udunits2 system behind u, with immunosim's count
 * units, for code that takes units apart: the SBML export writes a unit as
 * SBML unit kinds from its udunits2 definition. */
void *ims__units_system(const ims_units_t *u)
{
  return u->sys;
}
