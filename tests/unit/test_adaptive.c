/*
 * test_adaptive.c - <bottleneck/adaptive.h>: exact interval sequences
 * for given RTT series (the rule is deterministic and documented in the
 * header; the expected values below were worked out by hand from it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include <bottleneck/adaptive.h>

#define MS   BN_ADAPTIVE_MS
#define LOST -1.0 /* in a series: a lost round */

/* Feed `rtt` and compare interval (ms) and "changed" after each round. */
static void run_series(bn_adaptive *a, const double *rtt, const int64_t *ms,
                       const int *changed, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    int lost = rtt[i] == LOST;
    int ch = bn_adaptive_update(a, lost ? NAN : rtt[i], lost);

    print_message("round %zu: rtt %g -> %lld ns (changed %d, vol %.4f)\n",
                  i + 1, rtt[i], (long long)a->interval_ns, ch, a->volatility);
    assert_int_equal(a->interval_ns, ms[i] * MS);
    assert_int_equal(ch, changed[i]);
  }
}

static void test_init_clamps(void **state)
{
  bn_adaptive a;

  bn_adaptive_init(&a, 250 * MS, 10000 * MS, 1000 * MS);
  assert_int_equal(a.interval_ns, 1000 * MS);
  assert_int_equal(a.min_ns, 250 * MS);
  assert_int_equal(a.max_ns, 10000 * MS);
  assert_int_equal(a.quiet, 0);
  bn_adaptive_init(&a, 250 * MS, 10000 * MS, 100 * MS);
  assert_int_equal(a.interval_ns, 250 * MS);
  bn_adaptive_init(&a, 250 * MS, 10000 * MS, 20000 * MS);
  assert_int_equal(a.interval_ns, 10000 * MS);
  /* min > max: both bounds become max. */
  bn_adaptive_init(&a, 2000 * MS, 1000 * MS, 500 * MS);
  assert_int_equal(a.min_ns, 1000 * MS);
  assert_int_equal(a.interval_ns, 1000 * MS);
}

/* A steady RTT: x1.5 every 3rd round, up to max and no further. */
static void test_quiet_grows_to_max(void **state)
{
  static const int64_t ns[21] = {
      INT64_C(1000000000),  INT64_C(1000000000),  INT64_C(1500000000),
      INT64_C(1500000000),  INT64_C(1500000000),  INT64_C(2250000000),
      INT64_C(2250000000),  INT64_C(2250000000),  INT64_C(3375000000),
      INT64_C(3375000000),  INT64_C(3375000000),  INT64_C(5062500000),
      INT64_C(5062500000),  INT64_C(5062500000),  INT64_C(7593750000),
      INT64_C(7593750000),  INT64_C(7593750000),  INT64_C(10000000000),
      INT64_C(10000000000), INT64_C(10000000000), INT64_C(10000000000)};
  static const int changed[21] = {0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0,
                                  1, 0, 0, 1, 0, 0, 1, 0, 0, 0};
  bn_adaptive a;
  size_t i;

  bn_adaptive_init(&a, 250 * MS, 10000 * MS, 1000 * MS);
  for (i = 0; i < 21; i++) {
    int ch = bn_adaptive_update(&a, 10.0, 0);

    assert_int_equal(a.interval_ns, ns[i]);
    assert_int_equal(ch, changed[i]);
    assert_true(a.volatility == 0.0);
  }
}

/*
 * A jump halves twice down to min; losses hold it there (no change
 * reported); the averages then need 9 quiet-ish rounds before the
 * volatility falls under 0.05, and growth resumes every 3rd round.
 *   r3: d=20 jitter=5 avg=12.5 vol=0.4       -> 500 ms
 *   r4: d=20 jitter=8.75 avg=12.1875 vol=.72 -> 250 ms
 *   r8: jitter=6.5625 avg=11.914 vol=.55     -> stays 250 ms
 *   r17: vol=.0466 quiet 1, r19: quiet 3     -> 375 ms
 */
static void test_volatile_halves(void **state)
{
  static const double rtt[21] = {10, 10, 30, 10, LOST, LOST, LOST,
                                 10, 10, 10, 10, 10,   10,   10,
                                 10, 10, 10, 10, 10,   10,   10};
  static const int64_t ms[21] = {1000, 1000, 500, 250, 250, 250, 250,
                                 250,  250,  250, 250, 250, 250, 250,
                                 250,  250,  250, 250, 375, 375, 375};
  static const int changed[21] = {0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
  bn_adaptive a;

  bn_adaptive_init(&a, 250 * MS, 10000 * MS, 1000 * MS);
  run_series(&a, rtt, ms, changed, 21);
  assert_true(fabs(a.volatility - 0.0151) < 0.0001);
  /* 562.5 ms */
  assert_int_equal(bn_adaptive_update(&a, 10, 0), 1);
  assert_int_equal(a.interval_ns, INT64_C(562500000));
}

/* A loss is maximal volatility: 1.0, and the interval halves. */
static void test_loss_is_volatile(void **state)
{
  bn_adaptive a;

  bn_adaptive_init(&a, 100 * MS, 10000 * MS, 4000 * MS);
  assert_int_equal(bn_adaptive_update(&a, 5.0, 0), 0);
  assert_int_equal(bn_adaptive_update(&a, NAN, 1), 1);
  assert_true(a.volatility == 1.0);
  assert_int_equal(a.interval_ns, 2000 * MS);
  /* A negative or infinite RTT counts as lost too. */
  assert_int_equal(bn_adaptive_update(&a, -3.0, 0), 1);
  assert_int_equal(a.interval_ns, 1000 * MS);
  assert_int_equal(bn_adaptive_update(&a, INFINITY, 0), 1);
  assert_int_equal(a.interval_ns, 500 * MS);
  /* The averages were not moved by the losses: 5 ms is still quiet. */
  assert_int_equal(bn_adaptive_update(&a, 5.0, 0), 0);
  assert_true(a.volatility == 0.0);
  assert_int_equal(a.quiet, 1);
}

/* Jitter between the two thresholds holds the interval. */
static void test_middle_holds(void **state)
{
  static const double rtt[10] = {10, 11, 10, 11, 10, 11, 10, 11, 10, 11};
  static const int64_t ms[10] = {1000, 1000, 1500, 1500, 1500,
                                 1500, 1500, 1500, 1500, 1500};
  static const int changed[10] = {0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  bn_adaptive a;

  bn_adaptive_init(&a, 250 * MS, 10000 * MS, 1000 * MS);
  run_series(&a, rtt, ms, changed, 10);
  /* jitter -> 1 ms over an average near 10.5 ms */
  assert_true(a.volatility > 0.05 && a.volatility < 0.2);
  assert_int_equal(a.quiet, 0);
}

/* Sub-millisecond RTTs: the 1 ms floor keeps 40 us jitter quiet. */
static void test_floor_for_small_rtts(void **state)
{
  static const double rtt[6] = {0.02, 0.06, 0.02, 0.06, 0.02, 0.06};
  static const int64_t ms[6] = {1000, 1000, 1500, 1500, 1500, 2250};
  static const int changed[6] = {0, 0, 1, 0, 0, 1};
  bn_adaptive a;

  bn_adaptive_init(&a, 250 * MS, 10000 * MS, 1000 * MS);
  run_series(&a, rtt, ms, changed, 6);
}

/* The interval never leaves [min, max], whatever comes. */
static void test_bounds_hold(void **state)
{
  bn_adaptive a;
  int i;

  bn_adaptive_init(&a, 300 * MS, 900 * MS, 600 * MS);
  for (i = 0; i < 10; i++) {
    bn_adaptive_update(&a, NAN, 1);
    assert_true(a.interval_ns >= 300 * MS);
  }
  assert_int_equal(a.interval_ns, 300 * MS);
  for (i = 0; i < 30; i++) {
    bn_adaptive_update(&a, 20.0, 0);
    assert_true(a.interval_ns <= 900 * MS);
  }
  assert_int_equal(a.interval_ns, 900 * MS);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init_clamps),
      cmocka_unit_test(test_quiet_grows_to_max),
      cmocka_unit_test(test_volatile_halves),
      cmocka_unit_test(test_loss_is_volatile),
      cmocka_unit_test(test_middle_holds),
      cmocka_unit_test(test_floor_for_small_rtts),
      cmocka_unit_test(test_bounds_hold),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
