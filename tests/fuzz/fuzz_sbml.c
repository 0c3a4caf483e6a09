/* libFuzzer target: the SBML import (libsbml's reader and checks, the
 * mapping onto the description, the compiler) must reject or accept any
 * bytes without crashing, leaking or reading out of bounds; a rejection is
 * one line, and an accepted model evaluates its right-hand side, outputs and
 * events at its initial state. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  ims_sbml_t *s;
  ims_err_t err = {0};
  if (ims_sbml_import_mem(&s, "fuzz.xml", (const char *)data, size, &err) != 0) {
    if (strchr(err.msg, '\n'))
      __builtin_trap(); /* messages are one line */
    return 0;
  }
  ims_model_t *m;
  if (ims_sbml_compile(s, NULL, &m, &err) != 0) {
    if (strchr(err.msg, '\n'))
      __builtin_trap();
    return 0;
  }
  int n = m->nstates, np = ims_model_nvalues(m);
  double *w = calloc(m->nwork + 1, sizeof *w), *p = calloc((size_t)np + 1, sizeof *p);
  double *y = calloc((size_t)n + 1, sizeof *y), *f = calloc((size_t)n + 1, sizeof *f);
  double *out = calloc((size_t)m->noutputs + 1, sizeof *out);
  double *ev = calloc((size_t)m->nevents + (size_t)m->nevroots + (size_t)m->nevvalues +
                          (size_t)m->nevtimes + 1,
                      sizeof *ev);
  int *nd = calloc((size_t)n + 1, sizeof *nd);
  if (w && p && y && f && out && ev && nd) {
    for (int i = 0; i < m->nparams; i++)
      p[i] = m->params[i].def;
    for (int i = 0; i < n; i++)
      y[i] = p[m->nparams + i] = m->y0_def ? m->y0_def[i] : 0;
    ims_ctx_t ctx = {.p = p, .ndose = nd, .model = m, .work = w};
    if (m->init_ctx)
      m->init_ctx(y, &ctx);
    (void)m->rhs(0, y, f, &ctx);
    if (m->output)
      m->output(0, y, out, &ctx);
    for (int what = IMS_EVAL_ROOTS; m->event_eval && what <= IMS_EVAL_TIMES; what++)
      m->event_eval(what, 0, y, ev, &ctx);
  }
  free(w);
  free(p);
  free(y);
  free(f);
  free(out);
  free(ev);
  free(nd);
  ims_mdl_model_free(m);
  return 0;
}
