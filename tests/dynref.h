/* Independent reference computations for the dynamics tests (dynref.c). */
#ifndef IMS_TESTS_DYNREF_H
#define IMS_TESTS_DYNREF_H

#include "tests.h"

/* A 2-D affine test model, f = A (x - x*): parameters a, b, c, d (the
 * rows of A) and xs, ys, then x_0, y_0; it needs nwork = 3 and ctx->model
 * (the contract for interpreted models) and fails without them. */
enum { LA, LB, LC, LD, LXS, LYS };
extern const ims_model_t dyn_lin2;

/* x' = mu - x^2, (y, z) an oscillator with damping mu - h: parameters mu,
 * h; equilibria x = +-sqrt(mu), y = z = 0; a fold at mu = 0 and a Hopf
 * point at mu = h on both halves of the branch. */
extern const ims_model_t dyn_foldhopf;

/* kuznetsov1994 parameter order */
enum { KS, KP, KG, KM, KD, KA, KB, KN };
/* kirschner_panetta1998 parameter order */
enum { C, MU2, P1, G1, G2, R2, B, A, P2, G3, MU3, S1, S2 };

/* Kuznetsov: T of the tumour-bearing equilibria (roots of a cubic in
 * (0, 1/b), ascending); returns how many. */
int kz_cubic(const double *p, double *T);
/* Its coefficients c[0] + c[1] T + c[2] T^2 + c[3] T^3. */
void kz_cubic_coef(const double *p, double *c);
/* Kirschner-Panetta: interior equilibria by Brent on the scalar reduction
 * h(T); y gets the last one; returns how many sign changes were found. */
int kp_interior(const double *p, double *y);
/* Roots of the characteristic polynomial of a 3x3 matrix (companion matrix). */
void charpoly3(const double *J, double *re, double *im);
/* |f_i| over the largest term of f_i at y (or |f_i| where all terms vanish). */
void kz_resid(const double *p, const double *y, double *r);
void kp_resid(const double *p, const double *y, double *r);

#endif
