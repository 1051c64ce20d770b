/*
 * check_nic_rules.c - NIC readings in, findings out (pure: no I/O).
 *
 * Each rule looks at one section and adds one finding to the list: pass
 * when the state is sound, warn (or fail for errors on the wire) with the
 * reason and the exact command that changes it, and a pass saying "not
 * supported by this driver" when the kernel answered EOPNOTSUPP.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_nic.h"

/* Share of received packets dropped or in error above which it warns. */
#define NIC_BAD_SHARE 0.001

const nic_feature *nic_feature_find(const nic_features *f, const char *name)
{
  size_t i;

  for (i = 0; i < f->n; i++)
    if (!strcmp(f->f[i].name, name))
      return &f->f[i];
  return NULL;
}

/* A section not read: "not supported by this driver" (pass) or the error
 * (warn).  1 when the rule has nothing more to do. */
static int nic_unread(const nic_readings *r, const nic_section *s,
                      const char *check, const char *what, check_list *out)
{
  if (s->err == 0)
    return 0;
  if (s->err == EOPNOTSUPP)
    check_add(out, check, r->ifname, CHECK_PASS, NAN,
              "%s: not supported by this driver", what);
  else
    check_add(out, check, r->ifname, CHECK_WARN, NAN, "%s: cannot read: %s",
              what, strerror(s->err));
  return 1;
}

/* All online CPUs as a sysfs CPU mask: hex, 32-bit groups separated by
 * commas ("3", "ff,ffffffff"). */
static void nic_all_cpus_mask(int ncpus, char *buf, size_t size)
{
  int groups = (ncpus + 31) / 32, g;
  size_t off = 0;

  buf[0] = '\0';
  for (g = groups - 1; g >= 0 && off < size; g--) {
    int bits = ncpus - 32 * g;
    unsigned v = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;

    off += (size_t)snprintf(buf + off, size - off,
                            g == groups - 1 ? "%x" : ",%08x", v);
  }
}

static int nic_mask_empty(const char *m)
{
  for (; *m; m++)
    if (*m != '0' && *m != ',')
      return 0;
  return 1;
}

/* ---- offloads ---- */

typedef struct nic_offload {
  const char *feature; /* kernel name */
  const char *flag;    /* ethtool -K name */
  const char *why;     /* what it costs when off */
} nic_offload;

static const nic_offload nic_offloads[] = {
    {"rx-gro", "gro",
     "every received segment goes up the stack alone (more CPU per byte)"},
    {"tx-generic-segmentation", "gso",
     "large sends are cut into segments one by one in the stack"},
    {"tx-tcp-segmentation", "tso",
     "TCP segmentation is done by the CPU instead of the NIC"},
    {"tx-scatter-gather", "sg",
     "without scatter-gather, TSO and GSO cannot work either"},
    {"rx-checksum", "rx", "the CPU verifies every received checksum"},
    {"tx-checksum-ip-generic", "tx", "the CPU computes every sent checksum"},
};

static void nic_rule_offload(const nic_readings *r, check_list *out)
{
  char off[256] = "", cmd[256] = "", refused[256] = "";
  size_t i, n_off = 0;
  const nic_feature *lro;

  if (nic_unread(r, &r->feat.s, "nic-offload", "offloads", out))
    return;
  for (i = 0; i < sizeof(nic_offloads) / sizeof(nic_offloads[0]); i++) {
    const nic_feature *f = nic_feature_find(&r->feat, nic_offloads[i].feature);
    size_t o = strlen(off), c = strlen(cmd);

    /* off and changeable: a fixed feature is the driver's business */
    if (!f || f->active || !f->hw || f->nochange)
      continue;
    if (f->wanted) { /* asked for, yet off: the driver refuses it */
      size_t k = strlen(refused);

      snprintf(refused + k, sizeof(refused) - k, "%s%s", k ? ", " : "",
               nic_offloads[i].flag);
      continue;
    }
    snprintf(off + o, sizeof(off) - o, "%s%s: %s", o ? "; " : "",
             nic_offloads[i].flag, nic_offloads[i].why);
    snprintf(cmd + c, sizeof(cmd) - c, " %s on", nic_offloads[i].flag);
    n_off++;
  }
  lro = nic_feature_find(&r->feat, "rx-lro");
  if (n_off) {
    check_add(out, "nic-offload", r->ifname, CHECK_WARN, (double)n_off,
              "offloads off: %s", off);
    check_set_fix(out, "ethtool -K %s%s", r->ifname, cmd);
  }
  if (refused[0])
    check_add(out, "nic-offload", r->ifname, CHECK_WARN, NAN,
              "requested on but off (the driver refuses it now): %s", refused);
  if (lro && lro->active && lro->hw && !lro->nochange) {
    check_add(out, "nic-offload", r->ifname, CHECK_WARN, NAN,
              "LRO is on: it merges segments in a way that cannot be undone, "
              "which breaks forwarding and bridging; GRO does the same "
              "safely");
    check_set_fix(out, "ethtool -K %s lro off gro on", r->ifname);
  }
  if (!n_off && !refused[0] && !(lro && lro->active && lro->hw))
    check_add(out, "nic-offload", r->ifname, CHECK_PASS, NAN,
              "offloads: every changeable one of gro, gso, tso, sg, rx, tx "
              "is on (%zu features read)",
              r->feat.n);
}

/* ---- rings ---- */

static int64_t nic_rx_lost(const nic_stats *s)
{
  int64_t n = 0;

  if (s->rx_missed > 0)
    n += s->rx_missed;
  if (s->rx_fifo > 0)
    n += s->rx_fifo;
  if (s->rx_over > 0)
    n += s->rx_over;
  return n;
}

static void nic_rule_rings(const nic_readings *r, check_list *out)
{
  const nic_rings *g = &r->rings;
  int64_t lost = nic_rx_lost(&r->stats);

  if (nic_unread(r, &g->s, "nic-rings", "rings", out))
    return;
  if (g->rx < 0 || g->rx_max <= 0) {
    check_add(out, "nic-rings", r->ifname, CHECK_PASS, NAN,
              "rings: the driver reports no RX ring size");
    return;
  }
  if (g->rx < g->rx_max && (lost > 0 || g->rx * 4 <= g->rx_max)) {
    if (lost > 0)
      check_add(out, "nic-rings", r->ifname, CHECK_WARN, (double)g->rx,
                "RX ring %lld of at most %lld and %lld packets lost for want "
                "of a buffer (missed/fifo/over): bursts overflow the ring",
                (long long)g->rx, (long long)g->rx_max, (long long)lost);
    else
      check_add(out, "nic-rings", r->ifname, CHECK_WARN, (double)g->rx,
                "RX ring %lld is a quarter or less of its maximum %lld: a "
                "burst can overflow it",
                (long long)g->rx, (long long)g->rx_max);
    if (g->tx >= 0 && g->tx_max > 0 && g->tx < g->tx_max)
      check_set_fix(out, "ethtool -G %s rx %lld tx %lld", r->ifname,
                    (long long)g->rx_max, (long long)g->tx_max);
    else
      check_set_fix(out, "ethtool -G %s rx %lld", r->ifname,
                    (long long)g->rx_max);
    return;
  }
  check_add(out, "nic-rings", r->ifname, CHECK_PASS, (double)g->rx,
            "RX ring %lld of at most %lld%s", (long long)g->rx,
            (long long)g->rx_max,
            lost > 0 ? "" : ", no packet lost for want of a buffer");
}

/* ---- coalescing ---- */

static void nic_rule_coalesce(const nic_readings *r, check_list *out)
{
  const nic_coalesce *c = &r->coal;

  if (nic_unread(r, &c->s, "nic-coalesce", "coalescing", out))
    return;
  if (c->adaptive_rx == 1) {
    check_add(out, "nic-coalesce", r->ifname, CHECK_PASS, (double)c->rx_usecs,
              "adaptive RX interrupt moderation is on");
    return;
  }
  if (c->rx_usecs == 0 && c->rx_frames <= 1) {
    check_add(out, "nic-coalesce", r->ifname, CHECK_WARN, 0,
              "no RX interrupt moderation (rx-usecs 0, rx-frames %lld): one "
              "interrupt per packet costs CPU under load",
              (long long)c->rx_frames);
    check_set_fix(out, "ethtool -C %s adaptive-rx on", r->ifname);
    return;
  }
  if (c->rx_usecs > 100) {
    check_add(out, "nic-coalesce", r->ifname, CHECK_WARN, (double)c->rx_usecs,
              "rx-usecs %lld: interrupts wait up to %lld us, which adds "
              "latency to every packet",
              (long long)c->rx_usecs, (long long)c->rx_usecs);
    check_set_fix(out, "ethtool -C %s rx-usecs 50", r->ifname);
    return;
  }
  check_add(out, "nic-coalesce", r->ifname, CHECK_PASS,
            c->rx_usecs < 0 ? NAN : (double)c->rx_usecs,
            "RX interrupt moderation: rx-usecs %lld, rx-frames %lld",
            (long long)c->rx_usecs, (long long)c->rx_frames);
}

/* ---- channels ---- */

static void nic_rule_channels(const nic_readings *r, check_list *out)
{
  const nic_channels *h = &r->chan;
  int64_t want, have, max;
  int combined;

  if (nic_unread(r, &h->s, "nic-channels", "channels", out))
    return;
  combined = h->combined_max > 0;
  have = combined ? h->combined : h->rx;
  max = combined ? h->combined_max : h->rx_max;
  if (have < 0 || max <= 0) {
    check_add(out, "nic-channels", r->ifname, CHECK_PASS, NAN,
              "channels: the driver reports no RX or combined channel");
    return;
  }
  want = max < r->ncpus ? max : r->ncpus;
  if (r->ncpus > 1 && have < want) {
    check_add(out, "nic-channels", r->ifname, CHECK_WARN, (double)have,
              "%lld %s channel%s of at most %lld with %d CPUs: receive work "
              "is spread over fewer CPUs than it could be",
              (long long)have, combined ? "combined" : "RX",
              have == 1 ? "" : "s", (long long)max, r->ncpus);
    if (combined)
      check_set_fix(out, "ethtool -L %s combined %lld", r->ifname,
                    (long long)want);
    else if (h->tx_max > 0)
      check_set_fix(out, "ethtool -L %s rx %lld tx %lld", r->ifname,
                    (long long)want,
                    (long long)(h->tx_max < want ? h->tx_max : want));
    else
      check_set_fix(out, "ethtool -L %s rx %lld", r->ifname, (long long)want);
    return;
  }
  check_add(out, "nic-channels", r->ifname, CHECK_PASS, (double)have,
            "%lld %s channel%s of at most %lld, %d CPUs", (long long)have,
            combined ? "combined" : "RX", have == 1 ? "" : "s", (long long)max,
            r->ncpus);
}

/* ---- IRQ affinity ---- */

static void nic_rule_irq(const nic_readings *r, check_list *out)
{
  size_t i, same = 1;

  if (r->n_irqs == 0) {
    check_add(out, "nic-irq", r->ifname, CHECK_PASS, 0,
              "no IRQ of its own in /proc/interrupts (a virtual device, or "
              "the IRQs are named after the driver)");
    return;
  }
  for (i = 1; i < r->n_irqs; i++)
    if (strcmp(r->irqs[i].cpus, r->irqs[0].cpus) != 0)
      same = 0;
  /* several queue IRQs all on one and the same single CPU */
  if (r->n_irqs > 1 && same && r->ncpus > 1 && r->irqs[0].cpus[0] &&
      !strpbrk(r->irqs[0].cpus, ",-")) {
    char cmd[512] = "";
    size_t off = 0;

    if (r->n_irqs <= 3) { /* spelled out */
      for (i = 0; i < r->n_irqs && off < sizeof(cmd); i++)
        off += (size_t)snprintf(cmd + off, sizeof(cmd) - off,
                                "%secho %zu > /proc/irq/%u/smp_affinity_list",
                                i ? "; " : "", i % (size_t)r->ncpus,
                                r->irqs[i].irq);
    } else { /* a loop: one CPU each, round robin */
      off = (size_t)snprintf(cmd, sizeof(cmd), "c=0; for i in");
      for (i = 0; i < r->n_irqs && off < sizeof(cmd); i++)
        off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, " %u",
                                r->irqs[i].irq);
      if (off < sizeof(cmd))
        snprintf(cmd + off, sizeof(cmd) - off,
                 "; do echo $((c %% %d)) > /proc/irq/$i/smp_affinity_list; "
                 "c=$((c + 1)); done",
                 r->ncpus);
    }
    check_add(out, "nic-irq", r->ifname, CHECK_WARN, (double)r->n_irqs,
              "all %zu IRQs of the interface go to CPU %s: one CPU handles "
              "every queue's interrupts",
              r->n_irqs, r->irqs[0].cpus);
    check_set_fix(out, "%s", cmd);
    return;
  }
  check_add(out, "nic-irq", r->ifname, CHECK_PASS, (double)r->n_irqs,
            "%zu IRQ%s, first on CPUs %s", r->n_irqs,
            r->n_irqs == 1 ? "" : "s",
            r->irqs[0].cpus[0] ? r->irqs[0].cpus : "?");
}

/* ---- RPS / XPS ---- */

static void nic_rule_rps(const nic_readings *r, check_list *out)
{
  char mask[128];

  if (!r->sysfs) {
    check_add(out, "nic-rps", r->ifname, CHECK_WARN, NAN,
              "cannot read /sys/class/net/%s/queues", r->ifname);
    return;
  }
  if (r->n_rxq == 1 && r->ncpus > 1 && r->rxq[0].mask[0] &&
      nic_mask_empty(r->rxq[0].mask)) {
    nic_all_cpus_mask(r->ncpus, mask, sizeof(mask));
    check_add(out, "nic-rps", r->ifname, CHECK_WARN, 1,
              "one RX queue and RPS off: one CPU does all the receive work "
              "of %d",
              r->ncpus);
    check_set_fix(out, "echo %s > /sys/class/net/%s/queues/rx-0/rps_cpus",
                  mask, r->ifname);
    return;
  }
  if (r->n_rxq == 1 && r->ncpus > 1 && !r->rxq[0].mask[0])
    check_add(out, "nic-rps", r->ifname, CHECK_PASS, 1,
              "one RX queue; this kernel has no RPS (no rps_cpus file)");
  else
    check_add(out, "nic-rps", r->ifname, CHECK_PASS, (double)r->n_rxq,
              "%zu RX queue%s%s", r->n_rxq, r->n_rxq == 1 ? "" : "s",
              r->n_rxq == 1 && r->ncpus > 1 ? ", RPS spreads it" : "");
}

static void nic_rule_xps(const nic_readings *r, check_list *out)
{
  size_t i, unset = 0;

  if (!r->sysfs)
    return; /* said by nic-rps */
  for (i = 0; i < r->n_txq; i++)
    if (r->txq[i].mask[0] && nic_mask_empty(r->txq[i].mask))
      unset++;
  if (r->n_txq > 1 && r->ncpus > 1 && unset == r->n_txq) {
    char cmd[512] = "";
    size_t off = 0;
    int span = r->ncpus < 32 ? r->ncpus : 32; /* one 32-bit mask word */

    if (r->n_txq <= 4) { /* spelled out */
      for (i = 0; i < r->n_txq && off < sizeof(cmd); i++)
        off += (size_t)snprintf(
            cmd + off, sizeof(cmd) - off,
            "%secho %x > /sys/class/net/%s/queues/tx-%zu/xps_cpus",
            i ? "; " : "", 1u << (i % (size_t)span), r->ifname, i);
    } else { /* a loop: queue q to CPU q mod CPUs */
      snprintf(cmd, sizeof(cmd),
               "for q in $(seq 0 %zu); do printf %%x $((1 << (q %% %d))) > "
               "/sys/class/net/%s/queues/tx-$q/xps_cpus; done",
               r->n_txq - 1, span, r->ifname);
    }
    check_add(out, "nic-xps", r->ifname, CHECK_WARN, (double)r->n_txq,
              "%zu TX queues and XPS off: a CPU picks a queue by hash, so "
              "queues are shared between CPUs (lock contention)",
              r->n_txq);
    check_set_fix(out, "%s", cmd);
    return;
  }
  check_add(out, "nic-xps", r->ifname, CHECK_PASS, (double)r->n_txq,
            "%zu TX queue%s%s", r->n_txq, r->n_txq == 1 ? "" : "s",
            r->n_txq > 1 ? ", XPS set" : "");
}

/* ---- drops and errors ---- */

static void nic_rule_drops(const nic_readings *r, check_list *out)
{
  const nic_stats *s = &r->stats;
  int64_t rx = s->rx_packets > 0 ? s->rx_packets : 0;
  int64_t tx = s->tx_packets > 0 ? s->tx_packets : 0;
  int64_t rxd = s->rx_dropped > 0 ? s->rx_dropped : 0;
  int64_t txd = s->tx_dropped > 0 ? s->tx_dropped : 0;
  int64_t lost = nic_rx_lost(s);
  double share;

  if (s->err) {
    check_add(out, "nic-drops", r->ifname, CHECK_WARN, NAN,
              "cannot read /sys/class/net/%s/statistics", r->ifname);
    return;
  }
  share = (double)(rxd + txd + lost) /
          (double)(rx + tx + rxd + txd + lost > 0 ? rx + tx + rxd + txd + lost
                                                  : 1);
  if (share > NIC_BAD_SHARE) {
    check_add(out, "nic-drops", r->ifname, CHECK_WARN,
              (double)(rxd + txd + lost),
              "%lld received and %lld sent packets dropped, %lld missed by "
              "the NIC: %.2f %% of all",
              (long long)rxd, (long long)txd, (long long)lost, 100 * share);
    if (lost > 0 && r->rings.s.err == 0 && r->rings.rx_max > r->rings.rx &&
        r->rings.rx >= 0)
      check_set_fix(out, "ethtool -G %s rx %lld", r->ifname,
                    (long long)r->rings.rx_max);
    else if (rxd > 0)
      check_set_fix(out, "sysctl -w net.core.netdev_max_backlog=4096");
    else
      check_set_fix(out,
                    "tc -s qdisc show dev %s  # find where the sent "
                    "packets are dropped",
                    r->ifname);
    return;
  }
  check_add(out, "nic-drops", r->ifname, CHECK_PASS,
            (double)(rxd + txd + lost), "%lld dropped of %lld packets",
            (long long)(rxd + txd + lost), (long long)(rx + tx));
}

static void nic_rule_errors(const nic_readings *r, check_list *out)
{
  const nic_stats *s = &r->stats;
  int64_t rxe = s->rx_errors > 0 ? s->rx_errors : 0;
  int64_t txe = s->tx_errors > 0 ? s->tx_errors : 0;
  int64_t all = (s->rx_packets > 0 ? s->rx_packets : 0) +
                (s->tx_packets > 0 ? s->tx_packets : 0) + rxe + txe;
  /* missed/fifo/over count in rx_errors too: the rings' business */
  int64_t wire = rxe - nic_rx_lost(s);

  if (s->err)
    return; /* said by nic-drops */
  if (wire < 0)
    wire = 0;
  if (wire + txe > 0) {
    double share = (double)(wire + txe) / (double)(all > 0 ? all : 1);

    check_add(out, "nic-errors", r->ifname,
              share > NIC_BAD_SHARE ? CHECK_FAIL : CHECK_WARN,
              (double)(wire + txe),
              "%lld receive errors (%lld CRC) and %lld send errors: %.3f %% "
              "of packets; a bad cable, port or duplex mismatch",
              (long long)wire, (long long)(s->rx_crc > 0 ? s->rx_crc : 0),
              (long long)txe, 100 * share);
    check_set_fix(out,
                  "ethtool %s  # check speed and duplex on both ends, "
                  "then change the cable",
                  r->ifname);
    return;
  }
  check_add(out, "nic-errors", r->ifname, CHECK_PASS, 0,
            "no receive or send error");
}

void nic_rules(const nic_readings *r, check_list *out)
{
  nic_rule_offload(r, out);
  nic_rule_rings(r, out);
  nic_rule_coalesce(r, out);
  nic_rule_channels(r, out);
  nic_rule_irq(r, out);
  nic_rule_rps(r, out);
  nic_rule_xps(r, out);
  nic_rule_drops(r, out);
  nic_rule_errors(r, out);
}
