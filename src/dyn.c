/* Internal numerics of the dynamics modules (see dyn.h). */
#include "dyn.h"

#include <float.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int ims__vf_alloc(ims__vf_t *v, const ims_model_t *m, const double *p, double t, ims_err_t *err)
{
  memset(v, 0, sizeof *v);
  int n = m->nstates, np = ims_model_nvalues(m);
  if (n < 1 || !m->rhs)
    return ims_err_set(err, IMS_EINPUT, "model %s has no states or no right-hand side", m->name);
  v->m = m;
  v->n = n;
  v->t = t;
  v->p = malloc((size_t)np * sizeof *v->p);
  v->ndose = calloc((size_t)n, sizeof *v->ndose);
  v->work = calloc(m->nwork + 1, sizeof *v->work);
  v->xh = malloc((size_t)n * sizeof *v->xh);
  v->fa = malloc((size_t)n * sizeof *v->fa);
  v->fb = malloc((size_t)n * sizeof *v->fb);
  if (!v->p || !v->ndose || !v->work || !v->xh || !v->fa || !v->fb) {
    ims__vf_free(v);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  memcpy(v->p, p, (size_t)np * sizeof *v->p);
  v->ctx = (ims_ctx_t){.p = v->p, .ndose = v->ndose, .phase = 0, .model = m, .work = v->work};
  return IMS_OK;
}

void ims__vf_free(ims__vf_t *v)
{
  if (!v)
    return;
  free(v->p);
  free(v->ndose);
  free(v->work);
  free(v->xh);
  free(v->fa);
  free(v->fb);
  memset(v, 0, sizeof *v);
}

static int all_finite(const double *x, int n)
{
  for (int i = 0; i < n; i++)
    if (!isfinite(x[i]))
      return 0;
  return 1;
}

int ims__vf_f(ims__vf_t *v, const double *x, double *f)
{
  v->nf++;
  if (!all_finite(x, v->n))
    return 1;
  int rc = v->m->rhs(v->t, x, f, &v->ctx);
  return rc != 0 || !all_finite(f, v->n);
}

/* Difference step for a value of typical size s: cbrt(eps) balances the
 * truncation (h^2) and rounding (eps/h) errors of a central difference. */
static double diff_step(double x, double s)
{
  double a = fmax(fabs(x), s > 0 ? s : 1e-8);
  return cbrt(DBL_EPSILON) * a;
}

int ims__vf_jac(ims__vf_t *v, const double *x, double *J)
{
  int n = v->n;
  v->nj++;
  if (!all_finite(x, n))
    return 1;
  if (v->m->jac) {
    int rc = v->m->jac(v->t, x, J, &v->ctx);
    return rc != 0 || !all_finite(J, n * n);
  }
  memcpy(v->xh, x, (size_t)n * sizeof *x);
  for (int j = 0; j < n; j++) {
    double h = diff_step(x[j], v->typ ? v->typ[j] : 0);
    v->xh[j] = x[j] + h;
    int ok = ims__vf_f(v, v->xh, v->fa) == 0;
    v->xh[j] = x[j] - h;
    double den = 2 * h;
    /* one-sided where the left point fails (a state at its zero bound in
     * a model with sqrt or log terms) */
    if (ok && ims__vf_f(v, v->xh, v->fb) != 0) {
      v->xh[j] = x[j];
      ok = ims__vf_f(v, v->xh, v->fb) == 0;
      den = h;
    }
    v->xh[j] = x[j];
    if (!ok)
      return 1;
    for (int i = 0; i < n; i++)
      J[i * n + j] = (v->fa[i] - v->fb[i]) / den;
  }
  return 0;
}

int ims__vf_dpar(ims__vf_t *v, const double *x, int k, double typ, double *fp)
{
  double pk = v->p[k], h = diff_step(pk, typ);
  v->p[k] = pk + h;
  int ok = ims__vf_f(v, x, v->fa) == 0;
  v->p[k] = pk - h;
  ok = ok && ims__vf_f(v, x, v->fb) == 0;
  v->p[k] = pk;
  if (!ok)
    return 1;
  for (int i = 0; i < v->n; i++)
    fp[i] = (v->fa[i] - v->fb[i]) / (2 * h);
  return 0;
}

/* ---- SVD ---------------------------------------------------------------- */

int ims__svd_alloc(ims__svd_t *s, int n)
{
  memset(s, 0, sizeof *s);
  s->n = n;
  size_t un = (size_t)n;
  s->A = gsl_matrix_alloc(un, un);
  s->V = gsl_matrix_alloc(un, un);
  s->S = gsl_vector_alloc(un);
  s->w = gsl_vector_alloc(un);
  s->b = gsl_vector_alloc(un);
  s->x = gsl_vector_alloc(un);
  if (!s->A || !s->V || !s->S || !s->w || !s->b || !s->x) {
    ims__svd_free(s);
    return IMS_ENOMEM;
  }
  return IMS_OK;
}

void ims__svd_free(ims__svd_t *s)
{
  if (!s)
    return;
  if (s->A)
    gsl_matrix_free(s->A);
  if (s->V)
    gsl_matrix_free(s->V);
  if (s->S)
    gsl_vector_free(s->S);
  if (s->w)
    gsl_vector_free(s->w);
  if (s->b)
    gsl_vector_free(s->b);
  if (s->x)
    gsl_vector_free(s->x);
  memset(s, 0, sizeof *s);
}

/* Factor A = U S V^T in place (U in s->A).  GSL's one-sided Jacobi SVD is
 * accurate to the relative size of every singular value, which the rank
 * decision needs; it is only called with finite input (GSL's error handler,
 * a process-wide setting, is never reached from here). */
static int svd_factor(ims__svd_t *s, const double *A)
{
  int n = s->n;
  if (!all_finite(A, n * n))
    return -1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      gsl_matrix_set(s->A, (size_t)i, (size_t)j, A[i * n + j]);
  return gsl_linalg_SV_decomp_jacobi(s->A, s->V, s->S) == 0 ? 0 : -1;
}

int ims__svd_solve(ims__svd_t *s, const double *A, const double *b, double *x, double rcond,
                   double *srel)
{
  int n = s->n;
  if (svd_factor(s, A) != 0 || !all_finite(b, n))
    return -1;
  double smax = gsl_vector_get(s->S, 0), smin = gsl_vector_get(s->S, (size_t)n - 1);
  if (srel)
    *srel = smax > 0 ? smin / smax : 0;
  int rank = 0;
  for (int i = 0; i < n; i++) {
    double si = gsl_vector_get(s->S, (size_t)i);
    if (smax > 0 && si > rcond * smax)
      rank++;
    else
      gsl_vector_set(s->S, (size_t)i, 0.0); /* SV_solve skips zero singular values */
  }
  for (int i = 0; i < n; i++)
    gsl_vector_set(s->b, (size_t)i, b[i]);
  if (rank == 0) {
    memset(x, 0, (size_t)n * sizeof *x);
    return 0;
  }
  gsl_linalg_SV_solve(s->A, s->V, s->S, s->b, s->x);
  for (int i = 0; i < n; i++)
    x[i] = gsl_vector_get(s->x, (size_t)i);
  return all_finite(x, n) ? rank : -1;
}

double ims__svd_null(ims__svd_t *s, const double *A, double *v)
{
  int n = s->n;
  if (svd_factor(s, A) != 0)
    return -1;
  double nrm = 0;
  for (int i = 0; i < n; i++) {
    v[i] = gsl_matrix_get(s->V, (size_t)i, (size_t)n - 1);
    nrm += v[i] * v[i];
  }
  nrm = sqrt(nrm);
  for (int i = 0; i < n && nrm > 0; i++)
    v[i] /= nrm;
  double smax = gsl_vector_get(s->S, 0);
  return smax > 0 ? gsl_vector_get(s->S, (size_t)n - 1) / smax : 0;
}

/* ---- eigenvalues -------------------------------------------------------- */

int ims__eig_alloc(ims__eig_t *e, int n)
{
  memset(e, 0, sizeof *e);
  e->n = n;
  e->A = gsl_matrix_alloc((size_t)n, (size_t)n);
  e->ev = gsl_vector_complex_alloc((size_t)n);
  e->w = gsl_eigen_nonsymm_alloc((size_t)n);
  if (!e->A || !e->ev || !e->w) {
    ims__eig_free(e);
    return IMS_ENOMEM;
  }
  gsl_eigen_nonsymm_params(0, 1, e->w); /* eigenvalues only, balanced */
  return IMS_OK;
}

void ims__eig_free(ims__eig_t *e)
{
  if (!e)
    return;
  if (e->A)
    gsl_matrix_free(e->A);
  if (e->ev)
    gsl_vector_complex_free(e->ev);
  if (e->w)
    gsl_eigen_nonsymm_free(e->w);
  memset(e, 0, sizeof *e);
}

static int eig_before(double ra, double ia, double rb, double ib)
{
  return ra > rb || (ra == rb && ia > ib);
}

int ims__eig_run(ims__eig_t *e, const double *J, double *re, double *im)
{
  int n = e->n;
  for (int i = 0; i < n; i++)
    re[i] = im[i] = NAN;
  /* Francis QR on non-finite input would not converge, and GSL reports
   * non-convergence through its (process-wide, aborting) error handler. */
  if (!all_finite(J, n * n))
    return 1;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      gsl_matrix_set(e->A, (size_t)i, (size_t)j, J[i * n + j]);
  if (gsl_eigen_nonsymm(e->A, e->ev, e->w) != 0)
    return 1;
  for (int i = 0; i < n; i++) {
    gsl_complex z = gsl_vector_complex_get(e->ev, (size_t)i);
    double r = GSL_REAL(z), c = GSL_IMAG(z);
    int k = i;
    while (k > 0 && eig_before(r, c, re[k - 1], im[k - 1])) {
      re[k] = re[k - 1];
      im[k] = im[k - 1];
      k--;
    }
    re[k] = r;
    im[k] = c;
  }
  return 0;
}

static int sgn(double x, double tol)
{
  return x > tol ? 1 : x < -tol ? -1 : 0;
}

int ims__sign_det(int n, const double *re, const double *im, double tol)
{
  int s = 1;
  for (int i = 0; i < n; i++) {
    if (hypot(re[i], im[i]) <= tol)
      return 0;
    if (im[i] == 0) /* complex pairs contribute |l|^2 > 0 */
      s *= re[i] > 0 ? 1 : -1;
  }
  return s;
}

/* prod_{i<j} (l_i + l_j) is real: a pair of real eigenvalues contributes
 * the sign of their sum, a complex pair mu, conj(mu) contributes 2 Re mu,
 * every other factor comes with its conjugate and is positive.  It changes
 * sign where a complex pair crosses the imaginary axis (Hopf) or two real
 * eigenvalues sum to zero (a neutral saddle), and is continuous where a
 * pair turns from complex to real. */
int ims__sign_hopf(int n, const double *re, const double *im, double tol)
{
  int s = 1;
  for (int i = 0; i < n; i++) {
    if (im[i] > 0) {
      int k = sgn(re[i], tol);
      if (k == 0)
        return 0;
      s *= k;
    } else if (im[i] == 0) {
      for (int j = i + 1; j < n; j++)
        if (im[j] == 0) {
          int k = sgn(re[i] + re[j], tol);
          if (k == 0)
            return 0;
          s *= k;
        }
    }
  }
  return s;
}

double ims__spectral_radius(int n, const double *re, const double *im)
{
  double r = 0;
  for (int i = 0; i < n; i++)
    r = fmax(r, hypot(re[i], im[i]));
  return r;
}
