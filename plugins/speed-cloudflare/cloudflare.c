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

typedef struct cf_ctx {
  speed_provider sp; /* must stay first */
  char *base;        /* without a trailing '/' */
  char *up_url, *ping_url;
} cf_ctx;

static const bn_option cf_options[] = {
    {"base_url", BN_OPT_STRING, "https://speed.cloudflare.com",
     "server offering /__down and /__up", 0, 0, 0},
    {"max_bytes", BN_OPT_SIZE, "256M", "largest download request", 1024, 1e12,
     0},
    SPEED_COMMON_OPTIONS,
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

static int cf_check(bn_host *h)
{
  const char *url;

  return speed_provider_url(h, "base_url", &url);
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
  const char *url;
  uint64_t max = 256 * 1024 * 1024;
  size_t n;

  if (speed_provider_url(h, "base_url", &url) != 0 || !url)
    return BN_EINVAL;
  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  speed_provider_init(&c->sp, h);
  c->base = strdup(url);
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
  speed_provider_size(h, "max_bytes", &max);
  c->sp.plan.server = c->base;
  c->sp.plan.down_url = cf_down_url;
  c->sp.plan.arg = c;
  c->sp.plan.up_url = c->up_url;
  c->sp.plan.ping_url = c->ping_url;
  c->sp.plan.down_start = 1000000;
  c->sp.plan.down_max = max;
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

BN_PLUGIN_DEFINE_CHECKED("cloudflare", "1.0", BN_KIND_SPEEDTEST,
                         "speed test against Cloudflare-style __down/__up "
                         "endpoints",
                         cf_options, cf_init, cf_destroy, &cf_ops, cf_check);
