/*
 * test_anomaly.c - the anomaly detectors on synthetic series: robust
 * statistics, each detector's edge cases (constant series, gaps, lone
 * spikes, INVALID samples, a target that starts dead), fusion,
 * episodes with cooldown, and determinism.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "an_engine.h"
#include "an_stats.h"

#define NS 1000000000LL

/* Episode events recorded by the tests' callback. */
#define MAX_EV 64
typedef struct rec {
  an_episode ev[MAX_EV];
  int n;
} rec;

static void on_episode(const an_episode *ep, void *arg)
{
  rec *r = arg;

  if (getenv("AN_TEST_DEBUG"))
    fprintf(stderr,
            "ep %s %s t=%.0f start=%.0f end=%.0f sev=%s conf=%.2f "
            "dom=%s lat=%.2f loss=%.2f jit=%.2f unr=%.2f\n",
            ep->target, an_phase_name(ep->phase), ep->now_ns / 1e9,
            ep->start_ns / 1e9, ep->end_ns / 1e9,
            an_severity_name(ep->severity), ep->confidence,
            an_signal_name(ep->dominant), ep->scores[0], ep->scores[1],
            ep->scores[2], ep->scores[3]);
  if (r->n < MAX_EV)
    r->ev[r->n++] = *ep;
}

static int count_phase(const rec *r, an_phase ph)
{
  int n = 0;

  for (int i = 0; i < r->n; i++)
    n += r->ev[i].phase == ph;
  return n;
}

/* A small deterministic generator (xorshift) and a gaussian. */
static uint64_t rng_state = 88172645463325252ULL;

static double urand(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double grand(void)
{
  double u = urand(), v = urand();

  if (u < 1e-12)
    u = 1e-12;
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* An engine with the defaults but the cooldown and the latency
 * effect-size bound (min_shift, ms; negative: the default). */
static an_engine *engine_shift(rec *r, int64_t cooldown_s, double min_shift)
{
  an_config c;

  an_config_default(&c);
  c.cooldown_ns = cooldown_s * NS;
  if (min_shift >= 0)
    c.latency.min_shift = min_shift;
  memset(r, 0, sizeof(*r));
  rng_state = 88172645463325252ULL;
  return an_engine_new(&c, on_episode, r);
}

static an_engine *engine(rec *r, int64_t cooldown_s)
{
  return engine_shift(r, cooldown_s, -1);
}

/* A healthy RTT around 10 ms with 0.3 ms of noise, one sample a second. */
static void feed(an_engine *e, const char *tgt, int64_t from, int64_t to,
                 double level, double noise)
{
  for (int64_t s = from; s < to; s++)
    assert_int_equal(an_engine_sample(e, tgt, "icmp", "rtt_ms",
                                      AN_ROLE_LATENCY, 1,
                                      level + noise * grand(), s * NS, 0),
                     0);
}

static void feed_lost(an_engine *e, const char *tgt, int64_t from, int64_t to)
{
  for (int64_t s = from; s < to; s++)
    assert_int_equal(an_engine_sample(e, tgt, "icmp", "rtt_ms",
                                      AN_ROLE_LATENCY, 1, NAN, s * NS,
                                      AN_F_LOST),
                     0);
}

static int cmp_float(const void *a, const void *b)
{
  float x = *(const float *)a, y = *(const float *)b;

  return x < y ? -1 : x > y;
}

static void test_median_matches_sort(void **state)
{
  float a[101], b[101], scratch[101];

  (void)state;
  for (int n = 1; n <= 101; n++) {
    for (int rep = 0; rep < 20; rep++) {
      double med, mad, want;

      for (int i = 0; i < n; i++)
        a[i] = b[i] = (float)floor(urand() * 10); /* many ties */
      qsort(b, (size_t)n, sizeof(float), cmp_float);
      want = n % 2 ? b[n / 2] : ((double)b[n / 2 - 1] + b[n / 2]) / 2;
      an_median_mad(a, (size_t)n, scratch, &med, &mad);
      assert_true(med == want);
      assert_true(mad >= 0);
    }
  }
  assert_true(isnan(an_median(a, 0)));
}

static void test_score_curve(void **state)
{
  (void)state;
  assert_true(an_score(0, 4) == 0);
  assert_true(an_score(-3, 4) == 0);
  assert_true(an_score(NAN, 4) == 0);
  assert_true(fabs(an_score(4, 4) - 0.5) < 1e-12);
  assert_true(an_score(8, 4) > 0.93);
  assert_true(an_score(100, 4) == 1);
  assert_true(an_score(2, 4) < an_score(3, 4));
}

static void test_healthy_noise_no_episode(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  feed(e, "t", 0, 3600, 10, 0.3);
  an_engine_finish(e);
  assert_int_equal(r.n, 0);
  an_engine_free(e);
}

static void test_constant_series_mad_zero(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);
  const an_baseline *b;

  (void)state;
  feed(e, "t", 0, 300, 10, 0); /* MAD = 0 */
  assert_int_equal(r.n, 0);
  b = an_engine_baseline(e, "t");
  assert_non_null(b);
  assert_true(b->mad == 0);
  assert_true(b->spread > 0); /* the floors apply */
  /* a 5 ms step on a constant series is found within 5 samples */
  feed(e, "t", 300, 330, 15, 0);
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  assert_true(r.ev[0].start_ns <= 304 * NS);
  assert_int_equal(r.ev[0].dominant, AN_SIG_LATENCY);
  an_engine_free(e);
}

static void test_lone_spike_ignored(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  feed(e, "t", 0, 200, 10, 0.3);
  feed(e, "t", 200, 201, 500, 0); /* one huge spike */
  feed(e, "t", 201, 260, 10, 0.3);
  feed(e, "t", 260, 262, 300, 0); /* two in a row: still not a level */
  feed(e, "t", 262, 400, 10, 0.3);
  an_engine_finish(e);
  assert_int_equal(r.n, 0);
  an_engine_free(e);
}

/* A baseline store in memory: what one engine saved, the next loads. */
typedef struct mem_store {
  char key[8][96];
  an_baseline b[8];
  double rate[8];
  int n, saves, loads;
} mem_store;

static int mem_find(mem_store *m, const char *t, const char *p, const char *mt,
                    const char *k)
{
  char key[96];

  snprintf(key, sizeof(key), "%s/%s/%s/%s", t, p, mt, k);
  for (int i = 0; i < m->n; i++)
    if (!strcmp(m->key[i], key))
      return i;
  if (m->n == 8)
    return -1;
  snprintf(m->key[m->n], sizeof(m->key[0]), "%s", key);
  return m->n++;
}

static void mem_save(void *arg, const char *t, const char *p, const char *mt,
                     const char *k, const an_baseline *b, double rate)
{
  mem_store *m = arg;
  int i = mem_find(m, t, p, mt, k);

  assert_true(i >= 0);
  m->b[i] = *b;
  m->rate[i] = rate;
  m->saves++;
}

static int mem_load(void *arg, const char *t, const char *p, const char *mt,
                    const char *k, an_baseline *b, double *rate)
{
  mem_store *m = arg;
  int n = m->n, i = mem_find(m, t, p, mt, k);

  if (i < 0 || i >= n) {
    m->n = n; /* not stored: forget the key just made */
    return 0;
  }
  *b = m->b[i];
  *rate = m->rate[i];
  m->loads++;
  return 1;
}

/* Baselines persist: the first engine learns and saves them (on every
 * refresh and at finish); a second engine loads them when it first sees
 * the series, so it judges from its first samples (no warmup) and a
 * level shift right at its start is an episode. */
static void test_baseline_persisted(void **state)
{
  rec r;
  mem_store m;
  an_store st = {mem_load, mem_save, &m};
  an_engine *e = engine(&r, 10);
  const an_baseline *b;
  int k;

  (void)state;
  memset(&m, 0, sizeof(m));
  an_engine_set_store(e, &st);
  feed(e, "t", 0, 200, 10, 0.3);
  assert_true(m.saves >= 1);
  an_engine_finish(e);
  k = mem_find(&m, "t", "icmp", "rtt_ms", "latency");
  assert_true(k >= 0 && k < m.n);
  assert_true(fabs(m.b[k].centre - 10) < 0.3);
  assert_true(m.b[k].samples >= 30);
  assert_true(m.rate[k] == 0);
  assert_true(mem_find(&m, "t", "icmp", "rtt_ms", "jitter") < m.n);
  an_engine_free(e);

  /* without the store, 5 samples give no baseline at all */
  e = engine(&r, 10);
  feed(e, "t", 1000, 1005, 10, 0.3);
  assert_null(an_engine_baseline(e, "t"));
  an_engine_free(e);

  e = engine(&r, 10);
  an_engine_set_store(e, &st);
  feed(e, "t", 1000, 1001, 10, 0.3);
  assert_int_equal(m.loads, 2); /* latency and jitter */
  b = an_engine_baseline(e, "t");
  assert_non_null(b);
  assert_true(b->since_ns == m.b[k].since_ns);
  feed(e, "t", 1001, 1020, 40, 0.3); /* +30 ms from the start */
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  an_engine_free(e);
}

static void test_level_shift_episode_and_cooldown(void **state)
{
  rec r;
  an_engine *e = engine(&r, 20);
  const an_episode *open, *close;

  (void)state;
  feed(e, "t", 0, 300, 10, 0.3);
  feed(e, "t", 300, 360, 40, 0.3); /* +30 ms for a minute */
  feed(e, "t", 360, 500, 10, 0.3);
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  assert_int_equal(count_phase(&r, AN_EP_CLOSE), 1);
  open = &r.ev[0];
  close = &r.ev[r.n - 1];
  assert_int_equal(open->phase, AN_EP_OPEN);
  assert_true(open->start_ns >= 300 * NS && open->start_ns <= 304 * NS);
  assert_int_equal(close->phase, AN_EP_CLOSE);
  assert_int_equal(close->dominant, AN_SIG_LATENCY);
  /* it ended when the shift did, and closed one cooldown later */
  assert_true(close->end_ns >= 359 * NS && close->end_ns <= 364 * NS);
  assert_true(close->now_ns - close->end_ns >= 20 * NS);
  assert_true(close->now_ns - close->end_ns <= 21 * NS);
  assert_true(close->severity >= AN_SEV_HIGH);
  assert_true(close->scores[AN_SIG_LATENCY] > 0.9);
  /* updates only when the severity rose: never more than the levels */
  assert_true(count_phase(&r, AN_EP_UPDATE) <= 4);
  an_engine_free(e);
}

/* bufferbloat: +0.05 ms a second from 300 s, under the noise sample to
 * sample; returns the engine with the ramp fed. */
static an_engine *ramp(rec *r, double min_shift)
{
  an_engine *e = engine_shift(r, 10, min_shift);

  feed(e, "t", 0, 300, 10, 0.3);
  for (int64_t s = 300; s < 900; s++)
    an_engine_sample(e, "t", "icmp", "rtt_ms", AN_ROLE_LATENCY, 1,
                     10 + 0.05 * (double)(s - 300) + 0.3 * grand(), s * NS, 0);
  return e;
}

static void test_slow_ramp_found(void **state)
{
  rec r;
  an_engine *e = ramp(&r, -1);

  (void)state;
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  /* found once the ramp reaches the 5 ms effect size (at 400 s), not
   * before */
  assert_true(r.ev[0].start_ns >= 395 * NS);
  assert_true(r.ev[0].start_ns < 410 * NS);
  an_engine_free(e);
}

static void test_slow_ramp_found_sensitive(void **state)
{
  rec r;
  an_engine *e = ramp(&r, 0.5);

  (void)state;
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  /* with min_shift 0.5 ms the statistics alone decide: found before the
   * ramp had added 5 ms (17 baseline spreads) */
  assert_true(r.ev[0].start_ns < 400 * NS);
  an_engine_free(e);
}

/* A sub-ms target on a host that stalls: 3 ms for 30 s is z > 30 but no
 * network event by default; min_shift 1 makes it one. */
static an_engine *host_stall(rec *r, double min_shift)
{
  an_engine *e = engine_shift(r, 5, min_shift);

  feed(e, "t", 0, 100, 0.2, 0.02);
  feed(e, "t", 100, 130, 3.2, 0.5);
  feed(e, "t", 130, 200, 0.2, 0.02);
  return e;
}

static void test_small_shift_min_shift(void **state)
{
  rec r;
  an_engine *e = host_stall(&r, -1);

  (void)state;
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 0);
  an_engine_free(e);

  e = host_stall(&r, 1);
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  assert_int_equal(r.ev[0].dominant, AN_SIG_LATENCY);
  an_engine_free(e);
}

static void test_gap_is_not_anomaly(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  feed(e, "t", 0, 200, 10, 0.3);
  feed(e, "t", 5000, 5200, 10, 0.3); /* no samples for 80 minutes */
  an_engine_finish(e);
  assert_int_equal(r.n, 0);
  an_engine_free(e);
}

static void test_invalid_never_anomaly(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  feed(e, "t", 0, 200, 10, 0.3);
  /* a clock jump: INVALID samples with absurd values and times */
  for (int i = 0; i < 50; i++)
    an_engine_sample(e, "t", "icmp", "rtt_ms", AN_ROLE_LATENCY, 1, 1e6,
                     (200 + i) * NS + 3600 * NS, AN_F_INVALID);
  for (int i = 0; i < 50; i++)
    an_engine_sample(e, "t", "icmp", "rtt_ms", AN_ROLE_LATENCY, 1, NAN,
                     (250 + i) * NS, AN_F_INVALID | AN_F_LOST);
  feed(e, "t", 300, 400, 10, 0.3);
  an_engine_finish(e);
  assert_int_equal(r.n, 0);
  an_engine_free(e);
}

static void test_dead_from_start_unreachable(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);
  int crit = -1;

  (void)state;
  feed_lost(e, "dead", 0, 60);
  for (int i = 0; i < r.n; i++)
    if (r.ev[i].severity == AN_SEV_CRITICAL && crit < 0)
      crit = i;
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  assert_true(crit >= 0);
  assert_int_equal(r.ev[crit].dominant, AN_SIG_UNREACHABLE);
  /* critical after unreachable_after (10 s) of no answer */
  assert_true(r.ev[crit].now_ns == 10 * NS);
  an_engine_finish(e);
  assert_int_equal(count_phase(&r, AN_EP_CLOSE), 1);
  assert_int_equal(r.ev[r.n - 1].severity, AN_SEV_CRITICAL);
  an_engine_free(e);
}

static void test_outage_one_critical_episode(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  feed(e, "t", 0, 200, 10, 0.3);
  feed_lost(e, "t", 200, 230); /* 30 s outage */
  feed(e, "t", 230, 300, 10, 0.3);
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  assert_int_equal(count_phase(&r, AN_EP_CLOSE), 1);
  assert_true(r.ev[0].start_ns <= 203 * NS);
  /* the loss is over once 5 probes in a row were answered */
  assert_true(r.ev[r.n - 1].end_ns >= 229 * NS);
  assert_true(r.ev[r.n - 1].end_ns <= 235 * NS);
  assert_int_equal(r.ev[r.n - 1].severity, AN_SEV_CRITICAL);
  assert_int_equal(r.ev[r.n - 1].dominant, AN_SIG_UNREACHABLE);
  an_engine_free(e);
}

static void test_loss_blip_vs_burst(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  feed(e, "t", 0, 200, 10, 0.3);
  feed_lost(e, "t", 200, 202); /* a two-probe blip */
  feed(e, "t", 202, 300, 10, 0.3);
  assert_int_equal(r.n, 0);
  feed_lost(e, "t", 300, 306); /* a burst of six */
  feed(e, "t", 306, 400, 10, 0.3);
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  assert_int_equal(count_phase(&r, AN_EP_CLOSE), 1);
  assert_true(r.ev[0].start_ns <= 303 * NS);
  assert_int_equal(r.ev[r.n - 1].dominant, AN_SIG_LOSS);
  assert_true(r.ev[r.n - 1].severity < AN_SEV_CRITICAL);
  an_engine_free(e);
}

static void test_scattered_loss_rate(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  feed(e, "t", 0, 300, 10, 0.3);
  /* 20 % random loss, never more than two in a row */
  for (int64_t s = 300; s < 420; s++) {
    int lost = s % 5 == 0;

    an_engine_sample(e, "t", "icmp", "rtt_ms", AN_ROLE_LATENCY, 1,
                     lost ? NAN : 10 + 0.3 * grand(), s * NS,
                     lost ? AN_F_LOST : 0);
  }
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  assert_int_equal(r.ev[0].dominant, AN_SIG_LOSS);
  an_engine_free(e);
}

static void test_jitter_storm_dominant_jitter(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);
  int found = 0;

  (void)state;
  feed(e, "t", 0, 300, 10, 0.3);
  for (int64_t s = 300; s < 360; s++)
    an_engine_sample(e, "t", "icmp", "rtt_ms", AN_ROLE_LATENCY, 1,
                     10 + 20 * urand(), s * NS, 0);
  feed(e, "t", 360, 450, 10, 0.3);
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  for (int i = 0; i < r.n; i++)
    if (r.ev[i].phase == AN_EP_CLOSE)
      found = r.ev[i].dominant == AN_SIG_JITTER;
  assert_true(found);
  an_engine_free(e);
}

static void test_baseline_frozen_in_episode(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);
  const an_baseline *b;
  double centre;

  (void)state;
  feed(e, "t", 0, 300, 10, 0.3);
  b = an_engine_baseline(e, "t");
  assert_non_null(b);
  centre = b->centre;
  assert_true(fabs(centre - 10) < 0.3);
  feed(e, "t", 300, 500, 30, 0.3); /* 200 s inside an episode */
  b = an_engine_baseline(e, "t");
  assert_true(fabs(b->centre - centre) < 1e-9);
  an_engine_free(e);
}

static void test_stable_shift_relearned(void **state)
{
  rec r;
  an_config c;
  an_engine *e;
  const an_baseline *b;

  (void)state;
  an_config_default(&c);
  c.cooldown_ns = 10 * NS;
  c.latency.relearn_ns = 120 * NS;
  memset(&r, 0, sizeof(r));
  e = an_engine_new(&c, on_episode, &r);
  feed(e, "t", 0, 300, 10, 0.3);
  feed(e, "t", 300, 700, 30, 0.3); /* a route change, for good */
  b = an_engine_baseline(e, "t");
  assert_true(fabs(b->centre - 30) < 0.5);
  assert_int_equal(count_phase(&r, AN_EP_CLOSE), 1);
  an_engine_free(e);
}

static void test_primary_metric_selected(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  /* an http-like probe: connect_ms (not primary) steps, total_ms is
   * the primary and stays flat: only the primary is analysed */
  for (int64_t s = 0; s < 400; s++) {
    double connect = s < 300 ? 1 + 0.05 * grand() : 50;

    an_engine_sample(e, "t", "http", "connect_ms", AN_ROLE_LATENCY, 0, connect,
                     s * NS, 0);
    an_engine_sample(e, "t", "http", "total_ms", AN_ROLE_LATENCY, 1,
                     20 + 0.5 * grand(), s * NS, 0);
  }
  assert_int_equal(r.n, 0);
  an_engine_free(e);
}

static void test_two_targets_independent(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  feed(e, "a", 0, 200, 10, 0.3);
  feed(e, "b", 0, 200, 10, 0.3);
  feed_lost(e, "a", 200, 230);
  feed(e, "b", 200, 230, 10, 0.3);
  an_engine_finish(e);
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  assert_string_equal(r.ev[0].target, "a");
  assert_true(an_engine_confidence(e, "b") < 0.5);
  an_engine_free(e);
}

static void test_loss_role_metric(void **state)
{
  rec r;
  an_engine *e = engine(&r, 10);

  (void)state;
  for (int64_t s = 0; s < 100; s++)
    an_engine_sample(e, "t", "iperf", "loss_pct", AN_ROLE_LOSS, 0, 0, s * NS,
                     0);
  assert_int_equal(r.n, 0);
  for (int64_t s = 100; s < 130; s++)
    an_engine_sample(e, "t", "iperf", "loss_pct", AN_ROLE_LOSS, 0, 100, s * NS,
                     0);
  assert_int_equal(count_phase(&r, AN_EP_OPEN), 1);
  an_engine_finish(e);
  assert_int_equal(r.ev[r.n - 1].severity, AN_SEV_CRITICAL);
  an_engine_free(e);
}

static void run_mixed(rec *r)
{
  an_engine *e = engine(r, 15);

  feed(e, "t", 0, 300, 10, 0.5);
  feed(e, "t", 300, 340, 25, 0.5);
  feed(e, "t", 340, 400, 10, 0.5);
  feed_lost(e, "t", 400, 440);
  feed(e, "t", 440, 600, 10, 0.5);
  an_engine_finish(e);
  an_engine_free(e);
}

static void test_deterministic(void **state)
{
  static rec a, b;

  (void)state;
  run_mixed(&a);
  run_mixed(&b);
  assert_true(a.n >= 4);
  assert_int_equal(a.n, b.n);
  for (int i = 0; i < a.n; i++) {
    assert_int_equal(a.ev[i].phase, b.ev[i].phase);
    assert_true(a.ev[i].start_ns == b.ev[i].start_ns);
    assert_true(a.ev[i].end_ns == b.ev[i].end_ns);
    assert_true(a.ev[i].confidence == b.ev[i].confidence);
    assert_int_equal(a.ev[i].severity, b.ev[i].severity);
  }
}

static void test_signals_can_be_disabled(void **state)
{
  rec r;
  an_config c;
  an_engine *e;

  (void)state;
  an_config_default(&c);
  c.signals = AN_SIGBIT(AN_SIG_LATENCY);
  memset(&r, 0, sizeof(r));
  e = an_engine_new(&c, on_episode, &r);
  feed(e, "t", 0, 200, 10, 0.3);
  feed_lost(e, "t", 200, 260);
  an_engine_finish(e);
  assert_int_equal(r.n, 0);
  an_engine_free(e);
  assert_int_equal(an_signal_parse("jitter"), AN_SIG_JITTER);
  assert_int_equal(an_signal_parse("nope"), -1);
  assert_string_equal(an_severity_name(AN_SEV_CRITICAL), "critical");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_median_matches_sort),
      cmocka_unit_test(test_score_curve),
      cmocka_unit_test(test_healthy_noise_no_episode),
      cmocka_unit_test(test_constant_series_mad_zero),
      cmocka_unit_test(test_lone_spike_ignored),
      cmocka_unit_test(test_level_shift_episode_and_cooldown),
      cmocka_unit_test(test_slow_ramp_found),
      cmocka_unit_test(test_slow_ramp_found_sensitive),
      cmocka_unit_test(test_small_shift_min_shift),
      cmocka_unit_test(test_gap_is_not_anomaly),
      cmocka_unit_test(test_invalid_never_anomaly),
      cmocka_unit_test(test_dead_from_start_unreachable),
      cmocka_unit_test(test_outage_one_critical_episode),
      cmocka_unit_test(test_loss_blip_vs_burst),
      cmocka_unit_test(test_scattered_loss_rate),
      cmocka_unit_test(test_jitter_storm_dominant_jitter),
      cmocka_unit_test(test_baseline_frozen_in_episode),
      cmocka_unit_test(test_stable_shift_relearned),
      cmocka_unit_test(test_primary_metric_selected),
      cmocka_unit_test(test_two_targets_independent),
      cmocka_unit_test(test_loss_role_metric),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_signals_can_be_disabled),
      cmocka_unit_test(test_baseline_persisted),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
