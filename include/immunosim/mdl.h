/* The model description that every interpreted front door fills (model files
 * in src/modelfile*.c, SBML import), its expression IR, and its compiler to an
 * ims_model_t: one unit checker, one symbolic differentiator, one bytecode
 * evaluator and one C generator for all of them.
 *
 * Life cycle: ims_mdl_alloc, fill it with the ims_mdl_add_* builders (they take
 * ownership of the expressions passed in), then ims_mdl_compile, which takes
 * ownership of the description in every case and, on success, returns a model
 * that runs through the ordinary driver.  The compiled model keeps the
 * description (ims_mdl_of) for `info`, `translate` and SBML export. */
#ifndef IMMUNOSIM_MDL_H
#define IMMUNOSIM_MDL_H

#include "immunosim/err.h"
#include "immunosim/model.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- expressions -------------------------------------------------------- */

/* Operators of the IR.  It mirrors libsbml's ASTNode (the L3 infix parser for
 * model files, the MathML AST for SBML) after these normalisations: unary
 * minus is IMS_X_NEG; log with a base is IMS_X_LOG (base first); root with a
 * degree is IMS_X_ROOT (degree first); relations are binary (a < b < c
 * becomes (a < b) && (b < c)); true/false are IMS_X_BOOL; the constants pi and
 * exponentiale are IMS_X_NUM. */
typedef enum ims_xop {
  IMS_X_NUM,      /* num, with unit (a udunits2 string) or NULL for a bare number */
  IMS_X_BOOL,     /* num is 0 or 1 */
  IMS_X_NAME,     /* name: a state, parameter, intermediate or function argument */
  IMS_X_TIME,     /* t (model files), the csymbol time (SBML) */
  IMS_X_AVOGADRO, /* the csymbol avogadro, 6.02214076e23 1/mol */
  /* arithmetic; ADD and MUL take n >= 1 arguments, SUB and DIV two */
  IMS_X_ADD,
  IMS_X_SUB,
  IMS_X_MUL,
  IMS_X_DIV,
  IMS_X_NEG,
  IMS_X_POW,
  /* functions of one argument */
  IMS_X_EXP,
  IMS_X_LN,
  IMS_X_LOG10,
  IMS_X_SQRT,
  IMS_X_ABS,
  IMS_X_FLOOR,
  IMS_X_CEIL,
  IMS_X_FACTORIAL,
  IMS_X_SIN,
  IMS_X_COS,
  IMS_X_TAN,
  IMS_X_SEC,
  IMS_X_CSC,
  IMS_X_COT,
  IMS_X_ASIN,
  IMS_X_ACOS,
  IMS_X_ATAN,
  IMS_X_ASEC,
  IMS_X_ACSC,
  IMS_X_ACOT,
  IMS_X_SINH,
  IMS_X_COSH,
  IMS_X_TANH,
  IMS_X_SECH,
  IMS_X_CSCH,
  IMS_X_COTH,
  IMS_X_ASINH,
  IMS_X_ACOSH,
  IMS_X_ATANH,
  IMS_X_ASECH,
  IMS_X_ACSCH,
  IMS_X_ACOTH,
  /* functions of two arguments */
  IMS_X_LOG,  /* log(base, x) */
  IMS_X_ROOT, /* root(degree, x) */
  IMS_X_REM,  /* a - b*trunc(a/b), the sign of a (SBML rem) */
  IMS_X_QUOT, /* trunc(a/b) (SBML quotient) */
  /* n >= 1 arguments */
  IMS_X_MIN,
  IMS_X_MAX,
  /* relations (two arguments) and logic; they give 1 (true) or 0 (false) */
  IMS_X_LT,
  IMS_X_LE,
  IMS_X_GT,
  IMS_X_GE,
  IMS_X_EQ,
  IMS_X_NE,
  IMS_X_AND, /* n >= 1 */
  IMS_X_OR,  /* n >= 1 */
  IMS_X_XOR, /* n >= 1: true when an odd number of arguments is */
  IMS_X_NOT,
  IMS_X_IMPLIES,
  /* piecewise(v1, c1, v2, c2, ..., [otherwise]): the first vi whose ci holds;
   * no otherwise and no ci holds: NaN (the run fails with the model and time) */
  IMS_X_PIECEWISE,
  IMS_X_CALL,   /* name(args): a function of the description, inlined when compiled */
  IMS_X_RATEOF, /* rateOf(NAME): d NAME/dt (SBML L3V2 csymbol) */
  IMS_X_DELAY,  /* delay(x, d): represented so an importer can refuse it; not compiled */
  /* doses(STATE): how many doses have entered the state so far (ctx->ndose;
   * an infusion start counts), 0 before the first; piecewise constant, it
   * changes only at doses, where the driver stops.  (sbml, issue 12: added
   * so a model file can state chen2019's priming, which counts doses.) */
  IMS_X_DOSES,
  IMS_X_NOPS
} ims_xop_t;

typedef struct ims_expr {
  ims_xop_t op;
  int n;               /* arguments */
  struct ims_expr **a; /* owned */
  double num;          /* IMS_X_NUM, IMS_X_BOOL */
  char *name;          /* IMS_X_NAME, IMS_X_CALL: owned */
  char *unit;          /* IMS_X_NUM: udunits2 unit or NULL (dimensionless); owned */
  int col;             /* 1-based column in the expression's text; 0 when unknown */
} ims_expr_t;

/* Constructors.  They return NULL only when out of memory; the ones taking
 * arguments take ownership of them (and free them on failure). */
ims_expr_t *ims_expr_num(double v, const char *unit);
ims_expr_t *ims_expr_name(const char *name);
ims_expr_t *ims_expr_op(ims_xop_t op, int n, ims_expr_t **args); /* args array copied */
ims_expr_t *ims_expr_op1(ims_xop_t op, ims_expr_t *a);
ims_expr_t *ims_expr_op2(ims_xop_t op, ims_expr_t *a, ims_expr_t *b);
ims_expr_t *ims_expr_call(const char *name, int n, ims_expr_t **args);
ims_expr_t *ims_expr_copy(const ims_expr_t *e);
void ims_expr_free(ims_expr_t *e);
/* Infix text in the model-file syntax (for messages and `translate`); returns
 * the length it needed, like snprintf. */
int ims_expr_print(const ims_expr_t *e, char *buf, size_t n);

/* Parse the model-file expression syntax (libsbml's L3 infix syntax with log
 * = natural log, plus the words and/or/not for &&/||/!, `t` for time and
 * ifelse(c, a, b) for piecewise(a, c, b)).  On error returns IMS_EINPUT with
 * err->msg "COL: what is wrong" where COL is the 1-based column in text. */
int ims_expr_parse(const char *text, ims_expr_t **out, ims_err_t *err);

/* Convert a libsbml ASTNode (MathML).  unit_of maps an SBML unit SId on a
 * number (<cn sbml:units>) to a udunits2 string (NULL: drop the unit); it may
 * be NULL.  Unsupported nodes (lambda inside math, linear algebra,
 * distributions) fail with IMS_EINPUT "unsupported: TAG". */
struct ASTNode;
int ims_expr_from_ast(const struct ASTNode *ast, const char *(*unit_of)(void *ud, const char *sid),
                      void *ud, ims_expr_t **out, ims_err_t *err);

/* ---- the description ---------------------------------------------------- */

/* An expression as written: where it starts (line, 1-based column) and its
 * text, both optional (SBML gives a line and no text).  Messages about a name
 * inside it point at the name's own column when the text is known. */
typedef struct ims_mdl_eq {
  ims_expr_t *e;
  char *text;
  int line, col;
} ims_mdl_eq_t;

/* Parameter flags.  IMS_MDL_VARIABLE (SBML constant="false": events or rules
 * may change it) is recorded for the importer; a compiled parameter is
 * read from ctx->p either way, which the driver may change between steps. */
#define IMS_MDL_NOVALUE 1u  /* no default: a -p file or --set must give one */
#define IMS_MDL_VARIABLE 2u /* not constant */
#define IMS_MDL_SIGNED 4u   /* negative values allowed (set when the default is negative) */

/* Every state, parameter, intermediate and output may carry a label, a short
 * name for figures and legends (an SBML name, a model file's `label` line),
 * next to its desc; NULL when it has none.  Set with ims_mdl_set. */
typedef struct ims_mdl_state {
  char *name, *unit, *desc;
  char *label;
  int line, col;
  ims_mdl_eq_t rate; /* d/dt, in unit/time; e is NULL until set */
  double init_value; /* the default of the parameter <NAME>_0, in unit */
  ims_mdl_eq_t init; /* SBML initial assignment: replaces <NAME>_0 when e != NULL */
} ims_mdl_state_t;

typedef struct ims_mdl_param {
  char *name, *unit, *desc;
  char *label;
  double value; /* in unit */
  unsigned flags;
  int line, col;
  /* SBML initial assignment (e may be NULL): the parameter is then computed
   * from it, like an intermediate, and is not a parameter of the compiled
   * model (no -p or --set) */
  ims_mdl_eq_t init;
} ims_mdl_param_t;

/* An intermediate (SBML assignment rule) or a derived output. */
typedef struct ims_mdl_var {
  char *name;
  char *unit; /* outputs: declared; intermediates: NULL (inferred) or declared */
  char *desc;
  char *label;
  int line, col;
  ims_mdl_eq_t def;
} ims_mdl_var_t;

typedef struct ims_mdl_func {
  char *name;
  int nargs;
  char **args;
  int line, col;
  ims_mdl_eq_t body;
} ims_mdl_func_t;

typedef struct ims_mdl_assign {
  char *target; /* a state or a parameter */
  ims_mdl_eq_t value;
  /* (sbml, issue 12) Optional, e may be NULL: the value is multiplied by
   * this when the assignment runs, however early the value was computed (an
   * SBML concentration assigned to a species held as an amount: times its
   * compartment's size at that time).  A name or an expression without
   * function calls. */
  ims_mdl_eq_t scale;
} ims_mdl_assign_t;

/* An SBML event, represented for the importer; the compiler resolves and unit
 * checks it but the driver does not run it (it maps onto triggers). */
typedef struct ims_mdl_event {
  char *id;
  int line, col;
  ims_mdl_eq_t trigger;  /* boolean */
  ims_mdl_eq_t delay;    /* e may be NULL */
  ims_mdl_eq_t priority; /* e may be NULL */
  int persistent, initial_value, use_trigger_values;
  ims_mdl_assign_t *assign;
  int nassign;
} ims_mdl_event_t;

/* (sbml, issue 15) A column of the model's default figure (a model file's
 * `plot` line, the ims:plot annotation of an SBML export): a state or output
 * and its y scale (IMS_SCALE_*), in the figure's order; compiled into
 * ims_model_t.plot. */
typedef struct ims_mdl_plotcol {
  char *name;
  int scale;
  int line, col;
} ims_mdl_plotcol_t;

typedef struct ims_mdl {
  char *name, *title, *family, *citation, *notes;
  char *time_unit;
  char *path;    /* the source file (messages: path:line:col), or NULL */
  char hash[17]; /* FNV-1a 64-bit of the source file, hex ("" if none) */
  int time_line; /* where the time unit was declared (0: nowhere) */
  ims_mdl_state_t *states;
  int nstates;
  ims_mdl_param_t *params;
  int nparams;
  ims_mdl_var_t *vars; /* intermediates in any order: the compiler sorts them */
  int nvars;
  ims_mdl_var_t *outputs;
  int noutputs;
  ims_mdl_func_t *funcs;
  int nfuncs;
  ims_mdl_event_t *events;
  int nevents;
  /* Model files (1): <STATE>_0 names the state's initial value in
   * expressions, and `param X_0` sets its default.  0 (importers): names
   * ending in _0 are ordinary names. */
  int init_names;
  int cap[6];
  ims_mdl_plotcol_t *plot; /* the default figure, or NULL (nplot 0) */
  int nplot;
} ims_mdl_t;

int ims_mdl_alloc(ims_mdl_t **out, const char *name, ims_err_t *err);
void ims_mdl_free(ims_mdl_t *d);
/* Replace one of the strings of d (title, citation, ...): *field = copy of s. */
int ims_mdl_set(ims_mdl_t *d, char **field, const char *s, ims_err_t *err);

/* Builders: each returns the new entry's index (>= 0) or a negative status.
 * Strings are copied; desc may be NULL; line/col locate the declaration (0 if
 * unknown).  Duplicates and bad names are reported by ims_mdl_compile. */
int ims_mdl_add_state(ims_mdl_t *d, const char *name, const char *unit, const char *desc,
                      double init_value, int line, int col, ims_err_t *err);
int ims_mdl_add_param(ims_mdl_t *d, const char *name, double value, const char *unit,
                      const char *desc, unsigned flags, int line, int col, ims_err_t *err);
int ims_mdl_add_var(ims_mdl_t *d, const char *name, const char *unit, const char *desc,
                    ims_mdl_eq_t def, int line, int col, ims_err_t *err);
int ims_mdl_add_output(ims_mdl_t *d, const char *name, const char *unit, const char *desc,
                       ims_mdl_eq_t def, int line, int col, ims_err_t *err);
int ims_mdl_add_func(ims_mdl_t *d, const char *name, int nargs, const char *const *args,
                     ims_mdl_eq_t body, int line, int col, ims_err_t *err);
int ims_mdl_add_event(ims_mdl_t *d, const char *id, ims_mdl_eq_t trigger, int line, int col,
                      ims_err_t *err);
int ims_mdl_add_assign(ims_mdl_t *d, int event, const char *target, ims_mdl_eq_t value,
                       ims_err_t *err);
/* d/dt(state) = eq; a second call for the same state fails (IMS_EINPUT, eq
 * freed).  add_rate_term adds a term to what is there (one per reaction:
 * stoichiometry * rate / volume, conversion factors, ... as the importer
 * writes them), starting from nothing. */
int ims_mdl_set_rate(ims_mdl_t *d, int state, ims_mdl_eq_t eq, ims_err_t *err);
int ims_mdl_add_rate_term(ims_mdl_t *d, int state, ims_expr_t *term, ims_err_t *err);
/* Give the state, parameter, intermediate or output `name` the label (and,
 * when desc is not NULL, the description).  IMS_EINPUT when nothing has that
 * name. */
int ims_mdl_set_label(ims_mdl_t *d, const char *name, const char *label, const char *desc,
                      ims_err_t *err);
/* Append a column to the default figure: a declared state or output, once,
 * with a scale IMS_SCALE_AUTO, _LIN or _LOG.  IMS_EINPUT otherwise (the model
 * file reader checks first, for its own file:line:col messages). */
int ims_mdl_add_plot(ims_mdl_t *d, const char *name, int scale, int line, int col, ims_err_t *err);
/* Index by exact name; -1 if absent. */
int ims_mdl_state_index(const ims_mdl_t *d, const char *name);
int ims_mdl_param_index(const ims_mdl_t *d, const char *name);

/* Compiling. */

/* The unit checker's unit system: udunits2's database with counts (cell,
 * copies, IU, count) as base units of their own.  Loading it takes a few
 * milliseconds, so a caller compiling many models allocates one and passes it
 * in the options (NULL: one is loaded per compile).  One thread at a time. */
typedef struct ims_unitcheck ims_unitcheck_t;
int ims_unitcheck_alloc(ims_unitcheck_t **out, ims_err_t *err);
void ims_unitcheck_free(ims_unitcheck_t *u);

typedef struct ims_mdl_opts {
  int no_unit_check;      /* unit errors become warnings (--no-unit-check) */
  ims_unitcheck_t *units; /* or NULL */
  /* Warnings ("path:line:col: ..."), or NULL to drop them. */
  void (*warn)(void *ud, const char *msg);
  void *ud;
} ims_mdl_opts_t;

/* Check d (names, declarations, cycles, units) and compile it: rhs, exact
 * symbolic Jacobian, outputs and switching functions as bytecode run from
 * ctx->model->impl with scratch in ctx->work.  Takes ownership of d.  o may be
 * NULL (defaults). */
int ims_mdl_compile(ims_mdl_t *d, const ims_mdl_opts_t *o, ims_model_t **out, ims_err_t *err);
/* The description of a compiled model; NULL for a built-in C model. */
const ims_mdl_t *ims_mdl_of(const ims_model_t *m);
/* The description entry of the model's parameter k (a compiled model's
 * parameters are the description's minus the X_0 and computed ones); NULL
 * for a built-in model. */
const ims_mdl_param_t *ims_mdl_param_of(const ims_model_t *m, int k);
/* SBML events of a compiled model, by the model's own evaluator (the driver
 * does not run events: an importer maps them onto triggers and actions).  At
 * (t, y), with ctx as for the model's functions (ctx->work included):
 * out[0] = the trigger (1 or 0), out[1] = the delay and out[2] = the
 * priority (NaN when absent), out[3 + a] = the value of assignment a.
 * Returns 0, or -1 when the model has no event k. */
int ims_mdl_event_eval(const ims_model_t *m, int k, double t, const double *y, const ims_ctx_t *ctx,
                       double *out);
/* Free a compiled model (and its description). */
void ims_mdl_model_free(ims_model_t *m);
/* Write the compiled model as C source in the model.h contract, defining
 * `const ims_model_t ims_model_<name>` (immunosim translate). */
int ims_mdl_write_c(const ims_model_t *m, FILE *fp, ims_err_t *err);

/* ---- opening any model --------------------------------------------------- */

typedef struct ims_open_opts {
  int no_unit_check;
  ims_unitcheck_t *units; /* or NULL (see ims_mdl_opts_t) */
  void (*warn)(void *ud, const char *msg);
  void *ud;
} ims_open_opts_t;

/* A built-in name, a model file (a path ending in .model, or any path
 * containing '/' that is not SBML), and (issue 12) an SBML file give a model.
 * Unknown built-in names fail with a "did you mean".  Close every opened
 * model with ims_model_close (a no-op for built-ins).  o may be NULL. */
int ims_model_open(const ims_model_t **out, const char *name_or_path, const ims_open_opts_t *o,
                   ims_err_t *err);
void ims_model_close(const ims_model_t *m);
/* Read a model file from memory (path is used in messages and metadata). */
int ims_model_read_mem(const ims_model_t **out, const char *path, const char *buf, size_t len,
                       const ims_open_opts_t *o, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
