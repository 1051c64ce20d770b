#!/bin/sh
# sdk_out_of_tree.sh - what a third-party plugin author does: install
# Bottleneck (into a DESTDIR), build the example probe (sdk/examples/
# probe-udpecho) out of tree with nothing but pkg-config, and load the
# result with --plugin-dir.  sdk_examples.sh runs all five examples.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"

need_cmd pkg-config "apt-get install pkgconf"
need_cmd make "apt-get install make"

# install-exec + install-data is `make install` without its `all`
# step: that would re-copy the staged plugins while other tests running
# in parallel have them mapped.
ROOT="$T/root"
if ! make -C "$BN_TOP_BUILDDIR" install-exec install-data DESTDIR="$ROOT" \
  >"$T/install.log" 2>&1
then
  cat "$T/install.log"
  fail "make install DESTDIR=$ROOT failed"
fi

pc=$(find "$ROOT" -name bottleneck-sdk.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || fail "bottleneck-sdk.pc was not installed under $ROOT"
hdr=$(find "$ROOT" -path '*/bottleneck/sdk.h' | head -n 1)
[ -n "$hdr" ] || fail "bottleneck/sdk.h was not installed under $ROOT"

# The .pc file names the real prefix; the sysroot makes -I point into
# the DESTDIR, as it would for a cross-compiled SDK.
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
PKG_CONFIG_SYSROOT_DIR=$ROOT
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

cflags=$(pkg-config --cflags bottleneck-sdk) ||
  fail "pkg-config does not find bottleneck-sdk in $PKG_CONFIG_PATH"
case "$cflags" in
*"-I$ROOT/"*) ;;
*) fail "pkg-config --cflags ($cflags) does not point into $ROOT" ;;
esac
for want in -fPIC -fvisibility=hidden; do
  case " $cflags " in
  *" $want "*) ;;
  *) fail "pkg-config --cflags ($cflags) lacks $want" ;;
  esac
done

# Build in a scratch directory: the source tree may be read-only.
mkdir "$T/build"
EX="$BN_TOP_SRCDIR/sdk/examples/probe-udpecho"
make -C "$T/build" -f "$EX/Makefile" \
  CFLAGS="-O2 -Wall -Wextra -Werror" >"$T/build.log" 2>&1 ||
  { cat "$T/build.log"; fail "building the udpecho example failed"; }
[ -f "$T/build/udpecho.so" ] || fail "the example did not produce udpecho.so"

# It exports the descriptor and nothing else of its own.
if command -v nm >/dev/null 2>&1; then
  nm -D --defined-only "$T/build/udpecho.so" | awk '{print $NF}' \
    >"$T/syms"
  assert_contains "$T/syms" bn_plugin_descriptor
  extra=$(grep -v -e '^bn_plugin_descriptor$' -e '^_' "$T/syms" || true)
  [ -z "$extra" ] || fail "udpecho.so exports more than the descriptor: $extra"
fi

# make install puts it where pkg-config says plugins go (under a
# DESTDIR here, so that nothing is written outside the scratch dir).
make -C "$T/build" -f "$EX/Makefile" \
  install DESTDIR="$T/inst" >"$T/inst.log" 2>&1 ||
  { cat "$T/inst.log"; fail "make install of the example failed"; }
plugindir=$(pkg-config --variable=plugindir bottleneck-sdk)
[ -f "$T/inst$plugindir/udpecho.so" ] ||
  fail "udpecho.so not installed into DESTDIR + $plugindir"

# Load it with the host.
PD="$T/plugins"
mkdir "$PD"
chmod 755 "$PD"
cp "$T/build/udpecho.so" "$PD/udpecho.so"
BOTTLENECK_PLUGIN_PATH= "$BN" plugins --plugin-dir "$PD" >"$T/list" \
  2>"$T/list.err" ||
  { cat "$T/list.err"; fail "bottleneck plugins --plugin-dir failed"; }
cat "$T/list"
assert_contains "$T/list" "KIND"
awk -v f="$PD/udpecho.so" '$1 == "probe" && $2 == "udpecho" &&
  $3 == "1.0" && $NF == f { ok = 1 } END { exit !ok }' "$T/list" ||
  fail "udpecho is not listed as a probe from $PD/udpecho.so"
if grep -q 'warning' "$T/list.err"; then
  cat "$T/list.err"
  fail "loading udpecho.so gave warnings"
fi

BOTTLENECK_PLUGIN_PATH= "$BN" plugins --plugin-dir "$PD" --describe udpecho \
  >"$T/describe" 2>&1 ||
  { cat "$T/describe"; fail "bottleneck plugins --describe udpecho failed"; }
cat "$T/describe"
# the option table, with the SIZE option and its bounds, and the metric
assert_contains "$T/describe" "interval"
assert_contains "$T/describe" "time between two datagrams to a target"
assert_contains "$T/describe" "payload"
assert_contains "$T/describe" "udp_echo_rtt_ms"

# The same file in a directory others may write to is refused.
chmod 777 "$PD"
BOTTLENECK_PLUGIN_PATH= "$BN" plugins --plugin-dir "$PD" >"$T/list2" \
  2>&1 || true
chmod 755 "$PD"
assert_contains "$T/list2" \
  "$PD: plugin directory is writable by group or others"
if awk '$2 == "udpecho"' "$T/list2" | grep -q udpecho; then
  fail "udpecho was loaded from a world-writable directory"
fi
exit 0
