#!/usr/bin/python3
"""SciPy peer for hosseini2020 (models/hosseini2020.md): the reactions of the authors' SimBiology
project (Hosseini 2020, npj Syst Biol Appl 6:28; as transcribed in github.com/yuezheli/hosseini-2020,
lit/Hosseini_ode.jl) written compartment by compartment, with the values of
params/hosseini2020/human.csv, against `immunosim run` on the model file: mosunetuzumab 20 mg
(4-h infusion) and the blinatumomab 5/15/60 ug/m2/day step-up over the first 21 days.
Usage: /usr/bin/python3 hosseini2020.py BIN"""
import csv
import math
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
P = {}
with open("params/hosseini2020/human.csv") as f:
    for row in csv.DictReader(f):
        P[row["name"]] = float(row["value"])
P["thalfIL6"] /= 24 * 60  # min -> d, the only row not in the model's unit

# compartments: blood 'pb', spleen, lymph nodes, bone marrow, tumour
TISS = [  # name, volume, on, KTrp, KBp, Kp
    ("t1", P["Vtissue"], P["tissue1on"], P["KTrp"], P["KBp"], P["Kp"]),
    ("t2", P["Vtissue2"], P["tissue2on"], P["KTrp2"], P["KBp2"], P["Kp2"]),
    ("t3", P["Vtissue3"], P["tissue3on"], P["KTrp3"], P["KBp3"], P["tissue3on"] * P["Kp3"]),
    ("tum", P["Vtumor"], P["tumor_on"], P["KTrptumor"], P["KBptumor"], P["tumor_on"] * P["Kptumor"]),
]
NAMES = (["restTpb", "actTpb", "act0Tpb"] +
         [s + t for t in ("tiss", "tiss2", "tiss3", "tumor") for s in ("restT", "actT", "act0T")] +
         ["Bpb", "Btiss", "Btiss2", "B1920tiss3", "B19no20tiss3", "Btumor", "TDBc", "TDBp", "Blin",
          "inj", "drug", "IL6pb", "IL6tiss", "IL6tiss2", "IL6tiss3", "IL6tumor"])
IX = {n: i for i, n in enumerate(NAMES)}


def hill(c, k, n):
    return 0.0 if c <= 0 else c ** n / (k ** n + c ** n)


def sat(x, k, n):
    return 0.0 if x <= 0 else x ** n / (k ** n + x ** n)


def rhs(t, y, rate_tdb, rate_blin):
    p = P
    g = {n: y[i] for n, i in IX.items()}
    d = dict.fromkeys(NAMES, 0.0)
    c = g["TDBc"] / (p["Vc_tdb"] * p["WT"])
    cp = g["TDBp"] / (p["Vp_tdb"] * p["WT"])
    bl = g["Blin"] / (p["Vz_blin"] * p["BSA"])
    inj = p["finj"] * g["inj"] + p["fdrug"] * g["drug"]
    vpb, tref, bref = p["Vpb"], p["Trpbref_perml"], p["Bpbref_perml"]
    ka, kaa = p["kTact"], p["kTaapop"]
    # blood: activation and killing
    btr = max(0, g["Bpb"]) / max(g["restTpb"] + g["act0Tpb"], 1)
    tab = max(0, g["actTpb"]) / max(g["Bpb"], 1)
    act = p["VmT"] * (sat(btr, p["KmBT_act"], p["S"]) * hill(c, p["KdrugactT"], p["ndrugactT"]) +
                      sat(btr, p["KmBT_act_blin"], p["S"]) *
                      hill(bl, p["KdrugactT_blin"], p["ndrugactT_blin"]))
    kill = p["VmB"] * (sat(tab, p["KmTB_kill"], p["nkill"]) * c / (p["KdrugB"] + c) +
                       sat(tab, p["KmTB_kill_blin"], p["nkill_blin"]) * bl / (p["KdrugB_blin"] + bl))
    r_rest = ka * (act * g["restTpb"] - p["fTadeact"] * g["actTpb"])
    r_post = p["act0on"] * ka * (act * g["act0Tpb"] - p["fTadeact"] * g["actTpb"])
    d["restTpb"] += -r_rest + p["act0on"] * p["fTa0deact"] * g["act0Tpb"]
    d["actTpb"] += r_rest + r_post - kaa * (g["actTpb"] + p["fAICD"] * g["actTpb"] ** 2 / (vpb * tref))
    d["act0Tpb"] += (p["act0on"] * p["fTaprolif"] * p["kTprolif"] * g["actTpb"] -
                     p["fTa0apop"] * kaa * g["act0Tpb"] - p["act0on"] * p["fTa0deact"] * g["act0Tpb"] -
                     r_post)
    tot = (g["restTpb"] + g["act0Tpb"] + g["actTpb"]) / vpb
    d["restTpb"] += (p["kTgen"] * vpb * tref * (p["fTgenbl"] + max(0, 1 - tot / tref) ** 2) -
                     p["kTgen"] * p["fTgenbl"] * g["restTpb"] -
                     p["fTrapop"] * kaa * max(0, g["restTpb"] - tref * vpb))
    d["Bpb"] += (-p["kBapop"] * p["kBapop_cll"] * g["Bpb"] - p["kBkill"] * kill * g["Bpb"] +
                 p["tissue3on"] * p["fBtissue3_v1"] * p["kBapop_cll"] *
                 (p["kBapop"] * g["Bpb"] + p["kBprolif"] * bref * vpb * max(0, 1 - g["Bpb"] / (bref * vpb))))
    d["IL6pb"] += (p["kIL6prod"] * g["actTpb"] / vpb * (g["Bpb"] / vpb / bref) *
                   (hill(c, p["KdrugactT"], p["ndrugactT"]) +
                    hill(bl, p["KdrugactT_blin"], p["ndrugactT_blin"])))
    # tissues: trafficking from blood, activation, killing, IL-6
    for (tag, v, on, ktrp, kbp, kp), sfx in zip(TISS, ("tiss", "tiss2", "tiss3", "tumor")):
        rt, at, pt = "restT" + sfx, "actT" + sfx, "act0T" + sfx
        ct, blt = kp * c, kp * bl
        if tag == "t3":
            b20, b19 = g["B1920tiss3"], g["B1920tiss3"] + g["B19no20tiss3"]
        else:
            b20 = b19 = g["B" + {"t1": "tiss", "t2": "tiss2", "tum": "tumor"}[tag]]
        tr = max(g[rt] + g[pt], 1)
        act = p["fTact"] * p["VmT"] * (
            sat(max(0, b20) / tr, p["KmBT_act"], p["S"]) * hill(ct, p["KdrugactT"], p["ndrugactT"]) +
            sat(max(0, b19) / tr, p["KmBT_act_blin"], p["S"]) *
            hill(blt, p["KdrugactT_blin"], p["ndrugactT_blin"]))
        r_rest = ka * (act * g[rt] - p["fTadeact"] * g[at])
        r_post = p["act0on"] * ka * (act * g[pt] - p["fTadeact"] * g[at])
        f_r = on * p["kTrexit"] * vpb * ((1 + inj) * g["restTpb"] / vpb * ktrp - g[rt] / v)
        f_a = on * p["kTaexit"] * vpb * ((1 + p["fa0"] * inj) * g["actTpb"] / vpb * ktrp * p["fTap"] -
                                         g[at] / v)
        f_p = on * p["act0on"] * p["kTrexit"] * vpb * ((1 + inj) * g["act0Tpb"] / vpb * ktrp - g[pt] / v)
        d["restTpb"] -= f_r
        d["actTpb"] -= f_a
        d["act0Tpb"] -= f_p
        base = tref * v * ktrp
        d[rt] += (-r_rest + f_r + p["act0on"] * p["fTa0deact"] * g[pt] -
                  p["fapop_v24"] * p["fTrapop"] * kaa * base * max(0, g[rt] / base - 1))
        d[at] += r_rest + f_a + r_post - p["fapop_v24"] * kaa * (g[at] + p["fAICD"] * g[at] ** 2 / base)
        d[pt] += (-p["fTa0apop"] * kaa * g[pt] - r_post - p["act0on"] * p["fTa0deact"] * g[pt] + f_p +
                  p["act0on"] * p["fTaprolif"] * p["kTprolif"] * g[at])
        km = p["KmTB_kill"] * p["fKmTB_kill"]
        kmb = p["KmTB_kill_blin"] * p["fKmTB_kill"]
        ta20 = max(0, g[at]) / max(b20, 1)
        ta19 = max(0, g[at]) / max(b19, 1)
        kill_b = p["VmB"] * sat(ta19, kmb, p["nkill_blin"]) * blt / (p["KdrugB_blin"] + blt)
        kill = p["VmB"] * sat(ta20, km, p["nkill"]) * ct / (p["KdrugB"] + ct) + kill_b
        fk = p["fBkill"] * p["kBkill"]
        il6 = p["kIL6prod"] * g[at] / v
        if tag == "t3":
            d["B1920tiss3"] -= fk * kill * g["B1920tiss3"]
            d["B19no20tiss3"] -= fk * kill_b * g["B19no20tiss3"]
            d["IL6tiss3"] += il6 * ((b20 / v / (bref * kbp)) * hill(ct, p["KdrugactT"], p["ndrugactT"]) +
                                    (b19 / v / (bref * kbp * (1 + p["B19no20_B1920_ratio"]))) *
                                    hill(blt, p["KdrugactT_blin"], p["ndrugactT_blin"]))
        else:
            bn = "B" + {"t1": "tiss", "t2": "tiss2", "tum": "tumor"}[tag]
            d[bn] -= fk * kill * g[bn]
            d["IL6" + sfx] += il6 * (g[bn] / v / (bref * kbp)) * (
                hill(ct, p["KdrugactT"], p["ndrugactT"]) +
                hill(blt, p["KdrugactT_blin"], p["ndrugactT_blin"]))
    # B-cell trafficking, renewal and the bone-marrow precursors
    for bn, v, on, kbp in (("Btiss", P["Vtissue"], P["tissue1on"], P["KBp"]),
                           ("Btiss2", P["Vtissue2"], P["tissue2on"], P["KBp2"])):
        flow = on * p["fBexit"] * p["kTaexit"] * vpb * max(0, g["Bpb"] / vpb * kbp - g[bn] / v)
        d["Bpb"] -= flow
        d[bn] += flow + p["kBprolif"] * kbp * bref * v * max(0, 1 - g[bn] / (kbp * bref * v))
    flow = (p["Bcell_tumor_trafficking_on"] * p["tumor_on"] * p["fBexit"] * p["kTaexit"] * vpb *
            max(0, g["Bpb"] / vpb * p["KBptumor"] - g["Btumor"] / p["Vtumor"]))
    d["Bpb"] -= flow
    d["Btumor"] += flow + p["kBtumorprolif"] * g["Btumor"]
    v3, kbp3, ratio = p["Vtissue3"], p["KBp3"], p["B19no20_B1920_ratio"]
    out3 = (p["tissue3on"] * p["fBtissue3_v1"] * p["kBtiss3exit"] * vpb *
            max(0, g["B1920tiss3"] / v3 - g["Bpb"] / vpb * kbp3))
    kmat = p["kBapop"] / p["kBmat_kBapop_ratio"]
    d["Bpb"] += out3
    d["B1920tiss3"] += (kmat * g["B19no20tiss3"] - out3 - p["kBapop"] * p["kBapop_cll"] * g["B1920tiss3"] +
                        p["kBprolif"] * kbp3 * bref * v3 * max(0, 1 - g["B1920tiss3"] / (kbp3 * bref * v3)))
    ref = bref * vpb + p["KBp"] * p["Bpbo_perml"] * p["Vtissue"] + p["KBp2"] * p["Bpbo_perml"] * p["Vtissue2"]
    d["B19no20tiss3"] += (bref * kbp3 * ratio * v3 * (p["kBapop"] + kmat) *
                          (1 + 5 * max(0, 1 - (g["Bpb"] + g["Btiss"] + g["Btiss2"]) / ref)) -
                          kmat * g["B19no20tiss3"] - p["kBapop"] * p["kBapop_cll"] * g["B19no20tiss3"] +
                          p["kBprolif"] * kbp3 * bref * ratio * v3 *
                          max(0, 1 - g["B19no20tiss3"] / (kbp3 * bref * ratio * v3)))
    # drugs, effects, IL-6 clearance
    d["TDBc"] += rate_tdb - p["Cl_tdb"] * p["WT"] * c - p["Cld_tdb"] * p["WT"] * (c - cp)
    d["TDBp"] += p["Cld_tdb"] * p["WT"] * (c - cp)
    d["Blin"] += rate_blin - p["Cl_blin"] * p["BSA"] * bl
    d["inj"] -= math.log(2) / p["tinjhalf"] * g["inj"]
    d["drug"] -= math.log(2) / p["tinjhalf"] * g["drug"]
    for k in ("IL6pb", "IL6tiss", "IL6tiss2", "IL6tiss3", "IL6tumor"):
        d[k] -= math.log(2) / p["thalfIL6"] * g[k]
    return [d[n] for n in NAMES]


def peer(pieces, tout):
    """pieces: (start, end, TDB rate ng/d, blinatumomab rate ng/d); effects 1 at t = 0."""
    y = np.zeros(len(NAMES))
    for n in NAMES:
        key = n + "_0"
        if key in P:
            y[IX[n]] = P[key]
    y[IX["inj"]] = y[IX["drug"]] = 1.0
    out = np.zeros((len(tout), len(NAMES)))
    for a, b, rt, rb in pieces:
        s = solve_ivp(rhs, (a, b), y, method="BDF", rtol=1e-10, atol=1e-6, args=(rt, rb),
                      dense_output=True)
        if not s.success:
            raise RuntimeError(s.message)
        for k, tk in enumerate(tout):
            if a <= tk <= b:
                out[k] = s.sol(tk)
        y = s.y[:, -1].copy()
    return out


def run(sched):
    cmd = [BIN, "run", "models/hosseini2020.model", "-p", "human", "-s", sched, "-t", "21",
           "--dt", "0.25", "--rtol", "1e-10", "--atol", "1e-6", "-o", "-"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        print("FAIL hosseini2020: %s: %s" % (" ".join(cmd), res.stderr.strip()))
        sys.exit(1)
    lines = [ln for ln in res.stdout.splitlines() if not ln.startswith("#")]
    cols = lines[0].split(",")
    return cols, np.loadtxt(lines[1:], delimiter=",", ndmin=2)


BSA = P["BSA"]
CASES = (("hosseini_mosun_20mg_flat", [(0, 1 / 6, 20e6 * 6, 0), (1 / 6, 21, 0, 0)]),
         ("hosseini_blin_5_15_60", [(0, 7, 0, 5e3 * BSA), (7, 14, 0, 15e3 * BSA),
                                    (14, 21, 0, 60e3 * BSA)]))
worst, fails = 0.0, []
for sched, pieces in CASES:
    cols, d = run(sched)
    d = d[d[:, 0] < 21]  # the row at 21 d shows the next cycle's dose
    ref = peer(pieces, list(d[:, 0]))
    for n in NAMES:
        col = {"inj": "injection_effect", "drug": "drug_effect"}.get(n, n)
        got, want = d[:, cols.index(col)], ref[:, IX[n]]
        scale = max(np.max(np.abs(want)), np.max(np.abs(got)))
        # relative, or against 1e-6 of the column's largest value once it has fallen far below,
        # and never below both solvers' absolute tolerance (1e-6)
        e = float(np.max(np.abs(got - want) / np.maximum(np.abs(want), max(1e-6 * scale, 1e-6))))
        worst = max(worst, e)
        if e > 1e-5:
            fails.append("%s %s: %.2e" % (sched, n, e))
ok = not fails
print("%s hosseini2020 (mosunetuzumab 20 mg, blinatumomab 5/15/60; 31 states, 0..21 d) vs SciPy "
      "BDF: max rel err %.2e%s" % ("PASS" if ok else "FAIL", worst, "" if ok else " (" + "; ".join(fails) + ")"))
sys.exit(0 if ok else 1)
