#!/bin/sh
# omnetpp_import.sh - import speed of `bottleneck import --format omnetpp`
# (docs/simulation.md): generates a .vec file of N data lines (default
# 10 000 000) in the shape of tests/data/omnetpp/OneFifo-0.vec (version 2
# header, the run's attributes, 10 ETV vectors of one queue, tab-separated
# data lines "ID EVENT TIME VALUE" with 12-digit values, time rising),
# imports it into a fresh history (check pass + write pass, one
# transaction) and prints lines/s, wall and CPU time, and the database
# size.  Not a test: run it with `make bench-omnetpp BENCH_ARGS=N`.
# Usage: omnetpp_import.sh BUILDDIR [N]
set -eu
b=${1:?usage: omnetpp_import.sh BUILDDIR [N]}
n=${2:-10000000}
t=$(mktemp -d "${TMPDIR:-/tmp}/bn-bench.XXXXXX")
trap 'rm -rf "$t"' EXIT
awk -v n="$n" 'BEGIN {
  print "version 2"
  print "run OneFifo-0-20081210-11:48:12-11130"
  print "attr configname OneFifo"
  print "attr datetime 20081210-11:48:12"
  print "attr experiment OneFifo"
  print "attr iterationvars \"\""
  print "attr network SimpleQueue"
  print "attr repetition 0"
  print "attr runnumber 0"
  print "attr seedset 0"
  print ""
  split("queueing time|length|total lifetime|total queueing time|number of queue nodes visited|total service time|total delay|number of delay nodes visited|generation|dropped jobs", names, "|")
  for (i = 0; i < 10; i++)
    printf "vector %d  SimpleQueue.%s  \"%s\"  ETV\n", i, (i < 2 || i == 9) ? "queue" : "sink", names[i + 1]
  srand(1)
  t = 0
  for (k = 0; k < n; k++) {
    if (k % 10 == 0)
      t += -log(1 - rand()) * 0.5
    printf "%d\t%d\t%.12f\t%.12f\n", k % 10, k, t, -log(1 - rand()) * 2
  }
}' >"$t/big.vec"
lines=$(wc -l <"$t/big.vec")
bytes=$(wc -c <"$t/big.vec")
/usr/bin/time -f "%e %U %S %M" -o "$t/time" "$b/bottleneck" import \
  --format omnetpp "$t/big.vec" --map 'total delay=latency:s' \
  --db "$t/h.db" >"$t/out"
read -r wall user sys rss <"$t/time"
cat "$t/out"
python3 - "$lines" "$bytes" "$wall" "$user" "$sys" "$rss" "$(wc -c <"$t/h.db")" "$n" <<'PY'
import sys
lines, size, wall, user, sys_, rss, db, n = sys.argv[1:]
lines, wall = int(lines), float(wall)
print(f"{n} data lines ({lines} lines, {int(size) / 1e6:.0f} MB): "
      f"{lines / wall:,.0f} lines/s; wall {wall:.1f} s, user {float(user):.1f} s, "
      f"sys {float(sys_):.1f} s, max RSS {int(rss) / 1024:.0f} MB, "
      f"database {int(db) / 1e6:.0f} MB")
PY
