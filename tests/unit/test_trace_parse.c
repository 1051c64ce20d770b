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
  assert_int_equal(trace_parse(&f.msg, 40, &r), TRACE_PORT_UNREACH);
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
  assert_int_equal(trace_parse(&f.msg, TRACE_PAYLOAD, &r), TRACE_PORT_UNREACH);
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
  assert_true(out.avg_ms < 0 && out.last_ms < 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time_exceeded),
      cmocka_unit_test(test_ipv6),
      cmocka_unit_test(test_untrusted),
      cmocka_unit_test(test_hop_stats),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
