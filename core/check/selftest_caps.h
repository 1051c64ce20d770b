/*
 * selftest_caps.h - what this machine lets Bottleneck do: raw and ping
 * ICMP sockets, IPv6, netlink, kernel receive timestamps.
 */
#ifndef BN_CORE_SELFTEST_CAPS_H
#define BN_CORE_SELFTEST_CAPS_H

#include <stdio.h>

typedef struct selftest_cap {
  const char *name; /* "raw_sockets", ... */
  int ok;
  char detail[160];
} selftest_cap;

#define SELFTEST_N_CAPS 5

/** Probe the machine; fills caps[SELFTEST_N_CAPS]. */
void selftest_caps(selftest_cap *caps);

#endif
