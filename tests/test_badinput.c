/* The bad-input corpus: every file in tests/data/bad/ must be refused with
 * exactly the one-line message in its .expect file (file:line:col first).
 * p_*.csv are pk2cmt parameter files, s_*.csv pk2cmt schedules, r_*.csv
 * pk2cmt rules, c_*.csv pk2cmt covariate tables. */
#include "tests.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void expect_of(const char *path, char *buf, size_t n)
{
  char p[4096];
  snprintf(p, sizeof p, "%.*s.expect", (int)(strlen(path) - 4), path);
  FILE *f = fopen(p, "r");
  ck_assert_msg(f != NULL, "missing %s", p);
  ck_assert(fgets(buf, (int)n, f) != NULL);
  fclose(f);
  buf[strcspn(buf, "\n")] = '\0';
}

START_TEST(corpus)
{
  ck_assert_int_eq(chdir(t_srcdir()), 0);
  DIR *d = opendir("tests/data/bad");
  ck_assert(d != NULL);
  const ims_model_t *m = ims_model_find("pk2cmt");
  int count = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 4, ".csv") != 0)
      continue;
    char path[600], want[2048];
    snprintf(path, sizeof path, "tests/data/bad/%s", e->d_name);
    expect_of(path, want, sizeof want);
    ims_err_t err = {0};
    int rc;
    if (e->d_name[0] == 'r') {
      ims_rules_t *r;
      ck_assert_int_eq(ims_rules_alloc(&r, &err), 0);
      rc = ims_rules_read(r, m, t_units(), path, &err);
      ims_rules_free(r);
    } else if (e->d_name[0] == 'c') {
      ims_covtab_t *c = NULL;
      rc = ims_covtab_read(&c, m, t_units(), path, &err);
      ck_assert(rc != IMS_OK || c != NULL);
      ims_covtab_free(c);
    } else if (e->d_name[0] == 'p') {
      ims_params_t *p;
      ck_assert_int_eq(ims_params_alloc(&p, m, &err), 0);
      rc = ims_params_read(p, t_units(), path, &err);
      ims_params_free(p);
    } else {
      ims_schedule_t *s;
      ck_assert_int_eq(ims_schedule_alloc(&s, &err), 0);
      rc = ims_schedule_read(s, m, t_units(), path, &err);
      ims_schedule_free(s);
    }
    ck_assert_msg(rc == IMS_EINPUT, "%s: accepted (rc %d)", path, rc);
    ck_assert_msg(strcmp(err.msg, want) == 0, "%s:\n got  %s\n want %s", path, err.msg, want);
    ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0 && err.msg[strlen(path)] == ':',
                  "%s: message does not start with file:line", path);
    count++;
  }
  closedir(d);
  ck_assert_int_ge(count, 25);
}
END_TEST

Suite *suite_badinput(void)
{
  Suite *s = suite_create("bad input");
  TCase *tc = tcase_create("corpus");
  tcase_add_test(tc, corpus);
  suite_add_tcase(s, tc);
  return s;
}
