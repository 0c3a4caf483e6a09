#include "exprunit.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <udunits2.h>

struct ims_unitcheck {
  ut_system *sys;
};

/* Counts are base units here (each group one unit under several names), so
 * the checker tells cells from plain numbers; conversions elsewhere keep them
 * dimensionless (src/units.c). */
static const char *const count_groups[][3] = {
    {"cell", "cells", NULL}, {"copies", "copy", NULL}, {"IU", NULL, NULL}, {"count", NULL, NULL}};

int ims_unitcheck_alloc(ims_unitcheck_t **out, ims_err_t *err)
{
  ut_set_error_message_handler(ut_ignore);
  ims_unitcheck_t *s = calloc(1, sizeof *s);
  if (!s)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  s->sys = ut_read_xml(NULL);
  if (!s->sys) {
    free(s);
    return ims_err_set(err, IMS_EIO,
                       "cannot load the udunits2 database; install udunits-bin/libudunits2-data "
                       "or set UDUNITS2_XML_PATH");
  }
  for (size_t g = 0; g < sizeof count_groups / sizeof *count_groups; g++) {
    ut_unit *b = ut_new_base_unit(s->sys);
    for (int k = 0; b && k < 3 && count_groups[g][k]; k++) {
      ut_unmap_name_to_unit(s->sys, count_groups[g][k], UT_ASCII);
      ut_map_name_to_unit(count_groups[g][k], UT_ASCII, b);
    }
    ut_free(b);
  }
  *out = s;
  return IMS_OK;
}

void ims_unitcheck_free(ims_unitcheck_t *s)
{
  if (!s)
    return;
  ut_free_system(s->sys);
  free(s);
}

/* ---- display: scale * atoms^(num/den) ------------------------------------- */

static int gcd(int a, int b)
{
  a = abs(a);
  b = abs(b);
  while (b) {
    int t = a % b;
    a = b;
    b = t;
  }
  return a ? a : 1;
}

static void d_add(ims__udisp_t *d, const char *name, size_t len, int num, int den)
{
  for (int i = 0; i < d->n; i++)
    if (strlen(d->a[i].name) == len && strncmp(d->a[i].name, name, len) == 0) {
      int n = d->a[i].num * den + num * d->a[i].den, q = d->a[i].den * den, g = gcd(n, q);
      d->a[i].num = n / g;
      d->a[i].den = q / g;
      if (d->a[i].num == 0) {
        d->a[i] = d->a[--d->n];
      }
      return;
    }
  if (num == 0)
    return;
  if (d->n == IMS__UATOMS || len >= sizeof d->a[0].name) {
    d->opaque = 1;
    return;
  }
  memcpy(d->a[d->n].name, name, len);
  d->a[d->n].name[len] = '\0';
  d->a[d->n].num = num;
  d->a[d->n].den = den;
  d->n++;
}

static void d_mul(ims__udisp_t *d, const ims__udisp_t *o, int num, int den)
{
  d->scale *= pow(o->scale, (double)num / den);
  d->opaque |= o->opaque;
  for (int i = 0; i < o->n; i++)
    d_add(d, o->a[i].name, strlen(o->a[i].name), o->a[i].num * num, o->a[i].den * den);
}

/* A small parser of unit strings for messages only (udunits2 does the
 * checking): products with * . or blanks, quotients, ^n or trailing-digit
 * powers, numbers and parentheses. */
typedef struct uparse {
  const char *s;
  int bad;
} uparse_t;

static void p_product(uparse_t *p, ims__udisp_t *d, int depth);

static int p_exponent(uparse_t *p)
{
  const char *s = p->s;
  if (*s == '^')
    s++;
  else if (!(isdigit((unsigned char)*s) ||
             ((*s == '-' || *s == '+') && isdigit((unsigned char)s[1]))))
    return 1;
  char *end;
  long e = strtol(s, &end, 10);
  if (end == s || e > 99 || e < -99) {
    p->bad = 1;
    return 1;
  }
  p->s = end;
  return (int)e;
}

static void p_factor(uparse_t *p, ims__udisp_t *d, int sign, int depth)
{
  const char *s = p->s;
  if (*s == '(') {
    ims__udisp_t in = {1, 0, {{{0}, 0, 0}}, 0};
    p->s++;
    p_product(p, &in, depth + 1);
    if (*p->s != ')') {
      p->bad = 1;
      return;
    }
    p->s++;
    int e = p_exponent(p);
    d_mul(d, &in, sign * e, 1);
  } else if (isdigit((unsigned char)*s) || *s == '.') {
    char *end;
    double v = strtod(s, &end);
    p->s = end;
    int e = *p->s == '^' ? p_exponent(p) : 1;
    d->scale *= pow(v, sign * e);
  } else if (isalpha((unsigned char)*s) || *s == '_' || *s == '%') {
    const char *b = s;
    while (isalpha((unsigned char)*s) || *s == '_' || *s == '%')
      s++;
    p->s = s;
    int e = p_exponent(p);
    d_add(d, b, (size_t)(s - b), sign * e, 1);
  } else
    p->bad = 1;
}

static void p_product(uparse_t *p, ims__udisp_t *d, int depth)
{
  if (depth > 8) {
    p->bad = 1;
    return;
  }
  int sign = 1;
  for (;;) {
    while (*p->s == ' ')
      p->s++;
    p_factor(p, d, sign, depth);
    if (p->bad)
      return;
    while (*p->s == ' ' && p->s[1] == ' ')
      p->s++;
    char c = *p->s;
    if (c == '*' || c == '.' || c == '/')
      p->s++;
    else if (c == ' ' && p->s[1] != '\0' && p->s[1] != ')' && p->s[1] != '/' && p->s[1] != '*')
      p->s++;
    else if (c == ' ') {
      p->s++;
      continue;
    } else
      return;
    sign = c == '/' ? -1 : 1;
  }
}

static void disp_parse(const char *str, ims__udisp_t *d)
{
  memset(d, 0, sizeof *d);
  d->scale = 1;
  if (!*str || strcmp(str, "1") == 0)
    return;
  uparse_t p = {str, 0};
  p_product(&p, d, 0);
  while (*p.s == ' ')
    p.s++;
  if (p.bad || *p.s) { /* keep the text as one atom */
    memset(d, 0, sizeof *d);
    d->scale = 1;
    d_add(d, str, strlen(str), 1, 1);
  }
}

static void atom_str(char *buf, size_t n, const char *name, int num, int den)
{
  if (num == 1 && den == 1)
    snprintf(buf, n, "%s", name);
  else if (den == 1)
    snprintf(buf, n, "%s^%d", name, num);
  else
    snprintf(buf, n, "%s^(%d/%d)", name, num, den);
}

void ims__unit_str(const ims__unit_t *u, char *buf, size_t n)
{
  if (!u->u) {
    snprintf(buf, n, "any unit");
    return;
  }
  const ims__udisp_t *d = &u->d;
  size_t len = 0;
  buf[0] = '\0';
  char tmp[80];
  if (fabs(d->scale - 1) > 1e-12)
    len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%g ", d->scale);
  int nnum = 0;
  for (int i = 0; i < d->n; i++)
    if (d->a[i].num > 0) {
      atom_str(tmp, sizeof tmp, d->a[i].name, d->a[i].num, d->a[i].den);
      len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", nnum++ ? "*" : "", tmp);
    }
  if (!nnum)
    len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "1");
  for (int i = 0; i < d->n; i++)
    if (d->a[i].num < 0) {
      atom_str(tmp, sizeof tmp, d->a[i].name, -d->a[i].num, d->a[i].den);
      len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "/%s", tmp);
    }
  if (len >= n && n > 4)
    memcpy(buf + n - 4, "...", 4);
}

/* ---- units ------------------------------------------------------------------ */

void ims__unit_free(ims__unit_t *u)
{
  ut_free(u->u);
  u->u = NULL;
}

int ims__unit_copy(const ims__unit_t *from, ims__unit_t *to)
{
  to->d = from->d;
  to->u = from->u ? ut_clone(from->u) : NULL;
  return from->u && !to->u ? -1 : 0;
}

int ims__unit_parse(ims_unitcheck_t *s, const char *str, ims__unit_t *out)
{
  while (*str == ' ')
    str++;
  ut_unit *u = (!*str || strcmp(str, "1") == 0 || strcmp(str, "-") == 0)
                   ? ut_get_dimensionless_unit_one(s->sys)
                   : ut_parse(s->sys, str, UT_ASCII);
  out->u = u;
  disp_parse(strcmp(str, "-") == 0 ? "" : str, &out->d);
  return u ? 0 : -1;
}

static cv_converter *converter(const ims__unit_t *a, const ims__unit_t *b)
{
  if (!a->u || !b->u || !ut_are_convertible(a->u, b->u))
    return NULL;
  return ut_get_converter(a->u, b->u);
}

int ims__unit_same(const ims__unit_t *a, const ims__unit_t *b, double *factor)
{
  if (factor)
    *factor = 0;
  if (!a->u || !b->u)
    return 1;
  cv_converter *cv = converter(a, b);
  if (!cv)
    return 0;
  double off = cv_convert_double(cv, 0.0), f = cv_convert_double(cv, 1.0) - off;
  cv_free(cv);
  if (factor)
    *factor = f;
  return off == 0 && fabs(f - 1) <= 1e-9;
}

int ims__unit_convert(const ims__unit_t *a, const ims__unit_t *b, double *v)
{
  cv_converter *cv = converter(a, b);
  if (!cv)
    return -1;
  *v = cv_convert_double(cv, *v);
  cv_free(cv);
  return 0;
}

int ims__unit_div(const ims__unit_t *a, const ims__unit_t *b, ims__unit_t *out)
{
  memset(out, 0, sizeof *out);
  out->d.scale = 1;
  if (!a->u || !b->u)
    return 0;
  out->u = ut_divide(a->u, b->u);
  out->d = a->d;
  d_mul(&out->d, &b->d, -1, 1);
  return out->u ? 0 : -1;
}

/* ---- inference ------------------------------------------------------------- */

static void any(ims__unit_t *u)
{
  memset(u, 0, sizeof *u);
  u->d.scale = 1;
}

static void one(ims__uenv_t *env, ims__unit_t *u)
{
  any(u);
  u->u = ut_get_dimensionless_unit_one(env->sys->sys);
}

static void sub_str(const ims_expr_t *e, char *buf, size_t n)
{
  ims_expr_print(e, buf, n);
}

static void report(ims__uenv_t *env, const ims_expr_t *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(ims__uenv_t *env, const ims_expr_t *e, const char *fmt, ...)
{
  char msg[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  env->nerr++;
  env->report(env->ud, e, msg);
}

/* Both the same unit, else report naming the two sides and the whole. */
static int check_same(ims__uenv_t *env, const ims_expr_t *whole, const ims_expr_t *ea,
                      const ims__unit_t *a, const ims_expr_t *eb, const ims__unit_t *b)
{
  double f;
  if (ims__unit_same(a, b, &f))
    return 1;
  char sw[160], sa[120], sb[120], ua[96], ub[96], fac[80] = "";
  sub_str(whole, sw, sizeof sw);
  sub_str(ea, sa, sizeof sa);
  sub_str(eb, sb, sizeof sb);
  ims__unit_str(a, ua, sizeof ua);
  ims__unit_str(b, ub, sizeof ub);
  if (f != 0)
    snprintf(fac, sizeof fac, " (a factor %g apart)", f);
  report(env, whole, "unit mismatch in '%s': '%s' is %s but '%s' is %s%s", sw, sa, ua, sb, ub, fac);
  return 0;
}

static int dimensionless(ims__uenv_t *env, const ims_expr_t *whole, const ims_expr_t *arg,
                         const ims__unit_t *u, const char *what)
{
  ims__unit_t o;
  one(env, &o);
  int ok = ims__unit_same(u, &o, NULL);
  ut_free(o.u);
  if (ok)
    return 1;
  char sw[160], sa[120], ua[96];
  sub_str(whole, sw, sizeof sw);
  sub_str(arg, sa, sizeof sa);
  ims__unit_str(u, ua, sizeof ua);
  report(env, whole, "%s in '%s' must be dimensionless but '%s' is %s", what, sw, sa, ua);
  return 0;
}

/* The value of an expression of numbers only (for exponents), or -1. */
static int const_value(const ims_expr_t *e, double *v)
{
  double x, y;
  switch (e->op) {
  case IMS_X_NUM:
    *v = e->num;
    return e->unit ? -1 : 0;
  case IMS_X_NEG:
    if (const_value(e->a[0], &x))
      return -1;
    *v = -x;
    return 0;
  case IMS_X_DIV:
  case IMS_X_SUB:
    if (const_value(e->a[0], &x) || const_value(e->a[1], &y))
      return -1;
    *v = e->op == IMS_X_DIV ? x / y : x - y;
    return 0;
  case IMS_X_ADD:
  case IMS_X_MUL:
    *v = e->op == IMS_X_ADD ? 0 : 1;
    for (int i = 0; i < e->n; i++) {
      if (const_value(e->a[i], &x))
        return -1;
      *v = e->op == IMS_X_ADD ? *v + x : *v * x;
    }
    return 0;
  default:
    return -1;
  }
}

/* u^(num/den) into out; -1 when udunits cannot. */
static int raise(const ims__unit_t *u, int num, int den, ims__unit_t *out)
{
  any(out);
  ut_unit *r = ut_raise(u->u, num);
  ut_unit *q = r && den != 1 ? ut_root(r, den) : r;
  if (q != r)
    ut_free(r);
  if (!q)
    return -1;
  out->u = q;
  out->d.scale = 1;
  d_mul(&out->d, &u->d, num, den);
  return 0;
}

/* Small rational p/q (q <= 12) equal to v, or 0. */
static int rational(double v, int *p, int *q)
{
  for (int d = 1; d <= 12; d++) {
    double n = v * d;
    if (fabs(n - nearbyint(n)) < 1e-12 * fmax(1, fabs(n)) && fabs(n) < 1000) {
      *p = (int)nearbyint(n);
      *q = d;
      return 1;
    }
  }
  return 0;
}

static int infer(ims__uenv_t *env, const ims_expr_t *e, ims__unit_t *out);

static int infer_pow(ims__uenv_t *env, const ims_expr_t *e, ims__unit_t *out)
{
  ims__unit_t a, b;
  any(&b);
  if (infer(env, e->a[0], &a) || infer(env, e->a[1], &b)) {
    ims__unit_free(&a);
    return -1;
  }
  int rc = 0;
  dimensionless(env, e, e->a[1], &b, "the exponent");
  ims__unit_free(&b);
  ims__unit_t o;
  one(env, &o);
  int dimless = !a.u || ims__unit_same(&a, &o, NULL);
  ims__unit_free(&o);
  double v;
  int p, q;
  if (!a.u) {
    any(out);
  } else if (dimless) {
    one(env, out);
  } else if (const_value(e->a[1], &v) == 0 && rational(v, &p, &q)) {
    rc = raise(&a, p, q, out);
    if (rc) {
      char sw[160], ua[96];
      sub_str(e, sw, sizeof sw);
      ims__unit_str(&a, ua, sizeof ua);
      report(env, e, "in '%s' the unit %s cannot be raised to %g", sw, ua, v);
      any(out);
      rc = 0;
    }
  } else {
    char sw[160], sa[120], ua[96];
    sub_str(e, sw, sizeof sw);
    sub_str(e->a[0], sa, sizeof sa);
    ims__unit_str(&a, ua, sizeof ua);
    report(env, e,
           "in '%s' the exponent must be a constant rational number because '%s' has the unit "
           "%s (divide it by a parameter of that unit first)",
           sw, sa, ua);
    any(out);
  }
  ims__unit_free(&a);
  return rc;
}

/* Every argument in one unit (sums, min/max, piecewise values). */
static int infer_same(ims__uenv_t *env, const ims_expr_t *e, int first, int step, ims__unit_t *out)
{
  any(out);
  const ims_expr_t *eref = NULL;
  for (int i = first; i < e->n; i += step) {
    ims__unit_t u;
    if (infer(env, e->a[i], &u)) {
      ims__unit_free(out);
      return -1;
    }
    if (!u.u)
      continue;
    if (!out->u) {
      *out = u;
      eref = e->a[i];
      continue;
    }
    int ok = check_same(env, e, eref, out, e->a[i], &u);
    ims__unit_free(&u);
    if (!ok) { /* reported: do not cascade */
      ims__unit_free(out);
      any(out);
      return 0;
    }
  }
  return 0;
}

static int infer(ims__uenv_t *env, const ims_expr_t *e, ims__unit_t *out)
{
  any(out);
  ims__unit_t a, b;
  switch (e->op) {
  case IMS_X_NUM:
    if (e->unit) {
      if (ims__unit_parse(env->sys, e->unit, out) != 0) {
        report(env, e, "unknown unit '%s' after the number %g", e->unit, e->num);
        any(out);
      }
    } else if (e->num != 0) /* a bare 0 fits any unit */
      one(env, out);
    return 0;
  case IMS_X_BOOL:
    one(env, out);
    return 0;
  case IMS_X_NAME:
    if (env->name_unit(env->ud, e->name, out) != 0)
      any(out);
    return 0;
  case IMS_X_TIME:
    return ims__unit_copy(&env->time, out);
  case IMS_X_AVOGADRO:
    if (ims__unit_parse(env->sys, "1/mol", out) != 0)
      any(out);
    return 0;
  case IMS_X_ADD:
  case IMS_X_SUB:
  case IMS_X_MIN:
  case IMS_X_MAX:
  case IMS_X_REM:
    return infer_same(env, e, 0, 1, out);
  case IMS_X_NEG:
  case IMS_X_ABS:
  case IMS_X_FLOOR:
  case IMS_X_CEIL:
    return infer(env, e->a[0], out);
  case IMS_X_DELAY:
    if (infer(env, e->a[1], &b))
      return -1;
    if (!ims__unit_same(&b, &env->time, NULL))
      check_same(env, e, e->a[1], &b, e->a[1], &env->time);
    ims__unit_free(&b);
    return infer(env, e->a[0], out);
  case IMS_X_MUL:
  case IMS_X_DIV:
  case IMS_X_QUOT:
    for (int i = 0; i < e->n; i++) {
      if (infer(env, e->a[i], &a)) {
        ims__unit_free(out);
        return -1;
      }
      if (!a.u || (i > 0 && !out->u)) { /* 0 or an error: anything goes */
        ims__unit_free(&a);
        ims__unit_free(out);
        any(out);
        for (int k = i + 1; k < e->n; k++) { /* still check inside the rest */
          if (infer(env, e->a[k], &b))
            return -1;
          ims__unit_free(&b);
        }
        return 0;
      }
      if (i == 0) {
        *out = a;
        continue;
      }
      ut_unit *r = e->op == IMS_X_MUL ? ut_multiply(out->u, a.u) : ut_divide(out->u, a.u);
      d_mul(&out->d, &a.d, e->op == IMS_X_MUL ? 1 : -1, 1);
      ims__unit_free(&a);
      ut_free(out->u);
      out->u = r;
      if (!r)
        return -1;
    }
    return 0;
  case IMS_X_POW:
    return infer_pow(env, e, out);
  case IMS_X_SQRT:
  case IMS_X_ROOT: {
    const ims_expr_t *x = e->a[e->n - 1];
    double deg = 2;
    if (infer(env, x, &a))
      return -1;
    if (e->op == IMS_X_ROOT) {
      if (infer(env, e->a[0], &b))
        return ims__unit_free(&a), -1;
      dimensionless(env, e, e->a[0], &b, "the degree");
      ims__unit_free(&b);
      if (const_value(e->a[0], &deg) != 0 || deg != nearbyint(deg) || deg < 1 || deg > 12)
        deg = 0;
    }
    if (!a.u)
      return 0;
    ims__unit_t o;
    one(env, &o);
    int dimless = ims__unit_same(&a, &o, NULL);
    ims__unit_free(&o);
    if (dimless)
      one(env, out);
    else if (deg == 0 || raise(&a, 1, (int)deg, out) != 0) {
      char sw[160], ua[96];
      sub_str(e, sw, sizeof sw);
      ims__unit_str(&a, ua, sizeof ua);
      report(env, e, "in '%s' the root of the unit %s is not a unit", sw, ua);
      any(out);
    }
    ims__unit_free(&a);
    return 0;
  }
  case IMS_X_LT:
  case IMS_X_LE:
  case IMS_X_GT:
  case IMS_X_GE:
  case IMS_X_EQ:
  case IMS_X_NE:
    if (infer_same(env, e, 0, 1, &a))
      return -1;
    ims__unit_free(&a);
    one(env, out);
    return 0;
  case IMS_X_PIECEWISE:
    for (int i = 1; i < e->n; i += 2) { /* conditions */
      if (infer(env, e->a[i], &b))
        return -1;
      ims__unit_free(&b);
    }
    return infer_same(env, e, 0, 2, out);
  case IMS_X_RATEOF:
    if (infer(env, e->a[0], &a))
      return -1;
    if (!a.u)
      return 0;
    out->u = ut_divide(a.u, env->time.u);
    out->d = a.d;
    d_mul(&out->d, &env->time.d, -1, 1);
    ims__unit_free(&a);
    return out->u ? 0 : -1;
  case IMS_X_CALL:
    return 0;
  case IMS_X_DOSES: /* a count: its argument is a name, not a value */
    one(env, out);
    return 0;
  default: /* functions of dimensionless arguments, and logic */
    for (int i = 0; i < e->n; i++) {
      if (infer(env, e->a[i], &a))
        return -1;
      int logic = e->op >= IMS_X_AND && e->op <= IMS_X_IMPLIES;
      if (!logic)
        dimensionless(env, e, e->a[i], &a, e->n > 1 ? "each argument" : "the argument");
      ims__unit_free(&a);
    }
    one(env, out);
    return 0;
  }
}

int ims__unit_infer(ims__uenv_t *env, const ims_expr_t *e, ims__unit_t *out)
{
  return infer(env, e, out);
}
