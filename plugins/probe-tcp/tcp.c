/*
 * tcp.c - the `tcp` probe: TCP connect latency to each target.
 *
 * Every interval, for every target, a non-blocking socket connects to
 * host:port on the core loop; the time from connect() to the socket
 * becoming writable (the SYN, SYN-ACK round trip) is "rtt_ms".  A probe
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

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
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
  TCP_WARN_RESOLVE = 1u << 3,
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
  int resolved;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  bn_timer *tick;
  bn_resolve *resolving; /* name resolution in flight, or NULL */
  int waiting;           /* a probe fell due while resolving */
  unsigned warned;       /* tcp_warn bits */
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

typedef struct tcp_ctx {
  bn_host *h;
  int64_t interval_ns;
  int64_t timeout_ns;
  int64_t port;
  tcp_target *targets;
  size_t n_targets;
  tcp_attempt *attempts;
} tcp_ctx;

static const bn_option tcp_options[] = {
    {"interval", BN_OPT_DURATION, "1s", "time between probes of a target",
     0.01, 3600, 0},
    {"timeout", BN_OPT_DURATION, "1s",
     "how long a connection attempt may take before it counts as lost", 0.001,
     60, 0},
    {"port", BN_OPT_INT, "0",
     "TCP port to connect to; 0 uses each target's own port", 0, 65535, 0},
    BN_OPTIONS_END};

/* ---------------------------------------------------------------- */
/* Addresses                                                         */
/* ---------------------------------------------------------------- */

static void tcp_set_port(tcp_target *tt)
{
  if (tt->addr.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&tt->addr)->sin6_port = htons(tt->port);
  else
    ((struct sockaddr_in *)&tt->addr)->sin_port = htons(tt->port);
}

/* Address literals need no resolver: 0, or BN_ENOENT for a name. */
static int tcp_parse_literal(tcp_target *tt)
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
  tcp_set_port(tt);
  tt->resolved = 1;
  return 0;
}

static void tcp_send(tcp_target *tt);
static void tcp_stamp_now(tcp_ctx *c, tcp_stamp *st);
static void tcp_emit(tcp_target *tt, const tcp_stamp *sent, double value,
                     uint32_t flags);

/* A failed resolution: warned once per target (and stored as an event,
 * so reports say why the target has no answers), then at debug level;
 * a probe that fell due meanwhile is a failed probe (LOST | ERROR), so
 * the target stays in the summary.  The next probe tries again. */
static void tcp_resolve_failed(tcp_target *tt, const char *why, int due)
{
  bn_host *h = tt->ctx->h;

  if (due) {
    tcp_stamp st;

    tcp_stamp_now(tt->ctx, &st);
    tcp_emit(tt, &st, NAN, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  }
  if (!(tt->warned & TCP_WARN_RESOLVE)) {
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
  tt->warned |= TCP_WARN_RESOLVE;
}

static void tcp_on_resolved(int status, const struct sockaddr *addr,
                            size_t addrlen, const char *error, void *arg)
{
  tcp_target *tt = arg;
  int waiting = tt->waiting;

  tt->resolving = NULL;
  tt->waiting = 0;
  if (status < 0 || addrlen > sizeof(tt->addr)) {
    tcp_resolve_failed(tt, status < 0 ? error : "no usable address", waiting);
    return;
  }
  memset(&tt->addr, 0, sizeof(tt->addr));
  memcpy(&tt->addr, addr, addrlen);
  tt->addrlen = (socklen_t)addrlen;
  tcp_set_port(tt);
  tt->resolved = 1;
  if (tt->warned & TCP_WARN_RESOLVE)
    bn_info(tt->ctx->h, "target '%s': '%s' resolved at last", tt->t->name,
            tt->t->host);
  /* The probe that fell due meanwhile goes now, not an interval late. */
  if (waiting && tt->tick)
    tcp_send(tt);
}

/* Start resolving the target's name unless that is already under way. */
static void tcp_resolve_start(tcp_target *tt)
{
  bn_host *h = tt->ctx->h;

  if (tt->resolving)
    return;
  tt->resolving = h->api->resolve(h, tt->t->host, AF_UNSPEC, SOCK_STREAM,
                                  tcp_on_resolved, tt);
  if (!tt->resolving)
    tcp_resolve_failed(tt, "cannot start the resolver", tt->waiting);
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
  bn_sample s;

  /* A suspend or a clock step while in flight makes the RTT worthless. */
  if (h->api->clock_epoch(h) != sent->epoch)
    flags |= BN_SAMPLE_INVALID;
  memset(&s, 0, sizeof(s));
  s.target = tt->t->name;
  s.metric = TCP_METRIC;
  s.value = (flags & BN_SAMPLE_LOST) ? NAN : value;
  s.wall_ns = sent->wall_ns;
  s.mono_ns = sent->mono_ns;
  s.flags = flags;
  h->api->emit_sample(h, &s);
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
  tcp_emit(tt, sent, NAN, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
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
  tcp_attempt_free(a);
  if (err == 0)
    tcp_emit(tt, &sent, (double)(now - sent.mono_ns) / 1e6, 0);
  else if (err == ETIMEDOUT)
    tcp_emit(tt, &sent, NAN, BN_SAMPLE_LOST);
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
  tcp_emit(tt, &sent, NAN, BN_SAMPLE_LOST);
}

/* Connect once; the result arrives through the watch or the timer. */
static void tcp_send(tcp_target *tt)
{
  tcp_ctx *c = tt->ctx;
  const bn_host_api *api = c->h->api;
  tcp_attempt *a = NULL;
  tcp_stamp st;
  int fd, err;

  if (!tt->resolved) {
    tt->waiting = 1;
    tcp_resolve_start(tt);
    return;
  }
  fd = socket(tt->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
              IPPROTO_TCP);
  if (fd < 0) {
    err = errno;
    tcp_stamp_now(c, &st);
    tcp_failed(tt, &st, err);
    return;
  }
  tcp_stamp_now(c, &st);
  if (connect(fd, (struct sockaddr *)&tt->addr, tt->addrlen) == 0) {
    /* Possible on loopback: the handshake is already done. */
    int64_t now = api->now_mono_ns(c->h);

    close(fd);
    tcp_emit(tt, &st, (double)(now - st.mono_ns) / 1e6, 0);
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
  a->timer = api->timer_start(c->h, c->timeout_ns, 0, tcp_on_timeout, a);
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
    c->h->api->resolve_cancel(c->targets[i].resolving);
    c->targets[i].resolving = NULL;
    c->targets[i].waiting = 0;
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
    int64_t first = c->interval_ns * (int64_t)i / (int64_t)c->n_targets;

    /* Names start resolving now: by the target's first slot the
     * address is likely known. */
    if (!tt->resolved)
      tcp_resolve_start(tt);
    tt->tick = api->timer_start(c->h, first, c->interval_ns, tcp_on_tick, tt);
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

static int tcp_read_options(tcp_ctx *c)
{
  bn_host *h = c->h;
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  int rc;

  rc = api->cfg_duration(h, cfg, "interval", &c->interval_ns);
  if (rc == 0 && c->interval_ns <= 0)
    rc = api->cfg_error(h, api->cfg_get(cfg, "interval"),
                        "interval must be positive");
  if (rc == 0)
    rc = api->cfg_duration(h, cfg, "timeout", &c->timeout_ns);
  if (rc == 0 && c->timeout_ns <= 0)
    rc = api->cfg_error(h, api->cfg_get(cfg, "timeout"),
                        "timeout must be positive");
  if (rc == 0)
    rc = api->cfg_int(h, cfg, "port", &c->port);
  if (rc == 0 && (c->port < 0 || c->port > 65535))
    rc = api->cfg_error(h, api->cfg_get(cfg, "port"),
                        "port must be between 0 and 65535");
  return rc;
}

/* Every target needs a port: its own, or the probe's `port`.  Reports
 * each one that has none (no side effects: check() runs it too). */
static int tcp_check_ports(bn_host *h, int64_t port)
{
  const bn_target *ts;
  size_t i, n = 0;
  int rc = 0;

  ts = h->api->targets(h, &n);
  for (i = 0; i < n; i++) {
    int p = port ? (int)port : ts[i].port;

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
  tcp_ctx c;
  int rc;

  memset(&c, 0, sizeof(c));
  c.h = h;
  rc = tcp_read_options(&c);
  if (rc == 0)
    rc = tcp_check_ports(h, c.port);
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
  rc = tcp_read_options(c);
  if (rc == 0)
    rc = tcp_check_ports(h, c->port);
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
    tt->port = c->port ? (int)c->port : ts[i].port;
    tcp_parse_literal(tt);
  }
  *out = c;
  return 0;

fail:
  tcp_destroy(c);
  return rc;
}

static const bn_probe_ops tcp_ops = {
    sizeof(bn_probe_ops),
    tcp_start,
    tcp_stop,
};

BN_PLUGIN_DEFINE_CHECKED("tcp", "1.0", BN_KIND_PROBE, "TCP connect latency",
                         tcp_options, tcp_init, tcp_destroy, &tcp_ops,
                         tcp_check);
