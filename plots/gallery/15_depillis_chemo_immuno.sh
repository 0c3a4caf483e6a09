#!/usr/bin/env bash
# de Pillis 2006: a 2e7-cell tumour untreated, under chemotherapy, and under chemo + TIL + IL-2.
# requires: depillis2006
# --extinct T=1: a tumour below one cell is cured (the model itself has no extinction rule)
for s in untreated depillis_chemo depillis_combined; do
  sched=()
  [ $s = untreated ] || sched=(-s "$s")
  "$IMS" run depillis2006 -p patient9 "${sched[@]}" --set T_0=2e7 --extinct T=1 -t 150 --dt 0.1 \
    -o "$DATA/${NAME}_$s.csv"
done
"$IMS" plot "$DATA/${NAME}_untreated.csv" "$DATA/${NAME}_depillis_chemo.csv" \
  "$DATA/${NAME}_depillis_combined.csv" \
  --labels "untreated,chemotherapy (9 pulses),chemotherapy + TIL + IL-2" \
  --y T,L,N,C --logy \
  --hline T=9.8007e8:"escape state 9.8e8" \
  --title "de Pillis 2006 patient 9: a 2e7-cell tumour, untreated and treated" \
  -o "$OUT/$NAME.png"
