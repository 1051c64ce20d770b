/*
 * test_stats.c - exact values of the series statistics (core/store/stats.c).
 * Expected percentiles are numpy's default (linear) method.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

#define EPS 1e-9

/* cmocka 1.1.5 has no assert_double_equal; floats are too coarse. */
#define assert_near(a, b) assert_near_at((a), (b), __FILE__, __LINE__)

static void assert_near_at(double a, double b, const char *file, int line)
{
  if (fabs(a - b) <= EPS)
    return;
  print_error("%.12g != %.12g\n", a, b);
  _fail(file, line);
}

static void test_percentile_1_to_100(void **state)
{
  double v[100];
  size_t i;

  (void)state;
  for (i = 0; i < 100; i++)
    v[i] = (double)(i + 1);
  /* numpy.percentile(range(1, 101), p) */
  assert_near(stats_percentile(v, 100, 0), 1.0);
  assert_near(stats_percentile(v, 100, 25), 25.75);
  assert_near(stats_percentile(v, 100, 50), 50.5);
  assert_near(stats_percentile(v, 100, 95), 95.05);
  assert_near(stats_percentile(v, 100, 99), 99.01);
  assert_near(stats_percentile(v, 100, 100), 100.0);
  /* out of range p is clamped, NaN p gives NaN */
  assert_near(stats_percentile(v, 100, -5), 1.0);
  assert_near(stats_percentile(v, 100, 150), 100.0);
  assert_true(isnan(stats_percentile(v, 100, NAN)));
}

static void test_percentile_empty(void **state)
{
  (void)state;
  assert_true(isnan(stats_percentile(NULL, 0, 50)));
}

static void test_fill_1_to_100_shuffled(void **state)
{
  double v[100];
  bn_series s;
  size_t i;

  (void)state;
  /* 37 is coprime with 100: a permutation of 1..100 */
  for (i = 0; i < 100; i++)
    v[i] = (double)((i * 37) % 100 + 1);
  memset(&s, 0, sizeof(s));
  stats_fill(&s, v, 100);
  assert_near(s.min, 1.0);
  assert_near(s.max, 100.0);
  assert_near(s.avg, 50.5);
  assert_near(s.p50, 50.5);
  assert_near(s.p95, 95.05);
  /* population std dev of 1..100: sqrt((100^2 - 1) / 12) */
  assert_near(s.stddev, sqrt(9999.0 / 12.0));
  /* consecutive values differ by 37 or by 63 (37 - 100) */
  for (i = 1; i < 100; i++)
    assert_true(v[i - 1] <= v[i]);
}

static void test_fill_single(void **state)
{
  double v[1] = {42.5};
  bn_series s;

  (void)state;
  memset(&s, 0, sizeof(s));
  stats_fill(&s, v, 1);
  assert_near(s.min, 42.5);
  assert_near(s.avg, 42.5);
  assert_near(s.p50, 42.5);
  assert_near(s.p95, 42.5);
  assert_near(s.max, 42.5);
  assert_near(s.stddev, 0.0);
  /* no consecutive pair: no variation */
  assert_near(s.jitter, 0.0);
}

static void test_fill_two(void **state)
{
  double v[2] = {30.0, 10.0};
  bn_series s;

  (void)state;
  memset(&s, 0, sizeof(s));
  stats_fill(&s, v, 2);
  assert_near(s.min, 10.0);
  assert_near(s.max, 30.0);
  assert_near(s.avg, 20.0);
  assert_near(s.p50, 20.0);
  assert_near(s.p95, 29.0);
  assert_near(s.stddev, 10.0);
  assert_near(s.jitter, 20.0);
  /* sorted in place afterwards */
  assert_near(v[0], 10.0);
  assert_near(v[1], 30.0);
}

static void test_fill_empty(void **state)
{
  bn_series s;

  (void)state;
  memset(&s, 0, sizeof(s));
  stats_fill(&s, NULL, 0);
  assert_true(isnan(s.min));
  assert_true(isnan(s.avg));
  assert_true(isnan(s.p50));
  assert_true(isnan(s.p95));
  assert_true(isnan(s.max));
  assert_true(isnan(s.stddev));
  assert_true(isnan(s.jitter));
}

static void test_jitter_sawtooth(void **state)
{
  /* 0 1 2 3 0 1 2 3: steps 1,1,1,3,1,1,1 -> 9/7.  Sorting first would
   * give 3/7, so this also proves jitter uses the time order. */
  double v[8] = {0, 1, 2, 3, 0, 1, 2, 3};
  double sq[6] = {10, 20, 10, 20, 10, 20};
  bn_series s;

  (void)state;
  memset(&s, 0, sizeof(s));
  stats_fill(&s, v, 8);
  assert_near(s.jitter, 9.0 / 7.0);
  assert_near(s.avg, 1.5);
  assert_near(s.stddev, sqrt(1.25));
  /* a square wave: every step is 10 */
  stats_fill(&s, sq, 6);
  assert_near(s.jitter, 10.0);
  assert_near(s.stddev, 5.0);
  assert_near(s.p50, 15.0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_percentile_1_to_100),
      cmocka_unit_test(test_percentile_empty),
      cmocka_unit_test(test_fill_1_to_100_shuffled),
      cmocka_unit_test(test_fill_single),
      cmocka_unit_test(test_fill_two),
      cmocka_unit_test(test_fill_empty),
      cmocka_unit_test(test_jitter_sawtooth),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
