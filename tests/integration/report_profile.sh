#!/bin/sh
# report_profile.sh - a range over runs of two profiles (issue 16): the
# title names every profile measured over the range (not only the last
# run's), and --profile with a range keeps that profile's runs only, in
# every section, both from the samples (<= 2 h) and from the rollups.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

# home: 1 h of target-00 from 00:00; lab: 1 h of target-00 and -01 from
# 01:30 (2026-11-20, UTC)
"$FIXTURE" "$T/h.db" --hours 1 --targets 1 --profile home 2>/dev/null ||
  fail "report_fixture home"
"$FIXTURE" "$T/h.db" --hours 1 --targets 2 --profile lab --offset-min 90 \
  2>/dev/null || fail "report_fixture lab"
for p in home lab; do
  printf 'name: %s\nstore: %s\ntargets:\n  - {name: t, host: 127.0.0.1}\n' \
    "$p" "$T/h.db" >"$T/$p.yaml"
done

check() { # NAME ARGS...: the JSON model into $T/NAME.json
  name=$1
  shift
  "$BN" report --db "$T/h.db" -f json "$@" >"$T/$name.json" 2>"$T/err" ||
    { cat "$T/err"; fail "report $*"; }
}
# 3 h (rollups) and 100 min (samples, the lab run's first 10 minutes)
check all --since 2026-11-20T00:00Z --until 2026-11-20T03:00Z
check lab -p "$T/lab.yaml" --since 2026-11-20T00:00Z --until 2026-11-20T03:00Z
check home -p "$T/home.yaml" --since 2026-11-20T00:00Z \
  --until 2026-11-20T03:00Z
check lab_s -p "$T/lab.yaml" --since 2026-11-20T00:00Z \
  --until 2026-11-20T01:40Z
check home_s -p "$T/home.yaml" --since 2026-11-20T00:00Z \
  --until 2026-11-20T01:40Z
python3 - "$T" <<'PY' || fail "profiles over a range"
import json, sys
T = sys.argv[1]
def load(n):
    return json.load(open("%s/%s.json" % (T, n)))
def sent(m):
    return {r["target"]: r["sent"] for r in m["summary"]["targets"]}
a, lab, home = load("all"), load("lab"), load("home")
assert a["meta"]["profiles"] == ["home", "lab"], a["meta"]
assert a["meta"]["profile"] == "home, lab", a["meta"]["profile"]
assert a["meta"]["runs"] == [1, 2]
assert sent(a) == {"target-00": 7200, "target-01": 3600}, sent(a)
assert lab["meta"]["profile"] == "lab" and lab["meta"]["runs"] == [2]
assert lab["meta"]["profiles"] == ["lab"]
assert sent(lab) == {"target-00": 3600, "target-01": 3600}, sent(lab)
assert home["meta"]["profile"] == "home" and home["meta"]["runs"] == [1]
assert sent(home) == {"target-00": 3600}, sent(home)
assert {s["target"] for s in home["latency"]["series"]} == {"target-00"}
ls, hs = load("lab_s"), load("home_s")
assert ls["summary"]["percentiles"] == "exact", ls["summary"]
assert sent(ls) == {"target-00": 600, "target-01": 600}, sent(ls)
assert sent(hs) == {"target-00": 3600}, sent(hs)
PY
for f in all lab; do
  python3 "$BN_TOP_SRCDIR/tests/integration/schema_check.py" "$T/$f.json" \
    "$BN_TOP_SRCDIR/docs/schemas/report.schema.json" ||
    fail "the model ($f) does not match docs/schemas/report.schema.json"
done
# the title of the text and HTML reports
"$BN" report --db "$T/h.db" --since 2026-11-20T00:00Z \
  --until 2026-11-20T03:00Z >"$T/all.txt" || fail "text"
head -3 "$T/all.txt" | grep -q 'home, lab' ||
  { head -3 "$T/all.txt"; fail "the text title does not name both profiles"; }
"$BN" report --db "$T/h.db" --since 2026-11-20T00:00Z \
  --until 2026-11-20T03:00Z -f html -o "$T/all.html" || fail "html"
grep -q '<title>[^<]*home, lab' "$T/all.html" ||
  fail "the HTML title does not name both profiles"
# a profile with no run: said so
printf 'name: none\nstore: %s\ntargets:\n  - {name: t, host: 127.0.0.1}\n' \
  "$T/h.db" >"$T/none.yaml"
if "$BN" report -p "$T/none.yaml" --since 2026-11-20T00:00Z >"$T/o" \
  2>"$T/err"; then
  fail "a profile with no run reported"
fi
assert_contains "$T/err" "no run of profile 'none'"
echo "report_profile: ok"
