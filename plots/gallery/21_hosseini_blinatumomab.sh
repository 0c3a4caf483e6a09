#!/usr/bin/env bash
# Hosseini 2020: blinatumomab step-up 5/15/60 against flat 60 ug/m2/day (model file
# models/hosseini2020.model, human set): serum IL-6, blood B cells, drug concentration.
M=models/hosseini2020.model
"$IMS" run $M -p human -s hosseini_blin_5_15_60 -t 21 --dt 0.02 --rtol 1e-8 -o "$DATA/${NAME}_stepup.csv"
"$IMS" run $M -p human -s hosseini_blin_60_flat -t 21 --dt 0.02 --rtol 1e-8 -o "$DATA/${NAME}_flat.csv"
"$IMS" plot "$DATA/${NAME}_stepup.csv" "$DATA/${NAME}_flat.csv" --y IL6,B_blood,Cblin --logy \
  --labels "5 / 15 / 60 µg/m² per day,60 µg/m² per day" --no-doses \
  --title "Hosseini 2020: blinatumomab continuous infusion, typical subject" -o "$OUT/$NAME.png"
