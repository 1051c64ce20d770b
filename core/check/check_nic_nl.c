/*
 * check_nic_nl.c - an interface's features, rings, coalescing and
 * channels read through ethtool netlink (generic netlink family
 * "ethtool", libmnl): one GET request each, the reply's attributes parsed
 * into check_nic.h's readings.  Bitsets are asked for in their verbose
 * form (names and indexes); the feature names come from the
 * ETH_SS_FEATURES string set so that features off in every set are named
 * too, as `ethtool -k` names them.
 */
#include "config.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_nic.h"

/* ---- attribute tables ---- */

typedef struct nic_tb {
  const struct nlattr *a[64];
  int max;
} nic_tb;

static int nic_tb_cb(const struct nlattr *a, void *data)
{
  nic_tb *tb = data;
  int type = mnl_attr_get_type(a);

  if (type > 0 && type <= tb->max && type < 64)
    tb->a[type] = a;
  return MNL_CB_OK;
}

static void nic_tb_parse(nic_tb *tb, int max, const void *attrs, size_t len)
{
  const struct nlattr *a;

  memset(tb, 0, sizeof(*tb));
  tb->max = max;
  /* attributes laid end to end, as after a genetlink header */
  for (a = attrs;
       mnl_attr_ok(a, (int)((const char *)attrs + len - (const char *)a));
       a = mnl_attr_next(a))
    nic_tb_cb(a, tb);
}

static void nic_tb_nested(nic_tb *tb, int max, const struct nlattr *nest)
{
  memset(tb, 0, sizeof(*tb));
  tb->max = max;
  if (nest)
    mnl_attr_parse_nested(nest, nic_tb_cb, tb);
}

static int64_t nic_u32(const nic_tb *tb, int type)
{
  const struct nlattr *a = tb->a[type];

  if (!a || mnl_attr_get_payload_len(a) < 4)
    return -1;
  return mnl_attr_get_u32(a);
}

static int64_t nic_u8(const nic_tb *tb, int type)
{
  const struct nlattr *a = tb->a[type];

  if (!a || mnl_attr_get_payload_len(a) < 1)
    return -1;
  return mnl_attr_get_u8(a);
}

/* ---- parsers ---- */

void nic_parse_rings(const void *attrs, size_t len, nic_rings *out)
{
  nic_tb tb;

  nic_tb_parse(&tb, ETHTOOL_A_RINGS_MAX, attrs, len);
  out->rx_max = nic_u32(&tb, ETHTOOL_A_RINGS_RX_MAX);
  out->rx_mini_max = nic_u32(&tb, ETHTOOL_A_RINGS_RX_MINI_MAX);
  out->rx_jumbo_max = nic_u32(&tb, ETHTOOL_A_RINGS_RX_JUMBO_MAX);
  out->tx_max = nic_u32(&tb, ETHTOOL_A_RINGS_TX_MAX);
  out->rx = nic_u32(&tb, ETHTOOL_A_RINGS_RX);
  out->rx_mini = nic_u32(&tb, ETHTOOL_A_RINGS_RX_MINI);
  out->rx_jumbo = nic_u32(&tb, ETHTOOL_A_RINGS_RX_JUMBO);
  out->tx = nic_u32(&tb, ETHTOOL_A_RINGS_TX);
}

void nic_parse_coalesce(const void *attrs, size_t len, nic_coalesce *out)
{
  nic_tb tb;

  nic_tb_parse(&tb, ETHTOOL_A_COALESCE_MAX, attrs, len);
  out->rx_usecs = nic_u32(&tb, ETHTOOL_A_COALESCE_RX_USECS);
  out->rx_frames = nic_u32(&tb, ETHTOOL_A_COALESCE_RX_MAX_FRAMES);
  out->tx_usecs = nic_u32(&tb, ETHTOOL_A_COALESCE_TX_USECS);
  out->tx_frames = nic_u32(&tb, ETHTOOL_A_COALESCE_TX_MAX_FRAMES);
  out->adaptive_rx = nic_u8(&tb, ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX);
  out->adaptive_tx = nic_u8(&tb, ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX);
}

/* The kernel reports a kind of channel only when its maximum is not 0;
 * ethtool -l shows "n/a" then. */
void nic_parse_channels(const void *attrs, size_t len, nic_channels *out)
{
  nic_tb tb;

  nic_tb_parse(&tb, ETHTOOL_A_CHANNELS_MAX, attrs, len);
  out->rx_max = nic_u32(&tb, ETHTOOL_A_CHANNELS_RX_MAX);
  out->tx_max = nic_u32(&tb, ETHTOOL_A_CHANNELS_TX_MAX);
  out->other_max = nic_u32(&tb, ETHTOOL_A_CHANNELS_OTHER_MAX);
  out->combined_max = nic_u32(&tb, ETHTOOL_A_CHANNELS_COMBINED_MAX);
  out->rx = nic_u32(&tb, ETHTOOL_A_CHANNELS_RX_COUNT);
  out->tx = nic_u32(&tb, ETHTOOL_A_CHANNELS_TX_COUNT);
  out->other = nic_u32(&tb, ETHTOOL_A_CHANNELS_OTHER_COUNT);
  out->combined = nic_u32(&tb, ETHTOOL_A_CHANNELS_COMBINED_COUNT);
}

static nic_feature *nic_feature_at(nic_features *f, uint32_t idx)
{
  if (idx >= NIC_MAX_FEATURES)
    return NULL;
  if (idx >= f->n)
    f->n = idx + 1;
  return &f->f[idx];
}

/* One verbose bitset: each listed bit with its index, name and (unless
 * the set is a plain list, NOMASK) a VALUE flag when it is set.  Calls
 * SET for the bits that are set. */
static void nic_bitset(const struct nlattr *set, nic_features *f, int which)
{
  nic_tb tb, bits;
  const struct nlattr *b;
  int list;

  nic_tb_nested(&tb, ETHTOOL_A_BITSET_MAX, set);
  list = tb.a[ETHTOOL_A_BITSET_NOMASK] != NULL;
  if (!tb.a[ETHTOOL_A_BITSET_BITS])
    return;
  mnl_attr_for_each_nested(b, tb.a[ETHTOOL_A_BITSET_BITS])
  {
    nic_feature *ft;
    int on;

    if (mnl_attr_get_type(b) != ETHTOOL_A_BITSET_BITS_BIT)
      continue;
    nic_tb_nested(&bits, ETHTOOL_A_BITSET_BIT_MAX, b);
    if (nic_u32(&bits, ETHTOOL_A_BITSET_BIT_INDEX) < 0)
      continue;
    ft = nic_feature_at(f,
                        (uint32_t)nic_u32(&bits, ETHTOOL_A_BITSET_BIT_INDEX));
    if (!ft)
      continue;
    if (bits.a[ETHTOOL_A_BITSET_BIT_NAME] && !ft->name[0])
      snprintf(ft->name, sizeof(ft->name), "%s",
               mnl_attr_get_str(bits.a[ETHTOOL_A_BITSET_BIT_NAME]));
    on = list || bits.a[ETHTOOL_A_BITSET_BIT_VALUE] != NULL;
    if (!on)
      continue;
    if (which == ETHTOOL_A_FEATURES_HW)
      ft->hw = 1;
    else if (which == ETHTOOL_A_FEATURES_WANTED)
      ft->wanted = 1;
    else if (which == ETHTOOL_A_FEATURES_ACTIVE)
      ft->active = 1;
    else if (which == ETHTOOL_A_FEATURES_NOCHANGE)
      ft->nochange = 1;
  }
}

void nic_parse_features(const void *attrs, size_t len, nic_features *out)
{
  static const int sets[] = {ETHTOOL_A_FEATURES_HW, ETHTOOL_A_FEATURES_WANTED,
                             ETHTOOL_A_FEATURES_ACTIVE,
                             ETHTOOL_A_FEATURES_NOCHANGE};
  nic_tb tb;
  size_t i;

  nic_tb_parse(&tb, ETHTOOL_A_FEATURES_MAX, attrs, len);
  for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
    if (tb.a[sets[i]])
      nic_bitset(tb.a[sets[i]], out, sets[i]);
}

void nic_parse_feature_names(const void *attrs, size_t len, nic_features *out)
{
  nic_tb tb, set, str;
  const struct nlattr *s, *e;

  nic_tb_parse(&tb, ETHTOOL_A_STRSET_MAX, attrs, len);
  if (!tb.a[ETHTOOL_A_STRSET_STRINGSETS])
    return;
  mnl_attr_for_each_nested(s, tb.a[ETHTOOL_A_STRSET_STRINGSETS])
  {
    nic_tb_nested(&set, ETHTOOL_A_STRINGSET_MAX, s);
    if (nic_u32(&set, ETHTOOL_A_STRINGSET_ID) != ETH_SS_FEATURES ||
        !set.a[ETHTOOL_A_STRINGSET_STRINGS])
      continue;
    if (nic_u32(&set, ETHTOOL_A_STRINGSET_COUNT) > 0) {
      int64_t c = nic_u32(&set, ETHTOOL_A_STRINGSET_COUNT);

      out->n = c > NIC_MAX_FEATURES ? NIC_MAX_FEATURES : (size_t)c;
    }
    mnl_attr_for_each_nested(e, set.a[ETHTOOL_A_STRINGSET_STRINGS])
    {
      nic_feature *ft;

      nic_tb_nested(&str, ETHTOOL_A_STRING_MAX, e);
      if (nic_u32(&str, ETHTOOL_A_STRING_INDEX) < 0 ||
          !str.a[ETHTOOL_A_STRING_VALUE])
        continue;
      ft =
          nic_feature_at(out, (uint32_t)nic_u32(&str, ETHTOOL_A_STRING_INDEX));
      if (ft)
        snprintf(ft->name, sizeof(ft->name), "%s",
                 mnl_attr_get_str(str.a[ETHTOOL_A_STRING_VALUE]));
    }
  }
}

/* ---- requests ---- */

typedef struct nic_conn {
  struct mnl_socket *nl;
  uint16_t family;
  unsigned seq, port;
} nic_conn;

typedef struct nic_reply {
  int cmd; /* reply command expected */
  void (*parse)(const void *attrs, size_t len, void *out);
  void *out;
  uint16_t family; /* CTRL_CMD_GETFAMILY: the id found */
} nic_reply;

static int nic_reply_cb(const struct nlmsghdr *nlh, void *data)
{
  nic_reply *rp = data;
  const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
  const char *attrs = (const char *)g + GENL_HDRLEN;
  size_t len;

  if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || g->cmd != rp->cmd)
    return MNL_CB_OK;
  len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
  if (rp->parse) {
    rp->parse(attrs, len, rp->out);
  } else { /* the family id */
    nic_tb tb;

    nic_tb_parse(&tb, CTRL_ATTR_MAX, attrs, len);
    if (tb.a[CTRL_ATTR_FAMILY_ID])
      rp->family = mnl_attr_get_u16(tb.a[CTRL_ATTR_FAMILY_ID]);
  }
  return MNL_CB_OK;
}

/* Send one request and read its reply and ack: 0 or -errno (the
 * kernel's, e.g. -EOPNOTSUPP, -ENODEV). */
static int nic_request(nic_conn *c, struct nlmsghdr *nlh, nic_reply *rp)
{
  /* verbose bitsets and string sets are larger than a page */
  size_t size = 65536;
  char *buf = malloc(size);
  ssize_t n;
  int rc = MNL_CB_OK, err = 0;

  if (!buf)
    return -ENOMEM;

  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = ++c->seq;
  if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0) {
    free(buf);
    return errno ? -errno : -EIO;
  }
  while (rc > MNL_CB_STOP) {
    n = mnl_socket_recvfrom(c->nl, buf, size);
    if (n <= 0) {
      err = errno ? errno : EIO;
      break;
    }
    errno = 0;
    rc = mnl_cb_run(buf, (size_t)n, c->seq, c->port, nic_reply_cb, rp);
    if (rc < 0) {
      err = errno ? errno : EIO;
      break;
    }
  }
  free(buf);
  return -err;
}

/* BUF of MNL_SOCKET_BUFFER_SIZE bytes, zeroed first: libmnl 1.0.4
 * leaves the padding after an attribute as it was. */
static struct nlmsghdr *nic_msg(char *buf, uint16_t type, uint8_t cmd,
                                uint8_t version)
{
  struct nlmsghdr *nlh;
  struct genlmsghdr *g;

  memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
  nlh = mnl_nlmsg_put_header(buf);

  nlh->nlmsg_type = type;
  g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
  g->cmd = cmd;
  g->version = version;
  return nlh;
}

/* A GET for IFNAME with its request header (verbose bitsets). */
static int nic_get(nic_conn *c, const char *ifname, int cmd, int reply_cmd,
                   int header_attr,
                   void (*parse)(const void *, size_t, void *), void *out)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh =
      nic_msg(buf, c->family, (uint8_t)cmd, ETHTOOL_GENL_VERSION);
  struct nlattr *nest = mnl_attr_nest_start(nlh, (uint16_t)header_attr);
  nic_reply rp = {.cmd = reply_cmd, .parse = parse, .out = out};

  mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, ifname);
  mnl_attr_nest_end(nlh, nest);
  if (cmd == ETHTOOL_MSG_STRSET_GET) {
    struct nlattr *sets =
        mnl_attr_nest_start(nlh, ETHTOOL_A_STRSET_STRINGSETS);
    struct nlattr *set =
        mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSETS_STRINGSET);

    mnl_attr_put_u32(nlh, ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES);
    mnl_attr_nest_end(nlh, set);
    mnl_attr_nest_end(nlh, sets);
  }
  return nic_request(c, nlh, &rp);
}

static void nic_parse_rings_v(const void *a, size_t l, void *o)
{
  nic_parse_rings(a, l, o);
}
static void nic_parse_coalesce_v(const void *a, size_t l, void *o)
{
  nic_parse_coalesce(a, l, o);
}
static void nic_parse_channels_v(const void *a, size_t l, void *o)
{
  nic_parse_channels(a, l, o);
}
static void nic_parse_features_v(const void *a, size_t l, void *o)
{
  nic_parse_features(a, l, o);
}
static void nic_parse_names_v(const void *a, size_t l, void *o)
{
  nic_parse_feature_names(a, l, o);
}

static void nic_unset(nic_readings *r)
{
  nic_rings *g = &r->rings;
  nic_coalesce *c = &r->coal;
  nic_channels *h = &r->chan;

  g->rx = g->rx_max = g->rx_mini = g->rx_mini_max = g->rx_jumbo =
      g->rx_jumbo_max = g->tx = g->tx_max = -1;
  c->rx_usecs = c->rx_frames = c->tx_usecs = c->tx_frames = c->adaptive_rx =
      c->adaptive_tx = -1;
  h->rx = h->rx_max = h->tx = h->tx_max = h->other = h->other_max =
      h->combined = h->combined_max = -1;
}

int nic_nl_read(const char *ifname, nic_readings *r)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nic_conn c = {0};
  nic_reply fam = {.cmd = CTRL_CMD_NEWFAMILY};
  struct nlmsghdr *nlh;
  int err;

  nic_unset(r);
  c.nl = mnl_socket_open(NETLINK_GENERIC);
  if (!c.nl || mnl_socket_bind(c.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    err = errno ? errno : EIO;
    goto all;
  }
  c.port = mnl_socket_get_portid(c.nl);
  c.seq = (unsigned)time(NULL);
  nlh = nic_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
  mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
  err = -nic_request(&c, nlh, &fam);
  if (err == 0 && fam.family == 0)
    err = EOPNOTSUPP; /* a kernel without ethtool netlink */
  if (err)
    goto all;
  c.family = fam.family;
  /* names first; a kernel without the string set still names set bits */
  nic_get(&c, ifname, ETHTOOL_MSG_STRSET_GET, ETHTOOL_MSG_STRSET_GET_REPLY,
          ETHTOOL_A_STRSET_HEADER, nic_parse_names_v, &r->feat);
  r->feat.s.err = -nic_get(
      &c, ifname, ETHTOOL_MSG_FEATURES_GET, ETHTOOL_MSG_FEATURES_GET_REPLY,
      ETHTOOL_A_FEATURES_HEADER, nic_parse_features_v, &r->feat);
  r->rings.s.err =
      -nic_get(&c, ifname, ETHTOOL_MSG_RINGS_GET, ETHTOOL_MSG_RINGS_GET_REPLY,
               ETHTOOL_A_RINGS_HEADER, nic_parse_rings_v, &r->rings);
  r->coal.s.err = -nic_get(
      &c, ifname, ETHTOOL_MSG_COALESCE_GET, ETHTOOL_MSG_COALESCE_GET_REPLY,
      ETHTOOL_A_COALESCE_HEADER, nic_parse_coalesce_v, &r->coal);
  r->chan.s.err = -nic_get(
      &c, ifname, ETHTOOL_MSG_CHANNELS_GET, ETHTOOL_MSG_CHANNELS_GET_REPLY,
      ETHTOOL_A_CHANNELS_HEADER, nic_parse_channels_v, &r->chan);
  mnl_socket_close(c.nl);
  return 0;
all:
  if (c.nl)
    mnl_socket_close(c.nl);
  r->feat.s.err = r->rings.s.err = r->coal.s.err = r->chan.s.err = err;
  return -err;
}
