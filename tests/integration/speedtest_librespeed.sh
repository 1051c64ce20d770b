#!/bin/sh
# speedtest_librespeed.sh - the librespeed provider against a real nginx
# serving LibreSpeed endpoints (garbage.php, empty.php, getIP.php): a
# server list whose first server is down (the one that answers is
# chosen), one server by URL, and bad input: a list that is not JSON, a
# list entry without its endpoints, neither or both of server/servers.
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
