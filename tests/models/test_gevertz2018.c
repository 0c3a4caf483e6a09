/* gevertz2018 and gevertz2018_minimal (Gevertz & Wares 2018, Comput Math
 * Methods Med 2018:8760371; models/gevertz2018.md): model files with the
 * injections as dosing records.  Oracles: the exponential control arm and the
 * dendritic-cell arm in closed form over random parameters, the ranking of
 * the four arms of the paper's protocol, and the original and minimal
 * models agreeing within 2 % on the combination protocol. */
#include "../tests.h"

#include <math.h>
#include <sbml/SBMLTypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ORIG "models/gevertz2018.model"
#define MINI "models/gevertz2018_minimal.model"
#define OV_DC "@params/schedules/gevertz_ov_dc.csv"
#define OV "@params/schedules/gevertz_ov.csv"
#define DC "@params/schedules/gevertz_dc.csv"

static const ims_model_t *open_model(const char *rel)
{
  const ims_model_t *m;
  ims_err_t err = {0};
  ck_assert_msg(ims_model_open(&m, t_path(rel), NULL, &err) == 0, "%s", err.msg);
  return m;
}

static ims_params_t *set_of(const ims_model_t *m)
{
  return t_params(m,
                  m->nstates == 6 ? "params/gevertz2018/original.csv"
                                  : "params/gevertz2018_minimal/minimal.csv",
                  NULL);
}

/* rtol 1e-12: the closed-form checks below hold to 1e-8 over 30 days of growth */
static void tight(ims_opts_t *o)
{
  t_tight(o);
  o->rtol = 1e-12;
}

static double *par(const ims_model_t *m, ims_params_t *p, const char *name)
{
  int k = ims_model_param_index(m, name);
  ck_assert_msg(k >= 0, "no parameter %s", name);
  return &p->value[k];
}

static double uni(uint64_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return (double)(*s >> 11) / 9007199254740992.0;
}

/* Tumour volume U + I of one arm on the grid t (n points). */
static void volume(const ims_model_t *m, const ims_params_t *p, const char *sched, const double *t,
                   size_t n, double *v)
{
  ims_schedule_t *s = sched ? t_sched(m, sched) : NULL;
  ims_opts_t o;
  tight(&o);
  trace_t tr;
  t_run_ok(p, s, &o, t, n, &tr);
  int c = t_col(m, "volume");
  for (size_t i = 0; i < n; i++)
    v[i] = TR(&tr, i, c);
  t_trace_free(&tr);
  ims_schedule_free(s);
}

/* Untreated, I = V = A = T = D = 0 stay 0 and U(t) = U_0 e^{r t} exactly:
 * 200 random (r, U_0) per model, 0..30 d. */
START_TEST(control_arm_exponential)
{
  const char *files[] = {ORIG, MINI};
  uint64_t seed = 0x2018f00dull;
  size_t n;
  double *t = t_grid(0, 30, 0.5, &n);
  double worst = 0;
  for (int f = 0; f < 2; f++) {
    const ims_model_t *m = open_model(files[f]);
    ims_params_t *p = set_of(m);
    ims_opts_t o;
    tight(&o);
    for (int trial = 0; trial < 200; trial++) {
      double r = 0.05 + 0.55 * uni(&seed), u0 = pow(10, 3 * uni(&seed));
      *par(m, p, "r") = r;
      *par(m, p, "U_0") = u0;
      trace_t tr;
      t_run_ok(p, NULL, &o, t, n, &tr);
      for (size_t i = 0; i < n; i++) {
        double want = u0 * exp(r * t[i]), got = TR(&tr, i, t_col(m, "U"));
        double e = t_relerr(got, want);
        worst = e > worst ? e : worst;
        ck_assert_msg(e <= 1e-8, "%s r=%g U_0=%g t=%g: U %.15g, closed form %.15g", files[f], r, u0,
                      t[i], got, want);
        for (int k = 1; k < m->nstates; k++)
          ck_assert_msg(TR(&tr, i, 1 + k) == 0, "%s: %s = %g without a dose", files[f],
                        m->states[k].name, TR(&tr, i, 1 + k));
      }
      t_trace_free(&tr);
    }
    ims_params_free(p);
    ims_model_close(m);
  }
  printf("gevertz2018: control arm vs U_0*exp(r*t), 400 runs: worst relative error %.2g\n", worst);
  free(t);
}
END_TEST

/* Dendritic cells alone: no infection, so I = V = A = 0 and
 *   D(t) = sum_k e^{-dD (t - t_k)},
 *   T(t) = chi_D sum_k g(t - t_k),  g(s) = (e^{-dD s} - e^{-dT s})/(dT - dD)  (s e^{-d s} when
 *   dT = dD, the published case), over the doses t_k = 1, 3, 5 d with t_k <= t.
 * 100 random (dD, dT, chi_D) per model plus the published values. */
START_TEST(dc_arm_closed_form)
{
  const char *files[] = {ORIG, MINI};
  const double tk[] = {1, 3, 5};
  uint64_t seed = 0xdc0001ull;
  size_t n;
  double *t = t_grid(0, 20, 0.25, &n);
  double worst = 0;
  for (int f = 0; f < 2; f++) {
    const ims_model_t *m = open_model(files[f]);
    ims_params_t *p = set_of(m);
    ims_schedule_t *s = t_sched(m, DC);
    ims_opts_t o;
    tight(&o);
    for (int trial = 0; trial <= 100; trial++) {
      if (trial > 0) { /* trial 0: the published values (dD = dT = 0.35 /d) */
        *par(m, p, "delta_D") = 0.1 + 0.9 * uni(&seed);
        *par(m, p, "delta_T") = trial % 10 == 0 ? *par(m, p, "delta_D") : 0.1 + 0.9 * uni(&seed);
        *par(m, p, "chi_D") = 1 + 9 * uni(&seed);
      }
      double dD = *par(m, p, "delta_D"), dT = *par(m, p, "delta_T"), chi = *par(m, p, "chi_D");
      trace_t tr;
      t_run_ok(p, s, &o, t, n, &tr);
      for (size_t i = 0; i < n; i++) {
        double D = 0, T = 0;
        for (int k = 0; k < 3; k++) {
          double a = t[i] - tk[k];
          if (a < 0)
            continue;
          D += exp(-dD * a);
          T += chi * (dT == dD ? a * exp(-dD * a) : (exp(-dD * a) - exp(-dT * a)) / (dT - dD));
        }
        double gD = TR(&tr, i, t_col(m, "D")), gT = TR(&tr, i, t_col(m, "T"));
        double e = fmax(fabs(gD - D) / fmax(D, 1e-3), fabs(gT - T) / fmax(T, 1e-3));
        worst = e > worst ? e : worst;
        ck_assert_msg(e <= 1e-8, "%s dD=%g dT=%g chi_D=%g t=%g: D %.15g (%.15g), T %.15g (%.15g)",
                      files[f], dD, dT, chi, t[i], gD, D, gT, T);
        ck_assert(TR(&tr, i, t_col(m, "I")) == 0 && TR(&tr, i, t_col(m, "V")) == 0);
      }
      t_trace_free(&tr);
    }
    ims_schedule_free(s);
    ims_params_free(p);
    ims_model_close(m);
  }
  printf("gevertz2018: dendritic-cell arm vs closed form, 202 runs: worst relative error %.2g\n",
         worst);
  free(t);
}
END_TEST

/* The four arms of the paper's protocol with one parameter set: virus plus dendritic cells
 * controls the tumour far better than either alone, the virus alone better
 * than dendritic cells alone, and every treatment better than none:
 * OV+DC << OV < DC < control at days 10, 20 and 30, "<<" taken as at least
 * 5-fold (measured 9-107-fold), in both models. */
START_TEST(ranking_of_arms)
{
  const char *files[] = {ORIG, MINI};
  const double t[] = {0, 10, 20, 30};
  for (int f = 0; f < 2; f++) {
    const ims_model_t *m = open_model(files[f]);
    ims_params_t *p = set_of(m);
    double vc[4], vd[4], vo[4], vb[4];
    volume(m, p, NULL, t, 4, vc);
    volume(m, p, DC, t, 4, vd);
    volume(m, p, OV, t, 4, vo);
    volume(m, p, OV_DC, t, 4, vb);
    for (int i = 1; i < 4; i++) {
      printf("gevertz2018: %s day %2g volume (mm3): OV+DC %.4g, OV %.4g, DC %.4g, control %.4g\n",
             m->name, t[i], vb[i], vo[i], vd[i], vc[i]);
      ck_assert_msg(5 * vb[i] < vo[i] && vo[i] < vd[i] && vd[i] < vc[i],
                    "%s day %g: OV+DC %g, OV %g, DC %g, control %g", files[f], t[i], vb[i], vo[i],
                    vd[i], vc[i]);
    }
    ims_params_free(p);
    ims_model_close(m);
  }
}
END_TEST

/* Gevertz & Wares 2018 (abstract): the original and minimal models make
 * nearly identical predictions.  On the combination protocol the tumour
 * volumes agree within 2 % at every point of 0..30 d (measured 1.6 %, day 14),
 * and untreated they differ by exactly the ratio of the fitted U_0 (1.06 %). */
START_TEST(original_and_minimal_agree)
{
  const ims_model_t *mo = open_model(ORIG), *mm = open_model(MINI);
  ims_params_t *po = set_of(mo), *pm = set_of(mm);
  size_t n;
  double *t = t_grid(0, 30, 0.25, &n);
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  double worst = 0, tw = 0;
  volume(mo, po, OV_DC, t, n, a);
  volume(mm, pm, OV_DC, t, n, b);
  for (size_t i = 0; i < n; i++) {
    double e = fabs(a[i] / b[i] - 1);
    if (e > worst) {
      worst = e;
      tw = t[i];
    }
  }
  printf("gevertz2018: OV+DC, original vs minimal: worst difference %.3g %% (day %g)\n",
         100 * worst, tw);
  ck_assert_msg(worst <= 0.02, "original vs minimal differ by %.3g %% on day %g", 100 * worst, tw);
  volume(mo, po, NULL, t, n, a);
  volume(mm, pm, NULL, t, n, b);
  double ratio = *par(mo, po, "U_0") / *par(mm, pm, "U_0");
  for (size_t i = 0; i < n; i++)
    ck_assert(t_relerr(a[i] / b[i], ratio) <= 1e-8);
  ck_assert(fabs(ratio - 1) <= 0.02);
  free(a);
  free(b);
  free(t);
  ims_params_free(po);
  ims_params_free(pm);
  ims_model_close(mo);
  ims_model_close(mm);
}
END_TEST

/* The model files, written from the paper, against the curated SBML files
 * through the SBML import (tests/biomodels, CC0), on 0..30 d at rtol 1e-12:
 * (a) the curated injection events removed (a copy without them) and the
 *     paper's protocol given to both as the schedule gevertz_ov_dc;
 * (b) each file as it is, with its own injection events.  BIOMD0000000817 is
 *     SBML Level 3 and gives the whole protocol; BIOMD0000000816 is Level 2,
 *     where an event whose trigger holds at t0 cannot fire (SBML L2V4
 *     sec. 4.14.2), so its day-0 virus injection never happens: the model
 *     file then agrees with the schedule without it (virus on days 2 and 4).
 * Every state (U, I, V, T, D and A) at every 0.25 d within 1e-8 relative (or
 * 1e-10 absolute).  The sbml engineer's tests/test_biomodels.c holds the
 * files' events against their own stripped copies under a schedule. */
/* A copy of an SBML file without its events (the caller unlinks it). */
static void strip_events(const char *rel, char *out, size_t n)
{
  snprintf(out, n, "/tmp/ims_gw_noevents_XXXXXX.xml");
  int fd = mkstemps(out, 4);
  ck_assert_int_ge(fd, 0);
  close(fd);
  SBMLDocument_t *d = readSBMLFromFile(t_path(rel));
  Model_t *m = SBMLDocument_getModel(d);
  ck_assert_ptr_nonnull(m);
  while (Model_getNumEvents(m))
    Event_free(Model_removeEvent(m, 0));
  ck_assert_int_eq(writeSBMLToFile(d, out), 1);
  SBMLDocument_free(d);
}

static void compare_sbml(const char *file, const char *pset, const char *sched, const char *xml,
                         int strip, const char *xsched, const char *label)
{
  static const char *const map[][2] = {
      {"U", "Uninfected_Tumor_Cell_U"},   {"I", "Infected_Cancer_Cell_I"},
      {"V", "Oncolytic_Adenovirus_V"},    {"A", "Naive_T_cells_A"},
      {"T", "Tumor_targeting_T_cells_T"}, {"D", "Dendritic_Cells_D"},
  };
  const ims_model_t *m = open_model(file), *x;
  char copy[64];
  ims_err_t err = {0};
  if (strip) {
    strip_events(xml, copy, sizeof copy);
    ck_assert_msg(ims_model_open(&x, copy, NULL, &err) == 0, "%s", err.msg);
    unlink(copy);
  } else {
    x = open_model(xml);
  }
  ims_params_t *p = t_params(m, pset, NULL), *px = t_params(x, NULL, NULL);
  ims_schedule_t *s = t_sched(m, sched), *sx = xsched ? t_sched(x, xsched) : NULL;
  ims_opts_t o;
  tight(&o);
  o.atol = 1e-12;
  size_t n;
  double *t = t_grid(0, 30, 0.25, &n);
  trace_t a, b;
  t_run_ok(p, s, &o, t, n, &a);
  t_run_ok(px, sx, &o, t, n, &b);
  double worst = 0;
  for (size_t k = 0; k < sizeof map / sizeof *map; k++) {
    if (ims_model_state_index(m, map[k][0]) < 0)
      continue; /* A: the minimal model has none (817 keeps it, inert at 0) */
    int ca = t_col(m, map[k][0]), cb = t_col(x, map[k][1]);
    for (size_t i = 0; i < n; i++) {
      double va = TR(&a, i, ca), vb = TR(&b, i, cb), e = fabs(va - vb);
      worst = fmax(worst, e / fmax(fabs(vb), 1e-2));
      ck_assert_msg(e <= 1e-8 * fabs(vb) + 1e-10, "%s: %s at day %g: model file %.15g, SBML %.15g",
                    label, map[k][0], t[i], va, vb);
    }
  }
  printf("gevertz2018: %-58s worst difference %.2g\n", label, worst);
  t_trace_free(&a);
  t_trace_free(&b);
  free(t);
  ims_schedule_free(s);
  ims_schedule_free(sx);
  ims_params_free(p);
  ims_params_free(px);
  ims_model_close(m);
  ims_model_close(x);
}

#define X816 "tests/biomodels/BIOMD0000000816.xml"
#define X817 "tests/biomodels/BIOMD0000000817.xml"
#define XSCHED "time,cmt,amt,addl,ii\n0,Oncolytic_Adenovirus_V,2.5,2,2\n1,Dendritic_Cells_D,1,2,2\n"

START_TEST(curated_sbml_agrees)
{
  compare_sbml(ORIG, "params/gevertz2018/original.csv", OV_DC, X816, 1, XSCHED,
               "original vs BIOMD0000000816, events removed, schedule");
  compare_sbml(MINI, "params/gevertz2018_minimal/minimal.csv", OV_DC, X817, 1, XSCHED,
               "minimal vs BIOMD0000000817, events removed, schedule");
  compare_sbml(MINI, "params/gevertz2018_minimal/minimal.csv", OV_DC, X817, 0, NULL,
               "minimal vs BIOMD0000000817 with its own events");
  compare_sbml(ORIG, "params/gevertz2018/original.csv",
               "time,cmt,amt,addl,ii\n1,D,1,2,2\n2,V,2.5,1,2\n", X816, 0, NULL,
               "original (no day-0 virus) vs BIOMD0000000816, its events");
}
END_TEST

Suite *suite_gevertz2018(void)
{
  Suite *s = suite_create("gevertz2018");
  TCase *tc = tcase_create("gevertz2018");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, control_arm_exponential);
  tcase_add_test(tc, dc_arm_closed_form);
  tcase_add_test(tc, ranking_of_arms);
  tcase_add_test(tc, original_and_minimal_agree);
  tcase_add_test(tc, curated_sbml_agrees);
  suite_add_tcase(s, tc);
  return s;
}
