/*
 * an_stats.h - robust statistics for the anomaly detectors: median by
 * selection (no full sort), median absolute deviation, and the score
 * curve that turns a robust z into a signal score in [0, 1].
 *
 * Pure C, no host dependency: unit-tested on its own.
 */
#ifndef AN_STATS_H
#define AN_STATS_H

#include <stddef.h>

/** 1 / Phi^-1(3/4): scales a MAD into a standard deviation (normal). */
#define AN_MAD_SCALE 1.4826

/**
 * Median of a[0..n-1] (mean of the two middle values when n is even).
 * Reorders `a`.  n == 0 gives NaN.
 */
double an_median(float *a, size_t n);

/**
 * Median and median absolute deviation of src[0..n-1]; `scratch` holds
 * n floats.  n == 0 gives NaN for both.
 */
void an_median_mad(const float *src, size_t n, float *scratch, double *med,
                   double *mad);

/**
 * Score of a robust z against the threshold `z_on`: 0 for z <= 0, 0.5 at
 * z == z_on, 0.94 at 2 * z_on, towards 1 above: 1 - 2^-((z/z_on)^2).
 */
double an_score(double z, double z_on);

#endif /* AN_STATS_H */
