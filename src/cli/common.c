#include "cli.h"
#include "immunosim/table.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_fail(int status, const ims_err_t *err)
{
  cli_progress_clear();
  fprintf(stderr, "immunosim: %s\n", err && err->msg[0] ? err->msg : "failed");
  return ims_err_exit_code(status);
}

int cli_failf(int status, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  cli_progress_clear();
  fputs("immunosim: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return ims_err_exit_code(status);
}

void cli_notef(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  cli_progress_clear();
  fputs("immunosim: note: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

const char *cli_suggest(const char *name, const char *const *cands, int n)
{
  return ims_suggest(name, cands, n);
}

/* ---- the data directory ---- */

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

/* ---- models ---- */

static void warn_stderr(void *ud, const char *msg)
{
  (void)ud;
  cli_progress_clear();
  fprintf(stderr, "immunosim: warning: %s\n", msg);
}

/* A built-in name or a model file (ims_model_open); unit errors of a model
 * file are warnings with --no-unit-check. */
int cli_model_open(const char *arg, int no_unit_check, const ims_model_t **m, ims_err_t *err)
{
  ims_open_opts_t o = {.no_unit_check = no_unit_check, .warn = warn_stderr};
  return ims_model_open(m, arg, &o, err);
}

void cli_model_close(const ims_model_t *m)
{
  ims_model_close(m); /* frees a model file's model; built-ins are static */
}

/* ---- run options ---- */

static int take(const cli_args_t *a, int id, const char **out, int *n, ims_err_t *err)
{
  int k = cli_count(a, id);
  if (k > CLI_MAX_REPEAT) {
    const cli_opt_t *o = cli_opt_for(a->cmd->name, id);
    return ims_err_set(err, IMS_EINPUT, "--%s given %d times; at most %d", o ? o->name : "?", k,
                       CLI_MAX_REPEAT);
  }
  *n = cli_list(a, id, out, CLI_MAX_REPEAT);
  return IMS_OK;
}

/* One solver setting, as typed, through the library's rule (ims_opts_validate):
 * the limits live there, the option's name here. */
static int solver_check(const ims_run_spec_t *sp, int id, const char *opt, const char *typed,
                        ims_err_t *err)
{
  if (!typed)
    return IMS_OK;
  ims_opts_t o;
  ims_opts_default(&o);
  if (id == OPT_RTOL)
    o.rtol = sp->rtol;
  else if (id == OPT_ATOL)
    o.atol = sp->atol;
  else if (id == OPT_INIT_STEP)
    o.init_step = sp->init_step;
  else
    o.max_steps = sp->max_steps;
  ims_err_t e;
  if (ims_opts_validate(&o, sp->model, &e) == IMS_OK)
    return IMS_OK;
  const char *why = strstr(e.msg, ": ");
  return ims_err_set(err, IMS_EINPUT, "%s %s: %s", opt, typed, why ? why + 2 : e.msg);
}

int cli_runargs(cli_runargs_t *ra, const cli_args_t *a, ims_err_t *err)
{
  memset(ra, 0, sizeof *ra);
  ims_run_spec_t *sp = &ra->spec;
  ims_run_spec_init(sp);
  int rc = cli_model_open(a->pos[0], cli_flag(a, OPT_NO_UNIT_CHECK), &sp->model, err);
  if (rc)
    return rc;
  sp->datadir = cli_datadir();
  rc = take(a, OPT_PARAMS, ra->params, &sp->nparams, err);
  rc = rc ? rc : take(a, OPT_SET, ra->sets, &sp->nsets, err);
  rc = rc ? rc : take(a, OPT_UNITS, ra->units, &sp->nunits, err);
  rc = rc ? rc : take(a, OPT_EXTINCT, ra->extinct, &sp->nextinct, err);
  rc = rc ? rc : take(a, OPT_WINDOW, ra->windows, &ra->metrics.nwindows, err);
  rc = rc ? rc : take(a, OPT_THRESHOLD, ra->thresholds, &ra->metrics.nthresholds, err);
  if (rc)
    return rc;
  sp->params = ra->params;
  sp->sets = ra->sets;
  sp->units = ra->units;
  sp->extinct = ra->extinct;
  sp->atols = ra->atols;
  ra->metrics.windows = ra->windows;
  ra->metrics.thresholds = ra->thresholds;
  ra->metrics.cols = cli_str(a, OPT_COLS, NULL);
  sp->schedule = cli_str(a, OPT_SCHEDULE, NULL);
  sp->rules = cli_str(a, OPT_RULES, NULL);
  sp->times = cli_str(a, OPT_TIMES, NULL);
  sp->t0 = cli_num(a, OPT_T0, 0);
  sp->tend = cli_num(a, OPT_END, NAN);
  sp->dt = cli_num(a, OPT_DT, 0);
  sp->rtol = cli_num(a, OPT_RTOL, sp->rtol);
  sp->init_step = cli_num(a, OPT_INIT_STEP, 0);
  sp->max_steps = (long)cli_num(a, OPT_MAX_STEPS, 0); /* checked: an integer in [1, 1e9] */
  sp->method = !strcmp(cli_str(a, OPT_METHOD, "bdf"), "adams") ? IMS_ADAMS : IMS_BDF;
  sp->no_jac = cli_flag(a, OPT_NO_JAC);
  sp->no_extinct = cli_flag(a, OPT_NO_EXTINCT);
  /* --atol A for every state, or STATE=A for one (checked by the run, which knows the states) */
  const char *atol_s = NULL;
  for (int i = 0; i < a->nv; i++) {
    if (a->v[i].id != OPT_ATOL)
      continue;
    const char *v = a->v[i].s;
    if (strchr(v, '=')) {
      if (sp->natols == CLI_MAX_REPEAT)
        return ims_err_set(err, IMS_EINPUT, "--atol given more than %d times", CLI_MAX_REPEAT);
      ra->atols[sp->natols++] = v;
      continue;
    }
    if (ims_table_double(v, &sp->atol) != 0)
      return ims_err_set(
          err, IMS_EINPUT,
          "--atol %s: give a number, or STATE=A; e.g. --atol 1e-9 or --atol IL6=1e-3", v);
    atol_s = v;
  }
  rc = solver_check(sp, OPT_RTOL, "--rtol", cli_str(a, OPT_RTOL, NULL), err);
  rc = rc ? rc : solver_check(sp, OPT_ATOL, "--atol", atol_s, err);
  rc = rc ? rc
          : solver_check(sp, OPT_INIT_STEP, "--init-step", cli_str(a, OPT_INIT_STEP, NULL), err);
  rc = rc ? rc
          : solver_check(sp, OPT_MAX_STEPS, "--max-steps", cli_str(a, OPT_MAX_STEPS, NULL), err);
  if (rc)
    return rc;
  ra->format = !strcmp(cli_str(a, OPT_FORMAT, "csv"), "tsv") ? IMS_FMT_TSV : IMS_FMT_CSV;
  if (cli_flag(a, OPT_NO_META))
    ra->format |= IMS_OUT_NO_META;
  return IMS_OK;
}

void cli_runargs_free(cli_runargs_t *ra)
{
  cli_model_close(ra->spec.model);
  ra->spec.model = NULL;
}

/* Notes are for people at a terminal; files record the same facts in their
 * metadata ("# schedule: none (nothing is dosed)"). */
void cli_print_notes(const ims_run_t *r)
{
  for (int i = 0; i < r->nnotes && isatty(STDERR_FILENO); i++)
    cli_notef("%s", r->notes[i]);
}

int cli_begin(cli_ctx_t *x, const char *cmd, int argc, char **argv, int *code)
{
  memset(x, 0, sizeof *x);
  int p = cli_parse(cmd, argc, argv, &x->a);
  if (p) {
    *code = p > 0 ? 0 : 1;
    return p;
  }
  int rc = cli_outset(&x->g, &x->err);
  if (!rc && x->a.cmd->posname && !strcmp(x->a.cmd->posname, "MODEL"))
    rc = cli_runargs(&x->ra, &x->a, &x->err);
  *code = rc ? cli_end(x, rc) : 0;
  return rc;
}

int cli_load_run(cli_ctx_t *x)
{
  int rc = ims_run_alloc(&x->r, &x->ra.spec, &x->err);
  if (!rc)
    cli_print_notes(x->r);
  return rc;
}

int cli_commit(cli_ctx_t *x, int rc)
{
  if (rc) {
    ims_outset_abort(x->g);
    return rc;
  }
  return ims_outset_commit(x->g, &x->err);
}

int cli_end(cli_ctx_t *x, int rc)
{
  ims_outset_free(x->g);
  ims_run_free(x->r);
  cli_runargs_free(&x->ra);
  x->g = NULL;
  x->r = NULL;
  return rc ? cli_fail(rc, &x->err) : 0;
}

/* ---- MPI ---- */

static ims_par_t *par; /* set once in main, before any command runs */

ims_par_t *cli_par(void)
{
  return par;
}

int cli_rank(void)
{
  return ims_par_rank(par);
}

int cli_agree(cli_ctx_t *x, int rc)
{
  return ims_par_agree(par, rc, &x->err);
}

int cli_par_failed(cli_ctx_t *x, int code)
{
  if (ims_par_size(par) > 1)
    ims_par_agree(par, x->err.code ? x->err.code : IMS_EINPUT, &x->err);
  return code;
}

/* The job's size as the launcher announces it (before MPI_Init). */
static long launched_size(void)
{
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
    const char *v = getenv(vars[i]);
    if (v && *v)
      return atol(v);
  }
  return ims_par_launched() ? 2 : 1; /* PMIx alone does not say: assume a job */
}

int cli_par_start(const char *cmd, int *argc, char ***argv)
{
  int shares = !strcmp(cmd, "population") || !strcmp(cmd, "sweep") || !strcmp(cmd, "compare");
  if (!ims_par_launched())
    return -1;
  if (!ims_par_built()) {
    if (launched_size() > 1 && shares)
      return cli_failf(IMS_EINPUT,
                       "started by an MPI launcher, but this immunosim was built without MPI "
                       "(rebuild with 'make MPI=1'); every process would run the whole %s",
                       cmd);
    return -1;
  }
  ims_err_t err = {0};
  if (ims_par_init(&par, argc, argv, &err))
    return cli_fail(err.code, &err);
  int rank = ims_par_rank(par), size = ims_par_size(par);
  if (rank != 0) { /* rank 0 speaks for the job */
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
  }
  if (size > 1 && !shares) {
    int code = cli_failf(IMS_EINPUT,
                         "%s does not share work over MPI ranks (population, sweep and compare "
                         "do); run it without mpirun, or with -n 1",
                         cmd);
    cli_par_stop();
    return code;
  }
  return -1;
}

void cli_par_stop(void)
{
  ims_par_finalize(par);
  par = NULL;
}

/* ---- outputs and signals ---- */

/* Temporary files in flight, for the signal handler: a slot is written only
 * while its flag is 0, so the handler never reads a half-written path. */
#define CLI_MAX_TMP 160
static char tmp_path[CLI_MAX_TMP][PATH_MAX];
static volatile sig_atomic_t tmp_used[CLI_MAX_TMP];
static volatile sig_atomic_t bar_shown; /* a progress bar is on the terminal */

static void on_tmp(void *ud, const char *tmp, int created)
{
  (void)ud;
  for (int i = 0; i < CLI_MAX_TMP; i++) {
    if (created && !tmp_used[i]) {
      snprintf(tmp_path[i], sizeof tmp_path[i], "%s", tmp);
      tmp_used[i] = 1;
      return;
    }
    if (!created && tmp_used[i] && !strcmp(tmp_path[i], tmp)) {
      tmp_used[i] = 0;
      return;
    }
  }
}

static volatile sig_atomic_t in_job; /* one rank of several (the signal says why) */

static void on_signal(int sig)
{
  int e = errno, removed = 0;
  for (int i = 0; i < CLI_MAX_TMP; i++)
    if (tmp_used[i])
      removed += unlink(tmp_path[i]) == 0;
  if (bar_shown && write(STDERR_FILENO, "\n", 1) < 0)
    bar_shown = 0;
  static const char job[] = "immunosim: stopped by a signal: the MPI job ends (a rank died, or "
                            "the job was cancelled); the outputs were removed, none written\n";
  if (in_job && removed && write(STDERR_FILENO, job, sizeof job - 1) < 0)
    in_job = 0;
  errno = e;
  raise(sig); /* delivered with the default action once this handler returns */
}

void cli_signals_install(void)
{
  in_job = ims_par_size(par) > 1;
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = (int)SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
    struct sigaction old;
    /* keep an inherited "ignore" (nohup, a shell's background job) */
    if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
      continue;
    sigaction(sigs[i], &sa, NULL);
  }
}

int cli_outset(ims_outset_t **g, ims_err_t *err)
{
  return ims_outset_alloc(g, on_tmp, NULL, err);
}

void cli_sibling(char *buf, size_t n, const char *fig, const char *ext)
{
  const char *dot = strrchr(fig, '.'), *slash = strrchr(fig, '/');
  int l = dot && (!slash || dot > slash) ? (int)(dot - fig) : (int)strlen(fig);
  snprintf(buf, n, "%.*s%s", l, fig, ext);
}

/* ---- progress bar ---- */

static struct {
  int on, drawn;
  double start, last, delay, offset, total;
  const char *label, *unit;
} bar;

double cli_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_start(const char *label, const char *unit, double offset, int stdout_busy)
{
  memset(&bar, 0, sizeof bar);
  /* rows streaming to the same terminal would fuse with the bar */
  bar.on = isatty(STDERR_FILENO) && !(stdout_busy && isatty(STDOUT_FILENO));
  bar.start = now();
  bar.label = label;
  bar.unit = unit ? unit : "";
  bar.offset = offset;
  const char *d = getenv("IMMUNOSIM_PROGRESS_DELAY");
  bar.delay = d && *d ? atof(d) : 1.0;
}

static void draw(double done, double total)
{
  double t = now(), f = total > 0 ? done / total : 1;
  f = f < 0 ? 0 : f > 1 ? 1 : f;
  char b[31], eta[48] = "", what[96];
  int k = (int)(f * 30 + 0.5);
  for (int i = 0; i < 30; i++)
    b[i] = i < k ? '#' : '-';
  b[30] = '\0';
  double el = t - bar.start;
  if (f > 0.01 && f < 1)
    snprintf(eta, sizeof eta, ", %.0f s left", el * (1 - f) / f);
  if (bar.label)
    snprintf(what, sizeof what, "%s = %.4g / %.4g %s", bar.label, bar.offset + done,
             bar.offset + total, bar.unit);
  else
    snprintf(what, sizeof what, "%.0f / %.0f %s", done, total, bar.unit);
  fprintf(stderr, "\r[%s] %3.0f%%  %s  %.0f s elapsed%-14s", b, 100 * f, what, el, eta);
  fflush(stderr);
  bar.drawn = 1;
  bar_shown = 1;
  bar.last = t;
}

void cli_progress(void *ud, double done, double total)
{
  (void)ud;
  if (!bar.on)
    return;
  bar.total = total;
  double t = now();
  if (t - bar.start < bar.delay || (bar.drawn && t - bar.last < 0.1))
    return;
  draw(done, total);
}

void cli_progress_clear(void)
{
  if (!bar.drawn)
    return;
  fprintf(stderr, "\r%*s\r", 110, "");
  fflush(stderr);
  bar.drawn = 0;
  bar_shown = 0;
}

void cli_progress_done(void)
{
  if (!bar.on || !bar_shown)
    return;
  draw(bar.total, bar.total); /* the bar ends at 100 %, on its own line */
  fputc('\n', stderr);
  bar.drawn = 0;
  bar_shown = 0;
  bar.on = 0;
}
