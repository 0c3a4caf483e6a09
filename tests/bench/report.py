"""Collect benchmark lines (engine,rtol,sec_per_subject,rhs_per_subject,steps), add each
engine's error against the tight-tolerance reference trajectories, and print the table
with ratios to immunosim.  Also writes DIR/wp.dat for the work-precision figure.

    /usr/bin/python3 report.py DIR RESULTS.csv TITLE"""
import os
import sys

import numpy as np


def error(d, engine, rtol):
    ref = np.loadtxt(os.path.join(d, "traj_ref.csv"), delimiter=",", ndmin=2)
    path = os.path.join(d, "traj_%s_%s.csv" % (engine, rtol))
    if not os.path.exists(path):
        return float("nan")
    a = np.loadtxt(path, delimiter=",", ndmin=2)
    # match rows by (subject, time): engines write the same grid for the first K subjects
    key = lambda m: {(int(r[0]), round(r[1], 9)): r[2:] for r in m}
    ra, rr = key(a), key(ref)
    common = [k for k in rr if k in ra]
    if not common:
        return float("nan")
    R = np.array([rr[k] for k in common])
    A = np.array([ra[k] for k in common])
    # relative error with a floor of 1e-6 of each state's range, so states passing
    # through zero do not dominate
    floor = 1e-6 * np.abs(R).max(axis=0) + 1e-300
    return float((np.abs(A - R) / np.maximum(np.abs(R), floor)).max())


def main():
    d, results, title = sys.argv[1:4]
    rows = [l.strip().split(",") for l in open(results) if l.strip()]
    base = {r[1]: float(r[2]) for r in rows if r[0] == "ims-bdf"}
    print("\n%s" % title)
    print("%-14s %8s %14s %10s %10s %10s %12s" % ("engine", "rtol", "ms/subject", "rhs/subj", "steps",
                                               "max error", "vs immunosim"))
    # grouped by engine (then file order), so each engine's points join into one line
    order = []
    for r in rows:
        if r[0] not in order:
            order.append(r[0])
    rows.sort(key=lambda r: order.index(r[0]))
    with open(os.path.join(d, "wp.dat"), "a") as wp:
        for r in rows:
            eng, rtol, sec, rhs, steps = r[0], r[1], float(r[2]), r[3], r[4]
            err = error(d, eng, rtol)
            ratio = sec / base[rtol] if rtol in base else float("nan")
            print("%-14s %8s %14.4f %10s %10s %10.2e %11.2fx" % (eng, rtol, 1e3 * sec, rhs, steps, err,
                                                              ratio))
            wp.write("%s %s %.6g %.6g\n" % (eng, rtol, 1e3 * sec, err))


main()
