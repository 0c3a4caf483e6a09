#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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

int cmd_list(int argc, char **argv)
{
  cli_args_t a;
  int rc = cli_parse("list", argc, argv, &a);
  if (rc)
    return rc > 0 ? 0 : 1;
  int names = cli_flag(&a, OPT_NAMES);
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

/* The shipped schedules that dose m: those its schedule reader accepts. */
static int dosing_schedules(const ims_model_t *m, const ims_units_t *u, char **names, int n,
                            int *keep)
{
  int k = 0;
  for (int i = 0; i < n; i++) {
    char path[PATH_MAX * 2];
    ims_schedule_t *s = NULL;
    ims_err_t e;
    snprintf(path, sizeof path, "%s/params/schedules/%s.csv", cli_datadir(), names[i]);
    keep[i] = u && ims_schedule_alloc(&s, &e) == IMS_OK &&
              ims_schedule_read(s, m, u, path, &e) == IMS_OK && s->nrec > 0;
    k += keep[i];
    ims_schedule_free(s);
  }
  return k;
}

/* The shipped rules files that apply to m. */
static void applying_rules(const ims_model_t *m, const ims_units_t *u, char **names, int n,
                           int *keep)
{
  for (int i = 0; i < n; i++) {
    char path[PATH_MAX * 2];
    ims_rules_t *r = NULL;
    ims_err_t e;
    snprintf(path, sizeof path, "%s/params/rules/%s.csv", cli_datadir(), names[i]);
    keep[i] = u && ims_rules_alloc(&r, &e) == IMS_OK && ims_rules_read(r, m, u, path, &e) == IMS_OK;
    ims_rules_free(r);
  }
}

static void print_names(const char *head, char **names, const int *keep, int n, int width)
{
  char line[8192];
  size_t l = 0;
  line[0] = '\0';
  for (int i = 0; i < n && l < sizeof line - 300; i++)
    if (!keep || keep[i])
      l += (size_t)snprintf(line + l, sizeof line - l, "%s%s", l ? " " : "", names[i]);
  printf("%s", head);
  if (l)
    wrap(line, (int)strlen(head), (int)strlen(head), width);
  else
    puts("(none)");
}

/* --sets, --schedules: names one per line; else the shipped files after the model. */
static int print_data(const ims_model_t *m, const ims_units_t *u, int sets, int scheds, int width)
{
  char **pn = NULL, **sn = NULL, **rn = NULL;
  int np = 0, nsch = 0, nr = 0;
  ims_err_t e;
  ims_data_list(cli_datadir(), IMS_DATA_SETS, m, &pn, &np, &e);
  ims_data_list(cli_datadir(), IMS_DATA_SCHEDULES, m, &sn, &nsch, &e);
  ims_data_list(cli_datadir(), IMS_DATA_RULES, m, &rn, &nr, &e);
  int *ks = calloc((size_t)nsch + 1, sizeof *ks), *kr = calloc((size_t)nr + 1, sizeof *kr);
  if (ks && kr) {
    dosing_schedules(m, u, sn, nsch, ks);
    applying_rules(m, u, rn, nr, kr);
    if (sets || scheds) {
      for (int i = 0; sets && i < np; i++)
        puts(pn[i]);
      for (int i = 0; scheds && i < nsch; i++)
        if (ks[i])
          puts(sn[i]);
    } else {
      printf("\nparameter sets (-p NAME; %s/params/%s/):\n", cli_datadir(), m->name);
      print_names("  ", pn, NULL, np, width);
      printf("schedules that dose it (-s NAME; %s/params/schedules/):\n", cli_datadir());
      print_names("  ", sn, ks, nsch, width);
      int any = 0;
      for (int i = 0; i < nr; i++)
        any |= kr[i];
      if (any) { /* one line: the completion reads it */
        printf("rules that apply (-r NAME):");
        for (int i = 0; i < nr; i++)
          if (kr[i])
            printf(" %s", rn[i]);
        putchar('\n');
      }
    }
  }
  free(ks);
  free(kr);
  ims_data_list_free(pn, np);
  ims_data_list_free(sn, nsch);
  ims_data_list_free(rn, nr);
  return 0;
}

int cmd_info(int argc, char **argv)
{
  cli_args_t a;
  int rc = cli_parse("info", argc, argv, &a);
  if (rc)
    return rc > 0 ? 0 : 1;
  int names = cli_flag(&a, OPT_NAMES), columns = cli_flag(&a, OPT_COLUMNS);
  int sets = cli_flag(&a, OPT_SETS), scheds = cli_flag(&a, OPT_SCHEDULES);
  const ims_model_t *m = NULL;
  ims_err_t err = {0};
  rc = cli_model_open(a.pos[0], cli_flag(&a, OPT_NO_UNIT_CHECK), &m, &err);
  if (rc)
    return cli_fail(rc, &err);
  if (names || columns) {
    for (int i = 0; names && i < m->nparams; i++)
      puts(m->params[i].name);
    for (int i = 0; names && i < m->nstates; i++)
      printf("%s_0\n", m->states[i].name);
    for (int i = 0; columns && i < m->nstates; i++)
      puts(m->states[i].name);
    for (int i = 0; columns && i < m->noutputs; i++)
      puts(m->outputs[i].name);
    if (!sets && !scheds) {
      cli_model_close(m);
      return 0;
    }
  }
  ims_units_t *u = NULL;
  ims_params_t *p = NULL;
  char path[PATH_MAX * 2];
  if (sets || scheds) {
    rc = ims_units_alloc(&u, &err) ? 3 : print_data(m, u, sets, scheds, 0);
    ims_units_free(u);
    cli_model_close(m);
    return rc;
  }
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
  print_data(m, u, 0, 0, width);
  ims_params_free(p);
  ims_units_free(u);
  cli_model_close(m);
  return 0;
}
