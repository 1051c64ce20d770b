/*
 * prom_table.h - the prometheus exporter's metric table.
 *
 * Two threads use it.  The core loop feeds it (samples, events, paths,
 * speed tests) and must never wait: each update becomes an operation in
 * a loop-owned queue, and the queue is applied to the shared table only
 * when the table's mutex can be taken without waiting (trylock), at the
 * next update or from a periodic timer.  The HTTP thread takes the mutex
 * to render /metrics.  So a scrape, however large, never delays the
 * loop; an update that finds the queue full is dropped and counted
 * (bottleneck_exporter_samples_dropped_total{reason="queue_full"}).
 *
 * Series (one per target, probe instance and metric) are looked up in a
 * loop-only hash and never freed before the table, so queued operations
 * can point at them.  Everything is selected by the metric's role and
 * converted from its declared unit to Prometheus base units (seconds,
 * ratios, bytes per second); a metric whose unit does not fit its role is
 * exported as it is, by bottleneck_metric_value with role and unit labels.
 */
#ifndef BN_PROM_TABLE_H
#define BN_PROM_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include <bottleneck/sdk.h>

#include "prom_text.h"

/** Most histogram buckets (without +Inf). */
#define PROM_MAX_BUCKETS 32

/** Limits and choices of one table. */
typedef struct prom_limits {
  double buckets[PROM_MAX_BUCKETS]; /**< upper bounds in seconds, rising */
  size_t n_buckets;                 /**< 0: no latency histogram */
  size_t max_series;      /**< series beyond are dropped and counted */
  size_t max_pending;     /**< queued updates beyond are dropped */
  uint32_t loss_window;   /**< probes in the loss-ratio window */
  uint32_t max_hop_addrs; /**< addresses per hop; more fold to "other" */
  uint32_t max_hops;      /**< hops per route kept (by ttl) */
  size_t max_event_keys;  /**< distinct event/episode keys kept */
} prom_limits;

/** Fill `l` with the defaults documented in docs/exporters.md. */
void prom_limits_default(prom_limits *l);

typedef struct prom_table prom_table;

/** A new table, or NULL (out of memory). */
prom_table *prom_table_new(const prom_limits *l);
/** Free the table; no thread may use it any more. */
void prom_table_free(prom_table *t);

/* -- loop side (one thread) -- */

/** Queue one sample of probe instance `probe`. */
int prom_table_sample(prom_table *t, const char *probe, const bn_metric *m,
                      const bn_sample *s);
/** Queue one event from instance `source`. */
int prom_table_event(prom_table *t, const char *source, const bn_event *e);
/** Queue the paths of one round of probe instance `probe`. */
int prom_table_paths(prom_table *t, const char *probe, const bn_path_set *ps);
/** Queue one speed test result of `provider`. */
int prom_table_speedtest(prom_table *t, const char *provider,
                         const bn_speedtest_result *r);
/**
 * Apply the queued updates: only if the mutex is free when `wait` is 0,
 * else waiting for it (end of run).  Returns the updates still queued.
 */
size_t prom_table_drain(prom_table *t, int wait);

/* -- any thread -- */

/**
 * Render the whole table in the text format into `out` (appended).
 * Returns 0, or BN_ENOMEM when the buffer could not grow.
 */
int prom_table_render(prom_table *t, prom_buf *out);

/** Series in the table (published or not); for tests and logs. */
size_t prom_table_series(const prom_table *t);

#endif
