#!/bin/sh
# sim_compare.sh - `bottleneck compare` (docs/simulation.md) against a
# real `bottleneck run` on loopback (a tcp probe to a listening port):
#  - a CDF CSV made from the run's own RTT quantiles, imported as a sim
#    run, is close (KS small), a real OMNeT++ queue's "total lifetime"
#    (seconds) is disjoint from loopback RTTs (KS 1, Wasserstein = the
#    difference of the means);
#  - every number of --json (KS, Wasserstein, p50/p90/p99 of both and
#    their differences) equals an independent computation in python on
#    the values in the database;
#  - --since pools the measured runs of the range but never a sim run;
#  - the text table; errors: a measured run given as --sim, a sim run as
#    --real, an unknown run, nothing that matches, bad usage.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
D="$BN_TOP_SRCDIR/tests/data/omnetpp"
q() { sqlite3 "$T/h.db" "$1"; }

UP=$(free_port)
tcp_listener "$UP"
cat >"$T/p.yaml" <<YAML
name: sim-compare
targets:
  - {name: up, host: 127.0.0.1, port: $UP}
probes:
  - plugin: tcp
    interval: 50ms
    timeout: 1s
YAML
expect_rc 0 "$BN" run --profile "$T/p.yaml" --duration 4s --db "$T/h.db" \
  --no-report
n_real=$(q "SELECT count(*) FROM samples_v WHERE run_id = 1 AND metric = 'rtt_ms'
            AND value IS NOT NULL AND flags & 3 = 0")
[ "$n_real" -ge 20 ] || fail "the real run has only $n_real RTT samples"

# sim run 2: the real RTTs' quantiles at every 5 % as a CDF CSV
python3 - "$T/h.db" >"$T/rtt_ms.csv" <<'PY' || fail "making the CDF"
import sqlite3, sys
v = sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute(
    "SELECT value FROM samples_v WHERE run_id = 1 AND metric = 'rtt_ms'"
    " AND value IS NOT NULL AND flags & 3 = 0"))
print("value,cumulative probability")
for k in range(21):
    r = k / 20 * (len(v) - 1)
    lo = int(r); hi = min(lo + 1, len(v) - 1)
    print("%.6f,%.2f" % (v[lo] + (v[hi] - v[lo]) * (r - lo), k / 20))
PY
expect_rc 0 "$BN" import --format cdf-csv "$T/rtt_ms.csv" --target up \
  --map 'rtt_ms=latency:ms' --db "$T/h.db"
# sim run 3: a real OMNeT++ queue, lifetimes in seconds
expect_rc 0 "$BN" import --format omnetpp "$D/OneFifo-0.vec" \
  --map 'total lifetime=latency:s' --db "$T/h.db"

# Every figure of --json against python on the stored values.
check_json() { # SIM-RUN REAL-RUN JSON-FILE
  python3 - "$T/h.db" "$1" "$2" "$3" <<'PY'
import json, math, sqlite3, sys
db, sim, real, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
c = sqlite3.connect(db)
out = json.load(open(path))
def vals(run, target, metric):
    return sorted(r[0] for r in c.execute(
        "SELECT value FROM samples_v WHERE run_id = ? AND target = ? AND"
        " metric = ? AND value IS NOT NULL AND flags & 3 = 0",
        (run, target, metric)))
def ecdf(v, x):
    return sum(1 for y in v if y <= x) / len(v)
def pct(v, p):
    r = p / 100 * (len(v) - 1); lo = int(math.floor(r)); hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (r - lo)
b = vals(real, "up", "rtt_ms")
assert out["sim_run"] == sim and out["real_run"] == real, out
for m in out["metrics"]:
    a = vals(sim, m["target"], m["metric"])
    assert m["n_sim"] == len(a) and m["n_real"] == len(b), (m, len(a), len(b))
    xs = sorted(set(a) | set(b))
    ks = max(abs(ecdf(a, x) - ecdf(b, x)) for x in xs)
    w1 = sum(abs(ecdf(a, x0) - ecdf(b, x0)) * (x1 - x0) for x0, x1 in zip(xs, xs[1:]))
    def near(x, y): return abs(x - y) <= 1e-6 * max(1, abs(y))
    assert near(m["ks"], ks), ("ks", m["ks"], ks)
    assert near(m["wasserstein"], w1), ("w1", m["wasserstein"], w1)
    for p in (50, 90, 99):
        e = m["p%d" % p]
        assert near(e["sim"], pct(a, p)) and near(e["real"], pct(b, p)), (p, e)
        assert near(e["diff"], pct(a, p) - pct(b, p)), (p, e)
    print("%s/%s: KS %.4f Wasserstein %.4f ms (n %d vs %d)" % (
        m["target"], m["metric"], ks, w1, len(a), len(b)))
PY
}
expect_rc 0 "$BN" compare --sim 2 --real 1 --json --db "$T/h.db"
cat "$T/out"
check_json 2 1 "$T/out" || fail "compare --sim 2 --json differs from python"
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
assert len(m) == 1 and m[0]["metric"] == "rtt_ms" and m[0]["role"] == "latency", m
assert m[0]["ks"] < 0.2, "the CDF made from the run is not close: KS %g" % m[0]["ks"]
' "$T/out" || fail "the run's own CDF is far from it"

expect_rc 0 "$BN" compare --sim 3 --real 1 --json --db "$T/h.db"
check_json 3 1 "$T/out" || fail "compare --sim 3 --json differs from python"
python3 - "$T/h.db" "$T/out" <<'PY' || fail "OneFifo against loopback"
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
m = json.load(open(sys.argv[2]))["metrics"]
assert len(m) == 1 and m[0]["metric"] == "total lifetime", m
ms = c.execute("SELECT avg(value) FROM samples_v WHERE run_id = 3 AND metric = 'total lifetime'").fetchone()[0]
mr = c.execute("SELECT avg(value) FROM samples_v WHERE run_id = 1 AND metric = 'rtt_ms' AND value IS NOT NULL AND flags & 3 = 0").fetchone()[0]
# disjoint distributions: KS 1, and the area between the CDFs is the
# difference of the means
assert m[0]["ks"] == 1, m[0]
assert abs(m[0]["wasserstein"] - (ms - mr)) < 1e-6 * ms, (m[0], ms - mr)
PY

# The text table.
expect_rc 0 "$BN" compare --sim 2 --real 1 --db "$T/h.db"
cat "$T/out"
assert_contains "$T/out" "sim run 2 against measured run 1"
assert_contains "$T/out" "KS Wasserstein   p50 diff"
grep -q "^up/rtt_ms  *latency  *ms  *1000  *$n_real " "$T/out" ||
  fail "no row for up/rtt_ms"

# --html: per metric the two CDFs overlaid (two step lines) and a Q-Q
# view (99 points), the distances written on the chart as --json has
# them; a screenshot is kept in tests/artifacts/ of the build when
# chromium is there.
expect_rc 0 "$BN" compare --sim 3 --real 1 --json --html "$T/c.html" --db "$T/h.db"
python3 - "$T/out" "$T/c.html" <<'PY' || fail "the --html overlay"
import json, re, sys
m = json.load(open(sys.argv[1]))["metrics"][0]
h = open(sys.argv[2]).read()
cdf = h.split('<svg class="cdf"')[1].split("</svg>")[0]
qq = h.split('<svg class="qq"')[1].split("</svg>")[0]
assert cdf.count("<polyline") == 2, "want two CDF lines"
assert qq.count("<circle") == 99, "want 99 Q-Q points"
want = "KS %.3f, Wasserstein %.3f ms" % (m["ks"], m["wasserstein"])
assert want in cdf, (want, re.findall(r'class="dist"[^<]*', cdf))
assert "SimpleQueue.sink/total lifetime (latency)" in h
assert "log scale" in cdf, "seconds against loopback RTTs: a log x axis"
PY
if command -v chromium >/dev/null 2>&1; then
  ART="$BN_TOP_BUILDDIR/tests/artifacts"
  mkdir -p "$ART"
  timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run     --disable-background-networking --user-data-dir="$T/chrome-profile"     --window-size=1100,700 --screenshot="$ART/sim_compare.png"     "file://$T/c.html" >/dev/null 2>&1
  [ -s "$ART/sim_compare.png" ] && echo "overlay screenshot: $ART/sim_compare.png"
fi
expect_rc 1 "$BN" compare --sim 3 --real 1 --html "$T/no/such/dir.html" --db "$T/h.db"
assert_contains "$T/err" "--html $T/no/such/dir.html: No such file or directory"

# --since pools measured runs only: a second real run, and the sim run 2
# (same target, recent samples) stays out.
expect_rc 0 "$BN" run --profile "$T/p.yaml" --duration 2s --db "$T/h.db" \
  --no-report
n_all=$(q "SELECT count(*) FROM samples_v s JOIN runs r ON r.id = s.run_id
           WHERE r.kind = 'measured' AND metric = 'rtt_ms' AND target = 'up'
           AND value IS NOT NULL AND flags & 3 = 0")
expect_rc 0 "$BN" compare --sim 2 --since 1h --target up --json --db "$T/h.db"
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["target"] == "up" and m["metrics"][0]["n_real"] == int(sys.argv[2]), (m, sys.argv[2])
' "$T/out" "$n_all" || fail "--since did not pool the $n_all measured RTTs"
expect_rc 0 "$BN" compare --sim 2 --since 1h --until now --db "$T/h.db"
assert_contains "$T/out" "against measured runs since 1h until now"

# Errors.
expect_rc 1 "$BN" compare --sim 1 --real 1 --db "$T/h.db"
assert_contains "$T/err" "--sim 1: run of kind measured, not sim"
expect_rc 1 "$BN" compare --sim 2 --real 3 --db "$T/h.db"
assert_contains "$T/err" "--real 3: a simulated run"
expect_rc 1 "$BN" compare --sim 99 --real 1 --db "$T/h.db"
assert_contains "$T/err" "--sim 99: no such run"
expect_rc 1 "$BN" compare --sim 2 --real 1 --target nowhere --db "$T/h.db"
assert_contains "$T/err" "no series of sim run 2 matches measured values"
expect_rc 0 "$BN" import --format omnetpp "$D/PureAlohaExperiment-3.sca" --db "$T/h.db"
expect_rc 1 "$BN" compare --sim 5 --real 1 --db "$T/h.db"
assert_contains "$T/err" "no series of sim run 5 matches"
expect_rc 2 "$BN" compare --sim 2 --db "$T/h.db"
expect_rc 2 "$BN" compare --sim 2 --real 1 --since 1h --db "$T/h.db"
expect_rc 2 "$BN" compare --sim x --real 1 --db "$T/h.db"
expect_rc 2 "$BN" compare --sim 2 --since yesterday-ish --db "$T/h.db"
echo "sim_compare: ok"
