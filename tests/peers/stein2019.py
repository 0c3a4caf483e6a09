#!/usr/bin/python3
"""Peer check for stein2019: SciPy integration of Stein 2019 (Table 1), written from
the equations (not from our C), against `immunosim run`.  The switch at Tmax
is handled by integrating the two phases separately."""
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
foldx, Cmax, alpha, FB, beta = 3900.0, 24000.0, 0.16, 0.0079, 0.0032


def peer(Tmax, t):
    rho = math.log(foldx) / Tmax
    k = FB * (alpha - beta)
    out = np.empty((len(t), 2))
    pre = t <= Tmax
    t1 = np.append(t[pre][t[pre] < Tmax], Tmax)
    s1 = solve_ivp(lambda _t, y: [rho * y[0], 0.0], [0, Tmax], [Cmax / foldx, 0.0],
                   method="DOP853", rtol=1e-13, atol=1e-20, t_eval=t1)
    out[pre] = s1.y[:, :pre.sum()].T  # drop the extra Tmax row when Tmax is not in t
    s2 = solve_ivp(lambda _t, y: [-alpha * y[0], k * y[0] - beta * y[1]], [Tmax, t[-1]],
                   s1.y[:, -1], method="DOP853", rtol=1e-13, atol=1e-20, t_eval=t[~pre])
    out[~pre] = s2.y.T
    return out[:, 0] + out[:, 1]


worst = 0.0
for Tmax in (9.3, 12.0):
    cmd = [BIN, "run", "stein2019", "-t", "730", "--dt", "0.5", "--rtol", "1e-10",
           "--atol", "1e-14", "--set", "Tmax=%g" % Tmax, "-o", "-"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        print("FAIL stein2019: %s: %s" % (" ".join(cmd), res.stderr.strip()))
        sys.exit(1)
    d = read_table(res.stdout)
    want = peer(Tmax, d["time"])
    worst = max(worst, float(np.max(np.abs(d["CAR"] - want) / want)))
ok = worst <= 1e-6
print("%s stein2019 vs SciPy DOP853 (Tmax 9.3 and 12 d, 0..730 d): max rel err %.2e"
      % ("PASS" if ok else "FAIL", worst))
sys.exit(0 if ok else 1)
