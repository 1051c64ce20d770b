#!/bin/sh
# store_readonly.sh - a history on a read-only mount (issue 14, defect
# 9): `report` opens it read-only and works, also when a killed run left
# a -wal file behind (said so: its rows cannot be merged there); `run`
# refuses it naming the read-only file system.  Also: a run killed with
# SIGKILL is marked interrupted by the next open and leaves range
# reports.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_root
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"

mnt="$T/ro"
mkdir "$mnt"
mount -t tmpfs -o size=8m tmpfs "$mnt" || skip "cannot mount a tmpfs"
on_exit "umount -l '$mnt'"

port=$(free_port)
tcp_listener "$port"
cat >"$T/p.yaml" <<YAML
name: rotest
targets:
  - {name: here, host: 127.0.0.1, port: $port}
probes:
  - plugin: tcp
    interval: 100ms
checks: {enabled: false}
YAML
db="$mnt/h.db"

# a run that ends, then one killed: its rows stay in the -wal file
expect_rc 0 "$BN" run --profile "$T/p.yaml" --db "$db" --duration 1s \
  --no-report
"$BN" run --profile "$T/p.yaml" --db "$db" --duration 60s --no-report \
  >/dev/null 2>&1 &
pid=$!
i=0
until [ "$(sqlite3 "$db" 'SELECT count(*) FROM samples WHERE run_id = 2' 2>/dev/null)" -ge 5 ] 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 200 ] && fail "second run stored nothing"
  sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null
# (no sqlite3 here: closing the last connection would merge the -wal)
[ -s "$db-wal" ] || fail "no -wal file after kill -9"

mount -o remount,ro "$mnt" || skip "cannot remount read-only"
expect_rc 0 "$BN" report --db "$db"
assert_contains "$T/out" "Bottleneck report"
assert_contains "$T/err" "read-only file system"
assert_contains "$T/err" "-wal file"
expect_rc 5 "$BN" run --profile "$T/p.yaml" --db "$db" --duration 1s \
  --no-report
assert_contains "$T/err" "on a read-only file system; remount it read-write"
echo "ok: report on a read-only mount; run refused with the reason"

# writable again: the next open marks the killed run interrupted, ending
# at its last sample, so a report of later times does not include it
mount -o remount,rw "$mnt"
expect_rc 0 "$BN" -v run --profile "$T/p.yaml" --db "$db" --duration 1s \
  --no-report
assert_contains "$T/err" "1 run(s) left running by a process that is gone"
[ "$(sqlite3 "$db" 'SELECT exit_status FROM runs WHERE id = 2')" = -2 ] ||
  fail "killed run: $(sqlite3 "$db" 'SELECT * FROM runs WHERE id = 2')"
[ "$(sqlite3 "$db" 'SELECT ended_ns = (SELECT max(wall_ns) FROM samples
  WHERE run_id = 2) FROM runs WHERE id = 2')" = 1 ] ||
  fail "interrupted run does not end at its last sample"
[ "$(sqlite3 "$db" 'SELECT count(*) FROM runs WHERE ended_ns IS NULL')" = 0 ] ||
  fail "runs left running"
echo "ok: the killed run is marked interrupted"
