#!/usr/bin/env bash
# Kirschner & Panetta 1998: c = 0.02, tumour and effector cells oscillate on a limit cycle.
# requires: kirschner_panetta1998
"$IMS" run kirschner_panetta1998 -p default -t 1000 --dt 0.25 -o "$DATA/$NAME.csv"
"$IMS" plot "$DATA/$NAME.csv" --y T,E --logy --yrange 1e-5:1e6 \
  --hline T=1 \
  --title "Kirschner & Panetta 1998, c = 0.02: limit cycle of period 242 d; dashed: one tumour cell" \
  -o "$OUT/$NAME.png"
