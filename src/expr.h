/* Internal: helpers of the expression IR shared by the model compiler. */
#ifndef IMS_EXPR_H
#define IMS_EXPR_H

#include "immunosim/mdl.h"

/* The operator's name in the model-file syntax ("exp", "+", ...). */
const char *ims__xop_name(ims_xop_t op);

/* Case-insensitive edit distance of two short names (src/model.c). */
int ims__edit_distance(const char *a, const char *b);

#endif
