/* Internal: growable strings and @NAME@ templates with named sections, for
 * the gnuplot writer (src/fig_gnuplot.c). */
#ifndef IMS_TMPL_H
#define IMS_TMPL_H

#include <stddef.h>

/* A growable string; after an allocation failure it stays empty and oom is set. */
typedef struct ims__buf {
  char *s;
  size_t n, cap;
  int oom;
} ims__buf_t;

void ims__buf_puts(ims__buf_t *b, const char *s);
void ims__buf_putn(ims__buf_t *b, const char *s, size_t n);
void ims__buf_printf(ims__buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). */
const char *ims__buf_str(const ims__buf_t *b);
void ims__buf_free(ims__buf_t *b);

/* Text escaped for a double-quoted gnuplot string shown in enhanced text mode
 * (so "IL_6" prints an underscore, not a subscript). */
void ims__buf_gp_text(ims__buf_t *b, const char *s);
/* Text escaped for a double-quoted gnuplot string used verbatim (paths, column names). */
void ims__buf_gp_str(ims__buf_t *b, const char *s);

/* A template file cut into sections: lines "#@@ name" start a section that
 * runs to the next such line; text before the first section is dropped. */
#define IMS__TMPL_MAXSEC 64
typedef struct ims__tmpl {
  char *text;
  char *path;
  int nsec;
  const char *name[IMS__TMPL_MAXSEC];
  const char *body[IMS__TMPL_MAXSEC]; /* without the trailing newline */
} ims__tmpl_t;

/* 0 ok, -1 cannot read (errno set), -2 malformed (too many sections). */
int ims__tmpl_load(ims__tmpl_t *t, const char *path);
void ims__tmpl_free(ims__tmpl_t *t);
/* A section's text, or NULL. */
const char *ims__tmpl_section(const ims__tmpl_t *t, const char *name);

/* Append text with every @NAME@ (NAME in [A-Z0-9_]) replaced by the value
 * after NAME in kv = {name, value, name, value, ..., NULL}.  An @ not
 * followed by such a name is copied as is.  Returns 0, or -1 with *missing
 * pointing at the first unknown field (a typo in the template). */
int ims__tmpl_fill(ims__buf_t *b, const char *text, const char *const *kv, const char **missing);

#endif
