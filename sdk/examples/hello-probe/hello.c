/*
 * hello.c - the smallest useful Bottleneck probe, built out of tree with
 * nothing but <bottleneck/sdk.h> and pkg-config:
 *
 *     make && make install
 *
 * Every `interval` it emits one "hello_counter" sample per target: the
 * number of ticks so far.  It shows the whole life cycle: init() reads
 * the options and allocates a context, start() registers a timer on the
 * host's loop, stop() cancels it, destroy() frees the context.
 */
#include <stdlib.h>

#include <bottleneck/sdk.h>

typedef struct hello_ctx {
  bn_host *host;       /* the host as this instance sees it */
  int64_t interval_ns; /* option "interval" */
  bn_timer *timer;     /* running between start() and stop() */
  double ticks;        /* value of the next sample */
} hello_ctx;

/* The host validates the profile against this table, fills in defaults
 * and prints it for `bottleneck plugins --describe hello`. */
static const bn_option hello_options[] = {
    {"interval", BN_OPT_DURATION, "1s", "time between two samples", 0.001,
     3600, 0},
    BN_OPTIONS_END,
};

static void hello_tick(bn_timer *t, void *arg)
{
  hello_ctx *c = arg;
  const bn_target *targets;
  size_t n, i;

  (void)t; /* a repeating timer: nothing to re-arm */
  c->ticks += 1;
  targets = c->host->api->targets(c->host, &n);
  for (i = 0; i < n; i++) {
    bn_sample s = {0};

    s.target = targets[i].name;
    s.metric = "hello_counter";
    s.value = c->ticks;
    /* wall_ns = mono_ns = 0: the host stamps the sample with "now". */
    if (c->host->api->emit_sample(c->host, &s) < 0)
      bn_warn(c->host, "cannot emit a sample for %s", targets[i].name);
  }
  bn_debug(c->host, "tick %.0f: %zu samples", c->ticks, n);
}

static int hello_init(bn_host *h, void **ctx)
{
  hello_ctx *c;
  int rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->host = h;
  rc = h->api->cfg_duration(h, h->api->config(h), "interval", &c->interval_ns);
  if (rc < 0) {
    free(c);
    return rc;
  }
  *ctx = c;
  return 0;
}

static void hello_destroy(void *ctx)
{
  hello_ctx *c = ctx;

  c->host->api->timer_free(c->timer);
  free(c);
}

static int hello_start(void *ctx)
{
  hello_ctx *c = ctx;

  c->timer = c->host->api->timer_start(c->host, c->interval_ns, c->interval_ns,
                                       hello_tick, c);
  if (!c->timer) {
    bn_error(c->host, "cannot start a timer");
    return BN_ERR;
  }
  bn_info(c->host, "emitting hello_counter every %.3f s",
          (double)c->interval_ns / 1e9);
  return 0;
}

static void hello_stop(void *ctx)
{
  hello_ctx *c = ctx;

  c->host->api->timer_free(c->timer);
  c->timer = NULL;
}

static const bn_probe_ops hello_ops = {
    sizeof(bn_probe_ops),
    hello_start,
    hello_stop,
};

BN_PLUGIN_DEFINE("hello", "1.0", BN_KIND_PROBE,
                 "example: a counter sample per target every interval",
                 hello_options, hello_init, hello_destroy, &hello_ops);
