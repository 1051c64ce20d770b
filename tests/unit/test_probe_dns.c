/*
 * test_probe_dns.c - the dns probe on the mock host's poll loop against
 * small DNS responders this test runs in threads on loopback: one that
 * answers with crafted replies (two A records, NXDOMAIN or REFUSED), one
 * that stays silent (timeouts), over UDP or TCP; plus closed ports
 * (refused), the config checks, clock epochs and stop().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mock_host.h"
#include "../../plugins/probe-dns/dns.h"

extern const bn_plugin bn_plugin_descriptor;

/* Longest any test waits for the loop; answers usually take < 10 ms. */
#define WAIT_MS 5000

/* ---------------------------------------------------------------- */
/* A tiny DNS responder                                              */
/* ---------------------------------------------------------------- */

typedef enum resp_mode {
  RESP_ANSWER,   /* NOERROR with two A records (127.0.0.9, 127.0.0.10) */
  RESP_NXDOMAIN, /* rcode 3, no answers */
  RESP_REFUSED,  /* rcode 5, no answers */
  RESP_SILENT,   /* reads queries, never answers */
} resp_mode;

typedef struct responder {
  int family, tcp, port;
  resp_mode mode;
  int fd;      /* UDP socket or TCP listener */
  int stop[2]; /* a pipe: writing to it ends the thread */
  pthread_t thread;
  pthread_mutex_t lock;
  /* What the last query asked (under lock). */
  int queries;
  char qname[256];
  int qtype, rd;
} responder;

/* The question's name as text ("." for the root); its end in *end. */
static int resp_qname(const unsigned char *q, size_t n, char *out, size_t len,
                      size_t *end)
{
  size_t i = 12, o = 0;

  while (i < n && q[i] != 0) {
    size_t l = q[i++];

    if (l > 63 || i + l > n || o + l + 2 > len)
      return -1;
    if (o > 0)
      out[o++] = '.';
    memcpy(out + o, q + i, l);
    o += l;
    i += l;
  }
  if (i + 5 > n)
    return -1;
  if (o == 0)
    out[o++] = '.';
  out[o] = '\0';
  *end = i + 5; /* the root label, qtype, qclass */
  return 0;
}

/* Build the reply to query q in r (at most len bytes); its length. */
static size_t resp_build(responder *rs, const unsigned char *q, size_t n,
                         unsigned char *r, size_t len)
{
  static const unsigned char addrs[2][4] = {{127, 0, 0, 9}, {127, 0, 0, 10}};
  char name[256];
  size_t end, o, i;
  int rcode = 0, an = 0;

  if (n < 12 || resp_qname(q, n, name, sizeof(name), &end) < 0 ||
      end + 2 * 16 > len)
    return 0;
  pthread_mutex_lock(&rs->lock);
  rs->queries++;
  memcpy(rs->qname, name, sizeof(name));
  rs->qtype = (q[end - 4] << 8) | q[end - 3];
  rs->rd = q[2] & 1;
  pthread_mutex_unlock(&rs->lock);
  if (rs->mode == RESP_NXDOMAIN)
    rcode = 3;
  else if (rs->mode == RESP_REFUSED)
    rcode = 5;
  else
    an = 2;
  memcpy(r, q, end);                  /* id, flags, counts and the question */
  r[2] = 0x80 | (q[2] & 0x79);        /* QR, opcode, RD */
  r[3] = 0x80 | (unsigned char)rcode; /* RA */
  r[4] = 0, r[5] = 1;                 /* one question */
  r[6] = 0, r[7] = (unsigned char)an;
  memset(r + 8, 0, 4); /* no authority, no additional records */
  o = end;
  for (i = 0; i < (size_t)an; i++) {
    static const unsigned char rr[] = {0xc0, 12, 0, 1,  0, 1,
                                       0,    0,  0, 60, 0, 4};

    memcpy(r + o, rr, sizeof(rr));
    memcpy(r + o + sizeof(rr), addrs[i], 4);
    o += sizeof(rr) + 4;
  }
  return o;
}

static void resp_udp(responder *rs)
{
  unsigned char q[512], r[600];
  struct sockaddr_storage from;
  socklen_t flen = sizeof(from);
  ssize_t n =
      recvfrom(rs->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
  size_t rl;

  if (n <= 0)
    return;
  rl = resp_build(rs, q, (size_t)n, r, sizeof(r));
  if (rl > 0 && rs->mode != RESP_SILENT)
    sendto(rs->fd, r, rl, 0, (struct sockaddr *)&from, flen);
}

/* One TCP message (2-byte length first); 0 when the peer closed. */
static int resp_tcp_msg(responder *rs, int c)
{
  unsigned char q[514], r[602];
  ssize_t n = recv(c, q, 2, MSG_WAITALL);
  size_t ql, rl;

  if (n != 2)
    return 0;
  ql = (size_t)(q[0] << 8 | q[1]);
  if (ql > 512 || recv(c, q + 2, ql, MSG_WAITALL) != (ssize_t)ql)
    return 0;
  rl = resp_build(rs, q + 2, ql, r + 2, sizeof(r) - 2);
  if (rl == 0 || rs->mode == RESP_SILENT)
    return 1;
  r[0] = (unsigned char)(rl >> 8);
  r[1] = (unsigned char)rl;
  return send(c, r, rl + 2, MSG_NOSIGNAL) == (ssize_t)(rl + 2);
}

static void *resp_main(void *arg)
{
  responder *rs = arg;
  int conn = -1;

  for (;;) {
    struct pollfd p[3] = {
        {rs->stop[0], POLLIN, 0}, {rs->fd, POLLIN, 0}, {conn, POLLIN, 0}};

    if (poll(p, conn >= 0 ? 3 : 2, -1) < 0 && errno != EINTR)
      break;
    if (p[0].revents)
      break;
    if (p[1].revents && !rs->tcp)
      resp_udp(rs);
    if (p[1].revents && rs->tcp && conn < 0)
      conn = accept(rs->fd, NULL, NULL);
    if (conn >= 0 && p[2].revents && !resp_tcp_msg(rs, conn)) {
      close(conn);
      conn = -1;
    }
  }
  if (conn >= 0)
    close(conn);
  return NULL;
}

/* A socket bound to the loopback of `family`, port `port` (0: any). */
static int loopback_socket(int family, int type, int port, int *bound)
{
  return mock_loopback_socket(family, type, 16, port, bound);
}

/* Start a responder; -1 when the family has no loopback here. */
static int resp_start(responder *rs, int family, int tcp, resp_mode mode)
{
  memset(rs, 0, sizeof(*rs));
  rs->family = family;
  rs->tcp = tcp;
  rs->mode = mode;
  rs->fd =
      loopback_socket(family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0, &rs->port);
  if (rs->fd < 0)
    return -1;
  assert_int_equal(pipe(rs->stop), 0);
  pthread_mutex_init(&rs->lock, NULL);
  assert_int_equal(pthread_create(&rs->thread, NULL, resp_main, rs), 0);
  return 0;
}

static void resp_stop(responder *rs)
{
  assert_int_equal(write(rs->stop[1], "x", 1), 1);
  pthread_join(rs->thread, NULL);
  close(rs->stop[0]);
  close(rs->stop[1]);
  close(rs->fd);
  pthread_mutex_destroy(&rs->lock);
}

static int resp_queries(responder *rs)
{
  int n;

  pthread_mutex_lock(&rs->lock);
  n = rs->queries;
  pthread_mutex_unlock(&rs->lock);
  return n;
}

/* What the last query asked, copied under the lock. */
typedef struct resp_seen {
  char qname[256];
  int qtype, rd;
} resp_seen;

static resp_seen resp_last(responder *rs)
{
  resp_seen s;

  pthread_mutex_lock(&rs->lock);
  memcpy(s.qname, rs->qname, sizeof(s.qname));
  s.qtype = rs->qtype;
  s.rd = rs->rd;
  pthread_mutex_unlock(&rs->lock);
  return s;
}

/* A port on 127.0.0.1 where nothing listens (UDP or TCP). */
static int closed_port(int type)
{
  int port = 0, fd = loopback_socket(AF_INET, type, 0, &port);

  assert_true(fd >= 0);
  close(fd);
  return port;
}

/* ---------------------------------------------------------------- */
/* Helpers                                                           */
/* ---------------------------------------------------------------- */

static const bn_probe_ops *ops(void)
{
  return bn_plugin_descriptor.ops;
}

static void *start_probe(mock_host *m)
{
  void *ctx = NULL;

  assert_int_equal(bn_plugin_descriptor.init(&m->base, &ctx), 0);
  assert_non_null(ctx);
  assert_int_equal(ops()->start(ctx), 0);
  return ctx;
}

static void finish_probe(mock_host *m, void *ctx)
{
  ops()->stop(ctx);
  bn_plugin_descriptor.destroy(ctx);
  mock_loop_run(m, 0);
  assert_int_equal(mock_timer_count(m), 0);
  assert_int_equal(mock_watch_count(m), 0);
  mock_host_free(m);
}

/* The i-th sample of `metric` (counting from 0), or NULL. */
static const mock_sample *nth(const mock_host *m, const char *metric, size_t i)
{
  size_t k;

  for (k = 0; k < m->n_samples; k++)
    if (strcmp(m->samples[k].metric, metric) == 0 && i-- == 0)
      return &m->samples[k];
  return NULL;
}

static size_t count_metric(const mock_host *m, const char *metric)
{
  size_t k, n = 0;

  for (k = 0; k < m->n_samples; k++)
    n += strcmp(m->samples[k].metric, metric) == 0;
  return n;
}

/* Mock config with the given extra options and one responder target. */
static void setup(mock_host *m, const char *conf, const char *name,
                  const char *host, int port)
{
  assert_int_equal(mock_host_init(m, &bn_plugin_descriptor, conf), 0);
  if (name)
    assert_non_null(mock_add_target(m, name, host, port));
}

/* Run a check() that must fail; the number of errors logged. */
static size_t check_fails(mock_host *m)
{
  void *ctx = NULL;

  assert_int_equal(bn_plugin_descriptor.check(&m->base), BN_EINVAL);
  /* init() refuses the same config. */
  assert_int_equal(bn_plugin_descriptor.init(&m->base, &ctx), BN_EINVAL);
  assert_null(ctx);
  assert_int_equal(mock_timer_count(m), 0);
  assert_int_equal(mock_watch_count(m), 0);
  return mock_log_count(m, BN_LOG_ERROR, "");
}

/* ---------------------------------------------------------------- */
/* The descriptor and the config checks                              */
/* ---------------------------------------------------------------- */

static void test_descriptor(void **state)
{
  static const struct {
    const char *name;
    bn_opt_type type;
    const char *def;
  } want[] = {{"interval", BN_OPT_DURATION, "10s"},
              {"timeout", BN_OPT_DURATION, "2s"},
              {"query", BN_OPT_STRING, "."},
              {"type", BN_OPT_STRING, "A"},
              {"tcp", BN_OPT_BOOL, "false"},
              {"expect_rcode", BN_OPT_STRING, "NOERROR"}};
  const bn_plugin *p = &bn_plugin_descriptor;
  size_t i;

  assert_int_equal(p->abi_major, BN_ABI_MAJOR);
  assert_int_equal(p->abi_minor, BN_ABI_MINOR);
  assert_int_equal(p->struct_size, sizeof(bn_plugin));
  assert_string_equal(p->name, "dns");
  assert_int_equal(p->kind, BN_KIND_PROBE);
  assert_non_null(p->check);
  assert_int_equal(ops()->struct_size, sizeof(bn_probe_ops));
  for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    assert_string_equal(p->options[i].name, want[i].name);
    assert_int_equal(p->options[i].type, want[i].type);
    assert_string_equal(p->options[i].def, want[i].def);
  }
  assert_true(p->options[0].min == 0.1);
  assert_null(p->options[i].name);
}

/* A good config: check() passes, logs nothing, opens nothing. */
static void test_check_ok(void **state)
{
  mock_host m;

  setup(&m, "query=a.lab.test.;type=aaaa;expect_rcode=nxdomain;tcp=true", "r1",
        "127.0.0.1", 5353);
  mock_add_target(&m, "r2", "::1", 0);
  assert_int_equal(bn_plugin_descriptor.check(&m.base), 0);
  assert_int_equal(m.n_logs, 0);
  assert_int_equal(mock_timer_count(&m), 0);
  assert_int_equal(mock_watch_count(&m), 0);
  mock_host_free(&m);
}

static void test_check_bad_type(void **state)
{
  mock_host m;

  setup(&m, "type=AXFR", "r", "127.0.0.1", 53);
  assert_int_equal(check_fails(&m), 2); /* check, then init */
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:1:3: unknown record type 'AXFR': use one "
                      "of A, AAAA, MX, TXT, NS, SOA, CNAME, PTR");
  mock_host_free(&m);
}

static void test_check_bad_rcode(void **state)
{
  mock_host m;

  setup(&m, "expect_rcode=NXDOMIAN", "r", "127.0.0.1", 53);
  assert_int_equal(check_fails(&m), 2);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:1:3: unknown rcode 'NXDOMIAN': use one of "
                      "NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, "
                      "REFUSED, YXDOMAIN, YXRRSET, NXRRSET, NOTAUTH, "
                      "NOTZONE");
  mock_host_free(&m);
}

static void test_check_bad_names(void **state)
{
  static const char l64[] =
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  char long_label[128], long_name[300], want[400];
  struct {
    const char *name, *why;
  } cases[] = {
      {"", "the name is empty"},
      {"a..lab.test", "empty label"},
      {".lab.test", "empty label"},
      {"a.lab.test..", "empty label"},
      {"a lab.test", "character ' ' is not allowed"},
      {"a\\.lab", "character '\\' is not allowed"},
      {"::1", "character ':' is not allowed"}, /* an address, type A */
      {"caf\xc3\xa9.test", "character 0xc3 is not allowed"},
      {long_label, "a label is longer than 63 characters"},
      {long_name, "the name is longer than 253 characters"},
  };
  size_t i;

  snprintf(long_label, sizeof(long_label), "%s.test", l64);
  /* 4 * 63 + 3 dots = 255 characters, each label legal. */
  snprintf(long_name, sizeof(long_name), "%.63s.%.63s.%.63s.%.63s", l64, l64,
           l64, l64);
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mock_host m;
    char conf[400];

    snprintf(conf, sizeof(conf), "query=%s", cases[i].name);
    setup(&m, conf, "r", "127.0.0.1", 53);
    assert_int_equal(check_fails(&m), 2);
    snprintf(want, sizeof(want), "mock.yaml:1:3: bad query name '%s': %s",
             cases[i].name, cases[i].why);
    assert_string_equal(m.logs[0].text, want);
    mock_host_free(&m);
  }
}

/* Names at the limits and the root are fine. */
static void test_check_good_names(void **state)
{
  static const char *const names[] = {
      ".",         "lab.test", "lab.test.", "_dmarc.lab.test", "x-1.lab.test",
      "localhost",
  };
  char why[128];
  size_t i;

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    assert_int_equal(dns_name_check(names[i], why, sizeof(why)), 0);
}

/* Every problem at once; a resolver given by name is one of them. */
static void test_check_all_problems(void **state)
{
  mock_host m;

  setup(&m, "interval=50ms;type=ANY;expect_rcode=OK;query=a..b", "byname",
        "dns.lab.test", 53);
  mock_add_target(&m, "ok", "127.0.0.1", 53);
  assert_int_equal(bn_plugin_descriptor.check(&m.base), BN_EINVAL);
  assert_int_equal(m.n_logs, 5);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:1:3: 'interval': 50ms is out of range "
                      "(0.1..86400)");
  assert_non_null(strstr(m.logs[1].text, "unknown record type 'ANY'"));
  assert_non_null(strstr(m.logs[2].text, "unknown rcode 'OK'"));
  assert_string_equal(m.logs[3].text,
                      "mock.yaml:4:3: bad query name 'a..b': empty label");
  assert_string_equal(m.logs[4].text,
                      "mock.yaml:10:3: target 'byname': 'dns.lab.test' is "
                      "not an IP address; a resolver must be given by its "
                      "address");
  mock_host_free(&m);
}

static void test_names(void **state)
{
  char buf[128];

  assert_int_equal(dns_ptr_name("127.0.0.9", buf, sizeof(buf)), 0);
  assert_string_equal(buf, "9.0.0.127.in-addr.arpa");
  assert_int_equal(dns_ptr_name("2001:db8::1", buf, sizeof(buf)), 0);
  assert_string_equal(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
                           "8.b.d.0.1.0.0.2.ip6.arpa");
  assert_int_equal(dns_ptr_name("lab.test", buf, sizeof(buf)), BN_ENOENT);
  assert_string_equal(dns_rcode_name(3, buf, sizeof(buf)), "NXDOMAIN");
  assert_string_equal(dns_rcode_name(12, buf, sizeof(buf)), "RCODE12");
  assert_int_equal(dns_rcode_parse("refused"), 5);
  assert_int_equal(dns_type_parse("aaaa"), 28);
  assert_int_equal(dns_type_parse("ANY"), -1);
  assert_string_equal(dns_type_name(15), "MX");
}

/* ---------------------------------------------------------------- */
/* Queries against the responders                                    */
/* ---------------------------------------------------------------- */

static void test_answer(void **state)
{
  resp_seen seen;
  responder rs;
  mock_host m;
  void *ctx;
  size_t i;

  assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_ANSWER), 0);
  setup(&m, "interval=100ms;query=a.lab.test", "lab", "127.0.0.1", rs.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 9, WAIT_MS), 9);
  for (i = 0; i < 3; i++) {
    const mock_sample *q = &m.samples[3 * i];

    assert_string_equal(q->target, "lab");
    assert_string_equal(q->metric, "query_ms");
    assert_int_equal(q->flags, 0);
    assert_true(isfinite(q->value) && q->value >= 0.0);
    assert_true(q->wall_ns > 0 && q->mono_ns > 0);
    assert_string_equal(m.samples[3 * i + 1].metric, "rcode");
    assert_true(m.samples[3 * i + 1].value == 0.0);
    assert_int_equal(m.samples[3 * i + 1].flags, 0);
    assert_int_equal(m.samples[3 * i + 1].mono_ns, q->mono_ns);
    assert_string_equal(m.samples[3 * i + 2].metric, "answers");
    assert_true(m.samples[3 * i + 2].value == 2.0);
  }
  /* One query an interval, in order (no timing bound: a slow first
   * wake-up, e.g. under valgrind, brings the next one closer). */
  assert_true(m.samples[3].mono_ns > m.samples[0].mono_ns);
  assert_int_equal(resp_queries(&rs), 3);
  seen = resp_last(&rs);
  assert_string_equal(seen.qname, "a.lab.test");
  assert_int_equal(seen.qtype, 1);
  assert_int_equal(seen.rd, 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  assert_int_equal(mock_log_count(&m, BN_LOG_ERROR, ""), 0);
  /* Between queries: only the interval timer, no socket, no c-ares
   * timer. */
  assert_int_equal(mock_timer_count(&m), 1);
  assert_int_equal(mock_watch_count(&m), 0);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

/* The record type and the name go out as configured. */
static void test_query_types(void **state)
{
  static const struct {
    const char *conf, *qname;
    int qtype;
  } cases[] = {
      {"type=MX;query=lab.test", "lab.test", 15},
      {"type=aaaa;query=v6.lab.test.", "v6.lab.test", 28},
      {"type=TXT;query=_dmarc.lab.test", "_dmarc.lab.test", 16},
      {"type=NS", ".", 2}, /* the default query: the root */
      {"type=PTR;query=127.0.0.9", "9.0.0.127.in-addr.arpa", 12},
      {"type=PTR;query=::1",
       "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
       "ip6.arpa",
       12},
  };
  size_t i;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    resp_seen seen;
    responder rs;
    mock_host m;
    void *ctx;

    assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_ANSWER), 0);
    setup(&m, cases[i].conf, "lab", "127.0.0.1", rs.port);
    ctx = start_probe(&m);
    assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
    assert_int_equal(m.samples[0].flags, 0);
    seen = resp_last(&rs);
    assert_string_equal(seen.qname, cases[i].qname);
    assert_int_equal(seen.qtype, cases[i].qtype);
    finish_probe(&m, ctx);
    resp_stop(&rs);
  }
}

static void test_nxdomain(void **state)
{
  responder rs;
  mock_host m;
  char warn[160];
  void *ctx;
  size_t i;

  assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_NXDOMAIN), 0);
  setup(&m, "interval=100ms;query=nosuch.lab.test", "lab", "127.0.0.1",
        rs.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 9, WAIT_MS), 9);
  for (i = 0; i < 3; i++) {
    /* The query failed for the name asked: a failed probe, with the
     * rcode and answers that say why. */
    assert_int_equal(nth(&m, "query_ms", i)->flags,
                     BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
    assert_true(isnan(nth(&m, "query_ms", i)->value));
    assert_true(nth(&m, "rcode", i)->value == 3.0);
    assert_true(nth(&m, "answers", i)->value == 0.0);
  }
  snprintf(warn, sizeof(warn),
           "target 'lab': NXDOMAIN for nosuch.lab.test from 127.0.0.1:%d "
           "(expected NOERROR); counted as a failed query",
           rs.port);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, warn), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_DEBUG,
                                  "target 'lab': NXDOMAIN for "
                                  "nosuch.lab.test from 127.0.0.1:"),
                   2);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

/* expect_rcode: the rcode that is expected gives no warning. */
static void test_expect_rcode(void **state)
{
  responder rs;
  mock_host m;
  void *ctx;

  assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_NXDOMAIN), 0);
  setup(&m, "interval=100ms;query=nosuch.lab.test;expect_rcode=NXDOMAIN",
        "lab", "127.0.0.1", rs.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 6, WAIT_MS), 6);
  assert_true(nth(&m, "rcode", 1)->value == 3.0);
  /* expected: an answer, with its time */
  assert_int_equal(nth(&m, "query_ms", 1)->flags, 0);
  assert_true(isfinite(nth(&m, "query_ms", 1)->value));
  assert_int_equal(m.n_logs, 0);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

/* REFUSED reaches us as an answer with its rcode (not as a failure to
 * send), and is a failed query. */
static void test_refused_rcode(void **state)
{
  responder rs;
  mock_host m;
  char warn[160];
  void *ctx;

  assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_REFUSED), 0);
  setup(&m, "query=lab.test", "lab", "127.0.0.1", rs.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
  assert_int_equal(nth(&m, "query_ms", 0)->flags,
                   BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  assert_true(nth(&m, "rcode", 0)->value == 5.0);
  snprintf(warn, sizeof(warn),
           "target 'lab': REFUSED for lab.test from 127.0.0.1:%d "
           "(expected NOERROR); counted as a failed query",
           rs.port);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, warn), 1);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

/* A silent resolver: query_ms lost after the timeout, nothing else. */
static void test_timeout(void **state)
{
  responder rs;
  mock_host m;
  void *ctx;

  assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_SILENT), 0);
  setup(&m, "interval=10s;timeout=100ms;query=lab.test", "quiet", "127.0.0.1",
        rs.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 1, WAIT_MS), 1);
  assert_string_equal(m.samples[0].target, "quiet");
  assert_string_equal(m.samples[0].metric, "query_ms");
  assert_int_equal(m.samples[0].flags, BN_SAMPLE_LOST);
  assert_true(isnan(m.samples[0].value));
  assert_int_equal(resp_queries(&rs), 1); /* tries 1: asked once */
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  assert_int_equal(mock_log_count(&m, BN_LOG_DEBUG, "within the timeout"), 1);
  /* The socket and the c-ares timer are gone with the query. */
  mock_loop_run(&m, 0);
  assert_int_equal(mock_watch_count(&m), 0);
  assert_int_equal(mock_timer_count(&m), 1);
  assert_int_equal(m.n_samples, 1);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

/* Nobody on the port: ICMP port unreachable -> LOST | ERROR. */
static void test_connection_refused(void **state)
{
  static const int types[2] = {SOCK_DGRAM, SOCK_STREAM};
  size_t k, i;

  for (k = 0; k < 2; k++) {
    int port = closed_port(types[k]);
    char conf[80], warn[160];
    mock_host m;
    void *ctx;

    snprintf(conf, sizeof(conf), "interval=100ms;query=lab.test;tcp=%s",
             types[k] == SOCK_STREAM ? "true" : "false");
    setup(&m, conf, "shut", "127.0.0.1", port);
    ctx = start_probe(&m);
    assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
    for (i = 0; i < 3; i++) {
      assert_string_equal(m.samples[i].metric, "query_ms");
      assert_int_equal(m.samples[i].flags, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
      assert_true(isnan(m.samples[i].value));
    }
    snprintf(warn, sizeof(warn),
             "target 'shut': 127.0.0.1:%d refused the query; counted as "
             "lost",
             port);
    assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
    assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, warn), 1);
    assert_int_equal(
        mock_log_count(&m, BN_LOG_DEBUG, "failed: connection refused"),
        m.n_samples);
    finish_probe(&m, ctx);
  }
}

/* Offline (no route to the resolver): lost and flagged ERROR, and the
 * warning says the network is unreachable, not "refused".  Only where
 * the kernel has no route for TEST-NET-1 (a namespace with loopback
 * only, as make check runs in), so that nothing leaves the machine. */
static void test_unreachable(void **state)
{
  struct sockaddr_in sa;
  mock_host m;
  void *ctx;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), e = 0;

  (void)state;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(53);
  inet_pton(AF_INET, "192.0.2.53", &sa.sin_addr);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
    e = errno;
  if (fd >= 0)
    close(fd);
  if (e != ENETUNREACH) {
    print_message("skipped: 192.0.2.53 has a route here (run in a network "
                  "namespace with loopback only, as make check does)\n");
    skip();
  }
  setup(&m, "interval=100ms;query=lab.test", "off", "192.0.2.53", 53);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 2, WAIT_MS), 2);
  assert_int_equal(nth(&m, "query_ms", 0)->flags,
                   BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  assert_int_equal(
      mock_log_count(&m, BN_LOG_WARNING,
                     "target 'off': query to 192.0.2.53:53 failed: network "
                     "unreachable (no route: offline?); counted as lost"),
      1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, "refused"), 0);
  finish_probe(&m, ctx);
}

static void test_tcp(void **state)
{
  responder rs;
  mock_host m;
  void *ctx;

  assert_int_equal(resp_start(&rs, AF_INET, 1, RESP_ANSWER), 0);
  setup(&m, "interval=100ms;query=a.lab.test;tcp=yes", "lab", "127.0.0.1",
        rs.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 6, WAIT_MS), 6);
  assert_int_equal(nth(&m, "query_ms", 1)->flags, 0);
  assert_true(nth(&m, "rcode", 1)->value == 0.0);
  assert_true(nth(&m, "answers", 1)->value == 2.0);
  assert_int_equal(resp_queries(&rs), 2);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

static void test_ipv6(void **state)
{
  responder rs;
  mock_host m;
  void *ctx;

  if (resp_start(&rs, AF_INET6, 0, RESP_NXDOMAIN) < 0)
    skip(); /* no IPv6 loopback here */
  setup(&m, "query=x.lab.test", "lab6", "::1", rs.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
  assert_true(nth(&m, "rcode", 0)->value == 3.0);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, "from [::1]:"), 1);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

/* Each resolver is asked on its own: one channel, one server each. */
static void test_two_resolvers(void **state)
{
  responder a, b;
  mock_host m;
  void *ctx;
  size_t i, na = 0, nb = 0;

  assert_int_equal(resp_start(&a, AF_INET, 0, RESP_ANSWER), 0);
  assert_int_equal(resp_start(&b, AF_INET, 0, RESP_NXDOMAIN), 0);
  setup(&m, "interval=100ms;query=a.lab.test", "ra", "127.0.0.1", a.port);
  mock_add_target(&m, "rb", "127.0.0.1", b.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 12, WAIT_MS), 12);
  for (i = 0; i < m.n_samples; i++) {
    if (strcmp(m.samples[i].metric, "rcode") != 0)
      continue;
    if (strcmp(m.samples[i].target, "ra") == 0) {
      assert_true(m.samples[i].value == 0.0);
      na++;
    } else {
      assert_string_equal(m.samples[i].target, "rb");
      assert_true(m.samples[i].value == 3.0);
      nb++;
    }
  }
  assert_int_equal(na + nb, count_metric(&m, "rcode"));
  assert_true(na >= 1 && nb >= 1);
  assert_int_equal(resp_queries(&a), (int)na);
  assert_int_equal(resp_queries(&b), (int)nb);
  finish_probe(&m, ctx);
  resp_stop(&a);
  resp_stop(&b);
}

/* A clock epoch change between send and answer: query_ms INVALID. */
static void test_epoch_change(void **state)
{
  responder rs;
  mock_host m;
  void *ctx;

  assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_ANSWER), 0);
  setup(&m, "interval=100ms;query=a.lab.test", "lab", "127.0.0.1", rs.port);
  m.epoch_script[0] = 0; /* when the first query is sent */
  m.epoch_script[1] = 1; /* from its answer on */
  m.n_epoch_script = 2;
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 6, WAIT_MS), 6);
  assert_int_equal(nth(&m, "query_ms", 0)->flags, BN_SAMPLE_INVALID);
  assert_true(isfinite(nth(&m, "query_ms", 0)->value));
  assert_int_equal(nth(&m, "rcode", 0)->flags, 0);
  assert_int_equal(nth(&m, "query_ms", 1)->flags, 0);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

/* stop() drops a query in flight: no sample, socket and timer gone. */
static void test_stop_cancels(void **state)
{
  responder rs;
  mock_host m;
  void *ctx;

  assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_SILENT), 0);
  setup(&m, "interval=10s;timeout=10s;query=lab.test", "quiet", "127.0.0.1",
        rs.port);
  ctx = start_probe(&m);
  mock_loop_run(&m, 30);
  assert_int_equal(mock_watch_count(&m), 1);
  assert_int_equal(mock_timer_count(&m), 2); /* interval + c-ares */
  ops()->stop(ctx);
  mock_loop_run(&m, 20);
  assert_int_equal(m.n_samples, 0);
  assert_int_equal(mock_watch_count(&m), 0);
  assert_int_equal(mock_timer_count(&m), 0);
  finish_probe(&m, ctx);
  resp_stop(&rs);
}

/* destroy() without stop() while a query is in flight: no sample. */
static void test_destroy_in_flight(void **state)
{
  responder rs;
  mock_host m;
  void *ctx;

  assert_int_equal(resp_start(&rs, AF_INET, 0, RESP_SILENT), 0);
  setup(&m, "interval=10s;timeout=10s;query=lab.test", "quiet", "127.0.0.1",
        rs.port);
  ctx = start_probe(&m);
  mock_loop_run(&m, 30);
  assert_int_equal(mock_watch_count(&m), 1);
  bn_plugin_descriptor.destroy(ctx);
  mock_loop_run(&m, 0);
  assert_int_equal(m.n_samples, 0);
  assert_int_equal(mock_watch_count(&m), 0);
  assert_int_equal(mock_timer_count(&m), 0);
  mock_host_free(&m);
  resp_stop(&rs);
}

/* The first queries of 4 resolvers are spread over the first interval. */
static void test_stagger(void **state)
{
  static const int64_t want[4] = {0, 250000000, 500000000, 750000000};
  mock_host m;
  int64_t after, repeat;
  void *ctx;
  size_t i;

  setup(&m, "interval=1s", "a", "127.0.0.1", 1);
  mock_add_target(&m, "b", "127.0.0.2", 2);
  mock_add_target(&m, "c", "::1", 3);
  mock_add_target(&m, "d", "127.0.0.4", 0);
  ctx = start_probe(&m);
  assert_int_equal(mock_timer_count(&m), 4);
  for (i = 0; i < 4; i++) {
    assert_int_equal(mock_timer_times(&m, i, &after, &repeat), 0);
    assert_int_equal(after, want[i]);
    assert_int_equal(repeat, 1000000000);
  }
  finish_probe(&m, ctx);
}

static void test_no_targets(void **state)
{
  mock_host m;
  void *ctx;

  setup(&m, NULL, NULL, NULL, 0);
  ctx = start_probe(&m);
  assert_int_equal(mock_timer_count(&m), 0);
  finish_probe(&m, ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_descriptor),
      cmocka_unit_test(test_check_ok),
      cmocka_unit_test(test_check_bad_type),
      cmocka_unit_test(test_check_bad_rcode),
      cmocka_unit_test(test_check_bad_names),
      cmocka_unit_test(test_check_good_names),
      cmocka_unit_test(test_check_all_problems),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_answer),
      cmocka_unit_test(test_query_types),
      cmocka_unit_test(test_nxdomain),
      cmocka_unit_test(test_expect_rcode),
      cmocka_unit_test(test_refused_rcode),
      cmocka_unit_test(test_timeout),
      cmocka_unit_test(test_connection_refused),
      cmocka_unit_test(test_unreachable),
      cmocka_unit_test(test_tcp),
      cmocka_unit_test(test_ipv6),
      cmocka_unit_test(test_two_resolvers),
      cmocka_unit_test(test_epoch_change),
      cmocka_unit_test(test_stop_cancels),
      cmocka_unit_test(test_destroy_in_flight),
      cmocka_unit_test(test_stagger),
      cmocka_unit_test(test_no_targets),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
