/*
 * test_probe_tcp.c - the tcp probe against real sockets on loopback:
 * a listener (success), a closed port (refused), a listener whose accept
 * queue is full (no answer: timeout), names, clock epochs, stop() and
 * descriptor exhaustion.  The plugin runs on the mock host's poll loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mock_host.h"

extern const bn_plugin bn_plugin_descriptor;

/* Longest any test waits for the loop; results usually take < 10 ms. */
#define WAIT_MS 5000

static const bn_probe_ops *ops(void)
{
  return bn_plugin_descriptor.ops;
}

/* A listening socket on 127.0.0.1 or ::1, ephemeral port; -1 if none. */
static int listener(int family, int backlog, int want_port, int *port)
{
  return mock_loopback_socket(family, SOCK_STREAM, backlog, want_port, port);
}

/* A port on 127.0.0.1 where nothing listens. */
static int closed_port(void)
{
  int port = 0;
  int fd = listener(AF_INET, 1, 0, &port);

  assert_true(fd >= 0);
  close(fd);
  return port;
}

/* Connect to 127.0.0.1:port; 1 if the handshake finished in `ms`. */
static int filler(int port, int ms, int *fd_out)
{
  struct sockaddr_in sin;
  struct pollfd p;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

  assert_true(fd >= 0);
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sin.sin_port = htons(port);
  *fd_out = fd;
  if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
    return 1;
  p.fd = fd;
  p.events = POLLOUT;
  return poll(&p, 1, ms) == 1;
}

/*
 * A listener that never completes a handshake: with backlog 0 and the
 * accept queue filled by connections nobody accepts, Linux drops new
 * SYNs, so a connect() stays pending.  Returns -1 if that can't be had.
 */
static int black_hole(int *port, int fillers[8], size_t *n_fillers)
{
  int fd = listener(AF_INET, 0, 0, port);

  *n_fillers = 0;
  if (fd < 0)
    return -1;
  while (*n_fillers < 8) {
    int done = filler(*port, 300, &fillers[*n_fillers]);

    (*n_fillers)++;
    if (!done)
      return fd;
  }
  close(fd);
  return -1;
}

static void close_all(int *fds, size_t n)
{
  while (n-- > 0)
    close(fds[n]);
}

static size_t open_fds(void)
{
  DIR *d = opendir("/proc/self/fd");
  size_t n = 0;

  assert_non_null(d);
  while (readdir(d))
    n++;
  closedir(d);
  return n;
}

/* Init the probe with `conf`, start it; the test owns m and ctx. */
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
  assert_int_equal(mock_resolve_count(m), 0);
  mock_host_free(m);
}

/* ---------------------------------------------------------------- */

static void test_descriptor(void **state)
{
  const bn_plugin *p = &bn_plugin_descriptor;
  const bn_option *o = p->options;

  assert_int_equal(p->abi_major, BN_ABI_MAJOR);
  assert_int_equal(p->abi_minor, BN_ABI_MINOR);
  assert_int_equal(p->struct_size, sizeof(bn_plugin));
  assert_string_equal(p->name, "tcp");
  assert_int_equal(p->kind, BN_KIND_PROBE);
  assert_int_equal(ops()->struct_size, sizeof(bn_probe_ops));
  assert_string_equal(o[0].name, "interval");
  assert_int_equal(o[0].type, BN_OPT_DURATION);
  assert_string_equal(o[0].def, "1s");
  assert_true(o[0].min == 0.01 && o[0].max == 3600);
  assert_string_equal(o[1].name, "timeout");
  assert_int_equal(o[1].type, BN_OPT_DURATION);
  assert_string_equal(o[1].def, "1s");
  assert_true(o[1].min == 0.001 && o[1].max == 60);
  assert_string_equal(o[2].name, "port");
  assert_int_equal(o[2].type, BN_OPT_INT);
  assert_string_equal(o[2].def, "0");
  assert_true(o[2].min == 0 && o[2].max == 65535);
  assert_null(o[3].name);
}

static void test_target_without_port(void **state)
{
  mock_host m;
  void *ctx = NULL;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  mock_add_target(&m, "web", "127.0.0.1", 0);
  mock_add_target(&m, "ok", "127.0.0.1", 80);
  mock_add_target(&m, "db", "::1", 0);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), BN_EINVAL);
  assert_null(ctx);
  assert_int_equal(m.n_logs, 2);
  assert_int_equal(m.logs[0].level, BN_LOG_ERROR);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:10:3: target 'web' has no port: give it "
                      "one, or set 'port' on the probe");
  assert_string_equal(m.logs[1].text,
                      "mock.yaml:30:3: target 'db' has no port: give it "
                      "one, or set 'port' on the probe");
  mock_host_free(&m);
}

static void test_connect_ok(void **state)
{
  mock_host m;
  void *ctx;
  int port, lfd = listener(AF_INET, 64, 0, &port);
  size_t i;

  assert_true(lfd >= 0);
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms"),
                   0);
  mock_add_target(&m, "web", "127.0.0.1", port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
  for (i = 0; i < 3; i++) {
    assert_string_equal(m.samples[i].target, "web");
    assert_string_equal(m.samples[i].metric, "rtt_ms");
    assert_int_equal(m.samples[i].flags, 0);
    assert_true(isfinite(m.samples[i].value));
    assert_true(m.samples[i].value >= 0.0);
    assert_true(m.samples[i].wall_ns > 0);
    assert_true(m.samples[i].mono_ns > 0);
  }
  assert_true(m.samples[1].mono_ns > m.samples[0].mono_ns);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  finish_probe(&m, ctx);
  close(lfd);
}

static void test_connect_ipv6(void **state)
{
  mock_host m;
  void *ctx;
  int port, lfd = listener(AF_INET6, 64, 0, &port);

  if (lfd < 0)
    skip(); /* no IPv6 loopback on this machine */
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms"),
                   0);
  mock_add_target(&m, "web6", "::1", port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 2, WAIT_MS), 2);
  assert_string_equal(m.samples[0].target, "web6");
  assert_int_equal(m.samples[0].flags, 0);
  assert_int_equal(m.samples[1].flags, 0);
  finish_probe(&m, ctx);
  close(lfd);
}

/* The probe's port option wins over the target's (absent) port. */
static void test_port_option(void **state)
{
  mock_host m;
  char conf[64];
  void *ctx;
  int port, lfd = listener(AF_INET, 64, 0, &port);

  assert_true(lfd >= 0);
  snprintf(conf, sizeof(conf), "interval=10ms;port=%d", port);
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, conf), 0);
  mock_add_target(&m, "web", "127.0.0.1", 0);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 1, WAIT_MS), 1);
  assert_int_equal(m.samples[0].flags, 0);
  finish_probe(&m, ctx);
  close(lfd);
}

static void test_refused(void **state)
{
  mock_host m;
  char warn[128];
  void *ctx;
  int port = closed_port();
  size_t i;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms"),
                   0);
  mock_add_target(&m, "shut", "127.0.0.1", port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 3, WAIT_MS), 3);
  for (i = 0; i < 3; i++) {
    assert_string_equal(m.samples[i].metric, "rtt_ms");
    assert_int_equal(m.samples[i].flags, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
    assert_true(isnan(m.samples[i].value));
  }
  /* Warned once, then at debug level for every probe. */
  snprintf(warn, sizeof(warn),
           "target 'shut': 127.0.0.1 port %d refused the connection; "
           "counted as lost",
           port);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, warn), 1);
  assert_true(mock_log_count(&m, BN_LOG_DEBUG, "Connection refused") >= 3);
  finish_probe(&m, ctx);
}

static void test_timeout(void **state)
{
  mock_host m;
  int fillers[8], port;
  size_t n_fillers;
  int lfd = black_hole(&port, fillers, &n_fillers);
  char conf[64];
  void *ctx;

  if (lfd < 0) {
    close_all(fillers, n_fillers);
    skip(); /* this kernel completes every handshake */
  }
  snprintf(conf, sizeof(conf), "interval=1s;timeout=50ms");
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, conf), 0);
  mock_add_target(&m, "hole", "127.0.0.1", port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 1, WAIT_MS), 1);
  assert_string_equal(m.samples[0].target, "hole");
  assert_int_equal(m.samples[0].flags, BN_SAMPLE_LOST);
  assert_true(isnan(m.samples[0].value));
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  /* The timed-out attempt is gone: only the interval timer is left. */
  assert_int_equal(mock_watch_count(&m), 0);
  assert_int_equal(mock_timer_count(&m), 1);
  finish_probe(&m, ctx);
  close_all(fillers, n_fillers);
  close(lfd);
}

/* stop() drops an attempt in flight: no sample, socket closed. */
static void test_stop_cancels(void **state)
{
  mock_host m;
  int fillers[8], port;
  size_t n_fillers, fds;
  int lfd = black_hole(&port, fillers, &n_fillers);
  void *ctx;

  if (lfd < 0) {
    close_all(fillers, n_fillers);
    skip();
  }
  assert_int_equal(
      mock_host_init(&m, &bn_plugin_descriptor, "interval=10s;timeout=10s"),
      0);
  mock_add_target(&m, "hole", "127.0.0.1", port);
  ctx = start_probe(&m);
  mock_loop_run(&m, 20);
  assert_int_equal(mock_watch_count(&m), 1);
  assert_int_equal(mock_timer_count(&m), 2); /* interval + timeout */
  fds = open_fds();
  ops()->stop(ctx);
  assert_int_equal(open_fds(), fds - 1);
  mock_loop_run(&m, 20);
  assert_int_equal(m.n_samples, 0);
  assert_int_equal(mock_watch_count(&m), 0);
  assert_int_equal(mock_timer_count(&m), 0);
  finish_probe(&m, ctx);
  close_all(fillers, n_fillers);
  close(lfd);
}

/* A clock epoch change between send and answer: INVALID, once. */
static void test_epoch_change(void **state)
{
  mock_host m;
  void *ctx;
  int port, lfd = listener(AF_INET, 64, 0, &port);

  assert_true(lfd >= 0);
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms"),
                   0);
  m.epoch_script[0] = 0; /* when the first probe is sent */
  m.epoch_script[1] = 1; /* from its answer on */
  m.n_epoch_script = 2;
  mock_add_target(&m, "web", "127.0.0.1", port);
  ctx = start_probe(&m);
  assert_int_equal(mock_loop_run_samples(&m, 2, WAIT_MS), 2);
  assert_int_equal(m.samples[0].flags, BN_SAMPLE_INVALID);
  assert_int_equal(m.samples[1].flags, 0);
  finish_probe(&m, ctx);
  close(lfd);
}

/* The first probes of 4 targets are spread over the first interval. */
static void test_stagger(void **state)
{
  static const int64_t want[4] = {0, 250000000, 500000000, 750000000};
  mock_host m;
  int64_t after, repeat;
  void *ctx;
  size_t i;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=1s"),
                   0);
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

/* Names go through getaddrinfo; "localhost" is in /etc/hosts. */
static void test_resolve_name(void **state)
{
  mock_host m;
  int port = 0, lfd = -1, lfd6 = -1, tries;
  void *ctx;

  /* The same port on 127.0.0.1 and ::1: localhost may be either. */
  for (tries = 0; tries < 10; tries++) {
    lfd = listener(AF_INET, 64, 0, &port);
    assert_true(lfd >= 0);
    lfd6 = listener(AF_INET6, 64, port, &port);
    if (lfd6 >= 0 || errno != EADDRINUSE)
      break;
    close(lfd);
  }
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms"),
                   0);
  mock_add_target(&m, "lh", "localhost", port);
  ctx = start_probe(&m);
  /* Resolving started, and its result waits for the loop. */
  assert_int_equal(m.n_resolves, 1);
  assert_int_equal(mock_resolve_count(&m), 1);
  assert_int_equal(mock_loop_run_samples(&m, 1, WAIT_MS), 1);
  assert_string_equal(m.samples[0].target, "lh");
  assert_int_equal(m.samples[0].flags, 0);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  /* Resolved once: the address is kept. */
  mock_loop_run_samples(&m, 3, WAIT_MS);
  assert_int_equal(m.n_resolves, 1);
  finish_probe(&m, ctx);
  close(lfd);
  if (lfd6 >= 0)
    close(lfd6);
}

/* stop() while a name resolves: the resolution is cancelled, its
 * result never reaches the probe, nothing is sent. */
static void test_resolve_cancel(void **state)
{
  mock_host m;
  void *ctx;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms"),
                   0);
  mock_add_target(&m, "lh", "localhost", 80);
  ctx = start_probe(&m);
  assert_int_equal(mock_resolve_count(&m), 1);
  ops()->stop(ctx);
  assert_int_equal(mock_resolve_count(&m), 0);
  mock_loop_run(&m, 30);
  assert_int_equal(m.n_samples, 0);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 0);
  finish_probe(&m, ctx);
}

/* An unresolvable name: one warning and one event (reports say why),
 * retries, and each probe that fell due a failed probe (LOST | ERROR),
 * so the target stays in the reports. */
static void test_resolve_failure(void **state)
{
  mock_host m;
  void *ctx;
  size_t i;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms"),
                   0);
  mock_add_target(&m, "ghost", "nonexistent.invalid", 80);
  ctx = start_probe(&m);
  mock_loop_run_logs(&m, 3, WAIT_MS);
  assert_true(m.n_logs >= 3);
  assert_true(m.n_samples >= 2);
  for (i = 0; i < m.n_samples; i++) {
    assert_string_equal(m.samples[i].target, "ghost");
    assert_int_equal(m.samples[i].flags, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  }
  assert_int_equal(m.n_events_emitted, 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
  assert_int_equal(m.logs[0].level, BN_LOG_WARNING);
  assert_non_null(strstr(m.logs[0].text, "target 'ghost': cannot resolve "
                                         "'nonexistent.invalid': "));
  assert_true(mock_log_count(&m, BN_LOG_DEBUG,
                             "target 'ghost': still cannot resolve "
                             "'nonexistent.invalid': ") >= 2);
  finish_probe(&m, ctx);
}

/* Out of descriptors: lost samples flagged ERROR, one warning. */
static void test_emfile(void **state)
{
  struct rlimit old, low;
  mock_host m;
  void *ctx;
  int port = closed_port(), probe_fd;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "interval=10ms"),
                   0);
  mock_add_target(&m, "web", "127.0.0.1", port);
  ctx = start_probe(&m);
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
  probe_fd = dup(0); /* the lowest free descriptor */
  assert_true(probe_fd >= 0);
  close(probe_fd);
  low = old;
  low.rlim_cur = (rlim_t)probe_fd;
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
  mock_loop_run_samples(&m, 2, WAIT_MS);
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
  assert_true(m.n_samples >= 2);
  assert_int_equal(m.samples[0].flags, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  assert_int_equal(m.samples[1].flags, BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING, ""), 1);
  assert_int_equal(mock_log_count(&m, BN_LOG_WARNING,
                                  "target 'web': cannot open a connection: "
                                  "Too many open files; counted as lost"),
                   1);
  finish_probe(&m, ctx);
}

/* No targets: start and stop do nothing, destroy frees. */
static void test_no_targets(void **state)
{
  mock_host m;
  void *ctx;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  ctx = start_probe(&m);
  assert_int_equal(mock_timer_count(&m), 0);
  finish_probe(&m, ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_descriptor),
      cmocka_unit_test(test_target_without_port),
      cmocka_unit_test(test_connect_ok),
      cmocka_unit_test(test_connect_ipv6),
      cmocka_unit_test(test_port_option),
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_timeout),
      cmocka_unit_test(test_stop_cancels),
      cmocka_unit_test(test_epoch_change),
      cmocka_unit_test(test_stagger),
      cmocka_unit_test(test_resolve_name),
      cmocka_unit_test(test_resolve_failure),
      cmocka_unit_test(test_resolve_cancel),
      cmocka_unit_test(test_emfile),
      cmocka_unit_test(test_no_targets),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
