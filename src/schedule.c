#include "immunosim/schedule.h"

#include "immunosim/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sch_cols[] = {"time", "cmt", "amt", "rate", "dur", "ii",
                                       "addl", "lag", "f",   "ss",   "unit"};
enum { S_TIME, S_CMT, S_AMT, S_RATE, S_DUR, S_II, S_ADDL, S_LAG, S_F, S_SS, S_UNIT, NSCOLS };

int ims_schedule_alloc(ims_schedule_t **out, ims_err_t *err)
{
  *out = calloc(1, sizeof **out);
  return *out ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
}

void ims_schedule_free(ims_schedule_t *s)
{
  if (!s)
    return;
  free(s->rec);
  free(s->path);
  free(s);
}

static int check_record(const ims_record_t *r, const char *name, int col[NSCOLS], ims_err_t *err)
{
#define BAD(c, ...) ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: " __VA_ARGS__)
  if (r->time < 0)
    return BAD(col[S_TIME], "dose at negative time %g; dose times are >= 0", name, r->line,
               col[S_TIME], r->time);
  if (r->amt < 0)
    return BAD(col[S_AMT], "negative amount %g; give an amount >= 0", name, r->line, col[S_AMT],
               r->amt);
  if (r->rate < 0)
    return BAD(
        col[S_RATE],
        "negative rate %g; give the rate (>= 0) or dur (NONMEM's -1/-2 codes are not supported)",
        name, r->line, col[S_RATE], r->rate);
  if (r->dur < 0)
    return BAD(col[S_DUR], "negative duration %g; give a duration >= 0", name, r->line, col[S_DUR],
               r->dur);
  if (r->rate > 0 && r->dur > 0)
    return BAD(col[S_DUR], "an infusion takes rate or dur, not both", name, r->line, col[S_DUR]);
  if (r->ii < 0)
    return BAD(col[S_II], "negative interdose interval %g; give ii >= 0", name, r->line, col[S_II],
               r->ii);
  if (r->addl < 0)
    return BAD(col[S_ADDL], "negative addl %ld; give addl >= 0", name, r->line, col[S_ADDL],
               r->addl);
  if (r->addl > 0 && r->ii <= 0)
    return BAD(col[S_II], "addl needs a positive ii", name, r->line, col[S_II]);
  if (r->addl >= IMS_MAX_DOSE_EVENTS)
    return BAD(col[S_ADDL], "addl %ld would create an absurd number of doses (limit %ld)", name,
               r->line, col[S_ADDL], r->addl, IMS_MAX_DOSE_EVENTS);
  if (r->lag < 0)
    return BAD(col[S_LAG], "negative lag %g; give a lag >= 0", name, r->line, col[S_LAG], r->lag);
  if (r->f < 0)
    return BAD(col[S_F], "negative bioavailability f %g; give f >= 0 (1: all of the dose)", name,
               r->line, col[S_F], r->f);
  if (r->ss != 0 && r->ss != 1)
    return BAD(col[S_SS], "ss must be 0 or 1", name, r->line, col[S_SS]);
  if (r->ss && r->ii <= 0)
    return BAD(col[S_II], "ss=1 needs a positive ii", name, r->line, col[S_II]);
  double dur = r->rate > 0 ? r->f * r->amt / r->rate : r->dur * (r->dur > 0);
  if (r->ss && dur > r->ii)
    return BAD(col[S_DUR], "a steady-state infusion must end within ii", name, r->line, col[S_DUR]);
  /* every dose time (time + k*ii + lag) and infusion end must be a number */
  double last = r->time + (double)r->addl * r->ii + r->lag + dur;
  if (!isfinite(dur) || !isfinite(last) || last > 1e15) {
    int c = !isfinite(dur) ? col[r->rate > 0 ? S_RATE : S_DUR] : col[r->addl ? S_II : S_TIME];
    return BAD(c,
               "the last dose of this record would end at %g, beyond any usable time; check "
               "time, ii, addl, lag and amt/rate",
               name, r->line, c, last);
  }
#undef BAD
  return IMS_OK;
}

int ims_schedule_add(ims_schedule_t *s, const ims_record_t *r, ims_err_t *err)
{
  int col[NSCOLS];
  for (int i = 0; i < NSCOLS; i++)
    col[i] = 1;
  int rc = check_record(r, s->path ? s->path : "schedule", col, err);
  if (rc)
    return rc;
  if (s->nrec == s->cap) {
    int cap = s->cap ? 2 * s->cap : 16;
    ims_record_t *nr = realloc(s->rec, (size_t)cap * sizeof *nr);
    if (!nr)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    s->rec = nr;
    s->cap = cap;
  }
  s->rec[s->nrec++] = *r;
  return IMS_OK;
}

typedef struct sch_ctx {
  ims_schedule_t *s;
  const ims_model_t *m;
  const ims_units_t *u;
  ims_table_cols_t cols;
  int have_header;
  double last_time;
} sch_ctx_t;

static int num_field(sch_ctx_t *c, const ims_table_row_t *row, int k, double def, double *out,
                     int *col, ims_err_t *err)
{
  const char *f = ims_table_field(&c->cols, row, k, col);
  if (!f || !*f) {
    *out = def;
    return IMS_OK;
  }
  if (ims_table_double(f, out) != 0)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: %s '%s' is not a finite number", row->name,
                       row->line, *col, sch_cols[k], f);
  return IMS_OK;
}

static int read_numbers(sch_ctx_t *c, const ims_table_row_t *row, ims_record_t *r, int col[],
                        ims_err_t *err)
{
  double addl = 0, ss = 0;
  int rc = 0;
  rc = rc ? rc : num_field(c, row, S_TIME, NAN, &r->time, &col[S_TIME], err);
  rc = rc ? rc : num_field(c, row, S_AMT, NAN, &r->amt, &col[S_AMT], err);
  rc = rc ? rc : num_field(c, row, S_RATE, 0, &r->rate, &col[S_RATE], err);
  rc = rc ? rc : num_field(c, row, S_DUR, 0, &r->dur, &col[S_DUR], err);
  rc = rc ? rc : num_field(c, row, S_II, 0, &r->ii, &col[S_II], err);
  rc = rc ? rc : num_field(c, row, S_ADDL, 0, &addl, &col[S_ADDL], err);
  rc = rc ? rc : num_field(c, row, S_LAG, 0, &r->lag, &col[S_LAG], err);
  rc = rc ? rc : num_field(c, row, S_F, 1, &r->f, &col[S_F], err);
  rc = rc ? rc : num_field(c, row, S_SS, 0, &ss, &col[S_SS], err);
  if (rc)
    return rc;
  if (isnan(r->time))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: missing time", row->name, row->line,
                       col[S_TIME]);
  if (isnan(r->amt))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: missing amt", row->name, row->line, col[S_AMT]);
  /* range-checked before the conversion: a double outside the range of
   * the integer type is undefined behaviour (addl -1.2e47 was) */
  if (!(addl >= 0))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: negative addl %g", row->name, row->line,
                       col[S_ADDL], addl);
  if (addl >= (double)IMS_MAX_DOSE_EVENTS)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: addl %.0f would create an absurd number of doses (limit %ld)",
                       row->name, row->line, col[S_ADDL], addl, IMS_MAX_DOSE_EVENTS);
  if (addl != floor(addl))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: addl %g must be a whole number", row->name,
                       row->line, col[S_ADDL], addl);
  if (ss != 0 && ss != 1)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: ss %g must be 0 or 1", row->name, row->line,
                       col[S_SS], ss);
  r->addl = (long)addl;
  r->ss = (int)ss;
  return IMS_OK;
}

/* amt (and rate, which is amount per model time) are converted from `unit`
 * to the dosed state's unit. */
static int convert_amounts(sch_ctx_t *c, const ims_table_row_t *row, ims_record_t *r,
                           ims_err_t *err)
{
  int ucol;
  const char *unit = ims_table_field(&c->cols, row, S_UNIT, &ucol);
  if (!unit || !*unit)
    return IMS_OK;
  double scale, offset;
  ims_err_t e2;
  const char *su = c->m->states[r->cmt].unit;
  if (ims_units_factor(c->u, unit, su, &scale, &offset, &e2) != IMS_OK || offset != 0)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: dose unit: %s (state %s is in %s)", row->name,
                       row->line, ucol, e2.msg, c->m->states[r->cmt].name, su);
  r->amt *= scale;
  r->rate *= scale;
  return IMS_OK;
}

static int on_sched_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  sch_ctx_t *c = ud;
  if (!c->have_header) {
    c->have_header = 1;
    return ims_table_header(&c->cols, row, 3, err);
  }
  ims_record_t r = {.line = row->line};
  int col[NSCOLS];
  for (int i = 0; i < NSCOLS; i++)
    col[i] = 1;
  const char *cmt = ims_table_field(&c->cols, row, S_CMT, &col[S_CMT]);
  int rc = read_numbers(c, row, &r, col, err);
  if (rc)
    return rc;
  if (!cmt || !*cmt)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: missing cmt", row->name, row->line, col[S_CMT]);
  r.cmt = ims_model_state_index(c->m, cmt);
  if (r.cmt < 0)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: unknown cmt '%s' in model %s; cmt is a state name (see "
                       "'immunosim info %s')",
                       row->name, row->line, col[S_CMT], cmt, c->m->name, c->m->name);
  rc = check_record(&r, row->name, col, err);
  if (rc)
    return rc;
  if (r.time < c->last_time)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: time goes backwards (%g after %g); sort records by time",
                       row->name, row->line, col[S_TIME], r.time, c->last_time);
  c->last_time = r.time;
  rc = convert_amounts(c, row, &r, err);
  return rc ? rc : ims_schedule_add(c->s, &r, err);
}

int ims_schedule_read_mem(ims_schedule_t *s, const ims_model_t *m, const ims_units_t *u,
                          const char *name, const char *buf, size_t len, ims_err_t *err)
{
  sch_ctx_t c = {.s = s, .m = m, .u = u, .last_time = 0};
  c.cols.names = sch_cols;
  c.cols.n = NSCOLS;
  free(s->path);
  s->path = strdup(name);
  int rc = ims_table_read_mem(name, buf, len, on_sched_row, &c, err);
  if (!rc && !c.have_header)
    rc = ims_err_set(err, IMS_EINPUT,
                     "%s:1:1: empty schedule; expected a header such as "
                     "time,cmt,amt,rate,dur,ii,addl,lag,f,ss,unit",
                     name);
  return rc;
}

int ims_schedule_read(ims_schedule_t *s, const ims_model_t *m, const ims_units_t *u,
                      const char *path, ims_err_t *err)
{
  char *buf;
  size_t len;
  int rc = ims_table_slurp(path, &buf, &len, err);
  if (rc)
    return rc;
  rc = ims_schedule_read_mem(s, m, u, path, buf, len, err);
  free(buf);
  return rc;
}

static int ev_cmp(const void *a, const void *b)
{
  const ims_event_t *x = a, *y = b;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind - y->kind;
  return x->rec - y->rec;
}

static long count_events(const ims_schedule_t *s)
{
  long n = 0;
  for (int i = 0; i < s->nrec; i++) {
    const ims_record_t *r = &s->rec[i];
    long per = (r->rate > 0 || r->dur > 0) ? 2 : 1;
    n += per * (r->addl + 1);
    if (n > IMS_MAX_DOSE_EVENTS)
      return -1;
  }
  return n;
}

int ims_schedule_expand(const ims_schedule_t *s, ims_event_t **ev, long *nev, ims_err_t *err)
{
  *ev = NULL;
  *nev = 0;
  long n = count_events(s);
  if (n < 0)
    return ims_err_set(err, IMS_EINPUT, "%s: the schedule expands to more than %ld doses",
                       s->path ? s->path : "schedule", IMS_MAX_DOSE_EVENTS);
  ims_event_t *e = malloc((size_t)(n ? n : 1) * sizeof *e);
  if (!e)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  long k = 0;
  for (int i = 0; i < s->nrec; i++) {
    const ims_record_t *r = &s->rec[i];
    double amt = r->f * r->amt;
    for (long j = 0; j <= r->addl; j++) {
      /* t0 + j*ii, never accumulated */
      double t = r->time + (double)j * r->ii + r->lag;
      int ss = r->ss && j == 0;
      if (r->rate > 0 || r->dur > 0) {
        double rate = r->rate > 0 ? r->rate : amt / r->dur;
        double dur = r->rate > 0 ? amt / r->rate : r->dur;
        if (!(dur > 0) || amt <= 0)
          continue; /* nothing enters: f = 0 or amt = 0 */
        e[k++] = (ims_event_t){t, IMS_EV_INF_ON, r->cmt, rate, i, ss};
        e[k++] = (ims_event_t){t + dur, IMS_EV_INF_OFF, r->cmt, rate, i, 0};
      } else {
        e[k++] = (ims_event_t){t, IMS_EV_BOLUS, r->cmt, amt, i, ss};
      }
    }
  }
  qsort(e, (size_t)k, sizeof *e, ev_cmp);
  *ev = e;
  *nev = k;
  return IMS_OK;
}
