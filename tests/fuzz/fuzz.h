/* Shared by the libFuzzer targets: one units system, and the model picked by
 * the input's first byte so every registered model's tables are exercised. */
#ifndef IMS_FUZZ_H
#define IMS_FUZZ_H

#include "immunosim/immunosim.h"

#include <stddef.h>
#include <stdint.h>

static inline ims_units_t *fuzz_units(void)
{
  static ims_units_t *u; /* the fuzzer is single-threaded; built once */
  ims_err_t err;
  if (!u && ims_units_alloc(&u, &err) != 0)
    __builtin_trap();
  return u;
}

/* NULL for an empty input; otherwise the model, with *csv and *len the rest. */
static inline const ims_model_t *fuzz_model(const uint8_t *data, size_t size, const char **csv,
                                            size_t *len)
{
  int n;
  const ims_model_t *const *ms = ims_model_list(&n);
  if (size < 1)
    return NULL;
  *csv = (const char *)data + 1;
  *len = size - 1;
  return ms[data[0] % n];
}

#endif
