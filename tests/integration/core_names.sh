#!/bin/sh
# core_names.sh - the core names no plugin: no string literal in core/
# (comments left out) is the name of a shipped plugin or of a metric a
# shipped probe declares.  Reports, detectors and exporters find metrics
# by role and reporters by format, so a plugin the core has never heard
# of works like a shipped one.  The names come from the built plugins
# themselves (`bottleneck plugins --describe`), so a new plugin is
# covered without editing this test.
. "$(dirname "$0")/lib.sh"

need_cmd python3 "python3"
"$BN" plugins >"$T/list" 2>"$T/err" || fail "bottleneck plugins failed"
awk 'NR > 1 && $1 != "" {print $2}' "$T/list" | sort -u >"$T/plugins"
[ -s "$T/plugins" ] || fail "no plugins listed"
: >"$T/metrics"
for p in $(cat "$T/plugins"); do
  "$BN" plugins --describe "$p" 2>/dev/null |
    awk '/^METRIC /{m=1; next} m && NF == 0 {m=0} m {print $1}' >>"$T/metrics"
done
grep -q . "$T/metrics" || fail "no metrics declared by the shipped probes"
sort -u "$T/metrics" -o "$T/metrics"

python3 - "$BN_TOP_SRCDIR/core" "$T/plugins" "$T/metrics" <<'PY' || exit 1
import os, re, sys

core, plugins, metrics = sys.argv[1], sys.argv[2], sys.argv[3]
names = {n.strip(): "plugin" for n in open(plugins) if n.strip()}
for n in open(metrics):
    if n.strip():
        names[n.strip()] = "metric"
# Literals that are not plugin knowledge though they spell a plugin's
# name: the command line's own --json flag, and the pre-flight check of
# name resolution (a core feature that uses no plugin, docs/check.md);
# and the report model's sections and the speed test's phases, words
# older than the anomaly plugins of the same names (latency, jitter,
# loss), which that code never looks up as plugins.
allowed = {
    ("json", "getopt"),
    ("html", "getopt"),
    ("dns", "check"),
    ("latency", "report"),
    ("jitter", "report"),
    ("loss", "report"),
}
# (cli_compare.c: the metric roles of bn_role, spelled as in the store)
report_files = ("report_model.c", "store_report.c", "speedtest_print.c",
                "cli_speedtest.c", "cli_compare.c")
lit = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
bad = []
for top, _, files in os.walk(core):
    for f in files:
        if not f.endswith((".c", ".h")):
            continue
        path = os.path.join(top, f)
        text = open(path, encoding="utf-8").read()
        # blank out comments, keep line numbers
        text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                      text, flags=re.S)
        text = re.sub(r"//[^\n]*", "", text)
        for no, line in enumerate(text.split("\n"), 1):
            for m in lit.finditer(line):
                s = m.group(1)
                if s not in names:
                    continue
                ctx = ("getopt" if re.search(r"_argument", line) else
                       "check" if "check_add" in line or f.startswith("check")
                       else "report" if f in report_files else "")
                if (s, ctx) in allowed:
                    continue
                bad.append("%s:%d: \"%s\" (%s name)" %
                           (os.path.relpath(path, core), no, s, names[s]))
if bad:
    print("core/ names shipped plugins or their metrics:")
    print("\n".join(bad))
    sys.exit(1)
print("core/ names none of %d plugins and %d metrics" %
      (sum(1 for v in names.values() if v == "plugin"),
       sum(1 for v in names.values() if v == "metric")))
PY
