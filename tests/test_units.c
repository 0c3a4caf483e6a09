/* The unit policy and the parameter checks of issue 10: typos read as SI
 * prefixes on time units are refused, every unit the shipped files use is
 * still accepted, --set values are echoed as read, and zero volumes, zero
 * divisors and absurd variabilities are refused. */
#include "tests.h"

#include <math.h>
#include <string.h>

START_TEST(time_prefix_typos_refused)
{
  const char *bad[] = {"hh",    "dd",     "ds",   "dh",        "hd",      "das",
                       "dmin",  "hmin",   "dah",  "mL/hh",     "L/dd",    "1/hh",
                       "mg/dd", "L/(hh)", "h*hh", "hectohour", "decaday", "decisecond"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    double v = 1;
    ims_err_t err = {0};
    const char *to = strchr(bad[i], 'L') ? "L/d" : strncmp(bad[i], "mg", 2) ? "d" : "mg/d";
    if (!strcmp(bad[i], "1/hh"))
      to = "1/d";
    if (!strcmp(bad[i], "h*hh"))
      to = "d^2";
    ck_assert_msg(ims_units_convert(t_units(), bad[i], to, &v, &err) == IMS_EINPUT, "%s accepted",
                  bad[i]);
    ck_assert_msg(strstr(err.msg, "refused as typos"), "%s: %s", bad[i], err.msg);
  }
}
END_TEST

/* Units of the shipped parameter, schedule and rules files and the usual
 * clinical ones, deci-litre included, still convert. */
START_TEST(usual_units_accepted)
{
  const struct {
    const char *from, *to;
    double want;
  } ok[] = {{"mg/dL", "mg/L", 10},
            {"L/h", "L/d", 24},
            {"mL/min", "L/d", 1.44},
            {"1/h", "1/d", 24},
            {"h", "d", 1.0 / 24},
            {"hr", "d", 1.0 / 24},
            {"hour", "d", 1.0 / 24},
            {"day", "d", 1},
            {"min", "s", 60},
            {"ms", "s", 1e-3},
            {"week", "d", 7},
            {"ug/mL", "mg/L", 1},
            {"cell/uL", "cell/mL", 1000},
            {"pg*d/mL", "pg*h/mL", 24},
            {"1/(1e9 cell)/d", "1/cell/d", 1e-9},
            {"cell^2/d^2", "cell^2/h^2", 1.0 / 576},
            {"copies/ug", "copies/mg", 1000},
            {"IU/L", "IU/mL", 1e-3},
            {"dL", "L", 0.1},
            {"(ug/mL)*(cell/uL)", "(mg/L)*(cell/mL)", 1000}};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    double v = 1;
    ims_err_t err = {0};
    ck_assert_msg(ims_units_convert(t_units(), ok[i].from, ok[i].to, &v, &err) == 0, "%s: %s",
                  ok[i].from, err.msg);
    ck_assert_msg(fabs(v - ok[i].want) <= 1e-12 * ok[i].want, "%s -> %s: %g", ok[i].from, ok[i].to,
                  v);
  }
}
END_TEST

START_TEST(set_echo_and_refusals)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=3 mL/h", "V1=4", NULL);
  char buf[256];
  ck_assert_int_eq(ims_params_echo(p, "CL=3 mL/h", buf, sizeof buf), 0);
  ck_assert_str_eq(buf, "CL=3 mL/h -> 0.072 L/d");
  ims_err_t err = {0};
  ck_assert_int_eq(ims_params_set(p, t_units(), "CL=3mL/hh", &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "'hh' would be read as hecto-h (100 h)"), "%s", err.msg);
  ck_assert(fabs(p->value[0] - 0.072) < 1e-15); /* the refused value changed nothing */
  ck_assert_int_eq(ims_params_set(p, t_units(), "V1=0", &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "is a volume and must be above 0"), "%s", err.msg);
  ck_assert_int_eq(ims_params_set(p, t_units(), "V2=0 mL", &err), IMS_EINPUT);
  ims_params_free(p);
  const ims_model_t *st = ims_model_find("stein2019");
  p = t_params(st, "params/stein2019/tisagenlecleucel.csv", NULL);
  ck_assert_int_eq(ims_params_set(p, t_units(), "Tmax=0", &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "must be above 0 (got 0): the model divides by it"), "%s", err.msg);
  ck_assert_int_eq(ims_params_set(p, t_units(), "foldx=0", &err), IMS_EINPUT);
  ims_params_free(p);
  /* variabilities: usable ones pass, absurd ones are refused */
  const char *good = "name,value,unit,iiv\nCL,1,L/d,30%\nV1,3,L,2.4\n";
  const char *bad[] = {"name,value,unit,iiv\nCL,1,L/d,1e308%\nV1,3,L,\n",
                       "name,value,unit,iiv\nCL,1,L/d,60\nV1,3,L,\n",
                       "name,value,unit,iiv,dist\nCL,1,L/d,1e200%,normal\nV1,3,L,,\n"};
  ck_assert_int_eq(ims_params_alloc(&p, m, &err), 0);
  ck_assert_msg(ims_params_read_mem(p, t_units(), "good.csv", good, strlen(good), &err) == 0, "%s",
                err.msg);
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(ims_params_read_mem(p, t_units(), "bad.csv", bad[i], strlen(bad[i]), &err),
                     IMS_EINPUT);
    ck_assert_msg(strstr(err.msg, "bad.csv:2:") && strstr(err.msg, "iiv"), "%s", err.msg);
  }
  ims_params_free(p);
}
END_TEST

Suite *suite_units(void)
{
  Suite *s = suite_create("units");
  TCase *tc = tcase_create("policy");
  tcase_add_test(tc, time_prefix_typos_refused);
  tcase_add_test(tc, usual_units_accepted);
  tcase_add_test(tc, set_echo_and_refusals);
  suite_add_tcase(s, tc);
  return s;
}
