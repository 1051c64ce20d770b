#!/bin/sh
# store_kill9.sh - SIGKILL a process writing to the history store and
# check that the file is intact, that only whole batches survived, and
# that the store opens (and writes) again afterwards.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"

need_cmd sqlite3 "apt-get install sqlite3"

W="$BN_TOP_BUILDDIR/tests/helpers/store_writer"
[ -x "$W" ] || fail "$W not built (make check builds it)"
DB="$T/data/history.db"
BATCH=1000

: >"$T/out"
"$W" "$DB" --batch $BATCH --pause-us 2000 >"$T/out" 2>"$T/err" &
pid=$!
on_exit "kill -9 $pid 2>/dev/null"

i=0
until grep -qx ready "$T/out"; do
  kill -0 $pid 2>/dev/null || { cat "$T/err"; fail "writer died early"; }
  i=$((i + 1))
  [ $i -gt 100 ] && fail "writer not ready after 10 s"
  sleep 0.1
done
# let it commit a few hundred batches, then kill it wherever it is
sleep 0.5
kill -9 $pid
wait $pid 2>/dev/null
[ -s "$T/err" ] && { cat "$T/err"; fail "writer logged errors"; }

ic=$(sqlite3 "$DB" 'PRAGMA integrity_check') || fail "sqlite3 failed"
[ "$ic" = ok ] || fail "integrity_check: $ic"
n=$(sqlite3 "$DB" 'SELECT count(*) FROM samples WHERE run_id = 1')
[ "$n" -gt 0 ] || fail "no samples survived"
[ $((n % BATCH)) -eq 0 ] || fail "$n samples: not whole batches of $BATCH"
fk=$(sqlite3 "$DB" 'PRAGMA foreign_key_check')
[ -z "$fk" ] || fail "foreign key check: $fk"
echo "killed after $n samples ($((n / BATCH)) batches)"

# the store opens the crashed file, reads it and writes a new run
"$W" --check "$DB" >"$T/check" 2>"$T/err" || {
  cat "$T/err"
  fail "store_writer --check failed"
}
assert_contains "$T/check" "runs 2 samples $n"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM runs WHERE exit_status = 0')" = 1 ] ||
  fail "the second run was not recorded"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] ||
  fail "integrity_check failed after reopening"
exit 0
