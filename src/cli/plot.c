/* `immunosim plot`: read run outputs (their '#' metadata: units, doses,
 * model), choose panels, axes and ranges, fill the gnuplot template
 * plots/timecourse.gp.in and run gnuplot.  All gnuplot text lives in the
 * template; this file only decides what goes where. */
#include "plot.h"

#include "csvread.h"
#include "tmpl.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_PANELS 9
#define TEMPLATE "timecourse.gp.in"

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

/* ---- reading a run output ------------------------------------------------ */

typedef struct col {
  char *name;
  char *unit; /* NULL: unknown */
  double min, max, minpos;
  long nfinite;
  int nonzero;
} col_t;

typedef struct dose {
  double t0, t1; /* t1 = t0 for a bolus; INFINITY for an infusion still running */
  int infusion;
  char cmt[64];
} dose_t;

typedef struct pfile {
  const char *path;
  char *label;
  char sep;
  int ncols;
  col_t *col;
  int tcol; /* the time column */
  dose_t *dose;
  int ndose, capdose;
  char model[128];
  char mfile[PATH_MAX]; /* '# model-file:' (a model file's path), or "" */
  char pset[128];       /* parameter set (base name of the last params file) */
  char sched[128];      /* schedule base name */
} pfile_t;

static void pfile_free(pfile_t *f)
{
  for (int i = 0; i < f->ncols; i++) {
    free(f->col[i].name);
    free(f->col[i].unit);
  }
  free(f->col);
  free(f->dose);
  free(f->label);
  memset(f, 0, sizeof *f);
}

static char *trim(char *s)
{
  while (*s == ' ' || *s == '\t' || *s == '"')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"' || s[n - 1] == '\r' ||
               s[n - 1] == '\n'))
    s[--n] = '\0';
  return s;
}

/* "dir/name.csv" -> "name" */
static void base_name(char *out, size_t n, const char *path)
{
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  snprintf(out, n, "%s", b);
  char *dot = strrchr(out, '.');
  if (dot && dot != out)
    *dot = '\0';
}

static int find_col(const pfile_t *f, const char *name)
{
  for (int i = 0; i < f->ncols; i++)
    if (strcmp(f->col[i].name, name) == 0)
      return i;
  return -1;
}

static int add_dose(pfile_t *f, const dose_t *d)
{
  if (f->ndose == f->capdose) {
    int cap = f->capdose ? 2 * f->capdose : 16;
    dose_t *nd = realloc(f->dose, (size_t)cap * sizeof *nd);
    if (!nd)
      return -1;
    f->dose = nd;
    f->capdose = cap;
  }
  f->dose[f->ndose++] = *d;
  return 0;
}

/* An infusion end closes the earliest open infusion into the same state. */
static void end_infusion(pfile_t *f, const char *cmt, double t)
{
  for (int i = 0; i < f->ndose; i++)
    if (f->dose[i].infusion && isinf(f->dose[i].t1) && strcmp(f->dose[i].cmt, cmt) == 0) {
      f->dose[i].t1 = t;
      return;
    }
}

static int parse_dose(pfile_t *f, const char *s, long line, ims_err_t *err)
{
  dose_t d = {0};
  int off = 0;
  if (sscanf(s, "t=%lf cmt=%63s %n", &d.t0, d.cmt, &off) < 2 || off == 0)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld: malformed '# dose:' line", f->path, line);
  const char *rest = s + off;
  if (strncmp(rest, "bolus=", 6) == 0) {
    d.t1 = d.t0;
    return add_dose(f, &d) ? ims_err_set(err, IMS_ENOMEM, "out of memory") : 0;
  }
  if (strncmp(rest, "infusion end", 12) == 0) {
    end_infusion(f, d.cmt, d.t0);
    return 0;
  }
  if (strncmp(rest, "infusion", 8) == 0) {
    d.infusion = 1;
    d.t1 = INFINITY;
    return add_dose(f, &d) ? ims_err_set(err, IMS_ENOMEM, "out of memory") : 0;
  }
  return ims_err_set(err, IMS_EINPUT, "%s:%ld: malformed '# dose:' line", f->path, line);
}

static void parse_units(pfile_t *f, char *s)
{
  for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
    char *eq = strchr(tok, '=');
    if (!eq)
      continue;
    *eq = '\0';
    int k = find_col(f, trim(tok));
    if (k >= 0 && !f->col[k].unit)
      f->col[k].unit = strdup(trim(eq + 1));
  }
}

static int parse_header(pfile_t *f, char *line, ims_err_t *err)
{
  f->sep = strchr(line, '\t') ? '\t' : ',';
  int n = 1;
  for (char *p = line; *p; p++)
    n += *p == f->sep;
  f->col = calloc((size_t)n, sizeof *f->col);
  if (!f->col)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  char *p = line;
  for (int i = 0; i < n; i++) {
    char *q = strchr(p, f->sep);
    if (q)
      *q = '\0';
    col_t *c = &f->col[f->ncols++];
    c->name = strdup(trim(p));
    c->min = c->minpos = INFINITY;
    c->max = -INFINITY;
    if (!c->name)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    p = q ? q + 1 : p + strlen(p);
  }
  f->tcol = find_col(f, "time");
  if (f->tcol < 0)
    f->tcol = 0;
  return 0;
}

static void parse_row(pfile_t *f, char *line)
{
  char *p = line;
  for (int i = 0; i < f->ncols && p; i++) {
    char *q = strchr(p, f->sep);
    if (q)
      *q = '\0';
    char *end;
    double v = strtod(p, &end);
    if (end != p && isfinite(v)) {
      col_t *c = &f->col[i];
      c->nfinite++;
      c->min = v < c->min ? v : c->min;
      c->max = v > c->max ? v : c->max;
      if (v > 0 && v < c->minpos)
        c->minpos = v;
      c->nonzero |= v != 0;
    }
    p = q ? q + 1 : NULL;
  }
}

/* The '# units:' line comes before the header; keep it until the columns are known. */
static int read_file(pfile_t *f, const char *path, ims_err_t *err)
{
  memset(f, 0, sizeof *f);
  f->path = path;
  FILE *fp = fopen(path, "r");
  if (!fp)
    return ims_err_set(err, IMS_EIO, "cannot read '%s': %s", path, strerror(errno));
  char *line = NULL, *units = NULL;
  size_t cap = 0;
  long ln = 0;
  int rc = 0;
  while (!rc && getline(&line, &cap, fp) >= 0) {
    ln++;
    if (line[0] == '#') {
      char *s = line + 1;
      while (*s == ' ')
        s++;
      trim(s);
      if (strncmp(s, "units:", 6) == 0) {
        free(units);
        units = strdup(s + 6);
      } else if (strncmp(s, "dose:", 5) == 0) {
        rc = parse_dose(f, trim(s + 5), ln, err);
      } else if (strncmp(s, "model:", 6) == 0) {
        sscanf(s + 6, " %127s", f->model);
      } else if (strncmp(s, "model-file:", 11) == 0) {
        sscanf(s + 11, " %4095s", f->mfile);
      } else if (strncmp(s, "params:", 7) == 0) {
        char p[PATH_MAX];
        if (sscanf(s + 7, " %4095s", p) == 1)
          base_name(f->pset, sizeof f->pset, p);
      } else if (strncmp(s, "schedule:", 9) == 0) {
        base_name(f->sched, sizeof f->sched, trim(s + 9));
      } else if (strncmp(s, "label:", 6) == 0 && !f->label) {
        f->label = strdup(trim(s + 6));
      }
      continue;
    }
    if (!*trim(line))
      continue;
    if (!f->col)
      rc = parse_header(f, line, err);
    else
      parse_row(f, line);
  }
  if (!rc && ferror(fp))
    rc = ims_err_set(err, IMS_EIO, "cannot read '%s': %s", path, strerror(errno));
  fclose(fp);
  if (!rc && !f->col)
    rc = ims_err_set(err, IMS_EINPUT,
                     "%s: no header row; plot reads the tables 'immunosim run' writes", path);
  if (!rc && units)
    parse_units(f, units);
  if (!rc && f->col[f->tcol].nfinite == 0)
    rc = ims_err_set(err, IMS_EINPUT, "%s: no data rows", path);
  free(units);
  free(line);
  return rc;
}

/* Doses from a schedule file, through the library's reader (needs the model). */
static int schedule_doses(pfile_t *f, const char *arg, ims_err_t *err)
{
  const ims_model_t *m = f->mfile[0] ? NULL : ims_model_find(f->model);
  if (f->mfile[0]) { /* a model file's table: open the file it names */
    int rc = cli_model_open(f->mfile, 1, &m, err);
    if (rc)
      return rc;
  }
  if (!m)
    return ims_err_set(err, IMS_EINPUT,
                       "-s %s: %s names no known model ('# model:' line), so its schedule "
                       "cannot be read; drop -s to use its '# dose:' lines",
                       arg, f->path);
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
  f->ndose = 0;
  for (long i = 0; !rc && i < nev; i++) {
    dose_t d = {.t0 = ev[i].time, .t1 = ev[i].time};
    snprintf(d.cmt, sizeof d.cmt, "%s", m->states[ev[i].cmt].name);
    if (ev[i].kind == IMS_EV_INF_OFF) {
      end_infusion(f, d.cmt, d.t0);
      continue;
    }
    if (ev[i].kind == IMS_EV_INF_ON)
      d.infusion = 1, d.t1 = INFINITY;
    if (add_dose(f, &d))
      rc = ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  free(ev);
  ims_schedule_free(s);
  ims_units_free(u);
  cli_model_close(m);
  return rc;
}

/* ---- choosing what to draw ------------------------------------------------ */

static const char *const band_sfx[] = {"_p05", "_p25", "_p50", "_p75", "_p95"};

/* "IL6_p05" -> 1 with base "IL6"; also the _lo/_hi error columns of points files. */
static int is_derived(const char *name, char *base, size_t n)
{
  size_t l = strlen(name);
  for (int k = 0; k < 5; k++)
    if (l > 4 && strcmp(name + l - 4, band_sfx[k]) == 0) {
      snprintf(base, n, "%.*s", (int)(l - 4), name);
      return 1;
    }
  return 0;
}

static int has_band(const pfile_t *f, const char *c)
{
  char a[256], b[256];
  snprintf(a, sizeof a, "%s_p05", c);
  snprintf(b, sizeof b, "%s_p95", c);
  return find_col(f, a) >= 0 && find_col(f, b) >= 0;
}

/* The column drawn as a line for c: c itself, else its median. */
static int line_col(const pfile_t *f, const char *c)
{
  int k = find_col(f, c);
  if (k < 0) {
    char a[256];
    snprintf(a, sizeof a, "%s_p50", c);
    k = find_col(f, a);
  }
  return k;
}

static int file_has(const pfile_t *f, const char *c)
{
  return line_col(f, c) >= 0 || has_band(f, c);
}

/* A panel's data range over every file and every column drawn for c. */
typedef struct range {
  double min, max, minpos;
  long n;
} range_t;

static void range_add_col(range_t *r, const col_t *c)
{
  if (!c->nfinite)
    return;
  r->n += c->nfinite;
  r->min = c->min < r->min ? c->min : r->min;
  r->max = c->max > r->max ? c->max : r->max;
  r->minpos = c->minpos < r->minpos ? c->minpos : r->minpos;
}

static void range_add_name(range_t *r, const pfile_t *f, const char *c)
{
  char a[256];
  int k = find_col(f, c);
  if (k >= 0)
    range_add_col(r, &f->col[k]);
  for (int s = 0; s < 5; s++) {
    snprintf(a, sizeof a, "%s%s", c, band_sfx[s]);
    if ((k = find_col(f, a)) >= 0)
      range_add_col(r, &f->col[k]);
  }
}

static void range_add_value(range_t *r, double v)
{
  r->n++;
  r->min = v < r->min ? v : r->min;
  r->max = v > r->max ? v : r->max;
  if (v > 0 && v < r->minpos)
    r->minpos = v;
}

static int want_log(const range_t *r, int opt)
{
  if (opt >= 0)
    return opt;
  return r->min >= 0 && isfinite(r->minpos) && r->max / r->minpos > 1e3;
}

/* Axis limits putting the data between graph fractions bottom and 1 - top. */
static void axis_limits(const range_t *r, double loglo, int logax, double bottom, double top,
                        double *lo, double *hi)
{
  double a, b;
  if (logax) {
    b = log10(r->max);
    a = log10(loglo);
  } else {
    a = r->min;
    b = r->max;
    if (a >= 0 && a <= 0.25 * b) /* amounts, cells, concentrations: from zero */
      a = 0;
  }
  double span = b - a;
  if (!(span > 0))
    span = logax ? 1 : (b != 0 ? fabs(b) : 1);
  if (!logax && a == 0 && bottom < 0.01)
    bottom = 0;
  double full = span / (1 - bottom - top);
  a -= bottom * full;
  b += top * full;
  *lo = logax ? pow(10, a) : a;
  *hi = logax ? pow(10, b) : b;
}

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
  if (a[0] && ims__parse_double(a, lo))
    return ims_err_set(err, IMS_EINPUT, "%s %s: '%s' is not a number", opt, s, a);
  if (b[0] && ims__parse_double(b, hi))
    return ims_err_set(err, IMS_EINPUT, "%s %s: '%s' is not a number", opt, s, b);
  if (!isnan(*lo) && !isnan(*hi) && !(*hi > *lo))
    return ims_err_set(err, IMS_EINPUT, "%s %s: HI must be above LO", opt, s);
  return 0;
}

/* ---- the figure ------------------------------------------------------------ */

typedef struct hline {
  char col[128];
  double v;
  const char *label;
} hline_t;

typedef struct plot {
  const cli_plot_opts_t *o;
  pfile_t *f;
  int nf;
  pfile_t *pts;
  int npts;
  char *panel[64]; /* chosen columns (base names) */
  int ncol;
  hline_t hl[CLI_MAX_REPEAT];
  int nhl;
  cli_tmpl_t t;
  double tscale, xmin, xmax;
  int dose_rows; /* rows of dose markers: 0, 1 (shared), or one per file */
  int dose_of[64];
  const pfile_t *dose_src[64];
  int have_bolus, have_inf, have_band;
  int logx; /* --x: the x axis is logarithmic */
  ims_err_t *err;
} plot_t;

static const char *sec(plot_t *p, const char *name)
{
  const char *s = cli_tmpl_section(&p->t, name);
  if (!s) {
    ims_err_set(p->err, IMS_EIO, "%s: no section '#@@ %s'", p->t.path, name);
    return "";
  }
  return s;
}

/* Fill a section into b; kv as for cli_tmpl_fill. */
static void emit(plot_t *p, cli_buf_t *b, const char *section, const char *const *kv)
{
  const char *missing = NULL;
  if (cli_tmpl_fill(b, sec(p, section), kv, &missing) && !p->err->code)
    ims_err_set(p->err, IMS_EIO, "%s: section '%s' uses @%.*s@, which plot does not fill",
                p->t.path, section, (int)(strcspn(missing, "@")), missing);
}

static void num(char *s, size_t n, double v)
{
  snprintf(s, n, "%.8g", v);
}

/* Text escaped for enhanced mode, into a fixed buffer. */
static void gp_text(char *out, size_t n, const char *s)
{
  cli_buf_t b = {0};
  cli_buf_gp_text(&b, s);
  snprintf(out, n, "%s", cli_buf_str(&b));
  cli_buf_free(&b);
}

static void gp_str(char *out, size_t n, const char *s)
{
  cli_buf_t b = {0};
  cli_buf_gp_str(&b, s);
  snprintf(out, n, "%s", cli_buf_str(&b));
  cli_buf_free(&b);
}

static const char *unit_of(const plot_t *p, const char *c)
{
  for (int i = 0; i < p->nf; i++) {
    int k = line_col(&p->f[i], c);
    if (k < 0) {
      char a[256];
      snprintf(a, sizeof a, "%s_p05", c);
      k = find_col(&p->f[i], a);
    }
    if (k >= 0 && p->f[i].col[k].unit)
      return p->f[i].col[k].unit;
  }
  return NULL;
}

/* "IL6 (pg/mL)"; dimensionless ("1") columns carry no unit. */
static void col_label(char *out, size_t n, const plot_t *p, const char *c)
{
  const char *u = unit_of(p, c);
  if (u && *u && strcmp(u, "1"))
    snprintf(out, n, "%s (%s)", c, u);
  else
    snprintf(out, n, "%s", c);
}

static int suggest_col(const plot_t *p, const char *name, ims_err_t *err, const char *opt)
{
  const char *names[512];
  int n = 0;
  for (int i = 0; i < p->nf; i++)
    for (int k = 0; k < p->f[i].ncols && n < 512; k++)
      names[n++] = p->f[i].col[k].name;
  const char *s = cli_suggest(name, names, n);
  cli_buf_t b = {0};
  for (int k = 0; k < p->f[0].ncols; k++)
    cli_buf_printf(&b, "%s%s", k ? "," : "", p->f[0].col[k].name);
  int rc;
  if (s)
    rc = ims_err_set(err, IMS_EINPUT, "%s: no column '%s' in %s; did you mean '%s'?", opt, name,
                     p->f[0].path, s);
  else
    rc = ims_err_set(err, IMS_EINPUT, "%s: no column '%s' in %s; its columns are %s", opt, name,
                     p->f[0].path, cli_buf_str(&b));
  cli_buf_free(&b);
  return rc;
}

static int add_panel(plot_t *p, const char *c)
{
  for (int i = 0; i < p->ncol; i++)
    if (strcmp(p->panel[i], c) == 0)
      return 0;
  if (p->ncol == 64)
    return 0;
  p->panel[p->ncol] = strdup(c);
  return p->panel[p->ncol] ? (p->ncol++, 0) : ims_err_set(p->err, IMS_ENOMEM, "out of memory");
}

static int any_nonzero(const plot_t *p, const char *c)
{
  range_t r = {INFINITY, -INFINITY, INFINITY, 0};
  for (int i = 0; i < p->nf; i++)
    range_add_name(&r, &p->f[i], c);
  return r.n > 0 && (r.min != 0 || r.max != 0);
}

static int choose_columns(plot_t *p)
{
  const cli_plot_opts_t *o = p->o;
  int rc = 0;
  for (int i = 0; !rc && i < o->ny; i++) {
    char *copy = strdup(o->y[i]);
    if (!copy)
      return ims_err_set(p->err, IMS_ENOMEM, "out of memory");
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); !rc && tok; tok = strtok_r(NULL, ",", &save)) {
      tok = trim(tok);
      int found = 0;
      for (int k = 0; k < p->nf; k++)
        found |= file_has(&p->f[k], tok);
      rc = found ? add_panel(p, tok) : suggest_col(p, tok, p->err, "--y");
    }
    free(copy);
  }
  if (rc || o->ny)
    return rc;
  /* Default: the model's outputs when it has any, else every column; skip all-zero ones. */
  const pfile_t *f = &p->f[0];
  const ims_model_t *m = ims_model_find(f->model);
  /* pass 0 skips columns that are zero throughout; pass 1 (all zero) takes them anyway */
  for (int pass = 0; pass < 2 && !rc && !p->ncol; pass++) {
    for (int i = 0; m && !rc && i < m->noutputs; i++)
      if (file_has(f, m->outputs[i].name) && (pass || any_nonzero(p, m->outputs[i].name)))
        rc = add_panel(p, m->outputs[i].name);
    for (int k = 0, any = p->ncol; !rc && !any && k < f->ncols; k++) {
      char base[256];
      const char *c = f->col[k].name;
      if (k == f->tcol || (p->o->xcol && !strcmp(c, p->o->xcol)))
        continue;
      if (is_derived(c, base, sizeof base))
        c = base;
      if (pass || any_nonzero(p, c))
        rc = add_panel(p, c);
    }
  }
  if (!rc && !p->ncol)
    return ims_err_set(p->err, IMS_EINPUT, "%s: no data columns besides time", f->path);
  if (!rc && p->ncol > MAX_PANELS && !o->overlay) {
    fprintf(stderr, "immunosim: plot: showing the first %d of %d columns; choose with --y\n",
            MAX_PANELS, p->ncol);
    while (p->ncol > MAX_PANELS)
      free(p->panel[--p->ncol]);
  }
  return rc;
}

static int parse_hlines(plot_t *p)
{
  for (int i = 0; i < p->o->nhline; i++) {
    const char *a = p->o->hline[i];
    hline_t *h = &p->hl[p->nhl];
    const char *eq = strchr(a, '=');
    if (!eq || eq == a || (size_t)(eq - a) >= sizeof h->col)
      return ims_err_set(p->err, IMS_EINPUT,
                         "--hline %s: expected COL=VALUE[:LABEL], e.g. IL6=1000:\"severe CRS\"", a);
    snprintf(h->col, sizeof h->col, "%.*s", (int)(eq - a), a);
    const char *colon = strchr(eq + 1, ':');
    char v[64];
    snprintf(v, sizeof v, "%.*s", (int)(colon ? colon - eq - 1 : (long)strlen(eq + 1)), eq + 1);
    if (ims__parse_double(v, &h->v))
      return ims_err_set(p->err, IMS_EINPUT, "--hline %s: '%s' is not a number", a, v);
    h->label = colon ? colon + 1 : "";
    int k = 0;
    while (k < p->ncol && strcmp(p->panel[k], h->col))
      k++;
    if (k == p->ncol) {
      int found = 0;
      for (int j = 0; j < p->nf; j++)
        found |= file_has(&p->f[j], h->col);
      if (!found)
        return suggest_col(p, h->col, p->err, "--hline");
      return ims_err_set(p->err, IMS_EINPUT,
                         "--hline %s: column '%s' has no panel; add it with --y", a, h->col);
    }
    p->nhl++;
  }
  return 0;
}

/* Doses: one shared row when every file with doses has the same ones, else a row per file. */
static void plan_doses(plot_t *p)
{
  p->dose_rows = 0;
  if (p->o->no_doses || p->o->xcol)
    return;
  const pfile_t *first = NULL;
  int same = 1, nwith = 0;
  for (int i = 0; i < p->nf; i++) {
    const pfile_t *f = &p->f[i];
    if (!f->ndose)
      continue;
    nwith++;
    for (int k = 0; k < f->ndose; k++)
      if (f->dose[k].infusion)
        p->have_inf = 1;
      else
        p->have_bolus = 1;
    if (!first)
      first = f;
    else if (f->ndose != first->ndose ||
             memcmp(f->dose, first->dose, (size_t)f->ndose * sizeof *f->dose) != 0)
      same = 0;
  }
  if (!nwith)
    return;
  if (same || nwith == 1) {
    p->dose_rows = 1;
    p->dose_src[0] = first;
    p->dose_of[0] = p->nf > 1 && nwith == 1 ? (int)(first - p->f) + 1 : 0;
    if (p->dose_of[0] && p->o->overlay)
      p->dose_of[0] = 0;
    return;
  }
  for (int i = 0; i < p->nf && p->dose_rows < 64; i++)
    if (p->f[i].ndose) {
      p->dose_src[p->dose_rows] = &p->f[i];
      p->dose_of[p->dose_rows++] = p->o->overlay ? 0 : i + 1;
    }
}

#define STRIP_ROW 0.035 /* graph fraction per row of dose markers */

static double strip_height(const plot_t *p)
{
  return p->dose_rows ? 0.006 + p->dose_rows * STRIP_ROW + 0.02 : 0;
}

static void emit_doses(plot_t *p, cli_buf_t *b)
{
  char color[64], lt[16], t0[32], t1[32], y0[32], y1[32];
  double minw = 0.004 * (p->xmax - p->xmin);
  for (int r = 0; r < p->dose_rows; r++) {
    const pfile_t *f = p->dose_src[r];
    cli_buf_t cb = {0};
    snprintf(lt, sizeof lt, "%d", p->dose_of[r]);
    const char *ckv[] = {"LT", lt, NULL};
    emit(p, &cb, p->dose_of[r] ? "color_lt" : "color_dose", ckv);
    snprintf(color, sizeof color, "%s", cli_buf_str(&cb));
    cli_buf_free(&cb);
    num(y0, sizeof y0, 0.006 + r * STRIP_ROW);
    num(y1, sizeof y1, 0.006 + r * STRIP_ROW + 0.8 * STRIP_ROW);
    for (int k = 0; k < f->ndose; k++) {
      const dose_t *d = &f->dose[k];
      double a = d->t0 / p->tscale, z = (isinf(d->t1) ? p->xmax * p->tscale : d->t1) / p->tscale;
      if (d->infusion) {
        if (z - a < minw) /* short infusions stay visible */
          z = a + minw;
        a = fmax(a, p->xmin);
        z = fmin(z, p->xmax);
        if (!(z > a))
          continue;
        num(t0, sizeof t0, a);
        num(t1, sizeof t1, z);
        const char *kv[] = {"T0", t0, "T1", t1, "Y0", y0, "Y1", y1, "COLOR", color, NULL};
        emit(p, b, "infusion", kv);
      } else {
        if (a < p->xmin || a > p->xmax)
          continue;
        num(t0, sizeof t0, a);
        const char *kv[] = {"T", t0, "Y0", y0, "Y1", y1, "COLOR", color, NULL};
        emit(p, b, "bolus", kv);
      }
      cli_buf_puts(b, "\n");
    }
  }
}

static void series_sep(cli_buf_t *b)
{
  if (b->n)
    cli_buf_puts(b, ", \\\n  ");
}

/* Series for column c of file f, with line type lt and dash type dt. */
static void emit_series(plot_t *p, cli_buf_t *b, const pfile_t *f, const char *c, int lt, int dt)
{
  char file[PATH_MAX * 2], xs[512], col[512], ycol[512], lts[16], dts[16];
  gp_str(file, sizeof file, f->path);
  gp_str(col, sizeof col, c);
  cli_buf_t xb = {0};
  if (p->o->xcol) {
    char xc[512];
    gp_str(xc, sizeof xc, p->o->xcol);
    const char *kv[] = {"XCOLUMN", xc, NULL};
    emit(p, &xb, "xcol", kv);
  } else {
    char tc[512];
    gp_str(tc, sizeof tc, f->col[f->tcol].name);
    const char *kv[] = {"TIME", tc, NULL};
    emit(p, &xb, "xtime", kv);
  }
  snprintf(xs, sizeof xs, "%s", cli_buf_str(&xb));
  cli_buf_free(&xb);
  snprintf(lts, sizeof lts, "%d", lt);
  snprintf(dts, sizeof dts, "%d", dt);
  if (has_band(f, c)) {
    const char *kv[] = {"FILE", file, "X", xs, "COLUMN", col, "LT", lts, NULL};
    series_sep(b);
    emit(p, b, "band_outer", kv);
    p->have_band |= 1;
    char a[256], z[256];
    snprintf(a, sizeof a, "%s_p25", c);
    snprintf(z, sizeof z, "%s_p75", c);
    if (find_col(f, a) >= 0 && find_col(f, z) >= 0) {
      series_sep(b);
      emit(p, b, "band_inner", kv);
      p->have_band |= 2;
    }
  }
  int k = line_col(f, c);
  if (k >= 0) {
    series_sep(b);
    gp_str(ycol, sizeof ycol, f->col[k].name);
    const char *kv[] = {"FILE", file, "X", xs, "YCOLUMN", ycol, "LT", lts, "DT", dts, NULL};
    emit(p, b, "line", kv);
  }
}

static void emit_points(plot_t *p, cli_buf_t *b, const char *c)
{
  if (p->o->xcol)
    return;
  for (int i = 0; i < p->npts; i++) {
    const pfile_t *f = &p->pts[i];
    if (find_col(f, c) < 0)
      continue;
    char lo[256], hi[256], file[PATH_MAX * 2], col[512], pt[16];
    snprintf(lo, sizeof lo, "%s_lo", c);
    snprintf(hi, sizeof hi, "%s_hi", c);
    gp_str(file, sizeof file, f->path);
    gp_str(col, sizeof col, c);
    snprintf(pt, sizeof pt, "%d", 7 + 2 * (i % 4));
    series_sep(b);
    const char *kv[] = {"FILE", file, "COLUMN", col, "PT", pt, NULL};
    emit(p, b, find_col(f, lo) >= 0 && find_col(f, hi) >= 0 ? "points_err" : "points", kv);
  }
}

static void panel_range(plot_t *p, char **cols, int ncols, range_t *r)
{
  *r = (range_t){INFINITY, -INFINITY, INFINITY, 0};
  for (int c = 0; c < ncols; c++) {
    for (int i = 0; i < p->nf; i++)
      range_add_name(r, &p->f[i], cols[c]);
    for (int i = 0; !p->o->xcol && i < p->npts; i++) {
      char a[256];
      int k = find_col(&p->pts[i], cols[c]);
      if (k >= 0)
        range_add_col(r, &p->pts[i].col[k]);
      snprintf(a, sizeof a, "%s_lo", cols[c]);
      if ((k = find_col(&p->pts[i], a)) >= 0)
        range_add_col(r, &p->pts[i].col[k]);
      snprintf(a, sizeof a, "%s_hi", cols[c]);
      if ((k = find_col(&p->pts[i], a)) >= 0)
        range_add_col(r, &p->pts[i].col[k]);
    }
    for (int h = 0; h < p->nhl; h++)
      if (strcmp(p->hl[h].col, cols[c]) == 0)
        range_add_value(r, p->hl[h].v);
  }
}

/* One panel: cols[0..ncols) drawn at grid position (row, colpos). */
static int emit_panel(plot_t *p, cli_buf_t *out, int idx, char **cols, int ncols, int row,
                      int colpos, int bottom_row)
{
  const cli_plot_opts_t *o = p->o;
  range_t r;
  panel_range(p, cols, ncols, &r);
  if (!r.n)
    return ims_err_set(p->err, IMS_EINPUT, "column '%s' has no finite values in %s", cols[0],
                       p->f[0].path);
  int logy = want_log(&r, o->logy);
  if (logy && !(r.max > 0))
    return ims_err_set(p->err, IMS_EINPUT, "--logy: column '%s' has no positive values; use --liny",
                       cols[0]);
  for (int h = 0; logy && h < p->nhl; h++)
    for (int c = 0; c < ncols; c++)
      if (!strcmp(p->hl[h].col, cols[c]) && !(p->hl[h].v > 0))
        return ims_err_set(p->err, IMS_EINPUT,
                           "--hline %s=%g on a log axis must be positive; add --liny", p->hl[h].col,
                           p->hl[h].v);
  /* log axes show each column down to at most 6 decades below its peak */
  double loglo = INFINITY, ylo, yhi;
  for (int c = 0; c < ncols; c++) {
    range_t rc;
    panel_range(p, &cols[c], 1, &rc);
    if (rc.n && isfinite(rc.minpos))
      loglo = fmin(loglo, fmax(rc.minpos, rc.max * 1e-6));
  }
  if (!isfinite(loglo))
    loglo = r.max * 1e-6;
  axis_limits(&r, loglo, logy, logy || strip_height(p) > 0 ? strip_height(p) + 0.03 : 0.03, 0.06,
              &ylo, &yhi);
  if (o->yrange) {
    double a, b;
    int rc = parse_range("--yrange", o->yrange, &a, &b, p->err);
    if (rc)
      return rc;
    ylo = isnan(a) ? ylo : a;
    yhi = isnan(b) ? yhi : b;
  }
  char sn[16], srow[16], scol[16], symin[32], symax[32], ylabel[1024], column[512];
  snprintf(sn, sizeof sn, "%d", idx + 1);
  snprintf(srow, sizeof srow, "%d", row);
  snprintf(scol, sizeof scol, "%d", colpos);
  num(symin, sizeof symin, ylo);
  num(symax, sizeof symax, yhi);

  /* y label: the column and its unit; overlaid columns share it when their units agree */
  cli_buf_t lb = {0};
  if (ncols == 1) {
    col_label(ylabel, sizeof ylabel, p, cols[0]);
  } else {
    const char *u = unit_of(p, cols[0]);
    int same = 1;
    for (int c = 1; c < ncols; c++) {
      const char *v = unit_of(p, cols[c]);
      same &= (u && v && !strcmp(u, v)) || (!u && !v);
    }
    for (int c = 0; same && c < ncols; c++)
      cli_buf_printf(&lb, "%s%s", c ? ", " : "", cols[c]);
    if (same && lb.n > 40) {
      cli_buf_free(&lb);
      cli_buf_puts(&lb, "value");
    }
    if (same && u && strcmp(u, "1"))
      cli_buf_printf(&lb, " (%s)", u);
    snprintf(ylabel, sizeof ylabel, "%s", same ? cli_buf_str(&lb) : "value (units in legend)");
    cli_buf_free(&lb);
  }
  if (o->ylabel)
    snprintf(ylabel, sizeof ylabel, "%s", o->ylabel);
  char ylab[2048];
  gp_text(ylab, sizeof ylab, ylabel);
  gp_text(column, sizeof column, cols[0]);
  for (int c = 1; c < ncols; c++)
    snprintf(column + strlen(column), sizeof column - strlen(column), ", %s", cols[c]);

  /* x axis */
  cli_buf_t xb = {0};
  char sxmin[32], sxmax[32], xlabel[1024];
  num(sxmin, sizeof sxmin, p->xmin);
  num(sxmax, sizeof sxmax, p->xmax);
  if (o->xcol) {
    char raw[1024];
    col_label(raw, sizeof raw, p, o->xcol);
    gp_text(xlabel, sizeof xlabel, raw);
    cli_buf_t lx = {0};
    emit(p, &lx, p->logx ? "logx" : "linx", (const char *const[]){NULL});
    const char *kv[] = {"XMIN", sxmin,  "XMAX",           sxmax, "XLABEL",
                        xlabel, "XLOG", cli_buf_str(&lx), NULL};
    emit(p, &xb, "xaxis_col", kv);
    cli_buf_free(&lx);
  } else {
    const char *tu = p->f[0].col[p->f[0].tcol].unit;
    char raw[256];
    snprintf(raw, sizeof raw, "time%s%s%s",
             o->weeks ? " (weeks"
             : tu     ? " ("
                      : "",
             o->weeks ? ""
             : tu     ? tu
                      : "",
             o->weeks || tu ? ")" : "");
    gp_text(xlabel, sizeof xlabel, raw);
    const char *kv[] = {"XMIN", sxmin, "XMAX", sxmax, "XLABEL", xlabel, NULL};
    emit(p, &xb, bottom_row ? "xaxis_time" : "xaxis_time_nolabel", kv);
  }
  cli_buf_t yb = {0};
  if (logy && ylo > 0 && yhi / ylo < 100) {
    /* under two decades a log axis would show one or no labelled tick: 1, 2, 5 x 10^k */
    cli_buf_t tb = {0};
    for (double d = pow(10, floor(log10(ylo))); d <= yhi; d *= 10)
      for (int m = 0; m < 3; m++) {
        double t = d * (m == 0 ? 1 : m == 1 ? 2 : 5);
        char v[32];
        num(v, sizeof v, t);
        if (t >= ylo * (1 - 1e-9) && t <= yhi * (1 + 1e-9))
          cli_buf_printf(&tb, "%s%s", tb.n ? ", " : "", v);
      }
    /* plain numbers between 0.01 and 1e4, else 2x10^6: tick labels stay narrow */
    const char *fmt = ylo >= 0.01 && yhi <= 1e4 ? "%g"
                                                : "%.0t\xc3\x97"
                                                  "10^{%T}" /* U+00D7 */;
    emit(p, &yb, "logy_fine", (const char *const[]){"TICS", cli_buf_str(&tb), "FORMAT", fmt, NULL});
    cli_buf_free(&tb);
  } else {
    emit(p, &yb, logy ? "logy" : "liny", (const char *const[]){NULL});
  }

  /* markers: doses along the bottom, reference lines */
  cli_buf_t mb = {0};
  emit_doses(p, &mb);
  for (int h = 0; h < p->nhl; h++)
    for (int c = 0; c < ncols; c++)
      if (!strcmp(p->hl[h].col, cols[c])) {
        char v[32], label[1024];
        num(v, sizeof v, p->hl[h].v);
        gp_text(label, sizeof label, p->hl[h].label);
        const char *kv[] = {"V", v, "LABEL", label, NULL};
        emit(p, &mb, "hline", kv);
        cli_buf_puts(&mb, "\n");
      }
  if (mb.n && mb.s[mb.n - 1] == '\n')
    mb.s[--mb.n] = '\0';

  /* series */
  cli_buf_t sb = {0};
  if (ncols == 1)
    for (int i = 0; i < p->nf; i++)
      emit_series(p, &sb, &p->f[i], cols[0], p->nf > 1 ? i + 1 : 1, 1);
  else
    for (int c = 0; c < ncols; c++)
      for (int i = 0; i < p->nf; i++)
        emit_series(p, &sb, &p->f[i], cols[c], c + 1, i + 1);
  for (int c = 0; c < ncols; c++)
    emit_points(p, &sb, cols[c]);

  const char *kv[] = {"N",      sn,
                      "COLUMN", column,
                      "ROW",    srow,
                      "COL",    scol,
                      "XAXIS",  cli_buf_str(&xb),
                      "YAXIS",  cli_buf_str(&yb),
                      "YMIN",   symin,
                      "YMAX",   symax,
                      "YLABEL", ylab,
                      "MARKS",  cli_buf_str(&mb),
                      "SERIES", cli_buf_str(&sb),
                      NULL};
  emit(p, out, "panel", kv);
  cli_buf_puts(out, "\n");
  int oom = xb.oom || yb.oom || mb.oom || sb.oom;
  cli_buf_free(&xb);
  cli_buf_free(&yb);
  cli_buf_free(&mb);
  cli_buf_free(&sb);
  return oom ? ims_err_set(p->err, IMS_ENOMEM, "out of memory") : p->err->code;
}

typedef struct entry {
  const char *section;
  char label[512];
  int lt, dt;
  const char *extra; /* alpha, point style */
} entry_t;

/* The shared legend's entries, and how many rows they need. */
static int legend_entries(plot_t *p, entry_t *e, int max)
{
  int n = 0;
  const cli_plot_opts_t *o = p->o;
#define ADD(sec_, lt_, dt_, extra_, ...)                                                           \
  do {                                                                                             \
    if (n < max) {                                                                                 \
      e[n] = (entry_t){.section = sec_, .lt = lt_, .dt = dt_, .extra = extra_};                    \
      snprintf(e[n].label, sizeof e[n].label, __VA_ARGS__);                                        \
      n++;                                                                                         \
    }                                                                                              \
  } while (0)
  int overlay = o->overlay && p->ncol > 1;
  if (overlay)
    for (int c = 0; c < p->ncol; c++) {
      char l[512];
      col_label(l, sizeof l, p, p->panel[c]);
      ADD("key_line", c + 1, 1, NULL, "%s", l);
    }
  if (p->nf > 1)
    for (int i = 0; i < p->nf; i++)
      ADD("key_line", overlay ? 7 : i + 1, overlay ? i + 1 : 1, NULL, "%s", p->f[i].label);
  if (p->have_band) {
    if (p->nf == 1 && !overlay)
      ADD("key_line", 1, 1, NULL, "median");
    int blt = p->nf == 1 && !overlay ? 1 : 0; /* grey when the bands have several colours */
    if (p->have_band & 2)
      ADD("key_band", blt, 0, "0.38", "25-75 %%");
    ADD("key_band", blt, 0, "0.18", "5-95 %%");
  }
  for (int i = 0; i < p->npts && !o->xcol; i++)
    ADD("key_points", 7 + 2 * (i % 4), 0, "points", "%s", p->pts[i].label);
  if (p->dose_rows) {
    char cmts[256] = "";
    for (int r = 0; r < p->dose_rows; r++)
      for (int k = 0; k < p->dose_src[r]->ndose; k++) {
        const char *c = p->dose_src[r]->dose[k].cmt;
        char pat[80];
        snprintf(pat, sizeof pat, " %s,", c);
        char padded[260];
        snprintf(padded, sizeof padded, " %s,", cmts);
        if (!strstr(padded, pat) && strlen(cmts) + strlen(c) + 3 < sizeof cmts)
          snprintf(cmts + strlen(cmts), sizeof cmts - strlen(cmts), "%s%s", *cmts ? ", " : "", c);
      }
    int lt = p->dose_rows == 1 ? p->dose_of[0] : 0;
    if (p->have_bolus)
      ADD("key_bolus", lt, 0, NULL, "bolus (%s)", cmts);
    if (p->have_inf)
      ADD("key_infusion", lt, 0, NULL, "infusion (%s)", cmts);
  }
#undef ADD
  return n;
}

static int legend_rows(const entry_t *e, int n)
{
  if (!n)
    return 0;
  size_t w = 0;
  for (int i = 0; i < n; i++)
    w = strlen(e[i].label) > w ? strlen(e[i].label) : w;
  int per = (int)(95 / (w + 8));
  per = per < 1 ? 1 : per;
  return (n + per - 1) / per;
}

static void emit_legend(plot_t *p, cli_buf_t *out, const entry_t *e, int n, int rows)
{
  cli_buf_t eb = {0};
  for (int i = 0; i < n; i++) {
    char lt[16], dt[16], label[1024], color[64];
    snprintf(lt, sizeof lt, "%d", e[i].lt);
    snprintf(dt, sizeof dt, "%d", e[i].dt);
    gp_text(label, sizeof label, e[i].label);
    cli_buf_t cb = {0};
    emit(p, &cb, e[i].lt ? "color_lt" : "color_dose", (const char *const[]){"LT", lt, NULL});
    snprintf(color, sizeof color, "%s", cli_buf_str(&cb));
    cli_buf_free(&cb);
    const char *kv[] = {"LT",    lt,
                        "DT",    dt,
                        "LABEL", label,
                        "COLOR", color,
                        "ALPHA", e[i].extra ? e[i].extra : "",
                        "PT",    lt,
                        "WITH",  e[i].extra ? e[i].extra : "",
                        NULL};
    series_sep(&eb);
    emit(p, &eb, e[i].section, kv);
  }
  char srows[16];
  snprintf(srows, sizeof srows, "%d", rows);
  const char *kv[] = {"LEGEND_ROWS", srows, "ENTRIES", cli_buf_str(&eb), NULL};
  emit(p, out, "legend", kv);
  cli_buf_puts(out, "\n");
  cli_buf_free(&eb);
}

static void default_title(const plot_t *p, char *out, size_t n)
{
  out[0] = '\0';
  const pfile_t *f = &p->f[0];
  if (!ims_model_find(f->model))
    return;
  int same = 1;
  for (int i = 1; i < p->nf; i++)
    same &= strcmp(p->f[i].model, f->model) == 0;
  if (!same)
    return;
  snprintf(out, n, "%s", f->model);
  if (p->nf == 1 && f->pset[0])
    snprintf(out + strlen(out), n - strlen(out), ": %s", f->pset);
  if (p->nf == 1 && f->sched[0] && !p->o->schedule)
    snprintf(out + strlen(out), n - strlen(out), ", %s", f->sched);
}

int cli_slurp_text(const char *path, char **out, ims_err_t *err)
{
  cli_tmpl_t t;
  if (cli_tmpl_load(&t, path))
    return ims_err_set(err, IMS_EIO,
                       "cannot read the plot template %s: %s; set IMMUNOSIM_DATA to the "
                       "directory holding params/ and plots/",
                       path, strerror(errno));
  *out = t.text; /* no sections in style files: the whole text */
  t.text = NULL;
  cli_tmpl_free(&t);
  size_t l = strlen(*out);
  while (l && (*out)[l - 1] == '\n')
    (*out)[--l] = '\0';
  return 0;
}

static int build_script(plot_t *p, cli_buf_t *out, const char *fig, const char *script,
                        const char *term)
{
  const cli_plot_opts_t *o = p->o;
  char path[PATH_MAX * 2], style_path[PATH_MAX * 2], pal_path[PATH_MAX * 2];
  snprintf(path, sizeof path, "%s/plots/%s", cli_datadir(), TEMPLATE);
  snprintf(style_path, sizeof style_path, "%s/plots/style_%s.gp", cli_datadir(), o->style);
  snprintf(pal_path, sizeof pal_path, "%s/plots/palette.gp", cli_datadir());
  if (cli_tmpl_load(&p->t, path))
    return ims_err_set(p->err, IMS_EIO,
                       "cannot read the plot template %s: %s; set IMMUNOSIM_DATA to the "
                       "directory holding params/ and plots/",
                       path, strerror(errno));
  char *style = NULL, *palette = NULL;
  int rc = cli_slurp_text(style_path, &style, p->err);
  rc = rc ? rc : cli_slurp_text(pal_path, &palette, p->err);
  if (rc) {
    free(style);
    free(palette);
    return rc;
  }

  /* panels */
  int npanel = o->overlay ? 1 : p->ncol;
  int ncols = npanel <= 3 ? 1 : npanel <= 4 ? 2 : 3;
  int nrows = (npanel + ncols - 1) / ncols;
  cli_buf_t legend = {0}, panels = {0};
  for (int i = 0; !rc && i < npanel; i++) {
    int row = i / ncols, col = i % ncols;
    int bottom = row == nrows - 1 || i + ncols >= npanel;
    rc = o->overlay ? emit_panel(p, &panels, 0, p->panel, p->ncol, 0, 0, 1)
                    : emit_panel(p, &panels, i, &p->panel[i], 1, row, col, bottom);
  }
  entry_t e[64]; /* after the panels: they find out whether there are bands */
  int ne = legend_entries(p, e, 64);
  int lrows = legend_rows(e, ne);
  if (ne)
    emit_legend(p, &legend, e, ne, lrows);

  /* the whole script */
  char title[1024] = "", mtitle[2048] = "", data[PATH_MAX * 4] = "", cwd[PATH_MAX] = ".";
  if (o->title)
    snprintf(title, sizeof title, "%s", o->title);
  else
    default_title(p, title, sizeof title);
  cli_buf_t tb = {0};
  if (title[0]) {
    char t[2048];
    gp_text(t, sizeof t, title);
    emit(p, &tb, "title", (const char *const[]){"TITLE", t, NULL});
  }
  snprintf(mtitle, sizeof mtitle, "%s", cli_buf_str(&tb));
  cli_buf_free(&tb);
  char terminal[1024], tsec[32];
  snprintf(tsec, sizeof tsec, "terminal_%s", term);
  emit(p, &tb, tsec, (const char *const[]){NULL});
  snprintf(terminal, sizeof terminal, "%s", cli_buf_str(&tb));
  cli_buf_free(&tb);
  for (int i = 0; i < p->nf; i++)
    snprintf(data + strlen(data), sizeof data - strlen(data), "%s%s", i ? " " : "", p->f[i].path);
  for (int i = 0; i < p->npts; i++)
    snprintf(data + strlen(data), sizeof data - strlen(data), " %s", p->pts[i].path);
  if (!getcwd(cwd, sizeof cwd))
    snprintf(cwd, sizeof cwd, ".");
  char srows[16], scols[16], slegend[16], stscale[16], shas[4], sfig[PATH_MAX * 2], sep[4] = ",";
  snprintf(srows, sizeof srows, "%d", nrows);
  snprintf(scols, sizeof scols, "%d", ncols);
  snprintf(slegend, sizeof slegend, "%d", lrows);
  snprintf(stscale, sizeof stscale, "%g", p->tscale);
  snprintf(shas, sizeof shas, "%d", title[0] != 0);
  gp_str(sfig, sizeof sfig, fig);
  if (p->f[0].sep == '\t')
    snprintf(sep, sizeof sep, "\\t");
  const char *kv[] = {"TITLE_COMMENT",
                      title[0] ? title : "immunosim figure",
                      "VERSION",
                      IMS_VERSION,
                      "TEMPLATE",
                      path,
                      "CWD",
                      cwd,
                      "SCRIPT",
                      script,
                      "DATA",
                      data,
                      "STYLE_FILE",
                      style_path,
                      "STYLE",
                      style,
                      "PALETTE_FILE",
                      pal_path,
                      "PALETTE",
                      palette,
                      "TERM",
                      term,
                      "TERMINAL",
                      terminal,
                      "OUTPUT",
                      sfig,
                      "SEP",
                      sep,
                      "ROWS",
                      srows,
                      "COLS",
                      scols,
                      "HAS_TITLE",
                      shas,
                      "LEGEND_ROWS",
                      slegend,
                      "TSCALE",
                      stscale,
                      "MULTIPLOT_TITLE",
                      mtitle,
                      "LEGEND",
                      cli_buf_str(&legend),
                      "PANELS",
                      cli_buf_str(&panels),
                      NULL};
  if (!rc)
    emit(p, out, "script", kv);
  cli_buf_puts(out, "\n");
  rc = rc ? rc : p->err->code;
  if (!rc && (out->oom || legend.oom || panels.oom))
    rc = ims_err_set(p->err, IMS_ENOMEM, "out of memory");
  cli_buf_free(&legend);
  cli_buf_free(&panels);
  free(style);
  free(palette);
  return rc;
}

int cli_gnuplot(const char *script, const char *fig, ims_err_t *err)
{
  const char *gp = getenv("IMMUNOSIM_GNUPLOT");
  if (!gp || !*gp)
    gp = "gnuplot";
  char *argv[] = {(char *)gp, (char *)script, NULL};
  pid_t pid;
  int rc = posix_spawnp(&pid, gp, NULL, NULL, argv, environ);
  if (rc == ENOENT || rc == EACCES)
    return ims_err_set(err, IMS_EIO,
                       "gnuplot not found ('%s'); install it (apt-get install gnuplot-nox) and "
                       "run 'gnuplot %s'; the script and data are written",
                       gp, script);
  if (rc)
    return ims_err_set(err, IMS_EIO, "cannot start %s: %s", gp, strerror(rc));
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return ims_err_set(err, IMS_EIO, "waiting for %s: %s", gp, strerror(errno));
  if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
    return ims_err_set(err, IMS_EIO,
                       "gnuplot not found ('%s'); install it (apt-get install gnuplot-nox) and "
                       "run 'gnuplot %s'; the script and data are written",
                       gp, script);
  if (!WIFEXITED(st) || WEXITSTATUS(st))
    return ims_err_set(err, IMS_EIO, "gnuplot failed on %s (see its messages above)", script);
  struct stat sb;
  if (stat(fig, &sb) || sb.st_size == 0)
    return ims_err_set(err, IMS_EIO, "gnuplot wrote no figure %s from %s", fig, script);
  return 0;
}

/* Load a template's "script" section, fill the fields every figure shares
 * plus the caller's, and write the script. */
static int fill_script(const char *tmpl, const char *fig, const char *script, const char *title,
                       const char *const *kv, cli_buf_t *b, ims_err_t *err)
{
  cli_tmpl_t tt = {0}, ts = {0};
  char *style = NULL, *pal = NULL, path[PATH_MAX * 2], tsec[32], cwd[PATH_MAX] = ".", ttl[1024];
  const char *miss = NULL;
  snprintf(path, sizeof path, "%s/plots/timecourse.gp.in", cli_datadir());
  int rc = cli_tmpl_load(&tt, path) ? ims_err_set(err, IMS_EIO, "cannot read %s", path) : 0;
  snprintf(path, sizeof path, "%s/plots/%s", cli_datadir(), tmpl);
  rc = rc ? rc : cli_tmpl_load(&ts, path) ? ims_err_set(err, IMS_EIO, "cannot read %s", path) : 0;
  snprintf(path, sizeof path, "%s/plots/style_lecture.gp", cli_datadir());
  rc = rc ? rc : cli_slurp_text(path, &style, err);
  snprintf(path, sizeof path, "%s/plots/palette.gp", cli_datadir());
  rc = rc ? rc : cli_slurp_text(path, &pal, err);
  snprintf(tsec, sizeof tsec, "terminal_%s", cli_plot_term(fig));
  if (!getcwd(cwd, sizeof cwd))
    snprintf(cwd, sizeof cwd, ".");
  gp_text(ttl, sizeof ttl, title); /* enhanced text: "a_b" must not subscript */
  const char *term = rc ? NULL : cli_tmpl_section(&tt, tsec);
  const char *body = rc ? NULL : cli_tmpl_section(&ts, "script");
  if (!rc && (!term || !body))
    rc = ims_err_set(err, IMS_EIO, "plot templates lack the %s or script section", tsec);
  const char *all[2 * 64 + 1] = {"VERSION", IMS_VERSION, "CWD",     cwd, "SCRIPT",   script,
                                 "STYLE",   style,       "PALETTE", pal, "TERMINAL", term,
                                 "OUTPUT",  fig,         "TITLE",   ttl};
  int k = 16;
  for (int i = 0; kv[i] && k < 2 * 64; i++)
    all[k++] = kv[i];
  all[k] = NULL;
  if (!rc && cli_tmpl_fill(b, body, all, &miss))
    rc = ims_err_set(err, IMS_EIO, "plots/%s: unknown field @%.20s", tmpl, miss);
  cli_tmpl_free(&tt);
  cli_tmpl_free(&ts);
  free(style);
  free(pal);
  return rc;
}

int cli_plot_template(const char *tmpl, const char *fig, const char *title, const char *const *kv,
                      ims_err_t *err)
{
  const char *ext = strrchr(fig, '.');
  if (!cli_plot_term(fig))
    return ims_err_set(err, IMS_EINPUT, "figure '%s': use .png, .svg or .pdf", fig);
  char script[PATH_MAX];
  snprintf(script, sizeof script, "%.*s.gp", (int)(ext - fig), fig);
  cli_buf_t b = {0};
  int rc = fill_script(tmpl, fig, script, title, kv, &b, err);
  FILE *fp = rc ? NULL : fopen(script, "w");
  if (!rc && (!fp || fputs(cli_buf_str(&b), fp) < 0))
    rc = ims_err_set(err, IMS_EIO, "cannot write %s", script);
  if (fp)
    fclose(fp);
  cli_buf_free(&b);
  return rc ? rc : cli_gnuplot(script, fig, err);
}

const char *cli_plot_term(const char *fig)
{
  const char *ext = strrchr(fig, '.');
  return !ext                   ? NULL
         : !strcmp(ext, ".png") ? "png"
         : !strcmp(ext, ".svg") ? "svg"
         : !strcmp(ext, ".pdf") ? "pdf"
                                : NULL;
}

int cli_plot(const cli_plot_opts_t *o, const char *const *files, int nfiles, const char *fig,
             ims_err_t *err)
{
  const char *ext = strrchr(fig, '.'), *term = cli_plot_term(fig);
  if (!term)
    return ims_err_set(err, IMS_EINPUT,
                       "figure '%s': the extension chooses the format; use .png, .svg or .pdf",
                       fig);
  char script[PATH_MAX * 2];
  snprintf(script, sizeof script, "%.*s.gp", (int)(ext - fig), fig);

  plot_t p = {.o = o, .nf = nfiles, .npts = o->npoints, .tscale = o->weeks ? 7 : 1, .err = err};
  p.f = calloc((size_t)nfiles, sizeof *p.f);
  p.pts = calloc((size_t)o->npoints + 1, sizeof *p.pts);
  int rc = p.f && p.pts ? 0 : ims_err_set(err, IMS_ENOMEM, "out of memory");
  int nread = 0, nptsread = 0;
  for (int i = 0; !rc && i < nfiles; i++, nread++)
    rc = read_file(&p.f[i], files[i], err);
  for (int i = 0; !rc && i < o->npoints; i++, nptsread++) {
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s", o->points[i]);
    rc = read_file(&p.pts[i], o->points[i], err);
    if (!rc && !p.pts[i].label) {
      base_name(path, sizeof path, o->points[i]);
      p.pts[i].label = strdup(path);
    }
  }
  /* labels */
  if (!rc && o->labels) {
    char *copy = strdup(o->labels), *save = NULL;
    int k = 0;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && k < nfiles;
         tok = strtok_r(NULL, ",", &save))
      p.f[k++].label = strdup(trim(tok));
    int extra = copy && strtok_r(NULL, ",", &save) != NULL;
    free(copy);
    if (k != nfiles || extra)
      rc = ims_err_set(err, IMS_EINPUT, "--labels '%s': give one label per input file (%d)",
                       o->labels, nfiles);
  }
  for (int i = 0; !rc && i < nfiles; i++)
    if (!p.f[i].label) {
      char b[PATH_MAX];
      base_name(b, sizeof b, files[i]);
      p.f[i].label = strdup(b);
    }
  if (!rc && o->weeks) {
    const char *tu = p.f[0].col[p.f[0].tcol].unit;
    if (tu && strcmp(tu, "d") && strcmp(tu, "day") && strcmp(tu, "days"))
      rc = ims_err_set(err, IMS_EINPUT, "--weeks: time in %s is in '%s', not days", files[0], tu);
  }
  if (!rc && o->schedule)
    for (int i = 0; !rc && i < nfiles; i++)
      rc = schedule_doses(&p.f[i], o->schedule, err);
  if (!rc && o->xcol)
    for (int i = 0; i < nfiles; i++)
      if (find_col(&p.f[i], o->xcol) < 0) {
        rc = suggest_col(&p, o->xcol, err, "--x");
        break;
      }
  rc = rc ? rc : choose_columns(&p);
  rc = rc ? rc : parse_hlines(&p);
  if (!rc) {
    /* x range: time (or the --x column) over every file */
    range_t r = {INFINITY, -INFINITY, INFINITY, 0};
    for (int i = 0; i < nfiles; i++) {
      int k = o->xcol ? find_col(&p.f[i], o->xcol) : p.f[i].tcol;
      range_add_col(&r, &p.f[i].col[k]);
    }
    p.xmin = o->xcol ? r.min : r.min / p.tscale;
    p.xmax = o->xcol ? r.max : r.max / p.tscale;
    if (o->xcol && r.n) { /* a phase portrait: pad the data range like a y axis */
      p.logx = o->logx == 1 || (o->logx < 0 && r.min > 0 && r.max / r.min > 1e3);
      if (!p.logx || r.max > 0)
        axis_limits(&r, fmax(r.minpos, r.max * 1e-6), p.logx, 0.02, 0.02, &p.xmin, &p.xmax);
    }
    if (o->xcol && o->logx == 1 && !(r.max > 0))
      rc = ims_err_set(err, IMS_EINPUT, "--logx: column '%s' has no positive values", o->xcol);
    if (!rc && o->xrange) {
      double a, b;
      rc = parse_range("--xrange", o->xrange, &a, &b, err);
      p.xmin = isnan(a) ? p.xmin : a;
      p.xmax = isnan(b) ? p.xmax : b;
    }
    if (!rc && !(p.xmax > p.xmin))
      p.xmax = p.xmin + 1;
  }
  if (!rc)
    plan_doses(&p);
  cli_buf_t out = {0};
  rc = rc ? rc : build_script(&p, &out, fig, script, term);
  if (!rc) {
    FILE *fp = fopen(script, "w");
    if (!fp)
      rc = ims_err_set(err, IMS_EIO, "cannot write %s: %s", script, strerror(errno));
    else {
      fputs(cli_buf_str(&out), fp);
      if (fclose(fp))
        rc = ims_err_set(err, IMS_EIO, "cannot write %s: %s", script, strerror(errno));
    }
  }
  cli_buf_free(&out);
  rc = rc ? rc : cli_gnuplot(script, fig, err);
  for (int i = 0; i < nread; i++)
    pfile_free(&p.f[i]);
  for (int i = 0; i < nptsread; i++)
    pfile_free(&p.pts[i]);
  for (int i = 0; i < p.ncol; i++)
    free(p.panel[i]);
  cli_tmpl_free(&p.t);
  free(p.f);
  free(p.pts);
  return rc;
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
