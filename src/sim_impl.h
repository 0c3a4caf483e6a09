/* The driver's internals, shared by src/sim*.c only.  The design (one
 * timeline, instants, the order at an instant, watches and triggers) is
 * described at the top of src/sim.c. */
#ifndef IMS_SIM_IMPL_H
#define IMS_SIM_IMPL_H

#include "immunosim/sim.h"

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#define IMS__MAX_BREAKS 64
/* Instants closer than IMS__TIME_ULPS * DBL_EPSILON * max(|t|, time scale)
 * are one instant (README "Solver").  CVODE refuses a first step shorter than
 * 2 * DBL_EPSILON * max(|t0|, |tout|); 8 leaves a margin of 4. */
#define IMS__TIME_ULPS 8.0
/* Triggered events per run when opts->max_events is 0. */
#define IMS__MAX_EVENTS 100000L
/* Root returns in a row that do not advance time by more than the merge
 * tolerance before the run is declared stuck. */
#define IMS__MAX_STUCK 64
/* Rounds of actions firing actions at one instant. */
#define IMS__MAX_ROUNDS 1000

/* The end of an infusion a trigger started (an action of the pending queue). */
#define IMS__ACT_INF_END (-1)
/* (sbml) A model event's execution falling due (target: its slot in
 * src/sim_events.c, or -1 to wake the instant for executions due at once). */
#define IMS__ACT_EVENT (-2)

/* ---- the timeline ------------------------------------------------------ */

/* An action waiting for its time: a delayed triggered action, or the end of
 * an infusion that a trigger started. */
typedef struct ims__pending {
  double time;
  long seq; /* queue order: equal times run in the order they were queued */
  int act;  /* IMS_ACT_* or IMS__ACT_INF_END */
  int target, trigger;
  double value, rate;
  long dtau; /* row of d(time)/dp in the sensitivity pool, or -1 (fixed time) */
} ims__pending_t;

/* Every time the driver stops at, as a merge of sorted sources: the expanded
 * schedule, the model's breakpoints, the pending actions, the output times
 * and the extra samples.  Sources are read through cursors, so output grids
 * are never copied. */
typedef struct ims__timeline {
  double scale; /* max(|t0|, |tend|) */
  double tend;
  const ims_event_t *ev;
  long nev, iev;
  double tb[IMS__MAX_BREAKS]; /* every breakpoint of the current parameters */
  int ntb, ib;                /* ib: the next one (ctx->phase) */
  const double *tout;
  size_t ntout, iout;
  const double *smp;
  size_t nsmp, ismp;
  ims__pending_t *pend; /* sorted by (time, seq) */
  int npend, pcap;
  long seq;
} ims__timeline_t;

double ims__tl_tol(const ims__timeline_t *tl, double t);
/* The earliest time on the timeline (INFINITY when empty). */
double ims__tl_next(const ims__timeline_t *tl);
/* The earliest time that needs CVODE to stop exactly (not an output or a
 * sample): a schedule event, a breakpoint, a pending action or the end. */
double ims__tl_next_hard(const ims__timeline_t *tl);
/* The end of the instant that starts at t: every item within tol of the
 * previous one belongs to it (single linkage), so a chain of near-equal
 * times, such as 11/3 typed as 3.66666666666667 next to 11*(1/3), is never
 * split. */
double ims__tl_chain_end(const ims__timeline_t *tl, double t);
/* Whether a discontinuity is due at or before lim. */
int ims__tl_hard_due(const ims__timeline_t *tl, double lim);
int ims__tl_push(ims__timeline_t *tl, ims__pending_t *p, ims_err_t *err);
/* Take the first pending action due at or before lim; 0 when none. */
int ims__tl_pop(ims__timeline_t *tl, double lim, ims__pending_t *out);
void ims__tl_free(ims__timeline_t *tl);

/* ---- watches and triggers ---------------------------------------------- */

/* A watch: one scalar g(t, y) (a column minus a threshold, or a column's
 * time derivative) whose side CVODE is asked to track.  Each watch gives
 * CVODE two root functions: 2w, its crossing (g itself while armed, a
 * constant otherwise), and 2w + 1, its re-arming (|g| - tol while disarmed,
 * a constant otherwise). */
typedef struct ims__watch {
  int col;   /* state, or nstates + output */
  int deriv; /* 1: g is d(col)/dt (extrema); 0: g = col - thr */
  double thr;
  int side;  /* -1 below, +1 above, 0 none yet (g was exactly 0) */
  int armed; /* 0 after a side change until |g| > tol */
} ims__watch_t;

/* A trigger fires on a change of its condition.  Kinds: IMS__TK_CROSS, one
 * watch crossing in the trigger's direction (rules, metrics, extinction).
 * A kind whose condition combines several watches (an SBML trigger: a
 * boolean of relations) adds its watches in ims__trig_setup and decides in
 * trig_changed() when its condition changed. */
#define IMS__TK_CROSS 0
/* Model events (src/sim_events.c), e.g. SBML events. */
typedef struct ims__evstate ims__evstate_t;

typedef struct ims__trig {
  int kind;
  int w0, nw; /* its watches */
  int fired;
  double last_fire;
} ims__trig_t;

/* ---- the workspace ----------------------------------------------------- */

struct ims_sim {
  const ims_model_t *m;
  int n, nq, np, method;
  const int *qcols; /* the quadratures' columns (opts.quad_cols), or NULL: every column */
  double *qout;     /* noutputs + 1: outputs for the selected quadratures */
  SUNContext sun;
  void *cv;
  N_Vector y, abstol, q;
  int q_stale;            /* s->q lags CVODE's last return: ims__quad_sync before reading it */
  int q_cv;               /* s->q is integrated as CVODES quadratures */
  int aug;                /* ... or carried in y after the states (sim_cvode.c, setup_quad) */
  double tol_rtol, tol_f; /* the tolerances in force: rtol, and atol's factor */
  SUNLinearSolver LSa;    /* with aug: LS, and the carried rows (src/sim_aug.c) */
  double aug_gamma;       /* gamma of the Newton matrix */
  double *aug_C;          /* noutputs x n: d(output)/dy */
  double *aug_y, *aug_o;  /* n; 2 noutputs: scratch */
  SUNMatrix A;
  SUNLinearSolver LS;
  double *p; /* live parameters */
  double *rate;
  int *ninf;
  int *ndose;
  double *out;
  double *jbuf;
  double *work;   /* the model's scratch (ctx.work) */
  double *fbuf;   /* 3n + 2(noutputs + 1): column derivatives */
  double *ypre;   /* n: the left limit at a discontinuity */
  double *outpre; /* noutputs + 1 */
  ims_ctx_t ctx;
  ims_stats_t st;
  const ims_opts_t *opts;
  const ims_observer_t *obs;
  int in_ss;
  char cvmsg[512];
  ims__timeline_t tl;
  /* triggers */
  ims__watch_t *w;
  ims__trig_t *tg;
  int nw, ntg, nroots;
  int *rootsfound;
  double *obsf;        /* per column: its absolute tolerance (outputs from the states') */
  ims__evstate_t *evs; /* model events, or NULL */
  /* switches: the model's conditions (model.h nswitch/switches), CVODE's
   * root functions 2 nw .. 2 nw + nsw - 1 */
  int nsw;
  double *gsw;    /* 4 nsw + 1: their values (and scratch) */
  int *sw_side;   /* the side each is on: -1, +1, 0 (exactly 0 so far) */
  int *sw_flip;   /* flipped at the current root */
  int sw_due;     /* a switch flipped: the instant restarts CVODE */
  double *swside; /* nsw: sw_side as ctx->swside, the side each condition is held at */
  int sw_burst;   /* flips since sw_t0 (a condition flipping back and forth) */
  double sw_t0;
  double *ymax; /* n: largest |y| so far (the non-negativity check) */
  long nevents, max_events;
  /* forward sensitivities */
  int ns;      /* vectors allocated */
  int ns_cv;   /* vectors registered with the current CVODE memory (0: none) */
  int qs_cv;   /* quadrature sensitivities registered */
  int sens_on; /* this run computes them */
  N_Vector *yS, *qS;
  double *pbar;
  int *plist;
  double *chain;        /* d p[plist[j]] / d (the caller's p[plist[j]]): 1, 0 after a set */
  double *sbuf;         /* ns*(n + nout + nq) flattened for the observer */
  double *dbuf;         /* scratch for directional derivatives: 5n + 2(nout+1) */
  double *jl, *jr;      /* n + nq: rates before and after a jump */
  double *theta;        /* ns: d(time of the current jump)/dp */
  double *ith;          /* ns: d(time of the instant)/dp */
  const double *itheta; /* ith while the instant's rows go out, or NULL */
  double *pool;         /* d(time)/dp rows of pending actions */
  double *drate;        /* ns * n: d(infusion input)/dp of covariate-scaled infusions */
  long npool, poolcap;
};

/* sim_cvode.c */
int ims__cv_check(ims_sim_t *s, int flag, const char *what, ims_err_t *err);
int ims__cv_setup(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err);
int ims__cv_reinit(ims_sim_t *s, double t, ims_err_t *err);
/* src/sim_aug.c: integrals carried in the state vector */
int ims__aug_alloc(ims_sim_t *s);
void ims__aug_free(ims_sim_t *s);
int ims__aug_ewt(N_Vector y, N_Vector w, void *ud);
void ims__aug_jac(ims_sim_t *s, double t, const double *y);

/* rtol, and atol (opts') times f, for the states; the single place that sets
 * CVODE's tolerances. */
int ims__cv_tolerances(ims_sim_t *s, double rtol, double f, ims_err_t *err);
/* Returns CV_SUCCESS, CV_TSTOP_RETURN, CV_ROOT_RETURN (s->rootsfound holds
 * the roots) or an ims error (< 0). */
int ims__cv_advance(ims_sim_t *s, double tout, double tstop, double *tret, ims_err_t *err);

/* s->q at CVODE's last return, fetched only when read (rows that want it,
 * samples, restarts, steady state): most output times need no quadrature. */
void ims__quad_sync(ims_sim_t *s);

void ims__cv_bank_stats(ims_sim_t *s);
/* f(t, y) with the running infusions; NaN everywhere when the model fails. */
void ims__rhs(ims_sim_t *s, double t, const double *y, double *f);
void ims__initial_state(const ims_sim_t *s, const double *p, double *y);

/* sim_trig.c */
int ims__trig_setup(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err);
void ims__trig_free(ims_sim_t *s);
void ims__trig_refresh(ims_sim_t *s, double t);
void ims__trig_begin(ims_sim_t *s, double t);
int ims__trig_root(ims_sim_t *s, double t, ims_err_t *err);
/* Before a discontinuity at t: a crossing the flow made that CVODE did not
 * report fires now.  After it: a jump across a threshold fires. */
int ims__trig_before(ims_sim_t *s, double t, ims_err_t *err);
int ims__trig_after(ims_sim_t *s, double t, const double *theta, ims_err_t *err);
int ims__cv_root(sunrealtype t, N_Vector y, sunrealtype *g, void *ud);

/* sim_switch.c */
/* The model's switching functions at (t, y) into g (NaN when it fails). */
void ims__switch_eval(ims_sim_t *s, double t, const double *y, double *g);
/* The side of every switch at the current state (after a restart or a jump). */
void ims__switch_sides(ims_sim_t *s, double t);
/* Switches flagged in s->rootsfound at a root: s->sw_flip, a restart due. */
int ims__switch_root(ims_sim_t *s, double t, ims_err_t *err);
/* At the instant: the flagged switches change side (the model's conditions
 * take their new branch); a new side whose flow drives the solution straight
 * back is a sliding mode, refused. */
int ims__switch_flip(ims_sim_t *s, double t, ims_err_t *err);
double ims__var_value(ims_sim_t *s, double t, const double *y, int var);
double ims__col_deriv(ims_sim_t *s, double t, const double *y, int c, int *fdone, double *noise);

/* sim_events.c: model events.  _setup with the triggers (their root
 * functions follow the watches' and the switches'), _begin at t0, _check
 * wherever triggers are observed, _due when a queued execution falls due,
 * _run_due after the instant's queue (sets *any when it changed the state). */
int ims__ev_setup(ims_sim_t *s, ims_err_t *err);
void ims__ev_free(ims_sim_t *s);
int ims__ev_nroots(const ims_sim_t *s);
void ims__ev_roots(ims_sim_t *s, double t, const double *y, double *g);
int ims__ev_begin(ims_sim_t *s, double t, ims_err_t *err);
int ims__ev_check(ims_sim_t *s, double t, ims_err_t *err);
void ims__ev_due(ims_sim_t *s, int slot);
int ims__ev_run_due(ims_sim_t *s, double t, int *any, ims_err_t *err);

/* sim_sens.c */
int ims__sens_setup(ims_sim_t *s, const ims_opts_t *o, ims_err_t *err);
void ims__sens_free(ims_sim_t *s);
int ims__sens_emit(ims_sim_t *s, double t, const ims_observer_t *obs);
/* Jumps: call _before with the state before a discontinuity whose time
 * moves with p as theta (NULL: a fixed time), apply it, then _after.
 * zero >= 0 names a state the discontinuity set to 0. */
void ims__sens_jump_before(ims_sim_t *s, double t);
void ims__sens_jump_after(ims_sim_t *s, double t, const double *theta, int zero);
/* d(time of a crossing of watch w at t)/dp into theta; IMS_EINPUT when the
 * crossing is tangential (the time has no derivative). */
int ims__sens_crossing(ims_sim_t *s, double t, int w, double *theta, ims_err_t *err);
/* d(breakpoint i)/dp into theta. */
void ims__sens_breakpoint(ims_sim_t *s, int i, double *theta);
/* d(time of the switches flagged in s->sw_flip, flipping at t)/dp into
 * theta, from the flow on their old side; IMS_EINPUT when that time has no
 * derivative. */
int ims__sens_switch(ims_sim_t *s, double t, double *theta, ims_err_t *err);
/* A parameter action changed p[k]: set (factor 0) or scale (factor v). */
void ims__sens_param_changed(ims_sim_t *s, int k, double factor);
/* Doses scaled by a covariate p[k] (mg/kg): a bolus of d per unit of p[k]
 * adds d * d(p[k])/d(caller's p[k]) to the sensitivity of state cmt; an
 * infusion of rate d per unit adds that much to the sensitivity's input
 * rate while it runs (_rate_add with the sensitivity index from _index, -1:
 * none, and the amount from _chain; the same amount taken away at its end).
 * _rate_clear: no infusion runs into cmt (the sums restart at exactly 0). */
void ims__sens_dose(ims_sim_t *s, int k, int cmt, double d);
int ims__sens_index(const ims_sim_t *s, int k);
double ims__sens_chain(const ims_sim_t *s, int j);
void ims__sens_rate_add(ims_sim_t *s, int j, int cmt, double d);
void ims__sens_rate_clear(ims_sim_t *s, int cmt);
/* A reset (EVID 3, 4): the sensitivities restart from d y0/dp. */
void ims__sens_reset(ims_sim_t *s);
long ims__sens_pool_put(ims_sim_t *s, const double *theta, ims_err_t *err);
const double *ims__sens_pool_get(const ims_sim_t *s, long row);
void ims__dir_output(ims_sim_t *s, double t, const double *y, const double *S, int j, double *dout);

/* sim_ss.c */
int ims__steady_state(ims_sim_t *s, const ims_record_t *r, const char *path, double t,
                      ims_err_t *err);

#endif
