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
