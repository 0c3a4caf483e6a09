/* libFuzzer target: the rules reader (state-triggered interventions) must
 * reject or accept any bytes without crashing, leaking or reading out of
 * bounds; what it accepts must describe itself without overflowing. */
#include "fuzz.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *csv;
  size_t len;
  const ims_model_t *m = fuzz_model(data, size, &csv, &len);
  if (!m)
    return 0;
  ims_rules_t *r;
  ims_err_t err;
  if (ims_rules_alloc(&r, &err) != 0)
    return 0;
  if (ims_rules_read_mem(r, m, fuzz_units(), "fuzz.csv", csv, len, &err) == 0) {
    char buf[256];
    for (int i = 0; i < r->n; i++)
      ims_trigger_describe(m, &r->tr[i], buf, sizeof buf);
  }
  ims_rules_free(r);
  return 0;
}
