#!/usr/bin/env bash
# Stein 2019: a virtual tisagenlecleucel population (published ω²) as 5-95 % and 25-75 %
# bands around the median, next to the typical-value curve.
# requires: stein2019
"$IMS" population stein2019 -p tisagenlecleucel -n 1000 --seed 2019 --threads 2 -t 365 --dt 1 \
  --per-subject "$DATA/${NAME}_subjects.csv" -o "$DATA/${NAME}_bands.csv"
"$IMS" run stein2019 -p tisagenlecleucel -t 365 --dt 0.1 -o "$DATA/${NAME}_typical.csv"
"$IMS" plot "$DATA/${NAME}_bands.csv" "$DATA/${NAME}_typical.csv" --y CAR --logy --yrange 0.1:1e5 \
  --labels "median of 1000 virtual patients,typical patient (Table 1)" \
  --title "Stein 2019 tisagenlecleucel: 1000 virtual patients (Table 1 ω²) vs the typical curve" \
  -o "$OUT/$NAME.png"
