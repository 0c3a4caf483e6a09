#!/usr/bin/python3
"""SBML Test Suite conformance check (make check-sbml).

Runs every case of CASES through the wrapper (two at a time), applies the
suite's pass rule to each result, prints passed / failed / unsupported with a
table by component tag and test tag, and writes OUT/results.csv and
OUT/table.md.  The committed list of expected passes (EXPECTED) makes any
regression fail: a listed case that does not pass exits 1.  A new pass only
needs the list updated (--update rewrites it).

Pass rule (the suite's own): for every variable at every output time,
|sim - expected| <= absolute + relative * |expected|; an expected NaN needs a
simulated NaN and an expected infinity the same infinity.

Standard library only (Debian's /usr/bin/python3).
"""
import argparse
import concurrent.futures
import csv
import math
import os
import re
import subprocess
import sys

UNSUP = re.compile(r"unsupported: *([A-Za-z0-9_:\-]+)")


def read_tags(case_dir, cid):
    tags = {"componentTags": [], "testTags": [], "packagesPresent": [], "testType": ""}
    path = os.path.join(case_dir, cid + "-model.m")
    key = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^(\w+):\s*(.*)$", line)
            if m:
                key = m.group(1)
                val = m.group(2).strip()
            elif key in tags and line.startswith(" ") and line.strip():
                val = line.strip()  # continuation of a wrapped tag line
            else:
                key = None
                continue
            if key == "testType":
                tags[key] = val
            elif key in tags:
                tags[key] += [t.strip() for t in val.split(",") if t.strip()]
    return tags


def read_settings(path):
    s = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if ":" in line:
                k, v = line.split(":", 1)
                s[k.strip()] = v.strip()
    return s


def num(text):
    t = text.strip()
    low = t.lower()
    if low in ("nan", "-nan"):
        return math.nan
    if low in ("inf", "+inf", "infinity"):
        return math.inf
    if low in ("-inf", "-infinity"):
        return -math.inf
    return float(t)


def read_table(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    head = [h.strip() for h in rows[0]]
    return head, [[num(c) for c in r] for r in rows[1:]]


def close(sim, exp, atol, rtol):
    if math.isnan(exp):
        return math.isnan(sim)
    if math.isinf(exp):
        return sim == exp
    if math.isnan(sim) or math.isinf(sim):
        return False
    return abs(sim - exp) <= atol + rtol * abs(exp)


def compare(sim_path, exp_path, settings):
    """None when the case passes, else a one-line reason."""
    try:
        eh, er = read_table(exp_path)
        sh, sr = read_table(sim_path)
    except (OSError, ValueError, IndexError) as e:
        return "unreadable table: %s" % e
    variables = [v.strip() for v in settings.get("variables", "").split(",") if v.strip()]
    want = ["time"] + variables
    if [h.lower() if i == 0 else h for i, h in enumerate(sh)] != want:
        return "header %s, expected %s" % (",".join(sh), ",".join(want))
    if len(sr) != len(er):
        return "%d rows, expected %d" % (len(sr), len(er))
    atol = float(settings["absolute"])
    rtol = float(settings["relative"])
    # by name among the variable columns; the first column is always time
    # (case 01821 has variables named time, Time and TIME)
    col = {h: i for i, h in enumerate(eh) if i > 0}
    worst = None
    atol = float(settings["absolute"])
    rtol = float(settings["relative"])
    for r, (srow, erow) in enumerate(zip(sr, er)):
        if len(srow) != len(want):
            return "row %d has %d fields" % (r + 1, len(srow))
        # the expected files print times to about 10 digits (0.009836066 for
        # 0.6/61): the output time is held to the same rule as the values
        if not close(srow[0], erow[0], atol, rtol):
            return "row %d at time %.17g, expected %.17g" % (r + 1, srow[0], erow[0])
        for j, v in enumerate(want[1:], 1):
            if v not in col:
                return "no column %s in the expected results" % v
            e = erow[col[v]]
            if not close(srow[j], e, atol, rtol):
                err = abs(srow[j] - e) if math.isfinite(srow[j] - e) else math.inf
                if worst is None or err > worst[0]:
                    worst = (err, v, srow[0], srow[j], e)
    if worst:
        return "%s at t=%g: %.10g, expected %.10g" % (worst[1], worst[2], worst[3], worst[4])
    return None


def run_case(args, cid):
    case_dir = os.path.join(args.cases, cid)
    settings = read_settings(os.path.join(case_dir, cid + "-settings.txt"))
    out = os.path.join(args.out, "out")
    sim = os.path.join(out, cid + ".csv")
    if os.path.exists(sim):
        os.remove(sim)
    try:
        p = subprocess.run([args.wrapper, args.cases, cid, out], capture_output=True, text=True,
                           timeout=args.timeout)
        code, err = p.returncode, p.stderr.strip()
    except subprocess.TimeoutExpired:
        return cid, "failed", "timeout after %g s" % args.timeout
    last = err.splitlines()[-1] if err else ""
    m = UNSUP.search(err)
    if code == 1 and m:
        if os.path.exists(sim):
            return cid, "failed", "unsupported (%s) but wrote %s" % (m.group(1), sim)
        return cid, "unsupported", m.group(1)
    if code != 0:
        return cid, "failed", "exit %d: %s" % (code, last)
    if not os.path.exists(sim):
        return cid, "failed", "exit 0 but no %s" % sim
    why = compare(sim, os.path.join(case_dir, cid + "-results.csv"), settings)
    return (cid, "failed", why) if why else (cid, "passed", "")


def table(rows, key, title):
    counts = {}
    for r in rows:
        for t in r["tags"][key] or ["(none)"]:
            c = counts.setdefault(t, [0, 0, 0])
            c[["passed", "failed", "unsupported"].index(r["status"])] += 1
    lines = ["| %s | cases | passed | failed | unsupported |" % title, "|---|---:|---:|---:|---:|"]
    for t in sorted(counts):
        p, f, u = counts[t]
        lines.append("| %s | %d | %d | %d | %d |" % (t, p + f + u, p, f, u))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", required=True)
    ap.add_argument("--wrapper", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--only", help="comma-separated case numbers (no regression check)")
    ap.add_argument("--update", action="store_true", help="rewrite the expected-pass list")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every failure")
    args = ap.parse_args()

    ids = sorted(d for d in os.listdir(args.cases) if re.fullmatch(r"\d{5}", d))
    if args.only:
        keep = {"%05d" % int(x) for x in args.only.split(",") if x.strip()}
        ids = [i for i in ids if i in keep]
    os.makedirs(os.path.join(args.out, "out"), exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        res = list(ex.map(lambda c: run_case(args, c), ids))

    rows = []
    for cid, status, detail in res:
        tags = read_tags(os.path.join(args.cases, cid), cid)
        core = not any(p.startswith(("comp", "fbc")) for p in tags["packagesPresent"])
        rows.append({"id": cid, "status": status, "detail": detail, "tags": tags, "core": core})

    with open(os.path.join(args.out, "results.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["case", "status", "detail", "core", "componentTags", "testTags",
                    "packages"])
        for r in rows:
            w.writerow([r["id"], r["status"], r["detail"], int(r["core"]),
                        " ".join(r["tags"]["componentTags"]), " ".join(r["tags"]["testTags"]),
                        " ".join(r["tags"]["packagesPresent"])])

    def summary(sel, label):
        n = len(sel)
        p = sum(r["status"] == "passed" for r in sel)
        f = sum(r["status"] == "failed" for r in sel)
        u = sum(r["status"] == "unsupported" for r in sel)
        pct = 100.0 * p / n if n else 0.0
        return "%s: %d cases, %d passed (%.1f %%), %d failed, %d unsupported" % (
            label, n, p, pct, f, u)

    core = [r for r in rows if r["core"]]
    lines = [summary(rows, "all cases"), summary(core, "core cases (no comp, fbc)")]
    unsup = {}
    for r in rows:
        if r["status"] == "unsupported":
            unsup[r["detail"]] = unsup.get(r["detail"], 0) + 1
    if unsup:
        lines.append("unsupported by reported tag: " +
                     ", ".join("%s %d" % kv for kv in sorted(unsup.items())))
    md = lines[:2] + [""] + table(rows, "componentTags", "component tag") + [""] + \
        table(rows, "testTags", "test tag")
    with open(os.path.join(args.out, "table.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(table(rows, "componentTags", "component tag")))
    print()
    print("\n".join(table(rows, "testTags", "test tag")))
    print()
    failed = [r for r in rows if r["status"] == "failed"]
    for r in failed if args.verbose else failed[:20]:
        print("failed %s: %s" % (r["id"], r["detail"]))
    if not args.verbose and len(failed) > 20:
        print("... %d more failures in %s" % (len(failed) - 20,
                                                os.path.join(args.out, "results.csv")))
    print("\n".join(lines))

    passed = {r["id"] for r in rows if r["status"] == "passed"}
    if args.update:
        with open(args.expected, "w", encoding="utf-8") as f:
            f.write("# SBML Test Suite cases that must pass (make check-sbml); one per line.\n")
            f.write("# Regenerate with: make check-sbml SBML_UPDATE=1\n")
            for cid in sorted(passed):
                f.write(cid + "\n")
        print("wrote %s (%d cases)" % (args.expected, len(passed)))
        return 0
    if args.only:
        return 0
    expected = set()
    if os.path.exists(args.expected):
        with open(args.expected, encoding="utf-8") as f:
            expected = {ln.strip() for ln in f if ln.strip() and not ln.startswith("#")}
    lost = sorted(expected - passed)
    new = sorted(passed - expected)
    if new:
        print("new passes (add them: make check-sbml SBML_UPDATE=1): " + " ".join(new))
    if lost:
        by = {r["id"]: r for r in rows}
        for cid in lost:
            r = by.get(cid)
            print("REGRESSION %s: %s %s" % (cid, r["status"] if r else "missing",
                                            r["detail"] if r else ""))
        print("check-sbml: %d expected passes lost" % len(lost))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
