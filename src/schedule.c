#include "immunosim/schedule.h"

#include "immunosim/data.h"
#include "immunosim/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns in either case (NONMEM and mrgsolve write them upper case). */
static const char *const sch_cols[] = {"time", "cmt", "amt", "rate", "dur",  "ii", "addl",
                                       "lag",  "f",   "ss",  "unit", "evid", "id"};
enum {
  S_TIME,
  S_CMT,
  S_AMT,
  S_RATE,
  S_DUR,
  S_II,
  S_ADDL,
  S_LAG,
  S_F,
  S_SS,
  S_UNIT,
  S_EVID,
  S_ID,
  NSCOLS
};

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
  free(s->ids);
  free(s);
}

double ims_event_value(const ims_event_t *e, const double *p)
{
  if (e->cov <= 0 || !p || !(e->div > 0))
    return e->value;
  return (e->base * p[e->cov - 1]) / e->div;
}

void ims_record_amt_unit(const ims_model_t *m, const ims_record_t *r, char *buf, size_t n)
{
  const char *su = m->states[r->cmt].unit;
  if (r->cov > 0)
    snprintf(buf, n, "%s/%s", su, m->params[r->cov - 1].unit);
  else
    snprintf(buf, n, "%s", su);
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

static int push_record(ims_schedule_t *s, const ims_record_t *r, ims_err_t *err)
{
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

int ims_schedule_add(ims_schedule_t *s, const ims_record_t *r, ims_err_t *err)
{
  int col[NSCOLS];
  for (int i = 0; i < NSCOLS; i++)
    col[i] = 1;
  const char *name = s->path ? s->path : "schedule";
  if (r->cov < 0 || r->sid < 0 || (s->nid ? r->sid >= s->nid : r->sid != 0) ||
      (r->reset != 0 && r->reset != 1) || (r->nodose != 0 && r->nodose != 1) ||
      (r->nodose && !r->reset))
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:1: cov, sid, reset or nodose out of range (a record without a "
                       "dose is a reset)",
                       name, r->line);
  int rc = r->nodose ? IMS_OK : check_record(r, name, col, err);
  return rc ? rc : push_record(s, r, err);
}

int ims_schedule_subset(const ims_schedule_t *s, int sid, ims_schedule_t **out, ims_err_t *err)
{
  *out = NULL;
  if (sid < 0 || sid >= (s->nid ? s->nid : 1))
    return ims_err_set(err, IMS_EINPUT, "schedule: no ID number %d", sid);
  ims_schedule_t *t;
  int rc = ims_schedule_alloc(&t, err);
  if (rc)
    return rc;
  char name[4200];
  if (s->nid)
    snprintf(name, sizeof name, "%s ID %ld", s->path ? s->path : "schedule", s->ids[sid]);
  else
    snprintf(name, sizeof name, "%s", s->path ? s->path : "schedule");
  t->path = strdup(name);
  t->ids = malloc(sizeof *t->ids);
  if (!t->path || !t->ids) {
    ims_schedule_free(t);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  t->ids[0] = s->nid ? s->ids[sid] : 0;
  t->nid = s->nid ? 1 : 0;
  for (int i = 0; !rc && i < s->nrec; i++)
    if (s->rec[i].sid == sid) {
      ims_record_t r = s->rec[i];
      r.sid = 0;
      rc = push_record(t, &r, err);
    }
  if (rc) {
    ims_schedule_free(t);
    return rc;
  }
  *out = t;
  return IMS_OK;
}

typedef struct sch_ctx {
  ims_schedule_t *s;
  const ims_model_t *m;
  const ims_units_t *u;
  ims_table_cols_t cols;
  int have_header;
  double *last_time; /* per ID */
  int cap;
} sch_ctx_t;

/* A field as text; NONMEM's "." (a missing value) reads as empty. */
static const char *text_field(sch_ctx_t *c, const ims_table_row_t *row, int k, int *col)
{
  const char *f = ims_table_field(&c->cols, row, k, col);
  return f && strcmp(f, ".") == 0 ? "" : f;
}

static int num_field(sch_ctx_t *c, const ims_table_row_t *row, int k, double def, double *out,
                     int *col, ims_err_t *err)
{
  const char *f = text_field(c, row, k, col);
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

/* The covariates a dose unit may be per: its name in a model, a unit of its
 * kind for recognising the dose unit, and what it is. */
static const struct {
  const char *name, *ref, *what;
} per_cov[] = {{"WT", "kg", "body weight"}, {"BSA", "m2", "body surface area"}};
#define NPERCOV 2

/* Whether `unit` converts to `to` (linearly). */
static int convertible(const ims_units_t *u, const char *unit, const char *to, double *scale)
{
  double sc, off;
  if (ims_units_factor(u, unit, to, &sc, &off, NULL) != IMS_OK || off != 0)
    return 0;
  *scale = sc;
  return 1;
}

/* "(mg)" "(mg)/(d)" "(mg)/(kg)" "(mg)/(d)/(kg)" */
static void dose_target(char *buf, size_t n, const char *su, const char *tu, int rate,
                        const char *per)
{
  snprintf(buf, n, "(%s)%s%s%s%s%s%s", su, rate ? "/(" : "", rate ? tu : "", rate ? ")" : "",
           per ? "/(" : "", per ? per : "", per ? ")" : "");
}

/* What a dose unit is: an amount or a rate (amount per time), absolute or
 * per kg of body weight (WT) or per m2 of body surface area (BSA); the
 * record's amounts are converted to the state's unit (per the covariate's
 * unit).  A rate unit makes the record an infusion given by rate and dur. */
static int convert_amounts(sch_ctx_t *c, const ims_table_row_t *row, ims_record_t *r, int col[],
                           ims_err_t *err)
{
  int ucol;
  const char *unit = text_field(c, row, S_UNIT, &ucol);
  const ims_model_t *m = c->m;
  const char *su = m->states[r->cmt].unit, *tu = m->time_unit;
  int rate = 0, k = -1;
  double scale = 1;
  if (unit && *unit) {
    char target[512];
    int found = 0;
    for (rate = 0; rate < 2 && !found; rate++)
      for (k = -1; k < NPERCOV && !found; k++) {
        dose_target(target, sizeof target, su, tu, rate, k < 0 ? NULL : per_cov[k].ref);
        found = convertible(c->u, unit, target, &scale);
      }
    rate--, k--;
    if (!found) {
      ims_err_t e2;
      double sc, off;
      ims_units_factor(c->u, unit, su, &sc, &off, &e2);
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: dose unit: %s (state %s is in %s; a dose is in %s, per kg "
                         "or m2 (%s/kg, %s/m2), or a rate of these per time (%s/%s))",
                         row->name, row->line, ucol, e2.msg, m->states[r->cmt].name, su, su, su, su,
                         su, tu);
    }
    if (k >= 0) {
      int pk = ims_model_param_index(m, per_cov[k].name);
      if (pk < 0 || pk >= m->nparams)
        return ims_err_set(err, IMS_EINPUT,
                           "%s:%ld:%d: dose unit '%s' is per %s of %s, but model %s has no "
                           "covariate %s; give the dose in %s%s (multiplied out for the "
                           "subject), or add a parameter %s (%s) to the model",
                           row->name, row->line, ucol, unit, per_cov[k].ref, per_cov[k].what,
                           m->name, per_cov[k].name, su, rate ? "/time" : "", per_cov[k].name,
                           per_cov[k].ref);
      dose_target(target, sizeof target, su, tu, rate, m->params[pk].unit);
      if (!convertible(c->u, unit, target, &scale))
        return ims_err_set(err, IMS_EINPUT,
                           "%s:%ld:%d: dose unit '%s' is per %s of %s, but parameter %s of "
                           "model %s is in %s",
                           row->name, row->line, ucol, unit, per_cov[k].ref, per_cov[k].what,
                           per_cov[k].name, m->name, m->params[pk].unit);
      r->cov = pk + 1;
    }
  }
  if (!rate) {
    if (isnan(r->amt))
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: missing amt%s; give the amount (or, with a rate unit such "
                         "as %s/%s, rate and dur)",
                         row->name, row->line, col[S_AMT],
                         c->cols.idx[S_AMT] < 0 ? " (no amt column)" : "", su, tu);
    r->amt *= scale;
    r->rate *= scale;
    return IMS_OK;
  }
  /* a rate unit: the infusion is rate (in the unit) for dur; amt = rate * dur */
  if (!isnan(r->amt))
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: with a rate unit ('%s') give rate and dur, not amt (the "
                       "amount is rate*dur)",
                       row->name, row->line, col[S_AMT], unit);
  if (!(r->rate > 0) || !(r->dur > 0))
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: a rate unit ('%s') needs a rate > 0 and a dur > 0 (the "
                       "infusion's rate and duration)",
                       row->name, row->line, r->rate > 0 ? col[S_DUR] : col[S_RATE], unit);
  r->amt = r->rate * scale * r->dur;
  r->rate = 0;
  if (!isfinite(r->amt))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: rate*dur is not a finite amount", row->name,
                       row->line, col[S_RATE]);
  return IMS_OK;
}

/* cmt: a state name, else its 1-based index (NONMEM's CMT). */
static int read_cmt(sch_ctx_t *c, const ims_table_row_t *row, ims_record_t *r, int *col,
                    ims_err_t *err)
{
  const ims_model_t *m = c->m;
  const char *cmt = text_field(c, row, S_CMT, col);
  if (!cmt || !*cmt)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: missing cmt", row->name, row->line, *col);
  r->cmt = ims_model_state_index(m, cmt);
  if (r->cmt >= 0)
    return IMS_OK;
  long k;
  if (ims_table_long(cmt, &k) == 0) {
    if (k >= 1 && k <= m->nstates) {
      r->cmt = (int)(k - 1);
      return IMS_OK;
    }
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: cmt %s is not a state of model %s; a number is a 1-based "
                       "state index from 1 to %d (or give the state's name)",
                       row->name, row->line, *col, cmt, m->name, m->nstates);
  }
  const char *names[256];
  int n = m->nstates < 256 ? m->nstates : 256;
  for (int i = 0; i < n; i++)
    names[i] = m->states[i].name;
  const char *sug = ims_suggest(cmt, names, n);
  if (sug)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: unknown cmt '%s' in model %s; did you mean '%s'?", row->name,
                       row->line, *col, cmt, m->name, sug);
  return ims_err_set(err, IMS_EINPUT,
                     "%s:%ld:%d: unknown cmt '%s' in model %s; cmt is a state name or its "
                     "1-based index (see 'immunosim info %s')",
                     row->name, row->line, *col, cmt, m->name, m->name);
}

/* The row's ID (NONMEM's ID: a whole number); its index among the IDs. */
static int read_id(sch_ctx_t *c, const ims_table_row_t *row, int *sid, ims_err_t *err)
{
  int col;
  const char *f = text_field(c, row, S_ID, &col);
  *sid = 0;
  if (c->cols.idx[S_ID] < 0)
    return IMS_OK;
  long id;
  if (!f || !*f || ims_table_long(f, &id) != 0)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: ID '%s' is not a whole number (the subject)",
                       row->name, row->line, col, f ? f : "");
  ims_schedule_t *s = c->s;
  int i = s->nid;
  /* IDs of one subject usually come together: look from the last */
  while (i > 0 && s->ids[i - 1] != id)
    i--;
  if (i > 0) {
    *sid = i - 1;
    return IMS_OK;
  }
  if (s->nid == c->cap) {
    int cap = c->cap ? 2 * c->cap : 16;
    long *ni = realloc(s->ids, (size_t)cap * sizeof *ni);
    if (ni)
      s->ids = ni;
    double *nt = realloc(c->last_time, (size_t)cap * sizeof *nt);
    if (nt)
      c->last_time = nt;
    if (!ni || !nt)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    c->cap = cap;
  }
  s->ids[s->nid] = id;
  c->last_time[s->nid] = 0;
  *sid = s->nid++;
  return IMS_OK;
}

/* EVID: 1 dose (default), 0 and 2 rows without a dose (observations, other
 * events) are skipped, 3 reset, 4 reset and dose. */
static int read_evid(sch_ctx_t *c, const ims_table_row_t *row, long *evid, ims_err_t *err)
{
  int col;
  const char *f = text_field(c, row, S_EVID, &col);
  *evid = 1;
  if (!f || !*f)
    return IMS_OK;
  if (ims_table_long(f, evid) != 0 || *evid < 0 || *evid > 4)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: evid '%s' must be 0 (observation, skipped), 1 (dose), 2 "
                       "(other event, skipped), 3 (reset) or 4 (reset and dose)",
                       row->name, row->line, col, f);
  return IMS_OK;
}

static int on_sched_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  sch_ctx_t *c = ud;
  if (!c->have_header) {
    c->have_header = 1;
    return ims_table_header(&c->cols, row, 2, err);
  }
  ims_record_t r = {.line = row->line};
  int col[NSCOLS];
  for (int i = 0; i < NSCOLS; i++)
    col[i] = 1;
  long evid;
  int rc = read_evid(c, row, &evid, err);
  rc = rc ? rc : read_id(c, row, &r.sid, err);
  if (rc || evid == 0 || evid == 2)
    return rc;
  rc = read_numbers(c, row, &r, col, err);
  if (rc)
    return rc;
  if (evid == 3) {
    if (!isnan(r.amt) && r.amt != 0)
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: evid 3 resets without a dose, so amt %g would be ignored; "
                         "use evid 4 to reset and dose",
                         row->name, row->line, col[S_AMT], r.amt);
    r.amt = 0;
    r.rate = r.dur = r.ii = r.lag = 0;
    r.addl = 0;
    r.ss = 0;
    r.reset = r.nodose = 1;
  } else {
    r.reset = evid == 4;
    rc = read_cmt(c, row, &r, &col[S_CMT], err);
    rc = rc ? rc : convert_amounts(c, row, &r, col, err);
    rc = rc ? rc : check_record(&r, row->name, col, err);
    if (rc)
      return rc;
  }
  double *last = c->cols.idx[S_ID] >= 0 ? &c->last_time[r.sid] : &c->last_time[0];
  if (r.time < *last)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: time goes backwards (%g after %g); sort records by time%s",
                       row->name, row->line, col[S_TIME], r.time, *last,
                       c->cols.idx[S_ID] >= 0 ? " within each ID" : "");
  *last = r.time;
  return push_record(c->s, &r, err);
}

int ims_schedule_read_mem(ims_schedule_t *s, const ims_model_t *m, const ims_units_t *u,
                          const char *name, const char *buf, size_t len, ims_err_t *err)
{
  sch_ctx_t c = {.s = s, .m = m, .u = u};
  c.cols.names = sch_cols;
  c.cols.n = NSCOLS;
  c.cols.flags = IMS_TABLE_NOCASE;
  free(s->path);
  s->path = strdup(name);
  c.last_time = calloc(1, sizeof *c.last_time);
  int rc = c.last_time ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
  rc = rc ? rc : ims_table_read_mem(name, buf, len, on_sched_row, &c, err);
  free(c.last_time);
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
  if (x->rec != y->rec)
    return x->rec - y->rec;
  return (x->on > y->on) - (x->on < y->on);
}

static long count_events(const ims_schedule_t *s)
{
  long n = 0;
  for (int i = 0; i < s->nrec; i++) {
    const ims_record_t *r = &s->rec[i];
    long per = (r->rate > 0 || r->dur > 0) ? 2 : 1;
    n += r->reset + (r->nodose ? 0 : per * (r->addl + 1));
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
  long *pos = malloc((size_t)(n ? n : 1) * sizeof *pos);
  if (!e || !pos) {
    free(e);
    free(pos);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  long k = 0, non = 0;
  for (int i = 0; i < s->nrec; i++) {
    const ims_record_t *r = &s->rec[i];
    if (r->reset) /* at the record's time: a lag delays the dose, not the reset */
      e[k++] = (ims_event_t){.time = r->time, .kind = IMS_EV_RESET, .rec = i};
    if (r->nodose)
      continue;
    double amt = r->f * r->amt;
    for (long j = 0; j <= r->addl; j++) {
      /* t0 + j*ii, never accumulated */
      double t = r->time + (double)j * r->ii + r->lag;
      int ss = r->ss && j == 0;
      if (r->rate > 0 || r->dur > 0) {
        double base = r->rate > 0 ? r->rate : amt, div = r->rate > 0 ? 1.0 : r->dur;
        double dur = r->rate > 0 ? amt / r->rate : r->dur;
        if (!(dur > 0) || amt <= 0)
          continue; /* nothing enters: f = 0 or amt = 0 */
        /* `on` holds a key (1, 2, ...) until the sort; then the start's index */
        non++;
        e[k++] = (ims_event_t){t, IMS_EV_INF_ON, r->cmt, base / div, i, ss, r->cov, base, div, non};
        e[k++] = (ims_event_t){t + dur, IMS_EV_INF_OFF, r->cmt, base / div, i,
                               0,       r->cov,         base,   div,        non};
      } else {
        e[k++] = (ims_event_t){t, IMS_EV_BOLUS, r->cmt, amt, i, ss, r->cov, amt, 1.0, 0};
      }
    }
  }
  qsort(e, (size_t)k, sizeof *e, ev_cmp);
  for (long i = 0; i < k; i++)
    if (e[i].kind == IMS_EV_INF_ON)
      pos[e[i].on - 1] = i;
  for (long i = 0; i < k; i++)
    e[i].on = e[i].kind == IMS_EV_INF_OFF ? pos[e[i].on - 1] + 1 : 0;
  free(pos);
  *ev = e;
  *nev = k;
  return IMS_OK;
}
