#!/bin/sh
# compact_bench.sh - what the retention buys on the week-long history of
# the report bench (7 days x 20 targets at 1 Hz, about 12 million
# samples, made by tests/helpers/report_fixture through the store's
# API): bytes per sample on disk before and after `bottleneck compact`
# with every raw sample past its retention (raw: 1d), then with the
# minutes merged into hours too (minutes: 2d), the report time over the
# compacted week, and the longest compaction step.  Not a test.
#   make bench-compact [BENCH_ARGS="--days 7 --targets 20"]
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
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

"$FIXTURE" "$T/week.db" --days "$days" --targets "$targets" 2>/dev/null ||
  fail "report_fixture"
n=$(sqlite3 "$T/week.db" 'SELECT count(*) FROM samples')
range="--since 2026-11-20T00:00:00Z --until 2026-11-27T00:00:00Z"
bps() { awk "BEGIN { printf \"%.2f\", $(stat -c %s "$1") / $n }"; }
rtime() { # DB: seconds of a json report over the week
  s=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$BN" report --db "$1" $range -f json -o "$T/r.json" >/dev/null 2>&1 ||
    fail "report"
  awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $s }"
}
echo "compact_bench: $days days x $targets targets at 1 Hz: $n samples"
echo "before:  $(stat -c %s "$T/week.db") bytes, $(bps "$T/week.db") B/sample," \
  "report $(rtime "$T/week.db") s"
for ret in "raw: 1d, minutes: 90d, hours: 2y" "raw: 1d, minutes: 2d, hours: 2y"
do
  printf 'name: b\ntargets: []\nretention: {%s}\n' "$ret" >"$T/b.yaml"
  "$BN" compact --profile "$T/b.yaml" --db "$T/week.db" >"$T/out" ||
    fail "compact"
  echo "after compact {$ret} ($(grep longest "$T/out")):"
  echo "         $(stat -c %s "$T/week.db") bytes, $(bps "$T/week.db")" \
    "B/sample, report $(rtime "$T/week.db") s," \
    "resolution $(sed -n 's/.*"resolution": *"\([a-z+]*\)".*/\1/p' "$T/r.json" | head -1)"
done
