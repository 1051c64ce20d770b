/*
 * icmp_round.c - rounds of the icmp probe.
 *
 * A round is `count` echo requests to one target, `spacing` apart, as
 * smokeping sends them.  Each packet is one "rtt_ms" sample; when the
 * last packet of a round is answered or lost, a round of more than one
 * packet also gives "round_median_ms", "round_loss_pct" and
 * "round_stddev_ms", and the round feeds the target's adaptive interval.
 *
 * Rounds may overlap (a timeout longer than the interval), so each has
 * its own record; finished records go to a free list, so that a steady
 * run allocates nothing.
 */
#include "icmp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

icmp_round *icmp_round_new(icmp_ctx *c, uint32_t target, uint32_t count)
{
  icmp_round *r = c->free_rounds;

  if (r) {
    c->free_rounds = r->next_free;
  } else {
    /* count is the same for every round of an instance. */
    r = malloc(sizeof(*r) + count * sizeof(double));
    if (!r)
      return NULL;
    r->next_all = c->all_rounds;
    c->all_rounds = r;
  }
  r->next_free = NULL;
  r->target = target;
  r->count = count;
  r->sent = r->done = r->lost = r->invalid = r->n_rtt = 0;
  r->wall_ns = r->mono_ns = 0;
  return r;
}

void icmp_round_free_all(icmp_ctx *c)
{
  while (c->all_rounds) {
    icmp_round *r = c->all_rounds;

    c->all_rounds = r->next_all;
    free(r);
  }
  c->free_rounds = NULL;
}

static int icmp_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

void icmp_round_stats(double *v, size_t n, double *median, double *stddev)
{
  double sum = 0.0, mean, sq = 0.0;
  size_t i;

  if (n == 0) {
    *median = *stddev = BN_NOT_MEASURED;
    return;
  }
  qsort(v, n, sizeof(*v), icmp_cmp_double);
  *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  for (i = 0; i < n; i++)
    sum += v[i];
  mean = sum / (double)n;
  for (i = 0; i < n; i++)
    sq += (v[i] - mean) * (v[i] - mean);
  /* Population deviation, as smokeping and the store's series use. */
  *stddev = sqrt(sq / (double)n);
}

void icmp_emit(icmp_ctx *c, icmp_target *tt, const char *metric, double value,
               int64_t wall_ns, int64_t mono_ns, uint32_t flags)
{
  bn_sample s = {BN_INIT(bn_sample), .target = tt->t->name, .metric = metric,
                 .wall_ns = wall_ns, .mono_ns = mono_ns,    .flags = flags};

  s.value = (flags & BN_SAMPLE_LOST) ? BN_NOT_MEASURED : value;
  c->h->api->emit_sample(c->h, &s);
}

void icmp_emit_interval(icmp_ctx *c, icmp_target *tt)
{
  icmp_emit(c, tt, ICMP_METRIC_INTERVAL, (double)tt->interval_ns / 1e6, 0, 0,
            0);
}

/* The three summary samples of a round of several packets. */
static void icmp_round_summary(icmp_ctx *c, icmp_target *tt, icmp_round *r,
                               double median, double stddev)
{
  uint32_t valid = r->count - r->invalid;
  uint32_t none = valid == 0 ? BN_SAMPLE_INVALID : 0;
  uint32_t lost = r->n_rtt == 0 ? BN_SAMPLE_LOST : 0;
  double loss = valid ? 100.0 * r->lost / valid : BN_NOT_MEASURED;

  icmp_emit(c, tt, ICMP_METRIC_MEDIAN, median, r->wall_ns, r->mono_ns,
            none | lost);
  icmp_emit(c, tt, ICMP_METRIC_LOSS, loss, r->wall_ns, r->mono_ns, none);
  icmp_emit(c, tt, ICMP_METRIC_STDDEV, stddev, r->wall_ns, r->mono_ns,
            none | lost);
}

/* Feed the round to the target's adaptive interval; reschedule. */
static void icmp_round_adapt(icmp_ctx *c, icmp_target *tt, icmp_round *r,
                             double median)
{
  const bn_host_api *api = c->h->api;
  int64_t old = tt->interval_ns, now;
  char a[32], b[32];

  /* A round spoilt by a clock step tells nothing about the path. */
  if (r->invalid == r->count)
    return;
  if (!bn_adaptive_update(&tt->ad, median, r->lost > 0))
    return;
  tt->interval_ns = tt->ad.interval_ns;
  if (api->log_enabled(c->h, BN_LOG_DEBUG)) {
    icmp_fmt_duration(old, a, sizeof(a));
    icmp_fmt_duration(tt->interval_ns, b, sizeof(b));
    bn_debug(c->h, "target '%s': interval %s -> %s (volatility %.3f)",
             tt->t->name, a, b, tt->ad.volatility);
  }
  icmp_emit_interval(c, tt);
  /* Between rounds, the next one moves to the new interval at once;
   * a round being sent picks it up when its last packet goes. */
  if (!tt->sending && c->running) {
    now = api->now_mono_ns(c->h);
    tt->due_ns = tt->round_due_ns + tt->interval_ns;
    if (tt->due_ns < now)
      tt->due_ns = now;
    icmp_sched_update(c, tt);
  }
}

void icmp_round_result(icmp_ctx *c, icmp_round *r, double rtt_ms,
                       uint32_t flags)
{
  icmp_target *tt = &c->targets[r->target];
  double median, stddev;

  r->done++;
  /* Lost across a suspend is no loss of the path: invalid first. */
  if (flags & BN_SAMPLE_INVALID)
    r->invalid++;
  else if (flags & BN_SAMPLE_LOST)
    r->lost++;
  else
    r->rtt[r->n_rtt++] = rtt_ms;
  if (r->done < r->count)
    return;
  icmp_round_stats(r->rtt, r->n_rtt, &median, &stddev);
  if (r->count > 1)
    icmp_round_summary(c, tt, r, median, stddev);
  if (c->o.adaptive)
    icmp_round_adapt(c, tt, r, median);
  r->next_free = c->free_rounds;
  c->free_rounds = r;
}
