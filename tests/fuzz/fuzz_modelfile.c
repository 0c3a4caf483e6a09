/* libFuzzer target: the model-file reader and compiler must reject or accept
 * any bytes without crashing, leaking or reading out of bounds; a rejection
 * is one line, and an accepted model evaluates, differentiates and translates
 * to C.  The first byte sets --no-unit-check (bit 0). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  static ims_unitcheck_t *uc; /* the fuzzer is single-threaded; loaded once */
  if (!uc && ims_unitcheck_alloc(&uc, NULL) != 0)
    __builtin_trap();
  ims_open_opts_t o = {.no_unit_check = data[0] & 1, .units = uc};
  const ims_model_t *m;
  ims_err_t err = {0};
  if (ims_model_read_mem(&m, "fuzz.model", (const char *)data + 1, size - 1, &o, &err) != 0) {
    if (strchr(err.msg, '\n'))
      __builtin_trap(); /* messages are one line */
    return 0;
  }
  int n = m->nstates, np = ims_model_nvalues(m);
  double *w = calloc(m->nwork + 1, sizeof *w), *p = calloc((size_t)np + 1, sizeof *p);
  double *y = calloc((size_t)n + 1, sizeof *y), *f = calloc((size_t)n + 1, sizeof *f);
  double *J = calloc((size_t)n * (size_t)n + 1, sizeof *J);
  double *out = calloc((size_t)m->noutputs + 1, sizeof *out);
  double *g = calloc((size_t)m->nswitch + 1, sizeof *g);
  int *nd = calloc((size_t)n + 1, sizeof *nd);
  if (w && p && y && f && J && out && g && nd) {
    for (int i = 0; i < m->nparams; i++)
      p[i] = m->params[i].def;
    for (int i = 0; i < n; i++)
      y[i] = p[m->nparams + i] = m->y0_def ? m->y0_def[i] : 0;
    ims_ctx_t ctx = {.p = p, .ndose = nd, .model = m, .work = w};
    (void)m->rhs(0.5, y, f, &ctx);
    if (m->jac)
      (void)m->jac(0.5, y, J, &ctx);
    if (m->output)
      m->output(0.5, y, out, &ctx);
    if (m->switches)
      (void)m->switches(0.5, y, g, &ctx);
    if (m->init_ctx)
      m->init_ctx(y, &ctx);
    FILE *fp = fopen("/dev/null", "w");
    if (fp) {
      (void)ims_mdl_write_c(m, fp, &err);
      fclose(fp);
    }
  }
  free(w);
  free(p);
  free(y);
  free(f);
  free(J);
  free(out);
  free(g);
  free(nd);
  ims_model_close(m);
  return 0;
}
