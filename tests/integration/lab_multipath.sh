#!/bin/sh
# lab_multipath.sh - load-balanced paths (tests/lab): r1 reaches r2 over
# two links and balances flows between them by their ports (ECMP with
# the layer-4 hash), and r2 answers from the address of the link a probe
# came in on.  The traceroute probe with 16 flows per round:
#  - records both paths in one set (hop 2 is 10.77.1.2 on some flows,
#    10.77.11.2 on others), and each flow keeps one path all round long
#    (Paris: its ports never change);
#  - when the second link goes, the set shrinks to one path and that is
#    a "set" change (2 -> 1 distinct paths) in the store and in
#    `bottleneck paths`.
# Needs root (skips, or fails with BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
lab_require
lab_init multipath
lab_chain 3 || fail "lab_chain"
# The tuned lab (no ICMP rate limits): every one of the 16 flows must
# see hop 2 in one round, 48 answers from r2, and a router at the
# kernel's default answers 6 at once and then one a second (see
# lab_traceroute_ratelimit.sh for one flow at the default).
lab_ratelimit off || fail "lab_ratelimit off"

R1=$(lab_ns r1)
R2=$(lab_ns r2)
ip link add name bnm1 netns "$R1" type veth peer name bnm1 netns "$R2" ||
  fail "second link"
ip -n "$R1" link set bnm1 up && ip -n "$R2" link set bnm1 up &&
  ip -n "$R1" addr add 10.77.11.1/24 dev bnm1 &&
  ip -n "$R2" addr add 10.77.11.2/24 dev bnm1 || fail "second link up"
ip netns exec "$R1" sysctl -q -w net.ipv4.fib_multipath_hash_policy=1 ||
  fail "hash policy"
ip netns exec "$R2" sysctl -q -w net.ipv4.icmp_errors_use_inbound_ifaddr=1 \
  net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.bnm1.rp_filter=0 ||
  fail "r2 sysctl"
ip -n "$R1" route replace 10.77.3.0/24 nexthop via 10.77.1.2 dev bnl1 \
  nexthop via 10.77.11.2 dev bnm1 || fail "multipath route"

cat >"$T/p.yaml" <<EOF
name: lab-multipath
targets:
  - {name: t4, host: "$LAB_TARGET_IP"}
checks: {enabled: false}
probes:
  - plugin: traceroute
    flows: 16
    interval: 1s
    timeout: 300ms
    spacing: 20ms
    max_ttl: 8
EOF
trace() {
  lab_exec client "$BN" run -p "$T/p.yaml" --db "$T/h.db" -d "$1" \
    --no-report >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run"; }
}
# distinct: the distinct paths of the last round, one line each
distinct() {
  "$BN" paths t4 --db "$T/h.db" --limit 1 --json >"$T/j" || fail "paths"
  python3 - "$T/j" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["rounds"][-1]
seen = {}
for p in r["paths"]:
    # every hop of a flow answered from one address: one path per flow
    for h in p["hops"]:
        assert h["received"] == h["sent"], ("loss on a flow", p)
    seen[p["path"]] = p["status"] + " " + " ".join(h["addr"] for h in p["hops"])
for line in sorted(seen.values()):
    print(line)
PY
}

trace 2500ms
distinct >"$T/set" || fail "distinct: $(cat "$T/j")"
cat "$T/set"
want1="reached 10.77.0.2 10.77.1.2 10.77.2.2 10.77.3.2"
want2="reached 10.77.0.2 10.77.11.2 10.77.2.2 10.77.3.2"
[ "$(cat "$T/set")" = "$(printf '%s\n%s' "$want1" "$want2")" ] ||
  fail "want both paths in the set"

# the second link goes: one path left
ip -n "$R1" route replace 10.77.3.0/24 via 10.77.1.2 dev bnl1 ||
  fail "single route"
trace 1500ms
[ "$(distinct)" = "$want1" ] || fail "after: $(distinct)"
got=$(sqlite3 "$T/h.db" "SELECT kind || ' ' || old_paths || ' ' || new_paths
  FROM path_changes WHERE target = 't4' AND kind = 'set'")
[ "$got" = "set 2 1" ] || fail "set change: '$got', want 'set 2 1'"
"$BN" paths t4 --db "$T/h.db" --limit 2 >"$T/paths" || fail "paths"
grep "change:" "$T/paths" | sort -u | head -3
assert_contains "$T/paths" "change: the set of paths changed (2 -> 1 distinct)"
exit 0
