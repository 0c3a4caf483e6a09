#include "immunosim/model.h"

#include "immunosim/data.h"
#include "immunosim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ims_model_state_index(const ims_model_t *m, const char *name)
{
  for (int i = 0; i < m->nstates; i++)
    if (strcmp(m->states[i].name, name) == 0)
      return i;
  return -1;
}

int ims_model_output_index(const ims_model_t *m, const char *name)
{
  for (int i = 0; i < m->noutputs; i++)
    if (strcmp(m->outputs[i].name, name) == 0)
      return i;
  return -1;
}

/* Initial conditions are the parameters <STATE>_0, stored after the model's own. */
int ims_model_param_index(const ims_model_t *m, const char *name)
{
  for (int i = 0; i < m->nparams; i++)
    if (strcmp(m->params[i].name, name) == 0)
      return i;
  size_t n = strlen(name);
  if (n > 2 && strcmp(name + n - 2, "_0") == 0) {
    char st[128];
    if (n - 2 >= sizeof st)
      return -1;
    memcpy(st, name, n - 2);
    st[n - 2] = '\0';
    int s = ims_model_state_index(m, st);
    if (s >= 0)
      return m->nparams + s;
  }
  return -1;
}

const char *ims_model_suggest_param(const ims_model_t *m, const char *name)
{
  const char *names[512];
  int n = m->nparams < 512 ? m->nparams : 512;
  for (int i = 0; i < n; i++)
    names[i] = m->params[i].name;
  return ims_suggest(name, names, n);
}

int ims_model_extinction(const ims_model_t *m, ims_trigger_t *tr, int max)
{
  int k = 0;
  if (!(m->extinct_floor > 0))
    return 0;
  for (int i = 0; i < m->nstates && k < max; i++)
    tr[k++] = (ims_trigger_t){.name = "extinction",
                              .var = i,
                              .threshold = m->extinct_floor,
                              .dir = -1,
                              .act = IMS_ACT_ZERO,
                              .target = i};
  return k;
}

int ims_model_initial_state(const ims_model_t *m, const double *p, double *y0, double *work)
{
  memcpy(y0, p + m->nparams, (size_t)m->nstates * sizeof *y0);
  if (m->init)
    m->init(p, y0);
  if (!m->init_ctx)
    return 0;
  double *own = NULL;
  if (!work && m->nwork && !(work = own = calloc(m->nwork, sizeof *own)))
    return IMS_ENOMEM;
  ims_ctx_t ctx = {.p = p, .ndose = NULL, .phase = 0, .model = m, .work = work};
  m->init_ctx(y0, &ctx);
  free(own);
  return 0;
}
