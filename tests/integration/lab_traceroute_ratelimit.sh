#!/bin/sh
# lab_traceroute_ratelimit.sh - the traceroute probe through the chain
# client - r1 - r2 - r3 - target (tests/lab) with the kernel's default
# ICMP rate limits in every namespace (net.ipv4.icmp_ratelimit 1000 ms:
# a router answers 6 probes at once, then one a second), as on real
# routers; default settings but 10 probes per hop:
#  - healthy chain, udp (the default mode; the target's port
#    unreachables are rate-limited too), IPv4 and IPv6: every round
#    reaches the target through LAB_HOPS, 0 % loss at every hop and at
#    the target in every round, one path id all along, no path change,
#    and the IPv4 routers' hops are flagged rate-limited (so the limit
#    was there, and was explained rather than counted); a round takes
#    less than 1.5 s;
#  - the tuned lab (lab_ratelimit off): the same, and no hop is flagged
#    or leaves a probe out;
#  - 10 % loss toward the target on the link r2 -> r3 (bn-impair), icmp
#    mode: no loss at hops 1 and 2, and at hop 3 and the target the loss
#    the relay really caused, within what the number of probes allows.
# Needs root (skips, or fails with BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
lab_require impair
lab_init tracerl
lab_chain 3 || fail "lab_chain"
[ "$(lab_exec r1 sysctl -n net.ipv4.icmp_ratelimit)" = 1000 ] ||
  fail "r1 should have the kernel's default icmp_ratelimit"

# run NAME MODE DURATION INTERVAL: a run into $T/NAME.db, debug log kept
run() {
  cat >"$T/$1.yaml" <<EOF
name: lab-traceroute-ratelimit
targets:
  - {name: t4, host: "$LAB_TARGET_IP"}
  - {name: t6, host: "$LAB_TARGET_IP6"}
checks: {enabled: false}
probes:
  - plugin: traceroute
    mode: $2
    count: 10
    interval: $4
EOF
  lab_exec client "$BN" --debug run -p "$T/$1.yaml" --db "$T/$1.db" -d "$3" \
    --no-report >"$T/out" 2>"$T/$1.err" || {
    tail -20 "$T/$1.err"
    fail "run $1"
  }
}
# rounds DB TARGET: the rounds as JSON lines
rounds() {
  "$BN" paths "$2" --db "$1" --limit 0 --json >"$T/j" || fail "paths $2"
}
want6=$(python3 -c 'import ipaddress, sys
print(" ".join(str(ipaddress.ip_address(a)) for a in sys.argv[1:]))' $LAB_HOPS6)

# healthy DB LABEL: every round clean; prints a summary line
healthy() {
  for t in t4 t6; do
    rounds "$1" $t
    if [ $t = t4 ]; then want=$LAB_HOPS; else want=$want6; fi
    python3 - "$T/j" "$want" "$2 $t" <<'PY' || fail "$2 $t: $(cat "$T/j")"
import json, sys
rounds = json.load(open(sys.argv[1]))["rounds"]
want, label = sys.argv[2], sys.argv[3]
assert len(rounds) >= 3, "%d rounds" % len(rounds)
ids = set()
for r in rounds:
    p = r["paths"][0]
    got = " ".join(h["addr"] or "*" for h in p["hops"])
    assert p["status"] == "reached" and got == want, (p["status"], got)
    for h in p["hops"]:
        assert h["received"] == h["sent"] and h["sent"] > 0, ("loss", h)
    assert not r["changes"], r["changes"]
    ids.add(p["path"])
assert len(ids) == 1, ids
loss = [sum(h["sent"] - h["received"] for h in r["paths"][0]["hops"])
        for r in rounds]
print("%s: %d rounds, 0 probes lost, one path %s" %
      (label, len(rounds), ids.pop()))
PY
  done
  n=$(sqlite3 "$1" "SELECT count(*) FROM path_changes")
  [ "$n" = 0 ] || fail "$2: $n path changes"
  # every round took less than 1.5 s
  python3 - "$T/$3.err" "$2" <<'PY' || fail "$2: round time"
import re, sys
ms = [float(m) for m in re.findall(r"round \d+ took ([0-9.]+) ms",
                                   open(sys.argv[1]).read())]
assert ms and max(ms) < 1500, ms
print("%s: rounds took %.0f-%.0f ms" % (sys.argv[2], min(ms), max(ms)))
PY
}

# 1. the kernel's default rate limits, udp
run udp udp 9s 2s
healthy "$T/udp.db" "rate limits on, udp" udp
n=$(sqlite3 "$T/udp.db" "SELECT count(*) FROM hops WHERE flags & 256 AND
  addr IN ('10.77.0.2', '10.77.1.2', '10.77.2.2')")
[ "$n" -gt 0 ] || fail "no IPv4 router hop flagged rate-limited"
grep "rate-limits its ICMP errors" "$T/udp.err" | sed 's/.*\] //' |
  sort | uniq -c | head -4

# 2. the tuned lab: nothing to explain
lab_ratelimit off || fail "lab_ratelimit off"
run off udp 7s 2s
healthy "$T/off.db" "rate limits off (tuned), udp" off
n=$(sqlite3 "$T/off.db" "SELECT count(*) FROM hops WHERE flags & 256")
[ "$n" = 0 ] || fail "tuned lab: $n hops flagged rate-limited"
n=$(sqlite3 "$T/off.db" "SELECT count(*) FROM hops h JOIN paths p ON
  p.id = h.path_id WHERE h.loss_pct > 0")
[ "$n" = 0 ] || fail "tuned lab: $n hops with loss"
lab_ratelimit on || fail "lab_ratelimit on"

# 3. real loss after r2, rate limits on, icmp
lab_impair 2 --fwd 0:0:10 --seed 11 || fail "lab_impair"
sleep 6 # the routers' budgets fill up again
run loss icmp 24s 3s
lost=$(lab_impair_stats 2 fwd lost)
in=$(lab_impair_stats 2 fwd in)
rounds "$T/loss.db" t4
python3 - "$T/j" "$lost" "$in" <<'PY' || fail "loss: $(cat "$T/j")"
import json, math, sys
rounds = json.load(open(sys.argv[1]))["rounds"]
relay = int(sys.argv[2]) / int(sys.argv[3])
sent = [0] * 4
recv = [0] * 4
for r in rounds:
    p = r["paths"][0]
    assert p["status"] == "reached", p
    assert not r["changes"], r["changes"]
    for i, h in enumerate(p["hops"]):
        sent[i] += h["sent"]
        recv[i] += h["received"]
loss = [100.0 * (s - g) / s for s, g in zip(sent, recv)]
print("10 %% loss r2 -> r3: relay dropped %.1f %% of %s packets; loss by hop "
      "%s (probes counted %s)" % (100 * relay, sys.argv[3],
                                  ["%.1f" % l for l in loss], sent))
assert loss[0] == 0 and loss[1] == 0, loss
for i in (2, 3):
    # the relay's rate, within 3 standard errors of this many probes
    se = 100 * math.sqrt(relay * (1 - relay) / sent[i])
    assert abs(loss[i] - 100 * relay) <= 3 * se + 1, (i, loss[i], se)
PY
n=$(sqlite3 "$T/loss.db" "SELECT count(*) FROM path_changes")
[ "$n" = 0 ] || fail "loss: $n path changes"
exit 0
