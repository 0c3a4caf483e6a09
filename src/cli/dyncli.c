/* Shared pieces of the dynamics commands (see dyncli.h). */
#include "dyncli.h"

#include "immunosim/table.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

int dyn_begin(cli_ctx_t *x, const char *cmd, int argc, char **argv, void (*defaults)(cli_ctx_t *x),
              int *code)
{
  /* GSL's default handler aborts; the library checks its inputs, and the
   * application decides: report, never abort */
  gsl_set_error_handler_off();
  if (cli_begin(x, cmd, argc, argv, code))
    return 1;
  if (defaults)
    defaults(x);
  /* ims_run_alloc, not cli_load_run: the run's notes ("nothing is dosed;
   * dose with -s") are about simulating from the initial state, which
   * these commands do not do (or, for orbits, do on purpose without doses) */
  int rc = ims_run_alloc(&x->r, &x->ra.spec, &x->err);
  if (rc) {
    *code = cli_end(x, rc);
    return 1;
  }
  return 0;
}

int dyn_needs(const cli_args_t *a, const char *group, int key, const char *keyhelp, ims_err_t *err)
{
  if (cli_count(a, key))
    return IMS_OK;
  for (int i = 0; i < a->nv; i++) {
    const cli_opt_t *o = cli_opt_for(a->cmd->name, a->v[i].id);
    if (o && o->group && !strcmp(o->group, group))
      return ims_err_set(err, IMS_EINPUT, "--%s: the %s options need %s", o->name, group, keyhelp);
  }
  return IMS_OK;
}

int dyn_one_stdout(const cli_args_t *a, const int *ids, int n, ims_err_t *err)
{
  const char *first = NULL;
  for (int i = 0; i < n; i++) {
    const char *p = cli_str(a, ids[i], NULL);
    const cli_opt_t *o = cli_opt_for(a->cmd->name, ids[i]);
    if (!p || strcmp(p, "-"))
      continue;
    if (first)
      return ims_err_set(err, IMS_EINPUT,
                         "--%s -: standard output is already --%s; give one of them a file",
                         o ? o->name : "?", first);
    first = o ? o->name : "?";
  }
  return IMS_OK;
}

int dyn_range(const char *s, double *lo, double *hi)
{
  const char *c = strchr(s, ':');
  char buf[128];
  if (!c || (size_t)(c - s) >= sizeof buf)
    return -1;
  memcpy(buf, s, (size_t)(c - s));
  buf[c - s] = '\0';
  return ims_table_double(buf, lo) != 0 || ims_table_double(c + 1, hi) != 0 ? -1 : 0;
}

int dyn_box(const ims_model_t *m, const cli_args_t *a, double *lo, double *hi, ims_err_t *err)
{
  for (int i = 0; i < a->nv; i++) {
    if (a->v[i].id != OPT_BOX)
      continue;
    const char *s = a->v[i].s, *eq = strchr(s, '=');
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

void dyn_meta(ims_output_t *o, const ims_run_t *r, const double *lo, const double *hi)
{
  const ims_model_t *m = r->m;
  ims_output_comment(o, "immunosim %s", IMS_VERSION);
  ims_output_comment(o, "model: %s (%s)", m->name, m->title);
  ims_output_comment(o, "citation: %s", m->citation);
  if (m->source)
    ims_output_comment(o, "model-file: %s fnv1a64=%s", m->source,
                       m->source_hash ? m->source_hash : "");
  for (int i = 0; i < r->params->nfiles; i++)
    ims_output_comment(o, "params: %s fnv1a64=%s", r->params->files[i], r->params->checksums[i]);
  for (int i = 0; i < r->spec.nsets; i++)
    ims_output_comment(o, "set: %s", r->spec.sets[i]);
  char a[IMS_NUMBUF], b[IMS_NUMBUF];
  for (int i = 0; lo && hi && i < m->nstates; i++)
    ims_output_comment(o, "box: %s = %s:%s %s", m->states[i].name, ims_fmt_num(a, lo[i]),
                       ims_fmt_num(b, hi[i]), m->states[i].unit);
}
