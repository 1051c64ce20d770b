#!/bin/sh
# exporter_prom_format.sh - the prometheus exporter's /metrics text, from
# a synthetic table (tests/helpers/prom_dump: latency of 300 targets, an
# HTTP probe, routes, events, a speed test), passes `promtool check
# metrics` (Prometheus's own linter: names, units, types, _total).
. "$(dirname "$0")/lib.sh"

need_cmd promtool "apt-get install prometheus"
DUMP="$BN_TOP_BUILDDIR/tests/helpers/prom_dump"
[ -x "$DUMP" ] || fail "$DUMP not built"

"$DUMP" 300 5 >"$T/metrics" || fail "prom_dump failed"
promtool check metrics <"$T/metrics" >"$T/lint" 2>&1 ||
  { cat "$T/lint"; fail "promtool check metrics found problems"; }
[ -s "$T/lint" ] && { cat "$T/lint"; fail "promtool printed warnings"; }
# Every family the table knows is there, so the lint covered it.
for f in bottleneck_latency_seconds_bucket bottleneck_latency_last_seconds \
  bottleneck_probes_sent_total bottleneck_loss_ratio \
  bottleneck_jitter_seconds bottleneck_metric_value \
  bottleneck_hop_rtt_seconds bottleneck_hop_loss_ratio bottleneck_path_info \
  bottleneck_path_changes_total bottleneck_episodes_open \
  bottleneck_events_total bottleneck_speedtest_download_bytes_per_second \
  bottleneck_exporter_scrape_duration_seconds \
  bottleneck_exporter_samples_dropped_total; do
  grep -q "^$f[{ ]" "$T/metrics" || fail "no $f in the output"
done
# 300 targets x 16 buckets (15 bounds and +Inf), plus 30 HTTP series.
n=$(grep -c '^bottleneck_latency_seconds_bucket{' "$T/metrics")
[ "$n" = $(((300 + 30) * 16)) ] || fail "$n bucket lines, want 5280"
echo "ok: promtool check metrics passes on $(wc -c <"$T/metrics") bytes"
