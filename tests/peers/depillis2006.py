#!/usr/bin/python3
"""Peer check of depillis2006 with SciPy, written from the equations of
de Pillis 2006 (models/depillis2006.md; the paper's D = d (L/T)^l / (s + (L/T)^l) form, not the
rewritten one the C model uses), against the CLI.

Runs: patient 9 untreated from the default state (the tumour escapes) and
patient 9 and 10 under pulsed chemotherapy (vM = 5 mg/L/d on [10k, 10k+1],
k = 0..8, read here from the protocol, independently of the schedule file
params/schedules/depillis_chemo.csv the CLI is given) from 2e7 tumour cells.

Tolerance: both solvers run at rtol 1e-10; the trajectories are compared at
every output time with relative error max|a-b|/max(|b|, floor), floor 1 cell
for cells and 1e-4 mg/L, 1e-4 IU/L for the drugs (absolute tolerances 1e-9
cell and 1e-12 for the drugs keep the solvers' own errors far below).  The system is stiff and
contracting, so a 1e-10 local tolerance gives global errors of order 1e-8;
1e-6 leaves a factor 100 for solver differences, and anything structural
(a wrong term or sign, a dose at the wrong time) shows as 1e-2 or more.
"""
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.integrate import solve_ivp

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TOL = 1e-6
NAMES = ["T", "N", "L", "C", "M", "I"]
FLOOR = np.array([1.0, 1.0, 1.0, 1.0, 1e-4, 1e-4])
ATOL = [1e-9, 1e-9, 1e-9, 1e-9, 1e-12, 1e-12]


def params(patient):
    with open(os.path.join(ROOT, "params", "depillis2006", patient + ".csv")) as f:
        return {r["name"]: float(r["value"]) for r in csv.DictReader(f)}


def rhs(t, y, p, vM):
    T, N, L, C, M, I = y
    if T > 0:
        x = (max(L, 0.0) / T) ** p["l"]
        D = p["d"] * x / (p["s"] + x)
    else:
        D = 0.0
    E = 1 - np.exp(-M)
    dT = p["a"] * T * (1 - p["b"] * T) - p["c"] * N * T - D * T - p["KT"] * E * T
    dN = (p["e"] * C - p["f"] * N + p["g"] * T**2 / (p["h"] + T**2) * N - p["p"] * N * T
          - p["KN"] * E * N)
    dL = (-p["m"] * L + p["j"] * D**2 * T**2 / (p["k"] + D**2 * T**2) * L - p["q"] * L * T
          + (p["r1"] * N + p["r2"] * C) * T - p["u"] * N * L**2 - p["KL"] * E * L
          + p["pI"] * L * I / (p["gI"] + I))
    dC = p["alpha"] - p["beta"] * C - p["KC"] * E * C
    dM = -p["gamma"] * M + vM
    dI = -p["muI"] * I
    return [dT, dN, dL, dC, dM, dI]


def peer(p, y0, times, pulses):
    """Integrate piecewise between the pulse edges (the input is a step)."""
    edges = sorted({0.0, times[-1]} | {e for a, b in pulses for e in (a, b) if e < times[-1]})
    out = np.empty((len(times), 6))
    y = np.array(y0, float)
    for a, b in zip(edges[:-1], edges[1:]):
        vM = 5.0 if any(s <= a < e for s, e in pulses) else 0.0
        sel = [i for i, t in enumerate(times) if a <= t <= b]
        te = sorted({times[i] for i in sel} | {b})
        sol = solve_ivp(rhs, (a, b), y, method="Radau", rtol=1e-10, atol=ATOL, t_eval=te,
                        args=(p, vM))
        if not sol.success:
            sys.exit("peer solver failed: " + sol.message)
        for i in sel:
            out[i] = sol.y[:, te.index(times[i])]
        y = sol.y[:, -1]
    return out


def cli(args, out):
    atol = [a for n, v in zip(NAMES, ATOL) for a in ("--atol", f"{n}={v}")]
    subprocess.run([BIN, "run", "depillis2006", "--rtol", "1e-10", "-o", out] + atol + args,
                   check=True, cwd=ROOT)
    with open(out) as f:  # '#' lines are metadata (comment='#')
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return (np.array([float(r["time"]) for r in rows]),
            np.array([[float(r[n]) for n in NAMES] for r in rows]))


def main():
    worst = 0.0
    chemo = [(10.0 * k, 10.0 * k + 1) for k in range(9)]
    cases = [
        ("patient9 untreated", "patient9", [], [], 60),
        ("patient9 chemo", "patient9", ["-s", "depillis_chemo", "--set", "T_0=2e7"], chemo, 100),
        ("patient10 chemo", "patient10", ["-s", "depillis_chemo", "--set", "T_0=2e7"], chemo, 100),
    ]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, pat, extra, pulses, tend in cases:
            p = params(pat)
            if "--set" in extra:
                p["T_0"] = float(extra[extra.index("--set") + 1].split("=")[1])
            t, got = cli(["-p", pat, "-t", str(tend), "--dt", "0.5"] + extra,
                         os.path.join(tmp, "o.csv"))
            y0 = [p[n + "_0"] for n in NAMES]
            want = peer(p, y0, list(t), pulses)
            scale = np.maximum(np.abs(want), FLOOR)
            err = np.max(np.abs(got - want) / scale)
            worst = max(worst, err)
            if not err <= TOL:
                i, j = np.unravel_index(np.argmax(np.abs(got - want) / scale), got.shape)
                print(f"  {name}: {NAMES[j]} at t={t[i]}: CLI {got[i, j]:.10g} SciPy {want[i, j]:.10g}")
                ok = False
    print(f"{'PASS' if ok else 'FAIL'} depillis2006 vs SciPy Radau: max relative error {worst:.2e} "
          f"(tolerance {TOL:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
