#include "immunosim/model.h"

#include "expr.h"
#include "immunosim/sim.h"

#include <ctype.h>
#include <stdio.h>
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

/* Case-insensitive Levenshtein distance, bounded to short names (also the
 * model compiler's "did you mean"). */
int ims__edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63)
    return 99;
  int d[64][64];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int c = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
      int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + c;
      d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
    }
  return d[la][lb];
}

const char *ims_model_suggest_param(const ims_model_t *m, const char *name)
{
  for (int i = 0; i < m->nparams; i++)
    if (strcasecmp(m->params[i].name, name) == 0)
      return m->params[i].name;
  const char *best = NULL;
  int bd = 3;
  for (int i = 0; i < m->nparams; i++) {
    int d = ims__edit_distance(m->params[i].name, name);
    if (d < bd) {
      bd = d;
      best = m->params[i].name;
    }
  }
  return best;
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
