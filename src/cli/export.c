/* immunosim export MODEL -o OUT.xml: a model as SBML Level 3 Version 2
 * core (the options and help are in the table, src/cli/options.c). */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_export(int argc, char **argv)
{
  cli_args_t a;
  int rc = cli_parse("export", argc, argv, &a);
  if (rc)
    return rc > 0 ? 0 : 1;
  const char *model = a.pos[0], *out = cli_str(&a, OPT_OUT, NULL);
  if (!out)
    return cli_failf(IMS_EINPUT, "export: where to? give -o OUT.xml ('-' for standard output)");
  /* a built-in is written from its model file, the one form with equations */
  const ims_model_t *builtin = ims_model_find(model), *m = NULL;
  char twin[PATH_MAX * 2];
  snprintf(twin, sizeof twin, "%s/models/%s.model", cli_datadir(), model);
  if (builtin && access(twin, R_OK) != 0)
    return cli_failf(IMS_EINPUT,
                     "export: %s is a built-in C model without a model file (%s): it has no "
                     "expression form to write as SBML",
                     model, twin);
  ims_err_t err = {0};
  rc = cli_model_open(builtin ? twin : model, 0, &m, &err);
  ims_units_t *u = NULL;
  ims_params_t *p = NULL;
  rc = rc ? rc : ims_units_alloc(&u, &err);
  rc = rc ? rc : ims_params_alloc(&p, m, &err);
  const char *files[CLI_MAX_REPEAT], *sets[CLI_MAX_REPEAT];
  int nf = cli_list(&a, OPT_PARAMS, files, CLI_MAX_REPEAT);
  int ns = cli_list(&a, OPT_SET, sets, CLI_MAX_REPEAT);
  for (int i = 0; !rc && i < nf; i++) {
    char pf[PATH_MAX * 2];
    cli_resolve(pf, sizeof pf, files[i], m->name);
    rc = ims_params_read(p, u, pf, &err);
  }
  for (int i = 0; !rc && i < ns; i++)
    rc = ims_params_set(p, u, sets[i], &err);
  rc = rc ? rc : ims_params_finish(p, &err);
  if (!rc) {
    ims_sbml_export_opts_t eo = {.p = p->value,
                                 .extinct_floor = builtin ? builtin->extinct_floor : 0};
    rc = ims_sbml_export(m, &eo, out, &err);
  }
  ims_params_free(p);
  ims_units_free(u);
  if (m)
    cli_model_close(m);
  return rc ? cli_fail(rc, &err) : 0;
}
