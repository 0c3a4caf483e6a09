#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Output width: the terminal's, else 100 columns. */
static int out_width(void)
{
  struct winsize ws;
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 60)
    return ws.ws_col > 160 ? 160 : ws.ws_col;
  return 100;
}

/* Print text from column `col`, breaking at spaces before `width`; continuation
 * lines start at column `indent`.  Ends with a newline. */
static void wrap(const char *text, int col, int indent, int width)
{
  const char *p = text;
  int avail = width - col;
  if (avail < 20)
    avail = 20;
  while (*p) {
    while (*p == ' ')
      p++;
    int len = (int)strlen(p);
    if (len <= avail) {
      fputs(p, stdout);
      break;
    }
    int cut = avail;
    while (cut > 0 && p[cut] != ' ')
      cut--;
    if (cut == 0) { /* one long word: break after it */
      cut = avail;
      while (p[cut] && p[cut] != ' ')
        cut++;
    }
    printf("%.*s\n%*s", cut, p, indent, "");
    p += cut;
    avail = width - indent < 20 ? 20 : width - indent;
  }
  putchar('\n');
}

static int is_help(const char *a)
{
  return !strcmp(a, "-h") || !strcmp(a, "--help");
}

int cmd_list(int argc, char **argv)
{
  int names = 0;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i])) {
      puts("usage: immunosim list [--names]\n\n"
           "List the models: name, therapy family and what the model is.\n"
           "  --names   only the names, one per line (for scripts and shell completion)\n"
           "\nexample:\n  immunosim list\n  immunosim info $(immunosim list --names | head -1)");
      return 0;
    }
    if (!strcmp(argv[i], "--names"))
      names = 1;
    else
      return cli_failf(IMS_EINPUT, "list: unknown option '%s'; see 'immunosim list --help'",
                       argv[i]);
  }
  int n;
  const ims_model_t *const *ms = ims_model_list(&n);
  if (names) {
    for (int i = 0; i < n; i++)
      puts(ms[i]->name);
    return 0;
  }
  int w = 5, wf = 6, width = out_width();
  for (int i = 0; i < n; i++) {
    int l = (int)strlen(ms[i]->name), lf = (int)strlen(ms[i]->family);
    w = l > w ? l : w;
    wf = lf > wf ? lf : wf;
  }
  printf("%-*s  %-*s  %s\n", w, "MODEL", wf, "FAMILY", "DESCRIPTION");
  for (int i = 0; i < n; i++) {
    printf("%-*s  %-*s  ", w, ms[i]->name, wf, ms[i]->family);
    wrap(ms[i]->title, w + wf + 4, w + wf + 4, width);
  }
  printf("\n%d model%s; 'immunosim info MODEL' shows one.\n", n, n == 1 ? "" : "s");
  return 0;
}

static void print_vars(const char *title, const ims_var_t *v, int n, int width)
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
  printf("  %-*s  %-*s  %s\n", w, "NAME", wu, "UNIT", "DESCRIPTION");
  for (int i = 0; i < n; i++) {
    printf("  %-*s  %-*s  ", w, v[i].name, wu, v[i].unit);
    wrap(v[i].desc, w + wu + 6, w + wu + 6, width);
  }
}

static void print_params(const ims_model_t *m, const ims_params_t *p, int width)
{
  int w = 4, wu = 4;
  for (int i = 0; i < m->nparams; i++) {
    int l = (int)strlen(m->params[i].name), lu = (int)strlen(m->params[i].unit);
    w = l > w ? l : w;
    wu = lu > wu ? lu : wu;
  }
  for (int i = 0; p && i < m->nstates; i++)
    if (p->given[m->nparams + i]) {
      int l = (int)strlen(m->states[i].name) + 2, lu = (int)strlen(m->states[i].unit);
      w = l > w ? l : w;
      wu = lu > wu ? lu : wu;
    }
  int dcol = 2 + w + 2 + 12 + 2 + wu + 2;
  printf("\nparameters (default set %s)\n", m->default_set ? m->default_set : "of the model file");
  printf("  %-*s  %12s  %-*s  %s\n", w, "NAME", "VALUE", wu, "UNIT", "DESCRIPTION [SOURCE]");
  char text[2048];
  for (int i = 0; i < m->nparams; i++) {
    const ims_par_t *q = &m->params[i];
    printf("  %-*s  %12.6g  %-*s  ", w, q->name, p ? p->value[i] : q->def, wu, q->unit);
    snprintf(text, sizeof text, "%s%s%s%s", q->desc,
             p && p->source[i] ? " [" : (p && !p->given[i] ? " [default]" : ""),
             p && p->source[i] ? p->source[i] : "", p && p->source[i] ? "]" : "");
    wrap(text, dcol, dcol, width);
  }
  for (int i = 0; p && i < m->nstates; i++) {
    int k = m->nparams + i;
    if (!p->given[k])
      continue;
    char name[160];
    snprintf(name, sizeof name, "%s_0", m->states[i].name);
    printf("  %-*s  %12.6g  %-*s  ", w, name, p->value[k], wu, m->states[i].unit);
    snprintf(text, sizeof text, "initial %s%s%s%s", m->states[i].name, p->source[k] ? " [" : "",
             p->source[k] ? p->source[k] : "", p->source[k] ? "]" : "");
    wrap(text, dcol, dcol, width);
  }
  printf("  Initial conditions are the parameters <STATE>_0 (default 0).\n");
}

static const char info_help[] =
    "usage: immunosim info MODEL [--names | --columns]\n"
    "\n"
    "Show a model's states, parameters (default value, unit, description, source), outputs,\n"
    "citation and notes (errata applied).\n"
    "  --names     only the parameter names (with <STATE>_0), one per line, for --set\n"
    "  --columns   only the output columns (states, then outputs), one per line\n"
    "\n"
    "example:\n"
    "  immunosim info pk2cmt\n"
    "  immunosim info pk2cmt --names\n";

int cmd_info(int argc, char **argv)
{
  const char *model = NULL;
  int names = 0, columns = 0;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i])) {
      fputs(info_help, stdout);
      return 0;
    }
    if (!strcmp(argv[i], "--names"))
      names = 1;
    else if (!strcmp(argv[i], "--columns"))
      columns = 1;
    else if (argv[i][0] == '-')
      return cli_failf(IMS_EINPUT, "info: unknown option '%s'; see 'immunosim info --help'",
                       argv[i]);
    else if (model)
      return cli_failf(IMS_EINPUT, "info: one model at a time ('%s' and '%s')", model, argv[i]);
    else
      model = argv[i];
  }
  if (!model) {
    fputs(info_help, stderr);
    return 1;
  }
  const ims_model_t *m;
  ims_err_t oerr = {0};
  if (cli_model_open(&m, model, 0, &oerr) != 0)
    return cli_fail(oerr.code, &oerr);
  if (names || columns) {
    for (int i = 0; names && i < m->nparams; i++)
      puts(m->params[i].name);
    for (int i = 0; names && i < m->nstates; i++)
      printf("%s_0\n", m->states[i].name);
    for (int i = 0; columns && i < m->nstates; i++)
      puts(m->states[i].name);
    for (int i = 0; columns && i < m->noutputs; i++)
      puts(m->outputs[i].name);
    ims_model_close(m);
    return 0;
  }
  ims_units_t *u = NULL;
  ims_params_t *p = NULL;
  ims_err_t err = {0};
  char path[PATH_MAX * 2];
  snprintf(path, sizeof path, "%s/params/%s/%s.csv", cli_datadir(), m->name,
           m->default_set ? m->default_set : "");
  if (ims_units_alloc(&u, &err) || ims_params_alloc(&p, m, &err) ||
      (m->default_set && ims_params_read(p, u, path, &err))) {
    fprintf(stderr, "immunosim: warning: %s\n", err.msg);
    ims_params_free(p);
    p = NULL;
  }
  int width = out_width();
  printf("%s: %s\n\n", m->name, m->title);
  printf("  family     ");
  wrap(m->family, 13, 13, width);
  printf("  citation   ");
  wrap(m->citation, 13, 13, width);
  printf("  time unit  %s\n", m->time_unit);
  if (m->source)
    printf("  model file %s (fnv1a64 %s)\n", m->source, m->source_hash ? m->source_hash : "");
  if (m->notes) {
    printf("  notes      ");
    wrap(m->notes, 13, 13, width);
  }
  print_vars("states", m->states, m->nstates, width);
  print_params(m, p, width);
  print_vars("outputs", m->outputs, m->noutputs, width);
  printf("\nparameter sets: %s/params/%s/\n", cli_datadir(), m->name);
  ims_params_free(p);
  ims_units_free(u);
  ims_model_close(m);
  return 0;
}
