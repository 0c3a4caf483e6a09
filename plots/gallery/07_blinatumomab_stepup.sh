#!/usr/bin/env bash
# Blinatumomab cycle 1 step-up (9 then 28 µg/day), serum concentration in pg/mL.
# requires: pk2cmt
"$IMS" run pk2cmt -p blinatumomab_clements2020 -s blinatumomab_cycle1 -t 42 --dt 0.01 \
  --units C1=pg/mL -o "$DATA/$NAME.csv"
"$IMS" plot "$DATA/$NAME.csv" --y C1 --liny --points "$HERE/blinatumomab_css_clements2020.csv" \
  --hline C1=168.9:"R/CL at 9 µg/d: 169 pg/mL" --hline C1=525.5:"R/CL at 28 µg/d: 526 pg/mL" \
  --title "Blinatumomab cycle 1: 9 µg/day on days 1-7, then 28 µg/day to day 28 (Clements 2020)" \
  -o "$OUT/$NAME.png"
