"""SciPy peer for hanson2016, written from the equations of Hanson 2016 (models/hanson2016.md; BioModels
BIOMD0000000837 values, read as per hour and converted to per day here), with the drug sink
D = 50 /h on days 2-12 and the max(0, .) of LT as published.
Usage: /usr/bin/python3 hanson2016.py BIN"""
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
H = 24.0
P = dict(n=6, r1=0.003 * H, r2=0.1 * H, r3=0.1 * H, r4=0.1 * H, d1=2e-4 * H, d2=1.5 * H,
         d3=0.004 * H, d4=0.004 * H, d5=2e-4 * H, p0=200 * H, p1=0.002 * H, p2=0.4 * H,
         a1=4e-7 * H, a2=2.0, a3=8e-5 * H, b=800.0, l=1600.0, k=4800.0)
DRUG, ON, OFF = 50 * H, 2.0, 12.0


def rhs(t, y, d):
    cm, ce, hm, he, lym, inf, b = y
    p = P
    lt = max(0.0, 1 - (b + ce + cm + he + hm + lym) / p["l"])
    g = inf ** 2 / (inf ** 2 + p["b"] ** 2)
    act_c = p["a1"] * b * cm * (1 + p["a2"] * he) * g
    act_h = p["a3"] * b * hm * g
    return [p["r2"] * cm * lt - act_c,
            2 ** p["n"] * act_c - p["d3"] * ce,
            p["r3"] * hm * lt - act_h,
            2 ** p["n"] * act_h - p["d4"] * he,
            p["p2"] + p["r4"] * lym * lt - p["d5"] * lym,
            p["p0"] + p["p1"] * b * (ce + he) - p["d2"] * inf - d,
            p["r1"] * b * (1 - b / p["k"]) - p["d1"] * b * ce]


csv = subprocess.run([BIN, "run", "hanson2016", "--set", "D=50 1/h", "--set", f"D_on={ON}",
                      "--set", f"D_off={OFF}", "-t", "30", "--dt", "0.1", "--rtol", "1e-10",
                      "--atol", "1e-10", "-o", "-"],
                     check=True, capture_output=True, text=True).stdout
rows = [ln for ln in csv.splitlines() if not ln.startswith("#")][1:]  # comment='#', header
d = np.loadtxt(rows, delimiter=",")
t = d[:, 0]
y0 = [10, 10, 10, 10, 1600, 140, 300]
ref = np.zeros((len(t), 7))
for t0, t1, dr in [(0.0, ON, 0.0), (ON, OFF, DRUG), (OFF, 30.0, 0.0)]:
    s = solve_ivp(rhs, (t0, t1), y0, method="Radau", rtol=1e-11, atol=1e-11, args=(dr,),
                  dense_output=True)
    m = (t >= t0) & (t <= t1)
    ref[m] = s.sol(t[m]).T
    y0 = s.y[:, -1]
err = np.abs(d[:, 1:8] - ref) / np.maximum(np.abs(ref), 1e-6)
worst = err.max()
ok = worst <= 1e-6
print(f"{'PASS' if ok else 'FAIL'} hanson2016 vs SciPy Radau (drug D = 50/h on days 2-12): "
      f"max relative error {worst:.2e}")
sys.exit(0 if ok else 1)
