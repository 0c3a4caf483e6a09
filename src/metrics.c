/* Streaming exposure/response metrics (see include/immunosim/metrics.h). */
#include "immunosim/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Accumulators of one (window, column). */
typedef struct acc {
  double max, tmax, min, tmin, trough, qa, qlast, tlast, regrow;
  long n;
  /* local extrema located by root finding: count, first and last maximum,
   * sums of the values of maxima and minima */
  long nmax, nmin;
  double tmax1, tmaxn, summax, summin;
} acc_t;

typedef struct tacc {
  double above, below;
  long cross;
} tacc_t;

/* What each metrics trigger is. */
#define TK_EXTREMUM 0
#define TK_THRESHOLD 1
#define TK_BASELINE 2

struct ims_metrics {
  const ims_model_t *m;
  int nc, nw, nth;
  unsigned flags;
  ims_window_t *w;
  ims_threshold_t *th;
  double *times;
  size_t ntimes;
  acc_t *acc;   /* nw * nc */
  tacc_t *tacc; /* nw * nth */
  int *has_a;   /* nw */
  int *has_b;   /* nw */
  int *above;   /* nth */
  int maxtr, first, ntr;
  int *trkind, *tridx; /* maxtr */
  double *y0, *out0;   /* baseline state and outputs */
  int *ndose0;
  double *work;       /* the model's scratch for output() */
  double *baseline;   /* nc */
  unsigned char *sel; /* nc: the columns tracked (all by default) */
  double last_disc, th_last;
  double scale; /* the run's time scale, for ims_time_tol */
  int started;
  ims_metrics_listener_t lis;
  /* Local extrema are confirmed one behind (root_of): a candidate becomes an
   * extremum when the next one of the other kind, or the run's end, lies
   * more than the noise band away from it. */
  double rtol, atol; /* the solver's tolerances (ims_metrics_tolerances) */
  double *atol_vec;  /* nstates, or NULL */
  struct cand {
    int kind; /* 0 none, +1 a maximum, -1 a minimum */
    double t, v;
  } * cand;      /* nc */
  double *last;  /* nc: the last value seen */
  double *ylast; /* nstates: the last state seen, for the outputs' band */
  double *pv;    /* the run's parameter values (ims_metrics_begin) */
  double *obuf;  /* 2 * noutputs: outputs at ylast and perturbed */
  double tlast_row;
};

static const char *const mnames[IMS_M_COUNT] = {"max",    "tmax",   "min",      "tmin",
                                                "trough", "auc",    "avg",      "regrow",
                                                "npeaks", "period", "amplitude"};
static const int munits[IMS_M_COUNT] = {IMS_MU_COLUMN, IMS_MU_TIME, IMS_MU_COLUMN, IMS_MU_TIME,
                                        IMS_MU_COLUMN, IMS_MU_AUC,  IMS_MU_COLUMN, IMS_MU_TIME,
                                        IMS_MU_ONE,    IMS_MU_TIME, IMS_MU_SPAN};
static const char *const tnames[IMS_T_COUNT] = {"above", "below", "crossings"};
static const int tunits[IMS_T_COUNT] = {IMS_MU_TIME, IMS_MU_TIME, IMS_MU_ONE};

const char *ims_metric_name(int k)
{
  return k >= 0 && k < IMS_M_COUNT ? mnames[k] : "?";
}
int ims_metric_unit(int k)
{
  return k >= 0 && k < IMS_M_COUNT ? munits[k] : IMS_MU_ONE;
}
const char *ims_tmetric_name(int k)
{
  return k >= 0 && k < IMS_T_COUNT ? tnames[k] : "?";
}
int ims_tmetric_unit(int k)
{
  return k >= 0 && k < IMS_T_COUNT ? tunits[k] : IMS_MU_ONE;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void ims_metrics_free(ims_metrics_t *mt)
{
  if (!mt)
    return;
  free(mt->w);
  free(mt->th);
  free(mt->times);
  free(mt->acc);
  free(mt->tacc);
  free(mt->has_a);
  free(mt->has_b);
  free(mt->above);
  free(mt->trkind);
  free(mt->tridx);
  free(mt->y0);
  free(mt->out0);
  free(mt->ndose0);
  free(mt->work);
  free(mt->baseline);
  free(mt->sel);
  free(mt->cand);
  free(mt->last);
  free(mt->ylast);
  free(mt->pv);
  free(mt->obuf);
  free(mt->atol_vec);
  free(mt);
}

int ims_metrics_alloc(ims_metrics_t **out, const ims_model_t *m, const ims_window_t *w, int nw,
                      const ims_threshold_t *th, int nth, unsigned flags, ims_err_t *err)
{
  *out = NULL;
  int nc = m->nstates + m->noutputs;
  if (nw < 1)
    return ims_err_set(err, IMS_EINPUT, "metrics: no windows");
  for (int i = 0; i < nw; i++)
    if (!isfinite(w[i].a) || !isfinite(w[i].b) || !(w[i].b > w[i].a))
      return ims_err_set(err, IMS_EINPUT,
                         "metrics: window %s [%g, %g] is empty; give a:b with b > a", w[i].label,
                         w[i].a, w[i].b);
  for (int i = 0; i < nth; i++)
    if (th[i].col < 0 || th[i].col >= nc || !isfinite(th[i].value))
      return ims_err_set(err, IMS_EINPUT, "metrics: threshold %d has no such column or value", i);
  ims_metrics_t *mt = calloc(1, sizeof *mt);
  if (!mt)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  mt->m = m;
  mt->nc = nc;
  mt->nw = nw;
  mt->nth = nth;
  mt->flags = flags;
  mt->maxtr = nc + nth + nc;
  size_t snw = (size_t)nw, snc = (size_t)nc, snth = (size_t)nth;
  mt->w = malloc(snw * sizeof *mt->w);
  mt->th = malloc((snth + 1) * sizeof *mt->th);
  mt->times = malloc(2 * snw * sizeof *mt->times);
  mt->acc = calloc(snw * snc, sizeof *mt->acc);
  mt->tacc = calloc(snw * snth + 1, sizeof *mt->tacc);
  mt->has_a = calloc(snw, sizeof *mt->has_a);
  mt->has_b = calloc(snw, sizeof *mt->has_b);
  mt->above = calloc(snth + 1, sizeof *mt->above);
  mt->trkind = calloc((size_t)mt->maxtr + 1, sizeof *mt->trkind);
  mt->tridx = calloc((size_t)mt->maxtr + 1, sizeof *mt->tridx);
  mt->y0 = calloc((size_t)m->nstates + 1, sizeof *mt->y0);
  mt->out0 = calloc((size_t)m->noutputs + 1, sizeof *mt->out0);
  mt->ndose0 = calloc((size_t)m->nstates + 1, sizeof *mt->ndose0);
  mt->work = calloc(m->nwork + 1, sizeof *mt->work);
  mt->baseline = calloc(snc, sizeof *mt->baseline);
  mt->sel = malloc(snc);
  mt->cand = calloc(snc, sizeof *mt->cand);
  mt->last = calloc(snc, sizeof *mt->last);
  mt->ylast = calloc((size_t)m->nstates + 1, sizeof *mt->ylast);
  mt->pv = calloc((size_t)ims_model_nvalues(m) + 1, sizeof *mt->pv);
  mt->obuf = calloc(2 * (size_t)m->noutputs + 1, sizeof *mt->obuf);
  mt->rtol = 1e-6; /* the driver's defaults (ims_opts_default) */
  mt->atol = 1e-9;
  if (!mt->cand || !mt->last || !mt->ylast || !mt->pv || !mt->obuf || !mt->w || !mt->th ||
      !mt->times || !mt->acc || !mt->tacc || !mt->has_a || !mt->has_b || !mt->above ||
      !mt->trkind || !mt->tridx || !mt->y0 || !mt->out0 || !mt->ndose0 || !mt->work ||
      !mt->baseline || !mt->sel) {
    ims_metrics_free(mt);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  memset(mt->sel, 1, snc);
  memcpy(mt->w, w, snw * sizeof *w);
  if (nth)
    memcpy(mt->th, th, snth * sizeof *th);
  for (int i = 0; i < nw; i++) {
    mt->times[2 * i] = w[i].a;
    mt->times[2 * i + 1] = w[i].b;
  }
  qsort(mt->times, 2 * snw, sizeof *mt->times, cmp_double);
  size_t k = 0;
  for (size_t i = 0; i < 2 * snw; i++)
    if (k == 0 || mt->times[i] != mt->times[k - 1])
      mt->times[k++] = mt->times[i];
  mt->ntimes = k;
  *out = mt;
  return IMS_OK;
}

int ims_metrics_max_triggers(const ims_metrics_t *mt)
{
  return mt->maxtr;
}

int ims_metrics_columns(ims_metrics_t *mt, const int *cols, int n, ims_err_t *err)
{
  for (int i = 0; i < n; i++)
    if (cols[i] < 0 || cols[i] >= mt->nc)
      return ims_err_set(err, IMS_EINPUT, "metrics: column %d does not exist", cols[i]);
  memset(mt->sel, 0, (size_t)mt->nc);
  for (int i = 0; i < n; i++)
    mt->sel[cols[i]] = 1;
  for (int k = 0; k < mt->nth; k++) /* a threshold's column is tracked */
    mt->sel[mt->th[k].col] = 1;
  return IMS_OK;
}

/* Whether a and b are one instant of the driver's timeline. */
static int same_time(const ims_metrics_t *mt, double a, double b)
{
  return fabs(a - b) <= ims_time_tol(fmax(fabs(a), fabs(b)), mt->scale);
}

const double *ims_metrics_times(const ims_metrics_t *mt, size_t *n)
{
  *n = mt->ntimes;
  return mt->times;
}

static void reset(ims_metrics_t *mt)
{
  for (size_t i = 0; i < (size_t)mt->nw * (size_t)mt->nc; i++) {
    acc_t *a = &mt->acc[i];
    a->max = a->tmax = a->min = a->tmin = a->trough = a->qa = a->qlast = a->tlast = NAN;
    a->regrow = NAN;
    a->n = 0;
    a->nmax = a->nmin = 0;
    a->tmax1 = a->tmaxn = NAN;
    a->summax = a->summin = 0;
  }
  memset(mt->tacc, 0, ((size_t)mt->nw * (size_t)mt->nth + 1) * sizeof *mt->tacc);
  memset(mt->has_a, 0, (size_t)mt->nw * sizeof *mt->has_a);
  memset(mt->has_b, 0, (size_t)mt->nw * sizeof *mt->has_b);
  memset(mt->above, 0, ((size_t)mt->nth + 1) * sizeof *mt->above);
  mt->last_disc = NAN;
  mt->th_last = NAN;
  mt->started = 0;
  memset(mt->cand, 0, (size_t)mt->nc * sizeof *mt->cand);
  for (int c = 0; c < mt->nc; c++)
    mt->last[c] = NAN;
}

int ims_metrics_tolerances(ims_metrics_t *mt, double rtol, double atol, const double *atol_vec,
                           ims_err_t *err)
{
  int n = mt->m->nstates;
  if (!(rtol > 0) || !(atol > 0) || !isfinite(rtol + atol))
    return ims_err_set(err, IMS_EINPUT, "metrics: tolerances must be positive and finite");
  mt->rtol = rtol;
  mt->atol = atol;
  free(mt->atol_vec);
  mt->atol_vec = NULL;
  if (atol_vec) {
    if (!(mt->atol_vec = malloc((size_t)n * sizeof *mt->atol_vec)))
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    memcpy(mt->atol_vec, atol_vec, (size_t)n * sizeof *mt->atol_vec);
  }
  return IMS_OK;
}

static double state_atol(const ims_metrics_t *mt, int i)
{
  return mt->atol_vec ? mt->atol_vec[i] : mt->atol;
}

/* The absolute tolerance of output k: the states' through its gradient at
 * the last state seen (as the driver's bands of output triggers). */
static double output_atol(ims_metrics_t *mt, int k)
{
  const ims_model_t *m = mt->m;
  int n = m->nstates, no = m->noutputs;
  double *base = mt->obuf, *pert = mt->obuf + no, sum = 0;
  ims_ctx_t ctx = {mt->pv, mt->ndose0, 0, m, mt->work, NULL};
  m->output(mt->tlast_row, mt->ylast, base, &ctx);
  for (int i = 0; i < n; i++) {
    double yi = mt->ylast[i], a = state_atol(mt, i), h = fmax(a, 1.5e-8 * fabs(yi));
    mt->ylast[i] = yi + h;
    m->output(mt->tlast_row, mt->ylast, pert, &ctx);
    mt->ylast[i] = yi;
    double d = fabs(pert[k] - base[k]) / h * a;
    if (isfinite(d))
      sum += d;
  }
  return sum;
}

/* The noise band of two values of column c: ten times what the solver
 * controls there. */
static double noise_band(ims_metrics_t *mt, int c, double u, double v)
{
  int n = mt->m->nstates;
  double abs_ = c < n ? state_atol(mt, c) : output_atol(mt, c - n);
  return 10 * (mt->rtol * fmax(fabs(u), fabs(v)) + abs_);
}

/* The run's time scale as the driver sees it, max(|t0|, |tend|), from t0 and
 * the windows (which lie in the run). */
static void set_scale(ims_metrics_t *mt, double t0)
{
  mt->scale = fabs(t0);
  for (int i = 0; i < mt->nw; i++)
    mt->scale = fmax(mt->scale, fmax(fabs(mt->w[i].a), fabs(mt->w[i].b)));
}

int ims_metrics_begin(ims_metrics_t *mt, const double *p, double t0, ims_trigger_t *tr, int first)
{
  const ims_model_t *m = mt->m;
  reset(mt);
  set_scale(mt, t0);
  /* baseline: the state at t0 before any dose, as the driver starts it */
  ims_model_initial_state(m, p, mt->y0, mt->work);
  memcpy(mt->pv, p, (size_t)ims_model_nvalues(m) * sizeof *p);
  memcpy(mt->ylast, mt->y0, (size_t)m->nstates * sizeof *mt->y0);
  mt->tlast_row = t0;
  if (m->noutputs) {
    ims_ctx_t ctx = {p, mt->ndose0, 0, m, mt->work, NULL};
    m->output(t0, mt->y0, mt->out0, &ctx);
  }
  for (int c = 0; c < mt->nc; c++)
    mt->baseline[c] = c < m->nstates ? mt->y0[c] : mt->out0[c - m->nstates];
  int k = 0;
  ims_trigger_t base = {.dir = 0, .act = IMS_ACT_NONE, .start = -INFINITY};
  if (!(mt->flags & IMS_METRICS_NO_EXTREMA))
    for (int c = 0; c < mt->nc; c++) {
      if (!mt->sel[c])
        continue;
      tr[k] = base;
      tr[k].name = "metrics: extremum";
      tr[k].var = IMS_DERIV(m, c);
      mt->trkind[k] = TK_EXTREMUM;
      mt->tridx[k++] = c;
    }
  for (int i = 0; i < mt->nth; i++) {
    tr[k] = base;
    tr[k].name = "metrics: threshold";
    tr[k].var = mt->th[i].col;
    tr[k].threshold = mt->th[i].value;
    mt->trkind[k] = TK_THRESHOLD;
    mt->tridx[k++] = i;
  }
  if (!(mt->flags & IMS_METRICS_NO_REGROW))
    for (int c = 0; c < mt->nc; c++) {
      if (!mt->sel[c] || !(mt->baseline[c] > 0) || !isfinite(mt->baseline[c]))
        continue;
      tr[k] = base;
      tr[k].name = "metrics: baseline";
      tr[k].var = c;
      tr[k].threshold = mt->baseline[c];
      tr[k].dir = 1;
      mt->trkind[k] = TK_BASELINE;
      mt->tridx[k++] = c;
    }
  mt->first = first;
  mt->ntr = k;
  return k;
}

/* Time above/below each threshold up to t. */
static void advance_time(ims_metrics_t *mt, double t)
{
  if (!mt->started || !(t > mt->th_last)) {
    return;
  }
  for (int k = 0; k < mt->nth; k++)
    for (int i = 0; i < mt->nw; i++) {
      const ims_window_t *w = &mt->w[i];
      double ov = fmin(t, w->b) - fmax(mt->th_last, w->a);
      if (ov > 0) {
        tacc_t *ta = &mt->tacc[(size_t)i * (size_t)mt->nth + (size_t)k];
        if (mt->above[k])
          ta->above += ov;
        else
          ta->below += ov;
      }
    }
  mt->th_last = t;
}

static double colval(const ims_metrics_t *mt, int c, const double *y, const double *out)
{
  int n = mt->m->nstates;
  return c < n ? y[c] : out[c - n];
}

static void extreme(acc_t *a, double t, double v)
{
  if (isnan(a->max) || v > a->max) {
    a->max = v;
    a->tmax = t;
  }
  if (isnan(a->min) || v < a->min) {
    a->min = v;
    a->tmin = t;
    a->regrow = NAN; /* regrowth counts from the (new) nadir */
  }
}

#define SIDE_LEFT 1
#define SIDE_RIGHT 2
#define SIDE_BOTH 3

int ims_metrics_sample(ims_metrics_t *mt, double t, int kind, const double *y, const double *out,
                       const double *quad)
{
  int side;
  if (kind == IMS_SAMPLE_BEFORE)
    side = SIDE_LEFT;
  else if (kind == IMS_SAMPLE_AFTER)
    side = SIDE_RIGHT;
  else
    side = same_time(mt, t, mt->last_disc) ? SIDE_RIGHT : SIDE_BOTH;
  if (kind != IMS_SAMPLE_AT)
    mt->last_disc = t;
  advance_time(mt, t);
  for (int i = 0; i < mt->nw; i++) {
    const ims_window_t *w = &mt->w[i];
    acc_t *a = &mt->acc[(size_t)i * (size_t)mt->nc];
    int at_a = same_time(mt, t, w->a), at_b = same_time(mt, t, w->b);
    if (at_a && quad && !mt->has_a[i]) {
      mt->has_a[i] = 1;
      for (int c = 0; c < mt->nc; c++)
        a[c].qa = quad[c];
    }
    int in = ((side & SIDE_LEFT) && t > w->a && !at_a && (t <= w->b || at_b)) ||
             ((side & SIDE_RIGHT) && (t >= w->a || at_a) && t < w->b && !at_b);
    if (!in)
      continue;
    if (at_b)
      mt->has_b[i] = 1;
    for (int c = 0; c < mt->nc; c++) {
      if (!mt->sel[c])
        continue;
      double v = colval(mt, c, y, out);
      extreme(&a[c], t, v);
      if (side & SIDE_LEFT)
        a[c].trough = v;
      a[c].tlast = t;
      a[c].qlast = quad ? quad[c] : NAN;
      a[c].n++;
    }
  }
  for (int k = 0; k < mt->nth; k++)
    mt->above[k] = colval(mt, mt->th[k].col, y, out) > mt->th[k].value;
  for (int c = 0; c < mt->nc; c++)
    if (mt->sel[c])
      mt->last[c] = colval(mt, c, y, out);
  memcpy(mt->ylast, y, (size_t)mt->m->nstates * sizeof *y);
  mt->tlast_row = t;
  if (!mt->started) {
    mt->started = 1;
    mt->th_last = t;
  }
  return 0;
}

int ims_metrics_row(ims_metrics_t *mt, double t, const double *y, const double *out,
                    const double *quad)
{
  return ims_metrics_sample(mt, t, IMS_SAMPLE_AT, y, out, quad);
}

void ims_metrics_listen(ims_metrics_t *mt, const ims_metrics_listener_t *l)
{
  if (l)
    mt->lis = *l;
  else
    memset(&mt->lis, 0, sizeof mt->lis);
}

/* Whether t lies in window w (a boundary within the merge tolerance is in). */
static int in_window(const ims_metrics_t *mt, const ims_window_t *w, double t)
{
  return (t >= w->a || same_time(mt, t, w->a)) && (t <= w->b || same_time(mt, t, w->b));
}

/* A confirmed local extremum of column c (kind +1 a maximum): into the
 * windows holding it, and to the listener. */
static int confirm(ims_metrics_t *mt, int c, const struct cand *e)
{
  for (int i = 0; i < mt->nw; i++) {
    if (!in_window(mt, &mt->w[i], e->t))
      continue;
    acc_t *a = &mt->acc[(size_t)i * (size_t)mt->nc + (size_t)c];
    if (e->kind > 0) {
      if (!a->nmax++)
        a->tmax1 = e->t;
      a->tmaxn = e->t;
      a->summax += e->v;
    } else {
      a->nmin++;
      a->summin += e->v;
    }
  }
  return mt->lis.extremum ? mt->lis.extremum(mt->lis.ud, c, e->t, e->v, e->kind) : 0;
}

/* A root of column c's derivative (kind +1 a maximum).  Rounding and the
 * solver's error make a flat stretch (a plateau, a settled state) wiggle:
 * its roots come in pairs closer than the noise band.  A root becomes the
 * candidate when it lies beyond the band from the candidate of the other
 * kind, which is then confirmed; a root of the same kind replaces a less
 * extreme candidate (the pair between them was noise); a root within the
 * band of a candidate of the other kind is noise and dropped. */
static int root_of(ims_metrics_t *mt, int c, double t, double v, int kind)
{
  struct cand *k = &mt->cand[c];
  if (!k->kind || (kind == k->kind && kind * (v - k->v) > 0)) {
    *k = (struct cand){kind, t, v};
    return 0;
  }
  if (kind == k->kind || fabs(v - k->v) <= noise_band(mt, c, v, k->v))
    return 0;
  struct cand done = *k;
  *k = (struct cand){kind, t, v};
  return confirm(mt, c, &done);
}

int ims_metrics_event(ims_metrics_t *mt, const ims_logged_t *ev)
{
  int k = ev->trigger - mt->first;
  if (k < 0 || k >= mt->ntr)
    return 0;
  double t = ev->t;
  advance_time(mt, t);
  int idx = mt->tridx[k];
  int rc = 0;
  /* the derivative falls through 0 at a maximum */
  if (mt->trkind[k] == TK_EXTREMUM && ev->dir)
    rc = root_of(mt, idx, t, ev->value, ev->dir < 0 ? 1 : -1);
  if (mt->trkind[k] == TK_THRESHOLD && ev->dir && mt->lis.crossing)
    rc = mt->lis.crossing(mt->lis.ud, idx, t, ev->dir);
  for (int i = 0; i < mt->nw; i++) {
    const ims_window_t *w = &mt->w[i];
    int at_b = same_time(mt, t, w->b);
    if ((t < w->a && !same_time(mt, t, w->a)) || (t > w->b && !at_b))
      continue;
    switch (mt->trkind[k]) {
    case TK_EXTREMUM:
      extreme(&mt->acc[(size_t)i * (size_t)mt->nc + (size_t)idx], t, ev->value);
      break;
    case TK_THRESHOLD:
      if (!at_b || !same_time(mt, t, mt->last_disc))
        mt->tacc[(size_t)i * (size_t)mt->nth + (size_t)idx].cross++;
      break;
    case TK_BASELINE: {
      acc_t *a = &mt->acc[(size_t)i * (size_t)mt->nc + (size_t)idx];
      if (isnan(a->regrow) && a->n && t > a->tmin)
        a->regrow = t;
      break;
    }
    }
  }
  if (mt->trkind[k] == TK_THRESHOLD && ev->dir)
    mt->above[idx] = ev->dir > 0;
  return rc;
}

static int obs_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  return ims_metrics_row(ud, t, y, out, q);
}
static int obs_event(void *ud, const ims_logged_t *ev)
{
  return ims_metrics_event(ud, ev);
}
static int obs_sample(void *ud, double t, int kind, const double *y, const double *out,
                      const double *q)
{
  return ims_metrics_sample(ud, t, kind, y, out, q);
}

void ims_metrics_observer(ims_metrics_t *mt, ims_observer_t *obs)
{
  memset(obs, 0, sizeof *obs);
  obs->row = obs_row;
  obs->event = obs_event;
  obs->sample = obs_sample;
  obs->ud = mt;
}

int ims_metrics_end(ims_metrics_t *mt)
{
  /* windows not reached keep has_b = 0: values run to the last time seen.
   * The last candidate extremum is one when the run moved away from it. */
  int rc = 0;
  for (int c = 0; c < mt->nc; c++) {
    struct cand *k = &mt->cand[c];
    if (k->kind && isfinite(mt->last[c]) &&
        fabs(mt->last[c] - k->v) > noise_band(mt, c, mt->last[c], k->v)) {
      int r = confirm(mt, c, k);
      rc = rc ? rc : r;
    }
    k->kind = 0;
  }
  return rc;
}

int ims_metrics_nwindows(const ims_metrics_t *mt)
{
  return mt->nw;
}
const ims_window_t *ims_metrics_window(const ims_metrics_t *mt, int w)
{
  return &mt->w[w];
}
int ims_metrics_nthresholds(const ims_metrics_t *mt)
{
  return mt->nth;
}
const ims_threshold_t *ims_metrics_threshold(const ims_metrics_t *mt, int k)
{
  return &mt->th[k];
}
int ims_metrics_complete(const ims_metrics_t *mt, int w)
{
  return mt->has_a[w] && mt->has_b[w];
}

double ims_metrics_value(const ims_metrics_t *mt, int w, int col, int k)
{
  if (w < 0 || w >= mt->nw || col < 0 || col >= mt->nc)
    return NAN;
  const acc_t *a = &mt->acc[(size_t)w * (size_t)mt->nc + (size_t)col];
  if (!a->n)
    return NAN;
  double auc = mt->has_a[w] ? a->qlast - a->qa : NAN;
  switch (k) {
  case IMS_M_MAX:
    return a->max;
  case IMS_M_TMAX:
    return a->tmax;
  case IMS_M_MIN:
    return a->min;
  case IMS_M_TMIN:
    return a->tmin;
  case IMS_M_TROUGH:
    return a->trough;
  case IMS_M_AUC:
    return auc;
  case IMS_M_AVG:
    return a->tlast > mt->w[w].a ? auc / (a->tlast - mt->w[w].a) : NAN;
  case IMS_M_REGROW:
    return a->regrow;
  case IMS_M_NPEAKS:
    return mt->flags & IMS_METRICS_NO_EXTREMA ? NAN : (double)a->nmax;
  case IMS_M_PERIOD:
    return a->nmax > 1 ? (a->tmaxn - a->tmax1) / (double)(a->nmax - 1) : NAN;
  case IMS_M_AMPLITUDE:
    return a->nmax && a->nmin ? (a->summax / (double)a->nmax - a->summin / (double)a->nmin) / 2
                              : NAN;
  default:
    return NAN;
  }
}

double ims_metrics_tvalue(const ims_metrics_t *mt, int w, int th, int k)
{
  if (w < 0 || w >= mt->nw || th < 0 || th >= mt->nth)
    return NAN;
  const tacc_t *a = &mt->tacc[(size_t)w * (size_t)mt->nth + (size_t)th];
  switch (k) {
  case IMS_T_ABOVE:
    return a->above;
  case IMS_T_BELOW:
    return a->below;
  case IMS_T_CROSSINGS:
    return (double)a->cross;
  default:
    return NAN;
  }
}

/* ---- windows from a schedule ------------------------------------------ */

static int push_window(ims_window_t **w, int *nw, int *cap, double a, double b, const char *label,
                       ims_err_t *err)
{
  if (*nw == *cap) {
    int nc = *cap ? 2 * *cap : 16;
    ims_window_t *nwp = realloc(*w, (size_t)nc * sizeof *nwp);
    if (!nwp)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    *w = nwp;
    *cap = nc;
  }
  ims_window_t *x = &(*w)[(*nw)++];
  x->a = a;
  x->b = b;
  snprintf(x->label, sizeof x->label, "%s", label);
  return IMS_OK;
}

int ims_windows_from_schedule(const ims_schedule_t *s, double t0, double tend, int which,
                              ims_window_t **w, int *nw, ims_err_t *err)
{
  int cap = *nw; /* the caller's array holds *nw windows; grow from there */
  int rc = IMS_OK;
  if (which & IMS_WIN_ALL)
    rc = push_window(w, nw, &cap, t0, tend, "all", err);
  if (rc || !(which & (IMS_WIN_DOSES | IMS_WIN_LAST)) || !s || !s->nrec)
    return rc;
  ims_event_t *ev = NULL;
  long nev = 0;
  rc = ims_schedule_expand(s, &ev, &nev, err);
  if (rc)
    return rc;
  /* distinct dose times (boluses and infusion starts) in [t0, tend) */
  long nd = 0;
  for (long i = 0; i < nev; i++) {
    if (ev[i].kind == IMS_EV_INF_OFF || ev[i].kind == IMS_EV_RESET || ev[i].time < t0 ||
        ev[i].time >= tend)
      continue;
    if (nd && ev[i].time == ev[nd - 1].time)
      continue;
    ev[nd++] = ev[i]; /* compact in place: nd <= i */
  }
  double lb = NAN, le = NAN;
  for (long i = 0; !rc && i < nd; i++) {
    double a = ev[i].time, ii = s->rec[ev[i].rec].ii, b;
    int full;
    if (i + 1 < nd) {
      b = ev[i + 1].time;
      full = 1;
    } else {
      b = ii > 0 ? a + ii : tend;
      full = ii > 0 && b <= tend;
      if (b > tend)
        b = tend;
    }
    if (full) {
      lb = a;
      le = b;
    }
    if (which & IMS_WIN_DOSES) {
      char label[32];
      snprintf(label, sizeof label, "dose%ld", i + 1);
      rc = push_window(w, nw, &cap, a, b, label, err);
    }
  }
  if (!rc && (which & IMS_WIN_LAST) && !isnan(lb))
    rc = push_window(w, nw, &cap, lb, le, "last", err);
  free(ev);
  return rc;
}
