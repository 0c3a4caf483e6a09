#include "tests.h"

#include <stdlib.h>

int main(void)
{
  SRunner *sr = srunner_create(suite_core());
  srunner_add_suite(sr, suite_pk());
  srunner_add_suite(sr, suite_badinput());
  srunner_add_suite(sr, suite_models());
  srunner_add_suite(sr, suite_metrics());
  srunner_add_suite(sr, suite_rules());
  srunner_add_suite(sr, suite_sens());
  srunner_add_suite(sr, suite_timeline());
  srunner_add_suite(sr, suite_crossings());
  srunner_add_suite(sr, suite_sens_jump());
  srunner_add_suite(sr, suite_switches());
  srunner_add_suite(sr, suite_failure());
  srunner_add_suite(sr, suite_units());
  srunner_add_suite(sr, suite_table());
  srunner_add_suite(sr, suite_figure());

  srunner_add_suite(sr, suite_population());
  srunner_add_suite(sr, suite_nvec());
  srunner_add_suite(sr, suite_aug());
  srunner_add_suite(sr, suite_bands());
  srunner_add_suite(sr, suite_covariates());
  srunner_add_suite(sr, suite_dynamics());
  srunner_add_suite(sr, suite_continuation());
  srunner_add_suite(sr, suite_oscill());
  srunner_add_suite(sr, suite_portrait());
  srunner_add_suite(sr, suite_output());
  srunner_add_suite(sr, suite_modelfiles());
  srunner_add_suite(sr, suite_expr());
  srunner_add_suite(sr, suite_sbml());
  srunner_add_suite(sr, suite_export());
  srunner_add_suite(sr, suite_biomodels());
  /* model suites */
  srunner_add_suite(sr, suite_hardiansyah2019());

  srunner_add_suite(sr, suite_cartmath2021());
  srunner_add_suite(sr, suite_chen2019());
  srunner_add_suite(sr, suite_hanson2016());

  srunner_add_suite(sr, suite_stein2019());
  srunner_add_suite(sr, suite_kimmel2021());

  srunner_add_suite(sr, suite_depillis2006());
  srunner_add_suite(sr, suite_wodarz2001());

  srunner_add_suite(sr, suite_kirschner_panetta1998());
  srunner_add_suite(sr, suite_kuznetsov1994());
  srunner_add_suite(sr, suite_ipilimumab_feng2014());
  srunner_add_suite(sr, suite_bevacizumab_han2016());

  srunner_add_suite(sr, suite_gevertz2018());
  srunner_add_suite(sr, suite_hosseini2020());
  srunner_add_suite(sr, suite_dwivedi2014());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
