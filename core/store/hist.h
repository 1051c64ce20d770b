/*
 * hist.h - a mergeable histogram sketch for percentiles over rollups.
 * Log-spaced bins (each 2^(1/8) wider than the last, about 4.4 % either
 * way) from 1e-3 to 1e6 in the value's unit, so a percentile of merged
 * minutes is within one bin of the exact one however many minutes are
 * merged.  Stored as a small blob: (bin, count) pairs in bin order, the
 * count a LEB128 varint.  Pure functions; store_rollup.c registers the
 * SQL functions built on them.
 */
#ifndef BN_CORE_HIST_H
#define BN_CORE_HIST_H

#include <stddef.h>
#include <stdint.h>

/** Number of bins. */
#define HIST_BINS 256
/** Largest encoded size (every bin used, 10-byte varints). */
#define HIST_BLOB_MAX (HIST_BINS * 11)

/** Counts per bin. */
typedef struct hist {
  uint64_t bin[HIST_BINS];
  uint64_t n;
} hist;

/** The bin of a value (values <= 1e-3, negatives and NaN: bin 0). */
int hist_bin(double v);
/** A value that stands for bin i (its geometric middle). */
double hist_value(int i);
/** Count one value. */
void hist_add(hist *h, double v);
/** Encode h into out (HIST_BLOB_MAX bytes); returns the length. */
size_t hist_encode(const hist *h, unsigned char *out);
/**
 * Add the blob's counts to h.  Returns 0, or -1 for a malformed blob
 * (bins out of order, a varint running off the end): h is then left
 * with what was read before the fault.
 */
int hist_merge_blob(hist *h, const unsigned char *blob, size_t len);
/**
 * The q-quantile (0 <= q <= 1) of the counted values, clamped to
 * [lo, hi] (the exact minimum and maximum, when known; pass -INFINITY
 * and INFINITY otherwise).  NaN when h is empty.
 */
double hist_quantile(const hist *h, double q, double lo, double hi);

#endif
