#!/usr/bin/env bash
# Kuznetsov 1994: the same four inocula in the E-T plane.
# requires: kuznetsov1994
for t0 in 5e6 6e7 7e7 1e8; do
  "$IMS" run kuznetsov1994 -p bcl1 --set T_0=$t0 -t 600 --dt 0.25 -o "$DATA/${NAME}_$t0.csv"
done
"$IMS" plot "$DATA/${NAME}_5e6.csv" "$DATA/${NAME}_6e7.csv" "$DATA/${NAME}_7e7.csv" \
  "$DATA/${NAME}_1e8.csv" \
  --labels "T(0) = 5e6 cells,T(0) = 6e7,T(0) = 7e7,T(0) = 1e8" \
  --x T --y E --logx --logy \
  --title "Kuznetsov 1994 (BCL1): phase portrait, spirals to dormancy or runs to escape" \
  -o "$OUT/$NAME.png"
