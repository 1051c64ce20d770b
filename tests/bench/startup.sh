#!/bin/sh
# startup.sh - start-up time of `bottleneck plugins` with every built
# plugin present: the loader opens and checks each one.  Prints the
# median, min and max of N runs (default 31) beside `bottleneck version`
# (no plugins loaded) measured in the same run.
# Usage: startup.sh BUILDDIR [N]
set -eu
b=${1:?usage: startup.sh BUILDDIR [N]}
n=${2:-31}
export BOTTLENECK_PLUGIN_PATH="$b/stage/plugins"
nplug=$(ls "$BOTTLENECK_PLUGIN_PATH"/*.so | wc -l)
python3 - "$b/bottleneck" "$n" "$nplug" <<'PY'
import statistics, subprocess, sys, time
bn, n, nplug = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def measure(args):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run([bn] + args, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), max(times)
for label, args in (("bottleneck version", ["version"]),
                    ("bottleneck plugins", ["plugins"])):
    med, lo, hi = measure(args)
    print(f"{label:20s} median {med:6.2f} ms  (min {lo:.2f}, max {hi:.2f}, "
          f"{n} runs, {nplug} plugins on the path)")
PY
