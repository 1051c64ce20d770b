/*
 * http_speed.c - the `http` speed test provider: download any URL and
 * upload to any endpoint that accepts a POST, e.g. a file on your own
 * web server and a discard endpoint beside it.  The download URL is
 * fetched again and again by each stream until the duration cap.
 * Latency: ping_url, or a HEAD of the download URL.
 */
#include <stdlib.h>
#include <string.h>

#include <bottleneck/sdk.h>

#include "speed_provider.h"

/* The options, filled by the host (cfg_fill). */
typedef struct hs_config {
  speed_common_config common;
  const char *download_url;
  const char *upload_url;
  const char *ping_url;
  uint64_t upload_max;
} hs_config;

typedef struct hs_ctx {
  speed_provider sp; /* must stay first */
  hs_config cfg;
} hs_ctx;

static const bn_option hs_options[] = {
    {.name = "download_url",
     .type = BN_OPT_STRING,
     .help = "URL to download (GET)",
     .required = 1,
     BN_FIELD(hs_config, download_url)},
    {.name = "upload_url",
     .type = BN_OPT_STRING,
     .help = "URL that accepts POST bodies (none: no upload)",
     BN_FIELD(hs_config, upload_url)},
    {.name = "ping_url",
     .type = BN_OPT_STRING,
     .help = "small URL for latency (default: HEAD of download_url)",
     BN_FIELD(hs_config, ping_url)},
    {.name = "upload_max",
     .type = BN_OPT_SIZE,
     .def = "8MiB",
     .help = "largest upload request",
     .min = 1024,
     .max = 1e12,
     BN_FIELD(hs_config, upload_max)},
    SPEED_COMMON_OPTIONS(hs_config),
    BN_OPTIONS_END,
};

/* The options and the URLs, every problem reported: 0 or BN_EINVAL. */
static int hs_read(bn_host *h, hs_config *cfg)
{
  int rc = 0;

  memset(cfg, 0, sizeof(*cfg));
  if (h->api->cfg_fill(h, cfg) != 0)
    rc = BN_EINVAL;
  if (speed_provider_url(h, "download_url", cfg->download_url) != 0 ||
      !cfg->download_url)
    rc = BN_EINVAL;
  if (speed_provider_url(h, "upload_url", cfg->upload_url) != 0)
    rc = BN_EINVAL;
  if (speed_provider_url(h, "ping_url", cfg->ping_url) != 0)
    rc = BN_EINVAL;
  return rc;
}

static int hs_check(bn_host *h)
{
  hs_config cfg;

  return hs_read(h, &cfg);
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

  if (!c)
    return BN_ENOMEM;
  if (hs_read(h, &c->cfg) != 0) {
    free(c);
    return BN_EINVAL;
  }
  speed_provider_init(&c->sp, h, &c->cfg.common);
  plan = &c->sp.plan;
  plan->down_fixed = c->cfg.download_url;
  plan->up_url = c->cfg.upload_url;
  plan->ping_url = c->cfg.ping_url;
  if (!plan->ping_url) {
    plan->ping_url = plan->down_fixed;
    plan->ping_head = 1;
  }
  plan->server = plan->down_fixed;
  plan->up_start = 256 * 1024;
  plan->up_max = c->cfg.upload_max;
  *out = c;
  return 0;
}

static const bn_speedtest_ops hs_ops = {
    .struct_size = sizeof(bn_speedtest_ops),
    .run = speed_provider_run,
    .cancel = speed_provider_cancel,
};

BN_PLUGIN(.name = "http", .version = "1.0", .kind = BN_KIND_SPEEDTEST,
          .summary = "speed test by downloading any URL and uploading to "
                     "any endpoint",
          .options = hs_options, .init = hs_init, .destroy = hs_destroy,
          .ops = &hs_ops, .check = hs_check);
