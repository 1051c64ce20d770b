/*
 * check_mtu.c - the path MTU to each target, found with don't-fragment
 * UDP probes that get answers: a probe that fits draws the target's
 * "port unreachable", one that does not draws "fragmentation needed" /
 * "packet too big" from the router with the smaller link (with its MTU),
 * both read from the socket's error queue.  Compared with the MTU of the
 * interface the route uses (the socket's IP_MTU before any probe).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <math.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "profile.h"

#define MTU_PORT 33434

typedef enum mtu_answer { MTU_NONE, MTU_FITS, MTU_TOO_BIG } mtu_answer;

typedef struct mtu_sock {
  int fd, v6, hdr;
  uint32_t seq;
  int ms;
} mtu_sock;

static int64_t mtu_now_ms(void)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read the error queue until an answer about probe `seq`. */
static mtu_answer mtu_wait(mtu_sock *m, int *hint)
{
  int64_t end = mtu_now_ms() + m->ms;
  unsigned char data[64], ctrl[512];

  for (;;) {
    struct iovec iov = {data, sizeof(data)};
    struct msghdr msg;
    struct cmsghdr *c;
    struct pollfd pfd = {m->fd, POLLERR, 0};
    int64_t left = end - mtu_now_ms();
    uint32_t seq;

    if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
      return MTU_NONE;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctrl;
    msg.msg_controllen = sizeof(ctrl);
    if (recvmsg(m->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 4)
      continue;
    memcpy(&seq, data, 4);
    if (seq != m->seq)
      continue; /* an answer to an earlier probe */
    for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      const struct sock_extended_err *ee;

      if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
        continue;
      ee = (const struct sock_extended_err *)CMSG_DATA(c);
      if (ee->ee_errno == EMSGSIZE) {
        *hint = (int)ee->ee_info;
        return MTU_TOO_BIG;
      }
      if ((ee->ee_origin == SO_EE_ORIGIN_ICMP &&
           ee->ee_type == ICMP_DEST_UNREACH &&
           ee->ee_code == ICMP_PORT_UNREACH) ||
          (ee->ee_origin == SO_EE_ORIGIN_ICMP6 &&
           ee->ee_type == ICMP6_DST_UNREACH &&
           ee->ee_code == ICMP6_DST_UNREACH_NOPORT))
        return MTU_FITS;
    }
  }
}

/* Send one don't-fragment datagram of `size` bytes on the wire. */
static mtu_answer mtu_probe(mtu_sock *m, int size, int *hint)
{
  static unsigned char buf[65536];
  int tries;

  m->seq++;
  memcpy(buf, &m->seq, 4);
  *hint = 0;
  for (tries = 0; tries < 3; tries++) {
    ssize_t n = send(m->fd, buf, (size_t)(size - m->hdr), 0);

    if (n < 0 && errno == EMSGSIZE) {
      return MTU_TOO_BIG; /* the first hop's MTU, known locally */
    }
    if (n >= 0 || (errno != ECONNREFUSED && errno != EHOSTUNREACH))
      break;
  }
  return mtu_wait(m, hint);
}

static int mtu_open(const char *host, mtu_sock *m, int *ifmtu, char *addr,
                    size_t alen)
{
  struct addrinfo hints, *ai = NULL;
  int on = 1, probe;
  socklen_t len = sizeof(*ifmtu);

  memset(&hints, 0, sizeof(hints));
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_ADDRCONFIG;
  if (getaddrinfo(host, "33434", &hints, &ai) != 0)
    return -1;
  m->v6 = ai->ai_family == AF_INET6;
  m->hdr = m->v6 ? 48 : 28;
  m->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, (socklen_t)alen, NULL, 0,
              NI_NUMERICHOST);
  probe = m->v6 ? IPV6_PMTUDISC_PROBE : IP_PMTUDISC_PROBE;
  if (m->fd < 0 || connect(m->fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
      setsockopt(m->fd, m->v6 ? SOL_IPV6 : SOL_IP,
                 m->v6 ? IPV6_RECVERR : IP_RECVERR, &on, sizeof(on)) != 0 ||
      setsockopt(m->fd, m->v6 ? SOL_IPV6 : SOL_IP,
                 m->v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, &probe,
                 sizeof(probe)) != 0 ||
      getsockopt(m->fd, m->v6 ? SOL_IPV6 : SOL_IP, m->v6 ? IPV6_MTU : IP_MTU,
                 ifmtu, &len) != 0) {
    freeaddrinfo(ai);
    if (m->fd >= 0)
      close(m->fd);
    return -1;
  }
  freeaddrinfo(ai);
  return 0;
}

/* Routers (and the target) send ICMP errors from a token bucket: Linux
 * allows a burst of about 6 to one destination, then one a second
 * (net.ipv4.icmp_ratelimit, 1000 ms by default; ICMPv6 alike).  Once
 * the target is known to answer, silence may only mean the bucket is
 * empty, not "too big": wait for a token and ask again before taking
 * it as a drop. */
#define MTU_REFILL_MS 1000
#define MTU_TRIES     3

static mtu_answer mtu_probe_paced(mtu_sock *m, int size, int *hint)
{
  mtu_answer a = MTU_NONE;
  int i;

  for (i = 0; i < MTU_TRIES && a == MTU_NONE; i++) {
    if (i > 0 && m->ms < MTU_REFILL_MS) {
      struct timespec d = {0, (long)(MTU_REFILL_MS - m->ms) * 1000000L};

      while (nanosleep(&d, &d) != 0 && errno == EINTR)
        ;
    }
    a = mtu_probe(m, size, hint);
  }
  return a;
}

/* Largest size that fits, between lo (known or assumed to fit) and hi. */
static int mtu_search(mtu_sock *m, int lo, int hi, int *answered)
{
  int hint;

  while (lo < hi) {
    int mid = lo + (hi - lo + 1) / 2;
    mtu_answer a = mtu_probe_paced(m, mid, &hint);

    *answered |= a != MTU_NONE;
    if (a == MTU_FITS) {
      lo = mid;
    } else {
      hi = mid - 1;
      if (a == MTU_TOO_BIG && hint > lo && hint < hi)
        hi = hint; /* the router said how big */
    }
  }
  return lo;
}

static void mtu_target(const bn_target *t, const check_settings *s,
                       check_list *out)
{
  mtu_sock m = {-1, 0, 0, 0, (int)(s->timeout_ns / 1000000)};
  char addr[INET6_ADDRSTRLEN] = "?";
  int ifmtu = 0, hint = 0, pmtu = 0, answered = 0, floor;
  mtu_answer a;

  if (mtu_open(t->host, &m, &ifmtu, addr, sizeof(addr)) != 0) {
    check_add(out, "mtu", t->name, CHECK_WARN, NAN,
              "cannot probe %s (no address or no route)", t->host);
    return;
  }
  floor = m.v6 ? 1280 : 576; /* what every link must carry */
  a = mtu_probe(&m, ifmtu, &hint);
  if (a == MTU_FITS) {
    pmtu = ifmtu;
  } else if (a == MTU_TOO_BIG && hint >= floor && hint < ifmtu &&
             mtu_probe_paced(&m, hint, &hint) == MTU_FITS) {
    pmtu = hint; /* the router's figure, confirmed */
    /* a larger size may still fit if the hint was conservative */
    pmtu = mtu_search(&m, pmtu, ifmtu - 1, &answered);
  } else {
    answered = a != MTU_NONE;
    if (mtu_probe(&m, floor, &hint) == MTU_FITS)
      pmtu = mtu_search(&m, floor, ifmtu - 1, &answered);
    else if (!answered) {
      close(m.fd);
      check_add(out, "mtu", t->name, CHECK_WARN, NAN,
                "%s does not answer UDP probes to port %d: MTU not "
                "measured",
                addr, MTU_PORT);
      return;
    }
  }
  close(m.fd);
  if (!pmtu)
    check_add(out, "mtu", t->name, CHECK_FAIL, NAN,
              "even %d-byte packets do not get through to %s", floor, addr);
  else if (pmtu < ifmtu)
    check_add(out, "mtu", t->name, CHECK_WARN, pmtu,
              "path MTU %d to %s is below the interface MTU %d", pmtu, addr,
              ifmtu);
  else
    check_add(out, "mtu", t->name, CHECK_PASS, pmtu,
              "path MTU %d to %s, as the interface", pmtu, addr);
}

void check_mtu(const profile *p, const check_settings *s, check_list *out)
{
  size_t i;

  for (i = 0; i < p->n_targets && i < s->max_targets; i++)
    mtu_target(&p->targets[i], s, out);
}
