/*
 * test_probe_http.c - the http probe on the mock host's poll loop
 * against a small HTTP/1.1 server that this test runs on loopback in a
 * thread: 200, 500, 302, a responder that never answers (timeout), an
 * endless-ish body without Content-Length (max_bytes), keep-alive, and
 * proxy requests in absolute form.  Also check() and its messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mock_host.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

extern const bn_plugin bn_plugin_descriptor;

/* Longest any test waits for the loop; results usually take < 10 ms. */
#define WAIT_MS       5000
#define SRV_MAX_CONNS 64

static const bn_probe_ops *ops(void)
{
  return bn_plugin_descriptor.ops;
}

/* ---------------------------------------------------------------- */
/* A loopback HTTP/1.1 server in a thread                            */
/* ---------------------------------------------------------------- */

typedef struct srv {
  int lfd, port;
  int stop[2]; /* written once at the end; never read */
  pthread_t acceptor;
  pthread_mutex_t mu;
  pthread_t conns[SRV_MAX_CONNS];
  int n_conns;       /* connections accepted */
  int n_requests;    /* requests read */
  char request[256]; /* last request line */
  char agent[256];   /* last User-Agent */
} srv;

typedef struct srv_conn {
  srv *s;
  int fd;
} srv_conn;

static void srv_send(int fd, const char *text, size_t len)
{
  while (len > 0) {
    ssize_t n = send(fd, text, len, MSG_NOSIGNAL);

    if (n <= 0)
      return;
    text += n;
    len -= (size_t)n;
  }
}

/* Wait until fd is readable or the server stops: 1, or 0 to quit. */
static int srv_wait(srv *s, int fd)
{
  struct pollfd p[2] = {{fd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};

  if (poll(p, 2, -1) <= 0 || p[1].revents)
    return 0;
  return 1;
}

/* Read one request head into buf; 0 at EOF or stop. */
static int srv_read_head(srv *s, int fd, char *buf, size_t len)
{
  size_t used = 0;

  while (!strstr(buf, "\r\n\r\n")) {
    ssize_t n;

    if (used + 1 >= len || !srv_wait(s, fd))
      return 0;
    n = recv(fd, buf + used, len - used - 1, 0);
    if (n <= 0)
      return 0;
    used += (size_t)n;
    buf[used] = '\0';
  }
  return 1;
}

static void srv_record(srv *s, const char *head)
{
  const char *ua = strstr(head, "\r\nUser-Agent: ");
  size_t n = strcspn(head, "\r\n");

  pthread_mutex_lock(&s->mu);
  s->n_requests++;
  snprintf(s->request, sizeof(s->request), "%.*s", (int)n, head);
  s->agent[0] = '\0';
  if (ua) {
    ua += 14;
    n = strcspn(ua, "\r\n");
    snprintf(s->agent, sizeof(s->agent), "%.*s", (int)n, ua);
  }
  pthread_mutex_unlock(&s->mu);
}

/* Answer one request; 0 when the connection must close. */
static int srv_answer(srv *s, int fd, const char *head)
{
  static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  static const char err[] =
      "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops";
  static const char redir[] = "HTTP/1.1 302 Found\r\nLocation: /ok\r\n"
                              "Content-Length: 0\r\n\r\n";
  static const char big[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
  static const char missing[] =
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  char path[128], chunk[1024];
  int head_only = strncmp(head, "HEAD ", 5) == 0, i;
  const char *p = strchr(head, ' ');

  snprintf(path, sizeof(path), "%.*s", p ? (int)strcspn(p + 1, " ") : 0,
           p ? p + 1 : "");
  /* A proxy request names the whole URL: keep its path. */
  p = strncmp(path, "http://", 7) == 0 ? strchr(path + 7, '/') : path;
  if (!p)
    p = "/";
  if (strcmp(p, "/ok") == 0) {
    srv_send(fd, ok, sizeof(ok) - 1);
    if (!head_only)
      srv_send(fd, "hello", 5);
  } else if (strcmp(p, "/err") == 0) {
    srv_send(fd, err, sizeof(err) - 1);
  } else if (strcmp(p, "/redir") == 0) {
    srv_send(fd, redir, sizeof(redir) - 1);
  } else if (strcmp(p, "/slow") == 0) {
    /* Never answer: wait for the client to give up or the end. */
    while (srv_wait(s, fd) && recv(fd, chunk, sizeof(chunk), 0) > 0)
      ;
    return 0;
  } else if (strcmp(p, "/big") == 0) {
    srv_send(fd, big, sizeof(big) - 1);
    memset(chunk, 'x', sizeof(chunk));
    for (i = 0; i < 64; i++)
      srv_send(fd, chunk, sizeof(chunk));
    return 0;
  } else {
    srv_send(fd, missing, sizeof(missing) - 1);
  }
  return 1;
}

static void *srv_conn_main(void *arg)
{
  srv_conn *sc = arg;
  char head[4096];

  for (;;) {
    head[0] = '\0';
    if (!srv_read_head(sc->s, sc->fd, head, sizeof(head)))
      break;
    srv_record(sc->s, head);
    if (!srv_answer(sc->s, sc->fd, head))
      break;
  }
  close(sc->fd);
  free(sc);
  return NULL;
}

static void *srv_accept_main(void *arg)
{
  srv *s = arg;

  while (srv_wait(s, s->lfd)) {
    srv_conn *sc;
    int fd = accept(s->lfd, NULL, NULL);

    if (fd < 0)
      continue;
    sc = calloc(1, sizeof(*sc));
    pthread_mutex_lock(&s->mu);
    if (!sc || s->n_conns >= SRV_MAX_CONNS) {
      pthread_mutex_unlock(&s->mu);
      free(sc);
      close(fd);
      continue;
    }
    sc->s = s;
    sc->fd = fd;
    if (pthread_create(&s->conns[s->n_conns], NULL, srv_conn_main, sc) == 0)
      s->n_conns++;
    else {
      close(fd);
      free(sc);
    }
    pthread_mutex_unlock(&s->mu);
  }
  return NULL;
}

/* A listening socket on 127.0.0.1 or ::1, ephemeral port; -1 if none. */
static int listener(int family, int *port)
{
  return mock_loopback_socket(family, SOCK_STREAM, 64, 0, port);
}

/* Start the server; 0, or -1 when `family` has no loopback here. */
static int srv_start(srv *s, int family)
{
  memset(s, 0, sizeof(*s));
  s->lfd = listener(family, &s->port);
  if (s->lfd < 0)
    return -1;
  assert_int_equal(pipe(s->stop), 0);
  pthread_mutex_init(&s->mu, NULL);
  assert_int_equal(pthread_create(&s->acceptor, NULL, srv_accept_main, s), 0);
  return 0;
}

static void srv_stop(srv *s)
{
  int i;

  assert_int_equal(write(s->stop[1], "x", 1), 1);
  pthread_join(s->acceptor, NULL);
  for (i = 0; i < s->n_conns; i++)
    pthread_join(s->conns[i], NULL);
  close(s->lfd);
  close(s->stop[0]);
  close(s->stop[1]);
  pthread_mutex_destroy(&s->mu);
}

static int srv_count(srv *s, int *field)
{
  int n;

  pthread_mutex_lock(&s->mu);
  n = *field;
  pthread_mutex_unlock(&s->mu);
  return n;
}

/* A port on 127.0.0.1 where nothing listens. */
static int closed_port(void)
{
  int port = 0, fd = listener(AF_INET, &port);

  assert_true(fd >= 0);
  close(fd);
  return port;
}

/* ---------------------------------------------------------------- */
/* Helpers                                                           */
/* ---------------------------------------------------------------- */

static void init_mock(mock_host *m, const char *conf)
{
  assert_int_equal(mock_host_init(m, &bn_plugin_descriptor, conf), 0);
}

static void *start_probe(mock_host *m)
{
  void *ctx = NULL;

  assert_int_equal(bn_plugin_descriptor.init(&m->base, &ctx), 0);
  assert_non_null(ctx);
  assert_int_equal(ops()->start(ctx), 0);
  return ctx;
}

static void finish_probe(mock_host *m, void *ctx)
{
  ops()->stop(ctx);
  bn_plugin_descriptor.destroy(ctx);
  mock_loop_run(m, 0);
  assert_int_equal(mock_timer_count(m), 0);
  assert_int_equal(mock_watch_count(m), 0);
  mock_host_free(m);
}

/* The metrics of samples [from, from + n) joined by ',' for comparing. */
static const char *metrics(const mock_host *m, size_t from, size_t n)
{
  static char buf[512];
  size_t i, used = 0;

  buf[0] = '\0';
  for (i = from; i < from + n && i < m->n_samples && used < sizeof(buf); i++)
    used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
                             i > from ? "," : "", m->samples[i].metric);
  return buf;
}

static const mock_sample *sample(const mock_host *m, const char *metric)
{
  size_t i;

  for (i = 0; i < m->n_samples; i++)
    if (strcmp(m->samples[i].metric, metric) == 0)
      return &m->samples[i];
  fail_msg("no sample of %s", metric);
  return NULL;
}

/* check() on `conf` with one target; returns its status. */
static int check_conf(mock_host *m, const char *conf)
{
  init_mock(m, conf);
  mock_add_target(m, "web", "127.0.0.1", 8080);
  return bn_plugin_descriptor.check(&m->base);
}

/* Run the loop until the server has read `n` requests. */
static void run_until_requests(mock_host *m, srv *s, int n)
{
  int waited;

  for (waited = 0; waited < WAIT_MS; waited += 5) {
    if (srv_count(s, &s->n_requests) >= n)
      return;
    mock_loop_run(m, 5);
  }
  fail_msg("the server saw %d requests, not %d", srv_count(s, &s->n_requests),
           n);
}

/* One request to 127.0.0.1:port/path with `conf`; samples waited for. */
static void *probe_path(mock_host *m, srv *s, const char *conf,
                        const char *path, size_t n_samples)
{
  char full[256];
  void *ctx;

  snprintf(full, sizeof(full), "path=%s;%s", path, conf ? conf : "");
  init_mock(m, full);
  mock_add_target(m, "web", "127.0.0.1", s->port);
  ctx = start_probe(m);
  assert_int_equal(mock_loop_run_samples(m, n_samples, WAIT_MS), n_samples);
  return ctx;
}

/* ---------------------------------------------------------------- */
/* Descriptor and check()                                            */
/* ---------------------------------------------------------------- */

static void test_descriptor(void **state)
{
  static const struct {
    const char *name;
    bn_opt_type type;
    const char *def;
  } want[] = {{"interval", BN_OPT_DURATION, "10s"},
              {"timeout", BN_OPT_DURATION, "5s"},
              {"path", BN_OPT_STRING, "/"},
              {"scheme", BN_OPT_STRING, NULL},
              {"method", BN_OPT_STRING, "GET"},
              {"expect_status", BN_OPT_STRING, "200-399"},
              {"follow_redirects", BN_OPT_BOOL, "false"},
              {"insecure", BN_OPT_BOOL, "false"},
              {"ca_file", BN_OPT_STRING, NULL},
              {"user_agent", BN_OPT_STRING, "bottleneck/" PACKAGE_VERSION},
              {"max_bytes", BN_OPT_SIZE, "1MiB"},
              {"fresh_connect", BN_OPT_BOOL, "true"},
              {"proxy", BN_OPT_STRING, NULL}};
  const bn_plugin *p = &bn_plugin_descriptor;
  const bn_option *o = p->options;
  size_t i;

  assert_int_equal(p->abi_major, BN_ABI_MAJOR);
  assert_int_equal(p->abi_minor, BN_ABI_MINOR);
  assert_int_equal(p->struct_size, sizeof(bn_plugin));
  assert_string_equal(p->name, "http");
  assert_int_equal(p->kind, BN_KIND_PROBE);
  assert_non_null(p->check);
  assert_int_equal(ops()->struct_size, sizeof(bn_probe_ops));
  for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    assert_string_equal(o[i].name, want[i].name);
    assert_int_equal(o[i].type, want[i].type);
    if (want[i].def)
      assert_string_equal(o[i].def, want[i].def);
    else
      assert_null(o[i].def);
  }
  assert_null(o[i].name);
  assert_true(o[0].min == 0.1 && o[0].max == 86400);
}

static void test_check_ok(void **state)
{
  mock_host m;

  assert_int_equal(check_conf(&m, "scheme=https;method=HEAD;"
                                  "expect_status=200-299, 301"),
                   0);
  assert_int_equal(m.n_logs, 0);
  assert_int_equal(mock_timer_count(&m), 0);
  mock_host_free(&m);
}

static void test_check_scheme_method(void **state)
{
  mock_host m;

  assert_int_equal(check_conf(&m, "scheme=ftp;method=POST"), BN_EINVAL);
  assert_int_equal(m.n_logs, 2);
  assert_int_equal(m.logs[0].level, BN_LOG_ERROR);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:1:3: scheme must be http or https, got "
                      "'ftp'");
  assert_string_equal(m.logs[1].text,
                      "mock.yaml:2:3: method must be GET or HEAD, got "
                      "'POST'");
  mock_host_free(&m);
}

static void test_check_expect_status(void **state)
{
  static const char *const bad[] = {
      "abc", "99",      "600",  "300-200", "200-", "200,,201",
      "",    "200 300", "-200", "200,",    "2OO",  "99999999999999999999"};
  static const char *const good[] = {"200", " 204 ", "200-299,301-302",
                                     "100-599", "200 - 204, 418"};
  char conf[128], want[256];
  mock_host m;
  size_t i;

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    snprintf(conf, sizeof(conf), "expect_status=%s", bad[i]);
    assert_int_equal(check_conf(&m, conf), BN_EINVAL);
    snprintf(want, sizeof(want),
             "mock.yaml:1:3: expect_status must be status codes 100-599 "
             "like \"200\", \"200-399\" or \"200,301-302\", got '%s'",
             bad[i]);
    assert_int_equal(m.n_logs, 1);
    assert_string_equal(m.logs[0].text, want);
    mock_host_free(&m);
  }
  for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    snprintf(conf, sizeof(conf), "expect_status=%s", good[i]);
    assert_int_equal(check_conf(&m, conf), 0);
    assert_int_equal(m.n_logs, 0);
    mock_host_free(&m);
  }
}

static void test_check_path_and_url(void **state)
{
  mock_host m;
  bn_target *t;

  init_mock(&m, "path=health");
  t = mock_add_target(&m, "web", "127.0.0.1", 80);
  assert_int_equal(mock_target_set(t, "url", "ftp://x/"), 0);
  assert_int_equal(bn_plugin_descriptor.check(&m.base), BN_EINVAL);
  assert_int_equal(m.n_logs, 2);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:1:3: path must start with '/', got "
                      "'health'");
  assert_string_equal(m.logs[1].text,
                      "mock.yaml:13:5: target 'web': url must start with "
                      "http:// or https://, got 'ftp://x/'");
  mock_host_free(&m);
}

/* init() rejects what check() rejects, and builds no multi handle. */
static void test_init_rejects(void **state)
{
  mock_host m;
  void *ctx = NULL;

  init_mock(&m, "method=PUT");
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), BN_EINVAL);
  assert_null(ctx);
  assert_int_equal(mock_log_count(&m, BN_LOG_ERROR,
                                  "method must be GET or HEAD, got 'PUT'"),
                   1);
  mock_host_free(&m);
}

/* URLs built from host, port, scheme and path; a url key wins. */
static void test_urls(void **state)
{
  mock_host m;
  bn_target *t;
  void *ctx = NULL;

  init_mock(&m, "path=/health;method=HEAD");
  mock_add_target(&m, "a", "127.0.0.1", 8080);
  mock_add_target(&m, "b", "::1", 443);
  mock_add_target(&m, "c", "example.test", 0);
  t = mock_add_target(&m, "d", "ignored.test", 0);
  mock_target_set(t, "url", "https://u.test:8443/p?q=1");
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), 0);
  assert_int_equal(m.n_logs, 4);
  assert_string_equal(m.logs[0].text,
                      "target 'a': HEAD http://127.0.0.1:8080/health");
  assert_string_equal(m.logs[1].text, "target 'b': HEAD https://[::1]:443/"
                                      "health");
  assert_string_equal(m.logs[2].text,
                      "target 'c': HEAD http://example.test/health");
  assert_string_equal(m.logs[3].text,
                      "target 'd': HEAD https://u.test:8443/p?q=1");
  finish_probe(&m, ctx);

  init_mock(&m, "scheme=https");
  mock_add_target(&m, "a", "127.0.0.1", 80);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), 0);
  assert_string_equal(m.logs[0].text, "target 'a': GET https://127.0.0.1:80/");
  finish_probe(&m, ctx);
}

/* ---------------------------------------------------------------- */
/* Requests                                                          */
/* ---------------------------------------------------------------- */

static void test_get_ok(void **state)
{
  mock_host m;
  srv s;
  void *ctx;
  size_t i;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, NULL, "/ok", 6);
  assert_string_equal(metrics(&m, 0, 6), "dns_ms,connect_ms,ttfb_ms,"
                                         "total_ms,http_status,size_bytes");
  for (i = 0; i < 6; i++) {
    assert_string_equal(m.samples[i].target, "web");
    assert_int_equal(m.samples[i].flags, 0);
    assert_true(isfinite(m.samples[i].value));
    assert_true(m.samples[i].value >= 0.0);
    assert_true(m.samples[i].wall_ns > 0 && m.samples[i].mono_ns > 0);
  }
  assert_true(sample(&m, "total_ms")->value > 0.0);
  assert_true(sample(&m, "total_ms")->value >= sample(&m, "ttfb_ms")->value);
  assert_true(sample(&m, "http_status")->value == 200.0);
  assert_true(sample(&m, "size_bytes")->value == 5.0);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  assert_string_equal(s.request, "GET /ok HTTP/1.1");
  assert_string_equal(s.agent, "bottleneck/" PACKAGE_VERSION);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

static void test_ipv6(void **state)
{
  mock_host m;
  srv s;
  void *ctx;

  if (srv_start(&s, AF_INET6) < 0)
    skip(); /* no IPv6 loopback on this machine */
  init_mock(&m, "path=/ok");
  mock_add_target(&m, "web6", "::1", s.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 6, WAIT_MS), 6);
  assert_true(sample(&m, "http_status")->value == 200.0);
  assert_int_equal(sample(&m, "total_ms")->flags, 0);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

static void test_head_and_agent(void **state)
{
  mock_host m;
  srv s;
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, "method=HEAD;user_agent=probe-x/2", "/ok", 6);
  assert_string_equal(s.request, "HEAD /ok HTTP/1.1");
  assert_string_equal(s.agent, "probe-x/2");
  assert_true(sample(&m, "http_status")->value == 200.0);
  assert_true(sample(&m, "size_bytes")->value == 0.0);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

static void test_status_500(void **state)
{
  mock_host m;
  srv s;
  char warn[256];
  void *ctx;
  size_t i;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, "interval=100ms", "/err", 4);
  assert_string_equal(metrics(&m, 0, 4),
                      "http_status,total_ms,http_status,total_ms");
  for (i = 0; i < 4; i += 2) {
    assert_true(m.samples[i].value == 500.0);
    assert_int_equal(m.samples[i].flags, 0);
    assert_int_equal(m.samples[i + 1].flags, BN_SAMPLE_LOST);
    assert_true(isnan(m.samples[i + 1].value));
  }
  snprintf(warn, sizeof(warn),
           "target 'web': GET http://127.0.0.1:%d/err failed: status 500 "
           "is not in expect_status '200-399'; counted as lost",
           s.port);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, warn), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_DEBUG, "status 500 is not"), 1);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

static void test_status_500_expected(void **state)
{
  mock_host m;
  srv s;
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, "expect_status=500,502-504", "/err", 6);
  assert_true(sample(&m, "http_status")->value == 500.0);
  assert_int_equal(sample(&m, "total_ms")->flags, 0);
  assert_true(sample(&m, "size_bytes")->value == 4.0);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

/* A 302 is an answer of its own unless follow_redirects is on. */
static void test_redirect_not_followed(void **state)
{
  mock_host m;
  srv s;
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, NULL, "/redir", 6);
  assert_true(sample(&m, "http_status")->value == 302.0);
  assert_int_equal(sample(&m, "total_ms")->flags, 0);
  assert_int_equal(srv_count(&s, &s.n_requests), 1);
  finish_probe(&m, ctx);

  ctx = probe_path(&m, &s, "expect_status=200", "/redir", 2);
  assert_string_equal(metrics(&m, 0, 2), "http_status,total_ms");
  assert_true(m.samples[0].value == 302.0);
  assert_int_equal(m.samples[1].flags, BN_SAMPLE_LOST);
  assert_int_equal(srv_count(&s, &s.n_requests), 2);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

static void test_redirect_followed(void **state)
{
  mock_host m;
  srv s;
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, "follow_redirects=true;expect_status=200", "/redir",
                   6);
  assert_true(sample(&m, "http_status")->value == 200.0);
  assert_true(sample(&m, "size_bytes")->value == 5.0);
  assert_int_equal(srv_count(&s, &s.n_requests), 2);
  assert_string_equal(s.request, "GET /ok HTTP/1.1");
  finish_probe(&m, ctx);
  srv_stop(&s);
}

static void test_timeout(void **state)
{
  mock_host m;
  srv s;
  char warn[256];
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, "timeout=100ms", "/slow", 1);
  assert_string_equal(m.samples[0].metric, "total_ms");
  assert_int_equal(m.samples[0].flags, BN_SAMPLE_LOST);
  assert_true(isnan(m.samples[0].value));
  snprintf(warn, sizeof(warn),
           "target 'web': GET http://127.0.0.1:%d/slow failed: Operation "
           "timed out after ",
           s.port);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, warn), 1);
  /* The connection is closed: nothing is watched any more. */
  assert_int_equal(mock_watch_count(&m), 0);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

static void test_refused(void **state)
{
  mock_host m;
  char warn[256];
  void *ctx;
  int port = closed_port();
  size_t i;

  init_mock(&m, "interval=100ms");
  mock_add_target(&m, "shut", "127.0.0.1", port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
  for (i = 0; i < 3; i++) {
    assert_string_equal(m.samples[i].metric, "total_ms");
    assert_int_equal(m.samples[i].flags, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  }
  snprintf(warn, sizeof(warn),
           "target 'shut': GET http://127.0.0.1:%d/ failed: Failed to "
           "connect to 127.0.0.1 port %d ",
           port, port);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, warn), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, "; counted as lost"), 1);
  assert_true(mock_log_count(&m, BN_LOG_DEBUG, "Failed to connect") >= 2);
  finish_probe(&m, ctx);
}

/* A body without Content-Length beyond max_bytes: aborted, lost. */
static void test_max_bytes(void **state)
{
  mock_host m;
  srv s;
  char warn[256];
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, "max_bytes=1KiB", "/big", 2);
  assert_string_equal(metrics(&m, 0, 2), "http_status,total_ms");
  assert_true(m.samples[0].value == 200.0);
  assert_int_equal(m.samples[1].flags, BN_SAMPLE_LOST);
  snprintf(warn, sizeof(warn),
           "target 'web': GET http://127.0.0.1:%d/big failed: response "
           "body larger than max_bytes (1024); counted as lost",
           s.port);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, warn), 1);
  finish_probe(&m, ctx);

  /* With a Content-Length curl refuses before reading the body. */
  ctx = probe_path(&m, &s, "max_bytes=4", "/ok", 2);
  assert_int_equal(m.samples[1].flags, BN_SAMPLE_LOST);
  assert_int_equal(
      mock_log_count(&m, BN_LOG_WARNING, "larger than max_bytes (4)"), 1);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

/* fresh_connect (default): a connection per request; false: one. */
static void test_fresh_connect(void **state)
{
  mock_host m;
  srv s;
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, "interval=100ms", "/ok", 18);
  assert_int_equal(srv_count(&s, &s.n_conns), 3);
  finish_probe(&m, ctx);
  srv_stop(&s);

  assert_int_equal(srv_start(&s, AF_INET), 0);
  ctx = probe_path(&m, &s, "interval=100ms;fresh_connect=false", "/ok", 14);
  assert_int_equal(srv_count(&s, &s.n_conns), 1);
  assert_int_equal(srv_count(&s, &s.n_requests), 3);
  /* Reused connections did no lookup and no connect. */
  assert_string_equal(metrics(&m, 0, 6), "dns_ms,connect_ms,ttfb_ms,"
                                         "total_ms,http_status,size_bytes");
  assert_string_equal(metrics(&m, 6, 8), "ttfb_ms,total_ms,http_status,"
                                         "size_bytes,ttfb_ms,total_ms,"
                                         "http_status,size_bytes");
  finish_probe(&m, ctx);
  srv_stop(&s);
}

/* http_proxy in the environment is ignored: the direct path counts. */
static void test_env_proxy_ignored(void **state)
{
  char proxy[64];
  mock_host m;
  srv s;
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", closed_port());
  setenv("http_proxy", proxy, 1);
  setenv("HTTPS_PROXY", proxy, 1);
  setenv("ALL_PROXY", proxy, 1);
  ctx = probe_path(&m, &s, NULL, "/ok", 6);
  unsetenv("http_proxy");
  unsetenv("HTTPS_PROXY");
  unsetenv("ALL_PROXY");
  assert_true(sample(&m, "http_status")->value == 200.0);
  assert_string_equal(s.request, "GET /ok HTTP/1.1");
  finish_probe(&m, ctx);
  srv_stop(&s);
}

/* proxy: requests go through it (our server, in absolute form). */
static void test_proxy_option(void **state)
{
  char conf[128];
  mock_host m;
  bn_target *t;
  srv s;
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  snprintf(conf, sizeof(conf), "proxy=http://127.0.0.1:%d", s.port);
  init_mock(&m, conf);
  t = mock_add_target(&m, "far", "far.invalid", 0);
  mock_target_set(t, "url", "http://far.invalid/ok");
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 6, WAIT_MS), 6);
  assert_true(sample(&m, "http_status")->value == 200.0);
  assert_string_equal(s.request, "GET http://far.invalid/ok HTTP/1.1");
  finish_probe(&m, ctx);
  srv_stop(&s);
}

/* A clock epoch change in flight: that request's samples INVALID. */
static void test_epoch_change(void **state)
{
  mock_host m;
  srv s;
  void *ctx;
  size_t i;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  init_mock(&m, "path=/ok;interval=100ms");
  m.epoch_script[0] = 0; /* when the first request is sent */
  m.epoch_script[1] = 1; /* from its answer on */
  m.n_epoch_script = 2;
  mock_add_target(&m, "web", "127.0.0.1", s.port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 12, WAIT_MS), 12);
  for (i = 0; i < 6; i++)
    assert_int_equal(m.samples[i].flags, BN_SAMPLE_INVALID);
  for (i = 6; i < 12; i++)
    assert_int_equal(m.samples[i].flags, 0);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

/* The first requests of 4 targets are spread over the first interval. */
static void test_stagger(void **state)
{
  static const int64_t want[4] = {0, 250000000, 500000000, 750000000};
  mock_host m;
  int64_t after, repeat;
  void *ctx;
  size_t i;

  init_mock(&m, "interval=1s");
  mock_add_target(&m, "a", "127.0.0.1", 1);
  mock_add_target(&m, "b", "127.0.0.2", 2);
  mock_add_target(&m, "c", "::1", 3);
  mock_add_target(&m, "d", "127.0.0.4", 4);
  ctx = start_probe(&m);
  assert_int_equal(mock_timer_count(&m), 4);
  for (i = 0; i < 4; i++) {
    assert_int_equal(mock_timer_times(&m, i, &after, &repeat), 0);
    assert_int_equal(after, want[i]);
    assert_int_equal(repeat, 1000000000);
  }
  finish_probe(&m, ctx);
}

/* stop() drops a request in flight: no sample, nothing left open. */
static void test_stop_cancels(void **state)
{
  mock_host m;
  srv s;
  void *ctx;

  assert_int_equal(srv_start(&s, AF_INET), 0);
  init_mock(&m, "path=/slow;timeout=10s");
  mock_add_target(&m, "web", "127.0.0.1", s.port);
  ctx = start_probe(&m);
  run_until_requests(&m, &s, 1);
  assert_int_equal(mock_watch_count(&m), 1);
  ops()->stop(ctx);
  mock_loop_run(&m, 20);
  assert_int_equal(m.n_samples, 0);
  assert_int_equal(mock_watch_count(&m), 0);
  finish_probe(&m, ctx);
  srv_stop(&s);
}

static void test_no_targets(void **state)
{
  mock_host m;
  void *ctx;

  init_mock(&m, NULL);
  ctx = start_probe(&m);
  assert_int_equal(mock_timer_count(&m), 0);
  finish_probe(&m, ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_descriptor),
      cmocka_unit_test(test_check_ok),
      cmocka_unit_test(test_check_scheme_method),
      cmocka_unit_test(test_check_expect_status),
      cmocka_unit_test(test_check_path_and_url),
      cmocka_unit_test(test_init_rejects),
      cmocka_unit_test(test_urls),
      cmocka_unit_test(test_get_ok),
      cmocka_unit_test(test_ipv6),
      cmocka_unit_test(test_head_and_agent),
      cmocka_unit_test(test_status_500),
      cmocka_unit_test(test_status_500_expected),
      cmocka_unit_test(test_redirect_not_followed),
      cmocka_unit_test(test_redirect_followed),
      cmocka_unit_test(test_timeout),
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_max_bytes),
      cmocka_unit_test(test_fresh_connect),
      cmocka_unit_test(test_env_proxy_ignored),
      cmocka_unit_test(test_proxy_option),
      cmocka_unit_test(test_epoch_change),
      cmocka_unit_test(test_stagger),
      cmocka_unit_test(test_stop_cancels),
      cmocka_unit_test(test_no_targets),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
