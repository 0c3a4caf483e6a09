/* Built by tests/cli/models.sh with a model translated by `immunosim
 * translate` (-DMODEL=ims_model_NAME): runs the translated model and the
 * model file it came from on the same protocol and prints how far apart
 * they are (0 when every state and output is the same double), after
 * checking that both have the same default figure. */
#include "immunosim/immunosim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

extern const ims_model_t MODEL;

typedef struct rows {
  double v[4096];
  int n;
} rows_t;

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  rows_t *r = ud;
  (void)q;
  r->v[r->n++] = t;
  for (int i = 0; i < MODEL.nstates && r->n < 4000; i++)
    r->v[r->n++] = y[i];
  for (int i = 0; i < MODEL.noutputs && r->n < 4000; i++)
    r->v[r->n++] = out[i];
  return 0;
}

static int run(const ims_model_t *m, const ims_units_t *u, const char *dose, rows_t *r,
               ims_err_t *err)
{
  ims_params_t *p;
  ims_schedule_t *s;
  ims_sim_t *sim;
  int rc = ims_params_alloc(&p, m, err);
  rc = rc ? rc : ims_params_finish(p, err);
  rc = rc ? rc : ims_schedule_alloc(&s, err);
  rc = rc ? rc : ims_schedule_read_mem(s, m, u, "dose.csv", dose, strlen(dose), err);
  rc = rc ? rc : ims_sim_alloc(&sim, m, err);
  if (rc)
    return rc;
  ims_opts_t o;
  ims_opts_default(&o);
  o.rtol = 1e-10;
  double t[41];
  for (int i = 0; i <= 40; i++)
    t[i] = i;
  ims_observer_t obs = {.row = on_row, .ud = r};
  rc = ims_sim_run(sim, p->value, s, &o, t, 41, &obs, err);
  ims_sim_free(sim);
  ims_schedule_free(s);
  ims_params_free(p);
  return rc;
}

int main(int argc, char **argv)
{
  ims_err_t err = {0};
  const ims_model_t *f;
  ims_units_t *u;
  if (argc != 2 || ims_units_alloc(&u, &err) || ims_model_open(&f, argv[1], NULL, &err)) {
    fprintf(stderr, "driver: %s\n", err.msg);
    return 1;
  }
  /* the same default figure (the model file's plot line) */
  int same = MODEL.nplot == f->nplot;
  for (int k = 0; same && k < f->nplot; k++)
    same = !strcmp(MODEL.plot[k].name, f->plot[k].name) && MODEL.plot[k].scale == f->plot[k].scale;
  if (!same) {
    printf("%s: the translated plot table differs from the model file's\n", MODEL.name);
    return 1;
  }
  /* a bolus of the first state's default size into it on day 1 */
  char dose[256];
  snprintf(dose, sizeof dose, "time,cmt,amt,unit\n1,%s,%.17g,%s\n", f->states[0].name,
           f->y0_def && f->y0_def[0] > 0 ? f->y0_def[0] : 1.0, f->states[0].unit);
  static rows_t a, b;
  if (run(&MODEL, u, dose, &a, &err) || run(f, u, dose, &b, &err)) {
    fprintf(stderr, "driver: %s\n", err.msg);
    return 1;
  }
  double worst = a.n == b.n ? 0 : INFINITY;
  for (int i = 0; i < a.n && a.n == b.n; i++) {
    double d = fabs(a.v[i] - b.v[i]) / fmax(fabs(b.v[i]), 1e-300);
    worst = d > worst ? d : worst;
  }
  printf("%s: %d values, largest relative difference %g\n", MODEL.name, a.n, worst);
  ims_model_close(f);
  ims_units_free(u);
  return worst == 0 ? 0 : 2;
}
