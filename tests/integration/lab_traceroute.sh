#!/bin/sh
# lab_traceroute.sh - the traceroute probe through a chain of three
# routers (client - r1 - r2 - r3 - target, tests/lab):
#  - every hop is seen, on IPv4 and IPv6, in order, and the target is
#    reached;
#  - r2 starts answering from another address (its route back to the
#    client gets another source, as after a change of router): a second
#    run reports a path change naming hop 2, in the store and in
#    `bottleneck paths`;
#  - r2 drops everything toward the target (a blackhole route): loss at
#    hop 2 and beyond, none before.
# Needs root (skips, or fails with BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
lab_require
lab_init traceroute
lab_chain 3 || fail "lab_chain"

cat >"$T/p.yaml" <<EOF
name: lab-traceroute
targets:
  - {name: t4, host: "$LAB_TARGET_IP"}
  - {name: t6, host: "$LAB_TARGET_IP6"}
probes:
  - plugin: traceroute
    interval: 1s
    timeout: 300ms
    spacing: 20ms
    max_ttl: 10
EOF
trace() {
  lab_exec client "$BN" run -p "$T/p.yaml" --db "$T/h.db" -d "$1" \
    --no-report >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run"; }
}
# last_hops TARGET: the addresses of the last round, space-separated
last_hops() {
  "$BN" paths "$1" --db "$T/h.db" --limit 1 --json >"$T/j" ||
    fail "bottleneck paths $1"
  python3 - "$T/j" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["rounds"][-1]["paths"][0]
print(r["status"], " ".join(h["addr"] or "*" for h in r["hops"]))
PY
}

trace 2500ms
got=$(last_hops t4)
[ "$got" = "reached $LAB_HOPS" ] || fail "IPv4 hops: '$got', want '$LAB_HOPS'"
got=$(last_hops t6)
want6=$(python3 -c 'import ipaddress, sys
print(" ".join(str(ipaddress.ip_address(a)) for a in sys.argv[1:]))' $LAB_HOPS6)
[ "$got" = "reached $want6" ] || fail "IPv6 hops: '$got', want '$want6'"
echo "IPv4: $LAB_HOPS"
echo "IPv6: $LAB_HOPS6"

# r2 answers from 10.77.1.22 from now on
R2=$(lab_ns r2)
ip -n "$R2" addr add 10.77.1.22/24 dev "$(lab_dev 1)" || fail "addr"
ip -n "$R2" route replace 10.77.0.0/24 via 10.77.1.1 dev "$(lab_dev 1)" \
  src 10.77.1.22 || fail "route src"
trace 1500ms
got=$(sqlite3 "$T/h.db" "SELECT kind || ' ' || ttl || ' ' || old_addr || ' ' ||
  new_addr FROM path_changes WHERE target = 't4'")
[ "$got" = "changed 2 10.77.1.2 10.77.1.22" ] || fail "change: '$got'"
"$BN" paths t4 --db "$T/h.db" --limit 2 >"$T/paths" || fail "paths"
assert_contains "$T/paths" "change: hop 2 changed 10.77.1.2 -> 10.77.1.22"
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM path_changes WHERE target = 't6'")
[ "$n" = 0 ] || fail "IPv6 did not change, yet $n changes"
sed -n '/change:/,$p' "$T/paths" | head -9

# r2 drops everything toward the target
ip -n "$R2" route add blackhole 10.77.3.0/24 || fail "blackhole"
trace 1500ms
"$BN" paths t4 --db "$T/h.db" --limit 1 --json >"$T/j" || fail "paths"
python3 - "$T/j" <<'PY' || fail "blackhole: $(cat "$T/j")"
import json, sys
p = json.load(open(sys.argv[1]))["rounds"][-1]["paths"][0]
loss = [h["loss_pct"] for h in p["hops"]]
print("blackhole at r2: status", p["status"], "loss by hop", loss)
assert p["status"] == "max ttl", p["status"]
assert loss[0] == 0, loss          # hop 1 still answers
assert all(l == 100 for l in loss[1:]) and len(loss) >= 2, loss
PY
exit 0
