"""sdk_examples.sh: the jsonl exporter wrote every sample of the role it
selects (latency: all of udpecho's), the events, and nothing into the
file of an instance that selects another role.

Usage: check_jsonl.py LATENCY_FILE THROUGHPUT_FILE STORED_SAMPLES
"""
import json
import sys

lines = [json.loads(line) for line in open(sys.argv[1])]
samples = [x for x in lines if x["type"] == "sample"]
assert len(samples) == int(sys.argv[3]), (len(samples), sys.argv[3])
for s in samples:
    assert s["metric"] == "udp_echo_rtt_ms" and s["role"] == "latency", s
    assert s["unit"] == "ms" and s["probe"] == "udp", s
    assert s["wall_ns"] > 0, s
    if s["flags"] & 1:  # lost: not measured, written as null
        assert s["value"] is None, s
    else:
        assert s["value"] > 0, s
assert any(x["type"] == "event" and x["event"] == "latency_ewma"
           and x["severity"] in ("warning", "critical") for x in lines), \
    lines[-5:]
assert open(sys.argv[2]).read() == "", "the throughput file is not empty"
