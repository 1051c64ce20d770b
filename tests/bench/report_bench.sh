#!/bin/sh
# report_bench.sh - time and peak memory of `bottleneck report` over a
# week of 1 Hz samples for 20 targets (about 12 million samples), made
# by tests/helpers/report_fixture through the store's own API (so the
# per-minute rollups are kept as in a real run).  Beside it, in the same
# run: one plain sqlite3 scan of the raw samples (count and mean), what
# any report that reads raw rows would pay at least.  Not a test.
#   make bench-report [BENCH_ARGS="--days 7 --targets 20"]
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
need_cmd sqlite3 "apt-get install sqlite3"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"
days=7
targets=20
while [ $# -gt 0 ]; do
  case $1 in
  --days) days=$2; shift 2 ;;
  --targets) targets=$2; shift 2 ;;
  *) fail "unknown argument $1" ;;
  esac
done

# measure LABEL CMD...: wall seconds and the child's peak RSS (MB)
measure() {
  label=$1
  shift
  python3 - "$label" "$@" <<'PY'
import resource, subprocess, sys, time
t0 = time.monotonic()
r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
dt = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if r.returncode:
    sys.stderr.write(r.stderr.decode())
    sys.exit(1)
print("%-44s %8.2f s %8.1f MB" % (sys.argv[1], dt, rss))
PY
}

echo "report_bench: $days days x $targets targets at 1 Hz"
t0=$(date +%s)
"$FIXTURE" "$T/week.db" --days "$days" --targets "$targets" 2>/dev/null ||
  fail "report_fixture"
n=$(sqlite3 "$T/week.db" 'SELECT count(*) FROM samples')
r=$(sqlite3 "$T/week.db" 'SELECT count(*) FROM rollups')
echo "store: $n samples, $r rollup rows, written in $(($(date +%s) - t0)) s" \
  "($(du -m "$T/week.db" | cut -f1) MB)"
sync
range="--since 2026-11-20T00:00:00Z --until 2026-11-27T00:00:00Z"
# shellcheck disable=SC2086
{
  measure "bottleneck report -f html (full)" "$BN" report --db "$T/week.db" \
    $range -f html -o "$T/week.html"
  measure "bottleneck report -f html --ops" "$BN" report --db "$T/week.db" \
    $range -f html --ops -o "$T/week-ops.html"
  measure "bottleneck report -f json" "$BN" report --db "$T/week.db" \
    $range -f json -o "$T/week.json"
  measure "bottleneck report -f text --compact" "$BN" report \
    --db "$T/week.db" $range -f text --compact -o "$T/week.txt"
  measure "bottleneck report -f html, last run (default)" "$BN" report \
    --db "$T/week.db" -f html -o "$T/week2.html"
  measure "peer: sqlite3 scan of the raw samples" sqlite3 "$T/week.db" \
    'SELECT count(*), avg(value) FROM samples'
}
echo "html page: $(du -k "$T/week.html" | cut -f1) KB"
