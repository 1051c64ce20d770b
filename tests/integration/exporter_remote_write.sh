#!/bin/sh
# exporter_remote_write.sh - the `remote_write` exporter against a real
# Prometheus (Debian `prometheus`, on a loopback port with its own data
# dir and --web.enable-remote-write-receiver):
#  1. a `bottleneck run` remote-writes; every stored tcp sample is in
#     Prometheus with its value and time (rw_compare.py), under `agent`;
#  2. an outage: Prometheus is stopped for BN_RW_OUTAGE seconds (60 by
#     default) during a run and started again: every sample arrives, none
#     twice (the points Prometheus holds = the points the exporter sent);
#     the queue file is then empty;
#  3. a receiver answering 400 (webhook_receiver.py): no retry, the
#     refusal logged with the plugin's name; one answering 500 twice:
#     the same body is tried again, then delivered;
#  4. a tiny queue_max during an outage: the oldest are dropped, counted
#     and logged;
#  5. consent: metrics.test (pinned to 127.0.0.1) is no loopback name:
#     without consent not a byte is sent and the refusal says why; with
#     `consent: [metrics.test]` everything arrives;
#  6. bad options: one line naming the plugin and the option;
#  7. three agents (three UTS namespaces, so three host names, the
#     default agent label) write to one Prometheus at once: each one's
#     samples are under its own agent (needs root for unshare -u).
. "$(dirname "$0")/lib.sh"

need_cmd prometheus "apt-get install prometheus"
need_cmd curl "apt-get install curl"
need_cmd python3 "apt-get install python3"
need_cmd sqlite3 "apt-get install sqlite3"
[ -f "$BN_PLUGIN_STAGE/exporter_remote_write.so" ] ||
  skip "exporter_remote_write not built (apt-get install libprotobuf-c-dev protobuf-c-compiler libsnappy-dev)"
CMP="python3 $BN_TOP_SRCDIR/tests/integration/rw_compare.py"
RECV="$BN_TOP_SRCDIR/tests/integration/webhook_receiver.py"
OUTAGE=${BN_RW_OUTAGE:-60}

open=$(free_port)
tcp_listener "$open"
closed=$(free_port)
pport=$(free_port)
P="http://127.0.0.1:$pport"
W="$P/api/v1/write"
TAG="[exporter:remote_write:remote_write]"

echo "global: {scrape_interval: 1h}" >"$T/prometheus.yml"
ppid=""
prom_start() {
  prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/pdata" \
    --web.listen-address="127.0.0.1:$pport" --web.enable-remote-write-receiver \
    >>"$T/prom.log" 2>&1 &
  ppid=$!
  i=0
  until curl -sf "$P/-/ready" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -gt 600 ] && { tail "$T/prom.log"; fail "prometheus not ready in 60 s"; }
    kill -0 $ppid 2>/dev/null || { tail "$T/prom.log"; fail "prometheus died"; }
    sleep 0.1
  done
}
prom_stop() {
  kill "$ppid" 2>/dev/null
  wait "$ppid" 2>/dev/null
  ppid=""
}
on_exit '[ -n "$ppid" ] && prom_stop'
prom_start

# profile NAME URL AGENT INTERVAL [EXTRA EXPORTER OPTIONS...]
profile() {
  name=$1 url=$2 agent=$3 iv=$4
  shift 4
  {
    cat <<YAML
name: $name
targets:
  - {name: open, host: 127.0.0.1, port: $open}
  - {name: closed, host: 127.0.0.1, port: $closed}
probes:
  - {plugin: tcp, interval: $iv}
exporters:
  - plugin: remote_write
    url: $url
    queue: $T/$name.queue
    interval: 200ms
YAML
    [ "$agent" = - ] || echo "    agent: $agent"
    for o in "$@"; do echo "    $o"; done
  } >"$T/$name.yaml"
}
# sent LOG: the points the exporter says it sent
sent() {
  sed -n 's/.* points queued this run, \([0-9]*\) sent in .*/\1/p' "$1" | tail -1
}

# 1. a run on loopback
profile basic "$W" agent-a 100ms
"$BN" run -v -p "$T/basic.yaml" --db "$T/basic.db" -d 4s --no-report \
  >"$T/basic.out" 2>"$T/basic.err" || { cat "$T/basic.err"; fail "run"; }
grep -q "$TAG" "$T/basic.err" || { cat "$T/basic.err"; fail "no log line of the exporter"; }
n=$(sent "$T/basic.err")
$CMP "$P" "$T/basic.db" agent-a "$n" || { cat "$T/basic.err"; fail "run 1: Prometheus differs from the store"; }
# the values: an answered port and a refused one, under agent-a
v=$(curl -sf "$P/api/v1/query" --data-urlencode \
  'query=avg_over_time(bottleneck_probe_success{agent="agent-a",target="open",probe="tcp",metric="rtt_ms"}[1h])' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
[ "$v" = 1 ] || fail "probe success of the listening port is $v, not 1"
v=$(curl -sf "$P/api/v1/query" --data-urlencode \
  'query=max_over_time(bottleneck_probe_success{agent="agent-a",target="closed"}[1h])' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
[ "$v" = 0 ] || fail "probe success of the closed port is $v, not 0"
v=$(curl -sf "$P/api/v1/query" --data-urlencode \
  'query=bottleneck_remote_write_refused_total{agent="agent-a"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
[ "$v" = 0 ] || fail "refused_total is $v"
echo "ok: run on loopback: every sample in Prometheus ($n points sent)"

# 2. outage: Prometheus down for $OUTAGE s in the middle of a run
dur=$((OUTAGE + 12))
profile outage "$W" agent-o 200ms "backoff: 200ms" "backoff_max: 2s"
"$BN" run -v -p "$T/outage.yaml" --db "$T/outage.db" -d "${dur}s" --no-report \
  >"$T/outage.out" 2>"$T/outage.err" &
bpid=$!
on_exit "kill $bpid 2>/dev/null"
sleep 4
# the queue is held by that run: a second run on it is refused
"$BN" run -p "$T/outage.yaml" --db "$T/second.db" -d 1s --no-report \
  >"$T/second.out" 2>"$T/second.err" && fail "a second run on the same queue started"
assert_contains "$T/second.err" "$TAG queue: $T/outage.queue is in use by another run"
prom_stop
echo "prometheus stopped for $OUTAGE s"
sleep "$OUTAGE"
prom_start
wait $bpid || { cat "$T/outage.err"; fail "run with an outage"; }
n=$(sent "$T/outage.err")
$CMP "$P" "$T/outage.db" agent-o "$n" ||
  { cat "$T/outage.err"; fail "outage: samples lost or sent twice"; }
assert_contains "$T/outage.err" "$TAG $W: Couldn't connect to server; keeping the points queued"
assert_contains "$T/outage.err" "accepts again after"
left=$(sqlite3 "$T/outage.queue" 'SELECT count(*) FROM samples')
[ "$left" = 0 ] || fail "$left points left in the queue after the run"
echo "ok: $OUTAGE s outage: no sample lost, none twice"

# 3. a receiver that refuses (400): no retry; one failing twice (500)
RP=$(free_port)
python3 "$RECV" "$RP" "$T/r400.log" 400 &
on_exit "kill $! 2>/dev/null"
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $RP), 0.2)" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "receiver did not start"
  sleep 0.1
done
profile r400 "http://127.0.0.1:$RP/write" agent-r 100ms "backoff: 100ms"
"$BN" run -v -p "$T/r400.yaml" --db "$T/r400.db" -d 2s --no-report \
  >"$T/r400.out" 2>"$T/r400.err" || { cat "$T/r400.err"; fail "run (400)"; }
python3 - "$T/r400.log" <<'PY' || fail "the 400 receiver's log"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) >= 3, len(reqs)
bodies = [r["body"] for r in reqs]
assert len(set(bodies)) == len(bodies), "a refused body was sent again"
for r in reqs:
    h = r["headers"]
    assert r["method"] == "POST" and r["path"] == "/write", r
    assert h["content-encoding"] == "snappy", h
    assert h["content-type"] == "application/x-protobuf", h
    assert h["x-prometheus-remote-write-version"] == "0.1.0", h
print(f"ok: 400: {len(reqs)} requests, each body once, remote-write headers")
PY
assert_contains "$T/r400.err" "$TAG http://127.0.0.1:$RP/write refused"
assert_contains "$T/r400.err" "with HTTP 400 (ok); dropped, not sent again (1 refusals"
grep -q "stay in" "$T/r400.err" && fail "refused points were kept"

RP=$(free_port)
python3 "$RECV" "$RP" "$T/r500.log" 500,500,204 &
on_exit "kill $! 2>/dev/null"
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $RP), 0.2)" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "receiver did not start"
  sleep 0.1
done
profile r500 "http://127.0.0.1:$RP/write" agent-r 100ms "backoff: 100ms"
"$BN" run -v -p "$T/r500.yaml" --db "$T/r500.db" -d 2s --no-report \
  >"$T/r500.out" 2>"$T/r500.err" || { cat "$T/r500.err"; fail "run (500)"; }
python3 - "$T/r500.log" <<'PY' || fail "the 500 receiver's log"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) >= 4, len(reqs)
b = [r["body"] for r in reqs]
assert b[0] == b[1] == b[2], "the failed body was not tried again as it was"
assert len(set(b[2:])) == len(b) - 2, "a delivered body was sent again"
assert reqs[2]["t"] - reqs[1]["t"] >= 0.9 * 2 * (reqs[1]["t"] - reqs[0]["t"]) - 0.05 or reqs[2]["t"] - reqs[1]["t"] >= 0.19, "no backoff"
print(f"ok: 500, 500, then 204: the same body three times, then {len(b) - 3} more")
PY
grep -q "stay in" "$T/r500.err" && { cat "$T/r500.err"; fail "points left after 204"; }

# a request still in flight when the run ends is waited for, not cut
# short and sent again (Prometheus would refuse the repeat as out of order)
RP=$(free_port)
python3 "$RECV" "$RP" "$T/rslow.log" slow:3,204 &
on_exit "kill $! 2>/dev/null"
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $RP), 0.2)" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "receiver did not start"
  sleep 0.1
done
profile rslow "http://127.0.0.1:$RP/write" agent-s 100ms
"$BN" run -v -p "$T/rslow.yaml" --db "$T/rslow.db" -d 2s --no-report \
  >"$T/rslow.out" 2>"$T/rslow.err" || { cat "$T/rslow.err"; fail "run (slow)"; }
python3 - "$T/rslow.log" <<'PY' || { cat "$T/rslow.err"; fail "the slow receiver's log"; }
import json, sys
b = [json.loads(l)["body"] for l in open(sys.argv[1])]
assert len(b) >= 2, len(b)
assert len(set(b)) == len(b), "a body was sent twice"
print(f"ok: a slow answer at the end of the run is waited for: {len(b)} bodies, each once")
PY
grep -q "stay in" "$T/rslow.err" && { cat "$T/rslow.err"; fail "points left after a slow answer"; }

# 4. queue_max during an outage: the oldest are dropped and counted
profile tiny "http://127.0.0.1:$closed/write" agent-t 50ms "queue_max: 100" \
  "batch: 50" "flush_timeout: 0s"
"$BN" run -v -p "$T/tiny.yaml" --db "$T/tiny.db" -d 6s --no-report \
  >"$T/tiny.out" 2>"$T/tiny.err" || { cat "$T/tiny.err"; fail "run (tiny queue)"; }
assert_contains "$T/tiny.err" "$TAG queue full (queue_max 100 points): dropping the oldest"
left=$(sqlite3 "$T/tiny.queue" 'SELECT count(*) FROM samples')
dropped=$(sqlite3 "$T/tiny.queue" "SELECT value FROM meta WHERE key='dropped'")
[ "$left" -le 100 ] && [ "$left" -ge 90 ] || fail "queue holds $left points, bound 100"
[ "$dropped" -gt 20 ] || fail "only $dropped points counted as dropped"
assert_contains "$T/tiny.err" "points not sent yet stay in $T/tiny.queue"
assert_contains "$T/tiny.err" "refused, $dropped dropped (queue full)"
echo "ok: queue_max 100: $left kept, $dropped dropped and counted"

# 5. consent for a destination that is not loopback
cw="http://metrics.test:$pport/api/v1/write"
profile nocons "$cw" agent-c 100ms "resolve: [\"metrics.test:$pport:127.0.0.1\"]"
"$BN" run -v -p "$T/nocons.yaml" --db "$T/nocons.db" -d 1s --no-report \
  </dev/null >"$T/nocons.out" 2>"$T/nocons.err" || { cat "$T/nocons.err"; fail "run (no consent)"; }
assert_contains "$T/nocons.err" "$TAG not started: no consent to send data to $cw"
[ ! -e "$T/nocons.queue" ] || fail "no consent, yet the queue file was made"
got=$(curl -sf "$P/api/v1/query" --data-urlencode 'query=count({agent="agent-c"})' |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["result"]))')
[ "$got" = 0 ] || fail "no consent, yet Prometheus has series of agent-c"
echo "consent: [metrics.test]" >>"$T/nocons.yaml"
"$BN" run -v -p "$T/nocons.yaml" --db "$T/cons.db" -d 2s --no-report \
  </dev/null >"$T/cons.out" 2>"$T/cons.err" || { cat "$T/cons.err"; fail "run (consent)"; }
$CMP "$P" "$T/cons.db" agent-c "$(sent "$T/cons.err")" ||
  { cat "$T/cons.err"; fail "with consent: Prometheus differs from the store"; }
echo "ok: consent: nothing sent without it, everything with it"

# 6. bad options: one line naming the plugin and the option
bad() { # DESCRIPTION EXPECTED OPTIONS...
  what=$1 want=$2
  shift 2
  {
    printf 'name: bad\ntargets: [{name: open, host: 127.0.0.1, port: %s}]\n' "$open"
    printf 'probes: [{plugin: tcp}]\nexporters:\n  - plugin: remote_write\n'
    for o in "$@"; do echo "    $o"; done
  } >"$T/bad.yaml"
  "$BN" run -p "$T/bad.yaml" --db "$T/bad.db" -d 1s --no-report \
    >"$T/bad.out" 2>"$T/bad.err" && fail "$what: the run started"
  assert_contains "$T/bad.err" "$want"
  [ "$(grep -c 'error:' "$T/bad.err")" = 1 ] ||
    { cat "$T/bad.err"; fail "$what: more than one error line"; }
  echo "ok: $what: $(grep -F "$want" "$T/bad.err" | head -1)"
}
bad "ftp url" "url: 'ftp://x/' is not an http:// or https:// URL" \
  "url: ftp://x/" "queue: $T/b.q"
bad "no queue" "queue" "url: $W"
bad "queue_max too small" "queue_max" "url: $W" "queue: $T/b.q" "queue_max: 5"
bad "queue in a missing directory" "queue: cannot make $T/no/such/dir/q.db in $T/no/such/dir: No such file or directory; create the directory or give another path" \
  "url: $W" "queue: $T/no/such/dir/q.db"
bad "resolve without an address" "resolve: 'nocolon' is not HOST:PORT:ADDRESS" \
  "url: $W" "queue: $T/b.q" "resolve: [nocolon]"
bad "batch above queue_max" "batch (5000) must not exceed queue_max (1000)" \
  "url: $W" "queue: $T/b.q" "queue_max: 1000" "batch: 5000"

# 7. three agents at once, told apart by their host names
if ! unshare -u true 2>/dev/null; then
  echo "note: unshare -u not permitted: three-agent case not run"
  exit 0
fi
for a in 1 2 3; do
  profile "multi$a" "$W" - 100ms
  unshare -u sh -c "hostname rw-agent-$a && exec \"$BN\" run -v -p $T/multi$a.yaml --db $T/multi$a.db -d 3s --no-report" \
    >"$T/multi$a.out" 2>"$T/multi$a.err" &
  eval "mpid$a=$!"
done
for a in 1 2 3; do
  eval "wait \$mpid$a" || { cat "$T/multi$a.err"; fail "agent $a: run failed"; }
done
for a in 1 2 3; do
  $CMP "$P" "$T/multi$a.db" "rw-agent-$a" "$(sent "$T/multi$a.err")" ||
    { cat "$T/multi$a.err"; fail "agent rw-agent-$a: Prometheus differs from its store"; }
done
echo "ok: three agents, each under its host name"
