#!/bin/sh
# probe_dns.sh - end to end: `bottleneck run` with the dns probe against a
# real dnsmasq on loopback (tests/integration/dnsmasq.sh), then check the
# samples in the history db: answers for a known name (UDP and TCP),
# NXDOMAIN for an unknown name in dnsmasq's local domain (a failed
# query), REFUSED for a name outside it (expected there), loss for a
# resolver on a closed port, "network unreachable" offline, and a bad
# type refused with the profile's file:line.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/integration/dnsmasq.sh"
need_cmd sqlite3 "apt-get install sqlite3"
dnsmasq_start

# A UDP port on 127.0.0.1 where nobody listens: ICMP port unreachable.
closed=$(python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

cat >"$T/p.yaml" <<EOF2
name: dns-test
description: the dns probe against dnsmasq on loopback
targets:
  - {name: lab-dns, host: 127.0.0.1, port: $DNSMASQ_PORT}
  - {name: closed-dns, host: 127.0.0.1, port: $closed}
probes:
  - plugin: dns
    name: dns-a
    targets: [lab-dns]
    query: a.lab.test
    interval: 250ms
  - plugin: dns
    name: dns-mx-tcp
    targets: [lab-dns]
    query: lab.test
    type: MX
    tcp: true
    interval: 500ms
  - plugin: dns
    name: dns-nx
    targets: [lab-dns]
    query: nosuch.lab.test
    interval: 500ms
  - plugin: dns
    name: dns-refused
    targets: [lab-dns]
    query: other.test
    expect_rcode: REFUSED
    interval: 500ms
  - plugin: dns
    name: dns-closed
    targets: [closed-dns]
    query: a.lab.test
    interval: 500ms
EOF2

db="$T/h.db"
"$BN" run --profile "$T/p.yaml" --duration 3s --db "$db" \
  >"$T/out.txt" 2>"$T/err.txt"
rc=$?
[ $rc -eq 0 ] || { cat "$T/out.txt" "$T/err.txt"; fail "run exited $rc"; }

q() { sqlite3 "$db" "$1"; }
# count PROBE METRIC CONDITION
count() {
  q "SELECT count(*) FROM samples_v WHERE probe='$1' AND metric='$2'
     AND ($3)"
}
show() {
  echo "--- samples:"
  q "SELECT probe, target, metric, value, flags FROM samples_v
     ORDER BY probe, metric, mono_ns"
  echo "--- stderr:"
  cat "$T/err.txt"
  fail "$*"
}

# a.lab.test: every 250 ms for 3 s, answered, one A record each time.
n=$(count dns-a query_ms "value > 0 AND flags = 0")
all=$(count dns-a query_ms "1")
[ "$n" -ge 8 ] && [ "$n" = "$all" ] ||
  show "dns-a: $n good of $all query_ms samples (want >= 8, no loss)"
[ "$(count dns-a rcode 'value != 0')" = 0 ] || show "dns-a: rcode not 0"
[ "$(count dns-a answers 'value = 1')" = "$n" ] ||
  show "dns-a: answers should be 1 each"
q "SELECT max(value) < 100 FROM samples_v WHERE probe='dns-a'
   AND metric='query_ms'" | grep -qx 1 || show "loopback query above 100 ms"

# MX over TCP: answered, one MX record.
n=$(count dns-mx-tcp query_ms "value > 0 AND flags = 0")
[ "$n" -ge 3 ] || show "dns-mx-tcp: $n good samples"
[ "$(count dns-mx-tcp answers 'value = 1')" = "$n" ] ||
  show "dns-mx-tcp: answers should be 1 each"
grep -q "query\[MX\] lab.test" "$DNSMASQ_LOG" ||
  show "dnsmasq never saw the MX query"

# An unknown name in dnsmasq's --local domain: NXDOMAIN (rcode 3): the
# query failed for the name asked, so query_ms is a failed probe (LOST |
# ERROR = 17) and the report shows the loss.  Warned about once.
n=$(count dns-nx rcode "value = 3")
[ "$n" -ge 3 ] && [ "$(count dns-nx rcode 'value != 3')" = 0 ] ||
  show "dns-nx: expected rcode 3 only, got $n"
[ "$(count dns-nx query_ms 'value IS NULL AND flags = 17')" = "$n" ] ||
  show "dns-nx: query_ms should be a failed probe"
warn="NXDOMAIN for nosuch.lab.test from 127.0.0.1:$DNSMASQ_PORT"
warn="target 'lab-dns': $warn (expected NOERROR); counted as a failed query"
[ "$(grep -cF "$warn" "$T/err.txt")" = 1 ] || show "expected one '$warn'"
"$BN" report --db "$db" -f json >"$T/r.json" || show "report"
python3 - "$T/r.json" <<'PY' || show "the report does not show the failures"
import json, sys
rows = json.load(open(sys.argv[1]))["summary"]["targets"]
by = {r["probe"]: r for r in rows}
assert by["dns-nx"]["loss_pct"] == 100, by["dns-nx"]
assert by["dns-refused"]["loss_pct"] == 0, by["dns-refused"]
assert by["dns-a"]["loss_pct"] == 0, by["dns-a"]
PY

# Outside any domain it knows, dnsmasq --no-resolv answers REFUSED (5);
# expected here (expect_rcode), so an answer with its time, no warning.
n=$(count dns-refused rcode "value = 5")
[ "$n" -ge 3 ] && [ "$(count dns-refused rcode 'value != 5')" = 0 ] ||
  show "dns-refused: expected rcode 5 only, got $n"
[ "$(count dns-refused query_ms 'value > 0 AND flags = 0')" = "$n" ] ||
  show "dns-refused: an expected rcode is an answer with its time"
grep -q "REFUSED for other.test" "$T/err.txt" &&
  show "dns-refused: warned although REFUSED was expected"

# Nobody on the port: every query lost and flagged ERROR (1 | 16).
n=$(count dns-closed query_ms "value IS NULL AND flags = 17")
[ "$n" -ge 3 ] && [ "$n" = "$(count dns-closed query_ms 1)" ] ||
  show "dns-closed: $n lost|error samples"
[ "$(count dns-closed rcode 1)" = 0 ] || show "dns-closed: has an rcode"
assert_contains "$T/err.txt" \
  "target 'closed-dns': 127.0.0.1:$closed refused the query; counted as lost"

# A bad record type is refused before anything runs, with file:line.
sed 's/type: MX/type: AXFR/' "$T/p.yaml" >"$T/bad.yaml"
"$BN" run --profile "$T/bad.yaml" --duration 1s --db "$T/bad.db" \
  >"$T/bad.out" 2>"$T/bad.err" && fail "a bad record type was accepted"
assert_contains "$T/bad.err" "$T/bad.yaml:16:11: [probe:dns:dns-mx-tcp] \
unknown record type 'AXFR': use one of A, AAAA, MX, TXT, NS, SOA, CNAME, PTR"

median=$(q "SELECT value FROM samples_v WHERE probe='dns-a'
            AND metric='query_ms' ORDER BY value
            LIMIT 1 OFFSET (SELECT count(*) / 2 FROM samples_v
            WHERE probe='dns-a' AND metric='query_ms')")
echo "ok: median query_ms to dnsmasq on loopback: $median ms"

# Offline: in a namespace of our own with loopback only there is no
# route to the resolver (nothing is sent anywhere); the warning says so
# instead of "refused".
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1; then
  cat >"$T/off.yaml" <<EOF2
name: dns-offline
targets:
  - {name: far-dns, host: 192.0.2.53}
probes:
  - {plugin: dns, targets: [far-dns], interval: 250ms}
EOF2
  unshare -n sh -c "ip link set lo up; '$BN' run --profile '$T/off.yaml' \
    --duration 1s --db '$T/off.db'" >"$T/off.out" 2>"$T/off.err" ||
    { cat "$T/off.err"; fail "offline run"; }
  assert_contains "$T/off.err" "target 'far-dns': query to 192.0.2.53:53 \
failed: network unreachable (no route: offline?); counted as lost"
  if grep -q "refused" "$T/off.err"; then fail "offline said refused"; fi
else
  skip "the offline check needs root and unshare (a network namespace)"
fi
exit 0
