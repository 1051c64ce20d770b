#!/bin/sh
# check_nic.sh - `bottleneck check --nic` against ethtool, in a network
# and mount namespace of its own (sysfs remounted, so /sys/class/net shows
# this namespace's interfaces): a veth pair (and a dummy interface when
# the kernel has the driver).  Features, rings, coalescing and channels
# are changed with ethtool, and each time what Bottleneck reports is
# compared with what `ethtool -k/-l/-g/-c` prints, field for field;
# "not supported by this driver" must appear exactly where ethtool says
# "Operation not supported".  The rules must fire on the states they
# describe, and running the command a finding recommends must clear it.
# Then an unknown interface (one line, exit status 2) and the nic check
# from a profile's `checks:` section, stored with a run.
if [ -z "${BN_NIC_NETNS:-}" ]; then
  [ "$(id -u)" = 0 ] && unshare -n -m true 2>/dev/null &&
    exec unshare -n -m env BN_NIC_NETNS=1 sh "$0" "$@"
fi
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
[ -n "${BN_NIC_NETNS:-}" ] || skip "needs root to make a network namespace"
need_cmd ethtool "build-aux/install-deps.sh installs it"
need_cmd python3 "apt-get install python3"
need_cmd sqlite3 "apt-get install sqlite3"
mount --make-rprivate / 2>/dev/null
mount -t sysfs sysfs /sys || skip "cannot mount sysfs in the namespace"
ip link set lo up
ip link add bnnica type veth peer name bnnicb || fail "veth"
ip link set bnnica up && ip link set bnnicb up || fail "veth up"

# compare IF: Bottleneck's JSON readings of IF against ethtool's output,
# field for field; prints what differs.
compare() {
  "$BN" check --nic "$1" --json >"$T/nic.json" 2>"$T/nic.err" ||
    [ $? = 1 ] || { cat "$T/nic.err"; fail "check --nic $1"; }
  for o in k l g c; do
    ethtool -$o "$1" >"$T/eth.$o" 2>&1
  done
  python3 - "$1" "$T" <<'PY' || fail "bottleneck and ethtool differ on $1"
import json, re, sys
ifn, t = sys.argv[1], sys.argv[2]
d = json.load(open(t + "/nic.json"))
n = [x for x in d["nic"] if x["iface"] == ifn][0]
checks = {c["check"]: c for c in d["checks"] if c["target"] == ifn}
bad = []
def eth(o):
    return open("%s/eth.%s" % (t, o)).read()
def unsupported(o):
    return "Operation not supported" in eth(o)

# features: ethtool -k prints kernel names, except where a legacy name
# stands for one kernel feature; group lines (several features) are
# checked through their indented members
alias = {"rx-checksum": "rx-checksumming",
         "tx-generic-segmentation": "generic-segmentation-offload",
         "rx-gro": "generic-receive-offload", "rx-lro": "large-receive-offload",
         "rx-vlan-hw-parse": "rx-vlan-offload",
         "tx-vlan-hw-insert": "tx-vlan-offload",
         "rx-ntuple-filter": "ntuple-filters", "rx-hashing": "receive-hashing"}
groups = {"tx-checksumming", "scatter-gather", "tcp-segmentation-offload"}
k = {}
for line in eth("k").splitlines()[1:]:
    m = re.match(r"\s*([^:]+): (on|off)( \[fixed\])?( \[requested (on|off)\])?$", line)
    if not m:
        bad.append("ethtool -k line not understood: " + line)
        continue
    k[m.group(1)] = (m.group(2) == "on", bool(m.group(3)),
                     m.group(5) == "on" if m.group(4) else None)
feats = n.get("features")
if unsupported("k"):
    if feats is not None: bad.append("features read where ethtool cannot")
else:
    seen = set()
    for name, f in feats.items():
        e = k.get(name) or k.get(alias.get(name, ""))
        if e is None:
            bad.append("feature %s not in ethtool -k" % name); continue
        seen.add(name if name in k else alias[name])
        act, fixed, req = e
        if f["active"] != act: bad.append("%s active %s, ethtool %s" % (name, f["active"], act))
        if f["fixed"] != fixed: bad.append("%s fixed %s, ethtool %s" % (name, f["fixed"], fixed))
        # ethtool shows [requested X] when requested differs from active,
        # for changeable features only (the kernel's wanted set holds only
        # those)
        want = req if req is not None else act
        if not fixed and f["requested"] != want: bad.append("%s requested %s, ethtool %s" % (name, f["requested"], want))
    missing = set(k) - seen - groups
    if missing: bad.append("in ethtool -k only: %s" % sorted(missing))

# ethtool -l / -g / -c: "Label:\tvalue" in sections
def fields(o, section=None):
    out, cur = {}, None
    for line in eth(o).splitlines():
        if line.endswith(":") and "\t" not in line:
            cur = line[:-1]; continue
        m = re.match(r"([^:]+):\s+(\S+)", line)
        if m and (section is None or cur == section):
            v = m.group(2)
            out[m.group(1).strip()] = None if v == "n/a" else (
                int(v) if v.isdigit() else v)
    return out
def section(o, key, fieldmap):
    j = n[key]
    if unsupported(o):
        if j.get("supported") is not False:
            bad.append("%s: ethtool says not supported, bottleneck %s" % (key, j))
        if checks.get("nic-" + ("coalesce" if key == "coalesce" else key), {}).get("reason", "").find("not supported by this driver") < 0:
            bad.append("%s: no 'not supported by this driver' finding" % key)
        return False
    if j.get("supported") is not True:
        bad.append("%s: ethtool reads it, bottleneck %s" % (key, j)); return True
    for (sec, label), jk in fieldmap.items():
        ev = fields(o, sec).get(label, "absent")
        if ev == "absent": continue  # an older ethtool without the line
        if isinstance(ev, str): ev = {"on": 1, "off": 0}.get(ev, ev)
        if j[jk] != ev: bad.append("%s %s: bottleneck %s, ethtool %s" % (key, jk, j[jk], ev))
    return True
mx, cur = "Pre-set maximums", "Current hardware settings"
section("l", "channels", {(mx, "RX"): "rx_max", (mx, "TX"): "tx_max",
        (mx, "Other"): "other_max", (mx, "Combined"): "combined_max",
        (cur, "RX"): "rx", (cur, "TX"): "tx", (cur, "Other"): "other",
        (cur, "Combined"): "combined"})
section("g", "rings", {(mx, "RX"): "rx_max", (mx, "RX Mini"): "rx_mini_max",
        (mx, "RX Jumbo"): "rx_jumbo_max", (mx, "TX"): "tx_max",
        (cur, "RX"): "rx", (cur, "RX Mini"): "rx_mini",
        (cur, "RX Jumbo"): "rx_jumbo", (cur, "TX"): "tx"})
section("c", "coalesce", {(None, "rx-usecs"): "rx_usecs",
        (None, "rx-frames"): "rx_frames", (None, "tx-usecs"): "tx_usecs",
        (None, "tx-frames"): "tx_frames", (None, "Adaptive RX"): "adaptive_rx",
        (None, "Adaptive TX"): "adaptive_tx"})
# every check of the interface is there, once
for c in ("nic-offload", "nic-rings", "nic-coalesce", "nic-channels",
          "nic-irq", "nic-rps", "nic-xps", "nic-drops", "nic-errors"):
    if c not in checks: bad.append("no %s finding" % c)
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
}

# finding IF CHECK: print "status<TAB>fix" of the (first) finding
finding() {
  python3 - "$T/nic.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["checks"] if c["target"] == sys.argv[2] and c["check"] == sys.argv[3]]
print("%s\t%s" % (c[0]["status"], c[0]["fix"] or "") if c else "none\t")
PY
}
status_of() { finding "$1" "$2" | cut -f1; }
fix_of() { finding "$1" "$2" | cut -f2; }
CPUS=$(getconf _NPROCESSORS_ONLN)

# 1. as created, and text output
compare bnnica
expect_rc 0 "$BN" check --nic bnnica
grep -qE '^pass +nic-rings +bnnica +rings: not supported by this driver' "$T/out" ||
  { ethtool -g bnnica 2>&1 | grep -q 'not supported' &&
    fail "text: rings not supported: $(cat "$T/out")"; }
grep -q '^nic bnnica' "$T/out" || fail "text: no readings block"

# 2. offloads: gro and tso off -> a finding whose fix turns them on
ethtool -K bnnica gro off tso off 2>/dev/null
compare bnnica
[ "$(status_of bnnica nic-offload)" = warn ] || fail "offload rule: gro/tso off"
fix=$(fix_of bnnica nic-offload)
case "$fix" in
"ethtool -K bnnica gro on tso on") ;;
*) fail "offload fix: '$fix'" ;;
esac
sh -c "$fix" || fail "running '$fix'"
compare bnnica
[ "$(status_of bnnica nic-offload)" = pass ] ||
  fail "offload still warns after '$fix': $(finding bnnica nic-offload)"
# LRO cannot be turned on on veth: "requested on", compared field for field
ethtool -K bnnica lro on >/dev/null 2>&1
compare bnnica

# 3. channels (veth: separate rx and tx, at most one per CPU)
ethtool -L bnnica rx 1 tx 1 || fail "ethtool -L rx 1 tx 1"
compare bnnica
if [ "$CPUS" -gt 1 ]; then
  [ "$(status_of bnnica nic-channels)" = warn ] || fail "channels rule: 1 of $CPUS"
  fix=$(fix_of bnnica nic-channels)
  echo "$fix" | grep -qE '^ethtool -L bnnica rx [0-9]+ tx [0-9]+$' || fail "channels fix '$fix'"
  # one RX queue and RPS off
  [ "$(status_of bnnica nic-rps)" = warn ] || fail "rps rule: one queue, RPS off"
  rfix=$(fix_of bnnica nic-rps)
  sh -c "$rfix" || fail "running '$rfix'"
  compare bnnica
  [ "$(status_of bnnica nic-rps)" = pass ] || fail "rps still warns after '$rfix'"
  sh -c "$fix" || fail "running '$fix'"
  compare bnnica
  [ "$(status_of bnnica nic-channels)" = pass ] || fail "channels still warn after '$fix'"
  # two TX queues, XPS off on both
  [ "$(status_of bnnica nic-xps)" = warn ] || fail "xps rule: $(cat "$T/nic.json")"
  xfix=$(fix_of bnnica nic-xps)
  sh -c "$xfix" || fail "running '$xfix'"
  compare bnnica
  [ "$(status_of bnnica nic-xps)" = pass ] || fail "xps still warns after '$xfix'"
else
  [ "$(status_of bnnica nic-channels)" = pass ] || fail "channels on 1 CPU"
fi

# 4. loopback: ethtool -l says not supported, so must we
compare lo
grep -q 'Operation not supported' "$T/eth.l" &&
  { grep -q '"channels": {"supported": false' "$T/nic.json" || fail "lo channels"; }

# 5. a dummy interface, when the kernel has the driver
if ip link add bnnicd type dummy 2>/dev/null; then
  ip link set bnnicd up
  compare bnnicd
  ethtool -K bnnicd tx off 2>/dev/null && compare bnnicd
else
  echo "note: no dummy driver in this kernel; dummy part left out" >&2
fi

# 6. every interface that is up, but loopback
expect_rc 0 "$BN" check --nic
grep -q '^nic bnnica' "$T/out" && grep -q '^nic bnnicb' "$T/out" || fail "all: $(cat "$T/out")"
grep -q '^nic lo' "$T/out" && fail "all: loopback checked"

# 7. an unknown interface: one line, exit status 2
expect_rc 2 "$BN" check --nic nosuch0
[ "$(wc -l <"$T/err")" = 1 ] || fail "unknown interface: $(cat "$T/err")"
grep -q "no network interface named 'nosuch0'" "$T/err" || fail "unknown: $(cat "$T/err")"
[ -s "$T/out" ] && fail "unknown interface printed: $(cat "$T/out")"
expect_rc 2 "$BN" check --nic -p home
grep -q -- "--nic checks interfaces, not a profile" "$T/err" || fail "--nic -p: $(cat "$T/err")"

# 8. from a profile: `check -p` and stored with a run
ethtool -K bnnica gro off 2>/dev/null
cat >"$T/p.yaml" <<EOF
name: nic-test
targets:
  - {name: lo4, host: 127.0.0.1}
checks:
  gateway: false
  mtu: false
  nic: true
  nic_interfaces: [bnnica, nosuch0]
EOF
expect_rc 1 "$BN" check -p "$T/p.yaml"
grep -qE '^warn +nic-offload +bnnica +offloads off: gro' "$T/out" || fail "profile: $(cat "$T/out")"
grep -q 'fix: ethtool -K bnnica gro on' "$T/out" || fail "profile fix: $(cat "$T/out")"
grep -qE "^fail +nic +nosuch0 +no network interface named 'nosuch0'" "$T/out" ||
  fail "profile unknown iface: $(cat "$T/out")"
"$BN" run -p "$T/p.yaml" --db "$T/h.db" -d 300ms --no-report >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run"; }
r=$(sqlite3 "$T/h.db" "SELECT status || '|' || reason FROM checks WHERE name = 'nic-offload' AND target = 'bnnica'")
case "$r" in
"warn|offloads off: gro"*"; fix: ethtool -K bnnica gro on") ;;
*) fail "stored: '$r' / $(sqlite3 "$T/h.db" 'SELECT name, target, status FROM checks')" ;;
esac
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM checks WHERE name LIKE 'nic-%' AND target = 'bnnica'")
[ "$n" = 9 ] || fail "stored $n nic findings, want 9"
# a bad value in the section is refused with its place
printf 'name: x\ntargets: [{name: a, host: 127.0.0.1}]\nchecks: {nic: maybe}\n' >"$T/bad.yaml"
expect_rc 3 "$BN" check -p "$T/bad.yaml"
grep -q 'bad.yaml:3' "$T/err" || fail "bad nic value: $(cat "$T/err")"
echo "ok"
