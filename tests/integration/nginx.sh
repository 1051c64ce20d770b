# tests/integration/nginx.sh - start a real nginx (Debian's nginx-light)
# on loopback for a test.  Source it after lib.sh, then run nginx_start.
# Everything nginx writes (pid, logs, temp files) stays in $T/nginx, and
# nginx is stopped when the test exits.  Afterwards these are set:
#
#   NGINX_PORT      plain HTTP on 127.0.0.1
#   NGINX_TLS_PORT  HTTPS on 127.0.0.1, with a self-signed certificate
#   NGINX_CERT      that certificate (PEM): use it as the CA file
#   NGINX_OTHER_CA  another self-signed certificate: verifying with it fails
#   NGINX_DIR       $T/nginx
#
# Both ports serve: /          200, a small page
#                   /missing   404
#                   /redirect  302 to /

# nginx_wait PORT: until 127.0.0.1:PORT accepts (5 s at most).
nginx_wait() {
  i=0
  while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 50 ] && { cat "$NGINX_DIR/logs/error.log" >&2; fail "nginx is not listening on port $1"; }
    kill -0 "$NGINX_PID" 2>/dev/null ||
      { cat "$NGINX_DIR/logs/error.log" >&2; fail "nginx exited"; }
    sleep 0.1
  done
}

# nginx_cert NAME: a self-signed certificate for localhost and 127.0.0.1.
nginx_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$NGINX_DIR/$1.key" -out "$NGINX_DIR/$1.pem" \
    >"$NGINX_DIR/openssl.log" 2>&1 ||
    { cat "$NGINX_DIR/openssl.log" >&2; fail "openssl req failed"; }
}

nginx_start() {
  need_cmd nginx "apt-get install nginx-light"
  need_cmd openssl "apt-get install openssl"
  need_cmd python3 "apt-get install python3"
  NGINX_DIR=$T/nginx
  mkdir -p "$NGINX_DIR/html" "$NGINX_DIR/logs" "$NGINX_DIR/tmp"
  echo "bottleneck test page" >"$NGINX_DIR/html/index.html"
  nginx_cert server
  nginx_cert other
  NGINX_CERT=$NGINX_DIR/server.pem
  NGINX_OTHER_CA=$NGINX_DIR/other.pem
  NGINX_PORT=$(free_port)
  NGINX_TLS_PORT=$(free_port)
  while [ "$NGINX_TLS_PORT" = "$NGINX_PORT" ]; do
    NGINX_TLS_PORT=$(free_port)
  done
  # As root the workers would switch to a user that may not read $T.
  user=""
  [ "$(id -u)" = 0 ] && user="user root root;"
  d=$NGINX_DIR
  cat >"$d/nginx.conf" <<EOF
$user
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 128; }
http {
  access_log $d/logs/access.log;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  default_type text/html;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    listen 127.0.0.1:$NGINX_TLS_PORT ssl;
    server_name localhost;
    ssl_certificate $d/server.pem;
    ssl_certificate_key $d/server.key;
    root $d/html;
    location = /redirect { return 302 /; }
  }
}
EOF
  nginx -t -p "$d/" -c "$d/nginx.conf" -e "$d/logs/error.log" \
    >"$d/logs/test.log" 2>&1 ||
    { cat "$d/logs/test.log" >&2; fail "nginx -t rejected $d/nginx.conf"; }
  nginx -p "$d/" -c "$d/nginx.conf" -e "$d/logs/error.log" \
    >>"$d/logs/error.log" 2>&1 &
  NGINX_PID=$!
  on_exit "kill $NGINX_PID 2>/dev/null; wait $NGINX_PID 2>/dev/null"
  nginx_wait "$NGINX_PORT"
  nginx_wait "$NGINX_TLS_PORT"
}
