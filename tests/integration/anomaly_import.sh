#!/bin/sh
# anomaly_import.sh - `bottleneck import` (docs/anomaly.md): csv files
# (timestamp,target,metric,value; RFC 3339 or Unix seconds; an empty
# value a lost probe) and NAB files (timestamp,value, one target per
# file) become one run that `analyze` replays: an imported delay step is
# a latency episode and an imported loss burst an unreachable one.  Bad
# rows (NaN, unparseable time or value, time going backwards, wrong
# field count) are each reported as FILE:LINE and nothing is imported,
# not even the good file given with them.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
export BOTTLENECK_PROFILE_PATH="$BN_TOP_SRCDIR/profiles"

# 10 min at 1 s of gw rtt_ms around 10 ms (a deterministic wobble),
# +30 ms from 300 to 359 s, lost from 420 to 449 s; a quiet dns series.
# Odd seconds in RFC 3339, even ones in Unix seconds.
awk 'BEGIN {
  print "timestamp,target,metric,value"
  t0 = 1764860400
  for (i = 0; i < 600; i++) {
    t = t0 + i
    ts = (i % 2) ? strftime("%Y-%m-%dT%H:%M:%SZ", t, 1) : t
    v = 10 + 0.3 * sin(i * 1.7) + 0.2 * cos(i * 0.9)
    if (i >= 300 && i < 360) v += 30
    val = (i >= 420 && i < 450) ? "" : sprintf("%.3f", v)
    printf "%s,gw,rtt_ms,%s\n", ts, val
    printf "%s,dns,query_ms,%.3f\n", ts, 5 + 0.2 * sin(i * 2.3)
  }
}' >"$T/good.csv"
cat >"$T/bad.csv" <<'CSV'
timestamp,target,metric,value
2026-12-04T15:00:00Z,gw,rtt_ms,1
2026-12-04T15:00:01Z,gw,rtt_ms,NaN
yesterday,gw,rtt_ms,2
2026-12-04T14:00:00Z,gw,rtt_ms,3
2026-12-04T15:00:05+01:00,gw,rtt_ms,abc
2026-12-04T15:00:06Z,gw,1
CSV

# Bad rows: each named, nothing imported (no database even created).
expect_rc 1 "$BN" import --format csv "$T/good.csv" "$T/bad.csv" --db "$T/h.db"
cat "$T/err"
for want in "bad.csv:3: value 'NaN' is not a finite number" \
  "bad.csv:4: time 'yesterday' is neither RFC 3339" \
  "bad.csv:5: time '2026-12-04T14:00:00Z' goes backwards" \
  "bad.csv:6: value 'abc' is not a finite number" \
  "bad.csv:7: 3 fields, want 4" "5 bad row(s); nothing imported"; do
  assert_contains "$T/err" "$want"
done
[ ! -e "$T/h.db" ] || fail "a failed import created the database"
expect_rc 2 "$BN" import "$T/good.csv" --db "$T/h.db"
expect_rc 2 "$BN" import --format xml "$T/good.csv" --db "$T/h.db"

# The good file: one run, lost probes as lost samples.
expect_rc 0 "$BN" import --format csv "$T/good.csv" --db "$T/h.db"
cat "$T/out"
assert_contains "$T/out" "imported 1200 samples (30 lost) of 2 metric(s)"
q() { sqlite3 "$T/h.db" "$1"; }
[ "$(q "SELECT count(*) FROM runs")" = 1 ] || fail "want one run"
[ "$(q "SELECT count(*) FROM samples_v WHERE target = 'gw' AND value IS NULL")" = 30 ] ||
  fail "want 30 lost gw samples"
[ "$(q "SELECT role FROM metrics WHERE metric = 'rtt_ms'")" = latency ] ||
  fail "rtt_ms should be declared a latency"
[ "$(q "SELECT min(wall_ns) / 1000000000 FROM samples")" = 1764860400 ] ||
  fail "Unix seconds misread"
[ "$(q "SELECT count(*) FROM samples WHERE wall_ns = 1764860401000000000")" = 2 ] ||
  fail "RFC 3339 time misread"

# A bad import into an existing history leaves it as it was.
expect_rc 1 "$BN" import --format csv "$T/bad.csv" --db "$T/h.db"
[ "$(q "SELECT count(*) FROM runs")" = 1 ] || fail "the bad import wrote"

# analyze finds the step and the outage, nothing on dns.
expect_rc 0 "$BN" analyze --db "$T/h.db" --json
cat "$T/out"
[ "$(wc -l <"$T/out")" = 2 ] || fail "analyze: want two episodes"
grep -q '"target":"gw","start":"2025-12-04T15:05:0[0-5]Z".*"dominant":"latency"' \
  "$T/out" || fail "analyze: the delay step at 15:05:00 is not a latency episode"
grep -q '"target":"gw","start":"2025-12-04T15:07:0[0-9]Z".*"severity":"critical".*"dominant":"unreachable"' \
  "$T/out" || fail "analyze: the outage at 15:07:00 is not a critical unreachable episode"

# NAB files: one target per file, named after it.
{
  echo "timestamp,value"
  awk 'BEGIN { for (i = 0; i < 400; i++) {
    v = 50 + sin(i * 1.3); if (i >= 250 && i < 300) v += 40
    printf "2014-04-01 %02d:%02d:00,%.2f\n", int(i / 60), i % 60, v } }'
} >"$T/ec2_cpu.csv"
expect_rc 0 "$BN" import --format nab "$T/ec2_cpu.csv" --db "$T/n.db"
assert_contains "$T/out" "imported 400 samples (0 lost) of 1 metric(s)"
[ "$(sqlite3 "$T/n.db" "SELECT DISTINCT target FROM series")" = ec2_cpu ] ||
  fail "NAB: the target is the file's name"
expect_rc 0 "$BN" analyze --db "$T/n.db" --json
cat "$T/out"
grep -q '"target":"ec2_cpu","start":"2014-04-01T04:1[0-4]:00Z"' "$T/out" ||
  fail "NAB: the step at 04:10 is not found"
printf 'timestamp,value\n2014-04-01 00:00:00,\n' >"$T/nab_bad.csv"
expect_rc 1 "$BN" import --format nab "$T/nab_bad.csv" --db "$T/n.db"
assert_contains "$T/err" "nab_bad.csv:2: a NAB row needs a value"
