/*
 * tcp.c - the `tcp` probe: TCP connect latency to each target.
 *
 * Every interval, for every target, a non-blocking socket connects to
 * host:port on the core loop; the SYN, SYN-ACK round trip as the kernel
 * timed it (TCP_INFO), else the time from connect() to the loop seeing
 * the socket writable, is "rtt_ms".  A probe
 * that gets no answer within the timeout is lost; a refused or locally
 * failed connection is lost with BN_SAMPLE_ERROR.  See docs/metrics.md.
 *
 * The probe uses the host API only: no thread, no blocking call.  A
 * target given by name is resolved by the host's asynchronous resolver
 * (started by start(), and again at each interval while it fails); a
 * probe that falls due while its name resolves is sent as soon as the
 * address is known.
 */
#include <bottleneck/sdk.h>

#include "plugin_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_METRIC "rtt_ms"

/* Problems that are logged as warnings once per target, then at debug. */
enum tcp_warn {
  TCP_WARN_REFUSED = 1u << 0,
  TCP_WARN_RESOURCE = 1u << 1,
  TCP_WARN_ERROR = 1u << 2,
};

struct tcp_ctx;

/* Times taken when a probe is sent. */
typedef struct tcp_stamp {
  int64_t mono_ns;
  int64_t wall_ns;
  uint64_t epoch;
} tcp_stamp;

typedef struct tcp_target {
  struct tcp_ctx *ctx;
  const bn_target *t;
  int port;
  plug_addr addr; /* resolved (and retried) by plugins/common */
  bn_timer *tick;
  unsigned warned; /* tcp_warn bits */
} tcp_target;

/* One connection attempt in flight. */
typedef struct tcp_attempt {
  tcp_target *tt;
  int fd;
  bn_watch *watch;
  bn_timer *timer;
  tcp_stamp sent;
  struct tcp_attempt *prev, *next;
} tcp_attempt;

/* The options, filled by the host from tcp_options (cfg_fill). */
typedef struct tcp_config {
  int64_t interval_ns;
  int64_t timeout_ns;
  int port;
} tcp_config;

typedef struct tcp_ctx {
  bn_host *h;
  tcp_config cfg;
  tcp_target *targets;
  size_t n_targets;
  tcp_attempt *attempts;
} tcp_ctx;

static const bn_option tcp_options[] = {
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "time between probes of a target",
     .min = 0.01,
     .max = 3600,
     BN_FIELD(tcp_config, interval_ns)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "how long a connection attempt may take before it counts as "
             "lost",
     .min = 0.001,
     .max = 60,
     BN_FIELD(tcp_config, timeout_ns)},
    {.name = "port",
     .type = BN_OPT_INT,
     .def = "0",
     .help = "TCP port to connect to; 0 uses each target's own port",
     .min = 0,
     .max = 65535,
     BN_FIELD(tcp_config, port)},
    BN_OPTIONS_END};

static const bn_metric tcp_metrics[] = {
    {.name = TCP_METRIC,
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .flags = BN_METRIC_PRIMARY,
     .help = "TCP connect time (SYN to SYN-ACK round trip)"},
    BN_METRICS_END};

static void tcp_send(tcp_target *tt);

/* The address became known: the probe that fell due meanwhile goes
 * now, not an interval late. */
static void tcp_addr_ready(void *arg, int waiting)
{
  tcp_target *tt = arg;

  if (waiting && tt->tick)
    tcp_send(tt);
}

/* ---------------------------------------------------------------- */
/* Results                                                           */
/* ---------------------------------------------------------------- */

static void tcp_stamp_now(tcp_ctx *c, tcp_stamp *st)
{
  const bn_host_api *api = c->h->api;

  st->wall_ns = api->now_wall_ns(c->h);
  st->epoch = api->clock_epoch(c->h);
  /* Last, so that the RTT covers as little of our own work as can be. */
  st->mono_ns = api->now_mono_ns(c->h);
}

static void tcp_emit(tcp_target *tt, const tcp_stamp *sent, double value,
                     uint32_t flags)
{
  bn_host *h = tt->ctx->h;
  bn_sample s = {BN_INIT(bn_sample), .target = tt->t->name,
                 .metric = TCP_METRIC, .wall_ns = sent->wall_ns,
                 .mono_ns = sent->mono_ns};

  /* A suspend or a clock step while in flight makes the RTT worthless. */
  if (h->api->clock_epoch(h) != sent->epoch)
    flags |= BN_SAMPLE_INVALID;
  s.value = (flags & BN_SAMPLE_LOST) ? BN_NOT_MEASURED : value;
  s.flags = flags;
  h->api->emit_sample(h, &s);
}

/* The name did not resolve: a probe that fell due meanwhile is a failed
 * probe (LOST | ERROR), so the target stays in the reports (the
 * "resolve" event says why).  The next probe tries again. */
static void tcp_addr_failed(void *arg, int waiting)
{
  tcp_target *tt = arg;
  tcp_stamp st;

  if (!waiting || !tt->tick)
    return;
  tcp_stamp_now(tt->ctx, &st);
  tcp_emit(tt, &st, BN_NOT_MEASURED, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
}

static int tcp_is_resource_error(int err)
{
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM ||
         err == EAGAIN || err == EADDRNOTAVAIL;
}

/* A failed probe: a lost sample flagged ERROR, a warning once. */
static void tcp_failed(tcp_target *tt, const tcp_stamp *sent, int err)
{
  bn_host *h = tt->ctx->h;
  unsigned bit;

  if (err == ECONNREFUSED)
    bit = TCP_WARN_REFUSED;
  else if (tcp_is_resource_error(err))
    bit = TCP_WARN_RESOURCE;
  else
    bit = TCP_WARN_ERROR;
  bn_debug(h, "target '%s': %s port %d: %s", tt->t->name, tt->t->host,
           tt->port, strerror(err));
  if (!(tt->warned & bit)) {
    if (bit == TCP_WARN_REFUSED)
      bn_warn(h,
              "target '%s': %s port %d refused the connection; "
              "counted as lost",
              tt->t->name, tt->t->host, tt->port);
    else if (bit == TCP_WARN_RESOURCE)
      bn_warn(h,
              "target '%s': cannot open a connection: %s; counted as "
              "lost",
              tt->t->name, strerror(err));
    else
      bn_warn(h,
              "target '%s': connecting to %s port %d failed: %s; "
              "counted as lost",
              tt->t->name, tt->t->host, tt->port, strerror(err));
    tt->warned |= bit;
  }
  tcp_emit(tt, sent, BN_NOT_MEASURED, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
}

/* ---------------------------------------------------------------- */
/* Attempts                                                          */
/* ---------------------------------------------------------------- */

/* Release an attempt without reporting anything. */
static void tcp_attempt_free(tcp_attempt *a)
{
  const bn_host_api *api = a->tt->ctx->h->api;
  tcp_ctx *c = a->tt->ctx;

  api->watch_free(a->watch);
  api->timer_free(a->timer);
  if (a->fd >= 0)
    close(a->fd);
  if (a->prev)
    a->prev->next = a->next;
  else
    c->attempts = a->next;
  if (a->next)
    a->next->prev = a->prev;
  free(a);
}

/* The handshake's round trip as the kernel timed it (TCP_INFO: from the
 * SYN leaving to the SYN-ACK arriving, in microseconds), or -1.  Taken
 * where the event happened, it cannot be inflated by a loop that ran
 * late; 0 means the kernel has no sample (a retransmitted SYN). */
static int64_t tcp_kernel_rtt_ns(int fd)
{
  struct tcp_info ti;
  socklen_t len = sizeof(ti);

  memset(&ti, 0, sizeof(ti));
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
      len < offsetof(struct tcp_info, tcpi_rtt) + sizeof(ti.tcpi_rtt) ||
      ti.tcpi_rtt == 0)
    return -1;
  return (int64_t)ti.tcpi_rtt * 1000;
}

/* A connection completed: the kernel's RTT when it has one, else the
 * time from connect() to the loop seeing the socket writable.  When
 * that is past the timeout the loop was late (the timeout timer could
 * not fire: the host, not the network, delayed it), so the value says
 * nothing: INVALID, with no value. */
static void tcp_connected(tcp_target *tt, const tcp_stamp *sent, int fd,
                          int64_t now)
{
  int64_t rtt = tcp_kernel_rtt_ns(fd);
  int64_t timeout = tt->ctx->cfg.timeout_ns;

  if (rtt < 0 && now - sent->mono_ns > timeout) {
    bn_debug(tt->ctx->h,
             "target '%s': answer seen %.1f ms after the send, past the "
             "timeout: the loop was late; sample marked invalid",
             tt->t->name, (double)(now - sent->mono_ns) / 1e6);
    tcp_emit(tt, sent, BN_NOT_MEASURED, BN_SAMPLE_INVALID);
    return;
  }
  if (rtt < 0)
    rtt = now - sent->mono_ns;
  if (rtt > timeout) /* it came after the timeout: lost, as on time */
    tcp_emit(tt, sent, BN_NOT_MEASURED, BN_SAMPLE_LOST);
  else
    tcp_emit(tt, sent, (double)rtt / 1e6, 0);
}

static void tcp_on_writable(bn_watch *w, int fd, int events, void *arg)
{
  tcp_attempt *a = arg;
  tcp_target *tt = a->tt;
  bn_host *h = tt->ctx->h;
  int64_t now = h->api->now_mono_ns(h);
  tcp_stamp sent = a->sent;
  socklen_t len = sizeof(int);
  int err = 0;

  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  if (err == 0)
    tcp_connected(tt, &sent, fd, now);
  tcp_attempt_free(a);
  if (err == 0)
    return;
  if (err == ETIMEDOUT)
    tcp_emit(tt, &sent, BN_NOT_MEASURED, BN_SAMPLE_LOST);
  else
    tcp_failed(tt, &sent, err);
}

static void tcp_on_timeout(bn_timer *t, void *arg)
{
  tcp_attempt *a = arg;
  tcp_target *tt = a->tt;
  tcp_stamp sent = a->sent;

  bn_debug(tt->ctx->h, "target '%s': no answer within the timeout",
           tt->t->name);
  tcp_attempt_free(a);
  tcp_emit(tt, &sent, BN_NOT_MEASURED, BN_SAMPLE_LOST);
}

/* Connect once; the result arrives through the watch or the timer. */
static void tcp_send(tcp_target *tt)
{
  tcp_ctx *c = tt->ctx;
  const bn_host_api *api = c->h->api;
  tcp_attempt *a = NULL;
  tcp_stamp st;
  int fd, err;

  if (!plug_addr_need(&tt->addr))
    return;
  fd = socket(tt->addr.ss.ss_family,
              SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    err = errno;
    tcp_stamp_now(c, &st);
    tcp_failed(tt, &st, err);
    return;
  }
  tcp_stamp_now(c, &st);
  if (connect(fd, (struct sockaddr *)&tt->addr.ss, tt->addr.len) == 0) {
    /* Possible on loopback: the handshake is already done. */
    tcp_connected(tt, &st, fd, api->now_mono_ns(c->h));
    close(fd);
    return;
  }
  err = errno;
  if (err == EINPROGRESS) {
    a = calloc(1, sizeof(*a));
    err = ENOMEM;
  }
  if (!a) {
    close(fd);
    tcp_failed(tt, &st, err);
    return;
  }
  a->tt = tt;
  a->fd = fd;
  a->sent = st;
  a->next = c->attempts;
  if (c->attempts)
    c->attempts->prev = a;
  c->attempts = a;
  a->watch = api->watch_start(c->h, fd, BN_WATCH_WRITE, tcp_on_writable, a);
  a->timer = api->timer_start(c->h, c->cfg.timeout_ns, 0, tcp_on_timeout, a);
  if (!a->watch || !a->timer) {
    tcp_attempt_free(a);
    tcp_failed(tt, &st, ENOMEM);
  }
}

static void tcp_on_tick(bn_timer *t, void *arg)
{
  tcp_send(arg);
}

/* ---------------------------------------------------------------- */
/* Plugin callbacks                                                  */
/* ---------------------------------------------------------------- */

/* Stop timers and resolutions; drop attempts in flight unreported. */
static void tcp_cancel_all(tcp_ctx *c)
{
  size_t i;

  for (i = 0; i < c->n_targets; i++) {
    c->h->api->timer_free(c->targets[i].tick);
    c->targets[i].tick = NULL;
    plug_addr_cancel(&c->targets[i].addr);
  }
  while (c->attempts)
    tcp_attempt_free(c->attempts);
}

static int tcp_start(void *ctx)
{
  tcp_ctx *c = ctx;
  const bn_host_api *api = c->h->api;
  size_t i;

  for (i = 0; i < c->n_targets; i++) {
    tcp_target *tt = &c->targets[i];
    /* Spread the first probes over the first interval. */
    int64_t first = c->cfg.interval_ns * (int64_t)i / (int64_t)c->n_targets;

    /* Names start resolving now: by the target's first slot the
     * address is likely known. */
    plug_addr_start(&tt->addr);
    tt->tick =
        api->timer_start(c->h, first, c->cfg.interval_ns, tcp_on_tick, tt);
    if (!tt->tick) {
      bn_error(c->h, "cannot start a timer for target '%s'", tt->t->name);
      tcp_cancel_all(c);
      return BN_ENOMEM;
    }
  }
  return 0;
}

static void tcp_stop(void *ctx)
{
  tcp_cancel_all(ctx);
}

static void tcp_destroy(void *ctx)
{
  tcp_ctx *c = ctx;

  if (!c)
    return;
  tcp_cancel_all(c);
  free(c->targets);
  free(c);
}

/* Every target needs a port: its own, or the probe's `port`.  Reports
 * each one that has none (no side effects: check() runs it too). */
static int tcp_check_ports(bn_host *h, int port)
{
  const bn_target *ts;
  size_t i, n = 0;
  int rc = 0;

  ts = h->api->targets(h, &n);
  for (i = 0; i < n; i++) {
    int p = port ? port : ts[i].port;

    if (p <= 0 || p > 65535)
      rc = h->api->cfg_error(h, ts[i].node,
                             "target '%s' has no port: give it one, or set "
                             "'port' on the probe",
                             ts[i].name);
  }
  return rc;
}

/* check(): the options and the targets' ports, without side effects. */
static int tcp_check(bn_host *h)
{
  tcp_config cfg = {0};
  int rc;

  rc = h->api->cfg_fill(h, &cfg);
  if (rc == 0)
    rc = tcp_check_ports(h, cfg.port);
  return rc;
}

static int tcp_init(bn_host *h, void **out)
{
  const bn_target *ts;
  tcp_ctx *c;
  size_t i, n = 0;
  int rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = h->api->cfg_fill(h, &c->cfg);
  if (rc == 0)
    rc = tcp_check_ports(h, c->cfg.port);
  if (rc < 0)
    goto fail;
  ts = h->api->targets(h, &n);
  c->targets = calloc(n ? n : 1, sizeof(*c->targets));
  if (!c->targets) {
    rc = BN_ENOMEM;
    goto fail;
  }
  c->n_targets = n;
  for (i = 0; i < n; i++) {
    tcp_target *tt = &c->targets[i];

    tt->ctx = c;
    tt->t = &ts[i];
    tt->port = c->cfg.port ? c->cfg.port : ts[i].port;
    plug_addr_init(&tt->addr, h, &ts[i], SOCK_STREAM, tt->port, tcp_addr_ready,
                   tt);
    plug_addr_on_failure(&tt->addr, tcp_addr_failed);
  }
  *out = c;
  return 0;

fail:
  tcp_destroy(c);
  return rc;
}

static const bn_probe_ops tcp_ops = {
    .struct_size = sizeof(bn_probe_ops),
    .start = tcp_start,
    .stop = tcp_stop,
};

BN_PLUGIN(.name = "tcp", .version = "1.0", .kind = BN_KIND_PROBE,
          .summary = "TCP connect latency", .options = tcp_options,
          .metrics = tcp_metrics, .init = tcp_init, .destroy = tcp_destroy,
          .ops = &tcp_ops, .check = tcp_check);
