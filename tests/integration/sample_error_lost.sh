#!/bin/sh
# sample_error_lost.sh - a sample flagged ERROR counts as lost even when
# the plugin forgot LOST (sdk.h, docs/metrics.md): the fixture-err probe
# emits ERROR-only samples; the stored flags carry LOST, the report's
# loss is 100 % and its sent/lost counts agree, and the run's summary
# says so.  Without the host's rule the report counted every failed
# probe as answered (0 % loss).
. "$(dirname "$0")/lib.sh"

need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
[ -f "${BN_FIXTURE_PLUGINS:-}/errprobe.so" ] || fail "fixture plugin not built"
mkdir "$T/fx" && cp "$BN_FIXTURE_PLUGINS/errprobe.so" "$T/fx/" &&
  chmod 755 "$T/fx"

cat >"$T/p.yaml" <<'YAML'
name: error-lost
targets:
  - {name: a, host: 127.0.0.1}
  - {name: b, host: 127.0.0.2}
probes:
  - plugin: fixture-err
    interval: 50ms
anomaly: []
checks: {enabled: false}
YAML

"$BN" run -p "$T/p.yaml" --plugin-dir "$T/fx" --db "$T/h.db" -d 1s \
  --no-report >"$T/run.out" 2>"$T/run.err" ||
  { cat "$T/run.err"; fail "run failed"; }

# every stored sample carries LOST (bit 0) beside ERROR (bit 4)
counts=$(sqlite3 "$T/h.db" "SELECT count(*), sum(flags & 1), sum(flags & 16)
  FROM samples_v WHERE probe = 'fixture-err'")
echo "stored: $counts (samples, LOST, ERROR/16)"
n=${counts%%|*}
[ "$n" -ge 10 ] || fail "only $n samples stored"
[ "$counts" = "$n|$n|$((16 * n))" ] || fail "not every ERROR sample is LOST"

"$BN" report --db "$T/h.db" -f json >"$T/r.json" ||
  fail "report failed"
python3 - "$T/r.json" <<'PY' || fail "the report does not count the errors as lost"
import json, sys
r = json.load(open(sys.argv[1]))
found = 0
def walk(o):
    global found
    if isinstance(o, dict):
        if o.get("metric") == "err_ms" and "loss_pct" in o:
            found += 1
            print("report:", o.get("target"), "sent", o.get("sent"),
                  "lost", o.get("lost"), "loss_pct", o["loss_pct"])
            assert o["loss_pct"] == 100, o
            if "sent" in o and "lost" in o:
                assert o["sent"] == o["lost"] > 0, o
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(r)
assert found >= 2, "no err_ms rows with loss_pct in the report"
PY
echo "ok: ERROR-only samples are lost in the store and the report"
