#!/usr/bin/env bash
# make bench: immunosim against a bare CVODE loop, deSolve (R function and
# compiled C) and SciPy (LSODA, BDF, Radau) on the same models, population,
# doses, tolerances and output grid, in one run.  Writes build/bench/.
set -eu
cd "$(dirname "$0")/../.."
B=build/bench
mkdir -p "$B"
BENCH=$B/bench
PY=/usr/bin/python3
N=${BENCH_N:-1000}
SEED=20261123
RTOL=1e-6
ATOL=1e-9
TEND=365
K=10 # subjects whose trajectories are compared with the reference

have_r=0; Rscript -e 'library(deSolve)' >/dev/null 2>&1 && have_r=1
have_py=0; $PY -c 'import scipy' 2>/dev/null && have_py=1
[ $have_r = 1 ] || echo "bench: deSolve missing, its rows are skipped (apt-get install r-cran-desolve)"
[ $have_py = 1 ] || echo "bench: SciPy missing, its rows are skipped (apt-get install python3-scipy)"
if [ $have_r = 1 ]; then
  cp tests/bench/desolve_models.c $B/ && (cd $B && R CMD SHLIB -o desolve_models.so desolve_models.c >/dev/null)
fi
SO=$PWD/$B/desolve_models.so

# prep NAME MODEL PARAMS SCHEDULE PARS: population (30 % CV log-normal) and events
prep() {
  local d=$B/$1
  rm -rf "$d"; mkdir -p "$d"; echo "$2" >"$d/model"
  $BENCH prep "$2" "$3" "$4" "$N" $SEED 0.3 "$5" "$d"
  # reference: immunosim BDF at rtol 1e-12 for the first K subjects
  $BENCH run ims-bdf "$d" 1e-12 1e-15 $K $K 1 $TEND >/dev/null 2>&1
  mv "$d/traj_ims-bdf_1e-12.csv" "$d/traj_ref.csv"
}

# engine ENGINE DIR RTOL NSUBJ REPEATS: one result line into DIR/results.csv
engine() {
  local e=$1 d=$2 rt=$3 n=$4 reps=$5 at
  at=$(awk -v r="$rt" 'BEGIN { a = r * 1e-3; print (a < 1e-9 ? a : 1e-9) }')
  case $e in
    ims-*|bare*) BENCH_HASH=1 $BENCH run "$e" "$d" "$rt" "$at" "$n" $K "$reps" $TEND 2>>"$d/hash.txt" ;;
    desolve-*) [ $have_r = 1 ] && Rscript tests/bench/peers.R "$e" "$d" "$rt" "$at" "$n" $K "$reps" $TEND "$SO" ;;
    scipy-*) [ $have_py = 1 ] && $PY tests/bench/peers.py "$e" "$d" "$rt" "$at" "$n" $K "$reps" $TEND ;;
  esac >>"$d/results.csv" || true
}

table() { # DIR TITLE
  local d=$1
  : >"$d/results.csv"; : >"$d/hash.txt"
  engine ims-bdf "$d" $RTOL "$N" 5
  engine ims-2t "$d" $RTOL "$N" 5
  engine bare "$d" $RTOL "$N" 5
  engine bare-tuned "$d" $RTOL "$N" 5
  engine desolve-c "$d" $RTOL 200 3
  engine desolve-r "$d" $RTOL 40 1
  engine scipy-lsoda "$d" $RTOL 40 1
  engine scipy-bdf "$d" $RTOL 20 1
  engine scipy-radau "$d" $RTOL 20 1
  $PY tests/bench/report.py "$d" "$d/results.csv" "$2" | tee -a $B/report.txt
  if [ "$(sort -u "$d/hash.txt" | awk '{print $4}' | sort -u | wc -l)" = 1 ]; then
    echo "1 and 2 threads: bit-identical outputs ($(head -1 "$d/hash.txt" | awk '{print $4}'))" | tee -a $B/report.txt
  else
    echo "1 and 2 threads: OUTPUTS DIFFER" | tee -a $B/report.txt; cat "$d/hash.txt"
  fi
}

# work-precision: rtol 1e-3 .. 1e-10 for every engine
wp() { # DIR TITLE
  local d=$1 rt
  : >"$d/results.csv"; : >"$d/wp.dat"
  for rt in 1e-3 1e-4 1e-5 1e-6 1e-7 1e-8 1e-9 1e-10; do
    for e in ims-bdf ims-adams; do engine $e "$d" $rt 200 3; done
    engine desolve-c "$d" $rt 50 1
    engine desolve-r "$d" $rt 10 1
    for e in scipy-lsoda scipy-bdf scipy-radau; do engine $e "$d" $rt 10 1; done
  done
  mv "$d/results.csv" "$d/results_wp.csv"
  $PY tests/bench/report.py "$d" "$d/results_wp.csv" "$2: work-precision" >"$d/wp_table.txt"
  gnuplot -e "datafile='$d/wp.dat'; out='$B/wp_$(basename "$d").png'; ttl='$2'" plots/work_precision.gp &&
    echo "wrote $B/wp_$(basename "$d").png" | tee -a $B/report.txt
}

: >$B/report.txt
echo "immunosim benchmark: $N subjects, 30 % CV log-normal IIV, $TEND d, daily output, rtol $RTOL" | tee -a $B/report.txt
echo "machine: $(nproc) cores, $(uname -m); load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $B/report.txt

prep hardi hardiansyah2019 params/hardiansyah2019/upn1.csv params/schedules/hardiansyah_upn1_split.csv rE,KBC,dCARTE,PIL6
table $B/hardi "hardiansyah2019 UPN1, 10/30/60 % split"
prep pk pk2cmt params/pk2cmt/pembrolizumab_ahamadi2017.csv params/schedules/pembrolizumab_200mg_q3w.csv CL,V1,Q,V2
table $B/pk "pk2cmt pembrolizumab 200 mg Q3W"
# Kirschner-Panetta at c = 0.035 (damped to the interior equilibrium) with 1e4 effector cells
mkdir -p $B/kpin
sed 's/^c,0.02,/c,0.035,/; s/^T_0,1,/T_0,1e5,/' params/kirschner_panetta1998/default.csv >$B/kpin/params.csv
printf 'time,cmt,amt\n0,E,1e4\n' >$B/kpin/schedule.csv
prep kp kirschner_panetta1998 $B/kpin/params.csv $B/kpin/schedule.csv p1,p2,mu3,g1
table $B/kp "kirschner_panetta1998, c = 0.035, 1e4 effector cells at day 0"
prep depillis depillis2006 params/depillis2006/patient9.csv params/schedules/depillis_chemo.csv a,d,m,alpha
table $B/depillis "depillis2006 patient 9, pulsed chemotherapy"
for extra in tests/bench/models_*.sh; do [ -e "$extra" ] && . "$extra"; done
# Where the time goes: callgrind instruction counts, immunosim against the bare loop
callgrind() { # DIR
  local d=$1 e f
  command -v valgrind >/dev/null || { echo "bench: valgrind missing, no profile"; return; }
  for e in ims-bdf bare; do
    f=run_ims; [ $e = bare ] && f=run_bare
    valgrind --tool=callgrind --toggle-collect=$f --callgrind-out-file="$d/cg.$e" \
      $BENCH run $e "$d" $RTOL $ATOL 20 0 1 $TEND >/dev/null 2>&1
    callgrind_annotate --inclusive=no --threshold=100 "$d/cg.$e" >"$d/cg.$e.txt" 2>/dev/null
    $PY tests/bench/cgsplit.py "$d/cg.$e.txt" $e
  done | tee -a $B/report.txt
}

# Restart cost: extra steps per no-op restart (a zero dose) in days 3-13
restarts() { # DIR MODEL PARAMS SCHEDULE STATE
  local d=$1 s0 s1
  # the schedule's own rows, then zero doses padded to its columns (time,cmt,amt first)
  grep -v '^#' "$4" | awk -F, -v st="$5" '{ print } NR == 1 { nf = NF }
    END { for (t = 3.5; t < 13; t++) { r = t "," st ",0"; for (i = 4; i <= nf; i++) r = r ","; print r } }' >"$d/noop.csv"
  s0=$(build/immunosim run "$2" -p "$3" -s "$4" -t $TEND --dt $TEND --stats -o /dev/null 2>&1 | awk '{print $2}' | tr -d ,)
  s1=$(build/immunosim run "$2" -p "$3" -s "$d/noop.csv" -t $TEND --dt $TEND --stats -o /dev/null 2>&1 | awk '{print $2}' | tr -d ,)
  echo "restart cost ($2): $s0 steps; with 10 extra no-op restarts $s1: $(( (s1 - s0) / 10 )) steps per restart" | tee -a $B/report.txt
}

# Scaling: time against subjects and simulated time (pk2cmt), with the fitted exponent
scaling() {
  local d=$B/pklong n t
  rm -rf "$d"; mkdir -p "$d"; echo pk2cmt >"$d/model"
  printf 'time,cmt,amt,dur,ii,addl\n0,A1,200,0.0208333333333,21,80\n' >"$d/q3w_long.csv"
  $BENCH prep pk2cmt params/pk2cmt/pembrolizumab_ahamadi2017.csv "$d/q3w_long.csv" 3000 $SEED 0.3 CL,V1,Q,V2 "$d"
  : >"$d/scale_n.dat"; : >"$d/scale_t.dat"
  for n in 300 1000 3000; do echo "$n $($BENCH run ims-bdf "$d" $RTOL $ATOL $n 0 5 $TEND | cut -d, -f3)" >>"$d/scale_n.dat"; done
  for t in 182 365 730 1460; do echo "$t $($BENCH run ims-bdf "$d" $RTOL $ATOL 300 0 5 $t | cut -d, -f3)" >>"$d/scale_t.dat"; done
  $PY - "$d" <<'PYEOF' | tee -a $B/report.txt
import sys, numpy as np
d = sys.argv[1]
n = np.loadtxt(d + "/scale_n.dat"); t = np.loadtxt(d + "/scale_t.dat")
# per-subject time x subjects = total; fit log(total) = a + b log(x)
bn = np.polyfit(np.log(n[:, 0]), np.log(n[:, 1] * n[:, 0]), 1)[0]
bt = np.polyfit(np.log(t[:, 0]), np.log(t[:, 1]), 1)[0]
print("scaling (pk2cmt): total time ~ subjects^%.2f, per-subject time ~ simulated days^%.2f" % (bn, bt))
PYEOF
}

callgrind $B/hardi

# The hardiansyah2019 model file against its built-in (issue 11: at most 1.3x per subject):
# the same 1000 subjects (same seed and etas), interleaved runs, the median of each;
# callgrind gives machine-independent instruction counts and the RHS share of each.
modelfile() {
  local d=$B/hardif i e
  prep hardif models/hardiansyah2019.model params/hardiansyah2019/upn1.csv \
    params/schedules/hardiansyah_upn1_split.csv rE,KBC,dCARTE,PIL6
  : >"$d/mf.csv"
  for i in 1 2 3 4 5; do
    $BENCH run ims-bdf $B/hardi $RTOL $ATOL "$N" 0 1 $TEND | sed 's/^/built-in,/' >>"$d/mf.csv"
    $BENCH run ims-bdf "$d" $RTOL $ATOL "$N" 0 1 $TEND | sed 's/^/file,/' >>"$d/mf.csv"
  done
  for e in hardi hardif; do
    valgrind --tool=callgrind --toggle-collect=run_ims --callgrind-out-file="$B/$e/cg.mf" \
      $BENCH run ims-bdf "$B/$e" $RTOL $ATOL 20 0 1 $TEND >/dev/null 2>&1
    callgrind_annotate --inclusive=no --threshold=100 "$B/$e/cg.mf" >"$B/$e/cg.mf.txt" 2>/dev/null
  done
  $PY - "$d/mf.csv" "$B/hardi/cg.mf.txt" "$B/hardif/cg.mf.txt" "$N" <<'PYEOF' | tee -a $B/report.txt
import re, statistics, subprocess, sys
t = {"built-in": [], "file": []}
steps = {}
for line in open(sys.argv[1]):
    who, _, _, sec, rhs, st = line.strip().split(",")
    t[who].append(float(sec)); steps[who] = (float(rhs), float(st))
def total(path):
    for line in open(path):
        if "PROGRAM TOTALS" in line:
            return int(line.split()[0].replace(",", ""))
def share(path, label):
    out = subprocess.run(["/usr/bin/python3", "tests/bench/cgsplit.py", path, label],
                         capture_output=True, text=True).stdout
    m = re.search(r"rhs\+jac ([\d.]+)%", out)
    return float(m.group(1)) if m else float("nan")
b, f = statistics.median(t["built-in"]), statistics.median(t["file"])
ib, jf = total(sys.argv[2]), total(sys.argv[3])
print("model file vs built-in (hardiansyah2019 UPN1, %d subjects x 5, median per subject): "
      "built-in %.3g ms, model file %.3g ms, ratio %.2f (goal <= 1.3); same RHS evaluations "
      "and steps: %s" % (int(sys.argv[4]), 1e3 * b, 1e3 * f, f / b,
                          "yes" if steps["built-in"] == steps["file"] else "NO"))
print("  callgrind, 20 subjects: %d vs %d instructions (ratio %.3f); RHS+Jacobian share "
      "%.1f %% (built-in) and %.1f %% (model-file evaluator)" % (
          ib, jf, jf / ib, share(sys.argv[2], "built-in"), share(sys.argv[3], "file")))
PYEOF
}
modelfile
restarts $B/hardi hardiansyah2019 params/hardiansyah2019/upn1.csv params/schedules/hardiansyah_upn1_split.csv E_PB
scaling
[ -n "${BENCH_NO_WP:-}" ] || wp $B/hardi "hardiansyah2019 UPN1"
[ -n "${BENCH_NO_WP:-}" ] || wp $B/depillis "depillis2006 patient 9"
# populations at scale: per-subject cost, band memory 1e4..1e6, MPI strong scaling
bash tests/bench/scale.sh
echo "report: $B/report.txt"
