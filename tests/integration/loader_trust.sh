#!/bin/sh
# loader_trust.sh - the plugin loader as an attacker would try it: a
# plugin directory writable by others, a 0666 plugin, a symlink into a
# world-writable directory are refused with one line naming the file
# and the fix; `profile validate` opens only the plugins the profile
# uses (a fixture's ELF constructor leaves a mark when it runs).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
[ -f "${BN_FIXTURE_PLUGINS:-}/ctor.so" ] || fail "fixture plugin not built"
mkdir "$T/fx" && cp "$BN_FIXTURE_PLUGINS/ctor.so" "$T/fx/" && chmod 755 "$T/fx"
marker="$T/marker"
export BN_CTOR_MARKER="$marker"

cat >"$T/tcp.yaml" <<'EOF'
name: only-tcp
targets:
  - {name: lo, host: 127.0.0.1, port: 9}
probes:
  - plugin: tcp
EOF
cat >"$T/ctor.yaml" <<'EOF'
name: uses-ctor
targets:
  - {name: lo, host: 127.0.0.1}
probes:
  - plugin: fixture-ctor
EOF

# 1. validate a profile that does not use the fixture: never opened
"$BN" profile validate --no-resolve --plugin-dir "$T/fx" "$T/tcp.yaml" \
  >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "validate tcp profile"; }
assert_contains "$T/out" "ok (profile only-tcp"
[ ! -e "$marker" ] || fail "validate opened a plugin the profile does not use"
# ... while a profile that uses it does load it (the mark works)
"$BN" profile validate --no-resolve --plugin-dir "$T/fx" "$T/ctor.yaml" \
  >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "validate ctor profile"; }
[ -e "$marker" ] || fail "the fixture's constructor left no mark"
rm -f "$marker"

# 2. a 0666 plugin: refused, constructor not run
chmod 666 "$T/fx/ctor.so"
"$BN" plugins --plugin-dir "$T/fx" >"$T/out" 2>"$T/err" || true
real=$(cd "$T/fx" && pwd -P)
assert_contains "$T/err" "$T/fx/ctor.so: plugin file $real/ctor.so is writable by group or others; refusing to load it; fix with 'chmod go-w $real/ctor.so'"
[ ! -e "$marker" ] || fail "a 0666 plugin ran its constructor"
chmod 644 "$T/fx/ctor.so"

# 3. a plugin directory writable by others
chmod 777 "$T/fx"
"$BN" plugins --plugin-dir "$T/fx" >"$T/out" 2>"$T/err" || true
assert_contains "$T/err" "$T/fx: plugin directory is writable by group or others"
[ ! -e "$marker" ] || fail "a plugin from a 0777 directory ran"
chmod 755 "$T/fx"

# 4. a symlink from a good directory into a sticky world-writable one
mkdir "$T/open" "$T/links" && chmod 1777 "$T/open" && chmod 755 "$T/links"
cp "$BN_FIXTURE_PLUGINS/ctor.so" "$T/open/" && chmod 644 "$T/open/ctor.so"
ln -s "$T/open/ctor.so" "$T/links/ctor.so"
"$BN" plugins --plugin-dir "$T/links" >"$T/out" 2>"$T/err" || true
ropen=$(cd "$T/open" && pwd -P)
assert_contains "$T/err" "$T/links/ctor.so (-> $ropen/ctor.so): directory $ropen is writable by group or others"
[ ! -e "$marker" ] || fail "a plugin behind a symlink into a 1777 dir ran"

# 5. a directory owned by another user (root only can make one)
if [ "$(id -u)" = 0 ]; then
  mkdir "$T/theirs" && cp "$BN_FIXTURE_PLUGINS/ctor.so" "$T/theirs/"
  chmod 755 "$T/theirs" && chown nobody "$T/theirs"
  "$BN" plugins --plugin-dir "$T/theirs" >"$T/out" 2>"$T/err" || true
  assert_contains "$T/err" "is owned by uid $(id -u nobody), neither root nor you"
  [ ! -e "$marker" ] || fail "a plugin from a directory of nobody ran"
fi
echo "loader_trust: ok"
