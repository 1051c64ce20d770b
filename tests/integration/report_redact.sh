#!/bin/sh
# report_redact.sh - `bottleneck report --redact`: no host name, target
# name or address of the mini data set survives in any format (text,
# json, html, charts and path view included), and the pseudonyms are the
# same for the same input in every section.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/mini.db" --mini || fail "report_fixture"
for f in text json html; do
  "$BN" report --db "$T/mini.db" -f $f --redact -o "$T/r.$f" 2>"$T/err" ||
    { cat "$T/err"; fail "report -f $f --redact"; }
  for secret in web-1 dns-a testhost 192.0.2.10 192.0.2.1 192.0.2.9 \
    10.0.0.1 198.51.100.53 speed.example.net 'onerror=alert(1)' \
    'onerror=alert(1)&gt;' 'img src=x'; do
    if grep -qF -- "$secret" "$T/r.$f"; then
      grep -nF -- "$secret" "$T/r.$f" | head -3
      fail "'$secret' survives in the $f report"
    fi
  done
done
# the same target has the same pseudonym in every section
python3 - "$T/r.json" <<'PY' || fail "pseudonyms are not stable"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["meta"]["redacted"] is True
names = {r["target"] for r in m["summary"]["targets"]}
assert names == {"target-1", "target-2", "target-3"}, names
web = [t["target"] for t in m["paths"]["targets"]][0]
assert web in names
alerts = {i["target"] for i in m["alerts"]["items"]}
assert web in alerts, (web, alerts)
hops = [h["addr"] for h in m["paths"]["targets"][0]["latest"]["paths"][0]["hops"]]
assert all(a.startswith("ip-") for a in hops), hops
change = m["paths"]["targets"][0]["changes"][0]
assert change["new_addr"] == hops[1], (change, hops)
assert m["meta"]["host"].startswith("host-")
msgs = " ".join(i["message"] for i in m["alerts"]["items"])
assert "ip-" in msgs, msgs
print("pseudonyms:", sorted(names), "hops", hops)
PY
# the file name of a redacted report carries the pseudonym
(cd "$T" && "$BN" report --db "$T/mini.db" -f html --redact 2>/dev/null) ||
  fail "html"
ls "$T"/bottleneck-mini-host-1-20261120.html >/dev/null ||
  fail "redacted file name: $(ls "$T")"
echo "nothing of the original names or addresses in text, json, html"
