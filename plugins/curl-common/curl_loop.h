/*
 * curl_loop.h - a libcurl multi handle driven by the host's event loop
 * (host timers and fd watches), for the plugins that use libcurl (the
 * http probe, the HTTP speed test providers).  Compiled into each
 * plugin that uses it; nothing here is exported.
 */
#ifndef BN_CURL_LOOP_H
#define BN_CURL_LOOP_H

#include <curl/curl.h>

#include <bottleneck/sdk.h>

/** Called on the loop for each finished transfer (the easy is still in). */
typedef void (*curl_loop_done_fn)(CURL *easy, CURLcode result, void *arg);

struct curl_loop_sock;

/** One multi handle on the loop. */
typedef struct curl_loop {
  bn_host *h;
  CURLM *multi;
  bn_timer *timer; /* curl's one timeout (CURLMOPT_TIMERFUNCTION) */
  struct curl_loop_sock *socks;
  curl_loop_done_fn done;
  void *arg;
  /* The only protocols its transfers may use (and be redirected to):
   * "http,https" unless the owner, a mail exporter say, sets "smtp,smtps"
   * after curl_loop_open. */
  const char *protocols;
} curl_loop;

/** Create the multi handle; `done` is called for finished transfers. */
int curl_loop_open(curl_loop *l, bn_host *h, curl_loop_done_fn done,
                   void *arg);
/**
 * Allow only `protocols` ("http,https" when NULL) on `easy`, for the
 * first request and for redirects (a list of servers or a redirect must
 * not reach file://, gopher:// ...).  Returns 0 or BN_ERR.
 * curl_loop_add() calls it with the loop's protocols.
 */
int curl_loop_restrict(CURL *easy, const char *protocols);
/** Add a transfer (restricted to the loop's protocols first); returns 0
 * or a negative bn_status. */
int curl_loop_add(curl_loop *l, CURL *easy);
/** Remove a transfer (finished or not); the easy stays the caller's. */
void curl_loop_remove(curl_loop *l, CURL *easy);
/** Close the multi handle (remove every transfer first). */
void curl_loop_close(curl_loop *l);

/**
 * The `resolve:` option (a list of "HOST:PORT:ADDRESS", as curl's
 * --resolve) as a list for CURLOPT_RESOLVE, appended to *out.  A bad
 * item is reported with cfg_error (file and line) and gives BN_EINVAL;
 * NULL `list` is none.  The caller frees *out (curl_slist_free_all).
 */
int curl_loop_resolve_list(bn_host *h, const bn_node *list,
                           struct curl_slist **out);

#endif
