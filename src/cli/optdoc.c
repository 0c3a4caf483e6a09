/* Documents generated from the option table: --help, the man page, the
 * bash completion and a plain listing for the tests. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define WIDTH 92
#define TEXTCOL 26

static int applies(const cli_opt_t *o, const char *cmd)
{
  const char *p = o->cmds;
  size_t l = strlen(cmd);
  while ((p = strstr(p, cmd)) != NULL) {
    if ((p == o->cmds || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\0'))
      return 1;
    p += l;
  }
  return 0;
}

/* Print text wrapped at WIDTH; the first line continues at column col,
 * further lines start at indent. */
static void wrap(FILE *fp, const char *text, int col, int indent)
{
  const char *p = text;
  int avail = WIDTH - col;
  while (*p) {
    if (*p == '\n') { /* an explicit line break */
      fprintf(fp, "\n%*s", indent, "");
      p++;
      avail = WIDTH - indent;
      continue;
    }
    while (*p == ' ')
      p++;
    size_t len = strcspn(p, "\n");
    if ((int)len <= avail) {
      fprintf(fp, "%.*s", (int)len, p);
      p += len;
      continue;
    }
    int cut = avail;
    while (cut > 0 && p[cut] != ' ')
      cut--;
    if (cut == 0) {
      cut = avail;
      while (p[cut] && p[cut] != ' ' && p[cut] != '\n')
        cut++;
    }
    fprintf(fp, "%.*s\n%*s", cut, p, indent, "");
    p += cut;
    avail = WIDTH - indent;
  }
  fputc('\n', fp);
}

/* The bracketed facts the table knows: range, unit, repeatability. */
static void facts(const cli_opt_t *o, char *buf, size_t n)
{
  char r[96] = "";
  if (o->type == CLI_NUM || o->type == CLI_INT) {
    int has_lo = o->lo > -1e299 && !(o->lo == 0 && o->hi == 0);
    int has_hi = o->hi < 1e299 && o->hi != 0;
    const char *m = o->meta;
    if (has_lo && has_hi)
      snprintf(r, sizeof r, "%g %s %s %s %g", o->lo, o->flags & CLI_LO_OPEN ? "<" : "<=", m,
               o->flags & CLI_HI_OPEN ? "<" : "<=", o->hi);
    else if (has_lo)
      snprintf(r, sizeof r, "%s %s %g", m, o->flags & CLI_LO_OPEN ? ">" : ">=", o->lo);
    else if (has_hi)
      snprintf(r, sizeof r, "%s %s %g", m, o->flags & CLI_HI_OPEN ? "<" : "<=", o->hi);
    if (o->type == CLI_INT)
      snprintf(r + strlen(r), sizeof r - strlen(r), "%sinteger", r[0] ? ", " : "");
  }
  if (o->type == CLI_U64 && o->lo > 0)
    snprintf(r, sizeof r, "%s >= %g", o->meta, o->lo);
  if (o->unit && strcmp(o->unit, o->meta ? o->meta : ""))
    snprintf(r + strlen(r), sizeof r - strlen(r), "%s%s", r[0] ? "; " : "", o->unit);
  if (o->flags & CLI_REPEAT)
    snprintf(r + strlen(r), sizeof r - strlen(r), "%srepeatable", r[0] ? "; " : "");
  if (r[0])
    snprintf(buf, n, " [%s]", r);
  else
    buf[0] = '\0';
}

static void option_line(FILE *fp, const cli_opt_t *o)
{
  char lab[128], text[1400], f[160];
  cli_opt_label(o, lab, sizeof lab);
  if (o->meta)
    snprintf(lab + strlen(lab), sizeof lab - strlen(lab), " %s", o->meta);
  facts(o, f, sizeof f);
  snprintf(text, sizeof text, "%s%s", o->help, f);
  int l = (int)strlen(lab) + 2;
  if (l + 2 <= TEXTCOL) {
    fprintf(fp, "  %-*s", TEXTCOL - 2, lab);
    wrap(fp, text, TEXTCOL, TEXTCOL);
  } else {
    fprintf(fp, "  %s  ", lab);
    wrap(fp, text, l + 2, TEXTCOL);
  }
}

void cli_print_help(FILE *fp, const cli_cmd_t *c)
{
  fprintf(fp, "usage: immunosim %s %s\n\n", c->name, c->synopsis);
  wrap(fp, c->about, 0, 0);
  const char *groups[32];
  int ng = 0;
  for (int i = 0; i < cli_nopts; i++) {
    const cli_opt_t *o = &cli_opts[i];
    const char *g = o->group ? o->group : "options";
    if (!applies(o, c->name) || (o->flags & CLI_HIDDEN))
      continue;
    int seen = 0;
    for (int k = 0; k < ng; k++)
      seen |= !strcmp(groups[k], g);
    if (!seen && ng < 32)
      groups[ng++] = g;
  }
  for (int k = 0; k < ng; k++) { /* the general options (--help) last */
    if (!strcmp(groups[k], "options") && k + 1 < ng) {
      memmove(groups + k, groups + k + 1, (size_t)(ng - k - 1) * sizeof *groups);
      groups[ng - 1] = "options";
    }
  }
  for (int k = 0; k < ng; k++) {
    fprintf(fp, "\n%s\n", groups[k]);
    for (int i = 0; i < cli_nopts; i++) {
      const cli_opt_t *o = &cli_opts[i];
      if (applies(o, c->name) && !(o->flags & CLI_HIDDEN) &&
          !strcmp(o->group ? o->group : "options", groups[k]))
        option_line(fp, o);
    }
  }
  if (c->notes) {
    fputc('\n', fp);
    wrap(fp, c->notes, 0, 0);
  }
  fprintf(fp, "\nOptions: --opt=value or --opt value, -t5 or -t 5; '--' ends the options; long\n"
              "options may be shortened to a unique prefix.  Exit codes: 0 ok, 1 bad input,\n"
              "2 solver failure, 3 I/O failure or gnuplot missing, 4 internal.\n");
  fprintf(fp, "\nexample%s:\n", strchr(c->examples, '\n') != strrchr(c->examples, '\n') ? "s" : "");
  for (const char *p = c->examples; *p;) {
    size_t n = strcspn(p, "\n");
    fprintf(fp, "  %.*s\n", (int)n, p);
    p += n + (p[n] == '\n');
  }
}

void cli_print_usage(FILE *fp)
{
  fprintf(fp,
          "immunosim %s: ODE models of cancer immunotherapy\n\n"
          "usage: immunosim COMMAND [options]   (immunosim COMMAND --help for more)\n\n"
          "commands:\n",
          IMS_VERSION);
  for (int i = 0; i < cli_ncmds; i++)
    if (!cli_cmds[i].hidden)
      fprintf(fp, "  %-12s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
  fprintf(fp, "\nexample:\n  immunosim run pk2cmt -s blinatumomab_cycle1 -t 42 --units "
              "C1=pg/mL -o blina.csv --plot blina.png\n"
              "\nexit codes: 0 ok, 1 bad input, 2 solver failure, 3 I/O failure or gnuplot "
              "missing, 4 internal\n");
}

/* ---- man page ---- */

/* roff text: backslashes and dashes escaped, no line starting with '.' or '\''. */
static void roff(FILE *fp, const char *s)
{
  int bol = 1;
  for (; *s; s++) {
    if (bol && (*s == '.' || *s == '\''))
      fputs("\\&", fp);
    bol = *s == '\n';
    if (*s == '\\')
      fputs("\\e", fp);
    else if (*s == '-')
      fputs("\\-", fp);
    else
      fputc(*s, fp);
  }
}

static void man_option(FILE *fp, const cli_opt_t *o)
{
  char f[160];
  char lab[128];
  fputs(".TP\n\\fB", fp);
  cli_opt_label(o, lab, sizeof lab);
  for (const char *p = lab; *p; p++) { /* bold option names, a plain ", " */
    if (*p == ',') {
      fputs("\\fR, \\fB", fp);
      p++;
    } else if (*p == '-')
      fputs("\\-", fp);
    else
      fputc(*p, fp);
  }
  fputs("\\fR", fp);
  if (o->meta) {
    fputs(" \\fI", fp);
    roff(fp, o->meta);
    fputs("\\fR", fp);
  }
  fputc('\n', fp);
  facts(o, f, sizeof f);
  roff(fp, o->help);
  roff(fp, f);
  fputc('\n', fp);
}

void cli_print_man(FILE *fp)
{
  fprintf(fp, ".TH IMMUNOSIM 1 \"\" \"immunosim %s\" \"User Commands\"\n", IMS_VERSION);
  fputs(".SH NAME\nimmunosim \\- simulate cancer immunotherapy with published ODE models\n"
        ".SH SYNOPSIS\n.B immunosim\n.I COMMAND\n[\\fIoptions\\fR]\n.br\n"
        ".B immunosim\n\\fICOMMAND\\fR \\fB\\-\\-help\\fR\n.br\n"
        ".B immunosim\n\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n"
        ".SH DESCRIPTION\n"
        "immunosim simulates CAR\\-T kinetics and cytokine release, checkpoint\\-inhibitor and "
        "bispecific pharmacokinetics, tumour\\-immune models and oncolytic viruses with "
        "NONMEM\\-style dosing records, exact state\\-triggered events and units everywhere.\n"
        ".SS Option syntax\n"
        "Options follow getopt_long: \\fB\\-\\-opt=value\\fR or \\fB\\-\\-opt value\\fR, "
        "\\fB\\-t5\\fR or \\fB\\-t 5\\fR; \\fB\\-\\-\\fR ends the options; long options may be "
        "shortened to a unique prefix; options and arguments may come in any order; an option "
        "given twice keeps its last value unless it is repeatable.  Every value is checked "
        "before any work starts.\n",
        fp);
  fputs(".SH COMMANDS\n", fp);
  for (int i = 0; i < cli_ncmds; i++) {
    const cli_cmd_t *c = &cli_cmds[i];
    if (c->hidden)
      continue;
    fputs(".SS ", fp);
    roff(fp, c->name);
    fputs("\n\\fBimmunosim ", fp);
    roff(fp, c->name);
    fputs("\\fR ", fp);
    roff(fp, c->synopsis);
    fputs("\n.PP\n", fp);
    roff(fp, c->about);
    fputc('\n', fp);
    for (int k = 0; k < cli_nopts; k++)
      if (applies(&cli_opts[k], c->name) && !(cli_opts[k].flags & CLI_HIDDEN))
        man_option(fp, &cli_opts[k]);
    if (c->notes) {
      fputs(".PP\n", fp);
      roff(fp, c->notes);
      fputc('\n', fp);
    }
    fputs(".PP\nExample:\n.PP\n.nf\n.RS\n", fp);
    roff(fp, c->examples);
    fputs(".RE\n.fi\n", fp);
  }
  fputs(".SH EXIT STATUS\n0 ok, 1 bad input (one line on stderr naming the option or "
        "file:line:col and what to do), 2 solver failure (names the model, time and state), 3 "
        "I/O failure or gnuplot missing, 4 internal error.  A command that fails leaves none of "
        "its output files.\n"
        ".SH ENVIRONMENT\n.TP\n.B IMMUNOSIM_DATA\nthe data directory (params/, plots/); default: "
        "beside the binary (../share/immunosim), the source tree, or the configured prefix.\n"
        ".TP\n.B IMMUNOSIM_GNUPLOT\nthe gnuplot binary (default: gnuplot on PATH).\n.TP\n"
        ".B IMMUNOSIM_PROGRESS_DELAY\nseconds before a progress bar appears (default 1).\n"
        ".SH FILES\n.TP\n.I share/immunosim/params/MODEL/*.csv\nshipped parameter sets "
        "(\\fB\\-p\\fR NAME)\n.TP\n.I share/immunosim/params/schedules/*.csv\nshipped "
        "schedules (\\fB\\-s\\fR NAME)\n.TP\n.I share/immunosim/params/rules/*.csv\nshipped "
        "rules (\\fB\\-r\\fR NAME)\n.SH SEE ALSO\n\\fBgnuplot\\fR(1); README.md of the "
        "immunosim sources.\n",
        fp);
}

/* ---- bash completion ---- */

static const char *comp_kind(cli_comp_t c)
{
  static const char *const k[] = {"none",    "file",   "sets",     "schedules", "rules", "param=",
                                  "column=", "state=", "columns,", "params,",   "words"};
  return k[c];
}

void cli_print_bash(FILE *fp)
{
  fputs("# bash completion for immunosim, generated from the option table (src/cli/options.c)\n"
        "# by 'immunosim _doc bash'; do not edit: tests/cli/options.sh checks it matches.\n"
        "# Installed by `make install` as $(PREFIX)/share/bash-completion/completions/immunosim;\n"
        "# or `source` this file.  Models, parameters, columns, sets and schedules come from the\n"
        "# binary being completed (list --names, info MODEL --names|--columns|--sets|"
        "--schedules).\n\n",
        fp);
  fputs("_immunosim_commands=\"", fp);
  for (int i = 0, k = 0; i < cli_ncmds; i++)
    if (!cli_cmds[i].hidden)
      fprintf(fp, "%s%s", k++ ? " " : "", cli_cmds[i].name);
  fputs("\"\n\n# the options of a command\n_immunosim_options()\n{\n  case $1 in\n", fp);
  for (int i = 0; i < cli_ncmds; i++) {
    const cli_cmd_t *c = &cli_cmds[i];
    if (c->hidden)
      continue;
    fprintf(fp, "    %s) echo \"", c->name);
    int k = 0;
    for (int j = 0; j < cli_nopts; j++) {
      const cli_opt_t *o = &cli_opts[j];
      if (!applies(o, c->name) || (o->flags & CLI_HIDDEN))
        continue;
      if (o->key)
        fprintf(fp, "%s-%c", k++ ? " " : "", o->key);
      if (!(o->key && !o->name[1]))
        fprintf(fp, "%s--%s", k++ ? " " : "", o->name);
    }
    fputs("\" ;;\n", fp);
  }
  fputs("  esac\n}\n\n# what the value of option $2 of command $1 is: none, file, sets, ...;\n"
        "# nothing for a flag\n_immunosim_value()\n{\n  case \"$1 $2\" in\n",
        fp);
  for (int j = 0; j < cli_nopts; j++) {
    const cli_opt_t *o = &cli_opts[j];
    if (o->type == CLI_FLAG)
      continue;
    char cmds[256];
    snprintf(cmds, sizeof cmds, "%s", o->cmds);
    fputs("    ", fp);
    int k = 0;
    for (char *save = NULL, *t = strtok_r(cmds, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
      if (!(o->key && !o->name[1]))
        fprintf(fp, "%s\"%s --%s\"", k++ ? " | " : "", t, o->name);
      if (o->key)
        fprintf(fp, "%s\"%s -%c\"", k++ ? " | " : "", t, o->key);
    }
    if (o->comp == CLI_C_WORDS) {
      char w[128];
      snprintf(w, sizeof w, "%s", o->choices);
      for (char *p = w; *p; p++)
        if (*p == '|')
          *p = ' ';
      fprintf(fp, ") echo \"words %s\" ;;\n", w);
    } else
      fprintf(fp, ") echo %s ;;\n", comp_kind(o->comp));
  }
  fputs("  esac\n}\n\n", fp);
  fputs(
      "# The columns of the CSV/TSV files already on the command line (for plot --y etc.).\n"
      "_immunosim_file_columns()\n{\n  local w\n  for w in \"${COMP_WORDS[@]:2}\"; do\n"
      "    [[ $w == *.csv || $w == *.tsv ]] && [[ -f $w ]] || continue\n"
      "    grep -v '^#' -- \"$w\" 2>/dev/null | head -n 1 | tr ',\\t' '\\n\\n'\n"
      "  done | sort -u\n}\n\n"
      "_immunosim()\n{\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]}\n"
      "  local prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
      "  local bin=${COMP_WORDS[0]}\n"
      "  bin=${bin/#\\~/$HOME}\n"
      "  COMPREPLY=()\n\n"
      "  if ((COMP_CWORD == 1)); then\n"
      "    mapfile -t COMPREPLY < <(compgen -W \"$_immunosim_commands --help --version\" -- "
      "\"$cur\")\n"
      "    return 0\n  fi\n\n"
      "  local cmd=${COMP_WORDS[1]} model=\"\" i\n"
      "  # --opt=value: bash splits at '='\n"
      "  if [[ $prev == = ]] && ((COMP_CWORD >= 3)); then prev=${COMP_WORDS[COMP_CWORD - 2]}; fi\n"
      "  if [[ $cur == = ]]; then cur=\"\"; fi\n"
      "  # the model: the first word after the command that is neither an option nor a value\n"
      "  for ((i = 2; i < COMP_CWORD; i++)); do\n"
      "    case ${COMP_WORDS[i]} in\n"
      "      -*) [[ ${COMP_WORDS[i]} != *=* && -n $(_immunosim_value \"$cmd\" "
      "\"${COMP_WORDS[i]}\") "
      "]] && ((i++)) ;;\n"
      "      =) ((i++)) ;;\n"
      "      *) if [[ -z $model && $cmd != plot ]]; then model=${COMP_WORDS[i]}; fi ;;\n"
      "    esac\n  done\n\n"
      "  local kind names head=\"\" last=$cur\n"
      "  kind=$(_immunosim_value \"$cmd\" \"$prev\")\n"
      "  if [[ -n $kind ]]; then\n"
      "    case $kind in\n"
      "      none) return 0 ;;\n"
      "      file) compopt -o filenames 2>/dev/null\n"
      "        mapfile -t COMPREPLY < <(compgen -f -- \"$cur\") ;;\n"
      "      sets | schedules | rules)\n"
      "        if [[ $kind != rules && -n $model ]]; then\n"
      "          names=$(\"$bin\" info \"$model\" --$kind 2>/dev/null)\n"
      "        elif [[ $kind == rules ]]; then\n"
      "          names=$(\"$bin\" info \"${model:-pk2cmt}\" 2>/dev/null | sed -n 's/^rules that "
      "apply (-r NAME): //p' "
      "| tr ' ' '\\n')\n"
      "        fi\n"
      "        compopt -o filenames 2>/dev/null\n"
      "        mapfile -t COMPREPLY < <(compgen -W \"$names\" -- \"$cur\"; compgen -f -- "
      "\"$cur\") ;;\n"
      "      param= | column= | state=)\n"
      "        [[ -n $model ]] || return 0\n"
      "        case $kind in\n"
      "          param=) names=$(\"$bin\" info \"$model\" --names 2>/dev/null) ;;\n"
      "          *) names=$(\"$bin\" info \"$model\" --columns 2>/dev/null) ;;\n"
      "        esac\n"
      "        compopt -o nospace 2>/dev/null\n"
      "        mapfile -t COMPREPLY < <(compgen -S = -W \"$names\" -- \"$cur\") ;;\n"
      "      columns, | params,)\n"
      "        if [[ $cmd == plot ]]; then\n"
      "          names=$(_immunosim_file_columns)\n"
      "        elif [[ -n $model && $kind == columns, ]]; then\n"
      "          names=$(\"$bin\" info \"$model\" --columns 2>/dev/null)\n"
      "        elif [[ -n $model ]]; then\n"
      "          names=$(\"$bin\" info \"$model\" --names 2>/dev/null)\n"
      "        fi\n"
      "        if [[ $cur == *,* ]]; then head=${cur%,*},; last=${cur##*,}; fi\n"
      "        mapfile -t COMPREPLY < <(compgen -P \"$head\" -W \"$names\" -- \"$last\") ;;\n"
      "      words\\ *) mapfile -t COMPREPLY < <(compgen -W \"${kind#words }\" -- \"$cur\") ;;\n"
      "    esac\n"
      "    return 0\n"
      "  fi\n\n"
      "  if [[ $cur == -* ]]; then\n"
      "    mapfile -t COMPREPLY < <(compgen -W \"$(_immunosim_options \"$cmd\")\" -- \"$cur\")\n"
      "    return 0\n"
      "  fi\n\n"
      "  case $cmd in\n"
      "    plot)\n"
      "      compopt -o filenames 2>/dev/null\n"
      "      mapfile -t COMPREPLY < <(compgen -f -X '!*.csv' -- \"$cur\"; compgen -f -X '!*.tsv' "
      "-- \"$cur\"; compgen -d -- \"$cur\") ;;\n"
      "    list) ;;\n"
      "    translate)\n"
      "      compopt -o filenames 2>/dev/null\n"
      "      mapfile -t COMPREPLY < <(compgen -f -X '!*.model' -- \"$cur\"; compgen -d -- "
      "\"$cur\") ;;\n"
      "    *)\n"
      "      # a built-in name or a model file (*.model, through directories)\n"
      "      if [[ -z $model ]]; then\n"
      "        names=$(\"$bin\" list --names 2>/dev/null)\n"
      "        compopt -o filenames 2>/dev/null\n"
      "        mapfile -t COMPREPLY < <(compgen -W \"$names\" -- \"$cur\"; compgen -f -X "
      "'!*.model' -- "
      "\"$cur\"\n"
      "          compgen -d -- \"$cur\")\n"
      "      fi ;;\n"
      "  esac\n"
      "  return 0\n"
      "}\n"
      "complete -F _immunosim immunosim\n",
      fp);
}

void cli_print_options(FILE *fp)
{
  static const char *const types[] = {"flag", "text", "file", "out", "num", "int", "u64", "choice"};
  for (int i = 0; i < cli_ncmds; i++) {
    const cli_cmd_t *c = &cli_cmds[i];
    if (c->hidden)
      continue;
    for (int j = 0; j < cli_nopts; j++) {
      const cli_opt_t *o = &cli_opts[j];
      if (applies(o, c->name) && !(o->flags & CLI_HIDDEN))
        fprintf(fp, "%s\t%s%s\t%s%c\t%s\n", c->name, o->key && !o->name[1] ? "-" : "--", o->name,
                "-", o->key ? o->key : '-', types[o->type]);
    }
  }
}
