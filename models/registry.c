/* The one table of models.  Adding a model: one C file, one line here. */
#include "immunosim/model.h"

#include <string.h>

extern const ims_model_t ims_model_pk2cmt;
extern const ims_model_t ims_model_stein2019;
extern const ims_model_t ims_model_hardiansyah2019;
extern const ims_model_t ims_model_kimmel2021;
extern const ims_model_t ims_model_cartmath2021;
extern const ims_model_t ims_model_chen2019;
extern const ims_model_t ims_model_hanson2016;
extern const ims_model_t ims_model_kirschner_panetta1998;
extern const ims_model_t ims_model_kuznetsov1994;
extern const ims_model_t ims_model_depillis2006;
extern const ims_model_t ims_model_wodarz2001;

/* clang-format off */
static const ims_model_t *const registry[] = {
    &ims_model_pk2cmt,
    &ims_model_stein2019,
    &ims_model_hardiansyah2019,
    &ims_model_kimmel2021,
    &ims_model_cartmath2021,
    &ims_model_chen2019,
    &ims_model_hanson2016,
    &ims_model_kirschner_panetta1998,
    &ims_model_kuznetsov1994,
    &ims_model_depillis2006,
    &ims_model_wodarz2001,
};
/* clang-format on */

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
