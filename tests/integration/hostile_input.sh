#!/bin/sh
# hostile_input.sh - profiles and lists made to hurt: control characters
# (ESC, BEL, CR, LF, TAB) in names and string options are refused with
# file:line:col; a FIFO as a LibreSpeed `servers:` list is refused, not
# waited on; 40,000 and 100,000 targets validate in linear time (the
# bound comes from a 4,000-target baseline measured here).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"

# --- control characters
printf 'name: "x\\e[31mred\\a"\n' >"$T/esc.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/esc.yaml"
assert_contains "$T/err" "esc.yaml:1:7: control character 0x1b in a value"
grep -q "$(printf '\033')" "$T/err" && fail "ESC reached the terminal"
printf 'name: x\ntargets:\n  - {name: "a\\tb", host: 127.0.0.1}\n' >"$T/tab.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/tab.yaml"
assert_contains "$T/err" "tab.yaml:3:12: a target's 'name' contains a control character (0x09)"
cat >"$T/ua.yaml" <<'EOF'
name: x
targets:
  - {name: a, host: 127.0.0.1}
probes:
  - {plugin: http, targets: [a], user_agent: "a\nX-Evil: 1"}
EOF
expect_rc 3 "$BN" profile validate --no-resolve "$T/ua.yaml"
assert_contains "$T/err" "ua.yaml:5:46: plugin 'http': option 'user_agent' contains a control character (0x0a); remove it"
sed -i 's/user_agent: "a\\nX-Evil: 1"/path: "\/a\\r\\nHost: evil"/' "$T/ua.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/ua.yaml"
assert_contains "$T/err" "ua.yaml:5:40: control character 0x0d in a value"
echo "ok: control characters refused"

# --- a FIFO as the server list: refused at once
mkfifo "$T/fifo.json"
cat >"$T/fifo.yaml" <<EOF
name: x
speedtests:
  - {plugin: librespeed, servers: "$T/fifo.json"}
EOF
timeout 10 "$BN" profile validate --no-resolve "$T/fifo.yaml" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 3 ] || { cat "$T/err"; fail "validate with a FIFO list exited $rc, want 3"; }
assert_contains "$T/err" "$T/fifo.json is not a regular file; give a JSON file"
echo "ok: a FIFO list is refused"

# --- many targets: linear time
gen() { # N FILE
  python3 - "$1" "$2" <<'PY'
import sys
n = int(sys.argv[1])
with open(sys.argv[2], "w") as f:
    f.write("name: big\ntargets:\n")
    for i in range(n):
        f.write("  - {name: t%d, host: 127.%d.%d.%d, tags: [g%d]}\n"
                % (i, i >> 16 & 255, i >> 8 & 255, (i & 255) or 1, i % 7))
    f.write("probes:\n  - {plugin: tcp, port: 9, targets: [tag:g1, %s]}\n"
            % ", ".join("t%d" % i for i in range(0, n, 97)))
PY
}
took() { # FILE: seconds to validate it
  t0=$(date +%s.%N)
  "$BN" profile validate --no-resolve "$1" >"$T/out" 2>"$T/err" ||
    { cat "$T/err"; fail "validate $1"; }
  t1=$(date +%s.%N)
  awk "BEGIN { print $t1 - $t0 }"
}
gen 4000 "$T/t4k.yaml"
gen 40000 "$T/t40k.yaml"
gen 100000 "$T/t100k.yaml"
b=$(took "$T/t4k.yaml")
b2=$(took "$T/t4k.yaml")
b=$(awk "BEGIN { print ($b2 < $b) ? $b2 : $b }")
t40=$(took "$T/t40k.yaml")
assert_contains "$T/out" "40000 targets"
t100=$(took "$T/t100k.yaml")
echo "validate: 4,000 targets $b s, 40,000 $t40 s, 100,000 $t100 s"
# linear: 10x the targets in at most 20x the time (+0.5 s for noise);
# the quadratic loader took 56 s for 40,000 targets
awk "BEGIN { exit !($t40 <= 20 * $b + 0.5) }" ||
  fail "40,000 targets took $t40 s; 4,000 took $b s"
awk "BEGIN { exit !($t100 <= 50 * $b + 1) }" ||
  fail "100,000 targets took $t100 s; 4,000 took $b s"
echo "ok: validation is linear"
exit 0
