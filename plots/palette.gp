# Colour-blind-safe palette: Okabe M, Ito K (2008) "Color Universal Design", as gnuplot line
# types 1-8 (series colours cycle through them).  Yellow is last: it is faint on white.
set linetype 1 lc rgb "#0072B2" lw 1.5 pt 7 ps point_size    # blue
set linetype 2 lc rgb "#D55E00" lw 1.5 pt 5 ps point_size    # vermillion
set linetype 3 lc rgb "#009E73" lw 1.5 pt 9 ps point_size    # bluish green
set linetype 4 lc rgb "#CC79A7" lw 1.5 pt 11 ps point_size   # reddish purple
set linetype 5 lc rgb "#E69F00" lw 1.5 pt 13 ps point_size   # orange
set linetype 6 lc rgb "#56B4E9" lw 1.5 pt 7 ps point_size    # sky blue
set linetype 7 lc rgb "#000000" lw 1.5 pt 5 ps point_size    # black
set linetype 8 lc rgb "#F0E442" lw 1.5 pt 9 ps point_size    # yellow
set linetype cycle 8
dose_color = "#4D4D4D"    # dose markers of a single run
ref_color = "#333333"     # reference lines (--hline) and their labels
points_color = "#000000"  # reference data (--points)
