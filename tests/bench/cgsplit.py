"""Split a callgrind profile (self cost, instructions) into: the model's RHS and
Jacobian (models/*.c, or the model-file evaluator src/exprvm.c and its entry points in
src/mdlemit.c), CVODE internals (libsundials_*), the serial vector kernels immunosim
compiles in place of SUNDIALS's (src/nvec.c), libc/libm, and everything else (the
immunosim driver or the bare loop).   /usr/bin/python3 cgsplit.py ANNOTATE.txt LABEL"""
import re
import sys

tot = {"rhs+jac": 0, "cvode": 0, "vector kernels": 0, "libc/libm": 0, "driver": 0}
for line in open(sys.argv[1]):
    if "nnotated source" in line:  # only the per-function summary, not the listings
        break
    m = re.match(r"\s*([\d,]+)\s+\([\s\d.]+%\)\s+(\S+)(?:\s+\[(.*)\])?", line)
    if not m or "PROGRAM TOTALS" in line:
        continue
    ir = int(m.group(1).replace(",", ""))
    fn, obj = m.group(2), m.group(3) or ""
    if fn.startswith("models/") or "/models/" in fn or fn.startswith(("src/exprvm.c", "src/mdlemit.c")):
        tot["rhs+jac"] += ir
    elif "libsundials" in obj:
        tot["cvode"] += ir
    elif "src/nvec.c" in fn:
        tot["vector kernels"] += ir
    elif "libc" in obj or "libm" in obj or "ld-linux" in obj or fn.startswith("./"):
        tot["libc/libm"] += ir
    else:
        tot["driver"] += ir
s = sum(tot.values())
print("%-8s %14s instructions: " % (sys.argv[2], "{:,}".format(s)) +
      ", ".join("%s %.1f%%" % (k, 100.0 * v / s) for k, v in tot.items()))
