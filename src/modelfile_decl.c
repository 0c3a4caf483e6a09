/* The model-file declarations: one logical line each (state, param, output,
 * function, label, plot, metadata, intermediates, d/dt and initial values). */
#include "immunosim/data.h"
#include "immunosim/table.h"
#include "modelfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  size_t b = ims__mf_skip_ws(s, i), e = ims__mf_ident_end(s, b);
  int rc = ims__mf_check_name(r, b, e, "state");
  char *name = rc ? NULL : ims__mf_dupn(s + b, e - b), *unit = NULL, *desc = NULL;
  size_t k = e;
  rc = rc ? rc : ims__mf_unit_desc(r, &k, &unit, &desc, 1, "state");
  if (!rc && s[k] == '=')
    rc = ims__mf_failat(r, k,
                        "a state's initial value is the parameter %s_0: declare 'param %s_0 VALUE "
                        "UNIT' instead of '='",
                        name, name);
  else if (!rc && s[k])
    rc = ims__mf_failat(r, k, "unexpected '%s' after the state's description", s + k);
  if (!rc)
    rc = ims_mdl_add_state(r->d, name, unit, desc, 0, ims__mf_at_line(r, b), ims__mf_at_col(r, b),
                           r->err);
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
  size_t b = ims__mf_skip_ws(s, i), e = ims__mf_ident_end(s, b);
  int rc = ims__mf_check_name(r, b, e, "parameter");
  if (rc)
    return rc;
  size_t vb = ims__mf_skip_ws(s, e), ve = vb;
  while (s[ve] && s[ve] != ' ' && s[ve] != '\t' && s[ve] != '"')
    ve++;
  if (ve == vb)
    return ims__mf_failat(r, vb,
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
    return ims__mf_failat(r, vb, "value '%.*s' of parameter '%.*s' is not a finite number (or NA)",
                          (int)(ve - vb), s + vb, (int)(e - b), s + b);
  char *name = ims__mf_dupn(s + b, e - b), *unit = NULL, *desc = NULL;
  size_t k = ve;
  rc = name ? ims__mf_unit_desc(r, &k, &unit, &desc, 1, "parameter")
            : ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  if (!rc && s[k])
    rc = ims__mf_failat(r, k, "unexpected '%s' after the parameter's description", s + k);
  if (!rc)
    rc = ims_mdl_add_param(r->d, name, v, unit, desc, flags | sflag, ims__mf_at_line(r, b),
                           ims__mf_at_col(r, b), r->err);
  free_strs(name, unit, desc);
  return rc < 0 ? rc : IMS_OK;
}

/* output NAME UNIT ["description"] = EXPR */
static int decl_output(reader_t *r, size_t i)
{
  const char *s = r->L.s;
  size_t b = ims__mf_skip_ws(s, i), e = ims__mf_ident_end(s, b);
  int rc = ims__mf_check_name(r, b, e, "output");
  char *name = rc ? NULL : ims__mf_dupn(s + b, e - b), *unit = NULL, *desc = NULL;
  size_t k = e;
  rc = rc ? rc : ims__mf_unit_desc(r, &k, &unit, &desc, 1, "output");
  ims_mdl_eq_t eq = {0};
  if (!rc && s[k] != '=')
    rc = ims__mf_failat(r, k, "expected '= EXPRESSION' after the output's unit and description");
  char in[300];
  snprintf(in, sizeof in, "output %s", name ? name : "");
  rc = rc ? rc : ims__mf_parse_expr(r, k + 1, in, &eq);
  if (!rc)
    rc = ims_mdl_add_output(r->d, name, unit, desc, eq, ims__mf_at_line(r, b), ims__mf_at_col(r, b),
                            r->err);
  free_strs(name, unit, desc);
  return rc < 0 ? rc : IMS_OK;
}

/* function NAME(ARG, ...) = EXPR */
static int decl_function(reader_t *r, size_t i)
{
  const char *s = r->L.s;
  size_t b = ims__mf_skip_ws(s, i), e = ims__mf_ident_end(s, b);
  int rc = ims__mf_check_name(r, b, e, "function");
  if (rc)
    return rc;
  size_t k = ims__mf_skip_ws(s, e);
  if (s[k] != '(')
    return ims__mf_failat(r, k, "expected '(' and the argument names after the function name");
  char *args[32];
  int nargs = 0;
  k = ims__mf_skip_ws(s, k + 1);
  while (!rc && s[k] != ')') {
    size_t ae = ims__mf_ident_end(s, k);
    rc = ims__mf_check_name(r, k, ae, "argument");
    if (!rc && nargs == 32)
      rc = ims__mf_failat(r, k, "more than 32 arguments");
    if (!rc && !(args[nargs++] = ims__mf_dupn(s + k, ae - k)))
      rc = ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    k = ims__mf_skip_ws(s, ae);
    if (!rc && s[k] == ',')
      k = ims__mf_skip_ws(s, k + 1);
    else if (!rc && s[k] != ')')
      rc = ims__mf_failat(r, k, "expected ',' or ')' in the argument list");
  }
  k = rc ? k : ims__mf_skip_ws(s, k + 1);
  if (!rc && s[k] != '=')
    rc = ims__mf_failat(r, k, "expected '= EXPRESSION' after the argument list");
  char in[300];
  snprintf(in, sizeof in, "function %.*s", (int)(e - b), s + b);
  ims_mdl_eq_t eq = {0};
  rc = rc ? rc : ims__mf_parse_expr(r, k + 1, in, &eq);
  char *name = ims__mf_dupn(s + b, e - b);
  if (!rc)
    rc = name ? ims_mdl_add_func(r->d, name, nargs, (const char *const *)args, eq,
                                 ims__mf_at_line(r, b), ims__mf_at_col(r, b), r->err)
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
  int rc = ims__mf_parse_expr(r, k + 1, in, &eq);
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
  p->state = ims__mf_dupn(s + b, e - b);
  p->eq = eq;
  p->line = ims__mf_at_line(r, b);
  p->col = ims__mf_at_col(r, b);
  p->init = init;
  return p->state ? IMS_OK : ims_err_set(r->err, IMS_ENOMEM, "out of memory");
}

/* d/dt(STATE) = EXPR */
static int decl_rate(reader_t *r, size_t i)
{
  const char *s = r->L.s;
  size_t b = ims__mf_skip_ws(s, i), e = ims__mf_ident_end(s, b);
  if (e == b)
    return ims__mf_failat(r, b, "expected a state name in d/dt(STATE)");
  size_t k = ims__mf_skip_ws(s, e);
  if (s[k] != ')')
    return ims__mf_failat(r, k, "expected ')' after d/dt(%.*s", (int)(e - b), s + b);
  k = ims__mf_skip_ws(s, k + 1);
  if (s[k] != '=')
    return ims__mf_failat(r, k, "expected '= EXPRESSION' after d/dt(%.*s)", (int)(e - b), s + b);
  return pend_eq(r, b, e, k, 0);
}

/* STATE(0) = EXPR (sbml, issue 12): the initial value as an expression of
 * the parameters (and of other states' initial values), in place of the
 * parameter STATE_0; the rxode2 syntax.  k is at the '('. */
static int decl_init(reader_t *r, size_t b, size_t e, size_t k)
{
  const char *s = r->L.s;
  size_t z = ims__mf_skip_ws(s, k + 1), c = ims__mf_skip_ws(s, z + 1);
  if (s[z] != '0' || s[c] != ')')
    return ims__mf_failat(
        r, k,
        "'%.*s(' starts no declaration: an initial value is written %.*s(0) = EXPRESSION, "
        "a function 'function %.*s(ARG, ...) = EXPRESSION'",
        (int)(e - b), s + b, (int)(e - b), s + b, (int)(e - b), s + b);
  size_t q = ims__mf_skip_ws(s, c + 1);
  if (s[q] != '=' || s[q + 1] == '=')
    return ims__mf_failat(r, q, "expected '= EXPRESSION' after %.*s(0)", (int)(e - b), s + b);
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
  size_t b = ims__mf_skip_ws(s, i), e = ims__mf_ident_end(s, b);
  if (e == b)
    return ims__mf_failat(r, b, "expected the name of a state, parameter, intermediate or output");
  size_t q = ims__mf_skip_ws(s, e);
  if (s[q] != '"')
    return ims__mf_failat(r, q, "expected the label in quotes: label %.*s \"short name\"",
                          (int)(e - b), s + b);
  size_t qe = q + 1;
  while (s[qe] && s[qe] != '"')
    qe++;
  if (!s[qe])
    return ims__mf_failat(r, q, "unterminated label: add the closing '\"'");
  if (qe == q + 1)
    return ims__mf_failat(r, q, "empty label");
  size_t k = ims__mf_skip_ws(s, qe + 1);
  if (s[k])
    return ims__mf_failat(r, k, "unexpected '%s' after the label", s + k);
  if (r->nplab == r->capplab) {
    int cap = r->capplab ? 2 * r->capplab : 16;
    struct plabel *p = realloc(r->plab, (size_t)cap * sizeof *p);
    if (!p)
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    r->plab = p;
    r->capplab = cap;
  }
  struct plabel *p = &r->plab[r->nplab];
  p->name = ims__mf_dupn(s + b, e - b);
  p->text = ims__mf_dupn(s + q + 1, qe - q - 1);
  p->line = ims__mf_at_line(r, b);
  p->col = ims__mf_at_col(r, b);
  r->nplab++;
  return p->name && p->text ? IMS_OK : ims_err_set(r->err, IMS_ENOMEM, "out of memory");
}

static const char *const scales[] = {"auto", "lin", "log"}; /* IMS_SCALE_* */

/* plot NAME [lin|log|auto], ... (sbml, issue 15): the default figure's
 * columns (states or outputs) and y scales, in order, on one line; kept until
 * everything is declared.  kw is at the word plot. */
static int decl_plot(reader_t *r, size_t i, size_t kw)
{
  const char *s = r->L.s;
  if (r->plot_line)
    return ims__mf_failat(r, kw,
                          "second 'plot' line (the first is at line %d); list every column on one",
                          r->plot_line);
  r->plot_line = ims__mf_at_line(r, kw);
  size_t k = ims__mf_skip_ws(s, i);
  if (!s[k])
    return ims__mf_failat(r, kw, "'plot' needs a column: plot NAME [lin|log|auto], ...");
  for (;;) {
    size_t b = k, e = ims__mf_ident_end(s, b);
    if (e == b)
      return ims__mf_failat(
          r, b, "plot: expected the name of a state or output (plot NAME [lin|log|auto], ...)");
    int scale = IMS_SCALE_AUTO;
    size_t wb = ims__mf_skip_ws(s, e), we = ims__mf_ident_end(s, wb);
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
        return ims__mf_failat(
            r, wb, "plot: '%s' is not a scale (lin, log or auto); did you mean '%s'?", w, sug);
      if (scale < 0)
        return ims__mf_failat(r, wb,
                              "plot: '%s' is not a scale (lin, log or auto) of the column '%.*s'; "
                              "columns are separated by ','",
                              w, (int)(e - b), s + b);
      k = ims__mf_skip_ws(s, we);
    }
    struct pplot *p = realloc(r->pplot, (size_t)(r->npplot + 1) * sizeof *p);
    if (!p)
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    r->pplot = p;
    p = &r->pplot[r->npplot];
    *p = (struct pplot){ims__mf_dupn(s + b, e - b), scale, ims__mf_at_line(r, b),
                        ims__mf_at_col(r, b)};
    if (!p->name)
      return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
    r->npplot++;
    if (!s[k])
      return IMS_OK;
    if (s[k] != ',')
      return ims__mf_failat(r, k, "plot: expected ',' and the next column, or the end of the line");
    k = ims__mf_skip_ws(s, k + 1);
  }
}

/* name/title/cite/time/family/notes: the rest of the line. */
static int decl_text(reader_t *r, int which, size_t i, size_t kw)
{
  const char *s = r->L.s;
  size_t b = ims__mf_skip_ws(s, i), e = r->L.n;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
    e--;
  if (e == b)
    return ims__mf_failat(r, kw, "'%s' needs a value", directives[which]);
  if (which != D_NOTES && r->seen_line[which])
    return ims__mf_failat(r, kw, "second '%s' line (the first is at line %d)", directives[which],
                          r->seen_line[which]);
  r->seen_line[which] = ims__mf_at_line(r, kw);
  char *v = ims__mf_dupn(s + b, e - b);
  if (!v)
    return ims_err_set(r->err, IMS_ENOMEM, "out of memory");
  ims_mdl_t *d = r->d;
  int rc = IMS_OK;
  if (which == D_NAME) {
    for (size_t k = 0; v[k] && !rc; k++)
      if (!(isalnum((unsigned char)v[k]) || v[k] == '_' || v[k] == '-' || v[k] == '.'))
        rc = ims__mf_failat(r, b + k, "a model name has letters, digits, '_', '-' and '.' only");
    rc = rc ? rc : ims_mdl_set(d, &d->name, v, r->err);
  } else if (which == D_TITLE)
    rc = ims_mdl_set(d, &d->title, v, r->err);
  else if (which == D_CITE)
    rc = ims_mdl_set(d, &d->citation, v, r->err);
  else if (which == D_FAMILY)
    rc = ims_mdl_set(d, &d->family, v, r->err);
  else if (which == D_TIME) {
    rc = ims_mdl_set(d, &d->time_unit, v, r->err);
    d->time_line = ims__mf_at_line(r, kw);
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

int ims__mf_one_line(reader_t *r)
{
  const char *s = r->L.s;
  size_t i = ims__mf_skip_ws(s, 0);
  if (!strncmp(s + i, "d/dt", 4)) {
    size_t k = ims__mf_skip_ws(s, i + 4);
    if (s[k] != '(')
      return ims__mf_failat(r, k, "expected '(' after d/dt");
    return decl_rate(r, k + 1);
  }
  size_t e = ims__mf_ident_end(s, i), k = ims__mf_skip_ws(s, e);
  if (e == i)
    return ims__mf_failat(r, i,
                          "expected a declaration (state, param, output, ...), NAME = EXPRESSION "
                          "or d/dt(STATE) = EXPRESSION");
  if (s[k] == '(')
    return decl_init(r, i, e, k);
  if (s[k] == '=' && s[k + 1] != '=') { /* NAME = EXPR: an intermediate */
    int rc = ims__mf_check_name(r, i, e, "intermediate");
    char in[300];
    snprintf(in, sizeof in, "%.*s", (int)(e - i), s + i);
    ims_mdl_eq_t eq;
    rc = rc ? rc : ims__mf_parse_expr(r, k + 1, in, &eq);
    if (!rc) {
      rc = ims_mdl_add_var(r->d, in, NULL, NULL, eq, ims__mf_at_line(r, i), ims__mf_at_col(r, i),
                           r->err);
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
    return ims__mf_failat(r, i, "unknown declaration '%s'; did you mean '%s'?", word, sug);
  return ims__mf_failat(
      r, i,
      "unknown declaration '%s'; expected state, param, output, function, label, "
      "plot, name, title, cite, time, NAME = EXPRESSION or d/dt(STATE) = EXPRESSION",
      word);
}
