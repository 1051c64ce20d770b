#!/bin/sh
# run.sh SEEDS_DIR BIN_DIR TARGET... - run each libFuzzer target
# BIN_DIR/fuzz_TARGET for FUZZ_SECONDS (default 20) from a copy of
# SEEDS_DIR/TARGET (BIN_DIR/corpus-TARGET keeps what runs find), with
# leak detection and a 10 s per-input timeout.  Prints one line per
# target (executions, coverage, features, corpus size); fails when any
# target crashed, leaked or hung (the reproducer is left in BIN_DIR).
set -u
seeds=$1
bins=$2
shift 2
secs=${FUZZ_SECONDS:-20}
rc=0
for t in "$@"; do
  corpus="$bins/corpus-$t"
  mkdir -p "$corpus"
  cp "$seeds/$t"/* "$corpus/" 2>/dev/null
  log="$bins/fuzz-$t.log"
  "$bins/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$bins/crash-$t-" \
    "$corpus" >"$log" 2>&1
  st=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 |
    sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p')
  if [ $st -ne 0 ]; then
    echo "fuzz: $t FAILED (exit $st) after ${execs:-?} executions; see $log"
    grep -E 'ERROR: |SUMMARY: |Test unit written' "$log" | head -5
    rc=1
  else
    echo "fuzz: $t ok: ${execs:-0} executions in ${secs} s, 0 crashes, ${cov:-no coverage line}"
  fi
done
exit $rc
