/* Phase-plane data for two states of a model: the direction field on a grid
 * and the nullclines (f_x = 0 and f_y = 0) as polylines.
 *
 * For a model with more than two states the plane is a projection, and the
 * other states are either
 *   fixed   at given values (ims_plane_t.base: an equilibrium from
 *           ims_eq_find, the initial state, ...), so the plane shows the
 *           vector field on a slice; or
 *   slaved  at their own equilibrium given (x, y) (quasi-steady state: the
 *           fast IL-2 of Kirschner-Panetta), solved by Newton from base at
 *           every grid point; points where that fails are NaN.
 * Equilibria of the full model lie on both nullclines in either mode (in
 * fixed mode only when base is that equilibrium).
 *
 * Nullclines come from marching squares on the grid; every crossing point
 * on a grid edge is then solved to 1e-12 of the edge (Illinois regula
 * falsi), so the points lie on the nullcline, not on an interpolation.  A
 * grid line on which f vanishes at every node (the T = 0 axis of a tumour
 * equation T*g) is reported as a nullcline too. */
#ifndef IMMUNOSIM_PHASE_H
#define IMMUNOSIM_PHASE_H

#include "immunosim/err.h"
#include "immunosim/model.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ims_plane {
  int ix, iy;            /* the two states (ix != iy) */
  double x0, x1, y0, y1; /* ranges (x0 < x1, y0 < y1) */
  int nx, ny;            /* grid points per axis (>= 2) */
  int logx, logy;        /* log-spaced axes (ranges > 0) */
  const double *base;    /* every state's value (NULL: the initial state) */
  int slaved;            /* 1: the other states at their quasi-steady state */
  double t;              /* time at which the vector field is frozen (0) */
} ims_plane_t;

/* The grid and the field: x[i] (nx), y[j] (ny), fx/fy[j*nx + i]; NaN where
 * the model (or the slaved solve) fails. */
int ims_plane_field(const ims_model_t *m, const double *p, const ims_plane_t *pl, double *x,
                    double *y, double *fx, double *fy, ims_err_t *err);

/* The full state at the point (x, y) of the plane: base with x and y in
 * place, or with the other states slaved (Newton from base).  IMS_ESOLVER
 * when the slaved solve fails there. */
int ims_plane_lift(const ims_model_t *m, const double *p, const ims_plane_t *pl, double x, double y,
                   double *state, ims_err_t *err);

/* Arrows for a drawing of the field (ims_plane_field's grid): each points
 * along the flow and is `len` grid cells long on the drawn axes (log axes
 * measure in decades), so a field with rates of very different size stays
 * readable; ax, ay are the arrow's x and y extents in the data's units
 * (NaN where the field is NaN or zero). */
void ims_plane_arrows(const ims_plane_t *pl, const double *x, const double *y, const double *fx,
                      const double *fy, double len, double *ax, double *ay);

typedef struct ims_ncpoint {
  int which; /* 0: f_x = 0 (the nullcline of ix), 1: f_y = 0 */
  int seg;   /* polyline number (within `which`) */
  double x, y;
} ims_ncpoint_t;

typedef struct ims_nullclines {
  size_t n;
  ims_ncpoint_t *pt; /* polylines one after the other */
} ims_nullclines_t;

int ims_plane_nullclines(const ims_model_t *m, const double *p, const ims_plane_t *pl,
                         ims_nullclines_t **out, ims_err_t *err);
void ims_nullclines_free(ims_nullclines_t *nc);

#ifdef __cplusplus
}
#endif
#endif
