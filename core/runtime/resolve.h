/*
 * resolve.h - asynchronous name resolution on the core loop (the SDK's
 * bn_host_api.resolve), on libuv's thread pool.  Requests in flight are
 * listed in their loop_owner so that loop_owner_close_all() cancels
 * what a plugin instance left behind.
 */
#ifndef BN_CORE_RESOLVE_H
#define BN_CORE_RESOLVE_H

#include <bottleneck/sdk.h>

#include "loop.h"

/**
 * Start resolving `host` for owner `o` (see bn_host_api.resolve): `fn`
 * is called once, from the loop, never from inside this call.  Returns
 * NULL when the request cannot be started (fn is then never called).
 */
bn_resolve *resolve_start(loop_owner *o, const char *host, int family,
                          int socktype, bn_resolve_fn fn, void *arg);
/** Cancel: fn is never called afterwards (NULL is ignored). */
void resolve_cancel(bn_resolve *r);
/** Cancel every request of `o`; returns how many there were. */
int resolve_cancel_all(loop_owner *o);

#endif
