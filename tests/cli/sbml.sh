#!/usr/bin/env bash
# CLI tests of SBML (README "SBML"): curated files through every command, doses
# into concentration species, overrides, rules and populations on SBML
# symbols, bad and unsupported files (one line, exit 1, nothing written), and
# export with the round trip.
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
rows() { grep -v '^#' "$1"; }
# value of column $2 in the row at time $3 of table $1
at() {
  awk -F, -v c="$2" -v t="$3" '/^#/ {next} !h {for (i = 1; i <= NF; i++) k[$i] = i; h = 1; next}
    $1 == t {print $k[c]}' "$1"
}
near() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN {d = a - b; if (d < 0) d = -d;
  m = b < 0 ? -b : b; exit !(d <= r * m + 1e-300)}'; }

kz=tests/biomodels/BIOMD0000000762.xml
# 1. a curated file through run and info: species as amounts, [S] as concentrations
"$BIN" run $kz -t 100 --dt 50 -o "$tmp/kz.csv" 2>"$tmp/err" || bad "run $kz: $(cat "$tmp/err")"
[ "$(rows "$tmp/kz.csv" | head -1)" = "time,E,T,[E],[T]" ] && ok || bad "kz header: $(rows "$tmp/kz.csv" | head -1)"
grep -q "^# model-file: $kz fnv1a64=[0-9a-f]\{16\}$" "$tmp/kz.csv" && ok || bad "kz metadata"
grep -q "^# citation: SBML Level 2 Version 4 model .*pubmed" "$tmp/kz.csv" && ok || bad "kz citation"
"$BIN" info $kz >"$tmp/info" 2>&1 && grep -q "Effector Cells" "$tmp/info" && ok || bad "info $kz"
# ... and it is the built-in from the curated initial state (the test suite holds it to 1e-8)
"$BIN" run kuznetsov1994 -p bcl1 --set E_0=3.2e5 --set T_0=5e6 -t 100 --dt 50 -o "$tmp/kb.csv"
near "$(at "$tmp/kz.csv" T 100)" "$(at "$tmp/kb.csv" T 100)" 1e-6 && ok || bad "kz vs built-in"

# 2. a dose adds substance: into a concentration species of a 2 L compartment,
# 10 mmol raise the concentration by 5 mmol/L
cat >"$tmp/c.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
<model id="dose_test" timeUnits="hour" substanceUnits="mmol">
<listOfUnitDefinitions>
<unitDefinition id="hour"><listOfUnits><unit kind="second" exponent="1" scale="0" multiplier="3600"/></listOfUnits></unitDefinition>
<unitDefinition id="mmol"><listOfUnits><unit kind="mole" exponent="1" scale="-3" multiplier="1"/></listOfUnits></unitDefinition>
<unitDefinition id="per_hour"><listOfUnits><unit kind="second" exponent="-1" scale="0" multiplier="3600"/></listOfUnits></unitDefinition>
</listOfUnitDefinitions>
<listOfCompartments><compartment id="V" spatialDimensions="3" size="2" units="litre" constant="true"/></listOfCompartments>
<listOfSpecies><species id="S" compartment="V" initialConcentration="1" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/></listOfSpecies>
<listOfParameters><parameter id="k" value="0.1" units="per_hour" constant="true"/></listOfParameters>
<listOfReactions><reaction id="elim" reversible="false"><listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><ci>S</ci><ci>V</ci></apply></math></kineticLaw></reaction></listOfReactions>
</model></sbml>
EOF
printf 'time,cmt,amt,unit\n1,S,10,mmol\n' >"$tmp/dose.csv"
"$BIN" run "$tmp/c.xml" -s "$tmp/dose.csv" -t 1 --dt 1 --rtol 1e-10 -o "$tmp/c.csv" 2>"$tmp/err" ||
  bad "dose run: $(cat "$tmp/err")"
grep -q '^# units: time=h,S=mmol,\[S\]=mmol/L$' "$tmp/c.csv" && ok || bad "dose units: $(grep units "$tmp/c.csv")"
# [S](1 h) = exp(-0.1) before the dose; the row at the dose time shows it after
near "$(at "$tmp/c.csv" '[S]' 1)" "$(awk 'BEGIN {printf "%.17g", exp(-0.1) + 5}')" 1e-8 && ok ||
  bad "dose into a concentration species: [S] = $(at "$tmp/c.csv" '[S]' 1)"
near "$(at "$tmp/c.csv" S 1)" "$(awk 'BEGIN {printf "%.17g", 2 * exp(-0.1) + 10}')" 1e-8 && ok || bad "dose amount"
# SBML units are udunits2 units: --units converts a column
"$BIN" run "$tmp/c.xml" -s "$tmp/dose.csv" -t 1 --dt 1 --rtol 1e-10 --units '[S]=umol/mL' \
  -o "$tmp/cu.csv" && near "$(at "$tmp/cu.csv" '[S]' 1)" "$(at "$tmp/c.csv" '[S]' 1)" 1e-12 && ok ||
  bad "--units on an SBML column"
"$BIN" run "$tmp/c.xml" -t 1 --dt 1 --units 'S=umol' -o "$tmp/cu2.csv" &&
  near "$(at "$tmp/cu2.csv" S 0)" 2000 1e-12 && ok || bad "--units S=umol"
# 3. --set overrides an SBML parameter and an initial amount (S_0, an amount)
"$BIN" run "$tmp/c.xml" --set k=0.2 --set S_0=4mmol -t 1 --dt 1 --rtol 1e-10 -o "$tmp/s.csv"
near "$(at "$tmp/s.csv" '[S]' 1)" "$(awk 'BEGIN {printf "%.17g", 2 * exp(-0.2)}')" 1e-8 && ok || bad "--set on SBML"
# 4. a rules file sees species and their concentrations
printf 'when,threshold,action,dir,target,value,unit\n[S],0.5,bolus,down,S,2,mmol\n' >"$tmp/rule.csv"
"$BIN" run "$tmp/c.xml" -r "$tmp/rule.csv" -t 10 --dt 1 --events-out "$tmp/ev.csv" -o "$tmp/r.csv" \
  2>"$tmp/err" || bad "rules on SBML: $(cat "$tmp/err")"
[ "$(grep -c ',\[S\],' "$tmp/ev.csv")" -ge 1 ] && ok || bad "rule on [S] did not fire: $(cat "$tmp/ev.csv")"
# 5. a population with IIV on an SBML parameter
printf 'name,value,unit,source,iiv\nk,0.1,1/h,test,30%%\n' >"$tmp/iiv.csv"
"$BIN" population "$tmp/c.xml" -p "$tmp/iiv.csv" -n 20 -t 5 --dt 1 -o "$tmp/pop.csv" 2>"$tmp/err" &&
  rows "$tmp/pop.csv" | head -1 | grep -q 'S_p05' && ok || bad "population on SBML: $(cat "$tmp/err")"

# 6. bad files: one line naming file:line:col, exit 1, nothing written
printf '<?xml version="1.0" encoding="UTF-8"?>\n<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">\n<model id="m">\n<listOfReactions><reaction id="r" reversible="false">\n<listOfReactants><speciesReference species="nope" stoichiometry="1" constant="true"/></listOfReactants>\n</reaction></listOfReactions></model></sbml>\n' >"$tmp/bad.xml"
"$BIN" run "$tmp/bad.xml" -t 1 -o "$tmp/bad.csv" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "bad.xml:5:[0-9]*: .*'nope'" "$tmp/err" &&
  [ ! -e "$tmp/bad.csv" ] && ok || bad "bad SBML: rc $rc $(cat "$tmp/err")"
f=tests/sbml/cases/semantic/01569/01569-sbml-l3v1.xml # a fast reaction that is not linear
"$BIN" run $f -t 1 -o "$tmp/u.csv" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "unsupported: FastReaction" "$tmp/err" && [ ! -e "$tmp/u.csv" ] && ok ||
  bad "unsupported: rc $rc $(cat "$tmp/err")"

# 7. export: a built-in through its model file, read back to the same rows
"$BIN" export kuznetsov1994 -o "$tmp/k.xml" 2>"$tmp/err" || bad "export: $(cat "$tmp/err")"
grep -q '<species id="E"' "$tmp/k.xml" && grep -q 'Bull Math Biol 1994' "$tmp/k.xml" && ok ||
  bad "export content"
"$BIN" run "$tmp/k.xml" -t 200 --dt 100 --rtol 1e-10 -o "$tmp/k1.csv"
"$BIN" run kuznetsov1994 -t 200 --dt 100 --rtol 1e-10 -o "$tmp/k2.csv"
near "$(at "$tmp/k1.csv" T 200)" "$(at "$tmp/k2.csv" T 200)" 1e-8 && ok || bad "export round trip"
"$BIN" export pk2cmt -p pembrolizumab_ahamadi2017 -o "$tmp/pem.xml" &&
  grep -q 'id="CL" .*value="0.2' "$tmp/pem.xml" && ok || bad "export with -p: $(grep 'id="CL"' "$tmp/pem.xml")"
"$BIN" export stein2019 -o "$tmp/st.xml" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "built-in C model without a model file" "$tmp/err" && [ ! -e "$tmp/st.xml" ] &&
  ok || bad "export stein2019: rc $rc $(cat "$tmp/err")"
"$BIN" export kuznetsov1994 -o /nonexistent/k.xml 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "export unwritable: rc $rc $(cat "$tmp/err")"
"$BIN" export $kz -o - | grep -q '<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core"' && ok ||
  bad "export of an SBML import to stdout"

echo "sbml.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
