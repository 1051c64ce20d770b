/*
 * test_trace_budget.c - the traceroute probe's model of the ICMP budget
 * of the hosts that answer it (plugins/probe-traceroute/trace_budget.c).
 * The answers come from a bucket written here after Linux's
 * inet_peer_xrlim_allow (credit in time, a message costs one period,
 * 6 periods saved at most, a refusal costs nothing), and the probes a
 * test loses on the way are dropped before that bucket sees them (or
 * after, on the way back).  What must hold: probes over the budget are
 * never counted as loss, real loss always is, and a host with no limit
 * is never taken for a rate-limited one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "trace.h"

#define MS 1000000LL

/* The answering host's bucket, as the kernel keeps it. */
typedef struct kbucket {
  int64_t cost, tok, last; /* ns; cost 0: no limit */
} kbucket;

static void k_init(kbucket *b, int64_t cost_ms, int64_t left_ms)
{
  b->cost = cost_ms * MS;
  b->tok = left_ms * MS;
  b->last = 0;
}

static int k_allow(kbucket *b, int64_t t)
{
  if (!b->cost)
    return 1;
  b->tok += b->last ? t - b->last : 0; /* tok: what was left at the start */
  b->last = t;
  if (b->tok > 6 * b->cost)
    b->tok = 6 * b->cost;
  if (b->tok < b->cost)
    return 0;
  b->tok -= b->cost;
  return 1;
}

enum { LOST_OUT = 1, LOST_BACK = 2 };

/*
 * One round: n probes `spacing_ms` apart from t0 toward one host (index
 * 0 of rl), fate[k] losing some on the way out or back; the fit's
 * verdict is in *hop.
 */
static void round_of(trace_rl *rl, size_t *used, kbucket *b, int64_t t0, int n,
                     int64_t spacing_ms, const int *fate, trace_hop_acc *hop)
{
  trace_rl_ev ev[64];
  int k;

  assert_true(n <= 64);
  memset(hop, 0, sizeof(*hop));
  assert_int_equal(trace_rl_find(rl, TRACE_RL_MAX, used, "10.0.0.1", 1), 0);
  for (k = 0; k < n; k++) {
    int64_t t = t0 + k * spacing_ms * MS;
    int f = fate ? fate[k] : 0;
    int ok = f != LOST_OUT && k_allow(b, t + 1000) && f != LOST_BACK;

    memset(&ev[k], 0, sizeof(ev[k]));
    ev[k].t = t;
    ev[k].rl = 0;
    ev[k].got = (uint8_t)ok;
    ev[k].hop = hop;
    hop->sent++;
    hop->received += (uint32_t)ok;
  }
  trace_rl_fit(rl, *used, ev, (size_t)n);
}

/* counted probes and counted losses of a hop */
#define COUNTED(h) ((h).sent - (h).over)
#define LOST(h)    (COUNTED(h) - (h).received)

static trace_rl rl[TRACE_RL_MAX];

/* A fresh Linux router, 10 probes 50 ms apart, a round a minute: 6
 * answers a round, 4 over the budget, no loss. */
static void test_fresh_router(void **state)
{
  kbucket b;
  trace_hop_acc h;
  size_t used = 0;
  int r;

  memset(rl, 0, sizeof(rl));
  k_init(&b, 1000, 6000);
  for (r = 0; r < 3; r++) {
    round_of(rl, &used, &b, 1000 * MS + r * 60000 * MS, 10, 50, NULL, &h);
    assert_int_equal(h.received, 6);
    assert_int_equal(h.over, 4);
    assert_int_equal(LOST(h), 0);
  }
  assert_int_equal(rl[0].chosen, 0);
  assert_int_equal(trace_rl_cost_ns(rl[0].chosen), 1000 * MS);
}

/* Someone used the budget just before us: one answer left. */
static void test_drained_router(void **state)
{
  kbucket b;
  trace_hop_acc h;
  size_t used = 0;
  int r;

  memset(rl, 0, sizeof(rl));
  k_init(&b, 1000, 1000);
  round_of(rl, &used, &b, 1000 * MS, 3, 20, NULL, &h);
  assert_int_equal(h.received, 1);
  assert_int_equal(h.over, 2);
  /* rounds a second apart: one answer a round, the rest over budget */
  for (r = 1; r < 6; r++) {
    round_of(rl, &used, &b, 1000 * MS + r * 1000 * MS, 3, 20, NULL, &h);
    assert_int_equal(LOST(h), 0);
    assert_int_equal(h.received, 1);
  }
}

/* No limit at all: every probe counts, and real loss stays loss even
 * where a rate limit could have explained it. */
static void test_unlimited_host(void **state)
{
  static const int fate[10] = {0, 0, 0, LOST_OUT, 0, 0, 0, 0, 0, 0};
  static const int fate2[10] = {0, 0, 0, 0, 0, 0, 0, LOST_BACK, 0, 0};
  kbucket b;
  trace_hop_acc h;
  size_t used = 0;

  memset(rl, 0, sizeof(rl));
  k_init(&b, 0, 0);
  round_of(rl, &used, &b, 1000 * MS, 10, 50, NULL, &h);
  assert_int_equal(h.over, 0);
  assert_int_equal(LOST(h), 0);
  round_of(rl, &used, &b, 2000 * MS, 10, 50, fate, &h);
  assert_int_equal(h.over, 0);
  assert_int_equal(LOST(h), 1);
  round_of(rl, &used, &b, 3000 * MS, 10, 50, fate2, &h);
  assert_int_equal(h.over, 0);
  assert_int_equal(LOST(h), 1);
  assert_int_equal(rl[0].chosen, -1);
}

/* A rate-limited router behind a lossy link: a probe lost on its way
 * there costs the router nothing and is loss; one lost on the way back
 * cost it a message and is loss too; refused ones are not. */
static void test_limited_and_lossy(void **state)
{
  static const int out[10] = {0, 0, LOST_OUT, 0, 0, 0, 0, 0, 0, 0};
  static const int back[10] = {0, LOST_BACK, 0, 0, 0, 0, 0, 0, 0, 0};
  kbucket b;
  trace_hop_acc h;
  size_t used = 0;

  memset(rl, 0, sizeof(rl));
  k_init(&b, 1000, 6000);
  round_of(rl, &used, &b, 1000 * MS, 10, 50, NULL, &h);
  assert_int_equal(LOST(h), 0);
  round_of(rl, &used, &b, 61000 * MS, 10, 50, out, &h);
  assert_int_equal(h.received, 6);
  assert_int_equal(LOST(h), 1);
  assert_int_equal(h.over, 3);
  round_of(rl, &used, &b, 121000 * MS, 10, 50, back, &h);
  assert_int_equal(h.received, 5);
  assert_int_equal(LOST(h), 1);
  assert_int_equal(h.over, 4);
}

/* IPv6 at Linux 6.x's default (100 ms a message): a first burst of 27
 * probes past the target (udp), then one every 50 ms; the target
 * answers every other one. */
static void test_ipv6_period(void **state)
{
  trace_rl_ev ev[64];
  trace_hop_acc h, past;
  kbucket b;
  size_t used = 0, n = 0;
  int k;

  memset(rl, 0, sizeof(rl));
  memset(&h, 0, sizeof(h));
  memset(&past, 0, sizeof(past));
  k_init(&b, 100, 600);
  trace_rl_find(rl, TRACE_RL_MAX, &used, "fd00::1", 1);
  for (k = 0; k < 36; k++) {
    int64_t t =
        k < 27 ? 1000 * MS + k * 10000 : 1000 * MS + (k - 26) * 50 * MS;
    trace_hop_acc *to = k == 0 || k >= 27 ? &h : &past;

    memset(&ev[n], 0, sizeof(ev[n]));
    ev[n].t = t;
    ev[n].got = (uint8_t)k_allow(&b, t);
    ev[n].hop = to;
    to->sent++;
    to->received += ev[n].got;
    n++;
  }
  trace_rl_fit(rl, used, ev, n);
  assert_int_equal(h.sent, 10);
  assert_int_equal(LOST(h), 0);
  assert_true(h.received >= 4);
  assert_int_equal(trace_rl_cost_ns(rl[0].chosen), 100 * MS);
}

/* The table: the same address gives the same entry; a full table
 * recycles the one seen longest ago. */
static void test_table(void **state)
{
  static trace_rl small[3];
  size_t used = 0;

  assert_int_equal(trace_rl_find(small, 3, &used, "a", 1), 0);
  assert_int_equal(trace_rl_find(small, 3, &used, "b", 2), 1);
  assert_int_equal(trace_rl_find(small, 3, &used, "c", 3), 2);
  assert_int_equal(trace_rl_find(small, 3, &used, "a", 4), 0);
  assert_int_equal(trace_rl_find(small, 3, &used, "d", 5), 1);
  assert_string_equal(small[1].addr, "d");
  assert_int_equal(small[1].chosen, -1);
  assert_int_equal(used, 3);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fresh_router),
      cmocka_unit_test(test_drained_router),
      cmocka_unit_test(test_unlimited_host),
      cmocka_unit_test(test_limited_and_lossy),
      cmocka_unit_test(test_ipv6_period),
      cmocka_unit_test(test_table),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
