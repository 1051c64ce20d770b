#!/bin/sh
# speedtest_latency.sh - the http provider's idle and loaded latency is
# the request's round trip: against a server on loopback that answers
# every latency request DELAY ms late (HTTP/1.1, kept alive), the idle
# latency is at least DELAY and not far above it.  (Issue 16 saw 0.004
# ms on loopback; with curl 7.88.1 here the figure is right, also for a
# HEAD of the download URL, HTTP/1.0 and nginx: this guards it.)  The
# download phase keeps to its duration cap.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
# a speed test saturates the machine: not beside the timing tests
exclusive
DELAY_MS=40

cat >"$T/server.py" <<'PY'
import http.server, socketserver, sys, time
delay = float(sys.argv[1]) / 1000
BLOB = b"x" * (1 << 20)

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def ping(self, body):
        time.sleep(delay)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def do_HEAD(self):
        self.ping(False)
    def do_GET(self):
        if self.path.startswith("/ping"):
            return self.ping(True)
        n = 64 << 20
        self.send_response(200)
        self.send_header("Content-Length", str(n))
        self.end_headers()
        try:
            while n > 0:
                k = min(n, len(BLOB))
                self.wfile.write(BLOB[:k])
                n -= k
        except OSError:
            pass
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        while n > 0:
            got = self.rfile.read(min(n, 1 << 16))
            if not got:
                break
            n -= len(got)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$T/server.py" "$DELAY_MS" >"$T/port" 2>"$T/server.err" &
spid=$!
on_exit "kill $spid 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
[ -n "$port" ] || fail "the test server did not start: $(cat "$T/server.err")"
url="http://127.0.0.1:$port"

cat >"$T/p.yaml" <<EOF2
name: st-latency
speedtest: {streams: 2, duration: 2s, timeout: 30s}
speedtests:
  - {plugin: http, name: web, download_url: "$url/blob", upload_url: "$url/up",
     ping_url: "$url/ping"}
EOF2
"$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" --json >"$T/j" 2>"$T/err" ||
  { cat "$T/j" "$T/err"; fail "speedtest failed"; }
python3 - "$T/j" "$DELAY_MS" <<'PY' || fail "latency: $(cat "$T/j")"
import json, sys
d = json.load(open(sys.argv[1]))
delay = float(sys.argv[2])
print("idle %.3f ms, loaded down %s, up %s, download %.2f s" %
      (d["latency_ms"], d["loaded_down_ms"], d["loaded_up_ms"],
       d["download_s"]))
# the server waits delay ms before it answers: a round trip is no less
assert delay <= d["latency_ms"] < delay + 200, d["latency_ms"]
for k in ("loaded_down_ms", "loaded_up_ms"):
    assert d[k] is None or d[k] >= delay, (k, d[k])
# the download phase keeps to its 2 s cap (a loop tick of slack)
assert d["download_s"] <= 2.5, d["download_s"]
PY
echo "http provider latency is the round trip"
