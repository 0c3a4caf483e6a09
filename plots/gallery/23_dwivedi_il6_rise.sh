#!/usr/bin/env bash
# Dwivedi 2014: free serum IL-6 rises when its receptor is blocked (the curated SBML file
# BIOMD0000000537, models/dwivedi2014.xml, through the SBML import).
M=models/dwivedi2014.xml
P=params/dwivedi2014
IL6='[mwf626e95e_543f_41e4_aad4_c6bf60ab345b]'
"$IMS" run $M -p $P/no_events.csv -t 2016 --dt 2 -o "$DATA/${NAME}_none.csv"
"$IMS" run $M -p $P/no_events.csv -p $P/kd_1nM.csv -s dwivedi_toci_8mgkg_q4w -t 2016 --dt 2 \
  -o "$DATA/${NAME}_q4w.csv"
"$IMS" run $M -p $P/no_events.csv -s dwivedi_toci_8mgkg_q4w -t 2016 --dt 2 \
  -o "$DATA/${NAME}_q4w_curated.csv"
"$IMS" plot "$DATA/${NAME}_none.csv" "$DATA/${NAME}_q4w.csv" "$DATA/${NAME}_q4w_curated.csv" \
  --y "$IL6" --liny --no-doses --labels "no dose,8 mg/kg every 4 weeks (Kd 1 nM),8 mg/kg every 4 weeks (curated Kd 2.5 pM)" \
  --ylabel "free serum IL-6 (nM)" \
  --title "Dwivedi 2014: free serum IL-6 rises under IL-6 receptor blockade (time in hours)" \
  -o "$OUT/$NAME.png"
