/*
 * test_pathdiff.c - path ids, set ids and the changes between rounds
 * (core/store/pathdiff.c), and a round stored and read back
 * (core/store/store_paths.c).
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pathdiff.h"
#include "store.h"
#include "store_paths.h"

#define HOP(t, a, avg)                                                        \
  {                                                                           \
    BN_INIT(bn_hop), t, a, 3, (a) ? 3 : 0, avg, avg, avg, avg, 0, 0           \
  }

static const bn_hop route_a[] = {HOP(1, "10.0.0.1", 1), HOP(2, NULL, -1),
                                 HOP(3, "10.0.2.1", 3), HOP(4, "10.0.9.9", 4)};
/* hop 3 through another router */
static const bn_hop route_b[] = {HOP(1, "10.0.0.1", 1), HOP(2, NULL, -1),
                                 HOP(3, "10.0.5.1", 3), HOP(4, "10.0.9.9", 4)};
/* hop 2 answers this time: not another path */
static const bn_hop route_a2[] = {HOP(1, "10.0.0.1", 1), HOP(2, "10.0.1.1", 2),
                                  HOP(3, "10.0.2.1", 3),
                                  HOP(4, "10.0.9.9", 4)};
/* hop 3 is 20 ms slower */
static const bn_hop route_slow[] = {HOP(1, "10.0.0.1", 1), HOP(2, NULL, -1),
                                    HOP(3, "10.0.2.1", 23),
                                    HOP(4, "10.0.9.9", 24)};
/* one hop shorter */
static const bn_hop route_short[] = {HOP(1, "10.0.0.1", 1), HOP(2, NULL, -1),
                                     HOP(3, "10.0.9.9", 3)};

static bn_path path(const bn_hop *h, size_t n, uint32_t flow)
{
  bn_path p = {BN_INIT(bn_path), flow, BN_PATH_REACHED, h, n};

  return p;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void id_of(const bn_hop *h, size_t n, char *out)
{
  bn_path p = path(h, n, 1);

  pathdiff_path_id(&p, out);
}

static void test_path_id(void **state)
{
  char a[17], a2[17], b[17];
  bn_path p = path(route_a, N(route_a), 1);

  id_of(route_a, N(route_a), a);
  id_of(route_a2, N(route_a2), a2);
  id_of(route_b, N(route_b), b);
  assert_int_equal(strlen(a), PATHDIFF_ID_LEN);
  assert_string_not_equal(a, b);
  /* a hop that answers adds an address: another id (though compare()
   * does not call a hop coming out of silence a change) */
  assert_string_not_equal(a, a2);
  /* deterministic, and the end status is part of the path */
  id_of(route_a, N(route_a), b);
  assert_string_equal(a, b);
  p.status = BN_PATH_MAX_TTL;
  pathdiff_path_id(&p, b);
  assert_string_not_equal(a, b);
}

static void test_set_id(void **state)
{
  const char *x[] = {"aaaa", "bbbb"}, *y[] = {"bbbb", "aaaa", "bbbb"};
  const char *z[] = {"aaaa"};
  char sx[17], sy[17], sz[17];

  pathdiff_set_id(x, 2, sx);
  pathdiff_set_id(y, 3, sy);
  pathdiff_set_id(z, 1, sz);
  assert_string_equal(sx, sy); /* order and duplicates do not matter */
  assert_string_not_equal(sx, sz);
  assert_int_equal(pathdiff_distinct(y, 3), 2);
}

static size_t compare(const bn_hop *h1, size_t n1, const bn_hop *h2, size_t n2,
                      double shift, pathdiff_change *out)
{
  bn_path p1 = path(h1, n1, 7), p2 = path(h2, n2, 7);
  bn_path_set s1 = {BN_INIT(bn_path_set), "t", "udp", &p1, 1, shift, 1};
  bn_path_set s2 = {BN_INIT(bn_path_set), "t", "udp", &p2, 1, shift, 2};
  char i1[17], i2[17];
  const char *a[] = {i1}, *b[] = {i2};

  pathdiff_path_id(&p1, i1);
  pathdiff_path_id(&p2, i2);
  return pathdiff_compare(&s1, a, &s2, b, shift, out, 8);
}

static void test_changed_hop(void **state)
{
  pathdiff_change c[8];
  char msg[128];

  assert_int_equal(compare(route_a, 4, route_b, 4, 0, c), 1);
  assert_string_equal(c[0].kind, "changed");
  assert_int_equal(c[0].ttl, 3);
  assert_int_equal(c[0].flow_id, 7);
  pathdiff_describe(&c[0], msg, sizeof(msg));
  assert_string_equal(msg, "hop 3 changed 10.0.2.1 -> 10.0.5.1");
}

static void test_silence_is_not_a_change(void **state)
{
  pathdiff_change c[8];

  /* a hop answering, or going silent, inside the path: no change */
  assert_int_equal(compare(route_a, 4, route_a2, 4, 0, c), 0);
  assert_int_equal(compare(route_a2, 4, route_a, 4, 0, c), 0);
  assert_int_equal(compare(route_a, 4, route_a, 4, 5, c), 0);
}

static void test_added_removed(void **state)
{
  pathdiff_change c[8];
  char msg[128];

  /* 4 hops -> 3: hop 3 changed to the target, hop 4 removed */
  assert_int_equal(compare(route_a, 4, route_short, 3, 0, c), 2);
  assert_string_equal(c[0].kind, "changed");
  assert_string_equal(c[1].kind, "removed");
  assert_int_equal(c[1].ttl, 4);
  pathdiff_describe(&c[1], msg, sizeof(msg));
  assert_string_equal(msg, "hop 4 removed: 10.0.9.9");
  assert_int_equal(compare(route_short, 3, route_a, 4, 0, c), 2);
  assert_string_equal(c[1].kind, "added");
  assert_string_equal(c[1].new_addr, "10.0.9.9");
}

static void test_rtt_shift(void **state)
{
  pathdiff_change c[8];
  char msg[128];

  assert_int_equal(compare(route_a, 4, route_slow, 4, 0, c), 0);
  assert_int_equal(compare(route_a, 4, route_slow, 4, 25, c), 0);
  assert_int_equal(compare(route_a, 4, route_slow, 4, 10, c), 2);
  assert_string_equal(c[0].kind, "rtt_shift");
  assert_int_equal(c[0].ttl, 3);
  pathdiff_describe(&c[0], msg, sizeof(msg));
  assert_string_equal(msg, "hop 3 (10.0.2.1) RTT 3.00 -> 23.00 ms");
}

/* Two flows; the second moves to the other path: a set change as well
 * as the hop change on that flow. */
static void test_multipath_set(void **state)
{
  bn_path before[] = {path(route_a, 4, 1), path(route_b, 4, 2)};
  bn_path after[] = {path(route_a, 4, 1), path(route_a, 4, 2)};
  bn_path_set s1 = {BN_INIT(bn_path_set), "t", "udp", before, 2, 0, 1};
  bn_path_set s2 = {BN_INIT(bn_path_set), "t", "udp", after, 2, 0, 2};
  char ids1[2][17], ids2[2][17];
  const char *a[] = {ids1[0], ids1[1]}, *b[] = {ids2[0], ids2[1]};
  pathdiff_change c[8];
  char msg[128];
  int i;

  for (i = 0; i < 2; i++) {
    pathdiff_path_id(&before[i], ids1[i]);
    pathdiff_path_id(&after[i], ids2[i]);
  }
  assert_int_equal(pathdiff_compare(&s1, a, &s2, b, 0, c, 8), 2);
  assert_string_equal(c[0].kind, "changed");
  assert_int_equal(c[0].flow_id, 2);
  assert_string_equal(c[1].kind, "set");
  pathdiff_describe(&c[1], msg, sizeof(msg));
  assert_string_equal(msg, "the set of paths changed (2 -> 1 distinct)");
  /* flows swapping paths: no hop change per flow pairing by id... */
  after[0] = path(route_b, 4, 1);
  after[1] = path(route_a, 4, 2);
  for (i = 0; i < 2; i++)
    pathdiff_path_id(&after[i], ids2[i]);
  /* ...each flow changed hop 3, the set of distinct paths did not */
  assert_int_equal(pathdiff_compare(&s1, a, &s2, b, 0, c, 8), 2);
  assert_string_equal(c[0].kind, "changed");
  assert_string_equal(c[1].kind, "changed");
}

static void test_store_round_trip(void **state)
{
  store *s = NULL;
  store_run_meta m = {"h", "p", "x", "v", 1};
  bn_path p[] = {path(route_a, 4, 1), path(route_short, 3, 2)};
  bn_path_set ps = {BN_INIT(bn_path_set), "web", "icmp", p, 2, 0, 1234};
  const char *ids[] = {"id-a", "id-s"};
  store_path_round r;
  pathdiff_change c = {"changed", 1, 3, "10.0.2.1", "10.0.5.1", 3, 4, 0, 0};
  int64_t run = 0, set = 0;

  assert_int_equal(store_open(":memory:", &s), 0);
  assert_int_equal(store_run_begin(s, &m, &run), 0);
  assert_int_equal(store_path_round_last(s, "web", "trace", &r), BN_ENOENT);
  assert_int_equal(store_add_path_set(s, run, "trace", &ps, "set1", ids, &set),
                   0);
  assert_int_equal(store_add_path_change(s, run, set, 0, "web", &c, 1234), 0);
  assert_int_equal(store_path_round_last(s, "web", "trace", &r), 0);
  assert_true(r.set_id == set);
  assert_string_equal(r.set_hash, "set1");
  assert_string_equal(r.mode, "icmp");
  assert_int_equal(r.set.n_paths, 2);
  assert_string_equal(r.path_ids[1], "id-s");
  assert_int_equal(r.paths[0].n_hops, 4);
  assert_int_equal(r.paths[1].n_hops, 3);
  assert_int_equal(r.paths[1].flow_id, 2);
  assert_null(r.paths[0].hops[1].addr);
  assert_string_equal(r.paths[0].hops[2].addr, "10.0.2.1");
  assert_true(r.paths[0].hops[3].avg_ms == 4);
  assert_int_equal(r.paths[1].hops[2].received, 3);
  store_path_round_free(&r);
  assert_int_equal(store_path_round_last(s, "web", "other", &r), BN_ENOENT);
  store_close(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_path_id),
      cmocka_unit_test(test_set_id),
      cmocka_unit_test(test_changed_hop),
      cmocka_unit_test(test_silence_is_not_a_change),
      cmocka_unit_test(test_added_removed),
      cmocka_unit_test(test_rtt_shift),
      cmocka_unit_test(test_multipath_set),
      cmocka_unit_test(test_store_round_trip),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
