#include "cli.h"
#include "csvread.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_fail(int status, const ims_err_t *err)
{
  fprintf(stderr, "immunosim: %s\n", err && err->msg[0] ? err->msg : "failed");
  return ims_err_exit_code(status);
}

int cli_failf(int status, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("immunosim: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return ims_err_exit_code(status);
}

static int edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63)
    return 99;
  int d[64][64];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
      d[i][j] = c < x ? (c < y ? c : y) : (x < y ? x : y);
    }
  return d[la][lb];
}

const char *cli_suggest(const char *name, const char *const *cands, int n)
{
  for (int i = 0; i < n; i++)
    if (strcasecmp(cands[i], name) == 0)
      return cands[i];
  const char *best = NULL;
  int bd = 3;
  for (int i = 0; i < n; i++) {
    int d = edit_distance(cands[i], name);
    if (d < bd) {
      bd = d;
      best = cands[i];
    }
  }
  return best;
}

void cli_model_hint(char *out, size_t n, const char *name)
{
  int nm;
  const ims_model_t *const *ms = ims_model_list(&nm);
  const char *names[256];
  int k = 0;
  for (int i = 0; i < nm && k < 256; i++)
    names[k++] = ms[i]->name;
  const char *s = cli_suggest(name, names, k);
  /* also a unique prefix, e.g. "kirschner" for "kirschner_panetta1998" */
  for (int i = 0; !s && strlen(name) >= 3 && i < k; i++)
    if (strncmp(names[i], name, strlen(name)) == 0)
      s = names[i];
  if (s)
    snprintf(out, n, "did you mean '%s'? ", s);
  else
    out[0] = '\0';
}

static void warn_stderr(void *ud, const char *msg)
{
  (void)ud;
  fprintf(stderr, "immunosim: warning: %s\n", msg);
}

int cli_model_open(const ims_model_t **m, const char *arg, int no_unit_check, ims_err_t *err)
{
  ims_open_opts_t o = {.no_unit_check = no_unit_check, .warn = warn_stderr};
  return ims_model_open(m, arg, &o, err);
}

static int is_dir(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_params(const char *dir)
{
  char p[PATH_MAX * 2 + 16];
  snprintf(p, sizeof p, "%s/params", dir);
  return is_dir(p);
}

const char *cli_datadir(void)
{
  static char dir[PATH_MAX]; /* computed once per process, read-only after */
  if (dir[0])
    return dir;
  const char *env = getenv("IMMUNOSIM_DATA");
  if (env && *env && has_params(env)) {
    snprintf(dir, sizeof dir, "%s", env);
    return dir;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *d = dirname(exe);
    char cand[PATH_MAX * 2 + 32];
    snprintf(cand, sizeof cand, "%s/../share/immunosim", d);
    if (has_params(cand) && realpath(cand, dir))
      return dir;
    snprintf(cand, sizeof cand, "%s/..", d);
    if (has_params(cand) && realpath(cand, dir))
      return dir;
  }
  snprintf(dir, sizeof dir, "%s", IMS_DATADIR);
  return dir;
}

void cli_resolve(char *out, size_t n, const char *arg, const char *subdir)
{
  snprintf(out, n, "%s", arg);
  if (access(arg, F_OK) == 0 || strchr(arg, '/'))
    return;
  size_t l = strlen(arg);
  const char *ext = l > 4 && strcmp(arg + l - 4, ".csv") == 0 ? "" : ".csv";
  char cand[PATH_MAX * 2];
  snprintf(cand, sizeof cand, "%s/params/%s/%s%s", cli_datadir(), subdir, arg, ext);
  if (access(cand, F_OK) == 0)
    snprintf(out, n, "%s", cand);
}

void cli_run_args_init(cli_run_args_t *a)
{
  memset(a, 0, sizeof *a);
  a->out = "-";
  a->format = "csv";
  a->tend = NAN;
  a->rtol = 1e-6;
  a->atol = 1e-9;
}

static int need(int argc, char **argv, int i)
{
  if (i + 1 >= argc) {
    cli_failf(IMS_EINPUT, "option %s needs a value", argv[i]);
    return -1;
  }
  return 0;
}

static int num_arg(const char *opt, const char *s, double *v)
{
  if (ims__parse_double(s, v) != 0) {
    cli_failf(IMS_EINPUT, "option %s: '%s' is not a finite number", opt, s);
    return -1;
  }
  return 0;
}

static int push(const char **arr, int *n, const char *v, const char *opt)
{
  if (*n >= CLI_MAX_REPEAT) {
    cli_failf(IMS_EINPUT, "option %s given more than %d times", opt, CLI_MAX_REPEAT);
    return -1;
  }
  arr[(*n)++] = v;
  return 0;
}

int cli_run_arg(cli_run_args_t *a, int argc, char **argv, int *i)
{
  const char *o = argv[*i];
  const char **str = NULL;
  const char **arr = NULL;
  int *cnt = NULL;
  double *num = NULL;
  if (!strcmp(o, "-p") || !strcmp(o, "--params"))
    arr = a->pfiles, cnt = &a->npfiles;
  else if (!strcmp(o, "--set"))
    arr = a->sets, cnt = &a->nsets;
  else if (!strcmp(o, "-s") || !strcmp(o, "--schedule"))
    arr = a->schedules, cnt = &a->nschedules;
  else if (!strcmp(o, "--units"))
    arr = a->units, cnt = &a->nunits;
  else if (!strcmp(o, "--extinct"))
    arr = a->extinct, cnt = &a->nextinct;
  else if (!strcmp(o, "-r") || !strcmp(o, "--rules"))
    str = &a->rules;
  else if (!strcmp(o, "--times"))
    str = &a->times_file;
  else if (!strcmp(o, "-o") || !strcmp(o, "--out"))
    str = &a->out;
  else if (!strcmp(o, "--format"))
    str = &a->format;
  else if (!strcmp(o, "--plot"))
    str = &a->plot;
  else if (!strcmp(o, "--metrics-out"))
    str = &a->metrics_out;
  else if (!strcmp(o, "--events-out"))
    str = &a->events_out;
  else if (!strcmp(o, "--cols"))
    str = &a->cols;
  else if (!strcmp(o, "--threshold"))
    arr = a->thresholds, cnt = &a->nthresholds;
  else if (!strcmp(o, "--window"))
    arr = a->windows, cnt = &a->nwindows;
  else if (!strcmp(o, "-t") || !strcmp(o, "--end"))
    num = &a->tend;
  else if (!strcmp(o, "--t0"))
    num = &a->t0;
  else if (!strcmp(o, "--dt"))
    num = &a->dt, a->have_dt = 1;
  else if (!strcmp(o, "--rtol"))
    num = &a->rtol;
  else if (!strcmp(o, "--init-step"))
    num = &a->init_step;
  else if (!strcmp(o, "--atol")) {
    if (need(argc, argv, *i))
      return -1;
    const char *v = argv[++*i];
    if (strchr(v, '='))
      return push(a->atols, &a->natols, v, o) ? -1 : 1;
    return num_arg(o, v, &a->atol) ? -1 : 1;
  } else if (!strcmp(o, "--max-steps")) {
    double v;
    if (need(argc, argv, *i) || num_arg(o, argv[*i + 1], &v))
      return -1;
    ++*i;
    a->max_steps = (long)v;
    return 1;
  } else if (!strcmp(o, "--method")) {
    if (need(argc, argv, *i))
      return -1;
    const char *v = argv[++*i];
    if (strcmp(v, "bdf") && strcmp(v, "adams")) {
      cli_failf(IMS_EINPUT, "--method takes bdf or adams, not '%s'", v);
      return -1;
    }
    a->method = strcmp(v, "adams") == 0 ? IMS_ADAMS : IMS_BDF;
    return 1;
  } else if (!strcmp(o, "--no-jac")) {
    a->no_jac = 1;
    return 1;
  } else if (!strcmp(o, "--no-extinct")) {
    a->no_extinct = 1;
    return 1;
  } else if (!strcmp(o, "--no-unit-check")) {
    a->no_unit_check = 1;
    return 1;
  } else if (!strcmp(o, "--stats")) {
    a->stats = 1;
    return 1;
  } else if (!strcmp(o, "--metrics")) {
    a->metrics = 1;
    return 1;
  } else
    return 0;
  if (need(argc, argv, *i))
    return -1;
  const char *v = argv[++*i];
  if (arr)
    return push(arr, cnt, v, o) ? -1 : 1;
  if (str) {
    *str = v;
    return 1;
  }
  return num_arg(o, v, num) ? -1 : 1;
}

/* ---- setting up a run ------------------------------------------------ */

static int load_params(cli_setup_t *s, const cli_run_args_t *a, ims_err_t *err)
{
  char path[PATH_MAX * 2];
  int rc = ims_params_alloc(&s->params, s->m, err);
  if (!rc && a->npfiles == 0 && s->m->default_set) { /* a model file's values are its default */
    snprintf(path, sizeof path, "%s/params/%s/%s.csv", cli_datadir(), s->m->name,
             s->m->default_set);
    rc = ims_params_read(s->params, s->units, path, err);
  }
  for (int i = 0; !rc && i < a->npfiles; i++) {
    cli_resolve(path, sizeof path, a->pfiles[i], s->m->name);
    rc = ims_params_read(s->params, s->units, path, err);
  }
  for (int i = 0; !rc && i < a->nsets; i++)
    rc = ims_params_set(s->params, s->units, a->sets[i], err);
  return rc ? rc : ims_params_finish(s->params, err);
}

typedef struct times_ctx {
  double *t;
  size_t n, cap;
} times_ctx_t;

static int on_time_row(const ims__csv_row_t *row, void *ud, ims_err_t *err)
{
  times_ctx_t *c = ud;
  double v;
  if (c->n == 0 && !c->cap && strcmp(row->f[0], "time") == 0) {
    c->cap = 1; /* header seen */
    return IMS_OK;
  }
  if (ims__parse_double(row->f[0], &v) != 0)
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

static double default_end(const cli_setup_t *s)
{
  double last = 0;
  for (int i = 0; s->sched && i < s->sched->nrec; i++) {
    const ims_record_t *r = &s->sched->rec[i];
    double t = r->time + (double)r->addl * r->ii + r->lag;
    last = t > last ? t : last;
  }
  return last + 28.0;
}

static int make_times(cli_setup_t *s, const cli_run_args_t *a, ims_err_t *err)
{
  if (a->times_file) {
    times_ctx_t c = {0};
    int rc = ims__csv_read_file(a->times_file, on_time_row, &c, err);
    if (!rc && c.n == 0)
      rc = ims_err_set(err, IMS_EINPUT, "%s:1:1: no output times", a->times_file);
    if (rc) {
      free(c.t);
      return rc;
    }
    s->tout = c.t;
    s->ntout = c.n;
    return IMS_OK;
  }
  double tend = isnan(a->tend) ? default_end(s) : a->tend;
  if (tend <= a->t0)
    return ims_err_set(err, IMS_EINPUT, "-t %g: the end time must be after the start %g", tend,
                       a->t0);
  double dt = a->have_dt ? a->dt : nice_dt(tend - a->t0);
  return ims_grid_uniform(a->t0, tend, dt, &s->tout, &s->ntout, err);
}

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
    return ims_err_set(err, IMS_EINPUT, "%s %s: unknown state '%s' in model %s", opt, arg, name,
                       m->name);
  if (ims__parse_double(val, v) != 0 || *v < 0)
    return ims_err_set(err, IMS_EINPUT, "%s %s: '%s' is not a non-negative number", opt, arg, val);
  return IMS_OK;
}

static int make_opts(cli_setup_t *s, const cli_run_args_t *a, ims_err_t *err)
{
  ims_opts_t *o = &s->opts;
  ims_opts_default(o);
  o->t0 = a->t0;
  o->method = a->method;
  o->rtol = a->rtol;
  o->atol = a->atol;
  o->use_jac = !a->no_jac;
  o->init_step = a->init_step;
  o->max_steps = a->max_steps;
  if (!(a->rtol > 0) || !(a->atol > 0))
    return ims_err_set(err, IMS_EINPUT, "--rtol and --atol must be positive");
  int n = s->m->nstates;
  if (a->natols) {
    s->atol_vec = malloc((size_t)n * sizeof *s->atol_vec);
    if (!s->atol_vec)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++)
      s->atol_vec[i] = a->atol;
    for (int i = 0; i < a->natols; i++) {
      int k;
      double v;
      int rc = state_arg(s->m, "--atol", a->atols[i], &k, &v, err);
      if (rc)
        return rc;
      if (!(v > 0))
        return ims_err_set(err, IMS_EINPUT, "--atol %s: must be positive", a->atols[i]);
      s->atol_vec[k] = v;
    }
    o->atol_vec = s->atol_vec;
  }
  if (a->rules) {
    char path[PATH_MAX * 2];
    cli_resolve(path, sizeof path, a->rules, "rules");
    int rc = ims_rules_alloc(&s->rules, err);
    rc = rc ? rc : ims_rules_read(s->rules, s->m, s->units, path, err);
    if (rc)
      return rc;
  }
  int nrules = s->rules ? s->rules->n : 0;
  s->triggers = calloc((size_t)(a->nextinct + n + nrules) + 1, sizeof *s->triggers);
  if (!s->triggers)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  if (!a->no_extinct) /* the paper's own rule, unless switched off */
    s->ntriggers = ims_model_extinction(s->m, s->triggers, n);
  for (int i = 0; i < a->nextinct; i++) {
    int k;
    double v;
    int rc = state_arg(s->m, "--extinct", a->extinct[i], &k, &v, err);
    if (rc)
      return rc;
    s->triggers[s->ntriggers++] = (ims_trigger_t){.name = "extinction",
                                                  .var = k,
                                                  .threshold = v,
                                                  .dir = -1,
                                                  .act = IMS_ACT_ZERO,
                                                  .target = k};
  }
  for (int i = 0; i < nrules; i++)
    s->triggers[s->ntriggers++] = s->rules->tr[i];
  s->nbase = s->ntriggers;
  o->triggers = s->triggers;
  o->ntriggers = s->ntriggers;
  return IMS_OK;
}

static int make_columns(cli_setup_t *s, const cli_run_args_t *a, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  int nc = 1 + m->nstates + m->noutputs;
  s->ncols = nc;
  s->colnames = calloc((size_t)nc, sizeof *s->colnames);
  s->colunits = calloc((size_t)nc, sizeof *s->colunits);
  s->colscale = calloc((size_t)nc, sizeof *s->colscale);
  s->coloffset = calloc((size_t)nc, sizeof *s->coloffset);
  if (!s->colnames || !s->colunits || !s->colscale || !s->coloffset)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->colnames[0] = "time";
  s->colunits[0] = m->time_unit;
  for (int i = 0; i < m->nstates; i++) {
    s->colnames[1 + i] = m->states[i].name;
    s->colunits[1 + i] = m->states[i].unit;
  }
  for (int i = 0; i < m->noutputs; i++) {
    s->colnames[1 + m->nstates + i] = m->outputs[i].name;
    s->colunits[1 + m->nstates + i] = m->outputs[i].unit;
  }
  for (int i = 0; i < nc; i++)
    s->colscale[i] = 1.0;
  for (int i = 0; i < a->nunits; i++) {
    char name[128];
    const char *unit;
    if (split_assign(a->units[i], name, sizeof name, &unit) != 0)
      return ims_err_set(err, IMS_EINPUT, "--units %s: expected COLUMN=UNIT, e.g. C1=pg/mL",
                         a->units[i]);
    int k = 1;
    while (k < nc && strcmp(s->colnames[k], name) != 0)
      k++;
    if (k == nc)
      return ims_err_set(err, IMS_EINPUT, "--units %s: no column '%s' in model %s", a->units[i],
                         name, m->name);
    ims_err_t e2;
    if (ims_units_factor(s->units, s->colunits[k], unit, &s->colscale[k], &s->coloffset[k], &e2) !=
        IMS_OK)
      return ims_err_set(err, IMS_EINPUT, "--units %s: %s", a->units[i], e2.msg);
    s->colunits[k] = unit;
  }
  return IMS_OK;
}

int cli_setup(cli_setup_t *s, const cli_run_args_t *a, int which, ims_err_t *err)
{
  memset(s, 0, sizeof *s);
  int rc = cli_model_open(&s->m, a->model, a->no_unit_check, err);
  if (rc)
    return rc;
  rc = ims_units_alloc(&s->units, err);
  rc = rc ? rc : load_params(s, a, err);
  rc = rc ? rc : ims_schedule_alloc(&s->sched, err);
  if (!rc && which < a->nschedules) {
    char path[PATH_MAX * 2];
    cli_resolve(path, sizeof path, a->schedules[which], "schedules");
    rc = ims_schedule_read(s->sched, s->m, s->units, path, err);
  }
  rc = rc ? rc : make_times(s, a, err);
  rc = rc ? rc : make_opts(s, a, err);
  rc = rc ? rc : make_columns(s, a, err);
  return rc;
}

void cli_setup_free(cli_setup_t *s)
{
  ims_params_free(s->params);
  ims_schedule_free(s->sched);
  ims_units_free(s->units);
  free(s->tout);
  free(s->atol_vec);
  free(s->triggers);
  ims_rules_free(s->rules);
  free(s->colnames);
  free(s->colunits);
  free(s->colscale);
  free(s->coloffset);
  ims_model_close(s->m);
  memset(s, 0, sizeof *s);
}

void cli_write_meta(ims_output_t *o, const cli_setup_t *s, const cli_run_args_t *a)
{
  const ims_model_t *m = s->m;
  ims_output_comment(o, "immunosim %s", IMS_VERSION);
  ims_output_comment(o, "model: %s (%s)", m->name, m->title);
  ims_output_comment(o, "citation: %s", m->citation);
  if (m->source)
    ims_output_comment(o, "model-file: %s fnv1a64=%s", m->source,
                       m->source_hash ? m->source_hash : "");
  for (int i = 0; i < s->params->nfiles; i++)
    ims_output_comment(o, "params: %s fnv1a64=%s", s->params->files[i], s->params->checksums[i]);
  for (int i = 0; i < a->nsets; i++)
    ims_output_comment(o, "set: %s", a->sets[i]);
  if (s->sched && s->sched->path)
    ims_output_comment(o, "schedule: %s", s->sched->path);
  if (s->rules)
    ims_output_comment(o, "rules: %s (%d)", s->rules->path, s->rules->n);
  ims_output_comment(o, "solver: CVODES %s, rtol=%g, atol=%g%s%s", a->method ? "Adams" : "BDF",
                     a->rtol, a->atol, a->natols ? " (per-state overrides)" : "",
                     (m->jac && !a->no_jac) ? ", analytic Jacobian" : ", difference Jacobian");
  if (m->extinct_floor > 0 && !a->no_extinct)
    ims_output_comment(o,
                       "extinction: every state below %g is set to 0 (the paper's rule; "
                       "--no-extinct disables)",
                       m->extinct_floor);
  for (int i = 0; i < a->nextinct; i++)
    ims_output_comment(o, "extinction: %s (a state falling below the floor is set to 0)",
                       a->extinct[i]);
  /* Expanded doses, so figures can mark them without the schedule file. */
  ims_event_t *ev = NULL;
  long nev = 0;
  ims_err_t e2;
  if (s->sched && s->sched->nrec && ims_schedule_expand(s->sched, &ev, &nev, &e2) == 0) {
    for (long i = 0; i < nev && i < 10000; i++) {
      if (ev[i].kind == IMS_EV_BOLUS)
        ims_output_comment(o, "dose: t=%.10g cmt=%s bolus=%.10g %s", ev[i].time,
                           m->states[ev[i].cmt].name, ev[i].value, m->states[ev[i].cmt].unit);
      else if (ev[i].kind == IMS_EV_INF_ON)
        ims_output_comment(o, "dose: t=%.10g cmt=%s infusion rate=%.10g %s/%s", ev[i].time,
                           m->states[ev[i].cmt].name, ev[i].value, m->states[ev[i].cmt].unit,
                           m->time_unit);
      else
        ims_output_comment(o, "dose: t=%.10g cmt=%s infusion end", ev[i].time,
                           m->states[ev[i].cmt].name);
    }
    free(ev);
  }
}

/* ---- progress bar ---- */

static double progress_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_init(cli_progress_t *p, double t0, double tend, const char *unit)
{
  memset(p, 0, sizeof *p);
  p->on = isatty(STDERR_FILENO) && tend > t0;
  p->start = progress_now();
  p->t0 = t0;
  p->tend = tend;
  p->unit = unit;
  const char *d = getenv("IMMUNOSIM_PROGRESS_DELAY");
  p->delay = d && *d ? atof(d) : 1.0;
}

void cli_progress_tick(cli_progress_t *p, double t)
{
  if (!p->on)
    return;
  double now = progress_now();
  if (now - p->start < p->delay || (p->shown && now - p->last < 0.1))
    return;
  double f = (t - p->t0) / (p->tend - p->t0);
  f = f < 0 ? 0 : f > 1 ? 1 : f;
  char bar[31];
  int k = (int)(f * 30 + 0.5);
  for (int i = 0; i < 30; i++)
    bar[i] = i < k ? '#' : '-';
  bar[30] = '\0';
  double el = now - p->start;
  char eta[32] = "";
  if (f > 0.01)
    snprintf(eta, sizeof eta, ", %.0f s left", el * (1 - f) / f);
  fprintf(stderr, "\r[%s] %3.0f%%  t = %.4g / %.4g %s  %.0f s elapsed%-14s", bar, 100 * f, t,
          p->tend, p->unit, el, eta);
  fflush(stderr);
  p->shown = 1;
  p->last = now;
}

void cli_progress_done(cli_progress_t *p)
{
  if (p->shown)
    fprintf(stderr, "\r%*s\r", 100, "");
  p->shown = 0;
}
