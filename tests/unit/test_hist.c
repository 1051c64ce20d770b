/*
 * test_hist.c - the quantile sketch of the rollups (core/store/hist.c):
 * every bucket's value within 1 % of what it holds, percentiles within
 * 1 % of the exact ones (docs/metrics.md's interpolation) for several
 * distributions, merged or not, blobs round-tripped, the schema-4
 * format converted, a minute of samples kept small, and malformed blobs
 * read back from the database.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"

#define TOL (HIST_REL_ERR * (1 + 1e-9))

static uint64_t rng = 88172645463325252ULL;

static double rnd(void) /* [0, 1) */
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* docs/metrics.md: linear interpolation between closest ranks */
static double exact(const double *sorted, size_t n, double q)
{
  double r = q * (double)(n - 1);
  size_t k = (size_t)floor(r);

  if (k + 1 >= n)
    return sorted[n - 1];
  return sorted[k] + (sorted[k + 1] - sorted[k]) * (r - (double)k);
}

static void assert_rel(double got, double want)
{
  if (fabs(got - want) > TOL * fabs(want) + 1e-12)
    fail_msg("%.9g is not within %g of %.9g", got, HIST_REL_ERR, want);
}

static void test_keys(void **state)
{
  double v;

  (void)state;
  assert_int_equal(hist_key(0), 0);
  assert_int_equal(hist_key(NAN), 0);
  assert_int_equal(hist_key(HIST_MIN / 2), 0);
  assert_true(hist_key(1) > 0);
  assert_true(hist_key(-1) == -hist_key(1));
  assert_true(hist_key(INFINITY) > hist_key(1e200));
  /* every value is within the error of its bucket's value, and keys
   * grow with values */
  for (v = 1e-5; v < 1e12; v *= 1.0037) {
    assert_rel(hist_value(hist_key(v)), v);
    assert_rel(hist_value(hist_key(-v)), -v);
    assert_true(hist_key(v * 1.0037) >= hist_key(v));
  }
}

/* Percentiles of n values from gen() against the exact ones. */
static void check_dist(double (*gen)(void), size_t n)
{
  static const double qs[] = {0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1};
  double *v = malloc(n * sizeof(*v)), lo = INFINITY, hi = -INFINITY;
  hist h, a, b;
  size_t i, j;

  assert_non_null(v);
  memset(&h, 0, sizeof(h));
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  for (i = 0; i < n; i++) {
    v[i] = gen();
    lo = v[i] < lo ? v[i] : lo;
    hi = v[i] > hi ? v[i] : hi;
    assert_int_equal(hist_add(&h, v[i]), 0);
    /* the same values in two halves, merged */
    assert_int_equal(hist_add(i % 2 ? &a : &b, v[i]), 0);
  }
  assert_int_equal(hist_merge(&a, &b), 0);
  assert_int_equal(a.n, n);
  qsort(v, n, sizeof(*v), cmp);
  for (j = 0; j < sizeof(qs) / sizeof(qs[0]); j++) {
    assert_rel(hist_quantile(&h, qs[j], lo, hi), exact(v, n, qs[j]));
    assert_rel(hist_quantile(&a, qs[j], lo, hi), exact(v, n, qs[j]));
  }
  hist_free(&h);
  hist_free(&a);
  hist_free(&b);
  free(v);
}

static double gen_uniform(void)
{
  return 20 + 10 * rnd();
}

static double gen_heavy(void) /* 1 ms .. 2 s, long tail */
{
  return exp(log(1) + rnd() * rnd() * log(2000));
}

static double gen_two_modes(void) /* a congestion period */
{
  return rnd() < 0.8 ? 20 + rnd() : 80 + 10 * rnd();
}

static double gen_signed(void) /* clock offsets: both signs, zeros */
{
  double r = rnd();

  return r < 0.1 ? 0 : (r - 0.5) * 3;
}

static void test_quantiles(void **state)
{
  hist h;

  (void)state;
  memset(&h, 0, sizeof(h));
  assert_true(isnan(hist_quantile(&h, 0.5, -INFINITY, INFINITY)));
  check_dist(gen_uniform, 1);
  check_dist(gen_uniform, 2);
  check_dist(gen_uniform, 1000);
  check_dist(gen_heavy, 20000);
  check_dist(gen_two_modes, 3600);
  check_dist(gen_signed, 5000);
  /* the example: 1, 2, ..., 10 has p95 9.55 */
  {
    int i;

    for (i = 1; i <= 10; i++)
      hist_add(&h, i);
    assert_rel(hist_quantile(&h, 0.95, 1, 10), 9.55);
    hist_free(&h);
  }
}

static void test_encode_merge(void **state)
{
  hist a, b;
  unsigned char *blob;
  size_t len;
  uint32_t i;

  (void)state;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  assert_int_equal(hist_encode(&a, NULL), 0); /* empty: no bytes */
  hist_add(&a, 1);
  hist_add(&a, 1);
  hist_add(&a, 250);
  hist_add(&a, -3);
  hist_add(&a, 0);
  assert_int_equal(hist_add_key(&a, hist_key(7), 1000000), 0);
  blob = malloc(hist_encode_bound(&a));
  assert_non_null(blob);
  len = hist_encode(&a, blob);
  assert_true(len > 0 && len <= hist_encode_bound(&a) && len < 24);
  assert_int_equal(blob[0], HIST_FORMAT);
  assert_int_equal(hist_merge_blob(&b, blob, len), 0);
  assert_int_equal(hist_merge_blob(&b, blob, len), 0);
  assert_int_equal(b.n, 2 * a.n);
  assert_int_equal(b.len, a.len);
  for (i = 0; i < a.len; i++) {
    assert_int_equal(b.b[i].key, a.b[i].key);
    assert_int_equal(hist_bucket_count(&b.b[i]),
                     2 * hist_bucket_count(&a.b[i]));
  }
  /* empty blob: nothing */
  assert_int_equal(hist_merge_blob(&b, blob, 0), 0);
  free(blob);
  hist_free(&a);
  hist_free(&b);
}

/* A minute of a 1 Hz series takes few buckets; clear gives back a big
 * buffer. */
static void test_compact(void **state)
{
  hist h;
  int i;

  (void)state;
  memset(&h, 0, sizeof(h));
  for (i = 0; i < 60; i++)
    hist_add(&h, 20 + rnd());
  assert_true(h.len <= 4);
  assert_true(h.cap * sizeof(hist_bucket) <= 64);
  hist_clear(&h);
  assert_int_equal(h.n, 0);
  for (i = 0; i < 5000; i++)
    hist_add(&h, 1 + 1000 * rnd());
  assert_true(h.cap > 64);
  hist_clear(&h);
  assert_int_equal(h.cap, 0);
  assert_null(h.b);
  hist_free(&h);
}

static void test_v1(void **state)
{
  /* schema 4 (and 2, 3): bin 100 (1e-3 * 2^(99.5/8) = 5.6 ms) x 3, bin 160 x
   * 200 */
  static const unsigned char v1[] = {100, 3, 160, 0xc8, 0x01};
  static const unsigned char bad[] = {160, 1, 100, 1};
  hist h;

  (void)state;
  memset(&h, 0, sizeof(h));
  assert_int_equal(hist_merge_blob_v1(&h, v1, sizeof(v1)), 0);
  assert_int_equal(h.n, 203);
  assert_rel(hist_quantile(&h, 0, -INFINITY, INFINITY), 1e-3 * exp2(99.5 / 8));
  assert_rel(hist_quantile(&h, 1, -INFINITY, INFINITY),
             1e-3 * exp2(159.5 / 8));
  assert_int_equal(hist_merge_blob_v1(&h, bad, sizeof(bad)), -1);
  /* an old blob is not taken for a new one */
  assert_int_equal(hist_merge_blob(&h, v1, sizeof(v1)), -1);
  hist_free(&h);
}

static void test_malformed(void **state)
{
  /* format byte, then (key, count) varints */
  static const unsigned char zero_step[] = {HIST_FORMAT, 4, 1, 0, 1};
  static const unsigned char cut_varint[] = {HIST_FORMAT, 4, 0x81};
  static const unsigned char no_count[] = {HIST_FORMAT, 4};
  static const unsigned char huge[] = {HIST_FORMAT, 4,    0xff, 0xff, 0xff,
                                       0xff,        0xff, 0xff, 0xff, 0xff,
                                       0xff,        0xff, 0x01};
  static const unsigned char key_range[] = {HIST_FORMAT, 0xff, 0xff, 0x7f, 1};
  static const unsigned char wrong_format[] = {0x07, 4, 1};
  hist h;

  (void)state;
  memset(&h, 0, sizeof(h));
  assert_int_equal(hist_merge_blob(&h, zero_step, sizeof(zero_step)), -1);
  assert_int_equal(hist_merge_blob(&h, cut_varint, sizeof(cut_varint)), -1);
  assert_int_equal(hist_merge_blob(&h, no_count, sizeof(no_count)), -1);
  assert_int_equal(hist_merge_blob(&h, huge, sizeof(huge)), -1);
  assert_int_equal(hist_merge_blob(&h, key_range, sizeof(key_range)), -1);
  assert_int_equal(hist_merge_blob(&h, wrong_format, sizeof(wrong_format)),
                   -1);
  hist_free(&h);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keys),         cmocka_unit_test(test_quantiles),
      cmocka_unit_test(test_encode_merge), cmocka_unit_test(test_compact),
      cmocka_unit_test(test_v1),           cmocka_unit_test(test_malformed),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
