#!/usr/bin/env bash
# Hardiansyah & Ng 2019: UPN1 vs UPN3, CAR-T in blood and the three cytokines.
# requires: hardiansyah2019
tol=(--rtol 1e-8 --atol 1e-12 --atol IL6=1e-6 --atol IL10=1e-6 --atol IFNg=1e-6)
for p in upn1 upn3; do
  "$IMS" run hardiansyah2019 -p $p -s hardiansyah_${p}_split -t 60 --dt 0.02 "${tol[@]}" \
    --units CART_PB=cell -o "$DATA/${NAME}_$p.csv"
done
"$IMS" plot "$DATA/${NAME}_upn1.csv" "$DATA/${NAME}_upn3.csv" \
  --labels "UPN1: B(0) 4.1e9 cells; 1.1e9 CAR-T,UPN3: B(0) 0.93e9 cells; 1.4e7 CAR-T" \
  --y CART_PB,IL6,IL10,IFNg --logy \
  --hline CART_PB=2.3e9:"UPN1 published" --hline IL6=2800:"UPN1 published" \
  --hline IL10=550:"UPN1 published" --hline IFNg=700:"UPN1 published" \
  --hline IL6=50:"UPN3 published" --hline IL10=150:"UPN3 published" \
  --hline IFNg=110:"UPN3 published" \
  --title "Hardiansyah & Ng 2019: CAR-T expansion and cytokine release, UPN1 vs UPN3" \
  -o "$OUT/$NAME.png"
