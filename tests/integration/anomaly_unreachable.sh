#!/bin/sh
# anomaly_unreachable.sh - anomaly detection is on by default: a run with
# a profile that only extends base, against a listening and a closed
# port on loopback, gives the closed one exactly one episode, critical,
# dominant signal "unreachable", opened within a few probes and raised
# to critical once 10 s passed without an answer; the listening target
# gets none (no false positive in a healthy run).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"

UP=$(free_port)
tcp_listener "$UP"
DOWN=$(free_port)
while [ "$DOWN" = "$UP" ]; do DOWN=$(free_port); done

cat >"$T/p.yaml" <<YAML
name: anomaly-unreachable
extends: base
targets:
  - {name: up, host: 127.0.0.1, port: $UP}
  - {name: down, host: 127.0.0.1, port: $DOWN}
probes:
  - plugin: tcp
    interval: 250ms
    timeout: 250ms
YAML

BOTTLENECK_PROFILE_PATH="$BN_TOP_SRCDIR/profiles" \
  expect_rc 0 "$BN" run --profile "$T/p.yaml" --duration 16s --db "$T/h.db" \
  --no-report

q() { sqlite3 "$T/h.db" "$1"; }
q "SELECT target, type, severity, message FROM events
   WHERE source = 'fusion' ORDER BY wall_ns" >"$T/events"
cat "$T/events"

[ "$(q "SELECT count(*) FROM events WHERE target = 'up'")" = 0 ] ||
  fail "the healthy target got anomaly events"
[ "$(q "SELECT count(*) FROM events WHERE target = 'down'
        AND type LIKE 'anomaly.open.%'")" = 1 ] ||
  fail "the closed port should open exactly one episode"
[ "$(q "SELECT count(*) FROM events WHERE target = 'down'
        AND type = 'anomaly.close.critical'")" = 1 ] ||
  fail "the closed port's episode should close (run end) as critical"
assert_contains "$T/events" "critical unreachable episode"
# Opened within 2 s of the first probe (a burst of 3 losses), critical
# 10 s (unreachable_after) after the first lost probe, +-1 s.
first=$(q "SELECT min(wall_ns) FROM samples_v WHERE target = 'down'")
opened=$(q "SELECT min(wall_ns) FROM events WHERE target = 'down'")
crit=$(q "SELECT min(wall_ns) FROM events WHERE target = 'down'
          AND type = 'anomaly.update.critical'")
awk -v f="$first" -v o="$opened" -v c="$crit" 'BEGIN {
  o = (o - f) / 1e9; c = (c - f) / 1e9
  printf "opened after %.2f s, critical after %.2f s\n", o, c
  exit !(o >= 0 && o <= 2 && c >= 9.5 && c <= 11.5) }' ||
  fail "episode times off"
# The severity maps onto the SDK's: critical is 2.
[ "$(q "SELECT max(severity) FROM events WHERE target = 'down'")" = 2 ] ||
  fail "critical events should be stored with severity 2"

# Offline: `analyze` replays the stored run through the same detectors
# and finds the same episode, deterministically.
for i in 1 2; do
  BOTTLENECK_PROFILE_PATH="$BN_TOP_SRCDIR/profiles" \
    expect_rc 0 "$BN" analyze --db "$T/h.db" --json
  cp "$T/out" "$T/analyze$i"
done
cat "$T/analyze1"
cmp -s "$T/analyze1" "$T/analyze2" || fail "two analyze runs differ"
[ "$(wc -l <"$T/analyze1")" = 1 ] || fail "analyze: want one episode"
assert_contains "$T/analyze1" '"target":"down"'
assert_contains "$T/analyze1" '"severity":"critical"'
assert_contains "$T/analyze1" '"dominant":"unreachable"'
live=$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(wall_ns) / 1e9,
          'unixepoch') FROM events WHERE target = 'down'")
assert_contains "$T/analyze1" "\"start\":\"$live\""

# The history keeps the episode (one row, closed at the run's end) and
# the reports show it: critical, unreachable, with start and end.
[ "$(q "SELECT count(*) FROM episodes WHERE target = 'up'")" = 0 ] ||
  fail "the healthy target has an episode"
[ "$(q "SELECT severity || ' ' || dominant || ' ' || (end_ns > start_ns)
        FROM episodes WHERE target = 'down'")" = "critical unreachable 1" ] ||
  fail "want one closed critical unreachable episode for 'down'"
[ "$(q "SELECT start_ns = (SELECT min(wall_ns) FROM events WHERE
        target = 'down') FROM episodes")" = 1 ] ||
  fail "the episode's start is not its open event's time"
expect_rc 0 "$BN" report --db "$T/h.db" --format text
cp "$T/out" "$T/report.txt"
sed -n '/^== Episodes/,/^== /p' "$T/report.txt"
assert_contains "$T/report.txt" "1 critical, 0 high, 0 medium, 0 low, 0 info"
grep -E '^[0-9].* down +critical +1\.00 +unreachable ' "$T/report.txt" \
  >/dev/null || fail "text report: no critical unreachable episode row"
expect_rc 0 "$BN" report --db "$T/h.db" --format json
python3 - "$T/out" <<'PY' || fail "json report: episodes"
import json, sys
m = json.load(open(sys.argv[1]))
e = m["episodes"]
assert "episodes" in m["sections"], m["sections"]
assert e["counts"]["critical"] == 1, e["counts"]
(it,) = e["items"]
assert it["target"] == "down" and it["severity"] == "critical", it
assert it["dominant"] == "unreachable" and it["end"] and it["peak"] == 1, it
assert m["alerts"]["counts"]["critical"] >= 1, m["alerts"]["counts"]
PY
python3 "$BN_TOP_SRCDIR/tests/integration/schema_check.py" "$T/out" \
  "$BN_TOP_SRCDIR/docs/schemas/report.schema.json" ||
  fail "json report does not match docs/schemas/report.schema.json"
# Pre-flight checks that did not pass (no default route in a test's
# namespace) are the episode's context when they fell within 60 s of it.
nctx=$(q "SELECT count(*) FROM checks, episodes WHERE status != 'pass' AND
          (checks.target IS NULL OR checks.target = 'down' OR
           checks.target NOT IN (SELECT target FROM series)) AND
          wall_ns BETWEEN start_ns - 60e9 AND end_ns + 60e9")
echo "context: $nctx failed checks"
if [ "$nctx" -gt 0 ]; then
  assert_contains "$T/report.txt" "context of the critical episode of down"
  [ "$(grep -c '^  [0-9-]* [0-9:]* check ' "$T/report.txt")" = "$nctx" ] ||
    fail "text report: want $nctx context lines"
fi
expect_rc 0 "$BN" report --db "$T/h.db" --format html -o "$T/r.html"
grep -q 'id="episodes"' "$T/r.html" &&
  grep -q '<td>down</td><td><span class="badge sev-critical">critical' \
    "$T/r.html" ||
  fail "html report: no episodes section with a critical episode"
