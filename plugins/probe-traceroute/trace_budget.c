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
 * candidate cost below.  How much of an address's budget is left is
 * not known at first (other programs, or our last run, use it too): the
 * model starts empty and takes each answer as proof of just enough
 * credit, until an unanswered probe finds it empty; from then on it is
 * exact, and an answer it cannot explain makes the candidate
 * inconsistent for the round (and the model starts over).  At the end of a
 * round every probe toward the address is replayed in send order; a candidate
 * is consistent when no answered probe was over its budget (allowing for a
 * probe that the model counted but that was lost before it got there), and the
 * costliest consistent candidate that refused at least two unanswered probes
 * (one, when it already did last round) explains them: those probes are over
 * the budget, not lost, and they leave the loss figures.  An address
 * that answered more than any candidate allows is not rate limited in
 * that round, and every probe counts.
 */
#include "trace.h"

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
  int bad;           /* an answered probe over the budget */
  uint32_t refused;  /* unanswered probes over the budget */
  uint32_t unproven; /* counted, unanswered: maybe lost before it */
} trace_rl_sim;

/* Replay one probe against candidate c of its address. */
static void trace_rl_step(trace_rl *r, int c, trace_rl_ev *e, trace_rl_sim *s)
{
  int64_t cost = trace_rl_cost[c], slack = 10000000 + cost / 50;
  int64_t tok = r->tok[c];
  uint8_t bit = (uint8_t)(1u << c);

  if (r->last)
    tok += e->t - r->last;
  if (tok > TRACE_RL_BURST * cost)
    tok = TRACE_RL_BURST * cost;
  if (!(r->pinned & bit) && e->got && tok < cost)
    tok = cost;              /* it had at least this left */
  if (tok >= cost + slack) { /* within the budget */
    tok -= cost;
    if (!e->got)
      s->unproven++;
  } else if (tok < cost - slack) { /* over it */
    if (!e->got) {
      e->denied |= bit;
      s->refused++;
      r->pinned |= bit; /* the bucket was empty here */
    } else if (s->unproven) {
      s->unproven--; /* a counted probe never got there: no cost */
    } else {
      s->bad = 1;
    }
  } else if (e->got) { /* too close to call: the answer says */
    tok = tok > cost ? tok - cost : 0;
  } else {
    e->denied |= bit;
  }
  r->tok[c] = tok;
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

    memset(sim, 0, sizeof(sim));
    r->probes = r->answered = 0;
    for (i = 0; i < n_ev; i++) {
      if (ev[i].rl != (int32_t)a)
        continue;
      ev[i].denied = 0;
      for (c = 0; c < TRACE_RL_NCAND; c++)
        trace_rl_step(r, c, &ev[i], &sim[c]);
      r->last = ev[i].t;
      r->probes++;
      r->answered += ev[i].got;
    }
    if (!r->probes)
      continue;
    for (c = 0; c < TRACE_RL_NCAND && chosen < 0; c++)
      if (!sim[c].bad &&
          (sim[c].refused >= 2 || (sim[c].refused && r->chosen == c)))
        chosen = c;
    r->chosen = chosen;
    for (c = 0; c < TRACE_RL_NCAND; c++)
      if (sim[c].bad) /* too little credit assumed: find it again */
        r->pinned &= (uint8_t) ~(1u << c);
    if (chosen < 0)
      continue;
    for (i = 0; i < n_ev; i++)
      if (ev[i].rl == (int32_t)a && !ev[i].got &&
          (ev[i].denied & (1u << chosen)) && ev[i].hop)
        ev[i].hop->over++;
  }
}
