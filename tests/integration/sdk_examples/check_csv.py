"""sdk_examples.sh: `report -f csv` and the profile's csv reporter
rendered the report model: the summary row of the udpecho probe equals
the json report's, and the latency and alerts sections are there.

Usage: check_csv.py REPORT_JSON CSV...
"""
import csv
import json
import sys

m = json.load(open(sys.argv[1]))
want = [r for r in m["summary"]["targets"] if r["probe"] == "udp"][0]
for path in sys.argv[2:]:
    rows = list(csv.DictReader(open(path)))
    s = [r for r in rows if r["section"] == "summary" and r["probe"] == "udp"]
    assert len(s) == 1, (path, rows[:5])
    s = s[0]
    assert s["target"] == "echo" and s["metric"] == "udp_echo_rtt_ms", s
    assert int(s["sent"]) == want["sent"], (path, s, want)
    assert abs(float(s["p50"]) - want["p50"]) < 1e-6, (path, s, want)
    assert any(r["section"] == "latency" and r["probe"] == "udp"
               for r in rows), path
    assert any(r["section"] == "alerts" and r["type"] == "latency_ewma"
               for r in rows), path
