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
  # from the first stored sample (start-up takes longer on a loaded
  # machine), measure 1.5 s more, then stop
  i=0
  until [ "$(sqlite3 "$db" 'SELECT count(*) FROM samples' 2>/dev/null)" -ge 1 ] 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 200 ] && fail "SIG$sig: no sample within 10 s"
    sleep 0.05
  done
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
# (with the longest --duration accepted: its timer must not overflow)
"$BN" run --profile "$T/p.yaml" --db "$db" --no-report \
  --duration 9223372036854775806ns >/dev/null 2>&1 &
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

# A signal while the report is written stops bottleneck instead of being
# swallowed by the stopped loop: stdout is a 4 KiB pipe nobody reads, so
# the text report blocks once the run row is closed.
i=0
{
  echo "name: many"
  echo "targets:"
  while [ $i -lt 100 ]; do
    echo "  - {name: target-number-$i, host: 127.0.0.1, port: $port}"
    i=$((i + 1))
  done
  printf 'probes:\n  - plugin: tcp\nreporters:\n  - plugin: text\n'
} >"$T/many.yaml"
python3 - "$T/render.db" "$BN" run --profile "$T/many.yaml" \
  --db "$T/render.db" --duration 1s 2>"$T/err" <<'PY' ||
import fcntl, os, signal, sqlite3, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: the report does not fit
p = subprocess.Popen(sys.argv[2:], stdout=w)
os.close(w)
deadline = time.monotonic() + 30
ended = None
while time.monotonic() < deadline and not ended and p.poll() is None:
    time.sleep(0.2)
    try:
        db = sqlite3.connect(sys.argv[1])
        ended = db.execute("SELECT ended_ns FROM runs").fetchone()[0]
        db.close()
    except (sqlite3.Error, TypeError):
        pass
if not ended:
    sys.exit("run row not closed (exit %s)" % p.poll())
p.send_signal(signal.SIGINT)
try:
    rc = p.wait(10)
except subprocess.TimeoutExpired:
    p.kill()
    sys.exit("SIGINT while rendering the report was ignored")
sys.exit(0 if rc == -signal.SIGINT else "exit %d, want death by SIGINT" % rc)
PY
  { cat "$T/err"; fail "SIGINT during the report"; }
echo "ok: SIGINT during the report stopped it"
