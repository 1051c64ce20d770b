/*
 * undeclared.c - sdk_examples.sh: a probe that declares "declared_ms"
 * and emits "undeclared_ms".  The host must refuse those samples with an
 * error naming the plugin and the metric, and store none of them.
 */
#include <stdlib.h>

#include <bottleneck/sdk.h>

typedef struct liar {
  bn_host *h;
  bn_timer *t;
} liar;

static const bn_metric liar_metrics[] = {
    {.name = "declared_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .help = "declared, never emitted"},
    BN_METRICS_END,
};

static void liar_tick(bn_timer *t, void *arg)
{
  liar *c = arg;
  size_t n;
  const bn_target *tg = c->h->api->targets(c->h, &n);
  bn_sample s = {BN_INIT(bn_sample), .target = n ? tg[0].name : "none",
                 .metric = "undeclared_ms", .value = 1};

  (void)t;
  c->h->api->emit_sample(c->h, &s);
}

static int liar_init(bn_host *h, void **ctx)
{
  liar *c = calloc(1, sizeof(*c));

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  *ctx = c;
  return 0;
}

static void liar_destroy(void *ctx)
{
  liar *c = ctx;

  c->h->api->timer_free(c->t);
  free(c);
}

static int liar_start(void *ctx)
{
  liar *c = ctx;

  c->t = c->h->api->timer_start(c->h, 100000000, 100000000, liar_tick, c);
  return c->t ? 0 : BN_ERR;
}

static void liar_stop(void *ctx)
{
  liar *c = ctx;

  c->h->api->timer_free(c->t);
  c->t = NULL;
}

static const bn_probe_ops liar_ops = {
    BN_INIT(bn_probe_ops),
    .start = liar_start,
    .stop = liar_stop,
};

BN_PLUGIN(.name = "liar", .version = "1.0", .kind = BN_KIND_PROBE,
          .summary = "emits a metric it does not declare",
          .metrics = liar_metrics, .init = liar_init, .destroy = liar_destroy,
          .ops = &liar_ops);
