/*
 * udpecho.c - an example probe: the round-trip time of UDP datagrams
 * bounced off an echo responder (RFC 862, or anything that sends a
 * datagram back unchanged), built out of tree against the installed SDK:
 *
 *     make && make install
 *
 * Every `interval` it sends one datagram to each target and emits one
 * "udp_echo_rtt_ms" sample: the round-trip time, or a lost sample when
 * no echo came back within `timeout`.  The host has never heard of this
 * metric name; the descriptor declares it as a latency, and that is all
 * reports, anomaly detectors and exporters need to use it.
 *
 * What it shows of the SDK:
 *  - the descriptor with named fields (BN_PLUGIN), a metric table, an
 *    option table whose entries name the field the host fills (BN_FIELD,
 *    cfg_fill), including a SIZE option;
 *  - a check() callback for what the option table cannot say;
 *  - the loop: a repeating timer, an fd watch per target, a one-shot
 *    timer per datagram in flight, and the asynchronous resolver;
 *  - honest samples: times taken when the datagram left and when the
 *    loop saw the answer, NaN for "not measured", LOST, LATE, DUP and
 *    INVALID (a clock jump or suspend while the datagram was out).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <bottleneck/sdk.h>

/* Datagrams in flight per target: a slot is reused every 64 sends. */
#define UDPECHO_SLOTS 64
/* The first bytes of every datagram: a magic number and the sequence. */
#define UDPECHO_MAGIC  0x424e5545u /* "BNUE" */
#define UDPECHO_HEADER 8

/* The options, filled by the host (cfg_fill) from the table below. */
typedef struct udpecho_config {
  int64_t interval_ns; /* time between two datagrams to a target */
  int64_t timeout_ns;  /* after this a datagram counts as lost */
  int64_t port;        /* 0: each target's own port */
  uint64_t payload;    /* bytes per datagram */
} udpecho_config;

static const bn_option udpecho_options[] = {
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "time between two datagrams to a target",
     .min = 0.01,
     .max = 3600,
     BN_FIELD(udpecho_config, interval_ns)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "how long to wait for an echo before it counts as lost",
     .min = 0.001,
     .max = 60,
     BN_FIELD(udpecho_config, timeout_ns)},
    {.name = "port",
     .type = BN_OPT_INT,
     .def = "0",
     .help = "UDP port of the echo responder; 0 uses each target's port",
     .min = 0,
     .max = 65535,
     BN_FIELD(udpecho_config, port)},
    {.name = "payload",
     .type = BN_OPT_SIZE,
     .def = "64",
     .help = "bytes per datagram (8 to 1472: one unfragmented datagram)",
     .min = UDPECHO_HEADER,
     .max = 1472,
     BN_FIELD(udpecho_config, payload)},
    BN_OPTIONS_END,
};

static const bn_metric udpecho_metrics[] = {
    {.name = "udp_echo_rtt_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .flags = BN_METRIC_PRIMARY,
     .help = "round-trip time of one UDP datagram to the echo responder"},
    BN_METRICS_END,
};

/* Where a slot is in its life. */
enum udpecho_state { SLOT_FREE, SLOT_OUT, SLOT_EXPIRED, SLOT_ANSWERED };

struct udpecho_target;

/* One datagram sent: when, and under which clock epoch. */
typedef struct udpecho_slot {
  struct udpecho_target *tt;
  enum udpecho_state state;
  uint32_t seq;
  int64_t sent_mono;
  int64_t sent_wall;
  uint64_t epoch;
  bn_timer *timeout; /* running while SLOT_OUT */
} udpecho_slot;

typedef struct udpecho_target {
  struct udpecho_ctx *ctx;
  const bn_target *t;
  int fd;              /* connected UDP socket, or -1 */
  bn_watch *watch;     /* readability of fd */
  bn_resolve *resolve; /* resolution in flight, or NULL */
  int warned;          /* a resolution failure was logged */
  uint32_t next_seq;
  udpecho_slot slots[UDPECHO_SLOTS];
} udpecho_target;

typedef struct udpecho_ctx {
  bn_host *h;
  udpecho_config cfg;
  udpecho_target *targets;
  size_t n_targets;
  bn_timer *tick;
  unsigned char *buf; /* cfg.payload bytes, for sending and receiving */
} udpecho_ctx;

/* Emit one sample for `s` with `value` (NaN: not measured). */
static void udpecho_emit(udpecho_slot *s, double value, uint32_t flags)
{
  udpecho_ctx *c = s->tt->ctx;
  bn_sample smp = {
      BN_INIT(bn_sample),
      .target = s->tt->t->name,
      .metric = "udp_echo_rtt_ms",
      .value = value,
      .wall_ns = s->sent_wall,
      .mono_ns = s->sent_mono,
      .flags = flags,
  };

  if (c->h->api->clock_epoch(c->h) != s->epoch)
    smp.flags |= BN_SAMPLE_INVALID;
  if (c->h->api->emit_sample(c->h, &smp) < 0)
    bn_warn(c->h, "target '%s': cannot emit a sample", s->tt->t->name);
}

/* A datagram that failed locally: an ERROR sample stamped now. */
static void udpecho_emit_error(udpecho_target *tt, const char *why)
{
  udpecho_ctx *c = tt->ctx;
  udpecho_slot s = {
      .tt = tt,
      .sent_mono = c->h->api->now_mono_ns(c->h),
      .sent_wall = c->h->api->now_wall_ns(c->h),
      .epoch = c->h->api->clock_epoch(c->h),
  };

  bn_debug(c->h, "target '%s': %s", tt->t->name, why);
  udpecho_emit(&s, BN_NOT_MEASURED, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
}

/* The timeout of a datagram in flight: it is lost. */
static void udpecho_on_timeout(bn_timer *t, void *arg)
{
  udpecho_slot *s = arg;

  s->tt->ctx->h->api->timer_free(t);
  s->timeout = NULL;
  s->state = SLOT_EXPIRED;
  udpecho_emit(s, BN_NOT_MEASURED, BN_SAMPLE_LOST);
}

/* One datagram came back: match it to its slot by sequence number. */
static void udpecho_answer(udpecho_target *tt, const unsigned char *p,
                           ssize_t n, int64_t now)
{
  udpecho_ctx *c = tt->ctx;
  uint32_t magic, seq;
  udpecho_slot *s;
  double rtt;

  if (n < UDPECHO_HEADER)
    return;
  memcpy(&magic, p, 4);
  memcpy(&seq, p + 4, 4);
  if (ntohl(magic) != UDPECHO_MAGIC)
    return; /* not ours */
  seq = ntohl(seq);
  s = &tt->slots[seq % UDPECHO_SLOTS];
  if (s->seq != seq || s->state == SLOT_FREE)
    return; /* older than the slots remember */
  rtt = (double)(now - s->sent_mono) / 1e6;
  switch (s->state) {
  case SLOT_OUT:
    c->h->api->timer_free(s->timeout);
    s->timeout = NULL;
    s->state = SLOT_ANSWERED;
    udpecho_emit(s, rtt, 0);
    break;
  case SLOT_EXPIRED: /* already counted as lost */
    s->state = SLOT_ANSWERED;
    udpecho_emit(s, rtt, BN_SAMPLE_LATE);
    break;
  case SLOT_ANSWERED:
    udpecho_emit(s, rtt, BN_SAMPLE_DUP);
    break;
  default:
    break;
  }
}

/* The socket is readable: take the time first, then drain it. */
static void udpecho_on_readable(bn_watch *w, int fd, int events, void *arg)
{
  udpecho_target *tt = arg;
  udpecho_ctx *c = tt->ctx;
  int64_t now = c->h->api->now_mono_ns(c->h);
  ssize_t n;

  (void)w;
  (void)events;
  for (;;) {
    n = recv(fd, c->buf, c->cfg.payload, 0);
    if (n >= 0) {
      udpecho_answer(tt, c->buf, n, now);
      continue;
    }
    if (errno == EINTR)
      continue;
    /* EAGAIN: drained.  ECONNREFUSED: an ICMP port unreachable for an
     * earlier datagram; its timeout will count it as lost. */
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED)
      bn_debug(c->h, "target '%s': recv: %s", tt->t->name, strerror(errno));
    if (errno != ECONNREFUSED)
      break;
  }
}

/* Resolution done: open a socket connected to the responder. */
static void udpecho_on_resolved(int status, const struct sockaddr *addr,
                                size_t addrlen, const char *error, void *arg)
{
  udpecho_target *tt = arg;
  udpecho_ctx *c = tt->ctx;
  struct sockaddr_storage ss;
  int port = c->cfg.port ? (int)c->cfg.port : tt->t->port;
  int fd;

  tt->resolve = NULL;
  if (status < 0 || addrlen > sizeof(ss)) {
    if (!tt->warned)
      bn_warn(c->h, "target '%s': cannot resolve '%s': %s; retrying",
              tt->t->name, tt->t->host, error ? error : "bad address");
    tt->warned = 1;
    return;
  }
  memcpy(&ss, addr, addrlen);
  if (ss.ss_family == AF_INET)
    ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
  else if (ss.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
  fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&ss, (socklen_t)addrlen) < 0) {
    bn_warn(c->h, "target '%s': cannot open a UDP socket to '%s': %s",
            tt->t->name, tt->t->host, strerror(errno));
    if (fd >= 0)
      close(fd);
    return;
  }
  tt->watch =
      c->h->api->watch_start(c->h, fd, BN_WATCH_READ, udpecho_on_readable, tt);
  if (!tt->watch) {
    close(fd);
    return;
  }
  tt->fd = fd;
  if (tt->warned)
    bn_info(c->h, "target '%s': '%s' resolved at last", tt->t->name,
            tt->t->host);
  tt->warned = 0;
}

/* Send one datagram to a target. */
static void udpecho_send(udpecho_target *tt)
{
  udpecho_ctx *c = tt->ctx;
  const bn_host_api *api = c->h->api;
  uint32_t seq = tt->next_seq++;
  udpecho_slot *s = &tt->slots[seq % UDPECHO_SLOTS];
  uint32_t word;
  ssize_t n;

  if (tt->fd < 0) {
    if (!tt->resolve)
      tt->resolve = api->resolve(c->h, tt->t->host, AF_UNSPEC, SOCK_DGRAM,
                                 udpecho_on_resolved, tt);
    udpecho_emit_error(tt, "no address yet");
    return;
  }
  if (s->state == SLOT_OUT) /* 64 intervals without a timeout: lost */
    udpecho_on_timeout(s->timeout, s);
  word = htonl(UDPECHO_MAGIC);
  memcpy(c->buf, &word, 4);
  word = htonl(seq);
  memcpy(c->buf + 4, &word, 4);
  memset(c->buf + UDPECHO_HEADER, 0xa5, c->cfg.payload - UDPECHO_HEADER);
  s->seq = seq;
  s->epoch = api->clock_epoch(c->h);
  s->sent_wall = api->now_wall_ns(c->h);
  s->sent_mono = api->now_mono_ns(c->h);
  n = send(tt->fd, c->buf, c->cfg.payload, 0);
  if (n < 0 && errno == ECONNREFUSED) /* an error left by an earlier one */
    n = send(tt->fd, c->buf, c->cfg.payload, 0);
  if (n < 0) {
    s->state = SLOT_FREE;
    udpecho_emit_error(tt, strerror(errno));
    return;
  }
  s->state = SLOT_OUT;
  s->timeout =
      api->timer_start(c->h, c->cfg.timeout_ns, 0, udpecho_on_timeout, s);
  if (!s->timeout) /* without a timer it can only be lost */
    udpecho_on_timeout(NULL, s);
}

static void udpecho_tick(bn_timer *t, void *arg)
{
  udpecho_ctx *c = arg;
  size_t i;

  (void)t;
  for (i = 0; i < c->n_targets; i++)
    udpecho_send(&c->targets[i]);
}

/* check(): what the option table cannot say.  No side effects here. */
static int udpecho_check(bn_host *h)
{
  const bn_host_api *api = h->api;
  udpecho_config cfg = {0};
  const bn_target *t;
  size_t n, i;
  int rc = 0;

  if (api->cfg_fill(h, &cfg) < 0)
    return BN_EINVAL;
  t = api->targets(h, &n);
  for (i = 0; i < n && cfg.port == 0; i++)
    if (t[i].port == 0)
      rc = api->cfg_error(h, t[i].node ? t[i].node : api->config(h),
                          "target '%s' has no port; give it a port or set "
                          "the probe's port: option",
                          t[i].name);
  return rc;
}

static int udpecho_init(bn_host *h, void **ctx)
{
  udpecho_ctx *c = calloc(1, sizeof(*c));
  int rc;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = h->api->cfg_fill(h, &c->cfg);
  if (rc < 0) {
    free(c);
    return rc;
  }
  c->buf = malloc(c->cfg.payload);
  if (!c->buf) {
    free(c);
    return BN_ENOMEM;
  }
  *ctx = c;
  return 0;
}

/* Release a target's loop resources; pending datagrams become lost when
 * `emit` is set. */
static void udpecho_target_close(udpecho_target *tt, int emit)
{
  const bn_host_api *api = tt->ctx->h->api;
  size_t i;

  for (i = 0; i < UDPECHO_SLOTS; i++) {
    udpecho_slot *s = &tt->slots[i];

    if (s->state == SLOT_OUT && emit)
      udpecho_on_timeout(s->timeout, s);
    api->timer_free(s->timeout);
    s->timeout = NULL;
    s->state = SLOT_FREE;
  }
  api->resolve_cancel(tt->resolve);
  tt->resolve = NULL;
  api->watch_free(tt->watch);
  tt->watch = NULL;
  if (tt->fd >= 0)
    close(tt->fd);
  tt->fd = -1;
}

static void udpecho_stop(void *ctx)
{
  udpecho_ctx *c = ctx;
  size_t i;

  c->h->api->timer_free(c->tick);
  c->tick = NULL;
  for (i = 0; i < c->n_targets; i++)
    udpecho_target_close(&c->targets[i], 1);
}

static void udpecho_destroy(void *ctx)
{
  udpecho_ctx *c = ctx;
  size_t i;

  c->h->api->timer_free(c->tick);
  for (i = 0; i < c->n_targets; i++)
    udpecho_target_close(&c->targets[i], 0);
  free(c->targets);
  free(c->buf);
  free(c);
}

static int udpecho_start(void *ctx)
{
  udpecho_ctx *c = ctx;
  const bn_target *t = c->h->api->targets(c->h, &c->n_targets);
  size_t i;

  c->targets = calloc(c->n_targets ? c->n_targets : 1, sizeof(*c->targets));
  if (!c->targets)
    return BN_ENOMEM;
  for (i = 0; i < c->n_targets; i++) {
    udpecho_target *tt = &c->targets[i];
    size_t k;

    tt->ctx = c;
    tt->t = &t[i];
    tt->fd = -1;
    for (k = 0; k < UDPECHO_SLOTS; k++)
      tt->slots[k].tt = tt;
    tt->resolve = c->h->api->resolve(c->h, t[i].host, AF_UNSPEC, SOCK_DGRAM,
                                     udpecho_on_resolved, tt);
  }
  /* The first datagrams leave one interval from now, by then the
   * addresses (literals at once, names usually) are known. */
  c->tick = c->h->api->timer_start(c->h, c->cfg.interval_ns,
                                   c->cfg.interval_ns, udpecho_tick, c);
  if (!c->tick) {
    bn_error(c->h, "cannot start a timer");
    return BN_ERR;
  }
  bn_info(c->h, "%zu targets, a %llu-byte datagram every %.3f s", c->n_targets,
          (unsigned long long)c->cfg.payload,
          (double)c->cfg.interval_ns / 1e9);
  return 0;
}

static const bn_probe_ops udpecho_ops = {
    BN_INIT(bn_probe_ops),
    .start = udpecho_start,
    .stop = udpecho_stop,
};

BN_PLUGIN(.name = "udpecho", .version = "1.0", .kind = BN_KIND_PROBE,
          .summary = "example: round-trip time to a UDP echo responder",
          .options = udpecho_options, .metrics = udpecho_metrics,
          .init = udpecho_init, .destroy = udpecho_destroy,
          .check = udpecho_check, .ops = &udpecho_ops);
