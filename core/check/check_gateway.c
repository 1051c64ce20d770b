/*
 * check_gateway.c - the default gateways (IPv4 and IPv6) read from the
 * kernel's routing table through netlink (libmnl), and whether each is
 * reachable: its neighbour entry (ARP / NDP) after a datagram has made
 * the kernel resolve it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <math.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

typedef struct gw_found {
  int family;
  unsigned char addr[16];
  unsigned ifindex;
  int found;
  int state; /* NUD_* of the neighbour entry, 0: none */
} gw_found;

static int gw_route_attr(const struct nlattr *a, void *data)
{
  const struct nlattr **tb = data;
  int type = mnl_attr_get_type(a);

  if (mnl_attr_type_valid(a, RTA_MAX) > 0)
    tb[type] = a;
  return MNL_CB_OK;
}

static int gw_route_cb(const struct nlmsghdr *nlh, void *data)
{
  gw_found *g = data;
  const struct rtmsg *rm = mnl_nlmsg_get_payload(nlh);
  const struct nlattr *tb[RTA_MAX + 1] = {NULL};

  if (g->found || rm->rtm_dst_len != 0 || rm->rtm_table != RT_TABLE_MAIN ||
      rm->rtm_type != RTN_UNICAST)
    return MNL_CB_OK;
  mnl_attr_parse(nlh, sizeof(*rm), gw_route_attr, tb);
  if (!tb[RTA_GATEWAY])
    return MNL_CB_OK;
  memcpy(g->addr, mnl_attr_get_payload(tb[RTA_GATEWAY]),
         g->family == AF_INET ? 4 : 16);
  if (tb[RTA_OIF])
    g->ifindex = mnl_attr_get_u32(tb[RTA_OIF]);
  g->found = 1;
  return MNL_CB_OK;
}

static int gw_neigh_attr(const struct nlattr *a, void *data)
{
  const struct nlattr **tb = data;
  int type = mnl_attr_get_type(a);

  if (mnl_attr_type_valid(a, NDA_MAX) > 0)
    tb[type] = a;
  return MNL_CB_OK;
}

static int gw_neigh_cb(const struct nlmsghdr *nlh, void *data)
{
  gw_found *g = data;
  const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
  const struct nlattr *tb[NDA_MAX + 1] = {NULL};

  mnl_attr_parse(nlh, sizeof(*nd), gw_neigh_attr, tb);
  if (tb[NDA_DST] && (unsigned)nd->ndm_ifindex == g->ifindex &&
      !memcmp(mnl_attr_get_payload(tb[NDA_DST]), g->addr,
              g->family == AF_INET ? 4 : 16))
    g->state = nd->ndm_state;
  return MNL_CB_OK;
}

/* One netlink dump request (RTM_GETROUTE or RTM_GETNEIGH). */
static int gw_dump(struct mnl_socket *nl, int type, int family, mnl_cb_t cb,
                   gw_found *g)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
  unsigned seq = (unsigned)time(NULL), port = mnl_socket_get_portid(nl);
  ssize_t n;
  int rc = MNL_CB_OK;

  nlh->nlmsg_type = (uint16_t)type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  if (type == RTM_GETROUTE) {
    struct rtmsg *rm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rm));

    rm->rtm_family = (unsigned char)family;
  } else {
    struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));

    nd->ndm_family = (unsigned char)family;
  }
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
    return -1;
  while (rc > MNL_CB_STOP &&
         (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
    rc = mnl_cb_run(buf, (size_t)n, seq, port, cb, g);
  return rc < 0 ? -1 : 0;
}

static const char *gw_state_name(int st)
{
  if (st & NUD_REACHABLE)
    return "reachable";
  if (st & (NUD_STALE | NUD_DELAY | NUD_PROBE))
    return "stale";
  if (st & NUD_PERMANENT)
    return "permanent";
  if (st & NUD_FAILED)
    return "failed";
  if (st & NUD_INCOMPLETE)
    return "incomplete";
  return "none";
}

/* Make the kernel resolve the gateway's link address: one datagram to
 * its discard port. */
static void gw_nudge(const gw_found *g)
{
  struct sockaddr_storage ss;
  socklen_t len;
  int fd = socket(g->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  memset(&ss, 0, sizeof(ss));
  if (g->family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;

    a->sin_family = AF_INET;
    a->sin_port = htons(9);
    memcpy(&a->sin_addr, g->addr, 4);
    len = sizeof(*a);
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

    a->sin6_family = AF_INET6;
    a->sin6_port = htons(9);
    memcpy(&a->sin6_addr, g->addr, 16);
    a->sin6_scope_id = g->ifindex; /* link-local gateways */
    len = sizeof(*a);
  }
  if (fd >= 0) {
    sendto(fd, "", 0, 0, (struct sockaddr *)&ss, len);
    close(fd);
  }
}

static void gw_family(struct mnl_socket *nl, int family,
                      const check_settings *s, check_list *out)
{
  const char *fam = family == AF_INET ? "IPv4" : "IPv6";
  char addr[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE] = "?", what[160];
  gw_found g;
  int64_t waited = 0;

  memset(&g, 0, sizeof(g));
  g.family = family;
  if (gw_dump(nl, RTM_GETROUTE, family, gw_route_cb, &g) != 0) {
    check_add(out, "gateway", fam, CHECK_WARN, NAN,
              "cannot read the %s routing table through netlink", fam);
    return;
  }
  if (!g.found) {
    check_add(out, "gateway", fam, CHECK_WARN, NAN,
              "no %s default route: only directly connected networks are "
              "reachable",
              fam);
    return;
  }
  inet_ntop(family, g.addr, addr, sizeof(addr));
  if_indextoname(g.ifindex, ifname);
  snprintf(what, sizeof(what), "%s%%%s", addr, ifname);
  gw_dump(nl, RTM_GETNEIGH, family, gw_neigh_cb, &g);
  while (!(g.state & (NUD_REACHABLE | NUD_PERMANENT | NUD_STALE)) &&
         waited < s->timeout_ns) {
    struct timespec ts = {0, 100000000};

    if (waited == 0)
      gw_nudge(&g);
    nanosleep(&ts, NULL);
    waited += 100000000;
    g.state = 0;
    gw_dump(nl, RTM_GETNEIGH, family, gw_neigh_cb, &g);
  }
  if (g.state & (NUD_REACHABLE | NUD_PERMANENT | NUD_STALE))
    check_add(out, "gateway", what, CHECK_PASS, NAN,
              "%s default gateway, neighbour entry %s", fam,
              gw_state_name(g.state));
  else
    check_add(out, "gateway", what, CHECK_FAIL, NAN,
              "%s default gateway does not answer address resolution "
              "(neighbour entry %s)",
              fam, gw_state_name(g.state));
}

void check_gateway(const check_settings *s, check_list *out)
{
  struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    check_add(out, "gateway", "", CHECK_WARN, NAN,
              "netlink is not available here; gateways not checked");
    if (nl)
      mnl_socket_close(nl);
    return;
  }
  gw_family(nl, AF_INET, s, out);
  gw_family(nl, AF_INET6, s, out);
  mnl_socket_close(nl);
}
