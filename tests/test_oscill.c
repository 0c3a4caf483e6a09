/* Oscillation metrics against closed forms: npeaks, period and amplitude
 * of a damped linear oscillator over random windows, the lists of extrema
 * and threshold crossings of a harmonic oscillator over random thresholds
 * (fixed seed), the NaN cases (a bolus decay has no local maximum), and the
 * Kirschner-Panetta c = 0.02 cycle against the orbit diagram. */
#include "dynref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Listener records. */
typedef struct rec {
  int n;
  double t[512], v[512];
  int kind[512], idx[512];
} rec_t;

static int on_ext(void *ud, int col, double t, double v, int kind)
{
  rec_t *r = ud;
  if (r->n < 512) {
    r->t[r->n] = t;
    r->v[r->n] = v;
    r->kind[r->n] = kind;
    r->idx[r->n++] = col;
  }
  return 0;
}

static int on_cross(void *ud, int th, double t, int dir)
{
  rec_t *r = ud;
  if (r->n < 512) {
    r->t[r->n] = t;
    r->v[r->n] = NAN;
    r->kind[r->n] = dir;
    r->idx[r->n++] = th;
  }
  return 0;
}

/* The oscillator x' = y, y' = -w^2 x - 2 g y (dyn_lin2 with a = 0, b = 1,
 * c = -w^2, d = -2g) from (x0, y0), with metrics of x over w and
 * thresholds th; the extrema go to ext or the crossings to cross (NULL:
 * not listened). */
static ims_metrics_t *osc_run(double w0, double g, double x0, double y0, double tend,
                              const ims_window_t *w, int nw, const ims_threshold_t *th, int nth,
                              rec_t *ext, rec_t *cross)
{
  const ims_model_t *m = &dyn_lin2;
  double p[8] = {0, 1, -w0 * w0, -2 * g, 0, 0, x0, y0};
  ims_err_t err = {0};
  ims_metrics_t *mt;
  ck_assert_msg(ims_metrics_alloc(&mt, m, w, nw, th, nth, 0, &err) == 0, "%s", err.msg);
  int col = 0;
  ck_assert_int_eq(ims_metrics_columns(mt, &col, 1, &err), 0);
  /* one list per run: extrema to ext, or crossings to cross */
  ck_assert(!(ext && cross));
  if (ext)
    memset(ext, 0, sizeof *ext);
  if (cross)
    memset(cross, 0, sizeof *cross);
  ims_metrics_listener_t lis = {ext ? on_ext : NULL, cross ? on_cross : NULL,
                                ext ? (void *)ext : (void *)cross};
  if (ext || cross)
    ims_metrics_listen(mt, &lis);
  ims_trigger_t *tr = calloc((size_t)ims_metrics_max_triggers(mt) + 1, sizeof *tr);
  ims_opts_t o;
  t_tight(&o);
  o.atol = 1e-12;
  o.quad = 1;
  ck_assert_int_eq(ims_metrics_tolerances(mt, o.rtol, o.atol, NULL, &err), 0);
  o.ntriggers = ims_metrics_begin(mt, p, 0.0, tr, 0);
  o.triggers = tr;
  o.samples = ims_metrics_times(mt, &o.nsamples);
  double tout[2] = {0, tend};
  ims_observer_t obs;
  ims_metrics_observer(mt, &obs);
  ims_sim_t *sim;
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  int rc = ims_sim_run(sim, p, NULL, &o, tout, 2, &obs, &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
  ims_metrics_end(mt);
  ims_sim_free(sim);
  free(tr);
  return mt;
}

static double urand(unsigned *s, double a, double b)
{
  *s = *s * 1103515245u + 12345u;
  return a + (b - a) * ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

/* x(0) = 1, y(0) = 0: x = e^{-g t} (cos wd t + g/wd sin wd t), whose
 * derivative -(w^2/wd) e^{-g t} sin wd t vanishes at t_k = k pi / wd:
 * maxima at even k, minima at odd k, x(t_k) = (-1)^k e^{-g t_k}.  Over 400
 * random (w, g, window): npeaks, period = 2 pi / wd exactly (the spacing of
 * maxima of a damped oscillation is constant), amplitude = half of mean max
 * minus mean min over the window's extrema, and every extremum in the list
 * (time to 1e-7 of the period, value to 1e-7). */
START_TEST(damped_oscillator)
{
  unsigned seed = 20240614u;
  int cases = 0;
  for (int it = 0; it < 400; it++) {
    double w0 = urand(&seed, 0.2, 5), g = urand(&seed, 0, 0.15) * w0;
    double wd = sqrt(w0 * w0 - g * g), P = 2 * M_PI / wd;
    /* decays by at most e^-8 over the run: extrema stay far above atol */
    double tend = fmin(8 / fmax(g, 1e-9), 12.3 * P);
    double a = urand(&seed, 0, 0.5) * tend, b = a + urand(&seed, 0.2, 1) * (tend - a);
    int kmin = (int)ceil(a * wd / M_PI), kmax = (int)floor(b * wd / M_PI);
    /* an extremum within 1e-6 of a window edge could fall either side: skip */
    if (fabs(kmin * M_PI / wd - a) < 1e-6 * P || fabs(kmax * M_PI / wd - b) < 1e-6 * P ||
        fabs((kmax + 1) * M_PI / wd - b) < 1e-6 * P)
      continue;
    if (kmin < 1)
      kmin = 1; /* t = 0 is the start, not a root */
    int nmax = 0, nmin = 0;
    double smax = 0, smin = 0;
    for (int k = kmin; k <= kmax; k++) {
      double v = (k % 2 ? -1 : 1) * exp(-g * k * M_PI / wd);
      if (k % 2)
        nmin++, smin += v;
      else
        nmax++, smax += v;
    }
    ims_window_t w = {a, b, "w"};
    rec_t ext;
    ims_metrics_t *mt = osc_run(w0, g, 1, 0, tend, &w, 1, NULL, 0, &ext, NULL);
    double np = ims_metrics_value(mt, 0, 0, IMS_M_NPEAKS);
    double per = ims_metrics_value(mt, 0, 0, IMS_M_PERIOD);
    double amp = ims_metrics_value(mt, 0, 0, IMS_M_AMPLITUDE);
    ck_assert_msg(np == nmax, "case %d: npeaks %g want %d (w %g g %g [%g, %g])", it, np, nmax, w0,
                  g, a, b);
    if (nmax >= 2)
      ck_assert_msg(fabs(per - P) < 1e-7 * P, "case %d: period %.12g want %.12g", it, per, P);
    else
      ck_assert_msg(isnan(per), "case %d: %d maxima give period %g, not NaN", it, nmax, per);
    if (nmax && nmin) {
      double want = (smax / nmax - smin / nmin) / 2;
      ck_assert_msg(fabs(amp - want) < 1e-7, "case %d: amplitude %.12g want %.12g", it, amp, want);
    } else {
      ck_assert_msg(isnan(amp), "case %d: amplitude %g without a max and a min", it, amp);
    }
    /* the list: every t_k, k >= 1, up to tend, in order, with its kind */
    int kend = (int)floor(tend * wd / M_PI);
    if (fabs(kend * M_PI / wd - tend) < 1e-6 * P)
      kend--;
    ck_assert_msg(ext.n == kend, "case %d: %d extrema listed, want %d", it, ext.n, kend);
    for (int k = 1; k <= kend; k++) {
      double tk = k * M_PI / wd, vk = (k % 2 ? -1 : 1) * exp(-g * tk);
      ck_assert_msg(fabs(ext.t[k - 1] - tk) < 1e-7 * P && fabs(ext.v[k - 1] - vk) < 1e-7 &&
                        ext.kind[k - 1] == (k % 2 ? -1 : 1) && ext.idx[k - 1] == 0,
                    "case %d extremum %d: t %.10g v %.10g kind %d, want %.10g %.10g", it, k,
                    ext.t[k - 1], ext.v[k - 1], ext.kind[k - 1], tk, vk);
    }
    ims_metrics_free(mt);
    cases++;
  }
  ck_assert_int_gt(cases, 350);
}
END_TEST

/* x = cos(w t) crosses c in (-1, 1) downward at (acos c + 2 pi k)/w and
 * upward at (2 pi - acos c + 2 pi k)/w: every crossing listed, in order,
 * with its direction, for 300 random (w, c); the count matches the
 * crossings metric. */
START_TEST(crossing_list)
{
  unsigned seed = 77u;
  for (int it = 0; it < 300; it++) {
    double w0 = urand(&seed, 0.3, 4), c = urand(&seed, -0.95, 0.95);
    double P = 2 * M_PI / w0, tend = urand(&seed, 2, 7) * P, ac = acos(c);
    double want[64];
    int dir[64], n = 0;
    for (int k = 0; k < 10; k++) {
      double d = (ac + 2 * M_PI * k) / w0, u = (2 * M_PI - ac + 2 * M_PI * k) / w0;
      if (d < tend && n < 64)
        want[n] = d, dir[n++] = -1;
      if (u < tend && n < 64)
        want[n] = u, dir[n++] = 1;
    }
    if (n && fabs(want[n - 1] - tend) < 1e-6 * P)
      continue;
    ims_window_t w = {0, tend, "all"};
    ims_threshold_t th = {0, c};
    rec_t cr;
    ims_metrics_t *mt = osc_run(w0, 0, 1, 0, tend, &w, 1, &th, 1, NULL, &cr);
    ck_assert_msg(cr.n == n, "case %d (w %g, c %g): %d crossings, want %d", it, w0, c, cr.n, n);
    for (int i = 0; i < n; i++)
      ck_assert_msg(fabs(cr.t[i] - want[i]) < 1e-7 * P && cr.kind[i] == dir[i] && cr.idx[i] == 0,
                    "case %d crossing %d: t %.10g dir %d, want %.10g %d", it, i, cr.t[i],
                    cr.kind[i], want[i], dir[i]);
    ck_assert(ims_metrics_tvalue(mt, 0, 0, IMS_T_CROSSINGS) == n);
    ims_metrics_free(mt);
  }
}
END_TEST

/* A bolus decay (pk2cmt, 1 compartment, doses every 5 d) has no local
 * maximum: the peaks are jumps at the doses.  npeaks = 0, period and
 * amplitude NaN, while max/tmax still see the jump; a window holding one
 * maximum of a slow oscillation gives npeaks 1 and period NaN. */
START_TEST(fewer_than_two)
{
  const ims_model_t *m = ims_model_find("pk2cmt");
  ims_params_t *p = t_params(m, NULL, "CL=2", "V1=10", NULL);
  ims_schedule_t *s = t_sched(m, "time,cmt,amt,ii,addl\n0,A1,100,5,3\n");
  ims_err_t err = {0};
  ims_window_t w = {0, 20, "all"};
  ims_metrics_t *mt;
  ck_assert_int_eq(ims_metrics_alloc(&mt, m, &w, 1, NULL, 0, 0, &err), 0);
  ims_trigger_t *tr = calloc((size_t)ims_metrics_max_triggers(mt) + 1, sizeof *tr);
  ims_opts_t o;
  t_tight(&o);
  o.quad = 1;
  o.ntriggers = ims_metrics_begin(mt, p->value, 0.0, tr, 0);
  o.triggers = tr;
  o.samples = ims_metrics_times(mt, &o.nsamples);
  double tout[2] = {0, 20};
  ims_observer_t obs;
  ims_metrics_observer(mt, &obs);
  ims_sim_t *sim;
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ck_assert_int_eq(ims_sim_run(sim, p->value, s, &o, tout, 2, &obs, &err), 0);
  ims_metrics_end(mt);
  int c1 = ims_model_output_index(m, "C1") + m->nstates;
  ck_assert(ims_metrics_value(mt, 0, c1, IMS_M_NPEAKS) == 0);
  ck_assert(isnan(ims_metrics_value(mt, 0, c1, IMS_M_PERIOD)));
  ck_assert(isnan(ims_metrics_value(mt, 0, c1, IMS_M_AMPLITUDE)));
  /* the fourth dose tops up 10 (1 + e^-1 + e^-2 + e^-3) mg/L */
  double cmax = 10 * (1 + exp(-1) + exp(-2) + exp(-3));
  ck_assert(fabs(ims_metrics_value(mt, 0, c1, IMS_M_MAX) - cmax) < 1e-8 * cmax);
  ck_assert(ims_metrics_value(mt, 0, c1, IMS_M_TMAX) == 15);
  ims_sim_free(sim);
  ims_metrics_free(mt);
  free(tr);
  ims_params_free(p);
  ims_schedule_free(s);

  /* x = cos t over [1, 8]: one maximum (2 pi), one minimum (pi) */
  ims_window_t w2 = {1, 8, "w"};
  mt = osc_run(1, 0, 1, 0, 8, &w2, 1, NULL, 0, NULL, NULL);
  ck_assert(ims_metrics_value(mt, 0, 0, IMS_M_NPEAKS) == 1);
  ck_assert(isnan(ims_metrics_value(mt, 0, 0, IMS_M_PERIOD)));
  ck_assert(fabs(ims_metrics_value(mt, 0, 0, IMS_M_AMPLITUDE) - 1) < 1e-8);
  ims_metrics_free(mt);
  /* no extremum watches: unknown, not zero */
  ck_assert_int_eq(ims_metrics_alloc(&mt, &dyn_lin2, &w2, 1, NULL, 0, IMS_METRICS_NO_EXTREMA, &err),
                   0);
  ck_assert(isnan(ims_metrics_value(mt, 0, 0, IMS_M_NPEAKS)));
  ims_metrics_free(mt);
}
END_TEST

/* Kirschner-Panetta c = 0.02 (default set, s1 = s2 = 0): the period of T
 * from the metrics over [6000, 7500] d equals the orbit diagram's period of
 * the same window (one root finding, two consumers: 1e-9) and the
 * published value of about 242 d (241.5 to 242.5: the paper gives three
 * digits). */
START_TEST(kp_cycle_period)
{
  const ims_model_t *m = ims_model_find("kirschner_panetta1998");
  ims_params_t *p = t_params(m, "params/kirschner_panetta1998/default.csv", NULL);
  ims_err_t err = {0};
  ims_window_t w = {6000, 7500, "cycle"};
  ims_metrics_t *mt;
  ck_assert_int_eq(ims_metrics_alloc(&mt, m, &w, 1, NULL, 0, IMS_METRICS_NO_REGROW, &err), 0);
  int col = 1; /* T */
  ck_assert_int_eq(ims_metrics_columns(mt, &col, 1, &err), 0);
  ims_trigger_t tr[8];
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-8;
  o.atol = 1e-10;
  ck_assert_int_eq(ims_metrics_tolerances(mt, o.rtol, o.atol, NULL, &err), 0);
  o.max_steps = 1000000;
  o.ntriggers = ims_metrics_begin(mt, p->value, 0.0, tr, 0);
  o.triggers = tr;
  o.samples = ims_metrics_times(mt, &o.nsamples);
  double tout[2] = {6000, 7500};
  ims_observer_t obs;
  ims_metrics_observer(mt, &obs);
  ims_sim_t *sim;
  ck_assert_int_eq(ims_sim_alloc(&sim, m, &err), 0);
  ck_assert_msg(ims_sim_run(sim, p->value, NULL, &o, tout, 2, &obs, &err) == 0, "%s", err.msg);
  ims_metrics_end(mt);
  double per = ims_metrics_value(mt, 0, col, IMS_M_PERIOD);
  double np = ims_metrics_value(mt, 0, col, IMS_M_NPEAKS);
  ck_assert_msg(per > 241.5 && per < 242.5, "period %g", per);
  ck_assert(np >= 6);

  ims_orbit_opts_t oo;
  ims_orbit_opts_default(&oo);
  oo.col = col;
  oo.npar = 1;
  oo.transient = 6000;
  oo.window = 1500;
  ims_orbit_t *ob = NULL;
  int ic = ims_model_param_index(m, "c");
  ck_assert_msg(ims_orbit_diagram(m, p->value, ic, 0.02, 0.02, &oo, &ob, &err) == 0, "%s", err.msg);
  double oper = NAN;
  for (size_t i = 0; i < ob->n; i++)
    if (ob->rows[i].kind == IMS_ORB_MAX)
      oper = ob->rows[i].period;
  ck_assert_msg(fabs(per - oper) < 1e-9 * oper, "metrics %.12g, orbit diagram %.12g", per, oper);
  /* the amplitude spans the cycle: peaks 3.756e5 cells, troughs far below one cell */
  double amp = ims_metrics_value(mt, 0, col, IMS_M_AMPLITUDE);
  ck_assert_msg(fabs(amp - 3.756e5 / 2) < 0.001 * 3.756e5, "amplitude %g", amp);
  ims_orbit_free(ob);
  ims_sim_free(sim);
  ims_metrics_free(mt);
  ims_params_free(p);
}
END_TEST

Suite *suite_oscill(void)
{
  Suite *s = suite_create("oscillations");
  TCase *tc = tcase_create("closed forms");
  tcase_add_test(tc, damped_oscillator);
  tcase_add_test(tc, crossing_list);
  tcase_add_test(tc, fewer_than_two);
  tcase_add_test(tc, kp_cycle_period);
  suite_add_tcase(s, tc);
  return s;
}
