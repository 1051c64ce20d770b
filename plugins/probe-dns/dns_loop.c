/*
 * dns_loop.c - a c-ares channel driven by the core event loop: c-ares
 * tells us which sockets it wants watched (ARES_OPT_SOCK_STATE_CB), we
 * watch them with the host's fd watches and hand events back with
 * ares_process_fd(); one host timer per channel is re-armed from
 * ares_timeout() after every event, so that c-ares sees its timeouts.
 * No thread, no blocking call.
 */
#include "dns.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static dns_sock *dns_sock_find(dns_resolver *r, int fd)
{
  dns_sock *s;

  for (s = r->socks; s; s = s->next)
    if (s->fd == fd)
      return s;
  return NULL;
}

static void dns_sock_drop(dns_resolver *r, dns_sock *s)
{
  dns_sock **p;

  for (p = &r->socks; *p; p = &(*p)->next) {
    if (*p == s) {
      *p = s->next;
      break;
    }
  }
  r->ctx->h->api->watch_free(s->watch);
  free(s);
}

static void dns_on_socket(bn_watch *w, int fd, int events, void *arg)
{
  /* The socket record may be freed inside ares_process_fd. */
  dns_resolver *r = ((dns_sock *)arg)->r;

  ares_process_fd(r->channel, (events & BN_WATCH_READ) ? fd : ARES_SOCKET_BAD,
                  (events & BN_WATCH_WRITE) ? fd : ARES_SOCKET_BAD);
  dns_channel_rearm(r);
}

/* c-ares opens, changes and closes sockets: mirror that in watches. */
static void dns_sock_state(void *data, ares_socket_t fd, int readable,
                           int writable)
{
  dns_resolver *r = data;
  const bn_host_api *api = r->ctx->h->api;
  dns_sock *s = dns_sock_find(r, fd);
  int events =
      (readable ? BN_WATCH_READ : 0) | (writable ? BN_WATCH_WRITE : 0);

  if (!events) {
    if (s)
      dns_sock_drop(r, s);
    return;
  }
  if (s) {
    api->watch_update(s->watch, events);
    return;
  }
  s = calloc(1, sizeof(*s));
  if (s) {
    s->r = r;
    s->fd = fd;
    s->watch = api->watch_start(r->ctx->h, fd, events, dns_on_socket, s);
  }
  if (!s || !s->watch) {
    /* Nothing to tell c-ares: the query runs into its timeout. */
    bn_error(r->ctx->h, "target '%s': cannot watch a DNS socket", r->t->name);
    free(s);
    return;
  }
  s->next = r->socks;
  r->socks = s;
}

static void dns_on_timer(bn_timer *t, void *arg)
{
  dns_resolver *r = arg;

  ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  dns_channel_rearm(r);
}

void dns_channel_rearm(dns_resolver *r)
{
  const bn_host_api *api = r->ctx->h->api;
  struct timeval tv, *next;
  int64_t ns;

  if (!r->has_channel)
    return;
  next = ares_timeout(r->channel, NULL, &tv);
  if (!next) {
    /* Nothing in flight: no timer until the next query. */
    api->timer_free(r->ares_timer);
    r->ares_timer = NULL;
    return;
  }
  /* Round up to whole milliseconds: a loop with ms timers must not fire
   * before c-ares considers the query timed out. */
  ns = (int64_t)next->tv_sec * 1000000000 + (int64_t)next->tv_usec * 1000;
  ns = (ns + 999999) / 1000000 * 1000000;
  if (r->ares_timer)
    api->timer_again(r->ares_timer, ns, 0);
  else
    r->ares_timer = api->timer_start(r->ctx->h, ns, 0, dns_on_timer, r);
  if (!r->ares_timer)
    bn_error(r->ctx->h, "target '%s': cannot start a timer", r->t->name);
}

int dns_channel_open(dns_resolver *r)
{
  const dns_config *cfg = &r->ctx->cfg;
  struct ares_options o;
  int mask, rc;

  memset(&o, 0, sizeof(o));
  /* NOCHECKRESP: SERVFAIL, NOTIMP and REFUSED answers reach us as
   * answers (to be reported by rcode) instead of as failures. */
  o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH;
  if (cfg->tcp)
    o.flags |= ARES_FLAG_USEVC;
  o.timeout = (int)((cfg->timeout_ns + 999999) / 1000000);
  o.tries = 1;
  o.ndots = 1;
  o.lookups = (char *)"b"; /* DNS only, never /etc/hosts */
  o.domains = NULL;
  o.ndomains = 0; /* no search domains */
  o.sock_state_cb = dns_sock_state;
  o.sock_state_cb_data = r;
  mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
         ARES_OPT_NDOTS | ARES_OPT_LOOKUPS | ARES_OPT_DOMAINS |
         ARES_OPT_SOCK_STATE_CB;
  rc = ares_init_options(&r->channel, &o, mask);
  if (rc != ARES_SUCCESS) {
    bn_error(r->ctx->h, "target '%s': cannot set up a resolver: %s",
             r->t->name, ares_strerror(rc));
    return rc == ARES_ENOMEM ? BN_ENOMEM : BN_ERR;
  }
  r->has_channel = 1;
  /* Exactly this server, whatever /etc/resolv.conf says. */
  rc = ares_set_servers_ports_csv(r->channel, r->server);
  if (rc != ARES_SUCCESS) {
    bn_error(r->ctx->h, "target '%s': cannot use resolver %s: %s", r->t->name,
             r->server, ares_strerror(rc));
    return BN_EINVAL;
  }
  return 0;
}

void dns_channel_cancel(dns_resolver *r)
{
  if (!r->has_channel)
    return;
  ares_cancel(r->channel);
  dns_channel_rearm(r);
}

void dns_channel_close(dns_resolver *r)
{
  if (r->has_channel) {
    /* Calls back for queries in flight (ARES_EDESTRUCTION) and closes
     * its sockets through dns_sock_state. */
    ares_destroy(r->channel);
    r->has_channel = 0;
  }
  while (r->socks)
    dns_sock_drop(r, r->socks);
  r->ctx->h->api->timer_free(r->ares_timer);
  r->ares_timer = NULL;
}
