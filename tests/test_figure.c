/* The figure model (include/immunosim/figure.h, plots.h): units and names on
 * axes, ticks (thousands of generated ranges: inside the range, evenly
 * spaced, labels that read back as the tick), axis ranges, branch runs,
 * label placement, the model contract's figure fields, the time-course
 * builder (default columns, one scale type, the dose strip) and the gnuplot
 * script of a hand-built figure. */
#include "fig.h"
#include "tests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(units)
{
  static const char *const cases[][2] = {
      {"ug/mL", "\xc2\xb5g/mL"},
      {"cell/uL", "cells/\xc2\xb5L"},
      {"1e9 cell", "10\xe2\x81\xb9 cells"},
      {"pg*d/mL", "pg\xc2\xb7"
                  "d/mL"},
      {"m^2", "m\xc2\xb2"},
      {"d^-1", "d\xe2\x81\xbb\xc2\xb9"},
      {"1", ""},
      {"", ""},
      {"mol/L", "mol/L"},
      {"umol", "\xc2\xb5mol"},
      {"unit", "unit"},
      {"copies/ug", "copies/\xc2\xb5g"},
      {"(ug/mL)*(cell/uL)", "(\xc2\xb5g/mL)\xc2\xb7(cells/\xc2\xb5L)"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char out[128];
    ims_fig_unit(out, sizeof out, cases[i][0]);
    ck_assert_msg(strcmp(out, cases[i][1]) == 0, "%s: '%s'", cases[i][0], out);
  }
}
END_TEST

START_TEST(column_labels)
{
  const ims_model_t *kz = ims_model_find("kuznetsov1994"), *h = ims_model_find("hardiansyah2019");
  const ims_model_t *pk = ims_model_find("pk2cmt"), *st = ims_model_find("stein2019");
  static const struct {
    const char *model, *col, *unit, *want;
  } cases[] = {
      {"kuznetsov1994", "T", "cell", "tumour cells T (cells)"},
      {"hardiansyah2019", "IL6", "pg/mL", "IL-6 (pg/mL)"},
      {"hardiansyah2019", "IFNg", "pg/mL", "IFN-\xce\xb3 (pg/mL)"},
      {"hardiansyah2019", "B_0", "1e9 cell", "initial CLL B cells (B_0) (10\xe2\x81\xb9 cells)"},
      {"stein2019", "CAR", "copies/ug", "CAR transgene (copies/\xc2\xb5g)"},
      {"kuznetsov1994", "T.max", "cell", "peak of tumour cells T (cells)"},
      {"kuznetsov1994", "T_max", "cell", "peak of tumour cells T (cells)"},
      {"kuznetsov1994", "all.T.tmax", "d", "time of the peak of tumour cells T (d)"},
      {"pk2cmt", "dose2.C1.auc", "d*mg/L", "AUC of concentration C1, window dose2 (d\xc2\xb7mg/L)"},
      {"pk2cmt", "th1.above", "d", "time above threshold 1 (d)"},
      {"pk2cmt", "amt[1]", "mg", "dose 1 amount (mg)"},
      {"pk2cmt", "amt_2", "mg", "dose 2 amount (mg)"},
      {"pk2cmt", "C1:CL", NULL,
       "\xe2\x88\x82"
       "C1/\xe2\x88\x82"
       "CL"},
      {"pk2cmt", "last_C1_auc", "d*mg/L", "AUC of concentration C1, window last (d\xc2\xb7mg/L)"},
      {"pk2cmt", "X3.3_47.7_C1_max", "mg/L", "peak of concentration C1, window 3.3:47.7 (mg/L)"},
      {"pk2cmt", "th1_above", "d", "time above threshold 1 (d)"},
      {"pk2cmt", "C1_CL", NULL,
       "\xe2\x88\x82"
       "C1/\xe2\x88\x82"
       "CL"},
      {"pk2cmt", "C1_A1_0", NULL,
       "\xe2\x88\x82"
       "C1/\xe2\x88\x82"
       "A1_0"},
      /* states with '_' in their names: the split that names a column and a parameter */
      {"hardiansyah2019", "E_PB_E_PB_0", NULL,
       "\xe2\x88\x82"
       "E_PB/\xe2\x88\x82"
       "E_PB_0"},
      {"hardiansyah2019", "last_CART_PB_max", "1e9 cell",
       "peak of CAR-T cells in blood CART_PB, window last (10\xe2\x81\xb9 cells)"},
      {"pk2cmt", "foo", "1", "foo"},
      {"pk2cmt", "C1_foo", "1", "C1_foo"},
      {NULL, "T", "cell", "T (cells)"},
  };
  (void)kz, (void)h, (void)pk, (void)st;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char out[256];
    const ims_model_t *m = cases[i].model ? ims_model_find(cases[i].model) : NULL;
    ims_fig_column_label(out, sizeof out, m, cases[i].col, cases[i].unit);
    ck_assert_msg(strcmp(out, cases[i].want) == 0, "%s: '%s', want '%s'", cases[i].col, out,
                  cases[i].want);
  }
  char out[256];
  ims_fig_column_name(out, sizeof out, kz, "T", "cell");
  ck_assert_str_eq(out, "tumour cells (cells)");
}
END_TEST

/* The model contract: every default figure column exists, every label is short. */
START_TEST(model_figures)
{
  int n;
  const ims_model_t *const *ms = ims_model_list(&n);
  for (int i = 0; i < n; i++) {
    const ims_model_t *m = ms[i];
    ck_assert_msg(m->nplot > 0 && m->plot, "%s declares no default figure", m->name);
    for (int k = 0; k < m->nplot; k++) {
      const char *c = m->plot[k].name;
      ck_assert_msg(ims_model_state_index(m, c) >= 0 || ims_model_output_index(m, c) >= 0,
                    "%s: plot column %s is no state or output", m->name, c);
      ck_assert(m->plot[k].scale >= IMS_SCALE_AUTO && m->plot[k].scale <= IMS_SCALE_LOG);
    }
    for (int k = 0; k < m->nstates + m->noutputs; k++) {
      const ims_var_t *v = k < m->nstates ? &m->states[k] : &m->outputs[k - m->nstates];
      const char *l = ims_fig_label_of(m, v->name);
      ck_assert_msg(l && l[0] && strlen(l) <= 30, "%s.%s: label '%s'", m->name, v->name,
                    l ? l : "(none)");
    }
    for (int k = 0; k < m->nlabels; k++) /* and every label names a state or output */
      ck_assert_msg(ims_model_state_index(m, m->labels[k].name) >= 0 ||
                        ims_model_output_index(m, m->labels[k].name) >= 0,
                    "%s: label for unknown %s", m->name, m->labels[k].name);
  }
}
END_TEST

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static double uniform(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

/* The value a tick label shows: "1.5", "-20", "2.5×10^{6}", "10^{-3}". */
static double label_value(const char *s)
{
  const char *x = strstr(s, "\xc3\x97"), *p = strstr(s, "10^{");
  if (!p)
    return strtod(s, NULL);
  double m = x ? strtod(s, NULL) : 1;
  return m * pow(10, strtod(p + 4, NULL));
}

START_TEST(linear_ticks)
{
  for (int i = 0; i < 4000; i++) {
    double scale = pow(10, floor(uniform() * 24) - 12);
    double a = (uniform() * 2 - (i % 3 == 0)) * scale, b = a + (0.05 + uniform() * 3) * scale;
    ims_fig_axis_t ax = {.scale = IMS_SCALE_LIN, .lo = a, .hi = b};
    ims__tick_t t[IMS__FIG_MAXTICK];
    int n = ims__fig_ticks(&ax, t, IMS__FIG_MAXTICK);
    ck_assert_msg(n >= 3 && n <= 8, "[%g, %g]: %d ticks", a, b, n);
    double step = t[1].at - t[0].at;
    int sci = strstr(t[n - 1].label, "10^{") != NULL || strstr(t[0].label, "10^{") != NULL;
    for (int k = 0; k < n; k++) {
      ck_assert_msg(t[k].at >= a - 1e-9 * (b - a) && t[k].at <= b + 1e-9 * (b - a),
                    "[%g, %g]: tick %g outside", a, b, t[k].at);
      if (k)
        ck_assert_msg(fabs(t[k].at - t[k - 1].at - step) <= 1e-9 * step, "[%g, %g]: uneven", a, b);
      double v = label_value(t[k].label);
      ck_assert_msg(fabs(v - t[k].at) <= 1e-9 * fmax(fabs(t[k].at), step),
                    "[%g, %g]: label '%s' for %.17g", a, b, t[k].label, t[k].at);
      /* one notation per axis: zero aside, every label scientific or none */
      if (t[k].at != 0)
        ck_assert_msg((strstr(t[k].label, "10^{") != NULL) == sci, "[%g, %g]: mixed '%s'", a, b,
                      t[k].label);
    }
  }
}
END_TEST

START_TEST(log_ticks)
{
  for (int i = 0; i < 4000; i++) {
    double a = pow(10, uniform() * 30 - 15), b = a * pow(10, 0.4 + uniform() * 14);
    ims_fig_axis_t ax = {.scale = IMS_SCALE_LOG, .lo = a, .hi = b};
    ims__tick_t t[IMS__FIG_MAXTICK];
    int n = ims__fig_ticks(&ax, t, IMS__FIG_MAXTICK), labelled = 0;
    for (int k = 0; k < n; k++) {
      ck_assert(t[k].at >= a * (1 - 1e-9) && t[k].at <= b * (1 + 1e-9));
      if (k)
        ck_assert(t[k].at > t[k - 1].at);
      if (!t[k].minor) {
        labelled++;
        double v = label_value(t[k].label);
        ck_assert_msg(fabs(v - t[k].at) <= 1e-9 * t[k].at, "'%s' for %g", t[k].label, t[k].at);
      }
    }
    ck_assert_msg(labelled >= 2 && labelled <= 9, "[%g, %g]: %d labels", a, b, labelled);
  }
  /* under two decades: 1, 2, 5 x 10^k, plain between 0.01 and 1e4 */
  ims_fig_axis_t ax = {.scale = IMS_SCALE_LOG, .lo = 30, .hi = 400};
  ims__tick_t t[IMS__FIG_MAXTICK];
  int n = ims__fig_ticks(&ax, t, IMS__FIG_MAXTICK);
  char got[256] = "";
  for (int k = 0; k < n; k++)
    if (!t[k].minor)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s ", t[k].label);
  ck_assert_str_eq(got, "50 100 200 ");
}
END_TEST

START_TEST(axis_fit)
{
  ims_fig_axis_t a = {0};
  ims_fig_range_t r = IMS_FIG_RANGE_INIT;
  ims_fig_range_value(&r, 5);
  ims_fig_range_value(&r, 100);
  ims_fig_axis_fit(&a, &r, IMS_SCALE_LIN, 0, 0.03, 0.06);
  ck_assert(a.lo < 0 && a.lo > -1); /* from zero: a hair below, never a negative tick */
  ck_assert(fabs(a.hi - 100 - 0.06 * a.hi) < 1e-9 * a.hi); /* 6 % room at the top */
  r = (ims_fig_range_t)IMS_FIG_RANGE_INIT;
  ims_fig_range_value(&r, -1e-12);
  ims_fig_range_value(&r, 500);
  ims_fig_axis_fit(&a, &r, IMS_SCALE_LIN, 0, 0.03, 0.06);
  ck_assert(a.lo < 0 && a.lo > -3); /* solver noise below zero is zero */
  r = (ims_fig_range_t)IMS_FIG_RANGE_INIT;
  ims_fig_range_value(&r, 1e-20);
  ims_fig_range_value(&r, 1e9);
  ck_assert_int_eq(ims_fig_scale_wanted(&r, IMS_SCALE_AUTO), IMS_SCALE_LOG);
  ims_fig_axis_fit(&a, &r, IMS_SCALE_LOG, 0, 0, 0);
  ck_assert(fabs(log10(a.lo) - 3) < 1e-9 && fabs(log10(a.hi) - 9) < 1e-9); /* 6 decades */
  r = (ims_fig_range_t)IMS_FIG_RANGE_INIT;
  ims_fig_range_value(&r, -1);
  ims_fig_range_value(&r, 1e9);
  ck_assert_int_eq(ims_fig_scale_wanted(&r, IMS_SCALE_AUTO), IMS_SCALE_LIN);
}
END_TEST

START_TEST(branch_runs)
{
  static const char csv[] = "p,T,stable\n0,1,1\n1,2,1\n2,3,0\n3,4,0\n4,5,1\n5,6,1\n6,7,1\n";
  ims_table_t *t;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_table_load_mem(&t, "b.csv", csv, strlen(csv), 0, &err), 0);
  ims_fig_t *f;
  ck_assert_int_eq(ims_fig_alloc(&f, &err), 0);
  ims_fig_panel_t *p = ims_fig_panel_add(f);
  ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_LINE, "b.csv", "p", "T");
  ims_fig_series_t *u = ims_fig_series_add(p, IMS_FIG_LINE, "b.csv", "p", "T");
  ck_assert_int_eq(ims_fig_series_where(f, s, t, "stable", 1, 0), 0);
  ck_assert_int_eq(ims_fig_series_where(f, u, t, "stable", 0, 1), 0);
  ck_assert_int_eq(s->nseg, 2);
  ck_assert(s->seg[0] == 0 && s->seg[1] == 1 && s->seg[2] == 4 && s->seg[3] == 6);
  ck_assert_int_eq(u->nseg, 1);
  ck_assert(u->seg[0] == 2 && u->seg[1] == 4); /* joined to the next stable point */
  /* a text column (as `immunosim continue` writes stability) */
  static const char txt[] = "p,T,stability\n0,1,stable\n1,2,unstable\n2,3,stable\n";
  ims_table_t *tt;
  ck_assert_int_eq(ims_table_load_mem(&tt, "c.csv", txt, strlen(txt), IMS_TABLE_TEXT, &err), 0);
  ims_fig_series_t *st = ims_fig_series_add(p, IMS_FIG_LINE, "c.csv", "p", "T");
  ck_assert_int_eq(ims_fig_series_where_text(f, st, tt, "stability", "stable", 0), 0);
  ck_assert(st->nseg == 2 && st->seg[0] == 0 && st->seg[1] == 0 && st->seg[2] == 2);
  ims_table_free(tt);
  ims_fig_series_t *none = ims_fig_series_add(p, IMS_FIG_LINE, "b.csv", "p", "T");
  ck_assert_int_eq(ims_fig_series_where(f, none, t, "stable", 7, 0), 0);
  ck_assert(none->nseg == 1 && none->seg[1] < none->seg[0]); /* draws nothing */
  ck_assert_int_eq(ims_fig_ok(f, &err), 0);
  ims_fig_free(f);
  ims_table_free(t);
}
END_TEST

/* Reference-line labels: over many random panels, the labels placed clear of
 * everything are clear (no other line through them, no overlap on the same end). */
START_TEST(hline_labels)
{
  ims_fig_t *f;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_fig_alloc(&f, &err), 0);
  ims_fig_panel_t *p = ims_fig_panel_add(f);
  p->y.scale = IMS_SCALE_LIN;
  p->y.lo = 0;
  p->y.hi = 100;
  ims__layout_t L = {.font = 22, .fig_w = 1600, .fig_h = 1000};
  ims__geom_t g = {.avail = 600};
  L.g = &g;
  for (int iter = 0; iter < 2000; iter++) {
    for (int i = 0; i < p->nmark; i++) {
      free(p->mark[i]->label);
      free(p->mark[i]);
    }
    p->nmark = 0;
    int n = 1 + (int)(uniform() * 6);
    for (int i = 0; i < n; i++)
      ims_fig_mark_add(p, IMS_FIG_HLINE, 0, uniform() * 100, "label");
    int side[8];
    ims__fig_hline_sides(p, &L, 0, side);
    double ch = 1.6 * L.font, px[8], lo[8], hi[8];
    int clear = 1;
    for (int i = 0; i < n; i++) {
      px[i] = p->mark[i]->y / 100 * g.avail;
      lo[i] = side[i] > 0 ? px[i] + 0.05 * ch : px[i] - 1.15 * ch;
      hi[i] = lo[i] + 1.1 * ch;
      ck_assert(side[i] == 1 || side[i] == -1 || side[i] == 2 || side[i] == -2);
    }
    /* lines far apart: every label above its line at the right */
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        clear &= i == j || fabs(px[i] - px[j]) > 2.5 * ch;
    for (int i = 0; clear && i < n; i++)
      ck_assert_msg(side[i] == 1 || px[i] + 1.2 * ch > g.avail, "far apart yet side %d", side[i]);
    /* two lines: both labels clear of the other line and of each other */
    if (n == 2 && fabs(px[0] - px[1]) > 1.2 * ch && px[0] > 1.2 * ch && px[1] > 1.2 * ch) {
      for (int i = 0; i < 2; i++) {
        int j = 1 - i;
        ck_assert_msg(!(px[j] > lo[i] && px[j] < hi[i]), "a line through a label");
        if (abs(side[i]) == abs(side[j]))
          ck_assert_msg(!(lo[i] < hi[j] && hi[i] > lo[j]), "overlapping labels");
      }
    }
  }
  ims_fig_free(f);
}
END_TEST

/* A run output, in memory, as the builder reads it. */
static ims_table_t *table(const char *name, const char *text)
{
  ims_table_t *t;
  ims_err_t err = {0};
  ck_assert_msg(ims_table_load_mem(&t, name, text, strlen(text), 0, &err) == 0, "%s", err.msg);
  return t;
}

START_TEST(timecourse)
{
  /* chen2019's default figure is the cytokine, then the drug concentration */
  ims_table_t *a =
      table("a.csv", "# model: chen2019 (test)\n"
                     "# dose: t=0 cmt=A bolus=60 ug\n"
                     "# dose: t=7 cmt=A bolus=300 ug\n"
                     "# units: time=d,A=ug,Cyt=pg/mL,AUC=pg*d/mL,Cp=ug/mL,IH=1,dCyt=pg/mL/d\n"
                     "time,A,Cyt,AUC,Cp,IH,dCyt\n"
                     "0,60,5,0,0.02,1,0\n7,300,100,50,0.1,0.5,-1\n14,10,20,90,0.05,0.4,-2\n");
  ims_table_t *b =
      table("b.csv", "# model: chen2019 (test)\n"
                     "# dose: t=0 cmt=A bolus=300 ug\n"
                     "# dose: t=7 cmt=A bolus=300 ug\n"
                     "# units: time=d,A=ug,Cyt=pg/mL,AUC=pg*d/mL,Cp=ug/mL,IH=1,dCyt=pg/mL/d\n"
                     "time,A,Cyt,AUC,Cp,IH,dCyt\n"
                     "0,300,5,0,0.1,1,0\n7,300,300,50,0.1,0.5,-1\n14,10,2,90,0.05,0.4,-2\n");
  const ims_table_t *t[] = {a, b};
  ims_fig_t *f;
  ims_err_t err = {0};
  ims_plot_opts_t o;
  ims_plot_opts_init(&o);
  ck_assert_int_eq(ims_fig_alloc(&f, &err), 0);
  ck_assert_msg(ims_plot_timecourse(f, t, 2, &o, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(f->npanel, 2);
  ck_assert_str_eq(f->panel[0]->comment, "Cyt");
  ck_assert_str_eq(f->panel[1]->comment, "Cp");
  ck_assert_str_eq(f->panel[0]->y.label, "cytokine (pg/mL)"); /* the name says Cyt */
  ck_assert_str_eq(f->panel[1]->y.label, "drug concentration Cp (\xc2\xb5g/mL)");
  /* one scale type: chen2019 declares linear for both */
  ck_assert(f->panel[0]->y.scale == IMS_SCALE_LIN && f->panel[1]->y.scale == IMS_SCALE_LIN);
  /* same bolus times in both runs: one row of the strip, in the drug's colour */
  ck_assert_int_eq(f->nrow, 1);
  ck_assert_int_eq(f->row[0]->ndose, 2);
  ck_assert_int_eq(f->row[0]->color, IMS_FIG_DOSE(1));
  /* a bolus at the start: the time axis begins a little before it */
  ck_assert(f->panel[0]->x.lo < 0 && f->panel[0]->x.lo > -0.5);
  /* legend: both runs, then the drug with the strip's symbol and colour */
  ck_assert_int_eq(f->nkey, 3);
  ck_assert_str_eq(f->key[2]->label, "bolus into A (drug amount)");
  ck_assert(f->key[2]->point == f->row[0]->point && f->key[2]->color == f->row[0]->color);
  ims_fig_free(f);

  /* one log panel makes them all log; different times make a row per run */
  ims_table_t *c = table("c.csv", "# dose: t=0 cmt=X infusion rate=9 ug/d\n"
                                  "# dose: t=7 cmt=X infusion end\n"
                                  "# dose: t=7 cmt=X infusion rate=28 ug/d\n"
                                  "# dose: t=28 cmt=X infusion end\n"
                                  "# units: time=d,P=1,Q=1\n"
                                  "time,P,Q\n0,1,1\n10,1e6,2\n40,1e-2,3\n");
  ims_table_t *d = table("d.csv", "# dose: t=1 cmt=X bolus=5 mg\n"
                                  "time,P,Q\n0,1,1\n10,1e6,2\n40,1e-2,3\n");
  const ims_table_t *t2[] = {c, d};
  ck_assert_int_eq(ims_fig_alloc(&f, &err), 0);
  ck_assert_msg(ims_plot_timecourse(f, t2, 2, &o, &err) == 0, "%s", err.msg);
  ck_assert(f->panel[0]->y.scale == IMS_SCALE_LOG && f->panel[1]->y.scale == IMS_SCALE_LOG);
  ck_assert_int_eq(f->nrow, 2);
  ck_assert(f->row[0]->color == 1 && f->row[1]->color == 2); /* the runs' colours */
  /* the step-up infusion: two bars, as high as their rates (9 and 28) */
  ck_assert_int_eq(f->row[0]->ndose, 2);
  ck_assert(fabs(f->row[0]->dose[0].level - 9.0 / 28.0) < 1e-12 && f->row[0]->dose[1].level == 1);
  ck_assert(f->row[0]->dose[0].t1 == 7 && f->row[0]->dose[1].t1 == 28);
  ims_fig_free(f);

  /* errors name the option */
  const char *y[] = {"q"};
  o.y = y;
  o.ny = 1;
  ck_assert_int_eq(ims_fig_alloc(&f, &err), 0);
  ck_assert_int_eq(ims_plot_timecourse(f, t2, 2, &o, &err), IMS_EINPUT);
  ck_assert_str_eq(err.msg, "--y: no column 'q' in c.csv; did you mean 'Q'?");
  ims_fig_free(f);
  ims_table_free(a);
  ims_table_free(b);
  ims_table_free(c);
  ims_table_free(d);
}
END_TEST

/* The script of a hand-built figure, from the shipped template. */
START_TEST(script)
{
  ims_fig_t *f;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_fig_alloc(&f, &err), 0);
  ims_fig_title(f, "Test: bands_and \"quotes\"");
  ims_fig_panel_t *p = ims_fig_panel_add(f);
  p->x.lo = 0;
  p->x.hi = 10;
  p->x.div = 1;
  p->y.scale = IMS_SCALE_LOG;
  p->y.lo = 1;
  p->y.hi = 1e4;
  p->doses = 1;
  ims_fig_text(f, &p->y.label, "IL-6 (pg/mL)");
  ims_fig_series_t *s = ims_fig_series_add(p, IMS_FIG_BAND, "d.csv", "time", "IL6_p05");
  ims_fig_series_y2(f, s, NULL, "IL6_p95");
  s = ims_fig_series_add(p, IMS_FIG_LINE, "d.csv", "time", "IL6_p50");
  s->dash = 2;
  long seg[] = {3, 9};
  s->seg = malloc(sizeof seg);
  memcpy(s->seg, seg, sizeof seg);
  s->nseg = 1;
  ims_fig_mark_add(p, IMS_FIG_HLINE, 0, 1000, "severe CRS");
  ims_fig_dose_row_t *r = ims_fig_dose_row_add(f, "A", IMS_FIG_DOSE(1), 9);
  ims_fig_dose_add(f, r, &(ims_fig_dose_t){.t0 = 2, .t1 = 2, .level = 1});
  ims_fig_key_t *k = ims_fig_key_add(f, IMS_FIG_KEY_POINTS, "bolus into A");
  k->color = IMS_FIG_DOSE(1);
  k->point = 9;
  char plots[4096];
  snprintf(plots, sizeof plots, "%s/plots", t_srcdir());
  ims_fig_out_t o = {.figure = "/tmp/x.svg", .plots = plots};
  char *sc = NULL;
  ck_assert_msg(ims_fig_script(f, &o, &sc, &err) == 0, "%s", err.msg);
  static const char *const want[] = {
      "set terminal svg ",
      "if (!exists(\"out_file\")) out_file = \"/tmp/x.svg\"\n"
      "if (!exists(\"data1\")) data1 = \"d.csv\"\n",
      "set output out_file",
      "undefine out_file data1",
      "title \"Test: bands\\\\_and \\\"quotes\\\"\"",
      "set logscale y 10",
      "\"10^{0}\" 1, ",
      "set label 1001 \"IL-6 (pg/mL)\" at screen ",
      "data1 using (column(\"time\")/tscale):(column(\"IL6_p05\")):(column(\"IL6_p95\")) with "
      "filledcurves",
      "data1 every ::3::9 using (column(\"time\")/tscale):(column(\"IL6_p50\")) with lines "
      "lc rgb series_color(1) dt 2",
      "set label \"severe CRS\" at graph 0.985, first 1000 right",
      "set label \"\" at first 2, screen dose_mid(",
      "point pt 9 ps dose_ps(",
      "keyentry with points lc rgb drug_color(1) pt 9 ps point_size title \"bolus into A\"",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    ck_assert_msg(strstr(sc, want[i]) != NULL, "missing: %s", want[i]);
  ck_assert_msg(strchr(sc, '@') == NULL || strstr(sc, "@") == strstr(sc, "@ "),
                "an unfilled template field");
  free(sc);
  o.figure = "/tmp/x.jpg";
  ck_assert_int_eq(ims_fig_script(f, &o, &sc, &err), IMS_EINPUT);
  ck_assert_ptr_null(sc);
  ims_fig_free(f);
}
END_TEST

/* A whole file's text, or NULL when it does not exist. */
static char *text_of(const char *path)
{
  char *buf = NULL;
  size_t len;
  ims_err_t err = {0};
  return ims_table_slurp(path, &buf, &len, &err) ? NULL : buf;
}

/* Into an output group: gnuplot (a stand-in that copies what it is told to
 * read, data1, to what it is told to write, out_file) runs before the commit
 * on the group's temporary files; the commit puts the table, the script and
 * the figure in place together, an abort leaves none, and the script names
 * the final files. */
START_TEST(render_in_group)
{
  char dir[] = "/tmp/ims_fig_XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char fake[256], failing[256], table[256], fig[256], script[256], plots[4096];
  snprintf(fake, sizeof fake, "%s/gp", dir);
  snprintf(failing, sizeof failing, "%s/gp_fails", dir);
  snprintf(table, sizeof table, "%s/run.csv", dir);
  snprintf(fig, sizeof fig, "%s/f.png", dir);
  snprintf(script, sizeof script, "%s/f.gp", dir);
  snprintf(plots, sizeof plots, "%s/plots", t_srcdir());
  FILE *fp = fopen(fake, "w");
  ck_assert_ptr_nonnull(fp);
  fputs("#!/bin/sh\n"
        "[ \"$1\" = -e ] || exit 2\n"
        "out=$(printf '%s' \"$2\" | sed -n \"s/.*out_file='\\([^']*\\)'.*/\\1/p\")\n"
        "d1=$(printf '%s' \"$2\" | sed -n \"s/.*data1='\\([^']*\\)'.*/\\1/p\")\n"
        "grep -q '^set output out_file' \"$3\" && cat \"$d1\" > \"$out\"\n",
        fp);
  fclose(fp);
  fp = fopen(failing, "w");
  ck_assert_ptr_nonnull(fp);
  fputs("#!/bin/sh\nexit 1\n", fp);
  fclose(fp);
  ck_assert_int_eq(chmod(fake, 0755) | chmod(failing, 0755), 0);
  ims_err_t err = {0};
  for (int pass = 0; pass < 3; pass++) { /* commit, abort, gnuplot fails */
    ims_outset_t *g;
    ims_fig_t *f;
    ims_output_t *t;
    ck_assert_int_eq(ims_outset_alloc(&g, NULL, NULL, &err), 0);
    ims_fig_out_t o = {
        .figure = fig, .plots = plots, .gnuplot = pass == 2 ? failing : fake, .group = g};
    ck_assert_msg(ims_fig_prepare(&o, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(ims_outset_open(g, &t, table, IMS_FMT_CSV, &err), 0);
    ims_output_line(t, "time,x\n0,1\n1,2");
    ck_assert_int_eq(ims_fig_alloc(&f, &err), 0);
    ims_fig_panel_t *p = ims_fig_panel_add(f);
    ims_fig_series_add(p, IMS_FIG_LINE, table, "time", "x");
    int rc = ims_fig_render(f, &o, &err);
    ck_assert_msg(pass == 2 ? rc == IMS_EIO : rc == 0, "pass %d: %s", pass, err.msg);
    ck_assert_msg(access(fig, F_OK) && access(script, F_OK) && access(table, F_OK),
                  "an output in place before the commit");
    if (pass == 0) {
      ck_assert_int_eq(ims_outset_commit(g, &err), 0);
      char *a = text_of(fig), *b = text_of(script);
      ck_assert_ptr_nonnull(a);
      ck_assert_str_eq(a, "time,x\n0,1\n1,2\n"); /* drawn from the table before its commit */
      ck_assert_ptr_nonnull(b);
      char want[600];
      snprintf(want, sizeof want, "if (!exists(\"data1\")) data1 = \"%s\"\n", table);
      ck_assert_ptr_nonnull(strstr(b, want));
      snprintf(want, sizeof want, "if (!exists(\"out_file\")) out_file = \"%s\"\n", fig);
      ck_assert_ptr_nonnull(strstr(b, want));
      ck_assert_ptr_null(strstr(b, ".tmp."));
      free(a);
      free(b);
      ck_assert_int_eq(unlink(fig) | unlink(script) | unlink(table), 0);
    } else {
      ims_outset_abort(g);
      ck_assert_msg(access(fig, F_OK) && access(script, F_OK) && access(table, F_OK),
                    "pass %d: an output left after the abort", pass);
    }
    ims_outset_free(g);
    ims_fig_free(f);
  }
  /* gnuplot missing: refused before anything is opened */
  ims_outset_t *g;
  ck_assert_int_eq(ims_outset_alloc(&g, NULL, NULL, &err), 0);
  ims_fig_out_t o = {.figure = fig, .plots = plots, .gnuplot = "/nonexistent/gnuplot", .group = g};
  ck_assert_int_eq(ims_fig_prepare(&o, &err), IMS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "gnuplot not found"));
  ck_assert_ptr_null(ims_outset_find(g, script));
  ims_outset_free(g);
  ck_assert_int_eq(unlink(fake) | unlink(failing) | rmdir(dir), 0); /* nothing else was left */
}
END_TEST

Suite *suite_figure(void)
{
  Suite *s = suite_create("figure");
  TCase *tc = tcase_create("figure");
  tcase_add_test(tc, units);
  tcase_add_test(tc, column_labels);
  tcase_add_test(tc, model_figures);
  tcase_add_test(tc, linear_ticks);
  tcase_add_test(tc, log_ticks);
  tcase_add_test(tc, axis_fit);
  tcase_add_test(tc, branch_runs);
  tcase_add_test(tc, hline_labels);
  tcase_add_test(tc, timecourse);
  tcase_add_test(tc, script);
  tcase_add_test(tc, render_in_group);
  suite_add_tcase(s, tc);
  return s;
}
