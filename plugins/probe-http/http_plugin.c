/*
 * http_plugin.c - the `http` probe: HTTP(S) request timings (DNS, TCP
 * connect, TLS handshake, time to first byte, total), status and size,
 * measured by libcurl on the core loop.  This file holds the life cycle:
 * init (options, URLs, the multi handle), start (one staggered interval
 * timer per target), stop and destroy.  See docs/probe-http.md.
 */
#include "http.h"

#include <stdlib.h>

static void http_on_tick(bn_timer *t, void *arg)
{
  http_request_send(arg);
}

/* Stop the interval timers and drop requests in flight, unreported. */
static void http_cancel_all(http_ctx *c)
{
  size_t i;

  for (i = 0; i < c->n_targets; i++) {
    c->h->api->timer_free(c->targets[i].tick);
    c->targets[i].tick = NULL;
  }
  while (c->requests)
    http_request_drop(c->requests);
}

static int http_start(void *ctx)
{
  http_ctx *c = ctx;
  const bn_host_api *api = c->h->api;
  size_t i;

  for (i = 0; i < c->n_targets; i++) {
    http_target *tt = &c->targets[i];
    /* Spread the first requests over the first interval. */
    int64_t first = c->cfg.interval_ns * (int64_t)i / (int64_t)c->n_targets;

    tt->tick =
        api->timer_start(c->h, first, c->cfg.interval_ns, http_on_tick, tt);
    if (!tt->tick) {
      bn_error(c->h, "cannot start a timer for target '%s'", tt->t->name);
      http_cancel_all(c);
      return BN_ENOMEM;
    }
  }
  return 0;
}

static void http_stop(void *ctx)
{
  http_cancel_all(ctx);
}

static void http_destroy(void *ctx)
{
  http_ctx *c = ctx;
  size_t i;

  if (!c)
    return;
  http_cancel_all(c);
  curl_loop_close(&c->loop);
  for (i = 0; i < c->n_targets; i++)
    free(c->targets[i].url);
  free(c->targets);
  if (c->curl_ready)
    curl_global_cleanup();
  free(c);
}

static int http_init_targets(http_ctx *c)
{
  bn_host *h = c->h;
  const bn_target *ts;
  size_t i, n = 0;
  int rc = 0, r;

  ts = h->api->targets(h, &n);
  c->targets = calloc(n ? n : 1, sizeof(*c->targets));
  if (!c->targets)
    return BN_ENOMEM;
  c->n_targets = n;
  for (i = 0; i < n; i++) {
    http_target *tt = &c->targets[i];

    tt->ctx = c;
    tt->t = &ts[i];
    r = http_target_url(h, &c->cfg, &ts[i], &tt->url);
    if (r < 0) {
      rc = rc ? rc : r; /* go on: report every bad target */
      continue;
    }
    bn_debug(h, "target '%s': %s %s", ts[i].name, c->cfg.head ? "HEAD" : "GET",
             tt->url);
  }
  return rc;
}

static int http_init(bn_host *h, void **out)
{
  http_ctx *c;
  int rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = http_config_read(h, &c->cfg);
  if (rc < 0)
    goto fail;
  rc = http_init_targets(c);
  if (rc < 0)
    goto fail;
  /* Reference-counted by libcurl, so instances may come and go. */
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    bn_error(h, "curl_global_init failed");
    rc = BN_ERR;
    goto fail;
  }
  c->curl_ready = 1;
  rc = curl_loop_open(&c->loop, h, http_request_finished, c);
  if (rc < 0)
    goto fail;
  *out = c;
  return 0;

fail:
  http_destroy(c);
  return rc;
}

static const bn_probe_ops http_ops = {
    .struct_size = sizeof(bn_probe_ops),
    .start = http_start,
    .stop = http_stop,
};

static const bn_metric http_metrics[] = {
    {.name = "dns_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .help = "name lookup time (new connections only)"},
    {.name = "connect_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .help = "TCP connect time after the lookup (new connections only)"},
    {.name = "tls_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .help = "TLS handshake time (new https connections only)"},
    {.name = "ttfb_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .help = "time to the first byte of the response"},
    {.name = "total_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .flags = BN_METRIC_PRIMARY,
     .help = "time of the whole request (lost: failed or unexpected "
             "status)"},
    {.name = "http_status",
     .unit = "1",
     .role = BN_ROLE_STATUS,
     .agg = BN_AGG_LAST,
     .help = "HTTP status code of the response"},
    {.name = "size_bytes",
     .unit = "byte",
     .role = BN_ROLE_COUNT,
     .agg = BN_AGG_MEAN,
     .help = "size of the response body"},
    BN_METRICS_END};

BN_PLUGIN(.name = "http", .version = "1.0", .kind = BN_KIND_PROBE,
          .summary = "HTTP(S) timings: DNS, connect, TLS, TTFB, total",
          .options = http_options, .metrics = http_metrics, .init = http_init,
          .destroy = http_destroy, .ops = &http_ops, .check = http_check);
