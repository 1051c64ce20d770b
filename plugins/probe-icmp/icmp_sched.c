/*
 * icmp_sched.c - when the icmp probe sends: one timer for the instance
 * and a binary min-heap of its targets by due time.
 *
 * Why not one host timer per target, as the tcp probe does?  With
 * 10,000 targets and several packets a round, that is 10,000 libuv
 * handles re-armed tens of thousands of times a second, each wake-up
 * sending one packet.  Here a wake-up sends every packet that is due
 * (a heap pop is O(log n), no allocation), and timeouts need no timer of
 * their own: the in-flight table expires in sequence order (all probes
 * share one timeout), so the timer is armed for min(next send, oldest
 * deadline).  A timing wheel would make the pop O(1), but the host's
 * timers have millisecond resolution anyway, and the heap keeps each
 * target's own (adaptive) interval exact, with no slot granularity.
 */
#include "icmp.h"

#include <stdlib.h>

static int64_t icmp_due(const icmp_ctx *c, uint32_t pos)
{
  return c->targets[c->heap[pos]].due_ns;
}

static void icmp_heap_set(icmp_ctx *c, uint32_t pos, uint32_t idx)
{
  c->heap[pos] = idx;
  c->targets[idx].heap_pos = pos;
}

static void icmp_heap_up(icmp_ctx *c, uint32_t pos)
{
  uint32_t idx = c->heap[pos];
  int64_t due = c->targets[idx].due_ns;

  while (pos > 0) {
    uint32_t parent = (pos - 1) / 2;

    if (icmp_due(c, parent) <= due)
      break;
    icmp_heap_set(c, pos, c->heap[parent]);
    pos = parent;
  }
  icmp_heap_set(c, pos, idx);
}

static void icmp_heap_down(icmp_ctx *c, uint32_t pos)
{
  uint32_t idx = c->heap[pos];
  int64_t due = c->targets[idx].due_ns;

  for (;;) {
    uint32_t l = 2 * pos + 1, r = l + 1, m = l;

    if (l >= c->n_heap)
      break;
    if (r < c->n_heap && icmp_due(c, r) < icmp_due(c, l))
      m = r;
    if (icmp_due(c, m) >= due)
      break;
    icmp_heap_set(c, pos, c->heap[m]);
    pos = m;
  }
  icmp_heap_set(c, pos, idx);
}

/* Arm the timer for the next send or timeout, whichever comes first. */
static void icmp_sched_arm(icmp_ctx *c)
{
  const bn_host_api *api = c->h->api;
  int64_t next = icmp_table_next_deadline(&c->table), now;

  if (c->n_heap && icmp_due(c, 0) < next)
    next = icmp_due(c, 0);
  if (next == INT64_MAX || !c->timer)
    return;
  now = api->now_mono_ns(c->h);
  api->timer_again(c->timer, next > now ? next - now : 0, 0);
}

void icmp_sched_update(icmp_ctx *c, icmp_target *tt)
{
  icmp_heap_up(c, tt->heap_pos);
  icmp_heap_down(c, tt->heap_pos);
  if (!c->in_tick)
    icmp_sched_arm(c);
}

static void icmp_sched_tick(bn_timer *t, void *arg)
{
  icmp_ctx *c = arg;
  int64_t now = c->h->api->now_mono_ns(c->h);

  c->in_tick = 1;
  /* Read what has arrived first: a reply that waits in the socket
   * while its deadline passes is not a loss. */
  if (icmp_table_next_deadline(&c->table) <= now) {
    icmp_probe_drain(c);
    icmp_probe_expire(c, now);
  }
  /* A step always moves the target's due time past `now`. */
  while (c->running && c->n_heap && icmp_due(c, 0) <= now) {
    icmp_target *tt = &c->targets[c->heap[0]];

    icmp_probe_step(c, tt, now);
    icmp_sched_update(c, tt);
  }
  c->in_tick = 0;
  if (c->running)
    icmp_sched_arm(c);
}

int icmp_sched_start(icmp_ctx *c)
{
  const bn_host_api *api = c->h->api;
  int64_t now = api->now_mono_ns(c->h);
  uint32_t i, n = (uint32_t)c->n_targets;

  for (i = 0; i < n; i++) {
    icmp_target *tt = &c->targets[i];

    /* Spread the first rounds over the first interval (or not: one
     * burst a round); in index order the due times never fall, so the
     * array is a heap as it is. */
    tt->due_ns = now;
    if (c->o.spread)
      tt->due_ns += tt->interval_ns * (int64_t)i / (int64_t)n;
    tt->round_due_ns = tt->due_ns;
    icmp_heap_set(c, i, i);
    if (c->o.adaptive)
      icmp_emit_interval(c, tt);
  }
  c->n_heap = n;
  c->running = 1;
  if (n == 0)
    return 0;
  c->timer = api->timer_start(c->h, 0, 0, icmp_sched_tick, c);
  if (!c->timer) {
    c->running = 0;
    bn_error(c->h, "cannot start the probe's timer");
    return BN_ENOMEM;
  }
  return 0;
}

void icmp_sched_stop(icmp_ctx *c)
{
  c->running = 0;
  c->h->api->timer_free(c->timer);
  c->timer = NULL;
}
