#!/usr/bin/env bash
# CARTmath: HDLM-2 tumour, one CAR-T123 dose on day 42, tumour rechallenge on day 250.
# requires: cartmath2021
"$IMS" run cartmath2021 -p hdlm2 -s cartmath_hdlm2_car42 -t 500 --dt 0.25 -o "$DATA/$NAME.csv"
"$IMS" plot "$DATA/$NAME.csv" --y T,CT,CM --overlay --logy --yrange 1:1e8 \
  --title "CARTmath (Barros 2021): CAR-T123 on day 42, HDLM-2 rechallenge on day 250" \
  -o "$OUT/$NAME.png"
