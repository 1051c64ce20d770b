#!/bin/sh
# exporter_redact.sh - `redact: true` on exporter entries (docs/exporters.md,
# "Redaction"): a `bottleneck run` with a tcp probe, a fixture route
# (hop addresses) and a scripted episode feeds a prometheus exporter and
# a webhook, both redacting.  Neither the scraped /metrics nor the
# webhook's payloads may hold a target name, the host's name or any
# address; they hold the pseudonyms instead (target-1 in the profile's
# order, ip-N, host-1).  A third run without redaction shows that the
# same names do appear otherwise (so the test can fail), and a bad
# `redact:` value is refused with one line naming the file and line.
. "$(dirname "$0")/lib.sh"

need_cmd curl "apt-get install curl"
need_cmd python3 "apt-get install python3"
for p in exporter_prometheus exporter_webhook; do
  [ -f "$BN_PLUGIN_STAGE/$p.so" ] || skip "$p not built"
done
for f in fakepath episodes; do
  [ -f "${BN_FIXTURE_PLUGINS:-}/$f.so" ] || fail "fixture plugin $f not built"
done
mkdir "$T/fx" && cp "$BN_FIXTURE_PLUGINS/fakepath.so" \
  "$BN_FIXTURE_PLUGINS/episodes.so" "$T/fx/" && chmod 755 "$T/fx"
RECV="$BN_TOP_SRCDIR/tests/integration/webhook_receiver.py"

open=$(free_port)
tcp_listener "$open"
closed=$(free_port)

# receiver: a webhook receiver answering 200; sets RP, RLOG
receiver() {
  RP=$(free_port)
  RLOG="$T/recv.$RP.log"
  : >"$RLOG"
  python3 "$RECV" "$RP" "$RLOG" 200 &
  on_exit "kill $! 2>/dev/null"
  i=0
  until python3 -c "import socket; socket.create_connection(('127.0.0.1', $RP), 0.2)" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "receiver did not start"
    sleep 0.1
  done
}

# profile NAME REDACT: the run's profile, both sinks with redact: REDACT
profile() {
  cat >"$T/$1.yaml" <<YAML
name: $1
targets:
  - {name: edge-router-7, host: 127.0.0.1, port: $open}
  - {name: db-primary, host: 127.0.0.1, port: $closed}
probes:
  - plugin: tcp
    interval: 200ms
  - plugin: fixture-paths
    name: trace
    interval: 300ms
    routes: ["127.0.0.2/1 127.0.0.1/2"]
anomaly:
  - plugin: test_episodes
    target: db-primary
    open_at: 3
    close_at: 1000000
exporters:
  - plugin: prometheus
    port: $EPORT
    redact: $2
  - plugin: webhook
    url: "http://127.0.0.1:$RP/hook"
    redact: $2
YAML
}

# run NAME: a 4 s run; /metrics scraped once the hops and the episode
# are in it, into $T/NAME.metrics
run() {
  "$BN" run -p "$T/$1.yaml" --plugin-dir "$T/fx" --db "$T/$1.db" -d 4s \
    --no-report >"$T/$1.out" 2>"$T/$1.err" &
  bpid=$!
  i=0
  until curl -sf "http://127.0.0.1:$EPORT/metrics" >"$T/$1.metrics" 2>/dev/null &&
    grep -q '^bottleneck_episodes_open{severity="critical"} 1' "$T/$1.metrics" &&
    grep -q '^bottleneck_hop_rtt_seconds{' "$T/$1.metrics"; do
    i=$((i + 1))
    [ $i -gt 100 ] && { cat "$T/$1.err"; fail "$1: no hops or episode on /metrics in 10 s"; }
    sleep 0.1
  done
  wait $bpid || { cat "$T/$1.err"; fail "$1: bottleneck run failed"; }
  [ -s "$RLOG" ] || { cat "$T/$1.err"; fail "$1: the webhook got nothing"; }
  # what the webhook sent (its request line and Host: header name the
  # destination, which is the user's own setting, not data)
  python3 -c 'import json, sys
for l in open(sys.argv[1]): print(json.loads(l)["body"])' "$RLOG" >"$T/$1.bodies"
}

host=$(hostname)
# leaks FILE: every secret that FILE contains, one per line
leaks() {
  for s in edge-router-7 db-primary 127.0.0.1 127.0.0.2 "$host"; do
    grep -qF -- "$s" "$1" && echo "$s"
  done
  return 0
}

# 1. without redaction the names are there: the checks below can fail
EPORT=$(free_port)
receiver
profile plain false
run plain
[ -n "$(leaks "$T/plain.metrics")" ] || fail "plain /metrics shows no name: the test proves nothing"
[ -n "$(leaks "$T/plain.bodies")" ] || fail "plain webhook shows no name: the test proves nothing"
echo "ok: without redact the sinks see $(leaks "$T/plain.metrics" | tr '\n' ' ')"

# 2. with redaction: pseudonyms only
EPORT=$(free_port)
receiver
profile red true
run red
bad=$(leaks "$T/red.metrics")
[ -z "$bad" ] || { grep -F -- "$(echo "$bad" | head -1)" "$T/red.metrics" | head -5
  fail "redacted /metrics still shows: $bad"; }
bad=$(leaks "$T/red.bodies")
[ -z "$bad" ] || { head -c 2000 "$T/red.bodies"; fail "redacted webhook still shows: $bad"; }
# targets numbered in the profile's order, hops as ip-N
grep -q 'target="target-1"' "$T/red.metrics" || fail "no target-1 label on /metrics"
grep -q 'target="target-2"' "$T/red.metrics" || fail "no target-2 label on /metrics"
grep -q '^bottleneck_hop_rtt_seconds{.*addr="ip-[0-9]*"' "$T/red.metrics" ||
  fail "hop addresses are not ip-N on /metrics"
python3 - "$RLOG" <<'PY' || fail "redacted webhook payload"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
bodies = [json.loads(r["body"]) for r in reqs]
opened = [b for b in bodies if b["state"] == "opened"]
assert opened, bodies
e = opened[0]["episode"]
# db-primary is the second target of the profile
assert e["target"] == "target-2", e
assert opened[0]["context"]["run"]["host"] == "host-1", opened[0]["context"]["run"]
print("ok: webhook payload names target-2 and host-1")
PY
echo "ok: redact: true hides names and addresses from /metrics and the webhook"

# 3. a bad value: one line with the file and line, nothing run
EPORT=$(free_port)
profile bad maybe
"$BN" run -p "$T/bad.yaml" --plugin-dir "$T/fx" --db "$T/bad.db" -d 1s \
  --no-report >"$T/bad.out" 2>"$T/bad.err" && fail "redact: maybe was accepted"
n=$(grep -c "redact must be true or false" "$T/bad.err")
[ "$n" = 2 ] || { cat "$T/bad.err"; fail "$n error lines for two bad entries, want 2"; }
assert_contains "$T/bad.err" "bad.yaml:20:13: exporter 'prometheus': redact must be true or false"
echo "ok: redact: maybe refused with the file and line"
