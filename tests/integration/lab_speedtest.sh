#!/bin/sh
# lab_speedtest.sh - speed tests through the network lab: client - r1 -
# target, with tbf at 50 Mbit/s on r1 in both directions.  In the same
# run: iperf3 itself measures the link, then `bottleneck speedtest` in
# the client namespace with the iperf3 provider (an iperf3 server in the
# target) and the librespeed provider (nginx in the target).  Checks:
#  - each provider's download and upload within +-5 % of the 47.8 Mbit/s
#    of TCP goodput tbf leaves of 50 Mbit/s (DESIGN.md), and of iperf3's
#    own figure;
#  - latency under load above idle latency (tbf's queue fills).
# Prints the figures.  Needs root (skips, or fails with BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
. "$BN_TOP_SRCDIR/tests/integration/speedtest_server.sh"
need_cmd sqlite3 "apt-get install sqlite3"
lab_require iperf3 nginx python3
lab_init speedtest
lab_chain 1 || fail "lab_chain"
RATE=50mbit
GOODPUT=47.8 # Mbit/s: 1448/1514 of the line rate
lab_shape r1 "$(lab_dev 0)" $RATE || fail "lab_shape toward the client"
lab_shape r1 "$(lab_dev 1)" $RATE || fail "lab_shape toward the target"

lab_exec target iperf3 -s -B "$LAB_TARGET_IP" >"$T/iperf3-s.log" 2>&1 &
i=0
while ! lab_exec target ss -ltn | grep -q ':5201 '; do
  i=$((i + 1)); [ $i -lt 250 ] || fail "iperf3 server did not start"
  sleep 0.02
done
ST_ADDR=$LAB_TARGET_IP ST_PORT=8080 speedtest_server_start "$LAB_TARGET"

# iperf3 on its own, as a reference: download (-R) and upload
iperf_mbps() {
  lab_exec client iperf3 -c "$LAB_TARGET_IP" -t 4 -P 4 -f m "$@" |
    sed -n 's/.*SUM.* \([0-9.]*\) Mbits\/sec.*receiver$/\1/p'
}
REF_DOWN=$(iperf_mbps -R)
REF_UP=$(iperf_mbps)
[ -n "$REF_DOWN" ] && [ -n "$REF_UP" ] || fail "iperf3 gave no figures"

cat >"$T/p.yaml" <<EOF
name: lab-speedtest
speedtest: {streams: 4, duration: 6s, timeout: 40s, retries: 0}
speedtests:
  - {plugin: iperf3, name: iperf3, server: "$LAB_TARGET_IP"}
  - {plugin: librespeed, name: librespeed, server: "$ST_URL"}
EOF
for p in iperf3 librespeed; do
  lab_exec client "$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" \
    --provider $p --json >"$T/$p.json" 2>"$T/$p.err" ||
    { cat "$T/$p.json" "$T/$p.err"; fail "speedtest $p"; }
done

python3 - "$T" "$GOODPUT" "$REF_DOWN" "$REF_UP" <<'PY' || exit 1
import json, sys
t, goodput, ref_down, ref_up = sys.argv[1], *map(float, sys.argv[2:])
print(f"tbf {goodput} Mbit/s goodput expected; iperf3 itself: "
      f"down {ref_down:.2f}, up {ref_up:.2f} Mbit/s")
bad = []
for p in ("iperf3", "librespeed"):
    d = json.load(open(f"{t}/{p}.json"))
    down, up = d["download_bps"] / 1e6, d["upload_bps"] / 1e6
    idle = d["latency_ms"]
    ld, lu = d["loaded_down_ms"], d["loaded_up_ms"]
    print(f"{p:10s} down {down:6.2f} ({down / goodput:.3f} of tbf, "
          f"{down / ref_down:.3f} of iperf3)  up {up:6.2f} "
          f"({up / goodput:.3f}, {up / ref_up:.3f})  idle {idle:.2f} ms, "
          f"loaded down {ld:.2f} ms, up {lu:.2f} ms, grade {d['bufferbloat']}")
    for what, v, ref in (("down/tbf", down, goodput), ("up/tbf", up, goodput),
                         ("down/iperf3", down, ref_down),
                         ("up/iperf3", up, ref_up)):
        if abs(v / ref - 1) > 0.05:
            bad.append(f"{p} {what}: {v:.2f} vs {ref:.2f}")
    if not (ld > idle and lu > idle):
        bad.append(f"{p}: loaded latency {ld}/{lu} not above idle {idle}")
if bad:
    print("FAIL: " + "; ".join(bad))
    sys.exit(1)
PY
exit 0
