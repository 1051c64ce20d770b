/*
 * trace_budget.c - the ICMP budget of the hosts that answer a trace
 * (pure functions).
 *
 * Routers and hosts rate-limit the ICMP errors a trace lives on (time
 * exceeded, port unreachable).  Linux keeps one token bucket per
 * destination (inet_peer_xrlim_allow): net.ipv4.icmp_ratelimit (1000 ms)
 * of credit per message, at most 6 messages' worth saved up
 * (XRLIM_BURST_FACTOR); a message refused costs nothing.  So a fresh
 * router answers 6 probes at once and then one a second; IPv6 does the
 * same with net.ipv6.icmp.ratelimit divided by 2^((128 - prefix) / 32)
 * of the route back (1000 or 100 ms by kernel version: 250 or 25 ms on
 * a /64).
 *
 * Each answering address gets a model of that bucket for every
 * candidate cost below, as bounds on its credit: how much is left is not
 * known at first (other programs, or our last run, use it too), and a
 * probe lost on the way costs the router nothing.  At the end of a
 * round every probe toward the address is replayed in send order: a
 * candidate is consistent when it could have paid for every answer, and
 * the costliest consistent candidate that may have refused at least two
 * unanswered probes (one, when it did last round) explains them: they
 * are over the budget, not lost, and they leave the loss figures.  A
 * probe it surely had the credit for and that got no answer is loss.
 * An address that answered more than any candidate allows is not rate
 * limited in that round, and every probe counts.  In the first round of
 * an address (its credit unknown) and right after a refused probe, a
 * real loss can pass for a refusal; once the credit is known (a full
 * bucket after a long pause, or an empty one after a refusal) it cannot.
 */
#include "trace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* candidate costs per message, ns: the sysctls' defaults (1000 ms;
 * IPv6 100 ms since Linux 6.x), their IPv6 shares by prefix, and more */
static const int64_t trace_rl_cost[TRACE_RL_NCAND] = {
    1000000000, 500000000, 250000000, 125000000,
    100000000,  62500000,  50000000,  25000000,
};

int64_t trace_rl_cost_ns(int cand)
{
  return cand >= 0 && cand < TRACE_RL_NCAND ? trace_rl_cost[cand] : 0;
}

int trace_rl_find(trace_rl *rl, size_t n, size_t *used, const char *addr,
                  uint32_t round)
{
  size_t i, old = 0;

  for (i = 0; i < *used; i++)
    if (!strcmp(rl[i].addr, addr)) {
      rl[i].stamp = round;
      return (int)i;
    }
  if (*used < n) {
    i = (*used)++;
  } else {
    /* full: forget the address seen longest ago */
    for (i = 1; i < n; i++)
      if (rl[i].stamp < rl[old].stamp)
        old = i;
    i = old;
  }
  memset(&rl[i], 0, sizeof(rl[i]));
  memcpy(rl[i].addr, addr,
         strlen(addr) < sizeof(rl[i].addr) ? strlen(addr) + 1
                                           : sizeof(rl[i].addr) - 1);
  rl[i].chosen = -1;
  rl[i].stamp = round;
  return (int)i;
}

static int trace_rl_ev_cmp(const void *a, const void *b)
{
  const trace_rl_ev *x = a, *y = b;

  return x->t < y->t ? -1 : x->t > y->t;
}

/* Per candidate, over one address's probes this round. */
typedef struct trace_rl_sim {
  int bad;          /* an answer the budget cannot have paid for */
  uint32_t refused; /* unanswered probes it may have refused */
} trace_rl_sim;

/*
 * Replay one probe against candidate c of its address.  The bucket's
 * credit is known to lie in [lo, hi]: both grow with time up to the
 * burst; an answer proves at least one message's worth (lo) and costs
 * it (both); an unanswered probe costs it only when it surely got
 * through (lo), since one lost on the way there costs nothing (hi).
 */
static void trace_rl_step(trace_rl *r, int c, trace_rl_ev *e, trace_rl_sim *s)
{
  int64_t cost = trace_rl_cost[c], slack = 10000000 + cost / 50;
  int64_t cap = TRACE_RL_BURST * cost, dt = r->last ? e->t - r->last : 0;
  int64_t lo = r->lo[c] + dt, hi = r->last ? r->hi[c] + dt : cap;

  lo = lo < cap ? lo : cap;
  hi = hi < cap ? hi : cap;
  if (e->got) {
    if (hi < cost - slack)
      s->bad = 1;
    lo = (lo > cost ? lo : cost) - cost;
    hi = hi > cost ? hi - cost : 0;
    hi = hi > lo ? hi : lo;
  } else if (lo >= cost + slack) { /* it had the credit: lost */
    lo -= cost;
  } else { /* it may have refused it: not counted as loss */
    e->denied |= (uint8_t)(1u << c);
    s->refused++;
  }
  r->lo[c] = lo;
  r->hi[c] = hi;
}

void trace_rl_fit(trace_rl *rl, size_t n_rl, trace_rl_ev *ev, size_t n_ev)
{
  size_t a, i;
  int c;

  qsort(ev, n_ev, sizeof(*ev), trace_rl_ev_cmp);
  for (a = 0; a < n_rl; a++) {
    trace_rl *r = &rl[a];
    trace_rl_sim sim[TRACE_RL_NCAND];
    int chosen = -1;

    int64_t gap = INT64_MAX, prev = 0;

    memset(sim, 0, sizeof(sim));
    r->probes = r->answered = 0;
    for (i = 0; i < n_ev; i++) {
      if (ev[i].rl != (int32_t)a)
        continue;
      ev[i].denied = 0;
      for (c = 0; c < TRACE_RL_NCAND; c++)
        trace_rl_step(r, c, &ev[i], &sim[c]);
      /* the widest spacing of its probes that are not sent together */
      if (prev && ev[i].t - prev > 5000000 &&
          (gap == INT64_MAX || ev[i].t - prev > gap))
        gap = ev[i].t - prev;
      prev = ev[i].t;
      r->last = ev[i].t;
      r->probes++;
      r->answered += ev[i].got;
    }
    if (!r->probes)
      continue;
    if (gap == INT64_MAX)
      gap = 0; /* all sent at once */
    /* a period no longer than the probes' own spacing cannot be told
     * from no limit at all: such a candidate explains nothing */
    for (c = 0; c < TRACE_RL_NCAND && chosen < 0; c++)
      if (!sim[c].bad && 2 * trace_rl_cost[c] > 3 * gap &&
          (sim[c].refused >= 2 || (sim[c].refused && r->chosen == c)))
        chosen = c;
    r->chosen = chosen;
    if (chosen < 0)
      continue;
    for (i = 0; i < n_ev; i++)
      if (ev[i].rl == (int32_t)a && !ev[i].got &&
          (ev[i].denied & (1u << chosen)) && ev[i].hop)
        ev[i].hop->over++;
  }
}
