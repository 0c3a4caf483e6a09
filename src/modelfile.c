/* The model-file reader (one declaration or equation per line, expressions in
 * libsbml's L3 infix syntax) and ims_model_open, the one place a model name or
 * path becomes a model. */
#include "expr.h"
#include "immunosim/data.h"
#include "immunosim/mdl.h"
#include "immunosim/sbml.h"
#include "immunosim/table.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A logical line: the text after joining continuation lines, with the file
 * position of each character. */
typedef struct lline {
  char *s;
  int *line, *col;
  size_t n, cap;
} lline_t;

typedef struct reader {
  const char *path;
  ims_mdl_t *d;
  ims_err_t *err;
  lline_t L;
  int seen_line[8]; /* name title cite time family ... first line of each */
  /* d/dt equations, attached once every state is declared */
  struct pend {
    char *state;
    ims_mdl_eq_t eq;
    int line, col;
    int init; /* STATE(0) = EXPR rather than d/dt(STATE) = EXPR */
  } * pend;
  int npend, cappend;
  /* label lines, attached once everything is declared */
  struct plabel {
    char *name, *text;
    int line, col;
  } * plab;
  int nplab, capplab;
  /* the plot line's columns, attached once everything is declared */
  struct pplot {
    char *name;
    int scale;
    int line, col;
  } * pplot;
  int npplot;
  int plot_line; /* where the plot line is (0: none yet) */
} reader_t;

static int fail(reader_t *r, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(reader_t *r, int line, int col, const char *fmt, ...)
{
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ims_err_set(r->err, IMS_EINPUT, "%s:%d:%d: %s", r->path, line, col, msg);
}

/* Position of offset i of the logical line (clamped to its last character). */
static int at_line(const reader_t *r, size_t i)
{
  return r->L.n ? r->L.line[i < r->L.n ? i : r->L.n - 1] : 1;
}

static int at_col(const reader_t *r, size_t i)
{
  if (!r->L.n)
    return 1;
  return i < r->L.n ? r->L.col[i] : r->L.col[r->L.n - 1] + 1;
}

static int failat(reader_t *r, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int failat(reader_t *r, size_t i, const char *fmt, ...)
{
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fail(r, at_line(r, i), at_col(r, i), "%s", msg);
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

static size_t skip_ws(const char *s, size_t i)
{
  while (s[i] == ' ' || s[i] == '\t')
    i++;
  return i;
}

static size_t ident_end(const char *s, size_t i)
{
  while (isalnum((unsigned char)s[i]) || s[i] == '_')
    i++;
  return i;
}

static char *dupn(const char *s, size_t n)
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

static int check_name(reader_t *r, size_t b, size_t e, const char *what)
{
  const char *s = r->L.s;
  if (!is_ident(s + b, e - b)) {
    if (e == b)
      return failat(r, b, "expected the name of the %s", what);
    return failat(r, b,
                  "'%.*s' is not a valid %s name (letters, digits and _, not starting with a "
                  "digit)",
                  (int)(e - b), s + b, what);
  }
  char nm[256];
  snprintf(nm, sizeof nm, "%.*s", (int)(e - b), s + b);
  if (reserved(nm))
    return failat(r, b,
                  "'%s' is a reserved name of the expression syntax (t is time; pi, true, "
                  "avogadro, and, or, not, ... are built in); rename the %s",
                  nm, what);
  return IMS_OK;
}

/* An expression from offset i to the end of the logical line. */
static int parse_expr(reader_t *r, size_t i, const char *in, ims_mdl_eq_t *eq)
{
  memset(eq, 0, sizeof *eq);
  const char *s = r->L.s;
  i = skip_ws(s, i);
  size_t end = r->L.n;
  while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
    end--;
  if (end == i)
    return failat(r, i, "missing expression after '=' in %s", in);
  char *text = dupn(s + i, end - i);
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
      return failat(r, off, "%.*s (in %s)", (int)(ml - 1), msg, in);
    return failat(r, off, "%s in %s", msg, in);
  }
  eq->text = text;
  eq->line = at_line(r, i);
  eq->col = at_col(r, i);
  return IMS_OK;
}

/* UNIT ["description"]: the unit runs to the quote, '=' or the end. */
static int unit_desc(reader_t *r, size_t *i, char **unit, char **desc, int need_unit,
                     const char *what)
{
  const char *s = r->L.s;
  size_t b = skip_ws(s, *i), e = b;
  while (s[e] && s[e] != '"' && s[e] != '=')
    e++;
  size_t ue = e;
  while (ue > b && (s[ue - 1] == ' ' || s[ue - 1] == '\t'))
    ue--;
  *unit = NULL;
  *desc = NULL;
  if (ue == b && need_unit)
    return failat(r, b,
                  "missing unit of the %s (a udunits2 unit such as cell, mg/L or 1/d; 1 "
                  "for dimensionless)",
                  what);
  if (!(*unit = dupn(s + b, ue - b)))
    return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  if (s[e] == '"') {
    size_t q = e + 1;
    while (s[q] && s[q] != '"')
      q++;
    if (!s[q])
      return failat(r, e, "unterminated description: add the closing '\"'");
    if (!(*desc = dupn(s + e + 1, q - e - 1)))
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    e = skip_ws(s, q + 1);
  }
  *i = e;
  return IMS_OK;
}

static void free_strs(char *a, char *b, char *c)
{
  free(a);
  free(b);
  free(c);
}

/* state NAME UNIT ["description"] */
static int decl_state(reader_t *r, size_t i)
{
  const char *s = r->L.s;
  size_t b = skip_ws(s, i), e = ident_end(s, b);
  int rc = check_name(r, b, e, "state");
  char *name = rc ? NULL : dupn(s + b, e - b), *unit = NULL, *desc = NULL;
  size_t k = e;
  rc = rc ? rc : unit_desc(r, &k, &unit, &desc, 1, "state");
  if (!rc && s[k] == '=')
    rc = failat(r, k,
                "a state's initial value is the parameter %s_0: declare 'param %s_0 VALUE "
                "UNIT' instead of '='",
                name, name);
  else if (!rc && s[k])
    rc = failat(r, k, "unexpected '%s' after the state's description", s + k);
  if (!rc)
    rc = ims_mdl_add_state(r->d, name, unit, desc, 0, at_line(r, b), at_col(r, b), r->err);
  free_strs(name, unit, desc);
  return rc < 0 ? rc : IMS_OK;
}

/* param NAME VALUE|NA UNIT ["description"] [signed] */
static int decl_param(reader_t *r, size_t i)
{
  char *s = r->L.s;
  int inq = 0;
  unsigned sflag = 0;
  for (size_t k = i; s[k]; k++) { /* the marker, outside the description */
    if (s[k] == '"')
      inq = !inq;
    else if (!inq && strncmp(s + k, "[signed]", 8) == 0) {
      memset(s + k, ' ', 8);
      sflag = IMS_MDL_SIGNED;
    }
  }
  size_t b = skip_ws(s, i), e = ident_end(s, b);
  int rc = check_name(r, b, e, "parameter");
  if (rc)
    return rc;
  size_t vb = skip_ws(s, e), ve = vb;
  while (s[ve] && s[ve] != ' ' && s[ve] != '\t' && s[ve] != '"')
    ve++;
  if (ve == vb)
    return failat(r, vb,
                  "missing value of parameter '%.*s' (a number, or NA when a parameter "
                  "file must give it)",
                  (int)(e - b), s + b);
  char num[64];
  snprintf(num, sizeof num, "%.*s", (int)(ve - vb), s + vb);
  double v = 0;
  unsigned flags = 0;
  if (strcmp(num, "NA") == 0)
    flags = IMS_MDL_NOVALUE;
  else if (ve - vb >= sizeof num || ims_table_double(num, &v) != 0)
    return failat(r, vb, "value '%.*s' of parameter '%.*s' is not a finite number (or NA)",
                  (int)(ve - vb), s + vb, (int)(e - b), s + b);
  char *name = dupn(s + b, e - b), *unit = NULL, *desc = NULL;
  size_t k = ve;
  rc = name ? unit_desc(r, &k, &unit, &desc, 1, "parameter")
            : ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  if (!rc && s[k])
    rc = failat(r, k, "unexpected '%s' after the parameter's description", s + k);
  if (!rc)
    rc = ims_mdl_add_param(r->d, name, v, unit, desc, flags | sflag, at_line(r, b), at_col(r, b),
                           r->err);
  free_strs(name, unit, desc);
  return rc < 0 ? rc : IMS_OK;
}

/* output NAME UNIT ["description"] = EXPR */
static int decl_output(reader_t *r, size_t i)
{
  const char *s = r->L.s;
  size_t b = skip_ws(s, i), e = ident_end(s, b);
  int rc = check_name(r, b, e, "output");
  char *name = rc ? NULL : dupn(s + b, e - b), *unit = NULL, *desc = NULL;
  size_t k = e;
  rc = rc ? rc : unit_desc(r, &k, &unit, &desc, 1, "output");
  ims_mdl_eq_t eq = {0};
  if (!rc && s[k] != '=')
    rc = failat(r, k, "expected '= EXPRESSION' after the output's unit and description");
  char in[300];
  snprintf(in, sizeof in, "output %s", name ? name : "");
  rc = rc ? rc : parse_expr(r, k + 1, in, &eq);
  if (!rc)
    rc = ims_mdl_add_output(r->d, name, unit, desc, eq, at_line(r, b), at_col(r, b), r->err);
  free_strs(name, unit, desc);
  return rc < 0 ? rc : IMS_OK;
}

/* function NAME(ARG, ...) = EXPR */
static int decl_function(reader_t *r, size_t i)
{
  const char *s = r->L.s;
  size_t b = skip_ws(s, i), e = ident_end(s, b);
  int rc = check_name(r, b, e, "function");
  if (rc)
    return rc;
  size_t k = skip_ws(s, e);
  if (s[k] != '(')
    return failat(r, k, "expected '(' and the argument names after the function name");
  char *args[32];
  int nargs = 0;
  k = skip_ws(s, k + 1);
  while (!rc && s[k] != ')') {
    size_t ae = ident_end(s, k);
    rc = check_name(r, k, ae, "argument");
    if (!rc && nargs == 32)
      rc = failat(r, k, "more than 32 arguments");
    if (!rc && !(args[nargs++] = dupn(s + k, ae - k)))
      rc = ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    k = skip_ws(s, ae);
    if (!rc && s[k] == ',')
      k = skip_ws(s, k + 1);
    else if (!rc && s[k] != ')')
      rc = failat(r, k, "expected ',' or ')' in the argument list");
  }
  k = rc ? k : skip_ws(s, k + 1);
  if (!rc && s[k] != '=')
    rc = failat(r, k, "expected '= EXPRESSION' after the argument list");
  char in[300];
  snprintf(in, sizeof in, "function %.*s", (int)(e - b), s + b);
  ims_mdl_eq_t eq = {0};
  rc = rc ? rc : parse_expr(r, k + 1, in, &eq);
  char *name = dupn(s + b, e - b);
  if (!rc)
    rc = name ? ims_mdl_add_func(r->d, name, nargs, (const char *const *)args, eq, at_line(r, b),
                                 at_col(r, b), r->err)
              : ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  free(name);
  for (int a = 0; a < nargs; a++)
    free(args[a]);
  return rc < 0 ? rc : IMS_OK;
}

/* The equation of state s[b..e) after the '=' at k, kept until every state
 * is declared: its d/dt, or (init) its initial value. */
static int pend_eq(reader_t *r, size_t b, size_t e, size_t k, int init)
{
  const char *s = r->L.s;
  char in[300];
  if (init)
    snprintf(in, sizeof in, "%.*s(0)", (int)(e - b), s + b);
  else
    snprintf(in, sizeof in, "d/dt(%.*s)", (int)(e - b), s + b);
  ims_mdl_eq_t eq;
  int rc = parse_expr(r, k + 1, in, &eq);
  if (rc)
    return rc;
  if (r->npend == r->cappend) {
    int cap = r->cappend ? 2 * r->cappend : 16;
    struct pend *p = realloc(r->pend, (size_t)cap * sizeof *p);
    if (!p) {
      ims_expr_free(eq.e);
      free(eq.text);
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    }
    r->pend = p;
    r->cappend = cap;
  }
  struct pend *p = &r->pend[r->npend++];
  p->state = dupn(s + b, e - b);
  p->eq = eq;
  p->line = at_line(r, b);
  p->col = at_col(r, b);
  p->init = init;
  return p->state ? IMS_OK : ims_err_set(r->err, IMS_ENOMEM, "out of memory");
}

/* d/dt(STATE) = EXPR */
static int decl_rate(reader_t *r, size_t i)
{
  const char *s = r->L.s;
  size_t b = skip_ws(s, i), e = ident_end(s, b);
  if (e == b)
    return failat(r, b, "expected a state name in d/dt(STATE)");
  size_t k = skip_ws(s, e);
  if (s[k] != ')')
    return failat(r, k, "expected ')' after d/dt(%.*s", (int)(e - b), s + b);
  k = skip_ws(s, k + 1);
  if (s[k] != '=')
    return failat(r, k, "expected '= EXPRESSION' after d/dt(%.*s)", (int)(e - b), s + b);
  return pend_eq(r, b, e, k, 0);
}

/* STATE(0) = EXPR (sbml, issue 12): the initial value as an expression of
 * the parameters (and of other states' initial values), in place of the
 * parameter STATE_0; the rxode2 syntax.  k is at the '('. */
static int decl_init(reader_t *r, size_t b, size_t e, size_t k)
{
  const char *s = r->L.s;
  size_t z = skip_ws(s, k + 1), c = skip_ws(s, z + 1);
  if (s[z] != '0' || s[c] != ')')
    return failat(
        r, k,
        "'%.*s(' starts no declaration: an initial value is written %.*s(0) = EXPRESSION, "
        "a function 'function %.*s(ARG, ...) = EXPRESSION'",
        (int)(e - b), s + b, (int)(e - b), s + b, (int)(e - b), s + b);
  size_t q = skip_ws(s, c + 1);
  if (s[q] != '=' || s[q + 1] == '=')
    return failat(r, q, "expected '= EXPRESSION' after %.*s(0)", (int)(e - b), s + b);
  return pend_eq(r, b, e, q, 1);
}

static const char *const directives[] = {"name",  "title", "cite",   "time",     "family", "notes",
                                         "state", "param", "output", "function", "label",  "plot"};
enum {
  D_NAME,
  D_TITLE,
  D_CITE,
  D_TIME,
  D_FAMILY,
  D_NOTES,
  D_STATE,
  D_PARAM,
  D_OUTPUT,
  D_FUNC,
  D_LABEL,
  D_PLOT
};

/* label NAME "short name" (sbml, issue 12): the name figures and legends
 * show, and the SBML name of an export; kept until everything is declared */
static int decl_label(reader_t *r, size_t i)
{
  const char *s = r->L.s;
  size_t b = skip_ws(s, i), e = ident_end(s, b);
  if (e == b)
    return failat(r, b, "expected the name of a state, parameter, intermediate or output");
  size_t q = skip_ws(s, e);
  if (s[q] != '"')
    return failat(r, q, "expected the label in quotes: label %.*s \"short name\"", (int)(e - b),
                  s + b);
  size_t qe = q + 1;
  while (s[qe] && s[qe] != '"')
    qe++;
  if (!s[qe])
    return failat(r, q, "unterminated label: add the closing '\"'");
  if (qe == q + 1)
    return failat(r, q, "empty label");
  size_t k = skip_ws(s, qe + 1);
  if (s[k])
    return failat(r, k, "unexpected '%s' after the label", s + k);
  if (r->nplab == r->capplab) {
    int cap = r->capplab ? 2 * r->capplab : 16;
    struct plabel *p = realloc(r->plab, (size_t)cap * sizeof *p);
    if (!p)
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    r->plab = p;
    r->capplab = cap;
  }
  struct plabel *p = &r->plab[r->nplab];
  p->name = dupn(s + b, e - b);
  p->text = dupn(s + q + 1, qe - q - 1);
  p->line = at_line(r, b);
  p->col = at_col(r, b);
  r->nplab++;
  return p->name && p->text ? IMS_OK : ims_err_set(r->err, IMS_ENOMEM, "out of memory");
}

/* Attach the labels: each names something declared, once. */
static int attach_labels(reader_t *r)
{
  for (int k = 0; k < r->nplab; k++) {
    struct plabel *p = &r->plab[k];
    for (int j = 0; j < k; j++)
      if (!strcmp(r->plab[j].name, p->name))
        return fail(r, p->line, p->col, "second label of '%s' (the first is at line %d)", p->name,
                    r->plab[j].line);
    ims_err_t e2 = {0};
    int rc = ims_mdl_set_label(r->d, p->name, p->text, NULL, &e2);
    if (rc == IMS_ENOMEM)
      return ims_err_set(r->err, rc, "out of memory");
    if (rc)
      return fail(r, p->line, p->col,
                  "label of '%s': no state, parameter, intermediate or output of that name",
                  p->name);
  }
  return IMS_OK;
}

static const char *const scales[] = {"auto", "lin", "log"}; /* IMS_SCALE_* */

/* plot NAME [lin|log|auto], ... (sbml, issue 15): the default figure's
 * columns (states or outputs) and y scales, in order, on one line; kept until
 * everything is declared.  kw is at the word plot. */
static int decl_plot(reader_t *r, size_t i, size_t kw)
{
  const char *s = r->L.s;
  if (r->plot_line)
    return failat(r, kw, "second 'plot' line (the first is at line %d); list every column on one",
                  r->plot_line);
  r->plot_line = at_line(r, kw);
  size_t k = skip_ws(s, i);
  if (!s[k])
    return failat(r, kw, "'plot' needs a column: plot NAME [lin|log|auto], ...");
  for (;;) {
    size_t b = k, e = ident_end(s, b);
    if (e == b)
      return failat(r, b,
                    "plot: expected the name of a state or output (plot NAME [lin|log|auto], ...)");
    int scale = IMS_SCALE_AUTO;
    size_t wb = skip_ws(s, e), we = ident_end(s, wb);
    k = wb;
    if (we > wb) {
      char w[64];
      snprintf(w, sizeof w, "%.*s", (int)(we - wb), s + wb);
      scale = -1;
      for (int j = 0; j < 3; j++)
        if (!strcmp(w, scales[j]))
          scale = j;
      const char *sug = scale < 0 ? ims_suggest(w, scales, 3) : NULL;
      if (sug)
        return failat(r, wb, "plot: '%s' is not a scale (lin, log or auto); did you mean '%s'?", w,
                      sug);
      if (scale < 0)
        return failat(r, wb,
                      "plot: '%s' is not a scale (lin, log or auto) of the column '%.*s'; "
                      "columns are separated by ','",
                      w, (int)(e - b), s + b);
      k = skip_ws(s, we);
    }
    struct pplot *p = realloc(r->pplot, (size_t)(r->npplot + 1) * sizeof *p);
    if (!p)
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    r->pplot = p;
    p = &r->pplot[r->npplot];
    *p = (struct pplot){dupn(s + b, e - b), scale, at_line(r, b), at_col(r, b)};
    if (!p->name)
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    r->npplot++;
    if (!s[k])
      return IMS_OK;
    if (s[k] != ',')
      return failat(r, k, "plot: expected ',' and the next column, or the end of the line");
    k = skip_ws(s, k + 1);
  }
}

/* Attach the plot columns: each a declared state or output, once. */
static int attach_plot(reader_t *r)
{
  ims_mdl_t *d = r->d;
  for (int k = 0; k < r->npplot; k++) {
    struct pplot *p = &r->pplot[k];
    for (int j = 0; j < k; j++)
      if (!strcmp(r->pplot[j].name, p->name))
        return fail(r, p->line, p->col, "plot: '%s' twice (the first is at line %d, column %d)",
                    p->name, r->pplot[j].line, r->pplot[j].col);
    ims_err_t e2 = {0};
    int rc = ims_mdl_add_plot(d, p->name, p->scale, p->line, p->col, &e2);
    if (rc == IMS_ENOMEM)
      return ims_err_set(r->err, rc, "out of memory");
    if (rc >= 0)
      continue;
    if (ims_mdl_param_index(d, p->name) >= 0)
      return fail(r, p->line, p->col,
                  "plot: '%s' is a parameter; a figure draws states and outputs", p->name);
    for (int j = 0; j < d->nvars; j++)
      if (!strcmp(d->vars[j].name, p->name))
        return fail(r, p->line, p->col,
                    "plot: '%s' is an intermediate; declare it 'output %s UNIT = ...' to draw it",
                    p->name, p->name);
    const char **names = malloc(((size_t)(d->nstates + d->noutputs) + 1) * sizeof *names);
    const char *best = NULL;
    int n = 0;
    for (int j = 0; names && j < d->nstates; j++)
      names[n++] = d->states[j].name;
    for (int j = 0; names && j < d->noutputs; j++)
      names[n++] = d->outputs[j].name;
    if (names)
      best = ims_suggest(p->name, names, n);
    free(names);
    if (best)
      return fail(r, p->line, p->col, "plot: no state or output '%s'; did you mean '%s'?", p->name,
                  best);
    return fail(r, p->line, p->col, "plot: no state or output '%s'", p->name);
  }
  return IMS_OK;
}

/* name/title/cite/time/family/notes: the rest of the line. */
static int decl_text(reader_t *r, int which, size_t i, size_t kw)
{
  const char *s = r->L.s;
  size_t b = skip_ws(s, i), e = r->L.n;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
    e--;
  if (e == b)
    return failat(r, kw, "'%s' needs a value", directives[which]);
  if (which != D_NOTES && r->seen_line[which])
    return failat(r, kw, "second '%s' line (the first is at line %d)", directives[which],
                  r->seen_line[which]);
  r->seen_line[which] = at_line(r, kw);
  char *v = dupn(s + b, e - b);
  if (!v)
    return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  ims_mdl_t *d = r->d;
  int rc = IMS_OK;
  if (which == D_NAME) {
    for (size_t k = 0; v[k] && !rc; k++)
      if (!(isalnum((unsigned char)v[k]) || v[k] == '_' || v[k] == '-' || v[k] == '.'))
        rc = failat(r, b + k, "a model name has letters, digits, '_', '-' and '.' only");
    rc = rc ? rc : ims_mdl_set(d, &d->name, v, r->err);
  } else if (which == D_TITLE)
    rc = ims_mdl_set(d, &d->title, v, r->err);
  else if (which == D_CITE)
    rc = ims_mdl_set(d, &d->citation, v, r->err);
  else if (which == D_FAMILY)
    rc = ims_mdl_set(d, &d->family, v, r->err);
  else if (which == D_TIME) {
    rc = ims_mdl_set(d, &d->time_unit, v, r->err);
    d->time_line = at_line(r, kw);
  } else { /* notes accumulate */
    size_t n = d->notes ? strlen(d->notes) : 0;
    char *nn = realloc(d->notes, n + strlen(v) + 2);
    if (!nn)
      rc = ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    else {
      if (n)
        nn[n++] = ' ';
      strcpy(nn + n, v);
      d->notes = nn;
    }
  }
  free(v);
  return rc;
}

static const char *suggest_directive(const char *w)
{
  return ims_suggest(w, directives, (int)(sizeof directives / sizeof *directives));
}

static int one_line(reader_t *r)
{
  const char *s = r->L.s;
  size_t i = skip_ws(s, 0);
  if (!strncmp(s + i, "d/dt", 4)) {
    size_t k = skip_ws(s, i + 4);
    if (s[k] != '(')
      return failat(r, k, "expected '(' after d/dt");
    return decl_rate(r, k + 1);
  }
  size_t e = ident_end(s, i), k = skip_ws(s, e);
  if (e == i)
    return failat(r, i,
                  "expected a declaration (state, param, output, ...), NAME = EXPRESSION "
                  "or d/dt(STATE) = EXPRESSION");
  if (s[k] == '(')
    return decl_init(r, i, e, k);
  if (s[k] == '=' && s[k + 1] != '=') { /* NAME = EXPR: an intermediate */
    int rc = check_name(r, i, e, "intermediate");
    char in[300];
    snprintf(in, sizeof in, "%.*s", (int)(e - i), s + i);
    ims_mdl_eq_t eq;
    rc = rc ? rc : parse_expr(r, k + 1, in, &eq);
    if (!rc) {
      rc = ims_mdl_add_var(r->d, in, NULL, NULL, eq, at_line(r, i), at_col(r, i), r->err);
      rc = rc < 0 ? rc : IMS_OK;
    }
    return rc;
  }
  char word[64];
  snprintf(word, sizeof word, "%.*s", (int)(e - i), s + i);
  for (size_t d = 0; d < sizeof directives / sizeof *directives; d++)
    if (strcmp(word, directives[d]) == 0) {
      switch (d) {
      case D_STATE:
        return decl_state(r, e);
      case D_PARAM:
        return decl_param(r, e);
      case D_OUTPUT:
        return decl_output(r, e);
      case D_FUNC:
        return decl_function(r, e);
      case D_LABEL:
        return decl_label(r, e);
      case D_PLOT:
        return decl_plot(r, e, i);
      default:
        return decl_text(r, (int)d, e, i);
      }
    }
  const char *sug = suggest_directive(word);
  if (sug)
    return failat(r, i, "unknown declaration '%s'; did you mean '%s'?", word, sug);
  return failat(r, i,
                "unknown declaration '%s'; expected state, param, output, function, label, "
                "plot, name, title, cite, time, NAME = EXPRESSION or d/dt(STATE) = EXPRESSION",
                word);
}

/* Attach the d/dt equations: each names a declared state, once. */
static int attach_rates(reader_t *r)
{
  ims_mdl_t *d = r->d;
  for (int k = 0; k < r->npend; k++) {
    struct pend *p = &r->pend[k];
    int i = ims_mdl_state_index(d, p->state);
    char in[300];
    snprintf(in, sizeof in, p->init ? "%s(0)" : "d/dt(%s)", p->state);
    if (i < 0) {
      if (ims_mdl_param_index(d, p->state) >= 0)
        return fail(r, p->line, p->col,
                    "%s: '%s' is a parameter, not a state; declare it with 'state %s UNIT'", in,
                    p->state, p->state);
      const char **names = malloc(((size_t)d->nstates + 1) * sizeof *names);
      const char *best = NULL;
      for (int s = 0; names && s < d->nstates; s++)
        names[s] = d->states[s].name;
      if (names)
        best = ims_suggest(p->state, names, d->nstates);
      free(names);
      if (best)
        return fail(r, p->line, p->col, "%s: no state '%s'; did you mean '%s'?", in, p->state,
                    best);
      return fail(r, p->line, p->col, "%s: no state '%s'; declare it with 'state %s UNIT'", in,
                  p->state, p->state);
    }
    if (p->init) {
      char x0[300];
      snprintf(x0, sizeof x0, "%s_0", p->state);
      int j = ims_mdl_param_index(d, x0);
      if (d->states[i].init.e)
        return fail(r, p->line, p->col, "second %s (the first is at line %d)", in,
                    d->states[i].init.line);
      if (j >= 0)
        return fail(r, p->line, p->col,
                    "%s = ... and 'param %s' (line %d) both give the initial value; keep one", in,
                    x0, d->params[j].line);
      d->states[i].init = p->eq;
      memset(&p->eq, 0, sizeof p->eq);
      continue;
    }
    if (d->states[i].rate.e)
      return fail(r, p->line, p->col, "second d/dt(%s) (the first is at line %d)", p->state,
                  d->states[i].rate.line);
    ims_err_t e2;
    ims_mdl_set_rate(d, i, p->eq, &e2);
    memset(&p->eq, 0, sizeof p->eq); /* owned by the description now */
  }
  return IMS_OK;
}

/* Only equations continue on the next line: a title ending in '-' or with an
 * unbalanced parenthesis does not swallow the lines after it. */
static int continues(const char *s)
{
  size_t b = skip_ws(s, 0), e = ident_end(s, b);
  static const char *const text[] = {"name", "title", "cite",  "family", "notes",
                                     "time", "state", "param", "label"};
  for (size_t k = 0; k < sizeof text / sizeof *text; k++)
    if (e - b == strlen(text[k]) && !strncmp(s + b, text[k], e - b) && s[skip_ws(s, e)] != '=')
      return 0;
  return 1;
}

/* Split into logical lines: an equation continues while parentheses are open
 * or when it ends with an operator or a comma. */
static int read_lines(reader_t *r, const char *buf, size_t len)
{
  int line = 1, col = 1, depth = 0, rc = IMS_OK;
  int inq = 0, incomment = 0;
  r->L.n = 0;
  for (size_t i = 0; i <= len && !rc; i++) {
    char ch = i < len ? buf[i] : '\n';
    if (ch == '\0')
      return fail(r, line, col, "NUL byte in a model file");
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
        rc = fail(r, line, col, "unterminated description: add the closing '\"'");
      else if (!more) {
        size_t b = skip_ws(r->L.s ? r->L.s : "", 0);
        if (r->L.n > b && (rc = one_line(r)) == IMS_OK)
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

static void basename_noext(const char *path, char *out, size_t n)
{
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  snprintf(out, n, "%s", b);
  char *dot = strrchr(out, '.');
  if (dot && dot != out)
    *dot = '\0';
}

int ims_model_read_mem(const ims_model_t **out, const char *path, const char *buf, size_t len,
                       const ims_open_opts_t *o, ims_err_t *err)
{
  *out = NULL;
  char base[256];
  basename_noext(path, base, sizeof base);
  reader_t r = {.path = path, .err = err};
  int rc = ims_mdl_alloc(&r.d, base, err);
  if (!rc)
    rc = ims_mdl_set(r.d, &r.d->path, path, err);
  if (!rc) {
    r.d->init_names = 1;
    ims_table_fnv1a64_hex(buf, len, r.d->hash);
    free(r.d->time_unit);
    r.d->time_unit = NULL;
    rc = read_lines(&r, buf, len);
  }
  if (!rc && !r.d->time_unit)
    rc = fail(&r, 1, 1, "no 'time' line: declare the model's time unit, e.g. 'time d'");
  if (!rc && r.d->nstates == 0)
    rc = fail(&r, 1, 1, "no state: declare at least one with 'state NAME UNIT'");
  rc = rc ? rc : attach_rates(&r);
  rc = rc ? rc : attach_labels(&r);
  rc = rc ? rc : attach_plot(&r);
  for (int k = 0; k < r.npend; k++) {
    free(r.pend[k].state);
    ims_expr_free(r.pend[k].eq.e);
    free(r.pend[k].eq.text);
  }
  free(r.pend);
  for (int k = 0; k < r.nplab; k++) {
    free(r.plab[k].name);
    free(r.plab[k].text);
  }
  free(r.plab);
  for (int k = 0; k < r.npplot; k++)
    free(r.pplot[k].name);
  free(r.pplot);
  free(r.L.s);
  free(r.L.line);
  free(r.L.col);
  if (rc) {
    ims_mdl_free(r.d);
    return rc;
  }
  ims_mdl_opts_t mo = {0};
  if (o) {
    mo.no_unit_check = o->no_unit_check;
    mo.units = o->units;
    mo.warn = o->warn;
    mo.ud = o->ud;
  }
  ims_model_t *m;
  rc = ims_mdl_compile(r.d, &mo, &m, err);
  if (!rc)
    *out = m;
  return rc;
}

/* ---- opening any model ------------------------------------------------------- */

static int ends_with(const char *s, const char *suf)
{
  size_t n = strlen(s), k = strlen(suf);
  return n > k && strcmp(s + n - k, suf) == 0;
}

static void model_hint(const char *name, char *out, size_t n)
{
  int nm;
  const ims_model_t *const *ms = ims_model_list(&nm);
  const char *names[256];
  for (int i = 0; i < nm && i < 256; i++)
    names[i] = ms[i]->name;
  const char *best = ims_suggest(name, names, nm < 256 ? nm : 256);
  if (best)
    snprintf(out, n, "did you mean '%s'? ", best);
  else
    out[0] = '\0';
}

int ims_model_open(const ims_model_t **out, const char *name_or_path, const ims_open_opts_t *o,
                   ims_err_t *err)
{
  *out = NULL;
  const char *a = name_or_path;
  if (ends_with(a, ".xml") || ends_with(a, ".sbml")) { /* SBML import (issue 12, src/sbml_*.c) */
    /* SBML leaves units undeclared where a file gives none (immunosim reads
     * them as dimensionless), so unit findings would be noise: not checked */
    ims_mdl_opts_t mo = {.no_unit_check = 1};
    ims_model_t *m = NULL;
    int rc = ims_sbml_read(a, &mo, &m, err);
    *out = m;
    return rc;
  }
  if (ends_with(a, ".model") || strchr(a, '/')) {
    char *buf;
    size_t len;
    int rc = ims_table_slurp(a, &buf, &len, err);
    if (rc)
      return rc;
    rc = ims_model_read_mem(out, a, buf, len, o, err);
    free(buf);
    return rc;
  }
  *out = ims_model_find(a);
  if (*out)
    return IMS_OK;
  char hint[160];
  model_hint(a, hint, sizeof hint);
  return ims_err_set(err, IMS_EINPUT,
                     "unknown model '%s'; %s'immunosim list' shows the models (a model file "
                     "needs a path ending in .model)",
                     a, hint);
}

void ims_model_close(const ims_model_t *m)
{
  if (m && ims_mdl_of(m))
    ims_mdl_model_free((ims_model_t *)m);
}
