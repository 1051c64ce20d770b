/*
 * http.h - shared declarations of the `http` probe (private to the
 * plugin; nothing here is exported from the shared object).
 *
 *   http_options.c  option table, reading and checking the config,
 *                   expect_status lists, target URLs
 *   ../curl-common/curl_loop.c  the curl multi handle on the host's loop
 *   http_request.c  one request: easy handle set-up, results, warnings
 *   http_plugin.c   init/start/stop/destroy and the descriptor
 */
#ifndef BN_PROBE_HTTP_H
#define BN_PROBE_HTTP_H

#include <bottleneck/sdk.h>

#include <curl/curl.h>

#include "curl_loop.h"

/* Status codes an expect_status list may name: 100..599. */
#define HTTP_STATUS_MIN 100
#define HTTP_STATUS_MAX 599

/* Problems warned about once per target, then logged at debug level. */
enum http_warn {
  HTTP_WARN_TRANSPORT = 1u << 0, /* refused, DNS, TLS, local errors */
  HTTP_WARN_TIMEOUT = 1u << 1,
  HTTP_WARN_STATUS = 1u << 2, /* a status outside expect_status */
  HTTP_WARN_SIZE = 1u << 3,   /* a body larger than max_bytes */
};

/* The instance's options, filled by the host (cfg_fill) from
 * http_options and checked by check() and by init(). */
typedef struct http_config {
  int64_t interval_ns;
  int64_t timeout_ns;
  const char *path;
  const char *scheme; /* "http", "https" or NULL: by port */
  const char *method; /* "GET" or "HEAD" */
  int head;           /* method HEAD (else GET) */
  unsigned char expect[(HTTP_STATUS_MAX + 1 + 7) / 8]; /* bit per code */
  const char *expect_text; /* as written, for messages */
  int follow_redirects;
  int insecure;
  const char *ca_file; /* or NULL */
  const char *user_agent;
  const char *proxy; /* or NULL: no proxy, whatever the environment says */
  uint64_t max_bytes;
  int fresh_connect;
} http_config;

struct http_ctx;
struct http_request;

typedef struct http_target {
  struct http_ctx *ctx;
  const bn_target *t;
  char *url;
  bn_timer *tick;
  unsigned warned; /* http_warn bits */
} http_target;

typedef struct http_ctx {
  bn_host *h;
  http_config cfg;
  http_target *targets;
  size_t n_targets;
  curl_loop loop;                /* the multi handle on the host's loop */
  struct http_request *requests; /* in flight */
  int curl_ready;                /* curl_global_init succeeded */
} http_ctx;

/* Times taken when a request is sent. */
typedef struct http_stamp {
  int64_t mono_ns;
  int64_t wall_ns;
  uint64_t epoch;
} http_stamp;

/* One request in flight: one easy handle. */
typedef struct http_request {
  http_target *tt;
  CURL *easy;
  http_stamp sent;
  int64_t received; /* body bytes so far */
  int too_big;      /* aborted: more than max_bytes */
  char error[CURL_ERROR_SIZE];
  struct http_request *prev, *next;
} http_request;

/* http_options.c */
extern const bn_option http_options[];
int http_config_read(bn_host *h, http_config *cfg);
int http_expect_parse(const char *text, unsigned char *bits);
int http_expect_has(const http_config *cfg, long status);
int http_target_url(bn_host *h, const http_config *cfg, const bn_target *t,
                    char **out);
int http_check(bn_host *h);

/* http_request.c */
void http_request_send(http_target *tt);
void http_request_done(http_request *r, CURLcode result);
/* curl_loop's callback: a finished transfer (its request in PRIVATE). */
void http_request_finished(CURL *easy, CURLcode result, void *arg);
void http_request_drop(http_request *r);

#endif
