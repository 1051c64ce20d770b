#!/bin/sh
# run_signal.sh - SIGINT/SIGTERM stop a run cleanly (flush, close, report);
# SIGKILL loses at most the last batch and leaves a db that opens.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"

port=$(free_port)
tcp_listener "$port"
cat >"$T/p.yaml" <<YAML
name: sigtest
targets:
  - {name: here, host: 127.0.0.1, port: $port}
probes:
  - plugin: tcp
    interval: 100ms
reporters:
  - plugin: text
YAML

for sig in INT TERM; do
  db="$T/$sig.db"
  "$BN" run --profile "$T/p.yaml" --db "$db" >"$T/out" 2>"$T/err" &
  pid=$!
  sleep 1.5
  kill -$sig $pid
  wait $pid
  rc=$?
  [ $rc -eq 0 ] || { cat "$T/err"; fail "SIG$sig: exit $rc"; }
  n=$(sqlite3 "$db" "SELECT count(*) FROM samples")
  [ "$n" -ge 8 ] || fail "SIG$sig: only $n samples stored"
  [ "$(sqlite3 "$db" 'SELECT ended_ns IS NOT NULL FROM runs')" = 1 ] ||
    fail "SIG$sig: run not closed"
  assert_contains "$T/out" "here"
  echo "ok: SIG$sig stopped the run with $n samples"
done

# kill -9: the file stays consistent and the next run appends to it.
db="$T/kill.db"
"$BN" run --profile "$T/p.yaml" --db "$db" --no-report >/dev/null 2>&1 &
pid=$!
sleep 2.5
kill -9 $pid
wait $pid 2>/dev/null
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] ||
  fail "db corrupt after kill -9"
n=$(sqlite3 "$db" "SELECT count(*) FROM samples")
[ "$n" -ge 5 ] || fail "kill -9 lost more than the last batch ($n rows)"
"$BN" run --profile "$T/p.yaml" --db "$db" --duration 1s --no-report ||
  fail "db unusable after kill -9"
[ "$(sqlite3 "$db" 'SELECT count(*) FROM runs')" = 2 ] ||
  fail "second run not recorded"
echo "ok: kill -9 kept $n samples; db reopened"
