/*
 * dns.c - the `dns` probe: how long a resolver takes to answer a query.
 *
 * A target is a resolver (host = its address, port 53 unless given).
 * Every interval the probe asks each resolver for one name and records
 * "query_ms", the rcode and the number of answers; no answer within the
 * timeout is lost, a refused query or an answer with an rcode other than
 * expect_rcode is lost with BN_SAMPLE_ERROR.  Each
 * resolver has its own c-ares channel, with exactly that server and no
 * search domains, driven by the host's loop (dns_loop.c).  See
 * docs/probe-dns.md.
 */
#include "dns.h"

#include <stdlib.h>

#define DNS_OPT(m) BN_FIELD(dns_config, m)

static const bn_option dns_options[] = {
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "10s",
     .help = "time between queries to a resolver",
     .min = 0.1,
     .max = 86400,
     DNS_OPT(interval_ns)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "2s",
     .help = "how long an answer may take before the query counts as lost",
     .min = 0.001,
     .max = 60,
     DNS_OPT(timeout_ns)},
    {.name = "query",
     .type = BN_OPT_STRING,
     .def = ".",
     .help = "name to ask for (an address for type PTR); \".\" is the root",
     DNS_OPT(query)},
    {.name = "type",
     .type = BN_OPT_STRING,
     .def = "A",
     .help = "record type: A, AAAA, MX, TXT, NS, SOA, CNAME or PTR",
     DNS_OPT(type_name)},
    {.name = "tcp",
     .type = BN_OPT_BOOL,
     .def = "false",
     .help = "ask over TCP instead of UDP",
     DNS_OPT(tcp)},
    {.name = "expect_rcode",
     .type = BN_OPT_STRING,
     .def = "NOERROR",
     .help = "the rcode of a successful query; any other (NXDOMAIN, "
             "REFUSED...) is a failed query",
     DNS_OPT(rcode_name)},
    BN_OPTIONS_END};

static const bn_metric dns_metrics[] = {
    {.name = "query_ms",
     .unit = "ms",
     .role = BN_ROLE_LATENCY,
     .agg = BN_AGG_DISTRIBUTION,
     .flags = BN_METRIC_PRIMARY,
     .help = "time from the query to its answer (lost: no answer)"},
    {.name = "rcode",
     .unit = "1",
     .role = BN_ROLE_STATUS,
     .agg = BN_AGG_LAST,
     .help = "response code of the answer (0 NOERROR, 3 NXDOMAIN...)"},
    {.name = "answers",
     .unit = "1",
     .role = BN_ROLE_COUNT,
     .agg = BN_AGG_MEAN,
     .help = "records in the answer section"},
    BN_METRICS_END};

/* Every problem of the options and targets, reported with cfg_error. */
static int dns_check(bn_host *h)
{
  const bn_target *ts;
  char server[DNS_SERVER_MAX];
  dns_config cfg;
  size_t i, n = 0;
  int rc = dns_config_read(h, &cfg);

  ts = h->api->targets(h, &n);
  for (i = 0; i < n; i++)
    if (dns_config_target(h, &ts[i], server, sizeof(server)) < 0)
      rc = BN_EINVAL;
  return rc;
}

static void dns_on_tick(bn_timer *t, void *arg)
{
  dns_query_send(arg);
}

/* Stop the interval timers and drop queries in flight unreported. */
static void dns_cancel_all(dns_ctx *c)
{
  size_t i;

  for (i = 0; i < c->n_resolvers; i++) {
    c->h->api->timer_free(c->resolvers[i].tick);
    c->resolvers[i].tick = NULL;
    dns_channel_cancel(&c->resolvers[i]);
  }
}

static int dns_start(void *ctx)
{
  dns_ctx *c = ctx;
  size_t i;

  for (i = 0; i < c->n_resolvers; i++) {
    dns_resolver *r = &c->resolvers[i];
    /* Spread the first queries over the first interval. */
    int64_t first = c->cfg.interval_ns * (int64_t)i / (int64_t)c->n_resolvers;

    r->tick = c->h->api->timer_start(c->h, first, c->cfg.interval_ns,
                                     dns_on_tick, r);
    if (!r->tick) {
      bn_error(c->h, "cannot start a timer for target '%s'", r->t->name);
      dns_cancel_all(c);
      return BN_ENOMEM;
    }
  }
  return 0;
}

static void dns_stop(void *ctx)
{
  dns_cancel_all(ctx);
}

static void dns_destroy(void *ctx)
{
  dns_ctx *c = ctx;
  size_t i;

  if (!c)
    return;
  for (i = 0; i < c->n_resolvers; i++) {
    c->h->api->timer_free(c->resolvers[i].tick);
    dns_channel_close(&c->resolvers[i]);
  }
  if (c->library)
    ares_library_cleanup();
  free(c->resolvers);
  free(c);
}

static int dns_init(bn_host *h, void **out)
{
  const bn_target *ts;
  dns_ctx *c;
  size_t i, n = 0;
  int rc;

  /* The host may not have called check(): the same checks again. */
  rc = dns_check(h);
  if (rc < 0)
    return rc;
  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  dns_config_read(h, &c->cfg);
  ts = h->api->targets(h, &n);
  c->resolvers = calloc(n ? n : 1, sizeof(*c->resolvers));
  if (!c->resolvers) {
    rc = BN_ENOMEM;
    goto fail;
  }
  /* Counted by c-ares: every instance inits and cleans up once. */
  rc = ares_library_init(ARES_LIB_INIT_ALL);
  if (rc != ARES_SUCCESS) {
    bn_error(h, "cannot initialise c-ares: %s", ares_strerror(rc));
    rc = BN_ERR;
    goto fail;
  }
  c->library = 1;
  c->n_resolvers = n;
  for (i = 0; i < n; i++) {
    c->resolvers[i].ctx = c;
    c->resolvers[i].t = &ts[i];
    dns_config_target(h, &ts[i], c->resolvers[i].server,
                      sizeof(c->resolvers[i].server));
  }
  for (i = 0; i < n && rc == 0; i++)
    rc = dns_channel_open(&c->resolvers[i]);
  if (rc < 0)
    goto fail;
  *out = c;
  return 0;

fail:
  dns_destroy(c);
  return rc;
}

static const bn_probe_ops dns_ops = {
    .struct_size = sizeof(bn_probe_ops),
    .start = dns_start,
    .stop = dns_stop,
};

BN_PLUGIN(.name = "dns", .version = "1.0", .kind = BN_KIND_PROBE,
          .summary = "DNS query time, rcode and answers of resolvers",
          .options = dns_options, .metrics = dns_metrics, .init = dns_init,
          .destroy = dns_destroy, .ops = &dns_ops, .check = dns_check);
