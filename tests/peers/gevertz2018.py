#!/usr/bin/python3
"""SciPy peer for gevertz2018 and gevertz2018_minimal, written from the equations of Gevertz &
Wares 2018 (Comput Math Methods Med 2018:8760371; models/gevertz2018.md) with the values of
BioModels BIOMD0000000816/817: the four arms of the paper's experiment (control, dendritic cells
on days 1, 3, 5, virus on days 0, 2, 4, both) against `immunosim run` on the model files.
Usage: /usr/bin/python3 gevertz2018.py BIN"""
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
# r, beta, k0, c_kill, delta_I, alpha, delta_V, C_T, chi_A, c_A, delta_A, chi_D, delta_T,
# delta_D, U(0); the minimal model has no A (chi_A = c_A = 0)
ORIG = (0.3198, 1.008538, 2, 0.595397, 1, 3, 2.3, 1.698362, 1, 0.000517, 0.35, 4.675397, 0.35,
        0.35, 58.020755)
MINI = (0.3198, 1.008538, 2, 0.623397, 1, 3, 2.3, 1.428064, 0, 0, 0.35, 4.901894, 0.35, 0.35,
        57.414042)


def rhs(_t, y, p):
    r, beta, k0, ck, di, alpha, dv, ct, chia, ca, da, chid, dt, dd, _u0 = p
    u, i, v, a, tc, d = y
    n = u + i + tc
    kill = (k0 + ck * i) * tc / n
    infect = beta * u * v / n
    return [r * u - infect - kill * u, infect - di * i - kill * i, alpha * di * i - dv * v,
            ca * i - da * a, chia * a + ct * i + chid * d - dt * tc, -dd * d]


def peer(p, doses, tout):
    """doses: (time, state index, amount); states U, I, V, A, T, D."""
    y, t, out = np.array([p[-1], 0, 0, 0, 0, 0.0]), 0.0, {}
    for ts in sorted(set([0.0] + [d[0] for d in doses] + [tout[-1]])):
        if ts > t:
            s = solve_ivp(rhs, (t, ts), y, method="Radau", rtol=1e-12, atol=1e-14, args=(p,),
                          dense_output=True)
            for k, tk in enumerate(tout):
                if t < tk < ts:
                    out[k] = s.sol(tk)
            y, t = s.y[:, -1].copy(), ts
        for d in doses:
            if d[0] == ts:
                y[d[1]] += d[2]
        for k, tk in enumerate(tout):
            if tk == ts:
                out[k] = y.copy()
    return np.array([out[k] for k in range(len(tout))])


OV = [(0.0, 2, 2.5), (2.0, 2, 2.5), (4.0, 2, 2.5)]
DC = [(1.0, 5, 1.0), (3.0, 5, 1.0), (5.0, 5, 1.0)]
ARMS = (("control", None, []), ("DC", "gevertz_dc", DC), ("OV", "gevertz_ov", OV),
        ("OV+DC", "gevertz_ov_dc", OV + DC))
worst, fails = 0.0, []
for model, pset, p in (("models/gevertz2018.model", "original", ORIG),
                       ("models/gevertz2018_minimal.model", "minimal", MINI)):
    for arm, sched, doses in ARMS:
        cmd = [BIN, "run", model, "-p", pset, "-t", "30", "--dt", "0.25", "--rtol", "1e-11",
               "--atol", "1e-13", "-o", "-"] + (["-s", sched] if sched else [])
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print("FAIL gevertz2018: %s: %s" % (" ".join(cmd), res.stderr.strip()))
            sys.exit(1)
        lines = [ln for ln in res.stdout.splitlines() if not ln.startswith("#")]
        cols = lines[0].split(",")
        d = np.loadtxt(lines[1:], delimiter=",", ndmin=2)
        ref = peer(p, doses, list(d[:, 0]))
        names = ["U", "I", "V", "A", "T", "D"]
        for k, nm in enumerate(names):
            if nm not in cols:
                continue
            got = d[:, cols.index(nm)]
            e = float(np.max(np.abs(got - ref[:, k]) / np.maximum(np.abs(ref[:, k]), 1e-6)))
            worst = max(worst, e)
            if e > 1e-6:
                fails.append("%s %s %s: %.2e" % (pset, arm, nm, e))
ok = not fails
print("%s gevertz2018 (original, minimal; 4 arms, 0..30 d) vs SciPy Radau: max rel err %.2e%s"
      % ("PASS" if ok else "FAIL", worst, "" if ok else " (" + "; ".join(fails) + ")"))
sys.exit(0 if ok else 1)
