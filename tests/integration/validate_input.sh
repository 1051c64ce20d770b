#!/bin/sh
# validate_input.sh - bad targets are rejected by `profile validate` with
# FILE:LINE:COL: unresolvable names, invalid addresses, out-of-range
# ports.  Name resolution runs in a private network namespace (unshare
# -n, loopback only) so no query can leave the machine: there, only
# /etc/hosts answers.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_root
need_cmd unshare "apt-get install util-linux"
need_cmd sqlite3 "apt-get install sqlite3"

isolated() { unshare -n sh -c 'ip link set lo up && "$@"' sh "$@"; }

expect_err() {
  want_rc=$1
  want=$2
  shift 2
  isolated "$@" >"$T/out" 2>"$T/err"
  rc=$?
  [ $rc = "$want_rc" ] || { cat "$T/out" "$T/err"; fail "$* exited $rc, want $want_rc"; }
  [ -z "$want" ] || assert_contains "$T/err" "$want"
}

cat >"$T/names.yaml" <<'YAML'
name: names
targets:
  - name: here
    host: localhost
    port: 80
  - name: nowhere
    host: nosuch.bottleneck.invalid
    port: 80
probes:
  - plugin: tcp
YAML
expect_err 3 "$T/names.yaml:7:11: target 'nowhere': host 'nosuch.bottleneck.invalid' does not resolve" \
  "$BN" profile validate "$T/names.yaml"
grep -q "'here'" "$T/err" && fail "localhost should resolve"
# --no-resolve skips the lookup (the run-time probe retries instead).
expect_err 0 "" "$BN" profile validate --no-resolve "$T/names.yaml"

cat >"$T/addr.yaml" <<'YAML'
name: addr
targets:
  - {name: a, host: 127.0.0.300, port: 80}
  - {name: b, host: 127.0.0.1, port: 70000}
  - {name: c, host: "::1::2", port: 80}
probes:
  - plugin: tcp
YAML
expect_err 3 "" "$BN" profile validate --no-resolve "$T/addr.yaml"
assert_contains "$T/err" "$T/addr.yaml:3:"
assert_contains "$T/err" "$T/addr.yaml:4:"
assert_contains "$T/err" "$T/addr.yaml:5:"
[ "$(grep -c 'error:' "$T/err")" = 3 ] || { cat "$T/err"; fail "want 3 errors"; }

# A target that fails to resolve at run time is reported and retried
# while the others carry on.
port=$(free_port)
# (The pre-flight checks would report the name too, and take time: this
# is about the probe at run time, so they are off; check_cli.sh tests
# them.)
cat >"$T/run.yaml" <<YAML
name: runres
checks: {enabled: false}
targets:
  - {name: good, host: 127.0.0.1, port: $port}
  - {name: nowhere, host: nosuch.bottleneck.invalid, port: 80}
probes:
  - plugin: tcp
    interval: 200ms
YAML
cat >"$T/run.sh" <<SH
python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", $port)); s.listen(64)
s.settimeout(0.05)
end = time.time() + 8  # outlives the 2 s run, even on a loaded machine
while time.time() < end:
    try: s.accept()[0].close()
    except socket.timeout: pass
' &
# wait until it listens (python can take a while to start on a loaded
# machine): connections refused before that would count as lost
i=0
until python3 -c 'import socket; socket.create_connection(("127.0.0.1", $port), 0.2)' 2>/dev/null; do
  i=\$((i + 1)); [ \$i -gt 100 ] && exit 1; sleep 0.05
done
"$BN" run --profile "$T/run.yaml" --duration 2s --db "$T/r.db" --no-report
SH
isolated sh "$T/run.sh" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
n=$(sqlite3 "$T/r.db" "SELECT count(*) FROM samples_v WHERE target='good' AND flags=0")
[ "$n" -ge 8 ] || fail "good target measured only $n times"
[ "$(grep -c 'nosuch.bottleneck.invalid' "$T/err")" = 1 ] ||
  { cat "$T/err"; fail "the resolve failure should be warned once"; }
echo "ok: $n samples of the good target while the bad one kept failing"

# Every error of a profile in one pass: the profile's own keys, a target
# with an unknown key (still defined, so no "unknown target" after it),
# an unknown target, a bad option value, an unknown plugin, a plugin's
# own check and a name that does not resolve, all from one command.
cat >"$T/many.yaml" <<'YAML'
name: many
colour: blue
targets:
  - {name: a, host: 127.0.0.1, port: 80, bogus: 1}
  - {name: b, host: nosuch.bottleneck.invalid, port: 80}
probes:
  - {plugin: tcp, targets: [a, zz], interval: 1x}
  - {plugin: nosuchplugin, targets: [a]}
  - {plugin: dns, targets: [a], type: AXFR}
YAML
for cmd in "profile validate" run; do
  # shellcheck disable=SC2086
  expect_err 3 "" "$BN" $cmd "$T/many.yaml"
  for want in "many.yaml:2:1: unknown key 'colour'" \
    "many.yaml:4:42: unknown key 'bogus'" \
    "many.yaml:7:32: probes 'tcp': unknown target 'zz' (known: a, b)" \
    "many.yaml:7:47: plugin 'tcp': option 'interval' expects a duration" \
    "many.yaml:8:14: unknown plugin 'nosuchplugin'" \
    "many.yaml:9:39: [probe:dns:dns] unknown record type 'AXFR'"; do
    assert_contains "$T/err" "$want"
  done
  if grep -q "unknown target 'a'" "$T/err"; then
    fail "$cmd: the target with a bad key was dropped: $(cat "$T/err")"
  fi
  [ "$(grep -c "option 'interval'" "$T/err")" = 1 ] ||
    fail "$cmd: the bad interval reported more than once"
done
expect_err 3 "" "$BN" profile validate "$T/many.yaml"
assert_contains "$T/err" "many.yaml:5:21: target 'b': host \
'nosuch.bottleneck.invalid' does not resolve"
echo "ok: every error of a profile in one pass"
