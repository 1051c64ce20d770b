#!/bin/sh
# sdk_examples.sh - the five example plugins (sdk/examples), as a third
# party would use them: install Bottleneck into a DESTDIR, build each
# example from the installed copy with nothing but pkg-config and its
# Makefile, load them with --plugin-dir, and use all five in one profile
# against servers this test starts on loopback (a UDP echo responder
# that delays a few answers, a TCP sink/source).  Then check each
# plugin's effect:
#   udpecho (probe)      its metric, which the core never heard of, is in
#                        the store and in `report` text and json;
#   ewma (anomaly)       its event for the delayed answers is stored;
#   jsonl (exporter)     the file has one line per sample of the role it
#                        selects, and none for a role it does not;
#   csv (reporter)       `report -f csv` renders through it, and the
#                        profile's instance wrote its file at the end;
#   tcpbulk (speedtest)  `speedtest` stores its result, and the bytes it
#                        reports are the bytes the server saw.
# And the failures a plugin author meets: a plugin built against ABI 2
# is refused with the fix, and a probe emitting a metric it did not
# declare gets an error naming the plugin and the metric.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"

need_cmd pkg-config "apt-get install pkgconf"
need_cmd make "apt-get install make"
need_cmd cc "apt-get install gcc"
need_cmd python3 "apt-get install python3"
need_cmd sqlite3 "apt-get install sqlite3"
SRC="$BN_TOP_SRCDIR/tests/integration/sdk_examples"

# -- install the SDK and build the examples from the installed copies --
# (install-exec + install-data: `make install` without its `all` step,
# which would re-stage plugins that tests running in parallel have mapped)
ROOT="$T/root"
make -C "$BN_TOP_BUILDDIR" install-exec install-data DESTDIR="$ROOT" \
  >"$T/install.log" 2>&1 ||
  { cat "$T/install.log"; fail "make install DESTDIR=$ROOT failed"; }
pc=$(find "$ROOT" -name bottleneck-sdk.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || fail "bottleneck-sdk.pc was not installed under $ROOT"
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
PKG_CONFIG_SYSROOT_DIR=$ROOT
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

# pkgconf puts the sysroot in front of some variables and not others
in_root() {
  case $1 in
  "$ROOT"/*) echo "$1" ;;
  *) echo "$ROOT$1" ;;
  esac
}
docdir=$(in_root "$(pkg-config --variable=docdir bottleneck-sdk)")
exdir=$(in_root "$(pkg-config --variable=examplesdir bottleneck-sdk)")
for f in "$docdir/sdk.md" "$docdir/schemas/report.schema.json" \
  "$exdir/README.md"; do
  [ -s "$f" ] || fail "$f was not installed"
done

# The examples come from --plugin-dir, searched first; the shipped
# plugins (the text and json reporters) from the build's stage.
# The man page names the real directories, not make variables.
man=$(find "$ROOT" -name bottleneck.1 -path '*/man1/*' | head -n 1)
[ -n "$man" ] || fail "the man page was not installed under $ROOT"
if grep -n -e '\$(' -e '@[a-zA-Z_]*@' "$man"; then
  fail "$man holds unsubstituted variables (above)"
fi
plugindir=$(pkg-config --variable=plugindir bottleneck-sdk)
assert_contains "$man" "${plugindir#"$ROOT"}"

PD="$T/plugins"
mkdir -m 755 "$PD"
for ex in probe-udpecho:udpecho speedtest-tcpbulk:tcpbulk anomaly-ewma:ewma \
  exporter-jsonl:jsonl reporter-csv:csv; do
  dir=${ex%%:*}
  name=${ex##*:}
  [ -s "$exdir/$dir/Makefile" ] && [ -s "$exdir/$dir/$name.c" ] ||
    fail "example $dir was not installed into $exdir"
  mkdir -p "$T/build/$dir"
  make -C "$T/build/$dir" -f "$exdir/$dir/Makefile" \
    CFLAGS="-O2 -Wall -Wextra -Wshadow -Werror" >"$T/build.log" 2>&1 ||
    { cat "$T/build.log"; fail "building the $dir example failed"; }
  cp "$T/build/$dir/$name.so" "$PD/"
done

BOTTLENECK_PLUGIN_PATH= "$BN" plugins --plugin-dir "$PD" >"$T/list" \
  2>"$T/list.err" || { cat "$T/list.err"; fail "plugins --plugin-dir"; }
for kn in probe:udpecho speedtest:tcpbulk anomaly:ewma exporter:jsonl \
  reporter:csv; do
  awk -v k="${kn%%:*}" -v n="${kn##*:}" -v f="$PD/${kn##*:}.so" \
    '$1 == k && $2 == n && $NF == f { ok = 1 } END { exit !ok }' \
    "$T/list" || { cat "$T/list" "$T/list.err"; fail "$kn not listed"; }
done
if grep -q 'warning' "$T/list.err"; then
  cat "$T/list.err"
  fail "loading the examples gave warnings"
fi

# -- servers: UDP echo (answers 30..34 delayed by 150 ms), TCP sink/source
# The speed test loads the machine, and RTTs are checked: run alone.
exclusive
python3 "$SRC/servers.py" "$T/ports" "$T/server.log" &
on_exit "kill $! 2>/dev/null"
i=0
while [ ! -s "$T/ports" ]; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "the test servers did not start"
  sleep 0.1
done
read -r UDP_PORT TCP_PORT <"$T/ports"

sed -e "s|@UDP_PORT@|$UDP_PORT|g" -e "s|@TCP_PORT@|$TCP_PORT|g" \
  -e "s|@T@|$T|g" "$SRC/examples.yaml" >"$T/p.yaml"

"$BN" profile validate --plugin-dir "$PD" \
  --no-resolve "$T/p.yaml" >"$T/out" 2>&1 ||
  { cat "$T/out"; fail "the examples profile does not validate"; }

# -- a run: probe, anomaly detector, exporters, reporter
"$BN" run --plugin-dir "$PD" -p "$T/p.yaml" \
  --db "$T/h.db" --duration 4s >"$T/run.out" 2>"$T/run.err" ||
  { cat "$T/run.out" "$T/run.err"; fail "bottleneck run with the examples"; }
if grep -qi 'error\|warning' "$T/run.err"; then
  cat "$T/run.err"
  fail "the run logged errors or warnings"
fi

# udpecho: samples of a metric the core never heard of, stored...
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM samples_v WHERE probe = 'udp'
  AND target = 'echo' AND metric = 'udp_echo_rtt_ms' AND value > 0")
[ "$n" -ge 40 ] ||
  fail "udpecho stored $n answered samples in 4 s at 50 ms, want >= 40"
n_all=$(sqlite3 "$T/h.db" "SELECT count(*) FROM samples_v WHERE probe = 'udp'")

# ... and shown by report, text and json, as the probe's latency
"$BN" report --plugin-dir "$PD" --db "$T/h.db" \
  >"$T/report.txt" 2>"$T/report.err" ||
  { cat "$T/report.err"; fail "report (text)"; }
assert_contains "$T/report.txt" "udp_echo_rtt_ms"
grep -E '(^|[^a-z_])echo([^a-z_]|$)' "$T/report.txt" | grep -q udp ||
  { cat "$T/report.txt"; fail "no row for target echo, probe udp"; }
"$BN" report --plugin-dir "$PD" --db "$T/h.db" \
  -f json -o "$T/report.json" 2>"$T/report.err" ||
  { cat "$T/report.err"; fail "report -f json"; }
python3 "$SRC/check_report.py" "$T/report.json" "$T/server.log" "$n" ||
  fail "report json: $(head -c 3000 "$T/report.json")"

# the events are in the store with a score and a severity
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM events WHERE type = 'latency_ewma'
  AND target = 'echo' AND severity >= 1 AND score >= 4")
[ "$n" -ge 1 ] ||
  fail "no stored ewma event: $(sqlite3 "$T/h.db" 'SELECT * FROM events')"

# jsonl: every udpecho sample (all of role latency) and the events;
# nothing in the file that selects throughput
python3 "$SRC/check_jsonl.py" "$T/latency.jsonl" "$T/throughput.jsonl" \
  "$n_all" || fail "exporter files"

# csv: the profile's reporter wrote its file at the end of the run, and
# `report -f csv` picks the reporter that declares the format
"$BN" report --plugin-dir "$PD" --db "$T/h.db" \
  -f csv >"$T/report.csv" 2>"$T/report.err" ||
  { cat "$T/report.err"; fail "report -f csv"; }
python3 "$SRC/check_csv.py" "$T/report.json" "$T/report.csv" "$T/run.csv" ||
  fail "csv reports: $(head -n 5 "$T/report.csv")"

# -- tcpbulk through `bottleneck speedtest`
"$BN" speedtest --plugin-dir "$PD" -p "$T/p.yaml" \
  --db "$T/h.db" --json >"$T/st.json" 2>"$T/st.err" ||
  { cat "$T/st.json" "$T/st.err"; fail "speedtest with tcpbulk"; }
python3 "$SRC/check_speedtest.py" "$T/st.json" "$T/server.log" ||
  fail "speedtest: $(cat "$T/st.json")"
n=$(sqlite3 "$T/h.db" "SELECT count(*) FROM speedtests WHERE provider = 'bulk'
  AND status = 0 AND download_bps > 0 AND upload_bps > 0")
[ "$n" = 1 ] ||
  fail "stored speedtest: $(sqlite3 "$T/h.db" 'SELECT * FROM speedtests')"
# the profile's exporters get the result in `bottleneck speedtest` too
grep '"type":"speedtest"' "$T/latency.jsonl" | grep '"provider":"bulk"' |
  grep -q '"status":0' ||
  fail "the jsonl exporter got no speed test: $(tail -n 3 "$T/latency.jsonl")"

# -- failures a plugin author meets
cflags=$(pkg-config --cflags bottleneck-sdk)
libs=$(pkg-config --libs bottleneck-sdk)

# A plugin built against SDK 2.x (its descriptor says ABI 2.1).
mkdir -m 755 "$T/old"
# shellcheck disable=SC2086
cc $cflags -o "$T/old/old.so" "$SRC/abi2.c" $libs || fail "building old.so"
BOTTLENECK_PLUGIN_PATH= "$BN" plugins --plugin-dir "$T/old" >"$T/out" \
  2>&1 || true
assert_contains "$T/out" "$T/old/old.so: plugin ABI 2.1"
assert_contains "$T/out" "rebuild"
if awk '$2 == "old"' "$T/out" | grep -q old; then
  fail "a plugin of ABI 2.1 was loaded"
fi

# A probe that emits a metric its descriptor does not declare.
mkdir -m 755 "$T/liar"
# shellcheck disable=SC2086
cc $cflags -o "$T/liar/liar.so" "$SRC/undeclared.c" $libs ||
  fail "building liar.so"
printf 'name: liar\ntargets:\n  - {name: here, host: 127.0.0.1}\n%s\n' \
  'probes: [{plugin: liar}]' >"$T/liar.yaml"
"$BN" run --plugin-dir "$T/liar" -p "$T/liar.yaml" \
  --db "$T/liar.db" --duration 1s --no-report >"$T/out" 2>&1 || true
grep 'undeclared_ms' "$T/out" | grep -q 'liar' ||
  { cat "$T/out"; fail "no error naming the plugin and the metric"; }
n=$(sqlite3 "$T/liar.db" "SELECT count(*) FROM samples_v
  WHERE metric = 'undeclared_ms'")
[ "$n" = 0 ] || fail "$n samples of an undeclared metric were stored"
exit 0
