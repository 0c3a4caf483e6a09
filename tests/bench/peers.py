"""SciPy engines for `make bench`: solve_ivp with LSODA, BDF and Radau over the
population and dose events written by `bench prep`.  Doses are exact
discontinuities: the integration restarts at every event time.

    /usr/bin/python3 peers.py ENGINE DIR RTOL ATOL NSUBJ K REPEATS TEND
ENGINE is scipy-lsoda, scipy-bdf or scipy-radau."""
import csv
import os
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp


def pk2cmt(p, ns, npar):
    CL, V1, Q, V2 = p[0], p[1], p[2], p[3]

    def f(t, y, rate):
        return [-CL / V1 * y[0] - Q / V1 * y[0] + Q / V2 * y[1] + rate[0],
                Q / V1 * y[0] - Q / V2 * y[1] + rate[1]]
    return f


def hardiansyah2019(p, ns, npar):
    (dIL6, dIL10, dIFNg, aG, bG, rM, dCARTM, aM, kin, kout, h, rB, dB, PIL6, PIL10, PIFNg, rE,
     dCARTE, aE, KBC) = p[:20]
    IL6b, IL10b, IFNgb = p[npar + 5], p[npar + 6], p[npar + 7]

    def f(t, y, rate):
        B, E, ET, M, MT, IL6, IL10, IFNg = y
        fB = B / (B + h)
        Fd = aG + (1 - aG) * bG / (IL10 + bG)
        enc = 1e6 * B * E
        return [rB * B - dB * B - KBC * E * B + rate[0],
                rE * E * B - dCARTE * E - kin * E + kout * ET - aE * E * (1 - fB) + aM * M * fB + rate[1],
                kin * E - kout * ET + rate[2],
                rM * M - dCARTM * M - kin * M + kout * MT + aE * E * (1 - fB) - aM * M * fB + rate[3],
                kin * M - kout * MT + rate[4],
                dIL6 * IL6b + PIL6 * enc - dIL6 * IL6 + rate[5],
                dIL10 * IL10b + PIL10 * enc - dIL10 * IL10 + rate[6],
                dIFNg * IFNgb + PIFNg * enc * Fd - dIFNg * IFNg + rate[7]]
    return f


def kirschner_panetta1998(p, ns, npar):
    c, mu2, p1, g1, g2, r2, b, a, p2, g3, mu3, s1, s2 = p[:13]

    def rhs(t, y, rate):
        E, T, IL = y
        return [c * T - mu2 * E + p1 * E * IL / (g1 + IL) + s1 + rate[0],
                r2 * T * (1 - b * T) - a * E * T / (g2 + T) + rate[1],
                p2 * E * T / (g3 + T) - mu3 * IL + s2 + rate[2]]
    return rhs


def depillis2006(p, ns, npar):
    (a, b, c, d, l, s, e, f, g, h, j, k, m, q, pp, r1, r2, u, KT, KN, KL, KC, alpha, beta, gamma, muI,
     pI, gI) = p[:28]

    def rhs(t, y, rate):
        T, N, L, C, M, I = y
        Ll = abs(L) ** l  # |T|, |L|: a step may overshoot zero; the powers must stay real
        DT = d * T * Ll / (Ll + s * abs(T) ** l) if Ll > 0 else 0.0
        em = 1 - np.exp(-M)
        return [a * T * (1 - b * T) - c * N * T - DT - KT * em * T + rate[0],
                e * C - f * N + g * T * T / (h + T * T) * N - pp * N * T - KN * em * N + rate[1],
                -m * L + j * DT * DT / (k + DT * DT) * L - q * L * T + (r1 * N + r2 * C) * T - u * N * L * L
                - KL * em * L + pI * L * I / (gI + I) + rate[2],
                alpha - beta * C - KC * em * C + rate[3],
                -gamma * M + rate[4],
                -muI * I + rate[5]]
    return rhs


MODELS = {"pk2cmt": pk2cmt, "hardiansyah2019": hardiansyah2019, "depillis2006": depillis2006,
          "kirschner_panetta1998": kirschner_panetta1998}


def main():
    engine, d, rtol_s, atol_s, nsubj, K, reps, tend = sys.argv[1:9]
    rtol, atol, nsubj, K, reps, tend = float(rtol_s), float(atol_s), int(nsubj), int(K), int(reps), float(tend)
    method = {"scipy-lsoda": "LSODA", "scipy-bdf": "BDF", "scipy-radau": "Radau"}[engine]
    model = open(os.path.join(d, "model")).read().split()[0]
    ns = len(open(os.path.join(d, "states.csv")).read().split())
    with open(os.path.join(d, "pop.csv")) as fp:
        rows = list(csv.reader(fp))[1:nsubj + 1]
    pop = np.array([[float(x) for x in r[1:]] for r in rows])
    npar = pop.shape[1] - ns
    ev = np.loadtxt(os.path.join(d, "events.csv"), delimiter=",", skiprows=1, ndmin=2)
    tout = np.arange(0.0, tend + 0.5, 1.0)
    breaks = sorted(set([t for t in ev[:, 0] if t < tend] + [tend]))
    times, traj = [], []
    nfev = 0
    for r in range(-1, reps):  # r = -1: an untimed warm-up subject (first-call costs)
        nfev = 0
        t0 = time.perf_counter()
        for i, p in enumerate(pop[:1] if r < 0 else pop):
            f = MODELS[model](p, ns, npar)
            y = p[npar:npar + ns].copy()
            rate = np.zeros(ns)
            t = 0.0
            keep = r == 0 and i < K
            for b in breaks:
                if b > t:
                    te = tout[(tout >= t) & (tout < b)]
                    sol = solve_ivp(f, (t, b), y, method=method, t_eval=np.append(te, b), rtol=rtol,
                                    atol=atol, args=(rate,))
                    if not sol.success:
                        sys.exit("scipy: %s failed for subject %d: %s" % (method, i, sol.message))
                    nfev += sol.nfev
                    if keep:
                        for k, tk in enumerate(te):
                            traj.append([i, tk] + list(sol.y[:, k]))
                    y = sol.y[:, -1].copy()
                    t = b
                for e in ev[ev[:, 0] == b]:
                    k = int(e[1])
                    if int(e[2]) == 1:
                        y[k] += e[3]
                    else:
                        rate[k] += e[3] if int(e[2]) == 2 else -e[3]
            if keep:
                traj.append([i, tend] + list(y))
        if r >= 0:
            times.append((time.perf_counter() - t0) / len(pop))
    if K:
        np.savetxt(os.path.join(d, "traj_%s_%s.csv" % (engine, rtol_s)), np.array(traj), delimiter=",",
                   fmt="%.17g")
    print("%s,%s,%.6g,%.1f,nan" % (engine, rtol_s, float(np.median(times)), nfev / len(pop)))


main()
