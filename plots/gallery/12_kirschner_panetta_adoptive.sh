#!/usr/bin/env bash
# Kirschner & Panetta 1998: adoptive cell therapy s1 just below and above r2*g2*mu2/a = 540.
# requires: kirschner_panetta1998
for s in 500 530 550 600; do
  "$IMS" run kirschner_panetta1998 -p default --set s1=$s -t 3000 --dt 1 -o "$DATA/${NAME}_s$s.csv"
done
"$IMS" plot "$DATA/${NAME}_s500.csv" "$DATA/${NAME}_s530.csv" "$DATA/${NAME}_s550.csv" \
  "$DATA/${NAME}_s600.csv" \
  --labels "s1 = 500 cells/d,s1 = 530,s1 = 550,s1 = 600" \
  --y T --logy --yrange 1e-6:1e4 --hline T=1:"one tumour cell" \
  --title "Kirschner & Panetta 1998: clearance only if adoptive influx s1 > 540 cells/d" \
  -o "$OUT/$NAME.png"
