/*
 * fusion.c - the `fusion` anomaly plugin: runs the latency, loss and jitter
 * detectors on each target and fuses their signals into one confidence in [0,
 * 1] and a severity (info, low, medium, high, critical), one episode per
 * target.
 *
 * The detector, its episodes and the SDK glue are in
 * plugins/anomaly-common (an_engine.c, an_plugin.c); this file is the
 * plugin's option table and descriptor.  Options and defaults:
 * docs/anomaly.md.
 */
#include <bottleneck/sdk.h>

#include "an_plugin.h"

static const bn_option fusion_options[] = {
    AN_OPTIONS_EPISODE, AN_OPTIONS_LATENCY, AN_OPTIONS_LOSS,
    AN_OPTIONS_JITTER,  AN_OPTIONS_WEIGHTS, BN_OPTIONS_END,
};

static int fusion_init(bn_host *h, void **ctx)
{
  return an_plugin_init(h, ctx, AN_SIG_ALL);
}

BN_PLUGIN(.name = "fusion", .version = "1.0", .kind = BN_KIND_ANOMALY,
          .summary = "latency, loss and jitter fused into one confidence and "
                     "severity per target",
          .options = fusion_options, .init = fusion_init,
          .destroy = an_plugin_destroy, .ops = &an_plugin_ops,
          .check = an_plugin_check);
