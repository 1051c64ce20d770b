/*
 * rw_map.h - what one sample of a probe becomes in remote write: the
 * series and values, named as the prometheus exporter names them (base
 * units; docs/exporters.md), chosen by the metric's role and unit.
 */
#ifndef BN_RW_MAP_H
#define BN_RW_MAP_H

#include <bottleneck/sdk.h>

/** Most points one sample becomes. */
#define RW_MAP_MAX 2

/** One point a sample becomes. */
typedef struct rw_mapped {
  const char *name; /**< metric name (__name__) */
  double value;     /**< in base units */
  int role_unit;    /**< non-zero: add role and unit labels */
} rw_mapped;

/**
 * Map a sample of metric `m` into at most RW_MAP_MAX points in `out`;
 * returns how many (0: the sample is no probe, e.g. invalid, late or a
 * duplicate answer, or holds no value).
 *
 * - latency (a time unit): bottleneck_probe_success 1 or 0 for every
 *   probe, and bottleneck_latency_last_seconds for an answered one;
 * - loss (ratio, percent): bottleneck_loss_ratio;
 * - jitter (a time unit): bottleneck_jitter_seconds;
 * - throughput (bit/s, byte/s...): bottleneck_throughput_bytes_per_second;
 * - anything else, or a unit that does not fit the role:
 *   bottleneck_metric_value in the declared unit, with role and unit labels.
 */
int rw_map_sample(const bn_metric *m, const bn_sample *s,
                  rw_mapped out[RW_MAP_MAX]);

#endif
