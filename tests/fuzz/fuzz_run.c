/* libFuzzer target: the driver's timeline.  The input is a pk2cmt dosing
 * schedule and, after a line "--", a rules file.  Whatever the readers
 * accept must run to the end or stop with a message; a driver bug (CVODE
 * asked for an interval it cannot take, a root loop, an internal error)
 * aborts.  Byte 0 picks the output grid, the end time and the model's
 * parameters. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static int driver_bug(int rc, const ims_err_t *err)
{
  return rc == IMS_EINTERNAL || (rc && strstr(err->msg, "driver bug") != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  const ims_model_t *m = ims_model_find("pk2cmt");
  unsigned sel = data[0];
  const char *text = (const char *)data + 1;
  size_t len = size - 1, slen = len;
  const char *rules = NULL;
  for (size_t i = 0; i + 3 < len; i++)
    if (!memcmp(text + i, "\n--\n", 4)) {
      slen = i + 1;
      rules = text + i + 4;
      break;
    }
  ims_schedule_t *s = NULL;
  ims_rules_t *r = NULL;
  ims_err_t err;
  if (ims_schedule_alloc(&s, &err) || ims_rules_alloc(&r, &err))
    goto done;
  if (ims_schedule_read_mem(s, m, fuzz_units(), "fuzz.csv", text, slen, &err))
    goto done;
  if (rules && ims_rules_read_mem(r, m, fuzz_units(), "rules.csv", rules,
                                  len - (size_t)(rules - text), &err))
    goto done;
  ims_event_t *ev = NULL;
  long nev = 0;
  if (ims_schedule_expand(s, &ev, &nev, &err))
    goto done;
  free(ev);
  if (nev > 5000) /* a run, not a stress test: keep each input fast */
    goto done;
  /* every value of the model (parameters, then <STATE>_0), sized from the model so a new
   * parameter (pk2cmt's covariates) cannot run off the end: the defaults, then the
   * fuzzer's choices for the first nine */
  double p[64] = {0};
  int np = ims_model_nvalues(m);
  if (np > 64)
    __builtin_trap();
  for (int i = 0; i < m->nparams; i++)
    p[i] = m->params[i].def;
  const double head[9] = {1, 3, (sel & 1) ? 0.5 : 0, 5, 0, 1, 1, (sel & 2) ? 20 : 0, 0.5};
  memcpy(p, head, sizeof head);
  const double dts[4] = {0.1, 0.01, 1.0 / 3, 0.25};
  double tend = 1 + (sel >> 4), *tout;
  size_t nt;
  if (ims_grid_uniform(0, tend, dts[(sel >> 2) & 3], &tout, &nt, &err))
    __builtin_trap();
  ims_opts_t o;
  ims_opts_default(&o);
  o.triggers = r->tr;
  o.ntriggers = r->n;
  o.max_events = 2000;
  ims_sim_t *sim;
  if (ims_sim_alloc(&sim, m, &err) == 0) {
    int rc = ims_sim_run(sim, p, s, &o, tout, nt, NULL, &err);
    if (driver_bug(rc, &err))
      __builtin_trap();
    ims_sim_free(sim);
  }
  free(tout);
done:
  ims_rules_free(r);
  ims_schedule_free(s);
  return 0;
}
