/*
 * check.h - pre-flight checks (`bottleneck check`, and before a run):
 * DNS resolution of each target and of a reference name through each
 * configured resolver, the default gateway (netlink) and whether it is
 * reachable, and the path MTU to each target against the interface MTU.
 * Each check gives pass, warn or fail with a one-line reason.
 */
#ifndef BN_CORE_CHECK_H
#define BN_CORE_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <bottleneck/sdk.h>

#include "conf.h"

struct profile;
struct store;

typedef enum check_status {
  CHECK_PASS = 0,
  CHECK_WARN = 1,
  CHECK_FAIL = 2,
} check_status;

/** One result. */
typedef struct check_result {
  char name[16];    /* "dns", "resolver", "gateway", "mtu" */
  char target[128]; /* target, resolver or gateway; "" for host-wide */
  check_status status;
  char reason[256];
  double value;  /* the MTU found...; NaN when none */
  char fix[512]; /* the command that fixes it (NIC checks); "" when none */
} check_result;

typedef struct check_list {
  check_result *r;
  size_t n, cap;
} check_list;

/** The `checks:` section of a profile. */
typedef struct check_settings {
  int enabled;               /* `run` checks first */
  const bn_node *resolvers;  /* list of resolver addresses, or NULL */
  const char *reference;     /* name resolved through each resolver */
  int mtu;                   /* measure the path MTU */
  int gateway;               /* check the default gateways */
  int nic;                   /* NIC tuning checks (check_nic.h) */
  const bn_node *nic_ifaces; /* interfaces for them; NULL: all up */
  size_t max_targets;        /* check the first ones only */
  int64_t timeout_ns;        /* per probe or query */
} check_settings;

extern const bn_option check_settings_options[];

/** Validate and read the section (map may be NULL: defaults).  The
 * strings point into the map, which must outlive the settings. */
int check_settings_read(bn_node *map, check_settings *out);

/**
 * A resolver of the `checks:` section: "ADDR", "V4ADDR:PORT" or
 * "[V6ADDR]:PORT" (port 53 by default).  0, or -1 when it is not one.
 */
int check_resolver_addr(const char *s, struct sockaddr_storage *ss,
                        socklen_t *len);

/** Append a result (printf-style reason). */
void check_add(check_list *l, const char *name, const char *target,
               check_status st, double value, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/** Set the recommendation (the exact command) of the last result. */
void check_set_fix(check_list *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void check_list_free(check_list *l);
/** The worst status in the list (PASS when empty). */
check_status check_worst(const check_list *l);
const char *check_status_name(check_status st);

/** Run every check for the profile's targets (blocking, a few seconds
 * at most). */
void check_run(const struct profile *p, const check_settings *s,
               check_list *out);

void check_dns(const struct profile *p, const check_settings *s,
               check_list *out);
void check_gateway(const check_settings *s, check_list *out);
void check_mtu(const struct profile *p, const check_settings *s,
               check_list *out);

void check_print_text(const check_list *l, FILE *out);
void check_print_json(const check_list *l, FILE *out);
/** The results alone, as a JSON array. */
void check_print_json_array(const check_list *l, FILE *out);

/** Record the results with a run. */
int check_store(struct store *st, int64_t run_id, const check_list *l,
                int64_t wall_ns);

#endif
