#include "immunosim/report.h"

#include "immunosim/immunosim.h"
#include "immunosim/table.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- columns, windows, thresholds ---- */

static int parse_cols(ims_report_t *rp, const ims_run_t *r, const char *list, ims_err_t *err)
{
  int nc = r->m->nstates + r->m->noutputs;
  rp->nsel = 0;
  if (!list) {
    for (int c = 0; c < nc && c < 256; c++)
      rp->sel[rp->nsel++] = c;
    return IMS_OK;
  }
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", list);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    int c = ims_run_column(r, tok);
    if (c < 0)
      return ims_err_set(err, IMS_EINPUT,
                         "--cols %s: no column '%s' in model %s ('immunosim info %s --columns')",
                         list, tok, r->m->name, r->m->name);
    if (rp->nsel < 256)
      rp->sel[rp->nsel++] = c;
  }
  return IMS_OK;
}

static int parse_threshold(ims_report_t *rp, const ims_run_t *r, const char *arg, ims_err_t *err)
{
  const char *eq = strchr(arg, '=');
  char name[128], unit[128];
  if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name)
    return ims_err_set(err, IMS_EINPUT,
                       "--threshold %s: expected COLUMN=VALUE[UNIT], e.g. "
                       "--threshold IL6=1000pg/mL",
                       arg);
  if (rp->nth == IMS_REPORT_MAX)
    return ims_err_set(err, IMS_EINPUT, "--threshold: at most %d", IMS_REPORT_MAX);
  memcpy(name, arg, (size_t)(eq - arg));
  name[eq - arg] = '\0';
  int c = ims_run_column(r, name);
  if (c < 0)
    return ims_err_set(err, IMS_EINPUT,
                       "--threshold %s: no column '%s' in model %s ('immunosim info %s --columns')",
                       arg, name, r->m->name, r->m->name);
  double v;
  if (ims_parse_value_unit(eq + 1, &v, unit, sizeof unit) != 0)
    return ims_err_set(err, IMS_EINPUT,
                       "--threshold %s: '%s' is not a number with an optional unit", arg, eq + 1);
  /* a bare number is in the column's display unit (--units), else converted */
  const char *canon =
      c < r->m->nstates ? r->m->states[c].unit : r->m->outputs[c - r->m->nstates].unit;
  ims_err_t e2;
  if (unit[0] && ims_units_convert(r->units, unit, canon, &v, &e2) != IMS_OK)
    return ims_err_set(err, IMS_EINPUT, "--threshold %s: %s", arg, e2.msg);
  if (!unit[0])
    v = (v - r->coloffset[1 + c]) / r->colscale[1 + c];
  rp->th[rp->nth].col = c;
  rp->th[rp->nth++].value = v;
  return IMS_OK;
}

static int add_window(ims_report_t *rp, const ims_run_t *r, const char *v, ims_err_t *err)
{
  double t0 = r->opts.t0, tend = r->tout[r->ntout - 1];
  const char *colon = strchr(v, ':');
  char lo[64];
  double x, y;
  if (!colon || (size_t)(colon - v) >= sizeof lo)
    return ims_err_set(err, IMS_EINPUT,
                       "--window %s: expected all, doses, last or START:END, e.g. 0:21", v);
  memcpy(lo, v, (size_t)(colon - v));
  lo[colon - v] = '\0';
  if (ims_table_double(lo, &x) || ims_table_double(colon + 1, &y) || !(y > x))
    return ims_err_set(err, IMS_EINPUT,
                       "--window %s: START:END must be numbers with END > START (model time "
                       "unit)",
                       v);
  if (x < t0 || y > tend)
    return ims_err_set(err, IMS_EINPUT, "--window %s: outside the run [%g, %g]; use -t", v, t0,
                       tend);
  ims_window_t *nw = realloc(rp->w, (size_t)(rp->nw + 1) * sizeof *nw);
  if (!nw)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  rp->w = nw;
  nw[rp->nw].a = x;
  nw[rp->nw].b = y;
  snprintf(nw[rp->nw].label, sizeof nw[rp->nw].label, "%g:%g", x, y);
  rp->nw++;
  return IMS_OK;
}

static int parse_windows(ims_report_t *rp, const ims_run_t *r, const ims_metrics_spec_t *ms,
                         ims_err_t *err)
{
  double t0 = r->opts.t0, tend = r->tout[r->ntout - 1];
  const ims_schedule_t *s = r->sched;
  if (ms->nwindows == 0)
    return ims_windows_from_schedule(s, t0, tend, IMS_WIN_ALL | IMS_WIN_LAST, &rp->w, &rp->nw, err);
  int rc = IMS_OK;
  for (int i = 0; !rc && i < ms->nwindows; i++) {
    const char *v = ms->windows[i];
    if (!strcmp(v, "all"))
      rc = ims_windows_from_schedule(s, t0, tend, IMS_WIN_ALL, &rp->w, &rp->nw, err);
    else if (!strcmp(v, "last"))
      rc = ims_windows_from_schedule(s, t0, tend, IMS_WIN_LAST, &rp->w, &rp->nw, err);
    else if (!strcmp(v, "doses") && ms->no_doses)
      return ims_err_set(err, IMS_EINPUT,
                         "--window doses: dosing intervals differ between schedules; compare "
                         "all, last or START:END windows");
    else if (!strcmp(v, "doses"))
      rc = ims_windows_from_schedule(s, t0, tend, IMS_WIN_DOSES, &rp->w, &rp->nw, err);
    else
      rc = add_window(rp, r, v, err);
  }
  if (!rc && rp->nw == 0)
    return ims_err_set(err, IMS_EINPUT,
                       "--window: no window left (the schedule has no complete dosing interval "
                       "for 'last'); use all or START:END");
  return rc;
}

int ims_report_init(ims_report_t *rp, ims_run_t *r, const ims_metrics_spec_t *ms, ims_err_t *err)
{
  memset(rp, 0, sizeof *rp);
  int rc = parse_cols(rp, r, ms->cols, err);
  for (int i = 0; !rc && i < ms->nthresholds; i++)
    rc = parse_threshold(rp, r, ms->thresholds[i], err);
  rc = rc ? rc : parse_windows(rp, r, ms, err);
  rc = rc ? rc : ims_metrics_alloc(&rp->mt, r->m, rp->w, rp->nw, rp->th, rp->nth, 0, err);
  /* --cols: only those columns get extremum and regrowth watches */
  if (!rc && ms->cols)
    rc = ims_metrics_columns(rp->mt, rp->sel, rp->nsel, err);
  if (!rc) /* the noise band of local extrema */
    rc = ims_metrics_tolerances(rp->mt, r->opts.rtol, r->opts.atol, r->opts.atol_vec, err);
  if (rc)
    return rc;
  int max = ims_metrics_max_triggers(rp->mt);
  ims_trigger_t *tr = realloc(r->triggers, (size_t)(r->nbase + max + 1) * sizeof *tr);
  if (!tr)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  r->triggers = tr;
  r->opts.quad = 1;
  r->opts.samples = ims_metrics_times(rp->mt, &r->opts.nsamples);
  ims_report_begin(rp, r, r->params->value);
  return IMS_OK;
}

void ims_report_begin(ims_report_t *rp, ims_run_t *r, const double *p)
{
  int n = ims_metrics_begin(rp->mt, p, r->opts.t0, r->triggers + r->nbase, r->nbase);
  r->ntriggers = r->nbase + n;
  r->opts.triggers = r->triggers;
  r->opts.ntriggers = r->ntriggers;
}

void ims_report_free(ims_report_t *rp)
{
  ims_metrics_free(rp->mt);
  free(rp->w);
  memset(rp, 0, sizeof *rp);
}

int ims_report_window(const ims_report_t *rp, const char *label)
{
  for (int w = 0; w < rp->nw; w++)
    if (!strcmp(rp->w[w].label, label))
      return w;
  return -1;
}

double ims_report_value(const ims_report_t *rp, const ims_run_t *r, int w, int col, int k)
{
  double v = ims_metrics_value(rp->mt, w, col, k);
  switch (ims_metric_unit(k)) {
  case IMS_MU_COLUMN:
    return r->colscale[1 + col] * v + r->coloffset[1 + col];
  case IMS_MU_AUC:
  case IMS_MU_SPAN: /* a difference: no offset */
    return r->colscale[1 + col] * v;
  default:
    return v;
  }
}

double ims_report_tvalue(const ims_report_t *rp, int w, int th, int k)
{
  return ims_metrics_tvalue(rp->mt, w, th, k);
}

void ims_report_unit(const ims_run_t *r, int col, int kind, char *buf, size_t n)
{
  const char *cu = r->colunits[1 + col], *tu = r->m->time_unit;
  switch (kind) {
  case IMS_MU_COLUMN:
  case IMS_MU_SPAN:
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

void ims_report_threshold_label(const ims_report_t *rp, const ims_run_t *r, int th, char *buf,
                                size_t n)
{
  int c = rp->th[th].col;
  double v = r->colscale[1 + c] * rp->th[th].value + r->coloffset[1 + c];
  snprintf(buf, n, "%s>%.6g %s", r->colnames[1 + c], v, r->colunits[1 + c]);
}

/* ---- printing ---- */

void ims_table_print(FILE *fp, char (*cells)[48], int nrow, int ncol)
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

static void num6(char *buf, double v)
{
  if (isnan(v))
    snprintf(buf, 48, "-");
  else
    snprintf(buf, 48, "%.6g", v);
}

static void print_thresholds(FILE *fp, const ims_report_t *rp, const ims_run_t *r)
{
  int ncol = 4 + IMS_T_COUNT, nrow = 1 + rp->nw * rp->nth;
  char(*cells)[48] = calloc((size_t)ncol * (size_t)(nrow + 1), sizeof *cells);
  if (!cells)
    return;
  const char *head[4] = {"window", "start", "end", "threshold"};
  for (int c = 0; c < 4; c++)
    snprintf(cells[c], 48, "%s", head[c]);
  for (int k = 0; k < IMS_T_COUNT; k++)
    snprintf(cells[4 + k], 48, "%s", ims_tmetric_name(k));
  int row = 1;
  for (int w = 0; w < rp->nw; w++)
    for (int j = 0; j < rp->nth; j++, row++) {
      char(*x)[48] = cells + row * ncol;
      snprintf(x[0], 48, "%s", rp->w[w].label);
      num6(x[1], rp->w[w].a);
      num6(x[2], rp->w[w].b);
      ims_report_threshold_label(rp, r, j, x[3], 48);
      for (int k = 0; k < IMS_T_COUNT; k++)
        num6(x[4 + k], ims_report_tvalue(rp, w, j, k));
    }
  fputc('\n', fp);
  ims_table_print(fp, cells, nrow, ncol);
  free(cells);
}

void ims_report_print(FILE *fp, const ims_report_t *rp, const ims_run_t *r)
{
  int ncol = 5 + IMS_M_COUNT, nrow = 1 + rp->nw * rp->nsel;
  char(*cells)[48] = calloc((size_t)ncol * (size_t)(nrow + 1), sizeof *cells);
  if (!cells)
    return;
  const char *head[5] = {"window", "start", "end", "column", "unit"};
  for (int c = 0; c < 5; c++)
    snprintf(cells[c], 48, "%s", head[c]);
  for (int k = 0; k < IMS_M_COUNT; k++)
    snprintf(cells[5 + k], 48, "%s", ims_metric_name(k));
  int row = 1;
  for (int w = 0; w < rp->nw; w++)
    for (int j = 0; j < rp->nsel; j++, row++) {
      int col = rp->sel[j];
      char(*x)[48] = cells + row * ncol;
      snprintf(x[0], 48, "%s%s", rp->w[w].label, ims_metrics_complete(rp->mt, w) ? "" : "*");
      num6(x[1], rp->w[w].a);
      num6(x[2], rp->w[w].b);
      snprintf(x[3], 48, "%s", r->colnames[1 + col]);
      snprintf(x[4], 48, "%s", r->colunits[1 + col]);
      for (int k = 0; k < IMS_M_COUNT; k++)
        num6(x[5 + k], ims_report_value(rp, r, w, col, k));
    }
  fprintf(fp,
          "times in %s; auc in %s*unit; trough = value at the window end before any dose "
          "there;\nnpeaks = local maxima (root finding), period = their mean spacing (NaN below "
          "two), amplitude = half of mean max - mean min\n",
          r->m->time_unit, r->m->time_unit);
  ims_table_print(fp, cells, nrow, ncol);
  free(cells);
  for (int w = 0; w < rp->nw; w++)
    if (!ims_metrics_complete(rp->mt, w)) {
      fprintf(fp, "* the run ended before this window did\n");
      break;
    }
  if (rp->nth)
    print_thresholds(fp, rp, r);
}

int ims_report_write(ims_output_t *o, const ims_report_t *rp, const ims_run_t *r)
{
  const ims_run_spec_t *sp = &r->spec;
  ims_output_comment(o, "immunosim %s metrics: model %s", IMS_VERSION, r->m->name);
  if (r->m->source)
    ims_output_comment(o, "model-file: %s fnv1a64=%s", r->m->source,
                       r->m->source_hash ? r->m->source_hash : "");
  if (r->sched->path)
    ims_output_comment(o, "schedule: %s", r->sched->path);
  for (int i = 0; i < r->params->nfiles; i++)
    ims_output_comment(o, "params: %s fnv1a64=%s", r->params->files[i], r->params->checksums[i]);
  for (int i = 0; i < sp->nsets; i++)
    ims_output_comment(o, "set: %s", sp->sets[i]);
  ims_output_comment(o, "complete = 0: the run ended before the window did");
  ims_output_line(o, "window,start,end,complete,column,threshold,metric,value,unit");
  char unit[160], lab[96], a[IMS_NUMBUF], b[IMS_NUMBUF], v[IMS_NUMBUF];
  int bad = 0;
  for (int w = 0; w < rp->nw; w++) {
    int comp = ims_metrics_complete(rp->mt, w);
    ims_fmt_num(a, rp->w[w].a);
    ims_fmt_num(b, rp->w[w].b);
    for (int j = 0; j < rp->nsel; j++) {
      int col = rp->sel[j];
      for (int k = 0; k < IMS_M_COUNT; k++) {
        ims_report_unit(r, col, ims_metric_unit(k), unit, sizeof unit);
        bad |= ims_output_line(o, "%s,%s,%s,%d,%s,,%s,%s,%s", rp->w[w].label, a, b, comp,
                               r->colnames[1 + col], ims_metric_name(k),
                               ims_fmt_num(v, ims_report_value(rp, r, w, col, k)), unit);
      }
    }
    for (int j = 0; j < rp->nth; j++) {
      int col = rp->th[j].col;
      ims_report_threshold_label(rp, r, j, lab, sizeof lab);
      const char *gt = strchr(lab, '>');
      for (int k = 0; k < IMS_T_COUNT; k++) {
        ims_report_unit(r, col, ims_tmetric_unit(k), unit, sizeof unit);
        bad |= ims_output_line(o, "%s,%s,%s,%d,%s,%s,%s,%s,%s", rp->w[w].label, a, b, comp,
                               r->colnames[1 + col], gt ? gt + 1 : lab, ims_tmetric_name(k),
                               ims_fmt_num(v, ims_report_tvalue(rp, w, j, k)), unit);
      }
    }
  }
  return bad ? IMS_EIO : IMS_OK;
}

void ims_column_name(char *buf, size_t n, const char *base, const char *qual)
{
  char tmp[512];
  snprintf(tmp, sizeof tmp, "%s%s%s", base, qual && *qual ? "_" : "", qual ? qual : "");
  size_t k = 0;
  if (n == 0)
    return;
  if (!isalpha((unsigned char)tmp[0]) && k + 1 < n)
    buf[k++] = 'X';
  for (const char *p = tmp; *p && k + 1 < n; p++) {
    if (*p == ']')
      continue;
    buf[k++] = isalnum((unsigned char)*p) || *p == '_' || *p == '.' ? *p : '_';
  }
  while (k > 1 && buf[k - 1] == '_')
    k--;
  buf[k] = '\0';
}
