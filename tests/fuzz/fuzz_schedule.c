/* libFuzzer target: the dosing-record reader and the expansion of what it
 * accepts (addl/ii/lag/infusions) must never crash or run away. */
#include "fuzz.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *csv;
  size_t len;
  const ims_model_t *m = fuzz_model(data, size, &csv, &len);
  if (!m)
    return 0;
  ims_schedule_t *s;
  ims_err_t err;
  if (ims_schedule_alloc(&s, &err) != 0)
    return 0;
  if (ims_schedule_read_mem(s, m, fuzz_units(), "fuzz.csv", csv, len, &err) == 0) {
    ims_event_t *ev = NULL;
    long nev = 0;
    if (ims_schedule_expand(s, &ev, &nev, &err) == 0)
      free(ev);
  }
  ims_schedule_free(s);
  return 0;
}
