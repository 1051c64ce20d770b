#!/bin/sh
# icmp_scale.sh - the icmp probe against fping at 100, 1,000 and 10,000
# targets (tests/bench/README.md, "icmp_scale").
#
#   icmp_scale.sh [-d SECONDS] [TARGETS...]     (default: -d 10 100 1000 10000)
#
# For each size, the same list of 127.1.x.y addresses (all on lo: 127/8
# is local, nothing leaves the machine) is probed once a second per
# target for SECONDS seconds, first by `bottleneck run` (icmp, count 1,
# interval 1s, timeout 1s, every sample stored; once with the targets'
# probes spread evenly over the second, the default, and once with
# `spread: false`, one burst a round, "bn-burst"), then by fping (-c
# SECONDS -p 1000 -t 1000).  One after the other, not together: each
# raw ICMP socket sees every echo reply of the host, so running both at
# once would charge each tool for the other's replies.  bench_rusage
# (tests/bench/bench_rusage.c) gives wall time, user+sys CPU seconds
# (getrusage of the child, to the microsecond) and peak RSS; loss is
# what each tool reports (bottleneck: LOST samples in its db; fping:
# its xmt/rcv summary).  Not a test: it asserts nothing.  Needs root
# (raw sockets, fping intervals under 1 ms).  Run it with `make
# bench-icmp-scale` (BENCH_ARGS='-d 5 100 1000').
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd fping "apt-get install fping"
need_cmd sqlite3 "apt-get install sqlite3"
RUSAGE="$BN_TOP_BUILDDIR/tests/bench/bench_rusage"
[ -x "$RUSAGE" ] || skip "$RUSAGE not built (run make)"
need_root

dur=10
if [ "${1:-}" = -d ]; then
  dur=${2:-}
  shift 2 || fail "usage: $0 [-d SECONDS] [TARGETS...]"
fi
case $dur in '' | *[!0-9]*) fail "-d wants whole seconds, not '$dur'" ;; esac
[ "$dur" -ge 1 ] || fail "-d wants at least 1 second"
sizes=${*:-100 1000 10000}
for n in $sizes; do
  case $n in '' | *[!0-9]*) fail "bad target count '$n'" ;; esac
  # 127.1.x.y with y in 1..250 and x in 0..249.
  [ "$n" -ge 1 ] && [ "$n" -le 62500 ] || fail "targets: 1..62500, not $n"
done

# targets N: the address list $T/targets.N and the profile $T/scale.N.yaml.
targets() {
  awk -v n="$1" 'BEGIN {
    for (i = 0; i < n; i++)
      printf "127.1.%d.%d\n", int(i / 250), i % 250 + 1 }' >"$T/targets.$1"
  {
    echo "name: icmp-scale"
    echo "targets:"
    awk '{ printf "  - {name: t%d, host: %s}\n", NR, $1 }' "$T/targets.$1"
    echo "probes:"
    echo "  - plugin: icmp"
    echo "    count: 1"
    echo "    interval: 1s"
    echo "    timeout: 1s"
  } >"$T/scale.$1.yaml"
  # The same with one burst a round instead of probes spread evenly.
  { cat "$T/scale.$1.yaml"; echo "    spread: false"; } >"$T/burst.$1.yaml"
}

# run_bn N LABEL PROFILE: one bottleneck run and its row.
run_bn() {
  db="$T/scale.$1.db"
  "$RUSAGE" "$T/bn.time" \
    "$BN" run --profile "$3" --duration "${dur}s" \
    --db "$db" --no-report >/dev/null 2>"$T/bn.err" ||
    { cat "$T/bn.err"; fail "bottleneck run with $1 targets failed"; }
  # A probe is one rtt_ms sample, not LATE (4) nor DUP (8): those are a
  # second sample for a request already counted.
  # shellcheck disable=SC2046 # two numbers
  set -- "$1" "$2" $(sqlite3 -separator ' ' "$db" "SELECT count(*),
    coalesce(sum(flags & 1), 0) FROM samples_v
    WHERE metric = 'rtt_ms' AND (flags & 12) = 0")
  row "$1" "$2" "$T/bn.time" "$3" "$4"
  rm -f "$db" "$db-wal" "$db-shm"
}

# row N TOOL TIMEFILE PROBES LOST: one line of the table; "N TOOL CPU-
# per-probe" goes to $T/rows for the ratios.
row() {
  read -r wall user sys rss_kb <"$3"
  awk -v n="$1" -v tool="$2" -v wall="$wall" -v u="$user" -v s="$sys" \
    -v rss="$rss_kb" -v p="$4" -v l="$5" -v rows="$T/rows" 'BEGIN {
    cpu = u + s
    per = (p > 0) ? 1e6 * cpu / p : 0
    loss = (p > 0) ? 100 * l / p : 0
    printf "%7d | %-10s | %6.2f | %6.2f | %18.2f | %11.1f | %7d | %5d" \
      " | %6.3f\n", n, tool, wall, cpu, per, rss / 1024, p, l, loss
    printf "%d %s %.6f\n", n, tool, per >>rows
  }'
}

printf "icmp_scale: each target probed once a second for %d s;" "$dur"
printf " %s, fping %s\n" \
  "$("$BN" --version 2>/dev/null | head -n 1)" \
  "$(fping -v 2>&1 | sed -n 's/.*Version //p')"
echo "targets | tool       | wall s |  CPU s | CPU ms/1000 probes" \
  "| peak RSS MB |  probes |  lost | loss %"
for n in $sizes; do
  targets "$n"

  run_bn "$n" bottleneck "$T/scale.$n.yaml"
  run_bn "$n" bn-burst "$T/burst.$n.yaml"
  db="$T/scale.$n.db"
  # Its fixed part: loading the profile, plugins and db, and stopping.
  "$RUSAGE" "$T/bn0.time" "$BN" run --profile "$T/scale.$n.yaml" \
    --duration 1ms --db "$db" --no-report >/dev/null 2>&1 ||
    fail "bottleneck run --duration 1ms failed"
  read -r wall user sys rss_kb <"$T/bn0.time"
  awk -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN {
    printf "        (start + stop alone, --duration 1ms: %.2f s," \
      " %.3f CPU s)\n", w, u + s }'
  rm -f "$db" "$db-wal" "$db-shm"

  # fping paces its sends -i ms apart; spread one period's sends over
  # 90 % of it so that it keeps up.  Floor 0.16 ms: fping 5 holds each
  # of its 65,536 sequence numbers for 10 s and aborts ("not enough
  # sequence numbers available") above ~6,500 probes/s.  Ceiling 10 ms,
  # its default.
  iv=$(awk -v n="$n" 'BEGIN { i = 900 / n; if (i < 0.16) i = 0.16;
    if (i > 10) i = 10; printf "%.3f", i }')
  "$RUSAGE" "$T/fp.time" \
    fping -q -c "$dur" -p 1000 -i "$iv" -t 1000 -f "$T/targets.$n" \
    >/dev/null 2>"$T/fp.out"
  rc=$?
  # 1 = some target did not answer: that is loss, still a result.
  [ $rc -le 1 ] || { tail -n 5 "$T/fp.out"; fail "fping exited $rc"; }
  # "127.1.0.1 : xmt/rcv/%loss = 10/10/0%, min/avg/max = ..."
  # shellcheck disable=SC2046 # three numbers
  set -- $(sed -n 's|.*xmt/rcv/%loss = \([0-9]*\)/\([0-9]*\)/.*|\1 \2|p' \
    "$T/fp.out" | awk '{ x += $1; r += $2; h++ }
    END { print x + 0, x - r, h + 0 }')
  [ "$3" -eq "$n" ] || fail "fping summarised $3 of $n targets"
  row "$n" fping "$T/fp.time" "$1" "$2"
  echo "        (fping -i $iv ms)"
done

echo "CPU per probe / fping's (goal: <= 1); bottleneck spreads each"
echo "target's probes evenly (default), bn-burst is 'spread: false':"
awk '{ per[$1, $2] = $3
       if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  END { for (i = 1; i <= k; i++) {
          n = order[i]
          if (per[n, "fping"] > 0)
            printf "%7d targets: bottleneck %.2f, bn-burst %.2f\n", n,
              per[n, "bottleneck"] / per[n, "fping"],
              per[n, "bn-burst"] / per[n, "fping"] } }' \
  "$T/rows"
