/*
 * check_nic_sys.c - what procfs and sysfs tell about an interface: its
 * IRQs (/proc/interrupts) and their CPUs (/proc/irq/N/smp_affinity_list),
 * the RPS and XPS masks of its queues (/sys/class/net/IF/queues) and its
 * counters (/sys/class/net/IF/statistics).  A ROOT prefix lets the tests
 * point it at a tree of their own.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_nic.h"

/* IFNAME as a word of the line's name column: followed by nothing, '-',
 * ':' or '@' ("eth0", "eth0-TxRx-3", "eth0:rx-1"), not "eth01". */
static int nic_irq_names(const char *s, const char *ifname)
{
  size_t n = strlen(ifname);
  const char *p = s;

  while ((p = strstr(p, ifname)) != NULL) {
    int start = p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
    char end = p[n];

    if (start && (end == '\0' || end == '-' || end == ':' || end == '@' ||
                  end == ' ' || end == '\n' || end == ','))
      return 1;
    p += n;
  }
  return 0;
}

size_t nic_parse_interrupts(FILE *f, const char *ifname, nic_irq *out,
                            size_t max)
{
  char line[4096];
  size_t n = 0;

  if (!fgets(line, sizeof(line), f)) /* the CPU header */
    return 0;
  while (n < max && fgets(line, sizeof(line), f)) {
    char *p = line, *stop, *name;
    unsigned long irq;

    while (*p == ' ')
      p++;
    irq = strtoul(p, &stop, 10);
    if (stop == p || *stop != ':') /* NMI:, LOC: ... */
      continue;
    /* the device names are the last column */
    name = strrchr(line, ' ');
    name = name ? name + 1 : stop + 1;
    if (!nic_irq_names(name, ifname))
      continue;
    memset(&out[n], 0, sizeof(out[n]));
    out[n++].irq = (unsigned)irq;
  }
  return n;
}

/* The first line of a small file, without its newline; "" when absent. */
static int nic_read_line(const char *path, char *buf, size_t size)
{
  FILE *f = fopen(path, "r");
  size_t n;

  buf[0] = '\0';
  if (!f)
    return -1;
  if (!fgets(buf, (int)size, f))
    buf[0] = '\0';
  fclose(f);
  n = strlen(buf);
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    buf[--n] = '\0';
  return 0;
}

static int64_t nic_read_counter(const char *root, const char *ifname,
                                const char *name)
{
  char path[512], buf[64];

  snprintf(path, sizeof(path), "%s/sys/class/net/%s/statistics/%s", root,
           ifname, name);
  if (nic_read_line(path, buf, sizeof(buf)) != 0 || !buf[0])
    return -1;
  return strtoll(buf, NULL, 10);
}

static void nic_read_stats(const char *root, const char *ifname, nic_stats *s)
{
  s->rx_packets = nic_read_counter(root, ifname, "rx_packets");
  s->tx_packets = nic_read_counter(root, ifname, "tx_packets");
  s->rx_errors = nic_read_counter(root, ifname, "rx_errors");
  s->tx_errors = nic_read_counter(root, ifname, "tx_errors");
  s->rx_dropped = nic_read_counter(root, ifname, "rx_dropped");
  s->tx_dropped = nic_read_counter(root, ifname, "tx_dropped");
  s->rx_missed = nic_read_counter(root, ifname, "rx_missed_errors");
  s->rx_fifo = nic_read_counter(root, ifname, "rx_fifo_errors");
  s->rx_crc = nic_read_counter(root, ifname, "rx_crc_errors");
  s->rx_over = nic_read_counter(root, ifname, "rx_over_errors");
  s->err = s->rx_packets < 0 ? ENOENT : 0;
}

/* Queues rx-0..rx-N (or tx-): count them and read one mask file each. */
static size_t nic_read_queues(const char *root, const char *ifname,
                              const char *kind, const char *file, nic_queue *q,
                              size_t max, int *found)
{
  char path[512];
  DIR *d;
  struct dirent *e;
  size_t n = 0, i;

  snprintf(path, sizeof(path), "%s/sys/class/net/%s/queues", root, ifname);
  d = opendir(path);
  if (!d)
    return 0;
  *found = 1;
  while ((e = readdir(d)) != NULL) {
    char *stop;
    unsigned long idx;

    if (strncmp(e->d_name, kind, 3) != 0)
      continue;
    idx = strtoul(e->d_name + 3, &stop, 10);
    if (*stop || idx >= max)
      continue;
    if (idx + 1 > n)
      n = idx + 1;
  }
  closedir(d);
  for (i = 0; i < n; i++) {
    snprintf(path, sizeof(path), "%s/sys/class/net/%s/queues/%s%zu/%s", root,
             ifname, kind, i, file);
    nic_read_line(path, q[i].mask, sizeof(q[i].mask));
  }
  return n;
}

void nic_sys_read(const char *root, const char *ifname, nic_readings *r)
{
  char path[512];
  FILE *f;
  size_t i;

  snprintf(path, sizeof(path), "%s/proc/interrupts", root);
  f = fopen(path, "r");
  r->n_irqs = 0;
  if (f) {
    r->n_irqs = nic_parse_interrupts(f, ifname, r->irqs, NIC_MAX_IRQS);
    fclose(f);
  }
  for (i = 0; i < r->n_irqs; i++) {
    snprintf(path, sizeof(path), "%s/proc/irq/%u/smp_affinity_list", root,
             r->irqs[i].irq);
    nic_read_line(path, r->irqs[i].cpus, sizeof(r->irqs[i].cpus));
  }
  r->sysfs = 0;
  r->n_rxq = nic_read_queues(root, ifname, "rx-", "rps_cpus", r->rxq,
                             NIC_MAX_QUEUES, &r->sysfs);
  r->n_txq = nic_read_queues(root, ifname, "tx-", "xps_cpus", r->txq,
                             NIC_MAX_QUEUES, &r->sysfs);
  nic_read_stats(root, ifname, &r->stats);
}
