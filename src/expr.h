/* Internal: helpers of the expression IR shared by the model compiler. */
#ifndef IMS_EXPR_H
#define IMS_EXPR_H

#include "immunosim/mdl.h"

/* The operator's name in the model-file syntax ("exp", "+", ...). */
const char *ims__xop_name(ims_xop_t op);

#endif
