#!/bin/sh
# configure_plugins.sh - configure leaves out a plugin whose library is
# missing and says which package to install; asked for explicitly with
# --enable-<plugin>, it fails instead.  libcares is hidden from
# pkg-config by a PKG_CONFIG_LIBDIR without its .pc file.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd pkg-config "apt-get install pkg-config"
# configure refuses a second build dir of a source tree built in place.
[ -f "$BN_TOP_SRCDIR/config.status" ] &&
  skip "source tree is configured in place; run from a VPATH build"

mkdir "$T/pc" "$T/build"
for d in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
  [ -d "$d" ] && cp "$d"/*.pc "$T/pc/" 2>/dev/null
done
rm -f "$T/pc/libcares.pc"
cd "$T/build" || fail "no build dir"
PKG_CONFIG_LIBDIR="$T/pc" "$BN_TOP_SRCDIR/configure" >"$T/auto.out" 2>&1 ||
  { tail -20 "$T/auto.out"; fail "configure failed without libcares"; }
grep -E '^ +probe_dns +no \(missing: apt-get install libc-ares-dev\)$' \
  "$T/auto.out" >/dev/null || { tail -12 "$T/auto.out"; fail "no summary line"; }
grep -qE '^ +probe_tcp +yes$' "$T/auto.out" || fail "probe_tcp not built"
grep -q 'S\["BUILD_PROBE_DNS_TRUE"\]="#"' config.status ||
  fail "dns plugin still enabled"

PKG_CONFIG_LIBDIR="$T/pc" "$BN_TOP_SRCDIR/configure" --enable-probe-dns \
  >"$T/explicit.out" 2>&1 && fail "configure --enable-probe-dns succeeded"
assert_contains "$T/explicit.out" "configure: error: plugin probe_dns was requested with --enable-probe-dns but its library is missing: install it with 'apt-get install libc-ares-dev'"
echo "ok"
