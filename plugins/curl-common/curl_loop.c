/*
 * curl_loop.c - curl's socket interface on the host loop: curl says
 * which sockets to watch (CURLMOPT_SOCKETFUNCTION -> watch_start/
 * update/free) and when it next needs a call (CURLMOPT_TIMERFUNCTION ->
 * one host timer); both call curl_multi_socket_action(), then finished
 * transfers are handed to the owner.  No thread, no blocking call.
 */
#include "curl_loop.h"

#include <stdlib.h>
#include <string.h>

typedef struct curl_loop_sock {
  curl_loop *l;
  bn_watch *watch;
  struct curl_loop_sock *prev, *next;
} curl_loop_sock;

static void curl_loop_collect(curl_loop *l)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read(l->multi, &left)) != NULL) {
    CURL *easy;
    CURLcode result;

    if (msg->msg != CURLMSG_DONE)
      continue;
    /* Copied first: msg is gone once the owner removes the handle. */
    easy = msg->easy_handle;
    result = msg->data.result;
    l->done(easy, result, l->arg);
  }
}

static void curl_loop_act(curl_loop *l, curl_socket_t fd, int flags)
{
  int running = 0;
  CURLMcode mc = curl_multi_socket_action(l->multi, fd, flags, &running);

  if (mc != CURLM_OK)
    bn_error(l->h, "curl_multi_socket_action: %s", curl_multi_strerror(mc));
  curl_loop_collect(l);
}

static void curl_loop_on_timer(bn_timer *t, void *arg)
{
  curl_loop_act(arg, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: -1 stops the timer, else (re)arm it. */
static int curl_loop_timer(CURLM *multi, long ms, void *arg)
{
  curl_loop *l = arg;
  const bn_host_api *api = l->h->api;
  int64_t ns = (int64_t)ms * 1000000;

  if (ms < 0) {
    api->timer_free(l->timer);
    l->timer = NULL;
    return 0;
  }
  /* Even ms == 0 goes through the loop: curl asks not to be called
   * back from inside its own callback. */
  if (l->timer)
    return api->timer_again(l->timer, ns, 0) == 0 ? 0 : -1;
  l->timer = api->timer_start(l->h, ns, 0, curl_loop_on_timer, l);
  return l->timer ? 0 : -1;
}

static void curl_loop_on_socket(bn_watch *w, int fd, int events, void *arg)
{
  curl_loop_sock *s = arg;
  int flags = 0;

  if (events & BN_WATCH_READ)
    flags |= CURL_CSELECT_IN;
  if (events & BN_WATCH_WRITE)
    flags |= CURL_CSELECT_OUT;
  /* s may be freed by curl's REMOVE inside this call: keep its loop. */
  curl_loop_act(s->l, fd, flags);
}

static void curl_loop_sock_free(curl_loop *l, curl_loop_sock *s)
{
  l->h->api->watch_free(s->watch);
  if (s->prev)
    s->prev->next = s->next;
  else
    l->socks = s->next;
  if (s->next)
    s->next->prev = s->prev;
  free(s);
}

static int curl_loop_events(int what)
{
  int events = 0;

  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    events |= BN_WATCH_READ;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    events |= BN_WATCH_WRITE;
  return events;
}

/* CURLMOPT_SOCKETFUNCTION: one watch per socket, kept in socketp. */
static int curl_loop_socket(CURL *easy, curl_socket_t fd, int what, void *arg,
                            void *socketp)
{
  curl_loop *l = arg;
  curl_loop_sock *s = socketp;
  int events = curl_loop_events(what);

  if (what == CURL_POLL_REMOVE) {
    if (s) {
      curl_multi_assign(l->multi, fd, NULL);
      curl_loop_sock_free(l, s);
    }
    return 0;
  }
  if (s)
    return l->h->api->watch_update(s->watch, events) == 0 ? 0 : -1;
  s = calloc(1, sizeof(*s));
  if (!s)
    return -1;
  s->l = l;
  s->watch = l->h->api->watch_start(l->h, fd, events, curl_loop_on_socket, s);
  if (!s->watch) {
    free(s);
    return -1;
  }
  s->next = l->socks;
  if (l->socks)
    l->socks->prev = s;
  l->socks = s;
  curl_multi_assign(l->multi, fd, s);
  return 0;
}

int curl_loop_open(curl_loop *l, bn_host *h, curl_loop_done_fn done, void *arg)
{
  l->h = h;
  l->protocols = NULL; /* http and https; the owner may set another */
  l->done = done;
  l->arg = arg;
  l->socks = NULL;
  l->timer = NULL;
  l->multi = curl_multi_init();
  if (!l->multi)
    return BN_ENOMEM;
  curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, curl_loop_socket);
  curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
  curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, curl_loop_timer);
  curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
  return 0;
}

int curl_loop_restrict(CURL *easy, const char *protocols)
{
  CURLcode rc;
  int mail = protocols && strcmp(protocols, "smtp,smtps") == 0;

#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0: the _STR forms */
  (void)mail;
  if (!protocols)
    protocols = "http,https";
  rc = curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
#else
  long bits = mail ? (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)
                   : (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS);

  rc = curl_easy_setopt(easy, CURLOPT_PROTOCOLS, bits);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS, bits);
#endif
  return rc == CURLE_OK ? 0 : BN_ERR;
}

int curl_loop_add(curl_loop *l, CURL *easy)
{
  CURLMcode mc;

  /* Every transfer, whoever set it up: the loop's protocols only. */
  if (curl_loop_restrict(easy, l->protocols) != 0) {
    bn_error(l->h, "cannot restrict a transfer to %s",
             l->protocols ? l->protocols : "http and https");
    return BN_ERR;
  }
  mc = curl_multi_add_handle(l->multi, easy);
  if (mc == CURLM_OK)
    return 0;
  bn_debug(l->h, "curl_multi_add_handle: %s", curl_multi_strerror(mc));
  return mc == CURLM_OUT_OF_MEMORY ? BN_ENOMEM : BN_ERR;
}

void curl_loop_remove(curl_loop *l, CURL *easy)
{
  curl_multi_remove_handle(l->multi, easy);
}

void curl_loop_close(curl_loop *l)
{
  if (l->multi)
    curl_multi_cleanup(l->multi);
  l->multi = NULL;
  /* Whatever curl did not REMOVE (cached connections) goes now. */
  while (l->socks)
    curl_loop_sock_free(l, l->socks);
  if (l->timer)
    l->h->api->timer_free(l->timer);
  l->timer = NULL;
}

int curl_loop_resolve_list(bn_host *h, const bn_node *list,
                           struct curl_slist **out)
{
  size_t i, n = list ? h->api->cfg_len(list) : 0;

  for (i = 0; i < n; i++) {
    const bn_node *it = h->api->cfg_at(list, i);
    const char *v = h->api->cfg_scalar(it);

    if (!v || !strchr(v, ':')) {
      h->api->cfg_error(h, it, "resolve: '%s' is not HOST:PORT:ADDRESS",
                        v ? v : "");
      return BN_EINVAL;
    }
    *out = curl_slist_append(*out, v);
  }
  return BN_OK;
}
