/* libFuzzer target: the dosing-record reader and the expansion of what it
 * accepts (addl/ii/lag/infusions) must never crash or run away. */
#include "immunosim/immunosim.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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
  ims_schedule_t *s;
  ims_err_t err;
  if (ims_schedule_alloc(&s, &err) != 0)
    return 0;
  if (ims_schedule_read_mem(s, m, units(), "fuzz.csv", (const char *)data + 1, size - 1, &err) ==
      0) {
    ims_event_t *ev = NULL;
    long nev = 0;
    if (ims_schedule_expand(s, &ev, &nev, &err) == 0)
      free(ev);
  }
  ims_schedule_free(s);
  return 0;
}
