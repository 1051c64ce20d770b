/*
 * test_trace_parse.c - the traceroute probe's reading of the socket
 * error queue (plugins/probe-traceroute/trace_parse.c): ICMP errors are
 * untrusted input, so truncated, forged or mismatched quotes must be
 * dropped (TRACE_NONE) and never crash or point at another probe; and
 * the per-hop statistics.
 */
#include <time.h> /* struct timespec, for linux/errqueue.h */

#include <linux/errqueue.h>
#include <math.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "trace.h"

typedef struct fake_err {
  union {
    char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
                        sizeof(struct sockaddr_in6))];
    struct cmsghdr align;
  } ctrl;
  unsigned char data[64];
  struct iovec iov;
  struct msghdr msg;
} fake_err;

/* An error-queue message as the kernel builds it. */
static void fake(fake_err *f, int v6, uint8_t origin, uint8_t type,
                 uint8_t code, size_t addrlen)
{
  struct sock_extended_err ee;
  struct cmsghdr *c;

  memset(f, 0, sizeof(*f));
  memset(&ee, 0, sizeof(ee));
  ee.ee_origin = origin;
  ee.ee_type = type;
  ee.ee_code = code;
  f->iov.iov_base = f->data;
  f->iov.iov_len = sizeof(f->data);
  f->msg.msg_iov = &f->iov;
  f->msg.msg_iovlen = 1;
  f->msg.msg_control = f->ctrl.buf;
  f->msg.msg_controllen = sizeof(f->ctrl.buf);
  c = CMSG_FIRSTHDR(&f->msg);
  c->cmsg_level = v6 ? SOL_IPV6 : SOL_IP;
  c->cmsg_type = v6 ? IPV6_RECVERR : IP_RECVERR;
  c->cmsg_len = CMSG_LEN(sizeof(ee) + addrlen);
  memcpy(CMSG_DATA(c), &ee, sizeof(ee));
  if (v6) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};

    a.sin6_addr.s6_addr[15] = 9;
    memcpy(CMSG_DATA(c) + sizeof(ee), &a,
           addrlen < sizeof(a) ? addrlen : sizeof(a));
  } else {
    struct sockaddr_in a = {.sin_family = AF_INET};

    a.sin_addr.s_addr = htonl(0x0a000001);
    memcpy(CMSG_DATA(c) + sizeof(ee), &a,
           addrlen < sizeof(a) ? addrlen : sizeof(a));
  }
  trace_payload(f->data, 7, 1234);
}

static void test_time_exceeded(void **state)
{
  fake_err f;
  trace_reply r;

  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL,
       sizeof(struct sockaddr_in));
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r),
                   TRACE_TIME_EXCEEDED);
  assert_int_equal(r.round, 7);
  assert_int_equal(r.probe, 1234);
  assert_int_equal(r.from.ss_family, AF_INET);
  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH,
       sizeof(struct sockaddr_in));
  assert_int_equal(trace_parse(&f.msg, 40, &r), TRACE_REACHED);
  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH,
       sizeof(struct sockaddr_in));
  assert_int_equal(trace_parse(&f.msg, 40, &r), TRACE_UNREACH);
}

static void test_ipv6(void **state)
{
  fake_err f;
  trace_reply r;

  fake(&f, 1, SO_EE_ORIGIN_ICMP6, ICMP6_TIME_EXCEEDED,
       ICMP6_TIME_EXCEED_TRANSIT, sizeof(struct sockaddr_in6));
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r),
                   TRACE_TIME_EXCEEDED);
  assert_int_equal(r.from.ss_family, AF_INET6);
  fake(&f, 1, SO_EE_ORIGIN_ICMP6, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOPORT,
       sizeof(struct sockaddr_in6));
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_REACHED);
  /* an ICMPv4 type number under the ICMPv6 origin means nothing */
  fake(&f, 1, SO_EE_ORIGIN_ICMP6, ICMP_TIME_EXCEEDED, 0,
       sizeof(struct sockaddr_in6));
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_NONE);
}

static void test_untrusted(void **state)
{
  fake_err f;
  trace_reply r;

  /* truncated quote: the router sent back less than our payload */
  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_TIME_EXCEEDED, 0,
       sizeof(struct sockaddr_in));
  assert_int_equal(trace_parse(&f.msg, 8, &r), TRACE_NONE);
  assert_int_equal(trace_parse(&f.msg, 0, &r), TRACE_NONE);
  /* forged probe id: the check word no longer matches */
  f.data[11] ^= 1;
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_NONE);
  /* someone else's payload */
  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_TIME_EXCEEDED, 0,
       sizeof(struct sockaddr_in));
  memcpy(f.data, "GET / HTTP/1.1\r\n", 16);
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_NONE);
  /* a local error (not from the network) */
  fake(&f, 0, SO_EE_ORIGIN_LOCAL, 0, 0, sizeof(struct sockaddr_in));
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_NONE);
  /* other ICMP: redirect, echo reply */
  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_REDIRECT, 0, sizeof(struct sockaddr_in));
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_NONE);
  /* no room for the offender address */
  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_TIME_EXCEEDED, 0, 4);
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_NONE);
  /* no control message at all */
  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_TIME_EXCEEDED, 0,
       sizeof(struct sockaddr_in));
  f.msg.msg_controllen = 0;
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_NONE);
  /* a control message too short for the extended error */
  fake(&f, 0, SO_EE_ORIGIN_ICMP, ICMP_TIME_EXCEEDED, 0,
       sizeof(struct sockaddr_in));
  CMSG_FIRSTHDR(&f.msg)->cmsg_len = CMSG_LEN(4);
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_NONE);
}

static void test_hop_stats(void **state)
{
  trace_hop_acc h;
  bn_hop out;

  memset(&h, 0, sizeof(h));
  h.sent = 4;
  trace_hop_add(&h, "10.0.0.1", 2);
  trace_hop_add(&h, "10.0.0.1", 4);
  trace_hop_add(&h, "10.0.0.7", 6);
  trace_hop_out(&h, 3, &out);
  assert_int_equal(out.ttl, 3);
  assert_string_equal(out.addr, "10.0.0.1"); /* the first that answered */
  assert_int_equal(out.sent, 4);
  assert_int_equal(out.received, 3);
  assert_true(out.last_ms == 6 && out.best_ms == 2 && out.worst_ms == 6);
  assert_true(fabs(out.avg_ms - 4) < 1e-9);
  assert_true(fabs(out.stddev_ms - sqrt(8.0 / 3)) < 1e-9);
  memset(&h, 0, sizeof(h));
  h.sent = 3;
  trace_hop_out(&h, 5, &out);
  assert_null(out.addr);
  assert_int_equal(out.flags, BN_SAMPLE_LOST);
  assert_true(isnan(out.avg_ms) && isnan(out.last_ms));
  assert_true(isnan(out.best_ms) && isnan(out.worst_ms));
  assert_true(isnan(out.stddev_ms));
  assert_int_equal(out.struct_size, sizeof(bn_hop));
}

/* ---- raw modes ---------------------------------------------------------- */

static struct sockaddr_storage addr4(uint32_t a, uint16_t port)
{
  struct sockaddr_storage ss;
  struct sockaddr_in *s = (struct sockaddr_in *)&ss;

  memset(&ss, 0, sizeof(ss));
  s->sin_family = AF_INET;
  s->sin_addr.s_addr = htonl(a);
  s->sin_port = htons(port);
  return ss;
}

static struct sockaddr_storage addr6(uint8_t last, uint16_t port)
{
  struct sockaddr_storage ss;
  struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

  memset(&ss, 0, sizeof(ss));
  s->sin6_family = AF_INET6;
  s->sin6_addr.s6_addr[0] = 0xfd;
  s->sin6_addr.s6_addr[15] = last;
  s->sin6_port = htons(port);
  return ss;
}

static uint16_t csum(const unsigned char *p, size_t n, uint32_t sum)
{
  size_t i;

  for (i = 0; i + 1 < n; i += 2)
    sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1)
    sum += (uint32_t)p[n - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* An IPv4 header from src to dst carrying proto, len bytes in all. */
static size_t ip4(unsigned char *p, uint32_t src, uint32_t dst, int proto,
                  size_t len)
{
  memset(p, 0, 20);
  p[0] = 0x45;
  p[2] = (unsigned char)(len >> 8);
  p[3] = (unsigned char)len;
  p[8] = 1;
  p[9] = (unsigned char)proto;
  src = htonl(src);
  dst = htonl(dst);
  memcpy(p + 12, &src, 4);
  memcpy(p + 16, &dst, 4);
  return 20;
}

/* An IPv4 ICMP error (type, code) from router about a probe sent to
 * dst, quoting `quote` bytes of it. */
static size_t icmp4_error(unsigned char *pkt, uint32_t router, uint32_t dst,
                          int proto, const unsigned char *probe, size_t quote,
                          int type, int code)
{
  size_t n = ip4(pkt, router, 0x0a000002, IPPROTO_ICMP, 20 + 8 + 20 + quote);

  memset(pkt + n, 0, 8);
  pkt[n] = (unsigned char)type;
  pkt[n + 1] = (unsigned char)code;
  n += 8;
  n += ip4(pkt + n, 0x0a000002, dst, proto, 20 + quote);
  memcpy(pkt + n, probe, quote);
  return n + quote;
}

static void test_icmp_constant_checksum(void **state)
{
  unsigned char a[TRACE_PKT_MAX], b[TRACE_PKT_MAX];
  size_t n = trace_build_icmp(a, 0, 4242, 1, 0);

  /* Paris: every probe of one flow has the same ICMP header checksum */
  assert_int_equal(trace_build_icmp(b, 0, 4242, 9, 16383), n);
  assert_memory_equal(a, b, 4);
  assert_memory_not_equal(a + 6, b + 6, 2); /* the sequence differs */
  assert_int_equal(csum(a, n, 0), 0);       /* and it is right */
  assert_int_equal(csum(b, n, 0), 0);
  trace_build_icmp(b, 0, 4243, 1, 0); /* another flow: another sum */
  assert_memory_not_equal(a + 2, b + 2, 2);
}

static void test_syn_checksum(void **state)
{
  struct sockaddr_storage src = addr4(0x0a000002, 61000),
                          dst = addr4(0x0a030302, 80);
  unsigned char pkt[TRACE_PKT_MAX], pseudo[12];
  size_t n = trace_build_syn(pkt, (struct sockaddr *)&src,
                             (struct sockaddr *)&dst, 0x01020304);
  uint32_t s = htonl(0x0a000002), d = htonl(0x0a030302), sum = 0;
  size_t i;

  assert_int_equal(n, 24);
  assert_int_equal(pkt[13], 0x02); /* SYN only */
  memcpy(pseudo, &s, 4);
  memcpy(pseudo + 4, &d, 4);
  pseudo[8] = 0;
  pseudo[9] = IPPROTO_TCP;
  pseudo[10] = 0;
  pseudo[11] = (unsigned char)n;
  for (i = 0; i < 12; i += 2)
    sum += (uint32_t)(pseudo[i] << 8 | pseudo[i + 1]);
  assert_int_equal(csum(pkt, n, sum), 0);
}

static void test_raw_icmp_mode(void **state)
{
  unsigned char probe[TRACE_PKT_MAX], pkt[256];
  struct sockaddr_storage from = addr4(0x0a010102, 0);
  size_t plen = trace_build_icmp(probe, 0, 61000, 5, 1234), n;
  trace_reply r;

  /* time exceeded quoting the whole probe: payload checked too */
  n = icmp4_error(pkt, 0x0a010102, 0x0a030302, IPPROTO_ICMP, probe, plen, 11,
                  0);
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_ICMP,
                                   (struct sockaddr *)&from,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_TIME_EXCEEDED);
  assert_int_equal(r.key, 61000);
  assert_int_equal(r.probe, 1234);
  assert_int_equal(r.round, 5);
  assert_int_equal(r.round_mask, 0xffffffffu);
  assert_int_equal(ntohl(((struct sockaddr_in *)&r.dst)->sin_addr.s_addr),
                   0x0a030302);
  /* an old router quoting only 8 bytes: the sequence number still says
   * which probe, with two bits of the round */
  n = icmp4_error(pkt, 0x0a010102, 0x0a030302, IPPROTO_ICMP, probe, 8, 11, 0);
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_ICMP,
                                   (struct sockaddr *)&from,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_TIME_EXCEEDED);
  assert_int_equal(r.probe, 1234);
  assert_int_equal(r.round, 5 & 3);
  assert_int_equal(r.round_mask, 3);
  /* a payload that disagrees with the sequence number: forged */
  probe[8 + 11] ^= 1;
  n = icmp4_error(pkt, 0x0a010102, 0x0a030302, IPPROTO_ICMP, probe, plen, 11,
                  0);
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_ICMP,
                                   (struct sockaddr *)&from,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_NONE);
  /* the echo reply of the target */
  plen = trace_build_icmp(probe, 0, 61000, 6, 77);
  probe[0] = 0; /* echo reply */
  n = ip4(pkt, 0x0a030302, 0x0a000002, IPPROTO_ICMP, 20 + plen);
  memcpy(pkt + n, probe, plen);
  from = addr4(0x0a030302, 0);
  assert_int_equal(trace_raw_parse(pkt, n + plen, AF_INET, IPPROTO_ICMP,
                                   TRACE_ICMP, (struct sockaddr *)&from,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_REACHED);
  assert_int_equal(r.probe, 77);
  assert_int_equal(r.round, 6);
  /* someone else's echo reply (ping's payload) */
  memset(pkt + n + 8, 0x42, plen - 8);
  assert_int_equal(trace_raw_parse(pkt, n + plen, AF_INET, IPPROTO_ICMP,
                                   TRACE_ICMP, (struct sockaddr *)&from,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_NONE);
  /* truncated everywhere: never read past the end */
  plen = trace_build_icmp(probe, 0, 61000, 5, 1234);
  n = icmp4_error(pkt, 0x0a010102, 0x0a030302, IPPROTO_ICMP, probe, plen, 11,
                  0);
  while (n-- > 0)
    assert_true(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_ICMP,
                                (struct sockaddr *)&from,
                                sizeof(struct sockaddr_in),
                                &r) == TRACE_NONE ||
                n >= 20 + 8 + 20 + 8);
}

static void test_raw_tcp_mode(void **state)
{
  struct sockaddr_storage src = addr4(0x0a000002, 61001),
                          dst = addr4(0x0a030302, 80),
                          router = addr4(0x0a020202, 0);
  unsigned char syn[TRACE_PKT_MAX], pkt[256];
  uint32_t seq = trace_tcp_seq(3, 4321), ack;
  size_t n;
  trace_reply r;

  trace_build_syn(syn, (struct sockaddr *)&src, (struct sockaddr *)&dst, seq);
  n = icmp4_error(pkt, 0x0a020202, 0x0a030302, IPPROTO_TCP, syn, 8, 11, 0);
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_TCP,
                                   (struct sockaddr *)&router,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_TIME_EXCEEDED);
  assert_int_equal(r.key, 61001);
  assert_int_equal(r.port, 80);
  assert_int_equal(r.probe, 4321);
  assert_int_equal(r.round, 3);
  /* the same quote read in icmp mode is not ours */
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_ICMP,
                                   (struct sockaddr *)&router,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_NONE);
  /* a forged sequence number fails the check byte */
  syn[7] ^= 0x55;
  n = icmp4_error(pkt, 0x0a020202, 0x0a030302, IPPROTO_TCP, syn, 8, 11, 0);
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_TCP,
                                   (struct sockaddr *)&router,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_NONE);
  /* host unreachable from a router; port unreachable from the target */
  syn[7] ^= 0x55;
  n = icmp4_error(pkt, 0x0a020202, 0x0a030302, IPPROTO_TCP, syn, 8, 3, 1);
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_TCP,
                                   (struct sockaddr *)&router,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_UNREACH);
  n = icmp4_error(pkt, 0x0a030302, 0x0a030302, IPPROTO_TCP, syn, 8, 3, 3);
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET, IPPROTO_ICMP, TRACE_TCP,
                                   (struct sockaddr *)&dst,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_REACHED);
  /* SYN-ACK and RST from the target acknowledge seq + 1 */
  n = ip4(pkt, 0x0a030302, 0x0a000002, IPPROTO_TCP, 40);
  memset(pkt + n, 0, 20);
  pkt[n] = 0;
  pkt[n + 1] = 80;
  pkt[n + 2] = 61001 >> 8;
  pkt[n + 3] = 61001 & 0xff;
  ack = htonl(seq + 1);
  memcpy(pkt + n + 8, &ack, 4);
  pkt[n + 12] = 0x50;
  pkt[n + 13] = 0x12; /* SYN ACK */
  assert_int_equal(trace_raw_parse(pkt, n + 20, AF_INET, IPPROTO_TCP,
                                   TRACE_TCP, (struct sockaddr *)&dst,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_REACHED);
  assert_int_equal(r.probe, 4321);
  assert_int_equal(r.key, 61001);
  pkt[n + 13] = 0x14; /* RST ACK */
  assert_int_equal(trace_raw_parse(pkt, n + 20, AF_INET, IPPROTO_TCP,
                                   TRACE_TCP, (struct sockaddr *)&dst,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_REACHED);
  pkt[n + 13] = 0x02; /* our own SYN, looped back: not an answer */
  assert_int_equal(trace_raw_parse(pkt, n + 20, AF_INET, IPPROTO_TCP,
                                   TRACE_TCP, (struct sockaddr *)&dst,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_NONE);
  pkt[n + 13] = 0x12;
  ack = htonl(seq + 2); /* acknowledges something else */
  memcpy(pkt + n + 8, &ack, 4);
  assert_int_equal(trace_raw_parse(pkt, n + 20, AF_INET, IPPROTO_TCP,
                                   TRACE_TCP, (struct sockaddr *)&dst,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_NONE);
  assert_int_equal(trace_raw_parse(pkt, n + 10, AF_INET, IPPROTO_TCP,
                                   TRACE_TCP, (struct sockaddr *)&dst,
                                   sizeof(struct sockaddr_in), &r),
                   TRACE_NONE);
}

static void test_raw_ipv6(void **state)
{
  struct sockaddr_storage src = addr6(2, 61002), dst = addr6(9, 443),
                          router = addr6(5, 0);
  unsigned char syn[TRACE_PKT_MAX], pkt[256];
  size_t n = 0;
  trace_reply r;

  trace_build_syn(syn, (struct sockaddr *)&src, (struct sockaddr *)&dst,
                  trace_tcp_seq(1, 99));
  /* ICMPv6 time exceeded (no IP header on an IPv6 raw socket) */
  memset(pkt, 0, sizeof(pkt));
  pkt[0] = 3;
  n = 8;
  pkt[n] = 0x60;
  pkt[n + 6] = IPPROTO_TCP;
  memcpy(pkt + n + 8, &((struct sockaddr_in6 *)&src)->sin6_addr, 16);
  memcpy(pkt + n + 24, &((struct sockaddr_in6 *)&dst)->sin6_addr, 16);
  n += 40;
  memcpy(pkt + n, syn, 24);
  n += 24;
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET6, IPPROTO_ICMPV6, TRACE_TCP,
                                   (struct sockaddr *)&router,
                                   sizeof(struct sockaddr_in6), &r),
                   TRACE_TIME_EXCEEDED);
  assert_int_equal(r.probe, 99);
  assert_int_equal(r.key, 61002);
  assert_int_equal(r.port, 443);
  /* an extension header between: not parsed, dropped */
  pkt[8 + 6] = 0; /* hop-by-hop */
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET6, IPPROTO_ICMPV6, TRACE_TCP,
                                   (struct sockaddr *)&router,
                                   sizeof(struct sockaddr_in6), &r),
                   TRACE_NONE);
  /* a sender address of the wrong family or size */
  pkt[8 + 6] = IPPROTO_TCP;
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET6, IPPROTO_ICMPV6, TRACE_TCP,
                                   (struct sockaddr *)&router, 8, &r),
                   TRACE_NONE);
  router = addr4(1, 0);
  assert_int_equal(trace_raw_parse(pkt, n, AF_INET6, IPPROTO_ICMPV6, TRACE_TCP,
                                   (struct sockaddr *)&router,
                                   sizeof(struct sockaddr_in6), &r),
                   TRACE_NONE);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time_exceeded),
      cmocka_unit_test(test_ipv6),
      cmocka_unit_test(test_untrusted),
      cmocka_unit_test(test_hop_stats),
      cmocka_unit_test(test_icmp_constant_checksum),
      cmocka_unit_test(test_syn_checksum),
      cmocka_unit_test(test_raw_icmp_mode),
      cmocka_unit_test(test_raw_tcp_mode),
      cmocka_unit_test(test_raw_ipv6),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
