#include "cli.h"

#include <stdio.h>
#include <string.h>

/* immunosim _doc man|bash|options|help CMD: documents from the option table. */
int cmd_doc(int argc, char **argv)
{
  cli_args_t a;
  int rc = cli_parse("_doc", argc, argv, &a);
  if (rc)
    return rc > 0 ? 0 : 1;
  const char *what = a.pos[0];
  if (!strcmp(what, "man"))
    cli_print_man(stdout);
  else if (!strcmp(what, "bash"))
    cli_print_bash(stdout);
  else if (!strcmp(what, "options"))
    cli_print_options(stdout);
  else if (!strcmp(what, "help") && a.npos == 2 && cli_cmd_find(a.pos[1]))
    cli_print_help(stdout, cli_cmd_find(a.pos[1]));
  else
    return cli_failf(IMS_EINPUT, "_doc: give man, bash, options or help COMMAND");
  return fflush(stdout) == 0 ? 0 : 3;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    cli_print_usage(stderr);
    return 1;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || (!strcmp(cmd, "help") && argc == 2)) {
    cli_print_usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version")) {
    printf("immunosim %s\n", IMS_VERSION);
    return 0;
  }
  if (!strcmp(cmd, "help")) { /* immunosim help CMD */
    const cli_cmd_t *c = cli_cmd_find(argv[2]);
    if (c) {
      cli_print_help(stdout, c);
      return 0;
    }
    cmd = argv[2];
  }
  const cli_cmd_t *c = cli_cmd_find(cmd);
  if (c && strcmp(argv[1], "help") != 0) {
    int rc = cli_par_start(c->name, &argc, &argv);
    if (rc >= 0)
      return rc;
    cli_signals_install();
    rc = c->main(argc - 1, argv + 1);
    cli_par_stop();
    return rc;
  }
  const char *names[64];
  int n = 0;
  for (int i = 0; i < cli_ncmds && n < 64; i++)
    if (!cli_cmds[i].hidden)
      names[n++] = cli_cmds[i].name;
  const char *s = cli_suggest(cmd, names, n);
  if (s)
    return cli_failf(IMS_EINPUT, "unknown command '%s'; did you mean '%s'? ('immunosim --help')",
                     cmd, s);
  return cli_failf(IMS_EINPUT, "unknown command '%s'; see 'immunosim --help'", cmd);
}
