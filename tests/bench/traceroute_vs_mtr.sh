#!/bin/sh
# traceroute_vs_mtr.sh - wall time of one traceroute round of the
# three-router lab chain (client - r1 - r2 - r3 - target, tests/lab)
# beside `mtr -r -c 10` on the same chain in the same run, with 10
# probes per hop both ways, in each mode (udp: mtr -u; icmp: mtr's
# default; tcp: mtr -T -P 80).  Bottleneck's time runs from starting the
# process to the round being in the history database (start-up, a
# round, the store); mtr's is the whole command.  Also mtr at 0.1 s
# intervals (root).  Prints the hops both found.  Not a test.
#   make bench-traceroute
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd mtr "apt-get install mtr-tiny"
need_cmd sqlite3 "apt-get install sqlite3"
lab_require
lab_init trbench
lab_chain 3 || fail "lab_chain"

now_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }

# bn_round MODE: one round in MODE; sets bn_wall, bn_round_s, bn_hops
bn_round() {
  cat >"$T/p.yaml" <<EOF
name: trbench
targets:
  - {name: t, host: "$LAB_TARGET_IP"}
checks: {enabled: false}
probes:
  - plugin: traceroute
    mode: $1
    count: 10
    spacing: 10ms
    timeout: 200ms
    max_ttl: 30
    interval: 1h
EOF
  rm -f "$T/h.db"
  t0=$(now_ms)
  lab_exec client "$BN" --debug run -p "$T/p.yaml" --db "$T/h.db" -d 60s \
    --no-report 2>"$T/err" &
  pid=$!
  until [ "$(sqlite3 "$T/h.db" 'SELECT count(*) FROM path_sets' 2>/dev/null)" = 1 ]; do
    sleep 0.005
  done
  t1=$(now_ms)
  kill -INT $pid
  wait $pid
  bn_wall=$(python3 -c "print(($t1 - $t0) / 1000)")
  bn_round_s=$(python3 -c "print($(sed -n 's/.*round 1 took \([0-9.]*\) ms.*/\1/p' "$T/err") / 1000)")
  bn_hops=$("$BN" paths t --db "$T/h.db" --json | python3 -c '
import json, sys
p = json.load(sys.stdin)["rounds"][0]["paths"][0]
print(" ".join(h["addr"] or "*" for h in p["hops"]))')
}

# mtr_run ARGS...: sets mtr_wall, mtr_hops
mtr_run() {
  t2=$(now_ms)
  lab_exec client mtr -r -n -c 10 "$@" "$LAB_TARGET_IP" >"$T/mtr" 2>&1
  t3=$(now_ms)
  mtr_wall=$(python3 -c "print(($t3 - $t2) / 1000)")
  mtr_hops=$(awk '/^ *[0-9]+\./ {printf "%s%s", sep, $2; sep=" "}' "$T/mtr")
}

echo "traceroute_vs_mtr: 3-router lab chain to $LAB_TARGET_IP, 10 probes per hop"
printf '%-5s %-40s %8s  %s\n' mode tool "wall s" hops
for mode in udp icmp tcp; do
  case $mode in
  udp) margs="-u" ;;
  icmp) margs="" ;;
  tcp) margs="-T -P 80" ;;
  esac
  bn_round $mode
  # shellcheck disable=SC2086
  mtr_run $margs
  printf '%-5s %-40s %8.2f  %s\n' $mode "bottleneck round (10 bursts)" \
    "$bn_round_s" "$bn_hops"
  printf '%-5s %-40s %8.2f  %s\n' $mode "bottleneck start to round in store" \
    "$bn_wall" "(start-up, resolve, the 1 s commit batch)"
  printf '%-5s %-40s %8.2f  %s\n' $mode "mtr -r -c 10 $margs" "$mtr_wall" \
    "$mtr_hops"
  # shellcheck disable=SC2086
  mtr_run $margs -i 0.1
  printf '%-5s %-40s %8.2f  %s\n' $mode "mtr -r -c 10 -i 0.1 $margs" \
    "$mtr_wall" "$mtr_hops"
done
