# Work-precision diagram: error against a tight reference versus time per subject.
# gnuplot -e "datafile='wp.dat'; out='wp.png'; ttl='model'" plots/work_precision.gp
# wp.dat columns: engine rtol ms_per_subject max_rel_error
set terminal pngcairo size 1400,950 font "Sans,18" linewidth 2
set output out
set title ttl." — work-precision (rtol 1e-3 … 1e-10)"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xlabel "max relative error against the rtol 1e-12 reference (1)"
set ylabel "wall time per subject (ms)"
set key outside right top
set grid
# Okabe-Ito palette
engines = "ims-bdf ims-adams desolve-c desolve-r scipy-lsoda scipy-bdf scipy-radau"
colors = "#0072B2 #56B4E9 #D55E00 #E69F00 #009E73 #CC79A7 #000000"
plot for [i=1:words(engines)] datafile using (strcol(1) eq word(engines, i) ? $4 : 1/0):3 \
     with linespoints lw 2 pt (i+4) ps 1.5 lc rgb word(colors, i) title word(engines, i)
