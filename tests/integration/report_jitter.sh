#!/bin/sh
# report_jitter.sh - a jitter spike of one target does not flatten the
# others (issue 16: all series on one 0-2000 ms axis): one jitter chart
# per target, each on its own scale, and the page says so.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/m.db" --mini || fail "report_fixture --mini"
# two answers of dns-a 1.5 s late: jitter spikes of about 2 s
python3 - "$T/m.db" <<'PY' || fail "adding a spike"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE samples SET value = 2000 WHERE flags = 0 AND series_id ="
          " (SELECT id FROM series WHERE target = 'dns-a') AND wall_ns IN"
          " (SELECT wall_ns FROM samples WHERE flags = 0 ORDER BY wall_ns"
          "  LIMIT 2 OFFSET 600)")
assert c.total_changes >= 1
c.commit()
PY
"$BN" report --db "$T/m.db" -f html -o "$T/m.html" 2>/dev/null || fail "html"
python3 - "$T/m.html" <<'PY' || fail "jitter charts"
import re, sys
page = open(sys.argv[1]).read()
sec = re.search(r'id="jitter".*?</details>', page, re.S).group(0)
charts = re.findall(r'<svg class="chart" viewBox="[^"]*" role="img" '
                    r'aria-label="jitter over time">.*?</svg>', sec, re.S)
assert len(charts) == 3, "%d jitter charts, want one per target" % len(charts)
tops = [max(float(t) for t in re.findall(r'class="ax yt"[^>]*>([^<]*)<', c))
        for c in charts]
assert max(tops) >= 1000, tops      # the spike's own scale
assert sorted(tops)[0] <= 20, tops  # the others keep theirs
assert "its own scale" in sec
PY
echo "report_jitter: ok"
