#!/bin/sh
# exporter_webhook.sh - the `webhook` exporter against a python3 receiver
# on loopback (webhook_receiver.py), with scripted episodes from the
# test_episodes fixture: the payload (episode, context, run), the
# HMAC-SHA256 signature, one delivery per state change with the same
# idempotency key on every try, retries after a 500, a receiver slower
# than the timeout and an answer that is not HTTP, no retry after a 400,
# the severity threshold, and the consent gate: a destination that is
# not loopback by name (pinned to 127.0.0.1 with `resolve:`) gets
# nothing without consent, and the decisions are stored with the run.
. "$(dirname "$0")/lib.sh"

need_cmd python3 "apt-get install python3"
need_cmd sqlite3 "apt-get install sqlite3"
[ -f "$BN_PLUGIN_STAGE/exporter_webhook.so" ] ||
  skip "exporter_webhook not built (libcurl, json-c, libssl-dev)"
[ -f "${BN_FIXTURE_PLUGINS:-}/episodes.so" ] || fail "fixture plugin not built"
mkdir "$T/fx" && cp "$BN_FIXTURE_PLUGINS/episodes.so" "$T/fx/" &&
  chmod 755 "$T/fx"
RECV="$BN_TOP_SRCDIR/tests/integration/webhook_receiver.py"
port=$(free_port)
tcp_listener "$port"

# receiver SCRIPT: start a receiver answering as SCRIPT says; sets RP, RLOG
receiver() {
  RP=$(free_port)
  RLOG="$T/recv.$RP.log"
  : >"$RLOG"
  python3 "$RECV" "$RP" "$RLOG" "$1" &
  on_exit "kill $! 2>/dev/null"
  i=0
  until python3 -c "import socket; socket.create_connection(('127.0.0.1', $RP), 0.2)" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "receiver did not start"
    sleep 0.1
  done
}

# profile NAME URL EXTRA-WEBHOOK-OPTIONS [TOP-LEVEL-YAML]
profile() {
  cat >"$T/$1.yaml" <<YAML
name: $1
targets:
  - {name: up, host: 127.0.0.1, port: $port}
  - {name: other, host: 127.0.0.1, port: $port}
probes:
  - plugin: tcp
    interval: 100ms
anomaly:
  - plugin: test_episodes
    name: crit
    target: up
    open_at: 3
    close_at: 12
  - plugin: test_episodes
    name: warn
    target: other
    severity: warning
    open_at: 3
    close_at: 12
exporters:
  - plugin: webhook
    url: "$2"
    secret: s3cret
    backoff: 200ms
    timeout: 1s
$3
${4:-}
YAML
}

run() { # PROFILE [ARGS]: a 4 s run (the episode closes 1.2 s after the first sample)
  p=$1
  shift
  "$BN" run -p "$T/$p.yaml" --plugin-dir "$T/fx" --db "$T/$p.db" -d 4s \
    --no-report "$@" >"$T/$p.out" 2>"$T/$p.err" ||
    { cat "$T/$p.err"; fail "$p: bottleneck run failed"; }
}

# 1. payload, signature, 500 then 200, threshold, idempotency
receiver "500,200"
profile basic "http://127.0.0.1:$RP/hook" ""
run basic
python3 - "$RLOG" <<'PY' || { cat "$T/basic.err"; fail "basic delivery"; }
import hashlib, hmac, json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) == 3, [(r["answer"], r["body"][:80]) for r in reqs]
for r in reqs:
    assert r["method"] == "POST" and r["path"] == "/hook", r
    assert r["headers"]["content-type"] == "application/json", r["headers"]
    sig = hmac.new(b"s3cret", r["body"].encode(), hashlib.sha256).hexdigest()
    assert r["headers"]["x-bottleneck-signature"] == "sha256=" + sig, r
    d = json.loads(r["body"])
    assert d["idempotency_key"] == r["headers"]["idempotency-key"]
# the 500 is tried again with the same key and body; then "resolved"
assert reqs[0]["answer"] == "500" and reqs[1]["answer"] == "200"
assert reqs[0]["body"] == reqs[1]["body"]
a, b = json.loads(reqs[1]["body"]), json.loads(reqs[2]["body"])
assert a["state"] == "opened" and b["state"] == "resolved", (a, b)
assert a["idempotency_key"] != b["idempotency_key"]
e = a["episode"]
# only the critical episode (target up): the warning one is below
assert e["target"] == "up" and e["severity"] == "critical", e
assert e["source"] == "crit" and e["type"] == "test_episode", e
assert 0 < e["confidence"] <= 1 and e["start"].endswith("Z"), e
assert "peak" in e and e["peak"]["score"] >= e["confidence"], e
c = a["context"]
st = c["target_stats"]
assert st["samples"] >= 2 and st["lost"] == 0, st
assert 0 < st["latency_ms_median"] < 1000 and st["loss_ratio"] == 0, st
assert c["run"]["profile"] == "basic" and c["run"]["id"] >= 1, c["run"]
assert c["run"]["host"], c["run"]
assert b["episode"]["end"] >= b["episode"]["start"], b
print("ok: payload, signature, 500 then 200 (same key), resolved")
PY
echo "ok: basic delivery"

# 2. min_severity warning: both episodes, 4 deliveries
receiver "200"
profile warn "http://127.0.0.1:$RP/hook" "    min_severity: warning"
run warn
n=$(grep -c '"answer": "200"' "$RLOG")
[ "$n" = 4 ] || { cat "$RLOG"; fail "min_severity warning: $n deliveries, want 4"; }
echo "ok: min_severity warning delivers both episodes"

# 3. a slow receiver (3 s > timeout 1 s), then prompt answers
receiver "slow:3,200"
profile slow "http://127.0.0.1:$RP/hook" ""
run slow
python3 - "$RLOG" <<'PY' || fail "slow receiver"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
keys = [r["headers"]["idempotency-key"] for r in reqs]
# opened (timed out, then again), then resolved: in order
assert reqs[0]["answer"] == "slow:3" and keys[0] == keys[1], keys
assert len(keys) == 3 and keys[2].endswith("resolved"), keys
print("ok: timed out, tried again with the same key")
PY

# 3b. the run ends while a retry waits: flush sends it before exiting
receiver "slow:3,200"
profile ending "http://127.0.0.1:$RP/hook" ""
sed -i 's/close_at: 12/close_at: 100000/' "$T/ending.yaml"
"$BN" run -p "$T/ending.yaml" --plugin-dir "$T/fx" --db "$T/ending.db" \
  -d 1500ms --no-report >"$T/ending.out" 2>"$T/ending.err" ||
  { cat "$T/ending.err"; fail "ending: bottleneck run failed"; }
python3 - "$RLOG" <<'PY' || { cat "$T/ending.err"; fail "flush at the end of the run"; }
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["answer"] for r in reqs] == ["slow:3", "200"], reqs
assert reqs[0]["body"] == reqs[1]["body"]
print("ok: the retry pending at the end of the run was sent by flush")
PY

# 4. an answer that is not HTTP, then 200
receiver "garbage,200"
profile garbage "http://127.0.0.1:$RP/hook" ""
run garbage
python3 - "$RLOG" <<'PY' || fail "garbage answer"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["answer"] for r in reqs] == ["garbage", "200", "200"], reqs
assert reqs[0]["body"] == reqs[1]["body"]
print("ok: garbage answer, then delivered")
PY

# 5. a 400 is not tried again
receiver "400"
profile refused "http://127.0.0.1:$RP/hook" ""
run refused
# opened (400, given up) and resolved (400): one request each
n=$(grep -c '"idempotency-key": "[^"]*-opened"' "$RLOG")
[ "$n" = 1 ] || { cat "$RLOG"; fail "400: opened sent $n times, want 1 (no retry)"; }
assert_contains "$T/refused.err" "HTTP 400; not sent again"
echo "ok: no retry after a 400"

# 6. consent: alerts.test is no loopback name (pinned to 127.0.0.1)
receiver "200"
url="http://alerts.test:$RP/hook"
pin="    resolve: [\"alerts.test:$RP:127.0.0.1\"]"
profile noconsent "$url" "$pin"
run noconsent </dev/null
[ ! -s "$RLOG" ] || { cat "$RLOG"; fail "no consent, yet the receiver got data"; }
n=$(grep -c "no consent" "$T/noconsent.err")
[ "$n" = 1 ] || { cat "$T/noconsent.err"; fail "$n refusal lines, want 1"; }
assert_contains "$T/noconsent.err" "[exporter:webhook:webhook] not started: no consent to send data to $url"
got=$(sqlite3 "$T/noconsent.db" "SELECT severity || ' ' || message FROM events WHERE type = 'consent'")
case "$got" in
"1 exporter:webhook:webhook may not send data to $url: refused"*) ;;
*) fail "stored decision: '$got'" ;;
esac
# the measurements went on
[ "$(sqlite3 "$T/noconsent.db" 'SELECT count(*) FROM samples')" -gt 10 ] ||
  fail "the run stopped with the refusal"
echo "ok: no consent: nothing sent, one line, decision stored"

profile consent "$url" "$pin" "consent: [alerts.test]"
run consent </dev/null
n=$(wc -l <"$RLOG")
[ "$n" = 2 ] || { cat "$T/consent.err"; fail "consent in the profile: $n requests, want 2"; }
got=$(sqlite3 "$T/consent.db" "SELECT message FROM events WHERE type = 'consent'")
case "$got" in *"may send data to $url: granted by the profile"*) ;; *) fail "stored: $got" ;; esac
: >"$RLOG"
run noconsent --consent </dev/null
n=$(wc -l <"$RLOG")
[ "$n" = 2 ] || fail "--consent: $n requests, want 2"
echo "ok: consent by the profile and by --consent"

# 7. on a terminal: the y/N question (default no)
answer() { # ANSWER: run noconsent on a pty, answering the question
  python3 - "$1" "$BN" run -p "$T/noconsent.yaml" --plugin-dir "$T/fx" \
    --db "$T/tty.db" -d 4s --no-report <<'PY' >"$T/tty.out" 2>&1
import os, pty, sys, time
answer = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
buf, asked = b"", False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    buf += chunk
    if not asked and b"Allow? [y/N]" in buf:
        os.write(fd, answer.encode() + b"\n")
        asked = True
_, st = os.waitpid(pid, 0)
sys.stdout.write(buf.decode("utf-8", "replace"))
sys.exit(0 if asked and os.WEXITSTATUS(st) == 0 else 1)
PY
}
: >"$RLOG"
answer y || { cat "$T/tty.out"; fail "tty: no question, or the run failed"; }
assert_contains "$T/tty.out" "wants to send data to $url, off this machine"
n=$(wc -l <"$RLOG")
[ "$n" = 2 ] || { cat "$T/tty.out"; fail "answered y: $n requests, want 2"; }
: >"$RLOG"
answer "" || { cat "$T/tty.out"; fail "tty: no question, or the run failed"; }
[ ! -s "$RLOG" ] || fail "answered nothing (default no), yet data was sent"
assert_contains "$T/tty.out" "not started: no consent"
echo "ok: y/N on a terminal (y sends, the default does not)"
