/*
 * trace_plugin.c - the `traceroute` probe: options, rounds, sockets and
 * what is emitted (see trace.h for the method).
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trace.h"

static const char *const trace_mode_name[] = {"udp", "icmp", "tcp"};

/* Options are filled into the context itself (cfg_fill). */
#define TRACE_OPT(m) BN_FIELD(trace_ctx, m)

static const bn_option trace_options[] = {
    {.name = "mode",
     .type = BN_OPT_STRING,
     .def = "udp",
     .help = "probe method: udp (no privilege), icmp or tcp (raw sockets)",
     TRACE_OPT(mode_name)},
    {.name = "max_ttl",
     .type = BN_OPT_INT,
     .def = "30",
     .help = "give up after this many hops",
     .min = 1,
     .max = TRACE_MAX_TTL,
     TRACE_OPT(max_ttl)},
    {.name = "count",
     .type = BN_OPT_INT,
     .def = "3",
     .help = "probes per hop and round",
     .min = 1,
     .max = TRACE_MAX_COUNT,
     TRACE_OPT(count)},
    {.name = "flows",
     .type = BN_OPT_INT,
     .def = "1",
     .help = "flow identifiers per round (several: find load-balanced "
             "paths)",
     .min = 1,
     .max = TRACE_MAX_FLOWS,
     TRACE_OPT(flows)},
    {.name = "port",
     .type = BN_OPT_INT,
     .def = "0",
     .help = "destination port; 0: 33434 for udp (closed at the target), 80 "
             "for tcp",
     .min = 0,
     .max = 65535,
     TRACE_OPT(port)},
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "60s",
     .help = "time between rounds",
     .min = 0.1,
     .max = 86400,
     TRACE_OPT(interval)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "2s",
     .help = "wait for answers after the last probe",
     .min = 0.01,
     .max = 60,
     TRACE_OPT(timeout)},
    {.name = "spacing",
     .type = BN_OPT_DURATION,
     .def = "50ms",
     .help = "time between a round's bursts",
     .min = 0,
     .max = 10,
     TRACE_OPT(spacing)},
    {.name = "rtt_shift",
     .type = BN_OPT_DOUBLE,
     .def = "0",
     .help = "a hop's mean RTT moving more (ms) is a path change; 0: off",
     .min = 0,
     .max = 1e6,
     TRACE_OPT(rtt_shift)},
    BN_OPTIONS_END,
};

static const bn_metric trace_metrics[] = {
    {.name = "path_hops",
     .unit = "1",
     .role = BN_ROLE_COUNT,
     .agg = BN_AGG_LAST,
     .help = "hops of the first flow's path in a round"},
    {.name = "path_rtt_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .flags = BN_METRIC_PRIMARY,
     .help = "mean RTT of the target's hop (lost: target not reached)"},
    BN_METRICS_END};

int64_t trace_now(trace_ctx *c)
{
  return c->h->api->now_mono_ns(c->h);
}

/* ---- receiving -------------------------------------------------------- */

ssize_t trace_recv_err(int fd, struct msghdr *msg, struct iovec *iov,
                       void *ctrl, size_t ctrllen)
{
  memset(msg, 0, sizeof(*msg));
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_control = ctrl;
  msg->msg_controllen = ctrllen;
  return recvmsg(fd, msg, MSG_ERRQUEUE | MSG_DONTWAIT);
}

static void trace_addr_text(const struct sockaddr_storage *ss, char *buf,
                            size_t len)
{
  if (ss->ss_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
              (socklen_t)len);
  else
    inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf,
              (socklen_t)len);
}

void trace_got(trace_flow *f, const trace_reply *r, int64_t now)
{
  trace_ctx *c = f->tg->c;
  uint32_t flow = r->probe / (TRACE_MAX_TTL * TRACE_MAX_COUNT);
  uint32_t ttl = r->probe / TRACE_MAX_COUNT % TRACE_MAX_TTL + 1;
  uint32_t k = r->probe % TRACE_MAX_COUNT;
  char addr[64];
  double ms;

  if (r->round != c->round || !c->in_round) {
    c->late++;
    return;
  }
  if (flow >= (uint32_t)c->flows || &f->tg->flows[flow] != f ||
      ttl > (uint32_t)c->max_ttl || k >= (uint32_t)c->count ||
      !f->sent_at[ttl][k]) {
    c->bad++; /* a quote that names a probe this socket never sent */
    return;
  }
  if (f->got[ttl][k])
    return; /* a duplicate is not a second answer */
  f->got[ttl][k] = 1;
  ms = (double)(now - f->sent_at[ttl][k]) / 1e6;
  if (ms > c->worst_ms)
    c->worst_ms = ms;
  trace_addr_text(&r->from, addr, sizeof(addr));
  trace_hop_add(&f->hops[ttl], addr, ms);
  /* ICMP errors come out of the answering host's ICMP budget; echo
   * replies and TCP answers do not */
  if (r->kind != TRACE_REACHED || c->mode == TRACE_UDP)
    f->rl[ttl] =
        (int16_t)trace_rl_find(c->rl, TRACE_RL_MAX, &c->n_rl, addr, c->round);
  else
    f->rl[ttl] = -1;
  if (r->kind == TRACE_REACHED && (!f->reached || (int)ttl < f->reached))
    f->reached = (int)ttl;
  if (r->kind == TRACE_UNREACH && (!f->unreach || (int)ttl < f->unreach))
    f->unreach = (int)ttl;
}

static void trace_on_err(bn_watch *w, int fd, int events, void *arg)
{
  trace_flow *f = arg;
  unsigned char data[512], ctrl[512];

  for (;;) {
    struct iovec iov = {data, sizeof(data)};
    struct msghdr msg;
    trace_reply r;
    ssize_t n;

    n = trace_recv_err(fd, &msg, &iov, ctrl, sizeof(ctrl));
    if (n < 0) {
      /* a datagram back (an open port answered): drain it */
      while (recv(fd, data, sizeof(data), MSG_DONTWAIT) >= 0)
        ;
      return;
    }
    if (trace_parse(&msg, (size_t)n, &r) == TRACE_NONE)
      f->tg->c->bad++;
    else
      trace_got(f, &r, trace_now(f->tg->c));
  }
}

/* ---- sockets ---------------------------------------------------------- */

int trace_flow_socket(trace_tgt *tg, trace_flow *f, int proto,
                      const struct sockaddr_storage *dst, bn_watch_fn fn)
{
  int on = 1, fd, v6 = tg->dst.ss_family == AF_INET6;

  fd = socket(tg->dst.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
              proto);
  if (fd < 0)
    return -errno;
  /* ICMP errors on the error queue; the kernel matches them to us by
   * the quoted addresses and ports (or echo identifier). */
  if ((v6 ? setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof(on))
          : setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof(on))) != 0 ||
      connect(fd, (const struct sockaddr *)dst, tg->dlen) != 0) {
    int e = errno;

    close(fd);
    return -e;
  }
  f->fd = fd;
  f->tg = tg;
  f->w = tg->c->h->api->watch_start(tg->c->h, fd, BN_WATCH_READ, fn, f);
  return f->w ? 0 : -ENOMEM;
}

void trace_flow_send(trace_ctx *c, trace_flow *f, int fd, int ttl, int k,
                     const struct msghdr *msg)
{
  int tries;

  f->hops[ttl].sent++;
  f->sent_at[ttl][k] = trace_now(c);
  /* A connected datagram socket reports an earlier ICMP error (the
   * target's port unreachable...) on the next send, which then sends
   * nothing: that error is already on the error queue, so send again. */
  for (tries = 0; fd >= 0 && tries < 4; tries++) {
    if (sendmsg(fd, msg, 0) >= 0)
      return;
    if (errno != ECONNREFUSED && errno != EHOSTUNREACH &&
        errno != ENETUNREACH && errno != EINTR)
      break;
  }
  bn_debug(c->h, "%s: send ttl %d: %s", f->tg->t->name, ttl,
           fd < 0 ? "no socket" : strerror(errno));
}

static void trace_resolved(int status, const struct sockaddr *addr,
                           size_t addrlen, const char *error, void *arg)
{
  trace_tgt *tg = arg;
  trace_ctx *c = tg->c;
  int64_t i;
  int rc = 0;

  tg->res = NULL;
  if (status != 0) {
    if (!tg->warned++)
      bn_warn(c->h, "%s: %s; retrying each round", tg->t->name, error);
    return;
  }
  memcpy(&tg->dst, addr, addrlen);
  tg->dlen = (socklen_t)addrlen;
  if (tg->dst.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&tg->dst)->sin6_port = htons((uint16_t)c->port);
  else
    ((struct sockaddr_in *)&tg->dst)->sin_port = htons((uint16_t)c->port);
  if (c->mode == TRACE_UDP)
    for (i = 0; i < c->flows && rc == 0; i++)
      rc = trace_flow_socket(tg, &tg->flows[i], 0, &tg->dst, trace_on_err);
  else
    rc = trace_raw_target(tg);
  if (rc != 0) {
    bn_error(c->h, "%s: cannot open a %s socket: %s", tg->t->name,
             trace_mode_name[c->mode], strerror(-rc));
    return;
  }
  tg->ready = 1;
}

/* ---- sending ---------------------------------------------------------- */

static void trace_send(trace_ctx *c, trace_flow *f, int fi, int ttl, int k)
{
  unsigned char buf[TRACE_PAYLOAD];
  trace_ttl_ctrl ctrl;
  struct iovec iov = {buf, sizeof(buf)};
  struct msghdr msg;
  int v6 = f->tg->dst.ss_family == AF_INET6;
  uint32_t probe =
      ((uint32_t)fi * TRACE_MAX_TTL + (uint32_t)(ttl - 1)) * TRACE_MAX_COUNT +
      (uint32_t)k;

  trace_payload(buf, c->round, probe);
  memset(&msg, 0, sizeof(msg));
  trace_msg_ttl(&msg, &iov, &ctrl, v6, ttl);
  trace_flow_send(c, f, f->fd, ttl, k, &msg);
}

static void trace_burst(bn_timer *t, void *arg);
static void trace_finish(bn_timer *t, void *arg);

/*
 * The highest ttl worth a probe in this burst.  Every probe past the
 * target's distance makes the target answer "port unreachable", and
 * targets rate-limit those (the kernel: 6 at once, then one a second
 * per source): once a burst has found the target, later bursts stop
 * there, and a round starts at the last round's distance rather than at
 * max_ttl.  A longer path shows as a router answering there, and the
 * next burst goes on to max_ttl; a shorter one as the target answering
 * sooner.
 */
static int64_t trace_top(const trace_ctx *c, const trace_flow *f)
{
  int64_t top = c->max_ttl;

  if (f->reached)
    top = f->reached;
  else if (c->k == 0 && f->last_reached)
    top = f->last_reached;
  return top < c->max_ttl ? top : c->max_ttl;
}

/*
 * How long the round waits after its last burst: `timeout` at most, but
 * no longer than 10 times its slowest answer so far (100 ms at least),
 * as traceroute(8)'s -w NEAR does: an answer later than that is lost.
 */
static int64_t trace_wait(const trace_ctx *c)
{
  int64_t wait = (int64_t)(c->worst_ms * 10 * 1e6);

  if (c->worst_ms <= 0)
    return c->timeout;
  if (wait < 100000000)
    wait = 100000000;
  return wait < c->timeout ? wait : c->timeout;
}

static void trace_send_burst(trace_ctx *c)
{
  size_t i;
  int64_t fi, ttl;

  for (i = 0; i < c->n; i++) {
    if (!c->tg[i].ready)
      continue;
    for (fi = 0; fi < c->flows; fi++) {
      trace_flow *f = &c->tg[i].flows[fi];
      int64_t top = trace_top(c, f);

      for (ttl = 1; ttl <= top; ttl++)
        if (c->mode == TRACE_UDP)
          trace_send(c, f, (int)fi, (int)ttl, (int)c->k);
        else
          trace_raw_send(c, f, (int)fi, (int)ttl, (int)c->k);
    }
  }
  c->k++;
  if (c->k < c->count) {
    c->burst = c->h->api->timer_start(c->h, c->spacing, 0, trace_burst, c);
  } else {
    c->last_burst = trace_now(c);
    c->finish =
        c->h->api->timer_start(c->h, trace_wait(c), 0, trace_finish, c);
  }
}

static void trace_burst(bn_timer *t, void *arg)
{
  trace_ctx *c = arg;

  c->h->api->timer_free(c->burst);
  c->burst = NULL;
  trace_send_burst(c);
}

static void trace_tick(bn_timer *t, void *arg)
{
  trace_ctx *c = arg;
  size_t i;
  int64_t fi;

  if (c->in_round)
    return; /* the last round is still waiting for answers */
  for (i = 0; i < c->n; i++) {
    trace_tgt *tg = &c->tg[i];

    if (!tg->ready && !tg->res)
      tg->res = c->h->api->resolve(c->h, tg->t->host, AF_UNSPEC, SOCK_DGRAM,
                                   trace_resolved, tg);
    for (fi = 0; fi < c->flows; fi++) {
      trace_flow *f = &tg->flows[fi];

      memset(f->hops, 0, sizeof(f->hops));
      memset(f->sent_at, 0, sizeof(f->sent_at));
      memset(f->got, 0, sizeof(f->got));
      f->last_reached = f->reached;
      f->reached = f->unreach = 0;
    }
  }
  c->round++;
  c->in_round = 1;
  c->k = 0;
  c->worst_ms = 0;
  c->round_wall = c->h->api->now_wall_ns(c->h);
  c->round_mono = trace_now(c);
  trace_send_burst(c);
}

/* ---- the end of a round ---------------------------------------------- */

/* One flow's path: hops up to the target, a router's unreachable, or
 * the last hop that answered (plus one silent line) at max ttl. */
static void trace_path(trace_ctx *c, trace_flow *f, int fi, bn_hop *hops,
                       bn_path *p)
{
  int end, ttl, last = 0;

  *p = (bn_path){BN_INIT(bn_path)};
  for (ttl = 1; ttl <= c->max_ttl; ttl++)
    if (f->hops[ttl].received)
      last = ttl;
  if (f->reached) {
    end = f->reached;
    p->status = BN_PATH_REACHED;
  } else if (f->unreach) {
    end = f->unreach;
    p->status = BN_PATH_UNREACHABLE;
  } else {
    end = last < c->max_ttl ? last + 1 : last;
    p->status = BN_PATH_MAX_TTL;
  }
  for (ttl = 1; ttl <= end; ttl++) {
    bn_hop *h = &hops[ttl - 1];

    trace_hop_out(&f->hops[ttl], ttl, h);
    /* every probe over its budget: the hop is the one that answered
     * before (its address kept), not a silent one */
    if (!h->addr && !h->sent && f->hops[ttl].over && f->rl[ttl] >= 0)
      h->addr = c->rl[f->rl[ttl]].addr;
  }
  p->flow_id = (uint32_t)fi;
  p->hops = hops;
  p->n_hops = (size_t)end;
}

static void trace_emit(trace_ctx *c, trace_tgt *tg)
{
  static const char *const status[] = {"reached", "max ttl", "unreachable",
                                       "error"};
  bn_hop hops[TRACE_MAX_FLOWS][TRACE_MAX_TTL];
  bn_path paths[TRACE_MAX_FLOWS];
  bn_path_set ps = {BN_INIT(bn_path_set),
                    .target = tg->t->name,
                    .mode = trace_mode_name[c->mode],
                    .paths = paths,
                    .n_paths = (size_t)c->flows,
                    .rtt_shift_ms = c->rtt_shift,
                    .wall_ns = c->round_wall};
  bn_sample s = {BN_INIT(bn_sample), .target = tg->t->name,
                 .wall_ns = c->round_wall};
  int64_t fi;

  for (fi = 0; fi < c->flows; fi++)
    trace_path(c, &tg->flows[fi], (int)fi, hops[fi], &paths[fi]);
  c->h->api->emit_paths(c->h, &ps);
  bn_debug(c->h, "%s: %zu hops, %s", tg->t->name, paths[0].n_hops,
           status[paths[0].status]);
  /* samples of the first flow, so that ordinary reports show it */
  s.metric = "path_hops";
  s.value = (double)paths[0].n_hops;
  c->h->api->emit_sample(c->h, &s);
  s.metric = "path_rtt_ms";
  if (paths[0].status == BN_PATH_REACHED && paths[0].n_hops)
    s.value = paths[0].hops[paths[0].n_hops - 1].avg_ms;
  else {
    s.value = BN_NOT_MEASURED;
    s.flags = BN_SAMPLE_LOST;
  }
  c->h->api->emit_sample(c->h, &s);
}

/* Who answers probe ttl of flow f with an ICMP error (-1: nobody known,
 * or answers that no ICMP budget limits). */
static int trace_answerer(const trace_ctx *c, const trace_flow *f, int ttl)
{
  if (f->reached && ttl >= f->reached)
    return c->mode == TRACE_UDP ? f->rl[f->reached] : -1;
  return f->rl[ttl];
}

/* The round's probes toward known answering hosts, replayed against
 * their ICMP budgets: those over it are left out of the loss. */
static void trace_budget(trace_ctx *c)
{
  trace_rl_ev *ev;
  size_t i, n = 0, cap = 0;
  int64_t fi, ttl, k;

  for (i = 0; i < c->n; i++)
    if (c->tg[i].ready)
      cap += (size_t)(c->flows * c->max_ttl * c->count);
  ev = cap ? calloc(cap, sizeof(*ev)) : NULL;
  if (!ev)
    return;
  for (i = 0; i < c->n; i++) {
    if (!c->tg[i].ready)
      continue;
    for (fi = 0; fi < c->flows; fi++) {
      trace_flow *f = &c->tg[i].flows[fi];

      for (ttl = 1; ttl <= c->max_ttl; ttl++) {
        int a = trace_answerer(c, f, (int)ttl);

        for (k = 0; k < c->count && a >= 0; k++) {
          if (!f->sent_at[ttl][k])
            continue;
          ev[n].t = f->sent_at[ttl][k];
          ev[n].rl = a;
          ev[n].got = f->got[ttl][k];
          ev[n].hop = &f->hops[ttl];
          n++;
        }
      }
    }
  }
  trace_rl_fit(c->rl, c->n_rl, ev, n);
  free(ev);
  for (i = 0; i < c->n_rl; i++)
    if (c->rl[i].chosen >= 0 && c->rl[i].stamp == c->round)
      bn_debug(c->h,
               "%s rate-limits its ICMP errors: answered %u of %u probes "
               "(budget: %d at once, then one per %.0f ms)",
               c->rl[i].addr, (unsigned)c->rl[i].answered,
               (unsigned)c->rl[i].probes, TRACE_RL_BURST,
               (double)trace_rl_cost_ns(c->rl[i].chosen) / 1e6);
}

static void trace_finish(bn_timer *t, void *arg)
{
  trace_ctx *c = arg;
  int64_t left = trace_wait(c) - (trace_now(c) - c->last_burst);
  size_t i;

  c->h->api->timer_free(c->finish);
  c->finish = NULL;
  if (left > 1000000) { /* a slower answer came: wait for its peers */
    c->finish = c->h->api->timer_start(c->h, left, 0, trace_finish, c);
    return;
  }
  c->in_round = 0;
  trace_budget(c);
  for (i = 0; i < c->n; i++)
    if (c->tg[i].ready)
      trace_emit(c, &c->tg[i]);
  bn_debug(c->h, "round %u took %.1f ms", (unsigned)c->round,
           (double)(trace_now(c) - c->round_mono) / 1e6);
  if (c->bad)
    bn_debug(c->h,
             "%llu answers dropped (not ours, truncated or forged), "
             "%llu late",
             (unsigned long long)c->bad, (unsigned long long)c->late);
}

/* ---- the plugin ------------------------------------------------------- */

/* The mode by name, or -1. */
static int trace_mode_of(const char *name)
{
  int i;

  for (i = 0; i < 3; i++)
    if (!strcmp(name, trace_mode_name[i]))
      return i;
  return -1;
}

/* The options into c (cfg_fill), the mode checked; no side effects. */
static int trace_read_opts(bn_host *h, trace_ctx *c)
{
  const bn_host_api *api = h->api;
  int rc, mode;

  c->mode_name = "udp";
  rc = api->cfg_fill(h, c);
  if (rc < 0)
    return rc;
  mode = trace_mode_of(c->mode_name);
  if (mode < 0)
    return api->cfg_error(h, api->cfg_get(api->config(h), "mode"),
                          "unknown mode '%s'; use udp, icmp or tcp",
                          c->mode_name);
  c->mode = (trace_mode)mode;
  return 0;
}

static int trace_check(bn_host *h)
{
  trace_ctx *c = calloc(1, sizeof(*c));
  int rc;

  if (!c)
    return BN_ENOMEM;
  rc = trace_read_opts(h, c);
  free(c);
  return rc;
}

static void trace_close(trace_ctx *c)
{
  size_t i;
  int fi;

  c->h->api->timer_free(c->tick);
  c->h->api->timer_free(c->burst);
  c->h->api->timer_free(c->finish);
  c->tick = c->burst = c->finish = NULL;
  for (i = 0; i < c->n; i++) {
    c->h->api->resolve_cancel(c->tg[i].res);
    c->tg[i].res = NULL;
    for (fi = 0; fi < TRACE_MAX_FLOWS; fi++) {
      trace_flow *f = &c->tg[i].flows[fi];

      c->h->api->watch_free(f->w);
      f->w = NULL;
      if (f->fd > 0)
        close(f->fd);
      f->fd = -1;
    }
    c->tg[i].ready = 0;
  }
  trace_raw_close(c);
}

static void trace_destroy(void *ctx)
{
  trace_ctx *c = ctx;

  if (!c)
    return;
  trace_close(c);
  free(c->tg);
  free(c);
}

static int trace_init(bn_host *h, void **out)
{
  const bn_host_api *api = h->api;
  const bn_target *t;
  trace_ctx *c;
  size_t i;
  int fi, rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = trace_read_opts(h, c);
  if (rc < 0) {
    free(c);
    return rc;
  }
  if (c->port == 0)
    c->port = c->mode == TRACE_TCP ? 80 : 33434;
  /* raw modes: flow keys (TCP source ports, echo ids) that differ from
   * one process to the next, clear of the usual ephemeral ports' start */
  c->key_base = (uint16_t)(61000 + (getpid() % 256) * TRACE_MAX_FLOWS);
  c->icmp[0].fd = c->icmp[1].fd = -1;
  t = api->targets(h, &c->n);
  c->tg = calloc(c->n ? c->n : 1, sizeof(*c->tg));
  if (!c->tg) {
    free(c);
    return BN_ENOMEM;
  }
  for (i = 0; i < c->n; i++) {
    c->tg[i].c = c;
    c->tg[i].t = &t[i];
    c->tg[i].tcp.fd = -1;
    for (fi = 0; fi < TRACE_MAX_FLOWS; fi++) {
      c->tg[i].flows[fi].fd = -1;
      c->tg[i].flows[fi].tg = &c->tg[i];
      memset(c->tg[i].flows[fi].rl, 0xff, sizeof(c->tg[i].flows[fi].rl));
    }
  }
  *out = c;
  return 0;
}

static void trace_first(bn_timer *t, void *arg)
{
  trace_tick(t, arg);
}

static int trace_start(void *ctx)
{
  trace_ctx *c = ctx;
  size_t i;
  int rc;

  if (c->mode != TRACE_UDP && (rc = trace_raw_start(c)) != BN_OK)
    return rc;
  /* resolve first, trace once the addresses are known */
  for (i = 0; i < c->n; i++)
    c->tg[i].res = c->h->api->resolve(c->h, c->tg[i].t->host, AF_UNSPEC,
                                      SOCK_DGRAM, trace_resolved, &c->tg[i]);
  c->tick =
      c->h->api->timer_start(c->h, 50000000, c->interval, trace_first, c);
  return c->tick ? 0 : BN_ERR;
}

static void trace_stop(void *ctx)
{
  trace_close(ctx);
}

static const bn_probe_ops trace_ops = {
    .struct_size = sizeof(bn_probe_ops),
    .start = trace_start,
    .stop = trace_stop,
};

/* icmp and tcp modes need an ICMP socket (raw, or a ping socket for
 * icmp); udp mode needs nothing, so selftest only warns. */
BN_PLUGIN(.name = "traceroute", .version = "1.1", .kind = BN_KIND_PROBE,
          .summary = "Paris-style traceroute (UDP, ICMP, TCP SYN), all TTLs "
                     "at once, mtr-style hop statistics and path history",
          .options = trace_options, .metrics = trace_metrics,
          .init = trace_init, .destroy = trace_destroy, .ops = &trace_ops,
          .check = trace_check, .needs = BN_NEED_ICMP_SOCKET);
