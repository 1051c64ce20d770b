#!/bin/sh
# sim_import.sh - `bottleneck import --format omnetpp|cdf-csv`
# (docs/simulation.md) on real OMNeT++ result files (tests/data/omnetpp)
# and generated ones:
#  - a .vec: one run of kind sim with the run's attributes, every data
#    line a sample at the run's datetime + simulation time, a mapped
#    vector (seconds) stored as a latency in ms, the rest as gauges with
#    their unit attribute;
#  - a .vec and a .sca of the same run id: one run (scalars too);
#  - an OMNeT++ 4.0 file without a version line; a version 3 file with
#    itervar/config/par lines, quoting and escapes; a mapping file;
#  - a CDF CSV: N samples drawn from it, its quantiles reproduced;
#  - bad input: exit 1 and exactly one FILE:LINE:COL line, nothing
#    imported (no database created, or an existing one unchanged), also
#    when the bad file comes after a good one; bad --map is exit 2.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
D="$BN_TOP_SRCDIR/tests/data/omnetpp"
q() { sqlite3 "$T/h.db" "$1"; }

# 1. OneFifo: 10 vectors, "total lifetime" mapped to a latency in s.
expect_rc 0 "$BN" import --format omnetpp "$D/OneFifo-0.vec" \
  --map 'total lifetime=latency:s' --db "$T/h.db"
cat "$T/out"
lines=$(grep -c '^[0-9]' "$D/OneFifo-0.vec")
assert_contains "$T/out" "imported $lines samples of 10 series and 0 scalar(s) as sim run 1"
assert_contains "$T/out" "run id OneFifo-0-20081210-11:48:12-11130, config OneFifo, repetition 0, seedset 0"
assert_contains "$T/out" "total lifetime -> latency in ms"
[ "$(q "SELECT kind, profile FROM runs WHERE id = 1")" = "sim|sim-omnetpp" ] ||
  fail "run 1 is not of kind sim"
for kv in "configname|OneFifo" "repetition|0" "seedset|0" "network|SimpleQueue" \
  "runid|OneFifo-0-20081210-11:48:12-11130" "iterationvars2|\$repetition=0"; do
  [ "$(q "SELECT count(*) FROM run_attrs WHERE run_id = 1 AND
          key || '|' || value = '$kv'")" = 1 ] || fail "run attr $kv missing"
done
[ "$(q "SELECT count(*) FROM samples WHERE run_id = 1")" = "$lines" ] ||
  fail "not one sample per data line"
# vector 0 is "total lifetime" (SimpleQueue.sink): 1.340831700958 s at
# simulation time 2.540824900056 s, the run's datetime 20081210-11:48:12
# (read as UTC: 1228909692 s)
[ "$(q "SELECT printf('%.6f %d', value, wall_ns) FROM samples_v WHERE run_id = 1
        AND target = 'SimpleQueue.sink' AND metric = 'total lifetime'
        ORDER BY wall_ns LIMIT 1")" = "1340.831701 1228909694540824900" ] ||
  fail "first total lifetime sample: $(q "SELECT value, wall_ns FROM samples_v
        WHERE metric = 'total lifetime' ORDER BY wall_ns LIMIT 1")"
[ "$(q "SELECT unit || ' ' || role FROM metrics WHERE probe = 'omnetpp/OneFifo' AND
        metric = 'total lifetime'")" = "ms latency" ] || fail "lifetime role"
[ "$(q "SELECT unit || ' ' || role FROM metrics WHERE probe = 'omnetpp/OneFifo' AND
        metric = 'length'")" = "1 gauge" ] || fail "an unmapped vector"

# 2. PureAloha1: .vec and .sca of the same run are one run; the
# vectors' unit attrs stay with unmapped gauges.
expect_rc 0 "$BN" import --format omnetpp "$D/PureAloha1-0.vec" \
  "$D/PureAloha1-0.sca" --db "$T/h.db"
cat "$T/out"
vl=$(grep -c '^[0-9]' "$D/PureAloha1-0.vec")
assert_contains "$T/out" "imported $((vl + 6)) samples of 3 series and 6 scalar(s) as sim run 2"
[ "$(q "SELECT count(*) FROM runs")" = 2 ] || fail "the .vec and .sca made two runs"
[ "$(q "SELECT printf('%.6f', value) FROM samples_v WHERE run_id = 2 AND
        metric = 'channel utilization' AND wall_ns = (SELECT started_ns FROM
        runs WHERE id = 2)")" = "0.144243" ] || fail "scalar 'channel utilization'"
[ "$(q "SELECT unit FROM metrics WHERE probe = 'omnetpp/PureAloha1' AND
        metric = 'collision length'")" = "s" ] || fail "unit attr of a vector"

# 3. TokenRing1 (OMNeT++ 4.0, no version line): "End-to-End Delay" is a
# latency by default (names ending in "delay").
expect_rc 0 "$BN" import --format omnetpp "$D/TokenRing1-0.vec" --db "$T/h.db"
assert_contains "$T/out" "End-to-End Delay -> latency in ms"
tl=$(grep -c '^[0-9]' "$D/TokenRing1-0.vec")
assert_contains "$T/out" "imported $tl samples"
expect_rc 0 "$BN" import --format omnetpp "$D/PureAlohaExperiment-3.sca" --db "$T/h.db"
assert_contains "$T/out" "repetition 1, seedset 3"

# 4. Version 3 with quoting, escapes, itervar/config/par, a TV vector,
# and a mapping file.
printf '%s\n' 'version 3' 'run "General-0-2026\x41"' \
  'attr configname General' 'attr datetime 20261204-15:00:00' \
  'attr repetition 2' 'attr seedset 7' \
  'itervar rate "10 Mbit\/s"' 'config sim-time-limit 100s' \
  'par Net.host "send interval" "exponential(\"1s\")"' \
  '# a comment' '' \
  'vector 0 Net.sink "queue \"delay\"" TV' 'attr unit s' \
  'vector 1 Net.sink drops ETV' \
  '0 0.5 0.002' '0  1.5 0.004' '1 3 2 0.01' \
  'statistic Net.sink "delay hist"' 'field count 2' 'bin -inf 0' 'bin 0 2' \
  >"$T/v3.vec"
printf '%s\n' '# mapping' 'queue "delay"=latency:s' 'drops=loss:ratio' >"$T/map"
expect_rc 0 "$BN" import --format omnetpp "$T/v3.vec" --map-file "$T/map" \
  --target sim-link --db "$T/h.db"
cat "$T/out"
assert_contains "$T/out" "imported 3 samples of 2 series and 0 scalar(s) as sim run 5 (run id General-0-2026A, config General, repetition 2, seedset 7)"
[ "$(q "SELECT value FROM run_attrs WHERE run_id = 5 AND key = 'itervar rate'")" = "10 Mbit/s" ] ||
  fail "itervar with an escape"
[ "$(q "SELECT value FROM run_attrs WHERE run_id = 5 AND key = 'config sim-time-limit'")" = "100s" ] ||
  fail "config line"
[ "$(q "SELECT group_concat(printf('%s %s %g', target, metric, value), ';') FROM
        (SELECT * FROM samples_v WHERE run_id = 5 ORDER BY wall_ns)")" = \
  'sim-link queue "delay" 2;sim-link queue "delay" 4;sim-link drops 1' ] ||
  fail "v3 samples: $(q "SELECT target, metric, value FROM samples_v WHERE run_id = 5")"
[ "$(q "SELECT (max(wall_ns) - min(wall_ns)) FROM samples WHERE run_id = 5")" = 1500000000 ] ||
  fail "v3 sample times"
# each model's names under its own probe instance: the report shows the
# mapped latency of the run
[ "$(q "SELECT DISTINCT se.probe FROM samples s JOIN series se ON se.id = s.series_id
        WHERE run_id = 5")" = "omnetpp/General" ] || fail "probe instance of run 5"
expect_rc 0 "$BN" report --run 5 --db "$T/h.db" -f json
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
s = json.dumps(r)
assert "queue \\\"delay\\\"" in s, "the mapped latency is not in the report"
' "$T/out" || fail "report of a sim run"

# 5. A CDF CSV: uniform from 10 to 30 ms, 1000 samples by default.
printf '%s\n' 'value,cumulative probability' '10,0' '20,0.5' '30,1' >"$T/rtt.csv"
expect_rc 0 "$BN" import --format cdf-csv "$T/rtt.csv" --db "$T/h.db" \
  --target gw --map 'rtt=latency:ms'
cat "$T/out"
assert_contains "$T/out" "imported 1000 samples of 1 series"
[ "$(q "SELECT count(*), printf('%.2f %.2f %.2f', min(value), avg(value), max(value))
        FROM samples_v WHERE run_id = 6 AND target = 'gw' AND metric = 'rtt'")" = \
  "1000|10.01 20.00 29.99" ] || fail "CDF samples: $(q "SELECT count(*), min(value),
        avg(value), max(value) FROM samples WHERE run_id = 6")"
[ "$(q "SELECT kind FROM runs WHERE id = 6")" = sim ] || fail "CDF run kind"
expect_rc 0 "$BN" import --format cdf-csv "$T/rtt.csv" --cdf-points 10 --db "$T/h.db"
assert_contains "$T/out" "imported 10 samples"

# 6. Bad input: exactly one FILE:LINE:COL line, nothing imported.
runs=$(q "SELECT count(*) FROM runs")
samples=$(q "SELECT count(*) FROM samples")
bad_case() { # FILE WANT-LINE
  expect_rc 1 "$BN" import --format "$fmt" "$D/OneFifo-0.vec" "$1" --db "$T/h.db"
  [ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err"; fail "want one error line"; }
  assert_contains "$T/err" "$2"
  [ "$(q "SELECT count(*) FROM runs")" = "$runs" ] &&
    [ "$(q "SELECT count(*) FROM samples")" = "$samples" ] ||
    fail "a failed import wrote something"
}
fmt=omnetpp
sed '30s/\t[^\t]*$/\tbogus/' "$D/OneFifo-0.vec" >"$T/bad1.vec"
grep -q bogus "$T/bad1.vec" || fail "test setup: no bogus line"
col=$(sed -n 30p "$T/bad1.vec" | awk -F'\t' '{print length($1) + length($2) + length($3) + 4}')
bad_case "$T/bad1.vec" "$T/bad1.vec:30:$col: value 'bogus' is not a number; nothing imported"
sed '5s/.*/attr "unterminated value/' "$D/OneFifo-0.vec" >"$T/bad2.vec"
bad_case "$T/bad2.vec" "$T/bad2.vec:5:6: unterminated quoted string"
printf 'version 2\nrun r\n7 1 2.5 3\n' >"$T/bad3.vec"
bad_case "$T/bad3.vec" "$T/bad3.vec:3:1: data for vector 7, which no vector line declared"
printf 'version 5\n' >"$T/bad4.vec"
bad_case "$T/bad4.vec" "$T/bad4.vec:1:9: version '5' is not supported"
printf 'version 2\nrun r\nstatistic m s\nfield mean\n' >"$T/bad5.sca"
bad_case "$T/bad5.sca" "$T/bad5.sca:4:11: 'field' needs 2 field(s), got 1"
cp "$D/OneFifo-0.vec" "$T/x.vci"
bad_case "$T/x.vci" "$T/x.vci:1:1: an index file"
printf '1,0.1\n2,0.6\n3,0.5\n' >"$T/bad.csv"
expect_rc 1 "$BN" import --format cdf-csv "$T/rtt.csv" "$T/bad.csv" --db "$T/h.db"
[ "$(wc -l <"$T/err")" = 1 ] || fail "want one error line"
assert_contains "$T/err" "$T/bad.csv:3:3: cumulative probability 0.5 decreases"
printf '1,0.1\n2, 1.5\n' >"$T/bad.csv"
expect_rc 1 "$BN" import --format cdf-csv "$T/bad.csv" --db "$T/h.db"
assert_contains "$T/err" "$T/bad.csv:2:4: cumulative probability '1.5' is not a number in [0, 1]"
[ "$(q "SELECT count(*) FROM runs")" = "$runs" ] || fail "bad CDF imported"
# nothing created either
expect_rc 1 "$BN" import --format omnetpp "$T/bad3.vec" --db "$T/new.db"
[ ! -e "$T/new.db" ] || fail "a failed import created the database"
expect_rc 2 "$BN" import --format omnetpp "$D/OneFifo-0.vec" --map 'x=speed' --db "$T/h.db"
assert_contains "$T/err" "unknown role 'speed'"
expect_rc 2 "$BN" import --format csv "$D/OneFifo-0.vec" --map 'x=latency' --db "$T/h.db"
expect_rc 1 "$BN" import --format omnetpp "$T/missing.vec" --db "$T/h.db"
assert_contains "$T/err" "missing.vec: No such file"
echo "sim_import: ok"
