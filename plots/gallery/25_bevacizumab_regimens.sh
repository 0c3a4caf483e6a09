#!/usr/bin/env bash
# Bevacizumab (Han 2016) reference patient on the four label regimens over a year, with the
# label's median day-84 trough after 5 mg/kg every 2 weeks.
M=models/bevacizumab_han2016.model
for s in 5mgkg_q2w 10mgkg_q2w 7_5mgkg_q3w 15mgkg_q3w; do
  "$IMS" run $M -p han2016 -s bevacizumab_$s -t 364 --dt 0.0625 -o "$DATA/${NAME}_$s.csv"
done
printf '# label: label median trough, day 84, 5 mg/kg Q2W\ntime,C1\n84,80.3\n' >"$DATA/${NAME}_label.csv"
"$IMS" plot "$DATA/${NAME}_5mgkg_q2w.csv" "$DATA/${NAME}_10mgkg_q2w.csv" \
  "$DATA/${NAME}_7_5mgkg_q3w.csv" "$DATA/${NAME}_15mgkg_q3w.csv" --y C1 --liny --weeks --yrange 0:600 \
  --labels "5 mg/kg Q2W,10 mg/kg Q2W,7.5 mg/kg Q3W,15 mg/kg Q3W" --no-doses \
  --points "$DATA/${NAME}_label.csv" \
  --title "Bevacizumab label regimens, Han 2016 reference patient (70 kg female)" \
  -o "$OUT/$NAME.png"
