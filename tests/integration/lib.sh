# tests/integration/lib.sh - shared helpers for the shell integration
# tests.  Source it; it sets BN (the bottleneck binary) and a scratch dir
# T that is removed on exit.  Exit codes follow automake: 77 = skip.
set -u

BN_TOP_SRCDIR=${BN_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BN_TOP_BUILDDIR=${BN_TOP_BUILDDIR:-$BN_TOP_SRCDIR}
BN="$BN_TOP_BUILDDIR/bottleneck"
T=$(mktemp -d "${TMPDIR:-/tmp}/bn-test.XXXXXX")
chmod 755 "$T"
BN_CLEANUP=""

bn_cleanup() {
  eval "$BN_CLEANUP"
  rm -rf "$T"
}
trap bn_cleanup EXIT

# on_exit CMD: run CMD when the test exits (last added runs first).
on_exit() { BN_CLEANUP="$1; $BN_CLEANUP"; }

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# skip REASON: skip the test, unless BN_REQUIRE_LAB=1 (CI) makes it fail.
skip() {
  if [ "${BN_REQUIRE_LAB:-0}" = 1 ]; then
    echo "FAIL (BN_REQUIRE_LAB=1, would skip): $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 77
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || skip "$1 not installed ($2)"
}

# expect_rc RC CMD...: run CMD (stdout to $T/out, stderr to $T/err) and
# fail unless it exits with RC.
expect_rc() {
  want=$1
  shift
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  [ "$got" = "$want" ] || { cat "$T/out" "$T/err"; fail "$* exited $got, want $want"; }
}

# exclusive: wait until no other test that measures timing or loads the
# machine (the network lab, the speed test servers) runs, and hold that
# until this test exits: make -j2 check runs tests side by side, and one
# test's load would show as another's delay and jitter.
exclusive() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"${TMPDIR:-/tmp}/bottleneck-tests.lock"
  flock -w 300 9 || echo "note: waited 300 s for the test lock; going on" >&2
}

need_root() {
  [ "$(id -u)" = 0 ] || skip "needs root"
}

# free_port: print a TCP port that is free on 127.0.0.1 now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# tcp_listener PORT: accept and close connections on 127.0.0.1:PORT in
# the background until the test ends.
tcp_listener() {
  need_cmd python3 "apt-get install python3"
  python3 - "$1" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
# A fixed port can be some other test's ephemeral client port for a
# moment (make -j2 check): try again for up to 10 s.
for i in range(100):
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
        break
    except OSError:
        if i == 99:
            raise
        time.sleep(0.1)
s.listen(512)
while True:
    c, _ = s.accept()
    c.close()
PY
  on_exit "kill $! 2>/dev/null"
  # wait until it accepts
  i=0
  while ! python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 120 ] && fail "listener on port $1 did not start"
    sleep 0.1
  done
}

# assert_contains FILE TEXT
assert_contains() {
  grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "expected '$2' in $1"; }
}
