/* Serial N_Vector operations compiled with this library's flags.
 *
 * Debian's SUNDIALS 6.4 is built without optimisation: its serial vector
 * kernels spill every loop index to the stack and cost about 20 instructions
 * per element, which made them a third of a small model's run and most of
 * what CVODES quadratures add.  The replacements below keep nvector_serial's
 * arithmetic operation for operation (the same special cases, the same order
 * of sums), so every result is the same bits; tests/test_nvec.c compares
 * them with the library's own kernels over random vectors and coefficients.
 */
#ifndef IMS_NVEC_H
#define IMS_NVEC_H

#include <nvector/nvector_serial.h>

/* Replace the hot operations of serial vector v (and so of every clone made
 * from it afterwards).  A vector of another kind is left alone. */
void ims__nvec_tune(N_Vector v);

/* After ims__nvec_tune: the WRMS norm is the larger of two, that of the
 * entries before the first weight 0 and that of the entries after it
 * (states, a separator, quadratures carried in the state vector:
 * src/sim_aug.c).  The first is the same bits as the states' alone. */
void ims__nvec_split_norm(N_Vector v);

#endif
