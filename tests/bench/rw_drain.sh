#!/bin/sh
# rw_drain.sh [POINTS] - how fast the remote_write exporter itself (the
# plugin in a `bottleneck run`, on the core loop) sends a backlog to a
# real Prometheus on loopback.  Not a test (numbers, no verdict); run
# from the build directory inside a private network namespace, e.g.
#   unshare -n sh -c 'ip link set lo up && sh ../tests/bench/rw_drain.sh'
#
# tests/bench/rw_bench fills a queue file with POINTS points (default
# 300000, 1000 series) and fails at its first POST (port 9 is closed), so
# the queue stays; then a run whose exporter uses that queue drains it;
# the time from the start of the run until the queue is empty.
set -u
B=${BN_TOP_BUILDDIR:-$(pwd)}
N=${1:-300000}
T=$(mktemp -d)
pp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "global: {scrape_interval: 1h}" >$T/p.yml
prometheus --config.file=$T/p.yml --storage.tsdb.path=$T/pd --web.listen-address=127.0.0.1:$pp --web.enable-remote-write-receiver >$T/prom.log 2>&1 & ppid=$!
until curl -sf http://127.0.0.1:$pp/-/ready >/dev/null 2>&1; do sleep 0.1; done
# fill: rw_bench fails at its first POST (port 9 is closed) and leaves the queue
$B/tests/bench/rw_bench http://127.0.0.1:9/w $T/q.db $N 1000 2000 2>&1 | head -1
cat > $T/p.yaml <<Y
name: drain
targets: [{name: c, host: 127.0.0.1, port: 9}]
probes: [{plugin: tcp, interval: 10s}]
exporters:
  - {plugin: remote_write, url: "http://127.0.0.1:$pp/api/v1/write", queue: $T/q.db, agent: drain, batch: ${BATCH:-2000}}
Y
t0=$(date +%s.%N)
BOTTLENECK_PLUGIN_PATH=$B/stage/plugins $B/bottleneck run -v -p $T/p.yaml --db $T/h.db -d 60s --no-report 2>$T/err &
bp=$!
while :; do
  # the queue file is locked by the run: ask Prometheus
  n=$(curl -sf "http://127.0.0.1:$pp/api/v1/query" --data-urlencode 'query=sum(count_over_time({agent="bench-host"}[1h]))' | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
  [ "$n" -ge $N ] && break
  kill -0 $bp 2>/dev/null || { cat $T/err; echo "rw_drain: the run ended first"; break; }
  sleep 0.2
done
t1=$(date +%s.%N)
kill -INT $bp; wait $bp
grep "points queued this run" $T/err
n=$(curl -sf "http://127.0.0.1:$pp/api/v1/query" --data-urlencode 'query=sum(count_over_time({agent="bench-host"}[1h]))' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
python3 -c "print(f'plugin drained $N queued points in {$t1-$t0:.2f} s: {$N/($t1-$t0):.0f} points/s; prometheus holds $n')"
kill $ppid; wait $ppid 2>/dev/null; rm -rf $T
