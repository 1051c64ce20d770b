#!/bin/sh
# report_golden.sh - `bottleneck report` on the mini data set
# (tests/helpers/report_fixture --mini: ten minutes, three targets, one
# named with markup, events, a check, speed tests, a path change): the
# model (json), text in each preset and the HTML page are compared byte
# for byte with tests/golden/report_mini*.  BN_UPDATE_GOLDEN=1 rewrites
# the golden files instead (then review the diff).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"
GOLDEN="$BN_TOP_SRCDIR/tests/golden"
export SOURCE_DATE_EPOCH=1795219200 # "generated" 2026-11-21T00:00:00Z

"$FIXTURE" "$T/mini.db" --mini || fail "report_fixture"
check_golden() { # NAME ARGS...
  name=$1
  shift
  "$BN" report --db "$T/mini.db" "$@" -o "$T/$name" 2>"$T/err" ||
    { cat "$T/err"; fail "report $*"; }
  if [ "${BN_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$T/$name" "$GOLDEN/$name"
    echo "updated $GOLDEN/$name"
  elif ! cmp -s "$T/$name" "$GOLDEN/$name"; then
    diff -u "$GOLDEN/$name" "$T/$name" | head -40
    fail "$name differs from tests/golden/$name (BN_UPDATE_GOLDEN=1 to update)"
  fi
}
check_golden report_mini.json -f json
check_golden report_mini.txt -f text
check_golden report_mini_ops.txt -f text --ops
check_golden report_mini_compact.txt -f text --preset compact
check_golden report_mini.html -f html

# the model matches its documented schema, in every preset and redacted
for args in "" "--ops" "--compact" "--redact"; do
  # shellcheck disable=SC2086
  "$BN" report --db "$T/mini.db" -f json $args >"$T/m.json" || fail "json $args"
  python3 "$BN_TOP_SRCDIR/tests/integration/schema_check.py" "$T/m.json" \
    "$BN_TOP_SRCDIR/docs/schemas/report.schema.json" ||
    fail "the model ($args) does not match docs/schemas/report.schema.json"
done

# The same model whichever way the range is given: --run 1, the range
# of the run, the last run by default.
"$BN" report --db "$T/mini.db" -f json --run 1 >"$T/a.json" || fail "--run"
"$BN" report --db "$T/mini.db" -f json --since 2026-11-20T00:00:00Z \
  --until 2026-11-20T00:10:00Z >"$T/b.json" || fail "--since/--until"
python3 - "$T/a.json" "$T/b.json" <<'PY' || fail "range models differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for k in ("summary", "speedtests", "paths"):
    assert a[k] == b[k], k
for k in ("items", "counts"):
    assert a["alerts"][k] == b["alerts"][k], k
assert a["meta"]["runs"] == b["meta"]["runs"] == [1]
PY
# --target keeps that target's rows only, in every section
"$BN" report --db "$T/mini.db" -f json --target web-1 >"$T/t.json" ||
  fail "--target"
python3 - "$T/t.json" <<'PY' || fail "--target"
import json, sys
m = json.load(open(sys.argv[1]))
assert {r["target"] for r in m["summary"]["targets"]} == {"web-1"}
assert {s["target"] for s in m["latency"]["series"]} == {"web-1"}
assert all(i["target"] in ("web-1", None) for i in m["alerts"]["items"])
assert [t["target"] for t in m["paths"]["targets"]] == ["web-1"]
PY
# a range with nothing in it: every section says so
"$BN" report --db "$T/mini.db" --since 2026-11-22 --until 2026-11-23 \
  >"$T/empty.txt" 2>"$T/err" || fail "empty range"
assert_contains "$T/empty.txt" "no latency samples in this range"
assert_contains "$T/empty.txt" "no speed tests in this range"
assert_contains "$T/empty.txt" "no traceroute rounds in this range"
echo "golden reports match"
