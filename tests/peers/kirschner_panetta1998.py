#!/usr/bin/env python3
"""SciPy peer for kirschner_panetta1998, written from the equations in
Kirschner & Panetta 1998 (J Math Biol 37:235, Eq. 1; models/kirschner_panetta1998.md):

  dE/dt  = c*T - mu2*E + p1*E*IL/(g1 + IL) + s1
  dT/dt  = r2*T*(1 - b*T) - a*E*T/(g2 + T)
  dIL/dt = p2*E*T/(g3 + T) - mu3*IL + s2

Case: c = 0.035 (the BioModels BIOMD0000000732 value), E0 = 0, T0 = 1,
IL0 = 0, 0..500 d.  The trajectory grows from one cell to a 1e5-cell peak and
spirals slowly into a stable focus; T never falls below one cell, so nothing
is decided by rounding and both solvers must agree.  Both run at rtol 1e-10;
on 0..500 d the flow is only mildly expanding (the focus has Re = -0.001 /d;
the first peak amplifies relative errors by at most ~1e2), so 1e-6 relative
leaves a margin of 100x over the expected difference of ~1e-8.

Usage: /usr/bin/python3 kirschner_panetta1998.py path/to/immunosim
"""
import io
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
P = dict(c=0.035, mu2=0.03, p1=0.1245, g1=2e7, g2=1e5, r2=0.18, b=1e-9, a=1.0,
         p2=5.0, g3=1e3, mu3=10.0, s1=0.0, s2=0.0)
Y0 = [0.0, 1.0, 0.0]
TEND, DT, TOL = 500.0, 1.0, 1e-6


def rhs(t, y):
    E, T, IL = y
    p = P
    return [p["c"] * T - p["mu2"] * E + p["p1"] * E * IL / (p["g1"] + IL) + p["s1"],
            p["r2"] * T * (1 - p["b"] * T) - p["a"] * E * T / (p["g2"] + T),
            p["p2"] * E * T / (p["g3"] + T) - p["mu3"] * IL + p["s2"]]


def jac(t, y):
    E, T, IL = y
    p = P
    return [[-p["mu2"] + p["p1"] * IL / (p["g1"] + IL), p["c"],
             p["p1"] * E * p["g1"] / (p["g1"] + IL) ** 2],
            [-p["a"] * T / (p["g2"] + T),
             p["r2"] * (1 - 2 * p["b"] * T) - p["a"] * E * p["g2"] / (p["g2"] + T) ** 2, 0.0],
            [p["p2"] * T / (p["g3"] + T), p["p2"] * E * p["g3"] / (p["g3"] + T) ** 2, -p["mu3"]]]


def main():
    cmd = [BIN, "run", "kirschner_panetta1998", "--set", "c=%g" % P["c"], "--set", "E_0=0",
           "--set", "T_0=1", "--set", "IL_0=0", "-t", str(TEND), "--dt", str(DT),
           "--rtol", "1e-10", "--atol", "1e-10", "-o", "-"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    lines = [l for l in out.splitlines() if not l.startswith("#")]
    d = np.genfromtxt(io.StringIO("\n".join(lines)), delimiter=",", names=True)
    t = d["time"]
    sol = solve_ivp(rhs, (0.0, TEND), Y0, method="Radau", jac=jac, t_eval=t,
                    rtol=1e-11, atol=1e-12)
    if not sol.success:
        print("FAIL kirschner_panetta1998 (SciPy): %s" % sol.message)
        return 1
    worst, where = 0.0, ""
    for k, name in enumerate(["E", "T", "IL"]):
        ours, ref = d[name], sol.y[k]
        # relative error against the column's own scale where it starts at 0
        floor = 1e-6 * np.max(np.abs(ref))
        err = np.abs(ours - ref) / np.maximum(np.abs(ref), floor)
        i = int(np.argmax(err))
        if err[i] > worst:
            worst, where = err[i], "%s at t=%g" % (name, t[i])
    ok = worst <= TOL
    print("%s kirschner_panetta1998 vs SciPy Radau (c=0.035, 0-500 d): max rel err %.3g (%s), tol %g"
          % ("PASS" if ok else "FAIL", worst, where, TOL))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
