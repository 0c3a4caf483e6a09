/* libFuzzer target: the parameter-file reader must reject or accept any
 * bytes without crashing, leaking or reading out of bounds.  The first byte
 * picks the model, so every registered model's table is exercised. */
#include "immunosim/immunosim.h"

#include <stddef.h>
#include <stdint.h>

static ims_units_t *units(void)
{
  static ims_units_t *u; /* the fuzzer is single-threaded; built once */
  ims_err_t err;
  if (!u && ims_units_alloc(&u, &err) != 0)
    __builtin_trap();
  return u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  int n;
  const ims_model_t *const *ms = ims_model_list(&n);
  if (size < 1)
    return 0;
  const ims_model_t *m = ms[data[0] % n];
  ims_params_t *p;
  ims_err_t err;
  if (ims_params_alloc(&p, m, &err) != 0)
    return 0;
  if (ims_params_read_mem(p, units(), "fuzz.csv", (const char *)data + 1, size - 1, &err) == 0)
    (void)ims_params_finish(p, &err);
  ims_params_free(p);
  return 0;
}
