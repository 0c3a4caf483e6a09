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
    ims-*|bare) $BENCH run "$e" "$d" "$rt" "$at" "$n" $K "$reps" $TEND 2>>"$d/hash.txt" ;;
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
  : >"$d/results_wp.csv"; : >"$d/wp.dat"
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
for extra in tests/bench/models_*.sh; do [ -e "$extra" ] && . "$extra"; done
[ -n "${BENCH_NO_WP:-}" ] || wp $B/hardi "hardiansyah2019 UPN1"
echo "report: $B/report.txt"
