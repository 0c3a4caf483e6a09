/* SBML export of every model (issue 12): every model file and every
 * built-in's model-file twin written as SBML and read back to the same
 * model; the twins against their built-ins on the papers' protocols; labels
 * from SBML names and model files through figures and export; default
 * figures from plot lines. */
#include "tests.h"

#include <glob.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const ims_model_t *import_ok(const char *path)
{
  const ims_model_t *m;
  ims_err_t err = {0};
  ck_assert_msg(ims_model_open(&m, path, NULL, &err) == 0, "%s", err.msg);
  return m;
}

static int col(const ims_model_t *m, const char *name)
{
  int c = t_col(m, name);
  ck_assert_msg(c > 0, "no column %s", name);
  return c;
}

/* ---- export ------------------------------------------------------------------------ */

/* Run a and b on one protocol (set: a parameter file or NULL; over: up to 3
 * NAME=VALUE overrides, NULL-terminated, or NULL; sched: CSV text, "@FILE" or
 * NULL) at rtol 1e-12 and hold every state and output of a at every output
 * time to the column of the same name in b: 1e-9 relative plus 10*atol. */
static void same_rows_set(const ims_model_t *a, const ims_model_t *b, const char *set,
                          const char *const *over, const char *sched, double tend, double dt,
                          double atol, const char *label)
{
  static const char *const none[1] = {NULL};
  const char *const *v = over ? over : none;
  const char *o1 = v[0], *o2 = o1 ? v[1] : NULL, *o3 = o2 ? v[2] : NULL;
  ims_params_t *pa = t_params(a, set, o1, o2, o3, NULL), *pb = t_params(b, set, o1, o2, o3, NULL);
  ims_schedule_t *sa = sched ? t_sched(a, sched) : NULL, *sb = sched ? t_sched(b, sched) : NULL;
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-12;
  o.atol = atol;
  size_t n;
  double *t = t_grid(0, tend, dt, &n);
  trace_t ta, tb;
  t_run_ok(pa, sa, &o, t, n, &ta);
  t_run_ok(pb, sb, &o, t, n, &tb);
  for (int k = 1; k < ta.ncol; k++) {
    const char *name =
        k <= a->nstates ? a->states[k - 1].name : a->outputs[k - 1 - a->nstates].name;
    int kb = col(b, name);
    for (size_t i = 0; i < n; i++) {
      double va = TR(&ta, i, k), vb = TR(&tb, i, kb);
      ck_assert_msg(fabs(va - vb) <= 1e-9 * fabs(va) + 10 * atol, "%s: %s at t=%g: %.17g vs %.17g",
                    label, name, t[i], va, vb);
    }
  }
  t_trace_free(&ta);
  t_trace_free(&tb);
  free(t);
  ims_schedule_free(sa);
  ims_schedule_free(sb);
  ims_params_free(pa);
  ims_params_free(pb);
}

static void same_rows(const ims_model_t *a, const ims_model_t *b, const char *set,
                      const char *sched, double tend, double dt, double atol, const char *label)
{
  same_rows_set(a, b, set, NULL, sched, tend, dt, atol, label);
}

/* Every model file (each models/NAME.model, whatever is added later),
 * exported and read back: the same states and outputs at every output time
 * (1e-9 relative at rtol 1e-12), the same parameter values and units (factor
 * 1 between the unit written and the unit read).  A file listed below runs
 * with its doses; any other runs 100 time units undosed. */
START_TEST(export_roundtrip)
{
  static const struct {
    const char *file, *sched;
    double tend, dt;
  } dosed[] = {
      {"models/kuznetsov1994.model", NULL, 200, 2},
      {"models/kirschner_panetta1998.model", NULL, 300, 3},
      {"models/hardiansyah2019.model", NULL, 30, 0.5},
      {"models/pk2cmt.model", "time,cmt,amt,rate\n0,A1,63,9\n7,A1,196,28\n", 14, 0.25},
      {"models/wodarz2001.model", "time,cmt,amt\n20,z,0.001\n", 100, 1},
      {"models/kimmel2021.model", NULL, 120, 1},
      {"models/cartmath2021.model", "time,cmt,amt\n42,CT,2e6\n", 100, 1},
      {"models/stein2019.model", NULL, 120, 0.5},
      {"models/hanson2016.model", NULL, 30, 0.25},
      /* doses(A) read back from the SBML parameter doses_A: 1, 2, 3 doses */
      {"models/chen2019.model", "time,cmt,amt,rate\n0,A,60,0\n7,A,300,0\n10,A,300,600\n", 14,
       0.125},
      {"models/depillis2006.model", "@params/schedules/depillis_combined.csv", 100, 0.5},
      {"models/gevertz2018.model", "@params/schedules/gevertz_ov_dc.csv", 30, 0.25},
      {"models/gevertz2018_minimal.model", "@params/schedules/gevertz_ov_dc.csv", 30, 0.25},
      {"models/hosseini2020.model", "@params/schedules/hosseini_mosun_1p6_10_10.csv", 30, 0.25},
  };
  glob_t g0;
  ck_assert_int_eq(glob(t_path("models/*.model"), 0, NULL, &g0), 0);
  ck_assert_uint_ge(g0.gl_pathc, sizeof dosed / sizeof *dosed);
  size_t listed = 0;
  for (size_t c = 0; c < g0.gl_pathc; c++) {
    const char *file = strstr(g0.gl_pathv[c], "models/"), *sched = NULL;
    double tend = 100, dt = 1;
    for (size_t i = 0; i < sizeof dosed / sizeof *dosed; i++)
      if (!strcmp(dosed[i].file, file) && ++listed) {
        sched = dosed[i].sched;
        tend = dosed[i].tend;
        dt = dosed[i].dt;
      }
    const ims_model_t *f;
    ims_err_t err = {0};
    ck_assert_msg(ims_model_open(&f, t_path(file), NULL, &err) == 0, "%s", err.msg);
    char out[64];
    snprintf(out, sizeof out, "/tmp/ims_export_XXXXXX.xml");
    int fd = mkstemps(out, 4);
    close(fd);
    ck_assert_msg(ims_sbml_export(f, NULL, out, &err) == 0, "%s", err.msg);
    const ims_model_t *g = import_ok(out);
    unlink(out);
    ims_params_t *pf = t_params(f, NULL, NULL), *pg = t_params(g, NULL, NULL);
    for (int k = 0; k < f->nparams; k++) {
      int j = ims_model_param_index(g, f->params[k].name);
      ck_assert_msg(j >= 0, "%s: parameter %s lost", file, f->params[k].name);
      double scale, off;
      ck_assert_msg(ims_units_factor(t_units(), g->params[j].unit, f->params[k].unit, &scale, &off,
                                     &err) == 0,
                    "%s", err.msg);
      ck_assert_msg(fabs(scale - 1) < 1e-12, "%s: %s unit %s read back as %s", file,
                    f->params[k].name, f->params[k].unit, g->params[j].unit);
      ck_assert(t_relerr(pg->value[j], pf->value[k]) < 1e-15);
    }
    ims_params_free(pf);
    ims_params_free(pg);
    same_rows(f, g, NULL, sched, tend, dt, 1e-12, file);
    ims_model_close(f);
    ims_model_close(g);
  }
  ck_assert_uint_eq(listed, sizeof dosed / sizeof *dosed); /* no entry names a missing file */
  globfree(&g0);
}
END_TEST

/* The model files written for export (models/wodarz2001.model,
 * kimmel2021.model, cartmath2021.model, stein2019.model, hanson2016.model,
 * chen2019.model, depillis2006.model) reproduce their built-ins: every state
 * and output at every output time within 1e-9 relative at rtol 1e-12 (plus
 * 10*atol), on the papers' protocols.  The same equations integrated by the
 * same solver differ only by rounding in the order of operations, which
 * rtol 1e-12 keeps far below 1e-9; a wrong term or constant is far above. */
START_TEST(model_files_for_export)
{
  static const char *const hanson_drug[] = {"D=50 1/h", "D_on=2", "D_off=12", NULL};
  static const struct {
    const char *model, *set;
    const char *const *over;
    const char *sched;
    double tend, dt, atol;
  } cases[] = {
      {"wodarz2001", "params/wodarz2001/default.csv", NULL, "time,cmt,amt\n20,z,0.001\n", 300, 1,
       1e-18},
      {"kimmel2021", "params/kimmel2021/axicel.csv", NULL, NULL, 365, 1, 1e-12},
      {"kimmel2021", "params/kimmel2021/axicel_supplement.csv", NULL, NULL, 365, 1, 1e-12},
      {"cartmath2021", "params/cartmath2021/hdlm2.csv", NULL,
       "time,cmt,amt\n42,CT,2e6\n250,T,1e6\n", 400, 1, 1e-12},
      {"cartmath2021", "params/cartmath2021/raji.csv", NULL, "time,cmt,amt\n7,CT,1e7\n", 60, 0.5,
       1e-12},
      /* expansion to Tmax = 9.3 d, then contraction and persistence */
      {"stein2019", "params/stein2019/tisagenlecleucel.csv", NULL, NULL, 365, 0.5, 1e-12},
      /* the published run, and the drug window (the d/dt(I) switch at 2 and 12 d) */
      {"hanson2016", "params/hanson2016/default.csv", NULL, NULL, 60, 0.25, 1e-12},
      {"hanson2016", "params/hanson2016/default.csv", hanson_drug, NULL, 30, 0.25, 1e-12},
      /* the dose count: priming (60 then 300 ug), then a third dose as an infusion */
      {"chen2019", "params/chen2019/default.csv", NULL, "@params/schedules/chen_priming.csv", 14,
       0.125, 1e-12},
      {"chen2019", "params/chen2019/default.csv", NULL,
       "time,cmt,amt,rate\n0,A,60,0\n7,A,300,0\n14,A,300,600\n21,A,300,0\n", 28, 0.125, 1e-12},
      /* chemotherapy, TIL and IL-2 pulses (infusions) on patient 9 and 10 */
      {"depillis2006", "params/depillis2006/patient9.csv", NULL,
       "@params/schedules/depillis_combined.csv", 100, 0.5, 1e-9},
      {"depillis2006", "params/depillis2006/patient10.csv", NULL,
       "@params/schedules/depillis_chemo.csv", 100, 0.5, 1e-9},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    const ims_model_t *b = ims_model_find(cases[c].model), *f;
    char path[128];
    snprintf(path, sizeof path, "models/%s.model", cases[c].model);
    ims_err_t err = {0};
    ck_assert_msg(ims_model_open(&f, t_path(path), NULL, &err) == 0, "%s", err.msg);
    same_rows_set(b, f, cases[c].set, cases[c].over, cases[c].sched, cases[c].tend, cases[c].dt,
                  cases[c].atol, path);
    ims_model_close(f);
  }
}
END_TEST

/* cartmath2021 exported from its model file with the built-in's extinction
 * rule (a state falling below 1e-6 cells is set to 0) as SBML events: read
 * back, it gives the built-in's run with its extinction triggers, the
 * extinctions included (T exactly 0 after each clearance). */
START_TEST(export_extinction_events)
{
  const ims_model_t *b = ims_model_find("cartmath2021"), *f;
  ims_err_t err = {0};
  ck_assert_msg(ims_model_open(&f, t_path("models/cartmath2021.model"), NULL, &err) == 0, "%s",
                err.msg);
  char out[64];
  snprintf(out, sizeof out, "/tmp/ims_export_XXXXXX.xml");
  close(mkstemps(out, 4));
  ims_sbml_export_opts_t eo = {.extinct_floor = b->extinct_floor};
  ck_assert_msg(ims_sbml_export(f, &eo, out, &err) == 0, "%s", err.msg);
  const ims_model_t *g = import_ok(out);
  unlink(out);
  ck_assert_int_eq(g->nevents, b->nstates);
  const char *sched = "time,cmt,amt\n42,CT,2e6\n250,T,1e6\n";
  ims_params_t *pb = t_params(b, "params/cartmath2021/hdlm2.csv", NULL),
               *pg = t_params(g, NULL, NULL);
  ims_schedule_t *sb = t_sched(b, sched), *sg = t_sched(g, sched);
  ims_trigger_t ext[8];
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-10;
  o.atol = 1e-9;
  size_t n;
  double *t = t_grid(0, 400, 1, &n);
  trace_t tg, tb;
  t_run_ok(pg, sg, &o, t, n, &tg);
  o.triggers = ext;
  o.ntriggers = ims_model_extinction(b, ext, 8);
  t_run_ok(pb, sb, &o, t, n, &tb);
  int zeros = 0;
  for (int k = 1; k <= b->nstates; k++) {
    int kg = col(g, b->states[k - 1].name);
    for (size_t i = 0; i < n; i++) {
      double vb = TR(&tb, i, k), vg = TR(&tg, i, kg);
      zeros += vb == 0 && vg == 0;
      ck_assert_msg(fabs(vb - vg) <= 1e-8 * fabs(vb) + 1e-8,
                    "%s at t=%g: SBML %.15g, built-in %.15g", b->states[k - 1].name, t[i], vg, vb);
    }
  }
  ck_assert_int_gt(zeros, 100); /* the tumour is extinct, exactly, for most of the run */
  t_trace_free(&tg);
  t_trace_free(&tb);
  free(t);
  ims_schedule_free(sb);
  ims_schedule_free(sg);
  ims_params_free(pb);
  ims_params_free(pg);
  ims_model_close(f);
  ims_model_close(g);
}
END_TEST

/* doses(STATE) against its closed form over 300 random schedules (fixed
 * seed): 1 to 6 doses at random times, boluses or infusions (an infusion's
 * start counts), some at one instant.  N = doses(X) is the number of doses
 * with time <= t, exactly; Y' = doses(X) from Y(0) = 0 is the sum of
 * (t - t_i) over those doses (1e-9 relative at rtol 1e-12).  The same through
 * the SBML export and import (doses_X read back as doses(X)). */
START_TEST(doses_count)
{
  const char *text = "time d\nstate X mg \"drug\"\nstate Y d \"integral of the count\"\n"
                     "param k 0.3 1/d \"elimination\"\nparam X_0 0 mg\nparam Y_0 0 d\n"
                     "output N 1 \"doses so far\" = doses(X)\n"
                     "d/dt(X) = -k*X\nd/dt(Y) = doses(X)\n";
  char mf[64] = "/tmp/ims_doses_XXXXXX.model", xf[64] = "/tmp/ims_doses_XXXXXX.xml";
  int fd = mkstemps(mf, 6);
  ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
  close(mkstemps(xf, 4));
  const ims_model_t *f = import_ok(mf), *g;
  ims_err_t err = {0};
  ck_assert_msg(ims_sbml_export(f, NULL, xf, &err) == 0, "%s", err.msg);
  g = import_ok(xf);
  unlink(mf);
  unlink(xf);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20261130);
  size_t n;
  double *t = t_grid(0, 20, 0.0625, &n);
  for (int c = 0; c < 300; c++) {
    int nd = 1 + (int)gsl_rng_uniform_int(r, 6);
    double td[6];
    char csv[1024];
    size_t len = (size_t)snprintf(csv, sizeof csv, "time,cmt,amt,rate\n");
    /* times on a 0.01 grid off the output grid, sorted; a repeat now and then */
    for (int i = 0; i < nd; i++)
      td[i] = 0.01 * (double)(1 + 2 * gsl_rng_uniform_int(r, 900));
    for (int i = 1; i < nd; i++)
      for (int j = i; j > 0 && td[j] < td[j - 1]; j--) {
        double x = td[j];
        td[j] = td[j - 1];
        td[j - 1] = x;
      }
    for (int i = 1; i < nd; i++)
      if (gsl_rng_uniform(r) < 0.2)
        td[i] = td[i - 1];
    for (int i = 0; i < nd; i++) {
      int inf = gsl_rng_uniform(r) < 0.5;
      len += (size_t)snprintf(csv + len, sizeof csv - len, "%.2f,X,%g,%g\n", td[i],
                              1 + 9 * gsl_rng_uniform(r), inf ? 2.0 : 0.0);
    }
    for (int w = 0; w < 2; w++) {
      const ims_model_t *m = w ? g : f;
      ims_params_t *p = t_params(m, NULL, NULL);
      ims_schedule_t *sc = t_sched(m, csv);
      ims_opts_t o;
      ims_opts_default(&o);
      o.rtol = 1e-12;
      o.atol = 1e-12;
      trace_t tr;
      t_run_ok(p, sc, &o, t, n, &tr);
      int kn = col(m, "N"), ky = col(m, "Y");
      for (size_t i = 0; i < n; i++) {
        double cnt = 0, integ = 0;
        for (int j = 0; j < nd; j++)
          if (td[j] <= t[i]) {
            cnt++;
            integ += t[i] - td[j];
          }
        ck_assert_msg(TR(&tr, i, kn) == cnt, "%s case %d t=%g: N %g, want %g\n%s", m->name, c, t[i],
                      TR(&tr, i, kn), cnt, csv);
        ck_assert_msg(fabs(TR(&tr, i, ky) - integ) <= 1e-9 * integ + 1e-10,
                      "%s case %d t=%g: Y %.17g, want %.17g\n%s", m->name, c, t[i], TR(&tr, i, ky),
                      integ, csv);
      }
      t_trace_free(&tr);
      ims_schedule_free(sc);
      ims_params_free(p);
    }
  }
  gsl_rng_free(r);
  free(t);
  ims_model_close(f);
  ims_model_close(g);
}
END_TEST

START_TEST(export_refuses_builtin)
{
  ims_err_t err = {0};
  ck_assert_int_eq(ims_sbml_export(ims_model_find("stein2019"), NULL, "/tmp/never.xml", &err),
                   IMS_EINPUT);
  ck_assert_msg(strstr(err.msg, "built-in C model") != NULL, "%s", err.msg);
  ck_assert_int_ne(access("/tmp/never.xml", F_OK), 0);
}
END_TEST

/* ---- labels ------------------------------------------------------------------------ */

static const char *label_of(const ims_model_t *m, const char *name)
{
  const char *l = ims_fig_label_of(m, name);
  ck_assert_msg(l != NULL, "%s: no label of %s", m->name, name);
  return l;
}

/* SBML names become labels and descriptions; ids stay the columns.  A name
 * several species share gets its compartment's name; figures and the dose
 * legend show the label, not a generated id. */
START_TEST(sbml_names_are_labels)
{
  const ims_model_t *m = import_ok(t_path("tests/biomodels/BIOMD0000000537.xml"));
  const char *ab = "mwf345ed7a_0622_403c_b816_c8749a2c9ded"; /* "Ab" in serum */
  ck_assert_str_eq(label_of(m, ab), "Ab in serum");
  ck_assert_str_eq(m->states[ims_model_state_index(m, ab)].desc, "Ab in serum");
  ck_assert_str_eq(label_of(m, "mw10315fa3_6f13_4618_bda8_a8694bd3c374"), "R"); /* unique */
  ck_assert_str_eq(label_of(m, "[mwf626e95e_543f_41e4_aad4_c6bf60ab345b]"), "[IL6 in serum]");
  ck_assert_str_eq(label_of(m, "mw53ffe9e6_beef_45c4_90a5_a79197ed506e"), "serum"); /* a volume */
  ck_assert_ptr_null(ims_fig_label_of(m, "kRLOn")); /* its name is its id */
  char buf[256];
  ims_fig_column_label(buf, sizeof buf, m, ab, "nmol");
  ck_assert_str_eq(buf, "Ab in serum (nmol)");
  ims_fig_column_label(buf, sizeof buf, m, "mw53ffe9e6_beef_45c4_90a5_a79197ed506e", "L");
  ck_assert_str_eq(buf, "serum (L)");

  /* a time course dosed into the antibody: its axis and its dose legend */
  char text[1024];
  snprintf(text, sizeof text,
           "# dose: t=0 cmt=%s bolus=704 nmol\n# units: time=h,%s=nmol\n"
           "time,%s\n0,704\n24,500\n48,300\n",
           ab, ab, ab);
  ims_table_t *t;
  ims_err_t err = {0};
  ck_assert_msg(ims_table_load_mem(&t, "ab.csv", text, strlen(text), 0, &err) == 0, "%s", err.msg);
  ims_fig_t *f;
  ims_plot_opts_t o;
  ims_plot_opts_init(&o);
  o.model = m;
  const char *y[] = {ab, NULL};
  o.y = y;
  o.ny = 1;
  ck_assert_int_eq(ims_fig_alloc(&f, &err), 0);
  const ims_table_t *tt[] = {t};
  ck_assert_msg(ims_plot_timecourse(f, tt, 1, &o, &err) == 0, "%s", err.msg);
  ck_assert_str_eq(f->panel[0]->y.label, "Ab in serum (nmol)");
  int found = 0;
  for (int k = 0; k < f->nkey; k++)
    found += f->key[k]->label && !strcmp(f->key[k]->label, "bolus into Ab in serum");
  ck_assert_int_eq(found, 1);
  ims_fig_free(f);
  ims_table_free(t);
  ims_model_close(m);
}
END_TEST

/* Every model file has its built-in's labels (its `label` lines), and an
 * export carries them as SBML names back to the same labels. */
START_TEST(model_file_labels)
{
  int n;
  const ims_model_t *const *all = ims_model_list(&n);
  int twins = 0;
  for (int i = 0; i < n; i++) {
    const ims_model_t *b = all[i], *f;
    char path[128];
    snprintf(path, sizeof path, "models/%s.model", b->name);
    if (access(t_path(path), R_OK) != 0)
      continue;
    twins++;
    ims_err_t err = {0};
    ck_assert_msg(ims_model_open(&f, t_path(path), NULL, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(f->nlabels, b->nlabels);
    for (int k = 0; k < b->nlabels; k++)
      ck_assert_str_eq(label_of(f, b->labels[k].name), b->labels[k].label);
    char out[64];
    snprintf(out, sizeof out, "/tmp/ims_export_XXXXXX.xml");
    close(mkstemps(out, 4));
    ck_assert_msg(ims_sbml_export(f, NULL, out, &err) == 0, "%s", err.msg);
    const ims_model_t *g = import_ok(out);
    unlink(out);
    for (int k = 0; k < b->nlabels; k++)
      ck_assert_str_eq(label_of(g, b->labels[k].name), b->labels[k].label);
    ims_model_close(g);
    ims_model_close(f);
  }
  ck_assert_int_ge(twins, 7);
}
END_TEST

/* ---- default figure (plot lines, issue 15) ------------------------------------------ */

static void same_plot(const ims_model_t *a, const ims_model_t *b)
{
  ck_assert_msg(a->nplot == b->nplot, "%s: %d plot columns, %s: %d", a->name, a->nplot,
                b->source ? b->source : b->name, b->nplot);
  for (int k = 0; k < a->nplot; k++) {
    ck_assert_str_eq(a->plot[k].name, b->plot[k].name);
    ck_assert_msg(a->plot[k].scale == b->plot[k].scale, "%s.%s: scale %d vs %d", a->name,
                  a->plot[k].name, a->plot[k].scale, b->plot[k].scale);
  }
}

/* A plot line becomes the compiled model's plot table, in order, with the
 * scales it names (none: auto), and translate writes the same table. */
START_TEST(model_file_plot)
{
  static const char text[] = "time d\n"
                             "state X cell\nstate Y cell\nparam k 0.1 1/d\n"
                             "d/dt(X) = k*X\nd/dt(Y) = -k*Y\n"
                             "plot Z lin, X,\n"
                             "     Y log\n" /* a line ending in ',' continues */
                             "output Z cell = X + Y\n";
  const ims_model_t *m;
  ims_err_t err = {0};
  ck_assert_msg(ims_model_read_mem(&m, "p.model", text, strlen(text), NULL, &err) == 0, "%s",
                err.msg);
  static const ims_plotcol_t want[] = {
      {"Z", IMS_SCALE_LIN}, {"X", IMS_SCALE_AUTO}, {"Y", IMS_SCALE_LOG}};
  const ims_model_t w = {.name = "want", .plot = want, .nplot = 3};
  same_plot(&w, m);
  char *c = NULL;
  size_t n = 0;
  FILE *fp = open_memstream(&c, &n);
  ck_assert_ptr_nonnull(fp);
  ck_assert_msg(ims_mdl_write_c(m, fp, &err) == 0, "%s", err.msg);
  fclose(fp);
  ck_assert_msg(strstr(c, "static const ims_plotcol_t plot[] = {\n    {\"Z\", IMS_SCALE_LIN},\n"
                          "    {\"X\", IMS_SCALE_AUTO},\n    {\"Y\", IMS_SCALE_LOG},\n};") &&
                    strstr(c, "    .plot = plot,\n    .nplot = 3,\n"),
                "%s", c);
  free(c);
  ims_model_close(m);
  /* without a plot line: no table (figures fall back to the outputs) */
  static const char bare[] = "time d\nstate X cell\nd/dt(X) = 0\n";
  ck_assert_msg(ims_model_read_mem(&m, "b.model", bare, strlen(bare), NULL, &err) == 0, "%s",
                err.msg);
  ck_assert_int_eq(m->nplot, 0);
  ck_assert_ptr_null(m->plot);
  ims_model_close(m);
}
END_TEST

/* Every model file twin of a built-in has the built-in's default figure; the
 * other shipped model files declare one whose columns all exist. */
START_TEST(model_file_plots_shipped)
{
  int twins = 0, others = 0;
  glob_t g;
  ck_assert_int_eq(glob(t_path("models/*.model"), 0, NULL, &g), 0);
  for (size_t i = 0; i < g.gl_pathc; i++) {
    const ims_model_t *f = import_ok(g.gl_pathv[i]), *b = ims_model_find(f->name);
    /* the SBML export carries the figure (an annotation) back to the same table */
    char out[64];
    snprintf(out, sizeof out, "/tmp/ims_export_XXXXXX.xml");
    close(mkstemps(out, 4));
    ims_err_t err = {0};
    ck_assert_msg(ims_sbml_export(f, NULL, out, &err) == 0, "%s", err.msg);
    const ims_model_t *x = import_ok(out);
    unlink(out);
    same_plot(f, x);
    ims_model_close(x);
    if (b) {
      same_plot(b, f);
      twins++;
    } else {
      ck_assert_msg(f->nplot > 0, "%s: no plot line", g.gl_pathv[i]);
      for (int k = 0; k < f->nplot; k++)
        ck_assert_msg(t_col(f, f->plot[k].name) > 0, "%s: plot column %s", f->name,
                      f->plot[k].name);
      others++;
    }
    ims_model_close(f);
  }
  globfree(&g);
  ck_assert_int_ge(twins, 11);
  ck_assert_int_ge(others, 3);
}
END_TEST

/* An annotation naming no state or output is refused with where it is. */
START_TEST(sbml_plot_annotation_checked)
{
  const ims_model_t *f = import_ok(t_path("models/kuznetsov1994.model"));
  char out[64];
  snprintf(out, sizeof out, "/tmp/ims_export_XXXXXX.xml");
  close(mkstemps(out, 4));
  ims_err_t err = {0};
  ck_assert_msg(ims_sbml_export(f, NULL, out, &err) == 0, "%s", err.msg);
  ims_model_close(f);
  FILE *fp = fopen(out, "r");
  ck_assert_ptr_nonnull(fp);
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  static const char *const bad[][2] = {{"<ims:column id=\"E\"", "<ims:column id=\"Ex\""},
                                       {"scale=\"log\"", "scale=\"logarithmic\""}};
  static const char *const want[] = {"no state or output 'Ex'", "needs an id and a scale"};
  for (int k = 0; k < 2; k++) {
    char *text = strdup(buf), *at = strstr(text, bad[k][0]);
    ck_assert_ptr_nonnull(at);
    fp = fopen(out, "w");
    fprintf(fp, "%.*s%s%s", (int)(at - text), text, bad[k][1], at + strlen(bad[k][0]));
    fclose(fp);
    free(text);
    const ims_model_t *m = NULL;
    ck_assert_int_eq(ims_model_open(&m, out, NULL, &err), IMS_EINPUT);
    ck_assert_msg(strstr(err.msg, out) && strstr(err.msg, "<ims:plot>") && strstr(err.msg, want[k]),
                  "%s", err.msg);
  }
  unlink(out);
}
END_TEST

Suite *suite_export(void)
{
  Suite *s = suite_create("export");
  TCase *tc = tcase_create("export");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, export_roundtrip);
  tcase_add_test(tc, model_files_for_export);
  tcase_add_test(tc, export_extinction_events);
  tcase_add_test(tc, doses_count);
  tcase_add_test(tc, export_refuses_builtin);
  tcase_add_test(tc, sbml_names_are_labels);
  tcase_add_test(tc, model_file_labels);
  tcase_add_test(tc, model_file_plot);
  tcase_add_test(tc, model_file_plots_shipped);
  tcase_add_test(tc, sbml_plot_annotation_checked);
  suite_add_tcase(s, tc);
  return s;
}
