#!/usr/bin/env bash
# Kirschner & Panetta 1998: E-T phase portrait, limit cycle (c = 0.02) vs dormancy (c = 0.05).
# requires: kirschner_panetta1998
for c in 0.02 0.05; do
  "$IMS" run kirschner_panetta1998 -p default --set c=$c -t 2500 --dt 0.25 -o "$DATA/${NAME}_c$c.csv"
done
"$IMS" plot "$DATA/${NAME}_c0.02.csv" "$DATA/${NAME}_c0.05.csv" \
  --labels "c = 0.02: limit cycle,c = 0.05: spiral into the dormant equilibrium" \
  --x T --y E --logx --logy --xrange 1e-5:1e6 \
  --title "Kirschner & Panetta 1998: E-T phase portrait, 0-2500 d from a one-cell tumour" \
  -o "$OUT/$NAME.png"
