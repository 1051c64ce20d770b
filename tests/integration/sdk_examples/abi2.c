/*
 * abi2.c - sdk_examples.sh: a plugin as SDK 2.x built it, seen by the
 * loader: its descriptor says ABI 2.1.  The host must refuse it with one
 * line naming the file and the fix (rebuild against SDK 3).
 */
#include <bottleneck/sdk.h>

static int old_init(bn_host *h, void **ctx)
{
  (void)h;
  *ctx = 0;
  return 0;
}

static const bn_probe_ops old_ops = {BN_INIT(bn_probe_ops)};

BN_EXPORT const bn_plugin bn_plugin_descriptor = {
    .abi_major = 2,
    .abi_minor = 1,
    .struct_size = sizeof(bn_plugin),
    .name = "old",
    .version = "1.0",
    .kind = BN_KIND_PROBE,
    .init = old_init,
    .ops = &old_ops,
};
