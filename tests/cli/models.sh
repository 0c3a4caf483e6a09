#!/usr/bin/env bash
# CLI tests of model files: the bad-model corpus (one line on stderr, exit 1, nothing
# written), every command on a .model path, the output metadata, --no-unit-check, translate
# (built with -Wall -Wextra -Werror and run against the file), and every command of the
# README section "Write your own model", with the files it shows.
# usage: models.sh BIN   (CC and IMS_LIBS from the Makefile build the translated models)
set -u
BIN=${1:-build/immunosim}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$(dirname "$0")/../.."
SRC=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# 1. bad model files: every command that opens a model gives the same one line
n=0
for f in tests/data/bad/m_*.model; do
  n=$((n + 1))
  want="immunosim: $(cat "${f%.model}.expect")"
  "$BIN" run "$f" -t 1 -o "$tmp/out.csv" 2>"$tmp/err" >/dev/null
  rc=$?
  got=$(cat "$tmp/err")
  [ "$rc" -eq 1 ] || { bad "$f: exit $rc, want 1 ($got)"; continue; }
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { bad "$f: stderr is not one line"; continue; }
  [ "$got" = "$want" ] || { bad "$f: got '$got' want '$want'"; continue; }
  ls "$tmp" | grep -q '^out' && { bad "$f: left an output file"; rm -f "$tmp"/out*; continue; }
  ok
done
[ "$n" -ge 25 ] && ok || bad "only $n bad model files"
f=tests/data/bad/m_unit_sum.model
for cmd in info "population -n 2 -o $tmp/out.csv" "sweep --vary k=0.1:0.2:2 -o $tmp/out.csv" \
  "sensitivity --of X -o $tmp/out.csv" "translate -o $tmp/out.csv"; do
  # shellcheck disable=SC2086
  "$BIN" $cmd "$f" 2>"$tmp/err" >/dev/null
  [ $? -eq 1 ] && [ "$(cat "$tmp/err")" = "immunosim: $(cat "${f%.model}.expect")" ] &&
    [ ! -e "$tmp/out.csv" ] && ok || bad "$cmd on a bad file: $(cat "$tmp/err")"
done

# 2. --no-unit-check: the same mismatch is a warning and the run goes on
"$BIN" run "$f" --no-unit-check -t 1 -o "$tmp/w.csv" 2>"$tmp/err" &&
  grep -q "^immunosim: warning: $f:4:11: unit mismatch" "$tmp/err" && [ -s "$tmp/w.csv" ] && ok ||
  bad "--no-unit-check: $(cat "$tmp/err")"

# 3. every command on a model file; metadata carry its path and checksum
kz=models/kuznetsov1994.model
sum=$("$BIN" info "$kz" | sed -n 's/.*(fnv1a64 \([0-9a-f]*\)).*/\1/p')
[ ${#sum} -eq 16 ] && ok || bad "info shows no checksum"
"$BIN" run "$kz" -t 30 -o "$tmp/kz.csv" && grep -q "^# model-file: $kz fnv1a64=$sum$" "$tmp/kz.csv" &&
  ok || bad "run metadata"
"$BIN" run kuznetsov1994 -p bcl1 -t 30 -o "$tmp/kzb.csv" || bad "built-in run"
# the file's values are the default set (bcl1), so the two tables agree
paste -d, <(grep -v '^#' "$tmp/kz.csv" | cut -d, -f1-3) <(grep -v '^#' "$tmp/kzb.csv") |
  awk -F, 'NR > 1 { for (i = 1; i <= 3; i++) if ($i != $(i + 3)) bad = 1 } END { exit bad }' &&
  ok || bad "model file and built-in differ"
"$BIN" info "$kz" --names | grep -qx T_0 && ok || bad "info --names"
hs=models/hardiansyah2019.model
"$BIN" population "$hs" -p upn3 -s hardiansyah_upn1_split -n 4 -t 10 \
  -o "$tmp/pop.csv" 2>/dev/null && grep -q "model-file: $hs" "$tmp/pop.csv" &&
  grep -q "params: .*params/hardiansyah2019/upn3.csv" "$tmp/pop.csv" && ok || bad "population"
"$BIN" sweep "$hs" -s hardiansyah_upn1_split -t 10 --vary KBC=0.1:0.3:3 --cols B \
  -o "$tmp/sw.csv" && [ "$(grep -vc '^#' "$tmp/sw.csv")" -eq 4 ] && ok || bad "sweep"
"$BIN" compare "$hs" -s hardiansyah_upn1_split -s hardiansyah_upn1_single -t 20 \
  --metrics-out "$tmp/cmp.csv" >/dev/null && grep -q "model-file: $hs" "$tmp/cmp.csv" && ok ||
  bad "compare"
"$BIN" sensitivity "$hs" -s hardiansyah_upn1_split -t 10 --of IL6 -o "$tmp/sens.csv" >/dev/null &&
  [ -s "$tmp/sens.csv" ] && ok || bad "sensitivity"
"$BIN" run "$hs" -s hardiansyah_upn1_split -r hardiansyah_steroid_whatif -t 30 -o "$tmp/r.csv" \
  --events-out "$tmp/ev.csv" && [ -s "$tmp/ev.csv" ] && ok || bad "rules on a model file"
"$BIN" plot "$tmp/kz.csv" --y T -o "$tmp/kz.png" && [ -s "$tmp/kz.png" ] && ok || bad "plot"
# plot -s reads a schedule against the model file the table names ('# model-file:')
"$BIN" plot "$tmp/r.csv" -s hardiansyah_upn1_single --y E_PB -o "$tmp/r.png" && [ -s "$tmp/r.png" ] &&
  ok || bad "plot -s on a model file's table"
# dynamics on a model file: the same equilibria, eigenvalues and types as the built-in
diff <("$BIN" equilibria "$kz" | tail -n +2) <("$BIN" equilibria kuznetsov1994 | tail -n +2) \
  >/dev/null && ok || bad "equilibria of the model file differ from the built-in's"
"$BIN" run nosuch.model -t 1 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "nosuch.model: cannot open" "$tmp/err" && ok || bad "missing file"
"$BIN" run kuznetsov94 -t 1 2>"$tmp/err"
grep -q "unknown model 'kuznetsov94'; did you mean 'kuznetsov1994'?" "$tmp/err" && ok ||
  bad "model hint: $(cat "$tmp/err")"

# 4. translate: C that builds under -Wall -Wextra -Werror and gives the same doubles
if [ -n "${IMS_LIBS:-}" ]; then
  for m in models/*.model; do
    name=$(basename "$m" .model)
    "$BIN" translate "$m" -o "$tmp/$name.c" || { bad "translate $m"; continue; }
    ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Iinclude -DMODEL="ims_model_$name" \
      "$tmp/$name.c" tests/translate/driver.c $IMS_LIBS -o "$tmp/$name" || { bad "build $name.c"; continue; }
    out=$("$tmp/$name" "$m") && ok || bad "translated $name differs: $out"
  done
else
  echo "models.sh: IMS_LIBS not set, translate not compiled (run through make check-cli)"
fi
"$BIN" translate kuznetsov1994 -o "$tmp/x.c" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/x.c" ] && grep -q "built-in model already" "$tmp/err" && ok ||
  bad "translate of a built-in"

# the erratum the checker finds in Kirschner & Panetta, as models/kirschner_panetta1998.md shows it
want=$(grep '^models/kirschner_panetta1998.model:' models/kirschner_panetta1998.md)
mkdir -p "$tmp/m/models"
sed 's|^param  p2   5      1/cell/d|param  p2   5      1/d     |' models/kirschner_panetta1998.model \
  >"$tmp/m/models/kirschner_panetta1998.model"
got=$(cd "$tmp/m" && "$BIN" run models/kirschner_panetta1998.model -t 1 2>&1 >/dev/null)
[ -n "$want" ] && [ "$got" = "immunosim: $want" ] && ok || bad "KP erratum: got '$got' want '$want'"

# 5. bash completion: *.model paths where a model is expected, then its names
comp() { # words...: the completions of the last word
  bash -c 'source src/cli/immunosim.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
    _immunosim; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
comp "$BIN" run models/kuz | grep -qx models/kuznetsov1994.model && ok || bad "complete run *.model"
comp "$BIN" translate models/ | grep -qx models/pk2cmt.model &&
  ! comp "$BIN" translate models/ | grep -q 'pk2cmt\.c$' && ok || bad "complete translate *.model"
comp "$BIN" population "" | grep -qx pk2cmt && ok || bad "complete built-in names"
comp "$BIN" run "$kz" --set "" | grep -qx 'T_0=' && ok || bad "complete --set of a model file"

# 6. the README section "Write your own model": its files and every command
awk '/^## Write your own model/ { on = 1; next } /^## / { on = 0 } on' README.md >"$tmp/sec.md"
mkdir -p "$tmp/readme"
awk -v dir="$tmp/readme" '
  /^<!-- file: / { f = $3; next }
  /^```/ { if (f != "" && !infile) { infile = 1; next } if (infile) { infile = 0; f = ""; next } }
  infile { print > (dir "/" f) }' "$tmp/sec.md"
awk '/^<!-- commands -->/ { c = 1; next } c && /^```sh/ { on = 1; next } on && /^```/ { exit }
  on' "$tmp/sec.md" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' >"$tmp/readme/cmds"
ncmd=0
while read -r line; do
  [ -z "$line" ] && continue
  ncmd=$((ncmd + 1))
  read -ra argv <<<"${line#build/immunosim }"
  (cd "$tmp/readme" && "$BIN" "${argv[@]}" >/dev/null 2>"$tmp/readme/err") && ok ||
    bad "README: $line: $(cat "$tmp/readme/err")"
done <"$tmp/readme/cmds"
[ "$ncmd" -ge 5 ] && ok || bad "README: only $ncmd commands found"
for out in run.png bands.png sweep.png run.csv bands.csv sweep.csv; do
  [ -s "$tmp/readme/$out" ] && ok || bad "README: no $out"
done
want=$(grep '^immunosim: tumour.model:' "$tmp/sec.md")
sed 's/kkill\*D\*T$/kkill*D/' "$tmp/readme/tumour.model" >"$tmp/readme/t2.model"
got=$(cd "$tmp/readme" && "$BIN" run t2.model 2>&1 >/dev/null | sed 's/t2.model/tumour.model/')
[ -n "$want" ] && [ "$got" = "$want" ] && ok || bad "README error example: got '$got' want '$want'"

echo "models.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
