/* Internal: the unit checker.  Units are udunits2 strings; checking happens
 * in a unit system of its own where counts (cell, copies, IU, count) are base
 * units rather than dimensionless, so "cell/d" and "1/d" differ. */
#ifndef IMS_EXPRUNIT_H
#define IMS_EXPRUNIT_H

#include "immunosim/mdl.h"

/* A unit for messages: scale * product of atoms^(num/den). */
#define IMS__UATOMS 12
typedef struct ims__udisp {
  double scale;
  int n;
  struct {
    char name[32];
    int num, den;
  } a[IMS__UATOMS];
  int opaque; /* could not be tracked symbolically */
} ims__udisp_t;

/* An inferred unit.  u == NULL is "any unit": the number 0, or a
 * sub-expression whose error has been reported already. */
typedef struct ims__unit {
  void *u; /* ut_unit *, owned */
  ims__udisp_t d;
} ims__unit_t;

/* Parse a unit string ("" and "1" are dimensionless).  Returns 0, or -1 when
 * udunits2 does not know it. */
int ims__unit_parse(ims_unitcheck_t *s, const char *str, ims__unit_t *out);
void ims__unit_free(ims__unit_t *u);
int ims__unit_copy(const ims__unit_t *from, ims__unit_t *to);
/* "cell/d", "1e+09 cell", "1/(cell*d)" */
void ims__unit_str(const ims__unit_t *u, char *buf, size_t n);
/* 1 when a and b are the same unit (convertible with factor 1); *factor is
 * the factor from a to b when they are convertible (else 0). */
int ims__unit_same(const ims__unit_t *a, const ims__unit_t *b, double *factor);
/* a / b (any when either is any); -1 when out of memory. */
int ims__unit_div(const ims__unit_t *a, const ims__unit_t *b, ims__unit_t *out);
/* Convert v from unit a to unit b; -1 if not convertible. */
int ims__unit_convert(const ims__unit_t *a, const ims__unit_t *b, double *v);

typedef struct ims__uenv {
  ims_unitcheck_t *sys;
  ims__unit_t time; /* the model's time unit */
  /* The unit of a name (a copy into *out); -1 if the name has none (an error
   * already reported elsewhere): the checker then uses "any". */
  int (*name_unit)(void *ud, const char *name, ims__unit_t *out);
  /* A unit error: e is the sub-expression, msg the text. */
  void (*report)(void *ud, const ims_expr_t *e, const char *msg);
  void *ud;
  int nerr;
} ims__uenv_t;

/* Infer the unit of e (names resolved, calls inlined), reporting every
 * mismatch through env->report.  Returns 0, or -1 when out of memory. */
int ims__unit_infer(ims__uenv_t *env, const ims_expr_t *e, ims__unit_t *out);

#endif
