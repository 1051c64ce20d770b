#!/bin/sh
# anomaly_baseline.sh - the anomaly baselines persist (docs/anomaly.md):
# a first run against a listening port on loopback learns the latency
# baseline of its series and stores it in the history; `bottleneck
# baseline show` prints it (text and --json, one target, an unknown
# target is exit 1); a second run, too short to learn a baseline from
# scratch (fewer samples than the warmup), starts from the stored one and
# stores it again at its end (same "since", newer update), so a restart
# does not relearn.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"

UP=$(free_port)
tcp_listener "$UP"

cat >"$T/p.yaml" <<YAML
name: anomaly-baseline
targets:
  - {name: up, host: 127.0.0.1, port: $UP}
probes:
  - plugin: tcp
    interval: 100ms
    timeout: 500ms
anomaly:
  - plugin: fusion
    warmup: 30
YAML

q() { sqlite3 "$T/h.db" "$1"; }

expect_rc 0 "$BN" run --profile "$T/p.yaml" --duration 6s --db "$T/h.db" \
  --no-report
q "SELECT source, target, probe, metric, kind, centre, spread, loss_rate,
   since_ns, samples FROM baselines" | tee "$T/b1"
[ "$(q "SELECT count(*) FROM baselines WHERE source = 'fusion' AND
        target = 'up' AND probe = 'tcp' AND metric = 'rtt_ms' AND
        kind = 'latency' AND samples >= 30 AND centre > 0 AND spread > 0
        AND loss_rate = 0")" = 1 ] ||
  fail "run 1 stored no latency baseline for up/tcp/rtt_ms"
since1=$(q "SELECT since_ns FROM baselines WHERE kind = 'latency'")
upd1=$(q "SELECT updated_ns FROM baselines WHERE kind = 'latency'")

expect_rc 0 "$BN" baseline show --db "$T/h.db"
cat "$T/out"
grep -E '^up +tcp +rtt_ms +latency +[0-9.]+ +[0-9.]+ +0\.00 +20[0-9-]+T[0-9:]+Z +[0-9]+ fusion$' \
  "$T/out" >/dev/null || fail "baseline show: no row for up"
expect_rc 0 "$BN" baseline show up --json --db "$T/h.db"
python3 - "$T/out" <<'PY' || fail "baseline show --json"
import json, sys
rows = json.load(open(sys.argv[1]))
lat = [r for r in rows if r["kind"] == "latency"]
assert len(lat) == 1 and lat[0]["target"] == "up", rows
assert lat[0]["samples"] >= 30 and lat[0]["centre"] > 0, lat
assert lat[0]["source"] == "fusion" and lat[0]["since"].endswith("Z"), lat
PY
expect_rc 1 "$BN" baseline show nosuchtarget --db "$T/h.db"
assert_contains "$T/err" "no baseline stored for nosuchtarget"
expect_rc 2 "$BN" baseline list --db "$T/h.db"

# Run 2: 1.5 s is 15 samples, half the warmup: only a restored baseline
# can be in force (and stored again) at its end.
expect_rc 0 "$BN" run --profile "$T/p.yaml" --duration 1500ms --db "$T/h.db" \
  --no-report
[ "$(q "SELECT count(DISTINCT run_id) FROM samples")" = 2 ] ||
  fail "want two runs"
[ "$(q "SELECT count(*) FROM samples s, runs r WHERE s.run_id = r.id AND
        r.id = (SELECT max(id) FROM runs)")" -lt 30 ] ||
  fail "run 2 had a warmup's worth of samples; shorten it"
since2=$(q "SELECT since_ns FROM baselines WHERE kind = 'latency'")
upd2=$(q "SELECT updated_ns FROM baselines WHERE kind = 'latency'")
echo "since $since1 -> $since2, updated $upd1 -> $upd2"
[ "$since2" = "$since1" ] || fail "run 2 relearned the baseline"
[ "$upd2" -gt "$upd1" ] || fail "run 2 did not start from the stored baseline"

# persist_baselines: false neither loads nor stores.
sed -i 's/warmup: 30/warmup: 30\n    persist_baselines: false/' "$T/p.yaml"
expect_rc 0 "$BN" run --profile "$T/p.yaml" --duration 1500ms --db "$T/h.db" \
  --no-report
[ "$(q "SELECT updated_ns FROM baselines WHERE kind = 'latency'")" = "$upd2" ] ||
  fail "persist_baselines: false still stored the baseline"

# Reports show the baselines in force under the episodes.
expect_rc 0 "$BN" report --db "$T/h.db" --format text
sed -n '/^== Episodes/,/^== Summary/p' "$T/out"
assert_contains "$T/out" "baselines in force:"
grep -E '^up +tcp +rtt_ms +latency +[0-9.]+ +[0-9.]+ +0\.00 +20' "$T/out" \
  >/dev/null || fail "text report: no baseline row for up"
expect_rc 0 "$BN" report --db "$T/h.db" --format json
python3 "$BN_TOP_SRCDIR/tests/integration/schema_check.py" "$T/out" \
  "$BN_TOP_SRCDIR/docs/schemas/report.schema.json" ||
  fail "json report does not match docs/schemas/report.schema.json"
python3 - "$T/out" <<'PY' || fail "json report: baselines"
import json, sys
b = json.load(open(sys.argv[1]))["episodes"]["baselines"]
assert any(x["target"] == "up" and x["kind"] == "latency" and
           x["samples"] >= 30 for x in b), b
PY
