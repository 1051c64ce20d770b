/*
 * check_nic.c - reads one interface (ethtool netlink, procfs, sysfs) or
 * every interface that is up, and runs the NIC rules on each.
 */
#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <math.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_nic.h"

int nic_read(const char *ifname, nic_readings *r)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);

  memset(r, 0, sizeof(*r));
  snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
  if (strlen(ifname) >= IFNAMSIZ || if_nametoindex(ifname) == 0)
    return -ENODEV;
  r->ncpus = n > 0 ? (int)n : 1;
  nic_nl_read(ifname, r);
  nic_sys_read("", ifname, r);
  return 0;
}

size_t nic_default_ifaces(char (*names)[32], size_t max)
{
  struct if_nameindex *ni = if_nameindex(), *p;
  size_t n = 0;

  if (!ni)
    return 0;
  for (p = ni; p->if_index && n < max; p++) {
    char path[300], buf[32] = "";
    FILE *f;
    unsigned long flags = 0;

    /* up and not loopback: IFF_UP and IFF_LOOPBACK from sysfs */
    snprintf(path, sizeof(path), "/sys/class/net/%s/flags", p->if_name);
    f = fopen(path, "r");
    if (f) {
      if (fgets(buf, sizeof(buf), f))
        flags = strtoul(buf, NULL, 16);
      fclose(f);
    } else {
      continue; /* no sysfs (another namespace's): not ours to judge */
    }
    if (!(flags & IFF_UP) || (flags & IFF_LOOPBACK))
      continue;
    snprintf(names[n++], 32, "%s", p->if_name);
  }
  if_freenameindex(ni);
  return n;
}

void check_nic(const char *const *ifaces, size_t n, check_list *out,
               nic_readings **readings, size_t *n_readings)
{
  char(*names)[32] = NULL;
  nic_readings *all;
  size_t i, k = 0;

  if (readings)
    *readings = NULL;
  if (n_readings)
    *n_readings = 0;
  if (n == 0) {
    names = calloc(64, sizeof(*names));
    if (!names)
      return;
    n = nic_default_ifaces(names, 64);
    if (n == 0) {
      check_add(out, "nic", "", CHECK_PASS, NAN,
                "no interface is up besides loopback");
      free(names);
      return;
    }
  }
  all = calloc(n, sizeof(*all));
  if (!all) {
    free(names);
    return;
  }
  for (i = 0; i < n; i++) {
    const char *name = names ? names[i] : ifaces[i];

    if (nic_read(name, &all[k]) != 0) {
      check_add(out, "nic", name, CHECK_FAIL, NAN,
                "no network interface named '%s' (see 'ip link')", name);
      continue;
    }
    nic_rules(&all[k], out);
    k++;
  }
  free(names);
  if (readings && k) {
    *readings = all;
    *n_readings = k;
  } else {
    free(all);
  }
}
