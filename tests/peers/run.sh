#!/usr/bin/env bash
# Independent cross-checks against deSolve (R) and SciPy implementations
# written from the equations.  Skips, saying so, when a peer is missing.
set -u
BIN=${1:-build/immunosim}
cd "$(dirname "$0")/../.."
pass=0
fail=0
skip=0
for t in tests/peers/*.py tests/peers/*.R; do
  [ -e "$t" ] || continue
  case "$t" in
    *.py) if /usr/bin/python3 -c 'import scipy' 2>/dev/null; then cmd=(/usr/bin/python3 "$t" "$BIN");
          else echo "SKIP $t: SciPy missing (apt-get install python3-scipy)"; skip=$((skip+1)); continue; fi ;;
    *.R) if Rscript -e 'library(deSolve)' >/dev/null 2>&1; then cmd=(Rscript "$t" "$BIN");
         else echo "SKIP $t: deSolve missing (apt-get install r-cran-desolve)"; skip=$((skip+1)); continue; fi ;;
  esac
  if "${cmd[@]}"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $t"; fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
