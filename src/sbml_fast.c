/* SBML fast reactions as rapid equilibria (see sbml_import.h).
 *
 * SBML (L2V4 sec. 4.13.1, L3V1 sec. 4.11.2) defines a fast reaction as one
 * that reaches equilibrium instantly: its rate stays 0, and the slow
 * reactions move the quantities it conserves.  For a fast reaction whose
 * species n_0..n_m-1 change by e_i per unit of extent (stoichiometry times
 * conversion factor), one species p is the pivot and each other species
 * gives a conserved quantity, a state of its own:
 *     T_i = e_p n_i - e_i n_p,    dT_i/dt = e_p slow_i - e_i slow_p,
 * where slow_i is what the slow reactions do to n_i.  The species follow
 * algebraically: n_i = (T_i + e_i n_p) / e_p, and n_p solves rate = 0 with
 * those substituted.  When that equation is linear in n_p for some pivot it
 * is solved symbolically (ims__sbml_solve); otherwise the model is refused
 * as "unsupported: FastReaction".  Fast reactions that share a species, or a
 * fast species that a rule or an event also sets, are refused as well. */
#include "sbml_import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_fast(Reaction_t *r)
{
  return Reaction_isSetFast(r) && Reaction_getFast(r);
}

/* Species whose amount reaction r changes. */
static int fast_species(ims_sbml_t *s, Reaction_t *r, unsigned j)
{
  unsigned nr = Reaction_getNumReactants(r);
  SpeciesReference_t *sr = j < nr ? Reaction_getReactant(r, j) : Reaction_getProduct(r, j - nr);
  int q = ims__sbml_sym(s, SpeciesReference_getSpecies(sr));
  if (q < 0)
    return -1;
  const ims__sbml_sym_t *y = &s->sym[q];
  return y->boundary || y->constant || y->kind != IMS__SYM_SPECIES ? -1 : q;
}

int ims__sbml_fast_plan(ims_sbml_t *s)
{
  for (unsigned i = 0; i < Model_getNumReactions(s->model); i++) {
    Reaction_t *r = Model_getReaction(s->model, i);
    if (!is_fast(r))
      continue;
    unsigned n = Reaction_getNumReactants(r) + Reaction_getNumProducts(r);
    for (unsigned j = 0; j < n; j++) {
      int q = fast_species(s, r, j);
      if (q < 0)
        continue;
      ims__sbml_sym_t *y = &s->sym[q];
      if (y->fast && y->fast != (int)i + 1)
        return ims__sbml_fail(s, r, IMS_EINPUT,
                              "unsupported: FastReaction (fast reactions '%s' and another share "
                              "species '%s')",
                              Reaction_getId(r), y->id);
      if (y->rate_rule || y->assign_rule || y->alg || y->event_target)
        return ims__sbml_fail(s, r, IMS_EINPUT,
                              "unsupported: FastReaction (species '%s' of fast reaction '%s' is "
                              "also set by a rule or an event)",
                              y->id, Reaction_getId(r));
      y->fast = (int)i + 1;
      y->role = IMS__ROLE_OUT;
    }
  }
  return IMS_OK;
}

static ims_expr_t *nm(const char *id)
{
  return ims_expr_name(id);
}

/* Species i held through pivot p: (T_i + e_i n_p) / e_p. */
static ims_expr_t *through_pivot(const char *t, const ims_expr_t *ei, const char *np,
                                 const ims_expr_t *ep)
{
  return ims_expr_op2(
      IMS_X_DIV, ims_expr_op2(IMS_X_ADD, nm(t), ims_expr_op2(IMS_X_MUL, ims_expr_copy(ei), nm(np))),
      ims_expr_copy(ep));
}

/* The initial amount of species q as an expression. */
static ims_expr_t *initial_expr(ims_sbml_t *s, int q)
{
  double v;
  ims_mdl_eq_t eq;
  if (ims__sbml_initial(s, q, &v, &eq))
    return NULL;
  return eq.e ? eq.e : ims_expr_num(v, NULL);
}

static int one(ims_sbml_t *s, Reaction_t *r)
{
  unsigned nref = Reaction_getNumReactants(r) + Reaction_getNumProducts(r);
  int q[64], m = 0;
  ims_expr_t *e[64];
  char tname[64][300];
  int rc = IMS_OK;
  for (unsigned j = 0; j < nref && m < 64; j++) {
    int k = fast_species(s, r, j);
    if (k < 0)
      continue;
    int dup = -1;
    for (int i = 0; i < m; i++)
      if (q[i] == k)
        dup = i;
    ims_expr_t *ej;
    if ((rc = ims__sbml_effect(s, r, j, &ej)))
      break;
    if (dup >= 0) { /* the same species on both sides */
      e[dup] = ims_expr_op2(IMS_X_ADD, e[dup], ej);
      continue;
    }
    q[m] = k;
    e[m++] = ej;
  }
  const ims_expr_t *rate = s->d->vars[s->sym[ims__sbml_sym(s, Reaction_getId(r))].index].def.e;
  ims_expr_t *sol = NULL;
  int p = -1;
  /* the conserved states' names: REACTION_SPECIES_conserved */
  for (int i = 0; i < m; i++) {
    char base[300];
    snprintf(base, sizeof base, "%s_%s_conserved", Reaction_getId(r), s->sym[q[i]].id);
    ims__sbml_unique_name(s, base, tname[i], sizeof tname[i]);
  }
  for (int cand = 0; !rc && cand < m && !sol; cand++) {
    ims_expr_t *v = ims__sbml_inline(s->d, rate);
    for (int i = 0; v && i < m; i++) {
      if (i == cand)
        continue;
      ims_expr_t *by = through_pivot(tname[i], e[i], s->sym[q[cand]].id, e[cand]);
      ims_expr_t *w = by ? ims__sbml_subst(v, s->sym[q[i]].id, by) : NULL;
      ims_expr_free(by);
      ims_expr_free(v);
      v = w;
    }
    /* a coefficient that can reach 0 (a rate constant an event sets) leaves
     * the equilibrium undetermined there: not this pivot (case 00987) */
    sol = v && ims__sbml_coef_constant(s, v, s->sym[q[cand]].id)
              ? ims__sbml_solve(v, s->sym[q[cand]].id)
              : NULL;
    ims_expr_free(v);
    p = cand;
  }
  if (!rc && !sol)
    rc = ims__sbml_fail(s, r, IMS_EINPUT,
                        "unsupported: FastReaction (the equilibrium of fast reaction '%s' is not "
                        "linear, with a constant coefficient, in any of its species)",
                        Reaction_getId(r));
  /* the conserved states, then the species as outputs */
  for (int i = 0; !rc && i < m; i++) {
    if (i == p)
      continue;
    const ims__sbml_sym_t *y = &s->sym[q[i]];
    char unit[256];
    ims__sbml_substance_unit(s, (const Species_t *)y->el, unit, sizeof unit);
    char desc[400];
    snprintf(desc, sizeof desc, "conserved by fast reaction %s: e_%s %s - e_%s %s (amounts)",
             Reaction_getId(r), s->sym[q[p]].id, y->id, y->id, s->sym[q[p]].id);
    int k = ims_mdl_add_state(s->d, tname[i], unit, desc, 0.0, 0, 0, s->err);
    if (k < 0) {
      rc = k;
      break;
    }
    ims_expr_t *slow_i =
        s->sym[q[i]].slow ? ims_expr_copy(s->sym[q[i]].slow) : ims_expr_num(0, NULL);
    ims_expr_t *slow_p =
        s->sym[q[p]].slow ? ims_expr_copy(s->sym[q[p]].slow) : ims_expr_num(0, NULL);
    ims_expr_t *rt = ims_expr_op2(IMS_X_SUB, ims_expr_op2(IMS_X_MUL, ims_expr_copy(e[p]), slow_i),
                                  ims_expr_op2(IMS_X_MUL, ims_expr_copy(e[i]), slow_p));
    ims_expr_t *it =
        ims_expr_op2(IMS_X_SUB, ims_expr_op2(IMS_X_MUL, ims_expr_copy(e[p]), initial_expr(s, q[i])),
                     ims_expr_op2(IMS_X_MUL, ims_expr_copy(e[i]), initial_expr(s, q[p])));
    if (!rt || !it) {
      ims_expr_free(rt);
      ims_expr_free(it);
      rc = ims_err_set(s->err, IMS_ENOMEM, "out of memory");
      break;
    }
    s->d->states[k].init.e = it;
    rc = ims_mdl_add_rate_term(s->d, k, rt, s->err);
    rc = rc < 0 ? rc : IMS_OK;
  }
  for (int i = 0; !rc && i < m; i++) {
    ims__sbml_sym_t *y = &s->sym[q[i]];
    char unit[256];
    ims__sbml_substance_unit(s, (const Species_t *)y->el, unit, sizeof unit);
    ims_mdl_eq_t eq = {.line = (int)SBase_getLine((const SBase_t *)r),
                       .col = (int)SBase_getColumn((const SBase_t *)r)};
    eq.e = i == p ? sol : through_pivot(tname[i], e[i], s->sym[q[p]].id, e[p]);
    if (i == p)
      sol = NULL;
    y->index =
        ims_mdl_add_output(s->d, y->id, unit, ims__sbml_desc(y->el), eq, eq.line, eq.col, s->err);
    rc = y->index < 0 ? y->index : IMS_OK;
  }
  ims_expr_free(sol);
  for (int i = 0; i < m; i++)
    ims_expr_free(e[i]);
  return rc;
}

int ims__sbml_fast_build(ims_sbml_t *s)
{
  for (unsigned i = 0; i < Model_getNumReactions(s->model); i++) {
    Reaction_t *r = Model_getReaction(s->model, i);
    if (!is_fast(r))
      continue;
    int rc = one(s, r);
    if (rc)
      return rc;
  }
  return IMS_OK;
}
