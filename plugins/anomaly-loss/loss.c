/*
 * loss.c - the `loss` anomaly plugin: loss bursts and the windowed loss rate
 * against the baseline's, and a target that answers nothing for
 * unreachable_after (critical by default).
 *
 * The detector, its episodes and the SDK glue are in
 * plugins/anomaly-common (an_engine.c, an_plugin.c); this file is the
 * plugin's option table and descriptor.  Options and defaults:
 * docs/anomaly.md.
 */
#include <bottleneck/sdk.h>

#include "an_plugin.h"

static const bn_option loss_options[] = {
    AN_OPTIONS_EPISODE,
    AN_OPTIONS_LOSS,
    BN_OPTIONS_END,
};

static int loss_init(bn_host *h, void **ctx)
{
  return an_plugin_init(
      h, ctx, AN_SIGBIT(AN_SIG_LOSS) | AN_SIGBIT(AN_SIG_UNREACHABLE));
}

BN_PLUGIN(
        .name = "loss", .version = "1.0", .kind = BN_KIND_ANOMALY,
        .summary =
            "loss bursts, loss rate against the baseline, unreachable targets",
        .options = loss_options, .init = loss_init,
        .destroy = an_plugin_destroy, .ops = &an_plugin_ops,
        .check = an_plugin_check);
