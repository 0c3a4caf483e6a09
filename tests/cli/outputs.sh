#!/usr/bin/env bash
# Outputs of every command: committed all together or not at all, temporary files removed on
# signals, failures that leave nothing, and the output formats (numbers that read back, column
# names R and pandas keep, --no-metadata, progress bars, notes, exact peaks).
set -u
BIN=${1:-build/immunosim}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
PEMBRO="-p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w"
mkdir "$tmp/o"
empty() { [ -z "$(ls -A "$tmp/o")" ]; }

# 1. all or nothing: an event log that cannot be written takes the table with it
"$BIN" run pk2cmt $PEMBRO -t 30 -o "$tmp/o/ok.csv" --events-out /dev/full 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && empty && grep -q '^immunosim: /dev/full: cannot write' "$tmp/err" && ok ||
  bad "--events-out /dev/full: rc $rc, $(ls "$tmp/o") $(cat "$tmp/err")"
"$BIN" run pk2cmt $PEMBRO -t 30 -o "$tmp/o/ok.csv" --metrics-out /dev/full 2>"$tmp/err"
[ $? -eq 3 ] && empty && ok || bad "--metrics-out /dev/full left $(ls "$tmp/o")"
"$BIN" run pk2cmt $PEMBRO -t 30 -o /dev/full 2>"$tmp/err"
[ $? -eq 3 ] && grep -q '/dev/full: cannot write' "$tmp/err" && ! grep -q 'standard output' "$tmp/err" &&
  ok || bad "-o /dev/full: $(cat "$tmp/err")"
"$BIN" sensitivity pk2cmt $PEMBRO -t 30 --par CL -o "$tmp/o/s.csv" --metrics-out /dev/full \
  >/dev/null 2>&1
[ $? -eq 3 ] && empty && ok || bad "sensitivity: -o kept when --metrics-out failed"
"$BIN" compare pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w \
  -s pembrolizumab_400mg_q6w -t 60 --plot "$tmp/o/c.svg" --metrics-out /dev/full >/dev/null 2>&1
[ $? -eq 3 ] && empty && ok || bad "compare: run tables kept when --metrics-out failed: $(ls "$tmp/o")"

# 2. every output is checked before the work: an unwritable file is an I/O error (exit 3)
# even for a run that would fail in the solver (exit 2)
"$BIN" run pk2cmt $PEMBRO -t 300 --max-steps 2 --rtol 1e-12 -o "$tmp/o/t.csv" \
  --metrics-out "$tmp/nodir/m.csv" 2>"$tmp/err"
[ $? -eq 3 ] && empty && grep -q 'nodir/m.csv: cannot create' "$tmp/err" && ok ||
  bad "unwritable --metrics-out not found first: $(cat "$tmp/err")"
"$BIN" population pk2cmt $PEMBRO -n 100000 -t 365 -o "$tmp/o/b.csv" \
  --per-subject "$tmp/nodir/s.csv" 2>"$tmp/err"
[ $? -eq 3 ] && empty && ! grep -q 'population:' "$tmp/err" && ok ||
  bad "population: unwritable --per-subject: $(cat "$tmp/err")"
"$BIN" run pk2cmt $PEMBRO -t 30 -o "$tmp/o/x.csv" --plot "$tmp/nodir/f.png" 2>"$tmp/err"
[ $? -eq 3 ] && empty && ok || bad "unwritable --plot directory: $(cat "$tmp/err")"

# 3. a population in which every subject failed writes nothing (exit 2)
"$BIN" population pk2cmt -p nivolumab_bajaj2017 -s nivolumab_240mg_q2w -n 4 -t 300 --max-steps 2 \
  --rtol 1e-12 -o "$tmp/o/b.csv" --per-subject "$tmp/o/s.csv" 2>"$tmp/err"
[ $? -eq 2 ] && empty && grep -q 'every subject failed (4 of 4' "$tmp/err" && ok ||
  bad "population, every subject failed: $(tail -1 "$tmp/err") $(ls "$tmp/o")"

# 4. sweep: failed points are named, written as 'failed', and the exit code is 2
"$BIN" sweep pk2cmt -p nivolumab_bajaj2017 -s nivolumab_240mg_q2w -t 300 --max-steps 2 \
  --rtol 1e-12 --vary CL=0.1:0.2:2 --cols C1 -o "$tmp/sw.csv" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'sweep point CL=0.1 failed' "$tmp/err" && grep -q 'sweep point CL=0.2 failed' "$tmp/err" &&
  grep -q '2 of 2 sweep points failed' "$tmp/err" && [ "$(grep -c ',failed,' "$tmp/sw.csv")" -eq 2 ] &&
  ok || bad "sweep with failed points: rc $rc $(cat "$tmp/err")"

# 5. signals remove the temporary files (SIGINT, SIGTERM, SIGHUP).  Job control on: a
# non-interactive shell starts background jobs with SIGINT ignored.
set -m
for sig in INT TERM HUP; do
  "$BIN" population pk2cmt $PEMBRO -n 1000000 -t 365 --dt 1 -o "$tmp/o/b.csv" \
    --per-subject "$tmp/o/s.csv" 2>/dev/null &
  pid=$!
  for _ in $(seq 100); do ls "$tmp/o" | grep -q '\.tmp\.' && break; sleep 0.05; done
  sleep 0.2
  kill -s $sig $pid
  for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  kill -0 $pid 2>/dev/null && { kill -s KILL $pid; bad "SIG$sig did not end the run"; }
  wait $pid
  rc=$?
  want=$((128 + $(kill -l $sig)))
  [ $rc -eq $want ] && empty && ok || bad "SIG$sig: rc $rc (want $want), left $(ls "$tmp/o")"
  rm -f "$tmp"/o/*
done
set +m

# 6. numbers read back to the same double: 17 digits where needed, no more than needed
printf 'time\n0\n0.30000000000000004\n0.3333333333333333\n1\n' >"$tmp/times.csv"
"$BIN" run pk2cmt $PEMBRO --times "$tmp/times.csv" -o "$tmp/n.csv" || bad "run --times"
[ "$(grep -v '^#' "$tmp/n.csv" | tail -n +2 | cut -d, -f1 | tr '\n' ' ')" = "0 0.30000000000000004 0.3333333333333333 1 " ] &&
  ok || bad "times do not read back: $(grep -v '^#' "$tmp/n.csv" | cut -d, -f1 | tr '\n' ' ')"
if /usr/bin/python3 -c 1 2>/dev/null; then
  /usr/bin/python3 - "$tmp/n.csv" <<'PY' && ok || bad "numbers are not the shortest that read back"
import sys
def digits(s):
    m = s.lower().split("e")[0].replace("-", "").replace(".", "").lstrip("0").rstrip("0")
    return len(m)
long = 0
for line in open(sys.argv[1]):
    if line.startswith("#") or line.startswith("time"):
        continue
    for f in line.strip().split(","):
        v = float(f)
        assert digits(f) <= max(digits(repr(v)), 1), (f, repr(v))
        long += digits(f) >= 16
assert long > 0  # the states need more than the old 10 digits
PY
fi

# 7. --no-metadata: numpy.genfromtxt(names=True) reads the table as is
"$BIN" run pk2cmt $PEMBRO -t 21 --dt 1 --no-metadata -o "$tmp/nm.csv" || bad "--no-metadata"
[ "$(head -1 "$tmp/nm.csv")" = "time,A1,A2,C1" ] && ! grep -q '^#' "$tmp/nm.csv" && ok || bad "--no-metadata: '#' lines"
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  /usr/bin/python3 -c "
import numpy, sys
a = numpy.genfromtxt(sys.argv[1], delimiter=',', names=True)
assert a.dtype.names == ('time', 'A1', 'A2', 'C1') and len(a) == 22 and not numpy.isnan(a['C1']).any()
" "$tmp/nm.csv" && ok || bad "numpy.genfromtxt(names=True)"
fi

# 8. derived columns: one scheme (BASE_QUALIFIER, [A-Za-z0-9_.], never a leading digit), and
# R's read.csv keeps every name
"$BIN" sweep pk2cmt $PEMBRO -t 63 --vary 'amt[1]=100mg:200mg:2' --window all --window 3.3:47.7 \
  --cols C1 --threshold C1=30 -o "$tmp/n_sweep.csv" || bad "sweep"
"$BIN" sensitivity pk2cmt $PEMBRO -t 42 --par CL,V1 -o "$tmp/n_sens.csv" >/dev/null || bad "sensitivity"
"$BIN" population pk2cmt $PEMBRO -n 5 -t 42 --per-subject "$tmp/n_subj.csv" -o "$tmp/n_bands.csv" 2>/dev/null ||
  bad "population"
"$BIN" compare pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w -s pembrolizumab_400mg_q6w \
  -t 84 --cols C1 --metrics-out "$tmp/n_cmp.csv" >"$tmp/cmp.txt" || bad "compare"
head_of() { grep -v '^#' "$1" | head -1; }
[ "$(head_of "$tmp/n_sweep.csv" | cut -d, -f1-4)" = "amt_1,status,all_C1_max,all_C1_tmax" ] &&
  head_of "$tmp/n_sweep.csv" | grep -q ',X3.3_47.7_th1_crossings$' && ok || bad "sweep names: $(head_of "$tmp/n_sweep.csv")"
head_of "$tmp/n_sens.csv" | grep -q '^time,A1_CL,A1_V1,A2_CL,A2_V1,C1_CL,C1_V1$' && ok || bad "sensitivity names"
grep -q '^# units: .*A1_auc=d\*mg,' "$tmp/n_subj.csv" && ok ||
  bad "per-subject AUC unit is not d*mg: $(grep '^# units' "$tmp/n_subj.csv" | cut -c1-200)"
head_of "$tmp/n_cmp.csv" | grep -q ',ratio_pembrolizumab_400mg_q6w,diff_pembrolizumab_400mg_q6w$' && ok ||
  bad "compare names: $(head_of "$tmp/n_cmp.csv")"
if Rscript -e 1 >/dev/null 2>&1; then
  for f in n_sweep n_sens n_subj n_bands n_cmp; do
    Rscript -e "f <- '$tmp/$f.csv'; h <- strsplit(grep('^[^#]', readLines(f), value = TRUE)[1], ',')[[1]];
      d <- read.csv(f, comment.char = '#'); if (!identical(names(d), h)) quit(status = 1)" &&
      ok || bad "R renames the columns of $f"
  done
fi

# 9. compare: times by difference, the rest by ratio
awk -F, '$4 == "tmax" { exit !($8 == "NaN" && $9 != "NaN") }' "$tmp/n_cmp.csv" && ok || bad "compare tmax: ratio not NaN"
grep -E '^all +C1 +tmax +d .* [+-][0-9.]+$' "$tmp/cmp.txt" >/dev/null && ok || bad "compare table: tmax difference"

# 10. every reported peak is the exact extremum: sensitivity, run --metrics and the default grid
"$BIN" run pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_400mg_q6w -t 126 --cols C1 \
  --window all --metrics-out "$tmp/pk_m.csv" -o "$tmp/pk.csv" || bad "run q6w"
"$BIN" sensitivity pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_400mg_q6w -t 126 --par CL \
  --of C1 --dt 1 >"$tmp/pk_s.txt" || bad "sensitivity q6w"
m=$(awk -F, '$1 == "all" && $5 == "C1" && $7 == "max" { print $8 }' "$tmp/pk_m.csv")
g=$(grep -v '^#' "$tmp/pk.csv" | awk -F, 'NR > 1 && $4 > m { m = $4 } END { printf "%.17g", m }')
s=$(sed -n 's/.*: peak \([0-9.e+-]*\) at .*/\1/p' "$tmp/pk_s.txt")
awk -v m="$m" -v g="$g" -v s="$s" 'BEGIN { exit !(m > 130 && (g - m) / m < 1e-9 && (m - g) / m < 1e-6 &&
  (s - m) / m < 1e-5 && (m - s) / m < 1e-5) }' && ok || bad "peaks: metrics $m, default grid $g, sensitivity $s"

# 11. info lists the shipped sets and the schedules that dose the model
"$BIN" info pk2cmt --sets | grep -qx nivolumab_bajaj2017 && ok || bad "info --sets"
"$BIN" info pk2cmt --schedules >"$tmp/sch"
grep -qx nivolumab_240mg_q2w "$tmp/sch" && ! grep -q hardiansyah "$tmp/sch" && ok || bad "info --schedules: $(cat "$tmp/sch")"
"$BIN" info hardiansyah2019 | grep -A1 '^schedules that dose it' | grep -q hardiansyah_upn1_split && ok ||
  bad "info: schedules"

# 12. sensitivity's default parameters include the initial values the files give
"$BIN" sensitivity hardiansyah2019 -s hardiansyah_upn1_split -t 20 --of IL6 >"$tmp/hs.txt" 2>/dev/null
grep -q '^  B_0 ' "$tmp/hs.txt" && ok || bad "sensitivity: B_0 not in the default list"

# 13. notes for a terminal and the same facts in the metadata; progress bars on stderr only on
# a terminal, ending at 100 %, never in files
"$BIN" run pk2cmt -t 1 --dt 1 -o "$tmp/nd.csv" 2>"$tmp/err"
grep -q '^# schedule: none (nothing is dosed)' "$tmp/nd.csv" && ! grep -q . "$tmp/err" && ok || bad "nothing dosed: metadata"
printf 'name,value,unit\nCL,0.2,L/d\nV1,3,L\n' >"$tmp/noiiv.csv"
"$BIN" population pk2cmt -p "$tmp/noiiv.csv" -s pembrolizumab_200mg_q3w -n 3 -t 5 -o "$tmp/ni.csv" 2>/dev/null
grep -q '^# iiv: none' "$tmp/ni.csv" && ok || bad "no iiv: metadata"
if command -v script >/dev/null 2>&1; then
  export IMMUNOSIM_PROGRESS_DELAY=0
  script -qec "'$BIN' run pk2cmt -t 1 --dt 1 -o '$tmp/nd.csv'" /dev/null >"$tmp/tty" 2>&1
  grep -q 'note: no schedule: nothing is dosed' "$tmp/tty" && ok || bad "nothing dosed: no note on a terminal"
  script -qec "'$BIN' population pk2cmt -p '$tmp/noiiv.csv' -s pembrolizumab_200mg_q3w -n 3 -t 5 -o '$tmp/ni.csv'" \
    /dev/null >"$tmp/tty" 2>&1
  grep -q 'note: no parameter has an iiv .*: all 3 subjects are identical' "$tmp/tty" && ok || bad "no iiv: no note"
  # ... but subjects from a covariate table differ: no such note
  printf '# units: WT=kg\nWT\n50\n70\n90\n' >"$tmp/wt.csv"
  script -qec "'$BIN' population pk2cmt -p '$tmp/noiiv.csv' -s pembrolizumab_200mg_q3w --covariates '$tmp/wt.csv' -n 3 -t 5 -o '$tmp/nc.csv'" \
    /dev/null >"$tmp/tty" 2>&1
  [ -s "$tmp/nc.csv" ] && ! grep -q 'are identical' "$tmp/tty" && ok || bad "covariate table: 'identical' note: $(cat "$tmp/tty")"
  for c in "population pk2cmt $PEMBRO -n 200 -t 63 -o '$tmp/pb.csv'" \
    "sweep pk2cmt $PEMBRO -t 63 --vary CL=0.1:0.3:30 -o '$tmp/psw.csv'" \
    "compare pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w -s pembrolizumab_400mg_q6w -t 84" \
    "sensitivity pk2cmt $PEMBRO -t 63 --dt 0.01"; do
    script -qec "'$BIN' $c" /dev/null >"$tmp/tty" 2>&1
    tr '\r' '\n' <"$tmp/tty" | grep -q '^\[#*-*\] *[0-9]*%' && ok || bad "no progress bar: $c"
    tr '\r' '\n' <"$tmp/tty" | grep '^\[' | tail -1 | grep -q '^\[#\{30\}\] 100%' && ok || bad "bar does not end at 100 %: $c"
  done
  grep -q $'\r' "$tmp/pb.csv" "$tmp/psw.csv" && bad "progress bar in an output file" || ok
  # rows streaming to the terminal: no bar to fuse with them
  script -qec "'$BIN' run pk2cmt $PEMBRO -t 63 --dt 0.01" /dev/null >"$tmp/tty" 2>&1
  grep -q '%  t = ' "$tmp/tty" && bad "progress bar mixed with rows on the terminal" || ok
  unset IMMUNOSIM_PROGRESS_DELAY
else
  echo "SKIP: notes and progress bars on a terminal (script(1) not installed)"
fi

echo "outputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
