/* Internal: the udunits2 system behind an ims_units_t (src/units.c). */
#ifndef IMS_UNITS_SYS_H
#define IMS_UNITS_SYS_H

#include "immunosim/units.h"

/* A ut_system * (udunits2), owned by u. */
void *ims__units_system(const ims_units_t *u);

#endif
