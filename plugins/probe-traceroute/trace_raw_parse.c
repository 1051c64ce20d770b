/*
 * trace_raw_parse.c - the packets of the raw modes (pure functions):
 * building ICMP echo requests and TCP SYNs, and reading what comes back
 * on raw sockets.  Everything read is untrusted: every length is checked
 * before it is used, and an answer only counts when what it quotes (or
 * acknowledges) carries one of our probe numbers with its check.
 *
 * What a router must quote is only the IP header and 8 bytes after it
 * (RFC 792), so the probe number lives in those 8 bytes: the echo
 * sequence number (ICMP) or the TCP sequence number (TCP).
 */
#include "trace.h"

#include <netinet/in.h>
#include <string.h>

#define ICMP4_ECHO      8
#define ICMP4_ECHOREPLY 0
#define ICMP4_UNREACH   3
#define ICMP4_TIMXCEED  11
#define ICMP6_ECHO      128
#define ICMP6_ECHOREPLY 129
#define ICMP6_UNREACH   1
#define ICMP6_TIMXCEED  3
#define ICMP_HDR        8
#define TCP_HDR         20
#define TCP_SYN_LEN     24 /* header and an MSS option */
#define TCPF_SYN        0x02
#define TCPF_RST        0x04
#define TCPF_ACK        0x10
#define ICMP_PROBE_BITS 14 /* 16 flows x 64 ttls x 16 probes */

static uint16_t get16(const unsigned char *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static void put16(unsigned char *p, uint16_t v)
{
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}

/* The one's complement sum of len bytes (big-endian words), unfolded. */
static uint32_t sum16(const unsigned char *p, size_t len, uint32_t sum)
{
  size_t i;

  for (i = 0; i + 1 < len; i += 2)
    sum += get16(p + i);
  if (len & 1)
    sum += (uint32_t)p[len - 1] << 8;
  return sum;
}

static uint16_t fold(uint32_t sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

/* ---- building ---------------------------------------------------------- */

uint16_t trace_icmp_seq(uint32_t round, uint32_t probe)
{
  return (uint16_t)((round & 3) << ICMP_PROBE_BITS |
                    (probe & ((1u << ICMP_PROBE_BITS) - 1)));
}

static uint8_t tcp_check8(uint32_t round, uint32_t probe)
{
  uint32_t h = (round & 0xff) * 2654435761u ^ (probe + 0x9e37u) * 40503u;

  return (uint8_t)(h >> 13 ^ h >> 24 ^ 0x5a);
}

uint32_t trace_tcp_seq(uint32_t round, uint32_t probe)
{
  return (round & 0xff) << 24 | (probe & 0xffff) << 8 |
         tcp_check8(round, probe);
}

size_t trace_build_icmp(unsigned char *buf, int v6, uint16_t id,
                        uint32_t round, uint32_t probe)
{
  size_t len = ICMP_HDR + TRACE_PAYLOAD + 2;
  uint16_t seq = trace_icmp_seq(round, probe);
  uint32_t varying;

  memset(buf, 0, len);
  buf[0] = v6 ? ICMP6_ECHO : ICMP4_ECHO;
  put16(buf + 4, id);
  put16(buf + 6, seq);
  trace_payload(buf + ICMP_HDR, round, probe);
  /* The words that change from probe to probe (sequence number and the
   * payload's round, probe and check) plus the last word sum to 0xffff:
   * the checksum only depends on the identifier. */
  varying = fold(sum16(buf + 6, 2, 0) + sum16(buf + ICMP_HDR + 4, 12, 0));
  put16(buf + ICMP_HDR + TRACE_PAYLOAD, (uint16_t)~varying);
  if (!v6)
    put16(buf + 2, (uint16_t)~fold(sum16(buf, len, 0)));
  return len;
}

size_t trace_build_syn(unsigned char *buf, const struct sockaddr *src,
                       const struct sockaddr *dst, uint32_t seq)
{
  uint32_t sum = 0;

  memset(buf, 0, TCP_SYN_LEN);
  if (dst->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s = (const void *)src, *d = (const void *)dst;

    memcpy(buf, &s->sin6_port, 2);
    memcpy(buf + 2, &d->sin6_port, 2);
    sum = sum16(s->sin6_addr.s6_addr, 16, sum);
    sum = sum16(d->sin6_addr.s6_addr, 16, sum);
  } else {
    const struct sockaddr_in *s = (const void *)src, *d = (const void *)dst;

    memcpy(buf, &s->sin_port, 2);
    memcpy(buf + 2, &d->sin_port, 2);
    sum = sum16((const unsigned char *)&s->sin_addr, 4, sum);
    sum = sum16((const unsigned char *)&d->sin_addr, 4, sum);
  }
  put32(buf + 4, seq);
  buf[12] = (TCP_SYN_LEN / 4) << 4;
  buf[13] = TCPF_SYN;
  put16(buf + 14, 64240); /* window */
  buf[20] = 2;            /* MSS option: a bare SYN looks odd to firewalls */
  buf[21] = 4;
  put16(buf + 22, 1460);
  sum += IPPROTO_TCP + TCP_SYN_LEN; /* the rest of the pseudo-header */
  put16(buf + 16, (uint16_t)~fold(sum16(buf, TCP_SYN_LEN, sum)));
  return TCP_SYN_LEN;
}

/* ---- parsing ------------------------------------------------------------ */

static void set_addr(struct sockaddr_storage *ss, int family,
                     const unsigned char *a)
{
  memset(ss, 0, sizeof(*ss));
  ss->ss_family = (sa_family_t)family;
  if (family == AF_INET6)
    memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, a, 16);
  else
    memcpy(&((struct sockaddr_in *)ss)->sin_addr, a, 4);
}

/* The probe inside an echo request or a TCP header we sent (t, tlen
 * bytes of it quoted). */
static int parse_sent(const unsigned char *t, size_t tlen, int v6,
                      trace_mode mode, trace_reply *out)
{
  uint32_t seq, round, probe;

  if (tlen < 8)
    return 0;
  if (mode == TRACE_TCP) {
    seq = get32(t + 4);
    out->key = get16(t);
    out->port = get16(t + 2);
    out->round = seq >> 24;
    out->round_mask = 0xff;
    out->probe = seq >> 8 & 0xffff;
    return (seq & 0xff) == tcp_check8(out->round, out->probe);
  }
  if (t[0] != (v6 ? ICMP6_ECHO : ICMP4_ECHO) || t[1] != 0)
    return 0;
  seq = get16(t + 6);
  out->key = get16(t + 4);
  out->round = seq >> ICMP_PROBE_BITS;
  out->round_mask = 3;
  out->probe = seq & ((1u << ICMP_PROBE_BITS) - 1);
  /* a router that quotes more gives the payload: then it must match */
  if (tlen >= ICMP_HDR + TRACE_PAYLOAD) {
    if (!trace_payload_ok(t + ICMP_HDR, tlen - ICMP_HDR, &round, &probe) ||
        probe != out->probe || (round & 3) != out->round)
      return 0;
    out->round = round;
    out->round_mask = 0xffffffffu;
  }
  return 1;
}

/* An ICMP error: the quoted packet must be one of our probes. */
static trace_kind parse_error(const unsigned char *q, size_t qlen, int v6,
                              trace_mode mode, trace_kind kind,
                              trace_reply *out)
{
  int want =
      mode == TRACE_TCP ? IPPROTO_TCP : (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
  size_t ihl;

  if (v6) {
    if (qlen < 40 || q[0] >> 4 != 6 || q[6] != want)
      return TRACE_NONE;
    set_addr(&out->dst, AF_INET6, q + 24);
    ihl = 40;
  } else {
    if (qlen < 20 || q[0] >> 4 != 4 || q[9] != want)
      return TRACE_NONE;
    ihl = (size_t)(q[0] & 0xf) * 4;
    if (ihl < 20 || ihl > qlen)
      return TRACE_NONE;
    set_addr(&out->dst, AF_INET, q + 16);
  }
  if (!parse_sent(q + ihl, qlen - ihl, v6, mode, out))
    return TRACE_NONE;
  return out->kind = kind;
}

static trace_kind parse_icmp(const unsigned char *p, size_t len, int v6,
                             trace_mode mode, trace_reply *out)
{
  uint8_t type, code;
  trace_kind kind;

  if (len < ICMP_HDR)
    return TRACE_NONE;
  type = p[0];
  code = p[1];
  if (type == (v6 ? ICMP6_ECHOREPLY : ICMP4_ECHOREPLY)) {
    uint32_t round, probe;

    /* the target itself; our payload comes back whole */
    if (mode != TRACE_ICMP || code != 0 ||
        !trace_payload_ok(p + ICMP_HDR, len - ICMP_HDR, &round, &probe) ||
        get16(p + 6) != trace_icmp_seq(round, probe))
      return TRACE_NONE;
    out->key = get16(p + 4);
    out->round = round;
    out->round_mask = 0xffffffffu;
    out->probe = probe;
    out->dst = out->from;
    return out->kind = TRACE_REACHED;
  }
  if (type == (v6 ? ICMP6_TIMXCEED : ICMP4_TIMXCEED) && code == 0)
    kind = TRACE_TIME_EXCEEDED;
  else if (type == (v6 ? ICMP6_UNREACH : ICMP4_UNREACH))
    kind = TRACE_UNREACH; /* the target's own: see trace_raw_parse */
  else
    return TRACE_NONE;
  return parse_error(p + ICMP_HDR, len - ICMP_HDR, v6, mode, kind, out);
}

/* A SYN-ACK or RST from the target, acknowledging one of our SYNs. */
static trace_kind parse_tcp(const unsigned char *t, size_t len,
                            trace_reply *out)
{
  uint32_t seq;

  if (len < TCP_HDR || !(t[13] & TCPF_ACK) || !(t[13] & (TCPF_SYN | TCPF_RST)))
    return TRACE_NONE;
  seq = get32(t + 8) - 1;
  out->key = get16(t + 2); /* their destination port is our source port */
  out->port = get16(t);
  out->round = seq >> 24;
  out->round_mask = 0xff;
  out->probe = seq >> 8 & 0xffff;
  if ((seq & 0xff) != tcp_check8(out->round, out->probe))
    return TRACE_NONE;
  out->dst = out->from;
  return out->kind = TRACE_REACHED;
}

int trace_same_host(const struct sockaddr_storage *a,
                    const struct sockaddr_storage *b)
{
  if (a->ss_family != b->ss_family)
    return 0;
  if (a->ss_family == AF_INET6)
    return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                   &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
  return !memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                 &((const struct sockaddr_in *)b)->sin_addr, 4);
}

trace_kind trace_raw_parse(const unsigned char *pkt, size_t len, int family,
                           int proto, trace_mode mode,
                           const struct sockaddr *from, socklen_t fromlen,
                           trace_reply *out)
{
  int v6 = family == AF_INET6;
  size_t ihl = 0;
  trace_kind kind;

  memset(out, 0, sizeof(*out));
  if (!from || from->sa_family != family ||
      fromlen <
          (v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) ||
      fromlen > sizeof(out->from))
    return TRACE_NONE;
  memcpy(&out->from, from, fromlen);
  out->fromlen = fromlen;
  if (!v6) {
    /* IPv4 raw sockets see the IP header */
    if (len < 20 || pkt[0] >> 4 != 4)
      return TRACE_NONE;
    ihl = (size_t)(pkt[0] & 0xf) * 4;
    if (ihl < 20 || ihl > len)
      return TRACE_NONE;
  }
  if (proto == IPPROTO_TCP)
    return mode == TRACE_TCP ? parse_tcp(pkt + ihl, len - ihl, out)
                             : TRACE_NONE;
  kind = parse_icmp(pkt + ihl, len - ihl, v6, mode, out);
  /* "unreachable" from the destination itself (port or protocol): it
   * is there, and that is where the trace ends */
  if (kind == TRACE_UNREACH && trace_same_host(&out->from, &out->dst))
    kind = out->kind = TRACE_REACHED;
  return kind;
}
