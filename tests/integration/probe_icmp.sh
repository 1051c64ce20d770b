#!/bin/sh
# probe_icmp.sh - end to end: `bottleneck run` with the icmp probe against
# 127.0.0.1, 127.0.0.2 and ::1 (3 packets a round, 3 s), then the rows in
# the history db: rtt_ms and round samples, no loss; an adaptive run
# records interval_ms; `profile validate` reports interval_min > max at
# its line.  Raw ICMP sockets need root here (ping_group_range is off).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_root

cat >"$T/icmp.yaml" <<'EOF'
name: icmp-e2e
targets:
  - {name: lo1, host: 127.0.0.1}
  - {name: lo2, host: 127.0.0.2}
  - {name: lo6, host: "::1"}
probes:
  - plugin: icmp
    count: 3
    spacing: 5ms
    interval: 1s
    timeout: 1s
EOF

db="$T/history.db"
"$BN" run --profile "$T/icmp.yaml" --duration 3s --db "$db" --no-report \
  >"$T/out.txt" 2>"$T/err.txt"
rc=$?
[ $rc -eq 0 ] || { cat "$T/err.txt"; fail "run exited $rc"; }

q() { sqlite3 "$db" "$1"; }
for t in lo1 lo2 lo6; do
  # 3 rounds of 3 in 3 s (staggered starts): at least 2 rounds each.
  n=$(q "SELECT count(*) FROM samples_v WHERE target='$t' AND probe='icmp'
         AND metric='rtt_ms' AND value IS NOT NULL AND flags=0")
  [ "$n" -ge 6 ] || fail "$t has $n good rtt_ms samples"
  [ $((n % 3)) -eq 0 ] || fail "$t: $n rtt_ms samples, not whole rounds"
  r=$(q "SELECT count(*) FROM samples_v WHERE target='$t'
         AND metric='round_median_ms' AND flags=0")
  [ "$r" -eq $((n / 3)) ] || fail "$t: $r round medians for $n packets"
  q "SELECT max(value) < 100 FROM samples_v WHERE target='$t'
     AND metric='rtt_ms'" | grep -qx 1 || fail "$t: loopback RTT >= 100 ms"
done
lost=$(q "SELECT count(*) FROM samples_v WHERE (flags & 1) = 1")
[ "$lost" = 0 ] || fail "$lost lost samples on loopback"
bad=$(q "SELECT count(*) FROM samples_v WHERE flags != 0")
[ "$bad" = 0 ] || fail "$bad samples with flags on loopback"
loss=$(q "SELECT max(value) FROM samples_v WHERE metric='round_loss_pct'")
[ "$loss" = 0.0 ] || fail "round_loss_pct reached $loss"
if grep -q "icmp" "$T/err.txt"; then
  cat "$T/err.txt"
  fail "the icmp probe logged something at the default level"
fi

# Adaptive: interval_ms at start for every target, then on changes.
cat >"$T/adaptive.yaml" <<'EOF'
name: icmp-adaptive
targets:
  - {name: lo1, host: 127.0.0.1}
  - {name: lo6, host: "::1"}
probes:
  - plugin: icmp
    adaptive: true
    interval: 100ms
    interval_min: 50ms
    interval_max: 400ms
EOF
db2="$T/adaptive.db"
"$BN" run --profile "$T/adaptive.yaml" --duration 3s --db "$db2" \
  --no-report --debug >"$T/out2.txt" 2>"$T/err2.txt" ||
  { cat "$T/err2.txt"; fail "adaptive run failed"; }
q2() { sqlite3 "$db2" "$1"; }
for t in lo1 lo6; do
  first=$(q2 "SELECT value FROM samples_v WHERE target='$t'
              AND metric='interval_ms' ORDER BY wall_ns LIMIT 1")
  [ "$first" = 100.0 ] || fail "$t: first interval_ms is '$first'"
  n=$(q2 "SELECT count(*) FROM samples_v WHERE target='$t'
          AND metric='interval_ms'")
  # A quiet loopback grows 100 -> 150 -> 225 -> 337.5 -> 400 ms.
  [ "$n" -ge 2 ] || fail "$t: only $n interval_ms samples"
  q2 "SELECT min(value) >= 50 AND max(value) <= 400 FROM samples_v
      WHERE target='$t' AND metric='interval_ms'" | grep -qx 1 ||
    fail "$t: interval_ms out of bounds"
done
assert_contains "$T/err2.txt" "target 'lo1': interval 100ms -> "
grep -q "(volatility [0-9.]*)" "$T/err2.txt" ||
  fail "no volatility figure in the debug lines"

# check(): interval_min > interval_max, reported at the option's line.
cat >"$T/bad.yaml" <<'EOF'
name: icmp-bad
targets:
  - {name: lo1, host: 127.0.0.1}
probes:
  - plugin: icmp
    adaptive: true
    interval_min: 2s
    interval_max: 1s
EOF
"$BN" profile validate "$T/bad.yaml" >"$T/out3.txt" 2>"$T/err3.txt" &&
  fail "profile validate accepted interval_min > interval_max"
grep -F "bad.yaml:7:19: [probe:icmp" "$T/err3.txt" | grep -qF \
  "] option 'interval_min' (2s) is greater than 'interval_max' (1s)" ||
  { cat "$T/err3.txt"; fail "no interval_min error at bad.yaml:7:19"; }
echo "ok: icmp samples on 3 loopback targets, no loss; adaptive intervals"
