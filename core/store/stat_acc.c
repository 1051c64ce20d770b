/*
 * stat_acc.c - the series accumulator (stat_acc.h).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <bottleneck/sdk.h>

#include "stat_acc.h"

#define NOT_RX                                                                \
  (BN_SAMPLE_LOST | BN_SAMPLE_LATE | BN_SAMPLE_DUP | BN_SAMPLE_ERROR)

void stat_acc_init(stat_acc *a)
{
  memset(a, 0, sizeof(*a));
  a->min = INFINITY;
  a->max = -INFINITY;
}

void stat_acc_reset(stat_acc *a)
{
  double prev = a->prev;
  int has_prev = a->has_prev;
  hist h = a->h;

  hist_clear(&h);
  stat_acc_init(a);
  a->h = h;
  a->prev = prev;
  a->has_prev = has_prev;
}

void stat_acc_free(stat_acc *a)
{
  hist_free(&a->h);
  stat_acc_init(a);
}

void stat_acc_add(stat_acc *a, double v, uint32_t flags)
{
  if (flags & BN_SAMPLE_INVALID) {
    a->invalid++;
    return;
  }
  if (flags & (BN_SAMPLE_LATE | BN_SAMPLE_DUP)) {
    a->late += (flags & BN_SAMPLE_LATE) != 0;
    a->dup += (flags & BN_SAMPLE_DUP) != 0;
    return;
  }
  a->sent++;
  a->lost += (flags & BN_SAMPLE_LOST) != 0;
  if ((flags & NOT_RX) || isnan(v))
    return;
  a->n++;
  a->sum += v;
  a->sumsq += v * v;
  if (v < a->min)
    a->min = v;
  if (v > a->max)
    a->max = v;
  hist_add(&a->h, v);
  if (a->has_prev) {
    a->jit_sum += fabs(v - a->prev);
    a->jit_n++;
  }
  a->prev = v;
  a->has_prev = 1;
}

int stat_acc_merge(stat_acc *into, const stat_acc *a)
{
  into->sent += a->sent;
  into->lost += a->lost;
  into->invalid += a->invalid;
  into->late += a->late;
  into->dup += a->dup;
  into->n += a->n;
  into->jit_n += a->jit_n;
  into->sum += a->sum;
  into->sumsq += a->sumsq;
  into->jit_sum += a->jit_sum;
  if (a->min < into->min)
    into->min = a->min;
  if (a->max > into->max)
    into->max = a->max;
  return hist_merge(&into->h, &a->h);
}

double stat_acc_avg(const stat_acc *a)
{
  return a->n ? a->sum / (double)a->n : NAN;
}

double stat_acc_loss_pct(const stat_acc *a)
{
  return a->sent ? 100.0 * (double)a->lost / (double)a->sent : NAN;
}

double stat_acc_jitter(const stat_acc *a)
{
  return a->jit_n ? a->jit_sum / (double)a->jit_n : NAN;
}

double stat_acc_stddev(const stat_acc *a)
{
  double m, var;

  if (!a->n)
    return NAN;
  m = a->sum / (double)a->n;
  var = a->sumsq / (double)a->n - m * m;
  return var > 0 ? sqrt(var) : 0;
}

double stat_acc_quantile(const stat_acc *a, double q)
{
  return a->n ? hist_quantile(&a->h, q, a->min, a->max) : NAN;
}
