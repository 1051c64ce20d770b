/*
 * loop.h - the core event loop (libuv) behind the SDK's opaque timers
 * and fd watches.  Each plugin instance owns a loop_owner that lists its
 * live handles, so the core can close whatever a plugin forgot.
 */
#ifndef BN_CORE_LOOP_H
#define BN_CORE_LOOP_H

#include <stdint.h>

#include <uv.h>

#include <bottleneck/sdk.h>

/** The handles one owner (a plugin instance, the core) has open. */
typedef struct loop_owner {
  uv_loop_t *uv;
  struct bn_timer *timers;
  struct bn_watch *watches;
  struct bn_resolve *resolves; /* name resolutions in flight (resolve.c) */
  const char *name;            /* for the "left open" debug line */
} loop_owner;

void loop_owner_init(loop_owner *o, uv_loop_t *uv, const char *name);
/**
 * Close every handle still open and cancel the name resolutions in
 * flight; returns how many there were.
 */
int loop_owner_close_all(loop_owner *o);

bn_timer *loop_timer_start(loop_owner *o, int64_t after_ns, int64_t repeat_ns,
                           bn_timer_fn fn, void *arg);
int loop_timer_again(bn_timer *t, int64_t after_ns, int64_t repeat_ns);
void loop_timer_free(bn_timer *t);

bn_watch *loop_watch_start(loop_owner *o, int fd, int events, bn_watch_fn fn,
                           void *arg);
int loop_watch_update(bn_watch *w, int events);
void loop_watch_free(bn_watch *w);

/** Run the loop until loop_stop or nothing is left (returns uv_run's). */
int loop_run(uv_loop_t *uv);

#endif
