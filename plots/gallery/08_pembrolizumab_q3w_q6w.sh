#!/usr/bin/env bash
# Pembrolizumab 200 mg Q3W vs 400 mg Q6W over a year (Ahamadi 2017 typical subject).
# requires: pk2cmt
for s in 200mg_q3w 400mg_q6w; do
  "$IMS" run pk2cmt -p pembrolizumab_ahamadi2017 -s pembrolizumab_$s -t 364 --dt 0.02 \
    --units C1=ug/mL -o "$DATA/${NAME}_$s.csv"
done
# Cavg,ss = dose/(CL*tau) = 200 mg/(0.22 L/d * 21 d) = 400 mg/(0.22 L/d * 42 d) = 43.3 µg/mL
"$IMS" plot "$DATA/${NAME}_200mg_q3w.csv" "$DATA/${NAME}_400mg_q6w.csv" \
  --labels "200 mg Q3W,400 mg Q6W" --y C1 --liny --weeks \
  --hline C1=43.29 \
  --title "Pembrolizumab 200 mg Q3W vs 400 mg Q6W (Ahamadi 2017); dashed: Cavg,ss 43 µg/mL" \
  -o "$OUT/$NAME.png"
