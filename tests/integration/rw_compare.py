#!/usr/bin/env python3
"""rw_compare.py PROM_URL DB AGENT [SENT] - check what the remote_write
exporter delivered to a real Prometheus against the run's store (tests).

For each stored sample of the tcp probe (late, duplicate and invalid
ones are no probes) Prometheus must hold
  bottleneck_probe_success{agent,target,probe,metric} 1 (answered) or 0
  bottleneck_latency_last_seconds ... = value / 1000 (answered only)
at the sample's time in milliseconds: no sample missing, none extra.
With SENT (the points the exporter says it sent), the points Prometheus
holds for the agent, its own counters included, must be exactly SENT:
a point sent twice would count twice.  Prints a summary line.
"""
import json
import sqlite3
import sys
import urllib.parse
import urllib.request

url, db, agent = sys.argv[1], sys.argv[2], sys.argv[3]
sent = int(sys.argv[4]) if len(sys.argv) > 4 else None


def raw(selector):
    """{(labels...): {ts_ms: value}} of every point of the selector."""
    q = urllib.parse.urlencode({"query": selector + "[1h]"})
    with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=30) as r:
        d = json.load(r)
    assert d["status"] == "success", d
    out = {}
    for s in d["data"]["result"]:
        m = s["metric"]
        key = (m.get("__name__"), m.get("target"), m.get("probe"),
               m.get("metric"))
        pts = out.setdefault(key, {})
        for t, v in s["values"]:
            ms = int(round(float(t) * 1000))
            assert ms not in pts, ("two points at one time", key, ms)
            pts[ms] = float(v)
    return out


got = raw('{agent="%s",probe="tcp"}' % agent)
want = {}
con = sqlite3.connect(db)
rows = con.execute("SELECT target, probe, metric, value, wall_ns, flags "
                   "FROM samples_v WHERE probe='tcp' AND (flags & 14) = 0")
n = 0
for target, probe, metric, value, wall_ns, flags in rows:
    n += 1
    ms = wall_ns // 1000000
    ok = not (flags & 17) and value is not None
    want.setdefault(("bottleneck_probe_success", target, probe, metric),
                    {})[ms] = 1.0 if ok else 0.0
    if ok:
        want.setdefault(("bottleneck_latency_last_seconds", target, probe,
                         metric), {})[ms] = value / 1000
bad = []
for key in sorted(set(want) | set(got)):
    w, g = want.get(key, {}), got.get(key, {})
    missing = sorted(set(w) - set(g))
    extra = sorted(set(g) - set(w))
    wrong = [t for t in set(w) & set(g) if abs(w[t] - g[t]) > 1e-9]
    if missing or extra or wrong:
        bad.append(f"{key}: {len(missing)} missing (first {missing[:3]}), "
                   f"{len(extra)} extra (first {extra[:3]}), "
                   f"{len(wrong)} wrong values")
if bad:
    sys.exit("rw_compare: " + "\n  ".join(bad))
points = sum(len(v) for v in got.values())
line = f"{n} stored samples -> {points} tcp points in Prometheus, all equal"
if sent is not None:
    every = raw('{agent="%s"}' % agent)
    total = sum(len(v) for v in every.values())
    if total != sent:
        sys.exit(f"rw_compare: the exporter sent {sent} points, Prometheus "
                 f"holds {total} for agent {agent}")
    line += f"; {total} points in all = {sent} sent (no duplicate)"
print(line)
