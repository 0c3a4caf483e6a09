#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_list(int argc, char **argv)
{
  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    puts("usage: immunosim list\n\nList the models, one per line: name, therapy family, title.\n"
         "\nexample:\n  immunosim list");
    return 0;
  }
  int n;
  const ims_model_t *const *ms = ims_model_list(&n);
  int w = 4, wf = 6;
  for (int i = 0; i < n; i++) {
    int l = (int)strlen(ms[i]->name), lf = (int)strlen(ms[i]->family);
    w = l > w ? l : w;
    wf = lf > wf ? lf : wf;
  }
  printf("%-*s  %-*s  %s\n", w, "MODEL", wf, "FAMILY", "DESCRIPTION");
  for (int i = 0; i < n; i++)
    printf("%-*s  %-*s  %s\n", w, ms[i]->name, wf, ms[i]->family, ms[i]->title);
  return 0;
}

static void print_vars(const char *title, const ims_var_t *v, int n)
{
  if (!n)
    return;
  int w = 4, wu = 4;
  for (int i = 0; i < n; i++) {
    int l = (int)strlen(v[i].name), lu = (int)strlen(v[i].unit);
    w = l > w ? l : w;
    wu = lu > wu ? lu : wu;
  }
  printf("\n%s\n", title);
  for (int i = 0; i < n; i++)
    printf("  %-*s  %-*s  %s\n", w, v[i].name, wu, v[i].unit, v[i].desc);
}

static void print_params(const ims_model_t *m, const ims_params_t *p)
{
  int w = 4, wu = 4;
  for (int i = 0; i < m->nparams; i++) {
    int l = (int)strlen(m->params[i].name), lu = (int)strlen(m->params[i].unit);
    w = l > w ? l : w;
    wu = lu > wu ? lu : wu;
  }
  printf("\nparameters (default set %s)\n", m->default_set);
  printf("  %-*s  %12s  %-*s  %s\n", w, "NAME", "VALUE", wu, "UNIT", "DESCRIPTION [SOURCE]");
  for (int i = 0; i < m->nparams; i++) {
    const ims_par_t *q = &m->params[i];
    printf("  %-*s  %12.6g  %-*s  %s", w, q->name, p ? p->value[i] : q->def, wu, q->unit,
           q->desc);
    if (p && p->source[i])
      printf(" [%s]", p->source[i]);
    else if (p && !p->given[i])
      printf(" [default]");
    putchar('\n');
  }
  if (p)
    for (int i = 0; i < m->nstates; i++)
      if (p->given[m->nparams + i])
        printf("  %s_0 = %g %s%s%s%s\n", m->states[i].name, p->value[m->nparams + i],
               m->states[i].unit, p->source[m->nparams + i] ? " [" : "",
               p->source[m->nparams + i] ? p->source[m->nparams + i] : "",
               p->source[m->nparams + i] ? "]" : "");
  printf("  Initial conditions are the parameters <STATE>_0 (default 0).\n");
}

int cmd_info(int argc, char **argv)
{
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    puts("usage: immunosim info MODEL\n\nShow a model's states, parameters (default value, "
         "unit, description, source),\noutputs, citation and notes (errata applied).\n"
         "\nexample:\n  immunosim info hardiansyah2019");
    return argc < 2 ? 1 : 0;
  }
  const ims_model_t *m = ims_model_find(argv[1]);
  if (!m)
    return cli_failf(IMS_EINPUT, "unknown model '%s'; 'immunosim list' shows the models",
                     argv[1]);
  ims_units_t *u = NULL;
  ims_params_t *p = NULL;
  ims_err_t err = {0};
  char path[PATH_MAX * 2];
  snprintf(path, sizeof path, "%s/params/%s/%s.csv", cli_datadir(), m->name, m->default_set);
  if (ims_units_alloc(&u, &err) || ims_params_alloc(&p, m, &err) ||
      ims_params_read(p, u, path, &err)) {
    fprintf(stderr, "immunosim: warning: %s\n", err.msg);
    ims_params_free(p);
    p = NULL;
  }
  printf("%s: %s\n", m->name, m->title);
  printf("family:   %s\ncitation: %s\ntime unit: %s\n", m->family, m->citation, m->time_unit);
  if (m->notes)
    printf("notes:    %s\n", m->notes);
  print_vars("states", m->states, m->nstates);
  print_params(m, p);
  print_vars("outputs", m->outputs, m->noutputs);
  printf("\nparameter sets: %s/params/%s/\n", cli_datadir(), m->name);
  ims_params_free(p);
  ims_units_free(u);
  return 0;
}
