#!/usr/bin/env bash
# An imported curated model under immunosim dosing schedules: Dwivedi 2014 (BioModels
# BIOMD0000000537), IL-6 signalling with an anti-IL-6R antibody, run from its SBML file.
# The file's own dosing events are silenced (--set Dose=0) and the antibody is given as
# dosing records instead: 300 mg every 4 weeks against 150 mg every 2 weeks.
# (runs from the source tree: the SBML file and the schedules by their paths)
F=tests/biomodels/BIOMD0000000537.xml
S=params/schedules
"$IMS" run "$F" --set Dose=0 -t 2016 --dt 2 -o "$DATA/${NAME}_none.csv"
"$IMS" run "$F" --set Dose=0 -s "$S/dwivedi_ab_300mg_q4w.csv" -t 2016 --dt 2 -o "$DATA/${NAME}_q4w.csv"
"$IMS" run "$F" --set Dose=0 -s "$S/dwivedi_ab_150mg_q2w.csv" -t 2016 --dt 2 -o "$DATA/${NAME}_q2w.csv"
"$IMS" plot "$DATA/${NAME}_none.csv" "$DATA/${NAME}_q4w.csv" "$DATA/${NAME}_q2w.csv" \
  --labels "no dose,300 mg every 4 weeks,150 mg every 2 weeks" --y CRP____of_baseline --liny \
  --ylabel "CRP (% of baseline)" \
  --title "Dwivedi 2014 SBML (BIOMD0000000537): CRP under anti-IL-6R antibody schedules" \
  -o "$OUT/$NAME.png"
