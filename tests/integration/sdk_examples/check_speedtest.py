"""sdk_examples.sh: the tcpbulk example's result as `bottleneck
speedtest --json` prints it: figures within the duration cap, the bytes
uploaded equal to what the server counted, NaN fields as null.

Usage: check_speedtest.py SPEEDTEST_JSON SERVER_LOG
"""
import json
import sys

d = json.load(open(sys.argv[1]))
assert d["status"] == "ok" and d["provider"] == "bulk", d
assert d["streams"] == 2, d
assert d["download_bps"] > 1e7 and d["upload_bps"] > 1e7, d
rate = d["bytes_down"] * 8 / d["download_s"]
assert abs(rate - d["download_bps"]) / rate < 0.01, (rate, d)
# the 1 s cap ends each phase; the upload adds the wait for the counts
assert 0.9 < d["download_s"] < 2.0 and 0.9 < d["upload_s"] < 3.0, d
up = sum(json.loads(line)["up"] for line in open(sys.argv[2])
         if '"up"' in line)
assert d["bytes_up"] == up, (d["bytes_up"], up)
assert 0 < d["latency_ms"] < 100, d
# what the provider does not measure is null, not 0 or -1
assert d["loaded_down_ms"] is None and d["loss_pct"] is None, d
