/*
 * resolve_retry.c - a target's address for the probes: literals at
 * once, names through the host's asynchronous resolver, retried each
 * time the probe needs the address while it fails, with one warning
 * per target (see plugin_common.h).
 */
#include "plugin_common.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static void plug_addr_set_port(plug_addr *a)
{
  if (a->port <= 0)
    return;
  if (a->ss.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)a->port);
  else
    ((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)a->port);
}

void plug_addr_init(plug_addr *a, bn_host *h, const bn_target *t, int socktype,
                    int port, plug_addr_ready_fn ready, void *arg)
{
  struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

  memset(a, 0, sizeof(*a));
  a->h = h;
  a->t = t;
  a->socktype = socktype;
  a->port = port;
  a->ready = ready;
  a->arg = arg;
  if (inet_pton(AF_INET, t->host, &sin->sin_addr) == 1) {
    sin->sin_family = AF_INET;
    a->len = sizeof(*sin);
  } else if (inet_pton(AF_INET6, t->host, &sin6->sin6_addr) == 1) {
    sin6->sin6_family = AF_INET6;
    a->len = sizeof(*sin6);
  } else {
    return;
  }
  plug_addr_set_port(a);
  a->resolved = 1;
}

void plug_addr_on_failure(plug_addr *a, plug_addr_failed_fn fn)
{
  a->failed = fn;
}

/* A failed resolution: warned once per target and stored as an event
 * (reports say why the target has no answers), then at debug level;
 * the plugin hears of it (a probe that fell due is a failed probe). */
static void plug_addr_failed(plug_addr *a, const char *why, int waiting)
{
  if (!a->warned) {
    char msg[400];
    bn_event e = {BN_INIT(bn_event), .target = a->t->name, .type = "resolve",
                  .severity = BN_SEV_WARNING, .message = msg};

    bn_warn(a->h,
            "target '%s': cannot resolve '%s': %s; retrying every "
            "interval",
            a->t->name, a->t->host, why);
    snprintf(msg, sizeof(msg), "cannot resolve '%s': %s", a->t->host, why);
    a->h->api->emit_event(a->h, &e);
  } else {
    bn_debug(a->h, "target '%s': still cannot resolve '%s': %s", a->t->name,
             a->t->host, why);
  }
  a->warned = 1;
  if (a->failed)
    a->failed(a->arg, waiting);
}

static void plug_addr_on_resolved(int status, const struct sockaddr *addr,
                                  size_t addrlen, const char *error, void *arg)
{
  plug_addr *a = arg;
  int waiting = a->waiting;

  a->resolving = NULL;
  a->waiting = 0;
  if (status < 0 || addrlen > sizeof(a->ss)) {
    plug_addr_failed(a, status < 0 ? error : "no usable address", waiting);
    return;
  }
  memset(&a->ss, 0, sizeof(a->ss));
  memcpy(&a->ss, addr, addrlen);
  a->len = (socklen_t)addrlen;
  plug_addr_set_port(a);
  a->resolved = 1;
  if (a->warned)
    bn_info(a->h, "target '%s': '%s' resolved at last", a->t->name,
            a->t->host);
  if (a->ready)
    a->ready(a->arg, waiting);
}

void plug_addr_start(plug_addr *a)
{
  if (a->resolved || a->resolving)
    return;
  a->resolving = a->h->api->resolve(a->h, a->t->host, AF_UNSPEC, a->socktype,
                                    plug_addr_on_resolved, a);
  if (!a->resolving) {
    int waiting = a->waiting;

    a->waiting = 0;
    plug_addr_failed(a, "cannot start the resolver", waiting);
  }
}

int plug_addr_need(plug_addr *a)
{
  if (a->resolved)
    return 1;
  a->waiting = 1;
  plug_addr_start(a);
  return 0;
}

void plug_addr_cancel(plug_addr *a)
{
  if (!a->h)
    return;
  a->h->api->resolve_cancel(a->resolving);
  a->resolving = NULL;
  a->waiting = 0;
}
