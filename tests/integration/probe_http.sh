#!/bin/sh
# probe_http.sh - end to end: the http probe against a real nginx on
# loopback (tests/integration/nginx.sh), through `bottleneck run`, with
# the results checked in the history db: timings of a 200, TLS verified
# with the right CA and refused with the wrong one, a 404 counted as
# lost, a 302 not followed; and check() through `profile validate`.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/integration/nginx.sh"
need_cmd sqlite3 "apt-get install sqlite3"
nginx_start

# Probe options apply to all of an instance's targets, so each case is
# an instance of its own.
cat >"$T/p.yaml" <<EOF
name: http-lab
targets:
  - {name: web, host: 127.0.0.1, port: $NGINX_PORT}
  - {name: web-404, host: 127.0.0.1, port: $NGINX_PORT}
  - {name: web-302, host: 127.0.0.1, port: $NGINX_PORT}
  - {name: tls, host: 127.0.0.1, port: $NGINX_TLS_PORT}
  - {name: tls-badca, host: 127.0.0.1, port: $NGINX_TLS_PORT}
probes:
  - plugin: http
    name: http
    targets: [web]
    interval: 200ms
  - plugin: http
    name: http-404
    targets: [web-404]
    path: /missing
    expect_status: "200"
    interval: 500ms
  - plugin: http
    name: http-302
    targets: [web-302]
    path: /redirect
    interval: 500ms
  - plugin: http
    name: https
    targets: [tls]
    scheme: https
    ca_file: $NGINX_CERT
    interval: 200ms
  - plugin: http
    name: https-badca
    targets: [tls-badca]
    scheme: https
    ca_file: $NGINX_OTHER_CA
    interval: 500ms
EOF

"$BN" profile validate "$T/p.yaml" >"$T/validate.txt" 2>&1 ||
  { cat "$T/validate.txt"; fail "profile validate rejected p.yaml"; }

db="$T/h.db"
"$BN" run --profile "$T/p.yaml" --duration 3s --db "$db" \
  >"$T/out.txt" 2>"$T/err.txt"
rc=$?
[ $rc -eq 0 ] || { cat "$T/out.txt" "$T/err.txt"; fail "run exited $rc"; }

q() { sqlite3 "$db" "$1"; }
# count TARGET METRIC CONDITION
count() {
  q "SELECT count(*) FROM samples_v WHERE target='$1' AND metric='$2'
     AND $3"
}
need() { # need MIN TARGET METRIC CONDITION
  n=$(count "$2" "$3" "$4")
  [ "$n" -ge "$1" ] || { q "SELECT * FROM samples_v WHERE target='$2'";
    fail "$2: $n samples of $3 with $4, want >= $1"; }
}
none() { # none TARGET METRIC CONDITION
  n=$(count "$1" "$2" "$3")
  [ "$n" = 0 ] || fail "$1: $n samples of $2 with $3, want none"
}

# Plain HTTP: every timing, a 200, the page's size; no TLS.
for m in dns_ms connect_ms ttfb_ms total_ms; do
  need 5 web $m "flags = 0 AND value >= 0"
done
need 5 web total_ms "flags = 0 AND value > 0"
need 5 web ttfb_ms "flags = 0 AND value > 0"
need 5 web http_status "flags = 0 AND value = 200"
need 5 web size_bytes "flags = 0 AND value = 21"
none web tls_ms "1"
none web total_ms "flags != 0"

# HTTPS verified against the self-signed certificate.
need 5 tls tls_ms "flags = 0 AND value > 0"
need 5 tls total_ms "flags = 0 AND value > 0"
need 5 tls http_status "value = 200"
q "SELECT count(*) FROM samples_v s JOIN samples_v t
   ON s.target = t.target AND s.mono_ns = t.mono_ns
   WHERE s.target = 'tls' AND s.metric = 'total_ms' AND t.metric = 'tls_ms'
   AND s.value < t.value" | grep -qx 0 || fail "tls: total_ms < tls_ms"

# HTTPS with the wrong CA: lost and flagged as an error, one warning.
need 2 tls-badca total_ms "flags = 17 AND value IS NULL"
none tls-badca total_ms "flags & 1 = 0"
none tls-badca tls_ms "1"
grep "\[probe:http:https-badca\].*target 'tls-badca'" "$T/err.txt" |
  grep -q "SSL certificate problem" ||
  { cat "$T/err.txt"; fail "no certificate warning for tls-badca"; }
n=$(grep -c "target 'tls-badca'.*counted as lost" "$T/err.txt")
[ "$n" = 1 ] || fail "tls-badca warned $n times, want once"

# A 404 where 200 is expected: lost (not an error), its status kept.
need 2 web-404 total_ms "flags = 1 AND value IS NULL"
need 2 web-404 http_status "flags = 0 AND value = 404"
none web-404 total_ms "flags != 1"
assert_contains "$T/err.txt" "status 404 is not in expect_status '200'"

# A 302 is not followed and is a success under the default 200-399.
need 2 web-302 http_status "flags = 0 AND value = 302"
none web-302 total_ms "flags != 0"

# check() through the real host: exact messages with FILE:LINE:COL.
cat >"$T/bad.yaml" <<EOF
name: bad
targets:
  - {name: web, host: 127.0.0.1, port: $NGINX_PORT}
probes:
  - plugin: http
    scheme: ftp
    method: POST
    expect_status: "2xx"
EOF
"$BN" profile validate "$T/bad.yaml" >"$T/bad.txt" 2>&1
rc=$?
[ $rc -eq 3 ] || { cat "$T/bad.txt"; fail "validate bad.yaml exited $rc"; }
assert_contains "$T/bad.txt" "$T/bad.yaml:6:13: [probe:http:http] scheme must be http or https, got 'ftp'"
assert_contains "$T/bad.txt" "method must be GET or HEAD, got 'POST'"
assert_contains "$T/bad.txt" "expect_status must be status codes 100-599"

med() { # median of a series (rows sorted, middle one)
  q "SELECT value FROM samples_v WHERE target='$1' AND metric='$2'
     AND flags = 0 ORDER BY value LIMIT 1 OFFSET
     (SELECT count(*) / 2 FROM samples_v WHERE target='$1'
      AND metric='$2' AND flags = 0)"
}
echo "ok: median total_ms http $(med web total_ms) ms," \
  "https $(med tls total_ms) ms (tls_ms $(med tls tls_ms) ms)"
