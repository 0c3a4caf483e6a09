#include "tests.h"

#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *t_srcdir(void)
{
  const char *d = getenv("IMS_SRCDIR");
  return d && *d ? d : ".";
}

const char *t_path(const char *rel)
{
  static char buf[8][4096];
  static int k;
  k = (k + 1) % 8;
  snprintf(buf[k], sizeof buf[k], "%s/%s", t_srcdir(), rel);
  return buf[k];
}

ims_units_t *t_units(void)
{
  static ims_units_t *u;
  if (!u) {
    ims_err_t err;
    ck_assert_msg(ims_units_alloc(&u, &err) == 0, "%s", err.msg);
  }
  return u;
}

ims_params_t *t_params(const ims_model_t *m, const char *file, ...)
{
  ims_params_t *p;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_params_alloc(&p, m, &err), 0);
  if (file)
    ck_assert_msg(ims_params_read(p, t_units(), t_path(file), &err) == 0, "%s", err.msg);
  va_list ap;
  va_start(ap, file);
  for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
    ck_assert_msg(ims_params_set(p, t_units(), s, &err) == 0, "%s", err.msg);
  va_end(ap);
  ck_assert_msg(ims_params_finish(p, &err) == 0, "%s", err.msg);
  return p;
}

ims_schedule_t *t_sched(const ims_model_t *m, const char *csv)
{
  ims_schedule_t *s;
  ims_err_t err = {0};
  ck_assert_int_eq(ims_schedule_alloc(&s, &err), 0);
  int rc = csv[0] == '@' ? ims_schedule_read(s, m, t_units(), t_path(csv + 1), &err)
                         : ims_schedule_read_mem(s, m, t_units(), "test", csv, strlen(csv), &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
  return s;
}

typedef struct tctx {
  trace_t *tr;
  int ns, no;
} tctx_t;

static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  tctx_t *c = ud;
  trace_t *tr = c->tr;
  if (tr->nrow == tr->cap) {
    tr->cap = tr->cap ? 2 * tr->cap : 256;
    tr->v = realloc(tr->v, tr->cap * (size_t)tr->ncol * sizeof *tr->v);
    tr->q = realloc(tr->q, tr->cap * (size_t)(tr->nq + 1) * sizeof *tr->q);
    ck_assert(tr->v && tr->q);
  }
  double *r = tr->v + tr->nrow * (size_t)tr->ncol;
  r[0] = t;
  memcpy(r + 1, y, (size_t)c->ns * sizeof *y);
  memcpy(r + 1 + c->ns, out, (size_t)c->no * sizeof *out);
  if (q && tr->nq)
    memcpy(tr->q + tr->nrow * (size_t)tr->nq, q, (size_t)tr->nq * sizeof *q);
  tr->nrow++;
  return 0;
}

static int on_event(void *ud, const ims_logged_t *ev)
{
  trace_t *tr = ((tctx_t *)ud)->tr;
  if (tr->nev < 256)
    tr->ev[tr->nev++] = *ev;
  return 0;
}

int t_run(const ims_model_t *m, const double *p, const ims_schedule_t *s, const ims_opts_t *o,
          const double *tout, size_t n, trace_t *tr, ims_err_t *err)
{
  memset(tr, 0, sizeof *tr);
  tr->ncol = 1 + m->nstates + m->noutputs;
  tr->nq = o->quad ? m->nstates + m->noutputs : 0;
  tctx_t c = {tr, m->nstates, m->noutputs};
  ims_observer_t obs = {.row = on_row, .event = on_event, .ud = &c};
  ims_sim_t *sim;
  int rc = ims_sim_alloc(&sim, m, err);
  if (rc)
    return rc;
  rc = ims_sim_run(sim, p, s, o, tout, n, &obs, err);
  ims_sim_free(sim);
  return rc;
}

void t_trace_free(trace_t *tr)
{
  free(tr->v);
  free(tr->q);
  memset(tr, 0, sizeof *tr);
}

int t_col(const ims_model_t *m, const char *name)
{
  int k = ims_model_state_index(m, name);
  if (k >= 0)
    return 1 + k;
  k = ims_model_output_index(m, name);
  ck_assert_msg(k >= 0, "no column %s", name);
  return 1 + m->nstates + k;
}

void t_tight(ims_opts_t *o)
{
  ims_opts_default(o);
  o->rtol = 1e-10;
  o->atol = 1e-14;
}

uint64_t t_mix(uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double t_unif(uint64_t *state)
{
  return (double)(t_mix(state) >> 11) * 0x1.0p-53;
}

double t_relerr(double got, double want)
{
  if (want == 0)
    return fabs(got);
  return fabs(got - want) / fabs(want);
}

double *t_grid(double t0, double t1, double dt, size_t *n)
{
  double *g;
  ims_err_t err;
  ck_assert_int_eq(ims_grid_uniform(t0, t1, dt, &g, n, &err), 0);
  return g;
}

void t_run_ok(const ims_params_t *p, const ims_schedule_t *s, const ims_opts_t *o, const double *t,
              size_t n, trace_t *tr)
{
  ims_err_t err = {0};
  int rc = t_run(p->model, p->value, s, o, t, n, tr, &err);
  ck_assert_msg(rc == 0, "%s", err.msg);
  ck_assert_uint_eq(tr->nrow, n);
}

double t_par(const ims_params_t *p, const char *name)
{
  int k = ims_model_param_index(p->model, name);
  ck_assert_msg(k >= 0, "%s: no parameter %s", p->model->name, name);
  return p->value[k];
}

void t_jac_eig(const ims_model_t *m, const double *p, const double *y, double *re, double *im)
{
  size_t n = (size_t)m->nstates;
  double *J = calloc(n * n, sizeof *J);
  int *nd = calloc(n, sizeof *nd);
  ck_assert(J && nd);
  ims_ctx_t ctx = {.p = p, .ndose = nd, .phase = 0};
  ck_assert_int_eq(m->jac(0, y, J, &ctx), 0);
  gsl_matrix_view mv = gsl_matrix_view_array(J, n, n);
  gsl_vector_complex *ev = gsl_vector_complex_alloc(n);
  gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(n);
  ck_assert_int_eq(gsl_eigen_nonsymm(&mv.matrix, ev, w), 0);
  for (size_t i = 0; i < n; i++) {
    re[i] = GSL_REAL(gsl_vector_complex_get(ev, i));
    im[i] = GSL_IMAG(gsl_vector_complex_get(ev, i));
  }
  gsl_eigen_nonsymm_free(w);
  gsl_vector_complex_free(ev);
  free(nd);
  free(J);
}
