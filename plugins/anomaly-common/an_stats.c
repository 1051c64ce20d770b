/*
 * an_stats.c - median by quickselect, MAD, and the score curve.
 */
#include "an_stats.h"

#include <math.h>
#include <string.h>

/* Hoare-style quickselect: afterwards a[k] holds the k-th smallest value,
 * everything before it is <= a[k] and everything after it >= a[k]. */
static void an_select(float *a, size_t n, size_t k)
{
  size_t lo = 0, hi = n - 1;

  while (lo < hi) {
    float pivot = a[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;

    while (i <= j) {
      while (a[i] < pivot)
        i++;
      while (a[j] > pivot)
        j--;
      if (i <= j) {
        float t = a[i];

        a[i] = a[j];
        a[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return;
  }
}

double an_median(float *a, size_t n)
{
  size_t k = n / 2;
  float lower;

  if (n == 0)
    return NAN;
  an_select(a, n, k);
  if (n % 2)
    return a[k];
  lower = a[0];
  for (size_t i = 1; i < k; i++)
    if (a[i] > lower)
      lower = a[i];
  return ((double)lower + (double)a[k]) / 2.0;
}

void an_median_mad(const float *src, size_t n, float *scratch, double *med,
                   double *mad)
{
  double m;

  if (n == 0) {
    *med = NAN;
    *mad = NAN;
    return;
  }
  memcpy(scratch, src, n * sizeof(*scratch));
  m = an_median(scratch, n);
  for (size_t i = 0; i < n; i++)
    scratch[i] = (float)fabs((double)src[i] - m);
  *med = m;
  *mad = an_median(scratch, n);
}

double an_score(double z, double z_on)
{
  double x;

  if (!(z > 0) || !(z_on > 0))
    return 0;
  x = z / z_on;
  if (x > 8)
    return 1;
  return 1 - exp2(-(x * x));
}
