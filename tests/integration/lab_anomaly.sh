#!/bin/sh
# lab_anomaly.sh - ground truth for the anomaly detectors (docs/anomaly.md)
# in the network lab (tests/lab/README.md): `bottleneck run` in the client
# namespace of a 1-router chain pings the target twice a second with the
# default `fusion` detector (cooldown 5 s), while bn-impair on link 1
# injects, between quiet stretches (20 s between episodes: an episode
# that closes late shows as late, not merged into the next one):
#
#   distractors: a lone spike (one request +60 ms), a two-probe loss blip
#   episodes:    a delay step (+30 ms, 15 s)       -> latency
#                a loss burst (40 % loss, 15 s)    -> loss
#                a jitter storm (20 +-20 ms, 15 s) -> jitter
#                an outage (100 % loss, 30 s)      -> unreachable, critical
#
# From the events in the history db it asserts that every injected
# episode opened exactly one episode within 10 s of its start with the
# right dominant signal, that it closed within the cooldown (+ 8 s: the
# short median, the 5 answers that end a loss, and the jitter window of
# successive differences that must refill with calm ones) after the
# injection ended, and that nothing else opened an episode (the distractors and the
# quiet stretches give no false positive).  It prints precision and
# recall.  Needs root (skips, or fails with BN_REQUIRE_LAB=1).
. "$BN_TOP_SRCDIR/tests/integration/lib.sh"
. "$BN_TOP_SRCDIR/tests/lab/lab.sh"
need_cmd sqlite3 "apt-get install sqlite3"
lab_require impair
exclusive

COOLDOWN=5
lab_init labanomaly || fail "lab_init"
lab_chain 1 || fail "lab_chain 1"
lab_impair 1 --fwd 0 --seed 7 || fail "lab_impair"

cat >"$T/p.yaml" <<EOF
name: lab-anomaly
targets:
  - {name: t, host: "$LAB_TARGET_IP"}
probes:
  - plugin: icmp
    count: 1
    interval: 500ms
    timeout: 300ms
anomaly:
  - plugin: fusion
    cooldown: ${COOLDOWN}s
    warmup: 20
# The path MTU check's probes (paced under the routers' ICMP budget)
# would cross the impairment relay while it measures: off here.
checks: {mtu: false}
EOF

now() { date +%s%N; }
# at SECONDS: sleep until SECONDS after the run started.
at() {
  local d
  d=$(awk -v s="$START" -v n="$(now)" -v t="$1" \
    'BEGIN { d = t - (n - s) / 1e9; if (d < 0) d = 0; printf "%.3f", d }')
  sleep "$d"
}
# set_impair SPEC: change the relay in place; prints the time it took effect.
set_impair() {
  lab_impair_set 1 --fwd "$1" || fail "lab_impair_set $1"
  now
}
# inject KIND SIGNAL FROM TO FWD: impair from FROM to TO (s after start),
# logging KIND SIGNAL START_NS END_NS to $T/truth.
inject() {
  local s e
  at "$3"
  s=$(set_impair "$5")
  at "$4"
  e=$(set_impair 0)
  echo "$1 $2 $s $e" >>"$T/truth"
}

: >"$T/truth"
START=$(now)
lab_exec client "$BN" run --profile "$T/p.yaml" --duration 172s \
  --db "$T/h.db" --no-report >"$T/run.out" 2>"$T/run.err" &
RUN_PID=$!
on_exit "kill $RUN_PID 2>/dev/null"

# distractors: one request +60 ms (the relay is back within 0.5 s, one
# probe interval), then about two probes lost
inject distractor spike 12 12.45 60
# The blip drops the target's answers with a blackhole route for 0.9 s
# (two probes): restarting the relay for it would also drop what is in
# flight while the relay is down, a longer loss on a loaded machine.
# Its window (start - 1 s to start + 6 s) ends 1.5 s before the next
# injection, whose relay restart may drop a probe.
blip() {
  local s e
  at "$1"
  lab_exec target ip route add blackhole "$LAB_CLIENT_IP/32" ||
    fail "blackhole route"
  s=$(now)
  at "$2"
  lab_exec target ip route del blackhole "$LAB_CLIENT_IP/32" ||
    fail "blackhole route removal"
  e=$(now)
  echo "distractor blip $s $e" >>"$T/truth"
}
blip 16.5 17.4
inject episode latency 24 39 30
inject episode loss 59 74 0:0:40
inject episode jitter 94 109 20:20
inject episode unreachable 129 159 0:0:100
wait $RUN_PID || { cat "$T/run.err"; fail "bottleneck run failed"; }
[ -n "${BN_KEEP_DB:-}" ] && cp "$T/h.db" "$BN_KEEP_DB"
cat "$T/truth"

# Episodes: start (open event), close time and dominant (close event:
# "SEVERITY DOMINANT episode #ID closed: ..."), joined on #ID.
sqlite3 -separator ' ' "$T/h.db" "SELECT wall_ns, type, message FROM events
  WHERE source = 'fusion' ORDER BY wall_ns" >"$T/events"
cat "$T/events"
awk '{ match($0, /#[0-9]+/); id = substr($0, RSTART, RLENGTH) }
  $2 ~ /^anomaly\.open\./ { st[id] = $1; order[++n] = id }
  $2 ~ /^anomaly\.close\./ { cl[id] = $1; dom[id] = $4 }
  END { for (i = 1; i <= n; i++) print st[order[i]], cl[order[i]],
                                      dom[order[i]] }' "$T/events" >"$T/found"
echo "episodes found (start_ns close_ns dominant):"
cat "$T/found"

# Match: an injected episode is found by the one episode that opened in
# [start - 1 s, start + 10 s]; it must have its signal and close by end
# + cooldown + 8 s.  Distractors must open none in [start - 1 s, start +
# 6 s]; every episode found must match an injection.
awk -v cd="$COOLDOWN" '
  NR == FNR { kind[NR] = $1; sig[NR] = $2; s[NR] = $3; e[NR] = $4
              n = NR; next }
  { fs[++m] = $1; fc[m] = $2; fd[m] = $3 }
  END {
    bad = 0; tp = 0; fn = 0
    for (i = 1; i <= n; i++) {
      # distractors are followed by 5 s of quiet: look 6 s past them
      lim = kind[i] == "distractor" ? 6e9 : 10e9
      hits = 0
      for (j = 1; j <= m; j++)
        if (fs[j] >= s[i] - 1e9 && fs[j] <= s[i] + lim) { hits++; k = j
                                                          used[j] = 1 }
      if (kind[i] == "distractor") {
        if (hits) { printf "FAIL %s opened an episode\n", sig[i]; bad = 1 }
        else printf "ok: %s opened none\n", sig[i]
        continue
      }
      if (hits != 1) {
        printf "FAIL %s: %d episodes opened within 10 s\n", sig[i], hits
        bad = 1; fn++; continue
      }
      lag = (fs[k] - s[i]) / 1e9; cl = (fc[k] - e[i]) / 1e9
      printf "%s: opened %.1f s after the start, closed %.1f s after the " \
             "end, dominant %s\n", sig[i], lag, cl, fd[k]
      if (fd[k] != sig[i]) { print "FAIL wrong dominant signal"; bad = 1 }
      if (cl > cd + 8) { print "FAIL closed too late"; bad = 1 }
      if (fd[k] == sig[i]) tp++; else fn++
    }
    fp = 0
    for (j = 1; j <= m; j++) if (!used[j]) fp++
    if (fp) { printf "FAIL %d episodes match no injection\n", fp; bad = 1 }
    printf "precision %.2f recall %.2f (tp %d fp %d fn %d)\n",
           tp + fp ? tp / (tp + fp) : 1, tp + fn ? tp / (tp + fn) : 1,
           tp, fp, fn
    exit bad
  }' "$T/truth" "$T/found" || {
  # What the detector saw: every sample (seconds since the start, value
  # or "lost"), so a failure in CI can be read without rerunning it.
  echo "samples (s since start, rtt ms or lost):"
  sqlite3 -separator ' ' "$T/h.db" "SELECT
      printf('%.2f', (wall_ns - $START) / 1e9), metric,
      CASE WHEN value IS NULL THEN 'lost' ELSE printf('%.2f', value) END
    FROM samples_v ORDER BY wall_ns" | awk '{ printf "%s %s %s%s", $1, $2,
      $3, NR % 6 ? " | " : "\n" } END { print "" }'
  fail "episodes do not match the injections"
}
