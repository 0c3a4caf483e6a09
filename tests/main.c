#include <stdlib.h>

#include "tests.h"

int main(void)
{
  SRunner *sr = srunner_create(suite_core());
  srunner_add_suite(sr, suite_pk());
  srunner_add_suite(sr, suite_badinput());
  srunner_add_suite(sr, suite_models());
  srunner_add_suite(sr, suite_metrics());
  srunner_add_suite(sr, suite_rules());
  srunner_add_suite(sr, suite_sens());
  /* model suites */
  srunner_add_suite(sr, suite_hardiansyah2019());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
