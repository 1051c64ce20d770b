/*
 * an_detect.h - the three signal detectors of one series, pure C.
 *
 *  - level: robust z of a series against its baseline (rolling median
 *    and MAD).  A short median (default 5 samples) catches level shifts
 *    within a few samples and ignores a lone spike; a long median
 *    (default 30) catches slow ramps and small sustained shifts.  The
 *    latency detector is a level detector on the latency values; the
 *    jitter detector is one on |v[i] - v[i-1]|, the volatility.
 *  - loss: consecutive losses (bursts), the loss rate of the last
 *    `window` probes against the baseline loss rate, and "unreachable":
 *    no answer for `unreachable_ns`.
 *
 * Auto-baselining: a level detector keeps its baseline in force (centre,
 * spread, since when, from how many samples) and a candidate block of
 * the latest samples.  When the block is full and was quiet (the caller
 * says no episode and no loss; the block has no trend and no more
 * volatility than the baseline allows), it refreshes the baseline;
 * otherwise it is dropped.  So a baseline never learns from inside an
 * episode nor from a ramp.  A shift that stays stable for
 * `relearn_ns` becomes the new baseline (a route change is not an
 * anomaly forever).
 */
#ifndef AN_DETECT_H
#define AN_DETECT_H

#include <stddef.h>
#include <stdint.h>

/** Largest windows (fixed-size state, no allocation per sample). */
#define AN_BASE_MAX   128
#define AN_BLOCK_MAX  64
#define AN_RECENT_MAX 64

/** Parameters of a level detector (latency or jitter). */
typedef struct an_level_cfg {
  int base_n;          /**< samples in the baseline (<= AN_BASE_MAX) */
  int warmup_n;        /**< samples before the first baseline */
  int block_n;         /**< candidate block size (<= AN_BLOCK_MAX) */
  int short_n;         /**< short median: level shifts (<= long_n) */
  int long_n;          /**< long median: ramps (<= AN_RECENT_MAX) */
  double z_short;      /**< short-median z that scores 0.5 */
  double z_long;       /**< long-median z that scores 0.5 */
  double min_spread;   /**< absolute floor of the spread (units of v) */
  double rel_spread;   /**< floor of the spread relative to |centre| */
  double min_shift;    /**< a shift this size (units of v) scores at most
                            0.5; smaller ones less (0: no bound) */
  double trend_z;      /**< block halves differing more: not quiet */
  double accept_score; /**< samples scoring above: block not quiet */
  int both_ways;       /**< score drops too (not only rises) */
  int64_t relearn_ns;  /**< stable shift adopted after this (0: never) */
} an_level_cfg;

/** The baseline in force of one detector. */
typedef struct an_baseline {
  double centre;    /**< median */
  double spread;    /**< 1.4826 MAD with the floors applied */
  double mad;       /**< raw MAD */
  int64_t since_ns; /**< time it was (re)learned */
  uint32_t samples; /**< samples it was learned from */
  int valid;        /**< non-zero once learned */
} an_baseline;

/** State of a level detector. */
typedef struct an_level {
  an_baseline base;
  float ring[AN_BASE_MAX];     /**< baseline samples */
  float block[AN_BLOCK_MAX];   /**< candidate samples */
  float recent[AN_RECENT_MAX]; /**< latest values, all of them */
  uint16_t ring_n, ring_head, block_n, recent_n, recent_head;
  uint8_t block_dirty;    /**< the block saw a loud sample or episode */
  int64_t block_first_ns; /**< time of the block's first sample */
  int64_t shift_since_ns; /**< stable shifted blocks since (0: none) */
  double z;               /**< last z (short or long, the larger) */
  double delta;           /**< last short median - centre */
  double level;           /**< last short median */
  double score;           /**< last score */
} an_level;

/** Parameters of the loss detector. */
typedef struct an_loss_cfg {
  int window;             /**< probes in the rate window (<= 64) */
  int burst_min;          /**< consecutive losses that score 0.5 */
  int min_lost;           /**< fewer lost in the window: rate scores 0 */
  double rate_on;         /**< excess loss rate that scores 0.5 */
  int64_t unreachable_ns; /**< no answer this long: unreachable */
  int unreachable_min;    /**< and at least this many lost in a row */
  double base_alpha;      /**< EWMA weight of a quiet probe (loss base) */
  int clear_n;            /**< this many answers in a row: loss is over */
} an_loss_cfg;

/** State of the loss detector of one series. */
typedef struct an_loss {
  uint64_t bits;          /**< 1 = lost, newest in bit 0 */
  uint32_t seen;          /**< probes seen (saturates) */
  uint32_t run;           /**< consecutive losses now */
  int64_t first_ns;       /**< first probe */
  int64_t last_answer_ns; /**< last answer (0: never) */
  double base_rate;       /**< baseline loss rate (0..1) */
  double rate;            /**< last window loss rate */
  double burst_score, rate_score, unreachable_score;
} an_loss;

/** Defaults of a latency detector (documented in docs/anomaly.md). */
void an_level_cfg_latency(an_level_cfg *c);
/** Defaults of a jitter (volatility) detector. */
void an_level_cfg_jitter(an_level_cfg *c);
/** Defaults of the loss detector. */
void an_loss_cfg_default(an_loss_cfg *c);
/** Clamp a config's sizes into the supported ranges. */
void an_level_cfg_clamp(an_level_cfg *c);
void an_loss_cfg_clamp(an_loss_cfg *c);

/** Reset a level detector (no baseline). */
void an_level_init(an_level *d);
/**
 * Feed one value at time t_ns.  `quiet` non-zero: the caller sees no
 * episode and no loss, so the sample may refresh the baseline.
 * Returns the score in [0, 1] (0 while there is no baseline).
 */
double an_level_add(an_level *d, const an_level_cfg *c, double v, int64_t t_ns,
                    int quiet);
/** Install a stored baseline (restart without relearning). */
void an_level_set_baseline(an_level *d, const an_level_cfg *c,
                           const an_baseline *b);

/** Reset a loss detector. */
void an_loss_init(an_loss *d);
/**
 * Feed one probe outcome (lost or answered) at t_ns; `quiet` as above.
 * Returns the loss score (max of burst and rate) in [0, 1]; the
 * unreachable score is in d->unreachable_score (0 or 1).
 */
double an_loss_add(an_loss *d, const an_loss_cfg *c, int lost, int64_t t_ns,
                   int quiet);
/** Time passes without any probe result: re-check unreachable. */
void an_loss_tick(an_loss *d, const an_loss_cfg *c, int64_t t_ns);

#endif /* AN_DETECT_H */
