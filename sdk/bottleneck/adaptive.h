/*
 * bottleneck/adaptive.h - adaptive probing intervals for probe plugins.
 *
 * A probe that measures a target every `interval` wastes packets while
 * the path is quiet and sees too little while it is unsettled.  This
 * helper moves one target's interval between a minimum and a maximum
 * from the results of its rounds: the interval halves when the latency
 * becomes volatile and grows by half when it has been quiet for a while.
 *
 * Header-only (static inline), no allocation, no clock, no libm call:
 * the same series of results always gives the same series of intervals,
 * so a plugin can unit-test its schedule.
 *
 *     bn_adaptive a;
 *     bn_adaptive_init(&a, 250 * BN_ADAPTIVE_MS, 10000 * BN_ADAPTIVE_MS,
 *                      1000 * BN_ADAPTIVE_MS);
 *     ...after each round:
 *     if (bn_adaptive_update(&a, rtt_ms, lost))
 *       reschedule(target, a.interval_ns);
 *
 * The rule (one call to bn_adaptive_update per round):
 *
 *   1. Volatility of the round, a figure in [0, 1]:
 *      - a lost round (or an RTT that is negative, NaN or infinite) is
 *        maximal volatility: 1;
 *      - the first answered round seeds the averages: 0;
 *      - otherwise, with d = |rtt - previous rtt|,
 *            jitter  += (d - jitter) / 4         (EWMA, gain 1/4)
 *            rtt_avg += (rtt - rtt_avg) / 8      (EWMA, gain 1/8)
 *            volatility = jitter / max(rtt_avg, BN_ADAPTIVE_RTT_FLOOR_MS)
 *        clamped to 1.  The floor keeps sub-millisecond loopback or LAN
 *        paths, where a few microseconds of jitter are a large ratio,
 *        from counting as volatile.
 *   2. Decision:
 *      - volatility >= BN_ADAPTIVE_VOLATILE: the interval halves (not
 *        below min) and the quiet count restarts;
 *      - volatility <  BN_ADAPTIVE_QUIET: the round is quiet; after
 *        BN_ADAPTIVE_QUIET_ROUNDS quiet rounds in a row the interval grows
 *        by half, i + i/2 in integer nanoseconds (not above max), and the
 *        quiet count restarts;
 *      - in between: the interval holds and the quiet count restarts.
 *
 * Lost rounds do not move the averages: after a loss, the next answered
 * round is judged against the RTTs before it.
 */
#ifndef BOTTLENECK_ADAPTIVE_H
#define BOTTLENECK_ADAPTIVE_H

#include <math.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One millisecond in nanoseconds, for readable interval constants. */
#define BN_ADAPTIVE_MS INT64_C(1000000)
/** Volatility at or above which the interval halves. */
#define BN_ADAPTIVE_VOLATILE 0.2
/** Volatility below which a round counts as quiet. */
#define BN_ADAPTIVE_QUIET 0.05
/** Quiet rounds in a row after which the interval grows by half. */
#define BN_ADAPTIVE_QUIET_ROUNDS 3u
/** Smallest RTT average (ms) that volatility is taken relative to. */
#define BN_ADAPTIVE_RTT_FLOOR_MS 1.0

/**
 * State of one target's adaptive interval.  Plugins may read every
 * field (e.g. to log the volatility of the last decision) but should
 * change them only through the functions below.
 */
typedef struct bn_adaptive {
  int64_t min_ns;      /**< lower bound of the interval */
  int64_t max_ns;      /**< upper bound of the interval */
  int64_t interval_ns; /**< the current interval */
  double rtt_avg_ms;   /**< EWMA of the RTT (gain 1/8) */
  double jitter_ms;    /**< EWMA of |rtt - previous rtt| (gain 1/4) */
  double prev_rtt_ms;  /**< RTT of the last answered round */
  double volatility;   /**< figure of the last update, 0..1 */
  unsigned quiet;      /**< quiet rounds in a row so far */
  int seeded;          /**< non-zero once a round was answered */
} bn_adaptive;

/**
 * Set up `a` with bounds [min_ns, max_ns] and a first interval of
 * start_ns, clamped into the bounds.  If min_ns > max_ns (a caller's
 * bug: check options first) both bounds become max_ns.
 */
static inline void bn_adaptive_init(bn_adaptive *a, int64_t min_ns,
                                    int64_t max_ns, int64_t start_ns)
{
  if (min_ns > max_ns)
    min_ns = max_ns;
  if (start_ns < min_ns)
    start_ns = min_ns;
  if (start_ns > max_ns)
    start_ns = max_ns;
  a->min_ns = min_ns;
  a->max_ns = max_ns;
  a->interval_ns = start_ns;
  a->rtt_avg_ms = 0.0;
  a->jitter_ms = 0.0;
  a->prev_rtt_ms = 0.0;
  a->volatility = 0.0;
  a->quiet = 0;
  a->seeded = 0;
}

/* Volatility of one round (rule step 1); moves the averages. */
static inline double bn_adaptive_volatility_(bn_adaptive *a, double rtt_ms,
                                             int lost)
{
  double d, v, base;

  if (lost || !isfinite(rtt_ms) || rtt_ms < 0.0)
    return 1.0;
  if (!a->seeded) {
    a->seeded = 1;
    a->rtt_avg_ms = rtt_ms;
    a->jitter_ms = 0.0;
    a->prev_rtt_ms = rtt_ms;
    return 0.0;
  }
  d = rtt_ms - a->prev_rtt_ms;
  if (d < 0.0)
    d = -d;
  a->jitter_ms += (d - a->jitter_ms) / 4.0;
  a->rtt_avg_ms += (rtt_ms - a->rtt_avg_ms) / 8.0;
  a->prev_rtt_ms = rtt_ms;
  base = a->rtt_avg_ms > BN_ADAPTIVE_RTT_FLOOR_MS ? a->rtt_avg_ms
                                                  : BN_ADAPTIVE_RTT_FLOOR_MS;
  v = a->jitter_ms / base;
  return v > 1.0 ? 1.0 : v;
}

/**
 * Feed the result of one round: its RTT in milliseconds (a median for
 * several packets a round) and whether it was lost.  Returns non-zero
 * when a->interval_ns changed; a->volatility holds the figure the
 * decision was based on.
 */
static inline int bn_adaptive_update(bn_adaptive *a, double rtt_ms, int lost)
{
  int64_t old = a->interval_ns, next = old;
  double v = bn_adaptive_volatility_(a, rtt_ms, lost);

  a->volatility = v;
  if (v >= BN_ADAPTIVE_VOLATILE) {
    a->quiet = 0;
    next = old / 2;
  } else if (v < BN_ADAPTIVE_QUIET) {
    if (++a->quiet >= BN_ADAPTIVE_QUIET_ROUNDS) {
      a->quiet = 0;
      next = old + old / 2;
    }
  } else {
    a->quiet = 0;
  }
  if (next < a->min_ns)
    next = a->min_ns;
  if (next > a->max_ns)
    next = a->max_ns;
  a->interval_ns = next;
  return next != old;
}

#ifdef __cplusplus
}
#endif

#endif /* BOTTLENECK_ADAPTIVE_H */
