#!/usr/bin/python3
"""SciPy peer for the antibody population PK model files ipilimumab_feng2014 (Feng Y et al. Br J
Clin Pharmacol 2014;78:106, Table 2) and bevacizumab_han2016 (Han K et al. Cancer Chemother
Pharmacol 2016;78:341, Table 3), written from the papers' equations (models/*.md): covariate
forms, mg/kg doses times the subject's weight, 90-min zero-order infusions, against
`immunosim run` on the model files with the shipped schedules, for the reference subject and
subjects away from it.  Usage: /usr/bin/python3 mab_popk.py BIN"""
import math
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"


def ipi(wt=80.0, ldh=206.0):
    """CL, VC, Q, VP in L/d, L (Feng 2014 Table 2; 0.0150 and 0.0411 L/h)."""
    cl = 0.0150 * 24 * (wt / 80) ** 0.642 * (math.log(ldh) / math.log(206)) ** 1.13
    return cl, 4.15 * (wt / 80) ** 0.708, 0.0411 * 24, 3.11


def bev(wt=70.0, male=0, alb=39.0, alp=109.0, ifn=0):
    """CL, V1, Q, V2 in L/d, L (Han 2016 Table 3; 8.6 and 18.6 mL/h, 2678 and 2423 mL)."""
    w = wt / 70
    cl = (8.6e-3 * 24 * w ** 0.589 * 1.14 ** male * 0.844 ** ifn * (alb / 39) ** -0.473
          * (alp / 109) ** 0.312)
    return cl, 2.678 * w ** 0.470 * 1.18 ** male, 18.6e-3 * 24 * w ** 0.589, 2.423 * w ** 0.470


def peer(par, doses, tout):
    """doses: (start, mg, duration in d); C1 = A1/V1 in mg/L at tout."""
    cl, v1, q, v2 = par
    brk = sorted(set([0.0] + [d[0] for d in doses] + [d[0] + d[2] for d in doses] + [tout[-1]]))

    def rhs(_t, y, rate):
        return [rate - (cl + q) / v1 * y[0] + q / v2 * y[1], q / v1 * y[0] - q / v2 * y[1]]

    y, out = np.zeros(2), np.full(len(tout), np.nan)
    for a, b in zip(brk[:-1], brk[1:]):
        # the infusion rate is constant between breakpoints
        rate = sum(d[1] / d[2] for d in doses if d[0] <= a < d[0] + d[2])
        s = solve_ivp(rhs, (a, b), y, method="Radau", rtol=1e-12, atol=1e-12, args=(rate,),
                      jac=lambda _t, _y, _r: [[-(cl + q) / v1, q / v2], [q / v1, -q / v2]],
                      dense_output=True)
        for k, tk in enumerate(tout):
            if a <= tk <= b:
                out[k] = s.sol(tk)[0] / v1
        y = s.y[:, -1].copy()
    return out


def expand(rows, wt):
    """(time, mg/kg, dur, ii, addl) schedule rows -> doses in mg for weight wt."""
    return [(t + k * ii, amt * wt, dur) for t, amt, dur, ii, addl in rows for k in range(addl + 1)]


IPI_10 = [(0, 10, 0.0625, 21, 3), (168, 10, 0.0625, 84, 3)]
BEV_75 = [(0, 7.5, 0.0625, 21, 17)]
CASES = (
    ("models/ipilimumab_feng2014.model", "feng2014", "ipilimumab_10mgkg_q3w4_q12w", IPI_10, 430,
     [({}, ipi()), ({"WT": 52, "LDH": 820}, ipi(52, 820)), ({"WT": 131, "LDH": 140}, ipi(131, 140))]),
    ("models/bevacizumab_han2016.model", "han2016", "bevacizumab_7_5mgkg_q3w", BEV_75, 380,
     [({}, bev()), ({"WT": 96, "SEX": 1, "ALB": 31, "ALP": 260}, bev(96, 1, 31, 260)),
      ({"WT": 48, "ALB": 44, "ALP": 75, "IFNA": 1}, bev(48, 0, 44, 75, 1))]),
)
worst, fails, n = 0.0, [], 0
for model, pset, sched, rows, tend, subjects in CASES:
    for cov, par in subjects:
        wt = cov.get("WT", 80 if "ipi" in model else 70)
        cmd = [BIN, "run", model, "-p", pset, "-s", sched, "-t", str(tend), "--dt", "0.5",
               "--rtol", "1e-10", "--atol", "1e-12", "--no-metadata", "-o", "-"]
        for k, v in cov.items():
            cmd += ["--set", "%s=%g" % (k, v)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print("FAIL mab_popk: %s: %s" % (" ".join(cmd), res.stderr.strip()))
            sys.exit(1)
        lines = res.stdout.splitlines()
        cols = lines[0].split(",")
        d = np.loadtxt(lines[1:], delimiter=",", ndmin=2)
        # rows at an infusion's start or end are on a breakpoint: both sides agree there
        ref = peer(par, expand(rows, wt), list(d[:, 0]))
        got = d[:, cols.index("C1")]
        ok = ref > 1e-3
        e = float(np.max(np.abs(got[ok] - ref[ok]) / ref[ok]))
        worst, n = max(worst, e), n + 1
        if e > 1e-6:
            fails.append("%s %s: %.2e" % (pset, cov, e))
ok = not fails
print("%s mab_popk (ipilimumab_feng2014, bevacizumab_han2016; %d subjects, mg/kg infusions, up to "
      "430 d) vs SciPy Radau: max rel err %.2e%s"
      % ("PASS" if ok else "FAIL", n, worst, "" if ok else " (" + "; ".join(fails) + ")"))
sys.exit(0 if ok else 1)
