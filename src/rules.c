/* Rules CSV -> driver triggers (see include/immunosim/rules.h). */
#include "immunosim/rules.h"

#include "immunosim/params.h"
#include "immunosim/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_cols[] = {"when",       "threshold", "action", "name", "dir",
                                        "target",     "value",     "unit",   "rate", "delay",
                                        "refractory", "max_count", "start"};
enum {
  R_WHEN,
  R_THRESHOLD,
  R_ACTION,
  R_NAME,
  R_DIR,
  R_TARGET,
  R_VALUE,
  R_UNIT,
  R_RATE,
  R_DELAY,
  R_REFRACTORY,
  R_MAXCOUNT,
  R_START,
  NRCOLS
};

static const struct {
  const char *name;
  int act;
} actions[] = {{"bolus", IMS_ACT_BOLUS},    {"infuse", IMS_ACT_INFUSE}, {"set", IMS_ACT_SETPAR},
               {"scale", IMS_ACT_SCALEPAR}, {"stop", IMS_ACT_STOP},     {"log", IMS_ACT_NONE}};

const char *ims_action_name(int act)
{
  if (act == IMS_ACT_ZERO)
    return "zero";
  for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
    if (actions[i].act == act)
      return actions[i].name;
  return "?";
}

int ims_rules_alloc(ims_rules_t **out, ims_err_t *err)
{
  *out = calloc(1, sizeof **out);
  return *out ? IMS_OK : ims_err_set(err, IMS_ENOMEM, "out of memory");
}

void ims_rules_free(ims_rules_t *r)
{
  if (!r)
    return;
  for (int i = 0; i < r->n; i++)
    free(r->names[i]);
  free(r->names);
  free(r->tr);
  free(r->line);
  free(r->path);
  free(r);
}

typedef struct rctx {
  ims_rules_t *r;
  const ims_model_t *m;
  const ims_units_t *u;
  ims_table_cols_t cols;
  int have_header;
  const ims_table_row_t *row;
} rctx_t;

/* The field of column k ("" when absent) and its column number. */
static const char *field(const rctx_t *c, int k, int *col)
{
  const char *f = ims_table_field(&c->cols, c->row, k, col);
  return f ? f : "";
}

/* A number with an optional unit, converted to `to` (NULL: must be bare or
 * dimensionless).  def_unit applies when the field has no unit. */
static int number(const rctx_t *c, int k, const char *to, const char *def_unit, double def,
                  double *out, ims_err_t *err)
{
  int col;
  const char *f = field(c, k, &col);
  if (!*f) {
    *out = def;
    return IMS_OK;
  }
  char unit[128];
  double v;
  if (ims_parse_value_unit(f, &v, unit, sizeof unit) != 0)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: %s '%s' is not a finite number with an "
                       "optional unit",
                       c->row->name, c->row->line, col, rule_cols[k], f);
  const char *from = unit[0] ? unit : def_unit;
  if (from && *from) {
    ims_err_t e2;
    const char *target = to ? to : "1";
    if (ims_units_convert(c->u, from, target, &v, &e2) != IMS_OK)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: %s: %s", c->row->name, c->row->line, col,
                         rule_cols[k], e2.msg);
  }
  *out = v;
  return IMS_OK;
}

static int parse_dir(const rctx_t *c, int *dir, ims_err_t *err)
{
  int col;
  const char *f = field(c, R_DIR, &col);
  if (!*f || !strcmp(f, "either") || !strcmp(f, "0"))
    *dir = 0;
  else if (!strcmp(f, "up") || !strcmp(f, "+1") || !strcmp(f, "1"))
    *dir = 1;
  else if (!strcmp(f, "down") || !strcmp(f, "-1"))
    *dir = -1;
  else
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: dir '%s' must be up, down or either",
                       c->row->name, c->row->line, col, f);
  return IMS_OK;
}

static int grow(ims_rules_t *r, ims_err_t *err)
{
  if (r->n < r->cap)
    return IMS_OK;
  int cap = r->cap ? 2 * r->cap : 8;
  ims_trigger_t *tr = realloc(r->tr, (size_t)cap * sizeof *tr);
  if (tr)
    r->tr = tr;
  char **names = realloc(r->names, (size_t)cap * sizeof *names);
  if (names)
    r->names = names;
  long *line = realloc(r->line, (size_t)cap * sizeof *line);
  if (line)
    r->line = line;
  if (!tr || !names || !line)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  r->cap = cap;
  return IMS_OK;
}

static int on_rule_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  rctx_t *c = ud;
  const ims_model_t *m = c->m;
  if (!c->have_header) {
    c->have_header = 1;
    return ims_table_header(&c->cols, row, 3, err);
  }
  c->row = row;
  const char *file = row->name;
  long line = row->line;
  ims_trigger_t t = {.start = -INFINITY};
  int col, rc;
  /* when */
  const char *when = field(c, R_WHEN, &col);
  const char *vunit;
  t.var = ims_model_state_index(m, when);
  if (t.var >= 0) {
    vunit = m->states[t.var].unit;
  } else {
    int k = ims_model_output_index(m, when);
    if (k < 0)
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: when '%s' is not a state or output of model %s (see "
                         "'immunosim info %s')",
                         file, line, col, when, m->name, m->name);
    t.var = m->nstates + k;
    vunit = m->outputs[k].unit;
  }
  if (!*field(c, R_THRESHOLD, &col))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: missing threshold", file, line, col);
  if ((rc = number(c, R_THRESHOLD, vunit, NULL, 0, &t.threshold, err)) != 0)
    return rc;
  if ((rc = parse_dir(c, &t.dir, err)) != 0)
    return rc;
  /* action */
  const char *act = field(c, R_ACTION, &col);
  size_t ia = 0;
  while (ia < sizeof actions / sizeof *actions && strcmp(actions[ia].name, act) != 0)
    ia++;
  if (ia == sizeof actions / sizeof *actions)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: unknown action '%s'; use bolus, infuse, set, scale, stop or log",
                       file, line, col, act);
  t.act = actions[ia].act;
  /* target and value */
  int tcol, vcol, ucol;
  const char *target = field(c, R_TARGET, &tcol);
  const char *vfield = field(c, R_VALUE, &vcol);
  const char *unit = field(c, R_UNIT, &ucol);
  const char *value_unit = NULL; /* the target's canonical unit */
  if (t.act == IMS_ACT_BOLUS || t.act == IMS_ACT_INFUSE) {
    t.target = ims_model_state_index(m, target);
    if (t.target < 0)
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: target '%s' is not a state of model %s; %s needs the dosed "
                         "state",
                         file, line, tcol, target, m->name, act);
    value_unit = m->states[t.target].unit;
  } else if (t.act == IMS_ACT_SETPAR || t.act == IMS_ACT_SCALEPAR) {
    t.target = ims_model_param_index(m, target);
    if (t.target < 0 || t.target >= m->nparams) {
      const char *s = ims_model_suggest_param(m, target);
      return ims_err_set(
          err, IMS_EINPUT, "%s:%ld:%d: target '%s' is not a parameter of model %s%s%s%s", file,
          line, tcol, target, m->name, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
    }
    value_unit = t.act == IMS_ACT_SETPAR ? m->params[t.target].unit : "1";
  } else if (*target) {
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: action %s takes no target", file, line, tcol,
                       act);
  }
  if (value_unit) {
    if (!*vfield)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: action %s needs a value", file, line, vcol,
                         act);
    if ((rc = number(c, R_VALUE, value_unit, unit, 0, &t.value, err)) != 0)
      return rc;
    if (t.act != IMS_ACT_SETPAR && !(t.value >= 0))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: value %g must not be negative", file, line,
                         vcol, t.value);
    if (t.act == IMS_ACT_SETPAR && t.value < 0 && !(m->params[t.target].flags & IMS_PAR_SIGNED))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: parameter %s cannot be negative", file, line,
                         vcol, m->params[t.target].name);
  }
  if (t.act == IMS_ACT_INFUSE) {
    char ru[300];
    snprintf(ru, sizeof ru, "(%s)/(%s)", value_unit, m->time_unit);
    field(c, R_RATE, &col);
    if ((rc = number(c, R_RATE, ru, NULL, 0, &t.rate, err)) != 0)
      return rc;
    if (!(t.rate > 0))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: infuse needs a positive rate (%s per %s)",
                         file, line, col, value_unit, m->time_unit);
  }
  double maxc;
  rc = number(c, R_DELAY, m->time_unit, NULL, 0, &t.delay, err);
  rc = rc ? rc : number(c, R_REFRACTORY, m->time_unit, NULL, 0, &t.refractory, err);
  rc = rc ? rc : number(c, R_START, m->time_unit, NULL, -INFINITY, &t.start, err);
  rc = rc ? rc : number(c, R_MAXCOUNT, NULL, NULL, 0, &maxc, err);
  if (rc)
    return rc;
  field(c, t.delay < 0 ? R_DELAY : R_REFRACTORY, &col);
  if (t.delay < 0 || t.refractory < 0)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: %s must not be negative", file, line, col,
                       t.delay < 0 ? "delay" : "refractory");
  field(c, R_MAXCOUNT, &col);
  if (maxc < 0 || maxc != floor(maxc) || maxc > 1e9)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: max_count must be a whole number >= 0", file,
                       line, col);
  t.max_count = (int)maxc;
  /* name */
  char namebuf[128];
  const char *name = field(c, R_NAME, &col);
  if (!*name) {
    snprintf(namebuf, sizeof namebuf, "rule%d", c->r->n + 1);
    name = namebuf;
  }
  for (int i = 0; i < c->r->n; i++)
    if (!strcmp(c->r->names[i], name))
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: duplicate rule name '%s'", file, line, col,
                         name);
  if ((rc = grow(c->r, err)) != 0)
    return rc;
  char *nm = strdup(name);
  if (!nm)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  c->r->names[c->r->n] = nm;
  c->r->line[c->r->n] = line;
  c->r->tr[c->r->n++] = t;
  return IMS_OK;
}

int ims_rules_read_mem(ims_rules_t *r, const ims_model_t *m, const ims_units_t *u, const char *name,
                       const char *buf, size_t len, ims_err_t *err)
{
  rctx_t c = {.r = r, .m = m, .u = u};
  c.cols.names = rule_cols;
  c.cols.n = NRCOLS;
  free(r->path);
  r->path = strdup(name);
  int rc = ims_table_read_mem(name, buf, len, on_rule_row, &c, err);
  if (!rc && !c.have_header)
    rc = ims_err_set(err, IMS_EINPUT,
                     "%s:1:1: empty rules file; expected a header such as "
                     "name,when,threshold,dir,action,target,value,unit,delay",
                     name);
  /* names are stable now: point the triggers at them */
  for (int i = 0; i < r->n; i++)
    r->tr[i].name = r->names[i];
  return rc;
}

int ims_rules_read(ims_rules_t *r, const ims_model_t *m, const ims_units_t *u, const char *path,
                   ims_err_t *err)
{
  char *buf;
  size_t len;
  int rc = ims_table_slurp(path, &buf, &len, err);
  if (rc)
    return rc;
  rc = ims_rules_read_mem(r, m, u, path, buf, len, err);
  free(buf);
  return rc;
}

static const char *var_name(const ims_model_t *m, int v)
{
  int nc = m->nstates + m->noutputs;
  if (v >= nc)
    v -= nc;
  return v < m->nstates ? m->states[v].name : m->outputs[v - m->nstates].name;
}

void ims_trigger_describe(const ims_model_t *m, const ims_trigger_t *tr, char *buf, size_t n)
{
  switch (tr->act) {
  case IMS_ACT_BOLUS:
    snprintf(buf, n, "bolus %.6g %s into %s", tr->value, m->states[tr->target].unit,
             m->states[tr->target].name);
    break;
  case IMS_ACT_INFUSE:
    snprintf(buf, n, "infuse %.6g %s into %s at %.6g %s/%s", tr->value, m->states[tr->target].unit,
             m->states[tr->target].name, tr->rate, m->states[tr->target].unit, m->time_unit);
    break;
  case IMS_ACT_SETPAR:
    snprintf(buf, n, "set %s = %.6g %s", m->params[tr->target].name, tr->value,
             m->params[tr->target].unit);
    break;
  case IMS_ACT_SCALEPAR:
    snprintf(buf, n, "scale %s x%.6g", m->params[tr->target].name, tr->value);
    break;
  case IMS_ACT_ZERO:
    snprintf(buf, n, "set %s to 0", m->states[tr->target].name);
    break;
  case IMS_ACT_STOP:
    snprintf(buf, n, "stop");
    break;
  default:
    snprintf(buf, n, "log %s", var_name(m, tr->var));
    break;
  }
}
