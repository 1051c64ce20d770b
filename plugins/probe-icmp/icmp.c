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
 * cycle (names are resolved by plugins/common).  The work is in
 * icmp_*.c (see icmp.h).
 */
#include "icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ICMP_OPT(T) BN_FIELD(icmp_opts, T)

static const bn_option icmp_options[] = {
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "time between rounds of a target when 'adaptive' is off",
     .min = 0.001,
     .max = 3600,
     ICMP_OPT(interval_ns)},
    {.name = "adaptive",
     .type = BN_OPT_BOOL,
     .def = "false",
     .help = "adapt each target's interval to its latency volatility",
     ICMP_OPT(adaptive)},
    {.name = "interval_min",
     .type = BN_OPT_DURATION,
     .def = "250ms",
     .help = "shortest adaptive interval",
     .min = 0.001,
     .max = 3600,
     ICMP_OPT(interval_min_ns)},
    {.name = "interval_max",
     .type = BN_OPT_DURATION,
     .def = "10s",
     .help = "longest adaptive interval",
     .min = 0.001,
     .max = 3600,
     ICMP_OPT(interval_max_ns)},
    {.name = "count",
     .type = BN_OPT_INT,
     .def = "1",
     .help = "echo requests a round",
     .min = 1,
     .max = ICMP_MAX_COUNT,
     ICMP_OPT(count)},
    {.name = "spacing",
     .type = BN_OPT_DURATION,
     .def = "10ms",
     .help = "time between the requests of a round",
     .min = 0,
     .max = 60,
     ICMP_OPT(spacing_ns)},
    {.name = "size",
     .type = BN_OPT_INT,
     .def = "56",
     .help = "payload bytes of each request",
     .min = ICMP_MIN_SIZE,
     .max = ICMP_MAX_SIZE,
     ICMP_OPT(size)},
    {.name = "tos",
     .type = BN_OPT_INT,
     .def = "0",
     .help = "IPv4 TOS / IPv6 traffic class of the requests",
     .min = 0,
     .max = 255,
     ICMP_OPT(tos)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "how long to wait for a reply before it counts as lost",
     .min = 0.001,
     .max = 60,
     ICMP_OPT(timeout_ns)},
    {.name = "spread",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "spread the targets' first rounds over the interval (false: "
             "all targets at once each round, as fping does; fewer "
             "wake-ups, burstier load)",
     ICMP_OPT(spread)},
    {.name = "socket",
     .type = BN_OPT_STRING,
     .def = "auto",
     .help = "auto (datagram where allowed, else raw), dgram or raw",
     ICMP_OPT(socket)},
    BN_OPTIONS_END};

static const bn_metric icmp_metrics[] = {
    {.name = ICMP_METRIC_RTT,
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .flags = BN_METRIC_PRIMARY,
     .help = "round-trip time of one echo request (lost: no reply)"},
    {.name = ICMP_METRIC_MEDIAN,
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .help = "median RTT of the replies of one round"},
    {.name = ICMP_METRIC_LOSS,
     .unit = "percent",
     .role = BN_ROLE_LOSS,
     .agg = BN_AGG_MEAN,
     .help = "share of a round's requests that got no reply"},
    {.name = ICMP_METRIC_STDDEV,
     .unit = "ms",
     .role = BN_ROLE_JITTER,
     .agg = BN_AGG_MEAN,
     .help = "standard deviation of the RTTs of one round"},
    {.name = ICMP_METRIC_INTERVAL,
     .unit = "ms",
     .role = BN_ROLE_GAUGE,
     .agg = BN_AGG_LAST,
     .help = "interval in use for the target (adaptive mode)"},
    BN_METRICS_END};

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

static int icmp_opt_socket(bn_host *h, const bn_node *cfg, int *mode,
                           const char *s)
{
  const bn_host_api *api = h->api;

  if (!s || strcmp(s, "auto") == 0)
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
  rc = api->cfg_fill(h, o);
  if (rc == 0)
    rc = icmp_opt_bounds(h, cfg, o);
  if (rc == 0)
    rc = icmp_opt_socket(h, cfg, &o->sock_mode, o->socket);
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

/* The address became known: the round that fell due meanwhile goes
 * now, not an interval late. */
static void icmp_addr_ready(void *arg, int waiting)
{
  icmp_target *tt = arg;
  icmp_ctx *c = tt->ctx;

  if (waiting && c->running) {
    tt->due_ns = c->h->api->now_mono_ns(c->h);
    icmp_sched_update(c, tt);
  }
}

/* The name did not resolve: the echoes of a round that fell due
 * meanwhile are failed probes (LOST | ERROR), so the target stays in
 * the reports (the "resolve" event says why).  The next round that
 * falls due tries again. */
static void icmp_addr_failed(void *arg, int waiting)
{
  icmp_target *tt = arg;
  icmp_ctx *c = tt->ctx;
  int64_t wall, mono, i;

  if (!waiting || !c->running)
    return;
  wall = c->h->api->now_wall_ns(c->h);
  mono = c->h->api->now_mono_ns(c->h);
  for (i = 0; i < c->o.count; i++)
    icmp_emit(c, tt, ICMP_METRIC_RTT, BN_NOT_MEASURED, wall, mono,
              BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
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
  for (i = 0; i < c->n_targets; i++)
    plug_addr_cancel(&c->targets[i].addr);
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
    plug_addr_start(&c->targets[i].addr);
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
    plug_addr_init(&tt->addr, h, &ts[i], SOCK_RAW, 0, icmp_addr_ready, tt);
    plug_addr_on_failure(&tt->addr, icmp_addr_failed);
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
    .struct_size = sizeof(bn_probe_ops),
    .start = icmp_start,
    .stop = icmp_stop,
};

BN_PLUGIN(.name = "icmp", .version = "1.0", .kind = BN_KIND_PROBE,
          .summary = "ICMP echo latency and loss (IPv4/IPv6)",
          .options = icmp_options, .metrics = icmp_metrics, .init = icmp_init,
          .destroy = icmp_destroy, .ops = &icmp_ops, .check = icmp_check,
          .needs = BN_NEED_ICMP_SOCKET);
