#!/usr/bin/env bash
# Stein 2019: tisagenlecleucel expansion, contraction and persistence (typical patient).
# requires: stein2019
"$IMS" run stein2019 -p tisagenlecleucel -t 730 --dt 0.1 -o "$DATA/$NAME.csv"
"$IMS" plot "$DATA/$NAME.csv" --y CAR,E,M --overlay --logy --yrange 1:1e5 \
  --hline CAR=24000:"Cmax 24000 copies/µg at Tmax 9.3 d" \
  --title "Stein 2019 tisagenlecleucel: expansion, contraction, persistence (Table 1 typical values)" \
  -o "$OUT/$NAME.png"
