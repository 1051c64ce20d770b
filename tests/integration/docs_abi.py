"""docs_abi.sh: the docs say what the SDK header says.

1. Every "ABI N.M" / "SDK N.M" / "ABI N" in the docs names the header's
   BN_ABI_MAJOR.BN_ABI_MINOR (or its major).  Older versions are written
   "2.x", "1.x", which this check leaves alone, so history can be told
   without a number that goes stale.
2. docs/sdk.md names every function of bn_host_api, every callback of
   the five ops tables and of bn_plugin, every option type and every
   metric role of the header, so that nothing the header offers is
   undocumented.

Usage: docs_abi.py SRCDIR
"""
import os
import re
import sys

top = sys.argv[1]
hdr = open(os.path.join(top, "sdk/bottleneck/sdk.h")).read()
major = re.search(r"#define BN_ABI_MAJOR (\d+)", hdr).group(1)
minor = re.search(r"#define BN_ABI_MINOR (\d+)", hdr).group(1)
current = "%s.%s" % (major, minor)

docs = ["README.md", "docs/bottleneck.1.in", "sdk/examples/README.md"]
docs += ["docs/" + f for f in sorted(os.listdir(os.path.join(top, "docs")))
         if f.endswith(".md")]
pat = re.compile(r"\b(ABI|SDK|bottleneck-sdk)\s+v?(\d+)(?:\.(\d+|x))?\b")
errors = []
seen_current = False
for rel in docs:
    text = open(os.path.join(top, rel), encoding="utf-8").read()
    for m in pat.finditer(text):  # across line breaks too
        no = text.count("\n", 0, m.start()) + 1
        maj, mi = m.group(2), m.group(3)
        if mi == "x" and maj != major:
            continue  # an older series, told as history
        if maj != major or (mi not in (None, "x") and mi != minor):
            errors.append("%s:%d: '%s' but sdk.h is ABI %s; write %s "
                          "(or N.x for history)"
                          % (rel, no, " ".join(m.group(0).split()), current,
                             current))
        elif rel == "docs/sdk.md" and mi == minor:
            seen_current = True
if not seen_current:
    errors.append("docs/sdk.md:1: never says 'ABI %s'" % current)

sdk_md = open(os.path.join(top, "docs/sdk.md"), encoding="utf-8").read()


def body(struct):
    m = re.search(r"typedef struct %s \{(.*?)\n\} %s;" % (struct, struct),
                  hdr, re.S)
    assert m, struct
    return m.group(1)


names = []
for struct in ("bn_host_api", "bn_probe_ops", "bn_speedtest_ops",
               "bn_anomaly_ops", "bn_exporter_ops", "bn_reporter_ops",
               "bn_plugin"):
    for fn in re.findall(r"\(\*(\w+)\)\(", body(struct)):
        names.append((struct, fn))
for enum in ("bn_opt_type", "bn_metric_role"):
    m = re.search(r"typedef enum %s \{(.*?)\} %s;" % (enum, enum), hdr, re.S)
    for v in re.findall(r"\b(BN_(?:OPT|ROLE)_[A-Z]+)\b", m.group(1)):
        if v != "BN_OPT_END":
            names.append((enum, v))
for struct, name in names:
    if not re.search(r"\b%s\b" % re.escape(name), sdk_md):
        errors.append("docs/sdk.md:1: %s.%s is not documented"
                      % (struct, name))

for e in errors:
    print(e)
sys.exit(1 if errors else 0)
