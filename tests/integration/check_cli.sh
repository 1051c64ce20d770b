#!/bin/sh
# check_cli.sh - `bottleneck check` end to end, in a network namespace of
# its own (the gateway check talks to the default gateway: here on a veth
# interface's, so nothing leaves the machine): target names, a reference
# name through a real dnsmasq and through a resolver that is not there,
# no default route, a default gateway that does not answer (a veth), the path MTU
# on loopback; text, JSON and exit statuses; the checks stored with a
# run, or not when the profile turns them off; bad `checks:` sections.
# `localhost` may be 127.0.0.1 or ::1 (Debian's stock /etc/hosts has
# both), so the per-family checks use literal addresses.
if [ -z "${BN_CHECK_NETNS:-}" ]; then
  [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null &&
    exec unshare -n env BN_CHECK_NETNS=1 sh "$0" "$@"
fi
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/integration/dnsmasq.sh"
[ -n "${BN_CHECK_NETNS:-}" ] || skip "needs root to make a network namespace"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
ip link set lo up
dnsmasq_start
DEAD=$(free_port)

cat >"$T/p.yaml" <<EOF
name: check-test
targets:
  - {name: local, host: localhost}
  - {name: lo4, host: 127.0.0.1}
  - {name: lo6, host: "::1"}
  - {name: broken, host: nosuch.invalid}
checks:
  resolvers: ["127.0.0.1:$DNSMASQ_PORT", "127.0.0.1:$DEAD"]
  reference_name: a.lab.test
  timeout: 300ms
EOF
expect_rc 1 "$BN" check -p "$T/p.yaml"
cat "$T/out"
grep -qE '^pass +dns +local +localhost is (127\.0\.0\.1|::1)' "$T/out" || fail "dns local"
grep -qE '^fail +dns +broken +nosuch\.invalid does not resolve' "$T/out" || fail "dns broken"
grep -qE "^pass +resolver +127\.0\.0\.1:$DNSMASQ_PORT +a\.lab\.test: 1 answer" "$T/out" || fail "resolver"
grep -qE "^fail +resolver +127\.0\.0\.1:$DEAD +no answer for a\.lab\.test" "$T/out" || fail "dead resolver"
grep -qE '^warn +gateway +IPv4 +no IPv4 default route' "$T/out" || fail "no gateway"
grep -qE '^pass +mtu +local +path MTU 6553[56] to (127\.0\.0\.1|::1)' "$T/out" ||
  fail "mtu localhost"
grep -qE '^pass +mtu +lo4 +path MTU 65535 to 127\.0\.0\.1' "$T/out" || fail "mtu v4"
grep -qE '^pass +mtu +lo6 +path MTU 65536 to ::1' "$T/out" || fail "mtu v6"

# a default gateway on a veth whose other end is down: it never answers
ip link add bnck0 type veth peer name bnck1 && ip link set bnck0 up &&
  ip addr add 10.99.0.1/24 dev bnck0 &&
  ip route add default via 10.99.0.254 || fail "veth gateway"
sed -i '/broken/d' "$T/p.yaml"
sed -i "s/, \"127.0.0.1:$DEAD\"//" "$T/p.yaml"
expect_rc 1 "$BN" check -p "$T/p.yaml" --json
python3 - "$T/out" <<'PY' || fail "json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "fail", d["status"]
by = {(c["check"], c["target"]): c for c in d["checks"]}
gw = by[("gateway", "10.99.0.254%bnck0")]
assert gw["status"] == "fail" and "does not answer" in gw["reason"], gw
assert by[("mtu", "lo4")]["value"] == 65535
assert by[("mtu", "local")]["value"] in (65535, 65536)
assert [c["status"] for c in d["checks"] if c["check"] == "resolver"] == ["pass"]
PY
ip route del default

# `run` checks first and stores the results with the run ...
printf 'probes:\n  - plugin: tcp\n    targets: [lo4]\n    port: 9\n' >>"$T/p.yaml"
"$BN" run -p "$T/p.yaml" --db "$T/h.db" -d 300ms --no-report >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run"; }
assert_contains "$T/err" "warning: [check] warn gateway IPv4: no IPv4 default route"
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM checks WHERE run_id = 1 AND
  name = 'mtu' AND target = 'lo4' AND status = 'pass' AND value = 65535")
[ "$n" = 1 ] || fail "checks not stored: $(sqlite3 "$T/h.db" 'SELECT * FROM checks')"
# ... unless the profile turns them off
printf 'checks:\n  enabled: false\n' >"$T/off.yaml"
sed -e '/^checks:/,/^  timeout/d' "$T/p.yaml" >>"$T/off.yaml"
"$BN" run -p "$T/off.yaml" --db "$T/h.db" -d 300ms --no-report >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run without checks"; }
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM checks WHERE run_id = 2")
[ "$n" = 0 ] || fail "checks ran though turned off"

# bad sections, at validate time
printf 'name: x\nchecks:\n  resolvers: [dns.example]\n  mtu: maybe\n' >"$T/bad.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/bad.yaml"
assert_contains "$T/err" "bad.yaml:4:8: section 'checks': option 'mtu' expects"
printf 'name: x\nchecks:\n  resolvers: [dns.example, "1.2.3.4:99999"]\n' >"$T/bad.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/bad.yaml"
assert_contains "$T/err" "bad.yaml:3:15: section 'checks': resolver 'dns.example' is not an address"
assert_contains "$T/err" "resolver '1.2.3.4:99999' is not an address"
expect_rc 2 "$BN" check extra
exit 0
