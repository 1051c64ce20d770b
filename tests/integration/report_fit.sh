#!/bin/sh
# report_fit.sh - a range much longer than its data (issue 16: --since 1h
# over 6 minutes left charts 90 % empty): charts over time fit the span
# with data and the report says which span that is; a range the data
# fills is drawn and said as before.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/m.db" --mini || fail "report_fixture --mini"
# 70 minutes of range, the 10 minutes of the mini set at its end
R="--since 2026-11-19T23:00Z --until 2026-11-20T00:10Z"
# shellcheck disable=SC2086
"$BN" report --db "$T/m.db" -f json $R >"$T/r.json" || fail "json"
# shellcheck disable=SC2086
"$BN" report --db "$T/m.db" -f html $R -o "$T/r.html" 2>/dev/null ||
  fail "html"
# shellcheck disable=SC2086
"$BN" report --db "$T/m.db" $R >"$T/r.txt" || fail "text"
"$BN" report --db "$T/m.db" >"$T/all.txt" || fail "text, the run"
"$BN" report --db "$T/m.db" -f html -o "$T/all.html" 2>/dev/null ||
  fail "html, the run"
python3 "$BN_TOP_SRCDIR/tests/integration/schema_check.py" "$T/r.json" \
  "$BN_TOP_SRCDIR/docs/schemas/report.schema.json" ||
  fail "the model does not match docs/schemas/report.schema.json"
python3 - "$T/r.json" "$T/r.html" <<'PY' || fail "charts do not fit the data"
import json, re, sys
m = json.load(open(sys.argv[1]))["meta"]
assert m["data_since_s"] == 1795132800, m
assert m["data_until_s"] == 1795133400, m
page = open(sys.argv[2]).read()
for name in ("latency over time", "jitter over time"):
    charts = re.findall(r'aria-label="%s">.*?</svg>' % name, page, re.S)
    assert charts, name
    for c in charts:
        ticks = re.findall(r'class="ax xt[^"]*"[^>]*>([^<]*)<', c)
        assert ticks and all(t.startswith("00:") for t in ticks), (name, ticks)
assert "data only 00:00:00" in page, "the page does not say the data's span"
PY
assert_contains "$T/r.txt" "data only 2026-11-20 00:00:00 .. 2026-11-20 00:10:00 UTC"
if grep -q "data only" "$T/all.txt" "$T/all.html"; then
  fail "a range the data fills is said to be partly empty"
fi
echo "report_fit: ok"
