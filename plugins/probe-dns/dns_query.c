/*
 * dns_query.c - one query of the `dns` probe: sent with ares_query(),
 * answered with the raw reply, whose header gives the rcode and the
 * answer count.  Samples: "query_ms", "rcode", "answers" (docs/metrics.md,
 * docs/probe-dns.md).  An answer whose rcode is not the expected one
 * (NXDOMAIN, SERVFAIL, REFUSED...) is a failed query: query_ms LOST |
 * ERROR, the rcode and answers still stored.
 */
#include "dns.h"
#include "dns_reply.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DNS_HEADER_LEN 12
#define DNS_CLASS_IN   1

/* Times taken when a query is sent. */
typedef struct dns_stamp {
  int64_t mono_ns;
  int64_t wall_ns;
  uint64_t epoch;
} dns_stamp;

/* One query in flight; freed by its callback, which c-ares always calls
 * (with ARES_ECANCELLED or ARES_EDESTRUCTION at the latest). */
typedef struct dns_query {
  dns_resolver *r;
  dns_stamp sent;
} dns_query;

static void dns_emit(dns_resolver *r, const dns_stamp *sent,
                     const char *metric, double value, uint32_t flags)
{
  bn_host *h = r->ctx->h;
  bn_sample s = {BN_INIT(bn_sample),       .target = r->t->name,
                 .metric = metric,         .wall_ns = sent->wall_ns,
                 .mono_ns = sent->mono_ns, .flags = flags};

  s.value = (flags & BN_SAMPLE_LOST) ? BN_NOT_MEASURED : value;
  h->api->emit_sample(h, &s);
}

/* An answer came: its time, rcode and answer count. */
static void dns_answered(dns_resolver *r, const dns_stamp *sent,
                         int64_t now_ns, const dns_reply *rep)
{
  bn_host *h = r->ctx->h;
  const dns_config *cfg = &r->ctx->cfg;
  int rcode = rep->rcode;
  int answers = rep->answers;
  uint32_t flags = 0;
  char b1[16], b2[16];
  const char *got = dns_rcode_name(rcode, b1, sizeof(b1));
  double ms = (double)(now_ns - sent->mono_ns) / 1e6;

  /* A suspend or a clock step while in flight makes the time worthless;
   * the rcode and the answers are still what the resolver said. */
  if (h->api->clock_epoch(h) != sent->epoch)
    flags |= BN_SAMPLE_INVALID;
  /* the query failed for the name asked: a failed probe, not an answer */
  if (rcode != cfg->expect_rcode)
    flags |= BN_SAMPLE_LOST | BN_SAMPLE_ERROR;
  dns_emit(r, sent, "query_ms", ms, flags);
  dns_emit(r, sent, "rcode", rcode, 0);
  dns_emit(r, sent, "answers", answers, 0);
  if (rcode == cfg->expect_rcode)
    return;
  if (!(r->warned_rcodes & (1u << rcode)))
    bn_warn(h,
            "target '%s': %s for %s from %s (expected %s); counted as a "
            "failed query",
            r->t->name, got, cfg->qname, r->server,
            dns_rcode_name(cfg->expect_rcode, b2, sizeof(b2)));
  else
    bn_debug(h, "target '%s': %s for %s from %s after %.3f ms", r->t->name,
             got, cfg->qname, r->server, ms);
  r->warned_rcodes |= 1u << rcode;
}

/* c-ares reports every failure to send as ARES_ECONNREFUSED: tell a
 * network or host that cannot be reached (no route: offline) from a
 * port nobody listens on, by asking the kernel for a route the way a
 * UDP connect() does (it sends nothing). */
static const char *dns_send_error(const dns_resolver *r)
{
  struct addrinfo hints, *ai = NULL;
  const char *port = strrchr(r->server, ':');
  int fd, e = 0;

  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_DGRAM;
  if (!port || getaddrinfo(r->t->host, port + 1, &hints, &ai) != 0)
    return "connection refused";
  fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
    e = errno;
  if (fd >= 0)
    close(fd);
  freeaddrinfo(ai);
  switch (e) {
  case ENETUNREACH:
    return "network unreachable (no route: offline?)";
  case EHOSTUNREACH:
    return "host unreachable";
  case EADDRNOTAVAIL:
    return "no local address for it";
  default:
    return "connection refused";
  }
}

/* No answer: lost, and flagged ERROR unless it merely timed out. */
static void dns_failed(dns_resolver *r, const dns_stamp *sent, int status)
{
  bn_host *h = r->ctx->h;
  const char *why;
  unsigned bit;

  if (status == ARES_ETIMEOUT) {
    bn_debug(h, "target '%s': no answer from %s within the timeout",
             r->t->name, r->server);
    dns_emit(r, sent, "query_ms", BN_NOT_MEASURED, BN_SAMPLE_LOST);
    return;
  }
  /* c-ares says "Could not contact DNS servers": be precise. */
  why =
      status == ARES_ECONNREFUSED ? dns_send_error(r) : ares_strerror(status);
  bit = !strcmp(why, "connection refused") ? DNS_WARN_REFUSED : DNS_WARN_ERROR;
  bn_debug(h, "target '%s': query to %s failed: %s", r->t->name, r->server,
           why);
  if (!(r->warned & bit) && bit == DNS_WARN_REFUSED)
    bn_warn(h, "target '%s': %s refused the query; counted as lost",
            r->t->name, r->server);
  else if (!(r->warned & bit))
    bn_warn(h, "target '%s': query to %s failed: %s; counted as lost",
            r->t->name, r->server, why);
  r->warned |= bit;
  dns_emit(r, sent, "query_ms", BN_NOT_MEASURED,
           BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
}

static void dns_on_answer(void *arg, int status, int timeouts,
                          unsigned char *abuf, int alen)
{
  dns_query *q = arg;
  dns_resolver *r = q->r;
  dns_stamp sent = q->sent;
  int64_t now = r->ctx->h->api->now_mono_ns(r->ctx->h);

  free(q);
  /* stop() or destroy(): neither answered nor lost. */
  if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION)
    return;
  /* ares_query turns rcodes into statuses (NXDOMAIN: ARES_ENOTFOUND),
   * but hands over the reply: read the rcode from it. */
  if (abuf && alen >= DNS_HEADER_LEN) {
    dns_reply rep;
    char why[160];

    if (dns_reply_parse(abuf, (size_t)alen, &rep, why, sizeof(why)) == 0) {
      dns_answered(r, &sent, now, &rep);
      return;
    }
    /* A reply that does not parse is an error, not an answer. */
    if (!(r->warned & DNS_WARN_MALFORMED))
      bn_warn(r->ctx->h,
              "target '%s': malformed reply from %s (%s); counted as lost",
              r->t->name, r->server, why);
    r->warned |= DNS_WARN_MALFORMED;
    dns_emit(r, &sent, "query_ms", BN_NOT_MEASURED,
             BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
    return;
  }
  dns_failed(r, &sent, status);
}

void dns_query_send(dns_resolver *r)
{
  const bn_host_api *api = r->ctx->h->api;
  dns_query *q = calloc(1, sizeof(*q));

  if (!q) {
    dns_stamp st = {api->now_mono_ns(r->ctx->h), api->now_wall_ns(r->ctx->h),
                    api->clock_epoch(r->ctx->h)};

    dns_failed(r, &st, ARES_ENOMEM);
    return;
  }
  q->r = r;
  q->sent.wall_ns = api->now_wall_ns(r->ctx->h);
  q->sent.epoch = api->clock_epoch(r->ctx->h);
  /* Last, so that the time covers as little of our own work as can be. */
  q->sent.mono_ns = api->now_mono_ns(r->ctx->h);
  /* May call dns_on_answer before it returns (a socket that failed). */
  ares_query(r->channel, r->ctx->cfg.qname, DNS_CLASS_IN, r->ctx->cfg.type,
             dns_on_answer, q);
  dns_channel_rearm(r);
}
