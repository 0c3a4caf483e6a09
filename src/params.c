#include "immunosim/params.h"

#include "immunosim/mdl.h"
#include "immunosim/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const par_cols[] = {"name", "value", "unit",  "source",
                                       "iiv",  "dist",  "lower", "upper"};
enum { C_NAME, C_VALUE, C_UNIT, C_SOURCE, C_IIV, C_DIST, C_LOWER, C_UPPER, NCOLS };

int ims_params_alloc(ims_params_t **out, const ims_model_t *m, ims_err_t *err)
{
  ims_params_t *p = calloc(1, sizeof *p);
  int n = ims_model_nvalues(m);
  if (p) {
    p->model = m;
    p->n = n;
    p->value = calloc((size_t)n, sizeof *p->value);
    p->given = calloc((size_t)n, 1);
    p->source = calloc((size_t)n, sizeof *p->source);
    p->origin = calloc((size_t)n, sizeof *p->origin);
    p->omega2 = calloc((size_t)n, sizeof *p->omega2);
    p->dist = calloc((size_t)n, sizeof *p->dist);
    p->lower = malloc((size_t)n * sizeof *p->lower);
    p->upper = malloc((size_t)n * sizeof *p->upper);
  }
  if (!p || !p->value || !p->given || !p->source || !p->origin || !p->omega2 || !p->dist ||
      !p->lower || !p->upper) {
    ims_params_free(p);
    *out = NULL;
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  for (int i = 0; i < n; i++) {
    p->lower[i] = -INFINITY;
    p->upper[i] = INFINITY;
  }
  for (int i = 0; i < m->nparams; i++)
    if (m->params[i].flags & IMS_PAR_OPTIONAL)
      p->value[i] = m->params[i].def;
  for (int i = 0; m->y0_def && i < m->nstates; i++) { /* a model file's X_0 */
    p->value[m->nparams + i] = m->y0_def[i];
    p->given[m->nparams + i] = m->y0_def[i] != 0;
  }
  for (int i = 0; i < m->nparams; i++) { /* a model file gives its values itself */
    const ims_mdl_param_t *dp = ims_mdl_param_of(m, i);
    char where[1100];
    if (!dp || (dp->flags & IMS_MDL_NOVALUE))
      continue;
    snprintf(where, sizeof where, "%s:%d", m->source ? m->source : m->name, dp->line);
    p->given[i] = 1;
    p->origin[i] = strdup(where);
  }
  *out = p;
  return IMS_OK;
}

void ims_params_free(ims_params_t *p)
{
  if (!p)
    return;
  for (int i = 0; i < p->n; i++) {
    if (p->source)
      free(p->source[i]);
    if (p->origin)
      free(p->origin[i]);
  }
  for (int i = 0; i < p->nfiles; i++)
    free(p->files[i]);
  free(p->value);
  free(p->given);
  free(p->source);
  free(p->origin);
  free(p->omega2);
  free(p->dist);
  free(p->lower);
  free(p->upper);
  free(p);
}

static char *dup_or_null(const char *s)
{
  return s ? strdup(s) : NULL;
}

int ims_params_copy(ims_params_t **out, const ims_params_t *src, ims_err_t *err)
{
  int rc = ims_params_alloc(out, src->model, err);
  if (rc)
    return rc;
  ims_params_t *p = *out;
  size_t n = (size_t)src->n;
  memcpy(p->value, src->value, n * sizeof *p->value);
  memcpy(p->given, src->given, n);
  memcpy(p->omega2, src->omega2, n * sizeof *p->omega2);
  memcpy(p->dist, src->dist, n * sizeof *p->dist);
  memcpy(p->lower, src->lower, n * sizeof *p->lower);
  memcpy(p->upper, src->upper, n * sizeof *p->upper);
  for (size_t i = 0; i < n; i++) {
    p->source[i] = dup_or_null(src->source[i]);
    p->origin[i] = dup_or_null(src->origin[i]);
  }
  for (int i = 0; i < src->nfiles; i++) {
    p->files[i] = strdup(src->files[i]);
    memcpy(p->checksums[i], src->checksums[i], 17);
  }
  p->nfiles = src->nfiles;
  return IMS_OK;
}

static const char *canonical_unit(const ims_model_t *m, int k)
{
  return k < m->nparams ? m->params[k].unit : m->states[k - m->nparams].unit;
}

static int is_signed(const ims_model_t *m, int k)
{
  return k < m->nparams && (m->params[k].flags & IMS_PAR_SIGNED);
}

static int dimensionless(const char *u)
{
  return u[0] == '\0' || strcmp(u, "1") == 0 || strcmp(u, "-") == 0;
}

static int is_volume(const ims_units_t *u, const char *unit)
{
  double sc, off;
  return !dimensionless(unit) && ims_units_factor(u, unit, "L", &sc, &off, NULL) == IMS_OK;
}

/* Convert value from `unit` to the parameter's canonical unit and store it. */
static int store(ims_params_t *p, const ims_units_t *u, int k, double v, const char *unit,
                 const char *where, int vcol, int ucol, ims_err_t *err)
{
  const ims_model_t *m = p->model;
  const char *cu = canonical_unit(m, k);
  const char *pname = k < m->nparams ? m->params[k].name : NULL;
  char label[160];
  if (pname)
    snprintf(label, sizeof label, "%s", pname);
  else
    snprintf(label, sizeof label, "%s_0", m->states[k - m->nparams].name);
  /* "file:line:col" for a file, the option itself ("--set CL=3mg") otherwise */
  char lv[400], lu[400];
  snprintf(lv, sizeof lv, "%s", where);
  snprintf(lu, sizeof lu, "%s", where);
  if (vcol > 0) {
    snprintf(lv, sizeof lv, "%s:%d", where, vcol);
    snprintf(lu, sizeof lu, "%s:%d", where, ucol);
  }
  if (dimensionless(unit) && !dimensionless(cu))
    return ims_err_set(err, IMS_EINPUT, "%s: parameter '%s' needs a unit (canonical: %s)", lu,
                       label, cu);
  ims_err_t e2;
  if (ims_units_convert(u, dimensionless(unit) ? "1" : unit, cu, &v, &e2) != IMS_OK)
    return ims_err_set(err, IMS_EINPUT, "%s: parameter '%s': %s (canonical unit: %s)", lu, label,
                       e2.msg, cu);
  if (!isfinite(v))
    return ims_err_set(err, IMS_EINPUT, "%s: parameter '%s' is not finite after conversion", lv,
                       label);
  if (v < 0 && !is_signed(m, k))
    return ims_err_set(err, IMS_EINPUT, "%s: parameter '%s' must not be negative (got %g)", lv,
                       label, v);
  if (!(v > 0) && k < m->nparams && is_volume(u, cu))
    return ims_err_set(err, IMS_EINPUT,
                       "%s: parameter '%s' is a volume and must be above 0 (got %g): a "
                       "compartment without volume has no concentration; give its volume in %s",
                       lv, label, v, cu);
  if (!(v > 0) && k < m->nparams && (m->params[k].flags & IMS_PAR_POSITIVE))
    return ims_err_set(err, IMS_EINPUT,
                       "%s: parameter '%s' must be above 0 (got %g): the model divides by it", lv,
                       label, v);
  p->value[k] = v;
  p->given[k] = 1;
  free(p->origin[k]);
  p->origin[k] = strdup(where);
  return IMS_OK;
}

typedef struct file_ctx {
  ims_params_t *p;
  const ims_units_t *u;
  ims_table_cols_t cols;
  int have_header;
  unsigned char *seen; /* duplicates within one file */
} file_ctx_t;

static int unknown_name(const ims_params_t *p, const ims_table_row_t *row, int col,
                        const char *name, ims_err_t *err)
{
  const char *s = ims_model_suggest_param(p->model, name);
  if (s)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: unknown parameter '%s' in model %s; did you mean '%s'?",
                       row->name, row->line, col, name, p->model->name, s);
  return ims_err_set(err, IMS_EINPUT,
                     "%s:%ld:%d: unknown parameter '%s' in model %s; see 'immunosim info %s'",
                     row->name, row->line, col, name, p->model->name, p->model->name);
}

/* iiv: a variance (omega^2) or a CV written with '%'; dist: lognormal|normal|fixed.
 * lognormal: omega^2 is the variance of eta on the log scale; a CV% becomes
 * omega^2 = ln(1 + CV^2).  normal: omega^2 is a variance in the row's unit
 * squared, stored in the canonical unit squared; a CV% becomes (CV * value)^2. */
static int read_iiv(file_ctx_t *c, const ims_table_row_t *row, int k, const char *unit,
                    ims_err_t *err)
{
  int col;
  const char *iiv = ims_table_field(&c->cols, row, C_IIV, &col);
  const char *dist = ims_table_field(&c->cols, row, C_DIST, NULL);
  double w = 0;
  int pct = 0, d = -1;
  if (dist && *dist) {
    if (strcmp(dist, "lognormal") == 0)
      d = IMS_DIST_LOGNORMAL;
    else if (strcmp(dist, "normal") == 0)
      d = IMS_DIST_NORMAL;
    else if (strcmp(dist, "fixed") == 0)
      d = IMS_DIST_FIXED;
    else
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: dist '%s' must be lognormal, normal or fixed",
                         row->name, row->line, row->col[c->cols.idx[C_DIST]], dist);
  }
  if (iiv && *iiv) {
    char num[64];
    size_t n = strlen(iiv);
    pct = n > 0 && iiv[n - 1] == '%';
    snprintf(num, sizeof num, "%.*s", (int)(pct ? n - 1 : n), iiv);
    if (ims_table_double(num, &w) != 0 || w < 0)
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: iiv '%s' is not a variance or a CV%% (e.g. 0.09 or 30%%)",
                         row->name, row->line, col, iiv);
  }
  if (d < 0)
    d = w > 0 ? IMS_DIST_LOGNORMAL : IMS_DIST_FIXED;
  /* a CV or variance that squares to infinity (iiv 1e308%), or a lognormal
   * spread beyond a factor of e^7 per standard deviation, is a typo */
  double cv = pct ? w / 100 : NAN;
  if ((pct && !(cv * cv < 1e300)) || (d == IMS_DIST_LOGNORMAL && !pct && w > 50) ||
      (d == IMS_DIST_LOGNORMAL && pct && !(log1p(cv * cv) <= 50)))
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: iiv '%s' is not a usable variability (a lognormal omega^2 is "
                       "at most 50); give a variance such as 0.09 or a CV such as 30%%",
                       row->name, row->line, col, iiv);
  if (d == IMS_DIST_NORMAL && pct) {
    double sd = (w / 100) * c->p->value[k];
    w = sd * sd;
    if (!isfinite(w))
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: iiv '%s' gives an infinite variance; give a CV such as 30%%",
                         row->name, row->line, col, iiv);
  } else if (d == IMS_DIST_NORMAL && w > 0 && !dimensionless(unit)) {
    double scale, offset;
    if (ims_units_factor(c->u, unit, canonical_unit(c->p->model, k), &scale, &offset, NULL) == 0)
      w *= scale * scale; /* a variance converts with the square of the slope */
  } else if (pct) {       /* lognormal CV -> omega^2 = ln(1 + CV^2) */
    w = log1p((w / 100) * (w / 100));
  }
  c->p->omega2[k] = w;
  c->p->dist[k] = d;
  return IMS_OK;
}

/* lower, upper: the truncation of a population's draws, in the row's unit. */
static int read_bounds(file_ctx_t *c, const ims_table_row_t *row, int k, const char *unit,
                       ims_err_t *err)
{
  double b[2] = {-INFINITY, INFINITY};
  int col[2] = {1, 1};
  for (int j = 0; j < 2; j++) {
    const char *f = ims_table_field(&c->cols, row, j ? C_UPPER : C_LOWER, &col[j]);
    if (!f || !*f)
      continue;
    ims_err_t e2;
    if (ims_table_double(f, &b[j]) != 0 ||
        ims_units_convert(c->u, dimensionless(unit) ? "1" : unit, canonical_unit(c->p->model, k),
                          &b[j], &e2) != IMS_OK ||
        !isfinite(b[j]))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: %s bound '%s' is not a finite number",
                         row->name, row->line, col[j], j ? "upper" : "lower", f);
  }
  double v = c->p->value[k];
  if (!(b[0] < b[1]))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: lower bound %g is not below upper bound %g",
                       row->name, row->line, col[1], b[0], b[1]);
  if (!(v >= b[0] && v <= b[1]))
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: the value %g is outside its bounds [%g, %g] (the typical "
                       "value must be a possible subject)",
                       row->name, row->line, v < b[0] ? col[0] : col[1], v, b[0], b[1]);
  c->p->lower[k] = b[0];
  c->p->upper[k] = b[1];
  return IMS_OK;
}

static int on_param_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  file_ctx_t *c = ud;
  if (!c->have_header) {
    c->have_header = 1;
    return ims_table_header(&c->cols, row, 3, err);
  }
  int ncol, vcol, ucol;
  const char *name = ims_table_field(&c->cols, row, C_NAME, &ncol);
  const char *val = ims_table_field(&c->cols, row, C_VALUE, &vcol);
  const char *unit = ims_table_field(&c->cols, row, C_UNIT, &ucol);
  if (!name || !*name)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: missing parameter name", row->name, row->line,
                       ncol);
  int k = ims_model_param_index(c->p->model, name);
  if (k < 0)
    return unknown_name(c->p, row, ncol, name, err);
  if (c->seen[k])
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: duplicate parameter '%s' in this file",
                       row->name, row->line, ncol, name);
  c->seen[k] = 1;
  double v;
  if (!val || !*val)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: missing value for '%s'", row->name, row->line,
                       vcol, name);
  if (ims_table_double(val, &v) != 0)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: value '%s' of '%s' is not a finite number",
                       row->name, row->line, vcol, val, name);
  char where[1100];
  snprintf(where, sizeof where, "%s:%ld", row->name, row->line);
  int rc = store(c->p, c->u, k, v, unit ? unit : "", where, vcol, unit ? ucol : vcol, err);
  if (rc)
    return rc;
  const char *src = ims_table_field(&c->cols, row, C_SOURCE, NULL);
  if (src && *src) {
    free(c->p->source[k]);
    c->p->source[k] = strdup(src);
  }
  rc = read_iiv(c, row, k, unit ? unit : "", err);
  return rc ? rc : read_bounds(c, row, k, unit ? unit : "", err);
}

int ims_params_read_mem(ims_params_t *p, const ims_units_t *u, const char *name, const char *buf,
                        size_t len, ims_err_t *err)
{
  file_ctx_t c = {.p = p, .u = u};
  c.cols.names = par_cols;
  c.cols.n = NCOLS;
  c.seen = calloc((size_t)p->n, 1);
  if (!c.seen)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  int rc = ims_table_read_mem(name, buf, len, on_param_row, &c, err);
  free(c.seen);
  if (!rc && !c.have_header)
    rc = ims_err_set(err, IMS_EINPUT,
                     "%s:1:1: empty parameter file; expected the header "
                     "name,value,unit,source",
                     name);
  if (!rc && p->nfiles < IMS_PARAMS_MAX_FILES) {
    p->files[p->nfiles] = strdup(name);
    ims_table_fnv1a64_hex(buf, len, p->checksums[p->nfiles]);
    p->nfiles++;
  }
  return rc;
}

int ims_params_read(ims_params_t *p, const ims_units_t *u, const char *path, ims_err_t *err)
{
  char *buf;
  size_t len;
  int rc = ims_table_slurp(path, &buf, &len, err);
  if (rc)
    return rc;
  rc = ims_params_read_mem(p, u, path, buf, len, err);
  free(buf);
  return rc;
}

int ims_parse_value_unit(const char *s, double *value, char *unit, size_t unitsz)
{
  char *end;
  while (*s == ' ')
    s++;
  double v = strtod(s, &end);
  if (end == s || !isfinite(v))
    return -1;
  for (const char *c = s; c < end; c++)
    if (!strchr("0123456789+-.eE", *c))
      return -1;
  while (*end == ' ')
    end++;
  if (strlen(end) >= unitsz)
    return -1;
  strcpy(unit, end);
  *value = v;
  return 0;
}

int ims_params_set(ims_params_t *p, const ims_units_t *u, const char *assign, ims_err_t *err)
{
  const char *eq = strchr(assign, '=');
  if (!eq || eq == assign)
    return ims_err_set(err, IMS_EINPUT, "--set %s: expected NAME=VALUE[UNIT], e.g. CL=2.22L/h",
                       assign);
  char name[128], unit[128];
  size_t nl = (size_t)(eq - assign);
  if (nl >= sizeof name)
    return ims_err_set(err, IMS_EINPUT, "--set %s: name too long", assign);
  memcpy(name, assign, nl);
  name[nl] = '\0';
  int k = ims_model_param_index(p->model, name);
  if (k < 0) {
    const char *s = ims_model_suggest_param(p->model, name);
    return ims_err_set(err, IMS_EINPUT, "--set %s: unknown parameter '%s' in model %s%s%s%s",
                       assign, name, p->model->name, s ? "; did you mean '" : "", s ? s : "",
                       s ? "'?" : "");
  }
  double v;
  if (ims_parse_value_unit(eq + 1, &v, unit, sizeof unit) != 0)
    return ims_err_set(err, IMS_EINPUT,
                       "--set %s: '%s' is not a finite number with an optional "
                       "unit",
                       assign, eq + 1);
  const char *cu = canonical_unit(p->model, k);
  /* A bare number in --set means the canonical unit. */
  char where[300];
  snprintf(where, sizeof where, "--set %s", assign);
  return store(p, u, k, v, unit[0] ? unit : cu, where, 0, 0, err);
}

int ims_params_finish(ims_params_t *p, ims_err_t *err)
{
  const ims_model_t *m = p->model;
  for (int i = 0; i < m->nparams; i++) {
    if (p->given[i] || (m->params[i].flags & IMS_PAR_OPTIONAL))
      continue;
    const ims_mdl_param_t *dp = ims_mdl_param_of(m, i);
    if (dp) /* a model file's NA: point at its declaration */
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%d:%d: parameter '%s' (%s) is NA and no -p file or --set gives it "
                         "a value; add it to a parameter file or use --set %s=VALUE",
                         m->source, dp->line, dp->col, m->params[i].name, m->params[i].unit,
                         m->params[i].name);
    return ims_err_set(err, IMS_EINPUT,
                       "model %s: required parameter '%s' (%s) has no value; add it to a -p "
                       "file or use --set %s=VALUE",
                       m->name, m->params[i].name, m->params[i].unit, m->params[i].name);
  }
  return IMS_OK;
}

int ims_params_echo(const ims_params_t *p, const char *assign, char *buf, size_t n)
{
  const char *eq = strchr(assign, '=');
  char name[128];
  size_t nl = eq ? (size_t)(eq - assign) : 0;
  int k = -1;
  if (eq && nl < sizeof name) {
    memcpy(name, assign, nl);
    name[nl] = '\0';
    k = ims_model_param_index(p->model, name);
  }
  if (k < 0)
    return snprintf(buf, n, "%s", assign) < 0 ? -1 : 0;
  return snprintf(buf, n, "%s -> %.10g %s", assign, p->value[k], canonical_unit(p->model, k)) < 0
             ? -1
             : 0;
}
