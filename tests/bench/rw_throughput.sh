#!/bin/sh
# rw_throughput.sh [POINTS SERIES BATCH] - what the remote_write exporter's
# queue and wire format sustain against a real Prometheus on loopback.
# Not a test (numbers, no verdict); run from the build directory inside a
# private network namespace, e.g.
#   unshare -n sh -c 'ip link set lo up && sh ../tests/bench/rw_throughput.sh'
#
# Starts Prometheus (--web.enable-remote-write-receiver, own data dir),
# then tests/bench/rw_bench: POINTS points (default 1000000) over SERIES
# series (1000) into an sqlite queue, and the queue drained to Prometheus
# in batches of BATCH (2000), as the exporter sends them.
set -eu
BUILD=${BN_TOP_BUILDDIR:-$(pwd)}
T=$(mktemp -d)
trap 'kill $(cat "$T"/pid 2>/dev/null) 2>/dev/null; rm -rf "$T"' EXIT
pp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "global: {scrape_interval: 1h}" >"$T/prometheus.yml"
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/pdata" \
  --web.listen-address="127.0.0.1:$pp" --web.enable-remote-write-receiver \
  >"$T/prom.log" 2>&1 &
echo $! >"$T/pid"
until curl -sf "http://127.0.0.1:$pp/-/ready" >/dev/null 2>&1; do sleep 0.1; done
"$BUILD/tests/bench/rw_bench" "http://127.0.0.1:$pp/api/v1/write" "$T/q.db" \
  "${1:-1000000}" "${2:-1000}" "${3:-2000}"
n=$(curl -sf "http://127.0.0.1:$pp/api/v1/query" --data-urlencode \
  'query=sum(count_over_time({agent="bench-host"}[1h]))' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
echo "prometheus: $n points stored"
