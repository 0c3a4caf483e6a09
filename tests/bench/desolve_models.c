/* The benchmark models for deSolve's compiled-code interface, written from
 * the published equations (models/<name>.md), not from the C sources.  Parameters arrive in the
 * order of the population file (every model value, <STATE>_0 included),
 * followed by one infusion rate per state. */
#include <R.h>
#include <math.h>

static double parms[64];

#define P(k) parms[k]

void init_pk2cmt(void (*odeparms)(int *, double *))
{
  int n = 22; /* 18 parameters, 2 initial values, 2 rates */
  odeparms(&n, parms);
}

/* CL V1 Q V2 Emax T50 HILL Vmax Km, the covariates WT WT_REF CL_WT V1_WT Q_WT V2_WT BSA
 * BSA_REF CL_BSA (at their reference values: factors of 1) | A1_0 A2_0 | r1 r2 (linear:
 * Emax = Vmax = 0) */
void derivs_pk2cmt(int *neq, double *t, double *y, double *yd, double *yout, int *ip)
{
  (void)neq, (void)t, (void)yout, (void)ip;
  double c1 = y[0] / P(1);
  yd[0] = -P(0) * c1 - P(2) / P(1) * y[0] + P(2) / P(3) * y[1] + P(20);
  yd[1] = P(2) / P(1) * y[0] - P(2) / P(3) * y[1] + P(21);
}

void init_hardi(void (*odeparms)(int *, double *))
{
  int n = 36; /* 20 parameters, 8 initial values, 8 rates */
  odeparms(&n, parms);
}

/* dIL6 dIL10 dIFNg aG bG rM dCARTM aM kin kout h rB dB PIL6 PIL10 PIFNg rE dCARTE aE KBC
 * | B E_PB E_T M_PB M_T IL6 IL10 IFNg (initial values, also the cytokine baselines) | rates */
void derivs_hardi(int *neq, double *t, double *y, double *yd, double *yout, int *ip)
{
  (void)neq, (void)t, (void)yout, (void)ip;
  double B = y[0], E = y[1], ET = y[2], M = y[3], MT = y[4];
  double f = B / (B + P(10)), Fd = P(3) + (1 - P(3)) * P(4) / (y[6] + P(4));
  double enc = 1e6 * B * E;
  yd[0] = P(11) * B - P(12) * B - P(19) * E * B;
  yd[1] = P(16) * E * B - P(17) * E - P(8) * E + P(9) * ET - P(18) * E * (1 - f) + P(7) * M * f;
  yd[2] = P(8) * E - P(9) * ET;
  yd[3] = P(5) * M - P(6) * M - P(8) * M + P(9) * MT + P(18) * E * (1 - f) - P(7) * M * f;
  yd[4] = P(8) * M - P(9) * MT;
  yd[5] = P(0) * P(25) + P(13) * enc - P(0) * y[5];
  yd[6] = P(1) * P(26) + P(14) * enc - P(1) * y[6];
  yd[7] = P(2) * P(27) + P(15) * enc * Fd - P(2) * y[7];
  for (int i = 0; i < 8; i++)
    yd[i] += P(28 + i);
}

void init_depillis(void (*odeparms)(int *, double *))
{
  int n = 40; /* 28 parameters, 6 initial values, 6 rates */
  odeparms(&n, parms);
}

/* a b c d l s e f g h j k m q p r1 r2 u KT KN KL KC alpha beta gamma muI pI gI | T N L C M I |
 * rates; D*T = d*T*L^l/(L^l + s*T^l) (de Pillis 2006, the form finite at T = 0) */
void derivs_depillis(int *neq, double *t, double *y, double *yd, double *yout, int *ip)
{
  (void)neq, (void)t, (void)yout, (void)ip;
  double T = y[0], N = y[1], L = y[2], C = y[3], M = y[4], I = y[5];
  /* |T|, |L|: a step may overshoot zero slightly; the powers must stay real */
  double Ll = pow(fabs(L), P(4)),
         DT = Ll > 0 ? P(3) * T * Ll / (Ll + P(5) * pow(fabs(T), P(4))) : 0;
  double em = 1 - exp(-M);
  yd[0] = P(0) * T * (1 - P(1) * T) - P(2) * N * T - DT - P(18) * em * T;
  yd[1] = P(6) * C - P(7) * N + P(8) * T * T / (P(9) + T * T) * N - P(14) * N * T - P(19) * em * N;
  yd[2] = -P(12) * L + P(10) * DT * DT / (P(11) + DT * DT) * L - P(13) * L * T +
          (P(15) * N + P(16) * C) * T - P(17) * N * L * L - P(20) * em * L +
          P(26) * L * I / (P(27) + I);
  yd[3] = P(22) - P(23) * C - P(21) * em * C;
  yd[4] = -P(24) * M;
  yd[5] = -P(25) * I;
  for (int i = 0; i < 6; i++)
    yd[i] += P(34 + i);
}

void init_kp(void (*odeparms)(int *, double *))
{
  int n = 19; /* 13 parameters, 3 initial values, 3 rates */
  odeparms(&n, parms);
}

/* c mu2 p1 g1 g2 r2 b a p2 g3 mu3 s1 s2 | E T IL | rates (Kirschner & Panetta 1998) */
void derivs_kp(int *neq, double *t, double *y, double *yd, double *yout, int *ip)
{
  (void)neq, (void)t, (void)yout, (void)ip;
  double E = y[0], T = y[1], IL = y[2];
  yd[0] = P(0) * T - P(1) * E + P(2) * E * IL / (P(3) + IL) + P(11) + P(16);
  yd[1] = P(5) * T * (1 - P(6) * T) - P(7) * E * T / (P(4) + T) + P(17);
  yd[2] = P(8) * E * T / (P(9) + T) - P(10) * IL + P(12) + P(18);
}
