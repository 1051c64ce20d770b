#!/bin/sh
# icmp_accuracy.sh - how close is the icmp probe to iputils ping?
#
# Runs `ping -c N -i I 127.0.0.1` and `bottleneck run` with the icmp
# probe against 127.0.0.1 at the same time, with the same count and
# interval, and prints both medians and their difference in
# microseconds (goal: within 10 us).  Not a test: it asserts nothing.
# Run it with `make bench-icmp-accuracy` (BENCH_ARGS='N INTERVAL').
# Needs root: raw ICMP sockets, and ping intervals under 200 ms.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd ping "apt-get install iputils-ping"
need_cmd sqlite3 "apt-get install sqlite3"
need_root

count=${1:-200}
interval=${2:-0.01}
# The run lasts count * interval, plus the last timeout's worth.
dur_ms=$(awk -v c="$count" -v i="$interval" \
  'BEGIN { printf "%d", c * i * 1000 }')

cat >"$T/bench.yaml" <<EOF
name: icmp-bench
targets:
  - {name: lo, host: 127.0.0.1}
probes:
  - plugin: icmp
    interval: ${interval}s
    timeout: 1s
EOF

ping -c "$count" -i "$interval" 127.0.0.1 >"$T/ping.txt" 2>&1 &
ping_pid=$!
"$BN" run --profile "$T/bench.yaml" --duration "${dur_ms}ms" \
  --db "$T/bench.db" --no-report 2>"$T/err.txt" ||
  { cat "$T/err.txt"; fail "bottleneck run failed"; }
wait "$ping_pid" || { cat "$T/ping.txt"; fail "ping failed"; }

# median FILE: the median of the numbers in FILE, one a line.
median() {
  sort -g "$1" | awk '{ v[NR] = $1 }
    END { if (NR == 0) { print "nan"; exit }
          if (NR % 2) printf "%.6f\n", v[(NR + 1) / 2];
          else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$T/ping.txt" >"$T/ping.ms"
sqlite3 "$T/bench.db" "SELECT value FROM samples_v WHERE metric='rtt_ms'
  AND flags = 0 AND value IS NOT NULL" >"$T/bn.ms"
n_ping=$(wc -l <"$T/ping.ms")
n_bn=$(wc -l <"$T/bn.ms")
lost_bn=$(sqlite3 "$T/bench.db" "SELECT count(*) FROM samples_v
  WHERE metric='rtt_ms' AND (flags & 1) = 1")
m_ping=$(median "$T/ping.ms")
m_bn=$(median "$T/bn.ms")

echo "icmp accuracy on 127.0.0.1: $count probes, interval ${interval}s"
echo "ping:       $n_ping replies, median $m_ping ms"
echo "bottleneck: $n_bn replies ($lost_bn lost), median $m_bn ms"
awk -v a="$m_bn" -v b="$m_ping" 'BEGIN {
  d = (a - b) * 1000
  printf "difference (bottleneck - ping): %+.1f us (goal: within 10 us)\n", d
}'
