/*
 * http_multi.c - one curl multi handle per instance, driven by the core
 * loop: curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION ->
 * watch_start/update/free) and when it next needs a call
 * (CURLMOPT_TIMERFUNCTION -> one host timer); socket events and that
 * timer call curl_multi_socket_action(), after which finished transfers
 * are collected.  No thread and no blocking call.
 */
#include "http.h"

#include <stdlib.h>

/* Hand every finished transfer to its request. */
static void http_multi_collect(http_ctx *c)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
    char *priv = NULL;
    CURLcode result;

    if (msg->msg != CURLMSG_DONE)
      continue;
    /* Copied first: msg is gone once the handle is removed. */
    result = msg->data.result;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    if (priv)
      http_request_done((http_request *)priv, result);
  }
}

static void http_multi_act(http_ctx *c, curl_socket_t fd, int flags)
{
  int running = 0;
  CURLMcode mc = curl_multi_socket_action(c->multi, fd, flags, &running);

  if (mc != CURLM_OK)
    bn_error(c->h, "curl_multi_socket_action: %s", curl_multi_strerror(mc));
  http_multi_collect(c);
}

static void http_on_curl_timer(bn_timer *t, void *arg)
{
  http_multi_act(arg, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: -1 stops the timer, else (re)arm it. */
static int http_curl_timer(CURLM *multi, long ms, void *arg)
{
  http_ctx *c = arg;
  const bn_host_api *api = c->h->api;
  int64_t ns = (int64_t)ms * 1000000;

  if (ms < 0) {
    api->timer_free(c->curl_timer);
    c->curl_timer = NULL;
    return 0;
  }
  /* Even ms == 0 goes through the loop: curl asks not to be called
   * back from inside its own callback. */
  if (c->curl_timer)
    return api->timer_again(c->curl_timer, ns, 0) == 0 ? 0 : -1;
  c->curl_timer = api->timer_start(c->h, ns, 0, http_on_curl_timer, c);
  return c->curl_timer ? 0 : -1;
}

static void http_on_socket(bn_watch *w, int fd, int events, void *arg)
{
  http_sock *s = arg;
  int flags = 0;

  if (events & BN_WATCH_READ)
    flags |= CURL_CSELECT_IN;
  if (events & BN_WATCH_WRITE)
    flags |= CURL_CSELECT_OUT;
  /* s may be freed by curl's REMOVE inside this call: keep its ctx. */
  http_multi_act(s->ctx, fd, flags);
}

static void http_sock_free(http_ctx *c, http_sock *s)
{
  c->h->api->watch_free(s->watch);
  if (s->prev)
    s->prev->next = s->next;
  else
    c->socks = s->next;
  if (s->next)
    s->next->prev = s->prev;
  free(s);
}

static int http_watch_events(int what)
{
  int events = 0;

  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    events |= BN_WATCH_READ;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    events |= BN_WATCH_WRITE;
  return events;
}

/* CURLMOPT_SOCKETFUNCTION: one watch per socket, kept in socketp. */
static int http_curl_socket(CURL *easy, curl_socket_t fd, int what, void *arg,
                            void *socketp)
{
  http_ctx *c = arg;
  const bn_host_api *api = c->h->api;
  http_sock *s = socketp;
  int events = http_watch_events(what);

  if (what == CURL_POLL_REMOVE) {
    if (s) {
      curl_multi_assign(c->multi, fd, NULL);
      http_sock_free(c, s);
    }
    return 0;
  }
  if (s)
    return api->watch_update(s->watch, events) == 0 ? 0 : -1;
  s = calloc(1, sizeof(*s));
  if (!s)
    return -1;
  s->ctx = c;
  s->watch = api->watch_start(c->h, fd, events, http_on_socket, s);
  if (!s->watch) {
    free(s);
    return -1;
  }
  s->next = c->socks;
  if (c->socks)
    c->socks->prev = s;
  c->socks = s;
  curl_multi_assign(c->multi, fd, s);
  return 0;
}

int http_multi_open(http_ctx *c)
{
  c->multi = curl_multi_init();
  if (!c->multi)
    return BN_ENOMEM;
  curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, http_curl_socket);
  curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
  curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, http_curl_timer);
  curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
  return 0;
}

/* Requests must be gone; curl may still call back while closing. */
void http_multi_close(http_ctx *c)
{
  if (c->multi)
    curl_multi_cleanup(c->multi);
  c->multi = NULL;
  /* Whatever curl did not REMOVE (cached connections) goes now. */
  while (c->socks)
    http_sock_free(c, c->socks);
  c->h->api->timer_free(c->curl_timer);
  c->curl_timer = NULL;
}

int http_multi_add(http_ctx *c, CURL *easy)
{
  CURLMcode mc = curl_multi_add_handle(c->multi, easy);

  if (mc == CURLM_OK)
    return 0;
  bn_debug(c->h, "curl_multi_add_handle: %s", curl_multi_strerror(mc));
  return mc == CURLM_OUT_OF_MEMORY ? BN_ENOMEM : BN_ERR;
}
