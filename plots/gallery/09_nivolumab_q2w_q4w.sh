#!/usr/bin/env bash
# Nivolumab 240 mg Q2W vs 480 mg Q4W over a year (Bajaj 2017, time-varying CL).
# requires: pk2cmt
for s in 240mg_q2w 480mg_q4w; do
  "$IMS" run pk2cmt -p nivolumab_bajaj2017 -s nivolumab_$s -t 364 --dt 0.02 \
    --units C1=ug/mL -o "$DATA/${NAME}_$s.csv"
done
"$IMS" plot "$DATA/${NAME}_240mg_q2w.csv" "$DATA/${NAME}_480mg_q4w.csv" \
  --labels "240 mg Q2W,480 mg Q4W" --y C1 --liny --weeks \
  --title "Nivolumab 240 mg Q2W vs 480 mg Q4W (Bajaj 2017 reference subject, time-varying CL)" \
  -o "$OUT/$NAME.png"
