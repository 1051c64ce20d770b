/*
 * speed_provider.h - the plugin side shared by the HTTP-based speed
 * test providers: common options, URL checks, and run()/cancel() over a
 * speed_engine.  A provider's context starts with a speed_provider.
 */
#ifndef BN_SPEED_PROVIDER_H
#define BN_SPEED_PROVIDER_H

#include <bottleneck/sdk.h>

#include "speed_engine.h"

/** The options every HTTP provider has (filled by cfg_fill). */
typedef struct speed_common_config {
  const char *ca_file; /* or NULL */
  int insecure;
  int pings;
  int64_t ping_interval_ns;
  int64_t connect_timeout_ns;
} speed_common_config;

/**
 * Entries of those options for config struct T, whose member `common`
 * is a speed_common_config (append to the provider's own table).
 */
#define SPEED_COMMON_OPTIONS(T)                                               \
  {.name = "ca_file",                                                         \
   .type = BN_OPT_STRING,                                                     \
   .help = "CA bundle for https servers",                                     \
   BN_FIELD(T, common.ca_file)},                                              \
      {.name = "insecure",                                                    \
       .type = BN_OPT_BOOL,                                                   \
       .def = "false",                                                        \
       .help = "do not verify the server's TLS certificate",                  \
       BN_FIELD(T, common.insecure)},                                         \
      {.name = "pings",                                                       \
       .type = BN_OPT_INT,                                                    \
       .def = "10",                                                           \
       .help = "idle latency requests",                                       \
       .min = 2,                                                              \
       .max = 1000,                                                           \
       BN_FIELD(T, common.pings)},                                            \
      {.name = "ping_interval",                                               \
       .type = BN_OPT_DURATION,                                               \
       .def = "100ms",                                                        \
       .help = "spacing of latency requests under load",                      \
       .min = 0.01,                                                           \
       .max = 10,                                                             \
       BN_FIELD(T, common.ping_interval_ns)},                                 \
  {                                                                           \
    .name = "connect_timeout", .type = BN_OPT_DURATION, .def = "5s",          \
    .help = "cap on connecting to the server", .min = 0.1, .max = 120,        \
    BN_FIELD(T, common.connect_timeout_ns)                                    \
  }

/** Head of every HTTP provider's context. */
typedef struct speed_provider {
  bn_host *h;
  speed_plan plan;
  speed_engine *eng; /* the test in flight */
  bn_speedtest_done_fn done;
  void *done_arg;
} speed_provider;

/** The common options (already filled) into p->plan; h stored too. */
void speed_provider_init(speed_provider *p, bn_host *h,
                         const speed_common_config *cfg);

/**
 * Check that `url`, the value of option `key` (NULL: absent, fine), is
 * an http(s) URL that parses; logs a FILE:LINE:COL error and returns
 * BN_EINVAL if not.
 */
int speed_provider_url(bn_host *h, const char *key, const char *url);

/** bn_speedtest_ops.run for a context that starts with speed_provider. */
int speed_provider_run(void *ctx, const bn_speedtest_request *req,
                       bn_speedtest_done_fn done, void *arg);
/** bn_speedtest_ops.cancel for the same. */
void speed_provider_cancel(void *ctx);
/** Stop a test in flight (for destroy()). */
void speed_provider_fini(speed_provider *p);

#endif
