/*
 * resolve.c - asynchronous name resolution with uv_getaddrinfo.
 *
 * getaddrinfo() blocks for as long as the DNS server takes; on the loop
 * thread that would stall every probe of the process, so the lookup runs
 * on libuv's thread pool and the completion comes back to the loop.
 *
 * A request is freed only in its completion callback, which libuv always
 * calls: with UV_EAI_CANCELED when uv_cancel() caught it before a worker
 * took it, or with the lookup's result when it was already running.  A
 * cancelled request has no owner and never calls the plugin, so the
 * plugin may free its context as soon as resolve_cancel() returns.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "resolve.h"

struct bn_resolve {
  uv_getaddrinfo_t req;
  loop_owner *owner; /* NULL once cancelled */
  bn_resolve_fn fn;
  void *arg;
  struct bn_resolve *next, **pprev;
};

static void resolve_unlink(bn_resolve *r)
{
  *r->pprev = r->next;
  if (r->next)
    r->next->pprev = r->pprev;
  r->next = NULL;
  r->pprev = NULL;
  r->owner = NULL;
}

/* The first address that fits a sockaddr_storage, or NULL. */
static const struct addrinfo *resolve_first(const struct addrinfo *res)
{
  for (; res; res = res->ai_next)
    if (res->ai_addr && res->ai_addrlen > 0 &&
        res->ai_addrlen <= sizeof(struct sockaddr_storage))
      return res;
  return NULL;
}

static void resolve_done(uv_getaddrinfo_t *req, int status,
                         struct addrinfo *res)
{
  bn_resolve *r = req->data;
  const struct addrinfo *ai = NULL;

  if (r->owner) {
    bn_resolve_fn fn = r->fn;
    void *arg = r->arg;

    /* Unlinked first: the callback may cancel its siblings or start a
     * new request, and a cancel of this one is then a no-op. */
    resolve_unlink(r);
    if (status == 0)
      ai = resolve_first(res);
    if (ai)
      fn(0, ai->ai_addr, ai->ai_addrlen, NULL, arg);
    else if (status == 0)
      fn(BN_ENOENT, NULL, 0, "no usable address", arg);
    else
      fn(status == UV_ENOMEM || status == UV_EAI_MEMORY ? BN_ENOMEM
                                                        : BN_ENOENT,
         NULL, 0, uv_strerror(status), arg);
  }
  uv_freeaddrinfo(res);
  free(r);
}

/* An address literal (of any family: a literal of the wrong one must
 * fail at once, not be looked up as a name)? */
static int resolve_is_literal(const char *host)
{
  unsigned char buf[sizeof(struct in6_addr)];

  return inet_pton(AF_INET, host, buf) == 1 ||
         inet_pton(AF_INET6, host, buf) == 1;
}

bn_resolve *resolve_start(loop_owner *o, const char *host, int family,
                          int socktype, bn_resolve_fn fn, void *arg)
{
  struct addrinfo hints;
  bn_resolve *r;
  int rc;

  if (!o || !o->uv || !host || !fn)
    return NULL;
  r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  /* A literal takes the same path (the completion still comes from the
   * loop) but with AI_NUMERICHOST no lookup is made, and without
   * AI_ADDRCONFIG a loopback literal works on a host with no other
   * address. */
  hints.ai_flags = resolve_is_literal(host) ? AI_NUMERICHOST : AI_ADDRCONFIG;
  r->req.data = r;
  r->fn = fn;
  r->arg = arg;
  rc = uv_getaddrinfo(o->uv, &r->req, resolve_done, host, NULL, &hints);
  if (rc != 0) {
    log_debug("resolve", "cannot start resolving '%s': %s", host,
              uv_strerror(rc));
    free(r);
    return NULL;
  }
  r->owner = o;
  r->next = o->resolves;
  if (r->next)
    r->next->pprev = &r->next;
  r->pprev = &o->resolves;
  o->resolves = r;
  return r;
}

void resolve_cancel(bn_resolve *r)
{
  if (!r || !r->owner)
    return;
  resolve_unlink(r);
  /* Fails when a worker already runs the lookup: resolve_done frees the
   * request when it ends, without calling anybody. */
  uv_cancel((uv_req_t *)&r->req);
}

int resolve_cancel_all(loop_owner *o)
{
  int n = 0;

  while (o->resolves) {
    resolve_cancel(o->resolves);
    n++;
  }
  return n;
}
