#!/bin/sh
# run_lab.sh - end to end: `bottleneck run --profile profiles/lab.yaml
# --duration 3s` against TCP listeners this test starts on loopback, then
# check the rows in the history db and the text report.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"

# The lab profile's targets: lab-web (127.0.0.1:47080) and lab-web6
# ([::1]:47080) answer; lab-closed (127.0.0.1:47081) refuses.
tcp_listener 47080
python3 - <<'PY' &
import socket, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
for i in range(100):  # see tcp_listener in lib.sh
    try:
        s.bind(("::1", 47080))
        break
    except OSError:
        if i == 99:
            raise
        time.sleep(0.1)
s.listen(512)
while True:
    c, _ = s.accept()
    c.close()
PY
on_exit "kill $! 2>/dev/null"
i=0
until ss -Hltn 'sport = :47080' | grep -q '::1'; do
  i=$((i + 1)); [ $i -gt 120 ] && fail "listener on [::1]:47080 did not start"; sleep 0.1
done

db="$T/history.db"
"$BN" run --profile "$BN_TOP_SRCDIR/profiles/lab.yaml" --duration 3s \
  --db "$db" >"$T/report.txt" 2>"$T/err.txt"
rc=$?
cat "$T/report.txt"
[ $rc -eq 0 ] || { cat "$T/err.txt"; fail "run exited $rc"; }

q() { sqlite3 "$db" "$1"; }
[ "$(q 'PRAGMA journal_mode')" = wal ] || fail "db is not in WAL mode"
[ "$(q 'SELECT count(*) FROM runs')" = 1 ] || fail "expected one run row"
[ "$(q 'SELECT exit_status FROM runs')" = 0 ] || fail "run exit_status not 0"
[ "$(q 'SELECT profile FROM runs')" = lab ] || fail "run profile not lab"
q 'SELECT ended_ns > started_ns FROM runs' | grep -qx 1 ||
  fail "run has no end time"
[ "$(q 'SELECT length(profile_hash) FROM runs')" = 64 ] ||
  fail "profile hash missing"

# ~3 probes a target at 1s intervals: allow 2..4 each.
ok=$(q "SELECT count(*) FROM samples_v WHERE target='lab-web'
        AND metric='rtt_ms' AND value IS NOT NULL AND flags=0")
[ "$ok" -ge 2 ] && [ "$ok" -le 4 ] || fail "lab-web has $ok good samples"
ok6=$(q "SELECT count(*) FROM samples_v WHERE target='lab-web6'
         AND value IS NOT NULL")
[ "$ok6" -ge 2 ] || fail "lab-web6 has $ok6 good samples"
lost=$(q "SELECT count(*) FROM samples_v WHERE target='lab-closed'
          AND value IS NULL AND (flags & 1) = 1")
[ "$lost" -ge 2 ] || fail "lab-closed has $lost lost samples"
q "SELECT max(value) < 100 FROM samples_v WHERE target='lab-web'" |
  grep -qx 1 || fail "loopback RTT above 100 ms"

assert_contains "$T/report.txt" "profile lab"
assert_contains "$T/report.txt" "LOSS%"
grep -E '^ *lab-web +tcp' "$T/report.txt" | grep -qE ' 0\.0+ ' ||
  fail "lab-web row should show 0 loss"
grep -E '^ *lab-closed +tcp' "$T/report.txt" | grep -qE ' 100\.0+ ' ||
  fail "lab-closed row should show 100 loss"

# The stored run can be rendered again, with another reporter.
"$BN" report --db "$db" --reporter json --output "$T/again.json" ||
  fail "bottleneck report failed"
python3 - "$T/again.json" <<'PY' || fail "report --reporter json is wrong"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["meta"]["runs"] == [1] and r["meta"]["profile"] == "lab", r["meta"]
rows = {(s["target"], s["probe"]): s for s in r["summary"]["targets"]}
assert rows[("lab-closed", "tcp")]["loss_pct"] == 100.0
assert rows[("lab-web", "tcp")]["loss_pct"] == 0.0
PY
"$BN" report --db "$db" --run 1 >"$T/again.txt" || fail "report --run 1"
cmp -s "$T/again.txt" "$T/report.txt" ||
  { diff "$T/report.txt" "$T/again.txt"; fail "report differs from the run's"; }
"$BN" report --db "$db" --run 99 2>"$T/err99" && fail "run 99 exists?"
assert_contains "$T/err99" "has no run 99"
echo "ok: $ok lab-web samples, $lost lost on lab-closed"
