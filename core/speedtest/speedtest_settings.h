/*
 * speedtest_settings.h - the `speedtest:` section of a profile (the
 * core's speed test orchestration settings), the backoff schedule and
 * the bufferbloat grade.
 */
#ifndef BN_CORE_SPEEDTEST_SETTINGS_H
#define BN_CORE_SPEEDTEST_SETTINGS_H

#include <stdint.h>

#include <bottleneck/sdk.h>

#include "conf.h"

/** The `speedtest:` section of a profile, defaults filled in. */
typedef struct speedtest_settings {
  int streams;            /* parallel streams per direction */
  int64_t duration_ns;    /* cap on each transfer phase */
  int64_t timeout_ns;     /* cap on one attempt as a whole */
  int retries;            /* further attempts per provider */
  int64_t backoff_ns;     /* delay before the first retry */
  int64_t backoff_max_ns; /* the delay doubles up to this */
  int download, upload;   /* which phases to run */
} speedtest_settings;

/** The option table of the `speedtest:` section (for docs and checks). */
extern const bn_option speedtest_settings_options[];

/**
 * Validate the profile's `speedtest:` map (may be NULL: all defaults)
 * with FILE:LINE:COL errors, fill in defaults and read it.  Returns 0
 * or BN_EINVAL (logged).
 */
int speedtest_settings_read(bn_node *map, speedtest_settings *out);

/**
 * Backoff before retry `retry` (1 = the first retry): the base doubles
 * each time up to the cap, and the wait is drawn in [base/2, base] so
 * that many clients retrying at once spread out ("equal jitter").
 * `rnd` is a uniform draw in [0, 1).
 */
int64_t speedtest_backoff_ns(const speedtest_settings *s, int retry,
                             double rnd);

/**
 * Bufferbloat grade from the increase of latency under load over idle
 * latency, in ms: A+ < 5, A < 30, B < 60, C < 200, D < 400, else F.
 * NULL when either figure is missing (negative).
 */
const char *speedtest_grade(double idle_ms, double loaded_ms);

#endif
