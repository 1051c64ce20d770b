/*
 * trace_raw.c - the sockets of the icmp and tcp modes.  One raw ICMP
 * socket per family reads every time exceeded and unreachable (and, in
 * icmp mode, sends the echo requests and reads the replies); in tcp mode
 * each target also has a raw TCP socket, connected to it so that the
 * kernel only hands it that host's packets, which sends the SYNs and
 * reads the SYN-ACK or RST that ends the trace.  Raw sockets see other
 * programs' packets too: trace_raw_parse keeps only answers to our
 * probes, and the target and flow are found from what they quote.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trace.h"

/* linux/icmp.h clashes with netinet/ip_icmp.h; this is all we need. */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif

/* The flow a parsed answer is about, or NULL when it is not ours. */
static trace_flow *raw_flow(trace_ctx *c, trace_reply *r)
{
  size_t i;
  uint32_t fi = (uint32_t)(uint16_t)(r->key - c->key_base);

  if (fi >= (uint32_t)c->flows)
    return NULL;
  if (c->mode == TRACE_TCP && r->port != (uint16_t)c->port)
    return NULL;
  for (i = 0; i < c->n; i++)
    if (c->tg[i].ready && trace_same_host(&c->tg[i].dst, &r->dst))
      return &c->tg[i].flows[fi];
  return NULL;
}

static void raw_on_read(bn_watch *w, int fd, int events, void *arg)
{
  trace_raw *rs = arg;
  trace_ctx *c = rs->c;
  unsigned char buf[1500];

  for (;;) {
    struct sockaddr_storage from;
    socklen_t fromlen = sizeof(from);
    trace_reply r;
    trace_flow *f;
    ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
                         (struct sockaddr *)&from, &fromlen);

    if (n < 0)
      return;
    if (trace_raw_parse(buf, (size_t)n, rs->family, rs->proto, c->mode,
                        (struct sockaddr *)&from, fromlen, &r) == TRACE_NONE) {
      continue; /* other programs' traffic, or malformed */
    }
    f = raw_flow(c, &r);
    if (!f) {
      c->bad++; /* a well-formed answer about a probe we never sent */
      continue;
    }
    /* the answer carries the round's low bits: an older round's late
     * answer does not match the current one */
    if ((c->round & r.round_mask) == r.round)
      r.round = c->round;
    else
      r.round = c->round - 1;
    trace_got(f, &r, trace_now(c));
  }
}

static int raw_open(trace_ctx *c, trace_raw *rs, int family, int proto)
{
  int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

  if (fd < 0)
    return -errno;
  /* only the ICMP types that can answer a probe */
  if (proto == IPPROTO_ICMP) {
    uint32_t blocked = ~(1u << ICMP_ECHOREPLY | 1u << ICMP_DEST_UNREACH |
                         1u << ICMP_TIME_EXCEEDED);

    setsockopt(fd, SOL_RAW, ICMP_FILTER, &blocked, sizeof(blocked));
  } else if (proto == IPPROTO_ICMPV6) {
    struct icmp6_filter flt;

    ICMP6_FILTER_SETBLOCKALL(&flt);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &flt);
    ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &flt);
    ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &flt);
    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &flt, sizeof(flt));
  }
  rs->c = c;
  rs->family = family;
  rs->proto = proto;
  rs->fd = fd;
  rs->w = c->h->api->watch_start(c->h, fd, BN_WATCH_READ, raw_on_read, rs);
  if (!rs->w) {
    close(fd);
    rs->fd = -1;
    return -ENOMEM;
  }
  return 0;
}

static void raw_free(trace_ctx *c, trace_raw *rs)
{
  c->h->api->watch_free(rs->w);
  rs->w = NULL;
  if (rs->fd >= 0)
    close(rs->fd);
  rs->fd = -1;
}

int trace_raw_start(trace_ctx *c)
{
  int rc = raw_open(c, &c->icmp[0], AF_INET, IPPROTO_ICMP);

  if ((rc == -EPERM || rc == -EACCES) && c->mode == TRACE_ICMP &&
      trace_ping_allowed(AF_INET)) {
    bn_info(c->h, "no CAP_NET_RAW: tracing with ping sockets");
    c->ping = 1;
    return BN_OK;
  }
  if (rc == -EPERM || rc == -EACCES) {
    if (c->mode == TRACE_ICMP)
      bn_error(c->h,
               "mode icmp needs raw sockets or ping sockets: run as root, "
               "give the program CAP_NET_RAW (setcap cap_net_raw+ep) or "
               "add your group to sysctl net.ipv4.ping_group_range; or "
               "use mode udp, which needs no privilege");
    else
      bn_error(c->h,
               "mode tcp needs raw sockets: run as root or give the "
               "program CAP_NET_RAW (setcap cap_net_raw+ep), or use mode "
               "udp, which needs no privilege");
    return BN_ENOTSUP;
  }
  if (rc != 0) {
    bn_error(c->h, "cannot open a raw ICMP socket: %s", strerror(-rc));
    return BN_ERR;
  }
  /* no IPv6 here is not an error until an IPv6 target turns up */
  rc = raw_open(c, &c->icmp[1], AF_INET6, IPPROTO_ICMPV6);
  if (rc != 0)
    bn_debug(c->h, "no raw ICMPv6 socket: %s", strerror(-rc));
  return BN_OK;
}

/* Our address toward the target: the TCP checksum covers it. */
static int raw_source(trace_tgt *tg)
{
  socklen_t len = sizeof(tg->src);
  int fd = socket(tg->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

  if (fd < 0)
    return -errno;
  if (connect(fd, (struct sockaddr *)&tg->dst, tg->dlen) != 0 ||
      getsockname(fd, (struct sockaddr *)&tg->src, &len) != 0)
    rc = -errno;
  close(fd);
  return rc;
}

int trace_raw_target(trace_tgt *tg)
{
  trace_ctx *c = tg->c;
  int v6 = tg->dst.ss_family == AF_INET6, rc;
  int64_t fi;

  if (c->ping) {
    for (fi = 0, rc = 0; fi < c->flows && rc == 0; fi++)
      rc = trace_ping_flow(tg, &tg->flows[fi]);
    return rc;
  }
  if (c->icmp[v6].fd < 0)
    return -EAFNOSUPPORT;
  if (c->mode != TRACE_TCP)
    return 0;
  if ((rc = raw_source(tg)) != 0)
    return rc;
  raw_free(c, &tg->tcp);
  if ((rc = raw_open(c, &tg->tcp, tg->dst.ss_family, IPPROTO_TCP)) != 0)
    return rc;
  tg->tcp.tg = tg;
  /* a connected raw socket only gets packets from that address; the
   * port means nothing to a raw socket */
  if (connect(tg->tcp.fd, (struct sockaddr *)&tg->dst, tg->dlen) != 0) {
    rc = -errno;
    raw_free(c, &tg->tcp);
    return rc;
  }
  return 0;
}

void trace_raw_send(trace_ctx *c, trace_flow *f, int fi, int ttl, int k)
{
  trace_tgt *tg = f->tg;
  unsigned char pkt[TRACE_PKT_MAX];
  trace_ttl_ctrl ctrl;
  struct iovec iov = {pkt, 0};
  struct msghdr msg;
  struct sockaddr_storage dst;
  int v6 = tg->dst.ss_family == AF_INET6, fd;
  uint32_t probe =
      ((uint32_t)fi * TRACE_MAX_TTL + (uint32_t)(ttl - 1)) * TRACE_MAX_COUNT +
      (uint32_t)k;

  if (c->ping) {
    trace_ping_send(c, f, fi, ttl, k);
    return;
  }
  memset(&msg, 0, sizeof(msg));
  if (c->mode == TRACE_TCP) {
    struct sockaddr_storage src = tg->src;
    uint16_t sport = htons((uint16_t)(c->key_base + fi));

    if (v6)
      ((struct sockaddr_in6 *)&src)->sin6_port = sport;
    else
      ((struct sockaddr_in *)&src)->sin_port = sport;
    iov.iov_len = trace_build_syn(pkt, (struct sockaddr *)&src,
                                  (struct sockaddr *)&tg->dst,
                                  trace_tcp_seq(c->round, probe));
    fd = tg->tcp.fd;
  } else {
    iov.iov_len = trace_build_icmp(pkt, v6, (uint16_t)(c->key_base + fi),
                                   c->round, probe);
    /* a raw IPv6 socket reads a port as the protocol: none */
    dst = tg->dst;
    if (v6)
      ((struct sockaddr_in6 *)&dst)->sin6_port = 0;
    msg.msg_name = &dst;
    msg.msg_namelen = tg->dlen;
    fd = c->icmp[v6].fd;
  }
  trace_msg_ttl(&msg, &iov, &ctrl, v6, ttl);
  trace_flow_send(c, f, fd, ttl, k, &msg);
}

void trace_raw_close(trace_ctx *c)
{
  size_t i;

  raw_free(c, &c->icmp[0]);
  raw_free(c, &c->icmp[1]);
  for (i = 0; i < c->n; i++)
    raw_free(c, &c->tg[i].tcp);
}
