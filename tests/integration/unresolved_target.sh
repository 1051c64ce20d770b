#!/bin/sh
# unresolved_target.sh - a target whose name never resolves stays in the
# report: its tcp and icmp probes are failed probes (LOST | ERROR, loss
# 100 % in the summary) and an alert says why ("cannot resolve").  Runs
# in a network namespace of its own with loopback only, so that the
# resolver's questions go nowhere.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root for a network namespace (unshare -n)"
need_cmd unshare "apt-get install util-linux"

cat >"$T/p.yaml" <<EOF2
name: unresolved
targets:
  - {name: here, host: 127.0.0.1, port: 9}
  - {name: nowhere, host: nosuch.invalid, port: 443}
probes:
  - {plugin: tcp, targets: [here, nowhere], interval: 250ms, timeout: 200ms}
  - {plugin: icmp, targets: [nowhere], interval: 500ms, count: 2}
EOF2
unshare -n sh -c "ip link set lo up; '$BN' run --profile '$T/p.yaml' \
  --duration 2s --db '$T/h.db'" >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run exited $?"; }
"$BN" report --db "$T/h.db" -f json >"$T/r.json" || fail "report json"
"$BN" report --db "$T/h.db" -f text >"$T/r.txt" || fail "report text"
python3 - "$T/r.json" <<'PY' || { cat "$T/r.txt"; fail "the unresolved target is not reported with its reason"; }
import json, sys
m = json.load(open(sys.argv[1]))
rows = {(r["target"], r["probe"]): r for r in m["summary"]["targets"]}
for probe in ("tcp", "icmp"):
    r = rows.get(("nowhere", probe))
    assert r, "no summary row for nowhere/%s: %s" % (probe, sorted(rows))
    assert r["sent"] >= 2 and r["loss_pct"] == 100, r
why = [a for a in m["alerts"]["items"]
       if a["target"] == "nowhere" and "cannot resolve 'nosuch.invalid'"
       in (a["message"] or "")]
assert len(why) == 2, m["alerts"]["items"]  # once per probe instance
PY
grep -q "^nowhere .*100\.0" "$T/r.txt" || { cat "$T/r.txt"; fail "text summary"; }
echo "unresolved target reported with its reason"
