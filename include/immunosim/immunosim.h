/* immunosim: ODE compartment models of cancer immunotherapy. */
#ifndef IMMUNOSIM_H
#define IMMUNOSIM_H

#define IMS_VERSION "0.1.0"

#include "immunosim/bands.h"
#include "immunosim/compare.h"
#include "immunosim/continuation.h"
#include "immunosim/covariates.h"
#include "immunosim/data.h"
#include "immunosim/equilibria.h"
#include "immunosim/err.h"
#include "immunosim/figure.h"
#include "immunosim/localsens.h"
#include "immunosim/mdl.h"
#include "immunosim/metrics.h"
#include "immunosim/model.h"
#include "immunosim/orbits.h"
#include "immunosim/output.h"
#include "immunosim/params.h"
#include "immunosim/phase.h"
#include "immunosim/plots.h"
#include "immunosim/popsim.h"
#include "immunosim/population.h"
#include "immunosim/report.h"
#include "immunosim/rules.h"
#include "immunosim/run.h"
#include "immunosim/sbml.h"
#include "immunosim/schedule.h"
#include "immunosim/sim.h"
#include "immunosim/sweep.h"
#include "immunosim/table.h"
#include "immunosim/units.h"

#endif
