# tests/integration/dnsmasq.sh - a real dnsmasq (Debian: dnsmasq-base) on
# loopback for the DNS tests.  Source it after lib.sh, then call
# dnsmasq_start.  What it serves, and what dnsmasq 2.90 really answers:
#
#   a.lab.test  A 127.0.0.9, AAAA ::9   (host-record)
#   lab.test    MX 10 a.lab.test, TXT "bottleneck lab"
#   *.lab.test  anything else: NXDOMAIN (lab.test is a --local domain)
#   other names REFUSED (--no-resolv: no upstream to ask)
#
# After dnsmasq_start: DNSMASQ_PORT (UDP and TCP on 127.0.0.1),
# DNSMASQ_PID and DNSMASQ_LOG (every query is logged there).  dnsmasq is
# stopped when the test exits.

# dnsmasq_bin: its path (it lives in /usr/sbin, often not in PATH).
dnsmasq_bin() {
  command -v dnsmasq 2>/dev/null && return 0
  [ -x /usr/sbin/dnsmasq ] && echo /usr/sbin/dnsmasq && return 0
  return 1
}

# dnsmasq_query PORT NAME: print the rcode of an A query, or nothing if
# no answer came within 0.5 s.
dnsmasq_query() {
  python3 - "$1" "$2" <<'PY'
import socket, struct, sys
port, name = int(sys.argv[1]), sys.argv[2]
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l)
q += b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
try:
    s.sendto(q, ("127.0.0.1", port))
    r = s.recv(4096)
    print(r[3] & 15)
except OSError:
    pass
PY
}

# dnsmasq_start [EXTRA-OPTION...]: start it on a free port and wait until
# it answers.  Skips the test when dnsmasq or python3 is missing.
dnsmasq_start() {
  need_cmd python3 "apt-get install python3"
  DNSMASQ=$(dnsmasq_bin) ||
    skip "dnsmasq not installed (apt-get install dnsmasq-base)"
  DNSMASQ_LOG="$T/dnsmasq.log"
  tries=0
  while [ $tries -lt 5 ]; do
    tries=$((tries + 1))
    DNSMASQ_PORT=$(free_port)
    # --keep-in-foreground: $! is dnsmasq itself; unlike --no-daemon it
    # writes the pid file.
    "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null \
      --port="$DNSMASQ_PORT" --listen-address=127.0.0.1 --bind-interfaces \
      --no-resolv --no-hosts --local=/lab.test/ \
      --host-record=a.lab.test,127.0.0.9,::9 \
      --mx-host=lab.test,a.lab.test,10 \
      --txt-record=lab.test,"bottleneck lab" \
      --pid-file="$T/dnsmasq.pid" --log-facility=- --log-queries \
      "$@" >>"$DNSMASQ_LOG" 2>&1 &
    DNSMASQ_PID=$!
    on_exit "kill $DNSMASQ_PID 2>/dev/null"
    i=0
    while [ $i -lt 50 ] && kill -0 "$DNSMASQ_PID" 2>/dev/null; do
      [ "$(dnsmasq_query "$DNSMASQ_PORT" a.lab.test)" = 0 ] && return 0
      i=$((i + 1))
      sleep 0.1
    done
    # Port taken since free_port looked, or a slow start: try again.
    kill "$DNSMASQ_PID" 2>/dev/null
    wait "$DNSMASQ_PID" 2>/dev/null
  done
  cat "$DNSMASQ_LOG" >&2
  fail "dnsmasq did not start (see its log above)"
}
