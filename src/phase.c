/* Phase-plane direction field and nullclines (see phase.h). */
#include "immunosim/phase.h"

#include "dyn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct pc {
  const ims_model_t *m;
  const ims_plane_t *pl;
  int n, no;
  ims__vf_t vf;
  ims__svd_t svd;
  int *oth;
  double *base, *z, *f, *J, *A, *b, *u, *fl;
} pc_t;

static void pc_free(pc_t *c)
{
  ims__vf_free(&c->vf);
  if (c->no)
    ims__svd_free(&c->svd);
  free(c->oth);
  double *arr[] = {c->base, c->z, c->f, c->J, c->A, c->b, c->u, c->fl};
  for (size_t i = 0; i < sizeof arr / sizeof *arr; i++)
    free(arr[i]);
}

static int pc_init(pc_t *c, const ims_model_t *m, const double *p, const ims_plane_t *pl,
                   ims_err_t *err)
{
  memset(c, 0, sizeof *c);
  int n = m->nstates;
  c->m = m;
  c->pl = pl;
  c->n = n;
  if (pl->ix < 0 || pl->ix >= n || pl->iy < 0 || pl->iy >= n || pl->ix == pl->iy)
    return ims_err_set(err, IMS_EINPUT, "phase plane: give two different states of %s", m->name);
  if (pl->nx < 2 || pl->ny < 2 || (size_t)pl->nx * (size_t)pl->ny > 4000000)
    return ims_err_set(err, IMS_EINPUT, "phase plane: the grid needs 2 to 2000 points per axis");
  if (!(pl->x1 > pl->x0) || !(pl->y1 > pl->y0) || !isfinite(pl->x0 + pl->x1 + pl->y0 + pl->y1))
    return ims_err_set(err, IMS_EINPUT, "phase plane: the ranges must be finite with lo < hi");
  if ((pl->logx && !(pl->x0 > 0)) || (pl->logy && !(pl->y0 > 0)))
    return ims_err_set(err, IMS_EINPUT, "phase plane: a log axis needs a range above 0");
  c->no = pl->slaved ? n - 2 : 0;
  size_t un = (size_t)n, no = (size_t)(c->no > 0 ? c->no : 1);
  int bad = ims__vf_alloc(&c->vf, m, p, pl->t, err) != 0;
  if (bad)
    return err ? err->code : IMS_ENOMEM;
  bad |= !(c->oth = calloc(un, sizeof *c->oth));
  double **vec[] = {&c->base, &c->z, &c->f, &c->b, &c->u, &c->fl};
  for (size_t i = 0; i < sizeof vec / sizeof *vec; i++)
    bad |= !(*vec[i] = calloc(un, sizeof(double)));
  bad |= !(c->J = calloc(un * un, sizeof(double))) || !(c->A = calloc(no * no, sizeof(double)));
  bad |= c->no > 0 && ims__svd_alloc(&c->svd, c->no) != 0;
  if (bad) {
    pc_free(c);
    return ims_err_set(err, IMS_ENOMEM, "out of memory");
  }
  if (pl->base)
    memcpy(c->base, pl->base, un * sizeof *c->base);
  else
    ims_model_initial_state(m, p, c->base, c->vf.work);
  for (int i = 0, k = 0; i < n; i++) {
    if (i != pl->ix && i != pl->iy)
      c->oth[k++] = i;
    c->fl[i] = 1e-12 * (fabs(c->base[i]) + 1);
  }
  memcpy(c->z, c->base, un * sizeof *c->z);
  return IMS_OK;
}

/* Newton for the slaved states at the current (x, y) from the guess in z. */
static int slave(pc_t *c)
{
  int n = c->n, no = c->no;
  for (int it = 0; it < 40; it++) {
    if (ims__vf_f(&c->vf, c->z, c->f) || ims__vf_jac(&c->vf, c->z, c->J))
      return 1;
    for (int k = 0; k < no; k++) {
      int i = c->oth[k];
      double r = 0;
      for (int l = 0; l < no; l++)
        r += fabs(c->J[i * n + c->oth[l]]) * (fabs(c->z[c->oth[l]]) + c->fl[c->oth[l]]);
      double w = r > 0 ? 1 / r : 1;
      for (int l = 0; l < no; l++) {
        int j = c->oth[l];
        c->A[k * no + l] = w * c->J[i * n + j] * (fabs(c->z[j]) + c->fl[j]);
      }
      c->b[k] = -w * c->f[i];
    }
    if (ims__svd_solve(&c->svd, c->A, c->b, c->u, 1e-12, NULL) < 0)
      return 1;
    double mx = 0;
    for (int l = 0; l < no; l++) {
      int j = c->oth[l];
      double step = c->u[l] * (fabs(c->z[j]) + c->fl[j]);
      /* damped: no state may lose more than 90 % or change sign in one step */
      if (c->z[j] > 0 && step < -0.9 * c->z[j])
        step = -0.9 * c->z[j];
      c->z[j] += step;
      mx = fmax(mx, fabs(step) / (fabs(c->z[j]) + c->fl[j]));
    }
    if (mx <= 1e-12)
      return 0;
  }
  return 1;
}

/* f_x and f_y at (x, y). */
static int eval(pc_t *c, double x, double y, double *g)
{
  const ims_plane_t *pl = c->pl;
  c->z[pl->ix] = x;
  c->z[pl->iy] = y;
  if (c->no > 0 && slave(c) != 0) {
    for (int k = 0; k < c->no; k++) /* start again from base */
      c->z[c->oth[k]] = c->base[c->oth[k]];
    if (slave(c) != 0)
      return 1;
  }
  if (ims__vf_f(&c->vf, c->z, c->f))
    return 1;
  g[0] = c->f[pl->ix];
  g[1] = c->f[pl->iy];
  return 0;
}

static double axis(double a, double b, int lg, double q)
{
  return lg ? a * pow(b / a, q) : a + q * (b - a);
}

static void grid(const ims_plane_t *pl, double *x, double *y)
{
  for (int i = 0; i < pl->nx; i++)
    x[i] = i == pl->nx - 1 ? pl->x1 : axis(pl->x0, pl->x1, pl->logx, (double)i / (pl->nx - 1));
  for (int j = 0; j < pl->ny; j++)
    y[j] = j == pl->ny - 1 ? pl->y1 : axis(pl->y0, pl->y1, pl->logy, (double)j / (pl->ny - 1));
}

static int field(pc_t *c, const double *x, const double *y, double *fx, double *fy)
{
  const ims_plane_t *pl = c->pl;
  for (int j = 0; j < pl->ny; j++)
    for (int i = 0; i < pl->nx; i++) {
      /* serpentine order: every point warm-starts the slaved solve from a neighbour */
      int ii = j % 2 ? pl->nx - 1 - i : i;
      double g[2];
      size_t k = (size_t)j * (size_t)pl->nx + (size_t)ii;
      if (eval(c, x[ii], y[j], g))
        g[0] = g[1] = NAN;
      fx[k] = g[0];
      fy[k] = g[1];
    }
  return IMS_OK;
}

int ims_plane_field(const ims_model_t *m, const double *p, const ims_plane_t *pl, double *x,
                    double *y, double *fx, double *fy, ims_err_t *err)
{
  pc_t c;
  int rc = pc_init(&c, m, p, pl, err);
  if (rc)
    return rc;
  grid(pl, x, y);
  field(&c, x, y, fx, fy);
  pc_free(&c);
  return IMS_OK;
}

int ims_plane_lift(const ims_model_t *m, const double *p, const ims_plane_t *pl, double x, double y,
                   double *state, ims_err_t *err)
{
  ims_plane_t one = *pl; /* any valid grid: only (x, y) is evaluated */
  one.nx = one.ny = 2;
  one.x0 = x - 1 - fabs(x);
  one.x1 = x + 1 + fabs(x);
  one.y0 = y - 1 - fabs(y);
  one.y1 = y + 1 + fabs(y);
  one.logx = one.logy = 0;
  pc_t c;
  int rc = pc_init(&c, m, p, &one, err);
  if (rc)
    return rc;
  double g[2];
  if (eval(&c, x, y, g))
    rc = ims_err_set(err, IMS_ESOLVER,
                     "phase plane: the other states of %s have no equilibrium found at %s = %g, "
                     "%s = %g",
                     m->name, m->states[pl->ix].name, x, m->states[pl->iy].name, y);
  else
    memcpy(state, c.z, (size_t)c.n * sizeof *state);
  pc_free(&c);
  return rc;
}

void ims_plane_arrows(const ims_plane_t *pl, const double *x, const double *y, const double *fx,
                      const double *fy, double len, double *ax, double *ay)
{
  /* one grid cell in drawn units: log axes measure in decades */
  double cx = (pl->logx ? log10(pl->x1 / pl->x0) : pl->x1 - pl->x0) / (pl->nx - 1);
  double cy = (pl->logy ? log10(pl->y1 / pl->y0) : pl->y1 - pl->y0) / (pl->ny - 1);
  for (int j = 0; j < pl->ny; j++)
    for (int i = 0; i < pl->nx; i++) {
      size_t k = (size_t)j * (size_t)pl->nx + (size_t)i;
      /* the flow in cells per unit time on the drawn axes */
      double u = (pl->logx ? fx[k] / (x[i] * M_LN10) : fx[k]) / cx;
      double v = (pl->logy ? fy[k] / (y[j] * M_LN10) : fy[k]) / cy;
      double r = hypot(u, v);
      if (!(r > 0) || !isfinite(r)) {
        ax[k] = ay[k] = NAN;
        continue;
      }
      double du = len * u / r * cx, dv = len * v / r * cy;
      ax[k] = pl->logx ? x[i] * (pow(10, du) - 1) : du;
      ay[k] = pl->logy ? y[j] * (pow(10, dv) - 1) : dv;
    }
}

/* ---- nullclines -------------------------------------------------------------- */

typedef struct nc {
  ims_ncpoint_t *pt;
  size_t n, cap;
} ncb_t;

static int push(ncb_t *b, int which, int seg, double x, double y)
{
  if (b->n == b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 512;
    ims_ncpoint_t *p = realloc(b->pt, cap * sizeof *p);
    if (!p)
      return IMS_ENOMEM;
    b->pt = p;
    b->cap = cap;
  }
  b->pt[b->n++] = (ims_ncpoint_t){which, seg, x, y};
  return IMS_OK;
}

/* The zero of f_which on the segment from (xa, ya) to (xb, yb) (in grid
 * coordinates: log where the axis is log), by the Illinois variant of
 * regula falsi from the bracketing values ga, gb; the bracket is kept even
 * if a re-evaluation disagrees in sign with ga or gb. */
static void edge_root(pc_t *c, int which, double xa, double ya, double xb, double yb, double ga,
                      double gb, double *xr, double *yr)
{
  const ims_plane_t *pl = c->pl;
  double lo = 0, hi = 1, flo = ga, fhi = gb, s = ga == 0 ? 0 : gb == 0 ? 1 : 0.5;
  int side = 0;
  /* signs as in march(): v >= 0 is "positive"; an exact zero at an end is the root */
  for (int it = 0; it < 200 && hi - lo > 1e-12 && ga != 0 && gb != 0; it++) {
    s = flo != fhi ? (lo * fhi - hi * flo) / (fhi - flo) : 0.5 * (lo + hi);
    if (!(s > lo && s < hi))
      s = 0.5 * (lo + hi);
    double x = pl->logx ? xa * pow(xb / xa, s) : xa + s * (xb - xa);
    double y = pl->logy ? ya * pow(yb / ya, s) : ya + s * (yb - ya);
    double g[2];
    if (eval(c, x, y, g) || !isfinite(g[which])) {
      s = 0.5 * (lo + hi);
      break;
    }
    double v = g[which];
    if (v == 0)
      break;
    if ((v >= 0) == (flo >= 0)) {
      lo = s;
      flo = v;
      if (side == -1)
        fhi *= 0.5;
      side = -1;
    } else {
      hi = s;
      fhi = v;
      if (side == 1)
        flo *= 0.5;
      side = 1;
    }
  }
  *xr = pl->logx ? xa * pow(xb / xa, s) : xa + s * (xb - xa);
  *yr = pl->logy ? ya * pow(yb / ya, s) : ya + s * (yb - ya);
}

/* Marching squares on G (nx*ny) for nullcline `which`; polylines into b. */
static int march(pc_t *c, const double *x, const double *y, const double *G, int which, ncb_t *b,
                 int *seg)
{
  const ims_plane_t *pl = c->pl;
  int nx = pl->nx, ny = pl->ny;
  size_t nH = (size_t)ny * (size_t)(nx - 1), ne = nH + (size_t)nx * (size_t)(ny - 1);
  size_t ncell = (size_t)(nx - 1) * (size_t)(ny - 1);
  double *ex = malloc(ne * 2 * sizeof *ex);
  int *deg = calloc(ne, sizeof *deg), *adj = malloc(ne * 2 * sizeof *adj);
  int *segs = malloc(ncell * 4 * sizeof *segs);
  char *used = NULL, *done = calloc(ne, 1), *zrow = calloc((size_t)ny, 1),
       *zcol = calloc((size_t)nx, 1);
  size_t nseg = 0;
  int rc = ex && deg && adj && segs && done && zrow && zcol ? IMS_OK : IMS_ENOMEM;
#define GV(i, j) G[(size_t)(j) * (size_t)nx + (size_t)(i)]
  /* grid lines where f vanishes at every node */
  for (int j = 0; !rc && j < ny; j++) {
    int all = 1;
    for (int i = 0; i < nx && all; i++)
      all = GV(i, j) == 0;
    zrow[j] = (char)all;
    for (int i = 0; all && !rc && i < nx; i++)
      rc = push(b, which, *seg, x[i], y[j]);
    *seg += all;
  }
  for (int i = 0; !rc && i < nx; i++) {
    int all = 1;
    for (int j = 0; j < ny && all; j++)
      all = GV(i, j) == 0;
    zcol[i] = (char)all;
    for (int j = 0; all && !rc && j < ny; j++)
      rc = push(b, which, *seg, x[i], y[j]);
    *seg += all;
  }
  for (int j = 0; !rc && j + 1 < ny; j++)
    for (int i = 0; i + 1 < nx; i++) {
      double v[4] = {GV(i, j), GV(i + 1, j), GV(i + 1, j + 1), GV(i, j + 1)};
      int cx[4] = {i, i + 1, i + 1, i}, cy[4] = {j, j, j + 1, j + 1};
      if (!isfinite(v[0] + v[1] + v[2] + v[3]))
        continue;
      size_t e[4] = {
          (size_t)j * (size_t)(nx - 1) + (size_t)i, nH + (size_t)j * (size_t)nx + (size_t)(i + 1),
          (size_t)(j + 1) * (size_t)(nx - 1) + (size_t)i, nH + (size_t)j * (size_t)nx + (size_t)i};
      int a[4][2] = {{0, 1}, {1, 2}, {3, 2}, {0, 3}}, cross[4], nc = 0;
      for (int k = 0; k < 4; k++) {
        int p = a[k][0], q = a[k][1];
        int onzero = (cy[p] == cy[q] && zrow[cy[p]]) || (cx[p] == cx[q] && zcol[cx[p]]);
        cross[k] = !onzero && (v[p] >= 0) != (v[q] >= 0);
        nc += cross[k];
        if (cross[k] && !done[e[k]]) {
          edge_root(c, which, x[cx[p]], y[cy[p]], x[cx[q]], y[cy[q]], v[p], v[q], &ex[2 * e[k]],
                    &ex[2 * e[k] + 1]);
          done[e[k]] = 1;
        }
      }
      int pairs[2][2], np = 0;
      if (nc == 2) {
        int k0 = -1, k1 = -1;
        for (int k = 0; k < 4; k++)
          if (cross[k]) {
            if (k0 < 0)
              k0 = k;
            else
              k1 = k;
          }
        pairs[np][0] = k0, pairs[np++][1] = k1;
      } else if (nc == 4) { /* saddle cell: the centre decides which corners are cut off */
        double g[2], xc = pl->logx ? sqrt(x[i] * x[i + 1]) : 0.5 * (x[i] + x[i + 1]);
        double yc = pl->logy ? sqrt(y[j] * y[j + 1]) : 0.5 * (y[j] + y[j + 1]);
        int sc = eval(c, xc, yc, g) == 0 && isfinite(g[which]) ? g[which] >= 0 : v[0] >= 0;
        static const int cadj[4][2] = {{0, 3}, {0, 1}, {1, 2}, {2, 3}};
        for (int k = 0; k < 4 && np < 2; k++)
          if ((v[k] >= 0) != sc)
            pairs[np][0] = cadj[k][0], pairs[np++][1] = cadj[k][1];
      }
      for (int k = 0; k < np; k++) {
        size_t ea = e[pairs[k][0]], eb = e[pairs[k][1]];
        segs[2 * nseg] = (int)ea, segs[2 * nseg + 1] = (int)eb;
        if (deg[ea] < 2)
          adj[2 * ea + deg[ea]++] = (int)nseg;
        if (deg[eb] < 2)
          adj[2 * eb + deg[eb]++] = (int)nseg;
        nseg++;
      }
    }
#undef GV
  if (!rc && !(used = calloc(nseg + 1, 1)))
    rc = IMS_ENOMEM;
  /* walk: open polylines from their ends first, then closed loops */
  for (int pass = 0; !rc && pass < 2; pass++)
    for (size_t s0 = 0; !rc && s0 < nseg; s0++) {
      if (used[s0])
        continue;
      int ea = segs[2 * s0], eb = segs[2 * s0 + 1], start;
      if (pass == 0 && deg[ea] != 1 && deg[eb] != 1)
        continue;
      start = pass == 0 && deg[ea] != 1 ? eb : ea;
      int e = start;
      size_t s = s0;
      rc = push(b, which, *seg, ex[2 * e], ex[2 * e + 1]);
      while (!rc && !used[s]) {
        used[s] = 1;
        e = segs[2 * s] == e ? segs[2 * s + 1] : segs[2 * s];
        rc = push(b, which, *seg, ex[2 * e], ex[2 * e + 1]);
        int nxt = -1;
        for (int k = 0; k < deg[e]; k++)
          if (!used[adj[2 * e + k]])
            nxt = adj[2 * e + k];
        if (nxt < 0)
          break;
        s = (size_t)nxt;
      }
      (*seg)++;
    }
  free(ex);
  free(deg);
  free(adj);
  free(segs);
  free(used);
  free(done);
  free(zrow);
  free(zcol);
  return rc;
}

int ims_plane_nullclines(const ims_model_t *m, const double *p, const ims_plane_t *pl,
                         ims_nullclines_t **out, ims_err_t *err)
{
  *out = NULL;
  pc_t c;
  int rc = pc_init(&c, m, p, pl, err);
  if (rc)
    return rc;
  size_t nn = (size_t)pl->nx * (size_t)pl->ny;
  double *x = malloc((size_t)pl->nx * sizeof *x), *y = malloc((size_t)pl->ny * sizeof *y);
  double *gx = malloc(nn * sizeof *gx), *gy = malloc(nn * sizeof *gy);
  ncb_t b = {0};
  rc = x && y && gx && gy ? IMS_OK : IMS_ENOMEM;
  if (!rc) {
    grid(pl, x, y);
    field(&c, x, y, gx, gy);
    int seg = 0;
    rc = march(&c, x, y, gx, 0, &b, &seg);
    seg = 0;
    rc = rc ? rc : march(&c, x, y, gy, 1, &b, &seg);
  }
  if (!rc) {
    *out = malloc(sizeof **out);
    if (*out)
      **out = (ims_nullclines_t){b.n, b.pt};
    else
      rc = IMS_ENOMEM;
  }
  if (rc) {
    free(b.pt);
    rc = ims_err_set(err, rc, "out of memory");
  }
  free(x);
  free(y);
  free(gx);
  free(gy);
  pc_free(&c);
  return rc;
}

void ims_nullclines_free(ims_nullclines_t *nc)
{
  if (!nc)
    return;
  free(nc->pt);
  free(nc);
}
