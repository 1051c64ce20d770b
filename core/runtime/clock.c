/*
 * clock.c - suspend and wall-clock step detection.
 *
 * Two offsets are tracked: boottime - monotonic grows by the time spent
 * suspended; realtime - monotonic changes when the wall clock is set.
 * Small drifts (NTP slewing) stay under the threshold and are ignored.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "clock.h"

static int64_t clock_read(clockid_t id)
{
  struct timespec ts;

  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t clock_mono(const bn_clock *c)
{
  if (c->src.mono)
    return c->src.mono(c->src.arg);
  return clock_read(CLOCK_MONOTONIC);
}

int64_t clock_boot(const bn_clock *c)
{
  if (c->src.boot)
    return c->src.boot(c->src.arg);
  return clock_read(CLOCK_BOOTTIME);
}

int64_t clock_wall(const bn_clock *c)
{
  if (c->src.wall)
    return c->src.wall(c->src.arg);
  return clock_read(CLOCK_REALTIME);
}

void clock_init(bn_clock *c, const clock_source *src)
{
  int64_t mono;

  c->src.mono = NULL;
  c->src.boot = NULL;
  c->src.wall = NULL;
  c->src.arg = NULL;
  if (src)
    c->src = *src;
  mono = clock_mono(c);
  c->boot_off = clock_boot(c) - mono;
  c->wall_off = clock_wall(c) - mono;
  c->threshold = CLOCK_THRESHOLD_NS;
  c->epoch = 0;
  c->last_delta = 0;
}

static int64_t clock_abs(int64_t v)
{
  return v < 0 ? -v : v;
}

clock_change clock_check(bn_clock *c, int64_t *delta_ns)
{
  int64_t mono = clock_mono(c);
  int64_t boot_off = clock_boot(c) - mono;
  int64_t wall_off = clock_wall(c) - mono;
  int64_t slept = boot_off - c->boot_off;
  int64_t stepped = wall_off - c->wall_off;
  clock_change change = CLOCK_STEADY;
  int64_t delta = 0;

  if (slept > c->threshold) {
    change = CLOCK_SUSPENDED;
    delta = slept;
  } else if (clock_abs(stepped) > c->threshold) {
    change = CLOCK_WALL_STEP;
    delta = stepped;
  }
  /* Follow slow drift too, so it never adds up to a false step. */
  c->boot_off = boot_off;
  c->wall_off = wall_off;
  if (change != CLOCK_STEADY) {
    c->epoch++;
    c->last_delta = delta;
  }
  if (delta_ns)
    *delta_ns = delta;
  return change;
}

/* Offsets of the file-driven test clock: "BOOT_NS WALL_NS". */
static void clock_test_offsets(const char *path, int64_t *boot, int64_t *wall)
{
  FILE *f = fopen(path, "r");
  long long b = 0, w = 0;

  *boot = 0;
  *wall = 0;
  if (!f)
    return;
  if (fscanf(f, "%lld %lld", &b, &w) == 2) {
    *boot = b;
    *wall = w;
  }
  fclose(f);
}

static int64_t clock_test_mono(void *arg)
{
  return clock_read(CLOCK_MONOTONIC);
}

static int64_t clock_test_boot(void *arg)
{
  int64_t boot, wall;

  clock_test_offsets(arg, &boot, &wall);
  return clock_read(CLOCK_BOOTTIME) + boot;
}

static int64_t clock_test_wall(void *arg)
{
  int64_t boot, wall;

  clock_test_offsets(arg, &boot, &wall);
  return clock_read(CLOCK_REALTIME) + wall;
}

void clock_test_source(const char *path, clock_source *src)
{
  src->mono = clock_test_mono;
  src->boot = clock_test_boot;
  src->wall = clock_test_wall;
  src->arg = (void *)path;
}

const char *clock_format_wall(int64_t wall_ns, char *buf, unsigned len)
{
  /* Floor division, so that times before 1970 format correctly too. */
  int64_t secs = wall_ns / 1000000000LL, rem = wall_ns % 1000000000LL;
  time_t t;
  struct tm tm;

  if (rem < 0) {
    secs--;
    rem += 1000000000LL;
  }
  t = (time_t)secs;
  gmtime_r(&t, &tm);
  snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           (int)(rem / 1000000));
  return buf;
}
