/*
 * ewma.c - an example anomaly detector: latency spikes against an
 * exponentially weighted moving average, built out of tree against the
 * installed SDK (`make && make install`).
 *
 * It sees every sample of every probe, with the metric's declaration,
 * and keeps the ones whose role is BN_ROLE_LATENCY: it never looks at a
 * metric's name, so it works for probes written after it (the udpecho
 * example's "udp_echo_rtt_ms" as much as the icmp probe's RTT).
 *
 * Per series (probe, target, metric) it keeps the EWMA of the values and
 * of their absolute deviation from it (alpha).  After `warmup` samples,
 * a value more than `threshold` deviations and at least `min_rise_ms`
 * above the mean opens an episode: one event, "latency_ewma", WARNING
 * with score = deviations above the mean, CRITICAL from twice the
 * threshold.  Values of an episode do not move the baseline.  `calm`
 * normal values in a row close it with an INFO event that gives the
 * peak; finish() closes what is still open when the run ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bottleneck/sdk.h>

typedef struct ewma_config {
  double alpha;       /* weight of a new value */
  double threshold;   /* deviations above the mean that make a spike */
  double min_rise_ms; /* and at least this much above it */
  int64_t warmup;     /* samples before the first judgement */
  int64_t calm;       /* normal values in a row that close an episode */
} ewma_config;

static const bn_option ewma_options[] = {
    {.name = "alpha",
     .type = BN_OPT_DOUBLE,
     .def = "0.1",
     .help = "weight of a new value in the moving averages",
     .min = 0.001,
     .max = 1,
     BN_FIELD(ewma_config, alpha)},
    {.name = "threshold",
     .type = BN_OPT_DOUBLE,
     .def = "4",
     .help = "mean absolute deviations above the mean that make a spike",
     .min = 1,
     .max = 1000,
     BN_FIELD(ewma_config, threshold)},
    {.name = "min_rise_ms",
     .type = BN_OPT_DOUBLE,
     .def = "10",
     .help = "a spike is also at least this many ms above the mean",
     .min = 0,
     .max = 1e6,
     BN_FIELD(ewma_config, min_rise_ms)},
    {.name = "warmup",
     .type = BN_OPT_INT,
     .def = "10",
     .help = "samples of a series before it is judged",
     .min = 2,
     .max = 1000000,
     BN_FIELD(ewma_config, warmup)},
    {.name = "calm",
     .type = BN_OPT_INT,
     .def = "3",
     .help = "normal values in a row that close an episode",
     .min = 1,
     .max = 1000000,
     BN_FIELD(ewma_config, calm)},
    BN_OPTIONS_END,
};

/* One latency series and its baseline. */
typedef struct ewma_series {
  struct ewma_series *next;
  char *probe, *target, *metric;
  double to_ms;     /* factor from the metric's unit to ms */
  int64_t n;        /* samples in the baseline */
  double mean, dev; /* EWMA of the values and of |value - mean| */
  int in_episode;
  int64_t episode_n; /* spikes of the open episode */
  int64_t normal_n;  /* normal values in a row within the episode */
  double peak;       /* highest value of the open episode */
  double peak_score;
} ewma_series;

typedef struct ewma_ctx {
  bn_host *h;
  ewma_config cfg;
  ewma_series *series;
} ewma_ctx;

/* Milliseconds per unit of a latency metric, or 0 for a unit that is no
 * time (then min_rise_ms is not applied). */
static double ewma_unit_ms(const char *unit)
{
  if (!unit)
    return 0;
  if (strcmp(unit, "ms") == 0)
    return 1;
  if (strcmp(unit, "s") == 0)
    return 1e3;
  if (strcmp(unit, "us") == 0)
    return 1e-3;
  if (strcmp(unit, "ns") == 0)
    return 1e-6;
  return 0;
}

static char *ewma_strdup(const char *s)
{
  size_t n = strlen(s ? s : "") + 1;
  char *d = malloc(n);

  if (d)
    memcpy(d, s ? s : "", n);
  return d;
}

static ewma_series *ewma_find(ewma_ctx *c, const char *probe,
                              const bn_metric *m, const char *target)
{
  ewma_series *s;

  for (s = c->series; s; s = s->next)
    if (strcmp(s->probe, probe) == 0 && strcmp(s->target, target) == 0 &&
        strcmp(s->metric, m->name) == 0)
      return s;
  s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->probe = ewma_strdup(probe);
  s->target = ewma_strdup(target);
  s->metric = ewma_strdup(m->name);
  if (!s->probe || !s->target || !s->metric) {
    free(s->probe);
    free(s->target);
    free(s->metric);
    free(s);
    return NULL;
  }
  s->to_ms = ewma_unit_ms(m->unit);
  s->next = c->series;
  c->series = s;
  return s;
}

static void ewma_event(ewma_ctx *c, const ewma_series *s, bn_severity sev,
                       double score, int64_t wall_ns, const char *msg)
{
  bn_event e = {
      BN_INIT(bn_event),  .target = s->target, .type = "latency_ewma",
      .severity = sev,    .score = score,      .message = msg,
      .wall_ns = wall_ns,
  };

  if (c->h->api->emit_event(c->h, &e) < 0)
    bn_warn(c->h, "cannot emit an event for %s", s->target);
}

/* Close an open episode with an INFO event. */
static void ewma_close(ewma_ctx *c, ewma_series *s, int64_t wall_ns,
                       const char *why)
{
  char msg[256];

  snprintf(msg, sizeof(msg),
           "%s %s: %s after %lld spikes; peak %.3g (%.1f deviations above "
           "the mean %.3g)",
           s->probe, s->metric, why, (long long)s->episode_n, s->peak,
           s->peak_score, s->mean);
  ewma_event(c, s, BN_SEV_INFO, s->peak_score, wall_ns, msg);
  s->in_episode = 0;
}

static int ewma_on_sample(void *ctx, const char *probe, const bn_metric *m,
                          const bn_sample *smp)
{
  ewma_ctx *c = ctx;
  ewma_series *s;
  double v = smp->value, dev, score, line;
  char msg[256];

  /* Select by role: the name of the metric does not matter. */
  if (!m || m->role != BN_ROLE_LATENCY || !smp->target || !bn_measured(v) ||
      (smp->flags & (BN_SAMPLE_LOST | BN_SAMPLE_INVALID | BN_SAMPLE_LATE |
                     BN_SAMPLE_DUP | BN_SAMPLE_ERROR)))
    return 0;
  s = ewma_find(c, probe, m, smp->target);
  if (!s)
    return BN_ENOMEM;
  if (s->n == 0) {
    s->mean = v;
    s->dev = 0;
    s->n = 1;
    return 0;
  }
  /* A deviation of zero (a perfectly stable series) would make any
   * change infinitely large: give it a floor of 1 % of the mean. */
  dev = s->dev > s->mean * 0.01 ? s->dev : s->mean * 0.01;
  if (dev <= 0)
    dev = 1e-9;
  score = (v - s->mean) / dev;
  line = s->mean + c->cfg.threshold * dev;
  if (s->to_ms > 0 && s->mean + c->cfg.min_rise_ms / s->to_ms > line)
    line = s->mean + c->cfg.min_rise_ms / s->to_ms;
  if (s->n >= c->cfg.warmup && v > line) {
    if (!s->in_episode) {
      s->in_episode = 1;
      s->episode_n = 0;
      s->normal_n = 0;
      s->peak = v;
      s->peak_score = score;
      snprintf(msg, sizeof(msg),
               "%s %s %.3g %s: %.1f deviations above the mean %.3g", probe,
               m->name, v, m->unit ? m->unit : "", score, s->mean);
      ewma_event(c, s,
                 score >= 2 * c->cfg.threshold ? BN_SEV_CRITICAL
                                               : BN_SEV_WARNING,
                 score, smp->wall_ns, msg);
    }
    s->episode_n++;
    s->normal_n = 0;
    if (v > s->peak) {
      s->peak = v;
      s->peak_score = score;
    }
    return 0; /* a spike does not move the baseline */
  }
  /* Answers arrive out of order (a late one among prompt ones): an
   * episode ends after `calm` normal values in a row, not at the first. */
  if (s->in_episode && ++s->normal_n < c->cfg.calm)
    return 0;
  if (s->in_episode)
    ewma_close(c, s, smp->wall_ns, "back to normal");
  s->dev += c->cfg.alpha * (fabs(v - s->mean) - s->dev);
  s->mean += c->cfg.alpha * (v - s->mean);
  s->n++;
  return 0;
}

/* The run ends: close open episodes now, so that they are stored. */
static int ewma_finish(void *ctx)
{
  ewma_ctx *c = ctx;
  ewma_series *s;

  for (s = c->series; s; s = s->next)
    if (s->in_episode)
      ewma_close(c, s, 0, "still high when the run ended");
  return 0;
}

static int ewma_init(bn_host *h, void **ctx)
{
  ewma_ctx *c = calloc(1, sizeof(*c));
  int rc;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = h->api->cfg_fill(h, &c->cfg);
  if (rc < 0) {
    free(c);
    return rc;
  }
  *ctx = c;
  return 0;
}

static void ewma_destroy(void *ctx)
{
  ewma_ctx *c = ctx;

  while (c->series) {
    ewma_series *s = c->series;

    c->series = s->next;
    free(s->probe);
    free(s->target);
    free(s->metric);
    free(s);
  }
  free(c);
}

static const bn_anomaly_ops ewma_ops = {
    BN_INIT(bn_anomaly_ops),
    .on_sample = ewma_on_sample,
    .on_paths = NULL,
    .finish = ewma_finish,
};

BN_PLUGIN(.name = "ewma", .version = "1.0", .kind = BN_KIND_ANOMALY,
          .summary = "example: latency spikes over a moving average",
          .options = ewma_options, .init = ewma_init, .destroy = ewma_destroy,
          .ops = &ewma_ops);
