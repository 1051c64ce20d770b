#!/bin/sh
# test.sh - the whole test job (what CI runs): a clean out-of-tree build
# with warnings as errors, the style check, `make check` (unit and
# integration tests), `make distcheck`, the libFuzzer targets for 20 s
# each (`make fuzz`), then `make check` again under
# AddressSanitizer and UndefinedBehaviorSanitizer (build-aux/sanitize.sh).  Ends with one summary line
# "N passed, N failed".
set -u
# In the tests' private network namespace: the fixed ports of the lab
# profile (47080, 47081) are kept out of the ephemeral range, so a
# long-lived client connection of another test (a scrape, a webhook)
# can never hold one of them when run_lab.sh needs to listen there.
BN_NETNS_PREP='sysctl -qw net.ipv4.ip_local_reserved_ports=47080-47081'
export BN_NETNS_PREP
cd "$(dirname "$0")/.."
top=$(pwd)
autoreconf -fi >/dev/null 2>&1 || { echo "test: autoreconf failed"; exit 1; }
rm -rf _check
mkdir _check
cd _check
../configure -q --enable-werror >/dev/null || { echo "test: configure failed"; exit 1; }
make -j"$(nproc)" >make.log 2>&1 || { cat make.log; echo "test: build failed"; exit 1; }
make check-style || exit 1
# As root, the tests run in a private network namespace with only
# loopback up: nothing they do (a DNS lookup of a bad name included) can
# reach another host.  Lab tests build their own namespaces inside it.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  echo "test: running make check in a private network namespace"
  unshare -n sh -c 'ip link set lo up && $BN_NETNS_PREP && make -j2 check'
else
  make -j2 check
fi
rc=$?
# Count automake's tests and the cmocka cases inside them.
pass=$(grep -h '^:test-result: PASS' $(find . -name '*.trs') | wc -l)
failn=$(grep -hE '^:test-result: (FAIL|ERROR|XPASS)' $(find . -name '*.trs') | wc -l)
skipn=$(grep -h '^:test-result: SKIP' $(find . -name '*.trs') | wc -l)
cases=$(cat $(find . -name 'test_*.log') 2>/dev/null |
  sed -n 's/^\[==========\] \([0-9]*\) test(s) run\./\1/p' |
  awk '{s += $1} END {print s + 0}')
if [ $rc -ne 0 ]; then
  for f in $(grep -lE '^:test-result: (FAIL|ERROR)' $(find . -name '*.trs')); do
    echo "---- ${f%.trs}.log"
    cat "${f%.trs}.log"
  done
  echo "test: make check failed"
  echo "$pass passed, $failn failed, $skipn skipped"
  exit 1
fi
echo "test: make check: $pass test programs passed ($cases cmocka cases inside)"
if [ "${BN_SKIP_DISTCHECK:-0}" != 1 ]; then
  # In the same private namespace as make check: the distcheck's tests
  # must not depend on (or reach) the host's own network either.
  if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    unshare -n sh -c 'ip link set lo up && $BN_NETNS_PREP && make distcheck' >distcheck.log 2>&1
  else
    make distcheck >distcheck.log 2>&1
  fi || {
    tail -60 distcheck.log
    # the log of each failing test of the distcheck's own make check
    for f in $(grep -lE '^:test-result: (FAIL|ERROR)' \
      $(find bottleneck-*/ -name '*.trs' 2>/dev/null) /dev/null 2>/dev/null); do
      echo "---- ${f%.trs}.log"
      cat "${f%.trs}.log"
    done
    echo "test: distcheck failed"
    echo "$pass passed, 1 failed"
    exit 1
  }
  echo "test: make distcheck passed"
fi
# libFuzzer targets (tests/fuzz, mk/fuzz.mk): each runs 20 s from its
# seeds; a crash, leak, sanitizer report or hang fails the job.
if [ "${BN_SKIP_FUZZ:-0}" != 1 ]; then
  cd "$top/_check" || exit 1
  make fuzz FUZZ_SECONDS="${BN_FUZZ_SECONDS:-20}" >fuzz.log 2>&1 || {
    tail -30 fuzz.log
    echo "test: fuzzing failed (see _check/fuzz.log; reproducers in _check/fuzz/)"
    echo "$pass passed, 1 failed"
    exit 1
  }
  grep '^fuzz: ' fuzz.log | sed 's/^/test: /'
fi
# The same suite under ASan+UBSan (LeakSanitizer off: its tracer crashes
# now and then on this kernel; leaks are checked with valgrind instead).
if [ "${BN_SKIP_SANITIZE:-0}" != 1 ]; then
  cd "$top" || exit 1
  BN_SANITIZE_LEAKS=0 BN_SANITIZE_DIR="$top/_check/sanitize" \
    sh build-aux/sanitize.sh >_check/sanitize.log 2>&1 || {
    tail -60 _check/sanitize.log
    # Say what failed: the build, the tests (by name) or the sanitizers.
    slog=_check/sanitize.log
    if grep -qE '^sanitize: (autoreconf|configure|build) failed' "$slog"; then
      echo "test: the sanitizer build failed (see $slog)"
    else
      failed=$(sed -n 's|^---- \(.*\)\.log$|\1|p' "$slog" | tr '\n' ' ')
      nrep=$(grep -c '^---- sanitizer report ' "$slog")
      [ -z "$failed" ] ||
        echo "test: under ASan+UBSan these tests failed: $failed"
      [ "$nrep" = 0 ] ||
        echo "test: under ASan+UBSan $nrep sanitizer reports (see $slog)"
      grep -q '^sanitize: make check failed before running' "$slog" &&
        echo "test: under ASan+UBSan make check failed before the tests ran"
    fi
    echo "$pass passed, 1 failed"
    exit 1
  }
  echo "test: make check under ASan+UBSan: $(tail -n 1 _check/sanitize.log)"
fi
echo "$pass passed, $failn failed, $skipn skipped"
