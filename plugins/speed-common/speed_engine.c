/*
 * speed_engine.c - the phases of an HTTP speed test (see speed_engine.h)
 * on a curl multi handle driven by the host loop.
 */
#include "speed_engine.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "curl_loop.h"
#include "plugin_common.h"

#define SPEED_MAX_STREAMS 64
#define SPEED_MAX_PINGS   4096
#define SPEED_URL_MAX     2048
#define SPEED_BODY_LEN    (1u << 20)
/* A request faster than this asks for twice as much next time. */
#define SPEED_GROW_NS (500 * 1000000LL)
#define SPEED_TICK_NS (250 * 1000000LL)

typedef struct speed_stream {
  struct speed_engine *e;
  CURL *easy;
  int busy;
  uint64_t size;    /* bytes of the request in flight */
  uint64_t offset;  /* upload: bytes handed to curl so far */
  int64_t t0;       /* start of the request in flight */
  curl_socket_t fd; /* the stream's connection (SOCKOPTFUNCTION) */
  uint64_t next;    /* size of its next upload request */
  char url[SPEED_URL_MAX];
} speed_stream;

/* Ping samples of one phase. */
typedef struct speed_pings {
  double ms[SPEED_MAX_PINGS];
  size_t n;
} speed_pings;

struct speed_engine {
  bn_host *h;
  const speed_plan *plan;
  bn_speedtest_request req;
  bn_speedtest_done_fn done;
  void *done_arg;
  curl_loop loop;
  bn_speedtest_phase phase;
  speed_stream streams[SPEED_MAX_STREAMS];
  int n_streams;
  CURL *ping;
  int ping_busy;
  int idle_left; /* idle pings still to send (incl. the warm-up) */
  speed_pings idle, loaded_down, loaded_up;
  bn_timer *phase_timer, *ping_timer, *tick_timer, *finish_timer;
  int64_t phase_t0;
  uint64_t phase_bytes; /* download: received; upload: confirmed */
  int64_t up_last_done; /* upload: when the last request completed */
  uint64_t tick_bytes;
  int64_t tick_t0;
  uint64_t down_size, up_size;  /* next request sizes */
  unsigned char *body;          /* generated upload bytes */
  struct curl_slist *no_expect; /* "Expect:" header: send bodies at once */
  bn_speedtest_result res;
  char err[512];
  int finished;
};

static void speed_next_phase(speed_engine *e);
static void speed_fail(speed_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int64_t speed_now(speed_engine *e)
{
  return e->h->api->now_mono_ns(e->h);
}

static void speed_common_opts(speed_engine *e, CURL *easy)
{
  const speed_plan *p = e->plan;

  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROXY, ""); /* never the environment's */
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "bottleneck-speedtest/1");
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, NULL); /* raw bytes */
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   (long)(p->connect_timeout_ns / 1000000));
  if (p->ca_file)
    curl_easy_setopt(easy, CURLOPT_CAINFO, p->ca_file);
  if (p->insecure) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

/* ---- finishing ---------------------------------------------------- */

static void speed_stop_streams(speed_engine *e)
{
  int i;

  for (i = 0; i < e->n_streams; i++) {
    speed_stream *s = &e->streams[i];

    if (s->easy) {
      curl_loop_remove(&e->loop, s->easy);
      curl_easy_cleanup(s->easy);
    }
    s->easy = NULL;
    s->busy = 0;
  }
  e->n_streams = 0;
}

static void speed_stop_timers(speed_engine *e)
{
  const bn_host_api *api = e->h->api;

  api->timer_free(e->phase_timer);
  api->timer_free(e->ping_timer);
  api->timer_free(e->tick_timer);
  e->phase_timer = e->ping_timer = e->tick_timer = NULL;
}

static void speed_stop_ping(speed_engine *e)
{
  if (e->ping && e->ping_busy)
    curl_loop_remove(&e->loop, e->ping);
  e->ping_busy = 0;
}

static void speed_teardown(speed_engine *e)
{
  speed_stop_timers(e);
  e->h->api->timer_free(e->finish_timer);
  e->finish_timer = NULL;
  speed_stop_streams(e);
  speed_stop_ping(e);
  if (e->ping)
    curl_easy_cleanup(e->ping);
  e->ping = NULL;
  curl_loop_close(&e->loop);
}

static void speed_on_finish(bn_timer *t, void *arg)
{
  speed_engine *e = arg;

  e->finish_timer = NULL;
  e->res.server = e->plan->server;
  e->res.error = e->res.status ? e->err : NULL;
  /* done() may free the engine (speed_engine_free): call it last. */
  e->done(&e->res, e->done_arg);
}

/* End the test: stop everything now, report on the next loop turn. */
static void speed_finish(speed_engine *e)
{
  if (e->finished)
    return;
  e->finished = 1;
  speed_stop_timers(e);
  speed_stop_streams(e);
  speed_stop_ping(e);
  e->finish_timer = e->h->api->timer_start(e->h, 0, 0, speed_on_finish, e);
  if (!e->finish_timer)
    bn_error(e->h, "cannot schedule the end of the test");
}

static void speed_fail(speed_engine *e, const char *fmt, ...)
{
  va_list ap;

  if (e->finished)
    return;
  va_start(ap, fmt);
  vsnprintf(e->err, sizeof(e->err), fmt, ap);
  va_end(ap);
  e->res.status = BN_EIO;
  speed_finish(e);
}

/* ---- pings -------------------------------------------------------- */

static void speed_send_ping(speed_engine *e)
{
  if (e->ping_busy || e->finished)
    return;
  if (curl_loop_add(&e->loop, e->ping) != 0) {
    speed_fail(e, "cannot start a latency request");
    return;
  }
  e->ping_busy = 1;
}

static speed_pings *speed_ping_bucket(speed_engine *e)
{
  switch (e->phase) {
  case BN_PHASE_DOWNLOAD:
    return &e->loaded_down;
  case BN_PHASE_UPLOAD:
    return &e->loaded_up;
  default:
    return &e->idle;
  }
}

static void speed_ping_done(speed_engine *e, CURLcode rc)
{
  curl_off_t pre = 0, total = 0;
  long code = 0;
  speed_pings *b = speed_ping_bucket(e);

  curl_loop_remove(&e->loop, e->ping);
  e->ping_busy = 0;
  curl_easy_getinfo(e->ping, CURLINFO_RESPONSE_CODE, &code);
  if (rc != CURLE_OK) {
    speed_fail(e, "latency request to %s: %s", e->plan->ping_url,
               curl_easy_strerror(rc));
    return;
  }
  if (code >= 400) {
    speed_fail(e, "latency request to %s: HTTP %ld", e->plan->ping_url, code);
    return;
  }
  /* Request sent to answer complete: one round trip plus server time,
   * without the connection set-up (the warm-up request paid for it). */
  curl_easy_getinfo(e->ping, CURLINFO_PRETRANSFER_TIME_T, &pre);
  curl_easy_getinfo(e->ping, CURLINFO_TOTAL_TIME_T, &total);
  if (e->phase == BN_PHASE_LATENCY) {
    if (e->idle_left-- < e->plan->pings + 1 && b->n < SPEED_MAX_PINGS)
      b->ms[b->n++] = (double)(total - pre) / 1000.0;
    if (e->idle_left > 0)
      speed_send_ping(e);
    else
      speed_next_phase(e);
    return;
  }
  if (b->n < SPEED_MAX_PINGS)
    b->ms[b->n++] = (double)(total - pre) / 1000.0;
}

static void speed_on_ping_timer(bn_timer *t, void *arg)
{
  speed_send_ping(arg);
}

/* ---- transfers ---------------------------------------------------- */

static size_t speed_on_data(char *ptr, size_t size, size_t n, void *arg)
{
  speed_stream *s = arg;

  s->e->phase_bytes += size * n;
  return size * n;
}

static size_t speed_on_read(char *buf, size_t size, size_t n, void *arg)
{
  speed_stream *s = arg;
  size_t want = size * n, off, chunk;

  if (s->offset >= s->size)
    return 0;
  if (want > s->size - s->offset)
    want = (size_t)(s->size - s->offset);
  off = (size_t)(s->offset % SPEED_BODY_LEN);
  chunk = SPEED_BODY_LEN - off;
  if (want > chunk)
    want = chunk;
  memcpy(buf, s->e->body + off, want);
  s->offset += want;
  return want;
}

static size_t speed_discard(char *ptr, size_t size, size_t n, void *arg)
{
  return size * n;
}

/* Remember each stream's socket, for SIOCOUTQ at the end of a phase.  A
 * stream that starts its next request reuses the connection it just
 * freed: every other one is busy. */
static int speed_on_sockopt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
  speed_stream *s = arg;

  s->fd = fd;
  return CURL_SOCKOPT_OK;
}

static int speed_request(speed_engine *e, speed_stream *s)
{
  const speed_plan *p = e->plan;

  if (!s->easy) {
    s->easy = curl_easy_init();
    if (!s->easy)
      return BN_ENOMEM;
    speed_common_opts(e, s->easy);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (char *)s);
    curl_easy_setopt(s->easy, CURLOPT_SOCKOPTFUNCTION, speed_on_sockopt);
    curl_easy_setopt(s->easy, CURLOPT_SOCKOPTDATA, s);
    s->fd = CURL_SOCKET_BAD;
    s->next = e->up_size;
  }
  if (e->phase == BN_PHASE_DOWNLOAD) {
    if (p->down_url) {
      s->size = p->down_url(p->arg, e->down_size, s->url, sizeof(s->url));
      if (!s->size)
        return BN_EINVAL;
    } else {
      snprintf(s->url, sizeof(s->url), "%s", p->down_fixed);
    }
    curl_easy_setopt(s->easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, speed_on_data);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
  } else {
    snprintf(s->url, sizeof(s->url), "%s", p->up_url);
    s->size = s->next;
    s->offset = 0;
    curl_easy_setopt(s->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)s->size);
    curl_easy_setopt(s->easy, CURLOPT_READFUNCTION, speed_on_read);
    curl_easy_setopt(s->easy, CURLOPT_READDATA, s);
    /* No "Expect: 100-continue": a server that does not answer it would
     * cost every request a second of silence. */
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, e->no_expect);
    /* The answer is not measured: drop it. */
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, speed_discard);
  }
  curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
  s->t0 = speed_now(e);
  if (curl_loop_add(&e->loop, s->easy) != 0)
    return BN_ERR;
  s->busy = 1;
  return 0;
}

static void speed_stream_done(speed_engine *e, speed_stream *s, CURLcode rc)
{
  int down = e->phase == BN_PHASE_DOWNLOAD;
  int64_t took = speed_now(e) - s->t0;
  curl_off_t sent = 0;
  long code = 0;

  curl_loop_remove(&e->loop, s->easy);
  s->busy = 0;
  curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
  if (rc != CURLE_OK) {
    speed_fail(e, "%s %s: %s", down ? "download from" : "upload to", s->url,
               curl_easy_strerror(rc));
    return;
  }
  if (code >= 400 || code == 0) {
    speed_fail(e, "%s %s: HTTP %ld", down ? "download from" : "upload to",
               s->url, code);
    return;
  }
  if (!down) {
    curl_easy_getinfo(s->easy, CURLINFO_SIZE_UPLOAD_T, &sent);
    e->phase_bytes += (uint64_t)sent;
    e->up_last_done = speed_now(e);
    if (took < SPEED_GROW_NS && s->next < e->plan->up_max)
      s->next *= 2;
  } else if (took < SPEED_GROW_NS && e->down_size < e->plan->down_max) {
    e->down_size *= 2;
  }
  if (speed_request(e, s) != 0)
    speed_fail(e, "cannot start the next request to %s", s->url);
}

static void speed_on_done(CURL *easy, CURLcode rc, void *arg)
{
  speed_engine *e = arg;
  char *priv = NULL;

  if (e->finished)
    return;
  if (easy == e->ping) {
    speed_ping_done(e, rc);
    return;
  }
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
  if (priv)
    speed_stream_done(e, (speed_stream *)priv, rc);
}

/* ---- phases ------------------------------------------------------- */

static void speed_on_tick(bn_timer *t, void *arg)
{
  speed_engine *e = arg;
  int64_t now = speed_now(e);
  double dt = (double)(now - e->tick_t0) / 1e9;
  double rate = dt > 0 ? (double)(e->phase_bytes - e->tick_bytes) * 8 / dt : 0;

  e->tick_bytes = e->phase_bytes;
  e->tick_t0 = now;
  if (e->h->api->struct_size > offsetof(bn_host_api, speedtest_progress) &&
      e->h->api->speedtest_progress)
    e->h->api->speedtest_progress(e->h, e->phase, e->phase_bytes, rate);
}

/*
 * Upload bytes of the requests still in flight that the server has
 * acknowledged: what curl wrote minus what still sits unacknowledged in
 * the socket's send queue (SIOCOUTQ).  Without this a phase would lose
 * everything sent since each stream's last completed request.
 */
static uint64_t speed_inflight_acked(speed_engine *e)
{
  uint64_t sum = 0;
  int i;

  for (i = 0; i < e->n_streams; i++) {
    speed_stream *s = &e->streams[i];
    curl_off_t sent = 0;
    curl_socket_t fd = CURL_SOCKET_BAD;
    int queued = 0;

    if (!s->busy)
      continue;
    curl_easy_getinfo(s->easy, CURLINFO_SIZE_UPLOAD_T, &sent);
    fd = s->fd;
    if (fd == CURL_SOCKET_BAD || ioctl(fd, SIOCOUTQ, &queued) != 0)
      continue; /* unknown: count none of it */
    if (sent > queued)
      sum += (uint64_t)(sent - queued);
  }
  return sum;
}

/* The duration cap of a transfer phase: take the figures, move on. */
static void speed_end_transfer(bn_timer *t, void *arg)
{
  speed_engine *e = arg;
  int64_t now = speed_now(e);
  speed_pings *b = speed_ping_bucket(e);
  double loaded;

  e->phase_timer = NULL;
  e->h->api->timer_free(e->ping_timer);
  e->h->api->timer_free(e->tick_timer);
  e->ping_timer = e->tick_timer = NULL;
  if (e->phase == BN_PHASE_UPLOAD && e->phase_bytes) {
    e->phase_bytes += speed_inflight_acked(e);
    e->up_last_done = now;
  }
  speed_stop_streams(e);
  speed_stop_ping(e);
  loaded = plug_median(b->ms, b->n);
  if (e->phase == BN_PHASE_DOWNLOAD) {
    e->res.bytes_down = e->phase_bytes;
    e->res.down_ns = now - e->phase_t0;
    e->res.download_bps =
        (double)e->phase_bytes * 8 * 1e9 / (double)(now - e->phase_t0);
    e->res.loaded_down_ms = loaded;
  } else {
    /* Completed requests, plus what the server acknowledged of those in
     * flight; bytes still in socket buffers at the cap do not count. */
    if (!e->phase_bytes || e->up_last_done <= e->phase_t0) {
      speed_fail(e, "upload to %s: no request completed in %.1f s",
                 e->plan->up_url, (double)(now - e->phase_t0) / 1e9);
      return;
    }
    e->res.bytes_up = e->phase_bytes;
    e->res.up_ns = e->up_last_done - e->phase_t0;
    e->res.upload_bps = (double)e->phase_bytes * 8 * 1e9 /
                        (double)(e->up_last_done - e->phase_t0);
    e->res.loaded_up_ms = loaded;
  }
  speed_next_phase(e);
}

static void speed_start_transfer(speed_engine *e, bn_speedtest_phase phase)
{
  const bn_host_api *api = e->h->api;
  int i;

  e->phase = phase;
  e->phase_t0 = e->tick_t0 = speed_now(e);
  e->phase_bytes = e->tick_bytes = 0;
  e->up_last_done = 0;
  e->n_streams = e->req.streams;
  for (i = 0; i < e->n_streams; i++) {
    e->streams[i].e = e;
    if (speed_request(e, &e->streams[i]) != 0) {
      speed_fail(e, "cannot start the %s streams",
                 phase == BN_PHASE_DOWNLOAD ? "download" : "upload");
      return;
    }
  }
  e->phase_timer =
      api->timer_start(e->h, e->req.duration_ns, 0, speed_end_transfer, e);
  e->ping_timer =
      api->timer_start(e->h, e->plan->ping_gap_ns, e->plan->ping_gap_ns,
                       speed_on_ping_timer, e);
  e->tick_timer =
      api->timer_start(e->h, SPEED_TICK_NS, SPEED_TICK_NS, speed_on_tick, e);
  if (!e->phase_timer || !e->ping_timer || !e->tick_timer)
    speed_fail(e, "cannot start the phase timers");
}

/* latency -> download -> upload -> done, skipping what is not asked. */
static void speed_next_phase(speed_engine *e)
{
  if (e->finished)
    return;
  if (e->phase == BN_PHASE_LATENCY && !bn_measured(e->res.latency_ms)) {
    e->res.jitter_ms = plug_jitter(e->idle.ms, e->idle.n);
    e->res.latency_ms = plug_median(e->idle.ms, e->idle.n);
    if (e->req.download) {
      speed_start_transfer(e, BN_PHASE_DOWNLOAD);
      return;
    }
  }
  if (e->phase != BN_PHASE_UPLOAD && e->req.upload && e->plan->up_url) {
    speed_start_transfer(e, BN_PHASE_UPLOAD);
    return;
  }
  speed_finish(e);
}

static int speed_init_ping(speed_engine *e)
{
  e->ping = curl_easy_init();
  if (!e->ping)
    return BN_ENOMEM;
  speed_common_opts(e, e->ping);
  curl_easy_setopt(e->ping, CURLOPT_URL, e->plan->ping_url);
  curl_easy_setopt(e->ping, CURLOPT_WRITEFUNCTION, speed_discard);
  if (e->plan->ping_head)
    curl_easy_setopt(e->ping, CURLOPT_NOBODY, 1L);
  return 0;
}

static void speed_init_result(bn_speedtest_result *r, int streams)
{
  *r = (bn_speedtest_result){BN_INIT(bn_speedtest_result)};
  r->streams = streams;
  r->download_bps = r->upload_bps = BN_NOT_MEASURED;
  r->latency_ms = r->jitter_ms = BN_NOT_MEASURED;
  r->loaded_down_ms = r->loaded_up_ms = BN_NOT_MEASURED;
  r->loss_pct = r->udp_jitter_ms = BN_NOT_MEASURED;
}

static int speed_make_body(speed_engine *e)
{
  uint64_t x = 0x9e3779b97f4a7c15ull;
  size_t i;

  /* Incompressible bytes, so no compressing middlebox flatters us. */
  e->body = malloc(SPEED_BODY_LEN);
  if (!e->body)
    return BN_ENOMEM;
  for (i = 0; i < SPEED_BODY_LEN; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    e->body[i] = (unsigned char)(x >> 24);
  }
  return 0;
}

int speed_engine_start(bn_host *h, const speed_plan *plan,
                       const bn_speedtest_request *req,
                       bn_speedtest_done_fn done, void *arg,
                       speed_engine **out)
{
  speed_engine *e = calloc(1, sizeof(*e));
  int rc;

  if (!e)
    return BN_ENOMEM;
  e->h = h;
  e->plan = plan;
  e->req = *req;
  if (e->req.streams < 1)
    e->req.streams = 1;
  if (e->req.streams > SPEED_MAX_STREAMS)
    e->req.streams = SPEED_MAX_STREAMS;
  e->done = done;
  e->done_arg = arg;
  e->down_size = plan->down_start;
  e->up_size = plan->up_start;
  e->idle_left = plan->pings + 1; /* one warm-up opens the connection */
  speed_init_result(&e->res, e->req.streams);
  rc = speed_make_body(e);
  e->no_expect = curl_slist_append(NULL, "Expect:");
  if (rc == 0 && !e->no_expect)
    rc = BN_ENOMEM;
  if (rc == 0)
    rc = curl_loop_open(&e->loop, h, speed_on_done, e);
  if (rc == 0)
    rc = speed_init_ping(e);
  if (rc != 0) {
    speed_teardown(e);
    curl_slist_free_all(e->no_expect);
    free(e->body);
    free(e);
    return rc;
  }
  e->phase = BN_PHASE_LATENCY;
  speed_send_ping(e);
  *out = e;
  return 0;
}

void speed_engine_free(speed_engine *e)
{
  if (!e)
    return;
  speed_teardown(e);
  curl_slist_free_all(e->no_expect);
  free(e->body);
  free(e);
}

void speed_engine_cancel(speed_engine *e)
{
  speed_engine_free(e);
}
