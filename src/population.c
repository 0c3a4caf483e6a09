#include "immunosim/population.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "immunosim/table.h"

const char *const ims_pm_names[IMS_PM_N] = {"cmax", "tmax", "auc", "last"};

struct ims_pop {
  const ims_model_t *m;
  int n;         /* parameter values: nparams + nstates */
  double *theta; /* typical values */
  int *dist;     /* effective IMS_DIST_* per value */
  double *omega; /* n * n covariance (lognormal: log scale) */
  long *oline;   /* line of the value's diagonal in the --omega file (0: none) */
  int *ocol;
  char *ofile;
  int nvar;
  int *var;              /* value index of each eta, declaration order */
  double *L;             /* nvar * nvar lower Cholesky factor, row-major */
  double *lower, *upper; /* truncation bounds per value (+-INFINITY: none) */
  char **origin;         /* per value: "file:line" of its row, for messages, or NULL */
  int bounded;           /* some varying value has a bound */
};

struct ims_pop_rng {
  gsl_rng *r;
  double *z;
};

/* ---- the variability description -------------------------------------- */

void ims_pop_free(ims_pop_t *pop)
{
  if (!pop)
    return;
  free(pop->theta);
  free(pop->dist);
  free(pop->omega);
  free(pop->oline);
  free(pop->ocol);
  free(pop->ofile);
  free(pop->var);
  free(pop->L);
  free(pop->lower);
  free(pop->upper);
  for (int k = 0; pop->origin && k < pop->n; k++)
    free(pop->origin[k]);
  free(pop->origin);
  free(pop);
}

static const char *value_name(const ims_model_t *m, int k, char *buf, size_t n)
{
  if (k < m->nparams)
    return m->params[k].name;
  snprintf(buf, n, "%s_0", m->states[k - m->nparams].name);
  return buf;
}

/* Cholesky-Banachiewicz of the varying block.  GSL's own decomposition
 * reports a non-positive-definite matrix through its process-wide error
 * handler (which aborts by default), so the few lines are written here.
 * Returns -1, or the row whose pivot is not positive. */
static int factor(ims_pop_t *pop)
{
  int nv = pop->nvar;
  double *L = pop->L;
  memset(L, 0, (size_t)nv * (size_t)nv * sizeof *L);
  for (int i = 0; i < nv; i++)
    for (int j = 0; j <= i; j++) {
      double s = pop->omega[(size_t)pop->var[i] * (size_t)pop->n + (size_t)pop->var[j]];
      for (int k = 0; k < j; k++)
        s -= L[i * nv + k] * L[j * nv + k];
      if (i == j) {
        if (!(s > 0))
          return i;
        L[i * nv + i] = sqrt(s);
      } else {
        L[i * nv + j] = s / L[j * nv + j];
      }
    }
  return -1;
}

/* A truncated draw is drawn again until it lies within its bounds: refuse
 * bounds that keep so little of the distribution that this would take long
 * (the marginal mass within them, from the normal CDF). */
static int check_bounds(ims_pop_t *pop, ims_err_t *err)
{
  pop->bounded = 0;
  for (int i = 0; i < pop->nvar; i++) {
    int k = pop->var[i];
    double lo = pop->lower[k], hi = pop->upper[k], th = pop->theta[k];
    if (isinf(lo) && isinf(hi))
      continue;
    pop->bounded = 1;
    double sd = sqrt(pop->omega[(size_t)k * (size_t)pop->n + (size_t)k]), mass;
    if (pop->dist[k] == IMS_DIST_NORMAL)
      mass = gsl_cdf_ugaussian_P((hi - th) / sd) - gsl_cdf_ugaussian_P((lo - th) / sd);
    else /* lognormal: bounds at or below 0 do not cut */
      mass = (hi > 0 ? gsl_cdf_ugaussian_P((log(hi) - log(th)) / sd) : 0.0) -
             (lo > 0 ? gsl_cdf_ugaussian_P((log(lo) - log(th)) / sd) : 0.0);
    if (!(mass >= IMS_POP_MIN_MASS)) {
      char nb[160];
      return ims_err_set(err, IMS_EINPUT,
                         "%s: the bounds [%g, %g] of %s keep %.3g %% of its distribution (at "
                         "least %g %% is needed, as truncated draws are drawn again); widen "
                         "them or change its iiv",
                         pop->origin[k] ? pop->origin[k] : "parameters", lo, hi,
                         value_name(pop->m, k, nb, sizeof nb), 100 * mass, 100 * IMS_POP_MIN_MASS);
    }
  }
  return IMS_OK;
}

/* Which values vary, in declaration order; then factor their covariance. */
static int rebuild(ims_pop_t *pop, ims_err_t *err)
{
  pop->nvar = 0;
  for (int k = 0; k < pop->n; k++)
    if (pop->dist[k] != IMS_DIST_FIXED && pop->omega[(size_t)k * (size_t)pop->n + (size_t)k] != 0)
      pop->var[pop->nvar++] = k;
  int bad = factor(pop);
  if (bad < 0)
    return check_bounds(pop, err);
  char nb[160];
  int k = pop->var[bad];
  const char *name = value_name(pop->m, k, nb, sizeof nb);
  if (pop->oline[k])
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: the covariance block is not positive definite at '%s' "
                       "(check variances and covariances: |cov| < sqrt(var1*var2))",
                       pop->ofile, pop->oline[k], pop->ocol[k], name);
  return ims_err_set(err, IMS_EINPUT, "covariance of '%s' is not positive definite", name);
}

int ims_pop_alloc(ims_pop_t **out, const ims_params_t *p, ims_err_t *err)
{
  *out = NULL;
  ims_pop_t *pop = calloc(1, sizeof *pop);
  if (!pop)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  int n = p->n;
  pop->m = p->model;
  pop->n = n;
  pop->theta = malloc((size_t)n * sizeof *pop->theta);
  pop->dist = malloc((size_t)n * sizeof *pop->dist);
  pop->omega = calloc((size_t)n * (size_t)n, sizeof *pop->omega);
  pop->oline = calloc((size_t)n, sizeof *pop->oline);
  pop->ocol = calloc((size_t)n, sizeof *pop->ocol);
  pop->var = malloc((size_t)n * sizeof *pop->var);
  pop->L = malloc((size_t)n * (size_t)n * sizeof *pop->L + 1);
  pop->lower = malloc((size_t)n * sizeof *pop->lower);
  pop->upper = malloc((size_t)n * sizeof *pop->upper);
  pop->origin = calloc((size_t)n, sizeof *pop->origin);
  for (int k = 0; pop->origin && k < n; k++)
    if (p->origin[k] && !(pop->origin[k] = strdup(p->origin[k]))) {
      ims_pop_free(pop);
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    }
  if (!pop->origin || !pop->theta || !pop->dist || !pop->omega || !pop->oline || !pop->ocol ||
      !pop->var || !pop->L || !pop->lower || !pop->upper) {
    ims_pop_free(pop);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  memcpy(pop->theta, p->value, (size_t)n * sizeof *pop->theta);
  memcpy(pop->lower, p->lower, (size_t)n * sizeof *pop->lower);
  memcpy(pop->upper, p->upper, (size_t)n * sizeof *pop->upper);
  for (int k = 0; k < n; k++) {
    pop->dist[k] = p->dist[k];
    pop->omega[(size_t)k * (size_t)n + (size_t)k] = p->omega2[k];
  }
  int rc = rebuild(pop, err);
  if (rc) {
    ims_pop_free(pop);
    return rc;
  }
  *out = pop;
  return IMS_OK;
}

int ims_pop_nvalues(const ims_pop_t *pop)
{
  return pop->n;
}
int ims_pop_nvar(const ims_pop_t *pop)
{
  return pop->nvar;
}
int ims_pop_var_index(const ims_pop_t *pop, int k)
{
  return pop->var[k];
}
int ims_pop_var_dist(const ims_pop_t *pop, int k)
{
  return pop->dist[pop->var[k]];
}

double ims_pop_omega(const ims_pop_t *pop, int j, int k)
{
  return pop->omega[(size_t)pop->var[j] * (size_t)pop->n + (size_t)pop->var[k]];
}

/* ---- the --omega covariance block ------------------------------------- */

typedef struct omega_ctx {
  ims_pop_t *pop;
  int nb; /* names in the header */
  int idx[IMS_TABLE_MAX_FIELDS];
  int hcol[IMS_TABLE_MAX_FIELDS];
  int nrows;
  int full;   /* -1 unknown, 0 lower triangle, 1 full */
  double *a;  /* nb * nb as read */
  long *line; /* per entry */
  int *col;
} omega_ctx_t;

static int on_omega_row(const ims_table_row_t *row, void *ud, ims_err_t *err)
{
  omega_ctx_t *c = ud;
  const ims_model_t *m = c->pop->m;
  if (c->nb == 0) { /* header */
    if (row->nf < 2 || strcmp(row->f[0], "name") != 0)
      return ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: expected the header name,<P1>,<P2>,... of a covariance "
                         "block",
                         row->name, row->line, row->col[0]);
    for (int j = 1; j < row->nf; j++) {
      int k = ims_model_param_index(m, row->f[j]);
      if (k < 0)
        return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: unknown parameter '%s' in model %s",
                           row->name, row->line, row->col[j], row->f[j], m->name);
      for (int i = 0; i < j - 1; i++)
        if (c->idx[i] == k)
          return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: duplicate parameter '%s'", row->name,
                             row->line, row->col[j], row->f[j]);
      c->idx[j - 1] = k;
      c->hcol[j - 1] = row->col[j];
    }
    c->nb = row->nf - 1;
    size_t nn = (size_t)c->nb * (size_t)c->nb;
    c->a = calloc(nn, sizeof *c->a);
    c->line = calloc(nn, sizeof *c->line);
    c->col = calloc(nn, sizeof *c->col);
    if (!c->a || !c->line || !c->col)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    return IMS_OK;
  }
  int r = c->nrows;
  if (r >= c->nb)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:1: more rows than the %d names of the header",
                       row->name, row->line, c->nb);
  char nb[160];
  const char *want = value_name(m, c->idx[r], nb, sizeof nb);
  if (strcmp(row->f[0], want) != 0)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: row '%s' where '%s' is expected (rows follow the header's "
                       "order)",
                       row->name, row->line, row->col[0], row->f[0], want);
  int nv = row->nf - 1;
  if (nv != r + 1 && nv != c->nb)
    return ims_err_set(err, IMS_EINPUT,
                       "%s:%ld:%d: row '%s' has %d values; a lower triangle needs %d, a full "
                       "matrix %d",
                       row->name, row->line, row->col[row->nf - 1], row->f[0], nv, r + 1, c->nb);
  /* the last row looks the same in both layouts */
  int full = r + 1 == c->nb ? (c->full == 1) : nv == c->nb;
  if (c->full == -1)
    c->full = full;
  else if (c->full != full)
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: mixes a lower triangle and a full matrix",
                       row->name, row->line, row->col[0]);
  for (int j = 0; j < nv; j++) {
    double v;
    if (ims_table_double(row->f[j + 1], &v) != 0)
      return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: '%s' is not a finite number", row->name,
                         row->line, row->col[j + 1], row->f[j + 1]);
    size_t e = (size_t)r * (size_t)c->nb + (size_t)j;
    c->a[e] = v;
    c->line[e] = row->line;
    c->col[e] = row->col[j + 1];
  }
  if (!(c->a[(size_t)r * (size_t)c->nb + (size_t)r] > 0))
    return ims_err_set(err, IMS_EINPUT, "%s:%ld:%d: the variance of '%s' must be positive",
                       row->name, row->line, row->col[r + 1], want);
  c->nrows++;
  return IMS_OK;
}

int ims_pop_read_omega_mem(ims_pop_t *pop, const char *name, const char *buf, size_t len,
                           ims_err_t *err)
{
  omega_ctx_t c = {.pop = pop, .full = -1};
  int rc = ims_table_read_mem(name, buf, len, on_omega_row, &c, err);
  if (!rc && c.nb == 0)
    rc = ims_err_set(err, IMS_EINPUT, "%s:1:1: empty covariance file", name);
  if (!rc && c.nrows != c.nb)
    rc = ims_err_set(err, IMS_EINPUT, "%s:%ld:1: %d rows for %d names; one row per name", name,
                     c.nrows ? c.line[(size_t)(c.nrows - 1) * (size_t)c.nb] + 1 : 2, c.nrows, c.nb);
  int nb = c.nb;
  /* a full matrix must be symmetric */
  for (int i = 0; !rc && c.full == 1 && i < nb; i++)
    for (int j = i + 1; !rc && j < nb; j++) {
      double u = c.a[(size_t)i * (size_t)nb + (size_t)j],
             l = c.a[(size_t)j * (size_t)nb + (size_t)i];
      if (fabs(u - l) > 1e-12 * fmax(fabs(u), fabs(l)))
        rc = ims_err_set(err, IMS_EINPUT,
                         "%s:%ld:%d: the matrix is not symmetric (%g here, %g "
                         "below the diagonal)",
                         name, c.line[(size_t)i * (size_t)nb + (size_t)j],
                         c.col[(size_t)i * (size_t)nb + (size_t)j], u, l);
    }
  if (!rc) {
    free(pop->ofile);
    pop->ofile = strdup(name);
    int n = pop->n;
    for (int i = 0; i < nb; i++) {
      int ki = c.idx[i];
      /* the block replaces the iiv column of these parameters */
      for (int k = 0; k < n; k++) {
        pop->omega[(size_t)ki * (size_t)n + (size_t)k] = 0;
        pop->omega[(size_t)k * (size_t)n + (size_t)ki] = 0;
      }
      if (pop->dist[ki] != IMS_DIST_NORMAL)
        pop->dist[ki] = IMS_DIST_LOGNORMAL;
      pop->oline[ki] = c.line[(size_t)i * (size_t)nb + (size_t)i];
      pop->ocol[ki] = c.col[(size_t)i * (size_t)nb + (size_t)i];
    }
    for (int i = 0; i < nb; i++)
      for (int j = 0; j <= i; j++) {
        double v = c.a[(size_t)i * (size_t)nb + (size_t)j];
        pop->omega[(size_t)c.idx[i] * (size_t)n + (size_t)c.idx[j]] = v;
        pop->omega[(size_t)c.idx[j] * (size_t)n + (size_t)c.idx[i]] = v;
      }
    rc = rebuild(pop, err);
  }
  free(c.a);
  free(c.line);
  free(c.col);
  return rc;
}

int ims_pop_read_omega(ims_pop_t *pop, const char *path, ims_err_t *err)
{
  char *buf;
  size_t len;
  int rc = ims_table_slurp(path, &buf, &len, err);
  if (rc)
    return rc;
  rc = ims_pop_read_omega_mem(pop, path, buf, len, err);
  free(buf);
  return rc;
}

/* ---- sampling ----------------------------------------------------------- */

#define GAMMA64 0x9E3779B97F4A7C15ULL

static uint64_t mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t ims_pop_subject_key(uint64_t seed, uint64_t subject)
{
  return mix64(seed ^ mix64(subject + GAMMA64));
}

/* Write the taus2 state as gsl_rng_set would after its LCG, then warm up. */
static void taus2_state(gsl_rng *r, unsigned long s1, unsigned long s2, unsigned long s3)
{
  unsigned long *st = gsl_rng_state(r);
  st[0] = s1 < 2 ? s1 + 2 : s1;
  st[1] = s2 < 8 ? s2 + 8 : s2;
  st[2] = s3 < 16 ? s3 + 16 : s3;
  for (int i = 0; i < 6; i++)
    gsl_rng_get(r);
}

/* The state layout is GSL's internal {s1, s2, s3}: prove it once against
 * gsl_rng_set before relying on it. */
static int taus2_layout_ok(gsl_rng *r)
{
  if (gsl_rng_size(r) != 3 * sizeof(unsigned long))
    return 0;
  gsl_rng *ref = gsl_rng_alloc(gsl_rng_taus2);
  if (!ref)
    return 0;
  unsigned long s = 20240917UL;
  gsl_rng_set(ref, s);
#define LCG(n) ((69069UL * (n)) & 0xffffffffUL)
  unsigned long s1 = LCG(s), s2, s3;
  s1 = s1 < 2 ? s1 + 2 : s1;
  s2 = LCG(s1);
  s2 = s2 < 8 ? s2 + 8 : s2;
  s3 = LCG(s2);
#undef LCG
  taus2_state(r, s1, s2, s3);
  int ok = 1;
  for (int i = 0; i < 8; i++)
    ok &= gsl_rng_get(ref) == gsl_rng_get(r);
  gsl_rng_free(ref);
  return ok;
}

int ims_pop_rng_alloc(ims_pop_rng_t **out, const ims_pop_t *pop, ims_err_t *err)
{
  *out = NULL;
  ims_pop_rng_t *w = calloc(1, sizeof *w);
  if (w) {
    w->r = gsl_rng_alloc(gsl_rng_taus2);
    w->z = malloc(((size_t)pop->n + 1) * sizeof *w->z);
  }
  if (!w || !w->r || !w->z) {
    ims_pop_rng_free(w);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  if (!taus2_layout_ok(w->r)) {
    ims_pop_rng_free(w);
    return ims_err_set(err, IMS_EINTERNAL,
                       "this GSL's taus2 generator state is not the "
                       "expected {s1,s2,s3}; populations need it");
  }
  *out = w;
  return IMS_OK;
}

void ims_pop_rng_free(ims_pop_rng_t *r)
{
  if (!r)
    return;
  if (r->r)
    gsl_rng_free(r->r);
  free(r->z);
  free(r);
}

int ims_pop_draw(const ims_pop_t *pop, ims_pop_rng_t *w, uint64_t seed, uint64_t subject, double *p,
                 double *eta, ims_err_t *err)
{
  uint64_t key = ims_pop_subject_key(seed, subject), k2 = mix64(key + GAMMA64);
  taus2_state(w->r, (unsigned long)(key & 0xffffffffUL), (unsigned long)(key >> 32),
              (unsigned long)(k2 & 0xffffffffUL));
  int nv = pop->nvar;
  memcpy(p, pop->theta, (size_t)pop->n * sizeof *p);
  const ims_model_t *m = pop->m;
  /* a draw outside the bounds of a truncated value is drawn again, all of
   * it (so correlated values stay jointly distributed), from the subject's
   * stream: without bounds this is one draw, as it always was */
  for (int tries = 0;; tries++) {
    for (int k = 0; k < nv; k++)
      w->z[k] = gsl_ran_gaussian_ziggurat(w->r, 1.0);
    int out = -1;
    for (int i = 0; i < nv; i++) {
      double e = 0;
      for (int j = 0; j <= i; j++)
        e += pop->L[i * nv + j] * w->z[j];
      if (eta)
        eta[i] = e;
      int k = pop->var[i];
      p[k] = pop->dist[k] == IMS_DIST_NORMAL ? pop->theta[k] + e : pop->theta[k] * exp(e);
      if (out < 0 && pop->bounded && !(p[k] >= pop->lower[k] && p[k] <= pop->upper[k]))
        out = k;
    }
    if (out < 0)
      break;
    if (tries + 1 >= IMS_POP_MAX_TRIES) {
      char nb[160];
      return ims_err_set(err, IMS_EINPUT,
                         "subject %llu: no draw of %s within [%g, %g] in %d tries; widen the "
                         "bounds",
                         (unsigned long long)subject, value_name(m, out, nb, sizeof nb),
                         pop->lower[out], pop->upper[out], IMS_POP_MAX_TRIES);
    }
  }
  int rc = IMS_OK;
  for (int i = 0; i < nv && !rc; i++) {
    int k = pop->var[i];
    int sgn = k < m->nparams && (m->params[k].flags & IMS_PAR_SIGNED);
    if (!isfinite(p[k]) || (p[k] < 0 && !sgn)) {
      char nb[160];
      rc = ims_err_set(err, IMS_EINPUT, "subject %llu: drawn %s = %g is %s",
                       (unsigned long long)subject, value_name(m, k, nb, sizeof nb), p[k],
                       isfinite(p[k]) ? "negative" : "not finite");
    }
  }
  return rc;
}

/* ---- the population loop ---------------------------------------------- */

/* One subject's slot in a chunk. */
typedef struct slot {
  int status;
  double *p, *eta, *metrics, *traj;
  ims_stats_t st;
  char msg[IMS_ERRMSG_MAX];
} slot_t;

/* The row observer of one thread. */
typedef struct rowctx {
  slot_t *sl;
  size_t row, ntout;
  int ns, no, metrics;
  const double *tout;
  const int *cols; /* watched columns (NULL: all) */
  int ncols;
} rowctx_t;

/* Minimal per-subject metrics; the full metrics module plugs in here
 * (feed it t, y, out and q per row, and read its results in finish). */
static int on_row(void *ud, double t, const double *y, const double *out, const double *q)
{
  rowctx_t *c = ud;
  int ns = c->ns, nc = c->ns + c->no;
  if (c->row >= c->ntout)
    return IMS_EINTERNAL;
  if (c->sl->traj) {
    double *r = c->sl->traj + c->row * (size_t)nc;
    memcpy(r, y, (size_t)ns * sizeof *y);
    memcpy(r + ns, out, (size_t)c->no * sizeof *out);
  }
  if (c->metrics) {
    double *mt = c->sl->metrics;
    for (int j = 0; j < c->ncols; j++) {
      int k = c->cols ? c->cols[j] : j;
      double v = k < ns ? y[k] : out[k - ns];
      double *mk = mt + (size_t)j * IMS_PM_N;
      if (c->row == 0 || v > mk[IMS_PM_CMAX]) {
        mk[IMS_PM_CMAX] = v;
        mk[IMS_PM_TMAX] = t;
      }
      mk[IMS_PM_LAST] = v;
      /* only the watched columns are integrated; q is NULL before the last row */
      mk[IMS_PM_AUC] = q ? q[c->cols ? j : k] : NAN;
    }
  }
  c->row++;
  return 0;
}

typedef struct pool {
  int nt;
  ims_sim_t **sims;
  ims_pop_rng_t **rngs;
  slot_t *slots;
  size_t chunk;
  double *mem;
} pool_t;

static void pool_free(pool_t *pl)
{
  for (int i = 0; i < pl->nt; i++) {
    if (pl->sims)
      ims_sim_free(pl->sims[i]);
    if (pl->rngs)
      ims_pop_rng_free(pl->rngs[i]);
  }
  free(pl->sims);
  free(pl->rngs);
  free(pl->slots);
  free(pl->mem);
}

static int pool_alloc(pool_t *pl, const ims_pop_t *pop, size_t ntout, const ims_pop_run_t *run,
                      ims_err_t *err)
{
  const ims_model_t *m = pop->m;
  int nt = run->threads > 1 ? run->threads : 1;
  size_t nc = (size_t)(m->nstates + m->noutputs);
  size_t ntraj = run->bands ? ntout * nc : 0;
  size_t nm = (size_t)(run->cols ? run->ncols : (int)nc) * IMS_PM_N;
  size_t per = (size_t)pop->n + (size_t)pop->nvar + nm + ntraj;
  size_t cap = run->chunk_mem ? run->chunk_mem : (size_t)32 << 20;
  size_t chunk = cap / (per * sizeof(double) + sizeof(slot_t));
  chunk = chunk > 1024 ? 1024 : chunk;
  chunk = chunk < 1 ? 1 : chunk;
  uint64_t total = run->last - run->first;
  if (chunk > total)
    chunk = (size_t)total;
  pl->nt = nt;
  pl->chunk = chunk;
  pl->sims = calloc((size_t)nt, sizeof *pl->sims);
  pl->rngs = calloc((size_t)nt, sizeof *pl->rngs);
  pl->slots = calloc(chunk, sizeof *pl->slots);
  pl->mem = malloc(chunk * per * sizeof *pl->mem + 1);
  if (!pl->sims || !pl->rngs || !pl->slots || !pl->mem)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  for (size_t j = 0; j < chunk; j++) {
    double *b = pl->mem + j * per;
    slot_t *s = &pl->slots[j];
    s->p = b;
    s->eta = b + pop->n;
    s->metrics = s->eta + pop->nvar;
    s->traj = ntraj ? s->metrics + nm : NULL;
  }
  for (int i = 0; i < nt; i++) {
    int rc = ims_sim_alloc(&pl->sims[i], m, err);
    rc = rc ? rc : ims_pop_rng_alloc(&pl->rngs[i], pop, err);
    if (rc)
      return rc;
  }
  return IMS_OK;
}

static void run_subject(const ims_pop_t *pop, pool_t *pl, int tid, slot_t *sl, uint64_t id,
                        const ims_schedule_t *sched, const ims_opts_t *o, const double *tout,
                        size_t ntout, const ims_pop_run_t *run)
{
  ims_err_t e = {0};
  const ims_model_t *m = pop->m;
  memset(&sl->st, 0, sizeof sl->st);
  sl->msg[0] = '\0';
  sl->status = ims_pop_draw(pop, pl->rngs[tid], run->seed, id, sl->p, sl->eta, &e);
  if (!sl->status && run->setup)
    sl->status = run->setup(run->setup_ud, id, sl->p, &sched, &e);
  if (!sl->status) {
    rowctx_t rc = {sl,         0,           ntout,
                   m->nstates, m->noutputs, !run->no_metrics,
                   tout,       run->cols,   run->cols ? run->ncols : m->nstates + m->noutputs};
    ims_observer_t obs = {.row = on_row, .ud = &rc};
    sl->status = ims_sim_run(pl->sims[tid], sl->p, sched, o, tout, ntout, &obs, &e);
    sl->st = *ims_sim_stats(pl->sims[tid]);
    if (sl->status == IMS_ESTOP)
      snprintf(e.msg, sizeof e.msg, "a rule stopped the run early");
    else if (!sl->status && rc.row != ntout) {
      sl->status = IMS_EINTERNAL;
      snprintf(e.msg, sizeof e.msg, "%zu of %zu rows", rc.row, ntout);
    }
  }
  if (sl->status)
    snprintf(sl->msg, sizeof sl->msg, "%s", e.msg);
}

int ims_pop_simulate(const ims_pop_t *pop, const ims_schedule_t *sched, const ims_opts_t *opts,
                     const double *tout, size_t ntout, const ims_pop_run_t *run,
                     ims_pop_summary_t *sum, ims_err_t *err)
{
  memset(sum, 0, sizeof *sum);
  if (run->last <= run->first)
    return ims_err_set(err, IMS_EINPUT, "no subjects to simulate");
  if (ntout == 0)
    return ims_err_set(err, IMS_EINPUT, "no output times");
  const ims_model_t *m = pop->m;
  size_t nc = (size_t)(m->nstates + m->noutputs);
  for (int j = 0; run->cols && j < run->ncols; j++)
    if (run->cols[j] < 0 || run->cols[j] >= (int)nc)
      return ims_err_set(err, IMS_EINTERNAL, "population: column %d of %zu", run->cols[j], nc);
  if (run->bands && ims_bands_ncells(run->bands) != ntout * nc)
    return ims_err_set(err, IMS_EINTERNAL, "bands: %zu cells for %zu times x %zu columns",
                       ims_bands_ncells(run->bands), ntout, nc);
  ims_opts_t o = *opts;
  o.quad = !run->no_metrics;
  o.quad_carry = 1;    /* the AUCs ride in the state vector (src/sim_aug.c) */
  o.quad_last_row = 1; /* the AUC is the last row's integral */
  if (o.quad && run->cols) {
    o.quad_cols = run->cols;
    o.nquad_cols = run->ncols;
  }
  pool_t pl = {0};
  int rc = pool_alloc(&pl, pop, ntout, run, err);
  for (uint64_t base = run->first; !rc && base < run->last; base += pl.chunk) {
    long cn = (long)(run->last - base < pl.chunk ? run->last - base : pl.chunk);
    int cb_rc = 0, band_fail = 0; /* written by the single thread / under critical */
    ims_err_t band_err = {0};
#pragma omp parallel num_threads(pl.nt)
    {
#ifdef _OPENMP
      int tid = omp_get_thread_num();
#else
      int tid = 0;
#endif
#pragma omp for schedule(dynamic, 1)
      for (long j = 0; j < cn; j++)
        run_subject(pop, &pl, tid, &pl.slots[j], base + (uint64_t)j, sched, &o, tout, ntout, run);
        /* implicit barrier: every slot of the chunk is done; one thread hands
         * them out in subject order while the others fill the bands */
#pragma omp single nowait
      for (long j = 0; j < cn && !cb_rc; j++) {
        slot_t *sl = &pl.slots[j];
        if (sl->status)
          sum->failed++;
        else
          sum->ok++;
        ims_stats_add(&sum->stats, &sl->st);
        if (run->subject) {
          ims_pop_subject_t s = {base + (uint64_t)j,
                                 sl->status,
                                 sl->msg,
                                 sl->p,
                                 sl->eta,
                                 run->no_metrics ? NULL : sl->metrics};
          cb_rc = run->subject(run->ud, &s);
        }
      }
      if (run->bands) {
        size_t ncells = ntout * nc;
#pragma omp for schedule(dynamic, 64)
        for (size_t c = 0; c < ncells; c++)
          for (long j = 0; j < cn; j++) {
            if (pl.slots[j].status)
              continue;
            ims_err_t e;
            if (ims_bands_add(run->bands, c, pl.slots[j].traj[c], &e) != 0) {
#pragma omp critical(ims_pop_err)
              {
                if (!band_fail)
                  band_err = e;
                band_fail = 1;
              }
              break;
            }
          }
      }
    }
    if (cb_rc)
      rc = ims_err_set(err, cb_rc < 0 ? cb_rc : IMS_EIO,
                       "population: the subject callback "
                       "stopped the run (%d)",
                       cb_rc);
    else if (band_fail)
      rc = ims_err_set(err, band_err.code, "%s", band_err.msg);
  }
  pool_free(&pl);
  return rc;
}
