/* `immunosim plot` and the figures of run, compare, sweep and sensitivity:
 * options in, tables read with the library's reader, a figure built by the
 * library (include/immunosim/plots.h) and drawn by its gnuplot writer into
 * the command's output group. */
#include "plot.h"

#include "dynfig.h"
#include "immunosim/plots.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- options ------------------------------------------------------------ */

void cli_plot_opts_init(cli_plot_opts_t *o)
{
  memset(o, 0, sizeof *o);
  o->style = "lecture";
  o->logy = -1;
  o->logx = -1;
}

/* The option table allows CLI_MAX_VALUES values in all; a list holds CLI_MAX_REPEAT. */
static void add(const char **list, int *n, const char *v)
{
  if (*n < CLI_MAX_REPEAT)
    list[(*n)++] = v;
}

void cli_plot_opts_from_args(cli_plot_opts_t *o, const cli_args_t *a)
{
  cli_plot_opts_init(o);
  for (int i = 0; i < a->nv; i++) {
    const cli_val_t *v = &a->v[i];
    switch (v->id) {
    case OPT_Y:
      add(o->y, &o->ny, v->s);
      break;
    case OPT_HLINE:
      add(o->hline, &o->nhline, v->s);
      break;
    case OPT_POINTS:
      add(o->points, &o->npoints, v->s);
      break;
    case OPT_OVERLAY:
      o->overlay = 1;
      break;
    case OPT_LOGY:
    case OPT_LINY:
      o->logy = v->id == OPT_LOGY;
      break;
    case OPT_LOGX:
    case OPT_LINX:
      o->logx = v->id == OPT_LOGX;
      break;
    case OPT_WEEKS:
      o->weeks = 1;
      break;
    case OPT_NO_DOSES:
      o->no_doses = 1;
      break;
    case OPT_STYLE:
      o->style = v->s;
      break;
    case OPT_TITLE:
      o->title = v->s;
      break;
    case OPT_YLABEL:
      o->ylabel = v->s;
      break;
    case OPT_LABELS:
      o->labels = v->s;
      break;
    case OPT_X:
      o->xcol = v->s;
      break;
    case OPT_XRANGE:
      o->xrange = v->s;
      break;
    case OPT_YRANGE:
      o->yrange = v->s;
      break;
    default:
      break;
    }
  }
}

/* ---- from options to a figure --------------------------------------------------- */

/* Parse "LO:HI" with either end optional. */
static int parse_range(const char *opt, const char *s, double *lo, double *hi, ims_err_t *err)
{
  const char *c = strchr(s, ':');
  if (!c)
    return ims_err_set(err, IMS_EINPUT, "%s %s: expected LO:HI, e.g. 0:42 or 1e-3:", opt, s);
  char a[64], b[64];
  snprintf(a, sizeof a, "%.*s", (int)(c - s), s);
  snprintf(b, sizeof b, "%s", c + 1);
  *lo = *hi = NAN;
  if (a[0] && ims_table_double(a, lo))
    return ims_err_set(err, IMS_EINPUT, "%s %s: '%s' is not a number", opt, s, a);
  if (b[0] && ims_table_double(b, hi))
    return ims_err_set(err, IMS_EINPUT, "%s %s: '%s' is not a number", opt, s, b);
  if (!isnan(*lo) && !isnan(*hi) && !(*hi > *lo))
    return ims_err_set(err, IMS_EINPUT, "%s %s: HI must be above LO", opt, s);
  return 0;
}

/* "COL=VALUE[:LABEL]" */
static int parse_hline(const char *a, ims_plot_hline_t *h, char *col, size_t ncol, ims_err_t *err)
{
  const char *eq = strchr(a, '=');
  if (!eq || eq == a || (size_t)(eq - a) >= ncol)
    return ims_err_set(err, IMS_EINPUT,
                       "--hline %s: expected COL=VALUE[:LABEL], e.g. IL6=1000:\"severe CRS\"", a);
  snprintf(col, ncol, "%.*s", (int)(eq - a), a);
  const char *colon = strchr(eq + 1, ':');
  char v[64];
  snprintf(v, sizeof v, "%.*s", (int)(colon ? colon - eq - 1 : (long)strlen(eq + 1)), eq + 1);
  if (ims_table_double(v, &h->value))
    return ims_err_set(err, IMS_EINPUT, "--hline %s: '%s' is not a number", a, v);
  h->col = col;
  h->label = colon ? colon + 1 : "";
  return 0;
}

int cli_plot_table_model(const ims_table_t *t, const ims_model_t **m, ims_err_t *err)
{
  const char *mf = ims_table_meta_get(t, "model-file");
  *m = NULL;
  if (!mf) {
    *m = ims_plot_model(t);
    return IMS_OK;
  }
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%.*s", (int)strcspn(mf, " \t"), mf);
  int rc = cli_model_open(path, 1, m, err);
  if (rc)
    snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
             " (the model file %s names)", t->path);
  return rc;
}

/* Replace a table's doses by a schedule's, read through the library (needs the model). */
static int schedule_doses(ims_table_t *t, const char *arg, ims_err_t *err)
{
  const ims_model_t *m;
  int mrc = cli_plot_table_model(t, &m, err);
  if (mrc)
    return mrc;
  if (!m)
    return ims_err_set(err, IMS_EINPUT,
                       "-s %s: %s names no known model ('# model:' line), so its schedule "
                       "cannot be read; drop -s to use its '# dose:' lines",
                       arg, t->path);
  char path[PATH_MAX * 2];
  cli_resolve(path, sizeof path, arg, "schedules");
  ims_units_t *u = NULL;
  ims_schedule_t *s = NULL;
  ims_event_t *ev = NULL;
  long nev = 0;
  int rc = ims_units_alloc(&u, err);
  rc = rc ? rc : ims_schedule_alloc(&s, err);
  rc = rc ? rc : ims_schedule_read(s, m, u, path, err);
  rc = rc ? rc : ims_schedule_expand(s, &ev, &nev, err);
  ims_table_dose_t *d = rc ? NULL : calloc((size_t)nev + 1, sizeof *d);
  if (!rc && !d)
    rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  int n = 0;
  for (long i = 0; !rc && i < nev; i++) {
    if (ev[i].kind == IMS_EV_RESET)
      continue;
    const char *cmt = m->states[ev[i].cmt].name;
    if (ev[i].kind == IMS_EV_INF_OFF) { /* closes the earliest open infusion into the state */
      for (int k = 0; k < n; k++)
        if (d[k].infusion && isinf(d[k].t1) && !strcmp(d[k].cmt, cmt)) {
          d[k].t1 = ev[i].time;
          break;
        }
      continue;
    }
    ims_table_dose_t *x = &d[n++];
    x->t0 = ev[i].time;
    x->infusion = ev[i].kind == IMS_EV_INF_ON;
    x->t1 = x->infusion ? INFINITY : x->t0;
    x->amount = ev[i].value;
    snprintf(x->cmt, sizeof x->cmt, "%s", cmt);
    /* a dose per kg or m2 stays per kg: the subject is not known here */
    char au[64];
    snprintf(au, sizeof au, "%s%s%s", m->states[ev[i].cmt].unit, ev[i].cov > 0 ? "/" : "",
             ev[i].cov > 0 ? m->params[ev[i].cov - 1].unit : "");
    snprintf(x->unit, sizeof x->unit, "%s%s%s", au, x->infusion ? "/" : "",
             x->infusion ? m->time_unit : "");
  }
  if (!rc) {
    free(t->dose);
    t->dose = d;
    t->ndose = n;
  } else {
    free(d);
  }
  free(ev);
  ims_schedule_free(s);
  ims_units_free(u);
  cli_model_close(m);
  return rc;
}

/* --labels A,B: one per file, into labels (pointing into *copy). */
static int split_labels(const char *arg, int nfiles, const char **labels, char **copy,
                        ims_err_t *err)
{
  *copy = strdup(arg);
  if (!*copy)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  char *save = NULL;
  int k = 0, extra = 0;
  for (char *tok = strtok_r(*copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ')
      tok++;
    if (k < nfiles)
      labels[k++] = tok;
    else
      extra = 1;
  }
  if (k != nfiles || extra)
    return ims_err_set(err, IMS_EINPUT, "--labels '%s': give one label per input file (%d)", arg,
                       nfiles);
  return IMS_OK;
}

/* A column the options name, among the columns a run will write. */
static int known_column(const char *opt, const char *name, const char *const *cols, int ncols,
                        ims_err_t *err)
{
  for (int i = 0; i < ncols; i++)
    if (!strcmp(cols[i], name))
      return IMS_OK;
  const char *s = ims_suggest(name, cols, ncols);
  return ims_err_set(err, IMS_EINPUT, "%s: no column '%s' in the run%s%s%s", opt, name,
                     s ? "; did you mean '" : " (its columns: 'immunosim info MODEL --columns')",
                     s ? s : "", s ? "'?" : "");
}

int cli_plot_check(const cli_plot_opts_t *o, int nfiles, const char *const *cols, int ncols,
                   ims_err_t *err)
{
  double lo, hi;
  int rc = o->xrange ? parse_range("--xrange", o->xrange, &lo, &hi, err) : IMS_OK;
  rc = rc ? rc : o->yrange ? parse_range("--yrange", o->yrange, &lo, &hi, err) : IMS_OK;
  char *copy = NULL;
  const char *labels[CLI_MAX_REPEAT];
  if (!rc && o->labels)
    rc = split_labels(o->labels, nfiles, labels, &copy, err);
  free(copy);
  for (int i = 0; !rc && i < o->nhline; i++) {
    ims_plot_hline_t h;
    char col[128];
    rc = parse_hline(o->hline[i], &h, col, sizeof col, err);
    rc = rc ? rc : known_column("--hline", col, cols, ncols, err);
  }
  if (!rc && o->xcol)
    rc = known_column("--x", o->xcol, cols, ncols, err);
  for (int i = 0; !rc && i < o->ny; i++) {
    char list[1024];
    snprintf(list, sizeof list, "%s", o->y[i]);
    char *save = NULL;
    for (char *c = strtok_r(list, ",", &save); !rc && c; c = strtok_r(NULL, ",", &save))
      rc = known_column("--y", c, cols, ncols, err);
  }
  return rc;
}

/* ---- the figure's outputs ------------------------------------------------------- */

static void fig_out(ims_fig_out_t *out, char *plots, size_t n, const char *fig, const char *style,
                    ims_outset_t *g)
{
  snprintf(plots, n, "%s/plots", cli_datadir());
  *out = (ims_fig_out_t){.figure = fig,
                         .plots = plots,
                         .style = style,
                         .gnuplot = getenv("IMMUNOSIM_GNUPLOT"),
                         .group = g};
}

int cli_figure_open(ims_outset_t *g, const char *opt, const char *fig, ims_err_t *err)
{
  if (!ims_fig_terminal(fig))
    return ims_err_set(err, IMS_EINPUT, "%s %s: use .png, .svg or .pdf", opt, fig);
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", fig);
  const char *d = dirname(dir);
  if (access(d, W_OK) != 0)
    return ims_err_set(err, IMS_EIO, "%s %s: cannot write in %s (%s)", opt, fig, d,
                       strerror(errno));
  char plots[PATH_MAX];
  ims_fig_out_t out;
  fig_out(&out, plots, sizeof plots, fig, NULL, g);
  int rc = ims_fig_prepare(&out, err);
  if (rc && strstr(err->msg, "gnuplot not found") && !strcmp(opt, "--plot"))
    snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
             ", or leave out --plot");
  return rc;
}

int cli_plot_load(ims_table_t **t, ims_outset_t *g, const char *path, unsigned flags,
                  ims_err_t *err)
{
  const char *now = ims_output_current(ims_outset_find(g, path));
  if (!now)
    return ims_table_load_file(t, path, flags, err);
  char *buf = NULL;
  size_t len = 0;
  int rc = ims_table_slurp(now, &buf, &len, err);
  rc = rc ? rc : ims_table_load_mem(t, path, buf, len, flags, err);
  free(buf);
  return rc;
}

int cli_plot_render(const ims_fig_t *f, const char *fig, const char *style, ims_outset_t *g,
                    ims_err_t *err)
{
  char plots[PATH_MAX];
  ims_fig_out_t out;
  fig_out(&out, plots, sizeof plots, fig, style, g);
  return ims_fig_render(f, &out, err);
}

/* What plot reads, after any reader's message about a file that is not such a table. */
static void not_a_run_table(int rc, ims_err_t *err)
{
  if (rc == IMS_EINPUT && !strstr(err->msg, "immunosim run"))
    snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
             "; plot draws tables that 'immunosim run' (or population) writes: a header row "
             "such as time,A1,C1, then rows of numbers");
}

int cli_plot(const cli_plot_opts_t *o, const char *const *files, int nfiles, const char *fig,
             ims_outset_t *g, ims_err_t *err)
{
  ims_table_t **t = calloc((size_t)nfiles + (size_t)o->npoints + 1, sizeof *t);
  ims_fig_t *f = NULL;
  int rc = t ? ims_fig_alloc(&f, err) : ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (int i = 0; !rc && i < nfiles + o->npoints; i++) {
    const char *path = i < nfiles ? files[i] : o->points[i - nfiles];
    rc = cli_plot_load(&t[i], g, path, IMS_TABLE_AUTODELIM, err);
    if (!rc && t[i]->nrows == 0)
      rc = ims_err_set(err, IMS_EINPUT, "%s: no data rows", path);
    if (rc && i < nfiles) /* --points files say what they hold in --help */
      not_a_run_table(rc, err);
  }
  char *copy = NULL;
  const char *labels[CLI_MAX_REPEAT];
  if (!rc && o->labels)
    rc = split_labels(o->labels, nfiles, labels, &copy, err);
  for (int i = 0; !rc && o->schedule && i < nfiles; i++)
    rc = schedule_doses(t[i], o->schedule, err);
  const ims_model_t *m = NULL; /* of the first table: names and the default figure */
  rc = rc ? rc : cli_plot_table_model(t[0], &m, err);
  ims_plot_hline_t hl[CLI_MAX_REPEAT];
  char hcol[CLI_MAX_REPEAT][128];
  for (int i = 0; !rc && i < o->nhline; i++)
    rc = parse_hline(o->hline[i], &hl[i], hcol[i], sizeof hcol[i], err);
  ims_plot_opts_t po;
  ims_plot_opts_init(&po);
  if (!rc && o->xrange)
    rc = parse_range("--xrange", o->xrange, &po.xlo, &po.xhi, err);
  if (!rc && o->yrange)
    rc = parse_range("--yrange", o->yrange, &po.ylo, &po.yhi, err);
  if (!rc) {
    static const int scale[] = {IMS_SCALE_AUTO, IMS_SCALE_LIN, IMS_SCALE_LOG};
    po.y = o->y;
    po.ny = o->ny;
    po.overlay = o->overlay;
    po.scale = scale[o->logy + 1];
    po.xscale = scale[o->logx + 1];
    po.weeks = o->weeks;
    po.x = o->xcol;
    po.hline = hl;
    po.nhline = o->nhline;
    po.points = (const ims_table_t *const *)t + nfiles;
    po.npoints = o->npoints;
    po.title = o->title;
    po.ylabel = o->ylabel;
    po.labels = o->labels ? labels : NULL;
    po.no_doses = o->no_doses;
    po.schedule = o->schedule;
    po.model = m;
    rc = ims_plot_timecourse(f, (const ims_table_t *const *)t, nfiles, &po, err);
  }
  rc = rc ? rc : cli_plot_render(f, fig, o->style, g, err);
  cli_model_close(m);
  for (int i = 0; t && i < nfiles + o->npoints; i++)
    ims_table_free(t[i]);
  free(t);
  free(copy);
  ims_fig_free(f);
  return rc;
}

/* A figure of one table by a library builder; the table is read with its cell texts. */
static int plot_table(ims_outset_t *g, const char *table, const char *fig, int sweep,
                      const char *arg, const ims_model_t *m, ims_err_t *err)
{
  ims_table_t *t = NULL;
  ims_fig_t *f = NULL;
  int rc = cli_plot_load(&t, g, table, IMS_TABLE_TEXT, err);
  rc = rc ? rc : ims_fig_alloc(&f, err);
  if (!rc)
    rc = sweep ? ims_plot_sweep(f, t, arg, m, err) : ims_plot_sensitivity(f, t, arg, m, err);
  rc = rc ? rc : cli_plot_render(f, fig, NULL, g, err);
  ims_fig_free(f);
  ims_table_free(t);
  return rc;
}

int cli_plot_sweep(ims_outset_t *g, const char *table, const char *metric, const ims_model_t *m,
                   const char *fig, ims_err_t *err)
{
  return plot_table(g, table, fig, 1, metric, m, err);
}

int cli_plot_sensitivity(ims_outset_t *g, const char *table, const char *of, const ims_model_t *m,
                         const char *fig, ims_err_t *err)
{
  return plot_table(g, table, fig, 0, of, m, err);
}

/* ---- the command ----------------------------------------------------------- */

int cmd_plot(int argc, char **argv)
{
  cli_ctx_t x;
  int code;
  if (cli_begin(&x, "plot", argc, argv, &code))
    return code;
  const char *fig = cli_str(&x.a, OPT_OUT, NULL);
  int rc = IMS_OK;
  if (!x.a.npos)
    rc = ims_err_set(&x.err, IMS_EINPUT,
                     "plot: which output? e.g. 'immunosim plot out.csv -o fig.png'");
  else if (!fig)
    rc = ims_err_set(&x.err, IMS_EINPUT, "plot: where to? add -o FIG.png (or .svg, .pdf)");
  rc = rc ? rc : cli_figure_open(x.g, "-o", fig, &x.err);
  /* tables of continue and equilibria --plane: their own figures (dynfig.c) */
  if (!rc && dyn_plot_files(&x, fig, &rc))
    return cli_end(&x, cli_commit(&x, rc));
  if (!rc) {
    cli_plot_opts_t o;
    cli_plot_opts_from_args(&o, &x.a);
    o.schedule = cli_str(&x.a, OPT_SCHEDULE, NULL);
    rc = cli_plot(&o, x.a.pos, x.a.npos, fig, x.g, &x.err);
  }
  return cli_end(&x, cli_commit(&x, rc));
}
