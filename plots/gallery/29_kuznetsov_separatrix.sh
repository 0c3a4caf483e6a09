#!/usr/bin/env bash
# Kuznetsov 1994 (BCL1): phase portrait with nullclines, direction field, the four equilibria,
# the separatrix through the saddle and trajectories into both attractors.
# requires: kuznetsov1994
"$IMS" equilibria kuznetsov1994 -p bcl1 --plane E,T --logx --logy \
  --xrange 1e4:1e7 --yrange 1e5:1e9 --grid 20 --separatrix \
  --traj 3.2e5,6e7 --traj 3.2e5,7e7 --traj 3e6,3e8 --traj 2e4,2e5 \
  -o "$DATA/${NAME}_eq.csv" --nullclines "$DATA/${NAME}_nullclines.csv" \
  --field "$DATA/${NAME}_field.csv" --traj-out "$DATA/${NAME}_curves.csv"
"$IMS" plot "$DATA/${NAME}_nullclines.csv" "$DATA/${NAME}_field.csv" "$DATA/${NAME}_eq.csv" \
  "$DATA/${NAME}_curves.csv" \
  --title "Kuznetsov 1994 (BCL1): the saddle's stable manifold separates dormancy from escape" \
  -o "$OUT/$NAME.png"
