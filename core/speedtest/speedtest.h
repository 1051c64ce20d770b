/*
 * speedtest.h - speed tests: the settings of a profile's `speedtest:`
 * section, and the orchestration of its ordered provider list (the
 * `speedtests:` instances) with per-attempt timeouts, retries with
 * exponential backoff and jitter, and failover to the next provider.
 * Every attempt is stored, and the final result with it.
 */
#ifndef BN_CORE_SPEEDTEST_H
#define BN_CORE_SPEEDTEST_H

#include <stddef.h>
#include <stdint.h>

#include <bottleneck/sdk.h>

#include "host.h"
#include "speedtest_settings.h"

/** One attempt, as recorded. */
typedef struct speedtest_attempt {
  char provider[64];
  char server[256];
  int attempt;         /* 1, 2, ... over the whole failover */
  int status;          /* 0 or a negative bn_status */
  char error[256];     /* empty when status == 0 */
  int64_t wall_ns;     /* start */
  int64_t duration_ns; /* how long it took */
} speedtest_attempt;

/** The outcome of one orchestrated test. */
typedef struct speedtest_outcome {
  int status;                  /* 0: a provider succeeded */
  const char *provider;        /* instance that gave the result, or NULL */
  bn_speedtest_result result;  /* the result (copied strings below) */
  char server[256];            /* result.server points here */
  char error[256];             /* result.error points here */
  const char *grade;           /* bufferbloat grade or NULL */
  speedtest_attempt *attempts; /* every attempt, in order */
  size_t n_attempts;
} speedtest_outcome;

/**
 * Run one speed test over `providers` (speedtest instances, initialised,
 * in failover order) on core->uv until it ends; attempts and the result
 * go to core->st (run core->run_id) when a store is open.  `random` is a
 * seeded PRNG state for the jitter (tests fix it).  Returns 0 when a
 * provider succeeded, else the last error (every attempt failed).
 * Free the outcome with speedtest_outcome_free().
 */
int speedtest_run(host_core *core, host_instance **providers,
                  size_t n_providers, const speedtest_settings *s,
                  unsigned *random, speedtest_outcome *out);

void speedtest_outcome_free(speedtest_outcome *o);

#endif
