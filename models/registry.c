/* The one table of models.  Adding a model: one C file, one line here. */
#include <string.h>

#include "immunosim/model.h"

extern const ims_model_t ims_model_pk2cmt;
extern const ims_model_t ims_model_kirschner_panetta1998;
extern const ims_model_t ims_model_kuznetsov1994;

static const ims_model_t *const registry[] = {
    &ims_model_pk2cmt,
    &ims_model_kirschner_panetta1998,
    &ims_model_kuznetsov1994,
};

const ims_model_t *const *ims_model_list(int *count)
{
  *count = (int)(sizeof registry / sizeof *registry);
  return registry;
}

const ims_model_t *ims_model_find(const char *name)
{
  for (size_t i = 0; i < sizeof registry / sizeof *registry; i++)
    if (strcmp(registry[i]->name, name) == 0)
      return registry[i];
  return 0;
}
