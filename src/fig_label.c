/* Words for axes: units as a reader writes them, column codes as names. */
#include "immunosim/figure.h"
#include "immunosim/metrics.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const superscript[] = {
    "\xe2\x81\xb0", "\xc2\xb9",     "\xc2\xb2",     "\xc2\xb3",     "\xe2\x81\xb4",
    "\xe2\x81\xb5", "\xe2\x81\xb6", "\xe2\x81\xb7", "\xe2\x81\xb8", "\xe2\x81\xb9"};
static const char sup_minus[] = "\xe2\x81\xbb";
static const char micro[] = "\xc2\xb5";
static const char dot[] = "\xc2\xb7";

/* Unit symbols that take the micro prefix as 'u' in udunits strings. */
static int micro_base(const char *s, size_t n)
{
  static const char *const base[] = {"g", "L", "l", "m", "mol", "M", "s", "Gy", "Sv", "Hz", "IU"};
  for (size_t i = 0; i < sizeof base / sizeof *base; i++)
    if (strlen(base[i]) == n && strncmp(s, base[i], n) == 0)
      return 1;
  return 0;
}

static void put(char *out, size_t n, size_t *k, const char *s, size_t len)
{
  if (*k + len >= n)
    len = *k < n ? n - 1 - *k : 0;
  memcpy(out + *k, s, len);
  *k += len;
  out[*k] = '\0';
}

static void put_sup(char *out, size_t n, size_t *k, const char *digits, size_t len)
{
  for (size_t i = 0; i < len; i++) {
    if (digits[i] == '-')
      put(out, n, k, sup_minus, strlen(sup_minus));
    else if (isdigit((unsigned char)digits[i]))
      put(out, n, k, superscript[digits[i] - '0'], strlen(superscript[digits[i] - '0']));
  }
}

void ims_fig_unit(char *out, size_t n, const char *unit)
{
  size_t k = 0;
  if (!n)
    return;
  out[0] = '\0';
  if (!unit || !*unit || strcmp(unit, "1") == 0)
    return;
  const char *p = unit;
  /* a scale factor "1e9 cell" reads 10⁹ cells */
  if (p[0] == '1' && (p[1] == 'e' || p[1] == 'E') &&
      (isdigit((unsigned char)p[2]) || p[2] == '-')) {
    const char *q = p + 2;
    while (*q == '-' || isdigit((unsigned char)*q))
      q++;
    put(out, n, &k, "10", 2);
    put_sup(out, n, &k, p + 2, (size_t)(q - p - 2));
    p = q;
  }
  while (*p) {
    if (isalpha((unsigned char)*p)) {
      const char *q = p;
      while (isalpha((unsigned char)*q))
        q++;
      size_t len = (size_t)(q - p);
      if (p[0] == 'u' && len > 1 && micro_base(p + 1, len - 1)) {
        put(out, n, &k, micro, strlen(micro));
        put(out, n, &k, p + 1, len - 1);
      } else if (len == 4 && strncmp(p, "cell", 4) == 0) {
        put(out, n, &k, "cells", 5);
      } else {
        put(out, n, &k, p, len);
      }
      p = q;
    } else if (*p == '*') {
      put(out, n, &k, dot, strlen(dot));
      p++;
    } else if (*p == '^' && (p[1] == '-' || isdigit((unsigned char)p[1]))) {
      const char *q = p + 1;
      while (*q == '-' || isdigit((unsigned char)*q))
        q++;
      put_sup(out, n, &k, p + 1, (size_t)(q - p - 1));
      p = q;
    } else {
      put(out, n, &k, p, 1);
      p++;
    }
  }
}

/* Lower-case letters and digits only, Greek letters as their Latin initial,
 * so "IFN-γ" and "IFNg" compare equal. */
static void squash(char *out, size_t n, const char *s)
{
  static const struct {
    const char *utf8;
    char c;
  } greek[] = {{"\xce\xb1", 'a'}, {"\xce\xb2", 'b'}, {"\xce\xb3", 'g'}, {"\xce\xb4", 'd'}};
  size_t k = 0;
  while (*s && k + 1 < n) {
    int done = 0;
    for (size_t i = 0; i < sizeof greek / sizeof *greek && !done; i++)
      if (strncmp(s, greek[i].utf8, 2) == 0) {
        out[k++] = greek[i].c;
        s += 2;
        done = 1;
      }
    if (done)
      continue;
    if (isalnum((unsigned char)*s))
      out[k++] = (char)tolower((unsigned char)*s);
    s++;
  }
  out[k] = '\0';
}

/* "tumour cells T", or "IL-6" when the label already names the code; without
 * withcode, the label alone. */
static void name_code(char *out, size_t n, const char *label, const char *code, int withcode)
{
  if (label && *label && !withcode) {
    snprintf(out, n, "%s", label);
    return;
  }
  if (!label || !*label) {
    snprintf(out, n, "%s", code);
    return;
  }
  if (strlen(code) > IMS_FIG_CODE_MAX) { /* a generated id says nothing to a reader */
    snprintf(out, n, "%s", label);
    return;
  }
  /* a code of three or more letters is "said" when the label contains it
   * (IL-6 for IL6); a shorter one only as a word of its own */
  char a[256], b[128];
  squash(a, sizeof a, label);
  squash(b, sizeof b, code);
  int said = strlen(b) >= 3 && strstr(a, b) != NULL;
  size_t lc = strlen(code);
  for (const char *p = label; !said && (p = strstr(p, code)) != NULL; p++)
    said = (p == label || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[lc]);
  if (said)
    snprintf(out, n, "%s", label);
  else
    snprintf(out, n, "%s %s", label, code);
}

static const ims_var_t *find_var(const ims_model_t *m, const char *name)
{
  for (int i = 0; m && i < m->nstates; i++)
    if (strcmp(m->states[i].name, name) == 0)
      return &m->states[i];
  for (int i = 0; m && i < m->noutputs; i++)
    if (strcmp(m->outputs[i].name, name) == 0)
      return &m->outputs[i];
  return NULL;
}

const char *ims_fig_label_of(const ims_model_t *m, const char *name)
{
  for (int i = 0; m && m->labels && i < m->nlabels; i++)
    if (strcmp(m->labels[i].name, name) == 0)
      return m->labels[i].label;
  return NULL;
}

/* The words for a column without its unit: a state or output, a parameter,
 * an initial condition, a dosing field of a sweep; 0 when none applies. */
static int plain_name(char *out, size_t n, const ims_model_t *m, const char *col, int wc)
{
  const ims_var_t *v = find_var(m, col);
  if (v) {
    name_code(out, n, ims_fig_label_of(m, v->name), col, wc);
    return 1;
  }
  for (int i = 0; m && i < m->nparams; i++)
    if (strcmp(m->params[i].name, col) == 0) {
      const char *d = m->params[i].desc, *l = ims_fig_label_of(m, col);
      if (l) {
        name_code(out, n, l, col, wc);
        return 1;
      }
      /* a short description reads as a name; a sentence does not */
      if (d && strlen(d) <= 32 && !strchr(d, '(') && !strchr(d, ';'))
        name_code(out, n, d, col, wc);
      else
        snprintf(out, n, "%s", col);
      return 1;
    }
  size_t l = strlen(col);
  if (l > 2 && strcmp(col + l - 2, "_0") == 0) {
    char st[128];
    snprintf(st, sizeof st, "%.*s", (int)(l - 2), col);
    const ims_var_t *s = find_var(m, st);
    const char *l = s ? ims_fig_label_of(m, st) : NULL;
    if (s) {
      if (l && wc) /* the code as users type it (--par B_0) */
        snprintf(out, n, "initial %s (%s)", l, col);
      else
        snprintf(out, n, "initial %s", l ? l : st);
      return 1;
    }
  }
  /* sweep fields of dosing records: amt[1], amt_1, amt.1. */
  static const char *const field[] = {"amt", "dur", "ii", "time"};
  static const char *const word[] = {"amount", "duration", "interval", "time"};
  for (int f = 0; f < 4; f++) {
    size_t fl = strlen(field[f]);
    if (strncmp(col, field[f], fl) != 0 || !strchr("[._", col[fl]))
      continue;
    char *end;
    long k = strtol(col + fl + 1, &end, 10);
    if (end != col + fl + 1 && k > 0 && (!*end || !strcmp(end, "]") || !strcmp(end, "."))) {
      snprintf(out, n, "dose %ld %s", k, word[f]);
      return 1;
    }
  }
  return 0;
}

static const char *metric_words(const char *s, int *threshold)
{
  static const struct {
    const char *name, *words;
    int th;
  } w[] = {{"max", "peak", 0},           {"tmax", "time of the peak", 0},
           {"min", "nadir", 0},          {"tmin", "time of the nadir", 0},
           {"trough", "trough", 0},      {"auc", "AUC", 0},
           {"avg", "mean", 0},           {"regrow", "regrowth time", 0},
           {"above", "time above", 1},   {"below", "time below", 1},
           {"crossings", "crossings", 1}};
  for (size_t i = 0; i < sizeof w / sizeof *w; i++)
    if (strcmp(s, w[i].name) == 0) {
      *threshold = w[i].th;
      return w[i].words;
    }
  return NULL;
}

/* A threshold's name: "th" and its number. */
static int is_threshold(const char *s)
{
  if (s[0] != 't' || s[1] != 'h' || !isdigit((unsigned char)s[2]))
    return 0;
  for (s += 2; isdigit((unsigned char)*s); s++)
    ;
  return !*s;
}

/* A window label as given: R's X prefix dropped, START_END as START:END. */
static void window_words(char *out, size_t n, const char *win, char sep)
{
  if (win[0] == 'X' && (isdigit((unsigned char)win[1]) || win[1] == '.' || win[1] == '_'))
    win++;
  snprintf(out, n, "%s", win);
  char *u = strchr(out, sep);
  if (u && (isdigit((unsigned char)out[0]) || out[0] == '.' || out[0] == '_'))
    *u = ':';
  if (out[0] == '_') /* a negative start */
    out[0] = '-';
}

/* "T_max", "last_T_max", "X3.3_47.7_C1_auc", "th1_above" (tables of older
 * versions: "T.max", "all.T.max"). */
static int metric_name(char *out, size_t n, const ims_model_t *m, const char *col, int wc)
{
  for (const char *sep = "_."; *sep; sep++) {
    const char *last = strrchr(col, *sep);
    if (!last || last == col)
      continue;
    int th = 0;
    const char *words = metric_words(last + 1, &th);
    if (!words)
      continue;
    char rest[256], win[64] = "", what[256];
    snprintf(rest, sizeof rest, "%.*s", (int)(last - col), col);
    const char *c = rest;
    if (!find_var(m, c) && !is_threshold(c)) {
      /* a window prefix: before the longest tail that names a column, else the last part */
      const char *split = strrchr(rest, *sep);
      for (const char *p = strchr(rest, *sep); m && p; p = strchr(p + 1, *sep))
        if (find_var(m, p + 1) || is_threshold(p + 1)) {
          split = p;
          break;
        }
      if (split) {
        char w[64];
        snprintf(w, sizeof w, "%.*s", (int)(split - rest), rest);
        window_words(win, sizeof win, w, *sep);
        c = split + 1;
      }
    }
    if (is_threshold(c))
      snprintf(what, sizeof what, "threshold %s", c + 2);
    else if (!plain_name(what, sizeof what, m, c, wc))
      snprintf(what, sizeof what, "%s", c);
    if (th)
      snprintf(out, n, "%s %s", words, what);
    else
      snprintf(out, n, "%s of %s", words, what);
    if (win[0] && strcmp(win, "all"))
      snprintf(out + strlen(out), n - strlen(out), ", window %s", win);
    return 1;
  }
  return 0;
}

/* A parameter, or an initial value STATE_0. */
static int is_value(const ims_model_t *m, const char *s)
{
  for (int i = 0; m && i < m->nparams; i++)
    if (!strcmp(m->params[i].name, s))
      return 1;
  size_t l = strlen(s);
  if (l < 3 || strcmp(s + l - 2, "_0"))
    return 0;
  for (int i = 0; m && i < m->nstates; i++)
    if (strlen(m->states[i].name) == l - 2 && !strncmp(m->states[i].name, s, l - 2))
      return 1;
  return 0;
}

/* A sensitivity column COL_PAR (C1_CL: of C1 to CL; "C1:CL" in older
 * tables) into "∂C1/∂CL". */
static int sensitivity_name(char *out, size_t n, const ims_model_t *m, const char *col)
{
  const char *colon = strchr(col, ':');
  if (colon && colon != col && colon[1]) {
    snprintf(out, n, "\xe2\x88\x82%.*s/\xe2\x88\x82%s", (int)(colon - col), col, colon + 1);
    return 1;
  }
  for (const char *p = strchr(col, '_'); m && p; p = strchr(p + 1, '_')) {
    char v[128];
    snprintf(v, sizeof v, "%.*s", (int)(p - col), col);
    if (find_var(m, v) && is_value(m, p + 1)) {
      snprintf(out, n, "\xe2\x88\x82%s/\xe2\x88\x82%s", v, p + 1);
      return 1;
    }
  }
  return 0;
}

static void column_text(char *out, size_t n, const ims_model_t *m, const char *col,
                        const char *unit, int wc)
{
  char u[128], name[512];
  ims_fig_unit(u, sizeof u, unit);
  if (!plain_name(name, sizeof name, m, col, wc) && !metric_name(name, sizeof name, m, col, wc) &&
      !sensitivity_name(name, sizeof name, m, col))
    snprintf(name, sizeof name, "%s", col);
  if (u[0])
    snprintf(out, n, "%s (%s)", name, u);
  else
    snprintf(out, n, "%s", name);
}

void ims_fig_column_label(char *out, size_t n, const ims_model_t *m, const char *col,
                          const char *unit)
{
  column_text(out, n, m, col, unit, 1);
}

void ims_fig_column_name(char *out, size_t n, const ims_model_t *m, const char *col,
                         const char *unit)
{
  column_text(out, n, m, col, unit, 0);
}
