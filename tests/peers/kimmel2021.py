#!/usr/bin/python3
"""Peer check for kimmel2021: SciPy integration of Kimmel 2021 (models/kimmel2021.md;
Eqs 2.1-2.3, BioModels BIOMD0000001041 values), written from the equations
(not from our C), against `immunosim run`."""
import io
import math
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

def read_table(text):
    """The CLI table: '#' comment lines, a header row, then numbers."""
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    cols = lines[0].split(",")
    v = np.loadtxt(io.StringIO("\n".join(lines[1:])), delimiter=",", ndmin=2)
    return {c: v[:, i] for i, c in enumerate(cols)}


BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
KN, KC, rN, a, b, rB, gB, kB = 500.0, 139.0, 0.17, 0.423, 0.525, 0.01, 1.15, 4.05


def f(_t, y, rhoC):
    N, C, B = y
    T = N + C
    rC = rhoC + b * (T - KN) ** 2 / (a * T * T + (T - KN) ** 2)
    return [-rN * N * math.log(T / KN), -rC * C * math.log(T / KC),
            rB * B - gB * B * C / (kB + C)]


worst = {}
for label, extra, rhoC, in (("main", [], 0.0251), ("rhoC=0.037", ["--set", "rhoC=0.037"], 0.037)):
    cmd = [BIN, "run", "kimmel2021", "-t", "180", "--dt", "0.5", "--rtol", "1e-10",
           "--atol", "1e-14", "-o", "-"] + extra
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        print("FAIL kimmel2021: %s: %s" % (" ".join(cmd), res.stderr.strip()))
        sys.exit(1)
    d = read_table(res.stdout)
    s = solve_ivp(f, [0, 180], [6.0, 0.36, 94.86], args=(rhoC,), method="LSODA", rtol=1e-12,
                  atol=1e-14, t_eval=d["time"])
    # N and C over the whole run; B while it is above 1e-6 mL (it falls to
    # 1e-12 and below, under both solvers' absolute tolerances)
    for col, k in (("N", 0), ("C", 1), ("B", 2)):
        m = s.y[k] > (1e-6 if col == "B" else 0)
        e = float(np.max(np.abs(d[col][m] - s.y[k][m]) / s.y[k][m]))
        worst[col] = max(worst.get(col, 0.0), e)
err = max(worst.values())
ok = err <= 1e-6
print("%s kimmel2021 vs SciPy LSODA (0..180 d, two rhoC): max rel err %.2e (N %.1e, C %.1e, B %.1e)"
      % ("PASS" if ok else "FAIL", err, worst["N"], worst["C"], worst["B"]))
sys.exit(0 if ok else 1)
