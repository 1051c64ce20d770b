/*
 * an_plugin.c - SDK glue of the anomaly plugins: metric roles in,
 * episode events out.
 *
 * Samples are selected by the role their probe declared (latency, loss,
 * jitter; other roles are ignored), never by metric name; latency and
 * jitter values in s, us or ns are scaled to ms so that the spread
 * floors (in ms) mean the same for every probe.  Each episode gives one
 * event when it opens, one each time its severity rises and one when it
 * closes; the event type carries the phase and the five-level severity
 * ("anomaly.open.high"), the message the dominant signal, each signal's
 * score, and for a close the start, end, duration and peak.
 */
#include "an_plugin.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct an_plugin {
  bn_host *h;
  an_plugin_cfg cfg;
  an_config ecfg;
  an_engine *eng;
} an_plugin;

void an_plugin_cfg_default(an_plugin_cfg *p)
{
  an_config c;

  an_config_default(&c);
  *p = (an_plugin_cfg){
      .cooldown_ns = c.cooldown_ns,
      .persist = 1,
      .open_threshold = c.open_threshold,
      .close_threshold = c.close_threshold,
      .sev_low = c.sev_low,
      .sev_medium = c.sev_medium,
      .sev_high = c.sev_high,
      .w_latency = c.weight[AN_SIG_LATENCY],
      .w_loss = c.weight[AN_SIG_LOSS],
      .w_jitter = c.weight[AN_SIG_JITTER],
      .w_unreachable = c.weight[AN_SIG_UNREACHABLE],
      .lat_baseline = c.latency.base_n,
      .lat_warmup = c.latency.warmup_n,
      .lat_short = c.latency.short_n,
      .lat_long = c.latency.long_n,
      .lat_z_short = c.latency.z_short,
      .lat_z_long = c.latency.z_long,
      .lat_min_spread_ms = c.latency.min_spread,
      .lat_rel_spread = c.latency.rel_spread,
      .lat_min_shift_ms = c.latency.min_shift,
      .lat_relearn_ns = c.latency.relearn_ns,
      .lat_both_ways = c.latency.both_ways,
      .loss_window = c.loss.window,
      .loss_burst = c.loss.burst_min,
      .loss_min_lost = c.loss.min_lost,
      .loss_clear = c.loss.clear_n,
      .loss_rate = c.loss.rate_on,
      .loss_unreachable_ns = c.loss.unreachable_ns,
      .loss_unreachable_critical = c.unreachable_critical,
      .jit_short = c.jitter.short_n,
      .jit_long = c.jitter.long_n,
      .jit_z_short = c.jitter.z_short,
      .jit_z_long = c.jitter.z_long,
      .jit_min_spread_ms = c.jitter.min_spread,
      .jit_min_shift_ms = c.jitter.min_shift,
  };
}

void an_plugin_cfg_apply(const an_plugin_cfg *p, unsigned signals,
                         an_config *c)
{
  an_config_default(c);
  c->signals = signals;
  c->cooldown_ns = p->cooldown_ns;
  c->open_threshold = p->open_threshold;
  c->close_threshold = p->close_threshold;
  c->sev_low = p->sev_low;
  c->sev_medium = p->sev_medium;
  c->sev_high = p->sev_high;
  c->weight[AN_SIG_LATENCY] = p->w_latency;
  c->weight[AN_SIG_LOSS] = p->w_loss;
  c->weight[AN_SIG_JITTER] = p->w_jitter;
  c->weight[AN_SIG_UNREACHABLE] = p->w_unreachable;
  c->latency.base_n = p->lat_baseline;
  c->latency.warmup_n = p->lat_warmup;
  c->latency.short_n = p->lat_short;
  c->latency.long_n = p->lat_long;
  c->latency.z_short = p->lat_z_short;
  c->latency.z_long = p->lat_z_long;
  c->latency.min_spread = p->lat_min_spread_ms;
  c->latency.rel_spread = p->lat_rel_spread;
  c->latency.min_shift = p->lat_min_shift_ms;
  c->latency.relearn_ns = p->lat_relearn_ns;
  c->latency.both_ways = p->lat_both_ways;
  c->loss.window = p->loss_window;
  c->loss.burst_min = p->loss_burst;
  c->loss.min_lost = p->loss_min_lost;
  c->loss.clear_n = p->loss_clear;
  c->loss.rate_on = p->loss_rate;
  c->loss.unreachable_ns = p->loss_unreachable_ns;
  c->unreachable_critical = p->loss_unreachable_critical;
  c->jitter.base_n = p->lat_baseline;
  c->jitter.warmup_n = p->lat_warmup;
  c->jitter.short_n = p->jit_short;
  c->jitter.long_n = p->jit_long;
  c->jitter.z_short = p->jit_z_short;
  c->jitter.z_long = p->jit_z_long;
  c->jitter.min_spread = p->jit_min_spread_ms;
  c->jitter.min_shift = p->jit_min_shift_ms;
  c->jitter.relearn_ns = p->lat_relearn_ns;
  an_config_clamp(c);
}

bn_severity an_plugin_bn_severity(an_severity s)
{
  switch (s) {
  case AN_SEV_CRITICAL:
    return BN_SEV_CRITICAL;
  case AN_SEV_HIGH:
  case AN_SEV_MEDIUM:
    return BN_SEV_WARNING;
  default:
    return BN_SEV_INFO;
  }
}

static void an_rfc3339(int64_t ns, char *buf, size_t len)
{
  time_t sec = (time_t)(ns / 1000000000LL);
  struct tm tm;

  if (!gmtime_r(&sec, &tm) ||
      strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, len, "%lld", (long long)ns);
}

/* The episode row in the history (SDK 3.1; an older host has none). */
static void an_plugin_episode(an_plugin *p, const an_episode *ep)
{
  char sig[128];
  int n = 0;
  bn_episode row = {
      BN_INIT(bn_episode),
      .id = ep->id,
      .target = ep->target,
      .start_ns = ep->start_ns,
      .end_ns = ep->phase == AN_EP_CLOSE ? ep->end_ns : 0,
      .level = an_plugin_bn_severity(ep->severity),
      .severity = an_severity_name(ep->severity),
      .peak = ep->peak_confidence,
      .dominant = an_signal_name(ep->dominant),
      .signals = sig,
  };

  if (p->h->api->struct_size <
      offsetof(bn_host_api, emit_episode) + sizeof(void *))
    return;
  sig[0] = 0;
  for (int k = 0; k < AN_SIG_N && n >= 0 && (size_t)n < sizeof(sig); k++)
    n += snprintf(sig + n, sizeof(sig) - (size_t)n, "%s%s=%.2f", k ? " " : "",
                  an_signal_name((an_signal)k), ep->scores[k]);
  p->h->api->emit_episode(p->h, &row);
}

static void an_plugin_emit(const an_episode *ep, void *arg)
{
  an_plugin *p = arg;
  char type[64], msg[512], start[32], end[32];
  int n;
  bn_event ev = {
      BN_INIT(bn_event),
      .target = ep->target,
      .type = type,
      .severity = an_plugin_bn_severity(ep->severity),
      .score = ep->confidence,
      .message = msg,
      .wall_ns = ep->now_ns,
  };

  snprintf(type, sizeof(type), "anomaly.%s.%s", an_phase_name(ep->phase),
           an_severity_name(ep->severity));
  an_rfc3339(ep->start_ns, start, sizeof(start));
  if (ep->phase == AN_EP_CLOSE) {
    an_rfc3339(ep->end_ns, end, sizeof(end));
    n = snprintf(msg, sizeof(msg),
                 "%s %s episode #%llu closed: %s to %s (%.1f s), peak "
                 "confidence %.2f;",
                 an_severity_name(ep->severity), an_signal_name(ep->dominant),
                 (unsigned long long)ep->id, start, end,
                 (double)(ep->end_ns - ep->start_ns) / 1e9,
                 ep->peak_confidence);
  } else {
    n = snprintf(
        msg, sizeof(msg), "%s %s episode #%llu %s since %s, confidence %.2f;",
        an_severity_name(ep->severity), an_signal_name(ep->dominant),
        (unsigned long long)ep->id,
        ep->phase == AN_EP_OPEN ? "opened" : "rose", start, ep->confidence);
  }
  for (int k = 0; k < AN_SIG_N && n > 0 && (size_t)n < sizeof(msg); k++)
    n += snprintf(msg + n, sizeof(msg) - (size_t)n, " %s=%.2f",
                  an_signal_name((an_signal)k), ep->scores[k]);
  if (ep->probe && n > 0 && (size_t)n < sizeof(msg))
    snprintf(msg + n, sizeof(msg) - (size_t)n, " (%s %s)", ep->probe,
             ep->metric);
  p->h->api->emit_event(p->h, &ev);
  an_plugin_episode(p, ep);
}

/* ---- baselines in the history (SDK 3.1) ---- */

static int an_plugin_has(bn_host *h, size_t off)
{
  return h->api->struct_size >= off + sizeof(void *);
}

typedef struct an_load_arg {
  const char *kind;
  an_baseline *b;
  double *rate;
  int found;
} an_load_arg;

static int an_plugin_load_one(const bn_baseline *b, void *arg)
{
  an_load_arg *a = arg;

  if (!b->kind || strcmp(b->kind, a->kind) != 0)
    return 0;
  memset(a->b, 0, sizeof(*a->b));
  a->b->centre = b->centre;
  a->b->spread = b->spread;
  /* the floors of the spread apply again when it is installed */
  a->b->mad = b->spread / 1.4826;
  a->b->since_ns = b->since_ns;
  a->b->samples =
      (uint32_t)(b->samples > UINT32_MAX ? UINT32_MAX : b->samples);
  a->b->valid = b->samples > 0;
  *a->rate = b->loss_rate;
  a->found = 1;
  return 1;
}

static int an_plugin_load(void *arg, const char *target, const char *probe,
                          const char *metric, const char *kind, an_baseline *b,
                          double *loss_rate)
{
  an_plugin *p = arg;
  bn_query q = {BN_INIT(bn_query), .target = target, .probe = probe,
                .metric = metric};
  an_load_arg a = {kind, b, loss_rate, 0};

  if (p->h->api->baselines_each(p->h, &q, an_plugin_load_one, &a) < 0)
    return 0;
  return a.found;
}

static void an_plugin_save(void *arg, const char *target, const char *probe,
                           const char *metric, const char *kind,
                           const an_baseline *b, double loss_rate)
{
  an_plugin *p = arg;
  bn_baseline row = {
      BN_INIT(bn_baseline),  .target = target,       .probe = probe,
      .metric = metric,      .kind = kind,           .centre = b->centre,
      .spread = b->spread,   .loss_rate = loss_rate, .since_ns = b->since_ns,
      .samples = b->samples,
  };

  p->h->api->baseline_put(p->h, &row);
}

int an_plugin_check(bn_host *h)
{
  an_plugin_cfg c;
  int rc = 0;

  an_plugin_cfg_default(&c);
  if (h->api->cfg_fill(h, &c) < 0)
    return BN_EINVAL;
  if (c.close_threshold > c.open_threshold)
    rc = h->api->cfg_error(h, h->api->config(h),
                           "close_threshold %.2f is above open_threshold "
                           "%.2f: lower it",
                           c.close_threshold, c.open_threshold);
  if (c.sev_low > c.sev_medium || c.sev_medium > c.sev_high)
    rc = h->api->cfg_error(h, h->api->config(h),
                           "severity_low <= severity_medium <= "
                           "severity_high must hold");
  if (c.lat_short > c.lat_long || c.jit_short > c.jit_long)
    rc = h->api->cfg_error(h, h->api->config(h),
                           "a short window is longer than its long window");
  return rc;
}

int an_plugin_init(bn_host *h, void **ctx, unsigned signals)
{
  an_plugin *p = calloc(1, sizeof(*p));
  int rc;

  if (!p)
    return BN_ENOMEM;
  p->h = h;
  an_plugin_cfg_default(&p->cfg);
  rc = h->api->cfg_fill(h, &p->cfg);
  if (rc < 0) {
    free(p);
    return rc;
  }
  an_plugin_cfg_apply(&p->cfg, signals, &p->ecfg);
  p->eng = an_engine_new(&p->ecfg, an_plugin_emit, p);
  if (!p->eng) {
    free(p);
    return BN_ENOMEM;
  }
  if (p->cfg.persist &&
      an_plugin_has(h, offsetof(bn_host_api, baselines_each))) {
    an_store st = {an_plugin_load, an_plugin_save, p};

    an_engine_set_store(p->eng, &st);
  }
  *ctx = p;
  return 0;
}

void an_plugin_destroy(void *ctx)
{
  an_plugin *p = ctx;

  if (!p)
    return;
  an_engine_free(p->eng);
  free(p);
}

/* Scale of a time unit to ms (1 for ms and anything unknown). */
static double an_unit_ms(const char *unit)
{
  if (!unit)
    return 1;
  if (strcmp(unit, "s") == 0)
    return 1e3;
  if (strcmp(unit, "us") == 0)
    return 1e-3;
  if (strcmp(unit, "ns") == 0)
    return 1e-6;
  return 1;
}

static int an_plugin_sample(void *ctx, const char *probe, const bn_metric *m,
                            const bn_sample *s)
{
  an_plugin *p = ctx;
  an_role role;
  unsigned flags = 0;
  double v;
  int64_t t;

  if (!m || !s || !s->target)
    return 0;
  switch (m->role) {
  case BN_ROLE_LATENCY:
    role = AN_ROLE_LATENCY;
    break;
  case BN_ROLE_LOSS:
    role = AN_ROLE_LOSS;
    break;
  case BN_ROLE_JITTER:
    role = AN_ROLE_JITTER;
    break;
  default:
    return 0;
  }
  if (s->flags & BN_SAMPLE_INVALID)
    flags |= AN_F_INVALID;
  if (s->flags & (BN_SAMPLE_LOST | BN_SAMPLE_ERROR))
    flags |= AN_F_LOST;
  /* a late or duplicate answer is not a probe of its own */
  if (s->flags & (BN_SAMPLE_LATE | BN_SAMPLE_DUP))
    return 0;
  v = s->value;
  if (role != AN_ROLE_LOSS && bn_measured(v))
    v *= an_unit_ms(m->unit);
  if (role == AN_ROLE_LOSS && m->unit && strcmp(m->unit, "ratio") == 0)
    v *= 100;
  t = s->wall_ns ? s->wall_ns : p->h->api->now_wall_ns(p->h);
  if (an_engine_sample(p->eng, s->target, probe ? probe : "", m->name, role,
                       (m->flags & BN_METRIC_PRIMARY) != 0, v, t, flags) < 0)
    return BN_ENOMEM;
  return 0;
}

static int an_plugin_finish(void *ctx)
{
  an_plugin *p = ctx;

  an_engine_finish(p->eng);
  return 0;
}

const bn_anomaly_ops an_plugin_ops = {
    .struct_size = sizeof(bn_anomaly_ops),
    .on_sample = an_plugin_sample,
    .on_paths = NULL,
    .finish = an_plugin_finish,
};
