#!/bin/sh
# speedtest_iperf3.sh - the iperf3 provider (libiperf in a child
# process) against a real iperf3 server on loopback: TCP both ways, UDP
# with loss and jitter at the rate asked for, a server that is not
# there (an error, then failover), and a bad protocol at validate time.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd iperf3 "apt-get install iperf3"
need_cmd sqlite3 "apt-get install sqlite3"
P=$(free_port)
U=$(free_port)
while [ "$U" = "$P" ]; do U=$(free_port); done
DEAD=$(free_port)
# One server for the TCP tests and one for UDP: an iperf3 server runs one
# test at a time and, on a loaded machine, can still be closing the last
# one ("the server is busy") when the next starts.
for port in "$P" "$U"; do
  iperf3 -s -B 127.0.0.1 -p "$port" >"$T/iperf-$port.log" 2>&1 &
  on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
done
for port in "$P" "$U"; do
  i=0
  # wait for the socket to listen without connecting: a connection that
  # is not a test keeps a one-test iperf3 server "busy" for a while
  until ss -Hltn "sport = :$port" | grep -q LISTEN; do
    i=$((i + 1)); [ $i -gt 50 ] && fail "iperf3 server did not start"; sleep 0.1
  done
done

cat >"$T/p.yaml" <<EOF
name: st-iperf3
# retries: 1 - on a loaded machine a one-test iperf3 server can still
# call itself busy with a test that has just ended
speedtest: {streams: 2, duration: 1s, timeout: 15s, retries: 1, backoff: 500ms}
speedtests:
  - {plugin: iperf3, name: gone, server: 127.0.0.1, port: $DEAD}
  - {plugin: iperf3, name: tcp, server: 127.0.0.1, port: $P}
  - {plugin: iperf3, name: udp, server: 127.0.0.1, port: $U,
     protocol: udp, bandwidth: 20M}
EOF
# the first server is not there: the error is named, tcp takes over
"$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" --json >"$T/out" 2>"$T/err" ||
  { cat "$T/out" "$T/err"; fail "iperf3 failover"; }
assert_contains "$T/err" "[speedtest:iperf3:gone] attempt 1 failed: iperf3: unable to connect to server"
python3 - "$T/out" <<'PY' || fail "tcp result: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["provider"] == "tcp" and d["streams"] == 2, d
assert d["download_bps"] > 1e8 and d["upload_bps"] > 1e8, d
assert d["bytes_down"] > 0 and d["bytes_up"] > 0
assert d["loss_pct"] is None, d
assert d["latency_ms"] > 0 and d["loaded_down_ms"] > 0, d
seen = [a["provider"] for a in d["attempts"]]
assert sorted(set(seen), key=seen.index) == ["gone", "tcp"], seen
assert d["attempts"][-1]["status"] == "ok", d["attempts"]
PY

# UDP: 2 streams of 20 Mbit/s (SI, as iperf3 reads "20M"): the rate comes
# back, with loss and jitter (a loaded machine drops some: < 20 %)
"$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" --provider udp --json \
  >"$T/out" 2>"$T/err" || { cat "$T/out" "$T/err"; fail "iperf3 udp"; }
python3 - "$T/out" <<'PY' || fail "udp result: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
want = 2 * 20e6
for k in ("download_bps", "upload_bps"):
    assert abs(d[k] - want) / want < 0.05, (k, d[k], want)
assert d["loss_pct"] is not None and 0 <= d["loss_pct"] < 20, d
assert d["udp_jitter_ms"] is not None and d["udp_jitter_ms"] >= 0, d
PY
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM speedtests WHERE provider = 'udp'
  AND loss_pct IS NOT NULL AND udp_jitter_ms IS NOT NULL AND status = 0")
[ "$n" = 1 ] || fail "udp figures not stored"

printf 'name: x\nspeedtests:\n  - {plugin: iperf3, server: h, protocol: sctp}\n' >"$T/bad.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/bad.yaml"
assert_contains "$T/err" "bad.yaml:3:43: [speedtest:iperf3:iperf3] protocol 'sctp': write tcp or udp"
printf 'name: x\nspeedtests:\n  - {plugin: iperf3}\n' >"$T/bad.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/bad.yaml"
assert_contains "$T/err" "missing required option 'server'"
exit 0
