#!/usr/bin/env bash
# Pembrolizumab 2 mg/kg Q3W vs 200 mg Q3W across body weight 40-140 kg: steady-state Cavg and
# Cmin of virtual patients (Ahamadi 2017 weight effects and IIV), 5-95 % and 25-75 % bands
# and the median at each weight.
# requires: pk2cmt
N=400 # virtual patients per weight: the same N (seed 2017) at every weight and for both doses
WTS=$(seq 40 10 140)
for reg in 2mgkg 200mg; do
  # at steady state (ss=1) the 21-day interval from t = 0 is the steady-state interval:
  # Cavg,ss = AUC(0-21)/21, Cmin,ss = C(21)
  amt=200 unit=mg
  [ $reg = 2mgkg ] && amt=2 unit=mg/kg
  printf 'time,cmt,amt,dur,ii,ss,unit\n0,A1,%s,0.0208333333333,21,1,%s\n' $amt $unit \
    >"$DATA/${NAME}_${reg}_ss.csv"
  {
    echo "# units: time=kg,WT=kg,Cavg_p05=ug/mL,Cavg_p25=ug/mL,Cavg_p50=ug/mL,Cavg_p75=ug/mL,Cavg_p95=ug/mL,Cmin_p05=ug/mL,Cmin_p25=ug/mL,Cmin_p50=ug/mL,Cmin_p75=ug/mL,Cmin_p95=ug/mL"
    echo "time,WT,Cavg_p05,Cavg_p25,Cavg_p50,Cavg_p75,Cavg_p95,Cmin_p05,Cmin_p25,Cmin_p50,Cmin_p75,Cmin_p95"
    for w in $WTS; do
      # tight tolerances: Cavg,ss and Cmin,ss to about 1e-8 (at the default rtol, about 1e-5)
      "$IMS" population pk2cmt -p pembrolizumab_ahamadi2017 --set WT=${w}kg \
        -s "$DATA/${NAME}_${reg}_ss.csv" -n $N --seed 2017 --threads 2 -t 21 --dt 21 \
        --rtol 1e-10 --atol 1e-12 --per-subject "$DATA/${NAME}_${reg}_${w}kg.csv" \
        -o "$DATA/${NAME}_${reg}_${w}kg_bands.csv"
      # every subject must be there (a failed one would bias the bands)
      awk -F, '/^#/ || $1 == "subject" { if ($1 == "subject") for (i = 1; i <= NF; i++) c[$i] = i; next }
               $c["status"] != "ok" { exit 1 }
               { print $c["C1_auc"] / 21 "," $c["C1_last"] }' \
        "$DATA/${NAME}_${reg}_${w}kg.csv" >"$DATA/${NAME}_${reg}_${w}kg_pairs.csv"
      row="$w,$w"
      for k in 1 2; do
        # type-7 percentiles, as immunosim's bands
        row="$row,$(cut -d, -f$k "$DATA/${NAME}_${reg}_${w}kg_pairs.csv" | sort -g | awk '
          { v[NR] = $1 } END {
            split("0.05 0.25 0.5 0.75 0.95", p, " ")
            for (j = 1; j <= 5; j++) {
              h = (NR - 1) * p[j] + 1; i = int(h)
              x = (i < NR) ? v[i] + (h - i) * (v[i + 1] - v[i]) : v[NR]
              printf "%s%.6g", (j > 1 ? "," : ""), x
            }
            print "" }')"
      done
      echo "$row"
    done
  } >"$DATA/${NAME}_${reg}.csv"
done
"$IMS" plot "$DATA/${NAME}_2mgkg.csv" "$DATA/${NAME}_200mg.csv" --x WT --y Cavg,Cmin --liny \
  --labels "2 mg/kg Q3W,200 mg Q3W" \
  --title "Pembrolizumab at steady state, 2 mg/kg vs 200 mg Q3W (Ahamadi 2017)" \
  -o "$OUT/$NAME.png"
