#!/usr/bin/env bash
# Ipilimumab 3 vs 10 mg/kg every 3 weeks x4 (Feng 2014): 1000 virtual melanoma patients (Table 2
# IIV with the CL:VC covariance, Table 1 weight and LDH), bands and median over 18 weeks.
M=models/ipilimumab_feng2014.model
for d in 3 10; do
  "$IMS" population $M -p feng2014 -p melanoma_covariates --omega omega_feng2014 \
    -s ipilimumab_${d}mgkg_q3w4 -n 1000 --seed 2014 --threads 2 -t 126 --dt 0.5 \
    --per-subject "$DATA/${NAME}_${d}mgkg_subjects.csv" -o "$DATA/${NAME}_${d}mgkg.csv"
done
"$IMS" plot "$DATA/${NAME}_3mgkg.csv" "$DATA/${NAME}_10mgkg.csv" --y C1 --logy --weeks \
  --yrange 1:1000 --labels "3 mg/kg Q3W x4,10 mg/kg Q3W x4" -s ipilimumab_10mgkg_q3w4 \
  --hline "C1=3:3 µg/mL" --hline "C1=6:6 µg/mL" \
  --title "Ipilimumab 3 vs 10 mg/kg Q3W x4 induction (Feng 2014): 1000 virtual melanoma patients" \
  -o "$OUT/$NAME.png"
