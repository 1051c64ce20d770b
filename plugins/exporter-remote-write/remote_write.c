/*
 * remote_write.c - the `remote_write` exporter: every sample, as
 * Prometheus remote-write 1.0 (a snappy-compressed WriteRequest
 * protobuf, rw_encode.h), to a receiver: Prometheus with
 * --web.enable-remote-write-receiver, Mimir, Thanos, Cortex,
 * VictoriaMetrics...
 *
 * Path of a sample: on_sample maps it to points named as the prometheus
 * exporter names them (rw_map.h), labelled with target, probe, metric and
 * `agent` (the host name by default), and adds them to the on-disk queue
 * (rw_queue.h, an sqlite file of its own, `queue:`).  A timer commits the
 * queue every `interval` and, when no request is in flight, sends the
 * oldest `batch` points; a full batch is sent at once.
 *
 * Delivery: libcurl's multi interface on the core loop (curl_loop.h).
 * 2xx: the points leave the queue.  A network error, a timeout, 429 or
 * 5xx: the same batch is tried again after `backoff`, doubling up to
 * `backoff_max`, for as long as it takes; meanwhile new points wait in
 * the queue (on disk), and beyond `queue_max` the oldest are dropped and
 * counted.  Any other 4xx: the receiver refused the batch (bad data, out
 * of order...): it is dropped, not sent again, counted and logged with
 * the receiver's reason.
 *
 * The exporter's own counters are sent with the samples every
 * `self_interval` (bottleneck_remote_write_*_total{agent}) and logged at
 * the end of the run.
 *
 * At the end of the run (flush) the loop no longer runs: the queue is
 * sent blocking, within `flush_timeout`; what is left stays in the queue
 * file for the next run.
 *
 * The sqlite work (a few inserts, one commit per interval, WAL with
 * synchronous=NORMAL so a commit does not wait for the disk) runs on the
 * loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bottleneck/sdk.h>
#include <curl/curl.h>

#include "curl_loop.h"
#include "rw_encode.h"
#include "rw_map.h"
#include "rw_queue.h"

typedef struct rw_config {
  const char *url;
  const char *queue;
  int64_t queue_max;
  int64_t batch;
  int64_t interval_ns;
  int64_t timeout_ns;
  int64_t backoff_ns;
  int64_t backoff_max_ns;
  int64_t flush_timeout_ns;
  int64_t self_interval_ns;
  const char *agent;
  const bn_node *resolve;
} rw_config;

/* A label set made once per (probe, target, metric, name). */
typedef struct rw_key {
  struct rw_key *next;
  char *probe, *target, *metric;
  const char *name;
  rw_labels labels;
  int64_t last_ms; /* time of the last point: the next must be later */
} rw_key;

typedef struct rw_ctx {
  bn_host *h;
  rw_config cfg;
  char agent[256];
  rw_queue *q;
  curl_loop loop;
  int loop_open;
  bn_timer *tick, *retry;
  CURL *easy; /* the request in flight */
  struct curl_slist *resolve;
  struct curl_slist *headers;
  rw_batch batch; /* its points (still in the queue) */
  char *body;     /* its encoded body */
  size_t body_len;
  int64_t inflight_id; /* highest queue id of the batch, 0: none */
  int tries;
  int64_t next_backoff_ns;
  char answer[512]; /* start of the receiver's answer */
  size_t answer_len;
  int64_t last_self_ns;
  rw_key **keys;
  size_t n_keys_slots;
  /* counters (this run) */
  uint64_t sent, requests, refused, refusals, retries, dropped, queued,
      reordered;
  int64_t last_self_ms;
  int failing;
  int waiting;           /* the retry timer runs: the tick sends nothing */
  uint64_t dropped_base; /* the queue's drop count when opened */
} rw_ctx;

static const bn_option rw_options[] = {
    {.name = "url",
     .type = BN_OPT_STRING,
     .required = 1,
     .help = "remote-write endpoint, e.g. http://127.0.0.1:9090/api/v1/write",
     BN_FIELD(rw_config, url)},
    {.name = "queue",
     .type = BN_OPT_STRING,
     .required = 1,
     .help = "the on-disk queue, an sqlite file of its own (created)",
     BN_FIELD(rw_config, queue)},
    {.name = "queue_max",
     .type = BN_OPT_INT,
     .def = "1000000",
     .help = "most points kept in the queue; beyond, the oldest are "
             "dropped and counted",
     .min = 100,
     .max = 1e10,
     BN_FIELD(rw_config, queue_max)},
    {.name = "batch",
     .type = BN_OPT_INT,
     .def = "2000",
     .help = "most points in one request",
     .min = 1,
     .max = 100000,
     BN_FIELD(rw_config, batch)},
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "how often the queue is committed and a batch sent",
     .min = 0.01,
     .max = 3600,
     BN_FIELD(rw_config, interval_ns)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "10s",
     .help = "longest wait for one answer",
     .min = 0.1,
     .max = 600,
     BN_FIELD(rw_config, timeout_ns)},
    {.name = "backoff",
     .type = BN_OPT_DURATION,
     .def = "500ms",
     .help = "wait before the first retry; doubles each time",
     .min = 0.01,
     .max = 3600,
     BN_FIELD(rw_config, backoff_ns)},
    {.name = "backoff_max",
     .type = BN_OPT_DURATION,
     .def = "30s",
     .help = "longest wait between retries",
     .min = 0.01,
     .max = 3600,
     BN_FIELD(rw_config, backoff_max_ns)},
    {.name = "flush_timeout",
     .type = BN_OPT_DURATION,
     .def = "10s",
     .help = "at the end of the run, longest time spent sending the queue",
     .min = 0,
     .max = 3600,
     BN_FIELD(rw_config, flush_timeout_ns)},
    {.name = "self_interval",
     .type = BN_OPT_DURATION,
     .def = "15s",
     .help = "how often the exporter's own counters are sent",
     .min = 1,
     .max = 86400,
     BN_FIELD(rw_config, self_interval_ns)},
    {.name = "agent",
     .type = BN_OPT_STRING,
     .help = "value of the agent label (default: the host name)",
     BN_FIELD(rw_config, agent)},
    {.name = "resolve",
     .type = BN_OPT_LIST,
     .help = "HOST:PORT:ADDRESS items that pin a name to an address "
             "(curl --resolve); consent is still asked for HOST",
     BN_FIELD(rw_config, resolve)},
    BN_OPTIONS_END,
};

static int rw_url_ok(const char *u)
{
  return u && (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8)) &&
         u[strcspn(u, ":") + 3] != '\0';
}

static int rw_check_cfg(bn_host *h, const rw_config *c)
{
  const bn_node *conf = h->api->config(h);

  if (!rw_url_ok(c->url))
    return h->api->cfg_error(h, h->api->cfg_get(conf, "url"),
                             "url: '%s' is not an http:// or https:// URL "
                             "(e.g. http://127.0.0.1:9090/api/v1/write)",
                             c->url ? c->url : "");
  if (!c->queue || !c->queue[0])
    return h->api->cfg_error(h, h->api->cfg_get(conf, "queue"),
                             "queue: give a file path for the on-disk queue");
  {
    /* the directory must be there and writable: say so before the run */
    char dir[4096];
    const char *slash = strrchr(c->queue, '/');

    if (!slash)
      snprintf(dir, sizeof(dir), ".");
    else
      snprintf(dir, sizeof(dir), "%.*s",
               (int)(slash == c->queue ? 1 : slash - c->queue), c->queue);
    if (access(dir, W_OK | X_OK) < 0)
      return h->api->cfg_error(h, h->api->cfg_get(conf, "queue"),
                               "queue: cannot make %s in %s: %s; create the "
                               "directory or give another path",
                               c->queue, dir, strerror(errno));
  }
  if (c->resolve) {
    size_t i, n = h->api->cfg_len(c->resolve);

    for (i = 0; i < n; i++) {
      const bn_node *it = h->api->cfg_at(c->resolve, i);
      const char *v = h->api->cfg_scalar(it);

      if (!v || !strchr(v, ':'))
        return h->api->cfg_error(
            h, it, "resolve: '%s' is not HOST:PORT:ADDRESS", v ? v : "");
    }
  }
  if (c->agent && !c->agent[0])
    return h->api->cfg_error(h, h->api->cfg_get(conf, "agent"),
                             "agent: must not be empty");
  if (c->backoff_max_ns < c->backoff_ns)
    return h->api->cfg_error(h, h->api->cfg_get(conf, "backoff_max"),
                             "backoff_max must be at least backoff");
  if (c->batch > c->queue_max)
    return h->api->cfg_error(h, h->api->cfg_get(conf, "batch"),
                             "batch (%lld) must not exceed queue_max (%lld)",
                             (long long)c->batch, (long long)c->queue_max);
  return BN_OK;
}

static int rw_check(bn_host *h)
{
  rw_config c;

  memset(&c, 0, sizeof(c));
  if (h->api->cfg_fill(h, &c) < 0)
    return BN_EINVAL;
  return rw_check_cfg(h, &c);
}

/* ---- label sets ---------------------------------------------------- */

static uint64_t rw_hash4(const char *a, const char *b, const char *c,
                         const char *d)
{
  const char *v[4] = {a, b, c, d};
  uint64_t h = 14695981039346656037ull;
  int i;

  for (i = 0; i < 4; i++) {
    const unsigned char *p = (const unsigned char *)v[i];

    for (; *p; p++)
      h = (h ^ *p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  return h;
}

/* The label set of one point, made on first sight. */
static rw_key *rw_key_get(rw_ctx *c, const char *probe, const bn_metric *m,
                          const bn_sample *s, const rw_mapped *mp)
{
  size_t slot =
      rw_hash4(probe, s->target, m->name, mp->name) % c->n_keys_slots;
  rw_key *k;
  const char *kv[14];
  size_t n = 5;

  for (k = c->keys[slot]; k; k = k->next)
    if (k->name == mp->name && !strcmp(k->metric, m->name) &&
        !strcmp(k->target, s->target) && !strcmp(k->probe, probe))
      return k;
  k = calloc(1, sizeof(*k));
  if (!k)
    return NULL;
  k->probe = strdup(probe);
  k->target = strdup(s->target);
  k->metric = strdup(m->name);
  k->name = mp->name;
  kv[0] = "__name__";
  kv[1] = mp->name;
  kv[2] = "agent";
  kv[3] = c->agent;
  kv[4] = "target";
  kv[5] = s->target;
  kv[6] = "probe";
  kv[7] = probe;
  kv[8] = "metric";
  kv[9] = m->name;
  if (mp->role_unit) {
    kv[10] = "role";
    kv[11] = bn_role_name(m->role);
    kv[12] = "unit";
    kv[13] = m->unit ? m->unit : "";
    n = 7;
  }
  if (!k->probe || !k->target || !k->metric ||
      rw_labels_pack(kv, n, &k->labels) < 0) {
    free(k->probe);
    free(k->target);
    free(k->metric);
    free(k->labels.data);
    free(k);
    return NULL;
  }
  k->last_ms = INT64_MIN;
  k->next = c->keys[slot];
  c->keys[slot] = k;
  return k;
}

/* ---- sending -------------------------------------------------------- */

static size_t rw_answer(char *p, size_t sz, size_t n, void *arg)
{
  rw_ctx *c = arg;
  size_t len = sz * n, room = sizeof(c->answer) - 1 - c->answer_len;

  if (len < room)
    room = len;
  memcpy(c->answer + c->answer_len, p, room);
  c->answer_len += room;
  c->answer[c->answer_len] = '\0';
  return len;
}

static CURL *rw_easy(rw_ctx *c)
{
  CURL *e = curl_easy_init();

  if (!e)
    return NULL;
  c->answer_len = 0;
  c->answer[0] = '\0';
  curl_easy_setopt(e, CURLOPT_URL, c->cfg.url);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)c->body_len);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(c->cfg.timeout_ns / 1000000));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "bottleneck-remote-write/1.0");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, rw_answer);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
  if (c->resolve)
    curl_easy_setopt(e, CURLOPT_RESOLVE, c->resolve);
  return e;
}

/* Drop the batch in flight from memory (its points stay in the queue
 * unless acknowledged). */
static void rw_batch_done(rw_ctx *c)
{
  rw_batch_free(&c->batch);
  free(c->body);
  c->body = NULL;
  c->body_len = 0;
  c->inflight_id = 0;
  c->tries = 0;
}

/* Read and encode the oldest points; 1: a batch is ready, 0: none. */
static int rw_prepare(rw_ctx *c)
{
  long n = rw_queue_peek(c->q, (size_t)c->cfg.batch, &c->batch);

  if (n < 0) {
    bn_error(c->h, "cannot read the queue %s: %s", c->cfg.queue,
             rw_queue_error(c->q));
    return 0;
  }
  if (n == 0)
    return 0;
  if (rw_encode(c->batch.pts, c->batch.n, &c->body, &c->body_len, NULL) < 0) {
    bn_error(c->h, "cannot encode %ld points (out of memory)", n);
    rw_batch_free(&c->batch);
    return 0;
  }
  c->inflight_id = c->batch.last_id;
  c->tries = 0;
  c->next_backoff_ns = c->cfg.backoff_ns;
  return 1;
}

/* What an answer means: 1 delivered, 0 try again, -1 refused. */
static int rw_outcome(rw_ctx *c, CURLcode rc, long status)
{
  size_t n = c->batch.n;

  c->requests++;
  if (rc == CURLE_OK && status >= 200 && status < 300) {
    if (c->failing)
      bn_warn(c->h,
              "%s accepts again after %d tries; sending the queue "
              "(%llu points)",
              c->cfg.url, c->tries, (unsigned long long)rw_queue_len(c->q));
    c->failing = 0;
    c->sent += n;
    return 1;
  }
  if (rc == CURLE_OK && status >= 400 && status < 500 && status != 408 &&
      status != 429) {
    char *nl;
    size_t len = strlen(c->answer);

    while (len && strchr(" \t\r\n", c->answer[len - 1]))
      c->answer[--len] = '\0';
    while ((nl = strpbrk(c->answer, "\r\n")) != NULL)
      *nl = ' ';
    c->refused += n;
    c->refusals++;
    /* the first refusals, then one in a hundred: a receiver that refuses
     * everything must not flood the log */
    c->h->api->log(
        c->h,
        c->refusals <= 3 || c->refusals % 100 == 0 ? BN_LOG_WARNING
                                                   : BN_LOG_DEBUG,
        "%s refused %zu points with HTTP %ld (%s); dropped, not "
        "sent again (%llu refusals, %llu points so far)",
        c->cfg.url, n, status, c->answer[0] ? c->answer : "no reason given",
        (unsigned long long)c->refusals, (unsigned long long)c->refused);
    return -1;
  }
  if (!c->failing)
    bn_warn(c->h,
            "%s: %s; keeping the points queued and trying again "
            "(backoff from %.3g s)",
            c->cfg.url, rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP error",
            c->cfg.backoff_ns / 1e9);
  else
    bn_debug(c->h, "%s: %s (HTTP %ld), try %d", c->cfg.url,
             rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP error", status,
             c->tries);
  c->failing = 1;
  c->retries++;
  return 0;
}

static void rw_ack(rw_ctx *c)
{
  if (rw_queue_ack(c->q, c->inflight_id) < 0)
    bn_error(c->h, "cannot update the queue %s: %s", c->cfg.queue,
             rw_queue_error(c->q));
}

static void rw_send(rw_ctx *c);

static void rw_retry_cb(bn_timer *t, void *arg)
{
  rw_ctx *c = arg;

  c->waiting = 0;
  rw_send(c);
}

static void rw_done(CURL *easy, CURLcode rc, void *arg)
{
  rw_ctx *c = arg;
  long status = 0;
  int o;

  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_loop_remove(&c->loop, easy);
  curl_easy_cleanup(easy);
  c->easy = NULL;
  o = rw_outcome(c, rc, status);
  if (o != 0) {
    rw_ack(c);
    rw_batch_done(c);
    /* a backlog goes out at once, a full batch after the other */
    if (rw_queue_len(c->q) >= (uint64_t)c->cfg.batch)
      rw_send(c);
    return;
  }
  if (!c->retry)
    c->retry =
        c->h->api->timer_start(c->h, c->next_backoff_ns, 0, rw_retry_cb, c);
  else
    c->h->api->timer_again(c->retry, c->next_backoff_ns, 0);
  c->waiting = c->retry != NULL; /* else the next tick tries again */
  c->next_backoff_ns *= 2;
  if (c->next_backoff_ns > c->cfg.backoff_max_ns)
    c->next_backoff_ns = c->cfg.backoff_max_ns;
}

/* Send the batch in flight (again), or the next one. */
static void rw_send(rw_ctx *c)
{
  if (c->easy)
    return;
  if (!c->inflight_id && !rw_prepare(c))
    return;
  c->easy = rw_easy(c);
  if (!c->easy)
    return; /* out of memory: the next tick tries again */
  c->tries++;
  if (curl_loop_add(&c->loop, c->easy) < 0) {
    curl_easy_cleanup(c->easy);
    c->easy = NULL;
  }
}

/* ---- the queue side ------------------------------------------------- */

static void rw_add(rw_ctx *c, const rw_labels *l, int64_t ts_ms, double v)
{
  if (rw_queue_add(c->q, l, ts_ms, v) < 0) {
    bn_error(c->h, "cannot queue a point in %s: %s", c->cfg.queue,
             rw_queue_error(c->q));
    return;
  }
  c->queued++;
}

static void rw_commit(rw_ctx *c)
{
  int64_t d = rw_queue_commit(c->q, c->inflight_id);

  if (d < 0) {
    bn_error(c->h, "cannot commit the queue %s: %s", c->cfg.queue,
             rw_queue_error(c->q));
    return;
  }
  /* drops happen here and when sent points are acknowledged */
  if (rw_queue_dropped(c->q) - c->dropped_base > c->dropped) {
    if (!c->dropped)
      bn_warn(c->h,
              "queue full (queue_max %lld points): dropping the oldest "
              "(bottleneck_remote_write_dropped_total counts them)",
              (long long)c->cfg.queue_max);
    c->dropped = rw_queue_dropped(c->q) - c->dropped_base;
  }
}

/* The exporter's own counters, as points of their own. */
static void rw_self(rw_ctx *c, int64_t now_ns)
{
  static const char *const names[] = {
      "bottleneck_remote_write_samples_total",
      "bottleneck_remote_write_sent_total",
      "bottleneck_remote_write_refused_total",
      "bottleneck_remote_write_dropped_total",
      "bottleneck_remote_write_retries_total",
      "bottleneck_remote_write_queue_points",
      "bottleneck_remote_write_reordered_total",
  };
  double v[7];
  int64_t ms = now_ns / 1000000;
  size_t i;

  v[0] = (double)c->queued;
  v[1] = (double)c->sent;
  v[2] = (double)c->refused;
  v[3] = (double)c->dropped;
  v[4] = (double)c->retries;
  v[5] = (double)rw_queue_len(c->q);
  v[6] = (double)c->reordered;
  if (ms <= c->last_self_ms)
    ms = c->last_self_ms + 1;
  c->last_self_ms = ms;
  for (i = 0; i < 7; i++) {
    const char *kv[4] = {"__name__", names[i], "agent", c->agent};
    rw_labels l;

    if (rw_labels_pack(kv, 2, &l) < 0)
      return;
    if (rw_queue_add(c->q, &l, ms, v[i]) < 0)
      bn_error(c->h, "cannot queue a point in %s: %s", c->cfg.queue,
               rw_queue_error(c->q));
    free(l.data);
  }
  c->last_self_ns = now_ns;
}

static void rw_tick(bn_timer *t, void *arg)
{
  rw_ctx *c = arg;
  int64_t now = c->h->api->now_wall_ns(c->h);

  if (now - c->last_self_ns >= c->cfg.self_interval_ns)
    rw_self(c, now);
  rw_commit(c);
  if (!c->waiting)
    rw_send(c);
}

static int rw_on_sample(void *ctx, const char *probe, const bn_metric *m,
                        const bn_sample *s)
{
  rw_ctx *c = ctx;
  rw_mapped mp[RW_MAP_MAX];
  int n = rw_map_sample(m, s, mp), i;
  int64_t ts = s->wall_ns ? s->wall_ns : c->h->api->now_wall_ns(c->h);

  for (i = 0; i < n; i++) {
    rw_key *k = rw_key_get(c, probe, m, s, &mp[i]);
    int64_t ms = ts / 1000000;

    if (!k)
      return BN_ENOMEM;
    /* Prometheus refuses a whole request with a point older than (or as
     * old as) the series' last one; a lost probe, reported at its
     * timeout, comes after later answers: send it just after them. */
    if (ms <= k->last_ms) {
      ms = k->last_ms + 1;
      c->reordered++;
    }
    k->last_ms = ms;
    rw_add(c, &k->labels, ms, mp[i].value);
  }
  return BN_OK;
}

/* ---- end of run ----------------------------------------------------- */

static int64_t rw_mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void rw_sleep_ms(int64_t ms)
{
  struct timespec ts;

  if (ms <= 0)
    return;
  ts.tv_sec = (time_t)(ms / 1000);
  ts.tv_nsec = (long)(ms % 1000) * 1000000;
  nanosleep(&ts, NULL);
}

/* The loop no longer runs: send the queue here, blocking. */
static int rw_flush(void *ctx)
{
  rw_ctx *c = ctx;
  int64_t deadline = rw_mono_ms() + c->cfg.flush_timeout_ns / 1000000;

  /* A request in flight is finished, not cut short: the receiver may
   * have taken it already, and Prometheus refuses a batch sent again
   * whose points are older than what it holds ("out of order").  The
   * loop no longer runs, so libcurl is driven here; rw_done may start
   * the next batch, which is waited for too. */
  while (c->easy && rw_mono_ms() < deadline) {
    CURLMsg *msg;
    int running = 0, left = 0;

    curl_multi_perform(c->loop.multi, &running);
    while ((msg = curl_multi_info_read(c->loop.multi, &left)) != NULL)
      if (msg->msg == CURLMSG_DONE) {
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result;

        rw_done(easy, result, c);
        break; /* msg is gone once the handle is removed */
      }
    if (c->easy)
      curl_multi_poll(c->loop.multi, NULL, 0, 50, NULL);
  }
  if (c->retry) {
    c->h->api->timer_free(c->retry);
    c->retry = NULL;
  }
  c->waiting = 0;
  if (c->easy) { /* flush_timeout reached: the points stay queued */
    curl_loop_remove(&c->loop, c->easy);
    curl_easy_cleanup(c->easy);
    c->easy = NULL;
  }
  rw_self(c, c->h->api->now_wall_ns(c->h));
  rw_commit(c);
  for (;;) {
    int64_t left = deadline - rw_mono_ms();
    CURLcode rc;
    long status = 0;
    CURL *e;
    int o;

    if (!c->inflight_id && !rw_prepare(c))
      break;
    if (left <= 0)
      break;
    e = rw_easy(c);
    if (!e)
      break;
    if (left < c->cfg.timeout_ns / 1000000)
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left);
    curl_loop_restrict(e, NULL);
    c->tries++;
    rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    o = rw_outcome(c, rc, status);
    if (o != 0) {
      rw_ack(c);
      rw_batch_done(c);
      continue;
    }
    left = deadline - rw_mono_ms();
    rw_sleep_ms(c->next_backoff_ns / 1000000 < left
                    ? c->next_backoff_ns / 1000000
                    : left);
    c->next_backoff_ns *= 2;
    if (c->next_backoff_ns > c->cfg.backoff_max_ns)
      c->next_backoff_ns = c->cfg.backoff_max_ns;
  }
  if (c->inflight_id)
    rw_batch_done(c);
  bn_info(c->h,
          "%llu points queued this run, %llu sent in %llu requests, %llu "
          "refused, %llu dropped (queue full), %llu retries, %llu moved "
          "after a later point",
          (unsigned long long)c->queued, (unsigned long long)c->sent,
          (unsigned long long)c->requests, (unsigned long long)c->refused,
          (unsigned long long)c->dropped, (unsigned long long)c->retries,
          (unsigned long long)c->reordered);
  if (rw_queue_len(c->q))
    bn_warn(c->h, "%llu points not sent yet stay in %s for the next run",
            (unsigned long long)rw_queue_len(c->q), c->cfg.queue);
  return BN_OK;
}

static void rw_destroy(void *ctx)
{
  rw_ctx *c = ctx;
  size_t i;

  if (!c)
    return;
  if (c->retry)
    c->h->api->timer_free(c->retry);
  if (c->tick)
    c->h->api->timer_free(c->tick);
  if (c->easy) {
    curl_loop_remove(&c->loop, c->easy);
    curl_easy_cleanup(c->easy);
  }
  if (c->loop_open)
    curl_loop_close(&c->loop);
  rw_batch_done(c);
  curl_slist_free_all(c->headers);
  curl_slist_free_all(c->resolve);
  rw_queue_close(c->q);
  for (i = 0; c->keys && i < c->n_keys_slots; i++) {
    rw_key *k = c->keys[i], *n;

    for (; k; k = n) {
      n = k->next;
      free(k->probe);
      free(k->target);
      free(k->metric);
      free(k->labels.data);
      free(k);
    }
  }
  free(c->keys);
  free(c);
}

static int rw_init(bn_host *h, void **ctx)
{
  rw_ctx *c = calloc(1, sizeof(*c));
  char err[512];
  int rc;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  if (h->api->cfg_fill(h, &c->cfg) < 0 || rw_check_cfg(h, &c->cfg) < 0) {
    free(c);
    return BN_EINVAL;
  }
  /* Off this machine only with consent (loopback needs none). */
  rc = h->api->consent(h, c->cfg.url);
  if (rc < 0) {
    free(c);
    return rc;
  }
  /* (rw_check_cfg checked the items) */
  curl_loop_resolve_list(h, c->cfg.resolve, &c->resolve);
  if (c->cfg.agent)
    snprintf(c->agent, sizeof(c->agent), "%s", c->cfg.agent);
  else if (gethostname(c->agent, sizeof(c->agent) - 1) < 0 || !c->agent[0])
    snprintf(c->agent, sizeof(c->agent), "unknown");
  c->n_keys_slots = 1024;
  c->keys = calloc(c->n_keys_slots, sizeof(*c->keys));
  c->headers = curl_slist_append(NULL, "Content-Encoding: snappy");
  if (c->headers)
    c->headers =
        curl_slist_append(c->headers, "Content-Type: application/x-protobuf");
  if (c->headers)
    c->headers = curl_slist_append(c->headers,
                                   "X-Prometheus-Remote-Write-Version: 0.1.0");
  if (!c->keys || !c->headers) {
    rw_destroy(c);
    return BN_ENOMEM;
  }
  c->q = rw_queue_open(c->cfg.queue, (uint64_t)c->cfg.queue_max, err,
                       sizeof(err));
  if (!c->q) {
    h->api->cfg_error(h, h->api->cfg_get(h->api->config(h), "queue"),
                      "queue: %s", err);
    rw_destroy(c);
    return BN_EIO;
  }
  c->dropped_base = rw_queue_dropped(c->q);
  if (rw_queue_len(c->q))
    bn_info(h, "%llu points left by an earlier run in %s are sent first",
            (unsigned long long)rw_queue_len(c->q), c->cfg.queue);
  if (curl_loop_open(&c->loop, h, rw_done, c) < 0) {
    rw_destroy(c);
    return BN_ENOMEM;
  }
  c->loop_open = 1;
  c->tick = h->api->timer_start(h, c->cfg.interval_ns, c->cfg.interval_ns,
                                rw_tick, c);
  if (!c->tick) {
    rw_destroy(c);
    return BN_ENOMEM;
  }
  c->last_self_ns = h->api->now_wall_ns(h);
  *ctx = c;
  return BN_OK;
}

static const bn_exporter_ops rw_ops = {
    BN_INIT(bn_exporter_ops),
    .on_sample = rw_on_sample,
    .flush = rw_flush,
};

BN_PLUGIN(.name = "remote_write", .version = "1.0", .kind = BN_KIND_EXPORTER,
          .summary = "Prometheus remote write 1.0 with an on-disk queue "
                     "(libcurl, protobuf-c, snappy, sqlite)",
          .options = rw_options, .init = rw_init, .destroy = rw_destroy,
          .ops = &rw_ops, .check = rw_check);
