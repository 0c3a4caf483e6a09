#!/usr/bin/env bash
# Kirschner & Panetta 1998: bifurcation diagram in the antigenicity c (s1 = s2 = 0), with the
# orbit diagram of the limit cycle (simulated maxima and minima of T).
# requires: kirschner_panetta1998
"$IMS" continue kirschner_panetta1998 -p default --par c=0.02:0.05 \
  --orbits T --npar 31 --transient 6000 --window 1500 -o "$DATA/$NAME.csv"
"$IMS" plot "$DATA/$NAME.csv" \
  --title "Kirschner & Panetta 1998: the limit cycle ends at the Hopf point c = 0.0325" \
  -o "$OUT/$NAME.png"
