/*
 * an_detect.c - level (latency, jitter) and loss detectors of a series.
 */
#include "an_detect.h"

#include "an_stats.h"

#include <math.h>
#include <string.h>

void an_level_cfg_latency(an_level_cfg *c)
{
  *c = (an_level_cfg){
      .base_n = 128,
      .warmup_n = 30,
      .block_n = 32,
      .short_n = 5,
      .long_n = 30,
      .z_short = 6.0,
      .z_long = 4.0,
      /* Floor 0.1 ms: a sub-ms target on a busy host wobbles by a few
       * tenths of a ms from scheduling alone, which is no network
       * event; the short median then needs +0.6 ms to open. */
      .min_spread = 0.1,
      .rel_spread = 0.02,
      /* Effect size: however steady the baseline, a shift under 5 ms
       * is no network event worth an episode (a sub-ms LAN target on a
       * host that stalls for a few ms would otherwise open one at
       * z > 30); a low-latency link sets min_shift lower. */
      .min_shift = 5.0,
      .trend_z = 1.5,
      .accept_score = 0.2,
      .both_ways = 0,
      .relearn_ns = 600LL * 1000000000LL,
  };
}

void an_level_cfg_jitter(an_level_cfg *c)
{
  an_level_cfg_latency(c);
  c->short_n = 9;
  c->z_short = 6.0;
  c->z_long = 5.0;
  c->min_spread = 0.2; /* same reason: +1.2 ms of volatility opens */
  c->rel_spread = 0.1;
  c->min_shift = 3.0; /* median |difference| +3 ms: audible on a call */
  c->trend_z = 3.0;
}

void an_loss_cfg_default(an_loss_cfg *c)
{
  *c = (an_loss_cfg){
      .window = 60,
      .burst_min = 3,
      .min_lost = 3,
      .rate_on = 0.05,
      .unreachable_ns = 10LL * 1000000000LL,
      .unreachable_min = 3,
      .base_alpha = 1.0 / 1024,
      .clear_n = 5,
  };
}

static int an_clampi(int v, int lo, int hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

void an_level_cfg_clamp(an_level_cfg *c)
{
  c->base_n = an_clampi(c->base_n, 4, AN_BASE_MAX);
  c->block_n = an_clampi(c->block_n, 4, AN_BLOCK_MAX);
  c->long_n = an_clampi(c->long_n, 1, AN_RECENT_MAX);
  c->short_n = an_clampi(c->short_n, 1, c->long_n);
  c->warmup_n = an_clampi(c->warmup_n, 3, c->base_n);
}

void an_loss_cfg_clamp(an_loss_cfg *c)
{
  c->window = an_clampi(c->window, 1, 64);
  c->burst_min = an_clampi(c->burst_min, 1, 1 << 20);
  c->min_lost = an_clampi(c->min_lost, 1, c->window);
  c->unreachable_min = an_clampi(c->unreachable_min, 1, 1 << 20);
  c->clear_n = an_clampi(c->clear_n, 1, 64);
}

void an_level_init(an_level *d)
{
  memset(d, 0, sizeof(*d));
  d->base.centre = NAN;
  d->base.spread = NAN;
  d->base.mad = NAN;
}

static double an_floor_spread(const an_level_cfg *c, double centre, double mad)
{
  double s = AN_MAD_SCALE * mad;
  double f = c->rel_spread * fabs(centre);

  if (s < f)
    s = f;
  if (s < c->min_spread)
    s = c->min_spread;
  if (!(s > 0))
    s = 1e-9;
  return s;
}

static void an_level_learn(an_level *d, const an_level_cfg *c, int64_t t_ns)
{
  float scratch[AN_BASE_MAX];
  double med, mad;

  an_median_mad(d->ring, d->ring_n, scratch, &med, &mad);
  d->base.centre = med;
  d->base.mad = mad;
  d->base.spread = an_floor_spread(c, med, mad);
  d->base.since_ns = t_ns;
  d->base.samples = d->ring_n;
  d->base.valid = 1;
}

static void an_ring_push(an_level *d, const an_level_cfg *c, float v)
{
  d->ring[d->ring_head] = v;
  d->ring_head = (uint16_t)((d->ring_head + 1) % c->base_n);
  if (d->ring_n < c->base_n)
    d->ring_n++;
}

/* Median of the newest n values of the recent ring. */
static double an_recent_median(const an_level *d, int n)
{
  float tmp[AN_RECENT_MAX];
  int i;

  for (i = 0; i < n; i++)
    tmp[i] =
        d->recent[(d->recent_head + AN_RECENT_MAX - 1 - i) % AN_RECENT_MAX];
  return an_median(tmp, (size_t)n);
}

static double an_level_z(const an_level *d, const an_level_cfg *c, double m)
{
  double z = (m - d->base.centre) / d->base.spread;

  return c->both_ways ? fabs(z) : z;
}

/* The block is full: refresh the baseline when it was quiet, adopt a
 * stable shift after relearn_ns, or drop it. */
static void an_level_block_done(an_level *d, const an_level_cfg *c,
                                int64_t t_ns)
{
  float tmp[AN_BLOCK_MAX];
  int n = d->block_n, h = n / 2;
  double m1, m2, mb, madb, trend, shift;
  int quiet_shape;

  memcpy(tmp, d->block, (size_t)h * sizeof(float));
  m1 = an_median(tmp, (size_t)h);
  memcpy(tmp, d->block + h, (size_t)(n - h) * sizeof(float));
  m2 = an_median(tmp, (size_t)(n - h));
  an_median_mad(d->block, (size_t)n, tmp, &mb, &madb);
  trend = fabs(m2 - m1) / d->base.spread;
  shift = fabs(mb - d->base.centre) / d->base.spread;
  quiet_shape = trend <= c->trend_z &&
                an_floor_spread(c, mb, madb) <= 3 * d->base.spread;
  if (!d->block_dirty && quiet_shape) {
    for (int i = 0; i < n; i++)
      an_ring_push(d, c, d->block[i]);
    an_level_learn(d, c, t_ns);
    d->shift_since_ns = 0;
  } else if (quiet_shape && shift > c->z_long && c->relearn_ns > 0) {
    if (d->shift_since_ns == 0) {
      d->shift_since_ns = d->block_first_ns;
    } else if (t_ns - d->shift_since_ns >= c->relearn_ns) {
      d->ring_n = 0;
      d->ring_head = 0;
      for (int i = 0; i < n; i++)
        an_ring_push(d, c, d->block[i]);
      an_level_learn(d, c, t_ns);
      d->shift_since_ns = 0;
    }
  } else {
    d->shift_since_ns = 0;
  }
  d->block_n = 0;
  d->block_dirty = 0;
}

double an_level_add(an_level *d, const an_level_cfg *c, double v, int64_t t_ns,
                    int quiet)
{
  double zs, zl = 0, ms, score;

  d->recent[d->recent_head] = (float)v;
  d->recent_head = (uint16_t)((d->recent_head + 1) % AN_RECENT_MAX);
  if (d->recent_n < AN_RECENT_MAX)
    d->recent_n++;

  if (!d->base.valid) {
    an_ring_push(d, c, (float)v);
    if (d->ring_n >= c->warmup_n)
      an_level_learn(d, c, t_ns);
    d->score = 0;
    return 0;
  }

  ms =
      an_recent_median(d, d->recent_n < c->short_n ? d->recent_n : c->short_n);
  zs = an_level_z(d, c, ms);
  d->delta = ms - d->base.centre;
  d->level = ms;
  score = an_score(zs, c->z_short);
  /* The long median can only add a score the short one bounds: skip it
   * when that bound is negligible (most samples; saves half the CPU). */
  if (d->recent_n >= c->long_n && an_score(zs, c->z_long) >= 0.05) {
    double sl;

    /* The long median counts only while the short one agrees: a ramp
     * (short above long) or a sustained shift, not the tail of a shift
     * that has already ended. */
    zl = an_level_z(d, c, an_recent_median(d, c->long_n));
    sl = an_score(zl < zs ? zl : zs, c->z_long);
    if (sl > score)
      score = sl;
  }
  /* The effect-size bound: the short median's shift is the larger one
   * whenever the long median counts (it counts only below the short). */
  if (c->min_shift > 0) {
    double cap =
        an_score(c->both_ways ? fabs(d->delta) : d->delta, c->min_shift);

    if (score > cap)
      score = cap;
  }
  d->z = zs > zl ? zs : zl;
  d->score = score;

  if (d->block_n == 0)
    d->block_first_ns = t_ns;
  d->block[d->block_n++] = (float)v;
  if (!quiet || score > c->accept_score)
    d->block_dirty = 1;
  if (d->block_n >= c->block_n)
    an_level_block_done(d, c, t_ns);
  return score;
}

void an_level_set_baseline(an_level *d, const an_level_cfg *c,
                           const an_baseline *b)
{
  d->base = *b;
  d->base.spread = an_floor_spread(c, b->centre, b->mad);
  d->base.valid = 1;
  /* The ring restarts from the stored centre, so refreshes blend in. */
  d->ring_n = 0;
  d->ring_head = 0;
  for (int i = 0; i < c->block_n; i++)
    an_ring_push(d, c, (float)b->centre);
}

void an_loss_init(an_loss *d)
{
  memset(d, 0, sizeof(*d));
}

static void an_loss_unreachable(an_loss *d, const an_loss_cfg *c, int64_t t_ns)
{
  int64_t ref = d->last_answer_ns ? d->last_answer_ns : d->first_ns;

  d->unreachable_score =
      d->run >= (uint32_t)c->unreachable_min && t_ns - ref >= c->unreachable_ns
          ? 1.0
          : 0.0;
}

double an_loss_add(an_loss *d, const an_loss_cfg *c, int lost, int64_t t_ns,
                   int quiet)
{
  uint32_t n;
  uint64_t mask, clear;
  int lost_w;

  if (d->seen == 0)
    d->first_ns = t_ns;
  d->bits = (d->bits << 1) | (lost ? 1u : 0u);
  if (d->seen < UINT32_MAX)
    d->seen++;
  if (lost) {
    d->run++;
  } else {
    d->run = 0;
    d->last_answer_ns = t_ns;
  }
  n = d->seen < (uint32_t)c->window ? d->seen : (uint32_t)c->window;
  mask = n >= 64 ? ~0ULL : (1ULL << n) - 1;
  lost_w = __builtin_popcountll(d->bits & mask);
  d->rate = (double)lost_w / n;

  d->burst_score = 0;
  if (d->run >= (uint32_t)c->burst_min) {
    double extra = (double)(d->run - c->burst_min) / c->burst_min;

    d->burst_score = extra >= 1 ? 1.0 : 0.5 + 0.5 * extra;
  }
  /* The window's rate counts while losses go on: once clear_n probes
   * in a row were answered, the loss is over. */
  clear = c->clear_n >= 64 ? ~0ULL : (1ULL << c->clear_n) - 1;
  d->rate_score = lost_w >= c->min_lost && (d->bits & clear)
                      ? an_score(d->rate - d->base_rate, c->rate_on)
                      : 0;
  an_loss_unreachable(d, c, t_ns);
  if (quiet)
    d->base_rate += c->base_alpha * ((lost ? 1.0 : 0.0) - d->base_rate);
  return d->burst_score > d->rate_score ? d->burst_score : d->rate_score;
}

void an_loss_tick(an_loss *d, const an_loss_cfg *c, int64_t t_ns)
{
  if (d->seen)
    an_loss_unreachable(d, c, t_ns);
}
