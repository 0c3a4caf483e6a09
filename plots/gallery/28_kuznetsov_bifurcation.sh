#!/usr/bin/env bash
# Kuznetsov 1994 (BCL1): equilibria over the effector death rate d; two folds bound the
# bistable range (dormant focus and escape node).
# requires: kuznetsov1994
"$IMS" continue kuznetsov1994 -p bcl1 --par d=0.01:0.1 -o "$DATA/$NAME.csv"
"$IMS" plot "$DATA/$NAME.csv" \
  --title "Kuznetsov 1994 (BCL1): dormancy and escape coexist between the folds in d" \
  -o "$OUT/$NAME.png"
