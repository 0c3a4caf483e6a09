/* `immunosim plot` and the figures of run, compare, sweep and sensitivity:
 * options in, tables read with the library's reader, a figure built by the
 * library (include/immunosim/plots.h) and drawn by its gnuplot writer. */
#include "plot.h"

#include "immunosim/plots.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- options ------------------------------------------------------------ */

void cli_plot_opts_init(cli_plot_opts_t *o)
{
  memset(o, 0, sizeof *o);
  o->style = "lecture";
  o->logy = -1;
  o->logx = -1;
}

const char cli_plot_options_help[] =
    "  --y COL[,COL...]      one panel per column (default: the model's outputs, else every\n"
    "                        column that is not identically zero; at most 9 panels)\n"
    "  --overlay             all chosen columns in one panel\n"
    "  --logy | --liny       log or linear y axes (default: log when a column is positive and\n"
    "                        spans more than 3 decades)\n"
    "  --weeks               time axis in weeks (doses too)\n"
    "  --xrange LO:HI        time range shown (either end may be empty)\n"
    "  --yrange LO:HI        y range of every panel\n"
    "  --x COL               plot against COL instead of time (phase portrait); --logx, --linx\n"
    "  --hline COL=VALUE[:LABEL]  labelled reference line in COL's panel, in COL's unit\n"
    "  --points FILE         reference data as points (CSV: time in days, then columns named\n"
    "                        like the output's, optional COL_lo,COL_hi error bars; a comment\n"
    "                        line '# label: TEXT' names it in the legend)\n"
    "  --style lecture|paper 1600x1000 with large type (default), or 900x560 for print\n"
    "  --title TEXT          figure title (default: model, parameter set, schedule; \"\": none)\n"
    "  --ylabel TEXT         y label of every panel (default: the column and its unit)\n"
    "  --labels A,B          legend labels, one per input file (default: the file names)\n"
    "  --no-doses            do not mark doses along the time axis\n";

static int need(int argc, char **argv, int i)
{
  if (i + 1 >= argc) {
    cli_failf(IMS_EINPUT, "option %s needs a value", argv[i]);
    return -1;
  }
  return 0;
}

int cli_plot_arg(cli_plot_opts_t *o, int argc, char **argv, int *i)
{
  const char *a = argv[*i];
  const char **str = NULL;
  const char **arr = NULL;
  int *cnt = NULL;
  if (!strcmp(a, "--overlay"))
    return o->overlay = 1;
  if (!strcmp(a, "--logy") || !strcmp(a, "--liny")) {
    o->logy = a[3] == 'o';
    return 1;
  }
  if (!strcmp(a, "--logx") || !strcmp(a, "--linx")) {
    o->logx = a[3] == 'o';
    return 1;
  }
  if (!strcmp(a, "--weeks"))
    return o->weeks = 1;
  if (!strcmp(a, "--no-doses"))
    return o->no_doses = 1;
  if (!strcmp(a, "--y"))
    arr = o->y, cnt = &o->ny;
  else if (!strcmp(a, "--hline"))
    arr = o->hline, cnt = &o->nhline;
  else if (!strcmp(a, "--points"))
    arr = o->points, cnt = &o->npoints;
  else if (!strcmp(a, "--style"))
    str = &o->style;
  else if (!strcmp(a, "--title"))
    str = &o->title;
  else if (!strcmp(a, "--ylabel"))
    str = &o->ylabel;
  else if (!strcmp(a, "--labels"))
    str = &o->labels;
  else if (!strcmp(a, "--x"))
    str = &o->xcol;
  else if (!strcmp(a, "--xrange"))
    str = &o->xrange;
  else if (!strcmp(a, "--yrange"))
    str = &o->yrange;
  else
    return 0;
  if (need(argc, argv, *i))
    return -1;
  const char *v = argv[++*i];
  if (str) {
    *str = v;
    if (str == &o->style && strcmp(v, "lecture") && strcmp(v, "paper")) {
      cli_failf(IMS_EINPUT, "--style takes lecture or paper, not '%s'", v);
      return -1;
    }
    return 1;
  }
  if (*cnt >= CLI_MAX_REPEAT) {
    cli_failf(IMS_EINPUT, "option %s given more than %d times", a, CLI_MAX_REPEAT);
    return -1;
  }
  arr[(*cnt)++] = v;
  return 1;
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

/* Replace a table's doses by a schedule's, read through the library (needs the model). */
static int schedule_doses(ims_table_t *t, const char *arg, ims_err_t *err)
{
  const ims_model_t *m = ims_plot_model(t);
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
    snprintf(x->unit, sizeof x->unit, "%s%s%s", m->states[ev[i].cmt].unit, x->infusion ? "/" : "",
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
  return rc;
}

const char *cli_plot_term(const char *fig)
{
  return ims_fig_terminal(fig);
}

/* Draw a built figure: the data directory's templates, the style, $IMMUNOSIM_GNUPLOT. */
static int render(const ims_fig_t *f, const char *fig, const char *style, ims_err_t *err)
{
  char plots[PATH_MAX];
  snprintf(plots, sizeof plots, "%s/plots", cli_datadir());
  ims_fig_out_t out = {
      .figure = fig, .plots = plots, .style = style, .gnuplot = getenv("IMMUNOSIM_GNUPLOT")};
  return ims_fig_render(f, &out, err);
}

int cli_plot(const cli_plot_opts_t *o, const char *const *files, int nfiles, const char *fig,
             ims_err_t *err)
{
  if (!ims_fig_terminal(fig))
    return ims_err_set(err, IMS_EINPUT,
                       "figure '%s': the extension chooses the format; use .png, .svg or .pdf",
                       fig);
  ims_table_t **t = calloc((size_t)nfiles + (size_t)o->npoints + 1, sizeof *t);
  ims_fig_t *f = NULL;
  int rc = t ? ims_fig_alloc(&f, err) : ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (int i = 0; !rc && i < nfiles + o->npoints; i++) {
    const char *path = i < nfiles ? files[i] : o->points[i - nfiles];
    rc = ims_table_load_file(&t[i], path, IMS_TABLE_AUTODELIM, err);
    if (rc == IMS_EINPUT && !strstr(err->msg, "'immunosim run'")) /* what plot expects */
      snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
               "; plot reads the tables 'immunosim run' writes");
    if (!rc && t[i]->nrows == 0)
      rc = ims_err_set(err, IMS_EINPUT,
                       "%s: no data rows; plot reads the tables 'immunosim run' writes (a header "
                       "row, then numbers)",
                       path);
  }
  /* --labels A,B: one per file */
  char *copy = NULL;
  const char *labels[CLI_MAX_REPEAT];
  if (!rc && o->labels) {
    copy = strdup(o->labels);
    char *save = NULL;
    int k = 0, extra = 0;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
         tok = strtok_r(NULL, ",", &save)) {
      while (*tok == ' ')
        tok++;
      if (k < nfiles)
        labels[k++] = tok;
      else
        extra = 1;
    }
    if (k != nfiles || extra)
      rc = ims_err_set(err, IMS_EINPUT, "--labels '%s': give one label per input file (%d)",
                       o->labels, nfiles);
  }
  for (int i = 0; !rc && o->schedule && i < nfiles; i++)
    rc = schedule_doses(t[i], o->schedule, err);
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
    rc = ims_plot_timecourse(f, (const ims_table_t *const *)t, nfiles, &po, err);
  }
  rc = rc ? rc : render(f, fig, o->style, err);
  for (int i = 0; t && i < nfiles + o->npoints; i++)
    ims_table_free(t[i]);
  free(t);
  free(copy);
  ims_fig_free(f);
  return rc;
}

/* A figure of one table, by a library builder; the table is read with its cell texts. */
static int plot_table(const char *table, const char *fig, const char *what, const char *arg,
                      ims_err_t *err)
{
  if (!ims_fig_terminal(fig))
    return ims_err_set(err, IMS_EINPUT, "--plot %s: use .png, .svg or .pdf", fig);
  ims_table_t *t = NULL;
  ims_fig_t *f = NULL;
  int rc = ims_table_load_file(&t, table, IMS_TABLE_TEXT, err);
  rc = rc ? rc : ims_fig_alloc(&f, err);
  if (!rc)
    rc = what[1] == 'w' ? ims_plot_sweep(f, t, arg, err) : ims_plot_sensitivity(f, t, arg, err);
  rc = rc ? rc : render(f, fig, NULL, err);
  ims_fig_free(f);
  ims_table_free(t);
  return rc;
}

int cli_plot_sweep(const char *table, const char *metric, const char *fig, ims_err_t *err)
{
  return plot_table(table, fig, "sweep", metric, err);
}

int cli_plot_sensitivity(const char *table, const char *of, const char *fig, ims_err_t *err)
{
  return plot_table(table, fig, "sensitivity", of, err);
}

/* ---- the command ----------------------------------------------------------- */

static const char plot_help_head[] =
    "usage: immunosim plot OUT.csv [OUT2.csv ...] -o FIG.png|FIG.svg|FIG.pdf [options]\n"
    "\n"
    "Draw run outputs with gnuplot.  The script is written beside the figure (FIG.gp) and\n"
    "then run; edit it and re-run with 'gnuplot FIG.gp'.  Units on the axes come from the\n"
    "outputs' '# units:' line, dose markers (infusions as bars, boluses as ticks, along the\n"
    "bottom of each panel) from their '# dose:' lines.  Several outputs are overlaid in\n"
    "every panel, with a legend.  Columns COL_p05,COL_p25,COL_p50,COL_p75,COL_p95 (population\n"
    "percentiles) are drawn as shaded 5-95 % and 25-75 % bands around the median.\n"
    "\n"
    "options\n"
    "  -o, --out FIG         the figure; .png, .svg or .pdf chooses the format (required)\n"
    "  -s, --schedule FILE   mark the doses of this schedule instead of the '# dose:' lines\n";

static const char plot_help_tail[] =
    "\n"
    "Environment: IMMUNOSIM_GNUPLOT names the gnuplot binary (default: gnuplot on PATH).\n"
    "Exit codes: 0 ok, 1 bad input, 3 gnuplot missing or failed (the script is still written).\n"
    "\n"
    "examples:\n"
    "  immunosim run pk2cmt -s blinatumomab_cycle1 -t 42 --units C1=pg/mL -o blina.csv\n"
    "  immunosim plot blina.csv --y C1 --hline C1=500:\"target\" -o blina.png\n"
    "  immunosim plot q3w.csv q6w.csv --labels \"200 mg Q3W,400 mg Q6W\" --weeks -o pembro.svg\n";

int cmd_plot(int argc, char **argv)
{
  cli_plot_opts_t o;
  cli_plot_opts_init(&o);
  const char *fig = NULL;
  const char *files[CLI_MAX_REPEAT];
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(plot_help_head, stdout);
      fputs(cli_plot_options_help, stdout);
      fputs(plot_help_tail, stdout);
      return 0;
    }
    int r = cli_plot_arg(&o, argc, argv, &i);
    if (r < 0)
      return 1;
    if (r)
      continue;
    if (!strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "-s") || !strcmp(a, "--schedule")) {
      if (need(argc, argv, i))
        return 1;
      *(a[1] == 'o' || a[2] == 'o' ? &fig : &o.schedule) = argv[++i];
      continue;
    }
    if (a[0] == '-' && a[1])
      return cli_failf(IMS_EINPUT, "plot: unknown option '%s'; see 'immunosim plot --help'", a);
    if (nfiles == CLI_MAX_REPEAT)
      return cli_failf(IMS_EINPUT, "plot: at most %d input files", CLI_MAX_REPEAT);
    files[nfiles++] = a;
  }
  if (!nfiles)
    return cli_failf(IMS_EINPUT, "plot: which output? e.g. 'immunosim plot out.csv -o fig.png'");
  if (!fig)
    return cli_failf(IMS_EINPUT, "plot: where to? add -o FIG.png (or .svg, .pdf)");
  ims_err_t err = {0};
  int rc = cli_plot(&o, files, nfiles, fig, &err);
  return rc ? cli_fail(rc, &err) : 0;
}
