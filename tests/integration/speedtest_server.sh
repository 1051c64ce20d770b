# tests/integration/speedtest_server.sh - start a real nginx on loopback
# with tests/speedtest/nginx-speedtest.conf.in (Cloudflare-style and
# LibreSpeed-style speed test endpoints, and endpoints that fail on
# purpose).  Source after lib.sh; then speedtest_server_start [NS].
# Sets ST_PORT, ST_URL (http://127.0.0.1:PORT) and ST_DIR; nginx stops
# when the test exits.  With NS, nginx runs in that network namespace
# (lab tests) and listens on ST_ADDR (default 127.0.0.1).

# Payload files: sparse, so they cost no disk; nginx sends them with
# sendfile.  Sizes are those the providers ask for (1 MB doubling for
# Cloudflare style, N MiB for LibreSpeed).
speedtest_blobs() {
  mkdir -p "$ST_DIR/html/blob" "$ST_DIR/html/lsblob"
  : >"$ST_DIR/html/blob/0"
  n=1000000
  while [ $n -le 1024000000 ]; do
    truncate -s $n "$ST_DIR/html/blob/$n"
    n=$((n * 2))
  done
  for m in 1 2 4 8 16 25 32 50 64 100 128 256; do
    truncate -s $((m * 1048576)) "$ST_DIR/html/lsblob/$m"
  done
  truncate -s 1073741824 "$ST_DIR/html/blob/big"
}

speedtest_server_start() {
  need_cmd nginx "apt-get install nginx-light"
  # a speed test saturates the machine: not beside the lab's timing tests
  # (a lab test has the lock already)
  [ -n "${LAB_STATE:-}" ] || exclusive
  [ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ] ||
    skip "nginx echo module missing (apt-get install nginx-light)"
  ST_DIR=$T/stnginx
  ST_ADDR=${ST_ADDR:-127.0.0.1}
  mkdir -p "$ST_DIR/logs" "$ST_DIR/tmp"
  speedtest_blobs
  ST_PORT=${ST_PORT:-$(free_port)}
  user=""
  [ "$(id -u)" = 0 ] && user="user root root;"
  sed -e "s|@DIR@|$ST_DIR|g" -e "s|@PORT@|$ST_PORT|g" \
    -e "s|@USER@|$user|" -e "s|listen 127.0.0.1:|listen $ST_ADDR:|" \
    "$BN_TOP_SRCDIR/tests/speedtest/nginx-speedtest.conf.in" \
    >"$ST_DIR/nginx.conf"
  if [ -n "${1:-}" ]; then
    ip netns exec "$1" nginx -c "$ST_DIR/nginx.conf" -p "$ST_DIR" \
      2>"$ST_DIR/logs/stderr" &
  else
    nginx -c "$ST_DIR/nginx.conf" -p "$ST_DIR" 2>"$ST_DIR/logs/stderr" &
  fi
  ST_PID=$!
  on_exit "kill $ST_PID 2>/dev/null; wait $ST_PID 2>/dev/null"
  ST_URL=http://$ST_ADDR:$ST_PORT
  i=0
  while ! ${1:+ip netns exec "$1"} python3 -c "import socket; socket.create_connection(('$ST_ADDR', $ST_PORT), 0.2)" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 50 ] && { cat "$ST_DIR/logs/error.log" "$ST_DIR/logs/stderr" >&2; fail "speed test nginx is not listening"; }
    kill -0 "$ST_PID" 2>/dev/null ||
      { cat "$ST_DIR/logs/error.log" "$ST_DIR/logs/stderr" >&2; fail "speed test nginx exited"; }
    sleep 0.1
  done
}
