#!/bin/sh
# store_compact.sh - retention and compaction end to end:
#  - a history of 120 days (2 targets, a sample every 2 minutes, 1 % lost)
#    imported with old time stamps;
#  - `compact --dry-run` says what would go and changes nothing;
#  - `compact` removes as much, records it, and gives the space back;
#  - reports over the compacted ranges still give the right percentiles
#    (within the sketch's 1 %, against python's exact ones), from the
#    hour rollups (older than the minutes' retention), the minute rollups
#    (raw samples gone) and say which resolution they show;
#  - a kill -9 in the middle of a compaction loses nothing: every sample
#    imported is still counted once by the rollups;
#  - bad retention values fail with one line naming file:line;
#  - a long `bottleneck run` compacts the history on its loop.
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
need_cmd python3 "apt-get install python3"
need_cmd sqlite3 "apt-get install sqlite3"

db="$T/h.db"
# whole hours, so that the ranges below fall on hour rollups exactly
python3 - "$T/h.csv" <<'PY' || fail "cannot write the csv"
import random, sys, time
random.seed(7)
now = int(time.time()) // 3600 * 3600
t0 = now - 120 * 86400
with open(sys.argv[1], "w") as f:
    f.write("timestamp,target,metric,value\n")
    t = t0
    while t < now - 3600:
        for tg, base in (("near", 10.0), ("far", 40.0)):
            if random.random() < 0.01:
                f.write("%d,%s,rtt_ms,\n" % (t, tg))
            else:
                f.write("%d,%s,rtt_ms,%.3f\n" %
                        (t, tg, random.lognormvariate(0, 0.5) * base))
        t += 120
PY
"$BN" import --format csv "$T/h.csv" --db "$db" >"$T/out" 2>&1 ||
  { cat "$T/out"; fail "import"; }
total=$(sqlite3 "$db" "SELECT count(*) FROM samples")
[ "$total" -gt 150000 ] || fail "only $total samples imported"
# An imported run is kept whole by the retention (what was imported is
# there to be analysed): compaction leaves it alone...
[ "$(sqlite3 "$db" "SELECT kind FROM runs")" = imported ] ||
  fail "the import is not a run of kind imported"
"$BN" compact --db "$db" >"$T/imp.out" 2>&1 || { cat "$T/imp.out"; fail "compact (imported)"; }
[ "$(sqlite3 "$db" "SELECT count(*) FROM samples")" = "$total" ] ||
  fail "compaction removed samples of an imported run"
echo "ok: an imported run keeps its samples"
# ... so the history of a long measurement is made of it by turning the
# run into a measured one.
sqlite3 "$db" "UPDATE runs SET kind = 'measured'"

# the ranges: 100 to 95 days ago (hour rollups after compaction), 30 to 20
# days ago (minute rollups), one hour 20 days ago (short: raw samples
# before, minute rollups after)
now=$(($(date +%s) / 3600 * 3600))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%MZ; }
RANGES="$((now - 100 * 86400)) $((now - 95 * 86400))
$((now - 30 * 86400)) $((now - 20 * 86400))
$((now - 20 * 86400)) $((now - 20 * 86400 + 3600))"

reports() { # TAG: one json report per range
  i=0
  echo "$RANGES" | while read -r a b; do
    i=$((i + 1))
    "$BN" report --db "$db" --since "$(iso "$a")" --until "$(iso "$b")" \
      -f json >"$T/$1.$i.json" 2>"$T/err" || { cat "$T/err"; exit 1; }
  done || fail "report ($1)"
}

# check TAG RES1 RES2 RES3 TOL: resolutions and percentiles against the
# exact ones of the csv
check() {
  python3 - "$T" "$@" "$RANGES" <<'PY' || fail "report after $1 is wrong"
import csv, json, statistics, sys
T, tag, r1, r2, r3, tol, ranges = sys.argv[1:8]
tol = float(tol)
vals = {}
for row in csv.DictReader(open(T + "/h.csv")):
    if row["value"]:
        vals.setdefault(row["target"], []).append(
            (int(row["timestamp"]), float(row["value"])))
bad = []
for i, (want, line) in enumerate(zip((r1, r2, r3), ranges.splitlines()), 1):
    a, b = map(int, line.split())
    m = json.load(open("%s/%s.%d.json" % (T, tag, i)))
    s = m["summary"]
    if s.get("resolution") != want or m["latency"].get("resolution") != want:
        bad.append("range %d: resolution %r, want %r" %
                   (i, s.get("resolution"), want))
    if len(s["targets"]) != 2:
        bad.append("range %d: %d targets" % (i, len(s["targets"])))
    for row in s["targets"]:
        v = [x for t, x in vals[row["target"]] if a <= t < b]
        for p in (50, 95):
            ref = (statistics.median(v) if p == 50 else
                   statistics.quantiles(v, n=100, method="inclusive")[p - 1])
            err = abs(row["p%d" % p] - ref) / ref
            print("%s range %d %-4s p%d exact %8.3f report %8s err %.4f"
                  % (tag, i, row["target"], p, ref, row["p%d" % p], err))
            if err > tol:
                bad.append("range %d %s p%d: %s, exact %.3f" %
                           (i, row["target"], p, row["p%d" % p], ref))
for b_ in bad:
    print("BAD:", b_)
sys.exit(1 if bad else 0)
PY
}

reports before
check before minute minute samples 0.012

# --- dry run: what would go, nothing changes
size0=$(stat -c %s "$db")
expect_rc 0 "$BN" compact --dry-run --db "$db"
cp "$T/out" "$T/dry"
cat "$T/dry"
assert_contains "$T/dry" "would remove"
dry_raw=$(awk '/^raw samples/ {print $3}' "$T/dry")
dry_min=$(awk '/^minute rollups/ {print $3}' "$T/dry")
[ "$dry_raw" -gt 140000 ] || fail "dry run: $dry_raw raw samples"
[ "$dry_min" -gt 40000 ] || fail "dry run: $dry_min minute rollups"
[ "$(sqlite3 "$db" "SELECT count(*) FROM samples")" = "$total" ] ||
  fail "the dry run removed samples"
[ "$(sqlite3 "$db" "SELECT count(*) FROM rollups_hour")" = 0 ] ||
  fail "the dry run made hour rollups"

# --- kill -9 in the middle: nothing lost (the rollups still count every
# sample imported, the hour rollups what the deleted minutes counted)
cp "$db" "$T/k.db"
sent_all() {
  sqlite3 "$1" "SELECT (SELECT coalesce(sum(sent + invalid), 0) FROM rollups)
    + (SELECT coalesce(sum(sent + invalid), 0) FROM rollups_hour)"
}
sent0=$(sent_all "$T/k.db")
[ "$sent0" = "$total" ] || fail "rollups count $sent0 samples, not $total"
"$BN" compact --db "$T/k.db" >/dev/null 2>&1 &
pid=$!
i=0
until [ "$(sqlite3 "$T/k.db" 'SELECT count(*) FROM compacted' 2>/dev/null)" \
  -ge 1 ] 2>/dev/null; do
  i=$((i + 1))
  [ $i -gt 400 ] && break
  sleep 0.02
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[ "$(sqlite3 "$T/k.db" 'PRAGMA integrity_check')" = ok ] ||
  fail "db corrupt after kill -9 during compaction"
[ "$(sent_all "$T/k.db")" = "$total" ] ||
  fail "kill -9 during compaction lost counts: $(sent_all "$T/k.db")"
left=$(sqlite3 "$T/k.db" "SELECT count(*) FROM samples")
echo "ok: killed mid-compaction with $left of $total samples left, none lost"
expect_rc 0 "$BN" compact --db "$T/k.db"
[ "$(sent_all "$T/k.db")" = "$total" ] || fail "resumed compaction lost counts"

# --- the compaction (its cut is taken between t_cut0 and t_cut1)
t_cut0=$(date +%s)
expect_rc 0 "$BN" compact --db "$db"
t_cut1=$(date +%s)
cat "$T/out"
assert_contains "$T/out" "removed"
raw=$(awk '/^raw samples/ {print $3}' "$T/out")
mins=$(awk '/^minute rollups/ {print $3}' "$T/out")
# the cut moves on with the clock between the two commands: a few rows
[ "$raw" -ge "$dry_raw" ] && [ "$raw" -le $((dry_raw + 10)) ] ||
  fail "removed $raw raw samples, the dry run said $dry_raw"
[ "$mins" -ge "$dry_min" ] && [ "$mins" -le $((dry_min + 10)) ] ||
  fail "removed $mins minute rollups, the dry run said $dry_min"
left=$(sqlite3 "$db" "SELECT count(*) FROM samples")
[ $((left + raw)) = "$total" ] || fail "$left left + $raw removed != $total"
# nothing younger than 14 days went, nothing older stayed
sqlite3 "$db" "SELECT min(wall_ns) FROM samples" >"$T/min"
# (ages taken at the start of the compaction: a slow machine may spend
# minutes in it, and the time since is no part of the retention)
python3 - "$(cat "$T/min")" "$t_cut0" "$t_cut1" <<'PY' || fail "raw retention boundary"
import sys
t = int(sys.argv[1]) / 1e9
t0, t1 = int(sys.argv[2]), int(sys.argv[3])
ok = t0 - t <= 14 * 86400 + 61 and t1 - t > 14 * 86400 - 300
sys.exit(0 if ok else 1)
PY
[ "$(sent_all "$db")" = "$total" ] || fail "compaction lost counts"
[ "$(sqlite3 "$db" "SELECT rows FROM compacted WHERE kind = 'raw'" |
  awk '{s += $1} END {print s}')" = "$raw" ] ||
  fail "compacted does not record the $raw samples"
[ "$(sqlite3 "$db" "PRAGMA freelist_count")" = 0 ] ||
  fail "free pages left: the space was not given back"
size1=$(stat -c %s "$db")
[ "$size1" -lt $((size0 * 6 / 10)) ] ||
  fail "file $size0 -> $size1 bytes: not given back"
echo "ok: file $size0 -> $size1 bytes"
expect_rc 0 "$BN" compact --dry-run --db "$db"
[ "$(awk '/^raw samples/ {print $3}' "$T/out")" -le 10 ] ||
  fail "a second dry run still finds old samples"

reports after
check after hour minute minute 0.012
# the text report says so too
set -- $RANGES
"$BN" report --db "$db" --since "$(iso "$1")" --until "$(iso "$2")" \
  -f text >"$T/h.txt" 2>"$T/err" || { cat "$T/err"; fail "text report"; }
assert_contains "$T/h.txt" "compacted by the retention: hour rollups"

# --- bad retention values: one line, file:line, exit 3
bad() { # YAML-LINE WANT
  printf 'name: r\ntargets: []\n%s\n' "$1" >"$T/bad.yaml"
  expect_rc 3 "$BN" compact --profile "$T/bad.yaml" --db "$db" --dry-run
  [ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err"; fail "not one line: $1"; }
  assert_contains "$T/err" "bad.yaml:3:"
  assert_contains "$T/err" "$2"
}
bad "retention: {raw: 30d, minutes: 7d}" "'minutes'"
bad "retention: {raw: banana}" "raw"
bad "retention: {raw: 10m}" "raw"
bad "retention: {hourz: 1y}" "hourz"
bad "retention: 14d" "retention"
printf 'name: r\ntargets: []\nretention: {raw: 1d, minutes: 2w, hours: 1y}\n' \
  >"$T/good.yaml"
expect_rc 0 "$BN" compact --profile "$T/good.yaml" --db "$db" --dry-run
assert_contains "$T/out" "(older than 1d)"

# --- a run compacts on its loop (first compaction after 1 s here): a
# day more of each kind than the defaults the history was compacted to
# keep (14d, 90d, 2y), and every hour rollup older than 90 days
port=$(free_port)
tcp_listener "$port"
cat >"$T/run.yaml" <<YAML
name: rt
targets:
  - {name: here, host: 127.0.0.1, port: $port}
probes:
  - plugin: tcp
    interval: 200ms
retention: {raw: 13d, minutes: 89d, hours: 90d}
YAML
# A compaction that the run's end cuts short is started again by the next
# run (under ASan, or on a loaded machine, 8 s may not be enough): up to
# five runs, until one logs a finished compaction.
: >"$T/errs"
for i in 1 2 3 4 5; do
  BN_COMPACT_FIRST_S=1 "$BN" --verbose run --profile "$T/run.yaml" \
    --db "$db" --duration 8s --no-report >"$T/out" 2>"$T/err" ||
    { cat "$T/err"; fail "run"; }
  cat "$T/err" >>"$T/errs"
  grep -q "compaction:" "$T/err" && break
  grep -q "compaction (unfinished" "$T/err" ||
    { cat "$T/err"; fail "no compaction in run $i"; }
  echo "ok: run $i ended before its compaction did; again"
done
grep "compaction:" "$T/err" ||
  { cat "$T/errs"; fail "no compaction finished in five runs"; }
raw=$(sed -n 's/.*compaction[^:]*: \([0-9]*\) raw samples.*/\1/p' "$T/errs" |
  awk '{ s += $1 } END { print s + 0 }')
[ "$raw" -gt 0 ] || fail "the runs removed no raw samples"
ms=$(sed -n 's/.*longest \([0-9.]*\) ms.*/\1/p' "$T/err" | head -1)
echo "ok: longest compaction step in the run: $ms ms"
[ "$(sqlite3 "$db" "SELECT count(*) FROM rollups_hour WHERE hour < \
  $(($(date +%s) / 3600 - 90 * 24 - 1))")" = 0 ] ||
  fail "hour rollups older than 90 days left"
echo "ok: retention and compaction"
