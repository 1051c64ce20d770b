/*
 * sim_stats.h - distances between two empirical distributions (a
 * simulated and a measured sample of the same metric).
 */
#ifndef BN_CORE_SIM_SIM_STATS_H
#define BN_CORE_SIM_SIM_STATS_H

#include <stddef.h>

/**
 * Two-sample Kolmogorov-Smirnov distance: the largest vertical gap
 * between the two empirical CDFs, sup_x |F_a(x) - F_b(x)|, in [0, 1].
 * Both arrays sorted ascending, na, nb > 0; NaN otherwise.
 */
double sim_ks_distance(const double *a, size_t na, const double *b, size_t nb);

/**
 * First Wasserstein (earth mover's) distance between the two empirical
 * distributions: the integral over x of |F_a(x) - F_b(x)|, in the
 * values' unit.  Both arrays sorted ascending, na, nb > 0; NaN otherwise.
 */
double sim_wasserstein(const double *a, size_t na, const double *b, size_t nb);

/**
 * The value at probability p (0..1) of a CDF given as points
 * (x[i], cp[i]), both non-decreasing, interpolated linearly; below the
 * first point the first x, above the last the last x.
 */
double sim_cdf_inverse(const double *x, const double *cp, size_t n, double p);

#endif
