/*
 * icmp_probe.c - sending one echo request and turning what comes back
 * (replies, ICMP errors, timeouts) into samples and round results.
 */
#include "icmp.h"

#include <errno.h>
#include <math.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <string.h>

/* ---------------------------------------------------------------- */
/* Sending                                                           */
/* ---------------------------------------------------------------- */

static icmp_sock *icmp_sock_for(icmp_ctx *c, const icmp_target *tt)
{
  return tt->addr.ss.ss_family == AF_INET6 ? &c->sock6 : &c->sock4;
}

/* Report one probe as lost (timeout, error or failed send). */
static void icmp_probe_lost(icmp_ctx *c, icmp_slot *s, uint32_t flags)
{
  icmp_target *tt = &c->targets[s->target];

  /* A suspend while in flight: no verdict on the path. */
  if (c->h->api->clock_epoch(c->h) != s->epoch)
    flags |= BN_SAMPLE_INVALID;
  icmp_emit(c, tt, ICMP_METRIC_RTT, BN_NOT_MEASURED, s->tx_wall_ns,
            s->tx_mono_ns, BN_SAMPLE_LOST | flags);
  icmp_round_result(c, s->round, BN_NOT_MEASURED, BN_SAMPLE_LOST | flags);
}

static void icmp_send_failed(icmp_ctx *c, icmp_target *tt, icmp_slot *s,
                             int err)
{
  bn_host *h = c->h;

  bn_debug(h, "target '%s': sending to %s failed: %s", tt->t->name,
           tt->t->host, strerror(err));
  if (err == EAFNOSUPPORT && !(tt->warned & ICMP_WARN_FAMILY)) {
    bn_warn(h,
            "target '%s': no %s ICMP socket could be opened; counted as "
            "lost",
            tt->t->name, tt->addr.ss.ss_family == AF_INET6 ? "IPv6" : "IPv4");
    tt->warned |= ICMP_WARN_FAMILY;
  } else if (err != EAFNOSUPPORT && !(tt->warned & ICMP_WARN_SEND)) {
    bn_warn(h, "target '%s': sending to %s failed: %s; counted as lost",
            tt->t->name, tt->t->host, strerror(err));
    tt->warned |= ICMP_WARN_SEND;
  }
  s->state = ICMP_SLOT_LOST;
  icmp_probe_lost(c, s, BN_SAMPLE_ERROR);
}

/* Take a sequence number, making room if 65535 are in flight. */
static icmp_slot *icmp_probe_slot(icmp_ctx *c, uint32_t target,
                                  int64_t deadline, uint16_t *seq,
                                  icmp_stamp *st)
{
  icmp_slot *s = icmp_table_take(&c->table, target, deadline, seq, st);
  uint16_t old;

  if (s)
    return s;
  /* A timeout so long that the sequence space runs out: the oldest
   * probe is given up early rather than its number reused. */
  if (c->n_full++ == 0)
    bn_warn(c->h, "more than 65535 probes in flight: the oldest are "
                  "counted as lost before their timeout; shorten 'timeout'");
  s = icmp_table_expire(&c->table, INT64_MAX, &old);
  if (s)
    icmp_probe_lost(c, s, 0);
  return icmp_table_take(&c->table, target, deadline, seq, st);
}

static void icmp_probe_send(icmp_ctx *c, icmp_target *tt, icmp_round *r,
                            int first)
{
  const bn_host_api *api = c->h->api;
  icmp_sock *sock = icmp_sock_for(c, tt);
  int64_t mono = api->now_mono_ns(c->h), wall = 0;
  icmp_stamp st;
  icmp_slot *s;
  uint16_t seq;
  int rc;

  s = icmp_probe_slot(c, tt->index, mono + c->o.timeout_ns, &seq, &st);
  if (!s)
    return; /* cannot happen: expire always frees one */
  s->round = r;
  s->epoch = api->clock_epoch(c->h);
  s->tx_mono_ns = mono;
  memcpy(c->txbuf + 8, &st, sizeof(st));
  if (sock->fd < 0) {
    rc = -EAFNOSUPPORT;
    wall = api->now_wall_ns(c->h);
  } else {
    rc = icmp_sock_send(sock, c->txbuf, (struct sockaddr *)&tt->addr.ss,
                        tt->addr.len, c->ident, seq, (size_t)c->o.size, &wall);
  }
  s->tx_wall_ns = wall;
  if (first) {
    r->wall_ns = wall;
    r->mono_ns = mono;
  }
  c->n_sent++;
  if (rc < 0)
    icmp_send_failed(c, tt, s, -rc);
}

void icmp_probe_step(icmp_ctx *c, icmp_target *tt, int64_t now_ns)
{
  icmp_round *r = tt->sending;
  int64_t next;
  int first = 0;

  if (!r) {
    if (!plug_addr_need(&tt->addr)) {
      /* Retried every interval while it fails; a success reschedules
       * the target at once (icmp_addr_ready). */
      tt->due_ns = now_ns + tt->interval_ns;
      return;
    }
    r = icmp_round_new(c, tt->index, (uint32_t)c->o.count);
    if (!r) {
      bn_debug(c->h, "target '%s': out of memory, round skipped", tt->t->name);
      tt->due_ns = now_ns + tt->interval_ns;
      return;
    }
    tt->round_due_ns = tt->due_ns;
    tt->sending = r;
    first = 1;
  }
  /* Decide what comes next before sending: a failed send finishes the
   * round on the spot, which may reschedule the target. */
  r->sent++;
  if (r->sent < r->count) {
    tt->due_ns = tt->round_due_ns + (int64_t)r->sent * c->o.spacing_ns;
  } else {
    tt->sending = NULL;
    next = tt->round_due_ns + tt->interval_ns;
    /* More than an interval behind (a stalled loop): skip, no burst. */
    tt->due_ns = next > now_ns ? next : now_ns + tt->interval_ns;
  }
  icmp_probe_send(c, tt, r, first);
}

/* ---------------------------------------------------------------- */
/* Receiving                                                         */
/* ---------------------------------------------------------------- */

static const char *icmp_error_name(int family, int type)
{
  if (family == AF_INET6) {
    switch (type) {
    case ICMP6_DST_UNREACH:
      return "destination unreachable";
    case ICMP6_PACKET_TOO_BIG:
      return "packet too big";
    case ICMP6_TIME_EXCEEDED:
      return "time exceeded";
    default:
      return "parameter problem";
    }
  }
  switch (type) {
  case ICMP_DEST_UNREACH:
    return "destination unreachable";
  case ICMP_TIME_EXCEEDED:
    return "time exceeded";
  default:
    return "parameter problem";
  }
}

static int icmp_same_addr(const struct sockaddr_storage *a,
                          const struct sockaddr_storage *b)
{
  if (a->ss_family != b->ss_family)
    return 0;
  if (a->ss_family == AF_INET6)
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
  return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
}

static void icmp_on_error(icmp_ctx *c, icmp_sock *sock, const icmp_packet *p)
{
  icmp_slot *s = &c->table.slots[p->seq];
  icmp_target *tt;

  /* Only a pending probe to the quoted destination can be meant. */
  if (s->state != ICMP_SLOT_PENDING)
    return;
  tt = &c->targets[s->target];
  if (!icmp_same_addr(&tt->addr.ss, &p->quoted_dst) ||
      icmp_table_match_error(&c->table, p->seq, p->payload, p->len, &s) !=
          ICMP_MATCH_REPLY) {
    c->n_foreign++;
    return;
  }
  bn_debug(c->h, "target '%s': %s (type %d code %d)", tt->t->name,
           icmp_error_name(sock->family, p->type), p->type, p->code);
  if (!(tt->warned & ICMP_WARN_UNREACH)) {
    bn_warn(c->h, "target '%s': %s: %s; counted as lost", tt->t->name,
            tt->t->host, icmp_error_name(sock->family, p->type));
    tt->warned |= ICMP_WARN_UNREACH;
  }
  icmp_probe_lost(c, s, BN_SAMPLE_ERROR);
}

static void icmp_on_packet(void *arg, icmp_sock *sock, const icmp_packet *p,
                           const struct sockaddr_storage *from,
                           int64_t rx_wall_ns, int has_ts, int64_t rx_mono_ns)
{
  icmp_ctx *c = arg;
  icmp_target *tt;
  icmp_slot *s;
  icmp_match m;
  int64_t rtt_ns = -1;
  uint32_t flags = 0;
  double rtt;

  /* Raw sockets see every echo reply of the host; ping sockets get
   * only theirs, with an identifier the kernel chose. */
  if (sock->raw && p->id != c->ident) {
    c->n_foreign++;
    return;
  }
  if (p->kind == ICMP_ERROR) {
    icmp_on_error(c, sock, p);
    return;
  }
  m = icmp_table_match(&c->table, p->seq, p->payload, p->len, &s);
  if (m == ICMP_MATCH_FOREIGN) {
    c->n_foreign++;
    return;
  }
  tt = &c->targets[s->target];
  if (has_ts)
    rtt_ns = rx_wall_ns - s->tx_wall_ns;
  /* No kernel stamp, or the wall clock went back: the host's clock. */
  if (rtt_ns < 0)
    rtt_ns = rx_mono_ns - s->tx_mono_ns;
  rtt = (double)rtt_ns / 1e6;
  if (c->h->api->clock_epoch(c->h) != s->epoch)
    flags |= BN_SAMPLE_INVALID;
  if (m == ICMP_MATCH_DUP)
    flags |= BN_SAMPLE_DUP;
  else if (m == ICMP_MATCH_LATE)
    flags |= BN_SAMPLE_LATE;
  icmp_emit(c, tt, ICMP_METRIC_RTT, rtt, s->tx_wall_ns, s->tx_mono_ns, flags);
  /* Duplicates and late answers do not count in their round. */
  if (m == ICMP_MATCH_REPLY)
    icmp_round_result(c, s->round, rtt, flags);
}

void icmp_probe_drain(icmp_ctx *c)
{
  if (c->sock4.fd >= 0)
    icmp_sock_drain(&c->sock4, &c->rx, c->h, icmp_on_packet, c);
  if (c->sock6.fd >= 0)
    icmp_sock_drain(&c->sock6, &c->rx, c->h, icmp_on_packet, c);
}

void icmp_probe_on_readable(bn_watch *w, int fd, int events, void *arg)
{
  icmp_ctx *c = arg;
  icmp_sock *s = fd == c->sock6.fd ? &c->sock6 : &c->sock4;

  icmp_sock_drain(s, &c->rx, c->h, icmp_on_packet, c);
}

size_t icmp_probe_expire(icmp_ctx *c, int64_t now_ns)
{
  icmp_slot *s;
  uint16_t seq;
  size_t n = 0;

  for (;;) {
    s = icmp_table_expire(&c->table, now_ns, &seq);
    if (!s)
      return n;
    icmp_probe_lost(c, s, 0);
    n++;
  }
}
