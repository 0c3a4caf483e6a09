#!/usr/bin/env bash
# Chen 2019: cytokine priming, a lower peak after a 5-fold higher second dose.
# requires: chen2019
"$IMS" run chen2019 -s chen_priming -t 14 --dt 0.005 -o "$DATA/${NAME}_priming.csv"
"$IMS" run chen2019 -s chen_flat -t 14 --dt 0.005 -o "$DATA/${NAME}_flat.csv"
"$IMS" plot "$DATA/${NAME}_priming.csv" "$DATA/${NAME}_flat.csv" \
  --labels "priming: 60 µg on day 0 then 300 µg on day 7,flat: 300 µg on day 0" \
  --y Cyt,Cp --liny --xrange -0.3:14 \
  --hline Cyt=118.8:"first peak (60 µg) 119 pg/mL" --hline Cyt=25.7:"second peak (300 µg) 26 pg/mL" \
  --title "Chen 2019: cytokine priming by a first, lower dose of a CD3 bispecific" \
  -o "$OUT/$NAME.png"
