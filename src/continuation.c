/* Pseudo-arclength continuation of equilibrium branches (see continuation.h).
 *
 * Unknowns z = (x, lambda), lambda = p[par].  A step from z0 with unit
 * tangent t0 (in the scaled coordinates of z0) predicts z0 + h t0 and
 * corrects by Newton on the bordered system
 *     w_i f_i(z) = 0,   t0 . (z - z0)/S = h,
 * whose matrix [W J S_x, W f_lambda S_lambda; t0^T] stays regular at folds,
 * where [J f_lambda] keeps full rank while J does not.  df/dlambda comes from
 * central differences (the model contract has no parameter derivatives);
 * it only shapes Newton's path, not the solution, whose accuracy is set by f.
 * The new tangent solves [W J S, W f_lambda S_lambda; t_prev^T] t = e_N,
 * which keeps the orientation through folds. */
#include "immunosim/continuation.h"

#include "dyn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARC (-1) /* corrector constraint: arclength */
#define META 5   /* branch, type, stability, nunstable, label */

struct ims_cont {
  const ims_model_t *m;
  int n, N, par;
  ims__vf_t vf;
  ims__svd_t svd;
  ims__eig_t eig;
  ims_eq_t *eq;
  ims_cont_opts_t o;
  double a, b, pmin, pmax, srange, eig_tol;
  double *lo, *hi, *fl, *f, *J, *fp, *B, *r, *dv, *w, *re, *im, *zt, *tt;
  /* points */
  int np, cap, nbranch, skipped;
  double *par_v, *xs, *res, *ims;
  int *meta;
};

static const char *const label_names[] = {"",   "start", "end",  "fold", "hopf",
                                          "bp", "box",   "loop", "stop"};

const char *ims_cont_label_name(int label)
{
  return label >= 0 && label <= IMS_LAB_STOP ? label_names[label] : "?";
}

void ims_cont_opts_default(ims_cont_opts_t *o)
{
  memset(o, 0, sizeof *o);
}

void ims_cont_free(ims_cont_t *c)
{
  if (!c)
    return;
  ims__vf_free(&c->vf);
  ims__svd_free(&c->svd);
  ims__eig_free(&c->eig);
  ims_eq_free(c->eq);
  double *arr[] = {c->lo, c->hi, c->fl, c->f,  c->J,  c->fp,    c->B,  c->r,   c->dv,
                   c->w,  c->re, c->im, c->zt, c->tt, c->par_v, c->xs, c->res, c->ims};
  for (size_t i = 0; i < sizeof arr / sizeof *arr; i++)
    free(arr[i]);
  free(c->meta);
  free(c);
}

int ims_cont_alloc(ims_cont_t **out, const ims_model_t *m, ims_err_t *err)
{
  *out = NULL;
  ims_cont_t *c = calloc(1, sizeof *c);
  double *p0 = calloc((size_t)ims_model_nvalues(m) + 1, sizeof *p0);
  if (!c || !p0) {
    free(c);
    free(p0);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  c->m = m;
  c->n = m->nstates;
  c->N = c->n + 1;
  int rc = ims__vf_alloc(&c->vf, m, p0, 0, err);
  free(p0);
  rc = rc ? rc : ims_eq_alloc(&c->eq, m, err);
  if (rc) {
    ims_cont_free(c);
    return rc;
  }
  size_t n = (size_t)c->n, N = (size_t)c->N;
  double **vec[] = {&c->lo, &c->hi, &c->fl, &c->f,  &c->fp, &c->r,
                    &c->dv, &c->w,  &c->re, &c->im, &c->zt, &c->tt};
  int bad = ims__svd_alloc(&c->svd, c->N) != 0 || ims__eig_alloc(&c->eig, c->n) != 0;
  for (size_t i = 0; i < sizeof vec / sizeof *vec; i++)
    bad |= !(*vec[i] = calloc(N, sizeof(double)));
  bad |= !(c->J = calloc(n * n, sizeof(double))) || !(c->B = calloc(N * N, sizeof(double)));
  if (bad) {
    ims_cont_free(c);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  *out = c;
  return IMS_OK;
}

/* ---- points ----------------------------------------------------------------- */

static int push_point(ims_cont_t *c, const double *z, int label)
{
  int n = c->n;
  if (c->np == c->cap) {
    int cap = c->cap ? 2 * c->cap : 256;
    size_t sn = (size_t)cap * (size_t)n;
    double *pv = realloc(c->par_v, (size_t)cap * sizeof *pv);
    if (pv)
      c->par_v = pv;
    double *xs = pv ? realloc(c->xs, sn * sizeof *xs) : NULL;
    if (xs)
      c->xs = xs;
    double *rs = xs ? realloc(c->res, sn * sizeof *rs) : NULL;
    if (rs)
      c->res = rs;
    double *is = rs ? realloc(c->ims, sn * sizeof *is) : NULL;
    if (is)
      c->ims = is;
    int *mt = is ? realloc(c->meta, (size_t)cap * META * sizeof *mt) : NULL;
    if (!mt)
      return IMS_ENOMEM;
    c->meta = mt;
    c->cap = cap;
  }
  size_t k = (size_t)c->np++, off = k * (size_t)n;
  c->par_v[k] = z[n];
  memcpy(c->xs + off, z, (size_t)n * sizeof *z);
  int *mt = c->meta + k * META;
  mt[0] = c->nbranch;
  mt[4] = label;
  /* eigenvalues of the point (J is evaluated by the caller's last eval) */
  c->vf.p[c->par] = z[n];
  if (ims__vf_jac(&c->vf, z, c->J) || ims__eig_run(&c->eig, c->J, c->res + off, c->ims + off)) {
    for (int i = 0; i < n; i++)
      c->res[off + (size_t)i] = c->ims[off + (size_t)i] = NAN;
    mt[1] = IMS_EQ_UNKNOWN;
    mt[2] = IMS_NEUTRAL;
    mt[3] = 0;
  } else {
    mt[1] = ims_eq_classify(n, c->res + off, c->ims + off, c->eig_tol, &mt[2], &mt[3]);
  }
  return IMS_OK;
}

int ims_cont_npoints(const ims_cont_t *c)
{
  return c->np;
}

int ims_cont_nbranches(const ims_cont_t *c)
{
  return c->nbranch;
}

int ims_cont_skipped(const ims_cont_t *c)
{
  return c->skipped;
}

int ims_cont_get(const ims_cont_t *c, int k, ims_cont_point_t *pt)
{
  if (k < 0 || k >= c->np)
    return IMS_EINPUT;
  size_t off = (size_t)k * (size_t)c->n;
  const int *mt = c->meta + (size_t)k * META;
  *pt = (ims_cont_point_t){.branch = mt[0],
                           .par = c->par_v[k],
                           .x = c->xs + off,
                           .re = c->res + off,
                           .im = c->ims + off,
                           .type = mt[1],
                           .stability = mt[2],
                           .nunstable = mt[3],
                           .label = mt[4]};
  return IMS_OK;
}

/* ---- the bordered system -------------------------------------------------------- */

static void scales(const ims_cont_t *c, const double *z, double *S)
{
  for (int j = 0; j < c->n; j++)
    S[j] = fabs(z[j]) + c->fl[j];
  S[c->n] = c->srange;
}

static int eval(ims_cont_t *c, const double *z, int with_f)
{
  int n = c->n;
  c->vf.p[c->par] = z[n];
  if (with_f && ims__vf_f(&c->vf, z, c->f))
    return 1;
  double typ = fmax(fabs(z[n]), c->srange);
  return ims__vf_jac(&c->vf, z, c->J) || ims__vf_dpar(&c->vf, z, c->par, typ, c->fp);
}

/* Rows 0..n-1 of B: the scaled [J f_lambda]; w from the current J. */
static void fill_rows(ims_cont_t *c, const double *S, int new_w)
{
  int n = c->n, N = c->N;
  for (int i = 0; i < n; i++) {
    if (new_w) {
      double s = fabs(c->fp[i]) * S[n];
      for (int j = 0; j < n; j++)
        s += fabs(c->J[i * n + j]) * S[j];
      c->w[i] = s > 0 ? 1 / s : 1;
    }
    for (int j = 0; j < n; j++)
      c->B[i * N + j] = c->w[i] * c->J[i * n + j] * S[j];
    c->B[i * N + n] = c->w[i] * c->fp[i] * S[n];
  }
}

/* Newton on f = 0 plus one constraint, from the guess in z (overwritten):
 * kind ARC: t0 . (z - z0)/S0 = sigma; kind k >= 0: z_k = value.
 * Returns the iterations used, or -1. */
static int corrector(ims_cont_t *c, double *z, const double *z0, const double *S0, const double *t0,
                     int kind, double value)
{
  int n = c->n, N = c->N;
  for (int it = 1; it <= 12; it++) {
    if (eval(c, z, 1))
      return -1;
    fill_rows(c, S0, it == 1);
    for (int i = 0; i < n; i++)
      c->r[i] = -c->w[i] * c->f[i];
    if (kind == ARC) {
      double g = -value;
      for (int j = 0; j < N; j++) {
        c->B[n * N + j] = t0[j];
        g += t0[j] * (z[j] - z0[j]) / S0[j];
      }
      c->r[n] = -g;
    } else {
      for (int j = 0; j < N; j++)
        c->B[n * N + j] = j == kind;
      c->r[n] = -(z[kind] - value) / S0[kind];
    }
    if (ims__svd_solve(&c->svd, c->B, c->r, c->dv, 1e-13, NULL) < 0)
      return -1;
    double mx = 0;
    for (int j = 0; j < N; j++) {
      z[j] += S0[j] * c->dv[j];
      mx = fmax(mx, fabs(c->dv[j]));
    }
    if (!(mx < 1e3))
      return -1;
    if (mx <= 1e-11) {
      /* a state on an invariant zero face (the tumour-free branch) keeps
       * exactly 0, not rounding residue of the SVD solves */
      for (int j = 0; j < n; j++)
        if (fabs(z[j]) <= 1e-15 * (c->hi[j] - c->lo[j]))
          z[j] = 0;
      return it;
    }
  }
  return -1;
}

/* The unit tangent at z in the coordinates scaled by S, oriented along tp
 * (also in S coordinates). */
static int tangent(ims_cont_t *c, const double *z, const double *S, const double *tp, double *t)
{
  int n = c->n, N = c->N;
  if (eval(c, z, 0))
    return 1;
  fill_rows(c, S, 1);
  for (int j = 0; j < N; j++) {
    c->B[n * N + j] = tp[j];
    c->r[j] = j == n;
  }
  int rank = ims__svd_solve(&c->svd, c->B, c->r, t, 1e-13, NULL);
  if (rank < N) { /* tp orthogonal to the branch: take the null vector */
    for (int j = 0; j < N; j++)
      c->B[n * N + j] = 0;
    if (ims__svd_null(&c->svd, c->B, t) < 0)
      return 1;
  }
  double nrm = 0, dot = 0;
  for (int j = 0; j < N; j++) {
    nrm += t[j] * t[j];
    dot += t[j] * tp[j];
  }
  nrm = sqrt(nrm);
  if (!(nrm > 0))
    return 1;
  for (int j = 0; j < N; j++)
    t[j] = (dot < 0 ? -t[j] : t[j]) / nrm;
  return 0;
}

/* Re-express a tangent from S0 coordinates in S1 coordinates (unit norm). */
static void rescale(int N, const double *t0, const double *S0, const double *S1, double *t1)
{
  double nrm = 0;
  for (int j = 0; j < N; j++) {
    t1[j] = t0[j] * S0[j] / S1[j];
    nrm += t1[j] * t1[j];
  }
  nrm = sqrt(nrm);
  for (int j = 0; j < N; j++)
    t1[j] /= nrm;
}

/* ---- test functions -------------------------------------------------------------- */

typedef struct tests {
  int fold, det, hopf; /* signs: lambda-tangent, det J, Hopf product (0: unknown) */
} tests_t;

static int sgn(double x)
{
  return (x > 0) - (x < 0);
}

static int test_signs(ims_cont_t *c, const double *z, const double *t, tests_t *ts)
{
  int n = c->n;
  ts->fold = sgn(t[n]);
  c->vf.p[c->par] = z[n];
  if (ims__vf_jac(&c->vf, z, c->J) || ims__eig_run(&c->eig, c->J, c->re, c->im)) {
    ts->det = ts->hopf = 0;
    return 1;
  }
  ts->det = ims__sign_det(n, c->re, c->im, 0);
  ts->hopf = ims__sign_hopf(n, c->re, c->im, 0);
  return 0;
}

/* A point on the step from z0 (scales S0, tangent t0) at arclength sigma,
 * its tangent, and its test signs. */
static int point_at(ims_cont_t *c, const double *z0, const double *S0, const double *t0,
                    double sigma, double *z, double *t, tests_t *ts)
{
  int N = c->N;
  for (int j = 0; j < N; j++)
    z[j] = z0[j] + sigma * S0[j] * t0[j];
  if (corrector(c, z, z0, S0, t0, ARC, sigma) < 0 || tangent(c, z, S0, t0, t))
    return 1;
  return test_signs(c, z, t, ts);
}

static int which_sign(const tests_t *ts, int kind)
{
  return kind == 0 ? ts->fold : kind == 1 ? ts->det : ts->hopf;
}

/* Bisect the sign change of test `kind` on (lo, hi) of the step (sign0 at
 * lo); the point goes to zb, its arclength to sb, its test signs to tb. */
static int locate(ims_cont_t *c, const double *z0, const double *S0, const double *t0, double lo,
                  double hi, int kind, int sign0, double *zb, double *sb, tests_t *tb)
{
  double t[65], w = hi - lo;
  tests_t ts;
  int ok = 0;
  for (int it = 0; it < 60 && hi - lo > 1e-13 * w; it++) {
    double mid = 0.5 * (lo + hi);
    if (point_at(c, z0, S0, t0, mid, zb, t, &ts))
      break;
    ok = 1;
    int s = which_sign(&ts, kind);
    if (s == 0)
      break;
    if (s == sign0)
      lo = mid;
    else
      hi = mid;
  }
  if (!ok)
    return 1;
  *sb = 0.5 * (lo + hi);
  return point_at(c, z0, S0, t0, *sb, zb, t, tb);
}

/* Is there a complex pair on the imaginary axis at z (a Hopf point rather
 * than a neutral saddle)? */
static int hopf_pair(ims_cont_t *c, const double *z)
{
  int n = c->n;
  c->vf.p[c->par] = z[n];
  if (ims__vf_jac(&c->vf, z, c->J) || ims__eig_run(&c->eig, c->J, c->re, c->im))
    return 0;
  double rho = ims__spectral_radius(n, c->re, c->im);
  for (int i = 0; i < n; i++)
    if (c->im[i] > 1e-8 * rho && fabs(c->re[i]) <= 1e-6 * rho)
      return 1;
  return 0;
}

/* The first component of z outside the box, or -1; *bound gets the face. */
static int outside(const ims_cont_t *c, const double *z, double *bound)
{
  for (int j = 0; j < c->n; j++) {
    /* rounding level only: a branch turning a few cells below T = 0 is outside */
    double tol = 1e-15 * (c->hi[j] - c->lo[j]);
    if (z[j] < c->lo[j] - tol) {
      *bound = c->lo[j];
      return j;
    }
    if (z[j] > c->hi[j] + tol) {
      *bound = c->hi[j];
      return j;
    }
  }
  return -1;
}

typedef struct found {
  double z[65], s;
  int lab;
} found_t;

/* Hopf points on (lo, hi) of the step with test signs a at lo and b at hi. */
static void find_hopf(ims_cont_t *c, const double *z0, const double *S0, const double *t0,
                      double lo, double hi, int a, int b, found_t *f, int *nf)
{
  tests_t ts;
  if (a && b && a != b && *nf < 4 &&
      locate(c, z0, S0, t0, lo, hi, 2, a, f[*nf].z, &f[*nf].s, &ts) == 0 && hopf_pair(c, f[*nf].z))
    f[(*nf)++].lab = IMS_LAB_HOPF;
}

/* Labelled points between z0 and z1 (arclength s1 from z0), in order.
 * Events cluster at folds (two Hopf points either side of a fold cancel in
 * the sign test over the whole step), so once a fold is located the Hopf
 * test is checked on each side of it. */
static int events(ims_cont_t *c, const double *z0, const double *S0, const double *t0,
                  const tests_t *a, const tests_t *b, double s1)
{
  found_t f[4];
  tests_t tf;
  int nf = 0;
  int fold = a->fold && b->fold && a->fold != b->fold;
  if (fold && locate(c, z0, S0, t0, 0, s1, 0, a->fold, f[0].z, &f[0].s, &tf) == 0) {
    f[nf++].lab = IMS_LAB_FOLD;
    double sf = f[0].s;
    if (tf.hopf) {
      find_hopf(c, z0, S0, t0, 0, sf, a->hopf, tf.hopf, f, &nf);
      find_hopf(c, z0, S0, t0, sf, s1, tf.hopf, b->hopf, f, &nf);
    } else
      find_hopf(c, z0, S0, t0, 0, s1, a->hopf, b->hopf, f, &nf);
  } else {
    if (!fold && a->det && b->det && a->det != b->det &&
        locate(c, z0, S0, t0, 0, s1, 1, a->det, f[nf].z, &f[nf].s, &tf) == 0)
      f[nf++].lab = IMS_LAB_BP;
    find_hopf(c, z0, S0, t0, 0, s1, a->hopf, b->hopf, f, &nf);
  }
  /* a step may pass outside the box and back (a fold a fraction of a cell
   * below T = 0): what happens out there is not reported */
  double v;
  for (int i = 0; i < nf; i++)
    if (outside(c, f[i].z, &v) >= 0)
      f[i].s = INFINITY, f[i].lab = IMS_LAB_NONE;
  for (int i = 0; i < nf; i++) { /* by arclength: the nearest not yet written */
    int k = 0;
    for (int j = 1; j < nf; j++)
      if (f[j].s < f[k].s)
        k = j;
    if (f[k].lab != IMS_LAB_NONE && push_point(c, f[k].z, f[k].lab))
      return IMS_ENOMEM;
    f[k].s = INFINITY;
    f[k].lab = IMS_LAB_NONE;
  }
  return IMS_OK;
}

/* Solve for the point where component k of the step z0 -> z1 reaches v. */
static int cut(ims_cont_t *c, const double *z0, const double *S0, const double *t0,
               const double *z1, int k, double v, double *z)
{
  int N = c->N;
  double q = (v - z0[k]) / (z1[k] - z0[k]);
  for (int j = 0; j < N; j++)
    z[j] = z0[j] + q * (z1[j] - z0[j]);
  return corrector(c, z, z0, S0, t0, k, v) < 0;
}

static double arclength(const ims_cont_t *c, const double *z0, const double *S0, const double *t0,
                        const double *z)
{
  double s = 0;
  for (int j = 0; j < c->N; j++)
    s += t0[j] * (z[j] - z0[j]) / S0[j];
  return s;
}

static int same_point(const ims_cont_t *c, const double *x, const double *y)
{
  for (int j = 0; j < c->n; j++)
    if (fabs(x[j] - y[j]) > 1e-6 * (fmax(fabs(x[j]), fabs(y[j])) + c->fl[j]))
      return 0;
  return 1;
}

/* Is the equilibrium x at parameter value lam already the start or the end of a branch? */
static int covered(const ims_cont_t *c, const double *x, double lam)
{
  for (int k = 0; k < c->np; k++) {
    int lab = c->meta[(size_t)k * META + 4];
    if ((lab == IMS_LAB_START || lab == IMS_LAB_END) &&
        fabs(c->par_v[k] - lam) <= 1e-9 * c->srange &&
        same_point(c, c->xs + (size_t)k * (size_t)c->n, x))
      return 1;
  }
  return 0;
}

typedef struct step {
  double z[65], S[65], t[65];
  tests_t ts;
} step_t;

static int trace(ims_cont_t *c, const double *x, double lam, double dir)
{
  int n = c->n, N = c->N, first = c->np, rc;
  step_t A, Bs;
  double tp[65], zc[65];
  memcpy(A.z, x, (size_t)n * sizeof *x);
  A.z[n] = lam;
  scales(c, A.z, A.S);
  for (int j = 0; j < N; j++)
    tp[j] = j == n ? dir : 0;
  if (tangent(c, A.z, A.S, tp, A.t))
    return IMS_OK; /* no branch through this point */
  test_signs(c, A.z, A.t, &A.ts);
  if ((rc = push_point(c, A.z, IMS_LAB_START)))
    return rc;
  double h = c->o.h0;
  int done = 0;
  while (!done) {
    if (c->np - first >= c->o.max_points) {
      c->meta[(size_t)(c->np - 1) * META + 4] = IMS_LAB_STOP;
      break;
    }
    for (int j = 0; j < N; j++)
      Bs.z[j] = A.z[j] + h * A.S[j] * A.t[j];
    int its = corrector(c, Bs.z, A.z, A.S, A.t, ARC, h);
    int ok = its > 0;
    if (ok) {
      scales(c, Bs.z, Bs.S);
      rescale(N, A.t, A.S, Bs.S, tp);
      ok = tangent(c, Bs.z, Bs.S, tp, Bs.t) == 0;
    }
    if (ok) { /* the new tangent, seen in the old coordinates, must not swing */
      double back[65], dot = 0, dist = 0;
      rescale(N, Bs.t, Bs.S, A.S, back);
      for (int j = 0; j < N; j++) {
        dot += back[j] * A.t[j];
        double pred = A.z[j] + h * A.S[j] * A.t[j];
        dist = fmax(dist, fabs(Bs.z[j] - pred) / A.S[j]);
      }
      ok = dot >= 0.9 && dist <= fmax(0.5 * h, 1e-9);
    }
    if (!ok) {
      h *= 0.5;
      if (h < c->o.hmin) {
        c->meta[(size_t)(c->np - 1) * META + 4] = IMS_LAB_STOP;
        done = 1;
      }
      continue;
    }
    /* leaving the range or the box: end on its boundary */
    int end = 0, k = -1;
    double v = 0;
    if (Bs.z[n] > c->pmax || Bs.z[n] < c->pmin) {
      k = n;
      v = Bs.z[n] > c->pmax ? c->pmax : c->pmin;
      end = IMS_LAB_END;
    } else if ((k = outside(c, Bs.z, &v)) >= 0)
      end = IMS_LAB_BOX;
    if (end) {
      if (cut(c, A.z, A.S, A.t, Bs.z, k, v, zc)) {
        c->meta[(size_t)(c->np - 1) * META + 4] = IMS_LAB_STOP;
        break;
      }
      memcpy(Bs.z, zc, (size_t)N * sizeof *zc);
      scales(c, Bs.z, Bs.S);
      rescale(N, A.t, A.S, Bs.S, tp);
      if (tangent(c, Bs.z, Bs.S, tp, Bs.t))
        memcpy(Bs.t, tp, (size_t)N * sizeof *tp);
      done = 1;
    }
    test_signs(c, Bs.z, Bs.t, &Bs.ts);
    double s1 = arclength(c, A.z, A.S, A.t, Bs.z);
    if ((rc = events(c, A.z, A.S, A.t, &A.ts, &Bs.ts, s1)))
      return rc;
    if ((rc = push_point(c, Bs.z, end)))
      return rc;
    /* closed: back at the first point after going some way */
    if (!done && c->np - first > 10 && same_point(c, Bs.z, c->xs + (size_t)first * (size_t)n) &&
        fabs(Bs.z[n] - c->par_v[first]) <= 1e-6 * c->srange) {
      c->meta[(size_t)(c->np - 1) * META + 4] = IMS_LAB_LOOP;
      done = 1;
    }
    /* keep the last known signs through exact zeros */
    if (!Bs.ts.fold)
      Bs.ts.fold = A.ts.fold;
    if (!Bs.ts.det)
      Bs.ts.det = A.ts.det;
    if (!Bs.ts.hopf)
      Bs.ts.hopf = A.ts.hopf;
    A = Bs;
    h = its <= 3 ? fmin(1.5 * h, c->o.hmax) : its >= 7 ? 0.6 * h : h;
  }
  c->nbranch++;
  return IMS_OK;
}

static int start_from(ims_cont_t *c, const double *p, double lam, double dir, ims_err_t *err)
{
  double *pv = malloc((size_t)ims_model_nvalues(c->m) * sizeof *pv);
  if (!pv)
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  memcpy(pv, p, (size_t)ims_model_nvalues(c->m) * sizeof *pv);
  pv[c->par] = lam;
  int rc = ims_eq_find(c->eq, pv, c->lo, c->hi, &c->o.eq, err);
  free(pv);
  for (int k = 0; !rc && k < ims_eq_count(c->eq); k++) {
    const ims_equilibrium_t *e = ims_eq_get(c->eq, k);
    if (!e->isolated) {
      c->skipped++;
      continue;
    }
    if (covered(c, e->x, lam))
      continue;
    rc = trace(c, e->x, lam, dir);
    if (rc)
      rc = ims_err_set(err, rc, "out of memory");
  }
  return rc;
}

int ims_cont_run(ims_cont_t *c, const double *p, int par, double a, double b, const double *lo,
                 const double *hi, const ims_cont_opts_t *o, ims_err_t *err)
{
  const ims_model_t *m = c->m;
  int n = c->n;
  if (par < 0 || par >= m->nparams)
    return ims_err_set(err, IMS_EINPUT,
                       "continuation: parameter %d is not a model parameter (initial values do "
                       "not change equilibria)",
                       par);
  if (!isfinite(a) || !isfinite(b) || a == b)
    return ims_err_set(err, IMS_EINPUT, "continuation: the range %g:%g is empty or not finite", a,
                       b);
  if (n > 64)
    return ims_err_set(err, IMS_EINPUT, "continuation: %s has more than 64 states", m->name);
  if (o)
    c->o = *o;
  else
    ims_cont_opts_default(&c->o);
  if (!(c->o.h0 > 0))
    c->o.h0 = 0.01;
  if (!(c->o.hmin > 0))
    c->o.hmin = 1e-9;
  if (!(c->o.hmax > 0))
    c->o.hmax = 0.05;
  if (c->o.max_points <= 0)
    c->o.max_points = 5000;
  c->eig_tol = c->o.eq.eig_tol > 0 ? c->o.eq.eig_tol : m->jac ? 1e-10 : 1e-6;
  c->par = par;
  c->a = a;
  c->b = b;
  c->pmin = fmin(a, b);
  c->pmax = fmax(a, b);
  c->srange = fabs(b - a);
  memcpy(c->vf.p, p, (size_t)ims_model_nvalues(m) * sizeof *p);
  c->vf.t = c->o.eq.t;
  c->vf.p[par] = a;
  ims_eq_box_default(m, c->vf.p, c->lo, c->hi);
  if (lo)
    memcpy(c->lo, lo, (size_t)n * sizeof *lo);
  if (hi)
    memcpy(c->hi, hi, (size_t)n * sizeof *hi);
  for (int j = 0; j < n; j++) {
    if (!(c->hi[j] > c->lo[j]) || !isfinite(c->lo[j]) || !isfinite(c->hi[j]))
      return ims_err_set(err, IMS_EINPUT, "continuation: the box of %s is [%g, %g]",
                         m->states[j].name, c->lo[j], c->hi[j]);
    c->fl[j] = 1e-6 * (c->hi[j] - c->lo[j]);
  }
  c->vf.typ = c->fl;
  c->np = c->nbranch = c->skipped = 0;
  double dir = b > a ? 1 : -1;
  int rc = start_from(c, p, a, dir, err);
  return rc ? rc : start_from(c, p, b, -dir, err);
}
