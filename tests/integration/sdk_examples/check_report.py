"""sdk_examples.sh: the report model shows the udpecho probe's metric
(never heard of by the core) as its latency, and the ewma example's
events for the answers the echo server delayed.

Usage: check_report.py REPORT_JSON SERVER_LOG ANSWERED_SAMPLES
"""
import datetime
import json
import sys

m = json.load(open(sys.argv[1]))
answered = int(sys.argv[3])
rows = [r for r in m["summary"]["targets"]
        if r["target"] == "echo" and r["probe"] == "udp"]
assert len(rows) == 1, m["summary"]
r = rows[0]
assert r["metric"] == "udp_echo_rtt_ms", r
assert r["sent"] - r["lost"] == answered, (r, answered)
assert r["max"] >= 140, r  # the delayed answers (150 ms)
assert r["p50"] < 50, r    # loopback, not delayed
series = [s for s in m["latency"]["series"] if s["probe"] == "udp"]
assert len(series) == 1, m["latency"]
assert sum(p["sent"] for p in series[0]["points"]) == r["sent"], series

delayed = [json.loads(line)["wall"] for line in open(sys.argv[2])
           if '"delayed"' in line]
assert len(delayed) == 5, delayed


def ts(s):
    t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


ev = [a for a in m["alerts"]["items"] if a["type"] == "latency_ewma"]
assert ev, m["alerts"]
spikes = [a for a in ev if a["severity"] in ("warning", "critical")
          and a["target"] == "echo"
          and min(delayed) - 1 <= ts(a["time"]) <= max(delayed) + 1]
assert spikes, (ev, delayed)
assert any(a["severity"] == "info" for a in ev), ev  # the episode closed
assert all("spikes" in (a["source"] or "") for a in ev), ev
