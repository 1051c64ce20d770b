/*
 * selftest_caps.c - probing what the machine supports, each by doing it
 * once on loopback: open a raw ICMP socket, a ping socket, bind ::1,
 * talk netlink, and receive a datagram with a kernel timestamp.
 */
#include "config.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "selftest_caps.h"

static void cap_socket(selftest_cap *c, const char *name, int family, int type,
                       int proto, const char *why_not)
{
  int fd = socket(family, type | SOCK_CLOEXEC, proto);

  c->name = name;
  c->ok = fd >= 0;
  if (fd >= 0) {
    snprintf(c->detail, sizeof(c->detail), "available");
    close(fd);
  } else {
    snprintf(c->detail, sizeof(c->detail), "%s (%s)", strerror(errno),
             why_not);
  }
}

static void cap_ping_range(selftest_cap *c)
{
  FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
  long lo = 1, hi = 0;

  if (f) {
    if (fscanf(f, "%ld %ld", &lo, &hi) != 2)
      lo = 1, hi = 0;
    fclose(f);
  }
  if (!c->ok)
    snprintf(c->detail, sizeof(c->detail),
             "off (net.ipv4.ping_group_range is \"%ld %ld\"; the icmp probe "
             "needs raw sockets then)",
             lo, hi);
}

static void cap_ipv6(selftest_cap *c)
{
  struct sockaddr_in6 a = {.sin6_family = AF_INET6,
                           .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  c->name = "ipv6";
  c->ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
  snprintf(c->detail, sizeof(c->detail), "%s",
           c->ok ? "::1 usable" : "no IPv6 on loopback: IPv6 targets fail");
  if (fd >= 0)
    close(fd);
}

static void cap_netlink(selftest_cap *c)
{
  struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

  c->name = "netlink";
  c->ok = nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0;
  snprintf(c->detail, sizeof(c->detail), "%s",
           c->ok ? "rtnetlink usable (gateway check)"
                 : "no rtnetlink: the gateway check is skipped");
  if (nl)
    mnl_socket_close(nl);
}

/* Send one datagram to ourselves and look for SCM_TIMESTAMPNS. */
static void cap_timestamps(selftest_cap *c)
{
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  char data[8], ctrl[128];
  struct iovec iov = {data, sizeof(data)};
  struct msghdr msg;
  struct cmsghdr *cm;
  struct timeval tv = {1, 0};
  int on = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  c->name = "kernel_timestamps";
  c->ok = 0;
  snprintf(c->detail, sizeof(c->detail),
           "no SO_TIMESTAMPNS: RTTs are taken in user space");
  if (fd < 0)
    return;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
      bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0 &&
      sendto(fd, "bn", 2, 0, (struct sockaddr *)&a, len) == 2) {
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctrl;
    msg.msg_controllen = sizeof(ctrl);
    if (recvmsg(fd, &msg, 0) == 2)
      for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS)
          c->ok = 1;
  }
  if (c->ok)
    snprintf(c->detail, sizeof(c->detail), "SO_TIMESTAMPNS delivered");
  close(fd);
}

void selftest_caps(selftest_cap *caps)
{
  cap_socket(&caps[0], "raw_sockets", AF_INET, SOCK_RAW, IPPROTO_ICMP,
             "needs root or CAP_NET_RAW");
  cap_socket(&caps[1], "ping_sockets", AF_INET, SOCK_DGRAM, IPPROTO_ICMP, "");
  cap_ping_range(&caps[1]);
  cap_ipv6(&caps[2]);
  cap_netlink(&caps[3]);
  cap_timestamps(&caps[4]);
}
