#!/bin/sh
# report_colours.sh - colour has one meaning in the HTML report (issue
# 16: median lines drawn in the red that means loss): red only for loss
# (and critical alerts, bad loss cells), amber only for warnings, never
# for a series; whatever the number of targets.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
FIXTURE="$BN_TOP_BUILDDIR/tests/helpers/report_fixture"

"$FIXTURE" "$T/m.db" --mini || fail "report_fixture --mini"
"$FIXTURE" "$T/b.db" --hours 1 --targets 12 2>/dev/null ||
  fail "report_fixture --hours"
"$BN" report --db "$T/m.db" -f html -o "$T/m.html" 2>/dev/null || fail "html"
"$BN" report --db "$T/b.db" -f html -o "$T/b.html" 2>/dev/null ||
  fail "html (12 targets)"
python3 - "$T/m.html" "$T/b.html" <<'PY' || fail "a colour that means loss or a warning drawn for something else"
import colorsys, re, sys

def hexrgb(h):
    h = h.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))

def kind(h):
    """'red', 'amber' or None for a #rgb colour."""
    hue, sat, val = colorsys.rgb_to_hsv(*hexrgb(h))
    hue *= 360
    if sat < 0.45 or val < 0.35:
        return None
    if hue < 20 or hue >= 330:
        return "red"
    if 20 <= hue < 55:
        return "amber"
    return None

ALLOWED = {"red": ("loss", "bad", "critical"),
           "amber": ("warn",)}
bad = []
for path in sys.argv[1:]:
    page = open(path).read()
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    body = page.replace(style, "")
    varcol = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{3,6})", style))
    # CSS: each rule that paints red or amber must be about that meaning
    for sel, decl in re.findall(r"([^{}]+)\{([^{}]*)\}", style):
        cols = re.findall(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", decl)
        cols += [varcol[v] for v in re.findall(r"var\(--([\w-]+)\)", decl)
                 if v in varcol]
        if sel.strip() == ":root":
            continue  # the palette's definitions, not a use
        if "color:" in decl and not re.search(r"(fill|stroke|background)", decl):
            continue  # text colour: badges and cells, not chart marks
        for c in cols:
            k = kind(c)
            if k and not any(w in sel for w in ALLOWED[k]):
                bad.append("%s: css '%s' paints %s (%s)" % (path, sel.strip(), c, k))
    # markup: no literal red or amber at all (series, legends, marks)
    for c in re.findall(r"(?:stroke|fill|background)[=:]\"?(#[0-9a-fA-F]{3,6})", body):
        k = kind(c)
        if k:
            bad.append("%s: %s drawn as %s" % (path, c, k))
for b in sorted(set(bad)):
    print(b)
sys.exit(1 if bad else 0)
PY
echo "report_colours: ok"
