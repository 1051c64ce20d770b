#!/bin/sh
# paths_history.sh - path history end to end: a fixture probe emits
# scripted rounds through the real host (emit_paths), `bottleneck run`
# stores them, the host hashes each path, compares each round with the
# target's previous one (also across runs) and stores the changes and
# events; `bottleneck paths` prints the history and the diffs, as text
# and JSON.  Also: multipath sets, RTT shifts, bad arguments.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
[ -f "${BN_FIXTURE_PLUGINS:-}/fakepath.so" ] || fail "fixture plugin not built"
mkdir "$T/fx" && cp "$BN_FIXTURE_PLUGINS/fakepath.so" "$T/fx/"
chmod 755 "$T/fx"

# Round 1 and 2: the same route (hop 2 silent once: not a change);
# round 3: hop 3 through another router; then stays.
cat >"$T/p.yaml" <<'EOF'
name: paths
targets:
  - {name: web, host: 127.0.0.1}
probes:
  - plugin: fixture-paths
    name: trace
    interval: 100ms
    rtt_shift: 10
    routes:
      - "10.0.0.1 * 10.0.2.1 10.0.9.9"
      - "10.0.0.1 10.0.1.1 10.0.2.1 10.0.9.9"
      - "10.0.0.1 10.0.1.1 10.0.5.1 10.0.9.9"
EOF
"$BN" run -p "$T/p.yaml" --plugin-dir "$T/fx" --db "$T/h.db" -d 550ms \
  --no-report >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run"; }
q() { sqlite3 "$T/h.db" "$1"; }
n=$(q "SELECT count(*) FROM path_sets WHERE target = 'web'")
[ "$n" -ge 5 ] || fail "rounds stored: $n"
[ "$(q "SELECT count(DISTINCT set_hash) FROM path_sets")" = 3 ] ||
  fail "set ids: $(q 'SELECT set_hash FROM path_sets')"
# exactly one change: hop 3, recorded once, with its event
got=$(q "SELECT kind || ' ' || ttl || ' ' || old_addr || ' ' || new_addr
  FROM path_changes")
[ "$got" = "changed 3 10.0.2.1 10.0.5.1" ] || fail "changes: $got"
got=$(q "SELECT severity || ' ' || message FROM events WHERE type = 'path_change'")
[ "$got" = "1 hop 3 changed 10.0.2.1 -> 10.0.5.1" ] || fail "events: $got"

# the history: text with the diff, the mtr columns, and JSON
expect_rc 0 "$BN" paths web --db "$T/h.db" --limit 0
assert_contains "$T/out" "paths to web:"
assert_contains "$T/out" "change: hop 3 changed 10.0.2.1 -> 10.0.5.1 (flow 33434)"
assert_contains "$T/out" "hop  address"
assert_contains "$T/out" "loss%  sent    last     avg    best   worst   stdev"
grep -qE '^ +2  \?\?\? +100\.0 +3$' "$T/out" || fail "silent hop: $(cat "$T/out")"
expect_rc 0 "$BN" paths web --db "$T/h.db" --limit 2 --json
python3 - "$T/out" <<'PY' || fail "json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["target"] == "web" and len(d["rounds"]) == 2, d
r = d["rounds"][-1]
assert r["probe"] == "trace" and r["mode"] == "fixture"
hops = r["paths"][0]["hops"]
assert [h["addr"] for h in hops] == ["10.0.0.1", "10.0.1.1", "10.0.5.1", "10.0.9.9"]
assert hops[0]["sent"] == 3 and hops[0]["loss_pct"] == 0 and hops[0]["avg_ms"] == 1
PY

# A second run continues the history: its first round is compared with
# the last one of the first run.  Hop 3 back to the old router, then
# 37 ms slower (an RTT shift), then a second flow on another path (a new
# flow has no earlier path of its own: only the set changes).
cat >"$T/p2.yaml" <<'EOF'
name: paths
targets:
  - {name: web, host: 127.0.0.1}
probes:
  - plugin: fixture-paths
    name: trace
    interval: 100ms
    rtt_shift: 10
    routes:
      - "10.0.0.1 10.0.1.1 10.0.2.1 10.0.9.9"
      - "10.0.0.1 10.0.1.1 10.0.2.1/40 10.0.9.9"
      - "10.0.0.1 10.0.1.1 10.0.2.1/40 10.0.9.9 | 10.0.0.1 10.0.1.7 10.0.2.1/40 10.0.9.9"
EOF
"$BN" run -p "$T/p2.yaml" --plugin-dir "$T/fx" --db "$T/h.db" -d 650ms \
  --no-report >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run 2"; }
got=$(q "SELECT group_concat(kind || ':' || coalesce(ttl, 0), ' ') FROM
  (SELECT * FROM path_changes ORDER BY id)")
[ "$got" = "changed:3 changed:3 rtt_shift:3 set:0" ] ||
  fail "changes across runs: $got"
expect_rc 0 "$BN" paths web --db "$T/h.db" --limit 0
assert_contains "$T/out" "change: hop 3 (10.0.2.1) RTT 3.00 -> 40.00 ms"
assert_contains "$T/out" "change: the set of paths changed (1 -> 2 distinct)"
assert_contains "$T/out" "2 paths"

# bad arguments and an unknown target
expect_rc 2 "$BN" paths --db "$T/h.db"
assert_contains "$T/err" "give one TARGET"
expect_rc 2 "$BN" paths web --since soon --db "$T/h.db"
assert_contains "$T/err" "--since 'soon' is not a duration"
# a target the history has never seen is named as unknown (exit 2)
expect_rc 2 "$BN" paths nosuch --db "$T/h.db"
assert_contains "$T/err" "unknown target 'nosuch'"
assert_contains "$T/err" "known targets: web"
expect_rc 5 "$BN" paths web --db "$T/none.db"
assert_contains "$T/err" "no history yet"
exit 0
