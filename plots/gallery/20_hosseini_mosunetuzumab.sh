#!/usr/bin/env bash
# Hosseini 2020: mosunetuzumab cycle 1, flat against step-up dosing (model file
# models/hosseini2020.model, human set): serum IL-6 and blood B cells.
M=models/hosseini2020.model
for s in 20mg_flat 6p7mg_x3 1p6_10_10 1p6_20; do
  "$IMS" run $M -p human -s hosseini_mosun_$s -t 21 --dt 0.02 --rtol 1e-8 -o "$DATA/${NAME}_$s.csv"
done
"$IMS" plot "$DATA/${NAME}_20mg_flat.csv" "$DATA/${NAME}_6p7mg_x3.csv" "$DATA/${NAME}_1p6_10_10.csv" \
  "$DATA/${NAME}_1p6_20.csv" --y IL6,B_blood --logy --no-doses \
  --labels "20 mg day 1,6.67 mg days 1 8 15,1.6 then 10 and 10 mg,1.6 then 20 mg" \
  --title "Hosseini 2020: mosunetuzumab cycle 1, flat against step-up, typical subject" \
  -o "$OUT/$NAME.png"
