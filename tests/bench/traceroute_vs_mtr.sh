#!/bin/sh
# traceroute_vs_mtr.sh - Bottleneck's traceroute beside mtr on the
# three-router lab chain (client - r1 - r2 - r3 - target, tests/lab),
# 10 probes per hop each, with the kernel's DEFAULT ICMP rate limits in
# the routers (a router answers 6 probes at once, then one a second),
# and again in the tuned lab (rate limits off; labelled).
#   Bottleneck: its default settings (mode udp, spacing 50ms, timeout
#     2s) but count: 10; also mode icmp.  Time: one round, from its
#     debug log (first probe to the round's end).
#   mtr: its defaults (-r -c 10: 1 s interval, 5 s grace time), and its
#     fastest honest settings (-i 0.1 --gracetime 1); -u for udp.
#     Time: the whole command.
# Each comparison runs REPEATS times (3) back to back, 7 s apart so the
# routers' ICMP budgets are full for every tool; printed: time, the
# worst false loss at a hop and the target (the chain loses nothing),
# per-repeat time ratios mtr / Bottleneck and their median, and the
# load average.  Not a test.
#   make bench-traceroute [BENCH_ARGS=REPEATS]
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd mtr "apt-get install mtr-tiny"
need_cmd python3 "apt-get install python3"
lab_require
REPEATS=${1:-3}
lab_init trbench
lab_chain 3 || fail "lab_chain"

now_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }
settle() { sleep 7; } # a router's budget: 6 messages, one more a second

# bn_round MODE: one round; sets secs (round time) and loss (per hop)
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
    interval: 1h
EOF
  rm -f "$T/h.db"
  lab_exec client "$BN" --debug run -p "$T/p.yaml" --db "$T/h.db" -d 60s \
    --no-report 2>"$T/err" &
  pid=$!
  until grep -q "round 1 took" "$T/err" 2>/dev/null; do sleep 0.01; done
  kill -INT $pid
  wait $pid
  secs=$(sed -n 's/.*round 1 took \([0-9.]*\) ms.*/\1/p' "$T/err" |
    python3 -c 'import sys; print(float(sys.stdin.read()) / 1000)')
  loss=$("$BN" paths t --db "$T/h.db" --json | python3 -c '
import json, sys
p = json.load(sys.stdin)["rounds"][0]["paths"][0]
print(p["status"][:7], " ".join("%s:%.0f" % (h["addr"] or "*", h["loss_pct"])
                                for h in p["hops"]))')
}

# mtr_run ARGS...: sets secs and loss
mtr_run() {
  t0=$(now_ms)
  lab_exec client mtr -r -n -c 10 "$@" "$LAB_TARGET_IP" >"$T/mtr" 2>&1
  t1=$(now_ms)
  secs=$(python3 -c "print(($t1 - $t0) / 1000)")
  loss=$(awk '/^ *[0-9]+\./ {sub("%", "", $3); printf "%s%s:%.0f", sep, $2,
    $3; sep=" "}' "$T/mtr")
}

# worst "addr:loss" figure of a line
worst() { echo "$1" | tr ' ' '\n' | sed -n 's/.*:\([0-9.]*\)$/\1/p' |
  sort -n | tail -1; }

# compare LABEL BN_MODE MTR_ARGS: REPEATS rounds of each
compare() {
  label=$1 mode=$2 margs=$3
  : >"$T/ratios"
  i=1
  while [ $i -le "$REPEATS" ]; do
    settle
    bn_round "$mode"
    b=$secs
    printf '%-9s %-34s %2d %7.2f %5s%%  %s\n' "$label" \
      "bottleneck mode $mode count 10" $i "$b" "$(worst "$loss")" "$loss"
    settle
    # shellcheck disable=SC2086
    mtr_run $margs
    printf '%-9s %-34s %2d %7.2f %5s%%  %s\n' "$label" \
      "mtr -r -c 10 $margs" $i "$secs" "$(worst "$loss")" "$loss"
    m1=$secs
    settle
    # shellcheck disable=SC2086
    mtr_run $margs -i 0.1 --gracetime 1
    printf '%-9s %-34s %2d %7.2f %5s%%  %s\n' "$label" \
      "mtr -r -c 10 -i 0.1 --gracetime 1 $margs" $i "$secs" \
      "$(worst "$loss")" "$loss"
    echo "$m1 $secs $b" >>"$T/ratios"
    i=$((i + 1))
  done
  python3 - "$T/ratios" "$label" <<'PY'
import statistics, sys
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1])]
d = statistics.median(m / b for m, f, b in rows)
f = statistics.median(f / b for m, f, b in rows)
print("%-9s median of %d per-repeat time ratios: mtr defaults / bottleneck "
      "%.1fx, mtr -i 0.1 --gracetime 1 / bottleneck %.1fx" %
      (sys.argv[2], len(rows), d, f))
PY
}

echo "traceroute_vs_mtr: 3-router lab chain to $LAB_TARGET_IP, 10 probes" \
  "per hop, $REPEATS repeats, $(nproc) cores, $(date -u +%F)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-34s %2s %7s %6s  %s\n' lab tool rep "secs" "worst" \
  "status/hop:loss% (no real loss on the chain)"
compare default udp "-u"
compare default icmp ""
lab_ratelimit off || fail "lab_ratelimit off"
compare "tuned" udp "-u"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
