#!/bin/sh
# report_compact.sh - the compact preset shows at most 10 alerts in
# every format (issue 16 saw 164): the most severe are kept (a critical
# one older than 40 warnings is still there), newest first among equals;
# the counts stay those of the range and the report says how many were
# left out; the full preset still lists them all.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/mini.db" --mini || fail "report_fixture"
# 40 more warnings, newer than every event of the mini set (its first
# critical one is at +310 s)
python3 - "$T/mini.db" <<'PY' || fail "adding events"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
t0 = 1795132800 * 10**9  # 2026-11-20T00:00:00Z, the mini set's start
for i in range(40):
    c.execute("INSERT INTO events (run_id, source, target, type, severity,"
              " message, wall_ns) VALUES (1, 'anomaly:test', 'web-1',"
              " 'flood', 1, ?, ?)",
              ("flood warning %02d" % i, t0 + (420 + i) * 10**9))
c.commit()
PY

"$BN" report --db "$T/mini.db" -f json --compact >"$T/c.json" ||
  fail "json --compact"
"$BN" report --db "$T/mini.db" -f json >"$T/f.json" || fail "json"
python3 "$BN_TOP_SRCDIR/tests/integration/schema_check.py" "$T/c.json" \
  "$BN_TOP_SRCDIR/docs/schemas/report.schema.json" ||
  fail "the compact model does not match docs/schemas/report.schema.json"
python3 - "$T/c.json" "$T/f.json" <<'PY' || fail "compact model"
import json, sys
c, f = (json.load(open(p))["alerts"] for p in sys.argv[1:])
n = len(f["items"])
assert n > 40, n
assert "not_shown" not in f
assert len(c["items"]) == 10, len(c["items"])
assert c["not_shown"] == n - 10, (c["not_shown"], n)
assert c["counts"] == f["counts"]
# the critical one (older than the flood) is kept, then the newest
sev = [i["severity"] for i in c["items"]]
assert "critical" in sev, sev
times = [i["time"] for i in c["items"]]
assert times == sorted(times, reverse=True), times
assert "flood warning 39" in [i["message"] for i in c["items"]]
PY

"$BN" report --db "$T/mini.db" -f text --compact >"$T/c.txt" ||
  fail "text --compact"
rows=$(grep -c 'flood warning' "$T/c.txt")
[ "$rows" -le 10 ] || fail "compact text shows $rows flood alerts, want <= 10"
assert_contains "$T/c.txt" "loss 33% to 198.51.100.53"
assert_contains "$T/c.txt" "more not shown (preset compact keeps the most severe)"
"$BN" report --db "$T/mini.db" -f text >"$T/f.txt" || fail "text"
rows=$(grep -c 'flood warning' "$T/f.txt")
[ "$rows" -eq 40 ] || fail "full text shows $rows flood alerts, want 40"

"$BN" report --db "$T/mini.db" -f html --compact -o "$T/c.html" ||
  fail "html --compact"
rows=$(grep -o 'flood warning' "$T/c.html" | wc -l)
[ "$rows" -le 10 ] || fail "compact html shows $rows flood alerts, want <= 10"
assert_contains "$T/c.html" "more not shown (preset compact keeps the most severe)"
echo "report_compact: ok"
