#include "tmpl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(ims__buf_t *b, size_t extra)
{
  if (b->oom)
    return -1;
  if (b->n + extra + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->n + extra + 1)
    cap *= 2;
  char *s = realloc(b->s, cap);
  if (!s) {
    b->oom = 1;
    return -1;
  }
  b->s = s;
  b->cap = cap;
  return 0;
}

void ims__buf_putn(ims__buf_t *b, const char *s, size_t n)
{
  if (grow(b, n))
    return;
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

void ims__buf_puts(ims__buf_t *b, const char *s)
{
  ims__buf_putn(b, s, strlen(s));
}

void ims__buf_printf(ims__buf_t *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || grow(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

const char *ims__buf_str(const ims__buf_t *b)
{
  return b->s && !b->oom ? b->s : "";
}

void ims__buf_free(ims__buf_t *b)
{
  free(b->s);
  memset(b, 0, sizeof *b);
}

void ims__buf_gp_str(ims__buf_t *b, const char *s)
{
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      ims__buf_putn(b, "\\", 1);
    if (*s == '\n')
      ims__buf_puts(b, "\\n");
    else
      ims__buf_putn(b, s, 1);
  }
}

void ims__buf_gp_text(ims__buf_t *b, const char *s)
{
  for (; *s; s++) {
    if (strchr("^_@&~{}", *s))
      ims__buf_puts(b, "\\\\"); /* "\\_" in the script: a literal _ in enhanced text */
    if (*s == '"')
      ims__buf_puts(b, "\\\"");
    else if (*s == '\\')
      ims__buf_puts(b, "\\\\\\\\");
    else if (*s == '\n')
      ims__buf_puts(b, "\\n");
    else
      ims__buf_putn(b, s, 1);
  }
}

int ims__tmpl_load(ims__tmpl_t *t, const char *path)
{
  memset(t, 0, sizeof *t);
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return -1;
  ims__buf_t b = {0};
  char chunk[4096];
  size_t k;
  while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0)
    ims__buf_putn(&b, chunk, k);
  int rerr = ferror(fp);
  fclose(fp);
  if (rerr || b.oom) {
    ims__buf_free(&b);
    errno = rerr ? EIO : ENOMEM;
    return -1;
  }
  t->text = b.s ? b.s : calloc(1, 1);
  t->path = strdup(path);
  if (!t->text || !t->path) {
    ims__tmpl_free(t);
    errno = ENOMEM;
    return -1;
  }
  /* Cut in place: each "#@@ name" line ends the previous body. */
  char *p = t->text;
  while (p && *p) {
    char *eol = strchr(p, '\n');
    if (strncmp(p, "#@@ ", 4) == 0) {
      if (t->nsec == IMS__TMPL_MAXSEC) {
        ims__tmpl_free(t);
        return -2;
      }
      if (p > t->text)
        p[-1] = '\0'; /* the newline before this marker ends the previous body */
      char *name = p + 4;
      if (eol)
        *eol = '\0';
      size_t nl = strlen(name);
      while (nl && (name[nl - 1] == ' ' || name[nl - 1] == '\r'))
        name[--nl] = '\0';
      t->name[t->nsec] = name;
      t->body[t->nsec] = eol ? eol + 1 : name + nl;
      t->nsec++;
    }
    p = eol ? eol + 1 : NULL;
  }
  /* Trailing blank lines of each body are layout, not content. */
  for (int i = 0; i < t->nsec; i++) {
    char *s = (char *)t->body[i];
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
      s[--n] = '\0';
  }
  return 0;
}

void ims__tmpl_free(ims__tmpl_t *t)
{
  free(t->text);
  free(t->path);
  memset(t, 0, sizeof *t);
}

const char *ims__tmpl_section(const ims__tmpl_t *t, const char *name)
{
  for (int i = 0; i < t->nsec; i++)
    if (strcmp(t->name[i], name) == 0)
      return t->body[i];
  return NULL;
}

static int is_field_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int ims__tmpl_fill(ims__buf_t *b, const char *text, const char *const *kv, const char **missing)
{
  const char *p = text;
  while (*p) {
    const char *at = strchr(p, '@');
    if (!at) {
      ims__buf_puts(b, p);
      break;
    }
    ims__buf_putn(b, p, (size_t)(at - p));
    const char *q = at + 1;
    while (is_field_char(*q))
      q++;
    if (q == at + 1 || *q != '@') { /* not a field: copy the @ */
      ims__buf_putn(b, "@", 1);
      p = at + 1;
      continue;
    }
    size_t len = (size_t)(q - at - 1);
    const char *val = NULL;
    for (int i = 0; kv[i]; i += 2)
      if (strlen(kv[i]) == len && strncmp(kv[i], at + 1, len) == 0) {
        val = kv[i + 1];
        break;
      }
    if (!val) {
      if (missing)
        *missing = at + 1;
      return -1;
    }
    ims__buf_puts(b, val);
    p = q + 1;
  }
  return 0;
}
