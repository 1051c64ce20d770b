/*
 * test_sim_stats.c - the distances `bottleneck compare` reports
 * (core/sim/sim_stats.c) against values worked out by hand, and the
 * inverse of a CDF given as points (import --format cdf-csv).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim_stats.h"

#define N(a)          (sizeof(a) / sizeof((a)[0]))
#define NEAR(x, want) assert_true(fabs((x) - (want)) < 1e-12)

static void test_shift(void **state)
{
  /* b is a shifted by 1: the CDFs differ by 1/3 on [1, 4), so KS = 1/3
   * and the area between them is 3 * 1/3 = 1 (the shift). */
  static const double a[] = {1, 2, 3}, b[] = {2, 3, 4};

  (void)state;
  NEAR(sim_ks_distance(a, N(a), b, N(b)), 1.0 / 3);
  NEAR(sim_wasserstein(a, N(a), b, N(b)), 1.0);
  NEAR(sim_ks_distance(b, N(b), a, N(a)), 1.0 / 3); /* symmetric */
  NEAR(sim_wasserstein(b, N(b), a, N(a)), 1.0);
}

static void test_same_and_disjoint(void **state)
{
  static const double a[] = {1, 2, 3, 4}, z[] = {0}, t[] = {10};

  (void)state;
  NEAR(sim_ks_distance(a, N(a), a, N(a)), 0);
  NEAR(sim_wasserstein(a, N(a), a, N(a)), 0);
  NEAR(sim_ks_distance(z, 1, t, 1), 1);
  NEAR(sim_wasserstein(z, 1, t, 1), 10);
}

static void test_ties_and_sizes(void **state)
{
  /* a: half 0, half 1; b: a quarter 0, the rest 1.  At 0: 1/2 vs 1/4,
   * from 1 on both 1: KS 1/4, area 1/4 * (1 - 0). */
  static const double a[] = {0, 0, 1, 1}, b[] = {0, 1, 1, 1};
  /* different sizes: a = {1, 2}, b = {1, 1, 1, 3}.  At 1: 1/2 vs 3/4,
   * at 2: 1 vs 3/4, at 3: both 1.  KS 1/4; area 1/4 + 1/4 = 1/2 (the
   * quantile functions differ by 1 for p in [1/2, 1)). */
  static const double c[] = {1, 2}, d[] = {1, 1, 1, 3};

  (void)state;
  NEAR(sim_ks_distance(a, N(a), b, N(b)), 0.25);
  NEAR(sim_wasserstein(a, N(a), b, N(b)), 0.25);
  NEAR(sim_ks_distance(c, N(c), d, N(d)), 0.25);
  NEAR(sim_wasserstein(c, N(c), d, N(d)), 0.5);
}

static void test_interleaved(void **state)
{
  /* a = {0, 10}, b = {4, 6}: F_a - F_b is 1/2 on [0, 4), 0 on [4, 6),
   * -1/2 on [6, 10): KS 1/2, area 2 + 0 + 2 = 4. */
  static const double a[] = {0, 10}, b[] = {4, 6};

  (void)state;
  NEAR(sim_ks_distance(a, N(a), b, N(b)), 0.5);
  NEAR(sim_wasserstein(a, N(a), b, N(b)), 4);
}

static void test_empty(void **state)
{
  static const double a[] = {1};

  (void)state;
  assert_true(isnan(sim_ks_distance(a, 1, a, 0)));
  assert_true(isnan(sim_wasserstein(a, 0, a, 1)));
}

static void test_cdf_inverse(void **state)
{
  static const double x[] = {0, 10}, cp[] = {0, 1};
  /* a step: half the mass at 1, then linear from 2 to 3 */
  static const double x2[] = {1, 2, 3}, cp2[] = {0.5, 0.5, 1};

  (void)state;
  NEAR(sim_cdf_inverse(x, cp, 2, 0.25), 2.5);
  NEAR(sim_cdf_inverse(x, cp, 2, 1), 10);
  NEAR(sim_cdf_inverse(x2, cp2, 3, 0.1), 1);
  NEAR(sim_cdf_inverse(x2, cp2, 3, 0.5), 1);
  NEAR(sim_cdf_inverse(x2, cp2, 3, 0.75), 2.5);
  NEAR(sim_cdf_inverse(x2, cp2, 3, 2), 3); /* above the last point */
  assert_true(isnan(sim_cdf_inverse(x, cp, 0, 0.5)));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shift),
      cmocka_unit_test(test_same_and_disjoint),
      cmocka_unit_test(test_ties_and_sizes),
      cmocka_unit_test(test_interleaved),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_cdf_inverse),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
