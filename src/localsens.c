#include "immunosim/localsens.h"

#include "immunosim/immunosim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ims_localsens {
  ims_run_t *r;
  ims_localsens_spec_t spec;
  int ns, nc; /* parameters, columns (states + outputs) */
  int idx[IMS_LS_MAX];
  ims_output_t *out;
  double *tpk;         /* exact peak times from the first pass (nc) */
  double *tout;        /* output times plus peak times */
  unsigned char *keep; /* 1 for the run's own output times */
  size_t nt;
  int keep_row;    /* the current row is written */
  double *row, *y; /* current row: time, columns */
  double *peak, *tpeak, *dpeak, *auc, *dauc, *fin, *dfin;
  double t;
};

int ims_localsens_npar(const ims_localsens_t *ls)
{
  return ls->ns;
}

int ims_localsens_par(const ims_localsens_t *ls, int j)
{
  return ls->idx[j];
}

/* Normalised sensitivity (p/y) dy/dp; 0/0 is reported as 0 and y = 0 with
 * a non-zero derivative as NaN. */
static double norm_sens(double d, double y, double p)
{
  if (y == 0)
    return d == 0 ? 0.0 : NAN;
  return d * p / y;
}

double ims_localsens_norm(const ims_localsens_t *ls, int what, int col, int j)
{
  const double *v = what == IMS_LS_PEAK ? ls->peak : what == IMS_LS_AUC ? ls->auc : ls->fin;
  const double *d = what == IMS_LS_PEAK ? ls->dpeak : what == IMS_LS_AUC ? ls->dauc : ls->dfin;
  return norm_sens(d[col * ls->ns + j], v[col], ls->r->params->value[ls->idx[j]]);
}

static int pick_params(ims_localsens_t *ls, const char *list, ims_err_t *err)
{
  const ims_run_t *r = ls->r;
  const ims_model_t *m = r->m;
  ls->ns = 0;
  if (!list) { /* initial values too: B_0 can drive a model more than any rate */
    for (int k = 0; k < ims_model_nvalues(m) && ls->ns < IMS_LS_MAX; k++)
      if (r->params->value[k] != 0 && r->params->given[k])
        ls->idx[ls->ns++] = k;
    return ls->ns
               ? IMS_OK
               : ims_err_set(err, IMS_EINPUT,
                             "model %s has no non-zero parameter; name them with --par", m->name);
  }
  char buf[2048];
  snprintf(buf, sizeof buf, "%s", list);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    int k = ims_model_param_index(m, tok);
    if (k < 0) {
      const char *g = ims_model_suggest_param(m, tok);
      return ims_err_set(err, IMS_EINPUT, "--par: unknown parameter '%s' in model %s%s%s%s", tok,
                         m->name, g ? "; did you mean '" : "; 'immunosim info ", g ? g : m->name,
                         g ? "'?" : "' lists them");
    }
    if (ls->ns == IMS_LS_MAX)
      return ims_err_set(err, IMS_EINPUT, "--par: at most %d parameters", IMS_LS_MAX);
    ls->idx[ls->ns++] = k;
  }
  return IMS_OK;
}

void ims_localsens_free(ims_localsens_t *ls)
{
  if (!ls)
    return;
  free(ls->peak);
  free(ls->tout);
  free(ls->keep);
  free(ls);
}

int ims_localsens_alloc(ims_localsens_t **out, ims_run_t *r, const ims_localsens_spec_t *spec,
                        ims_err_t *err)
{
  *out = NULL;
  ims_localsens_t *ls = calloc(1, sizeof *ls);
  if (!ls)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  ls->r = r;
  ls->spec = *spec;
  ls->nc = r->m->nstates + r->m->noutputs;
  int rc = pick_params(ls, spec->pars, err);
  size_t nc = (size_t)ls->nc, ns = (size_t)ls->ns;
  double *b = rc ? NULL : calloc(nc * (5 + 3 * ns) + 1 + nc * ns + nc, sizeof *b);
  if (!rc && !b)
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (rc) {
    ims_localsens_free(ls);
    return rc;
  }
  ls->peak = b;
  ls->tpeak = b + nc;
  ls->auc = b + 2 * nc;
  ls->fin = b + 3 * nc;
  ls->tpk = b + 4 * nc;
  ls->dpeak = b + 5 * nc;
  ls->dauc = ls->dpeak + nc * ns;
  ls->dfin = ls->dauc + nc * ns;
  ls->row = ls->dfin + nc * ns;
  ls->y = ls->row + 1 + nc * ns;
  *out = ls;
  return IMS_OK;
}

/* ---- the second pass: rows and sensitivities ---- */

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  ims_localsens_t *ls = ud;
  int n = ls->r->m->nstates;
  ls->t = t;
  memcpy(ls->y, y, (size_t)n * sizeof *y);
  memcpy(ls->y + n, out, (size_t)ls->r->m->noutputs * sizeof *out);
  for (int c = 0; c < ls->nc; c++) {
    if (q)
      ls->auc[c] = q[c];
    ls->fin[c] = ls->y[c];
  }
  /* rows come in order: find whether this one is an output time */
  size_t lo = 0, hi = ls->nt;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ls->tout[mid] < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  ls->keep_row = lo < ls->nt && ls->tout[lo] == t && ls->keep[lo];
  return 0;
}

static void track(ims_localsens_t *ls, const double *dy, const double *dout, const double *dq)
{
  int n = ls->r->m->nstates, no = ls->r->m->noutputs;
  for (int c = 0; c < ls->nc; c++) {
    int newpeak = ls->tpeak[c] < 0 || ls->y[c] > ls->peak[c];
    if (newpeak) {
      ls->peak[c] = ls->y[c];
      ls->tpeak[c] = ls->t;
    }
    for (int j = 0; j < ls->ns; j++) {
      double d = c < n ? dy[j * n + c] : dout[j * no + c - n];
      ls->dfin[c * ls->ns + j] = d;
      if (newpeak)
        ls->dpeak[c * ls->ns + j] = d;
      if (dq)
        ls->dauc[c * ls->ns + j] = dq[j * ls->nc + c];
    }
  }
}

static int on_sens(void *ud, double t, const double *dy, const double *dout, const double *dq)
{
  ims_localsens_t *ls = ud;
  const ims_run_t *r = ls->r;
  int n = r->m->nstates, no = r->m->noutputs;
  track(ls, dy, dout, dq);
  if (ls->spec.progress)
    ls->spec.progress(ls->spec.progress_ud, t - r->opts.t0, r->tout[r->ntout - 1] - r->opts.t0);
  if (!ls->out || !ls->keep_row)
    return 0;
  int k = 0;
  ls->row[k++] = t;
  for (int c = 0; c < ls->nc; c++)
    for (int j = 0; j < ls->ns; j++) {
      double d = c < n ? dy[j * n + c] : dout[j * no + c - n];
      ls->row[k++] = ls->spec.raw ? r->colscale[1 + c] * d
                                  : norm_sens(d, ls->y[c], r->params->value[ls->idx[j]]);
    }
  return ims_output_row(ls->out, ls->row, k) ? IMS_EIO : 0;
}

/* A row at a discontinuity that moves with p (Stein's Tmax): a peak there
 * is the value at the moving kink, whose derivative is dy/dp + rate*dtau
 * (the fixed-time dy/dp would be the one-sided slope of the kink). */
static int on_shift(void *ud, double t, const double *dtau, const double *rate)
{
  ims_localsens_t *ls = ud;
  for (int c = 0; c < ls->nc; c++)
    if (ls->tpeak[c] == t)
      for (int j = 0; j < ls->ns; j++)
        ls->dpeak[c * ls->ns + j] += rate[c] * dtau[j];
  return 0;
}

/* Column names COL_PAR and units for the time-course file. */
static int write_header(ims_localsens_t *ls, ims_output_t *o)
{
  const ims_run_t *r = ls->r;
  int nk = 1 + ls->nc * ls->ns, rc = IMS_OK;
  char *store = calloc((size_t)nk, 2 * 320);
  const char **names = calloc((size_t)nk, sizeof *names);
  const char **units = calloc((size_t)nk, sizeof *units);
  if (!store || !names || !units)
    rc = IMS_ENOMEM;
  for (int c = 0, k = 1; !rc && c < ls->nc; c++)
    for (int j = 0; j < ls->ns; j++, k++) {
      char pb[160], *nb = store + (size_t)k * 640, *ub = nb + 320;
      ims_column_name(nb, 320, r->colnames[1 + c],
                      ims_run_value_name(r, ls->idx[j], pb, sizeof pb));
      snprintf(ub, 320, ls->spec.raw ? "(%s)/(%s)" : "1", r->colunits[1 + c],
               ims_run_value_unit(r, ls->idx[j]));
      names[k] = nb;
      units[k] = ub;
    }
  if (!rc) {
    names[0] = "time";
    units[0] = r->colunits[0];
    ims_run_write_meta(o, r);
    ims_output_comment(o, "sensitivity: %s; column COL_PAR is the sensitivity of COL to PAR",
                       ls->spec.raw ? "raw dy/dp" : "normalised (p/y) dy/dp");
    rc = ims_output_header(o, nk, names, units) ? IMS_EIO : IMS_OK;
  }
  free(store);
  free(names);
  free(units);
  return rc;
}

/* ---- the first pass: exact peak times ---- */

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int peak_times(ims_localsens_t *ls, ims_err_t *err)
{
  ims_run_t *r = ls->r;
  static const char *const all[] = {"all"};
  ims_metrics_spec_t ms = {.windows = all, .nwindows = 1};
  ims_report_t rp;
  ims_sim_t *sim = NULL;
  int rc = ims_report_init(&rp, r, &ms, err);
  if (rc)
    return rc;
  rc = ims_sim_alloc(&sim, r->m, err);
  ims_run_sinks_t k = {.report = &rp};
  rc = rc ? rc : ims_run_simulate(r, sim, r->params->value, &k, err);
  for (int c = 0; !rc && c < ls->nc; c++)
    ls->tpk[c] = ims_metrics_value(rp.mt, 0, c, IMS_M_TMAX);
  ims_sim_free(sim);
  ims_report_free(&rp);
  /* the second pass needs no metrics triggers or window samples */
  r->ntriggers = r->nbase;
  r->opts.ntriggers = r->nbase;
  r->opts.samples = NULL;
  r->opts.nsamples = 0;
  if (rc)
    return rc;
  /* output times plus the peak times (one within 1e-12 of the span of an
   * output time is that time) */
  size_t n = r->ntout, m = 0;
  double span = r->tout[n - 1] - r->opts.t0, *t = malloc((n + (size_t)ls->nc) * sizeof *t);
  ls->keep = calloc(n + (size_t)ls->nc, 1);
  if (!t || !ls->keep) {
    free(t);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  memcpy(t, r->tout, n * sizeof *t);
  for (int c = 0; c < ls->nc; c++) {
    double x = ls->tpk[c];
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (r->tout[mid] < x)
        lo = mid + 1;
      else
        hi = mid;
    }
    int near = (lo < n && fabs(r->tout[lo] - x) <= 1e-12 * span) ||
               (lo > 0 && fabs(r->tout[lo - 1] - x) <= 1e-12 * span);
    if (isfinite(x) && !near && x > r->opts.t0)
      t[n + m++] = x;
  }
  qsort(t, n + m, sizeof *t, cmp_double);
  size_t u = 0;
  for (size_t i = 0; i < n + m; i++)
    if (u == 0 || t[i] > t[u - 1])
      t[u++] = t[i];
  for (size_t i = 0, j = 0; i < u; i++) { /* mark the output times */
    while (j < n && r->tout[j] < t[i])
      j++;
    ls->keep[i] = j < n && r->tout[j] == t[i];
  }
  ls->tout = t;
  ls->nt = u;
  return IMS_OK;
}

int ims_localsens_run(ims_localsens_t *ls, ims_output_t *tc, ims_err_t *err)
{
  ims_run_t *r = ls->r;
  ims_sim_t *sim = NULL;
  int rc = peak_times(ls, err);
  if (!rc && tc && write_header(ls, tc))
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(tc));
  for (int c = 0; c < ls->nc; c++)
    ls->tpeak[c] = -1;
  ls->out = tc;
  r->opts.nsens = ls->ns;
  r->opts.sens = ls->idx;
  r->opts.quad = 1;
  ims_observer_t obs = {.row = on_row, .sens = on_sens, .ud = ls, .sens_shift = on_shift};
  rc = rc ? rc : ims_sim_alloc(&sim, r->m, err);
  if (!rc)
    rc = ims_sim_run(sim, r->params->value, r->sched, &r->opts, ls->tout, ls->nt, &obs, err);
  if (rc == IMS_ESTOP)
    rc = IMS_OK;
  if (rc == IMS_EIO && tc)
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write", ims_output_name(tc));
  r->opts.nsens = 0;
  r->opts.sens = NULL;
  ims_sim_free(sim);
  return rc;
}

int ims_localsens_write(const ims_localsens_t *ls, ims_output_t *o)
{
  const ims_run_t *r = ls->r;
  ims_run_write_meta(o, r);
  ims_output_comment(o, "sensitivity: normalised = (p/value) d value/d p; raw in value unit "
                        "per parameter unit (canonical units); peak = the exact maximum");
  int bad = ims_output_line(o, "column,parameter,metric,value,time,d_value_d_p,normalised");
  static const char *const metric[3] = {"peak", "auc", "final"};
  char v[IMS_NUMBUF], t[IMS_NUMBUF], d[IMS_NUMBUF], s[IMS_NUMBUF], pb[160];
  for (int c = 0; c < ls->nc; c++)
    for (int j = 0; j < ls->ns; j++)
      for (int mk = 0; mk < 3; mk++) {
        const double *val = mk == 0 ? ls->peak : mk == 1 ? ls->auc : ls->fin;
        const double *der = mk == 0 ? ls->dpeak : mk == 1 ? ls->dauc : ls->dfin;
        bad |= ims_output_line(
            o, "%s,%s,%s,%s,%s,%s,%s", r->colnames[1 + c],
            ims_run_value_name(r, ls->idx[j], pb, sizeof pb), metric[mk], ims_fmt_num(v, val[c]),
            ims_fmt_num(t, mk == 0 ? ls->tpeak[c] : ls->t), ims_fmt_num(d, der[c * ls->ns + j]),
            ims_fmt_num(s, ims_localsens_norm(ls, mk, c, j)));
      }
  return bad ? IMS_EIO : IMS_OK;
}

void ims_localsens_rank(const ims_localsens_t *ls, int c, int *order)
{
  for (int j = 0; j < ls->ns; j++)
    order[j] = j;
  for (int a = 1; a < ls->ns; a++) /* insertion sort by |S(peak)|, descending */
    for (int b = a; b > 0; b--) {
      double x = fabs(ims_localsens_norm(ls, IMS_LS_PEAK, c, order[b]));
      double y = fabs(ims_localsens_norm(ls, IMS_LS_PEAK, c, order[b - 1]));
      if (!(x > y))
        break;
      int t = order[b];
      order[b] = order[b - 1];
      order[b - 1] = t;
    }
}

void ims_localsens_print(FILE *fp, const ims_localsens_t *ls, int c)
{
  const ims_run_t *r = ls->r;
  int order[IMS_LS_MAX] = {0};
  double sc = r->colscale[1 + c], off = r->coloffset[1 + c];
  ims_localsens_rank(ls, c, order);
  fprintf(fp,
          "normalised sensitivities of %s (%s): peak %.6g at t=%.6g %s, AUC %.6g %s*%s, final "
          "%.6g\n",
          r->colnames[1 + c], r->colunits[1 + c], sc * ls->peak[c] + off, ls->tpeak[c],
          r->m->time_unit, sc * ls->auc[c], r->m->time_unit, r->colunits[1 + c],
          sc * ls->fin[c] + off);
  fprintf(fp, "  %-14s %14s  %-22s %10s %10s %10s\n", "parameter", "value", "unit", "S(peak)",
          "S(AUC)", "S(final)");
  for (int a = 0; a < ls->ns; a++) {
    int j = order[a], k = ls->idx[j];
    char pb[160];
    fprintf(fp, "  %-14s %14.6g  %-22s %10.4f %10.4f %10.4f\n",
            ims_run_value_name(r, k, pb, sizeof pb), r->params->value[k], ims_run_value_unit(r, k),
            ims_localsens_norm(ls, IMS_LS_PEAK, c, j), ims_localsens_norm(ls, IMS_LS_AUC, c, j),
            ims_localsens_norm(ls, IMS_LS_FINAL, c, j));
  }
}
