#!/bin/sh
# sanitize.sh - the test suite under AddressSanitizer (with
# LeakSanitizer) and UndefinedBehaviorSanitizer: a separate out-of-tree
# build in _build/sanitize, then `make check`.  Plugins are dlopen'ed by
# an instrumented bottleneck, so they are checked too.
#
# Every report goes to a file under _build/sanitize/reports, not only to
# the test's log: a shell test that expects bottleneck to fail would
# otherwise pass over a crash.  Each report counts as a failure.  Ends
# with one line "N passed, N failed".  Takes about 2 minutes on 2 cores.
set -u
# In the tests' private network namespace: the fixed ports of the lab
# profile (47080, 47081) are kept out of the ephemeral range, so a
# long-lived client connection of another test (a scrape, a webhook)
# can never hold one of them when run_lab.sh needs to listen there.
BN_NETNS_PREP='sysctl -qw net.ipv4.ip_local_reserved_ports=47080-47081'
export BN_NETNS_PREP
cd "$(dirname "$0")/.."
top=$(pwd)
build=${BN_SANITIZE_DIR:-$top/_build/sanitize}
start=$(date +%s)

summary() {
  echo "sanitize: $(($(date +%s) - start)) s"
  echo "$1 passed, $2 failed${3:+, $3 skipped}"
}

if ! { [ -x configure ] && [ configure -nt configure.ac ]; }; then
  autoreconf -fi >/dev/null 2>&1 || {
    echo "sanitize: autoreconf failed"
    summary 0 1
    exit 1
  }
fi
rm -rf "$build"
mkdir -p "$build/reports"
cd "$build" || exit 1
"$top/configure" -q \
  CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer' \
  LDFLAGS='-fsanitize=address,undefined' >configure.log 2>&1 || {
  cat configure.log
  echo "sanitize: configure failed"
  summary 0 1
  exit 1
}
make -j"$(nproc)" >make.log 2>&1 || {
  cat make.log
  echo "sanitize: build failed"
  summary 0 1
  exit 1
}

# log_path: one file per process that reported (the pid is appended).
# GCC's UBSan prints its own report to stderr whatever log_path says, so
# it aborts, and ASan's handle_abort writes the abort (the stack names
# the __ubsan_handle_* check and the line) under log_path; so does any
# failed assert().
reports="$build/reports"
# BN_SANITIZE_LEAKS=0 turns LeakSanitizer off: on this kernel (6.18)
# with GCC 12 its tracer now and then dies ("Tracer caught signal 11")
# on a clean process, which would fail CI at random.
ASAN_OPTIONS="detect_leaks=${BN_SANITIZE_LEAKS:-1}:abort_on_error=1"
ASAN_OPTIONS="$ASAN_OPTIONS:handle_abort=1"
ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$reports/asan"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1"
UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$reports/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS
# As in test.sh: as root, a private network namespace with only loopback.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  echo "sanitize: running make check in a private network namespace"
  unshare -n sh -c 'ip link set lo up && $BN_NETNS_PREP && make -j2 check' >check.log 2>&1
else
  make -j2 check >check.log 2>&1
fi
rc=$?
unset ASAN_OPTIONS UBSAN_OPTIONS

trs=$(find . -name '*.trs')
pass=$(cat $trs /dev/null | grep -c '^:test-result: PASS')
failn=$(cat $trs /dev/null | grep -cE '^:test-result: (FAIL|ERROR|XPASS)')
skipn=$(cat $trs /dev/null | grep -c '^:test-result: SKIP')
for f in $(grep -lE '^:test-result: (FAIL|ERROR|XPASS)' $trs /dev/null); do
  echo "---- ${f%.trs}.log"
  cat "${f%.trs}.log"
done
nrep=0
for f in "$reports"/*; do
  [ -f "$f" ] || continue
  nrep=$((nrep + 1))
  echo "---- sanitizer report $(basename "$f")"
  cat "$f"
done
if [ $rc -ne 0 ] && [ "$failn" = 0 ]; then
  tail -40 check.log
  echo "sanitize: make check failed before running the tests"
  failn=1
fi
echo "sanitize: $pass tests passed, $failn failed, $skipn skipped;" \
  "$nrep sanitizer reports"
summary "$pass" $((failn + nrep)) "$skipn"
[ $((failn + nrep)) -eq 0 ]
