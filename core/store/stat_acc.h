/*
 * stat_acc.h - one accumulator of a series' samples, the unit that
 * rollups store and reports merge: probes sent, lost, invalid, late and
 * duplicate answers, received values (count, sum, sum of squares,
 * extremes), jitter (sum and count of absolute differences between
 * consecutive received values) and a quantile sketch (hist.h, 1 %
 * relative error) for percentiles.
 * Every field adds up, so accumulators of minutes or buckets merge into
 * any range.  The counting rules are those of the store's series
 * summaries (store_query.c).
 */
#ifndef BN_CORE_STAT_ACC_H
#define BN_CORE_STAT_ACC_H

#include <stdint.h>

#include "hist.h"

typedef struct stat_acc {
  uint64_t sent, lost, invalid, late, dup, n, jit_n;
  double sum, sumsq, min, max, jit_sum;
  double prev;  /* the last received value, for the next difference */
  int has_prev; /* prev is set */
  hist h;
} stat_acc;

/** An empty accumulator (no jitter chain). */
void stat_acc_init(stat_acc *a);
/** Empty the counts; prev (the jitter chain) is kept, and so is the
 * sketch's buffer when it is small. */
void stat_acc_reset(stat_acc *a);
/** Free the sketch's buffer (a is then empty). */
void stat_acc_free(stat_acc *a);
/**
 * Count one sample with its bn_sample_flag bits: invalid ones only as
 * invalid, late and duplicate answers apart from probes sent, lost ones
 * as sent and lost; only a plain answer (no flag, a value) is a value.
 */
void stat_acc_add(stat_acc *a, double v, uint32_t flags);
/** Add `a` into `into` (not the jitter chain); 0, or -1 when out of
 * memory (the sketch of `into` then lacks a's values). */
int stat_acc_merge(stat_acc *into, const stat_acc *a);

/** Mean, loss %, jitter, population standard deviation; NaN if none. */
double stat_acc_avg(const stat_acc *a);
double stat_acc_loss_pct(const stat_acc *a);
double stat_acc_jitter(const stat_acc *a);
double stat_acc_stddev(const stat_acc *a);
/** The q-quantile from the sketch, within the exact extremes. */
double stat_acc_quantile(const stat_acc *a, double q);

#endif
