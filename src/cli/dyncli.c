/* Shared pieces of the dynamics commands (see dyncli.h). */
#include "dyncli.h"

#include "csvread.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int dyn_parse(const char *cmd, const char *help, const dyn_opt_t *tab, int nopt, int argc,
              char **argv, dyn_args_t *a)
{
  memset(a, 0, sizeof *a);
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      fputs(help, stdout);
      return -1;
    }
    if (o[0] != '-' || !o[1]) {
      if (a->model)
        return cli_failf(IMS_EINPUT, "%s: unexpected argument '%s' (the model is '%s')", cmd, o,
                         a->model);
      a->model = o;
      continue;
    }
    /* --name=value is the same as --name value */
    const char *eq = strncmp(o, "--", 2) == 0 ? strchr(o, '=') : NULL;
    size_t len = eq ? (size_t)(eq - o) : strlen(o);
    int k = 0;
    while (k < nopt && !((strlen(tab[k].lng) == len && !strncmp(tab[k].lng, o, len)) ||
                         (!eq && tab[k].shrt && !strcmp(tab[k].shrt, o))))
      k++;
    if (k == nopt) {
      const char *names[DYN_MAX_OPTS];
      for (int j = 0; j < nopt; j++)
        names[j] = tab[j].lng;
      const char *s = cli_suggest(o, names, nopt);
      if (s)
        return cli_failf(IMS_EINPUT, "%s: unknown option '%s'; did you mean '%s'?", cmd, o, s);
      return cli_failf(IMS_EINPUT, "%s: unknown option '%s'; see 'immunosim %s --help'", cmd, o,
                       cmd);
    }
    const char *val = NULL;
    if (tab[k].arg) {
      if (eq)
        val = eq + 1;
      else if (i + 1 < argc)
        val = argv[++i];
      else
        return cli_failf(IMS_EINPUT, "%s: option %s needs a value", cmd, tab[k].lng);
    } else if (eq)
      return cli_failf(IMS_EINPUT, "%s: option %s takes no value", cmd, tab[k].lng);
    if (a->n[k] && !tab[k].repeat)
      return cli_failf(IMS_EINPUT, "%s: option %s given twice", cmd, tab[k].lng);
    if (a->n[k] >= CLI_MAX_REPEAT)
      return cli_failf(IMS_EINPUT, "%s: option %s given more than %d times", cmd, tab[k].lng,
                       CLI_MAX_REPEAT);
    a->v[k][a->n[k]++] = val ? val : "";
  }
  if (!a->model)
    return cli_failf(IMS_EINPUT,
                     "%s: which model? e.g. 'immunosim %s kuznetsov1994' "
                     "('immunosim list')",
                     cmd, cmd);
  return 0;
}

const char *dyn_str(const dyn_args_t *a, int id, const char *def)
{
  return a->n[id] ? a->v[id][a->n[id] - 1] : def;
}

int dyn_num(const dyn_args_t *a, int id, const dyn_opt_t *tab, double def, double *v)
{
  *v = def;
  if (!a->n[id])
    return 0;
  const char *s = a->v[id][a->n[id] - 1];
  if (ims__parse_double(s, v) != 0) {
    cli_failf(IMS_EINPUT, "option %s: '%s' is not a finite number", tab[id].lng, s);
    return -1;
  }
  return 0;
}

int dyn_setup(cli_setup_t *s, cli_run_args_t *r, const dyn_args_t *a, int id_params, int id_set,
              ims_err_t *err)
{
  r->model = a->model;
  for (int i = 0; i < a->n[id_params]; i++)
    r->pfiles[r->npfiles++] = a->v[id_params][i];
  for (int i = 0; i < a->n[id_set]; i++)
    r->sets[r->nsets++] = a->v[id_set][i];
  return cli_setup(s, r, 0, err);
}

int dyn_range(const char *s, double *lo, double *hi)
{
  const char *c = strchr(s, ':');
  char buf[128];
  if (!c || (size_t)(c - s) >= sizeof buf)
    return -1;
  memcpy(buf, s, (size_t)(c - s));
  buf[c - s] = '\0';
  return ims__parse_double(buf, lo) != 0 || ims__parse_double(c + 1, hi) != 0 ? -1 : 0;
}

int dyn_box(const ims_model_t *m, const dyn_args_t *a, int id, double *lo, double *hi,
            ims_err_t *err)
{
  for (int i = 0; i < a->n[id]; i++) {
    const char *s = a->v[id][i], *eq = strchr(s, '=');
    char name[128];
    if (!eq || eq == s || (size_t)(eq - s) >= sizeof name)
      return ims_err_set(err, IMS_EINPUT, "--box %s: expected STATE=LO:HI, e.g. --box T=0:1e10", s);
    memcpy(name, s, (size_t)(eq - s));
    name[eq - s] = '\0';
    int k = ims_model_state_index(m, name);
    if (k < 0)
      return ims_err_set(err, IMS_EINPUT, "--box %s: model %s has no state '%s'", s, m->name, name);
    double l, h;
    if (dyn_range(eq + 1, &l, &h) != 0 || !(h > l))
      return ims_err_set(err, IMS_EINPUT,
                         "--box %s: expected LO:HI with LO < HI, finite, in %s (e.g. 0:1e10)", s,
                         m->states[k].unit);
    lo[k] = l;
    hi[k] = h;
  }
  return IMS_OK;
}

void dyn_meta(ims_output_t *o, const cli_setup_t *s, const cli_run_args_t *r, const double *lo,
              const double *hi)
{
  const ims_model_t *m = s->m;
  ims_output_comment(o, "immunosim %s", IMS_VERSION);
  ims_output_comment(o, "model: %s (%s)", m->name, m->title);
  ims_output_comment(o, "citation: %s", m->citation);
  for (int i = 0; i < s->params->nfiles; i++)
    ims_output_comment(o, "params: %s fnv1a64=%s", s->params->files[i], s->params->checksums[i]);
  for (int i = 0; i < r->nsets; i++)
    ims_output_comment(o, "set: %s", r->sets[i]);
  for (int i = 0; lo && hi && i < m->nstates; i++)
    ims_output_comment(o, "box: %s = %.10g:%.10g %s", m->states[i].name, lo[i], hi[i],
                       m->states[i].unit);
}
