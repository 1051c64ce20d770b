#!/bin/sh
# lab_mtu.sh - the path MTU check through the lab: client - r1 - r2 - r3
# - target with an MTU of 1400 on the link between r2 and r3; `bottleneck
# check` in the client namespace finds 1400 on IPv4 and IPv6 and warns
# against the interface MTU of 1500.  Needs root (skips, or fails with
# BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd python3 "apt-get install python3"
lab_require
lab_init mtu
lab_chain 3 || fail "lab_chain"
lab_mtu 2 1400 || fail "lab_mtu"

# The kernel's default ICMP rate limits first (as on every real router:
# a burst of about 6 errors, then one a second, so the check waits for
# a token before taking silence for "too big"), then the tuned lab with
# them off, labelled as such.
mtu_case() {
cat >"$T/p.yaml" <<EOF
name: lab-mtu
targets:
  - {name: t4, host: "$LAB_TARGET_IP"}
  - {name: t6, host: "$LAB_TARGET_IP6"}
checks: {timeout: 500ms}
EOF
lab_exec client "$BN" check -p "$T/p.yaml" --json >"$T/out" 2>"$T/err"
[ $? -le 1 ] || { cat "$T/out" "$T/err"; fail "$1: check"; }
python3 - "$T/out" <<'PY' || fail "$1: mtu: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
mtu = {c["target"]: c for c in d["checks"] if c["check"] == "mtu"}
for t in ("t4", "t6"):
    c = mtu[t]
    print(f"{t}: {c['status']} {c['reason']}")
    assert c["status"] == "warn" and c["value"] == 1400, c
    assert "below the interface MTU 1500" in c["reason"], c
PY
}
mtu_case "default rate limits"
lab_ratelimit off || fail "lab_ratelimit off"
# forget the path MTU the client learned, or IP_MTU already says 1400
lab_exec client ip route flush cache
lab_exec client ip -6 route flush cache
mtu_case "tuned lab (rate limits off)"
exit 0
