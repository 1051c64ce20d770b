/*
 * trace_parse.c - understanding the error queue (pure functions).  The
 * kernel has already matched the ICMP error to our socket by the quoted
 * addresses and ports; what is left to check is that the quote carries
 * one of our payloads (a forged or truncated quote does not) and which
 * kind of error it is.
 */
#include "trace.h"

#include <time.h> /* struct timespec, for linux/errqueue.h */

#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>

static uint32_t trace_get32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static void trace_put32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

void trace_payload(unsigned char *buf, uint32_t round, uint32_t probe)
{
  memset(buf, 0, TRACE_PAYLOAD);
  trace_put32(buf, TRACE_MAGIC);
  trace_put32(buf + 4, round);
  trace_put32(buf + 8, probe);
  /* a check word: a quote altered on the way does not match */
  trace_put32(buf + 12, TRACE_MAGIC ^ round ^ (probe * 2654435761u));
}

static trace_kind trace_kind_of(const struct sock_extended_err *ee)
{
  if (ee->ee_origin == SO_EE_ORIGIN_ICMP) {
    if (ee->ee_type == ICMP_TIME_EXCEEDED && ee->ee_code == ICMP_EXC_TTL)
      return TRACE_TIME_EXCEEDED;
    if (ee->ee_type == ICMP_DEST_UNREACH)
      return ee->ee_code == ICMP_PORT_UNREACH ? TRACE_REACHED : TRACE_UNREACH;
  } else if (ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
    if (ee->ee_type == ICMP6_TIME_EXCEEDED &&
        ee->ee_code == ICMP6_TIME_EXCEED_TRANSIT)
      return TRACE_TIME_EXCEEDED;
    if (ee->ee_type == ICMP6_DST_UNREACH)
      return ee->ee_code == ICMP6_DST_UNREACH_NOPORT ? TRACE_REACHED
                                                     : TRACE_UNREACH;
  }
  return TRACE_NONE;
}

trace_kind trace_parse(const struct msghdr *msg, size_t payload_len,
                       trace_reply *out)
{
  const struct sock_extended_err *ee = NULL;
  const struct sockaddr *off;
  const unsigned char *p;
  struct cmsghdr *c;
  size_t alen;

  memset(out, 0, sizeof(*out));
  for (c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
       c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
    if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
        (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
      size_t avail = msg->msg_controllen -
                     (size_t)((const unsigned char *)c -
                              (const unsigned char *)msg->msg_control);

      /* the message must hold the error, and lie inside the buffer */
      if (c->cmsg_len < CMSG_LEN(sizeof(*ee)) || c->cmsg_len > avail)
        return TRACE_NONE;
      ee = (const struct sock_extended_err *)CMSG_DATA(c);
      alen = c->cmsg_len - CMSG_LEN(sizeof(*ee));
      break;
    }
  }
  if (!ee || !msg->msg_iov || msg->msg_iovlen < 1)
    return TRACE_NONE;
  out->kind = trace_kind_of(ee);
  if (out->kind == TRACE_NONE)
    return TRACE_NONE;
  /* the offender address follows the extended error */
  off = SO_EE_OFFENDER(ee);
  /* the family only when the control message holds it (found by
   * fuzzing: a short IP_RECVERR, or one whose cmsg_len claims more than
   * the buffer holds, made this read past the end) */
  if (alen < sizeof(sa_family_t))
    return out->kind = TRACE_NONE;
  if (off->sa_family == AF_INET && alen >= sizeof(struct sockaddr_in))
    out->fromlen = sizeof(struct sockaddr_in);
  else if (off->sa_family == AF_INET6 && alen >= sizeof(struct sockaddr_in6))
    out->fromlen = sizeof(struct sockaddr_in6);
  else
    return out->kind = TRACE_NONE;
  memcpy(&out->from, off, out->fromlen);
  /* our payload, whole and with a matching check word */
  p = msg->msg_iov[0].iov_base;
  if (!trace_payload_ok(p, payload_len, &out->round, &out->probe))
    return out->kind = TRACE_NONE;
  out->round_mask = 0xffffffffu;
  return out->kind;
}

int trace_payload_ok(const unsigned char *p, size_t len, uint32_t *round,
                     uint32_t *probe)
{
  if (len < TRACE_PAYLOAD || trace_get32(p) != TRACE_MAGIC)
    return 0;
  *round = trace_get32(p + 4);
  *probe = trace_get32(p + 8);
  return trace_get32(p + 12) ==
         (TRACE_MAGIC ^ *round ^ (*probe * 2654435761u));
}

void trace_hop_add(trace_hop_acc *h, const char *addr, double ms)
{
  if (!h->received || ms < h->best)
    h->best = ms;
  if (!h->received || ms > h->worst)
    h->worst = ms;
  if (!h->addr[0] && addr)
    memcpy(h->addr, addr, strlen(addr) < 63 ? strlen(addr) + 1 : 63);
  h->received++;
  h->last = ms;
  h->sum += ms;
  h->sumsq += ms * ms;
}

void trace_hop_out(const trace_hop_acc *h, int ttl, bn_hop *out)
{
  double none = BN_NOT_MEASURED; /* the RTTs of a silent hop */
  double mean = h->received ? h->sum / h->received : none;
  double var = h->received ? h->sumsq / h->received - mean * mean : 0;

  *out = (bn_hop){BN_INIT(bn_hop), .ttl = ttl, .sent = h->sent,
                  .received = h->received};
  out->addr = h->received ? h->addr : NULL;
  /* probes over the answering host's ICMP budget are not loss */
  out->sent = h->sent > h->over ? h->sent - h->over : 0;
  if (h->received > out->sent)
    out->sent = h->received;
  out->last_ms = h->received ? h->last : none;
  out->avg_ms = mean;
  out->best_ms = h->received ? h->best : none;
  out->worst_ms = h->received ? h->worst : none;
  out->stddev_ms = h->received ? (var > 0 ? __builtin_sqrt(var) : 0) : none;
  if (!h->received)
    out->flags = BN_SAMPLE_LOST;
  if (h->over)
    out->flags |= TRACE_HOP_RATE_LIMITED;
}

void trace_msg_ttl(struct msghdr *msg, struct iovec *iov, trace_ttl_ctrl *ctrl,
                   int v6, int ttl)
{
  struct cmsghdr *cm;

  memset(ctrl, 0, sizeof(*ctrl));
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_control = ctrl->b;
  msg->msg_controllen = sizeof(ctrl->b);
  cm = CMSG_FIRSTHDR(msg);
  cm->cmsg_level = v6 ? SOL_IPV6 : SOL_IP;
  cm->cmsg_type = v6 ? IPV6_HOPLIMIT : IP_TTL;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &ttl, sizeof(int));
}
