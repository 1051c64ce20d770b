/*
 * prometheus.c - the `prometheus` exporter: serves /metrics in the
 * Prometheus text format.
 *
 * Threads: the HTTP server is libmicrohttpd with its own internal
 * polling thread, not the core loop.  Rendering 10,000 targets takes
 * tens of milliseconds and a scraper may be slow to read; on the loop
 * either would delay probes (a delayed sample is an invalid one), and
 * libmicrohttpd's external-select mode would need its fd set re-read on
 * every connection change through the SDK's watches.  On its own thread
 * a scrape costs the loop nothing: the loop side only queues updates and
 * applies them when the table's mutex is free (prom_table.h), so it
 * never waits for a scrape.
 *
 * The endpoint binds to 127.0.0.1 unless the profile names another
 * address with `listen:`; that needs consent (the SDK's consent()) and
 * is logged as a warning, because anyone who can reach the address can
 * read the targets and their results.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bottleneck/sdk.h>

#include "prom_table.h"

/* The options, filled by the host (cfg_fill). */
typedef struct prom_config {
  const char *listen;
  int64_t port;
  const char *path;
  int histogram;
  const bn_node *buckets;
  int64_t loss_window;
  int64_t max_series;
  int64_t max_hop_addrs;
  int64_t max_pending;
  int64_t max_connections;
} prom_config;

typedef struct prom_ctx {
  bn_host *h;
  prom_config cfg;
  prom_table *table;
  struct MHD_Daemon *mhd;
  int fd;
  bn_timer *drain;
  int port; /* bound port */
  /* The body of the last /metrics sent, kept for the next scrape: at
   * 10,000 targets it is 20 MB, and a fresh buffer each time cost more
   * in page faults and regrowth copies than the rendering itself. */
  pthread_mutex_t spare_mu;
  char *spare;
  size_t spare_cap;
} prom_ctx;

static const bn_option prom_options[] = {
    {.name = "listen",
     .type = BN_OPT_STRING,
     .def = "127.0.0.1",
     .help = "address to serve on (IPv4 or IPv6 literal); anything but "
             "loopback is logged as a warning",
     BN_FIELD(prom_config, listen)},
    {.name = "port",
     .type = BN_OPT_INT,
     .def = "9469",
     .help = "TCP port of the endpoint (0: any free port, logged)",
     .min = 0,
     .max = 65535,
     BN_FIELD(prom_config, port)},
    {.name = "path",
     .type = BN_OPT_STRING,
     .def = "/metrics",
     .help = "URL path of the metrics page",
     BN_FIELD(prom_config, path)},
    {.name = "histogram",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "export bottleneck_latency_seconds as a histogram",
     BN_FIELD(prom_config, histogram)},
    {.name = "buckets",
     .type = BN_OPT_LIST,
     .help = "histogram upper bounds in seconds, rising (at most 32); "
             "default 0.0001 ... 5",
     BN_FIELD(prom_config, buckets)},
    {.name = "loss_window",
     .type = BN_OPT_INT,
     .def = "100",
     .help = "probes over which bottleneck_loss_ratio is computed",
     .min = 1,
     .max = 100000,
     BN_FIELD(prom_config, loss_window)},
    {.name = "max_series",
     .type = BN_OPT_INT,
     .def = "100000",
     .help = "most (target, probe, metric) series; more are dropped and "
             "counted",
     .min = 1,
     .max = 10000000,
     BN_FIELD(prom_config, max_series)},
    {.name = "max_hop_addrs",
     .type = BN_OPT_INT,
     .def = "4",
     .help = "addresses kept per hop and round; more fold into "
             "addr=\"other\"",
     .min = 1,
     .max = 64,
     BN_FIELD(prom_config, max_hop_addrs)},
    {.name = "max_pending",
     .type = BN_OPT_INT,
     .def = "200000",
     .help = "updates queued while a scrape holds the table; more are "
             "dropped and counted",
     .min = 1000,
     .max = 100000000,
     BN_FIELD(prom_config, max_pending)},
    {.name = "max_connections",
     .type = BN_OPT_INT,
     .def = "16",
     .help = "concurrent HTTP connections",
     .min = 1,
     .max = 1024,
     BN_FIELD(prom_config, max_connections)},
    BN_OPTIONS_END,
};

/* Parse `listen` into `ss`; 0, or -1 when it is no address literal. */
static int prom_parse_addr(const char *s, int port,
                           struct sockaddr_storage *ss, socklen_t *len)
{
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

  memset(ss, 0, sizeof(*ss));
  if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof(*a4);
    return 0;
  }
  if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof(*a6);
    return 0;
  }
  return -1;
}

static int prom_is_loopback(const struct sockaddr_storage *ss)
{
  if (ss->ss_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) ==
           127;
  return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* Read the bucket list into `l` (seconds, rising). */
static int prom_read_buckets(bn_host *h, const bn_node *list, prom_limits *l)
{
  size_t n = h->api->cfg_len(list), i;

  if (n > PROM_MAX_BUCKETS)
    return h->api->cfg_error(h, list, "buckets: at most %d bounds, not %zu",
                             PROM_MAX_BUCKETS, n);
  for (i = 0; i < n; i++) {
    const bn_node *it = h->api->cfg_at(list, i);
    const char *txt = h->api->cfg_scalar(it);
    char *end = NULL;
    double v;

    if (!txt)
      return h->api->cfg_error(h, it, "buckets: item %zu is not a number",
                               i + 1);
    errno = 0;
    v = strtod(txt, &end);
    if (errno || end == txt || *end || !(v > 0) || isinf(v))
      return h->api->cfg_error(h, it,
                               "buckets: '%s' is not a positive number of "
                               "seconds (e.g. 0.005)",
                               txt);
    if (i && v <= l->buckets[i - 1])
      return h->api->cfg_error(h, it,
                               "buckets: %s is not above the bound before "
                               "it; list them rising",
                               txt);
    l->buckets[i] = v;
  }
  l->n_buckets = n;
  return BN_OK;
}

/* The options beyond the table: address and buckets. */
static int prom_check_config(bn_host *h, const prom_config *c, prom_limits *l)
{
  const bn_node *conf = h->api->config(h);
  struct sockaddr_storage ss;
  socklen_t len;

  if (prom_parse_addr(c->listen, 0, &ss, &len) < 0)
    return h->api->cfg_error(h, h->api->cfg_get(conf, "listen"),
                             "listen: '%s' is not an IPv4 or IPv6 address "
                             "literal (e.g. 127.0.0.1 or ::1)",
                             c->listen);
  if (!c->path || c->path[0] != '/')
    return h->api->cfg_error(h, h->api->cfg_get(conf, "path"),
                             "path: '%s' must start with '/'",
                             c->path ? c->path : "");
  if (c->buckets && prom_read_buckets(h, c->buckets, l) < 0)
    return BN_EINVAL;
  return BN_OK;
}

static int prom_fill(bn_host *h, prom_config *c, prom_limits *l)
{
  memset(c, 0, sizeof(*c));
  if (h->api->cfg_fill(h, c) < 0)
    return BN_EINVAL;
  prom_limits_default(l);
  if (prom_check_config(h, c, l) < 0)
    return BN_EINVAL;
  if (!c->histogram)
    l->n_buckets = 0;
  l->loss_window = (uint32_t)c->loss_window;
  l->max_series = (size_t)c->max_series;
  l->max_hop_addrs = (uint32_t)c->max_hop_addrs;
  l->max_pending = (size_t)c->max_pending;
  return BN_OK;
}

static int prom_check(bn_host *h)
{
  prom_config c;
  prom_limits l;

  return prom_fill(h, &c, &l);
}

static enum MHD_Result prom_reply(struct MHD_Connection *conn, unsigned status,
                                  const char *type, char *body, size_t len)
{
  struct MHD_Response *r;
  enum MHD_Result rc;

  r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  rc = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  return rc;
}

/* A /metrics body with the one-slot cache (prom_ctx.spare). */
typedef struct prom_body {
  prom_ctx *c;
  char *p;
} prom_body;

static void prom_body_done(void *cls)
{
  prom_body *pb = cls;
  prom_ctx *c = pb->c;

  pthread_mutex_lock(&c->spare_mu);
  if (!c->spare) {
    c->spare = pb->p;
    c->spare_cap = malloc_usable_size(pb->p);
    pb->p = NULL;
  }
  pthread_mutex_unlock(&c->spare_mu);
  free(pb->p);
  free(pb);
}

/* 200 with the rendered metrics, handing the buffer back when sent. */
static enum MHD_Result prom_reply_metrics(struct MHD_Connection *conn,
                                          prom_ctx *c, char *body, size_t len)
{
  struct MHD_Response *r;
  enum MHD_Result rc;
  prom_body *pb = malloc(sizeof(*pb));

  if (!pb) {
    free(body);
    return MHD_NO;
  }
  pb->c = c;
  pb->p = body;
  r = MHD_create_response_from_buffer_with_free_callback_cls(
      len, body, prom_body_done, pb);
  if (!r) {
    free(body);
    free(pb);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "text/plain; version=0.0.4; charset=utf-8");
  rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return rc;
}

static char *prom_text_dup(const char *s, size_t *len)
{
  *len = strlen(s);
  return strdup(s);
}

/* One request, on libmicrohttpd's thread. */
static enum MHD_Result prom_request(void *cls, struct MHD_Connection *conn,
                                    const char *url, const char *method,
                                    const char *version,
                                    const char *upload_data,
                                    size_t *upload_size, void **con_cls)
{
  static const char text[] = "text/plain; charset=utf-8";
  prom_ctx *c = cls;
  prom_buf b = {0};
  size_t len;
  char *body;

  if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
    body = prom_text_dup("only GET and HEAD\n", &len);
    return body
               ? prom_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text, body, len)
               : MHD_NO;
  }
  if (strcmp(url, c->cfg.path)) {
    prom_puts(&b, "not found; the metrics are at ");
    prom_puts(&b, c->cfg.path);
    prom_putc(&b, '\n');
    if (b.oom) {
      prom_buf_free(&b);
      return MHD_NO;
    }
    body = prom_buf_take(&b, &len);
    return prom_reply(conn, MHD_HTTP_NOT_FOUND, text, body, len);
  }
  pthread_mutex_lock(&c->spare_mu);
  b.p = c->spare;
  b.cap = c->spare_cap;
  c->spare = NULL;
  c->spare_cap = 0;
  pthread_mutex_unlock(&c->spare_mu);
  if (prom_table_render(c->table, &b) < 0) {
    prom_buf_free(&b);
    body = prom_text_dup("out of memory\n", &len);
    return body ? prom_reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, text, body,
                             len)
                : MHD_NO;
  }
  body = prom_buf_take(&b, &len);
  if (!body)
    body = prom_text_dup("", &len);
  return body ? prom_reply_metrics(conn, c, body, len) : MHD_NO;
}

/* Bind and listen ourselves, so a failure names the address and why. */
static int prom_listen(prom_ctx *c)
{
  bn_host *h = c->h;
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  int one = 1;
  char shown[INET6_ADDRSTRLEN + 8];

  prom_parse_addr(c->cfg.listen, (int)c->cfg.port, &ss, &len);
  if (ss.ss_family == AF_INET6)
    snprintf(shown, sizeof(shown), "[%s]", c->cfg.listen);
  else
    snprintf(shown, sizeof(shown), "%s", c->cfg.listen);
  c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    bn_error(h, "cannot open a socket for %s: %s", shown, strerror(errno));
    return BN_EIO;
  }
  setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (ss.ss_family == AF_INET6)
    setsockopt(c->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(c->fd, (struct sockaddr *)&ss, len) < 0 || listen(c->fd, 64)) {
    bn_error(h,
             "cannot listen on %s:%lld: %s; choose another port or stop "
             "what uses it",
             shown, (long long)c->cfg.port, strerror(errno));
    return BN_EIO;
  }
  len = sizeof(ss);
  getsockname(c->fd, (struct sockaddr *)&ss, &len);
  c->port =
      ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                     : ((struct sockaddr_in *)&ss)->sin_port);
  if (!prom_is_loopback(&ss))
    bn_warn(h,
            "serving metrics on %s:%d, beyond this machine: anyone who "
            "can reach it reads the targets and their results",
            shown, c->port);
  bn_info(h, "metrics at http://%s:%d%s", shown, c->port, c->cfg.path);
  return BN_OK;
}

static void prom_drain_tick(bn_timer *t, void *arg)
{
  prom_ctx *c = arg;

  prom_table_drain(c->table, 0);
}

static void prom_destroy(void *ctx)
{
  prom_ctx *c = ctx;

  if (!c)
    return;
  if (c->mhd)
    MHD_stop_daemon(c->mhd);
  if (c->fd >= 0)
    close(c->fd);
  if (c->drain)
    c->h->api->timer_free(c->drain);
  prom_table_free(c->table);
  free(c->spare);
  pthread_mutex_destroy(&c->spare_mu);
  free(c);
}

static int prom_init(bn_host *h, void **ctx)
{
  prom_ctx *c = calloc(1, sizeof(*c));
  prom_limits lim;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  c->fd = -1;
  pthread_mutex_init(&c->spare_mu, NULL);
  if (prom_fill(h, &c->cfg, &lim) < 0) {
    free(c);
    return BN_EINVAL;
  }
  /* Serving beyond loopback shares the results: that needs consent. */
  {
    struct sockaddr_storage ss;
    socklen_t len;
    char dest[INET6_ADDRSTRLEN + 32];
    int rc;

    prom_parse_addr(c->cfg.listen, (int)c->cfg.port, &ss, &len);
    if (!prom_is_loopback(&ss)) {
      snprintf(dest, sizeof(dest),
               strchr(c->cfg.listen, ':') ? "http://[%s]:%lld%s"
                                          : "http://%s:%lld%s",
               c->cfg.listen, (long long)c->cfg.port, c->cfg.path);
      rc = h->api->consent(h, dest);
      if (rc < 0) {
        free(c);
        return rc;
      }
    }
  }
  c->table = prom_table_new(&lim);
  if (!c->table) {
    free(c);
    return BN_ENOMEM;
  }
  if (prom_listen(c) < 0) {
    prom_destroy(c);
    return BN_EIO;
  }
  if (c->cfg.listen && strchr(c->cfg.listen, ':'))
    flags |= MHD_USE_IPv6;
  c->mhd = MHD_start_daemon(
      flags, 0, NULL, NULL, prom_request, c, MHD_OPTION_LISTEN_SOCKET, c->fd,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->cfg.max_connections,
      MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
  if (!c->mhd) {
    bn_error(h, "cannot start the HTTP server (libmicrohttpd) on port %d",
             c->port);
    prom_destroy(c);
    return BN_EIO;
  }
  c->fd = -1; /* libmicrohttpd owns and closes it now */
  c->drain = h->api->timer_start(h, 100000000, 100000000, prom_drain_tick, c);
  if (!c->drain) {
    prom_destroy(c);
    return BN_ENOMEM;
  }
  *ctx = c;
  return BN_OK;
}

static int prom_on_sample(void *ctx, const char *probe, const bn_metric *m,
                          const bn_sample *s)
{
  prom_ctx *c = ctx;

  return prom_table_sample(c->table, probe, m, s);
}

static int prom_on_event(void *ctx, const char *source, const bn_event *e)
{
  prom_ctx *c = ctx;

  return prom_table_event(c->table, source, e);
}

static int prom_on_paths(void *ctx, const char *probe, const bn_path_set *ps)
{
  prom_ctx *c = ctx;

  return prom_table_paths(c->table, probe, ps);
}

static int prom_on_speedtest(void *ctx, const char *provider,
                             const bn_speedtest_result *r)
{
  prom_ctx *c = ctx;

  return prom_table_speedtest(c->table, provider, r);
}

static int prom_flush(void *ctx)
{
  prom_ctx *c = ctx;

  prom_table_drain(c->table, 1);
  return BN_OK;
}

static const bn_exporter_ops prom_ops = {
    BN_INIT(bn_exporter_ops),  .on_sample = prom_on_sample,
    .on_event = prom_on_event, .flush = prom_flush,
    .on_paths = prom_on_paths, .on_speedtest = prom_on_speedtest,
};

BN_PLUGIN(.name = "prometheus", .version = "1.0", .kind = BN_KIND_EXPORTER,
          .summary = "Prometheus /metrics endpoint (libmicrohttpd)",
          .options = prom_options, .init = prom_init, .destroy = prom_destroy,
          .ops = &prom_ops, .check = prom_check);
