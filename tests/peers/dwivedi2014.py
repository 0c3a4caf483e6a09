#!/usr/bin/python3
"""Peer for dwivedi2014 (models/dwivedi2014.md): an SBML interpreter of its own (xml.etree and
SciPy, no libsbml) runs the curated BioModels BIOMD0000000537 (Dwivedi 2014, CPT:PSP 3:e89:
IL-6, sIL-6R, gp130 and an anti-IL-6R antibody, 44 species) and is compared with `immunosim run`
of the same file through the SBML import: no dose (the steady state), 8 mg/kg Q4W with the
curated binding constants and with the paper's KD of 1 nM.  The file's own dosing events are
switched off (Dose = DoseQ2W = 0) and the doses given as dosing records, in both.
Usage: /usr/bin/python3 dwivedi2014.py BIN"""
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
from scipy.integrate import solve_ivp

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/immunosim"
FILE = "models/dwivedi2014.xml"
NS = {"s": "http://www.sbml.org/sbml/level2/version4", "m": "http://www.w3.org/1998/Math/MathML"}
M = "{http://www.w3.org/1998/Math/MathML}"
AB = "mwf345ed7a_0622_403c_b816_c8749a2c9ded"  # serum antibody
KOFF = "mw1c4bc9c3_52ad_4ef7_bf7f_97b0e2101ead"  # kIL6RUnbind (1/h)
OPS = {"plus": "+", "times": "*", "minus": "-", "divide": "/", "power": "**"}


def expr(e):
    """MathML element -> Python expression text."""
    tag = e.tag.replace(M, "")
    if tag == "math":
        return expr([c for c in e][0])
    if tag == "ci":
        return e.text.strip()
    if tag == "cn":
        return repr(float(e.text.strip()))
    if tag == "csymbol":
        return "t"
    if tag == "apply":
        kids = list(e)
        op = kids[0].tag.replace(M, "")
        args = [expr(k) for k in kids[1:]]
        if op in OPS:
            if op == "minus" and len(args) == 1:
                return "(-%s)" % args[0]
            return "(" + (" %s " % OPS[op]).join(args) + ")"
        if op == "ci":  # a function definition's call
            return "%s(%s)" % (kids[0].text.strip(), ", ".join(args))
        if op == "geq":
            return "(%s >= %s)" % tuple(args)
        raise ValueError("unsupported MathML operator " + op)
    raise ValueError("unsupported MathML element " + tag)


root = ET.parse(FILE).getroot()
model = root.find("s:model", NS)
env = {}
for fd in model.iterfind("s:listOfFunctionDefinitions/s:functionDefinition", NS):
    lam = fd.find("m:math/m:lambda", NS)
    bvars = [b.find("m:ci", NS).text.strip() for b in lam.iterfind("m:bvar", NS)]
    body = [c for c in lam if c.tag != M + "bvar"][0]
    env[fd.get("id")] = eval("lambda %s: %s" % (", ".join(bvars), expr(body)))
size = {c.get("id"): float(c.get("size")) for c in model.iterfind("s:listOfCompartments/s:compartment", NS)}
env.update(size)
for p in model.iterfind("s:listOfParameters/s:parameter", NS):
    env[p.get("id")] = float(p.get("value"))
species, comp, boundary = [], {}, set()
for sp in model.iterfind("s:listOfSpecies/s:species", NS):
    i = sp.get("id")
    env[i] = float(sp.get("initialConcentration"))
    comp[i] = sp.get("compartment")
    if sp.get("boundaryCondition") == "true" or sp.get("constant") == "true":
        boundary.add(i)
    else:
        species.append(i)
init = [(a.get("symbol"), compile(expr(a.find("m:math", NS)), "ia", "eval"))
        for a in model.iterfind("s:listOfInitialAssignments/s:initialAssignment", NS)]
rules = [(r.get("variable"), compile(expr(r.find("m:math", NS)), "rule", "eval"))
         for r in model.iterfind("s:listOfRules/s:assignmentRule", NS)]
reactions = []
for r in model.iterfind("s:listOfReactions/s:reaction", NS):
    st = {}
    for lst, sign in (("s:listOfReactants/s:speciesReference", -1.0),
                      ("s:listOfProducts/s:speciesReference", 1.0)):
        for sr in r.iterfind(lst, NS):
            st[sr.get("species")] = st.get(sr.get("species"), 0.0) + sign * float(sr.get("stoichiometry", "1"))
    kl = r.find("s:kineticLaw", NS)
    local = {p.get("id"): float(p.get("value")) for p in kl.iterfind("s:listOfParameters/s:parameter", NS)}
    reactions.append((st, compile(expr(kl.find("m:math", NS)), r.get("id"), "eval"), local))
IX = {s: k for k, s in enumerate(species)}


def setup(over):
    env.update(over)
    for _ in range(3):  # initial assignments may refer to each other
        for sym, c in init:
            env[sym] = eval(c, env)
    env.update(over)


def rhs(t, y):
    env["t"] = t
    for s, k in IX.items():
        env[s] = y[k]
    for var, c in rules:
        env[var] = eval(c, env)
    dy = np.zeros(len(species))
    for st, law, local in reactions:
        v = eval(law, env, local) if local else eval(law, env)
        for s, n in st.items():
            if s in IX:
                dy[IX[s]] += n * v / size[comp[s]]
    return dy


def peer(over, doses, tout):
    setup(over)
    y = np.array([env[s] for s in species])
    out, t = {}, 0.0
    for tb in sorted(set([d[0] for d in doses] + [tout[-1]])):
        if tb > t:
            sol = solve_ivp(rhs, (t, tb), y, method="LSODA", rtol=1e-10, atol=1e-14, dense_output=True)
            if not sol.success:
                raise RuntimeError(sol.message)
            for k, tk in enumerate(tout):
                if t <= tk < tb:
                    out[k] = sol.sol(tk)
            y, t = sol.y[:, -1].copy(), tb
        for td, amt in doses:
            if td == tb:
                y[IX[AB]] += amt
        for k, tk in enumerate(tout):
            if tk == tb:
                out[k] = y.copy()
    return np.array([out[k] for k in range(len(tout))])


def run(extra):
    cmd = ([BIN, "run", FILE, "-p", "params/dwivedi2014/no_events.csv", "-t", "2016", "--dt", "24",
            "--rtol", "1e-10", "--atol", "1e-14", "-o", "-"] + extra)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        print("FAIL dwivedi2014: %s: %s" % (" ".join(cmd), res.stderr.strip()))
        sys.exit(1)
    lines = [ln for ln in res.stdout.splitlines() if not ln.startswith("#")]
    return lines[0].split(","), np.loadtxt(lines[1:], delimiter=",", ndmin=2)


Q4W = [(0.1, 1313.76), (672.0, 1313.76), (1344.0, 1313.76)]  # the file's own dosing times
CASES = (("no dose", [], {"Dose": 0.0, "parameter_1": 0.0}, []),
         ("8 mg/kg Q4W, curated KD", ["-s", "dwivedi_toci_8mgkg_q4w"], {"Dose": 0.0, "parameter_1": 0.0}, Q4W),
         ("8 mg/kg Q4W, KD 1 nM", ["-s", "dwivedi_toci_8mgkg_q4w", "--set", KOFF + "=1000"],
          {"Dose": 0.0, "parameter_1": 0.0, KOFF: 1000.0}, Q4W))
worst, fails = 0.0, []
for label, extra, over, doses in CASES:
    base = {p.get("id"): float(p.get("value")) for p in model.iterfind("s:listOfParameters/s:parameter", NS)}
    env.update(base)
    for sp in model.iterfind("s:listOfSpecies/s:species", NS):
        env[sp.get("id")] = float(sp.get("initialConcentration"))
    cols, d = run(extra)
    ref = peer(over, doses, list(d[:, 0]))
    for s in species:
        got, want = d[:, cols.index(s)], ref[:, IX[s]]
        scale = max(np.max(np.abs(want)), 1e-12)
        # relative, or against 1e-6 of the species' largest value where it is far below it
        e = float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-6 * scale)))
        worst = max(worst, e)
        if e > 1e-5:
            fails.append("%s %s: %.2e" % (label, s, e))
ok = not fails
print("%s dwivedi2014 (BIOMD0000000537, %d species; no dose, 8 mg/kg Q4W at two KDs, 12 weeks) vs an "
      "independent SBML reading in SciPy LSODA: max rel err %.2e%s"
      % ("PASS" if ok else "FAIL", len(species), worst, "" if ok else " (" + "; ".join(fails[:6]) + ")"))
sys.exit(0 if ok else 1)
