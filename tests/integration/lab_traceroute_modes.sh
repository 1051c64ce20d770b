#!/bin/sh
# lab_traceroute_modes.sh - the traceroute probe's ICMP-echo and TCP-SYN
# modes (raw sockets) through the chain client - r1 - r2 - r3 - target
# (tests/lab):
#  - each mode sees every hop in order on IPv4 and IPv6 and reaches the
#    target: ICMP by its echo reply, TCP by the RST of a closed port and
#    by the SYN-ACK of an open one;
#  - without CAP_NET_RAW: icmp uses ping sockets where ping_group_range
#    allows them, and otherwise (and tcp always) fails with one line that
#    names the capability, the sysctl and the mode that needs neither.
# Needs root (skips, or fails with BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd python3 "apt-get install python3"
lab_require
lab_init tracemodes
lab_chain 3 || fail "lab_chain"

profile() { # MODE [PORT]
  cat >"$T/p-$1.yaml" <<EOF
name: lab-traceroute-$1
targets:
  - {name: t4, host: "$LAB_TARGET_IP"}
  - {name: t6, host: "$LAB_TARGET_IP6"}
checks: {enabled: false}
probes:
  - plugin: traceroute
    mode: $1
    port: ${2:-0}
    interval: 1s
    timeout: 300ms
    spacing: 20ms
    max_ttl: 10
EOF
}
# trace MODE [PORT]: one short run into $T/h-MODE.db
trace() {
  profile "$@"
  rm -f "$T/h-$1.db"
  lab_exec client "$BN" run -p "$T/p-$1.yaml" --db "$T/h-$1.db" -d 1500ms \
    --no-report >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run $1"; }
}
# last_hops DB TARGET: status, mode and addresses of the last round
last_hops() {
  "$BN" paths "$2" --db "$1" --limit 1 --json >"$T/j" ||
    fail "bottleneck paths $2"
  python3 - "$T/j" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["rounds"][-1]
p = r["paths"][0]
print(r["mode"], p["status"], " ".join(h["addr"] or "*" for h in p["hops"]))
PY
}
want6=$(python3 -c 'import ipaddress, sys
print(" ".join(str(ipaddress.ip_address(a)) for a in sys.argv[1:]))' $LAB_HOPS6)

for mode in icmp tcp; do
  trace $mode
  got=$(last_hops "$T/h-$mode.db" t4)
  [ "$got" = "$mode reached $LAB_HOPS" ] ||
    fail "$mode IPv4: '$got', want '$mode reached $LAB_HOPS'"
  got=$(last_hops "$T/h-$mode.db" t6)
  [ "$got" = "$mode reached $want6" ] ||
    fail "$mode IPv6: '$got', want '$mode reached $want6'"
  echo "$mode: IPv4 $LAB_HOPS; IPv6 $want6"
done

# an open port: the target answers SYN-ACK (and our kernel resets it)
lab_exec target python3 -c '
import socket, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 8080)); s.listen(64); time.sleep(30)' &
on_exit "kill $! 2>/dev/null"
sleep 0.3
trace tcp 8080
got=$(last_hops "$T/h-tcp.db" t4)
[ "$got" = "tcp reached $LAB_HOPS" ] || fail "tcp open port: '$got'"
got=$(last_hops "$T/h-tcp.db" t6)
[ "$got" = "tcp reached $want6" ] || fail "tcp open port IPv6: '$got'"
echo "tcp to an open port: reached"

# Without CAP_NET_RAW (user nobody, when it can reach the build tree):
#  - ping sockets not allowed (ping_group_range "1 0"): icmp and tcp
#    stop with one clear line, exit status 4 (a plugin failed to start);
#  - ping sockets allowed: icmp traces through them, every hop, IPv4 and
#    IPv6 (errors from the socket's error queue); tcp still needs raw.
nobody() {
  lab_exec client setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=-all --bounding-set=-net_raw "$@"
}
profile icmp
profile tcp
chmod 644 "$T/p-icmp.yaml" "$T/p-tcp.yaml"
mkdir -m 777 "$T/nobody"
if command -v setpriv >/dev/null 2>&1 && nobody test -x "$BN" &&
  nobody test -r "$T/p-icmp.yaml"; then
  lab_exec client sysctl -q -w net.ipv4.ping_group_range="1 0"
  expect_rc 4 nobody "$BN" run -p "$T/p-icmp.yaml" --db "$T/nobody/a.db" \
    -d 300ms --no-report
  assert_contains "$T/err" "[probe:traceroute:traceroute] mode icmp needs raw sockets or ping sockets"
  assert_contains "$T/err" "CAP_NET_RAW"
  assert_contains "$T/err" "net.ipv4.ping_group_range"
  head -1 "$T/err"
  lab_exec client sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
  expect_rc 0 nobody "$BN" --verbose run -p "$T/p-icmp.yaml" \
    --db "$T/nobody/b.db" -d 1500ms --no-report
  assert_contains "$T/err" "no CAP_NET_RAW: tracing with ping sockets"
  got=$(last_hops "$T/nobody/b.db" t4)
  [ "$got" = "icmp reached $LAB_HOPS" ] || fail "ping sockets IPv4: '$got'"
  got=$(last_hops "$T/nobody/b.db" t6)
  [ "$got" = "icmp reached $want6" ] || fail "ping sockets IPv6: '$got'"
  echo "icmp through ping sockets as nobody: $LAB_HOPS; $want6"
  expect_rc 4 nobody "$BN" run -p "$T/p-tcp.yaml" --db "$T/nobody/c.db" \
    -d 300ms --no-report
  assert_contains "$T/err" "mode tcp needs raw sockets: run as root"
else
  echo "note: user nobody cannot run $BN here; the no-privilege cases are not tried"
fi
exit 0
