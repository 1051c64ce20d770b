/*
 * jitter.c - the `jitter` anomaly plugin: volatility of delay (rolling median
 * of successive differences) against its baseline.
 *
 * The detector, its episodes and the SDK glue are in
 * plugins/anomaly-common (an_engine.c, an_plugin.c); this file is the
 * plugin's option table and descriptor.  Options and defaults:
 * docs/anomaly.md.
 */
#include <bottleneck/sdk.h>

#include "an_plugin.h"

static const bn_option jitter_options[] = {
    AN_OPTIONS_EPISODE,
    AN_OPTIONS_JITTER,
    BN_OPTIONS_END,
};

static int jitter_init(bn_host *h, void **ctx)
{
  return an_plugin_init(h, ctx, AN_SIGBIT(AN_SIG_JITTER));
}

BN_PLUGIN(.name = "jitter", .version = "1.0", .kind = BN_KIND_ANOMALY,
          .summary = "jitter volatility against its baseline",
          .options = jitter_options, .init = jitter_init,
          .destroy = an_plugin_destroy, .ops = &an_plugin_ops,
          .check = an_plugin_check);
