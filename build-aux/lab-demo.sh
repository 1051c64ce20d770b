#!/bin/sh
# lab-demo.sh - the main job on any machine: start TCP listeners on
# loopback where the lab profile expects them (127.0.0.1:47080 and
# [::1]:47080; 47081 is left closed on purpose), run the installed
# bottleneck with the shipped lab profile, print its report and write it
# as an HTML page too.
# Usage: lab-demo.sh [DURATION]   (default 10s)
set -e
dur=${1:-10s}
python3 - <<'PY' &
import socket, threading
def serve(fam, addr):
    s = socket.socket(fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 47080))
    s.listen(512)
    while True:
        c, _ = s.accept()
        c.close()
threading.Thread(target=serve, args=(socket.AF_INET6, "::1"), daemon=True).start()
serve(socket.AF_INET, "127.0.0.1")
PY
listener=$!
trap 'kill $listener 2>/dev/null' EXIT
sleep 0.5
out=${BN_REPORT:-lab-report.txt}
bottleneck --verbose run --profile lab --duration "$dur" | tee "$out"
# the same run as a self-contained page (docs/reports.md)
bottleneck report --profile lab -f html -o "${out%.txt}.html"
echo "lab-demo: report written to $out and ${out%.txt}.html; history in ${XDG_DATA_HOME:-$HOME/.local/share}/bottleneck/history.db"
