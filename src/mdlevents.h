/* Internal: events of a description compiled into the evaluator (sbml,
 * issue 12; src/mdlevents.c).  Called from the model compiler (mdlemit.c). */
#ifndef IMS_MDLEVENTS_H
#define IMS_MDLEVENTS_H

#include "mdlcomp.h"

/* Assignments per event (the evaluator keeps one event's values on the
 * stack: a model never allocates while it runs). */
#define IMS__EV_MAXASSIGN 256

/* Build the DAG nodes of every event (before the register layout is made):
 * *out is NULL for a model without events. */
int ims__events_nodes(ims__comp_t *c, struct ectx *x, ims__dag_t *g, ims__evprog_t **out);
/* Their programs, once the layout exists; non-zero when out of memory. */
int ims__events_build(ims__evprog_t *E, const ims__dag_t *g, const ims__layout_t *L);
/* Registers the programs need. */
size_t ims__events_nreg(const ims__evprog_t *E);
/* Fill the model's event fields (nevents, events, nevroots, nevvalues). */
void ims__events_model(const ims__evprog_t *E, ims_model_t *m);
void ims__events_free(ims__evprog_t *E);
/* The model's event_eval. */
void ims__events_eval(int what, double t, const double *y, double *out, const ims_ctx_t *ctx);

#endif
