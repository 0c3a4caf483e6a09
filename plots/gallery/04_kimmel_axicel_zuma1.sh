#!/usr/bin/env bash
# Kimmel 2021: axi-cel CAR T cells in blood against the ZUMA-1 (Moffitt) medians.
# requires: kimmel2021
"$IMS" run kimmel2021 -p axicel -t 120 --dt 0.1 -o "$DATA/${NAME}_main.csv"
"$IMS" run kimmel2021 -p axicel_supplement -t 120 --dt 0.1 -o "$DATA/${NAME}_supp.csv"
"$IMS" plot "$DATA/${NAME}_main.csv" "$DATA/${NAME}_supp.csv" \
  --labels "Table 1 set (axicel),supplement fit (axicel_supplement)" \
  --y C,N --logy --points "$HERE/zuma1_kimmel2021.csv" \
  --title "Kimmel 2021: axi-cel CAR T (C) and normal T cells (N) after lymphodepletion" \
  -o "$OUT/$NAME.png"
