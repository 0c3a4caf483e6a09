#include "tests.h"
Suite *suite_continuation(void)
{
  return suite_create("continuation");
}
