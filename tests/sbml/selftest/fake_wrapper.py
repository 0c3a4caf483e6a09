#!/usr/bin/python3
"""A stand-in simulator for the harness self-test (tests/sbml/selftest.sh).

Answers each case from its expected results, so the pass rule can be checked
without the importer: MODE picks what it does to case NNNNN by NNNNN mod 7:
0 exact copy (pass), 1 within tolerance (pass), 2 just outside it, or a number for NaN/INF (fail),
3 "unsupported: AlgebraicRule" (unsupported), 4 wrong row count (fail),
5 exit 3 (fail), 6 columns swapped when there are two variables (fail), else copy.
"""
import csv
import math
import os
import sys

cases, cid, out = sys.argv[1:4]
d = os.path.join(cases, cid)
settings = {}
for line in open(os.path.join(d, cid + "-settings.txt")):
    if ":" in line:
        k, v = line.split(":", 1)
        settings[k.strip()] = v.strip()
variables = [v.strip() for v in settings["variables"].split(",") if v.strip()]
atol, rtol = float(settings["absolute"]), float(settings["relative"])
rows = [r for r in csv.reader(open(os.path.join(d, cid + "-results.csv"))) if r]
head = [h.strip() for h in rows[0]]
idx = [0] + [head.index(v) for v in variables]
mode = int(cid) % 7
for kv in os.environ.get("FAKE_MODES", "").split(","):  # e.g. FAKE_MODES=00951=2
    if kv.startswith(cid + "="):
        mode = int(kv.split("=")[1])
if mode == 3:
    print("unsupported: AlgebraicRule", file=sys.stderr)
    sys.exit(1)
if mode == 5:
    print("solver failed", file=sys.stderr)
    sys.exit(3)


def shift(text, k):
    x = float(text)
    if not math.isfinite(x):  # a number where NaN or INF is expected must fail
        return "0" if k > 1 else text
    return repr(x + k * (atol + rtol * abs(x)))


body = []
for r in rows[1:]:
    vals = [r[i].strip() for i in idx]
    if mode == 1:
        vals = [vals[0]] + [shift(v, 0.9) for v in vals[1:]]
    body.append(vals)
if mode == 2:
    body[-1] = [body[-1][0]] + [shift(v, 1.1) for v in body[-1][1:]]
if mode == 4:
    body = body[:-1]
if mode == 6 and len(variables) == 2:
    body = [[b[0], b[2], b[1]] for b in body]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, cid + ".csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["time"] + variables)
    w.writerows(body)
