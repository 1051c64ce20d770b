/*
 * icmp.c - the `icmp` probe: ICMP echo latency and loss, IPv4 and IPv6.
 *
 * Every interval (fixed, or adaptive per target: see
 * <bottleneck/adaptive.h>) each target gets a round of `count` echo
 * requests, `spacing` apart.  Each request is one "rtt_ms" sample, lost
 * after `timeout`; rounds of several packets add median, loss and
 * deviation samples.  All targets share one socket per address family.
 * See docs/probe-icmp.md.
 *
 * This file: the descriptor, the options and their check, the life
 * cycle, and name resolution (the host's asynchronous resolver).  The work is
 * in icmp_*.c (see icmp.h).
 */
#include "icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const bn_option icmp_options[] = {
    {"interval", BN_OPT_DURATION, "1s",
     "time between rounds of a target when 'adaptive' is off", 0.001, 3600, 0},
    {"adaptive", BN_OPT_BOOL, "false",
     "adapt each target's interval to its latency volatility", 0, 0, 0},
    {"interval_min", BN_OPT_DURATION, "250ms", "shortest adaptive interval",
     0.001, 3600, 0},
    {"interval_max", BN_OPT_DURATION, "10s", "longest adaptive interval",
     0.001, 3600, 0},
    {"count", BN_OPT_INT, "1", "echo requests a round", 1, ICMP_MAX_COUNT, 0},
    {"spacing", BN_OPT_DURATION, "10ms",
     "time between the requests of a round", 0, 60, 0},
    {"size", BN_OPT_INT, "56", "payload bytes of each request", ICMP_MIN_SIZE,
     ICMP_MAX_SIZE, 0},
    {"tos", BN_OPT_INT, "0", "IPv4 TOS / IPv6 traffic class of the requests",
     0, 255, 0},
    {"timeout", BN_OPT_DURATION, "1s",
     "how long to wait for a reply before it counts as lost", 0.001, 60, 0},
    {"spread", BN_OPT_BOOL, "true",
     "spread the targets' first rounds over the interval (false: all "
     "targets at once each round, as fping does; fewer wake-ups, burstier "
     "load)",
     0, 0, 0},
    {"socket", BN_OPT_STRING, "auto",
     "auto (datagram where allowed, else raw), dgram or raw", 0, 0, 0},
    BN_OPTIONS_END};

/* ---------------------------------------------------------------- */
/* Options                                                           */
/* ---------------------------------------------------------------- */

void icmp_fmt_duration(int64_t ns, char *buf, size_t len)
{
  static const struct {
    const char *unit;
    int64_t ns;
  } units[] = {{"h", INT64_C(3600000000000)}, {"m", INT64_C(60000000000)},
               {"s", INT64_C(1000000000)},    {"ms", INT64_C(1000000)},
               {"us", INT64_C(1000)},         {"ns", INT64_C(1)}};
  size_t i;

  if (ns == 0) {
    snprintf(buf, len, "0s");
    return;
  }
  for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (ns % units[i].ns == 0) {
      snprintf(buf, len, "%" PRId64 "%s", ns / units[i].ns, units[i].unit);
      return;
    }
  }
}

/* A duration option; `zero_ok` allows 0. */
static int icmp_opt_duration(bn_host *h, const bn_node *cfg, const char *key,
                             int zero_ok, int64_t *out)
{
  const bn_host_api *api = h->api;
  int rc = api->cfg_duration(h, cfg, key, out);

  if (rc == 0 && (*out < 0 || (*out == 0 && !zero_ok)))
    rc = api->cfg_error(h, api->cfg_get(cfg, key),
                        "option '%s' must be positive", key);
  return rc;
}

/* An integer option within [lo, hi] (the host checks the table's range
 * too; this keeps the plugin safe with any host). */
static int icmp_opt_int(bn_host *h, const bn_node *cfg, const char *key,
                        int64_t lo, int64_t hi, int64_t *out)
{
  const bn_host_api *api = h->api;
  int rc = api->cfg_int(h, cfg, key, out);

  if (rc == 0 && (*out < lo || *out > hi))
    rc = api->cfg_error(h, api->cfg_get(cfg, key),
                        "option '%s' must be between %" PRId64 " and %" PRId64,
                        key, lo, hi);
  return rc;
}

static int icmp_opt_socket(bn_host *h, const bn_node *cfg, int *mode)
{
  const bn_host_api *api = h->api;
  const char *s = "auto";
  int rc = api->cfg_string(h, cfg, "socket", &s);

  if (rc == BN_ENOENT)
    rc = 0;
  if (rc < 0)
    return rc;
  if (strcmp(s, "auto") == 0)
    *mode = ICMP_SOCK_AUTO;
  else if (strcmp(s, "dgram") == 0)
    *mode = ICMP_SOCK_DGRAM;
  else if (strcmp(s, "raw") == 0)
    *mode = ICMP_SOCK_RAW;
  else
    return api->cfg_error(h, api->cfg_get(cfg, "socket"),
                          "option 'socket' must be auto, dgram or raw, "
                          "not '%s'",
                          s);
  return 0;
}

static int icmp_opt_bounds(bn_host *h, const bn_node *cfg, icmp_opts *o)
{
  const bn_host_api *api = h->api;
  char a[32], b[32];

  if (o->interval_min_ns <= o->interval_max_ns)
    return 0;
  icmp_fmt_duration(o->interval_min_ns, a, sizeof(a));
  icmp_fmt_duration(o->interval_max_ns, b, sizeof(b));
  return api->cfg_error(h, api->cfg_get(cfg, "interval_min"),
                        "option 'interval_min' (%s) is greater than "
                        "'interval_max' (%s)",
                        a, b);
}

/* Read and check every option; no side effect (check() uses it too). */
int icmp_read_opts(bn_host *h, icmp_opts *o)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  int rc;

  memset(o, 0, sizeof(*o));
  rc = icmp_opt_duration(h, cfg, "interval", 0, &o->interval_ns);
  if (rc == 0)
    rc = api->cfg_bool(h, cfg, "adaptive", &o->adaptive);
  if (rc == 0)
    rc = api->cfg_bool(h, cfg, "spread", &o->spread);
  if (rc == 0)
    rc = icmp_opt_duration(h, cfg, "interval_min", 0, &o->interval_min_ns);
  if (rc == 0)
    rc = icmp_opt_duration(h, cfg, "interval_max", 0, &o->interval_max_ns);
  if (rc == 0)
    rc = icmp_opt_bounds(h, cfg, o);
  if (rc == 0)
    rc = icmp_opt_int(h, cfg, "count", 1, ICMP_MAX_COUNT, &o->count);
  if (rc == 0)
    rc = icmp_opt_duration(h, cfg, "spacing", 1, &o->spacing_ns);
  if (rc == 0)
    rc = icmp_opt_int(h, cfg, "size", ICMP_MIN_SIZE, ICMP_MAX_SIZE, &o->size);
  if (rc == 0)
    rc = icmp_opt_int(h, cfg, "tos", 0, 255, &o->tos);
  if (rc == 0)
    rc = icmp_opt_duration(h, cfg, "timeout", 0, &o->timeout_ns);
  if (rc == 0)
    rc = icmp_opt_socket(h, cfg, &o->sock_mode);
  return rc;
}

static int icmp_check(bn_host *h)
{
  icmp_opts o;

  return icmp_read_opts(h, &o);
}

/* ---------------------------------------------------------------- */
/* Addresses                                                         */
/* ---------------------------------------------------------------- */

int icmp_parse_literal(icmp_target *tt)
{
  struct sockaddr_in *sin = (struct sockaddr_in *)&tt->addr;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&tt->addr;

  memset(&tt->addr, 0, sizeof(tt->addr));
  if (inet_pton(AF_INET, tt->t->host, &sin->sin_addr) == 1) {
    sin->sin_family = AF_INET;
    tt->addrlen = sizeof(*sin);
  } else if (inet_pton(AF_INET6, tt->t->host, &sin6->sin6_addr) == 1) {
    sin6->sin6_family = AF_INET6;
    tt->addrlen = sizeof(*sin6);
  } else {
    return BN_ENOENT;
  }
  tt->resolved = 1;
  return 0;
}

/* A failed resolution: warned once per target (and stored as an event,
 * so reports say why the target has no answers), then at debug level;
 * the echoes of a round that fell due meanwhile are failed probes (LOST
 * | ERROR), so the target stays in the summary.  The next round that
 * falls due tries again. */
static void icmp_resolve_failed(icmp_ctx *c, icmp_target *tt, const char *why,
                                int due)
{
  bn_host *h = c->h;
  int64_t wall = h->api->now_wall_ns(h), mono = h->api->now_mono_ns(h);
  int64_t i;

  for (i = 0; due && i < c->o.count; i++)
    icmp_emit(c, tt, "rtt_ms", NAN, wall, mono,
              BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  if (!(tt->warned & ICMP_WARN_RESOLVE)) {
    char msg[400];
    bn_event e;

    bn_warn(h,
            "target '%s': cannot resolve '%s': %s; retrying every "
            "interval",
            tt->t->name, tt->t->host, why);
    snprintf(msg, sizeof(msg), "cannot resolve '%s': %s", tt->t->host, why);
    memset(&e, 0, sizeof(e));
    e.target = tt->t->name;
    e.type = "resolve";
    e.severity = BN_SEV_WARNING;
    e.message = msg;
    h->api->emit_event(h, &e);
  } else
    bn_debug(h, "target '%s': still cannot resolve '%s': %s", tt->t->name,
             tt->t->host, why);
  tt->warned |= ICMP_WARN_RESOLVE;
}

static void icmp_on_resolved(int status, const struct sockaddr *addr,
                             size_t addrlen, const char *error, void *arg)
{
  icmp_target *tt = arg;
  icmp_ctx *c = tt->ctx;
  int waiting = tt->waiting;

  tt->resolving = NULL;
  tt->waiting = 0;
  if (status < 0 || addrlen > sizeof(tt->addr)) {
    icmp_resolve_failed(c, tt, status < 0 ? error : "no usable address",
                        waiting);
    return;
  }
  memset(&tt->addr, 0, sizeof(tt->addr));
  memcpy(&tt->addr, addr, addrlen);
  tt->addrlen = (socklen_t)addrlen;
  tt->resolved = 1;
  if (tt->warned & ICMP_WARN_RESOLVE)
    bn_info(c->h, "target '%s': '%s' resolved at last", tt->t->name,
            tt->t->host);
  /* The round that fell due meanwhile goes now, not an interval late. */
  if (waiting && c->running) {
    tt->due_ns = c->h->api->now_mono_ns(c->h);
    icmp_sched_update(c, tt);
  }
}

void icmp_resolve_start(icmp_ctx *c, icmp_target *tt)
{
  bn_host *h = c->h;

  if (tt->resolving)
    return;
  tt->resolving = h->api->resolve(h, tt->t->host, AF_UNSPEC, SOCK_RAW,
                                  icmp_on_resolved, tt);
  if (!tt->resolving)
    icmp_resolve_failed(c, tt, "cannot start the resolver", tt->waiting);
}

/* ---------------------------------------------------------------- */
/* Life cycle                                                        */
/* ---------------------------------------------------------------- */

/* Identifier and cookie: unpredictable, so that instances (and other
 * pingers on raw sockets) do not take each other's replies. */
static void icmp_random(void *buf, size_t len)
{
  struct timespec ts;
  uint64_t mix;

  if (getrandom(buf, len, GRND_NONBLOCK) == (ssize_t)len)
    return;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  mix = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
        ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)buf;
  memcpy(buf, &mix, len < sizeof(mix) ? len : sizeof(mix));
}

static int icmp_is_perm(int rc)
{
  return rc == -EPERM || rc == -EACCES;
}

/* One socket per family; init fails only when no family can probe. */
static int icmp_open_sockets(icmp_ctx *c)
{
  int r4 = icmp_sock_open(&c->sock4, AF_INET, c->o.sock_mode, (int)c->o.tos);
  int r6 = icmp_sock_open(&c->sock6, AF_INET6, c->o.sock_mode, (int)c->o.tos);

  if (icmp_is_perm(r4) || icmp_is_perm(r6)) {
    bn_error(c->h, "cannot open an ICMP socket: needs CAP_NET_RAW (run as "
                   "root or setcap cap_net_raw+ep bottleneck) or "
                   "net.ipv4.ping_group_range covering your group");
    return BN_ERR;
  }
  if (r4 < 0 && r6 < 0) {
    bn_error(c->h, "cannot open an ICMP socket: %s", strerror(-r4));
    return BN_ERR;
  }
  if (r4 < 0 || r6 < 0)
    bn_info(c->h, "no %s ICMP socket: %s", r4 < 0 ? "IPv4" : "IPv6",
            strerror(r4 < 0 ? -r4 : -r6));
  bn_debug(c->h, "ICMP sockets: IPv4 %s, IPv6 %s",
           c->sock4.fd < 0 ? "none"
           : c->sock4.raw  ? "raw"
                           : "dgram",
           c->sock6.fd < 0 ? "none"
           : c->sock6.raw  ? "raw"
                           : "dgram");
  return 0;
}

static void icmp_release(icmp_ctx *c)
{
  const bn_host_api *api = c->h->api;
  size_t i;

  icmp_sched_stop(c);
  for (i = 0; i < c->n_targets; i++) {
    api->resolve_cancel(c->targets[i].resolving);
    c->targets[i].resolving = NULL;
    c->targets[i].waiting = 0;
  }
  api->watch_free(c->sock4.watch);
  api->watch_free(c->sock6.watch);
  c->sock4.watch = c->sock6.watch = NULL;
}

static int icmp_start(void *ctx)
{
  icmp_ctx *c = ctx;
  const bn_host_api *api = c->h->api;
  icmp_sock *socks[2] = {&c->sock4, &c->sock6};
  size_t i;

  for (i = 0; i < 2; i++) {
    if (socks[i]->fd < 0)
      continue;
    socks[i]->watch = api->watch_start(c->h, socks[i]->fd, BN_WATCH_READ,
                                       icmp_probe_on_readable, c);
    if (!socks[i]->watch) {
      bn_error(c->h, "cannot watch the ICMP socket");
      icmp_release(c);
      return BN_ENOMEM;
    }
  }
  /* Names start resolving now: by the target's first round the address
   * is likely known. */
  for (i = 0; i < c->n_targets; i++)
    if (!c->targets[i].resolved)
      icmp_resolve_start(c, &c->targets[i]);
  return icmp_sched_start(c);
}

static void icmp_stop(void *ctx)
{
  icmp_ctx *c = ctx;

  /* Probes in flight are dropped unreported: the run ends before their
   * timeout, which says nothing about the path. */
  icmp_release(c);
  bn_debug(c->h,
           "sent %" PRIu64 " requests; ignored %" PRIu64 " foreign packets",
           c->n_sent, c->n_foreign);
}

static void icmp_destroy(void *ctx)
{
  icmp_ctx *c = ctx;

  if (!c)
    return;
  icmp_release(c);
  icmp_sock_close(&c->sock4);
  icmp_sock_close(&c->sock6);
  icmp_round_free_all(c);
  icmp_table_free(&c->table);
  icmp_rxbuf_free(&c->rx);
  free(c->txbuf);
  free(c->heap);
  free(c->targets);
  free(c);
}

static int icmp_alloc(icmp_ctx *c, size_t n)
{
  uint64_t cookie;
  int64_t i;
  int rc;

  icmp_random(&cookie, sizeof(cookie));
  icmp_random(&c->ident, sizeof(c->ident));
  c->targets = calloc(n ? n : 1, sizeof(*c->targets));
  c->heap = calloc(n ? n : 1, sizeof(*c->heap));
  c->txbuf = malloc(8 + (size_t)c->o.size);
  if (!c->targets || !c->heap || !c->txbuf)
    return BN_ENOMEM;
  /* The part after the stamp: a counting pattern, as ping's. */
  for (i = 0; i < c->o.size; i++)
    c->txbuf[8 + i] = (uint8_t)i;
  rc = icmp_table_init(&c->table, cookie);
  if (rc == 0)
    rc = icmp_rxbuf_init(&c->rx, (size_t)c->o.size);
  return rc;
}

static int icmp_init(bn_host *h, void **out)
{
  const bn_target *ts;
  icmp_ctx *c;
  size_t i, n = 0;
  int rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  c->sock4.fd = c->sock6.fd = -1;
  rc = icmp_read_opts(h, &c->o);
  if (rc < 0)
    goto fail;
  ts = h->api->targets(h, &n);
  if (n > UINT32_MAX / 2) {
    rc = BN_EINVAL;
    goto fail;
  }
  rc = icmp_alloc(c, n);
  if (rc < 0)
    goto fail;
  c->n_targets = n;
  for (i = 0; i < n; i++) {
    icmp_target *tt = &c->targets[i];

    tt->t = &ts[i];
    tt->ctx = c;
    tt->index = (uint32_t)i;
    bn_adaptive_init(&tt->ad, c->o.interval_min_ns, c->o.interval_max_ns,
                     c->o.interval_ns);
    tt->interval_ns = c->o.adaptive ? tt->ad.interval_ns : c->o.interval_ns;
    icmp_parse_literal(tt);
  }
  rc = icmp_open_sockets(c);
  if (rc < 0)
    goto fail;
  *out = c;
  return 0;

fail:
  icmp_destroy(c);
  return rc;
}

static const bn_probe_ops icmp_ops = {
    sizeof(bn_probe_ops),
    icmp_start,
    icmp_stop,
};

BN_PLUGIN_DEFINE_CHECKED("icmp", "1.0", BN_KIND_PROBE,
                         "ICMP echo latency and loss (IPv4/IPv6)",
                         icmp_options, icmp_init, icmp_destroy, &icmp_ops,
                         icmp_check);
