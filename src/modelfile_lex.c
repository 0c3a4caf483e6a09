/* The model-file reader's lexing: file positions and messages, names,
 * expressions, units and descriptions, and the split into logical lines. */
#include "expr.h"
#include "modelfile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ims__mf_fail(reader_t *r, int line, int col, const char *fmt, ...)
{
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ims_err_set(r->err, IMS_EINPUT, "%s:%d:%d: %s", r->path, line, col, msg);
}

/* Position of offset i of the logical line (clamped to its last character). */
int ims__mf_at_line(const reader_t *r, size_t i)
{
  return r->L.n ? r->L.line[i < r->L.n ? i : r->L.n - 1] : 1;
}

int ims__mf_at_col(const reader_t *r, size_t i)
{
  if (!r->L.n)
    return 1;
  return i < r->L.n ? r->L.col[i] : r->L.col[r->L.n - 1] + 1;
}

int ims__mf_failat(reader_t *r, size_t i, const char *fmt, ...)
{
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ims__mf_fail(r, ims__mf_at_line(r, i), ims__mf_at_col(r, i), "%s", msg);
}

static int push(reader_t *r, char ch, int line, int col)
{
  lline_t *L = &r->L;
  if (L->n + 2 > L->cap) {
    size_t cap = L->cap ? 2 * L->cap : 256;
    char *s = realloc(L->s, cap);
    if (s)
      L->s = s;
    int *a = realloc(L->line, cap * sizeof *a);
    if (a)
      L->line = a;
    int *b = realloc(L->col, cap * sizeof *b);
    if (b)
      L->col = b;
    if (!s || !a || !b)
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    L->cap = cap;
  }
  L->s[L->n] = ch;
  L->line[L->n] = line;
  L->col[L->n] = col;
  L->n++;
  L->s[L->n] = '\0';
  return IMS_OK;
}

static int is_ident(const char *s, size_t n)
{
  if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
      return 0;
  return 1;
}

size_t ims__mf_skip_ws(const char *s, size_t i)
{
  while (s[i] == ' ' || s[i] == '\t')
    i++;
  return i;
}

size_t ims__mf_ident_end(const char *s, size_t i)
{
  while (isalnum((unsigned char)s[i]) || s[i] == '_')
    i++;
  return i;
}

char *ims__mf_dupn(const char *s, size_t n)
{
  char *c = malloc(n + 1);
  if (c) {
    memcpy(c, s, n);
    c[n] = '\0';
  }
  return c;
}

/* A name the expression syntax reads as something else (pi, time, true,
 * avogadro, ... in any case, t, and/or/not) cannot be declared. */
static int reserved(const char *name)
{
  ims_expr_t *e = NULL;
  ims_err_t e2;
  if (ims_expr_parse(name, &e, &e2) != 0)
    return 1;
  int ok = e->op == IMS_X_NAME && strcmp(e->name, name) == 0;
  ims_expr_free(e);
  return !ok;
}

int ims__mf_check_name(reader_t *r, size_t b, size_t e, const char *what)
{
  const char *s = r->L.s;
  if (!is_ident(s + b, e - b)) {
    if (e == b)
      return ims__mf_failat(r, b, "expected the name of the %s", what);
    return ims__mf_failat(
        r, b,
        "'%.*s' is not a valid %s name (letters, digits and _, not starting with a "
        "digit)",
        (int)(e - b), s + b, what);
  }
  char nm[256];
  snprintf(nm, sizeof nm, "%.*s", (int)(e - b), s + b);
  if (reserved(nm))
    return ims__mf_failat(r, b,
                          "'%s' is a reserved name of the expression syntax (t is time; pi, true, "
                          "avogadro, and, or, not, ... are built in); rename the %s",
                          nm, what);
  return IMS_OK;
}

/* An expression from offset i to the end of the logical line. */
int ims__mf_parse_expr(reader_t *r, size_t i, const char *in, ims_mdl_eq_t *eq)
{
  memset(eq, 0, sizeof *eq);
  const char *s = r->L.s;
  i = ims__mf_skip_ws(s, i);
  size_t end = r->L.n;
  while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
    end--;
  if (end == i)
    return ims__mf_failat(r, i, "missing expression after '=' in %s", in);
  char *text = ims__mf_dupn(s + i, end - i);
  if (!text)
    return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  ims_err_t e2 = {0};
  if (ims_expr_parse(text, &eq->e, &e2) != 0) {
    free(text);
    if (e2.code == IMS_ENOMEM)
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    long col = strtol(e2.msg, NULL, 10);
    const char *msg = strchr(e2.msg, ':');
    msg = msg ? msg + 2 : e2.msg;
    size_t off = i + (size_t)(col > 0 ? col - 1 : 0);
    size_t ml = strlen(msg);
    if (ml && msg[ml - 1] == ';') /* our own message: "... (in d/dt(X))" */
      return ims__mf_failat(r, off, "%.*s (in %s)", (int)(ml - 1), msg, in);
    return ims__mf_failat(r, off, "%s in %s", msg, in);
  }
  eq->text = text;
  eq->line = ims__mf_at_line(r, i);
  eq->col = ims__mf_at_col(r, i);
  return IMS_OK;
}

/* UNIT ["description"]: the unit runs to the quote, '=' or the end. */
int ims__mf_unit_desc(reader_t *r, size_t *i, char **unit, char **desc, int need_unit,
                      const char *what)
{
  const char *s = r->L.s;
  size_t b = ims__mf_skip_ws(s, *i), e = b;
  while (s[e] && s[e] != '"' && s[e] != '=')
    e++;
  size_t ue = e;
  while (ue > b && (s[ue - 1] == ' ' || s[ue - 1] == '\t'))
    ue--;
  *unit = NULL;
  *desc = NULL;
  if (ue == b && need_unit)
    return ims__mf_failat(r, b,
                          "missing unit of the %s (a udunits2 unit such as cell, mg/L or 1/d; 1 "
                          "for dimensionless)",
                          what);
  if (!(*unit = ims__mf_dupn(s + b, ue - b)))
    return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  if (s[e] == '"') {
    size_t q = e + 1;
    while (s[q] && s[q] != '"')
      q++;
    if (!s[q])
      return ims__mf_failat(r, e, "unterminated description: add the closing '\"'");
    if (!(*desc = ims__mf_dupn(s + e + 1, q - e - 1)))
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    e = ims__mf_skip_ws(s, q + 1);
  }
  *i = e;
  return IMS_OK;
}

/* Only equations continue on the next line: a title ending in '-' or with an
 * unbalanced parenthesis does not swallow the lines after it. */
static int continues(const char *s)
{
  size_t b = ims__mf_skip_ws(s, 0), e = ims__mf_ident_end(s, b);
  static const char *const text[] = {"name", "title", "cite",  "family", "notes",
                                     "time", "state", "param", "label"};
  for (size_t k = 0; k < sizeof text / sizeof *text; k++)
    if (e - b == strlen(text[k]) && !strncmp(s + b, text[k], e - b) &&
        s[ims__mf_skip_ws(s, e)] != '=')
      return 0;
  return 1;
}

/* Split into logical lines: an equation continues while parentheses are open
 * or when it ends with an operator or a comma. */
int ims__mf_read_lines(reader_t *r, const char *buf, size_t len)
{
  int line = 1, col = 1, depth = 0, rc = IMS_OK;
  int inq = 0, incomment = 0;
  r->L.n = 0;
  for (size_t i = 0; i <= len && !rc; i++) {
    char ch = i < len ? buf[i] : '\n';
    if (ch == '\0')
      return ims__mf_fail(r, line, col, "NUL byte in a model file");
    if (ch == '\r' && i + 1 < len && buf[i + 1] == '\n') {
      col++;
      continue;
    }
    if (ch == '\n') {
      size_t n = r->L.n;
      while (n > 0 && (r->L.s[n - 1] == ' ' || r->L.s[n - 1] == '\t'))
        n--;
      char last = n ? r->L.s[n - 1] : '\0';
      int more = i < len && !inq && (depth > 0 || strchr("+-*/^,(&|<>=", last) != NULL) && n > 0 &&
                 continues(r->L.s);
      if (inq && i < len)
        rc = ims__mf_fail(r, line, col, "unterminated description: add the closing '\"'");
      else if (!more) {
        size_t b = ims__mf_skip_ws(r->L.s ? r->L.s : "", 0);
        if (r->L.n > b && (rc = ims__mf_one_line(r)) == IMS_OK)
          r->L.n = 0;
        else if (r->L.n <= b)
          r->L.n = 0;
        depth = 0;
        inq = 0;
      } else if ((rc = push(r, ' ', line, col)) != IMS_OK)
        break;
      incomment = 0;
      line++;
      col = 1;
      continue;
    }
    if (!inq && ch == '#')
      incomment = 1;
    if (!incomment) {
      if (ch == '"')
        inq = !inq;
      if (!inq && ch == '(')
        depth++;
      if (!inq && ch == ')')
        depth--;
      rc = push(r, ch == '\t' ? ' ' : ch, line, col);
    }
    col++;
  }
  return rc;
}
