#!/usr/bin/env bash
# Wodarz 2001: an oncolytic virus against a tumour, damped oscillations to coexistence.
# requires: wodarz2001
# x falls to about 5e-11 in its first trough: atol must be far below it
"$IMS" run wodarz2001 -s wodarz_ctl_t20 -t 1200 --dt 0.5 --atol 1e-18 -o "$DATA/$NAME.csv"
"$IMS" plot "$DATA/$NAME.csv" --y x,y --overlay --logy --yrange 1e-11:100 \
  --hline x=0.2 --hline y=0.7444 --ylabel "tumour cells x, y (arbitrary units)" \
  --title "Wodarz 2001: uninfected (x) and infected (y) tumour cells; dashed: x* = 0.2, y* = 0.744" \
  -o "$OUT/$NAME.png"
