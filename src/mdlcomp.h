/* Internal: the model compiler (mdlcomp.c: names, declarations, inlining,
 * cycles; mdlunits.c: units; mdlemit.c: DAG, Jacobian, programs, the model)
 * and a compiled description, the `impl` of an interpreted model. */
#ifndef IMS_MDLCOMP_H
#define IMS_MDLCOMP_H

#include "exprdag.h"
#include "exprunit.h"
#include "exprvm.h"
#include "immunosim/mdl.h"

typedef struct ims__mprog {
  ims_mdl_t *desc; /* owned: names, units and texts of the model point into it */
  ims__dag_t dag;
  ims__layout_t L;
  ims__prog_t rhs;  /* -> dy[i] */
  ims__prog_t jac;  /* -> J[i*n + j], zeros elsewhere */
  ims__prog_t out;  /* -> out[k] */
  ims__prog_t sw;   /* -> g[k], the switching functions */
  ims__prog_t init; /* -> y0[i] for states with an initial expression */
  ims__prog_t *ev;  /* per event: trigger, delay, priority, assignment values */
  int nev;
  int has_jac, has_init;
  /* the model's tables (the ims_model_t points at them) */
  ims_var_t *states, *outputs;
  ims_par_t *params;
  ims_label_t *labels; /* (sbml, issue 12) the labels of the description */
  ims_plotcol_t *plot; /* (sbml, issue 15) the default figure of the description */
  double *y0_def;
  int *par_of; /* description parameter of each model parameter */
  /* (sbml, issue 12) what the driver needs beyond ev: the triggers' root
   * functions, the assignments' scales, the event table (mdlevents.c) */
  struct ims__evprog *evd;
} ims__mprog_t;

typedef struct ims__evprog ims__evprog_t;
/* (sbml, issue 12) The DAG node of an expanded expression, for the event
 * compiler (mdlevents.c); x is mdlemit.c's emitting context. */
struct ectx;
int ims__emit_node(struct ectx *x, const ims_expr_t *e);

/* What a name stands for. */
enum { IMS__K_STATE, IMS__K_PARAM, IMS__K_INIT, IMS__K_DEF, IMS__K_FUNC };

typedef struct ims__sym {
  const char *name;
  int kind, idx; /* state, description parameter, state (X_0), definition, function */
  int line;
  int owned; /* name allocated by the compiler */
} ims__sym_t;

/* A definition: an intermediate, an output or a parameter computed by an
 * initial assignment; a named expression. */
typedef struct ims__def {
  const char *name;
  const char *unit; /* declared, or NULL */
  const ims_mdl_eq_t *eq;
  const char *what; /* "intermediate", "output", "parameter" */
  ims_expr_t *x;    /* expanded */
  int mark;         /* cycle search: 0 new, 1 on the path, 2 done */
  int order;        /* position in dependency order */
  ims__unit_t uv;   /* inferred unit */
  int node;         /* DAG node, -1 until built */
} ims__def_t;

/* An expanded event expression, checked but not compiled. */
typedef struct ims__evx {
  ims_expr_t *x;
  const ims_mdl_eq_t *q;
  int kind;           /* 0 trigger, 1 delay, 2 priority, 3 assignment */
  int event;          /* index of the event */
  int slot;           /* its place in ims_mdl_event_eval's out[] */
  const char *target; /* assignments */
} ims__evx_t;

typedef struct ims__comp {
  ims_mdl_t *d;
  const ims_mdl_opts_t *o;
  ims_err_t *err;
  ims__sym_t *syms;
  int nsyms;
  int *hash;
  int hcap;
  ims__def_t *defs;
  int ndefs;
  int *topo; /* definitions in dependency order */
  int ntopo;
  ims_expr_t **xrate, **xinit; /* expanded d/dt and initial expressions per state */
  ims__evx_t *evx;
  int nevx;
  int *par_idx; /* description parameter -> model parameter (-1: none) */
  int nmpar;
  int failed;
} ims__comp_t;

const char *ims__comp_path(const ims__comp_t *c);
int ims__comp_fail(ims__comp_t *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const ims__sym_t *ims__comp_lookup(const ims__comp_t *c, const char *name);
/* Unit checks (mdlunits.c): errors, or warnings with o->no_unit_check. */
int ims__comp_units(ims__comp_t *c);
/* The programs and the model (mdlemit.c). */
int ims__comp_emit(ims__comp_t *c, ims_model_t **out);

#endif
