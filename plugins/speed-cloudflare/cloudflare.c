/*
 * cloudflare.c - the `cloudflare` speed test provider: the endpoints of
 * speed.cloudflare.com (or any server that mimics them, base_url):
 *
 *   GET  {base}/__down?bytes=N   N bytes of payload
 *   POST {base}/__up             accepts and discards the body
 *
 * Latency is measured with __down?bytes=0.  Download sizes start at
 * 1 MB and double while a request takes under half a second, as the
 * real test ramps up its sizes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bottleneck/sdk.h>

#include "speed_provider.h"

/* The options, filled by the host (cfg_fill). */
typedef struct cf_config {
  speed_common_config common;
  const char *base_url;
  uint64_t max_bytes;
} cf_config;

typedef struct cf_ctx {
  speed_provider sp; /* must stay first */
  cf_config cfg;
  char *base; /* without a trailing '/' */
  char *up_url, *ping_url;
} cf_ctx;

static const bn_option cf_options[] = {
    {.name = "base_url",
     .type = BN_OPT_STRING,
     .def = "https://speed.cloudflare.com",
     .help = "server offering /__down and /__up",
     BN_FIELD(cf_config, base_url)},
    {.name = "max_bytes",
     .type = BN_OPT_SIZE,
     .def = "256MiB",
     .help = "largest download request",
     .min = 1024,
     .max = 1e12,
     BN_FIELD(cf_config, max_bytes)},
    SPEED_COMMON_OPTIONS(cf_config),
    BN_OPTIONS_END,
};

static uint64_t cf_down_url(void *arg, uint64_t bytes, char *buf, size_t len)
{
  cf_ctx *c = arg;
  int n = snprintf(buf, len, "%s/__down?bytes=%" PRIu64, c->base, bytes);

  return n > 0 && (size_t)n < len ? bytes : 0;
}

static char *cf_join(const char *base, const char *path)
{
  size_t n = strlen(base) + strlen(path) + 1;
  char *s = malloc(n);

  if (s)
    snprintf(s, n, "%s%s", base, path);
  return s;
}

/* The options and the URL: 0 or BN_EINVAL (logged). */
static int cf_read(bn_host *h, cf_config *cfg)
{
  memset(cfg, 0, sizeof(*cfg));
  if (h->api->cfg_fill(h, cfg) != 0)
    return BN_EINVAL;
  if (speed_provider_url(h, "base_url", cfg->base_url) != 0 || !cfg->base_url)
    return BN_EINVAL;
  return 0;
}

static int cf_check(bn_host *h)
{
  cf_config cfg;

  return cf_read(h, &cfg);
}

static void cf_destroy(void *ctx)
{
  cf_ctx *c = ctx;

  if (!c)
    return;
  speed_provider_fini(&c->sp);
  free(c->base);
  free(c->up_url);
  free(c->ping_url);
  free(c);
}

static int cf_init(bn_host *h, void **out)
{
  cf_ctx *c;
  size_t n;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  if (cf_read(h, &c->cfg) != 0) {
    free(c);
    return BN_EINVAL;
  }
  speed_provider_init(&c->sp, h, &c->cfg.common);
  c->base = strdup(c->cfg.base_url);
  if (c->base) {
    n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/')
      c->base[--n] = '\0';
    c->up_url = cf_join(c->base, "/__up");
    c->ping_url = cf_join(c->base, "/__down?bytes=0");
  }
  if (!c->base || !c->up_url || !c->ping_url) {
    cf_destroy(c);
    return BN_ENOMEM;
  }
  c->sp.plan.server = c->base;
  c->sp.plan.down_url = cf_down_url;
  c->sp.plan.arg = c;
  c->sp.plan.up_url = c->up_url;
  c->sp.plan.ping_url = c->ping_url;
  c->sp.plan.down_start = 1000000;
  c->sp.plan.down_max = c->cfg.max_bytes;
  c->sp.plan.up_start = 256 * 1024;
  c->sp.plan.up_max = 8 * 1024 * 1024;
  *out = c;
  return 0;
}

static const bn_speedtest_ops cf_ops = {
    .struct_size = sizeof(bn_speedtest_ops),
    .run = speed_provider_run,
    .cancel = speed_provider_cancel,
};

BN_PLUGIN(.name = "cloudflare", .version = "1.0", .kind = BN_KIND_SPEEDTEST,
          .summary = "speed test against Cloudflare-style __down/__up "
                     "endpoints",
          .options = cf_options, .init = cf_init, .destroy = cf_destroy,
          .ops = &cf_ops, .check = cf_check);
