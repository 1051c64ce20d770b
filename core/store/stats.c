/*
 * stats.c - summary statistics of a series (min/avg/p50/p95/max, stddev,
 * jitter) over the received values of a series, in time order.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "stats.h"

static int stats_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return (x > y) - (x < y);
}

double stats_percentile(const double *sorted, size_t n, double p)
{
  double rank, frac;
  size_t lo, hi;

  if (n == 0 || isnan(p))
    return NAN;
  if (p <= 0)
    return sorted[0];
  if (p >= 100)
    return sorted[n - 1];
  /* numpy's default ("linear"): rank p/100 * (n - 1), interpolated
   * between the two closest ranks. */
  rank = p / 100.0 * (double)(n - 1);
  lo = (size_t)floor(rank);
  hi = lo + 1 < n ? lo + 1 : n - 1;
  frac = rank - (double)lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

/* Mean absolute difference of consecutive values; v must still be in
 * time order.  A single value has no variation: 0. */
static double stats_jitter(const double *v, size_t n)
{
  double sum = 0;
  size_t i;

  if (n < 2)
    return 0;
  for (i = 1; i < n; i++)
    sum += fabs(v[i] - v[i - 1]);
  return sum / (double)(n - 1);
}

void stats_fill(bn_series *s, double *v, size_t n)
{
  double sum = 0, sq = 0, mean;
  size_t i;

  if (n == 0) {
    s->min = s->avg = s->p50 = s->p95 = s->max = NAN;
    s->stddev = s->jitter = NAN;
    return;
  }
  s->jitter = stats_jitter(v, n);
  qsort(v, n, sizeof(*v), stats_cmp_double);
  for (i = 0; i < n; i++)
    sum += v[i];
  mean = sum / (double)n;
  /* Two passes: the textbook one-pass formula loses precision when the
   * spread is small next to the mean (RTTs of 20.001, 20.002 ms...). */
  for (i = 0; i < n; i++)
    sq += (v[i] - mean) * (v[i] - mean);
  s->min = v[0];
  s->max = v[n - 1];
  s->avg = mean;
  s->p50 = stats_percentile(v, n, 50);
  s->p95 = stats_percentile(v, n, 95);
  s->stddev = sqrt(sq / (double)n);
}
