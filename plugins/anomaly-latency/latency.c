/*
 * latency.c - the `latency` anomaly plugin: robust z-score of each
 * latency-role series against its baseline (rolling median and MAD); level
 * shifts and slow ramps, never a lone spike.
 *
 * The detector, its episodes and the SDK glue are in
 * plugins/anomaly-common (an_engine.c, an_plugin.c); this file is the
 * plugin's option table and descriptor.  Options and defaults:
 * docs/anomaly.md.
 */
#include <bottleneck/sdk.h>

#include "an_plugin.h"

static const bn_option latency_options[] = {
    AN_OPTIONS_EPISODE,
    AN_OPTIONS_LATENCY,
    BN_OPTIONS_END,
};

static int latency_init(bn_host *h, void **ctx)
{
  return an_plugin_init(h, ctx, AN_SIGBIT(AN_SIG_LATENCY));
}

BN_PLUGIN(.name = "latency", .version = "1.0", .kind = BN_KIND_ANOMALY,
          .summary =
              "latency level shifts and ramps: robust z against a baseline",
          .options = latency_options, .init = latency_init,
          .destroy = an_plugin_destroy, .ops = &an_plugin_ops,
          .check = an_plugin_check);
