/*
 * test_probe_icmp.c - the icmp probe: option checks, the in-flight table
 * (sequence wrap, duplicates, late answers, foreign payloads), packet
 * parsing, round statistics, and real echo requests to 127.0.0.1 and
 * ::1 on the mock host's poll loop.
 *
 * Raw sockets need root (CAP_NET_RAW): those tests skip without it.
 * Tests that need a network of their own (ping sockets allowed, echo
 * ignored, no route) fork a child into a new network namespace, so the
 * machine's settings are never touched; the child reports through its
 * exit status, printing the failed check on stderr.
 */
#define _GNU_SOURCE 1 /* unshare() */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../plugins/probe-icmp/icmp.h"
#include "mock_host.h"

extern const bn_plugin bn_plugin_descriptor;

/* Longest any test waits for the loop; results usually take < 10 ms. */
#define WAIT_MS 5000

static const bn_probe_ops *ops(void)
{
  return bn_plugin_descriptor.ops;
}

static size_t open_fds(void)
{
  DIR *d = opendir("/proc/self/fd");
  size_t n = 0;

  assert_non_null(d);
  while (readdir(d))
    n++;
  closedir(d);
  return n;
}

/* Skip with a reason; CI sets BN_REQUIRE_LAB=1 to make a skip fail. */
static void skip_because(const char *why)
{
  const char *req = getenv("BN_REQUIRE_LAB");

  if (req && strcmp(req, "1") == 0)
    fail_msg("would skip (BN_REQUIRE_LAB=1): %s", why);
  print_message("skipped: %s\n", why);
  skip();
}

static void need_root(void)
{
  if (geteuid() != 0)
    skip_because("raw ICMP sockets need root (CAP_NET_RAW)");
}

static void finish_probe(mock_host *m, void *ctx)
{
  ops()->stop(ctx);
  bn_plugin_descriptor.destroy(ctx);
  mock_loop_run(m, 0);
  assert_int_equal(mock_timer_count(m), 0);
  assert_int_equal(mock_watch_count(m), 0);
  assert_int_equal(mock_resolve_count(m), 0);
  mock_host_free(m);
}

static size_t count_metric(const mock_host *m, const char *metric)
{
  size_t i, n = 0;

  for (i = 0; i < m->n_samples; i++)
    n += strcmp(m->samples[i].metric, metric) == 0;
  return n;
}

/* Run until `n` samples of `metric` exist (or WAIT_MS passed). */
static size_t run_metric(mock_host *m, const char *metric, size_t n)
{
  int tries;

  for (tries = 0; tries < WAIT_MS / 5 && count_metric(m, metric) < n; tries++)
    mock_loop_run_samples(m, m->n_samples + 1, 5);
  return count_metric(m, metric);
}

/* ---------------------------------------------------------------- */
/* Descriptor and options                                            */
/* ---------------------------------------------------------------- */

static void test_descriptor(void **state)
{
  static const char *const names[] = {
      "interval", "adaptive", "interval_min", "interval_max",
      "count",    "spacing",  "size",         "tos",
      "timeout",  "spread",   "socket"};
  static const char *const defs[] = {"1s", "false", "250ms", "10s",
                                     "1",  "10ms",  "56",    "0",
                                     "1s", "true",  "auto"};
  const bn_plugin *p = &bn_plugin_descriptor;
  size_t i;

  assert_int_equal(p->abi_major, BN_ABI_MAJOR);
  assert_int_equal(p->abi_minor, BN_ABI_MINOR);
  assert_int_equal(p->struct_size, sizeof(bn_plugin));
  assert_string_equal(p->name, "icmp");
  assert_int_equal(p->kind, BN_KIND_PROBE);
  assert_non_null(p->check);
  assert_int_equal(ops()->struct_size, sizeof(bn_probe_ops));
  for (i = 0; i < 11; i++) {
    assert_string_equal(p->options[i].name, names[i]);
    assert_string_equal(p->options[i].def, defs[i]);
  }
  assert_null(p->options[11].name);
}

static void test_check_min_greater_than_max(void **state)
{
  mock_host m;
  void *ctx = NULL;
  size_t fds = open_fds();

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor,
                                  "adaptive=true;interval_min=2s;"
                                  "interval_max=1s"),
                   0);
  mock_add_target(&m, "lo", "127.0.0.1", 0);
  assert_int_equal(bn_plugin_descriptor.check(&m.base), BN_EINVAL);
  assert_int_equal(m.n_logs, 1);
  assert_int_equal(m.logs[0].level, BN_LOG_ERROR);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:2:3: option 'interval_min' (2s) is greater "
                      "than 'interval_max' (1s)");
  /* check() has no side effects: no socket was opened. */
  assert_int_equal(open_fds(), fds);
  assert_int_equal(mock_timer_count(&m), 0);
  /* init() refuses the same configuration. */
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), BN_EINVAL);
  assert_null(ctx);
  assert_int_equal(open_fds(), fds);
  mock_host_free(&m);
}

static void test_check_units(void **state)
{
  mock_host m;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor,
                                  "interval_max=1500ms;interval_min=2500ms"),
                   0);
  assert_int_equal(bn_plugin_descriptor.check(&m.base), BN_EINVAL);
  assert_int_equal(m.n_logs, 1);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:2:3: option 'interval_min' (2500ms) is "
                      "greater than 'interval_max' (1500ms)");
  mock_host_free(&m);
}

static void test_check_socket_mode(void **state)
{
  mock_host m;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "socket=icmp"),
                   0);
  assert_int_equal(bn_plugin_descriptor.check(&m.base), BN_EINVAL);
  assert_int_equal(m.n_logs, 1);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:1:3: option 'socket' must be auto, dgram "
                      "or raw, not 'icmp'");
  mock_host_free(&m);
}

static void test_check_defaults_ok(void **state)
{
  mock_host m;
  icmp_opts o;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  assert_int_equal(bn_plugin_descriptor.check(&m.base), 0);
  assert_int_equal(m.n_logs, 0);
  assert_int_equal(icmp_read_opts(&m.base, &o), 0);
  assert_int_equal(o.interval_ns, 1000000000);
  assert_int_equal(o.adaptive, 0);
  assert_int_equal(o.interval_min_ns, 250000000);
  assert_int_equal(o.interval_max_ns, 10000000000);
  assert_int_equal(o.count, 1);
  assert_int_equal(o.spacing_ns, 10000000);
  assert_int_equal(o.size, 56);
  assert_int_equal(o.tos, 0);
  assert_int_equal(o.timeout_ns, 1000000000);
  assert_int_equal(o.sock_mode, ICMP_SOCK_AUTO);
  mock_host_free(&m);
}

static void test_check_size_range(void **state)
{
  mock_host m;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "size=8"), 0);
  assert_int_equal(bn_plugin_descriptor.check(&m.base), BN_EINVAL);
  /* The bounds are the option table's, applied by the host (cfg_fill). */
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:1:3: 'size': 8 is out of range (24..65000)");
  mock_host_free(&m);
}

/* ---------------------------------------------------------------- */
/* The in-flight table                                               */
/* ---------------------------------------------------------------- */

static void test_table_reply_dup_late(void **state)
{
  icmp_table tb;
  icmp_stamp st, st2, bad;
  icmp_slot *s, *got;
  uint16_t seq, seq2, eseq;

  assert_int_equal(icmp_table_init(&tb, 0x1122334455667788ULL), 0);
  s = icmp_table_take(&tb, 7, 1000, &seq, &st);
  assert_non_null(s);
  assert_int_equal(seq, 0);
  assert_int_equal(st.cookie, 0x1122334455667788ULL);
  assert_int_equal(st.serial, 1);
  assert_int_equal(st.target, 7);
  /* Never used, wrong cookie, wrong target, cut short: foreign. */
  assert_int_equal(icmp_table_match(&tb, 5, &st, sizeof(st), &got),
                   ICMP_MATCH_FOREIGN);
  bad = st;
  bad.cookie ^= 1;
  assert_int_equal(icmp_table_match(&tb, seq, &bad, sizeof(bad), &got),
                   ICMP_MATCH_FOREIGN);
  bad = st;
  bad.target = 8;
  assert_int_equal(icmp_table_match(&tb, seq, &bad, sizeof(bad), &got),
                   ICMP_MATCH_FOREIGN);
  assert_int_equal(icmp_table_match(&tb, seq, &st, sizeof(st) - 1, &got),
                   ICMP_MATCH_FOREIGN);
  assert_null(got);
  /* The reply, then a duplicate. */
  assert_int_equal(icmp_table_match(&tb, seq, &st, sizeof(st), &got),
                   ICMP_MATCH_REPLY);
  assert_ptr_equal(got, s);
  assert_int_equal(icmp_table_match(&tb, seq, &st, sizeof(st), &got),
                   ICMP_MATCH_DUP);
  /* A second probe times out, then its answer comes: late, then dup. */
  assert_non_null(icmp_table_take(&tb, 7, 2000, &seq2, &st2));
  assert_int_equal(seq2, 1);
  assert_int_equal(icmp_table_next_deadline(&tb), 2000);
  assert_null(icmp_table_expire(&tb, 1999, &eseq));
  assert_non_null(icmp_table_expire(&tb, 2000, &eseq));
  assert_int_equal(eseq, 1);
  assert_int_equal(icmp_table_next_deadline(&tb), INT64_MAX);
  assert_int_equal(icmp_table_match(&tb, seq2, &st2, sizeof(st2), &got),
                   ICMP_MATCH_LATE);
  assert_int_equal(icmp_table_match(&tb, seq2, &st2, sizeof(st2), &got),
                   ICMP_MATCH_DUP);
  /* The first probe's stamp does not answer the second. */
  assert_int_equal(icmp_table_match(&tb, seq2, &st, sizeof(st), &got),
                   ICMP_MATCH_FOREIGN);
  icmp_table_free(&tb);
}

/* Expiry goes in sequence order and skips what was answered. */
static void test_table_expire_order(void **state)
{
  icmp_table tb;
  icmp_stamp st[4];
  icmp_slot *got;
  uint16_t seq[4], e;
  int i;

  assert_int_equal(icmp_table_init(&tb, 42), 0);
  for (i = 0; i < 4; i++)
    assert_non_null(icmp_table_take(&tb, 0, 100 * (i + 1), &seq[i], &st[i]));
  assert_int_equal(icmp_table_window(&tb), 4);
  assert_int_equal(icmp_table_match(&tb, seq[0], &st[0], sizeof(st[0]), &got),
                   ICMP_MATCH_REPLY);
  assert_int_equal(icmp_table_match(&tb, seq[2], &st[2], sizeof(st[2]), &got),
                   ICMP_MATCH_REPLY);
  assert_int_equal(icmp_table_next_deadline(&tb), 200);
  assert_non_null(icmp_table_expire(&tb, 350, &e));
  assert_int_equal(e, seq[1]);
  /* seq[2] was answered; seq[3] is not due yet at 350. */
  assert_null(icmp_table_expire(&tb, 350, &e));
  assert_int_equal(icmp_table_next_deadline(&tb), 400);
  assert_non_null(icmp_table_expire(&tb, 400, &e));
  assert_int_equal(e, seq[3]);
  assert_int_equal(icmp_table_window(&tb), 0);
  icmp_table_free(&tb);
}

/* 65535 in flight is the most; numbers wrap and old stamps stay out. */
static void test_table_seq_wrap(void **state)
{
  icmp_table tb;
  icmp_stamp st, first, wrapped;
  icmp_slot *got;
  uint16_t seq, e;
  uint32_t i;

  assert_int_equal(icmp_table_init(&tb, 99), 0);
  for (i = 0; i < 65535; i++) {
    assert_non_null(icmp_table_take(&tb, i % 3, 10, &seq, &st));
    if (i == 0)
      first = st;
  }
  assert_int_equal(seq, 65534);
  assert_int_equal(icmp_table_window(&tb), 65535);
  assert_null(icmp_table_take(&tb, 0, 10, &seq, &st));
  /* Make room: the oldest (seq 0) is given up. */
  assert_non_null(icmp_table_expire(&tb, INT64_MAX, &e));
  assert_int_equal(e, 0);
  assert_non_null(icmp_table_take(&tb, 1, 20, &seq, &st));
  assert_int_equal(seq, 65535);
  assert_int_equal(icmp_table_match(&tb, 65535, &st, sizeof(st), &got),
                   ICMP_MATCH_REPLY);
  /* Answer everything so the tail moves on, then wrap to 0 again. */
  for (i = 1; i < 65535; i++) {
    icmp_stamp s2 = {99, i + 1, i % 3, ~(i % 3)};

    assert_int_equal(icmp_table_match(&tb, (uint16_t)i, &s2, sizeof(s2), &got),
                     ICMP_MATCH_REPLY);
  }
  assert_int_equal(icmp_table_next_deadline(&tb), INT64_MAX);
  assert_non_null(icmp_table_take(&tb, 2, 30, &seq, &wrapped));
  assert_int_equal(seq, 0);
  assert_int_equal(wrapped.serial, 65537);
  /* The late answer to the first use of seq 0 is foreign now. */
  assert_int_equal(icmp_table_match(&tb, 0, &first, sizeof(first), &got),
                   ICMP_MATCH_FOREIGN);
  assert_int_equal(icmp_table_match(&tb, 0, &wrapped, sizeof(wrapped), &got),
                   ICMP_MATCH_REPLY);
  icmp_table_free(&tb);
}

/* An ICMP error quoting a pending request: lost; a later reply: late. */
static void test_table_error(void **state)
{
  icmp_table tb;
  icmp_stamp st, bad;
  icmp_slot *got;
  uint16_t seq;

  assert_int_equal(icmp_table_init(&tb, 5), 0);
  assert_non_null(icmp_table_take(&tb, 0, 10, &seq, &st));
  bad = st;
  bad.serial++;
  assert_int_equal(icmp_table_match_error(&tb, seq, &bad, sizeof(bad), &got),
                   ICMP_MATCH_FOREIGN);
  /* RFC 792 quote: 8 bytes of ICMP header, no payload. */
  assert_int_equal(icmp_table_match_error(&tb, seq, NULL, 0, &got),
                   ICMP_MATCH_REPLY);
  assert_int_equal(got->state, ICMP_SLOT_LOST);
  assert_int_equal(icmp_table_match_error(&tb, seq, NULL, 0, &got),
                   ICMP_MATCH_FOREIGN);
  assert_int_equal(icmp_table_match(&tb, seq, &st, sizeof(st), &got),
                   ICMP_MATCH_LATE);
  icmp_table_free(&tb);
}

/* ---------------------------------------------------------------- */
/* Packets                                                           */
/* ---------------------------------------------------------------- */

static void test_checksum(void **state)
{
  /* RFC 1071's example: the sum is 0xddf2, the checksum 0x220d. */
  static const uint8_t data[8] = {0x00, 0x01, 0xf2, 0x03,
                                  0xf4, 0xf5, 0xf6, 0xf7};
  uint16_t sum = icmp_checksum(data, sizeof(data));
  uint8_t b[2];

  memcpy(b, &sum, 2);
  assert_int_equal(b[0], 0x22);
  assert_int_equal(b[1], 0x0d);
}

static size_t ipv4_header(uint8_t *p, uint8_t proto, const char *src,
                          const char *dst)
{
  memset(p, 0, 20);
  p[0] = 0x45;
  p[8] = 64;
  p[9] = proto;
  inet_pton(AF_INET, src, p + 12);
  inet_pton(AF_INET, dst, p + 16);
  return 20;
}

static size_t icmp_header(uint8_t *p, int type, uint16_t id, uint16_t seq)
{
  uint16_t nid = htons(id), nseq = htons(seq);

  memset(p, 0, 8);
  p[0] = (uint8_t)type;
  memcpy(p + 4, &nid, 2);
  memcpy(p + 6, &nseq, 2);
  return 8;
}

static void test_parse_ipv4(void **state)
{
  uint8_t buf[256];
  icmp_packet p;
  size_t n;

  /* Raw socket: IP header, echo reply, 4 payload bytes. */
  n = ipv4_header(buf, IPPROTO_ICMP, "127.0.0.1", "127.0.0.1");
  n += icmp_header(buf + n, 0, 0xbeef, 513);
  memcpy(buf + n, "abcd", 4);
  n += 4;
  assert_int_equal(icmp_parse(AF_INET, 1, buf, n, &p), 0);
  assert_int_equal(p.kind, ICMP_ECHO_REPLY);
  assert_int_equal(p.id, 0xbeef);
  assert_int_equal(p.seq, 513);
  assert_int_equal(p.len, 4);
  assert_memory_equal(p.payload, "abcd", 4);
  /* Datagram socket: no IP header. */
  assert_int_equal(icmp_parse(AF_INET, 0, buf + 20, n - 20, &p), 0);
  assert_int_equal(p.seq, 513);
  /* An echo request (our own, on loopback) is not a reply. */
  buf[20] = 8;
  assert_int_equal(icmp_parse(AF_INET, 1, buf, n, &p), -1);
  /* Too short. */
  assert_int_equal(icmp_parse(AF_INET, 1, buf, 27, &p), -1);
  assert_int_equal(icmp_parse(AF_INET, 0, buf, 7, &p), -1);
  /* Destination unreachable quoting our request to 10.1.2.3. */
  n = ipv4_header(buf, IPPROTO_ICMP, "10.0.0.1", "127.0.0.1");
  n += icmp_header(buf + n, 3, 0, 0);
  buf[21] = 1; /* host unreachable */
  n += ipv4_header(buf + n, IPPROTO_ICMP, "127.0.0.1", "10.1.2.3");
  n += icmp_header(buf + n, 8, 0x1234, 77);
  assert_int_equal(icmp_parse(AF_INET, 1, buf, n, &p), 0);
  assert_int_equal(p.kind, ICMP_ERROR);
  assert_int_equal(p.type, 3);
  assert_int_equal(p.code, 1);
  assert_int_equal(p.id, 0x1234);
  assert_int_equal(p.seq, 77);
  assert_int_equal(p.len, 0);
  assert_int_equal(p.quoted_dst.ss_family, AF_INET);
  assert_int_equal(((struct sockaddr_in *)&p.quoted_dst)->sin_addr.s_addr,
                   inet_addr("10.1.2.3"));
  /* An error quoting a UDP packet is not about us. */
  buf[20 + 8 + 9] = IPPROTO_UDP;
  assert_int_equal(icmp_parse(AF_INET, 1, buf, n, &p), -1);
}

static void test_parse_ipv6(void **state)
{
  uint8_t buf[256];
  icmp_packet p;
  size_t n;

  n = icmp_header(buf, 129, 7, 65535);
  memcpy(buf + n, "xyz", 3);
  assert_int_equal(icmp_parse(AF_INET6, 1, buf, n + 3, &p), 0);
  assert_int_equal(p.kind, ICMP_ECHO_REPLY);
  assert_int_equal(p.id, 7);
  assert_int_equal(p.seq, 65535);
  assert_int_equal(p.len, 3);
  /* Time exceeded quoting an echo request to ::1. */
  n = icmp_header(buf, 3, 0, 0);
  memset(buf + n, 0, 40);
  buf[n] = 0x60;
  buf[n + 6] = IPPROTO_ICMPV6;
  inet_pton(AF_INET6, "::1", buf + n + 24);
  n += 40;
  n += icmp_header(buf + n, 128, 9, 10);
  assert_int_equal(icmp_parse(AF_INET6, 1, buf, n, &p), 0);
  assert_int_equal(p.kind, ICMP_ERROR);
  assert_int_equal(p.seq, 10);
  assert_int_equal(p.quoted_dst.ss_family, AF_INET6);
  /* Neighbour solicitations and the like are ignored. */
  buf[0] = 135;
  assert_int_equal(icmp_parse(AF_INET6, 1, buf, n, &p), -1);
}

static void test_round_stats(void **state)
{
  double odd[3] = {3.0, 1.0, 2.0}, even[4] = {4.0, 1.0, 3.0, 2.0};
  double med, sd;

  icmp_round_stats(odd, 3, &med, &sd);
  assert_true(med == 2.0);
  assert_true(fabs(sd - sqrt(2.0 / 3.0)) < 1e-12);
  icmp_round_stats(even, 4, &med, &sd);
  assert_true(med == 2.5);
  assert_true(fabs(sd - sqrt(1.25)) < 1e-12);
  icmp_round_stats(even, 0, &med, &sd);
  assert_true(isnan(med) && isnan(sd));
}

/* ---------------------------------------------------------------- */
/* Real echo requests on loopback                                    */
/* ---------------------------------------------------------------- */

static void *start_probe(mock_host *m)
{
  void *ctx = NULL;

  assert_int_equal(bn_plugin_descriptor.init(&m->base, &ctx), 0);
  assert_non_null(ctx);
  assert_int_equal(ops()->start(ctx), 0);
  return ctx;
}

static void loopback(const char *host)
{
  mock_host m;
  icmp_ctx *c;
  size_t i;

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms;socket=raw"),
      0);
  mock_add_target(&m, "lo", host, 0);
  c = start_probe(&m);
  assert_true(c->sock4.raw);
  assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
  for (i = 0; i < 3; i++) {
    assert_string_equal(m.samples[i].target, "lo");
    assert_string_equal(m.samples[i].metric, "rtt_ms");
    assert_int_equal(m.samples[i].flags, 0);
    assert_true(isfinite(m.samples[i].value) && m.samples[i].value > 0.0);
    assert_true(m.samples[i].wall_ns > 0 && m.samples[i].mono_ns > 0);
  }
  assert_true(m.samples[1].mono_ns > m.samples[0].mono_ns);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  finish_probe(&m, c);
}

static void test_loopback_ipv4(void **state)
{
  loopback("127.0.0.1");
}

static void test_loopback_ipv6(void **state)
{
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);

  if (fd < 0)
    skip_because("no IPv6 on this machine");
  close(fd);
  loopback("::1");
}

/* Three targets, two families: two sockets, one timer. */
static void test_one_socket_per_family(void **state)
{
  mock_host m;
  icmp_ctx *c;
  size_t fds = open_fds(), i, n;

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=20ms;socket=raw"),
      0);
  mock_add_target(&m, "a", "127.0.0.1", 0);
  mock_add_target(&m, "b", "127.0.0.2", 0);
  mock_add_target(&m, "c", "::1", 0);
  c = start_probe(&m);
  assert_int_equal(open_fds(), fds + 2);
  assert_int_equal(mock_watch_count(&m), 2);
  assert_int_equal(mock_timer_count(&m), 1);
  /* at least 9: on a loaded machine one wake-up can deliver a few more */
  n = mock_loop_run_samples(&m, 9, WAIT_MS);
  assert_true(n >= 9);
  for (i = 0; i < n; i++)
    assert_int_equal(m.samples[i].flags, 0);
  assert_int_equal(count_metric(&m, "rtt_ms"), n);
  finish_probe(&m, c);
  assert_int_equal(open_fds(), fds);
}

/* tos: IP_TOS on the IPv4 socket, IPV6_TCLASS on the IPv6 one. */
static void test_tos(void **state)
{
  mock_host m;
  icmp_ctx *c = NULL;
  socklen_t len = sizeof(int);
  int v4 = -1, v6 = -1;

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "tos=184;socket=raw"), 0);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, (void **)&c), 0);
  assert_int_equal(getsockopt(c->sock4.fd, IPPROTO_IP, IP_TOS, &v4, &len), 0);
  assert_int_equal(v4, 184);
  if (c->sock6.fd >= 0) {
    len = sizeof(int);
    assert_int_equal(
        getsockopt(c->sock6.fd, IPPROTO_IPV6, IPV6_TCLASS, &v6, &len), 0);
    assert_int_equal(v6, 184);
  }
  bn_plugin_descriptor.destroy(c);
  mock_host_free(&m);
}

/* count=3: three rtt_ms, then median, loss and deviation of the round. */
static void test_round_of_three(void **state)
{
  mock_host m;
  icmp_ctx *c;
  double v[3], med, sd;
  size_t i;

  need_root();
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor,
                                  "interval=1s;count=3;spacing=2ms;"
                                  "socket=raw"),
                   0);
  mock_add_target(&m, "lo", "127.0.0.1", 0);
  c = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 6, WAIT_MS), 6);
  for (i = 0; i < 3; i++) {
    assert_string_equal(m.samples[i].metric, "rtt_ms");
    assert_int_equal(m.samples[i].flags, 0);
    v[i] = m.samples[i].value;
  }
  /* spacing apart, as scheduled (the loop may only be late). */
  assert_true(m.samples[1].mono_ns - m.samples[0].mono_ns >= 2000000);
  icmp_round_stats(v, 3, &med, &sd);
  assert_string_equal(m.samples[3].metric, "round_median_ms");
  assert_true(m.samples[3].value == med);
  assert_string_equal(m.samples[4].metric, "round_loss_pct");
  assert_true(m.samples[4].value == 0.0);
  assert_string_equal(m.samples[5].metric, "round_stddev_ms");
  assert_true(m.samples[5].value == sd);
  for (i = 3; i < 6; i++) {
    assert_int_equal(m.samples[i].flags, 0);
    assert_int_equal(m.samples[i].wall_ns, m.samples[0].wall_ns);
  }
  finish_probe(&m, c);
}

/* The first rounds of 4 targets spread over the interval, one timer. */
static void test_stagger(void **state)
{
  mock_host m;
  icmp_ctx *c;
  int64_t t0;
  size_t i;

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=1s;socket=raw"), 0);
  mock_add_target(&m, "a", "127.0.0.1", 0);
  mock_add_target(&m, "b", "127.0.0.2", 0);
  mock_add_target(&m, "c", "::1", 0);
  mock_add_target(&m, "d", "127.0.0.4", 0);
  c = start_probe(&m);
  assert_int_equal(mock_timer_count(&m), 1);
  t0 = c->targets[0].due_ns;
  for (i = 0; i < 4; i++)
    assert_int_equal(c->targets[i].due_ns - t0, (int64_t)i * 250000000);
  finish_probe(&m, c);
}

/* spread: false sends every target's round at once, as fping does. */
static void test_no_spread(void **state)
{
  mock_host m;
  icmp_ctx *c;
  size_t i;

  need_root();
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor,
                                  "interval=1s;spread=false;socket=raw"),
                   0);
  mock_add_target(&m, "a", "127.0.0.1", 0);
  mock_add_target(&m, "b", "127.0.0.2", 0);
  mock_add_target(&m, "c", "::1", 0);
  c = start_probe(&m);
  for (i = 1; i < 3; i++)
    assert_int_equal(c->targets[i].due_ns, c->targets[0].due_ns);
  /* All three answer in the first round, long before the next. */
  assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
  for (i = 0; i < 3; i++)
    assert_int_equal(m.samples[i].flags, 0);
  finish_probe(&m, c);
}

/* A clock epoch change between send and answer: INVALID, once. */
static void test_epoch_change(void **state)
{
  mock_host m;
  icmp_ctx *c;

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms;socket=raw"),
      0);
  m.epoch_script[0] = 0; /* when the first request is sent */
  m.epoch_script[1] = 1; /* from its answer on */
  m.n_epoch_script = 2;
  mock_add_target(&m, "lo", "127.0.0.1", 0);
  c = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 2, WAIT_MS), 2);
  assert_int_equal(m.samples[0].flags, BN_SAMPLE_INVALID);
  assert_true(isfinite(m.samples[0].value));
  assert_int_equal(m.samples[1].flags, 0);
  finish_probe(&m, c);
}

/* Adaptive: interval_ms at start, then at every change, each change
 * x1.5 or /2 within the bounds and shown at debug level. */
static void test_adaptive_samples(void **state)
{
  mock_host m;
  icmp_ctx *c;
  double prev;
  size_t i, n = 0;

  need_root();
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor,
                                  "adaptive=true;interval=20ms;"
                                  "interval_min=10ms;interval_max=40ms;"
                                  "socket=raw"),
                   0);
  mock_add_target(&m, "lo", "127.0.0.1", 0);
  c = start_probe(&m);
  assert_int_equal(m.n_samples, 1);
  assert_string_equal(m.samples[0].metric, "interval_ms");
  assert_true(m.samples[0].value == 20.0);
  /* A quiet loopback grows the interval after 3 rounds. */
  assert_true(run_metric(&m, "interval_ms", 2) >= 2);
  prev = 20.0;
  for (i = 1; i < m.n_samples; i++) {
    const mock_sample *s = &m.samples[i];
    char line[128], a[32], b[32];
    double want_up = prev * 1.5 > 40.0 ? 40.0 : prev * 1.5;
    double want_down = prev / 2 < 10.0 ? 10.0 : prev / 2;

    if (strcmp(s->metric, "interval_ms") != 0) {
      assert_string_equal(s->metric, "rtt_ms");
      continue;
    }
    assert_true(s->value == want_up || s->value == want_down);
    icmp_fmt_duration((int64_t)(prev * 1e6), a, sizeof(a));
    icmp_fmt_duration((int64_t)(s->value * 1e6), b, sizeof(b));
    snprintf(line, sizeof(line), "target 'lo': interval %s -> %s (volatility ",
             a, b);
    assert_true(mock_log_count(&m, BN_LOG_DEBUG, line) >= 1);
    prev = s->value;
    n++;
  }
  assert_true(n >= 1);
  assert_int_equal(c->targets[0].interval_ns, (int64_t)(prev * 1e6));
  finish_probe(&m, c);
}

/* stop() while a name resolves: the resolution is cancelled, its
 * result never reaches the probe, nothing is sent. */
static void test_resolve_cancel(void **state)
{
  mock_host m;
  void *ctx;

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms;socket=raw"),
      0);
  mock_add_target(&m, "lh", "localhost", 0);
  ctx = start_probe(&m);
  assert_int_equal(mock_resolve_count(&m), 1);
  ops()->stop(ctx);
  assert_int_equal(mock_resolve_count(&m), 0);
  mock_loop_run(&m, 30);
  assert_int_equal(m.n_samples, 0);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  finish_probe(&m, ctx);
}

/* An unresolvable name: one warning, retries, no sample at all. */
static void test_resolve_failure(void **state)
{
  mock_host m;
  void *ctx;
  size_t i;

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms;socket=raw"),
      0);
  mock_add_target(&m, "ghost", "nonexistent.invalid", 0);
  mock_add_target(&m, "lo", "127.0.0.1", 0);
  ctx = start_probe(&m);
  mock_loop_run_samples(&m, 3, WAIT_MS);
  mock_loop_run_logs(&m, 3, WAIT_MS);
  assert_true(m.n_samples >= 3);
  /* the ghost's echoes are failed probes, so it stays in the reports */
  for (i = 0; i < m.n_samples; i++)
    if (!strcmp(m.samples[i].target, "ghost"))
      assert_int_equal(m.samples[i].flags, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
    else
      assert_string_equal(m.samples[i].target, "lo");
  assert_int_equal(m.n_events_emitted, 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING,
                                  "target 'ghost': cannot resolve "
                                  "'nonexistent.invalid': "),
                   1);
  assert_true(mock_log_count(&m, BN_LOG_DEBUG,
                             "target 'ghost': still cannot resolve "
                             "'nonexistent.invalid': ") >= 1);
  finish_probe(&m, ctx);
}

static void test_resolve_name(void **state)
{
  mock_host m;
  void *ctx;

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms;socket=raw"),
      0);
  mock_add_target(&m, "lh", "localhost", 0);
  ctx = start_probe(&m);
  /* Resolving started, and its result waits for the loop. */
  assert_int_equal(m.n_resolves, 1);
  assert_int_equal(mock_resolve_count(&m), 1);
  assert_int_equal(mock_loop_run_samples(&m, 1, WAIT_MS), 1);
  assert_string_equal(m.samples[0].target, "lh");
  assert_int_equal(m.samples[0].flags, 0);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  /* Resolved once: the address is kept. */
  mock_loop_run_samples(&m, 3, WAIT_MS);
  assert_int_equal(m.n_resolves, 1);
  finish_probe(&m, ctx);
}

/* stop() drops what is in flight: no sample, nothing left open. */
static void test_stop(void **state)
{
  mock_host m;
  void *ctx;
  size_t fds = open_fds();

  need_root();
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms;socket=raw"),
      0);
  mock_add_target(&m, "lo", "127.0.0.1", 0);
  ctx = start_probe(&m);
  ops()->stop(ctx);
  mock_loop_run(&m, 30);
  assert_int_equal(m.n_samples, 0);
  assert_int_equal(mock_timer_count(&m), 0);
  assert_int_equal(mock_watch_count(&m), 0);
  finish_probe(&m, ctx);
  assert_int_equal(open_fds(), fds);
}

static void test_no_targets(void **state)
{
  mock_host m;
  void *ctx;

  need_root();
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "socket=raw"), 0);
  ctx = start_probe(&m);
  assert_int_equal(mock_timer_count(&m), 0);
  finish_probe(&m, ctx);
}

/* Ping sockets refused (ping_group_range): ONE error line, init fails. */
static void test_dgram_refused(void **state)
{
  FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
  long lo = 1, hi = 0;
  mock_host m;
  void *ctx = NULL;
  size_t fds;

  if (f) {
    if (fscanf(f, "%ld %ld", &lo, &hi) != 2)
      lo = 1, hi = 0;
    fclose(f);
  }
  if (getegid() >= (gid_t)lo && getegid() <= (gid_t)hi)
    skip_because("ping_group_range allows ping sockets here");
  fds = open_fds();
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "socket=dgram"),
                   0);
  mock_add_target(&m, "lo", "127.0.0.1", 0);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), BN_ERR);
  assert_null(ctx);
  assert_int_equal(m.n_logs, 1);
  assert_int_equal(m.logs[0].level, BN_LOG_ERROR);
  assert_string_equal(m.logs[0].text,
                      "cannot open an ICMP socket: needs CAP_NET_RAW (run as "
                      "root or setcap cap_net_raw+ep bottleneck) or "
                      "net.ipv4.ping_group_range covering your group");
  assert_int_equal(open_fds(), fds);
  mock_host_free(&m);
}

/* ---------------------------------------------------------------- */
/* In a network namespace of our own                                 */
/* ---------------------------------------------------------------- */

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "netns child: %s:%d: check failed: %s\n", __FILE__,     \
              __LINE__, #cond);                                               \
      return __LINE__;                                                        \
    }                                                                         \
  } while (0)

static int write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  int rc;

  if (!f)
    return -1;
  rc = fputs(text, f) < 0 ? -1 : 0;
  if (fclose(f) != 0)
    rc = -1;
  return rc;
}

static int lo_up(void)
{
  struct ifreq ifr;
  int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

  if (fd < 0)
    return -1;
  memset(&ifr, 0, sizeof(ifr));
  snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
  rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags |= IFF_UP;
    rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  close(fd);
  return rc;
}

/* Run fn in a child in a fresh network namespace; its exit status. */
static int in_netns(int (*fn)(void))
{
  pid_t pid;
  int status = 0;

  need_root();
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (unshare(CLONE_NEWNET) != 0 || lo_up() != 0) {
      fprintf(stderr, "netns child: cannot set up: %s\n", strerror(errno));
      _exit(77);
    }
    _exit(fn());
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77)
    skip_because("cannot make a network namespace");
  return WEXITSTATUS(status);
}

/* socket: dgram where ping_group_range allows it (only in this netns). */
static int child_dgram(void)
{
  mock_host m;
  icmp_ctx *c = NULL;
  size_t i;

  CHECK(write_file("/proc/sys/net/ipv4/ping_group_range", "0 0") == 0);
  CHECK(mock_host_init(&m, &bn_plugin_descriptor,
                       "interval=10ms;socket=dgram") == 0);
  mock_add_target(&m, "v4", "127.0.0.1", 0);
  mock_add_target(&m, "v6", "::1", 0);
  CHECK(bn_plugin_descriptor.init(&m.base, (void **)&c) == 0);
  CHECK(c->sock4.fd >= 0 && !c->sock4.raw);
  CHECK(c->sock6.fd < 0 || !c->sock6.raw);
  CHECK(ops()->start(c) == 0);
  CHECK(mock_loop_run_samples(&m, 6, WAIT_MS) >= 6);
  for (i = 0; i < 6; i++) {
    CHECK(m.samples[i].flags == 0);
    CHECK(m.samples[i].value > 0.0);
  }
  ops()->stop(c);
  bn_plugin_descriptor.destroy(c);
  mock_host_free(&m);
  return 0;
}

static void test_dgram_sockets(void **state)
{
  assert_int_equal(in_netns(child_dgram), 0);
}

/* An echo reply made by hand, as if from 127.0.0.1. */
static int send_reply(icmp_ctx *c, uint16_t seq, const icmp_stamp *st)
{
  struct sockaddr_in to;
  uint8_t buf[8 + 56];
  uint16_t sum;
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), rc;
  size_t i;

  if (fd < 0)
    return -1;
  icmp_header(buf, 0, c->ident, seq);
  for (i = 0; i < 56; i++)
    buf[8 + i] = (uint8_t)i;
  memcpy(buf + 8, st, sizeof(*st));
  sum = icmp_checksum(buf, sizeof(buf));
  memcpy(buf + 2, &sum, 2);
  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  rc = sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to)) ==
               (ssize_t)sizeof(buf)
           ? 0
           : -1;
  close(fd);
  return rc;
}

/* Nobody answers (echo ignored): lost, a round at 100 % loss; then a
 * reply comes after all (late), twice (dup), and a foreign one. */
static int child_lost_late_dup(void)
{
  mock_host m;
  icmp_ctx *c = NULL;
  icmp_stamp st;

  CHECK(write_file("/proc/sys/net/ipv4/icmp_echo_ignore_all", "1") == 0);
  CHECK(mock_host_init(&m, &bn_plugin_descriptor,
                       "interval=1h;count=2;spacing=5ms;timeout=50ms;"
                       "socket=raw") == 0);
  mock_add_target(&m, "quiet", "127.0.0.1", 0);
  CHECK(bn_plugin_descriptor.init(&m.base, (void **)&c) == 0);
  CHECK(ops()->start(c) == 0);
  CHECK(mock_loop_run_samples(&m, 5, WAIT_MS) == 5);
  CHECK(strcmp(m.samples[0].metric, "rtt_ms") == 0);
  CHECK(m.samples[0].flags == BN_SAMPLE_LOST && isnan(m.samples[0].value));
  CHECK(m.samples[1].flags == BN_SAMPLE_LOST);
  CHECK(strcmp(m.samples[2].metric, "round_median_ms") == 0);
  CHECK(m.samples[2].flags == BN_SAMPLE_LOST);
  CHECK(strcmp(m.samples[3].metric, "round_loss_pct") == 0);
  CHECK(m.samples[3].flags == 0 && m.samples[3].value == 100.0);
  CHECK(strcmp(m.samples[4].metric, "round_stddev_ms") == 0);
  CHECK(m.samples[4].flags == BN_SAMPLE_LOST);
  /* The first request was seq 0, serial 1, target 0. */
  st.cookie = c->table.cookie;
  st.serial = 1;
  st.target = 0;
  st.check = ~0u;
  CHECK(send_reply(c, 0, &st) == 0);
  CHECK(mock_loop_run_samples(&m, 6, WAIT_MS) == 6);
  CHECK(strcmp(m.samples[5].metric, "rtt_ms") == 0);
  CHECK(m.samples[5].flags == BN_SAMPLE_LATE);
  CHECK(m.samples[5].value > 0.0);
  CHECK(m.samples[5].wall_ns == m.samples[0].wall_ns);
  CHECK(send_reply(c, 0, &st) == 0);
  CHECK(mock_loop_run_samples(&m, 7, WAIT_MS) == 7);
  CHECK(m.samples[6].flags == BN_SAMPLE_DUP);
  /* Someone else's cookie: ignored. */
  st.cookie ^= 0xff;
  CHECK(send_reply(c, 1, &st) == 0);
  mock_loop_run(&m, 50);
  CHECK(m.n_samples == 7);
  CHECK(c->n_foreign >= 1);
  ops()->stop(c);
  bn_plugin_descriptor.destroy(c);
  mock_host_free(&m);
  return 0;
}

static void test_lost_late_dup(void **state)
{
  assert_int_equal(in_netns(child_lost_late_dup), 0);
}

/* No route: lost with ERROR, one warning; the target on lo carries on. */
static int child_unreachable(void)
{
  mock_host m;
  icmp_ctx *c = NULL;
  size_t i, ok = 0, err = 0;

  CHECK(mock_host_init(&m, &bn_plugin_descriptor,
                       "interval=10ms;socket=raw") == 0);
  mock_add_target(&m, "far", "10.255.255.1", 0);
  mock_add_target(&m, "lo", "127.0.0.1", 0);
  CHECK(bn_plugin_descriptor.init(&m.base, (void **)&c) == 0);
  CHECK(ops()->start(c) == 0);
  CHECK(mock_loop_run_samples(&m, 6, WAIT_MS) >= 6);
  for (i = 0; i < m.n_samples; i++) {
    if (strcmp(m.samples[i].target, "far") == 0) {
      CHECK(m.samples[i].flags == (BN_SAMPLE_LOST | BN_SAMPLE_ERROR));
      err++;
    } else {
      CHECK(m.samples[i].flags == 0);
      ok++;
    }
  }
  CHECK(ok >= 2 && err >= 2);
  CHECK(mock_log_count(&m, BN_LOG_WARNING, "") == 1);
  CHECK(mock_log_count(&m, BN_LOG_WARNING,
                       "target 'far': sending to 10.255.255.1 failed: "
                       "Network is unreachable; counted as lost") == 1);
  ops()->stop(c);
  bn_plugin_descriptor.destroy(c);
  mock_host_free(&m);
  return 0;
}

static void test_unreachable(void **state)
{
  assert_int_equal(in_netns(child_unreachable), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_descriptor),
      cmocka_unit_test(test_check_min_greater_than_max),
      cmocka_unit_test(test_check_units),
      cmocka_unit_test(test_check_socket_mode),
      cmocka_unit_test(test_check_defaults_ok),
      cmocka_unit_test(test_check_size_range),
      cmocka_unit_test(test_table_reply_dup_late),
      cmocka_unit_test(test_table_expire_order),
      cmocka_unit_test(test_table_seq_wrap),
      cmocka_unit_test(test_table_error),
      cmocka_unit_test(test_checksum),
      cmocka_unit_test(test_parse_ipv4),
      cmocka_unit_test(test_parse_ipv6),
      cmocka_unit_test(test_round_stats),
      cmocka_unit_test(test_loopback_ipv4),
      cmocka_unit_test(test_loopback_ipv6),
      cmocka_unit_test(test_one_socket_per_family),
      cmocka_unit_test(test_tos),
      cmocka_unit_test(test_round_of_three),
      cmocka_unit_test(test_stagger),
      cmocka_unit_test(test_no_spread),
      cmocka_unit_test(test_epoch_change),
      cmocka_unit_test(test_adaptive_samples),
      cmocka_unit_test(test_resolve_failure),
      cmocka_unit_test(test_resolve_cancel),
      cmocka_unit_test(test_resolve_name),
      cmocka_unit_test(test_stop),
      cmocka_unit_test(test_no_targets),
      cmocka_unit_test(test_dgram_refused),
      cmocka_unit_test(test_dgram_sockets),
      cmocka_unit_test(test_lost_late_dup),
      cmocka_unit_test(test_unreachable),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
