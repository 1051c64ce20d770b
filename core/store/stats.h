/*
 * stats.h - summary statistics of a series: min/avg/percentiles/max,
 * standard deviation and jitter.  Used by the store's series view.
 */
#ifndef BN_CORE_STATS_H
#define BN_CORE_STATS_H

#include <stddef.h>

#include <bottleneck/sdk.h>

/**
 * Fill the statistics fields of `s` (min, avg, p50, p95, max, stddev,
 * jitter) from the received values v[0..n-1] in time order.  `v` is
 * sorted in place afterwards (jitter is computed first).  With n == 0
 * all become NaN.
 */
void stats_fill(bn_series *s, double *v, size_t n);

/** Percentile p (0..100) of sorted values, linear interpolation. */
double stats_percentile(const double *sorted, size_t n, double p);

#endif
