/* The model files in models/ against their built-in C models: every state at
 * every output within 1e-9 relative at rtol 1e-12 on the paper protocols,
 * symbolic Jacobians equal to the hand-written ones at 100 random states, and
 * populations giving the same percentile bands. */
#include "tests.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ims_model_t *open_file(const char *rel)
{
  const ims_model_t *m;
  ims_err_t err = {0};
  ck_assert_msg(ims_model_open(&m, t_path(rel), NULL, &err) == 0, "%s", err.msg);
  ck_assert_ptr_nonnull(ims_mdl_of(m));
  return m;
}

/* Run both models on one protocol and compare every state and output at every
 * output time: within 1e-9 relative at rtol 1e-12, plus 10*atol (values below
 * the solver's atol are not resolved by either run). */
static void compare(const ims_model_t *b, const ims_model_t *f, const char *pfile, const char *set,
                    const char *sched, double tend, double dt, double atol, const char *label)
{
  ims_params_t *pb = t_params(b, pfile, set, NULL), *pf = t_params(f, pfile, set, NULL);
  ims_schedule_t *sb = sched ? t_sched(b, sched) : NULL, *sf = sched ? t_sched(f, sched) : NULL;
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-12;
  o.atol = atol;
  size_t n;
  double *t = t_grid(0, tend, dt, &n);
  trace_t tb = {0}, tf = {0};
  t_run_ok(pb, sb, &o, t, n, &tb);
  t_run_ok(pf, sf, &o, t, n, &tf);
  double worst = 0;
  for (size_t i = 0; i < n; i++)
    for (int c = 1; c <= b->nstates + b->noutputs; c++) {
      double vb = TR(&tb, i, c), vf = TR(&tf, i, c);
      double err = fabs(vf - vb), tol = 1e-9 * fabs(vb) + 10 * atol;
      if (err / tol > worst)
        worst = err / tol;
      ck_assert_msg(err <= tol, "%s: %s at t = %g: file %.17g, built-in %.17g", label,
                    c <= b->nstates ? b->states[c - 1].name : b->outputs[c - 1 - b->nstates].name,
                    t[i], vf, vb);
    }
  printf("modelfiles: %-44s %5zu rows, worst error %.3g of the tolerance\n", label, n, worst);
  t_trace_free(&tb);
  t_trace_free(&tf);
  free(t);
  ims_schedule_free(sb);
  ims_schedule_free(sf);
  ims_params_free(pb);
  ims_params_free(pf);
}

START_TEST(kuznetsov_reproduces)
{
  const ims_model_t *f = open_file("models/kuznetsov1994.model");
  const ims_model_t *b = ims_model_find("kuznetsov1994");
  const char *ps = "params/kuznetsov1994/bcl1.csv";
  /* the BIOMD0000000762 inoculum (dormant focus) and a large one (escape) */
  compare(b, f, ps, NULL, NULL, 400, 1, 1e-6, "kuznetsov1994 bcl1 T_0=5e6");
  compare(b, f, ps, "T_0=1e8", NULL, 400, 1, 1e-6, "kuznetsov1994 bcl1 T_0=1e8");
  ims_model_close(f);
}
END_TEST

START_TEST(kirschner_panetta_reproduces)
{
  const ims_model_t *f = open_file("models/kirschner_panetta1998.model");
  const ims_model_t *b = ims_model_find("kirschner_panetta1998");
  const char *ps = "params/kirschner_panetta1998/default.csv";
  /* Sect. 3: oscillation at c = 0.02, dormancy at c = 0.05; Sect. 4: adoptive
   * therapy s1 = 600 (as a schedule) and IL-2 alone s2 = 1e7 */
  /* T falls to 1e-4 (c = 0.02) and 4e-6 cells (s2 = 1e7) and regrows: an atol
   * far below the troughs resolves them to rtol, so both runs are determined */
  compare(b, f, ps, NULL, NULL, 600, 1, 1e-20, "kirschner_panetta1998 c=0.02");
  compare(b, f, ps, "c=0.05", NULL, 600, 1, 1e-20, "kirschner_panetta1998 c=0.05");
  compare(b, f, ps, NULL, "@params/schedules/kp_adoptive_s1.csv", 600, 1, 1e-20,
          "kirschner_panetta1998 s1=600 schedule");
  compare(b, f, ps, "s2=1e7", NULL, 600, 1, 1e-20, "kirschner_panetta1998 s2=1e7");
  ims_model_close(f);
}
END_TEST

START_TEST(hardiansyah_reproduces)
{
  const ims_model_t *f = open_file("models/hardiansyah2019.model");
  const ims_model_t *b = ims_model_find("hardiansyah2019");
  compare(b, f, "params/hardiansyah2019/upn1.csv", NULL,
          "@params/schedules/hardiansyah_upn1_split.csv", 140, 0.5, 1e-14,
          "hardiansyah2019 UPN1 split");
  compare(b, f, "params/hardiansyah2019/upn1.csv", NULL,
          "@params/schedules/hardiansyah_upn1_single.csv", 140, 0.5, 1e-14,
          "hardiansyah2019 UPN1 single");
  compare(b, f, "params/hardiansyah2019/upn3.csv", NULL,
          "@params/schedules/hardiansyah_upn3_split.csv", 140, 0.5, 1e-14,
          "hardiansyah2019 UPN3 split");
  ims_model_close(f);
}
END_TEST

START_TEST(pk2cmt_reproduces)
{
  const ims_model_t *f = open_file("models/pk2cmt.model");
  const ims_model_t *b = ims_model_find("pk2cmt");
  static const char *const sets[][3] = {
      {"params/pk2cmt/blinatumomab_clements2020.csv", "@params/schedules/blinatumomab_cycle1.csv",
       "42"},
      {"params/pk2cmt/pembrolizumab_ahamadi2017.csv",
       "@params/schedules/pembrolizumab_200mg_q3w.csv", "168"},
      {"params/pk2cmt/nivolumab_bajaj2017.csv", "@params/schedules/nivolumab_240mg_q2w.csv", "365"},
      {"params/pk2cmt/trastuzumab_bruno2005.csv", NULL, "84"},
      {"params/pk2cmt/tocilizumab_frey2010.csv", NULL, "84"},
  };
  for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
    const char *sched = sets[k][1];
    if (!sched) /* a loading dose and two maintenance doses into the central compartment */
      sched = "time,cmt,amt,addl,ii,unit\n0,A1,600,2,21,mg\n";
    compare(b, f, sets[k][0], NULL, sched, atof(sets[k][2]), 0.25, 1e-12, sets[k][0]);
  }
  ims_model_close(f);
}
END_TEST

/* ---- Jacobians ---------------------------------------------------------------- */

static double uni(uint64_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return (double)(*s >> 11) / 9007199254740992.0;
}

static void compare_jac(const char *builtin, const char *file, const char *pfile,
                        const double *scale)
{
  const ims_model_t *f = open_file(file), *b = ims_model_find(builtin);
  ims_params_t *pb = t_params(b, pfile, NULL), *pf = t_params(f, pfile, NULL);
  int n = b->nstates, nd[64] = {0};
  double *wf = calloc(f->nwork + 1, sizeof *wf);
  double *y = calloc((size_t)n, sizeof *y), *Jb = calloc((size_t)(n * n), sizeof *Jb);
  double *Jf = calloc((size_t)(n * n), sizeof *Jf), *fb = calloc((size_t)n, sizeof *fb);
  double *ff = calloc((size_t)n, sizeof *ff);
  ims_ctx_t cb = {.p = pb->value, .ndose = nd, .model = b};
  ims_ctx_t cf = {.p = pf->value, .ndose = nd, .model = f, .work = wf};
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  double worst = 0, worstf = 0;
  for (int trial = 0; trial < 100; trial++) {
    double t = 100 * uni(&seed);
    for (int i = 0; i < n; i++) /* three decades below to one above the scale */
      y[i] = scale[i] * pow(10, -3 + 4 * uni(&seed));
    ck_assert_int_eq(b->jac(t, y, Jb, &cb), 0);
    ck_assert_int_eq(f->jac(t, y, Jf, &cf), 0);
    ck_assert_int_eq(b->rhs(t, y, fb, &cb), 0);
    ck_assert_int_eq(f->rhs(t, y, ff, &cf), 0);
    for (int i = 0; i < n; i++) {
      double e = fabs(ff[i] - fb[i]) / fmax(fabs(fb[i]), 1e-300);
      worstf = e > worstf ? e : worstf;
      ck_assert_msg(fabs(ff[i] - fb[i]) <= 1e-12 * fabs(fb[i]), "%s: f[%s] %.17g vs %.17g", builtin,
                    b->states[i].name, ff[i], fb[i]);
      for (int j = 0; j < n; j++) {
        double vb = Jb[i * n + j], vf = Jf[i * n + j];
        double err = fabs(vf - vb);
        if (err > 0 && err / fabs(vb) > worst)
          worst = err / fabs(vb);
        ck_assert_msg(err <= 1e-12 * fabs(vb),
                      "%s: J[%s][%s] at trial %d: symbolic %.17g, hand %.17g", builtin,
                      b->states[i].name, b->states[j].name, trial, vf, vb);
      }
    }
  }
  printf("modelfiles: %-24s rhs worst %.2g, Jacobian worst %.2g relative (100 random states)\n",
         builtin, worstf, worst);
  free(wf);
  free(y);
  free(Jb);
  free(Jf);
  free(fb);
  free(ff);
  ims_params_free(pb);
  ims_params_free(pf);
  ims_model_close(f);
}

START_TEST(jacobians_equal_hand_written)
{
  static const double kz[] = {1e6, 1e8}, kp[] = {1e6, 1e7, 1e5};
  static const double hs[] = {4, 1, 1, 0.1, 0.1, 100, 100, 100}, pk[] = {100, 100};
  compare_jac("kuznetsov1994", "models/kuznetsov1994.model", "params/kuznetsov1994/bcl1.csv", kz);
  compare_jac("kirschner_panetta1998", "models/kirschner_panetta1998.model",
              "params/kirschner_panetta1998/default.csv", kp);
  compare_jac("hardiansyah2019", "models/hardiansyah2019.model", "params/hardiansyah2019/upn1.csv",
              hs);
  compare_jac("pk2cmt", "models/pk2cmt.model", "params/pk2cmt/nivolumab_bajaj2017.csv", pk);
  compare_jac("pk2cmt", "models/pk2cmt.model", "params/pk2cmt/tocilizumab_frey2010.csv", pk);
}
END_TEST

/* The symbolic Jacobian of every model file (and of the README's) against
 * central differences of its own RHS, with the generic model suite's
 * tolerance: O(h^2) truncation plus eps*|f|/h rounding. */
START_TEST(jacobians_against_differences)
{
  static const struct {
    const char *file;
    double scale[8];
  } mf[] = {
      {"models/kuznetsov1994.model", {1e6, 1e8}},
      {"models/kirschner_panetta1998.model", {1e6, 1e7, 1e5}},
      {"models/hardiansyah2019.model", {4, 1, 1, 0.1, 0.1, 100, 100, 100}},
      {"models/pk2cmt.model", {100, 100}},
  };
  uint64_t seed = 12345;
  for (size_t k = 0; k < sizeof mf / sizeof *mf; k++) {
    const ims_model_t *m = open_file(mf[k].file);
    ims_params_t *p = t_params(m, NULL, NULL);
    int n = m->nstates, nd[8] = {0};
    double *w = calloc(m->nwork + 1, sizeof *w), y[8], yp[8], J[64], f0[8], fp[8], fm[8];
    ims_ctx_t c = {.p = p->value, .ndose = nd, .model = m, .work = w};
    for (int trial = 0; trial < 100; trial++) {
      double t = 50 * uni(&seed);
      for (int i = 0; i < n; i++)
        y[i] = mf[k].scale[i] * pow(10, -2 + 3 * uni(&seed));
      ck_assert_int_eq(m->jac(t, y, J, &c), 0);
      ck_assert_int_eq(m->rhs(t, y, f0, &c), 0);
      for (int j = 0; j < n; j++) {
        double h = 1e-6 * fmax(fabs(y[j]), 1e-3);
        memcpy(yp, y, sizeof y);
        yp[j] = y[j] + h;
        m->rhs(t, yp, fp, &c);
        yp[j] = y[j] - h;
        m->rhs(t, yp, fm, &c);
        for (int i = 0; i < n; i++) {
          double fd = (fp[i] - fm[i]) / (2 * h);
          double tol = 1e-5 * (fabs(fd) + fabs(J[i * n + j])) + 1e-8 * (fabs(f0[i]) / fabs(y[j]));
          ck_assert_msg(fabs(J[i * n + j] - fd) <= tol,
                        "%s: dF[%s]/d%s symbolic %.10g, differences %.10g", mf[k].file,
                        m->states[i].name, m->states[j].name, J[i * n + j], fd);
        }
      }
    }
    free(w);
    ims_params_free(p);
    ims_model_close(m);
  }
}
END_TEST

/* ---- populations ----------------------------------------------------------------- */

static ims_params_t *pop_params(const ims_model_t *m, const char *pfile, const char *iiv)
{
  ims_params_t *p;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_params_alloc(&p, m, &err), 0);
  ck_assert_msg(ims_params_read(p, t_units(), t_path(pfile), &err) == 0, "%s", err.msg);
  if (iiv)
    ck_assert_msg(ims_params_read_mem(p, t_units(), "iiv.csv", iiv, strlen(iiv), &err) == 0, "%s",
                  err.msg);
  ck_assert_msg(ims_params_finish(p, &err) == 0, "%s", err.msg);
  return p;
}

static int no_subject(void *ud, const ims_pop_subject_t *s)
{
  ck_assert_msg(s->status == 0, "subject %d: %s", (int)s->id, s->msg);
  return ud ? 0 : 0;
}

/* Same seed, same draws (the varying parameters in the same order, so the
 * same etas), same percentiles: type 7 percentiles of 100 subjects in exact
 * mode, within 1e-9 relative plus 10*atol. */
static void compare_pop(const char *builtin, const char *file, const char *pfile, const char *iiv,
                        const char *sched, double tend, double dt, double atol)
{
  const ims_model_t *f = open_file(file), *b = ims_model_find(builtin);
  const ims_model_t *ms[2] = {b, f};
  ims_bands_t *bands[2];
  size_t nt;
  double *t = t_grid(0, tend, dt, &nt);
  int nc = b->nstates + b->noutputs, ncf = f->nstates + f->noutputs; /* a file may add outputs */
  for (int k = 0; k < 2; k++) {
    ims_params_t *p = pop_params(ms[k], pfile, iiv);
    ims_pop_t *pop;
    ims_err_t err = {0};
    ck_assert_msg(ims_pop_alloc(&pop, p, &err) == 0, "%s", err.msg);
    ck_assert_int_gt(ims_pop_nvar(pop), 1);
    ims_schedule_t *s = sched ? t_sched(ms[k], sched) : NULL;
    ims_opts_t o;
    ims_opts_default(&o);
    o.rtol = 1e-12;
    o.atol = atol;
    ck_assert_int_eq(ims_bands_alloc(&bands[k], nt, k ? ncf : nc, 100, (size_t)1 << 30, &err), 0);
    ck_assert(ims_bands_exact(bands[k]));
    ims_pop_run_t run = {.seed = 20240611,
                         .first = 0,
                         .last = 100,
                         .threads = 2,
                         .no_metrics = 1,
                         .bands = bands[k],
                         .subject = no_subject};
    ims_pop_summary_t sum;
    ck_assert_msg(ims_pop_simulate(pop, s, &o, t, nt, &run, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.ok, 100);
    ims_schedule_free(s);
    ims_pop_free(pop);
    ims_params_free(p);
  }
  double worst = 0;
  for (size_t cell = 0; cell < nt * (size_t)nc; cell++)
    for (int q = 0; q < IMS_BANDS_NP; q++) {
      double vb = ims_bands_quantile(bands[0], cell, ims_bands_p[q]);
      size_t fcell = cell / (size_t)nc * (size_t)ncf + cell % (size_t)nc;
      double vf = ims_bands_quantile(bands[1], fcell, ims_bands_p[q]);
      double tol = 1e-9 * fabs(vb) + 10 * atol, err = fabs(vf - vb);
      worst = err / tol > worst ? err / tol : worst;
      ck_assert_msg(err <= tol, "%s: band %s of column %d at t = %g: file %.17g, built-in %.17g",
                    builtin, ims_bands_suffix[q], (int)(cell % (size_t)nc), t[cell / (size_t)nc],
                    vf, vb);
    }
  printf("modelfiles: %-24s population of 100: bands within %.3g of the tolerance\n", builtin,
         worst);
  ims_bands_free(bands[0]);
  ims_bands_free(bands[1]);
  free(t);
  ims_model_close(f);
}

START_TEST(populations_same_bands)
{
  compare_pop("kuznetsov1994", "models/kuznetsov1994.model", "params/kuznetsov1994/bcl1.csv",
              "name,value,unit,iiv\np,0.1245,1/d,20%\nn,1.101e-7,1/cell/d,20%\n"
              "T_0,5e6,cell,50%\n",
              NULL, 200, 2, 1e-6);
  compare_pop("kirschner_panetta1998", "models/kirschner_panetta1998.model",
              "params/kirschner_panetta1998/default.csv",
              "name,value,unit,iiv\nc,0.02,1/d,30%\na,1,1/d,20%\n", NULL, 300, 3, 1e-20);
  /* PIL6 varies: its canonical units differ by 1e6 between the two models */
  compare_pop("hardiansyah2019", "models/hardiansyah2019.model", "params/hardiansyah2019/upn1.csv",
              "name,value,unit,iiv\nrE,16.16,1/(1e9 cell)/d,30%\nKBC,0.19,1/(1e9 cell)/d,30%\n"
              "PIL6,1.8e-3,pg/uL/d/(1e15 cell^2),50%\nB_0,4.14,1e9 cell,40%\n",
              "@params/schedules/hardiansyah_upn1_split.csv", 60, 1, 1e-14);
  compare_pop("pk2cmt", "models/pk2cmt.model", "params/pk2cmt/nivolumab_bajaj2017.csv", NULL,
              "@params/schedules/nivolumab_240mg_q2w.csv", 84, 1, 1e-12);
}
END_TEST

Suite *suite_modelfiles(void)
{
  Suite *s = suite_create("modelfiles");
  TCase *tc = tcase_create("reproduce");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, kuznetsov_reproduces);
  tcase_add_test(tc, kirschner_panetta_reproduces);
  tcase_add_test(tc, hardiansyah_reproduces);
  tcase_add_test(tc, pk2cmt_reproduces);
  tcase_add_test(tc, jacobians_equal_hand_written);
  tcase_add_test(tc, populations_same_bands);
  tcase_add_test(tc, jacobians_against_differences);
  suite_add_tcase(s, tc);
  return s;
}
