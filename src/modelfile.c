/* The model-file reader's entry point, ims_model_read_mem (the reader itself
 * is in modelfile_lex.c, modelfile_decl.c and modelfile_attach.c), and
 * ims_model_open, the one place a model name or path becomes a model. */
#include "modelfile.h"

#include "immunosim/data.h"
#include "immunosim/mdl.h"
#include "immunosim/sbml.h"
#include "immunosim/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    rc = ims__mf_read_lines(&r, buf, len);
  }
  if (!rc && !r.d->time_unit)
    rc = ims__mf_fail(&r, 1, 1, "no 'time' line: declare the model's time unit, e.g. 'time d'");
  if (!rc && r.d->nstates == 0)
    rc = ims__mf_fail(&r, 1, 1, "no state: declare at least one with 'state NAME UNIT'");
  rc = rc ? rc : ims__mf_attach_rates(&r);
  rc = rc ? rc : ims__mf_attach_labels(&r);
  rc = rc ? rc : ims__mf_attach_plot(&r);
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
