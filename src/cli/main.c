#include "cli.h"
#include "dyncli.h"

#include <stdio.h>
#include <string.h>

const cli_cmd_t cli_cmds[] = {
    {"run", "simulate a model and write a table", cmd_run, NULL},
    {"list", "list the models", cmd_list, NULL},
    {"info", "show a model's states, parameters, outputs and citation", cmd_info, NULL},
    {"compare", "run several schedules and compare their metrics", cmd_compare, NULL},
    {"sweep", "metrics over a 1-D or 2-D grid of parameters or doses", cmd_sweep, NULL},
    {"sensitivity", "local forward sensitivities of outputs and metrics", cmd_sensitivity, NULL},

    {"plot", "draw run outputs with gnuplot (PNG, SVG, PDF)", cmd_plot, NULL},

    {"population", "simulate a virtual population: percentile bands, per-subject metrics",
     cmd_population, NULL},
    {"equilibria", "equilibria in a box, eigenvalues, type; nullclines", cmd_equilibria, NULL},
    {"continue", "equilibrium branches over a parameter: folds, Hopf points, orbits", cmd_continue,
     NULL},
    {"translate", "write a model file as C source in the model contract", cmd_translate, NULL},
    {"export", "write a model as SBML Level 3 Version 2", cmd_export, NULL},
};
const int cli_ncmds = (int)(sizeof cli_cmds / sizeof *cli_cmds);

static void usage(FILE *fp)
{
  fprintf(fp,
          "immunosim %s: ODE models of cancer immunotherapy\n\n"
          "usage: immunosim COMMAND [options]   (immunosim COMMAND --help for more)\n\n"
          "commands:\n",
          IMS_VERSION);
  for (int i = 0; i < cli_ncmds; i++)
    fprintf(fp, "  %-12s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
  fprintf(fp,
          "\nexample:\n  immunosim run pk2cmt -s blinatumomab_cycle1 -t 42 --units "
          "C1=pg/mL -o blina.csv --plot blina.png\n"
          "\nexit codes: 0 ok, 1 bad input, 2 solver failure, 3 I/O failure or gnuplot missing, "
          "4 internal\n");
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    usage(stderr);
    return 1;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("immunosim %s\n", IMS_VERSION);
    return 0;
  }
  for (int i = 0; i < cli_ncmds; i++)
    if (!strcmp(argv[1], cli_cmds[i].name))
      return cli_cmds[i].main(argc - 1, argv + 1);
  const char *names[64];
  for (int i = 0; i < cli_ncmds && i < 64; i++)
    names[i] = cli_cmds[i].name;
  const char *s = cli_suggest(argv[1], names, cli_ncmds < 64 ? cli_ncmds : 64);
  if (s)
    return cli_failf(IMS_EINPUT, "unknown command '%s'; did you mean '%s'? ('immunosim --help')",
                     argv[1], s);
  return cli_failf(IMS_EINPUT, "unknown command '%s'; see 'immunosim --help'", argv[1]);
}
