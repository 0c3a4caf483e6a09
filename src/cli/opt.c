/* Parsing a command line against the option table (getopt_long), and
 * reading the values back. */
#include "cli.h"
#include "immunosim/data.h"
#include "immunosim/table.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_cmd_t *cli_cmd_find(const char *name)
{
  for (int i = 0; i < cli_ncmds; i++)
    if (!strcmp(cli_cmds[i].name, name))
      return &cli_cmds[i];
  return NULL;
}

/* Does the space-separated list contain word? */
static int has_word(const char *list, const char *word)
{
  size_t l = strlen(word);
  for (const char *p = list; p && *p;) {
    while (*p == ' ')
      p++;
    const char *e = strchr(p, ' ');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == l && strncmp(p, word, l) == 0)
      return 1;
    p = e;
  }
  return 0;
}

const cli_opt_t *cli_opt_for(const char *cmd, int id)
{
  for (int i = 0; i < cli_nopts; i++)
    if (cli_opts[i].id == id && has_word(cli_opts[i].cmds, cmd))
      return &cli_opts[i];
  return NULL;
}

/* A one-letter long name equal to the short one (-n) is a short-only option. */
static int short_only(const cli_opt_t *o)
{
  return o->key && o->name[0] == o->key && o->name[1] == '\0';
}

void cli_opt_display(const cli_opt_t *o, char *buf, size_t n)
{
  snprintf(buf, n, "%s%s", short_only(o) ? "-" : "--", o->name);
}

void cli_opt_label(const cli_opt_t *o, char *buf, size_t n)
{
  if (short_only(o))
    snprintf(buf, n, "-%c", o->key);
  else if (o->key)
    snprintf(buf, n, "-%c, --%s", o->key, o->name);
  else
    snprintf(buf, n, "--%s", o->name);
}

/* ---- value checks ---- */

static void fmt_bound(char *buf, size_t n, double v)
{
  snprintf(buf, n, "%g", v);
}

/* "in (0, 1)", "> 0", "in [1, 1e+09]", "" (any finite value). */
static void range_text(const cli_opt_t *o, char *buf, size_t n)
{
  char lo[32], hi[32];
  fmt_bound(lo, sizeof lo, o->lo);
  fmt_bound(hi, sizeof hi, o->hi);
  int has_lo = o->lo > -1e299, has_hi = o->hi < 1e299 && o->hi != 0;
  if (o->type == CLI_U64)
    has_hi = 0;
  if (o->lo == 0 && o->hi == 0 && o->type != CLI_U64)
    has_lo = 0;
  if (has_lo && has_hi)
    snprintf(buf, n, "in %c%s, %s%c", o->flags & CLI_LO_OPEN ? '(' : '[', lo, hi,
             o->flags & CLI_HI_OPEN ? ')' : ']');
  else if (has_lo)
    snprintf(buf, n, "%s %s", o->flags & CLI_LO_OPEN ? ">" : ">=", lo);
  else if (has_hi)
    snprintf(buf, n, "%s %s", o->flags & CLI_HI_OPEN ? "<" : "<=", hi);
  else
    buf[0] = '\0';
}

static int in_range(const cli_opt_t *o, double v)
{
  if (o->lo == 0 && o->hi == 0)
    return 1;
  if (o->flags & CLI_LO_OPEN ? !(v > o->lo) : !(v >= o->lo))
    return 0;
  if (o->type == CLI_U64 || o->hi == 0)
    return 1;
  return o->flags & CLI_HI_OPEN ? v < o->hi : v <= o->hi;
}

static int bad_value(const char *cmd, const cli_opt_t *o, const char *v, const char *why)
{
  char r[96];
  range_text(o, r, sizeof r);
  const char *kind = o->type == CLI_NUM ? "a number" : "an integer";
  if (why)
    cli_failf(IMS_EINPUT, "--%s %s: %s; see 'immunosim %s --help'", o->name, v, why, cmd);
  else if (r[0])
    cli_failf(IMS_EINPUT, "--%s %s: give %s %s%s%s; see 'immunosim %s --help'", o->name, v, kind, r,
              o->unit ? " in " : "", o->unit ? o->unit : "", cmd);
  else
    cli_failf(IMS_EINPUT, "--%s %s: not a finite number; see 'immunosim %s --help'", o->name, v,
              cmd);
  return -1;
}

static int check_value(const char *cmd, const cli_opt_t *o, const char *v, cli_val_t *out)
{
  out->s = v;
  switch (o->type) {
  case CLI_FLAG:
  case CLI_TEXT:
    return 0;
  case CLI_FILE:
  case CLI_OUT:
    if (!*v)
      return bad_value(cmd, o, "''",
                       o->type == CLI_OUT
                           ? "an empty path; give a file name (or '-' for standard output)"
                           : "an empty name; give a file or a shipped name");
    return 0;
  case CLI_NUM:
  case CLI_INT: {
    double d;
    if (ims_table_double(v, &d) != 0)
      return bad_value(cmd, o, v, NULL);
    if (o->type == CLI_INT && d != floor(d))
      return bad_value(cmd, o, v, "not a whole number");
    if (!in_range(o, d))
      return bad_value(cmd, o, v, NULL);
    /* every CLI_INT ends in an int, whatever range the row declares */
    if (o->type == CLI_INT && !(d >= INT_MIN && d <= INT_MAX))
      return bad_value(cmd, o, v, "too large for a whole-number option");
    out->d = d;
    return 0;
  }
  case CLI_U64: {
    char *end;
    errno = 0;
    if (*v < '0' || *v > '9')
      return bad_value(cmd, o, v, "not a non-negative whole number");
    unsigned long long u = strtoull(v, &end, 10);
    if (errno == ERANGE)
      return bad_value(cmd, o, v, "larger than 2^64 - 1");
    if (*end)
      return bad_value(cmd, o, v, "not a non-negative whole number");
    if (!in_range(o, (double)u))
      return bad_value(cmd, o, v, NULL);
    out->u = u;
    out->d = (double)u;
    return 0;
  }
  case CLI_CHOICE: {
    char buf[128];
    snprintf(buf, sizeof buf, "%s", o->choices);
    const char *words[16];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, "|", &save); t && n < 16;
         t = strtok_r(NULL, "|", &save))
      words[n++] = t;
    for (int i = 0; i < n; i++)
      if (!strcmp(words[i], v))
        return 0;
    const char *s = ims_suggest(v, words, n);
    char why[256];
    snprintf(why, sizeof why, "give one of %s%s%s%s", o->choices, s ? " (did you mean '" : "",
             s ? s : "", s ? "'?)" : "");
    return bad_value(cmd, o, v, why);
  }
  }
  return 0;
}

/* ---- parsing ---- */

/* The option names of cmd, for "did you mean" and ambiguity messages. */
static int names_of(const char *cmd, const char **names, int max)
{
  int n = 0;
  for (int i = 0; i < cli_nopts && n < max; i++)
    if (has_word(cli_opts[i].cmds, cmd)) {
      int dup = 0;
      for (int j = 0; j < n; j++)
        dup |= !strcmp(names[j], cli_opts[i].name);
      if (!dup)
        names[n++] = cli_opts[i].name;
    }
  return n;
}

static int unknown_option(const char *cmd, const char *arg)
{
  const char *names[256];
  int n = names_of(cmd, names, 256);
  char name[128];
  const char *p = arg;
  while (*p == '-')
    p++;
  snprintf(name, sizeof name, "%.*s", (int)strcspn(p, "="), p);
  if (arg[0] == '-' && arg[1] == '-') {
    char cands[512] = "";
    int k = 0;
    size_t l = strlen(name), cl = 0;
    for (int i = 0; l && i < n; i++)
      if (!strncmp(names[i], name, l) && cl < sizeof cands - 64)
        cl += (size_t)snprintf(cands + cl, sizeof cands - cl, "%s--%s", k++ ? ", " : "", names[i]);
    if (k > 1)
      return cli_failf(IMS_EINPUT, "%s: option '--%s' is ambiguous: %s; spell it out", cmd, name,
                       cands),
             -1;
  }
  const char *s = ims_suggest(name, names, n);
  if (s)
    cli_failf(IMS_EINPUT, "%s: unknown option '%s'; did you mean '--%s'? ('immunosim %s --help')",
              cmd, arg, s, cmd);
  else
    cli_failf(IMS_EINPUT, "%s: unknown option '%s'; see 'immunosim %s --help'", cmd, arg, cmd);
  return -1;
}

#define VAL_BASE 1000

int cli_parse(const char *cmd, int argc, char **argv, cli_args_t *a)
{
  memset(a, 0, sizeof *a);
  a->cmd = cli_cmd_find(cmd);
  struct option lo[256];
  int nl = 0;
  char shorts[128] = ":";
  size_t ns = 1;
  for (int i = 0; i < cli_nopts && nl < 255; i++) {
    const cli_opt_t *o = &cli_opts[i];
    if (!has_word(o->cmds, cmd))
      continue;
    if (!short_only(o)) {
      lo[nl] = (struct option){o->name, o->type == CLI_FLAG ? no_argument : required_argument, NULL,
                               VAL_BASE + i};
      nl++;
    }
    if (o->key && ns + 3 < sizeof shorts) {
      shorts[ns++] = o->key;
      if (o->type != CLI_FLAG)
        shorts[ns++] = ':';
      shorts[ns] = '\0';
    }
  }
  lo[nl] = (struct option){0, 0, 0, 0};
  optind = 0; /* glibc: a full re-initialisation (argv may be parsed again) */
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
    const cli_opt_t *o = NULL;
    if (c == '?') {
      if (optopt >= VAL_BASE) /* a flag given a value: --no-jac=1 */
        return cli_failf(IMS_EINPUT, "%s: option '--%s' takes no value", cmd,
                         cli_opts[optopt - VAL_BASE].name),
               -1;
      if (optopt) {
        char s[3] = {'-', (char)optopt, 0};
        return unknown_option(cmd, s);
      }
      return unknown_option(cmd, argv[optind - 1]);
    }
    if (c == ':') {
      const cli_opt_t *m = optopt >= VAL_BASE ? &cli_opts[optopt - VAL_BASE] : NULL;
      for (int r = 0; !m && r < cli_nopts; r++)
        if (cli_opts[r].key == optopt && has_word(cli_opts[r].cmds, cmd))
          m = &cli_opts[r];
      char name[64] = "?";
      if (m)
        cli_opt_display(m, name, sizeof name);
      cli_failf(IMS_EINPUT, "%s: option %s needs a value (%s); see 'immunosim %s --help'", cmd,
                name, m && m->meta ? m->meta : "", cmd);
      return -1;
    }
    if (c >= VAL_BASE)
      o = &cli_opts[c - VAL_BASE];
    for (int r = 0; !o && r < cli_nopts; r++)
      if (cli_opts[r].key == c && has_word(cli_opts[r].cmds, cmd))
        o = &cli_opts[r];
    if (!o)
      return cli_failf(IMS_EINPUT, "%s: cannot parse the options", cmd), -1;
    if (o->id == OPT_HELP) {
      if (a->cmd)
        cli_print_help(stdout, a->cmd);
      return 1;
    }
    if (a->nv == CLI_MAX_VALUES)
      return cli_failf(IMS_EINPUT, "%s: more than %d options", cmd, CLI_MAX_VALUES), -1;
    cli_val_t *v = &a->v[a->nv];
    v->id = o->id;
    if (check_value(cmd, o, o->type == CLI_FLAG ? "" : optarg, v))
      return -1;
    if (o->type == CLI_FLAG)
      v->s = NULL;
    a->nv++;
  }
  for (int i = optind; i < argc; i++) {
    if (a->npos == CLI_MAX_POS)
      return cli_failf(IMS_EINPUT, "%s: more than %d arguments", cmd, CLI_MAX_POS), -1;
    a->pos[a->npos++] = argv[i];
  }
  if (a->cmd && a->npos < a->cmd->minpos) {
    if (a->cmd->posname && !strcmp(a->cmd->posname, "MODEL"))
      return cli_failf(IMS_EINPUT, "%s: which model? e.g. 'immunosim %s pk2cmt' ('immunosim list')",
                       cmd, cmd),
             -1;
    return cli_failf(IMS_EINPUT, "%s: %s missing; see 'immunosim %s --help'", cmd,
                     a->cmd->posname ? a->cmd->posname : "an argument", cmd),
           -1;
  }
  if (a->cmd && a->npos > a->cmd->maxpos) {
    if (a->cmd->maxpos == 0)
      return cli_failf(IMS_EINPUT, "%s: unexpected argument '%s'; see 'immunosim %s --help'", cmd,
                       a->pos[0], cmd),
             -1;
    return cli_failf(IMS_EINPUT, "%s: unexpected argument '%s' (the %s is '%s')", cmd,
                     a->pos[a->cmd->maxpos], a->cmd->posname ? a->cmd->posname : "argument",
                     a->pos[0]),
           -1;
  }
  return 0;
}

/* ---- reading values ---- */

static const cli_val_t *last(const cli_args_t *a, int id)
{
  for (int i = a->nv - 1; i >= 0; i--)
    if (a->v[i].id == id)
      return &a->v[i];
  return NULL;
}

int cli_count(const cli_args_t *a, int id)
{
  int n = 0;
  for (int i = 0; i < a->nv; i++)
    n += a->v[i].id == id;
  return n;
}

int cli_flag(const cli_args_t *a, int id)
{
  return last(a, id) != NULL;
}

const char *cli_str(const cli_args_t *a, int id, const char *def)
{
  const cli_val_t *v = last(a, id);
  return v ? v->s : def;
}

double cli_num(const cli_args_t *a, int id, double def)
{
  const cli_val_t *v = last(a, id);
  return v ? v->d : def;
}

unsigned long long cli_u64(const cli_args_t *a, int id, unsigned long long def)
{
  const cli_val_t *v = last(a, id);
  return v ? v->u : def;
}

int cli_list(const cli_args_t *a, int id, const char **out, int max)
{
  int n = 0;
  for (int i = 0; i < a->nv && n < max; i++)
    if (a->v[i].id == id)
      out[n++] = a->v[i].s;
  return n;
}
