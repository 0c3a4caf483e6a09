#!/usr/bin/env bash
# Gevertz & Wares 2018: oncolytic virus + dendritic-cell vaccine, the four arms of the experiment
# (model file models/gevertz2018.model).
M=models/gevertz2018.model
"$IMS" run $M -p original -t 30 --dt 0.1 -o "$DATA/${NAME}_control.csv"
"$IMS" run $M -p original -s gevertz_dc -t 30 --dt 0.1 -o "$DATA/${NAME}_dc.csv"
"$IMS" run $M -p original -s gevertz_ov -t 30 --dt 0.1 -o "$DATA/${NAME}_ov.csv"
"$IMS" run $M -p original -s gevertz_ov_dc -t 30 --dt 0.1 -o "$DATA/${NAME}_ov_dc.csv"
"$IMS" plot "$DATA/${NAME}_control.csv" "$DATA/${NAME}_dc.csv" "$DATA/${NAME}_ov.csv" \
  "$DATA/${NAME}_ov_dc.csv" --y volume --logy \
  --labels "control,dendritic cells days 1 3 5,virus days 0 2 4,virus + dendritic cells" \
  -s gevertz_ov_dc --ylabel "tumour volume U + I (mm³)" \
  --title "Gevertz & Wares 2018: oncolytic virus and dendritic-cell vaccine, B16-F10 melanoma" \
  -o "$OUT/$NAME.png"
