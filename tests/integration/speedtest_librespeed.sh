#!/bin/sh
# speedtest_librespeed.sh - the librespeed provider against a real nginx
# serving LibreSpeed endpoints (garbage.php, empty.php, getIP.php): a
# server list whose first server is down (the one that answers is
# chosen), one server by URL, and bad input: a list that is not JSON, a
# list entry without its endpoints, neither or both of server/servers;
# lists that point outside HTTP (file://, gopher://: refused, nothing
# fetched); big lists (20,000 servers: a random sample of select_count
# is pinged, within select_timeout, in bounded memory).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/integration/speedtest_server.sh"
need_cmd sqlite3 "apt-get install sqlite3"
speedtest_server_start
DEAD=$(free_port)

cat >"$T/servers.json" <<EOF
[
  {"name": "down", "server": "http://127.0.0.1:$DEAD/",
   "dlURL": "backend/garbage.php", "ulURL": "backend/empty.php",
   "pingURL": "backend/empty.php", "getIpURL": "backend/getIP.php"},
  {"name": "local", "server": "$ST_URL",
   "dlURL": "backend/garbage.php", "ulURL": "backend/empty.php",
   "pingURL": "backend/empty.php", "getIpURL": "backend/getIP.php"}
]
EOF
cat >"$T/p.yaml" <<EOF
name: st-ls
speedtest: {streams: 3, duration: 1s, timeout: 10s, retries: 0}
speedtests:
  - {plugin: librespeed, name: list, servers: "$T/servers.json"}
  - {plugin: librespeed, name: one, server: "$ST_URL/"}
EOF
"$BN" -v speedtest -p "$T/p.yaml" --db "$T/h.db" >"$T/out" 2>"$T/err" ||
  { cat "$T/out" "$T/err"; fail "librespeed list"; }
assert_contains "$T/err" "server down does not answer"
assert_contains "$T/err" "server local answered in"
assert_contains "$T/err" "it sees us as 127.0.0.1"
assert_contains "$T/out" "speedtest: list via $ST_URL/, 3 streams"
# the garbage endpoint was asked for MiB chunks, uploads went to empty.php
grep -q 'GET /backend/garbage.php?ckSize=[0-9]* ' "$ST_DIR/logs/access.log" ||
  fail "no garbage.php requests"
grep -q 'POST /backend/empty.php ' "$ST_DIR/logs/access.log" ||
  fail "no uploads to empty.php"
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM speedtests WHERE provider = 'list'
  AND status = 0 AND download_bps > 1e8 AND upload_bps > 1e7 AND streams = 3
  AND server = '$ST_URL/'")
[ "$n" = 1 ] || fail "stored: $(sqlite3 "$T/h.db" 'SELECT * FROM speedtests')"

"$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" --provider one --json \
  >"$T/out" 2>"$T/err" || { cat "$T/out" "$T/err"; fail "one server"; }
assert_contains "$T/out" '"provider": "one"'

# --- lists that reach outside HTTP: refused before anything is fetched
SECRET=$T/secret.txt
echo "top secret $$" >"$SECRET"
chmod 600 "$SECRET"
GOPHER=$(free_port)
python3 - "$GOPHER" "$T/gopher.log" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
while True:
    c, _ = s.accept()
    open(sys.argv[2], "a").write("connection\n")
    c.close()
PY
on_exit "kill $! 2>/dev/null"
for bad in "\"getIpURL\": \"file://$SECRET\"" \
  "\"getIpURL\": \"gopher://127.0.0.1:$GOPHER/_SET%20pwned%201\""; do
  cat >"$T/servers.json" <<EOF
[{"name": "local", "server": "$ST_URL", "dlURL": "backend/garbage.php",
  "ulURL": "backend/empty.php", "pingURL": "backend/empty.php", $bad}]
EOF
  expect_rc 3 "$BN" profile validate --no-resolve "$T/p.yaml"
  assert_contains "$T/err" "servers.json: server 1 ($ST_URL/): its URLs are not all http or https"
  "$BN" -v speedtest -p "$T/p.yaml" --db "$T/h.db" --provider list \
    >"$T/out" 2>&1 && fail "a list with $bad ran"
  grep -q "top secret" "$T/out" && fail "the secret file was read: $(cat "$T/out")"
done
cat >"$T/servers.json" <<EOF
[{"name": "g", "server": "gopher://127.0.0.1:$GOPHER/", "dlURL": "_SET%20pwned%201",
  "ulURL": "x", "pingURL": "x"},
 {"name": "f", "server": "file:///", "dlURL": "$SECRET", "ulURL": "$SECRET",
  "pingURL": "$SECRET"}]
EOF
expect_rc 3 "$BN" profile validate --no-resolve "$T/p.yaml"
assert_contains "$T/err" "servers.json: server 1 (gopher://127.0.0.1:$GOPHER/): its URLs are not all http or https"
sleep 0.2
[ ! -s "$T/gopher.log" ] || fail "something connected to the gopher port"

# --- big lists: 20,000 servers that accept and never answer, then 20,000
# copies of the real server; only select_count of them are pinged
need_cmd /usr/bin/time "apt-get install time"
HOLD=$(free_port)
python3 - "$HOLD" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1024)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
PY
on_exit "kill $! 2>/dev/null"
biglist() { # URL N FILE
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
url, n = sys.argv[1], int(sys.argv[2])
json.dump([{"name": "s%d" % i, "server": url, "dlURL": "backend/garbage.php",
            "ulURL": "backend/empty.php", "pingURL": "backend/empty.php",
            "getIpURL": "backend/getIP.php?n=%d" % i} for i in range(n)],
          open(sys.argv[3], "w"))
PY
}
biglist "http://127.0.0.1:$HOLD/" 20000 "$T/big.json"
cat >"$T/big.yaml" <<EOF
name: st-big
speedtest: {streams: 1, duration: 1s, timeout: 10s, retries: 0}
speedtests:
  - {plugin: librespeed, name: big, servers: "$T/big.json",
     select_timeout: 1s, select_count: 8}
EOF
t0=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$T/rss" "$BN" -v speedtest -p "$T/big.yaml" \
  --db "$T/h.db" >"$T/out" 2>"$T/err" && fail "silent servers answered"
t1=$(date +%s.%N)
assert_contains "$T/out" "none of 8 servers (a random sample of the list's 20000) answered a ping"
took=$(awk "BEGIN { print $t1 - $t0 }")
rss=$(tail -n 1 "$T/rss")
echo "20,000 silent servers: $took s, max RSS $rss KB"
# The attempt honours its 10 s timeout (the stored attempt's duration);
# the whole command also loads, parses the list and opens the history,
# which a loaded machine or a sanitizer build slows: 10 s more for that.
dur=$(sqlite3 "$T/h.db" "SELECT max(duration_ns) / 1e9 FROM speedtest_attempts")
echo "the attempt took ${dur:-?} s"
awk "BEGIN { exit !(\"$dur\" != \"\" && $dur + 0 <= 10.5) }" ||
  fail "the attempt took ${dur:-?} s, timeout 10 s"
awk "BEGIN { exit !($took < 20) }" || fail "took $took s, timeout 10 s"
# AddressSanitizer's shadow memory and quarantine inflate RSS: the bound
# holds for the normal build only (ASAN_OPTIONS is set by sanitize.sh)
if [ -z "${ASAN_OPTIONS:-}" ]; then
  [ "$rss" -lt 150000 ] || fail "max RSS $rss KB for 20,000 servers"
fi
biglist "$ST_URL" 20000 "$T/big.json"
: >"$ST_DIR/logs/access.log"
"$BN" -v speedtest -p "$T/big.yaml" --db "$T/h.db" >"$T/out" 2>"$T/err" ||
  { cat "$T/out" "$T/err"; fail "big list of good servers"; }
assert_contains "$T/err" "it sees us as 127.0.0.1"
n=$(grep -c 'GET /backend/getIP.php?n=' "$ST_DIR/logs/access.log")
[ "$n" = 8 ] || fail "pinged $n servers, select_count 8"

# bad input, at validate time, naming the profile line and the list file
printf '[{"name": "x",\n  "server": }]\n' >"$T/servers.json"
expect_rc 3 "$BN" profile validate --no-resolve "$T/p.yaml"
assert_contains "$T/err" "p.yaml:4:47: [speedtest:librespeed:list] $T/servers.json: not valid JSON at line 2"
printf '[{"name": "x", "server": "http://127.0.0.1/"}]\n' >"$T/servers.json"
expect_rc 3 "$BN" profile validate --no-resolve "$T/p.yaml"
assert_contains "$T/err" "servers.json: entry 1 (x) has no string 'dlURL'"
printf '{"name": "x"}\n' >"$T/servers.json"
expect_rc 3 "$BN" profile validate --no-resolve "$T/p.yaml"
assert_contains "$T/err" "expected a non-empty JSON array of servers"
rm "$T/servers.json"
expect_rc 3 "$BN" profile validate --no-resolve "$T/p.yaml"
assert_contains "$T/err" "cannot open $T/servers.json"
cat >"$T/p2.yaml" <<EOF
name: st-ls2
speedtests:
  - {plugin: librespeed}
  - {plugin: librespeed, name: two, server: "$ST_URL", servers: x.json}
EOF
expect_rc 3 "$BN" profile validate --no-resolve "$T/p2.yaml"
[ "$(grep -c "give either 'servers'" "$T/err")" = 2 ] ||
  fail "neither/both: $(cat "$T/err")"
exit 0
