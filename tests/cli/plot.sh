# Figures, completion, help and progress: sourced by tests/cli/run.sh (uses its BIN, tmp, ok,
# bad; the working directory is the source tree).

P=tests/data/plot
nogp=/nonexistent/gnuplot   # IMMUNOSIM_GNUPLOT: gnuplot missing
fakegp=$PWD/tests/cli/fakegnuplot # a stand-in that writes a placeholder figure: script checks

# 1. gnuplot missing: refused before the run (exit 3), one line saying what to do, nothing written
IMMUNOSIM_GNUPLOT=$nogp "$BIN" run pk2cmt -s params/schedules/blinatumomab_cycle1.csv -t 42 \
  --units C1=pg/mL --plot "$tmp/nogp.png" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && ok || bad "gnuplot missing: exit $rc, want 3"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "gnuplot not found.*gnuplot-nox.*or leave out --plot" "$tmp/err" && ok ||
  bad "gnuplot missing: message '$(cat "$tmp/err")'"
[ ! -e "$tmp/nogp.csv" ] && [ ! -e "$tmp/nogp.gp" ] && ok || bad "gnuplot missing: something written"

# script generation: run --plot writes FIG.csv, FIG.gp and FIG
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" run pk2cmt -s params/schedules/blinatumomab_cycle1.csv -t 42 \
  --units C1=pg/mL --plot "$tmp/blina.png" 2>"$tmp/err" && ok || bad "run --plot: $(cat "$tmp/err")"
[ -s "$tmp/blina.csv" ] && [ -s "$tmp/blina.gp" ] && [ -s "$tmp/blina.png" ] && ok ||
  bad "run --plot: table, script or figure not written"
g=$tmp/blina.gp
grep -q '^set terminal pngcairo ' "$g" && ok || bad "png: no pngcairo terminal"
grep -q "^if (!exists(\"out_file\")) out_file = \"$tmp/blina.png\"$" "$g" && grep -q '^set output out_file$' "$g" &&
  grep -q '^undefine out_file data1$' "$g" && ok || bad "png: set output"
grep -q '^set xlabel "time (d)"' "$g" && ok || bad "x label with units: $(grep xlabel "$g")"
# the y label names the column from the model's description, with its unit
grep -q '^set label 1001 "concentration C1 (pg/mL)" at screen ' "$g" && ok ||
  bad "y label with units: $(grep 'label 1001' "$g")"
# the two step-up infusions, 0-7 d and 7-28 d, as bars in the strip under the axis, as high as
# their rates (9 then 28 ug/d: 0.321 and 1)
grep -q '^set object rectangle from first 0, screen dose_lo([0-9.]*, 0) to first 7, screen dose_hi([0-9.]*, 0, 0.321)' "$g" &&
  grep -q '^set object rectangle from first 7, screen dose_lo([0-9.]*, 0) to first 28, screen dose_hi([0-9.]*, 0, 1)' "$g" &&
  ok || bad "infusion bars missing"
# the strip is under the axis: a concentration axis starts at 0, never below
grep '^set ytics' "$g" | grep -q '("0" 0,' && ! grep '^set ytics' "$g" | grep -q '"-' && ok ||
  bad "y axis below zero: $(grep '^set ytics' "$g")"
grep -q "^if (!exists(\"data1\")) data1 = \"$tmp/blina.csv\"$" "$g" &&
  grep -q 'data1 using (column("time")/tscale):(column("C1")) with lines' "$g" && ok || bad "C1 series missing"
grep -q 'keyentry with boxes .*title "infusion into A1 (central amount)"' "$g" && ok ||
  bad "legend entry for the infusions"
# one SVG and one PDF: their terminals; --weeks divides time and doses by 7
for ext in svg pdf; do
  IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/blina.csv" --weeks --no-doses -o "$tmp/w.$ext" 2>/dev/null
  want=$([ $ext = svg ] && echo svg || echo pdfcairo)
  grep -q "^set terminal $want " "$tmp/w.gp" && ok || bad "$ext: no $want terminal"
done
grep -q '^set xlabel "time (weeks)"' "$tmp/w.gp" && grep -q '^tscale = 7 ' "$tmp/w.gp" &&
  grep -q '^set xrange \[0:6\]' "$tmp/w.gp" && ok || bad "--weeks axis"
grep -q 'set object rectangle' "$tmp/w.gp" && bad "--no-doses still marks doses" || ok
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/blina.csv" --weeks -o "$tmp/w.png" 2>/dev/null
grep -q '^set object rectangle from first 1, screen .* to first 4, screen' "$tmp/w.gp" && ok ||
  bad "--weeks: dose bars not in weeks"
# -s: doses from a schedule file through the library's reader
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/blina.csv" -s blinatumomab_cycle1 -o "$tmp/s.png" 2>/dev/null
[ "$(grep -c '^set object rectangle' "$tmp/s.gp")" -eq 2 ] && ok || bad "-s: dose bars"

# hline, bands (log axis from the dynamic range), boluses, reference points
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot $P/bands.csv --hline IL6=1000:"severe CRS" \
  --points $P/points.csv -o "$tmp/bands.svg" 2>/dev/null
g=$tmp/bands.gp
grep -q '^set arrow from graph 0, first 1000 to graph 1, first 1000 ' "$g" &&
  grep -q '^set label "severe CRS" at graph 0.985, first 1000' "$g" && ok || bad "hline"
grep -q '(column("IL6_p05")):(column("IL6_p95")) with filledcurves' "$g" &&
  grep -q '(column("IL6_p25")):(column("IL6_p75")) with filledcurves' "$g" &&
  grep -q '(column("IL6_p50")) with lines' "$g" && ok || bad "IL6 bands and median"
grep -q '(column("CART_p05")):(column("CART_p95")) with filledcurves' "$g" &&
  ! grep -q 'CART_p25' "$g" && ok || bad "CART: 5-95 band only"
# IL6 (1.3 to 3000 pg/mL) and the CART band (2e6 to 9e9 cells) span more than 3 decades
[ "$(grep -c '^set logscale y' "$g")" -eq 2 ] && ok || bad "log y for data spanning decades"
# boluses: the drug's symbol in the strip, and the same symbol in the legend
grep -q '^set label "" at first 14, screen dose_mid([0-9.]*, 0) point pt 9 ' "$g" &&
  grep -q 'keyentry with points lc rgb drug_color(1) pt 9 .*title "bolus into CART"' "$g" && ok ||
  bad "bolus markers"
# the band legend has the bands' colour (one run: its series colour)
grep -q 'keyentry with filledcurves fc rgb series_color(1) .*title "5-95 %"' "$g" && ok ||
  bad "band legend colour: $(grep 'keyentry with filledcurves' "$g")"
grep -q '^if (!exists("data2")) data2 = "tests/data/plot/points.csv"$' "$g" &&
  grep -q 'data2 using (column(1)/tscale):(column("IL6")):(column("IL6_lo")):(column("IL6_hi")) with yerrorbars' "$g" &&
  grep -q 'published median (test data)' "$g" && ok || bad "reference points"
grep -q '5-95 %' "$g" && grep -q '25-75 %' "$g" && ok || bad "band legend"
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot $P/bands.csv --liny --y IL6 -o "$tmp/lin.png" 2>/dev/null
grep -q '^set logscale y' "$tmp/lin.gp" && bad "--liny" || ok
grep -q 'column("CART' "$tmp/lin.gp" && bad "--y IL6 still draws CART" || ok

# several runs overlaid with a legend from --labels; the overlay of columns
"$BIN" run pk2cmt -p params/pk2cmt/nivolumab_bajaj2017.csv -s params/schedules/nivolumab_240mg_q2w.csv \
  -t 84 --dt 1 -o "$tmp/q2w.csv" && "$BIN" run pk2cmt -p params/pk2cmt/nivolumab_bajaj2017.csv \
  -s params/schedules/nivolumab_480mg_q4w.csv -t 84 --dt 1 -o "$tmp/q4w.tsv" --format tsv ||
  bad "nivolumab runs"
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/q2w.csv" "$tmp/q4w.tsv" --labels "240 mg Q2W,480 mg Q4W" \
  --y C1,A2 -o "$tmp/two.png" 2>/dev/null
g=$tmp/two.gp
grep -q 'title "240 mg Q2W"' "$g" && grep -q 'title "480 mg Q4W"' "$g" && ok || bad "legend labels"
grep -q "^if (!exists(\"data2\")) data2 = \"$tmp/q4w.tsv\"$" "$g" &&
  [ "$(grep -c 'data2 using' "$g")" -eq 2 ] && [ "$(grep -c '^# ---- panel' "$g")" -eq 2 ] && ok ||
  bad "two panels, both files in each"
# nivolumab C1 stays within 2 decades: linear
sed -n '/^# ---- panel 1: C1/,/^plot/p' "$g" | grep -q '^unset logscale y' && ok || bad "linear y for C1"
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/q2w.csv" --y A1,A2 --overlay -o "$tmp/ov.png" 2>/dev/null
[ "$(grep -c '^# ---- panel' "$tmp/ov.gp")" -eq 1 ] &&
  grep -q '^set label 1001 "central amount A1,\(\\n\| \)peripheral amount A2 (mg)"' "$tmp/ov.gp" &&
  ok || bad "--overlay: one panel, shared unit"

# a log axis over less than two decades gets ticks at 1, 2, 5 x 10^k (else one labelled tick)
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/q2w.csv" --y C1 --logy --yrange 30:400 -o "$tmp/fine.png" 2>/dev/null
grep -q '^set ytics .*"50" 50, .*"100" 100, "200" 200' "$tmp/fine.gp" &&
  ! grep -q '"300" 300' "$tmp/fine.gp" && grep -q '^set logscale y' "$tmp/fine.gp" && ok ||
  bad "1-2-5 ticks on a narrow log axis: $(grep '^set ytics' "$tmp/fine.gp")"
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/q2w.csv" --y C1 --logy --yrange 1:1e4 -o "$tmp/fine.png" 2>/dev/null
grep -q '^set ytics .*"10^{0}" 1, .*"10^{2}" 100, "" 200 1, .*"10^{4}" 10000' "$tmp/fine.gp" &&
  ! grep -q '"200" 200' "$tmp/fine.gp" && ok || bad "decades on a wide log axis: $(grep '^set ytics' "$tmp/fine.gp")"

# --ylabel replaces the column-and-unit label (e.g. for dimensionless model units)
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/q2w.csv" --y A1,A2 --overlay --ylabel "amount (mg), x^2" \
  -o "$tmp/yl.png" 2>/dev/null
grep -q '^set label 1001 "amount (mg), x\\\\^2" at ' "$tmp/yl.gp" && ok ||
  bad "--ylabel: $(grep 'label 1001' "$tmp/yl.gp")"

# --x: a phase portrait, no dose markers
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/q2w.csv" --x A1 --y A2 -o "$tmp/ph.png" 2>/dev/null
grep -q 'using (column("A1")):(column("A2")) with lines' "$tmp/ph.gp" &&
  grep -q '^set xlabel "central amount A1 (mg)"' "$tmp/ph.gp" && ! grep -q 'set object rectangle' "$tmp/ph.gp" &&
  ok || bad "--x phase portrait"

# errors: what to do next
"$BIN" plot "$tmp/q2w.csv" --y c1 -o "$tmp/e.png" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "no column 'c1' in .*q2w.csv; did you mean 'C1'?" "$tmp/err" && ok ||
  bad "unknown column: $(cat "$tmp/err")"
"$BIN" plot "$tmp/q2w.csv" -o "$tmp/e.jpg" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "use .png, .svg or .pdf" "$tmp/err" && ok || bad "bad extension"
"$BIN" plot "$tmp/q2w.csv" --hline C1=abc -o "$tmp/e.png" 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "bad --hline"
# not a table: where, and what plot reads (the one table reader's file:line:col)
printf 'Notes on the run.\nNot a table, of course.\n' >"$tmp/notes.txt"
"$BIN" plot "$tmp/notes.txt" -o "$tmp/e.png" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "notes.txt:2:[0-9]*: 2 fields where the header has 1; plot draws tables that 'immunosim run' (or population) writes: a header row such as time,A1,C1, then rows of numbers" "$tmp/err" &&
  [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "plot of a text file: $(cat "$tmp/err")"
printf 'Notes on the run.\nMore notes.\n' >"$tmp/notes2.txt"
"$BIN" plot "$tmp/notes2.txt" -o "$tmp/e.png" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "notes2.txt: no time column (its first column is 'Notes on the run.'); plot draws time courses: a 'time' column (or a first column of numbers), then columns of numbers, as 'immunosim run' writes them" "$tmp/err" &&
  ok || bad "plot of a two-line text file: $(cat "$tmp/err")"
: >"$tmp/empty.txt"
"$BIN" plot "$tmp/empty.txt" -o "$tmp/e.png" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "empty.txt:1:1: no header row; expected a table such as 'immunosim run' writes" "$tmp/err" &&
  ok || bad "plot of an empty file: $(cat "$tmp/err")"
# tables of other commands: named, with the command that draws them
"$BIN" sweep pk2cmt -t 10 --vary CL=0.1:0.2:2 --cols C1 -o "$tmp/sw2.csv" 2>/dev/null
"$BIN" plot "$tmp/sw2.csv" -o "$tmp/e.png" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "sw2.csv: a sweep table, not a time course; 'immunosim sweep ... --plot FIG.png' draws it" "$tmp/err" &&
  ok || bad "plot of a sweep table: $(cat "$tmp/err")"
[ ! -e "$tmp/e.png" ] && [ ! -e "$tmp/e.gp" ] && ok || bad "failed plot left a figure or script"
# figure options checked before the run: a misspelt column, a bad range
"$BIN" run pk2cmt -t 300 --plot "$tmp/late.png" --y c1 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "^immunosim: --y: no column 'c1' in the run; did you mean 'C1'?$" "$tmp/err" &&
  [ ! -e "$tmp/late.csv" ] && ok || bad "run --plot --y c1: $(cat "$tmp/err")"
"$BIN" run pk2cmt -t 300 --plot "$tmp/late.png" --xrange 5:1 2>"$tmp/err"
[ $? -eq 1 ] && grep -q -- "--xrange 5:1: HI must be above LO" "$tmp/err" && ok || bad "run --plot --xrange 5:1: $(cat "$tmp/err")"

# the figure's script and image are outputs of the command: with the tables, or none at all
failgp=$tmp/failgp
printf '#!/bin/sh\necho "gnuplot: error on line 1" >&2\nexit 1\n' >"$failgp" && chmod +x "$failgp"
mkdir "$tmp/grp"
IMMUNOSIM_GNUPLOT=$failgp "$BIN" run pk2cmt -s params/schedules/blinatumomab_cycle1.csv -t 42 \
  -o "$tmp/grp/r.csv" --events-out "$tmp/grp/ev.csv" --plot "$tmp/grp/r.png" 2>"$tmp/err"
[ $? -eq 3 ] && [ -z "$(ls -A "$tmp/grp")" ] && grep -q "gnuplot failed on $tmp/grp/r.gp" "$tmp/err" && ok ||
  bad "run --plot, gnuplot failing: rc $? left $(ls "$tmp/grp"): $(cat "$tmp/err")"
IMMUNOSIM_GNUPLOT=$failgp "$BIN" sensitivity pk2cmt -t 30 --par CL -o "$tmp/grp/st.csv" \
  --plot "$tmp/grp/s.svg" >/dev/null 2>&1
[ $? -eq 3 ] && [ -z "$(ls -A "$tmp/grp")" ] && ok || bad "sensitivity --plot, gnuplot failing left $(ls "$tmp/grp")"
IMMUNOSIM_GNUPLOT=$failgp "$BIN" sweep pk2cmt -t 30 --vary CL=0.1:0.2:2 -o "$tmp/grp/w.csv" \
  --plot "$tmp/grp/w.png" >/dev/null 2>&1
[ $? -eq 3 ] && [ -z "$(ls -A "$tmp/grp")" ] && ok || bad "sweep --plot, gnuplot failing left $(ls "$tmp/grp")"
IMMUNOSIM_GNUPLOT=$failgp "$BIN" compare pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_200mg_q3w \
  -s pembrolizumab_400mg_q6w -t 60 --plot "$tmp/grp/c.png" >/dev/null 2>&1
[ $? -eq 3 ] && [ -z "$(ls -A "$tmp/grp")" ] && ok || bad "compare --plot, gnuplot failing left $(ls "$tmp/grp")"
IMMUNOSIM_GNUPLOT=$failgp "$BIN" plot "$tmp/q2w.csv" -o "$tmp/grp/p.png" 2>/dev/null
[ $? -eq 3 ] && [ -z "$(ls -A "$tmp/grp")" ] && ok || bad "plot, gnuplot failing left $(ls "$tmp/grp")"
# and with gnuplot working, every output of the group is there
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" sensitivity pk2cmt -t 30 --par CL -o "$tmp/grp/st.csv" \
  --plot "$tmp/grp/s.svg" >/dev/null 2>&1 &&
  [ "$(ls "$tmp/grp" | tr '\n' ' ')" = "s.csv s.gp s.svg st.csv " ] && ok || bad "sensitivity --plot outputs: $(ls "$tmp/grp")"
rm -f "$tmp/grp"/*
# FIG.csv, the figure's data, is an output too: -o FIG.csv would be overwritten, so it is refused
"$BIN" sensitivity pk2cmt -t 30 --par CL -o "$tmp/grp/s.csv" --plot "$tmp/grp/s.svg" 2>"$tmp/err" >/dev/null
[ $? -eq 1 ] && grep -q "s.csv: named for two outputs" "$tmp/err" && [ -z "$(ls -A "$tmp/grp")" ] && ok ||
  bad "sensitivity -o FIG.csv --plot FIG.svg: $(cat "$tmp/err")"
rm -f "$tmp/grp"/*
# a figure named like another output of the command is refused before the work
"$BIN" run pk2cmt -t 30 -o "$tmp/grp/x.gp" --plot "$tmp/grp/x.png" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "x.gp: named for two outputs" "$tmp/err" && [ -z "$(ls -A "$tmp/grp")" ] && ok ||
  bad "-o FIG.gp with --plot FIG.png: $(cat "$tmp/err")"
# quoted fields with embedded delimiters read as every other table: a quoted header name
printf '# units: time=d,"A,B=mg"\ntime,"A,B"\n0,1\n1,"2"\n' >"$tmp/quoted.csv"
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/quoted.csv" -o "$tmp/q.png" 2>/dev/null
grep -q 'data1 using (column("time")/tscale):(column("A,B")) with lines' "$tmp/q.gp" &&
  grep -q 'set label 1001 "A,B (mg)"' "$tmp/q.gp" && ok ||
  bad "quoted column name: $(grep -c using "$tmp/q.gp")"
"$BIN" run pk2cmtt -t 1 2>"$tmp/err"
grep -q "unknown model 'pk2cmtt'; did you mean 'pk2cmt'?" "$tmp/err" && ok || bad "model hint: $(cat "$tmp/err")"
"$BIN" info pk2cmtt 2>"$tmp/err"
grep -q "did you mean 'pk2cmt'?" "$tmp/err" && ok || bad "info model hint"
"$BIN" plott 2>"$tmp/err"
grep -q "did you mean 'plot'?" "$tmp/err" && ok || bad "command hint"

# 2. rendering: PNG, SVG and PDF come out valid (skipped without gnuplot)
if command -v gnuplot >/dev/null 2>&1; then
  for ext in png svg pdf; do
    "$BIN" plot "$tmp/blina.csv" $P/bands.csv --labels "run,population" --style paper \
      -o "$tmp/r.$ext" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] && [ -s "$tmp/r.$ext" ] && ok || bad "render $ext: exit $rc $(cat "$tmp/err")"
    grep -q . "$tmp/err" && bad "render $ext: gnuplot warned: $(cat "$tmp/err")"
  done
  [ "$(head -c 8 "$tmp/r.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && ok ||
    bad "PNG magic"
  head -c 100 "$tmp/r.svg" | grep -q '^<?xml\|^<svg' && grep -q '</svg>' "$tmp/r.svg" && ok ||
    bad "SVG start/end"
  [ "$(head -c 5 "$tmp/r.pdf")" = "%PDF-" ] && ok || bad "PDF magic"
  # the kept script re-runs on its own
  rm -f "$tmp/r.png"
  "$BIN" plot "$tmp/blina.csv" -o "$tmp/r.png" && rm -f "$tmp/r.png" && gnuplot "$tmp/r.gp" &&
    [ -s "$tmp/r.png" ] && ok || bad "re-running the .gp script"
  # run --plot in one step
  "$BIN" run pk2cmt -s params/schedules/blinatumomab_cycle1.csv -t 42 -o "$tmp/one.csv" \
    --plot "$tmp/one.png" --y C1 && [ -s "$tmp/one.png" ] && [ -s "$tmp/one.csv" ] && ok ||
    bad "run --plot"
else
  echo "SKIP: rendering tests (gnuplot not installed; apt-get install gnuplot-nox)"
fi

# the README's Figures examples, as written (from the sh block under "## Figures"), in a
# scratch directory: every figure comes out and gnuplot prints no warning
if command -v gnuplot >/dev/null 2>&1; then
  mkdir -p "$tmp/readme" && src=$PWD &&
    awk '/^## Figures/ { f = 1 } f && /^```sh/ { b = 1; next } b && /^```/ { exit } b' README.md |
    sed -E "s|^(build/)?immunosim |\"$BIN\" |" >"$tmp/readme/cmds.sh"
  [ "$(grep -c . "$tmp/readme/cmds.sh")" -ge 3 ] && ok || bad "README Figures examples not found"
  (cd "$tmp/readme" && IMMUNOSIM_DATA=$src bash -e cmds.sh >/dev/null 2>err) && ok ||
    bad "README Figures examples: $(cat "$tmp/readme/err")"
  [ ! -s "$tmp/readme/err" ] && ok || bad "README Figures examples warned: $(cat "$tmp/readme/err")"
  for f in blina.png pembro.svg crs.pdf; do
    [ -s "$tmp/readme/$f" ] && ok || bad "README Figures example: no $f"
  done
  # the README's heat map (Sweeps), as written
  awk '/^```sh/ { b = 1; n = 0; next } b && /^```/ { if (k) exit; b = 0 } b { l[n++] = $0; if (/kp_sweep.png/) k = 1 }
       END { for (i = 0; i < n; i++) print l[i] }' README.md | sed "s|^build/immunosim |\"$BIN\" |" \
    >"$tmp/readme/sweep.sh"
  grep -q kp_sweep.png "$tmp/readme/sweep.sh" && (cd "$tmp/readme" && IMMUNOSIM_DATA=$src bash -e sweep.sh \
    >/dev/null 2>err) && [ -s "$tmp/readme/kp_sweep.png" ] && ok ||
    bad "README heat map: $(cat "$tmp/readme/err")"
fi

# 3. machine-readable lists, help for every command
[ "$("$BIN" list --names)" = "$("$BIN" list | awk 'NR == 1 { next } /^$/ { exit } /^[^ ]/ { print $1 }')" ] && ok ||
  bad "list --names"
"$BIN" info pk2cmt --names | grep -qx CL && "$BIN" info pk2cmt --names | grep -qx A1_0 && ok ||
  bad "info --names"
[ "$("$BIN" info pk2cmt --columns | tr '\n' ' ')" = "A1 A2 C1 " ] && ok || bad "info --columns"
cmds=$("$BIN" --help | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { f = 0 }')
[ -n "$cmds" ] && ok || bad "no commands in --help"
for c in $cmds; do
  "$BIN" "$c" --help >"$tmp/help" 2>&1 || bad "$c --help fails"
  grep -q '^example' "$tmp/help" && grep -q "^  immunosim $c" "$tmp/help" && ok ||
    bad "$c --help has no worked example"
done

# 4. bash completion
comp() { # words...: the completions of the last word
  bash -c 'source src/cli/immunosim.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
    _immunosim; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
comp "$BIN" "" | grep -qx plot && comp "$BIN" "" | grep -qx run && ok || bad "complete commands"
comp "$BIN" pl | grep -qx plot && ok || bad "complete 'pl'"
for m in $("$BIN" list --names); do
  comp "$BIN" run "" | grep -qx "$m" || bad "complete model $m"
done
comp "$BIN" info "" | grep -qx pk2cmt && ok || bad "complete info MODEL"
comp "$BIN" run pk2cmt --set "" | grep -qx 'CL=' && comp "$BIN" run pk2cmt --set V | grep -qx 'V1=' &&
  ok || bad "complete --set parameters"
comp "$BIN" run pk2cmt --units "" | grep -qx 'C1=' && ok || bad "complete --units columns"
comp "$BIN" run pk2cmt -s nivo | grep -qx nivolumab_480mg_q4w && ok || bad "complete schedule names"
comp "$BIN" run pk2cmt -p nivo | grep -qx nivolumab_bajaj2017 && ok || bad "complete parameter sets"
comp "$BIN" run pk2cmt --no- | grep -qx -- --no-extinct && ok || bad "complete run options"
comp "$BIN" plot "$tmp/q2w.csv" --y A1, | grep -qx A1,C1 && ok || bad "complete plot --y columns"
comp "$BIN" plot --sty | grep -qx -- --style && comp "$BIN" plot --style "" | grep -qx paper && ok ||
  bad "complete --style"
comp "$BIN" run pk2cmt -o "$tmp/q2" | grep -qx "$tmp/q2w.csv" && ok || bad "complete files after -o"

# 4b. a model file's plot line is its default figure (issue 15): those columns, in that order, on
# those scales.  X grows and Y decays over 4 decades, so an undeclared (auto) scale is log.
cat >"$tmp/fig.model" <<'END'
time d
state X cell "growing cells"
state Y cell "dying cells"
param k 1 1/d "rate"
param X_0 1 cell
param Y_0 1e4 cell
d/dt(X) = k*X
d/dt(Y) = -k*Y
output Z cell "X plus Y" = X + Y
plot Y lin, X lin
END
panels() { grep '^# ---- panel' "$1" | sed 's/^# ---- panel [0-9]*: //' | tr '\n' ' '; }
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" run "$tmp/fig.model" -t 9.2 --plot "$tmp/fig.png" 2>"$tmp/err" ||
  bad "run FILE.model --plot: $(cat "$tmp/err")"
[ "$(panels "$tmp/fig.gp")" = "Y X " ] && ok || bad "plot line columns: $(panels "$tmp/fig.gp")"
[ "$(grep -c '^unset logscale y' "$tmp/fig.gp")" -eq 2 ] && ! grep -q '^set logscale y' "$tmp/fig.gp" &&
  ok || bad "plot line: lin scales not kept"
# the same columns without scales (auto): log, from the data
sed -i 's/^plot .*/plot Y, X/' "$tmp/fig.model"
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" run "$tmp/fig.model" -t 9.2 --plot "$tmp/fig.png" 2>/dev/null
[ "$(panels "$tmp/fig.gp")" = "Y X " ] && [ "$(grep -c '^set logscale y' "$tmp/fig.gp")" -eq 2 ] &&
  ok || bad "plot line, auto scales: $(panels "$tmp/fig.gp")"
# log asked for over less than a decade (Z from 1e4 to about 1.1e4 by t = 1); an output column
sed -i 's/^plot .*/plot Z log/' "$tmp/fig.model"
IMMUNOSIM_GNUPLOT=$fakegp "$BIN" run "$tmp/fig.model" -t 1 --plot "$tmp/fig.png" 2>/dev/null
[ "$(panels "$tmp/fig.gp")" = "Z " ] && grep -q '^set logscale y' "$tmp/fig.gp" && ok ||
  bad "plot line, log: $(panels "$tmp/fig.gp")"
# plot reads the figure of the model file a table names ('# model-file:')
"$BIN" run "$tmp/fig.model" -t 1 -o "$tmp/figrun.csv" &&
  IMMUNOSIM_GNUPLOT=$fakegp "$BIN" plot "$tmp/figrun.csv" -o "$tmp/figrun.png" 2>/dev/null &&
  [ "$(panels "$tmp/figrun.gp")" = "Z " ] && grep -q '^set logscale y' "$tmp/figrun.gp" && ok ||
  bad "plot of a model file's table: $(panels "$tmp/figrun.gp")"

# 5. progress bar: on a terminal only, never in output files (needs script(1) for a tty)
IMMUNOSIM_PROGRESS_DELAY=0 "$BIN" run pk2cmt -t 30 --dt 0.01 -o "$tmp/p.csv" 2>"$tmp/err"
[ ! -s "$tmp/err" ] && ok || bad "progress bar on a non-terminal stderr"
if command -v script >/dev/null 2>&1; then
  IMMUNOSIM_PROGRESS_DELAY=0 script -qec "'$BIN' run pk2cmt -t 30 --dt 0.01 -o '$tmp/p.csv'" \
    /dev/null >"$tmp/tty" 2>&1
  grep -q '\[#*-*\] *[0-9]*%  t = ' "$tmp/tty" && ok || bad "no progress bar on a terminal"
  grep -q $'\r\|%' "$tmp/p.csv" && bad "progress bar in the output file" || ok
else
  echo "SKIP: progress bar on a terminal (script(1) not installed)"
fi
