#!/usr/bin/env bash
# Dwivedi 2014: CRP under an anti-IL-6R antibody (tocilizumab-like), the curated SBML file
# BIOMD0000000537 (models/dwivedi2014.xml) through the SBML import, its own dosing events
# silenced and the paper's protocols given as schedules.
M=models/dwivedi2014.xml
P=params/dwivedi2014
"$IMS" run $M -p $P/no_events.csv -t 2016 --dt 4 -o "$DATA/${NAME}_none.csv"
"$IMS" run $M -p $P/no_events.csv -p $P/kd_1nM.csv -s dwivedi_toci_8mgkg_q4w -t 2016 --dt 4 \
  -o "$DATA/${NAME}_q4w.csv"
"$IMS" run $M -p $P/no_events.csv -p $P/kd_1nM.csv -s dwivedi_toci_8mgkg_q2w -t 2016 --dt 4 \
  -o "$DATA/${NAME}_q2w.csv"
"$IMS" run $M -p $P/no_events.csv -s dwivedi_toci_8mgkg_q4w -t 2016 --dt 4 \
  -o "$DATA/${NAME}_q4w_curated.csv"
"$IMS" plot "$DATA/${NAME}_none.csv" "$DATA/${NAME}_q4w.csv" "$DATA/${NAME}_q2w.csv" \
  "$DATA/${NAME}_q4w_curated.csv" --y CRP____of_baseline --liny --no-doses \
  --labels "no dose,8 mg/kg every 4 weeks (Kd 1 nM),8 mg/kg every 2 weeks (Kd 1 nM),8 mg/kg every 4 weeks (curated Kd 2.5 pM)" \
  --ylabel "serum CRP (% of baseline)" \
  --title "Dwivedi 2014: CRP under an anti-IL-6R antibody, 12 weeks (time in hours)" \
  -o "$OUT/$NAME.png"
