/* The one table reader (include/immunosim/table.h): quoting as libcsv does
 * it, columns for messages, comments and metadata, whole run outputs with
 * units and doses, and a differential test over thousands of generated
 * tables (fixed seed): every value written with %.17g reads back to the same
 * double, every field's column is where the writer put it. */
#include "tests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rows {
  int n;
  char f[16][8][64];
  int col[16][8];
  int nf[16];
  long line[16];
  char comments[8][64];
  int nc;
} rows_t;

static int keep_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  (void)err;
  rows_t *r = ud;
  ck_assert_int_lt(r->n, 16);
  r->nf[r->n] = row->nf;
  r->line[r->n] = row->line;
  for (int i = 0; i < row->nf && i < 8; i++) {
    snprintf(r->f[r->n][i], 64, "%s", row->f[i]);
    r->col[r->n][i] = row->col[i];
  }
  r->n++;
  return IMS_OK;
}

static int keep_comment(const char *text, long line, void *ud, ims_err_t *err)
{
  (void)line;
  (void)err;
  rows_t *r = ud;
  if (r->nc < 8)
    snprintf(r->comments[r->nc++], 64, "%s", text);
  return IMS_OK;
}

static int scan(const char *text, unsigned flags, rows_t *r, ims_err_t *err)
{
  memset(r, 0, sizeof *r);
  ims_table_opts_t o = {.row = keep_row, .comment = keep_comment, .ud = r, .flags = flags};
  return ims_table_scan_mem("t.csv", text, strlen(text), &o, err);
}

START_TEST(quoting_and_columns)
{
  rows_t r;
  ims_err_t err = {0};
  const char *csv = "# a comment\n"
                    "name,\"a, b\",\"say \"\"hi\"\"\"\n"
                    "\n"
                    "  x ,  \"q,1\" ,3\n"
                    "\"multi\n# not a comment\",2,\n";
  ck_assert_int_eq(scan(csv, 0, &r, &err), 0);
  ck_assert_int_eq(r.n, 3);
  ck_assert_int_eq(r.nc, 1);
  ck_assert_str_eq(r.comments[0], "a comment");
  ck_assert_str_eq(r.f[0][1], "a, b");
  ck_assert_str_eq(r.f[0][2], "say \"hi\"");
  ck_assert_int_eq(r.col[0][0], 1);
  ck_assert_int_eq(r.col[0][1], 6);
  ck_assert_int_eq(r.col[0][2], 13);
  ck_assert_int_eq(r.line[1], 4);
  ck_assert_str_eq(r.f[1][0], "x");
  ck_assert_str_eq(r.f[1][1], "q,1");
  ck_assert_int_eq(r.col[1][1], 8);
  ck_assert_int_eq(r.col[1][2], 15);
  ck_assert_int_eq(r.nf[2], 3);
  ck_assert_str_eq(r.f[2][0], "multi\n# not a comment");
  ck_assert_str_eq(r.f[2][2], "");
  ck_assert_int_eq(r.line[2], 5);
}
END_TEST

START_TEST(tabs)
{
  rows_t r;
  ims_err_t err = {0};
  /* detected: a tab and no comma; an empty field between two tabs stays a field */
  ck_assert_int_eq(scan("time\tA\tB\n1\t\t3\n", IMS_TABLE_AUTODELIM, &r, &err), 0);
  ck_assert_int_eq(r.nf[1], 3);
  ck_assert_str_eq(r.f[1][1], "");
  ck_assert_str_eq(r.f[1][2], "3");
  ck_assert_int_eq(r.col[1][2], 4);
  /* without detection a tab is blank space inside a comma-separated field */
  ck_assert_int_eq(scan("a,\tb\n", 0, &r, &err), 0);
  ck_assert_int_eq(r.nf[0], 2);
  ck_assert_str_eq(r.f[0][1], "b");
  ck_assert_int_eq(ims_table_detect_delim("# x\ta\n\na\tb\n", 12), '\t');
  ck_assert_int_eq(ims_table_detect_delim("a\tb,c\n", 6), ',');
}
END_TEST

START_TEST(errors)
{
  rows_t r;
  ims_err_t err = {0};
  ck_assert_int_eq(scan("a,b\n1,x\"y\"\n", 0, &r, &err), IMS_EINPUT);
  ck_assert_msg(strncmp(err.msg, "t.csv:2:", 8) == 0, "%s", err.msg);
  ck_assert_int_eq(scan("a,\"b\n", 0, &r, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "unterminated quote") != NULL, "%s", err.msg);
  char wide[400] = "";
  for (int i = 0; i < IMS_TABLE_MAX_FIELDS + 1; i++)
    strcat(wide, i ? ",1" : "1");
  strcat(wide, "\n");
  ck_assert_int_eq(scan(wide, 0, &r, &err), IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "too many columns") != NULL, "%s", err.msg);

  static const char *const names[] = {"time", "cmt", "amt"};
  ims_table_cols_t c = {.names = names, .n = 3};
  ck_assert_int_eq(scan("time,cmt,amount\n", 0, &r, &err), 0);
  char *f[3] = {r.f[0][0], r.f[0][1], r.f[0][2]};
  int col[3] = {1, 6, 10};
  ims_table_row_t row = {.name = "s.csv", .line = 3, .nf = 3, .f = f, .col = col};
  ck_assert_int_eq(ims_table_header(&c, &row, 3, &err), IMS_EINPUT);
  ck_assert_str_eq(
      err.msg, "s.csv:3:10: unknown column 'amount' in the header; the columns are time,cmt,amt");
  char *g[3] = {"TIME", "Cmt", "amt"};
  row.f = g;
  ck_assert_int_eq(ims_table_header(&c, &row, 3, &err), IMS_EINPUT);
  c.flags = IMS_TABLE_NOCASE;
  ck_assert_int_eq(ims_table_header(&c, &row, 3, &err), 0);
  int fc;
  ck_assert_str_eq(ims_table_field(&c, &row, 1, &fc), "Cmt");
  ck_assert_int_eq(fc, 6);
}
END_TEST

START_TEST(numbers)
{
  double v = 7;
  ck_assert_int_eq(ims_table_double("1e-3", &v), 0);
  ck_assert(v == 1e-3);
  ck_assert_int_eq(ims_table_double("nan", &v), -1);
  ck_assert_int_eq(ims_table_double("inf", &v), -1);
  ck_assert_int_eq(ims_table_double("0x10", &v), -1);
  ck_assert_int_eq(ims_table_double("1e999", &v), -1);
  ck_assert_int_eq(ims_table_double("", &v), -1);
  ck_assert_int_eq(ims_table_double("1 ", &v), -1);
  long l;
  ck_assert_int_eq(ims_table_long("42", &l), 0);
  ck_assert_int_eq(l, 42);
  ck_assert_int_eq(ims_table_long("4.2", &l), -1);
}
END_TEST

/* A run output as `immunosim run` writes it (header comments, doses, units). */
static const char run_out[] = "# immunosim 0.1.0\n"
                              "# model: pk2cmt (1-/2-compartment antibody PK)\n"
                              "# schedule: /x/blinatumomab_cycle1.csv\n"
                              "# dose: t=0 cmt=A1 infusion rate=0.009 mg/d\n"
                              "# dose: t=7 cmt=A1 infusion end\n"
                              "# dose: t=7 cmt=A1 infusion rate=0.028 mg/d\n"
                              "# dose: t=14 cmt=A2 bolus=5 mg\n"
                              "# units: time=d,A1=mg,A2=mg,C1=pg/mL,status=\n"
                              "time,A1,A2,C1,status\n"
                              "0,0,0,0,ok\n"
                              "1,0.001,NaN,168.9,ok\n"
                              "2,0.002,,170,failed\n";

START_TEST(run_output)
{
  ims_table_t *t;
  ims_err_t err = {0};
  ck_assert_int_eq(
      ims_table_load_mem(&t, "out.csv", run_out, strlen(run_out), IMS_TABLE_TEXT, &err), 0);
  ck_assert_int_eq(t->ncols, 5);
  ck_assert_int_eq(t->nrows, 3);
  ck_assert_str_eq(t->unit[3], "pg/mL");
  ck_assert_str_eq(t->unit[4], "");
  ck_assert_str_eq(ims_table_meta_get(t, "model"), "pk2cmt (1-/2-compartment antibody PK)");
  ck_assert_ptr_null(ims_table_meta_get(t, "units"));
  ck_assert(ims_table_value(t, 1, 3) == 168.9);
  ck_assert(isnan(ims_table_value(t, 1, 2)) && isnan(ims_table_value(t, 2, 2)));
  ck_assert(isnan(ims_table_value(t, 3, 0)));
  ck_assert_int_eq(t->numeric[3], 1);
  ck_assert_int_eq(t->numeric[4], 0);
  ck_assert_str_eq(t->text[2 * 5 + 4], "failed");
  ck_assert_int_eq(t->line[0], 10);
  ck_assert_int_eq(t->ndose, 3);
  ck_assert(t->dose[0].infusion && t->dose[0].t0 == 0 && t->dose[0].t1 == 7);
  ck_assert(t->dose[0].amount == 0.009);
  ck_assert_str_eq(t->dose[0].unit, "mg/d");
  ck_assert(t->dose[1].infusion && t->dose[1].t0 == 7 && isinf(t->dose[1].t1));
  ck_assert(!t->dose[2].infusion && t->dose[2].t1 == 14 && t->dose[2].amount == 5);
  ck_assert_str_eq(t->dose[2].cmt, "A2");
  ims_table_range_t r;
  ims_table_range(t, 2, &r);
  ck_assert_int_eq(r.n, 1);
  ck_assert(r.max == 0 && isinf(r.minpos));
  ims_table_free(t);
}
END_TEST

START_TEST(load_errors)
{
  static const struct {
    const char *text, *want;
  } cases[] = {
      {"a,b\n1,2,3\n", "x.csv:2:5: 3 fields where the header has 2"},
      {"a,b\n1\n", "x.csv:2:1: 1 fields where the header has 2"},
      {"a,a\n", "x.csv:1:3: duplicate column 'a' in the header"},
      {"# only comments\n", "x.csv:1:1: no header row; expected a table such as 'immunosim run' "
                            "writes"},
      {"# dose: t=x cmt=A bolus=1 mg\na\n", "x.csv:1:1: malformed '# dose:' line; expected "
                                            "'t=TIME cmt=STATE bolus=AMOUNT UNIT' or 't=TIME "
                                            "cmt=STATE infusion rate=RATE UNIT|end'"},
      {"# dose: t=1 cmt=A infusion end\na\n",
       "x.csv:1:1: infusion end into A without a running infusion"},
      {"# dose: t=1 cmt=A bolus=lots mg\na\n",
       "x.csv:1:1: '# dose:' amount 'lots' is not a number"},
      {"# units: a\na\n", "x.csv:1:1: '# units:' entry 'a' is not COLUMN=UNIT"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ims_table_t *t = (ims_table_t *)1;
    ims_err_t err = {0};
    ck_assert_int_eq(ims_table_load_mem(&t, "x.csv", cases[i].text, strlen(cases[i].text), 0, &err),
                     IMS_EINPUT);
    ck_assert_ptr_null(t);
    ck_assert_msg(strcmp(err.msg, cases[i].want) == 0, "case %zu:\n got  %s\n want %s", i, err.msg,
                  cases[i].want);
  }
}
END_TEST

/* ---- generated tables ---------------------------------------------------- */

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static double uniform(void)
{
  return (double)(next() >> 11) / 9007199254740992.0;
}

typedef struct gen {
  int ncols;
  long nrows;
  double want[40][8];
  int wcol[40][8];
  long wline[40];
  long seen;
  int bad;
  char msg[256];
} gen_t;

static int check_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  (void)err;
  gen_t *g = ud;
  if (g->seen == 0) { /* header */
    g->seen = -1;
    return IMS_OK;
  }
  long i = g->seen < 0 ? 0 : g->seen;
  g->seen = i + 1;
  if (row->nf != g->ncols || row->line != g->wline[i]) {
    if (!g->bad)
      snprintf(g->msg, sizeof g->msg, "row %ld: %d fields at line %ld, want %d at %ld", i, row->nf,
               row->line, g->ncols, g->wline[i]);
    g->bad++;
    return IMS_OK;
  }
  for (int k = 0; k < row->nf; k++) {
    double v;
    if (ims_table_double(row->f[k], &v) || v != g->want[i][k] || row->col[k] != g->wcol[i][k]) {
      if (!g->bad)
        snprintf(g->msg, sizeof g->msg, "row %ld field %d: '%s' at col %d, want %.17g at col %d", i,
                 k, row->f[k], row->col[k], g->want[i][k], g->wcol[i][k]);
      g->bad++;
    }
  }
  return IMS_OK;
}

/* 3000 random tables: random quoting, blanks around fields, comment and blank
 * lines, CRLF or LF, comma or tab; values of random magnitude and sign. */
START_TEST(generated)
{
  char *buf = malloc(1 << 16);
  for (int iter = 0; iter < 3000; iter++) {
    gen_t g = {.ncols = 1 + (int)(next() % 8), .nrows = 1 + (long)(next() % 40)};
    char delim = next() % 4 == 0 ? '\t' : ',';
    const char *eol = next() % 3 == 0 ? "\r\n" : "\n";
    size_t n = 0;
    long line = 2; /* after the comment line */
    n += (size_t)sprintf(buf + n, "# generated %d%s", iter, eol);
    for (int k = 0; k < g.ncols; k++)
      n += (size_t)sprintf(buf + n, "%sc%d", k ? (delim == '\t' ? "\t" : ",") : "", k);
    n += (size_t)sprintf(buf + n, "%s", eol);
    line++;
    for (long i = 0; i < g.nrows; i++) {
      while (next() % 5 == 0) { /* comments and blank lines between rows */
        n += (size_t)sprintf(buf + n, "%s%s", next() % 2 ? "  # note, with a comma" : "", eol);
        line++;
      }
      g.wline[i] = line;
      size_t start = n;
      for (int k = 0; k < g.ncols; k++) {
        if (k)
          buf[n++] = delim;
        if (delim == ',' && next() % 4 == 0)
          buf[n++] = ' ';
        double v = (uniform() - 0.5) * pow(10, (double)(next() % 40) - 20);
        g.want[i][k] = v;
        int quote = next() % 3 == 0;
        g.wcol[i][k] = (int)(n - start) + 1; /* the first non-blank byte (a quote) */
        if (quote)
          n += (size_t)sprintf(buf + n, "\"%.17g\"", v);
        else
          n += (size_t)sprintf(buf + n, "%.17g", v);
        if (delim == ',' && next() % 4 == 0)
          buf[n++] = ' ';
      }
      n += (size_t)sprintf(buf + n, "%s", eol);
      line++;
    }
    ims_err_t err = {0};
    ims_table_opts_t o = {.row = check_row, .ud = &g, .flags = IMS_TABLE_AUTODELIM};
    int rc = ims_table_scan_mem("gen.csv", buf, n, &o, &err);
    ck_assert_msg(rc == 0, "table %d: %s", iter, err.msg);
    ck_assert_msg(g.bad == 0, "table %d: %s\n%.*s", iter, g.msg, (int)n, buf);
    ck_assert_int_eq(g.seen, g.nrows);

    /* the same text as a whole table */
    ims_table_t *t;
    ck_assert_int_eq(ims_table_load_mem(&t, "gen.csv", buf, n, IMS_TABLE_AUTODELIM, &err), 0);
    if (g.ncols > 1) /* one column has no delimiter to detect */
      ck_assert_int_eq(t->delim, delim);
    ck_assert_int_eq(t->nrows, g.nrows);
    for (long i = 0; i < g.nrows; i++)
      for (int k = 0; k < g.ncols; k++)
        ck_assert(ims_table_value(t, i, k) == g.want[i][k]);
    ims_table_free(t);
  }
  free(buf);
}
END_TEST

Suite *suite_table(void)
{
  Suite *s = suite_create("table");
  TCase *tc = tcase_create("table");
  tcase_add_test(tc, quoting_and_columns);
  tcase_add_test(tc, tabs);
  tcase_add_test(tc, errors);
  tcase_add_test(tc, numbers);
  tcase_add_test(tc, run_output);
  tcase_add_test(tc, load_errors);
  tcase_add_test(tc, generated);
  suite_add_tcase(s, tc);
  return s;
}
