/* The option table: every option of every command declared once (names,
 * argument type and unit, valid range, the commands it applies to, help
 * text).  Parsing (getopt_long), each command's --help, the bash completion
 * (src/cli/immunosim.bash) and the man page (immunosim.1) all come from it,
 * and tests/cli/options.sh checks they agree.
 *
 * Adding an option:
 *   1. an id in enum cli_optid below;
 *   2. a row in cli_opts[] (options.c): {OPT_X, "long-name", 'x' or 0, CLI_NUM, "META",
 *      "cmd1 cmd2", "help text", .lo = .., .hi = .., .flags = .., .group = ".."};
 *      the same long name may have several rows with disjoint commands (e.g. -o,
 *      whose help differs per command);
 *   3. read it in the command: cli_num(&a, OPT_X, default), cli_str, cli_list, cli_flag.
 * Adding a command: a row in cli_cmds[] (options.c: name, synopsis, summary,
 * description, notes, examples, positional counts, entry point), then
 *   int cmd_x(int argc, char **argv) {
 *     cli_args_t a;
 *     int rc = cli_parse("x", argc, argv, &a);   // prints --help, checks every value
 *     if (rc) return rc > 0 ? 0 : 1;
 *     ... a.pos[0], cli_str(&a, OPT_OUT, "-") ...
 *   }
 * Values are checked at parse time (numbers finite and in range, integers
 * exact, choices spelled right, paths non-empty), so a command never starts
 * work on a value it will refuse. */
#ifndef IMS_CLI_OPT_H
#define IMS_CLI_OPT_H

#include <stdio.h>

/* Argument types. */
typedef enum cli_type {
  CLI_FLAG,   /* no argument */
  CLI_TEXT,   /* text, checked by the command (e.g. NAME=VALUE) */
  CLI_FILE,   /* an input file, or a shipped name where the help says so */
  CLI_OUT,    /* an output path ('-' is standard output where the help says so) */
  CLI_NUM,    /* a finite number in [lo, hi] */
  CLI_INT,    /* an integer in [lo, hi]; "1e5" is accepted, "1.5" and "1e30" are not */
  CLI_U64,    /* a non-negative 64-bit decimal integer (seeds) */
  CLI_CHOICE, /* one of the words in choices ("bdf|adams") */
} cli_type_t;

/* Flags. */
#define CLI_REPEAT 1u  /* may be given many times; every value is kept */
#define CLI_LO_OPEN 2u /* the value must be > lo (else >= lo) */
#define CLI_HI_OPEN 4u /* the value must be < hi (else <= hi) */
#define CLI_HIDDEN 8u  /* accepted but not documented (kept for old scripts) */

/* How bash completes the argument. */
typedef enum cli_comp {
  CLI_C_NONE,      /* nothing (numbers, free text) */
  CLI_C_FILE,      /* file names */
  CLI_C_SETS,      /* parameter set names of the model, and files */
  CLI_C_SCHEDULES, /* schedule names, and files */
  CLI_C_RULES,     /* rule file names, and files */
  CLI_C_PARAM_EQ,  /* the model's parameters, as NAME= */
  CLI_C_COLUMN_EQ, /* the model's columns, as COL= */
  CLI_C_STATE_EQ,  /* the model's states, as STATE= */
  CLI_C_COLUMNS,   /* the model's columns (plot: the files' columns), comma-separated */
  CLI_C_PARAMS,    /* the model's parameters, comma-separated */
  CLI_C_WORDS,     /* the words of choices */
} cli_comp_t;

enum cli_optid {
  OPT_HELP,
  /* inputs */
  OPT_PARAMS,
  OPT_SET,
  OPT_SCHEDULE,
  OPT_RULES,
  OPT_OMEGA,
  OPT_COVARIATES,
  OPT_COVARIATES_MODE,
  OPT_NO_UNIT_CHECK,
  /* times */
  OPT_END,
  OPT_T0,
  OPT_DT,
  OPT_TIMES,
  /* outputs */
  OPT_OUT,
  OPT_FORMAT,
  OPT_NO_META,
  OPT_UNITS,
  OPT_PLOT,
  OPT_EVENTS_OUT,
  OPT_METRICS_OUT,
  OPT_PER_SUBJECT,
  /* solver */
  OPT_METHOD,
  OPT_RTOL,
  OPT_ATOL,
  OPT_EXTINCT,
  OPT_NO_EXTINCT,
  OPT_NO_JAC,
  OPT_INIT_STEP,
  OPT_MAX_STEPS,
  OPT_STATS,
  /* metrics */
  OPT_METRICS,
  OPT_WINDOW,
  OPT_THRESHOLD,
  OPT_COLS,
  OPT_EXTREMA,
  OPT_CROSSINGS,
  /* population */
  OPT_N,
  OPT_SEED,
  OPT_SUBJECTS,
  OPT_THREADS,
  OPT_BANDS_MEM,
  /* sweep */
  OPT_VARY,
  OPT_PLOT_METRIC,
  /* sensitivity */
  OPT_PAR,
  OPT_OF,
  OPT_RAW,
  /* list, info */
  OPT_NAMES,
  OPT_COLUMNS,
  OPT_SETS,
  OPT_SCHEDULES,
  /* figures (plot, run --plot) */
  OPT_Y,
  OPT_OVERLAY,
  OPT_LOGY,
  OPT_LINY,
  OPT_LOGX,
  OPT_LINX,
  OPT_WEEKS,
  OPT_XRANGE,
  OPT_YRANGE,
  OPT_X,
  OPT_HLINE,
  OPT_POINTS,
  OPT_STYLE,
  OPT_TITLE,
  OPT_YLABEL,
  OPT_LABELS,
  OPT_NO_DOSES,
  /* dynamics (equilibria, continue) */
  OPT_BOX,
  OPT_TIME,
  OPT_STARTS,
  OPT_PLANE,
  OPT_GRID,
  OPT_AT,
  OPT_SLAVED,
  OPT_NULLCLINES,
  OPT_FIELD,
  OPT_MAX_POINTS,
  OPT_MAX_STEP,
  OPT_ORBITS,
  OPT_NPAR,
  OPT_LOGPAR,
  OPT_TRANSIENT,
  OPT_CARRY,
  OPT_TRAJ,
  OPT_TRAJ_TIME,
  OPT_TRAJ_OUT,
  OPT_SEPARATRIX,
  OPT_NC_GRID,
  CLI_NOPT_IDS
};

typedef struct cli_opt {
  int id;
  const char *name; /* long name, without "--" */
  char key;         /* short name, or 0 */
  cli_type_t type;
  const char *meta; /* argument name in help ("T", "FILE") */
  const char *cmds; /* the commands it applies to, space-separated */
  const char *help; /* what it does, its default, what to give */
  double lo, hi;    /* range of CLI_NUM and CLI_INT (0, 0: any finite value) */
  unsigned flags;
  const char *unit;    /* of the value ("model time unit", "MB"); NULL: none */
  const char *choices; /* CLI_CHOICE: "csv|tsv" */
  cli_comp_t comp;
  const char *group; /* help section ("inputs", "times", ...) */
} cli_opt_t;

extern const cli_opt_t cli_opts[];
extern const int cli_nopts;

/* A command. */
typedef struct cli_cmd {
  const char *name;
  const char *summary;  /* one line, for 'immunosim --help' */
  const char *synopsis; /* after "immunosim NAME": "MODEL [options]" */
  const char *about;    /* paragraphs before the options */
  const char *notes;    /* paragraphs after the options, or NULL */
  const char *examples; /* command lines, one per line (continuations indented) */
  int minpos, maxpos;   /* positional arguments allowed */
  const char *posname;  /* "MODEL", "FILE" (for messages) */
  int (*main)(int argc, char **argv);
  int hidden; /* not in 'immunosim --help' */
} cli_cmd_t;

extern const cli_cmd_t cli_cmds[];
extern const int cli_ncmds;
const cli_cmd_t *cli_cmd_find(const char *name);

/* The parsed command line of one command. */
#define CLI_MAX_VALUES 512
#define CLI_MAX_POS 4096 /* merge takes one shard file per job of an array */
typedef struct cli_val {
  int id;
  const char *s;        /* the argument as given (NULL for flags) */
  double d;             /* CLI_NUM, CLI_INT */
  unsigned long long u; /* CLI_U64 */
} cli_val_t;

typedef struct cli_args {
  const cli_cmd_t *cmd;
  const char *pos[CLI_MAX_POS];
  int npos;
  cli_val_t v[CLI_MAX_VALUES]; /* in command-line order */
  int nv;
} cli_args_t;

/* Parse argv (argv[0] is the command name) for command cmd.  Returns 0,
 * 1 after printing --help (exit 0), or -1 after printing one error line
 * (exit 1).  getopt_long conventions: --opt=value, --opt value, -t5, -t 5,
 * "--" ends the options; long options may be abbreviated to a unique
 * prefix; options and positional arguments may come in any order; a value
 * may start with '-' (--t0 -5).  An option given twice keeps its last
 * value unless it is repeatable. */
int cli_parse(const char *cmd, int argc, char **argv, cli_args_t *a);

/* How many times the option was given. */
int cli_count(const cli_args_t *a, int id);
int cli_flag(const cli_args_t *a, int id);
/* The last value, or def when absent. */
const char *cli_str(const cli_args_t *a, int id, const char *def);
double cli_num(const cli_args_t *a, int id, double def);
unsigned long long cli_u64(const cli_args_t *a, int id, unsigned long long def);
/* Every value of a repeatable option, in order: fills out (at most max),
 * returns the count. */
int cli_list(const cli_args_t *a, int id, const char **out, int max);

/* The option's first row that applies to cmd, or NULL. */
const cli_opt_t *cli_opt_for(const char *cmd, int id);
/* "--name" or "-k, --name" as the help shows it ("-n" for a short-only
 * option, declared with a one-letter name equal to its key). */
void cli_opt_label(const cli_opt_t *o, char *buf, size_t n);
/* "--name", or "-n" for a short-only option, for messages. */
void cli_opt_display(const cli_opt_t *o, char *buf, size_t n);

/* Generated documents (immunosim _doc help CMD | man | bash | options). */
void cli_print_help(FILE *fp, const cli_cmd_t *c);
void cli_print_usage(FILE *fp);
void cli_print_man(FILE *fp);
void cli_print_bash(FILE *fp);
void cli_print_options(FILE *fp);

#endif
