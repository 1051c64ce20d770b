/*
 * icmp_socket.c - the icmp probe's sockets: opening one per address
 * family (ping datagram socket or raw socket), sending echo requests,
 * receiving in batches with kernel receive timestamps, and parsing what
 * arrives.
 *
 * Timing follows iputils ping: the kernel stamps each datagram on
 * arrival (SO_TIMESTAMPNS, CLOCK_REALTIME) and the send time is
 * CLOCK_REALTIME read right before sendto(), so the RTT leaves out the
 * time the reply waited in the socket queue and in our event loop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* recvmmsg(), SO_RCVBUFFORCE */
#endif
#include "icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* linux/icmp.h clashes with netinet/ip_icmp.h; this is all we need. */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif

/* Enough for 10,000 replies a second to wait through a slow moment. */
#define ICMP_RCVBUF (4 * 1024 * 1024)
#define ICMP_SNDBUF (1024 * 1024)
#define ICMP_BATCH  64
/* Room for a quoting ICMPv6 error (IPv6 minimum MTU) and headers. */
#define ICMP_MIN_MSG 1408
#define ICMP_CTRL    128

/* ---------------------------------------------------------------- */
/* Opening                                                           */
/* ---------------------------------------------------------------- */

static int icmp_socket(int family, int type)
{
  int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

  return socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
}

/* Raw sockets see every ICMP packet of the host: keep what we can use. */
static int icmp_set_filter(int fd, int family)
{
  if (family == AF_INET6) {
    struct icmp6_filter f;

    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
    ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
    ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
    ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
    ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &f);
    return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
  } else {
    /* A set bit drops that type; on loopback this keeps our own echo
     * requests out of the socket. */
    uint32_t mask = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) |
                      (1u << ICMP_TIME_EXCEEDED) | (1u << ICMP_PARAMETERPROB));

    return setsockopt(fd, SOL_RAW, ICMP_FILTER, &mask, sizeof(mask));
  }
}

static void icmp_set_buffers(int fd)
{
  int rcv = ICMP_RCVBUF, snd = ICMP_SNDBUF;

  /* FORCE passes net.core.rmem_max when we may (CAP_NET_ADMIN). */
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
}

static int icmp_configure(int fd, int family, int raw, int tos)
{
  int one = 1;

  icmp_set_buffers(fd);
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
    return -errno;
  if (raw && icmp_set_filter(fd, family) < 0)
    return -errno;
  if (tos == 0)
    return 0;
  if (family == AF_INET6) {
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)) < 0)
      return -errno;
  } else if (setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) < 0) {
    return -errno;
  }
  return 0;
}

int icmp_sock_open(icmp_sock *s, int family, int mode, int tos)
{
  int fd = -1, raw = 0, err = 0, rc;

  s->fd = -1;
  s->family = family;
  s->raw = 0;
  s->watch = NULL;
  if (mode != ICMP_SOCK_RAW) {
    fd = icmp_socket(family, SOCK_DGRAM);
    if (fd < 0)
      err = errno;
  }
  if (fd < 0 && mode != ICMP_SOCK_DGRAM) {
    fd = icmp_socket(family, SOCK_RAW);
    raw = 1;
    /* A ping socket refused by ping_group_range says EACCES; keep the
     * raw socket's answer, which names the missing capability. */
    if (fd < 0)
      err = errno;
  }
  if (fd < 0)
    return -err;
  rc = icmp_configure(fd, family, raw, tos);
  if (rc < 0) {
    close(fd);
    return rc;
  }
  s->fd = fd;
  s->raw = raw;
  return 0;
}

void icmp_sock_close(icmp_sock *s)
{
  if (s->fd >= 0)
    close(s->fd);
  s->fd = -1;
}

/* ---------------------------------------------------------------- */
/* Sending                                                           */
/* ---------------------------------------------------------------- */

uint16_t icmp_checksum(const void *data, size_t len)
{
  const uint8_t *p = data;
  uint32_t sum = 0;
  uint16_t w;

  /* Summing words in memory order gives the checksum in memory order
   * (RFC 1071, byte order independence). */
  while (len > 1) {
    memcpy(&w, p, 2);
    sum += w;
    p += 2;
    len -= 2;
  }
  if (len) {
    w = 0;
    memcpy(&w, p, 1);
    sum += w;
  }
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

int icmp_sock_send(icmp_sock *s, uint8_t *buf, const struct sockaddr *to,
                   socklen_t tolen, uint16_t id, uint16_t seq, size_t size,
                   int64_t *tx_wall_ns)
{
  uint16_t nid = htons(id), nseq = htons(seq), sum;
  size_t len = 8 + size;
  struct timespec ts;
  ssize_t n;

  buf[0] = s->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
  buf[1] = 0;
  memset(buf + 2, 0, 2);
  /* Ping sockets put their own identifier in: ours is for raw ones. */
  memcpy(buf + 4, &nid, 2);
  memcpy(buf + 6, &nseq, 2);
  /* The kernel sums ICMPv6 and ping sockets itself. */
  if (s->family == AF_INET && s->raw) {
    sum = icmp_checksum(buf, len);
    memcpy(buf + 2, &sum, 2);
  }
  clock_gettime(CLOCK_REALTIME, &ts);
  n = sendto(s->fd, buf, len, MSG_DONTWAIT, to, tolen);
  *tx_wall_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
  if (n < 0)
    return -errno;
  return 0;
}

/* ---------------------------------------------------------------- */
/* Parsing                                                           */
/* ---------------------------------------------------------------- */

static uint16_t icmp_get16(const uint8_t *p)
{
  uint16_t v;

  memcpy(&v, p, 2);
  return ntohs(v);
}

static int icmp_is_error(int family, int type)
{
  if (family == AF_INET6)
    return type == ICMP6_DST_UNREACH || type == ICMP6_PACKET_TOO_BIG ||
           type == ICMP6_TIME_EXCEEDED || type == ICMP6_PARAM_PROB;
  return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
         type == ICMP_PARAMETERPROB;
}

/* The request an error quotes: its destination, id, seq, payload. */
static int icmp_parse_quote(int family, const uint8_t *q, size_t len,
                            icmp_packet *out)
{
  size_t hl;

  memset(&out->quoted_dst, 0, sizeof(out->quoted_dst));
  if (family == AF_INET6) {
    struct sockaddr_in6 *d = (struct sockaddr_in6 *)&out->quoted_dst;

    /* Our requests carry no extension header. */
    if (len < 40 + 8 || (q[0] >> 4) != 6 || q[6] != IPPROTO_ICMPV6)
      return -1;
    d->sin6_family = AF_INET6;
    memcpy(&d->sin6_addr, q + 24, 16);
    hl = 40;
    if (q[hl] != ICMP6_ECHO_REQUEST)
      return -1;
  } else {
    struct sockaddr_in *d = (struct sockaddr_in *)&out->quoted_dst;

    if (len < 20 || (q[0] >> 4) != 4)
      return -1;
    hl = (size_t)(q[0] & 0x0f) * 4;
    if (hl < 20 || len < hl + 8 || q[9] != IPPROTO_ICMP)
      return -1;
    d->sin_family = AF_INET;
    memcpy(&d->sin_addr, q + 16, 4);
    if (q[hl] != ICMP_ECHO)
      return -1;
  }
  out->id = icmp_get16(q + hl + 4);
  out->seq = icmp_get16(q + hl + 6);
  out->payload = q + hl + 8;
  out->len = len - hl - 8;
  return 0;
}

int icmp_parse(int family, int raw, const uint8_t *buf, size_t len,
               icmp_packet *out)
{
  int reply = family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;

  memset(out, 0, sizeof(*out));
  if (family == AF_INET && raw) {
    size_t hl;

    if (len < 20 || (buf[0] >> 4) != 4)
      return -1;
    hl = (size_t)(buf[0] & 0x0f) * 4;
    if (hl < 20 || hl > len)
      return -1;
    buf += hl;
    len -= hl;
  }
  if (len < 8)
    return -1;
  out->type = buf[0];
  out->code = buf[1];
  if (out->type == reply) {
    out->kind = ICMP_ECHO_REPLY;
    out->id = icmp_get16(buf + 4);
    out->seq = icmp_get16(buf + 6);
    out->payload = buf + 8;
    out->len = len - 8;
    return 0;
  }
  if (!icmp_is_error(family, out->type))
    return -1;
  out->kind = ICMP_ERROR;
  return icmp_parse_quote(family, buf + 8, len - 8, out);
}

/* ---------------------------------------------------------------- */
/* Receiving                                                         */
/* ---------------------------------------------------------------- */

int icmp_rxbuf_init(icmp_rxbuf *rb, size_t size)
{
  size_t msg = size + 8 + 60 + 64;

  memset(rb, 0, sizeof(*rb));
  rb->n = ICMP_BATCH;
  rb->msg_size = msg < ICMP_MIN_MSG ? ICMP_MIN_MSG : msg;
  rb->data = malloc(rb->n * rb->msg_size);
  rb->mmsg = calloc(rb->n, sizeof(struct mmsghdr));
  rb->iov = calloc(rb->n, sizeof(struct iovec));
  rb->names = calloc(rb->n, sizeof(struct sockaddr_storage));
  rb->ctrl = calloc(rb->n, ICMP_CTRL);
  if (!rb->data || !rb->mmsg || !rb->iov || !rb->names || !rb->ctrl) {
    icmp_rxbuf_free(rb);
    return BN_ENOMEM;
  }
  return 0;
}

void icmp_rxbuf_free(icmp_rxbuf *rb)
{
  free(rb->data);
  free(rb->mmsg);
  free(rb->iov);
  free(rb->names);
  free(rb->ctrl);
  memset(rb, 0, sizeof(*rb));
}

static void icmp_rx_prepare(icmp_rxbuf *rb)
{
  struct mmsghdr *mm = rb->mmsg;
  struct iovec *iov = rb->iov;
  struct sockaddr_storage *names = rb->names;
  uint8_t *ctrl = rb->ctrl;
  size_t i;

  for (i = 0; i < rb->n; i++) {
    iov[i].iov_base = rb->data + i * rb->msg_size;
    iov[i].iov_len = rb->msg_size;
    memset(&mm[i], 0, sizeof(mm[i]));
    mm[i].msg_hdr.msg_name = &names[i];
    mm[i].msg_hdr.msg_namelen = sizeof(names[i]);
    mm[i].msg_hdr.msg_iov = &iov[i];
    mm[i].msg_hdr.msg_iovlen = 1;
    mm[i].msg_hdr.msg_control = ctrl + i * ICMP_CTRL;
    mm[i].msg_hdr.msg_controllen = ICMP_CTRL;
  }
}

/* The kernel's receive time, if the datagram carries one. */
static int icmp_rx_stamp(struct msghdr *mh, int64_t *wall_ns)
{
  struct cmsghdr *cm;

  for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS &&
        cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
      struct timespec ts;

      memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
      *wall_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
      return 1;
    }
  }
  return 0;
}

size_t icmp_sock_drain(icmp_sock *s, icmp_rxbuf *rb, bn_host *h, icmp_rx_fn fn,
                       void *arg)
{
  struct mmsghdr *mm = rb->mmsg;
  struct sockaddr_storage *names = rb->names;
  size_t total = 0;

  for (;;) {
    int64_t rx_mono;
    int n, i;

    icmp_rx_prepare(rb);
    n = recvmmsg(s->fd, mm, (unsigned)rb->n, MSG_DONTWAIT, NULL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break; /* EAGAIN: drained; other errors: the next event retries */
    rx_mono = h->api->now_mono_ns(h);
    for (i = 0; i < n; i++) {
      struct msghdr *mh = &mm[i].msg_hdr;
      icmp_packet p;
      int64_t rx_wall = 0;
      int has_ts;

      /* Larger than any reply of ours: not ours. */
      if (mh->msg_flags & MSG_TRUNC)
        continue;
      has_ts = icmp_rx_stamp(mh, &rx_wall);
      if (icmp_parse(s->family, s->raw, mh->msg_iov->iov_base, mm[i].msg_len,
                     &p) == 0)
        fn(arg, s, &p, &names[i], rx_wall, has_ts, rx_mono);
    }
    total += (size_t)n;
    if ((size_t)n < rb->n)
      break;
  }
  return total;
}
