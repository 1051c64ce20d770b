#!/bin/sh
# cli_global.sh - the command line tells the truth:
#  - `bottleneck run NAME` takes the profile as its argument;
#  - a run piped into `head` is not killed by SIGPIPE and closes its run
#    row; a report then skips a run that never ended;
#  - `report` before any run says there is no history yet and how to
#    make some; `report -t nosuch` and `paths nosuch` say the target is
#    unknown;
#  - `paths --profile` reads the profile's own database; `check` takes
#    --db and --plugin-dir like every command.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd sqlite3 "apt-get install sqlite3"
export XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config"
mkdir -p "$T/profiles"
export BOTTLENECK_PROFILE_PATH="$T/profiles"

# a TCP port on loopback that answers (a listener that never accepts)
python3 -c 'import socket, time, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1]); sys.stdout.flush(); time.sleep(600)' >"$T/port" &
lpid=$!
on_exit "kill $lpid 2>/dev/null"
# (python3 can take seconds to start on a loaded machine)
i=0
until [ -s "$T/port" ]; do
  i=$((i + 1))
  [ $i -gt 200 ] && fail "the listener did not start in 20 s"
  sleep 0.1
done
port=$(cat "$T/port")
cat >"$T/profiles/loop.yaml" <<EOF2
name: loop
store: $T/loop.db
targets:
  - {name: lo, host: 127.0.0.1, port: $port}
probes:
  - {plugin: tcp, targets: [lo], interval: 100ms}
reporters:
  - plugin: text
EOF2

# report and paths before any run: no history yet, and what to do
"$BN" report >"$T/out" 2>"$T/err" && fail "report without history exited 0"
assert_contains "$T/err" "no history yet"
assert_contains "$T/err" "bottleneck run"
if grep -q "cannot open database file" "$T/err"; then
  fail "report before any run: sqlite's message instead of ours"
fi
"$BN" paths --profile loop lo >"$T/out" 2>"$T/err" &&
  fail "paths without history exited 0"
assert_contains "$T/err" "no history yet ($T/loop.db does not exist)"

# the profile as the argument, piped into head (which leaves after one
# line, while the run still writes its debug lines): not killed by
# SIGPIPE, and the run row is closed
{ "$BN" run loop --duration 2s --debug 2>&1; echo $? >"$T/rc"; } |
  head -n 1 >/dev/null
rc=$(cat "$T/rc")
[ "$rc" != 141 ] || fail "the run died of SIGPIPE"
[ -s "$T/loop.db" ] || fail "run loop: no database (exit status $rc)"
[ "$(sqlite3 "$T/loop.db" "SELECT count(*) FROM runs WHERE ended_ns IS NOT
     NULL AND profile = 'loop'")" = 1 ] ||
  fail "the piped run did not close its run row"
n=$(sqlite3 "$T/loop.db" "SELECT count(*) FROM samples")
[ "$n" -ge 10 ] || fail "the piped run stopped early ($n samples)"
"$BN" run loop extra 2>"$T/err" && fail "two profiles accepted"
assert_contains "$T/err" "unexpected argument 'extra'"

# on a terminal a run ends with a one-screen summary; not in a pipe
if command -v script >/dev/null 2>&1; then
  script -qec "'$BN' run loop --duration 1s --no-report" /dev/null \
    >"$T/tty.out" 2>&1 || { cat "$T/tty.out"; fail "run on a terminal"; }
  assert_contains "$T/tty.out" "of profile loop: "
  assert_contains "$T/tty.out" "TARGET  PROBE  METRIC"
  grep -qE "^lo +tcp +rtt_ms +[0-9]+ +0\.0 " "$T/tty.out" ||
    { cat "$T/tty.out"; fail "no summary row for lo"; }
  assert_contains "$T/tty.out" "full report: bottleneck report --run 2"
  [ "$(wc -l <"$T/tty.out")" -le 24 ] || fail "the summary is over one screen"
  "$BN" run loop --duration 1s --no-report >"$T/pipe.out" 2>/dev/null ||
    fail "run into a file"
  if grep -q "full report:" "$T/pipe.out"; then
    fail "the terminal summary went to a file"
  fi
  n_runs=3
else
  n_runs=1
fi

# a run that never ended is not "the last run"
sqlite3 "$T/loop.db" "INSERT INTO runs (host, profile, started_ns)
  SELECT host, profile, started_ns + 1 FROM runs WHERE id = 1" ||
  fail "cannot add an open run"
last_ended=$n_runs
"$BN" report -p loop -f json >"$T/r.json" 2>"$T/err" || fail "report -p loop"
python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
assert m["meta"]["runs"] == [int(sys.argv[2])], m["meta"]["runs"]
assert len(m["meta"]["runs"]) == 1, m["meta"]["runs"]
assert m["summary"]["targets"][0]["sent"] >= 5, m["summary"]' "$T/r.json" \
  "$last_ended" ||
  fail "the report took the open run for the last one"

# unknown targets are named as such
"$BN" report -p loop -t nosuch >"$T/out" 2>"$T/err"
[ $? = 2 ] || fail "report -t nosuch: exit status not 2"
assert_contains "$T/err" "unknown target 'nosuch'"
assert_contains "$T/err" "known targets: lo"
"$BN" paths --profile loop nosuch >"$T/out" 2>"$T/err"
[ $? = 2 ] || fail "paths nosuch: exit status not 2"
assert_contains "$T/err" "unknown target 'nosuch'"
# a known target without path rounds is no error
"$BN" paths --profile loop lo >"$T/out" 2>"$T/err" || fail "paths lo"
assert_contains "$T/out" "no paths stored for target 'lo'"

# check takes the same global options
"$BN" check --profile loop --db "$T/loop.db" \
  --plugin-dir "$BN_PLUGIN_STAGE" >"$T/out" 2>"$T/err"
[ $? -le 1 ] || { cat "$T/err"; fail "check refused the global options"; }
echo "command line ok"
