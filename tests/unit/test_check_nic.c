/*
 * test_check_nic.c - the NIC checks without a NIC: ethtool netlink
 * replies built attribute by attribute with libmnl and parsed, a
 * /proc/interrupts text, a /proc + /sys tree in a temporary directory,
 * and every rule on readings that should and should not make it fire.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>

#include "check_nic.h"

static char buf[16384];

/* A message whose attributes the parsers read (after the header). */
static struct nlmsghdr *msg(void)
{
  memset(buf, 0, sizeof(buf));
  return mnl_nlmsg_put_header(buf);
}

#define ATTRS(nlh)                                                            \
  mnl_nlmsg_get_payload(nlh), ((nlh)->nlmsg_len - MNL_NLMSG_HDRLEN)

static void test_parse_rings(void **state)
{
  struct nlmsghdr *nlh = msg();
  nic_rings r;

  (void)state;
  mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_RX_MAX, 4096);
  mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_RX, 256);
  mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_TX_MAX, 2048);
  mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_TX, 512);
  nic_parse_rings(ATTRS(nlh), &r);
  assert_int_equal(r.rx_max, 4096);
  assert_int_equal(r.rx, 256);
  assert_int_equal(r.tx_max, 2048);
  assert_int_equal(r.tx, 512);
  assert_int_equal(r.rx_mini, -1); /* not reported: n/a */
  assert_int_equal(r.rx_jumbo_max, -1);
}

static void test_parse_channels_coalesce(void **state)
{
  struct nlmsghdr *nlh = msg();
  nic_channels c;
  nic_coalesce k;

  (void)state;
  mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 8);
  mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, 2);
  mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_OTHER_MAX, 1);
  mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_OTHER_COUNT, 1);
  nic_parse_channels(ATTRS(nlh), &c);
  assert_int_equal(c.combined_max, 8);
  assert_int_equal(c.combined, 2);
  assert_int_equal(c.other, 1);
  assert_int_equal(c.rx, -1);
  assert_int_equal(c.tx_max, -1);

  nlh = msg();
  mnl_attr_put_u32(nlh, ETHTOOL_A_COALESCE_RX_USECS, 50);
  mnl_attr_put_u32(nlh, ETHTOOL_A_COALESCE_RX_MAX_FRAMES, 0);
  mnl_attr_put_u32(nlh, ETHTOOL_A_COALESCE_TX_USECS, 64);
  mnl_attr_put_u8(nlh, ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, 1);
  /* an attribute from a newer kernel is skipped */
  mnl_attr_put_u32(nlh, 60, 7);
  nic_parse_coalesce(ATTRS(nlh), &k);
  assert_int_equal(k.rx_usecs, 50);
  assert_int_equal(k.rx_frames, 0);
  assert_int_equal(k.tx_usecs, 64);
  assert_int_equal(k.tx_frames, -1);
  assert_int_equal(k.adaptive_rx, 1);
  assert_int_equal(k.adaptive_tx, -1);
}

/* One verbose bitset: BITS with (index, name, value?) entries. */
static void put_bitset(struct nlmsghdr *nlh, int type, int list,
                       const int *idx, const char *const *names,
                       const int *value, int n)
{
  struct nlattr *set = mnl_attr_nest_start(nlh, (uint16_t)type), *bits, *b;
  int i;

  if (list)
    mnl_attr_put(nlh, ETHTOOL_A_BITSET_NOMASK, 0, NULL);
  mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, 70);
  bits = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS);
  for (i = 0; i < n; i++) {
    b = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS_BIT);
    mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_BIT_INDEX, (uint32_t)idx[i]);
    if (names)
      mnl_attr_put_strz(nlh, ETHTOOL_A_BITSET_BIT_NAME, names[i]);
    if (!list && value[i])
      mnl_attr_put(nlh, ETHTOOL_A_BITSET_BIT_VALUE, 0, NULL);
    mnl_attr_nest_end(nlh, b);
  }
  mnl_attr_nest_end(nlh, bits);
  mnl_attr_nest_end(nlh, set);
}

static void test_parse_features(void **state)
{
  static const char *const names[] = {"tx-scatter-gather", "rx-gro", "rx-lro"};
  static const int idx[] = {0, 14, 15}, on[] = {1, 0, 1};
  struct nlmsghdr *nlh = msg();
  struct nlattr *sets, *set, *strs, *s;
  nic_features f;
  const nic_feature *ft;
  int i;

  (void)state;
  memset(&f, 0, sizeof(f));
  /* the string set names every feature, including those set nowhere */
  sets = mnl_attr_nest_start(nlh, ETHTOOL_A_STRSET_STRINGSETS);
  set = mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSETS_STRINGSET);
  mnl_attr_put_u32(nlh, ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES);
  mnl_attr_put_u32(nlh, ETHTOOL_A_STRINGSET_COUNT, 17);
  strs = mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSET_STRINGS);
  for (i = 0; i < 3; i++) {
    s = mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGS_STRING);
    mnl_attr_put_u32(nlh, ETHTOOL_A_STRING_INDEX, (uint32_t)idx[i]);
    mnl_attr_put_strz(nlh, ETHTOOL_A_STRING_VALUE, names[i]);
    mnl_attr_nest_end(nlh, s);
  }
  s = mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGS_STRING);
  mnl_attr_put_u32(nlh, ETHTOOL_A_STRING_INDEX, 16);
  mnl_attr_put_strz(nlh, ETHTOOL_A_STRING_VALUE, "rx-never-set");
  mnl_attr_nest_end(nlh, s);
  mnl_attr_nest_end(nlh, strs);
  mnl_attr_nest_end(nlh, set);
  mnl_attr_nest_end(nlh, sets);
  nic_parse_feature_names(ATTRS(nlh), &f);
  assert_int_equal(f.n, 17);

  nlh = msg();
  /* hw: mask form with VALUE flags; wanted/active: plain lists */
  put_bitset(nlh, ETHTOOL_A_FEATURES_HW, 0, idx, names, on, 3);
  put_bitset(nlh, ETHTOOL_A_FEATURES_WANTED, 1, idx, names, NULL, 3);
  put_bitset(nlh, ETHTOOL_A_FEATURES_ACTIVE, 1, idx, NULL, NULL, 1);
  put_bitset(nlh, ETHTOOL_A_FEATURES_NOCHANGE, 1, idx + 1, names + 1, NULL, 1);
  nic_parse_features(ATTRS(nlh), &f);
  ft = nic_feature_find(&f, "tx-scatter-gather");
  assert_non_null(ft);
  assert_true(ft->hw && ft->wanted && ft->active && !ft->nochange);
  ft = nic_feature_find(&f, "rx-gro");
  assert_non_null(ft);
  assert_true(!ft->hw && ft->wanted && !ft->active && ft->nochange);
  ft = nic_feature_find(&f, "rx-lro");
  assert_true(ft->hw && ft->wanted && !ft->active);
  ft = nic_feature_find(&f, "rx-never-set");
  assert_non_null(ft);
  assert_true(!ft->hw && !ft->wanted && !ft->active && !ft->nochange);
  assert_null(nic_feature_find(&f, "nosuch"));

  /* an index past the table is ignored, not written */
  nlh = msg();
  {
    static const int big[] = {NIC_MAX_FEATURES + 3};
    static const char *const bn[] = {"far"};

    put_bitset(nlh, ETHTOOL_A_FEATURES_ACTIVE, 1, big, bn, NULL, 1);
  }
  nic_parse_features(ATTRS(nlh), &f);
  assert_int_equal(f.n, 17);
  assert_null(nic_feature_find(&f, "far"));
}

static void test_parse_interrupts(void **state)
{
  static const char text[] =
      "           CPU0       CPU1\n"
      "  0:         44          0   IO-APIC   2-edge      timer\n"
      " 24:       1000          5  PCI-MSI 327680-edge      eth0-TxRx-0\n"
      " 25:          3       2000  PCI-MSI 327681-edge      eth0-TxRx-1\n"
      " 26:          1          0  PCI-MSI 327682-edge      eth0\n"
      " 27:          1          0  PCI-MSI 327683-edge      eth01-rx-0\n"
      " 28:          1          0  PCI-MSI 327684-edge      veth0\n"
      "NMI:          0          0   Non-maskable interrupts\n";
  nic_irq irqs[8];
  FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

  (void)state;
  assert_non_null(f);
  assert_int_equal(nic_parse_interrupts(f, "eth0", irqs, 8), 3);
  assert_int_equal(irqs[0].irq, 24);
  assert_int_equal(irqs[1].irq, 25);
  assert_int_equal(irqs[2].irq, 26);
  fclose(f);
}

static void put_file(const char *root, const char *rel, const char *text)
{
  char path[512], *p;
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", root, rel);
  for (p = strchr(path + strlen(root) + 1, '/'); p; p = strchr(p + 1, '/')) {
    *p = '\0';
    mkdir(path, 0755);
    *p = '/';
  }
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_sys_read(void **state)
{
  char root[] = "/tmp/bn-nic-XXXXXX", cmd[600];
  nic_readings r;

  (void)state;
  assert_non_null(mkdtemp(root));
  put_file(root, "proc/interrupts",
           "      CPU0 CPU1\n 40: 1 2 PCI-MSI  x0-rx-0\n 41: 1 2 PCI-MSI  "
           "x0-rx-1\n");
  put_file(root, "proc/irq/40/smp_affinity_list", "0\n");
  put_file(root, "proc/irq/41/smp_affinity_list", "1\n");
  put_file(root, "sys/class/net/x0/queues/rx-0/rps_cpus", "00000000\n");
  put_file(root, "sys/class/net/x0/queues/rx-1/rps_cpus", "3\n");
  put_file(root, "sys/class/net/x0/queues/tx-0/xps_cpus", "1\n");
  put_file(root, "sys/class/net/x0/statistics/rx_packets", "1000\n");
  put_file(root, "sys/class/net/x0/statistics/rx_dropped", "7\n");
  put_file(root, "sys/class/net/x0/statistics/rx_missed_errors", "5\n");
  memset(&r, 0, sizeof(r));
  nic_sys_read(root, "x0", &r);
  assert_int_equal(r.n_irqs, 2);
  assert_string_equal(r.irqs[0].cpus, "0");
  assert_string_equal(r.irqs[1].cpus, "1");
  assert_true(r.sysfs);
  assert_int_equal(r.n_rxq, 2);
  assert_int_equal(r.n_txq, 1);
  assert_string_equal(r.rxq[0].mask, "00000000");
  assert_string_equal(r.rxq[1].mask, "3");
  assert_string_equal(r.txq[0].mask, "1");
  assert_int_equal(r.stats.err, 0);
  assert_int_equal(r.stats.rx_packets, 1000);
  assert_int_equal(r.stats.rx_dropped, 7);
  assert_int_equal(r.stats.rx_missed, 5);
  assert_int_equal(r.stats.tx_packets, -1); /* absent */
  /* an interface with nothing: no queues, statistics unread */
  memset(&r, 0, sizeof(r));
  nic_sys_read(root, "nosuch", &r);
  assert_int_equal(r.n_irqs, 0);
  assert_false(r.sysfs);
  assert_int_not_equal(r.stats.err, 0);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
  assert_int_equal(system(cmd), 0);
}

/* ---- rules ---- */

/* A sound interface: every rule passes. */
static void healthy(nic_readings *r)
{
  static const char *const on[] = {"rx-gro",
                                   "tx-generic-segmentation",
                                   "tx-tcp-segmentation",
                                   "tx-scatter-gather",
                                   "rx-checksum",
                                   "tx-checksum-ip-generic"};
  size_t i;

  memset(r, 0, sizeof(*r));
  snprintf(r->ifname, sizeof(r->ifname), "eth9");
  r->ncpus = 4;
  for (i = 0; i < 6; i++) {
    nic_feature *f = &r->feat.f[r->feat.n++];

    snprintf(f->name, sizeof(f->name), "%s", on[i]);
    f->hw = f->wanted = f->active = 1;
  }
  snprintf(r->feat.f[r->feat.n++].name, 40, "rx-lro");
  r->feat.f[r->feat.n - 1].hw = 1;
  r->rings = (nic_rings){.rx = 2048,
                         .rx_max = 4096,
                         .tx = 2048,
                         .tx_max = 4096,
                         .rx_mini = -1,
                         .rx_mini_max = -1,
                         .rx_jumbo = -1,
                         .rx_jumbo_max = -1};
  r->coal = (nic_coalesce){.rx_usecs = 50,
                           .rx_frames = 0,
                           .tx_usecs = 50,
                           .tx_frames = 0,
                           .adaptive_rx = 0,
                           .adaptive_tx = 0};
  r->chan = (nic_channels){.rx = -1,
                           .rx_max = -1,
                           .tx = -1,
                           .tx_max = -1,
                           .other = 1,
                           .other_max = 1,
                           .combined = 4,
                           .combined_max = 8};
  r->n_irqs = 2;
  r->irqs[0] = (nic_irq){.irq = 30, .cpus = "0"};
  r->irqs[1] = (nic_irq){.irq = 31, .cpus = "1"};
  r->sysfs = 1;
  r->n_rxq = r->n_txq = 4;
  for (i = 0; i < 4; i++) {
    snprintf(r->rxq[i].mask, sizeof(r->rxq[i].mask), "0");
    snprintf(r->txq[i].mask, sizeof(r->txq[i].mask), "%x", 1u << i);
  }
  r->stats = (nic_stats){.rx_packets = 100000,
                         .tx_packets = 100000,
                         .rx_missed = -1,
                         .rx_fifo = -1,
                         .rx_crc = -1,
                         .rx_over = -1};
}

/* The one finding of a check, asserted unique for the single-finding
 * checks. */
static const check_result *find(const check_list *l, const char *name)
{
  const check_result *hit = NULL;
  size_t i;

  for (i = 0; i < l->n; i++)
    if (!strcmp(l->r[i].name, name)) {
      assert_null(hit);
      hit = &l->r[i];
    }
  assert_non_null(hit);
  return hit;
}

static const check_result *run_rule(const nic_readings *r, check_list *l,
                                    const char *name)
{
  check_list_free(l);
  nic_rules(r, l);
  return find(l, name);
}

static void test_rules_healthy(void **state)
{
  nic_readings r;
  check_list l = {0};
  size_t i;

  (void)state;
  healthy(&r);
  nic_rules(&r, &l);
  assert_int_equal(l.n, 9);
  for (i = 0; i < l.n; i++) {
    assert_int_equal(l.r[i].status, CHECK_PASS);
    assert_string_equal(l.r[i].fix, "");
    assert_string_equal(l.r[i].target, "eth9");
  }
  check_list_free(&l);
}

static void test_rule_offload(void **state)
{
  nic_readings r;
  check_list l = {0};
  const check_result *c;
  nic_feature *gro, *tso, *lro;

  (void)state;
  healthy(&r);
  gro = (nic_feature *)nic_feature_find(&r.feat, "rx-gro");
  tso = (nic_feature *)nic_feature_find(&r.feat, "tx-tcp-segmentation");
  lro = (nic_feature *)nic_feature_find(&r.feat, "rx-lro");
  gro->active = gro->wanted = 0;
  tso->active = tso->wanted = 0;
  c = run_rule(&r, &l, "nic-offload");
  assert_int_equal(c->status, CHECK_WARN);
  assert_non_null(strstr(c->reason, "gro"));
  assert_string_equal(c->fix, "ethtool -K eth9 gro on tso on");
  /* off but fixed: not ours to change */
  gro->hw = 0;
  tso->nochange = 1;
  c = run_rule(&r, &l, "nic-offload");
  assert_int_equal(c->status, CHECK_PASS);
  /* requested but the driver keeps it off */
  healthy(&r);
  gro = (nic_feature *)nic_feature_find(&r.feat, "rx-gro");
  gro->active = 0;
  c = run_rule(&r, &l, "nic-offload");
  assert_int_equal(c->status, CHECK_WARN);
  assert_non_null(strstr(c->reason, "requested on but off"));
  /* LRO on */
  healthy(&r);
  lro = (nic_feature *)nic_feature_find(&r.feat, "rx-lro");
  lro->active = 1;
  c = run_rule(&r, &l, "nic-offload");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "ethtool -K eth9 lro off gro on");
  /* not supported */
  r.feat.s.err = EOPNOTSUPP;
  c = run_rule(&r, &l, "nic-offload");
  assert_int_equal(c->status, CHECK_PASS);
  assert_string_equal(c->reason, "offloads: not supported by this driver");
  r.feat.s.err = EPERM;
  c = run_rule(&r, &l, "nic-offload");
  assert_int_equal(c->status, CHECK_WARN);
  assert_non_null(strstr(c->reason, "cannot read"));
  check_list_free(&l);
}

static void test_rule_rings(void **state)
{
  nic_readings r;
  check_list l = {0};
  const check_result *c;

  (void)state;
  healthy(&r);
  r.rings.rx = 256; /* a quarter of 4096 or less */
  c = run_rule(&r, &l, "nic-rings");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "ethtool -G eth9 rx 4096 tx 4096");
  assert_true(c->value == 256);
  /* half the maximum, no loss: fine */
  r.rings.rx = 2048;
  c = run_rule(&r, &l, "nic-rings");
  assert_int_equal(c->status, CHECK_PASS);
  /* half the maximum and missed packets: grow it */
  r.rings.tx = 4096;
  r.stats.rx_missed = 12;
  c = run_rule(&r, &l, "nic-rings");
  assert_int_equal(c->status, CHECK_WARN);
  assert_non_null(strstr(c->reason, "12 packets lost"));
  assert_string_equal(c->fix, "ethtool -G eth9 rx 4096");
  /* at the maximum already */
  r.rings.rx = 4096;
  c = run_rule(&r, &l, "nic-rings");
  assert_int_equal(c->status, CHECK_PASS);
  r.rings.s.err = EOPNOTSUPP;
  c = run_rule(&r, &l, "nic-rings");
  assert_int_equal(c->status, CHECK_PASS);
  assert_string_equal(c->reason, "rings: not supported by this driver");
  check_list_free(&l);
}

static void test_rule_coalesce(void **state)
{
  nic_readings r;
  check_list l = {0};
  const check_result *c;

  (void)state;
  healthy(&r);
  r.coal.rx_usecs = 0;
  r.coal.rx_frames = 1;
  c = run_rule(&r, &l, "nic-coalesce");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "ethtool -C eth9 adaptive-rx on");
  r.coal.adaptive_rx = 1;
  c = run_rule(&r, &l, "nic-coalesce");
  assert_int_equal(c->status, CHECK_PASS);
  r.coal.adaptive_rx = 0;
  r.coal.rx_usecs = 250;
  c = run_rule(&r, &l, "nic-coalesce");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "ethtool -C eth9 rx-usecs 50");
  r.coal.rx_usecs = 0;
  r.coal.rx_frames = 32; /* frame-count moderation */
  c = run_rule(&r, &l, "nic-coalesce");
  assert_int_equal(c->status, CHECK_PASS);
  r.coal.s.err = EOPNOTSUPP;
  c = run_rule(&r, &l, "nic-coalesce");
  assert_string_equal(c->reason, "coalescing: not supported by this driver");
  check_list_free(&l);
}

static void test_rule_channels(void **state)
{
  nic_readings r;
  check_list l = {0};
  const check_result *c;

  (void)state;
  healthy(&r);
  r.chan.combined = 1;
  c = run_rule(&r, &l, "nic-channels");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "ethtool -L eth9 combined 4");
  /* fewer CPUs than the maximum: the CPUs bound it */
  r.ncpus = 1;
  c = run_rule(&r, &l, "nic-channels");
  assert_int_equal(c->status, CHECK_PASS);
  /* separate RX/TX channels, as veth has */
  r.ncpus = 2;
  r.chan = (nic_channels){.rx = 1,
                          .rx_max = 2,
                          .tx = 1,
                          .tx_max = 2,
                          .other = -1,
                          .other_max = -1,
                          .combined = -1,
                          .combined_max = -1};
  c = run_rule(&r, &l, "nic-channels");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "ethtool -L eth9 rx 2 tx 2");
  r.chan.rx = r.chan.tx = 2;
  c = run_rule(&r, &l, "nic-channels");
  assert_int_equal(c->status, CHECK_PASS);
  r.chan.s.err = EOPNOTSUPP;
  c = run_rule(&r, &l, "nic-channels");
  assert_string_equal(c->reason, "channels: not supported by this driver");
  check_list_free(&l);
}

static void test_rule_irq_rps_xps(void **state)
{
  nic_readings r;
  check_list l = {0};
  const check_result *c;
  size_t i;

  (void)state;
  healthy(&r);
  snprintf(r.irqs[1].cpus, sizeof(r.irqs[1].cpus), "0");
  c = run_rule(&r, &l, "nic-irq");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "echo 0 > /proc/irq/30/smp_affinity_list; "
                              "echo 1 > /proc/irq/31/smp_affinity_list");
  /* several CPUs each: the kernel spreads them */
  snprintf(r.irqs[0].cpus, sizeof(r.irqs[0].cpus), "0-3");
  snprintf(r.irqs[1].cpus, sizeof(r.irqs[1].cpus), "0-3");
  c = run_rule(&r, &l, "nic-irq");
  assert_int_equal(c->status, CHECK_PASS);
  r.n_irqs = 0;
  c = run_rule(&r, &l, "nic-irq");
  assert_int_equal(c->status, CHECK_PASS);

  /* one RX queue, RPS off */
  r.n_rxq = 1;
  c = run_rule(&r, &l, "nic-rps");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix,
                      "echo f > /sys/class/net/eth9/queues/rx-0/rps_cpus");
  r.ncpus = 40;
  c = run_rule(&r, &l, "nic-rps");
  assert_string_equal(
      c->fix, "echo ff,ffffffff > /sys/class/net/eth9/queues/rx-0/rps_cpus");
  snprintf(r.rxq[0].mask, sizeof(r.rxq[0].mask), "00000000,0000000f");
  c = run_rule(&r, &l, "nic-rps");
  assert_int_equal(c->status, CHECK_PASS);
  r.ncpus = 1;
  snprintf(r.rxq[0].mask, sizeof(r.rxq[0].mask), "0");
  c = run_rule(&r, &l, "nic-rps");
  assert_int_equal(c->status, CHECK_PASS);

  /* XPS off on every one of 2 TX queues */
  r.ncpus = 2;
  r.n_txq = 2;
  for (i = 0; i < 2; i++)
    snprintf(r.txq[i].mask, sizeof(r.txq[i].mask), "00");
  c = run_rule(&r, &l, "nic-xps");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix,
                      "echo 1 > /sys/class/net/eth9/queues/tx-0/xps_cpus; "
                      "echo 2 > /sys/class/net/eth9/queues/tx-1/xps_cpus");
  snprintf(r.txq[1].mask, sizeof(r.txq[1].mask), "2");
  c = run_rule(&r, &l, "nic-xps");
  assert_int_equal(c->status, CHECK_PASS);
  check_list_free(&l);
}

/* Many queues and IRQs: the fix is a shell loop; run it on a fake tree
 * (paths rewritten under a temporary directory) and read what it wrote. */
static void test_rule_loops(void **state)
{
  char root[] = "/tmp/bn-nicl-XXXXXX", script[1200], path[300], got[64];
  nic_readings r;
  check_list l = {0};
  const check_result *c;
  const char *p;
  size_t i, o = 0;
  FILE *f;

  (void)state;
  assert_non_null(mkdtemp(root));
  healthy(&r);
  r.ncpus = 3;
  r.n_irqs = 5;
  for (i = 0; i < 5; i++) {
    r.irqs[i].irq = (unsigned)(40 + i);
    snprintf(r.irqs[i].cpus, sizeof(r.irqs[i].cpus), "2");
  }
  c = run_rule(&r, &l, "nic-irq");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "c=0; for i in 40 41 42 43 44; do echo "
                              "$((c % 3)) > /proc/irq/$i/smp_affinity_list; "
                              "c=$((c + 1)); done");
  r.n_txq = 6;
  for (i = 0; i < 6; i++)
    snprintf(r.txq[i].mask, sizeof(r.txq[i].mask), "0");
  c = run_rule(&r, &l, "nic-xps");
  assert_int_equal(c->status, CHECK_WARN);
  /* run both under sh with /proc and /sys moved into ROOT */
  for (i = 0; i < l.n; i++) {
    if (strcmp(l.r[i].name, "nic-irq") && strcmp(l.r[i].name, "nic-xps"))
      continue;
    for (p = l.r[i].fix; *p && o + 40 < sizeof(script); p++) {
      if (!strncmp(p, "/proc/", 6) || !strncmp(p, "/sys/", 5))
        o += (size_t)snprintf(script + o, sizeof(script) - o, "%s", root);
      script[o++] = *p;
    }
    script[o++] = ';';
    script[o++] = ' ';
  }
  script[o] = '\0';
  for (i = 0; i < 5; i++) {
    snprintf(path, sizeof(path), "proc/irq/%zu/smp_affinity_list", 40 + i);
    put_file(root, path, "2\n");
  }
  for (i = 0; i < 6; i++) {
    snprintf(path, sizeof(path), "sys/class/net/eth9/queues/tx-%zu/xps_cpus",
             i);
    put_file(root, path, "0\n");
  }
  f = popen("sh", "w");
  assert_non_null(f);
  fputs(script, f);
  assert_int_equal(pclose(f), 0);
  for (i = 0; i < 5; i++) {
    snprintf(path, sizeof(path), "%s/proc/irq/%zu/smp_affinity_list", root,
             40 + i);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(got, sizeof(got), f));
    fclose(f);
    assert_int_equal(strtol(got, NULL, 10), (long)(i % 3));
  }
  for (i = 0; i < 6; i++) {
    snprintf(path, sizeof(path),
             "%s/sys/class/net/eth9/queues/tx-%zu/xps_cpus", root, i);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(got, sizeof(got), f));
    fclose(f);
    assert_int_equal(strtol(got, NULL, 16), 1 << (i % 3));
  }
  snprintf(script, sizeof(script), "rm -rf '%s'", root);
  assert_int_equal(system(script), 0);
  check_list_free(&l);
}

static void test_rule_drops_errors(void **state)
{
  nic_readings r;
  check_list l = {0};
  const check_result *c;

  (void)state;
  healthy(&r);
  r.stats.rx_dropped = 100; /* 0.05 %: under the bar */
  c = run_rule(&r, &l, "nic-drops");
  assert_int_equal(c->status, CHECK_PASS);
  r.stats.rx_dropped = 1000; /* 0.5 % */
  c = run_rule(&r, &l, "nic-drops");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "sysctl -w net.core.netdev_max_backlog=4096");
  r.stats.rx_dropped = 0;
  r.stats.rx_missed = 1000;
  r.rings.rx = 2048;
  c = run_rule(&r, &l, "nic-drops");
  assert_int_equal(c->status, CHECK_WARN);
  assert_string_equal(c->fix, "ethtool -G eth9 rx 4096");
  r.stats.rx_missed = -1;
  r.stats.tx_dropped = 5000;
  c = run_rule(&r, &l, "nic-drops");
  assert_int_equal(c->status, CHECK_WARN);
  assert_non_null(strstr(c->fix, "tc -s qdisc show dev eth9"));

  healthy(&r);
  r.stats.rx_errors = 3; /* a few: warn */
  r.stats.rx_crc = 3;
  c = run_rule(&r, &l, "nic-errors");
  assert_int_equal(c->status, CHECK_WARN);
  assert_non_null(strstr(c->reason, "3 receive errors (3 CRC)"));
  r.stats.rx_errors = 2000; /* 1 %: fail */
  c = run_rule(&r, &l, "nic-errors");
  assert_int_equal(c->status, CHECK_FAIL);
  /* missed packets count in rx_errors but are not wire errors */
  r.stats.rx_errors = 50;
  r.stats.rx_missed = 50;
  c = run_rule(&r, &l, "nic-errors");
  assert_int_equal(c->status, CHECK_PASS);
  /* statistics unreadable */
  r.stats.err = ENOENT;
  c = run_rule(&r, &l, "nic-drops");
  assert_int_equal(c->status, CHECK_WARN);
  check_list_free(&l);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_rings),
      cmocka_unit_test(test_parse_channels_coalesce),
      cmocka_unit_test(test_parse_features),
      cmocka_unit_test(test_parse_interrupts),
      cmocka_unit_test(test_sys_read),
      cmocka_unit_test(test_rules_healthy),
      cmocka_unit_test(test_rule_offload),
      cmocka_unit_test(test_rule_rings),
      cmocka_unit_test(test_rule_coalesce),
      cmocka_unit_test(test_rule_channels),
      cmocka_unit_test(test_rule_irq_rps_xps),
      cmocka_unit_test(test_rule_loops),
      cmocka_unit_test(test_rule_drops_errors),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
