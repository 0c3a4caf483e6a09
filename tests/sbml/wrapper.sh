#!/usr/bin/env bash
# SBML Test Suite wrapper: tests/sbml/wrapper.sh CASES_DIR NNNNN OUT_DIR
#
# Runs case NNNNN the way the suite's test runner calls a simulator's wrapper:
# reads CASES_DIR/NNNNN/NNNNN-settings.txt, simulates the highest SBML level
# and version present, and writes OUT_DIR/NNNNN.csv with the header
# time,<variables in the settings' order> (amounts or concentrations as the
# settings say).  Exit 0 on success.  A model using a feature immunosim does
# not support exits 1 with "unsupported: TAG" on stderr and writes nothing.
#
# The simulation itself is build/sbml/sbmlcase (tests/sbml/sbmlcase.c), a
# small program on the public library API: the SBML import, then the same
# driver every immunosim command uses.  IMS_SBMLCASE overrides its path.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 CASES_DIR NNNNN OUT_DIR" >&2
  exit 2
fi
cases=$1 id=$2 out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runner=${IMS_SBMLCASE:-$here/../../build/sbml/sbmlcase}
dir=$cases/$id
settings=$dir/$id-settings.txt
[ -f "$settings" ] || { echo "wrapper: no $settings" >&2; exit 2; }
model=
for lv in l3v2 l3v1 l2v5 l2v4 l2v3 l2v2 l2v1 l1v2 l1v1; do
  if [ -f "$dir/$id-sbml-$lv.xml" ]; then
    model=$dir/$id-sbml-$lv.xml
    break
  fi
done
[ -n "$model" ] || { echo "wrapper: no SBML file in $dir" >&2; exit 2; }
mkdir -p "$out"
exec "$runner" "$model" "$settings" "$out/$id.csv"
