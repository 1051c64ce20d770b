/*
 * webhook.c - the `webhook` exporter: a JSON POST for each state change
 * of an anomaly episode at or above `min_severity` (default critical,
 * "high"), with its correlation context (alert.h).
 *
 * Delivery (alert_queue.h): libcurl's multi interface on the core loop,
 * so a slow receiver never blocks it.  A 2xx answer delivers; a network
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
#include "alert_queue.h"
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

/* A delivery's data: the body and its headers. */
typedef struct wh_message {
  struct wh_ctx *c;
  char *body;
  struct curl_slist *headers;
} wh_message;

typedef struct wh_ctx {
  bn_host *h;
  wh_config cfg;
  alert_book book;
  curl_loop loop;
  alert_queue q;
  struct curl_slist *resolve;
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

static void wh_message_free(void *data)
{
  wh_message *m = data;

  curl_slist_free_all(m->headers);
  free(m->body);
  free(m);
}

static CURL *wh_easy(alert_delivery *d)
{
  wh_message *m = d->data;
  wh_ctx *c = m->c;
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
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, m->body);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(m->body));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, m->headers);
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
static int wh_outcome(alert_delivery *d, CURLcode rc, long status)
{
  wh_ctx *c = ((wh_message *)d->data)->c;

  if (rc == CURLE_OK && status >= 200 && status < 300) {
    bn_debug(c->h, "delivered %s (HTTP %ld, try %d)", d->key, status,
             d->attempts);
    c->q.sent++;
    return 1;
  }
  if (rc == CURLE_OK && status >= 400 && status < 500 && status != 408 &&
      status != 429) {
    bn_warn(c->h, "%s refused alert %s with HTTP %ld; not sent again",
            c->cfg.url, d->key, status);
    c->q.failed++;
    return -1;
  }
  if (d->attempts > c->cfg.retries) {
    bn_warn(c->h, "alert %s not delivered to %s after %d tries (last: %s)",
            d->key, c->cfg.url, d->attempts,
            rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP error");
    c->q.failed++;
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

static const alert_queue_ops wh_queue_ops = {
    .easy = wh_easy,
    .outcome = wh_outcome,
    .free_data = wh_message_free,
};

static int wh_enqueue(wh_ctx *c, const alert_episode *ep, alert_state st)
{
  wh_message *m = calloc(1, sizeof(*m));
  char key[200], hdr[300], sig[100];

  if (!m)
    return BN_ENOMEM;
  m->c = c;
  alert_key(&c->book, ep, st, key, sizeof(key));
  m->body = alert_json(&c->book, ep, st, key);
  snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", key);
  m->headers = curl_slist_append(NULL, "Content-Type: application/json");
  m->headers = curl_slist_append(m->headers, hdr);
  if (c->cfg.secret && m->body) {
    if (wh_sign(c->cfg.secret, m->body, sig, sizeof(sig)) < 0) {
      bn_error(c->h, "cannot sign the alert (libcrypto HMAC failed)");
      m->body = (free(m->body), NULL);
    } else {
      snprintf(hdr, sizeof(hdr), "X-Bottleneck-Signature: %s", sig);
      m->headers = curl_slist_append(m->headers, hdr);
    }
  }
  if (!m->body || !m->headers) {
    wh_message_free(m);
    return BN_ENOMEM;
  }
  return alert_queue_add(&c->q, ep->seq, key, m);
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

/* The end of the run: the loop no longer runs; send what is left here,
 * blocking, within flush_timeout. */
static int wh_flush(void *ctx)
{
  alert_queue_flush(&((wh_ctx *)ctx)->q);
  return BN_OK;
}

static void wh_destroy(void *ctx)
{
  wh_ctx *c = ctx;

  if (!c)
    return;
  alert_queue_clear(&c->q);
  if (c->q.loop_open)
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
  if (curl_loop_resolve_list(h, c->cfg.resolve, &c->resolve) < 0) {
    wh_destroy(c);
    return BN_EINVAL;
  }
  alert_parse_severity(c->cfg.min_severity, &min);
  alert_book_init(&c->book, h, min, c->cfg.window_ns);
  c->q = (alert_queue){.h = h,
                       .loop = &c->loop,
                       .ops = &wh_queue_ops,
                       .dest = c->cfg.url,
                       .backoff_ns = c->cfg.backoff_ns,
                       .backoff_max_ns = c->cfg.backoff_max_ns,
                       .timeout_ns = c->cfg.timeout_ns,
                       .flush_timeout_ns = c->cfg.flush_timeout_ns};
  if (curl_loop_open(&c->loop, h, alert_queue_done, &c->q) < 0) {
    wh_destroy(c);
    return BN_ENOMEM;
  }
  c->q.loop_open = 1;
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
