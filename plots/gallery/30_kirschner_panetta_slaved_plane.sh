#!/usr/bin/env bash
# Kirschner & Panetta 1998, c = 0.02: the T-E plane with IL-2 at its quasi-steady state
# (--slaved), the unstable interior focus and a trajectory winding out onto the limit cycle.
# requires: kirschner_panetta1998
"$IMS" equilibria kirschner_panetta1998 -p default --plane T,E --slaved --logx --logy \
  --xrange 1e-4:1e6 --yrange 1e2:1e7 --traj 1e4,1e4 --traj-time 1500 \
  --title "Kirschner & Panetta 1998, c = 0.02: from near the unstable focus onto the limit cycle" \
  --plot "$OUT/$NAME.png"
