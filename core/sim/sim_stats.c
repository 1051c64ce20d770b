/*
 * sim_stats.c - KS and Wasserstein distances of two sorted samples.
 */
#include "config.h"

#include "sim_stats.h"

#include <math.h>

/*
 * Both distances walk the merged order of the two samples once: between
 * two consecutive distinct values x0 < x1 both empirical CDFs are flat,
 * so the gap |Fa - Fb| is constant there.  KS takes its maximum,
 * Wasserstein its integral (gap times x1 - x0).
 */
static void sim_walk(const double *a, size_t na, const double *b, size_t nb,
                     double *ks, double *w1)
{
  size_t i = 0, j = 0;
  double fa = 0, fb = 0, prev = 0, gap;
  int started = 0;

  *ks = 0;
  *w1 = 0;
  while (i < na || j < nb) {
    double x;

    if (j >= nb || (i < na && a[i] <= b[j]))
      x = a[i];
    else
      x = b[j];
    if (started)
      *w1 += fabs(fa - fb) * (x - prev);
    while (i < na && a[i] == x)
      i++;
    while (j < nb && b[j] == x)
      j++;
    fa = (double)i / (double)na;
    fb = (double)j / (double)nb;
    gap = fabs(fa - fb);
    if (gap > *ks)
      *ks = gap;
    prev = x;
    started = 1;
  }
}

double sim_ks_distance(const double *a, size_t na, const double *b, size_t nb)
{
  double ks, w1;

  if (!na || !nb)
    return NAN;
  sim_walk(a, na, b, nb, &ks, &w1);
  return ks;
}

double sim_wasserstein(const double *a, size_t na, const double *b, size_t nb)
{
  double ks, w1;

  if (!na || !nb)
    return NAN;
  sim_walk(a, na, b, nb, &ks, &w1);
  return w1;
}

double sim_cdf_inverse(const double *x, const double *cp, size_t n, double p)
{
  size_t k;

  if (!n)
    return NAN;
  if (p <= cp[0])
    return x[0];
  for (k = 1; k < n; k++)
    if (cp[k] >= p) {
      double span = cp[k] - cp[k - 1];

      if (span <= 0)
        return x[k];
      return x[k - 1] + (x[k] - x[k - 1]) * (p - cp[k - 1]) / span;
    }
  return x[n - 1];
}
