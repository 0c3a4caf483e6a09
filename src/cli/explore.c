/* Metrics tables, event logs and the one simulation loop shared by run,
 * compare and sweep. */
#include "cli.h"
#include "csvread.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- columns, windows, thresholds ---------------------------------- */

static int ncolumns(const cli_setup_t *s)
{
  return s->m->nstates + s->m->noutputs;
}

static int find_col(const cli_setup_t *s, const char *name)
{
  for (int c = 0; c < ncolumns(s); c++)
    if (!strcmp(s->colnames[1 + c], name))
      return c;
  return -1;
}

static int parse_cols(cli_metrics_t *cm, const cli_setup_t *s, const char *list, ims_err_t *err)
{
  int nc = ncolumns(s);
  cm->nsel = 0;
  if (!list) {
    for (int c = 0; c < nc && c < 256; c++)
      cm->sel[cm->nsel++] = c;
    return IMS_OK;
  }
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", list);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    int c = find_col(s, tok);
    if (c < 0)
      return ims_err_set(err, IMS_EINPUT, "--cols %s: no column '%s' in model %s", list, tok,
                         s->m->name);
    if (cm->nsel < 256)
      cm->sel[cm->nsel++] = c;
  }
  return IMS_OK;
}

static int parse_threshold(cli_metrics_t *cm, const cli_setup_t *s, const char *arg, ims_err_t *err)
{
  const char *eq = strchr(arg, '=');
  char name[128], unit[128];
  if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name)
    return ims_err_set(err, IMS_EINPUT,
                       "--threshold %s: expected COLUMN=VALUE[UNIT], e.g. "
                       "--threshold IL6=1000pg/mL",
                       arg);
  memcpy(name, arg, (size_t)(eq - arg));
  name[eq - arg] = '\0';
  int c = find_col(s, name);
  if (c < 0)
    return ims_err_set(err, IMS_EINPUT, "--threshold %s: no column '%s' in model %s", arg, name,
                       s->m->name);
  double v;
  if (ims_parse_value_unit(eq + 1, &v, unit, sizeof unit) != 0)
    return ims_err_set(err, IMS_EINPUT,
                       "--threshold %s: '%s' is not a number with an optional "
                       "unit",
                       arg, eq + 1);
  /* a bare number is in the column's display unit (--units), else converted */
  const char *canon =
      c < s->m->nstates ? s->m->states[c].unit : s->m->outputs[c - s->m->nstates].unit;
  ims_err_t e2;
  if (unit[0] && ims_units_convert(s->units, unit, canon, &v, &e2) != IMS_OK)
    return ims_err_set(err, IMS_EINPUT, "--threshold %s: %s", arg, e2.msg);
  if (!unit[0])
    v = (v - s->coloffset[1 + c]) / s->colscale[1 + c];
  cm->th[cm->nth].col = c;
  cm->th[cm->nth++].value = v;
  return IMS_OK;
}

static double tend_of(const cli_setup_t *s)
{
  return s->tout[s->ntout - 1];
}

static int parse_windows(cli_metrics_t *cm, const cli_setup_t *s, const cli_run_args_t *a,
                         int allow_doses, ims_err_t *err)
{
  double t0 = s->opts.t0, tend = tend_of(s);
  int rc = IMS_OK;
  if (a->nwindows == 0) {
    rc = ims_windows_from_schedule(s->sched, t0, tend, IMS_WIN_ALL | IMS_WIN_LAST, &cm->w, &cm->nw,
                                   err);
    return rc;
  }
  for (int i = 0; !rc && i < a->nwindows; i++) {
    const char *v = a->windows[i];
    if (!strcmp(v, "all"))
      rc = ims_windows_from_schedule(s->sched, t0, tend, IMS_WIN_ALL, &cm->w, &cm->nw, err);
    else if (!strcmp(v, "last"))
      rc = ims_windows_from_schedule(s->sched, t0, tend, IMS_WIN_LAST, &cm->w, &cm->nw, err);
    else if (!strcmp(v, "doses")) {
      if (!allow_doses)
        return ims_err_set(err, IMS_EINPUT,
                           "--window doses: dosing intervals differ between "
                           "schedules; compare all, last or a:b windows");
      rc = ims_windows_from_schedule(s->sched, t0, tend, IMS_WIN_DOSES, &cm->w, &cm->nw, err);
    } else {
      const char *colon = strchr(v, ':');
      char lo[64];
      double x, y;
      if (!colon || (size_t)(colon - v) >= sizeof lo)
        return ims_err_set(err, IMS_EINPUT,
                           "--window %s: expected all, doses, last or START:END, e.g. 0:21", v);
      memcpy(lo, v, (size_t)(colon - v));
      lo[colon - v] = '\0';
      if (ims__parse_double(lo, &x) || ims__parse_double(colon + 1, &y) || !(y > x))
        return ims_err_set(err, IMS_EINPUT,
                           "--window %s: START:END must be numbers with END > "
                           "START (model time unit)",
                           v);
      if (x < t0 || y > tend)
        return ims_err_set(err, IMS_EINPUT, "--window %s: outside the run [%g, %g]; use -t", v, t0,
                           tend);
      ims_window_t *nw = realloc(cm->w, (size_t)(cm->nw + 1) * sizeof *nw);
      if (!nw)
        return ims_err_set(err, IMS_ENOMEM, "out of memory");
      cm->w = nw;
      nw[cm->nw].a = x;
      nw[cm->nw].b = y;
      snprintf(nw[cm->nw].label, sizeof nw[cm->nw].label, "%g:%g", x, y);
      cm->nw++;
    }
  }
  if (!rc && cm->nw == 0)
    return ims_err_set(err, IMS_EINPUT,
                       "--window: no window left (the schedule has no complete "
                       "dosing interval for 'last'); use all or START:END");
  return rc;
}

int cli_metrics_init(cli_metrics_t *cm, cli_setup_t *s, const cli_run_args_t *a, int allow_doses,
                     ims_err_t *err)
{
  memset(cm, 0, sizeof *cm);
  int rc = parse_cols(cm, s, a->cols, err);
  for (int i = 0; !rc && i < a->nthresholds; i++)
    rc = parse_threshold(cm, s, a->thresholds[i], err);
  rc = rc ? rc : parse_windows(cm, s, a, allow_doses, err);
  rc = rc ? rc : ims_metrics_alloc(&cm->mt, s->m, cm->w, cm->nw, cm->th, cm->nth, 0, err);
  if (rc)
    return rc;
  int max = ims_metrics_max_triggers(cm->mt);
  ims_trigger_t *tr = realloc(s->triggers, (size_t)(s->nbase + max + 1) * sizeof *tr);
  if (!tr)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->triggers = tr;
  s->opts.quad = 1;
  s->opts.samples = ims_metrics_times(cm->mt, &s->opts.nsamples);
  cli_metrics_begin(cm, s, s->params->value);
  return IMS_OK;
}

void cli_metrics_begin(cli_metrics_t *cm, cli_setup_t *s, const double *p)
{
  int n = ims_metrics_begin(cm->mt, p, s->opts.t0, s->triggers + s->nbase, s->nbase);
  s->ntriggers = s->nbase + n;
  s->opts.triggers = s->triggers;
  s->opts.ntriggers = s->ntriggers;
}

void cli_metrics_free(cli_metrics_t *cm)
{
  ims_metrics_free(cm->mt);
  free(cm->w);
  memset(cm, 0, sizeof *cm);
}

double cli_metric(const cli_metrics_t *cm, const cli_setup_t *s, int w, int col, int k)
{
  double v = ims_metrics_value(cm->mt, w, col, k);
  switch (ims_metric_unit(k)) {
  case IMS_MU_COLUMN:
    return s->colscale[1 + col] * v + s->coloffset[1 + col];
  case IMS_MU_AUC:
    return s->colscale[1 + col] * v;
  default:
    return v;
  }
}

double cli_tmetric(const cli_metrics_t *cm, int w, int th, int k)
{
  return ims_metrics_tvalue(cm->mt, w, th, k);
}

void cli_metric_unit(const cli_setup_t *s, int col, int kind, char *buf, size_t n)
{
  const char *cu = s->colunits[1 + col], *tu = s->m->time_unit;
  switch (kind) {
  case IMS_MU_COLUMN:
    snprintf(buf, n, "%s", cu);
    break;
  case IMS_MU_TIME:
    snprintf(buf, n, "%s", tu);
    break;
  case IMS_MU_AUC:
    if (!strcmp(cu, "1"))
      snprintf(buf, n, "%s", tu);
    else
      snprintf(buf, n, "%s*%s", tu, cu);
    break;
  default:
    snprintf(buf, n, "1");
  }
}

void cli_threshold_label(const cli_metrics_t *cm, const cli_setup_t *s, int th, char *buf, size_t n)
{
  int c = cm->th[th].col;
  double v = s->colscale[1 + c] * cm->th[th].value + s->coloffset[1 + c];
  snprintf(buf, n, "%s>%.6g %s", s->colnames[1 + c], v, s->colunits[1 + c]);
}

/* ---- printing -------------------------------------------------------- */

void cli_table_print(FILE *fp, char (*cells)[48], int nrow, int ncol)
{
  int width[64] = {0};
  for (int r = 0; r < nrow; r++)
    for (int c = 0; c < ncol && c < 64; c++) {
      int l = (int)strlen(cells[r * ncol + c]);
      width[c] = l > width[c] ? l : width[c];
    }
  for (int r = 0; r < nrow; r++) {
    for (int c = 0; c < ncol && c < 64; c++)
      fprintf(fp, c ? "  %*s" : "%-*s", width[c], cells[r * ncol + c]);
    fputc('\n', fp);
  }
}

static void num(char *buf, double v)
{
  if (isnan(v))
    snprintf(buf, 48, "-");
  else
    snprintf(buf, 48, "%.6g", v);
}

void cli_metrics_print(FILE *fp, const cli_metrics_t *cm, const cli_setup_t *s)
{
  int ncol = 5 + IMS_M_COUNT, nrow = 1 + cm->nw * cm->nsel;
  char(*cells)[48] = calloc((size_t)ncol * (size_t)(nrow + 1), sizeof *cells);
  if (!cells)
    return;
  const char *head[5] = {"window", "start", "end", "column", "unit"};
  for (int c = 0; c < 5; c++)
    snprintf(cells[c], 48, "%s", head[c]);
  for (int k = 0; k < IMS_M_COUNT; k++)
    snprintf(cells[5 + k], 48, "%s", ims_metric_name(k));
  int r = 1;
  for (int w = 0; w < cm->nw; w++)
    for (int j = 0; j < cm->nsel; j++, r++) {
      int col = cm->sel[j];
      char(*row)[48] = cells + r * ncol;
      snprintf(row[0], 48, "%s%s", cm->w[w].label, ims_metrics_complete(cm->mt, w) ? "" : "*");
      num(row[1], cm->w[w].a);
      num(row[2], cm->w[w].b);
      snprintf(row[3], 48, "%s", s->colnames[1 + col]);
      snprintf(row[4], 48, "%s", s->colunits[1 + col]);
      for (int k = 0; k < IMS_M_COUNT; k++)
        num(row[5 + k], cli_metric(cm, s, w, col, k));
    }
  fprintf(fp,
          "times in %s; auc in %s*unit; trough = value at the window end before any dose "
          "there\n",
          s->m->time_unit, s->m->time_unit);
  cli_table_print(fp, cells, nrow, ncol);
  free(cells);
  for (int w = 0; w < cm->nw; w++)
    if (!ims_metrics_complete(cm->mt, w)) {
      fprintf(fp, "* the run ended before this window did\n");
      break;
    }
  if (!cm->nth)
    return;
  ncol = 4 + IMS_T_COUNT;
  nrow = 1 + cm->nw * cm->nth;
  cells = calloc((size_t)ncol * (size_t)(nrow + 1), sizeof *cells);
  if (!cells)
    return;
  const char *th_head[4] = {"window", "start", "end", "threshold"};
  for (int c = 0; c < 4; c++)
    snprintf(cells[c], 48, "%s", th_head[c]);
  for (int k = 0; k < IMS_T_COUNT; k++)
    snprintf(cells[4 + k], 48, "%s", ims_tmetric_name(k));
  r = 1;
  for (int w = 0; w < cm->nw; w++)
    for (int j = 0; j < cm->nth; j++, r++) {
      char(*row)[48] = cells + r * ncol;
      snprintf(row[0], 48, "%s", cm->w[w].label);
      num(row[1], cm->w[w].a);
      num(row[2], cm->w[w].b);
      cli_threshold_label(cm, s, j, row[3], 48);
      for (int k = 0; k < IMS_T_COUNT; k++)
        num(row[4 + k], cli_tmetric(cm, w, j, k));
    }
  fputc('\n', fp);
  cli_table_print(fp, cells, nrow, ncol);
  free(cells);
}

int cli_metrics_write(const char *path, const cli_metrics_t *cm, const cli_setup_t *s,
                      const cli_run_args_t *a, ims_err_t *err)
{
  ims_output_t *o;
  int rc = ims_output_open(&o, path, IMS_FMT_CSV, err);
  if (rc)
    return rc;
  ims_output_comment(o, "immunosim %s metrics: model %s", IMS_VERSION, s->m->name);
  if (s->m->source)
    ims_output_comment(o, "model-file: %s fnv1a64=%s", s->m->source,
                       s->m->source_hash ? s->m->source_hash : "");
  if (s->sched && s->sched->path)
    ims_output_comment(o, "schedule: %s", s->sched->path);
  for (int i = 0; i < s->params->nfiles; i++)
    ims_output_comment(o, "params: %s fnv1a64=%s", s->params->files[i], s->params->checksums[i]);
  for (int i = 0; i < a->nsets; i++)
    ims_output_comment(o, "set: %s", a->sets[i]);
  ims_output_comment(o, "complete = 0: the run ended before the window did");
  ims_output_line(o, "window,start,end,complete,column,threshold,metric,value,unit");
  char unit[160], lab[96];
  for (int w = 0; w < cm->nw; w++) {
    int comp = ims_metrics_complete(cm->mt, w);
    for (int j = 0; j < cm->nsel; j++) {
      int col = cm->sel[j];
      for (int k = 0; k < IMS_M_COUNT; k++) {
        cli_metric_unit(s, col, ims_metric_unit(k), unit, sizeof unit);
        char nb[32];
        ims_output_line(o, "%s,%.10g,%.10g,%d,%s,,%s,%s,%s", cm->w[w].label, cm->w[w].a, cm->w[w].b,
                        comp, s->colnames[1 + col], ims_metric_name(k),
                        cli_num(nb, cli_metric(cm, s, w, col, k)), unit);
      }
    }
    for (int j = 0; j < cm->nth; j++) {
      int col = cm->th[j].col;
      cli_threshold_label(cm, s, j, lab, sizeof lab);
      const char *gt = strchr(lab, '>');
      for (int k = 0; k < IMS_T_COUNT; k++) {
        cli_metric_unit(s, col, ims_tmetric_unit(k), unit, sizeof unit);
        char nb[32];
        ims_output_line(o, "%s,%.10g,%.10g,%d,%s,%s,%s,%s,%s", cm->w[w].label, cm->w[w].a,
                        cm->w[w].b, comp, s->colnames[1 + col], gt ? gt + 1 : lab,
                        ims_tmetric_name(k), cli_num(nb, cli_tmetric(cm, w, j, k)), unit);
      }
    }
  }
  return ims_output_commit(o, err);
}

const char *cli_num(char *buf, double v)
{
  if (isnan(v))
    snprintf(buf, 32, "NaN");
  else
    snprintf(buf, 32, "%.10g", v);
  return buf;
}

/* ---- the shared simulation ------------------------------------------- */

typedef struct sim_ud {
  cli_setup_t *s;
  cli_sinks_t *k;
  double *row;
} sim_ud_t;

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  sim_ud_t *u = ud;
  const cli_setup_t *s = u->s;
  if (u->k->progress)
    cli_progress_tick(u->k->progress, t);
  if (u->k->cm)
    ims_metrics_row(u->k->cm->mt, t, y, out, q);
  if (!u->k->out)
    return 0;
  int ns = s->m->nstates;
  u->row[0] = t;
  memcpy(u->row + 1, y, (size_t)ns * sizeof *y);
  memcpy(u->row + 1 + ns, out, (size_t)s->m->noutputs * sizeof *out);
  for (int i = 1; i < s->ncols; i++)
    u->row[i] = s->colscale[i] * u->row[i] + s->coloffset[i];
  return ims_output_row(u->k->out, u->row, s->ncols) ? IMS_EIO : 0;
}

static int on_sample(void *ud, double t, int kind, const double *y, const double *out,
                     const double *q)
{
  sim_ud_t *u = ud;
  if (u->k->cm)
    ims_metrics_sample(u->k->cm->mt, t, kind, y, out, q);
  return 0;
}

static int on_event(void *ud, const ims_logged_t *ev)
{
  sim_ud_t *u = ud;
  const cli_setup_t *s = u->s;
  if (ev->trigger >= s->nbase) {
    if (u->k->cm)
      ims_metrics_event(u->k->cm->mt, ev);
    return 0;
  }
  const ims_trigger_t *tr = &s->opts.triggers[ev->trigger];
  char what[256], status[64];
  ims_trigger_describe(s->m, tr, what, sizeof what);
  int c = 1 + tr->var;
  double v = s->colscale[c] * ev->value + s->coloffset[c];
  if (!ev->applied)
    snprintf(status, sizeof status, "scheduled for t=%.10g", ev->t + tr->delay);
  else
    snprintf(status, sizeof status, "%s", ev->dir ? "applied" : "applied after the delay");
  if (tr->act == IMS_ACT_NONE)
    snprintf(status, sizeof status, "%s", ev->dir > 0 ? "crossed up" : "crossed down");
  if (tr->act == IMS_ACT_STOP && ev->applied) {
    u->k->stopped = 1;
    u->k->tstop = ev->t;
  }
  if (u->k->out)
    ims_output_comment(u->k->out, "event: t=%.10g rule=%s %s=%.6g %s: %s (%s)", ev->t, tr->name,
                       s->colnames[c], v, s->colunits[c], what, status);
  if (u->k->events)
    ims_output_line(u->k->events, "%.15g,%s,%s,%.10g,%s,%s", ev->t, tr->name, s->colnames[c], v,
                    what, status);
  return 0;
}

int cli_events_open(ims_output_t **o, const char *path, ims_err_t *err)
{
  int rc = ims_output_open(o, path, IMS_FMT_CSV, err);
  if (!rc)
    ims_output_line(*o, "time,rule,variable,value,action,status");
  return rc;
}

int cli_simulate(cli_setup_t *s, ims_sim_t *sim, const double *p, cli_sinks_t *k, ims_err_t *err)
{
  sim_ud_t u = {s, k, malloc((size_t)s->ncols * sizeof(double))};
  if (!u.row)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  k->stopped = 0;
  k->tstop = NAN;
  if (k->cm)
    cli_metrics_begin(k->cm, s, p);
  ims_observer_t obs = {.row = on_row, .event = on_event, .sample = on_sample, .ud = &u};
  int rc = ims_sim_run(sim, p, s->sched, &s->opts, s->tout, s->ntout, &obs, err);
  if (rc == IMS_ESTOP) {
    k->stopped = 1;
    rc = IMS_OK;
  }
  if (k->cm)
    ims_metrics_end(k->cm->mt);
  free(u.row);
  return rc;
}
