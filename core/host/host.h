/*
 * host.h - plugin instances and the host function table (bn_host_api)
 * handed to them.  An instance embeds the public bn_host first, so the
 * api functions find their instance by a cast.
 */
#ifndef BN_CORE_HOST_H
#define BN_CORE_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <bottleneck/sdk.h>

#include "clock.h"
#include "loader.h"
#include "loop.h"
#include "profile.h"
#include "store.h"

struct host_core;

/* An ops callback exists when it lies inside the plugin's struct_size. */
#define HOST_HAS(ops, field)                                                  \
  ((ops) &&                                                                   \
   (ops)->struct_size >=                                                      \
       offsetof(__typeof__(*(ops)), field) + sizeof((ops)->field) &&          \
   (ops)->field)

/** One plugin instance. */
typedef struct host_instance {
  bn_host pub; /* must stay first */
  struct host_core *core;
  const loader_plugin *plugin;
  const profile_plugin *entry;
  char prefix[160]; /* "probe:tcp:instance" for log lines */
  loop_owner owner;
  void *ctx;
  int initialised;
  int started;
  uint64_t n_emitted;
  uint64_t n_dropped;           /* samples refused (undeclared...) */
  unsigned warned_struct;       /* malformed structs logged once */
  unsigned warned_metric;       /* undeclared metric logged once */
  const bn_metric *last_metric; /* the last metric emitted (a cache) */
  struct redactor *redact;      /* `redact: true` exporters (host_redact.h) */
} host_instance;

/** What all instances of one run share. */
typedef struct host_core {
  uv_loop_t *uv;
  bn_clock clock;
  store *st;
  int64_t run_id;
  host_instance *inst;
  size_t n_inst;
  uint64_t n_samples; /* emitted by probes so far */
  uint64_t n_lost;
  uint64_t n_events;
  /* Where speed test providers' progress reports go (NULL: nowhere). */
  void (*speedtest_progress)(const char *provider, bn_speedtest_phase phase,
                             uint64_t bytes, double rate_bps, void *arg);
  void *speedtest_progress_arg;
  /* Consent to send data off the machine: the profile's `consent:` list
   * and --consent (host_consent in host.c). */
  const bn_node *consent;
  int consent_all;
} host_core;

/**
 * Compare the clocks now (cheap: three clock reads).  On a suspend or a
 * wall-clock step the epoch grows, a warning is logged and a host-wide
 * event is stored.  Called by a core timer and whenever a plugin asks
 * for the epoch, so a probe completing right after a resume already
 * sees the new epoch.
 */
void host_clock_poll(host_core *core);

/** The function table every instance gets. */
const bn_host_api *host_api(void);

/**
 * Set up an instance (not yet initialised): owner, prefix, api.
 * `entry` may be NULL for a plugin used outside a profile.
 */
void host_instance_setup(host_instance *in, host_core *core,
                         const loader_plugin *plugin,
                         const profile_plugin *entry);

/** Call the plugin's init(); errors are logged with the prefix. */
int host_instance_init(host_instance *in);
/** Call destroy() (when initialised) and close left-over handles. */
void host_instance_destroy(host_instance *in);

/**
 * Run each plugin's optional check() on its profile entry, without a
 * loop or a store: the side-effect-free part of validation that the
 * option table cannot express.  Returns 0 or BN_EINVAL (all logged).
 */
int host_check_profile(const profile *p, const loader *ld);

/**
 * Copy a struct that a plugin handed over (its first member is
 * struct_size) into the host's `dst`: the fields inside the plugin's
 * struct_size, zero beyond.  The copy's struct_size becomes dst_size.
 * Returns BN_EINVAL when the plugin's struct is shorter than `min` (the
 * size in the SDK version that introduced the struct).
 */
int host_copy_in(void *dst, size_t dst_size, const void *src, size_t min);

/** The metric `name` as the instance's plugin declares it, or NULL. */
const bn_metric *host_metric_find(const host_instance *in, const char *name);

/** Hand one speed test attempt's result to every exporter. */
void host_fanout_speedtest(host_core *core, const char *provider,
                           const bn_speedtest_result *r);

/** Typed ops table of an instance (NULL when absent or the wrong kind). */
const bn_probe_ops *host_probe_ops(const host_instance *in);
const bn_reporter_ops *host_reporter_ops(const host_instance *in);
const bn_anomaly_ops *host_anomaly_ops(const host_instance *in);
const bn_exporter_ops *host_exporter_ops(const host_instance *in);
const bn_speedtest_ops *host_speedtest_ops(const host_instance *in);

#endif
