/* What the model-file reader keeps until every declaration is read (d/dt
 * equations and initial values, labels, plot columns), attached to the
 * description with file:line:col messages. */
#include "immunosim/data.h"
#include "modelfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Attach the labels: each names something declared, once. */
int ims__mf_attach_labels(reader_t *r)
{
  for (int k = 0; k < r->nplab; k++) {
    struct plabel *p = &r->plab[k];
    for (int j = 0; j < k; j++)
      if (!strcmp(r->plab[j].name, p->name))
        return ims__mf_fail(r, p->line, p->col, "second label of '%s' (the first is at line %d)",
                            p->name, r->plab[j].line);
    ims_err_t e2 = {0};
    int rc = ims_mdl_set_label(r->d, p->name, p->text, NULL, &e2);
    if (rc == IMS_ENOMEM)
      return ims_err_set(r->err, rc, "out of memory");
    if (rc)
      return ims__mf_fail(r, p->line, p->col,
                          "label of '%s': no state, parameter, intermediate or output of that name",
                          p->name);
  }
  return IMS_OK;
}

/* Attach the plot columns: each a declared state or output, once. */
int ims__mf_attach_plot(reader_t *r)
{
  ims_mdl_t *d = r->d;
  for (int k = 0; k < r->npplot; k++) {
    struct pplot *p = &r->pplot[k];
    for (int j = 0; j < k; j++)
      if (!strcmp(r->pplot[j].name, p->name))
        return ims__mf_fail(r, p->line, p->col,
                            "plot: '%s' twice (the first is at line %d, column %d)", p->name,
                            r->pplot[j].line, r->pplot[j].col);
    ims_err_t e2 = {0};
    int rc = ims_mdl_add_plot(d, p->name, p->scale, p->line, p->col, &e2);
    if (rc == IMS_ENOMEM)
      return ims_err_set(r->err, rc, "out of memory");
    if (rc >= 0)
      continue;
    if (ims_mdl_param_index(d, p->name) >= 0)
      return ims__mf_fail(r, p->line, p->col,
                          "plot: '%s' is a parameter; a figure draws states and outputs", p->name);
    for (int j = 0; j < d->nvars; j++)
      if (!strcmp(d->vars[j].name, p->name))
        return ims__mf_fail(
            r, p->line, p->col,
            "plot: '%s' is an intermediate; declare it 'output %s UNIT = ...' to draw it", p->name,
            p->name);
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
      return ims__mf_fail(r, p->line, p->col, "plot: no state or output '%s'; did you mean '%s'?",
                          p->name, best);
    return ims__mf_fail(r, p->line, p->col, "plot: no state or output '%s'", p->name);
  }
  return IMS_OK;
}

/* Attach the d/dt equations: each names a declared state, once. */
int ims__mf_attach_rates(reader_t *r)
{
  ims_mdl_t *d = r->d;
  for (int k = 0; k < r->npend; k++) {
    struct pend *p = &r->pend[k];
    int i = ims_mdl_state_index(d, p->state);
    char in[300];
    snprintf(in, sizeof in, p->init ? "%s(0)" : "d/dt(%s)", p->state);
    if (i < 0) {
      if (ims_mdl_param_index(d, p->state) >= 0)
        return ims__mf_fail(r, p->line, p->col,
                            "%s: '%s' is a parameter, not a state; declare it with 'state %s UNIT'",
                            in, p->state, p->state);
      const char **names = malloc(((size_t)d->nstates + 1) * sizeof *names);
      const char *best = NULL;
      for (int s = 0; names && s < d->nstates; s++)
        names[s] = d->states[s].name;
      if (names)
        best = ims_suggest(p->state, names, d->nstates);
      free(names);
      if (best)
        return ims__mf_fail(r, p->line, p->col, "%s: no state '%s'; did you mean '%s'?", in,
                            p->state, best);
      return ims__mf_fail(r, p->line, p->col, "%s: no state '%s'; declare it with 'state %s UNIT'",
                          in, p->state, p->state);
    }
    if (p->init) {
      char x0[300];
      snprintf(x0, sizeof x0, "%s_0", p->state);
      int j = ims_mdl_param_index(d, x0);
      if (d->states[i].init.e)
        return ims__mf_fail(r, p->line, p->col, "second %s (the first is at line %d)", in,
                            d->states[i].init.line);
      if (j >= 0)
        return ims__mf_fail(
            r, p->line, p->col,
            "%s = ... and 'param %s' (line %d) both give the initial value; keep one", in, x0,
            d->params[j].line);
      d->states[i].init = p->eq;
      memset(&p->eq, 0, sizeof p->eq);
      continue;
    }
    if (d->states[i].rate.e)
      return ims__mf_fail(r, p->line, p->col, "second d/dt(%s) (the first is at line %d)", p->state,
                          d->states[i].rate.line);
    ims_err_t e2;
    ims_mdl_set_rate(d, i, p->eq, &e2);
    memset(&p->eq, 0, sizeof p->eq); /* owned by the description now */
  }
  return IMS_OK;
}
