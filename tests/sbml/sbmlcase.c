/* One SBML Test Suite case through the library: sbmlcase MODEL.xml
 * SETTINGS.txt OUT.csv (called by tests/sbml/wrapper.sh).
 *
 * It imports the model, adds one output per requested variable (amount or
 * concentration as the settings say), takes the default parameter values
 * through the same parameter set every command uses, runs the ordinary
 * driver to the settings' output times and writes time,<variables>.  Exit 0
 * on success; exit 1 with "unsupported: TAG" (and no file) when the model
 * uses a feature immunosim does not simulate; exit 2 on any other failure.
 *
 * Tolerances: rtol 1e-10 and atol 1e-14 keep the integration error orders
 * of magnitude below the suite's tolerances (absolute 1e-7 or more,
 * relative 1e-4 of the expected value). */
#include "immunosim/immunosim.h"
#include "immunosim/sbml.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXVAR 256

typedef struct settings {
  double start, duration;
  long steps;
  char *vars[MAXVAR];
  int nvars;
  char *amount[MAXVAR];
  int namount;
  char *conc[MAXVAR];
  int nconc;
  char buf[3][8192];
} settings_t;

static char *trim(char *s)
{
  while (isspace((unsigned char)*s))
    s++;
  char *e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1]))
    *--e = '\0';
  return s;
}

static int split(char *line, char **out, int max)
{
  int n = 0;
  for (char *tok = strtok(line, ","); tok && n < max; tok = strtok(NULL, ",")) {
    char *t = trim(tok);
    if (*t)
      out[n++] = t;
  }
  return n;
}

static int read_settings(const char *path, settings_t *st)
{
  FILE *fp = fopen(path, "r");
  if (!fp) {
    fprintf(stderr, "sbmlcase: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  memset(st, 0, sizeof *st);
  st->steps = -1;
  char line[8192];
  int ok_start = 0, ok_dur = 0;
  while (fgets(line, sizeof line, fp)) {
    char *colon = strchr(line, ':');
    if (!colon)
      continue;
    *colon = '\0';
    char *key = trim(line), *val = trim(colon + 1);
    if (!strcmp(key, "start"))
      ok_start = sscanf(val, "%lf", &st->start) == 1;
    else if (!strcmp(key, "duration"))
      ok_dur = sscanf(val, "%lf", &st->duration) == 1;
    else if (!strcmp(key, "steps"))
      st->steps = strtol(val, NULL, 10);
    else if (!strcmp(key, "variables")) {
      snprintf(st->buf[0], sizeof st->buf[0], "%s", val);
      st->nvars = split(st->buf[0], st->vars, MAXVAR);
    } else if (!strcmp(key, "amount")) {
      snprintf(st->buf[1], sizeof st->buf[1], "%s", val);
      st->namount = split(st->buf[1], st->amount, MAXVAR);
    } else if (!strcmp(key, "concentration")) {
      snprintf(st->buf[2], sizeof st->buf[2], "%s", val);
      st->nconc = split(st->buf[2], st->conc, MAXVAR);
    }
  }
  fclose(fp);
  if (!ok_start || !ok_dur || st->steps <= 0 || !(st->duration > 0)) {
    fprintf(stderr, "sbmlcase: %s: no time course (start, duration, steps)\n", path);
    return -1;
  }
  return 0;
}

static int listed(char *const *list, int n, const char *v)
{
  for (int i = 0; i < n; i++)
    if (!strcmp(list[i], v))
      return 1;
  return 0;
}

typedef struct sink {
  FILE *fp;
  int first, nvars; /* outputs first..first+nvars-1 are the report */
} sink_t;

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  (void)y, (void)q;
  sink_t *k = ud;
  fprintf(k->fp, "%.17g", t);
  for (int i = 0; i < k->nvars; i++)
    fprintf(k->fp, ",%.17g", out[k->first + i]);
  fputc('\n', k->fp);
  return 0;
}

static int fail(const ims_err_t *err)
{
  fprintf(stderr, "sbmlcase: %s\n", err->msg);
  return strstr(err->msg, "unsupported: ") ? 1 : 2;
}

int main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: sbmlcase MODEL.xml SETTINGS.txt OUT.csv\n");
    return 2;
  }
  /* the model first: an unsupported one (e.g. fbc, whose settings have no
   * time course) is refused as such */
  ims_err_t err = {0};
  ims_sbml_t *sb;
  if (ims_sbml_import(&sb, argv[1], &err))
    return fail(&err);
  settings_t st;
  if (read_settings(argv[2], &st)) {
    ims_sbml_free(sb);
    return 2;
  }
  int first = ims_sbml_mdl(sb)->noutputs;
  for (int i = 0; i < st.nvars; i++) {
    int what = listed(st.amount, st.namount, st.vars[i])  ? IMS_SBML_AMOUNT
               : listed(st.conc, st.nconc, st.vars[i]) ? IMS_SBML_CONC
                                                         : IMS_SBML_VALUE;
    char name[64];
    snprintf(name, sizeof name, "report_%d", i + 1);
    if (ims_sbml_report(sb, st.vars[i], what, name, &err)) {
      ims_sbml_free(sb);
      return fail(&err);
    }
  }
  ims_model_t *m;
  if (ims_sbml_compile(sb, NULL, &m, &err))
    return fail(&err);
  ims_params_t *p = NULL;
  ims_sim_t *sim = NULL;
  double *tout = malloc((size_t)(st.steps + 1) * sizeof *tout);
  int rc = tout ? ims_params_alloc(&p, m, &err) : ims_err_set(&err, IMS_ENOMEM, "memory");
  rc = rc ? rc : ims_params_finish(p, &err);
  rc = rc ? rc : ims_sim_alloc(&sim, m, &err);
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", argv[3], (long)getpid());
  FILE *fp = NULL;
  if (!rc && !(fp = fopen(tmp, "w")))
    rc = ims_err_set(&err, IMS_EIO, "cannot write %s: %s", tmp, strerror(errno));
  if (!rc) {
    for (long i = 0; i <= st.steps; i++)
      tout[i] = st.start + (double)i * st.duration / (double)st.steps;
    ims_opts_t o;
    ims_opts_default(&o);
    o.t0 = st.start;
    o.rtol = 1e-10;
    o.atol = 1e-14;
    o.max_steps = 1000000;
    sink_t k = {.fp = fp, .first = first, .nvars = st.nvars};
    ims_observer_t obs = {.row = on_row, .ud = &k};
    fprintf(fp, "time");
    for (int i = 0; i < st.nvars; i++)
      fprintf(fp, ",%s", st.vars[i]);
    fputc('\n', fp);
    rc = ims_sim_run(sim, p->value, NULL, &o, tout, (size_t)st.steps + 1, &obs, &err);
    if (rc == IMS_ESTOP)
      rc = IMS_OK;
  }
  if (fp && fclose(fp) && !rc)
    rc = ims_err_set(&err, IMS_EIO, "cannot write %s", tmp);
  if (!rc && rename(tmp, argv[3]))
    rc = ims_err_set(&err, IMS_EIO, "cannot rename %s: %s", tmp, strerror(errno));
  if (rc && fp)
    remove(tmp);
  ims_sim_free(sim);
  ims_params_free(p);
  ims_mdl_model_free(m);
  free(tout);
  return rc ? fail(&err) : 0;
}
