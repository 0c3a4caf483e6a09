#!/usr/bin/env bash
# Shards and merge: population --subjects A:B writes mergeable bands (histogram counts, or
# values when the whole run's bands are exact) and per-subject rows; immunosim merge gives the
# unsharded run's files byte for byte, in any shard order, with threads; it refuses shards of
# different runs, missing and overlapping ranges, mixed kinds, files that are not shards and
# damaged cells.  These are the README's commands (section "MPI, shards and merge").
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
mkdir "$tmp/o"
empty() { [ -z "$(ls -A "$tmp/o")" ]; }
# refused: exit 1, one line naming the fault, no output
refused() { # WHAT PATTERN merge-args...
  local what=$1 pat=$2
  shift 2
  "$BIN" merge "$@" -o "$tmp/o/m.csv" 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 1 ] && empty && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$pat" "$tmp/err"; then ok; else
    bad "$what: rc $rc, $(cat "$tmp/err") $(ls "$tmp/o")"
  fi
  rm -f "$tmp"/o/*
}

P="population pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w -n 100 --seed 7 -t 63 --dt 1"
# 1. exact (default) and histogram bands (--bands-mem 0), CSV and TSV without metadata
for mode in "" "--bands-mem 0" "--bands-mem 0 --format tsv --no-metadata"; do
  "$BIN" $P $mode --per-subject "$tmp/s.csv" -o "$tmp/b.csv" 2>/dev/null || bad "unsharded $mode"
  "$BIN" $P $mode --subjects 60:100 --threads 2 --per-subject "$tmp/s3.csv" -o "$tmp/b3.csv" 2>/dev/null &&
    "$BIN" $P $mode --subjects 0:35 --per-subject "$tmp/s1.csv" -o "$tmp/b1.csv" 2>/dev/null &&
    "$BIN" $P $mode --subjects 35:60 --per-subject "$tmp/s2.csv" -o "$tmp/b2.csv" 2>/dev/null || bad "shards $mode"
  "$BIN" merge "$tmp/b3.csv" "$tmp/b1.csv" "$tmp/b2.csv" -o "$tmp/bm.csv" 2>"$tmp/err" &&
    cmp -s "$tmp/b.csv" "$tmp/bm.csv" && ok || bad "merged bands differ ($mode): $(cat "$tmp/err")"
  "$BIN" merge "$tmp"/s[312].csv -o "$tmp/sm.csv" 2>/dev/null && cmp -s "$tmp/s.csv" "$tmp/sm.csv" &&
    ok || bad "merged per-subject rows differ ($mode)"
  grep -q '^merge: 3 shards of bands, 100 subjects (0:100), 100 ok, 0 failed (excluded); bands ' "$tmp/err" &&
    ok || bad "merge summary: $(cat "$tmp/err")"
done
# a single shard of every subject is the whole run
"$BIN" $P --subjects 0:100 -o "$tmp/ball.csv" 2>/dev/null
"$BIN" $P -o "$tmp/b.csv" 2>/dev/null
"$BIN" merge "$tmp/ball.csv" 2>/dev/null | cmp -s - "$tmp/b.csv" && ok || bad "merge of 0:100 to stdout"
# the shard line names the subjects and the counts, and the bands state is integer counts
grep -q '^# shard: bands subjects=0:35 of 100 ok=35 failed=0 steps=[0-9]* .* bands=histogram format=tsv metadata=no' \
  "$tmp/b1.csv" && ok || bad "shard line: $(grep '^# shard:' "$tmp/b1.csv")"
grep -v '^#' "$tmp/b1.csv" | head -1 | grep -qx 'time,column,n,zero,neg_n,neg_min,neg_max,neg_bins,pos_n,pos_min,pos_max,pos_bins' &&
  ok || bad "bands shard header"

# 2. failed subjects (normal iiv drawing V1 < 0) are counted and excluded the same way
printf 'name,value,unit,iiv,dist\nCL,0.22,L/d,,\nV1,3,L,4,normal\n' >"$tmp/pn.csv"
F="population pk2cmt -p $tmp/pn.csv -s pembrolizumab_200mg_q3w -n 80 -t 21 --bands-mem 0"
"$BIN" $F --per-subject "$tmp/fs.csv" -o "$tmp/fb.csv" 2>"$tmp/ferr"
"$BIN" $F --subjects 0:40 --per-subject "$tmp/fs1.csv" -o "$tmp/fb1.csv" 2>/dev/null
"$BIN" $F --subjects 40:80 --per-subject "$tmp/fs2.csv" -o "$tmp/fb2.csv" 2>/dev/null
nf=$(grep -c ',failed' "$tmp/fs.csv")
"$BIN" merge "$tmp/fb1.csv" "$tmp/fb2.csv" -o "$tmp/fbm.csv" 2>"$tmp/err"
[ "$nf" -gt 0 ] && cmp -s "$tmp/fb.csv" "$tmp/fbm.csv" && grep -q " $((80 - nf)) ok, $nf failed" "$tmp/err" &&
  ok || bad "failed subjects through merge: nf $nf, $(cat "$tmp/err")"

# 3. refusals: another run, gaps, overlaps, kinds, not a shard, damage
"$BIN" $P --subjects 0:50 -o "$tmp/a.csv" --per-subject "$tmp/as.csv" 2>/dev/null
"$BIN" $P --subjects 50:100 -o "$tmp/c.csv" 2>/dev/null
"$BIN" $P --subjects 40:100 -o "$tmp/ov.csv" 2>/dev/null
"$BIN" $P --subjects 60:100 -o "$tmp/gap.csv" 2>/dev/null
"$BIN" ${P/--seed 7/--seed 8} --subjects 50:100 -o "$tmp/seed.csv" 2>/dev/null
"$BIN" $P --set CL=0.3 --subjects 50:100 -o "$tmp/set.csv" 2>/dev/null
"$BIN" ${P/--dt 1/--dt 0.5} --subjects 50:100 -o "$tmp/dt.csv" 2>/dev/null
"$BIN" ${P/-n 100/-n 101} --subjects 50:101 -o "$tmp/n.csv" 2>/dev/null
"$BIN" population pk2cmt -p nivolumab_bajaj2017 -s pembrolizumab_200mg_q3w -n 100 --seed 7 -t 63 --dt 1 \
  --subjects 50:100 -o "$tmp/par.csv" 2>/dev/null
"$BIN" ${P/pk2cmt/models/pk2cmt.model} --subjects 50:100 -o "$tmp/mdl.csv" 2>/dev/null
refused "another model" "mdl.csv:[0-9]*: another run than .*a.csv: '# model: pk2cmt (.*, model file)'" "$tmp/a.csv" "$tmp/mdl.csv"
refused "another seed" "seed.csv:[0-9]*: another run than .*a.csv: '# population: N=100 seed=8" "$tmp/a.csv" "$tmp/seed.csv"
refused "another --set" "set.csv:[0-9]*: another run than .*'# set: CL=0.3" "$tmp/a.csv" "$tmp/set.csv"
refused "other times" "dt.csv:[0-9]*: another run than .*'# run: t0=0, 127 output times" "$tmp/a.csv" "$tmp/dt.csv"
refused "another N" "n.csv:[0-9]*: another run than .*a.csv" "$tmp/a.csv" "$tmp/n.csv"
refused "other parameters" "par.csv:[0-9]*: another run than .*'# params: .*nivolumab_bajaj2017.csv fnv1a64=" "$tmp/a.csv" "$tmp/par.csv"
refused "overlap" "a.csv (subjects 0:50) and .*ov.csv (40:100) overlap in 40:50" "$tmp/a.csv" "$tmp/ov.csv"
refused "gap" "subjects 50:60 (0-based, end excluded) are missing: between .*a.csv" "$tmp/a.csv" "$tmp/gap.csv"
refused "missing end" "subjects 50:100 (0-based, end excluded) are missing: after .*a.csv" "$tmp/a.csv"
refused "missing start" "subjects 0:50 (0-based, end excluded) are missing: before .*c.csv" "$tmp/c.csv"
refused "mixed kinds" "merge the bands shards and the per-subject shards separately" "$tmp/a.csv" "$tmp/as.csv"
refused "not a shard" "b.csv: not a shard: no '# shard:' line" "$tmp/b.csv"
refused "given twice" "a.csv: given twice" "$tmp/a.csv" "$tmp/a.csv"
"$BIN" $P --bands-mem 0 --subjects 0:50 -o "$tmp/ha.csv" 2>/dev/null
"$BIN" $P --bands-mem 0 --subjects 50:100 -o "$tmp/hc.csv" 2>/dev/null
sed 's/^\(1,A1,50,0,0,,,,50,[^,]*,[^,]*,\)\([0-9]*\):1 /\1\2:2 /' "$tmp/ha.csv" >"$tmp/dmg.csv"
refused "damaged counts" "dmg.csv:[0-9]*:[0-9]*: the bins hold 51 values (n = 50)" "$tmp/dmg.csv" "$tmp/hc.csv"
sed 's/^\(1,A1,50,\)\([0-9.]*\) /\11e9 /' "$tmp/a.csv" >"$tmp/dmv.csv"
refused "damaged values" "dmv.csv:[0-9]*:[0-9]*: value 2 .*expected 50 ascending" "$tmp/dmv.csv" "$tmp/c.csv"
refused "mixed band modes" "hc.csv:[0-9]*: another run than .*a.csv: N, band mode" "$tmp/a.csv" "$tmp/hc.csv"
sed 's/^\(# shard: bands subjects=0:50 of 100 ok=\)50/\1x/' "$tmp/a.csv" >"$tmp/dsh.csv"
refused "damaged shard line" "dsh.csv:[0-9]*:3: a malformed '# shard:' line" "$tmp/dsh.csv" "$tmp/c.csv"
"$BIN" merge 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'merge: .*SHARD' "$tmp/err" && ok || bad "merge without shards: $(cat "$tmp/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
