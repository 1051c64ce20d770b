/*
 * clock.h - the core's clocks.  Compares CLOCK_MONOTONIC (stops during
 * suspend), CLOCK_BOOTTIME (keeps counting through suspend) and
 * CLOCK_REALTIME (can be stepped) so that a suspend/resume or a
 * wall-clock step is noticed.  Each one bumps the clock epoch, which
 * probes compare to flag samples in flight as invalid.
 *
 * The sources are pluggable so tests can hand the core a test clock.
 */
#ifndef BN_CORE_CLOCK_H
#define BN_CORE_CLOCK_H

#include <stdint.h>

/** Where time comes from.  NULL functions use the system clocks. */
typedef struct clock_source {
  int64_t (*mono)(void *arg); /* CLOCK_MONOTONIC, ns */
  int64_t (*boot)(void *arg); /* CLOCK_BOOTTIME, ns */
  int64_t (*wall)(void *arg); /* CLOCK_REALTIME, ns */
  void *arg;
} clock_source;

/** What clock_check noticed. */
typedef enum clock_change {
  CLOCK_STEADY = 0,
  CLOCK_SUSPENDED = 1, /* boottime advanced more than monotonic */
  CLOCK_WALL_STEP = 2, /* realtime moved relative to monotonic */
} clock_change;

typedef struct bn_clock {
  clock_source src;
  int64_t boot_off;   /* boot - mono at the last check */
  int64_t wall_off;   /* wall - mono at the last check */
  int64_t threshold;  /* smallest change reported, ns */
  uint64_t epoch;     /* bumped on every change */
  int64_t last_delta; /* size of the last change, ns */
} bn_clock;

/** Default threshold: changes under 50 ms are NTP slewing, not steps. */
#define CLOCK_THRESHOLD_NS (50 * 1000 * 1000LL)

/** Initialise with a source (NULL: the system clocks). */
void clock_init(bn_clock *c, const clock_source *src);

int64_t clock_mono(const bn_clock *c);
int64_t clock_boot(const bn_clock *c);
int64_t clock_wall(const bn_clock *c);

/**
 * Compare the clocks with the last check.  Returns what changed (a
 * suspend wins over a wall step when both happened) and bumps the epoch;
 * *delta_ns gets the size of the change when not NULL.
 */
clock_change clock_check(bn_clock *c, int64_t *delta_ns);

/**
 * A test clock driven by a file: the system clocks, plus offsets read
 * from PATH on every call, as two integers "BOOT_NS WALL_NS".  Adding S
 * seconds to both simulates a suspend of S seconds (monotonic stood
 * still); adding to WALL_NS alone simulates a wall-clock step.  A
 * missing or unreadable file means no offsets.  Used by end-to-end tests
 * through BOTTLENECK_TEST_CLOCK; `path` must outlive the source.
 */
void clock_test_source(const char *path, clock_source *src);

/** Format a wall time as RFC 3339 UTC with milliseconds. */
const char *clock_format_wall(int64_t wall_ns, char *buf, unsigned len);

#endif
