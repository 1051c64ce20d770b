#!/bin/sh
# store_small_disk.sh - the history on a small file system (issue 14,
# defect 8), a 4 MiB tmpfs this test mounts:
# - the WAL stays small (checkpointed at an eighth of the free space),
#   not ~40 MB that would fill the disk while the database stays empty;
# - the disk fills up during a run: the failed rows are held in memory,
#   one warning says so with the numbers, and once space is back they
#   are stored, with no "rows lost" message;
# - with a queue too small to hold them, the rows dropped are counted
#   once, and the count matches what is missing from the history.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_root
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"

# Histories made with incremental auto_vacuum (schema 8, docs/history.md)
# did not reach the full disk within the 3 s fill below (no error at all,
# nothing lost, cause not found yet): this tests the disk-full path on a
# file without it, as every history made before schema 8.
export BN_STORE_AUTO_VACUUM=none
mnt="$T/small"
mkdir "$mnt"
mount -t tmpfs -o size=4m tmpfs "$mnt" || skip "cannot mount a tmpfs"
on_exit "umount -l '$mnt'"

port=$(free_port)
tcp_listener "$port"
{
  echo "name: smalldisk"
  echo "targets:"
  i=0
  while [ $i -lt 20 ]; do
    echo "  - {name: t$i, host: 127.0.0.1, port: $port}"
    i=$((i + 1))
  done
  printf 'probes:\n  - plugin: tcp\n    interval: 50ms\n'
  printf 'checks: {enabled: false}\n'
} >"$T/p.yaml"

wait_samples() {
  i=0
  until [ "$(sqlite3 "$1" 'SELECT count(*) FROM samples' 2>/dev/null)" -ge "$2" ] 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 400 ] && fail "no $2 samples in $1 within 20 s"
    sleep 0.05
  done
}

# the largest size FILE reached while PID lives, sampled every 50 ms
max_size() {
  python3 - "$1" "$2" <<'PY'
import os, sys, time
path, pid, top = sys.argv[1], int(sys.argv[2]), 0
while True:
    try:
        os.kill(pid, 0)
    except OSError:
        break
    try:
        top = max(top, os.stat(path).st_size)
    except OSError:
        pass
    time.sleep(0.05)
print(top)
PY
}

# fill the file system up (to ENOSPC), hold it full for $1 s, free it
fill_for() {
  dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null
  sleep "$1"
  rm -f "$mnt/filler"
}

# ---- 1. the WAL stays small; a full disk is survived -------------------
db="$mnt/h.db"
"$BN" -v run --profile "$T/p.yaml" --db "$db" --duration 60s --no-report \
  >"$T/out" 2>"$T/err" &
pid=$!
max_size "$db-wal" $pid >"$T/walmax" &
mp=$!
wait_samples "$db" 100
sleep 2
fill_for 3
sleep 3
kill -INT $pid
wait $pid
rc=$?
wait $mp
[ $rc -eq 0 ] || { cat "$T/err"; fail "run on a disk that filled up: exit $rc"; }
walmax=$(cat "$T/walmax")
echo "largest WAL: $walmax bytes on a 4 MiB file system"
[ "$walmax" -le 1048576 ] || fail "the WAL grew to $walmax bytes"
assert_contains "$T/err" "the disk is full"
assert_contains "$T/err" "holding"
assert_contains "$T/err" "writing again"
[ "$(grep -c "holding" "$T/err")" = 1 ] || fail "warned more than once"
if grep -q "rows were lost\|rows lost\|not stored" "$T/err"; then
  fail "rows reported lost: $(cat "$T/err")"
fi
emitted=$(sed -n 's/.*ended: \([0-9]*\) samples.*/\1/p' "$T/err")
stored=$(sqlite3 "$db" "SELECT count(*) FROM samples")
[ -n "$emitted" ] && [ "$stored" = "$emitted" ] ||
  fail "$stored samples stored of $emitted"
echo "ok: disk full for 3 s, all $stored samples stored"

# ---- 2. a queue too small: drops are counted once and add up ----------
rm -f "$mnt"/h.db*
BN_STORE_QUEUE_MAX=100 "$BN" -v run --profile "$T/p.yaml" --db "$db" \
  --duration 60s --no-report >"$T/out" 2>"$T/err" &
pid=$!
wait_samples "$db" 100
fill_for 3
sleep 2
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 5 ] || { cat "$T/err"; fail "rows dropped, yet exit $rc"; }
[ "$(grep -c "new rows are dropped" "$T/err")" = 1 ] ||
  fail "no single drop warning: $(cat "$T/err")"
dropped=$(sed -n 's/.*: \([0-9]*\) rows were not stored: \([0-9]*\) dropped.*/\2/p' "$T/err")
emitted=$(sed -n 's/.*ended: \([0-9]*\) samples.*/\1/p' "$T/err")
stored=$(sqlite3 "$db" "SELECT count(*) FROM samples")
[ -n "$dropped" ] && [ "$dropped" -gt 0 ] || fail "no drop count: $(cat "$T/err")"
[ $((stored + dropped)) = "$emitted" ] ||
  fail "$stored stored + $dropped dropped != $emitted emitted"
echo "ok: $dropped rows dropped and counted, $stored stored, $emitted emitted"
