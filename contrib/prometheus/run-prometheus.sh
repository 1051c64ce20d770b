#!/bin/sh
# run-prometheus.sh [CONFIG [DATA-DIR [LISTEN]]] - start Prometheus (the
# Debian package `prometheus`) in the foreground against the sample
# configuration, with its own data directory and the remote-write
# receiver on.  Defaults: contrib/prometheus/prometheus.yml,
# ./prometheus-data, 127.0.0.1:9090 (loopback: nothing is reachable from
# other machines unless you say so).
set -e
here=$(cd "$(dirname "$0")" && pwd)
config=${1:-$here/prometheus.yml}
data=${2:-./prometheus-data}
listen=${3:-127.0.0.1:9090}
command -v prometheus >/dev/null 2>&1 || {
  echo "run-prometheus.sh: prometheus not found; apt-get install prometheus" >&2
  exit 1
}
mkdir -p "$data"
exec prometheus --config.file="$config" --storage.tsdb.path="$data" \
  --web.listen-address="$listen" --web.enable-remote-write-receiver
