/* Equilibria in a box by multi-start deflated Newton (see equilibria.h).
 *
 * Why not GSL's multiroot solvers: they solve J dx = -f by LU, and on an
 * exactly singular Jacobian (pk2cmt with Q = 0 has a decoupled state and a
 * line of equilibria) GSL_ERROR goes to the process-wide error handler,
 * which aborts unless the application switched it off -- a library may not
 * change that setting for its caller.  The hybrid solvers also step along
 * the gradient J^T f, which leaves the invariant faces (a state at exactly
 * 0) on which boundary equilibria lie.  So the Newton step here is the
 * minimum-norm SVD solution of the row- and column-scaled system (GSL's
 * Jacobi SVD), which stays on a face (its row is diagonal with a zero
 * right-hand side), lands on the nearest point of a continuum, and is damped
 * by backtracking on the scaled residual as in GSL's gnewton.
 *
 * Scaling: column j is scaled by |x_j| + floor_j, row i by the size of the
 * linearised terms sum_j |J_ij| (|x_j| + floor_j) + |f_i|, so cells (1e9)
 * and concentrations (1e-3) weigh alike in the merit function and in the
 * rank decision (singular values below 1e-12 of the largest are dropped).
 *
 * Deflation (Farrell et al. 2015): once roots r_k are known, Newton is run
 * on g(x) = M(x) f(x), M = prod_k (1/d_k^2 + 1) with d_k the relative
 * distance to r_k.  By Sherman-Morrison the deflated step is the plain step
 * d scaled by 1/(1 - grad(log M).d), so no second linear solve is needed. */
#include "immunosim/equilibria.h"

#include "dyn.h"

#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROOTS 256 /* roots remembered for deflation, in the box or not */

struct ims_eq {
  const ims_model_t *m;
  int n;
  ims__vf_t vf;
  ims__svd_t svd;
  ims__eig_t eig;
  ims_eq_opts_t o;
  double *lo, *hi, *floor, *sc, *y0;
  double *f, *J, *A, *b, *u, *d, *xt, *ft, *w, *eta, *x, *x2;
  double *roots; /* MAX_ROOTS * n */
  int nroots;
  ims_equilibrium_t *eq; /* max_eq */
  double *store;         /* 3 n per equilibrium */
  int cap, count, truncated;
  double eig_tol;
};

static const char *const type_names[] = {"stable node",    "stable focus",   "unstable node",
                                         "unstable focus", "saddle",         "saddle-focus",
                                         "centre",         "non-hyperbolic", "unknown"};

const char *ims_eq_type_name(int type)
{
  return type >= 0 && type <= IMS_EQ_UNKNOWN ? type_names[type] : "?";
}

const char *ims_stability_name(int s)
{
  return s == IMS_STABLE ? "stable" : s == IMS_UNSTABLE ? "unstable" : "neutral";
}

int ims_eigenvalues(int n, const double *J, double *re, double *im, ims_err_t *err)
{
  ims__eig_t e;
  if (n < 1)
    return ims_err_set(err, IMS_EINPUT, "eigenvalues: empty matrix");
  if (ims__eig_alloc(&e, n) != 0)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  int rc = ims__eig_run(&e, J, re, im);
  ims__eig_free(&e);
  if (rc)
    return ims_err_set(err, IMS_EINPUT,
                       "eigenvalues: the matrix has a non-finite entry or QR did not converge");
  return IMS_OK;
}

int ims_eq_classify(int n, const double *re, const double *im, double tol, int *stability,
                    int *nunstable)
{
  double rho = ims__spectral_radius(n, re, im), t = tol * rho;
  int npos = 0, nneg = 0, nzero = 0, ncomplex = 0, ncentre = 0;
  for (int i = 0; i < n; i++) {
    if (!isfinite(re[i]) || !isfinite(im[i])) {
      *stability = IMS_NEUTRAL;
      *nunstable = 0;
      return IMS_EQ_UNKNOWN;
    }
    int cplx = fabs(im[i]) > t;
    ncomplex += cplx;
    if (re[i] > t)
      npos++;
    else if (re[i] < -t)
      nneg++;
    else {
      nzero++;
      ncentre += cplx;
    }
  }
  /* a zero matrix has rho = 0: every eigenvalue is "within tol" */
  *nunstable = npos;
  *stability = npos ? IMS_UNSTABLE : nzero ? IMS_NEUTRAL : IMS_STABLE;
  if (nzero)
    return ncentre == n && n > 0 ? IMS_EQ_CENTRE : IMS_EQ_NONHYPERBOLIC;
  if (!npos)
    return ncomplex ? IMS_EQ_STABLE_FOCUS : IMS_EQ_STABLE_NODE;
  if (!nneg)
    return ncomplex ? IMS_EQ_UNSTABLE_FOCUS : IMS_EQ_UNSTABLE_NODE;
  return ncomplex ? IMS_EQ_SADDLE_FOCUS : IMS_EQ_SADDLE;
}

/* ---- the box -------------------------------------------------------------- */

static void initial_state(const ims_model_t *m, const double *p, double *y0)
{
  if (ims_model_initial_state(m, p, y0, NULL) != 0) /* no memory: no starting point */
    for (int i = 0; i < m->nstates; i++)
      y0[i] = NAN;
}

/* |f_i / J_ii| at y: how far state i alone moves to its own nullcline (the
 * source over the decay rate of a state fed at a constant rate). */
static void axis_steps(const ims_model_t *m, const double *p, const double *y, double *step)
{
  int n = m->nstates;
  ims__vf_t v;
  double *f = malloc((size_t)n * sizeof *f), *J = malloc((size_t)n * (size_t)n * sizeof *J);
  for (int i = 0; i < n; i++)
    step[i] = 0;
  if (f && J && ims__vf_alloc(&v, m, p, 0, NULL) == 0) {
    if (ims__vf_f(&v, y, f) == 0 && ims__vf_jac(&v, y, J) == 0)
      for (int i = 0; i < n; i++)
        if (J[i * n + i] != 0 && isfinite(f[i] / J[i * n + i]))
          step[i] = fabs(f[i] / J[i * n + i]);
    ims__vf_free(&v);
  }
  free(f);
  free(J);
}

void ims_eq_box_default(const ims_model_t *m, const double *p, double *lo, double *hi)
{
  int n = m->nstates;
  double *y0 = malloc(2 * (size_t)n * sizeof *y0), *step = y0 ? y0 + n : NULL;
  if (y0) {
    initial_state(m, p, y0);
    axis_steps(m, p, y0, step);
  }
  for (int i = 0; i < n; i++) {
    const char *u = m->states[i].unit;
    double s = 1;
    if (y0 && isfinite(y0[i]))
      s = fmax(s, fabs(y0[i]) + step[i]);
    for (int k = 0; u && k < m->nparams; k++) {
      const char *pu = m->params[k].unit;
      double v = fabs(p[k]);
      if (!pu || !isfinite(v) || v == 0)
        continue;
      if (strcmp(pu, u) == 0)
        s = fmax(s, v);
      else if (strncmp(pu, "1/", 2) == 0 && strcmp(pu + 2, u) == 0)
        s = fmax(s, 1 / v);
    }
    lo[i] = 0;
    hi[i] = 10 * s;
  }
  free(y0);
}

void ims_eq_opts_default(ims_eq_opts_t *o)
{
  memset(o, 0, sizeof *o);
}

static void fill_opts(ims_eq_opts_t *o, const ims_eq_opts_t *in, int n, int analytic)
{
  if (in)
    *o = *in;
  else
    ims_eq_opts_default(o);
  if (o->nstarts <= 0)
    o->nstarts = 40 + 20 * n < 400 ? 40 + 20 * n : 400;
  if (o->max_iter <= 0)
    o->max_iter = 80;
  if (o->per_start <= 0)
    o->per_start = 4;
  if (o->max_eq <= 0)
    o->max_eq = 64;
  if (!(o->xtol > 0))
    o->xtol = 1e-11;
  if (!(o->same_tol > 0))
    o->same_tol = 1e-6;
  if (!(o->eig_tol > 0))
    o->eig_tol = analytic ? 1e-10 : 1e-6;
}

/* ---- allocation ------------------------------------------------------------ */

void ims_eq_free(ims_eq_t *s)
{
  if (!s)
    return;
  ims__vf_free(&s->vf);
  ims__svd_free(&s->svd);
  ims__eig_free(&s->eig);
  double *arr[] = {s->lo, s->hi, s->floor, s->sc, s->y0,  s->f, s->J,  s->A,     s->b,    s->u,
                   s->d,  s->xt, s->ft,    s->w,  s->eta, s->x, s->x2, s->roots, s->store};
  for (size_t i = 0; i < sizeof arr / sizeof *arr; i++)
    free(arr[i]);
  free(s->eq);
  free(s);
}

int ims_eq_alloc(ims_eq_t **out, const ims_model_t *m, ims_err_t *err)
{
  *out = NULL;
  int n = m->nstates;
  ims_eq_t *s = calloc(1, sizeof *s);
  double *p0 = calloc((size_t)ims_model_nvalues(m) + 1, sizeof *p0);
  if (!s || !p0) {
    free(s);
    free(p0);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  s->m = m;
  s->n = n;
  int rc = ims__vf_alloc(&s->vf, m, p0, 0, err);
  free(p0);
  if (rc) {
    free(s);
    return rc;
  }
  size_t un = (size_t)n, nn = un * un;
  double **vec[] = {&s->lo, &s->hi, &s->floor, &s->sc, &s->y0,  &s->f, &s->b, &s->u,
                    &s->d,  &s->xt, &s->ft,    &s->w,  &s->eta, &s->x, &s->x2};
  int bad = ims__svd_alloc(&s->svd, n) != 0 || ims__eig_alloc(&s->eig, n) != 0;
  for (size_t i = 0; i < sizeof vec / sizeof *vec; i++)
    bad |= !(*vec[i] = calloc(un, sizeof(double)));
  bad |= !(s->J = calloc(nn, sizeof(double))) || !(s->A = calloc(nn, sizeof(double)));
  bad |= !(s->roots = calloc(MAX_ROOTS * un, sizeof(double)));
  if (bad) {
    ims_eq_free(s);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  s->vf.typ = s->sc;
  *out = s;
  return IMS_OK;
}

/* ---- Newton ------------------------------------------------------------------ */

static double rel(const ims_eq_t *s, const double *x, int j, double v)
{
  return fabs(v) / (fabs(x[j]) + s->floor[j]);
}

/* log M(x) and, when eta != NULL, its gradient. */
static double deflation(const ims_eq_t *s, const double *x, double *eta)
{
  int n = s->n;
  double lm = 0;
  if (eta)
    memset(eta, 0, (size_t)n * sizeof *eta);
  for (int k = 0; k < s->nroots; k++) {
    const double *r = s->roots + (size_t)k * (size_t)n;
    double d2 = 0;
    for (int i = 0; i < n; i++) {
      double q = (x[i] - r[i]) / (fabs(r[i]) + s->floor[i]);
      d2 += q * q;
    }
    if (d2 <= 0)
      return INFINITY;
    lm += log1p(1 / d2);
    for (int i = 0; eta && i < n; i++) {
      double wi = fabs(r[i]) + s->floor[i];
      eta[i] -= 2 * (x[i] - r[i]) / (wi * wi) / (d2 * (1 + d2));
    }
  }
  return lm;
}

/* The plain Newton correction d at x (f and J evaluated); row scales in s->w.
 * Returns 0, or non-zero when the model fails there. */
static int newton_step(ims_eq_t *s, const double *x)
{
  int n = s->n;
  if (ims__vf_f(&s->vf, x, s->f) || ims__vf_jac(&s->vf, x, s->J))
    return 1;
  for (int j = 0; j < n; j++)
    s->sc[j] = fabs(x[j]) + s->floor[j];
  for (int i = 0; i < n; i++) {
    /* the row scale leaves f out: a large residual must not shrink its row
     * below the rank cut and hide the direction that removes it */
    double r = 0;
    for (int j = 0; j < n; j++)
      r += fabs(s->J[i * n + j]) * s->sc[j];
    s->w[i] = r > 0 ? 1 / r : fabs(s->f[i]) > 0 ? 1 / fabs(s->f[i]) : 1;
    for (int j = 0; j < n; j++)
      s->A[i * n + j] = s->w[i] * s->J[i * n + j] * s->sc[j];
    s->b[i] = -s->w[i] * s->f[i];
  }
  if (ims__svd_solve(&s->svd, s->A, s->b, s->u, 1e-12, NULL) < 0)
    return 1;
  for (int j = 0; j < n; j++)
    s->d[j] = s->sc[j] * s->u[j];
  return 0;
}

/* The size of the Newton correction relative to the state, or infinity when
 * the step leaves part of the residual unexplained: a row of J that is zero
 * (or below the rank cut) with f_i != 0 has no root nearby, however small d. */
static double max_rel(const ims_eq_t *s, const double *x, const double *d)
{
  int n = s->n;
  double r = 0;
  for (int j = 0; j < n; j++)
    r = fmax(r, rel(s, x, j, d[j]));
  for (int i = 0; i < n; i++) {
    double lin = s->f[i];
    for (int j = 0; j < n; j++)
      lin += s->J[i * n + j] * d[j];
    if (fabs(s->w[i] * lin) > 1e-8 * fmax(1, fabs(s->w[i] * s->f[i])))
      return INFINITY;
  }
  return r;
}

static double scaled_norm(const ims_eq_t *s, const double *f)
{
  double r = 0;
  for (int i = 0; i < s->n; i++)
    r += (s->w[i] * f[i]) * (s->w[i] * f[i]);
  return sqrt(r);
}

static int in_guard(const ims_eq_t *s, const double *x)
{
  for (int j = 0; j < s->n; j++) {
    double span = s->hi[j] - s->lo[j];
    if (!(x[j] >= s->lo[j] - span && x[j] <= s->hi[j] + 10 * span))
      return 0;
  }
  return 1;
}

/* Damped (deflated) Newton from x.  Returns 0 when converged (x is then the
 * root after a final full step), 1 otherwise. */
static int newton(ims_eq_t *s, double *x, int deflate, int maxit, double *rcorr)
{
  int n = s->n;
  for (int it = 0; it < maxit; it++) {
    if (newton_step(s, x))
      return 1;
    double r = max_rel(s, x, s->d);
    if (r <= s->o.xtol) {
      for (int j = 0; j < n; j++)
        x[j] += s->d[j];
      if (rcorr)
        *rcorr = r;
      return 0;
    }
    double tau = 1, lm = 0;
    if (deflate && s->nroots) {
      lm = deflation(s, x, s->eta);
      double dot = 0;
      for (int j = 0; j < n; j++)
        dot += s->eta[j] * s->d[j];
      tau = 1 / (1 - dot);
      if (!isfinite(tau) || !isfinite(lm))
        return 1;
      tau = fmax(-1e3, fmin(1e3, tau));
    }
    double phi = exp(lm) * scaled_norm(s, s->f), lam = 1;
    int ok = 0;
    for (int ls = 0; ls < 40 && !ok; ls++, lam *= 0.5) {
      for (int j = 0; j < n; j++)
        s->xt[j] = x[j] + lam * tau * s->d[j];
      if (!in_guard(s, s->xt) || ims__vf_f(&s->vf, s->xt, s->ft))
        continue;
      double lmt = deflate && s->nroots ? deflation(s, s->xt, NULL) : 0;
      double phit = exp(lmt) * scaled_norm(s, s->ft);
      ok = isfinite(phit) && phit < (1 - 1e-4 * lam) * phi;
    }
    if (!ok)
      return 1;
    memcpy(x, s->xt, (size_t)n * sizeof *x);
  }
  return 1;
}

/* ---- roots ---------------------------------------------------------------- */

static int same_point(const ims_eq_t *s, const double *x, const double *y)
{
  for (int j = 0; j < s->n; j++)
    if (fabs(x[j] - y[j]) > s->o.same_tol * (fmax(fabs(x[j]), fabs(y[j])) + s->floor[j]))
      return 0;
  return 1;
}

static int known_root(const ims_eq_t *s, const double *x)
{
  for (int k = 0; k < s->nroots; k++)
    if (same_point(s, x, s->roots + (size_t)k * (size_t)s->n))
      return 1;
  return 0;
}

static int in_box(const ims_eq_t *s, const double *x)
{
  for (int j = 0; j < s->n; j++)
    if (!(x[j] >= s->lo[j] - s->floor[j] && x[j] <= s->hi[j] + s->floor[j]))
      return 0;
  return 1;
}

/* States within floor of a zero lower bound are set to exactly 0 when the
 * point stays converged there (an invariant face: T = 0 of a tumour). */
static void snap_boundary(ims_eq_t *s, double *x, double *rcorr)
{
  int n = s->n, changed = 0;
  memcpy(s->x2, x, (size_t)n * sizeof *x);
  for (int j = 0; j < n; j++)
    if (s->lo[j] == 0 && x[j] != 0 && fabs(x[j]) <= s->floor[j]) {
      s->x2[j] = 0;
      changed = 1;
    }
  if (!changed || newton_step(s, s->x2))
    return;
  double r = max_rel(s, s->x2, s->d);
  if (r <= s->o.xtol) {
    memcpy(x, s->x2, (size_t)n * sizeof *x);
    *rcorr = r;
  }
}

/* A continuum passes through x when the Jacobian is singular and Newton from
 * a point off x along the null direction settles away from x. */
static int isolated(ims_eq_t *s, const double *x)
{
  int n = s->n;
  if (newton_step(s, x))
    return 1;
  double v[64], *vv = n <= 64 ? v : NULL;
  if (!vv)
    return 1; /* not checked for very large models */
  double srel = ims__svd_null(&s->svd, s->A, vv);
  if (srel < 0 || srel > 1e-10)
    return 1;
  const double eps = 1e-3;
  double y[64];
  for (int j = 0; j < n; j++)
    y[j] = x[j] + eps * s->sc[j] * vv[j];
  double rc;
  if (newton(s, y, 0, 30, &rc))
    return 1;
  double dist = 0;
  for (int j = 0; j < n; j++)
    dist = fmax(dist, fabs(y[j] - x[j]) / s->sc[j]);
  return dist < 0.5 * eps;
}

/* Both x and y lie on one straight continuum of equilibria. */
static int same_continuum(ims_eq_t *s, const double *x, const double *y)
{
  int n = s->n;
  for (int k = 1; k <= 3; k++) {
    double a = k / 4.0;
    for (int j = 0; j < n; j++)
      s->x2[j] = x[j] + a * (y[j] - x[j]);
    if (newton_step(s, s->x2) || max_rel(s, s->x2, s->d) > 1e3 * s->o.xtol)
      return 0;
  }
  return 1;
}

static int analyse(ims_eq_t *s, ims_equilibrium_t *e)
{
  int n = s->n;
  if (ims__vf_jac(&s->vf, e->x, s->J) || ims__eig_run(&s->eig, s->J, e->re, e->im)) {
    e->type = IMS_EQ_UNKNOWN;
    e->stability = IMS_NEUTRAL;
    e->nunstable = 0;
  } else {
    e->type = ims_eq_classify(n, e->re, e->im, s->eig_tol, &e->stability, &e->nunstable);
  }
  e->nboundary = 0;
  for (int j = 0; j < n; j++)
    e->nboundary += e->x[j] == 0;
  return 0;
}

static void add_root(ims_eq_t *s, const double *x, double rcorr)
{
  int n = s->n;
  if (s->nroots < MAX_ROOTS)
    memcpy(s->roots + (size_t)s->nroots++ * (size_t)n, x, (size_t)n * sizeof *x);
  if (!in_box(s, x))
    return;
  int iso = isolated(s, x);
  for (int k = 0; !iso && k < s->count; k++)
    if (!s->eq[k].isolated && same_continuum(s, s->eq[k].x, x))
      return;
  if (s->count >= s->cap) {
    s->truncated = 1;
    return;
  }
  ims_equilibrium_t *e = &s->eq[s->count++];
  memcpy(e->x, x, (size_t)n * sizeof *x);
  for (int j = 0; j < n; j++) /* a root a rounding error outside the box sits on it */
    e->x[j] = fmin(fmax(e->x[j], s->lo[j]), s->hi[j]);
  e->isolated = iso;
  e->rcorr = rcorr;
  analyse(s, e);
}

/* Start k: 0 is the initial state, 1 the lower corner, then Halton points. */
static void start_point(ims_eq_t *s, int k, gsl_qrng *q, double *x, double *u)
{
  int n = s->n;
  if (k == 0) {
    for (int j = 0; j < n; j++)
      x[j] = fmin(fmax(s->y0[j], s->lo[j]), s->hi[j]);
    return;
  }
  if (k == 1) {
    memcpy(x, s->lo, (size_t)n * sizeof *x);
    return;
  }
  gsl_qrng_get(q, u);
  for (int j = 0; j < n; j++) {
    double lo = s->lo[j], hi = s->hi[j];
    if (lo == 0 && u[n + j] < 0.25)
      x[j] = 0;
    else if (lo >= 0) {
      double a = lo > 0 ? lo : hi * 1e-10;
      x[j] = a * pow(hi / a, u[j]);
    } else
      x[j] = lo + u[j] * (hi - lo);
  }
}

static int cmp_eq(const void *a, const void *b, void *n)
{
  const ims_equilibrium_t *x = a, *y = b;
  for (int j = 0; j < *(int *)n; j++)
    if (x->x[j] != y->x[j])
      return x->x[j] < y->x[j] ? -1 : 1;
  return 0;
}

static void sort_eq(ims_eq_t *s)
{
  /* insertion sort: a handful of entries, no qsort_r portability issue */
  int n = s->n;
  for (int i = 1; i < s->count; i++) {
    ims_equilibrium_t t = s->eq[i];
    int k = i;
    while (k > 0 && cmp_eq(&s->eq[k - 1], &t, &n) > 0) {
      s->eq[k] = s->eq[k - 1];
      k--;
    }
    s->eq[k] = t;
  }
}

static int prepare(ims_eq_t *s, const double *p, const double *lo, const double *hi,
                   const ims_eq_opts_t *o, ims_err_t *err)
{
  const ims_model_t *m = s->m;
  int n = s->n;
  memcpy(s->vf.p, p, (size_t)ims_model_nvalues(m) * sizeof *p);
  s->vf.t = o ? o->t : 0;
  fill_opts(&s->o, o, n, m->jac != NULL);
  s->eig_tol = s->o.eig_tol;
  if (lo && hi) {
    memcpy(s->lo, lo, (size_t)n * sizeof *lo);
    memcpy(s->hi, hi, (size_t)n * sizeof *hi);
  } else {
    ims_eq_box_default(m, p, s->lo, s->hi);
    if (lo)
      memcpy(s->lo, lo, (size_t)n * sizeof *lo);
    if (hi)
      memcpy(s->hi, hi, (size_t)n * sizeof *hi);
  }
  for (int j = 0; j < n; j++) {
    if (!isfinite(s->lo[j]) || !isfinite(s->hi[j]) || !(s->hi[j] > s->lo[j]))
      return ims_err_set(err, IMS_EINPUT,
                         "equilibria: the box of %s is [%g, %g]; give finite bounds lo < hi",
                         m->states[j].name, s->lo[j], s->hi[j]);
    s->floor[j] = 1e-12 * (s->hi[j] - s->lo[j]);
    s->sc[j] = s->floor[j];
  }
  initial_state(m, p, s->y0);
  if (s->cap < s->o.max_eq) {
    ims_equilibrium_t *eq = realloc(s->eq, (size_t)s->o.max_eq * sizeof *eq);
    if (eq)
      s->eq = eq;
    double *st = eq ? realloc(s->store, (size_t)s->o.max_eq * 3 * (size_t)n * sizeof *st) : NULL;
    if (!eq || !st)
      return ims_err_set(err, IMS_ENOMEM, "out of memory");
    s->store = st;
    s->cap = s->o.max_eq;
  }
  s->cap = s->o.max_eq;
  for (int k = 0; k < s->cap; k++) {
    s->eq[k].x = s->store + (size_t)k * 3 * (size_t)n;
    s->eq[k].re = s->eq[k].x + n;
    s->eq[k].im = s->eq[k].re + n;
  }
  s->count = s->nroots = s->truncated = 0;
  s->vf.nf = s->vf.nj = 0;
  return IMS_OK;
}

int ims_eq_find(ims_eq_t *s, const double *p, const double *lo, const double *hi,
                const ims_eq_opts_t *o, ims_err_t *err)
{
  int rc = prepare(s, p, lo, hi, o, err);
  if (rc)
    return rc;
  int n = s->n;
  if (2 * n > 1229) /* gsl_qrng_halton's dimension limit */
    return ims_err_set(err, IMS_EINPUT, "equilibria: %s has too many states (%d)", s->m->name, n);
  gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_halton, (unsigned)(2 * n));
  double *u = malloc(2 * (size_t)n * sizeof *u);
  if (!q || !u) {
    if (q)
      gsl_qrng_free(q);
    free(u);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  for (int k = 0; k < s->o.nstarts && !s->truncated; k++) {
    start_point(s, k, q, s->x2, u);
    double x0[64], *xs = n <= 64 ? x0 : malloc((size_t)n * sizeof *xs);
    if (!xs)
      break;
    memcpy(xs, s->x2, (size_t)n * sizeof *xs);
    for (int r = 0; r < s->o.per_start && !s->truncated; r++) {
      memcpy(s->x, xs, (size_t)n * sizeof *xs);
      double rcorr = 0;
      if (newton(s, s->x, 1, s->o.max_iter, &rcorr))
        break;
      /* polish without deflation, then try the face */
      if (newton(s, s->x, 0, 8, &rcorr))
        break;
      snap_boundary(s, s->x, &rcorr);
      if (known_root(s, s->x))
        break;
      add_root(s, s->x, rcorr);
    }
    if (xs != x0)
      free(xs);
  }
  gsl_qrng_free(q);
  free(u);
  sort_eq(s);
  return IMS_OK;
}

int ims_eq_count(const ims_eq_t *s)
{
  return s->count;
}

const ims_equilibrium_t *ims_eq_get(const ims_eq_t *s, int k)
{
  return k >= 0 && k < s->count ? &s->eq[k] : NULL;
}

const double *ims_eq_lo(const ims_eq_t *s)
{
  return s->lo;
}

const double *ims_eq_hi(const ims_eq_t *s)
{
  return s->hi;
}

void ims_eq_work(const ims_eq_t *s, long *nrhs, long *njac)
{
  *nrhs = s->vf.nf;
  *njac = s->vf.nj;
}

int ims_eq_truncated(const ims_eq_t *s)
{
  return s->truncated;
}

int ims_eq_analyse(ims_eq_t *s, const double *p, const double *x, ims_equilibrium_t *e,
                   ims_err_t *err)
{
  memcpy(s->vf.p, p, (size_t)ims_model_nvalues(s->m) * sizeof *p);
  if (s->eig_tol <= 0)
    fill_opts(&s->o, NULL, s->n, s->m->jac != NULL), s->eig_tol = s->o.eig_tol;
  if (e->x != x)
    memcpy(e->x, x, (size_t)s->n * sizeof *x);
  analyse(s, e);
  e->isolated = 1;
  e->rcorr = NAN;
  if (e->type == IMS_EQ_UNKNOWN)
    return ims_err_set(err, IMS_EINPUT, "model %s: no Jacobian or eigenvalues at this point",
                       s->m->name);
  return IMS_OK;
}
