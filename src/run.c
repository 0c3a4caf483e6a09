/* Loading a run from its description, its metadata, and the one simulation
 * loop shared by run, compare and sweep. */
#include "immunosim/run.h"

#include "immunosim/data.h"
#include "immunosim/immunosim.h"
#include "immunosim/report.h"
#include "immunosim/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ims_run_spec_init(ims_run_spec_t *s)
{
  memset(s, 0, sizeof *s);
  s->tend = NAN;
  s->rtol = 1e-6;
  s->atol = 1e-9;
}

static void note(ims_run_t *r, const char *fmt, const char *a, const char *b)
{
  if (r->nnotes < IMS_RUN_MAX_NOTES)
    snprintf(r->notes[r->nnotes++], sizeof r->notes[0], fmt, a, b);
}

static int load_params(ims_run_t *r, ims_err_t *err)
{
  const ims_run_spec_t *sp = &r->spec;
  char path[8192];
  int rc = ims_params_alloc(&r->params, r->m, err);
  if (!rc && sp->nparams == 0 && r->m->default_set) { /* a model file's values are its default */
    if (!sp->datadir)
      return ims_err_set(err, IMS_EINPUT,
                         "model %s: no parameter file given and no data directory for its "
                         "default set %s",
                         r->m->name, r->m->default_set);
    snprintf(path, sizeof path, "%s/params/%s/%s.csv", sp->datadir, r->m->name, r->m->default_set);
    rc = ims_params_read(r->params, r->units, path, err);
  }
  for (int i = 0; !rc && i < sp->nparams; i++) {
    rc = ims_data_resolve(sp->datadir, IMS_DATA_SETS, r->m, "-p", sp->params[i], path, sizeof path,
                          err);
    rc = rc ? rc : ims_params_read(r->params, r->units, path, err);
  }
  for (int i = 0; !rc && i < sp->nsets; i++)
    rc = ims_params_set(r->params, r->units, sp->sets[i], err);
  return rc ? rc : ims_params_finish(r->params, err);
}

/* ---- output times ---- */

typedef struct times_ctx {
  double *t;
  size_t n, cap;
  int header;
} times_ctx_t;

static int on_time_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  times_ctx_t *c = ud;
  double v;
  if (c->n == 0 && !c->header && strcmp(row->f[0], "time") == 0) {
    c->header = 1;
    return IMS_OK;
  }
  if (ims_table_double(row->f[0], &v) != 0)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: time '%s' is not a finite number", row->name,
                       row->line, row->col[0], row->f[0]);
  if (c->n && v <= c->t[c->n - 1])
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: time goes backwards or repeats (%g after %g)",
                       row->name, row->line, row->col[0], v, c->t[c->n - 1]);
  if (c->n + 1 >= c->cap) {
    size_t cap = c->cap < 64 ? 64 : 2 * c->cap;
    double *nt = realloc(c->t, cap * sizeof *nt);
    if (!nt)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    c->t = nt;
    c->cap = cap;
  }
  c->t[c->n++] = v;
  return IMS_OK;
}

/* A step giving at most about 1000 rows, from 1-2-5 multiples. */
static double nice_dt(double span)
{
  static const double m[] = {1, 2, 5};
  for (double e = 1e-4; e < 1e6; e *= 10)
    for (int k = 0; k < 3; k++)
      if (span / (m[k] * e) <= 1000)
        return m[k] * e;
  return span / 1000;
}

static double default_end(const ims_run_t *r)
{
  double last = 0;
  for (int i = 0; i < r->sched->nrec; i++) {
    const ims_record_t *x = &r->sched->rec[i];
    double t = x->time + (double)x->addl * x->ii + x->lag;
    last = t > last ? t : last;
  }
  return last + 28.0;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The default grid also holds every dose time and infusion end in (t0,
 * tend), so a plotted infusion peaks at its true peak.  A grid point within
 * 1e-9 steps of such a time gives way to it (two rows a rounding error apart
 * would say nothing and make the solver take a vanishing step). */
#define IMS_GRID_MAX_DOSE_TIMES 100000L
static int add_dose_times(ims_run_t *r, double dt, ims_err_t *err)
{
  ims_event_t *ev = NULL;
  long nev = 0;
  if (!r->sched->nrec)
    return IMS_OK;
  int rc = ims_schedule_expand(r->sched, &ev, &nev, err);
  if (rc || nev == 0 || nev > IMS_GRID_MAX_DOSE_TIMES) {
    free(ev);
    return rc;
  }
  double t0 = r->tout[0], tend = r->tout[r->ntout - 1];
  double *g = malloc((r->ntout + (size_t)nev) * sizeof *g);
  if (!g) {
    free(ev);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  size_t n = 0;
  for (long i = 0; i < nev; i++)
    if (ev[i].time > t0 + 1e-9 * dt && ev[i].time < tend - 1e-9 * dt)
      g[n++] = ev[i].time;
  free(ev);
  qsort(g, n, sizeof *g, cmp_double);
  size_t nd = 0; /* distinct dose times */
  for (size_t i = 0; i < n; i++)
    if (nd == 0 || g[i] != g[nd - 1])
      g[nd++] = g[i];
  size_t j = 0, k = nd; /* merge the grid after the dose times, skipping near ones */
  for (size_t i = 0; i < r->ntout; i++) {
    double t = r->tout[i];
    while (j < nd && g[j] < t - 1e-9 * dt)
      j++;
    int near = j < nd && fabs(g[j] - t) <= 1e-9 * dt;
    if (!near || i == 0 || i == r->ntout - 1)
      g[k++] = t;
  }
  qsort(g, k, sizeof *g, cmp_double);
  size_t m = 0;
  for (size_t i = 0; i < k; i++)
    if (m == 0 || g[i] > g[m - 1])
      g[m++] = g[i];
  free(r->tout);
  r->tout = g;
  r->ntout = m;
  return IMS_OK;
}

static int make_times(ims_run_t *r, ims_err_t *err)
{
  const ims_run_spec_t *sp = &r->spec;
  if (sp->times) {
    times_ctx_t c = {0};
    int rc = ims_table_read_file(sp->times, on_time_row, &c, err);
    if (!rc && c.n == 0)
      rc = ims_err_set(err, IMS_EINPUT, "%s:1:1: no output times; give one time per line",
                       sp->times);
    if (!rc && c.t[0] < sp->t0)
      rc = ims_err_set(err, IMS_EINPUT, "%s: the first time %g is before the start %g (--t0)",
                       sp->times, c.t[0], sp->t0);
    if (rc) {
      free(c.t);
      return rc;
    }
    r->tout = c.t;
    r->ntout = c.n;
    return IMS_OK;
  }
  double tend = isnan(sp->tend) ? default_end(r) : sp->tend;
  if (!(tend > sp->t0))
    return ims_err_set(err, IMS_EINPUT, "-t %g: the end time must be after the start %g (--t0)",
                       tend, sp->t0);
  double dt = sp->dt > 0 ? sp->dt : nice_dt(tend - sp->t0);
  if ((tend - sp->t0) / dt > 1e8)
    return ims_err_set(err, IMS_EINPUT,
                       "--dt %g: %.3g rows from %g to %g is too many; use a larger --dt", dt,
                       (tend - sp->t0) / dt, sp->t0, tend);
  int rc = ims_grid_uniform(sp->t0, tend, dt, &r->tout, &r->ntout, err);
  return rc || sp->dt > 0 ? rc : add_dose_times(r, dt, err);
}

/* ---- solver options, rules, extinction ---- */

static int split_assign(const char *arg, char *name, size_t n, const char **value)
{
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg || (size_t)(eq - arg) >= n)
    return -1;
  memcpy(name, arg, (size_t)(eq - arg));
  name[eq - arg] = '\0';
  *value = eq + 1;
  return 0;
}

static int state_arg(const ims_model_t *m, const char *opt, const char *arg, int *idx, double *v,
                     ims_err_t *err)
{
  char name[128];
  const char *val;
  if (split_assign(arg, name, sizeof name, &val) != 0)
    return ims_err_set(err, IMS_EINPUT, "%s %s: expected STATE=VALUE", opt, arg);
  *idx = ims_model_state_index(m, name);
  if (*idx < 0)
    return ims_err_set(err, IMS_EINPUT,
                       "%s %s: unknown state '%s' in model %s ('immunosim info %s' lists them)",
                       opt, arg, name, m->name, m->name);
  if (ims_table_double(val, v) != 0 || *v < 0)
    return ims_err_set(err, IMS_EINPUT, "%s %s: '%s' is not a non-negative number", opt, arg, val);
  return IMS_OK;
}

static int make_opts(ims_run_t *r, ims_err_t *err)
{
  const ims_run_spec_t *sp = &r->spec;
  ims_opts_t *o = &r->opts;
  ims_opts_default(o);
  o->t0 = sp->t0;
  o->method = sp->method;
  o->rtol = sp->rtol;
  o->atol = sp->atol;
  o->use_jac = !sp->no_jac;
  o->init_step = sp->init_step;
  o->max_steps = sp->max_steps;
  /* the library's one rule for solver settings (the command line checked the
   * scalar ones up front under its option names) */
  ims_err_t e2;
  if (ims_opts_validate(o, r->m, &e2) != IMS_OK)
    return ims_err_set(err, IMS_EINPUT, "%s", e2.msg);
  int n = r->m->nstates;
  if (sp->natols) {
    r->atol_vec = malloc((size_t)n * sizeof *r->atol_vec);
    if (!r->atol_vec)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++)
      r->atol_vec[i] = sp->atol;
    for (int i = 0; i < sp->natols; i++) {
      int k;
      double v;
      int rc = state_arg(r->m, "--atol", sp->atols[i], &k, &v, err);
      if (rc)
        return rc;
      r->atol_vec[k] = v;
      o->atol_vec = r->atol_vec;
      if (ims_opts_validate(o, r->m, &e2) != IMS_OK) {
        const char *why = strstr(e2.msg, ": ");
        return ims_err_set(err, IMS_EINPUT, "--atol %s: %s", sp->atols[i], why ? why + 2 : e2.msg);
      }
    }
  }
  if (sp->rules) {
    char path[8192];
    int rc = ims_data_resolve(sp->datadir, IMS_DATA_RULES, r->m, "-r", sp->rules, path, sizeof path,
                              err);
    rc = rc ? rc : ims_rules_alloc(&r->rules, err);
    rc = rc ? rc : ims_rules_read(r->rules, r->m, r->units, path, err);
    if (rc)
      return rc;
  }
  int nrules = r->rules ? r->rules->n : 0;
  r->triggers = calloc((size_t)(sp->nextinct + n + nrules) + 1, sizeof *r->triggers);
  if (!r->triggers)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!sp->no_extinct) /* the paper's own rule, unless switched off */
    r->ntriggers = ims_model_extinction(r->m, r->triggers, n);
  for (int i = 0; i < sp->nextinct; i++) {
    int k;
    double v;
    int rc = state_arg(r->m, "--extinct", sp->extinct[i], &k, &v, err);
    if (rc)
      return rc;
    r->triggers[r->ntriggers++] = (ims_trigger_t){.name = "extinction",
                                                  .var = k,
                                                  .threshold = v,
                                                  .dir = -1,
                                                  .act = IMS_ACT_ZERO,
                                                  .target = k};
  }
  for (int i = 0; i < nrules; i++)
    r->triggers[r->ntriggers++] = r->rules->tr[i];
  r->nbase = r->ntriggers;
  o->triggers = r->triggers;
  o->ntriggers = r->ntriggers;
  return IMS_OK;
}

static int make_columns(ims_run_t *r, ims_err_t *err)
{
  const ims_model_t *m = r->m;
  const ims_run_spec_t *sp = &r->spec;
  int nc = 1 + m->nstates + m->noutputs;
  r->ncols = nc;
  r->colnames = calloc((size_t)nc, sizeof *r->colnames);
  r->colunits = calloc((size_t)nc, sizeof *r->colunits);
  r->colscale = calloc((size_t)nc, sizeof *r->colscale);
  r->coloffset = calloc((size_t)nc, sizeof *r->coloffset);
  if (!r->colnames || !r->colunits || !r->colscale || !r->coloffset)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  r->colnames[0] = "time";
  r->colunits[0] = m->time_unit;
  for (int i = 0; i < m->nstates; i++) {
    r->colnames[1 + i] = m->states[i].name;
    r->colunits[1 + i] = m->states[i].unit;
  }
  for (int i = 0; i < m->noutputs; i++) {
    r->colnames[1 + m->nstates + i] = m->outputs[i].name;
    r->colunits[1 + m->nstates + i] = m->outputs[i].unit;
  }
  for (int i = 0; i < nc; i++)
    r->colscale[i] = 1.0;
  for (int i = 0; i < sp->nunits; i++) {
    char name[128];
    const char *unit;
    if (split_assign(sp->units[i], name, sizeof name, &unit) != 0)
      return ims_err_set(err, IMS_EINPUT, "--units %s: expected COLUMN=UNIT, e.g. C1=pg/mL",
                         sp->units[i]);
    int k = ims_run_column(r, name);
    if (k < 0)
      return ims_err_set(err, IMS_EINPUT,
                         "--units %s: no column '%s' in model %s ('immunosim info %s --columns')",
                         sp->units[i], name, m->name, m->name);
    ims_err_t e2;
    if (ims_units_factor(r->units, r->colunits[1 + k], unit, &r->colscale[1 + k],
                         &r->coloffset[1 + k], &e2) != IMS_OK)
      return ims_err_set(err, IMS_EINPUT, "--units %s: %s", sp->units[i], e2.msg);
    r->colunits[1 + k] = unit;
  }
  return IMS_OK;
}

/* Runs that look like a mistake but are not errors. */
static void add_notes(ims_run_t *r)
{
  const ims_model_t *m = r->m;
  int warned = -1;
  for (int i = 0; i < r->sched->nrec; i++) { /* a dose per kg with nobody's weight */
    int k = r->sched->rec[i].cov - 1;
    if (k < 0 || k == warned || r->params->given[k])
      continue;
    char what[160];
    snprintf(what, sizeof what, "%s = %g %s", m->params[k].name, r->params->value[k],
             m->params[k].unit);
    note(r,
         "the schedule's doses per %s use %s, the model's default (no -p file or --set gives "
         "it); give the subject's value with --set",
         m->params[k].unit, what);
    warned = k;
  }
  if (r->sched->nrec)
    return;
  for (int i = 0; i < m->nstates; i++)
    if (r->params->value[m->nparams + i] != 0)
      return;
  note(r,
       "no schedule: nothing is dosed and every initial value is 0, so %s stays at rest; "
       "dose with -s ('immunosim info %s' lists the schedules that dose it)",
       m->name, m->name);
}

int ims_run_alloc(ims_run_t **out, const ims_run_spec_t *spec, ims_err_t *err)
{
  *out = NULL;
  if (!spec->model)
    return ims_err_set(err, IMS_EINPUT, "no model");
  ims_run_t *r = calloc(1, sizeof *r);
  if (!r)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  r->spec = *spec;
  r->m = spec->model;
  int rc = ims_units_alloc(&r->units, err);
  rc = rc ? rc : load_params(r, err);
  rc = rc ? rc : ims_schedule_alloc(&r->sched, err);
  if (!rc && spec->schedule) {
    char path[8192];
    rc = ims_data_resolve(spec->datadir, IMS_DATA_SCHEDULES, r->m, "-s", spec->schedule, path,
                          sizeof path, err);
    rc = rc ? rc : ims_schedule_read(r->sched, r->m, r->units, path, err);
  }
  rc = rc ? rc : make_times(r, err);
  rc = rc ? rc : make_opts(r, err);
  rc = rc ? rc : make_columns(r, err);
  if (rc) {
    ims_run_free(r);
    return rc;
  }
  add_notes(r);
  *out = r;
  return IMS_OK;
}

void ims_run_free(ims_run_t *r)
{
  if (!r)
    return;
  ims_params_free(r->params);
  ims_schedule_free(r->sched);
  ims_units_free(r->units);
  free(r->tout);
  free(r->atol_vec);
  free(r->triggers);
  ims_rules_free(r->rules);
  free(r->colnames);
  free(r->colunits);
  free(r->colscale);
  free(r->coloffset);
  free(r);
}

int ims_run_column(const ims_run_t *r, const char *name)
{
  for (int c = 1; c < r->ncols; c++)
    if (!strcmp(r->colnames[c], name))
      return c - 1;
  return -1;
}

const char *ims_run_value_name(const ims_run_t *r, int k, char *buf, size_t n)
{
  const ims_model_t *m = r->m;
  if (k < m->nparams)
    return m->params[k].name;
  snprintf(buf, n, "%s_0", m->states[k - m->nparams].name);
  return buf;
}

const char *ims_run_value_unit(const ims_run_t *r, int k)
{
  const ims_model_t *m = r->m;
  return k < m->nparams ? m->params[k].unit : m->states[k - m->nparams].unit;
}

void ims_run_write_meta(ims_output_t *o, const ims_run_t *r)
{
  const ims_model_t *m = r->m;
  const ims_run_spec_t *sp = &r->spec;
  ims_output_comment(o, "immunosim %s", IMS_VERSION);
  ims_output_comment(o, "model: %s (%s)", m->name, m->title);
  ims_output_comment(o, "citation: %s", m->citation);
  if (m->source)
    ims_output_comment(o, "model-file: %s fnv1a64=%s", m->source,
                       m->source_hash ? m->source_hash : "");
  for (int i = 0; i < r->params->nfiles; i++)
    ims_output_comment(o, "params: %s fnv1a64=%s", r->params->files[i], r->params->checksums[i]);
  for (int i = 0; i < sp->nsets; i++) { /* with the value as read: CL=3 mL/h -> 0.072 L/d */
    char echo[600];
    ims_params_echo(r->params, sp->sets[i], echo, sizeof echo);
    ims_output_comment(o, "set: %s", echo);
  }
  if (r->sched->path)
    ims_output_comment(o, "schedule: %s", r->sched->path);
  else
    ims_output_comment(o, "schedule: none (nothing is dosed)");
  if (r->rules)
    ims_output_comment(o, "rules: %s (%d)", r->rules->path, r->rules->n);
  ims_output_comment(o, "solver: CVODES %s, rtol=%g, atol=%g%s%s", sp->method ? "Adams" : "BDF",
                     sp->rtol, sp->atol, sp->natols ? " (per-state overrides)" : "",
                     (m->jac && !sp->no_jac) ? ", analytic Jacobian" : ", difference Jacobian");
  if (m->extinct_floor > 0 && !sp->no_extinct)
    ims_output_comment(o,
                       "extinction: every state below %g is set to 0 (the paper's rule; "
                       "--no-extinct disables)",
                       m->extinct_floor);
  for (int i = 0; i < sp->nextinct; i++)
    ims_output_comment(o, "extinction: %s (a state falling below the floor is set to 0)",
                       sp->extinct[i]);
  /* Expanded doses, so figures can mark them without the schedule file. */
  ims_event_t *ev = NULL;
  long nev = 0;
  ims_err_t e2;
  char a[IMS_NUMBUF], b[IMS_NUMBUF];
  if (r->sched->nid > 1)
    ims_output_comment(o, "doses: per subject (%d IDs in the schedule)", r->sched->nid);
  else if (r->sched->nrec && ims_schedule_expand(r->sched, &ev, &nev, &e2) == 0) {
    for (long i = 0; i < nev && i < 10000; i++) {
      if (ev[i].kind == IMS_EV_RESET) {
        ims_output_comment(o, "reset: t=%s (every state to its initial value)",
                           ims_fmt_num(a, ev[i].time));
        continue;
      }
      const char *cmt = m->states[ev[i].cmt].name, *unit = m->states[ev[i].cmt].unit;
      ims_fmt_num(a, ev[i].time);
      /* a dose per kg or m2 as given to the run's subject */
      ims_fmt_num(b, ims_event_value(&ev[i], r->params->value));
      if (ev[i].kind == IMS_EV_BOLUS)
        ims_output_comment(o, "dose: t=%s cmt=%s bolus=%s %s", a, cmt, b, unit);
      else if (ev[i].kind == IMS_EV_INF_ON)
        ims_output_comment(o, "dose: t=%s cmt=%s infusion rate=%s %s/%s", a, cmt, b, unit,
                           m->time_unit);
      else
        ims_output_comment(o, "dose: t=%s cmt=%s infusion end", a, cmt);
    }
    free(ev);
  }
}

/* ---- the simulation ---- */

typedef struct sim_ud {
  ims_run_t *r;
  ims_run_sinks_t *k;
  double *row;
  const ims_output_t *bad; /* the output a write failed on */
} sim_ud_t;

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  sim_ud_t *u = ud;
  const ims_run_t *r = u->r;
  if (u->k->progress)
    u->k->progress(u->k->progress_ud, t - r->opts.t0, r->tout[r->ntout - 1] - r->opts.t0);
  if (u->k->report)
    ims_metrics_row(u->k->report->mt, t, y, out, q);
  if (!u->k->out)
    return 0;
  int ns = r->m->nstates;
  u->row[0] = t;
  memcpy(u->row + 1, y, (size_t)ns * sizeof *y);
  memcpy(u->row + 1 + ns, out, (size_t)r->m->noutputs * sizeof *out);
  for (int i = 1; i < r->ncols; i++)
    u->row[i] = r->colscale[i] * u->row[i] + r->coloffset[i];
  if (ims_output_row(u->k->out, u->row, r->ncols) == 0)
    return 0;
  u->bad = u->k->out;
  return IMS_EIO;
}

static int on_sample(void *ud, double t, int kind, const double *y, const double *out,
                     const double *q)
{
  sim_ud_t *u = ud;
  if (u->k->report)
    ims_metrics_sample(u->k->report->mt, t, kind, y, out, q);
  return 0;
}

static int on_event(void *ud, const ims_logged_t *ev)
{
  sim_ud_t *u = ud;
  const ims_run_t *r = u->r;
  if (ev->trigger >= r->nbase) {
    return u->k->report ? ims_metrics_event(u->k->report->mt, ev) : 0;
  }
  const ims_trigger_t *tr = &r->opts.triggers[ev->trigger];
  char what[256], status[64], nt[IMS_NUMBUF], nv[IMS_NUMBUF];
  ims_trigger_describe(r->m, tr, what, sizeof what);
  int c = 1 + tr->var;
  double v = r->colscale[c] * ev->value + r->coloffset[c];
  if (!ev->applied)
    snprintf(status, sizeof status, "scheduled for t=%s", ims_fmt_num(nt, ev->t + tr->delay));
  else
    snprintf(status, sizeof status, "%s", ev->dir ? "applied" : "applied after the delay");
  if (tr->act == IMS_ACT_NONE)
    snprintf(status, sizeof status, "%s", ev->dir > 0 ? "crossed up" : "crossed down");
  if (tr->act == IMS_ACT_STOP && ev->applied) {
    u->k->stopped = 1;
    u->k->tstop = ev->t;
  }
  if (u->k->out &&
      ims_output_comment(u->k->out, "event: t=%.10g rule=%s %s=%.6g %s: %s (%s)", ev->t, tr->name,
                         r->colnames[c], v, r->colunits[c], what, status)) {
    u->bad = u->k->out;
    return IMS_EIO;
  }
  if (u->k->events && ims_output_line(u->k->events, "%s,%s,%s,%s,%s,%s", ims_fmt_num(nt, ev->t),
                                      tr->name, r->colnames[c], ims_fmt_num(nv, v), what, status)) {
    u->bad = u->k->events;
    return IMS_EIO;
  }
  return 0;
}

int ims_run_events_header(ims_output_t *o)
{
  return ims_output_line(o, "time,rule,variable,value,action,status");
}

int ims_run_simulate(ims_run_t *r, ims_sim_t *sim, const double *p, ims_run_sinks_t *k,
                     ims_err_t *err)
{
  sim_ud_t u = {r, k, malloc((size_t)r->ncols * sizeof(double)), NULL};
  if (!u.row)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  k->stopped = 0;
  k->tstop = NAN;
  if (k->report)
    ims_report_begin(k->report, r, p);
  ims_observer_t obs = {.row = on_row, .event = on_event, .sample = on_sample, .ud = &u};
  int rc = ims_sim_run(sim, p, r->sched, &r->opts, r->tout, r->ntout, &obs, err);
  if (rc == IMS_ESTOP) {
    k->stopped = 1;
    rc = IMS_OK;
  }
  if (u.bad)
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write the output", ims_output_name(u.bad));
  if (k->report)
    ims_metrics_end(k->report->mt);
  free(u.row);
  return rc;
}

/* ---- the run command ---- */

/* The lists of extrema and crossings, written as the run finds them. */
typedef struct lists {
  const ims_run_t *r;
  const ims_report_t *rp;
  ims_output_t *ext, *cross;
  const ims_output_t *bad; /* the list a write failed on */
} lists_t;

static int on_extremum(void *ud, int col, double t, double v, int kind)
{
  lists_t *l = ud;
  const ims_run_t *r = l->r;
  char nt[IMS_NUMBUF], nv[IMS_NUMBUF];
  if (!l->ext)
    return 0;
  v = r->colscale[1 + col] * v + r->coloffset[1 + col];
  if (!ims_output_line(l->ext, "%s,%s,%s,%s,%s", r->colnames[1 + col], kind > 0 ? "max" : "min",
                       ims_fmt_num(nt, t), ims_fmt_num(nv, v), r->colunits[1 + col]))
    return 0;
  l->bad = l->ext;
  return IMS_EIO;
}

static int on_crossing(void *ud, int th, double t, int dir)
{
  lists_t *l = ud;
  const ims_run_t *r = l->r;
  char nt[IMS_NUMBUF], nv[IMS_NUMBUF];
  if (!l->cross)
    return 0;
  int col = l->rp->th[th].col;
  double v = r->colscale[1 + col] * l->rp->th[th].value + r->coloffset[1 + col];
  if (!ims_output_line(l->cross, "%s,%s,%s,%s,%s", r->colnames[1 + col], ims_fmt_num(nv, v),
                       r->colunits[1 + col], ims_fmt_num(nt, t), dir > 0 ? "up" : "down"))
    return 0;
  l->bad = l->cross;
  return IMS_EIO;
}

/* The '#' lines and the header of a list. */
static void list_head(ims_output_t *o, const ims_run_t *r, const char *what, const char *header)
{
  ims_output_comment(o, "immunosim %s %s: model %s", IMS_VERSION, what, r->m->name);
  if (r->m->source)
    ims_output_comment(o, "model-file: %s fnv1a64=%s", r->m->source,
                       r->m->source_hash ? r->m->source_hash : "");
  if (r->sched->path)
    ims_output_comment(o, "schedule: %s", r->sched->path);
  for (int i = 0; i < r->params->nfiles; i++)
    ims_output_comment(o, "params: %s fnv1a64=%s", r->params->files[i], r->params->checksums[i]);
  for (int i = 0; i < r->spec.nsets; i++)
    ims_output_comment(o, "set: %s", r->spec.sets[i]);
  ims_output_comment(o, "time in %s", r->m->time_unit);
  ims_output_line(o, "%s", header);
}

int ims_run_write(ims_run_t *r, ims_outset_t *g, ims_run_out_t *o, ims_err_t *err)
{
  ims_output_t *out = NULL, *events = NULL, *mout = NULL, *eout = NULL, *cout = NULL;
  ims_sim_t *sim = NULL;
  static const ims_metrics_spec_t none = {0};
  const ims_metrics_spec_t *ms = o->mspec                                   ? o->mspec
                                 : o->metrics || o->extrema || o->crossings ? &none
                                                                            : NULL;
  int meta = o->format & IMS_OUT_NO_META;
  int rc = IMS_OK;
  if (ms) {
    o->report = calloc(1, sizeof *o->report);
    rc = o->report ? ims_report_init(o->report, r, ms, err)
                   : ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  if (!rc && o->table)
    rc = ims_outset_open(g, &out, o->table, o->format, err);
  if (!rc && o->events)
    rc = ims_outset_open(g, &events, o->events, IMS_FMT_CSV | meta, err);
  if (!rc && o->metrics)
    rc = ims_outset_open(g, &mout, o->metrics, IMS_FMT_CSV | meta, err);
  if (!rc && o->crossings && !o->report->nth)
    rc = ims_err_set(err, IMS_EINPUT,
                     "%s: crossings of what? give a threshold (--threshold COL=VALUE)",
                     o->crossings);
  if (!rc && o->extrema)
    rc = ims_outset_open(g, &eout, o->extrema, IMS_FMT_CSV | meta, err);
  if (!rc && o->crossings)
    rc = ims_outset_open(g, &cout, o->crossings, IMS_FMT_CSV | meta, err);
  rc = rc ? rc : ims_sim_alloc(&sim, r->m, err);
  if (rc) {
    ims_sim_free(sim);
    return rc;
  }
  if (out) {
    ims_run_write_meta(out, r);
    ims_output_header(out, r->ncols, r->colnames, r->colunits);
  }
  if (events)
    ims_run_events_header(events);
  lists_t lists = {r, o->report, eout, cout, NULL};
  if (eout)
    list_head(eout, r, "local extrema (root finding; jumps at doses are not extrema)",
              "column,kind,time,value,unit");
  if (cout)
    list_head(cout, r, "threshold crossings", "column,threshold,unit,time,direction");
  if (eout || cout) {
    ims_metrics_listener_t lis = {on_extremum, on_crossing, &lists};
    ims_metrics_listen(o->report->mt, &lis);
  }
  ims_run_sinks_t k = {.out = out,
                       .events = events,
                       .report = o->report,
                       .progress = o->progress,
                       .progress_ud = o->progress_ud};
  rc = ims_run_simulate(r, sim, r->params->value, &k, err);
  if (eout || cout)
    ims_metrics_listen(o->report->mt, NULL);
  if (lists.bad)
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write the output", ims_output_name(lists.bad));
  o->stopped = k.stopped;
  o->stats = *ims_sim_stats(sim);
  if (!rc && k.stopped && out)
    ims_output_comment(out, "stopped by a rule");
  if (!rc && mout && ims_report_write(mout, o->report, r))
    rc = ims_err_set(err, IMS_EIO, "%s: cannot write the metrics", ims_output_name(mout));
  ims_sim_free(sim);
  return rc;
}

void ims_run_out_free(ims_run_out_t *o)
{
  if (o->report) {
    ims_report_free(o->report);
    free(o->report);
  }
  o->report = NULL;
}
