/*
 * check_nic.h - NIC tuning checks (`bottleneck check --nic [IFACE]` and
 * `checks: {nic: true}` in a profile).
 *
 * The readings of one interface come from three places, each in a file of
 * its own:
 *   check_nic_nl.c    ethtool netlink (libmnl): features, rings,
 *                     coalescing, channels;
 *   check_nic_sys.c   /proc/interrupts and /proc/irq/N/smp_affinity_list,
 *                     /sys/class/net/IF/queues/{rx,tx}-N/{rps,xps}_cpus,
 *                     /sys/class/net/IF/statistics;
 *   check_nic_rules.c pure rules: readings in, findings out (each with a
 *                     status, a reason and the exact command that fixes
 *                     it);
 *   check_nic_print.c the readings as text and JSON;
 *   check_nic.c       reads one interface or all, runs the rules.
 */
#ifndef BN_CORE_CHECK_NIC_H
#define BN_CORE_CHECK_NIC_H

#include <stdint.h>
#include <stdio.h>

#include "check.h"

#define NIC_MAX_FEATURES 128
#define NIC_MAX_IRQS     64
#define NIC_MAX_QUEUES   64

/** One feature (offload) as ethtool -k shows it. */
typedef struct nic_feature {
  char name[40];         /* kernel name: "rx-gro", "tx-tcp-segmentation" ... */
  unsigned hw : 1;       /* the driver can change it */
  unsigned wanted : 1;   /* requested */
  unsigned active : 1;   /* in effect */
  unsigned nochange : 1; /* never changes */
} nic_feature;

/* A section's state: read, not supported by the driver, or an error. */
typedef struct nic_section {
  int err; /* 0, or a positive errno: EOPNOTSUPP means "not supported" */
} nic_section;

typedef struct nic_features {
  nic_section s;
  size_t n;
  nic_feature f[NIC_MAX_FEATURES];
} nic_features;

/* -1: the kernel did not report the field (ethtool shows "n/a"). */
typedef struct nic_rings {
  nic_section s;
  int64_t rx, rx_max, rx_mini, rx_mini_max, rx_jumbo, rx_jumbo_max, tx, tx_max;
} nic_rings;

typedef struct nic_coalesce {
  nic_section s;
  int64_t rx_usecs, rx_frames, tx_usecs, tx_frames;
  int64_t adaptive_rx, adaptive_tx; /* 0/1, -1: not reported */
} nic_coalesce;

typedef struct nic_channels {
  nic_section s;
  int64_t rx, rx_max, tx, tx_max, other, other_max, combined, combined_max;
} nic_channels;

typedef struct nic_irq {
  unsigned irq;
  char cpus[64]; /* smp_affinity_list: "0-3", "2" */
} nic_irq;

typedef struct nic_queue {
  char mask[64]; /* rps_cpus or xps_cpus, hex as sysfs shows it; "" when
                    the file is absent */
} nic_queue;

typedef struct nic_stats {
  int err;
  int64_t rx_packets, tx_packets, rx_errors, tx_errors, rx_dropped, tx_dropped,
      rx_missed, rx_fifo, rx_crc, rx_over;
} nic_stats;

/** Everything read about one interface. */
typedef struct nic_readings {
  char ifname[32];
  int ncpus; /* online CPUs */
  nic_features feat;
  nic_rings rings;
  nic_coalesce coal;
  nic_channels chan;
  size_t n_irqs;
  nic_irq irqs[NIC_MAX_IRQS];
  int sysfs; /* /sys/class/net/IF/queues could be read */
  size_t n_rxq, n_txq;
  nic_queue rxq[NIC_MAX_QUEUES], txq[NIC_MAX_QUEUES];
  nic_stats stats;
} nic_readings;

/* ---- check_nic_nl.c ---- */

/** Read features, rings, coalescing and channels through ethtool netlink.
 * Each section gets err 0, EOPNOTSUPP or another errno.  0, or -errno when
 * netlink itself cannot be used (then every section has that error). */
int nic_nl_read(const char *ifname, nic_readings *r);

struct nlattr;
/** Parsers of one reply's attributes (after the genetlink header), for
 * the unit tests as for nic_nl_read. */
void nic_parse_rings(const void *attrs, size_t len, nic_rings *out);
void nic_parse_coalesce(const void *attrs, size_t len, nic_coalesce *out);
void nic_parse_channels(const void *attrs, size_t len, nic_channels *out);
/** Features: the four bitsets (hw, wanted, active, nochange); names come
 * from the bitsets or from nic_parse_feature_names beforehand. */
void nic_parse_features(const void *attrs, size_t len, nic_features *out);
/** The ETH_SS_FEATURES string set of a STRSET_GET reply: fills the names
 * and the count. */
void nic_parse_feature_names(const void *attrs, size_t len, nic_features *out);

/* ---- check_nic_sys.c ---- */

/** IRQs of the interface from a /proc/interrupts text: lines whose name
 * column contains IFNAME as a word ("eth0", "eth0-TxRx-3"). */
size_t nic_parse_interrupts(FILE *f, const char *ifname, nic_irq *out,
                            size_t max);
/** Read IRQs, their affinity, the queues' RPS/XPS masks and the
 * statistics under ROOT ("" for the real /proc and /sys). */
void nic_sys_read(const char *root, const char *ifname, nic_readings *r);

/* ---- check_nic_feature lookup (check_nic_rules.c) ---- */

/** The feature of that kernel name, or NULL. */
const nic_feature *nic_feature_find(const nic_features *f, const char *name);

/* ---- check_nic_rules.c ---- */

/** Turn readings into findings: check names "nic-offload", "nic-rings",
 * "nic-coalesce", "nic-channels", "nic-irq", "nic-rps", "nic-xps",
 * "nic-drops", "nic-errors"; target the interface. */
void nic_rules(const nic_readings *r, check_list *out);

/* ---- check_nic_print.c ---- */

void nic_print_text(const nic_readings *r, FILE *out);
/** One JSON object with every reading. */
void nic_print_json(const nic_readings *r, FILE *out);

/* ---- check_nic.c ---- */

/** Read one interface: 0, or -ENODEV when there is no such interface. */
int nic_read(const char *ifname, nic_readings *r);
/** The interfaces to check when none is named: every one that is up,
 * except loopback.  Returns the count (at most max). */
size_t nic_default_ifaces(char (*names)[32], size_t max);
/** Read IFACES (or the default ones when n is 0) and run the rules;
 * readings go to *readings (caller frees) when not NULL. */
void check_nic(const char *const *ifaces, size_t n, check_list *out,
               nic_readings **readings, size_t *n_readings);

#endif
