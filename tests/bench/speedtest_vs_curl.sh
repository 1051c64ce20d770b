#!/bin/sh
# speedtest_vs_curl.sh - download throughput on loopback: Bottleneck's
# http provider (one stream) beside curl fetching the same 1 GiB file
# from the same nginx (tests/speedtest/nginx-speedtest.conf.in), in the
# same run, alternating, ROUNDS times.  Prints each round and the ratio
# of the medians (goal: >= 0.95).  Not a test: it asserts nothing.
#   make bench-speedtest [BENCH_ARGS=ROUNDS]
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/integration/speedtest_server.sh"
need_cmd curl "apt-get install curl"
ROUNDS=${1:-5}
speedtest_server_start
URL=$ST_URL/blob/big
SIZE=$(stat -c %s "$ST_DIR/html/blob/big")

cat >"$T/p.yaml" <<EOF
name: bench-speedtest
speedtest: {streams: 1, duration: 2s, timeout: 30s, retries: 0,
            upload: false}
speedtests:
  - {plugin: http, download_url: "$URL"}
EOF
echo "speedtest_vs_curl: GET $URL ($SIZE bytes) on loopback, 1 stream;"
echo "curl fetches the whole file, bottleneck downloads for 2 s"
printf '%5s %14s %14s %7s\n' round "curl Mbit/s" "bn Mbit/s" ratio
i=1
: >"$T/c"
: >"$T/b"
while [ $i -le "$ROUNDS" ]; do
  c=$(curl -s --noproxy '*' -o /dev/null -w '%{speed_download}' "$URL")
  c=$(python3 -c "print($c * 8 / 1e6)")
  "$BN" -q speedtest -p "$T/p.yaml" --db "$T/h.db" --json >"$T/j" ||
    fail "bottleneck speedtest failed"
  b=$(python3 -c "import json; print(json.load(open('$T/j'))['download_bps'] / 1e6)")
  echo "$c" >>"$T/c"
  echo "$b" >>"$T/b"
  python3 -c "print('%5d %14.0f %14.0f %7.3f' % ($i, $c, $b, $b / $c))"
  i=$((i + 1))
done
python3 - "$T/c" "$T/b" <<'PY'
import statistics, sys
c = statistics.median(float(x) for x in open(sys.argv[1]))
b = statistics.median(float(x) for x in open(sys.argv[2]))
print(f"median: curl {c:.0f} Mbit/s, bottleneck {b:.0f} Mbit/s, "
      f"ratio {b / c:.3f} (goal >= 0.95)")
PY
