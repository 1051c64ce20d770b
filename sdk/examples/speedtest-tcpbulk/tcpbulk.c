/*
 * tcpbulk.c - an example speed test provider: raw TCP bulk transfer
 * against a sink/source server, built out of tree against the installed
 * SDK (`make && make install`).
 *
 * The protocol is the smallest that gives honest figures:
 *
 *   - idle latency: `pings` TCP handshakes, one after the other; the
 *     median is the latency, the mean |difference| the jitter;
 *   - download: `streams` connections each send "DOWN\n"; the server
 *     sends bytes until the client closes.  The rate is the bytes read
 *     over the phase;
 *   - upload: `streams` connections each send "UP\n" and then bytes; at
 *     the end of the phase the client shuts its side down and the server
 *     answers with the number of bytes it received ("12345\n").  The rate
 *     is what the server received over the time until it said so, so
 *     bytes still queued in socket buffers do not count.
 *
 * A phase ends at the core's duration cap (bn_speedtest_request), or
 * earlier when `max_bytes` moved.  Latency under load and UDP loss are
 * not measured: they stay BN_NOT_MEASURED (NaN), and the host shows and
 * stores them as such.
 *
 * The core owns retries, backoff, per-attempt timeouts (it calls
 * cancel()) and failover; a provider runs one test when asked and
 * reports it through done() exactly once, from a loop callback.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <bottleneck/sdk.h>

#define TCPBULK_MAX_PINGS   50
#define TCPBULK_MAX_STREAMS 64
/* How long the server may take to say how many bytes it received. */
#define TCPBULK_COUNT_WAIT_NS 3000000000LL
/* Progress reports to the host, a few a second. */
#define TCPBULK_PROGRESS_NS 250000000LL

typedef struct tcpbulk_config {
  const char *server; /* host name or address of the server */
  int64_t port;       /* its TCP port */
  uint64_t chunk;     /* bytes per read or write */
  uint64_t max_bytes; /* stop a phase after this many bytes; 0: never */
  int64_t pings;      /* handshakes for the idle latency */
  int64_t connect_ns; /* cap on one connect */
} tcpbulk_config;

static const bn_option tcpbulk_options[] = {
    {.name = "server",
     .type = BN_OPT_STRING,
     .required = 1,
     .help = "host name or address of the sink/source server",
     BN_FIELD(tcpbulk_config, server)},
    {.name = "port",
     .type = BN_OPT_INT,
     .required = 1,
     .help = "TCP port of the server",
     .min = 1,
     .max = 65535,
     BN_FIELD(tcpbulk_config, port)},
    {.name = "chunk",
     .type = BN_OPT_SIZE,
     .def = "128KiB",
     .help = "bytes per read or write call",
     .min = 1024,
     .max = 16777216,
     BN_FIELD(tcpbulk_config, chunk)},
    {.name = "max_bytes",
     .type = BN_OPT_SIZE,
     .def = "0",
     .help = "end a phase once this many bytes moved (0: the duration cap "
             "alone)",
     BN_FIELD(tcpbulk_config, max_bytes)},
    {.name = "pings",
     .type = BN_OPT_INT,
     .def = "5",
     .help = "TCP handshakes timed for the idle latency",
     .min = 1,
     .max = TCPBULK_MAX_PINGS,
     BN_FIELD(tcpbulk_config, pings)},
    {.name = "connect_timeout",
     .type = BN_OPT_DURATION,
     .def = "2s",
     .help = "cap on one connect",
     .min = 0.001,
     .max = 60,
     BN_FIELD(tcpbulk_config, connect_ns)},
    BN_OPTIONS_END,
};

struct tcpbulk_test;

/* One TCP connection of a transfer phase (or a latency handshake). */
typedef struct tcpbulk_conn {
  struct tcpbulk_test *test;
  int fd;
  bn_watch *watch;
  int connected;  /* the handshake completed and the command is sent */
  int done;       /* the stream ended (EOF, or the server's count came) */
  uint64_t bytes; /* payload moved: read (down) or reported (up) */
  char line[32];  /* the server's count line (upload) */
  size_t line_len;
} tcpbulk_conn;

typedef struct tcpbulk_ctx tcpbulk_ctx;

/* The one test in flight. */
typedef struct tcpbulk_test {
  tcpbulk_ctx *c;
  bn_speedtest_done_fn done;
  void *arg;
  int streams, download, upload;
  int64_t duration_ns;
  bn_resolve *resolve;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  bn_speedtest_phase phase;
  /* idle latency */
  tcpbulk_conn ping;
  int64_t ping_t0;
  double pings[TCPBULK_MAX_PINGS];
  int n_pings;
  /* transfer phase */
  tcpbulk_conn conns[TCPBULK_MAX_STREAMS];
  int64_t phase_t0;
  int draining;       /* upload: waiting for the server's counts */
  bn_timer *deadline; /* connect cap, phase cap or count wait */
  bn_timer *progress; /* progress reports */
} tcpbulk_test;

struct tcpbulk_ctx {
  bn_host *h;
  tcpbulk_config cfg;
  unsigned char *buf; /* cfg.chunk bytes */
  tcpbulk_test *test; /* the test in flight, or NULL */
  bn_speedtest_result result;
  char server[300];
  char error[300];
};

static void tcpbulk_next_step(tcpbulk_test *x);
static void tcpbulk_phase_start(tcpbulk_test *x, bn_speedtest_phase phase);

/* Close one connection and forget its watch. */
static void tcpbulk_conn_close(tcpbulk_test *x, tcpbulk_conn *k)
{
  x->c->h->api->watch_free(k->watch);
  k->watch = NULL;
  if (k->fd >= 0)
    close(k->fd);
  k->fd = -1;
}

/* Release everything the test holds on the loop. */
static void tcpbulk_release(tcpbulk_test *x)
{
  const bn_host_api *api = x->c->h->api;
  int i;

  api->resolve_cancel(x->resolve);
  x->resolve = NULL;
  api->timer_free(x->deadline);
  x->deadline = NULL;
  api->timer_free(x->progress);
  x->progress = NULL;
  tcpbulk_conn_close(x, &x->ping);
  for (i = 0; i < TCPBULK_MAX_STREAMS; i++)
    tcpbulk_conn_close(x, &x->conns[i]);
}

/* End the test: free it, then report through done() (once). */
static void tcpbulk_finish(tcpbulk_test *x, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void tcpbulk_finish(tcpbulk_test *x, int status, const char *fmt, ...)
{
  tcpbulk_ctx *c = x->c;
  bn_speedtest_done_fn done = x->done;
  void *arg = x->arg;
  va_list ap;

  c->result.status = status;
  c->result.error = NULL;
  if (status < 0) {
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof(c->error), fmt, ap);
    va_end(ap);
    c->result.error = c->error;
  }
  tcpbulk_release(x);
  free(x);
  c->test = NULL;
  done(&c->result, arg);
}

/* Arm (or re-arm) the test's single deadline timer. */
static int tcpbulk_deadline(tcpbulk_test *x, int64_t after_ns, bn_timer_fn fn)
{
  const bn_host_api *api = x->c->h->api;

  api->timer_free(x->deadline);
  x->deadline = api->timer_start(x->c->h, after_ns, 0, fn, x);
  return x->deadline ? 0 : BN_ENOMEM;
}

/* Start a non-blocking connect; the watch says when it completed. */
static int tcpbulk_connect(tcpbulk_test *x, tcpbulk_conn *k, bn_watch_fn fn)
{
  int fd;

  memset(k, 0, sizeof(*k));
  k->test = x;
  k->fd = -1;
  fd =
      socket(x->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (connect(fd, (struct sockaddr *)&x->addr, x->addrlen) < 0 &&
      errno != EINPROGRESS) {
    int err = errno;

    close(fd);
    return -err;
  }
  k->fd = fd;
  k->watch = x->c->h->api->watch_start(x->c->h, fd, BN_WATCH_WRITE, fn, k);
  if (!k->watch) {
    close(fd);
    k->fd = -1;
    return -ENOMEM;
  }
  return 0;
}

/* The result of a completed non-blocking connect (0 or an errno). */
static int tcpbulk_connect_error(int fd)
{
  int err = 0;
  socklen_t len = sizeof(err);

  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    return errno;
  return err;
}

/* ---- idle latency: handshakes one after the other ---- */

static void tcpbulk_ping_start(tcpbulk_test *x);

static int tcpbulk_cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static void tcpbulk_ping_timeout(bn_timer *t, void *arg)
{
  tcpbulk_test *x = arg;

  (void)t;
  x->deadline = NULL;
  x->c->h->api->timer_free(t);
  tcpbulk_finish(x, BN_ETIMEDOUT, "%s: no TCP handshake within %.1f s",
                 x->c->server, (double)x->c->cfg.connect_ns / 1e9);
}

static void tcpbulk_ping_done(bn_watch *w, int fd, int events, void *arg)
{
  tcpbulk_conn *k = arg;
  tcpbulk_test *x = k->test;
  tcpbulk_ctx *c = x->c;
  int64_t now = c->h->api->now_mono_ns(c->h);
  int err = tcpbulk_connect_error(fd);
  double sum = 0;
  int i;

  (void)w;
  (void)events;
  tcpbulk_conn_close(x, k);
  if (err) {
    tcpbulk_finish(x, BN_EIO, "%s: connect: %s", c->server, strerror(err));
    return;
  }
  x->pings[x->n_pings++] = (double)(now - x->ping_t0) / 1e6;
  c->h->api->speedtest_progress(c->h, BN_PHASE_LATENCY, 0, BN_NOT_MEASURED);
  if (x->n_pings < (int)c->cfg.pings) {
    tcpbulk_ping_start(x);
    return;
  }
  for (i = 1; i < x->n_pings; i++)
    sum += fabs(x->pings[i] - x->pings[i - 1]);
  c->result.jitter_ms = x->n_pings > 1 ? sum / (x->n_pings - 1) : 0;
  qsort(x->pings, (size_t)x->n_pings, sizeof(double), tcpbulk_cmp);
  c->result.latency_ms =
      x->n_pings % 2
          ? x->pings[x->n_pings / 2]
          : (x->pings[x->n_pings / 2 - 1] + x->pings[x->n_pings / 2]) / 2;
  tcpbulk_next_step(x);
}

static void tcpbulk_ping_start(tcpbulk_test *x)
{
  tcpbulk_ctx *c = x->c;
  int rc;

  x->ping_t0 = c->h->api->now_mono_ns(c->h);
  rc = tcpbulk_connect(x, &x->ping, tcpbulk_ping_done);
  if (rc < 0) {
    tcpbulk_finish(x, BN_EIO, "%s: connect: %s", c->server, strerror(-rc));
    return;
  }
  if (tcpbulk_deadline(x, c->cfg.connect_ns, tcpbulk_ping_timeout) < 0)
    tcpbulk_finish(x, BN_ENOMEM, "out of memory");
}

/* ---- transfer phases ---- */

static uint64_t tcpbulk_phase_bytes(const tcpbulk_test *x)
{
  uint64_t sum = 0;
  int i;

  for (i = 0; i < x->streams; i++)
    sum += x->conns[i].bytes;
  return sum;
}

/* The phase is over: record its figures and go on. */
static void tcpbulk_phase_end(tcpbulk_test *x)
{
  tcpbulk_ctx *c = x->c;
  int64_t ns = c->h->api->now_mono_ns(c->h) - x->phase_t0;
  uint64_t bytes = tcpbulk_phase_bytes(x);
  double bps = ns > 0 ? (double)bytes * 8 * 1e9 / (double)ns : 0;
  int i;

  for (i = 0; i < x->streams; i++)
    tcpbulk_conn_close(x, &x->conns[i]);
  c->h->api->timer_free(x->progress);
  x->progress = NULL;
  c->h->api->timer_free(x->deadline);
  x->deadline = NULL;
  if (bytes == 0) {
    tcpbulk_finish(x, BN_EIO, "%s: no bytes moved in the %s phase", c->server,
                   x->phase == BN_PHASE_DOWNLOAD ? "download" : "upload");
    return;
  }
  if (x->phase == BN_PHASE_DOWNLOAD) {
    c->result.download_bps = bps;
    c->result.bytes_down = bytes;
    c->result.down_ns = ns;
    x->download = 0;
  } else {
    c->result.upload_bps = bps;
    c->result.bytes_up = bytes;
    c->result.up_ns = ns;
    x->upload = 0;
  }
  bn_debug(c->h, "%s: %llu bytes in %.3f s, %.1f Mbit/s",
           x->phase == BN_PHASE_DOWNLOAD ? "download" : "upload",
           (unsigned long long)bytes, (double)ns / 1e9, bps / 1e6);
  tcpbulk_next_step(x);
}

/* Upload: stop sending, let the server count what it received. */
static void tcpbulk_upload_drain(tcpbulk_test *x);

static void tcpbulk_on_cap(bn_timer *t, void *arg)
{
  tcpbulk_test *x = arg;

  x->c->h->api->timer_free(t);
  x->deadline = NULL;
  if (x->phase == BN_PHASE_UPLOAD && !x->draining)
    tcpbulk_upload_drain(x);
  else if (x->draining)
    tcpbulk_finish(x, BN_EIO,
                   "%s: the server did not say how many bytes it received",
                   x->c->server);
  else
    tcpbulk_phase_end(x);
}

static void tcpbulk_on_progress(bn_timer *t, void *arg)
{
  tcpbulk_test *x = arg;
  tcpbulk_ctx *c = x->c;
  int64_t ns = c->h->api->now_mono_ns(c->h) - x->phase_t0;
  uint64_t bytes = tcpbulk_phase_bytes(x);

  (void)t;
  c->h->api->speedtest_progress(c->h, x->phase, bytes,
                                ns > 0 ? (double)bytes * 8 * 1e9 / (double)ns
                                       : BN_NOT_MEASURED);
}

/* All streams of a phase ended early (EOF, counts in): end the phase. */
static void tcpbulk_check_all_done(tcpbulk_test *x)
{
  int i;

  for (i = 0; i < x->streams; i++)
    if (!x->conns[i].done)
      return;
  tcpbulk_phase_end(x);
}

static void tcpbulk_on_io(bn_watch *w, int fd, int events, void *arg);

static void tcpbulk_upload_drain(tcpbulk_test *x)
{
  const bn_host_api *api = x->c->h->api;
  int i;

  x->draining = 1;
  for (i = 0; i < x->streams; i++) {
    tcpbulk_conn *k = &x->conns[i];

    k->bytes = 0; /* from now on: what the server says it received */
    if (k->fd < 0 || !k->connected) {
      k->done = 1;
      continue;
    }
    shutdown(k->fd, SHUT_WR);
    api->watch_update(k->watch, BN_WATCH_READ);
  }
  if (tcpbulk_deadline(x, TCPBULK_COUNT_WAIT_NS, tcpbulk_on_cap) < 0) {
    tcpbulk_finish(x, BN_ENOMEM, "out of memory");
    return;
  }
  tcpbulk_check_all_done(x);
}

/* Upload: the server's count line ("12345\n"). */
static int tcpbulk_read_count(tcpbulk_test *x, tcpbulk_conn *k)
{
  ssize_t n;
  char *end;
  unsigned long long v;

  n = read(k->fd, k->line + k->line_len, sizeof(k->line) - 1 - k->line_len);
  if (n < 0)
    return errno == EAGAIN || errno == EINTR ? 0 : -errno;
  k->line_len += (size_t)n;
  k->line[k->line_len] = '\0';
  if (n > 0 && !strchr(k->line, '\n') && k->line_len < sizeof(k->line) - 1)
    return 0; /* more to come */
  errno = 0;
  v = strtoull(k->line, &end, 10);
  if (errno || end == k->line || *end != '\n') {
    tcpbulk_finish(x, BN_EIO, "%s: bad byte count from the server: '%.20s'",
                   x->c->server, k->line);
    return 1;
  }
  k->bytes = v;
  k->done = 1;
  tcpbulk_conn_close(x, k);
  return 0;
}

/* Readiness of one stream: connect done, data to read or room to write. */
static void tcpbulk_on_io(bn_watch *w, int fd, int events, void *arg)
{
  tcpbulk_conn *k = arg;
  tcpbulk_test *x = k->test;
  tcpbulk_ctx *c = x->c;
  const char *cmd = x->phase == BN_PHASE_DOWNLOAD ? "DOWN\n" : "UP\n";
  ssize_t n;
  int err;

  (void)events;
  if (!k->connected) {
    err = tcpbulk_connect_error(fd);
    if (err) {
      tcpbulk_finish(x, BN_EIO, "%s: connect: %s", c->server, strerror(err));
      return;
    }
    /* A few bytes into an empty socket buffer: they always fit. */
    if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
      tcpbulk_finish(x, BN_EIO, "%s: cannot send the command: %s", c->server,
                     strerror(errno));
      return;
    }
    k->connected = 1;
    if (x->phase == BN_PHASE_DOWNLOAD)
      c->h->api->watch_update(w, BN_WATCH_READ);
    return;
  }
  if (x->draining) {
    err = tcpbulk_read_count(x, k);
    if (err == 1)
      return; /* finished */
    if (err < 0) {
      tcpbulk_finish(x, BN_EIO, "%s: reading the byte count: %s", c->server,
                     strerror(-err));
      return;
    }
    tcpbulk_check_all_done(x);
    return;
  }
  for (;;) {
    if (x->phase == BN_PHASE_DOWNLOAD)
      n = read(fd, c->buf, c->cfg.chunk);
    else
      n = send(fd, c->buf, c->cfg.chunk, MSG_NOSIGNAL);
    if (n > 0) {
      k->bytes += (uint64_t)n;
      if (c->cfg.max_bytes && tcpbulk_phase_bytes(x) >= c->cfg.max_bytes) {
        if (x->phase == BN_PHASE_UPLOAD)
          tcpbulk_upload_drain(x);
        else
          tcpbulk_phase_end(x);
        return;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    break;
  }
  if (n == 0) { /* the server closed a download stream */
    k->done = 1;
    tcpbulk_conn_close(x, k);
    tcpbulk_check_all_done(x);
    return;
  }
  tcpbulk_finish(x, BN_EIO, "%s: %s: %s", c->server,
                 x->phase == BN_PHASE_DOWNLOAD ? "read" : "send",
                 strerror(errno));
}

static void tcpbulk_phase_start(tcpbulk_test *x, bn_speedtest_phase phase)
{
  tcpbulk_ctx *c = x->c;
  const bn_host_api *api = c->h->api;
  int i, rc;

  x->phase = phase;
  x->draining = 0;
  x->phase_t0 = api->now_mono_ns(c->h);
  for (i = 0; i < x->streams; i++) {
    rc = tcpbulk_connect(x, &x->conns[i], tcpbulk_on_io);
    if (rc < 0) {
      tcpbulk_finish(x, BN_EIO, "%s: connect: %s", c->server, strerror(-rc));
      return;
    }
  }
  x->progress = api->timer_start(c->h, TCPBULK_PROGRESS_NS,
                                 TCPBULK_PROGRESS_NS, tcpbulk_on_progress, x);
  if (!x->progress || tcpbulk_deadline(x, x->duration_ns, tcpbulk_on_cap) < 0)
    tcpbulk_finish(x, BN_ENOMEM, "out of memory");
}

/* After the latency: download, then upload, then report. */
static void tcpbulk_next_step(tcpbulk_test *x)
{
  if (x->download)
    tcpbulk_phase_start(x, BN_PHASE_DOWNLOAD);
  else if (x->upload)
    tcpbulk_phase_start(x, BN_PHASE_UPLOAD);
  else
    tcpbulk_finish(x, 0, "ok");
}

static void tcpbulk_on_resolved(int status, const struct sockaddr *addr,
                                size_t addrlen, const char *error, void *arg)
{
  tcpbulk_test *x = arg;
  tcpbulk_ctx *c = x->c;

  x->resolve = NULL;
  if (status < 0 || addrlen > sizeof(x->addr)) {
    tcpbulk_finish(x, status < 0 ? status : BN_EINVAL,
                   "cannot resolve '%s': %s", c->cfg.server,
                   error ? error : "address too long");
    return;
  }
  memcpy(&x->addr, addr, addrlen);
  x->addrlen = (socklen_t)addrlen;
  if (x->addr.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&x->addr)->sin6_port =
        htons((uint16_t)c->cfg.port);
  else
    ((struct sockaddr_in *)&x->addr)->sin_port = htons((uint16_t)c->cfg.port);
  tcpbulk_ping_start(x);
}

static int tcpbulk_run(void *ctx, const bn_speedtest_request *req,
                       bn_speedtest_done_fn done, void *arg)
{
  tcpbulk_ctx *c = ctx;
  tcpbulk_test *x;
  int i;

  if (c->test)
    return BN_EAGAIN;
  x = calloc(1, sizeof(*x));
  if (!x)
    return BN_ENOMEM;
  x->c = c;
  x->done = done;
  x->arg = arg;
  /* Read only the request fields that lie inside the host's struct. */
  x->streams = req->streams < 1 ? 1 : req->streams;
  if (x->streams > TCPBULK_MAX_STREAMS)
    x->streams = TCPBULK_MAX_STREAMS;
  x->duration_ns = req->duration_ns > 0 ? req->duration_ns : 10000000000LL;
  x->download = req->download;
  x->upload = req->upload;
  x->ping.fd = -1;
  for (i = 0; i < TCPBULK_MAX_STREAMS; i++)
    x->conns[i].fd = -1;
  /* Everything not measured stays NaN. */
  c->result = (bn_speedtest_result){
      BN_INIT(bn_speedtest_result),
      .target = req->target ? req->target->name : NULL,
      .server = c->server,
      .streams = x->streams,
      .download_bps = BN_NOT_MEASURED,
      .upload_bps = BN_NOT_MEASURED,
      .latency_ms = BN_NOT_MEASURED,
      .jitter_ms = BN_NOT_MEASURED,
      .loaded_down_ms = BN_NOT_MEASURED,
      .loaded_up_ms = BN_NOT_MEASURED,
      .loss_pct = BN_NOT_MEASURED,
      .udp_jitter_ms = BN_NOT_MEASURED,
  };
  c->test = x;
  bn_info(c->h, "attempt %d: %s, %d streams, %.1f s per phase", req->attempt,
          c->server, x->streams, (double)x->duration_ns / 1e9);
  /* done() is never called from here: the resolver answers on a later
   * loop turn, even for an address literal. */
  x->resolve = c->h->api->resolve(c->h, c->cfg.server, AF_UNSPEC, SOCK_STREAM,
                                  tcpbulk_on_resolved, x);
  if (!x->resolve) {
    free(x);
    c->test = NULL;
    return BN_ERR;
  }
  return 0;
}

/* The core's timeout: stop at once, and never call done() for it. */
static void tcpbulk_cancel(void *ctx)
{
  tcpbulk_ctx *c = ctx;

  if (!c->test)
    return;
  bn_debug(c->h, "cancelled");
  tcpbulk_release(c->test);
  free(c->test);
  c->test = NULL;
}

static int tcpbulk_init(bn_host *h, void **ctx)
{
  tcpbulk_ctx *c = calloc(1, sizeof(*c));
  unsigned i;
  uint32_t r = 0x9e3779b9u;
  int rc;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = h->api->cfg_fill(h, &c->cfg);
  if (rc < 0 || !(c->buf = malloc(c->cfg.chunk))) {
    free(c);
    return rc < 0 ? rc : BN_ENOMEM;
  }
  /* Incompressible bytes (xorshift), in case a link compresses. */
  for (i = 0; i < c->cfg.chunk; i++) {
    r ^= r << 13;
    r ^= r >> 17;
    r ^= r << 5;
    c->buf[i] = (unsigned char)r;
  }
  snprintf(c->server, sizeof(c->server),
           strchr(c->cfg.server, ':') ? "[%s]:%lld" : "%s:%lld", c->cfg.server,
           (long long)c->cfg.port);
  *ctx = c;
  return 0;
}

static void tcpbulk_destroy(void *ctx)
{
  tcpbulk_ctx *c = ctx;

  tcpbulk_cancel(c);
  free(c->buf);
  free(c);
}

static const bn_speedtest_ops tcpbulk_ops = {
    BN_INIT(bn_speedtest_ops),
    .run = tcpbulk_run,
    .cancel = tcpbulk_cancel,
};

BN_PLUGIN(.name = "tcpbulk", .version = "1.0", .kind = BN_KIND_SPEEDTEST,
          .summary = "example: raw TCP bulk transfer to a sink/source server",
          .options = tcpbulk_options, .init = tcpbulk_init,
          .destroy = tcpbulk_destroy, .ops = &tcpbulk_ops);
