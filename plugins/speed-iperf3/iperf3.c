/*
 * iperf3.c - the `iperf3` speed test provider: libiperf against an
 * iperf3 server, TCP or UDP (UDP adds loss and jitter).  Download is a
 * reverse test, upload a normal one.
 *
 * libiperf blocks for the whole test and has no way to stop it from
 * outside, so each transfer runs in a forked child that writes iperf's
 * JSON result into a pipe the loop watches; cancel() kills the child.
 * Latency is the time a TCP SYN to the server host takes to be answered,
 * on `ping_port` (default: the iperf3 port + 1, normally closed, so the
 * answer is an immediate RST): several before the test (idle) and one
 * every ping_interval while it runs (under load), from the loop, with
 * non-blocking connects.  Not the iperf3 port itself: iperf3 takes every
 * connection there for a new test and turns the real one away.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iperf_api.h>

#include <bottleneck/sdk.h>

#include "iperf3_json.h"
#include "plugin_common.h"

#define IP3_PINGS     5
#define IP3_MAX_PINGS 2048

typedef struct ip3_pings {
  double ms[IP3_MAX_PINGS];
  size_t n;
} ip3_pings;

typedef struct ip3_ctx {
  bn_host *h;
  /* the options (cfg_fill) */
  const char *server;
  int64_t port;
  int64_t ping_port;
  const char *protocol; /* "tcp" or "udp" */
  double bandwidth;     /* UDP target rate, bits/s */
  int64_t ping_gap_ns;
  int udp;
  /* the test in flight */
  int active;
  bn_speedtest_request req;
  bn_speedtest_done_fn done;
  void *done_arg;
  bn_speedtest_phase phase;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  /* a handshake in flight */
  int ping_fd;
  bn_watch *ping_watch;
  int64_t ping_t0;
  int idle_left;
  bn_timer *ping_timer, *tick_timer, *finish_timer;
  ip3_pings idle, loaded_down, loaded_up;
  /* the child running libiperf */
  pid_t child;
  int pipe_fd;
  bn_watch *pipe_watch;
  char *json;
  size_t json_len;
  int64_t phase_t0;
  /* progress: the child's socket bytes so far (/proc/PID/io) */
  uint64_t io_t0, io_last;
  int64_t io_last_ns;
  bn_speedtest_result res;
  char err[512];
  char label[300];
} ip3_ctx;

static const bn_option ip3_options[] = {
    {.name = "server",
     .type = BN_OPT_STRING,
     .help = "iperf3 server (address or name)",
     .required = 1,
     BN_FIELD(ip3_ctx, server)},
    {.name = "port",
     .type = BN_OPT_INT,
     .def = "5201",
     .help = "iperf3 server port",
     .min = 1,
     .max = 65535,
     BN_FIELD(ip3_ctx, port)},
    {.name = "protocol",
     .type = BN_OPT_STRING,
     .def = "tcp",
     .help = "tcp or udp",
     BN_FIELD(ip3_ctx, protocol)},
    {.name = "bandwidth",
     .type = BN_OPT_RATE,
     .def = "100M",
     .help = "UDP: target rate per stream in bits/s (k/M/G: powers of "
             "1000, as iperf3's -b)",
     .min = 1000,
     .max = 1e12,
     BN_FIELD(ip3_ctx, bandwidth)},
    {.name = "ping_port",
     .type = BN_OPT_INT,
     .def = "0",
     .help = "TCP port for latency (SYN answered by SYN-ACK or RST); 0: "
             "port + 1",
     .min = 0,
     .max = 65535,
     BN_FIELD(ip3_ctx, ping_port)},
    {.name = "ping_interval",
     .type = BN_OPT_DURATION,
     .def = "200ms",
     .help = "spacing of handshakes that measure latency under load",
     .min = 0.01,
     .max = 10,
     BN_FIELD(ip3_ctx, ping_gap_ns)},
    BN_OPTIONS_END,
};

static void ip3_next_phase(ip3_ctx *c);

static int64_t ip3_now(ip3_ctx *c)
{
  return c->h->api->now_mono_ns(c->h);
}

/* ---- cleanup and the end of a test --------------------------------- */

static void ip3_stop_ping(ip3_ctx *c)
{
  c->h->api->watch_free(c->ping_watch);
  c->ping_watch = NULL;
  if (c->ping_fd >= 0)
    close(c->ping_fd);
  c->ping_fd = -1;
}

static void ip3_stop_child(ip3_ctx *c, int kill_it)
{
  c->h->api->watch_free(c->pipe_watch);
  c->pipe_watch = NULL;
  if (c->pipe_fd >= 0)
    close(c->pipe_fd);
  c->pipe_fd = -1;
  if (c->child > 0) {
    if (kill_it)
      kill(c->child, SIGKILL);
    waitpid(c->child, NULL, 0);
  }
  c->child = 0;
  free(c->json);
  c->json = NULL;
  c->json_len = 0;
}

static void ip3_stop_all(ip3_ctx *c)
{
  const bn_host_api *api = c->h->api;

  api->timer_free(c->ping_timer);
  api->timer_free(c->tick_timer);
  api->timer_free(c->finish_timer);
  c->ping_timer = c->tick_timer = c->finish_timer = NULL;
  ip3_stop_ping(c);
  ip3_stop_child(c, 1);
}

static void ip3_on_finish(bn_timer *t, void *arg)
{
  ip3_ctx *c = arg;

  c->finish_timer = NULL;
  c->active = 0;
  c->res.server = c->label;
  c->res.error = c->res.status ? c->err : NULL;
  c->done(&c->res, c->done_arg);
}

static void ip3_finish(ip3_ctx *c)
{
  c->h->api->timer_free(c->ping_timer);
  c->h->api->timer_free(c->tick_timer);
  c->ping_timer = c->tick_timer = NULL;
  ip3_stop_ping(c);
  ip3_stop_child(c, 1);
  c->finish_timer = c->h->api->timer_start(c->h, 0, 0, ip3_on_finish, c);
}

static void ip3_fail(ip3_ctx *c, const char *msg)
{
  snprintf(c->err, sizeof(c->err), "%s", msg);
  c->res.status = BN_EIO;
  ip3_finish(c);
}

/* ---- latency: TCP handshakes with the server ---------------------- */

static ip3_pings *ip3_bucket(ip3_ctx *c)
{
  return c->phase == BN_PHASE_DOWNLOAD ? &c->loaded_down
         : c->phase == BN_PHASE_UPLOAD ? &c->loaded_up
                                       : &c->idle;
}

static void ip3_send_ping(ip3_ctx *c);

static void ip3_on_ping(bn_watch *w, int fd, int events, void *arg)
{
  ip3_ctx *c = arg;
  int soerr = 0;
  socklen_t len = sizeof(soerr);
  double ms = (double)(ip3_now(c) - c->ping_t0) / 1e6;
  ip3_pings *b = ip3_bucket(c);

  getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
  ip3_stop_ping(c);
  /* a refusal (RST) is an answer too: one round trip */
  if (soerr && soerr != ECONNREFUSED) {
    char msg[400];

    snprintf(msg, sizeof(msg), "cannot connect to iperf3 server %s: %s",
             c->label, strerror(soerr));
    if (c->phase == BN_PHASE_LATENCY) {
      ip3_fail(c, msg);
      return;
    }
    bn_debug(c->h, "%s", msg);
    return;
  }
  if (b->n < IP3_MAX_PINGS)
    b->ms[b->n++] = ms;
  if (c->phase == BN_PHASE_LATENCY) {
    if (--c->idle_left > 0)
      ip3_send_ping(c);
    else
      ip3_next_phase(c);
  }
}

static void ip3_send_ping(ip3_ctx *c)
{
  int fd;

  if (c->ping_fd >= 0)
    return; /* the last one is still in flight */
  fd =
      socket(c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ip3_fail(c, "cannot create a socket");
    return;
  }
  c->ping_t0 = ip3_now(c);
  if (connect(fd, (struct sockaddr *)&c->addr, c->addrlen) != 0 &&
      errno != EINPROGRESS) {
    char msg[400];

    snprintf(msg, sizeof(msg), "cannot connect to iperf3 server %s: %s",
             c->label, strerror(errno));
    close(fd);
    if (c->phase == BN_PHASE_LATENCY)
      ip3_fail(c, msg);
    return;
  }
  c->ping_fd = fd;
  c->ping_watch =
      c->h->api->watch_start(c->h, fd, BN_WATCH_WRITE, ip3_on_ping, c);
  if (!c->ping_watch)
    ip3_fail(c, "cannot watch a socket");
}

static void ip3_on_ping_timer(bn_timer *t, void *arg)
{
  ip3_send_ping(arg);
}

/* ---- transfers in a child process -------------------------------- */

/* In the child: run one iperf3 test and write its JSON to fd. */
static void ip3_child(ip3_ctx *c, int fd, int reverse)
{
  struct iperf_test *t = iperf_new_test();
  int secs = (int)((c->req.duration_ns + 999999999) / 1000000000);
  char *out;
  size_t len, off = 0;

  int null = open("/dev/null", O_WRONLY);

  /* libiperf also prints its JSON (and errors) on stdout: not ours. */
  if (null >= 0) {
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
  }
  if (!t || iperf_defaults(t) != 0)
    _exit(2);
  iperf_set_test_role(t, 'c');
  iperf_set_test_server_hostname(t, c->server);
  iperf_set_test_server_port(t, (int)c->port);
  iperf_set_test_duration(t, secs < 1 ? 1 : secs);
  iperf_set_test_num_streams(t, c->req.streams);
  iperf_set_test_reverse(t, reverse);
  iperf_set_test_json_output(t, 1);
  iperf_set_test_connect_timeout(t, 5000);
  if (c->udp) {
    set_protocol(t, Pudp);
    iperf_set_test_rate(t, (uint64_t)llround(c->bandwidth));
    /* iperf3's command line picks this for UDP; libiperf keeps the TCP
     * default (128 KiB), which no link takes as one datagram. */
    iperf_set_test_blksize(t, 1400);
  }
  iperf_run_client(t);
  out = iperf_get_test_json_output_string(t);
  len = out ? strlen(out) : 0;
  while (off < len) {
    ssize_t n = write(fd, out + off, len - off);

    if (n <= 0)
      break;
    off += (size_t)n;
  }
  _exit(0);
}

static void ip3_transfer_done(ip3_ctx *c)
{
  iperf3_figures f;
  char err[400];
  ip3_pings *b = ip3_bucket(c);

  c->h->api->timer_free(c->ping_timer);
  c->h->api->timer_free(c->tick_timer);
  c->ping_timer = c->tick_timer = NULL;
  ip3_stop_ping(c);
  if (c->json)
    c->json[c->json_len] = '\0';
  if (iperf3_parse(c->json, c->udp, &f, err, sizeof(err)) != 0) {
    ip3_fail(c, err);
    return;
  }
  ip3_stop_child(c, 0);
  if (c->phase == BN_PHASE_DOWNLOAD) {
    c->res.download_bps = f.bps;
    c->res.bytes_down = f.bytes;
    c->res.down_ns = (int64_t)(f.seconds * 1e9);
    c->res.loaded_down_ms = plug_median(b->ms, b->n);
  } else {
    c->res.upload_bps = f.bps;
    c->res.bytes_up = f.bytes;
    c->res.up_ns = (int64_t)(f.seconds * 1e9);
    c->res.loaded_up_ms = plug_median(b->ms, b->n);
  }
  /* UDP loss and jitter: of the download when there is one */
  if (c->udp &&
      (!bn_measured(c->res.loss_pct) || c->phase == BN_PHASE_DOWNLOAD)) {
    c->res.loss_pct = f.loss_pct;
    c->res.udp_jitter_ms = f.jitter_ms;
  }
  ip3_next_phase(c);
}

static void ip3_on_pipe(bn_watch *w, int fd, int events, void *arg)
{
  ip3_ctx *c = arg;
  char buf[16384];
  ssize_t n = read(fd, buf, sizeof(buf));
  char *grown;

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0) {
    ip3_transfer_done(c);
    return;
  }
  grown = realloc(c->json, c->json_len + (size_t)n + 1);
  if (!grown) {
    ip3_fail(c, "out of memory reading iperf3's result");
    return;
  }
  c->json = grown;
  memcpy(c->json + c->json_len, buf, (size_t)n);
  c->json_len += (size_t)n;
}

/*
 * Bytes the child has read (download: the test data arrives on its
 * sockets) or written (upload) so far, from /proc/PID/io's rchar or
 * wchar: libiperf reports only at the end, the kernel counts as it goes.
 * 0 when it cannot be read.
 */
static uint64_t ip3_child_io(const ip3_ctx *c)
{
  const char *want = c->phase == BN_PHASE_DOWNLOAD ? "rchar:" : "wchar:";
  char path[64], line[128];
  unsigned long long v = 0;
  FILE *f;

  if (c->child <= 0)
    return 0;
  snprintf(path, sizeof(path), "/proc/%d/io", (int)c->child);
  f = fopen(path, "re");
  if (!f)
    return 0;
  while (fgets(line, sizeof(line), f))
    if (!strncmp(line, want, 6) && sscanf(line + 6, "%llu", &v) == 1)
      break;
  fclose(f);
  return (uint64_t)v;
}

static void ip3_on_tick(bn_timer *t, void *arg)
{
  ip3_ctx *c = arg;
  int64_t now = ip3_now(c);
  uint64_t io = ip3_child_io(c);
  double rate = 0;

  if (io < c->io_t0) /* the counter was not read at the start */
    c->io_t0 = c->io_last = io;
  if (now > c->io_last_ns && io >= c->io_last)
    rate = (double)(io - c->io_last) * 8 * 1e9 / (double)(now - c->io_last_ns);
  c->h->api->speedtest_progress(c->h, c->phase, io - c->io_t0, rate);
  c->io_last = io;
  c->io_last_ns = now;
}

static void ip3_start_transfer(ip3_ctx *c, bn_speedtest_phase phase)
{
  const bn_host_api *api = c->h->api;
  int fds[2];
  pid_t pid;

  c->phase = phase;
  c->phase_t0 = ip3_now(c);
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ip3_fail(c, "cannot create a pipe");
    return;
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    ip3_fail(c, "cannot fork the iperf3 client");
    return;
  }
  if (pid == 0) {
    close(fds[0]);
    ip3_child(c, fds[1], phase == BN_PHASE_DOWNLOAD);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  c->child = pid;
  c->io_t0 = c->io_last = ip3_child_io(c);
  c->io_last_ns = ip3_now(c);
  c->pipe_fd = fds[0];
  c->pipe_watch =
      api->watch_start(c->h, fds[0], BN_WATCH_READ, ip3_on_pipe, c);
  c->ping_timer = api->timer_start(c->h, c->ping_gap_ns, c->ping_gap_ns,
                                   ip3_on_ping_timer, c);
  if (api->struct_size > offsetof(bn_host_api, speedtest_progress))
    c->tick_timer =
        api->timer_start(c->h, 250000000, 250000000, ip3_on_tick, c);
  if (!c->pipe_watch || !c->ping_timer)
    ip3_fail(c, "cannot watch the iperf3 client");
}

static void ip3_next_phase(ip3_ctx *c)
{
  if (c->phase == BN_PHASE_LATENCY) {
    c->res.jitter_ms = plug_jitter(c->idle.ms, c->idle.n);
    c->res.latency_ms = plug_median(c->idle.ms, c->idle.n);
    if (c->req.download) {
      ip3_start_transfer(c, BN_PHASE_DOWNLOAD);
      return;
    }
  }
  if (c->phase != BN_PHASE_UPLOAD && c->req.upload) {
    ip3_start_transfer(c, BN_PHASE_UPLOAD);
    return;
  }
  ip3_finish(c);
}

/* ---- the plugin --------------------------------------------------- */

static int ip3_resolve(ip3_ctx *c)
{
  struct addrinfo hints, *ai = NULL;
  char port[16];
  int rc;

  memset(&hints, 0, sizeof(hints));
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  snprintf(port, sizeof(port), "%d", (int)c->ping_port);
  /* A literal or /etc/hosts in practice: the lab and loopback tests. */
  rc = getaddrinfo(c->server, port, &hints, &ai);
  if (rc != 0 || !ai) {
    snprintf(c->err, sizeof(c->err), "cannot resolve %s: %s", c->server,
             gai_strerror(rc));
    return BN_ENOENT;
  }
  memcpy(&c->addr, ai->ai_addr, ai->ai_addrlen);
  c->addrlen = ai->ai_addrlen;
  freeaddrinfo(ai);
  return 0;
}

static int ip3_run(void *ctx, const bn_speedtest_request *req,
                   bn_speedtest_done_fn done, void *arg)
{
  ip3_ctx *c = ctx;

  if (c->active)
    return BN_EAGAIN;
  c->res = (bn_speedtest_result){BN_INIT(bn_speedtest_result)};
  c->res.download_bps = c->res.upload_bps = BN_NOT_MEASURED;
  c->res.latency_ms = c->res.jitter_ms = BN_NOT_MEASURED;
  c->res.loaded_down_ms = c->res.loaded_up_ms = BN_NOT_MEASURED;
  c->res.loss_pct = c->res.udp_jitter_ms = BN_NOT_MEASURED;
  c->res.streams = req->streams;
  c->idle.n = c->loaded_down.n = c->loaded_up.n = 0;
  c->req = *req;
  c->done = done;
  c->done_arg = arg;
  c->phase = BN_PHASE_LATENCY;
  c->active = 1;
  if (ip3_resolve(c) != 0) {
    c->res.status = BN_ENOENT;
    ip3_finish(c);
    return 0;
  }
  c->idle_left = IP3_PINGS;
  ip3_send_ping(c);
  return 0;
}

static void ip3_cancel(void *ctx)
{
  ip3_ctx *c = ctx;

  ip3_stop_all(c);
  c->active = 0;
}

/* The options into c (cfg_fill), the protocol checked. */
static int ip3_read(bn_host *h, ip3_ctx *c)
{
  const bn_host_api *api = h->api;

  c->protocol = "tcp";
  if (api->cfg_fill(h, c) != 0)
    return BN_EINVAL;
  if (strcmp(c->protocol, "tcp") && strcmp(c->protocol, "udp"))
    return api->cfg_error(h, api->cfg_get(api->config(h), "protocol"),
                          "protocol '%s': write tcp or udp", c->protocol);
  if (!c->server)
    return api->cfg_error(h, api->config(h),
                          "iperf3 needs 'server': the iperf3 server's "
                          "address or name");
  return 0;
}

static int ip3_check(bn_host *h)
{
  ip3_ctx *c = calloc(1, sizeof(*c));
  int rc;

  if (!c)
    return BN_ENOMEM;
  rc = ip3_read(h, c);
  free(c);
  return rc;
}

static void ip3_destroy(void *ctx)
{
  ip3_ctx *c = ctx;

  if (!c)
    return;
  ip3_stop_all(c);
  free(c);
}

static int ip3_init(bn_host *h, void **out)
{
  ip3_ctx *c = calloc(1, sizeof(*c));

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  c->ping_fd = c->pipe_fd = -1;
  if (ip3_read(h, c) != 0) {
    free(c);
    return BN_EINVAL;
  }
  if (!c->ping_port)
    c->ping_port = c->port < 65535 ? c->port + 1 : c->port - 1;
  c->udp = strcmp(c->protocol, "udp") == 0;
  snprintf(c->label, sizeof(c->label),
           strchr(c->server, ':') ? "[%s]:%d/%s" : "%s:%d/%s", c->server,
           (int)c->port, c->protocol);
  *out = c;
  return 0;
}

static const bn_speedtest_ops ip3_ops = {
    .struct_size = sizeof(bn_speedtest_ops),
    .run = ip3_run,
    .cancel = ip3_cancel,
};

BN_PLUGIN(.name = "iperf3", .version = "1.1", .kind = BN_KIND_SPEEDTEST,
          .summary = "speed test against an iperf3 server (libiperf; TCP, "
                     "or UDP with loss and jitter)",
          .options = ip3_options, .init = ip3_init, .destroy = ip3_destroy,
          .ops = &ip3_ops, .check = ip3_check);
