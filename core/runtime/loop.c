/*
 * loop.c - SDK timers and fd watches on libuv.
 *
 * libuv timers count milliseconds; SDK times are nanoseconds and are
 * rounded up so that a short timer never fires early.  Handles are freed
 * in their close callback, so a plugin may free a timer from inside its
 * own callback.
 */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "loop.h"
#include "resolve.h"

struct bn_timer {
  uv_timer_t uv;
  bn_timer_fn fn;
  void *arg;
  loop_owner *owner;
  struct bn_timer *next, **pprev;
};

struct bn_watch {
  uv_poll_t uv;
  bn_watch_fn fn;
  void *arg;
  int fd;
  int events; /* the bn_watch_event bits asked for */
  loop_owner *owner;
  struct bn_watch *next, **pprev;
};

void loop_owner_init(loop_owner *o, uv_loop_t *uv, const char *name)
{
  o->uv = uv;
  o->timers = NULL;
  o->watches = NULL;
  o->resolves = NULL;
  o->name = name;
}

static uint64_t loop_ms(int64_t ns)
{
  if (ns <= 0)
    return 0;
  /* Not (ns + 999999) / 1000000: that overflows for a timer of the
   * longest duration a profile or --duration can give. */
  return (uint64_t)(ns / 1000000 + (ns % 1000000 != 0));
}

static void loop_timer_cb(uv_timer_t *uv)
{
  bn_timer *t = uv->data;

  t->fn(t, t->arg);
}

bn_timer *loop_timer_start(loop_owner *o, int64_t after_ns, int64_t repeat_ns,
                           bn_timer_fn fn, void *arg)
{
  bn_timer *t = calloc(1, sizeof(*t));

  if (!t)
    return NULL;
  uv_timer_init(o->uv, &t->uv);
  t->uv.data = t;
  t->fn = fn;
  t->arg = arg;
  t->owner = o;
  t->next = o->timers;
  if (t->next)
    t->next->pprev = &t->next;
  t->pprev = &o->timers;
  o->timers = t;
  uv_timer_start(&t->uv, loop_timer_cb, loop_ms(after_ns), loop_ms(repeat_ns));
  return t;
}

int loop_timer_again(bn_timer *t, int64_t after_ns, int64_t repeat_ns)
{
  if (uv_timer_start(&t->uv, loop_timer_cb, loop_ms(after_ns),
                     loop_ms(repeat_ns)) != 0)
    return BN_EINVAL;
  return BN_OK;
}

static void loop_free_cb(uv_handle_t *h)
{
  free(h->data);
}

void loop_timer_free(bn_timer *t)
{
  if (!t)
    return;
  uv_timer_stop(&t->uv);
  *t->pprev = t->next;
  if (t->next)
    t->next->pprev = t->pprev;
  uv_close((uv_handle_t *)&t->uv, loop_free_cb);
}

static int loop_uv_events(int events)
{
  int uv_events = 0;

  if (events & BN_WATCH_READ)
    uv_events |= UV_READABLE;
  if (events & BN_WATCH_WRITE)
    uv_events |= UV_WRITABLE;
  return uv_events;
}

static void loop_watch_cb(uv_poll_t *uv, int status, int uv_events)
{
  bn_watch *w = uv->data;
  int events = 0;

  /* An error on the fd is reported as readable+writable so that the
   * plugin's own read/getsockopt sees the error. */
  if (status < 0)
    events = BN_WATCH_READ | BN_WATCH_WRITE;
  if (uv_events & UV_READABLE)
    events |= BN_WATCH_READ;
  if (uv_events & UV_WRITABLE)
    events |= BN_WATCH_WRITE;
  w->fn(w, w->fd, events, w->arg);
  /* libuv stops a poll handle on POLLERR, but on a socket with an error
   * queue (IP_RECVERR: traceroute, ICMP errors) POLLERR only means "read
   * the queue" and comes again: keep watching unless the plugin freed or
   * changed the watch in its callback. */
  if (status < 0 && !uv_is_closing((uv_handle_t *)uv) &&
      !uv_is_active((uv_handle_t *)uv) && w->events)
    uv_poll_start(uv, loop_uv_events(w->events), loop_watch_cb);
}

bn_watch *loop_watch_start(loop_owner *o, int fd, int events, bn_watch_fn fn,
                           void *arg)
{
  bn_watch *w = calloc(1, sizeof(*w));

  if (!w)
    return NULL;
  if (uv_poll_init(o->uv, &w->uv, fd) != 0) {
    free(w);
    return NULL;
  }
  w->uv.data = w;
  w->fn = fn;
  w->arg = arg;
  w->fd = fd;
  w->events = events;
  w->owner = o;
  w->next = o->watches;
  if (w->next)
    w->next->pprev = &w->next;
  w->pprev = &o->watches;
  o->watches = w;
  if (events)
    uv_poll_start(&w->uv, loop_uv_events(events), loop_watch_cb);
  return w;
}

int loop_watch_update(bn_watch *w, int events)
{
  w->events = events;
  if (!events)
    return uv_poll_stop(&w->uv) == 0 ? BN_OK : BN_EINVAL;
  if (uv_poll_start(&w->uv, loop_uv_events(events), loop_watch_cb) != 0)
    return BN_EINVAL;
  return BN_OK;
}

void loop_watch_free(bn_watch *w)
{
  if (!w)
    return;
  uv_poll_stop(&w->uv);
  *w->pprev = w->next;
  if (w->next)
    w->next->pprev = w->pprev;
  uv_close((uv_handle_t *)&w->uv, loop_free_cb);
}

int loop_owner_close_all(loop_owner *o)
{
  int n = 0;

  while (o->timers) {
    loop_timer_free(o->timers);
    n++;
  }
  while (o->watches) {
    loop_watch_free(o->watches);
    n++;
  }
  n += resolve_cancel_all(o);
  if (n)
    log_debug("loop",
              "%s left %d timers/watches/resolutions open; closed them",
              o->name ? o->name : "?", n);
  return n;
}

int loop_run(uv_loop_t *uv)
{
  return uv_run(uv, UV_RUN_DEFAULT);
}
