/* libFuzzer target: the table reader behind every input (row scanner and
 * whole-table loader with units and dose lines) must reject or accept any
 * bytes without crashing, leaking or reading out of bounds. */
#include "fuzz.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *csv;
  size_t len;
  if (!fuzz_model(data, size, &csv, &len)) /* the first byte picks the options */
    return 0;
  ims_table_t *t;
  ims_err_t err;
  unsigned flags = (data[0] & 1 ? IMS_TABLE_AUTODELIM : 0) | (data[0] & 2 ? IMS_TABLE_TEXT : 0);
  if (ims_table_load_mem(&t, "fuzz.csv", csv, len, flags, &err) == 0) {
    double s = 0;
    for (int c = 0; c < t->ncols; c++) {
      ims_table_range_t r;
      ims_table_range(t, c, &r);
      s += r.n;
    }
    for (int i = 0; i < t->ndose; i++)
      s += isinf(t->dose[i].t1);
    if (s < 0)
      __builtin_trap();
    ims_table_free(t);
  }
  return 0;
}
