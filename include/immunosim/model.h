/* The model contract: a model is a table of variables plus a few pure functions. */
#ifndef IMMUNOSIM_MODEL_H
#define IMMUNOSIM_MODEL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_trigger; /* sim.h */

/* A state or derived output: name, canonical udunits2 unit, one-line description. */
typedef struct ims_var {
  const char *name;
  const char *unit;
  const char *desc;
} ims_var_t;

/* State flags (ims_model_t.state_flags). */
#define IMS_VAR_NONNEG 1u /* never below 0: a solution clearly below 0 is a solver failure */

/* A short name of a state or output for figure axes and legends ("tumour
 * cells", "IL-6"): desc is a sentence, too long for an axis. */
typedef struct ims_label {
  const char *name; /* the state or output */
  const char *label;
} ims_label_t;

/* y scales of a figure column. */
#define IMS_SCALE_AUTO 0 /* log when the values are positive and span more than 3 decades */
#define IMS_SCALE_LIN 1
#define IMS_SCALE_LOG 2

/* A column of a model's default figure: a state or output and its y scale. */
typedef struct ims_plotcol {
  const char *name;
  int scale; /* IMS_SCALE_* */
} ims_plotcol_t;

/* Parameter flags. */
#define IMS_PAR_OPTIONAL 1u /* `def` is used when no file gives a value */
#define IMS_PAR_SIGNED 2u   /* negative values are allowed */
#define IMS_PAR_POSITIVE 4u /* must be above 0 (the model divides by it); volumes always are */

typedef struct ims_par {
  const char *name;
  const char *unit;
  const char *desc;
  double def; /* only meaningful with IMS_PAR_OPTIONAL */
  unsigned flags;
} ims_par_t;

/* Per-run context handed to every model call.  The driver owns it; the model
 * only reads it.  p[] holds the model parameters in declaration order, in
 * canonical units, followed by the initial-condition parameters <STATE>_0.
 * It is mutable by the driver (rules, sensitivities), never by the model. */
typedef struct ims_ctx {
  const double *p;
  const int *ndose; /* per state: how many doses have entered it so far */
  int phase;        /* how many of the model's breakpoints have been passed */
  /* The model being run: an interpreted model (a model file, an SBML import)
   * finds its compiled program in model->impl.  Built-in C models ignore it. */
  const struct ims_model *model;
  /* model->nwork doubles of scratch owned by the caller, one per thread: the
   * model may write them during a call but keeps nothing in them between calls. */
  double *work;
  /* NULL, or model->nswitch values: the side (+1: g_k > 0, -1: g_k < 0) at
   * which the driver holds each condition between its stops at the switch
   * (0: compare).  Added so that no solver step mixes the two branches of a
   * condition: a step across a switch with the branch changing inside it has
   * an error test that holds at its end but not inside, where a located root
   * or an output can be off by far more than the tolerances, and a
   * sensitivity that is 0 before the switch cannot pass it at all.  A model
   * with switches evaluates each condition from its side when one is given,
   * as the model-file evaluator and translated C do; like phase for the
   * breakpoints of built-in models. */
  const double *swside;
} ims_ctx_t;

typedef struct ims_model {
  const char *name;     /* registry key, e.g. "pk2cmt" */
  const char *title;    /* one line */
  const char *family;   /* therapy family, e.g. "CAR-T" */
  const char *citation; /* the paper */
  const char *notes;    /* errata applied, traps, conventions; may be NULL */
  const char *time_unit;
  const char *default_set; /* params/<name>/<default_set>.csv */
  const ims_var_t *states;
  int nstates;
  const ims_par_t *params;
  int nparams;
  const ims_var_t *outputs;
  int noutputs;
  /* dy = f(t, y).  Return 0, or >0 for a recoverable failure, <0 fatal. */
  int (*rhs)(double t, const double *y, double *dy, const ims_ctx_t *ctx);
  /* Optional analytic Jacobian, row-major: J[i*n + j] = d f_i / d y_j. */
  int (*jac)(double t, const double *y, double *J, const ims_ctx_t *ctx);
  /* Optional derived outputs. */
  void (*output)(double t, const double *y, double *out, const ims_ctx_t *ctx);
  /* Optional: derive initial conditions from parameters.  y0 arrives filled
   * from the <STATE>_0 parameters. */
  void (*init)(const double *p, double *y0);
  /* Optional: times at which the RHS switches form (e.g. Stein's Tmax).  The
   * driver stops exactly there and increments ctx->phase.  Returns the count
   * written to tb (at most max), sorted ascending. */
  int (*breaks)(const double *p, double *tb, int max);
  /* The paper's own extinction rule: when > 0, every state falling below
   * this floor is set to 0 (see ims_model_extinction).  0: none. */
  double extinct_floor;
  /* Interpreted models: their compiled program (read-only, shared by
   * threads) and the scratch each call needs (ctx->work).  NULL and 0 for C. */
  const void *impl;
  size_t nwork;
  /* Optional: IMS_VAR_* per state, or NULL.  Added so the driver can tell a
   * lost solution from a result: on a term sharper than the tolerances
   * resolve (Michaelis-Menten with a tiny Km) a Newton iteration with a stale
   * Jacobian can accept a negative amount (pk2cmt: -406 mg with Adams at Km
   * = 1e-12), which must fail, not be reported. */
  const unsigned *state_flags;
  /* The default figure (`immunosim plot`, `run --plot` without --y): what the
   * model is about, in order, one panel each (added because the outputs are
   * often auxiliary rates and factors).  A figure draws every panel on one
   * scale type: log when any column asks for it.  NULL: the outputs, else
   * every state. */
  const ims_plotcol_t *plot;
  int nplot;
  /* Short names of states and outputs for figures (added for the same reason;
   * a table by name, so ims_var_t keeps its three fields).  NULL: the codes. */
  const ims_label_t *labels;
  int nlabels;
  /* Interpreted models (model files, SBML).  All optional; zero/NULL for C. */
  /* The default of each <STATE>_0 parameter (nstates values; NULL: 0), so a
   * model file's `param X_0 ...` or an SBML initial amount is the default. */
  const double *y0_def;
  /* Where the model was read from and the FNV-1a 64-bit hex checksum of that
   * file, for output metadata. */
  const char *source;
  const char *source_hash;
  /* Switching functions: the conditions inside the model's expressions
   * (piecewise, relations on t or on states) flip exactly where one of the
   * nswitch functions g_k(t, y) changes sign.  The driver holds each
   * condition at its side (ctx->swside) while it integrates, locates the
   * roots of g_k, and there flips the side and restarts (src/sim_switch.c). */
  int nswitch;
  int (*switches)(double t, const double *y, double *g, const ims_ctx_t *ctx);
  /* Like init, with the context (ctx->p, ctx->model): initial values given as
   * expressions (SBML initial assignments).  Called after init would be
   * (ims_model_initial_state); sensitivities of y0 then come from difference
   * quotients through both hooks. */
  void (*init_ctx)(double *y0, const ims_ctx_t *ctx);
  /* Events (SBML; sbml, issue 12): each has a trigger, a boolean of
   * relations that can only change value where one of the nevroots root
   * functions changes sign; when it turns from false to true the event
   * fires, and its assignments run after its delay, in priority order among
   * the events due at one time (the driver: src/sim_events.c).  event_eval
   * fills out with, for what = IMS_EVAL_ROOTS, the nevroots root functions;
   * IMS_EVAL_TRIGGERS, each event's trigger (0 or 1); IMS_EVAL_DELAYS and
   * IMS_EVAL_PRIORITIES, one value per event (0 and -inf when it has none);
   * IMS_EVAL_VALUES, the nevvalues assignment values of all events;
   * IMS_EVAL_SCALES, their factors, evaluated when they are assigned;
   * IMS_EVAL_TIMES, the times c of the relations between t and a value
   * that stays constant between events (t >= c): the driver stops exactly
   * there, so a trigger like t >= c is true at c itself. */
  int nevents;
  const struct ims_event_def *events;
  int nevroots, nevvalues, nevtimes;
  void (*event_eval)(int what, double t, const double *y, double *out, const ims_ctx_t *ctx);
} ims_model_t;

#define IMS_EVAL_ROOTS 0
#define IMS_EVAL_TRIGGERS 1
#define IMS_EVAL_DELAYS 2
#define IMS_EVAL_PRIORITIES 3
#define IMS_EVAL_VALUES 4
#define IMS_EVAL_SCALES 5 /* per value: its factor when it is assigned (1: none) */
#define IMS_EVAL_TIMES 6  /* the nevtimes times c of relations between t and a constant */

/* One event of a model (SBML semantics, L3V2 sec. 4.12). */
typedef struct ims_event_def {
  const char *id;
  int persistent;         /* 0: a pending execution is dropped when the trigger turns false */
  int initial_value;      /* the trigger's value just before the start (1: no firing at t0) */
  int use_trigger_values; /* values computed when it fires (1) or when it runs (0) */
  int has_delay;
  int nassign; /* its assignments are values v0 .. v0 + nassign - 1 of IMS_EVAL_VALUES */
  int v0;
  const int *target; /* per assignment: a state index, or -1 - a parameter index */
} ims_event_def_t;

/* Number of entries in ctx->p: parameters plus one initial condition per state. */
static inline int ims_model_nvalues(const ims_model_t *m)
{
  return m->nparams + m->nstates;
}

/* The initial state for the values p (ims_model_nvalues entries): the
 * <STATE>_0 values, then init, then init_ctx (with ctx->p = p, ctx->model =
 * m, no doses, phase 0).  Every caller that starts a model goes through it,
 * so all of them see the same y0.  work: m->nwork doubles of scratch, or NULL
 * to have them allocated for this call.  Returns 0, or IMS_ENOMEM (-4). */
int ims_model_initial_state(const ims_model_t *m, const double *p, double *y0, double *work);

/* Index of a state, parameter (including <STATE>_0) or output by exact name; -1 if absent. */
int ims_model_state_index(const ims_model_t *m, const char *name);
int ims_model_param_index(const ims_model_t *m, const char *name);
int ims_model_output_index(const ims_model_t *m, const char *name);
/* The closest name among parameters (for "did you mean"); NULL if nothing is close. */
const char *ims_model_suggest_param(const ims_model_t *m, const char *name);

/* Fill triggers implementing the model's extinction rule (one per state).
 * Returns how many were written (0 when the model has none), at most max. */
int ims_model_extinction(const ims_model_t *m, struct ims_trigger *tr, int max);

/* The registry: one table of every model. */
const ims_model_t *ims_model_find(const char *name);
const ims_model_t *const *ims_model_list(int *count);

#ifdef __cplusplus
}
#endif
#endif
