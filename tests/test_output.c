/* Outputs: numbers that read back bit for bit, groups of files committed all
 * or nothing, derived column names R and pandas keep, "did you mean" for
 * shipped names, and the run entry point a C program uses. */
#include "tests.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(num_round_trip)
{
  uint64_t s = 2024;
  char b[IMS_NUMBUF], c[IMS_NUMBUF];
  long n17 = 0;
  for (int i = 0; i < 200000; i++) {
    uint64_t bits = t_mix(&s);
    double v;
    if (i % 2) { /* values of every magnitude */
      memcpy(&v, &bits, sizeof v);
      if (!isfinite(v))
        continue;
    } else /* and values like those a simulation computes */
      v = (double)(bits >> 11) / 9007199254740992.0 * pow(10, (int)(bits % 17) - 8);
    ims_fmt_num(b, v);
    ck_assert_msg(strtod(b, NULL) == v, "%s does not read back to %.17g", b, v);
    /* shortest: when 15 digits read back, those are what is written */
    snprintf(c, sizeof c, "%.15g", v);
    if (strtod(c, NULL) == v)
      ck_assert_str_eq(b, c);
    n17 += strtod(c, NULL) != v;
  }
  ck_assert_int_gt(n17, 1000); /* the test met values that need 16-17 digits */
  ck_assert_str_eq(ims_fmt_num(b, 0.1), "0.1");
  ck_assert_str_eq(ims_fmt_num(b, 0.1 + 0.2), "0.30000000000000004");
  ck_assert_str_eq(ims_fmt_num(b, 1.0 / 3), "0.3333333333333333");
  ck_assert_str_eq(ims_fmt_num(b, 3.5), "3.5");
  ck_assert_str_eq(ims_fmt_num(b, -0.0), "-0");
  ck_assert_str_eq(ims_fmt_num(b, NAN), "NaN");
  ck_assert_str_eq(ims_fmt_num(b, INFINITY), "Inf");
  ck_assert_str_eq(ims_fmt_num(b, -INFINITY), "-Inf");
  ck_assert_str_eq(ims_fmt_num(b, 1e300 * 10), "1e+301");
}
END_TEST

/* The printf definition of ims_fmt_num: %.15g, %.16g, %.17g in turn. */
static const char *fmt_printf(char *buf, double v)
{
  for (int prec = 15; prec < 17; prec++) {
    snprintf(buf, IMS_NUMBUF, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      return buf;
  }
  snprintf(buf, IMS_NUMBUF, "%.17g", v);
  return buf;
}

/* ims_fmt_num rounds one %.16e to 15 and 16 digits itself: the same strings
 * as printf's over a million doubles of every kind (bit patterns of every
 * exponent, subnormals, short decimals and their neighbours, integers,
 * powers of ten, digits that carry, and exact ties of the 17-digit string). */
START_TEST(num_same_as_printf)
{
  uint64_t s = 77;
  char a[IMS_NUMBUF], b[IMS_NUMBUF];
  long ties = 0;
  for (long i = 0; i < 1000000; i++) {
    uint64_t bits = t_mix(&s);
    double v;
    switch (i % 6) {
    case 0: /* any finite double */
      memcpy(&v, &bits, sizeof v);
      if (!isfinite(v))
        continue;
      break;
    case 1: /* short decimals and their neighbours */
      v = (double)(bits % 100000) / pow(10, (double)(bits >> 60));
      v = (bits >> 20) % 3 == 0 ? nextafter(v, 0) : (bits >> 20) % 3 == 1 ? nextafter(v, 1e300) : v;
      break;
    case 2: /* integers and powers of ten with 9s that carry */
      v = (double)((bits >> 11) % 1000000000000000000ULL) * pow(10, (int)(bits % 40) - 20);
      break;
    case 3: /* subnormals and the smallest normals */
      bits &= 0x801FFFFFFFFFFFFFULL;
      memcpy(&v, &bits, sizeof v);
      break;
    case 4: /* 17-digit strings with a tie at the 15th or 16th digit */
      v = (1 + (double)(bits % 1000000000000000ULL) * 1e-15 + ((bits >> 50) % 2 ? 5e-16 : 5e-17)) *
          pow(10, (int)(bits % 30) - 15);
      break;
    default: /* what a simulation computes */
      v = (double)(bits >> 11) / 9007199254740992.0 * pow(10, (int)(bits % 17) - 8);
    }
    if ((i & 1) && v != 0)
      v = -v;
    ims_fmt_num(a, v);
    fmt_printf(b, v);
    ck_assert_msg(strcmp(a, b) == 0, "%.17g: %s, printf %s", v, a, b);
    char e[40];
    snprintf(e, sizeof e, "%.16e", v);
    const char *d = e + (e[0] == '-');
    ties += (d[16] == '5' && d[17] == '0') || d[17] == '5';
  }
  ck_assert_int_gt(ties, 1000); /* the tie fallback was exercised */
  const double edge[] = {9.9999999999999995e22,
                         1e-5,
                         123456789012345678.0,
                         4.94e-324,
                         2.2250738585072014e-308,
                         1.7976931348623157e308,
                         100000,
                         0.0001234,
                         9.5,
                         0.95,
                         99999.99999999999,
                         1e15,
                         1e16,
                         1e17,
                         5e-5,
                         0.00001};
  for (size_t i = 0; i < sizeof edge / sizeof *edge; i++)
    ck_assert_str_eq(ims_fmt_num(a, edge[i]), fmt_printf(b, edge[i]));
  ck_assert_str_eq(ims_fmt_num(a, 1e-5), "1e-05");
  ck_assert_str_eq(ims_fmt_num(a, 100000), "100000");
  ck_assert_str_eq(ims_fmt_num(a, 0.0001234), "0.0001234");
}
END_TEST

static char dir[256];

static void make_dir(void)
{
  snprintf(dir, sizeof dir, "/tmp/ims_output_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Files in dir (temporary ones included). */
static int nfiles(void)
{
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e = readdir(d); e; e = readdir(d))
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

static void clean_dir(void)
{
  DIR *d = opendir(dir);
  char p[600];
  for (struct dirent *e = readdir(d); e; e = readdir(d))
    if (e->d_name[0] != '.') {
      snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      unlink(p);
    }
  closedir(d);
  rmdir(dir);
}

static int tmp_seen;
static void count_tmp(void *ud, const char *tmp, int created)
{
  (void)ud;
  ck_assert_ptr_nonnull(strstr(tmp, ".tmp."));
  tmp_seen += created ? 1 : -1;
}

START_TEST(outset_all_or_nothing)
{
  ims_err_t err;
  ims_outset_t *g;
  ims_output_t *a, *b;
  char pa[300], pb[300];
  make_dir();
  snprintf(pa, sizeof pa, "%s/a.csv", dir);
  snprintf(pb, sizeof pb, "%s/b.csv", dir);
  /* committed together */
  ck_assert_int_eq(ims_outset_alloc(&g, count_tmp, NULL, &err), 0);
  ck_assert_int_eq(ims_outset_open(g, &a, pa, IMS_FMT_CSV, &err), 0);
  ck_assert_int_eq(ims_outset_open(g, &b, pb, IMS_FMT_CSV, &err), 0);
  ck_assert_int_eq(tmp_seen, 2);
  ck_assert_int_eq(nfiles(), 2); /* the temporary files exist from the start */
  ck_assert_int_ne(ims_outset_open(g, &b, pb, IMS_FMT_CSV, &err), 0); /* one path, two outputs */
  ims_output_line(a, "x");
  ims_output_line(b, "y");
  ck_assert_int_eq(ims_outset_commit(g, &err), 0);
  ck_assert_int_eq(tmp_seen, 0);
  ck_assert_int_eq(access(pa, F_OK) | access(pb, F_OK), 0);
  ck_assert_int_eq(nfiles(), 2);
  ims_outset_free(g);
  unlink(pa);
  unlink(pb);
  /* one output fails: no file at all, the message names the failing one */
  ck_assert_int_eq(ims_outset_alloc(&g, count_tmp, NULL, &err), 0);
  ck_assert_int_eq(ims_outset_open(g, &a, pa, IMS_FMT_CSV, &err), 0);
  ck_assert_int_eq(ims_outset_open(g, &b, "/dev/full", IMS_FMT_CSV, &err), 0);
  ims_output_line(a, "x");
  ims_output_line(b, "y");
  ck_assert_int_eq(ims_outset_commit(g, &err), IMS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "/dev/full: cannot write"));
  ck_assert_int_eq(nfiles(), 0);
  ck_assert_int_eq(tmp_seen, 0);
  ims_outset_free(g);
  /* aborted: nothing */
  ck_assert_int_eq(ims_outset_alloc(&g, count_tmp, NULL, &err), 0);
  ck_assert_int_eq(ims_outset_open(g, &a, pa, IMS_FMT_CSV | IMS_OUT_NO_META, &err), 0);
  ims_outset_free(g);
  ck_assert_int_eq(nfiles(), 0);
  ck_assert_int_eq(tmp_seen, 0);
  /* refused at open, before any work */
  ck_assert_int_eq(ims_output_open(&a, "", IMS_FMT_CSV, &err), IMS_EINPUT);
  ck_assert_int_eq(ims_output_open(&a, dir, IMS_FMT_CSV, &err), IMS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
  snprintf(pa, sizeof pa, "%s/no/such/dir.csv", dir);
  ck_assert_int_eq(ims_output_open(&a, pa, IMS_FMT_CSV, &err), IMS_EIO);
  clean_dir();
}
END_TEST

START_TEST(no_metadata)
{
  ims_err_t err;
  ims_output_t *o;
  char p[300], buf[256] = "";
  make_dir();
  snprintf(p, sizeof p, "%s/n.csv", dir);
  ck_assert_int_eq(ims_output_open(&o, p, IMS_FMT_CSV | IMS_OUT_NO_META, &err), 0);
  const char *names[2] = {"time", "C1"}, *units[2] = {"d", "mg/L"};
  double row[2] = {0.5, 1.0 / 3};
  ims_output_comment(o, "model: x");
  ims_output_line(o, "# units: skipped too");
  ims_output_header(o, 2, names, units);
  ims_output_row(o, row, 2);
  ck_assert_int_eq(ims_output_commit(o, &err), 0);
  FILE *fp = fopen(p, "r");
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  ck_assert_str_eq(buf, "time,C1\n0.5,0.3333333333333333\n");
  clean_dir();
}
END_TEST

START_TEST(column_names)
{
  char b[128];
  static const char *const cases[][3] = {
      {"C1", "max", "C1_max"},
      {"amt[1]", NULL, "amt_1"},
      {"C1", "CL", "C1_CL"},
      {"3.3:47.7", "C1_max", "X3.3_47.7_C1_max"},
      {"last", "C1_auc", "last_C1_auc"},
      {"CART_PB", "p05", "CART_PB_p05"},
      {"B", "B_0", "B_B_0"},
      {"ratio", "a-b c", "ratio_a_b_c"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ims_column_name(b, sizeof b, cases[i][0], cases[i][1]);
    ck_assert_str_eq(b, cases[i][2]);
  }
}
END_TEST

START_TEST(suggest_and_resolve)
{
  static const char *const c[] = {"nivolumab_bajaj2017", "pembrolizumab_ahamadi2017", "CL", "plot"};
  ck_assert_str_eq(ims_suggest("cl", c, 4), "CL");
  ck_assert_str_eq(ims_suggest("plott", c, 4), "plot");
  ck_assert_str_eq(ims_suggest("nivolumab", c, 4), "nivolumab_bajaj2017");
  ck_assert_ptr_null(ims_suggest("xyz", c, 4));
  ims_err_t err;
  char out[4096];
  const ims_model_t *m = ims_model_find("pk2cmt");
  ck_assert_int_eq(ims_data_resolve(t_srcdir(), IMS_DATA_SETS, m, "-p", "nivolumab_bajaj2017", out,
                                    sizeof out, &err),
                   0);
  ck_assert_ptr_nonnull(strstr(out, "params/pk2cmt/nivolumab_bajaj2017.csv"));
  ck_assert_int_eq(
      ims_data_resolve(t_srcdir(), IMS_DATA_SETS, m, "-p", "nivolumab", out, sizeof out, &err),
      IMS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "did you mean 'nivolumab_bajaj2017'?"));
  ck_assert_int_eq(
      ims_data_resolve(t_srcdir(), IMS_DATA_SCHEDULES, m, "-s", "nivolumab", out, sizeof out, &err),
      IMS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "'nivolumab_240mg_q2w' or 'nivolumab_480mg_q4w'"));
}
END_TEST

/* What `immunosim run` does, through the library; the default grid holds an
 * infusion end that no 1-2-5 step reaches, so the peak is a row. */
START_TEST(run_entry_point)
{
  ims_err_t err;
  char sched[300], table[300];
  make_dir();
  snprintf(sched, sizeof sched, "%s/s.csv", dir);
  snprintf(table, sizeof table, "%s/t.csv", dir);
  FILE *fp = fopen(sched, "w");
  fputs("time,cmt,amt,dur\n0,A1,100,0.3711\n", fp);
  fclose(fp);
  ims_run_spec_t spec;
  ims_run_spec_init(&spec);
  spec.model = ims_model_find("pk2cmt");
  spec.datadir = t_srcdir();
  spec.schedule = sched;
  spec.tend = 10;
  ims_run_t *r;
  ck_assert_int_eq(ims_run_alloc(&r, &spec, &err), 0);
  int at_end = 0;
  for (size_t i = 0; i < r->ntout; i++) {
    at_end += r->tout[i] == 0.3711;
    if (i)
      ck_assert(r->tout[i] > r->tout[i - 1]);
  }
  ck_assert_int_eq(at_end, 1);
  static const char *const win[] = {"all"};
  ims_metrics_spec_t ms = {.windows = win, .nwindows = 1, .cols = "C1"};
  ims_outset_t *g;
  ims_run_out_t o = {.table = table, .mspec = &ms};
  ck_assert_int_eq(ims_outset_alloc(&g, NULL, NULL, &err), 0);
  ck_assert_int_eq(ims_run_write(r, g, &o, &err), 0);
  ck_assert_int_eq(ims_outset_commit(g, &err), 0);
  /* the table's largest C1 is the metrics' exact maximum, at the infusion end */
  double cmax = ims_report_value(o.report, r, 0, ims_run_column(r, "C1"), IMS_M_MAX);
  double tmax = ims_report_value(o.report, r, 0, ims_run_column(r, "C1"), IMS_M_TMAX);
  ck_assert_double_eq_tol(tmax, 0.3711, 1e-9);
  fp = fopen(table, "r");
  char line[512];
  double best = -1;
  while (fgets(line, sizeof line, fp))
    if (line[0] != '#' && line[0] != 't') {
      double t, a1, a2, c1;
      ck_assert_int_eq(sscanf(line, "%lf,%lf,%lf,%lf", &t, &a1, &a2, &c1), 4);
      best = c1 > best ? c1 : best;
    }
  fclose(fp);
  ck_assert_double_eq_tol(best, cmax, 1e-9 * cmax);
  ims_run_out_free(&o);
  ims_outset_free(g);
  ims_run_free(r);
  clean_dir();
}
END_TEST

Suite *suite_output(void)
{
  Suite *s = suite_create("output");
  TCase *tc = tcase_create("output");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, num_round_trip);
  tcase_add_test(tc, num_same_as_printf);
  tcase_add_test(tc, outset_all_or_nothing);
  tcase_add_test(tc, no_metadata);
  tcase_add_test(tc, column_names);
  tcase_add_test(tc, suggest_and_resolve);
  tcase_add_test(tc, run_entry_point);
  suite_add_tcase(s, tc);
  return s;
}
