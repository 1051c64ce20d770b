/*
 * dns.h - the `dns` probe's internal types, shared by its files:
 *
 *   dns.c          the descriptor, option table and plugin callbacks
 *   dns_config.c   reading and checking the options and targets
 *   dns_names.c    record types, rcode names, query name syntax
 *   dns_loop.c     a c-ares channel driven by the host's timer and watches
 *   dns_query.c    one query: send, answer, samples and warnings
 *
 * Nothing here is exported: the plugin exports only its descriptor.
 */
#ifndef BN_PLUGIN_DNS_H
#define BN_PLUGIN_DNS_H

#include <bottleneck/sdk.h>

#include <ares.h>
#include <stddef.h>
#include <stdint.h>

/* Longest query name in text form, with its trailing dot and NUL. */
#define DNS_NAME_MAX 256
/* "[ipv6]:port" plus NUL. */
#define DNS_SERVER_MAX 64

/* Problems that are logged as warnings once per resolver. */
enum dns_warn {
  DNS_WARN_REFUSED = 1u << 0,
  DNS_WARN_ERROR = 1u << 1,
  DNS_WARN_MALFORMED = 1u << 2, /* a reply that does not parse */
};

/* The instance's options, read and checked by dns_config_read(). */
typedef struct dns_config {
  /* Filled by the host from dns_options (cfg_fill). */
  int64_t interval_ns;
  int64_t timeout_ns;
  const char *query;      /* as written */
  const char *type_name;  /* "A", "AAAA"... */
  const char *rcode_name; /* "NOERROR"... */
  int tcp;                /* ask over TCP (ARES_FLAG_USEVC) */
  /* Derived and checked by dns_config_read. */
  int type;         /* record type number (1 = A ...) */
  int expect_rcode; /* 0..15 */
  /* The name as asked: an address is turned into its PTR name. */
  char qname[DNS_NAME_MAX];
} dns_config;

struct dns_ctx;

/* One c-ares socket, watched on the host loop. */
typedef struct dns_sock {
  struct dns_resolver *r;
  int fd;
  bn_watch *watch;
  struct dns_sock *next;
} dns_sock;

/* A target: one resolver, with a c-ares channel that asks only it. */
typedef struct dns_resolver {
  struct dns_ctx *ctx;
  const bn_target *t;
  char server[DNS_SERVER_MAX]; /* "127.0.0.1:53", "[::1]:53" */
  ares_channel channel;
  int has_channel;
  bn_timer *tick;       /* the probe interval */
  bn_timer *ares_timer; /* c-ares's next timeout; NULL when idle */
  dns_sock *socks;
  unsigned warned;        /* dns_warn bits */
  uint32_t warned_rcodes; /* one bit per rcode already warned about */
} dns_resolver;

typedef struct dns_ctx {
  bn_host *h;
  dns_config cfg;
  dns_resolver *resolvers;
  size_t n_resolvers;
  int library; /* ares_library_init() succeeded */
} dns_ctx;

/* dns_names.c */
/** Record type number of a name ("A", "mx"...), or -1. */
int dns_type_parse(const char *name);
/** Name of a record type number, or NULL. */
const char *dns_type_name(int type);
/** The record types the probe asks for, for messages: "A, AAAA...". */
const char *dns_type_list(void);
/** Rcode number of a name ("NXDOMAIN", "noerror"...), or -1. */
int dns_rcode_parse(const char *name);
/** Name of an rcode ("NXDOMAIN"), or "RCODE<n>" in buf for others. */
const char *dns_rcode_name(int rcode, char *buf, size_t len);
/** The rcode names, for messages. */
const char *dns_rcode_list(void);
/**
 * Check the syntax of a query name; on error returns BN_EINVAL and the
 * reason in why.
 */
int dns_name_check(const char *name, char *why, size_t len);
/**
 * The PTR name of an address literal ("127.0.0.9" ->
 * "9.0.0.127.in-addr.arpa"): 0, or BN_ENOENT when addr is no address.
 */
int dns_ptr_name(const char *addr, char *out, size_t len);

/* dns_config.c */
/** Read and check the options; every problem goes through cfg_error. */
int dns_config_read(bn_host *h, dns_config *cfg);
/**
 * Check a target and write its "addr:port" for c-ares into server:
 * 0 or BN_EINVAL (reported with cfg_error).
 */
int dns_config_target(bn_host *h, const bn_target *t, char *server,
                      size_t len);

/* dns_loop.c */
/** Create r's channel with exactly its server: 0 or a bn_status. */
int dns_channel_open(dns_resolver *r);
/** Re-arm the c-ares timer from ares_timeout() (after every event). */
void dns_channel_rearm(dns_resolver *r);
/** Drop queries in flight (their callbacks see ARES_ECANCELLED). */
void dns_channel_cancel(dns_resolver *r);
/** Destroy the channel, its watches and its timer. */
void dns_channel_close(dns_resolver *r);

/* dns_query.c */
/** Send one query to r's resolver; the result arrives as samples. */
void dns_query_send(dns_resolver *r);

#endif
