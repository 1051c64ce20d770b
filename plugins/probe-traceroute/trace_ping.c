/*
 * trace_ping.c - icmp mode without CAP_NET_RAW: one datagram ping socket
 * per flow (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), allowed to the
 * groups in net.ipv4.ping_group_range).  The kernel fills in the echo
 * identifier (the socket's own, so it stays the same for the flow) and
 * the checksum (which our payload keeps constant, as in raw mode).
 * Errors about our echo requests come back on the socket's error queue,
 * as in udp mode, quoting the echo header and our payload; echo replies
 * are ordinary datagrams.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trace.h"

#define ECHO_HDR 8

int trace_ping_allowed(int family)
{
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC,
                  family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

  if (fd < 0)
    return 0;
  close(fd);
  return 1;
}

static void ping_on_read(bn_watch *w, int fd, int events, void *arg)
{
  trace_flow *f = arg;
  trace_ctx *c = f->tg->c;
  int v6 = f->tg->dst.ss_family == AF_INET6;
  unsigned char data[512], ctrl[512];

  for (;;) {
    struct sockaddr_storage from;
    struct iovec iov = {data, sizeof(data)}, quoted;
    struct msghdr msg, inner;
    trace_reply r;
    ssize_t n;

    n = trace_recv_err(fd, &msg, &iov, ctrl, sizeof(ctrl));
    if (n >= 0) {
      /* an error quoting our echo request: its header, then our payload */
      inner = msg;
      quoted.iov_base = data + ECHO_HDR;
      quoted.iov_len = n > ECHO_HDR ? (size_t)n - ECHO_HDR : 0;
      inner.msg_iov = &quoted;
      if (n < ECHO_HDR || data[0] != (v6 ? 128 : 8) ||
          trace_parse(&inner, quoted.iov_len, &r) == TRACE_NONE)
        c->bad++;
      else
        trace_got(f, &r, trace_now(c));
      continue;
    }
    /* an echo reply from the target */
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0)
      return;
    memset(&r, 0, sizeof(r));
    if (n < ECHO_HDR || data[0] != (v6 ? 129 : 0) ||
        !trace_payload_ok(data + ECHO_HDR, (size_t)n - ECHO_HDR, &r.round,
                          &r.probe)) {
      c->bad++;
      continue;
    }
    r.kind = TRACE_REACHED;
    r.round_mask = 0xffffffffu;
    memcpy(&r.from, &from,
           msg.msg_namelen < sizeof(from) ? msg.msg_namelen : sizeof(from));
    r.fromlen = msg.msg_namelen;
    trace_got(f, &r, trace_now(c));
  }
}

int trace_ping_flow(trace_tgt *tg, trace_flow *f)
{
  struct sockaddr_storage dst = tg->dst;
  int v6 = tg->dst.ss_family == AF_INET6;

  if (v6)
    ((struct sockaddr_in6 *)&dst)->sin6_port = 0;
  else
    ((struct sockaddr_in *)&dst)->sin_port = 0;
  return trace_flow_socket(tg, f, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, &dst,
                           ping_on_read);
}

void trace_ping_send(trace_ctx *c, trace_flow *f, int fi, int ttl, int k)
{
  unsigned char pkt[TRACE_PKT_MAX];
  trace_ttl_ctrl ctrl;
  struct iovec iov = {pkt, 0};
  struct msghdr msg;
  int v6 = f->tg->dst.ss_family == AF_INET6;
  uint32_t probe =
      ((uint32_t)fi * TRACE_MAX_TTL + (uint32_t)(ttl - 1)) * TRACE_MAX_COUNT +
      (uint32_t)k;

  /* the kernel writes its identifier and the checksum over ours */
  iov.iov_len = trace_build_icmp(pkt, v6, 0, c->round, probe);
  memset(&msg, 0, sizeof(msg));
  trace_msg_ttl(&msg, &iov, &ctrl, v6, ttl);
  trace_flow_send(c, f, f->fd, ttl, k, &msg);
}
