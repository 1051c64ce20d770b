#!/bin/sh
# exporter_prom_e2e.sh - a real Prometheus (Debian `prometheus`, on a
# loopback port with its own data dir) scrapes the `prometheus` exporter
# during a `bottleneck run`: a listening and a closed TCP port, scripted
# routes (fixture-paths) that change once, and a scripted anomaly
# episode (test_episodes).  Its HTTP API must return the series with the
# right values, every PromQL expression of the Grafana dashboard
# (contrib/grafana) must return data, and `promtool check metrics` passes
# on the real /metrics.
. "$(dirname "$0")/lib.sh"

need_cmd prometheus "apt-get install prometheus"
need_cmd promtool "apt-get install prometheus"
need_cmd curl "apt-get install curl"
need_cmd python3 "apt-get install python3"
[ -f "$BN_PLUGIN_STAGE/exporter_prometheus.so" ] ||
  skip "exporter_prometheus not built (apt-get install libmicrohttpd-dev)"
for f in fakepath episodes; do
  [ -f "${BN_FIXTURE_PLUGINS:-}/$f.so" ] || fail "fixture plugin $f not built"
done
mkdir "$T/fx" && cp "$BN_FIXTURE_PLUGINS/fakepath.so" \
  "$BN_FIXTURE_PLUGINS/episodes.so" "$T/fx/" && chmod 755 "$T/fx"
Q="python3 $BN_TOP_SRCDIR/tests/integration/prom_query.py"

open=$(free_port)
tcp_listener "$open"
closed=$(free_port)
eport=$(free_port)
pport=$(free_port)

cat >"$T/prometheus.yml" <<YAML
global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: bn
    static_configs: [{targets: ["127.0.0.1:$eport"]}]
YAML
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/pdata" \
  --web.listen-address="127.0.0.1:$pport" >"$T/prom.log" 2>&1 &
ppid=$!
on_exit "kill $ppid 2>/dev/null; wait $ppid 2>/dev/null"
P="http://127.0.0.1:$pport"
i=0
until curl -sf "$P/-/ready" >/dev/null 2>&1; do
  i=$((i + 1))
  [ $i -gt 600 ] && { tail "$T/prom.log"; fail "prometheus not ready in 60 s"; }
  kill -0 $ppid 2>/dev/null || { tail "$T/prom.log"; fail "prometheus died"; }
  sleep 0.1
done
# Prometheus starts scraping when service discovery first reports
# (seconds after ready): wait for a first (failed) scrape of the exporter
i=0
until [ -n "$($Q "$P" instant 'up{job="bn"}')" ]; do
  i=$((i + 1))
  [ $i -gt 300 ] && { tail "$T/prom.log"; fail "prometheus did not scrape in 30 s"; }
  sleep 0.1
done

cat >"$T/p.yaml" <<YAML
name: prom-e2e
targets:
  - {name: open, host: 127.0.0.1, port: $open}
  - {name: closed, host: 127.0.0.1, port: $closed}
probes:
  - plugin: tcp
    interval: 200ms
  - plugin: fixture-paths
    name: trace
    interval: 500ms
    # the route changes at the 8th round (~4 s): Prometheus has seen the
    # counter at 0 before (the dashboard's annotation needs that)
    routes:
      - "127.0.0.2/1 127.0.0.1/2"
      - "127.0.0.2/1 127.0.0.1/2"
      - "127.0.0.2/1 127.0.0.1/2"
      - "127.0.0.2/1 127.0.0.1/2"
      - "127.0.0.2/1 127.0.0.1/2"
      - "127.0.0.2/1 127.0.0.1/2"
      - "127.0.0.2/1 127.0.0.1/2"
      - "127.0.0.3/1.5 127.0.0.1/2"
anomaly:
  - plugin: test_episodes
    target: closed
    open_at: 3
    close_at: 1000000
exporters:
  - plugin: prometheus
    port: $eport
YAML
start=$(date +%s)
"$BN" run -p "$T/p.yaml" --plugin-dir "$T/fx" --db "$T/h.db" -d 8s \
  --no-report >"$T/out" 2>"$T/err" &
bpid=$!
on_exit "kill $bpid 2>/dev/null"
# the real /metrics, once the episode and the route change are in
i=0
until curl -sf "http://127.0.0.1:$eport/metrics" >"$T/metrics" 2>/dev/null &&
  grep -q '^bottleneck_episodes_open{severity="critical"} 1' "$T/metrics" &&
  grep -q 'addr="127.0.0.3"' "$T/metrics"; do
  i=$((i + 1))
  [ $i -gt 100 ] && { cat "$T/err"; fail "no episode or route change on /metrics in 10 s"; }
  sleep 0.1
done
wait $bpid || { cat "$T/err"; fail "bottleneck run failed"; }
end=$(date +%s)
promtool check metrics <"$T/metrics" >"$T/lint" 2>&1 ||
  { cat "$T/lint"; fail "promtool check metrics: problems on the real output"; }
[ -s "$T/lint" ] && { cat "$T/lint"; fail "promtool printed warnings"; }
echo "ok: promtool check metrics passes on the live /metrics ($(wc -c <"$T/metrics") bytes)"

# Prometheus scraped the run (up == 1 at least 4 times)
n=$($Q "$P" instant "count_over_time(up{job=\"bn\"}[5m])" | awk '{print $2}')
ups=$($Q "$P" instant "sum_over_time(up{job=\"bn\"}[5m])" | awk '{print $2}')
[ "${ups:-0}" -ge 4 ] 2>/dev/null || { tail "$T/prom.log"; fail "only ${ups:-0} of ${n:-0} scrapes succeeded"; }

# last value of a series during the run: "VALUE TIMESTAMP"
last() { $Q "$P" last "$1"; }
check() { # EXPR PYTHON-CONDITION-ON-v DESCRIPTION
  got=$(last "$1")
  [ -n "$got" ] || fail "no series for $1"
  set -- "$1" "$2" "$3" $got
  python3 -c "import sys; v=float(sys.argv[1]); t=float(sys.argv[2]);
assert $start - 2 <= t <= $end + 2, ('timestamp', t)
assert $2, v" "$4" "$5" ||
    fail "$3: $1 = $4 at $5 (run $start..$end)"
  echo "ok: $3: $4"
}
check 'bottleneck_loss_ratio{target="closed",probe="tcp"}' 'v == 1' "loss ratio of the closed port"
check 'bottleneck_latency_last_seconds{target="open",probe="tcp"}' '0 < v < 1' "latency of the listening port"
check 'bottleneck_probe_success{target="open",probe="tcp"}' 'v == 1' "probe success of the listening port"
check 'bottleneck_latency_seconds_count{target="open",probe="tcp"}' 'v >= 10' "latency histogram count"
check 'bottleneck_probes_sent_total{target="closed",probe="tcp"}' 'v >= 10' "probes sent to the closed port"
check 'bottleneck_hop_rtt_seconds{target="open",probe="trace",hop="2",addr="127.0.0.1"}' 'abs(v - 0.002) < 1e-9' "hop 2 RTT"
check 'bottleneck_hop_rtt_seconds{target="open",probe="trace",hop="1",addr="127.0.0.3"}' 'abs(v - 0.0015) < 1e-9' "hop 1 RTT after the change"
check 'bottleneck_path_changes_total{target="open",probe="trace"}' 'v == 1' "one path change"
check 'bottleneck_episodes_open{severity="critical"}' 'v == 1' "one open critical episode"
check 'bottleneck_events_total{source="test_episodes",type="test_episode",severity="critical"}' 'v == 1' "episode opening events"

# every PromQL expression of the dashboard returns data (the speed test
# panel needs `bottleneck speedtest`, which `run` does not schedule)
$Q "$P" dashboard "$BN_TOP_SRCDIR/contrib/grafana/bottleneck-dashboard.json" \
  "$start" "$((end + 1))" bottleneck_speedtest_ >"$T/dash" 2>&1 ||
  { cat "$T/dash"; fail "dashboard expressions without data"; }
cat "$T/dash"
echo "ok: the dashboard's expressions return data"

# listening beyond loopback shares the results: not without consent
nport=$(free_port)
cat >"$T/wide.yaml" <<YAML
name: prom-wide
targets:
  - {name: open, host: 127.0.0.1, port: $open}
probes:
  - {plugin: tcp, interval: 200ms}
exporters:
  - {plugin: prometheus, listen: 0.0.0.0, port: $nport}
YAML
"$BN" run -p "$T/wide.yaml" --db "$T/w.db" -d 1s --no-report </dev/null \
  >"$T/w.out" 2>"$T/w.err" || { cat "$T/w.err"; fail "run (listen 0.0.0.0)"; }
assert_contains "$T/w.err" "[exporter:prometheus:prometheus] not started: no consent to send data to http://0.0.0.0:$nport/metrics"
echo "ok: listen 0.0.0.0 without consent: not started"
