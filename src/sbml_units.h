/* SBML units as udunits2 strings, so --units, plot axes and parameter CSVs
 * work on imported models as on built-in ones. */
#ifndef IMS_SBML_UNITS_H
#define IMS_SBML_UNITS_H

#include <sbml/SBMLTypes.h>
#include <stddef.h>

/* The udunits2 spelling of a unit definition ("mmol/(L*d)", "1" when
 * dimensionless).  Returns -1 when it has none (a non-integer exponent, an
 * unknown kind, no room): the unit is then unknown. */
int ims__sbml_unitdef_string(const UnitDefinition_t *ud, char *buf, size_t n);
/* The same for a unit reference: a unit definition id, a base unit kind
 * ("mole"), or one of Level 2's predefined ids ("substance", "volume",
 * "area", "length", "time") when the model does not redefine it. */
int ims__sbml_unit(const Model_t *m, const char *ref, char *buf, size_t n);

#endif
