#!/bin/sh
# report_ticks.sh - chart ticks people read at a glance (issue 16 saw
# "0.0171 0.294 1.48e+03" and a tick every 72 s): value axes on steps of
# 1, 2 or 5 times a power of ten; time axes on whole seconds, minutes,
# hours or days; the log axis of the CDF on 1-2-5 times powers of ten
# with its unit; no exponent anywhere.  Over 10 minutes (the mini set),
# 1 hour, 6 hours and a day.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/m.db" --mini || fail "report_fixture --mini"
"$FIXTURE" "$T/d.db" --hours 25 --targets 2 2>/dev/null ||
  fail "report_fixture --hours"
"$BN" report --db "$T/m.db" -f html -o "$T/m.html" 2>/dev/null || fail "html"
"$BN" report --db "$T/d.db" -f html -o "$T/h1.html" \
  --since 2026-11-20T00:00Z --until 2026-11-20T01:00Z 2>/dev/null ||
  fail "html 1 h"
"$BN" report --db "$T/d.db" -f html -o "$T/h6.html" \
  --since 2026-11-20T00:07Z --until 2026-11-20T06:00Z 2>/dev/null ||
  fail "html 6 h"
"$BN" report --db "$T/d.db" -f html -o "$T/d1.html" 2>/dev/null ||
  fail "html 25 h"
python3 - "$T"/m.html "$T"/h1.html "$T"/h6.html "$T"/d1.html <<'PY' ||
import math, re, sys

LADDER = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
          10800, 21600, 43200, 86400, 172800, 604800]

def mant_ok(step):
    m = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return any(abs(m - k) < 1e-6 for k in (1, 2, 5, 10))

def secs(label):
    t = label.split()[-1].split(":")
    day = int(label.split()[0].split("-")[1]) * 86400 if " " in label else 0
    return day + int(t[0]) * 3600 + int(t[1]) * 60 + (int(t[2]) if len(t) > 2 else 0)

bad = []
for path in sys.argv[1:]:
    page = open(path).read()
    for svg in re.findall(r'<svg class="chart".*?</svg>', page, re.S):
        name = re.search(r'aria-label="([^"]*)"', svg).group(1)
        where = "%s: %s" % (path.rsplit("/", 1)[1], name)
        xt = re.findall(r'class="ax xt[^"]*"[^>]*>([^<]*)<', svg)
        yt = re.findall(r'class="ax yt"[^>]*>([^<]*)<', svg)
        for t in xt + yt:
            if re.search(r"\de[+-]?\d", t):
                bad.append("%s: tick %r has an exponent" % (where, t))
        if len(yt) >= 2:
            v = [float(t) for t in yt]
            d = {round(b - a, 9) for a, b in zip(v, v[1:])}
            if len(d) != 1 or not mant_ok(abs(d.pop())):
                bad.append("%s: value ticks %s not on a 1-2-5 step" % (where, yt))
        if "CDF" in name:
            if not xt or not xt[-1].endswith(" ms"):
                bad.append("%s: log axis ticks %s lack their unit" % (where, xt))
            vals = [float(t.split()[0]) for t in xt]
            d = {round(b - a, 9) for a, b in zip(vals, vals[1:])}
            # 1-2-5 times powers of ten, or over a narrow range a 1-2-5 step
            if len(vals) < 2 or not (
                    all(mant_ok(v) for v in vals if v > 0) or
                    (len(d) == 1 and mant_ok(d.pop()))):
                bad.append("%s: log ticks %s not 1-2-5 times a power of ten"
                           % (where, xt))
        elif xt:
            s = [secs(t) for t in xt]
            d = {(b - a) % 86400 or 86400 if " " not in t else b - a
                 for a, b, t in zip(s, s[1:], xt)}  # HH:MM wraps at midnight
            if len(xt) < 2 or len(d) != 1 or d.pop() not in LADDER:
                bad.append("%s: time ticks %s not on a round step" % (where, xt))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
  fail "chart ticks are not round"
echo "report_ticks: ok"
