#!/bin/sh
# report_percentiles.sh - the percentiles of `bottleneck report` against
# exact ones computed by python3's statistics module on the same samples
# (docs/metrics.md: linear interpolation between closest ranks).
#  - a short range (the mini data set, read from the samples): exact,
#    to the 3 decimals printed;
#  - a long range (6 hours of 2 targets, read from the per-minute
#    rollups and their sketch): within the documented 1 % relative error,
#    and printed with no more digits than that error allows.
# Prints the comparison table (docs and the closing note quote it).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/mini.db" --mini || fail "report_fixture --mini"
"$FIXTURE" "$T/long.db" --hours 6 --targets 2 2>/dev/null ||
  fail "report_fixture --hours"

"$BN" report --db "$T/mini.db" -f json >"$T/mini.json" || fail "report mini"
"$BN" report --db "$T/mini.db" -f text >"$T/mini.txt" || fail "text mini"
"$BN" report --db "$T/long.db" -f json >"$T/long.json" || fail "report long"
"$BN" report --db "$T/long.db" -f text >"$T/long.txt" || fail "text long"

python3 - "$T" <<'PY' || fail "report percentiles differ from the exact ones"
import json, math, re, sqlite3, statistics, sys

T = sys.argv[1]

def exact(db):
    """(target, metric) -> received values, as docs/metrics.md counts."""
    c = sqlite3.connect(db)
    out = {}
    for tgt, met, v in c.execute(
            "SELECT se.target, se.metric, s.value FROM samples s JOIN series"
            " se ON se.id = s.series_id WHERE s.flags & 31 = 0 AND s.value"
            " IS NOT NULL ORDER BY s.wall_ns"):
        out.setdefault((tgt, met), []).append(v)
    return out

def pct(vals, p):
    if p == 50:
        return statistics.median(vals)
    return statistics.quantiles(vals, n=100, method="inclusive")[p - 1]

def decimals(text):
    return len(text.split(".")[1]) if "." in text else 0

bad = []
print("%-6s %-22s %-4s %12s %12s %9s" %
      ("range", "target", "pct", "exact", "report", "rel.err"))
for name, tol in (("mini", None), ("long", 0.01)):
    model = json.load(open("%s/%s.json" % (T, name)))
    raw = open("%s/%s.json" % (T, name)).read()
    summ = model["summary"]
    vals = exact("%s/%s.db" % (T, name))
    text = open("%s/%s.txt" % (T, name)).read()
    want = "exact" if tol is None else "sketch"
    if summ.get("percentiles") != want:
        bad.append("%s: summary.percentiles is %r, not %r" %
                   (name, summ.get("percentiles"), want))
    rows = summ["targets"]
    if not rows:
        bad.append("%s: no summary rows" % name)
    for row in rows:
        v = vals[(row["target"], row["metric"])]
        for p in (5, 50, 95):
            got, ref = row["p%d" % p], pct(v, p)
            err = abs(got - ref) / ref
            print("%-6s %-22s p%-3d %12.6f %12s %9.5f" %
                  (name, row["target"][:22], p, ref, got, err))
            if tol is None and abs(got - ref) > 0.0005 + 1e-9:
                bad.append("%s %s p%d: %r, exact %.6f" %
                           (name, row["target"], p, got, ref))
            if tol is not None and err > tol + 1e-9:
                bad.append("%s %s p%d: %r is %.2f %% off %.6f" %
                           (name, row["target"], p, got, 100 * err, ref))
        if tol is not None:
            # no more digits than the error allows: the last digit's unit
            # is not finer than the error bound's own magnitude
            for p in (5, 50, 95):
                m = re.search(r'"p%d":\s*(-?[0-9.]+)' % p,
                              raw[raw.index('"target":"%s"' % row["target"])
                                  if '"target":"%s"' % row["target"] in raw
                                  else raw.index('"target": "%s"' %
                                                 row["target"]):])
                s = m.group(1)
                unit = 10.0 ** -decimals(s)
                if unit < tol * abs(float(s)) / 10 - 1e-12:
                    bad.append("%s %s p%d printed as %s: more digits than "
                               "a %g relative error allows" %
                               (name, row["target"], p, s, tol))
    # the text report prints the same P50 as the model
    for row in rows:
        line = [l for l in text.splitlines()
                if l.startswith(row["target"] + " ")][0].split()
        p50 = float(line[-4])
        if abs(p50 - row["p50"]) > 0.0005 + 1e-9:
            bad.append("%s text P50 of %s is %s, model %r" %
                       (name, row["target"], line[-4], row["p50"]))
        if tol is not None and decimals(line[-4]) > decimals(
                "%.*f" % (max(0, math.ceil(-math.log10(tol * p50))), p50)):
            bad.append("%s text P50 of %s is %s: more digits than the "
                       "sketch's error allows" % (name, row["target"],
                                                  line[-4]))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "report percentiles match the exact ones"
