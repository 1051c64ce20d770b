#!/bin/sh
# lab_selftest.sh - the network lab checks itself (tests/lab/README.md):
#  1. teardown: a lab is removed when its script fails, gets SIGTERM, or
#     is SIGKILLed (then lab_reap removes it);
#  2. a 1-router chain answers ping on IPv4 and IPv6 through every hop;
#  3. bn-impair on link 1 (r1 -> target, ONE direction: toward the
#     target) with 30 ms delay and 10 % loss: 300 pings at 10 ms show
#     RTT +30 +-2 ms (avg) and 10 +-4 % loss, equal to the relay's count;
#  4. jitter 20 +-10 ms (uniform) keeps RTT inside [10, 30] ms + slack
#     (2 % of replies may be later on a loaded machine, none past 80 ms);
#  5. the relay carries ~6000 packets/s each way with 15 ms each way,
#     loses nothing and releases packets on time (late_avg_us, bounded
#     by a low-rate baseline through the same relay);
#  6. tbf at 50mbit limits iperf3 goodput to 43..50.5 Mbit/s (only when
#     iperf3 is installed; that part is reported as skipped otherwise);
#  7. after lab_teardown no namespace with the lab's prefix is left.
# Skips without root (exit 77; fails with BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
lab_require impair ping tc

# ping_run NS DEST ARGS...: ping -q; sets P_TX P_RX P_LOST P_LOSS P_MIN
# P_AVG P_MAX P_MDEV (ms, loss in %).
ping_run() {
  local ns="$1" dst="$2" out
  shift 2
  out=$(lab_exec "$ns" ping -q -n "$@" "$dst" 2>&1)
  echo "$out" | tail -n 2
  P_TX=$(echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
  P_RX=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
  [ -n "$P_TX" ] && [ -n "$P_RX" ] || fail "cannot parse ping: $out"
  P_LOST=$((P_TX - P_RX))
  P_LOSS=$(awk "BEGIN { printf \"%.2f\", 100 * $P_LOST / $P_TX }")
  # shellcheck disable=SC2046 # split min/avg/max/mdev on purpose
  set -- $(echo "$out" | sed -n 's|^rtt [^=]*= \([0-9./]*\) ms.*|\1|p' |
    tr / ' ')
  P_MIN=${1:-nan} P_AVG=${2:-nan} P_MAX=${3:-nan} P_MDEV=${4:-nan}
}

# check LABEL EXPR: fail unless the awk expression (on numbers) holds.
check() {
  awk "BEGIN { exit !($2) }" || fail "$1: $2"
  echo "ok: $1 ($2)"
}

# icmp_count NS FIELD: a counter of the Icmp line of /proc/net/snmp.
icmp_count() {
  lab_exec "$1" cat /proc/net/snmp | awk -v f="$2" '
    $1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
    $1 == "Icmp:" { print $col[f] }'
}

netns_of() {
  ip netns list | grep "^$1-" || true
}

# --- 1. teardown on failure, SIGTERM and SIGKILL -----------------------
cat >"$T/child.sh" <<'CHILD'
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
lab_init "$1" && lab_chain 1 || exit 2
echo "$LAB_PREFIX" >"$T/$1.prefix"
case $1 in
fails) exit 3 ;;
termed) lab_exec client sleep 30 & wait $! ;;
killed) kill -9 $$ ;;
esac
CHILD
child() {
  env T="$T" sh "$T/child.sh" "$1"
}

child fails
[ $? -eq 3 ] || fail "child 'fails' did not exit 3"
p=$(cat "$T/fails.prefix")
[ -z "$(netns_of "$p")" ] || fail "namespaces of $p left after exit 3"
echo "ok: a failing script tears its lab down"

env T="$T" sh "$T/child.sh" termed &
cpid=$!
i=0
while [ ! -s "$T/termed.prefix" ]; do
  i=$((i + 1))
  [ $i -lt 500 ] || fail "child 'termed' did not build its lab"
  sleep 0.02
done
p=$(cat "$T/termed.prefix")
[ -n "$(netns_of "$p")" ] || fail "no namespaces of $p while it runs"
sleep 0.2
kill -TERM $cpid
wait $cpid
rc=$?
[ $rc -eq 143 ] || fail "child 'termed' exited $rc, not 143"
[ -z "$(netns_of "$p")" ] || fail "namespaces of $p left after SIGTERM"
echo "ok: SIGTERM tears the lab down (and kills its processes)"

child killed
p=$(cat "$T/killed.prefix")
[ -n "$(netns_of "$p")" ] || fail "SIGKILL should leave namespaces of $p"
lab_reap 2>/dev/null
[ -z "$(netns_of "$p")" ] || fail "lab_reap left namespaces of $p"
echo "ok: lab_reap removes the lab of a SIGKILLed script"

# --- 2. the chain ------------------------------------------------------
lab_init selftest || fail "lab_init"
lab_chain 1 || fail "lab_chain 1"
lab_info
for h in $LAB_HOPS $LAB_HOPS6; do
  lab_exec client ping -q -n -c 1 -W 2 "$h" >/dev/null ||
    fail "hop $h does not answer"
done
echo "ok: every hop answers on IPv4 and IPv6"
# LAB_HOPS is what a traceroute from the client sees: TTL j expires at
# hop j, which answers from that address.
ttl=0
for h in $LAB_HOPS; do
  ttl=$((ttl + 1))
  [ "$h" = "$LAB_TARGET_IP" ] && break
  lab_exec client ping -n -c 1 -W 2 -t $ttl "$LAB_TARGET_IP" |
    grep -q "^From $h .*exceeded" || fail "TTL $ttl did not expire at $h"
done
echo "ok: TTL expiry answers match LAB_HOPS"
sysctl_r1() { lab_exec r1 sysctl -n "$1"; }
# the kernel's default ICMP rate limit, and lab_ratelimit switching it
[ "$(sysctl_r1 net.ipv4.icmp_ratelimit)" = 1000 ] || fail "r1 icmp_ratelimit"
lab_ratelimit off || fail "lab_ratelimit off"
[ "$(sysctl_r1 net.ipv4.icmp_ratelimit)" = 0 ] || fail "r1 ratelimit off"
lab_ratelimit on || fail "lab_ratelimit on"
[ "$(sysctl_r1 net.ipv4.icmp_ratelimit)" = 1000 ] || fail "r1 ratelimit on"
[ "$(sysctl_r1 net.ipv4.ip_forward)" = 1 ] || fail "r1 ip_forward"

echo "baseline (veth):"
ping_run client "$LAB_TARGET_IP" -c 300 -i 0.01
[ "$P_LOST" -eq 0 ] || fail "baseline lost $P_LOST of $P_TX"
base=$P_AVG

# --- 3. delay and loss, one direction ----------------------------------
lab_impair 1 --fwd 30:0:10 --seed 42 || fail "lab_impair"
echo "impaired (30 ms, 10 % loss toward the target):"
ping_run client "$LAB_TARGET_IP" -c 300 -i 0.01
d_avg=$(awk "BEGIN { printf \"%.3f\", $P_AVG - $base }")
loss=$P_LOSS
check "avg RTT +$d_avg ms, injected 30" "$d_avg >= 28 && $d_avg <= 32"
check "min RTT $P_MIN ms is not below the delay" "$P_MIN >= 30"
check "loss $loss %, injected 10" "$loss >= 6 && $loss <= 14"
lost=$(lab_impair_stats 1 fwd lost)
[ -n "$lost" ] || fail "no relay stats"
check "relay dropped $lost, ping lost $P_LOST" \
  "$lost - $P_LOST <= 2 && $P_LOST - $lost <= 2"
[ "$(lab_impair_stats 1 rev lost)" = 0 ] || fail "reverse lost packets"

# --- 4. jitter -----------------------------------------------------------
lab_impair 1 --fwd 20:10 --seed 7 || fail "lab_impair jitter"
echo "jitter (20 +-10 ms uniform, order kept):"
ping_run client "$LAB_TARGET_IP" -c 200 -i 0.01
check "jitter: no loss" "$P_LOST == 0"
check "jitter: min $P_MIN ms >= 10" "$P_MIN >= 10"
check "jitter: mdev $P_MDEV ms shows jitter" "$P_MDEV >= 2"
# The upper bound, per reply: at most 30 ms + 3 ms.  A loaded machine
# (CI runs two CPU hogs' worth) may stall the relay or ping a few ms now
# and then, and a stalled release also holds the replies queued behind
# it (order kept): 2 % of the replies may be later, none beyond 30 + 50.
lab_exec client ping -n -c 200 -i 0.01 "$LAB_TARGET_IP" 2>&1 |
  sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' >"$T/jitter.rtt"
n=$(wc -l <"$T/jitter.rtt")
late=$(awk '$1 > 33' "$T/jitter.rtt" | wc -l)
max=$(sort -n "$T/jitter.rtt" | tail -n 1)
check "jitter: $late of $n replies above 30 + 3 ms" "$n >= 196 && $late <= $n / 50"
check "jitter: max $max ms <= 30 + 50" "$max <= 80"

# --- 5. thousands of packets a second -----------------------------------
# The bounds come from a baseline measured here, at a low rate through the
# same relay: its lateness then is what this machine (its load, a
# sanitizer build) costs per packet; at the high rate it may add queueing
# of its own, a few times that, and a test running beside it (make -j2)
# can stall it for a few ms now and then: on average still under 0.5 ms
# more (a relay that cannot keep up is late by many ms).
lab_impair 1 --fwd 15 --rev 15 --seed 1 || fail "lab_impair rate"
echo "rate baseline (15 ms each way, 300 pings, 1 in flight):"
ping_run client "$LAB_TARGET_IP" -c 300 -i 0.005
late0=0
for dir in fwd rev; do
  l=$(lab_impair_stats 1 $dir late_avg_us)
  late0=$(awk "BEGIN { print ($l > $late0) ? $l : $late0 }")
done
late_max=$(awk "BEGIN { printf \"%d\", 500 + 4 * $late0 }")
rtt_max=$(awk "BEGIN { printf \"%.2f\", $P_AVG + 1.5 }")
echo "baseline: relay late by $late0 us, RTT $P_AVG ms;" \
  "bounds: late < $late_max us, RTT <= $rtt_max ms"
lab_impair 1 --fwd 15 --rev 15 --seed 1 || fail "lab_impair rate"
echo "rate (15 ms each way, 10000 pings, 200 in flight):"
reps0=$(icmp_count client InEchoReps)
t0=$(date +%s.%N)
ping_run client "$LAB_TARGET_IP" -c 10000 -i 0.0001 -l 200
t1=$(date +%s.%N)
pps=$(awk "BEGIN { printf \"%d\", $P_TX / ($t1 - $t0) }")
reps=$(($(icmp_count client InEchoReps) - reps0))
lab_impair_stats 1
for dir in fwd rev; do
  in=$(lab_impair_stats 1 $dir in)
  out=$(lab_impair_stats 1 $dir out)
  late=$(lab_impair_stats 1 $dir late_avg_us)
  check "rate $dir: relay forwarded all ($out of $in)" "$in == $out"
  check "rate $dir: release late by $late us on average" "$late < $late_max"
done
check "rate: $pps pings/s (each way)" "$pps >= 2000"
# ping itself may miss a few replies when its raw socket buffer is full
# at this rate (the socket's drop count); the client's kernel got them.
check "rate: $reps of $P_TX replies reached the client" "$reps == $P_TX"
check "rate: avg RTT $P_AVG ms" "$P_AVG >= 30 && $P_AVG <= $rtt_max"
lab_unimpair 1 || fail "lab_unimpair"
ping_run client "$LAB_TARGET_IP" -c 20 -i 0.01
check "veth back: RTT $P_AVG ms" "$P_AVG < 5 && $P_LOST == 0"

# --- 6. tbf --------------------------------------------------------------
# One iperf3 server in the target for both runs; teardown stops it.
iperf_server() {
  lab_exec target iperf3 -s -B "$LAB_TARGET_IP" >"$T/iperf3-s.log" 2>&1 &
  i=0
  while ! lab_exec target ss -ltn | grep -q ':5201 '; do
    i=$((i + 1))
    [ $i -lt 250 ] || fail "iperf3 server did not start"
    sleep 0.02
  done
}
# iperf_mbps SECONDS: client to target goodput, as the receiver saw it.
iperf_mbps() {
  lab_exec client iperf3 -c "$LAB_TARGET_IP" -t "$1" -f m |
    sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver$/\1/p'
}
if command -v iperf3 >/dev/null 2>&1; then
  iperf_server
  lab_shape r1 "$(lab_dev 1)" 50mbit || fail "lab_shape"
  mbps=$(iperf_mbps 3)
  [ -n "$mbps" ] || fail "iperf3 gave no result"
  check "tbf 50mbit: iperf3 goodput $mbps Mbit/s" \
    "$mbps >= 43 && $mbps <= 50.5"
  lab_unshape r1 "$(lab_dev 1)"
  mbps=$(iperf_mbps 1)
  [ -n "$mbps" ] || fail "iperf3 gave no result"
  check "unshaped: iperf3 goodput $mbps Mbit/s" "$mbps > 100"
else
  echo "SKIP (part): iperf3 not installed (apt-get install iperf3)," \
    "tbf not measured"
fi

# --- 7. teardown ---------------------------------------------------------
p=$LAB_PREFIX
lab_teardown
[ -z "$(netns_of "$p")" ] || fail "namespaces of $p left after teardown"
[ ! -d "$LAB_RUNDIR/$p" ] || fail "state dir of $p left"
lab_teardown
echo "ok: lab torn down, none of $p left"
