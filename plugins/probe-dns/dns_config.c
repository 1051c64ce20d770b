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

#define DNS_PTR_TYPE 12

static int dns_read_type(bn_host *h, const bn_node *n, dns_config *cfg)
{
  const bn_host_api *api = h->api;

  cfg->type = dns_type_parse(cfg->type_name);
  if (cfg->type < 0)
    return api->cfg_error(h, api->cfg_get(n, "type"),
                          "unknown record type '%s': use one of %s",
                          cfg->type_name, dns_type_list());
  return 0;
}

static int dns_read_rcode(bn_host *h, const bn_node *n, dns_config *cfg)
{
  const bn_host_api *api = h->api;

  cfg->expect_rcode = dns_rcode_parse(cfg->rcode_name);
  if (cfg->expect_rcode < 0)
    return api->cfg_error(h, api->cfg_get(n, "expect_rcode"),
                          "unknown rcode '%s': use one of %s", cfg->rcode_name,
                          dns_rcode_list());
  return 0;
}

/* After dns_read_type: a PTR query may be given as an address. */
static int dns_read_query(bn_host *h, const bn_node *n, dns_config *cfg)
{
  const bn_host_api *api = h->api;
  const char *s = cfg->query;
  char why[128];

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
  cfg->query = ".";
  cfg->type_name = "A";
  cfg->rcode_name = "NOERROR";
  /* Go on after an error, so that every problem is reported at once. */
  if (h->api->cfg_fill(h, cfg) < 0)
    rc = BN_EINVAL;
  if (dns_read_type(h, n, cfg) < 0)
    rc = BN_EINVAL;
  if (dns_read_rcode(h, n, cfg) < 0)
    rc = BN_EINVAL;
  if (dns_read_query(h, n, cfg) < 0)
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
