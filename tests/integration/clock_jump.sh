#!/bin/sh
# clock_jump.sh - a suspend noticed by the core (through the test clock,
# BOTTLENECK_TEST_CLOCK) turns the samples in flight across it into
# invalid samples, not loss; probing carries on on schedule; the report
# leaves them out and says how many.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"

ok_port=$(free_port)
tcp_listener "$ok_port"
# A listener that never accepts, with a full accept queue: further SYNs
# are dropped, so connects to it stay in flight until their timeout.
hang_port=$(free_port)
python3 - "$hang_port" "$T/hang.ready" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(0)
# one connection fills a backlog of 0; a second, not waited for, makes
# sure (its SYN is dropped, as the probes' will be)
fill = [socket.create_connection(("127.0.0.1", int(sys.argv[1])))]
extra = socket.socket()
extra.setblocking(False)
extra.connect_ex(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write("ready")
time.sleep(120)
PY
on_exit "kill $! 2>/dev/null"
# wait until its queue is full (python starts slowly on a loaded machine)
i=0
until [ -s "$T/hang.ready" ]; do
  i=$((i + 1)); [ $i -gt 200 ] && fail "the hanging listener did not start"
  sleep 0.1
done

cat >"$T/p.yaml" <<YAML
name: clockjump
targets:
  - {name: ok, host: 127.0.0.1, port: $ok_port}
  - {name: hang, host: 127.0.0.1, port: $hang_port}
probes:
  - plugin: tcp
    interval: 500ms
    timeout: 2s
reporters:
  - plugin: text
YAML

clockf="$T/clock"
echo "0 0" >"$clockf"
BOTTLENECK_TEST_CLOCK="$clockf" "$BN" run --profile "$T/p.yaml" \
  --duration 6s --db "$T/h.db" >"$T/report.txt" 2>"$T/err.txt" &
pid=$!
sleep 2.5
# Simulate a 30 s suspend: boottime and wall time jump, monotonic not.
echo "30000000000 30000000000" >"$clockf"
wait $pid
rc=$?
cat "$T/report.txt" "$T/err.txt"
[ $rc -eq 0 ] || fail "run exited $rc"

q() { sqlite3 "$T/h.db" "$1"; }
inv=$(q "SELECT count(*) FROM samples_v WHERE target='hang' AND (flags & 2)")
[ "$inv" -ge 2 ] || fail "expected the in-flight probes to be invalid, got $inv"
[ "$(q "SELECT count(*) FROM samples_v WHERE target='ok' AND (flags & 2)")" = 0 ] ||
  fail "ok target has invalid samples (nothing was in flight)"
[ "$(q "SELECT count(*) FROM events WHERE type='clock_suspend'")" = 1 ] ||
  fail "no clock_suspend event stored"
# Probing resumed on schedule: ok kept being probed after the jump.
after=$(q "SELECT count(*) FROM samples_v WHERE target='ok' AND value IS NOT NULL
  AND wall_ns > (SELECT wall_ns FROM events WHERE type='clock_suspend')")
[ "$after" -ge 5 ] || fail "only $after ok samples after the suspend"
grep -q "invalid samples (clock jump or suspend) left out" "$T/report.txt" ||
  fail "report does not say how many samples were left out"
grep -q "suspend of 30.0" "$T/err.txt" || fail "no suspend warning logged"
# Loss of 'hang' counts only the valid ones.
lost=$(q "SELECT count(*) FROM samples_v WHERE target='hang' AND flags = 1")
echo "ok: $inv invalid, $lost lost on hang; $after ok samples after resume"
