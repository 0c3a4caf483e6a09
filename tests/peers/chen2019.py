"""SciPy peer for chen2019, written from Chen 2019 (models/chen2019.md; values of the Van De Vyver
2021 transcription), with the hourly parameters converted to days here: the priming schedule
(60 ug on day 0, 300 ug on day 7).  Usage: /usr/bin/python3 chen2019.py BIN"""
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
H = 24.0  # h per d
CL, V = 12.5 * H, 3100.0                  # mL/d, mL
EMAX, EC50, IMAX, IC50 = 3590 * H, 10.0, 1.0, 182 / H  # pg/mL/d, ug/mL*cells/uL, -, pg*d/mL
K, KDEG, BL, TU = 2.83, 0.18 * H, 0.0, 10.0


def rhs(t, y, n):
    a, c, auc = y
    syn = a / V * TU
    ih = 1 - IMAX * auc / (IC50 / K ** (n - 1) + auc)
    return [-CL / V * a, EMAX * syn / (EC50 + syn) * ih - KDEG * (c - BL), c]


def peer(doses, tout):
    y, t, n, out = np.zeros(3), 0.0, 0, {}
    for ts in sorted(set([d[0] for d in doses] + [tout[-1]])):
        if ts > t:
            s = solve_ivp(rhs, (t, ts), y, method="Radau", rtol=1e-11, atol=1e-12,
                          args=(max(n, 1),), dense_output=True)
            for k, tk in enumerate(tout):
                if t <= tk <= ts:
                    out[k] = s.sol(tk)
            y, t = s.y[:, -1].copy(), ts
        for d in doses:
            if d[0] == ts:
                y[0] += d[1]
                n += 1
        for k, tk in enumerate(tout):
            if tk == ts:
                out[k] = y.copy()
    return np.array([out[k] for k in range(len(tout))])


csv = subprocess.run([BIN, "run", "chen2019", "-s", "chen_priming", "-t", "14", "--dt", "0.05",
                      "--rtol", "1e-10", "--atol", "1e-12", "-o", "-"],
                     check=True, capture_output=True, text=True).stdout
rows = [ln for ln in csv.splitlines() if not ln.startswith("#")][1:]  # comment='#', header
d = np.loadtxt(rows, delimiter=",")
ref = peer([(0.0, 60.0), (7.0, 300.0)], list(d[:, 0]))
err = np.abs(d[:, 1:4] - ref) / np.maximum(np.abs(ref), 1e-6)
worst = err[1:].max()
ok = worst <= 1e-6
print(f"{'PASS' if ok else 'FAIL'} chen2019 vs SciPy Radau (priming 60/300 ug): "
      f"max relative error {worst:.2e}")
sys.exit(0 if ok else 1)
