/*
 * speed_provider.h - the plugin side shared by the HTTP-based speed
 * test providers: common options, URL checks, and run()/cancel() over a
 * speed_engine.  A provider's context starts with a speed_provider.
 */
#ifndef BN_SPEED_PROVIDER_H
#define BN_SPEED_PROVIDER_H

#include <bottleneck/sdk.h>

#include "speed_engine.h"

/** Options every HTTP provider has (append to its own table). */
#define SPEED_COMMON_OPTIONS                                                  \
  {"ca_file", BN_OPT_STRING, NULL, "CA bundle for https servers", 0, 0, 0},   \
      {"insecure", BN_OPT_BOOL,                                               \
       "false",    "do not verify the server's TLS certificate",              \
       0,          0,                                                         \
       0},                                                                    \
      {"pings", BN_OPT_INT, "10", "idle latency requests", 2, 1000, 0},       \
      {"ping_interval",                                                       \
       BN_OPT_DURATION,                                                       \
       "100ms",                                                               \
       "spacing of latency requests under load",                              \
       0.01,                                                                  \
       10,                                                                    \
       0},                                                                    \
  {                                                                           \
    "connect_timeout", BN_OPT_DURATION, "5s",                                 \
        "cap on connecting to the server", 0.1, 120, 0                        \
  }

/** Head of every HTTP provider's context. */
typedef struct speed_provider {
  bn_host *h;
  speed_plan plan;
  speed_engine *eng; /* the test in flight */
  bn_speedtest_done_fn done;
  void *done_arg;
} speed_provider;

/** Read the common options into p->plan (h stored too). */
int speed_provider_init(speed_provider *p, bn_host *h);

/**
 * Check that option `key` (if set) is an http(s) URL that parses; logs
 * a FILE:LINE:COL error and returns BN_EINVAL if not.  *out gets the
 * text (NULL when absent).
 */
int speed_provider_url(bn_host *h, const char *key, const char **out);

/**
 * Read a BN_OPT_SIZE option ("64k", "10M", "1G": powers of 1024, or
 * plain bytes; the host has validated it).  Returns 0 or BN_ENOENT.
 */
int speed_provider_size(bn_host *h, const char *key, uint64_t *out);

/** bn_speedtest_ops.run for a context that starts with speed_provider. */
int speed_provider_run(void *ctx, const bn_speedtest_request *req,
                       bn_speedtest_done_fn done, void *arg);
/** bn_speedtest_ops.cancel for the same. */
void speed_provider_cancel(void *ctx);
/** Stop a test in flight (for destroy()). */
void speed_provider_fini(speed_provider *p);

#endif
