/* ss=1 records: the state before the dose is the periodic steady state of
 * that dose given every ii for ever. */
#include "sim_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double ss_change(const ims_sim_t *s, const double *prev, const ims_opts_t *o)
{
  const double *y = NV_DATA_S(s->y);
  double tol = o->ss_tol > 0 ? o->ss_tol : 1e-8, worst = 0;
  for (int i = 0; i < s->n; i++) {
    double a = o->atol_vec ? o->atol_vec[i] : o->atol;
    double sc = tol * fmax(fabs(y[i]), fabs(prev[i])) + a;
    double r = fabs(y[i] - prev[i]) / sc;
    worst = r > worst ? r : worst;
  }
  return worst;
}

/* Integrate to tend exactly, flipping and restarting at every switch of the
 * model's conditions on the way (as the main loop does; triggers are paused). */
static int ss_advance(ims_sim_t *s, double tend, ims_err_t *err)
{
  double tret;
  for (;;) {
    int rc = ims__cv_advance(s, tend, tend, &tret, err);
    if (rc < 0)
      return rc;
    if (rc != CV_ROOT_RETURN)
      return IMS_OK;
    rc = ims__trig_root(s, tret, err);
    s->sw_due = 0;
    rc = rc ? rc : ims__switch_flip(s, tret, err);
    rc = rc ? rc : ims__cv_reinit(s, tret, err);
    if (rc)
      return rc;
  }
}

/* One dosing interval [t, t+ii] with only this record's dose.  An infusion
 * shorter than the time resolution is a bolus, one ending within it of ii
 * lasts the whole interval: CVODE is never asked for a shorter interval. */
static int ss_interval(ims_sim_t *s, const ims_record_t *r, double t, ims_err_t *err)
{
  /* a dose scaled by a covariate: the same doubles as the expanded events */
  double amt0 = r->f * r->amt, tol = ims__tl_tol(&s->tl, t + r->ii);
  double amt = r->cov > 0 ? amt0 * s->p[r->cov - 1] : amt0;
  double dur = r->rate > 0 ? amt0 / r->rate : r->dur;
  if (dur > r->ii - tol)
    dur = r->ii;
  int rc;
  if (dur > tol && amt > 0) {
    s->rate[r->cmt] = amt / dur;
    rc = ims__cv_reinit(s, t, err);
    rc = rc ? rc : ss_advance(s, t + dur, err);
    if (rc < 0)
      return rc;
    s->rate[r->cmt] = 0.0;
    rc = ims__cv_reinit(s, t + dur, err);
  } else {
    NV_DATA_S(s->y)[r->cmt] += amt;
    rc = ims__cv_reinit(s, t, err);
    dur = 0;
  }
  if (!rc && dur < r->ii)
    rc = ss_advance(s, t + r->ii, err);
  return rc < 0 ? rc : IMS_OK;
}

/* The search integrates with tolerances 100 times below its convergence
 * test (rtol at most tol/100, atol/100 then): at the run's own rtol the map
 * from one trough to the next is only as exact as CVODE's step choices, which
 * differ from interval to interval, so under rtol 1e-6 the trough wanders by
 * about 1e-7 for ever and a 1e-8 test was never met (about 1 % of
 * pembrolizumab 2 mg/kg subjects failed after 10,000 intervals).  restore = 1
 * puts the run's tolerances back. */
static int ss_tolerances(ims_sim_t *s, const ims_opts_t *o, double tol, int restore, ims_err_t *err)
{
  int tight = !restore && o->rtol > tol / 100;
  double rtol = tight ? tol / 100 : o->rtol, f = tight ? 0.01 : 1.0;
  return ims__cv_tolerances(s, rtol, f, err);
}

/* Replace the state at t by the pre-dose trough of this record given every
 * ii for ever: dose repeatedly until the trough stops changing.  Other
 * infusions, triggers and quadratures are paused meanwhile. */
int ims__steady_state(ims_sim_t *s, const ims_record_t *r, const char *path, double t,
                      ims_err_t *err)
{
  const ims_opts_t *o = s->opts;
  if (!(r->ii > ims__tl_tol(&s->tl, t + r->ii)))
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld: ss=1 with ii = %g: the interval is below the time resolution at "
                       "t = %g; give a longer ii",
                       path, r->line, r->ii, t);
  size_t n = (size_t)s->n, nq = (size_t)s->nq;
  double *save = malloc((2 * n + nq + 1) * sizeof *save);
  if (!save)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  double *rate = save, *prev = save + n, *q = save + 2 * n;
  memcpy(rate, s->rate, n * sizeof *rate);
  ims__quad_sync(s);
  if (nq)
    memcpy(q, NV_DATA_S(s->q), nq * sizeof *q);
  memset(s->rate, 0, n * sizeof *s->rate);
  s->in_ss = 1;
  double tol = o->ss_tol > 0 ? o->ss_tol : 1e-8;
  int max = o->ss_max > 0 ? o->ss_max : 10000, it = 0, done = 0;
  int rc = ss_tolerances(s, o, tol, 0, err);
  for (; it < max && !rc && !done; it++) {
    memcpy(prev, NV_DATA_S(s->y), n * sizeof *prev);
    rc = ss_interval(s, r, t, err);
    done = !rc && it > 0 && ss_change(s, prev, o) <= 1.0;
  }
  s->st.ss_intervals += it;
  s->in_ss = 0;
  ims_err_t e2;
  int rc2 = ss_tolerances(s, o, tol, 1, rc ? &e2 : err); /* keep the first error */
  rc = rc ? rc : rc2;
  memcpy(s->rate, rate, n * sizeof *rate);
  if (nq)
    memcpy(NV_DATA_S(s->q), q, nq * sizeof *q);
  s->q_stale = 0; /* the restored integrals, not those of the search */
  free(save);
  if (!rc && !done)
    rc = ims_err_set(err, IMS_ESOLVER,
                     "%s:%ld: ss=1 dose did not reach steady state in %d intervals (tolerance "
                     "%g); the model may have no periodic steady state for this dose",
                     path, r->line, max, tol);
  return rc ? rc : ims__cv_reinit(s, t, err);
}
