#!/bin/sh
# cli_basics.sh - help, version, exit statuses and error lines of the CLI.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"


expect_rc 0 "$BN" --help
assert_contains "$T/out" "Usage: bottleneck"
for cmd in run plugins profile report; do
  expect_rc 0 "$BN" $cmd --help
  assert_contains "$T/out" "Usage: bottleneck $cmd"
done
expect_rc 0 "$BN" version
grep -qE '^bottleneck [0-9.]+ \(plugin ABI 3\.[0-9]+\)$' "$T/out" ||
  fail "version line: $(cat "$T/out")"
expect_rc 2 "$BN"
expect_rc 2 "$BN" frobnicate
assert_contains "$T/err" "unknown command 'frobnicate'"
expect_rc 2 "$BN" run --duration soon
assert_contains "$T/err" "--duration 'soon' is not a duration"
expect_rc 2 "$BN" profile show
expect_rc 2 "$BN" profile validate

# plugins: the three built-in ones are listed with kind and ABI.
expect_rc 0 "$BN" plugins
for p in "probe +tcp" "reporter +text" "reporter +json"; do
  grep -qE "^$p +[^ ]+ +3\.[0-9]+ +/" "$T/out" ||
    { cat "$T/out"; fail "plugins: no line for '$p'"; }
done
expect_rc 0 "$BN" plugins --describe tcp
assert_contains "$T/out" "interval"
assert_contains "$T/out" "timeout"
expect_rc 4 "$BN" plugins --describe nosuch
assert_contains "$T/err" "no plugin named 'nosuch'"

# Shipped profiles validate; a broken one gives FILE:LINE:COL and exit 3.
for p in base home corporate lab; do
  expect_rc 0 "$BN" profile validate --no-resolve \
    "$BN_TOP_SRCDIR/profiles/$p.yaml"
done
cat >"$T/bad.yaml" <<'YAML'
name: bad
targets:
  - {name: a, host: 127.0.0.1, port: 80}
probes:
  - plugin: tcp
    intervall: 1s
YAML
expect_rc 3 "$BN" profile validate "$T/bad.yaml"
assert_contains "$T/err" "$T/bad.yaml:6:5:"
assert_contains "$T/err" "unknown option 'intervall'"
cat >"$T/noplug.yaml" <<'YAML'
name: noplug
targets:
  - {name: a, host: 127.0.0.1, port: 80}
probes:
  - plugin: warp-drive
YAML
expect_rc 3 "$BN" run --profile "$T/noplug.yaml" --db "$T/x.db" --duration 1s
assert_contains "$T/err" "unknown plugin 'warp-drive'"
[ ! -e "$T/x.db" ] || fail "a rejected profile must not create the db"

# profile show prints the merged profile with defaults filled in.
BOTTLENECK_PROFILE_PATH="$BN_TOP_SRCDIR/profiles" expect_rc 0 \
  "$BN" profile show lab
assert_contains "$T/out" "name: lab"
assert_contains "$T/out" "timeout"

# A target without a port, for the tcp probe: the plugin's check()
# finds it at validate time, with its position.
cat >"$T/noport.yaml" <<'YAML'
name: noport
targets:
  - {name: a, host: 127.0.0.1}
probes:
  - plugin: tcp
YAML
expect_rc 3 "$BN" profile validate "$T/noport.yaml"
assert_contains "$T/err" "$T/noport.yaml:3:5:"
assert_contains "$T/err" "target 'a' has no port"

# A plugin that fails to start: exit 4, the reason logged with the
# plugin's name, the run row closed with that status (and no abort:
# no signal handler was set up yet).
if [ -n "${BN_FIXTURE_PLUGINS:-}" ] && [ -f "$BN_FIXTURE_PLUGINS/failinit.so" ]; then
  mkdir "$T/fx" && cp "$BN_FIXTURE_PLUGINS/failinit.so" "$T/fx/"
  cat >"$T/failinit.yaml" <<'YAML'
name: failinit
targets:
  - {name: a, host: 127.0.0.1, port: 9}
probes:
  - plugin: fixture-failinit
YAML
  expect_rc 4 "$BN" run --plugin-dir "$T/fx" --profile "$T/failinit.yaml" \
    --db "$T/fi.db" --duration 1s
  assert_contains "$T/err" "[probe:fixture-failinit:fixture-failinit] cannot start"
  if command -v sqlite3 >/dev/null; then
    [ "$(sqlite3 "$T/fi.db" 'SELECT exit_status FROM runs')" = 4 ] ||
      fail "run row should record exit status 4"
  fi
else
  fail "fixture plugins not built (BN_FIXTURE_PLUGINS)"
fi

# A reporter that cannot write its report: exit 4, stored with the run.
cat >"$T/badout.yaml" <<YAML
name: badout
targets:
  - {name: a, host: 127.0.0.1, port: 9}
probes:
  - plugin: tcp
    timeout: 100ms
reporters:
  - plugin: json
    output: $T/file/r.json
YAML
: >"$T/file"
expect_rc 4 "$BN" run --profile "$T/badout.yaml" --db "$T/bo.db" \
  --duration 1s
assert_contains "$T/err" "cannot write report to '$T/file/r.json'"
if command -v sqlite3 >/dev/null; then
  [ "$(sqlite3 "$T/bo.db" 'SELECT exit_status FROM runs')" = 4 ] ||
    fail "a failed report should be the run's exit status"
fi

# A store that cannot be opened: exit 5, one line naming the path.
# (a regular file stands where a directory should be: fails even as root)
expect_rc 5 "$BN" run --profile "$BN_TOP_SRCDIR/profiles/lab.yaml" \
  --db "$T/file/sub/h.db" --duration 1s
assert_contains "$T/err" "$T/file/sub/h.db"
echo "ok"
