/* SBML: import (Level 2 Version 1 to Level 3 Version 2 core, comp flattened)
 * onto the internal model description (mdl.h), and export of any model with
 * an expression form as SBML Level 3 Version 2 core.
 *
 * How SBML symbols become model variables (README "SBML"):
 *  - a species is always held as its amount, named by its id: a state when
 *    reactions, a rate rule or events change it, an intermediate when an
 *    assignment rule defines it.  Where the SBML math means its
 *    concentration, the import writes id/compartment.  Doses add amounts.
 *    The output "[id]" is its concentration (the libRoadRunner convention);
 *  - a compartment, parameter or species reference is a parameter when
 *    nothing changes it or only events do, a state under a rate rule and an
 *    intermediate under an assignment rule;
 *  - a reaction's rate is an intermediate named by the reaction's id, and
 *    its local parameters are parameters named REACTION_PARAM;
 *  - initial values are the <STATE>_0 parameters (amounts), unless an
 *    initial assignment gives them. */
#ifndef IMMUNOSIM_SBML_H
#define IMMUNOSIM_SBML_H

#include "immunosim/err.h"
#include "immunosim/mdl.h"
#include "immunosim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when path names an SBML file: it ends in .xml or .sbml, or its first
 * bytes hold an <sbml element. */
int ims_sbml_is_sbml(const char *path);

/* An SBML document read onto a description, before compiling. */
typedef struct ims_sbml ims_sbml_t;

/* Read, check (libsbml's consistency checks first, "file:line:col: ..."),
 * and map path onto a description.  A feature immunosim cannot simulate
 * fails with IMS_EINPUT and a message containing "unsupported: TAG". */
int ims_sbml_import(ims_sbml_t **out, const char *path, ims_err_t *err);
/* The same from memory (name is used in messages; comp's external model
 * files do not resolve). */
int ims_sbml_import_mem(ims_sbml_t **out, const char *name, const char *buf, size_t len,
                        ims_err_t *err);
void ims_sbml_free(ims_sbml_t *s);
/* The description being built (owned by s until ims_sbml_compile). */
ims_mdl_t *ims_sbml_mdl(ims_sbml_t *s);

/* What ims_sbml_report adds for a species. */
#define IMS_SBML_VALUE 0  /* the SBML value (a species: as its hasOnlySubstanceUnits says) */
#define IMS_SBML_AMOUNT 1 /* a species' amount */
#define IMS_SBML_CONC 2   /* a species' concentration */

/* Add an output named `name` giving the SBML symbol `id` (a species,
 * compartment, parameter, species reference or reaction) as `what` says, so
 * any symbol can be reported (the SBML Test Suite wrapper uses this). */
int ims_sbml_report(ims_sbml_t *s, const char *id, int what, const char *name, ims_err_t *err);

/* Compile the description into a model (consumes s in every case). */
int ims_sbml_compile(ims_sbml_t *s, const ims_mdl_opts_t *o, ims_model_t **out, ims_err_t *err);

/* Options of ims_sbml_export; zero-initialised means the model's own. */
typedef struct ims_sbml_export_opts {
  const double *p;      /* the values to write (ims_model_nvalues), or NULL: defaults */
  double extinct_floor; /* > 0: write this extinction rule as events (a built-in's, whose
                           model file cannot state it); 0: the model's own */
} ims_sbml_export_opts_t;

/* Write a model that has an expression form (a model file, an SBML import;
 * ims_mdl_of(m) != NULL) as SBML Level 3 Version 2 core to path ("-":
 * standard output), through a temporary file renamed into place, after
 * libsbml's validation of the document.  o may be NULL.  Built-in C models
 * have no expression form: IMS_EINPUT. */
int ims_sbml_export(const ims_model_t *m, const ims_sbml_export_opts_t *o, const char *path,
                    ims_err_t *err);

/* ims_sbml_import then ims_sbml_compile: what ims_model_open does for SBML. */
int ims_sbml_read(const char *path, const ims_mdl_opts_t *o, ims_model_t **out, ims_err_t *err);

#ifdef __cplusplus
}
#endif
#endif
