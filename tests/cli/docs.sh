#!/usr/bin/env bash
# The model documentation cannot rot: every command in a fenced ```sh block of
# models/*.md (or of the Markdown files given after the binary) runs as written
# from a fresh clone and exits 0.  Commands are joined across trailing
# backslashes and run by bash in a scratch directory that looks like a clone
# (build/immunosim, params/, plots/), so their output files land there.  Every
# command must call build/immunosim (or be a make target, which CI runs itself); a
# command with --plot is skipped, saying so, when gnuplot is missing.  Also checks that every built-in model has its
# models/<name>.md with at least one command.
#   bash tests/cli/docs.sh [build/immunosim] [FILE.md ...]
set -u
BIN=${1:-build/immunosim}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
shift $(($# > 0 ? 1 : 0))
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(models/*.md)
export IMMUNOSIM_DATA=${IMMUNOSIM_DATA:-$root}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/build"
ln -s "$BIN" "$tmp/build/immunosim"
ln -s "$root/params" "$tmp/params"
ln -s "$root/plots" "$tmp/plots"
ln -s "$root/models" "$tmp/models" # model files (models/*.model)
ln -s "$root/tests" "$tmp/tests"   # the curated SBML files (tests/biomodels/)
have_gnuplot=0
command -v "${IMMUNOSIM_GNUPLOT:-gnuplot}" >/dev/null 2>&1 && have_gnuplot=1
pass=0
fail=0
skip=0

# one command per line: fenced sh blocks only, continuation lines joined,
# blank lines and whole-line comments dropped
commands() {
  awk '/^```sh[[:space:]]*$/ { on = 1; next }
       /^```/ { if (on && cmd != "") { print cmd; cmd = "" } on = 0; next }
       !on { next }
       { line = $0
         if (cmd == "" && (line ~ /^[[:space:]]*#/ || line ~ /^[[:space:]]*$/)) next
         if (line ~ /\\$/) { sub(/\\$/, "", line); cmd = cmd line; next }
         print cmd line; cmd = "" }' "$1"
}

for m in $("$BIN" list --names); do
  f=models/$m.md
  if [ ! -f "$f" ]; then
    echo "FAIL: $f missing"
    fail=$((fail + 1))
  elif [ -z "$(commands "$f")" ]; then
    echo "FAIL: $f has no command in a \`\`\`sh block"
    fail=$((fail + 1))
  fi
done

# A tutorial's files (a fenced block after '<!-- file: NAME -->') are written into the
# scratch directory first, as the reader would write them.
for f in "${files[@]}"; do
  awk -v dir="$tmp" '/^<!-- file: / { f = $3; next }
    /^```/ { if (f != "" && !infile) { infile = 1; next } if (infile) { infile = 0; f = ""; next } }
    infile { print > (dir "/" f) }' "$f"
done

for f in "${files[@]}"; do
  while IFS= read -r cmd; do
    case "$cmd" in
      build/immunosim\ *) ;;
      make\ *) skip=$((skip + 1)); continue ;; # make demo/check/figures/bench: CI runs them
      *) echo "FAIL: $f: not a build/immunosim command: $cmd"; fail=$((fail + 1)); continue ;;
    esac
    if [ $have_gnuplot -eq 0 ] && [[ "$cmd" == *--plot* ]]; then
      echo "SKIP (gnuplot missing): $f: $cmd"
      skip=$((skip + 1))
      continue
    fi
    if (cd "$tmp" && bash -c "$cmd") >"$tmp/.out" 2>"$tmp/.err" </dev/null; then
      pass=$((pass + 1))
    else
      echo "FAIL: $f: exit $?: $cmd"
      sed 's/^/    /' "$tmp/.err" | head -5
      fail=$((fail + 1))
    fi
  done < <(commands "$f")
done
echo "model docs: $pass commands ran, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
