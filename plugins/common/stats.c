/*
 * stats.c - median and jitter of the small sample sets the speed test
 * providers take (idle and loaded latency).
 */
#include "plugin_common.h"

#include <math.h>

double plug_median(double *v, size_t n)
{
  size_t i, j;

  if (n == 0)
    return BN_NOT_MEASURED;
  for (i = 1; i < n; i++) { /* insertion sort: n is small */
    double x = v[i];

    for (j = i; j > 0 && v[j - 1] > x; j--)
      v[j] = v[j - 1];
    v[j] = x;
  }
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double plug_jitter(const double *v, size_t n)
{
  double sum = 0;
  size_t i;

  if (n < 2)
    return BN_NOT_MEASURED;
  for (i = 1; i < n; i++)
    sum += fabs(v[i] - v[i - 1]);
  return sum / (double)(n - 1);
}
