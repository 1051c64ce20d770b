/*
 * hist.h - a mergeable quantile sketch for percentiles over rollups, in
 * the manner of DDSketch (Masson, Rim and Lee, VLDB 2019): logarithmic
 * buckets, each gamma = (1 + a) / (1 - a) times wider than the last with
 * a = HIST_REL_ERR (1 %), so that any quantile read back is within 1 %
 * of the exact one (relative to its value), however many sketches were
 * merged.  Values whose magnitude is below HIST_MIN count as 0; negative
 * values have buckets of their own.
 *
 * Only buckets in use are kept (sorted, 8 bytes each), so a minute of a
 * 1 Hz series takes a few dozen bytes.  Stored as a blob: a format byte,
 * then per bucket the key (zigzag varint for the first, then the
 * increase) and the count (varint).  The previous format (256 fixed bins
 * 2^(1/8) apart, schemas 2 to 4) is read only by hist_merge_blob_v1, for the
 * migration.  Pure functions; store_rollup.c registers the SQL functions
 * built on them.
 */
#ifndef BN_CORE_HIST_H
#define BN_CORE_HIST_H

#include <stddef.h>
#include <stdint.h>

/** Largest relative error of a quantile read from the sketch. */
#define HIST_REL_ERR 0.01
/** Magnitudes below this count as 0. */
#define HIST_MIN 1e-6
/** Format byte at the head of an encoded sketch. */
#define HIST_FORMAT 0x02

/** One bucket in use: its key and a 48-bit count. */
typedef struct hist_bucket {
  int16_t key;
  uint16_t count_hi;
  uint32_t count_lo;
} hist_bucket;

/** A sketch; all zero is an empty one.  Free with hist_free. */
typedef struct hist {
  hist_bucket *b; /* sorted by key */
  uint32_t len, cap;
  uint64_t n; /* values counted */
} hist;

/** The key of a value's bucket (0 for |v| < HIST_MIN and NaN). */
int hist_key(double v);
/** The value that stands for a bucket (within HIST_REL_ERR of all). */
double hist_value(int key);
/** A bucket's count. */
uint64_t hist_bucket_count(const hist_bucket *b);
/** Count one value; 0, or -1 when out of memory (the value is lost). */
int hist_add(hist *h, double v);
/** Count c values in bucket key; 0 or -1 (out of memory). */
int hist_add_key(hist *h, int key, uint64_t c);
/** Add the counts of `from` to `into`; 0 or -1 (out of memory). */
int hist_merge(hist *into, const hist *from);
/** Empty h; a large buffer is given back, a small one kept. */
void hist_clear(hist *h);
/** Free h's buffer (h is then empty). */
void hist_free(hist *h);
/** Bytes hist_encode needs at most for h. */
size_t hist_encode_bound(const hist *h);
/** Encode h into out (hist_encode_bound bytes); returns the length (0
 * for an empty sketch). */
size_t hist_encode(const hist *h, unsigned char *out);
/**
 * Add the blob's counts to h.  Returns 0, or -1 for a malformed blob
 * (unknown format, keys out of order, a varint running off the end) or
 * no memory: h is then left with what was read before the fault.
 */
int hist_merge_blob(hist *h, const unsigned char *blob, size_t len);
/**
 * Add a blob of the schema 2-4 format (256 bins 2^(1/8) apart from 1e-3,
 * (bin, varint count) pairs): each bin's count goes to the bucket of the
 * bin's middle value, so such minutes keep their old 4.4 % error.
 */
int hist_merge_blob_v1(hist *h, const unsigned char *blob, size_t len);
/**
 * The q-quantile (0 <= q <= 1) of the counted values, by linear
 * interpolation between the closest ranks as docs/metrics.md defines
 * it, each rank's value read from its bucket; clamped to [lo, hi] (the
 * exact minimum and maximum, when known; pass -INFINITY and INFINITY
 * otherwise).  NaN when h is empty.
 */
double hist_quantile(const hist *h, double q, double lo, double hi);

#endif
