# CLI tests of the dynamics commands (equilibria, continue); sourced by
# run.sh, which provides BIN, tmp, ok and bad.  The commands are the README
# 'Dynamics' examples.

# 1. Kuznetsov BCL1: four equilibria, the tumour-free one at (s/d, 0) = (315533.98, 0)
"$BIN" equilibria kuznetsov1994 -o "$tmp/kz_eq.csv" >"$tmp/kz_eq.txt" || bad "equilibria kuznetsov1994"
[ "$(grep -vc '^#' "$tmp/kz_eq.csv")" -eq 5 ] && ok || bad "kuznetsov: 4 equilibria + header"
awk -F, '!/^#/ && $3 == 0 { e = $2 / (13000 / 0.0412) - 1; exit !(e < 1e-9 && e > -1e-9 && $4 == "saddle") }' \
  "$tmp/kz_eq.csv" && ok || bad "kuznetsov tumour-free equilibrium: $(cat "$tmp/kz_eq.csv")"
for t in "stable focus" "stable node" saddle; do
  grep -q ",$t," "$tmp/kz_eq.csv" && ok || bad "kuznetsov: no $t"
done
grep -q '4 equilibria in the box' "$tmp/kz_eq.txt" && ok || bad "equilibria table: $(head -1 "$tmp/kz_eq.txt")"

# 2. Kirschner-Panetta c = 0.04: the origin and a stable focus
"$BIN" equilibria kirschner_panetta1998 --set c=0.04 -o "$tmp/kp_eq.csv" >/dev/null || bad "kp equilibria"
grep -q '^2,20802.29[0-9]*,15570.09[0-9]*,9773.44[0-9]*,stable focus,stable,0,0,0,' "$tmp/kp_eq.csv" && ok ||
  bad "kp c=0.04 interior: $(grep '^2,' "$tmp/kp_eq.csv")"

# 3. an empty box says so (exit 0, a CSV with only the header)
"$BIN" equilibria kuznetsov1994 --box T=1e10:2e10 -o "$tmp/none.csv" >"$tmp/none.txt"
[ $? -eq 0 ] && grep -q 'no equilibrium in the box' "$tmp/none.txt" &&
  [ "$(grep -vc '^#' "$tmp/none.csv")" -eq 1 ] && ok || bad "empty box: $(cat "$tmp/none.txt")"

# 4. bad input: one line, exit 1, nothing written
dyn_bad() { # expected-message-part, then the command's arguments
  local want=$1
  shift
  "$BIN" "$@" -o "$tmp/bad_out.csv" >/dev/null 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$want" "$tmp/err" &&
    [ ! -e "$tmp/bad_out.csv" ]; then ok; else bad "$* -> rc $rc: $(cat "$tmp/err")"; fi
}
dyn_bad "expected LO:HI with LO < HI" equilibria kuznetsov1994 --box T=5:1
dyn_bad "has no state 'Q'" equilibria kuznetsov1994 --box Q=0:1
dyn_bad "unknown model" equilibria nosuchmodel
dyn_bad "did you mean '--box'" equilibria kuznetsov1994 --bx T=0:1
dyn_bad "give --par NAME=A:B" continue kuznetsov1994
dyn_bad "did you mean 'd'" continue kuznetsov1994 --par D=0.01:0.1
dyn_bad "is an initial value" continue kuznetsov1994 --par T_0=1:2
dyn_bad "two different numbers" continue kuznetsov1994 --par d=0.1:0.1
dyn_bad "cannot be negative" continue kuznetsov1994 --par d=-1:0.1
dyn_bad "need --plane" equilibria kuznetsov1994 --nullclines "$tmp/nc_bad.csv"

# 5. Kuznetsov in d: two folds bracketing the BCL1 value 0.0412 (bistable range)
"$BIN" continue kuznetsov1994 --par d=0.01:0.1 -o "$tmp/kz_d.csv" >"$tmp/kz_d.txt" || bad "continue kuznetsov"
awk -F, '$8 == "fold" { n++; if ($3 < 0.0412) lo = 1; else hi = 1 } END { exit !(n == 2 && lo && hi) }' \
  "$tmp/kz_d.csv" && ok || bad "kuznetsov folds: $(grep fold "$tmp/kz_d.csv")"
grep -q '^2 *fold' "$tmp/kz_d.txt" && ok || bad "continue summary: $(cat "$tmp/kz_d.txt")"

# 6. Kirschner-Panetta in c: one Hopf point, between 0.032 and 0.033
"$BIN" continue kirschner_panetta1998 --par c=0.005:0.05 -o "$tmp/kp_c.csv" >/dev/null || bad "continue kp"
awk -F, '$9 == "hopf" { n++; c = $3 } END { exit !(n == 1 && c > 0.032 && c < 0.033) }' \
  "$tmp/kp_c.csv" && ok || bad "kp hopf: $(grep hopf "$tmp/kp_c.csv")"

# 7. the orbit diagram: the c = 0.02 cycle has period 242 d (about 242 d for Kirschner and Panetta 1998)
"$BIN" continue kirschner_panetta1998 --par c=0.02:0.05 --orbits T --npar 2 --transient 6000 \
  --window 1500 -o "$tmp/kp_orb.csv" >/dev/null || bad "continue --orbits"
awk -F, '$1 == "orbit_max" && $3 == 0.02 { p = $13; n++ } END { exit !(n == 1 && p > 241.5 && p < 242.5) }' \
  "$tmp/kp_orb.csv" && ok || bad "orbit period: $(grep orbit_max "$tmp/kp_orb.csv")"
awk -F, '$1 == "orbit_eq" && $3 == 0.05 { n++ } END { exit n != 1 }' "$tmp/kp_orb.csv" && ok ||
  bad "orbit settled at c = 0.05: $(grep 'orbit.*,0.05,' "$tmp/kp_orb.csv")"

# 8. phase plane: nullclines and field, all outputs or none
"$BIN" equilibria kuznetsov1994 --plane E,T --logx --logy --xrange 1e4:1e7 --yrange 1e5:1e9 \
  --nullclines "$tmp/kz_nc.csv" --field "$tmp/kz_field.csv" >/dev/null || bad "phase plane"
grep -q '^nullcline,segment,E,T$' "$tmp/kz_nc.csv" && grep -q '^E,T,dE,dT,arrow_x,arrow_y$' "$tmp/kz_field.csv" &&
  [ "$(grep -vc '^#' "$tmp/kz_field.csv")" -eq 901 ] && ok || bad "phase plane files"
"$BIN" equilibria kuznetsov1994 --plane E,T --nullclines "$tmp/nc2.csv" \
  --field "$tmp/nodir/f.csv" >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && [ ! -e "$tmp/nc2.csv" ] && ok || bad "a failed output left the other behind"

# 9. the bifurcation diagram (continue --plot; immunosim plot of the table draws the same figure):
# the bistable range shaded exactly between the two folds of the table, folds labelled, stable
# pieces solid (dt 1) and unstable dashed (dt 2)
if command -v gnuplot >/dev/null 2>&1; then
  "$BIN" continue kuznetsov1994 -p bcl1 --par d=0.01:0.1 --plot "$tmp/kzb.png" >/dev/null &&
    [ -s "$tmp/kzb.png" ] && [ -s "$tmp/kzb.gp" ] && [ -s "$tmp/kzb.csv" ] && ok || bad "continue --plot"
  folds=$(awk -F, '$1 == "eq" && $9 == "fold" { print $3 }' "$tmp/kzb.csv" | sort -g | tr '\n' ' ')
  read -r f1 f2 <<<"$folds"
  awk -v a="$f1" -v b="$f2" '/^set object rectangle/ { x = $5; sub(",", "", x); y = $10; n++
      if ((x - a) ^ 2 > (1e-9 * a) ^ 2 || (y - b) ^ 2 > (1e-9 * b) ^ 2) bad = 1 }
      END { exit !(n == 1 && !bad) }' "$tmp/kzb.gp" && ok ||
    bad "bistable span not the folds $folds: $(grep rectangle "$tmp/kzb.gp")"
  grep -q 'title "bistable: 0.0211 < d < 0.0819"' "$tmp/kzb.gp" && grep -q '"fold d = 0.0211"' "$tmp/kzb.gp" &&
    grep -q '"fold d = 0.0819"' "$tmp/kzb.gp" && ok || bad "bifurcation labels: $(grep -E 'fold|bistable' "$tmp/kzb.gp")"
  grep -q 'column("T")) with lines .* dt 1 ' "$tmp/kzb.gp" && grep -q 'column("T")) with lines .* dt 2 ' "$tmp/kzb.gp" &&
    ok || bad "stable solid, unstable dashed"
  "$BIN" plot "$tmp/kzb.csv" -o "$tmp/kzb2.png" && [ -s "$tmp/kzb2.png" ] &&
    diff <(grep -v 'kzb' "$tmp/kzb.gp") <(grep -v 'kzb' "$tmp/kzb2.gp") >/dev/null && ok ||
    bad "plot of a continue table differs from continue --plot"
  # Kirschner-Panetta: the Hopf point labelled, the orbit extrema as points in the same panel
  "$BIN" continue kirschner_panetta1998 --par c=0.02:0.05 --orbits T --npar 4 --transient 6000 \
    --window 1500 --plot "$tmp/kpb.png" >/dev/null && [ -s "$tmp/kpb.png" ] && ok || bad "kp --plot"
  grep -q '"Hopf c = 0.0325"' "$tmp/kpb.gp" && grep -q 'title "cycle maxima (simulated)"' "$tmp/kpb.gp" &&
    grep -q 'with points' "$tmp/kpb.gp" && ok || bad "kp diagram: $(grep -E 'Hopf|cycle' "$tmp/kpb.gp")"

  # two panels; the tumour-free branch, at 0 on both log axes, is named in the legend for both
  "$BIN" plot "$tmp/kpb.csv" --y T,E -o "$tmp/kpb2.png" && [ -s "$tmp/kpb2.png" ] &&
    grep -q '"T = 0, E = 0: unstable, off the log axis"' "$tmp/kpb2.gp" && ok ||
    bad "two-panel diagram: $(grep 'off the log' "$tmp/kpb2.gp")"

  # 10. the phase portrait: four tables beside the figure; both halves of the interior saddle's
  # separatrix start at the saddle (758509, 2.680227e8), the tumour-free saddle's lie off the log axis
  "$BIN" equilibria kuznetsov1994 --plane E,T --logx --logy --xrange 1e4:1e7 --yrange 1e5:1e9 \
    --separatrix --traj 3.2e5,6e7 --plot "$tmp/kzp.png" >/dev/null &&
    for f in kzp.png kzp.gp kzp_eq.csv kzp_nullclines.csv kzp_field.csv kzp_curves.csv; do
      [ -s "$tmp/$f" ] || exit 1
    done && ok || bad "equilibria --plot files"
  awk -F, '!/^#/ && $2 == "separatrix" && !seen[$1]++ { n++
      if (($4 / 758509 - 1) ^ 2 > 1e-10 || ($5 / 2.680227e8 - 1) ^ 2 > 1e-10) far = 1 }
      END { exit !(n == 2 && !far) }' "$tmp/kzp_curves.csv" && ok ||
    bad "separatrix starts: $(awk -F, '$2 == "separatrix" && !s[$1]++' "$tmp/kzp_curves.csv")"
  grep -q '"saddle at T = 0, off the log axis"' "$tmp/kzp.gp" && grep -q '"stable focus"' "$tmp/kzp.gp" &&
    grep -q 'with vectors' "$tmp/kzp.gp" && ok || bad "portrait marks"
  "$BIN" plot "$tmp/kzp_nullclines.csv" "$tmp/kzp_field.csv" "$tmp/kzp_eq.csv" "$tmp/kzp_curves.csv" \
    -o "$tmp/kzp2.png" && [ -s "$tmp/kzp2.png" ] && ok || bad "plot of the phase-plane tables"
  # bad input: one line, exit 1, nothing written
  "$BIN" plot "$tmp/kzp_eq.csv" -o "$tmp/bad.png" 2>"$tmp/err"
  [ $? -eq 1 ] && grep -q 'do not name the plane' "$tmp/err" && [ ! -e "$tmp/bad.png" ] && ok ||
    bad "plot of equilibria alone: $(cat "$tmp/err")"
  "$BIN" equilibria kuznetsov1994 --plane E,T --traj 3e5 --plot "$tmp/bad.png" 2>"$tmp/err"
  [ $? -eq 1 ] && grep -q -- '--traj 3e5: expected X0,Y0' "$tmp/err" && [ ! -e "$tmp/bad.png" ] &&
    [ ! -e "$tmp/bad_eq.csv" ] && ok || bad "--traj without Y0: $(cat "$tmp/err")"
  "$BIN" continue kuznetsov1994 --par d=0.01:0.1 -o - --plot "$tmp/bad.png" >/dev/null 2>"$tmp/err"
  [ $? -eq 1 ] && grep -q -- '-o -: --plot draws from a file' "$tmp/err" && ok || bad "-o - --plot: $(cat "$tmp/err")"
  # the README's examples (section "Bifurcation diagrams and phase portraits"), as written
  mkdir -p "$tmp/dynreadme" && src=$PWD &&
    awk '/^### Bifurcation diagrams and phase portraits/ { f = 1 } f && /^```sh/ { b = 1; next }
         b && /^```/ { exit } b' README.md | sed -E "s|^(build/)?immunosim |\"$BIN\" |" >"$tmp/dynreadme/cmds.sh"
  (cd "$tmp/dynreadme" && IMMUNOSIM_DATA=$src bash -e cmds.sh >/dev/null 2>err) &&
    [ ! -s "$tmp/dynreadme/err" ] && for f in kz_bif.png kp_bif.png kz_pp.png kz_pp2.png kp_pp.png; do
      [ -s "$tmp/dynreadme/$f" ] || exit 1
    done && ok || bad "README dynamics figures: $(cat "$tmp/dynreadme/err")"
  "$BIN" plot "$tmp/kzb.csv" --hline T=1 -o "$tmp/bad.png" 2>"$tmp/err"
  [ $? -eq 1 ] && grep -q 'not for a bifurcation diagram' "$tmp/err" && ok || bad "plot --hline on a diagram: $(cat "$tmp/err")"
fi

"$BIN" equilibria kuznetsov1994 --plane E,t --field "$tmp/f_bad.csv" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "'t' is not a state of kuznetsov1994; did you mean 'T'?" "$tmp/err" &&
  [ ! -e "$tmp/f_bad.csv" ] && ok || bad "--plane with an unknown state: $(cat "$tmp/err")"

for c in equilibria continue; do
  "$BIN" $c --help | grep -q 'example' && ok || bad "$c --help has no example"
done
