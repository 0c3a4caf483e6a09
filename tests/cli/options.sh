#!/usr/bin/env bash
# The option table (src/cli/options.c) against what users see: every option of every command
# appears in the command's --help, in the man page and in the bash completion, and each of
# those names no option the table does not declare; then the getopt_long conventions and
# the checks of every value before any work.
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

# 1. the committed completion is the one the table generates
"$BIN" _doc bash >"$tmp/bash"
cmp -s "$tmp/bash" src/cli/immunosim.bash && ok ||
  bad "src/cli/immunosim.bash differs from 'immunosim _doc bash' (run: make completion)"
"$BIN" _doc man >"$tmp/man"
"$BIN" _doc options >"$tmp/opts"
[ "$(wc -l <"$tmp/opts")" -gt 100 ] && ok || bad "_doc options lists too few options"
grep -q '^\.TH IMMUNOSIM 1' "$tmp/man" && ok || bad "man page header"
if command -v groff >/dev/null; then
  groff -man -Tascii -ww "$tmp/man" >"$tmp/man.txt" 2>"$tmp/groff.err"
  [ -s "$tmp/man.txt" ] && [ ! -s "$tmp/groff.err" ] && ok || bad "groff: $(head -3 "$tmp/groff.err")"
fi

# the man page section of one command (roff source, between .SS lines)
man_section() { awk -v c="$1" '/^\.SS / { f = ($2 == c) ; next } /^\.SH / { f = 0 } f' "$tmp/man"; }
comp_options() { bash -c 'source src/cli/immunosim.bash; _immunosim_options "$1"' _ "$1"; }

cmds=$(cut -f1 "$tmp/opts" | sort -u)
for c in $cmds; do
  "$BIN" "$c" --help >"$tmp/help_$c" 2>&1 || bad "$c --help fails"
  man_section "$c" >"$tmp/man_$c"
  comp_options "$c" | tr ' ' '\n' >"$tmp/comp_$c"
  grep -q . "$tmp/man_$c" && ok || bad "man page has no section for $c"
done

# 2. table -> help, man page, completion
missing=0
while IFS=$'\t' read -r c long short type; do
  for o in $long $([ "$short" != -- ] && echo "$short"); do
    re=$(printf '%s' "$o" | sed 's/-/\\-/g')
    grep -qE -- "(^|[^-a-z])$o([^-a-z0-9]|$)" "$tmp/help_$c" || { bad "$c: $o not in --help"; missing=1; }
    grep -qE -- "(^|[^-a-z\\\\])$(printf '%s' "$re" | sed 's/\\/\\\\/g')([^-a-z0-9]|$)" "$tmp/man_$c" ||
      { bad "$c: $o not in the man page"; missing=1; }
    grep -qx -- "$o" "$tmp/comp_$c" || { bad "$c: $o not completed"; missing=1; }
  done
done <"$tmp/opts"
[ $missing = 0 ] && ok

# 3. help, man page, completion -> table (prose may name options of the same command; the
# generic "--opt=value" of the syntax note is not an option)
extra=0
for c in $cmds; do
  awk -F'\t' -v c="$c" '$1 == c { print $2; if ($3 != "--") print $3 }' "$tmp/opts" | sort -u >"$tmp/known_$c"
  # (examples of other commands and the syntax note's --opt, -t5, -t 5 aside)
  grep -vE "^  immunosim [a-z]" "$tmp/help_$c" | cat - <(grep -E "^  immunosim $c " "$tmp/help_$c") |
    grep -v '^Options: --opt=value' | grep -oE -- '(^|[ ,(/|[])--?[a-z][-a-z0-9]*' |
    sed 's/^[ ,(/|[]//' | sort -u >"$tmp/said_$c"
  for o in $(comm -23 "$tmp/said_$c" "$tmp/known_$c"); do
    bad "$c --help names $o, which the table does not declare for $c"
    extra=1
  done
  sed -n 's/.*\\fB\(\\-[^\\]*\(\\-[a-z0-9]*\)*\)\\fR.*/\1/p' "$tmp/man_$c" | sed 's/\\-/-/g' |
    grep -oE -- '--?[a-z][-a-z0-9]*' | sort -u >"$tmp/mansaid_$c"
  for o in $(comm -23 "$tmp/mansaid_$c" "$tmp/known_$c"); do
    bad "the man page's $c section declares $o, which the table does not"
    extra=1
  done
  for o in $(sort -u "$tmp/comp_$c" | comm -23 - "$tmp/known_$c"); do
    bad "completion offers $o for $c, which the table does not declare"
    extra=1
  done
done
[ $extra = 0 ] && ok

# completion values the table's kinds bring (the rest is tested in plot.sh)
comp() { bash -c 'source src/cli/immunosim.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
    _immunosim; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"; }
comp "$BIN" run hardiansyah2019 -r hard | grep -qx hardiansyah_steroid_whatif && ok || bad "complete -r"
comp "$BIN" run pk2cmt --method "" | grep -qx adams && ok || bad "complete --method"
comp "$BIN" sensitivity pk2cmt --par CL, | grep -qx CL,V1 && ok || bad "complete --par A,B"
comp "$BIN" run pk2cmt --set = "" | grep -qx CL= && ok || bad "complete --set=NAME"
comp "$BIN" info pk2cmt --sch | grep -qx -- --schedules && ok || bad "complete info options"
comp "$BIN" population pk2cmt --threads "" | grep -q . && bad "completion after a number option" || ok
comp "$BIN" equilibria kuznetsov1994 --box "" | grep -qx E= && ok || bad "complete equilibria --box"
comp "$BIN" continue kuznetsov1994 --par "" | grep -qx d= && ok || bad "complete continue --par"
comp "$BIN" equilibria kuznetsov1994 --pl | grep -qx -- --plane && ok || bad "complete equilibria options"

# 4. getopt_long conventions: --opt=value, -t5, --, abbreviations, options after the model
"$BIN" run pk2cmt -s nivolumab_240mg_q2w -p nivolumab_bajaj2017 -t 5 --dt 1 -o "$tmp/a.csv" || bad "run"
"$BIN" run --end=5 --dt=1 --schedule=nivolumab_240mg_q2w -pnivolumab_bajaj2017 pk2cmt -o"$tmp/b.csv" ||
  bad "run with --opt=value and -pVALUE"
"$BIN" run pk2cmt -t5 --dt 1 -s nivolumab_240mg_q2w --para nivolumab_bajaj2017 -o "$tmp/c.csv" ||
  bad "run with -t5 and an abbreviation"
grep -v '^# params\|^# schedule' "$tmp/a.csv" >"$tmp/a2"
for f in b c; do
  grep -v '^# params\|^# schedule' "$tmp/$f.csv" | cmp -s - "$tmp/a2" && ok || bad "$f.csv differs from a.csv"
done
"$BIN" run -t 1 --dt 1 -o "$tmp/d.csv" -- pk2cmt && ok || bad "-- before the model"
"$BIN" run pk2cmt --t0 -5 -t 1 --dt 1 -o "$tmp/e.csv" && grep -q '^-5,' "$tmp/e.csv" && ok ||
  bad "a value starting with '-' (--t0 -5)"
"$BIN" run pk2cmt --met 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "option '--met' is ambiguous: .*--metrics" "$tmp/err" && ok || bad "ambiguous: $(cat "$tmp/err")"
"$BIN" run pk2cmt --rtoll 1e-6 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "unknown option '--rtoll'; did you mean '--rtol'?" "$tmp/err" && ok || bad "did you mean: $(cat "$tmp/err")"
"$BIN" run pk2cmt --no-jac=1 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "option '--no-jac' takes no value" "$tmp/err" && ok || bad "flag with a value"
"$BIN" run pk2cmt --dt 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "option --dt needs a value" "$tmp/err" && ok || bad "missing value: $(cat "$tmp/err")"
"$BIN" run pk2cmt --y C1 -t 1 2>"$tmp/err"
[ $? -eq 1 ] && grep -q -- "--y shapes the figure: add --plot" "$tmp/err" && ok || bad "--y without --plot"
"$BIN" population pk2cmt -n 3 --per-subject 2>"$tmp/err"
[ $? -eq 1 ] && grep -q -- "--per-subject needs a value" "$tmp/err" && ok || bad "population missing value"

# 5. every hostile value is refused before any work: exit 1, one line naming the option
mkdir "$tmp/h"
hostile() { # want args...: exit 1, one line with want, no file written
  local want=$1 rc
  shift
  (cd "$tmp/h" && "$BIN" "$@" >/dev/null 2>"$tmp/err")
  rc=$?
  if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$want" "$tmp/err" &&
    [ -z "$(ls -A "$tmp/h")" ]; then
    ok
  else
    bad "'$*': exit $rc, want 1 with '$want': $(cat "$tmp/err") $(ls -A "$tmp/h")"
  fi
}
hostile "--out '': an empty path" run pk2cmt -o ''
hostile "--events-out '': an empty path" run pk2cmt -o x.csv --events-out ''
hostile "--per-subject '': an empty path" population pk2cmt -n 2 -o x.csv --per-subject ''
hostile "--params '': an empty name" run pk2cmt -p '' -o x.csv
hostile "--field '': an empty path" equilibria kuznetsov1994 --plane E,T --field ''
hostile "--nullclines -: standard output is already --out" equilibria kuznetsov1994 -o - \
  --plane E,T --nullclines -
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  (cd "$tmp/h" && "$BIN" $args >/dev/null 2>"$tmp/err")
  rc=$?
  if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$want" "$tmp/err" &&
    [ -z "$(ls -A "$tmp/h")" ]; then
    ok
  else
    bad "'$args': exit $rc, want 1 with '$want': $(cat "$tmp/err") $(ls -A "$tmp/h")"
  fi
done <<'EOF'
run pk2cmt --init-step -1 -o x.csv|--init-step -1: must be a finite time >= 0
run pk2cmt --rtol 10 -o x.csv|--rtol 10: must be above 0 and below 1
run pk2cmt --rtol 0 -o x.csv|--rtol 0: must be above 0 and below 1
run pk2cmt --atol 1e300 -o x.csv|--atol 1e300: must be above 0 and at most 1e100
run pk2cmt --atol x -o x.csv|--atol x: give a number, or STATE=A
run pk2cmt --atol A1=0 -o x.csv|--atol A1=0: must be above 0 and at most 1e100
sweep pk2cmt --vary CL=1:2:2 --rtol 1 -o x.csv|--rtol 1: must be above 0 and below 1
run pk2cmt --atol 0 -o x.csv|--atol 0: must be above 0 and at most 1e100
run pk2cmt --atol C1=-1 -o x.csv|--atol C1=-1
run pk2cmt --max-steps 1e30 -o x.csv|--max-steps 1e30: give an integer in [1, 1e+09]
run pk2cmt --max-steps 2.5 -o x.csv|--max-steps 2.5: not a whole number
equilibria kuznetsov1994 --at 1e300 -o x.csv|--at 1e300: too large for a whole-number option
run pk2cmt --max-steps nan -o x.csv|--max-steps nan: give an integer
run pk2cmt --dt 0 -o x.csv|--dt 0: give a number > 0
run pk2cmt --dt -1 -o x.csv|--dt -1: give a number > 0
run pk2cmt --dt 1e-9 -t 1000 -o x.csv|--dt 1e-09: 1e+12 rows
run pk2cmt -t inf -o x.csv|--end inf: not a finite number
run pk2cmt -t 0 -o x.csv|-t 0: the end time must be after the start
run pk2cmt --format xls -o x.csv|--format xls: give one of csv|tsv
run pk2cmt --method bfd -o x.csv|did you mean 'bdf'?
run pk2cmt --plot fig.jpg -o x.csv|--plot fig.jpg: use .png, .svg or .pdf
population pk2cmt -n 0 -o x.csv|-n 0: give an integer >= 1
population pk2cmt -n -3 -o x.csv|-n -3: not a non-negative whole number
population pk2cmt -n 1.5 -o x.csv|-n 1.5: not a non-negative whole number
population pk2cmt -n 1e3 -o x.csv|-n 1e3: not a non-negative whole number
population pk2cmt -o x.csv|-n N (the population size, > 0) is required
population pk2cmt -n 10 --threads 2000 -o x.csv|--threads 2000: give an integer in [0, 1024]
population pk2cmt -n 10 --threads -1 -o x.csv|--threads -1: give an integer in [0, 1024]
population pk2cmt -n 10 --seed -1 -o x.csv|--seed -1: not a non-negative whole number
population pk2cmt -n 10 --seed 18446744073709551616 -o x.csv|--seed 18446744073709551616: larger than 2^64 - 1
population pk2cmt -n 10 --subjects 5:2 -o x.csv|--subjects 5:2: need A < B
population pk2cmt -n 10 --subjects 1:x -o x.csv|--subjects 1:x: expected A:B
population pk2cmt -n 10 --bands-mem -1 -o x.csv|--bands-mem -1: give a number in [0, 1e+06]
population pk2cmt -n 10 -r hardiansyah_steroid_whatif -o x.csv|unknown option '-r'
sweep pk2cmt --vary CL=1:2:3 --plot-metric C1_max -o x.csv|--plot-metric chooses what --plot draws
sweep pk2cmt --vary CL=1:2:3 --plot s.png --plot-metric C1.max -o x.csv|no such column; did you mean 'C1_max'?
sweep pk2cmt --vary CL=1:2:3 --vary V1=1:2:2 --vary Q=1:2:2 -o x.csv|at most two --vary
sensitivity pk2cmt --of X9 -o x.csv|--of: no column 'X9'
compare pk2cmt -s nivolumab_240mg_q2w|give at least two schedules
run pk2cmt -p nivolumab -o x.csv|-p nivolumab: no such file, and no shipped parameter set of that name for pk2cmt; did you mean 'nivolumab_bajaj2017'?
run pk2cmt -s nivolumab_240 -o x.csv|did you mean 'nivolumab_240mg_q2w'?
run pk2cmt -s nivolumab -o x.csv|did you mean 'nivolumab_240mg_q2w' or 'nivolumab_480mg_q4w'?
run pk2cmt -s /nonexistent/x.csv -o x.csv|-s /nonexistent/x.csv: no such file
run pk2cmt -r steroid -o x.csv|-r steroid: no such file, and no shipped rules file of that name
run pk2cmt --set CL=3mg -o x.csv|--set CL=3mg: parameter 'CL': unit 'mg' cannot be converted
run pk2cmt --set CL=-3 -o x.csv|--set CL=-3: parameter 'CL' must not be negative
equilibria kuznetsov1994 --plane E,T --grid 1 --field f.csv|--grid 1: give an integer in [2, 2000]
equilibria kuznetsov1994 --plane E,T --grid 2.5 --field f.csv|--grid 2.5: not a whole number
equilibria kuznetsov1994 --starts 0 -o x.csv|--starts 0: give an integer in [1, 100000]
equilibria kuznetsov1994 --time inf -o x.csv|--time inf: not a finite number
equilibria kuznetsov1994 --plane E,T --at 0 --field f.csv|--at 0: give an integer >= 1
equilibria kuznetsov1994 --plane E,T --at 9 --field f.csv|--at 9: there are 4 equilibria in the box
equilibria kuznetsov1994 --logx -o x.csv|--logx: the phase plane options need --plane X,Y
equilibria kuznetsov1994 --plane E -o x.csv --field f.csv|--plane E: expected two states X,Y
equilibria kuznetsov1994 --plane E,T -o x.csv|--plane E,T: write it with --nullclines FILE or --field FILE
equilibria kuznetsov1994 --plane E,T --xrange 1:x --field f.csv|--xrange 1:x: expected A:B
equilibria kuznetsov1994 --box T=0:x -o x.csv|--box T=0:x: expected LO:HI with LO < HI
equilibria kuznetsov1994 --rtol 1e-6 -o x.csv|unknown option '--rtol'
continue kuznetsov1994 -o x.csv|give --par NAME=A:B
continue kuznetsov1994 --par d -o x.csv|--par d: expected NAME=A:B
continue kuznetsov1994 --par d=0.01:0.1 --max-points 0 -o x.csv|--max-points 0: give an integer in [1, 1e+07]
continue kuznetsov1994 --par d=0.01:0.1 --max-step 2 -o x.csv|--max-step 2: give a number in (0, 1]
continue kuznetsov1994 --par d=0.01:0.1 --npar 3 -o x.csv|--npar: the orbit diagram options need --orbits STATE
continue kuznetsov1994 --par d=0.01:0.1 --rtol 1e-9 -o x.csv|--rtol: the orbit diagram options need --orbits STATE
continue kuznetsov1994 --par d=0.01:0.1 --orbits T --npar 0 -o x.csv|--npar 0: give an integer in [1, 100000]
continue kuznetsov1994 --par d=0.01:0.1 --orbits T --transient -1 -o x.csv|--transient -1: give a number >= 0
continue kuznetsov1994 --par d=0.01:0.1 --orbits T --window 0 -o x.csv|--window 0: give a number > 0
continue kuznetsov1994 --par d=0.01:0.1 --orbits T --rtol 1 -o x.csv|--rtol 1: must be above 0 and below 1
continue kuznetsov1994 --par d=0.01:0.1 --orbits T --atol 0 -o x.csv|--atol 0: must be above 0 and at most 1e100
continue kuznetsov1994 --par d=0.01:0.1 --orbits T --extinct T=-1 -o x.csv|--extinct T=-1
continue kuznetsov1994 --par d=0.01:0.1 --orbits Q -o x.csv|--orbits Q: model kuznetsov1994 has no state 'Q'
continue kuznetsov1994 --par d=0:0.1 --orbits T --logpar -o x.csv|--logpar: the range of d must be positive
EOF

# 6. the examples of the dynamics commands' --help run as printed (from a scratch directory)
mkdir "$tmp/ex"
for c in equilibria continue; do
  n=0
  while IFS= read -r cmd; do
    n=$((n + 1))
    (cd "$tmp/ex" && eval "\"\$BIN\" ${cmd#immunosim }") >/dev/null 2>"$tmp/err" && ok ||
      bad "$c --help example fails: $cmd: $(cat "$tmp/err")"
  done < <("$BIN" "$c" --help | awk '/^examples?:$/ { on = 1; next } on' | sed 's/^  //' |
    awk '/\\$/ { sub(/\\$/, ""); cmd = cmd $0; next } { print cmd $0; cmd = "" }')
  [ $n -ge 2 ] && ok || bad "$c --help: $n examples"
done

echo "options: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
