/*
 * test_clock.c - suspend and wall-step detection with a test clock.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"

typedef struct fake_time {
  int64_t mono, boot, wall;
} fake_time;

static int64_t fake_mono(void *arg)
{
  return ((fake_time *)arg)->mono;
}
static int64_t fake_boot(void *arg)
{
  return ((fake_time *)arg)->boot;
}
static int64_t fake_wall(void *arg)
{
  return ((fake_time *)arg)->wall;
}

#define SEC 1000000000LL

static void fake_init(bn_clock *c, fake_time *t, const clock_source *src)
{
  t->mono = 100 * SEC;
  t->boot = 150 * SEC;
  t->wall = 1700000000LL * SEC;
  clock_init(c, src);
}

/* All three clocks move together: time passes, nothing happens. */
static void test_steady(void **state)
{
  fake_time t;
  clock_source src = {fake_mono, fake_boot, fake_wall, &t};
  bn_clock c;
  int64_t d = -1;

  fake_init(&c, &t, &src);
  t.mono += 5 * SEC;
  t.boot += 5 * SEC;
  t.wall += 5 * SEC;
  assert_int_equal(clock_check(&c, &d), CLOCK_STEADY);
  assert_int_equal(d, 0);
  assert_int_equal(c.epoch, 0);
  assert_int_equal(clock_mono(&c), 105 * SEC);
}

/* Boottime runs on while monotonic stood still: a suspend of 30 s. */
static void test_suspend(void **state)
{
  fake_time t;
  clock_source src = {fake_mono, fake_boot, fake_wall, &t};
  bn_clock c;
  int64_t d;

  fake_init(&c, &t, &src);
  t.mono += 1 * SEC;
  t.boot += 31 * SEC;
  t.wall += 31 * SEC;
  assert_int_equal(clock_check(&c, &d), CLOCK_SUSPENDED);
  assert_int_equal(d, 30 * SEC);
  assert_int_equal(c.epoch, 1);
  /* The new offsets are the baseline: the next check is steady. */
  t.mono += SEC;
  t.boot += SEC;
  t.wall += SEC;
  assert_int_equal(clock_check(&c, NULL), CLOCK_STEADY);
  assert_int_equal(c.epoch, 1);
}

/* The wall clock is set back an hour: a step, in either direction. */
static void test_wall_step(void **state)
{
  fake_time t;
  clock_source src = {fake_mono, fake_boot, fake_wall, &t};
  bn_clock c;
  int64_t d;

  fake_init(&c, &t, &src);
  t.wall -= 3600 * SEC;
  assert_int_equal(clock_check(&c, &d), CLOCK_WALL_STEP);
  assert_int_equal(d, -3600 * SEC);
  t.wall += 2 * SEC;
  assert_int_equal(clock_check(&c, &d), CLOCK_WALL_STEP);
  assert_int_equal(d, 2 * SEC);
  assert_int_equal(c.epoch, 2);
}

/* NTP slewing moves the wall clock a little at a time: never a step. */
static void test_slew_below_threshold(void **state)
{
  fake_time t;
  clock_source src = {fake_mono, fake_boot, fake_wall, &t};
  bn_clock c;
  int i;

  fake_init(&c, &t, &src);
  for (i = 0; i < 100; i++) {
    t.mono += SEC / 4;
    t.boot += SEC / 4;
    t.wall += SEC / 4 + 10 * 1000 * 1000; /* +10 ms each check */
    assert_int_equal(clock_check(&c, NULL), CLOCK_STEADY);
  }
  assert_int_equal(c.epoch, 0);
}

/* Suspend and a wall step at once count as one suspend. */
static void test_suspend_wins(void **state)
{
  fake_time t;
  clock_source src = {fake_mono, fake_boot, fake_wall, &t};
  bn_clock c;

  fake_init(&c, &t, &src);
  t.boot += 10 * SEC;
  t.wall += 20 * SEC;
  assert_int_equal(clock_check(&c, NULL), CLOCK_SUSPENDED);
  assert_int_equal(c.epoch, 1);
}

static void test_system_clock(void **state)
{
  bn_clock c;
  int64_t a, b;

  clock_init(&c, NULL);
  a = clock_mono(&c);
  b = clock_mono(&c);
  assert_true(b >= a);
  assert_true(clock_boot(&c) >= a);
  assert_true(clock_wall(&c) > 1600000000LL * SEC);
}

/* The file-driven test clock: offsets appear as a suspend, then a step. */
static void test_file_clock(void **state)
{
  char path[] = "/tmp/bn-clock-XXXXXX";
  int fd = mkstemp(path);
  clock_source src;
  bn_clock c;
  FILE *f;

  assert_true(fd >= 0);
  close(fd);
  clock_test_source(path, &src);
  clock_init(&c, &src);
  assert_int_equal(clock_check(&c, NULL), CLOCK_STEADY);
  f = fopen(path, "w");
  fprintf(f, "%lld %lld\n", 30 * SEC, 30 * SEC);
  fclose(f);
  assert_int_equal(clock_check(&c, NULL), CLOCK_SUSPENDED);
  f = fopen(path, "w");
  fprintf(f, "%lld %lld\n", 30 * SEC, 20 * SEC);
  fclose(f);
  assert_int_equal(clock_check(&c, NULL), CLOCK_WALL_STEP);
  assert_int_equal(c.epoch, 2);
  unlink(path);
  /* A missing file means no offsets: the wall clock steps back. */
  assert_int_equal(clock_check(&c, NULL), CLOCK_WALL_STEP);
}

static void test_format(void **state)
{
  char buf[40];

  assert_string_equal(
      clock_format_wall(1700000000123456789LL, buf, sizeof(buf)),
      "2023-11-14T22:13:20.123Z");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_steady),
      cmocka_unit_test(test_suspend),
      cmocka_unit_test(test_wall_step),
      cmocka_unit_test(test_slew_below_threshold),
      cmocka_unit_test(test_suspend_wins),
      cmocka_unit_test(test_system_clock),
      cmocka_unit_test(test_file_clock),
      cmocka_unit_test(test_format),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
