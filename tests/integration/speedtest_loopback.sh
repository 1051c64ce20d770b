#!/bin/sh
# speedtest_loopback.sh - end to end: `bottleneck speedtest` with the
# cloudflare and http providers against a real nginx on loopback
# (speedtest_server.sh): figures in text and JSON, the stored result,
# no progress bar when stderr is not a terminal, and bad input: a URL
# that does not parse, an unknown provider, a bad `speedtest:` section.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/integration/speedtest_server.sh"
need_cmd sqlite3 "apt-get install sqlite3"
need_cmd python3 "apt-get install python3"
speedtest_server_start

cat >"$T/p.yaml" <<EOF
name: st-loop
speedtest: {streams: 2, duration: 1s, timeout: 10s}
speedtests:
  - {plugin: cloudflare, name: cf, base_url: "$ST_URL"}
  - {plugin: http, name: web, download_url: "$ST_URL/blob/big",
     upload_url: "$ST_URL/__up", ping_url: "$ST_URL/__down?bytes=0"}
EOF

# names are unique per kind: the http probe and the http provider load
expect_rc 0 "$BN" plugins
grep -qE '^probe +http ' "$T/out" && grep -qE '^speedtest +http ' "$T/out" ||
  fail "plugins: $(cat "$T/out" "$T/err")"
expect_rc 0 "$BN" plugins --describe http
assert_contains "$T/out" "download_url"
assert_contains "$T/out" "expect_status"

# text: the first provider answers
"$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" >"$T/out" 2>"$T/err" ||
  { cat "$T/out" "$T/err"; fail "speedtest failed"; }
assert_contains "$T/out" "speedtest: cf via $ST_URL, 2 streams"
for w in download upload "idle latency" "loaded down" "loaded up" \
  bufferbloat "#1 cf"; do
  assert_contains "$T/out" "$w"
done
# piped: no progress line, no terminal escapes
if grep -q "$(printf '\033')" "$T/err" || grep -q "$(printf '\r')" "$T/err"; then
  fail "progress output on a pipe: $(cat -v "$T/err")"
fi

# JSON from the second provider only, and the same figures in the store
"$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" --provider web --json \
  >"$T/j" 2>"$T/err" || { cat "$T/j" "$T/err"; fail "--provider web"; }
python3 - "$T/j" <<'PY' || fail "JSON output: $(cat "$T/j")"
import json, sys
d = json.load(open(sys.argv[1]))
keys = ["run", "status", "error", "provider", "server", "streams",
        "download_bps", "upload_bps", "bytes_down", "bytes_up",
        "download_s", "upload_s", "latency_ms", "jitter_ms",
        "loaded_down_ms", "loaded_up_ms", "loss_pct", "udp_jitter_ms",
        "bufferbloat", "attempts"]
assert list(d) == keys, list(d)
assert d["status"] == "ok" and d["provider"] == "web", d
assert d["streams"] == 2
assert d["download_bps"] > 1e8 and d["upload_bps"] > 1e7, d
# the rate is the bytes over the phase, not a made-up figure
rate = d["bytes_down"] * 8 / d["download_s"]
assert abs(rate - d["download_bps"]) / rate < 0.01, (rate, d)
assert 0.9 < d["download_s"] < 1.5, d
assert 0 < d["latency_ms"] < 50, d
assert d["loss_pct"] is None and d["udp_jitter_ms"] is None
assert d["bufferbloat"] in ("A+", "A", "B", "C", "D", "F")
assert len(d["attempts"]) == 1 and d["attempts"][0]["status"] == "ok"
PY
run=$(python3 -c "import json; print(json.load(open('$T/j'))['run'])")
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM speedtests WHERE run_id = $run
  AND provider = 'web' AND status = 0 AND download_bps > 1e8
  AND bytes_down > 0 AND streams = 2 AND loaded_down_ms >= 0
  AND bufferbloat IS NOT NULL AND attempts = 1")
[ "$n" = 1 ] || fail "stored result: $(sqlite3 "$T/h.db" 'SELECT * FROM speedtests')"
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM runs WHERE ended_ns IS NOT NULL
  AND exit_status = 0")
[ "$n" = 2 ] || fail "runs not closed"

# a provider the profile does not list runs with its defaults; for http
# download_url is needed
sed '/plugin: http/,$d' "$T/p.yaml" >"$T/cf-only.yaml"
expect_rc 3 "$BN" speedtest -p "$T/cf-only.yaml" --db "$T/h.db" --provider http
assert_contains "$T/err" "missing required option 'download_url'"
# no such provider
expect_rc 4 "$BN" speedtest -p "$T/p.yaml" --db "$T/h.db" --provider nosuch
assert_contains "$T/err" "no speed test provider named 'nosuch'"
[ "$(wc -l <"$T/err")" = 1 ] || fail "more than one line: $(cat "$T/err")"

# bad input is caught by `profile validate`, with FILE:LINE:COL: first
# the profile's own sections, then each plugin's options and check()
printf 'name: st-bad\nspeedtest: {streams: 0}\n' >"$T/bad.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/bad.yaml"
assert_contains "$T/err" "bad.yaml:2:22: section 'speedtest': option 'streams' must be between 1 and 64"
printf 'name: st-bad\nspeedtest: {duration: 5s, timeout: 6s}\n' >"$T/bad.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/bad.yaml"
assert_contains "$T/err" "bad.yaml:2:36: 'timeout' (6.0 s) leaves no room"
cat >"$T/bad.yaml" <<EOF
name: st-bad
speedtests:
  - {plugin: cloudflare, base_url: "not a url"}
  - {plugin: http, download_url: "ftp://example.invalid/x"}
  - {plugin: librespeedy}
EOF
expect_rc 3 "$BN" profile validate --no-resolve "$T/bad.yaml"
assert_contains "$T/err" "bad.yaml:5:14: unknown plugin 'librespeedy' in speedtests"
sed -i '$d' "$T/bad.yaml"
expect_rc 3 "$BN" profile validate --no-resolve "$T/bad.yaml"
assert_contains "$T/err" "bad.yaml:3:36: [speedtest:cloudflare:cloudflare] 'not a url' is not an http:// or https:// URL"
assert_contains "$T/err" "bad.yaml:4:34: [speedtest:http:http] 'ftp://example.invalid/x' is not an http"
# the store was not touched by the bad runs
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM runs")
[ "$n" = 2 ] || fail "a bad command created a run"
exit 0
