#!/usr/bin/python3
"""Independent cross-check of hardiansyah2019 with SciPy (LSODA).

Written from Hardiansyah & Ng 2019 (Clin Transl Sci 12:343, supplement
Eqs 1-9, errata applied; models/hardiansyah2019.md), with the parameter table
typed in from supplement Tables S1-S2 rather than read from our CSV files, so
the transcription of the parameter sets is checked too.  Boluses are
handled by stopping the integration at each dose time, adding the dose to
E_PB and restarting.

Usage: /usr/bin/python3 tests/peers/hardiansyah2019.py build/immunosim
Compares all 8 states on a daily grid over 60 d; prints one PASS/FAIL line.

Tolerance: both solvers run at rtol 1e-10; the expansion phase amplifies
local errors by at most its growth factor (E_PB grows ~25-fold in UPN1,
~70-fold in UPN3), so agreement to ~1e-7 is expected (measured: 2.5e-7, on
an E_PB that has decayed to 1e-8), far inside the 1e-4 relative criterion,
which a 0.3 % change in one parameter (KBC) already breaks.  Values that
decay towards zero are compared absolutely below a floor of 1 cell (1e-9 in
1e9 cell) and 1e-6 pg/mL, far below anything observable.
"""
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

STATES = ["B", "E_PB", "E_T", "M_PB", "M_T", "IL6", "IL10", "IFNg"]
SHARED = dict(dIL6=3.96, dIL10=4.68, dIFNg=1.51, aG=0.59, bG=650.0, rM=5.09e-2, dCARTM=0.408,
              aM=1.0, kin=76.78, kout=1.84, h=1e5, rB=9.30e-3, dB=7.60e-3)
PATIENT = {
    "upn1": dict(PIL6=1.8e-3, PIL10=0.7e-3, PIFNg=0.3e-3, rE=16.16, dCARTE=23.04, aE=2.4e-2,
                 KBC=0.19, B0=4.14, IL6_0=1.7, IL10_0=4.5, IFNg_0=2.3, dose=1.1e9),
    "upn3": dict(PIL6=0.6e-2, PIL10=1.7e-2, PIFNg=0.6e-2, rE=14.40, dCARTE=1.44, aE=1.2e-1,
                 KBC=2.21, B0=0.93, IL6_0=1.0, IL10_0=0.5, IFNg_0=1.7, dose=1.4e7),
}
RTOL, ABS_CELL, ABS_CYT = 1e-4, 1e-9, 1e-6


def rhs(_t, y, p):
    B, EPB, ET, MPB, MT, IL6, IL10, IFNg = y
    f = B / (B + p["h"])
    Fd = p["aG"] + (1 - p["aG"]) * p["bG"] / (IL10 + p["bG"])
    return [
        p["rB"] * B - p["dB"] * B - p["KBC"] * EPB * B,
        p["rE"] * EPB * B - p["dCARTE"] * EPB - p["kin"] * EPB + p["kout"] * ET
        - p["aE"] * EPB * (1 - f) + p["aM"] * MPB * f,
        p["kin"] * EPB - p["kout"] * ET,
        p["rM"] * MPB - p["dCARTM"] * MPB - p["kin"] * MPB + p["kout"] * MT
        + p["aE"] * EPB * (1 - f) - p["aM"] * MPB * f,
        p["kin"] * MPB - p["kout"] * MT,
        p["dIL6"] * p["IL6_0"] + p["PIL6"] * 1e6 * B * EPB - p["dIL6"] * IL6,
        p["dIL10"] * p["IL10_0"] + p["PIL10"] * 1e6 * B * EPB - p["dIL10"] * IL10,
        p["dIFNg"] * p["IFNg_0"] + p["PIFNg"] * 1e6 * B * EPB * Fd - p["dIFNg"] * IFNg,
    ]


def peer(p, doses, grid):
    """doses: list of (time, amount in 1e9 cell) into E_PB.  Rows at a dose
    time show the post-dose state, as the CLI's do."""
    y = np.array([p["B0"], 0, 0, 0, 0, p["IL6_0"], p["IL10_0"], p["IFNg_0"]], float)
    atol = [1e-14] * 5 + [1e-10] * 3
    out = np.full((len(grid), 8), np.nan)

    def dose_at(t):
        for td, amt in doses:
            if td == t:
                y[1] += amt

    a = grid[0]
    dose_at(a)
    for b in sorted({t for t, _ in doses if t > a} | {grid[-1]}):
        sel = (grid >= a) & (grid < b)
        sol = solve_ivp(rhs, (a, b), y, method="LSODA", rtol=1e-10, atol=atol, args=(p,),
                        t_eval=np.append(grid[sel], b))
        if not sol.success:
            sys.exit("FAIL hardiansyah2019 (SciPy): " + sol.message)
        out[sel] = sol.y.T[:-1]
        y[:] = sol.y[:, -1]
        dose_at(b)
        a = b
    out[-1] = y
    return out


def cli(binary, pset, sched):
    cmd = [binary, "run", "hardiansyah2019", "-p", pset, "-s", sched, "-t", "60", "--dt", "1",
           "--rtol", "1e-10", "--atol", "1e-14", "-o", "-"]
    txt = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = [l for l in txt.splitlines() if l and not l.startswith("#")]
    hdr = rows[0].split(",")
    data = np.array([[float(v) for v in r.split(",")] for r in rows[1:]])
    return data[:, 0], data[:, [hdr.index(s) for s in STATES]]


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
    cases = [("upn1", "hardiansyah_upn1_split", [(0, 0.1), (1, 0.3), (2, 0.6)]),
             ("upn3", "hardiansyah_upn3_split", [(0, 0.1), (1, 0.3), (2, 0.6)]),
             ("upn1", "hardiansyah_upn1_single", [(0, 1.0)])]
    worst, where, ok = 0.0, "", True
    for pset, sched, split in cases:
        p = dict(SHARED, **PATIENT[pset])
        doses = [(t, frac * p["dose"] / 1e9) for t, frac in split]
        t, got = cli(binary, pset, sched)
        want = peer(p, doses, t)
        floor = np.array([ABS_CELL] * 5 + [ABS_CYT] * 3)
        err = np.abs(got - want)
        bad = err > RTOL * np.abs(want) + floor
        if bad.any() or np.isnan(want).any():
            i, j = np.argwhere(bad | np.isnan(want))[0]
            print(f"  {pset}/{sched}: t={t[i]} {STATES[j]} CLI {got[i, j]:.10g} SciPy {want[i, j]:.10g}")
            ok = False
        big = np.abs(want) > floor
        rel = np.where(big, err / np.where(big, np.abs(want), 1), 0)
        k = np.unravel_index(np.argmax(rel), rel.shape)
        if rel[k] > worst:
            worst, where = rel[k], f"{pset}/{sched} {STATES[k[1]]} t={t[k[0]]:g}"
    print(f"{'PASS' if ok else 'FAIL'} hardiansyah2019 vs SciPy LSODA (3 runs x 8 states x 61 days): "
          f"max relative error {worst:.2e} ({where}), tolerance {RTOL:g} + floors")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
