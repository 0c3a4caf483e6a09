#include "immunosim/units.h"

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

int ims_units_factor(const ims_units_t *u, const char *from, const char *to, double *scale,
                     double *offset, ims_err_t *err)
{
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
