#!/usr/bin/env bash
# The figure gallery: `make figures` runs this as
#   bash plots/gallery/run.sh BIN OUTDIR [NN_name ...]
# Every recipe plots/gallery/NN_name.sh makes OUTDIR/NN_name.png with BIN (the figure, its
# gnuplot script NN_name.gp beside it, the run tables in OUTDIR/data/), and the committed
# caption plots/gallery/NN_name.txt becomes OUTDIR/NN_name.txt with the commands appended.
# A recipe names the models it needs on a line "# requires: MODEL ..."; when BIN lacks one,
# the figure is skipped with a message (the gallery still succeeds).
set -u
BIN=${1:?usage: run.sh BIN OUTDIR [NN_name ...]}
OUT=${2:?usage: run.sh BIN OUTDIR [NN_name ...]}
OUTARG=${OUT%/}
shift 2
GDIR=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
mkdir -p "$OUT/data"
OUT=$(cd "$OUT" && pwd)
models=" $("$BIN" list --names | tr '\n' ' ') "

if [ $# -gt 0 ]; then
  recipes=()
  for n in "$@"; do recipes+=("$GDIR/${n%.sh}.sh"); done
else
  recipes=("$GDIR"/[0-9][0-9]_*.sh)
fi

made=0 skipped=0 failed=0
for r in "${recipes[@]}"; do
  name=$(basename "$r" .sh)
  [ -f "$r" ] || { echo "figures: no recipe $r" >&2; failed=$((failed + 1)); continue; }
  [ -f "$GDIR/$name.txt" ] || { echo "figures: $name: caption $GDIR/$name.txt missing" >&2; failed=$((failed + 1)); continue; }
  missing=""
  read -ra req <<<"$(sed -n 's/^# requires: *//p' "$r" | tr '\n' ' ')"
  for m in "${req[@]}"; do
    case "$models" in *" $m "*) ;; *) missing="$missing $m" ;; esac
  done
  if [ -n "$missing" ]; then
    echo "figures: skipping $name: model(s)$missing not in this build of immunosim"
    skipped=$((skipped + 1))
    continue
  fi
  rm -f "$OUT/$name.png" "$OUT/$name.txt"
  # each recipe runs from the source tree with IMS (the binary), OUT, DATA, NAME, HERE set;
  # its commands are logged (set -x) into the caption file
  if (cd "$GDIR/../.." && export IMS="$BIN" OUT DATA="$OUT/data" NAME="$name" HERE=plots/gallery &&
        bash -eu -o pipefail -x "$r") 2>"$OUT/data/$name.log" &&
     [ -s "$OUT/$name.png" ]; then
    {
      cat "$GDIR/$name.txt"
      echo
      echo "Made by plots/gallery/$name.sh ($("$BIN" --version 2>/dev/null | head -1)):"
      sed -n "s|^+* *||; s|$BIN|immunosim|g; s|$OUT/|$OUTARG/|g; /^immunosim /p" "$OUT/data/$name.log" |
        sed 's/^/  /'
    } >"$OUT/$name.txt"
    echo "figures: $OUT/$name.png"
    made=$((made + 1))
  else
    echo "figures: $name FAILED; its log:" >&2
    cat "$OUT/data/$name.log" >&2
    failed=$((failed + 1))
  fi
done
echo "figures: $made made, $skipped skipped, $failed failed (in $OUT)"
[ $failed -eq 0 ]
