#!/bin/sh
# prom_scrape.sh [N...] - the cost of a /metrics scrape of the prometheus
# exporter at N targets (default 1000 10000).  Not a test (numbers, no
# verdict); run from the build directory inside a private network
# namespace, e.g.
#   unshare -n sh -c 'ip link set lo up && sh ../tests/bench/prom_scrape.sh'
#
# For each N: a `bottleneck run` with N tcp targets (all 127.0.0.1, one
# listener that accepts and closes) probed every 10 s, and the exporter on
# a free loopback port.  Once every target has a sample, 10 scrapes with
# curl; prints the median and max time_total and the size.  Then the same
# table rendered without HTTP (tests/helpers/prom_dump, 20 renders).
set -eu
BUILD=${BN_TOP_BUILDDIR:-$(pwd)}
SRC=${BN_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export BOTTLENECK_PLUGIN_PATH=${BOTTLENECK_PLUGIN_PATH:-$BUILD/stage/plugins}
BN=$BUILD/bottleneck
T=$(mktemp -d)
trap 'kill $(cat "$T"/pids 2>/dev/null) 2>/dev/null; rm -rf "$T"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

lp=$(port)
python3 - "$lp" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4096)
while True:
    c, _ = s.accept()
    c.close()
PY
echo $! >>"$T/pids"
sleep 0.5

for n in ${*:-1000 10000}; do
  ep=$(port)
  {
    echo "name: bench$n"
    echo "checks: {enabled: false}"
    echo "targets:"
    i=0
    while [ $i -lt "$n" ]; do
      printf '  - {name: t%05d, host: 127.0.0.1, port: %s}\n' $i "$lp"
      i=$((i + 1))
    done
    echo "probes:"
    echo "  - {plugin: tcp, interval: 10s}"
    echo "exporters:"
    echo "  - {plugin: prometheus, port: $ep}"
  } >"$T/p$n.yaml"
  "$BN" run -p "$T/p$n.yaml" --db "$T/h$n.db" --no-report -q \
    >"$T/out$n" 2>&1 &
  pid=$!
  echo $pid >>"$T/pids"
  # wait until every target has a latency sample
  i=0
  while :; do
    got=$(curl -sf "http://127.0.0.1:$ep/metrics" 2>/dev/null |
      grep -c '^bottleneck_latency_seconds_count{.*} [1-9]' || true)
    [ "${got:-0}" -ge "$n" ] && break
    i=$((i + 1))
    [ $i -gt 120 ] && { echo "n=$n: only $got targets after 60 s" >&2; cat "$T/out$n" >&2; exit 1; }
    sleep 0.5
  done
  k=0
  : >"$T/times"
  while [ $k -lt 10 ]; do
    curl -s -o /dev/null -w '%{time_total} %{size_download} %{time_starttransfer}\n' \
      "http://127.0.0.1:$ep/metrics" >>"$T/times"
    k=$((k + 1))
  done
  sort -n "$T/times" | awk -v n="$n" '{t[NR]=$1; s=$2; f[NR]=$3} END {
    printf "http  targets=%d bytes=%d scrape_ms median=%.1f max=%.1f first_byte_ms median=%.1f (10 scrapes)\n",
      n, s, t[int((NR+1)/2)]*1000, t[NR]*1000, f[int((NR+1)/2)]*1000}'
  # the exporter's own figure: render time of the previous scrape
  curl -s "http://127.0.0.1:$ep/metrics" |
    awk '/^bottleneck_exporter_scrape_duration_seconds / {
      printf "render (exporter self-report, last scrape) ms=%.1f\n", $2 * 1000}'
  kill $pid
  wait $pid 2>/dev/null || true
  "$BUILD/tests/helpers/prom_dump" "$n" 5 20 2>&1 >/dev/null |
    sed 's/^/table /'
done
