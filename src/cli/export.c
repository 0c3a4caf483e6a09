/* immunosim export: a model as SBML Level 3 Version 2 core. */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char export_help[] =
    "usage: immunosim export MODEL|FILE.model|FILE.xml -o OUT.xml [options]\n"
    "\n"
    "Write the model as SBML Level 3 Version 2 core: states as species (amounts) or\n"
    "rate-rule parameters, parameters with their units as unit definitions,\n"
    "intermediates and outputs as assignment rules, the citation in the notes.  The\n"
    "file passes libsbml's validation, and importing it gives the same model.\n"
    "A built-in model is exported from its model file (models/MODEL.model), which\n"
    "the tests hold to the built-in's results; a built-in without one is refused.\n"
    "\n"
    "  -o, --out FILE        the SBML file ('-' for stdout); written to a temporary\n"
    "                        file and renamed, so a failure leaves nothing behind\n"
    "  -p, --params FILE     parameter CSV whose values the file carries (repeatable)\n"
    "  --set NAME=VALUE[UNIT] override one value\n"
    "\n"
    "examples:\n"
    "  immunosim export kuznetsov1994 -o kuznetsov1994.xml\n"
    "  immunosim export pk2cmt -p pembrolizumab_ahamadi2017 -o pembrolizumab.xml\n";

/* The model file of built-in `name` in the data directory, if any. */
static int twin(char *out, size_t n, const char *name)
{
  snprintf(out, n, "%s/models/%s.model", cli_datadir(), name);
  return access(out, R_OK) == 0;
}

int cmd_export(int argc, char **argv)
{
  const char *model = NULL, *out = NULL;
  const char *pfiles[CLI_MAX_REPEAT], *sets[CLI_MAX_REPEAT];
  int np = 0, ns = 0;
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    int has = i + 1 < argc;
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      fputs(export_help, stdout);
      return 0;
    }
    if ((!strcmp(o, "-o") || !strcmp(o, "--out")) && has)
      out = argv[++i];
    else if ((!strcmp(o, "-p") || !strcmp(o, "--params")) && has && np < CLI_MAX_REPEAT)
      pfiles[np++] = argv[++i];
    else if (!strcmp(o, "--set") && has && ns < CLI_MAX_REPEAT)
      sets[ns++] = argv[++i];
    else if (o[0] == '-' && o[1])
      return cli_failf(IMS_EINPUT,
                       "export: unknown option or missing value '%s'; see "
                       "'immunosim export --help'",
                       o);
    else if (model)
      return cli_failf(IMS_EINPUT, "export: unexpected argument '%s' (the model is '%s')", o,
                       model);
    else
      model = o;
  }
  if (!model)
    return cli_failf(IMS_EINPUT, "export: which model? e.g. 'immunosim export kuznetsov1994 -o "
                                 "k.xml'");
  if (!out || !*out)
    return cli_failf(IMS_EINPUT, "export: where to? give -o OUT.xml ('-' for stdout)");
  ims_err_t err = {0};
  const ims_model_t *builtin = ims_model_find(model), *m = NULL;
  char path[PATH_MAX * 2];
  if (builtin && !twin(path, sizeof path, model))
    return cli_failf(IMS_EINPUT,
                     "export: %s is a built-in C model without a model file (%s): it has no "
                     "expression form to write as SBML",
                     model, path);
  int rc = cli_model_open(&m, builtin ? path : model, 0, &err);
  ims_units_t *u = NULL;
  ims_params_t *p = NULL;
  rc = rc ? rc : ims_units_alloc(&u, &err);
  rc = rc ? rc : ims_params_alloc(&p, m, &err);
  for (int i = 0; !rc && i < np; i++) {
    char pf[PATH_MAX * 2];
    cli_resolve(pf, sizeof pf, pfiles[i], m->name);
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
  ims_model_close(m);
  return rc ? cli_fail(rc, &err) : 0;
}
