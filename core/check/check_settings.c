/*
 * check_settings.c - the `checks:` section of a profile (pure: kept
 * apart from the checks themselves so that profile tests need no
 * sockets or store).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#include "check.h"
#include "options.h"

const bn_option check_settings_options[] = {
    {.name = "enabled",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "run the checks before `run`"},
    {.name = "resolvers",
     .type = BN_OPT_LIST,
     .help = "resolver addresses to ask for the reference name"},
    {.name = "reference_name",
     .type = BN_OPT_STRING,
     .def = "example.com",
     .help = "a name every resolver should know"},
    {.name = "mtu",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "measure the path MTU to each target"},
    {.name = "gateway",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "find the default gateways and check that they answer"},
    {.name = "nic",
     .type = BN_OPT_BOOL,
     .def = "false",
     .help = "check the tuning of network interfaces (offloads, rings, "
             "coalescing, channels, IRQs, RPS/XPS, drops)"},
    {.name = "nic_interfaces",
     .type = BN_OPT_LIST,
     .help = "interfaces for the nic check (default: every one that is up "
             "but loopback)"},
    {.name = "max_targets",
     .type = BN_OPT_INT,
     .def = "32",
     .help = "check at most this many targets (the first ones)",
     .min = 1,
     .max = 1000000},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "wait for each probe or query",
     .min = 0.01,
     .max = 30},
    BN_OPTIONS_END,
};

int check_resolver_addr(const char *s, struct sockaddr_storage *ss,
                        socklen_t *len)
{
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  char host[64];
  const char *port = NULL, *end;
  long p = 53;
  size_t n;

  memset(ss, 0, sizeof(*ss));
  if (s[0] == '[') { /* [v6]:port */
    end = strchr(s, ']');
    if (!end || (end[1] && end[1] != ':'))
      return -1;
    n = (size_t)(end - s - 1);
    port = end[1] ? end + 2 : NULL;
    s++;
  } else {
    end = strchr(s, ':');
    /* one colon: v4:port; more: a bare v6 address */
    if (end && !strchr(end + 1, ':')) {
      n = (size_t)(end - s);
      port = end + 1;
    } else {
      n = strlen(s);
    }
  }
  if (n >= sizeof(host))
    return -1;
  memcpy(host, s, n);
  host[n] = '\0';
  if (port) {
    char *stop;

    p = strtol(port, &stop, 10);
    if (*port == '\0' || *stop || p < 1 || p > 65535)
      return -1;
  }
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)p);
    *len = sizeof(*a4);
    return 0;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)p);
    *len = sizeof(*a6);
    return 0;
  }
  return -1;
}

/* Resolvers are asked by address: a name would need a resolver itself. */
static int check_settings_resolvers(const bn_node *list)
{
  struct sockaddr_storage ss;
  socklen_t len;
  char where[300];
  size_t i;
  int rc = 0;

  for (i = 0; list && i < list->n_items; i++) {
    const char *s = conf_scalar(list->items[i]);

    if (s && check_resolver_addr(s, &ss, &len) == 0)
      continue;
    log_error(NULL,
              "%s: section 'checks': resolver '%s' is not an address; write "
              "e.g. 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53",
              conf_where(list->items[i], where, sizeof(where)), s ? s : "?");
    rc = BN_EINVAL;
  }
  return rc;
}

int check_settings_read(bn_node *map, check_settings *out)
{
  const char *s;
  int64_t t = 1000000000;

  memset(out, 0, sizeof(*out));
  out->enabled = 1;
  out->mtu = 1;
  out->gateway = 1;
  out->max_targets = 32;
  out->reference = "example.com";
  out->timeout_ns = t;
  if (!map)
    return 0;
  if (options_validate(check_settings_options, map, NULL, "@checks") != 0)
    return BN_EINVAL;
  conf_parse_bool(conf_scalar(conf_get(map, "enabled")), &out->enabled);
  conf_parse_bool(conf_scalar(conf_get(map, "mtu")), &out->mtu);
  conf_parse_bool(conf_scalar(conf_get(map, "gateway")), &out->gateway);
  conf_parse_bool(conf_scalar(conf_get(map, "nic")), &out->nic);
  out->nic_ifaces = conf_get(map, "nic_interfaces");
  s = conf_scalar(conf_get(map, "reference_name"));
  if (s)
    out->reference = s;
  if (conf_parse_int(conf_scalar(conf_get(map, "max_targets")), &t) == 0)
    out->max_targets = (size_t)t;
  t = 1000000000;
  if (conf_parse_duration(conf_scalar(conf_get(map, "timeout")), &t) == 0)
    out->timeout_ns = t;
  out->resolvers = conf_get(map, "resolvers");
  return check_settings_resolvers(out->resolvers);
}
