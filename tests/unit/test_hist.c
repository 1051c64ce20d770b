/*
 * test_hist.c - the histogram sketch of the rollups (core/store/hist.c):
 * percentiles within one bin of the exact ones, merging, and blobs read
 * back from the database that are malformed.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"

static void test_bins(void **state)
{
  int i;

  (void)state;
  assert_int_equal(hist_bin(0), 0);
  assert_int_equal(hist_bin(-3), 0);
  assert_int_equal(hist_bin(NAN), 0);
  assert_int_equal(hist_bin(1e12), HIST_BINS - 1);
  /* each bin's middle falls in that bin, and bins grow by 2^(1/8) */
  for (i = 1; i < HIST_BINS - 1; i++)
    assert_int_equal(hist_bin(hist_value(i)), i);
  assert_true(fabs(hist_value(9) / hist_value(1) - 2) < 1e-9);
}

static void test_quantiles(void **state)
{
  hist h;
  int i;

  (void)state;
  memset(&h, 0, sizeof(h));
  assert_true(isnan(hist_quantile(&h, 0.5, -INFINITY, INFINITY)));
  for (i = 1; i <= 1000; i++)
    hist_add(&h, i / 10.0); /* 0.1 .. 100 ms */
  assert_true(fabs(hist_quantile(&h, 0.5, 0.1, 100) - 50) < 50 * 0.05);
  assert_true(fabs(hist_quantile(&h, 0.95, 0.1, 100) - 95) < 95 * 0.05);
  assert_true(fabs(hist_quantile(&h, 0.05, 0.1, 100) - 5) < 5 * 0.05);
  /* clamped to the exact extremes */
  assert_true(hist_quantile(&h, 0, 0.1, 100) >= 0.1);
  assert_true(hist_quantile(&h, 1, 0.1, 100) <= 100);
}

static void test_encode_merge(void **state)
{
  unsigned char blob[HIST_BLOB_MAX];
  hist a, b;
  size_t len;

  (void)state;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  hist_add(&a, 1);
  hist_add(&a, 1);
  hist_add(&a, 250);
  a.bin[200] += 1000000; /* a count that takes a 3-byte varint */
  a.n += 1000000;
  len = hist_encode(&a, blob);
  assert_true(len > 0 && len < 16);
  assert_int_equal(hist_merge_blob(&b, blob, len), 0);
  assert_int_equal(hist_merge_blob(&b, blob, len), 0);
  assert_int_equal(b.n, 2 * a.n);
  assert_int_equal(b.bin[hist_bin(1)], 4);
  assert_int_equal(b.bin[200], 2000000);
  /* empty blob: nothing */
  assert_int_equal(hist_merge_blob(&b, blob, 0), 0);
}

static void test_malformed(void **state)
{
  static const unsigned char out_of_order[] = {5, 1, 5, 1};
  static const unsigned char cut_varint[] = {5, 0x81};
  static const unsigned char no_count[] = {5};
  static const unsigned char huge[] = {5,    0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  hist h;

  (void)state;
  memset(&h, 0, sizeof(h));
  assert_int_equal(hist_merge_blob(&h, out_of_order, sizeof(out_of_order)),
                   -1);
  assert_int_equal(hist_merge_blob(&h, cut_varint, sizeof(cut_varint)), -1);
  assert_int_equal(hist_merge_blob(&h, no_count, sizeof(no_count)), -1);
  assert_int_equal(hist_merge_blob(&h, huge, sizeof(huge)), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bins),
      cmocka_unit_test(test_quantiles),
      cmocka_unit_test(test_encode_merge),
      cmocka_unit_test(test_malformed),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
