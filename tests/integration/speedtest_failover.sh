#!/bin/sh
# speedtest_failover.sh - retries with backoff and failover between
# providers against real failures: a port that refuses connections, a
# server that never answers (the attempt times out and is cancelled), a
# server that answers 500, an upload endpoint that closes the connection
# early (an error, not a number), then a good provider.  Every attempt
# is in the store, linked to the final result; the backoff grows.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/integration/speedtest_server.sh"
need_cmd sqlite3 "apt-get install sqlite3"
# the providers it fails over between: built only when configure found
# libcurl (mk/speed-cloudflare.mk lists this test inside that guard)
for so in speed_cloudflare speed_http; do
  [ -f "${BN_PLUGIN_STAGE:-}/$so.so" ] ||
    skip "plugin $so not built (configure found no libcurl: apt-get install libcurl4-openssl-dev)"
done
speedtest_server_start
DEAD=$(free_port)

cat >"$T/p.yaml" <<EOF
name: st-failover
speedtest: {streams: 2, duration: 500ms, timeout: 3s, retries: 2,
            backoff: 200ms, backoff_max: 1s}
speedtests:
  - {plugin: cloudflare, name: refused, base_url: "http://127.0.0.1:$DEAD"}
  - {plugin: cloudflare, name: hangs, base_url: "$ST_URL/hang"}
  - {plugin: cloudflare, name: err500, base_url: "$ST_URL/fail"}
  - {plugin: http, name: closes, download_url: "$ST_URL/blob/big",
     upload_url: "$ST_URL/close/up"}
  - {plugin: cloudflare, name: good, base_url: "$ST_URL"}
EOF
"$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" >"$T/out" 2>"$T/err" ||
  { cat "$T/out" "$T/err"; fail "speedtest did not fail over"; }
assert_contains "$T/out" "speedtest: good via $ST_URL"
assert_contains "$T/out" "attempts      13"
for w in "failing over to hangs" "failing over to err500" \
  "failing over to closes" "failing over to good" \
  "Couldn't connect to server" "timed out after 3.0 s" "HTTP 500" \
  "upload to $ST_URL/close/up"; do
  assert_contains "$T/err" "$w"
done

q() { sqlite3 "$T/h.db" "$1"; }
# 3 attempts (1 + 2 retries) per failing provider, then success
got=$(q "SELECT group_concat(provider || ':' || status, ' ') FROM
  (SELECT * FROM speedtest_attempts ORDER BY attempt)")
want="refused:-5 refused:-5 refused:-5 hangs:-8 hangs:-8 hangs:-8"
want="$want err500:-5 err500:-5 err500:-5 closes:-5 closes:-5 closes:-5 good:0"
[ "$got" = "$want" ] || fail "attempts: $got"
# all linked to the one final result, which says how many it took
n=$(q "SELECT count(*) FROM speedtest_attempts a JOIN speedtests s
  ON s.id = a.speedtest_id WHERE s.provider = 'good' AND s.attempts = 13
  AND s.status = 0 AND s.download_bps > 0")
[ "$n" = 13 ] || fail "attempts not linked: $n"
# the early close is an error with no figure stored for it
n=$(q "SELECT count(*) FROM speedtest_attempts WHERE provider = 'closes'
  AND error LIKE 'upload to %/close/up: %'")
[ "$n" = 3 ] || fail "early close: $(q 'SELECT * FROM speedtest_attempts')"
# hangs: each attempt ran into the 3 s timeout (libuv timers are
# millisecond timers: allow 10 ms early)
n=$(q "SELECT count(*) FROM speedtest_attempts WHERE provider = 'hangs'
  AND duration_ns >= 2990000000 AND duration_ns < 3500000000")
[ "$n" = 3 ] || fail "timeouts: $(q "SELECT duration_ns FROM speedtest_attempts WHERE provider = 'hangs'")"
# backoff: the gap before retry 2 is at least 100 ms (base 200 ms,
# jitter down to half), before retry 3 at least 200 ms (base doubled);
# the upper bounds leave room for a loaded machine (timers fire late)
gaps=$(q "SELECT group_concat((b.wall_ns - a.wall_ns - a.duration_ns) / 1000000, ' ')
  FROM speedtest_attempts a JOIN speedtest_attempts b
  ON b.attempt = a.attempt + 1 AND b.provider = a.provider
  WHERE a.provider = 'refused' ORDER BY a.attempt")
set -- $gaps
[ "$1" -ge 100 ] && [ "$1" -le 400 ] || fail "first backoff $1 ms"
[ "$2" -ge 200 ] && [ "$2" -le 700 ] || fail "second backoff $2 ms"

# the reports show the failover: every attempt, in order, with its error
"$BN" report --db "$T/h.db" -f text >"$T/r.txt" 2>"$T/err" ||
  { cat "$T/err"; fail "report"; }
assert_contains "$T/r.txt" ": 13 attempts"
assert_contains "$T/r.txt" "  #1 refused (http://127.0.0.1:$DEAD): failed: "
assert_contains "$T/r.txt" "  #13 good ($ST_URL): ok"
"$BN" report --db "$T/h.db" -f json >"$T/r.json" || fail "report json"
python3 - "$T/r.json" <<'PY' || fail "the model's attempts"
import json, sys
it = json.load(open(sys.argv[1]))["speedtests"]["items"][0]
a = it["attempt_list"]
assert [x["attempt"] for x in a] == list(range(1, 14)), a
assert a[-1]["provider"] == "good" and a[-1]["ok"], a[-1]
assert not any(x["ok"] for x in a[:-1]) and all(x["error"] for x in a[:-1])
PY
"$BN" report --db "$T/h.db" -f html -o "$T/r.html" 2>"$T/err" ||
  { cat "$T/err"; fail "report html"; }
assert_contains "$T/r.html" "13 attempts</p>"

# every provider failing: exit 1, and the failure is stored too
sed -i '/name: good/d' "$T/p.yaml"
sed -i 's/retries: 2/retries: 0/' "$T/p.yaml"
expect_rc 1 "$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" --json
assert_contains "$T/out" '"status": "failed"'
n=$(q "SELECT count(*) FROM speedtests WHERE status < 0 AND attempts = 4
  AND download_bps IS NULL")
[ "$n" = 1 ] || fail "failed test not stored"
exit 0
