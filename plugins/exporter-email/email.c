/*
 * email.c - the `email` exporter: the alerts of the webhook exporter
 * (alert.h: one per state change of an episode at or above
 * `min_severity`) as plain-text e-mails a person can read on a phone,
 * sent by SMTP through libcurl (STARTTLS by default, optional AUTH).
 *
 * Delivery as in webhook.c (alert_queue.h): libcurl's multi interface on
 * the core loop,
 * retries with doubling backoff on network errors and 4xx/5xx SMTP
 * replies that are transient (421, 450, 451, 452), none on permanent
 * ones; the changes of one episode go out in order; at the end of the
 * run what is left is sent, blocking, within `flush_timeout`.  Each
 * mail's Message-ID is built from the idempotency key, so a repeat is
 * recognisable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bottleneck/sdk.h>
#include <curl/curl.h>

#include "alert.h"
#include "alert_queue.h"
#include "curl_loop.h"

typedef struct em_config {
  const char *url;
  const char *from;
  const bn_node *to;
  const char *username;
  const char *password;
  const char *tls;
  const char *min_severity;
  int64_t timeout_ns;
  int64_t retries;
  int64_t backoff_ns;
  int64_t backoff_max_ns;
  int64_t window_ns;
  int64_t flush_timeout_ns;
  const bn_node *resolve;
} em_config;

/* A delivery's data: the whole message (CRLF lines) and how far a try
 * has read it. */
typedef struct em_mail {
  struct em_ctx *c;
  char *body;
  size_t body_len, body_at;
} em_mail;

typedef struct em_ctx {
  bn_host *h;
  em_config cfg;
  alert_book book;
  curl_loop loop;
  alert_queue q;
  struct curl_slist *resolve;
  struct curl_slist *rcpt;
} em_ctx;

static const bn_option em_options[] = {
    {.name = "url",
     .type = BN_OPT_STRING,
     .required = 1,
     .help = "the mail server: smtp://HOST[:PORT] or smtps://HOST[:PORT]",
     BN_FIELD(em_config, url)},
    {.name = "from",
     .type = BN_OPT_STRING,
     .required = 1,
     .help = "sender address",
     BN_FIELD(em_config, from)},
    {.name = "to",
     .type = BN_OPT_LIST,
     .required = 1,
     .help = "recipient addresses",
     BN_FIELD(em_config, to)},
    {.name = "username",
     .type = BN_OPT_STRING,
     .help = "SMTP AUTH user (with password)",
     BN_FIELD(em_config, username)},
    {.name = "password",
     .type = BN_OPT_STRING,
     .help = "SMTP AUTH password",
     BN_FIELD(em_config, password)},
    {.name = "tls",
     .type = BN_OPT_STRING,
     .def = "required",
     .help = "STARTTLS: required, try, or none (smtps:// is TLS anyway)",
     BN_FIELD(em_config, tls)},
    {.name = "min_severity",
     .type = BN_OPT_STRING,
     .def = "critical",
     .help = "lowest episode severity sent: warning, or critical (high)",
     BN_FIELD(em_config, min_severity)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "10s",
     .help = "longest wait for one answer",
     BN_FIELD(em_config, timeout_ns)},
    {.name = "retries",
     .type = BN_OPT_INT,
     .def = "5",
     .help = "tries after the first on errors, 408, 429 and 5xx",
     .min = 0,
     .max = 100,
     BN_FIELD(em_config, retries)},
    {.name = "backoff",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "wait before the first retry; doubles each time",
     BN_FIELD(em_config, backoff_ns)},
    {.name = "backoff_max",
     .type = BN_OPT_DURATION,
     .def = "60s",
     .help = "longest wait between retries",
     BN_FIELD(em_config, backoff_max_ns)},
    {.name = "window",
     .type = BN_OPT_DURATION,
     .def = "5m",
     .help = "the context: statistics and events of this long before",
     BN_FIELD(em_config, window_ns)},
    {.name = "flush_timeout",
     .type = BN_OPT_DURATION,
     .def = "15s",
     .help = "at the end of the run, longest time spent on what is queued",
     BN_FIELD(em_config, flush_timeout_ns)},
    {.name = "resolve",
     .type = BN_OPT_LIST,
     .help = "HOST:PORT:ADDRESS items that pin a name to an address "
             "(curl --resolve); consent is still asked for HOST",
     BN_FIELD(em_config, resolve)},
    BN_OPTIONS_END,
};

static int em_url_ok(const char *u)
{
  return u && ((!strncmp(u, "smtp://", 7) && u[7]) ||
               (!strncmp(u, "smtps://", 8) && u[8]));
}

static int em_check_cfg(bn_host *h, const em_config *c)
{
  const bn_node *conf = h->api->config(h);
  bn_severity s;

  if (!em_url_ok(c->url))
    return h->api->cfg_error(h, h->api->cfg_get(conf, "url"),
                             "url: '%s' is not an smtp:// or smtps:// URL",
                             c->url ? c->url : "");
  if (alert_parse_severity(c->min_severity, &s) < 0)
    return h->api->cfg_error(h, h->api->cfg_get(conf, "min_severity"),
                             "min_severity: '%s' is not warning, critical "
                             "or high",
                             c->min_severity);
  if (strcmp(c->tls, "required") && strcmp(c->tls, "try") &&
      strcmp(c->tls, "none"))
    return h->api->cfg_error(h, h->api->cfg_get(conf, "tls"),
                             "tls: '%s' is not required, try or none", c->tls);
  if (!h->api->cfg_len(c->to))
    return h->api->cfg_error(h, h->api->cfg_get(conf, "to"),
                             "to: name at least one recipient");
  if (c->timeout_ns <= 0 || c->backoff_ns <= 0 ||
      c->backoff_max_ns < c->backoff_ns)
    return h->api->cfg_error(h, conf,
                             "timeout and backoff must be above 0, and "
                             "backoff_max at least backoff");
  return BN_OK;
}

static int em_check(bn_host *h)
{
  em_config c;

  memset(&c, 0, sizeof(c));
  if (h->api->cfg_fill(h, &c) < 0)
    return BN_EINVAL;
  return em_check_cfg(h, &c);
}

static size_t em_read(char *p, size_t sz, size_t n, void *arg)
{
  em_mail *m = arg;
  size_t left = m->body_len - m->body_at, k = sz * n;

  if (k > left)
    k = left;
  memcpy(p, m->body + m->body_at, k);
  m->body_at += k;
  return k;
}

static void em_mail_free(void *data)
{
  em_mail *m = data;

  free(m->body);
  free(m);
}

static CURL *em_easy(alert_delivery *d)
{
  em_mail *m = d->data;
  em_ctx *c = m->c;
  CURL *e = curl_easy_init();

  if (!e)
    return NULL;
  m->body_at = 0;
  curl_easy_setopt(e, CURLOPT_URL, c->cfg.url);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
  curl_easy_setopt(e, CURLOPT_PROTOCOLS,
                   (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
  curl_easy_setopt(e, CURLOPT_MAIL_FROM, c->cfg.from);
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT, c->rcpt);
  curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, em_read);
  curl_easy_setopt(e, CURLOPT_READDATA, m);
  curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->body_len);
  curl_easy_setopt(e, CURLOPT_USE_SSL,
                   !strcmp(c->cfg.tls, "required") ? (long)CURLUSESSL_ALL
                   : !strcmp(c->cfg.tls, "try")    ? (long)CURLUSESSL_TRY
                                                   : (long)CURLUSESSL_NONE);
  if (c->cfg.username)
    curl_easy_setopt(e, CURLOPT_USERNAME, c->cfg.username);
  if (c->cfg.password)
    curl_easy_setopt(e, CURLOPT_PASSWORD, c->cfg.password);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(c->cfg.timeout_ns / 1000000));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PRIVATE, d);
  if (c->resolve)
    curl_easy_setopt(e, CURLOPT_RESOLVE, c->resolve);
  return e;
}

/* 1: delivered, 0: try again, -1: give up. */
static int em_outcome(alert_delivery *d, CURLcode rc, long status)
{
  em_ctx *c = ((em_mail *)d->data)->c;

  if (rc == CURLE_OK) {
    bn_debug(c->h, "mailed %s (try %d)", d->key, d->attempts);
    c->q.sent++;
    return 1;
  }
  /* 5xx: the server refuses for good; bad login or no TLS: the profile
   * must change first */
  if ((status >= 500 && status < 600) || rc == CURLE_LOGIN_DENIED ||
      rc == CURLE_USE_SSL_FAILED) {
    bn_warn(c->h, "%s refused alert %s (%s, SMTP %ld); not sent again",
            c->cfg.url, d->key, curl_easy_strerror(rc), status);
    c->q.failed++;
    return -1;
  }
  if (d->attempts > c->cfg.retries) {
    bn_warn(c->h, "alert %s not mailed through %s after %d tries (last: %s)",
            d->key, c->cfg.url, d->attempts, curl_easy_strerror(rc));
    c->q.failed++;
    return -1;
  }
  bn_info(c->h, "alert %s through %s: %s (SMTP %ld); trying again", d->key,
          c->cfg.url, curl_easy_strerror(rc), status);
  return 0;
}

static const alert_queue_ops em_queue_ops = {
    .easy = em_easy,
    .outcome = em_outcome,
    .free_data = em_mail_free,
};

/* Append `s` with LF turned into CRLF. */
static void em_put_crlf(char **buf, size_t *len, size_t *cap, const char *s)
{
  for (; *buf && *s; s++) {
    if (*len + 3 > *cap) {
      char *nb = realloc(*buf, *cap * 2);

      if (!nb) {
        free(*buf);
        *buf = NULL;
        return;
      }
      *buf = nb;
      *cap *= 2;
    }
    if (*s == '\n')
      (*buf)[(*len)++] = '\r';
    (*buf)[(*len)++] = *s;
  }
}

/* The whole message: headers and the plain-text body, CRLF lines. */
static char *em_message(em_ctx *c, const alert_episode *ep, alert_state st,
                        const char *key, size_t *len)
{
  char *subject = NULL, *body = NULL, *m, hdr[1024], date[64];
  size_t cap = 4096, i, n = c->h->api->cfg_len(c->cfg.to);
  time_t now = time(NULL);
  struct tm tm;

  if (alert_text(&c->book, ep, st, key, &subject, &body) < 0)
    return NULL;
  gmtime_r(&now, &tm);
  strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  *len = 0;
  m = malloc(cap);
  snprintf(hdr, sizeof(hdr),
           "From: %s\nDate: %s\nSubject: %s\nMessage-ID: <%s@bottleneck>\n"
           "X-Bottleneck-Idempotency-Key: %s\nMIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n",
           c->cfg.from, date, subject, key, key);
  em_put_crlf(&m, len, &cap, hdr);
  for (i = 0; i < n; i++) {
    snprintf(hdr, sizeof(hdr), "To: %s\n",
             c->h->api->cfg_scalar(c->h->api->cfg_at(c->cfg.to, i)));
    em_put_crlf(&m, len, &cap, hdr);
  }
  em_put_crlf(&m, len, &cap, "\n");
  em_put_crlf(&m, len, &cap, body);
  free(subject);
  free(body);
  if (m)
    m[*len] = '\0';
  return m;
}

static int em_enqueue(em_ctx *c, const alert_episode *ep, alert_state st)
{
  em_mail *m = calloc(1, sizeof(*m));
  char key[200];

  if (!m)
    return BN_ENOMEM;
  m->c = c;
  alert_key(&c->book, ep, st, key, sizeof(key));
  m->body = em_message(c, ep, st, key, &m->body_len);
  if (!m->body) {
    em_mail_free(m);
    return BN_ENOMEM;
  }
  return alert_queue_add(&c->q, ep->seq, key, m);
}

static int em_on_event(void *ctx, const char *source, const bn_event *e)
{
  em_ctx *c = ctx;
  alert_episode *ep;
  alert_state st = alert_book_event(&c->book, source, e, &ep);

  if (st == ALERT_NONE)
    return BN_OK;
  if (em_enqueue(c, ep, st) < 0)
    return BN_ENOMEM;
  /* the change is decided: the next one is compared with it */
  ep->changes++;
  if (st == ALERT_OPENED || st == ALERT_ESCALATED) {
    ep->delivered = 1;
    ep->sent_sev = ep->sev;
  }
  return BN_OK;
}

static int em_on_sample(void *ctx, const char *probe, const bn_metric *m,
                        const bn_sample *s)
{
  em_ctx *c = ctx;

  (void)probe;
  alert_book_sample(&c->book, m, s);
  return BN_OK;
}

/* The end of the run: the loop no longer runs; send what is left here,
 * blocking, within flush_timeout. */
static int em_flush(void *ctx)
{
  alert_queue_flush(&((em_ctx *)ctx)->q);
  return BN_OK;
}

static void em_destroy(void *ctx)
{
  em_ctx *c = ctx;

  if (!c)
    return;
  alert_queue_clear(&c->q);
  if (c->q.loop_open)
    curl_loop_close(&c->loop);
  curl_slist_free_all(c->resolve);
  curl_slist_free_all(c->rcpt);
  alert_book_free(&c->book);
  free(c);
}

static int em_init(bn_host *h, void **ctx)
{
  em_ctx *c = calloc(1, sizeof(*c));
  bn_severity min;
  int rc;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  if (h->api->cfg_fill(h, &c->cfg) < 0 || em_check_cfg(h, &c->cfg) < 0) {
    free(c);
    return BN_EINVAL;
  }
  rc = h->api->consent(h, c->cfg.url);
  if (rc < 0) {
    free(c);
    return rc;
  }
  if (curl_loop_resolve_list(h, c->cfg.resolve, &c->resolve) < 0) {
    em_destroy(c);
    return BN_EINVAL;
  }
  {
    size_t i, n = h->api->cfg_len(c->cfg.to);

    for (i = 0; i < n; i++) {
      const char *v = h->api->cfg_scalar(h->api->cfg_at(c->cfg.to, i));

      if (!v || !strchr(v, '@')) {
        h->api->cfg_error(h, h->api->cfg_at(c->cfg.to, i),
                          "to: '%s' is not an e-mail address", v ? v : "");
        em_destroy(c);
        return BN_EINVAL;
      }
      c->rcpt = curl_slist_append(c->rcpt, v);
    }
  }
  alert_parse_severity(c->cfg.min_severity, &min);
  alert_book_init(&c->book, h, min, c->cfg.window_ns);
  c->q = (alert_queue){.h = h,
                       .loop = &c->loop,
                       .ops = &em_queue_ops,
                       .dest = c->cfg.url,
                       .backoff_ns = c->cfg.backoff_ns,
                       .backoff_max_ns = c->cfg.backoff_max_ns,
                       .timeout_ns = c->cfg.timeout_ns,
                       .flush_timeout_ns = c->cfg.flush_timeout_ns};
  if (curl_loop_open(&c->loop, h, alert_queue_done, &c->q) < 0) {
    em_destroy(c);
    return BN_ENOMEM;
  }
  c->loop.protocols = "smtp,smtps"; /* mail only, never http */
  c->q.loop_open = 1;
  *ctx = c;
  return BN_OK;
}

static const bn_exporter_ops em_ops = {
    BN_INIT(bn_exporter_ops),
    .on_sample = em_on_sample,
    .on_event = em_on_event,
    .flush = em_flush,
};

BN_PLUGIN(.name = "email", .version = "1.0", .kind = BN_KIND_EXPORTER,
          .summary = "alerts by e-mail over SMTP (libcurl)",
          .options = em_options, .init = em_init, .destroy = em_destroy,
          .ops = &em_ops, .check = em_check);
