#!/bin/sh
# store_lock.sh - another process holding the history locked cannot
# stall the measurement loop (issue 14, defects 1 and 2):
# - a second connection holds an exclusive write lock for 10 s while a
#   run probes every 100 ms: probing goes on at the rate measured
#   outside the lock, no stored RTT exceeds the timeout, and the rows
#   held back land once the lock is released;
# - two runs write the same history at once, both complete;
# - a history really locked: the error names the lock and the pid of
#   the process holding it, not the disk.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
exclusive

port=$(free_port)
tcp_listener "$port"
cat >"$T/p.yaml" <<YAML
name: locktest
targets:
  - {name: a, host: 127.0.0.1, port: $port}
  - {name: b, host: 127.0.0.1, port: $port}
probes:
  - plugin: tcp
    interval: 100ms
    timeout: 1s
reporters:
  - plugin: text
checks: {enabled: false}
YAML
db="$T/h.db"

# hold DB locked (BEGIN EXCLUSIVE and a write) for $2 s; prints the wall
# times (ns) at which the lock was taken and released
hold_lock() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN EXCLUSIVE")
c.execute("CREATE TABLE IF NOT EXISTS lock_test (x)")
c.execute("INSERT INTO lock_test VALUES (1)")
print(time.time_ns(), flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
print(time.time_ns(), flush=True)
PY
}

wait_samples() {
  i=0
  until [ "$(sqlite3 "$1" 'SELECT count(*) FROM samples' 2>/dev/null)" -ge "$2" ] 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 400 ] && fail "no $2 samples in $1 within 20 s"
    sleep 0.05
  done
}

# ---- 1. a 10 s lock during a 100 ms run ----------------------------------
"$BN" run --profile "$T/p.yaml" --db "$db" --duration 30s --no-report \
  >"$T/out" 2>"$T/err" &
pid=$!
wait_samples "$db" 20
sleep 2 # a baseline without the lock
hold_lock "$db" 10 >"$T/lock" || fail "could not take the lock"
sleep 2 # and after it
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 0 ] || { cat "$T/err"; fail "run under a lock: exit $rc"; }
t0=$(sed -n 1p "$T/lock")
t1=$(sed -n 2p "$T/lock")
q() { sqlite3 "$db" "$1"; }
# rates (samples/s) inside the lock (minus 0.5 s at each end) and outside
inside=$(q "SELECT count(*) FROM samples WHERE wall_ns BETWEEN $t0 + 5e8 AND $t1 - 5e8")
read -r first last total <<EOF
$(q "SELECT min(wall_ns), max(wall_ns), count(*) FROM samples" | tr '|' ' ')
EOF
outside=$((total - $(q "SELECT count(*) FROM samples WHERE wall_ns BETWEEN $t0 AND $t1")))
rates=$(python3 -c "
inside, outside = $inside, $outside
span_in = ($t1 - $t0 - 1e9) / 1e9
span_out = (($last - $first) - ($t1 - $t0)) / 1e9
print('%.2f %.2f' % (inside / span_in, outside / span_out))")
r_in=${rates% *}
r_out=${rates#* }
echo "rates: $r_in/s under the lock, $r_out/s outside ($total samples)"
python3 -c "import sys; sys.exit(not ($r_in >= 0.8 * $r_out and $r_out > 10))" ||
  fail "probing slowed under the lock: $r_in/s vs $r_out/s outside"
# no valid RTT beyond the 1 s timeout
big=$(q "SELECT count(*) FROM samples WHERE value > 1000 AND (flags & 2) = 0")
[ "$big" = 0 ] || fail "$big valid RTTs above the timeout"
# the held-back rows are stored, and said so; nothing lost
assert_contains "$T/err" "holding"
assert_contains "$T/err" "(pid "
assert_contains "$T/err" "writing again"
if grep -q "not stored" "$T/err"; then fail "rows lost: $(cat "$T/err")"; fi
[ "$(q 'SELECT exit_status FROM runs WHERE id = 1')" = 0 ] ||
  fail "run not closed: $(q 'SELECT * FROM runs')"
echo "ok: 10 s lock, $inside samples stored from inside it"

# ---- 2. two runs on one history at once -------------------------------------
db2="$T/two.db"
"$BN" run --profile "$T/p.yaml" --db "$db2" --duration 4s --no-report \
  2>"$T/err1" &
p1=$!
"$BN" run --profile "$T/p.yaml" --db "$db2" --duration 4s --no-report \
  2>"$T/err2" &
p2=$!
wait $p1 || { cat "$T/err1"; fail "first of two runs failed"; }
wait $p2 || { cat "$T/err2"; fail "second of two runs failed"; }
for r in 1 2; do
  n=$(sqlite3 "$db2" "SELECT count(*) FROM samples WHERE run_id = $r")
  [ "$n" -ge 40 ] || fail "run $r of two stored $n samples"
  [ "$(sqlite3 "$db2" "SELECT exit_status FROM runs WHERE id = $r")" = 0 ] ||
    fail "run $r of two not closed"
done
echo "ok: two runs at once"

# ---- 3. really locked: the error names the holder ---------------------------
hold_lock "$db2" 9 >"$T/lock2" &
hp=$!
i=0
until [ -s "$T/lock2" ]; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "lock not taken"; sleep 0.05
done
# the python process holding the lock is the child of the subshell
holder=$(pgrep -P $hp python3 || echo $hp)
expect_rc 5 "$BN" run --profile "$T/p.yaml" --db "$db2" --duration 1s \
  --no-report
assert_contains "$T/err" "database is locked"
assert_contains "$T/err" "another process (pid $holder"
if grep -q "disk space" "$T/err"; then fail "wrong hint: $(cat "$T/err")"; fi
wait $hp
echo "ok: a locked history is reported as locked, by pid $holder"
