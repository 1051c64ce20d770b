/*
 * webhook.c - the `webhook` exporter: a JSON POST for each state change
 * of an anomaly episode at or above `min_severity` (default critical,
 * "high"), with its correlation context (alert.h).
 *
 * Delivery: libcurl's multi interface on the core loop (curl_loop.h), so
 * a slow receiver never blocks it.  A 2xx answer delivers; a network
 * error, a timeout, an answer that is not HTTP, 408, 429 or 5xx is tried
 * again after `backoff`, doubling up to `backoff_max`, at most `retries`
 * times; any other 4xx is given up at once (the receiver refused it,
 * sending it again would not help).  Every try carries the same
 * Idempotency-Key header (and "idempotency_key" in the body), so a
 * receiver that saw a try whose answer got lost can drop the repeat.
 * With `secret`, X-Bottleneck-Signature: sha256=HEX is the HMAC-SHA256
 * of the body under the secret (OpenSSL libcrypto).
 *
 * The changes of one episode are sent in order: a change waits until the
 * one before it is delivered or given up.
 *
 * At the end of the run (flush) what is still queued is sent at once,
 * blocking, within `flush_timeout`, retries included: the loop no longer
 * runs then.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bottleneck/sdk.h>
#include <curl/curl.h>

#include "alert.h"
#include "curl_loop.h"

typedef struct wh_config {
  const char *url;
  const char *secret;
  const char *min_severity;
  int64_t timeout_ns;
  int64_t retries;
  int64_t backoff_ns;
  int64_t backoff_max_ns;
  int64_t window_ns;
  int64_t flush_timeout_ns;
  const bn_node *resolve;
} wh_config;

struct wh_ctx;

typedef struct wh_delivery {
  struct wh_ctx *c;
  char *body;
  char key[200];
  unsigned ep_seq; /* changes of one episode go out in order */
  int started;
  int attempts;
  int64_t next_backoff_ns;
  CURL *easy;
  struct curl_slist *headers;
  bn_timer *retry;
  struct wh_delivery *next;
} wh_delivery;

typedef struct wh_ctx {
  bn_host *h;
  wh_config cfg;
  alert_book book;
  curl_loop loop;
  int loop_open;
  wh_delivery *queue;
  struct curl_slist *resolve;
  unsigned long sent, failed;
} wh_ctx;

static const bn_option wh_options[] = {
    {.name = "url",
     .type = BN_OPT_STRING,
     .required = 1,
     .help = "where to POST (http:// or https://)",
     BN_FIELD(wh_config, url)},
    {.name = "secret",
     .type = BN_OPT_STRING,
     .help = "HMAC-SHA256 key: signs the body in X-Bottleneck-Signature",
     BN_FIELD(wh_config, secret)},
    {.name = "min_severity",
     .type = BN_OPT_STRING,
     .def = "critical",
     .help = "lowest episode severity sent: warning, or critical (high)",
     BN_FIELD(wh_config, min_severity)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "10s",
     .help = "longest wait for one answer",
     BN_FIELD(wh_config, timeout_ns)},
    {.name = "retries",
     .type = BN_OPT_INT,
     .def = "5",
     .help = "tries after the first on errors, 408, 429 and 5xx",
     .min = 0,
     .max = 100,
     BN_FIELD(wh_config, retries)},
    {.name = "backoff",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "wait before the first retry; doubles each time",
     BN_FIELD(wh_config, backoff_ns)},
    {.name = "backoff_max",
     .type = BN_OPT_DURATION,
     .def = "60s",
     .help = "longest wait between retries",
     BN_FIELD(wh_config, backoff_max_ns)},
    {.name = "window",
     .type = BN_OPT_DURATION,
     .def = "5m",
     .help = "the context: statistics and events of this long before",
     BN_FIELD(wh_config, window_ns)},
    {.name = "flush_timeout",
     .type = BN_OPT_DURATION,
     .def = "15s",
     .help = "at the end of the run, longest time spent on what is queued",
     BN_FIELD(wh_config, flush_timeout_ns)},
    {.name = "resolve",
     .type = BN_OPT_LIST,
     .help = "HOST:PORT:ADDRESS items that pin a name to an address "
             "(curl --resolve); consent is still asked for HOST",
     BN_FIELD(wh_config, resolve)},
    BN_OPTIONS_END,
};

/* http:// or https:// only: libcurl speaks many more protocols. */
static int wh_url_ok(const char *u)
{
  return u && (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8)) &&
         u[strcspn(u, ":") + 3] != '\0';
}

static int wh_check_cfg(bn_host *h, const wh_config *c)
{
  const bn_node *conf = h->api->config(h);
  bn_severity s;

  if (!wh_url_ok(c->url))
    return h->api->cfg_error(h, h->api->cfg_get(conf, "url"),
                             "url: '%s' is not an http:// or https:// URL",
                             c->url ? c->url : "");
  if (alert_parse_severity(c->min_severity, &s) < 0)
    return h->api->cfg_error(h, h->api->cfg_get(conf, "min_severity"),
                             "min_severity: '%s' is not warning, critical "
                             "or high",
                             c->min_severity);
  if (c->timeout_ns <= 0 || c->backoff_ns <= 0 ||
      c->backoff_max_ns < c->backoff_ns)
    return h->api->cfg_error(h, conf,
                             "timeout and backoff must be above 0, and "
                             "backoff_max at least backoff");
  return BN_OK;
}

static int wh_check(bn_host *h)
{
  wh_config c;

  memset(&c, 0, sizeof(c));
  if (h->api->cfg_fill(h, &c) < 0)
    return BN_EINVAL;
  return wh_check_cfg(h, &c);
}

/* "sha256=" and the hex HMAC of the body. */
static int wh_sign(const char *secret, const char *body, char *out, size_t len)
{
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;
  size_t at;

  if (!HMAC(EVP_sha256(), secret, (int)strlen(secret),
            (const unsigned char *)body, strlen(body), mac, &n))
    return -1;
  at = (size_t)snprintf(out, len, "sha256=");
  for (i = 0; i < n && at + 3 <= len; i++)
    at += (size_t)snprintf(out + at, len - at, "%02x", mac[i]);
  return 0;
}

static size_t wh_discard(char *p, size_t sz, size_t n, void *arg)
{
  (void)p;
  (void)arg;
  return sz * n;
}

static void wh_free(wh_delivery *d)
{
  if (d->retry)
    d->c->h->api->timer_free(d->retry);
  if (d->easy) {
    if (d->c->loop_open)
      curl_loop_remove(&d->c->loop, d->easy);
    curl_easy_cleanup(d->easy);
  }
  curl_slist_free_all(d->headers);
  free(d->body);
  free(d);
}

static void wh_unlink(wh_ctx *c, wh_delivery *d)
{
  wh_delivery **p;

  for (p = &c->queue; *p; p = &(*p)->next)
    if (*p == d) {
      *p = d->next;
      return;
    }
}

static CURL *wh_easy(wh_delivery *d)
{
  wh_ctx *c = d->c;
  CURL *e = curl_easy_init();

  if (!e)
    return NULL;
  curl_easy_setopt(e, CURLOPT_URL, c->cfg.url);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(e, CURLOPT_PROTOCOLS,
                   (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, d->body);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(d->body));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, d->headers);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(c->cfg.timeout_ns / 1000000));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "bottleneck-webhook/1.0");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, wh_discard);
  curl_easy_setopt(e, CURLOPT_PRIVATE, d);
  if (c->resolve)
    curl_easy_setopt(e, CURLOPT_RESOLVE, c->resolve);
  return e;
}

/* 1: delivered, 0: try again, -1: give up. */
static int wh_outcome(wh_delivery *d, CURLcode rc, long status)
{
  wh_ctx *c = d->c;

  if (rc == CURLE_OK && status >= 200 && status < 300) {
    bn_debug(c->h, "delivered %s (HTTP %ld, try %d)", d->key, status,
             d->attempts);
    c->sent++;
    return 1;
  }
  if (rc == CURLE_OK && status >= 400 && status < 500 && status != 408 &&
      status != 429) {
    bn_warn(c->h, "%s refused alert %s with HTTP %ld; not sent again",
            c->cfg.url, d->key, status);
    c->failed++;
    return -1;
  }
  if (d->attempts > c->cfg.retries) {
    bn_warn(c->h, "alert %s not delivered to %s after %d tries (last: %s)",
            d->key, c->cfg.url, d->attempts,
            rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP error");
    c->failed++;
    return -1;
  }
  if (rc != CURLE_OK)
    bn_info(c->h, "alert %s to %s: %s; trying again", d->key, c->cfg.url,
            curl_easy_strerror(rc));
  else
    bn_info(c->h, "alert %s to %s: HTTP %ld; trying again", d->key, c->cfg.url,
            status);
  return 0;
}

static int wh_start(wh_delivery *d);

/* Start the oldest waiting change of episode `seq`, if any. */
static void wh_next(wh_ctx *c, unsigned seq)
{
  wh_delivery *d;

  for (d = c->queue; d; d = d->next)
    if (d->ep_seq == seq && !d->started)
      break;
  if (d && wh_start(d) < 0) {
    wh_unlink(c, d);
    wh_free(d);
    wh_next(c, seq);
  }
}

static void wh_retry_cb(bn_timer *t, void *arg)
{
  wh_delivery *d = arg;

  (void)t;
  if (wh_start(d) < 0) {
    wh_ctx *c = d->c;
    unsigned seq = d->ep_seq;

    wh_unlink(c, d);
    wh_free(d);
    wh_next(c, seq);
  }
}

static void wh_done(CURL *easy, CURLcode rc, void *arg)
{
  wh_ctx *c = arg;
  wh_delivery *d = NULL;
  long status = 0;
  int o;

  curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&d);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_loop_remove(&c->loop, easy);
  curl_easy_cleanup(easy);
  d->easy = NULL;
  o = wh_outcome(d, rc, status);
  if (o != 0) {
    unsigned seq = d->ep_seq;

    wh_unlink(c, d);
    wh_free(d);
    wh_next(c, seq);
    return;
  }
  if (!d->retry)
    d->retry =
        c->h->api->timer_start(c->h, d->next_backoff_ns, 0, wh_retry_cb, d);
  else
    c->h->api->timer_again(d->retry, d->next_backoff_ns, 0);
  d->next_backoff_ns *= 2;
  if (d->next_backoff_ns > c->cfg.backoff_max_ns)
    d->next_backoff_ns = c->cfg.backoff_max_ns;
}

static int wh_start(wh_delivery *d)
{
  d->started = 1;
  d->easy = wh_easy(d);
  if (!d->easy)
    return BN_ENOMEM;
  d->attempts++;
  if (curl_loop_add(&d->c->loop, d->easy) < 0) {
    curl_easy_cleanup(d->easy);
    d->easy = NULL;
    return BN_EIO;
  }
  return BN_OK;
}

static int wh_enqueue(wh_ctx *c, const alert_episode *ep, alert_state st)
{
  wh_delivery *d = calloc(1, sizeof(*d));
  char hdr[300], sig[100];

  if (!d)
    return BN_ENOMEM;
  d->c = c;
  alert_key(&c->book, ep, st, d->key, sizeof(d->key));
  d->body = alert_json(&c->book, ep, st, d->key);
  d->next_backoff_ns = c->cfg.backoff_ns;
  snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", d->key);
  d->headers = curl_slist_append(NULL, "Content-Type: application/json");
  d->headers = curl_slist_append(d->headers, hdr);
  if (c->cfg.secret && d->body) {
    if (wh_sign(c->cfg.secret, d->body, sig, sizeof(sig)) < 0) {
      bn_error(c->h, "cannot sign the alert (libcrypto HMAC failed)");
      d->body = (free(d->body), NULL);
    } else {
      snprintf(hdr, sizeof(hdr), "X-Bottleneck-Signature: %s", sig);
      d->headers = curl_slist_append(d->headers, hdr);
    }
  }
  if (!d->body || !d->headers) {
    wh_free(d);
    return BN_ENOMEM;
  }
  d->ep_seq = ep->seq;
  {
    wh_delivery **p = &c->queue;
    int busy = 0;

    for (; *p; p = &(*p)->next)
      busy |= (*p)->ep_seq == d->ep_seq;
    *p = d; /* at the tail: the queue keeps the order of the changes */
    if (busy)
      return BN_OK;
  }
  if (wh_start(d) < 0) {
    wh_unlink(c, d);
    wh_free(d);
    return BN_EIO;
  }
  return BN_OK;
}

static int wh_on_event(void *ctx, const char *source, const bn_event *e)
{
  wh_ctx *c = ctx;
  alert_episode *ep;
  alert_state st = alert_book_event(&c->book, source, e, &ep);

  if (st == ALERT_NONE)
    return BN_OK;
  if (wh_enqueue(c, ep, st) < 0)
    return BN_ENOMEM;
  /* the change is decided: the next one is compared with it */
  ep->changes++;
  if (st == ALERT_OPENED || st == ALERT_ESCALATED) {
    ep->delivered = 1;
    ep->sent_sev = ep->sev;
  }
  return BN_OK;
}

static int wh_on_sample(void *ctx, const char *probe, const bn_metric *m,
                        const bn_sample *s)
{
  wh_ctx *c = ctx;

  (void)probe;
  alert_book_sample(&c->book, m, s);
  return BN_OK;
}

static int64_t wh_mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The end of the run: the loop no longer runs; send what is left here,
 * blocking, within flush_timeout. */
static int wh_flush(void *ctx)
{
  wh_ctx *c = ctx;
  int64_t deadline = wh_mono_ms() + c->cfg.flush_timeout_ns / 1000000;

  while (c->queue) {
    wh_delivery *d = c->queue;
    int o = 0;

    if (d->easy) {
      curl_loop_remove(&c->loop, d->easy);
      curl_easy_cleanup(d->easy);
      d->easy = NULL;
    }
    while (o == 0) {
      int64_t left = deadline - wh_mono_ms();
      CURLcode rc;
      long status = 0;
      CURL *e;

      if (left <= 0) {
        bn_warn(c->h, "alert %s not delivered to %s: flush_timeout reached",
                d->key, c->cfg.url);
        c->failed++;
        break;
      }
      e = wh_easy(d);
      if (!e)
        break;
      if (left < c->cfg.timeout_ns / 1000000)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left);
      d->attempts++;
      rc = curl_easy_perform(e);
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      curl_easy_cleanup(e);
      o = wh_outcome(d, rc, status);
      if (o == 0) {
        int64_t ms = d->next_backoff_ns / 1000000;
        struct timespec ts;

        if (ms > deadline - wh_mono_ms())
          ms = deadline - wh_mono_ms();
        if (ms > 0) {
          ts.tv_sec = (time_t)(ms / 1000);
          ts.tv_nsec = (long)(ms % 1000) * 1000000;
          nanosleep(&ts, NULL);
        }
        d->next_backoff_ns *= 2;
        if (d->next_backoff_ns > c->cfg.backoff_max_ns)
          d->next_backoff_ns = c->cfg.backoff_max_ns;
      }
    }
    c->queue = d->next;
    wh_free(d);
  }
  if (c->sent || c->failed)
    bn_info(c->h, "%lu alerts delivered to %s, %lu not", c->sent, c->cfg.url,
            c->failed);
  return BN_OK;
}

static void wh_destroy(void *ctx)
{
  wh_ctx *c = ctx;

  if (!c)
    return;
  while (c->queue) {
    wh_delivery *d = c->queue;

    c->queue = d->next;
    wh_free(d);
  }
  if (c->loop_open)
    curl_loop_close(&c->loop);
  curl_slist_free_all(c->resolve);
  alert_book_free(&c->book);
  free(c);
}

static int wh_init(bn_host *h, void **ctx)
{
  wh_ctx *c = calloc(1, sizeof(*c));
  bn_severity min;
  int rc;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  if (h->api->cfg_fill(h, &c->cfg) < 0 || wh_check_cfg(h, &c->cfg) < 0) {
    free(c);
    return BN_EINVAL;
  }
  rc = h->api->consent(h, c->cfg.url);
  if (rc < 0) {
    free(c);
    return rc;
  }
  if (c->cfg.resolve) {
    size_t i, n = h->api->cfg_len(c->cfg.resolve);

    for (i = 0; i < n; i++) {
      const bn_node *it = h->api->cfg_at(c->cfg.resolve, i);
      const char *v = h->api->cfg_scalar(it);

      if (!v || !strchr(v, ':')) {
        h->api->cfg_error(h, it, "resolve: '%s' is not HOST:PORT:ADDRESS",
                          v ? v : "");
        wh_destroy(c);
        return BN_EINVAL;
      }
      c->resolve = curl_slist_append(c->resolve, v);
    }
  }
  alert_parse_severity(c->cfg.min_severity, &min);
  alert_book_init(&c->book, h, min, c->cfg.window_ns);
  if (curl_loop_open(&c->loop, h, wh_done, c) < 0) {
    wh_destroy(c);
    return BN_ENOMEM;
  }
  c->loop_open = 1;
  *ctx = c;
  return BN_OK;
}

static const bn_exporter_ops wh_ops = {
    BN_INIT(bn_exporter_ops),
    .on_sample = wh_on_sample,
    .on_event = wh_on_event,
    .flush = wh_flush,
};

BN_PLUGIN(.name = "webhook", .version = "1.0", .kind = BN_KIND_EXPORTER,
          .summary = "alerts as signed JSON POSTs (libcurl)",
          .options = wh_options, .init = wh_init, .destroy = wh_destroy,
          .ops = &wh_ops, .check = wh_check);
