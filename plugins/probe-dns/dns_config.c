/*
 * dns_config.c - the `dns` probe's options and targets, read and checked
 * the same way by check() (profile validate) and init(): every problem
 * is reported with cfg_error, so that it names the file, line and column.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define DNS_MIN_INTERVAL_NS INT64_C(100000000) /* 100 ms */
#define DNS_MAX_TIMEOUT_NS  INT64_C(60000000000)
#define DNS_PTR_TYPE        12

static int dns_read_times(bn_host *h, const bn_node *n, dns_config *cfg)
{
  const bn_host_api *api = h->api;
  int rc = api->cfg_duration(h, n, "interval", &cfg->interval_ns);

  if (rc == 0 && cfg->interval_ns < DNS_MIN_INTERVAL_NS)
    rc = api->cfg_error(h, api->cfg_get(n, "interval"),
                        "interval must be at least 100ms");
  if (api->cfg_duration(h, n, "timeout", &cfg->timeout_ns) < 0)
    rc = BN_EINVAL;
  else if (cfg->timeout_ns < 1000000 || cfg->timeout_ns > DNS_MAX_TIMEOUT_NS)
    rc = api->cfg_error(h, api->cfg_get(n, "timeout"),
                        "timeout must be between 1ms and 60s");
  return rc;
}

static int dns_read_type(bn_host *h, const bn_node *n, dns_config *cfg)
{
  const bn_host_api *api = h->api;
  const char *s = NULL;
  int rc = api->cfg_string(h, n, "type", &s);

  if (rc < 0)
    return rc;
  cfg->type = dns_type_parse(s);
  if (cfg->type < 0)
    return api->cfg_error(h, api->cfg_get(n, "type"),
                          "unknown record type '%s': use one of %s", s,
                          dns_type_list());
  return 0;
}

static int dns_read_rcode(bn_host *h, const bn_node *n, dns_config *cfg)
{
  const bn_host_api *api = h->api;
  const char *s = NULL;
  int rc = api->cfg_string(h, n, "expect_rcode", &s);

  if (rc < 0)
    return rc;
  cfg->expect_rcode = dns_rcode_parse(s);
  if (cfg->expect_rcode < 0)
    return api->cfg_error(h, api->cfg_get(n, "expect_rcode"),
                          "unknown rcode '%s': use one of %s", s,
                          dns_rcode_list());
  return 0;
}

/* After dns_read_type: a PTR query may be given as an address. */
static int dns_read_query(bn_host *h, const bn_node *n, dns_config *cfg)
{
  const bn_host_api *api = h->api;
  const char *s = NULL;
  char why[128];
  int rc = api->cfg_string(h, n, "query", &s);

  if (rc < 0)
    return rc;
  if (cfg->type == DNS_PTR_TYPE &&
      dns_ptr_name(s, cfg->qname, sizeof(cfg->qname)) == 0)
    return 0;
  if (dns_name_check(s, why, sizeof(why)) < 0)
    return api->cfg_error(h, api->cfg_get(n, "query"),
                          "bad query name '%s': %s", s, why);
  /* dns_name_check allows at most 253 characters and a dot. */
  snprintf(cfg->qname, sizeof(cfg->qname), "%s", s);
  return 0;
}

int dns_config_read(bn_host *h, dns_config *cfg)
{
  const bn_node *n = h->api->config(h);
  int rc = 0;

  memset(cfg, 0, sizeof(*cfg));
  /* Go on after an error, so that every problem is reported at once. */
  if (dns_read_times(h, n, cfg) < 0)
    rc = BN_EINVAL;
  if (dns_read_type(h, n, cfg) < 0)
    rc = BN_EINVAL;
  if (dns_read_rcode(h, n, cfg) < 0)
    rc = BN_EINVAL;
  if (dns_read_query(h, n, cfg) < 0)
    rc = BN_EINVAL;
  if (h->api->cfg_bool(h, n, "tcp", &cfg->tcp) < 0)
    rc = BN_EINVAL;
  return rc;
}

int dns_config_target(bn_host *h, const bn_target *t, char *server, size_t len)
{
  int port = t->port > 0 ? t->port : 53;
  struct in6_addr a6;
  struct in_addr a4;

  /* c-ares takes servers by address only; a resolver has no name. */
  if (inet_pton(AF_INET, t->host, &a4) == 1)
    snprintf(server, len, "%s:%d", t->host, port);
  else if (inet_pton(AF_INET6, t->host, &a6) == 1)
    snprintf(server, len, "[%s]:%d", t->host, port);
  else
    return h->api->cfg_error(h, t->node,
                             "target '%s': '%s' is not an IP address; a "
                             "resolver must be given by its address",
                             t->name, t->host);
  return 0;
}
