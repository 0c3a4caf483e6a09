#!/usr/bin/env bash
# Hardiansyah & Ng 2019 headline: tumour burden, not CAR-T dose, sets the cytokine peak.
# requires: hardiansyah2019
tol=(--rtol 1e-8 --atol 1e-12 --atol IL6=1e-6 --atol IL10=1e-6 --atol IFNg=1e-6)
run() { "$IMS" run hardiansyah2019 -p upn1 -t 60 --dt 0.02 "${tol[@]}" --units CART_PB=cell "$@"; }
run -s hardiansyah_upn1_split -o "$DATA/${NAME}_base.csv"
# B_0 is in 1e9 cells: 4.14/4
run -s hardiansyah_upn1_split --set B_0=1.035 -o "$DATA/${NAME}_burden.csv"
run -s "$HERE/hardiansyah_upn1_split_quarter.csv" -o "$DATA/${NAME}_dose.csv"
"$IMS" plot "$DATA/${NAME}_base.csv" "$DATA/${NAME}_burden.csv" "$DATA/${NAME}_dose.csv" \
  --labels "UPN1 as treated (B(0) 4.14e9; 1.1e9 CAR-T),tumour burden / 4 (B(0) 1.04e9),CAR-T dose / 4 (2.75e8)" \
  --y B,CART_PB,IL6,IFNg --logy \
  --title "Hardiansyah & Ng 2019: a 4-fold lower tumour burden, not dose, lowers the cytokine peaks" \
  -o "$OUT/$NAME.png"
