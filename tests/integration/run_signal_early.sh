#!/bin/sh
# run_signal_early.sh - signals while the pre-flight checks wait: SIGINT
# and SIGTERM while a check waits on a resolver that never answers
# (timeout 20 s; the checks run beside the probes) close the run cleanly
# and at once (exit 0, the run row ended, the unfinished checks given
# up with a warning) instead of killing the process with the run left
# "running" or waiting out the timeout; SIGHUP while measuring stops
# cleanly too (it does not reload: docs/run.md).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"

# a UDP "resolver" that reads queries and never answers
uport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', $uport))
open('$T/silent.ready', 'w').close()
while True:
    s.recvfrom(4096)
" &
silent=$!
on_exit "kill $silent 2>/dev/null"
i=0
until [ -e "$T/silent.ready" ]; do
  i=$((i + 1)); [ $i -gt 200 ] && fail "silent resolver did not start"
  sleep 0.05
done
port=$(free_port)
tcp_listener "$port"
cat >"$T/p.yaml" <<YAML
name: early
targets:
  - {name: here, host: 127.0.0.1, port: $port}
probes:
  - plugin: tcp
    interval: 100ms
checks: {resolvers: ["127.0.0.1:$uport"], timeout: 20s, gateway: false,
         mtu: false}
YAML

for sig in INT TERM; do
  db="$T/$sig.db"
  "$BN" run --profile "$T/p.yaml" --db "$db" --no-report -v \
    >"$T/out" 2>"$T/err" &
  pid=$!
  # the run row exists once the checks start
  i=0
  until [ "$(sqlite3 "$db" 'SELECT count(*) FROM runs' 2>/dev/null)" = 1 ] 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 400 ] && { cat "$T/err"; fail "SIG$sig: no run row within 20 s"; }
    sleep 0.05
  done
  sleep 0.5
  t0=$(date +%s)
  kill -$sig $pid
  wait $pid
  rc=$?
  t1=$(date +%s)
  [ $rc -eq 0 ] || { cat "$T/err"; fail "SIG$sig during the checks: exit $rc"; }
  [ $((t1 - t0)) -lt 15 ] || fail "SIG$sig: took $((t1 - t0)) s to stop"
  [ "$(sqlite3 "$db" 'SELECT ended_ns IS NOT NULL FROM runs')" = 1 ] ||
    fail "SIG$sig during the checks: run left open"
  assert_contains "$T/err" "stopping on SIG$sig"
  assert_contains "$T/err" "pre-flight checks still waiting on the network at the stop"
  echo "ok: SIG$sig during the checks closed the run in $((t1 - t0)) s"
done

# SIGHUP while measuring: a clean stop
sed -i 's/^checks:.*/checks: {enabled: false}/; /^ *mtu: false}$/d' "$T/p.yaml"
db="$T/HUP.db"
"$BN" run --profile "$T/p.yaml" --db "$db" --no-report >"$T/out" 2>"$T/err" &
pid=$!
i=0
until [ "$(sqlite3 "$db" 'SELECT count(*) FROM samples' 2>/dev/null)" -ge 1 ] 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 400 ] && { cat "$T/err"; fail "SIGHUP: no sample within 20 s"; }
  sleep 0.05
done
kill -HUP $pid
wait $pid
rc=$?
[ $rc -eq 0 ] || { cat "$T/err"; fail "SIGHUP: exit $rc"; }
[ "$(sqlite3 "$db" 'SELECT ended_ns IS NOT NULL FROM runs')" = 1 ] ||
  fail "SIGHUP: run left open"
echo "ok: SIGHUP stopped the run cleanly"
