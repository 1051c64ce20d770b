#!/bin/sh
# selftest.sh - `bottleneck selftest`: the machine's capabilities, every
# loaded plugin exercised on loopback or set up with its defaults, in
# under 10 seconds, text and JSON; "ok" only for probes whose every probe
# was answered; nothing left behind in $TMPDIR.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
export TMPDIR="$T"
"$BN" selftest >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out"
[ $rc = 0 ] || { cat "$T/err"; fail "selftest exited $rc"; }
for cap in raw_sockets ping_sockets ipv6 netlink kernel_timestamps; do
  grep -qE "^  $cap +(yes|no) " "$T/out" || fail "capability $cap missing"
done
# ok means it worked: a probe said ok has every probe answered, and the
# dns and http probes get answers from selftest's own loopback responder
if grep -E "^  probe +[a-z0-9-]+ +ok .*, [1-9][0-9]* lost" "$T/out"; then
  fail "a probe is ok although probes were lost"
fi
for p in "probe +tcp +ok +[1-9][0-9]* samples" "probe +traceroute +ok" \
  "probe +dns +ok +[1-9][0-9]* samples on loopback, 0 lost" \
  "probe +http +ok +[1-9][0-9]* samples on loopback, 0 lost" \
  "reporter +text +ok +rendered [1-9]" "reporter +json +ok" \
  "speedtest +cloudflare +ok +created and destroyed" \
  "speedtest +librespeed +skipped +needs configuration"; do
  grep -qE "^  $p" "$T/out" || fail "no line like '$p'"
done
secs=$(sed -n 's/^selftest took \([0-9.]*\) s$/\1/p' "$T/out")
python3 -c "import sys; sys.exit(0 if float('$secs') < 10 else 1)" ||
  fail "selftest took $secs s"
# every plugin on the path is listed
n=$("$BN" plugins | grep -cE '^(probe|speedtest|anomaly|exporter|reporter) ')
[ "$(grep -cE '^  (probe|speedtest|anomaly|exporter|reporter) ' "$T/out")" = "$n" ] ||
  fail "not every plugin listed ($n loaded)"
"$BN" selftest --json >"$T/j" 2>"$T/err" || fail "selftest --json"
python3 - "$T/j" <<'PY' || fail "json: $(cat "$T/j")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["seconds"] < 10 and d["machine"]["ipv6"] in (True, False)
assert {p["name"] for p in d["plugins"]} >= {"tcp", "text", "json"}
assert all(p["status"] in ("ok", "skipped") for p in d["plugins"]), d
PY
[ -z "$(ls -d "$T"/bn-selftest.* 2>/dev/null)" ] || fail "selftest left files"
exit 0
