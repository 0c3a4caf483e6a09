/* Switches of the model's conditions (model.h nswitch/switches): the side
 * each condition is held at, their flips, sliding modes (see the design
 * comment in src/sim.c, "Switches").
 *
 * Between two stops the model evaluates every condition from the side the
 * driver holds it at (ctx->swside), so the RHS keeps its branch and stays
 * smooth even where CVODE's steps go past the switch: the root of g_k comes
 * from a smooth polynomial, as accurate as the solution, and no step mixes
 * two branches (a step that did would pass its error test at its end but not
 * inside, where the root and the outputs come from: 4e-7 relative at rtol
 * 1e-10 was measured that way; and a sensitivity that is 0 before the switch
 * could not pass it at all).  At the root the side flips and CVODE restarts,
 * like at a breakpoint. */
#include "sim_impl.h"

#include <float.h>
#include <math.h>
#include <string.h>

void ims__switch_eval(ims_sim_t *s, double t, const double *y, double *g)
{
  if (s->m->switches(t, y, g, &s->ctx) != 0)
    for (int k = 0; k < s->nsw; k++)
      g[k] = NAN;
}

static void set_side(ims_sim_t *s, int k, int side)
{
  s->sw_side[k] = side;
  s->swside[k] = side;
}

/* How much each switching function moves when every state moves by its
 * solver tolerance, into tol (nsw values; uses the first three quarters of
 * gsw).  Within that band of 0 the side of g is rounding, not a crossing. */
static void switch_tols(ims_sim_t *s, double t, double *tol)
{
  const ims_opts_t *o = s->opts;
  double *y = NV_DATA_S(s->y), *g0 = s->gsw, *g1 = g0 + s->nsw;
  ims__switch_eval(s, t, y, g0);
  memset(tol, 0, (size_t)s->nsw * sizeof *tol);
  for (int i = 0; i < s->n; i++) {
    double yi = y[i], a = (o->atol_vec ? o->atol_vec[i] : o->atol) + o->rtol * fabs(yi);
    y[i] = yi + a;
    ims__switch_eval(s, t, y, g1);
    y[i] = yi;
    for (int k = 0; k < s->nsw; k++)
      if (isfinite(g1[k] - g0[k]))
        tol[k] += fabs(g1[k] - g0[k]);
  }
}

void ims__switch_sides(ims_sim_t *s, double t)
{
  if (!s->nsw)
    return;
  const double *y = NV_DATA_S(s->y);
  double *tol = s->gsw + 2 * s->nsw, *g = s->gsw + 3 * s->nsw;
  switch_tols(s, t, tol);
  ims__switch_eval(s, t, y, g);
  int zero = 0;
  for (int k = 0; k < s->nsw; k++) {
    int sg = (g[k] > 0) - (g[k] < 0);
    /* the first side, or a jump clearly across (a state sitting at the
     * switch it just crossed keeps its side) */
    if (sg && (s->sw_side[k] == 0 || (sg != s->sw_side[k] && fabs(g[k]) > tol[k])))
      set_side(s, k, sg);
    zero |= s->sw_side[k] == 0;
  }
  if (!zero)
    return;
  /* exactly on a switch (a condition on t starting at t0): the side is the
   * one the flow moves into */
  double *f = s->fbuf, *yy = f + s->n, h = 1e-9 * fmax(1.0, fabs(t));
  ims__rhs(s, t, y, f);
  for (int i = 0; i < s->n; i++)
    yy[i] = y[i] + h * f[i];
  ims__switch_eval(s, t + h, yy, g);
  for (int k = 0; k < s->nsw; k++)
    if (s->sw_side[k] == 0 && g[k] != 0 && !isnan(g[k]))
      set_side(s, k, g[k] > 0 ? 1 : -1);
}

int ims__switch_root(ims_sim_t *s, double t, ims_err_t *err)
{
  int any = 0;
  for (int k = 0; k < s->nsw; k++) {
    s->sw_flip[k] = s->rootsfound[2 * s->nw + k];
    any |= s->sw_flip[k] != 0;
  }
  if (!any)
    return IMS_OK;
  s->sw_due = 1;
  /* a backstop for flips that do not advance time (the sliding test below
   * catches the usual case at the first flip) */
  double span = s->tl.tend - s->opts->t0;
  if (!(t - s->sw_t0 <= 1e-6 * span + ims__tl_tol(&s->tl, t))) {
    s->sw_t0 = t;
    s->sw_burst = 0;
  }
  if (++s->sw_burst > IMS__MAX_STUCK)
    return ims_err_set(err, IMS_ESOLVER,
                       "model %s: a condition of the model flips back and forth at t = %.10g %s "
                       "(%d times within %g %s): the equations define no solution past it; change "
                       "the model (or the parameters) so one side holds",
                       s->m->name, t, s->m->time_unit ? s->m->time_unit : "", s->sw_burst,
                       t - s->sw_t0, s->m->time_unit ? s->m->time_unit : "");
  return IMS_OK;
}

/* A flipped switch whose new side's flow drives g straight back across
 * (both sides push towards the switch: a sliding mode): its index, else -1.
 * A push that would not move g by its tolerance band over the whole run is
 * flat to the solver (a state decayed into rounding noise around a condition
 * at 0 with a continuous RHS is an equilibrium on the switch, not a sliding
 * mode). */
static int sliding(ims_sim_t *s, double t)
{
  int n = s->n;
  const double *y = NV_DATA_S(s->y);
  double *f = s->fbuf, *yy = f + n, *gp = s->gsw, *gm = gp + s->nsw, *tol = gm + 2 * s->nsw;
  double hd = 6e-6 * fmax(1.0, fabs(t)), span = s->tl.tend - s->opts->t0;
  switch_tols(s, t, tol); /* first: it uses the first half of gsw */
  ims__rhs(s, t, y, f);   /* the new sides' flow */
  for (int i = 0; i < n; i++)
    yy[i] = y[i] + hd * f[i];
  ims__switch_eval(s, t + hd, yy, gp);
  for (int i = 0; i < n; i++)
    yy[i] = y[i] - hd * f[i];
  ims__switch_eval(s, t - hd, yy, gm);
  for (int k = 0; k < s->nsw; k++) { /* gp: the push back across, or 0 */
    double d = gp[k] - gm[k], noise = 64 * DBL_EPSILON * (fabs(gp[k]) + fabs(gm[k]));
    gp[k] = s->sw_flip[k] && s->sw_flip[k] * d < 0 && fabs(d) > noise ? d : 0;
  }
  for (int k = 0; k < s->nsw; k++)
    if (gp[k] != 0 && fabs(gp[k]) / (2 * hd) * (span > 0 ? span : 1.0) > tol[k])
      return k;
  return -1;
}

int ims__switch_flip(ims_sim_t *s, double t, ims_err_t *err)
{
  for (int k = 0; k < s->nsw; k++)
    if (s->sw_flip[k])
      set_side(s, k, s->sw_flip[k] > 0 ? 1 : -1);
  int k = sliding(s, t);
  for (int q = 0; q < s->nsw; q++)
    s->sw_flip[q] = 0;
  if (k >= 0)
    return ims_err_set(err, IMS_ESOLVER,
                       "model %s: at t = %.10g %s a condition of the model (switching function %d) "
                       "flips, and the flow on its new side drives the solution straight back: "
                       "both sides push towards the switch (a sliding mode), so the equations "
                       "define no solution past it; change the model so one side holds",
                       s->m->name, t, s->m->time_unit ? s->m->time_unit : "", k + 1);
  return IMS_OK;
}
