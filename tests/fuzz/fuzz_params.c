/* libFuzzer target: the parameter-file reader must reject or accept any
 * bytes without crashing, leaking or reading out of bounds.  The first byte
 * picks the model, so every registered model's table is exercised. */
#include "fuzz.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *csv;
  size_t len;
  const ims_model_t *m = fuzz_model(data, size, &csv, &len);
  if (!m)
    return 0;
  ims_params_t *p;
  ims_err_t err;
  if (ims_params_alloc(&p, m, &err) != 0)
    return 0;
  if (ims_params_read_mem(p, fuzz_units(), "fuzz.csv", csv, len, &err) == 0)
    (void)ims_params_finish(p, &err);
  ims_params_free(p);
  return 0;
}
