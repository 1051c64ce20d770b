#!/bin/sh
# lab_icmp.sh - the icmp probe measured through the network lab
# (tests/lab/README.md): `bottleneck run` inside the client namespace of
# a 1-router chain pings the target, first over plain veths (baseline),
# then with bn-impair on link 1 adding 30 ms and 10 % loss toward the
# target (one direction, as the lab self-test does), on IPv4 and IPv6.
# From the history db:
#  - median RTT - baseline median = 30 +-2 ms, and no RTT under 30 ms;
#  - loss = 10 % +- 3 sigma, sigma = sqrt(p (1 - p) / n) for n requests;
#  - the probe lost what the relay dropped (the relay's own count).
# Needs root (skips, or fails with BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd sqlite3 "apt-get install sqlite3"
lab_require impair

DELAY=30 # ms, injected toward the target
LOSS=10  # %
# 5 requests a round 10 ms apart, a round every 100 ms: 50 a second, so
# an 8 s run sends ~400.  The 200 ms timeout is far above the 30 ms RTT
# (no request is lost for being slow) and keeps the requests in flight
# at the stop, which the probe drops uncounted, to about 10.
RUN=8s

# profile NAME HOST: a profile with one icmp target.
profile() {
  cat >"$T/$1.yaml" <<EOF
name: lab-icmp-$1
targets:
  - {name: $1, host: "$2"}
probes:
  - plugin: icmp
    count: 5
    spacing: 10ms
    interval: 100ms
    timeout: 200ms
EOF
}

# run NAME HOST DURATION: bottleneck in the client namespace; db $T/NAME.db.
run() {
  profile "$1" "$2"
  lab_exec client "$BN" run --profile "$T/$1.yaml" --duration "$3" \
    --db "$T/$1.db" --no-report >"$T/$1.out" 2>"$T/$1.err" ||
    { cat "$T/$1.err"; fail "bottleneck run ($1) failed"; }
}

q() { sqlite3 "$T/$1.db" "$2"; }

# median NAME [TARGET]: the median RTT (ms) of the answered requests.
median() {
  q "$1" "SELECT value FROM samples_v WHERE metric = 'rtt_ms'
          AND flags = 0 AND target = '${2:-$1}' ORDER BY value" |
    awk '{ v[NR] = $1 }
    END { if (NR == 0) { print "nan"; exit }
          if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
          else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# check LABEL EXPR: fail unless the awk expression (on numbers) holds.
check() {
  awk "BEGIN { exit !($2) }" || fail "$1: $2"
  echo "ok: $1 ($2)"
}

lab_init labicmp || fail "lab_init"
lab_chain 1 || fail "lab_chain 1"

# Baseline over the veths, both families in one run.
cat >"$T/base.yaml" <<EOF
name: lab-icmp-base
targets:
  - {name: v4, host: "$LAB_TARGET_IP"}
  - {name: v6, host: "$LAB_TARGET_IP6"}
probes:
  - plugin: icmp
    count: 5
    spacing: 10ms
    interval: 100ms
    timeout: 200ms
EOF
lab_exec client "$BN" run --profile "$T/base.yaml" --duration 2s \
  --db "$T/base.db" --no-report >"$T/base.out" 2>"$T/base.err" ||
  { cat "$T/base.err"; fail "baseline run failed"; }
for fam in v4 v6; do
  n=$(q base "SELECT count(*) FROM samples_v WHERE target = '$fam'
              AND metric = 'rtt_ms' AND flags = 0")
  bad=$(q base "SELECT count(*) FROM samples_v WHERE target = '$fam'
                AND flags != 0")
  [ "$n" -ge 50 ] && [ "$bad" = 0 ] ||
    fail "baseline $fam: $n answered, $bad flagged"
done
base_v4=$(median base v4)
base_v6=$(median base v6)
echo "baseline (veth): median RTT $base_v4 ms (IPv4), $base_v6 ms (IPv6)"

# measure FAM HOST SEED BASELINE: impair link 1, run, check.
measure() {
  local fam="$1" host="$2" seed="$3" base="$4"
  local n lost late err med d min loss tol relay
  # A fresh relay per family: the loss draws start from the seed, so a
  # run is reproducible (the same requests are dropped every time).
  lab_impair 1 --fwd "$DELAY:0:$LOSS" --seed "$seed" || fail "lab_impair"
  run "$fam" "$host" "$RUN"
  relay=$(lab_impair_stats 1 fwd lost)
  [ -n "$relay" ] || fail "no relay stats"
  [ "$(lab_impair_stats 1 rev lost)" = 0 ] || fail "replies were dropped"
  n=$(q "$fam" "SELECT count(*) FROM samples_v WHERE metric = 'rtt_ms'
                AND (flags & 12) = 0")
  lost=$(q "$fam" "SELECT count(*) FROM samples_v WHERE metric = 'rtt_ms'
                   AND (flags & 1) = 1")
  late=$(q "$fam" "SELECT count(*) FROM samples_v WHERE (flags & 12) != 0")
  err=$(q "$fam" "SELECT count(*) FROM samples_v WHERE (flags & 18) != 0")
  min=$(q "$fam" "SELECT min(value) FROM samples_v WHERE metric = 'rtt_ms'
                  AND flags = 0")
  med=$(median "$fam")
  d=$(awk "BEGIN { printf \"%.3f\", $med - $base }")
  loss=$(awk "BEGIN { printf \"%.2f\", 100 * $lost / $n }")
  tol=$(awk "BEGIN { p = $LOSS / 100
    printf \"%.2f\", 300 * sqrt(p * (1 - p) / $n) }")
  echo "$fam through bn-impair (seed $seed): $n requests, $lost lost" \
    "($loss %), relay dropped $relay; median RTT $med ms," \
    "+$d ms over the baseline, min $min ms"
  check "$fam: at least 350 requests" "$n >= 350"
  check "$fam: no ERROR, INVALID, LATE or DUP sample" "$late + $err == 0"
  check "$fam: median RTT +$d ms, injected $DELAY +-2" \
    "$d >= $DELAY - 2 && $d <= $DELAY + 2"
  check "$fam: min RTT $min ms is not below the delay" "$min >= $DELAY"
  check "$fam: loss $loss %, injected $LOSS +-$tol (3 sigma, n=$n)" \
    "$loss >= $LOSS - $tol && $loss <= $LOSS + $tol"
  # The relay also dropped some of the requests still in flight when the
  # run stopped (~10, see RUN), which the probe does not report.
  check "$fam: lost $lost, relay dropped $relay" \
    "$relay >= $lost && $relay <= $lost + 5"
}

measure v4 "$LAB_TARGET_IP" 42 "$base_v4"
measure v6 "$LAB_TARGET_IP6" 43 "$base_v6"
echo "ok: icmp probe measures injected delay and loss on IPv4 and IPv6"
