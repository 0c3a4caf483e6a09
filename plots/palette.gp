# Colour-blind-safe palette: Okabe M, Ito K (2008) "Color Universal Design", as gnuplot line
# types 1-8 (series colours cycle through them).  Yellow is last: it is faint on white.
okabe_ito = "#0072B2 #D55E00 #009E73 #CC79A7 #E69F00 #56B4E9 #000000 #F0E442"
#            blue    vermill. bl.green r.purple orange  sky blue black   yellow
series_color(n) = word(okabe_ito, (n - 1)%8 + 1)
do for [i = 1:8] {
  set linetype i lc rgb series_color(i) lw 1.5 pt 7 ps point_size
}
set linetype cycle 8
dose_color = "#4D4D4D"    # dose markers of a single run
ref_color = "#333333"     # reference lines (--hline) and their labels
points_color = "#000000"  # reference data (--points)
light_color = "#A6A6A6"   # background marks: the arrows of a direction field
# Dose strip: one colour per drug (state dosed) when the colours do not already mark the runs;
# Tol's muted scheme, darker than the series colours.  The symbols differ too (bolus points).
drug_colors = "#4D4D4D #882255 #117733 #332288 #999933 #AA4499 #44AA99 #DDCC77"
drug_color(n) = word(drug_colors, (n - 1)%8 + 1)
