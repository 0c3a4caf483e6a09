/* Growable strings and @NAME@ templates with named sections: the
 * library-independent part of `immunosim plot` (no immunosim types). */
#ifndef IMS_CLI_TMPL_H
#define IMS_CLI_TMPL_H

#include <stddef.h>

/* A growable string; after an allocation failure it stays empty and oom is set. */
typedef struct cli_buf {
  char *s;
  size_t n, cap;
  int oom;
} cli_buf_t;

void cli_buf_puts(cli_buf_t *b, const char *s);
void cli_buf_putn(cli_buf_t *b, const char *s, size_t n);
void cli_buf_printf(cli_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). */
const char *cli_buf_str(const cli_buf_t *b);
void cli_buf_free(cli_buf_t *b);

/* Text escaped for a double-quoted gnuplot string shown in enhanced text mode
 * (so "IL_6" prints an underscore, not a subscript). */
void cli_buf_gp_text(cli_buf_t *b, const char *s);
/* Text escaped for a double-quoted gnuplot string used verbatim (paths, column names). */
void cli_buf_gp_str(cli_buf_t *b, const char *s);

/* A template file cut into sections: lines "#@@ name" start a section that
 * runs to the next such line; text before the first section is dropped. */
#define CLI_TMPL_MAXSEC 64
typedef struct cli_tmpl {
  char *text;
  char *path;
  int nsec;
  const char *name[CLI_TMPL_MAXSEC];
  const char *body[CLI_TMPL_MAXSEC]; /* without the trailing newline */
} cli_tmpl_t;

/* 0 ok, -1 cannot read (errno set), -2 malformed (too many sections). */
int cli_tmpl_load(cli_tmpl_t *t, const char *path);
void cli_tmpl_free(cli_tmpl_t *t);
/* A section's text, or NULL. */
const char *cli_tmpl_section(const cli_tmpl_t *t, const char *name);

/* Append text with every @NAME@ (NAME in [A-Z0-9_]) replaced by the value
 * after NAME in kv = {name, value, name, value, ..., NULL}.  An @ not
 * followed by such a name is copied as is.  Returns 0, or -1 with *missing
 * pointing at the first unknown field (a typo in the template). */
int cli_tmpl_fill(cli_buf_t *b, const char *text, const char *const *kv, const char **missing);

#endif
