/*
 * http_speed.c - the `http` speed test provider: download any URL and
 * upload to any endpoint that accepts a POST, e.g. a file on your own
 * web server and a discard endpoint beside it.  The download URL is
 * fetched again and again by each stream until the duration cap.
 * Latency: ping_url, or a HEAD of the download URL.
 */
#include <stdlib.h>

#include <bottleneck/sdk.h>

#include "speed_provider.h"

typedef struct hs_ctx {
  speed_provider sp; /* must stay first */
} hs_ctx;

static const bn_option hs_options[] = {
    {"download_url", BN_OPT_STRING, NULL, "URL to download (GET)", 0, 0, 1},
    {"upload_url", BN_OPT_STRING, NULL,
     "URL that accepts POST bodies (none: no upload)", 0, 0, 0},
    {"ping_url", BN_OPT_STRING, NULL,
     "small URL for latency (default: HEAD of download_url)", 0, 0, 0},
    {"upload_max", BN_OPT_SIZE, "8M", "largest upload request", 1024, 1e12, 0},
    SPEED_COMMON_OPTIONS,
    BN_OPTIONS_END,
};

static int hs_urls(bn_host *h, speed_plan *plan)
{
  int rc = speed_provider_url(h, "download_url", &plan->down_fixed);

  if (speed_provider_url(h, "upload_url", &plan->up_url) != 0)
    rc = BN_EINVAL;
  if (speed_provider_url(h, "ping_url", &plan->ping_url) != 0)
    rc = BN_EINVAL;
  return rc;
}

static int hs_check(bn_host *h)
{
  speed_plan plan = {0};

  return hs_urls(h, &plan);
}

static void hs_destroy(void *ctx)
{
  hs_ctx *c = ctx;

  if (!c)
    return;
  speed_provider_fini(&c->sp);
  free(c);
}

static int hs_init(bn_host *h, void **out)
{
  hs_ctx *c = calloc(1, sizeof(*c));
  speed_plan *plan;
  uint64_t up_max = 8 * 1024 * 1024;

  if (!c)
    return BN_ENOMEM;
  speed_provider_init(&c->sp, h);
  plan = &c->sp.plan;
  if (hs_urls(h, plan) != 0 || !plan->down_fixed) {
    free(c);
    return BN_EINVAL;
  }
  if (!plan->ping_url) {
    plan->ping_url = plan->down_fixed;
    plan->ping_head = 1;
  }
  speed_provider_size(h, "upload_max", &up_max);
  plan->server = plan->down_fixed;
  plan->up_start = 256 * 1024;
  plan->up_max = up_max;
  *out = c;
  return 0;
}

static const bn_speedtest_ops hs_ops = {
    .struct_size = sizeof(bn_speedtest_ops),
    .run = speed_provider_run,
    .cancel = speed_provider_cancel,
};

BN_PLUGIN_DEFINE_CHECKED("http", "1.0", BN_KIND_SPEEDTEST,
                         "speed test by downloading any URL and uploading "
                         "to any endpoint",
                         hs_options, hs_init, hs_destroy, &hs_ops, hs_check);
