#!/bin/sh
# run_checks_first_probe.sh - the pre-flight checks never hold back the
# first probe.  In a namespace of its own whose IPv4 default gateway
# never answers (a veth with nobody behind it), the gateway check waits
# out its 3 s timeout; the tcp probe's first sample must still come
# within 1.5 s of the run's start (it came after the checks before), and
# the failed check is stored with the run all the same.  Needs root.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd ip "apt-get install iproute2"
[ "$(id -u)" = 0 ] || skip "needs root (a network namespace)"
NS="bnchk$$"
ip netns add "$NS" 2>/dev/null || skip "cannot make a network namespace"
on_exit "ip netns del $NS 2>/dev/null"
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up
nsx ip link add bnc0 type veth peer name bnc1 || fail "veth"
nsx ip addr add 10.99.0.1/24 dev bnc0
nsx ip link set bnc0 up
nsx ip link set bnc1 up
nsx ip route add default via 10.99.0.2 || fail "default route"

# a listener inside the namespace
nsx python3 - "$T/port" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    c.close()
PY
on_exit "kill $! 2>/dev/null"
i=0
until [ -s "$T/port" ]; do
  i=$((i + 1)); [ $i -gt 200 ] && fail "listener did not start"; sleep 0.1
done
PORT=$(cat "$T/port")

cat >"$T/p.yaml" <<EOF
name: checks-first
targets:
  - {name: web, host: 127.0.0.1, port: $PORT}
probes:
  - {plugin: tcp, targets: [web], interval: 100ms, timeout: 1s}
checks: {timeout: 3s, mtu: false}
EOF
nsx "$BN" run -p "$T/p.yaml" --db "$T/h.db" --duration 1s --no-report \
  >"$T/out" 2>"$T/err" || { cat "$T/out" "$T/err"; fail "run"; }
assert_contains "$T/err" "fail gateway 10.99.0.2"

q() { sqlite3 "$T/h.db" "$1"; }
first=$(q "SELECT ((SELECT min(wall_ns) FROM samples_v) - started_ns) / 1000000
           FROM runs")
echo "first sample ${first} ms after the run's start"
[ -n "$first" ] && [ "$first" -lt 1500 ] ||
  fail "the first sample came ${first:-never} ms after the start (checks first?)"
n=$(q "SELECT count(*) FROM samples_v WHERE value IS NOT NULL")
[ "$n" -ge 3 ] || fail "only $n answered samples in 1 s at 100 ms"
[ "$(q "SELECT status FROM checks WHERE name = 'gateway' AND target LIKE '10.99.0.2%'")" = fail ] ||
  fail "gateway check not stored: $(q 'SELECT * FROM checks')"
[ "$(q 'SELECT exit_status FROM runs')" = 0 ] || fail "run exit status"
exit 0
