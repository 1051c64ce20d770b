/*
 * mock_host.h - a mock bn_host_api for plugin unit tests.
 *
 * The mock records what a plugin emits and logs, answers store queries
 * from arrays the test fills in, builds the instance's configuration from
 * a "key=value" list (defaults taken from the plugin's option table, as
 * the real host does), and runs timers and fd watches on a small poll()
 * loop (mock_loop_run) so that probes can talk to real sockets.  Name
 * resolution (resolve) calls getaddrinfo at once but delivers the result
 * from the loop, as the host does, never from inside resolve().
 *
 * It defines struct bn_node itself: never link it with core/config/conf.c.
 */
#ifndef BN_TESTS_MOCK_HOST_H
#define BN_TESTS_MOCK_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <bottleneck/sdk.h>

/** Most lines, samples, targets... the mock keeps. */
#define MOCK_MAX 256

/** One recorded sample (strings copied). */
typedef struct mock_sample {
  char target[64];
  char metric[64];
  double value;
  int64_t wall_ns;
  int64_t mono_ns;
  uint32_t flags;
} mock_sample;

/** One recorded log line, without the host's prefix. */
typedef struct mock_log_line {
  bn_log_level level;
  char text[512];
} mock_log_line;

/** A canned event with its source, for events_each. */
typedef struct mock_event {
  bn_event event;
  const char *source;
} mock_event;

/** The mock host.  `base` must stay first: plugins get &m->base. */
typedef struct mock_host {
  bn_host base;

  /* Configuration: the instance's map and the targets. */
  bn_node *config;
  const bn_plugin *plugin; /* its option table (cfg_fill), its metrics */
  bn_target targets[MOCK_MAX];
  size_t n_targets;
  const char *instance; /* instance_name(); "mock" by default */

  /* Recorded output. */
  mock_sample samples[MOCK_MAX];
  size_t n_samples;
  mock_log_line logs[MOCK_MAX];
  size_t n_logs;
  size_t n_events_emitted;

  /* Clocks.  Epoch values are returned in order from epoch_script (the
   * last one repeats) when n_epoch_script > 0, else `epoch`. */
  uint64_t epoch;
  uint64_t epoch_script[8];
  size_t n_epoch_script, epoch_calls;

  /* Canned store data. */
  bn_run_info run;
  const bn_series *series;
  size_t n_series;
  const mock_event *events;
  size_t n_events;
  int64_t last_query_run; /* run_id of the last series/events query */

  /* The loop. */
  bn_timer *timers; /* in start order; freed ones are reaped by the loop */
  bn_watch *watches;
  bn_resolve *resolves; /* resolved, delivered on the next loop turn */
  size_t n_resolves;    /* resolve() calls that returned a handle */
} mock_host;

/**
 * Set up a mock for `plugin`: `conf` is "key=value" lines separated by
 * '\n' or ';' (NULL: none); options absent from it get the table's
 * default.  Returns 0 or a negative bn_status.
 */
int mock_host_init(mock_host *m, const bn_plugin *plugin, const char *conf);
/** Free everything the mock owns (timers and watches left open, too). */
void mock_host_free(mock_host *m);

/**
 * Add a target; its node is a map {name, host, port} placed at
 * "mock.yaml:LINE:3" where LINE is 10 * (index + 1).
 */
bn_target *mock_add_target(mock_host *m, const char *name, const char *host,
                           int port);

/**
 * Add a key to a target's node (e.g. "url"), placed at the line after
 * its port.  Returns 0 or a negative bn_status.
 */
int mock_target_set(bn_target *t, const char *key, const char *value);

/** Run the loop for at most `ms` milliseconds. */
void mock_loop_run(mock_host *m, int ms);
/**
 * Run the loop until at least `n` samples were emitted or `max_ms`
 * passed.  Returns the number of samples.
 */
size_t mock_loop_run_samples(mock_host *m, size_t n, int max_ms);
/** Run until at least `n` log lines exist or `max_ms` passed. */
size_t mock_loop_run_logs(mock_host *m, size_t n, int max_ms);

/** Live (not freed) timers and watches. */
size_t mock_timer_count(const mock_host *m);
size_t mock_watch_count(const mock_host *m);
/** Name resolutions started and neither delivered nor cancelled. */
size_t mock_resolve_count(const mock_host *m);
/** `after_ns` and `repeat_ns` of the i-th live timer, in start order. */
int mock_timer_times(const mock_host *m, size_t i, int64_t *after_ns,
                     int64_t *repeat_ns);

/** Number of log lines at `level` whose text contains `needle`. */
size_t mock_log_count(const mock_host *m, bn_log_level level,
                      const char *needle);

/** Whole file into a NUL-terminated malloc'd buffer, or NULL. */
char *mock_read_file(const char *path, size_t *len);

/**
 * Compare `actual` with the golden file BN_GOLDEN_DIR/name byte for byte.
 * On a difference, writes `actual` to ./name.actual (the build tree) so
 * that `diff` shows what changed, and returns non-zero.
 */
int mock_golden_diff(const char *golden_dir, const char *name,
                     const char *actual, size_t len);

/**
 * A socket of `type` (SOCK_STREAM: listening with `backlog`; SOCK_DGRAM:
 * bound) on 127.0.0.1 or ::1, port `want_port` (0: ephemeral), close-on-
 * exec.  Stores the bound port in *port.  Returns the fd, or -1 (e.g. no
 * IPv6 loopback here).  The tests' peers (listeners, responders) use it.
 */
int mock_loopback_socket(int family, int type, int backlog, int want_port,
                         int *port);

#endif
