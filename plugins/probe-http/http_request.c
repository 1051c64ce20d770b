/*
 * http_request.c - one request of the `http` probe: an easy handle set
 * up from the options, added to the instance's multi handle, and turned
 * into samples when curl is done with it.
 *
 * Timings come from curl_easy_getinfo (microseconds since the transfer
 * started): dns_ms = NAMELOOKUP, connect_ms = CONNECT - NAMELOOKUP,
 * tls_ms = APPCONNECT - CONNECT, ttfb_ms = STARTTRANSFER, total_ms =
 * TOTAL.  See docs/probe-http.md.
 */
#include "http.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The protocols a probe may speak, also after a redirect. */
#define HTTP_PROTOCOLS "http,https"

static void http_stamp_now(http_ctx *c, http_stamp *st)
{
  const bn_host_api *api = c->h->api;

  st->wall_ns = api->now_wall_ns(c->h);
  st->epoch = api->clock_epoch(c->h);
  st->mono_ns = api->now_mono_ns(c->h);
}

static void http_emit(http_target *tt, const http_stamp *sent,
                      const char *metric, double value, uint32_t flags)
{
  bn_host *h = tt->ctx->h;
  bn_sample s = {BN_INIT(bn_sample),       .target = tt->t->name,
                 .metric = metric,         .wall_ns = sent->wall_ns,
                 .mono_ns = sent->mono_ns, .flags = flags};

  s.value = (flags & BN_SAMPLE_LOST) ? BN_NOT_MEASURED : value;
  h->api->emit_sample(h, &s);
}

static const char *http_method(const http_ctx *c)
{
  return c->cfg.head ? "HEAD" : "GET";
}

/* A warning the first time `bit` goes wrong for a target, then debug. */
static void http_warn_once(http_target *tt, unsigned bit, const char *what)
{
  bn_host *h = tt->ctx->h;
  const char *m = http_method(tt->ctx);

  if (tt->warned & bit) {
    bn_debug(h, "target '%s': %s %s: %s", tt->t->name, m, tt->url, what);
    return;
  }
  tt->warned |= bit;
  bn_warn(h, "target '%s': %s %s failed: %s; counted as lost", tt->t->name, m,
          tt->url, what);
}

/* ---------------------------------------------------------------- */
/* Sending                                                           */
/* ---------------------------------------------------------------- */

/* CURLOPT_WRITEFUNCTION: count the body, abort beyond max_bytes. */
static size_t http_on_body(char *data, size_t size, size_t n, void *arg)
{
  http_request *r = arg;
  size_t len = size * n;

  r->received += (int64_t)len;
  if (r->received > (int64_t)r->tt->ctx->cfg.max_bytes) {
    r->too_big = 1;
    return 0; /* curl stops with CURLE_WRITE_ERROR */
  }
  return len;
}

/* Set one option, keeping the first failure in *rc. */
#define HTTP_SET(rc, e, opt, val)                                             \
  do {                                                                        \
    if (*(rc) == CURLE_OK)                                                    \
      *(rc) = curl_easy_setopt((e), (opt), (val));                            \
  } while (0)

static CURLcode http_easy_setup(http_request *r)
{
  const http_config *cfg = &r->tt->ctx->cfg;
  CURL *e = r->easy;
  CURLcode rc = CURLE_OK;
  long fresh = cfg->fresh_connect ? 1L : 0L;

  HTTP_SET(&rc, e, CURLOPT_URL, r->tt->url);
  HTTP_SET(&rc, e, CURLOPT_PRIVATE, (char *)r);
  HTTP_SET(&rc, e, CURLOPT_ERRORBUFFER, r->error);
  HTTP_SET(&rc, e, CURLOPT_NOSIGNAL, 1L);
  HTTP_SET(&rc, e, CURLOPT_WRITEFUNCTION, http_on_body);
  HTTP_SET(&rc, e, CURLOPT_WRITEDATA, r);
  HTTP_SET(&rc, e, CURLOPT_TIMEOUT_MS,
           (long)((cfg->timeout_ns + 999999) / 1000000));
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
  HTTP_SET(&rc, e, CURLOPT_PROTOCOLS_STR, HTTP_PROTOCOLS);
  HTTP_SET(&rc, e, CURLOPT_REDIR_PROTOCOLS_STR, HTTP_PROTOCOLS);
#else
  HTTP_SET(&rc, e, CURLOPT_PROTOCOLS,
           (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  HTTP_SET(&rc, e, CURLOPT_REDIR_PROTOCOLS,
           (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  HTTP_SET(&rc, e, CURLOPT_FOLLOWLOCATION, cfg->follow_redirects ? 1L : 0L);
  HTTP_SET(&rc, e, CURLOPT_MAXREDIRS, 10L);
  HTTP_SET(&rc, e, CURLOPT_NOBODY, cfg->head ? 1L : 0L);
  HTTP_SET(&rc, e, CURLOPT_USERAGENT, cfg->user_agent);
  HTTP_SET(&rc, e, CURLOPT_SSL_VERIFYPEER, cfg->insecure ? 0L : 1L);
  HTTP_SET(&rc, e, CURLOPT_SSL_VERIFYHOST, cfg->insecure ? 0L : 2L);
  if (cfg->ca_file)
    HTTP_SET(&rc, e, CURLOPT_CAINFO, cfg->ca_file);
  /* "" also overrides http_proxy & co: measure the direct path. */
  HTTP_SET(&rc, e, CURLOPT_PROXY, cfg->proxy ? cfg->proxy : "");
  HTTP_SET(&rc, e, CURLOPT_FRESH_CONNECT, fresh);
  HTTP_SET(&rc, e, CURLOPT_FORBID_REUSE, fresh);
  /* A fresh connection looks the name up again, too. */
  if (fresh)
    HTTP_SET(&rc, e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  HTTP_SET(&rc, e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cfg->max_bytes);
  return rc;
}

static void http_link(http_ctx *c, http_request *r)
{
  r->next = c->requests;
  if (c->requests)
    c->requests->prev = r;
  c->requests = r;
}

static void http_unlink(http_ctx *c, http_request *r)
{
  if (r->prev)
    r->prev->next = r->next;
  else
    c->requests = r->next;
  if (r->next)
    r->next->prev = r->prev;
  r->prev = r->next = NULL;
}

/* Release a request without reporting it (stop(), destroy()). */
void http_request_drop(http_request *r)
{
  http_ctx *c = r->tt->ctx;

  http_unlink(c, r);
  if (r->easy) {
    curl_loop_remove(&c->loop, r->easy);
    curl_easy_cleanup(r->easy);
  }
  free(r);
}

/* Start one request; its result comes through http_request_done(). */
void http_request_send(http_target *tt)
{
  http_ctx *c = tt->ctx;
  http_request *r = calloc(1, sizeof(*r));
  http_stamp st;
  const char *why = "out of memory";
  CURLcode cc;

  http_stamp_now(c, &st);
  if (!r)
    goto fail;
  r->tt = tt;
  r->sent = st;
  http_link(c, r);
  r->easy = curl_easy_init();
  if (!r->easy)
    goto fail;
  cc = http_easy_setup(r);
  if (cc != CURLE_OK) {
    why = curl_easy_strerror(cc);
    goto fail;
  }
  if (curl_loop_add(&c->loop, r->easy) == 0)
    return;
  why = "cannot add the request to curl's multi handle";

fail:
  if (r)
    http_request_drop(r);
  http_warn_once(tt, HTTP_WARN_TRANSPORT, why);
  http_emit(tt, &st, "total_ms", BN_NOT_MEASURED,
            BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
}

/* ---------------------------------------------------------------- */
/* Results                                                           */
/* ---------------------------------------------------------------- */

/* What curl measured, in microseconds (sizes in bytes). */
typedef struct http_times {
  curl_off_t dns, connect, tls, ttfb, total, size;
  long status, connects;
} http_times;

static void http_times_get(CURL *e, http_times *t)
{
  memset(t, 0, sizeof(*t));
  curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &t->dns);
  curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &t->connect);
  curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &t->tls);
  curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &t->ttfb);
  curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &t->total);
  curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &t->size);
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t->status);
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &t->connects);
}

static double http_ms(curl_off_t us)
{
  return (double)us / 1000.0;
}

/* A request that got an expected answer: every metric. */
static void http_emit_success(http_target *tt, const http_stamp *sent,
                              const http_times *t, uint32_t flags)
{
  /* A reused connection did no lookup, connect or handshake: emitting
   * zeros for them would drag the statistics down. */
  if (t->connects > 0) {
    http_emit(tt, sent, "dns_ms", http_ms(t->dns), flags);
    http_emit(tt, sent, "connect_ms", http_ms(t->connect - t->dns), flags);
    if (t->tls > 0)
      http_emit(tt, sent, "tls_ms", http_ms(t->tls - t->connect), flags);
  }
  http_emit(tt, sent, "ttfb_ms", http_ms(t->ttfb), flags);
  http_emit(tt, sent, "total_ms", http_ms(t->total), flags);
  http_emit(tt, sent, "http_status", (double)t->status, flags);
  http_emit(tt, sent, "size_bytes", (double)t->size, flags);
}

static void http_failed(http_request *r, CURLcode result, const http_times *t,
                        uint32_t flags)
{
  http_target *tt = r->tt;
  const http_config *cfg = &tt->ctx->cfg;
  char why[CURL_ERROR_SIZE + 64];
  unsigned bit;

  if (result == CURLE_OK) {
    bit = HTTP_WARN_STATUS;
    snprintf(why, sizeof(why), "status %ld is not in expect_status '%s'",
             t->status, cfg->expect_text);
  } else if (r->too_big || result == CURLE_FILESIZE_EXCEEDED) {
    bit = HTTP_WARN_SIZE;
    snprintf(why, sizeof(why), "response body larger than max_bytes (%lld)",
             (long long)cfg->max_bytes);
  } else {
    bit = result == CURLE_OPERATION_TIMEDOUT ? HTTP_WARN_TIMEOUT
                                             : HTTP_WARN_TRANSPORT;
    if (bit == HTTP_WARN_TRANSPORT)
      flags |= BN_SAMPLE_ERROR;
    snprintf(why, sizeof(why), "%s",
             r->error[0] ? r->error : curl_easy_strerror(result));
  }
  http_warn_once(tt, bit, why);
  /* The status line, when one came, is a fact worth keeping. */
  if (t->status > 0)
    http_emit(tt, &r->sent, "http_status", (double)t->status,
              flags & BN_SAMPLE_INVALID);
  http_emit(tt, &r->sent, "total_ms", BN_NOT_MEASURED, flags | BN_SAMPLE_LOST);
}

/* curl is done with r: samples, then r is freed. */
void http_request_done(http_request *r, CURLcode result)
{
  http_target *tt = r->tt;
  http_ctx *c = tt->ctx;
  uint32_t flags = 0;
  http_times t;

  curl_loop_remove(&c->loop, r->easy);
  http_times_get(r->easy, &t);
  /* A suspend or a clock step while in flight voids the timings. */
  if (c->h->api->clock_epoch(c->h) != r->sent.epoch)
    flags |= BN_SAMPLE_INVALID;
  if (result == CURLE_OK && http_expect_has(&c->cfg, t.status))
    http_emit_success(tt, &r->sent, &t, flags);
  else
    http_failed(r, result, &t, flags);
  http_unlink(c, r);
  curl_easy_cleanup(r->easy);
  free(r);
}

void http_request_finished(CURL *easy, CURLcode result, void *arg)
{
  char *priv = NULL;

  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
  if (priv)
    http_request_done((http_request *)priv, result);
}
