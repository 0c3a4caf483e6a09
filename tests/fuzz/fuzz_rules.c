/* libFuzzer target: the rules reader (state-triggered interventions) must
 * reject or accept any bytes without crashing, leaking or reading out of
 * bounds; what it accepts must describe itself without overflowing. */
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
  ims_rules_t *r;
  ims_err_t err;
  if (ims_rules_alloc(&r, &err) != 0)
    return 0;
  if (ims_rules_read_mem(r, m, units(), "fuzz.csv", (const char *)data + 1, size - 1, &err) == 0) {
    char buf[256];
    for (int i = 0; i < r->n; i++)
      ims_trigger_describe(m, &r->tr[i], buf, sizeof buf);
  }
  ims_rules_free(r);
  return 0;
}
