/*
 * report_fixture.c - fills a history store with a known data set for the
 * report tests and the report benchmark, through the store's own API (so
 * rollups are kept as in a real run).
 *
 *   report_fixture DB --mini
 *     ten minutes of one run (profile "mini", host "testhost") from
 *     2026-11-20T00:00:00Z: three targets at 1 Hz, one of them named with
 *     markup and quotes, loss, events, a failed check, speed tests (one
 *     failed) and ten traceroute rounds with a change at hop 2.
 *   report_fixture DB --days D --targets N [--hz H]
 *     D days of N targets at H samples a second (default 1) with 0.5 %
 *     loss, for the benchmark (7 days x 20 targets: about 12 million).
 *
 * Values come from a fixed pseudo-random sequence: the same call gives
 * the same store.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pathdiff.h"
#include "store.h"
#include "store_paths.h"

#define START_NS (1795132800LL * 1000000000LL) /* 2026-11-20T00:00:00Z */
#define SEC      1000000000LL

static uint64_t rng = 88172645463325252ULL;

static double rnd(void) /* [0, 1) */
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

static void check(int rc, const char *what)
{
  if (rc < 0) {
    fprintf(stderr, "report_fixture: %s failed (%d)\n", what, rc);
    exit(1);
  }
}

static void sample(store *st, int64_t run, const char *probe,
                   const char *target, const char *metric, double v,
                   int64_t wall, int lost)
{
  bn_sample s;

  memset(&s, 0, sizeof(s));
  s.target = target;
  s.metric = metric;
  s.value = lost ? NAN : v;
  s.wall_ns = wall;
  s.mono_ns = wall - START_NS;
  s.flags = lost ? BN_SAMPLE_LOST : 0;
  check(store_add_sample(st, run, probe, &s), "a sample");
}

/* One traceroute round of web-1: hop 2 moves at minute 6. */
static void trace_round(store *st, int64_t run, int minute, int64_t *prev_set,
                        store_path_round *prev)
{
  const char *hop2 = minute < 6 ? "192.0.2.1" : "192.0.2.9";
  const char *addrs[3] = {"10.0.0.1", hop2, "192.0.2.10"};
  char id[PATHDIFF_ID_LEN + 1], set[PATHDIFF_ID_LEN + 1];
  const char *ids[1] = {id};
  pathdiff_change ch[8];
  bn_hop hops[3];
  bn_path p;
  bn_path_set ps;
  int64_t set_id = 0, wall = START_NS + minute * 60 * SEC + 30 * SEC;
  size_t i, n;

  memset(hops, 0, sizeof(hops));
  for (i = 0; i < 3; i++) {
    hops[i].ttl = (int)i + 1;
    hops[i].addr = addrs[i];
    hops[i].sent = 3;
    hops[i].received = i == 1 && minute == 4 ? 2 : 3;
    hops[i].avg_ms = 1.0 + 4.0 * (double)i + rnd();
    hops[i].last_ms = hops[i].avg_ms;
    hops[i].best_ms = hops[i].avg_ms - 0.2;
    hops[i].worst_ms = hops[i].avg_ms + 0.3;
    hops[i].stddev_ms = 0.2;
  }
  memset(&p, 0, sizeof(p));
  p.hops = hops;
  p.n_hops = 3;
  p.status = BN_PATH_REACHED;
  memset(&ps, 0, sizeof(ps));
  ps.target = "web-1";
  ps.mode = "udp";
  ps.paths = &p;
  ps.n_paths = 1;
  ps.wall_ns = wall;
  pathdiff_path_id(&p, id);
  pathdiff_set_id(ids, 1, set);
  check(store_add_path_set(st, run, "traceroute", &ps, set, ids, &set_id),
        "a path set");
  if (*prev_set) {
    n = pathdiff_compare(&prev->set, (const char *const *)prev->path_ids, &ps,
                         ids, 0, ch, 8);
    for (i = 0; i < n && i < 8; i++)
      check(store_add_path_change(st, run, set_id, *prev_set, "web-1", &ch[i],
                                  wall),
            "a path change");
    store_path_round_free(prev);
  }
  check(store_flush(st), "a commit");
  check(store_path_round_get(st, set_id, prev), "reading a round");
  *prev_set = set_id;
}

static void speedtest(store *st, int64_t run, int minute, int ok)
{
  bn_speedtest_result r;

  memset(&r, 0, sizeof(r));
  r.server = "http://speed.example.net:8080/";
  r.streams = 4;
  r.download_bps = ok ? 94.2e6 + minute * 1e5 : -1;
  r.upload_bps = ok ? 38.1e6 : -1;
  r.latency_ms = ok ? 4.2 : -1;
  r.jitter_ms = ok ? 0.4 : -1;
  r.loaded_down_ms = ok ? 38.5 : -1;
  r.loaded_up_ms = ok ? 61.0 : -1;
  r.loss_pct = -1;
  r.udp_jitter_ms = -1;
  r.status = ok ? 0 : BN_ETIMEDOUT;
  r.error = ok ? NULL : "timed out after 30 s talking to speed.example.net";
  check(store_finish_speedtest(st, run, "librespeed", &r,
                               START_NS + minute * 60 * SEC, ok ? "B" : NULL,
                               ok ? 1 : 3),
        "a speed test");
}

/* What the host records when a probe starts: the metrics it declares
 * (reports find series by role, never by name). */
static void declare(store *st, const char *probe, const char *metric)
{
  const bn_metric m[] = {{.name = metric,
                          .unit = "ms",
                          .role = BN_ROLE_LATENCY,
                          .agg = BN_AGG_DISTRIBUTION,
                          .flags = BN_METRIC_PRIMARY},
                         BN_METRICS_END};

  check(store_declare_metrics(st, probe, m), "declaring metrics");
}

static int mini(store *st)
{
  static const char *const hostile = "<img src=x onerror=alert(1)>\"'&amp;";
  store_run_meta m = {"testhost", "mini", "0123", "test", START_NS};
  store_path_round prev;
  int64_t run = 0, prev_set = 0, t;
  bn_event e;
  int i;

  memset(&prev, 0, sizeof(prev));
  check(store_run_begin(st, &m, &run), "a run");
  declare(st, "tcp", "rtt_ms");
  declare(st, "dns", "query_ms");
  declare(st, "icmp", "rtt_ms");
  for (t = 0; t < 600; t++) {
    int64_t w = START_NS + t * SEC;

    sample(st, run, "tcp", "web-1", "rtt_ms", 12 + 3 * rnd(), w, t % 37 == 5);
    sample(st, run, "dns", "dns-a", "query_ms",
           (t >= 300 && t < 360 ? 80 : 20) + 10 * rnd(), w,
           t >= 300 && t < 360 && t % 3 == 0);
    sample(st, run, "icmp", hostile, "rtt_ms", 1 + rnd(), w, 0);
  }
  memset(&e, 0, sizeof(e));
  e.target = "web-1";
  e.type = "latency_zscore";
  e.severity = BN_SEV_WARNING;
  e.score = 0.8;
  e.message = "latency p95 14.8 ms above baseline toward 192.0.2.10";
  e.wall_ns = START_NS + 180 * SEC;
  check(store_add_event(st, run, "anomaly:zscore", &e), "an event");
  e.target = "dns-a";
  e.type = "loss";
  e.severity = BN_SEV_CRITICAL;
  e.message = "loss 33% to 198.51.100.53 (dns-a)";
  e.wall_ns = START_NS + 310 * SEC;
  check(store_add_event(st, run, "anomaly:loss", &e), "an event");
  e.target = hostile;
  e.type = "note";
  e.severity = BN_SEV_INFO;
  e.message = "</script><script>alert('x')</script>";
  e.wall_ns = START_NS + 400 * SEC;
  check(store_add_event(st, run, "anomaly:zscore", &e), "an event");
  check(store_add_check(st, run, "mtu", "web-1", "warn",
                        "path MTU 1400 below the interface MTU 1500 toward "
                        "192.0.2.10",
                        1400, START_NS),
        "a check");
  check(store_add_check(st, run, "dns", "web-1", "pass", "resolves", NAN,
                        START_NS),
        "a check");
  speedtest(st, run, 2, 1);
  speedtest(st, run, 8, 1);
  speedtest(st, run, 9, 0);
  for (i = 0; i < 10; i++)
    trace_round(st, run, i, &prev_set, &prev);
  store_path_round_free(&prev);
  check(store_run_end(st, run, START_NS + 600 * SEC, 0), "ending the run");
  return 0;
}

static int bench(store *st, long days, long targets, long hz)
{
  store_run_meta m = {"benchhost", "bench", "0123", "test", START_NS};
  int64_t run = 0, step = SEC / hz, n = days * 86400 * hz, t;
  char name[64];
  long k;

  check(store_run_begin(st, &m, &run), "a run");
  declare(st, "icmp", "rtt_ms");
  for (t = 0; t < n; t++) {
    int64_t w = START_NS + t * step;

    for (k = 0; k < targets; k++) {
      snprintf(name, sizeof(name), "target-%02ld", k);
      sample(st, run, "icmp", name, "rtt_ms", 5 + k + 4 * rnd() * rnd(), w,
             rnd() < 0.005);
    }
    if (t % (86400 * hz) == 0)
      fprintf(stderr, "report_fixture: day %lld of %ld\n",
              (long long)(t / (86400 * hz)) + 1, days);
  }
  check(store_run_end(st, run, START_NS + n * step, 0), "ending the run");
  return 0;
}

int main(int argc, char **argv)
{
  store *st = NULL;
  long days = 0, targets = 0, hz = 1;
  int i, rc;

  if (argc < 3) {
    fprintf(stderr, "usage: report_fixture DB --mini | --days D --targets N "
                    "[--hz H]\n");
    return 2;
  }
  log_set_level(BN_LOG_WARNING);
  check(store_open(argv[1], &st), "opening the store");
  if (!strcmp(argv[2], "--mini")) {
    rc = mini(st);
  } else {
    for (i = 2; i + 1 < argc; i += 2) {
      if (!strcmp(argv[i], "--days"))
        days = atol(argv[i + 1]);
      else if (!strcmp(argv[i], "--targets"))
        targets = atol(argv[i + 1]);
      else if (!strcmp(argv[i], "--hz"))
        hz = atol(argv[i + 1]);
    }
    if (days <= 0 || targets <= 0 || hz <= 0) {
      fprintf(stderr, "report_fixture: --days and --targets must be > 0\n");
      return 2;
    }
    rc = bench(st, days, targets, hz);
  }
  store_close(st);
  return rc;
}
