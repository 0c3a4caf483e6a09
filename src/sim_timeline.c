/* The timeline: every time the driver stops at, read as one sorted list
 * (see the design comment in src/sim.c). */
#include "sim_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double ims__tl_tol(const ims__timeline_t *tl, double t)
{
  return ims_time_tol(t, tl->scale);
}

static double next_pending(const ims__timeline_t *tl)
{
  return tl->npend ? tl->pend[0].time : INFINITY;
}

double ims__tl_next_hard(const ims__timeline_t *tl)
{
  double t = tl->tend;
  if (tl->iev < tl->nev && tl->ev[tl->iev].time < t)
    t = tl->ev[tl->iev].time;
  if (tl->ib < tl->ntb && tl->tb[tl->ib] < t)
    t = tl->tb[tl->ib];
  return fmin(t, next_pending(tl));
}

double ims__tl_next(const ims__timeline_t *tl)
{
  double t = ims__tl_next_hard(tl);
  if (tl->iout < tl->ntout && tl->tout[tl->iout] < t)
    t = tl->tout[tl->iout];
  if (tl->ismp < tl->nsmp && tl->smp[tl->ismp] < t)
    t = tl->smp[tl->ismp];
  return t;
}

static double after_d(const double *a, size_t i, size_t n, double x)
{
  while (i < n && a[i] <= x)
    i++;
  return i < n ? a[i] : INFINITY;
}

/* The first item strictly after x. */
static double first_after(const ims__timeline_t *tl, double x)
{
  double t = tl->tend > x ? tl->tend : INFINITY;
  long i = tl->iev;
  while (i < tl->nev && tl->ev[i].time <= x)
    i++;
  if (i < tl->nev && tl->ev[i].time < t)
    t = tl->ev[i].time;
  int k = 0;
  while (k < tl->npend && tl->pend[k].time <= x)
    k++;
  if (k < tl->npend && tl->pend[k].time < t)
    t = tl->pend[k].time;
  t = fmin(t, after_d(tl->tb, (size_t)tl->ib, (size_t)tl->ntb, x));
  t = fmin(t, after_d(tl->tout, tl->iout, tl->ntout, x));
  return fmin(t, after_d(tl->smp, tl->ismp, tl->nsmp, x));
}

double ims__tl_chain_end(const ims__timeline_t *tl, double t)
{
  for (;;) {
    double nx = first_after(tl, t);
    if (!(nx <= t + ims__tl_tol(tl, t)))
      return t;
    t = nx;
  }
}

int ims__tl_hard_due(const ims__timeline_t *tl, double lim)
{
  return (tl->iev < tl->nev && tl->ev[tl->iev].time <= lim) ||
         (tl->ib < tl->ntb && tl->tb[tl->ib] <= lim) || next_pending(tl) <= lim;
}

int ims__tl_push(ims__timeline_t *tl, ims__pending_t *p, ims_err_t *err)
{
  if (tl->npend == tl->pcap) {
    int cap = tl->pcap ? 2 * tl->pcap : 16;
    ims__pending_t *np = realloc(tl->pend, (size_t)cap * sizeof *np);
    if (!np)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    tl->pend = np;
    tl->pcap = cap;
  }
  p->seq = tl->seq++;
  /* after every entry with time <= p->time: equal times keep queue order */
  int lo = 0, hi = tl->npend;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (tl->pend[mid].time <= p->time)
      lo = mid + 1;
    else
      hi = mid;
  }
  memmove(tl->pend + lo + 1, tl->pend + lo, (size_t)(tl->npend - lo) * sizeof *tl->pend);
  tl->pend[lo] = *p;
  tl->npend++;
  return IMS_OK;
}

int ims__tl_pop(ims__timeline_t *tl, double lim, ims__pending_t *out)
{
  if (!tl->npend || tl->pend[0].time > lim)
    return 0;
  *out = tl->pend[0];
  memmove(tl->pend, tl->pend + 1, (size_t)(--tl->npend) * sizeof *tl->pend);
  return 1;
}

void ims__tl_free(ims__timeline_t *tl)
{
  free(tl->pend);
  tl->pend = NULL;
  tl->npend = tl->pcap = 0;
}
